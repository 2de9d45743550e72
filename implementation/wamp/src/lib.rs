//! Sans-IO WAMP v2: the message model, serializers (JSON, MessagePack, CBOR and their batched
//! WebSocket variants), the client session state machine and a basic-profile router.
//!
//! Bytes in, messages out: a transport decodes each frame with [`Serialization::decode`],
//! feeds the messages to a [`client::ClientSession`] or [`router::Router`], and writes back
//! what they return, encoded with [`Serialization::encode`]. Nothing here does I/O, reads a
//! clock or owns a random number generator.
#![forbid(unsafe_code)]

pub mod client;
#[doc(hidden)]
pub mod fuzzing;
pub mod id;
pub mod message;
pub mod router;
pub mod serializer;
pub mod uri;
pub mod value;

pub use id::{Id, IdSequence};
pub use message::{Message, MessageError, MessageType, Opaque, Payload};
pub use serializer::{
    Cbor, DecodeError, EncodeError, FormatError, Json, JsonSeparator, MsgPack, Serialization,
    Serializer,
};
pub use uri::{Uri, UriError, UriRule};
pub use value::{Dict, List, Value};
