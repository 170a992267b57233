//! The 14 account-webhook event names, across every release.
use std::{fmt, str::FromStr};

use crate::error::Error;

/// An account-webhook event, as in the body's `event` key: the 12 of `Webhook::ALLOWED_WEBHOOK_EVENTS`, and
/// `conversation_opened`/`conversation_resolved`, which releases up to 2.4.1 sent to every account webhook.
/// Which release sends which event is data in the schemas ([`crate::Catalog::events`]).
///
/// A test checks that this list equals the `event-name` enum of `schemas/chatwoot/_defs/common.json`.
///
/// ```
/// use hookcheck::EventName;
/// let e: EventName = "message_created".parse().unwrap();
/// assert_eq!(e.as_str(), "message_created");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum EventName {
    ConversationCreated,
    ConversationUpdated,
    ConversationStatusChanged,
    MessageCreated,
    MessageUpdated,
    WebwidgetTriggered,
    ConversationTypingOn,
    ConversationTypingOff,
    ContactCreated,
    ContactUpdated,
    InboxCreated,
    InboxUpdated,
    ConversationOpened,
    ConversationResolved,
}

impl EventName {
    /// Every event, in the order of the schema's enum.
    pub const ALL: [EventName; 14] = [
        Self::ConversationCreated,
        Self::ConversationUpdated,
        Self::ConversationStatusChanged,
        Self::MessageCreated,
        Self::MessageUpdated,
        Self::WebwidgetTriggered,
        Self::ConversationTypingOn,
        Self::ConversationTypingOff,
        Self::ContactCreated,
        Self::ContactUpdated,
        Self::InboxCreated,
        Self::InboxUpdated,
        Self::ConversationOpened,
        Self::ConversationResolved,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConversationCreated => "conversation_created",
            Self::ConversationUpdated => "conversation_updated",
            Self::ConversationStatusChanged => "conversation_status_changed",
            Self::MessageCreated => "message_created",
            Self::MessageUpdated => "message_updated",
            Self::WebwidgetTriggered => "webwidget_triggered",
            Self::ConversationTypingOn => "conversation_typing_on",
            Self::ConversationTypingOff => "conversation_typing_off",
            Self::ContactCreated => "contact_created",
            Self::ContactUpdated => "contact_updated",
            Self::InboxCreated => "inbox_created",
            Self::InboxUpdated => "inbox_updated",
            Self::ConversationOpened => "conversation_opened",
            Self::ConversationResolved => "conversation_resolved",
        }
    }

    /// Looks up a wire name.
    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// The closest event name to a misspelled one, if it is close enough to be a typo.
    ///
    /// ```
    /// use hookcheck::EventName;
    /// assert_eq!(EventName::suggest("mesage_created"), Some(EventName::MessageCreated));
    /// assert_eq!(EventName::suggest("hello"), None);
    /// ```
    pub fn suggest(s: &str) -> Option<Self> {
        let lower = s.trim().to_ascii_lowercase().replace(['.', '-', ' '], "_");
        Self::ALL
            .into_iter()
            .map(|e| (levenshtein(&lower, e.as_str()), e))
            .filter(|(d, _)| *d <= 3)
            .min_by_key(|(d, _)| *d)
            .map(|(_, e)| e)
    }
}

/// Why a known non-account event name is not an account webhook, per CHATWOOT.md section 2.
pub fn not_account_event(s: &str) -> Option<&'static str> {
    match s {
        "macro.executed" => Some("sent by macros to their own URL, not to account webhooks"),
        "account_created" => Some("an installation event (INSTALLATION_EVENTS_WEBHOOK_URL), not an account webhook"),
        _ if s.starts_with("automation_event.") => {
            Some("sent by the automation \"send webhook\" action to its own URL, not to account webhooks")
        }
        _ => None,
    }
}

/// The edit distance between two names, for "did you mean" hints.
///
/// ```
/// assert_eq!(hookcheck::event::levenshtein("mesage_created", "message_created"), 1);
/// ```
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

impl fmt::Display for EventName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventName {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::from_wire(s).ok_or_else(|| Error::Unknown {
            what: "event",
            given: s.to_string(),
            hint: match Self::suggest(s) {
                Some(e) => format!("; did you mean `{e}`?"),
                None => format!(
                    "; expected one of: {}",
                    Self::ALL.map(EventName::as_str).join(", ")
                ),
            },
        })
    }
}
