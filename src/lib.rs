//! # hookcheck
//!
//! Contract testing for the outgoing webhooks of Chatwoot and the white-label products built on it.
//!
//! The contract lives in `schemas/` as JSON Schema (draft 2020-12) files, embedded in this crate at build
//! time and compiled once into a [`Catalog`]. Everything else (the validator, the generators, the delivery
//! checks, the `hookcheck` command built on this library) checks payloads through that one catalog.
//!
//! ## Getting started
//!
//! ```
//! use hookcheck::{Catalog, Options, Profile};
//!
//! let catalog = Catalog::shared()?;
//! let body = br#"{"event":"contact_created","id":7,"name":"Ana","avatar":"","thumbnail":"","account":{"id":1,"name":"Acme"},"additional_attributes":{},"custom_attributes":{},"email":null,"identifier":null,"phone_number":null,"acount_id":1}"#;
//!
//! // Default profile: any Chatwoot release since 2.0.
//! let report = catalog.validate(body, &Options::default());
//! assert!(report.conforms(false)); // no errors ...
//! let w = report.warnings().next().unwrap(); // ... but the typo is seen
//! assert_eq!((w.rule.as_str(), w.pointer.as_str()), ("unknown-key", "/acount_id"));
//!
//! // 4.15.1 sends `blocked` (since 4.0.2): without it, the current release rejects the payload.
//! let strict = Options { profile: Profile::V4_15, ..Options::default() };
//! assert!(!catalog.validate(body, &strict).conforms(false));
//! # Ok::<(), hookcheck::Error>(())
//! ```
//!
//! ## A tour of the modules
//!
//! | module | what it is for |
//! |---|---|
//! | [`schema`] | the embedded schema files in the [`Catalog`] (`Catalog::shared()`): verdicts compiled into the binary, diagnoses compiled on first need |
//! | [`validate`] | bytes in, a [`Report`] out: decoding, event dispatch, schema errors, unknown-key warnings |
//! | [`json`], [`hazards`] | parsing a payload, and what parsers hide (duplicate keys, out-of-range numbers, huge strings) |
//! | [`semantic`] | cross-field rules beyond JSON Schema (`semantic/*`) |
//! | [`generate`] | proptest strategies compiled from the schemas, mutations, coverage |
//! | [`model`] | serde types for the 12 events, for Rust consumers (`model::Event`) |
//! | [`check`], [`signature`], [`delivery`] | delivery conformance: the delivery rules, HMAC signing, a delivery as received |
//! | `receiver`, `sender` (feature `receiver`) | a wiremock receiver for `cargo test`, the reference sender |
//! | `server` (feature `receiver`) | the receiver `listen` runs on live traffic: records before it acknowledges, bounded, no request log |
//! | `fire` (feature `fire`) | property-based testing of webhook consumers: signed deliveries, forgeries, hostile bodies, shrinking, replay |
//! | [`replay`], [`document`] | delivery files (exact bytes, every header) and re-sending them; what one input document is |
//! | [`report`], [`escape`] | one finding model rendered as human text, JSON lines or JUnit XML; payload text shown safely |
//! | [`export`], [`diff`] | the schemas as a bundle, OpenAPI 3.1 or AsyncAPI 3.0; breaking changes between two schema sets |
//! | [`format`](mod@format), [`input`] | the timestamp formats; files, directories and NDJSON streams in bounded memory |
//!
//! Generating a payload and checking a delivery:
//!
//! ```
//! use hookcheck::{generate::Generator, Catalog, EventName, Profile};
//! let catalog = Catalog::shared()?;
//! let payload = &Generator::new(catalog, Profile::V4_15)?.values(EventName::MessageCreated, 1, 1)?[0];
//! let event: hookcheck::model::Event = serde_json::from_value(payload.clone())?;
//! assert!(matches!(event, hookcheck::model::Event::MessageCreated(_)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! To check your own delivery code from `cargo test`, see [`receiver`]; to test your webhook consumer (the
//! handler that receives Chatwoot's webhooks), see [`fire`].
//!
//! ## Cargo features
//!
//! `hookcheck = { version = "0.1", default-features = false }` is the library without the command line's
//! dependencies: the schemas, [`Catalog`], findings and reporters, [`model`], [`generate`]. Features add the
//! HTTP parts:
//!
//! | feature | adds |
//! |---|---|
//! | `receiver` | `receiver` (a wiremock receiver for `cargo test`), `server` (`listen`'s), `sender` (the reference sender) |
//! | `fire` | `fire` (testing webhook consumers) and `replay::resend` |
//! | `cli` (default) | both, and the `hookcheck` binary (clap, indicatif, mimalloc) |
//!
//! ## Findings, not errors
//!
//! A payload that breaks the contract is not an [`Error`]: it yields a [`Report`] of [`Finding`]s, each with a
//! severity, a rule id (`schema/type`, `unknown-key`, `json/syntax`, ...), a JSON Pointer into the payload,
//! the schema keyword location, a message and the offending value. [`Error`] is only for what stops
//! hookcheck from working (an unreadable file, an unknown profile name).
#![warn(missing_docs)]

pub mod check;
pub mod delivery;
pub mod diff;
pub mod document;
pub mod error;
pub mod escape;
pub mod event;
pub mod exit;
pub mod export;
pub mod finding;
#[cfg(feature = "fire")]
pub mod fire;
pub mod format;
pub mod fuzzing;
pub mod generate;
pub mod hazards;
pub mod input;
pub mod json;
pub mod model;
pub mod report;
pub mod schema;
pub mod semantic;
#[cfg(feature = "receiver")]
pub mod server;
pub mod signature;
pub mod validate;

pub use error::{Error, Result};
pub use event::EventName;
pub use finding::{Finding, Severity};
pub use profile::Profile;
pub use schema::Catalog;
pub use validate::{Options, Report};

pub mod profile;
#[cfg(feature = "receiver")]
pub mod receiver;
pub mod release;
pub mod replay;
#[cfg(feature = "receiver")]
pub mod sender;
