use hookcheck::{Options, Report};

use crate::util::catalog;

fn run(bytes: &[u8]) -> Report {
    catalog().validate(bytes, &Options::default())
}

fn only_rule(bytes: &[u8]) -> (String, String) {
    let r = run(bytes);
    let f = r
        .findings
        .first()
        .unwrap_or_else(|| panic!("no finding for {:?}", String::from_utf8_lossy(bytes)));
    (f.rule.clone(), f.message.clone())
}

#[test]
fn binary_garbage_is_a_utf8_finding_with_its_position() {
    let (rule, msg) = only_rule(b"{\"event\":\n\"\xff\xfe\"}");
    assert_eq!(rule, "json/utf8");
    assert_eq!(msg, "invalid UTF-8 at byte 11 (line 2, column 2)");
}

#[test]
fn empty_and_blank_payloads() {
    assert_eq!(only_rule(b"").0, "json/empty");
    assert_eq!(only_rule(b" \n\t ").0, "json/empty");
}

#[test]
fn truncated_json_says_so() {
    let (rule, msg) = only_rule(br#"{"event":"message_created","id":1"#);
    assert_eq!(rule, "json/syntax");
    assert!(
        msg.starts_with("truncated JSON: EOF while parsing an object"),
        "{msg}"
    );
}

#[test]
fn a_byte_order_mark_is_reported_and_the_rest_still_checked() {
    let r = run(b"\xEF\xBB\xBF{\"event\":\"contact_created\",\"id\":\"x\",\"name\":\"a\",\"avatar\":\"\",\"thumbnail\":\"\",\"account\":{\"id\":1,\"name\":\"Acme\"},\"additional_attributes\":{},\"custom_attributes\":{},\"email\":null,\"identifier\":null,\"phone_number\":null,\"blocked\":false}");
    let rules: Vec<_> = r
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.pointer.as_str()))
        .collect();
    assert_eq!(rules, vec![("json/bom", ""), ("schema/type", "/id")]);
}

#[test]
fn deep_nesting_is_a_finding_not_a_stack_overflow() {
    let deep = "[".repeat(100_000);
    assert_eq!(only_rule(deep.as_bytes()).0, "json/depth");
    let deep_obj = format!(
        "{{\"event\":\"contact_created\",\"x\":{}{}}}",
        "[".repeat(200),
        "]".repeat(200)
    );
    assert_eq!(only_rule(deep_obj.as_bytes()).0, "json/depth");
}

