//! Small references (`account.json`, `inbox-ref.json`, `team.json`) and the actors: contacts, users,
//! agent bots and captain assistants in their `webhook_data` and `push_event_data` shapes, and the
//! unions that tell them apart by `type` (`webhook-actor.json`, `push-actor.json`, `assignee.json`).
use serde_json::{Map, Value};

use super::enums::{
    AgentBotType, AvailabilityStatus, CaptainAssistantType, ContactType, Id, IsoTimestamp, UserType,
};
use super::json::{models, object, type_tag, union_impls, Entries, FromJson, PathError};

models! {
    /// `Account#webhook_data` (`_defs/account.json`).
    pub struct Account(["_defs/account.json"] closed) {
        /// Account id.
        req id: Id,
        /// Account name.
        req name: String,
    }

    /// `Inbox#webhook_data` as embedded in message and webwidget payloads (`_defs/inbox-ref.json`).
    pub struct InboxRef(["_defs/inbox-ref.json"] closed) {
        /// Inbox id.
        req id: Id,
        /// Inbox name.
        req name: String,
    }

    /// `Team#push_event_data` (`_defs/team.json`).
    pub struct Team(["_defs/team.json"] closed) {
        /// Team id.
        req id: Id,
        /// Team name.
        req name: String,
    }

    /// `Contact#webhook_data` (`_defs/contact-webhook.json`): message sender, typing actor, webwidget
    /// contact and contact event body. Up to 2.13.1 exactly `{account, avatar, id, name, type}`; from
    /// 2.14.0 no `type` but the other keys below (`blocked` from 4.0.2). A `type` together with a
    /// 2.14.0 key is rejected: no release sent that.
    pub struct ContactWebhook(["_defs/contact-webhook.json"] closed, check = typed_contact_is_old) {
        /// The contact's account.
        req account: Account,
        /// Free-form contact attributes (since 2.14.0).
        opt additional_attributes: Option<Map<String, Value>>,
        /// Avatar URL (may be empty).
        req avatar: String,
        /// Account-defined custom attributes (since 2.14.0).
        opt custom_attributes: Option<Map<String, Value>>,
        /// Email (since 2.14.0); nullable.
        opt email: Option<Option<String>>,
        /// Contact id.
        req id: Id,
        /// External identifier (since 2.14.0); nullable.
        opt identifier: Option<Option<String>>,
        /// Display name, or null for a contact created without one.
        req name: Option<String>,
        /// Phone number (since 2.14.0); nullable.
        opt phone_number: Option<Option<String>>,
        /// Thumbnail URL, may be empty (since 2.14.0).
        opt thumbnail: Option<String>,
        /// Whether the contact is blocked (since 4.0.2).
        opt blocked: Option<bool>,
        /// `"contact"` up to 2.13.1, absent from 2.14.0.
        opt r#type = "type": Option<ContactType>,
    }

    /// `User#webhook_data` (`_defs/user-webhook.json`).
    pub struct UserWebhook(["_defs/user-webhook.json"] closed) {
        /// User id.
        req id: Id,
        /// Name.
        req name: String,
        /// Email.
        req email: String,
        /// Always `"user"`.
        req r#type = "type": UserType,
    }

    /// `AgentBot#webhook_data` (`_defs/agent-bot-webhook.json`), the same in every release.
    pub struct AgentBotWebhook(["_defs/agent-bot-webhook.json"] closed) {
        /// Agent bot id.
        req id: Id,
        /// Name, or null for a bot created without one.
        req name: Option<String>,
        /// Always `"agent_bot"`.
        req r#type = "type": AgentBotType,
    }

    /// `Captain::Assistant#webhook_data`, Enterprise 4.2.0+ (`_defs/captain-assistant-webhook.json`).
    pub struct CaptainAssistantWebhook(["_defs/captain-assistant-webhook.json"] closed) {
        /// Assistant id.
        req id: Id,
        /// Name.
        req name: String,
        /// Avatar URL, or null.
        req avatar_url: Option<String>,
        /// Description, or null.
        req description: Option<String>,
        /// Creation time.
        req created_at: IsoTimestamp,
        /// Always `"captain_assistant"`.
        req r#type = "type": CaptainAssistantType,
    }

    /// `Contact#push_event_data` (`_defs/contact-push.json`): `meta.sender` and nested message senders.
    pub struct ContactPush(["_defs/contact-push.json"] closed) {
        /// Free-form contact attributes.
        req additional_attributes: Map<String, Value>,
        /// Account-defined custom attributes.
        req custom_attributes: Map<String, Value>,
        /// Email, or null.
        req email: Option<String>,
        /// Contact id.
        req id: Id,
        /// External identifier, or null.
        req identifier: Option<String>,
        /// Display name, or null for a contact created without one.
        req name: Option<String>,
        /// Phone number, or null.
        req phone_number: Option<String>,
        /// The contact's pubsub token (up to 2.3.2).
        opt pubsub_token: Option<String>,
        /// Thumbnail URL (may be empty).
        req thumbnail: String,
        /// Whether the contact is blocked (since 4.0.2).
        opt blocked: Option<bool>,
        /// Always `"contact"`.
        req r#type = "type": ContactType,
        /// Company id, only with the `companies` feature (since 4.15.0); nullable.
        opt company_id: Option<Option<Id>>,
    }

    /// `User#push_event_data` (`_defs/user-push.json`): no email; the same in every release.
    pub struct UserPush(["_defs/user-push.json"] closed) {
        /// User id.
        req id: Id,
        /// Name.
        req name: String,
        /// Display name.
        req available_name: String,
        /// Avatar URL.
        req avatar_url: String,
        /// Always `"user"`.
        req r#type = "type": UserType,
        /// Availability, or null (null in account webhooks).
        req availability_status: Option<AvailabilityStatus>,
        /// Thumbnail URL.
        req thumbnail: String,
    }

    /// `AgentBot#push_event_data` (`_defs/agent-bot-push.json`), the same in every release.
    pub struct AgentBotPush(["_defs/agent-bot-push.json"] closed) {
        /// Agent bot id.
        req id: Id,
        /// Name, or null for a bot created without one.
        req name: Option<String>,
        /// Avatar URL, or null.
        req avatar_url: Option<String>,
        /// Always `"agent_bot"`.
        req r#type = "type": AgentBotType,
    }
}

