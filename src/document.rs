//! What one input document is, and its check: a payload, a recorded envelope `{"headers": {...}, "body":
//! {...}}`, or a delivery file ([`replay`](crate::replay)) whose exact body is checked.
//!
//! `hookcheck validate` and `hookcheck releases` read every input through this module, so a delivery that
//! `listen --record` kept gets the verdict `listen` gave it live.
//!
//! ```
//! use hookcheck::{document, Catalog, Options};
//! let catalog = Catalog::shared()?;
//! let envelope = br#"{"headers": {"Content-Type": "application/json"}, "body": {"event": "conversation_typing_on"}}"#;
//! let report = document::check(catalog, envelope, &Options::default());
//! // Pointers are into the envelope: the body's findings start with /body.
//! assert!(report.findings.iter().all(|f| f.pointer.starts_with("/body")));
//! # Ok::<(), hookcheck::Error>(())
//! ```
use serde_json::Value;

use crate::{
    event::EventName,
    finding::{rule, Finding},
    release::Release,
    replay::{DeliveryFile, ReplayError},
    schema::Catalog,
    validate::{decode, finish, Options, Report},
};

/// The largest `.json` file `validate` reads when payloads are capped at `max_bytes`: a delivery file's body
/// (checked against `max_bytes`) may be written with every byte escaped (`\u0000`, six bytes) or as base64.
pub fn delivery_file_cap(max_bytes: usize) -> usize {
    max_bytes.saturating_mul(6).saturating_add(1024 * 1024)
}

/// Whether `bytes` declare themselves a delivery file (writers put `hookcheck_delivery` first; a hand-edited
/// file may move it, so the first 4 KiB are searched).
fn is_delivery_file(bytes: &[u8]) -> bool {
    const KEY: &[u8] = b"\"hookcheck_delivery\"";
    bytes[..bytes.len().min(4096)]
        .windows(KEY.len())
        .any(|w| w == KEY)
}

/// Checks one payload's bytes, unwrapping a recorded-delivery envelope. A delivery file
/// ([`replay`](crate::replay)) is checked by its exact body (`raw_body`/`raw_body_base64`), as `listen`
/// checked it live, so the verdicts agree; pointers are into that body.
pub fn check(catalog: &Catalog, bytes: &[u8], opts: &Options) -> Report {
    if is_delivery_file(bytes) {
        return check_delivery_file(catalog, bytes, opts);
    }
    let mut findings = Vec::new();
    let Some(value) = decode(bytes, opts.max_bytes, &mut findings) else {
        finish(&mut findings);
        return Report {
            profile: opts.profile,
            event: None,
            findings,
            closest: None,
        };
    };
    if is_legacy_record(&value) {
        return check_delivery_file(catalog, bytes, opts);
    }
    let (payload, prefix) = match envelope_body(&value) {
        Some(body) => (body, "/body"),
        None => (&value, ""),
    };
    let (event, closest) = catalog.check_value_judged(payload, prefix, opts, &mut findings);
    finished(opts, event, findings, closest)
}

/// A record of the old `listen --record` format: `method`, `headers` as an object, `raw_body` as text.
fn is_legacy_record(value: &Value) -> bool {
    value.as_object().is_some_and(|o| {
        !o.contains_key("event")
            && o.contains_key("method")
            && o.get("headers").is_some_and(Value::is_object)
            && o.get("raw_body").is_some_and(Value::is_string)
    })
}

fn check_delivery_file(catalog: &Catalog, bytes: &[u8], opts: &Options) -> Report {
    let mut findings = Vec::new();
    let mut event = None;
    let mut closest = None;
    match DeliveryFile::from_json(bytes, "delivery file") {
        Ok(file) => {
            if let Some(value) = decode(&file.body, opts.max_bytes, &mut findings) {
                (event, closest) = catalog.check_value_judged(&value, "", opts, &mut findings);
            }
        }
        Err(ReplayError::Format {
            pointer, message, ..
        }) => findings.push(Finding::error(
            rule::RECORD_FORMAT,
            if pointer == "(root)" {
                String::new()
            } else {
                pointer
            },
            format!("not a readable delivery file: {message}"),
        )),
        Err(e) => findings.push(Finding::error(rule::RECORD_FORMAT, "", e.to_string())),
    }
    finished(opts, event, findings, closest)
}

/// The report of one input, its findings sorted and capped.
fn finished(
    opts: &Options,
    event: Option<EventName>,
    findings: Vec<Finding>,
    closest: Option<Release>,
) -> Report {
    let mut report = Report {
        profile: opts.profile,
        event: event.map(|e| e.as_str().to_string()),
        findings,
        closest,
    };
    finish(&mut report.findings);
    report
}

/// A recorded delivery `{"headers": {...}, "body": {...}}` (no top-level `event`): its body.
pub fn envelope_body(value: &Value) -> Option<&Value> {
    let obj = value.as_object()?;
    if obj.contains_key("event") {
        return None;
    }
    obj.get("body").filter(|b| b.is_object())
}
