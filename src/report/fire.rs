//! Rendering a `hookcheck fire` outcome: human (a table per phase, then a block per failure group with its
//! minimal delivery and a `curl` line that re-sends it), JSON lines, and JUnit XML (a test case per phase
//! and rule); and the FIXED / FAILING lines of `--replay`. No output contains the secret: `curl` lines
//! sign with `$WEBHOOK_SECRET`. Text from outside (bodies, answers) goes through [`escape`].
use std::io::{self, Write};

use serde_json::json;

use std::path::Path;

use crate::{
    escape,
    finding::Severity,
    fire::{
        self,
        rules::{self, RULES},
        Expect, Failure, Forgery, Group, Outcome, Phase, Replayed, SKEW_SECS, WRONG_SECRET,
    },
    replay,
    signature::{MessageLayout, Scheme, SecretEncoding, SignatureEncoding},
};

/// Bodies longer than this are not written into a re-signing `curl` line (a saved file is used instead).
const INLINE_BYTES: usize = 8 * 1024;
/// Bodies longer than this get no `curl` line without a saved file (the line would be as long).
const BASE64_BYTES: usize = 64 * 1024;
/// Characters of a body the human report shows.
const SHOWN_BODY: usize = 400;

use super::count as plural;

fn shell_quote(s: &str) -> String {
    replay::shell_quote(s.as_bytes())
}

/// A shell command that re-sends a failure's delivery to `url`.
///
/// Under the Chatwoot scheme, for a text body up to 8 KiB, the command signs again with a fresh timestamp,
/// a fresh delivery id and the secret from `$WEBHOOK_SECRET` (openssl), forging again the way the
/// original was forged. Otherwise it is [`replay::curl_line`]: the request byte for byte (its signature
/// was made at send time), the body from the file `saved` when there is one, else inline or as base64.
/// `None` for a body over 64 KiB that was not saved (`--save`).
pub fn curl(
    f: &Failure,
    url: &str,
    scheme: Option<&Scheme>,
    saved: Option<&Path>,
) -> Option<String> {
    let Some(body) = std::str::from_utf8(&f.request.body)
        .ok()
        .filter(|b| !b.contains('\0') && b.len() <= INLINE_BYTES)
    else {
        return (saved.is_some() || f.request.body.len() <= BASE64_BYTES)
            .then(|| byte_for_byte(f, url, saved));
    };
    let forgery = match f.expect {
        Expect::Refuse(fg) => Some(fg),
        _ => None,
    };
    let resign = scheme.filter(|s| {
        s.message == MessageLayout::TimestampDotBody
            && s.encoding == SignatureEncoding::Sha256PrefixedHex
            && s.secret == SecretEncoding::Utf8
            && (f.request.header(&s.signature_header).is_some() || forgery.is_some())
            // The body as sent differs from the one signed: a fresh signature over it would be genuine.
            && forgery != Some(Forgery::BodyChanged)
    });
    let Some(scheme) = resign else {
        return Some(byte_for_byte(f, url, saved));
    };
    let (ts, signed_ts) = match forgery {
        Some(Forgery::StaleTimestamp) => (format!("$(( $(date +%s) - {SKEW_SECS} ))"), "$ts"),
        Some(Forgery::FutureTimestamp) => (format!("$(( $(date +%s) + {SKEW_SECS} ))"), "$ts"),
        Some(Forgery::TimestampChanged) => ("$(date +%s)".to_string(), "$(( ts - 120 ))"),
        _ => ("$(date +%s)".to_string(), "$ts"),
    };
    let key = match forgery {
        Some(Forgery::WrongSecret) => shell_quote(WRONG_SECRET),
        _ => "\"$WEBHOOK_SECRET\"".to_string(),
    };
    let message = match forgery {
        Some(Forgery::SignedBodyOnly) => "printf '%s' \"$body\"".to_string(),
        _ => format!("printf '%s.%s' \"{signed_ts}\" \"$body\""),
    };
    let mac = format!("$({message} | openssl dgst -sha256 -hmac {key} | sed 's/^.* //')");
    let sig = match forgery {
        Some(Forgery::NoPrefix) => mac,
        _ => format!("sha256={mac}"),
    };
    let id_header = scheme.id_header.clone().unwrap_or_default();
    let mut cmd = format!(
        "body={}; ts={ts}; id=$(cat /proc/sys/kernel/random/uuid 2>/dev/null || uuidgen | tr A-Z a-z)\ncurl -sS -X POST {}",
        shell_quote(body),
        shell_quote(url)
    );
    for (k, v) in &f.request.headers {
        let same = |h: &str| k.eq_ignore_ascii_case(h);
        if same(&scheme.signature_header) || same(&scheme.timestamp_header) || same(&id_header) {
            continue;
        }
        cmd.push_str(&format!(
            " \\\n    -H {}",
            shell_quote(&format!("{k}: {v}"))
        ));
    }
    if !id_header.is_empty() {
        cmd.push_str(&format!(" \\\n    -H \"{id_header}: $id\""));
    }
    if forgery != Some(Forgery::MissingTimestamp) {
        cmd.push_str(&format!(" \\\n    -H \"{}: $ts\"", scheme.timestamp_header));
    }
    if forgery != Some(Forgery::MissingSignature) {
        cmd.push_str(&format!(
            " \\\n    -H \"{}: {sig}\"",
            scheme.signature_header
        ));
    }
    cmd.push_str(" \\\n    --data-binary \"$body\"");
    if forgery == Some(Forgery::ReplayedId) {
        cmd.push_str("\n# the replay: run the curl command again (same $id, $ts and body)");
    }
    Some(cmd)
}

