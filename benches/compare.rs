//! The Rust side of `bench/compare`: payloads per second, from raw bytes to a verdict, on one core, for
//! the hookcheck library (full report: every error, warnings, semantic rules) and for the `jsonschema`
//! crate used directly on the same schema files (parse + `is_valid` against the entry schema).
//!
//! `HOOKCHECK_CORPUS=file.ndjson HOOKCHECK_PROFILE=compat cargo bench --bench compare` prints one JSON line.
//! Without `HOOKCHECK_CORPUS` (as in `cargo bench` or CI's smoke run) it measures a small generated corpus.
use std::time::Instant;

// The same allocator as the `hookcheck` binary (see src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use hookcheck::{generate::Generator, Catalog, EventName, Options, Profile};
use jsonschema::{Draft, Registry, Resource};
use serde_json::{json, Value};

fn per_sec(lines: &[&[u8]], mut f: impl FnMut(&[u8]) -> usize) -> (f64, usize) {
    let mut sink = 0;
    for l in lines {
        sink += f(l); // warm-up pass
    }
    let t = Instant::now();
    let mut errors = 0;
    for l in lines {
        errors += f(l);
    }
    let secs = t.elapsed().as_secs_f64();
    std::hint::black_box(sink);
    (lines.len() as f64 / secs, errors)
}

fn main() {
    let profile: Profile = std::env::var("HOOKCHECK_PROFILE")
        .unwrap_or_else(|_| "compat".into())
        .parse()
        .expect("profile");
    let catalog = Catalog::shared().expect("catalog");
    let text = match std::env::var("HOOKCHECK_CORPUS") {
        Ok(p) => std::fs::read(p).expect("corpus"),
        Err(_) => {
            let g = Generator::new(catalog, profile).expect("generator");
            let mut out = Vec::new();
            for e in g.events().collect::<Vec<EventName>>() {
                for v in g.values(e, 1, 20).expect("values") {
                    out.extend(serde_json::to_vec(&v).expect("json"));
                    out.push(b'\n');
                }
            }
            out
        }
    };
    let lines: Vec<&[u8]> = text
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();

    // Start-up, on a fresh catalog: `load` (parse, closed twins, registry; the verdicts are compiled into
    // the binary), then the run-time validators of this profile (what the first payload with findings
    // waits for, unless `Catalog::prepare` compiled them on the other core), then the other profile.
    let t = Instant::now();
    let fresh = Catalog::load().expect("catalog");
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    fresh
        .event(profile, EventName::MessageCreated)
        .expect("compiles");
    let profile_ms = t.elapsed().as_secs_f64() * 1e3 - load_ms;
    for p in Profile::ALL {
        fresh.event(p, EventName::MessageCreated).expect("compiles");
    }
    let compile_ms = t.elapsed().as_secs_f64() * 1e3;
    // The release sieve (compat's one-pass verdict), built on the first payload that needs it.
    let t_sieve = Instant::now();
    let _ = fresh.clean_releases(EventName::MessageCreated, &serde_json::json!({}));
    let sieve_ms = t_sieve.elapsed().as_secs_f64() * 1e3;
    drop(fresh);
    let opts = Options {
        profile,
        ..Options::default()
    };
    let (hookcheck_per_sec, hookcheck_errors) =
        per_sec(&lines, |b| catalog.validate(b, &opts).errors().count());

    // Baseline: the jsonschema crate on the entry schema, formats registered the same way.
    let t = Instant::now();
    let resources = catalog
        .files()
        .iter()
        .map(|f| (f.id.clone(), Resource::from_contents(f.document.clone())));
    let registry = Registry::new()
        .extend(resources)
        .and_then(|b| b.prepare())
        .expect("registry");
    let mut options = jsonschema::options()
        .with_draft(Draft::Draft202012)
        .with_registry(&registry)
        .should_validate_formats(true);
    for name in hookcheck::format::ALL {
        options = options.with_format(name, move |s: &str| {
            hookcheck::format::check(name, s).unwrap_or(true)
        });
    }
    let entry = options
        .build(&json!({"$ref": format!("https://hookcheck.dev/schemas/{}", profile.entry_path())}))
        .expect("entry");
    let baseline_compile_ms = t.elapsed().as_secs_f64() * 1e3;
    let (baseline_per_sec, baseline_invalid) = per_sec(&lines, |b| {
        let v: Value = match serde_json::from_slice(b) {
            Ok(v) => v,
            Err(_) => return 1,
        };
        usize::from(!entry.is_valid(&v))
    });
    println!(
        "{}",
        json!({"lines": lines.len(), "hookcheck_lib": {"per_sec": hookcheck_per_sec, "errors": hookcheck_errors, "compile_ms": compile_ms, "load_ms": load_ms, "profile_ms": profile_ms, "sieve_ms": sieve_ms},
               "jsonschema_crate": {"per_sec": baseline_per_sec, "invalid": baseline_invalid, "compile_ms": baseline_compile_ms}})
    );
}
