//! Derives the exact contract of one Chatwoot release from the annotated schemas.
//!
//! The files under `schemas/chatwoot/` describe every release at once (see `schemas/README.md`, "Release
//! annotations"): a plain validator reading them sees the union of all releases, and the annotations say
//! which release sent what. Deriving release `R` keeps what `R` sent:
//!
//! * a property whose `x-since`/`x-until` range excludes `R` is dropped (a payload carrying it then has an
//!   unknown key there);
//! * an `anyOf`/`oneOf` branch whose range excludes `R` is dropped;
//! * `enum` values listed in `x-enum-releases` with a range excluding `R` are dropped;
//! * every `x-required` key whose property survived joins `required`;
//! * every `x-` keyword is removed, so the result is plain JSON Schema.
//!
//! `build.rs` runs this same code (it depends on `serde_json` only) to compile the current release's
//! verdict into the binary, so the compile-time and run-time contracts of a release cannot differ.
use serde_json::{Map, Value};

/// A release version, `X.Y.Z`, as three numbers (compared numerically: 2.10.0 > 2.9.1).
pub type Version = (u16, u16, u16);

/// Parses `X.Y.Z`.
pub fn parse_version(s: &str) -> Option<Version> {
    let mut parts = s.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Some((major, minor, patch))
}

/// The keywords that carry a release range on a subschema.
pub const SINCE: &str = "x-since";
/// See [`SINCE`].
pub const UNTIL: &str = "x-until";
/// Per-value ranges beside an `enum`.
pub const ENUM_RELEASES: &str = "x-enum-releases";
/// Keys required wherever their property exists.
pub const X_REQUIRED: &str = "x-required";

/// Whether the range written on `schema` (its `x-since`/`x-until`) holds `release`. A schema without a
/// range holds every release; an unreadable bound holds none (the schema tests reject such files first).
pub fn in_range(schema: &Value, release: Version) -> bool {
    let Some(obj) = schema.as_object() else {
        return true;
    };
    let bound = |key: &str| obj.get(key).map(|v| v.as_str().and_then(parse_version));
    match bound(SINCE) {
        Some(Some(since)) if release < since => return false,
        Some(None) => return false,
        _ => {}
    }
    match bound(UNTIL) {
        Some(Some(until)) if release > until => return false,
        Some(None) => return false,
        _ => {}
    }
    true
}

/// Keywords whose value is one subschema.
const ONE: &[&str] = &[
    "additionalProperties",
    "unevaluatedProperties",
    "items",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
    "unevaluatedItems",
];
/// Keywords whose value is a map of subschemas.
const MAP: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "dependentSchemas",
];
/// Keywords whose value is a list of subschemas.
const LIST: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// The document as release `release` sent it: plain JSON Schema, no `x-` keywords left.
///
/// ```
/// use hookcheck::schema::derive::{derive, parse_version};
/// let doc = serde_json::json!({
///     "properties": {"a": {}, "b": {"x-since": "2.12.1"}},
///     "required": ["a"], "x-required": ["b"]
/// });
/// let old = derive(&doc, parse_version("2.12.0").unwrap());
/// assert_eq!(old, serde_json::json!({"properties": {"a": {}}, "required": ["a"]}));
/// let new = derive(&doc, parse_version("2.12.1").unwrap());
/// assert_eq!(new["required"], serde_json::json!(["a", "b"]));
/// ```
pub fn derive(schema: &Value, release: Version) -> Value {
    let Some(obj) = schema.as_object() else {
        return schema.clone();
    };
    let mut out = Map::with_capacity(obj.len());
    for (key, value) in obj {
        if key.starts_with("x-") {
            continue;
        }
        let derived = if ONE.contains(&key.as_str()) {
            derive(value, release)
        } else if MAP.contains(&key.as_str()) {
            match value.as_object() {
                Some(map) => {
                    let keep_all = key != "properties";
                    Value::Object(
                        map.iter()
                            .filter(|(_, s)| keep_all || in_range(s, release))
                            .map(|(k, s)| (k.clone(), derive(s, release)))
                            .collect(),
                    )
                }
                None => value.clone(),
            }
        } else if LIST.contains(&key.as_str()) {
            match value.as_array() {
                Some(items) => {
                    let ranged = key == "anyOf" || key == "oneOf";
                    Value::Array(
                        items
                            .iter()
                            .filter(|s| !ranged || in_range(s, release))
                            .map(|s| derive(s, release))
                            .collect(),
                    )
                }
                None => value.clone(),
            }
        } else if key == "enum" {
            filter_enum(value, obj.get(ENUM_RELEASES), release)
        } else {
            value.clone()
        };
        out.insert(key.clone(), derived);
    }
    if let Some(extra) = obj.get(X_REQUIRED).and_then(Value::as_array) {
        let present: Vec<Value> = extra
            .iter()
            .filter(|k| {
                k.as_str()
                    .is_some_and(|k| out.get("properties").and_then(|p| p.get(k)).is_some())
            })
            .cloned()
            .collect();
        if !present.is_empty() {
            let required = out
                .entry("required")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Some(list) = required.as_array_mut() {
                for k in present {
                    if !list.contains(&k) {
                        list.push(k);
                    }
                }
            }
        }
    }
    Value::Object(out)
}

