//! The fuzz targets' bodies: each takes raw bytes, builds its input from them, and asserts an invariant
//! (panicking with a message that says which one broke). The `cargo fuzz` binaries in `fuzz/` and the
//! replay test (`tests/it/fuzz_replay.rs`, which runs every seed and saved crash under `cargo test`) call
//! these same functions, so a crash reproduces on stable Rust without libFuzzer.
//!
//! The structure-aware targets decode their fields from the bytes by hand (`Fields`-style, first bytes
//! first, zeros past the end), so any byte string is a valid input and a saved input means the same thing
//! forever, with no `arbitrary` dependency in this crate.
//!
//! | target | input | invariant |
//! |---|---|---|
//! | [`validate_bytes`] | payload bytes | no panic; every rule is known; a JSON object gets the same verdict compact, pretty-printed, or as an NDJSON line; [`hazards::scan`] never panics and points into the parsed value |
//! | [`typed_vs_schema`] | event, seed, mutation | a generated payload, maybe with one `remove-required` / `wrong-type` defect: `model::Event` accepts it iff the schemas report no error, and round-trips it |
//! | [`signature()`] | secret, timestamp, id, body, flips, headers | sign then verify holds for both schemes; one changed byte of body, timestamp, id or signature fails; arbitrary headers never panic and verify only the true MAC |
//! | [`timestamps`] | date-time fields, shape | the custom formats round-trip and agree with the `time` crate (RFC 3339 parser, calendar and weekday) on validity |
//! | [`delivery_request`] | method, path, headers, body | the delivery checks never panic, name known rules, report the body as `validate` does, and pass a correctly signed request's signature |
//! | [`ndjson_stream`] | layout, cap, chunk sizes, stream | the streaming reader yields the same records however its input is chunked; for lines, the records a whole-buffer split predicts |
//!
//! ```
//! // Any bytes are an input; a broken invariant panics.
//! hookcheck::fuzzing::validate_bytes(br#"{"event":"contact_created","id":1,"name":"Ana"}"#);
//! hookcheck::fuzzing::ndjson_stream(b"\x01\x03{}\n[1]\r\n\n{");
//! ```
use std::{
    io::{self, Read},
    sync::OnceLock,
    time::{SystemTime, UNIX_EPOCH},
};

use base64::Engine as _;
use serde_json::Value;
use time::{
    format_description::well_known::Rfc3339, Date, Month, OffsetDateTime, PrimitiveDateTime, Time,
    UtcOffset, Weekday,
};

use crate::{
    check::{self, DeliveryProfile, Expectations},
    delivery::Delivery,
    finding::{rule, Finding, Severity},
    format::{self, JsDate},
    generate::{self, mutate, Generator},
    hazards,
    input::{Layout, Record, Records},
    model, semantic,
    signature::{self, Scheme, SignatureError},
    validate::{Options, DEFAULT_MAX_BYTES},
    Catalog, EventName, Profile,
};

/// The names of the targets, as `fuzz/fuzz_targets/<name>.rs` and `fuzz/seeds/<name>/` spell them.
pub const TARGETS: [&str; 6] = [
    "validate_bytes",
    "typed_vs_schema",
    "signature",
    "timestamps",
    "delivery_request",
    "ndjson_stream",
];

/// Runs the target called `name` on `data`; false when no target has that name.
pub fn run(name: &str, data: &[u8]) -> bool {
    match name {
        "validate_bytes" => validate_bytes(data),
        "typed_vs_schema" => typed_vs_schema(data),
        "signature" => signature(data),
        "timestamps" => timestamps(data),
        "delivery_request" => delivery_request(data),
        "ndjson_stream" => ndjson_stream(data),
        _ => return false,
    }
    true
}

fn catalog() -> &'static Catalog {
    Catalog::shared().expect("the embedded schemas compile")
}

/// Whether `id` is a rule a payload (body) finding may carry: the non-schema rules of
/// [`rule::DOCS`], `schema/<keyword>`, the [`semantic::RULES`], the [`hazards::RULES`] and `unknown-key`.
pub fn is_body_rule(id: &str) -> bool {
    rule::DOCS
        .iter()
        .any(|(known, _)| *known == id && !known.contains('<'))
        || id
            .strip_prefix("schema/")
            .is_some_and(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric()))
        || semantic::RULES.iter().any(|r| r.id == id)
        || hazards::RULES.iter().any(|(known, _)| *known == id)
        || id == rule::UNKNOWN_KEY
}

/// Whether `id` is a rule a delivery finding may carry: [`check::RULES`] or a body rule.
pub fn is_delivery_rule(id: &str) -> bool {
    check::RULES.iter().any(|(known, _, _)| *known == id) || is_body_rule(id)
}

/// Fields read in order from fuzz bytes; past the end every number is 0 and every slice empty.
struct Fields<'a> {
    data: &'a [u8],
}

impl<'a> Fields<'a> {
    fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.data.len());
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        head
    }

    fn u8(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }

    fn u16(&mut self) -> u16 {
        let mut b = [0u8; 2];
        let got = self.take(2);
        b[..got.len()].copy_from_slice(got);
        u16::from_le_bytes(b)
    }

    fn u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        let got = self.take(8);
        b[..got.len()].copy_from_slice(got);
        u64::from_le_bytes(b)
    }

    fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// A number in `0..n` (`n >= 1`).
    fn below(&mut self, n: usize) -> usize {
        usize::from(self.u16()) % n.max(1)
    }

    /// A slice of at most `max` bytes, its length given by the next byte(s).
    fn bytes(&mut self, max: usize) -> &'a [u8] {
        let len = if max < 256 {
            usize::from(self.u8()) % (max + 1)
        } else {
            usize::from(self.u16()) % (max + 1)
        };
        self.take(len)
    }

    fn text(&mut self, max: usize) -> String {
        String::from_utf8_lossy(self.bytes(max)).into_owned()
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[self.below(from.len())]
    }

    fn rest(self) -> &'a [u8] {
        self.data
    }
}

