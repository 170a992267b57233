//! `hookcheck listen` as a receiver facing live traffic: nothing acknowledged is lost, resources are
//! bounded, hostile values stay contained, failures are failures, and no output is a signing oracle.
//! Every server binds 127.0.0.1 and every client loop is bounded.

use std::{
    collections::BTreeSet,
    io::{BufRead, BufReader, Read, Write},
    net::{SocketAddr, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use hookcheck::replay::DeliveryFile;

use crate::load;

const SECRET: &str = "whk_0123456789abcdefGHJK";

/// A running `hookcheck listen` child, its address read from its first stderr line.
struct Listen {
    child: Child,
    addr: SocketAddr,
    stdout: std::thread::JoinHandle<String>,
    stderr: std::thread::JoinHandle<String>,
}

impl Listen {
    fn start(args: &[&str]) -> Listen {
        Self::start_with(args, &[])
    }

    fn start_with(args: &[&str], env: &[(&str, &str)]) -> Listen {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("hookcheck"))
            .arg("listen")
            .args(["--bind", "127.0.0.1:0"])
            .args(args)
            .env_remove("HOOKCHECK_SECRET")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn listen");
        let mut err = BufReader::new(child.stderr.take().expect("stderr"));
        let mut first = String::new();
        err.read_line(&mut first).expect("first stderr line");
        let addr = first
            .split("listening on http://")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no address in {first:?}"));
        let mut out = child.stdout.take().expect("stdout");
        let stdout = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = out.read_to_string(&mut s);
            s
        });
        let stderr = std::thread::spawn(move || {
            let mut s = first;
            let _ = err.read_to_string(&mut s);
            s
        });
        Listen {
            child,
            addr,
            stdout,
            stderr,
        }
    }

    fn signal(&self, sig: i32) {
        let pid = i32::try_from(self.child.id()).expect("pid");
        // SAFETY: sends a signal to the child this test spawned.
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
    }

    fn finish(mut self) -> (Option<i32>, String, String) {
        let status = self.child.wait().expect("wait");
        (
            status.code(),
            self.stdout.join().expect("stdout"),
            self.stderr.join().expect("stderr"),
        )
    }
}

/// Sends raw bytes on a new connection and returns the status line's code (0 if no answer).
fn raw(addr: SocketAddr, bytes: &[u8]) -> u16 {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let _ = s.write_all(bytes);
    let mut out = Vec::new();
    let mut buf = [0u8; 1024];
    while !out.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&out)
        .get(9..12)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn post(addr: SocketAddr, body: &[u8]) -> u16 {
    post_to(addr, "/hooks", body)
}

/// [`post`] to another path.
fn post_to(addr: SocketAddr, path: &str, body: &[u8]) -> u16 {
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    raw(addr, &req)
}

fn records(dir: &Path) -> Vec<(PathBuf, DeliveryFile)> {
    DeliveryFile::read_all(dir).expect("records read back")
}

fn recorded_ids(dir: &Path) -> BTreeSet<String> {
    records(dir)
        .iter()
        .map(|(_, f)| {
            let id = f
                .header_all("x-chatwoot-delivery")
                .next()
                .expect("id header");
            String::from_utf8(id.to_vec()).expect("id")
        })
        .collect()
}

fn summary_count(stdout: &str) -> u64 {
    let line = stdout
        .lines()
        .find(|l| l.contains(" deliveries, ") && l.contains(" failed"))
        .unwrap_or_else(|| panic!("no summary in {stdout}"));
    line.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("count")
}

