//! Resolving `$ref`s between the embedded schema files, without a network or a file system.
use std::collections::BTreeMap;

use serde_json::Value;

/// The base URI every `$id` in `schemas/` starts with.
pub const BASE_URI: &str = "https://hookcheck.dev/schemas/";

/// Resolves `reference` against the URI `base` (both without fragments in `base`): returns the target
/// document URI and the fragment (JSON Pointer, possibly empty).
pub fn join(base: &str, reference: &str) -> (String, String) {
    let (path, fragment) = match reference.split_once('#') {
        Some((p, f)) => (p, f.to_string()),
        None => (reference, String::new()),
    };
    if path.is_empty() {
        return (base.to_string(), fragment);
    }
    if path.contains("://") {
        return (path.to_string(), fragment);
    }
    let dir = match base.rfind('/') {
        Some(i) => &base[..=i],
        None => "",
    };
    let (scheme_host, dir_path) = match dir
        .find("://")
        .and_then(|i| dir[i + 3..].find('/').map(|j| i + 3 + j))
    {
        Some(k) => (&dir[..k], &dir[k..]),
        None => ("", dir),
    };
    let mut segments: Vec<&str> = dir_path.split('/').filter(|s| !s.is_empty()).collect();
    for seg in path.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    (format!("{scheme_host}/{}", segments.join("/")), fragment)
}

/// Follows a JSON Pointer fragment inside a document.
pub fn pointer<'a>(doc: &'a Value, fragment: &str) -> Option<&'a Value> {
    if fragment.is_empty() {
        Some(doc)
    } else {
        doc.pointer(fragment)
    }
}

/// The set of documents by `$id`, for static walks over the schemas (closure injection, generators).
#[derive(Debug, Default, Clone)]
pub struct Documents {
    by_id: BTreeMap<String, Value>,
}

impl Documents {
    /// Adds a document under its `$id`.
    pub fn insert(&mut self, id: String, doc: Value) {
        self.by_id.insert(id, doc);
    }

    /// The document with this `$id`.
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.by_id.get(id)
    }

    /// Resolves `$ref` found in document `base_id`: the target's document id and the subschema.
    pub fn resolve(&self, base_id: &str, reference: &str) -> Option<(String, &Value)> {
        let (doc_id, fragment) = join(base_id, reference);
        let doc = self.by_id.get(&doc_id)?;
        pointer(doc, &fragment).map(|v| (doc_id, v))
    }

    /// Every `(id, document)`.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.by_id.iter()
    }

    /// Every subschema reachable from document `id` through `$ref`s (`"<doc>#<pointer>"` and the subschema),
    /// sorted by location. A `$ref` to a `$defs` entry reaches that entry only, not its whole document.
    pub fn reachable_subschemas(&self, id: &str) -> BTreeMap<String, &Value> {
        let mut seen: BTreeMap<String, &Value> = BTreeMap::new();
        let mut todo = vec![(id.to_string(), String::new())];
        while let Some((doc_id, fragment)) = todo.pop() {
            let key = format!("{doc_id}#{fragment}");
            if seen.contains_key(&key) {
                continue;
            }
            let Some(schema) = self.by_id.get(&doc_id).and_then(|d| pointer(d, &fragment)) else {
                continue;
            };
            seen.insert(key, schema);
            let mut refs = Vec::new();
            collect_refs(schema, &mut refs);
            todo.extend(refs.iter().map(|r| join(&doc_id, r)));
        }
        seen
    }

    /// The ids of `id` and of every document its `$ref`s reach, sorted.
    pub fn reachable(&self, id: &str) -> std::collections::BTreeSet<String> {
        let mut seen = std::collections::BTreeSet::new();
        let mut todo = vec![id.to_string()];
        while let Some(id) = todo.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            if let Some(doc) = self.by_id.get(&id) {
                let mut refs = Vec::new();
                collect_refs(doc, &mut refs);
                todo.extend(
                    refs.iter()
                        .map(|r| join(&id, r).0)
                        .filter(|t| !seen.contains(t)),
                );
            }
        }
        seen
    }
}

/// Every `$ref` below `v`, skipping the keywords that hold data (`const`, `enum`, ...).
fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "$ref" {
                    if let Some(s) = x.as_str() {
                        out.push(s.to_string());
                    }
                } else if !matches!(k.as_str(), "const" | "enum" | "examples" | "default") {
                    collect_refs(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_relative_references() {
        let base = "https://hookcheck.dev/schemas/chatwoot/events/message_created.json";
        assert_eq!(
            join(base, "../_defs/common.json#/$defs/id"),
            (
                "https://hookcheck.dev/schemas/chatwoot/_defs/common.json".into(),
                "/$defs/id".into()
            )
        );
        assert_eq!(join(base, "#/$defs/x"), (base.into(), "/$defs/x".into()));
        assert_eq!(
            join(base, "x.json"),
            (
                "https://hookcheck.dev/schemas/chatwoot/events/x.json".into(),
                String::new()
            )
        );
        assert_eq!(
            join(
                "https://hookcheck.dev/schemas/chatwoot/profiles/v4.15/events/a.json",
                "../../../events/a.json"
            )
            .0,
            "https://hookcheck.dev/schemas/chatwoot/events/a.json"
        );
    }
}