/// `(rule, pointer, severity)` of every finding, sorted: the verdict, whatever the messages say.
fn verdict(findings: &[Finding]) -> Vec<(String, String, Severity)> {
    let mut v: Vec<_> = findings
        .iter()
        .map(|f| (f.rule.clone(), f.pointer.clone(), f.severity))
        .collect();
    v.sort();
    v
}

fn assert_body_rules(findings: &[Finding], what: &str) {
    for f in findings {
        assert!(
            is_body_rule(&f.rule),
            "{what}: unknown rule {:?} ({f:?})",
            f.rule
        );
    }
}

/// The compile-time verdict ([`Catalog::verdict`]) and the run-time closed twin agree on `value` for
/// every profile and event (the fast path may only skip the diagnosis when the diagnosis would be empty),
/// and so do the release sieve and one release contract (see [`sieve_agrees`]).
fn verdicts_agree(value: &Value, context: &str) {
    let catalog = catalog();
    sieve_agrees(value, context);
    for profile in Profile::ALL {
        let Ok(events) = catalog.events(profile) else {
            panic!("{context}: the release contracts of {profile} derive");
        };
        for event in EventName::ALL {
            if !events.contains(&event) {
                assert!(
                    !catalog.verdict(profile, event, value),
                    "{context}: {profile} does not send {event}, yet its verdict accepts a payload"
                );
                continue;
            }
            let Some(fast) = catalog.compiled_verdict(profile, event, value) else {
                continue;
            };
            let slow = catalog
                .event(profile, event)
                .expect("the embedded schemas compile")
                .closed
                .is_valid(value);
            assert_eq!(
                fast, slow,
                "{context}: {profile} {event}: compile-time verdict {fast}, run-time {slow}"
            );
        }
    }
}

/// The release sieve ([`Catalog::clean_releases`]) against one distinct contract of the event `value`
/// names (or of the first event): that contract's closed validator accepts `value` exactly when the sieve
/// names its releases. Which contract is picked by a hash of the value, so that a fuzzing run holds every
/// contract against the sieve without compiling them all for one input (that would outlast libFuzzer's
/// per-input timeout under AddressSanitizer).
fn sieve_agrees(value: &Value, context: &str) {
    use std::hash::{Hash, Hasher};
    let catalog = catalog();
    let event = value
        .get("event")
        .and_then(Value::as_str)
        .and_then(|e| e.parse::<EventName>().ok())
        .unwrap_or(EventName::ALL[0]);
    let groups = catalog
        .event_documents(event)
        .unwrap_or_else(|e| panic!("{context}: the release contracts derive: {e}"));
    let sieve = catalog
        .clean_releases(event, value)
        .unwrap_or_else(|e| panic!("{context}: the release sieve builds: {e}"));
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.to_string().hash(&mut hasher);
    let Some((releases, _)) = groups.get((hasher.finish() % groups.len().max(1) as u64) as usize)
    else {
        return;
    };
    let Some(release) = releases.newest() else {
        return;
    };
    let by_contract = catalog.verdict(Profile::Release(release), event, value);
    assert_eq!(
        sieve.contains(release),
        by_contract,
        "{context}: {event}: the sieve says {sieve}, the contract of {releases} says {by_contract}"
    );
}

// ---------------------------------------------------------------------------------------------------
// validate_bytes

