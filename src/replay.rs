//! Delivery files and re-sending: one mechanism for `listen --record`, the "reproduce" lines of reports and
//! `hookcheck fire --save/--replay`.
//!
//! ## The delivery file
//!
//! One JSON object per file (`*.json`), written by [`DeliveryFile::to_json`]:
//!
//! ```json
//! {
//!   "hookcheck_delivery": 1,
//!   "method": "POST",
//!   "path": "/hooks/chatwoot?x=1",
//!   "headers": [["content-type", "application/json"], ["x-chatwoot-signature", "sha256=..."]],
//!   "raw_body": "{\"event\":\"contact_created\",...}",
//!   "received_at": 1781699696.123,
//!   "note": "free text"
//! }
//! ```
//!
//! * `headers`: every header as received, in order; a repeated header is kept as separate entries; names are
//!   lowercased; a value that is not valid UTF-8 is written as `{"base64": "..."}` instead of a string, so
//!   nothing is lost.
//! * `raw_body`: the exact body, when it is valid UTF-8; otherwise `raw_body_base64` carries the exact bytes
//!   (standard base64, padded). Exactly one of the two is present.
//! * `received_at` (Unix seconds, fractional) and `note` are optional.
//!
//! Writers never write a secret: a delivery does not contain one (signatures are fine).
//!
//! ## The old `listen --record` format
//!
//! Before format 1, `listen --record` wrote `{"method", "path", "received_at", "headers": {name: value},
//! "raw_body", "body"}`. [`DeliveryFile::from_json`] still reads those files (a file without
//! `hookcheck_delivery` that has `method`, `headers` as an object and a string `raw_body`), with two losses
//! that were in the files already: repeated headers had been merged into one, and invalid UTF-8 in the body
//! had been replaced by U+FFFD. Anything else is rejected with an error naming the file and the JSON Pointer
//! of what is wrong.
//!
//! ## Re-sending
//!
//! ```no_run
//! # async fn demo() -> Result<(), hookcheck::replay::ReplayError> {
//! use std::{path::Path, time::Duration};
//! use hookcheck::{check::DeliveryProfile, replay::{resend, DeliveryFile, Resign}};
//!
//! for (path, file) in DeliveryFile::read_all(Path::new("deliveries/"))? {
//!     // Byte for byte, with the recorded signature (a consumer checking timestamps will refuse it) ...
//!     let outcome = resend(&file, "http://127.0.0.1:3000", None, Duration::from_secs(5)).await?;
//!     println!("{}: HTTP {}", path.display(), outcome.status);
//!     // ... or re-signed with a fresh timestamp.
//!     let resign = Resign { secret: "s3cret".into(), profile: DeliveryProfile::chatwoot() };
//!     resend(&file, "http://127.0.0.1:3000", Some(&resign), Duration::from_secs(5)).await?;
//! }
//! # Ok(()) }
//! ```
use std::{
    fs,
    io::{self, Read, Write},
    path::{Path, PathBuf},
    time::{Duration, UNIX_EPOCH},
};

use base64::{engine::general_purpose::STANDARD, Engine as _};
use serde_json::{Map, Value};

use crate::{check::DeliveryProfile, delivery::Delivery, signature};

/// The value of `hookcheck_delivery` this version writes and reads.
pub const FORMAT_VERSION: u64 = 1;

/// Largest delivery file [`DeliveryFile::read`] accepts: a body at the largest built-in cap (4 MiB) written
/// as base64 or with every byte escaped still fits.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// How much of a response body [`resend`] keeps.
pub const MAX_RESPONSE_BODY: usize = 64 * 1024;

/// Headers that describe one hop or the framing of one request, never re-sent as recorded: the HTTP
/// client writes its own.
const NOT_RESENT: &[&str] = &[
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
];

/// Why a delivery file could not be read or re-sent. Messages name the file and the JSON Pointer of what
/// is wrong; none quotes a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The file or directory could not be read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error("`{path}` is over {limit} bytes, too large for a delivery file")]
    TooLarge {
        /// The path.
        path: PathBuf,
        /// The limit.
        limit: u64,
    },
    /// The file is not a delivery file.
    #[error("{file}: at {pointer}: {message}")]
    Format {
        /// The file (or other source) read.
        file: String,
        /// JSON Pointer of the offending value (`(root)` for the whole document).
        pointer: String,
        /// What is wrong.
        message: String,
    },
    /// A delivery file could not be written.
    #[error("cannot write `{path}`: {source}")]
    Write {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The target URL or the recorded request cannot be sent.
    #[error("cannot send to `{url}`: {reason}")]
    Request {
        /// The URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// Re-signing failed (no signing scheme, a bad secret, a missing id the scheme signs).
    #[error("cannot re-sign: {0}")]
    Resign(String),
}

/// One recorded delivery: the request exactly as received.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryFile {
    /// HTTP method.
    pub method: String,
    /// Path and query, e.g. `/hooks?x=1`.
    pub path: String,
    /// Every header in arrival order, names lowercased, values as raw bytes; repeated headers are separate.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The exact body.
    pub body: Vec<u8>,
    /// Arrival time in Unix seconds.
    pub received_at: Option<f64>,
    /// Free text (e.g. `fire`'s phase, rule and event).
    pub note: Option<String>,
}

