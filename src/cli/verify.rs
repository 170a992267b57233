//! `hookcheck verify` and `hookcheck listen`.
use std::{
    io::{self, Write},
    net::SocketAddr,
    path::PathBuf,
    time::{Duration, Instant},
};

use hookcheck::{
    check::{verify as check_all, Verdict},
    error::Error,
    exit::ExitCodes,
    finding::Finding,
    generate::Generator,
    receiver::Receiver,
    report::{delivery as render, Format},
    sender::Sender,
    Catalog,
};

use super::common::{expectations, random_secret, resolve_secret, runtime, Common};

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
    #[arg(long, default_value_t = 1, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    concurrency: usize,
    /// Also write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Address the receiver listens on.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    bind: SocketAddr,
    /// The URL the report's "reproduce" line re-sends to (the receiver is gone by then). The default is
    /// the shell variable $WEBHOOK_URL, to set to your own receiver before running the line.
    #[arg(long, default_value = "$WEBHOOK_URL", value_name = "URL")]
    reproduce_url: String,
    /// The sender to check, and its arguments (after `--`).
    #[arg(last = true, value_name = "CMD")]
    command: Vec<String>,
}

/// Runs `hookcheck verify`.
pub fn verify(args: VerifyArgs) -> Result<u8, Error> {
    runtime()?.block_on(verify_async(args))
}

async fn verify_async(args: VerifyArgs) -> Result<u8, Error> {
    let catalog = Catalog::shared()?;
    let mut x = expectations(&args.common, None)?;
    let secret = resolve_secret(&args.common)?.unwrap_or_else(|| random_secret(&x.profile));
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
        let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(args.concurrency));
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
            "hookcheck: reference sender delivered {} ({} x {}, seed {}, concurrency {}) in {:.3} s",
            hookcheck::report::count(sent, "payload", "payloads"),
            hookcheck::report::count(x.events.len(), "event", "events"),
            args.count,
            args.seed,
            args.concurrency,
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
        // CMD leads its own process group, so the timeout (and the end of the run) stops whatever it
        // started too, not only the process hookcheck knows.
        #[cfg(unix)]
        cmd.process_group(0);
        cmd.kill_on_drop(true);
        let mut child = cmd.spawn().map_err(|source| Error::Spawn {
            command: args.command[0].clone(),
            source,
        })?;
        let group = child.id();
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
                    kill_group(group);
                    let _ = child.kill().await;
                    run_findings.push(Finding::error(
                        "verify/timeout",
                        "",
                        format!(
                            "`{}` was still running after {} s and was stopped with its process group",
                            args.command.join(" "),
                            args.timeout
                        ),
                    ));
                }
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Whatever CMD left running in its group (a background sender) must not outlive the check.
        kill_group(group);
        let _ = child.kill().await;
    }
    let deliveries = receiver.deliveries();
    let checking = Instant::now();
    let mut verdict: Verdict = check_all(catalog, &deliveries, &x);
    eprintln!(
        "hookcheck: checked {} in {:.3} s",
        hookcheck::report::count(deliveries.len(), "delivery", "deliveries"),
        checking.elapsed().as_secs_f64()
    );
    verdict.run.extend(run_findings);
    if receiver.not_kept() > 0 {
        verdict.run.push(Finding::error(
            "verify/not-kept",
            "",
            format!(
                "{} more deliveries arrived after the first {} (or {} MiB of bodies) and were not checked",
                receiver.not_kept(),
                hookcheck::receiver::DEFAULT_MAX_KEPT,
                hookcheck::receiver::DEFAULT_MAX_KEPT_BYTES / (1024 * 1024)
            ),
        ));
    }
    if deliveries.is_empty() {
        // A run that received nothing proves nothing: a failure in every format, JUnit included.
        verdict.run.push(Finding::error(
            "verify/no-delivery",
            "",
            "no delivery arrived",
        ));
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    match args.common.format {
        Format::Human => render::human(&mut out, &verdict, &x, &args.reproduce_url),
        Format::Json => render::json_lines(&mut out, &verdict, &x),
    }
    .map_err(Error::Write)?;
    out.flush().map_err(Error::Write)?;
    if let Some(path) = &args.junit {
        let xml = render::junit(&verdict, &x)
            .map_err(|e| Error::Write(io::Error::other(e.to_string())))?;
        std::fs::write(path, xml).map_err(|source| Error::WriteFile {
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

/// Kills a process group (SIGKILL), if it still exists.
fn kill_group(group: Option<u32>) {
    #[cfg(unix)]
    if let Some(pid) = group.and_then(|p| libc::pid_t::try_from(p).ok()) {
        if pid > 0 {
            // SAFETY: killpg only sends a signal; the group is the one CMD leads (process_group(0)), and a
            // group that no longer exists yields ESRCH, which is fine.
            unsafe {
                libc::killpg(pid, libc::SIGKILL);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = group;
}
