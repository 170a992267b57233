//! A receiver built on wiremock for tests and `hookcheck verify`: it keeps every request whole (up to a
//! cap, [`ReceiverBuilder::max_kept`]) and answers as scripted, so a sender's failure handling can be
//! exercised. Checks run afterwards over the records (see [`check`](crate::check)). For live traffic,
//! `hookcheck listen` uses [`server`](crate::server) instead, which keeps nothing and bounds every request.
//!
//! For Rust teams, in their own `cargo test`:
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use hookcheck::{check::{DeliveryProfile, Expectations}, receiver::Receiver, sender::Sender};
//!
//! let receiver = Receiver::start().await;                       // 127.0.0.1, a free port
//! let secret = "s3cret".to_string();
//! // Your delivery code goes here; the reference sender stands in for it:
//! let sender = Sender::new(receiver.url(), Some(secret.clone()), DeliveryProfile::chatwoot());
//! let body = serde_json::json!({"event": "contact_created", "id": 1, "name": "Ana", "avatar": "",
//!     "thumbnail": "", "account": {"id": 1, "name": "Acme"}, "additional_attributes": {},
//!     "custom_attributes": {}, "email": null, "identifier": null, "phone_number": null, "blocked": false});
//! sender.deliver(&body).await;
//!
//! let expectations = Expectations::new(DeliveryProfile::chatwoot(), Some(secret));
//! receiver.assert_conforms(&expectations);                        // panics with a readable report
//! # });
//! ```
use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use wiremock::{matchers::any, Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::{
    check::{verify, Expectations, Verdict},
    delivery::Delivery,
    error::Error,
    Catalog,
};

/// How the receiver answers one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// Answer with this status at once.
    Status(u16),
    /// Answer with this status after a delay.
    Delayed(u16, Duration),
    /// Never answer in time (ten minutes): the sender's timeout fires. wiremock cannot reset a connection,
    /// so a closed connection is emulated by a hang.
    Hang,
}

/// How many deliveries a [`Receiver`] keeps by default ([`ReceiverBuilder::max_kept`]).
pub const DEFAULT_MAX_KEPT: usize = 10_000;

/// How many body bytes a [`Receiver`] keeps in all by default.
pub const DEFAULT_MAX_KEPT_BYTES: usize = 256 * 1024 * 1024;

struct Recorder {
    log: Arc<Mutex<Vec<Delivery>>>,
    max_kept: usize,
    max_kept_bytes: usize,
    kept_bytes: AtomicUsize,
    not_kept: Arc<AtomicUsize>,
    script: Vec<Reply>,
    otherwise: Reply,
    attempts: AtomicUsize,
}

impl Respond for Recorder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n = self.attempts.fetch_add(1, Ordering::SeqCst);
        let headers = request
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.as_bytes().to_vec()))
            .collect();
        let path = match request.url.query() {
            Some(q) => format!("{}?{q}", request.url.path()),
            None => request.url.path().to_string(),
        };
        if let Ok(mut log) = self.log.lock() {
            let bytes = self.kept_bytes.load(Ordering::SeqCst) + request.body.len();
            if log.len() < self.max_kept && bytes <= self.max_kept_bytes {
                self.kept_bytes.store(bytes, Ordering::SeqCst);
                let index = log.len() + 1;
                log.push(Delivery::new(
                    index,
                    request.method.as_str(),
                    &path,
                    headers,
                    request.body.clone(),
                ));
            } else {
                // Over the cap: answered as scripted and counted, but not kept.
                self.not_kept.fetch_add(1, Ordering::SeqCst);
            }
        }
        match self.script.get(n).copied().unwrap_or(self.otherwise) {
            Reply::Status(s) => ResponseTemplate::new(s),
            Reply::Delayed(s, d) => ResponseTemplate::new(s).set_delay(d),
            Reply::Hang => ResponseTemplate::new(200).set_delay(Duration::from_secs(600)),
        }
    }
}

/// Configures a [`Receiver`].
#[derive(Debug, Clone)]
pub struct ReceiverBuilder {
    bind: SocketAddr,
    script: Vec<Reply>,
    otherwise: Reply,
    max_kept: usize,
    max_kept_bytes: usize,
}

impl ReceiverBuilder {
    /// The address to listen on (default `127.0.0.1:0`, a free port on loopback).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Replies for the first attempts, in order (e.g. `[Status(500), Status(200)]`).
    pub fn script(mut self, replies: Vec<Reply>) -> Self {
        self.script = replies;
        self
    }

