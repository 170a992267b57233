//! Version profiles: which Chatwoot releases a payload is checked against.
use std::{fmt, str::FromStr};

use crate::{error::Error, event::EventName, release::Release};

/// A version profile: every release at once (`compat`), or one release.
///
/// * [`Profile::Compat`] (default): a payload conforms when at least one release from 2.0.0 to 4.15.1 would
///   have accepted it; one that no release accepts is reported against the closest release (fewest errors).
/// * [`Profile::Release`]: exactly what that release sent, derived from the release annotations in
///   `schemas/` (see `schemas/README.md`). [`Profile::V4_15`] names the newest release (4.15.1).
///
/// ```
/// use hookcheck::{Profile, release::Release};
/// assert_eq!("v4.15".parse::<Profile>().unwrap(), Profile::V4_15);
/// assert_eq!("4.15.1".parse::<Profile>().unwrap(), Profile::V4_15);
/// assert_eq!(Profile::release("2.16.0").unwrap().to_string(), "2.16.0");
/// assert_eq!(Profile::default(), Profile::Compat);
/// assert!(Profile::release("2.16.1").is_err()); // never released
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum Profile {
    /// Any Chatwoot release from 2.0.0 to 4.15.1.
    #[default]
    Compat,
    /// Exactly one release.
    Release(Release),
}

impl Profile {
    /// The newest release, 4.15.1 (`--profile v4.15`).
    pub const V4_15: Profile = Profile::Release(Release::LATEST);

    /// The two named profiles: `compat` and `v4.15`.
    pub const ALL: [Profile; 2] = [Profile::Compat, Profile::V4_15];

    /// The profile of one release, `X.Y.Z`.
    ///
    /// # Errors
    /// [`Error::Unknown`] listing the known releases.
    pub fn release(version: &str) -> Result<Profile, Error> {
        Release::parse(version).map(Profile::Release)
    }

    /// The release this profile is pinned to, if any.
    pub fn pinned(self) -> Option<Release> {
        match self {
            Profile::Compat => None,
            Profile::Release(r) => Some(r),
        }
    }

    /// The name used on the command line and in reports: `compat` or the release, `X.Y.Z`.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Compat => "compat",
            Profile::Release(r) => r.version(),
        }
    }

    /// One line on what the profile accepts.
    pub fn summary(self) -> String {
        match self {
            Profile::Compat => {
                "any Chatwoot release from 2.0.0 to 4.15.1, payload by payload (default)"
                    .to_string()
            }
            Profile::Release(r) => format!("exactly what Chatwoot {r} sends"),
        }
    }

    /// Path below `schemas/` of the entry schema (dispatching on `event`). Every profile reads the same
    /// files: a release's contract is derived from them.
    pub fn entry_path(self) -> &'static str {
        "chatwoot/webhook.json"
    }

    /// Path below `schemas/` of the schema for one event.
    pub fn event_path(self, event: EventName) -> String {
        format!("chatwoot/events/{event}.json")
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
            "compat" | "2" | "2.x" | "all" => Ok(Profile::Compat),
            "v4.15" | "4.15" | "current" | "latest" => Ok(Profile::V4_15),
            _ if s.trim_start_matches('v').split('.').count() == 3 => Profile::release(s),
            _ => Err(Error::Unknown {
                what: "profile",
                given: s.to_string(),
                hint: "; expected `compat`, `v4.15` or a release such as `2.16.0` (`hookcheck releases --list` lists them)"
                    .to_string(),
            }),
        }
    }
}
