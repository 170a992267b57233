//! Webhook signatures: computing and checking the HMAC headers that prove a delivery came from the sender.
//!
//! Two schemes ship built in, and a team can describe its own as data ([`Scheme`]):
//!
//! - [`Scheme::chatwoot`]: `X-Chatwoot-Signature: sha256=<lowercase hex>` over `timestamp + "." + body`,
//!   keyed with the webhook secret as UTF-8 (Chatwoot `lib/webhooks/trigger.rb`, since 4.12.0);
//! - [`Scheme::standard_webhooks`]: `webhook-signature: v1,<base64> ...` over `id + "." + timestamp + "." + body`,
//!   keyed with the base64 part of a `whsec_...` secret (<https://www.standardwebhooks.com>, spec v1).
//!
//! Always verify over the raw body bytes as received. Chatwoot escapes `<`, `>` and `&` as `\u003c`,
//! `\u003e` and `\u0026`; any re-serialisation of the parsed JSON changes those bytes and the MAC with them.
//!
//! ```
//! use hookcheck::signature::{sign, verify, Scheme};
//!
//! let scheme = Scheme::chatwoot();
//! let body = br#"{"event":"conversation_created","id":7}"#;
//! let header = sign(&scheme, "my-secret", None, "1718620000", body)?;
//! assert!(header.starts_with("sha256="));
//! verify(&scheme, "my-secret", None, "1718620000", body, &header)?;
//! assert!(verify(&scheme, "other-secret", None, "1718620000", body, &header).is_err());
//! # Ok::<(), hookcheck::signature::SignatureError>(())
//! ```
//!
//! No value in this module holds a secret, and no error message quotes one, so errors and `Debug` output
//! are safe to log.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};

type HmacSha256 = Hmac<Sha256>;

/// Length of an HMAC-SHA256 tag in bytes.
const TAG_LEN: usize = 32;
const HEX_PREFIX: &str = "sha256=";
const V1: &str = "v1";
const WHSEC_PREFIX: &str = "whsec_";
/// Twelve digits reach the year 33658 yet keep every accepted value far inside `i64`, so parsing cannot
/// overflow and absurd values are reported as such instead of as an arithmetic failure.
const MAX_TIMESTAMP_DIGITS: usize = 12;
/// Received values are quoted in errors only this far, so one hostile header cannot flood a log line.
const MAX_SHOWN_CHARS: usize = 64;

/// Secrets are pasted by people, so missing or extra `=` padding is forgiven there; signatures are
/// machine output, so they are decoded strictly with [`STANDARD`].
const SECRET_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A signing scheme is data, so a team can describe its own (for instance in a JSON file).
///
/// ```
/// use hookcheck::signature::Scheme;
///
/// let json = r#"{
///     "name": "acme",
///     "timestamp_header": "X-Acme-Timestamp",
///     "signature_header": "X-Acme-Signature",
///     "message": "timestamp-dot-body",
///     "encoding": "sha256-prefixed-hex",
///     "secret": "utf8"
/// }"#;
/// let scheme: Scheme = serde_json::from_str(json)?;
/// assert_eq!(scheme.id_header, None);
/// assert_eq!(scheme.message, Scheme::chatwoot().message);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    /// Short name: `chatwoot`, `standard-webhooks`, or a team's own.
    pub name: String,
    /// Header carrying the delivery id (`X-Chatwoot-Delivery`, `webhook-id`), if the sender sends one.
    /// Required in practice when [`MessageLayout::IdDotTimestampDotBody`] signs the id.
    #[serde(default)]
    pub id_header: Option<String>,
    /// Header carrying the send time in decimal Unix seconds.
    pub timestamp_header: String,
    /// Header carrying the signature.
    pub signature_header: String,
    /// What bytes are signed.
    pub message: MessageLayout,
    /// How the MAC is written into the signature header.
    pub encoding: SignatureEncoding,
    /// How the configured secret string becomes the HMAC key.
    pub secret: SecretEncoding,
}

impl Scheme {
    /// Chatwoot's scheme (4.12.0 and later): `X-Chatwoot-Signature: sha256=<hex>` over `timestamp.body`,
    /// keyed with the secret's UTF-8 bytes.
    ///
    /// ```
    /// let s = hookcheck::signature::Scheme::chatwoot();
    /// assert_eq!(s.signature_header, "X-Chatwoot-Signature");
    /// ```
    pub fn chatwoot() -> Self {
        Scheme {
            name: "chatwoot".to_owned(),
            id_header: Some("X-Chatwoot-Delivery".to_owned()),
            timestamp_header: "X-Chatwoot-Timestamp".to_owned(),
            signature_header: "X-Chatwoot-Signature".to_owned(),
            message: MessageLayout::TimestampDotBody,
            encoding: SignatureEncoding::Sha256PrefixedHex,
            secret: SecretEncoding::Utf8,
        }
    }

    /// The Standard Webhooks v1 scheme: `webhook-signature: v1,<base64>` over `id.timestamp.body`,
    /// keyed with the base64-decoded part of a `whsec_...` secret.
    ///
    /// ```
    /// let s = hookcheck::signature::Scheme::standard_webhooks();
    /// assert_eq!(s.id_header.as_deref(), Some("webhook-id"));
    /// ```
    pub fn standard_webhooks() -> Self {
        Scheme {
            name: "standard-webhooks".to_owned(),
            id_header: Some("webhook-id".to_owned()),
            timestamp_header: "webhook-timestamp".to_owned(),
            signature_header: "webhook-signature".to_owned(),
            message: MessageLayout::IdDotTimestampDotBody,
            encoding: SignatureEncoding::V1Base64List,
            secret: SecretEncoding::WhsecBase64,
        }
    }

    /// [`parse_timestamp`], with errors naming this scheme's timestamp header.
    ///
    /// ```
    /// use hookcheck::signature::Scheme;
    ///
    /// assert_eq!(Scheme::chatwoot().parse_timestamp("1718620000"), Ok(1_718_620_000));
    /// let err = Scheme::chatwoot().parse_timestamp("1.5").unwrap_err();
    /// assert!(err.to_string().contains("X-Chatwoot-Timestamp"));
    /// ```
    pub fn parse_timestamp(&self, value: &str) -> Result<i64, SignatureError> {
        parse_timestamp_in(&self.timestamp_header, value)
    }
}

/// Which bytes the MAC covers. The timestamp is always signed, so a captured request cannot be replayed
/// under a fresh timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageLayout {
    /// `timestamp + "." + body` (Chatwoot).
    TimestampDotBody,
    /// `id + "." + timestamp + "." + body` (Standard Webhooks).
    IdDotTimestampDotBody,
}

