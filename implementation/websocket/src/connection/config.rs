//! Connection settings and the injected mask source.

use std::time::Duration;

use crate::deflate::DeflateConfig;
use crate::validate::Limits;

/// How received data messages are delivered as events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Delivery {
    /// One [`Event::Message`](super::Event::Message) per reassembled message,
    /// bounded by [`Limits::max_message_size`].
    #[default]
    Messages,
    /// [`MessageStart`](super::Event::MessageStart), then
    /// [`MessageChunk`](super::Event::MessageChunk)s as bytes arrive, then
    /// [`MessageEnd`](super::Event::MessageEnd). Nothing is buffered; text is
    /// still validated incrementally.
    Stream,
    /// One [`Frame`](super::Event::Frame) per data frame, sequence still validated.
    Frames,
}

/// Settings of a [`Connection`](super::Connection).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Limits on received frames and messages.
    pub limits: Limits,
    /// How received messages are delivered.
    pub delivery: Delivery,
    /// RSV bits that negotiated extensions give a meaning (0 without any).
    pub permitted_rsv: u8,
    /// Split outgoing whole messages into frames of at most this many bytes.
    pub fragment_size: Option<usize>,
    /// How long to wait for the peer's close after sending ours.
    pub close_timeout: Duration,
    /// Client only: how long to wait, after the close handshake or a failure,
    /// for the server to close TCP before closing it ourselves.
    pub tcp_close_timeout: Duration,
    /// permessage-deflate as negotiated by the handshake (`None`: off). When
    /// set, RSV1 is permitted on the first frame of a data message.
    pub deflate: Option<DeflateConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            delivery: Delivery::Messages,
            permitted_rsv: 0,
            fragment_size: None,
            close_timeout: Duration::from_secs(1),
            tcp_close_timeout: Duration::from_secs(1),
            deflate: None,
        }
    }
}

/// Source of the 4-byte masking keys a client puts on its frames (RFC 6455
/// §5.3 wants them unpredictable; the caller injects the randomness).
pub trait MaskSource: Send {
    /// The key for the next frame.
    fn next_mask(&mut self) -> [u8; 4];
}

impl<F: FnMut() -> [u8; 4] + Send> MaskSource for F {
    fn next_mask(&mut self) -> [u8; 4] {
        self()
    }
}
