//! Everything that can go wrong with a WAMP client or router connection, as one flat enum.

use ampel_wamp::client::{CommandError, Violation};
use ampel_wamp::{Dict, EncodeError, List, Serialization, Uri};

use super::rawsocket::RawSocketError;

/// A WAMP transport, session or call error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The URL is not a usable `ws://`, `wss://` or `rawsocket://` URL.
    #[error("invalid WAMP URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Connecting or binding failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The RawSocket handshake or framing failed.
    #[error("RawSocket: {0}")]
    RawSocket(#[from] RawSocketError),
    /// The WebSocket connection failed.
    #[error("WebSocket: {0}")]
    WebSocket(#[from] crate::Error),
    /// The WebSocket server selected no WAMP subprotocol, or another than offered.
    #[error("server selected subprotocol {selected:?}, offered {offered}")]
    SubprotocolNotSelected {
        /// The subprotocol we offered.
        offered: &'static str,
        /// What the server chose.
        selected: Option<String>,
    },
    /// A WebSocket message of the wrong kind for the serialization (JSON is text-only,
    /// MessagePack and CBOR binary-only).
    #[error("{got} WebSocket message with serialization {serialization:?}")]
    WrongMessageKind {
        /// The negotiated serialization.
        serialization: Serialization,
        /// What arrived.
        got: &'static str,
    },
    /// The serialization cannot be used on this transport (RawSocket has no batched variants).
    #[error("{serialization:?} is not available over {transport}")]
    UnsupportedSerialization {
        /// The serialization asked for.
        serialization: Serialization,
        /// `RawSocket` or `WebSocket`.
        transport: &'static str,
    },
    /// A message could not be encoded (e.g. a float the serializer cannot express).
    #[error("cannot encode message: {0}")]
    Encode(#[from] EncodeError),
    /// The command is not possible now (wrong session state, invalid URI, unknown ID).
    #[error(transparent)]
    Command(#[from] CommandError),
    /// The router broke the protocol; the connection was closed after ABORT.
    #[error("router protocol violation: {0}")]
    RouterViolation(#[from] Violation),
    /// The router refused or ended the session (ABORT, or GOODBYE from the router).
    #[error("session ended by the router: {reason}{}", message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default())]
    SessionEnded {
        /// The reason URI.
        reason: Uri,
        /// `Details.message`, if any.
        message: Option<String>,
    },
    /// The router answered with an ERROR (call, registration, subscription, publication).
    #[error("{0}")]
    Application(#[from] ApplicationError),
    /// The connection is gone.
    #[error("connection closed")]
    ConnectionClosed,
}

/// A WAMP ERROR as a value: the error URI and its payload.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{error}{}", if args.is_empty() { String::new() } else { format!(" {args:?}") })]
pub struct ApplicationError {
    /// The error URI, e.g. `wamp.error.no_such_procedure`.
    pub error: Uri,
    /// `Arguments`.
    pub args: List,
    /// `ArgumentsKw`.
    pub kwargs: Dict,
}

impl ApplicationError {
    /// An error with a URI and no payload.
    pub fn new(error: impl Into<Uri>) -> ApplicationError {
        ApplicationError {
            error: error.into(),
            args: List::new(),
            kwargs: Dict::new(),
        }
    }

    /// An error with a URI and positional arguments.
    pub fn with_args(error: impl Into<Uri>, args: List) -> ApplicationError {
        ApplicationError {
            error: error.into(),
            args,
            kwargs: Dict::new(),
        }
    }
}
