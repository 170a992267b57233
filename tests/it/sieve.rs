//! The release sieve (`src/schema/sieve.rs`: which releases accept a payload, in one pass) against its
//! definition: the releases whose own contract's closed validator accepts the payload, asked one distinct
//! contract at a time. Payloads come from every group of releases (valid, every mutation site, an unknown
//! key in every object, the payload as every other event) and from the examples and negative cases.
//!
//! `HOOKCHECK_SIEVE_CASES` (default 4) sets the generated payloads per release group and event.
use hookcheck::{generate::Generator, release::ReleaseSet, EventName, Profile};
use serde_json::Value;

use crate::util::{catalog, example_payloads, negative_payloads, with_unknown_keys};

fn cases() -> usize {
    std::env::var("HOOKCHECK_SIEVE_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4)
}

/// The releases that accept `v` as `event` by definition: each distinct contract's closed validator.
fn by_definition(event: EventName, v: &Value) -> ReleaseSet {
    let catalog = catalog();
    catalog
        .event_documents(event)
        .expect("every release derives")
        .into_iter()
        .filter(|(set, _)| {
            let r = set.newest().expect("a group holds a release");
            catalog.verdict(Profile::Release(r), event, v)
        })
        .fold(ReleaseSet::EMPTY, |acc, (set, _)| acc.union(set))
}

/// Compares the two on one payload; returns whether some release accepts it.
fn compare(event: EventName, v: &Value, what: &str, disagreements: &mut Vec<String>) -> bool {
    let sieve = catalog()
        .clean_releases(event, v)
        .expect("the sieve builds");
    let definition = by_definition(event, v);
    if sieve != definition {
        disagreements.push(format!(
            "{event} {what}: sieve {sieve}, by definition {definition}: {}",
            serde_json::to_string(v).unwrap_or_default()
        ));
    }
    !definition.is_empty()
}

#[test]
fn the_sieve_names_exactly_the_releases_whose_contract_accepts_each_payload() {
    let catalog = catalog();
    let mut disagreements = Vec::new();
    let (mut accepted, mut rejected, mut partial) = (0usize, 0usize, 0usize);
    let start = std::time::Instant::now();
    let groups = catalog.release_documents().expect("release groups");
    // A generator per release group costs seconds: compat (which draws every group's shapes), the oldest
    // and newest groups, and every fifth one between.
    let last = groups.len() - 1;
    let mut profiles: Vec<Profile> = groups
        .iter()
        .enumerate()
        .filter(|(i, _)| *i % 5 == 0 || *i == last)
        .filter_map(|(_, (set, _))| set.newest().map(Profile::Release))
        .collect();
    profiles.push(Profile::Compat);
    for profile in profiles {
        let g = Generator::shared(profile).expect("generator");
        for event in g.events().collect::<Vec<_>>() {
            let sends = catalog.releases_sending(event).expect("events");
            for (i, v) in g
                .values(event, 11, cases())
                .expect("values")
                .iter()
                .enumerate()
            {
                let mut tally = |v: &Value, what: &str, d: &mut Vec<String>| {
                    if compare(event, v, what, d) {
                        accepted += 1;
                        let set = catalog.clean_releases(event, v).expect("sieve");
                        if set != sends {
                            partial += 1;
                        }
                    } else {
                        rejected += 1;
                    }
                };
                tally(v, &format!("{profile} valid #{i}"), &mut disagreements);
                for site in g.sites(catalog, event, v) {
                    let mut m = v.clone();
                    site.apply(event, &mut m);
                    let what = format!("{profile} #{i} {}", site.expect.description);
                    tally(&m, &what, &mut disagreements);
                }
                if i == 0 {
                    for m in with_unknown_keys(v) {
                        tally(
                            &m,
                            &format!("{profile} #{i} unknown key"),
                            &mut disagreements,
                        );
                    }
                    for other in EventName::ALL.iter().filter(|e| **e != event) {
                        compare(
                            *other,
                            v,
                            &format!("{profile} {event} payload"),
                            &mut disagreements,
                        );
                    }
                }
            }
        }
    }
    eprintln!(
        "sieve: {accepted} accepted ({partial} by some releases only), {rejected} rejected, {:?}",
        start.elapsed()
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements, first ones:\n{}",
        disagreements.len(),
        disagreements[..disagreements.len().min(5)].join("\n")
    );
    // Both answers, and sets strictly between "none" and "every sender", were seen many times.
    assert!(
        accepted > 1_000 && rejected > 5_000 && partial > 500,
        "accepted {accepted} (by some releases only: {partial}), rejected {rejected}"
    );
}

#[test]
fn the_sieve_agrees_on_the_examples_and_every_negative_case() {
    let mut disagreements = Vec::new();
    let mut seen = 0;
    for (name, event, v) in negative_payloads() {
        compare(event, &v, &name, &mut disagreements);
        seen += 1;
    }
    for (path, event, body) in example_payloads() {
        assert!(
            compare(event, &body, path, &mut disagreements),
            "{path} is clean"
        );
        seen += 1;
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert!(seen > 50, "{seen} payloads");
}

/// The sieve's error floors (which order and cut the closest-release search) never exceed the errors a
/// release's contract reports, and are zero exactly where the contract, as written, accepts the payload.
#[test]
fn error_floors_bound_each_release_contracts_own_error_count() {
    let catalog = catalog();
    let g = Generator::shared(Profile::Compat).expect("generator");
    let (mut compared, mut positive, mut tight) = (0usize, 0usize, 0usize);
    let mut wrong = Vec::new();
    for event in g.events().collect::<Vec<_>>() {
        let groups = catalog.event_documents(event).expect("release groups");
        for (i, v) in g
            .values(event, 13, cases().div_ceil(2))
            .expect("values")
            .iter()
            .enumerate()
        {
            let mut payloads = vec![(format!("valid #{i}"), v.clone())];
            for site in g.sites(catalog, event, v) {
                let mut m = v.clone();
                site.apply(event, &mut m);
                payloads.push((format!("#{i} {}", site.expect.description), m));
            }
            for (what, p) in &payloads {
                let floor = catalog.error_floor(event, p).expect("the sieve builds");
                for (releases, _) in &groups {
                    let r = releases.newest().expect("a group holds a release");
                    let open = catalog
                        .event(Profile::Release(r), event)
                        .expect("every release compiles")
                        .open;
                    let errors = open.iter_errors(p).count();
                    let least = usize::from(floor[r.index()].1);
                    compared += 1;
                    if least > 0 {
                        positive += 1;
                        if least == errors {
                            tight += 1;
                        }
                    }
                    if least > errors || (least == 0) != (errors == 0) {
                        wrong.push(format!(
                            "{event} {what} under {r}: floor {least}, errors {errors}: {}",
                            serde_json::to_string(p).unwrap_or_default()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong floors, first ones:\n{}",
        wrong.len(),
        wrong[..wrong.len().min(5)].join("\n")
    );
    eprintln!("error floors: {compared} compared, {positive} positive, {tight} exact");
    assert!(
        compared > 10_000 && positive > 5_000,
        "{compared} compared, {positive} positive"
    );
}