/// `enum` without the values whose `x-enum-releases` range excludes `release`.
fn filter_enum(values: &Value, ranges: Option<&Value>, release: Version) -> Value {
    let (Some(values), Some(ranges)) = (values.as_array(), ranges.and_then(Value::as_array)) else {
        return values.clone();
    };
    Value::Array(
        values
            .iter()
            .filter(|v| {
                ranges
                    .iter()
                    .filter(|r| r.get("value") == Some(*v))
                    .all(|r| in_range(r, release))
            })
            .cloned()
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v(s: &str) -> Version {
        parse_version(s).unwrap()
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(v("2.10.0") > v("2.9.1"));
        assert!(v("4.15.1") > v("4.15.0"));
        assert_eq!(parse_version("2.0"), None);
        assert_eq!(parse_version("2.0.0.1"), None);
        assert_eq!(parse_version("v2.0.0"), None);
    }

    #[test]
    fn ranges_are_inclusive_and_unreadable_bounds_hold_nothing() {
        let s = json!({"x-since": "2.12.1", "x-until": "2.16.0"});
        assert!(!in_range(&s, v("2.12.0")));
        assert!(in_range(&s, v("2.12.1")));
        assert!(in_range(&s, v("2.16.0")));
        assert!(!in_range(&s, v("2.17.0")));
        assert!(!in_range(&json!({"x-since": "soon"}), v("4.0.0")));
        assert!(in_range(&json!({}), v("2.0.0")));
    }

    #[test]
    fn branches_values_and_nested_keywords_are_derived() {
        let doc = json!({
            "$defs": {"n": {"anyOf": [{"maximum": 10}, {"x-until": "2.18.0"}]}},
            "properties": {
                "c": {"enum": ["a", "b", "c"], "x-enum-releases": [{"value": "c", "x-since": "3.4.0"}, {"value": "a", "x-until": "2.0.2"}]},
                "o": {"type": "object", "properties": {"t": {"const": "contact", "x-until": "2.13.1"}}, "x-required": ["t"]}
            },
            "x-source": "test"
        });
        let old = derive(&doc, v("2.0.0"));
        assert_eq!(old["$defs"]["n"]["anyOf"].as_array().unwrap().len(), 2);
        assert_eq!(old["properties"]["c"]["enum"], json!(["a", "b"]));
        assert_eq!(old["properties"]["o"]["required"], json!(["t"]));
        assert!(old.get("x-source").is_none());
        let new = derive(&doc, v("4.15.1"));
        assert_eq!(new["$defs"]["n"]["anyOf"], json!([{"maximum": 10}]));
        assert_eq!(new["properties"]["c"]["enum"], json!(["b", "c"]));
        assert_eq!(
            new["properties"]["o"],
            json!({"type": "object", "properties": {}})
        );
    }
}
