//! The event bodies that are not a bare object of another file (`events/*.json`), the inbox event data
//! (`_defs/inbox-webhook.json`, `_defs/working-hour.json`), the webwidget body
//! (`_defs/contact-inbox-webhook.json`, `_defs/event-info.json`) and `changed_attributes`
//! (`_defs/changed-attributes.json`).
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::actors::{Account, ContactWebhook, InboxRef, WebhookActor};
use super::conversation::{Browser, Conversation, InitiatedAt};
use super::enums::{Id, IsPrivate, IsoTimestamp, SenderNameType};
use super::json::{child, models, object, FromJson, PathError};
use super::Extras;

models! {
    /// `conversation_typing_on` / `conversation_typing_off` (`events/conversation_typing_on.json`,
    /// `events/conversation_typing_off.json`, sent from 4.2.0): NOT conversation-shaped at the top level.
    pub struct TypingEvent(
        ["events/conversation_typing_on.json", "events/conversation_typing_off.json"] closed,
        check = typing_user_has_no_contact_type
    ) {
        /// Who is typing: a user, agent bot, captain assistant or contact (never with `type: "contact"`,
        /// which was dropped before typing events began).
        req user: WebhookActor,
        /// The conversation.
        req conversation: Conversation,
        /// Whether the typing is in a private note.
        req is_private: IsPrivate,
    }

    /// `contact_created` (`events/contact_created.json`, sent from 2.14.0): the contact, never with
    /// `type` (rejected).
    pub struct ContactEvent(
        ["events/contact_created.json"] flatten contact: ContactWebhook, check = contact_event_has_no_type
    ) {}

    /// `contact_updated` (`events/contact_updated.json`, sent from 2.14.0): the contact, never with
    /// `type` (rejected), and what changed.
    pub struct ContactUpdatedEvent(
        ["events/contact_updated.json"] flatten contact: ContactWebhook,
        check = contact_updated_has_no_type
    ) {
        /// The changed columns (non-empty, not checked).
        req changed_attributes: Vec<ChangedAttribute>,
    }

    /// `inbox_created` (`events/inbox_created.json`, sent from 3.2.0): the inbox event data.
    pub struct InboxEvent(["events/inbox_created.json"] flatten inbox: Inbox) {}

    /// `inbox_updated` (`events/inbox_updated.json`, sent from 3.2.0): the inbox event data and what
    /// changed.
    pub struct InboxUpdatedEvent(["events/inbox_updated.json"] flatten inbox: Inbox) {
        /// The changed columns (non-empty, not checked).
        req changed_attributes: Vec<ChangedAttribute>,
    }

    /// `webwidget_triggered` (`events/webwidget_triggered.json`): the contact inbox and `event_info`.
    pub struct WebwidgetEvent(
        ["events/webwidget_triggered.json"] flatten contact_inbox: ContactInboxWebhook
    ) {
        /// What the widget reported.
        req event_info: EventInfo,
    }

    /// `ContactInbox#webhook_data` (`_defs/contact-inbox-webhook.json`).
    pub struct ContactInboxWebhook(["_defs/contact-inbox-webhook.json"] closed) {
        /// Contact-inbox id.
        req id: Id,
        /// The contact, or null.
        req contact: Option<ContactWebhook>,
        /// The inbox.
        req inbox: InboxRef,
        /// The account.
        req account: Account,
        /// The contact's last conversation, or null.
        req current_conversation: Option<Conversation>,
        /// Source id of the contact in this inbox.
        req source_id: String,
    }

    /// `event_info` of `webwidget_triggered` (`_defs/event-info.json`): free-form (client-controlled), with
    /// the known keys typed; the server's three are always there. Other keys stay in `extra` (not
    /// reported as unknown).
    pub struct EventInfo(["_defs/event-info.json"] open) {
        /// When the widget was opened, as the browser printed it (a js-date).
        opt initiated_at: Option<InitiatedAt>,
        /// Referring page; optional and nullable.
        opt referer: Option<Option<String>>,
        /// Widget locale, or null.
        req widget_language: Option<String>,
        /// Browser language, or null.
        req browser_language: Option<String>,
        /// User-agent summary.
        req browser: Browser,
    }

    /// The inbox event data (`_defs/inbox-webhook.json`): settings and the channel row, every key in every
    /// release that sends inbox events (3.2.0+), `account` from 4.14.2; no inbox id or name.
    pub struct Inbox(["_defs/inbox-webhook.json"] closed) {
        /// Allow messages after the conversation is resolved.
        req allow_messages_after_resolved: bool,
        /// Lock to a single conversation.
        req lock_to_single_conversation: bool,
        /// Auto-assignment settings (free-form).
        req auto_assignment_config: Map<String, Value>,
        /// Auto-assignment enabled.
        req enable_auto_assignment: bool,
        /// Email collection enabled.
        req enable_email_collect: bool,
        /// Greeting enabled.
        req greeting_enabled: bool,
        /// Greeting message, or null.
        req greeting_message: Option<String>,
        /// CSAT survey enabled.
        req csat_survey_enabled: bool,
        /// Business name, or null.
        req business_name: Option<String>,
        /// Sender name type.
        req sender_name_type: SenderNameType,
        /// Time zone name.
        req timezone: String,
        /// Out-of-office message, or null.
        req out_of_office_message: Option<String>,
        /// Working hours enabled.
        req working_hours_enabled: bool,
        /// Working hours rows.
        req working_hours: Vec<WorkingHour>,
        /// Creation time.
        req created_at: IsoTimestamp,
        /// Update time.
        req updated_at: IsoTimestamp,
        /// The raw channel row.
        req channel: InboxChannel,
        /// The account (since 4.14.2).
        opt account: Option<Account>,
    }

    /// The raw channel row of an inbox (`_defs/inbox-webhook.json#/properties/channel`): free-form, its
    /// columns depend on the channel type; they stay in `extra` (not reported as unknown).
    pub struct InboxChannel(["_defs/inbox-webhook.json#/properties/channel"] open) {
        /// Channel row id.
        req id: Id,
    }

    /// One `WorkingHour` row (`_defs/working-hour.json`).
    pub struct WorkingHour(["_defs/working-hour.json"] closed) {
        /// Row id.
        opt id: Option<Id>,
        /// Inbox id.
        opt inbox_id: Option<Id>,
        /// Account id.
        opt account_id: Option<Id>,
        /// Day of the week, 0 (Sunday) to 6.
        req day_of_week: u8,
        /// Closed all day.
        opt closed_all_day: Option<bool>,
        /// Opening hour; optional and nullable.
        opt open_hour: Option<Option<u8>>,
        /// Opening minutes; optional and nullable.
        opt open_minutes: Option<Option<u8>>,
        /// Closing hour; optional and nullable.
        opt close_hour: Option<Option<u8>>,
        /// Closing minutes; optional and nullable.
        opt close_minutes: Option<Option<u8>>,
        /// Creation time.
        opt created_at: Option<IsoTimestamp>,
        /// Update time.
        opt updated_at: Option<IsoTimestamp>,
        /// Open all day.
        opt open_all_day: Option<bool>,
    }

    /// The value of one `changed_attributes` item (`_defs/changed-attributes.json#/items/additionalProperties`).
    pub struct Change(["_defs/changed-attributes.json#/items/additionalProperties"] closed) {
        /// The value before (any JSON, including null).
        req previous_value: Value,
        /// The value after (any JSON, including null).
        req current_value: Value,
    }
}

