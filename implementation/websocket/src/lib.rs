//! Sans-IO WebSocket: RFC 6455 framing, validation, opening handshake and the
//! connection state machine. No sockets and no clocks: callers feed bytes and
//! time in and take bytes and events out.
//!
//! Layers, bottom up: [`frame`] (lossless header codec, masking),
//! [`validate`] (role-aware frame rules), [`utf8`] (incremental validation),
//! [`close`] (close payload rules), [`connection`] (the state machine),
//! [`deflate`] (permessage-deflate, RFC 7692).
//! [`error::ProtocolError::close_code`] is the one table from violations to
//! close codes.
#![forbid(unsafe_code)]

pub mod close;
pub mod connection;
pub mod deflate;
pub mod error;
pub mod frame;
#[doc(hidden)]
pub mod fuzzing;
pub mod handshake;
pub mod utf8;
pub mod validate;

pub use close::{CloseCode, CloseFrame};
pub use connection::{CloseSummary, Config, Connection, Delivery, Event, MaskSource, State};
pub use error::{ProtocolError, SendError};
pub use frame::{FrameHeader, LengthEncoding, OpCode};
pub use validate::{Limits, MessageKind, Role};
