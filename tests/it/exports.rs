//! The contract in other teams' pipelines (issues 7 and 10):
//!
//! * the exports (`bundle`, `openapi`, `asyncapi`) of `compat` and of a sample of releases across 2.0-4.15
//!   are plain JSON Schema (no `x-` keyword), pass their own ecosystems' official validators (the JSON
//!   Schema 2020-12 meta-schema in Rust and Python, Python `openapi-spec-validator`, npm `@asyncapi/parser`;
//!   broken copies must fail them), list exactly the events of their release, and are snapshotted (compat
//!   and 4.15.1);
//! * per sample release, hookcheck, its own entry schema, and the release's exported bundle in Rust
//!   `jsonschema`, ajv 8 (strict mode) and Python `jsonschema`, and the Node and Python snippets on that
//!   bundle, reach the same accept/reject verdict on the fixtures, the contract examples, the negative cases
//!   and a generated corpus (valid and mutated) of that release;
//! * under `compat`, ajv and Python over the bundles of every distinct release contract
//!   (`--every-release`) give hookcheck's verdict for each contract, and what compat accepts one of them
//!   accepts; the union (the compat bundle, and the files as written) accepts whatever compat accepts
//!   without an unknown key. See `portability.rs` for the one designed difference;
//! * `schemas diff` reports each breaking-change class for the right audience, with exit code 1, changes in
//!   the entry schema included.
//!
//! Tools: `node` and `npm` (the test runs `npm ci` in `tests/portability/node` when its `node_modules` is
//! missing) and Python 3 (`$HOOKCHECK_PYTHON` when it has `jsonschema` and `openapi-spec-validator`, else a
//! venv the test creates in `target/exports-venv`). A missing tool FAILS the test with instructions: a
//! skipped portability check must never look like a passing one. The Go snippet runs in `.ci/exports`,
//! which installs Go.
use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::OnceLock,
};

use hookcheck::{
    diff::{self, Audience, Kind, SchemaSet},
    export::{self, Format},
    generate::Generator,
    EventName, Profile,
};
use serde_json::{json, Value};

use crate::portability::{
    bundle_file, check_compat, contracts, every_release_dir, has_unknown_keys,
    hookcheck_schema_verdict, sample, verdicts, Verdict,
};
use crate::util::{apply, catalog, example_body, fixture, root, snapshot_settings};

// ---------------------------------------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------------------------------------

fn ok(cmd: &mut Command) -> bool {
    cmd.output().is_ok_and(|o| o.status.success())
}

/// A Python with `jsonschema` and `openapi-spec-validator`.
fn python() -> &'static Path {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        crate::util::python_with(
            "exports-venv",
            "jsonschema, referencing, openapi_spec_validator",
            &["jsonschema>=4.18,<5", "openapi-spec-validator>=0.9,<0.10"],
        )
    })
}

/// `tests/portability/node`, with ajv, ajv-formats and @asyncapi/parser installed.
fn node_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = root().join("tests/portability/node");
        let ready = |d: &Path| {
            ["ajv", "ajv-formats", "@asyncapi/parser"].iter().all(|m| {
                d.join("node_modules")
                    .join(m)
                    .join("package.json")
                    .is_file()
            })
        };
        if !ready(&dir) {
            let installed = ok(Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&dir));
            assert!(
                installed && ready(&dir),
                "the export tests need Node.js 18+ and npm: run `npm ci` in tests/portability/node \
                 (bash .ci/exports does), or install node and npm"
            );
        }
        assert!(
            ok(Command::new("node").arg("--version")),
            "the export tests need `node` (Node.js 18+) on PATH"
        );
        dir
    })
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, export::to_text(v)).expect("write");
    p
}

// ---------------------------------------------------------------------------------------------------------
// Exports: plain JSON Schema, snapshots and official validators
// ---------------------------------------------------------------------------------------------------------

const FORMATS: [(Format, &str); 3] = [
    (Format::Bundle, "bundle"),
    (Format::Openapi, "openapi"),
    (Format::Asyncapi, "asyncapi"),
];

/// `compat` and the sample releases.
fn profiles() -> Vec<Profile> {
    let mut out = vec![Profile::Compat];
    out.extend(sample());
    out
}

fn exported(format: Format, profile: Profile) -> Value {
    export::export(catalog(), format, profile).expect("export")
}

fn events_of(profile: Profile) -> Vec<EventName> {
    catalog().events(profile).expect("events")
}