impl DeliveryFile {
    /// The file of a received delivery.
    pub fn from_delivery(d: &Delivery) -> Self {
        Self {
            method: d.method.clone(),
            path: d.path.clone(),
            headers: d.headers.clone(),
            body: d.body.clone(),
            received_at: d
                .received_at
                .duration_since(UNIX_EPOCH)
                .ok()
                .map(|t| t.as_secs_f64()),
            note: None,
        }
    }

    /// The delivery this file records, as the checks take it (`index` is its place in a run).
    pub fn to_delivery(&self, index: usize) -> Delivery {
        let mut d = Delivery::new(
            index,
            &self.method,
            &self.path,
            self.headers.clone(),
            self.body.clone(),
        );
        if let Some(t) = self.received_at.filter(|t| t.is_finite() && *t >= 0.0) {
            d.received_at = UNIX_EPOCH + Duration::from_secs_f64(t.min(1e12));
        }
        d
    }

    /// Every value of a header (case-insensitive).
    pub fn header_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// The file format (see the module docs): one key per line, one header per line, ending with a
    /// newline.
    pub fn to_json(&self) -> Vec<u8> {
        // Serialising strings and numbers cannot fail; `text` keeps that in one place.
        fn text<T: serde::Serialize + ?Sized>(v: &T) -> String {
            serde_json::to_string(v).unwrap_or_default()
        }
        let mut out = String::with_capacity(self.body.len() + 256 + self.headers.len() * 48);
        out.push_str(&format!(
            "{{\n  \"hookcheck_delivery\": {FORMAT_VERSION},\n"
        ));
        out.push_str(&format!("  \"method\": {},\n", text(&self.method)));
        out.push_str(&format!("  \"path\": {},\n", text(&self.path)));
        out.push_str("  \"headers\": [");
        for (i, (k, v)) in self.headers.iter().enumerate() {
            let value = match std::str::from_utf8(v) {
                Ok(t) => text(t),
                Err(_) => format!("{{\"base64\": {}}}", text(&STANDARD.encode(v))),
            };
            let sep = if i == 0 { "\n" } else { ",\n" };
            out.push_str(&format!(
                "{sep}    [{}, {value}]",
                text(&k.to_ascii_lowercase())
            ));
        }
        out.push_str(if self.headers.is_empty() {
            "],\n"
        } else {
            "\n  ],\n"
        });
        match std::str::from_utf8(&self.body) {
            Ok(t) => out.push_str(&format!("  \"raw_body\": {}", text(t))),
            Err(_) => out.push_str(&format!(
                "  \"raw_body_base64\": {}",
                text(&STANDARD.encode(&self.body))
            )),
        }
        if let Some(t) = self.received_at.and_then(serde_json::Number::from_f64) {
            out.push_str(&format!(",\n  \"received_at\": {t}"));
        }
        if let Some(n) = &self.note {
            out.push_str(&format!(",\n  \"note\": {}", text(n)));
        }
        out.push_str("\n}\n");
        out.into_bytes()
    }

