//! `hookcheck listen`: the [`server`](hookcheck::server) with a sink that checks, records and prints each
//! delivery before it is acknowledged, and a summary on SIGINT/SIGTERM or at `--max-deliveries`.
use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    hash::BuildHasher,
    io::{self, Write},
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::json;

use hookcheck::{
    check::{check_delivery, Expectations},
    delivery::{Delivery, HeaderValue},
    error::Error,
    escape,
    event::EventName,
    exit::ExitCodes,
    finding::{Finding, Severity},
    replay::{file_name, DeliveryFile, ReplayError},
    report::Format,
    server::{Counts, Limits, Server, Sink},
    Catalog,
};

use super::common::{expectations, resolve_secret, runtime, Common};

/// `hookcheck listen` arguments.
#[derive(Debug, clap::Args)]
pub struct ListenArgs {
    #[command(flatten)]
    common: Common,
    /// Address to listen on (use 0.0.0.0:PORT to accept deliveries from another machine).
    #[arg(long, default_value = "127.0.0.1:8787", value_name = "ADDR")]
    bind: SocketAddr,
    /// Save every delivery (every header, the exact body) as a new file DIR/<n>-<event>.json before it is
    /// acknowledged; DIR is created if absent and must be writable. Replay with `hookcheck validate DIR`.
    #[arg(long, value_name = "DIR")]
    record: Option<PathBuf>,
    /// With --record: also flush every record to the disk (fsync) before acknowledging it.
    #[arg(long, requires = "record")]
    fsync: bool,
    /// Acknowledge exactly this many deliveries, then stop (later requests get 503).
    #[arg(long, value_name = "N")]
    max_deliveries: Option<u64>,
    /// Seconds allowed for a request's headers (and between requests on a kept-alive connection), and
    /// for its body.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    read_timeout: u64,
    /// Connections served at once (more wait in the backlog).
    #[arg(long, default_value_t = 256, value_name = "N")]
    max_connections: usize,
}

/// How many recent delivery ids `listen` remembers for `delivery/id-duplicate` (a fixed window, so memory
/// does not grow with the run).
pub const ID_WINDOW: usize = 65_536;

/// Recent delivery ids, as keyed 64-bit hashes (16 bytes each), oldest forgotten first.
struct RecentIds {
    hasher: std::collections::hash_map::RandomState,
    index: HashMap<u64, u64>,
    order: VecDeque<u64>,
}

impl RecentIds {
    fn new() -> Self {
        Self {
            hasher: Default::default(),
            index: HashMap::with_capacity(ID_WINDOW),
            order: VecDeque::with_capacity(ID_WINDOW),
        }
    }

    /// Remembers `id` for delivery `n`; returns the earlier delivery that used it, if any.
    fn seen(&mut self, id: &str, n: u64) -> Option<u64> {
        let h = self.hasher.hash_one(id);
        if let Some(first) = self.index.get(&h) {
            return Some(*first);
        }
        if self.order.len() == ID_WINDOW {
            if let Some(old) = self.order.pop_front() {
                self.index.remove(&old);
            }
        }
        self.order.push_back(h);
        self.index.insert(h, n);
        None
    }
}

#[derive(Default)]
struct Tally {
    acknowledged: u64,
    failed: u64,
    /// Known events by name; anything else under one key, so a hostile sender cannot grow this map.
    per_event: BTreeMap<&'static str, (u64, u64)>,
    per_rule: BTreeMap<String, u64>,
    record_errors: u64,
}

struct State {
    next: u64,
    ids: RecentIds,
    tally: Tally,
}

struct ListenSink {
    catalog: &'static Catalog,
    x: Expectations,
    format: Format,
    record: Option<PathBuf>,
    fsync: bool,
    state: Mutex<State>,
}

