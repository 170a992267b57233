//! What generation exercised: every enum value, every optional key present and absent, every branch.
use std::{
    collections::{BTreeMap, BTreeSet, HashSet},
    hash::{Hash, Hasher},
    sync::Mutex,
};

use super::node::{Alt, Node, Ty};

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
    /// Registers `item` as expected: [`table`](Self::table) lists it, with how often it was drawn.
    pub fn expect(&self, item: Item) {
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

    /// What was generated since the last call, with counts, emptied: attributing each draw to the release
    /// shape it came from ([`Sampler::last_shape`](super::sample::Sampler::last_shape)) gives coverage per
    /// release.
    pub fn take_seen(&self) -> BTreeMap<Item, u64> {
        self.seen
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default()
    }

    /// Every expected item (what building the strategies registered).
    pub fn expected(&self) -> BTreeSet<Item> {
        self.expected.lock().map(|e| e.clone()).unwrap_or_default()
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

/// Every item drawing `node` at `path` can exercise: what building its strategy with a [`Coverage`]
/// registers (`tests/it/generate.rs` holds the two equal), found by a walk instead of building proptest's
/// boxed strategies, which costs a hundred times more.
pub fn items(node: &Node, path: &str, out: &mut BTreeSet<Item>) {
    let mut w = Walk {
        path: path.to_string(),
        seen: HashSet::new(),
        out,
    };
    w.node(node);
}

/// The walk behind [`items`]. Flattened unions repeat the same subtree under many alternatives (every
/// attachment kind has the same keys), so most items are met many times: one path buffer, and an item is
/// built only the first time its hash is met.
struct Walk<'o> {
    path: String,
    seen: HashSet<u64>,
    out: &'o mut BTreeSet<Item>,
}

impl Walk<'_> {
    fn first(&mut self, kind: u8, extra: &str) -> bool {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (kind, &self.path, extra).hash(&mut h);
        self.seen.insert(h.finish())
    }

    fn node(&mut self, node: &Node) {
        for alt in &node.alts {
            if node.alts.len() > 1 && self.first(0, &alt.label) {
                self.out.insert(Item::Branch {
                    path: self.path.clone(),
                    label: alt.label.clone(),
                });
            }
            self.alt(alt);
        }
    }

    fn child(&mut self, key: &str, f: impl FnOnce(&mut Self)) {
        let len = self.path.len();
        self.path.push('/');
        self.path
            .push_str(&key.replace('~', "~0").replace('/', "~1"));
        f(self);
        self.path.truncate(len);
    }

    fn alt(&mut self, alt: &Alt) {
        if let Some(values) = &alt.values {
            for v in values {
                let value = v.to_string();
                if self.first(1, &value) {
                    self.out.insert(Item::Enum {
                        path: self.path.clone(),
                        value,
                    });
                }
            }
            return;
        }
        match &alt.ty {
            Ty::Array { items, prefix, .. } => {
                match items.as_deref() {
                    Some(n) => self.child("*", |w| w.node(n)),
                    None => self.child("*", |w| w.node(&Node::scalar())),
                }
                for (i, n) in prefix.iter().enumerate() {
                    self.child(&i.to_string(), |w| w.node(n));
                }
            }
            Ty::Object(o) => {
                for (k, n) in &o.props {
                    if n.is_never() {
                        continue;
                    }
                    let optional = !o.required.contains(k);
                    self.child(k, |w| {
                        w.node(n);
                        if optional && w.first(2, "") {
                            for present in [true, false] {
                                w.out.insert(Item::Optional {
                                    path: w.path.clone(),
                                    present,
                                });
                            }
                        }
                    });
                }
                if let Some(Some(schema)) = &o.additional {
                    if !schema.is_never() {
                        self.child("*", |w| w.node(schema));
                    }
                }
            }
            _ => {}
        }
    }
}

/// Items still wanted, for a sampler that aims at them ([`Sampler::steered`](super::Sampler::steered)):
/// at a union it takes a branch not yet seen, at an optional key the side not yet seen (or "present"
/// while something beneath is wanted), in an array at least one item while something beneath is
/// wanted, and an enum value not yet seen. Random draws reach a rare nested branch (one attachment kind
/// inside a message inside a conversation, of one release shape) once in thousands; aimed draws reach
/// every item in a few dozen.
#[derive(Debug, Default)]
pub struct Steer {
    items: BTreeSet<Item>,
    /// Every path that has a wanted item at or beneath it.
    under: BTreeSet<String>,
    /// The release shapes (indices into [`Generator::shapes`](super::Generator::shapes)) that can
    /// still exercise a wanted item; empty = not known, any shape.
    shapes: Vec<usize>,
}

impl Steer {
    /// Aims at `wanted`.
    pub fn new<'a>(wanted: impl IntoIterator<Item = &'a Item>) -> Self {
        let mut s = Steer::default();
        for item in wanted {
            let path = match item {
                Item::Enum { path, .. }
                | Item::Optional { path, .. }
                | Item::Branch { path, .. } => path,
            };
            let mut end = 0;
            while let Some(i) = path[end..].find('/').map(|i| i + end) {
                s.under.insert(path[..i].to_string());
                end = i + 1;
            }
            s.under.insert(path.clone());
            s.items.insert(item.clone());
        }
        s
    }

    /// Draws only from these release shapes (those whose [`items`] meet what is wanted).
    pub fn with_shapes(mut self, shapes: Vec<usize>) -> Self {
        self.shapes = shapes;
        self
    }

    /// The shapes to draw from (empty: any).
    pub fn shapes(&self) -> &[usize] {
        &self.shapes
    }

    /// Whether `item` is still wanted.
    pub fn wants(&self, item: &Item) -> bool {
        self.items.contains(item)
    }

    /// Whether something at or beneath `path` is still wanted.
    pub fn wants_under(&self, path: &str) -> bool {
        self.under.contains(path)
    }

    /// Nothing is wanted any more.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
