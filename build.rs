//! Embeds `schemas/` and `examples/` into the binary so that hookcheck never reads schema files at run time
//! (one source of truth, no drift between the files and what the binary checks), and generates the
//! compile-time verdict validators: one `jsonschema::validator` per `(profile, event)` over the closed twin
//! of `schemas/`, derived by the same `src/schema/closure.rs` the run-time Catalog uses.
use std::{env, fs, path::Path};

#[path = "src/schema/resolve.rs"]
#[allow(dead_code)]
mod resolve;

#[path = "src/schema/closure.rs"]
#[allow(dead_code)]
mod closure;

#[path = "src/schema/derive.rs"]
#[allow(dead_code)]
mod derive;

/// Not a schema: the release table (`src/release.rs` embeds it through `releases.rs`).
const RELEASES_FILE: &str = "chatwoot/releases.json";

use serde_json::Value;

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect(root, &p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            let rel = p.strip_prefix(root).expect("walked below root");
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn files(dir: &str) -> (std::path::PathBuf, Vec<String>) {
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).join(dir);
    println!("cargo:rerun-if-changed={dir}");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    (root, files)
}

fn table(name: &str, dir: &str, out: &mut String) {
    let (root, mut files) = files(dir);
    files.retain(|f| f != RELEASES_FILE);
    out.push_str(&format!("pub static {name}: &[(&str, &str)] = &[\n"));
    for f in &files {
        let abs = root.join(f);
        out.push_str(&format!(
            "    ({f:?}, include_str!({:?})),\n",
            abs.to_string_lossy()
        ));
    }
    out.push_str("];\n");
}

/// The `(event, event schema path)` pairs: one file per event in `chatwoot/events/` (as
/// `Profile::event_path` says; `Catalog::load` checks the generated table against the event list).
fn events(files: &[String]) -> Vec<(String, String)> {
    files
        .iter()
        .filter(|f| f.starts_with("chatwoot/events/"))
        .map(|f| {
            let stem = Path::new(f)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            (stem, f.clone())
        })
        .collect()
}

/// Keywords that constrain only one kind of instance (JSON Schema 2020-12, validation and applicator
/// vocabularies). `format` is listed with the strings: every format hookcheck uses applies to strings.
const KIND_KEYWORDS: &[(&str, &[&str])] = &[
    ("string", &["minLength", "maxLength", "pattern", "format"]),
    (
        "number",
        &[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
        ],
    ),
    (
        "array",
        &[
            "items",
            "prefixItems",
            "minItems",
            "maxItems",
            "uniqueItems",
            "contains",
            "minContains",
            "maxContains",
            "unevaluatedItems",
        ],
    ),
    (
        "object",
        &[
            "properties",
            "required",
            "additionalProperties",
            "patternProperties",
            "minProperties",
            "maxProperties",
            "propertyNames",
            "dependentRequired",
            "dependentSchemas",
            "unevaluatedProperties",
        ],
    ),
];

/// Removes, from every schema object with a `type`, the keywords that only apply to kinds of instance
/// that `type` excludes. Such a keyword can never change a verdict (an instance of that kind already fails
/// `type`), so the documents stay equivalent; it works around `jsonschema-macros` 0.60.2, whose generated
/// `is_valid` lets a string through `{"type": "integer", "format": "unix-seconds"}` (the custom format
/// opens a string branch that skips the type check). `tests/it/verdict.rs` compares every verdict with
/// the run-time validator's, which reads the unpruned documents.
fn prune_excluded_type_keywords(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    let kinds: Option<Vec<String>> = match obj.get("type") {
        Some(Value::String(t)) => Some(vec![t.clone()]),
        Some(Value::Array(ts)) => ts.iter().map(|t| t.as_str().map(String::from)).collect(),
        _ => None,
    };
    if let Some(kinds) = kinds {
        let allows = |kind: &str| {
            kinds
                .iter()
                .any(|k| k == kind || (kind == "number" && k == "integer"))
        };
        for (kind, keywords) in KIND_KEYWORDS {
            if !allows(kind) {
                for k in *keywords {
                    obj.remove(*k);
                }
            }
        }
    }
    for (key, child) in obj.iter_mut() {
        match key.as_str() {
            "properties" | "patternProperties" | "$defs" | "dependentSchemas" => {
                if let Some(map) = child.as_object_mut() {
                    map.values_mut().for_each(prune_excluded_type_keywords);
                }
            }
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                if let Some(items) = child.as_array_mut() {
                    items.iter_mut().for_each(prune_excluded_type_keywords);
                }
            }
            "items"
            | "additionalProperties"
            | "unevaluatedProperties"
            | "unevaluatedItems"
            | "not"
            | "if"
            | "then"
            | "else"
            | "contains"
            | "propertyNames" => prune_excluded_type_keywords(child),
            // `const`, `enum`, `examples`, `default` hold instances, not schemas.
            _ => {}
        }
    }
}