/// Arbitrary bytes through [`Catalog::validate`] under both profiles: never panics and names only known
/// rules. When the bytes are a JSON object, its compact, pretty-printed and NDJSON-line forms get the same
/// verdict, and the compile-time and run-time verdicts agree for every profile and event.
/// [`hazards::scan`] never panics, and on parsed JSON each of its pointers exists in the value
/// (or lies under a reported duplicate key, whose first value the parser dropped).
pub fn validate_bytes(data: &[u8]) {
    let catalog = catalog();
    for profile in Profile::ALL {
        let opts = Options {
            profile,
            ..Options::default()
        };
        let report = catalog.validate(data, &opts);
        assert_body_rules(&report.findings, "validate_bytes");
    }
    // Tiny caps reach the string-length path on small inputs too.
    let hz = hazards::scan(data, 8);
    assert_body_rules(&hz, "hazards::scan");
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        if let Ok(text) = std::str::from_utf8(data) {
            assert!(
                crate::json::parse(text).is_err(),
                "json::parse accepts what serde_json rejects"
            );
        }
        return;
    };
    // `json::parse` builds the same value, and its hazard flag is up whenever the scan finds something
    // (`validate::decode` skips the scan when it is down).
    if let Ok(text) = std::str::from_utf8(data) {
        let parsed = crate::json::parse(text).expect("json::parse accepts what serde_json accepts");
        assert_eq!(
            parsed.value, value,
            "json::parse and serde_json build different values"
        );
        for cap in [0, 8, hazards::DEFAULT_MAX_STRING_BYTES] {
            if !hazards::scan(data, cap).is_empty() {
                assert!(
                    parsed.might_have_hazards(cap),
                    "the hazard flag is down but hazards::scan (cap {cap}) finds {:?}",
                    hazards::scan(data, cap)
                );
            }
        }
    }
    for cap in [0, 8, hazards::DEFAULT_MAX_STRING_BYTES] {
        let found = hazards::scan(data, cap);
        let dups: Vec<&str> = found
            .iter()
            .filter(|f| f.rule == hazards::DUPLICATE_KEY)
            .map(|f| f.pointer.as_str())
            .collect();
        for f in &found {
            let replaced = dups.iter().any(|d| {
                f.pointer
                    .strip_prefix(d)
                    .is_some_and(|rest| rest.starts_with('/'))
            });
            assert!(
                value.pointer(&f.pointer).is_some() || replaced,
                "hazards::scan points at {:?}, which is not in the parsed value ({f:?})",
                f.pointer
            );
        }
    }
    if !value.is_object() {
        return;
    }
    verdicts_agree(&value, "validate_bytes");
    let compact = serde_json::to_vec(&value).expect("a parsed value serialises");
    let pretty = serde_json::to_vec_pretty(&value).expect("a parsed value serialises");
    let mut ndjson = compact.clone();
    ndjson.push(b'\n');
    let records: Vec<Record> = Records::new(ndjson.as_slice(), Layout::Lines, usize::MAX - 1)
        .map(|r| r.expect("reading a slice cannot fail"))
        .collect();
    assert_eq!(records.len(), 1, "one compact line is one NDJSON record");
    assert_eq!(records[0].line, Some(1));
    assert_eq!(records[0].bytes, compact, "the NDJSON record is the line");
    for profile in Profile::ALL {
        // The size cap legitimately depends on the encoding; the verdict on the payload must not.
        let opts = Options {
            profile,
            max_bytes: usize::MAX,
            ..Options::default()
        };
        let a = verdict(&catalog.validate(&compact, &opts).findings);
        let b = verdict(&catalog.validate(&pretty, &opts).findings);
        let c = verdict(&catalog.validate(&records[0].bytes, &opts).findings);
        assert_eq!(
            a, b,
            "{profile}: compact and pretty-printed verdicts differ"
        );
        assert_eq!(a, c, "{profile}: compact and NDJSON-line verdicts differ");
        let hz_compact = verdict(&hazards::scan(&compact, 8));
        let hz_pretty = verdict(&hazards::scan(&pretty, 8));
        assert_eq!(hz_compact, hz_pretty, "hazards differ compact vs pretty");
    }
}

// ---------------------------------------------------------------------------------------------------
// typed_vs_schema

/// One generator per event, compiled on first use: compiling all of compat's ~240 shapes at once takes
/// over a minute under AddressSanitizer, longer than libFuzzer's per-input timeout.
fn generator(event: EventName) -> &'static Generator {
    static G: OnceLock<Vec<OnceLock<Generator>>> = OnceLock::new();
    let slots = G.get_or_init(|| EventName::ALL.iter().map(|_| OnceLock::new()).collect());
    let index = EventName::ALL
        .iter()
        .position(|e| *e == event)
        .expect("an event of EventName::ALL");
    slots[index].get_or_init(|| {
        Generator::with_events(catalog(), Profile::Compat, &[event]).expect("the schemas compile")
    })
}

thread_local! {
    /// Compiled strategies per event: building one costs more than drawing from it.
    static STRATEGIES: std::cell::RefCell<std::collections::BTreeMap<EventName, generate::ValueStrategy>> =
        const { std::cell::RefCell::new(std::collections::BTreeMap::new()) };
}

fn strategy(event: EventName) -> generate::ValueStrategy {
    STRATEGIES.with(|m| {
        m.borrow_mut()
            .entry(event)
            .or_insert_with(|| generator(event).strategy(event))
            .clone()
    })
}

/// Structure-aware: byte 0 picks an event, bytes 1..9 a generator seed, byte 9 whether to mutate and
/// bytes 10..12 which `remove-required` or `wrong-type` site. The typed model (`model::Event`) models the
/// union of every release, so:
///
/// * whatever the union accepts, the model accepts and writes back unchanged;
/// * a value of a type no release sends there (a `wrong-type` site the union rejects) is refused.
///
/// A removed key is not held against the model: it makes a key optional as soon as one release omits it,
/// and which keys travel together is the schemas' business.
pub fn typed_vs_schema(data: &[u8]) {
    let mut f = Fields::new(data);
    let event = EventName::ALL[usize::from(f.u8()) % EventName::ALL.len()];
    let seed = f.u64();
    let mutate_it = f.bool();
    let pick = usize::from(f.u16());
    let g = generator(event);
    let mut runner = generate::runner(seed, event);
    let v = generate::sample(&strategy(event), &mut runner, event)
        .unwrap_or_else(|e| panic!("{event} seed {seed}: {e}"));
    let mut class = None;
    let (v, what) = if mutate_it {
        let sites: Vec<mutate::Site> = g
            .sites(catalog(), event, &v)
            .into_iter()
            .filter(|s| s.expect.class.is_type_or_required())
            .collect();
        if sites.is_empty() {
            (v, "valid".to_string())
        } else {
            let site = &sites[pick % sites.len()];
            class = Some(site.expect.class);
            let mut broken = v;
            site.apply(event, &mut broken);
            let what = format!(
                "{} ({} at {})",
                site.expect.description, site.expect.rule, site.expect.pointer
            );
            (broken, what)
        }
    } else {
        (v, "valid".to_string())
    };
    verdicts_agree(&v, &format!("typed_vs_schema {event} seed {seed} {what}"));
    let union = catalog()
        .event(Profile::Compat, event)
        .expect("the embedded schemas compile")
        .open
        .is_valid(&v);
    let typed = serde_json::from_value::<model::Event>(v.clone());
    match (&typed, union) {
        (Ok(parsed), true) => {
            let back = serde_json::to_value(parsed).expect("a model serialises");
            assert_eq!(
                back, v,
                "{event} seed {seed} {what}: the model changed the payload"
            );
        }
        (Err(e), true) => {
            panic!("{event} seed {seed} {what}: the model rejects what the union accepts: {e}")
        }
        (Ok(_), false) if class == Some(mutate::Class::WrongType) => {
            panic!("{event} seed {seed} {what}: the model accepts a type no release sends there")
        }
        (_, false) => {}
    }
}

