//! `hookcheck releases`: which Chatwoot releases would have sent each payload.
use std::{
    io::{self, Write},
    path::PathBuf,
};

use serde_json::{json, Value};

use hookcheck::{
    error::Error,
    event::EventName,
    exit::ExitCodes,
    finding::Finding,
    input::{self, Records},
    release::{Release, ReleaseSet},
    schema::{Catalog, Fit},
    validate::{decode, DEFAULT_MAX_BYTES},
};

/// Arguments of `hookcheck releases`.
#[derive(Debug, clap::Args)]
pub struct ReleasesArgs {
    /// Files, directories, or `-` for stdin (as for `validate`). None: the embedded contract examples.
    paths: Vec<PathBuf>,
    /// Output format: `human` (one line per payload) or `json` (one object per payload).
    #[arg(long, default_value = "human", value_parser = ["human", "json"])]
    format: String,
    /// List the known releases and the events each sends, instead of checking payloads.
    #[arg(long)]
    list: bool,
    /// Size cap per payload in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_BYTES, value_name = "BYTES")]
    max_bytes: usize,
}

/// What one payload fits.
enum Verdict {
    /// Not a payload hookcheck can place (not JSON, no known event): the first finding says why.
    Unplaced(Finding),
    Placed(EventName, Fit),
}

fn place(catalog: &Catalog, bytes: &[u8], max_bytes: usize) -> Result<Verdict, Error> {
    let mut findings = Vec::new();
    let Some(value) = decode(bytes, max_bytes, &mut findings) else {
        return Ok(Verdict::Unplaced(findings.remove(0)));
    };
    let body = hookcheck::document::envelope_body(&value).unwrap_or(&value);
    let event = body
        .get("event")
        .and_then(Value::as_str)
        .and_then(EventName::from_wire);
    match event {
        Some(e) => Ok(Verdict::Placed(e, catalog.fit(e, body)?)),
        None => Ok(Verdict::Unplaced(Finding::error(
            hookcheck::finding::rule::EVENT_UNKNOWN,
            "/event",
            "no known `event`: cannot tell which event's releases to compare",
        ))),
    }
}

fn ranges(set: ReleaseSet) -> Value {
    Value::Array(
        set.ranges()
            .into_iter()
            .map(|(a, b)| json!({"from": a.version(), "to": b.version()}))
            .collect(),
    )
}

