//! Checks over recorded deliveries: every check is a rule with a stable id, a severity and a one-line doc.
//! The body is checked by the same [`Catalog`] as `hookcheck validate`, never by a second validator.
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    delivery::{Delivery, HeaderValue},
    event::EventName,
    finding::{Finding, Severity},
    profile::Profile,
    signature::{self, Scheme, SignatureError},
    validate::{decode, Options},
    Catalog,
};

/// How delivery ids must look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdFormat {
    /// A UUID, as `SecureRandom.uuid` makes them.
    Uuid,
    /// Any non-empty value.
    Any,
}

/// What a sender must do: a profile is data, so a team can describe its own (`--delivery-profile-file`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryProfile {
    /// Name shown in reports.
    pub name: String,
    /// The signing scheme, or `null` for unsigned deliveries.
    pub signature: Option<Scheme>,
    /// The delivery-id header that must be present, if any.
    pub id_header: Option<String>,
    /// Format of delivery ids.
    pub id_format: IdFormat,
    /// Attempts allowed per delivery id (1 = no retry).
    pub max_attempts: u32,
    /// The sender's request timeout, in seconds (the reference sender uses it; the receiver answers within it).
    pub timeout_secs: u64,
    /// Largest allowed distance between the signed timestamp and the arrival time.
    pub timestamp_tolerance_secs: u64,
    /// Largest allowed body.
    pub max_body_bytes: usize,
    /// Media type the `Content-Type` header must carry (parameters allowed).
    pub content_type: String,
}

impl DeliveryProfile {
    /// Chatwoot 4.12 and later: signed, one attempt, 5 s timeout.
    pub fn chatwoot() -> Self {
        Self {
            name: "chatwoot".into(),
            signature: Some(Scheme::chatwoot()),
            id_header: Some("X-Chatwoot-Delivery".into()),
            id_format: IdFormat::Uuid,
            max_attempts: 1,
            timeout_secs: 5,
            timestamp_tolerance_secs: 300,
            max_body_bytes: crate::validate::DEFAULT_MAX_BYTES,
            content_type: "application/json".into(),
        }
    }

    /// Chatwoot before 4.12: no signature and no delivery id.
    pub fn chatwoot_unsigned() -> Self {
        Self {
            name: "chatwoot-unsigned".into(),
            signature: None,
            id_header: None,
            ..Self::chatwoot()
        }
    }

    /// The Standard Webhooks v1 scheme (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
    pub fn standard_webhooks() -> Self {
        Self {
            name: "standard-webhooks".into(),
            signature: Some(Scheme::standard_webhooks()),
            id_header: Some("webhook-id".into()),
            id_format: IdFormat::Any,
            ..Self::chatwoot()
        }
    }

