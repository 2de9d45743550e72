//! What a case does on the wire, step by step, and the timers that drive it.
//!
//! Steps run in order. [`Step::Wait`] is a stage boundary: the steps after it run only if the
//! connection is still OPEN when the wait ends. Timer steps ([`Step::KillAfter`],
//! [`Step::CloseAfter`]) only schedule; they do not block.

use std::borrow::Cow;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::frame::{CloseBody, FrameSpec};
use crate::message::MessageSpec;
use crate::payload::Payload;
use crate::windows::Windows;

/// A duration in seconds. Kept as data so a harness can scale every timer.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secs(pub f64);

impl Secs {
    /// The duration multiplied by `scale` (negative or non-finite results become zero).
    pub fn scaled(self, scale: f64) -> std::time::Duration {
        let s = self.0 * scale;
        if s.is_finite() && s > 0.0 {
            std::time::Duration::try_from_secs_f64(s).unwrap_or(std::time::Duration::MAX)
        } else {
            std::time::Duration::ZERO
        }
    }

    /// The duration unscaled.
    pub fn duration(self) -> std::time::Duration {
        self.scaled(1.0)
    }
}

/// How the bytes of one frame reach the socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Delivery {
    /// Write the frame's octets in pieces of this many bytes, each flushed on its own (a TCP
    /// level split, not WebSocket fragmentation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chop: Option<usize>,
    /// Give the frame its own socket write, with a trip through the event loop before the next.
    #[serde(default)]
    pub sync: bool,
}

impl Delivery {
    /// All octets in one write, batched with neighbours.
    pub const PLAIN: Self = Self {
        chop: None,
        sync: false,
    };
    /// Own write per frame.
    pub const SYNC: Self = Self {
        chop: None,
        sync: true,
    };

    /// Octet-wise chopping at `n` bytes.
    pub fn chop(n: usize) -> Self {
        Self {
            chop: Some(n),
            sync: false,
        }
    }
}

/// What the reply to an echo request must look like: the same type and content as what was
/// sent. The content stays a cheap [`Payload`] description; its SHA-1 is computed on first use
/// and cached.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EchoSpec {
    /// A binary message is expected (else text).
    pub binary: bool,
    /// The expected content.
    pub content: Payload,
    #[serde(skip)]
    sha1: OnceLock<String>,
}

impl PartialEq for EchoSpec {
    fn eq(&self, other: &Self) -> bool {
        // The cache is derived data and may or may not be filled.
        self.binary == other.binary && self.content == other.content
    }
}

impl Eq for EchoSpec {}

/// Why one echoed message does not match its [`EchoSpec`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum EchoMismatch {
    /// Text expected, binary received, or the reverse.
    #[error("expected a {} message, got a {} one", kind(*expected_binary), kind(!*expected_binary))]
    WrongType {
        /// Whether binary was expected.
        expected_binary: bool,
    },
    /// Same type, different length.
    #[error("expected a message of {expected} bytes, got {actual}")]
    WrongLength {
        /// Expected length.
        expected: usize,
        /// Observed length.
        actual: usize,
    },
    /// Same type and length, different bytes.
    #[error("content differs")]
    ContentDiffers,
    /// A reply beyond the requests sent.
    #[error("a reply nothing was sent for")]
    Unrequested,
}

fn kind(binary: bool) -> &'static str {
    if binary { "binary" } else { "text" }
}

impl EchoSpec {
    /// An echo of `content`, binary or text.
    pub fn new(binary: bool, content: Payload) -> Self {
        Self {
            binary,
            content,
            sha1: OnceLock::new(),
        }
    }

    /// The echo of `message`: same type, length and content.
    pub fn of(message: &MessageSpec) -> Self {
        Self::new(message.binary, message.payload.clone())
    }

    /// The echo of a single data frame.
    pub fn of_frame(frame: &FrameSpec) -> Self {
        Self::new(
            frame.opcode == crate::frame::opcode::BINARY,
            frame.payload.clone(),
        )
    }

    /// The expected length in bytes.
    pub fn len(&self) -> usize {
        self.content.len()
    }

    /// True when an empty message is expected.
    pub fn is_empty(&self) -> bool {
        self.content.is_empty()
    }

    /// Lower-case hex SHA-1 of the expected content (computed once).
    pub fn sha1(&self) -> &str {
        self.sha1.get_or_init(|| self.content.sha1_hex())
    }

    /// Checks one received message (type, then length, then SHA-1 content).
    pub fn check(&self, binary: bool, len: usize, sha1: &str) -> Result<(), EchoMismatch> {
        if binary != self.binary {
            Err(EchoMismatch::WrongType {
                expected_binary: self.binary,
            })
        } else if len != self.len() {
            Err(EchoMismatch::WrongLength {
                expected: self.len(),
                actual: len,
            })
        } else if !sha1.eq_ignore_ascii_case(self.sha1()) {
            Err(EchoMismatch::ContentDiffers)
        } else {
            Ok(())
        }
    }
}

/// Where the messages of an echo loop come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EchoSource {
    /// The same message every time.
    Fixed(MessageSpec),
    /// Consecutive windows of a data set (the compression cases).
    Windows(Windows),
}

impl EchoSource {
    /// The `index`-th (0-based) message of the loop.
    pub fn message(&self, index: u32) -> Cow<'_, MessageSpec> {
        match self {
            Self::Fixed(m) => Cow::Borrowed(m),
            Self::Windows(w) => Cow::Owned(w.message(index)),
        }
    }
}

