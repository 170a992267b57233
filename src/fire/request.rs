//! The HTTP request of a case: the headers Chatwoot sends, signed with the secret when the request is
//! made (so the timestamp is fresh, also when shrinking or replaying), or forged one way.
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::{
    case::Expect,
    forgery::{Forgery, SKEW_SECS},
};
use crate::{
    check::{DeliveryProfile, IdFormat},
    signature::activesupport_json,
    signature::{self, Scheme, SecretEncoding, SignatureEncoding, SignatureError},
};

/// How old the signed timestamp of [`Forgery::TimestampChanged`] is: inside the usual 300 s tolerance, so
/// only the MAC can tell.
const BUMPED_SECS: i64 = 120;

/// The `User-Agent` of every request, so the people who run a staging server can tell what is calling.
pub const USER_AGENT: &str = concat!("hookcheck-fire/", env!("CARGO_PKG_VERSION"));

/// One request as sent: headers in order, and the exact body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Headers in the order they are sent (names as the profile spells them).
    pub headers: Vec<(String, String)>,
    /// The exact body bytes.
    pub body: Vec<u8>,
}

impl Request {
    /// The value of a header (case-insensitive), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Makes the requests of one campaign. It holds the secret; nothing it returns contains it.
#[derive(Clone)]
pub(crate) struct Signer {
    profile: DeliveryProfile,
    secret: Option<String>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("profile", &self.profile.name)
            .field("secret", &self.secret.as_ref().map(|_| "(set)"))
            .finish()
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Signer {
    /// A signer for `profile`. Deliveries are signed when the profile has a scheme and a secret is given.
    ///
    /// # Errors
    /// The secret cannot be a key for the profile's scheme (empty, or not base64 for `whsec_` secrets).
    pub(crate) fn new(
        profile: DeliveryProfile,
        secret: Option<String>,
    ) -> Result<Self, SignatureError> {
        if let (Some(scheme), Some(secret)) = (&profile.signature, &secret) {
            signature::sign(scheme, secret, Some("probe"), "0", b"{}")?;
        }
        Ok(Self { profile, secret })
    }

    /// The delivery profile.
    pub(crate) fn profile(&self) -> &DeliveryProfile {
        &self.profile
    }

    /// Whether deliveries carry a signature (a scheme and a secret).
    pub(crate) fn signs(&self) -> bool {
        self.scheme_and_secret().is_some()
    }

    fn scheme_and_secret(&self) -> Option<(&Scheme, &str)> {
        match (&self.profile.signature, &self.secret) {
            (Some(scheme), Some(secret)) => Some((scheme, secret.as_str())),
            _ => None,
        }
    }

    /// A fresh delivery id of the profile's format.
    pub(crate) fn new_id(&self) -> String {
        match self.profile.id_format {
            IdFormat::Uuid => uuid::Uuid::new_v4().to_string(),
            IdFormat::Any => format!("msg_{}", uuid::Uuid::new_v4().simple()),
        }
    }

    /// The request for `expect`: genuine, or forged one way. `payload` is what `body` serialises, if
    /// anything (the body-changed forgery edits it).
    pub(crate) fn request(&self, expect: Expect, payload: Option<&Value>, body: &[u8]) -> Request {
        let id = self.new_id();
        let now = now();
        match expect {
            Expect::Accept | Expect::Survive(_) | Expect::Refuse(Forgery::ReplayedId) => Request {
                headers: self.headers(&id, now, body),
                body: body.to_vec(),
            },
            Expect::Refuse(f) => self.forged(f, &id, now, payload, body),
        }
    }

    /// The headers Chatwoot sends, signed over `body` at time `ts`.
    fn headers(&self, id: &str, ts: i64, body: &[u8]) -> Vec<(String, String)> {
        let mut h = vec![
            (
                "Content-Type".to_string(),
                self.profile.content_type.clone(),
            ),
            ("Accept".to_string(), "application/json".to_string()),
            ("User-Agent".to_string(), USER_AGENT.to_string()),
        ];
        if let Some(name) = &self.profile.id_header {
            h.push((name.clone(), id.to_string()));
        }
        if let Some((scheme, secret)) = self.scheme_and_secret() {
            let ts = ts.to_string();
            h.push((scheme.timestamp_header.clone(), ts.clone()));
            // `Signer::new` proved the secret signs, so this cannot fail; an unsigned header would show
            // up as a rejected delivery rather than vanish.
            if let Ok(sig) = signature::sign(scheme, secret, Some(id), &ts, body) {
                h.push((scheme.signature_header.clone(), sig));
            }
        }
        h
    }

    fn forged(
        &self,
        forgery: Forgery,
        id: &str,
        now: i64,
        payload: Option<&Value>,
        body: &[u8],
    ) -> Request {
        let Some((scheme, secret)) = self.scheme_and_secret() else {
            // Nothing to forge without a signature: the planner never asks for it.
            return Request {
                headers: self.headers(id, now, body),
                body: body.to_vec(),
            };
        };
        let sig_header = scheme.signature_header.clone();
        let ts_header = scheme.timestamp_header.clone();
        let mut body = body.to_vec();
        let mut headers = match forgery {
            Forgery::StaleTimestamp => self.headers(id, now - SKEW_SECS, &body),
            Forgery::FutureTimestamp => self.headers(id, now + SKEW_SECS, &body),
            _ => self.headers(id, now, &body),
        };
        let set = |headers: &mut Vec<(String, String)>, name: &str, value: String| {
            for (k, v) in headers.iter_mut() {
                if k.eq_ignore_ascii_case(name) {
                    *v = value.clone();
                }
            }
        };
        match forgery {
            Forgery::WrongSecret => {
                let wrong = wrong_secret(scheme, secret);
                if let Ok(sig) = signature::sign(scheme, &wrong, Some(id), &now.to_string(), &body)
                {
                    set(&mut headers, &sig_header, sig);
                }
            }
            Forgery::BodyChanged => body = changed_body(payload, &body),
            Forgery::MissingSignature => {
                headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&sig_header))
            }
            Forgery::MissingTimestamp => {
                headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&ts_header))
            }
            Forgery::NoPrefix => {
                if let Some(v) = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&sig_header))
                    .map(|(_, v)| v.clone())
                {
                    let bare = v
                        .strip_prefix("sha256=")
                        .or_else(|| v.strip_prefix("v1,"))
                        .unwrap_or(&v)
                        .to_string();
                    set(&mut headers, &sig_header, bare);
                }
            }
            Forgery::SignedBodyOnly => {
                if let Some(sig) = body_only(scheme, secret, &body) {
                    set(&mut headers, &sig_header, sig);
                }
            }
            Forgery::TimestampChanged => {
                let old = (now - BUMPED_SECS).to_string();
                if let Ok(sig) = signature::sign(scheme, secret, Some(id), &old, &body) {
                    set(&mut headers, &sig_header, sig);
                }
            }
            Forgery::StaleTimestamp | Forgery::FutureTimestamp | Forgery::ReplayedId => {}
        }
        Request { headers, body }
    }
}

