//! The HTTP layer of `hookcheck listen`: a receiver that can be left facing live traffic.
//!
//! What it guarantees:
//!
//! * **Keep, then acknowledge.** A request is answered 2xx only after its [`Sink`] has kept it (for
//!   `listen`: checked, printed and, with `--record`, written). When the sink fails, the answer is `500` and
//!   the delivery is counted as lost. A kept delivery is counted as acknowledged even when its sender hangs
//!   up before reading the answer, so the counts always equal what the sink kept.
//! * **Exactly `max_deliveries`.** Slots are reserved before a delivery goes to the sink and given back when
//!   the sink fails; once the last slot is used the server stops, and any request after it gets `503`.
//! * **Bounded.** A body over [`Limits::max_body_bytes`] gets `413` without being read past the limit
//!   (a `Content-Length` over it is refused before any body byte is read; a chunked body is cut off when it
//!   crosses it). All bodies in memory at once share [`Limits::body_budget`]; connections are capped at
//!   [`Limits::max_connections`] (more wait in the kernel's backlog). The headers of a request, including
//!   the wait for the next request on a kept-alive connection, must arrive within [`Limits::read_timeout`];
//!   so must the whole body (else `408`). Nothing is kept per request after it is answered: no request
//!   log, only counters.
//! * **Idle is idle.** No timer runs without a connection; the accept loop and the signal handlers sleep.
//! * **Stopping.** [`StopHandle::stop`] (or SIGINT/SIGTERM with [`Server::run_until_signal`]) stops accepting,
//!   answers `503` to requests that start after it, lets every request already in progress finish, and
//!   returns the counters once every connection is closed and the sink has nothing left to do.
use std::{
    convert::Infallible,
    net::SocketAddr,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{body::Incoming, header, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::{oneshot, watch, OwnedSemaphorePermit, Semaphore};

use crate::{delivery::Delivery, error::Error};

/// Where complete requests go. Called on a worker thread (blocking work such as file writes is fine).
pub trait Sink: Send + Sync + 'static {
    /// Keeps one delivery. `Ok` means it was kept and may be acknowledged; `Err` says why not (the
    /// request is then answered `500` and counted as lost).
    ///
    /// # Errors
    /// The delivery could not be kept.
    fn keep(&self, delivery: Delivery) -> Result<(), String>;
}

/// Resource limits of a [`Server`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest body accepted; larger ones get `413`.
    pub max_body_bytes: usize,
    /// Time allowed for a request's headers (and for the next request on a kept-alive connection), and,
    /// separately, for its whole body.
    pub read_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Body bytes held in memory at once, over all requests.
    pub body_budget: usize,
    /// Deliveries to acknowledge before stopping (`None`: until stopped).
    pub max_deliveries: Option<u64>,
}

impl Limits {
    /// Defaults for a body cap: 10 s read timeout, 256 connections, a body budget of 64 MiB or four
    /// maximal bodies, whichever is larger.
    pub fn new(max_body_bytes: usize) -> Self {
        Self {
            max_body_bytes,
            read_timeout: Duration::from_secs(10),
            max_connections: 256,
            body_budget: (64 * 1024 * 1024).max(max_body_bytes.saturating_mul(4)),
            max_deliveries: None,
        }
    }
}

/// What a run of the server did. Every request that reached the server is in exactly one count, except
/// those closed before their headers were complete.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Kept by the sink and answered (or answerable) 2xx.
    pub acknowledged: u64,
    /// The sink failed: answered `500`.
    pub lost: u64,
    /// Body over the limit: `413`.
    pub too_large: u64,
    /// Body not complete within the read timeout: `408`.
    pub timed_out: u64,
    /// Arrived while stopping or after `max_deliveries`: `503`.
    pub refused: u64,
    /// The body could not be read (the sender hung up or broke the framing).
    pub broken: u64,
}

#[derive(Default)]
struct Counters {
    acknowledged: AtomicU64,
    lost: AtomicU64,
    too_large: AtomicU64,
    timed_out: AtomicU64,
    refused: AtomicU64,
    broken: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> Counts {
        let n = |c: &AtomicU64| c.load(Ordering::SeqCst);
        Counts {
            acknowledged: n(&self.acknowledged),
            lost: n(&self.lost),
            too_large: n(&self.too_large),
            timed_out: n(&self.timed_out),
            refused: n(&self.refused),
            broken: n(&self.broken),
        }
    }
}

