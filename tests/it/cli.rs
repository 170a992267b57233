use std::{collections::BTreeMap, io::Write};

use assert_cmd::Command;
use serde_json::Value;

use crate::util::{fixture, snapshot_settings};

/// The binary under test, without a secret inherited from the environment.
pub(crate) fn hookcheck() -> Command {
    let mut c = Command::cargo_bin("hookcheck").expect("binary");
    c.env_remove("HOOKCHECK_SECRET");
    c
}

pub(crate) fn json_lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

#[test]
fn no_input_checks_the_embedded_examples_and_exits_0() {
    let out = hookcheck()
        .arg("validate")
        .assert()
        .code(0)
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("checked 9 payloads: 9 conform, 0 violate"),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("9 embedded contract examples"));
    hookcheck()
        .args(["validate", "--profile", "v4.15"])
        .assert()
        .code(0);
}

#[test]
fn a_violation_exits_1_and_the_human_report_is_snapshotted() {
    let out = hookcheck()
        .current_dir(crate::util::root())
        .args([
            "validate",
            "tests/fixtures/seeds/trino-message_created.json",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "cli_human_trino_message_created",
            String::from_utf8_lossy(&out.stdout)
        )
    });
}

#[test]
fn json_format_is_one_object_per_finding_then_a_summary() {
    let out = hookcheck()
        .current_dir(crate::util::root())
        .args([
            "validate",
            "--format",
            "json",
            "tests/fixtures/seeds/trino-webwidget_triggered.json",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let lines = json_lines(&out.stdout);
    let (summary, findings) = lines.split_last().expect("summary");
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["payloads"], 1);
    assert!(!findings.is_empty());
    for f in findings {
        assert_eq!(f["type"], "finding");
        for k in [
            "source", "line", "event", "profile", "severity", "rule", "pointer", "schema",
            "message", "value",
        ] {
            assert!(f.get(k).is_some(), "missing field {k} in {f}");
        }
    }
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "cli_json_trino_webwidget",
            String::from_utf8_lossy(&out.stdout)
        )
    });
}

#[test]
fn ndjson_findings_name_the_line_and_stdin_works() {
    let good = r#"{"event":"contact_created","id":1,"name":"a","avatar":"","thumbnail":"","account":{"id":1,"name":"Acme"},"additional_attributes":{},"custom_attributes":{},"email":null,"identifier":null,"phone_number":null,"blocked":false}"#;
    let bad = r#"{"event":"contact_created","id":"1","name":"a","avatar":"","thumbnail":"","account":{"id":1,"name":"Acme"},"additional_attributes":{},"custom_attributes":{},"email":null,"identifier":null,"phone_number":null,"blocked":false}"#;
    let input = format!("{good}\n\n{bad}\n{good}\n");
    let out = hookcheck()
        .args(["validate", "--format", "json", "-"])
        .write_stdin(input)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let lines = json_lines(&out.stdout);
    assert_eq!(lines[0]["line"], 3);
    assert_eq!(lines[0]["source"], "-");
    assert_eq!(lines[0]["pointer"], "/id");
    assert_eq!(lines.last().expect("summary")["payloads"], 3);
    // A pretty-printed document on stdin is one payload, not one per line.
    let pretty = serde_json::to_string_pretty(
        &serde_json::json!({"event":"contact_created","id":1,"name":"a","avatar":"","thumbnail":"","account":{"id":1,"name":"Acme"},"additional_attributes":{},"custom_attributes":{},"email":null,"identifier":null,"phone_number":null,"blocked":false}),
    )
    .expect("json");
    hookcheck()
        .args(["validate", "-"])
        .write_stdin(pretty)
        .assert()
        .code(0);
}

