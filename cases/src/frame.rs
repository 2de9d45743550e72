//! Raw frames as a case describes them: every header field may be set, including values a
//! conforming endpoint would never send. The runner applies masking per role unless a case
//! deliberately overrides it.

use serde::{Deserialize, Serialize};

use crate::payload::Payload;

/// Opcode values of RFC 6455 §5.2 (any `u8` 0..=15 may appear in a [`FrameSpec`]).
pub mod opcode {
    /// Continuation frame.
    pub const CONTINUATION: u8 = 0;
    /// Text frame.
    pub const TEXT: u8 = 1;
    /// Binary frame.
    pub const BINARY: u8 = 2;
    /// Connection close.
    pub const CLOSE: u8 = 8;
    /// Ping.
    pub const PING: u8 = 9;
    /// Pong.
    pub const PONG: u8 = 10;
}

/// How the runner masks a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaskPolicy {
    /// Mask with a fresh random key when the harness is the client, never when it is the server.
    #[default]
    Auto,
    /// Always mask, with this key (a deliberate violation when the harness is the server).
    Force([u8; 4]),
    /// Never mask (a deliberate violation when the harness is the client).
    None,
}

/// How the header encodes the payload length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LengthEncoding {
    /// The shortest form: 7 bits up to 125, 16 bits up to 65535, else 64 bits.
    #[default]
    Minimal,
    /// Always the 16-bit form (non-minimal for lengths up to 125; a length above 65535 cannot
    /// be written this way and the runner must then use the 64-bit form).
    Extended16,
    /// Always the 64-bit form (non-minimal below 65536).
    Extended64,
}

/// One frame, header field by header field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameSpec {
    /// The FIN bit.
    pub fin: bool,
    /// The three RSV bits (RSV1 is bit 2 of this value); values above 7 are truncated by the
    /// runner to the low three bits.
    pub rsv: u8,
    /// The opcode, any value 0..=15.
    pub opcode: u8,
    /// The payload bytes actually written.
    pub payload: Payload,
    /// A payload length to declare in the header instead of the real one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_len: Option<u64>,
    /// How the header encodes the length.
    #[serde(default)]
    pub len_encoding: LengthEncoding,
    /// Masking policy.
    #[serde(default)]
    pub mask: MaskPolicy,
}

impl FrameSpec {
    /// A frame with the given FIN bit, opcode and payload; RSV 0, automatic masking.
    pub fn new(fin: bool, opcode: u8, payload: Payload) -> Self {
        Self {
            fin,
            rsv: 0,
            opcode,
            payload,
            declared_len: None,
            len_encoding: LengthEncoding::Minimal,
            mask: MaskPolicy::Auto,
        }
    }

    /// The same frame with the RSV bits set.
    #[must_use]
    pub fn with_rsv(mut self, rsv: u8) -> Self {
        self.rsv = rsv;
        self
    }

    /// The length the header declares: the override, or the payload length.
    pub fn header_len(&self) -> u64 {
        self.declared_len
            .unwrap_or_else(|| u64::try_from(self.payload.len()).unwrap_or(u64::MAX))
    }
}

/// The body of a close frame: an optional status code followed by reason bytes, exactly as
/// written (the reason need not be UTF-8, and a body with no code but a reason is allowed so
/// that 1-byte bodies can be sent).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CloseBody {
    /// Status code, written big-endian first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u16>,
    /// Bytes after the code.
    #[serde(default)]
    pub reason: Payload,
}

impl CloseBody {
    /// An empty body.
    pub fn empty() -> Self {
        Self::default()
    }

    /// A code with no reason.
    pub fn code(code: u16) -> Self {
        Self {
            code: Some(code),
            reason: Payload::empty(),
        }
    }

    /// A code and a reason.
    pub fn with_reason(code: u16, reason: Payload) -> Self {
        Self {
            code: Some(code),
            reason,
        }
    }

    /// Arbitrary bytes with no code in front.
    pub fn raw(bytes: Payload) -> Self {
        Self {
            code: None,
            reason: bytes,
        }
    }

    /// The encoded body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + self.reason.len());
        if let Some(code) = self.code {
            out.extend_from_slice(&code.to_be_bytes());
        }
        out.extend_from_slice(&self.reason.bytes());
        out
    }

    /// The encoded body's length in bytes.
    pub fn len(&self) -> usize {
        self.reason.len() + if self.code.is_some() { 2 } else { 0 }
    }

    /// True for an empty body.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_body_encoding() {
        assert!(CloseBody::empty().to_bytes().is_empty());
        assert_eq!(CloseBody::code(1000).to_bytes(), vec![0x03, 0xe8]);
        assert_eq!(
            CloseBody::with_reason(1000, Payload::text("ok")).to_bytes(),
            vec![0x03, 0xe8, b'o', b'k']
        );
        assert_eq!(CloseBody::raw(Payload::text("a")).to_bytes(), b"a");
        assert_eq!(
            CloseBody::with_reason(1000, Payload::repeat(*b"*", 123)).len(),
            125
        );
    }

    #[test]
    fn declared_length() {
        let mut f = FrameSpec::new(true, opcode::TEXT, Payload::text("abc"));
        assert_eq!(f.header_len(), 3);
        f.declared_len = Some(21);
        assert_eq!(f.header_len(), 21);
    }
}
