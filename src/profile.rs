//! Version profiles: which Chatwoot releases a payload is checked against.
use std::{fmt, str::FromStr};

use crate::{error::Error, event::EventName};

/// A version profile. Each selects a set of schemas under `schemas/chatwoot/`.
///
/// * [`Profile::Compat`] (default): any release since 2.0. The schemas in `_defs/` and `events/` require only
///   what every release since 2.0 sends, and allow what older releases sent (`type: "contact"` on webhook
///   contacts, no `account` in conversations, no `changed_attributes` before 2.4...).
/// * [`Profile::V4_15`]: Chatwoot 4.15.x. The compat schemas plus the constraints in `profiles/v4.15/`
///   (every key of the current payloads required, `account` in conversations and inboxes, no `type` on
///   webhook contacts, `unread_count <= 10`...).
///
/// ```
/// use hookcheck::Profile;
/// assert_eq!("v4.15".parse::<Profile>().unwrap(), Profile::V4_15);
/// assert_eq!(Profile::default(), Profile::Compat);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum Profile {
    /// Any Chatwoot release since 2.0.
    #[default]
    Compat,
    /// Chatwoot 4.15.x, the current release.
    V4_15,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Profile; 2] = [Profile::Compat, Profile::V4_15];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Compat => "compat",
            Profile::V4_15 => "v4.15",
        }
    }

    /// One line on what the profile accepts.
    pub fn summary(self) -> &'static str {
        match self {
            Profile::Compat => "any Chatwoot release since 2.0 (default)",
            Profile::V4_15 => "Chatwoot 4.15.x: every current key required, account in conversations, no contact type",
        }
    }

    /// Path below `schemas/` of the profile's entry schema (dispatching on `event`).
    pub fn entry_path(self) -> &'static str {
        match self {
            Profile::Compat => "chatwoot/webhook.json",
            Profile::V4_15 => "chatwoot/profiles/v4.15/webhook.json",
        }
    }

    /// Path below `schemas/` of the profile's schema for one event.
    pub fn event_path(self, event: EventName) -> String {
        match self {
            Profile::Compat => format!("chatwoot/events/{event}.json"),
            Profile::V4_15 => format!("chatwoot/profiles/v4.15/events/{event}.json"),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Profile {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "compat" | "2" | "2.x" => Ok(Profile::Compat),
            "v4.15" | "4.15" | "current" => Ok(Profile::V4_15),
            _ => Err(Error::Unknown {
                what: "profile",
                given: s.to_string(),
                hint: "; expected `compat` or `v4.15`".to_string(),
            }),
        }
    }
}