#[test]
fn directories_are_searched_recursively_and_unreadable_paths_exit_2_without_hiding_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("a/b")).expect("mkdir");
    std::fs::write(
        dir.path().join("a/b/x.json"),
        r#"{"event":"contact_created","id":1,"name":"a","avatar":"","thumbnail":"","account":{"id":1,"name":"Acme"},"additional_attributes":{},"custom_attributes":{},"email":null,"identifier":null,"phone_number":null,"blocked":false}"#,
    )
    .expect("write");
    std::fs::write(
        dir.path().join("a/y.jsonl"),
        "{\"event\":\"contact_created\",\"id\":2,\"name\":\"b\",\"avatar\":\"\",\"thumbnail\":\"\",\"account\":{\"id\":1,\"name\":\"Acme\"},\"additional_attributes\":{},\"custom_attributes\":{},\"email\":null,\"identifier\":null,\"phone_number\":null,\"blocked\":false}\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("a/ignored.txt"), "not a payload").expect("write");
    let out = hookcheck()
        .arg("validate")
        .arg(dir.path())
        .assert()
        .code(0)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stdout).contains("checked 2 payloads: 2 conform"));
    let out = hookcheck()
        .arg("validate")
        .arg(dir.path().join("missing.json"))
        .arg(dir.path())
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("input error:") && stdout.contains("missing.json"),
        "{stdout}"
    );
    assert!(
        stdout.contains("checked 2 payloads"),
        "the readable inputs are still checked: {stdout}"
    );
}

#[test]
fn bad_files_give_findings_not_crashes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = dir.path().join("binary.json");
    std::fs::write(&bin, [0u8, 159, 146, 150, 255, 0, 1]).expect("write");
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "").expect("write");
    let truncated = dir.path().join("truncated.json");
    std::fs::write(
        &truncated,
        r#"{"event":"message_created","id":1,"content":"hel"#,
    )
    .expect("write");
    let out = hookcheck()
        .args(["validate", "--format", "json"])
        .args([&bin, &empty, &truncated])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let rules: Vec<String> = json_lines(&out.stdout)
        .iter()
        .filter(|l| l["type"] == "finding")
        .map(|l| l["rule"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(rules, vec!["json/utf8", "json/empty", "json/syntax"]);
}

#[test]
fn deny_warnings_turns_unknown_keys_into_failures() {
    let typo = r#"{"event":"contact_created","id":1,"name":"a","avatar":"","thumbnail":"","account":{"id":1,"name":"Acme"},"additional_attributes":{},"custom_attributes":{},"email":null,"identifier":null,"phone_number":null,"blocked":false,"acount_id":1}"#;
    hookcheck()
        .args(["validate", "-"])
        .write_stdin(typo)
        .assert()
        .code(0);
    let out = hookcheck()
        .args(["validate", "--deny-warnings", "-"])
        .write_stdin(typo)
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("warning[unknown-key]: unknown key `acount_id`"));
}

