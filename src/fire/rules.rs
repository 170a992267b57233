//! The consumer rules: each has a stable id, a severity and a one-line doc, like the delivery rules of
//! [`check`](crate::check). [`judge`] applies them to one answer.
use serde::Serialize;

use super::{case::Expect, wire::Answer};
use crate::finding::Severity;

/// A valid delivery was answered 5xx.
pub const SERVER_ERROR: &str = "consumer/server-error";
/// A valid delivery's connection failed or broke before an answer.
pub const CONNECTION: &str = "consumer/connection";
/// A valid delivery got no answer within the timeout.
pub const TIMEOUT: &str = "consumer/timeout";
/// A valid delivery was answered neither 2xx nor 5xx (a 4xx, a redirect).
pub const REJECTED: &str = "consumer/rejected";
/// A forged delivery was answered 2xx.
pub const ACCEPTS_FORGED: &str = "consumer/accepts-forged";
/// A forged delivery was answered 5xx, or not at all, instead of a refusal.
pub const FORGED_CRASH: &str = "consumer/forged-crash";
/// A hostile body was answered 5xx.
pub const HOSTILE_SERVER_ERROR: &str = "hostile/server-error";
/// A hostile body got no answer within the timeout.
pub const HOSTILE_TIMEOUT: &str = "hostile/timeout";
/// A hostile body's connection failed or broke before an answer.
pub const HOSTILE_CONNECTION: &str = "hostile/connection";

/// One rule: id, severity, one line of documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable id, e.g. `consumer/server-error`.
    pub id: &'static str,
    /// Error (a failure, exit 1) or warning.
    pub severity: Severity,
    /// What must hold.
    pub doc: &'static str,
}

/// Every rule of `hookcheck fire`.
///
/// ```
/// use hookcheck::fire::rules::{rule, RULES};
/// assert!(RULES.iter().all(|r| !r.doc.is_empty() && r.id.contains('/')));
/// assert_eq!(rule("consumer/accepts-forged").unwrap().severity, hookcheck::Severity::Error);
/// ```
pub const RULES: &[Rule] = &[
    Rule {
        id: SERVER_ERROR,
        severity: Severity::Error,
        doc: "a valid delivery is not answered 5xx (Chatwoot counts it failed and never retries: the event is lost)",
    },
    Rule {
        id: CONNECTION,
        severity: Severity::Error,
        doc: "a valid delivery's connection is not refused, reset or closed before the answer",
    },
    Rule {
        id: TIMEOUT,
        severity: Severity::Error,
        doc: "a valid delivery is answered within the timeout (Chatwoot: 5 s, one attempt)",
    },
    Rule {
        id: REJECTED,
        severity: Severity::Error,
        doc: "a valid, correctly signed delivery is answered 2xx, not 4xx or a redirect (often: the signature is checked over a re-serialised body)",
    },
    Rule {
        id: ACCEPTS_FORGED,
        severity: Severity::Error,
        doc: "a forged delivery (wrong secret, stale timestamp, changed body, missing headers, replayed id, ...) is not answered 2xx",
    },
    Rule {
        id: FORGED_CRASH,
        severity: Severity::Warning,
        doc: "a forged delivery is refused with a 4xx (401/403), not a 5xx, a timeout or a dropped connection",
    },
    Rule {
        id: HOSTILE_SERVER_ERROR,
        severity: Severity::Error,
        doc: "a broken, non-JSON or unusual body is answered 2xx or 4xx, never 5xx",
    },
    Rule {
        id: HOSTILE_TIMEOUT,
        severity: Severity::Error,
        doc: "a broken, non-JSON or unusual body is answered within the timeout",
    },
    Rule {
        id: HOSTILE_CONNECTION,
        severity: Severity::Error,
        doc: "a broken, non-JSON or unusual body does not make the consumer drop the connection",
    },
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// A broken rule: which, and what happened, in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// The rule.
    pub rule: &'static Rule,
    /// What happened.
    pub message: String,
}

fn broke(id: &'static str, message: String) -> Option<Judgement> {
    rule(id).map(|rule| Judgement { rule, message })
}