/// The release table: `(version, git ref, (major, minor, patch))`, oldest first. A malformed table fails the
/// build with the reason.
fn releases(out_dir: &Path) -> (String, derive::Version) {
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let path = Path::new(&manifest).join("schemas").join(RELEASES_FILE);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("schemas/{RELEASES_FILE}: {e}"));
    let doc: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("schemas/{RELEASES_FILE} is not JSON: {e}"));
    let list = doc
        .get("releases")
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("schemas/{RELEASES_FILE}: no `releases` array"));
    let mut out = String::from("pub static RELEASES: &[(&str, &str, (u16, u16, u16))] = &[\n");
    let mut previous = None;
    for (i, r) in list.iter().enumerate() {
        let field = |k: &str| {
            r.get(k).and_then(Value::as_str).unwrap_or_else(|| {
                panic!("schemas/{RELEASES_FILE}: /releases/{i}/{k} is not a string")
            })
        };
        let version = field("version");
        let number = derive::parse_version(version).unwrap_or_else(|| {
            panic!("schemas/{RELEASES_FILE}: /releases/{i}/version `{version}` is not X.Y.Z")
        });
        if previous.is_some_and(|p| p >= number) {
            panic!("schemas/{RELEASES_FILE}: /releases/{i} `{version}` is not newer than the release before it");
        }
        previous = Some(number);
        out.push_str(&format!(
            "    ({version:?}, {:?}, ({}, {}, {})),\n",
            field("ref"),
            number.0,
            number.1,
            number.2
        ));
    }
    out.push_str("];\n");
    let latest = previous.unwrap_or_else(|| panic!("schemas/{RELEASES_FILE}: no release"));
    fs::write(out_dir.join("releases.rs"), &out).expect("write releases.rs");
    (out, latest)
}

