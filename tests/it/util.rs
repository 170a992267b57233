use std::path::{Path, PathBuf};

use hookcheck::{Catalog, Options, Profile, Report};
use serde_json::Value;

pub fn catalog() -> &'static Catalog {
    Catalog::shared().expect("embedded schemas compile")
}

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

/// insta settings that keep every snapshot in the top-level `snapshots/` directory.
pub fn snapshot_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(root().join("snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s
}

pub fn check(value: &Value, profile: Profile) -> Report {
    catalog().validate_value(
        value,
        &Options {
            profile,
            ..Options::default()
        },
    )
}

/// The `body` of an embedded contract example.
pub fn example_body(name: &str) -> Value {
    let ex = catalog()
        .examples()
        .into_iter()
        .find(|e| e.path.ends_with(name))
        .unwrap_or_else(|| panic!("no embedded example {name}"));
    let v: Value = serde_json::from_str(ex.text).expect("example is JSON");
    v["body"].clone()
}

/// Applies RFC 6902-style `remove` / `replace` / `add` operations.
pub fn apply(doc: &mut Value, ops: &[Value]) {
    for op in ops {
        let kind = op["op"].as_str().expect("op");
        let path = op["path"].as_str().expect("path");
        let (parent_ptr, last) = path.rsplit_once('/').expect("pointer with a parent");
        let last = last.replace("~1", "/").replace("~0", "~");
        let parent = doc
            .pointer_mut(parent_ptr)
            .unwrap_or_else(|| panic!("no parent for {path}"));
        match (kind, parent) {
            ("remove", Value::Object(m)) => {
                m.shift_remove(&last)
                    .unwrap_or_else(|| panic!("nothing to remove at {path}"));
            }
            ("remove", Value::Array(a)) => {
                a.remove(last.parse().expect("index"));
            }
            ("replace" | "add", Value::Object(m)) => {
                m.insert(last, op["value"].clone());
            }
            ("replace", Value::Array(a)) => {
                let i: usize = last.parse().expect("index");
                a[i] = op["value"].clone();
            }
            ("add", Value::Array(a)) => {
                if last == "-" {
                    a.push(op["value"].clone())
                } else {
                    a.insert(last.parse().expect("index"), op["value"].clone())
                }
            }
            (k, p) => panic!("cannot {k} at {path} in {p}"),
        }
    }
}
