//! The generators: compiled from the schemas, checked against the validator.
use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
};

use hookcheck::{
    generate::{mutate, Coverage, Generator, Item, Steer},
    EventName, Options, Profile,
};
use proptest::{
    prelude::*,
    strategy::ValueTree,
    test_runner::{Config, FileFailurePersistence, RngSeed, TestCaseError, TestError, TestRunner},
};
use serde_json::Value;

use crate::util::catalog;

/// Compiled once per profile for the whole test binary (compat takes ~10 s in a debug build).
fn generator(profile: Profile) -> &'static Generator {
    Generator::shared(profile).expect("every schema keyword is supported")
}

/// 64 cases per event and profile by default (the suite stays under 10 minutes on 2 cores),
/// `PROPTEST_CASES` to change (CI's fuzz step and `PROPTEST_CASES=1024` go deeper); failures are persisted under
/// `tests/it/proptest-regressions/` (commit them).
fn config() -> Config {
    Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(64),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/it/proptest-regressions/generate.txt",
        ))),
        ..Config::default()
    }
}

fn opts(profile: Profile) -> Options {
    Options {
        profile,
        ..Options::default()
    }
}

#[test]
fn every_generated_payload_conforms_with_no_finding_at_all() {
    for profile in Profile::ALL {
        let g = generator(profile);
        for event in g.events().collect::<Vec<_>>() {
            let mut runner = TestRunner::new(config());
            runner
                .run(&g.strategy(event), |v| {
                    let r = catalog().validate_value(&v, &opts(profile));
                    prop_assert!(
                        r.findings.iter().all(|f| f.rule == "unknown-key"
                            && f.severity == hookcheck::Severity::Warning),
                        "{profile} {event}: {:#?}",
                        r.findings
                    );
                    prop_assert!(r.errors().next().is_none());
                    Ok(())
                })
                .unwrap_or_else(|e| panic!("{profile} {event}: {e}"));
        }
    }
}

#[test]
fn generated_payloads_have_no_unknown_key_warning_since_only_free_form_objects_get_extras() {
    let g = generator(Profile::V4_15);
    for event in g.events().collect::<Vec<_>>() {
        for v in g.values(event, 11, 40).expect("values") {
            let r = catalog().validate_value(&v, &opts(Profile::V4_15));
            assert!(r.findings.is_empty(), "{event}: {:#?}", r.findings);
        }
    }
}

