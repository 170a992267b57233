//! `tests/fixtures/negative/cases.json`: one mutation of a valid contract example per case, with the pointer
//! and keyword that must fail. Together they reach every schema file.
use std::collections::BTreeSet;

use hookcheck::Profile;
use serde_json::Value;

use crate::util::{apply, catalog, check, example_body, fixture};

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(fixture("negative/cases.json")).expect("cases.json");
    serde_json::from_str(&text).expect("cases.json is a JSON array")
}

fn profiles(case: &Value) -> Vec<Profile> {
    match case["profile"].as_str() {
        Some("compat") => vec![Profile::Compat],
        Some("v4.15") => vec![Profile::V4_15],
        _ => Profile::ALL.to_vec(),
    }
}

/// Two documented mappings between a schema keyword and hookcheck's rule:
/// * a timestamp that fails its `pattern` fails its `format` too, and the pair is reported once, as
///   `schema/format`;
/// * hookcheck dispatches on `event` before any schema runs, so what the entry schema reports as `required`
///   (no `event`) or `enum` (an unknown name) at `/event` is `event/missing` / `event/unknown`, or
///   `event/release` for a name other releases send.
fn rule_matches(rule: &str, pointer: &str, keyword: &str) -> bool {
    rule == format!("schema/{keyword}")
        || (keyword == "pattern" && rule == "schema/format")
        || (keyword == "required" && pointer.is_empty() && rule == "event/missing")
        || (keyword == "enum"
            && pointer == "/event"
            && (rule == "event/unknown" || rule == "event/release"))
}

#[test]
fn every_negative_case_is_rejected_at_its_pointer_with_its_rule() {
    let cases = cases();
    assert!(
        cases.len() >= 60,
        "expected a broad set of cases, found {}",
        cases.len()
    );
    let mut names = BTreeSet::new();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().expect("name");
        assert!(names.insert(name.to_string()), "duplicate case name {name}");
        let base = example_body(case["base"].as_str().expect("base"));
        let mut body = base.clone();
        apply(&mut body, case["ops"].as_array().expect("ops"));
        let (pointer, keyword) = (
            case["expect"]["pointer"].as_str().expect("pointer"),
            case["expect"]["keyword"].as_str().expect("keyword"),
        );
        for profile in profiles(case) {
            assert!(
                check(&base, profile).conforms(false),
                "{name}: base example must be valid under {profile}"
            );
            let report = check(&body, profile);
            if !report
                .errors()
                .any(|f| f.pointer == pointer && rule_matches(&f.rule, pointer, keyword))
            {
                failures.push(format!(
                    "{name} ({profile}): expected schema/{keyword} at {pointer}, got {:?}",
                    report
                        .errors()
                        .map(|f| (f.rule.as_str(), f.pointer.as_str()))
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every definition file (`_defs/`, base and overlay) with a constraint of its own holds at least one rule
/// that some negative case breaks. Pure dispatchers (only `if`/`then`/`$ref`) report their errors in the
/// files they dispatch to; event files only pin `event`, which dispatch makes unreachable from a body (see
/// the next test).
#[test]
fn the_negative_cases_reach_every_schema_file() {
    let mut hit = BTreeSet::new();
    for case in cases() {
        let mut body = example_body(case["base"].as_str().expect("base"));
        apply(&mut body, case["ops"].as_array().expect("ops"));
        for profile in profiles(&case) {
            for f in check(&body, profile).errors() {
                if let Some(s) = &f.schema {
                    hit.insert(s.split('#').next().unwrap_or("").to_string());
                }
            }
        }
    }
    let missing: Vec<&str> = catalog()
        .files()
        .iter()
        .filter(|f| {
            f.path.contains("/_defs/") && has_own_constraints(&f.document) && !hit.contains(f.path)
        })
        .map(|f| f.path)
        .collect();
    assert!(
        missing.is_empty(),
        "schema files no negative case breaks: {missing:#?}"
    );
}

#[test]
fn every_event_schema_pins_its_event_name() {
    for profile in Profile::ALL {
        for event in hookcheck::EventName::ALL {
            let opts = hookcheck::Options {
                profile,
                event: Some(event),
                ..Default::default()
            };
            let other = if event == hookcheck::EventName::ContactCreated {
                "contact_updated"
            } else {
                "contact_created"
            };
            let r = catalog().validate(format!(r#"{{"event":"{other}"}}"#).as_bytes(), &opts);
            // An event the release does not send is refused as such before its schema is read.
            let sent = catalog().events(profile).unwrap().contains(&event);
            let rule = if sent {
                "schema/const"
            } else {
                "event/release"
            };
            assert!(
                r.errors().any(|f| f.rule == rule && f.pointer == "/event"),
                "{profile} {event}: {:#?}",
                r.findings
            );
        }
    }
}

const CONSTRAINTS: [&str; 13] = [
    "type",
    "required",
    "enum",
    "const",
    "format",
    "pattern",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "maxLength",
];

/// Whether a schema document constrains anything itself, outside `if` conditions and `$defs`.
fn has_own_constraints(v: &Value) -> bool {
    match v {
        Value::Bool(false) => true,
        Value::Object(m) => m.iter().any(|(k, c)| match k.as_str() {
            "if" | "$defs" => false,
            k if CONSTRAINTS.contains(&k) => true,
            _ => has_own_constraints(c),
        }),
        Value::Array(a) => a.iter().any(has_own_constraints),
        _ => false,
    }
}
