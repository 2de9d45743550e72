//! Messages sent through Autobahn's message helper, and the exact frame sequence it produces.
//!
//! The helper splits a message of length L with fragment size F into chunks of F bytes; when
//! L is an exact multiple of F it ends with one extra EMPTY final continuation frame, and when
//! L <= F it sends one unfragmented frame. The fuzzer's auto-fragmentation option (10.1.1)
//! runs through the same code and so follows the same rule.

use serde::{Deserialize, Serialize};

use crate::frame::{FrameSpec, opcode};
use crate::payload::Payload;

/// How a message is cut into frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fragmentation {
    /// One frame.
    #[default]
    Whole,
    /// The helper with an explicit fragment size (a size of 0 means one frame).
    FragmentSize(usize),
    /// The sender's automatic fragmentation at this size (10.1.1); same frames as
    /// `FragmentSize`, named separately because the case checks the sender's own counters.
    AutoFragment(usize),
}

/// A data message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageSpec {
    /// Binary (opcode 2) rather than text (opcode 1).
    pub binary: bool,
    /// The message payload.
    pub payload: Payload,
    /// How the message is split into frames.
    #[serde(default)]
    pub fragmentation: Fragmentation,
}

impl MessageSpec {
    /// A text message in one frame.
    pub fn text(payload: Payload) -> Self {
        Self {
            binary: false,
            payload,
            fragmentation: Fragmentation::Whole,
        }
    }

    /// A binary message in one frame.
    pub fn binary(payload: Payload) -> Self {
        Self {
            binary: true,
            payload,
            fragmentation: Fragmentation::Whole,
        }
    }

    /// The same message with a helper fragment size.
    #[must_use]
    pub fn fragmented(mut self, size: usize) -> Self {
        self.fragmentation = Fragmentation::FragmentSize(size);
        self
    }

    /// The opcode of the first frame.
    pub fn opcode(&self) -> u8 {
        if self.binary {
            opcode::BINARY
        } else {
            opcode::TEXT
        }
    }

    /// The frames the helper writes, in order, produced lazily (a 4 MiB message in 64-byte
    /// fragments is 65 537 frames).
    pub fn frames(&self) -> MessageFrames<'_> {
        let size = match self.fragmentation {
            Fragmentation::Whole => 0,
            Fragmentation::FragmentSize(n) | Fragmentation::AutoFragment(n) => n,
        };
        MessageFrames {
            message: self,
            size,
            pos: 0,
            done: false,
        }
    }

    /// The number of frames [`MessageSpec::frames`] yields, without producing them.
    pub fn frame_count(&self) -> usize {
        let len = self.payload.len();
        match self.fragmentation {
            Fragmentation::Whole => 1,
            Fragmentation::FragmentSize(n) | Fragmentation::AutoFragment(n) => {
                if n == 0 || len <= n {
                    1
                } else {
                    // Full chunks, plus the partial tail or, for an exact multiple, the empty
                    // final frame: either way one more than len / n.
                    len / n + 1
                }
            }
        }
    }
}

/// Iterator over the frames of a message; see [`MessageSpec::frames`].
#[derive(Debug, Clone)]
pub struct MessageFrames<'a> {
    message: &'a MessageSpec,
    size: usize,
    pos: usize,
    done: bool,
}

impl Iterator for MessageFrames<'_> {
    type Item = FrameSpec;

    fn next(&mut self) -> Option<FrameSpec> {
        if self.done {
            return None;
        }
        let payload = &self.message.payload;
        let len = payload.len();
        if self.size == 0 || len <= self.size {
            self.done = true;
            return Some(FrameSpec::new(true, self.message.opcode(), payload.clone()));
        }
        let first = self.pos == 0;
        let start = self.pos;
        let end = start.saturating_add(self.size);
        // `end == len` is not yet the last frame: the helper only stops once a chunk runs
        // past the end, which is what adds the empty final frame for exact multiples.
        let fin = end > len;
        self.done = fin;
        self.pos = end;
        let op = if first {
            self.message.opcode()
        } else {
            opcode::CONTINUATION
        };
        Some(FrameSpec::new(fin, op, payload.slice(start, end)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(m: &MessageSpec) -> Vec<(bool, u8, usize)> {
        m.frames()
            .map(|f| (f.fin, f.opcode, f.payload.len()))
            .collect()
    }

    #[test]
    fn short_message_is_one_frame() {
        let m = MessageSpec::text(Payload::text("abc")).fragmented(3);
        assert_eq!(shape(&m), vec![(true, 1, 3)]);
        assert_eq!(m.frame_count(), 1);
        let m = MessageSpec::binary(Payload::empty()).fragmented(1);
        assert_eq!(shape(&m), vec![(true, 2, 0)]);
    }

    #[test]
    fn exact_multiple_gets_an_empty_final_frame() {
        let m = MessageSpec::text(Payload::text("abcd")).fragmented(2);
        assert_eq!(shape(&m), vec![(false, 1, 2), (false, 0, 2), (true, 0, 0)]);
        assert_eq!(m.frame_count(), 3);
    }

    #[test]
    fn partial_tail_ends_the_message() {
        let m = MessageSpec::text(Payload::text("abcde")).fragmented(2);
        assert_eq!(shape(&m), vec![(false, 1, 2), (false, 0, 2), (true, 0, 1)]);
        assert_eq!(m.frame_count(), 3);
    }

    #[test]
    fn autobahn_examples() {
        // 6.2.3: 29 bytes one per frame → 29 frames + an empty FIN frame.
        let m = MessageSpec::text(Payload::text("Hello-µ@ßöäüàá-UTF-8!!")).fragmented(1);
        assert_eq!(m.payload.len(), 29);
        assert_eq!(m.frames().count(), 30);
        assert_eq!(m.frame_count(), 30);
        // 9.3.1: 4 MiB in 64-byte frames → 65 536 + 1.
        let m = MessageSpec::text(Payload::repeat(*b"*", 4 << 20)).fragmented(64);
        assert_eq!(m.frame_count(), 65_537);
        assert_eq!(m.frames().count(), 65_537);
        // 10.1.1: 65 536 bytes auto-fragmented at 1300 → 1 text + 50 continuations, last 536.
        let mut m = MessageSpec::text(Payload::repeat(*b"*", 65_536));
        m.fragmentation = Fragmentation::AutoFragment(1300);
        let frames: Vec<_> = m.frames().collect();
        assert_eq!(frames.len(), 51);
        assert_eq!(frames.iter().filter(|f| f.opcode == 0).count(), 50);
        assert_eq!(
            frames.last().map(|f| (f.fin, f.payload.len())),
            Some((true, 536))
        );
    }

    #[test]
    fn frames_reassemble_to_the_payload() {
        let p = Payload::repeat(*b"0123456789", 95);
        for size in [0, 1, 7, 10, 19, 95, 96] {
            let m = MessageSpec::binary(p.clone()).fragmented(size);
            let joined: Vec<u8> = m
                .frames()
                .flat_map(|f| f.payload.bytes().into_owned())
                .collect();
            assert_eq!(joined, &*p.bytes(), "fragment size {size}");
            assert_eq!(m.frames().count(), m.frame_count(), "fragment size {size}");
            assert_eq!(m.frames().filter(|f| f.fin).count(), 1);
        }
    }
}
