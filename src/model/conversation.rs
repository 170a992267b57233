//! The conversation events (`events/conversation_created.json`, `conversation_updated.json`,
//! `conversation_status_changed.json`), `Conversation#webhook_data` (`_defs/conversation.json`) and
//! its parts: `additional_attributes`, `browser.json`, `initiated-at.json`, `contact-inbox.json` and
//! `conversation-meta.json`.
use serde_json::{Map, Value};

use super::actors::{Account, Assignee, ContactPush, Team};
use super::enums::{
    AssigneeType, Channel, ConversationStatus, Id, IsoTimestamp, JsDate, Priority, UnixFloat,
    UnixSeconds,
};
use super::events::ChangedAttribute;
use super::json::models;
use super::message::MessagePush;

models! {
    /// `conversation_created` (`events/conversation_created.json`): the conversation, no
    /// `changed_attributes` (a key of that name would be kept in `conversation.extra`).
    pub struct ConversationEvent(
        ["events/conversation_created.json"] flatten conversation: Conversation
    ) {}

    /// `conversation_updated` (`events/conversation_updated.json`): the conversation and what changed.
    pub struct ConversationUpdatedEvent(
        ["events/conversation_updated.json"] flatten conversation: Conversation
    ) {
        /// The changed columns, updated_at included (since 2.4.0; non-empty, not checked).
        opt changed_attributes: Option<Vec<ChangedAttribute>>,
    }

    /// `conversation_status_changed` (`events/conversation_status_changed.json`): the conversation and
    /// what changed.
    pub struct ConversationStatusChangedEvent(
        ["events/conversation_status_changed.json"] flatten conversation: Conversation
    ) {
        /// The changed columns; optional and nullable (null on Rails 7.1, inferred; non-empty when a
        /// list, not checked).
        opt changed_attributes: Option<Option<Vec<ChangedAttribute>>>,
    }

    /// `Conversation#webhook_data` (`_defs/conversation.json`): the body of the conversation events and
    /// the `conversation` of message and typing events. `id` is the per-account display id.
    pub struct Conversation(["_defs/conversation.json"] closed) {
        /// Channel-specific attributes (free-form; the web widget's keys are typed).
        req additional_attributes: ConversationAttributes,
        /// Whether an agent can reply (messaging window open).
        req can_reply: bool,
        /// The inbox's channel type.
        req channel: Channel,
        /// The contact-inbox row.
        req contact_inbox: ContactInbox,
        /// Per-account display id.
        req id: Id,
        /// Inbox id.
        req inbox_id: Id,
        /// The last public, non-activity message, or empty (at most one; not checked).
        req messages: Vec<MessagePush>,
        /// Label names.
        opt labels: Option<Vec<String>>,
        /// Sender, assignee and team.
        req meta: ConversationMeta,
        /// Status.
        req status: ConversationStatus,
        /// Account-defined custom attributes.
        opt custom_attributes: Option<Map<String, Value>>,
        /// Snoozed until; optional and nullable.
        opt snoozed_until: Option<Option<IsoTimestamp>>,
        /// Unread incoming messages (capped at 10 in 4.15; not checked).
        req unread_count: u64,
        /// First reply time; optional and nullable.
        opt first_reply_created_at: Option<Option<IsoTimestamp>>,
        /// Priority; optional and nullable.
        opt priority: Option<Option<Priority>>,
        /// Waiting since (Unix seconds, 0 when unset).
        opt waiting_since: Option<UnixSeconds>,
        /// Agent last seen (Unix seconds, 0 when unset).
        req agent_last_seen_at: UnixSeconds,
        /// Contact last seen (Unix seconds, 0 when unset).
        req contact_last_seen_at: UnixSeconds,
        /// Last activity (Unix seconds).
        opt last_activity_at: Option<UnixSeconds>,
        /// Last activity (Unix seconds).
        req timestamp: UnixSeconds,
        /// Creation time (Unix seconds).
        opt created_at: Option<UnixSeconds>,
        /// Update time, Unix seconds with a fraction (since 4.0.2).
        opt updated_at: Option<UnixFloat>,
        /// Applied SLA (enterprise); optional and nullable, free-form.
        opt applied_sla: Option<Option<Map<String, Value>>>,
        /// SLA events (enterprise), free-form objects.
        opt sla_events: Option<Vec<Map<String, Value>>>,
        /// SLA policy id (enterprise); optional and nullable.
        opt sla_policy_id: Option<Option<Id>>,
        /// The account (since 4.14.2).
        opt account: Option<Account>,
    }

    /// A conversation's `additional_attributes`
    /// (`_defs/conversation.json#/properties/additional_attributes`): free-form, with the web widget's
    /// keys typed. Other keys stay in `extra` (not reported as unknown).
    pub struct ConversationAttributes(
        ["_defs/conversation.json#/properties/additional_attributes"] open
    ) {
        /// Browser language; optional and nullable.
        opt browser_language: Option<Option<String>>,
        /// User-agent summary.
        opt browser: Option<Browser>,
        /// When the widget conversation started, as the browser printed it.
        opt initiated_at: Option<InitiatedAt>,
        /// Referring page; optional and nullable.
        opt referer: Option<Option<String>>,
    }

    /// Server-side user-agent summary (`_defs/browser.json`).
    pub struct Browser(["_defs/browser.json"] closed) {
        /// Browser name.
        opt browser_name: Option<String>,
        /// Browser version.
        opt browser_version: Option<String>,
        /// Device name.
        opt device_name: Option<String>,
        /// Platform name.
        opt platform_name: Option<String>,
        /// Platform version.
        opt platform_version: Option<String>,
    }

    /// `{timestamp}` (`_defs/initiated-at.json`).
    pub struct InitiatedAt(["_defs/initiated-at.json"] closed) {
        /// A browser `Date().toString()` for web widget conversations and `event_info`; any string
        /// elsewhere (the form is not checked).
        req timestamp: JsDate,
    }

    /// `conversation.contact_inbox`: the whole row (`_defs/contact-inbox.json`).
    pub struct ContactInbox(["_defs/contact-inbox.json"] closed) {
        /// Row id.
        req id: Id,
        /// Contact id.
        req contact_id: Id,
        /// Inbox id.
        req inbox_id: Id,
        /// Source id of the contact in this inbox.
        req source_id: String,
        /// Creation time.
        req created_at: IsoTimestamp,
        /// Update time.
        req updated_at: IsoTimestamp,
        /// Whether the identity was HMAC-verified.
        req hmac_verified: bool,
        /// Pubsub token.
        opt pubsub_token: Option<String>,
    }

    /// `conversation.meta` (`_defs/conversation-meta.json`).
    pub struct ConversationMeta(["_defs/conversation-meta.json"] closed) {
        /// The contact, in push-data shape.
        req sender: ContactPush,
        /// The assignee, or null.
        req assignee: Option<Assignee>,
        /// `"User"`, `"AgentBot"` or null (since 4.8.0); optional.
        opt assignee_type: Option<Option<AssigneeType>>,
        /// The team; optional and nullable.
        opt team: Option<Option<Team>>,
        /// Whether the contact was HMAC-verified; optional and nullable.
        opt hmac_verified: Option<Option<bool>>,
    }
}