    /// Reads the file format (or the old `listen --record` format, see the module docs). `source` names the
    /// file in errors.
    ///
    /// # Errors
    /// [`ReplayError::Format`] naming `source` and the JSON Pointer of what is wrong.
    pub fn from_json(bytes: &[u8], source: &str) -> Result<Self, ReplayError> {
        let bad = |pointer: &str, message: String| ReplayError::Format {
            file: source.to_string(),
            pointer: if pointer.is_empty() {
                "(root)".into()
            } else {
                pointer.to_string()
            },
            message,
        };
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| bad("", format!("not JSON: {e}")))?;
        let Value::Object(o) = value else {
            return Err(bad(
                "",
                format!("expected an object, found {}", kind(&value)),
            ));
        };
        match o.get("hookcheck_delivery") {
            Some(v) if v.as_u64() == Some(FORMAT_VERSION) => Self::from_v1(&o, &bad),
            Some(v) => Err(bad(
                "/hookcheck_delivery",
                format!(
                    "format version {} is not supported (this hookcheck reads {FORMAT_VERSION})",
                    crate::finding::shorten(v)
                ),
            )),
            None if o.get("raw_body").is_some_and(Value::is_string)
                && o.get("headers").is_some_and(Value::is_object)
                && o.contains_key("method") =>
            {
                Self::from_legacy(&o, &bad)
            }
            None => Err(bad(
                "",
                "not a delivery file: no `hookcheck_delivery` key (and not the old listen --record format)"
                    .into(),
            )),
        }
    }

    fn from_v1(
        o: &Map<String, Value>,
        bad: &dyn Fn(&str, String) -> ReplayError,
    ) -> Result<Self, ReplayError> {
        let method = text_field(o, "method", bad)?;
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(bad("/method", format!("not an HTTP method: {method:?}")));
        }
        let path = text_field(o, "path", bad)?;
        if !path.starts_with('/') {
            return Err(bad("/path", format!("must start with `/`, found {path:?}")));
        }
        let Some(Value::Array(list)) = o.get("headers") else {
            return Err(bad(
                "/headers",
                "expected an array of [name, value] pairs".into(),
            ));
        };
        let mut headers = Vec::with_capacity(list.len());
        for (i, pair) in list.iter().enumerate() {
            let at = format!("/headers/{i}");
            let (name, value) = match pair.as_array().map(Vec::as_slice) {
                Some([Value::String(n), v]) => (n, v),
                _ => return Err(bad(&at, "expected [name, value] with a string name".into())),
            };
            if name.is_empty() || !name.bytes().all(is_token_byte) {
                return Err(bad(
                    &format!("{at}/0"),
                    format!("not a header name: {name:?}"),
                ));
            }
            let bytes = match value {
                Value::String(s) => s.as_bytes().to_vec(),
                Value::Object(b) => match b.get("base64").and_then(Value::as_str) {
                    Some(enc) if b.len() == 1 => STANDARD.decode(enc).map_err(|e| {
                        bad(
                            &format!("{at}/1/base64"),
                            format!("not standard base64: {e}"),
                        )
                    })?,
                    _ => {
                        return Err(bad(
                            &format!("{at}/1"),
                            "expected a string or {\"base64\": \"...\"}".into(),
                        ))
                    }
                },
                other => {
                    return Err(bad(
                        &format!("{at}/1"),
                        format!(
                            "expected a string or {{\"base64\": ...}}, found {}",
                            kind(other)
                        ),
                    ))
                }
            };
            headers.push((name.to_ascii_lowercase(), bytes));
        }
        let body = match (o.get("raw_body"), o.get("raw_body_base64")) {
            (Some(Value::String(s)), None) => s.as_bytes().to_vec(),
            (None, Some(Value::String(enc))) => STANDARD
                .decode(enc)
                .map_err(|e| bad("/raw_body_base64", format!("not standard base64: {e}")))?,
            (Some(_), Some(_)) => {
                return Err(bad(
                    "",
                    "both `raw_body` and `raw_body_base64`: a file has exactly one".into(),
                ))
            }
            (None, None) => {
                return Err(bad(
                    "",
                    "no body: expected `raw_body` (text) or `raw_body_base64`".into(),
                ))
            }
            (Some(other), None) => {
                return Err(bad(
                    "/raw_body",
                    format!("expected a string, found {}", kind(other)),
                ))
            }
            (None, Some(other)) => {
                return Err(bad(
                    "/raw_body_base64",
                    format!("expected a string, found {}", kind(other)),
                ))
            }
        };
        Ok(Self {
            method,
            path,
            headers,
            body,
            received_at: optional_time(o, bad)?,
            note: match o.get("note") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(other) => {
                    return Err(bad(
                        "/note",
                        format!("expected a string, found {}", kind(other)),
                    ))
                }
            },
        })
    }

    fn from_legacy(
        o: &Map<String, Value>,
        bad: &dyn Fn(&str, String) -> ReplayError,
    ) -> Result<Self, ReplayError> {
        let method = text_field(o, "method", bad)?;
        let path = text_field(o, "path", bad)?;
        let mut headers = Vec::new();
        if let Some(Value::Object(h)) = o.get("headers") {
            for (k, v) in h {
                let Value::String(s) = v else {
                    return Err(bad(
                        &crate::finding::push_token("/headers", k),
                        format!("expected a string, found {}", kind(v)),
                    ));
                };
                headers.push((k.to_ascii_lowercase(), s.as_bytes().to_vec()));
            }
        }
        let body = o
            .get("raw_body")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .as_bytes()
            .to_vec();
        Ok(Self {
            method,
            path,
            headers,
            body,
            received_at: optional_time(o, bad)?,
            note: None,
        })
    }

    /// Reads one delivery file (at most [`MAX_FILE_BYTES`]).
    ///
    /// # Errors
    /// The file cannot be read, is too large, or is not a delivery file.
    pub fn read(path: &Path) -> Result<Self, ReplayError> {
        let file = fs::File::open(path).map_err(|source| ReplayError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|source| ReplayError::Read {
                path: path.to_path_buf(),
                source,
            })?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(ReplayError::TooLarge {
                path: path.to_path_buf(),
                limit: MAX_FILE_BYTES,
            });
        }
        Self::from_json(&bytes, &path.display().to_string())
    }

    /// A file, or every `*.json` file directly in a directory, in name order. The first file that is not a
    /// delivery file stops the reading with its error (a replay must not silently skip a delivery).
    ///
    /// # Errors
    /// The path cannot be read, or a file is not a delivery file.
    pub fn read_all(path: &Path) -> Result<Vec<(PathBuf, DeliveryFile)>, ReplayError> {
        let meta = fs::metadata(path).map_err(|source| ReplayError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        if !meta.is_dir() {
            return Ok(vec![(path.to_path_buf(), Self::read(path)?)]);
        }
        let mut files = Vec::new();
        for entry in fs::read_dir(path).map_err(|source| ReplayError::Read {
            path: path.to_path_buf(),
            source,
        })? {
            let entry = entry.map_err(|source| ReplayError::Read {
                path: path.to_path_buf(),
                source,
            })?;
            let p = entry.path();
            if p.extension().is_some_and(|e| e == "json") && p.is_file() {
                files.push(p);
            }
        }
        files.sort();
        files
            .into_iter()
            .map(|p| Self::read(&p).map(|f| (p, f)))
            .collect()
    }

    /// Writes the file as a new file `dir/name` (never replacing one: `O_EXCL`), and flushes it to the
    /// operating system; with `sync`, also to the disk. `name` must be a plain file name (see
    /// [`file_name`]); on failure a partly written file is removed.
    ///
    /// # Errors
    /// [`ReplayError::Write`] (the file exists, the disk is full, the directory is read-only, ...).
    pub fn write_new(&self, dir: &Path, name: &str, sync: bool) -> Result<PathBuf, ReplayError> {
        let path = dir.join(name);
        let fail = |source: io::Error| ReplayError::Write {
            path: path.clone(),
            source,
        };
        if name.is_empty() || name.contains(['/', '\\', '\0']) || name == "." || name == ".." {
            return Err(fail(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a plain file name",
            )));
        }
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(fail)?;
        let written = file
            .write_all(&self.to_json())
            .and_then(|()| file.flush())
            .and_then(|()| if sync { file.sync_data() } else { Ok(()) });
        if let Err(e) = written {
            drop(file);
            let _ = fs::remove_file(&path);
            return Err(fail(e));
        }
        Ok(path)
    }
}

