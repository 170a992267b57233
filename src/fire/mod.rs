//! Property-based testing of webhook **consumers**: deliver generated, correctly signed webhooks to a
//! handler, judge its answers, shrink every failure to a minimal payload that still conforms to the
//! contract, and group what failed (`hookcheck fire URL` on the command line).
//!
//! A campaign runs five [`Phase`]s, each switchable:
//!
//! | phase | sends | the consumer must |
//! |---|---|---|
//! | `examples` | the contract examples | answer 2xx within the timeout |
//! | `coverage` | every enum value, optional key present and absent, `null` where allowed, boundaries, every release shape | answer 2xx |
//! | `random` | `count` seeded payloads per event (what `hookcheck generate --seed` prints) | answer 2xx |
//! | `signature` | each [`Forgery`] of a valid delivery (with a secret) | refuse it (not 2xx) |
//! | `hostile` | bodies broken one way, not JSON, or unusual but legal JSON | answer 2xx or 4xx, never 5xx or a hang |
//!
//! Every answer is judged by the [`rules`] (`consumer/server-error`, `consumer/timeout`,
//! `consumer/accepts-forged`, `hostile/server-error`, ...). Failures are grouped by rule, event and
//! status ([`Group`]); each group's smallest example is shrunk ([`Shrunk`]): the smallest payload that
//! still fails the same way (same rule, same status class), still valid under the profile when it was
//! valid, with the JSON Pointers the failure needs.
//!
//! Deliveries are sent as Chatwoot sends them: ActiveSupport JSON, `Content-Type` and `Accept`, a fresh
//! delivery id, a fresh timestamp and the signature of the [`DeliveryProfile`]. Only the URL given is
//! contacted (no redirect is followed, no proxy used); `count` and `max_time` bound the campaign and
//! `rate` paces it. The secret never appears in any output.
//!
//! ## In `cargo test`
//!
//! Start your handler on a free local port and fire at it; [`Outcome::assert_passes`] panics with the
//! readable report. Here hookcheck's own receiver stands in for a handler (it answers 200 to everything):
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use hookcheck::{fire::{Campaign, Phase}, receiver::Receiver};
//!
//! let handler = Receiver::start().await; // your webhook handler, on 127.0.0.1 and a free port
//! let outcome = Campaign::new(handler.url())
//!     .phases([Phase::Examples, Phase::Random, Phase::Hostile])
//!     .count(3)
//!     .seed(1)
//!     .run()
//!     .await
//!     .unwrap();
//! outcome.assert_passes();
//! assert!(outcome.deliveries > 40);
//! # });
//! ```
//!
//! A handler that answers 200 to anything also accepts forged deliveries, which the signature phase
//! catches; the panic names each forgery and shows the minimal delivery with a `curl` line:
//!
//! ```should_panic
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use hookcheck::{fire::{Campaign, Phase}, receiver::Receiver};
//!
//! let handler = Receiver::start().await;
//! Campaign::new(handler.url())
//!     .secret("s3cret")
//!     .phases([Phase::Signature])
//!     .events([hookcheck::EventName::ContactCreated])
//!     .run()
//!     .await
//!     .unwrap()
//!     .assert_passes(); // panics: error[consumer/accepts-forged]: ... (wrong-secret, stale-timestamp, ...)
//! # });
//! ```
//!
//! [`minimize`] runs the same reducer in process, against a closure instead of a consumer.
mod campaign;
mod case;
mod forgery;
mod group;
mod outcome;
mod phase;
mod phases;
mod request;
pub mod rules;
mod save;
mod shrink;
mod tree;
mod wire;

use std::time::Duration;

pub use case::{Case, Expect, Hostility};
pub use forgery::{Forgery, SKEW_SECS};
pub use group::{Failure, Group};
pub use outcome::{Outcome, PhaseTally};
pub use phase::Phase;
pub use request::{Request, USER_AGENT, WRONG_SECRET};
pub use rules::{judge, Judgement, Rule, RULES};
pub use save::{delivery_file, note, parse_note, replay, save, Replayed};
pub use shrink::{minimize, Kept, Shrunk, MAX_SENDS};
pub use wire::{quote, Answer};

use crate::{
    check::DeliveryProfile,
    event::EventName,
    generate::{GenerateError, Generator},
    profile::Profile,
    signature::SignatureError,
    Catalog,
};