// ---------------------------------------------------------------------------------------------------
// signature

/// Sign then verify, under both built-in schemes; a one-byte change to body, timestamp, id or signature
/// fails; [`signature::verify`] and [`signature::parse_timestamp`] never panic on arbitrary header
/// strings, and verify only the true MAC.
///
/// Layout: secret (up to 64 bytes, empty means `s`), timestamp digits (up to 14), id (up to 40), flip
/// positions and masks, a header string (up to 120), then the body.
pub fn signature(data: &[u8]) {
    let mut f = Fields::new(data);
    let mut secret = f.text(64);
    if secret.is_empty() {
        secret.push('s');
    }
    let timestamp: String = f
        .bytes(14)
        .iter()
        .map(|b| char::from(b'0' + b % 10))
        .collect();
    let timestamp = if timestamp.is_empty() {
        "0".to_string()
    } else {
        timestamp
    };
    let id_text = f.text(40);
    let flips = [f.u16(), f.u16(), f.u16(), f.u16()];
    let masks = [f.u8(), f.u8(), f.u8(), f.u8()];
    let header = f.text(120);
    let body = f.rest();

    let timestamp_ok = signature::parse_timestamp(&timestamp).is_ok();
    assert_eq!(
        timestamp_ok,
        timestamp.len() <= 12,
        "parse_timestamp({timestamp:?})"
    );
    let whsec = format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(secret.as_bytes())
    );
    let schemes = [
        (Scheme::chatwoot(), secret.as_str()),
        (Scheme::standard_webhooks(), whsec.as_str()),
    ];
    for (scheme, key) in &schemes {
        let id = Some(id_text.as_str());
        let sig = signature::sign(scheme, key, id, &timestamp, body)
            .unwrap_or_else(|e| panic!("{}: sign failed: {e}", scheme.name));
        let ok = signature::verify(scheme, key, id, &timestamp, body, &sig);
        if timestamp_ok {
            assert_eq!(
                ok,
                Ok(()),
                "{}: a fresh signature does not verify",
                scheme.name
            );
        } else {
            assert!(
                matches!(ok, Err(SignatureError::BadTimestamp { .. })),
                "{}: {timestamp:?} accepted",
                scheme.name
            );
            continue;
        }
        // One byte of the body, changed by a non-zero mask.
        if !body.is_empty() {
            let mut b = body.to_vec();
            let at = usize::from(flips[0]) % b.len();
            b[at] ^= masks[0].max(1);
            assert!(
                signature::verify(scheme, key, id, &timestamp, &b, &sig).is_err(),
                "{}: body byte {at} changed, still verifies",
                scheme.name
            );
        }
        // One character of the timestamp, of the signature and of a signed id, changed within ASCII.
        let flip = |s: &str, pos: u16, mask: u8| -> String {
            let mut b = s.as_bytes().to_vec();
            let at = usize::from(pos) % b.len();
            b[at] ^= (mask & 0x7F).max(1);
            String::from_utf8(b).unwrap_or_default()
        };
        let ts2 = flip(&timestamp, flips[1], masks[1]);
        if ts2.is_ascii() && ts2 != timestamp && timestamp.is_ascii() {
            assert!(
                signature::verify(scheme, key, id, &ts2, body, &sig).is_err(),
                "{}: timestamp {timestamp:?} -> {ts2:?}, still verifies",
                scheme.name
            );
        }
        let sig2 = flip(&sig, flips[2], masks[2]);
        assert!(
            signature::verify(scheme, key, id, &timestamp, body, &sig2).is_err(),
            "{}: signature {sig:?} -> {sig2:?}, still verifies",
            scheme.name
        );
        if scheme.name == "standard-webhooks" {
            let id_str = id_text.as_str();
            if id_str.is_ascii() && !id_str.is_empty() {
                let id2 = flip(id_str, flips[3], masks[3]);
                assert!(
                    signature::verify(scheme, key, Some(&id2), &timestamp, body, &sig).is_err(),
                    "{}: id {id_str:?} -> {id2:?}, still verifies",
                    scheme.name
                );
            }
        }
        // Arbitrary header values: no panic, and only the true MAC verifies.
        if signature::verify(scheme, key, id, &timestamp, body, &header).is_ok() {
            let accepted = match scheme.name.as_str() {
                "chatwoot" => header == sig,
                _ => header.split(' ').any(|e| e == sig),
            };
            assert!(
                accepted,
                "{}: header {header:?} verifies, the MAC is {sig:?}",
                scheme.name
            );
        }
        let _ = signature::verify(scheme, key, id, &header, body, &sig);
        let _ = signature::verify(scheme, &header, id, &timestamp, body, &sig);
        let _ = scheme.parse_timestamp(&header);
    }
    match signature::parse_timestamp(&header) {
        Ok(n) => {
            assert!(
                !header.is_empty()
                    && header.len() <= 12
                    && header.bytes().all(|b| b.is_ascii_digit()),
                "parse_timestamp accepts {header:?}"
            );
            assert_eq!(Ok(n), header.parse::<i64>());
        }
        Err(e) => assert!(matches!(e, SignatureError::BadTimestamp { .. })),
    }
}