#[test]
fn every_export_is_snapshotted() {
    let mut settings = snapshot_settings();
    // The crate version appears in every export; a release must not churn six snapshots.
    settings.add_filter(
        &regex_escape(&format!("hookcheck {}", env!("CARGO_PKG_VERSION"))),
        "hookcheck [version]",
    );
    settings.add_filter(
        &regex_escape(&format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION"))),
        "\"version\": \"[version]\"",
    );
    settings.bind(|| {
        for profile in Profile::ALL {
            for (format, name) in FORMATS {
                let text = export::to_text(&exported(format, profile));
                insta::assert_snapshot!(format!("export@{name}-{profile}"), text);
            }
        }
    });
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if "\\.+*?()|[]{}^$".contains(c) {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect()
}

/// Every `x-` keyword of `v` (not data, not property names), as JSON pointers.
fn annotations(v: &Value, at: &str, out: &mut Vec<String>) {
    const DATA: [&str; 4] = ["const", "enum", "examples", "default"];
    const NAMES: [&str; 4] = [
        "properties",
        "patternProperties",
        "$defs",
        "dependentSchemas",
    ];
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                if k.starts_with("x-") {
                    out.push(here.clone());
                }
                if DATA.contains(&k.as_str()) {
                    continue;
                }
                match (NAMES.contains(&k.as_str()), x) {
                    (true, Value::Object(named)) => {
                        for (name, sub) in named {
                            annotations(sub, &format!("{here}/{name}"), out);
                        }
                    }
                    (_, x) => annotations(x, &here, out),
                }
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                annotations(x, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_export_is_plain_json_schema_without_release_annotations() {
    // The union files do carry them (what the compat export strips).
    let mut in_files = Vec::new();
    for f in catalog().files() {
        annotations(&f.document, f.path, &mut in_files);
    }
    assert!(
        in_files.len() > 100,
        "{} annotations in schemas/",
        in_files.len()
    );
    for profile in profiles() {
        for (format, name) in FORMATS {
            let mut found = Vec::new();
            annotations(&exported(format, profile), "", &mut found);
            assert!(found.is_empty(), "{name} {profile}: {found:?}");
        }
    }
}

#[test]
fn the_bundle_is_self_contained_and_valid_against_the_2020_12_meta_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    for profile in profiles() {
        let b = exported(Format::Bundle, profile);
        jsonschema::meta::validate(&b)
            .unwrap_or_else(|e| panic!("{profile}: bundle fails the meta-schema: {e}"));
        for (name, def) in b["$defs"].as_object().expect("$defs") {
            jsonschema::meta::validate(def)
                .unwrap_or_else(|e| panic!("{profile}: $defs/{name} fails the meta-schema: {e}"));
        }
        let text = b.to_string();
        assert!(
            !text.contains(".json#") && !text.contains("\"$ref\":\"../"),
            "{profile}: a non-local $ref"
        );
        assert_eq!(
            text.matches("\"$id\"").count(),
            1,
            "{profile}: only the root has an $id"
        );
        // Every event's schema can be used alone.
        for event in EventName::ALL {
            let key = export::def_name(&profile.event_path(event));
            assert!(b["$defs"][&key].is_object(), "{profile}: no $defs/{key}");
        }
        files.push(write(dir.path(), &format!("bundle-{profile}.json"), &b));
    }
    let out = run(Command::new(python())
        .arg(root().join("tests/portability/check_exports.py"))
        .arg("bundle-meta")
        .args(&files));
    assert_eq!(
        out.matches("valid against the 2020-12 meta-schema").count(),
        files.len(),
        "{out}"
    );
}

/// The bundle of a release is what that release sends: its entry schema names exactly its events.
#[test]
fn a_release_bundle_dispatches_exactly_the_events_of_its_release() {
    for profile in profiles() {
        let b = exported(Format::Bundle, profile);
        let names = &b["$defs"]["_defs.common.event-name"]["enum"];
        let mut names: Vec<&str> = names
            .as_array()
            .expect("event-name enum")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        names.sort_unstable();
        let mut want: Vec<&str> = events_of(profile).iter().map(|e| e.as_str()).collect();
        want.sort_unstable();
        assert_eq!(names, want, "{profile}");
    }
    assert_eq!(events_of(Profile::Compat).len(), 14);
    assert_eq!(events_of(Profile::release("2.0.0").unwrap()).len(), 6);
    assert_eq!(events_of(Profile::V4_15).len(), 12);
}

#[test]
fn openapi_spec_validator_accepts_the_openapi_exports_and_rejects_a_broken_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    let s = hookcheck::signature::Scheme::chatwoot();
    for profile in profiles() {
        let doc = exported(Format::Openapi, profile);
        assert_eq!(doc["openapi"], "3.1.0");
        let hooks = doc["webhooks"].as_object().expect("webhooks");
        let events = events_of(profile);
        assert_eq!(hooks.len(), events.len(), "{profile}");
        // Signed deliveries start with 4.12.0: required from there on, optional under compat, absent
        // before.
        let signed = match profile.pinned() {
            None => Some(false),
            Some(r) if r.number() >= (4, 12, 0) => Some(true),
            Some(_) => None,
        };
        for event in events {
            let post = &hooks[event.as_str()]["post"];
            assert!(post["responses"]["2XX"].is_object(), "{event}");
            assert_eq!(
                post["parameters"].as_array().map(Vec::len),
                Some(if signed.is_some() { 3 } else { 0 }),
                "{profile} {event}"
            );
        }
        let params = &doc["components"]["parameters"];
        for h in [&s.signature_header, &s.timestamp_header] {
            match signed {
                Some(required) => {
                    assert_eq!(params[h.as_str()]["in"], "header", "{h}");
                    assert_eq!(params[h.as_str()]["required"], required, "{profile} {h}");
                }
                None => assert!(params.get(h.as_str()).is_none(), "{profile} {h}"),
            }
        }
        files.push(write(dir.path(), &format!("openapi-{profile}.json"), &doc));
    }
    let out = run(Command::new(python())
        .arg(root().join("tests/portability/check_exports.py"))
        .arg("openapi")
        .args(&files));
    assert_eq!(
        out.matches(": valid OpenAPI 3.1.0").count(),
        files.len(),
        "{out}"
    );

    // The validator is not vacuous: a schema object and a parameter that break the specification are
    // reported. (It does not resolve references under `webhooks`: `every_reference_in_the_exports_resolves`
    // checks those.)
    let mut broken = exported(Format::Openapi, Profile::Compat);
    broken["components"]["schemas"]["_defs.account"]["type"] = json!("objekt");
    broken["components"]["parameters"]["X-Chatwoot-Signature"]["in"] = json!("headers");
    let bad = write(dir.path(), "openapi-broken.json", &broken);
    let out = Command::new(python())
        .arg(root().join("tests/portability/check_exports.py"))
        .arg("openapi")
        .arg(&bad)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_asyncapi_parser_accepts_the_asyncapi_exports_and_rejects_a_broken_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    let mut want = Vec::new();
    for profile in profiles() {
        let doc = exported(Format::Asyncapi, profile);
        assert_eq!(doc["asyncapi"], "3.0.0");
        let n = events_of(profile).len();
        for part in ["channels", "operations"] {
            assert_eq!(doc[part].as_object().map(|m| m.len()), Some(n), "{part}");
        }
        let messages = doc["components"]["messages"].as_object().expect("messages");
        assert_eq!(messages.len(), n);
        let signed = profile.pinned().is_none_or(|r| r.number() >= (4, 12, 0));
        assert!(
            messages
                .values()
                .all(|m| m.get("headers").is_some() == signed),
            "{profile}: headers only where the release signs"
        );
        want.push(format!(
            ": valid AsyncAPI 3.0.0: {n} channels, {n} operations, {n} messages"
        ));
        files.push(write(dir.path(), &format!("asyncapi-{profile}.json"), &doc));
    }
    let out = run(Command::new("node")
        .arg(node_dir().join("check-asyncapi.js"))
        .args(&files));
    for (file, want) in files.iter().zip(&want) {
        assert!(
            out.contains(&format!("{}{want}", file.display())),
            "{}: {want}\n{out}",
            file.display()
        );
    }
    assert!(!out.contains(" error "), "{out}");

    let mut broken = exported(Format::Asyncapi, Profile::Compat);
    broken["operations"]["message_created"]["channel"] =
        json!({"$ref": "#/channels/no-such-channel"});
    broken["components"]["messages"]["contact_created"]["payload"] = json!({"type": 12});
    let bad = write(dir.path(), "asyncapi-broken.json", &broken);
    let out = Command::new("node")
        .arg(node_dir().join("check-asyncapi.js"))
        .arg(&bad)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Every `$ref` of every export points at something in the same document (the official validators do not
/// all resolve references: openapi-spec-validator skips `webhooks`).
#[test]
fn every_reference_in_the_exports_resolves() {
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x) {
                        ("$ref", Value::String(r)) => out.push(r),
                        ("const" | "enum" | "examples" | "default", _) => {}
                        _ => refs(x, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    for profile in profiles() {
        for (format, name) in FORMATS {
            let doc = exported(format, profile);
            let mut found = Vec::new();
            refs(&doc, &mut found);
            assert!(
                found.len() > 100,
                "{name} {profile}: {} references",
                found.len()
            );
            for r in found {
                let fragment = r
                    .strip_prefix('#')
                    .unwrap_or_else(|| panic!("{name} {profile}: non-local reference {r}"));
                assert!(
                    doc.pointer(fragment).is_some(),
                    "{name} {profile}: dangling reference {r}"
                );
            }
        }
    }
}

#[test]
fn every_release_export_writes_one_file_per_distinct_contract_and_an_index() {
    let dir = every_release_dir();
    let contracts = contracts(dir);
    let all = export::every_release(catalog(), Format::Bundle).expect("every release");
    assert_eq!(contracts.len(), all.len());
    let mut covered = hookcheck::release::ReleaseSet::EMPTY;
    for ((label, releases), (lib_releases, doc)) in contracts.iter().zip(&all) {
        assert_eq!(releases, lib_releases, "{label}");
        assert_eq!(label, &releases.to_string());
        assert!(covered.intersection(*releases).is_empty(), "{label} twice");
        covered = covered.union(*releases);
        let newest = releases.newest().expect("non-empty");
        let file = dir.join(format!("bundle-{newest}.json"));
        let written = std::fs::read_to_string(&file).expect("written");
        assert_eq!(written, export::to_text(doc), "{}", file.display());
        // Each is the export of any of its releases.
        let oldest = releases.oldest().expect("non-empty");
        let mut of_oldest = exported(Format::Bundle, Profile::Release(oldest))["$defs"].clone();
        assert_eq!(of_oldest.take(), doc["$defs"], "{label}");
    }
    assert_eq!(covered, hookcheck::release::ReleaseSet::all());
    // Usage errors: no directory, or with one release.
    hookcheck_cmd()
        .args(["schemas", "export", "--format", "bundle", "--every-release"])
        .assert()
        .code(2);
    hookcheck_cmd()
        .args(["schemas", "export", "--format", "bundle", "--every-release"])
        .args(["--release", "2.0.0", "--out"])
        .arg(dir)
        .assert()
        .code(2);
}

// ---------------------------------------------------------------------------------------------------------
// Portability: the same verdicts everywhere
// ---------------------------------------------------------------------------------------------------------

/// The fixtures: the seeds, the contract examples' bodies and every negative case's mutated body.
fn fixture_corpus() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(fixture("seeds"))
        .expect("seeds")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    seeds.sort();
    for p in seeds {
        let v: Value =
            serde_json::from_slice(&std::fs::read(&p).expect("read")).expect("seed JSON");
        out.push((format!("seed {}", p.display()), v));
    }
    for ex in catalog().examples() {
        let v: Value = serde_json::from_str(ex.text).expect("example JSON");
        out.push((format!("example {}", ex.path), v["body"].clone()));
    }
    let cases: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(fixture("negative/cases.json")).expect("cases.json"),
    )
    .expect("cases");
    // Every case, whatever its profile: the verdicts are compared, not the cases' expectations.
    for case in &cases {
        let mut body = example_body(case["base"].as_str().expect("base"));
        apply(&mut body, case["ops"].as_array().expect("ops"));
        out.push((
            format!("negative {}", case["name"].as_str().unwrap_or("?")),
            body,
        ));
    }
    out
}

/// Payloads generated for one release: `per_event` valid ones per event, each followed by `mutations`
/// broken copies (rotating over the mutation sites, so that every class, semantic ones included, appears).
/// A release the generator cannot build is an error (the callers fail after checking everything else).
fn generated(
    profile: Profile,
    per_event: usize,
    mutations: usize,
) -> Result<Vec<(String, Value)>, String> {
    let mut out = Vec::new();
    let g = Generator::shared(profile)
        .map_err(|e| format!("{profile}: the generator cannot build this release: {e}"))?;
    for event in events_of(profile) {
        for (i, v) in g
            .values(event, 7, per_event)
            .expect("values")
            .into_iter()
            .enumerate()
        {
            let sites = g.sites(catalog(), event, &v);
            for k in 0..mutations {
                if sites.is_empty() {
                    break;
                }
                let s = &sites[(i * 7 + k * 13) % sites.len()];
                let mut broken = v.clone();
                s.apply(event, &mut broken);
                out.push((
                    format!(
                        "generated {profile} {event} #{i} {} at {}",
                        s.expect.class.name(),
                        s.expect.pointer
                    ),
                    broken,
                ));
            }
            out.push((format!("generated {profile} {event} #{i} valid"), v));
        }
    }
    Ok(out)
}

/// `SOURCE:LINE: valid|INVALID` lines of the snippets.
fn snippet_verdicts(out: &str) -> Vec<bool> {
    out.lines()
        .filter(|l| !l.starts_with("    "))
        .map(|l| {
            if l.ends_with(": valid") {
                true
            } else {
                assert!(l.ends_with(": INVALID"), "unexpected snippet line {l}");
                false
            }
        })
        .collect()
}

/// Runs a snippet (exit 0: all valid, 1: some invalid) and reads its verdict lines.
fn snippet(cmd: &mut Command) -> Vec<bool> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{cmd:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    snippet_verdicts(&String::from_utf8_lossy(&out.stdout))
}

fn bundle_validator(bundle: &Value) -> jsonschema::Validator {
    let mut opts = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true);
    for name in hookcheck::format::ALL {
        opts = opts.with_format(name, move |s: &str| {
            hookcheck::format::check(name, s).unwrap_or(true)
        });
    }
    opts.build(bundle).expect("the bundle compiles on its own")
}

fn ndjson(dir: &Path, name: &str, corpus: &[(String, Value)]) -> PathBuf {
    let text: String = corpus
        .iter()
        .map(|(_, v)| serde_json::to_string(v).expect("json") + "\n")
        .collect();
    let file = dir.join(name);
    std::fs::write(&file, text).expect("write");
    file
}

fn ajv(args: &[&std::ffi::OsStr]) -> Vec<Verdict> {
    verdicts(&run(Command::new("node")
        .arg(node_dir().join("validate.js"))
        .args(args)))
}

fn python_validate(args: &[&std::ffi::OsStr]) -> Vec<Verdict> {
    verdicts(&run(Command::new(python())
        .arg(root().join("tests/portability/validate.py"))
        .args(args)))
}

/// Per sample release: hookcheck, its entry schema, and the release's bundle in Rust, ajv, Python and the
/// two snippets agree on the fixtures and on the release's generated corpus.
#[test]
fn hookcheck_and_every_validator_on_a_release_bundle_agree_on_every_verdict() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixtures = fixture_corpus();
    let mut report = Vec::new();
    for profile in sample() {
        let mut corpus = fixtures.clone();
        let complete = match generated(profile, 5, 3) {
            Ok(g) => {
                corpus.extend(g);
                true
            }
            Err(e) => {
                report.push(e);
                false
            }
        };
        let file = ndjson(dir.path(), &format!("corpus-{profile}.ndjson"), &corpus);
        let bundle = exported(Format::Bundle, profile);
        let bundle_file = bundle_file(profile);
        let bundle_rs = bundle_validator(&bundle);
        let (b, f) = (bundle_file.as_os_str(), file.as_os_str());

        let ours: Vec<bool> = corpus
            .iter()
            .map(|(_, v)| hookcheck_schema_verdict(profile, v))
            .collect();
        let entry = catalog().entry(profile).expect("entry schema compiles");
        let entry: Vec<bool> = corpus.iter().map(|(_, v)| entry.is_valid(v)).collect();
        let in_bundle: Vec<bool> = corpus.iter().map(|(_, v)| bundle_rs.is_valid(v)).collect();
        let ajv_bundle = ajv(&["--bundle".as_ref(), b, f]);
        let py_bundle = python_validate(&["--bundle".as_ref(), b, f]);
        let node_snippet = snippet(
            Command::new("node")
                .env("NODE_PATH", node_dir().join("node_modules"))
                .arg(root().join("examples/snippets/node/validate-webhook.js"))
                .args([b, f]),
        );
        let py_snippet = snippet(
            Command::new(python())
                .arg(root().join("examples/snippets/python/validate_webhook.py"))
                .args([b, f]),
        );

        let n = corpus.len();
        for (name, len) in [
            ("ajv on the bundle", ajv_bundle.len()),
            ("python on the bundle", py_bundle.len()),
            ("node snippet", node_snippet.len()),
            ("python snippet", py_snippet.len()),
        ] {
            assert_eq!(
                len, n,
                "{profile}: {name} gave {len} verdicts for {n} bodies"
            );
        }
        let valid = ours.iter().filter(|v| **v).count();
        let invalid = n - valid;
        // 2.0.0 sends 6 events and accepts none of the (current) contract examples: 30 generated bodies.
        assert!(
            !complete || (valid >= 25 && invalid >= 150),
            "{profile}: corpus too one-sided: {valid} valid, {invalid} invalid"
        );
        for (i, (label, body)) in corpus.iter().enumerate() {
            let theirs = [
                ("hookcheck entry schema", entry[i], String::new()),
                ("bundle (Rust jsonschema)", in_bundle[i], String::new()),
                (
                    "ajv on the bundle",
                    ajv_bundle[i].valid,
                    ajv_bundle[i].errors.clone(),
                ),
                (
                    "python on the bundle",
                    py_bundle[i].valid,
                    py_bundle[i].errors.clone(),
                ),
                ("node snippet", node_snippet[i], String::new()),
                ("python snippet", py_snippet[i], String::new()),
            ];
            for (who, verdict, errors) in theirs {
                if verdict != ours[i] {
                    report.push(format!(
                        "{profile}: {label}: hookcheck {} but {who} {}{errors}\n    body: {}",
                        if ours[i] { "accepts" } else { "rejects" },
                        if verdict { "accepts" } else { "rejects" },
                        body.to_string().chars().take(300).collect::<String>()
                    ));
                }
            }
        }
        eprintln!("{profile}: {n} bodies ({valid} valid, {invalid} invalid): 6 validators checked");
    }
    assert!(
        report.is_empty(),
        "{} verdict difference(s):\n{}",
        report.len(),
        report.join("\n")
    );
}

/// Under compat: ajv and Python over the bundles of every distinct release contract give hookcheck's
/// verdict for each contract; what compat accepts one of them accepts (and the rest is the designed
/// difference, see `portability.rs`); the union (the compat bundle in Rust, ajv and Python, and the union
/// files in ajv, Python and the snippets) accepts whatever compat accepts without an unknown key. The corpus mixes the fixtures with payloads generated for every sample release (old
/// shapes and new ones).
#[test]
fn under_compat_every_release_bundle_and_the_union_agree_with_hookcheck() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut corpus = fixture_corpus();
    let mut report = Vec::new();
    for profile in sample() {
        match generated(profile, 2, 1) {
            Ok(g) => corpus.extend(g),
            Err(e) => report.push(e),
        }
    }
    let file = ndjson(dir.path(), "corpus-compat.ndjson", &corpus);
    let releases = every_release_dir();
    let contracts = contracts(releases);
    let union_bundle = bundle_file(Profile::Compat);
    let union_rs = bundle_validator(&exported(Format::Bundle, Profile::Compat));
    let schemas = root().join("schemas/chatwoot");
    let (r, u, s, f) = (
        releases.as_os_str(),
        union_bundle.as_os_str(),
        schemas.as_os_str(),
        file.as_os_str(),
    );
    let ajv_releases = ajv(&["--releases".as_ref(), r, f]);
    let py_releases = python_validate(&["--releases".as_ref(), r, f]);
    let union: Vec<(&str, Vec<bool>)> = vec![
        (
            "the compat bundle (Rust jsonschema)",
            corpus.iter().map(|(_, v)| union_rs.is_valid(v)).collect(),
        ),
        (
            "ajv on the compat bundle",
            ajv(&["--bundle".as_ref(), u, f])
                .iter()
                .map(|v| v.valid)
                .collect(),
        ),
        (
            "python on the compat bundle",
            python_validate(&["--bundle".as_ref(), u, f])
                .iter()
                .map(|v| v.valid)
                .collect(),
        ),
        (
            "ajv on the union files",
            ajv(&["--schemas".as_ref(), s, f])
                .iter()
                .map(|v| v.valid)
                .collect(),
        ),
        (
            "python on the union files",
            python_validate(&["--schemas".as_ref(), s, f])
                .iter()
                .map(|v| v.valid)
                .collect(),
        ),
        (
            "node snippet on the union files",
            snippet(
                Command::new("node")
                    .env("NODE_PATH", node_dir().join("node_modules"))
                    .arg(root().join("examples/snippets/node/validate-webhook.js"))
                    .args([s, f]),
            ),
        ),
        (
            "python snippet on the union files",
            snippet(
                Command::new(python())
                    .arg(root().join("examples/snippets/python/validate_webhook.py"))
                    .args([s, f]),
            ),
        ),
    ];
    let n = corpus.len();
    assert_eq!(ajv_releases.len(), n);
    assert_eq!(py_releases.len(), n);
    let (mut accepted, mut rejected, mut only_by_design) = (0, 0, 0);
    for (i, (label, body)) in corpus.iter().enumerate() {
        for (who, per_release) in [("ajv", &ajv_releases[i]), ("python", &py_releases[i])] {
            // The union verdicts are checked below, against every union validator.
            check_compat(
                &format!("{who}: {label}"),
                body,
                &contracts,
                per_release,
                true,
                &mut report,
            );
        }
        let compat = hookcheck_schema_verdict(Profile::Compat, body);
        let some_release = py_releases[i].valid;
        // The union accepts what some release sent: what compat accepts without an unknown key. Not
        // whatever a release accepts: a release lets a key it never sent through whatever its value
        // (`priority: 1` under 2.16.0, a warning), the union checks it against the releases that send it.
        let sent = compat && !has_unknown_keys(Profile::Compat, body);
        for (who, verdicts) in &union {
            assert_eq!(verdicts.len(), n, "{who}");
            if sent && !verdicts[i] {
                report.push(format!(
                    "{label}: hookcheck accepts it cleanly, {who} rejects"
                ));
            }
        }
        match (compat, some_release) {
            (true, _) => accepted += 1,
            (false, false) => rejected += 1,
            (false, true) => only_by_design += 1,
        }
    }
    eprintln!(
        "compat: {n} bodies over {} release contracts: {accepted} accepted, {rejected} rejected by \
         every release, {only_by_design} accepted by a release that lacks some of their keys",
        contracts.len()
    );
    assert!(
        report.is_empty(),
        "{} difference(s):\n{}",
        report.len(),
        report.join("\n")
    );
    assert!(
        accepted >= 60 && rejected >= 150,
        "corpus too one-sided: {accepted} accepted, {rejected} rejected"
    );
}

