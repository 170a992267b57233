//! `hookcheck verify` and `hookcheck listen`.
use std::{
    collections::BTreeSet,
    io::{self, Write},
    net::SocketAddr,
    path::PathBuf,
    time::{Duration, Instant},
};

use crate::{
    check::{verify as check_all, DeliveryProfile, Expectations, Verdict},
    error::Error,
    event::EventName,
    exit::ExitCodes,
    finding::Finding,
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
    /// Delivery rules (headers, signature, timeouts): chatwoot (signed, 4.12+), chatwoot-unsigned
    /// (before 4.12), standard-webhooks.
    #[arg(long, default_value = "chatwoot", value_name = "NAME")]
    pub(crate) delivery_profile: String,
    /// Delivery rules from a JSON file, for a white-label product with its own headers (see
    /// examples/profiles/); overrides --delivery-profile.
    #[arg(long, value_name = "FILE", alias = "profile-file")]
    pub(crate) delivery_profile_file: Option<PathBuf>,
    /// The webhook secret (visible in `ps`: prefer --secret-file or HOOKCHECK_SECRET). Default for verify:
    /// a fresh random one, given to CMD as WEBHOOK_SECRET; for listen: none (signatures not verified).
    #[arg(long, value_name = "SECRET", conflicts_with = "secret_file")]
    pub(crate) secret: Option<String>,
    /// Read the webhook secret from this file (one trailing newline is ignored).
    #[arg(long, value_name = "FILE")]
    pub(crate) secret_file: Option<PathBuf>,
    /// Subscribed events, comma-separated (default: every event of the payload contract).
    #[arg(long, value_delimiter = ',', value_name = "EVENTS")]
    pub(crate) events: Vec<String>,
    /// The path deliveries must use (WEBHOOK_URL ends with it).
    #[arg(long, value_name = "PATH")]
    pub(crate) path: Option<String>,
    /// Payload contract the bodies are checked against: `compat` (some release from 2.0.0 to 4.15.1
    /// sent it), `v4.15` (= --release 4.15.1), or a release X.Y.Z.
    #[arg(
        long,
        default_value = "compat",
        value_name = "PROFILE",
        alias = "payload-profile"
    )]
    pub(crate) profile: String,
    /// The bodies must be exactly what this Chatwoot release sends (X.Y.Z; same as --profile X.Y.Z);
    /// without --events, the subscriptions are the events that release sends.
    #[arg(long, value_name = "X.Y.Z", conflicts_with = "profile")]
    pub(crate) release: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
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
    /// The URL the report's "reproduce" line re-sends to (the receiver is gone by then). The default is
    /// the shell variable $WEBHOOK_URL, to set to your own receiver before running the line.
    #[arg(long, default_value = "$WEBHOOK_URL", value_name = "URL")]
    reproduce_url: String,
    /// The sender to check, and its arguments (after `--`).
    #[arg(last = true, value_name = "CMD")]
    command: Vec<String>,
}

/// A delivery profile by name; a payload profile's name given here says which flag it belongs to.
pub(crate) fn delivery_profile(name: &str) -> Result<DeliveryProfile, Error> {
    DeliveryProfile::by_name(name).ok_or_else(|| Error::Unknown {
        what: "delivery profile",
        given: name.to_string(),
        hint: if name.parse::<Profile>().is_ok() {
            format!(
                "; `{name}` is a payload contract: use --profile {name} (--delivery-profile takes \
                 chatwoot, chatwoot-unsigned or standard-webhooks)"
            )
        } else {
            "; expected chatwoot, chatwoot-unsigned or standard-webhooks".into()
        },
    })
}

/// A payload profile by name; a delivery profile's name given here says which flag it belongs to.
pub(crate) fn payload_profile(name: &str) -> Result<Profile, Error> {
    name.parse::<Profile>().map_err(|e| match e {
        Error::Unknown { what, given, .. } if DeliveryProfile::by_name(name).is_some() => {
            Error::Unknown {
                what,
                given,
                hint: format!(
                    "; `{name}` is a delivery profile: use --delivery-profile {name} (--profile is the \
                     payload contract: `compat`, `v4.15` or a release X.Y.Z)"
                ),
            }
        }
        e => e,
    })
}

pub(crate) fn expectations(c: &Common, secret: Option<String>) -> Result<Expectations, Error> {
    let profile = match &c.delivery_profile_file {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|source| Error::Read {
                path: p.clone(),
                source,
            })?;
            DeliveryProfile::from_json(&text).map_err(|problems| Error::DeliveryProfileFile {
                path: p.clone(),
                problems,
            })?
        }
        None => delivery_profile(&c.delivery_profile)?,
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
    x.payload_profile = match &c.release {
        Some(r) => Profile::release(r)?,
        None => payload_profile(&c.profile)?,
    };
    if let Profile::Release(release) = x.payload_profile {
        let sent = Catalog::shared()?.events(x.payload_profile)?;
        if c.events.is_empty() {
            x.events = sent.into_iter().collect();
        } else if let Some(e) = x.events.iter().find(|e| !sent.contains(e)) {
            return Err(Error::Unknown {
                what: "event for this release",
                given: e.to_string(),
                hint: format!(
                    "; Chatwoot {release} sends {}",
                    sent.iter()
                        .map(|e| e.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    Ok(x)
}

/// The environment variable a secret may come from (after `--secret` and `--secret-file`).
pub const SECRET_ENV: &str = "HOOKCHECK_SECRET";

/// The secret from `--secret`, `--secret-file` (one trailing newline dropped) or `HOOKCHECK_SECRET`, in
/// that order; an empty one is an error (it would make signatures anyone can forge).
pub(crate) fn resolve_secret(c: &Common) -> Result<Option<String>, Error> {
    let secret = if let Some(s) = &c.secret {
        Some(s.clone())
    } else if let Some(p) = &c.secret_file {
        let text = std::fs::read_to_string(p).map_err(|source| Error::Read {
            path: p.clone(),
            source,
        })?;
        let text = text.strip_suffix('\n').unwrap_or(&text);
        Some(text.strip_suffix('\r').unwrap_or(text).to_string())
    } else {
        std::env::var(SECRET_ENV).ok()
    };
    if secret.as_deref() == Some("") {
        return Err(Error::Secret(
            "it is empty, which would make signatures anyone can forge".into(),
        ));
    }
    Ok(secret)
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

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
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
            "hookcheck: reference sender delivered {} ({} x {}, seed {}, concurrency {}) in {:.3} s",
            crate::report::count(sent, "payload", "payloads"),
            crate::report::count(x.events.len(), "event", "events"),
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
        crate::report::count(deliveries.len(), "delivery", "deliveries"),
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
                crate::receiver::DEFAULT_MAX_KEPT,
                crate::receiver::DEFAULT_MAX_KEPT_BYTES / (1024 * 1024)
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
