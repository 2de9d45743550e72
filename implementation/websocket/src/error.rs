//! Every way a peer can violate the protocol, and the ONE table that maps each
//! violation to the close code we send when failing the connection.

use thiserror::Error;

use crate::close::CloseCode;
use crate::frame::{FrameError, LengthEncoding, OpCode};

/// A protocol violation by the peer. Detecting one fails the connection.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// §5.2: the payload length was not written with the minimal encoding.
    #[error("payload length {length} written with a non-minimal {encoding:?} encoding")]
    NonMinimalLength {
        /// The declared length.
        length: u64,
        /// The encoding used.
        encoding: LengthEncoding,
    },
    /// §5.2: a 64-bit length with its most significant bit set.
    #[error("64-bit payload length {length:#x} has its most significant bit set")]
    LengthMsbSet {
        /// The declared length.
        length: u64,
    },
    /// §5.1: a server received an unmasked frame from the client.
    #[error("client frame is not masked")]
    UnmaskedClientFrame,
    /// §5.1: a client received a masked frame from the server.
    #[error("server frame is masked")]
    MaskedServerFrame,
    /// §5.2: RSV bits set that no negotiated extension gives a meaning.
    #[error("RSV bits {rsv:#05b} set on a {opcode:?} frame without a negotiated meaning")]
    ReservedBitsSet {
        /// The RSV bits of the frame (RSV1 = 0b100).
        rsv: u8,
        /// The frame's opcode.
        opcode: OpCode,
    },
    /// §5.2: opcodes 3-7 and 11-15 are reserved.
    #[error("reserved opcode {:#x}", opcode.value())]
    ReservedOpcode {
        /// The opcode received.
        opcode: OpCode,
    },
    /// §5.5: control frame payloads are at most 125 bytes.
    #[error("control frame {opcode:?} declares {length} payload bytes (at most 125)")]
    ControlFrameTooLong {
        /// The opcode.
        opcode: OpCode,
        /// The declared length.
        length: u64,
    },
    /// §5.5: control frames must not be fragmented.
    #[error("control frame {opcode:?} has FIN=0")]
    FragmentedControlFrame {
        /// The opcode.
        opcode: OpCode,
    },
    /// §5.4: a continuation frame arrived while no message was in progress.
    #[error("continuation frame without a message in progress")]
    UnexpectedContinuation,
    /// §5.4: a new data frame arrived inside a fragmented message.
    #[error("{opcode:?} frame inside a fragmented message (expected a continuation)")]
    ExpectedContinuation {
        /// The opcode of the offending frame.
        opcode: OpCode,
    },
    /// A frame larger than the configured limit.
    #[error("frame of {length} bytes exceeds the limit of {max}")]
    FrameTooBig {
        /// The declared frame length.
        length: u64,
        /// The configured limit.
        max: u64,
    },
    /// A message larger than the configured limit.
    #[error("message of at least {length} bytes exceeds the limit of {max}")]
    MessageTooBig {
        /// The message length so far, this frame included.
        length: u64,
        /// The configured limit.
        max: u64,
    },
    /// §8.1: a text message is not valid UTF-8.
    #[error("text message is not valid UTF-8 at byte {offset}")]
    InvalidUtf8 {
        /// Offset of the first invalid byte within the message.
        offset: u64,
    },
    /// §5.5.1: a close payload of exactly one byte.
    #[error("close frame payload of 1 byte (a status code needs 2)")]
    CloseTooShort,
    /// §7.4: a close code that may not be received.
    #[error("close code {} may not be sent by a peer", code.value())]
    InvalidCloseCode {
        /// The code received.
        code: CloseCode,
    },
    /// §5.5.1: the close reason is not valid UTF-8.
    #[error("close reason is not valid UTF-8 at byte {offset}")]
    InvalidCloseReason {
        /// Offset of the first invalid byte within the reason.
        offset: usize,
    },
    /// RFC 7692 §8: a compressed message that does not inflate (RFC 1951).
    #[error("compressed message does not inflate: {reason}")]
    InvalidCompressedData {
        /// What the inflater reported.
        reason: String,
    },
}

impl ProtocolError {
    /// The close code sent when failing the connection because of `self`.
    ///
    /// This is the single reviewed mapping of violations to close codes:
    /// framing and sequencing errors are 1002, invalid UTF-8 payload data is
    /// 1007 (§7.4.1), and exceeded limits are 1009.
    pub const fn close_code(&self) -> CloseCode {
        match self {
            Self::NonMinimalLength { .. }
            | Self::LengthMsbSet { .. }
            | Self::UnmaskedClientFrame
            | Self::MaskedServerFrame
            | Self::ReservedBitsSet { .. }
            | Self::ReservedOpcode { .. }
            | Self::ControlFrameTooLong { .. }
            | Self::FragmentedControlFrame { .. }
            | Self::UnexpectedContinuation
            | Self::ExpectedContinuation { .. }
            | Self::CloseTooShort
            | Self::InvalidCloseCode { .. } => CloseCode::PROTOCOL_ERROR,
            Self::InvalidUtf8 { .. }
            | Self::InvalidCloseReason { .. }
            | Self::InvalidCompressedData { .. } => CloseCode::INVALID_PAYLOAD,
            Self::FrameTooBig { .. } | Self::MessageTooBig { .. } => CloseCode::MESSAGE_TOO_BIG,
        }
    }
}