// ---------------------------------------------------------------------------------------------------------
// schemas diff
// ---------------------------------------------------------------------------------------------------------

const TEST_BASE: &str = "https://example.test/s/chatwoot/";

/// A small schema set in the layout of `schemas/chatwoot/`: two events sharing `_defs/thing.json`.
fn base_set() -> Vec<(&'static str, Value)> {
    let dispatch = |events: &[&str]| {
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": format!("{TEST_BASE}webhook.json"),
            "type": "object",
            "properties": {"event": {"enum": events}},
            "required": ["event"],
            "allOf": events.iter().map(|e| json!({
                "if": {"properties": {"event": {"const": e}}, "required": ["event"]},
                "then": {"$ref": format!("events/{e}.json")}
            })).collect::<Vec<_>>()
        })
    };
    let event = |e: &str| {
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": format!("{TEST_BASE}events/{e}.json"),
            "$ref": "../_defs/thing.json",
            "properties": {"event": {"const": e}},
            "required": ["event"]
        })
    };
    vec![
        (
            "webhook.json",
            dispatch(&["thing_created", "thing_updated"]),
        ),
        ("events/thing_created.json", event("thing_created")),
        ("events/thing_updated.json", event("thing_updated")),
        (
            "_defs/common.json",
            json!({"$id": format!("{TEST_BASE}_defs/common.json"),
                   "$defs": {"id": {"type": "integer", "minimum": 1}}}),
        ),
        (
            "_defs/actor.json",
            json!({"$id": format!("{TEST_BASE}_defs/actor.json"), "title": "Actor",
                   "type": "object", "properties": {"id": {"$ref": "common.json#/$defs/id"},
                   "type": {"const": "user"}}, "required": ["id", "type"]}),
        ),
        (
            "_defs/thing.json",
            json!({
                "$id": format!("{TEST_BASE}_defs/thing.json"),
                "type": "object",
                "properties": {
                    "id": {"$ref": "common.json#/$defs/id"},
                    "name": {"type": "string"},
                    "status": {"enum": ["open", "resolved"]},
                    "nickname": {"type": ["string", "null"]},
                    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 10},
                    "sender": {"anyOf": [{"type": "null"}, {"$ref": "actor.json"}]},
                    "created_at": {"type": "string", "pattern": "^[0-9]{4}-"}
                },
                "required": ["id", "name", "status"]
            }),
        ),
    ]
}