#[test]
fn every_mutation_is_rejected_at_its_pointer_with_its_rule_and_every_class_occurs() {
    /// Cases per event under compat that are also held to the exact union and the source release.
    const UNION_CHECKS: usize = 32;
    for profile in Profile::ALL {
        let g = generator(profile);
        for event in g.events().collect::<Vec<_>>() {
            let gr = &g;
            let strategy = g.strategy(event).prop_flat_map(move |v| {
                let sites = gr.sites(catalog(), event, &v);
                let n = sites.len();
                (Just((v, sites)), 0..n.max(1))
            });
            let seen = std::cell::RefCell::new(BTreeSet::<&'static str>::new());
            let possible = std::cell::RefCell::new(BTreeSet::<&'static str>::new());
            // The exact-union checks score the payload against every release contract (milliseconds
            // each): the first cases of each event get them, which keeps the suite within its time.
            let union_checks = std::cell::Cell::new(0usize);
            // Enough draws for every class to be picked at least once per event (sites are drawn uniformly).
            let mut runner = TestRunner::new(Config {
                cases: config().cases.max(256),
                ..config()
            });
            runner
                .run(&strategy, |((mut v, sites), i)| {
                    prop_assume!(!sites.is_empty());
                    for s in &sites {
                        possible.borrow_mut().insert(s.expect.class.name());
                    }
                    let site = &sites[i];
                    seen.borrow_mut().insert(site.expect.class.name());
                    let original = v.clone();
                    site.apply(event, &mut v);
                    let r = catalog().validate_value(&v, &opts(profile));
                    let e = &site.expect;
                    let exact = |r: &hookcheck::Report| {
                        r.errors()
                            .any(|f| f.pointer == e.pointer && f.rule == e.rule)
                    };
                    // Under compat the report is the closest release's, which may be one where another
                    // error outweighs the mutation, or one that does not send the mutated key (then an
                    // unknown key: forks add keys). So compat is held to three things: the payload is
                    // never clean; no release's schemas accept it (the exact union); and under a release that sent
                    // the payload before the mutation, the defect is reported exactly, rule and pointer.
                    let hit = match profile {
                        Profile::Compat if union_checks.get() >= UNION_CHECKS => !r.findings.is_empty(),
                        Profile::Compat => {
                            union_checks.set(union_checks.get() + 1);
                            // `fit` judges the schemas; a broken semantic rule is judged by its rule.
                            let fit = catalog().fit(event, &v).expect("fit");
                            prop_assert!(
                                e.rule.starts_with("semantic/") || fit.accepted.is_empty(),
                                "{event}: {} is accepted by {}",
                                e.description,
                                fit.accepted
                            );
                            let source = catalog()
                                .fit(event, &original)
                                .expect("fit")
                                .clean
                                .newest()
                                .expect("a generated payload is clean under some release");
                            let under_source =
                                catalog().validate_value(&v, &opts(Profile::Release(source)));
                            prop_assert!(
                                exact(&under_source),
                                "{event} under {source} (which sent the original): {} expected {} at {}, got {:?}",
                                e.description,
                                e.rule,
                                e.pointer,
                                under_source
                                    .errors()
                                    .map(|f| (f.rule.as_str(), f.pointer.as_str()))
                                    .collect::<Vec<_>>()
                            );
                            !r.findings.is_empty()
                        }
                        Profile::Release(_) => exact(&r),
                    };
                    prop_assert!(
                        hit,
                        "{profile} {event}: {} expected {} at {}, got {:?}",
                        e.description,
                        e.rule,
                        e.pointer,
                        r.errors()
                            .map(|f| (f.rule.as_str(), f.pointer.as_str()))
                            .collect::<Vec<_>>()
                    );
                    Ok(())
                })
                .unwrap_or_else(|e| panic!("{profile} {event}: {e}"));
            let (seen, possible) = (seen.into_inner(), possible.into_inner());
            for class in [
                "remove-required",
                "wrong-type",
                "unknown-event",
                "null-not-nullable",
            ] {
                assert!(
                    possible.contains(class),
                    "{profile} {event}: no `{class}` site in any payload"
                );
            }
            assert!(
                seen.len() >= 4,
                "{profile} {event}: only {seen:?} exercised"
            );
        }
    }
}

#[test]
fn the_broken_rule_class_reaches_every_semantic_rule() {
    let mut reached = BTreeSet::new();
    let g = generator(Profile::V4_15);
    for event in g.events().collect::<Vec<_>>() {
        for v in g.values(event, 5, 60).expect("values") {
            for s in g.sites(catalog(), event, &v) {
                if s.expect.class == mutate::Class::BrokenRule {
                    let mut broken = v.clone();
                    s.apply(event, &mut broken);
                    let r = catalog().validate_value(&broken, &opts(Profile::V4_15));
                    assert!(
                        r.errors()
                            .any(|f| f.rule == s.expect.rule && f.pointer == s.expect.pointer),
                        "{event} {}",
                        s.expect.rule
                    );
                    reached.insert(s.expect.rule.clone());
                }
            }
        }
    }
    let all: BTreeSet<String> = hookcheck::semantic::RULES
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    assert_eq!(
        reached, all,
        "every semantic rule can be broken and is then reported"
    );
}

/// Every registered coverage item was generated at least once.
fn assert_full(cov: &Coverage, who: &str) {
    let missing: Vec<String> = cov.missing().iter().map(|i| i.to_string()).collect();
    assert!(
        missing.is_empty(),
        "{who} never generated:\n{}",
        missing.join("\n")
    );
}

/// Single-release profiles: the newest and an old one. Under `compat` each draw is one release's shape, and
/// a shape's items are the same as under its own release, so full coverage is asked of single releases, and
/// of `compat` that it draws every release shape (below).
fn coverage_profiles() -> [Profile; 2] {
    [
        Profile::V4_15,
        Profile::release("3.0.0").expect("a known release"),
    ]
}

#[test]
fn coverage_over_1000_cases_per_event_exercises_every_enum_value_optional_key_and_branch() {
    for profile in coverage_profiles() {
        let g = generator(profile);
        for event in g.events().collect::<Vec<_>>() {
            let cov = Arc::new(Coverage::default());
            let s = g.strategy_with_coverage(event, cov.clone());
            let mut runner = hookcheck::generate::runner(1, event);
            for _ in 0..1000 {
                let _ = s.new_tree(&mut runner).expect("value").current();
            }
            assert_full(&cov, &format!("{profile} {event}: the strategy"));
            assert!(
                !cov.table().is_empty(),
                "{profile} {event}: no coverage item registered"
            );
        }
    }
}

/// The bulk sampler (`Generator::sampler`, behind `values()` and `hookcheck generate`) makes the
/// strategy's choices without its value trees: it must exercise every item the strategy can, and every
/// payload it draws must be clean.
#[test]
fn the_sampler_exercises_every_coverage_item_and_every_payload_is_clean() {
    for profile in coverage_profiles() {
        let g = generator(profile);
        for event in g.events().collect::<Vec<_>>() {
            let cov = Arc::new(Coverage::default());
            // Registers the expected items (the strategy's), then the sampler records what it draws.
            let _ = g.strategy_with_coverage(event, cov.clone());
            let mut sampler = g.sampler(1, event).with_coverage(&cov);
            for i in 0..1000 {
                let v = sampler.next_value().expect("value");
                if i % 5 == 0 {
                    let r = catalog().validate_value(&v, &opts(profile));
                    assert!(
                        r.findings.is_empty(),
                        "{profile} {event} #{i}: {:#?}\n{v}",
                        r.findings
                    );
                }
            }
            assert_full(&cov, &format!("{profile} {event}: the sampler"));
        }
    }
}

/// Under `compat` the sampler draws every release shape of every event (old shapes are exercised), and
/// what it draws from a shape is accepted, cleanly, by the releases of that shape.
#[test]
fn under_compat_the_sampler_draws_every_release_shape_and_each_fits_its_releases() {
    let g = generator(Profile::Compat);
    for event in g.events().collect::<Vec<_>>() {
        let shapes = g.shapes(event);
        let mut drawn = vec![0usize; shapes.len()];
        let mut sampler = g.sampler(1, event);
        for i in 0..(60 * shapes.len()) {
            let v = sampler.next_value().expect("value");
            let k = sampler.last_shape().expect("a shape");
            drawn[k] += 1;
            if drawn[k] == 1 || i % 50 == 0 {
                let release = shapes[k].0.newest().expect("a release");
                let r = catalog().validate_value(&v, &opts(Profile::Release(release)));
                assert!(
                    r.findings.is_empty(),
                    "{event}: a payload of the {} shape, under {release}: {:#?}",
                    shapes[k].0,
                    r.findings
                );
            }
        }
        let never: Vec<String> = shapes
            .iter()
            .zip(&drawn)
            .filter(|(_, n)| **n == 0)
            .map(|((releases, _), _)| releases.to_string())
            .collect();
        assert!(never.is_empty(), "{event}: shapes never drawn: {never:?}");
    }
}

/// `Generator::coverage_items` (a walk of each shape) finds exactly the items that building the
/// strategy registers, shape by shape, for every event under `compat` (every release shape).
#[test]
fn the_coverage_items_walk_agrees_with_the_strategy_registration_for_every_shape() {
    let g = generator(Profile::Compat);
    for event in g.events().collect::<Vec<_>>() {
        let walked = g.coverage_items(event);
        assert_eq!(walked.len(), g.shapes(event).len(), "{event}");
        for (k, (releases, node)) in g.shapes(event).iter().enumerate() {
            let cov = Arc::new(Coverage::default());
            drop(hookcheck::generate::strategy::node_strategy(
                node,
                "",
                &Some(cov.clone()),
            ));
            let registered: BTreeSet<_> = cov.table().into_iter().map(|(i, _)| i).collect();
            assert!(!registered.is_empty(), "{event} {releases}: no item");
            assert_eq!(walked[k], registered, "{event}, shape of {releases}");
        }
    }
}

/// A steered sampler (fire's coverage phase) reaches every item of every release shape in far fewer draws
/// than random sampling, and each payload stays clean under compat.
#[test]
fn a_steered_sampler_reaches_every_item_in_few_draws_and_stays_valid() {
    let g = generator(Profile::Compat);
    for event in g.events().collect::<Vec<_>>() {
        let per_shape = g.coverage_items(event);
        let mut wanted: BTreeSet<Item> = per_shape.iter().flatten().cloned().collect();
        let total = wanted.len();
        let mut draws = 0;
        while !wanted.is_empty() && draws < 200 {
            let shapes = (0..per_shape.len())
                .filter(|&k| !per_shape[k].is_disjoint(&wanted))
                .collect();
            let steer = Steer::new(&wanted).with_shapes(shapes);
            let cov = Coverage::default();
            for item in &wanted {
                cov.expect(item.clone());
            }
            let v = g
                .sampler(draws, event)
                .steered(&cov, &steer)
                .next_value()
                .expect("value");
            let r = catalog().validate_value(&v, &opts(Profile::Compat));
            assert!(
                r.findings.is_empty(),
                "{event} draw {draws}: {:#?}\n{v}",
                r.findings
            );
            let before = wanted.len();
            for (item, n) in cov.table() {
                if n > 0 {
                    wanted.remove(&item);
                }
            }
            assert!(
                wanted.len() < before,
                "{event} draw {draws} reached nothing new; wanted: {wanted:#?}\n{v}"
            );
            draws += 1;
        }
        assert!(
            wanted.is_empty(),
            "{event}: {} of {total} items not reached in {draws} steered draws, first {:?}",
            wanted.len(),
            wanted.iter().next()
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_payloads() {
    let g = generator(Profile::Compat);
    for event in g.events().collect::<Vec<_>>() {
        let a = serde_json::to_string(&g.values(event, 42, 5).expect("a")).expect("json");
        let b = serde_json::to_string(&g.values(event, 42, 5).expect("b")).expect("json");
        assert_eq!(a, b);
        let c = serde_json::to_string(&g.values(event, 43, 5).expect("c")).expect("json");
        assert_ne!(a, c);
    }
}

/// A planted property that fails when a conversation has 5 or more unread messages: proptest shrinks the
/// counterexample to the boundary and to a payload much smaller than the ones it generates.
///
/// Shrinking is greedy: from some draws it stops one halving short (10; 8 of 40 seeds when this was
/// written), because simplifying other parts first changes which integer steps remain. The test runs 40
/// fixed seeds (proptest's default seed is random, which made an exact assertion flaky) and holds every
/// one to [5, 10], most to exactly 5.
#[test]
fn shrinking_finds_a_small_counterexample() {
    // One release's shape: how far the value tree shrinks, not which release shape the union settles on.
    let g = generator(Profile::V4_15);
    let strategy = g.strategy(EventName::ConversationCreated);
    let typical: usize = g
        .values(EventName::ConversationCreated, 3, 50)
        .expect("values")
        .iter()
        .map(|v| serde_json::to_string(v).expect("json").len())
        .sum::<usize>()
        / 50;
    let mut at_boundary = 0;
    for seed in 0..40 {
        // A conversation has hundreds of shrinkable parts: give shrinking room to reach the boundary.
        let mut runner = TestRunner::new(Config {
            failure_persistence: None,
            cases: 512,
            max_shrink_iters: 100_000,
            rng_seed: RngSeed::Fixed(seed),
            ..Config::default()
        });
        let result = runner.run(&strategy, |v| {
            if v["unread_count"].as_u64().unwrap_or(0) >= 5 {
                return Err(TestCaseError::fail("planted: unread_count >= 5"));
            }
            Ok(())
        });
        let Err(TestError::Fail(_, minimal)) = result else {
            panic!("seed {seed}: the planted property must fail")
        };
        let unread = minimal["unread_count"].as_u64().expect("an integer");
        assert!(
            (5..=10).contains(&unread),
            "seed {seed}: shrunk to {unread}"
        );
        at_boundary += usize::from(unread == 5);
        let shrunk = serde_json::to_string(&minimal).expect("json").len();
        assert!(
            shrunk * 2 < typical,
            "seed {seed}: shrunk payload {shrunk} bytes vs typical {typical}: {minimal}"
        );
        assert!(
            minimal["messages"].as_array().is_some_and(Vec::is_empty),
            "seed {seed}: optional parts shrink away: {minimal}"
        );
    }
    assert!(
        at_boundary >= 30,
        "only {at_boundary} of 40 seeds shrank to exactly 5"
    );
}

#[test]
fn an_unsupported_keyword_is_a_build_time_error_naming_it_and_its_location() {
    let mut docs = hookcheck::schema::resolve::Documents::default();
    docs.insert("https://x.test/s.json".into(), serde_json::json!({"type": "object", "properties": {"a": {"type": "array", "uniqueItems": true}}}));
    let err = hookcheck::generate::node::Compiler::new(&docs)
        .compile_uri("https://x.test/s.json")
        .expect_err("unsupported");
    assert_eq!(err.keyword, "uniqueItems");
    assert_eq!(
        err.location,
        "https://x.test/s.json#/properties/a/uniqueItems"
    );
}

#[test]
fn generated_key_order_follows_the_schema_with_event_last_as_chatwoot_sends_it() {
    let g = generator(Profile::V4_15);
    let v = &g.values(EventName::ContactUpdated, 1, 1).expect("v")[0];
    let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
    assert_eq!(keys.first().map(|k| k.as_str()), Some("account"));
    let counts: BTreeMap<&str, usize> = keys.iter().map(|k| (k.as_str(), 1)).collect();
    assert!(counts.contains_key("event") && counts.contains_key("changed_attributes"));
    let pos = |k: &str| keys.iter().position(|x| *x == k).expect("key");
    assert!(
        pos("blocked") < pos("event") && pos("event") < pos("changed_attributes"),
        "{keys:?}"
    );
    let _ = Value::Null;
}

/// One canonical payload per event and profile at a fixed seed: a change in the generator or the schemas
/// shows up in review.
#[test]
fn canonical_payloads_are_snapshotted() {
    for profile in Profile::ALL {
        let g = generator(profile);
        for event in g.events().collect::<Vec<_>>() {
            let v = &g.values(event, 2026, 1).expect("value")[0];
            let mut settings = crate::util::snapshot_settings();
            settings.set_snapshot_suffix(format!("{profile}-{event}"));
            settings.set_info(&serde_json::json!({"seed": 2026, "profile": profile.name(), "schema": profile.event_path(event)}));
            settings.bind(|| insta::assert_json_snapshot!("generated", v));
        }
    }
}

/// The reports (human and JSON lines) for a fixed set of invalid payloads: one per mutation class.
#[test]
fn reports_of_invalid_payloads_are_snapshotted() {
    let g = generator(Profile::V4_15);
    let mut payloads = Vec::new();
    for (i, class) in mutate::Class::ALL.iter().enumerate() {
        let events: Vec<EventName> = g.events().collect();
        let event = events[(i * 5) % events.len()];
        for v in g.values(event, 7, 20).expect("values") {
            let sites = g.sites(catalog(), event, &v);
            if let Some(site) = sites.iter().find(|s| s.expect.class == *class) {
                let mut broken = v.clone();
                site.apply(event, &mut broken);
                payloads.push((format!("{}-{event}", class.name()), broken));
                break;
            }
        }
    }
    assert_eq!(
        payloads.len(),
        mutate::Class::ALL.len(),
        "one payload per class"
    );
    for format in [
        hookcheck::report::Format::Human,
        hookcheck::report::Format::Json,
    ] {
        let mut out = Vec::new();
        let mut reporter = hookcheck::report::Reporter::new(&mut out, format, false, false);
        for (name, v) in &payloads {
            let r = catalog().validate_value(v, &opts(Profile::V4_15));
            reporter
                .payload(
                    hookcheck::report::Origin {
                        source: name,
                        line: None,
                    },
                    &r,
                )
                .expect("write");
        }
        reporter.finish().expect("finish");
        let name = match format {
            hookcheck::report::Format::Human => "invalid_report_human",
            _ => "invalid_report_json",
        };
        crate::util::snapshot_settings()
            .bind(|| insta::assert_snapshot!(name, String::from_utf8_lossy(&out)));
    }
}

/// The typed models (`hookcheck::model`) read every generated payload of both profiles and write it back
/// unchanged. They model the compat schemas, so under compat they also reject what the schema rejects for
/// the mutation classes that concern types and required keys.
#[test]
fn typed_models_round_trip_generated_payloads_and_agree_on_type_and_required_rejections() {
    use hookcheck::model::Event;
    for profile in Profile::ALL {
        let g = generator(profile);
        for event in g.events().collect::<Vec<_>>() {
            let gr = &g;
            let strategy = g.strategy(event).prop_flat_map(move |v| {
                let sites: Vec<mutate::Site> = gr
                    .sites(catalog(), event, &v)
                    .into_iter()
                    .filter(|s| s.expect.class.is_type_or_required())
                    .collect();
                let n = sites.len();
                (Just((v, sites)), 0..n.max(1))
            });
            TestRunner::new(config())
                .run(&strategy, |((v, sites), i)| {
                    let parsed: Event = serde_json::from_value(v.clone()).map_err(|e| {
                        TestCaseError::fail(format!(
                            "{profile} {event}: model rejects a valid payload: {e}"
                        ))
                    })?;
                    let back = serde_json::to_value(&parsed)
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!(
                        &back,
                        &v,
                        "{} {}: round trip changed the payload",
                        profile,
                        event
                    );
                    if let (Some(site), Profile::Compat) = (sites.get(i), profile) {
                        let mut broken = v.clone();
                        site.apply(event, &mut broken);
                        // The models hold the union of every release: what some release still accepts
                        // (another release's type or optional key) they accept too.
                        let union = catalog().event(Profile::Compat, event).expect("union");
                        if !union.open.is_valid(&broken) {
                            prop_assert!(
                                serde_json::from_value::<Event>(broken).is_err(),
                                "{} {}: model accepts `{}` ({} at {})",
                                profile,
                                event,
                                site.expect.description,
                                site.expect.rule,
                                site.expect.pointer
                            );
                        }
                    }
                    Ok(())
                })
                .unwrap_or_else(|e| panic!("{profile} {event}: {e}"));
        }
    }
}
