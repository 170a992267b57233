//! The forgeries of the signature phase: deliveries Chatwoot never sends, which a consumer that checks
//! signatures properly refuses. Each is made from a valid payload with the real secret, so the only
//! defect is the forgery itself.
use serde::{Serialize, Serializer};

/// How far stale and future timestamps are from now: far outside any sensible tolerance (Chatwoot defines
/// none; hookcheck's receiver and Standard Webhooks use 300 s).
pub const SKEW_SECS: i64 = 3600;

/// A forged delivery.
///
/// ```
/// use hookcheck::fire::Forgery;
/// assert_eq!(Forgery::NoPrefix.name(), "no-prefix");
/// assert!(Forgery::ALL.iter().all(|f| !f.doc().is_empty()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Forgery {
    /// Signed with another secret.
    WrongSecret,
    /// Correctly signed, with a timestamp an hour old: a captured delivery replayed later.
    StaleTimestamp,
    /// Correctly signed, with a timestamp an hour ahead.
    FutureTimestamp,
    /// The body was changed after signing (one value differs).
    BodyChanged,
    /// No signature header.
    MissingSignature,
    /// No timestamp header (the signature is over a timestamp the consumer cannot know).
    MissingTimestamp,
    /// The signature without its `sha256=` prefix (`v1,` for Standard Webhooks).
    NoPrefix,
    /// An HMAC over the body alone, without the timestamp: what a loose check accepts.
    SignedBodyOnly,
    /// A fresh timestamp header over a signature made for an older one: a replay with the clock bumped.
    TimestampChanged,
    /// A delivery sent again byte for byte, same delivery id, after the consumer accepted it once.
    ReplayedId,
}

impl Forgery {
    /// Every forgery, in the order the signature phase sends them.
    pub const ALL: [Forgery; 10] = [
        Forgery::WrongSecret,
        Forgery::StaleTimestamp,
        Forgery::FutureTimestamp,
        Forgery::BodyChanged,
        Forgery::MissingSignature,
        Forgery::MissingTimestamp,
        Forgery::NoPrefix,
        Forgery::SignedBodyOnly,
        Forgery::TimestampChanged,
        Forgery::ReplayedId,
    ];

    /// The kebab-case name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Forgery::WrongSecret => "wrong-secret",
            Forgery::StaleTimestamp => "stale-timestamp",
            Forgery::FutureTimestamp => "future-timestamp",
            Forgery::BodyChanged => "body-changed",
            Forgery::MissingSignature => "missing-signature",
            Forgery::MissingTimestamp => "missing-timestamp",
            Forgery::NoPrefix => "no-prefix",
            Forgery::SignedBodyOnly => "signed-body-only",
            Forgery::TimestampChanged => "timestamp-changed",
            Forgery::ReplayedId => "replayed-id",
        }
    }

    /// What was forged, in one line.
    pub fn doc(self) -> &'static str {
        match self {
            Forgery::WrongSecret => "signed with a secret other than the webhook's",
            Forgery::StaleTimestamp => "correctly signed, but the timestamp is an hour old",
            Forgery::FutureTimestamp => "correctly signed, but the timestamp is an hour in the future",
            Forgery::BodyChanged => "the body was changed after it was signed",
            Forgery::MissingSignature => "no signature header at all",
            Forgery::MissingTimestamp => "no timestamp header",
            Forgery::NoPrefix => "the signature without its scheme prefix (sha256= / v1,)",
            Forgery::SignedBodyOnly => "an HMAC over the body alone, not over timestamp.body",
            Forgery::TimestampChanged => "a fresh timestamp header on a signature made for an older one",
            Forgery::ReplayedId => "an accepted delivery sent again byte for byte (same delivery id); Chatwoot never retries an account webhook",
        }
    }

    /// Looks a forgery up by [`name`](Forgery::name).
    pub fn from_name(name: &str) -> Option<Forgery> {
        Forgery::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl std::fmt::Display for Forgery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Forgery {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}