/// How the MAC appears in the signature header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureEncoding {
    /// `sha256=` followed by exactly 64 lowercase hex digits (Chatwoot).
    Sha256PrefixedHex,
    /// Space-separated `version,signature` entries; `v1` entries carry standard base64 of the MAC, other
    /// versions are skipped (Standard Webhooks). A list lets a sender rotate secrets without downtime.
    V1Base64List,
}

/// How the configured secret string becomes the HMAC key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretEncoding {
    /// The secret's UTF-8 bytes are the key (Chatwoot).
    Utf8,
    /// An optional `whsec_` prefix, then standard base64 of the key bytes (Standard Webhooks).
    WhsecBase64,
}

/// Why a signature could not be made or did not verify. No variant carries the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// A header is syntactically wrong (or missing, for the id a scheme signs), before any MAC is compared.
    #[error("malformed {header} header: {reason}")]
    Malformed {
        /// The header's name.
        header: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The signature is well formed but no signature in it matches the raw body. It carries no correct
    /// value on purpose: showing one would turn any report into a signing oracle for whoever can send a
    /// request and read the output. [`explain_mismatch`] says what went wrong instead.
    #[error("{header} header does not match the raw body")]
    Mismatch {
        /// The signature header's name.
        header: String,
    },
    /// The configured secret cannot be used as a key.
    #[error("unusable secret: {reason}")]
    BadSecret {
        /// What is wrong; never quotes the secret.
        reason: String,
    },
    /// The timestamp header is not decimal Unix seconds.
    #[error("malformed {header} header {value:?}: {reason}")]
    BadTimestamp {
        /// The header's name (`timestamp` when parsed without a scheme).
        header: String,
        /// The received value, cut after 64 characters.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// The bytes a scheme signs: `timestamp.body` or `id.timestamp.body`, with the body copied verbatim.
///
/// A missing id under [`MessageLayout::IdDotTimestampDotBody`] is signed as the empty string; [`sign`] and
/// [`verify`] reject that case before they get here.
///
/// ```
/// use hookcheck::signature::{signed_message, Scheme};
///
/// let m = signed_message(&Scheme::chatwoot(), Some("ignored"), "1718620000", b"{}");
/// assert_eq!(m, b"1718620000.{}");
/// let m = signed_message(&Scheme::standard_webhooks(), Some("msg_1"), "1718620000", b"{}");
/// assert_eq!(m, b"msg_1.1718620000.{}");
/// ```
pub fn signed_message(scheme: &Scheme, id: Option<&str>, timestamp: &str, body: &[u8]) -> Vec<u8> {
    let id = match scheme.message {
        MessageLayout::TimestampDotBody => None,
        MessageLayout::IdDotTimestampDotBody => Some(id.unwrap_or_default()),
    };
    let id_len = id.map_or(0, |id| id.len() + 1);
    let mut message = Vec::with_capacity(id_len + timestamp.len() + 1 + body.len());
    if let Some(id) = id {
        message.extend_from_slice(id.as_bytes());
        message.push(b'.');
    }
    message.extend_from_slice(timestamp.as_bytes());
    message.push(b'.');
    message.extend_from_slice(body);
    message
}

/// Computes the header value of the signature (`sha256=<hex>` or `v1,<base64>`).
///
/// The timestamp is signed as given, without [`parse_timestamp`]'s checks, so a test can send a correctly
/// signed request with an odd timestamp and see whether the receiver rejects it; [`verify`] is strict.
///
/// ```
/// use hookcheck::signature::{sign, Scheme};
///
/// let header = sign(&Scheme::chatwoot(), "test-secret", None, "1718620000", b"{}")?;
/// assert_eq!(header.len(), "sha256=".len() + 64);
/// # Ok::<(), hookcheck::signature::SignatureError>(())
/// ```
///
/// # Errors
/// [`SignatureError::BadSecret`] for an empty or undecodable secret; [`SignatureError::Malformed`] when
/// the scheme signs the id and `id` is `None`.
pub fn sign(
    scheme: &Scheme,
    secret: &str,
    id: Option<&str>,
    timestamp: &str,
    body: &[u8],
) -> Result<String, SignatureError> {
    let key = key_bytes(scheme.secret, secret)?;
    require_id(scheme, id)?;
    let tag = hmac_sha256(&key, &signed_message(scheme, id, timestamp, body))?;
    Ok(encode(scheme.encoding, &tag))
}

/// Verifies a received signature header value over the raw body, in constant time.
///
/// For [`SignatureEncoding::V1Base64List`] any `v1` entry may match; entries with other version prefixes
/// (such as `v1a` or `v2`) are ignored, and a list with no `v1` entry at all is a
/// [`SignatureError::Mismatch`], since it is well formed but carries nothing this scheme can check. Every
/// entry must still be well formed: a broken entry is [`SignatureError::Malformed`] even when another
/// entry matches, because a sender emitting it has a bug worth reporting.
///
/// Header values are taken as the HTTP library hands them over; surrounding whitespace is not trimmed.
/// No tolerance window is applied to the timestamp: Chatwoot defines none, and the clock belongs to the
/// caller.
///
/// ```
/// use hookcheck::signature::{verify, Scheme, SignatureError};
///
/// let scheme = Scheme::chatwoot();
/// let body = br#"{"event":"message_created","id":1,"content":"a \u003cb\u003e \u0026 c"}"#;
/// let header = "sha256=6fbf93f4de506d07f68fed0d318fb4e7a1863b7017717fe272fecce3a228a2fe";
/// verify(&scheme, "test-secret", None, "1718620000", body, header)?;
///
/// let err = verify(&scheme, "test-secret", None, "1718620001", body, header).unwrap_err();
/// assert!(matches!(err, SignatureError::Mismatch { .. }));
/// # Ok::<(), SignatureError>(())
/// ```
///
/// # Errors
/// [`SignatureError::BadSecret`], [`SignatureError::Malformed`] (signature header, or a missing id the
/// scheme signs), [`SignatureError::BadTimestamp`], or [`SignatureError::Mismatch`] (which never carries
/// the correct value; see [`explain_mismatch`]).
pub fn verify(
    scheme: &Scheme,
    secret: &str,
    id: Option<&str>,
    timestamp: &str,
    body: &[u8],
    header_value: &str,
) -> Result<(), SignatureError> {
    let key = key_bytes(scheme.secret, secret)?;
    require_id(scheme, id)?;
    parse_timestamp_in(&scheme.timestamp_header, timestamp)?;
    let candidates = parse_signature_header(scheme, header_value)?;
    let tag = hmac_sha256(&key, &signed_message(scheme, id, timestamp, body))?;
    // Every candidate is compared, so timing does not reveal which entry (if any) matched.
    let matched = candidates.iter().fold(Choice::from(0u8), |acc, candidate| {
        acc | candidate[..].ct_eq(&tag[..])
    });
    if bool::from(matched) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch {
            header: scheme.signature_header.clone(),
        })
    }
}