/// Judges one answer: `None` when the consumer did what `expect` asks.
///
/// ```
/// use hookcheck::fire::{judge, Answer, Expect, Forgery};
/// let ok = Answer::Status { status: 200, body: String::new(), millis: 3 };
/// assert!(judge(Expect::Accept, &ok).is_none());
/// let j = judge(Expect::Refuse(Forgery::WrongSecret), &ok).unwrap();
/// assert_eq!(j.rule.id, "consumer/accepts-forged");
/// assert!(j.message.contains("wrong-secret"));
/// ```
pub fn judge(expect: Expect, answer: &Answer) -> Option<Judgement> {
    let status = answer.status();
    let shown = answer.describe();
    match expect {
        Expect::Accept => match answer {
            Answer::Status { status, .. } if (200..300).contains(status) => None,
            Answer::Status { status, .. } if *status >= 500 => broke(
                SERVER_ERROR,
                format!("a valid delivery was answered {shown}"),
            ),
            Answer::Status { .. } => broke(
                REJECTED,
                format!("a valid delivery was answered {shown}: Chatwoot counts any non-2xx answer as failed and never retries, so the event is lost"),
            ),
            Answer::Timeout { .. } => broke(
                TIMEOUT,
                format!("a valid delivery got {shown}: Chatwoot gives up and never retries"),
            ),
            Answer::Connection { .. } => broke(
                CONNECTION,
                format!("a valid delivery's {shown}"),
            ),
        },
        Expect::Refuse(f) => match status {
            Some(s) if (200..300).contains(&s) => broke(
                ACCEPTS_FORGED,
                format!("forged delivery accepted ({}: {}): answered {shown}", f.name(), f.doc()),
            ),
            Some(s) if s < 500 => None,
            _ => broke(
                FORGED_CRASH,
                format!("a forged delivery ({}) got {shown} instead of a 401/403", f.name()),
            ),
        },
        Expect::Survive(h) => match answer {
            Answer::Status { status, .. } if *status < 500 => None,
            Answer::Status { .. } => broke(
                HOSTILE_SERVER_ERROR,
                format!("a hostile body ({}) was answered {shown}", h.name()),
            ),
            Answer::Timeout { .. } => broke(
                HOSTILE_TIMEOUT,
                format!("a hostile body ({}) got {shown}", h.name()),
            ),
            Answer::Connection { .. } => broke(
                HOSTILE_CONNECTION,
                format!("a hostile body ({}): {shown}", h.name()),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fire::{case::Hostility, forgery::Forgery};

    fn status(s: u16) -> Answer {
        Answer::Status {
            status: s,
            body: String::new(),
            millis: 1,
        }
    }

    #[test]
    fn each_expectation_maps_each_answer_to_its_rule() {
        let timeout = Answer::Timeout { millis: 5000 };
        let dropped = Answer::Connection {
            message: "reset".into(),
            connect: false,
        };
        let id = |e: Expect, a: &Answer| judge(e, a).map(|j| j.rule.id);
        let accept = Expect::Accept;
        assert_eq!(id(accept, &status(204)), None);
        assert_eq!(id(accept, &status(500)), Some(SERVER_ERROR));
        assert_eq!(id(accept, &status(401)), Some(REJECTED));
        assert_eq!(id(accept, &status(302)), Some(REJECTED));
        assert_eq!(id(accept, &timeout), Some(TIMEOUT));
        assert_eq!(id(accept, &dropped), Some(CONNECTION));
        let forged = Expect::Refuse(Forgery::StaleTimestamp);
        assert_eq!(id(forged, &status(200)), Some(ACCEPTS_FORGED));
        assert_eq!(id(forged, &status(401)), None);
        assert_eq!(id(forged, &status(409)), None);
        assert_eq!(id(forged, &status(500)), Some(FORGED_CRASH));
        assert_eq!(id(forged, &timeout), Some(FORGED_CRASH));
        let hostile = Expect::Survive(Hostility::NotJson("text"));
        assert_eq!(id(hostile, &status(200)), None);
        assert_eq!(id(hostile, &status(422)), None);
        assert_eq!(id(hostile, &status(502)), Some(HOSTILE_SERVER_ERROR));
        assert_eq!(id(hostile, &timeout), Some(HOSTILE_TIMEOUT));
        assert_eq!(id(hostile, &dropped), Some(HOSTILE_CONNECTION));
    }

    #[test]
    fn rule_ids_are_unique_and_documented() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        assert!(RULES
            .iter()
            .all(|r| r.doc.len() > 20 && !r.doc.ends_with('.')));
    }
}
