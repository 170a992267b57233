//! What a campaign found: per phase what was sent and what failed, the failure groups, and whether the
//! consumer could be reached at all.
use serde::Serialize;

use super::{group::Group, phase::Phase};
use crate::{exit::ExitCodes, finding::Severity};

/// Counts of one phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseTally {
    /// The phase.
    pub phase: Phase,
    /// Deliveries sent (a replayed-id forgery sends two).
    pub sent: usize,
    /// Deliveries that broke an error rule.
    pub failed: usize,
    /// Deliveries that broke only a warning rule.
    pub warned: usize,
    /// Why the phase did not run, when it did not.
    pub skipped: Option<String>,
}

/// The result of a campaign ([`Campaign::run`](super::Campaign::run)).
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The consumer's URL.
    pub url: String,
    /// The seed (the same seed sends the same bodies).
    pub seed: u64,
    /// The payload profile (`compat`, or a release `X.Y.Z` such as `4.15.1`).
    pub profile: String,
    /// The delivery profile (`chatwoot`, ...).
    pub delivery_profile: String,
    /// Whether deliveries were signed.
    pub signed: bool,
    /// The signing scheme, when deliveries were signed (`curl` lines re-sign with it).
    #[serde(skip)]
    pub scheme: Option<crate::signature::Scheme>,
    /// Per phase, in campaign order.
    pub phases: Vec<PhaseTally>,
    /// Failures grouped by rule, event and status: errors first.
    pub groups: Vec<Group>,
    /// Deliveries sent in all, shrinking included.
    pub deliveries: usize,
    /// Of those, deliveries sent while shrinking.
    pub shrink_deliveries: usize,
    /// Wall time, in milliseconds.
    pub millis: u64,
    /// Of that, the time spent shrinking, in milliseconds.
    pub shrink_millis: u64,
    /// Why the campaign stopped before the end of its plan (`--max-time`), if it did.
    pub stopped: Option<String>,
    /// Set when no delivery got an answer and connections could not be made: the consumer is not there.
    pub unreachable: Option<String>,
    /// What the plan could not do (a coverage item never reached, a phase skipped), for the record.
    pub notes: Vec<String>,
}

impl Outcome {
    /// Groups that are failures (error severity).
    pub fn failures(&self) -> impl Iterator<Item = &Group> {
        self.groups.iter().filter(|g| g.severity == Severity::Error)
    }

    /// True when the consumer was reached and no delivery broke an error rule.
    pub fn passed(&self) -> bool {
        self.unreachable.is_none() && self.failures().next().is_none()
    }

    /// The exit code of `hookcheck fire`: 0 passed, 1 failures, 4 unreachable.
    pub fn exit_code(&self) -> u8 {
        if self.unreachable.is_some() {
            ExitCodes::NO_DELIVERIES
        } else if self.passed() {
            ExitCodes::OK
        } else {
            ExitCodes::FINDINGS
        }
    }

    /// Panics with the human report unless the campaign [`passed`](Outcome::passed): for `cargo test`.
    ///
    /// # Panics
    /// A failure group of error severity, or an unreachable consumer.
    #[track_caller]
    pub fn assert_passes(&self) {
        if !self.passed() {
            let mut text = Vec::new();
            // Writing to a Vec cannot fail.
            let _ = crate::report::fire::human(&mut text, self, false);
            panic!("\n{}", String::from_utf8_lossy(&text));
        }
    }
}