fn write_set(dir: &Path, files: &[(&str, Value)]) {
    for (path, doc) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, export::to_text(doc)).expect("write");
    }
}

/// The base set with `edit` applied to `_defs/thing.json` (or, for `webhook.json` edits, the entry).
fn changed(
    edit: impl Fn(&mut Vec<(&'static str, Value)>),
) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    let base = base_set();
    write_set(&old, &base);
    let mut edited = base;
    edit(&mut edited);
    write_set(&new, &edited);
    (dir, old, new)
}

fn thing<'a>(set: &'a mut [(&'static str, Value)]) -> &'a mut Value {
    &mut set
        .iter_mut()
        .find(|(p, _)| *p == "_defs/thing.json")
        .expect("thing")
        .1
}

fn changes_of(old: &Path, new: &Path) -> Vec<diff::Change> {
    diff::diff(
        &SchemaSet::load(old, Profile::Compat).expect("old"),
        &SchemaSet::load(new, Profile::Compat).expect("new"),
    )
}

/// Asserts that the only kind reported is `kind`, at `pointer` in both events, breaking exactly `who`.
fn assert_class(
    edit: impl Fn(&mut Vec<(&'static str, Value)>),
    kind: Kind,
    pointer: &str,
    consumers: bool,
    senders: bool,
) {
    let (_dir, old, new) = changed(edit);
    let changes = changes_of(&old, &new);
    assert!(!changes.is_empty(), "{kind:?}: no change found");
    for c in &changes {
        assert_eq!(c.kind, kind, "{kind:?}: unexpected {c:?}");
        assert_eq!(c.pointer, pointer, "{kind:?}: {c:?}");
        assert_eq!(
            c.breaks(Audience::Consumers),
            consumers,
            "{kind:?} for consumers: {c:?}"
        );
        assert_eq!(
            c.breaks(Audience::Senders),
            senders,
            "{kind:?} for senders: {c:?}"
        );
    }
    let events: Vec<&str> = changes.iter().map(|c| c.event.as_str()).collect();
    if kind != Kind::EventAdded && kind != Kind::EventRemoved {
        assert_eq!(
            events,
            ["thing_created", "thing_updated"],
            "{kind:?}: a shared definition changes both events"
        );
    }
    // The command line agrees: exit 1 exactly when the chosen audience breaks.
    for (audience, breaks) in [
        ("both", consumers || senders),
        ("consumers", consumers),
        ("senders", senders),
    ] {
        let code = hookcheck_cmd()
            .args(["schemas", "diff"])
            .arg(&old)
            .arg(&new)
            .args(["--for", audience])
            .output()
            .expect("run")
            .status
            .code();
        assert_eq!(
            code,
            Some(u8::from(breaks).into()),
            "{kind:?} --for {audience}"
        );
    }
}

fn hookcheck_cmd() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("hookcheck").expect("binary")
}

#[test]
fn diff_required_key_added_breaks_senders() {
    assert_class(
        |s| {
            let t = thing(s);
            t["properties"]["email"] = json!({"type": "string"});
            t["required"]
                .as_array_mut()
                .expect("required")
                .push(json!("email"));
        },
        Kind::RequiredKeyAdded,
        "",
        false,
        true,
    );
}

#[test]
fn diff_optional_key_added_breaks_no_one() {
    assert_class(
        |s| thing(s)["properties"]["email"] = json!({"type": "string"}),
        Kind::KeyAdded,
        "",
        false,
        false,
    );
}

#[test]
fn diff_key_removed_breaks_consumers() {
    assert_class(
        |s| {
            let t = thing(s);
            t["properties"]
                .as_object_mut()
                .expect("props")
                .shift_remove("nickname");
        },
        Kind::KeyRemoved,
        "",
        true,
        false,
    );
}

#[test]
fn diff_key_made_optional_breaks_consumers_and_made_required_breaks_senders() {
    assert_class(
        |s| thing(s)["required"] = json!(["id", "name"]),
        Kind::KeyNowOptional,
        "",
        true,
        false,
    );
    assert_class(
        |s| thing(s)["required"] = json!(["id", "name", "status", "nickname"]),
        Kind::KeyNowRequired,
        "",
        false,
        true,
    );
}

#[test]
fn diff_type_widened_breaks_consumers_narrowed_breaks_senders_changed_breaks_both() {
    assert_class(
        |s| thing(s)["properties"]["name"] = json!({"type": ["string", "null"]}),
        Kind::TypeWidened,
        "/name",
        true,
        false,
    );
    assert_class(
        |s| thing(s)["properties"]["nickname"] = json!({"type": "string"}),
        Kind::TypeNarrowed,
        "/nickname",
        false,
        true,
    );
    assert_class(
        |s| thing(s)["properties"]["name"] = json!({"type": "integer"}),
        Kind::TypeChanged,
        "/name",
        true,
        true,
    );
}

#[test]
fn diff_enum_value_added_breaks_consumers_and_removed_breaks_senders() {
    assert_class(
        |s| thing(s)["properties"]["status"] = json!({"enum": ["open", "resolved", "snoozed"]}),
        Kind::EnumValueAdded,
        "/status",
        true,
        false,
    );
    assert_class(
        |s| thing(s)["properties"]["status"] = json!({"enum": ["open"]}),
        Kind::EnumValueRemoved,
        "/status",
        false,
        true,
    );
}

#[test]
fn diff_event_added_breaks_no_one_and_event_removed_breaks_senders() {
    let entry = |events: &[&str]| {
        let base = base_set();
        let mut w = base[0].1.clone();
        w["properties"]["event"]["enum"] = json!(events);
        let all: Vec<Value> = events
            .iter()
            .map(|e| json!({"if": {"properties": {"event": {"const": e}}, "required": ["event"]},
                            "then": {"$ref": format!("events/{}.json", if *e == "thing_deleted" { "thing_updated" } else { e })}}))
            .collect();
        w["allOf"] = Value::Array(all);
        w
    };
    let added = entry(&["thing_created", "thing_updated", "thing_deleted"]);
    assert_class(
        move |s| s[0].1 = added.clone(),
        Kind::EventAdded,
        "",
        false,
        false,
    );
    let removed = entry(&["thing_created"]);
    assert_class(
        move |s| s[0].1 = removed.clone(),
        Kind::EventRemoved,
        "",
        false,
        true,
    );
}

#[test]
fn diff_bounds_patterns_alternatives_and_closing() {
    assert_class(
        |s| thing(s)["properties"]["tags"]["maxItems"] = json!(5),
        Kind::BoundTightened,
        "/tags",
        false,
        true,
    );
    assert_class(
        |s| {
            thing(s)["properties"]["tags"]
                .as_object_mut()
                .expect("tags")
                .shift_remove("maxItems");
        },
        Kind::BoundLoosened,
        "/tags",
        true,
        false,
    );
    assert_class(
        |s| thing(s)["properties"]["name"]["pattern"] = json!("^[A-Z]"),
        Kind::PatternAdded,
        "/name",
        false,
        true,
    );
    assert_class(
        |s| {
            thing(s)["properties"]["created_at"]
                .as_object_mut()
                .expect("created_at")
                .shift_remove("pattern");
        },
        Kind::PatternRemoved,
        "/created_at",
        true,
        false,
    );
    assert_class(
        |s| {
            thing(s)["properties"]["sender"]["anyOf"]
                .as_array_mut()
                .expect("anyOf")
                .push(json!({"type": "string", "title": "a bare name"}));
        },
        Kind::AlternativeAdded,
        "/sender",
        true,
        false,
    );
    assert_class(
        |s| thing(s)["additionalProperties"] = json!(false),
        Kind::Closed,
        "",
        false,
        true,
    );
}

#[test]
fn diff_follows_references_into_shared_definitions_and_union_branches() {
    // `id` lives in _defs/common.json and is used at /id and, through the sender's union, at /sender/id.
    let (_dir, old, new) = changed(|s| {
        let common = &mut s
            .iter_mut()
            .find(|(p, _)| *p == "_defs/common.json")
            .expect("common")
            .1;
        common["$defs"]["id"]["minimum"] = json!(0);
    });
    let changes = changes_of(&old, &new);
    let places: Vec<(String, String, Vec<String>)> = changes
        .iter()
        .map(|c| (c.event.clone(), c.pointer.clone(), c.branch.clone()))
        .collect();
    assert!(
        changes.iter().all(|c| c.kind == Kind::BoundLoosened),
        "{changes:?}"
    );
    for event in ["thing_created", "thing_updated"] {
        assert!(
            places.contains(&(event.into(), "/id".into(), vec![])),
            "{places:?}"
        );
        assert!(
            places.contains(&(event.into(), "/sender/id".into(), vec!["type=user".into()])),
            "{places:?}"
        );
    }
}

#[test]
fn diff_of_the_real_schemas_against_themselves_and_their_bundles_is_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    for profile in [
        Profile::Compat,
        Profile::release("2.0.0").unwrap(),
        Profile::V4_15,
    ] {
        // A directory under a release profile is read as that release's contract.
        let dir_set = SchemaSet::load(&root().join("schemas"), profile).expect("schemas/");
        let sub_set =
            SchemaSet::load(&root().join("schemas/chatwoot"), profile).expect("schemas/chatwoot/");
        let bundle = write(
            dir.path(),
            &format!("bundle-{profile}.json"),
            &exported(Format::Bundle, profile),
        );
        let bundle_set = SchemaSet::load(&bundle, Profile::Compat).expect("bundle");
        let embedded = SchemaSet::from_catalog(catalog(), profile).unwrap();
        // The events the entry schema lets through: a release's `event` enum drops the others.
        let events = events_of(profile).len();
        assert_eq!(diff::event_count(&dir_set), events, "{profile}");
        assert_eq!(diff::event_count(&bundle_set), events, "{profile}");
        for (name, other) in [
            ("schemas/chatwoot", &sub_set),
            ("bundle", &bundle_set),
            ("embedded", &embedded),
        ] {
            let changes = diff::diff(&dir_set, other);
            assert!(
                changes.is_empty(),
                "{profile}: schemas/ vs {name}: {changes:#?}"
            );
            let changes = diff::diff(other, &dir_set);
            assert!(
                changes.is_empty(),
                "{profile}: {name} vs schemas/: {changes:#?}"
            );
        }
    }
}

/// Moving from compat (the union of every release) to 4.15.1 narrows the contract for senders (every key
/// 4.15.1 always sends becomes required, `type: "contact"` and the events of 2.4.1 and earlier go). For
/// consumers it only drops what older releases alone sent: keys whose declaration ends before 4.15.1
/// (`x-until`), which 4.15.1 leaves undeclared.
#[test]
fn diff_from_compat_to_v4_15_narrows_except_for_keys_only_old_releases_sent() {
    fn until_keys(v: &Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Object(props)) = m.get("properties") {
                    for (k, p) in props {
                        if p.get("x-until").is_some() || p.pointer("/anyOf/0/x-until").is_some() {
                            out.insert(k.clone());
                        }
                    }
                }
                m.values().for_each(|x| until_keys(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| until_keys(x, out)),
            _ => {}
        }
    }
    let mut ended = std::collections::BTreeSet::new();
    for f in catalog().files() {
        until_keys(&f.document, &mut ended);
    }
    let compat = SchemaSet::from_catalog(catalog(), Profile::Compat).unwrap();
    let current = SchemaSet::from_catalog(catalog(), Profile::V4_15).unwrap();
    let changes = diff::diff(&compat, &current);
    let key_of = |c: &diff::Change| match c.kind {
        Kind::KeyRemoved => c.message.split('`').nth(1).map(String::from),
        _ => c.pointer.rsplit('/').next().map(String::from),
    };
    let consumer: Vec<_> = changes
        .iter()
        .filter(|c| c.breaks(Audience::Consumers))
        .collect();
    assert!(!consumer.is_empty());
    for c in &consumer {
        assert!(
            matches!(c.kind, Kind::KeyRemoved | Kind::EnumRemoved)
                && key_of(c).is_some_and(|k| ended.contains(&k)),
            "{c:#?} (keys whose declaration ends: {ended:?})"
        );
    }
    assert!(changes
        .iter()
        .any(|c| c.kind == Kind::KeyNowRequired && c.breaks(Audience::Senders)));
    assert!(changes.iter().any(|c| c.kind == Kind::EnumValueRemoved)); // `type: "contact"` dropped
    let removed: Vec<&str> = changes
        .iter()
        .filter(|c| c.kind == Kind::EventRemoved)
        .map(|c| c.event.as_str())
        .collect();
    assert_eq!(removed, ["conversation_opened", "conversation_resolved"]);
}

/// A change in the entry schema itself (here a new required key beside `event`) is a change of every event
/// (issue #10: it used to be "0 changes").
#[test]
fn diff_sees_changes_in_the_entry_schema() {
    let add_required = |s: &mut Vec<(&'static str, Value)>| {
        assert_eq!(s[0].0, "webhook.json");
        let w = &mut s[0].1;
        w["properties"]["account_id"] = json!({"type": "integer"});
        w["required"]
            .as_array_mut()
            .expect("required")
            .push(json!("account_id"));
    };
    assert_class(add_required, Kind::RequiredKeyAdded, "", false, true);
    assert_class(
        |s| s[0].1["properties"]["event"]["minLength"] = json!(3),
        Kind::BoundTightened,
        "/event",
        false,
        true,
    );
    // And the real entry schema, through the command line.
    let (_dir, old, new) = {
        let dir = tempfile::tempdir().expect("tempdir");
        let (old, new) = (dir.path().join("old"), dir.path().join("new"));
        let files: Vec<(&str, Value)> = catalog()
            .files()
            .iter()
            .map(|f| (f.path, f.document.clone()))
            .collect();
        write_set(&old, &files);
        let mut edited = files;
        let entry = &mut edited
            .iter_mut()
            .find(|(p, _)| *p == "chatwoot/webhook.json")
            .expect("entry")
            .1;
        entry["properties"]["account_id"] = json!({"type": "integer"});
        entry["required"]
            .as_array_mut()
            .expect("required")
            .push(json!("account_id"));
        write_set(&new, &edited);
        (dir, old, new)
    };
    for profile in ["compat", "4.15.1"] {
        let out = hookcheck_cmd()
            .args(["schemas", "diff", "--profile", profile])
            .arg(&old)
            .arg(&new)
            .assert()
            .code(1)
            .get_output()
            .clone();
        let text = String::from_utf8_lossy(&out.stdout);
        let events = events_of(profile.parse().unwrap()).len();
        assert!(
            text.contains(&format!(
                "1 changes at {events} places: 0 break consumers, {events} break senders"
            )) && text.contains("required-key-added: required key `account_id` added"),
            "{profile}: {text}"
        );
    }
}

#[test]
fn diff_command_line_reports_and_exit_codes() {
    let (_dir, old, new) = changed(|s| {
        let t = thing(s);
        t["required"] = json!(["id", "name"]); // status now optional: consumers
        t["properties"]["nickname"] = json!({"type": "string"}); // narrowed: senders
    });
    let out = hookcheck_cmd()
        .args(["schemas", "diff"])
        .arg(&old)
        .arg(&new)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "BREAKING for consumers: key-now-optional: key `status` is now optional (was required)"
        ),
        "{text}"
    );
    assert!(
        text.contains("BREAKING for senders: type-narrowed: type string (was null or string)"),
        "{text}"
    );
    assert!(text.contains("thing_created  /nickname"), "{text}");
    assert!(
        text.contains(
            "2 changes at 4 places: 2 break consumers, 2 break senders, 0 break no one -> breaking"
        ),
        "{text}"
    );

    let out = hookcheck_cmd()
        .args(["schemas", "diff", "--format", "json", "--for", "consumers"])
        .arg(&old)
        .arg(&new)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let summary = lines.last().expect("summary");
    assert_eq!(summary["type"], "summary");
    assert_eq!(
        (
            summary["breaking_consumers"].as_u64(),
            summary["breaking_senders"].as_u64()
        ),
        (Some(2), Some(2))
    );
    let first = &lines[0];
    assert_eq!(first["type"], "change");
    assert!(
        first["breaking_for"].is_array()
            && first["event"].is_string()
            && first["pointer"].is_string()
    );

    // Same set: exit 0. A path that is not a schema set: exit 2.
    hookcheck_cmd()
        .args(["schemas", "diff"])
        .arg(&old)
        .arg(&old)
        .assert()
        .code(0);
    hookcheck_cmd()
        .args(["schemas", "diff"])
        .arg(&old)
        .arg(old.join("no-such-dir"))
        .assert()
        .code(2);
    let empty = tempfile::tempdir().expect("tempdir");
    hookcheck_cmd()
        .args(["schemas", "diff"])
        .arg(&old)
        .arg(empty.path())
        .assert()
        .code(2);
}

