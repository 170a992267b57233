//! The compile-time verdict validators (`build.rs`, `jsonschema::validator`) against the run-time closed
//! twins they replace on the fast path: the same answer on every payload, or a clean payload would be
//! passed or failed on the word of a validator that the diagnosis disagrees with.
//!
//! `HOOKCHECK_VERDICT_CASES` (default 30) sets the generated payloads per profile and event.
use hookcheck::{generate::Generator, EventName, Profile};
use serde_json::Value;

use crate::util::{catalog, example_payloads, negative_payloads, with_unknown_keys};

fn cases() -> usize {
    std::env::var("HOOKCHECK_VERDICT_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30)
}

/// Compares, on `v` for `event` under `profile`, the build-time verdict with the run-time closed twin it
/// stands for, and the whole verdict ([`hookcheck::Catalog::verdict`]) with its definition: for a release,
/// its closed twin; for `compat`, the union's closed twin and some release's. Returns the run-time answer.
fn compare(
    profile: Profile,
    event: EventName,
    v: &Value,
    what: &str,
    disagreements: &mut Vec<String>,
) -> bool {
    let catalog = catalog();
    if !catalog.events(profile).expect("events").contains(&event) {
        if catalog.verdict(profile, event, v) {
            disagreements.push(format!(
                "{profile} does not send {event}, yet {what} is accepted"
            ));
        }
        return false;
    }
    let closed = catalog
        .event(profile, event)
        .expect("every profile compiles")
        .closed
        .is_valid(v);
    if let Some(fast) = catalog.compiled_verdict(profile, event, v) {
        if fast != closed {
            disagreements.push(format!(
                "{profile} {event} {what}: build-time {fast}, run-time {closed}: {}",
                serde_json::to_string(v).unwrap_or_default()
            ));
        }
    }
    let slow = match profile {
        Profile::Compat => {
            closed
                && !catalog
                    .fit(event, v)
                    .expect("every release compiles")
                    .clean
                    .is_empty()
        }
        Profile::Release(_) => closed,
    };
    let whole = catalog.verdict(profile, event, v);
    if whole != slow {
        disagreements.push(format!(
            "{profile} {event} {what}: verdict {whole}, by definition {slow}: {}",
            serde_json::to_string(v).unwrap_or_default()
        ));
    }
    slow
}

#[test]
fn compile_time_and_run_time_verdicts_agree_on_generated_mutated_and_cross_event_payloads() {
    let mut disagreements = Vec::new();
    let (mut valid, mut invalid) = (0usize, 0usize);
    for profile in Profile::ALL {
        let g = Generator::shared(profile).expect("generator");
        for event in g.events().collect::<Vec<_>>() {
            let values = g.values(event, 7, cases()).expect("values");
            for (i, v) in values.iter().enumerate() {
                let mut count = |ok: bool| if ok { valid += 1 } else { invalid += 1 };
                count(compare(
                    profile,
                    event,
                    v,
                    &format!("valid #{i}"),
                    &mut disagreements,
                ));
                for site in g.sites(catalog(), event, v) {
                    let mut m = v.clone();
                    site.apply(event, &mut m);
                    let what = format!("#{i} {}", site.expect.description);
                    count(compare(profile, event, &m, &what, &mut disagreements));
                }
                // Unknown keys: the closed twin's own business, at every depth (first payload only:
                // one per object).
                if i == 0 {
                    for m in with_unknown_keys(v) {
                        count(compare(
                            profile,
                            event,
                            &m,
                            "unknown key",
                            &mut disagreements,
                        ));
                    }
                }
                // The payload against every other event's schema: mostly wrong shapes.
                for other in EventName::ALL.iter().filter(|e| **e != event) {
                    count(compare(
                        profile,
                        *other,
                        v,
                        &format!("{event} payload"),
                        &mut disagreements,
                    ));
                }
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements, first ones:\n{}",
        disagreements.len(),
        disagreements[..disagreements.len().min(5)].join("\n")
    );
    // Both answers were exercised, many times: a comparison that only ever saw `true` proves little.
    assert!(
        valid > 500 && invalid > 5_000,
        "valid {valid}, invalid {invalid}"
    );
}

#[test]
fn compile_time_and_run_time_verdicts_agree_on_the_examples_and_every_negative_case() {
    let mut disagreements = Vec::new();
    let mut seen = 0;
    for (name, event, v) in negative_payloads() {
        for profile in Profile::ALL {
            compare(profile, event, &v, &name, &mut disagreements);
            seen += 1;
        }
    }
    for (path, event, body) in example_payloads() {
        for profile in Profile::ALL {
            assert!(
                compare(profile, event, &body, path, &mut disagreements),
                "{path} is a clean {profile} payload"
            );
            seen += 1;
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert!(seen > 300, "{seen} comparisons");
}
