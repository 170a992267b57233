//! `hookcheck fire`: the command-line layer over [`hookcheck::fire`].
use std::{
    io::{self, Write},
    path::PathBuf,
    time::Duration,
};

use hookcheck::{
    check::DeliveryProfile,
    error::Error,
    event::EventName,
    exit::ExitCodes,
    fire::{Campaign, FireError, Outcome, Phase},
    profile::Profile,
    report::{fire as render, Format},
};

/// `hookcheck fire` arguments.
#[derive(Debug, clap::Args)]
pub struct FireArgs {
    /// The consumer's webhook URL (http://); nothing else is contacted.
    #[arg(value_name = "URL")]
    url: String,
    /// The webhook secret the consumer verifies signatures with.
    #[arg(long, value_name = "S", conflicts_with = "secret_file")]
    secret: Option<String>,
    /// Read the secret from this file (one line), so it stays out of `ps` and shell history.
    #[arg(long, value_name = "F")]
    secret_file: Option<PathBuf>,
    /// Delivery profile: chatwoot (signed, 4.12+), chatwoot-unsigned (before 4.12), standard-webhooks.
    #[arg(long, default_value = "chatwoot", value_name = "NAME")]
    delivery_profile: String,
    /// Payload profile the generated payloads conform to: `compat` (each payload is what some release
    /// from 2.0.0 to 4.15.1 sent), `v4.15`, or a release X.Y.Z.
    #[arg(long, default_value = "compat", value_name = "PROFILE")]
    profile: String,
    /// Send exactly what this Chatwoot release sends (X.Y.Z; same as --profile X.Y.Z): its payload shapes,
    /// and by default only the events it sends.
    #[arg(long, value_name = "X.Y.Z", conflicts_with = "profile")]
    release: Option<String>,
    /// Events to send, comma-separated (default: every event the profile sends; an event it does not
    /// send is a usage error).
    #[arg(long, value_delimiter = ',', value_name = "a,b")]
    events: Vec<String>,
    /// Random phase: payloads per event.
    #[arg(long, default_value_t = Campaign::DEFAULT_COUNT, value_name = "N")]
    count: usize,
    /// Seed (default: random, printed on stderr); the same seed sends the same bodies.
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Stop planning new deliveries after this many seconds (what is in flight finishes).
    #[arg(long, value_name = "SECS")]
    max_time: Option<f64>,
    /// Deliveries in flight at once.
    #[arg(long, default_value_t = Campaign::DEFAULT_CONCURRENCY, value_name = "N")]
    concurrency: usize,
    /// Seconds the consumer has to answer (default: the delivery profile's, 5 for Chatwoot).
    #[arg(long, value_name = "SECS")]
    timeout: Option<f64>,
    /// Phases, comma-separated: examples, coverage, random, signature, hostile (default: all).
    #[arg(long, value_delimiter = ',', value_name = "...")]
    phases: Vec<String>,
    /// At most this many deliveries per second (for shared staging servers).
    #[arg(long, value_name = "N")]
    rate: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Also write a JUnit XML report here (a test case per phase and rule).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write each minimal failure as a delivery file in DIR (headers without the secret, raw body).
    #[arg(long, value_name = "DIR")]
    save: Option<PathBuf>,
    /// Re-send saved deliveries (re-signed with a fresh timestamp) and report each FIXED or FAILING.
    #[arg(long, value_name = "DIR|FILE", conflicts_with = "save")]
    replay: Option<PathBuf>,
}

fn usage(message: impl std::fmt::Display) -> u8 {
    eprintln!("hookcheck: {message}");
    ExitCodes::TOOL_ERROR
}

fn seconds(flag: &str, v: Option<f64>) -> Result<Option<Duration>, String> {
    match v {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 && s < 1e9 => Ok(Some(Duration::from_secs_f64(s))),
        Some(s) => Err(format!("{flag} {s}: expected a positive number of seconds")),
    }
}

/// The secret from `--secret` or `--secret-file` (its first line, without the line end).
fn secret(args: &FireArgs) -> Result<Option<String>, Error> {
    if let Some(path) = &args.secret_file {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        let line = text.lines().next().unwrap_or("").trim_end().to_string();
        if line.is_empty() {
            return Err(Error::Unknown {
                what: "secret file",
                given: path.display().to_string(),
                hint: ": the file is empty".into(),
            });
        }
        return Ok(Some(line));
    }
    Ok(args.secret.clone())
}

/// The payload profile: `--release X.Y.Z`, else `--profile`.
fn payload_profile(args: &FireArgs) -> Result<Profile, Error> {
    match &args.release {
        Some(r) => Profile::release(r),
        None => args.profile.parse(),
    }
}

