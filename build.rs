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
    let (root, files) = files(dir);
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

/// The `(profile, event, event schema path)` triples: `compat` is `chatwoot/events/`, every other profile
/// is `chatwoot/profiles/<name>/events/` (as `Profile::event_path` says; `Catalog::load` refuses a table
/// that misses a pair, and a test compares the two).
fn pairs(files: &[String]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for f in files {
        let stem = || {
            Path::new(f)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        if f.starts_with("chatwoot/events/") {
            out.push(("compat".to_string(), stem(), f.clone()));
        } else if let Some(rest) = f.strip_prefix("chatwoot/profiles/") {
            if let Some((profile, tail)) = rest.split_once('/') {
                if tail.starts_with("events/") {
                    out.push((profile.to_string(), stem(), f.clone()));
                }
            }
        }
    }
    out
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

fn verdicts(out_dir: &Path) -> String {
    let (root, paths) = files("schemas");
    for f in ["src/schema/closure.rs", "src/schema/resolve.rs"] {
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
    let pairs = pairs(&paths);
    let roots: Vec<(String, String)> = pairs
        .iter()
        .map(|(profile, event, path)| {
            (
                closure::root_uri(profile, event),
                format!("{}{path}", resolve::BASE_URI),
            )
        })
        .collect();
    let mut twins = closure::twin_set(&files, &docs, &roots);
    for (_, doc) in &mut twins.resources {
        prune_excluded_type_keywords(doc);
    }

    let dir = out_dir.join("verdict");
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
    for (i, ((profile, event, _), (root_id, _))) in pairs.iter().zip(&roots).enumerate() {
        let schema = format!("{{\"$ref\": {root_id:?}}}");
        out.push_str(&format!(
            "/// `{profile}` / `{event}`: no error and no unknown key.\n\
             #[jsonschema::validator(schema = r#\"{schema}\"#, {settings}, resources = {{\n{resources}}})]\n\
             pub(crate) struct V{i};\n\n"
        ));
        table.push_str(&format!("    ({profile:?}, {event:?}, V{i}::is_valid),\n"));
    }
    table.push_str("];\n");
    out.push_str(&table);
    out
}

fn main() {
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let out_dir = Path::new(&out_dir);
    let mut out = String::new();
    table("SCHEMA_FILES", "schemas", &mut out);
    table("EXAMPLE_FILES", "examples", &mut out);
    fs::write(out_dir.join("embedded.rs"), out).expect("write embedded.rs");
    fs::write(out_dir.join("verdict.rs"), verdicts(out_dir)).expect("write verdict.rs");
}
