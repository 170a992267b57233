//! Bugs found after the fact, each pinned by a test named after what broke.
use hookcheck::Profile;

use crate::util::{check, example_body};

/// An unknown key two levels inside a union member (`contact: anyOf[null, contact]`, `sender: if/then`)
/// used to be reported as the member's own keys, and the real key was missed: the failing branch of the
/// closed twin dropped its annotations and the real failure sat inside the `anyOf` context.
#[test]
fn unknown_key_nested_in_a_union_member_is_reported_alone() {
    for (example, object) in [
        ("webwidget_triggered.json", "/contact/account"),
        ("message_created.incoming_contact.json", "/sender/account"),
        (
            "message_created.incoming_contact.json",
            "/conversation/meta/sender",
        ),
    ] {
        let mut body = example_body(example);
        body.pointer_mut(object)
            .and_then(|o| o.as_object_mut())
            .expect("object")
            .insert("zz".into(), 1.into());
        for profile in Profile::ALL {
            let r = check(&body, profile);
            let got: Vec<_> = r
                .findings
                .iter()
                .map(|f| (f.rule.as_str(), f.pointer.as_str()))
                .collect();
            assert_eq!(
                got,
                vec![("unknown-key", format!("{object}/zz").as_str())],
                "{example} {profile}"
            );
        }
    }
}
