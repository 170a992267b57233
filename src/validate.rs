//! Bytes in, a [`Report`] out: decoding, event dispatch, schema errors and unknown-key warnings.
use std::collections::BTreeSet;

use jsonschema::{
    error::{TypeKind, ValidationErrorKind},
    ValidationError,
};
use serde::Serialize;
use serde_json::Value;

use crate::{
    event::{not_account_event, EventName},
    finding::{push_token, rule, shorten, Finding, Severity},
    format,
    profile::Profile,
    release::Release,
    schema::{display_location, Catalog},
};

/// The top-level key `hookcheck generate --invalid` (without `--expect`) adds to each payload with the
/// finding it expects; `validate` does not report it as an unknown key.
pub const EXPECT_KEY: &str = "_hookcheck_expect";

/// How a payload is checked.
#[derive(Debug, Clone)]
pub struct Options {
    /// The version profile (default: compat).
    pub profile: Profile,
    /// Check against this event's schema whatever the body's `event` says.
    pub event: Option<EventName>,
    /// Larger payloads get a `json/too-large` finding and are not parsed.
    pub max_bytes: usize,
}

/// Default size cap: Chatwoot bodies are a few KiB; 4 MiB leaves room for long message contents.
pub const DEFAULT_MAX_BYTES: usize = 4 * 1024 * 1024;

/// The most findings one payload's report lists. Beyond it the report keeps the first ones (errors before
/// warnings, so a payload with errors never looks conforming) and ends with a `report/truncated` warning;
/// the checks that can produce many findings stop early, so a hostile payload cannot make a report huge.
pub const MAX_FINDINGS: usize = 1_000;

/// Sorts `findings` and keeps at most [`MAX_FINDINGS`], errors first, saying so when it drops some: how
/// every report is finished (library, `validate`, delivery bodies).
pub(crate) fn finish(findings: &mut Vec<Finding>) {
    sort(findings);
    cap(findings);
}

/// Keeps at most [`MAX_FINDINGS`] of sorted `findings`, errors first, and says so when it drops some.
fn cap(findings: &mut Vec<Finding>) {
    if findings.len() <= MAX_FINDINGS {
        return;
    }
    let mut kept: Vec<Finding> = Vec::with_capacity(MAX_FINDINGS + 1);
    let (errors, warnings): (Vec<Finding>, Vec<Finding>) = std::mem::take(findings)
        .into_iter()
        .partition(|f| f.severity == crate::Severity::Error);
    kept.extend(errors.into_iter().chain(warnings).take(MAX_FINDINGS));
    sort(&mut kept);
    kept.push(Finding::warning(
        rule::REPORT_TRUNCATED,
        "",
        format!(
            "more than {MAX_FINDINGS} findings: the first {MAX_FINDINGS} are listed (errors first); \
             hookcheck stopped looking for more"
        ),
    ));
    *findings = kept;
}

impl Default for Options {
    fn default() -> Self {
        Self {
            profile: Profile::Compat,
            event: None,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// The verdict on one payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The profile it was checked against.
    #[serde(serialize_with = "ser_profile")]
    pub profile: Profile,
    /// The event it was checked as, when one could be determined.
    pub event: Option<String>,
    /// Findings, sorted by pointer, errors before warnings.
    pub findings: Vec<Finding>,
    /// Under `compat`, for a payload that is not clean: the release its findings were judged against (the
    /// closest one: fewest errors, then fewest unknown keys, then newest).
    #[serde(
        rename = "closest_release",
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_release"
    )]
    pub closest: Option<Release>,
}

fn ser_release<S: serde::Serializer>(r: &Option<Release>, s: S) -> Result<S::Ok, S::Error> {
    match r {
        Some(r) => s.serialize_str(r.version()),
        None => s.serialize_none(),
    }
}

fn ser_profile<S: serde::Serializer>(p: &Profile, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.name())
}

impl Report {
    /// Error findings.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    /// Warning findings.
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
    }

    /// True when there is no error (and, with `deny_warnings`, no warning).
    pub fn conforms(&self, deny_warnings: bool) -> bool {
        self.findings
            .iter()
            .all(|f| f.severity == Severity::Warning && !deny_warnings)
    }
}