/// Why a well-formed signature did not match, as far as hookcheck can tell with the secret it has: each
/// variant is a common sender bug whose signature it recomputed and found equal to the received one.
/// Nothing here carries a signature, so it can be shown to anyone.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MismatchCause {
    /// The HMAC covers the body alone, without the timestamp (and id) prefix.
    BodyOnly,
    /// The HMAC covers a re-serialisation of the parsed body, not the bytes sent; names the form
    /// (`compact`, `pretty`, `spaced`, `ActiveSupport`).
    Reserialised(&'static str),
    /// The HMAC covers another timestamp than the one in the header, this many seconds away (negative:
    /// earlier), as when a sender signs once and sends later or retries with a new timestamp header.
    OtherTimestamp(i64),
    /// The key was derived from the secret string another way (`raw UTF-8 bytes of the whole secret`,
    /// `base64-decoded secret`, `hex-decoded secret`).
    SecretEncoding(&'static str),
    /// The message layout of another scheme (`timestamp.body` vs `id.timestamp.body`).
    Layout(&'static str),
    /// None of the above: the secret differs, or the bytes signed are not the bytes sent.
    Unknown,
}

impl std::fmt::Display for MismatchCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MismatchCause::BodyOnly => f.write_str(
                "it matches an HMAC over the body alone: the timestamp prefix (\"{timestamp}.\") is missing from the signed bytes",
            ),
            MismatchCause::Reserialised(form) => write!(
                f,
                "it matches an HMAC over a {form} re-serialisation of the parsed body: sign the exact bytes sent, not a re-encoding of the JSON"
            ),
            MismatchCause::OtherTimestamp(d) => write!(
                f,
                "it matches an HMAC with a timestamp {} s {} the one in the header: sign with the timestamp you send",
                d.unsigned_abs(),
                if *d < 0 { "before" } else { "after" }
            ),
            MismatchCause::SecretEncoding(how) => write!(
                f,
                "it matches an HMAC keyed with the {how}: the secret is turned into a key the wrong way"
            ),
            MismatchCause::Layout(layout) => write!(
                f,
                "it matches an HMAC over {layout}: the signed message has another scheme's layout"
            ),
            MismatchCause::Unknown => f.write_str(
                "no local variant matches (body alone, re-serialised body, another timestamp within the tolerance, another secret encoding or layout): the secret differs, or the bytes signed are not the bytes sent",
            ),
        }
    }
}

/// Bodies up to this size are tried under every nearby timestamp by [`explain_mismatch`]; larger ones only
/// under the other variants, so a flood of large mismatching requests cannot cost much CPU.
pub const EXPLAIN_TIMESTAMP_BODY_MAX: usize = 16 * 1024;

