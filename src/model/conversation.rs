//! The conversation events (`events/conversation_created.json`, `conversation_updated.json`,
//! `conversation_status_changed.json`, and up to 2.4.1 `conversation_opened.json` /
//! `conversation_resolved.json`), `Conversation#webhook_data` (`_defs/conversation.json`) and
//! its parts: `additional_attributes`, `browser.json`, `initiated-at.json`, `contact-inbox.json` and
//! `conversation-meta.json`.
use serde_json::{Map, Value};

use super::actors::{Account, Assignee, ContactPush, Team};
use super::enums::{
    AssigneeType, Channel, ConversationStatus, Id, IsoTimestamp, JsDate, Null, Priority, UnixFloat,
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

    /// `conversation_updated` (`events/conversation_updated.json`, sent from 2.4.0): the conversation and
    /// what changed.
    pub struct ConversationUpdatedEvent(
        ["events/conversation_updated.json"] flatten conversation: Conversation
    ) {
        /// The changed columns, updated_at included (non-empty, not checked); null when an applied SLA
        /// changed its status (Enterprise 3.8.0+).
        req changed_attributes: Option<Vec<ChangedAttribute>>,
    }

    /// `conversation_status_changed` (`events/conversation_status_changed.json`), and the
    /// `conversation_opened` / `conversation_resolved` of 2.0.0-2.4.1 (`events/conversation_opened.json`,
    /// `events/conversation_resolved.json`): the conversation, and from 2.4.0 a `changed_attributes`
    /// that is always null (read after Rails resets its dirty tracking).
    pub struct ConversationStatusChangedEvent(
        [
            "events/conversation_status_changed.json",
            "events/conversation_opened.json",
            "events/conversation_resolved.json"
        ] flatten conversation: Conversation
    ) {
        /// `null` from 2.4.0, absent before.
        opt changed_attributes: Option<Null>,
    }

    /// `Conversation#webhook_data` (`_defs/conversation.json`): the body of the conversation events and
    /// the `conversation` of message and typing events. `id` is the per-account display id. Keys added
    /// after 2.0.0 are optional (each says since when); the keys of every release are required.
    pub struct Conversation(["_defs/conversation.json"] closed) {
        /// Channel-specific attributes (free-form; the web widget's keys are typed).
        req additional_attributes: ConversationAttributes,
        /// Whether an agent can reply (messaging window open).
        req can_reply: bool,
        /// The inbox's channel type.
        req channel: Channel,
        /// The contact-inbox row, or null for a conversation without one (up to 2.18.0).
        req contact_inbox: Option<ContactInbox>,
        /// Per-account display id.
        req id: Id,
        /// Inbox id.
        req inbox_id: Id,
        /// The last public, non-activity message, or empty (at most one; not checked).
        req messages: Vec<MessagePush>,
        /// Label names (since 2.11.0).
        opt labels: Option<Vec<String>>,
        /// Sender, assignee and team.
        req meta: ConversationMeta,
        /// Status.
        req status: ConversationStatus,
        /// Account-defined custom attributes (since 2.2.0).
        opt custom_attributes: Option<Map<String, Value>>,
        /// Snoozed until, or null.
        req snoozed_until: Option<IsoTimestamp>,
        /// Unread incoming messages (capped at 10 from 3.0.0; not checked).
        req unread_count: u64,
        /// First reply time (since 2.12.0); nullable.
        opt first_reply_created_at: Option<Option<IsoTimestamp>>,
        /// Priority (since 2.17.0); nullable.
        opt priority: Option<Option<Priority>>,
        /// Waiting since (Unix seconds, 0 when unset; since 3.0.0).
        opt waiting_since: Option<UnixSeconds>,
        /// Agent last seen (Unix seconds, 0 when unset).
        req agent_last_seen_at: UnixSeconds,
        /// Contact last seen (Unix seconds, 0 when unset).
        req contact_last_seen_at: UnixSeconds,
        /// Last activity (Unix seconds; since 3.11.1).
        opt last_activity_at: Option<UnixSeconds>,
        /// Last activity (Unix seconds).
        req timestamp: UnixSeconds,
        /// Creation time (Unix seconds; since 2.14.0).
        opt created_at: Option<UnixSeconds>,
        /// Update time, Unix seconds with a fraction (since 4.0.2).
        opt updated_at: Option<UnixFloat>,
        /// Applied SLA (Enterprise 3.8.0+, with the SLA feature); nullable, free-form.
        opt applied_sla: Option<Option<Map<String, Value>>>,
        /// SLA events (Enterprise 3.8.0+, with the SLA feature), free-form objects.
        opt sla_events: Option<Vec<Map<String, Value>>>,
        /// SLA policy id (Enterprise 3.8.0+, with the SLA feature); nullable.
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
        /// Browser language (since 2.8.0); nullable.
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

    /// `conversation.contact_inbox`: the whole row, the same 8 columns in every release
    /// (`_defs/contact-inbox.json`).
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
        req pubsub_token: String,
    }

    /// `conversation.meta` (`_defs/conversation-meta.json`).
    pub struct ConversationMeta(["_defs/conversation-meta.json"] closed) {
        /// The contact, in push-data shape.
        req sender: ContactPush,
        /// The assignee, or null.
        req assignee: Option<Assignee>,
        /// `"User"`, `"AgentBot"` or null (since 4.8.0).
        opt assignee_type: Option<Option<AssigneeType>>,
        /// The team, or null (since 2.8.0).
        opt team: Option<Option<Team>>,
        /// Whether the contact was HMAC-verified, or null.
        req hmac_verified: Option<bool>,
    }
}
