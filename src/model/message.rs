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
use super::json::{models, PathError};

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
        /// `incoming`, `outgoing` or (from 2.18.0) `template`; `activity` is never sent.
        req message_type: MessageType,
        /// Whether this is a private note.
        req private: bool,
        /// The sender, or null (`_defs/message-sender.json`).
        req sender: Option<WebhookActor>,
        /// Id on the external platform, or null.
        req source_id: Option<String>,
        /// Attachments, present only when there are some (since 2.10.0; non-empty, not checked).
        opt attachments: Option<Vec<Attachment>>,
    }

    /// `Message#push_event_data` (4.13.0+: `#webhook_push_event_data`), an item of
    /// `conversation.messages` (`_defs/message-push.json`): INTEGER `message_type` and `created_at`, ISO
    /// `updated_at`. It is the last chat message, so never an activity (`message_type` 2) and never
    /// private: both are rejected.
    pub struct MessagePush(["_defs/message-push.json"] closed, check = chat_message) {
        /// Message id.
        req id: Id,
        /// Text content, or null.
        req content: Option<String>,
        /// Account id.
        req account_id: Id,
        /// Inbox id.
        req inbox_id: Id,
        /// Conversation display id.
        req conversation_id: Id,
        /// `0` incoming, `1` outgoing, `3` template ([`MessageTypeCode::CHAT`]).
        req message_type: MessageTypeCode,
        /// Creation time (Unix seconds).
        req created_at: UnixSeconds,
        /// Update time.
        req updated_at: IsoTimestamp,
        /// Always `false`.
        req private: bool,
        /// Delivery status.
        req status: MessageStatus,
        /// Id on the external platform, or null.
        req source_id: Option<String>,
        /// Content type.
        req content_type: ContentType,
        /// Free-form content attributes.
        req content_attributes: Map<String, Value>,
        /// Raw polymorphic sender type, or null.
        req sender_type: Option<SenderType>,
        /// Sender id, or null.
        req sender_id: Option<Id>,
        /// Ids on external platforms (free-form).
        req external_source_ids: Map<String, Value>,
        /// Free-form message attributes (since 2.5.0).
        opt additional_attributes: Option<Map<String, Value>>,
        /// Processed content (since 2.18.0); nullable.
        opt processed_message_content: Option<Option<String>>,
        /// Sentiment analysis result, free-form (since 3.0.0).
        opt sentiment: Option<Map<String, Value>>,
        /// A summary of the conversation.
        req conversation: MessagePushConversation,
        /// Attachments, present only when there are some (non-empty; not checked).
        opt attachments: Option<Vec<Attachment>>,
        /// The sender in push-data shape, present only when there is one.
        opt sender: Option<PushActor>,
        /// Voice-call data, free-form (Enterprise 4.14.0+, `voice_call` messages with a call).
        opt call: Option<Map<String, Value>>,
    }

    /// A nested message's `conversation` summary (`_defs/message-push.json#/properties/conversation`):
    /// `{assignee_id}` up to 2.12.0, then one key more in 2.12.1, 2.17.0 and 3.0.0.
    pub struct MessagePushConversation(["_defs/message-push.json#/properties/conversation"] closed) {
        /// Assignee id, or null.
        req assignee_id: Option<Id>,
        /// Unread count (since 2.12.1).
        opt unread_count: Option<u64>,
        /// Last activity, Unix seconds (since 2.17.0).
        opt last_activity_at: Option<UnixSeconds>,
        /// The contact inbox's source id (since 3.0.0).
        opt contact_inbox: Option<MessagePushContactInbox>,
    }

    /// `{source_id}` (`_defs/message-push.json#/properties/conversation/properties/contact_inbox`).
    pub struct MessagePushContactInbox(
        ["_defs/message-push.json#/properties/conversation/properties/contact_inbox"] closed
    ) {
        /// Source id.
        req source_id: String,
    }

    /// `Attachment#push_event_data` (`_defs/attachment.json`): `{id, message_id, file_type, account_id}`
    /// and keys that depend on `file_type` (checked as the schema's `allOf`: location needs coordinates,
    /// `fallback_title` and `data_url`, fallback `fallback_title` and `data_url`, contact
    /// `fallback_title`, embed a string `data_url`, a file type a string `data_url` and `thumb_url`, an
    /// audio file also `extension`) and on the release (each says since when).
    pub struct Attachment(["_defs/attachment.json"] closed, check = attachment_keys) {
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
        /// MIME type (since 4.13.0); nullable.
        opt content_type: Option<Option<String>>,
        /// Download URL; the external url (or null) for location and fallback.
        opt data_url: Option<Option<String>>,
        /// Thumbnail URL.
        opt thumb_url: Option<String>,
        /// Size in bytes (since 2.7.0); nullable.
        opt file_size: Option<Option<u64>>,
        /// Width (since 3.7.0; kept as written, a video's may have a fraction); nullable.
        opt width: Option<Option<serde_json::Number>>,
        /// Height (since 3.7.0; kept as written, a video's may have a fraction); nullable.
        opt height: Option<Option<serde_json::Number>>,
        /// Audio transcription (since 4.3.0); nullable.
        opt transcribed_text: Option<Option<String>>,
        /// Location latitude (kept as written); optional and nullable.
        opt coordinates_lat: Option<Option<serde_json::Number>>,
        /// Location longitude (kept as written); optional and nullable.
        opt coordinates_long: Option<Option<serde_json::Number>>,
        /// Fallback title; optional and nullable.
        opt fallback_title: Option<Option<String>>,
        /// Free-form metadata of a contact attachment (since 4.0.2); nullable.
        opt meta: Option<Option<Map<String, Value>>>,
    }
}