/// Builds the campaign, or says which flag is wrong.
fn campaign(args: &FireArgs, seed: u64) -> Result<(Campaign, DeliveryProfile), String> {
    let delivery = DeliveryProfile::by_name(&args.delivery_profile).ok_or_else(|| {
        format!(
            "unknown delivery profile `{}`; expected chatwoot, chatwoot-unsigned or standard-webhooks",
            args.delivery_profile
        )
    })?;
    let profile = payload_profile(args).map_err(|e| e.to_string())?;
    let mut c = Campaign::new(args.url.clone())
        .delivery_profile(delivery.clone())
        .profile(profile)
        .count(args.count)
        .seed(seed);
    if args.concurrency == 0 {
        return Err("--concurrency 0: at least one delivery must be in flight".into());
    }
    c = c.concurrency(args.concurrency);
    if !args.events.is_empty() {
        let events = args
            .events
            .iter()
            .map(|e| e.trim().parse::<EventName>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        c = c.events(events);
    }
    if !args.phases.is_empty() {
        let phases = args
            .phases
            .iter()
            .map(|p| p.parse::<Phase>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        c = c.phases(phases);
    }
    if let Some(t) = seconds("--timeout", args.timeout)? {
        c = c.timeout(t);
    }
    if let Some(t) = seconds("--max-time", args.max_time)? {
        c = c.max_time(t);
    }
    match args.rate {
        Some(r) if !(r.is_finite() && r > 0.0) => {
            return Err(format!(
                "--rate {r}: expected a positive number of deliveries per second"
            ))
        }
        Some(r) => c = c.rate(r),
        None => {}
    }
    Ok((c, delivery))
}

/// Runs `hookcheck fire`.
pub fn run(args: FireArgs) -> Result<u8, Error> {
    let secret = match secret(&args) {
        Ok(s) => s,
        Err(e) => return Ok(usage(e)),
    };
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let (mut c, delivery) = match campaign(&args, seed) {
        Ok(c) => c,
        Err(e) => return Ok(usage(e)),
    };
    if let Some(s) = secret.clone() {
        c = c.secret(s);
    }
    let explicit_signature = args.phases.iter().any(|p| p.trim() == "signature");
    if explicit_signature && (secret.is_none() || delivery.signature.is_none()) {
        return Ok(usage(
            "the signature phase needs a secret (--secret or --secret-file) and a signing --delivery-profile",
        ));
    }
    let scheme = delivery.signature.clone().filter(|_| secret.is_some());
    if let Some(path) = &args.replay {
        return replay(&args, path, secret.as_deref(), &delivery);
    }
    eprintln!(
        "hookcheck: fire at {} (seed {seed}: reproduce with --seed {seed}; payloads {}, delivery {}{})",
        args.url,
        payload_profile(&args).map_or_else(|_| args.profile.clone(), |p| p.name().to_string()),
        delivery.name,
        if scheme.is_some() {
            ", signed"
        } else if delivery.signature.is_some() {
            ", unsigned: no secret given, the signature phase is skipped"
        } else {
            ""
        }
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Write)?;
    let mut outcome: Outcome = match runtime.block_on(c.run()) {
        Ok(o) => o,
        Err(e @ (FireError::Url { .. } | FireError::Usage(_) | FireError::Secret(_))) => {
            return Ok(usage(e))
        }
        Err(e) => {
            eprintln!("hookcheck: {e}");
            return Ok(ExitCodes::TOOL_ERROR);
        }
    };
    if let Some(dir) = &args.save {
        match hookcheck::fire::save(&mut outcome, dir) {
            Ok(paths) if !paths.is_empty() => eprintln!(
                "hookcheck: saved {} in {}; re-send them with --replay {}",
                hookcheck::report::count(paths.len(), "minimal failure", "minimal failures"),
                dir.display(),
                dir.display()
            ),
            Ok(_) => {}
            Err(e) => {
                eprintln!("hookcheck: {e}");
                return Ok(ExitCodes::TOOL_ERROR);
            }
        }
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    match args.format {
        Format::Human => render::human(&mut out, &outcome, false),
        Format::Json => render::json_lines(&mut out, &outcome),
    }
    .map_err(Error::Write)?;
    out.flush().map_err(Error::Write)?;
    if let Some(path) = &args.junit {
        let xml =
            render::junit(&outcome).map_err(|e| Error::Write(io::Error::other(e.to_string())))?;
        std::fs::write(path, xml).map_err(|source| Error::WriteFile {
            path: path.clone(),
            source,
        })?;
    }
    Ok(outcome.exit_code())
}

/// `hookcheck fire URL --replay DIR|FILE`.
fn replay(
    args: &FireArgs,
    path: &std::path::Path,
    secret: Option<&str>,
    delivery: &DeliveryProfile,
) -> Result<u8, Error> {
    let timeout = match seconds("--timeout", args.timeout) {
        Ok(t) => t.unwrap_or(Duration::from_secs(delivery.timeout_secs)),
        Err(e) => return Ok(usage(e)),
    };
    if secret.is_none() && delivery.signature.is_some() {
        eprintln!(
            "hookcheck: no secret given: deliveries are re-sent with their recorded signatures, which a consumer that checks timestamps refuses"
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Write)?;
    let results = match runtime.block_on(hookcheck::fire::replay(
        &args.url, path, secret, delivery, timeout,
    )) {
        Ok(r) => r,
        Err(e) => return Ok(usage(e)),
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    match args.format {
        Format::Human => render::replay_human(&mut out, &args.url, &results),
        Format::Json => render::replay_json(&mut out, &args.url, &results),
    }
    .map_err(Error::Write)?;
    out.flush().map_err(Error::Write)?;
    let none_answered = results
        .iter()
        .all(|r| matches!(r.answer, hookcheck::fire::Answer::Connection { .. }));
    Ok(if none_answered && !reachable(&args.url) {
        eprintln!(
            "hookcheck: the consumer at {} could not be reached",
            args.url
        );
        ExitCodes::NO_DELIVERIES
    } else if results.iter().all(|r| r.fixed()) {
        ExitCodes::OK
    } else {
        ExitCodes::FINDINGS
    })
}

/// Whether a TCP connection to the URL's host and port can be made at all.
fn reachable(url: &str) -> bool {
    use std::net::ToSocketAddrs;
    let Ok(u) = reqwest::Url::parse(url) else {
        return false;
    };
    let (Some(host), Some(port)) = (u.host_str(), u.port_or_known_default()) else {
        return false;
    };
    (host, port).to_socket_addrs().is_ok_and(|mut addrs| {
        addrs.any(|a| std::net::TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok())
    })
}