/// One step of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Step {
    /// Write one raw frame.
    Frame {
        /// The frame.
        frame: FrameSpec,
        /// Chopping / sync.
        #[serde(default)]
        delivery: Delivery,
    },
    /// Send a message through the helper (see [`MessageSpec::frames`]).
    Message {
        /// The message.
        message: MessageSpec,
        /// Applied to every frame of the message.
        #[serde(default)]
        delivery: Delivery,
    },
    /// Send a message compressed with the negotiated permessage-deflate: RSV1 on its first
    /// frame, the compressed bytes cut into frames by the message's fragmentation. Without
    /// permessage-deflate the message goes uncompressed.
    Deflated {
        /// The message, uncompressed.
        message: MessageSpec,
    },
    /// Start the closing handshake with this close body: from here the harness has closed
    /// first (`closed_by_me`), and its close-handshake timer runs.
    Close {
        /// The close frame's body, written as-is.
        body: CloseBody,
    },
    /// Write only a frame header (its payload field is ignored; the header declares
    /// `declared_len`, or 0). The payload follows in [`Step::FrameData`] steps.
    BeginFrame {
        /// The header fields.
        frame: FrameSpec,
    },
    /// Write payload bytes of the frame opened by [`Step::BeginFrame`] as one socket write,
    /// masked continuing the header's key (the mask offset carries over between steps).
    FrameData {
        /// The bytes.
        data: Payload,
    },
    /// Write raw octets with no framing at all.
    Raw {
        /// The octets.
        bytes: Payload,
        /// Chopping / sync.
        #[serde(default)]
        delivery: Delivery,
    },
    /// Wait; then, only if the connection is still OPEN, record `Timeout(tag)` (when tagged)
    /// and go on. If it is no longer OPEN, the remaining steps are skipped.
    Wait {
        /// How long.
        secs: Secs,
        /// Timeout marker to record.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tag: Option<String>,
    },
    /// Schedule a kill: when it fires, an OPEN connection is failed with close 1001
    /// ("Going Away"), a CLOSING one has its TCP connection dropped, and a closed one is left
    /// alone.
    KillAfter {
        /// Delay.
        secs: Secs,
    },
    /// Schedule a normal close: when it fires, if the connection is still OPEN, the harness
    /// starts the closing handshake with an EMPTY close frame; otherwise nothing happens.
    CloseAfter {
        /// Delay.
        secs: Secs,
    },
    /// Wait up to `timeout` for one message and check it against `echo` (recorded in the
    /// observation's echo log, not as an event). Then close with 1000; on timeout send an
    /// EMPTY close instead.
    AwaitEcho {
        /// The expected reply.
        echo: EchoSpec,
        /// How long to wait.
        timeout: Secs,
    },
    /// Send `count` messages one at a time, each only after the previous echo arrived and
    /// matched; stop at the first mismatch. Close with 1000 when done or on a mismatch; send
    /// an EMPTY close if `timeout` (for the whole loop) expires first.
    EchoLoop {
        /// The messages.
        source: EchoSource,
        /// How many round trips.
        count: u32,
        /// Limit for the whole loop.
        timeout: Secs,
    },
}

/// Protocol timers of a case (defaults: Autobahn's engine defaults).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Timers {
    /// Opening handshake limit; then TCP is dropped.
    pub open_handshake: Secs,
    /// After the harness's own close frame, how long the peer has to answer; then TCP is
    /// dropped and the close is not clean.
    pub close_handshake: Secs,
    /// Harness as client only: after the close handshake, how long the server has to drop TCP.
    pub server_drop: Secs,
}

impl Default for Timers {
    fn default() -> Self {
        Self {
            open_handshake: Secs(5.0),
            close_handshake: Secs(1.0),
            server_drop: Secs(1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secs_scale() {
        assert_eq!(Secs(1.0).scaled(0.5), std::time::Duration::from_millis(500));
        assert_eq!(Secs(2.0).duration(), std::time::Duration::from_secs(2));
        assert_eq!(Secs(-1.0).duration(), std::time::Duration::ZERO);
        assert_eq!(Secs(f64::NAN).duration(), std::time::Duration::ZERO);
    }

    #[test]
    fn echo_check_order() {
        let spec = EchoSpec::of(&MessageSpec::text(Payload::text("abc")));
        let good = Payload::text("abc").sha1_hex();
        assert_eq!(spec.check(false, 3, &good), Ok(()));
        assert_eq!(spec.check(false, 3, &good.to_uppercase()), Ok(()));
        assert_eq!(
            spec.check(true, 3, &good),
            Err(EchoMismatch::WrongType {
                expected_binary: false
            })
        );
        assert_eq!(
            spec.check(false, 4, &good),
            Err(EchoMismatch::WrongLength {
                expected: 3,
                actual: 4
            })
        );
        assert_eq!(
            spec.check(false, 3, &Payload::text("abd").sha1_hex()),
            Err(EchoMismatch::ContentDiffers)
        );
        assert_eq!(
            EchoMismatch::WrongType {
                expected_binary: false
            }
            .to_string(),
            "expected a text message, got a binary one"
        );
    }

    #[test]
    fn steps_round_trip_through_json() {
        let steps = vec![
            Step::Wait {
                secs: Secs(1.0),
                tag: Some("A".into()),
            },
            Step::Close {
                body: CloseBody::code(1000),
            },
            Step::Frame {
                frame: FrameSpec::new(true, 9, Payload::empty()),
                delivery: Delivery::chop(1),
            },
        ];
        let json = serde_json::to_string(&steps).unwrap();
        let back: Vec<Step> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, steps);
    }
}