#[test]
fn recorded_delivery_envelopes_are_checked_by_their_body() {
    let mut f = tempfile::Builder::new()
        .suffix(".json")
        .tempfile()
        .expect("tempfile");
    write!(f, r#"{{"headers":{{"Content-Type":"application/json"}},"body":{{"event":"contact_created","id":"1","name":"a","avatar":"","thumbnail":"","account":{{"id":1,"name":"Acme"}},"additional_attributes":{{}},"custom_attributes":{{}},"email":null,"identifier":null,"phone_number":null,"blocked":false}}}}"#).expect("write");
    let out = hookcheck()
        .args(["validate", "--format", "json"])
        .arg(f.path())
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(json_lines(&out.stdout)[0]["pointer"], "/body/id");
}

#[test]
fn usage_errors_exit_2() {
    hookcheck()
        .args(["validate", "--profile", "v9"])
        .assert()
        .code(2);
    let out = hookcheck()
        .args(["validate", "--event", "mesage_created", "-"])
        .write_stdin("{}")
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `message_created`?"));
    hookcheck().args(["frobnicate"]).assert().code(2);
}

#[test]
fn oversized_ndjson_records_are_findings_and_reading_goes_on() {
    let big = format!(
        "{{\"event\":\"contact_created\",\"id\":1,\"name\":\"{}\",\"avatar\":\"\",\"thumbnail\":\"\",\"account\":{{\"id\":1,\"name\":\"Acme\"}},\"additional_attributes\":{{}},\"custom_attributes\":{{}},\"email\":null,\"identifier\":null,\"phone_number\":null,\"blocked\":false}}",
        "x".repeat(5000)
    );
    let input = format!("{big}\n{{\"event\":\"contact_created\",\"id\":1,\"name\":\"a\",\"avatar\":\"\",\"thumbnail\":\"\",\"account\":{{\"id\":1,\"name\":\"Acme\"}},\"additional_attributes\":{{}},\"custom_attributes\":{{}},\"email\":null,\"identifier\":null,\"phone_number\":null,\"blocked\":false}}\n");
    let out = hookcheck()
        .args(["validate", "--format", "json", "--max-bytes", "1000", "-"])
        .write_stdin(input)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let lines = json_lines(&out.stdout);
    assert_eq!(
        (lines[0]["rule"].as_str(), lines[0]["line"].as_u64()),
        (Some("json/too-large"), Some(1))
    );
    assert_eq!(lines.last().expect("summary")["payloads"], 2);
}

#[test]
fn schemas_lists_and_prints_embedded_files() {
    let out = hookcheck()
        .args(["schemas", "list"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stdout).contains("chatwoot/events/message_created.json"));
    let out = hookcheck()
        .args(["schemas", "show", "chatwoot/webhook.json"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let v: Value = serde_json::from_slice(&out.stdout).expect("schema is JSON");
    assert_eq!(
        v["$id"],
        "https://hookcheck.dev/schemas/chatwoot/webhook.json"
    );
    let _ = fixture("seeds");
}

#[test]
fn generate_is_byte_identical_for_a_seed_and_prints_the_seed() {
    let run = || {
        hookcheck()
            .args(["generate", "--all", "--count", "3", "--seed", "9"])
            .assert()
            .code(0)
            .get_output()
            .clone()
    };
    let (a, b) = (run(), run());
    assert_eq!(a.stdout, b.stdout);
    // Three per event, the 2.x-only events included (compat covers every release).
    assert_eq!(
        String::from_utf8_lossy(&a.stdout).lines().count(),
        3 * hookcheck::EventName::ALL.len()
    );
    assert!(String::from_utf8_lossy(&a.stderr).contains("seed 9"));
    let other = hookcheck()
        .args(["generate", "--all", "--count", "3", "--seed", "10"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    assert_ne!(a.stdout, other.stdout);
}

#[test]
fn generated_payloads_validate_and_invalid_ones_are_rejected_line_by_line_at_the_recorded_pointer()
{
    let dir = tempfile::tempdir().expect("tempdir");
    for profile in ["compat", "v4.15"] {
        let valid = dir.path().join(format!("valid-{profile}.ndjson"));
        let out = hookcheck()
            .args([
                "generate",
                "--all",
                "--count",
                "40",
                "--seed",
                "1",
                "--profile",
                profile,
            ])
            .assert()
            .code(0)
            .get_output()
            .clone();
        std::fs::write(&valid, &out.stdout).expect("write");
        hookcheck()
            .args(["validate", "--deny-warnings", "--profile", profile])
            .arg(&valid)
            .assert()
            .code(0);

        let invalid = dir.path().join(format!("invalid-{profile}.ndjson"));
        let expect = dir.path().join(format!("expect-{profile}.ndjson"));
        let out = hookcheck()
            .args([
                "generate",
                "--all",
                "--count",
                "40",
                "--seed",
                "1",
                "--invalid",
                "--profile",
                profile,
                "--expect",
            ])
            .arg(&expect)
            .assert()
            .code(0)
            .get_output()
            .clone();
        std::fs::write(&invalid, &out.stdout).expect("write");
        let report = hookcheck()
            .args(["validate", "--format", "json", "--profile", profile])
            .arg(&invalid)
            .assert()
            .code(1)
            .get_output()
            .clone();
        let findings = json_lines(&report.stdout);
        let expectations = std::fs::read_to_string(&expect).expect("expect file");
        let mut checked = 0;
        for e in expectations
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("json"))
        {
            // Under compat the report is the closest release's, which may weigh another error above
            // the mutated one (see generate.rs): an error on the line is what is promised there.
            let hit = findings.iter().any(|f| {
                f["line"] == e["line"]
                    && f["severity"] == "error"
                    && (profile == "compat"
                        || (f["pointer"] == e["pointer"] && f["rule"] == e["rule"]))
            });
            assert!(
                hit,
                "{profile}: line {} expected {} at {} ({})",
                e["line"], e["rule"], e["pointer"], e["description"]
            );
            checked += 1;
        }
        let events = crate::util::catalog()
            .events(profile.parse().expect("profile"))
            .expect("events")
            .len();
        assert_eq!(checked, 40 * events);
        let summary = findings.last().expect("summary");
        assert_eq!(
            (summary["payloads"].as_u64(), summary["violating"].as_u64()),
            (Some((40 * events) as u64), Some((40 * events) as u64))
        );
        if profile == "compat" {
            // The exact union, through the CLI: `hookcheck releases` finds no release whose schemas accept a
            // broken line (a broken semantic rule is judged by the rule, not the schemas), and names the
            // closest one.
            let fits = hookcheck()
                .args(["releases", "--format", "json"])
                .arg(&invalid)
                .output()
                .expect("releases");
            let fits: BTreeMap<u64, Value> = json_lines(&fits.stdout)
                .into_iter()
                .filter(|v| v["type"] == "releases")
                .map(|v| (v["line"].as_u64().expect("line"), v))
                .collect();
            assert_eq!(fits.len(), 40 * events);
            for e in expectations
                .lines()
                .map(|l| serde_json::from_str::<Value>(l).expect("json"))
                .filter(|e| !e["rule"].as_str().unwrap_or("").starts_with("semantic/"))
            {
                let fit = &fits[&e["line"].as_u64().expect("line")];
                assert_eq!(
                    fit["ranges"],
                    serde_json::json!([]),
                    "line {} ({}) fits a release: {fit}",
                    e["line"],
                    e["description"]
                );
                // An unknown event has no releases to compare: said so, instead of a closest release.
                assert!(
                    fit["closest"].is_string()
                        || (fit["event"].is_null() && fit["error"].is_string()),
                    "{fit}"
                );
            }
        }
    }
}

#[test]
fn generate_coverage_prints_the_table() {
    let out = hookcheck()
        .args([
            "generate",
            "--event",
            "conversation_created",
            "--release",
            "4.15.1",
            "--coverage",
            "--count",
            "1000",
            "--seed",
            "1",
        ])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("# conversation_created:") && text.contains(" 0 never"),
        "{}",
        &text[..text.len().min(400)]
    );
    assert!(text.contains("branch    [channel=Channel::WebWidget]"));
    // One release: one contract, every payload drawn from it, nothing left.
    let own: Vec<&str> = text.lines().filter(|l| l.starts_with("#   ")).collect();
    assert_eq!(own.len(), 1, "{own:?}");
    assert!(
        own[0].starts_with("#   4.15.1: 1000 payloads, ") && own[0].ends_with(" 0 never"),
        "{own:?}"
    );

    // Under compat, each draw counts for the release contract it came from: contact events have two (blocked
    // arrived in 4.0.2), and the payloads drawn from each add up to --count.
    let out = hookcheck()
        .args([
            "generate",
            "--event",
            "contact_created",
            "--coverage",
            "--count",
            "60",
            "--seed",
            "3",
        ])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("# contact_created by release: 2 distinct contracts"),
        "{text}"
    );
    let per_release: Vec<(String, usize)> = text
        .lines()
        .filter_map(|l| l.strip_prefix("#   "))
        .map(|l| {
            let (releases, rest) = l.split_once(": ").expect("releases: counts");
            let drawn = rest.split_whitespace().next().expect("count");
            (releases.to_string(), drawn.parse().expect("number"))
        })
        .collect();
    let names: Vec<&str> = per_release.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(names, ["2.14.0-4.0.1", "4.0.2-4.15.1"], "{text}");
    assert_eq!(per_release.iter().map(|(_, n)| n).sum::<usize>(), 60);
    assert!(per_release.iter().all(|(_, n)| *n > 0), "{text}");
}

fn sender_script() -> std::path::PathBuf {
    crate::util::fixture("senders/sender.py")
}

#[test]
fn verify_with_no_command_runs_the_reference_sender_and_exits_0() {
    let out = hookcheck()
        .arg("verify")
        .assert()
        .code(0)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(
        "Verification passed: 42 deliveries conform (profile chatwoot, payloads compat)"
    ));
}

#[test]
fn verify_a_sender_command_in_another_language() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junit = dir.path().join("junit.xml");
    // A correct sender passes.
    hookcheck()
        .args(["verify", "--events", "contact_created", "--junit"])
        .arg(&junit)
        .arg("--")
        .arg("python3")
        .arg(sender_script())
        .arg("good")
        .assert()
        .code(0);
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    assert!(
        xml.starts_with("<?xml")
            && xml.contains("<testcase name=\"signature/mismatch\"")
            && !xml.contains("<failure"),
        "{xml}"
    );
    // A broken one fails naming the rule, and the JUnit file records the failure.
    let out = hookcheck()
        .args(["verify", "--junit"])
        .arg(&junit)
        .arg("--")
        .arg("python3")
        .arg(sender_script())
        .arg("body-only")
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stdout).contains("error[signature/mismatch]"));
    let xml = std::fs::read_to_string(&junit).expect("junit");
    assert!(
        xml.contains("<failure")
            && xml.contains("signature/mismatch at header X-Chatwoot-Signature"),
        "{xml}"
    );
    // A body finding in JUnit carries its JSON Pointer and value.
    hookcheck()
        .args(["verify", "--events", "contact_created", "--junit"])
        .arg(&junit)
        .arg("--")
        .arg("python3")
        .arg(sender_script())
        .arg("wrong-type")
        .assert()
        .code(1);
    let xml = std::fs::read_to_string(&junit).expect("junit");
    assert!(
        xml.contains("schema/type at /id: ") && xml.contains("(value: &quot;7&quot;)"),
        "{xml}"
    );
    // One that sends nothing gets the distinct exit code, and one that crashes is a finding.
    hookcheck()
        .args(["verify", "--"])
        .arg("python3")
        .arg(sender_script())
        .arg("silent")
        .assert()
        .code(4);
    let out = hookcheck()
        .args(["verify", "--"])
        .arg("python3")
        .arg(sender_script())
        .arg("fail")
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stdout).contains("error[verify/command-failed]"));
    // Unsubscribed: the sender posts contact_created to a webhook subscribed to message_created only.
    let out = hookcheck()
        .args([
            "verify",
            "--events",
            "message_created",
            "--format",
            "json",
            "--",
        ])
        .arg("python3")
        .arg(sender_script())
        .arg("good")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let lines = json_lines(&out.stdout);
    assert!(lines
        .iter()
        .filter(|l| l["type"] == "delivery")
        .flat_map(|l| l["findings"].as_array().into_iter().flatten())
        .any(|f| f["rule"] == "delivery/unsubscribed"));
    // The delivery object: the one shape verify and listen share.
    for l in lines.iter().filter(|l| l["type"] == "delivery") {
        let keys: Vec<&str> = l
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(keys, hookcheck::report::delivery::DELIVERY_FIELDS, "{l}");
    }
}