#[test]
fn payloads_over_the_cap_are_not_parsed() {
    let opts = Options {
        max_bytes: 10,
        ..Options::default()
    };
    let r = catalog().validate(br#"{"event":"contact_created"}"#, &opts);
    assert_eq!(r.findings[0].rule, "json/too-large");
    assert_eq!(
        r.findings[0].message,
        "payload is 27 bytes, over the cap of 10 bytes"
    );
}

#[test]
fn non_objects_and_event_problems() {
    assert_eq!(
        only_rule(b"[1,2]"),
        (
            "json/not-object".into(),
            "expected a JSON object, found array".into()
        )
    );
    assert_eq!(only_rule(b"{}").0, "event/missing");
    assert_eq!(
        only_rule(br#"{"event":5}"#),
        (
            "event/type".into(),
            "`event` must be a string, found integer".into()
        )
    );
    assert_eq!(
        only_rule(br#"{"event":"mesage_created"}"#),
        (
            "event/unknown".into(),
            "unknown event `mesage_created`; did you mean `message_created`?".into()
        )
    );
    let (rule, msg) = only_rule(br#"{"event":"macro.executed"}"#);
    assert_eq!(rule, "event/unknown");
    assert!(msg.contains("not to account webhooks"), "{msg}");
    // `conversation_opened` is an account-webhook event of 2.0.0-2.4.1: known, and not sent by 4.15.1.
    let opened = catalog().validate(
        br#"{"event":"conversation_opened"}"#,
        &hookcheck::Options {
            profile: hookcheck::Profile::V4_15,
            ..Default::default()
        },
    );
    assert_eq!(opened.findings[0].rule, "event/release");
    assert!(
        opened.findings[0].message.contains("sent by 2.0.0-2.4.1"),
        "{}",
        opened.findings[0].message
    );
    assert_eq!(run(br#"{"event":"x"}"#).findings[0].pointer, "/event");
}

#[test]
fn forcing_an_event_checks_against_that_schema() {
    let opts = Options {
        event: Some(hookcheck::EventName::ContactCreated),
        ..Options::default()
    };
    // A contact_created body in every other respect.
    let r = catalog().validate(
        br#"{"event":"contact_updated","id":7,"name":"Ana","avatar":"","thumbnail":"","account":{"id":1,"name":"Acme"},"additional_attributes":{},"custom_attributes":{},"email":null,"identifier":null,"phone_number":null,"blocked":false}"#,
        &opts,
    );
    let f: Vec<_> = r
        .errors()
        .map(|f| (f.rule.as_str(), f.pointer.as_str(), f.message.as_str()))
        .collect();
    assert_eq!(
        f,
        vec![(
            "schema/const",
            "/event",
            "expected \"contact_created\", found \"contact_updated\""
        )]
    );
}

#[test]
fn every_finding_names_a_known_rule() {
    let samples: [&[u8]; 6] = [
        b"\xff",
        b"",
        b"{",
        b"1",
        br#"{"event":"x"}"#,
        br#"{"event":"inbox_created","channel":1}"#,
    ];
    for s in samples {
        for f in run(s).findings {
            let known = hookcheck::finding::rule::DOCS
                .iter()
                .any(|(id, _)| *id == f.rule)
                || f.rule.starts_with("schema/");
            assert!(known, "unknown rule {}", f.rule);
        }
    }
}

/// A 4 MiB payload can hold hundreds of thousands of duplicate or unknown keys: a report lists at most
/// `MAX_FINDINGS` and then says it stopped, errors first so that truncation never hides a violation.
mod many_findings {
    use hookcheck::validate::MAX_FINDINGS;

    use super::run;
    use crate::util::example_body;

    fn with_keys(mut body: serde_json::Value, keys: impl Iterator<Item = String>) -> Vec<u8> {
        let m = body.as_object_mut().expect("an object");
        for k in keys {
            m.insert(k, 1.into());
        }
        serde_json::to_vec(&body).expect("json")
    }

    #[test]
    fn duplicate_keys_beyond_the_cap_are_truncated_with_a_final_finding() {
        let mut text = String::from(r#"{"event":"contact_created""#);
        for i in 0..5_000 {
            text.push_str(&format!(r#","k{i}":1,"k{i}":2"#));
        }
        text.push('}');
        let r = run(text.as_bytes());
        assert_eq!(r.findings.len(), MAX_FINDINGS + 1);
        let last = r.findings.last().expect("findings");
        assert_eq!(
            (last.rule.as_str(), last.pointer.as_str()),
            ("report/truncated", "")
        );
        assert!(
            last.message.starts_with("more than 1000 findings"),
            "{}",
            last.message
        );
        // Errors first: the duplicates and the missing required keys; the 5,000 unknown keys (warnings) go.
        let kept = &r.findings[..MAX_FINDINGS];
        assert!(kept
            .iter()
            .all(|f| f.severity == hookcheck::Severity::Error));
        let dups = kept
            .iter()
            .filter(|f| f.rule == "json/duplicate-key")
            .count();
        // The rest: the contact's missing required keys (a dozen at most, in any release).
        let required = kept.iter().filter(|f| f.rule == "schema/required").count();
        assert_eq!(
            dups + required,
            MAX_FINDINGS,
            "{dups} duplicates, {required} required"
        );
        assert!(required <= 16, "{required} missing required keys");
        assert!(!r.conforms(false));
    }

    #[test]
    fn unknown_keys_beyond_the_cap_stay_warnings() {
        let body = example_body("contact_updated.json");
        let r = run(&with_keys(
            body,
            (0..3_000).map(|i| format!("x_fork_{i:05}")),
        ));
        assert_eq!(r.findings.len(), MAX_FINDINGS + 1);
        assert!(r.findings[..MAX_FINDINGS]
            .iter()
            .all(|f| f.rule == "unknown-key"));
        assert_eq!(r.findings[MAX_FINDINGS].rule, "report/truncated");
        assert!(r.conforms(false), "warnings only");
        assert!(!r.conforms(true), "--deny-warnings");
    }

    #[test]
    fn errors_are_kept_before_warnings_that_sort_first() {
        // 1,500 unknown keys whose pointers sort before `/id`, and one error at `/id`.
        let mut body = example_body("contact_updated.json");
        body["id"] = "7".into();
        let r = run(&with_keys(body, (0..1_500).map(|i| format!("a{i:05}"))));
        assert_eq!(r.findings.len(), MAX_FINDINGS + 1);
        assert!(
            r.findings
                .iter()
                .any(|f| f.rule == "schema/type" && f.pointer == "/id"),
            "the error survives truncation"
        );
        assert!(!r.conforms(false));
    }

    #[test]
    fn a_payload_at_the_cap_is_not_truncated() {
        let body = example_body("contact_updated.json");
        let r = run(&with_keys(
            body,
            (0..MAX_FINDINGS).map(|i| format!("x_fork_{i:05}")),
        ));
        assert_eq!(r.findings.len(), MAX_FINDINGS);
        assert!(r.findings.iter().all(|f| f.rule == "unknown-key"));
    }
}
