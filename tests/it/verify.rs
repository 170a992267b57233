//! Delivery conformance: broken senders are caught with the right rule; the reference sender is clean.

use hookcheck::{
    check::{DeliveryProfile, Expectations},
    generate::Generator,
    receiver::{Receiver, Reply},
    sender::{Fault, Outcome, Sender},
    EventName, Profile,
};
use serde_json::Value;

use crate::util::{catalog, example_body};

const SECRET: &str = "whk_0123456789abcdefGHJK";

fn payloads() -> Vec<Value> {
    vec![
        example_body("message_created.incoming_contact.json"),
        example_body("conversation_created.json"),
        example_body("contact_updated.json"),
    ]
}

async fn run(
    sender: impl Fn(String) -> Sender,
    payloads: &[Value],
    x: &Expectations,
) -> hookcheck::check::Verdict {
    let receiver = Receiver::start().await;
    let s = sender(receiver.url());
    for p in payloads {
        s.deliver(p).await;
    }
    receiver.verify(x)
}

fn rules_of(v: &hookcheck::check::Verdict) -> Vec<String> {
    let mut r: Vec<String> = v
        .run
        .iter()
        .chain(v.deliveries.iter().flat_map(|(_, f)| f))
        .filter(|f| f.severity == hookcheck::Severity::Error)
        .map(|f| f.rule.clone())
        .collect();
    r.sort();
    r.dedup();
    r
}

/// The error rules each sender bug must produce: exactly these, nothing unrelated. The match has no
/// wildcard, so a new [`Fault`] does not compile until its rules are written here.
fn expected_rules(fault: Fault) -> &'static [&'static str] {
    match fault {
        Fault::WrongContentType => &["delivery/content-type"],
        Fault::WrongMethod => &["delivery/method"],
        Fault::NoSignature => &["signature/missing"],
        Fault::SignReserialized => &["signature/mismatch"],
        Fault::SignBodyOnly => &["signature/mismatch"],
        Fault::WrongSecret => &["signature/mismatch"],
        Fault::StaleTimestamp => &["signature/timestamp-skew"],
        Fault::IgnoreSubscriptions => &["delivery/unsubscribed"],
        Fault::ReuseDeliveryId => &["delivery/id-duplicate"],
        Fault::NonUuidId => &["delivery/id-format"],
        Fault::InvalidPayload => &["schema/required"],
        Fault::Retry => &["delivery/retry"],
        Fault::UppercaseSignature => &["signature/malformed"],
    }
}

#[tokio::test]
async fn every_broken_sender_is_caught_with_the_right_rule() {
    let mut x = Expectations::new(DeliveryProfile::chatwoot(), Some(SECRET.into()));
    x.events = [EventName::MessageCreated, EventName::ConversationCreated]
        .into_iter()
        .collect();
    for fault in Fault::ALL {
        let subscribed = x.events.clone();
        let v = run(
            |url| {
                Sender::new(url, Some(SECRET.into()), DeliveryProfile::chatwoot())
                    .subscriptions(subscribed.clone())
                    .fault(fault)
            },
            &payloads(),
            &x,
        )
        .await;
        assert_eq!(rules_of(&v), expected_rules(fault), "{fault:?}");
    }
}

#[tokio::test]
async fn the_reference_sender_gives_no_finding_on_generated_payloads_of_every_event() {
    for profile in [
        DeliveryProfile::chatwoot(),
        DeliveryProfile::standard_webhooks(),
        DeliveryProfile::chatwoot_unsigned(),
    ] {
        let g = Generator::shared(Profile::Compat).expect("generator");
        let mut payloads = Vec::new();
        for e in EventName::ALL {
            payloads.extend(g.values(e, 3, 4).expect("values"));
        }
        let secret = if profile.name == "standard-webhooks" {
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        } else {
            SECRET
        };
        let mut x = Expectations::new(profile.clone(), Some(secret.into()));
        x.count = Some(payloads.len());
        let p = profile.clone();
        let v = run(
            move |url| Sender::new(url, Some(secret.into()), p.clone()),
            &payloads,
            &x,
        )
        .await;
        assert_eq!(v.deliveries.len(), EventName::ALL.len() * 4);
        let all: Vec<_> = v.deliveries.iter().flat_map(|(_, f)| f).collect();
        assert!(
            all.is_empty() && v.run.is_empty(),
            "{}: {all:#?}",
            profile.name
        );
    }
}

