//! The closed twin of the schema set, which turns "unknown key" into something a validator can see.
//!
//! The schemas allow unknown keys (forks and enterprise editions add fields), but hookcheck reports them as
//! warnings so that a typo such as `acount_id` is still seen. Rather than a second, hand-written walker that
//! could disagree with the schemas, hookcheck derives a *closed twin* of every schema file at load time: the
//! same document, under [`CLOSED_URI`], with `unevaluatedProperties: false` added at every place where a new
//! instance location starts (`properties/*`, `additionalProperties`, `items`, ...). A clean payload then costs
//! one validation pass against the twin; `unevaluatedProperties` failures become `unknown-key` warnings.
//!
//! Free-form objects opt out by saying `"additionalProperties": true` explicitly (see `schemas/README.md`).
//! Overlays under `profiles/` only add constraints to places the base schemas already declare, so they are
//! copied into the twin unchanged.
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value};

use super::resolve::{join, pointer, Documents, BASE_URI};

/// Base URI of the closed twin of `schemas/`.
pub const CLOSED_URI: &str = "https://hookcheck.dev/closed/";

/// For each injected `unevaluatedProperties` (keyed by `<closed uri>#<pointer of its schema object>`), the
/// keys that any branch of that schema declares. When a payload has errors inside an object, failed branches
/// drop their annotations, so only keys that no branch declares are reported there.
pub type DeclaredKeys = HashMap<String, BTreeSet<String>>;

/// One condition on the way to a branch: the `if` subschema at this URI (`<schemas/ uri>#<pointer>`) holds
/// (`then`) or does not (`else`) for the object.
pub type Condition = (String, bool);

/// Per injection point (keyed as [`DeclaredKeys`]), per declared key, the ways a branch declares it: each
/// the conditions it takes to reach that branch (none: the key is declared whatever the object). In an
/// object with errors, a key that only a branch *not* taken declares (say `email` of the `type: "user"`
/// branch of an actor that is a contact) is still unknown there.
pub type DeclaredWhen = HashMap<String, BTreeMap<String, Vec<Vec<Condition>>>>;

/// Maps a `schemas/` URI to its closed-twin URI.
pub fn closed_uri(uri: &str) -> String {
    match uri.strip_prefix(BASE_URI) {
        Some(rest) => format!("{CLOSED_URI}{rest}"),
        None => uri.to_string(),
    }
}

/// Maps a closed-twin URI back to the `schemas/` URI it came from.
pub fn open_uri(uri: &str) -> String {
    match uri.strip_prefix(CLOSED_URI) {
        Some(rest) => format!("{BASE_URI}{rest}"),
        None => uri.to_string(),
    }
}

/// The URI of the document that closes the top level of one event's schema under one profile.
pub fn root_uri(profile: &str, event: &str) -> String {
    format!("{CLOSED_URI}root/{profile}/{event}.json")
}

/// Every resource the validators resolve, and the declared keys of every injection point.
pub struct TwinSet {
    /// `(uri, document)`: each schema file, its closed twin, and one root per `(profile, event)`.
    pub resources: Vec<(String, Value)>,
    /// See [`DeclaredKeys`].
    pub declared: DeclaredKeys,
    /// See [`DeclaredWhen`].
    pub declared_when: DeclaredWhen,
}