/// A safe file name for the `index`-th delivery of `event`: `000042-message_created.json`. The event name
/// comes from the payload, so only ASCII letters, digits, `_` and `-` are kept (others become `_`), at most
/// [`MAX_EVENT_IN_NAME`] of them; no event gives `unknown`.
pub fn file_name(index: u64, event: Option<&str>) -> String {
    let mut stem: String = event
        .unwrap_or("")
        .chars()
        .take(MAX_EVENT_IN_NAME)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.is_empty() {
        stem.push_str("unknown");
    }
    format!("{index:06}-{stem}.json")
}

/// How many characters of an event name go into a file name.
pub const MAX_EVENT_IN_NAME: usize = 48;

/// Re-signing on [`resend`]: a fresh timestamp and a signature by `secret` over the exact body.
#[derive(Clone)]
pub struct Resign {
    /// The webhook secret (never printed: `Debug` hides it).
    pub secret: String,
    /// The delivery profile whose signing scheme is used.
    pub profile: DeliveryProfile,
}

impl std::fmt::Debug for Resign {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resign")
            .field("secret", &"(hidden)")
            .field("profile", &self.profile.name)
            .finish()
    }
}

impl Resign {
    /// The headers to send: the recorded ones, with the scheme's timestamp header set to `now` (Unix
    /// seconds) and its signature header to a signature over the exact body. Both replace the recorded
    /// values in place (every recorded copy of them goes), or are appended when they were not recorded.
    ///
    /// # Errors
    /// [`ReplayError::Resign`]: the profile has no signing scheme, the secret is unusable, or the scheme
    /// signs a delivery id the file does not carry.
    pub fn headers(
        &self,
        file: &DeliveryFile,
        now: u64,
    ) -> Result<Vec<(String, Vec<u8>)>, ReplayError> {
        let scheme = self.profile.signature.as_ref().ok_or_else(|| {
            ReplayError::Resign(format!(
                "delivery profile {} does not sign deliveries",
                self.profile.name
            ))
        })?;
        let id = scheme.id_header.as_deref().and_then(|h| {
            file.header_all(h)
                .next()
                .and_then(|v| std::str::from_utf8(v).ok())
        });
        let ts = now.to_string();
        let sig = signature::sign(scheme, &self.secret, id, &ts, &file.body)
            .map_err(|e| ReplayError::Resign(e.to_string()))?;
        let mut headers = file.headers.clone();
        set_header(&mut headers, &scheme.timestamp_header, ts.into_bytes());
        set_header(&mut headers, &scheme.signature_header, sig.into_bytes());
        Ok(headers)
    }
}

