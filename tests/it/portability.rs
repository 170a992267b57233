//! The contract works unchanged in another ecosystem's validator, with no second copy of the release logic:
//! Python `jsonschema` (with the same custom formats, `tests/portability/validate.py`) reads what hookcheck
//! EXPORTS and must reach hookcheck's verdict on every fixture and contract example:
//!
//! * per release, for a sample of releases across 2.0-4.15 ([`SAMPLE`]): the release's bundle
//!   (`hookcheck schemas export --format bundle --release X`) gives exactly hookcheck's `--release X` verdict;
//! * under `compat`, over the bundles of every distinct release contract (`--every-release`): each bundle's
//!   verdict is hookcheck's verdict for its releases, what hookcheck accepts under compat one of them
//!   accepts, and the union files read as written (`schemas/chatwoot`, a plain validator's compat) accept
//!   what some release sent: whatever compat accepts without an unknown key. (Not whatever compat or some
//!   release's bundle accepts: a release lets a key it never sent through whatever its value, with a
//!   warning, where the union checks it against the releases that send it.) The exception, by design: compat also rejects a payload that only releases
//!   lacking some of its keys accept (another release's keys are not a fork's); such a payload carries
//!   unknown keys under every release that accepts it (checked).
//!
//! The Python interpreter is `$HOOKCHECK_PYTHON` (`.ci/run` sets it to a local virtual environment). Without
//! it, the test makes its own environment in `target/portability-venv` from PyPI. If neither works the test
//! FAILS with instructions: a skipped portability check must never look like a passing one.
use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
    process::Command,
    sync::OnceLock,
};

use hookcheck::{
    export::{self, Format},
    release::ReleaseSet,
    Profile,
};
use serde_json::Value;

use crate::util::{catalog, root};

/// Releases whose exports are checked one by one: the first release, the last one of the
/// `conversation_opened` era's neighbours, contact events (2.14.0), 3.0.0, typing events (4.2.0), the last
/// unsigned release and the newest.
pub(crate) const SAMPLE: [&str; 7] = [
    "2.0.0", "2.5.0", "2.14.0", "3.0.0", "4.2.0", "4.11.2", "4.15.1",
];

/// The sample as profiles.
pub(crate) fn sample() -> Vec<Profile> {
    SAMPLE
        .iter()
        .map(|r| Profile::release(r).expect("a known release"))
        .collect()
}

fn python() -> PathBuf {
    crate::util::python_with(
        "portability-venv",
        "jsonschema, referencing",
        &["jsonschema>=4.18,<5"],
    )
}

/// A directory below `target/portability-exports`, emptied on first use in this process (the exports
/// are shared by several tests and rewritten by every run).
fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/portability-exports").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

/// `hookcheck schemas export --format bundle --every-release --out DIR`, through the command line: one
/// bundle per distinct release contract and `index.json`. Written once per test run.
pub(crate) fn every_release_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch("every-release");
        assert_cmd::Command::cargo_bin("hookcheck")
            .expect("binary")
            .args([
                "schemas",
                "export",
                "--format",
                "bundle",
                "--every-release",
                "--out",
            ])
            .arg(&dir)
            .assert()
            .code(0);
        dir
    })
}

/// The distinct release contracts of `index.json`: `(label, releases)`, oldest first.
pub(crate) fn contracts(dir: &Path) -> Vec<(String, ReleaseSet)> {
    let index: Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).expect("index.json"))
            .expect("index JSON");
    index["contracts"]
        .as_array()
        .expect("contracts")
        .iter()
        .map(|c| {
            let releases = c["releases"]
                .as_array()
                .expect("releases")
                .iter()
                .map(|r| {
                    hookcheck::release::Release::parse(r.as_str().expect("version")).expect("known")
                })
                .collect();
            (c["ranges"].as_str().expect("ranges").to_string(), releases)
        })
        .collect()
}

/// A release's bundle, written by the library (`export::export`), as a file.
pub(crate) fn bundle_file(profile: Profile) -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let dir = DIR.get_or_init(|| scratch("bundles"));
    let path = dir.join(format!("bundle-{profile}.json"));
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if !path.is_file() {
        let doc = export::export(catalog(), Format::Bundle, profile).expect("export");
        std::fs::write(&path, export::to_text(&doc)).expect("write");
    }
    path
}

/// One verdict line of validate.py / validate.js.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    pub valid: bool,
    pub errors: String,
    /// With several bundles: the labels of those that accept.
    pub accepted_by: BTreeSet<String>,
}