#[test]
fn listen_prints_a_line_per_delivery_records_them_and_summarises() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let dir = tempfile::tempdir().expect("tempdir");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("hookcheck"))
        .args([
            "listen",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--secret",
            "s3cret",
            "--max-deliveries",
            "2",
            "--record",
        ])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn listen");
    let url = format!("http://127.0.0.1:{port}/hooks");
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
        && started.elapsed().as_secs() < 20
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Another process sends: the correct sender, then one signing the body only.
    for mode in ["good", "body-only"] {
        let status = std::process::Command::new("python3")
            .arg(sender_script())
            .arg(mode)
            .env("WEBHOOK_URL", &url)
            .env("WEBHOOK_SECRET", "s3cret")
            .env("WEBHOOK_EVENTS", "contact_created")
            .status()
            .expect("python3");
        assert!(status.success());
    }
    let out = child
        .wait_with_output()
        .expect("listen exits after 2 deliveries");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("#1 POST /hooks contact_created  ✓ conforms"),
        "{stdout}"
    );
    assert!(
        stdout.contains("#2 POST /hooks contact_created  ✗ signature/mismatch"),
        "{stdout}"
    );
    assert!(stdout.contains("2 deliveries, 1 failed"), "{stdout}");
    assert!(!stdout.contains("s3cret"));
    // The recordings replay through `hookcheck validate`.
    let files: Vec<_> = std::fs::read_dir(dir.path()).expect("record dir").collect();
    assert_eq!(files.len(), 2);
    hookcheck().arg("validate").arg(dir.path()).assert().code(0);
}