/// Where a new record may be written: the directory exists (or is created), is a directory, and takes a
/// new file. Returns the number after the highest `NNNNNN-` file already there, so a second run into the
/// same directory continues the numbering instead of colliding.
fn prepare_record_dir(dir: &Path) -> Result<u64, Error> {
    let fail = |reason: String| Error::RecordDir {
        path: dir.to_path_buf(),
        reason,
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
    let meta = std::fs::metadata(dir).map_err(|e| fail(e.to_string()))?;
    if !meta.is_dir() {
        return Err(fail("not a directory".into()));
    }
    let probe = dir.join(format!(".hookcheck-probe-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .and_then(|mut f| f.write_all(b"probe"))
        .map_err(|e| fail(format!("not writable: {e}")))?;
    let _ = std::fs::remove_file(&probe);
    let mut highest = 0u64;
    for entry in std::fs::read_dir(dir)
        .map_err(|e| fail(e.to_string()))?
        .flatten()
    {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if let Some((digits, _)) = name.split_once('-') {
            if digits.len() >= 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
                highest = highest.max(digits.parse().unwrap_or(0));
            }
        }
    }
    Ok(highest + 1)
}

impl ListenSink {
    /// Writes the record, taking the next free number if another writer took this one.
    fn record(
        &self,
        dir: &Path,
        d: &Delivery,
        st: &mut State,
        index: u64,
    ) -> Result<PathBuf, ReplayError> {
        let file = DeliveryFile::from_delivery(d);
        let event = d.event();
        let mut n = index;
        loop {
            match file.write_new(dir, &file_name(n, event.as_deref()), self.fsync) {
                Err(ReplayError::Write { source, .. })
                    if source.kind() == io::ErrorKind::AlreadyExists && n < index + 1000 =>
                {
                    n += 1;
                    st.next = st.next.max(n + 1);
                }
                other => return other,
            }
        }
    }

    fn line(&self, d: &Delivery, findings: &[Finding], saved: Option<&Path>) -> String {
        let errors: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        let event = d.event();
        match self.format {
            Format::Json => {
                hookcheck::report::delivery::delivery_json(d, findings, &self.x, saved).to_string()
            }
            Format::Human => {
                let saved = saved
                    .map(|p| format!("  saved {}", escape::text(&p.display().to_string())))
                    .unwrap_or_default();
                let verdict = if errors.is_empty() {
                    "✓ conforms".to_string()
                } else {
                    let rules: Vec<String> = errors
                        .iter()
                        .map(|f| {
                            if f.pointer.is_empty() {
                                f.rule.clone()
                            } else {
                                format!("{} at {}", f.rule, escape::short(&f.pointer, 120))
                            }
                        })
                        .collect();
                    format!("✗ {}", rules.join(", "))
                };
                format!(
                    "#{} {} {} {}  {verdict}{saved}",
                    d.index,
                    escape::short(&d.method, 16),
                    escape::short(&d.path, 200),
                    escape::short(event.as_deref().unwrap_or("?"), 64),
                )
            }
        }
    }
}

impl Sink for ListenSink {
    fn keep(&self, mut d: Delivery) -> Result<(), String> {
        // The checks are the expensive part and need no lock; numbering, recording and printing happen
        // under it, so lines and file numbers follow one order.
        let mut findings = check_delivery(self.catalog, &d, &self.x);
        let mut st = self
            .state
            .lock()
            .map_err(|_| "state lock poisoned".to_string())?;
        let index = st.next;
        st.next += 1;
        d.index = usize::try_from(index).unwrap_or(usize::MAX);
        if let Some(h) = &self.x.profile.id_header {
            if let HeaderValue::Text(id) = d.header(h) {
                if let Some(first) = st.ids.seen(id, index) {
                    findings.push(Finding::error(
                        "delivery/id-duplicate",
                        "",
                        format!(
                            "{h} {} was already used by delivery #{first}",
                            escape::short(id, 80)
                        ),
                    ));
                }
            }
        }
        let saved = match &self.record {
            Some(dir) => match self.record(dir, &d, &mut st, index) {
                Ok(p) => Some(p),
                Err(e) => {
                    st.tally.record_errors += 1;
                    let msg = format!("delivery #{index} NOT RECORDED, answered 500: {e}");
                    eprintln!("hookcheck: {}", escape::text(&msg));
                    return Err(msg);
                }
            },
            None => None,
        };
        let mut line = self.line(&d, &findings, saved.as_deref());
        line.push('\n');
        let mut out = io::stdout().lock();
        if let Err(e) = out.write_all(line.as_bytes()).and_then(|()| out.flush()) {
            // Not printed: not acknowledged, and its record goes too, so the records equal what was
            // acknowledged.
            if let Some(p) = &saved {
                let _ = std::fs::remove_file(p);
            }
            st.tally.record_errors += 1;
            let msg = format!("delivery #{index} could not be printed, answered 500: {e}");
            eprintln!("hookcheck: {msg}");
            return Err(msg);
        }
        drop(out);
        let passed = findings.iter().all(|f| f.severity != Severity::Error);
        let key = d
            .event()
            .as_deref()
            .and_then(EventName::from_wire)
            .map_or("(other or none)", EventName::as_str);
        let t = &mut st.tally;
        t.acknowledged += 1;
        let entry = t.per_event.entry(key).or_default();
        if passed {
            entry.0 += 1;
        } else {
            entry.1 += 1;
            t.failed += 1;
            for f in findings.iter().filter(|f| f.severity == Severity::Error) {
                *t.per_rule.entry(f.rule.clone()).or_default() += 1;
            }
        }
        Ok(())
    }
}

/// Runs `hookcheck listen`.
pub fn listen(args: ListenArgs) -> Result<u8, Error> {
    runtime()?.block_on(listen_async(args))
}

async fn listen_async(args: ListenArgs) -> Result<u8, Error> {
    let catalog = Catalog::shared()?;
    let secret = resolve_secret(&args.common)?;
    let x = expectations(&args.common, secret)?;
    let next = match &args.record {
        Some(dir) => prepare_record_dir(dir)?,
        None => 1,
    };
    catalog.prepare(x.payload_profile);
    let mut limits = Limits::new(x.profile.max_body_bytes);
    limits.read_timeout = Duration::from_secs(args.read_timeout.max(1));
    limits.max_connections = args.max_connections.max(1);
    limits.max_deliveries = args.max_deliveries;
    let server = Server::bind(args.bind, limits).await?;
    eprintln!(
        "hookcheck: listening on http://{} (profile {}, {} events{}{}); Ctrl-C for the summary",
        server.local_addr(),
        x.profile.name,
        x.events.len(),
        if x.secret.is_some() {
            ", secret set"
        } else {
            ", no secret: signatures are not verified"
        },
        match &args.record {
            Some(d) => format!(", recording into {}", d.display()),
            None => String::new(),
        }
    );
    let sink = Arc::new(ListenSink {
        catalog,
        x,
        format: args.common.format,
        record: args.record.clone(),
        fsync: args.fsync,
        state: Mutex::new(State {
            next,
            ids: RecentIds::new(),
            tally: Tally::default(),
        }),
    });
    let counts = server.run_until_signal(sink.clone()).await;
    let tally = match sink.state.lock() {
        Ok(st) => std::mem::take(&mut { st }.tally),
        Err(_) => Tally::default(),
    };
    summary(&args, &tally, &counts).map_err(Error::Write)?;
    Ok(if counts.lost > 0 || tally.record_errors > 0 {
        ExitCodes::TOOL_ERROR
    } else if counts.acknowledged == 0 {
        ExitCodes::NO_DELIVERIES
    } else if tally.failed > 0 {
        ExitCodes::FINDINGS
    } else {
        ExitCodes::OK
    })
}

fn summary(args: &ListenArgs, t: &Tally, c: &Counts) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match args.common.format {
        Format::Json => {
            let per_event: serde_json::Map<String, serde_json::Value> = t
                .per_event
                .iter()
                .map(|(e, (ok, bad))| ((*e).to_string(), json!({"ok": ok, "failed": bad})))
                .collect();
            writeln!(
                out,
                "{}",
                json!({"type": "summary", "deliveries": c.acknowledged, "failed": t.failed,
                       "lost": c.lost, "too_large": c.too_large, "timed_out": c.timed_out,
                       "refused": c.refused, "broken": c.broken, "per_event": per_event,
                       "per_rule": t.per_rule})
            )?;
        }
        Format::Human => {
            writeln!(out, "\n{:<30} {:>6} {:>6}", "event", "ok", "failed")?;
            for (e, (ok, bad)) in &t.per_event {
                writeln!(out, "{e:<30} {ok:>6} {bad:>6}")?;
            }
            for (rule, n) in &t.per_rule {
                writeln!(out, "  {n:>4} x {rule}")?;
            }
            writeln!(
                out,
                "{}, {} failed; {} lost (not recorded, answered 500); refused: {} too large (413), {} too slow (408), {} after the end (503), {} unreadable",
                hookcheck::report::count(c.acknowledged as usize, "delivery", "deliveries"), t.failed, c.lost, c.too_large, c.timed_out, c.refused, c.broken
            )?;
            if let Some(dir) = &args.record {
                writeln!(
                    out,
                    "{} recorded in {}",
                    hookcheck::report::count(c.acknowledged as usize, "delivery", "deliveries"),
                    escape::text(&dir.display().to_string())
                )?;
            }
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_ids_forget_the_oldest_first() {
        let mut ids = RecentIds::new();
        assert_eq!(ids.seen("a", 1), None);
        assert_eq!(ids.seen("a", 2), Some(1));
        for n in 0..ID_WINDOW as u64 {
            ids.seen(&format!("id-{n}"), n + 10);
        }
        assert_eq!(ids.index.len(), ID_WINDOW);
        assert_eq!(ids.seen("a", 99), None, "forgotten after the window");
    }

    #[test]
    fn record_dir_must_be_a_writable_directory() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        let e = prepare_record_dir(&file).unwrap_err().to_string();
        assert!(e.contains("cannot record into") && e.contains("f`"), "{e}");
        let new = dir.path().join("a/b");
        assert_eq!(prepare_record_dir(&new).unwrap(), 1);
        std::fs::write(new.join("000041-x.json"), "{}").unwrap();
        assert_eq!(prepare_record_dir(&new).unwrap(), 42);
    }
}