/// An actor in `webhook_data` shape, told apart by `type`; a contact has none (or `"contact"` up to
/// 2.13.1); captain assistants from 4.2.0 (`_defs/webhook-actor.json`). A message's `sender` is `Option<WebhookActor>`
/// (`_defs/message-sender.json`).
// The contact variant is the largest and the most common: boxing it would not save anything.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookActor {
    /// `type: "user"`.
    User(UserWebhook),
    /// `type: "agent_bot"`.
    AgentBot(AgentBotWebhook),
    /// `type: "captain_assistant"`.
    CaptainAssistant(CaptainAssistantWebhook),
    /// No `type`, or `type: "contact"`.
    Contact(ContactWebhook),
}

impl WebhookActor {
    /// The actor's id.
    pub fn id(&self) -> Id {
        match self {
            Self::User(a) => a.id,
            Self::AgentBot(a) => a.id,
            Self::CaptainAssistant(a) => a.id,
            Self::Contact(a) => a.id,
        }
    }

    /// The actor's name: `None` for a contact or agent bot created without one (sent as null).
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::User(a) => Some(&a.name),
            Self::AgentBot(a) => a.name.as_deref(),
            Self::CaptainAssistant(a) => Some(&a.name),
            Self::Contact(a) => a.name.as_deref(),
        }
    }

    /// Whether this is a contact carrying `type: "contact"` (the 2.0.0-2.13.1 shape).
    pub fn is_typed_contact(&self) -> bool {
        matches!(self, Self::Contact(c) if c.r#type.is_some())
    }
}

