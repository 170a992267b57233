//! A small HTTP/1.1 load client for `hookcheck listen`: many kept-alive connections, each sending signed
//! Chatwoot deliveries one after another and noting which delivery ids were answered 2xx. Shared by the
//! integration tests (`tests/it/listen.rs`) and the benchmark (`benches/listen.rs`); blocking sockets and one
//! thread per connection keep it simple and independent of the code under test.
#![allow(dead_code)] // each user takes what it needs

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpStream},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use hookcheck::{
    generate::Generator, signature, signature::activesupport_json, EventName, Profile,
};

/// Valid payloads of every event, compact ActiveSupport JSON, to cycle through.
pub fn bodies(per_event: usize) -> Vec<Vec<u8>> {
    let g = Generator::shared(Profile::Compat).expect("generator");
    let mut out = Vec::new();
    for e in EventName::ALL {
        for v in g.values(e, 7, per_event).expect("values") {
            out.push(activesupport_json(&v));
        }
    }
    out
}

/// One signed delivery as raw request bytes, with its id.
pub fn request(body: &[u8], secret: &str, id: &str) -> Vec<u8> {
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        .to_string();
    let sig =
        signature::sign(&signature::Scheme::chatwoot(), secret, None, &ts, body).expect("sign");
    let mut r = format!(
        "POST /hooks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json\r\n\
         X-Chatwoot-Delivery: {id}\r\nX-Chatwoot-Timestamp: {ts}\r\nX-Chatwoot-Signature: {sig}\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

/// What the client saw.
#[derive(Debug, Default)]
pub struct Seen {
    /// Delivery ids answered 2xx.
    pub acknowledged: Vec<String>,
    /// Status codes of the other answers.
    pub other: Vec<u16>,
    /// Requests that got no answer (connection refused or closed).
    pub unanswered: usize,
}

/// Reads one response; returns its status. `None` when the connection closed or broke first.
fn response(s: &mut TcpStream, buf: &mut Vec<u8>) -> Option<(u16, bool)> {
    buf.clear();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).ok()?;
        if n == 0 || buf.len() > 64 * 1024 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let status: u16 = head.get(9..12)?.parse().ok()?;
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let close = head.contains("connection: close");
    while buf.len() < head_end + len {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some((status, close))
}

/// Sends `per_connection` deliveries on each of `connections` kept-alive connections (reconnecting when the
/// server closes one), counting acknowledgements in `acked` as they come. A connection gives up after a
/// refused connect: the server has stopped.
pub fn run(
    addr: SocketAddr,
    connections: usize,
    per_connection: usize,
    bodies: Arc<Vec<Vec<u8>>>,
    secret: &str,
    acked: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
) -> Seen {
    let threads: Vec<_> = (0..connections)
        .map(|c| {
            let (bodies, acked, stop, secret) = (
                bodies.clone(),
                acked.clone(),
                stop.clone(),
                secret.to_string(),
            );
            std::thread::spawn(move || {
                let mut seen = Seen::default();
                let mut conn: Option<TcpStream> = None;
                let mut buf = Vec::with_capacity(8192);
                for i in 0..per_connection {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let id = uuid::Uuid::new_v4().to_string();
                    let body = &bodies[(c * per_connection + i) % bodies.len()];
                    let req = request(body, &secret, &id);
                    if conn.is_none() {
                        match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
                            Ok(s) => {
                                let _ = s.set_nodelay(true);
                                let _ = s.set_read_timeout(Some(Duration::from_secs(30)));
                                conn = Some(s);
                            }
                            Err(_) => {
                                seen.unanswered += per_connection - i;
                                break;
                            }
                        }
                    }
                    let Some(s) = conn.as_mut() else { break };
                    let answered = s.write_all(&req).ok().and_then(|()| response(s, &mut buf));
                    match answered {
                        Some((status, close)) => {
                            if (200..300).contains(&status) {
                                acked.fetch_add(1, Ordering::SeqCst);
                                seen.acknowledged.push(id);
                            } else {
                                seen.other.push(status);
                            }
                            if close {
                                conn = None;
                            }
                        }
                        None => {
                            seen.unanswered += 1;
                            conn = None;
                        }
                    }
                }
                seen
            })
        })
        .collect();
    let mut all = Seen::default();
    for t in threads {
        let s = t.join().expect("client thread");
        all.acknowledged.extend(s.acknowledged);
        all.other.extend(s.other);
        all.unanswered += s.unanswered;
    }
    all
}