/// Sends load over 16 connections, signals `sig` once `after` deliveries were acknowledged, and checks that
/// every delivery the client saw acknowledged was recorded and the summary counts the records.
fn stop_under_load(sig: i32, after: u64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = dir.path().join("rec");
    let l = Listen::start(&["--secret", SECRET, "--record", rec.to_str().expect("utf8")]);
    let acked = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let bodies = Arc::new(load::bodies(2));
    let client = {
        let (acked, stop, addr) = (acked.clone(), stop.clone(), l.addr);
        std::thread::spawn(move || load::run(addr, 16, 400, bodies, SECRET, acked, stop))
    };
    // Bounded wait for the load to get going (no duration is asserted).
    for _ in 0..6000 {
        if acked.load(Ordering::SeqCst) >= after {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(acked.load(Ordering::SeqCst) >= after, "load never started");
    l.signal(sig);
    let (code, stdout, stderr) = l.finish();
    stop.store(true, Ordering::SeqCst);
    let seen = client.join().expect("client");
    assert_eq!(
        code,
        Some(0),
        "{stderr}\n{}",
        &stdout[stdout.len().saturating_sub(2000)..]
    );
    let ids = recorded_ids(&rec);
    let missing: Vec<_> = seen
        .acknowledged
        .iter()
        .filter(|id| !ids.contains(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "acknowledged but not recorded: {missing:?}"
    );
    assert_eq!(
        summary_count(&stdout),
        ids.len() as u64,
        "summary = records"
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with('#')).count(),
        ids.len(),
        "one line per record"
    );
    assert!(!seen.acknowledged.is_empty());
    // The client saw every request answered or refused; none acknowledged twice.
    let unique: BTreeSet<_> = seen.acknowledged.iter().collect();
    assert_eq!(unique.len(), seen.acknowledged.len());
}

#[test]
fn sigint_under_load_loses_no_acknowledged_delivery() {
    stop_under_load(libc::SIGINT, 300);
}

#[test]
fn sigterm_under_load_finishes_in_flight_and_prints_the_summary() {
    stop_under_load(libc::SIGTERM, 100);
}

#[test]
fn max_deliveries_acknowledges_exactly_n() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = dir.path().join("rec");
    let l = Listen::start(&[
        "--secret",
        SECRET,
        "--max-deliveries",
        "25",
        "--record",
        rec.to_str().expect("utf8"),
    ]);
    let seen = load::run(
        l.addr,
        8,
        30,
        Arc::new(load::bodies(1)),
        SECRET,
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    let (code, stdout, stderr) = l.finish();
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(seen.acknowledged.len(), 25, "{:?}", seen.other);
    assert!(seen.other.iter().all(|s| *s == 503), "{:?}", seen.other);
    let ids = recorded_ids(&rec);
    assert_eq!(ids.len(), 25);
    assert_eq!(ids, seen.acknowledged.into_iter().collect::<BTreeSet<_>>());
    assert_eq!(summary_count(&stdout), 25);
}

fn small_profile(dir: &Path, max_body: usize) -> PathBuf {
    let mut p =
        serde_json::to_value(hookcheck::check::DeliveryProfile::chatwoot()).expect("profile");
    p["max_body_bytes"] = max_body.into();
    let path = dir.join("profile.json");
    std::fs::write(&path, p.to_string()).expect("write profile");
    path
}

#[test]
fn oversized_plain_and_chunked_bodies_get_413_and_are_not_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = dir.path().join("rec");
    let profile = small_profile(dir.path(), 1000);
    let l = Listen::start(&[
        "--delivery-profile-file",
        profile.to_str().expect("utf8"),
        "--max-deliveries",
        "1",
        "--record",
        rec.to_str().expect("utf8"),
    ]);
    // Declared too large: refused before any body byte is sent.
    let status = raw(
        l.addr,
        b"POST /hooks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n",
    );
    assert_eq!(status, 413);
    // Chunked, crossing the limit; the terminating chunk never comes.
    let mut chunked =
        b"POST /hooks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..11 {
        chunked.extend_from_slice(b"64\r\n");
        chunked.extend_from_slice(&[b' '; 100]);
        chunked.extend_from_slice(b"\r\n");
    }
    assert_eq!(raw(l.addr, &chunked), 413);
    // A body at the limit is fine.
    let mut body = br#"{"event":"contact_created","id":1,"name":"a"}"#.to_vec();
    body.resize(1000, b' ');
    assert_eq!(post(l.addr, &body), 200);
    let (code, stdout, _) = l.finish();
    assert_eq!(code, Some(1), "unsigned: findings; {stdout}");
    assert_eq!(records(&rec).len(), 1);
    assert!(stdout.contains("2 too large (413)"), "{stdout}");
}