/// Budget units are KiB, so the semaphore's `u32` permits cover 4 TiB.
const BUDGET_UNIT: usize = 1024;

fn units(bytes: usize) -> u32 {
    u32::try_from(bytes.div_ceil(BUDGET_UNIT).max(1)).unwrap_or(u32::MAX)
}

struct Shared {
    limits: Limits,
    counters: Counters,
    /// Reserved delivery slots (only with `max_deliveries`).
    reserved: AtomicU64,
    stopping: AtomicBool,
    stop: watch::Sender<bool>,
    budget: Arc<Semaphore>,
    jobs: tokio::sync::mpsc::Sender<Work>,
}

impl Shared {
    fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.stop.send_replace(true);
    }

    /// Takes a delivery slot, or says there is none left. A request already in progress when the server
    /// began stopping still gets one: it is finished, not dropped.
    fn reserve(self: &Arc<Self>) -> Option<Slot> {
        if let Some(max) = self.limits.max_deliveries {
            let mut cur = self.reserved.load(Ordering::SeqCst);
            loop {
                if cur >= max {
                    return None;
                }
                match self.reserved.compare_exchange(
                    cur,
                    cur + 1,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                ) {
                    Ok(_) => break,
                    Err(now) => cur = now,
                }
            }
        }
        Some(Slot {
            shared: self.clone(),
            used: false,
        })
    }
}

/// A reserved delivery slot: given back on drop unless the delivery was kept.
struct Slot {
    shared: Arc<Shared>,
    used: bool,
}