/// [`replay::curl_line`] for the request as sent: the body from the saved file when there is one.
fn byte_for_byte(f: &Failure, url: &str, saved: Option<&Path>) -> String {
    let file = fire::delivery_file(f, url);
    replay::curl_line(saved, &file, &origin(url))
}

fn group_title(g: &Group) -> String {
    let what = match g.status.as_str() {
        "timeout" => "got no answer in time".to_string(),
        "connection" => "lost the connection".to_string(),
        s => format!("answered {s}"),
    };
    format!(
        "{}[{}]: {} of {} {what}",
        g.severity,
        g.rule,
        plural(g.count, "delivery", "deliveries"),
        g.event_name()
    )
}

fn body_excerpt(f: &Failure) -> String {
    let text = f.body_text();
    let cut: String = text.chars().take(SHOWN_BODY).collect();
    let more = if cut.len() < text.len() {
        format!("… ({} bytes)", f.request.body.len())
    } else {
        String::new()
    };
    format!("{}{more}", escape::text(&cut))
}

/// The human report. `verbose` adds the notes (always shown when the campaign failed).
///
/// # Errors
/// Writing failed.
pub fn human(out: &mut impl Write, o: &Outcome, verbose: bool) -> io::Result<()> {
    let scheme = o.scheme.as_ref();
    writeln!(
        out,
        "hookcheck fire {} (payloads {}, delivery {}, {}, seed {})\n",
        o.url,
        o.profile,
        o.delivery_profile,
        if o.signed { "signed" } else { "unsigned" },
        o.seed
    )?;
    writeln!(out, "{:<11} {:>7} {:>7}", "phase", "sent", "failed")?;
    for p in &o.phases {
        match &p.skipped {
            Some(why) => writeln!(out, "{:<11} {:>7} {:>7}  skipped: {why}", p.phase, "-", "-")?,
            None => writeln!(out, "{:<11} {:>7} {:>7}", p.phase, p.sent, p.failed)?,
        }
    }
    let secs = o.millis.saturating_sub(o.shrink_millis) as f64 / 1000.0;
    let campaign = o.deliveries - o.shrink_deliveries;
    writeln!(
        out,
        "{} in {secs:.2} s ({:.0}/s){}",
        plural(campaign, "delivery", "deliveries"),
        campaign as f64 / secs.max(0.001),
        if o.shrink_deliveries > 0 {
            format!(
                ", then {} shrinking in {:.2} s",
                plural(o.shrink_deliveries, "delivery", "deliveries"),
                o.shrink_millis as f64 / 1000.0
            )
        } else {
            String::new()
        }
    )?;
    if let Some(why) = &o.unreachable {
        writeln!(out, "\nerror[consumer/unreachable]: {}", escape::text(why))?;
    }
    if let Some(why) = &o.stopped {
        writeln!(out, "\nnote: stopped early: {why}")?;
    }
    for g in &o.groups {
        let f = &g.example;
        writeln!(out, "\n{}", group_title(g))?;
        let phases: Vec<&str> = g.phases.iter().map(|p| p.name()).collect();
        let kinds = if g.kinds.is_empty() {
            String::new()
        } else {
            format!(
                "; {}: {}",
                if g.rule.starts_with("hostile/") {
                    "bodies"
                } else {
                    "forgeries"
                },
                g.kinds.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        };
        writeln!(out, " --> phase {}{kinds}", phases.join(", "))?;
        writeln!(out, "   = {}", escape::text(&f.message))?;
        writeln!(
            out,
            "   = found by: {} ({} phase)",
            escape::text(&f.label),
            f.phase
        )?;
        match &g.shrink {
            Some(s) => {
                writeln!(
                    out,
                    "   = shrunk: {} -> {} bytes in {}{}{}",
                    s.before_bytes,
                    s.after_bytes,
                    plural(s.tests, "delivery", "deliveries"),
                    if s.contract {
                        ", still valid under the contract"
                    } else {
                        ""
                    },
                    if s.complete {
                        ""
                    } else {
                        " (stopped before the smallest)"
                    }
                )?;
                if s.kept.is_empty() {
                    writeln!(
                        out,
                        "   = kept: nothing beyond what the contract requires (any such payload fails)"
                    )?;
                }
                for k in &s.kept {
                    writeln!(out, "   = kept: {} = {}", k.pointer, escape::text(&k.value))?;
                }
            }
            None => writeln!(out, "   = not shrunk ({} bytes)", f.request.body.len())?,
        }
        writeln!(out, "   = body: {}", body_excerpt(f))?;
        writeln!(out, "   = response: {}", escape::text(&f.answer.describe()))?;
        if let Some(path) = &g.saved {
            writeln!(out, "   = saved: {path}")?;
        }
        match curl(f, &o.url, scheme, g.saved.as_deref().map(Path::new)) {
            Some(c) => writeln!(out, "   = reproduce:\n{}", indent(&c))?,
            None => writeln!(
                out,
                "   = reproduce: the body ({} bytes) does not fit a command line; save it with --save DIR",
                f.request.body.len()
            )?,
        }
        if let Some(path) = &g.saved {
            writeln!(
                out,
                "   = or re-signed: hookcheck fire {} --replay {}",
                shell_quote(&o.url),
                shell_quote(path)
            )?;
        }
    }
    if verbose || !o.notes.is_empty() && !o.passed() {
        for n in &o.notes {
            writeln!(out, "\nnote: {n}")?;
        }
    }
    let failing: usize = o.failures().map(|g| g.count).sum();
    let groups = o.failures().count();
    if o.unreachable.is_some() {
        writeln!(
            out,
            "\nFire failed: the consumer at {} could not be reached",
            o.url
        )?;
    } else if o.passed() {
        let warnings = o.groups.len();
        writeln!(
            out,
            "\nFire passed: {} answered as the contract requires{}",
            plural(campaign, "delivery", "deliveries"),
            if warnings > 0 {
                format!(" ({} of warnings)", plural(warnings, "group", "groups"))
            } else {
                String::new()
            }
        )?;
    } else {
        writeln!(
            out,
            "\nFire failed: {} in {} (same bodies again: --seed {})",
            plural(failing, "failing delivery", "failing deliveries"),
            plural(groups, "group", "groups"),
            o.seed
        )?;
    }
    Ok(())
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// JSON lines: one `phase` object per phase, one `group` per failure group, `note`s, then a `summary`.
///
/// # Errors
/// Writing failed.
pub fn json_lines(out: &mut impl Write, o: &Outcome) -> io::Result<()> {
    let scheme = o.scheme.as_ref();
    for p in &o.phases {
        let mut v = serde_json::to_value(p).map_err(io::Error::other)?;
        v["type"] = "phase".into();
        writeln!(out, "{v}")?;
    }
    for g in &o.groups {
        let f = &g.example;
        writeln!(
            out,
            "{}",
            json!({
                "type": "group", "rule": g.rule, "severity": g.severity, "event": g.event.map(|e| e.as_str()),
                "status": g.status, "count": g.count, "phases": g.phases, "kinds": g.kinds,
                "message": f.message, "label": f.label, "expect": f.expect, "answer": f.answer,
                "request": {
                    "headers": f.request.headers,
                    "body": f.body_text(),
                    "bytes": f.request.body.len(),
                },
                "original_bytes": g.original_bytes, "shrink": g.shrink, "saved": g.saved,
                "curl": curl(f, &o.url, scheme, g.saved.as_deref().map(Path::new)),
            })
        )?;
    }
    for n in &o.notes {
        writeln!(out, "{}", json!({"type": "note", "message": n}))?;
    }
    writeln!(
        out,
        "{}",
        json!({
            "type": "summary", "url": o.url, "seed": o.seed, "profile": o.profile,
            "delivery_profile": o.delivery_profile, "signed": o.signed, "deliveries": o.deliveries,
            "shrink_deliveries": o.shrink_deliveries, "millis": o.millis, "shrink_millis": o.shrink_millis, "groups": o.groups.len(),
            "failing_groups": o.failures().count(),
            "failing_deliveries": o.failures().map(|g| g.count).sum::<usize>(),
            "passed": o.passed(), "stopped": o.stopped, "unreachable": o.unreachable,
        })
    )
}

/// The rules that can fail in a phase.
fn phase_rules(p: Phase) -> Vec<&'static str> {
    let valid = [
        rules::SERVER_ERROR,
        rules::CONNECTION,
        rules::TIMEOUT,
        rules::REJECTED,
    ];
    match p {
        Phase::Examples | Phase::Coverage | Phase::Random => valid.to_vec(),
        Phase::Signature => [rules::ACCEPTS_FORGED, rules::FORGED_CRASH]
            .into_iter()
            .chain(valid)
            .collect(),
        Phase::Hostile => vec![
            rules::HOSTILE_SERVER_ERROR,
            rules::HOSTILE_TIMEOUT,
            rules::HOSTILE_CONNECTION,
        ],
    }
}

/// JUnit XML: a test suite per phase, a test case per rule (failed when a group of that rule came from
/// the phase; skipped with the phase), and a `consumer/reachable` case.
///
/// # Errors
/// Serialising failed.
pub fn junit(o: &Outcome) -> Result<String, quick_junit::SerializeError> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("hookcheck fire");
    let mut run = TestSuite::new("fire: consumer");
    let reach = match &o.unreachable {
        Some(why) => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(why.clone());
            s
        }
        None => TestCaseStatus::success(),
    };
    let mut case = TestCase::new("consumer/reachable", reach);
    case.set_classname(o.url.clone());
    run.add_test_case(case);
    report.add_test_suite(run);
    for p in &o.phases {
        let mut suite = TestSuite::new(format!("fire: {}", p.phase));
        for rule in phase_rules(p.phase) {
            let hits: Vec<&Group> = o
                .groups
                .iter()
                .filter(|g| g.rule == rule && g.phases.contains(&p.phase))
                .collect();
            let severity = RULES
                .iter()
                .find(|r| r.id == rule)
                .map_or(Severity::Error, |r| r.severity);
            let status = if let Some(why) = &p.skipped {
                let mut s = TestCaseStatus::skipped();
                s.set_message(why.clone());
                s
            } else if hits.is_empty() || severity == Severity::Warning {
                TestCaseStatus::success()
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(
                    hits.iter()
                        .map(|g| format!("{} ({}): {}", g.event_name(), g.count, g.example.message))
                        .collect::<Vec<_>>()
                        .join("; "),
                );
                s
            };
            let mut case = TestCase::new(rule.to_string(), status);
            case.set_classname(format!("fire.{}", p.phase));
            if severity == Severity::Warning && !hits.is_empty() {
                case.set_system_out(
                    hits.iter()
                        .map(|g| {
                            format!(
                                "warning: {} ({}): {}",
                                g.event_name(),
                                g.count,
                                g.example.message
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                );
            }
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report.to_string()
}

/// The `--replay` report: one line per file, FIXED or FAILING, then a summary.
///
/// # Errors
/// Writing failed.
pub fn replay_human(out: &mut impl Write, url: &str, results: &[Replayed]) -> io::Result<()> {
    writeln!(
        out,
        "hookcheck fire {url} --replay ({})\n",
        plural(results.len(), "delivery", "deliveries")
    )?;
    for r in results {
        let was = r
            .was
            .as_deref()
            .map(|w| format!(" (was {w})"))
            .unwrap_or_default();
        let path = escape::text(&r.path.display().to_string()).into_owned();
        if r.fixed() {
            writeln!(
                out,
                "FIXED    {path}{was}: {}",
                escape::text(&r.answer.describe())
            )?;
        } else {
            writeln!(
                out,
                "FAILING  {path}: {}[{}] {}",
                Severity::Error,
                r.rule.unwrap_or("?"),
                escape::text(r.message.as_deref().unwrap_or(""))
            )?;
            writeln!(
                out,
                "    reproduce: {}",
                replay::curl_line(Some(&r.path), &r.sent, &origin(url))
            )?;
        }
    }
    let failing = results.iter().filter(|r| !r.fixed()).count();
    writeln!(
        out,
        "\nReplay: {} fixed, {} still failing",
        results.len() - failing,
        failing
    )
}

fn origin(url: &str) -> String {
    reqwest::Url::parse(url).map_or_else(|_| url.to_string(), |u| u.origin().ascii_serialization())
}

/// The `--replay` report as JSON lines: a `replay` object per file, then a `summary`.
///
/// # Errors
/// Writing failed.
pub fn replay_json(out: &mut impl Write, url: &str, results: &[Replayed]) -> io::Result<()> {
    for r in results {
        writeln!(
            out,
            "{}",
            json!({
                "type": "replay", "file": r.path.display().to_string(),
                "verdict": if r.fixed() { "FIXED" } else { "FAILING" },
                "expect": r.expect, "was": r.was, "rule": r.rule, "message": r.message, "answer": r.answer,
            })
        )?;
    }
    let failing = results.iter().filter(|r| !r.fixed()).count();
    writeln!(
        out,
        "{}",
        json!({"type": "summary", "url": url, "replayed": results.len(), "fixed": results.len() - failing,
               "failing": failing, "passed": failing == 0})
    )
}