/// Runs `hookcheck releases`; returns the exit code.
///
/// # Errors
/// An unwritable stdout, or release contracts that do not build (a defect in hookcheck).
pub fn run(args: ReleasesArgs) -> Result<u8, Error> {
    let catalog = Catalog::shared()?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    let json = args.format == "json";
    if args.list {
        for r in Release::all() {
            let events = catalog.events(hookcheck::Profile::Release(r))?;
            let names: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
            if json {
                let line = json!({"type": "release", "version": r.version(), "ref": r.git_ref(), "events": names});
                writeln!(out, "{line}").map_err(Error::Write)?;
            } else {
                writeln!(
                    out,
                    "{:<7} {:>2} events: {}",
                    r.version(),
                    names.len(),
                    names.join(", ")
                )
                .map_err(Error::Write)?;
            }
        }
        out.flush().map_err(Error::Write)?;
        return Ok(ExitCodes::OK);
    }

    let mut unplaced = 0usize;
    let mut total = 0usize;
    let mut input_errors = 0usize;
    let mut report = |out: &mut dyn Write,
                      source: &str,
                      line: Option<usize>,
                      bytes: &[u8],
                      oversize: Option<usize>|
     -> Result<(), Error> {
        total += 1;
        let at = match line {
            Some(n) => format!("{source}:{n}"),
            None => source.to_string(),
        };
        if let Some(n) = oversize {
            unplaced += 1;
            return writeln!(
                out,
                "{at}: cannot place: payload is {n} bytes, over the cap of {} bytes",
                args.max_bytes
            )
            .map_err(Error::Write);
        }
        let verdict = place(catalog, bytes, args.max_bytes)?;
        let fits = matches!(&verdict, Verdict::Placed(_, fit) if !fit.accepted.is_empty());
        if !fits {
            unplaced += 1;
        }
        let text = match (&verdict, json) {
            (Verdict::Unplaced(f), true) => json!({"type": "releases", "source": source, "line": line,
                "event": null, "ranges": [], "clean": [], "closest": null, "error": f.message})
            .to_string(),
            (Verdict::Unplaced(f), false) => format!("{at}: cannot place: {}", f.message),
            (Verdict::Placed(event, fit), true) => json!({"type": "releases", "source": source, "line": line,
                "event": event.as_str(), "ranges": ranges(fit.accepted), "clean": ranges(fit.clean),
                "closest": fit.closest.as_ref().map(|c| c.release().version()),
                "closest_ranges": fit.closest.as_ref().map(|c| ranges(c.releases)),
                "closest_errors": fit.closest.as_ref().map(|c| c.errors)})
            .to_string(),
            (Verdict::Placed(event, fit), false) => match &fit.closest {
                None if fit.clean == fit.accepted => format!("{at}: {event} fits {}", fit.accepted),
                None => format!(
                    "{at}: {event} fits {} (cleanly: {})",
                    fit.accepted,
                    if fit.clean.is_empty() {
                        "none; unknown keys everywhere".to_string()
                    } else {
                        fit.clean.to_string()
                    }
                ),
                Some(c) if c.errors == 0 => format!(
                    "{at}: {event} fits no release exactly; closest release: {} (no error, but {} key{} \
                     it does not send, some of them other releases' keys: `validate` warns about them; \
                     same contract: {})",
                    c.release(),
                    c.unknown_keys,
                    if c.unknown_keys == 1 { "" } else { "s" },
                    c.releases
                ),
                Some(c) => format!(
                    "{at}: {event} fits no release; closest release: {} ({} error{}; same contract: {})",
                    c.release(),
                    c.errors,
                    if c.errors == 1 { "" } else { "s" },
                    c.releases
                ),
            },
        };
        writeln!(out, "{text}").map_err(Error::Write)
    };

    if args.paths.is_empty() {
        for ex in catalog.examples() {
            let source = format!("embedded:examples/{}", ex.path);
            report(&mut out, &source, None, ex.text.as_bytes(), None)?;
        }
    } else {
        let (inputs, errors) = input::expand(&args.paths);
        for e in errors {
            input_errors += 1;
            eprintln!("hookcheck: {e}");
        }
        for inp in inputs {
            let source = inp.path.display().to_string();
            let reader = match input::open(&inp) {
                Ok(r) => r,
                Err(e) => {
                    input_errors += 1;
                    eprintln!("hookcheck: {e}");
                    continue;
                }
            };
            for record in Records::new(reader, inp.layout, args.max_bytes) {
                match record {
                    Ok(r) => report(&mut out, &source, r.line, &r.bytes, r.oversize)?,
                    Err(e) => {
                        input_errors += 1;
                        eprintln!("hookcheck: {source}: {e}");
                        break;
                    }
                }
            }
        }
    }
    if json {
        let summary = json!({"type": "summary", "payloads": total, "fitting": total - unplaced,
            "fitting_no_release": unplaced, "input_errors": input_errors});
        writeln!(out, "{summary}").map_err(Error::Write)?;
    } else {
        writeln!(
            out,
            "{total} payload{}: {} fit a release, {unplaced} fit none",
            if total == 1 { "" } else { "s" },
            total - unplaced
        )
        .map_err(Error::Write)?;
    }
    out.flush().map_err(Error::Write)?;
    Ok(if input_errors > 0 {
        ExitCodes::TOOL_ERROR
    } else if unplaced > 0 {
        ExitCodes::FINDINGS
    } else {
        ExitCodes::OK
    })
}
