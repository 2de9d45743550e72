//! Serializers: bytes ⇄ value tree ⇄ [`Message`], for JSON, MessagePack and CBOR, plus the
//! batched WebSocket variants.

mod batch;
mod cbor;
mod error;
mod json;
mod msgpack;

pub use batch::{JsonSeparator, Serialization};
pub use cbor::Cbor;
pub use error::{DecodeError, EncodeError, FormatError};
pub use json::Json;
pub use msgpack::MsgPack;

use crate::message::Message;
use crate::value::Value;

/// Nesting limit for decoded values: deeper input is rejected instead of exhausting the stack.
pub const MAX_DEPTH: usize = 128;

/// One serialization format (one message per call).
pub trait Serializer {
    /// Parses one value; the whole input must be consumed.
    fn decode_value(&self, bytes: &[u8]) -> Result<Value, FormatError>;

    /// Serializes one value.
    fn encode_value(&self, value: &Value) -> Result<Vec<u8>, EncodeError>;

    /// Parses and strictly decodes one message.
    fn decode(&self, bytes: &[u8]) -> Result<Message, DecodeError> {
        Ok(Message::from_value(self.decode_value(bytes)?)?)
    }

    /// Encodes and serializes one message.
    fn encode(&self, message: &Message) -> Result<Vec<u8>, EncodeError> {
        self.encode_value(&message.to_value())
    }
}