    /// A profile written as JSON (what `--delivery-profile-file` reads), every problem listed at once with
    /// its JSON Pointer. The delivery-id header is given once, as `id_header`: the signature scheme takes it
    /// from there (a `signature.id_header` that says otherwise is a problem). A top-level `$comment` is
    /// allowed and ignored.
    ///
    /// ```
    /// use hookcheck::check::DeliveryProfile;
    /// let text = r#"{"name": "acme", "signature": null, "id_header": null, "id_format": "any",
    ///     "max_attempts": 1, "timeout_secs": 5, "timestamp_tolerance_secs": 300,
    ///     "max_body_bytes": 1048576, "content_type": "application/json"}"#;
    /// assert_eq!(DeliveryProfile::from_json(text).unwrap().name, "acme");
    /// let problems = DeliveryProfile::from_json(r#"{"name": "acme", "colour": 1}"#).unwrap_err();
    /// assert!(problems.iter().any(|p| p.starts_with("/colour: unknown field")));
    /// assert!(problems.iter().any(|p| p.starts_with("/max_attempts: missing")));
    /// ```
    ///
    /// # Errors
    /// Every problem found, each naming its JSON Pointer: not JSON, unknown or missing fields, values of
    /// the wrong type.
    pub fn from_json(text: &str) -> Result<Self, Vec<String>> {
        const FIELDS: &[&str] = &[
            "name",
            "signature",
            "id_header",
            "id_format",
            "max_attempts",
            "timeout_secs",
            "timestamp_tolerance_secs",
            "max_body_bytes",
            "content_type",
        ];
        const SCHEME: &[&str] = &[
            "name",
            "timestamp_header",
            "signature_header",
            "message",
            "encoding",
            "secret",
        ];
        let mut v: Value =
            serde_json::from_str(text).map_err(|e| vec![format!("not JSON: {e}")])?;
        let Some(top) = v.as_object_mut() else {
            return Err(vec!["(root): expected an object".into()]);
        };
        top.remove("$comment");
        let mut problems = Vec::new();
        fields(top, "", FIELDS, &[], &mut problems);
        let id_header = top.get("id_header").cloned();
        if let Some(Value::Object(scheme)) = top.get_mut("signature") {
            fields(scheme, "/signature", SCHEME, &["id_header"], &mut problems);
            match (scheme.get("id_header"), &id_header) {
                (Some(inner), Some(outer)) if inner != outer => problems.push(format!(
                    "/signature/id_header: {inner} differs from /id_header {outer}; give the \
                     delivery-id header once, as /id_header"
                )),
                (None, Some(outer)) => {
                    scheme.insert("id_header".into(), outer.clone());
                }
                _ => {}
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        serde_json::from_value(v).map_err(|e| vec![format!("(value): {e}")])
    }

    /// A built-in profile by name.
    pub fn by_name(name: &str) -> Option<Self> {
        match name {
            "chatwoot" => Some(Self::chatwoot()),
            "chatwoot-unsigned" => Some(Self::chatwoot_unsigned()),
            "standard-webhooks" => Some(Self::standard_webhooks()),
            _ => None,
        }
    }
}

/// Unknown keys of `object` (at `at`) and missing ones among `required`, as problems.
fn fields(
    object: &serde_json::Map<String, Value>,
    at: &str,
    required: &[&str],
    optional: &[&str],
    problems: &mut Vec<String>,
) {
    for key in object.keys() {
        if !required.contains(&key.as_str()) && !optional.contains(&key.as_str()) {
            problems.push(format!(
                "{at}/{key}: unknown field (expected {})",
                required.join(", ")
            ));
        }
    }
    for key in required {
        if !object.contains_key(*key) {
            problems.push(format!("{at}/{key}: missing"));
        }
    }
}

/// What the receiver expects of this run.
#[derive(Debug, Clone)]
pub struct Expectations {
    /// The delivery profile.
    pub profile: DeliveryProfile,
    /// The webhook secret (never printed).
    pub secret: Option<String>,
    /// Subscribed events; deliveries of other events are findings.
    pub events: BTreeSet<EventName>,
    /// The path every delivery must use, if any.
    pub path: Option<String>,
    /// How many deliveries must arrive, if known.
    pub count: Option<usize>,
    /// The payload profile the bodies are validated against.
    pub payload_profile: Profile,
}

impl Expectations {
    /// Defaults: the Chatwoot profile, every event subscribed, any path, compat payloads.
    pub fn new(profile: DeliveryProfile, secret: Option<String>) -> Self {
        Self {
            profile,
            secret,
            events: EventName::ALL.into_iter().collect(),
            path: None,
            count: None,
            payload_profile: Profile::Compat,
        }
    }
}

/// The delivery rules: id, severity, one line of documentation.
pub const RULES: &[(&str, Severity, &str)] = &[
    (
        "delivery/method",
        Severity::Error,
        "the request method is POST",
    ),
    (
        "delivery/path",
        Severity::Error,
        "the request goes to the expected path",
    ),
    (
        "delivery/content-type",
        Severity::Error,
        "Content-Type is application/json (parameters allowed)",
    ),
    (
        "delivery/accept",
        Severity::Warning,
        "Accept: application/json is sent, as Chatwoot does",
    ),
    (
        "delivery/unsubscribed",
        Severity::Error,
        "the event is one the webhook subscribed to",
    ),
    (
        "delivery/id-missing",
        Severity::Error,
        "the delivery-id header is present, once",
    ),
    (
        "delivery/id-format",
        Severity::Error,
        "the delivery id has the profile's format (a UUID for Chatwoot)",
    ),
    (
        "delivery/id-duplicate",
        Severity::Error,
        "each delivery id is used by one delivery only",
    ),
    (
        "delivery/retry",
        Severity::Error,
        "no delivery is attempted more often than the profile allows (Chatwoot: once)",
    ),
    (
        "delivery/count",
        Severity::Error,
        "the expected number of deliveries arrived",
    ),
    (
        "signature/timestamp-missing",
        Severity::Error,
        "the timestamp header is present, once",
    ),
    (
        "signature/timestamp-format",
        Severity::Error,
        "the timestamp is decimal Unix seconds",
    ),
    (
        "signature/timestamp-skew",
        Severity::Error,
        "the timestamp is within the tolerance of the arrival time",
    ),
    (
        "signature/missing",
        Severity::Error,
        "the signature header is present, once",
    ),
    (
        "signature/malformed",
        Severity::Error,
        "the signature header has the scheme's form (sha256=<64 lowercase hex>)",
    ),
    (
        "signature/mismatch",
        Severity::Error,
        "the signature is the HMAC of the raw body with the secret (the report says which local variant matches instead, never the expected value)",
    ),
];

fn header_finding(rule: &str, header: &str, message: String) -> Finding {
    let mut f = Finding::error(rule, "", message);
    f.header = Some(header.to_string());
    f
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Checks one delivery (everything but the sequence rules).
pub fn check_delivery(catalog: &Catalog, d: &Delivery, x: &Expectations) -> Vec<Finding> {
    let mut out = Vec::new();
    let p = &x.profile;
    if d.method != "POST" {
        out.push(Finding::error(
            "delivery/method",
            "",
            format!("method is {}, expected POST", d.method),
        ));
    }
    if let Some(path) = &x.path {
        let got = d.path.split('?').next().unwrap_or("");
        if got != path {
            out.push(Finding::error(
                "delivery/path",
                "",
                format!("path is {got}, expected {path}"),
            ));
        }
    }
    match d.header("content-type") {
        HeaderValue::Text(ct) => {
            let media = ct.split(';').next().unwrap_or("").trim();
            if !media.eq_ignore_ascii_case(&p.content_type) {
                out.push(header_finding(
                    "delivery/content-type",
                    "Content-Type",
                    format!("Content-Type is `{ct}`, expected {}", p.content_type),
                ));
            }
        }
        other => out.push(header_finding(
            "delivery/content-type",
            "Content-Type",
            format!("Content-Type is {}", describe(other)),
        )),
    }
    if p.name.starts_with("chatwoot") {
        if let HeaderValue::Missing = d.header("accept") {
            let mut f = Finding::warning(
                "delivery/accept",
                "",
                "no Accept header; Chatwoot sends Accept: application/json",
            );
            f.header = Some("Accept".into());
            out.push(f);
        }
    }
    // The body: the same pipeline as `hookcheck validate`.
    let opts = Options {
        profile: x.payload_profile,
        event: None,
        max_bytes: p.max_body_bytes,
    };
    let mut body_findings = Vec::new();
    if let Some(value) = decode(&d.body, opts.max_bytes, &mut body_findings) {
        let event = catalog.check_value(&value, "", &opts, &mut body_findings);
        if let Some(e) = event {
            if !x.events.contains(&e) {
                out.push(
                    Finding::error(
                        "delivery/unsubscribed",
                        "/event",
                        format!(
                            "`{e}` was delivered but the webhook subscribed only to {}",
                            x.events
                                .iter()
                                .map(|e| e.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .with_value(&Value::String(e.as_str().into())),
                );
            }
        }
    }
    crate::validate::finish(&mut body_findings);
    out.extend(body_findings);
    if let Some(h) = &p.id_header {
        match d.header(h) {
            HeaderValue::Text(id) if !id.is_empty() => {
                if p.id_format == IdFormat::Uuid && !is_uuid(id) {
                    out.push(header_finding(
                        "delivery/id-format",
                        h,
                        format!(
                            "{h} `{}` is not a UUID",
                            crate::finding::shorten(&Value::String(id.into())).trim_matches('"')
                        ),
                    ));
                }
            }
            other => out.push(header_finding(
                "delivery/id-missing",
                h,
                format!("{h} is {}", describe(other)),
            )),
        }
    }
    if let Some(scheme) = &p.signature {
        check_signature(d, x, scheme, &mut out);
    }
    out
}

fn describe(h: HeaderValue<'_>) -> String {
    match h {
        HeaderValue::Missing => "missing".into(),
        HeaderValue::Repeated => "sent more than once".into(),
        HeaderValue::NotText => "not valid UTF-8".into(),
        HeaderValue::Text("") => "empty".into(),
        HeaderValue::Text(t) => format!("`{t}`"),
    }
}

fn check_signature(d: &Delivery, x: &Expectations, scheme: &Scheme, out: &mut Vec<Finding>) {
    let th = &scheme.timestamp_header;
    let ts = match d.header(th) {
        HeaderValue::Text(t) => match scheme.parse_timestamp(t) {
            Ok(secs) => {
                let skew = (d.arrival_unix() - secs).abs();
                if skew as u64 > x.profile.timestamp_tolerance_secs {
                    out.push(header_finding(
                        "signature/timestamp-skew",
                        th,
                        format!(
                            "{th} {t} is {skew} s from the arrival time (tolerance {} s)",
                            x.profile.timestamp_tolerance_secs
                        ),
                    ));
                }
                Some(t)
            }
            Err(e) => {
                out.push(header_finding(
                    "signature/timestamp-format",
                    th,
                    e.to_string(),
                ));
                None
            }
        },
        other => {
            out.push(header_finding(
                "signature/timestamp-missing",
                th,
                format!("{th} is {}", describe(other)),
            ));
            None
        }
    };
    let sh = &scheme.signature_header;
    let sig = match d.header(sh) {
        HeaderValue::Text(s) => s,
        other => {
            out.push(header_finding(
                "signature/missing",
                sh,
                format!("{sh} is {}", describe(other)),
            ));
            return;
        }
    };
    let (Some(ts), Some(secret)) = (ts, &x.secret) else {
        return;
    };
    let id = scheme.id_header.as_deref().and_then(|h| match d.header(h) {
        HeaderValue::Text(t) => Some(t),
        _ => None,
    });
    match signature::verify(scheme, secret, id, ts, &d.body, sig) {
        Ok(()) => {}
        Err(SignatureError::Mismatch { .. }) => {
            // Never the expected value: that would sign any body for whoever reads the report.
            let cause = signature::explain_mismatch(
                scheme,
                secret,
                id,
                ts,
                &d.body,
                sig,
                x.profile.timestamp_tolerance_secs,
            );
            out.push(header_finding(
                "signature/mismatch",
                sh,
                format!("{sh} does not match an HMAC-SHA256 of \"{{timestamp}}.{{raw body}}\" with the secret; {cause}"),
            ));
        }
        Err(e) => out.push(header_finding("signature/malformed", sh, e.to_string())),
    }
}

/// Rules over the whole sequence: duplicate ids, retries, count.
pub fn check_sequence(deliveries: &[Delivery], x: &Expectations) -> BTreeMap<usize, Vec<Finding>> {
    let mut out: BTreeMap<usize, Vec<Finding>> = BTreeMap::new();
    if let Some(h) = &x.profile.id_header {
        let mut seen: BTreeMap<String, Vec<&Delivery>> = BTreeMap::new();
        for d in deliveries {
            if let HeaderValue::Text(id) = d.header(h) {
                seen.entry(id.to_string()).or_default().push(d);
            }
        }
        for (id, ds) in seen {
            let Some(first) = ds.first() else { continue };
            for (n, d) in ds.iter().enumerate().skip(1) {
                let f = if d.body == first.body {
                    if (n as u32) < x.profile.max_attempts {
                        continue;
                    }
                    header_finding("delivery/retry", h, format!(
                        "delivery {id} was attempted {} times (#{} repeats #{}); profile {} allows {}", ds.len(), d.index, first.index, x.profile.name, x.profile.max_attempts))
                } else {
                    header_finding(
                        "delivery/id-duplicate",
                        h,
                        format!(
                            "{h} {id} was already used by delivery #{} for a different body",
                            first.index
                        ),
                    )
                };
                out.entry(d.index).or_default().push(f);
            }
        }
    }
    out
}

/// The whole verdict: per delivery its findings, plus run-level findings.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// Each delivery with its findings, in arrival order.
    pub deliveries: Vec<(Delivery, Vec<Finding>)>,
    /// Findings about the run (count).
    pub run: Vec<Finding>,
}

impl Verdict {
    /// Every error, run and deliveries.
    pub fn errors(&self) -> usize {
        self.run
            .iter()
            .chain(self.deliveries.iter().flat_map(|(_, f)| f))
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    /// True when there is no error.
    pub fn passed(&self) -> bool {
        self.errors() == 0
    }
}

/// Checks every delivery and the sequence.
pub fn verify(catalog: &Catalog, deliveries: &[Delivery], x: &Expectations) -> Verdict {
    let mut seq = check_sequence(deliveries, x);
    // Per-delivery checks are independent: spread them over the cores, keep arrival order.
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(deliveries.len().max(1));
    let chunk = deliveries.len().div_ceil(workers).max(1);
    let checked: Vec<Vec<Finding>> = std::thread::scope(|scope| {
        let handles: Vec<_> = deliveries
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|d| check_delivery(catalog, d, x))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let deliveries: Vec<(Delivery, Vec<Finding>)> = deliveries
        .iter()
        .zip(checked)
        .map(|(d, mut f)| {
            f.extend(seq.remove(&d.index).unwrap_or_default());
            (d.clone(), f)
        })
        .collect();
    let mut run = Vec::new();
    if let Some(n) = x.count {
        if deliveries.len() != n {
            run.push(Finding::error(
                "delivery/count",
                "",
                format!(
                    "{} arrived, expected {n}",
                    crate::report::count(deliveries.len(), "delivery", "deliveries")
                ),
            ));
        }
    }
    Verdict { deliveries, run }
}
