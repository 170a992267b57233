//! `hookcheck verify` and `hookcheck listen`.
use std::{
    collections::{BTreeMap, BTreeSet},
    io::{self, Write},
    net::SocketAddr,
    path::PathBuf,
    time::{Duration, Instant},
};

use serde_json::{json, Value};

use crate::{
    check::{check_delivery, verify as check_all, DeliveryProfile, Expectations, Verdict},
    delivery::Delivery,
    error::Error,
    event::EventName,
    exit::ExitCodes,
    finding::{Finding, Severity},
    generate::Generator,
    profile::Profile,
    receiver::Receiver,
    report::{delivery as render, Format},
    sender::Sender,
    Catalog,
};

/// Options shared by `verify` and `listen`.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// Delivery profile: chatwoot (signed, 4.12+), chatwoot-unsigned (before 4.12), standard-webhooks.
    #[arg(long, default_value = "chatwoot", value_name = "NAME")]
    profile: String,
    /// A delivery profile as a JSON file (see DeliveryProfile in the docs); overrides --profile.
    #[arg(long, value_name = "FILE")]
    profile_file: Option<PathBuf>,
    /// The webhook secret (default for verify: a fresh random one, given to CMD as WEBHOOK_SECRET).
    #[arg(long, value_name = "SECRET")]
    secret: Option<String>,
    /// Subscribed events, comma-separated (default: all 12).
    #[arg(long, value_delimiter = ',', value_name = "EVENTS")]
    events: Vec<String>,
    /// The path deliveries must use (WEBHOOK_URL ends with it).
    #[arg(long, value_name = "PATH")]
    path: Option<String>,
    /// Payload profile the bodies are validated against.
    #[arg(long, default_value = "compat", value_name = "PROFILE")]
    payload_profile: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// `hookcheck verify` arguments.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    common: Common,
    /// Exactly this many deliveries must arrive (collection stops when they have).
    #[arg(long, value_name = "N")]
    expect: Option<usize>,
    /// Give up waiting for CMD after this many seconds.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    timeout: u64,
    /// After CMD exits, keep collecting this long (milliseconds).
    #[arg(long, default_value_t = 500, value_name = "MS")]
    grace_ms: u64,
    /// Reference sender: payloads per subscribed event.
    #[arg(long, default_value_t = 3)]
    count: usize,
    /// Reference sender: generation seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Reference sender: deliveries in flight at once.
    #[arg(long, default_value_t = 1, value_name = "N")]
    concurrency: usize,
    /// Also write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Address the receiver listens on.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    bind: SocketAddr,
    /// The sender to check, and its arguments (after `--`).
    #[arg(last = true, value_name = "CMD")]
    command: Vec<String>,
}

/// `hookcheck listen` arguments.
#[derive(Debug, clap::Args)]
pub struct ListenArgs {
    #[command(flatten)]
    common: Common,
    /// Address to listen on (use 0.0.0.0:PORT to accept deliveries from another machine).
    #[arg(long, default_value = "127.0.0.1:8787", value_name = "ADDR")]
    bind: SocketAddr,
    /// Save every delivery (headers and raw body) as DIR/<n>-<event>.json, replayable with `hookcheck validate`.
    #[arg(long, value_name = "DIR")]
    record: Option<PathBuf>,
    /// Stop after this many deliveries (default: run until Ctrl-C).
    #[arg(long, value_name = "N")]
    max_deliveries: Option<usize>,
}

fn expectations(c: &Common, secret: Option<String>) -> Result<Expectations, Error> {
    let profile = match &c.profile_file {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|source| Error::Read {
                path: p.clone(),
                source,
            })?;
            serde_json::from_str::<DeliveryProfile>(&text).map_err(|e| Error::Unknown {
                what: "delivery profile file",
                given: p.display().to_string(),
                hint: format!(": {e}"),
            })?
        }
        None => DeliveryProfile::by_name(&c.profile).ok_or_else(|| Error::Unknown {
            what: "delivery profile",
            given: c.profile.clone(),
            hint: "; expected chatwoot, chatwoot-unsigned or standard-webhooks".into(),
        })?,
    };
    let mut x = Expectations::new(profile, secret);
    if !c.events.is_empty() {
        x.events = c
            .events
            .iter()
            .map(|e| e.trim().parse::<EventName>())
            .collect::<Result<BTreeSet<_>, _>>()?;
    }
    x.path = c.path.clone();
    x.payload_profile = c.payload_profile.parse::<Profile>()?;
    Ok(x)
}

fn random_secret(profile: &DeliveryProfile) -> String {
    use base64::Engine;
    let bytes: Vec<u8> = uuid::Uuid::new_v4()
        .as_bytes()
        .iter()
        .chain(uuid::Uuid::new_v4().as_bytes())
        .copied()
        .collect();
    if profile
        .signature
        .as_ref()
        .is_some_and(|s| s.name == "standard-webhooks")
    {
        format!(
            "whsec_{}",
            base64::engine::general_purpose::STANDARD.encode(&bytes[..24])
        )
    } else {
        // Chatwoot's has_secure_token: 24 characters of base58.
        const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        bytes
            .iter()
            .take(24)
            .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
            .collect()
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Write)
}