#[test]
fn hostile_event_names_are_escaped_and_recorded_inside_the_directory_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = dir.path().join("rec");
    // A directory the traversal would reach if names were not sanitised.
    std::fs::create_dir_all(rec.join("x")).expect("mkdir");
    let hostile = [
        "x/../../pwned".to_string(),
        "a\u{0}b".to_string(),
        "message_created\n#999 POST /hook message_created  ✓ conforms".to_string(),
        "\u{1b}[2J\u{1b}]0;owned\u{7}".to_string(),
        "\u{202e}detaerc_egassem".to_string(),
        "e".repeat(10_000),
        "..".to_string(),
    ];
    let l = Listen::start(&[
        "--max-deliveries",
        &hostile.len().to_string(),
        "--record",
        rec.to_str().expect("utf8"),
    ]);
    for event in &hostile {
        let body = serde_json::json!({"event": event, "id": 1}).to_string();
        assert_eq!(post(l.addr, body.as_bytes()), 200);
    }
    let (code, stdout, stderr) = l.finish();
    assert_eq!(code, Some(1), "{stderr}");
    for line in stdout.lines() {
        assert!(
            !line.chars().any(hookcheck::escape::is_hazard),
            "raw control character in {line:?}"
        );
    }
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with('#')).count(),
        hostile.len(),
        "one line per delivery, none forged: {stdout}"
    );
    assert!(!stdout.contains("\n#999"), "{stdout}");
    // Every record is a new plain file directly in the record directory; nothing was written next to it.
    let files = records(&rec);
    assert_eq!(files.len(), hostile.len());
    for (p, f) in &files {
        assert_eq!(p.parent(), Some(rec.as_path()));
        let name = p.file_name().and_then(|n| n.to_str()).expect("name");
        assert!(
            name.len() <= 6 + 1 + hookcheck::replay::MAX_EVENT_IN_NAME + 5,
            "{name}"
        );
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
            "{name}"
        );
        let event =
            serde_json::from_slice::<serde_json::Value>(&f.body).expect("body")["event"].clone();
        assert!(hostile.iter().any(|h| *h == event), "{event}");
    }
    let beside: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(beside, vec![std::ffi::OsString::from("rec")]);
    assert!(std::fs::read_dir(rec.join("x"))
        .expect("x")
        .next()
        .is_none());
}

#[test]
fn an_unusable_record_directory_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").expect("write");
    for target in [file.clone(), file.join("below")] {
        let out = Command::new(assert_cmd::cargo::cargo_bin("hookcheck"))
            .args(["listen", "--bind", "127.0.0.1:0", "--record"])
            .arg(&target)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("cannot record into"), "{err}");
    }
    assert_eq!(std::fs::read(&file).expect("read"), b"x", "left alone");
}

#[test]
fn a_record_that_cannot_be_written_is_answered_500_counted_and_fails_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = dir.path().join("rec");
    let l = Listen::start(&[
        "--max-deliveries",
        "1",
        "--record",
        rec.to_str().expect("utf8"),
    ]);
    let body = br#"{"event":"contact_created","id":1,"name":"a"}"#;
    // The directory disappears under the running receiver (as a full or unmounted disk would fail it).
    std::fs::remove_dir_all(&rec).expect("rm");
    std::fs::write(&rec, "now a file").expect("replace");
    assert_eq!(post(l.addr, body), 500);
    // Repaired: the next delivery is recorded, and ends the run.
    std::fs::remove_file(&rec).expect("rm file");
    std::fs::create_dir(&rec).expect("mkdir");
    assert_eq!(post(l.addr, body), 200);
    let (code, stdout, stderr) = l.finish();
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("NOT RECORDED"), "{stderr}");
    assert!(stdout.contains("1 delivery, 1 failed; 1 lost"), "{stdout}");
    assert_eq!(records(&rec).len(), 1);
}

