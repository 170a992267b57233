//! Cross-field rules beyond JSON Schema: consistency the contract implies between fields.
//!
//! Each rule has a stable id, a one-line doc, and per profile a severity. A rule that holds for every real
//! payload of every release a profile covers is an error there; a rule that holds only from some release on
//! is an error in that release's profile and a warning in `compat`. The generator makes payloads satisfy
//! every rule ([`repair`]) and the mutator breaks them one at a time ([`break_rule`]).
use serde_json::Value;

use crate::{
    event::EventName,
    finding::{Finding, Severity},
    profile::Profile,
};

/// One cross-field rule.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable id, e.g. `semantic/message-inbox`.
    pub id: &'static str,
    /// One line: what must hold, and why.
    pub doc: &'static str,
    /// Severity under `compat`; `None` = not checked.
    pub compat: Option<Severity>,
    /// Severity under `v4.15`.
    pub v4_15: Option<Severity>,
}

impl Rule {
    /// Severity under `profile`.
    pub fn severity(&self, profile: Profile) -> Option<Severity> {
        match profile {
            Profile::Compat => self.compat,
            Profile::V4_15 => self.v4_15,
        }
    }
}

const E: Option<Severity> = Some(Severity::Error);
const W: Option<Severity> = Some(Severity::Warning);

/// Every rule.
pub const RULES: &[Rule] = &[
    Rule { id: "semantic/message-inbox", doc: "a message's inbox.id equals its conversation.inbox_id (one inbox per conversation)", compat: E, v4_15: E },
    Rule { id: "semantic/message-account", doc: "a message's account.id equals its conversation.account.id when the conversation has one", compat: E, v4_15: E },
    Rule { id: "semantic/nested-message", doc: "conversation.messages[0] belongs to the conversation: conversation_id = id, inbox_id = inbox_id, account_id = account.id", compat: E, v4_15: E },
    Rule { id: "semantic/contact-inbox", doc: "contact_inbox.inbox_id = conversation.inbox_id and contact_inbox.contact_id = meta.sender.id", compat: E, v4_15: E },
    Rule { id: "semantic/assignee-type", doc: "meta.assignee_type names the kind of meta.assignee (User/user, AgentBot/agent_bot, null/null); assignee_type exists since 4.8.0", compat: E, v4_15: E },
    Rule { id: "semantic/timestamp", doc: "conversation.timestamp equals last_activity_at (push data since 4.x; a warning for older releases)", compat: W, v4_15: E },
    Rule { id: "semantic/activity-order", doc: "conversation.created_at <= last_activity_at when both are set (0 = unset)", compat: W, v4_15: E },
    Rule { id: "semantic/webwidget", doc: "webwidget_triggered: current_conversation.inbox_id = inbox.id, its meta.sender.id = contact.id, contact.account.id = account.id", compat: E, v4_15: E },
    Rule { id: "semantic/typing-contact-private", doc: "a typing contact (widget or public API) always sends is_private = false", compat: E, v4_15: E },
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Where the conversations of an event's payload are.
pub fn conversation_paths(event: EventName) -> &'static [&'static str] {
    use EventName::*;
    match event {
        ConversationCreated | ConversationUpdated | ConversationStatusChanged => &[""],
        MessageCreated | MessageUpdated | ConversationTypingOn | ConversationTypingOff => {
            &["/conversation"]
        }
        WebwidgetTriggered => &["/current_conversation"],
        ContactCreated | ContactUpdated | InboxCreated | InboxUpdated => &[],
    }
}

fn id_at(v: &Value, p: &str) -> Option<i64> {
    v.pointer(p).and_then(Value::as_i64)
}

/// A disagreement: the pointer of the value that should equal another, and both values.
struct Mismatch {
    rule: &'static str,
    pointer: String,
    other: String,
    found: Value,
    expected: Value,
}

fn compare(
    out: &mut Vec<Mismatch>,
    rule: &'static str,
    v: &Value,
    dependent: String,
    source: String,
) {
    if let (Some(a), Some(b)) = (v.pointer(&dependent), v.pointer(&source)) {
        if a != b && !a.is_object() && !b.is_object() {
            out.push(Mismatch {
                rule,
                pointer: dependent,
                other: source,
                found: a.clone(),
                expected: b.clone(),
            });
        }
    }
}

