//! Why an offer or a response cannot be used.

use thiserror::Error;

/// A permessage-deflate offer (server side: the offer is declined) or a
/// response (client side: the connection fails) that breaks RFC 7692 §7.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum NegotiationError {
    /// The extension is not `permessage-deflate`.
    #[error("extension {name:?} is not permessage-deflate")]
    WrongExtension {
        /// The extension name.
        name: String,
    },
    /// A parameter RFC 7692 does not define.
    #[error("unknown permessage-deflate parameter {name:?}")]
    UnknownParameter {
        /// The parameter name.
        name: String,
    },
    /// A parameter given twice (§7: MUST NOT).
    #[error("permessage-deflate parameter {name} given more than once")]
    DuplicateParameter {
        /// The parameter name.
        name: &'static str,
    },
    /// A `*_no_context_takeover` parameter with a value.
    #[error("{name} takes no value (got {value:?})")]
    UnexpectedValue {
        /// The parameter name.
        name: &'static str,
        /// The value given.
        value: String,
    },
    /// A window-bits parameter without the value it needs here.
    #[error("{name} needs a value")]
    MissingValue {
        /// The parameter name.
        name: &'static str,
    },
    /// A window-bits value that is not a decimal 8..=15 without leading zeros.
    #[error("{name}={value:?} is not a window size of 8 to 15 bits")]
    InvalidWindowBits {
        /// The parameter name.
        name: &'static str,
        /// The value given.
        value: String,
    },
    /// The server answered more than one permessage-deflate extension.
    #[error("the response accepts permessage-deflate {count} times")]
    MultipleResponses {
        /// How many were answered.
        count: usize,
    },
    /// The response names a parameter none of our offers allows.
    #[error("the response's {name} was not allowed by any offer")]
    NotOffered {
        /// The parameter name.
        name: &'static str,
    },
    /// The response leaves out a parameter the matching offer requested, so it
    /// accepts none of our offers (§7.1.1.1, §7.1.2.1).
    #[error("the response does not answer the offered {name}")]
    Unanswered {
        /// The parameter name.
        name: &'static str,
    },
    /// The response's window size exceeds every matching offer's limit.
    #[error("the response's {name}={bits} exceeds the offered limit")]
    WindowAboveOffer {
        /// The parameter name.
        name: &'static str,
        /// The bits answered.
        bits: u8,
    },
}
