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

/// A Python interpreter that can `import` the given modules: `$HOOKCHECK_PYTHON` if it can (`bash .ci/run` sets
/// it to `.ci/.venv`), else a virtual environment under `target/<venv>` made from PyPI. Panics with what to do
/// if neither works: a portability check that cannot run must fail, never pass silently.
pub fn python_with(venv: &str, imports: &str, packages: &[&str]) -> PathBuf {
    use std::process::Command;
    let ready = |py: &Path| {
        Command::new(py)
            .args(["-c", &format!("import {imports}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if let Some(p) = std::env::var_os("HOOKCHECK_PYTHON").map(PathBuf::from) {
        if ready(&p) {
            return p;
        }
    }
    let dir = root().join("target").join(venv);
    let py = dir.join("bin/python");
    if ready(&py) {
        return py;
    }
    let made = Command::new("python3")
        .arg("-m")
        .arg("venv")
        .arg(&dir)
        .status()
        .is_ok_and(|s| s.success())
        && Command::new(&py)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(packages)
            .status()
            .is_ok_and(|s| s.success());
    assert!(
        made && ready(&py),
        "this test needs Python 3 with {packages:?}: set HOOKCHECK_PYTHON to such an interpreter (bash .ci/run \
         prepares .ci/.venv), or let the test create target/{venv} (needs python3 -m venv and PyPI)"
    );
    py
}

/// Adds an unknown key to every object of `v` in turn (one payload per object).
pub fn with_unknown_keys(v: &Value) -> Vec<Value> {
    fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                out.push(at.clone());
                for (k, x) in m {
                    pointers(
                        x,
                        format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                        out,
                    );
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    pointers(x, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut at = Vec::new();
    pointers(v, String::new(), &mut at);
    at.into_iter()
        .filter_map(|p| {
            let mut copy = v.clone();
            copy.pointer_mut(&p)?
                .as_object_mut()?
                .insert("acount_id".into(), Value::from(1));
            Some(copy)
        })
        .collect()
}

/// Every negative case of `tests/fixtures/negative/cases.json` as `(name, event, body)`: the base example
/// with the case's operations applied, under the event its base names.
pub fn negative_payloads() -> Vec<(String, hookcheck::EventName, Value)> {
    let cases: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(fixture("negative/cases.json")).expect("negative cases"),
    )
    .expect("negative cases are JSON");
    cases
        .iter()
        .map(|case| {
            let base = case["base"].as_str().expect("base");
            let mut v = example_body(base);
            apply(&mut v, case["ops"].as_array().expect("ops"));
            let event = example_body(base)["event"]
                .as_str()
                .and_then(|e| e.parse().ok())
                .expect("the base example names its event");
            (case["name"].as_str().unwrap_or("?").to_string(), event, v)
        })
        .collect()
}

/// Every embedded contract example whose body names a known event, as `(path, event, body)`.
pub fn example_payloads() -> Vec<(&'static str, hookcheck::EventName, Value)> {
    catalog()
        .examples()
        .into_iter()
        .filter_map(|ex| {
            let body = serde_json::from_str::<Value>(ex.text).expect("example")["body"].clone();
            let event = body["event"].as_str()?.parse().ok()?;
            Some((ex.path, event, body))
        })
        .collect()
}
