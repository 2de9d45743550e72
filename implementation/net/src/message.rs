//! What the message- and frame-level APIs send and receive.

use ampel_websocket::handshake::Header;
use ampel_websocket::{CloseFrame, OpCode};

/// A message, or a control frame, as seen by the message-level API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A text message.
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
    /// A ping (received: the pong has already been queued).
    Ping(Vec<u8>),
    /// A pong.
    Pong(Vec<u8>),
    /// The peer's close frame (received; `None`: it had no body). Sending it
    /// runs the close handshake like [`WebSocket::close`](crate::WebSocket::close).
    Close(Option<CloseFrame>),
}

impl Message {
    /// A text message.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(text.into())
    }

    /// A binary message.
    pub fn binary(data: impl Into<Vec<u8>>) -> Self {
        Self::Binary(data.into())
    }

    /// Whether this is a text or binary message.
    pub fn is_data(&self) -> bool {
        matches!(self, Self::Text(_) | Self::Binary(_))
    }
}

/// One frame, as seen by the frame-level API (payload unmasked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Last frame of its message.
    pub fin: bool,
    /// The opcode (`CONTINUATION`, `TEXT`, `BINARY`, `PING`, `PONG`, `CLOSE`).
    pub opcode: OpCode,
    /// The payload.
    pub payload: Vec<u8>,
}

impl Frame {
    /// A frame of `opcode`.
    pub fn new(fin: bool, opcode: OpCode, payload: impl Into<Vec<u8>>) -> Self {
        Self {
            fin,
            opcode,
            payload: payload.into(),
        }
    }
}

/// The outcome of the opening handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeInfo {
    /// The request path (starts with `/`).
    pub path: String,
    /// The request query (after `?`), if any.
    pub query: Option<String>,
    /// The subprotocol agreed on, if any.
    pub subprotocol: Option<String>,
    /// The peer's headers: the request's on a server, the response's on a client.
    pub headers: Vec<Header>,
}

impl HandshakeInfo {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }
}
