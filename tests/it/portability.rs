//! The schemas work unchanged in another ecosystem's validator: Python `jsonschema` (with the same custom
//! formats, `tests/portability/validate.py`) must reach the same accept/reject verdict as hookcheck on every
//! fixture and every contract example, under both profiles.
//!
//! The Python interpreter is `$HOOKCHECK_PYTHON` (`.ci/run` sets it to a local virtual environment). Without
//! it, the test makes its own environment in `target/portability-venv` from PyPI. If neither works the test
//! FAILS with instructions: a skipped portability check must never look like a passing one.
use std::{path::PathBuf, process::Command};

use hookcheck::Profile;
use serde_json::Value;

use crate::util::{catalog, root};

fn python() -> PathBuf {
    crate::util::python_with(
        "portability-venv",
        "jsonschema, referencing",
        &["jsonschema>=4.18,<5"],
    )
}

fn python_verdicts(profile: Profile, files: &[PathBuf]) -> Vec<(String, Option<u64>, bool)> {
    let out = Command::new(python())
        .arg(root().join("tests/portability/validate.py"))
        .arg("--schemas")
        .arg(root().join("schemas/chatwoot"))
        .args(["--profile", profile.name()])
        .args(files)
        .output()
        .expect("run validate.py");
    assert!(
        out.status.success(),
        "validate.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("validate.py prints JSON lines");
            (
                v["source"].as_str().unwrap_or("").to_string(),
                v["line"].as_u64(),
                v["valid"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

fn fixture_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["tests/fixtures/seeds"] {
        for e in std::fs::read_dir(root().join(dir)).expect("fixtures") {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    for ex in catalog().examples() {
        files.push(root().join("examples").join(ex.path));
    }
    files.sort();
    files
}

#[test]
fn python_jsonschema_accepts_every_schema_file_against_the_meta_schema() {
    let out = Command::new(python())
        .arg(root().join("tests/portability/validate.py"))
        .arg("--schemas")
        .arg(root().join("schemas/chatwoot"))
        .args(["--profile", "compat", "--check-metaschema"])
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
fn python_jsonschema_reaches_the_same_verdict_on_every_fixture() {
    let files = fixture_files();
    assert!(files.len() >= 15, "{files:?}");
    for profile in Profile::ALL {
        let theirs = python_verdicts(profile, &files);
        assert_eq!(theirs.len(), files.len(), "one verdict per file");
        for ((source, _, valid), path) in theirs.iter().zip(&files) {
            let bytes = std::fs::read(path).expect("read");
            let v: Value = serde_json::from_slice(&bytes).expect("fixture JSON");
            let body = if v.get("event").is_none() && v.get("body").is_some() {
                &v["body"]
            } else {
                &v
            };
            let ours = catalog().validate_value(
                body,
                &hookcheck::Options {
                    profile,
                    ..Default::default()
                },
            );
            assert_eq!(
                ours.conforms(false),
                *valid,
                "{profile}: {source}: hookcheck {:?} vs python {valid}",
                ours.findings
            );
        }
    }
}

/// Generated payloads (valid ones) are accepted by the independent validator too, and the generated invalid
/// ones are rejected by it: the generators do not depend on a quirk of the Rust validator.
#[test]
fn python_jsonschema_agrees_on_generated_payloads() {
    use hookcheck::generate::{mutate, Generator};
    let dir = tempfile::tempdir().expect("tempdir");
    for profile in Profile::ALL {
        let g = Generator::new(catalog(), profile).expect("generator");
        let (mut valid, mut invalid) = (String::new(), String::new());
        for event in hookcheck::EventName::ALL {
            for v in g.values(event, 1, 25).expect("values") {
                valid.push_str(&serde_json::to_string(&v).expect("json"));
                valid.push('\n');
                // Semantic rules and the event name are hookcheck's own checks; the schema-level classes
                // must be rejected by any validator.
                let sites = mutate::sites(g.node(event), event, profile, &v);
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
            dir.path().join("valid.ndjson"),
            dir.path().join("invalid.ndjson"),
        );
        std::fs::write(&vp, valid).expect("write");
        std::fs::write(&ip, invalid).expect("write");
        let verdicts = python_verdicts(profile, &[vp]);
        assert_eq!(verdicts.len(), 300);
        assert!(
            verdicts.iter().all(|(_, _, ok)| *ok),
            "{profile}: python rejects generated payloads at lines {:?}",
            verdicts
                .iter()
                .filter(|v| !v.2)
                .map(|v| v.1)
                .collect::<Vec<_>>()
        );
        let verdicts = python_verdicts(profile, &[ip]);
        assert!(verdicts.len() >= 250);
        assert!(
            verdicts.iter().all(|(_, _, ok)| !*ok),
            "{profile}: python accepts mutated payloads at lines {:?}",
            verdicts
                .iter()
                .filter(|v| v.2)
                .map(|v| v.1)
                .collect::<Vec<_>>()
        );
    }
}
