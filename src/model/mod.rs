//! Typed serde models of the 12 Chatwoot account-webhook bodies, for Rust services that consume them.
//!
//! The source of truth is the **compat** profile of `schemas/chatwoot/` (`_defs/` and `events/`): a
//! required key is a plain field, an optional key an `Option` (skipped when `None`), an optional and
//! nullable key an `Option<Option<T>>` (`None` absent, `Some(None)` null), a required and nullable key an
//! `Option<T>` (`None` is written as null). Keys the schemas do not declare (forks add fields) are kept
//! in each object's `extra` map, and numbers keep their JSON form, so for every payload the compat
//! schemas accept, `serde_json::to_value(&serde_json::from_value::<Event>(v.clone())?)? == v`.
//!
//! ```
//! use hookcheck::model::{Event, WebhookActor};
//!
//! let example: serde_json::Value = serde_json::from_str(include_str!(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/examples/chatwoot/message_created.incoming_contact.json"
//! )))?;
//! let body = example["body"].clone();
//!
//! let event: Event = serde_json::from_value(body.clone())?;
//! match &event {
//!     Event::MessageCreated(m) => {
//!         assert_eq!(m.conversation.id, 10); // the per-account display id
//!         match &m.sender {
//!             Some(WebhookActor::Contact(contact)) => assert_eq!(contact.name, "little-haze-776"),
//!             Some(agent) => println!("from {} #{}", agent.name(), agent.id()),
//!             None => println!("no sender"),
//!         }
//!     }
//!     other => println!("ignoring {}", other.name()),
//! }
//! assert_eq!(serde_json::to_value(&event)?, body); // the same JSON back
//! assert!(event.unknown_keys().is_empty()); // nothing the schemas do not declare
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! Errors name the place: `/conversation/meta/sender/id: invalid type: string "1", expected u64`,
//! `/conversation/meta: missing field `sender``.
//!
//! ## What the models accept that the schemas reject
//!
//! Parsing rejects every wrong JSON type, missing required key and value outside an enum, like the
//! schemas. It does not check:
//! * formats and patterns: [`IsoTimestamp`] and [`JsDate`] keep any string (see their `is_valid`);
//! * numeric bounds: ids `>= 1`, `unix-seconds` / `unix-float` `<= 253402300799`, `unread_count`,
//!   working-hour ranges (out-of-range values that do not fit the Rust type, such as a negative id or an
//!   hour of 300, are rejected all the same);
//! * array sizes: `conversation.messages` at most one item; message `attachments` and every
//!   `changed_attributes` list non-empty;
//! * hookcheck's `semantic/*` cross-field rules, which are not schema checks.
//!
//! And conversely: an integer written as a float (`1.0`), which JSON Schema counts as an integer, is
//! rejected where the model holds a Rust integer, since it could not be written back unchanged.
//!
//! ## Drift proof
//!
//! [`Extras`] lists the keys that landed in an `extra` map of a closed object: the keys hookcheck's
//! `unknown-key` rule reports (the tests compare the two on every mutation of the examples). Objects the schemas declare free-form
//! ([`ConversationAttributes`], [`EventInfo`], [`InboxChannel`]) keep their other keys in `extra` without
//! reporting them. [`models`] and [`field_names`] list every struct's keys, generated from the same
//! declaration as the (de)serialisation code; the tests compare them with the schemas' `properties`.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

mod actors;
mod conversation;
mod enums;
mod events;
mod json;
mod message;
#[cfg(test)]
mod schema_tests;

pub use actors::{
    Account, AgentBotPush, AgentBotWebhook, Assignee, CaptainAssistantWebhook, ContactPush,
    ContactWebhook, InboxRef, PushActor, Team, UserPush, UserWebhook, WebhookActor,
};
pub use conversation::{
    Browser, ContactInbox, Conversation, ConversationAttributes, ConversationEvent,
    ConversationMeta, ConversationStatusChangedEvent, ConversationUpdatedEvent, InitiatedAt,
};
pub use enums::{
    AgentBotType, AssigneeType, AvailabilityStatus, CaptainAssistantType, Channel, ContactType,
    ContentType, ConversationStatus, FileType, Id, IsPrivate, IsoTimestamp, JsDate, MessageStatus,
    MessageType, MessageTypeCode, Priority, SenderNameType, SenderType, UnixFloat, UnixSeconds,
    UserType,
};
pub use events::{
    Change, ChangedAttribute, ContactEvent, ContactInboxWebhook, ContactUpdatedEvent, EventInfo,
    Inbox, InboxChannel, InboxEvent, InboxUpdatedEvent, TypingEvent, WebwidgetEvent, WorkingHour,
};
pub use message::{
    Attachment, MessageEvent, MessagePush, MessagePushContactInbox, MessagePushConversation,
};

