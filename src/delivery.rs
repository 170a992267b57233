//! One recorded HTTP request, kept whole: method, path, every header with its raw bytes, the raw body, and
//! when it arrived. Checks run over these records; nothing is re-serialised.
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// A request as the receiver got it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// 1-based arrival order.
    pub index: usize,
    /// HTTP method.
    pub method: String,
    /// Path and query, e.g. `/hooks/chatwoot?x=1`.
    pub path: String,
    /// Headers in arrival order; names lowercased, values as raw bytes (lossy text in JSON output).
    #[serde(serialize_with = "ser_headers")]
    pub headers: Vec<(String, Vec<u8>)>,
    /// The raw body.
    #[serde(serialize_with = "ser_body")]
    pub body: Vec<u8>,
    /// Arrival time.
    #[serde(serialize_with = "ser_time")]
    pub received_at: SystemTime,
    /// The body's `event`, read once when the record is made (reports ask for it many times).
    #[serde(skip)]
    event: Option<String>,
}

fn ser_headers<S: serde::Serializer>(h: &[(String, Vec<u8>)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(h.len()))?;
    for (k, v) in h {
        seq.serialize_element(&(k, String::from_utf8_lossy(v)))?;
    }
    seq.end()
}

fn ser_body<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(b))
}

fn ser_time<S: serde::Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(
        t.duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs_f64(),
    )
}

impl Delivery {
    /// Builds a record (headers lowercased for lookup).
    pub fn new(
        index: usize,
        method: &str,
        path: &str,
        headers: Vec<(String, Vec<u8>)>,
        body: Vec<u8>,
    ) -> Self {
        let event = event_of(&body);
        Self {
            index,
            method: method.to_string(),
            path: path.to_string(),
            headers: headers
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect(),
            body,
            received_at: SystemTime::now(),
            event,
        }
    }

    /// Every value of a header (case-insensitive).
    pub fn header_all(&self, name: &str) -> Vec<&[u8]> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.as_slice())
            .collect()
    }

    /// The single value of a header as text, or why not.
    pub fn header(&self, name: &str) -> HeaderValue<'_> {
        match self.header_all(name).as_slice() {
            [] => HeaderValue::Missing,
            [one] => match std::str::from_utf8(one) {
                Ok(s) => HeaderValue::Text(s),
                Err(_) => HeaderValue::NotText,
            },
            _ => HeaderValue::Repeated,
        }
    }

    /// Arrival time in Unix seconds.
    pub fn arrival_unix(&self) -> i64 {
        self.received_at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }

    /// The body's `event`, if the body is a JSON object with a string `event`.
    pub fn event(&self) -> Option<String> {
        self.event.clone()
    }
}

/// The body's top-level `event` string. Deserialising into a struct that ignores every other key reads the
/// body once without building a tree (a delivery's checks parse it fully anyway); a body that repeats
/// `event` falls back to the tree, where the last value wins as in every other reader here.
fn event_of(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Event {
        // Read only to see that the body has at most one `event`.
        #[serde(rename = "event")]
        _event: Option<serde::de::IgnoredAny>,
    }
    #[derive(serde::Deserialize)]
    struct EventText {
        event: String,
    }
    match serde_json::from_slice::<EventText>(body) {
        Ok(e) => Some(e.event),
        // Not a string, not an object, or no `event`: no event (only a repeated key needs the tree).
        Err(_) if serde_json::from_slice::<Event>(body).is_ok() => None,
        Err(_) => serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("event").and_then(|e| e.as_str()).map(str::to_string)),
    }
}

/// A header lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderValue<'a> {
    /// Not sent.
    Missing,
    /// Sent more than once.
    Repeated,
    /// Not valid UTF-8.
    NotText,
    /// Sent once.
    Text(&'a str),
}

#[cfg(test)]
mod tests {
    use super::event_of;

    #[test]
    fn the_event_is_read_like_every_other_reader_reads_it() {
        assert_eq!(
            event_of(br#"{"id":1,"event":"contact_created","x":[{}]}"#).as_deref(),
            Some("contact_created")
        );
        // A repeated key: the last value wins, as in the tree.
        assert_eq!(
            event_of(br#"{"event":"a","event":"b"}"#).as_deref(),
            Some("b")
        );
        for none in [
            &br#"{"event":1}"#[..],
            b"{}",
            b"[1]",
            b"not json",
            b"{\"event\":\"x\"",
            b"\xff",
        ] {
            assert_eq!(event_of(none), None, "{}", String::from_utf8_lossy(none));
        }
    }
}
