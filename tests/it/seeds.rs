//! The seeds (two product docs of Chatwoot derivatives) document payloads that Chatwoot never sends. Their
//! example payloads are kept as fixtures, transcribed as published, and their findings are snapshotted: a
//! change in how hookcheck judges the docs shows up in review.
use hookcheck::{Options, Profile};

use crate::util::{catalog, fixture, snapshot_settings};

fn findings_of(path: &std::path::Path, profile: Profile) -> Vec<hookcheck::Finding> {
    let bytes = std::fs::read(path).expect("fixture");
    catalog()
        .validate(
            &bytes,
            &Options {
                profile,
                ..Options::default()
            },
        )
        .findings
}

#[test]
fn seed_payload_findings_are_snapshotted() {
    let settings = snapshot_settings();
    settings.bind(|| {
        insta::glob!(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seeds"),
            "*.{json,txt}",
            |path| {
                let mut report = String::new();
                for profile in Profile::ALL {
                    report.push_str(&format!("# profile {profile}\n"));
                    for f in findings_of(path, profile) {
                        report.push_str(&serde_json::to_string(&f).expect("serialize"));
                        report.push('\n');
                    }
                }
                insta::assert_snapshot!("seed", report);
            }
        );
    });
}

fn has(findings: &[hookcheck::Finding], rule: &str, pointer: &str) -> bool {
    findings
        .iter()
        .any(|f| f.rule == rule && f.pointer == pointer)
}

#[test]
fn the_docs_defects_are_precise_findings() {
    for seed in ["trino", "evolvy"] {
        let f = findings_of(
            &fixture(&format!("seeds/{seed}-message_created.json")),
            Profile::Compat,
        );
        // String ids ("id": "1") where the source sends integers.
        assert!(has(&f, "schema/type", "/id"), "{seed}: {f:#?}");
        assert!(has(&f, "schema/type", "/account/id"), "{seed}");
        // "2020-03-03 13:05:57 UTC" is not Rails' ISO-8601 with milliseconds.
        assert!(has(&f, "schema/format", "/created_at"), "{seed}");
        // initiated_at is an object {timestamp}, not a bare string.
        assert!(
            has(
                &f,
                "schema/type",
                "/conversation/additional_attributes/initiated_at"
            ),
            "{seed}"
        );
        // "content_type": "enum" is a placeholder, not one of the 13 content types.
        assert!(has(&f, "schema/enum", "/content_type"), "{seed}");
        // The sample's top-level `contact` and `conversation.display_id` do not exist.
        assert!(has(&f, "unknown-key", "/contact"), "{seed}");
        assert!(has(&f, "unknown-key", "/conversation/display_id"), "{seed}");
        // As published (comments removed, nothing fixed) the sample is not even JSON.
        let raw = findings_of(
            &fixture(&format!("seeds/{seed}-message_created.as-published.txt")),
            Profile::Compat,
        );
        assert!(has(&raw, "json/syntax", ""), "{seed}: {raw:#?}");
    }
    // Evolvy's sample misspells content_attributes with a space.
    let f = findings_of(
        &fixture("seeds/evolvy-message_created.json"),
        Profile::Compat,
    );
    assert!(
        f.iter().any(|x| x.rule == "unknown-key"
            && x.pointer == "/content_ attributes"
            && x.message.contains("did you mean `content_attributes`")),
        "{f:#?}"
    );
}
