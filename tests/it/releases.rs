//! The release history is the contract: every boundary of VERSIONS.md holds exactly at its release, the
//! payloads real releases sent (VERSIONS.md section 3) conform, and what no release sent (section 4) does
//! not. The fixtures under `tests/fixtures/releases/` were typed from VERSIONS.md, not from the schema
//! annotations, so a wrong annotation fails here.
use hookcheck::{
    generate::Generator, release::Release, EventName, Options, Profile, Report, Severity,
};
use serde_json::Value;

use crate::util::{catalog, fixture};

fn load(name: &str, key: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(fixture(&format!("releases/{name}")))
        .unwrap_or_else(|e| panic!("tests/fixtures/releases/{name}: {e}"));
    let doc: Value = serde_json::from_str(&text).expect("fixture is JSON");
    doc[key].as_array().cloned().expect("fixture list")
}

fn check(value: &Value, profile: Profile) -> Report {
    catalog().validate_value(
        value,
        &Options {
            profile,
            ..Options::default()
        },
    )
}

fn at(report: &Report, pointer: &str) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.pointer == pointer || f.pointer.starts_with(&format!("{pointer}/")))
        .map(|f| format!("{} {} {}", f.severity, f.rule, f.pointer))
        .collect()
}

fn parent(pointer: &str) -> (&str, String) {
    let (p, last) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    (p, last.replace("~1", "/").replace("~0", "~"))
}

/// The variant of the object holding a boundary's pointer (its parent), named by the fixture: `file_type`
/// for an attachment, `sender` for a message sender (`contact` is the untyped, or up to 2.13.1
/// `type: "contact"`, actor; the others are named by their `type`).
fn is_variant(b: &Value, object: &Value) -> bool {
    if let Some(ft) = b.get("file_type") {
        return object.get("file_type") == Some(ft);
    }
    match b.get("sender").and_then(Value::as_str) {
        None => true,
        Some("contact") => object.get("type").is_none_or(|t| t == "contact"),
        Some(kind) => object.get("type").and_then(Value::as_str) == Some(kind),
    }
}

/// A value that breaks the constraint a `constraint-added` boundary names (and nothing else).
fn breaking(constraint: &Value) -> Value {
    match constraint.get("maximum").and_then(Value::as_i64) {
        Some(max) => Value::from(max + 1),
        None => panic!("no breaking value for constraint {constraint}"),
    }
}

/// Seeds and draws per seed when looking for a payload in which the boundary's pointer exists: keys sent
/// only sometimes (enterprise features, one file type, one sender kind) are optional at several levels.
const SEEDS: u64 = 12;
const DRAWS: usize = 400;

/// A payload of `event` generated for `release` in which `pointer` exists inside an object of the
/// boundary's variant. With `set`, a payload whose pointer the generator already filled with that value is
/// preferred (a discriminator such as `type` switches the whole object, which setting it alone would not);
/// failing that, the value is set in a payload where the pointer's object (of the variant) exists.
fn payload_with(
    release: Release,
    event: EventName,
    b: &Value,
    set: Option<&Value>,
    natural: bool,
) -> Option<Value> {
    let pointer = b["pointer"].as_str().unwrap();
    let (p, key) = parent(pointer);
    let generator = Generator::shared(Profile::Release(release)).ok()?;
    let mut fallback = None;
    for seed in 7..7 + SEEDS {
        let mut sampler = generator.sampler(seed, event);
        for _ in 0..DRAWS {
            let mut v = sampler.next_value().ok()?;
            if pointer == "/event" {
                return Some(v);
            }
            if !v
                .pointer(p)
                .is_some_and(|o| o.is_object() && is_variant(b, o))
            {
                continue;
            }
            match set {
                None if v.pointer(pointer).is_some() => return Some(v),
                None => {}
                Some(x) if natural && v.pointer(pointer) == Some(x) => return Some(v),
                Some(x) => {
                    if fallback.is_none() {
                        if let Some(obj) = v.pointer_mut(p).and_then(Value::as_object_mut) {
                            obj.insert(key.clone(), x.clone());
                            fallback = Some(v);
                        }
                    }
                    if !natural {
                        return fallback;
                    }
                }
            }
        }
    }
    fallback
}

