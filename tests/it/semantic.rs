//! Every semantic rule on hand-written cases: a contract example edited by hand at a pointer written here,
//! and the example as it is. Nothing goes through the generator's `break_rule`, so a rule and its breaker
//! that agree on a wrong pointer are caught here.
use hookcheck::{semantic::RULES, Options, Profile};
use serde_json::{json, Value};

use crate::util::{catalog, example_body};

/// The semantic findings (rule, pointer) of `body` under `profile`.
fn semantic(body: &Value, profile: Profile) -> Vec<(String, String)> {
    catalog()
        .validate_value(
            body,
            &Options {
                profile,
                ..Options::default()
            },
        )
        .findings
        .into_iter()
        .filter(|f| f.rule.starts_with("semantic/"))
        .map(|f| (f.rule, f.pointer))
        .collect()
}

fn set(body: &mut Value, pointer: &str, value: Value) {
    *body
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("the example has {pointer}")) = value;
}

/// A webwidget_triggered whose `current_conversation` is the conversation_created example's conversation,
/// made consistent with the widget's inbox and contact (the shared example has `current_conversation: null`).
fn widget_with_conversation() -> Value {
    let mut body = example_body("webwidget_triggered.json");
    let mut conversation = example_body("conversation_created.json");
    if let Some(o) = conversation.as_object_mut() {
        o.remove("event");
    }
    body["current_conversation"] = conversation;
    let (inbox, contact) = (body["inbox"]["id"].clone(), body["contact"]["id"].clone());
    set(&mut body, "/current_conversation/inbox_id", inbox);
    set(&mut body, "/current_conversation/meta/sender/id", contact);
    body
}

/// A typing event of a contact (no `type`: VERSIONS.md section 2.5) from the widget.
fn typing_contact() -> Value {
    let mut body = example_body("conversation_typing_on.json");
    body["user"] = json!({"account": {"id": 1, "name": "Acme Inc"}, "additional_attributes": {}, "avatar": "",
        "custom_attributes": {}, "email": null, "id": 14, "identifier": null, "name": "little-haze-776",
        "phone_number": null, "thumbnail": "", "blocked": false});
    body
}

/// (rule, the example it starts from, the pointer edited and its new value, the pointer reported).
fn cases() -> Vec<(&'static str, Value, &'static str, Value, &'static str)> {
    let message = || example_body("message_created.incoming_contact.json");
    let conversation = || example_body("conversation_created.json");
    vec![
        (
            "semantic/message-inbox",
            message(),
            "/inbox/id",
            json!(2),
            "/inbox/id",
        ),
        (
            "semantic/message-account",
            message(),
            "/account/id",
            json!(2),
            "/account/id",
        ),
        (
            "semantic/nested-message",
            message(),
            "/conversation/messages/0/conversation_id",
            json!(11),
            "/conversation/messages/0/conversation_id",
        ),
        (
            "semantic/contact-inbox",
            conversation(),
            "/contact_inbox/contact_id",
            json!(15),
            "/contact_inbox/contact_id",
        ),
        (
            "semantic/assignee-type",
            conversation(),
            "/meta/assignee_type",
            json!("User"),
            "/meta/assignee_type",
        ),
        (
            "semantic/timestamp",
            conversation(),
            "/timestamp",
            json!(1_781_699_000),
            "/timestamp",
        ),
        (
            "semantic/activity-order",
            conversation(),
            "/created_at",
            json!(1_781_699_999),
            "/created_at",
        ),
        (
            "semantic/webwidget",
            widget_with_conversation(),
            "/contact/account/id",
            json!(2),
            "/contact/account/id",
        ),
        (
            "semantic/typing-contact-private",
            typing_contact(),
            "/is_private",
            json!(true),
            "/is_private",
        ),
    ]
}

#[test]
fn every_semantic_rule_has_a_hand_written_breaking_case_and_a_satisfying_one() {
    let cases = cases();
    let covered: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.0).collect();
    let all: std::collections::BTreeSet<&str> = RULES.iter().map(|r| r.id).collect();
    assert_eq!(covered, all, "one hand-written case per semantic rule");
    for (rule, base, at, value, reported) in cases {
        for profile in [Profile::V4_15, Profile::Compat] {
            let satisfied = semantic(&base, profile);
            assert!(
                !satisfied.iter().any(|(r, _)| r == rule),
                "{rule} ({profile}): the unedited case already breaks it: {satisfied:?}"
            );
            let mut broken = base.clone();
            set(&mut broken, at, value.clone());
            let found = semantic(&broken, profile);
            assert!(
                found.iter().any(|(r, p)| r == rule && p == reported),
                "{rule} ({profile}): {at} = {value} must be reported at {reported}, got {found:?}"
            );
        }
    }
}

/// `semantic/timestamp` holds since 3.11.1: under a release before it, the same edit is no finding.
#[test]
fn a_rule_with_a_release_range_is_silent_before_it() {
    let mut body = example_body("conversation_created.json");
    set(&mut body, "/timestamp", json!(1_781_699_000));
    let old = Profile::release("3.0.0").expect("a known release");
    assert!(
        !semantic(&body, old)
            .iter()
            .any(|(r, _)| r == "semantic/timestamp"),
        "{:?}",
        semantic(&body, old)
    );
}
