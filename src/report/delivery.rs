//! Rendering a delivery verdict: human (per delivery, each check passed or failed, with a `curl`
//! reproducer), JSON lines, and JUnit XML. The webhook secret never appears in any of them, and neither
//! does the signature a body should have had (see `signature/mismatch`). In the human report every value
//! that came from a request is escaped ([`escape`]), so a sender cannot forge report lines.
use std::io::{self, Write};

use serde_json::json;

use crate::{
    check::{Expectations, Verdict, RULES},
    delivery::{Delivery, HeaderValue},
    escape,
    finding::{Finding, Severity},
};

/// The check groups shown per delivery, with the rule prefixes they cover.
const GROUPS: &[(&str, &[&str])] = &[
    ("method", &["delivery/method", "delivery/path"]),
    ("headers", &["delivery/content-type", "delivery/accept"]),
    ("delivery-id", &["delivery/id-"]),
    ("signature", &["signature/"]),
    ("subscription", &["delivery/unsubscribed"]),
    (
        "body",
        &["json/", "event/", "schema/", "semantic/", "unknown-key"],
    ),
    ("attempts", &["delivery/retry"]),
];

fn group_of(rule: &str) -> &'static str {
    GROUPS
        .iter()
        .find(|(_, ps)| ps.iter().any(|p| rule.starts_with(p)))
        .map_or("other", |(g, _)| g)
}

fn label(d: &Delivery) -> String {
    let event = d.event().unwrap_or_else(|| "?".into());
    let id = ["x-chatwoot-delivery", "webhook-id"]
        .iter()
        .find_map(|h| match d.header(h) {
            HeaderValue::Text(t) => Some(format!("  {h}={}", escape::short(t, 80))),
            _ => None,
        });
    format!(
        "#{} {} {}  event={}{}",
        d.index,
        escape::short(&d.method, 16),
        escape::short(&d.path, 200),
        escape::short(&event, 64),
        id.unwrap_or_default()
    )
}

/// A `curl` command that re-sends the delivery byte for byte to `url` (see
/// [`replay::curl_line`](crate::replay::curl_line): one line, every value quoted, `$NAME` left to the shell).
pub fn curl(d: &Delivery, url: &str) -> String {
    crate::replay::curl_line(None, &crate::replay::DeliveryFile::from_delivery(d), url)
}

/// The human report. `url` is where the "reproduce" line re-sends the first failing delivery: the user's
/// own receiver, or a shell variable such as `$WEBHOOK_URL` (hookcheck's receiver is gone by the time a
/// person reads the report).
///
/// # Errors
/// Writing failed.
pub fn human(out: &mut impl Write, v: &Verdict, x: &Expectations, url: &str) -> io::Result<()> {
    let failed = v
        .deliveries
        .iter()
        .filter(|(_, f)| f.iter().any(|f| f.severity == Severity::Error))
        .count();
    if v.passed() {
        writeln!(
            out,
            "Verification passed: {} (profile {}, payloads {})",
            super::count(
                v.deliveries.len(),
                "delivery conforms",
                "deliveries conform"
            ),
            x.profile.name,
            x.payload_profile
        )?;
    } else if v.deliveries.is_empty() {
        writeln!(
            out,
            "Verification failed: no delivery was checked (profile {}, payloads {})",
            x.profile.name, x.payload_profile
        )?;
    } else {
        writeln!(
            out,
            "Verification failed: {failed} of {} {} the contract (profile {}, payloads {})",
            super::count(v.deliveries.len(), "delivery", "deliveries"),
            if failed == 1 { "violates" } else { "violate" },
            x.profile.name,
            x.payload_profile
        )?;
    }
    for f in &v.run {
        writeln!(
            out,
            "\n{}[{}]: {}",
            f.severity,
            f.rule,
            escape::text(&f.message)
        )?;
    }
    for (d, findings) in &v.deliveries {
        for f in findings {
            writeln!(
                out,
                "\n{}[{}]: {}",
                f.severity,
                f.rule,
                escape::text(&f.message)
            )?;
            writeln!(out, " --> delivery {}", label(d))?;
            if let Some(h) = &f.header {
                let shown = match d.header(h) {
                    HeaderValue::Text(t) => escape::short(t, 200),
                    other => format!("({other:?})").to_lowercase(),
                };
                writeln!(out, "   = header: {h}: {shown}")?;
            }
            if !f.pointer.is_empty() || f.header.is_none() {
                writeln!(
                    out,
                    "   = body at {}",
                    if f.pointer.is_empty() {
                        "(root)".into()
                    } else {
                        escape::text(&f.pointer)
                    }
                )?;
            }
            if let Some(val) = &f.value {
                writeln!(out, "   = value: {}", escape::text(val))?;
            }
            if let Some(s) = &f.schema {
                writeln!(out, "   = schema: {s}")?;
            }
        }
    }
    writeln!(out, "\nReceived deliveries:")?;
    for (d, findings) in &v.deliveries {
        let marks: Vec<String> = GROUPS
            .iter()
            .map(|(g, _)| {
                let bad = findings
                    .iter()
                    .any(|f| f.severity == Severity::Error && group_of(&f.rule) == *g);
                format!("{} {g}", if bad { "✗" } else { "✓" })
            })
            .collect();
        writeln!(out, "- {}  {}", label(d), marks.join(" "))?;
        if findings.iter().any(|f| f.severity == Severity::Error) {
            let head = &d.body[..d.body.len().min(160)];
            writeln!(
                out,
                "  body (first {} of {} bytes): {}{}",
                head.len(),
                d.body.len(),
                escape::bytes(head),
                if head.len() < d.body.len() { "…" } else { "" }
            )?;
        }
    }
    if let Some((d, _)) = v
        .deliveries
        .iter()
        .find(|(_, f)| f.iter().any(|f| f.severity == Severity::Error))
    {
        let target = if url.starts_with('$') {
            format!(" (set {url} to your receiver first)")
        } else {
            String::new()
        };
        writeln!(
            out,
            "\nReproduce delivery #{} against your receiver{target}:\n    {}",
            d.index,
            curl(d, url)
        )?;
    }
    Ok(())
}

