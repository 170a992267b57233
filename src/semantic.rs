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
    /// The first release in which the rule holds (an error from it on; not checked before). Release facts
    /// live with their range, like the schema annotations.
    pub since: &'static str,
}

impl Rule {
    /// Severity under `profile`.
    ///
    /// ```
    /// use hookcheck::{semantic, Profile, Severity};
    /// let rule = semantic::rule("semantic/timestamp").unwrap();
    /// assert_eq!(rule.severity(Profile::V4_15), Some(Severity::Error));
    /// assert_eq!(rule.severity(Profile::release("2.18.0").unwrap()), None); // no last_activity_at yet
    /// ```
    pub fn severity(&self, profile: Profile) -> Option<Severity> {
        match profile {
            Profile::Compat => self.compat,
            Profile::Release(r) => {
                let since = crate::schema::derive::parse_version(self.since)?;
                (r.number() >= since).then_some(Severity::Error)
            }
        }
    }
}

const E: Option<Severity> = Some(Severity::Error);
const W: Option<Severity> = Some(Severity::Warning);

/// Every rule.
pub const RULES: &[Rule] = &[
    Rule { id: "semantic/message-inbox", doc: "a message's inbox.id equals its conversation.inbox_id (one inbox per conversation)", compat: E, since: "2.0.0" },
    Rule { id: "semantic/message-account", doc: "a message's account.id equals its conversation.account.id when the conversation has one", compat: E, since: "2.0.0" },
    Rule { id: "semantic/nested-message", doc: "conversation.messages[0] belongs to the conversation: conversation_id = id, inbox_id = inbox_id, account_id = account.id", compat: E, since: "2.0.0" },
    Rule { id: "semantic/contact-inbox", doc: "contact_inbox.inbox_id = conversation.inbox_id and contact_inbox.contact_id = meta.sender.id", compat: E, since: "2.0.0" },
    Rule { id: "semantic/assignee-type", doc: "meta.assignee_type names the kind of meta.assignee (User/user, AgentBot/agent_bot, null/null); assignee_type exists since 4.8.0", compat: E, since: "2.0.0" },
    Rule { id: "semantic/timestamp", doc: "conversation.timestamp equals last_activity_at (push data since 4.x; a warning for older releases)", compat: W, since: "3.11.1" },
    Rule { id: "semantic/activity-order", doc: "conversation.created_at <= last_activity_at when both are set (0 = unset)", compat: W, since: "3.11.1" },
    Rule { id: "semantic/webwidget", doc: "webwidget_triggered: current_conversation.inbox_id = inbox.id, its meta.sender.id = contact.id, contact.account.id = account.id", compat: E, since: "2.0.0" },
    Rule { id: "semantic/typing-contact-private", doc: "a typing contact (widget or public API) always sends is_private = false", compat: E, since: "2.0.0" },
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Where the conversations of an event's payload are.
pub fn conversation_paths(event: EventName) -> &'static [&'static str] {
    use EventName::*;
    match event {
        ConversationCreated
        | ConversationUpdated
        | ConversationStatusChanged
        | ConversationOpened
        | ConversationResolved => &[""],
        MessageCreated | MessageUpdated | ConversationTypingOn | ConversationTypingOff => {
            &["/conversation"]
        }
        WebwidgetTriggered => &["/current_conversation"],
        ContactCreated | ContactUpdated | InboxCreated | InboxUpdated => &[],
    }
}

/// The tokens of JSON Pointer `p` (RFC 6901), unescaped only when they contain `~`; `None` when `p` is
/// not a pointer. The empty pointer has no token.
fn tokens(p: &str) -> Option<impl Iterator<Item = std::borrow::Cow<'_, str>>> {
    let rest = match p {
        "" => None,
        _ => Some(p.strip_prefix('/')?),
    };
    Some(rest.into_iter().flat_map(|r| r.split('/')).map(|t| {
        if t.contains('~') {
            std::borrow::Cow::Owned(t.replace("~1", "/").replace("~0", "~"))
        } else {
            std::borrow::Cow::Borrowed(t)
        }
    }))
}

/// An array index token as RFC 6901 spells it (no sign, no leading zero), as serde_json reads it.
fn index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.len() > 1 && token.starts_with('0')) {
        return None;
    }
    token.parse().ok()
}

