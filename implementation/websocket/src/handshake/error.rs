//! Everything that can be wrong with an opening handshake.

use super::head::Header;

/// A handshake violation or an invalid argument to a builder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The HTTP head is larger than [`Limits::max_head_bytes`](super::Limits).
    #[error("HTTP head exceeds {limit} bytes")]
    HeadTooLarge { limit: usize },
    /// The HTTP head has more header lines than [`Limits::max_headers`](super::Limits).
    #[error("HTTP head has more than {limit} header lines")]
    TooManyHeaders { limit: usize },
    /// httparse rejected the HTTP syntax.
    #[error("malformed HTTP head: {detail}")]
    MalformedHttp { detail: String },
    /// A header value is not valid UTF-8.
    #[error("value of header {name:?} is not UTF-8")]
    HeaderValueNotUtf8 { name: String },
    /// The request method is not `GET`.
    #[error("request method {method:?} is not GET")]
    MethodNotGet { method: String },
    /// The HTTP version is not 1.1.
    #[error("HTTP/1.{minor} is not HTTP/1.1")]
    HttpVersionNot11 { minor: u8 },
    /// The request target is not an origin-form path (`/path?query`).
    #[error("request target {target:?} is not an absolute path")]
    InvalidRequestTarget { target: String },
    /// A header the handshake requires is absent.
    #[error("missing {name} header")]
    MissingHeader { name: &'static str },
    /// A header that must appear once appears several times.
    #[error("{name} header appears more than once")]
    DuplicateHeader { name: &'static str },
    /// `Upgrade` does not name `websocket`.
    #[error("Upgrade header {value:?} does not name websocket")]
    UpgradeNotWebSocket { value: String },
    /// No `Connection` header carries the `upgrade` token.
    #[error("Connection header lacks the upgrade token")]
    ConnectionNotUpgrade,
    /// `Sec-WebSocket-Key` is not the base64 of 16 bytes.
    #[error("Sec-WebSocket-Key {key:?} is not base64 of 16 bytes")]
    InvalidKey { key: String },
    /// `Sec-WebSocket-Version` is absent or not 13 (answer 426).
    #[error("Sec-WebSocket-Version {version:?} is not 13")]
    UnsupportedVersion { version: Option<String> },
    /// The server answered with a status other than 101.
    #[error("server answered {status} {reason:?} instead of 101")]
    UnexpectedStatus {
        status: u16,
        reason: String,
        headers: Vec<Header>,
    },
    /// `Sec-WebSocket-Accept` does not match the key sent.
    #[error("Sec-WebSocket-Accept {actual:?} does not match expected {expected:?}")]
    AcceptMismatch { expected: String, actual: String },
    /// The server selected a subprotocol the client did not offer.
    #[error("server selected subprotocol {protocol:?} that was not offered")]
    SubprotocolNotOffered { protocol: String },
    /// The server selected more than one subprotocol.
    #[error("server selected more than one subprotocol")]
    SeveralSubprotocolsSelected,
    /// The server accepted an extension the client did not offer.
    #[error("server accepted extension {name:?} that was not offered")]
    ExtensionNotOffered { name: String },
    /// A `Sec-WebSocket-Extensions` value violates the RFC 6455 §9.1 grammar.
    #[error("Sec-WebSocket-Extensions: expected {expected} at byte {offset}")]
    MalformedExtensions {
        offset: usize,
        expected: &'static str,
    },
    /// A quoted extension parameter value is not a token once unescaped (§9.1).
    #[error("extension {extension:?} parameter {param:?}: quoted value is not a token")]
    ExtensionValueNotToken { extension: String, param: String },
    /// A `Sec-WebSocket-Protocol` value is not a comma-separated token list.
    #[error("Sec-WebSocket-Protocol: expected {expected} at byte {offset}")]
    MalformedSubprotocols {
        offset: usize,
        expected: &'static str,
    },
    /// A subprotocol is offered twice.
    #[error("subprotocol {protocol:?} offered more than once")]
    DuplicateSubprotocol { protocol: String },
    /// A builder was given a name that is not an HTTP token.
    #[error("{what} {value:?} is not an HTTP token")]
    NotAToken { what: &'static str, value: String },
    /// A builder was given a header name or value that cannot be sent.
    #[error("header {name:?} cannot be sent: invalid name or value")]
    InvalidHeader { name: String },
    /// A builder was given an empty or malformed host.
    #[error("host {host:?} is not a valid host")]
    InvalidHost { host: String },
    /// A refusal was requested with a status outside 400..=599.
    #[error("status {status} is not an error status")]
    NotAnErrorStatus { status: u16 },
}

impl HandshakeError {
    /// The status a server should answer this request error with:
    /// 431 for limit violations, 426 for the version, 400 otherwise.
    pub fn status(&self) -> u16 {
        match self {
            Self::HeadTooLarge { .. } | Self::TooManyHeaders { .. } => 431,
            Self::UnsupportedVersion { .. } => 426,
            Self::MethodNotGet { .. } => 405,
            _ => 400,
        }
    }
}