use crate::EventName;

/// An account-webhook body, dispatched on its `event` key (`schemas/chatwoot/webhook.json`).
// The variants differ in size (a message holds a conversation); boxing would only cost the consumer.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// `conversation_created` (`events/conversation_created.json`).
    ConversationCreated(ConversationEvent),
    /// `conversation_updated` (`events/conversation_updated.json`).
    ConversationUpdated(ConversationUpdatedEvent),
    /// `conversation_status_changed` (`events/conversation_status_changed.json`).
    ConversationStatusChanged(ConversationStatusChangedEvent),
    /// `message_created` (`events/message_created.json`).
    MessageCreated(MessageEvent),
    /// `message_updated` (`events/message_updated.json`).
    MessageUpdated(MessageEvent),
    /// `webwidget_triggered` (`events/webwidget_triggered.json`).
    WebwidgetTriggered(WebwidgetEvent),
    /// `conversation_typing_on` (`events/conversation_typing_on.json`).
    ConversationTypingOn(TypingEvent),
    /// `conversation_typing_off` (`events/conversation_typing_off.json`).
    ConversationTypingOff(TypingEvent),
    /// `contact_created` (`events/contact_created.json`).
    ContactCreated(ContactEvent),
    /// `contact_updated` (`events/contact_updated.json`).
    ContactUpdated(ContactUpdatedEvent),
    /// `inbox_created` (`events/inbox_created.json`).
    InboxCreated(InboxEvent),
    /// `inbox_updated` (`events/inbox_updated.json`).
    InboxUpdated(InboxUpdatedEvent),
}

impl Event {
    /// The event name (the `event` key).
    pub fn name(&self) -> EventName {
        match self {
            Self::ConversationCreated(_) => EventName::ConversationCreated,
            Self::ConversationUpdated(_) => EventName::ConversationUpdated,
            Self::ConversationStatusChanged(_) => EventName::ConversationStatusChanged,
            Self::MessageCreated(_) => EventName::MessageCreated,
            Self::MessageUpdated(_) => EventName::MessageUpdated,
            Self::WebwidgetTriggered(_) => EventName::WebwidgetTriggered,
            Self::ConversationTypingOn(_) => EventName::ConversationTypingOn,
            Self::ConversationTypingOff(_) => EventName::ConversationTypingOff,
            Self::ContactCreated(_) => EventName::ContactCreated,
            Self::ContactUpdated(_) => EventName::ContactUpdated,
            Self::InboxCreated(_) => EventName::InboxCreated,
            Self::InboxUpdated(_) => EventName::InboxUpdated,
        }
    }

    /// The JSON Pointers of the keys the schemas do not declare, in document order (see [`Extras`]).
    pub fn unknown_keys(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.extras("", &mut out);
        out
    }
}

/// Collects the JSON Pointers of keys that landed in an `extra` map anywhere in the parsed value (keys
/// the model does not know). Free-form objects' other keys are not reported.
pub trait Extras {
    /// Appends to `out` the pointer of every unknown key in `self`, whose own pointer is `pointer`
    /// (`""` for the body).
    fn extras(&self, pointer: &str, out: &mut Vec<String>);
}

impl Extras for Event {
    fn extras(&self, pointer: &str, out: &mut Vec<String>) {
        match self {
            Self::ConversationCreated(e) => e.extras(pointer, out),
            Self::ConversationUpdated(e) => e.extras(pointer, out),
            Self::ConversationStatusChanged(e) => e.extras(pointer, out),
            Self::MessageCreated(e) | Self::MessageUpdated(e) => e.extras(pointer, out),
            Self::WebwidgetTriggered(e) => e.extras(pointer, out),
            Self::ConversationTypingOn(e) | Self::ConversationTypingOff(e) => {
                e.extras(pointer, out)
            }
            Self::ContactCreated(e) => e.extras(pointer, out),
            Self::ContactUpdated(e) => e.extras(pointer, out),
            Self::InboxCreated(e) => e.extras(pointer, out),
            Self::InboxUpdated(e) => e.extras(pointer, out),
        }
    }
}

/// Reflection data of one model struct, generated from the declaration that also generates its
/// (de)serialisation, so it cannot drift from what the parser reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelInfo {
    /// The Rust type name.
    pub name: &'static str,
    /// The schema location(s) it models, below `schemas/chatwoot/` (`file` or `file#/json/pointer`).
    pub schemas: &'static [&'static str],
    /// The keys it declares itself, in declaration order (a flattening event struct lists only its own;
    /// the `event` tag belongs to [`Event`]).
    pub fields: &'static [FieldInfo],
    /// Whether the object is free-form, so that its `extra` keys are not reported by [`Extras`].
    pub free_form: bool,
}