/// The secret of the wrong-secret forgery: public, so a `curl` line can reproduce the forgery, and never
/// the real one (a real secret equal to it gets a variant).
pub const WRONG_SECRET: &str = "hookcheck-wrong-secret";

/// [`WRONG_SECRET`] in the scheme's secret encoding.
pub(crate) fn wrong_secret(scheme: &Scheme, secret: &str) -> String {
    let wrong = match scheme.secret {
        SecretEncoding::Utf8 => WRONG_SECRET.to_string(),
        SecretEncoding::WhsecBase64 => format!(
            "whsec_{}",
            base64::engine::general_purpose::STANDARD.encode(WRONG_SECRET)
        ),
    };
    if wrong == secret {
        format!("{wrong}2")
    } else {
        wrong
    }
}

/// An HMAC over the body alone, encoded as the scheme encodes signatures.
fn body_only(scheme: &Scheme, secret: &str, body: &[u8]) -> Option<String> {
    let key = match scheme.secret {
        SecretEncoding::Utf8 => secret.as_bytes().to_vec(),
        SecretEncoding::WhsecBase64 => {
            let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
            base64::engine::GeneralPurpose::new(
                &base64::alphabet::STANDARD,
                base64::engine::GeneralPurposeConfig::new()
                    .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
            )
            .decode(encoded)
            .ok()?
        }
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    Some(match scheme.encoding {
        SignatureEncoding::Sha256PrefixedHex => format!("sha256={}", hex::encode(tag)),
        SignatureEncoding::V1Base64List => format!(
            "v1,{}",
            base64::engine::general_purpose::STANDARD.encode(tag)
        ),
    })
}

/// The body with one value changed: the top-level `id` plus one when there is one (what a tampering
/// proxy would do), else one trailing space (which a consumer that verifies a re-serialisation misses).
fn changed_body(payload: Option<&Value>, body: &[u8]) -> Vec<u8> {
    if let Some(p) = payload {
        if let Some(id) = p.get("id").and_then(Value::as_i64) {
            let mut changed = p.clone();
            changed["id"] = Value::from(id.wrapping_add(1));
            return activesupport_json(&changed);
        }
    }
    let mut b = body.to_vec();
    b.push(b' ');
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fire::case::Hostility;

    const SECRET: &str = "whk_test_secret_123";

    /// Whether `r` carries a fresh signature that `secret` verifies under `scheme`.
    fn verifies(scheme: &Scheme, secret: &str, r: &Request) -> bool {
        let (Some(ts), Some(sig)) = (
            r.header(&scheme.timestamp_header),
            r.header(&scheme.signature_header),
        ) else {
            return false;
        };
        let id = scheme.id_header.as_deref().and_then(|h| r.header(h));
        let fresh = scheme
            .parse_timestamp(ts)
            .is_ok_and(|t| (t - now()).abs() <= 300);
        fresh && signature::verify(scheme, secret, id, ts, &r.body, sig).is_ok()
    }

    #[test]
    fn genuine_requests_verify_and_every_forgery_but_the_replay_does_not() {
        for (profile, secret) in [
            (DeliveryProfile::chatwoot(), SECRET.to_string()),
            (
                DeliveryProfile::standard_webhooks(),
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_string(),
            ),
        ] {
            let signer = Signer::new(profile.clone(), Some(secret.clone())).unwrap();
            let scheme = profile.signature.clone().unwrap();
            let payload =
                serde_json::json!({"event": "contact_created", "id": 7, "name": "Ana <b>"});
            let body = activesupport_json(&payload);
            let check = |r: &Request| verifies(&scheme, &secret, r);
            for expect in [
                Expect::Accept,
                Expect::Survive(Hostility::NotJson("text")),
                Expect::Refuse(Forgery::ReplayedId),
            ] {
                let r = signer.request(expect, Some(&payload), &body);
                assert!(check(&r), "{expect:?}");
                assert_eq!(r.body, body);
            }
            for f in Forgery::ALL
                .into_iter()
                .filter(|f| *f != Forgery::ReplayedId)
            {
                let r = signer.request(Expect::Refuse(f), Some(&payload), &body);
                assert!(!check(&r), "{} verifies under {}", f.name(), profile.name);
                for (_, v) in &r.headers {
                    assert!(!v.contains(&secret), "{}", f.name());
                }
            }
        }
    }

    #[test]
    fn unsigned_profiles_send_no_signature() {
        let signer =
            Signer::new(DeliveryProfile::chatwoot_unsigned(), Some(SECRET.into())).unwrap();
        let r = signer.request(Expect::Accept, None, b"{}");
        assert!(!signer.signs());
        assert!(r.header("X-Chatwoot-Signature").is_none());
        assert!(!verifies(&Scheme::chatwoot(), SECRET, &r));
        let signer = Signer::new(DeliveryProfile::chatwoot(), None).unwrap();
        assert!(signer
            .request(Expect::Accept, None, b"{}")
            .header("X-Chatwoot-Timestamp")
            .is_none());
    }

    #[test]
    fn a_secret_that_cannot_sign_is_refused_without_showing_it() {
        let e = Signer::new(
            DeliveryProfile::standard_webhooks(),
            Some("whsec_not base64!".into()),
        )
        .unwrap_err();
        assert!(!e.to_string().contains("not base64!"), "{e}");
        assert!(Signer::new(DeliveryProfile::chatwoot(), Some(String::new())).is_err());
    }
}