fn verdicts(out_dir: &Path, latest: derive::Version) -> String {
    let (root, mut paths) = files("schemas");
    paths.retain(|f| f != RELEASES_FILE);
    for f in [
        "src/schema/closure.rs",
        "src/schema/resolve.rs",
        "src/schema/derive.rs",
    ] {
        println!("cargo:rerun-if-changed={f}");
    }
    let mut docs = resolve::Documents::default();
    let mut ids = Vec::new();
    for p in &paths {
        let text = fs::read_to_string(root.join(p)).expect("read a schema file");
        // A broken schema file fails here, at build time, with its path.
        let doc: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("schemas/{p} is not JSON: {e}"));
        let id = doc
            .get("$id")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("schemas/{p} has no $id"))
            .to_string();
        docs.insert(id.clone(), doc);
        ids.push((p.as_str(), id));
    }
    let files: Vec<(&str, &str)> = ids.iter().map(|(p, id)| (*p, id.as_str())).collect();
    let events = events(&paths);

    // Two document sets: the files as written (the union of every release, `compat`'s first filter) and
    // the newest release derived from them (`--profile v4.15`, the common strict case).
    let mut derived = resolve::Documents::default();
    for (_, id) in &ids {
        if let Some(doc) = docs.get(id) {
            derived.insert(id.clone(), derive::derive(doc, latest));
        }
    }
    let latest_label = format!("{}.{}.{}", latest.0, latest.1, latest.2);
    let latest_events = release_events(&derived);

    // The settings of `schema::options`: draft 2020-12, formats checked with hookcheck's own checks,
    // the `regex` engine. `unix-seconds` and `unix-float` constrain numbers, so any string passes.
    let settings = "draft = Draft202012, validate_formats = true, \
        pattern_options = { engine = regex }, \
        methods = { is_valid = true, validate = false, iter_errors = false }, \
        formats = { \"iso8601-ms-utc\" => crate::format::is_iso8601_ms_utc, \
                    \"js-date\" => crate::format::is_js_date, \
                    \"unix-seconds\" => crate::format::any_string, \
                    \"unix-float\" => crate::format::any_string }";
    let mut out = String::new();
    let mut table = String::from(
        "pub(crate) static ALL: &[(&str, &str, fn(&serde_json::Value) -> bool)] = &[\n",
    );
    let mut n = 0;
    for (label, set, wanted) in [
        ("compat", &docs, None),
        (latest_label.as_str(), &derived, Some(&latest_events)),
    ] {
        let pairs: Vec<&(String, String)> = events
            .iter()
            .filter(|(event, _)| wanted.is_none_or(|w| w.contains(event)))
            .collect();
        let roots: Vec<(String, String)> = pairs
            .iter()
            .map(|(event, path)| {
                (
                    closure::root_uri(label, event),
                    format!("{}{path}", resolve::BASE_URI),
                )
            })
            .collect();
        let mut twins = closure::twin_set(&files, set, &roots);
        for (_, doc) in &mut twins.resources {
            prune_excluded_type_keywords(doc);
        }
        let dir = out_dir.join("verdict").join(label);
        fs::create_dir_all(&dir).expect("create OUT_DIR/verdict");
        let mut resources = String::new();
        for (i, (uri, doc)) in twins.resources.iter().enumerate() {
            let file = dir.join(format!("r{i}.json"));
            fs::write(
                &file,
                serde_json::to_string(doc).expect("serialise a schema"),
            )
            .expect("write a resource");
            resources.push_str(&format!(
                "    {uri:?} => {{ path = {:?} }},\n",
                file.to_string_lossy()
            ));
        }
        for ((event, _), (root_id, _)) in pairs.iter().zip(&roots) {
            let schema = format!("{{\"$ref\": {root_id:?}}}");
            out.push_str(&format!(
                "/// `{label}` / `{event}`: no error and no unknown key.\n\
                 #[jsonschema::validator(schema = r#\"{schema}\"#, {settings}, resources = {{\n{resources}}})]\n\
                 pub(crate) struct V{n};\n\n"
            ));
            table.push_str(&format!("    ({label:?}, {event:?}, V{n}::is_valid),\n"));
            n += 1;
        }
    }
    table.push_str("];\n");
    out.push_str(&table);
    out
}

/// The events a derived document set sends: the `event-name` enum of `_defs/common.json`.
fn release_events(docs: &resolve::Documents) -> Vec<String> {
    let id = format!("{}chatwoot/_defs/common.json", resolve::BASE_URI);
    docs.get(&id)
        .and_then(|d| d.pointer("/$defs/event-name/enum"))
        .and_then(Value::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_else(|| {
            panic!("schemas/chatwoot/_defs/common.json has no /$defs/event-name/enum")
        })
}

fn main() {
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let out_dir = Path::new(&out_dir);
    let mut out = String::new();
    table("SCHEMA_FILES", "schemas", &mut out);
    table("EXAMPLE_FILES", "examples", &mut out);
    fs::write(out_dir.join("embedded.rs"), out).expect("write embedded.rs");
    let (_, latest) = releases(out_dir);
    fs::write(out_dir.join("verdict.rs"), verdicts(out_dir, latest)).expect("write verdict.rs");
}