// ---------------------------------------------------------------------------------------------------
// timestamps

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "Mon"),
    (Weekday::Tuesday, "Tue"),
    (Weekday::Wednesday, "Wed"),
    (Weekday::Thursday, "Thu"),
    (Weekday::Friday, "Fri"),
    (Weekday::Saturday, "Sat"),
    (Weekday::Sunday, "Sun"),
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const YEARS: [u16; 12] = [0, 1, 4, 100, 400, 1582, 1900, 1970, 2000, 2024, 2100, 9999];

/// Custom timestamp formats against the `time` crate: `iso8601-ms-utc` strings valid for hookcheck are
/// exactly the RFC 3339 strings of that shape (year >= 1, no leap second) and name the same instant;
/// `js-date` strings are valid exactly when `time` says the date exists and has that weekday (and the
/// clock, offset and zone name are in range); both formats round-trip.
///
/// Byte 0 chooses what to build (ISO shape, js-date shape, or the rest as a raw string); the next bytes
/// are the fields.
pub fn timestamps(data: &[u8]) {
    let mut f = Fields::new(data);
    match f.u8() % 4 {
        0 => iso_candidate(&mut f),
        1 => js_candidate(&mut f),
        2 => round_trips(&mut f),
        _ => {
            let s = String::from_utf8_lossy(f.rest()).into_owned();
            iso_string(&s, None);
            js_string(&s, None);
        }
    }
}

/// Checks one string against the ISO format; `expected` is what the reference says for well-shaped
/// candidates (`None`: only the implication valid => RFC 3339-valid applies).
fn iso_string(s: &str, expected: Option<bool>) {
    let ours = format::parse_iso8601_ms_utc(s);
    assert_eq!(ours.is_ok(), format::is_iso8601_ms_utc(s), "{s:?}");
    assert_eq!(
        format::check(format::ISO8601_MS_UTC, s),
        Some(ours.is_ok()),
        "{s:?}"
    );
    assert_eq!(
        format::explain(format::ISO8601_MS_UTC, s).is_none(),
        ours.is_ok(),
        "{s:?}"
    );
    if let Some(expected) = expected {
        assert_eq!(
            ours.is_ok(),
            expected,
            "{s:?}: hookcheck says {ours:?}, the time crate's calendar says {expected}"
        );
    }
    if let Ok(t) = ours {
        let reference = OffsetDateTime::parse(s, &Rfc3339)
            .unwrap_or_else(|e| panic!("{s:?} is valid for hookcheck but not RFC 3339: {e}"));
        assert_eq!(t, reference, "{s:?}: a different instant than RFC 3339's");
        assert_eq!(t.offset(), UtcOffset::UTC);
        assert_eq!(format::format_iso8601_ms_utc(t), s, "format(parse(s)) != s");
    }
}

fn iso_candidate(f: &mut Fields<'_>) {
    let year = if f.bool() {
        f.pick(&YEARS)
    } else {
        f.u16() % 10_000
    };
    let wide = f.bool();
    let two = |f: &mut Fields<'_>, small: u8| -> u8 {
        let v = f.u8();
        if wide {
            v % 100
        } else {
            v % small
        }
    };
    let (month, day, hour, minute, second) =
        (two(f, 14), two(f, 33), two(f, 25), two(f, 61), two(f, 62));
    let millis = f.u16() % 1000;
    let shape = f.u8() % 8;
    let date = format!("{year:04}-{month:02}-{day:02}");
    let clock = format!("{hour:02}:{minute:02}:{second:02}");
    let (s, shaped) = match shape {
        1 => (format!("{date}T{clock}.{millis:03}z"), false),
        2 => (format!("{date}t{clock}.{millis:03}Z"), false),
        3 => (format!("{date}T{clock}.{millis:03}+00:00"), false),
        4 => {
            let digits = usize::from(f.u8() % 10);
            let frac = format!("{millis:03}000000");
            (format!("{date}T{clock}.{}Z", &frac[..digits]), digits == 3)
        }
        5 => (format!("{date} {clock}.{millis:03}Z"), false),
        _ => (format!("{date}T{clock}.{millis:03}Z"), true),
    };
    // The reference: time's own RFC 3339 parser, on the canonical spelling of the same fields.
    let canonical = format!("{date}T{clock}.{millis:03}Z");
    let rfc = OffsetDateTime::parse(&canonical, &Rfc3339).is_ok();
    let expected = shaped && rfc && year >= 1 && second < 60;
    iso_string(&s, Some(expected));
}

/// What the reference says about js-date fields.
struct JsFields {
    weekday: usize,
    month: usize,
    day: u8,
    year: u16,
    hour: u8,
    minute: u8,
    second: u8,
    negative: bool,
    offset: u16,
    zone: Option<String>,
}

