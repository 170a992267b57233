//! Payload generators compiled from the schemas: valid payloads for every event, and (in [`mutate`])
//! payloads broken in exactly one way.
//!
//! Nothing here is written per event: [`node`] flattens an event's schema (through the [`Catalog`]'s
//! documents), [`strategy`] turns it into a proptest strategy. A keyword the compiler does not support is
//! an error naming the keyword and its location, found when the generator is built.
//!
//! ```
//! use hookcheck::{generate::Generator, Catalog, EventName, Options, Profile};
//! let catalog = Catalog::shared()?;
//! let generator = Generator::new(catalog, Profile::V4_15)?;
//! for payload in generator.values(EventName::MessageCreated, 7, 5)? {
//!     let opts = Options { profile: Profile::V4_15, ..Options::default() };
//!     assert!(catalog.validate_value(&payload, &opts).conforms(false));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
pub mod coverage;
pub mod mutate;
pub mod node;
pub mod sample;
pub mod strategy;

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::{Arc, OnceLock},
};

use proptest::{
    strategy::{Strategy, ValueTree},
    test_runner::{Config, RngAlgorithm, TestRng, TestRunner},
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{event::EventName, profile::Profile, schema::resolve::BASE_URI, Catalog};
pub use coverage::{Coverage, Item, Steer};
pub use node::{Node, Unsupported};
pub use sample::Sampler;
pub use strategy::ValueStrategy;

/// Generation failed: the schema is not supported, or proptest gave up (too many rejected values).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// A schema the compiler cannot generate from.
    #[error(transparent)]
    Unsupported(#[from] Unsupported),
    /// proptest could not produce a value.
    #[error("cannot generate a {event} payload: {reason}")]
    Exhausted {
        /// The event.
        event: EventName,
        /// proptest's reason.
        reason: String,
    },
}

/// The compiled generators of one profile: per event, one [`Node`] per distinct release contract (a single
/// one for a release; every distinct shape of every release that sends the event for `compat`, so that old
/// shapes are drawn too and no payload mixes two releases).
#[derive(Debug, Clone)]
pub struct Generator {
    profile: Profile,
    nodes: BTreeMap<EventName, Shapes>,
    /// Per event, computed on first use: each shape's coverage items (a walk of large trees, and every
    /// `fire` campaign's coverage phase asks for them).
    items: BTreeMap<EventName, OnceLock<Vec<BTreeSet<Item>>>>,
}

/// Per event: every distinct shape with the releases that send it, oldest first.
type Shapes = Vec<(crate::release::ReleaseSet, Node)>;

/// A catalog that cannot derive its release contracts: a defect in the embedded schemas.
fn internal(e: crate::Error) -> Unsupported {
    Unsupported {
        keyword: String::new(),
        location: "schemas/".into(),
        reason: e.to_string(),
    }
}

/// Compiles `event`'s shapes under `profile`: one per distinct contract of that event (not per release group
/// of the whole catalog, which would compile the same shape dozens of times).
fn compile_event(
    catalog: &Catalog,
    profile: Profile,
    event: EventName,
) -> Result<Shapes, Unsupported> {
    let uri = format!("{BASE_URI}{}", profile.event_path(event));
    let contracts = match profile {
        Profile::Compat => catalog.event_documents(event).map_err(internal)?,
        Profile::Release(r) => vec![(
            std::iter::once(r).collect(),
            catalog.documents_for(profile).map_err(internal)?,
        )],
    };
    let mut shapes: Shapes = Vec::new();
    for (releases, docs) in contracts {
        let node = node::Compiler::new(docs).compile_uri(&uri)?;
        match shapes.iter_mut().find(|(_, n)| *n == node) {
            Some((set, _)) => *set = set.union(releases),
            None => shapes.push((releases, node)),
        }
    }
    Ok(shapes)
}

impl Generator {
    /// Compiles every event schema of `profile`.
    ///
    /// Under `compat` this compiles every distinct shape of every event (about 240 of them): a few seconds
    /// in a release build. Compile once and reuse: [`Generator::shared`] keeps one per profile for the
    /// process, and [`Generator::with_events`] compiles only the events you need.
    ///
    /// # Errors
    /// A keyword the compiler does not support (named, with its schema location).
    pub fn new(catalog: &Catalog, profile: Profile) -> Result<Self, Unsupported> {
        let events = catalog.events(profile).map_err(internal)?;
        Self::with_events(catalog, profile, &events)
    }

    /// Compiles the schemas of `events` only (those `profile` does not send are left out; see
    /// [`Generator::events`]).
    ///
    /// ```
    /// use hookcheck::{generate::Generator, Catalog, EventName, Profile};
    /// let catalog = Catalog::shared()?;
    /// let g = Generator::with_events(catalog, Profile::Compat, &[EventName::ContactCreated])?;
    /// assert_eq!(g.events().collect::<Vec<_>>(), [EventName::ContactCreated]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// A keyword the compiler does not support (named, with its schema location).
    pub fn with_events(
        catalog: &Catalog,
        profile: Profile,
        events: &[EventName],
    ) -> Result<Self, Unsupported> {
        let sent = catalog.events(profile).map_err(internal)?;
        let events: Vec<EventName> = events
            .iter()
            .copied()
            .filter(|e| sent.contains(e))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        // Events compile independently: spread them over the cores (compat has ~240 shapes to compile).
        let workers = std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .min(events.len())
            .max(1);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let compiled: Vec<Result<Vec<(EventName, Shapes)>, Unsupported>> =
            std::thread::scope(|scope| {
                let workers: Vec<_> = (0..workers)
                    .map(|_| {
                        scope.spawn(|| {
                            let mut out = Vec::new();
                            loop {
                                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                let Some(&event) = events.get(i) else {
                                    return Ok(out);
                                };
                                out.push((event, compile_event(catalog, profile, event)?));
                            }
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .map(|w| {
                        w.join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                    })
                    .collect()
            });
        let mut nodes = BTreeMap::new();
        for worker in compiled {
            nodes.extend(worker?);
        }
        let items = nodes.keys().map(|e| (*e, OnceLock::new())).collect();
        Ok(Self {
            profile,
            nodes,
            items,
        })
    }

    /// One generator per profile for the whole process, compiled on first use: what tests and long-lived
    /// programs want, since compiling `compat` takes seconds.
    ///
    /// ```
    /// use hookcheck::{generate::Generator, Profile};
    /// let a = Generator::shared(Profile::V4_15)?;
    /// let b = Generator::shared(Profile::V4_15)?;
    /// assert!(std::ptr::eq(a, b));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// The embedded schemas do not load, or a keyword the compiler does not support.
    pub fn shared(profile: Profile) -> Result<&'static Generator, Unsupported> {
        type Slot = OnceLock<Result<Generator, Unsupported>>;
        static SHARED: OnceLock<Vec<Slot>> = OnceLock::new();
        let slots = SHARED.get_or_init(|| {
            (0..=crate::release::COUNT)
                .map(|_| OnceLock::new())
                .collect()
        });
        let index = match profile {
            Profile::Compat => crate::release::COUNT,
            Profile::Release(r) => r.index(),
        };
        let Some(slot) = slots.get(index) else {
            return Err(internal(crate::Error::SchemaCompile {
                id: "schemas/".into(),
                message: format!("no release at index {index}"),
            }));
        };
        slot.get_or_init(|| {
            let catalog = Catalog::shared().map_err(internal)?;
            Generator::new(catalog, profile)
        })
        .as_ref()
        .map_err(Clone::clone)
    }

    /// The profile it generates for.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The events it generates (those the profile's releases send).
    pub fn events(&self) -> impl Iterator<Item = EventName> + '_ {
        self.nodes.keys().copied()
    }

    /// The flattened schema of one event: the newest release's shape.
    ///
    /// # Panics
    /// When no release of the profile sends `event` (see [`Generator::events`]).
    pub fn node(&self, event: EventName) -> &Node {
        match self.nodes.get(&event).and_then(|n| n.last()) {
            Some((_, node)) => node,
            None => panic!("{} does not send {event}", self.profile),
        }
    }

    /// Every distinct shape of `event`, with the releases that send it, oldest first.
    pub fn shapes(&self, event: EventName) -> &[(crate::release::ReleaseSet, Node)] {
        self.nodes.get(&event).map_or(&[], Vec::as_slice)
    }

    /// Per release shape of `event` (as [`shapes`](Self::shapes)), every coverage item drawing it can
    /// exercise (see [`coverage::items`]); computed once per generator and event.
    pub fn coverage_items(&self, event: EventName) -> &[BTreeSet<Item>] {
        match self.items.get(&event) {
            Some(cell) => cell.get_or_init(|| {
                self.shapes(event)
                    .iter()
                    .map(|(_, n)| {
                        let mut out = BTreeSet::new();
                        coverage::items(n, "", &mut out);
                        out
                    })
                    .collect()
            }),
            None => &[],
        }
    }

    fn union_strategy(&self, event: EventName, coverage: &Option<Arc<Coverage>>) -> ValueStrategy {
        let shapes = self.shapes(event);
        if shapes.len() == 1 {
            return strategy::node_strategy(&shapes[0].1, "", coverage);
        }
        let alternatives: Vec<ValueStrategy> = shapes
            .iter()
            .map(|(_, n)| strategy::node_strategy(n, "", coverage))
            .collect();
        proptest::strategy::Union::new(alternatives).boxed()
    }

    /// A proptest strategy of valid payloads for `event`: schema-valid and consistent across fields (see
    /// [`semantic`](crate::semantic)). For `compat`, each draw is one release's shape.
    pub fn strategy(&self, event: EventName) -> ValueStrategy {
        repaired(self.union_strategy(event, &None), event)
    }

    /// The same strategy, recording what it exercises into `coverage`.
    pub fn strategy_with_coverage(
        &self,
        event: EventName,
        coverage: Arc<Coverage>,
    ) -> ValueStrategy {
        repaired(self.union_strategy(event, &Some(coverage)), event)
    }

    /// A fast sampler of valid payloads for `event`, reproducible from `seed` (see [`Sampler`]: the
    /// strategy's choices without proptest's value trees; what `hookcheck generate` uses).
    pub fn sampler(&self, seed: u64, event: EventName) -> Sampler<'_> {
        let nodes: Vec<&Node> = self.shapes(event).iter().map(|(_, n)| n).collect();
        Sampler::new(nodes, event, event_seed(seed, event))
    }

    /// Every mutation site of `v`, a valid payload of `event`, whose mutation the profile's schemas reject.
    ///
    /// A site is found by walking one shape's schema, and kept only when the profile's open validator
    /// rejects the mutated payload: removing a key that one `anyOf` branch requires is no defect when
    /// another branch matches (4.12.0+ attachments without a stored file). Under `compat` the sites of every
    /// release shape are tried and the validator is the union of every release, so a kept defect is one
    /// in every release (removing `blocked` from a 4.15 contact gives a valid 4.0.1 contact: not kept).
    pub fn sites(&self, catalog: &Catalog, event: EventName, v: &Value) -> Vec<mutate::Site> {
        let Ok(validators) = catalog.event(self.profile, event) else {
            return Vec::new();
        };
        let mut sites: Vec<mutate::Site> = Vec::new();
        for (_, node) in self.shapes(event).iter().rev() {
            for site in mutate::sites(node, event, self.profile, v) {
                if !sites.iter().any(|s| s.same_as(&site)) {
                    sites.push(site);
                }
            }
        }
        sites.retain(|site| {
            let mut broken = v.clone();
            site.apply(event, &mut broken);
            // Semantic rules and event names are hookcheck's checks, not the event schema's.
            matches!(
                site.expect.class,
                mutate::Class::BrokenRule | mutate::Class::UnknownEvent
            ) || !validators.open.is_valid(&broken)
        });
        sites
    }

    /// `count` valid payloads for `event`, reproducibly from `seed`, from [`Generator::sampler`].
    ///
    /// # Errors
    /// A `oneOf` kept rejecting draws.
    pub fn values(
        &self,
        event: EventName,
        seed: u64,
        count: usize,
    ) -> Result<Vec<Value>, GenerateError> {
        let mut s = self.sampler(seed, event);
        (0..count).map(|_| s.next_value()).collect()
    }
}

fn repaired(s: ValueStrategy, event: EventName) -> ValueStrategy {
    s.prop_map(move |mut v| {
        crate::semantic::repair(event, &mut v);
        v
    })
    .boxed()
}

fn digest(seed: u64, event: EventName) -> [u8; 32] {
    Sha256::new()
        .chain_update(seed.to_le_bytes())
        .chain_update(event.as_str())
        .finalize()
        .into()
}

/// The sampler's seed for `(seed, event)`: every event gets its own sequence.
fn event_seed(seed: u64, event: EventName) -> u64 {
    let d = digest(seed, event);
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&d[16..24]);
    u64::from_le_bytes(bytes)
}

/// A deterministic test runner for `(seed, event)`: the same pair always gives the same sequence.
pub fn runner(seed: u64, event: EventName) -> TestRunner {
    let digest = digest(seed, event);
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    // XorShift: as deterministic as ChaCha for a given seed, and cheaper (ChaCha was 7% of generation time).
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::XorShift, &bytes),
    )
}

/// Draws one value.
///
/// # Errors
/// proptest gave up (a `oneOf` filter rejected too many values).
pub fn sample(
    s: &ValueStrategy,
    runner: &mut TestRunner,
    event: EventName,
) -> Result<Value, GenerateError> {
    s.new_tree(runner)
        .map(|t| t.current())
        .map_err(|reason| GenerateError::Exhausted {
            event,
            reason: reason.to_string(),
        })
}
