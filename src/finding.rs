//! Findings: contract violations and warnings, as data. One model, rendered by [`report`](crate::report).
use std::fmt;

use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Allowed by the contract but worth a look (an unknown key): exit 0 unless `--deny-warnings`.
    Warning,
    /// Breaks the contract: exit 1.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// The rules a finding can name. Schema violations are `schema/<keyword>` (the JSON Schema keyword that
/// failed); the rest are checks hookcheck makes before or beside the schema.
pub mod rule {
    /// The bytes are not valid UTF-8.
    pub const JSON_UTF8: &str = "json/utf8";
    /// The bytes start with a UTF-8 byte-order mark, which RFC 8259 forbids in JSON texts sent over a network.
    pub const JSON_BOM: &str = "json/bom";
    /// Nothing but white space.
    pub const JSON_EMPTY: &str = "json/empty";
    /// Not a JSON text (syntax error or truncated).
    pub const JSON_SYNTAX: &str = "json/syntax";
    /// Nested deeper than the parser allows (128 levels).
    pub const JSON_DEPTH: &str = "json/depth";
    /// Larger than the size cap.
    pub const JSON_TOO_LARGE: &str = "json/too-large";
    /// A JSON value that is not an object.
    pub const JSON_NOT_OBJECT: &str = "json/not-object";
    /// The object has no `event` key.
    pub const EVENT_MISSING: &str = "event/missing";
    /// `event` is not a string.
    pub const EVENT_TYPE: &str = "event/type";
    /// `event` names no account-webhook event.
    pub const EVENT_UNKNOWN: &str = "event/unknown";
    /// `event` differs from the event forced with `--event`.
    pub const EVENT_MISMATCH: &str = "event/mismatch";
    /// The release checked against (`--release`) does not send this event.
    pub const EVENT_RELEASE: &str = "event/release";
    /// A key the schema does not declare at that place (a typo, or a fork's extension).
    pub const UNKNOWN_KEY: &str = "unknown-key";
    /// A payload had more findings than a report lists ([`crate::validate::MAX_FINDINGS`]); the first ones
    /// are listed, errors before warnings.
    pub const REPORT_TRUNCATED: &str = "report/truncated";
    /// A hookcheck delivery file (`"hookcheck_delivery": 1`) that cannot be read; the pointer names what
    /// is wrong in the file.
    pub const RECORD_FORMAT: &str = "record/format";
    /// The embedded schemas did not compile, so the payload could not be diagnosed (a defect in hookcheck).
    pub const SCHEMA_COMPILE: &str = "internal/schema-compile";

    /// Every non-schema rule with its one-line description, for docs and `--help`.
    pub const DOCS: &[(&str, &str)] = &[
        (JSON_UTF8, "the bytes are not valid UTF-8"),
        (JSON_BOM, "the payload starts with a byte-order mark"),
        (JSON_EMPTY, "the payload is empty"),
        (
            JSON_SYNTAX,
            "the payload is not JSON (syntax error or truncated)",
        ),
        (JSON_DEPTH, "nested deeper than 128 levels"),
        (JSON_TOO_LARGE, "larger than the size cap (--max-bytes)"),
        (JSON_NOT_OBJECT, "the payload is not a JSON object"),
        (EVENT_MISSING, "no `event` key"),
        (EVENT_TYPE, "`event` is not a string"),
        (
            EVENT_UNKNOWN,
            "`event` is not one of the 12 account-webhook events",
        ),
        (EVENT_MISMATCH, "`event` differs from --event"),
        (
            EVENT_RELEASE,
            "the release checked against does not send this event (e.g. contact events before 2.14.0)",
        ),
        (
            UNKNOWN_KEY,
            "a key the schema does not declare there (warning)",
        ),
        (
            REPORT_TRUNCATED,
            "more findings than a report lists (1,000): the first ones are listed, errors first (warning)",
        ),
        (
            RECORD_FORMAT,
            "a hookcheck delivery file that cannot be read (the pointer names what is wrong in the file)",
        ),
        (
            SCHEMA_COMPILE,
            "hookcheck's embedded schemas did not compile (a defect in hookcheck: please report it)",
        ),
        (
            "json/duplicate-key",
            "a key repeated in one object (JSON parsers keep only one of the values)",
        ),
        (
            "json/number-range",
            "an integer beyond i64/u64, or a number that overflows f64",
        ),
        ("json/string-length", "a string longer than 1 MiB"),
        (
            "schema/<keyword>",
            "the JSON Schema keyword <keyword> failed (type, required, enum, const, format, ...)",
        ),
    ];
}

/// One contract violation or warning in one payload.
///
/// `pointer` is an RFC 6901 JSON Pointer into the payload (`""` is the whole payload); for a missing key
/// it points at the object that lacks it. `schema` names the schema file and the pointer to the keyword
/// that failed, e.g. `chatwoot/_defs/common.json#/$defs/id/type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Stable rule id, e.g. `schema/type`, `unknown-key`, `json/syntax`.
    pub rule: String,
    /// JSON Pointer into the payload.
    pub pointer: String,
    /// Schema file and keyword pointer, when a schema keyword failed.
    pub schema: Option<String>,
    /// What is wrong, in one line a person understands.
    pub message: String,
    /// The offending value as compact JSON, shortened to [`VALUE_LIMIT`] characters.
    pub value: Option<String>,
    /// The offending HTTP header, for delivery findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// The Chatwoot release whose contract this finding was judged against, under `compat` (the closest
    /// release to a payload that no release accepts cleanly).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
}

/// How many characters of an offending value a finding keeps.
pub const VALUE_LIMIT: usize = 80;

impl Finding {
    /// An error finding without schema location.
    pub fn error(rule: &str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            rule: rule.to_string(),
            pointer: pointer.into(),
            schema: None,
            message: message.into(),
            value: None,
            header: None,
            release: None,
        }
    }

    /// A warning finding without schema location.
    pub fn warning(rule: &str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(rule, pointer, message)
        }
    }

    /// Attaches the offending value, shortened.
    pub fn with_value(mut self, value: &serde_json::Value) -> Self {
        self.value = Some(shorten(value));
        self
    }
}

/// Compact JSON of `value`, cut to [`VALUE_LIMIT`] characters with `…`.
pub fn shorten(value: &serde_json::Value) -> String {
    let s = value.to_string();
    if s.chars().count() <= VALUE_LIMIT {
        s
    } else {
        let mut out: String = s.chars().take(VALUE_LIMIT - 1).collect();
        out.push('…');
        out
    }
}

/// Appends one reference token to a JSON Pointer, escaping `~` and `/` (RFC 6901).
pub fn push_token(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}