impl JsFields {
    fn text(&self) -> String {
        let mut s = format!(
            "{} {} {:02} {:04} {:02}:{:02}:{:02} GMT{}{:04}",
            WEEKDAYS[self.weekday].1,
            MONTHS[self.month],
            self.day,
            self.year,
            self.hour,
            self.minute,
            self.second,
            if self.negative { '-' } else { '+' },
            self.offset
        );
        if let Some(z) = &self.zone {
            s.push_str(&format!(" ({z})"));
        }
        s
    }

    /// The date-time `time` builds from the fields, if they are valid.
    fn reference(&self) -> Option<JsDate> {
        let month = Month::try_from(u8::try_from(self.month + 1).ok()?).ok()?;
        let date = Date::from_calendar_date(i32::from(self.year), month, self.day).ok()?;
        if self.year < 1 || date.weekday() != WEEKDAYS[self.weekday].0 {
            return None;
        }
        let time = Time::from_hms(self.hour, self.minute, self.second).ok()?;
        let (h, m) = (i32::from(self.offset / 100), i32::from(self.offset % 100));
        if m > 59 || h * 60 + m > 14 * 60 || (self.negative && self.offset == 0) {
            return None;
        }
        let secs = (h * 3600 + m * 60) * if self.negative { -1 } else { 1 };
        let offset = UtcOffset::from_whole_seconds(secs).ok()?;
        if let Some(z) = &self.zone {
            if z.is_empty() || z.contains(['(', ')']) {
                return None;
            }
        }
        Some(JsDate {
            datetime: PrimitiveDateTime::new(date, time).assume_offset(offset),
            zone_name: self.zone.clone(),
        })
    }
}

fn js_candidate(f: &mut Fields<'_>) {
    let year = if f.bool() {
        f.pick(&YEARS)
    } else {
        f.u16() % 10_000
    };
    let month = f.below(12);
    let day = f.u8() % 33;
    let mut fields = JsFields {
        weekday: f.below(7),
        month,
        day,
        year,
        hour: f.u8() % 26,
        minute: f.u8() % 61,
        second: f.u8() % 62,
        negative: f.bool(),
        offset: if f.bool() {
            let minutes = f.pick(format::JS_ZONE_NAMES).1.unsigned_abs();
            minutes / 60 * 100 + minutes % 60
        } else {
            f.u16() % 10_000
        },
        zone: match f.u8() % 4 {
            0 => None,
            1 => Some(f.pick(format::JS_ZONE_NAMES).0.to_string()),
            _ => Some(f.text(40)),
        },
    };
    // Half of the time take the weekday `time` gives that date, so valid strings are common.
    if f.bool() {
        if let Some(d) = Month::try_from(u8::try_from(month + 1).unwrap_or(1))
            .ok()
            .and_then(|m| Date::from_calendar_date(i32::from(year), m, day).ok())
        {
            fields.weekday = d.weekday().number_days_from_monday().into();
        }
    }
    let reference = fields.reference();
    let s = fields.text();
    match f.u8() % 6 {
        // Broken spellings the format must reject whatever the calendar says.
        1 => js_string(&s.replacen(' ', "  ", 1), Some(false)),
        2 => js_string(&s.to_lowercase(), Some(false)),
        3 => js_string(&s.replacen("GMT", "UTC", 1), Some(false)),
        _ => js_string(&s, Some(reference.is_some())),
    }
    if let Some(d) = reference {
        assert_eq!(format::format_js_date(&d), s, "format of the reference");
        assert_eq!(format::parse_js_date(&s).as_ref(), Ok(&d), "{s:?}");
    }
}

fn js_string(s: &str, expected: Option<bool>) {
    let ours = format::parse_js_date(s);
    assert_eq!(ours.is_ok(), format::is_js_date(s), "{s:?}");
    assert_eq!(
        format::explain(format::JS_DATE, s).is_none(),
        ours.is_ok(),
        "{s:?}"
    );
    if let Some(expected) = expected {
        assert_eq!(
            ours.is_ok(),
            expected,
            "{s:?}: hookcheck says {ours:?}, the time crate's calendar says {expected}"
        );
    }
    if let Ok(d) = ours {
        assert_eq!(
            d.datetime.date().weekday(),
            WEEKDAYS
                .iter()
                .find(|(_, n)| s.starts_with(n))
                .map(|(w, _)| *w)
                .expect("a valid js-date starts with a weekday"),
            "{s:?}"
        );
        assert_eq!(format::format_js_date(&d), s, "format(parse(s)) != s");
    }
}

