//! Tokio WebSocket client and server on top of the sans-IO `ampel-websocket`.
//!
//! - [`connect`] / [`connect_with`] (`ws://`, `wss://` via rustls) and
//!   [`accept`] / [`accept_with`] on any `AsyncRead + AsyncWrite`, with a
//!   [`RequestHook`] to inspect requests, pick a subprotocol or refuse;
//!   [`Listener`] for TCP/TLS servers.
//! - [`WebSocket`]: message-level ([`WebSocket::send`], [`WebSocket::recv`],
//!   `Stream` + `Sink`), frame-level ([`WebSocket::send_frame`],
//!   [`WebSocket::recv_frame`]) and streaming ([`WebSocket::send_stream`],
//!   [`WebSocket::recv_stream`]) APIs; automatic pongs; batched writes.
//! - permessage-deflate (RFC 7692), off by default: offers in
//!   [`ClientConfig::deflate`] ([`ClientDeflate`]), a policy in
//!   [`ServerConfig::deflate`] ([`ServerDeflate`]); the outcome in
//!   [`WebSocket::negotiated_deflate`].
//! - [`testee`]: the echo server and the Autobahn client driver used by the
//!   conformance harness.
//!
//! ```no_run
//! use ampel_net::{CloseCode, Listener, Message, ServerConfig, connect};
//!
//! # async fn demo() -> ampel_net::Result<()> {
//! // Server: accept connections, upgrade each in its own task, echo.
//! let listener = Listener::bind("127.0.0.1:9001", ServerConfig::default()).await?;
//! tokio::spawn(async move {
//!     while let Ok(incoming) = listener.accept().await {
//!         tokio::spawn(async move {
//!             let Ok(mut ws) = incoming.upgrade().await else { return };
//!             while let Some(Ok(message)) = ws.recv().await {
//!                 if message.is_data() && ws.send(message).await.is_err() {
//!                     break;
//!                 }
//!             }
//!         });
//!     }
//! });
//!
//! // Client.
//! let mut ws = connect("ws://127.0.0.1:9001/chat").await?;
//! ws.send(Message::text("hello")).await?;
//! if let Some(reply) = ws.recv().await {
//!     println!("{:?}", reply?);
//! }
//! let summary = ws.close(CloseCode::NORMAL, "bye").await?;
//! assert!(summary.clean);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod client;
mod config;
mod error;
mod message;
mod server;
mod stream;
pub mod testee;
mod tls;
pub mod wamp;
mod websocket;

pub use ampel_websocket::deflate::{
    ClientOffers, DeflateParams, Direction, NegotiationError, OfferParams, ServerPolicy,
    WindowBitsRequest,
};
pub use ampel_websocket::handshake::{Header, Request};
pub use ampel_websocket::{CloseCode, CloseFrame, CloseSummary, Delivery, MessageKind, OpCode};
pub use client::{client_handshake, connect, connect_with};
pub use config::{
    ClientConfig, ClientDeflate, DEFAULT_DEFLATE_LEVEL, Refusal, RequestHook, ServerConfig,
    ServerDeflate, WebSocketConfig,
};
pub use error::{Error, Result};
pub use message::{Frame, HandshakeInfo, Message};
pub use server::{Incoming, Listener, accept, accept_with};
pub use stream::MaybeTlsStream;
pub use tls::{tls_acceptor, tls_acceptor_from_pem, tls_acceptor_from_pem_files};
pub use websocket::{MessageReader, MessageWriter, WebSocket};
