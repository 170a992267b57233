//! The five phases of a campaign, each switchable (`--phases`).
use std::{fmt, str::FromStr};

use serde::Serialize;

use crate::error::Error;

/// A phase: one family of deliveries, planned from the contract.
///
/// ```
/// use hookcheck::fire::Phase;
/// assert_eq!("hostile".parse::<Phase>().unwrap(), Phase::Hostile);
/// assert_eq!(Phase::ALL.len(), 5);
/// assert!("everything".parse::<Phase>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// The contract examples embedded in hookcheck (`examples/chatwoot/*.json`).
    Examples,
    /// Every enum value, every optional key present and absent, `null` wherever the contract allows it,
    /// boundary values and every release shape, packed into few valid payloads.
    Coverage,
    /// `--count` payloads per event from the bulk sampler, reproducible from `--seed`.
    Random,
    /// Forged deliveries (needs a secret): wrong secret, stale and future timestamps, body changed after
    /// signing, missing headers, no `sha256=` prefix, a replayed delivery id, ...
    Signature,
    /// Bodies broken in one way (the mutation classes), not JSON at all, or unusual but legal JSON.
    Hostile,
}

impl Phase {
    /// Every phase, in the order a campaign runs them.
    pub const ALL: [Phase; 5] = [
        Phase::Examples,
        Phase::Coverage,
        Phase::Random,
        Phase::Signature,
        Phase::Hostile,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Examples => "examples",
            Phase::Coverage => "coverage",
            Phase::Random => "random",
            Phase::Signature => "signature",
            Phase::Hostile => "hostile",
        }
    }

    /// One line on what the phase sends.
    pub fn doc(self) -> &'static str {
        match self {
            Phase::Examples => "the contract examples, as Chatwoot would send them",
            Phase::Coverage => "every enum value, optional key present and absent, null where allowed, boundaries, every release shape",
            Phase::Random => "--count seeded payloads per event from the bulk sampler",
            Phase::Signature => "forged deliveries the consumer must refuse (needs the secret)",
            Phase::Hostile => "broken, non-JSON and unusual-but-legal bodies: 2xx or 4xx, never 5xx or a hang",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl FromStr for Phase {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Phase::ALL
            .into_iter()
            .find(|p| p.name() == s.trim())
            .ok_or_else(|| Error::Unknown {
                what: "phase",
                given: s.to_string(),
                hint: "; expected examples, coverage, random, signature or hostile".into(),
            })
    }
}