#[test]
fn every_release_boundary_holds_exactly_at_its_release() {
    let mut failures = Vec::new();
    let boundaries = load("boundaries.json", "boundaries");
    assert!(boundaries.len() >= 80, "{} boundaries", boundaries.len());
    for b in &boundaries {
        let event: EventName = b["event"].as_str().unwrap().parse().unwrap();
        let pointer = b["pointer"].as_str().unwrap();
        let change = b["change"].as_str().unwrap();
        let release = Release::parse(b["release"].as_str().unwrap()).unwrap();
        let before = release
            .previous()
            .expect("no boundary at the first release");
        let what = format!("{change} {} at {pointer} ({release})", b["event"]);
        // The release where the thing exists, and the one where it does not.
        let (with, without) = match change {
            "key-added" | "value-added" | "null-allowed" | "event-added" => (release, before),
            "key-removed" | "value-removed" | "event-removed" => (before, release),
            // A constraint added at R: a value it forbids is accepted just before R, rejected at R.
            "constraint-added" => (before, release),
            other => panic!("unknown change kind {other}"),
        };
        let set = match change {
            "value-added" | "value-removed" => Some(b["value"].clone()),
            "constraint-added" => Some(breaking(&b["constraint"])),
            "null-allowed" => Some(Value::Null),
            _ => None,
        };
        // A value the generator draws itself comes with the rest of its variant; a constraint-breaking
        // value never does.
        let natural = change != "constraint-added";
        let Some(payload) = payload_with(with, event, b, set.as_ref(), natural) else {
            failures.push(format!("{what}: no generated {with} payload has {pointer}"));
            continue;
        };
        let inside = check(&payload, Profile::Release(with));
        let inside_at = at(&inside, pointer);
        if !inside.conforms(false) || !inside_at.is_empty() {
            failures.push(format!("{what}: rejected by {with}: {:?}", inside.findings));
            continue;
        }
        let outside = check(&payload, Profile::Release(without));
        if b["free_form"] == Value::Bool(true) {
            // A key of a free-form object (`additional_attributes`): any release may carry it, so the
            // boundary is documentary. Outside the range it must still not be an error.
            if !at(&outside, pointer).is_empty() || !outside.conforms(false) {
                failures.push(format!(
                    "{what}: a free-form key flagged by {without}: {:?}",
                    outside.findings
                ));
            }
            continue;
        }
        let flagged = match change {
            // The key is unknown (or, for an event, not sent) just outside the range.
            "key-added" | "key-removed" => !at(&outside, pointer).is_empty(),
            "event-added" | "event-removed" => outside
                .findings
                .iter()
                .any(|f| f.rule == "event/release" && f.severity == Severity::Error),
            _ => outside
                .errors()
                .any(|f| f.pointer == pointer || pointer.starts_with(&format!("{}/", f.pointer))),
        };
        if !flagged {
            failures.push(format!(
                "{what}: {without} does not flag it: {:?}",
                outside.findings
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} boundaries fail:\n{}",
        failures.len(),
        boundaries.len(),
        failures.join("\n")
    );
}

#[test]
fn what_real_releases_sent_conforms_under_compat_and_under_its_release() {
    let mut failures = Vec::new();
    for e in load("section3.json", "entries") {
        let release = Release::parse(e["release"].as_str().unwrap()).unwrap();
        for profile in [Profile::Compat, Profile::Release(release)] {
            let report = check(&e["body"], profile);
            if !report.conforms(true) {
                failures.push(format!(
                    "{} under {profile}: {:?}",
                    e["item"], report.findings
                ));
            }
        }
        let fit = catalog()
            .fit(
                e["body"]["event"].as_str().unwrap().parse().unwrap(),
                &e["body"],
            )
            .unwrap();
        if !fit.clean.contains(release) {
            failures.push(format!(
                "{}: fits {} but not {release}",
                e["item"], fit.clean
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn what_no_release_sent_is_reported_under_compat_at_its_pointer() {
    let mut failures = Vec::new();
    for e in load("section4.json", "entries") {
        let pointer = e["pointer"].as_str().unwrap();
        let report = check(&e["body"], Profile::Compat);
        let want_error = e["severity"] == "error";
        let hit = report.findings.iter().any(|f| {
            (f.pointer == pointer || f.pointer.starts_with(&format!("{pointer}/")))
                && (!want_error || f.severity == Severity::Error)
        });
        if !hit || (want_error && report.conforms(false)) {
            failures.push(format!(
                "{} ({}): {:?}",
                e["item"], e["what"], report.findings
            ));
        }
        // Every finding names the release it was judged against.
        if report
            .findings
            .iter()
            .any(|f| f.rule.starts_with("schema/") && f.release.is_none())
        {
            failures.push(format!("{}: a finding names no release", e["item"]));
        }
        assert!(
            report.closest.is_some(),
            "{}: no closest release",
            e["item"]
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_2x_capture_conforms_under_compat_and_names_its_releases() {
    // VERSIONS.md 2.3: `{assignee_id}` as the nested conversation until 2.12.0 (captured from 2022 instances).
    let e = load("section3.json", "entries")
        .into_iter()
        .find(|e| e["item"] == "3.1")
        .expect("section 3 item 3.1");
    let body = &e["body"];
    assert!(check(body, Profile::Compat).conforms(true));
    assert!(!check(body, Profile::V4_15).conforms(false));
    let fit = catalog().fit(EventName::MessageCreated, body).unwrap();
    let newest = fit.clean.newest().unwrap();
    assert!(newest.number() <= (2, 12, 0), "fits {}", fit.clean);
}

#[test]
fn a_payload_of_the_current_release_with_a_wrong_new_key_is_not_passed_off_as_an_old_release() {
    // `priority` exists from 2.17.0: a wrong value must be an error, not "a 2.16.0 payload with unknown keys".
    let mut body = crate::util::example_body("conversation_created.json");
    body["priority"] = Value::from(2);
    let report = check(&body, Profile::Compat);
    assert!(!report.conforms(false), "{:?}", report.findings);
    assert!(report.errors().any(|f| f.pointer == "/priority"));
    assert_eq!(report.closest, Some(Release::LATEST));
}

#[test]
fn releases_and_events_per_release_follow_section_1() {
    let r = |v: &str| Profile::release(v).unwrap();
    let has = |p: Profile, e: EventName| catalog().events(p).unwrap().contains(&e);
    assert!(has(r("2.4.1"), EventName::ConversationOpened));
    assert!(!has(r("2.5.0"), EventName::ConversationOpened));
    assert!(!has(r("2.13.1"), EventName::ContactCreated));
    assert!(has(r("2.14.0"), EventName::ContactCreated));
    assert!(!has(r("4.1.0"), EventName::ConversationTypingOn));
    assert!(has(r("4.2.0"), EventName::ConversationTypingOn));
    assert!(!has(Profile::V4_15, EventName::ConversationResolved));
    let e = Profile::release("2.16.1").unwrap_err().to_string();
    assert!(e.contains("known releases: 2.0.0"), "{e}");
}