/// One item of `changed_attributes` (`_defs/changed-attributes.json`): the single-key object
/// `{"<attribute>": {previous_value, current_value}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangedAttribute {
    /// The attribute (column) name: the item's only key.
    pub attribute: String,
    /// Its previous and current values.
    pub change: Change,
}

impl FromJson for ChangedAttribute {
    fn from_json(value: Value) -> Result<Self, PathError> {
        let map = object(value, "a single-key object")?;
        if map.len() != 1 {
            return Err(PathError::new(format!(
                "expected an object with exactly one key, found {}",
                map.len()
            )));
        }
        match map.into_iter().next() {
            Some((attribute, v)) => match Change::from_json(v) {
                Ok(change) => Ok(Self { attribute, change }),
                Err(e) => Err(e.at(attribute)),
            },
            None => Err(PathError::new("expected an object with exactly one key")),
        }
    }
}

impl Serialize for ChangedAttribute {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(&self.attribute, &self.change)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for ChangedAttribute {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::from_json(Value::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl Extras for ChangedAttribute {
    fn extras(&self, pointer: &str, out: &mut Vec<String>) {
        self.change.extras(&child(pointer, &self.attribute), out);
    }
}

/// `conversation_typing_*.json#/properties/user`: the typing contact has no `type` (typing events
/// start in 4.2.0, `type: "contact"` ended in 2.13.1).
fn typing_user_has_no_contact_type(e: &TypingEvent) -> Result<(), PathError> {
    if e.user.is_typed_contact() {
        return Err(PathError::unknown_variant(
            "contact",
            &["user", "agent_bot", "captain_assistant"],
        )
        .at("type")
        .at("user"));
    }
    Ok(())
}

/// The `type: false` of `events/contact_*.json`: contact events start in 2.14.0, which dropped `type`.
fn no_contact_type(contact: &ContactWebhook) -> Result<(), PathError> {
    match contact.r#type {
        Some(_) => Err(PathError::new(
            "a contact event has no `type` (contact events start in 2.14.0, which dropped it)",
        )
        .at("type")),
        None => Ok(()),
    }
}

fn contact_event_has_no_type(e: &ContactEvent) -> Result<(), PathError> {
    no_contact_type(&e.contact)
}

fn contact_updated_has_no_type(e: &ContactUpdatedEvent) -> Result<(), PathError> {
    no_contact_type(&e.contact)
}
