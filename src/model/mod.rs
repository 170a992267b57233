//! Typed serde models of the 14 Chatwoot account-webhook bodies of every release 2.0.0-4.15.1, for Rust
//! services that consume them.
//!
//! The source of truth is `schemas/chatwoot/` (`_defs/` and `events/`) as written: the union of every
//! release. A key every release sends whenever it sends the object (the schema's plain `required`) is a
//! plain field; a key some release omits (one with an `x-since` / `x-until` range, one in `x-required`,
//! one sent only sometimes) is an `Option`, skipped when `None`; an optional and nullable key is an
//! `Option<Option<T>>` (`None` absent, `Some(None)` null), a required and nullable key an `Option<T>`
//! (`None` is written as null). Every enum value and every `null` some release sends is representable.
//! Keys the schemas do not declare (forks add fields) are kept in each object's `extra` map, and numbers
//! keep their JSON form, so for every payload some release sends,
//! `serde_json::to_value(&serde_json::from_value::<Event>(v.clone())?)? == v`. Doc comments say which
//! releases send a key or value when not all do.
//!
//! The models do not know which release sent a payload: a body that mixes keys of different releases
//! (say a 4.15 conversation without `labels`) parses although no single release sent it. Ask
//! [`Catalog::fit`](crate::Catalog::fit) or `hookcheck releases` for that.
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
//!             Some(WebhookActor::Contact(contact)) => {
//!                 assert_eq!(contact.name.as_deref(), Some("little-haze-776"))
//!             }
//!             Some(agent) => println!("from {:?} #{}", agent.name(), agent.id()),
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
//! "The schemas" here are the files as written, the union of every release (what a plain JSON Schema
//! validator sees). Parsing rejects every wrong JSON type, missing required key and value outside an enum or `const`, like
//! the schemas, and their rules across keys: the keys each attachment `file_type` requires, no `type` on
//! a contact with keys of 2.14.0 and later, on a contact event or on a typing contact. It does not check:
//! * formats and patterns: [`IsoTimestamp`] and [`JsDate`] keep any string (see their `is_valid`);
//! * numeric bounds: ids `>= 1`, `unix-seconds` / `unix-float` `<= 253402300799`, `unread_count`,
//!   working-hour ranges (out-of-range values that do not fit the Rust type, such as a negative id or an
//!   hour of 300, are rejected all the same);
//! * array sizes: `conversation.messages` at most one item; message `attachments` and every
//!   `changed_attributes` list non-empty;
//! * hookcheck's `semantic/*` cross-field rules, which are not schema checks;
//! * which release sent the body: keys of different releases mixed in one body, or a key missing that
//!   the release whose other keys are there always sends (see the top of this page).
//!
//! And conversely: an integer written as a float (`1.0`), which JSON Schema counts as an integer, is
//! rejected where the model holds a Rust integer, since it could not be written back unchanged.
//!
//! ## Drift proof
//!
//! [`Extras`] lists the keys that landed in an `extra` map of a closed object: the keys no release
//! declares there (the tests check them against the union's closed schemas on every mutation of the
//! examples, of VERSIONS.md's release payloads and of generated payloads of sampled releases). Objects
//! the schemas declare free-form ([`ConversationAttributes`], [`EventInfo`], [`InboxChannel`]) keep their
//! other keys in `extra` without reporting them. [`models`] and [`field_names`] list every struct's keys,
//! generated from the same declaration as the (de)serialisation code; the tests compare them with the
//! schemas' `properties`, plain `required` and nullability.
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
    MessageType, MessageTypeCode, Null, Priority, SenderNameType, SenderType, UnixFloat,
    UnixSeconds, UserType,
};
pub use events::{
    Change, ChangedAttribute, ContactEvent, ContactInboxWebhook, ContactUpdatedEvent, EventInfo,
    Inbox, InboxChannel, InboxEvent, InboxUpdatedEvent, TypingEvent, WebwidgetEvent, WorkingHour,
};
pub use message::{
    Attachment, MessageEvent, MessagePush, MessagePushContactInbox, MessagePushConversation,
};

use crate::EventName;