/// Runs `hookcheck verify`.
pub fn verify(args: VerifyArgs) -> Result<u8, Error> {
    runtime()?.block_on(verify_async(args))
}

async fn verify_async(args: VerifyArgs) -> Result<u8, Error> {
    let catalog = Catalog::shared()?;
    let mut x = expectations(&args.common, None)?;
    let secret = args
        .common
        .secret
        .clone()
        .unwrap_or_else(|| random_secret(&x.profile));
    x.secret = (x.profile.signature.is_some()).then_some(secret.clone());
    x.count = args.expect;
    catalog.prepare(x.payload_profile);
    let receiver = Receiver::builder().bind(args.bind).start().await?;
    let url = format!(
        "{}{}",
        receiver.url(),
        args.common.path.as_deref().unwrap_or("")
    );
    let mut run_findings = Vec::new();

    if args.command.is_empty() {
        let generator =
            Generator::new(catalog, x.payload_profile).map_err(|e| Error::SchemaCompile {
                id: e.location.clone(),
                message: e.to_string(),
            })?;
        let sender = std::sync::Arc::new(
            Sender::new(url.clone(), x.secret.clone(), x.profile.clone())
                .subscriptions(x.events.clone()),
        );
        let mut payloads = Vec::new();
        for event in x.events.clone() {
            payloads.extend(
                generator
                    .values(event, args.seed, args.count)
                    .map_err(|e| Error::SchemaCompile {
                        id: "generator".into(),
                        message: e.to_string(),
                    })?,
            );
        }
        let sent = payloads.len();
        let started = Instant::now();
        let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(args.concurrency.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for p in payloads {
            let (sender, limit) = (sender.clone(), limit.clone());
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                sender.deliver(&p).await
            });
        }
        while tasks.join_next().await.is_some() {}
        eprintln!(
            "hookcheck: reference sender delivered {sent} payloads ({} events x {}, seed {}, concurrency {}) in {:.3} s",
            x.events.len(),
            args.count,
            args.seed,
            args.concurrency.max(1),
            started.elapsed().as_secs_f64()
        );
        if x.count.is_none() {
            x.count = Some(sent);
        }
    } else {
        let events = x
            .events
            .iter()
            .map(|e| e.as_str())
            .collect::<Vec<_>>()
            .join(",");
        eprintln!(
            "hookcheck: receiver at {url}; running {}",
            args.command.join(" ")
        );
        let mut cmd = tokio::process::Command::new(&args.command[0]);
        cmd.args(&args.command[1..])
            .env("WEBHOOK_URL", &url)
            .env("WEBHOOK_SECRET", &secret)
            .env("WEBHOOK_EVENTS", &events);
        // The sender's own output goes to stderr so that hookcheck's stdout stays a clean report.
        #[cfg(unix)]
        if let Ok(fd) = std::os::fd::AsFd::as_fd(&io::stderr()).try_clone_to_owned() {
            cmd.stdout(std::process::Stdio::from(fd));
        }
        let mut child = cmd.spawn().map_err(|source| Error::Read {
            path: PathBuf::from(&args.command[0]),
            source,
        })?;
        let deadline = Instant::now() + Duration::from_secs(args.timeout);
        let mut exited_at: Option<Instant> = None;
        loop {
            if let Some(n) = args.expect {
                if receiver.count() >= n {
                    break;
                }
            }
            if exited_at.is_none() {
                if let Ok(Some(status)) = child.try_wait() {
                    exited_at = Some(Instant::now());
                    if !status.success() {
                        run_findings.push(Finding::error(
                            "verify/command-failed",
                            "",
                            format!("`{}` exited with {status}", args.command.join(" ")),
                        ));
                    }
                }
            }
            if exited_at.is_some_and(|t| t.elapsed() >= Duration::from_millis(args.grace_ms)) {
                break;
            }
            if Instant::now() >= deadline {
                if exited_at.is_none() {
                    let _ = child.kill().await;
                    run_findings.push(Finding::error(
                        "verify/timeout",
                        "",
                        format!(
                            "`{}` was still running after {} s and was stopped",
                            args.command.join(" "),
                            args.timeout
                        ),
                    ));
                }
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let deliveries = receiver.deliveries();
    let checking = Instant::now();
    let mut verdict: Verdict = check_all(catalog, &deliveries, &x);
    eprintln!(
        "hookcheck: checked {} deliveries in {:.3} s",
        deliveries.len(),
        checking.elapsed().as_secs_f64()
    );
    verdict.run.extend(run_findings);
    let mut out = io::BufWriter::new(io::stdout().lock());
    match args.common.format {
        Format::Human => render::human(&mut out, &verdict, &x, &receiver.url()),
        Format::Json => render::json_lines(&mut out, &verdict, &x),
    }
    .map_err(Error::Write)?;
    out.flush().map_err(Error::Write)?;
    if let Some(path) = &args.junit {
        let xml = render::junit(&verdict, &x)
            .map_err(|e| Error::Write(io::Error::other(e.to_string())))?;
        std::fs::write(path, xml).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
    }
    Ok(if deliveries.is_empty() {
        eprintln!("hookcheck: no delivery arrived");
        ExitCodes::NO_DELIVERIES
    } else if verdict.passed() {
        ExitCodes::OK
    } else {
        ExitCodes::FINDINGS
    })
}

/// Runs `hookcheck listen`.
pub fn listen(args: ListenArgs) -> Result<u8, Error> {
    runtime()?.block_on(listen_async(args))
}

fn record(dir: &std::path::Path, d: &Delivery) -> io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let event = d.event().unwrap_or_else(|| "unknown".into());
    let path = dir.join(format!("{:06}-{event}.json", d.index));
    let headers: serde_json::Map<String, Value> = d
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                Value::String(String::from_utf8_lossy(v).into_owned()),
            )
        })
        .collect();
    let body: Value = serde_json::from_slice(&d.body).unwrap_or(Value::Null);
    let envelope = json!({
        "method": d.method, "path": d.path, "received_at": d.arrival_unix(), "headers": headers,
        "raw_body": String::from_utf8_lossy(&d.body), "body": body,
    });
    std::fs::write(
        &path,
        serde_json::to_vec_pretty(&envelope).map_err(io::Error::other)?,
    )?;
    Ok(path)
}