#[test]
fn schemas_list_show_and_export_on_the_command_line() {
    let out = hookcheck_cmd()
        .args(["schemas", "list"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), catalog().files().len());
    assert!(text.contains("chatwoot/webhook.json"));
    let out = hookcheck_cmd()
        .args(["schemas", "show", "schemas/chatwoot/webhook.json"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        catalog().file("chatwoot/webhook.json").expect("entry").text
    );
    hookcheck_cmd()
        .args(["schemas", "show", "nope.json"])
        .assert()
        .code(2);

    let dir = tempfile::tempdir().expect("tempdir");
    for profile in Profile::ALL {
        for (format, name) in FORMATS {
            let path = dir.path().join(format!("{name}-{profile}.json"));
            hookcheck_cmd()
                .args([
                    "schemas",
                    "export",
                    "--format",
                    name,
                    "--profile",
                    profile.name(),
                    "--out",
                ])
                .arg(&path)
                .assert()
                .code(0);
            let written = std::fs::read_to_string(&path).expect("written");
            assert_eq!(
                written,
                export::to_text(&exported(format, profile)),
                "{name} {profile}"
            );
        }
    }
    let out = hookcheck_cmd()
        .args(["schemas", "export", "--format", "asyncapi"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        export::to_text(&exported(Format::Asyncapi, Profile::Compat))
    );
    hookcheck_cmd()
        .args(["schemas", "export", "--format", "yaml"])
        .assert()
        .code(2);
    hookcheck_cmd()
        .args(["schemas", "export", "--format", "bundle", "--profile", "v9"])
        .assert()
        .code(2);
}
