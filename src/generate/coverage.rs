//! What generation exercised: every enum value, every optional key present and absent, every branch.
use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Mutex,
};

/// One thing a generator can exercise. Paths are JSON Pointers with `*` for array items.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    /// An enum/const value at a path (values as compact JSON).
    Enum {
        /// Where.
        path: String,
        /// The value.
        value: String,
    },
    /// An optional key present or absent.
    Optional {
        /// The key's path.
        path: String,
        /// Present (true) or absent (false).
        present: bool,
    },
    /// One alternative of a union (type array, anyOf, oneOf, discriminated if/then).
    Branch {
        /// Where.
        path: String,
        /// The alternative's label, e.g. `type=user`.
        label: String,
    },
}

impl std::fmt::Display for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Item::Enum { path, value } => write!(f, "enum     {path} = {value}"),
            Item::Optional { path, present } => {
                write!(
                    f,
                    "optional {path} {}",
                    if *present { "present" } else { "absent" }
                )
            }
            Item::Branch { path, label } => write!(f, "branch   {path} [{label}]"),
        }
    }
}

/// Expected items (registered while strategies are built) and how often each was generated.
#[derive(Debug, Default)]
pub struct Coverage {
    expected: Mutex<BTreeSet<Item>>,
    seen: Mutex<BTreeMap<Item, u64>>,
}

impl Coverage {
    pub(crate) fn expect(&self, item: Item) {
        if let Ok(mut e) = self.expected.lock() {
            e.insert(item);
        }
    }

    pub(crate) fn record(&self, item: Item) {
        if let Ok(mut s) = self.seen.lock() {
            *s.entry(item).or_insert(0) += 1;
        }
    }

    /// Every expected item with its count (0 = never generated).
    pub fn table(&self) -> Vec<(Item, u64)> {
        let expected = self.expected.lock().map(|e| e.clone()).unwrap_or_default();
        let seen = self.seen.lock().map(|s| s.clone()).unwrap_or_default();
        expected
            .into_iter()
            .map(|i| {
                let n = seen.get(&i).copied().unwrap_or(0);
                (i, n)
            })
            .collect()
    }

    /// Expected items never generated.
    pub fn missing(&self) -> Vec<Item> {
        self.table()
            .into_iter()
            .filter(|(_, n)| *n == 0)
            .map(|(i, _)| i)
            .collect()
    }
}
