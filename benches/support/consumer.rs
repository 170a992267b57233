//! Webhook consumers for the test suite and the benches: a small HTTP/1.1 server (keep-alive, `Content-Length`
//! bodies) on 127.0.0.1 and a free port, whose behaviour is a closure, so each test plants its own bug.
//! The benches use it too (`benches/fire.rs`), as the trivial consumer.
#![allow(dead_code)] // each user takes what it needs

use std::{
    collections::HashSet,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use hookcheck::signature::{self, Scheme};
use serde_json::Value;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// Largest request the test server reads.
const MAX_REQUEST: usize = 8 * 1024 * 1024;

/// One request as the consumer got it.
#[derive(Debug, Clone)]
pub struct Req {
    /// Headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The exact body.
    pub body: Vec<u8>,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, if it is.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// What the consumer does with a request.
pub enum Action {
    /// Answer at once.
    Status(u16, String),
    /// Answer after a delay.
    Slow(Duration, u16),
    /// Close the connection without answering.
    Drop,
}

pub type Behaviour = Arc<dyn Fn(&Req) -> Action + Send + Sync>;

pub struct Consumer {
    pub url: String,
    pub log: Arc<Mutex<Vec<Req>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Consumer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Consumer {
    /// Starts a consumer at `path` on 127.0.0.1 and a free port.
    pub async fn start(path: &str, behaviour: Behaviour) -> Consumer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}{path}", listener.local_addr().expect("addr"));
        let log = Arc::new(Mutex::new(Vec::new()));
        let l = log.clone();
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(serve(sock, behaviour.clone(), l.clone()));
            }
        });
        Consumer { url, log, task }
    }

    /// Every body received, in arrival order.
    pub fn bodies(&self) -> Vec<Vec<u8>> {
        self.log
            .lock()
            .expect("log")
            .iter()
            .map(|r| r.body.clone())
            .collect()
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

async fn serve(mut sock: TcpStream, behaviour: Behaviour, log: Arc<Mutex<Vec<Req>>>) {
    let _ = sock.set_nodelay(true);
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    loop {
        let head_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break i;
            }
            if buf.len() > 64 * 1024 {
                return;
            }
            match sock.read_buf(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let headers: Vec<(String, String)> = head
            .split("\r\n")
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        if len > MAX_REQUEST {
            return;
        }
        let total = head_end + 4 + len;
        while buf.len() < total {
            match sock.read_buf(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
        let body = buf[head_end + 4..total].to_vec();
        buf.drain(..total);
        let req = Req { headers, body };
        let action = behaviour(&req);
        log.lock().expect("log").push(req);
        let (status, text) = match action {
            Action::Status(s, t) => (s, t),
            Action::Slow(d, s) => {
                tokio::time::sleep(d).await;
                (s, String::new())
            }
            Action::Drop => return,
        };
        let response = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{text}",
            text.len()
        );
        if sock.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// What a correct consumer does before its business logic: verify the Chatwoot signature over the raw
/// body with a 300 s tolerance, refuse a delivery id it has seen, and parse the body as a JSON object
/// with a string `event`. `Err` is the answer to send instead.
pub fn admit(secret: &str, seen: &Mutex<HashSet<String>>, r: &Req) -> Result<Value, Action> {
    let scheme = Scheme::chatwoot();
    let refuse = |why: &str| Action::Status(401, why.to_string());
    let (Some(ts), Some(sig)) = (
        r.header("x-chatwoot-timestamp"),
        r.header("x-chatwoot-signature"),
    ) else {
        return Err(refuse("missing signature headers"));
    };
    match scheme.parse_timestamp(ts) {
        Ok(t) if (now() - t).abs() <= 300 => {}
        _ => return Err(refuse("stale or malformed timestamp")),
    }
    if signature::verify(&scheme, secret, None, ts, &r.body, sig).is_err() {
        return Err(refuse("bad signature"));
    }
    if let Some(id) = r.header("x-chatwoot-delivery") {
        if !seen.lock().expect("seen").insert(id.to_string()) {
            return Err(Action::Status(409, "already received".into()));
        }
    }
    match r.json() {
        Some(v) if v.get("event").is_some_and(Value::is_string) => Ok(v),
        _ => Err(Action::Status(400, "not a webhook payload".into())),
    }
}

/// A consumer that does everything right.
pub fn correct(secret: &'static str) -> Behaviour {
    let seen = Mutex::new(HashSet::new());
    Arc::new(move |r| match admit(secret, &seen, r) {
        Ok(_) => Action::Status(200, "ok".into()),
        Err(a) => a,
    })
}

/// Correct, except that it answers 500 when the value at `pointer` is `null` (until `fixed` is set).
pub fn null_key(secret: &'static str, pointer: &'static str, fixed: Arc<AtomicBool>) -> Behaviour {
    let seen = Mutex::new(HashSet::new());
    Arc::new(move |r| match admit(secret, &seen, r) {
        Ok(v) if !fixed.load(Ordering::SeqCst) && v.pointer(pointer) == Some(&Value::Null) => {
            Action::Status(
                500,
                format!("NoMethodError: undefined method for nil ({pointer})"),
            )
        }
        Ok(_) => Action::Status(200, "ok".into()),
        Err(a) => a,
    })
}

/// Accepts any JSON body, whatever its signature (or none).
pub fn any_signature() -> Behaviour {
    Arc::new(|r| match r.json() {
        Some(_) => Action::Status(200, "ok".into()),
        None => Action::Status(400, "not JSON".into()),
    })
}

/// Correct, but takes `delay` to answer deliveries of `event`.
pub fn slow_on(secret: &'static str, event: &'static str, delay: Duration) -> Behaviour {
    let seen = Mutex::new(HashSet::new());
    Arc::new(move |r| match admit(secret, &seen, r) {
        Ok(v) if v["event"] == event => Action::Slow(delay, 200),
        Ok(_) => Action::Status(200, "ok".into()),
        Err(a) => a,
    })
}

/// Correct, but closes the connection without an answer on bodies over `limit` bytes.
pub fn drops_large(secret: &'static str, limit: usize) -> Behaviour {
    let seen = Mutex::new(HashSet::new());
    Arc::new(move |r| {
        if r.body.len() > limit {
            return Action::Drop;
        }
        match admit(secret, &seen, r) {
            Ok(_) => Action::Status(200, "ok".into()),
            Err(a) => a,
        }
    })
}

/// Verifies the signature over a re-serialisation of the parsed body instead of the raw bytes: the
/// classic bug. serde_json writes `<`, `>`, `&` and U+2028/U+2029 raw where Chatwoot escapes them.
pub fn reserialised(secret: &'static str) -> Behaviour {
    Arc::new(move |r| {
        let (Some(ts), Some(sig), Some(v)) = (
            r.header("x-chatwoot-timestamp"),
            r.header("x-chatwoot-signature"),
            r.json(),
        ) else {
            return Action::Status(400, "bad request".into());
        };
        let again = serde_json::to_vec(&v).unwrap_or_default();
        match signature::verify(&Scheme::chatwoot(), secret, None, ts, &again, sig) {
            Ok(()) => Action::Status(200, "ok".into()),
            Err(_) => Action::Status(401, "invalid signature".into()),
        }
    })
}

/// Answers 200 to everything at once: the trivial consumer of the benches.
pub fn trivial() -> Behaviour {
    Arc::new(|_| Action::Status(200, String::new()))
}
