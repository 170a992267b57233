use hookcheck::{Profile, Severity};

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

#[test]
fn the_embedded_examples_are_the_shared_contract_examples() {
    let shared = crate::util::root().join("../shared/contract/examples");
    if !shared.exists() {
        return; // a packaged crate has no shared/; the embedded copy is then the reference
    }
    for ex in catalog().examples() {
        let name = ex.path.rsplit('/').next().expect("name");
        let original = std::fs::read_to_string(shared.join(name)).expect("shared example");
        assert_eq!(
            original, ex.text,
            "{name} drifted from shared/contract/examples"
        );
    }
}

#[test]
fn a_2x_era_contact_is_accepted_by_compat_and_rejected_by_v4_15() {
    let body = serde_json::json!({"event": "contact_created", "id": 5, "name": "Ana", "avatar": "", "type": "contact",
                                  "account": {"id": 1, "name": "Acme"}});
    let compat = check(&body, Profile::Compat);
    assert!(
        compat
            .findings
            .iter()
            .all(|f| f.severity == Severity::Warning),
        "{:#?}",
        compat.findings
    );
    let strict = check(&body, Profile::V4_15);
    assert!(
        strict
            .errors()
            .any(|f| f.rule == "schema/false" && f.pointer == "/type"),
        "{:#?}",
        strict.findings
    );
    assert!(strict
        .errors()
        .any(|f| f.rule == "schema/required" && f.message.contains("`blocked`")));
}