impl Slot {
    fn kept(mut self) {
        self.used = true;
        let acked = self
            .shared
            .counters
            .acknowledged
            .fetch_add(1, Ordering::SeqCst)
            + 1;
        if self.shared.limits.max_deliveries == Some(acked) {
            self.shared.stop();
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if !self.used && self.shared.limits.max_deliveries.is_some() {
            self.shared.reserved.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// What a worker thread takes from the queue.
enum Work {
    Job(Job),
    /// Sent once per worker after the last connection closed: the queue is drained by then (FIFO).
    Stop,
}

struct Job {
    delivery: Delivery,
    slot: Slot,
    /// Held until the sink is done with the body.
    _budget: OwnedSemaphorePermit,
    reply: oneshot::Sender<bool>,
}

/// A bound receiver, not yet serving.
pub struct Server {
    listener: tokio::net::TcpListener,
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop_rx: watch::Receiver<bool>,
    jobs_rx: tokio::sync::mpsc::Receiver<Work>,
}

/// Stops a running [`Server`] from elsewhere (another task, a test).
#[derive(Clone)]
pub struct StopHandle(Arc<Shared>);

impl StopHandle {
    /// Stops accepting; requests in progress finish.
    pub fn stop(&self) {
        self.0.stop();
    }

    /// The counters so far.
    pub fn counts(&self) -> Counts {
        self.0.counters.snapshot()
    }
}

impl Server {
    /// Binds `addr`.
    ///
    /// # Errors
    /// [`Error::Bind`].
    pub async fn bind(addr: SocketAddr, limits: Limits) -> Result<Self, Error> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind {
                addr: addr.to_string(),
                source,
            })?;
        let local = listener.local_addr().map_err(|source| Error::Bind {
            addr: addr.to_string(),
            source,
        })?;
        let (stop, stop_rx) = watch::channel(false);
        let workers = worker_count();
        let (jobs, jobs_rx) = tokio::sync::mpsc::channel(workers * 4);
        let budget_units = units(limits.body_budget)
            .max(units(limits.max_body_bytes))
            .min(Semaphore::MAX_PERMITS as u32);
        let shared = Arc::new(Shared {
            limits,
            counters: Counters::default(),
            reserved: AtomicU64::new(0),
            stopping: AtomicBool::new(false),
            stop,
            budget: Arc::new(Semaphore::new(budget_units as usize)),
            jobs,
        });
        Ok(Self {
            listener,
            addr: local,
            shared,
            stop_rx,
            jobs_rx,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle that stops the server.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.shared.clone())
    }

    /// Serves until SIGINT, SIGTERM (on Unix), [`StopHandle::stop`] or `max_deliveries`; then finishes
    /// what is in flight and returns the counts.
    pub async fn run_until_signal<S: Sink>(self, sink: Arc<S>) -> Counts {
        let handle = self.stop_handle();
        let signals = tokio::spawn(async move {
            wait_for_signal().await;
            handle.stop();
        });
        let counts = self.run(sink).await;
        signals.abort();
        counts
    }

    /// Serves until [`StopHandle::stop`] or `max_deliveries`; then finishes what is in flight and returns
    /// the counts.
    pub async fn run<S: Sink>(self, sink: Arc<S>) -> Counts {
        let Server {
            listener,
            shared,
            mut stop_rx,
            jobs_rx,
            ..
        } = self;
        let workers = spawn_workers(sink, jobs_rx);
        let connections = Arc::new(Semaphore::new(shared.limits.max_connections.max(1)));
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(shared.limits.read_timeout)
            .max_buf_size(64 * 1024);
        loop {
            if *stop_rx.borrow() {
                break;
            }
            let permit = tokio::select! {
                p = connections.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
                _ = stop_rx.changed() => break,
            };
            let stream = tokio::select! {
                r = listener.accept() => match r {
                    Ok((s, _)) => s,
                    // A failed accept (out of descriptors, a connection reset while queued) is not fatal;
                    // a short pause keeps an exhausted process from spinning.
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                _ = stop_rx.changed() => break,
            };
            let _ = stream.set_nodelay(true);
            let shared2 = shared.clone();
            let service = hyper::service::service_fn(move |req| handle(req, shared2.clone()));
            let conn = http.serve_connection(TokioIo::new(stream), service);
            let mut stop = stop_rx.clone();
            tokio::spawn(async move {
                let _permit = permit;
                tokio::pin!(conn);
                tokio::select! {
                    _ = conn.as_mut() => return,
                    _ = stop.wait_for(|s| *s) => {}
                }
                conn.as_mut().graceful_shutdown();
                let _ = conn.await;
            });
        }
        drop(listener);
        // Every connection gives its permit back when it closes; requests in progress are bounded by the
        // read timeout, so this wait is too. A connection still open after it is abandoned.
        let max = u32::try_from(shared.limits.max_connections.max(1)).unwrap_or(u32::MAX);
        let grace = shared.limits.read_timeout * 2 + Duration::from_secs(5);
        let _ = tokio::time::timeout(grace, connections.acquire_many(max)).await;
        // The queue is first in, first out: the workers keep everything queued before their stop.
        for _ in 0..workers.len() {
            let _ = shared.jobs.send(Work::Stop).await;
        }
        let _ = tokio::task::spawn_blocking(move || {
            for w in workers {
                let _ = w.join();
            }
        })
        .await;
        shared.counters.snapshot()
    }
}

fn worker_count() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 16)
}

fn spawn_workers<S: Sink>(
    sink: Arc<S>,
    jobs: tokio::sync::mpsc::Receiver<Work>,
) -> Vec<std::thread::JoinHandle<()>> {
    let jobs = Arc::new(Mutex::new(jobs));
    (0..worker_count())
        .map(|_| {
            let (sink, jobs) = (sink.clone(), jobs.clone());
            std::thread::spawn(move || loop {
                let job = match jobs.lock() {
                    Ok(mut rx) => rx.blocking_recv(),
                    Err(_) => None,
                };
                let Some(Work::Job(job)) = job else { break };
                let Job {
                    delivery,
                    slot,
                    _budget: budget,
                    reply,
                } = job;
                let kept = match sink.keep(delivery) {
                    Ok(()) => {
                        slot.kept();
                        true
                    }
                    Err(_) => {
                        slot.shared.counters.lost.fetch_add(1, Ordering::SeqCst);
                        // Give the slot back before answering: a client that retries at once on the
                        // 500 must find it free (with `--max-deliveries` it was answered 503).
                        drop(slot);
                        false
                    }
                };
                drop(budget);
                let _ = reply.send(kept);
            })
        })
        .collect()
}

type Reply = Response<Full<Bytes>>;

fn reply(status: StatusCode, text: &'static str, close: bool) -> Reply {
    let mut r = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if close {
        r.headers_mut().insert(
            header::CONNECTION,
            header::HeaderValue::from_static("close"),
        );
    }
    r
}

enum BodyError {
    TooLarge,
    Broken,
}

async fn handle(req: Request<Incoming>, shared: Arc<Shared>) -> Result<Reply, Infallible> {
    let count = |c: &AtomicU64| {
        c.fetch_add(1, Ordering::SeqCst);
    };
    if shared.stopping.load(Ordering::SeqCst) {
        count(&shared.counters.refused);
        return Ok(reply(
            StatusCode::SERVICE_UNAVAILABLE,
            "not accepting deliveries\n",
            true,
        ));
    }
    let max = shared.limits.max_body_bytes;
    let declared = hyper::body::Body::size_hint(req.body()).exact();
    if declared.is_some_and(|n| n > max as u64) {
        count(&shared.counters.too_large);
        return Ok(reply(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body too large\n",
            true,
        ));
    }
    let (parts, body) = req.into_parts();
    let read = read_body(body, max, declared, &shared.budget);
    let (bytes, budget) = match tokio::time::timeout(shared.limits.read_timeout, read).await {
        Ok(Ok(read)) => read,
        Ok(Err(BodyError::TooLarge)) => {
            count(&shared.counters.too_large);
            return Ok(reply(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body too large\n",
                true,
            ));
        }
        Ok(Err(BodyError::Broken)) => {
            count(&shared.counters.broken);
            return Ok(reply(
                StatusCode::BAD_REQUEST,
                "body could not be read\n",
                true,
            ));
        }
        Err(_) => {
            count(&shared.counters.timed_out);
            return Ok(reply(StatusCode::REQUEST_TIMEOUT, "body too slow\n", true));
        }
    };
    let Some(slot) = shared.reserve() else {
        count(&shared.counters.refused);
        return Ok(reply(
            StatusCode::SERVICE_UNAVAILABLE,
            "not accepting deliveries\n",
            true,
        ));
    };
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| "/".to_string(), |p| p.as_str().to_string());
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.as_bytes().to_vec()))
        .collect();
    let delivery = Delivery::new(0, parts.method.as_str(), &path, headers, bytes);
    let (tx, rx) = oneshot::channel();
    let job = Job {
        delivery,
        slot,
        _budget: budget,
        reply: tx,
    };
    if shared.jobs.send(Work::Job(job)).await.is_err() {
        count(&shared.counters.lost);
        return Ok(reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            "not recorded\n",
            true,
        ));
    }
    Ok(match rx.await {
        Ok(true) => reply(StatusCode::OK, "ok\n", false),
        _ => reply(StatusCode::INTERNAL_SERVER_ERROR, "not recorded\n", true),
    })
}

