//! The opening handshake (RFC 6455 §4), sans-IO, for both roles.
//!
//! Client: [`ClientHandshake::new`] renders the upgrade request, then
//! [`ClientHandshake::parse_response`] is fed the bytes received so far until it
//! returns the [`Accepted`] outcome and how many bytes the HTTP head used.
//! Server: [`parse_request`] is fed the bytes received so far until it returns a
//! [`Request`]; [`Request::accept`] renders the `101` response and
//! [`error_response`] / [`reject`] render refusals.
//!
//! Parsers never buffer: the caller keeps the bytes, re-offers them as more
//! arrive, and hands everything after the consumed head to the connection.
//! [`Limits`] bound the head size and header count.

mod accept;
mod client;
mod error;
mod extension;
#[doc(hidden)]
pub mod fuzzing;
mod head;
mod reject;
mod server;
mod token;

pub use accept::{GUID, accept_key};
pub use client::{Accepted, ClientHandshake, ClientRequest};
pub use error::HandshakeError;
pub use extension::{ExtensionOffer, format_extensions, parse_extensions};
pub use head::{Header, Limits};
pub use reject::{error_response, reject};
pub use server::{AcceptOptions, Request, parse_request};
pub use token::{format_subprotocols, is_token, parse_subprotocols};