fn set_header(headers: &mut Vec<(String, Vec<u8>)>, name: &str, value: Vec<u8>) {
    let name = name.to_ascii_lowercase();
    match headers.iter().position(|(k, _)| *k == name) {
        Some(first) => {
            headers[first].1 = value;
            let mut i = 0;
            headers.retain(|(k, _)| {
                i += 1;
                i - 1 == first || *k != name
            });
        }
        None => headers.push((name, value)),
    }
}

#[cfg(feature = "fire")]
/// What the target answered to a re-sent delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResendOutcome {
    /// HTTP status.
    pub status: u16,
    /// Response headers, names lowercased.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The first [`MAX_RESPONSE_BODY`] bytes of the response body.
    pub body: Vec<u8>,
    /// Whether the body was longer than what is kept.
    pub body_truncated: bool,
    /// From sending to the end of the kept body.
    pub elapsed: Duration,
}

#[cfg(feature = "fire")]
/// Re-sends a recorded delivery to `url`: the same method, the recorded path appended to `url` (whose own
/// path is a prefix, e.g. `http://host:3000/base`), the same headers except the hop-by-hop ones and
/// `Host`/`Content-Length`, and the exact body. With `resign`, see [`Resign::headers`].
///
/// One client per call; see [`resend_with`] to re-send many deliveries over one connection pool.
///
/// # Errors
/// [`ReplayError::Request`] (bad URL, connection refused, timeout, a recorded header the HTTP client
/// refuses), [`ReplayError::Resign`].
pub async fn resend(
    file: &DeliveryFile,
    url: &str,
    resign: Option<&Resign>,
    timeout: Duration,
) -> Result<ResendOutcome, ReplayError> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ReplayError::Request {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
    resend_with(&client, file, url, resign, timeout).await
}

#[cfg(feature = "fire")]
/// [`resend`] with a given client (its redirect policy applies; hookcheck's own uses none).
///
/// # Errors
/// As [`resend`].
pub async fn resend_with(
    client: &reqwest::Client,
    file: &DeliveryFile,
    url: &str,
    resign: Option<&Resign>,
    timeout: Duration,
) -> Result<ResendOutcome, ReplayError> {
    let fail = |reason: String| ReplayError::Request {
        url: url.to_string(),
        reason,
    };
    let target = target_url(url, &file.path);
    let method = reqwest::Method::from_bytes(file.method.as_bytes())
        .map_err(|_| fail(format!("recorded method {:?} is not valid", file.method)))?;
    let headers = match resign {
        Some(r) => {
            let now = std::time::SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            r.headers(file, now)?
        }
        None => file.headers.clone(),
    };
    let mut map = reqwest::header::HeaderMap::new();
    for (k, v) in &headers {
        if NOT_RESENT.contains(&k.as_str()) {
            continue;
        }
        let name = reqwest::header::HeaderName::from_bytes(k.as_bytes())
            .map_err(|_| fail(format!("recorded header name {k:?} is not valid")))?;
        let value = reqwest::header::HeaderValue::from_bytes(v)
            .map_err(|_| fail(format!("recorded value of header {k} is not valid in HTTP")))?;
        map.append(name, value);
    }
    let started = std::time::Instant::now();
    let request = client
        .request(method, &target)
        .headers(map)
        .timeout(timeout)
        .body(file.body.clone());
    let mut response = request.send().await.map_err(|e| fail(describe(&e)))?;
    let status = response.status().as_u16();
    let response_headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.as_bytes().to_vec()))
        .collect();
    let mut body = Vec::new();
    let mut body_truncated = false;
    while let Some(chunk) = response.chunk().await.map_err(|e| fail(describe(&e)))? {
        let room = MAX_RESPONSE_BODY - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            body_truncated = true;
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(ResendOutcome {
        status,
        headers: response_headers,
        body,
        body_truncated,
        elapsed: started.elapsed(),
    })
}

#[cfg(feature = "fire")]
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_builder() {
        format!("not a usable http:// URL ({e})")
    } else {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        text
    }
}

/// `url` (its trailing `/` dropped) followed by the recorded path.
fn target_url(url: &str, path: &str) -> String {
    format!("{}{path}", url.trim_end_matches('/'))
}

/// Bodies up to this size, as text without NUL, are written into a [`curl_line`] inline.
pub const INLINE_BODY_MAX: usize = 4096;

