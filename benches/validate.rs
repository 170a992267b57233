//! Bytes -> report on realistic payloads, beside a plain `serde_json` parse of the same bytes, and the cost
//! of compiling the whole catalog. Figures and the machine are in BENCHMARKS.md.
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hookcheck::{Catalog, EventName, Options, Profile};
use serde_json::Value;

// The same allocator as the `hookcheck` binary (see src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Compact bodies as Chatwoot sends them: the contract examples plus one seed payload full of defects.
fn payloads(catalog: &Catalog) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = catalog
        .examples()
        .iter()
        .map(|ex| {
            let v: Value = serde_json::from_str(ex.text).expect("example");
            let name = ex
                .path
                .trim_start_matches("chatwoot/")
                .trim_end_matches(".json")
                .to_string();
            (name, serde_json::to_vec(&v["body"]).expect("body"))
        })
        .collect();
    let seed = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/seeds/trino-message_created.json"
    ))
    .expect("seed fixture");
    let v: Value = serde_json::from_slice(&seed).expect("seed");
    out.push((
        "invalid.seed_trino_message_created".into(),
        serde_json::to_vec(&v).expect("seed bytes"),
    ));
    out
}

fn bench_validate(c: &mut Criterion) {
    let catalog = Catalog::shared().expect("catalog");
    for profile in [Profile::Compat, Profile::V4_15] {
        let opts = Options {
            profile,
            ..Options::default()
        };
        let mut group = c.benchmark_group(format!("bytes_to_report/{profile}"));
        for (name, bytes) in payloads(catalog) {
            group.throughput(Throughput::Bytes(bytes.len() as u64));
            group.bench_with_input(BenchmarkId::new("hookcheck", &name), &bytes, |b, bytes| {
                b.iter(|| black_box(catalog.validate(black_box(bytes), &opts)))
            });
            group.bench_with_input(
                BenchmarkId::new("serde_json_parse", &name),
                &bytes,
                |b, bytes| {
                    b.iter(|| {
                        black_box(serde_json::from_slice::<Value>(black_box(bytes)).expect("json"))
                    })
                },
            );
        }
        group.finish();
    }
}

fn bench_catalog(c: &mut Criterion) {
    let mut group = c.benchmark_group("catalog");
    group.sample_size(10);
    // What every run pays: parse the embedded files, derive the closed twins, build the registry (the
    // verdict validators are compiled into the binary).
    group.bench_function("load", |b| {
        b.iter(|| black_box(Catalog::load().expect("catalog")))
    });
    // What the first payload with findings waits for (unless `Catalog::prepare` ran it on another core):
    // the run-time validators of one profile.
    group.bench_function("load_and_compile_compat", |b| {
        b.iter(|| {
            let c = Catalog::load().expect("catalog");
            c.event(Profile::Compat, EventName::MessageCreated)
                .expect("compiles");
            black_box(c)
        })
    });
    // Everything, both profiles.
    group.bench_function("load_and_compile_all", |b| {
        b.iter(|| {
            let c = Catalog::load().expect("catalog");
            for p in Profile::ALL {
                c.event(p, EventName::MessageCreated).expect("compiles");
            }
            black_box(c)
        })
    });
    group.finish();
}

criterion_group!(benches, bench_validate, bench_catalog);
criterion_main!(benches);