    /// The reply after the script runs out (default `200`).
    pub fn otherwise(mut self, reply: Reply) -> Self {
        self.otherwise = reply;
        self
    }

    /// Keep at most this many deliveries, and at most `bytes` of bodies in all (defaults
    /// [`DEFAULT_MAX_KEPT`], [`DEFAULT_MAX_KEPT_BYTES`]). Later ones are still answered, and counted by
    /// [`Receiver::not_kept`], so a runaway sender cannot exhaust memory.
    pub fn max_kept(mut self, deliveries: usize, bytes: usize) -> Self {
        self.max_kept = deliveries;
        self.max_kept_bytes = bytes;
        self
    }

    /// Starts the receiver.
    ///
    /// # Errors
    /// The address cannot be bound.
    pub async fn start(self) -> Result<Receiver, Error> {
        let listener = std::net::TcpListener::bind(self.bind).map_err(|source| Error::Bind {
            addr: self.bind.to_string(),
            source,
        })?;
        // wiremock's own request log would keep every request a second time, without a cap.
        let server = MockServer::builder()
            .listener(listener)
            .disable_request_recording()
            .start()
            .await;
        let log = Arc::new(Mutex::new(Vec::new()));
        let not_kept = Arc::new(AtomicUsize::new(0));
        let recorder = Recorder {
            log: log.clone(),
            max_kept: self.max_kept,
            max_kept_bytes: self.max_kept_bytes,
            kept_bytes: AtomicUsize::new(0),
            not_kept: not_kept.clone(),
            script: self.script,
            otherwise: self.otherwise,
            attempts: AtomicUsize::new(0),
        };
        Mock::given(any())
            .respond_with(recorder)
            .mount(&server)
            .await;
        Ok(Receiver {
            server,
            log,
            not_kept,
        })
    }
}

/// A running receiver. Dropping it stops the server.
pub struct Receiver {
    server: MockServer,
    log: Arc<Mutex<Vec<Delivery>>>,
    not_kept: Arc<AtomicUsize>,
}

impl Receiver {
    /// A receiver on `127.0.0.1`, a free port, answering `200` to everything.
    ///
    /// # Panics
    /// If no loopback port can be bound (the test machine is out of ports).
    pub async fn start() -> Receiver {
        match Self::builder().start().await {
            Ok(r) => r,
            Err(e) => panic!("hookcheck receiver: {e}"),
        }
    }

    /// A builder for bind address and scripted replies.
    pub fn builder() -> ReceiverBuilder {
        ReceiverBuilder {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            script: Vec::new(),
            otherwise: Reply::Status(200),
            max_kept: DEFAULT_MAX_KEPT,
            max_kept_bytes: DEFAULT_MAX_KEPT_BYTES,
        }
    }

    /// The URL to deliver to, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        self.server.uri()
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        *self.server.address()
    }

    /// Every request received so far, in arrival order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// How many requests have arrived (kept or not).
    pub fn count(&self) -> usize {
        self.log.lock().map(|l| l.len()).unwrap_or(0) + self.not_kept()
    }

    /// How many requests arrived after the cap of [`ReceiverBuilder::max_kept`] and were not kept.
    pub fn not_kept(&self) -> usize {
        self.not_kept.load(Ordering::SeqCst)
    }

    /// Waits until `n` requests have arrived or `timeout` passes; returns the count.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> usize {
        let start = Instant::now();
        while self.count() < n && start.elapsed() < timeout {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.count()
    }

    /// Checks every delivery against the expectations.
    ///
    /// # Panics
    /// If the embedded schemas do not compile (a build defect the test suite rules out).
    pub fn verify(&self, expectations: &Expectations) -> Verdict {
        let catalog = Catalog::shared().unwrap_or_else(|e| panic!("hookcheck schemas: {e}"));
        verify(catalog, &self.deliveries(), expectations)
    }

    /// Panics with the human report unless every delivery conforms and at least one arrived.
    pub fn assert_conforms(&self, expectations: &Expectations) {
        let verdict = self.verify(expectations);
        if !verdict.passed() || verdict.deliveries.is_empty() {
            let mut out = Vec::new();
            let _ = crate::report::delivery::human(&mut out, &verdict, expectations, &self.url());
            panic!("{}", String::from_utf8_lossy(&out));
        }
    }
}
