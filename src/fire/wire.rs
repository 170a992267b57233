//! Sending: one HTTP client for the whole campaign (connections kept alive), only to the URL given, never
//! following redirects or proxies, paced by `--rate` and stopped by `--max-time`.
use std::{
    sync::atomic::{AtomicUsize, Ordering},
    time::{Duration, Instant},
};

use serde::Serialize;
use serde_json::Value;

use super::request::Request;

/// How much of a consumer's answer is read: enough for an error message, bounded against endless bodies.
const READ_LIMIT: usize = 64 * 1024;
/// How many characters of the answer a report shows.
pub const SHOWN_CHARS: usize = 200;

/// What the consumer did with one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Answer {
    /// It answered.
    Status {
        /// The HTTP status.
        status: u16,
        /// The start of the answer's body (at most 200 characters, lossy UTF-8).
        body: String,
        /// How long the answer took, in milliseconds.
        millis: u64,
    },
    /// No complete answer within the timeout.
    Timeout {
        /// The timeout, in milliseconds.
        millis: u64,
    },
    /// The connection could not be made, or broke before an answer.
    Connection {
        /// What went wrong.
        message: String,
        /// The connection could not be made at all (refused, no route): the consumer is not there.
        connect: bool,
    },
}

impl Answer {
    /// The status, when the consumer answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Answer::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// `500`, `timeout` or `connection`: what failures are grouped by.
    pub fn key(&self) -> String {
        match self {
            Answer::Status { status, .. } => status.to_string(),
            Answer::Timeout { .. } => "timeout".into(),
            Answer::Connection { .. } => "connection".into(),
        }
    }

    /// The status class (`2xx`, `5xx`, ...), `timeout` or `connection`: what a shrunk failure must keep.
    pub fn class(&self) -> String {
        match self {
            Answer::Status { status, .. } => format!("{}xx", status / 100),
            other => other.key(),
        }
    }

    /// Short text for reports: `500 "KeyError: 'email'"`, `no answer within 5 s`, ...
    pub fn describe(&self) -> String {
        match self {
            Answer::Status { status, body, .. } if body.is_empty() => {
                format!("{status} (empty body)")
            }
            Answer::Status { status, body, .. } => format!("{status} {}", quote(body)),
            Answer::Timeout { millis } => format!("no answer within {}", seconds(*millis)),
            Answer::Connection { message, .. } => format!("connection failed: {}", quote(message)),
        }
    }
}

/// `1.5 s`, `5 s`.
pub(crate) fn seconds(millis: u64) -> String {
    if millis % 1000 == 0 {
        format!("{} s", millis / 1000)
    } else {
        format!("{} s", millis as f64 / 1000.0)
    }
}

/// Text from outside (a consumer's answer, an error) as a JSON string literal: quotes, and every control
/// character escaped, so nothing it holds can forge a report line or reach a terminal raw.
pub fn quote(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// Spaces requests `1/rate` seconds apart, across all tasks.
#[derive(Debug)]
struct Pacer {
    interval: Duration,
    next: tokio::sync::Mutex<Instant>,
}

/// When the next request may go, given the slot reserved so far: never before `now`, and the slot after
/// it one interval later (a pause does not bank a burst).
fn slot(reserved: Instant, now: Instant, interval: Duration) -> (Instant, Instant) {
    let at = reserved.max(now);
    (at, at + interval)
}

impl Pacer {
    async fn wait(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let (at, after) = slot(*next, Instant::now(), self.interval);
            *next = after;
            at
        };
        tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await;
    }
}

/// The campaign's connection to the consumer.
#[derive(Debug)]
pub(crate) struct Wire {
    client: reqwest::Client,
    url: reqwest::Url,
    timeout: Duration,
    pacer: Option<Pacer>,
    deadline: Option<Instant>,
    sent: AtomicUsize,
}

impl Wire {
    /// A client for `url` (already checked to be `http://`).
    pub(crate) fn new(
        url: reqwest::Url,
        timeout: Duration,
        concurrency: usize,
        rate: Option<f64>,
        deadline: Option<Instant>,
    ) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .pool_max_idle_per_host(concurrency)
            .tcp_nodelay(true)
            .build()?;
        let pacer = rate.filter(|r| *r > 0.0).map(|r| Pacer {
            interval: Duration::from_secs_f64(1.0 / r),
            next: tokio::sync::Mutex::new(Instant::now()),
        });
        Ok(Self {
            client,
            url,
            timeout,
            pacer,
            deadline,
            sent: AtomicUsize::new(0),
        })
    }

    /// Whether `--max-time` has passed.
    pub(crate) fn expired(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Requests sent so far.
    pub(crate) fn sent(&self) -> usize {
        self.sent.load(Ordering::Relaxed)
    }

    /// POSTs `req` to the URL and reads the start of the answer.
    pub(crate) async fn send(&self, req: &Request) -> Answer {
        if let Some(p) = &self.pacer {
            p.wait().await;
        }
        self.sent.fetch_add(1, Ordering::Relaxed);
        let mut builder = self.client.post(self.url.clone());
        for (k, v) in &req.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        if req.body.is_empty() {
            // hyper sends no Content-Length for an empty body; Chatwoot's Net::HTTP sends `0`, and a
            // consumer may rightly refuse a POST without one (then close the connection).
            builder = builder.header(reqwest::header::CONTENT_LENGTH, "0");
        }
        let started = Instant::now();
        let timeout_answer = || Answer::Timeout {
            millis: self.timeout.as_millis() as u64,
        };
        let mut resp = match builder.body(req.body.clone()).send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return timeout_answer(),
            Err(e) => {
                return Answer::Connection {
                    connect: e.is_connect(),
                    message: chain(&e),
                }
            }
        };
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    body.extend_from_slice(&chunk);
                    if body.len() >= READ_LIMIT {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) if e.is_timeout() => return timeout_answer(),
                // The status arrived: the consumer answered, even if its body then broke off.
                Err(_) => break,
            }
        }
        let text = String::from_utf8_lossy(&body);
        Answer::Status {
            status,
            body: text.trim().chars().take(SHOWN_CHARS).collect(),
            millis: started.elapsed().as_millis() as u64,
        }
    }
}

/// An error and its causes, one line ("error sending request: connection closed before message completed").
fn chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_group_by_status_and_shrink_by_class() {
        let a = Answer::Status {
            status: 503,
            body: "down\n\u{1b}[31m".into(),
            millis: 3,
        };
        assert_eq!((a.key(), a.class()), ("503".to_string(), "5xx".to_string()));
        assert_eq!(a.describe(), r#"503 "down\n\u001b[31m""#);
        let t = Answer::Timeout { millis: 1500 };
        assert_eq!((t.key(), t.class()), ("timeout".into(), "timeout".into()));
        assert_eq!(t.describe(), "no answer within 1.5 s");
    }

    #[test]
    fn the_pacer_spaces_requests_and_banks_no_burst() {
        let t0 = Instant::now();
        let i = Duration::from_millis(100);
        let (a, next) = slot(t0, t0, i);
        assert_eq!((a, next), (t0, t0 + i));
        // Asked again at once: the next slot, one interval later.
        let (b, next) = slot(next, t0, i);
        assert_eq!(b, t0 + i);
        // After a long pause the slot is now, not a backlog of missed slots.
        let late = t0 + Duration::from_secs(10);
        let (c, next) = slot(next, late, i);
        assert_eq!((c, next), (late, late + i));
    }
}