#[test]
fn validate_lists_at_most_max_findings_per_payload_and_says_it_stopped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from(
        r#"{"event":"contact_created","id":1,"name":"a","avatar":"","thumbnail":"","account":{"id":1,"name":"Acme"},"additional_attributes":{},"custom_attributes":{},"email":null,"identifier":null,"phone_number":null,"blocked":false"#,
    );
    for i in 0..3_000 {
        text.push_str(&format!(r#","x_fork_{i:05}":1"#));
    }
    text.push('}');
    let file = dir.path().join("wide.json");
    std::fs::write(&file, text).expect("write");
    let out = hookcheck()
        .args(["validate", "--format", "json"])
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "warnings only");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let findings: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["type"] == "finding").collect();
    assert_eq!(findings.len(), hookcheck::validate::MAX_FINDINGS + 1);
    assert_eq!(
        findings.last().expect("findings")["rule"],
        "report/truncated"
    );
    let summary = lines.last().expect("summary");
    assert_eq!(
        (summary["type"].as_str(), summary["warnings"].as_u64()),
        (Some("summary"), Some(1_001))
    );
}

#[test]
fn verify_with_no_delivery_fails_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junit = dir.path().join("junit.xml");
    let out = hookcheck()
        .args(["verify", "--junit"])
        .arg(&junit)
        .arg("--")
        .arg("python3")
        .arg(sender_script())
        .arg("silent")
        .assert()
        .code(4)
        .get_output()
        .clone();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.starts_with("Verification failed"), "{human}");
    assert!(human.contains("error[verify/no-delivery]"), "{human}");
    let xml = std::fs::read_to_string(&junit).expect("junit");
    assert!(
        xml.contains("<failure") && xml.contains("verify/no-delivery"),
        "{xml}"
    );
    let out = hookcheck()
        .args(["verify", "--format", "json", "--"])
        .arg("python3")
        .arg(sender_script())
        .arg("silent")
        .assert()
        .code(4)
        .get_output()
        .clone();
    let lines = json_lines(&out.stdout);
    let summary = lines.last().expect("summary");
    assert_eq!(
        (summary["type"].as_str(), summary["passed"].as_bool()),
        (Some("summary"), Some(false))
    );
    assert!(lines
        .iter()
        .any(|l| l["finding"]["rule"] == "verify/no-delivery"));
}

