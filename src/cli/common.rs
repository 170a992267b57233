//! Arguments and helpers more than one subcommand shares: the payload contract (`--profile`/`--release`),
//! the delivery rules and secret of `verify` and `listen`, and the async runtime.
use std::{collections::BTreeSet, path::PathBuf};

use hookcheck::{
    check::{DeliveryProfile, Expectations},
    error::Error,
    event::EventName,
    profile::Profile,
    report::Format,
    Catalog,
};

/// Which payload contract a command checks or generates: `--profile` or `--release` (the same choice).
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ContractArgs {
    /// Payload contract: `compat` (a payload conforms when some release from 2.0.0 to 4.15.1 would have
    /// sent it), `v4.15` (= --release 4.15.1), or a release X.Y.Z.
    #[arg(long, default_value = "compat", value_name = "PROFILE")]
    profile: String,
    /// Exactly what one Chatwoot release sends, X.Y.Z (`hookcheck releases --list` lists them).
    #[arg(long, value_name = "X.Y.Z", conflicts_with = "profile")]
    release: Option<String>,
}

impl ContractArgs {
    /// The chosen profile.
    pub(crate) fn profile(&self) -> Result<Profile, Error> {
        match &self.release {
            Some(r) => Profile::release(r),
            None => self.profile.parse(),
        }
    }
}

/// Options shared by `verify` and `listen`.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// Delivery rules (headers, signature, timeouts): chatwoot (signed, 4.12+), chatwoot-unsigned
    /// (before 4.12), standard-webhooks.
    #[arg(long, default_value = "chatwoot", value_name = "NAME")]
    pub(crate) delivery_profile: String,
    /// Delivery rules from a JSON file, for a white-label product with its own headers (see
    /// examples/profiles/); overrides --delivery-profile.
    #[arg(long, value_name = "FILE", alias = "profile-file")]
    pub(crate) delivery_profile_file: Option<PathBuf>,
    /// The webhook secret (visible in `ps`: prefer --secret-file or HOOKCHECK_SECRET). Default for verify:
    /// a fresh random one, given to CMD as WEBHOOK_SECRET; for listen: none (signatures not verified).
    #[arg(long, value_name = "SECRET", conflicts_with = "secret_file")]
    pub(crate) secret: Option<String>,
    /// Read the webhook secret from this file (one trailing newline is ignored).
    #[arg(long, value_name = "FILE")]
    pub(crate) secret_file: Option<PathBuf>,
    /// Subscribed events, comma-separated (default: every event of the payload contract).
    #[arg(long, value_delimiter = ',', value_name = "EVENTS")]
    pub(crate) events: Vec<String>,
    /// The path deliveries must use (WEBHOOK_URL ends with it).
    #[arg(long, value_name = "PATH")]
    pub(crate) path: Option<String>,
    /// Payload contract the bodies are checked against: `compat` (some release from 2.0.0 to 4.15.1
    /// sent it), `v4.15` (= --release 4.15.1), or a release X.Y.Z.
    #[arg(
        long,
        default_value = "compat",
        value_name = "PROFILE",
        alias = "payload-profile"
    )]
    pub(crate) profile: String,
    /// The bodies must be exactly what this Chatwoot release sends (X.Y.Z; same as --profile X.Y.Z);
    /// without --events, the subscriptions are the events that release sends.
    #[arg(long, value_name = "X.Y.Z", conflicts_with = "profile")]
    pub(crate) release: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
}

/// A delivery profile by name; a payload profile's name given here says which flag it belongs to.
pub(crate) fn delivery_profile(name: &str) -> Result<DeliveryProfile, Error> {
    DeliveryProfile::by_name(name).ok_or_else(|| Error::Unknown {
        what: "delivery profile",
        given: name.to_string(),
        hint: if name.parse::<Profile>().is_ok() {
            format!(
                "; `{name}` is a payload contract: use --profile {name} (--delivery-profile takes \
                 chatwoot, chatwoot-unsigned or standard-webhooks)"
            )
        } else {
            "; expected chatwoot, chatwoot-unsigned or standard-webhooks".into()
        },
    })
}