#[tokio::test]
async fn unsubscribed_events_are_not_sent_and_non_2xx_or_timeouts_are_failures_without_retry() {
    let receiver = Receiver::builder()
        .script(vec![Reply::Status(500), Reply::Status(204)])
        .start()
        .await
        .expect("receiver");
    let mut profile = DeliveryProfile::chatwoot();
    profile.timeout_secs = 1;
    let s = Sender::new(receiver.url(), Some(SECRET.into()), profile.clone())
        .subscriptions([EventName::MessageCreated]);
    let m = example_body("message_created.incoming_contact.json");
    assert_eq!(
        s.deliver(&example_body("contact_updated.json")).await,
        Outcome::Skipped
    );
    assert_eq!(
        s.deliver(&m).await,
        Outcome::Failed {
            reason: "HTTP 500 Internal Server Error".into()
        }
    );
    assert_eq!(s.deliver(&m).await, Outcome::Delivered { status: 204 });
    assert_eq!(
        receiver.count(),
        2,
        "one attempt each, the skipped event never sent"
    );

    let hanging = Receiver::builder()
        .otherwise(Reply::Hang)
        .start()
        .await
        .expect("receiver");
    let s = Sender::new(hanging.url(), Some(SECRET.into()), profile);
    assert_eq!(
        s.deliver(&m).await,
        Outcome::Failed {
            reason: "timed out after 1 s".into()
        }
    );
}

#[tokio::test]
async fn raw_bytes_are_recorded_whole_and_checks_never_reserialise() {
    let receiver = Receiver::start().await;
    // The Chatwoot test vector: the body has ActiveSupport escapes that a re-serialisation would undo.
    let vector: Value = serde_json::from_str(
        catalog()
            .example_file("chatwoot/signature_test_vector.json")
            .expect("vector")
            .text,
    )
    .expect("json");
    let v = &vector["vector"];
    let body = v["raw_body"].as_str().expect("body").to_string();
    let client = reqwest::Client::new();
    client
        .post(receiver.url())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .header(
            "X-Chatwoot-Delivery",
            "6f1c2d1e-6a53-4f0e-9a55-0d3f6b1f2c11",
        )
        .header("X-Chatwoot-Timestamp", v["timestamp"].as_str().expect("ts"))
        .header(
            "X-Chatwoot-Signature",
            v["expected_signature"].as_str().expect("sig"),
        )
        .body(body.clone())
        .send()
        .await
        .expect("send");
    let d = &receiver.deliveries()[0];
    assert_eq!(d.body, body.as_bytes());
    let mut x = Expectations::new(
        DeliveryProfile::chatwoot(),
        Some(v["secret"].as_str().expect("secret").into()),
    );
    x.profile.timestamp_tolerance_secs = u64::MAX / 4; // the vector's timestamp is from 2024
    let verdict = receiver.verify(&x);
    let sig_findings: Vec<_> = verdict.deliveries[0]
        .1
        .iter()
        .filter(|f| f.rule.starts_with("signature/"))
        .collect();
    assert!(sig_findings.is_empty(), "{sig_findings:#?}");
}

#[tokio::test]
async fn reports_are_snapshotted_with_volatile_values_redacted_and_never_show_the_secret() {
    let x = {
        let mut x = Expectations::new(DeliveryProfile::chatwoot(), Some(SECRET.into()));
        x.events = [EventName::MessageCreated, EventName::ConversationCreated]
            .into_iter()
            .collect();
        x.count = Some(3);
        x
    };
    let v = run(
        |url| {
            Sender::new(url, Some(SECRET.into()), DeliveryProfile::chatwoot())
                .fault(Fault::WrongSecret)
                .fault(Fault::IgnoreSubscriptions)
        },
        &payloads(),
        &x,
    )
    .await;
    let mut human = Vec::new();
    hookcheck::report::delivery::human(&mut human, &v, &x, "http://127.0.0.1:PORT").expect("human");
    let mut lines = Vec::new();
    hookcheck::report::delivery::json_lines(&mut lines, &v, &x).expect("json");
    let junit = hookcheck::report::delivery::junit(&v, &x).expect("junit");
    let mut settings = crate::util::snapshot_settings();
    settings.add_filter(r"sha256=[0-9a-f]{64}", "sha256=[sig]");
    settings.add_filter(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[uuid]",
    );
    settings.add_filter(
        r"X-Chatwoot-Timestamp: \d+|x-chatwoot-timestamp: \d+",
        "x-chatwoot-timestamp: [ts]",
    );
    settings.add_filter(r"\d+ s from the arrival", "[n] s from the arrival");
    settings.add_filter(r#"time="[^"]*""#, r#"time="[t]""#);
    settings.add_filter(r#"timestamp="[^"]*""#, r#"timestamp="[t]""#);
    for (name, text) in [
        ("verify_human", String::from_utf8_lossy(&human).to_string()),
        ("verify_json", String::from_utf8_lossy(&lines).to_string()),
        ("verify_junit", junit),
    ] {
        assert!(!text.contains(SECRET), "{name} leaks the secret");
        settings.bind(|| insta::assert_snapshot!(name, text));
    }
}
