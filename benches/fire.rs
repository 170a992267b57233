//! `hookcheck fire` speed: deliveries per second against a trivial consumer (answers 200 at once) in the
//! same process at concurrency 32, and the time to shrink a typical failure (a 500 when
//! `/sender/phone_number` is null, found by the random phase). Figures in BENCHMARKS.md.
//!
//! Before the timings, a one-off comparison of the two shrinkers on the same failure (not timed): the
//! JSON-level reducer of `hookcheck::fire` and proptest's value-tree shrinking of the generator's strategy.
use std::{
    sync::{atomic::AtomicBool, Arc},
    time::Duration,
};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hookcheck::{
    fire::{minimize, Campaign, Phase},
    generate::{runner, Generator},
    signature::activesupport_json,
    Catalog, EventName, Profile,
};
use proptest::strategy::{Strategy, ValueTree};
use serde_json::Value;

#[path = "support/consumer.rs"]
mod consumer;

// The same allocator as the `hookcheck` binary (see src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SECRET: &str = "bench-secret";
const NULL_KEY: &str = "/sender/phone_number";
const PER_EVENT: usize = 200;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn bench_throughput(c: &mut Criterion) {
    let rt = runtime();
    let trivial = rt.block_on(consumer::Consumer::start("/hooks", consumer::trivial()));
    let random = Campaign::new(trivial.url.clone())
        .secret(SECRET)
        .phases([Phase::Random])
        .count(PER_EVENT)
        .concurrency(32)
        .seed(1);
    // Every event compat sends (14).
    let events = Catalog::shared()
        .expect("catalog")
        .events(Profile::Compat)
        .expect("events")
        .len();
    let mut g = c.benchmark_group("fire");
    g.sample_size(10);
    g.throughput(Throughput::Elements((PER_EVENT * events) as u64));
    g.bench_function(
        format!("random phase, {events} events x {PER_EVENT}, concurrency 32"),
        |b| {
            b.iter(|| {
                let o = rt.block_on(random.run()).expect("campaign");
                assert_eq!(o.deliveries, PER_EVENT * events);
            })
        },
    );
    // Every phase: what a default run costs (planning coverage and hostile bodies included). The trivial
    // consumer accepts forgeries, so shrinking is off to time the campaign alone.
    let every = Campaign::new(trivial.url.clone())
        .secret(SECRET)
        .count(20)
        .concurrency(32)
        .seed(1)
        .shrink(false);
    let n = rt.block_on(every.run()).expect("campaign").deliveries;
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(
        format!("every phase, {n} deliveries, concurrency 32"),
        |b| b.iter(|| rt.block_on(every.run()).expect("campaign")),
    );
    // The same plan without sending: what planning costs (coverage draws, hostile bodies, forgeries).
    g.bench_function(
        format!("plan every phase, {n} deliveries, nothing sent"),
        |b| b.iter(|| every.plan().expect("plan").len()),
    );
    g.finish();
}

fn bench_shrink(c: &mut Criterion) {
    let rt = runtime();
    let fixed = Arc::new(AtomicBool::new(false));
    let buggy = rt.block_on(consumer::Consumer::start(
        "/hooks",
        consumer::null_key(SECRET, NULL_KEY, fixed),
    ));
    let campaign = Campaign::new(buggy.url.clone())
        .secret(SECRET)
        .events([EventName::MessageCreated])
        .phases([Phase::Random])
        .count(10)
        .concurrency(32)
        .seed(5);
    let first = rt.block_on(campaign.run()).expect("campaign");
    let g0 = first.groups.first().expect("seed 5 finds the planted bug");
    let s = g0.shrink.as_ref().expect("shrunk");
    eprintln!(
        "fire/shrink: {} -> {} bytes in {} deliveries, kept {:?}",
        s.before_bytes,
        s.after_bytes,
        s.tests,
        s.kept.iter().map(|k| &k.pointer).collect::<Vec<_>>()
    );
    let mut g = c.benchmark_group("fire");
    g.sample_size(10);
    g.bench_function("shrink a 500 on a null key (message_created)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let o = rt.block_on(campaign.run()).expect("campaign");
                total += Duration::from_millis(o.shrink_millis);
            }
            total
        })
    });
    g.finish();
}

/// The reducer and proptest's shrinking on the same failures: for 20 strategy draws that fail (the null
/// key), both shrink from the same payload; sizes in bytes as sent.
fn compare_shrinkers(_: &mut Criterion) {
    let catalog = Catalog::shared().expect("catalog");
    let generator = Generator::new(catalog, Profile::Compat).expect("generator");
    let strategy = generator.strategy(EventName::MessageCreated);
    let fails = |v: &Value| v.pointer(NULL_KEY) == Some(&Value::Null);
    let mut r = runner(7, EventName::MessageCreated);
    let (mut ours, mut theirs, mut start, mut n) = (0usize, 0usize, 0usize, 0usize);
    // Cases where the reducer's result is smaller, equal, larger than proptest's.
    let mut wins = [0usize; 3];
    let mut tries = 0;
    while n < 20 && tries < 2_000 {
        tries += 1;
        let Ok(mut tree) = strategy.new_tree(&mut r) else {
            continue;
        };
        let v = tree.current();
        if !fails(&v) {
            continue;
        }
        n += 1;
        start += activesupport_json(&v).len();
        // proptest's own loop (TestRunner::shrink): simplify while the failure holds, complicate when
        // it does not, keep the last failing value.
        let mut smallest = v.clone();
        let mut steps = 0;
        if tree.simplify() {
            while steps < 10_000 {
                steps += 1;
                let cur = tree.current();
                if fails(&cur) {
                    smallest = cur;
                    if !tree.simplify() {
                        break;
                    }
                } else if !tree.complicate() {
                    break;
                }
            }
        }
        theirs += activesupport_json(&smallest).len();
        let (small, _) = minimize(
            catalog,
            &generator,
            EventName::MessageCreated,
            &v,
            2_000,
            fails,
        );
        let (a, b) = (
            activesupport_json(&small).len(),
            activesupport_json(&smallest).len(),
        );
        ours += a;
        wins[usize::from(a >= b) + usize::from(a > b)] += 1;
    }
    let mean = |total: usize| total.checked_div(n).unwrap_or(0);
    eprintln!(
        "shrinkers on {n} failing message_created payloads (mean bytes): start {}, hookcheck reducer {}, proptest value trees {}; reducer smaller in {}, equal in {}, larger in {}",
        mean(start),
        mean(ours),
        mean(theirs),
        wins[0],
        wins[1],
        wins[2]
    );
}

criterion_group!(benches, compare_shrinkers, bench_throughput, bench_shrink);
criterion_main!(benches);