/// An account-webhook body of any release, dispatched on its `event` key (`schemas/chatwoot/webhook.json`).
// The variants differ in size (a message holds a conversation); boxing would only cost the consumer.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// `conversation_created` (`events/conversation_created.json`), from 2.2.0.
    ConversationCreated(ConversationEvent),
    /// `conversation_updated` (`events/conversation_updated.json`), from 2.4.0.
    ConversationUpdated(ConversationUpdatedEvent),
    /// `conversation_status_changed` (`events/conversation_status_changed.json`).
    ConversationStatusChanged(ConversationStatusChangedEvent),
    /// `message_created` (`events/message_created.json`).
    MessageCreated(MessageEvent),
    /// `message_updated` (`events/message_updated.json`).
    MessageUpdated(MessageEvent),
    /// `webwidget_triggered` (`events/webwidget_triggered.json`).
    WebwidgetTriggered(WebwidgetEvent),
    /// `conversation_typing_on` (`events/conversation_typing_on.json`), from 4.2.0.
    ConversationTypingOn(TypingEvent),
    /// `conversation_typing_off` (`events/conversation_typing_off.json`), from 4.2.0.
    ConversationTypingOff(TypingEvent),
    /// `contact_created` (`events/contact_created.json`), from 2.14.0.
    ContactCreated(ContactEvent),
    /// `contact_updated` (`events/contact_updated.json`), from 2.14.0.
    ContactUpdated(ContactUpdatedEvent),
    /// `inbox_created` (`events/inbox_created.json`), from 3.2.0 (with `ENABLE_INBOX_EVENTS`).
    InboxCreated(InboxEvent),
    /// `inbox_updated` (`events/inbox_updated.json`), from 3.2.0 (with `ENABLE_INBOX_EVENTS`).
    InboxUpdated(InboxUpdatedEvent),
    /// `conversation_opened` (`events/conversation_opened.json`), 2.0.0-2.4.1 only.
    ConversationOpened(ConversationStatusChangedEvent),
    /// `conversation_resolved` (`events/conversation_resolved.json`), 2.0.0-2.4.1 only.
    ConversationResolved(ConversationStatusChangedEvent),
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
            Self::ConversationOpened(_) => EventName::ConversationOpened,
            Self::ConversationResolved(_) => EventName::ConversationResolved,
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
            Self::ConversationStatusChanged(e)
            | Self::ConversationOpened(e)
            | Self::ConversationResolved(e) => e.extras(pointer, out),
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
        // an activity is a message code, but never the nested (chat) message
        body["conversation"]["messages"][0]["message_type"] = json!(2);
        assert_eq!(
            parse(&body).unwrap_err(),
            "/conversation/messages/0/message_type: invalid value: 2, expected 0, 1 or 3 \
             (a nested message is never an activity)"
        );
        body["conversation"]["messages"][0]["message_type"] = json!(3);
        round_trip(&body);
        body["conversation"]["messages"][0]["private"] = json!(true);
        assert!(parse(&body)
            .unwrap_err()
            .starts_with("/conversation/messages/0/private: invalid value: true"));

        let mut body = message_body();
        body["conversation"]["channel"] = json!("Channel::Voice"); // Enterprise 4.4.0-4.13.0
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

        // the 2.0.0-2.13.1 shape, with `type` and a null name
        body["sender"] = json!({"id": 7, "name": null, "avatar": "", "type": "contact",
            "account": {"id": 1, "name": "Acme"}});
        let Event::MessageCreated(m) = round_trip(&body) else {
            panic!()
        };
        let sender = m.sender.unwrap();
        assert!(sender.is_typed_contact());
        assert_eq!(sender.name(), None);

        // `type` with a key of 2.14.0: no release sent that
        body["sender"]["email"] = json!(null);
        assert_eq!(
            parse(&body).unwrap_err(),
            "/sender/type: a contact with `email` (sent from 2.14.0) has no `type` (sent up to 2.13.1)"
        );

        body["sender"]["type"] = json!("robot");
        assert!(parse(&body)
            .unwrap_err()
            .starts_with("/sender/type: unknown variant `robot`"));
        body["sender"] = Value::Null;
        round_trip(&body);
    }

    #[test]
    fn contact_events_and_typing_contacts_have_no_type() {
        let mut body = bodies()
            .into_iter()
            .find(|b| b["event"] == "contact_updated")
            .unwrap();
        round_trip(&body);
        for key in [
            "email",
            "identifier",
            "phone_number",
            "thumbnail",
            "blocked",
        ] {
            body.as_object_mut().unwrap().shift_remove(key);
        }
        body.as_object_mut()
            .unwrap()
            .shift_remove("additional_attributes");
        body.as_object_mut()
            .unwrap()
            .shift_remove("custom_attributes");
        round_trip(&body); // the keys of 2.14.0 are optional in the union
        body["type"] = json!("contact");
        assert_eq!(
            parse(&body).unwrap_err(),
            "/type: a contact event has no `type` (contact events start in 2.14.0, which dropped it)"
        );

        let mut body = bodies()
            .into_iter()
            .find(|b| b["event"] == "conversation_typing_on")
            .unwrap();
        body["user"] = json!({"id": 7, "name": "Old", "avatar": "", "type": "contact",
            "account": {"id": 1, "name": "Acme"}});
        assert!(parse(&body)
            .unwrap_err()
            .starts_with("/user/type: unknown variant `contact`"));
        body["user"].as_object_mut().unwrap().shift_remove("type");
        round_trip(&body);
    }

    #[test]
    fn attachments_need_the_keys_of_their_file_type() {
        let body = bodies()
            .into_iter()
            .find(|b| b["attachments"].is_array())
            .unwrap();
        round_trip(&body);
        let mut location = body.clone();
        location["attachments"][0] = json!({"id": 1, "message_id": 2, "file_type": "location",
            "account_id": 1, "coordinates_lat": 1.5, "coordinates_long": 2, "fallback_title": null,
            "data_url": null});
        round_trip(&location);
        location["attachments"][0]
            .as_object_mut()
            .unwrap()
            .shift_remove("coordinates_long");
        assert_eq!(
            parse(&location).unwrap_err(),
            "/attachments/0: missing field `coordinates_long` (required for file_type location)"
        );

        let mut embed = body.clone();
        embed["attachments"][0] = json!({"id": 1, "message_id": 2, "file_type": "embed",
            "account_id": 1, "data_url": null});
        assert_eq!(
            parse(&embed).unwrap_err(),
            "/attachments/0/data_url: invalid type: null, expected a string (file_type embed)"
        );

        let mut audio = body;
        audio["attachments"][0]["file_type"] = json!("audio");
        audio["attachments"][0]
            .as_object_mut()
            .unwrap()
            .shift_remove("extension");
        assert_eq!(
            parse(&audio).unwrap_err(),
            "/attachments/0: missing field `extension` (required for file_type audio)"
        );
        audio["attachments"][0]["file_type"] = json!("video"); // 4.12.0+: no stored file
        round_trip(&audio);
    }

    #[test]
    fn events_of_old_releases_parse() {
        let mut body = bodies()
            .into_iter()
            .find(|b| b["event"] == "conversation_status_changed")
            .unwrap();
        for (event, name) in [
            ("conversation_opened", EventName::ConversationOpened),
            ("conversation_resolved", EventName::ConversationResolved),
        ] {
            body["event"] = json!(event);
            assert_eq!(round_trip(&body).name(), name);
        }
        body["changed_attributes"] = json!([{"status": {"previous_value": "open",
            "current_value": "resolved"}}]);
        assert!(parse(&body)
            .unwrap_err()
            .starts_with("/changed_attributes: invalid type: sequence, expected null"));
        body.as_object_mut()
            .unwrap()
            .shift_remove("changed_attributes"); // up to 2.3.2
        let Event::ConversationResolved(e) = round_trip(&body) else {
            panic!()
        };
        assert_eq!(e.changed_attributes, None);
    }

    #[test]
    fn absent_null_and_present_stay_apart() {
        let mut body = message_body();
        let conversation = body["conversation"].as_object_mut().unwrap();
        conversation.remove("priority");
        conversation.insert("first_reply_created_at".into(), Value::Null);
        conversation.insert("snoozed_until".into(), Value::Null);
        conversation.insert("updated_at".into(), json!(1781699696)); // an integer unix-float
        let Event::MessageCreated(m) = round_trip(&body) else {
            panic!()
        };
        assert_eq!(m.conversation.priority, None);
        assert_eq!(m.conversation.first_reply_created_at, Some(None));
        assert_eq!(m.conversation.snoozed_until, None); // required: null
        body["conversation"]
            .as_object_mut()
            .unwrap()
            .remove("snoozed_until");
        assert_eq!(
            parse(&body).unwrap_err(),
            "/conversation: missing field `snoozed_until`"
        );
        body["conversation"]["snoozed_until"] = Value::Null;

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