/// `message-push.json`: `private` is `const: false` and `message_type` one of the chat codes.
fn chat_message(m: &MessagePush) -> Result<(), PathError> {
    if !MessageTypeCode::CHAT.contains(&m.message_type) {
        return Err(PathError::new(format!(
            "invalid value: {}, expected 0, 1 or 3 (a nested message is never an activity)",
            m.message_type.code()
        ))
        .at("message_type"));
    }
    if m.private {
        return Err(PathError::new(
            "invalid value: true, expected false (a nested message is never private)",
        )
        .at("private"));
    }
    Ok(())
}

/// `attachment.json#/allOf`: the keys each `file_type` requires, in the union of every release.
fn attachment_keys(a: &Attachment) -> Result<(), PathError> {
    let need = |present: bool, key: &str| {
        if present {
            Ok(())
        } else {
            Err(PathError::new(format!(
                "missing field `{key}` (required for file_type {})",
                a.file_type
            )))
        }
    };
    // `data_url` must be a string (not null) for the types that store or embed a file.
    let string_url = || match &a.data_url {
        Some(None) => Err(PathError::new(format!(
            "invalid type: null, expected a string (file_type {})",
            a.file_type
        ))
        .at("data_url")),
        _ => need(a.data_url.is_some(), "data_url"),
    };
    match a.file_type {
        FileType::Location => {
            need(a.coordinates_lat.is_some(), "coordinates_lat")?;
            need(a.coordinates_long.is_some(), "coordinates_long")?;
            need(a.fallback_title.is_some(), "fallback_title")?;
            need(a.data_url.is_some(), "data_url")
        }
        FileType::Fallback => {
            need(a.fallback_title.is_some(), "fallback_title")?;
            need(a.data_url.is_some(), "data_url")
        }
        FileType::Contact => need(a.fallback_title.is_some(), "fallback_title"),
        FileType::Embed => string_url(),
        FileType::Image
        | FileType::Audio
        | FileType::Video
        | FileType::File
        | FileType::Share
        | FileType::StoryMention
        | FileType::IgReel
        | FileType::IgPost
        | FileType::IgStory => {
            string_url()?;
            need(a.thumb_url.is_some(), "thumb_url")?;
            // A stored file has `extension`; only a non-audio file may come without one (4.12.0+).
            need(
                a.extension.is_some() || a.file_type != FileType::Audio,
                "extension",
            )
        }
    }
}
