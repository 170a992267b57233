//! `hookcheck listen` under load: 64 kept-alive connections deliver signed Chatwoot payloads of every event
//! to the release binary with `--record` on; reports deliveries per second, the receiver's RSS along the
//! way (after 100,000 deliveries), its CPU while idle, and checks that the records equal what was
//! acknowledged. Not part of `cargo test`:
//!
//! ```sh
//! cargo bench --bench listen                 # 100,000 deliveries
//! cargo bench --bench listen -- 20000        # another count
//! cargo bench --bench listen -- --test       # smoke run (640 deliveries), as CI does
//! ```
#[path = "support/load.rs"]
mod load;

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

const SECRET: &str = "whk_0123456789abcdefGHJK";
const CONNECTIONS: usize = 64;

fn rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// User + system CPU seconds of a process so far.
fn cpu_secs(pid: u32) -> f64 {
    let ticks = 100.0; // USER_HZ on Linux
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(") ")?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / ticks)
        })
        .unwrap_or(f64::NAN)
}

fn main() {
    // `cargo bench` passes `--bench`; a bare number is the delivery count; `--test` (as CI's smoke runs pass
    // to every bench) sends 640, enough to exercise every step.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let smoke = args.iter().any(|a| a == "--test");
    let total: usize = args
        .iter()
        .find_map(|a| a.parse().ok())
        .unwrap_or(if smoke { 640 } else { 100_000 });
    let per_connection = total.div_ceil(CONNECTIONS);
    let total = per_connection * CONNECTIONS;
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = dir.path().join("records");
    let out = std::fs::File::create(dir.path().join("stdout")).expect("stdout file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_hookcheck"))
        .args([
            "listen",
            "--bind",
            "127.0.0.1:0",
            "--secret",
            SECRET,
            "--record",
        ])
        .arg(&rec)
        .stdout(out)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn listen");
    let mut err = BufReader::new(child.stderr.take().expect("stderr"));
    let mut first = String::new();
    err.read_line(&mut first).expect("stderr");
    let addr: std::net::SocketAddr = first
        .split("listening on http://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|a| a.parse().ok())
        .expect("address");
    let pid = child.id();
    let bodies = Arc::new(load::bodies(20));
    let mean = bodies.iter().map(Vec::len).sum::<usize>() / bodies.len();
    println!(
        "listen bench: {total} deliveries over {CONNECTIONS} connections, --record on, {} distinct bodies (mean {mean} bytes)",
        bodies.len()
    );
    let rss_start = rss_mib(pid);
    let acked = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    // RSS after every 10% of the run.
    let finished = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (acked, finished) = (acked.clone(), finished.clone());
        std::thread::spawn(move || {
            let mut samples = Vec::new();
            let mut next = total as u64 / 10;
            while (samples.len() as u64) < 10 && !finished.load(Ordering::SeqCst) {
                if acked.load(Ordering::SeqCst) >= next {
                    samples.push((next, rss_mib(pid)));
                    next += total as u64 / 10;
                } else {
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            samples
        })
    };
    let cpu_start = cpu_secs(pid);
    let started = Instant::now();
    let seen = load::run(
        addr,
        CONNECTIONS,
        per_connection,
        bodies,
        SECRET,
        acked.clone(),
        stop,
    );
    let elapsed = started.elapsed();
    finished.store(true, Ordering::SeqCst);
    let cpu_run = cpu_secs(pid) - cpu_start;
    let samples = sampler.join().expect("sampler");
    let rate = seen.acknowledged.len() as f64 / elapsed.as_secs_f64();
    println!(
        "acknowledged {} of {total} in {:.2} s: {rate:.0} deliveries/s ({} other answers, {} unanswered)",
        seen.acknowledged.len(),
        elapsed.as_secs_f64(),
        seen.other.len(),
        seen.unanswered
    );
    println!(
        "receiver CPU: {cpu_run:.2} s for the run, {:.0} us per delivery (the client shares the machine)",
        cpu_run * 1e6 / seen.acknowledged.len().max(1) as f64
    );
    println!("RSS of the receiver: {rss_start:.1} MiB at start");
    for (n, mib) in &samples {
        println!("  after {n:>7} deliveries: {mib:.1} MiB");
    }
    let first_sample = samples.first().map_or(f64::NAN, |s| s.1);
    let last = samples.last().map_or(f64::NAN, |s| s.1);
    println!(
        "  growth from 10% to 100% of the run: {:+.1} MiB",
        last - first_sample
    );
    let cpu_before = cpu_secs(pid);
    std::thread::sleep(Duration::from_secs(5));
    println!(
        "CPU while idle for 5 s: {:.2} s",
        cpu_secs(pid) - cpu_before
    );
    // SAFETY: signals the child spawned above.
    unsafe {
        libc::kill(pid as i32, libc::SIGINT);
    }
    let status = child.wait().expect("wait");
    let records = std::fs::read_dir(&rec).expect("records").count();
    println!(
        "listen exited {:?}; {records} records for {} acknowledged",
        status.code(),
        seen.acknowledged.len()
    );
    assert_eq!(records, seen.acknowledged.len(), "records = acknowledged");
}
