//! Failures, grouped by rule, event and status: each group keeps its count and its smallest failing
//! delivery (the one shrinking starts from), so memory stays small however many deliveries fail.
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::{
    case::{Case, Expect},
    phase::Phase,
    request::Request,
    rules::Judgement,
    shrink::Shrunk,
    wire::Answer,
};
use crate::{event::EventName, finding::Severity};

fn ser_event<S: serde::Serializer>(e: &Option<EventName>, s: S) -> Result<S::Ok, S::Error> {
    match e {
        Some(e) => s.serialize_str(e.as_str()),
        None => s.serialize_none(),
    }
}

/// One failing delivery: what was sent, what came back, and the rule it broke.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// The rule broken.
    pub rule: &'static str,
    /// The rule's severity.
    pub severity: Severity,
    /// What happened, in one line.
    pub message: String,
    /// The phase that planned the delivery.
    pub phase: Phase,
    /// The payload's event, if it has one.
    #[serde(serialize_with = "ser_event")]
    pub event: Option<EventName>,
    /// What the delivery exercised.
    pub label: String,
    /// What the consumer had to do.
    pub expect: Expect,
    /// What the consumer did.
    pub answer: Answer,
    /// The request as sent (headers and exact body); no header carries the secret.
    #[serde(skip)]
    pub request: Request,
    /// The payload the body serialises, when there is one.
    #[serde(skip)]
    pub payload: Option<Value>,
}

impl Failure {
    pub(crate) fn new(
        case: &Case,
        expect: Expect,
        request: Request,
        answer: Answer,
        j: Judgement,
    ) -> Self {
        Failure {
            rule: j.rule.id,
            severity: j.rule.severity,
            message: j.message,
            phase: case.phase,
            event: case.event,
            label: case.label.clone(),
            expect,
            answer,
            request,
            payload: case.payload.clone(),
        }
    }

    /// The body as text (lossy for bytes that are not UTF-8).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.request.body).into_owned()
    }
}

/// Failures of one rule, event and status.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// The rule broken.
    pub rule: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// The event (`None` for bodies without one).
    #[serde(serialize_with = "ser_event")]
    pub event: Option<EventName>,
    /// The status (`500`), or `timeout` / `connection`.
    pub status: String,
    /// How many deliveries failed this way.
    pub count: usize,
    /// The phases they came from.
    pub phases: BTreeSet<Phase>,
    /// The forgeries or hostilities involved (`wrong-secret`, `mutation/wrong-type`, ...).
    pub kinds: BTreeSet<String>,
    /// The smallest failing delivery: shrunk when shrinking succeeded.
    pub example: Failure,
    /// Size of the smallest failing body before shrinking, in bytes.
    pub original_bytes: usize,
    /// What shrinking did, when it ran.
    pub shrink: Option<Shrunk>,
    /// Where `--save` wrote the example, if it did.
    pub saved: Option<String>,
}

impl Group {
    /// `message_created`, or `(no event)`.
    pub fn event_name(&self) -> &'static str {
        self.event.map_or("(no event)", |e| e.as_str())
    }
}

/// Collects failures into groups, in memory proportional to the number of groups.
#[derive(Debug, Default)]
pub(crate) struct Grouper {
    groups: BTreeMap<(&'static str, Option<EventName>, String), Group>,
}

impl Grouper {
    pub(crate) fn add(&mut self, f: Failure) {
        let key = (f.rule, f.event, f.answer.key());
        let kind = f.expect.detail();
        let bytes = f.request.body.len();
        let g = self.groups.entry(key).or_insert_with(|| Group {
            rule: f.rule,
            severity: f.severity,
            event: f.event,
            status: f.answer.key(),
            count: 0,
            phases: BTreeSet::new(),
            kinds: BTreeSet::new(),
            original_bytes: bytes,
            example: f.clone(),
            shrink: None,
            saved: None,
        });
        g.count += 1;
        g.phases.insert(f.phase);
        g.kinds.extend(kind);
        // Prefer a delivery that can be shrunk, then the smallest.
        let better = (f.payload.is_some(), std::cmp::Reverse(bytes))
            > (
                g.example.payload.is_some(),
                std::cmp::Reverse(g.example.request.body.len()),
            );
        if better {
            g.original_bytes = bytes;
            g.example = f;
        }
    }

    /// The groups: errors first, then by rule, event and status.
    pub(crate) fn finish(self) -> Vec<Group> {
        let mut v: Vec<Group> = self.groups.into_values().collect();
        v.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.rule.cmp(b.rule))
                .then_with(|| a.event.cmp(&b.event))
                .then_with(|| a.status.cmp(&b.status))
        });
        v
    }
}
