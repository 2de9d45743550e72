//! Why a value tree is not a valid WAMP message.

use super::MessageType;
use crate::uri::UriError;

/// A structural or typing error in a decoded message. Every variant is a protocol violation
/// (`wamp.error.protocol_violation`) when received from a peer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// The top-level value is not a list.
    #[error("a WAMP message must be a list, got {found}")]
    NotAList {
        /// Kind of value received.
        found: &'static str,
    },
    /// The message list is empty.
    #[error("a WAMP message must not be an empty list")]
    Empty,
    /// The first element is not a non-negative integer.
    #[error("the message type must be a non-negative integer, got {found}")]
    TypeNotInteger {
        /// Kind of value received.
        found: &'static str,
    },
    /// The type code is neither one of the 24 message types nor an extension code.
    #[error("unknown message type {code}")]
    UnknownType {
        /// The code received.
        code: u64,
    },
    /// Wrong number of elements.
    #[error("{message} has {len} elements, expected {expected}")]
    Arity {
        /// The message type.
        message: MessageType,
        /// Elements received, including the type code.
        len: usize,
        /// The allowed counts.
        expected: &'static str,
    },
    /// An element has the wrong type.
    #[error("{message}.{field} must be {expected}, got {found}")]
    FieldType {
        /// The message type.
        message: MessageType,
        /// The element's name in the specification's layout.
        field: &'static str,
        /// The expected type.
        expected: &'static str,
        /// The kind of value received.
        found: &'static str,
    },
    /// An ID outside `1..=2^53`.
    #[error("{message}.{field} must be an ID in 1..=2^53, got {value}")]
    IdOutOfRange {
        /// The message type.
        message: MessageType,
        /// The element's name.
        field: &'static str,
        /// The integer received.
        value: i128,
    },
    /// A URI field that must be valid (reasons and error URIs) is not.
    #[error("{message}.{field} is not a valid URI ({uri:?}): {reason}")]
    InvalidUri {
        /// The message type.
        message: MessageType,
        /// The element's name.
        field: &'static str,
        /// The string received.
        uri: String,
        /// What is wrong with it.
        reason: UriError,
    },
    /// ERROR whose REQUEST.Type is not a request that can fail.
    #[error(
        "ERROR.REQUEST.Type {code} is not SUBSCRIBE, UNSUBSCRIBE, PUBLISH, REGISTER, UNREGISTER, CALL or INVOCATION"
    )]
    InvalidErrorRequestType {
        /// The code received.
        code: u64,
    },
    /// A well-known Options/Details key has a value of the wrong type or an unknown value.
    #[error("{message}.{field}.{key} must be {expected}")]
    InvalidOption {
        /// The message type.
        message: MessageType,
        /// `Options`, `Details` or `Extra`.
        field: &'static str,
        /// The key.
        key: String,
        /// What the value must be.
        expected: &'static str,
    },
    /// A required Options/Details key is missing.
    #[error("{message}.{field}.{key} is required")]
    MissingOption {
        /// The message type.
        message: MessageType,
        /// `Options` or `Details`.
        field: &'static str,
        /// The key.
        key: &'static str,
    },
    /// An opaque (non-list) payload without a payload scheme option.
    #[error(
        "{message} carries an opaque payload but its {field} name no payload scheme (ppt_scheme or enc_algo)"
    )]
    OpaqueWithoutScheme {
        /// The message type.
        message: MessageType,
        /// `Options` or `Details`.
        field: &'static str,
    },
    /// The revocation form of UNSUBSCRIBED/UNREGISTERED must carry request 0.
    #[error("{message} with Details is the revocation form and must carry request 0, got {value}")]
    RevocationRequestNotZero {
        /// The message type.
        message: MessageType,
        /// The request value received.
        value: u64,
    },
}