/// Every (dependent, source) pair of a payload: the dependent must equal the source.
fn pairs(event: EventName, v: &Value) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    let mut add = |rule, dep: String, src: String| out.push((rule, dep, src));
    if matches!(event, EventName::MessageCreated | EventName::MessageUpdated) {
        add(
            "semantic/message-inbox",
            "/inbox/id".into(),
            "/conversation/inbox_id".into(),
        );
        add(
            "semantic/message-account",
            "/account/id".into(),
            "/conversation/account/id".into(),
        );
    }
    if event == EventName::WebwidgetTriggered
        && v.pointer("/current_conversation")
            .is_some_and(Value::is_object)
    {
        add(
            "semantic/webwidget",
            "/current_conversation/inbox_id".into(),
            "/inbox/id".into(),
        );
        add(
            "semantic/webwidget",
            "/current_conversation/meta/sender/id".into(),
            "/contact/id".into(),
        );
    }
    if event == EventName::WebwidgetTriggered {
        add(
            "semantic/webwidget",
            "/contact/account/id".into(),
            "/account/id".into(),
        );
    }
    for c in conversation_paths(event) {
        if !v.pointer(c).is_some_and(Value::is_object) && !c.is_empty() {
            continue;
        }
        add(
            "semantic/nested-message",
            format!("{c}/messages/0/conversation_id"),
            format!("{c}/id"),
        );
        add(
            "semantic/nested-message",
            format!("{c}/messages/0/inbox_id"),
            format!("{c}/inbox_id"),
        );
        add(
            "semantic/nested-message",
            format!("{c}/messages/0/account_id"),
            format!("{c}/account/id"),
        );
        add(
            "semantic/contact-inbox",
            format!("{c}/contact_inbox/inbox_id"),
            format!("{c}/inbox_id"),
        );
        add(
            "semantic/contact-inbox",
            format!("{c}/contact_inbox/contact_id"),
            format!("{c}/meta/sender/id"),
        );
        add(
            "semantic/timestamp",
            format!("{c}/timestamp"),
            format!("{c}/last_activity_at"),
        );
    }
    out
}

fn assignee_type_of(assignee: &Value) -> Option<Value> {
    match assignee {
        Value::Null => Some(Value::Null),
        Value::Object(o) => match o.get("type").and_then(Value::as_str) {
            Some("user") => Some("User".into()),
            Some("agent_bot") => Some("AgentBot".into()),
            _ => None,
        },
        _ => None,
    }
}

fn mismatches(event: EventName, v: &Value) -> Vec<Mismatch> {
    let mut out = Vec::new();
    for (rule, dep, src) in pairs(event, v) {
        compare(&mut out, rule, v, dep, src);
    }
    for c in conversation_paths(event) {
        let (at, assignee) = (
            format!("{c}/meta/assignee_type"),
            format!("{c}/meta/assignee"),
        );
        if let (Some(t), Some(a)) = (v.pointer(&at), v.pointer(&assignee)) {
            if let Some(expected) = assignee_type_of(a) {
                if *t != expected {
                    out.push(Mismatch {
                        rule: "semantic/assignee-type",
                        pointer: at,
                        other: assignee,
                        found: t.clone(),
                        expected,
                    });
                }
            }
        }
        let (created, last) = (format!("{c}/created_at"), format!("{c}/last_activity_at"));
        if let (Some(cr), Some(la)) = (id_at(v, &created), id_at(v, &last)) {
            if cr > 0 && la > 0 && cr > la {
                out.push(Mismatch {
                    rule: "semantic/activity-order",
                    pointer: created,
                    other: last,
                    found: cr.into(),
                    expected: la.into(),
                });
            }
        }
    }
    if matches!(
        event,
        EventName::ConversationTypingOn | EventName::ConversationTypingOff
    ) {
        let contact = v
            .pointer("/user")
            .and_then(Value::as_object)
            .is_some_and(|u| !u.contains_key("type"));
        if let Some(p) = v.pointer("/is_private") {
            if contact && p != &Value::Bool(false) && p != &Value::String("false".into()) {
                out.push(Mismatch {
                    rule: "semantic/typing-contact-private",
                    pointer: "/is_private".into(),
                    other: "/user".into(),
                    found: p.clone(),
                    expected: Value::Bool(false),
                });
            }
        }
    }
    out
}