/// Every `sha256=<hex>` in `text`.
fn signatures_in(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("sha256=") {
        let hex: String = rest[i + 7..]
            .chars()
            .take_while(|c| c.is_ascii_hexdigit())
            .collect();
        if hex.len() == 64 {
            out.insert(hex.to_lowercase());
        }
        rest = &rest[i + 7..];
    }
    out
}

#[test]
fn no_output_of_listen_shows_the_expected_signature() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secret_file = dir.path().join("secret");
    std::fs::write(&secret_file, format!("{SECRET}\n")).expect("secret");
    for format in ["human", "json"] {
        let rec = dir.path().join(format!("rec-{format}"));
        let l = Listen::start(&[
            "--secret-file",
            secret_file.to_str().expect("utf8"),
            "--format",
            format,
            "--max-deliveries",
            "2",
            "--record",
            rec.to_str().expect("utf8"),
        ]);
        let body = load::bodies(1).remove(0);
        // Signed with another secret, then correctly: the second one proves --secret-file is used.
        let wrong = load::request(&body, "not-the-secret", &uuid::Uuid::new_v4().to_string());
        let right = load::request(&body, SECRET, &uuid::Uuid::new_v4().to_string());
        assert_eq!(raw(l.addr, &wrong), 200);
        assert_eq!(raw(l.addr, &right), 200);
        let (code, stdout, stderr) = l.finish();
        assert_eq!(code, Some(1), "{stdout}{stderr}");
        assert!(stdout.contains("signature/mismatch"), "{stdout}");
        let files = records(&rec);
        let first = &files[0].1;
        let ts = String::from_utf8(
            first
                .header_all("x-chatwoot-timestamp")
                .next()
                .expect("ts")
                .to_vec(),
        )
        .expect("ts");
        let expected = hookcheck::signature::sign(
            &hookcheck::signature::Scheme::chatwoot(),
            SECRET,
            None,
            &ts,
            &first.body,
        )
        .expect("sign");
        let all = format!("{stdout}{stderr}");
        assert!(
            !all.contains(&expected[7..]),
            "{format} shows the expected signature"
        );
        assert!(!all.contains(SECRET), "{format} shows the secret");
        // The human line names the rule; the JSON finding carries the explanation.
        if format == "json" {
            assert!(all.contains("no local variant matches"), "{all}");
        }
        // The only signatures shown are the ones that were received.
        let received: BTreeSet<String> = files
            .iter()
            .map(|(_, f)| {
                String::from_utf8(
                    f.header_all("x-chatwoot-signature").next().expect("sig")[7..].to_vec(),
                )
                .expect("hex")
            })
            .collect();
        assert!(signatures_in(&all).is_subset(&received));
    }
}

