//! Generation throughput per event (valid payloads, semantic repair included), side by side: the bulk
//! sampler (`Generator::sampler`, what `hookcheck generate` uses) and the proptest strategy
//! (`Generator::strategy`, value trees for shrinking). Figures in BENCHMARKS.md.
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hookcheck::{
    generate::{runner, Generator},
    Catalog, EventName, Profile,
};
use proptest::strategy::{Strategy, ValueTree};

// The same allocator as the `hookcheck` binary (see src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench_generate(c: &mut Criterion) {
    let catalog = Catalog::shared().expect("catalog");
    for profile in Profile::ALL {
        let generator = Generator::new(catalog, profile).expect("generator");
        let mut group = c.benchmark_group(format!("generate/{profile}"));
        group.throughput(Throughput::Elements(1));
        // The events the profile's releases send (4.15.1 has no conversation_opened).
        for event in generator.events().collect::<Vec<EventName>>() {
            let mut sampler = generator.sampler(1, event);
            group.bench_function(BenchmarkId::new("sampler", event), |b| {
                b.iter(|| black_box(sampler.next_value().expect("value")))
            });
            let strategy = generator.strategy(event);
            let mut r = runner(1, event);
            group.bench_function(BenchmarkId::new("proptest", event), |b| {
                b.iter(|| black_box(strategy.new_tree(&mut r).expect("value").current()))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench_generate);
criterion_main!(benches);
