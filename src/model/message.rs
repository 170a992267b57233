//! Messages: `Message#webhook_data` (`_defs/message-webhook.json`, the body of the message events), the
//! nested push-data message of `conversation.messages[]` (`_defs/message-push.json`) and attachments
//! (`_defs/attachment.json`).
use serde_json::{Map, Value};

use super::actors::{Account, InboxRef, PushActor, WebhookActor};
use super::conversation::Conversation;
use super::enums::{
    ContentType, FileType, Id, IsoTimestamp, MessageStatus, MessageType, MessageTypeCode,
    SenderType, UnixSeconds,
};
use super::json::models;

models! {
    /// `Message#webhook_data` (`_defs/message-webhook.json`): the body of `message_created` and
    /// `message_updated`. STRING `message_type`, ISO `created_at`, no `status`.
    pub struct MessageEvent(["_defs/message-webhook.json"] closed) {
        /// The account.
        req account: Account,
        /// Free-form message attributes (since 2.6.0).
        opt additional_attributes: Option<Map<String, Value>>,
        /// Free-form content attributes (items, submitted_values, in_reply_to, ...).
        req content_attributes: Map<String, Value>,
        /// Content type.
        req content_type: ContentType,
        /// Text content, or null.
        req content: Option<String>,
        /// The conversation.
        req conversation: Conversation,
        /// Creation time.
        req created_at: IsoTimestamp,
        /// Message id.
        req id: Id,
        /// The inbox.
        req inbox: InboxRef,
        /// `incoming`, `outgoing` or `template` (`activity` is never sent).
        req message_type: MessageType,
        /// Whether this is a private note.
        req private: bool,
        /// The sender, or null (`_defs/message-sender.json`).
        req sender: Option<WebhookActor>,
        /// Id on the external platform, or null.
        req source_id: Option<String>,
        /// Attachments, present only when there are some (non-empty; not checked).
        opt attachments: Option<Vec<Attachment>>,
    }

    /// `Message#webhook_push_event_data`, an item of `conversation.messages` (`_defs/message-push.json`):
    /// INTEGER `message_type` and `created_at`, ISO `updated_at`.
    pub struct MessagePush(["_defs/message-push.json"] closed) {
        /// Message id.
        req id: Id,
        /// Text content, or null.
        req content: Option<String>,
        /// Account id.
        opt account_id: Option<Id>,
        /// Inbox id.
        opt inbox_id: Option<Id>,
        /// Conversation display id.
        opt conversation_id: Option<Id>,
        /// `0` incoming, `1` outgoing, `2` activity, `3` template.
        req message_type: MessageTypeCode,
        /// Creation time (Unix seconds).
        req created_at: UnixSeconds,
        /// Update time.
        opt updated_at: Option<IsoTimestamp>,
        /// Whether this is a private note.
        req private: bool,
        /// Delivery status.
        opt status: Option<MessageStatus>,
        /// Id on the external platform; optional and nullable.
        opt source_id: Option<Option<String>>,
        /// Content type.
        req content_type: ContentType,
        /// Free-form content attributes.
        req content_attributes: Map<String, Value>,
        /// Raw polymorphic sender type; optional and nullable.
        opt sender_type: Option<Option<SenderType>>,
        /// Sender id; optional and nullable.
        opt sender_id: Option<Option<Id>>,
        /// Ids on external platforms (free-form).
        opt external_source_ids: Option<Map<String, Value>>,
        /// Free-form message attributes.
        opt additional_attributes: Option<Map<String, Value>>,
        /// Processed content; optional and nullable.
        opt processed_message_content: Option<Option<String>>,
        /// Sentiment analysis result (free-form).
        opt sentiment: Option<Map<String, Value>>,
        /// A summary of the conversation.
        opt conversation: Option<MessagePushConversation>,
        /// Attachments.
        opt attachments: Option<Vec<Attachment>>,
        /// The sender, in push-data shape.
        opt sender: Option<PushActor>,
        /// Enterprise voice-call data (free-form).
        opt call: Option<Map<String, Value>>,
    }

    /// A nested message's `conversation` summary (`_defs/message-push.json#/properties/conversation`).
    pub struct MessagePushConversation(["_defs/message-push.json#/properties/conversation"] closed) {
        /// Assignee id, or null.
        req assignee_id: Option<Id>,
        /// Unread count.
        req unread_count: u64,
        /// Last activity (Unix seconds).
        req last_activity_at: UnixSeconds,
        /// The contact inbox's source id.
        req contact_inbox: MessagePushContactInbox,
    }

    /// `{source_id}` (`_defs/message-push.json#/properties/conversation/properties/contact_inbox`).
    pub struct MessagePushContactInbox(
        ["_defs/message-push.json#/properties/conversation/properties/contact_inbox"] closed
    ) {
        /// Source id, or null.
        req source_id: Option<String>,
    }

    /// `Attachment#push_event_data` (`_defs/attachment.json`); the optional keys depend on `file_type`.
    pub struct Attachment(["_defs/attachment.json"] closed) {
        /// Attachment id.
        req id: Id,
        /// Message id.
        req message_id: Id,
        /// File type.
        req file_type: FileType,
        /// Account id.
        req account_id: Id,
        /// File extension; optional and nullable.
        opt extension: Option<Option<String>>,
        /// MIME type; optional and nullable.
        opt content_type: Option<Option<String>>,
        /// Download URL.
        opt data_url: Option<String>,
        /// Thumbnail URL.
        opt thumb_url: Option<String>,
        /// Size in bytes; optional and nullable.
        opt file_size: Option<Option<u64>>,
        /// Image width; optional and nullable.
        opt width: Option<Option<u64>>,
        /// Image height; optional and nullable.
        opt height: Option<Option<u64>>,
        /// Audio transcription; optional and nullable.
        opt transcribed_text: Option<Option<String>>,
        /// Location latitude (kept as written); optional and nullable.
        opt coordinates_lat: Option<Option<serde_json::Number>>,
        /// Location longitude (kept as written); optional and nullable.
        opt coordinates_long: Option<Option<serde_json::Number>>,
        /// Fallback title; optional and nullable.
        opt fallback_title: Option<Option<String>>,
        /// Free-form metadata; optional and nullable.
        opt meta: Option<Option<Map<String, Value>>>,
    }
}