#[test]
fn validate_of_the_records_gives_the_live_verdict() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = dir.path().join("rec");
    let l = Listen::start(&[
        "--format",
        "json",
        "--max-deliveries",
        "3",
        "--record",
        rec.to_str().expect("utf8"),
    ]);
    let bodies: [&[u8]; 3] = [
        br#"{"event":"contact_created","id":1,"id":2,"name":"a"}"#,
        b"{\"event\":\"contact_created\",\"id\":1,\"name\":\"\xff\"}",
        br#"{"event":"contact_created","id":1,"name":"a \u003cb\u003e"}"#,
    ];
    for b in bodies {
        assert_eq!(post(l.addr, b), 200);
    }
    let (_, stdout, _) = l.finish();
    let live: Vec<BTreeSet<String>> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["type"] == "delivery")
        .inspect(|v| {
            // The one delivery shape verify writes too.
            let keys: Vec<&str> = v
                .as_object()
                .map(|o| o.keys().map(String::as_str).collect())
                .unwrap_or_default();
            assert_eq!(keys, hookcheck::report::delivery::DELIVERY_FIELDS, "{v}");
        })
        .map(|v| {
            v["findings"]
                .as_array()
                .expect("findings")
                .iter()
                // The body's verdict: everything but the request-level delivery and signature rules.
                .filter(|f| {
                    f["rule"].as_str().is_some_and(|r| {
                        !r.starts_with("delivery/") && !r.starts_with("signature/")
                    })
                })
                .map(|f| format!("{} {}", f["rule"], f["pointer"]))
                .collect()
        })
        .collect();
    assert!(
        live[0].iter().any(|r| r.contains("json/duplicate-key")),
        "{live:?}"
    );
    assert!(live[1].iter().any(|r| r.contains("json/utf8")), "{live:?}");
    // The binary body is kept exactly (base64), the escapes byte for byte.
    let files = records(&rec);
    assert_eq!(files[1].1.body, bodies[1]);
    assert!(std::fs::read_to_string(&files[1].0)
        .expect("read")
        .contains("raw_body_base64"));
    assert_eq!(files[2].1.body, bodies[2]);
    let out = Command::new(assert_cmd::cargo::cargo_bin("hookcheck"))
        .args(["validate", "--format", "json"])
        .arg(&rec)
        .output()
        .expect("validate");
    let mut replayed: Vec<BTreeSet<String>> = vec![BTreeSet::new(); 3];
    for v in String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
    {
        if v["type"] != "finding" {
            continue;
        }
        let source = v["source"].as_str().expect("source");
        let i = files
            .iter()
            .position(|(p, _)| p.to_str() == Some(source))
            .expect("a record");
        replayed[i].insert(format!("{} {}", v["rule"], v["pointer"]));
    }
    assert_eq!(replayed, live);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_secret_comes_from_a_file_or_the_environment() {
    let body = load::bodies(1).remove(0);
    let l = Listen::start_with(&["--max-deliveries", "1"], &[("HOOKCHECK_SECRET", SECRET)]);
    assert_eq!(
        raw(
            l.addr,
            &load::request(&body, SECRET, &uuid::Uuid::new_v4().to_string())
        ),
        200
    );
    let (code, stdout, stderr) = l.finish();
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stderr.contains("secret set"), "{stderr}");
    // An empty secret file is refused.
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").expect("write");
    let out = Command::new(assert_cmd::cargo::cargo_bin("hookcheck"))
        .args(["listen", "--bind", "127.0.0.1:0", "--secret-file"])
        .arg(&empty)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unusable secret"));
}

#[test]
fn listen_events_and_path_are_findings_and_a_signal_prints_the_json_summary() {
    let l = Listen::start(&[
        "--delivery-profile",
        "chatwoot-unsigned",
        "--events",
        "contact_created",
        "--path",
        "/hooks",
        "--format",
        "json",
    ]);
    let contact = crate::util::example_body("contact_updated.json");
    let mut contact_created = contact.clone();
    contact_created["event"] = "contact_created".into();
    let bytes = |v: &serde_json::Value| serde_json::to_vec(v).expect("body");
    assert_eq!(post_to(l.addr, "/hooks", &bytes(&contact_created)), 200);
    assert_eq!(post_to(l.addr, "/elsewhere", &bytes(&contact_created)), 200);
    assert_eq!(post_to(l.addr, "/hooks", &bytes(&contact)), 200);
    l.signal(libc::SIGINT);
    let (code, stdout, stderr) = l.finish();
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    // The error rules of each delivery (warnings such as a missing Accept header left out).
    let found: Vec<Vec<&str>> = lines
        .iter()
        .filter(|v| v["type"] == "delivery")
        .map(|d| {
            d["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .filter(|f| f["severity"] == "error")
                .map(|f| f["rule"].as_str().expect("rule"))
                .collect()
        })
        .collect();
    assert_eq!(
        found,
        [vec![], vec!["delivery/path"], vec!["delivery/unsubscribed"]],
        "{lines:?}"
    );
    let summary: Vec<&serde_json::Value> =
        lines.iter().filter(|v| v["type"] == "summary").collect();
    assert_eq!(summary.len(), 1, "one summary, the last line: {lines:?}");
    assert_eq!(lines.last(), Some(summary[0]));
    assert_eq!(summary[0]["deliveries"], 3);
    assert_eq!(summary[0]["failed"], 2);
    assert_eq!(summary[0]["per_rule"]["delivery/path"], 1);
    assert_eq!(summary[0]["per_rule"]["delivery/unsubscribed"], 1);
}
