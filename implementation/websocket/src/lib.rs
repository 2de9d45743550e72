//! Sans-IO WebSocket: RFC 6455 framing, validation, opening handshake and the
//! connection state machine. No sockets and no clocks: callers feed bytes and
//! time in and take bytes and events out.
#![forbid(unsafe_code)]

pub mod handshake;
