//! `hookcheck generate`: payloads on stdout, reproducible from a seed.
use std::{
    collections::BTreeMap,
    io::{self, Write},
    path::PathBuf,
    sync::Arc,
};

use proptest::strategy::{Strategy, ValueTree};
use serde_json::{json, Value};

use hookcheck::{
    error::Error,
    event::EventName,
    exit::ExitCodes,
    generate::{coverage::Item, mutate, runner, Coverage, GenerateError, Generator},
    Catalog,
};

use super::common::ContractArgs;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["event", "all"])))]
pub struct GenerateArgs {
    /// Generate payloads of this event.
    #[arg(long, value_name = "NAME")]
    event: Option<String>,
    /// Generate payloads of every event (COUNT each).
    #[arg(long)]
    all: bool,
    /// Payloads per event.
    #[arg(long, default_value_t = 10)]
    count: usize,
    /// Seed (default: random, printed on stderr).
    #[arg(long)]
    seed: Option<u64>,
    #[command(flatten)]
    contract: ContractArgs,
    /// Break each payload in exactly one way; the expected finding of each line goes to --expect, or, without
    /// it, into a `_hookcheck_expect` key of the payload.
    #[arg(long)]
    invalid: bool,
    /// With --invalid: write one expectation per line here (NDJSON: line, event, class, pointer, rule).
    #[arg(long, value_name = "FILE", requires = "invalid")]
    expect: Option<PathBuf>,
    /// Print the coverage table (enum values, optional keys, branches) instead of payloads.
    #[arg(long)]
    coverage: bool,
}

fn gen_error(e: GenerateError) -> Error {
    Error::SchemaCompile {
        id: "generator".into(),
        message: e.to_string(),
    }
}

/// Runs `hookcheck generate`.
pub fn run(args: GenerateArgs) -> Result<u8, Error> {
    let GenerateArgs {
        event,
        all,
        count,
        seed,
        contract,
        invalid,
        expect,
        coverage,
    } = args;
    let (event, expect) = (event.as_deref(), expect.as_deref());
    let profile = contract.profile()?;
    let catalog = Catalog::shared()?;
    let sent = catalog.events(profile)?;
    let events: Vec<EventName> = match (event, all) {
        (Some(e), false) => {
            let e: EventName = e.parse()?;
            if !sent.contains(&e) {
                return Err(Error::Unknown {
                    what: "event for this profile",
                    given: e.as_str().to_string(),
                    hint: format!(
                        "; Chatwoot {profile} does not send it (sent by {})",
                        catalog.releases_sending(e)?
                    ),
                });
            }
            vec![e]
        }
        _ => sent,
    };
    let seed = seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    eprintln!("hookcheck: seed {seed} (profile {profile}; reproduce with --seed {seed})");
    let generator =
        Generator::with_events(catalog, profile, &events).map_err(|e| Error::SchemaCompile {
            id: e.location.clone(),
            message: e.to_string(),
        })?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    if coverage {
        return print_coverage(&generator, &events, seed, count.max(1), &mut out);
    }
    let mut expect_out = match expect {
        Some(p) => Some(io::BufWriter::new(std::fs::File::create(p).map_err(
            |source| Error::WriteFile {
                path: p.to_path_buf(),
                source,
            },
        )?)),
        None => None,
    };
    let mut line = 0usize;
    for event in &events {
        // The mutation picks draw from a proptest runner of the same seed; payloads from the sampler.
        let mut r = runner(seed, *event);
        let mut sampler = generator.sampler(seed, *event);
        for _ in 0..count {
            let mut value = sampler.next_value().map_err(gen_error)?;
            line += 1;
            if invalid {
                let sites = generator.sites(catalog, *event, &value);
                // Pick a class first, then a site of that class, so rare classes are not drowned.
                let mut classes: Vec<mutate::Class> =
                    sites.iter().map(|s| s.expect.class).collect();
                classes.sort();
                classes.dedup();
                let mut pick = |n: usize| -> usize {
                    let x = proptest::num::usize::ANY
                        .new_tree(&mut r)
                        .map(|t| t.current())
                        .unwrap_or(0);
                    x % n.max(1)
                };
                let class = classes[pick(classes.len())];
                let of_class: Vec<&mutate::Site> =
                    sites.iter().filter(|s| s.expect.class == class).collect();
                let site = of_class[pick(of_class.len())];
                site.apply(*event, &mut value);
                let e = &site.expect;
                let record = json!({"line": line, "event": event.as_str(), "class": e.class.name(),
                                    "pointer": e.pointer, "rule": e.rule, "description": e.description});
                match &mut expect_out {
                    Some(w) => writeln!(w, "{record}").map_err(Error::Write)?,
                    None => {
                        if let Value::Object(m) = &mut value {
                            m.insert(hookcheck::validate::EXPECT_KEY.into(), record);
                        }
                    }
                }
            }
            serde_json::to_writer(&mut out, &value).map_err(|e| Error::Write(e.into()))?;
            out.write_all(b"\n").map_err(Error::Write)?;
        }
    }
    if let Some(w) = &mut expect_out {
        w.flush().map_err(Error::Write)?;
    }
    out.flush().map_err(Error::Write)?;
    Ok(ExitCodes::OK)
}