/// Checks the rules on a payload of `event`; findings' pointers are prefixed with `prefix`.
pub fn check(event: EventName, v: &Value, profile: Profile, prefix: &str, out: &mut Vec<Finding>) {
    for m in mismatches(event, v) {
        let Some(rule) = rule(m.rule) else { continue };
        let Some(severity) = rule.severity(profile) else {
            continue;
        };
        let message = if m.rule == "semantic/activity-order" {
            format!(
                "created_at {} is after last_activity_at {} ({})",
                m.found, m.expected, m.other
            )
        } else if m.rule == "semantic/typing-contact-private" {
            format!(
                "is_private is {} but the typing user is a contact, whose typing is never private",
                m.found
            )
        } else {
            format!(
                "{} but {} is {} ({})",
                crate::finding::shorten(&m.found),
                m.other,
                crate::finding::shorten(&m.expected),
                rule.doc
            )
        };
        out.push(Finding {
            severity,
            rule: m.rule.to_string(),
            pointer: format!("{prefix}{}", m.pointer),
            schema: None,
            message,
            value: Some(crate::finding::shorten(&m.found)),
            header: None,
        });
    }
}

fn set(v: &mut Value, p: &str, x: Value) {
    if let Some(slot) = v.pointer_mut(p) {
        *slot = x;
    }
}

/// Makes a schema-valid payload satisfy every rule, by copying each source value onto its dependent.
/// Used by the generator; the result stays schema-valid because dependents and sources share a schema type.
pub fn repair(event: EventName, v: &mut Value) {
    // Sources that other pairs read must be settled first (webwidget ids feed the conversation's).
    for _ in 0..2 {
        for (_, dep, src) in pairs(event, v) {
            if let (Some(s), true) = (v.pointer(&src).cloned(), v.pointer(&dep).is_some()) {
                if !s.is_object() && !s.is_null() {
                    set(v, &dep, s);
                }
            }
        }
    }
    for c in conversation_paths(event) {
        let at = format!("{c}/meta/assignee_type");
        if let (Some(_), Some(expected)) = (
            v.pointer(&at),
            v.pointer(&format!("{c}/meta/assignee"))
                .and_then(assignee_type_of),
        ) {
            set(v, &at, expected);
        }
        let (created, last) = (format!("{c}/created_at"), format!("{c}/last_activity_at"));
        if let (Some(cr), Some(la)) = (id_at(v, &created), id_at(v, &last)) {
            if cr > 0 && la > 0 && cr > la {
                set(v, &created, la.into());
                set(v, &last, cr.into());
                set(v, &format!("{c}/timestamp"), cr.into());
            }
        }
    }
    if matches!(
        event,
        EventName::ConversationTypingOn | EventName::ConversationTypingOff
    ) && v
        .pointer("/user")
        .and_then(Value::as_object)
        .is_some_and(|u| !u.contains_key("type"))
    {
        set(v, "/is_private", Value::Bool(false));
    }
}

/// Breaks one rule in a valid payload, if the payload has the fields it relates: returns the pointer the
/// finding will name.
pub fn break_rule(event: EventName, v: &mut Value, id: &str) -> Option<String> {
    match id {
        "semantic/assignee-type" => {
            // Every event has at most one conversation.
            let c = conversation_paths(event).first()?;
            let at = format!("{c}/meta/assignee_type");
            let current = v.pointer(&at)?.clone();
            let wrong = if current == Value::Null {
                Value::from("User")
            } else {
                Value::Null
            };
            set(v, &at, wrong);
            Some(at)
        }
        "semantic/activity-order" => {
            let c = conversation_paths(event).first()?;
            let (created, last) = (format!("{c}/created_at"), format!("{c}/last_activity_at"));
            let la = id_at(v, &last).filter(|x| *x > 0)?;
            id_at(v, &created)?;
            set(v, &created, (la + 3600).into());
            Some(created)
        }
        "semantic/typing-contact-private" => {
            let contact = v
                .pointer("/user")
                .and_then(Value::as_object)
                .is_some_and(|u| !u.contains_key("type"));
            (contact && v.pointer("/is_private").is_some()).then(|| {
                set(v, "/is_private", Value::Bool(true));
                "/is_private".to_string()
            })
        }
        _ => {
            let (_, dep, src) = pairs(event, v).into_iter().find(|(r, dep, src)| {
                *r == id
                    && v.pointer(dep).is_some_and(Value::is_i64)
                    && v.pointer(src).is_some_and(Value::is_i64)
            })?;
            let s = v.pointer(&src).and_then(Value::as_i64)?;
            set(v, &dep, (s + 1).into());
            Some(dep)
        }
    }
}