/// Reads the JSON lines of validate.py / validate.js.
pub(crate) fn verdicts(out: &str) -> Vec<Verdict> {
    out.lines()
        .map(|l| {
            let v: Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"));
            Verdict {
                valid: v["valid"].as_bool().expect("valid"),
                errors: v["errors"].to_string(),
                accepted_by: v["accepted_by"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect(),
            }
        })
        .collect()
}

fn run_python(args: &[&std::ffi::OsStr]) -> Vec<Verdict> {
    let out = Command::new(python())
        .arg(root().join("tests/portability/validate.py"))
        .args(args)
        .output()
        .expect("run validate.py");
    assert!(
        out.status.success(),
        "validate.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    verdicts(&String::from_utf8_lossy(&out.stdout))
}

/// hookcheck's verdict on the schema alone: no error but the semantic rules (which are not schema rules).
pub(crate) fn hookcheck_schema_verdict(profile: Profile, v: &Value) -> bool {
    let report = catalog().validate_value(
        v,
        &hookcheck::Options {
            profile,
            ..Default::default()
        },
    );
    let schema_valid = report.errors().all(|f| f.rule.starts_with("semantic/"));
    schema_valid
}

/// Whether hookcheck warns about an unknown key under `profile`.
pub(crate) fn has_unknown_keys(profile: Profile, v: &Value) -> bool {
    let report = catalog().validate_value(
        v,
        &hookcheck::Options {
            profile,
            ..Default::default()
        },
    );
    report
        .findings
        .iter()
        .any(|f| f.rule == hookcheck::finding::rule::UNKNOWN_KEY)
}

/// The seeds (the product docs' defective samples) and the contract examples, with their bodies.
fn fixtures() -> Vec<(PathBuf, Value)> {
    let mut files: Vec<PathBuf> = Vec::new();
    for e in std::fs::read_dir(root().join("tests/fixtures/seeds")).expect("fixtures") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "json") {
            files.push(p);
        }
    }
    for ex in catalog().examples() {
        files.push(root().join("examples").join(ex.path));
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let v: Value =
                serde_json::from_slice(&std::fs::read(&p).expect("read")).expect("fixture JSON");
            let body = if v.get("event").is_none() && v.get("body").is_some() {
                v["body"].clone()
            } else {
                v
            };
            (p, body)
        })
        .collect()
}

#[test]
fn python_jsonschema_accepts_every_schema_file_against_the_meta_schema() {
    let out = Command::new(python())
        .arg(root().join("tests/portability/validate.py"))
        .arg("--schemas")
        .arg(root().join("schemas/chatwoot"))
        .arg("--check-metaschema")
        .output()
        .expect("run validate.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        catalog().files().len()
    );
}