/// `v.pointer(p)` without its allocations (serde_json unescapes every token into a new `String`): the
/// rules look up about twenty pointers in every payload.
fn lookup<'a>(v: &'a Value, p: &str) -> Option<&'a Value> {
    let mut cur = v;
    for token in tokens(p)? {
        cur = match cur {
            Value::Object(m) => m.get(&*token)?,
            Value::Array(a) => a.get(index(&token)?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn id_at(v: &Value, p: &str) -> Option<i64> {
    lookup(v, p).and_then(Value::as_i64)
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
    dependent: &'static str,
    source: &'static str,
) {
    if let (Some(a), Some(b)) = (lookup(v, dependent), lookup(v, source)) {
        if a != b && !a.is_object() && !b.is_object() {
            out.push(Mismatch {
                rule,
                pointer: dependent.to_string(),
                other: source.to_string(),
                found: a.clone(),
                expected: b.clone(),
            });
        }
    }
}

/// The pointers the rules read in one conversation of a payload, spelled out at compile time: the rules
/// run on every payload, and building these strings per payload cost more than the schema check.
struct Conversation {
    at: &'static str,
    pairs: [(&'static str, &'static str, &'static str); 6],
    assignee_type: &'static str,
    assignee: &'static str,
    created_at: &'static str,
    last_activity_at: &'static str,
    timestamp: &'static str,
}

macro_rules! conversation {
    ($c:literal) => {
        Conversation {
            at: $c,
            pairs: [
                (
                    "semantic/nested-message",
                    concat!($c, "/messages/0/conversation_id"),
                    concat!($c, "/id"),
                ),
                (
                    "semantic/nested-message",
                    concat!($c, "/messages/0/inbox_id"),
                    concat!($c, "/inbox_id"),
                ),
                (
                    "semantic/nested-message",
                    concat!($c, "/messages/0/account_id"),
                    concat!($c, "/account/id"),
                ),
                (
                    "semantic/contact-inbox",
                    concat!($c, "/contact_inbox/inbox_id"),
                    concat!($c, "/inbox_id"),
                ),
                (
                    "semantic/contact-inbox",
                    concat!($c, "/contact_inbox/contact_id"),
                    concat!($c, "/meta/sender/id"),
                ),
                (
                    "semantic/timestamp",
                    concat!($c, "/timestamp"),
                    concat!($c, "/last_activity_at"),
                ),
            ],
            assignee_type: concat!($c, "/meta/assignee_type"),
            assignee: concat!($c, "/meta/assignee"),
            created_at: concat!($c, "/created_at"),
            last_activity_at: concat!($c, "/last_activity_at"),
            timestamp: concat!($c, "/timestamp"),
        }
    };
}

static ROOT_CONVERSATION: [Conversation; 1] = [conversation!("")];
static MESSAGE_CONVERSATION: [Conversation; 1] = [conversation!("/conversation")];
static WIDGET_CONVERSATION: [Conversation; 1] = [conversation!("/current_conversation")];

/// The conversations of an event's payload (as [`conversation_paths`]).
fn conversations(event: EventName) -> &'static [Conversation] {
    use EventName::*;
    match event {
        ConversationCreated
        | ConversationUpdated
        | ConversationStatusChanged
        | ConversationOpened
        | ConversationResolved => &ROOT_CONVERSATION,
        MessageCreated | MessageUpdated | ConversationTypingOn | ConversationTypingOff => {
            &MESSAGE_CONVERSATION
        }
        WebwidgetTriggered => &WIDGET_CONVERSATION,
        ContactCreated | ContactUpdated | InboxCreated | InboxUpdated => &[],
    }
}

/// Every (dependent, source) pair of a payload: the dependent must equal the source.
fn pairs(event: EventName, v: &Value) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut out = Vec::new();
    if matches!(event, EventName::MessageCreated | EventName::MessageUpdated) {
        out.push((
            "semantic/message-inbox",
            "/inbox/id",
            "/conversation/inbox_id",
        ));
        out.push((
            "semantic/message-account",
            "/account/id",
            "/conversation/account/id",
        ));
    }
    if event == EventName::WebwidgetTriggered
        && lookup(v, "/current_conversation").is_some_and(Value::is_object)
    {
        out.push((
            "semantic/webwidget",
            "/current_conversation/inbox_id",
            "/inbox/id",
        ));
        out.push((
            "semantic/webwidget",
            "/current_conversation/meta/sender/id",
            "/contact/id",
        ));
    }
    if event == EventName::WebwidgetTriggered {
        out.push(("semantic/webwidget", "/contact/account/id", "/account/id"));
    }
    for c in conversations(event) {
        if !lookup(v, c.at).is_some_and(Value::is_object) && !c.at.is_empty() {
            continue;
        }
        out.extend(c.pairs);
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
    for c in conversations(event) {
        if let (Some(t), Some(a)) = (lookup(v, c.assignee_type), lookup(v, c.assignee)) {
            if let Some(expected) = assignee_type_of(a) {
                if *t != expected {
                    out.push(Mismatch {
                        rule: "semantic/assignee-type",
                        pointer: c.assignee_type.to_string(),
                        other: c.assignee.to_string(),
                        found: t.clone(),
                        expected,
                    });
                }
            }
        }
        if let (Some(cr), Some(la)) = (id_at(v, c.created_at), id_at(v, c.last_activity_at)) {
            if cr > 0 && la > 0 && cr > la {
                out.push(Mismatch {
                    rule: "semantic/activity-order",
                    pointer: c.created_at.to_string(),
                    other: c.last_activity_at.to_string(),
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
        let contact = lookup(v, "/user")
            .and_then(Value::as_object)
            .is_some_and(|u| !u.contains_key("type"));
        if let Some(p) = lookup(v, "/is_private") {
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
            release: None,
        });
    }
}

fn set(v: &mut Value, p: &str, x: Value) {
    if let Some(slot) = lookup_mut(v, p) {
        *slot = x;
    }
}

/// [`lookup`] for writing (`repair` runs on every generated payload).
fn lookup_mut<'a>(v: &'a mut Value, p: &str) -> Option<&'a mut Value> {
    let mut cur = v;
    for token in tokens(p)? {
        cur = match cur {
            Value::Object(m) => m.get_mut(&*token)?,
            Value::Array(a) => a.get_mut(index(&token)?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Makes a schema-valid payload satisfy every rule, by copying each source value onto its dependent.
/// Used by the generator; the result stays schema-valid because dependents and sources share a schema type.
pub fn repair(event: EventName, v: &mut Value) {
    // Sources that other pairs read must be settled first (webwidget ids feed the conversation's).
    for _ in 0..2 {
        for (_, dep, src) in pairs(event, v) {
            if let (Some(s), true) = (lookup(v, src).cloned(), lookup(v, dep).is_some()) {
                if !s.is_object() && !s.is_null() {
                    set(v, dep, s);
                }
            }
        }
    }
    for c in conversations(event) {
        if let (Some(_), Some(expected)) = (
            lookup(v, c.assignee_type),
            lookup(v, c.assignee).and_then(assignee_type_of),
        ) {
            set(v, c.assignee_type, expected);
        }
        if let (Some(cr), Some(la)) = (id_at(v, c.created_at), id_at(v, c.last_activity_at)) {
            if cr > 0 && la > 0 && cr > la {
                set(v, c.created_at, la.into());
                set(v, c.last_activity_at, cr.into());
                set(v, c.timestamp, cr.into());
            }
        }
    }
    if matches!(
        event,
        EventName::ConversationTypingOn | EventName::ConversationTypingOff
    ) && lookup(v, "/user")
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
            let c = conversations(event).first()?;
            let current = lookup(v, c.assignee_type)?.clone();
            let wrong = if current == Value::Null {
                Value::from("User")
            } else {
                Value::Null
            };
            set(v, c.assignee_type, wrong);
            Some(c.assignee_type.to_string())
        }
        "semantic/activity-order" => {
            let c = conversations(event).first()?;
            let la = id_at(v, c.last_activity_at).filter(|x| *x > 0)?;
            id_at(v, c.created_at)?;
            set(v, c.created_at, (la + 3600).into());
            Some(c.created_at.to_string())
        }
        "semantic/typing-contact-private" => {
            let contact = lookup(v, "/user")
                .and_then(Value::as_object)
                .is_some_and(|u| !u.contains_key("type"));
            (contact && lookup(v, "/is_private").is_some()).then(|| {
                set(v, "/is_private", Value::Bool(true));
                "/is_private".to_string()
            })
        }
        _ => {
            let (_, dep, src) = pairs(event, v).into_iter().find(|(r, dep, src)| {
                *r == id
                    && lookup(v, dep).is_some_and(Value::is_i64)
                    && lookup(v, src).is_some_and(Value::is_i64)
            })?;
            let s = lookup(v, src).and_then(Value::as_i64)?;
            set(v, dep, (s + 1).into());
            Some(dep.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_agrees_with_serde_json_pointer() {
        let v = serde_json::json!({"a": {"b/c": [1, {"~x": 2}], "": 3, "0": 4}, "n": null});
        for p in [
            "",
            "/a",
            "/a/b~1c",
            "/a/b~1c/0",
            "/a/b~1c/1/~0x",
            "/a/",
            "/a/0",
            "/n",
            "/a/b~1c/01",
            "/a/b~1c/+1",
            "/a/b~1c/2",
            "/missing",
            "a",
            "/a/b~1c/-",
            "/n/x",
        ] {
            assert_eq!(lookup(&v, p), v.pointer(p), "{p:?}");
            let mut w = v.clone();
            assert_eq!(
                lookup_mut(&mut w, p).map(|x| x.clone()),
                v.pointer(p).cloned(),
                "{p:?}"
            );
        }
    }

    #[test]
    fn the_static_conversation_pointers_match_conversation_paths() {
        for event in EventName::ALL {
            let ats: Vec<&str> = conversations(event).iter().map(|c| c.at).collect();
            assert_eq!(ats, conversation_paths(event), "{event}");
            for c in conversations(event) {
                for (_, dep, src) in c.pairs {
                    assert!(
                        dep.starts_with(c.at) && src.starts_with(c.at),
                        "{dep} {src}"
                    );
                }
            }
        }
    }
}
