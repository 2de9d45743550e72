//! The WAMP v2 message model: one struct per message type, strict decoding from the generic
//! value tree and encoding back.

mod decode;
mod encode;
mod error;
mod options;
mod types;

pub use error::MessageError;
pub use types::*;

use std::fmt;

use crate::id::Id;
use crate::uri::Uri;
use crate::value::{Dict, List, Value};

/// A message type code (open: extension codes 256..=1023 are legal too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageType(pub u64);

impl MessageType {
    pub const HELLO: MessageType = MessageType(1);
    pub const WELCOME: MessageType = MessageType(2);
    pub const ABORT: MessageType = MessageType(3);
    pub const CHALLENGE: MessageType = MessageType(4);
    pub const AUTHENTICATE: MessageType = MessageType(5);
    pub const GOODBYE: MessageType = MessageType(6);
    pub const ERROR: MessageType = MessageType(8);
    pub const PUBLISH: MessageType = MessageType(16);
    pub const PUBLISHED: MessageType = MessageType(17);
    pub const SUBSCRIBE: MessageType = MessageType(32);
    pub const SUBSCRIBED: MessageType = MessageType(33);
    pub const UNSUBSCRIBE: MessageType = MessageType(34);
    pub const UNSUBSCRIBED: MessageType = MessageType(35);
    pub const EVENT: MessageType = MessageType(36);
    pub const CALL: MessageType = MessageType(48);
    pub const CANCEL: MessageType = MessageType(49);
    pub const RESULT: MessageType = MessageType(50);
    pub const REGISTER: MessageType = MessageType(64);
    pub const REGISTERED: MessageType = MessageType(65);
    pub const UNREGISTER: MessageType = MessageType(66);
    pub const UNREGISTERED: MessageType = MessageType(67);
    pub const INVOCATION: MessageType = MessageType(68);
    pub const INTERRUPT: MessageType = MessageType(69);
    pub const YIELD: MessageType = MessageType(70);

    /// The 24 message types of the specification, in code order.
    pub const ALL: [MessageType; 24] = [
        Self::HELLO,
        Self::WELCOME,
        Self::ABORT,
        Self::CHALLENGE,
        Self::AUTHENTICATE,
        Self::GOODBYE,
        Self::ERROR,
        Self::PUBLISH,
        Self::PUBLISHED,
        Self::SUBSCRIBE,
        Self::SUBSCRIBED,
        Self::UNSUBSCRIBE,
        Self::UNSUBSCRIBED,
        Self::EVENT,
        Self::CALL,
        Self::CANCEL,
        Self::RESULT,
        Self::REGISTER,
        Self::REGISTERED,
        Self::UNREGISTER,
        Self::UNREGISTERED,
        Self::INVOCATION,
        Self::INTERRUPT,
        Self::YIELD,
    ];

    /// The specification's name of this type, if it is one of the 24.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Self::HELLO => "HELLO",
            Self::WELCOME => "WELCOME",
            Self::ABORT => "ABORT",
            Self::CHALLENGE => "CHALLENGE",
            Self::AUTHENTICATE => "AUTHENTICATE",
            Self::GOODBYE => "GOODBYE",
            Self::ERROR => "ERROR",
            Self::PUBLISH => "PUBLISH",
            Self::PUBLISHED => "PUBLISHED",
            Self::SUBSCRIBE => "SUBSCRIBE",
            Self::SUBSCRIBED => "SUBSCRIBED",
            Self::UNSUBSCRIBE => "UNSUBSCRIBE",
            Self::UNSUBSCRIBED => "UNSUBSCRIBED",
            Self::EVENT => "EVENT",
            Self::CALL => "CALL",
            Self::CANCEL => "CANCEL",
            Self::RESULT => "RESULT",
            Self::REGISTER => "REGISTER",
            Self::REGISTERED => "REGISTERED",
            Self::UNREGISTER => "UNREGISTER",
            Self::UNREGISTERED => "UNREGISTERED",
            Self::INVOCATION => "INVOCATION",
            Self::INTERRUPT => "INTERRUPT",
            Self::YIELD => "YIELD",
            _ => return None,
        })
    }

    /// Whether the code lies in the implementation-specific extension range 256..=1023.
    pub fn is_extension(self) -> bool {
        (256..=1023).contains(&self.0)
    }

    /// Whether an ERROR may answer a request of this type (`basic/messages.md`).
    pub fn can_fail(self) -> bool {
        matches!(
            self,
            Self::SUBSCRIBE
                | Self::UNSUBSCRIBE
                | Self::PUBLISH
                | Self::REGISTER
                | Self::UNREGISTER
                | Self::CALL
                | Self::INVOCATION
        )
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "message type {}", self.0),
        }
    }
}

/// A payload carried opaquely (payload passthru / transparency mode): the router forwards it
/// byte for byte without looking inside.
#[derive(Debug, Clone, PartialEq)]
pub enum Opaque {
    /// A binary string (the normal form).
    Bytes(Vec<u8>),
    /// A text string (some implementations send text-encoded opaque payloads).
    Text(String),
}

