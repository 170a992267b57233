use hookcheck::Profile;

use crate::util::{catalog, check};

#[test]
fn every_contract_example_passes_under_both_profiles_with_no_finding() {
    let examples = catalog().examples();
    assert_eq!(
        examples.len(),
        9,
        "the 9 payload examples of shared/contract/examples"
    );
    for ex in examples {
        let v: serde_json::Value = serde_json::from_str(ex.text).expect("json");
        for profile in Profile::ALL {
            let report = check(&v["body"], profile);
            assert!(
                report.findings.is_empty(),
                "{} under {profile}: {:#?}",
                ex.path,
                report.findings
            );
            assert_eq!(report.event.as_deref(), v["body"]["event"].as_str());
        }
    }
}

/// The reference examples, `shared/contract/examples` beside the checkout, or where `HOOKCHECK_SHARED`
/// points (its `contract/examples`). `HOOKCHECK_SHARED=none` is the one way to run without them, and it
/// says so; a missing directory is a failure, never a silent pass.
fn shared_examples() -> Option<std::path::PathBuf> {
    let base = match std::env::var("HOOKCHECK_SHARED") {
        Ok(v) if v == "none" => {
            eprintln!(
                "HOOKCHECK_SHARED=none: the embedded examples are not compared with the reference"
            );
            return None;
        }
        Ok(v) => std::path::PathBuf::from(v),
        Err(_) => crate::util::root().join("../shared"),
    };
    let dir = base.join("contract/examples");
    assert!(
        dir.is_dir(),
        "{} not found: run the tests from a checkout beside shared/, point HOOKCHECK_SHARED at it, or set \
         HOOKCHECK_SHARED=none to skip this comparison",
        dir.display()
    );
    Some(dir)
}

#[test]
fn the_embedded_examples_are_the_shared_contract_examples() {
    let Some(shared) = shared_examples() else {
        return;
    };
    // Every shared file is embedded, byte for byte, the signature test vector included, and nothing else is.
    let mut shared_names: Vec<String> = std::fs::read_dir(&shared)
        .expect("shared examples")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    shared_names.sort();
    let mut embedded: Vec<(String, &str)> = catalog()
        .examples()
        .iter()
        .map(|ex| (ex.path.to_string(), ex.text))
        .collect();
    let vector = catalog()
        .example_file("chatwoot/signature_test_vector.json")
        .expect("the signature test vector is embedded");
    embedded.push((vector.path.to_string(), vector.text));
    let mut embedded_names: Vec<String> = embedded
        .iter()
        .map(|(p, _)| p.rsplit('/').next().expect("name").to_string())
        .collect();
    embedded_names.sort();
    assert_eq!(
        embedded_names, shared_names,
        "embedded vs shared/contract/examples"
    );
    for (path, text) in embedded {
        let name = path.rsplit('/').next().expect("name");
        let original = std::fs::read_to_string(shared.join(name)).expect("shared example");
        assert_eq!(
            original, text,
            "{name} drifted from shared/contract/examples"
        );
    }
}

/// VERSIONS.md §2.5: a contact of 2.14.0-4.0.1 has no `blocked` (added in 4.0.2).
#[test]
fn a_2_14_era_contact_is_accepted_by_compat_and_its_release_and_rejected_by_4_15_1() {
    let body = serde_json::json!({"event": "contact_created", "id": 5, "name": "Ana", "avatar": "", "thumbnail": "",
                                  "account": {"id": 1, "name": "Acme"}, "additional_attributes": {},
                                  "custom_attributes": {}, "email": null, "identifier": null, "phone_number": null});
    for profile in [
        Profile::Compat,
        Profile::release("2.14.0").expect("release"),
        Profile::release("4.0.1").expect("release"),
    ] {
        let report = check(&body, profile);
        assert!(
            report.findings.is_empty(),
            "{profile}: {:#?}",
            report.findings
        );
    }
    let strict = check(&body, Profile::V4_15);
    let errors: Vec<_> = strict
        .errors()
        .map(|f| (f.rule.as_str(), f.pointer.as_str(), f.message.as_str()))
        .collect();
    assert_eq!(
        errors,
        [("schema/required", "", "missing required key `blocked`")]
    );
    // The 2.13-era typed contact never travelled as a contact event (§2.5): no release accepts it.
    let typed = serde_json::json!({"event": "contact_created", "id": 5, "name": "Ana", "avatar": "", "type": "contact",
                                   "account": {"id": 1, "name": "Acme"}});
    assert!(check(&typed, Profile::Compat).errors().next().is_some());
}