async fn listen_async(args: ListenArgs) -> Result<u8, Error> {
    let catalog = Catalog::shared()?;
    let x = expectations(&args.common, args.common.secret.clone())?;
    catalog.prepare(x.payload_profile);
    let receiver = Receiver::builder().bind(args.bind).start().await?;
    eprintln!(
        "hookcheck: listening on {} (profile {}, {} events{}); Ctrl-C for the summary",
        receiver.url(),
        x.profile.name,
        x.events.len(),
        if x.secret.is_some() {
            ", secret set"
        } else {
            ", no secret: signatures are not verified"
        }
    );
    let mut seen = 0usize;
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut per_event: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut per_rule: BTreeMap<String, usize> = BTreeMap::new();
    let mut stdout = io::stdout();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            _ = &mut ctrl_c => break,
            _ = tokio::time::sleep(Duration::from_millis(25)) => {}
        }
        let all = receiver.deliveries();
        for d in all.iter().skip(seen) {
            let mut findings = check_delivery(catalog, d, &x);
            if let Some(h) = &x.profile.id_header {
                if let crate::delivery::HeaderValue::Text(id) = d.header(h) {
                    if let Some(first) = ids.insert(id.to_string(), d.index) {
                        findings.push(Finding::error(
                            "delivery/id-duplicate",
                            "",
                            format!("{h} {id} was already used by delivery #{first}"),
                        ));
                    }
                }
            }
            let errors: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .collect();
            let event = d.event().unwrap_or_else(|| "?".into());
            let entry = per_event.entry(event.clone()).or_default();
            if errors.is_empty() {
                entry.0 += 1
            } else {
                entry.1 += 1
            }
            for f in &errors {
                *per_rule.entry(f.rule.clone()).or_default() += 1;
            }
            let saved = match &args.record {
                Some(dir) => match record(dir, d) {
                    Ok(p) => format!("  saved {}", p.display()),
                    Err(e) => format!("  NOT SAVED: {e}"),
                },
                None => String::new(),
            };
            let line = match args.common.format {
                Format::Json => json!({"type": "delivery", "index": d.index, "method": d.method, "path": d.path, "event": event,
                                       "passed": errors.is_empty(), "findings": findings}).to_string(),
                Format::Human if errors.is_empty() => format!("#{} {} {} {event}  ✓ conforms{saved}", d.index, d.method, d.path),
                Format::Human => format!("#{} {} {} {event}  ✗ {}{saved}", d.index, d.method, d.path,
                    errors.iter().map(|f| if f.pointer.is_empty() { f.rule.clone() } else { format!("{} at {}", f.rule, f.pointer) }).collect::<Vec<_>>().join(", ")),
            };
            writeln!(stdout, "{line}").map_err(Error::Write)?;
        }
        seen = all.len();
        if args.max_deliveries.is_some_and(|n| seen >= n) {
            break;
        }
    }
    let failed: usize = per_event.values().map(|(_, f)| f).sum();
    let mut out = io::stdout();
    writeln!(out, "\n{:<30} {:>6} {:>6}", "event", "ok", "failed").map_err(Error::Write)?;
    for (e, (ok, bad)) in &per_event {
        writeln!(out, "{e:<30} {ok:>6} {bad:>6}").map_err(Error::Write)?;
    }
    for (rule, n) in &per_rule {
        writeln!(out, "  {n:>4} x {rule}").map_err(Error::Write)?;
    }
    writeln!(out, "{seen} deliveries, {failed} failed").map_err(Error::Write)?;
    Ok(if seen == 0 {
        ExitCodes::NO_DELIVERIES
    } else if failed > 0 {
        ExitCodes::FINDINGS
    } else {
        ExitCodes::OK
    })
}