/// Explains a [`SignatureError::Mismatch`] by what can be tested locally: recomputes the signature for the
/// usual sender bugs and compares each (in constant time) with the received header. Timestamps within
/// `tolerance_secs` of the header's are tried for bodies up to [`EXPLAIN_TIMESTAMP_BODY_MAX`] bytes
/// (at most 600 seconds either way).
///
/// ```
/// use hookcheck::signature::{explain_mismatch, sign, MismatchCause, Scheme};
///
/// let scheme = Scheme::chatwoot();
/// let body = br#"{"event":"contact_created","id":1}"#;
/// let sent = sign(&scheme, "s3cret", None, "1718620000", body)?;       // signed at ...000
/// let cause = explain_mismatch(&scheme, "s3cret", None, "1718620003", body, &sent, 300); // sent as ...003
/// assert_eq!(cause, MismatchCause::OtherTimestamp(-3));
/// # Ok::<(), hookcheck::signature::SignatureError>(())
/// ```
pub fn explain_mismatch(
    scheme: &Scheme,
    secret: &str,
    id: Option<&str>,
    timestamp: &str,
    body: &[u8],
    header_value: &str,
    tolerance_secs: u64,
) -> MismatchCause {
    let Ok(candidates) = parse_signature_header(scheme, header_value) else {
        return MismatchCause::Unknown;
    };
    let matches = |key: &[u8], message: &[u8]| -> bool {
        hmac_sha256(key, message).is_ok_and(|tag| {
            bool::from(
                candidates
                    .iter()
                    .fold(Choice::from(0u8), |acc, c| acc | c[..].ct_eq(&tag[..])),
            )
        })
    };
    let Ok(key) = key_bytes(scheme.secret, secret) else {
        return MismatchCause::Unknown;
    };
    if matches(&key, body) {
        return MismatchCause::BodyOnly;
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        let forms: [(&'static str, Vec<u8>); 4] = [
            ("compact", serde_json::to_vec(&value).unwrap_or_default()),
            (
                "pretty",
                serde_json::to_vec_pretty(&value).unwrap_or_default(),
            ),
            ("spaced (\", \" and \": \")", spaced_json(&value)),
            ("ActiveSupport", activesupport_json(&value)),
        ];
        for (name, bytes) in forms {
            if bytes != body && matches(&key, &signed_message(scheme, id, timestamp, &bytes)) {
                return MismatchCause::Reserialised(name);
            }
        }
    }
    let other_layout = match scheme.message {
        MessageLayout::TimestampDotBody => id.map(|id| {
            (
                "id.timestamp.body",
                [id.as_bytes(), b".", timestamp.as_bytes(), b".", body].concat(),
            )
        }),
        MessageLayout::IdDotTimestampDotBody => Some((
            "timestamp.body",
            [timestamp.as_bytes(), b".", body].concat(),
        )),
    };
    if let Some((name, message)) = other_layout {
        if matches(&key, &message) {
            return MismatchCause::Layout(name);
        }
    }
    let message = signed_message(scheme, id, timestamp, body);
    let mut keys: Vec<(&'static str, Vec<u8>)> = Vec::new();
    if secret.as_bytes() != key.as_slice() {
        keys.push((
            "raw UTF-8 bytes of the whole secret",
            secret.as_bytes().to_vec(),
        ));
    }
    let bare = secret.strip_prefix(WHSEC_PREFIX).unwrap_or(secret);
    if let Ok(k) = SECRET_BASE64.decode(bare) {
        if !k.is_empty() && k != key {
            keys.push(("base64-decoded secret", k));
        }
    }
    if let Ok(k) = hex::decode(bare) {
        if !k.is_empty() && k != key {
            keys.push(("hex-decoded secret", k));
        }
    }
    for (name, k) in keys {
        if matches(&k, &message) {
            return MismatchCause::SecretEncoding(name);
        }
    }
    if body.len() <= EXPLAIN_TIMESTAMP_BODY_MAX {
        if let Ok(ts) = parse_timestamp_in(&scheme.timestamp_header, timestamp) {
            let window = i64::try_from(tolerance_secs.min(600)).unwrap_or(600);
            for distance in 1..=window {
                for d in [-distance, distance] {
                    let other = (ts + d).to_string();
                    if ts + d >= 0 && matches(&key, &signed_message(scheme, id, &other, body)) {
                        // The signature was made for `other`, `d` seconds from the header's `ts`.
                        return MismatchCause::OtherTimestamp(d);
                    }
                }
            }
        }
    }
    MismatchCause::Unknown
}

/// JSON with `", "` and `": "` separators, as Python's `json.dumps` writes by default.
fn spaced_json(value: &serde_json::Value) -> Vec<u8> {
    struct Spaced;
    impl serde_json::ser::Formatter for Spaced {
        fn begin_array_value<W: ?Sized + std::io::Write>(
            &mut self,
            w: &mut W,
            first: bool,
        ) -> std::io::Result<()> {
            if first {
                Ok(())
            } else {
                w.write_all(b", ")
            }
        }
        fn begin_object_key<W: ?Sized + std::io::Write>(
            &mut self,
            w: &mut W,
            first: bool,
        ) -> std::io::Result<()> {
            if first {
                Ok(())
            } else {
                w.write_all(b", ")
            }
        }
        fn begin_object_value<W: ?Sized + std::io::Write>(
            &mut self,
            w: &mut W,
        ) -> std::io::Result<()> {
            w.write_all(b": ")
        }
    }
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Spaced);
    let _ = serde::Serialize::serialize(value, &mut ser);
    out
}

/// Parses a timestamp header: ASCII decimal digits only (no sign, no spaces, no fraction, at most 12
/// digits), as Chatwoot's spec pins it (`/\A\d+\z/`). Errors name the header `timestamp`; use
/// [`Scheme::parse_timestamp`] to name the scheme's header.
///
/// ```
/// use hookcheck::signature::parse_timestamp;
///
/// assert_eq!(parse_timestamp("1718620000"), Ok(1_718_620_000));
/// assert!(parse_timestamp("-1").is_err());
/// assert!(parse_timestamp("1718620000.5").is_err());
/// ```
///
/// # Errors
/// [`SignatureError::BadTimestamp`] saying what is wrong.
pub fn parse_timestamp(value: &str) -> Result<i64, SignatureError> {
    parse_timestamp_in("timestamp", value)
}

fn parse_timestamp_in(header: &str, value: &str) -> Result<i64, SignatureError> {
    let bad = |reason: String| SignatureError::BadTimestamp {
        header: header.to_owned(),
        value: cut(value),
        reason,
    };
    if value.is_empty() {
        return Err(bad("empty; expected decimal Unix seconds".to_owned()));
    }
    // `char::is_ascii_digit`, not `is_numeric`: Arabic-Indic and other Unicode digits are not seconds.
    if let Some(c) = value.chars().find(|c| !c.is_ascii_digit()) {
        return Err(bad(format!(
            "only ASCII digits (decimal Unix seconds) are allowed, found {c:?}"
        )));
    }
    if value.len() > MAX_TIMESTAMP_DIGITS {
        return Err(bad(format!(
            "at most {MAX_TIMESTAMP_DIGITS} digits are allowed, found {}",
            value.len()
        )));
    }
    value
        .parse::<i64>()
        .map_err(|e| bad(format!("not a number: {e}")))
}

/// The HMAC key for a secret. The secret is never quoted in errors, not even partly.
fn key_bytes(encoding: SecretEncoding, secret: &str) -> Result<Vec<u8>, SignatureError> {
    let key = match encoding {
        SecretEncoding::Utf8 => secret.as_bytes().to_vec(),
        SecretEncoding::WhsecBase64 => {
            let encoded = secret.strip_prefix(WHSEC_PREFIX).unwrap_or(secret);
            SECRET_BASE64
                .decode(encoded)
                .map_err(|e| SignatureError::BadSecret {
                    reason: format!(
                        "not standard base64 after the optional \"whsec_\" prefix ({})",
                        describe_base64_error(&e)
                    ),
                })?
        }
    };
    if key.is_empty() {
        // An empty key still yields a MAC, but anyone can compute it: that is no signature at all.
        return Err(SignatureError::BadSecret {
            reason: "empty; it would make signatures anyone can forge".to_owned(),
        });
    }
    Ok(key)
}

fn require_id(scheme: &Scheme, id: Option<&str>) -> Result<(), SignatureError> {
    match (scheme.message, id) {
        (MessageLayout::IdDotTimestampDotBody, None) => Err(malformed(
            scheme.id_header.as_deref().unwrap_or("id"),
            format!(
                "missing, but scheme {:?} signs id.timestamp.body",
                scheme.name
            ),
        )),
        _ => Ok(()),
    }
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Result<[u8; TAG_LEN], SignatureError> {
    // HMAC takes keys of any length, so this error path exists only to avoid a panic on principle.
    let mut mac = HmacSha256::new_from_slice(key).map_err(|_| SignatureError::BadSecret {
        reason: "rejected as an HMAC-SHA256 key".to_owned(),
    })?;
    mac.update(message);
    Ok(mac.finalize().into_bytes().into())
}

fn encode(encoding: SignatureEncoding, tag: &[u8; TAG_LEN]) -> String {
    match encoding {
        SignatureEncoding::Sha256PrefixedHex => format!("{HEX_PREFIX}{}", hex::encode(tag)),
        SignatureEncoding::V1Base64List => format!("{V1},{}", STANDARD.encode(tag)),
    }
}

/// The MACs a signature header offers, after checking its syntax (which depends only on public data).
fn parse_signature_header(
    scheme: &Scheme,
    value: &str,
) -> Result<Vec<[u8; TAG_LEN]>, SignatureError> {
    let header = scheme.signature_header.as_str();
    match scheme.encoding {
        SignatureEncoding::Sha256PrefixedHex => parse_prefixed_hex(header, value).map(|t| vec![t]),
        SignatureEncoding::V1Base64List => parse_v1_list(header, value),
    }
}

fn parse_prefixed_hex(header: &str, value: &str) -> Result<[u8; TAG_LEN], SignatureError> {
    let Some(digits) = value.strip_prefix(HEX_PREFIX) else {
        return Err(malformed(
            header,
            format!(
                "expected \"sha256=\" and 64 lowercase hex digits, got {}",
                quote(value)
            ),
        ));
    };
    if let Some(c) = digits.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(malformed(
            header,
            format!("{c:?} after \"sha256=\" is not a hex digit"),
        ));
    }
    if digits.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(malformed(
            header,
            "uppercase hex digits; Chatwoot emits lowercase",
        ));
    }
    if digits.len() != 2 * TAG_LEN {
        return Err(malformed(
            header,
            format!(
                "expected 64 hex digits after \"sha256=\", found {}",
                digits.len()
            ),
        ));
    }
    let mut tag = [0u8; TAG_LEN];
    hex::decode_to_slice(digits, &mut tag)
        .map_err(|e| malformed(header, format!("not hex: {e}")))?;
    Ok(tag)
}

