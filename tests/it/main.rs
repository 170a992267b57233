//! One integration-test binary (one link step). Add new tests to the module that matches their topic.

/// Shared helpers: the catalog, snapshot settings, JSON patching.
mod util;

/// The `hookcheck` binary: inputs, formats, exit codes.
mod cli;
/// Webhook consumers written in the test suite (for `fire` and the benches, which own the file so that a
/// packaged crate's benches build).
#[path = "../../benches/support/consumer.rs"]
mod consumer;
/// Hostile and malformed bytes: findings, never panics.
mod decode;
/// The contract examples pass under both profiles.
mod examples;
/// Exports (bundle, OpenAPI, AsyncAPI) through official validators; ajv/Python/snippet verdicts; schema diff.
mod exports;
/// `hookcheck fire`: consumers with planted bugs caught by the right rule; shrinking; replay.
mod fire;
/// Every flag that no other test exercises, each against a run without it.
mod flags;
/// Fuzz seeds and saved crashes replayed through the target functions.
mod fuzz_replay;
/// Generators compiled from the schemas: valid and mutated payloads, coverage, typed models.
mod generate;
/// `hookcheck listen` facing live traffic: record then acknowledge, limits, hostile input, no oracle.
#[cfg(unix)]
mod listen;
/// A small HTTP/1.1 load client (shared with `benches/listen.rs`).
#[path = "../../benches/support/load.rs"]
mod load;
/// One mutation per schema rule, each rejected at the expected pointer.
mod negative;
/// The same verdicts from an independent validator (Python `jsonschema`).
mod portability;
/// The README's links work on a registry page and point at files that exist.
mod readme;
/// Regressions, named after what broke.
mod regressions;
/// The release history as the contract: boundaries, VERSIONS.md sections 3 and 4.
mod releases;
/// The schema files themselves: ids, references, meta-schema, conventions.
mod schemas;
/// The seeds' own payloads: their documented defects become precise findings (snapshotted).
mod seeds;
/// Every semantic rule on hand-written cases (not through the generator's breaker).
mod semantic;
/// The release sieve names exactly the releases whose contract accepts a payload.
mod sieve;
/// The compile-time verdict validators agree with the run-time ones.
mod verdict;
/// Delivery conformance: receiver, checks, reference and broken senders, reports.
mod verify;
