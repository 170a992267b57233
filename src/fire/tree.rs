//! Walking a payload together with the flattened schema ([`Node`]) that describes it, and editing it by
//! JSON Pointer: what coverage, hostile bodies and shrinking share.
use serde_json::Value;

pub(crate) use crate::generate::node::{alt_of, walk};
use crate::generate::node::{Node, Ty};

/// The node describing the value at `pointer` in `v` (whose schema is `root`), if the schema describes it.
pub(crate) fn node_at<'n>(root: &'n Node, v: &Value, pointer: &str) -> Option<&'n Node> {
    let mut found = None;
    walk(root, v, "", &mut |p, n, _, _| {
        if p == pointer {
            found = Some(n);
        }
    });
    found
}

/// `v` with every key the schema does not require removed, recursively: the smallest payload of the same
/// shape. May break cross-field rules or `oneOf` exclusivity; callers validate.
pub(crate) fn skeleton(node: &Node, v: &Value) -> Value {
    let Some(alt) = alt_of(node, v) else {
        return v.clone();
    };
    match (&alt.ty, v) {
        (Ty::Object(o), Value::Object(m)) => Value::Object(
            m.iter()
                .filter(|(k, _)| o.required.contains(*k))
                .map(|(k, x)| {
                    let x = match o.prop(k) {
                        Some(n) => skeleton(n, x),
                        None => x.clone(),
                    };
                    (k.clone(), x)
                })
                .collect(),
        ),
        (Ty::Array { items, prefix, .. }, Value::Array(a)) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(i, x)| match prefix.get(i).or(items.as_deref()) {
                    Some(n) => skeleton(n, x),
                    None => x.clone(),
                })
                .collect(),
        ),
        _ => v.clone(),
    }
}

/// One change to a payload, by JSON Pointer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Edit {
    /// Remove the key or array item at the pointer.
    Remove(String),
    /// Replace the value at the pointer.
    Set(String, Value),
}

impl Edit {
    /// Applies it; false when the pointer no longer exists.
    pub(crate) fn apply(&self, v: &mut Value) -> bool {
        match self {
            Edit::Set(p, x) => match v.pointer_mut(p) {
                Some(slot) => {
                    *slot = x.clone();
                    true
                }
                None => false,
            },
            Edit::Remove(p) => {
                let Some((parent, last)) = p.rsplit_once('/') else {
                    return false;
                };
                let key = last.replace("~1", "/").replace("~0", "~");
                match v.pointer_mut(parent) {
                    Some(Value::Object(m)) => m.shift_remove(&key).is_some(),
                    Some(Value::Array(a)) => match key.parse::<usize>() {
                        Ok(i) if i < a.len() => {
                            a.remove(i);
                            true
                        }
                        _ => false,
                    },
                    _ => false,
                }
            }
        }
    }
}

/// Applies every edit to a copy of `v`.
pub(crate) fn applied(v: &Value, edits: &[Edit]) -> Value {
    let mut out = v.clone();
    for e in edits {
        e.apply(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn edits_follow_rfc6901_pointers() {
        let mut v = json!({"a/b": {"~k": [1, 2, 3]}, "n": null});
        assert!(Edit::Remove("/a~1b/~0k/1".into()).apply(&mut v));
        assert_eq!(v, json!({"a/b": {"~k": [1, 3]}, "n": null}));
        assert!(Edit::Set("/n".into(), json!("x")).apply(&mut v));
        assert!(Edit::Remove("/a~1b".into()).apply(&mut v));
        assert_eq!(v, json!({"n": "x"}));
        assert!(!Edit::Remove("/missing".into()).apply(&mut v));
        assert!(!Edit::Remove(String::new()).apply(&mut v));
        assert!(!Edit::Set("/a/b".into(), json!(1)).apply(&mut v));
    }
}