fn parse_v1_list(header: &str, value: &str) -> Result<Vec<[u8; TAG_LEN]>, SignatureError> {
    let entries: Vec<&str> = value.split(' ').filter(|e| !e.is_empty()).collect();
    if entries.is_empty() {
        return Err(malformed(
            header,
            "empty; expected space-separated \"v1,<base64>\" entries",
        ));
    }
    let mut tags = Vec::new();
    for entry in entries {
        let Some((version, encoded)) = entry.split_once(',') else {
            return Err(malformed(
                header,
                format!("entry {} has no \",\" after its version", quote(entry)),
            ));
        };
        if version.is_empty() {
            return Err(malformed(
                header,
                format!("entry {} has no version before \",\"", quote(entry)),
            ));
        }
        if version != V1 {
            // Other versions (v1a is asymmetric ed25519) are for other verifiers; the spec says skip them.
            continue;
        }
        let bytes = STANDARD.decode(encoded).map_err(|e| {
            malformed(
                header,
                format!(
                    "entry {} is not standard base64 ({})",
                    quote(entry),
                    describe_base64_error(&e)
                ),
            )
        })?;
        let tag: [u8; TAG_LEN] = bytes.try_into().map_err(|bytes: Vec<u8>| {
            malformed(
                header,
                format!(
                    "entry {} decodes to {} bytes, an HMAC-SHA256 has {TAG_LEN}",
                    quote(entry),
                    bytes.len()
                ),
            )
        })?;
        tags.push(tag);
    }
    Ok(tags)
}

/// Says where base64 went wrong without echoing any byte, as the input may be a secret.
fn describe_base64_error(e: &base64::DecodeError) -> String {
    match e {
        base64::DecodeError::InvalidByte(offset, _) => {
            format!("invalid character at offset {offset}")
        }
        base64::DecodeError::InvalidLength(len) => format!("invalid length {len}"),
        base64::DecodeError::InvalidLastSymbol(offset, _) => {
            format!("invalid last symbol at offset {offset}")
        }
        base64::DecodeError::InvalidPadding => "invalid padding".to_owned(),
    }
}

fn malformed(header: &str, reason: impl Into<String>) -> SignatureError {
    SignatureError::Malformed {
        header: header.to_owned(),
        reason: reason.into(),
    }
}

/// At most [`MAX_SHOWN_CHARS`] characters of a received value, cut on a character boundary.
fn cut(value: &str) -> String {
    match value.char_indices().nth(MAX_SHOWN_CHARS) {
        Some((end, _)) => format!("{}...", &value[..end]),
        None => value.to_owned(),
    }
}

/// A received value quoted and escaped, so control characters cannot break the one-line message.
fn quote(value: &str) -> String {
    format!("{:?}", cut(value))
}

