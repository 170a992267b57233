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
    /// contact and contact event body. Only `id` and `name` are sent by every release since 2.0.
    pub struct ContactWebhook(["_defs/contact-webhook.json"] closed) {
        /// The contact's account.
        opt account: Option<Account>,
        /// Free-form contact attributes.
        opt additional_attributes: Option<Map<String, Value>>,
        /// Avatar URL (may be empty).
        opt avatar: Option<String>,
        /// Account-defined custom attributes.
        opt custom_attributes: Option<Map<String, Value>>,
        /// Email; optional and nullable.
        opt email: Option<Option<String>>,
        /// Contact id.
        req id: Id,
        /// External identifier; optional and nullable.
        opt identifier: Option<Option<String>>,
        /// Display name.
        req name: String,
        /// Phone number; optional and nullable.
        opt phone_number: Option<Option<String>>,
        /// Thumbnail URL (may be empty).
        opt thumbnail: Option<String>,
        /// Whether the contact is blocked (since 4.0.2).
        opt blocked: Option<bool>,
        /// `"contact"` in releases up to 2.13, absent since 2.14.
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

    /// `AgentBot#webhook_data` (`_defs/agent-bot-webhook.json`).
    pub struct AgentBotWebhook(["_defs/agent-bot-webhook.json"] closed) {
        /// Agent bot id.
        req id: Id,
        /// Name.
        req name: String,
        /// Always `"agent_bot"`.
        req r#type = "type": AgentBotType,
    }

    /// `Captain::Assistant#webhook_data`, enterprise (`_defs/captain-assistant-webhook.json`).
    pub struct CaptainAssistantWebhook(["_defs/captain-assistant-webhook.json"] closed) {
        /// Assistant id.
        req id: Id,
        /// Name.
        req name: String,
        /// Avatar URL; optional and nullable.
        opt avatar_url: Option<Option<String>>,
        /// Description; optional and nullable.
        opt description: Option<Option<String>>,
        /// Creation time.
        opt created_at: Option<IsoTimestamp>,
        /// Always `"captain_assistant"`.
        req r#type = "type": CaptainAssistantType,
    }

    /// `Contact#push_event_data` (`_defs/contact-push.json`): `meta.sender` and nested message senders.
    pub struct ContactPush(["_defs/contact-push.json"] closed) {
        /// Free-form contact attributes.
        opt additional_attributes: Option<Map<String, Value>>,
        /// Account-defined custom attributes.
        opt custom_attributes: Option<Map<String, Value>>,
        /// Email; optional and nullable.
        opt email: Option<Option<String>>,
        /// Contact id.
        req id: Id,
        /// External identifier; optional and nullable.
        opt identifier: Option<Option<String>>,
        /// Display name.
        req name: String,
        /// Phone number; optional and nullable.
        opt phone_number: Option<Option<String>>,
        /// Thumbnail URL (may be empty).
        opt thumbnail: Option<String>,
        /// Whether the contact is blocked.
        opt blocked: Option<bool>,
        /// Always `"contact"`.
        req r#type = "type": ContactType,
        /// Company id, only with the `companies` feature; optional and nullable.
        opt company_id: Option<Option<Id>>,
    }

    /// `User#push_event_data` (`_defs/user-push.json`): no email.
    pub struct UserPush(["_defs/user-push.json"] closed) {
        /// User id.
        req id: Id,
        /// Name.
        req name: String,
        /// Display name.
        opt available_name: Option<String>,
        /// Avatar URL.
        opt avatar_url: Option<String>,
        /// Always `"user"`.
        req r#type = "type": UserType,
        /// Availability; optional and nullable (null in account webhooks).
        opt availability_status: Option<Option<AvailabilityStatus>>,
        /// Thumbnail URL.
        opt thumbnail: Option<String>,
    }

    /// `AgentBot#push_event_data` (`_defs/agent-bot-push.json`).
    pub struct AgentBotPush(["_defs/agent-bot-push.json"] closed) {
        /// Agent bot id.
        req id: Id,
        /// Name.
        req name: String,
        /// Avatar URL; optional and nullable.
        opt avatar_url: Option<Option<String>>,
        /// Always `"agent_bot"`.
        req r#type = "type": AgentBotType,
    }
}

/// An actor in `webhook_data` shape, told apart by `type`; a contact has none (or `"contact"` up to
/// 2.13) (`_defs/webhook-actor.json`). A message's `sender` is `Option<WebhookActor>`
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

    /// The actor's name.
    pub fn name(&self) -> &str {
        match self {
            Self::User(a) => &a.name,
            Self::AgentBot(a) => &a.name,
            Self::CaptainAssistant(a) => &a.name,
            Self::Contact(a) => &a.name,
        }
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

/// A nested message sender in `push_event_data` shape, told apart by a required `type`
/// (`_defs/push-actor.json`).
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
