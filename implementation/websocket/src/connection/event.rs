//! What a connection reports to its user.

use crate::close::{CloseCode, CloseFrame};
use crate::error::ProtocolError;
use crate::frame::FrameHeader;
use crate::validate::MessageKind;

/// Something that happened on the connection, in wire order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A whole message ([`Delivery::Messages`](super::Delivery::Messages)).
    /// Text payloads are valid UTF-8.
    Message {
        /// Text or binary.
        kind: MessageKind,
        /// The reassembled payload.
        payload: Vec<u8>,
    },
    /// A message begins ([`Delivery::Stream`](super::Delivery::Stream)).
    MessageStart {
        /// Text or binary.
        kind: MessageKind,
    },
    /// The next received bytes of the current message (never empty). For
    /// text, a code point may be cut between chunks.
    MessageChunk(Vec<u8>),
    /// The current streamed message is complete (and valid UTF-8 if text).
    MessageEnd,
    /// A whole data frame ([`Delivery::Frames`](super::Delivery::Frames)).
    Frame {
        /// The header as received (mask key included).
        header: FrameHeader,
        /// The unmasked payload.
        payload: Vec<u8>,
    },
    /// A ping arrived; the pong has been queued if the connection was open.
    Ping(Vec<u8>),
    /// A pong arrived (solicited or not).
    Pong(Vec<u8>),
    /// The peer's close frame arrived (`None`: it had no body).
    CloseReceived(Option<CloseFrame>),
    /// The peer violated the protocol; the matching close frame is queued.
    ProtocolViolation(ProtocolError),
    /// The connection is finished; this is the last event.
    Closed(CloseSummary),
}

/// How the connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CloseSummary {
    /// Close frames were both sent and received.
    pub clean: bool,
    /// The code of the close frame we sent (`None`: none, or an empty one).
    pub sent: Option<CloseCode>,
    /// The peer's close frame: `None` if none arrived, `Some(None)` if empty.
    pub received: Option<Option<CloseFrame>>,
    /// The violation that failed the connection, if any.
    pub failure: Option<ProtocolError>,
    /// A timer ended the connection (no close answer, or no TCP close).
    pub timed_out: bool,
}
