//! Planning the deliveries of each phase from the contract. Everything here is deterministic: the same
//! seed, profile, events and `--count` plan the same bodies in the same order.
//!
//! * examples: the embedded contract examples of the selected events;
//! * coverage ([`coverage`]): sampled payloads chosen until every coverage item of the generator (enum
//!   values, optional keys present and absent, every branch, `null` branches included) is exercised, plus
//!   packed payloads for what sampling does not aim at (no optional key, every nullable value null,
//!   boundary values);
//! * random: the bulk sampler, exactly what `hookcheck generate --event E --seed S --count N` prints;
//! * signature: one valid payload per event, forged every way of [`Forgery::ALL`];
//! * hostile ([`hostile`]): mutations, non-JSON bodies, unusual but legal JSON.
pub(crate) mod coverage;
pub(crate) mod hostile;

use serde_json::Value;

use super::{
    case::{Case, Expect},
    forgery::Forgery,
    phase::Phase,
};
use crate::{
    event::EventName,
    generate::{node::Node, GenerateError, Generator},
    profile::Profile,
    Catalog,
};

/// Seeds of the phases that draw their own payloads, so that phases do not send the same ones.
const SIGNATURE_SALT: u64 = 0x5167_6e61_7475_7265;
const HOSTILE_SALT: u64 = 0x686f_7374_696c_6521;
const COVERAGE_SALT: u64 = 0x636f_7665_7261_6765;

/// Whether `v` is a valid payload under `profile`: the compile-time verdict ([`Catalog::verdict`]: no
/// schema error, no unknown key) and no semantic error. Sufficient for [`Catalog::validate_value`] to find
/// it conforming (the verdicts are held to the diagnosis by the test suite), and cheap for invalid
/// candidates, which need no diagnosis here.
pub(crate) fn conforms(catalog: &Catalog, profile: Profile, v: &Value) -> bool {
    let Some(event) = v
        .get("event")
        .and_then(Value::as_str)
        .and_then(EventName::from_wire)
    else {
        return false;
    };
    if !catalog.verdict(profile, event, v) {
        return false;
    }
    let mut findings = Vec::new();
    crate::semantic::check(event, v, profile, "", &mut findings);
    findings
        .iter()
        .all(|f| f.severity == crate::finding::Severity::Warning)
}

/// The flattened schema that guides edits of `v`, a valid payload of `event`: under `compat` the newest
/// release shape whose release accepts `v` (payloads are drawn from every release's shape, and an old
/// shape's keys are not in the newest one), else [`Generator::node`]. Edits are still held to the whole
/// profile by [`conforms`].
pub(crate) fn shape<'g>(
    catalog: &Catalog,
    generator: &'g Generator,
    event: EventName,
    v: &Value,
) -> &'g Node {
    let shapes = generator.shapes(event);
    if shapes.len() > 1 {
        for (releases, node) in shapes.iter().rev() {
            if let Some(r) = releases.newest() {
                if catalog.verdict(Profile::Release(r), event, v) {
                    return node;
                }
            }
        }
    }
    generator.node(event)
}

/// SplitMix64, for the few choices the planner makes (which mutation site); stable across platforms.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64, event: Option<EventName>) -> Self {
        let salt = event.map_or(0, |e| {
            e.as_str().bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
        });
        Rng(seed ^ salt)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((u128::from(z) * n as u128) >> 64) as usize
    }
}

/// Plans the cases of a campaign, batch by batch (one phase and event at a time, so memory stays small).
pub(crate) struct Planner<'a> {
    pub(crate) catalog: &'a Catalog,
    pub(crate) generator: &'a Generator,
    pub(crate) profile: Profile,
    pub(crate) seed: u64,
    pub(crate) count: usize,
    /// What the plan could not do (a coverage item never reached), for the outcome's notes.
    pub(crate) notes: std::sync::Mutex<Vec<String>>,
}

impl Planner<'_> {
    pub(crate) fn note(&self, text: String) {
        if let Ok(mut n) = self.notes.lock() {
            n.push(text);
        }
    }

    /// The batches of `phases` over `events`, in sending order. The hostile phase ends with one batch of
    /// bodies that have no event (not JSON, not an object).
    pub(crate) fn batches(
        &self,
        phases: &[Phase],
        events: &[EventName],
    ) -> Vec<(Phase, Option<EventName>)> {
        let mut out = Vec::new();
        for phase in Phase::ALL.into_iter().filter(|p| phases.contains(p)) {
            out.extend(events.iter().map(|e| (phase, Some(*e))));
            if phase == Phase::Hostile && !events.is_empty() {
                out.push((phase, None));
            }
        }
        out
    }

    /// The cases of one batch.
    ///
    /// # Errors
    /// The generator gave up on a `oneOf` (a defect in the schemas).
    pub(crate) fn cases(
        &self,
        phase: Phase,
        event: Option<EventName>,
        events: &[EventName],
    ) -> Result<Vec<Case>, GenerateError> {
        let Some(event) = event else {
            return self.eventless(events);
        };
        Ok(match phase {
            Phase::Examples => self.examples(event),
            Phase::Coverage => coverage::cases(self, event)?,
            Phase::Random => self
                .generator
                .values(event, self.seed, self.count)?
                .into_iter()
                .enumerate()
                .map(|(i, v)| {
                    Case::of_payload(
                        Phase::Random,
                        Some(event),
                        Expect::Accept,
                        format!("sample #{} (seed {})", i + 1, self.seed),
                        v,
                    )
                })
                .collect(),
            Phase::Signature => {
                let base = self.base(event, SIGNATURE_SALT)?;
                Forgery::ALL
                    .into_iter()
                    .map(|f| {
                        Case::of_payload(
                            Phase::Signature,
                            Some(event),
                            Expect::Refuse(f),
                            f.doc(),
                            base.clone(),
                        )
                    })
                    .collect()
            }
            Phase::Hostile => hostile::cases(self, event, self.base(event, HOSTILE_SALT)?),
        })
    }

    fn eventless(&self, events: &[EventName]) -> Result<Vec<Case>, GenerateError> {
        match events.first() {
            Some(e) => Ok(hostile::eventless(*e, &self.base(*e, HOSTILE_SALT)?)),
            None => Ok(Vec::new()),
        }
    }

    /// One valid payload of `event`, drawn for a phase (`salt`) from the campaign's seed.
    pub(crate) fn base(&self, event: EventName, salt: u64) -> Result<Value, GenerateError> {
        self.generator.sampler(self.seed ^ salt, event).next_value()
    }

    fn examples(&self, event: EventName) -> Vec<Case> {
        self.catalog
            .examples()
            .into_iter()
            .filter_map(|ex| {
                let doc: Value = serde_json::from_str(ex.text).ok()?;
                let body = doc.get("body")?.clone();
                let wire = body.get("event").and_then(Value::as_str)?;
                (EventName::from_wire(wire) == Some(event)
                    && conforms(self.catalog, self.profile, &body))
                .then(|| {
                    Case::of_payload(
                        Phase::Examples,
                        Some(event),
                        Expect::Accept,
                        format!("example {}", ex.path),
                        body,
                    )
                })
            })
            .collect()
    }
}

/// The coverage salt, for [`coverage`].
pub(crate) fn coverage_seed(seed: u64) -> u64 {
    seed ^ COVERAGE_SALT
}