/// A `curl` command line (bash) that re-sends the delivery to `url` byte for byte, for reports. Every
/// recorded value is shell-quoted, and control characters are written as `$'\xNN'` escapes, so the line
/// is one line and nothing in it runs or reaches the terminal as-is. The body goes inline when it is short
/// text; otherwise it is read from the delivery file at `file_path` with `jq` (and `base64 -d` for a binary
/// body), or, without a file, decoded from base64 inline. A `url` of the form `$NAME` (for instance
/// `$WEBHOOK_URL`) is left to the shell: the line then reads `"$NAME"'/path'`.
pub fn curl_line(file_path: Option<&Path>, file: &DeliveryFile, url: &str) -> String {
    let mut cmd = String::new();
    let inline = file.body.len() <= INLINE_BODY_MAX
        && std::str::from_utf8(&file.body).is_ok()
        && !file.body.contains(&0);
    let data = if inline {
        format!("--data-binary {}", shell_quote(&file.body))
    } else {
        match (file_path, std::str::from_utf8(&file.body).is_ok()) {
            (Some(p), true) => {
                cmd.push_str(&format!(
                    "jq -j .raw_body {} | ",
                    shell_quote(p.as_os_str().as_encoded_bytes())
                ));
            }
            (Some(p), false) => {
                cmd.push_str(&format!(
                    "jq -r .raw_body_base64 {} | base64 -d | ",
                    shell_quote(p.as_os_str().as_encoded_bytes())
                ));
            }
            (None, _) => {
                cmd.push_str(&format!(
                    "printf %s {} | base64 -d | ",
                    STANDARD.encode(&file.body)
                ));
            }
        }
        "--data-binary @-".to_string()
    };
    let target = match shell_variable(url) {
        // `"$WEBHOOK_URL"'/path'`: the shell supplies the base URL.
        Some(var) => format!(
            "\"${var}\"{}",
            shell_quote(target_url("", &file.path).as_bytes())
        ),
        None => shell_quote(target_url(url, &file.path).as_bytes()),
    };
    cmd.push_str(&format!(
        "curl -sS -X {} {target}",
        shell_quote(file.method.as_bytes()),
    ));
    for (k, v) in &file.headers {
        if NOT_RESENT.contains(&k.as_str()) {
            continue;
        }
        let mut h = k.as_bytes().to_vec();
        h.extend_from_slice(b": ");
        h.extend_from_slice(v);
        cmd.push_str(" -H ");
        cmd.push_str(&shell_quote(&h));
    }
    cmd.push(' ');
    cmd.push_str(&data);
    cmd
}

