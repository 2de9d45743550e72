//! Everything that can go wrong on a WebSocket connection, as one flat enum.

use std::io;
use std::time::Duration;

use ampel_websocket::deflate::NegotiationError;
use ampel_websocket::handshake::HandshakeError;
use ampel_websocket::{ProtocolError, SendError};
use thiserror::Error;

/// An error of the WebSocket client, server or connection.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The URL is not a usable `ws://` or `wss://` URL.
    #[error("invalid WebSocket URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Connecting, reading or writing the transport failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The TLS setup or handshake failed.
    #[error("TLS error: {0}")]
    Tls(String),
    /// A PEM certificate or key could not be loaded.
    #[error("cannot load {what}: {detail}")]
    Pem {
        /// Which file or item.
        what: String,
        /// Why.
        detail: String,
    },
    /// The opening handshake (HTTP upgrade) failed.
    #[error("opening handshake failed: {0}")]
    Handshake(#[from] HandshakeError),
    /// The server's permessage-deflate answer is not a valid answer to our
    /// offers (RFC 7692 §5: the client fails the connection).
    #[error("permessage-deflate response {response:?} rejected: {reason}")]
    DeflateResponse {
        /// The server's `Sec-WebSocket-Extensions` entries, as received.
        response: String,
        /// What is wrong with it.
        reason: NegotiationError,
    },
    /// The server accepted permessage-deflate although the client configuration has no
    /// [`ClientDeflate`](crate::ClientDeflate) (the offer came from
    /// `ClientRequest::extensions`): the connection could not decompress.
    #[error(
        "the server accepted permessage-deflate, which ClientConfig::deflate does not configure"
    )]
    DeflateNotConfigured,
    /// The server hook refused the upgrade with this HTTP status.
    #[error("upgrade refused with HTTP {status}: {reason}")]
    Refused {
        /// The HTTP status sent.
        status: u16,
        /// The reason given by the hook.
        reason: String,
    },
    /// The peer closed the transport during the opening handshake.
    #[error("connection closed during the opening handshake")]
    HandshakeEof,
    /// The opening handshake (TCP, TLS and HTTP) took too long.
    #[error("opening handshake not done within {0:?}")]
    HandshakeTimeout(Duration),
    /// The peer violated the protocol; the connection was failed with the
    /// matching close code.
    #[error("protocol violation by the peer: {0}")]
    Protocol(#[from] ProtocolError),
    /// The connection refused a command (nothing was sent).
    #[error("cannot send: {0}")]
    Send(#[from] SendError),
    /// The connection is closed: nothing more can be sent or received.
    #[error("the connection is closed")]
    Closed,
    /// A frame-level receive on a connection not configured for
    /// [`Delivery::Frames`](ampel_websocket::Delivery::Frames).
    #[error("frame-level receive needs Delivery::Frames")]
    NotFrameDelivery,
    /// A testee could not follow its protocol (e.g. no case count).
    #[error("testee: {detail}")]
    Testee {
        /// What went wrong.
        detail: String,
    },
    /// A received text message is not valid UTF-8 (cannot happen after the
    /// state machine's validation; reported rather than assumed).
    #[error("received text is not valid UTF-8")]
    InvalidText,
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
