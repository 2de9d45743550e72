//! Protocol violations a router detects; each is answered with
//! `ABORT wamp.error.protocol_violation` and a close signal.

use crate::id::Id;
use crate::message::MessageType;
use crate::serializer::DecodeError;

/// Where a peer's session was when a message arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// No session yet (or the last one ended): only HELLO is acceptable.
    AwaitingHello,
    /// CHALLENGE sent: only AUTHENTICATE (or ABORT) is acceptable.
    Challenged,
    /// WELCOME sent.
    Established,
}

/// Why a peer's session was aborted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Violation {
    /// The frame could not be decoded (syntax, arity, element types, IDs, …).
    #[error("undecodable message: {0}")]
    Malformed(#[from] DecodeError),
    /// A message not acceptable in this phase (e.g. SUBSCRIBE before HELLO, second HELLO).
    #[error("{message} is not allowed in phase {phase:?}")]
    WrongState {
        /// The message type.
        message: MessageType,
        /// The peer's phase.
        phase: Phase,
    },
    /// A message only a router sends (WELCOME, EVENT, RESULT, INVOCATION, …).
    #[error("{message} is sent by routers, not clients")]
    WrongDirection {
        /// The message type.
        message: MessageType,
    },
    /// An extension message this router does not implement.
    #[error("unknown message type {}", message.0)]
    UnknownType {
        /// The message type.
        message: MessageType,
    },
    /// Session-scope request IDs must run 1, 2, 3… (wrapping after 2^53).
    #[error("non-sequential request ID {got} (expected {expected})")]
    NonSequentialRequest {
        /// The ID expected.
        expected: Id,
        /// The ID received.
        got: Id,
    },
    /// YIELD or ERROR for an invocation that was never sent or already answered.
    #[error("{message} for unknown INVOCATION request {request}")]
    UnknownInvocation {
        /// YIELD or ERROR.
        message: MessageType,
        /// The request ID.
        request: Id,
    },
    /// A client may only send ERROR for an INVOCATION.
    #[error("ERROR with REQUEST.Type {request_type} from a client")]
    InvalidErrorType {
        /// The REQUEST.Type given.
        request_type: MessageType,
    },
    /// A progressive YIELD for an invocation that did not ask for progressive results.
    #[error(
        "progressive YIELD for INVOCATION request {request}, which did not set receive_progress"
    )]
    ProgressNotRequested {
        /// The INVOCATION request ID.
        request: Id,
    },
    /// A CALL continuing a call that is not a progressive invocation still open, or naming
    /// another procedure.
    #[error("CALL request {request} continues no open progressive call of that procedure")]
    InvalidContinuation {
        /// The CALL request ID.
        request: Id,
    },
    /// Use of a feature the router did not announce.
    #[error("{message} uses {feature}, which this router did not announce")]
    NotNegotiated {
        /// The message type.
        message: MessageType,
        /// The feature.
        feature: &'static str,
    },
}