/// `$NAME` (an upper-case shell variable name) gives `NAME`.
fn shell_variable(url: &str) -> Option<&str> {
    let name = url.strip_prefix('$')?;
    (!name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'))
    .then_some(name)
}

/// Bash quoting: `'...'` for text without control characters, else `$'...'` with `\xNN` escapes (and
/// escapes for bidirectional-override characters, which could reorder what a terminal shows).
pub fn shell_quote(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.chars().any(crate::escape::is_hazard) => {
            format!("'{}'", text.replace('\'', r"'\''"))
        }
        _ => {
            let mut out = String::from("$'");
            for chunk in bytes.utf8_chunks() {
                for c in chunk.valid().chars() {
                    match c {
                        '\'' => out.push_str(r"\'"),
                        '\\' => out.push_str(r"\\"),
                        c if crate::escape::is_hazard(c) => {
                            let mut buf = [0u8; 4];
                            for b in c.encode_utf8(&mut buf).bytes() {
                                out.push_str(&format!("\\x{b:02x}"));
                            }
                        }
                        c => out.push(c),
                    }
                }
                for b in chunk.invalid() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            out.push('\'');
            out
        }
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn text_field(
    o: &Map<String, Value>,
    key: &str,
    bad: &dyn Fn(&str, String) -> ReplayError,
) -> Result<String, ReplayError> {
    match o.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(bad(
            &format!("/{key}"),
            format!("expected a string, found {}", kind(other)),
        )),
        None => Err(bad("", format!("missing `{key}`"))),
    }
}

fn optional_time(
    o: &Map<String, Value>,
    bad: &dyn Fn(&str, String) -> ReplayError,
) -> Result<Option<f64>, ReplayError> {
    match o.get("received_at") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(other) => Err(bad(
            "/received_at",
            format!("expected Unix seconds, found {}", kind(other)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DeliveryFile {
        DeliveryFile {
            method: "POST".into(),
            path: "/hooks?x=1".into(),
            headers: vec![
                ("content-type".into(), b"application/json".to_vec()),
                ("x-dup".into(), b"one".to_vec()),
                ("x-dup".into(), b"two".to_vec()),
                ("x-bin".into(), vec![0xff, b'a', 0x80]),
            ],
            body: br#"{"event":"contact_created","a":"\u003c"}"#.to_vec(),
            received_at: Some(1_781_699_696.125),
            note: Some("phase=examples".into()),
        }
    }

    #[test]
    fn round_trip_keeps_exact_bytes_and_every_header() {
        let f = sample();
        let json = f.to_json();
        let back = DeliveryFile::from_json(&json, "t.json").unwrap();
        assert_eq!(back, f);
        let v: Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(v["hookcheck_delivery"], 1);
        assert_eq!(v["headers"][1], serde_json::json!(["x-dup", "one"]));
        assert_eq!(v["headers"][2], serde_json::json!(["x-dup", "two"]));
        assert_eq!(v["headers"][3][1]["base64"], "/2GA");
        assert_eq!(v["raw_body"], r#"{"event":"contact_created","a":"\u003c"}"#);
        assert!(v.get("raw_body_base64").is_none());
    }

    #[test]
    fn binary_bodies_are_base64() {
        let mut f = sample();
        f.body = vec![b'{', 0xc3, 0x28, b'}', 0];
        let json = f.to_json();
        let v: Value = serde_json::from_slice(&json).unwrap();
        assert!(v.get("raw_body").is_none());
        assert_eq!(v["raw_body_base64"], STANDARD.encode(&f.body));
        assert_eq!(DeliveryFile::from_json(&json, "t").unwrap().body, f.body);
    }

    #[test]
    fn errors_name_the_file_and_the_pointer() {
        let cases: &[(&str, &str)] = &[
            ("[1]", "(root)"),
            ("{}", "(root)"),
            (r#"{"hookcheck_delivery":2}"#, "/hookcheck_delivery"),
            (
                r#"{"hookcheck_delivery":1,"method":"POST","path":"/","headers":[["a",1]],"raw_body":""}"#,
                "/headers/0/1",
            ),
            (
                r#"{"hookcheck_delivery":1,"method":"POST","path":"/","headers":[["a b","x"]],"raw_body":""}"#,
                "/headers/0/0",
            ),
            (
                r#"{"hookcheck_delivery":1,"method":"POST","path":"/","headers":[],"raw_body_base64":"!!"}"#,
                "/raw_body_base64",
            ),
            (
                r#"{"hookcheck_delivery":1,"method":"POST","path":"/","headers":[]}"#,
                "(root)",
            ),
            (
                r#"{"hookcheck_delivery":1,"method":7,"path":"/","headers":[],"raw_body":""}"#,
                "/method",
            ),
            (
                r#"{"hookcheck_delivery":1,"method":"POST","path":"x","headers":[],"raw_body":""}"#,
                "/path",
            ),
            (
                r#"{"hookcheck_delivery":1,"method":"POST","path":"/","headers":[],"raw_body":"","received_at":"x"}"#,
                "/received_at",
            ),
        ];
        for (text, pointer) in cases {
            let e = DeliveryFile::from_json(text.as_bytes(), "dir/f.json").unwrap_err();
            let msg = e.to_string();
            assert!(msg.starts_with("dir/f.json: at "), "{msg}");
            let ReplayError::Format { pointer: p, .. } = &e else {
                panic!("{e:?}")
            };
            assert_eq!(p, pointer, "{text}: {msg}");
        }
    }

    #[test]
    fn the_old_listen_format_is_read() {
        let old = r#"{"method":"POST","path":"/hooks","received_at":1700000000,
            "headers":{"content-type":"application/json","X-Chatwoot-Delivery":"abc"},
            "raw_body":"{\"event\":\"contact_created\"}","body":{"event":"contact_created"}}"#;
        let f = DeliveryFile::from_json(old.as_bytes(), "old.json").unwrap();
        assert_eq!(f.body, br#"{"event":"contact_created"}"#);
        assert_eq!(
            f.headers[1],
            ("x-chatwoot-delivery".into(), b"abc".to_vec())
        );
        assert_eq!(f.received_at, Some(1_700_000_000.0));
    }

    #[test]
    fn file_names_are_sanitised_and_capped() {
        assert_eq!(
            file_name(7, Some("message_created")),
            "000007-message_created.json"
        );
        assert_eq!(file_name(1, None), "000001-unknown.json");
        assert_eq!(file_name(1, Some("")), "000001-unknown.json");
        assert_eq!(
            file_name(2, Some("x/../../pwned")),
            "000002-x_______pwned.json"
        );
        assert_eq!(file_name(3, Some("a\0b\nc")), "000003-a_b_c.json");
        let long = file_name(4, Some(&"e".repeat(10_000)));
        assert_eq!(
            long.len(),
            "000004-".len() + MAX_EVENT_IN_NAME + ".json".len()
        );
        assert_eq!(file_name(5, Some("é")), "000005-_.json");
    }

    #[test]
    fn write_new_never_replaces_and_stays_in_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let f = sample();
        let p = f.write_new(dir.path(), "000001-x.json", false).unwrap();
        assert_eq!(DeliveryFile::read(&p).unwrap(), f);
        let e = f.write_new(dir.path(), "000001-x.json", false).unwrap_err();
        assert!(
            matches!(&e, ReplayError::Write { source, .. } if source.kind() == io::ErrorKind::AlreadyExists)
        );
        for bad in ["../x.json", "a/b.json", "..", ""] {
            assert!(f.write_new(dir.path(), bad, false).is_err(), "{bad}");
        }
        let all = DeliveryFile::read_all(dir.path()).unwrap();
        assert_eq!(all.len(), 1);
    }

    #[test]
    fn resign_replaces_timestamp_and_signature_in_place() {
        let mut f = sample();
        f.headers
            .push(("x-chatwoot-timestamp".into(), b"1".to_vec()));
        f.headers
            .push(("x-chatwoot-signature".into(), b"sha256=00".to_vec()));
        f.headers
            .push(("x-chatwoot-signature".into(), b"sha256=11".to_vec()));
        let r = Resign {
            secret: "s3cret".into(),
            profile: DeliveryProfile::chatwoot(),
        };
        let h = r.headers(&f, 1_800_000_000).unwrap();
        let sigs: Vec<_> = h
            .iter()
            .filter(|(k, _)| k == "x-chatwoot-signature")
            .collect();
        assert_eq!(sigs.len(), 1);
        let sig = std::str::from_utf8(&sigs[0].1).unwrap();
        signature::verify(
            &signature::Scheme::chatwoot(),
            "s3cret",
            None,
            "1800000000",
            &f.body,
            sig,
        )
        .unwrap();
        assert!(h.contains(&("x-chatwoot-timestamp".into(), b"1800000000".to_vec())));
        assert!(!format!("{r:?}").contains("s3cret"));
        let unsigned = Resign {
            secret: "s".into(),
            profile: DeliveryProfile::chatwoot_unsigned(),
        };
        assert!(matches!(
            unsigned.headers(&f, 1),
            Err(ReplayError::Resign(_))
        ));
    }

    #[test]
    fn curl_lines_are_one_line_and_quote_everything() {
        let mut f = sample();
        f.headers
            .push(("x-evil".into(), b"a'b\n#999 \x1b[31m".to_vec()));
        let line = curl_line(None, &f, "http://127.0.0.1:9/");
        assert!(!line.contains('\n') && !line.contains('\x1b'), "{line}");
        assert!(
            line.contains(r"-H $'x-evil: a\'b\x0a#999 \x1b[31m'"),
            "{line}"
        );
        assert!(line.contains("'http://127.0.0.1:9/hooks?x=1'"), "{line}");
        assert!(line.contains(r#"--data-binary '{"event":"contact_created","a":"\u003c"}'"#));
        f.body = vec![0xff, 0, 1];
        let line = curl_line(Some(Path::new("d/1.json")), &f, "http://h");
        assert!(
            line.starts_with("jq -r .raw_body_base64 'd/1.json' | base64 -d | curl"),
            "{line}"
        );
        let line = curl_line(None, &f, "http://h");
        assert!(
            line.starts_with("printf %s /wAB | base64 -d | curl"),
            "{line}"
        );
    }

    #[cfg(feature = "fire")]
    #[tokio::test]
    async fn resend_sends_the_exact_bytes_and_headers() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            // One request: the head, then as many body bytes as Content-Length says.
            loop {
                let n = s.read(&mut buf).await.unwrap();
                assert!(n > 0, "connection closed early");
                got.extend_from_slice(&buf[..n]);
                if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
                    let len: usize = head
                        .split("content-length: ")
                        .nth(1)
                        .and_then(|r| r.split("\r\n").next())
                        .unwrap()
                        .parse()
                        .unwrap();
                    if got.len() >= end + 4 + len {
                        break;
                    }
                }
            }
            s.write_all(
                b"HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
            )
            .await
            .unwrap();
            got
        });
        let mut f = sample();
        f.body = b"{\"a\":\"\\u003c\"}\x00".to_vec();
        let out = resend(
            &f,
            &format!("http://{addr}/base/"),
            None,
            Duration::from_secs(5),
        )
        .await
        .unwrap();
        assert_eq!((out.status, out.body.as_slice()), (202, &b"ok"[..]));
        let got = server.await.unwrap();
        let text = String::from_utf8_lossy(&got);
        assert!(
            text.starts_with("POST /base/hooks?x=1 HTTP/1.1\r\n"),
            "{text}"
        );
        assert!(
            text.contains("x-dup: one\r\n") && text.contains("x-dup: two\r\n"),
            "{text}"
        );
        assert!(got.windows(9).any(|w| w == b"x-bin: \xffa"), "{text}");
        assert!(got.ends_with(b"\r\n\r\n{\"a\":\"\\u003c\"}\x00"), "{text}");
    }

    #[cfg(feature = "fire")]
    #[tokio::test]
    async fn resend_errors_name_the_url() {
        let e = resend(
            &sample(),
            "http://127.0.0.1:1",
            None,
            Duration::from_secs(2),
        )
        .await
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("cannot send to `http://127.0.0.1:1`"),
            "{e}"
        );
        let e = resend(&sample(), "not a url", None, Duration::from_secs(2))
            .await
            .unwrap_err();
        assert!(matches!(e, ReplayError::Request { .. }), "{e}");
    }
}