/// One declared key of a model, reflected from its declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldInfo {
    /// The JSON key.
    pub key: &'static str,
    /// Whether the key is required (a plain field) or optional (an `Option` field, skipped when `None`).
    pub required: bool,
    /// Whether the value may be JSON `null`.
    pub nullable: bool,
}

impl FieldInfo {
    const fn new(key: &'static str, (required, nullable): (bool, bool)) -> Self {
        Self {
            key,
            required,
            nullable,
        }
    }
}

/// Every model struct (unions and enums excluded).
pub fn models() -> Vec<ModelInfo> {
    [
        actors::MODELS,
        conversation::MODELS,
        message::MODELS,
        events::MODELS,
    ]
    .concat()
}

/// The keys each model struct declares, by type name.
pub fn field_names() -> BTreeMap<&'static str, Vec<&'static str>> {
    models()
        .into_iter()
        .map(|m| (m.name, m.fields.iter().map(|f| f.key).collect()))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    const EXAMPLES: &[(&str, &str)] = &[
        (
            "contact_updated",
            include_str!("../../examples/chatwoot/contact_updated.json"),
        ),
        (
            "conversation_created",
            include_str!("../../examples/chatwoot/conversation_created.json"),
        ),
        (
            "conversation_status_changed",
            include_str!("../../examples/chatwoot/conversation_status_changed.json"),
        ),
        (
            "conversation_typing_on",
            include_str!("../../examples/chatwoot/conversation_typing_on.json"),
        ),
        (
            "conversation_updated",
            include_str!("../../examples/chatwoot/conversation_updated.json"),
        ),
        (
            "inbox_created",
            include_str!("../../examples/chatwoot/inbox_created.api_channel.json"),
        ),
        (
            "message_created",
            include_str!("../../examples/chatwoot/message_created.incoming_contact.json"),
        ),
        (
            "message_created",
            include_str!(
                "../../examples/chatwoot/message_created.private_note_user_attachment.json"
            ),
        ),
        (
            "webwidget_triggered",
            include_str!("../../examples/chatwoot/webwidget_triggered.json"),
        ),
    ];

    pub(super) fn bodies() -> Vec<Value> {
        EXAMPLES
            .iter()
            .map(|(_, text)| serde_json::from_str::<Value>(text).unwrap()["body"].clone())
            .collect()
    }

    fn message_body() -> Value {
        bodies()
            .into_iter()
            .find(|b| b["event"] == "message_created")
            .unwrap()
    }

    fn parse(v: &Value) -> Result<Event, String> {
        serde_json::from_value::<Event>(v.clone()).map_err(|e| e.to_string())
    }

    fn round_trip(v: &Value) -> Event {
        let event = parse(v).unwrap_or_else(|e| panic!("{e}\n{v:#}"));
        assert_eq!(&serde_json::to_value(&event).unwrap(), v);
        event
    }

    #[test]
    fn every_example_round_trips_without_extras() {
        for (event, text) in EXAMPLES {
            let body = serde_json::from_str::<Value>(text).unwrap()["body"].clone();
            let parsed = round_trip(&body);
            let from_text: Event = serde_json::from_str(&body.to_string()).unwrap();
            assert_eq!(from_text, parsed);
            assert_eq!(parsed.name().as_str(), *event);
            assert_eq!(parsed.unknown_keys(), Vec::<String>::new(), "{event}");
        }
    }

    #[test]
    fn every_example_file_is_listed() {
        let catalog = crate::Catalog::shared().unwrap();
        let n = catalog
            .examples()
            .iter()
            .filter(|e| e.path.starts_with("chatwoot/"))
            .count();
        assert_eq!(n, EXAMPLES.len());
    }

    #[test]
    fn unknown_keys_are_kept_and_reported() {
        let mut body = message_body();
        body["x_fork"] = json!({"a": [1, 2.5]});
        body["conversation"]["meta"]["sender"]["x/y"] = json!(null);
        body["conversation"]["additional_attributes"]["free"] = json!(1); // free-form: not reported
        let event = round_trip(&body);
        assert_eq!(
            event.unknown_keys(),
            ["/conversation/meta/sender/x~1y", "/x_fork"]
        );
        let Event::MessageCreated(m) = event else {
            panic!("not a message")
        };
        assert_eq!(m.extra["x_fork"], json!({"a": [1, 2.5]}));
        assert_eq!(m.conversation.additional_attributes.extra["free"], json!(1));
    }

    #[test]
    fn wrong_types_are_rejected_with_the_pointer() {
        let mut body = message_body();
        body["id"] = json!("1");
        let err = parse(&body).unwrap_err();
        assert!(err.starts_with("/id: invalid type: string \"1\""), "{err}");

        let mut body = message_body();
        body["conversation"]["messages"][0]["sender"]["id"] = json!(true);
        let err = parse(&body).unwrap_err();
        assert!(
            err.starts_with("/conversation/messages/0/sender/id: invalid type"),
            "{err}"
        );
    }

    #[test]
    fn missing_required_keys_are_rejected_by_name() {
        let mut body = message_body();
        body.as_object_mut().unwrap().remove("content_attributes");
        assert_eq!(
            parse(&body).unwrap_err(),
            "missing field `content_attributes`"
        );

        let mut body = message_body();
        body["conversation"]["meta"]
            .as_object_mut()
            .unwrap()
            .remove("sender");
        assert_eq!(
            parse(&body).unwrap_err(),
            "/conversation/meta: missing field `sender`"
        );

        let mut body = message_body();
        body.as_object_mut().unwrap().remove("event");
        assert!(parse(&body).unwrap_err().contains("`event`"));
    }

    #[test]
    fn enum_values_outside_the_schema_are_rejected() {
        let mut body = message_body();
        body["message_type"] = json!("activity");
        let err = parse(&body).unwrap_err();
        assert!(
            err.starts_with("/message_type: unknown variant `activity`"),
            "{err}"
        );

        let mut body = message_body();
        body["conversation"]["messages"][0]["message_type"] = json!(4);
        assert!(parse(&body)
            .unwrap_err()
            .starts_with("/conversation/messages/0/message_type:"));
        body["conversation"]["messages"][0]["message_type"] = json!(2);
        round_trip(&body);

        let mut body = message_body();
        body["event"] = json!("message_deleted");
        assert!(parse(&body)
            .unwrap_err()
            .contains("unknown variant `message_deleted`"));
    }

    #[test]
    fn a_contact_round_trips_with_and_without_type() {
        let mut body = message_body();
        let Event::MessageCreated(m) = round_trip(&body) else {
            panic!()
        };
        assert!(matches!(
            m.sender,
            Some(WebhookActor::Contact(ContactWebhook { r#type: None, .. }))
        ));

        body["sender"]["type"] = json!("contact");
        let Event::MessageCreated(m) = round_trip(&body) else {
            panic!()
        };
        assert!(matches!(
            m.sender,
            Some(WebhookActor::Contact(ContactWebhook {
                r#type: Some(_),
                ..
            }))
        ));

        body["sender"]["type"] = json!("robot");
        assert!(parse(&body)
            .unwrap_err()
            .starts_with("/sender/type: unknown variant `robot`"));
        body["sender"] = Value::Null;
        round_trip(&body);
    }

    #[test]
    fn absent_null_and_present_stay_apart() {
        let mut body = message_body();
        let conversation = body["conversation"].as_object_mut().unwrap();
        conversation.remove("priority");
        conversation.insert("snoozed_until".into(), Value::Null);
        conversation.insert("updated_at".into(), json!(1781699696)); // an integer unix-float
        let Event::MessageCreated(m) = round_trip(&body) else {
            panic!()
        };
        assert_eq!(m.conversation.priority, None);
        assert_eq!(m.conversation.snoozed_until, Some(None));

        body["conversation"]["priority"] = json!("urgent");
        let Event::MessageCreated(m) = round_trip(&body) else {
            panic!()
        };
        assert_eq!(m.conversation.priority, Some(Some(Priority::Urgent)));
    }

    #[test]
    fn typing_is_private_keeps_its_form() {
        let mut body = bodies()
            .into_iter()
            .find(|b| b["event"] == "conversation_typing_on")
            .unwrap();
        for (flag, value) in [(json!(true), true), (json!("false"), false)] {
            body["is_private"] = flag;
            let Event::ConversationTypingOn(t) = round_trip(&body) else {
                panic!()
            };
            assert_eq!(t.is_private.as_bool(), value);
        }
        body["is_private"] = json!("yes");
        assert!(parse(&body).unwrap_err().starts_with("/is_private:"));
    }

    #[test]
    fn field_names_come_from_the_declarations() {
        let names = field_names();
        assert_eq!(names["Account"], ["id", "name"]);
        assert!(names["ContactWebhook"].contains(&"type"));
        assert_eq!(names["ConversationEvent"], Vec::<&str>::new());
        assert_eq!(models().len(), names.len());
    }
}
