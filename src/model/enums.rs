//! Enumerations and scalar newtypes shared by every object: `_defs/common.json` and
//! `_defs/timestamps.json`, plus the `is_private` flag of the typing events.
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::json::{leaf, FromJson, PathError};
use super::Extras;

/// A string enumeration of `_defs/common.json`: derives serde with the exact wire values.
macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(
                #[doc = concat!("`\"", $wire, "\"`")]
                #[serde(rename = $wire)]
                $variant,
            )+
        }
        impl $name {
            /// Every value, in the order of the schema's `enum`.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The wire value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)+
                }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        leaf!($name);
    };
}

string_enum! {
    /// `Message.content_type`, 13 values (`common.json#/$defs/content-type`): 10 in 2.0.0, `integrations`
    /// from 2.13.0, `sticker` from 3.4.0, `voice_call` from 4.6.0.
    ContentType {
        Text = "text", InputText = "input_text", InputTextarea = "input_textarea",
        InputEmail = "input_email",
        InputSelect = "input_select", Cards = "cards", Form = "form", Article = "article",
        IncomingEmail = "incoming_email", InputCsat = "input_csat", Integrations = "integrations",
        Sticker = "sticker", VoiceCall = "voice_call",
    }
}

string_enum! {
    /// The string `message_type` of a message event: `activity` messages are never sent, `template` from
    /// 2.18.0 (`common.json#/$defs/message-type-sendable`).
    MessageType { Incoming = "incoming", Outgoing = "outgoing", Template = "template" }
}

string_enum! {
    /// Delivery status of a nested message (`common.json#/$defs/message-status`).
    MessageStatus { Sent = "sent", Delivered = "delivered", Read = "read", Failed = "failed" }
}

string_enum! {
    /// Conversation status (`common.json#/$defs/conversation-status`).
    ConversationStatus {
        Open = "open", Resolved = "resolved", Pending = "pending", Snoozed = "snoozed",
    }
}

string_enum! {
    /// Conversation priority; `null` is `None` (`common.json#/$defs/priority`).
    Priority { Low = "low", Medium = "medium", High = "high", Urgent = "urgent" }
}

string_enum! {
    /// Attachment file type (`common.json#/$defs/file-type`): 6 in 2.0.0, `share` and `story_mention`
    /// from 2.3.0, `contact` from 2.14.0, `ig_reel` from 3.12.0, the last three from 4.9.0.
    FileType {
        Image = "image", Audio = "audio", Video = "video", File = "file", Location = "location",
        Fallback = "fallback", Share = "share", StoryMention = "story_mention", Contact = "contact",
        IgReel = "ig_reel", IgPost = "ig_post", IgStory = "ig_story", Embed = "embed",
    }
}

string_enum! {
    /// User availability; `null` is `None` (`common.json#/$defs/availability-status`).
    AvailabilityStatus { Online = "online", Offline = "offline", Busy = "busy" }
}

string_enum! {
    /// Inbox sender name type (`common.json#/$defs/sender-name-type`).
    SenderNameType { Friendly = "friendly", Professional = "professional" }
}

string_enum! {
    /// `inbox.channel_type` (`common.json#/$defs/channel-type`): `Sms` from 2.2.0, `Instagram` from 4.1.0,
    /// `Tiktok` from 4.9.0, `Voice` only in Enterprise 4.4.0-4.13.0.
    Channel {
        WebWidget = "Channel::WebWidget", Api = "Channel::Api", Email = "Channel::Email",
        FacebookPage = "Channel::FacebookPage", Instagram = "Channel::Instagram",
        Line = "Channel::Line",
        Sms = "Channel::Sms", Telegram = "Channel::Telegram", TwilioSms = "Channel::TwilioSms",
        TwitterProfile = "Channel::TwitterProfile", Whatsapp = "Channel::Whatsapp",
        Tiktok = "Channel::Tiktok", Voice = "Channel::Voice",
    }
}

string_enum! {
    /// The raw polymorphic `sender_type` column of a nested message; `null` is `None`;
    /// `Captain::Assistant` from 4.2.0 (`common.json#/$defs/sender-type-column`).
    SenderType {
        Contact = "Contact", User = "User", AgentBot = "AgentBot",
        CaptainAssistant = "Captain::Assistant",
    }
}

string_enum! {
    /// `meta.assignee_type`; `null` is `None` (`common.json#/$defs/assignee-type`).
    AssigneeType { User = "User", AgentBot = "AgentBot" }
}

string_enum! {
    /// The `type` of a contact: `"contact"` (`contact-push.json`, and `contact-webhook.json` up to 2.13).
    ContactType { Contact = "contact" }
}

string_enum! {
    /// The `type` of a user: `"user"` (`user-webhook.json`, `user-push.json`).
    UserType { User = "user" }
}

string_enum! {
    /// The `type` of an agent bot: `"agent_bot"` (`agent-bot-webhook.json`, `agent-bot-push.json`).
    AgentBotType { AgentBot = "agent_bot" }
}

