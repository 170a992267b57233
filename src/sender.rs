//! The reference sender: delivers as Chatwoot 4.15 does. It is the embedded default implementation under
//! test (`hookcheck verify` with no command), and, with [`Fault`]s, the broken senders that prove the checks
//! catch real bugs.
use std::{collections::BTreeSet, time::Duration};

use serde_json::Value;

use crate::{check::DeliveryProfile, event::EventName, signature};

/// A deliberate sender bug, for proving that the checks catch it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    /// `Content-Type: text/plain`.
    WrongContentType,
    /// `PUT` instead of `POST`.
    WrongMethod,
    /// No signature header.
    NoSignature,
    /// Signs a pretty-printed re-serialisation but sends the compact body.
    SignReserialized,
    /// Signs the body alone, without `"{timestamp}."`.
    SignBodyOnly,
    /// Signs with another secret.
    WrongSecret,
    /// A timestamp an hour old (correctly signed).
    StaleTimestamp,
    /// Delivers events the webhook did not subscribe to.
    IgnoreSubscriptions,
    /// Uses one delivery id for every delivery.
    ReuseDeliveryId,
    /// A delivery id that is not a UUID.
    NonUuidId,
    /// Sends a payload without its `id`.
    InvalidPayload,
    /// Sends every delivery twice (a retry Chatwoot never makes).
    Retry,
    /// Uppercase hex in the signature.
    UppercaseSignature,
}

impl Fault {
    /// Every fault, in declaration order.
    pub const ALL: [Fault; 13] = [
        Fault::WrongContentType,
        Fault::WrongMethod,
        Fault::NoSignature,
        Fault::SignReserialized,
        Fault::SignBodyOnly,
        Fault::WrongSecret,
        Fault::StaleTimestamp,
        Fault::IgnoreSubscriptions,
        Fault::ReuseDeliveryId,
        Fault::NonUuidId,
        Fault::InvalidPayload,
        Fault::Retry,
        Fault::UppercaseSignature,
    ];
}

/// What happened to one payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Not subscribed: not sent (as `deliver_account_webhooks` skips it).
    Skipped,
    /// Sent; the receiver answered 2xx.
    Delivered {
        /// The status.
        status: u16,
    },
    /// Sent, but a non-2xx, a timeout or a connection error: reported to the caller as a failure (one attempt,
    /// no retry).
    Failed {
        /// What went wrong.
        reason: String,
    },
}

/// Delivers payloads to one webhook URL.
#[derive(Debug, Clone)]
pub struct Sender {
    client: reqwest::Client,
    url: String,
    secret: Option<String>,
    profile: DeliveryProfile,
    subscriptions: BTreeSet<EventName>,
    faults: BTreeSet<Fault>,
}

impl Sender {
    /// A sender for `url`, subscribed to every event.
    pub fn new(url: String, secret: Option<String>, profile: DeliveryProfile) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(profile.timeout_secs))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self {
            client,
            url,
            secret,
            profile,
            subscriptions: EventName::ALL.into_iter().collect(),
            faults: BTreeSet::new(),
        }
    }

    /// Only these events are delivered.
    pub fn subscriptions(mut self, events: impl IntoIterator<Item = EventName>) -> Self {
        self.subscriptions = events.into_iter().collect();
        self
    }

    /// Adds a deliberate bug.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.insert(fault);
        self
    }

    fn has(&self, f: Fault) -> bool {
        self.faults.contains(&f)
    }

    /// Delivers one payload: subscription filter, ActiveSupport JSON, signing headers, one attempt.
    pub async fn deliver(&self, payload: &Value) -> Outcome {
        let event = payload
            .get("event")
            .and_then(Value::as_str)
            .and_then(EventName::from_wire);
        if let Some(e) = event {
            if !self.subscriptions.contains(&e) && !self.has(Fault::IgnoreSubscriptions) {
                return Outcome::Skipped;
            }
        }
        let mut payload = payload.clone();
        if self.has(Fault::InvalidPayload) {
            if let Some(m) = payload.as_object_mut() {
                m.shift_remove("id");
            }
        }
        let body = signature::activesupport_json(&payload);
        let id = if self.has(Fault::ReuseDeliveryId) {
            "6f1c2d1e-6a53-4f0e-9a55-0d3f6b1f2c11".to_string()
        } else if self.has(Fault::NonUuidId) {
            format!("delivery-{}", uuid::Uuid::new_v4().simple())
        } else if self.profile.name == "standard-webhooks" {
            format!("msg_{}", uuid::Uuid::new_v4().simple())
        } else {
            uuid::Uuid::new_v4().to_string()
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let ts = if self.has(Fault::StaleTimestamp) {
            now.saturating_sub(3600)
        } else {
            now
        }
        .to_string();
        let content_type = if self.has(Fault::WrongContentType) {
            "text/plain"
        } else {
            "application/json"
        };
        let method = if self.has(Fault::WrongMethod) {
            reqwest::Method::PUT
        } else {
            reqwest::Method::POST
        };
        let mut req = self
            .client
            .request(method, &self.url)
            .header("Content-Type", content_type)
            .header("Accept", "application/json");
        if let Some(h) = &self.profile.id_header {
            req = req.header(h.as_str(), id.as_str());
        }
        if let (Some(scheme), Some(secret)) = (&self.profile.signature, &self.secret) {
            req = req.header(scheme.timestamp_header.as_str(), ts.as_str());
            if !self.has(Fault::NoSignature) {
                let signed_body = if self.has(Fault::SignReserialized) {
                    serde_json::to_vec_pretty(&payload).unwrap_or_default()
                } else {
                    body.clone()
                };
                let key = if self.has(Fault::WrongSecret) {
                    format!("{secret}-old")
                } else {
                    secret.clone()
                };
                let sig = if self.has(Fault::SignBodyOnly) {
                    // HMAC over the body alone: the bug Chatwoot's spec guards against.
                    Ok(format!("sha256={}", hmac_sha256_hex(&key, &body)))
                } else {
                    signature::sign(scheme, &key, Some(&id), &ts, &signed_body)
                };
                if let Ok(mut sig) = sig {
                    if self.has(Fault::UppercaseSignature) {
                        sig = sig.replacen("sha256=", "", 1).to_ascii_uppercase();
                        sig.insert_str(0, "sha256=");
                    }
                    req = req.header(scheme.signature_header.as_str(), sig);
                }
            }
        }
        let attempts = if self.has(Fault::Retry) { 2 } else { 1 };
        let mut outcome = Outcome::Failed {
            reason: "not sent".into(),
        };
        for _ in 0..attempts {
            let Some(r) = req.try_clone() else { break };
            outcome = match r.body(body.clone()).send().await {
                Ok(resp) if resp.status().is_success() => Outcome::Delivered {
                    status: resp.status().as_u16(),
                },
                Ok(resp) => Outcome::Failed {
                    reason: format!("HTTP {}", resp.status()),
                },
                Err(e) if e.is_timeout() => Outcome::Failed {
                    reason: format!("timed out after {} s", self.profile.timeout_secs),
                },
                Err(e) => Outcome::Failed {
                    reason: e.to_string(),
                },
            };
        }
        outcome
    }
}

fn hmac_sha256_hex(key: &str, msg: &[u8]) -> String {
    use hmac::{Mac, SimpleHmac};
    let mut mac = match SimpleHmac::<sha2::Sha256>::new_from_slice(key.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(msg);
    hex::encode(mac.finalize().into_bytes())
}