impl From<FrameError> for ProtocolError {
    fn from(e: FrameError) -> Self {
        match e {
            FrameError::NonMinimalLength { length, encoding } => {
                Self::NonMinimalLength { length, encoding }
            }
            FrameError::LengthMsbSet { length } => Self::LengthMsbSet { length },
        }
    }
}

/// A command the connection refused; nothing was queued.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SendError {
    /// A close frame was already sent or received: nothing more may be sent.
    #[error("the connection is closing or closed")]
    Closed,
    /// A whole message or a new streamed message while another is unfinished.
    #[error("a fragmented message is still in progress")]
    MessageInProgress,
    /// A chunk or continuation frame without a started message.
    #[error("no message is in progress")]
    NoMessageInProgress,
    /// Control payloads are at most 125 bytes.
    #[error("control frame payload of {length} bytes (at most 125)")]
    ControlPayloadTooLong {
        /// The payload length given.
        length: usize,
    },
    /// A close reason longer than 123 bytes.
    #[error("close reason of {length} bytes (at most 123)")]
    CloseReasonTooLong {
        /// The reason length given.
        length: usize,
    },
    /// A close code that must not be sent (e.g. 1005, 1006, 1015).
    #[error("close code {} must not be sent", code.value())]
    InvalidCloseCode {
        /// The code given.
        code: CloseCode,
    },
    /// A reserved opcode given to the frame-level API.
    #[error("reserved opcode {:#x}", opcode.value())]
    ReservedOpcode {
        /// The opcode given.
        opcode: OpCode,
    },
    /// A control frame with FIN=0 given to the frame-level API.
    #[error("control frames cannot be fragmented")]
    FragmentedControl,
    /// Close frames are sent with `close`, which validates code and reason.
    #[error("use close() to send a close frame")]
    UseClose,
    /// The compressor reported an internal error (permessage-deflate).
    #[error("compression failed: {reason}")]
    CompressionFailed {
        /// What the compressor reported.
        reason: String,
    },
    /// A streamed text message chunk that is not valid UTF-8.
    #[error("text data is not valid UTF-8 at byte {offset}")]
    InvalidUtf8 {
        /// Offset within the message of the first invalid byte.
        offset: u64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reviewed table, spelled out: every variant and the code it sends.
    #[test]
    fn every_violation_maps_to_its_close_code() {
        let op = OpCode::TEXT;
        let table = [
            (
                ProtocolError::NonMinimalLength {
                    length: 1,
                    encoding: LengthEncoding::Extended16,
                },
                1002,
            ),
            (ProtocolError::LengthMsbSet { length: 1 << 63 }, 1002),
            (ProtocolError::UnmaskedClientFrame, 1002),
            (ProtocolError::MaskedServerFrame, 1002),
            (ProtocolError::ReservedBitsSet { rsv: 1, opcode: op }, 1002),
            (
                ProtocolError::ReservedOpcode {
                    opcode: OpCode::new(3),
                },
                1002,
            ),
            (
                ProtocolError::ControlFrameTooLong {
                    opcode: OpCode::PING,
                    length: 126,
                },
                1002,
            ),
            (
                ProtocolError::FragmentedControlFrame {
                    opcode: OpCode::PING,
                },
                1002,
            ),
            (ProtocolError::UnexpectedContinuation, 1002),
            (ProtocolError::ExpectedContinuation { opcode: op }, 1002),
            (ProtocolError::FrameTooBig { length: 2, max: 1 }, 1009),
            (ProtocolError::MessageTooBig { length: 2, max: 1 }, 1009),
            (ProtocolError::InvalidUtf8 { offset: 0 }, 1007),
            (ProtocolError::CloseTooShort, 1002),
            (
                ProtocolError::InvalidCloseCode {
                    code: CloseCode(1005),
                },
                1002,
            ),
            (ProtocolError::InvalidCloseReason { offset: 0 }, 1007),
            (
                ProtocolError::InvalidCompressedData {
                    reason: "invalid block type".into(),
                },
                1007,
            ),
        ];
        for (error, code) in table {
            assert_eq!(error.close_code(), CloseCode(code), "{error}");
            assert!(error.close_code().is_valid_on_wire());
        }
    }
}