/// Compact JSON as ActiveSupport writes it: `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026`, and U+2028 /
/// U+2029 escaped (Rails' `escape_html_entities_in_json`); other non-ASCII stays raw UTF-8.
///
/// ```
/// let v = serde_json::json!({"content": "a <b> & c\u{2028}é"});
/// let body = String::from_utf8(hookcheck::signature::activesupport_json(&v)).unwrap();
/// assert_eq!(body, r#"{"content":"a \u003cb\u003e \u0026 c\u2028é"}"#);
/// ```
pub fn activesupport_json(v: &serde_json::Value) -> Vec<u8> {
    let compact = serde_json::to_vec(v).unwrap_or_default();
    let mut out = Vec::with_capacity(compact.len() + 16);
    let mut i = 0;
    // These characters can only occur inside JSON strings, so replacing their bytes is safe.
    while i < compact.len() {
        match compact[i] {
            b'<' => out.extend_from_slice(b"\\u003c"),
            b'>' => out.extend_from_slice(b"\\u003e"),
            b'&' => out.extend_from_slice(b"\\u0026"),
            0xE2 if compact.get(i + 1) == Some(&0x80)
                && matches!(compact.get(i + 2), Some(0xA8 | 0xA9)) =>
            {
                out.extend_from_slice(if compact[i + 2] == 0xA8 {
                    b"\\u2028"
                } else {
                    b"\\u2029"
                });
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR_JSON: &str = include_str!("../examples/chatwoot/signature_test_vector.json");

    struct ChatwootVector {
        secret: String,
        timestamp: String,
        body: Vec<u8>,
        expected: String,
    }

    fn chatwoot_vector() -> ChatwootVector {
        let file: serde_json::Value = serde_json::from_str(VECTOR_JSON).unwrap();
        let v = &file["vector"];
        let text = |key: &str| v[key].as_str().unwrap().to_owned();
        ChatwootVector {
            secret: text("secret"),
            timestamp: text("timestamp"),
            body: text("raw_body").into_bytes(),
            expected: text("expected_signature"),
        }
    }

    // Standard Webhooks reference vector, from standard-webhooks/standard-webhooks
    // libraries/javascript/src/webhook.test.ts ("sign function works") and
    // libraries/python/tests/test_webhooks.py (test_sign_function).
    const SW_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SW_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SW_TIMESTAMP: &str = "1614265330";
    const SW_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SW_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn is_malformed(r: &Result<(), SignatureError>) -> bool {
        matches!(r, Err(SignatureError::Malformed { .. }))
    }

    fn is_mismatch(r: &Result<(), SignatureError>) -> bool {
        matches!(r, Err(SignatureError::Mismatch { .. }))
    }

    #[test]
    fn chatwoot_vector_body_has_literal_escapes() {
        let v = chatwoot_vector();
        let body = String::from_utf8(v.body).unwrap();
        assert!(body.contains(r"\u003cb\u003e \u0026 c"), "{body}");
    }

    #[test]
    fn chatwoot_vector_signs_and_verifies() {
        let v = chatwoot_vector();
        let s = Scheme::chatwoot();
        assert_eq!(
            sign(&s, &v.secret, None, &v.timestamp, &v.body).unwrap(),
            v.expected
        );
        verify(&s, &v.secret, None, &v.timestamp, &v.body, &v.expected).unwrap();
        // Chatwoot sends a delivery id but does not sign it.
        verify(
            &s,
            &v.secret,
            Some("6f1c2d1e-6a53-4f0e-9a55-0d3f6b1f2c11"),
            &v.timestamp,
            &v.body,
            &v.expected,
        )
        .unwrap();
    }

    #[test]
    fn chatwoot_vector_fails_on_reserialised_body() {
        let v = chatwoot_vector();
        let parsed: serde_json::Value = serde_json::from_slice(&v.body).unwrap();
        let reserialised = serde_json::to_vec(&parsed).unwrap();
        assert_ne!(reserialised, v.body);
        let r = verify(
            &Scheme::chatwoot(),
            &v.secret,
            None,
            &v.timestamp,
            &reserialised,
            &v.expected,
        );
        assert!(is_mismatch(&r), "{r:?}");
    }

    #[test]
    fn standard_webhooks_vector_signs_and_verifies() {
        let s = Scheme::standard_webhooks();
        assert_eq!(
            sign(&s, SW_SECRET, Some(SW_ID), SW_TIMESTAMP, SW_BODY).unwrap(),
            SW_SIGNATURE
        );
        verify(
            &s,
            SW_SECRET,
            Some(SW_ID),
            SW_TIMESTAMP,
            SW_BODY,
            SW_SIGNATURE,
        )
        .unwrap();
        // The "whsec_" prefix is optional.
        let bare = SW_SECRET.strip_prefix("whsec_").unwrap();
        verify(&s, bare, Some(SW_ID), SW_TIMESTAMP, SW_BODY, SW_SIGNATURE).unwrap();
    }

    #[test]
    fn round_trip_for_both_schemes() {
        let bodies: [&[u8]; 4] = [
            b"",
            b"{}",
            "{\"name\":\"Jo\u{e3}o\"}".as_bytes(),
            &[0, 255, 10],
        ];
        for body in bodies {
            let cw = Scheme::chatwoot();
            let h = sign(&cw, "k", None, "42", body).unwrap();
            verify(&cw, "k", None, "42", body, &h).unwrap();

            let sw = Scheme::standard_webhooks();
            let h = sign(&sw, "whsec_c2VjcmV0", Some("msg_1"), "42", body).unwrap();
            verify(&sw, "whsec_c2VjcmV0", Some("msg_1"), "42", body, &h).unwrap();
        }
    }

    #[test]
    fn every_single_byte_flip_in_the_chatwoot_vector_fails() {
        let v = chatwoot_vector();
        let s = Scheme::chatwoot();
        for i in 0..v.body.len() {
            let mut body = v.body.clone();
            body[i] ^= 0x01;
            let r = verify(&s, &v.secret, None, &v.timestamp, &body, &v.expected);
            assert!(is_mismatch(&r), "body byte {i}: {r:?}");
        }
        for i in 0..v.timestamp.len() {
            let mut ts = v.timestamp.clone().into_bytes();
            ts[i] ^= 0x01;
            let ts = String::from_utf8(ts).unwrap();
            let r = verify(&s, &v.secret, None, &ts, &v.body, &v.expected);
            assert!(is_mismatch(&r), "timestamp byte {i}: {r:?}");
        }
        for i in 0..v.expected.len() {
            let mut sig = v.expected.clone().into_bytes();
            sig[i] ^= 0x01;
            let sig = String::from_utf8(sig).unwrap();
            let r = verify(&s, &v.secret, None, &v.timestamp, &v.body, &sig);
            assert!(r.is_err(), "signature byte {i}");
        }
    }

    #[test]
    fn every_single_byte_flip_in_the_standard_webhooks_vector_fails() {
        let s = Scheme::standard_webhooks();
        for i in 0..SW_BODY.len() {
            let mut body = SW_BODY.to_vec();
            body[i] ^= 0x01;
            let r = verify(
                &s,
                SW_SECRET,
                Some(SW_ID),
                SW_TIMESTAMP,
                &body,
                SW_SIGNATURE,
            );
            assert!(is_mismatch(&r), "body byte {i}: {r:?}");
        }
        for i in 0..SW_TIMESTAMP.len() {
            let mut ts = SW_TIMESTAMP.as_bytes().to_vec();
            ts[i] ^= 0x01;
            let ts = String::from_utf8(ts).unwrap();
            let r = verify(&s, SW_SECRET, Some(SW_ID), &ts, SW_BODY, SW_SIGNATURE);
            assert!(is_mismatch(&r), "timestamp byte {i}: {r:?}");
        }
        for i in 0..SW_ID.len() {
            let mut id = SW_ID.as_bytes().to_vec();
            id[i] ^= 0x01;
            let id = String::from_utf8(id).unwrap();
            let r = verify(
                &s,
                SW_SECRET,
                Some(&id),
                SW_TIMESTAMP,
                SW_BODY,
                SW_SIGNATURE,
            );
            assert!(is_mismatch(&r), "id byte {i}: {r:?}");
        }
        for i in 0..SW_SIGNATURE.len() {
            let mut sig = SW_SIGNATURE.as_bytes().to_vec();
            sig[i] ^= 0x01;
            let sig = String::from_utf8(sig).unwrap();
            let r = verify(&s, SW_SECRET, Some(SW_ID), SW_TIMESTAMP, SW_BODY, &sig);
            assert!(r.is_err(), "signature byte {i}");
        }
    }

    #[test]
    fn signature_over_body_alone_fails() {
        let v = chatwoot_vector();
        let tag = hmac_sha256(v.secret.as_bytes(), &v.body).unwrap();
        let body_only = format!("sha256={}", hex::encode(tag));
        let r = verify(
            &Scheme::chatwoot(),
            &v.secret,
            None,
            &v.timestamp,
            &v.body,
            &body_only,
        );
        assert_eq!(
            r,
            Err(SignatureError::Mismatch {
                header: "X-Chatwoot-Signature".to_owned(),
            })
        );
        let cause = explain_mismatch(
            &Scheme::chatwoot(),
            &v.secret,
            None,
            &v.timestamp,
            &v.body,
            &body_only,
            300,
        );
        assert_eq!(cause, MismatchCause::BodyOnly);
    }

    #[test]
    fn mismatches_are_explained_without_the_expected_value() {
        let v = chatwoot_vector();
        let cw = Scheme::chatwoot();
        let explain =
            |sig: &str, ts: &str| explain_mismatch(&cw, &v.secret, None, ts, &v.body, sig, 300);
        let parsed: serde_json::Value = serde_json::from_slice(&v.body).unwrap();
        let compact = serde_json::to_vec(&parsed).unwrap();
        let sig = sign(&cw, &v.secret, None, &v.timestamp, &compact).unwrap();
        assert_eq!(
            explain(&sig, &v.timestamp),
            MismatchCause::Reserialised("compact")
        );
        let later = (v.timestamp.parse::<i64>().unwrap() + 7).to_string();
        assert_eq!(
            explain(&v.expected, &later),
            MismatchCause::OtherTimestamp(-7)
        );
        let other = sign(&cw, "another-secret", None, &v.timestamp, &v.body).unwrap();
        assert_eq!(explain(&other, &v.timestamp), MismatchCause::Unknown);
        // Standard Webhooks keyed with the raw "whsec_..." string instead of its decoded bytes.
        let sw = Scheme::standard_webhooks();
        let raw_key = hmac_sha256(
            SW_SECRET.as_bytes(),
            &signed_message(&sw, Some(SW_ID), SW_TIMESTAMP, SW_BODY),
        )
        .unwrap();
        let header = format!("v1,{}", STANDARD.encode(raw_key));
        assert_eq!(
            explain_mismatch(
                &sw,
                SW_SECRET,
                Some(SW_ID),
                SW_TIMESTAMP,
                SW_BODY,
                &header,
                300
            ),
            MismatchCause::SecretEncoding("raw UTF-8 bytes of the whole secret")
        );
        for cause in [
            MismatchCause::BodyOnly,
            MismatchCause::Unknown,
            MismatchCause::OtherTimestamp(3),
        ] {
            assert!(!cause.to_string().contains(&v.expected[7..]));
        }
    }

    #[test]
    fn wrong_secret_fails() {
        let v = chatwoot_vector();
        let r = verify(
            &Scheme::chatwoot(),
            "test-secreT",
            None,
            &v.timestamp,
            &v.body,
            &v.expected,
        );
        assert!(is_mismatch(&r), "{r:?}");

        let r = verify(
            &Scheme::standard_webhooks(),
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSx",
            Some(SW_ID),
            SW_TIMESTAMP,
            SW_BODY,
            SW_SIGNATURE,
        );
        assert!(is_mismatch(&r), "{r:?}");
    }

    #[test]
    fn uppercase_hex_is_malformed() {
        let v = chatwoot_vector();
        let upper = format!("sha256={}", v.expected["sha256=".len()..].to_uppercase());
        let r = verify(
            &Scheme::chatwoot(),
            &v.secret,
            None,
            &v.timestamp,
            &v.body,
            &upper,
        );
        let Err(SignatureError::Malformed { header, reason }) = r else {
            panic!("{r:?}")
        };
        assert_eq!(header, "X-Chatwoot-Signature");
        assert!(reason.contains("lowercase"), "{reason}");
    }

    #[test]
    fn wrong_hex_length_and_prefix_are_malformed() {
        let v = chatwoot_vector();
        let s = Scheme::chatwoot();
        let check = |sig: &str| {
            let r = verify(&s, &v.secret, None, &v.timestamp, &v.body, sig);
            assert!(is_malformed(&r), "{sig:?}: {r:?}");
        };
        check(&v.expected[..v.expected.len() - 1]); // 63 hex digits
        check(&format!("{}0", v.expected)); // 65
        check(&v.expected["sha256=".len()..]); // no prefix
        check(&v.expected.replace("sha256=", "SHA256="));
        check(&v.expected.replace("sha256=", "sha1="));
        check("");
        check("sha256=");
        check(&format!("{} ", v.expected));
        check(&format!("{}g", &v.expected[..v.expected.len() - 1]));
    }

    #[test]
    fn any_v1_entry_may_match() {
        let s = Scheme::standard_webhooks();
        let other = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
        let v2 = "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
        for header in [
            format!("{other} {SW_SIGNATURE}"),
            format!("{other} {v2} {SW_SIGNATURE} {other}"),
            format!("{SW_SIGNATURE}  {other}"),
            format!("v1a,not-checked-here {SW_SIGNATURE}"),
        ] {
            verify(&s, SW_SECRET, Some(SW_ID), SW_TIMESTAMP, SW_BODY, &header).unwrap();
        }
        let r = verify(&s, SW_SECRET, Some(SW_ID), SW_TIMESTAMP, SW_BODY, other);
        assert!(is_mismatch(&r), "{r:?}");
    }

    /// Documented choice: a list without any v1 entry is well formed, so it is a Mismatch, not Malformed.
    #[test]
    fn only_other_versions_is_mismatch() {
        let s = Scheme::standard_webhooks();
        let sig = SW_SIGNATURE.replace("v1,", "v2,");
        let r = verify(&s, SW_SECRET, Some(SW_ID), SW_TIMESTAMP, SW_BODY, &sig);
        assert_eq!(
            r,
            Err(SignatureError::Mismatch {
                header: "webhook-signature".to_owned(),
            })
        );
    }

    #[test]
    fn broken_v1_lists_are_malformed() {
        let s = Scheme::standard_webhooks();
        for header in [
            "",
            "   ",
            "v1",
            ",abc",
            "v1,",
            "v1,!!!!",
            "v1,c2VjcmV0",                                     // valid base64, 6 bytes
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE",  // padding missing
            "v1,g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE=", // URL-safe alphabet
        ] {
            let r = verify(&s, SW_SECRET, Some(SW_ID), SW_TIMESTAMP, SW_BODY, header);
            assert!(is_malformed(&r), "{header:?}: {r:?}");
        }
        // A broken entry is reported even next to a matching one.
        let header = format!("{SW_SIGNATURE} v1,!!!!");
        let r = verify(&s, SW_SECRET, Some(SW_ID), SW_TIMESTAMP, SW_BODY, &header);
        assert!(is_malformed(&r), "{r:?}");
    }

    #[test]
    fn missing_signed_id_is_malformed() {
        let s = Scheme::standard_webhooks();
        let r = verify(&s, SW_SECRET, None, SW_TIMESTAMP, SW_BODY, SW_SIGNATURE);
        let Err(SignatureError::Malformed { header, .. }) = &r else {
            panic!("{r:?}")
        };
        assert_eq!(header, "webhook-id");
        assert!(sign(&s, SW_SECRET, None, SW_TIMESTAMP, SW_BODY).is_err());
    }

    #[test]
    fn bad_secrets_are_rejected() {
        let cw = Scheme::chatwoot();
        let sw = Scheme::standard_webhooks();
        for (scheme, secret) in [
            (&cw, ""),
            (&sw, ""),
            (&sw, "whsec_"),
            (&sw, "whsec_not base64!"),
            (&sw, "whsec_a"),
        ] {
            let r = sign(scheme, secret, Some("id"), "1", b"{}");
            assert!(
                matches!(r, Err(SignatureError::BadSecret { .. })),
                "{secret:?}: {r:?}"
            );
            let r = verify(scheme, secret, Some("id"), "1", b"{}", "sha256=00");
            assert!(
                matches!(r, Err(SignatureError::BadSecret { .. })),
                "{secret:?}: {r:?}"
            );
        }
        // Padding is forgiven in secrets: "c2VjcmV0cw" is "secrets" without its "==".
        let padded = sign(&sw, "whsec_c2VjcmV0cw==", Some("i"), "1", b"{}").unwrap();
        let bare = sign(&sw, "whsec_c2VjcmV0cw", Some("i"), "1", b"{}").unwrap();
        assert_eq!(padded, bare);
    }

    #[test]
    fn timestamp_is_strict_in_verify_but_not_in_sign() {
        let s = Scheme::chatwoot();
        let h = sign(&s, "k", None, "1.5", b"{}").unwrap();
        let r = verify(&s, "k", None, "1.5", b"{}", &h);
        let Err(SignatureError::BadTimestamp { header, value, .. }) = r else {
            panic!("{r:?}")
        };
        assert_eq!(
            (header.as_str(), value.as_str()),
            ("X-Chatwoot-Timestamp", "1.5")
        );
    }

    #[test]
    fn parse_timestamp_accepts_decimal_seconds_only() {
        assert_eq!(parse_timestamp("0"), Ok(0));
        assert_eq!(parse_timestamp("1718620000"), Ok(1_718_620_000));
        assert_eq!(parse_timestamp("007"), Ok(7));
        assert_eq!(parse_timestamp("999999999999"), Ok(999_999_999_999));
        for bad in [
            "",
            "-1",
            "+1",
            " 1",
            "1 ",
            "1.5",
            "1e9",
            "0x10",
            "1718620000\n",
            "1234567890123",
            "\u{661}\u{662}",
            "\u{ff11}",
            "9223372036854775808",
        ] {
            let r = parse_timestamp(bad);
            assert!(
                matches!(r, Err(SignatureError::BadTimestamp { .. })),
                "{bad:?}: {r:?}"
            );
        }
    }

    #[test]
    fn scheme_serialises_as_kebab_case_data() {
        let json = serde_json::to_value(Scheme::standard_webhooks()).unwrap();
        assert_eq!(json["message"], "id-dot-timestamp-dot-body");
        assert_eq!(json["encoding"], "v1-base64-list");
        assert_eq!(json["secret"], "whsec-base64");
        let json = serde_json::to_value(Scheme::chatwoot()).unwrap();
        assert_eq!(json["message"], "timestamp-dot-body");
        assert_eq!(json["encoding"], "sha256-prefixed-hex");
        assert_eq!(json["secret"], "utf8");
        for scheme in [Scheme::chatwoot(), Scheme::standard_webhooks()] {
            let text = serde_json::to_string(&scheme).unwrap();
            assert_eq!(serde_json::from_str::<Scheme>(&text).unwrap(), scheme);
        }
        // A typo in a hand-written scheme is an error, not a silently ignored field.
        let typo = r#"{"name":"x","timestamp_header":"t","signature_header":"s","mesage":"timestamp-dot-body",
            "message":"timestamp-dot-body","encoding":"sha256-prefixed-hex","secret":"utf8"}"#;
        assert!(serde_json::from_str::<Scheme>(typo).is_err());
    }

    #[test]
    fn errors_never_show_the_secret_and_fit_one_line() {
        let cw_secret = "s3cr3t-do-not-leak";
        let sw_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let sw_key = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let bad_sw_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La!aSw";
        let cw = Scheme::chatwoot();
        let sw = Scheme::standard_webhooks();
        let errors = [
            verify(&cw, cw_secret, None, "1", b"{}", "sha256=00"),
            verify(&cw, cw_secret, None, "1", b"{}", &"a".repeat(200)),
            verify(
                &cw,
                cw_secret,
                None,
                "1",
                b"{}",
                &format!("sha256={}", "0".repeat(64)),
            ),
            verify(&cw, cw_secret, None, "x\ny", b"{}", "sha256=00"),
            verify(&sw, sw_secret, Some("m"), "1", b"{}", "v1,AAAA"),
            verify(&sw, sw_secret, Some("m"), "1", b"{}", "v2,AAAA"),
            verify(&sw, sw_secret, None, "1", b"{}", "v1,AAAA"),
            verify(&sw, bad_sw_secret, Some("m"), "1", b"{}", "v1,AAAA"),
            verify(&cw, "", None, "1", b"{}", "sha256=00"),
        ];
        for r in errors {
            let e = r.unwrap_err();
            for shown in [e.to_string(), format!("{e:?}")] {
                assert!(!shown.contains(cw_secret), "{shown}");
                assert!(!shown.contains(sw_key), "{shown}");
                assert!(!shown.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2La"), "{shown}");
                assert!(!shown.contains('\n'), "{shown}");
            }
            let text = e.to_string();
            assert!(!text.ends_with('.'), "{text}");
            assert!(text.len() < 300, "{text}");
        }
    }

    #[test]
    fn mutated_headers_never_panic() {
        let v = chatwoot_vector();
        let cw = Scheme::chatwoot();
        let sw = Scheme::standard_webhooks();
        let inserts = [
            "",
            "0",
            "a",
            "A",
            "g",
            " ",
            ",",
            "=",
            ".",
            "-",
            "+",
            "v1,",
            "\u{0}",
            "\n",
            "\u{e9}",
            "\u{661}",
            "\u{ff10}",
            "\u{1f600}",
            "\u{fffd}",
        ];
        let seeds = [
            v.expected.as_str(),
            SW_SIGNATURE,
            v.timestamp.as_str(),
            "",
            "v1,\u{e9}\u{1f600} v2,x",
        ];
        for seed in seeds {
            let boundaries: Vec<usize> = seed
                .char_indices()
                .map(|(i, _)| i)
                .chain([seed.len()])
                .collect();
            for &at in &boundaries {
                let next = boundaries.iter().copied().find(|&b| b > at);
                for insert in inserts {
                    let mut variants = vec![
                        format!("{}{insert}{}", &seed[..at], &seed[at..]),
                        seed[..at].to_owned(),
                    ];
                    if let Some(next) = next {
                        variants.push(format!("{}{insert}{}", &seed[..at], &seed[next..]));
                    }
                    for value in variants {
                        let _ = parse_timestamp(&value);
                        let cw_r = verify(&cw, &v.secret, None, &value, &v.body, &value);
                        let _ = verify(&cw, &v.secret, None, &v.timestamp, &v.body, &value);
                        let _ = verify(&sw, SW_SECRET, Some(&value), &value, SW_BODY, &value);
                        let _ = verify(&sw, SW_SECRET, Some(SW_ID), SW_TIMESTAMP, SW_BODY, &value);
                        let _ = verify(&sw, &value, Some(SW_ID), SW_TIMESTAMP, SW_BODY, &value);
                        let _ = sign(&sw, &value, Some(&value), &value, SW_BODY);
                        assert!(cw_r.is_err());
                    }
                }
            }
        }
    }
}