/// The fields of a `delivery` JSON object, in order: the one shape `verify` and `listen` write (a test
/// holds both to it).
pub const DELIVERY_FIELDS: &[&str] = &[
    "type",
    "index",
    "method",
    "path",
    "event",
    "delivery_id",
    "bytes",
    "passed",
    "findings",
    "record",
];

/// One delivery as a JSON object ([`DELIVERY_FIELDS`]): `event` and `delivery_id` are `null` when absent,
/// `passed` is false on any error finding, `findings` are [`Finding`]s, `record` is the file `listen
/// --record` wrote (else `null`).
pub fn delivery_json(
    d: &Delivery,
    findings: &[Finding],
    x: &Expectations,
    record: Option<&std::path::Path>,
) -> serde_json::Value {
    let id = x
        .profile
        .id_header
        .as_deref()
        .and_then(|h| match d.header(h) {
            HeaderValue::Text(t) => Some(t.to_string()),
            _ => None,
        });
    json!({"type": "delivery", "index": d.index, "method": d.method, "path": d.path,
           "event": d.event(), "delivery_id": id, "bytes": d.body.len(),
           "passed": findings.iter().all(|f| f.severity != Severity::Error),
           "findings": findings, "record": record.map(|p| p.display().to_string())})
}

/// JSON lines: run-level `finding`s (`"delivery": null`), a `delivery` object per delivery
/// ([`delivery_json`], its findings inside), then a `summary`.
///
/// # Errors
/// Writing failed.
pub fn json_lines(out: &mut impl Write, v: &Verdict, x: &Expectations) -> io::Result<()> {
    for f in &v.run {
        writeln!(
            out,
            "{}",
            json!({"type": "finding", "delivery": null, "finding": f})
        )?;
    }
    for (d, findings) in &v.deliveries {
        writeln!(out, "{}", delivery_json(d, findings, x, None))?;
    }
    writeln!(
        out,
        "{}",
        json!({"type": "summary", "profile": x.profile.name, "payload_profile": x.payload_profile.name(),
        "deliveries": v.deliveries.len(),
        "failed": v.deliveries.iter().filter(|(_, f)| f.iter().any(|f| f.severity == Severity::Error)).count(),
        "errors": v.errors(), "passed": v.passed()})
    )
}

/// One finding for a JUnit failure: rule, where (the JSON Pointer, or the header), message, value.
fn junit_line(f: &Finding) -> String {
    let mut line = f.rule.clone();
    match (&f.header, f.pointer.as_str()) {
        (Some(h), _) => line.push_str(&format!(" at header {}", escape::text(h))),
        (None, "") => line.push_str(" at (root)"),
        (None, p) => line.push_str(&format!(" at {}", escape::text(p))),
    }
    line.push_str(&format!(": {}", escape::text(&f.message)));
    if let Some(v) = &f.value {
        line.push_str(&format!(" (value: {})", escape::text(v)));
    }
    line
}

/// JUnit XML: one test suite, one test case per delivery and rule (a failure per error finding).
///
/// # Errors
/// Serialising failed.
pub fn junit(v: &Verdict, x: &Expectations) -> Result<String, quick_junit::SerializeError> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("hookcheck verify");
    let mut suite = TestSuite::new(format!("deliveries ({})", x.profile.name));
    for f in &v.run {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status.set_message(escape::text(&f.message).into_owned());
        suite.add_test_case(TestCase::new(f.rule.clone(), status));
    }
    for (d, findings) in &v.deliveries {
        let name = format!("#{} {}", d.index, d.event().unwrap_or_else(|| "?".into()));
        let mut rules: Vec<&str> = RULES
            .iter()
            .map(|(id, _, _)| *id)
            .filter(|id| *id != "delivery/count")
            .collect();
        rules.push("body");
        for rule in rules {
            let hits: Vec<&Finding> = findings
                .iter()
                .filter(|f| {
                    f.severity == Severity::Error
                        && (f.rule == rule || (rule == "body" && group_of(&f.rule) == "body"))
                })
                .collect();
            let status = if hits.is_empty() {
                TestCaseStatus::success()
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(
                    hits.iter()
                        .map(|f| junit_line(f))
                        .collect::<Vec<_>>()
                        .join("; "),
                );
                // With schema locations, the full record, one finding per line: what a CI page shows
                // when the case is opened (without them it would repeat the message).
                if hits.iter().any(|f| f.schema.is_some()) {
                    s.set_description(
                        hits.iter()
                            .map(|f| {
                                let mut line = junit_line(f);
                                if let Some(schema) = &f.schema {
                                    line.push_str(&format!(" (schema: {})", escape::text(schema)));
                                }
                                line
                            })
                            .collect::<Vec<_>>()
                            .join("\n"),
                    );
                }
                s
            };
            let mut case = TestCase::new(rule.to_string(), status);
            case.set_classname(name.clone());
            suite.add_test_case(case);
        }
    }
    report.add_test_suite(suite);
    report.to_string()
}