#[cfg(unix)]
#[test]
fn verify_timeout_kills_the_whole_process_group() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pidfile = dir.path().join("pid");
    let script = format!("sleep 300 & echo $! > '{}'; wait", pidfile.display());
    let out = hookcheck()
        .args(["verify", "--timeout", "1", "--", "sh", "-c", &script])
        .assert()
        .code(4)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stdout).contains("verify/timeout"));
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .expect("pid written")
        .trim()
        .parse()
        .expect("pid");
    // The grandchild was killed with its group: gone, or a zombie waiting for init (bounded wait).
    let alive = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| !s.split(") ").nth(1).unwrap_or("").starts_with('Z'))
            .unwrap_or(false)
    };
    for _ in 0..500 {
        if !alive() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(!alive(), "sleep {pid} outlived verify");
}

#[test]
fn verify_reproduce_line_targets_the_url_the_user_gives() {
    let out = hookcheck()
        .args(["verify", "--reproduce-url", "http://127.0.0.1:9/mine", "--"])
        .arg("python3")
        .arg(sender_script())
        .arg("body-only")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("curl -sS -X 'POST' 'http://127.0.0.1:9/mine/'"),
        "{text}"
    );
    let out = hookcheck()
        .args(["verify", "--"])
        .arg("python3")
        .arg(sender_script())
        .arg("body-only")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(r#""$WEBHOOK_URL"'/'"#), "{text}");
    // The mismatch is explained by what was tested, never by the value the signature should have had.
    assert!(
        text.contains("it matches an HMAC over the body alone"),
        "{text}"
    );
}

#[test]
fn validate_stops_reading_at_max_bytes_on_any_input() {
    // An endless stream: the first line never ends; reading stops instead of running forever.
    let out = hookcheck()
        .args(["validate", "--max-bytes", "1000", "/dev/zero"])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Reported once, in the report on stdout.
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("has no end"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A 2 GB file (sparse) is judged too large without being read whole.
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.json");
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(2 * 1024 * 1024 * 1024))
        .expect("sparse file");
    let out = hookcheck()
        .args(["validate", "--format", "json"])
        .arg(&big)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines[0]["rule"], "json/too-large");
    assert!(lines[0]["message"]
        .as_str()
        .expect("message")
        .contains("reading stopped"));
}