fn round_trips(f: &mut Fields<'_>) {
    // Any instant in years 1..=9999, any offset: format then parse gives it back, truncated to ms.
    const FIRST: i64 = -62_135_596_800; // 0001-01-01T00:00:00Z
    const LAST: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    let span = u64::try_from(LAST - FIRST + 1).unwrap_or(1);
    let secs = FIRST + i64::try_from(f.u64() % span).unwrap_or(0);
    let nanos = u32::try_from(f.u64() % 1_000_000_000).unwrap_or(0);
    let offset_secs = i32::from(f.u16() % 2880) * 60 - 86_340;
    let Ok(utc) = OffsetDateTime::from_unix_timestamp(secs) else {
        return;
    };
    let Ok(utc) = utc.replace_nanosecond(nanos) else {
        return;
    };
    let offset = UtcOffset::from_whole_seconds(offset_secs).unwrap_or(UtcOffset::UTC);
    let Some(local) = utc.checked_to_offset(offset) else {
        return;
    };
    let s = format::format_iso8601_ms_utc(local);
    let back = format::parse_iso8601_ms_utc(&s)
        .unwrap_or_else(|e| panic!("format_iso8601_ms_utc({local}) = {s:?} does not parse: {e}"));
    let truncated = utc
        .replace_nanosecond(nanos / 1_000_000 * 1_000_000)
        .unwrap_or(utc);
    assert_eq!(back, truncated, "{s:?}");
    iso_string(&s, Some(true));

    // js-date: the local fields of the same instant at a whole-minute offset within 14:00.
    let js_offset = UtcOffset::from_whole_seconds(offset_secs.clamp(-840 * 60, 840 * 60))
        .unwrap_or(UtcOffset::UTC);
    if let Some(local) = utc.checked_to_offset(js_offset) {
        if local.year() >= 1 {
            let whole = local.replace_nanosecond(0).unwrap_or(local);
            let zone = match f.u8() % 3 {
                0 => None,
                1 => Some(f.pick(format::JS_ZONE_NAMES).0.to_string()),
                _ => Some(f.text(30)).filter(|z| !z.is_empty() && !z.contains(['(', ')'])),
            };
            let d = JsDate {
                datetime: whole,
                zone_name: zone,
            };
            let s = format::format_js_date(&d);
            let parsed = format::parse_js_date(&s)
                .unwrap_or_else(|e| panic!("format_js_date gave {s:?}, which does not parse: {e}"));
            assert_eq!(parsed, d, "{s:?}");
            js_string(&s, Some(true));
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// delivery_request

const HEADER_NAMES: [&str; 12] = [
    "Content-Type",
    "Accept",
    "X-Chatwoot-Delivery",
    "X-Chatwoot-Timestamp",
    "X-Chatwoot-Signature",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "content-type",
    "X-CHATWOOT-SIGNATURE",
    "User-Agent",
    "",
];
const SECRET: &str = "fuzz-secret";
const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// An arbitrary HTTP request through [`check::check_delivery`] under the Chatwoot and Standard Webhooks
/// profiles: never panics; every rule is known; `delivery/method` appears iff the method is not `POST`;
/// the body findings are exactly what [`Catalog::validate`] reports for the body; and a request signed
/// correctly (flag bit) gets no `signature/*` finding.
///
/// Layout: flags, method, path, up to 8 headers (name choice, name, value bytes), then the body (or,
/// by flag, an embedded example's body).
pub fn delivery_request(data: &[u8]) {
    let mut f = Fields::new(data);
    let flags = f.u8();
    let standard = flags & 1 == 1;
    let sign_it = flags & 2 == 2;
    let example_body = flags & 4 == 4;
    let method = match f.u8() % 8 {
        0 => f.text(12),
        1 => "GET".to_string(),
        2 => "post".to_string(),
        _ => "POST".to_string(),
    };
    let path = f.text(40);
    let mut headers: Vec<(String, Vec<u8>)> = Vec::new();
    for _ in 0..f.u8() % 9 {
        let choice = f.below(HEADER_NAMES.len() + 1);
        let name = match HEADER_NAMES.get(choice) {
            Some(n) => n.to_string(),
            None => f.text(20),
        };
        let value = match f.u8() % 4 {
            0 => b"application/json".to_vec(),
            _ => f.bytes(80).to_vec(),
        };
        headers.push((name, value));
    }
    let body: Vec<u8> = if example_body {
        let examples = catalog().examples();
        let ex = examples[f.below(examples.len())];
        let v: Value = serde_json::from_str(ex.text).unwrap_or(Value::Null);
        let b = v.get("body").cloned().unwrap_or(v);
        serde_json::to_vec(&b).unwrap_or_default()
    } else {
        f.rest().to_vec()
    };
    let (profile, secret) = if standard {
        (DeliveryProfile::standard_webhooks(), WHSEC)
    } else {
        (DeliveryProfile::chatwoot(), SECRET)
    };
    if sign_it {
        let scheme = profile.signature.clone().expect("both profiles sign");
        let drop: Vec<String> = [
            Some(&scheme.timestamp_header),
            Some(&scheme.signature_header),
            scheme.id_header.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(|h| h.to_ascii_lowercase())
        .collect();
        headers.retain(|(k, _)| !drop.contains(&k.to_ascii_lowercase()));
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            .to_string();
        let id = "6f1c2d1e-6a53-4f0e-9a55-0d3f6b1f2c11";
        let sig = signature::sign(&scheme, secret, Some(id), &now, &body).expect("sign");
        if let Some(h) = &scheme.id_header {
            headers.push((h.clone(), id.as_bytes().to_vec()));
        }
        headers.push((scheme.timestamp_header.clone(), now.into_bytes()));
        headers.push((scheme.signature_header.clone(), sig.into_bytes()));
    }
    let d = Delivery::new(1, &method, &path, headers, body);
    let x = Expectations::new(profile.clone(), Some(secret.to_string()));
    let found = check::check_delivery(catalog(), &d, &x);
    for f in &found {
        assert!(
            is_delivery_rule(&f.rule),
            "{}: unknown rule {:?} ({f:?})",
            profile.name,
            f.rule
        );
    }
    assert_eq!(
        found.iter().any(|f| f.rule == "delivery/method"),
        method != "POST",
        "delivery/method for {method:?}"
    );
    if sign_it {
        let sig: Vec<_> = found
            .iter()
            .filter(|f| f.rule.starts_with("signature/"))
            .collect();
        assert!(
            sig.is_empty(),
            "{}: signed correctly, yet {sig:?}",
            profile.name
        );
    }
    let body_part: Vec<Finding> = found
        .iter()
        .filter(|f| !f.rule.starts_with("delivery/") && !f.rule.starts_with("signature/"))
        .cloned()
        .collect();
    let opts = Options {
        profile: x.payload_profile,
        event: None,
        max_bytes: profile.max_body_bytes,
    };
    let direct = catalog().validate(&d.body, &opts);
    assert_eq!(
        verdict(&body_part),
        verdict(&direct.findings),
        "{}: the delivery check and validate disagree on the body",
        profile.name
    );
    // Without a secret nothing is compared, so no mismatch can be reported.
    let unsigned = Expectations::new(profile, None);
    let found = check::check_delivery(catalog(), &d, &unsigned);
    assert!(!found.iter().any(|f| f.rule == "signature/mismatch"));
}

// ---------------------------------------------------------------------------------------------------
// ndjson_stream

const CAPS: [usize; 8] = [0, 1, 2, 5, 16, 100, 4096, DEFAULT_MAX_BYTES];

/// A reader that hands out its data in the chunk sizes it is given, cycling (1-byte chunks included).
pub struct Chunked<'a> {
    data: &'a [u8],
    sizes: Vec<usize>,
    next: usize,
}

impl<'a> Chunked<'a> {
    /// `data`, read in chunks of `sizes[0]`, `sizes[1]`, ... bytes (cycling; a 0 counts as 1).
    pub fn new(data: &'a [u8], sizes: Vec<usize>) -> Self {
        Self {
            data,
            sizes: if sizes.is_empty() { vec![1] } else { sizes },
            next: 0,
        }
    }
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let size = self.sizes[self.next % self.sizes.len()].max(1);
        self.next = self.next.wrapping_add(1);
        let n = size.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn collect(r: impl Read, layout: Layout, cap: usize) -> Vec<Record> {
    Records::new(r, layout, cap)
        .map(|r| r.expect("in-memory readers do not fail"))
        .collect()
}

/// The records a whole-buffer split predicts for [`Layout::Lines`]: one per `\n`-terminated line (and a
/// final unterminated one), `\r\n` counting as a terminator, blank lines skipped, lines over `cap`
/// reported by length.
pub fn expected_lines(data: &[u8], cap: usize) -> Vec<Record> {
    split_lines(data, cap)
}

fn split_lines(data: &[u8], cap: usize) -> Vec<Record> {
    let mut out = Vec::new();
    if data.is_empty() {
        return out;
    }
    let body = data.strip_suffix(b"\n").unwrap_or(data);
    for (n, line) in body.split(|b| *b == b'\n').enumerate() {
        let line = match line.strip_suffix(b"\r") {
            Some(stripped) => stripped,
            None => line,
        };
        let record = if line.len() > cap {
            Record {
                line: Some(n + 1),
                bytes: Vec::new(),
                oversize: Some(line.len()),
            }
        } else if line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
            // JSON's whitespace only (RFC 8259): a form feed is `is_ascii_whitespace` but not JSON's,
            // so a line of form feeds is a record the validator reports, not a blank line.
            continue;
        } else {
            Record {
                line: Some(n + 1),
                bytes: line.to_vec(),
                oversize: None,
            }
        };
        out.push(record);
    }
    out
}

/// Byte 0: layout (bits 0-1) and cap (bits 2-4); byte 1: how many chunk sizes follow (1-16); those
/// bytes are chunk sizes (0 = 1 byte, 255 = 8 KiB); the rest is the stream. The records must not depend
/// on the chunking; for lines they must be [`expected_lines`].
pub fn ndjson_stream(data: &[u8]) {
    let mut f = Fields::new(data);
    let b0 = f.u8();
    let layout = match b0 & 3 {
        0 | 3 => Layout::Lines,
        1 => Layout::Document,
        _ => Layout::Sniff,
    };
    let cap = CAPS[usize::from(b0 >> 2) % CAPS.len()];
    let n = usize::from(f.u8() % 16) + 1;
    let sizes: Vec<usize> = f
        .take(n)
        .iter()
        .map(|b| if *b == 255 { 8192 } else { usize::from(*b) })
        .collect();
    let stream = f.rest();
    let whole = collect(stream, layout, cap);
    let chunked = collect(Chunked::new(stream, sizes.clone()), layout, cap);
    assert_eq!(
        whole, chunked,
        "{layout:?} cap {cap}: records differ when read in chunks of {sizes:?}"
    );
    let bytewise = collect(Chunked::new(stream, vec![1]), layout, cap);
    assert_eq!(whole, bytewise, "{layout:?} cap {cap}: 1-byte chunks");
    match layout {
        Layout::Lines => {
            let expected = expected_lines(stream, cap);
            assert_eq!(whole, expected, "cap {cap}: the stream's lines");
        }
        Layout::Document => {
            let expected = if stream.len() > cap {
                // Reading stops one byte past the cap: the length of the rest is never measured.
                Record {
                    line: None,
                    bytes: Vec::new(),
                    oversize: Some(crate::input::UNMEASURED),
                }
            } else {
                Record {
                    line: None,
                    bytes: stream.to_vec(),
                    oversize: None,
                }
            };
            assert_eq!(whole, vec![expected], "cap {cap}: one document");
        }
        Layout::Sniff => {}
    }
}