/// Decodes payload bytes into a JSON value, or the findings that say why not.
///
/// A leading byte-order mark is reported but decoding goes on, so the payload's other defects still show.
pub fn decode(bytes: &[u8], max_bytes: usize, findings: &mut Vec<Finding>) -> Option<Value> {
    if bytes.len() > max_bytes {
        findings.push(Finding::error(
            rule::JSON_TOO_LARGE,
            "",
            format!(
                "payload is {} bytes, over the cap of {max_bytes} bytes",
                bytes.len()
            ),
        ));
        return None;
    }
    let mut body = bytes;
    if let Some(rest) = body.strip_prefix(b"\xEF\xBB\xBF") {
        findings.push(Finding::error(
            rule::JSON_BOM,
            "",
            "payload starts with a UTF-8 byte-order mark (EF BB BF); JSON sent over a network must not",
        ));
        body = rest;
    }
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        Err(e) => {
            let at = e.valid_up_to();
            let (line, column) = line_column(&body[..at]);
            findings.push(Finding::error(
                rule::JSON_UTF8,
                "",
                format!("invalid UTF-8 at byte {at} (line {line}, column {column})"),
            ));
            return None;
        }
    };
    if text.trim().is_empty() {
        findings.push(Finding::error(rule::JSON_EMPTY, "", "payload is empty"));
        return None;
    }
    match crate::json::parse(text) {
        Ok(parsed) => {
            // What serde_json accepts silently: a repeated key (the last value wins), an integer beyond
            // i64/u64 (turned into a lossy float), a float that overflows, a string over 1 MiB. The
            // parse notices whether any can be there (see `json`), so clean payloads skip the scan.
            if parsed.might_have_hazards(crate::hazards::DEFAULT_MAX_STRING_BYTES) {
                findings.extend(crate::hazards::scan_at_most(
                    body,
                    crate::hazards::DEFAULT_MAX_STRING_BYTES,
                    MAX_FINDINGS + 1,
                ));
            }
            Some(parsed.value)
        }
        Err(e) => {
            let msg = e.to_string();
            // serde_json rejects a float that overflows f64 as "number out of range": name it, at its pointer.
            if msg.starts_with("number out of range") {
                let ranged: Vec<Finding> =
                    crate::hazards::scan(body, crate::hazards::DEFAULT_MAX_STRING_BYTES)
                        .into_iter()
                        .filter(|f| f.rule == crate::hazards::NUMBER_RANGE)
                        .collect();
                if !ranged.is_empty() {
                    findings.extend(ranged);
                    return None;
                }
            }
            let (id, message) = if msg.starts_with("recursion limit exceeded") {
                (
                    rule::JSON_DEPTH,
                    format!(
                        "nested deeper than 128 levels (line {}, column {})",
                        e.line(),
                        e.column()
                    ),
                )
            } else if e.is_eof() {
                (rule::JSON_SYNTAX, format!("truncated JSON: {msg}"))
            } else {
                (rule::JSON_SYNTAX, format!("not JSON: {msg}"))
            };
            findings.push(Finding::error(id, "", message));
            None
        }
    }
}

fn line_column(prefix: &[u8]) -> (usize, usize) {
    let line = prefix.iter().filter(|b| **b == b'\n').count() + 1;
    let column = prefix.iter().rev().take_while(|b| **b != b'\n').count() + 1;
    (line, column)
}

