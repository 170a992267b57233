//! One planned delivery: what is sent, what it exercises, and what the consumer must do with it.
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::{forgery::Forgery, phase::Phase};
use crate::{event::EventName, generate::mutate::Class, signature::activesupport_json};

/// What the consumer must do with a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expect {
    /// A delivery Chatwoot could have sent: answer 2xx within the timeout.
    Accept,
    /// A delivery Chatwoot did not send: refuse it (any answer but 2xx; 401 or 403 is right).
    Refuse(Forgery),
    /// A broken or unusual body: 2xx or 4xx, never 5xx, a timeout or a dropped connection.
    Survive(Hostility),
}

impl Expect {
    /// `accept`, `refuse` or `survive`.
    pub fn name(self) -> &'static str {
        match self {
            Expect::Accept => "accept",
            Expect::Refuse(_) => "refuse",
            Expect::Survive(_) => "survive",
        }
    }

    /// The forgery or hostility, by name (`wrong-secret`, `mutation/wrong-type`, ...), if any.
    pub fn detail(self) -> Option<String> {
        match self {
            Expect::Accept => None,
            Expect::Refuse(f) => Some(f.name().to_string()),
            Expect::Survive(h) => Some(h.name()),
        }
    }
}

impl Serialize for Expect {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("must", self.name())?;
        match self {
            Expect::Accept => {}
            Expect::Refuse(f) => m.serialize_entry("forgery", f.name())?,
            Expect::Survive(h) => m.serialize_entry("hostility", &h.name())?,
        }
        m.end()
    }
}

/// How a hostile body is hostile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hostility {
    /// A valid payload broken in exactly one way, by one of the mutation classes of
    /// [`generate::mutate`](crate::generate::mutate).
    Mutation(Class),
    /// Not JSON at all (empty, text, truncated, invalid UTF-8, a byte-order mark, XML, a form, NUL bytes).
    NotJson(&'static str),
    /// JSON, but not an object (an array, `null`, a string).
    NotObject(&'static str),
    /// Unusual but legal JSON: deep nesting within limits, long strings, non-ASCII and escaped characters,
    /// escaped keys, a repeated key, a huge number, unusual white space.
    Unusual(&'static str),
}

impl Hostility {
    /// `mutation/wrong-type`, `not-json/truncated`, `not-object/array`, `unusual/deep-nesting`, ...
    pub fn name(self) -> String {
        match self {
            Hostility::Mutation(c) => format!("mutation/{}", c.name()),
            Hostility::NotJson(k) => format!("not-json/{k}"),
            Hostility::NotObject(k) => format!("not-object/{k}"),
            Hostility::Unusual(k) => format!("unusual/{k}"),
        }
    }
}

/// One planned delivery. Headers (delivery id, timestamp, signature) are made when it is sent, so the
/// timestamp is fresh; the body is fixed by the plan, so the same seed sends the same bodies.
#[derive(Debug, Clone)]
pub struct Case {
    /// The phase that planned it.
    pub phase: Phase,
    /// The event, when the body has one.
    pub event: Option<EventName>,
    /// What the consumer must do with it.
    pub expect: Expect,
    /// What it exercises, in a few words (`/conversation/status = "snoozed"`, `stale timestamp`, ...).
    pub label: String,
    /// The payload the body serialises, when there is one: what shrinking works on. Hostile bodies that
    /// are not a plain serialisation (escaped keys, a repeated key, bytes that are not JSON) have none.
    pub payload: Option<Value>,
    /// The exact body bytes.
    pub body: Vec<u8>,
}

impl Case {
    /// A case whose body is `payload` encoded as Chatwoot encodes it (ActiveSupport JSON).
    pub(crate) fn of_payload(
        phase: Phase,
        event: Option<EventName>,
        expect: Expect,
        label: impl Into<String>,
        payload: Value,
    ) -> Case {
        Case {
            phase,
            event,
            expect,
            label: label.into(),
            body: activesupport_json(&payload),
            payload: Some(payload),
        }
    }

    /// A case with raw body bytes (nothing to shrink structurally).
    pub(crate) fn of_bytes(
        phase: Phase,
        event: Option<EventName>,
        expect: Expect,
        label: impl Into<String>,
        body: Vec<u8>,
    ) -> Case {
        Case {
            phase,
            event,
            expect,
            label: label.into(),
            payload: None,
            body,
        }
    }
}