/// What stops a campaign from running (not a failure of the consumer: that is an [`Outcome`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FireError {
    /// The URL is not an `http://` URL with a host.
    #[error("invalid URL `{url}`: {reason}")]
    Url {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The secret cannot sign deliveries of the profile's scheme (never quoted).
    #[error("the secret cannot sign deliveries: {0}")]
    Secret(#[from] SignatureError),
    /// A setting that cannot work (`count` 0 with only the random phase, no phase, ...).
    #[error("{0}")]
    Usage(String),
    /// hookcheck's own schemas could not be loaded or compiled.
    #[error(transparent)]
    Setup(#[from] crate::Error),
    /// The generator gave up on a payload.
    #[error("cannot generate payloads: {0}")]
    Generate(#[from] GenerateError),
    /// The HTTP client could not be built.
    #[error("cannot start the HTTP client: {0}")]
    Client(String),
    /// A delivery file could not be read or written (`--save`, `--replay`).
    #[error(transparent)]
    Replay(#[from] crate::replay::ReplayError),
}

/// A campaign against one consumer: what to send and how. Build it with the methods below, then
/// [`run`](Campaign::run) it.
///
/// ```
/// use std::time::Duration;
/// use hookcheck::{check::DeliveryProfile, fire::{Campaign, Phase}, EventName, Profile};
///
/// let campaign = Campaign::new("http://127.0.0.1:8080/hooks/chatwoot")
///     .secret("whk_s3cret")
///     .delivery_profile(DeliveryProfile::chatwoot())
///     .profile(Profile::V4_15)
///     .events([EventName::MessageCreated, EventName::ConversationStatusChanged])
///     .count(50)
///     .seed(7)
///     .concurrency(8)
///     .timeout(Duration::from_secs(2))
///     .max_time(Duration::from_secs(60))
///     .rate(100.0);
/// assert!(!format!("{campaign:?}").contains("whk_s3cret"));
/// let plan = campaign.plan()?;
/// assert!(plan.iter().any(|c| c.phase == Phase::Signature));
/// # Ok::<(), hookcheck::fire::FireError>(())
/// ```
#[derive(Clone)]
pub struct Campaign {
    url: String,
    secret: Option<String>,
    delivery: DeliveryProfile,
    profile: Profile,
    /// `None`: every event the profile's releases send.
    events: Option<Vec<EventName>>,
    phases: Vec<Phase>,
    count: usize,
    seed: u64,
    max_time: Option<Duration>,
    concurrency: usize,
    timeout: Option<Duration>,
    rate: Option<f64>,
    shrink: bool,
    max_shrink: usize,
}

impl std::fmt::Debug for Campaign {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Campaign")
            .field("url", &self.url)
            .field("secret", &self.secret.as_ref().map(|_| "(set)"))
            .field("delivery", &self.delivery.name)
            .field("profile", &self.profile)
            .field("events", &self.events)
            .field("phases", &self.phases)
            .field("count", &self.count)
            .field("seed", &self.seed)
            .field("max_time", &self.max_time)
            .field("concurrency", &self.concurrency)
            .field("timeout", &self.timeout)
            .field("rate", &self.rate)
            .field("shrink", &self.shrink)
            .finish()
    }
}

impl Campaign {
    /// Default payloads per event of the random phase.
    pub const DEFAULT_COUNT: usize = 100;
    /// Default deliveries in flight.
    pub const DEFAULT_CONCURRENCY: usize = 8;

    /// A campaign against `url` with the defaults: Chatwoot deliveries, unsigned until
    /// [`secret`](Campaign::secret) is given, the `compat` payload profile, every event the profile's
    /// releases send ([`Generator::events`]; all 14 under `compat`), every phase,
    /// [`DEFAULT_COUNT`](Campaign::DEFAULT_COUNT) random payloads per event, seed 1, the profile's
    /// timeout (5 s), 8 deliveries in flight, no time limit, shrinking on.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            secret: None,
            delivery: DeliveryProfile::chatwoot(),
            profile: Profile::Compat,
            events: None,
            phases: Phase::ALL.to_vec(),
            count: Self::DEFAULT_COUNT,
            seed: 1,
            max_time: None,
            concurrency: Self::DEFAULT_CONCURRENCY,
            timeout: None,
            rate: None,
            shrink: true,
            max_shrink: MAX_SENDS,
        }
    }

    /// The webhook secret: deliveries are signed with it, and the signature phase runs.
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// The delivery profile: headers, signature scheme, timeout (default: [`DeliveryProfile::chatwoot`]).
    pub fn delivery_profile(mut self, profile: DeliveryProfile) -> Self {
        self.delivery = profile;
        self
    }

    /// The payload profile the generated payloads conform to (default: `compat`).
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// The events to send (default: every event the profile's releases send, see
    /// [`Generator::events`]). An event the profile does not send makes [`run`](Campaign::run) and
    /// [`plan`](Campaign::plan) fail with [`FireError::Usage`]: no release of it would deliver that event.
    pub fn events(mut self, events: impl IntoIterator<Item = EventName>) -> Self {
        let mut e: Vec<EventName> = events.into_iter().collect();
        e.sort();
        e.dedup();
        self.events = Some(e);
        self
    }

    /// The events the campaign sends under `generator`'s profile: those given, or every event the profile
    /// sends.
    ///
    /// # Errors
    /// [`FireError::Usage`] when a given event is not sent by any release of the profile, or none is left.
    pub(crate) fn events_for(&self, generator: &Generator) -> Result<Vec<EventName>, FireError> {
        let sent: Vec<EventName> = generator.events().collect();
        let events = match &self.events {
            None => sent,
            Some(given) => {
                if let Some(e) = given.iter().find(|e| !sent.contains(e)) {
                    let who = match self.profile {
                        Profile::Compat => "any release".to_string(),
                        Profile::Release(r) => format!("Chatwoot {r}"),
                    };
                    return Err(FireError::Usage(format!(
                        "event {e} is not sent by {who}; the profile sends {}",
                        sent.iter()
                            .map(|e| e.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
                given.clone()
            }
        };
        if events.is_empty() {
            return Err(FireError::Usage("no event to send".into()));
        }
        Ok(events)
    }

    /// The phases to run, in campaign order whatever the order given (default: all five).
    pub fn phases(mut self, phases: impl IntoIterator<Item = Phase>) -> Self {
        let mut p: Vec<Phase> = phases.into_iter().collect();
        p.sort();
        p.dedup();
        self.phases = p;
        self
    }

    /// Payloads per event of the random phase.
    pub fn count(mut self, count: usize) -> Self {
        self.count = count;
        self
    }

    /// The seed: the same seed sends the same bodies (delivery ids and timestamps are always fresh).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Stop planning new deliveries after this long; what is in flight finishes (within the timeout).
    pub fn max_time(mut self, limit: Duration) -> Self {
        self.max_time = Some(limit);
        self
    }

    /// Deliveries in flight at once (default 8).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// How long the consumer has to answer (default: the delivery profile's, 5 s for Chatwoot).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// At most this many deliveries per second, for shared staging servers.
    pub fn rate(mut self, per_second: f64) -> Self {
        self.rate = Some(per_second);
        self
    }

    /// Whether failures are shrunk (default: yes).
    pub fn shrink(mut self, on: bool) -> Self {
        self.shrink = on;
        self
    }

    /// At most this many deliveries spent shrinking one failure group (default [`MAX_SENDS`]).
    pub fn max_shrink_deliveries(mut self, n: usize) -> Self {
        self.max_shrink = n;
        self
    }

    /// The URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The seed.
    pub fn seed_value(&self) -> u64 {
        self.seed
    }

    /// Every case the campaign would send, in order, without sending anything (the replayed-id forgery
    /// is one case that sends twice).
    ///
    /// # Errors
    /// The generator gave up, or hookcheck's schemas did not load.
    pub fn plan(&self) -> Result<Vec<Case>, FireError> {
        let catalog = Catalog::shared()?;
        let generator =
            Generator::shared(self.profile).map_err(|e| crate::Error::SchemaCompile {
                id: e.location.clone(),
                message: e.to_string(),
            })?;
        let signs = self.delivery.signature.is_some() && self.secret.is_some();
        let planner = phases::Planner {
            catalog,
            generator,
            profile: self.profile,
            seed: self.seed,
            count: self.count,
            notes: Default::default(),
        };
        let phases: Vec<Phase> = self
            .phases
            .iter()
            .copied()
            .filter(|p| *p != Phase::Signature || signs)
            .collect();
        let events = self.events_for(generator)?;
        let mut out = Vec::new();
        for (phase, event) in planner.batches(&phases, &events) {
            out.extend(planner.cases(phase, event, &events)?);
        }
        Ok(out)
    }

    /// Runs the campaign.
    ///
    /// # Errors
    /// A bad URL or secret, or hookcheck itself could not start. A failing or unreachable consumer is
    /// not an error: see [`Outcome`].
    pub async fn run(&self) -> Result<Outcome, FireError> {
        if self.phases.is_empty() {
            return Err(FireError::Usage("no phase to run".into()));
        }
        if self.events.as_ref().is_some_and(Vec::is_empty) {
            return Err(FireError::Usage("no event to send".into()));
        }
        campaign::run(self).await
    }

    /// [`run`](Campaign::run) on a runtime of its own, for code that is not async.
    ///
    /// # Errors
    /// As [`run`](Campaign::run), and when no runtime can be started.
    ///
    /// # Panics
    /// When called from inside an async runtime (use [`run`](Campaign::run) there).
    pub fn run_blocking(&self) -> Result<Outcome, FireError> {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| FireError::Client(e.to_string()))?
            .block_on(self.run())
    }
}