/// The JSON type name of a value, as JSON Schema names them.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl Catalog {
    /// Checks payload bytes: bytes in, a report out. Never panics, whatever the bytes.
    ///
    /// ```
    /// use hookcheck::{Catalog, Options};
    /// let catalog = Catalog::shared().unwrap();
    /// let report = catalog.validate(br#"{"event":"contact_created","id":"7","name":"Ana","avatar":"","thumbnail":"","account":{"id":1,"name":"Acme"},"additional_attributes":{},"custom_attributes":{},"email":null,"identifier":null,"phone_number":null,"blocked":false}"#, &Options::default());
    /// let e = report.errors().next().unwrap();
    /// assert_eq!((e.rule.as_str(), e.pointer.as_str()), ("schema/type", "/id"));
    /// ```
    pub fn validate(&self, bytes: &[u8], opts: &Options) -> Report {
        let mut findings = Vec::new();
        match decode(bytes, opts.max_bytes, &mut findings) {
            Some(value) => self.report(&value, opts, findings),
            None => {
                finish(&mut findings);
                Report {
                    profile: opts.profile,
                    event: None,
                    findings,
                    closest: None,
                }
            }
        }
    }

    /// Checks an already parsed payload.
    pub fn validate_value(&self, value: &Value, opts: &Options) -> Report {
        self.report(value, opts, Vec::new())
    }

    fn report(&self, value: &Value, opts: &Options, mut findings: Vec<Finding>) -> Report {
        let (event, closest) = self.check_value_judged(value, "", opts, &mut findings);
        finish(&mut findings);
        Report {
            profile: opts.profile,
            event: event.map(|e| e.as_str().to_string()),
            findings,
            closest,
        }
    }

    /// Checks `value` and appends findings whose pointers are prefixed with `prefix` (for payloads nested in
    /// an envelope, e.g. `/body`). Returns the event it was checked as.
    pub fn check_value(
        &self,
        value: &Value,
        prefix: &str,
        opts: &Options,
        out: &mut Vec<Finding>,
    ) -> Option<EventName> {
        self.check_value_judged(value, prefix, opts, out).0
    }

    /// As [`Catalog::check_value`], and under `compat` the release the findings were judged against
    /// when the payload is not clean (the closest release).
    pub fn check_value_judged(
        &self,
        value: &Value,
        prefix: &str,
        opts: &Options,
        out: &mut Vec<Finding>,
    ) -> (Option<EventName>, Option<Release>) {
        let Some(obj) = value.as_object() else {
            out.push(
                Finding::error(
                    rule::JSON_NOT_OBJECT,
                    prefix,
                    format!("expected a JSON object, found {}", json_type(value)),
                )
                .with_value(value),
            );
            return (None, None);
        };
        let event = match opts.event {
            Some(forced) => forced,
            None => match obj.get("event") {
                None => {
                    out.push(Finding::error(
                        rule::EVENT_MISSING,
                        prefix,
                        "no `event` key: cannot tell which event schema applies (use --event to force one)",
                    ));
                    return (None, None);
                }
                Some(Value::String(s)) => match EventName::from_wire(s) {
                    Some(e) => e,
                    None => {
                        let message = if let Some(why) = not_account_event(s) {
                            format!("`{s}` is not an account-webhook event: {why}")
                        } else if let Some(near) = EventName::suggest(s) {
                            format!("unknown event `{s}`; did you mean `{near}`?")
                        } else {
                            format!("unknown event `{s}`; expected one of the 12 account-webhook events")
                        };
                        out.push(
                            Finding::error(
                                rule::EVENT_UNKNOWN,
                                push_token(prefix, "event"),
                                message,
                            )
                            .with_value(&Value::String(s.clone())),
                        );
                        return (None, None);
                    }
                },
                Some(other) => {
                    out.push(
                        Finding::error(
                            rule::EVENT_TYPE,
                            push_token(prefix, "event"),
                            format!("`event` must be a string, found {}", json_type(other)),
                        )
                        .with_value(other),
                    );
                    return (None, None);
                }
            },
        };
        let closest = self.check_schema(value, event, prefix, opts.profile, out);
        crate::semantic::check(event, value, opts.profile, prefix, out);
        (Some(event), closest)
    }

    /// Checks `value` against the schema of `event` under `profile`; under `compat`, returns the release
    /// whose contract the findings were judged against (the closest one) when the payload is not clean.
    fn check_schema(
        &self,
        value: &Value,
        event: EventName,
        prefix: &str,
        profile: Profile,
        out: &mut Vec<Finding>,
    ) -> Option<Release> {
        if self.verdict(profile, event, value) {
            return None;
        }
        let internal = |out: &mut Vec<Finding>, e: crate::Error| {
            // Only a defect in the embedded schemas gets here (the test suite builds every release's
            // contract): say so on the payload rather than pass it unchecked.
            out.push(Finding::error(
                rule::SCHEMA_COMPILE,
                prefix.to_string(),
                e.to_string(),
            ));
        };
        let (contract, judged) = match profile {
            Profile::Release(r) => {
                let contract = match self.contract(profile) {
                    Ok(c) => c,
                    Err(e) => {
                        internal(out, e);
                        return None;
                    }
                };
                if !contract.has_event(event) {
                    let senders = self
                        .releases_sending(event)
                        .map(|s| s.to_string())
                        .unwrap_or_default();
                    out.push(
                        Finding::error(
                            rule::EVENT_RELEASE,
                            push_token(prefix, "event"),
                            format!("Chatwoot {r} does not send `{event}` (sent by {senders})"),
                        )
                        .with_value(&Value::String(event.as_str().to_string())),
                    );
                    return None;
                }
                (contract, None)
            }
            Profile::Compat => {
                let closest = match self.closest(event, value) {
                    Ok(Some(c)) => c.release(),
                    Ok(None) => Release::LATEST,
                    Err(e) => {
                        internal(out, e);
                        return None;
                    }
                };
                match self.contract_of_release(closest) {
                    Ok(c) => (c, Some(closest)),
                    Err(e) => {
                        internal(out, e);
                        return None;
                    }
                }
            }
        };
        let validators = match contract.event(event) {
            Ok(v) => v,
            Err(e) => {
                internal(out, e);
                return None;
            }
        };
        let mut errors = Vec::new();
        // `take`: past the cap the report stops listing (see `cap`), so the validators may stop too.
        for e in validators.open.iter_errors(value).take(MAX_FINDINGS + 1) {
            map_error(&e, profile, &mut errors);
        }
        merge_pattern_into_format(&mut errors);

        // The closed twin's verdicts: `unevaluatedProperties` failures (unknown keys), found also inside the
        // fitting branch of a failed `anyOf`, and where combinators failed.
        let mut unevaluated = Vec::new();
        let mut combinators = Vec::new();
        for e in validators.closed.iter_errors(value).take(MAX_FINDINGS + 1) {
            collect_twin(&e, &mut unevaluated, &mut combinators);
        }
        let mut warnings = Vec::new();
        let mut seen = BTreeSet::new();
        'objects: for (object, location, unexpected) in &unevaluated {
            // A failure inside an object makes its failed branches drop their annotations, so the object's
            // own keys can look unevaluated: there, only keys that no branch declares are reported.
            let troubled = errors.iter().any(|f| is_within(&f.pointer, object))
                || combinators.iter().any(|c| is_within(c, object))
                || unevaluated
                    .iter()
                    .any(|(o, _, _)| o != object && is_within(o, object));
            let declared = contract.declared_keys(location);
            for key in unexpected {
                if object.is_empty() && key == EXPECT_KEY {
                    continue; // hookcheck's own annotation, not the sender's
                }
                if warnings.len() > MAX_FINDINGS {
                    break 'objects; // past the cap the report stops listing (see `cap`)
                }
                if troubled
                    && contract.declares(
                        location,
                        key,
                        value.pointer(object).unwrap_or(&Value::Null),
                    )
                {
                    continue;
                }
                let pointer = push_token(object, key);
                if !seen.insert(pointer.clone()) {
                    continue;
                }
                let why = match (profile, judged) {
                    (Profile::Release(r), _) | (_, Some(r))
                        if self.is_declared_by_some_release(location, key) =>
                    {
                        format!(" (Chatwoot {r} does not send it; other releases do)")
                    }
                    _ => near_key(key, declared),
                };
                let mut f = Finding::warning(
                    rule::UNKNOWN_KEY,
                    format!("{prefix}{pointer}"),
                    format!("unknown key `{key}`{why}"),
                );
                f.schema = Some(if location.starts_with(ROOT_PREFIX) {
                    profile.event_path(event)
                } else {
                    display_location(location)
                });
                if let Some(v) = value.pointer(&pointer) {
                    f = f.with_value(v);
                }
                warnings.push(f);
            }
        }
        let name = |mut f: Finding| {
            f.release = judged.map(|r| r.version().to_string());
            f
        };
        for mut f in errors {
            f.pointer = format!("{prefix}{}", f.pointer);
            out.push(name(f));
        }
        out.extend(warnings.into_iter().map(name));
        judged
    }
}

