//! Every flag does what its help says: one test per flag that no other test exercises (`--version`,
//! `validate -v`, `verify --path/--expect/--grace-ms/--concurrency/--bind`; `listen --events/--path` is in
//! `listen.rs`, on its harness). Each asserts the flag's effect against a run without it.

use serde_json::Value;

use crate::{
    cli::{hookcheck, json_lines},
    util::fixture,
};

fn of_type<'a>(lines: &'a [Value], t: &str) -> Vec<&'a Value> {
    lines.iter().filter(|v| v["type"] == t).collect()
}

/// The error rules of a delivery object (warnings such as a missing Accept header left out).
fn rules(delivery: &Value) -> Vec<String> {
    delivery["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["rule"].as_str().expect("rule").to_string())
        .collect()
}

/// `sh -c SCRIPT` as verify's CMD, with `$SENDER` the fixture sender.
fn sh(script: &str) -> Vec<String> {
    vec![
        "sh".into(),
        "-c".into(),
        script.replace(
            "$SENDER",
            &fixture("senders/sender.py").display().to_string(),
        ),
    ]
}

#[test]
fn version_prints_the_crate_version() {
    let out = hookcheck()
        .arg("--version")
        .assert()
        .code(0)
        .get_output()
        .clone();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("hookcheck {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn validate_verbose_adds_a_line_per_conforming_payload() {
    let quiet = hookcheck()
        .arg("validate")
        .assert()
        .code(0)
        .get_output()
        .clone();
    let loud = hookcheck()
        .args(["validate", "-v"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let (quiet, loud) = (
        String::from_utf8_lossy(&quiet.stdout).into_owned(),
        String::from_utf8_lossy(&loud.stdout).into_owned(),
    );
    let example = "embedded:examples/chatwoot/contact_updated.json";
    assert!(!quiet.contains(example), "{quiet}");
    assert!(loud.contains(example), "{loud}");
    assert!(
        loud.lines().count() >= quiet.lines().count() + 9,
        "one more line per embedded example:\n{loud}"
    );
}

#[test]
fn verify_path_is_the_path_deliveries_must_use() {
    let base = ["verify", "--events", "contact_created", "--format", "json"];
    // The reference sender posts to WEBHOOK_URL, which ends with --path.
    let out = hookcheck()
        .args(base)
        .args(["--count", "1", "--path", "/chatwoot/hooks"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let lines = json_lines(&out.stdout);
    let deliveries = of_type(&lines, "delivery");
    assert_eq!(deliveries.len(), 1, "{lines:?}");
    assert_eq!(deliveries[0]["path"], "/chatwoot/hooks");
    // A sender that posts elsewhere is caught.
    let out = hookcheck()
        .args(base)
        .args(["--path", "/chatwoot/hooks", "--"])
        .args(sh(
            r#"WEBHOOK_URL="${WEBHOOK_URL%/chatwoot/hooks}/elsewhere" exec python3 "$SENDER" good"#,
        ))
        .assert()
        .code(1)
        .get_output()
        .clone();
    let lines = json_lines(&out.stdout);
    let deliveries = of_type(&lines, "delivery");
    assert_eq!(deliveries.len(), 1, "{lines:?}");
    assert_eq!(deliveries[0]["path"], "/elsewhere");
    assert_eq!(rules(deliveries[0]), ["delivery/path"]);
}

#[test]
fn verify_expect_is_the_exact_number_of_deliveries() {
    let run = |n: &str| {
        hookcheck()
            .args([
                "verify",
                "--events",
                "contact_created",
                "--format",
                "json",
                "--expect",
                n,
                "--",
            ])
            .args(sh(r#"exec python3 "$SENDER" good"#))
            .output()
            .expect("run")
    };
    let one = run("1");
    assert_eq!(
        one.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&one.stdout)
    );
    let two = run("2");
    assert_eq!(two.status.code(), Some(1));
    let lines = json_lines(&two.stdout);
    let run_findings: Vec<&Value> = lines
        .iter()
        .filter(|v| v["type"] == "finding" && v["finding"]["rule"] == "delivery/count")
        .collect();
    assert_eq!(run_findings.len(), 1, "{lines:?}");
    assert_eq!(
        run_findings[0]["finding"]["message"],
        "1 delivery arrived, expected 2"
    );
}

#[test]
fn verify_grace_ms_waits_for_deliveries_after_the_command_exits() {
    // CMD exits at once and leaves a sender behind that delivers a second later.
    let late = sh(r#"(sleep 1; python3 "$SENDER" good) & exit 0"#);
    let short = hookcheck()
        .args([
            "verify",
            "--events",
            "contact_created",
            "--grace-ms",
            "100",
            "--",
        ])
        .args(&late)
        .output()
        .expect("run");
    assert_eq!(
        short.status.code(),
        Some(4),
        "the late sender was stopped with CMD's group: nothing arrived\n{}",
        String::from_utf8_lossy(&short.stdout)
    );
    let started = std::time::Instant::now();
    let long = hookcheck()
        .args([
            "verify",
            "--events",
            "contact_created",
            "--grace-ms",
            "20000",
            "--expect",
            "1",
            "--",
        ])
        .args(&late)
        .output()
        .expect("run");
    assert_eq!(
        long.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&long.stdout)
    );
    // --expect ends the wait as soon as the delivery is in, long before the grace period.
    assert!(started.elapsed().as_secs() < 20);
}

#[test]
fn verify_concurrency_sends_in_parallel_and_zero_is_a_usage_error() {
    let out = hookcheck()
        .args(["verify", "--count", "5", "--concurrency", "8"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("concurrency 8"), "{stderr}");
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("Verification passed: 70 deliveries conform"),
        "14 events x 5"
    );
    let zero = hookcheck()
        .args(["verify", "--concurrency", "0"])
        .output()
        .expect("run");
    assert_eq!(zero.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&zero.stderr).contains("--concurrency"));
}

#[test]
fn verify_bind_is_the_address_given_to_the_command() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let dir = tempfile::tempdir().expect("tempdir");
    let seen = dir.path().join("url");
    let out = hookcheck()
        .args(["verify", "--events", "contact_created", "--bind"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--")
        .args(sh(&format!(
            r#"printf %s "$WEBHOOK_URL" > '{}'; exec python3 "$SENDER" good"#,
            seen.display()
        )))
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let url = std::fs::read_to_string(&seen).expect("WEBHOOK_URL written");
    assert_eq!(
        url.trim_end_matches('/'),
        format!("http://127.0.0.1:{port}")
    );
    // An address already taken is a usage error that names it.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let addr = taken.local_addr().expect("addr").to_string();
    let out = hookcheck()
        .args(["verify", "--bind", &addr])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&addr));
}