/// `--profile`/`--release` are the payload contract and `--delivery-profile` the delivery rules in every
/// command; a value given to the wrong flag names the right one, and the older spellings still work.
#[test]
fn one_meaning_per_flag_and_a_wrong_flag_names_the_right_one() {
    let out = hookcheck()
        .args(["verify", "--delivery-profile", "v4.15"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "unknown delivery profile `v4.15`; `v4.15` is a payload contract: use --profile v4.15"
        ),
        "{err}"
    );
    let out = hookcheck()
        .args(["listen", "--profile", "chatwoot-unsigned"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "`chatwoot-unsigned` is a delivery profile: use --delivery-profile chatwoot-unsigned"
        ),
        "{err}"
    );
    // The payload contract is --profile (or --release), the delivery rules --delivery-profile; the old
    // --payload-profile spelling is an alias.
    for args in [
        &[
            "--profile",
            "2.16.0",
            "--delivery-profile",
            "chatwoot-unsigned",
        ][..],
        &[
            "--release",
            "2.16.0",
            "--delivery-profile",
            "chatwoot-unsigned",
        ][..],
        &[
            "--payload-profile",
            "2.16.0",
            "--delivery-profile",
            "chatwoot-unsigned",
        ][..],
    ] {
        let out = hookcheck()
            .arg("verify")
            .args(args)
            .args(["--events", "contact_created"])
            .assert()
            .code(0)
            .get_output()
            .clone();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("profile chatwoot-unsigned") && stdout.contains("payloads 2.16.0"),
            "{args:?}: {stdout}"
        );
    }
}

/// The white-label example profile (every header renamed) drives the reference sender and the receiver:
/// the reference sender passes with it, and a sender with Chatwoot's own headers fails, naming Acme's.
#[test]
fn the_example_white_label_delivery_profile_verifies() {
    let profile = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/profiles/acme-desk.json"
    );
    let out = hookcheck()
        .args([
            "verify",
            "--delivery-profile-file",
            profile,
            "--events",
            "inbox_created",
        ])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("profile acme-desk"), "{stdout}");
    let out = hookcheck()
        .args([
            "verify",
            "--delivery-profile-file",
            profile,
            "--events",
            "contact_created",
        ])
        .args(["--format", "json", "--"])
        .args(["python3", sender_script().to_str().expect("utf8"), "good"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let headers: Vec<String> = json_lines(&out.stdout)
        .iter()
        .filter(|l| l["type"] == "delivery")
        .flat_map(|l| l["findings"].as_array().cloned().unwrap_or_default())
        .filter_map(|f| f["header"].as_str().map(str::to_string))
        .collect();
    for h in ["X-Acme-Delivery", "X-Acme-Signature"] {
        assert!(headers.iter().any(|k| k == h), "{h} not among {headers:?}");
    }
}

/// A broken delivery profile file is refused with every problem at once, each at its JSON Pointer.
#[test]
fn a_broken_delivery_profile_file_lists_every_problem_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("broken.json");
    std::fs::write(
        &path,
        r#"{"name": "x", "colour": 1, "signature": {"name": "x", "id_header": "A", "signature_header": "S",
            "message": "timestamp-dot-body", "encoding": "sha256-prefixed-hex", "secret": "utf8"},
            "id_header": "B", "id_format": "uuid", "timeout_secs": 5, "timestamp_tolerance_secs": 300,
            "max_body_bytes": 1000, "content_type": "application/json"}"#,
    )
    .expect("write");
    let out = hookcheck()
        .args(["verify", "--delivery-profile-file"])
        .arg(&path)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    for problem in [
        "/colour: unknown field",
        "/max_attempts: missing",
        "/signature/timestamp_header: missing",
        "/signature/id_header: \"A\" differs from /id_header \"B\"",
    ] {
        assert!(err.contains(problem), "{problem} not in {err}");
    }
    assert_eq!(err.lines().count(), 1, "one error line: {err}");
}