/// Reads a body up to `max` bytes, taking its share of the body budget first (all of it when the length
/// is declared, chunk by chunk otherwise).
async fn read_body(
    mut body: Incoming,
    max: usize,
    declared: Option<u64>,
    budget: &Arc<Semaphore>,
) -> Result<(Vec<u8>, OwnedSemaphorePermit), BodyError> {
    let first = declared.map_or(1, |n| units(n as usize));
    let mut permit = budget
        .clone()
        .acquire_many_owned(first)
        .await
        .map_err(|_| BodyError::Broken)?;
    let mut held = first as usize * BUDGET_UNIT;
    let mut bytes = Vec::with_capacity(declared.map_or(8 * 1024, |n| n as usize).min(max));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyError::Broken)?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        if bytes.len() + data.len() > max {
            return Err(BodyError::TooLarge);
        }
        let needed = bytes.len() + data.len();
        if needed > held {
            let more = units(needed - held);
            let extra = budget
                .clone()
                .acquire_many_owned(more)
                .await
                .map_err(|_| BodyError::Broken)?;
            permit.merge(extra);
            held += more as usize * BUDGET_UNIT;
        }
        bytes.extend_from_slice(&data);
    }
    Ok((bytes, permit))
}

/// Waits for SIGINT or (on Unix) SIGTERM.
pub async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut int), Ok(mut term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    struct Keep {
        kept: AtomicUsize,
        fail_every: usize,
    }

    impl Sink for Keep {
        fn keep(&self, _d: Delivery) -> Result<(), String> {
            let n = self.kept.fetch_add(1, Ordering::SeqCst) + 1;
            if self.fail_every > 0 && n % self.fail_every == 0 {
                Err("disk full".into())
            } else {
                Ok(())
            }
        }
    }

    async fn raw(addr: SocketAddr, request: &[u8]) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(request).await.unwrap();
        let mut out = Vec::new();
        // The server closes (Connection: close on errors, or we ask for it).
        let _ = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut out)).await;
        String::from_utf8_lossy(&out).into_owned()
    }

    async fn start(
        limits: Limits,
        fail_every: usize,
    ) -> (
        SocketAddr,
        StopHandle,
        tokio::task::JoinHandle<Counts>,
        Arc<Keep>,
    ) {
        let server = Server::bind("127.0.0.1:0".parse().unwrap(), limits)
            .await
            .unwrap();
        let addr = server.local_addr();
        let stop = server.stop_handle();
        let sink = Arc::new(Keep {
            kept: AtomicUsize::new(0),
            fail_every,
        });
        let task = tokio::spawn(server.run(sink.clone()));
        (addr, stop, task, sink)
    }

    #[tokio::test]
    async fn oversized_bodies_get_413_plain_and_chunked() {
        let (addr, stop, task, sink) = start(Limits::new(100), 0).await;
        let r = raw(
            addr,
            b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 101\r\n\r\n",
        )
        .await;
        assert!(r.starts_with("HTTP/1.1 413"), "{r}");
        let mut chunked =
            b"POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..3 {
            chunked.extend_from_slice(b"28\r\n");
            chunked.extend_from_slice(&[b'a'; 40]);
            chunked.extend_from_slice(b"\r\n");
        }
        let r = raw(addr, &chunked).await;
        assert!(r.starts_with("HTTP/1.1 413"), "{r}");
        let r = raw(addr, b"POST / HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 100\r\n\r\n{}23456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789").await;
        assert!(r.starts_with("HTTP/1.1 200"), "{r}");
        stop.stop();
        let counts = task.await.unwrap();
        assert_eq!((counts.too_large, counts.acknowledged), (2, 1));
        assert_eq!(sink.kept.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn exactly_max_deliveries_are_acknowledged_and_failures_are_lost() {
        let mut limits = Limits::new(1000);
        limits.max_deliveries = Some(5);
        let (addr, _stop, task, _sink) = start(limits, 3).await;
        let mut statuses = Vec::new();
        for _ in 0..10 {
            let r = raw(
                addr,
                b"POST / HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}",
            )
            .await;
            statuses.push(r.get(9..12).unwrap_or("---").to_string());
            if statuses.iter().filter(|s| *s == "200").count() == 5 {
                break;
            }
        }
        let counts = task.await.unwrap();
        assert_eq!(counts.acknowledged, 5);
        assert_eq!(
            statuses.iter().filter(|s| *s == "200").count(),
            5,
            "{statuses:?}"
        );
        assert_eq!(
            counts.lost as usize,
            statuses.iter().filter(|s| *s == "500").count()
        );
        assert!(counts.lost >= 2, "every third keep fails: {statuses:?}");
        // The server has stopped: nothing listens any more.
        assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    }

    #[tokio::test]
    async fn slow_headers_are_cut_off() {
        let mut limits = Limits::new(100);
        limits.read_timeout = Duration::from_millis(300);
        let (addr, stop, task, _sink) = start(limits, 0).await;
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"POST / HT").await.unwrap();
        let mut out = Vec::new();
        // The server closes the connection (no timing is asserted, only that it ends).
        let n = tokio::time::timeout(Duration::from_secs(30), s.read_to_end(&mut out)).await;
        assert!(n.is_ok(), "connection left open");
        stop.stop();
        task.await.unwrap();
    }
}