fn near_key(key: &str, declared: Option<&BTreeSet<String>>) -> String {
    let Some(declared) = declared else {
        return String::new();
    };
    let norm = |s: &str| s.to_ascii_lowercase().replace([' ', '-'], "_");
    declared
        .iter()
        .map(|d| (crate::event::levenshtein(&norm(key), d), d))
        .filter(|(dist, d)| *dist == 1 || (*dist == 2 && key.len() >= 10 && d.len() >= 10))
        .min_by_key(|(dist, _)| *dist)
        .map(|(_, d)| format!(" (did you mean `{d}`?)"))
        .unwrap_or_else(|| " (not in the contract; a fork's extension or a typo)".to_string())
}

/// Walks a closed-twin error: records unknown keys `(object pointer, schema location, keys)`, and the
/// pointers where a combinator failed, descending into the branch that fits the value's type.
fn collect_twin(
    e: &ValidationError<'_>,
    unevaluated: &mut Vec<(String, String, Vec<String>)>,
    combinators: &mut Vec<String>,
) {
    match e.kind() {
        ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            let location = e
                .absolute_keyword_location()
                .map(|u| {
                    u.as_str()
                        .trim_end_matches("/unevaluatedProperties")
                        .to_string()
                })
                .unwrap_or_default();
            unevaluated.push((
                e.instance_path().as_str().to_string(),
                location,
                unexpected.clone(),
            ));
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            combinators.push(e.instance_path().as_str().to_string());
            for branch in context {
                let wrong_type = branch.iter().all(|x| {
                    matches!(x.kind(), ValidationErrorKind::Type { .. })
                        && x.instance_path() == e.instance_path()
                });
                if !wrong_type {
                    for x in branch {
                        collect_twin(x, unevaluated, combinators);
                    }
                }
            }
        }
        _ => {}
    }
}