/// `contact-webhook.json#/then`: `type` (up to 2.13.1) never comes with a key that 2.14.0 added.
fn typed_contact_is_old(c: &ContactWebhook) -> Result<(), PathError> {
    let new_keys = [
        ("additional_attributes", c.additional_attributes.is_some()),
        ("custom_attributes", c.custom_attributes.is_some()),
        ("email", c.email.is_some()),
        ("identifier", c.identifier.is_some()),
        ("phone_number", c.phone_number.is_some()),
        ("thumbnail", c.thumbnail.is_some()),
        ("blocked", c.blocked.is_some()),
    ];
    match (c.r#type, new_keys.iter().find(|(_, present)| *present)) {
        (Some(_), Some((key, _))) => Err(PathError::new(format!(
            "a contact with `{key}` (sent from 2.14.0) has no `type` (sent up to 2.13.1)"
        ))
        .at("type")),
        _ => Ok(()),
    }
}

impl FromJson for WebhookActor {
    fn from_json(value: Value) -> Result<Self, PathError> {
        let map = object(value, "an actor object")?;
        match type_tag(&map)?.as_deref() {
            None | Some("contact") => ContactWebhook::from_map(map).map(Self::Contact),
            Some("user") => UserWebhook::from_map(map).map(Self::User),
            Some("agent_bot") => AgentBotWebhook::from_map(map).map(Self::AgentBot),
            Some("captain_assistant") => {
                CaptainAssistantWebhook::from_map(map).map(Self::CaptainAssistant)
            }
            Some(other) => Err(PathError::unknown_variant(
                other,
                &["user", "agent_bot", "captain_assistant", "contact"],
            )
            .at("type")),
        }
    }
}

union_impls!(WebhookActor {
    User,
    AgentBot,
    CaptainAssistant,
    Contact
});

/// A nested message sender in `push_event_data` shape, told apart by a required `type`; captain
/// assistants from 4.2.0 (`_defs/push-actor.json`).
// The contact variant is the largest and the most common: boxing it would not save anything.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum PushActor {
    /// `type: "contact"`.
    Contact(ContactPush),
    /// `type: "user"`.
    User(UserPush),
    /// `type: "agent_bot"`.
    AgentBot(AgentBotPush),
    /// `type: "captain_assistant"` (in its `webhook_data` shape).
    CaptainAssistant(CaptainAssistantWebhook),
}

impl FromJson for PushActor {
    fn from_json(value: Value) -> Result<Self, PathError> {
        let map = object(value, "an actor object")?;
        match type_tag(&map)?.as_deref() {
            None => Err(PathError::missing("type")),
            Some("contact") => ContactPush::from_map(map).map(Self::Contact),
            Some("user") => UserPush::from_map(map).map(Self::User),
            Some("agent_bot") => AgentBotPush::from_map(map).map(Self::AgentBot),
            Some("captain_assistant") => {
                CaptainAssistantWebhook::from_map(map).map(Self::CaptainAssistant)
            }
            Some(other) => Err(PathError::unknown_variant(
                other,
                &["contact", "user", "agent_bot", "captain_assistant"],
            )
            .at("type")),
        }
    }
}

union_impls!(PushActor {
    Contact,
    User,
    AgentBot,
    CaptainAssistant
});

/// `meta.assignee` when not null: a user or (since 4.8.0) an agent bot in push-data shape, told
/// apart by a required `type` (`_defs/assignee.json`).
// The contact variant is the largest and the most common: boxing it would not save anything.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Assignee {
    /// `type: "user"`.
    User(UserPush),
    /// `type: "agent_bot"`.
    AgentBot(AgentBotPush),
}

impl FromJson for Assignee {
    fn from_json(value: Value) -> Result<Self, PathError> {
        let map = object(value, "an assignee object or null")?;
        match type_tag(&map)?.as_deref() {
            None => Err(PathError::missing("type")),
            Some("user") => UserPush::from_map(map).map(Self::User),
            Some("agent_bot") => AgentBotPush::from_map(map).map(Self::AgentBot),
            Some(other) => {
                Err(PathError::unknown_variant(other, &["user", "agent_bot"]).at("type"))
            }
        }
    }
}

union_impls!(Assignee { User, AgentBot });