/// A payload profile by name; a delivery profile's name given here says which flag it belongs to.
pub(crate) fn payload_profile(name: &str) -> Result<Profile, Error> {
    name.parse::<Profile>().map_err(|e| match e {
        Error::Unknown { what, given, .. } if DeliveryProfile::by_name(name).is_some() => {
            Error::Unknown {
                what,
                given,
                hint: format!(
                    "; `{name}` is a delivery profile: use --delivery-profile {name} (--profile is the \
                     payload contract: `compat`, `v4.15` or a release X.Y.Z)"
                ),
            }
        }
        e => e,
    })
}

pub(crate) fn expectations(c: &Common, secret: Option<String>) -> Result<Expectations, Error> {
    let profile = match &c.delivery_profile_file {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|source| Error::Read {
                path: p.clone(),
                source,
            })?;
            DeliveryProfile::from_json(&text).map_err(|problems| Error::DeliveryProfileFile {
                path: p.clone(),
                problems,
            })?
        }
        None => delivery_profile(&c.delivery_profile)?,
    };
    let mut x = Expectations::new(profile, secret);
    if !c.events.is_empty() {
        x.events = c
            .events
            .iter()
            .map(|e| e.trim().parse::<EventName>())
            .collect::<Result<BTreeSet<_>, _>>()?;
    }
    x.path = c.path.clone();
    x.payload_profile = match &c.release {
        Some(r) => Profile::release(r)?,
        None => payload_profile(&c.profile)?,
    };
    if let Profile::Release(release) = x.payload_profile {
        let sent = Catalog::shared()?.events(x.payload_profile)?;
        if c.events.is_empty() {
            x.events = sent.into_iter().collect();
        } else if let Some(e) = x.events.iter().find(|e| !sent.contains(e)) {
            return Err(Error::Unknown {
                what: "event for this release",
                given: e.to_string(),
                hint: format!(
                    "; Chatwoot {release} sends {}",
                    sent.iter()
                        .map(|e| e.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    Ok(x)
}

/// The environment variable a secret may come from (after `--secret` and `--secret-file`).
pub const SECRET_ENV: &str = "HOOKCHECK_SECRET";

/// The secret from `--secret`, `--secret-file` (one trailing newline dropped) or `HOOKCHECK_SECRET`, in
/// that order; an empty one is an error (it would make signatures anyone can forge).
pub(crate) fn resolve_secret(c: &Common) -> Result<Option<String>, Error> {
    let secret = if let Some(s) = &c.secret {
        Some(s.clone())
    } else if let Some(p) = &c.secret_file {
        let text = std::fs::read_to_string(p).map_err(|source| Error::Read {
            path: p.clone(),
            source,
        })?;
        let text = text.strip_suffix('\n').unwrap_or(&text);
        Some(text.strip_suffix('\r').unwrap_or(text).to_string())
    } else {
        std::env::var(SECRET_ENV).ok()
    };
    if secret.as_deref() == Some("") {
        return Err(Error::Secret(
            "it is empty, which would make signatures anyone can forge".into(),
        ));
    }
    Ok(secret)
}

pub(crate) fn random_secret(profile: &DeliveryProfile) -> String {
    use base64::Engine;
    let bytes: Vec<u8> = uuid::Uuid::new_v4()
        .as_bytes()
        .iter()
        .chain(uuid::Uuid::new_v4().as_bytes())
        .copied()
        .collect();
    if profile
        .signature
        .as_ref()
        .is_some_and(|s| s.name == "standard-webhooks")
    {
        format!(
            "whsec_{}",
            base64::engine::general_purpose::STANDARD.encode(&bytes[..24])
        )
    } else {
        // Chatwoot's has_secure_token: 24 characters of base58.
        const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        bytes
            .iter()
            .take(24)
            .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
            .collect()
    }
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Write)
}
