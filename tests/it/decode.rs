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
    let r = run(b"\xEF\xBB\xBF{\"event\":\"contact_created\",\"id\":\"x\",\"name\":\"a\"}");
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
    let (rule, msg) = only_rule(br#"{"event":"conversation_opened"}"#);
    assert_eq!(rule, "event/unknown");
    assert!(
        msg.contains("removed from account webhooks in Chatwoot 2.5.0"),
        "{msg}"
    );
    assert_eq!(run(br#"{"event":"x"}"#).findings[0].pointer, "/event");
}

#[test]
fn forcing_an_event_checks_against_that_schema() {
    let opts = Options {
        event: Some(hookcheck::EventName::ContactCreated),
        ..Options::default()
    };
    let r = catalog().validate(br#"{"event":"contact_updated","id":1,"name":"a"}"#, &opts);
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