string_enum! {
    /// The `type` of a captain assistant: `"captain_assistant"` (`captain-assistant-webhook.json`).
    CaptainAssistantType { CaptainAssistant = "captain_assistant" }
}

/// The INTEGER `message_type` code, `0..=3` (`common.json#/$defs/message-type-code`). A nested message
/// is never an activity: [`MessageTypeCode::CHAT`] are the codes `conversation.messages[]` carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageTypeCode {
    /// `0`
    Incoming = 0,
    /// `1`
    Outgoing = 1,
    /// `2`
    Activity = 2,
    /// `3`
    Template = 3,
}

impl MessageTypeCode {
    /// Every value, in the order of the schema's `enum`.
    pub const ALL: &'static [Self] = &[
        Self::Incoming,
        Self::Outgoing,
        Self::Activity,
        Self::Template,
    ];

    /// The codes of a nested (chat) message: every one but `Activity`
    /// (`common.json#/$defs/message-type-code-chat`).
    pub const CHAT: &'static [Self] = &[Self::Incoming, Self::Outgoing, Self::Template];

    /// The wire value.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The value for a wire code, if it is one.
    pub fn from_code(code: u64) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|c| u64::from(c.code()) == code)
    }
}

impl Serialize for MessageTypeCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.code())
    }
}

impl<'de> Deserialize<'de> for MessageTypeCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = u64::deserialize(deserializer)?;
        Self::from_code(code).ok_or_else(|| {
            serde::de::Error::invalid_value(serde::de::Unexpected::Unsigned(code), &"0, 1, 2 or 3")
        })
    }
}

leaf!(MessageTypeCode);

/// `is_private` of the typing events: a boolean, or the strings `"true"` / `"false"` (a raw form
/// parameter; `events/conversation_typing_on.json`). Keeps which form came, so it round-trips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IsPrivate {
    /// A JSON boolean.
    Bool(bool),
    /// The string `"true"` or `"false"`.
    Text(bool),
}

impl IsPrivate {
    /// The flag, whichever form it came in.
    pub fn as_bool(self) -> bool {
        match self {
            Self::Bool(b) | Self::Text(b) => b,
        }
    }
}

impl FromJson for IsPrivate {
    fn from_json(value: Value) -> Result<Self, PathError> {
        match value {
            Value::Bool(b) => Ok(Self::Bool(b)),
            Value::String(s) if s == "true" => Ok(Self::Text(true)),
            Value::String(s) if s == "false" => Ok(Self::Text(false)),
            other => Err(PathError::invalid_type(
                &other,
                "a boolean or \"true\" / \"false\"",
            )),
        }
    }
}

impl Serialize for IsPrivate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Self::Bool(b) => serializer.serialize_bool(b),
            Self::Text(b) => serializer.serialize_str(if b { "true" } else { "false" }),
        }
    }
}

impl<'de> Deserialize<'de> for IsPrivate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::from_json(Value::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl Extras for IsPrivate {
    fn extras(&self, _pointer: &str, _out: &mut Vec<String>) {}
}

/// JSON `null` as a value of its own: the value of a key that is always null when a release sends it
/// (`changed_attributes` of the status events from 2.4.0). Anything else is rejected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Null;

impl FromJson for Null {
    const NULLABLE: bool = true;

    fn from_json(value: Value) -> Result<Self, PathError> {
        match value {
            Value::Null => Ok(Self),
            other => Err(PathError::invalid_type(&other, "null")),
        }
    }
}

impl Serialize for Null {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit()
    }
}

impl<'de> Deserialize<'de> for Null {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::from_json(Value::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl Extras for Null {
    fn extras(&self, _pointer: &str, _out: &mut Vec<String>) {}
}

/// A timestamp string kept verbatim; its form is documented by the type, not checked on parse.
macro_rules! timestamp {
    ($(#[$m:meta])* $name:ident, $check:path) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The string as received.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Whether the string has the schema's custom `format` (not checked when parsing).
            pub fn is_valid(&self) -> bool {
                $check(&self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        leaf!($name);
    };
}

timestamp! {
    /// `YYYY-MM-DDTHH:MM:SS.sssZ`, Rails `TimeWithZone#as_json` (`timestamps.json#/$defs/iso8601-ms-utc`).
    IsoTimestamp, crate::format::is_iso8601_ms_utc
}

timestamp! {
    /// A browser's `new Date().toString()` (`timestamps.json#/$defs/js-date`); only a web widget
    /// conversation's and `event_info`'s `initiated_at.timestamp` must have that form.
    JsDate, crate::format::is_js_date
}

/// A record id: a JSON integer `>= 1` (`common.json#/$defs/id`; the minimum is not checked).
pub type Id = u64;

/// Unix seconds, `0` for a NULL column (`timestamps.json#/$defs/unix-seconds`; bounds not checked).
pub type UnixSeconds = u64;

/// Unix seconds with a fraction (`timestamps.json#/$defs/unix-float`): a [`serde_json::Number`] so
/// that an integer stays an integer on re-serialisation.
pub type UnixFloat = serde_json::Number;