/// The application payload at the end of ABORT, ERROR, PUBLISH, EVENT, CALL, RESULT,
/// INVOCATION and YIELD, kept exactly as received so that re-encoding is faithful.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Payload {
    /// Neither `Arguments` nor `ArgumentsKw`.
    #[default]
    None,
    /// `Arguments|list` only.
    Args(List),
    /// `Arguments|list` and `ArgumentsKw|dict`.
    ArgsKw(List, Dict),
    /// One opaque element instead of `Arguments` (only with a payload scheme option).
    Opaque(Opaque),
}

impl Payload {
    /// The payload a sender SHOULD use: empty trailing `Arguments`/`ArgumentsKw` omitted.
    pub fn new(args: List, kwargs: Dict) -> Payload {
        match (args.is_empty(), kwargs.is_empty()) {
            (_, false) => Payload::ArgsKw(args, kwargs),
            (false, true) => Payload::Args(args),
            (true, true) => Payload::None,
        }
    }

    /// The positional arguments (empty when absent or opaque).
    pub fn args(&self) -> &[Value] {
        match self {
            Payload::Args(a) | Payload::ArgsKw(a, _) => a,
            Payload::None | Payload::Opaque(_) => &[],
        }
    }

    /// The keyword arguments, if any.
    pub fn kwargs(&self) -> Option<&Dict> {
        match self {
            Payload::ArgsKw(_, k) => Some(k),
            _ => None,
        }
    }
}

/// Any WAMP message.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Hello(Hello),
    Welcome(Welcome),
    Abort(Abort),
    Challenge(Challenge),
    Authenticate(Authenticate),
    Goodbye(Goodbye),
    Error(WampError),
    Publish(Publish),
    Published(Published),
    Subscribe(Subscribe),
    Subscribed(Subscribed),
    Unsubscribe(Unsubscribe),
    Unsubscribed(Unsubscribed),
    Event(Event),
    Call(Call),
    Cancel(Cancel),
    Result(CallResult),
    Register(Register),
    Registered(Registered),
    Unregister(Unregister),
    Unregistered(Unregistered),
    Invocation(Invocation),
    Interrupt(Interrupt),
    Yield(Yield),
    /// An implementation-specific message (codes 256..=1023), elements after the code kept
    /// as they are.
    Extension(Extension),
}

impl Message {
    /// The message's type code.
    pub fn message_type(&self) -> MessageType {
        match self {
            Message::Hello(_) => MessageType::HELLO,
            Message::Welcome(_) => MessageType::WELCOME,
            Message::Abort(_) => MessageType::ABORT,
            Message::Challenge(_) => MessageType::CHALLENGE,
            Message::Authenticate(_) => MessageType::AUTHENTICATE,
            Message::Goodbye(_) => MessageType::GOODBYE,
            Message::Error(_) => MessageType::ERROR,
            Message::Publish(_) => MessageType::PUBLISH,
            Message::Published(_) => MessageType::PUBLISHED,
            Message::Subscribe(_) => MessageType::SUBSCRIBE,
            Message::Subscribed(_) => MessageType::SUBSCRIBED,
            Message::Unsubscribe(_) => MessageType::UNSUBSCRIBE,
            Message::Unsubscribed(_) => MessageType::UNSUBSCRIBED,
            Message::Event(_) => MessageType::EVENT,
            Message::Call(_) => MessageType::CALL,
            Message::Cancel(_) => MessageType::CANCEL,
            Message::Result(_) => MessageType::RESULT,
            Message::Register(_) => MessageType::REGISTER,
            Message::Registered(_) => MessageType::REGISTERED,
            Message::Unregister(_) => MessageType::UNREGISTER,
            Message::Unregistered(_) => MessageType::UNREGISTERED,
            Message::Invocation(_) => MessageType::INVOCATION,
            Message::Interrupt(_) => MessageType::INTERRUPT,
            Message::Yield(_) => MessageType::YIELD,
            Message::Extension(e) => e.code,
        }
    }

    /// Strictly decodes a message from its generic value tree.
    pub fn from_value(value: Value) -> Result<Message, MessageError> {
        decode::decode(value)
    }

    /// Encodes the message as its generic value tree (a list).
    pub fn to_value(&self) -> Value {
        encode::encode(self)
    }

    /// An ABORT with `reason` and a human-readable `message` in Details.
    pub fn abort(reason: &str, message: impl Into<String>) -> Message {
        let mut details = Dict::new();
        details.insert("message".into(), Value::Str(message.into()));
        Message::Abort(Abort {
            details,
            reason: Uri::from(reason),
            payload: Payload::None,
        })
    }

    /// A GOODBYE with `reason` and empty Details.
    pub fn goodbye(reason: &str) -> Message {
        Message::Goodbye(Goodbye {
            details: Dict::new(),
            reason: Uri::from(reason),
        })
    }

    /// An ERROR answering request `request` of type `request_type`.
    pub fn error(request_type: MessageType, request: Id, error: &str) -> Message {
        Message::Error(WampError {
            request_type,
            request,
            details: Dict::new(),
            error: Uri::from(error),
            payload: Payload::None,
        })
    }
}

#[cfg(test)]
mod tests;
