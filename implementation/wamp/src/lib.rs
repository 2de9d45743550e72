//! Sans-IO WAMP v2: the message model, serializers (JSON, MessagePack, CBOR and their batched
//! WebSocket variants), the client session state machine and a basic-profile router.
//!
//! Bytes in, messages out: a transport decodes each frame with [`Serialization::decode`],
//! feeds the messages to a [`client::ClientSession`] or [`router::Router`], and writes back
//! what they return, encoded with [`Serialization::encode`]. Nothing here does I/O, reads a
//! clock or owns a random number generator.
//!
//! ```
//! use ampel_wamp::router::{Output, Router, RouterConfig};
//! use ampel_wamp::{Message, Serialization};
//! use rand::SeedableRng;
//!
//! let mut router = Router::new(RouterConfig::default(), rand::rngs::StdRng::seed_from_u64(1));
//! let peer = router.open();
//! let ser = Serialization::from_subprotocol("wamp.2.json").unwrap();
//! let out = router.handle_frame(peer, ser, br#"[1,"realm1",{"roles":{"caller":{}}}]"#);
//! let Output::Send { to, message } = &out[0] else { panic!() };
//! assert_eq!(*to, peer);
//! assert!(matches!(message, Message::Welcome(_)));
//! let reply: Vec<u8> = ser.encode(std::slice::from_ref(message)).unwrap();
//! assert!(reply.starts_with(b"[2,"));
//! ```
#![forbid(unsafe_code)]

pub mod auth;
pub mod client;
#[doc(hidden)]
pub mod fuzzing;
pub mod id;
pub mod message;
pub mod pattern;
pub mod router;
pub mod rpc_policy;
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
