use std::collections::BTreeSet;

use hookcheck::{schema::resolve::BASE_URI, EventName, Profile};
use serde_json::Value;

use crate::util::catalog;

fn walk<'a>(v: &'a Value, path: String, out: &mut Vec<(String, &'a Value)>) {
    out.push((path.clone(), v));
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, c)| walk(c, format!("{path}/{k}"), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, c)| walk(c, format!("{path}/{i}"), out)),
        _ => {}
    }
}

#[test]
fn every_file_has_a_stable_id_title_description_and_the_2020_12_dialect() {
    for f in catalog().files() {
        let d = &f.document;
        assert_eq!(
            d["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{}",
            f.path
        );
        assert_eq!(
            f.id,
            format!("{BASE_URI}{}", f.path),
            "$id must mirror the file path: {}",
            f.path
        );
        for k in ["title", "description"] {
            assert!(
                d[k].as_str().is_some_and(|s| !s.is_empty()),
                "{} lacks {k}",
                f.path
            );
        }
    }
}

#[test]
fn every_file_is_valid_against_the_2020_12_meta_schema() {
    for f in catalog().files() {
        if let Err(e) = jsonschema::meta::validate(&f.document) {
            panic!(
                "{} is not a valid 2020-12 schema: {e} at {}",
                f.path,
                e.instance_path()
            );
        }
    }
}

#[test]
fn every_ref_is_relative_and_resolves_offline() {
    let mut docs = hookcheck::schema::resolve::Documents::default();
    for f in catalog().files() {
        docs.insert(f.id.clone(), f.document.clone());
    }
    for f in catalog().files() {
        let mut nodes = Vec::new();
        walk(&f.document, String::new(), &mut nodes);
        for (path, node) in nodes {
            if let Some(Value::String(r)) = node.get("$ref") {
                assert!(!r.contains("://"), "{}{path}: absolute $ref {r}", f.path);
                assert!(
                    docs.resolve(&f.id, r).is_some(),
                    "{}{path}: $ref {r} does not resolve",
                    f.path
                );
            }
        }
    }
}

/// The closed twin (unknown-key warnings) relies on this: an object schema either declares its keys or
/// says explicitly that it is free-form.
#[test]
fn base_object_schemas_declare_keys_or_say_they_are_free_form() {
    for f in catalog()
        .files()
        .iter()
        .filter(|f| !f.path.starts_with("chatwoot/profiles/"))
    {
        let mut nodes = Vec::new();
        walk(&f.document, String::new(), &mut nodes);
        for (path, node) in nodes {
            let is_object = match node.get("type") {
                Some(Value::String(t)) => t == "object",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
                _ => false,
            };
            if is_object && !path.contains("/if") {
                let declared = ["properties", "additionalProperties", "$ref", "allOf", "if"]
                    .iter()
                    .any(|k| node.get(*k).is_some());
                assert!(
                    declared,
                    "{}{path}: object schema with neither properties nor additionalProperties",
                    f.path
                );
            }
        }
    }
}

#[test]
fn the_event_enum_matches_the_rust_event_list_and_every_event_has_a_schema_per_profile() {
    let common = catalog()
        .file("chatwoot/_defs/common.json")
        .expect("common.json");
    let listed: Vec<&str> = common.document["$defs"]["event-name"]["enum"]
        .as_array()
        .expect("enum")
        .iter()
        .map(|v| v.as_str().expect("string"))
        .collect();
    let rust: Vec<&str> = EventName::ALL.iter().map(|e| e.as_str()).collect();
    assert_eq!(listed, rust);
    for profile in Profile::ALL {
        for e in EventName::ALL {
            let path = profile.event_path(e);
            let f = catalog()
                .file(&path)
                .unwrap_or_else(|| panic!("missing {path}"));
            let mut nodes = Vec::new();
            walk(&f.document, String::new(), &mut nodes);
            // Every event schema pins its own name, directly or through the base event it refines.
            let pins = nodes
                .iter()
                .any(|(_, n)| n.get("const").and_then(Value::as_str) == Some(e.as_str()));
            let refines = f
                .document
                .get("$ref")
                .and_then(Value::as_str)
                .is_some_and(|r| r.ends_with(&format!("events/{e}.json")));
            assert!(pins || refines, "{path} neither pins nor refines event {e}");
        }
    }
}

#[test]
fn enumerations_are_exactly_those_of_the_contract() {
    let defs = &catalog()
        .file("chatwoot/_defs/common.json")
        .expect("common")
        .document["$defs"];
    let len = |k: &str| defs[k]["enum"].as_array().map_or(0, Vec::len);
    assert_eq!(len("content-type"), 13);
    assert_eq!(len("message-type"), 4);
    assert_eq!(len("message-type-code"), 4);
    assert_eq!(len("conversation-status"), 4);
    assert_eq!(len("message-status"), 4);
    assert_eq!(len("file-type"), 13);
    // 12 in 4.15.1, and `Channel::Voice` (Enterprise 4.4.0-4.13.0).
    assert_eq!(len("channel-type"), 13);
    let sendable: BTreeSet<&str> = defs["message-type-sendable"]["enum"]
        .as_array()
        .expect("enum")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        sendable,
        BTreeSet::from(["incoming", "outgoing", "template"]),
        "activity messages are never sent"
    );
}

#[test]
fn the_entry_schemas_dispatch_on_event_like_the_event_schemas() {
    for profile in Profile::ALL {
        let entry = catalog().entry(profile).expect("entry schema compiles");
        for ex in catalog().examples() {
            let v: Value = serde_json::from_str(ex.text).expect("json");
            assert!(
                entry.is_valid(&v["body"]),
                "{profile} entry rejects {}",
                ex.path
            );
        }
        assert!(!entry.is_valid(&serde_json::json!({"event": "conversation_opened"})));
        assert!(!entry
            .is_valid(&serde_json::json!({"event": "contact_created", "id": "1", "name": "x"})));
    }
}

#[test]
fn the_release_table_in_schemas_readme_is_generated_from_the_annotations() {
    use hookcheck::schema::history;
    let table = history::markdown(&history::changes(catalog().files()));
    let readme = std::fs::read_to_string(crate::util::root().join("schemas/README.md")).unwrap();
    assert!(
        readme.contains(&table),
        "schemas/README.md's release table is stale: run `cargo run -- schemas history --write-readme schemas/README.md`"
    );
    // Every fact carries its source, and every version it names is a known release.
    for c in history::changes(catalog().files()) {
        assert!(
            c.source.is_some(),
            "{}#{} ({}) has no x-source",
            c.file,
            c.pointer,
            c.what
        );
        for v in [&c.since, &c.until].into_iter().flatten() {
            assert!(
                hookcheck::release::Release::parse(v).is_ok(),
                "{}#{}: {v} is not a known release",
                c.file,
                c.pointer
            );
        }
    }
}