#[test]
fn python_jsonschema_on_a_release_bundle_reaches_hookcheck_verdict_on_every_fixture() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 15, "{}", fixtures.len());
    let files: Vec<&std::ffi::OsStr> = fixtures.iter().map(|(p, _)| p.as_os_str()).collect();
    let mut differences = Vec::new();
    let mut accepted = 0;
    for profile in sample() {
        let bundle = bundle_file(profile);
        let mut args = vec![std::ffi::OsStr::new("--bundle"), bundle.as_os_str()];
        args.extend(&files);
        let theirs = run_python(&args);
        assert_eq!(theirs.len(), fixtures.len(), "one verdict per file");
        for ((path, body), t) in fixtures.iter().zip(&theirs) {
            let ours = hookcheck_schema_verdict(profile, body);
            accepted += usize::from(ours);
            if ours != t.valid {
                differences.push(format!(
                    "{profile}: {}: hookcheck {ours}, python {} {}",
                    path.display(),
                    t.valid,
                    t.errors
                ));
            }
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    // Not vacuous: the examples are current payloads (accepted by the newest releases), the seeds are not.
    assert!(accepted >= 8, "{accepted} accepted verdicts");
}

#[test]
fn python_jsonschema_over_every_release_bundle_and_the_union_files_agrees_with_compat() {
    let fixtures = fixtures();
    let files: Vec<&std::ffi::OsStr> = fixtures.iter().map(|(p, _)| p.as_os_str()).collect();
    let dir = every_release_dir();
    let contracts = contracts(dir);
    assert!(contracts.len() > 20, "{} contracts", contracts.len());
    let mut args = vec![std::ffi::OsStr::new("--releases"), dir.as_os_str()];
    args.extend(&files);
    let per_release = run_python(&args);
    let schemas = root().join("schemas/chatwoot");
    let mut args = vec![std::ffi::OsStr::new("--schemas"), schemas.as_os_str()];
    args.extend(&files);
    let union = run_python(&args);
    assert_eq!(per_release.len(), fixtures.len());
    assert_eq!(union.len(), fixtures.len());
    let mut differences = Vec::new();
    for (((path, body), some), all) in fixtures.iter().zip(&per_release).zip(&union) {
        check_compat(
            &path.display().to_string(),
            body,
            &contracts,
            some,
            all.valid,
            &mut differences,
        );
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

/// The compat relations for one body (see the module docs); problems go to `out`.
pub(crate) fn check_compat(
    label: &str,
    body: &Value,
    contracts: &[(String, ReleaseSet)],
    per_release: &Verdict,
    union_accepts: bool,
    out: &mut Vec<String>,
) {
    // Each contract's bundle gives hookcheck's verdict for its releases.
    for (name, releases) in contracts {
        let r = releases.newest().expect("non-empty");
        let ours = hookcheck_schema_verdict(Profile::Release(r), body);
        let theirs = per_release.accepted_by.contains(name);
        if ours != theirs {
            out.push(format!(
                "{label}: release {name}: hookcheck {ours}, the release's bundle {theirs}"
            ));
        }
    }
    let compat = hookcheck_schema_verdict(Profile::Compat, body);
    if per_release.valid == per_release.accepted_by.is_empty() {
        out.push(format!("{label}: `valid` is not `some bundle accepts`"));
    }
    if compat && !per_release.valid {
        out.push(format!(
            "{label}: compat accepts, no release's bundle does: {}",
            per_release.errors
        ));
    }
    if compat && !has_unknown_keys(Profile::Compat, body) && !union_accepts {
        out.push(format!(
            "{label}: compat accepts it without an unknown key, the union files reject"
        ));
    }
    if !compat && per_release.valid {
        // By design (Catalog::fit): the releases that accept it lack some of its keys.
        for (name, releases) in contracts
            .iter()
            .filter(|(n, _)| per_release.accepted_by.contains(n))
        {
            let r = Profile::Release(releases.newest().expect("non-empty"));
            if !has_unknown_keys(r, body) {
                out.push(format!(
                    "{label}: compat rejects what release {name} accepts without an unknown key"
                ));
            }
        }
    }
}

/// Generated payloads of each sample release (valid ones) are accepted by the release's bundle in Python,
/// and mutated ones are rejected by it: the generators do not depend on a quirk of the Rust validator.
#[test]
fn python_jsonschema_agrees_on_generated_payloads_of_every_sample_release() {
    use hookcheck::generate::{mutate, Generator};
    let dir = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    for profile in sample() {
        let g = match Generator::shared(profile) {
            Ok(g) => g,
            Err(e) => {
                failures.push(format!("{profile}: no generator: {e}"));
                continue;
            }
        };
        let (mut valid, mut invalid, mut n_valid) = (String::new(), String::new(), 0);
        for event in catalog().events(profile).expect("events") {
            for v in g.values(event, 1, 25).expect("values") {
                valid.push_str(&serde_json::to_string(&v).expect("json"));
                valid.push('\n');
                n_valid += 1;
                // Semantic rules and the event name are hookcheck's own checks; the schema-level classes
                // must be rejected by any validator.
                let sites = g.sites(catalog(), event, &v);
                if let Some(s) = sites.iter().find(|s| {
                    !matches!(
                        s.expect.class,
                        mutate::Class::BrokenRule | mutate::Class::UnknownEvent
                    )
                }) {
                    let mut broken = v.clone();
                    s.apply(event, &mut broken);
                    invalid.push_str(&serde_json::to_string(&broken).expect("json"));
                    invalid.push('\n');
                }
            }
        }
        let (vp, ip) = (
            dir.path().join(format!("valid-{profile}.ndjson")),
            dir.path().join(format!("invalid-{profile}.ndjson")),
        );
        std::fs::write(&vp, valid).expect("write");
        std::fs::write(&ip, invalid).expect("write");
        let bundle = bundle_file(profile);
        let verdicts = run_python(&["--bundle".as_ref(), bundle.as_os_str(), vp.as_os_str()]);
        assert_eq!(verdicts.len(), n_valid);
        let rejected: Vec<_> = verdicts.iter().filter(|v| !v.valid).collect();
        if !rejected.is_empty() {
            failures.push(format!(
                "{profile}: python rejects {} generated payloads: {:?}",
                rejected.len(),
                rejected
                    .iter()
                    .take(3)
                    .map(|v| &v.errors)
                    .collect::<Vec<_>>()
            ));
        }
        let verdicts = run_python(&["--bundle".as_ref(), bundle.as_os_str(), ip.as_os_str()]);
        assert!(
            verdicts.len() * 10 >= n_valid * 8,
            "{profile}: too few mutations"
        );
        let accepted = verdicts.iter().filter(|v| v.valid).count();
        if accepted > 0 {
            failures.push(format!(
                "{profile}: python accepts {accepted} mutated payloads"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