/// Builds the [`TwinSet`] of `docs`. `files` are `(path below schemas/, $id)`; `roots` are
/// `(root uri, event schema uri)` (see [`root_uri`]).
///
/// `build.rs` runs this same function to generate the compile-time verdict validators and
/// [`crate::Catalog`] runs it for the run-time validators, so the two always see the same documents.
pub fn twin_set(files: &[(&str, &str)], docs: &Documents, roots: &[(String, String)]) -> TwinSet {
    let mut declared = DeclaredKeys::new();
    let mut resources = Vec::with_capacity(files.len() * 2 + roots.len());
    for (path, id) in files {
        let Some(doc) = docs.get(id) else { continue };
        // Overlays only constrain places the base schemas declare (see the module docs).
        let inject = !path.starts_with("chatwoot/profiles/");
        resources.push((id.to_string(), doc.clone()));
        resources.push((
            closed_uri(id),
            close_document(id, doc, docs, inject, &mut declared),
        ));
    }
    for (root_id, target) in roots {
        let mut reference = Map::new();
        reference.insert("$ref".into(), Value::String(target.clone()));
        let keys = declared_keys(docs, target, &Value::Object(reference), &mut HashSet::new());
        declared.insert(format!("{root_id}#"), keys);
        let mut root = Map::new();
        root.insert(
            "$schema".into(),
            Value::String("https://json-schema.org/draft/2020-12/schema".into()),
        );
        root.insert("$id".into(), Value::String(root_id.clone()));
        root.insert("$ref".into(), Value::String(closed_uri(target)));
        root.insert("unevaluatedProperties".into(), Value::Bool(false));
        resources.push((root_id.clone(), Value::Object(root)));
    }
    let mut declared_when = DeclaredWhen::new();
    for location in declared.keys() {
        let Some((uri, ptr)) = location.split_once('#') else {
            continue;
        };
        let mut ways = BTreeMap::new();
        match roots.iter().find(|(root_id, _)| root_id == uri) {
            Some((_, target)) => {
                let reference = serde_json::json!({ "$ref": target });
                declared_ways(
                    docs,
                    target,
                    "",
                    &reference,
                    &mut Vec::new(),
                    &mut Vec::new(),
                    &mut ways,
                );
            }
            None => {
                let id = open_uri(uri);
                let Some(schema) = docs.get(&id).and_then(|d| pointer(d, ptr)) else {
                    continue;
                };
                declared_ways(
                    docs,
                    &id,
                    ptr,
                    schema,
                    &mut Vec::new(),
                    &mut Vec::new(),
                    &mut ways,
                );
            }
        }
        declared_when.insert(location.clone(), ways);
    }
    TwinSet {
        resources,
        declared,
        declared_when,
    }
}

/// [`declared_keys`], with the `if` outcomes each key takes (see [`DeclaredWhen`]). `ptr` is the pointer of
/// `schema` in document `doc_id`; `stack` the `$ref`s being followed (a key reached under two sets of
/// conditions keeps both).
fn declared_ways(
    docs: &Documents,
    doc_id: &str,
    ptr: &str,
    schema: &Value,
    conditions: &mut Vec<Condition>,
    stack: &mut Vec<String>,
    ways: &mut BTreeMap<String, Vec<Vec<Condition>>>,
) {
    let Some(obj) = schema.as_object() else {
        return;
    };
    if let Some(Value::Object(props)) = obj.get("properties") {
        for (k, sub) in props {
            if *sub != Value::Bool(false) {
                ways.entry(k.clone()).or_default().push(conditions.clone());
            }
        }
    }
    for kw in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = obj.get(kw) {
            for (i, sub) in items.iter().enumerate() {
                let p = format!("{ptr}/{kw}/{i}");
                declared_ways(docs, doc_id, &p, sub, conditions, stack, ways);
            }
        }
    }
    if let Some(sub) = obj.get("if") {
        declared_ways(
            docs,
            doc_id,
            &format!("{ptr}/if"),
            sub,
            conditions,
            stack,
            ways,
        );
    }
    for (kw, holds) in [("then", true), ("else", false)] {
        if let Some(sub) = obj.get(kw) {
            let guarded = obj.contains_key("if");
            if guarded {
                conditions.push((format!("{doc_id}#{ptr}/if"), holds));
            }
            declared_ways(
                docs,
                doc_id,
                &format!("{ptr}/{kw}"),
                sub,
                conditions,
                stack,
                ways,
            );
            if guarded {
                conditions.pop();
            }
        }
    }
    if let Some(Value::String(reference)) = obj.get("$ref") {
        let (target_id, fragment) = join(doc_id, reference);
        let key = format!("{target_id}#{fragment}");
        if !stack.contains(&key) {
            if let Some(target) = docs.get(&target_id).and_then(|d| pointer(d, &fragment)) {
                stack.push(key);
                declared_ways(docs, &target_id, &fragment, target, conditions, stack, ways);
                stack.pop();
            }
        }
    }
}

/// Builds the closed twin of document `id`, recording declared keys per injection point.
pub fn close_document(
    id: &str,
    doc: &Value,
    docs: &Documents,
    inject: bool,
    declared: &mut DeclaredKeys,
) -> Value {
    let mut twin = doc.clone();
    if let Some(obj) = twin.as_object_mut() {
        obj.insert("$id".into(), Value::String(closed_uri(id)));
    }
    if inject {
        walk(&mut twin, id, String::new(), false, false, docs, declared);
    }
    twin
}