/// Per release shape, the items never exercised that are listed by name (the rest are counted).
const MAX_NEVER_LISTED: usize = 5;

fn print_coverage(
    generator: &Generator,
    events: &[EventName],
    seed: u64,
    count: usize,
    out: &mut impl Write,
) -> Result<u8, Error> {
    let mut missing_total = 0;
    for event in events {
        let cov = Arc::new(Coverage::default());
        // Building the strategy registers what can be exercised; the sampler (what `generate` emits)
        // records what was, draw by draw, so that each draw counts for the release shape it came from.
        let _ = generator.strategy_with_coverage(*event, cov.clone());
        let expected = cov.expected();
        let shapes = generator.shapes(*event);
        let shape_items = generator.coverage_items(*event);
        let mut total: BTreeMap<Item, u64> = BTreeMap::new();
        let mut per_shape: Vec<(usize, BTreeMap<Item, u64>)> =
            vec![(0, BTreeMap::new()); shapes.len()];
        let mut sampler = generator.sampler(seed, *event).with_coverage(&cov);
        for _ in 0..count {
            sampler.next_value().map_err(gen_error)?;
            let seen = cov.take_seen();
            let shape = sampler.last_shape().and_then(|i| per_shape.get_mut(i));
            if let Some((drawn, items)) = shape {
                *drawn += 1;
                for (item, n) in &seen {
                    *items.entry(item.clone()).or_insert(0) += n;
                }
            }
            for (item, n) in seen {
                *total.entry(item).or_insert(0) += n;
            }
        }
        let missing = expected.iter().filter(|i| !total.contains_key(*i)).count();
        missing_total += missing;
        writeln!(
            out,
            "# {event}: {} items, {} exercised, {missing} never ({count} payloads, seed {seed})",
            expected.len(),
            expected.len() - missing
        )
        .map_err(Error::Write)?;
        for item in &expected {
            let n = total.get(item).copied().unwrap_or(0);
            writeln!(out, "{n:>7}  {item}").map_err(Error::Write)?;
        }
        // Per release shape (one for a single release; every distinct contract of the event under compat):
        // how many payloads it drew and which of its own items they never exercised.
        if shapes.len() > 1 {
            writeln!(
                out,
                "# {event} by release: {} distinct contracts",
                shapes.len()
            )
            .map_err(Error::Write)?;
        }
        for (((releases, _), items), (drawn, seen)) in
            shapes.iter().zip(shape_items).zip(&per_shape)
        {
            let never: Vec<&Item> = items.iter().filter(|i| !seen.contains_key(*i)).collect();
            writeln!(
                out,
                "#   {releases}: {}, {} items, {} exercised, {} never",
                hookcheck::report::count(*drawn, "payload", "payloads"),
                items.len(),
                items.len() - never.len(),
                never.len()
            )
            .map_err(Error::Write)?;
            for item in never.iter().take(MAX_NEVER_LISTED) {
                writeln!(out, "#       never: {item}").map_err(Error::Write)?;
            }
            if never.len() > MAX_NEVER_LISTED {
                writeln!(
                    out,
                    "#       ... and {} more",
                    never.len() - MAX_NEVER_LISTED
                )
                .map_err(Error::Write)?;
            }
        }
    }
    out.flush().map_err(Error::Write)?;
    if missing_total == 0 {
        return Ok(ExitCodes::OK);
    }
    // Exit 1 says "not everything was exercised": say so, and how to get further.
    eprintln!(
        "hookcheck: {} never exercised in {} per event (exit 1); more payloads \
         exercise more: try --count {}",
        hookcheck::report::count(missing_total, "coverage item was", "coverage items were"),
        hookcheck::report::count(count, "payload", "payloads"),
        (count * 10).max(100)
    );
    Ok(ExitCodes::FINDINGS)
}