/// The small things a new user trips on (issue #13, item 7), each as the user meets it.
#[test]
fn errors_say_what_failed_once_and_counts_agree_with_their_nouns() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Writing --expect where it cannot be written is a write error, not "cannot read".
    let out = hookcheck()
        .args([
            "generate",
            "--event",
            "contact_created",
            "--invalid",
            "--seed",
            "1",
        ])
        .arg("--expect")
        .arg(dir.path().join("no/such/dir/expect.ndjson"))
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot write `") && !err.contains("cannot read"),
        "{err}"
    );
    // A command that cannot start says so.
    let out = hookcheck()
        .args(["verify", "--", "./no-such-sender"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot start `./no-such-sender`"), "{err}");
    // A missing input is reported once, in the report.
    let missing = dir.path().join("missing.json");
    let out = hookcheck()
        .arg("validate")
        .arg(&missing)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(stdout.matches("missing.json").count(), 1, "{stdout}");
    assert!(!stderr.contains("missing.json"), "reported twice: {stderr}");
    assert!(stdout.contains("1 input could not be read"), "{stdout}");
    // --coverage exits 1 only with the reason and a way out.
    let out = hookcheck()
        .args([
            "generate",
            "--event",
            "message_created",
            "--coverage",
            "--count",
            "2",
        ])
        .args(["--seed", "1"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("never exercised in 2 payloads per event (exit 1)")
            && err.contains("try --count 100"),
        "{err}"
    );
    // schemas show suggests the nearest file.
    let out = hookcheck()
        .args(["schemas", "show", "chatwoot/evnts/contact_created.json"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("did you mean `chatwoot/events/contact_created.json`?"));
    // generate --invalid without --expect: validate does not warn about hookcheck's own annotation.
    let invalid = hookcheck()
        .args([
            "generate",
            "--event",
            "contact_created",
            "--invalid",
            "--count",
            "5",
        ])
        .args(["--seed", "1"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&invalid).contains("\"_hookcheck_expect\""));
    let out = hookcheck()
        .args(["validate", "--format", "json", "-"])
        .write_stdin(invalid)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let lines = json_lines(&out.stdout);
    assert!(
        !lines.iter().any(|l| l["pointer"] == "/_hookcheck_expect"),
        "{lines:?}"
    );
    assert_eq!(lines.iter().filter(|l| l["type"] == "finding").count(), 5);
    // validate --event picks the schema; a body whose `event` key says otherwise is told so at /event
    // (the README says exactly this).
    let body = hookcheck()
        .args([
            "generate",
            "--event",
            "message_created",
            "--count",
            "1",
            "--seed",
            "1",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let renamed = String::from_utf8_lossy(&body).replace(
        "\"event\":\"message_created\"",
        "\"event\":\"message_updated\"",
    );
    assert!(renamed.contains("message_updated"));
    let out = hookcheck()
        .args([
            "validate",
            "--format",
            "json",
            "--event",
            "message_created",
            "-",
        ])
        .write_stdin(renamed)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let findings: Vec<(String, String)> = json_lines(&out.stdout)
        .iter()
        .filter(|l| l["type"] == "finding")
        .map(|l| (l["rule"].to_string(), l["pointer"].to_string()))
        .collect();
    assert_eq!(
        findings,
        [("\"schema/const\"".to_string(), "\"/event\"".to_string())]
    );
    // One delivery is "1 delivery", and it "conforms".
    let out = hookcheck()
        .args(["verify", "--events", "contact_created", "--count", "1"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        stdout.starts_with("Verification passed: 1 delivery conforms"),
        "{stdout}"
    );
    assert!(
        stderr.contains("delivered 1 payload (1 event x 1,")
            && stderr.contains("checked 1 delivery in"),
        "{stderr}"
    );
}

/// `schemas export --format dir` writes the schema tree an installed binary otherwise cannot give: the
/// files as written for compat (byte for byte), derived ones for a release; without --out it is a usage
/// error.
#[test]
fn schemas_export_dir_writes_the_schema_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let compat = dir.path().join("compat");
    hookcheck()
        .args(["schemas", "export", "--format", "dir", "--out"])
        .arg(&compat)
        .assert()
        .code(0);
    let catalog = hookcheck::Catalog::shared().expect("catalog");
    for f in catalog.files() {
        let written = std::fs::read_to_string(compat.join(f.path)).expect(f.path);
        assert_eq!(written, f.text, "{}", f.path);
    }
    let old = dir.path().join("2.16.0");
    hookcheck()
        .args([
            "schemas",
            "export",
            "--format",
            "dir",
            "--release",
            "2.16.0",
            "--out",
        ])
        .arg(&old)
        .assert()
        .code(0);
    let common: Value = serde_json::from_str(
        &std::fs::read_to_string(old.join("chatwoot/_defs/common.json")).expect("common"),
    )
    .expect("json");
    let text = common.to_string();
    assert!(
        !text.contains("conversation_typing_on"),
        "2.16.0 sends no typing events"
    );
    hookcheck()
        .args(["schemas", "export", "--format", "dir"])
        .assert()
        .code(2);
}