fn could_be_object_with_keys(obj: &Map<String, Value>) -> bool {
    if obj.contains_key("unevaluatedProperties") || obj.contains_key("additionalProperties") {
        return false;
    }
    let structural = ["properties", "$ref", "allOf", "anyOf", "oneOf", "if"]
        .iter()
        .any(|k| obj.contains_key(*k));
    let object_type = match obj.get("type") {
        None => true,
        Some(Value::String(t)) => t == "object",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
        Some(_) => false,
    };
    structural && object_type
}

/// `in_branch`: below an in-place applicator (`allOf`, `then`, ...) of this document. Such branches refine a
/// location that the surrounding schema already closes, so closing them again would reject the keys that
/// only the surrounding schema declares.
fn walk(
    node: &mut Value,
    doc_id: &str,
    ptr: String,
    position: bool,
    in_branch: bool,
    docs: &Documents,
    declared: &mut DeclaredKeys,
) {
    let Some(obj) = node.as_object_mut() else {
        return;
    };
    if position && !in_branch && could_be_object_with_keys(obj) {
        let source = Value::Object(obj.clone());
        let keys = declared_keys(docs, doc_id, &source, &mut HashSet::new());
        declared.insert(format!("{}#{ptr}", closed_uri(doc_id)), keys);
        obj.insert("unevaluatedProperties".into(), Value::Bool(false));
    }
    for (kw, child) in obj.iter_mut() {
        let base = format!("{ptr}/{}", kw.replace('~', "~0").replace('/', "~1"));
        match kw.as_str() {
            "properties" | "patternProperties" | "$defs" | "dependentSchemas" => {
                let is_position = kw != "$defs" && kw != "dependentSchemas";
                if let Some(map) = child.as_object_mut() {
                    for (k, sub) in map.iter_mut() {
                        let p = format!("{base}/{}", k.replace('~', "~0").replace('/', "~1"));
                        walk(sub, doc_id, p, is_position, in_branch, docs, declared);
                    }
                }
            }
            "additionalProperties" | "items" | "contains" | "unevaluatedItems" => {
                walk(child, doc_id, base, true, in_branch, docs, declared)
            }
            "prefixItems" => {
                if let Some(items) = child.as_array_mut() {
                    for (i, sub) in items.iter_mut().enumerate() {
                        walk(
                            sub,
                            doc_id,
                            format!("{base}/{i}"),
                            true,
                            in_branch,
                            docs,
                            declared,
                        );
                    }
                }
            }
            "allOf" | "anyOf" | "oneOf" => {
                if let Some(items) = child.as_array_mut() {
                    for (i, sub) in items.iter_mut().enumerate() {
                        walk(
                            sub,
                            doc_id,
                            format!("{base}/{i}"),
                            false,
                            true,
                            docs,
                            declared,
                        );
                    }
                }
            }
            "if" | "then" | "else" | "not" => {
                walk(child, doc_id, base, false, true, docs, declared)
            }
            _ => {}
        }
    }
}

/// Every property name the schema can declare at its own instance location, through `$ref`s and all
/// branches of in-place applicators. A property whose schema is `false` forbids the key rather than
/// declaring it (where that branch applies, the open schema already reports the key), so it does not count:
/// otherwise a key a release dropped (contact `type` from 2.14.0, forbidden by the chimera rule's `then`)
/// would be hidden whenever its object also has errors.
pub fn declared_keys(
    docs: &Documents,
    doc_id: &str,
    schema: &Value,
    seen: &mut HashSet<String>,
) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let Some(obj) = schema.as_object() else {
        return keys;
    };
    if let Some(Value::Object(props)) = obj.get("properties") {
        keys.extend(
            props
                .iter()
                .filter(|(_, schema)| **schema != Value::Bool(false))
                .map(|(k, _)| k.clone()),
        );
    }
    for kw in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = obj.get(kw) {
            for sub in items {
                keys.extend(declared_keys(docs, doc_id, sub, seen));
            }
        }
    }
    for kw in ["if", "then", "else"] {
        if let Some(sub) = obj.get(kw) {
            keys.extend(declared_keys(docs, doc_id, sub, seen));
        }
    }
    if let Some(Value::String(reference)) = obj.get("$ref") {
        let key = format!("{doc_id} {reference}");
        if seen.insert(key) {
            if let Some((target_id, target)) = docs.resolve(doc_id, reference) {
                keys.extend(declared_keys(docs, &target_id, target, seen));
            }
        }
    }
    keys
}