/// Whether a failed branch of an `anyOf`/`oneOf` at `at` is not meant for the value at all: every error is
/// the value's type, or (with `by_key`) a discriminating key of it (a direct child) outside the branch's
/// `const`/`enum`.
fn inapplicable(branch: &[ValidationError<'_>], at: &str, by_key: bool) -> bool {
    !branch.is_empty()
        && branch.iter().all(|x| {
            let path = x.instance_path().as_str();
            match x.kind() {
                ValidationErrorKind::Type { .. } => path == at,
                ValidationErrorKind::Enum { .. } | ValidationErrorKind::Constant { .. } => {
                    by_key
                        && path
                            .strip_prefix(at)
                            .and_then(|rest| rest.strip_prefix('/'))
                            .is_some_and(|key| !key.contains('/'))
                }
                _ => false,
            }
        })
}

const ROOT_PREFIX: &str = "https://hookcheck.dev/closed/root/";

fn is_within(pointer: &str, object: &str) -> bool {
    pointer == object
        || pointer
            .strip_prefix(object)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Sorts findings by pointer, errors before warnings, then rule and message: a stable order for reports.
pub(crate) fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (
            a.pointer.as_str(),
            std::cmp::Reverse(a.severity),
            a.rule.as_str(),
            a.message.as_str(),
        )
            .cmp(&(
                b.pointer.as_str(),
                std::cmp::Reverse(b.severity),
                b.rule.as_str(),
                b.message.as_str(),
            ))
    });
}

/// A timestamp that breaks its `pattern` also breaks its `format`: report it once, with the format's
/// explanation, which says what exactly is wrong.
fn merge_pattern_into_format(errors: &mut Vec<Finding>) {
    let formatted: BTreeSet<String> = errors
        .iter()
        .filter(|f| f.rule == "schema/format")
        .map(|f| f.pointer.clone())
        .collect();
    errors.retain(|f| !(f.rule == "schema/pattern" && formatted.contains(&f.pointer)));
}

fn type_names(kind: &TypeKind) -> Vec<String> {
    match kind {
        TypeKind::Single(t) => vec![t.to_string()],
        TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
    }
}

fn last_token(pointer: &str) -> String {
    pointer
        .rsplit('/')
        .next()
        .unwrap_or("")
        .replace("~1", "/")
        .replace("~0", "~")
}

fn map_error(e: &ValidationError<'_>, profile: Profile, out: &mut Vec<Finding>) {
    let pointer = e.instance_path().as_str().to_string();
    let instance = e.instance();
    let schema = e
        .absolute_keyword_location()
        .map(|u| display_location(u.as_str()));
    let keyword = e.kind().keyword().to_string();
    let message = match e.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            // Nullable references are `anyOf: [null, {$ref}]`, and variants are told apart by a key
            // (`file_type`, `type`): report the branch that fits the value's type and discriminator rather
            // than "not valid under any of the schemas".
            let at = e.instance_path().as_str();
            let mut fitting: Vec<_> = context
                .iter()
                .filter(|branch| !inapplicable(branch, at, true))
                .collect();
            if fitting.is_empty() {
                // Every branch is told off by a key: the value is of the right type for some of them
                // (`anyOf: [null, {$ref}]` with a wrong `status`), whose own errors are what is wrong.
                fitting = context
                    .iter()
                    .filter(|branch| !inapplicable(branch, at, false))
                    .collect();
            }
            if let [only] = fitting.as_slice() {
                for x in only.iter() {
                    map_error(x, profile, out);
                }
                return;
            }
            if fitting.is_empty() {
                let mut expected: Vec<String> = Vec::new();
                for x in context.iter().flatten() {
                    if let ValidationErrorKind::Type { kind } = x.kind() {
                        for t in type_names(kind) {
                            if !expected.contains(&t) {
                                expected.push(t);
                            }
                        }
                    }
                }
                out.push(Finding {
                    severity: Severity::Error,
                    rule: "schema/type".into(),
                    pointer,
                    schema,
                    message: format!(
                        "expected {}, found {}",
                        expected.join(" or "),
                        json_type(instance)
                    ),
                    value: Some(shorten(instance)),
                    header: None,
                    release: None,
                });
                return;
            }
            format!(
                "{} matches none of the {} alternatives",
                json_type(instance),
                context.len()
            )
        }
        ValidationErrorKind::Type { kind } => {
            format!(
                "expected {}, found {}",
                type_names(kind).join(" or "),
                json_type(instance)
            )
        }
        ValidationErrorKind::Required { property } => {
            format!(
                "missing required key `{}`",
                property
                    .as_str()
                    .map_or_else(|| property.to_string(), str::to_string)
            )
        }
        ValidationErrorKind::Enum { options } => {
            let list = options.as_array().map(|o| {
                o.iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            format!(
                "{} is not one of: {}",
                shorten(instance),
                list.unwrap_or_else(|| options.to_string())
            )
        }
        ValidationErrorKind::Constant { expected_value } => {
            format!("expected {}, found {}", expected_value, shorten(instance))
        }
        ValidationErrorKind::Format { format: name } => {
            match instance.as_str().and_then(|s| format::explain(name, s)) {
                Some(why) => format!("not a valid {name} timestamp: {why}"),
                None => format!("{} is not a valid {name}", shorten(instance)),
            }
        }
        ValidationErrorKind::FalseSchema => {
            format!(
                "key `{}` is not allowed here (profile {})",
                last_token(&pointer),
                profile.name()
            )
        }
        _ => e.to_string(),
    };
    let keyword = if keyword == "falseSchema" {
        "false".to_string()
    } else {
        keyword
    };
    // The value of a `required` failure is the whole enclosing object: the message already names the key.
    let value = (keyword != "required").then(|| shorten(instance));
    out.push(Finding {
        severity: Severity::Error,
        rule: format!("schema/{keyword}"),
        pointer,
        schema,
        message,
        value,
        header: None,
        release: None,
    });
}
