//! Lossless frame header codec (RFC 6455 §5.2) and payload masking (§5.3).
//!
//! The decoder keeps everything the wire said — any opcode, the three RSV
//! bits, the mask key, the declared length and which encoding carried it — so
//! the same types can describe deliberately malformed frames for tests. Rules
//! about what a peer may send live in [`crate::validate`].

mod mask;

pub use mask::{apply_mask, extend_masked};

use thiserror::Error;

/// A frame opcode: the low 4 bits of the first header byte. Open, so reserved
/// values can be decoded and encoded too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OpCode(u8);

impl OpCode {
    /// Continuation of a fragmented data message.
    pub const CONTINUATION: Self = Self(0x0);
    /// First (or only) frame of a text message.
    pub const TEXT: Self = Self(0x1);
    /// First (or only) frame of a binary message.
    pub const BINARY: Self = Self(0x2);
    /// Close control frame.
    pub const CLOSE: Self = Self(0x8);
    /// Ping control frame.
    pub const PING: Self = Self(0x9);
    /// Pong control frame.
    pub const PONG: Self = Self(0xA);

    /// The opcode with the given 4-bit value; higher bits are dropped.
    pub const fn new(value: u8) -> Self {
        Self(value & 0x0F)
    }

    /// The 4-bit value.
    pub const fn value(self) -> u8 {
        self.0
    }

    /// Opcodes 8-15 are control opcodes (§5.5), reserved ones included.
    pub const fn is_control(self) -> bool {
        self.0 >= 0x8
    }

    /// Opcodes 3-7 and 11-15 have no meaning in RFC 6455.
    pub const fn is_reserved(self) -> bool {
        matches!(self.0, 0x3..=0x7 | 0xB..=0xF)
    }
}

/// The RSV1 bit as it appears in [`FrameHeader::rsv`] (used by permessage-deflate).
pub const RSV1: u8 = 0b100;
/// The RSV2 bit as it appears in [`FrameHeader::rsv`].
pub const RSV2: u8 = 0b010;
/// The RSV3 bit as it appears in [`FrameHeader::rsv`].
pub const RSV3: u8 = 0b001;

/// Which of the three payload length encodings a header used (§5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LengthEncoding {
    /// The 7-bit field itself holds 0-125.
    Short,
    /// 126 in the 7-bit field, then a 16-bit length.
    Extended16,
    /// 127 in the 7-bit field, then a 64-bit length.
    Extended64,
}

impl LengthEncoding {
    /// The shortest encoding that can carry `len`, as the RFC requires.
    pub const fn minimal_for(len: u64) -> Self {
        if len <= 125 {
            Self::Short
        } else if len <= 0xFFFF {
            Self::Extended16
        } else {
            Self::Extended64
        }
    }

    /// Extra header bytes after the first two.
    const fn extra_bytes(self) -> usize {
        match self {
            Self::Short => 0,
            Self::Extended16 => 2,
            Self::Extended64 => 8,
        }
    }
}

/// A decoded (or to-be-encoded) frame header, exactly as on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FrameHeader {
    /// FIN: this is the final frame of a message.
    pub fin: bool,
    /// The three RSV bits: [`RSV1`] is `0b100`, [`RSV3`] is `0b001`.
    pub rsv: u8,
    /// The opcode.
    pub opcode: OpCode,
    /// The masking key, when the MASK bit is set.
    pub mask: Option<[u8; 4]>,
    /// The declared payload length.
    pub payload_len: u64,
    /// The encoding that carried `payload_len`.
    pub length_encoding: LengthEncoding,
}

/// A header the strict decoder refuses because of how its length was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The length used a longer encoding than needed (§5.2: "the minimal number of bytes MUST be used").
    #[error("payload length {length} written with a non-minimal {encoding:?} encoding")]
    NonMinimalLength {
        /// The declared length.
        length: u64,
        /// The encoding that was used.
        encoding: LengthEncoding,
    },
    /// A 64-bit length with its most significant bit set (§5.2).
    #[error("64-bit payload length {length:#x} has its most significant bit set")]
    LengthMsbSet {
        /// The declared length.
        length: u64,
    },
}

/// The largest header: 2 bytes, 8 length bytes, 4 mask bytes.
pub const MAX_HEADER_LEN: usize = 14;

impl FrameHeader {
    /// A header with no RSV bits and the minimal length encoding.
    pub const fn new(fin: bool, opcode: OpCode, mask: Option<[u8; 4]>, payload_len: u64) -> Self {
        Self {
            fin,
            rsv: 0,
            opcode,
            mask,
            payload_len,
            length_encoding: LengthEncoding::minimal_for(payload_len),
        }
    }

    /// Decodes a header from the start of `buf` without judging it.
    ///
    /// Returns `None` when `buf` does not yet hold the whole header, otherwise
    /// the header and how many bytes it took.
    pub fn parse(buf: &[u8]) -> Option<(Self, usize)> {
        let &[b0, b1, ref rest @ ..] = buf else {
            return None;
        };
        let length_encoding = match b1 & 0x7F {
            126 => LengthEncoding::Extended16,
            127 => LengthEncoding::Extended64,
            _ => LengthEncoding::Short,
        };
        let extra = length_encoding.extra_bytes();
        let masked = b1 & 0x80 != 0;
        let len_bytes = rest.get(..extra)?;
        let payload_len = match length_encoding {
            LengthEncoding::Short => u64::from(b1 & 0x7F),
            LengthEncoding::Extended16 | LengthEncoding::Extended64 => len_bytes
                .iter()
                .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)),
        };
        let mask = if masked {
            let key = rest.get(extra..extra + 4)?;
            Some(<[u8; 4]>::try_from(key).ok()?)
        } else {
            None
        };
        let header = Self {
            fin: b0 & 0x80 != 0,
            rsv: (b0 >> 4) & 0b111,
            opcode: OpCode::new(b0),
            mask,
            payload_len,
            length_encoding,
        };
        Some((header, header.encoded_len()))
    }

    /// Decodes a header like [`parse`](Self::parse) and rejects non-minimal
    /// length encodings and 64-bit lengths with the top bit set.
    pub fn decode(buf: &[u8]) -> Result<Option<(Self, usize)>, FrameError> {
        match Self::parse(buf) {
            Some((header, used)) => header.check_length().map(|()| Some((header, used))),
            None => Ok(None),
        }
    }

    /// Checks the length rules of §5.2 (minimal encoding, 64-bit MSB clear).
    pub fn check_length(&self) -> Result<(), FrameError> {
        let length = self.payload_len;
        if self.length_encoding == LengthEncoding::Extended64 && length >> 63 != 0 {
            return Err(FrameError::LengthMsbSet { length });
        }
        if self.length_encoding != LengthEncoding::minimal_for(length) {
            return Err(FrameError::NonMinimalLength {
                length,
                encoding: self.length_encoding,
            });
        }
        Ok(())
    }

    /// How many bytes [`encode`](Self::encode) writes.
    pub const fn encoded_len(&self) -> usize {
        2 + self.length_encoding.extra_bytes() + if self.mask.is_some() { 4 } else { 0 }
    }

    /// Appends the header to `out` exactly as described, odd encodings included.
    ///
    /// A `payload_len` that does not fit the chosen encoding is truncated to
    /// it (7 or 16 low bits): that is what a deliberately odd frame asks for.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let b0 = (u8::from(self.fin) << 7) | ((self.rsv & 0b111) << 4) | self.opcode.value();
        let mask_bit = if self.mask.is_some() { 0x80 } else { 0 };
        out.push(b0);
        match self.length_encoding {
            LengthEncoding::Short => out.push(mask_bit | (self.payload_len as u8 & 0x7F)),
            LengthEncoding::Extended16 => {
                out.push(mask_bit | 126);
                out.extend_from_slice(&(self.payload_len as u16).to_be_bytes());
            }
            LengthEncoding::Extended64 => {
                out.push(mask_bit | 127);
                out.extend_from_slice(&self.payload_len.to_be_bytes());
            }
        }
        if let Some(key) = self.mask {
            out.extend_from_slice(&key);
        }
    }
}

/// Appends a whole frame: `header` (its `payload_len` is used as written) and
/// `payload`, masked with the header's key if it has one.
pub fn encode_frame(header: &FrameHeader, payload: &[u8], out: &mut Vec<u8>) {
    header.encode(out);
    let start = out.len();
    out.extend_from_slice(payload);
    if let Some(key) = header.mask {
        apply_mask(&mut out[start..], key, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `bytes` to the strict decoder cut at every position: every
    /// proper prefix needs more bytes, the whole gives `expected`.
    fn decode_at_every_split(bytes: &[u8], expected: FrameHeader) {
        for cut in 0..bytes.len() {
            assert_eq!(FrameHeader::decode(&bytes[..cut]), Ok(None), "cut {cut}");
        }
        assert_eq!(
            FrameHeader::decode(bytes),
            Ok(Some((expected, bytes.len())))
        );
        let mut out = Vec::new();
        expected.encode(&mut out);
        assert_eq!(out, bytes);
    }

    #[test]
    fn short_unmasked_text() {
        decode_at_every_split(&[0x81, 0x05], FrameHeader::new(true, OpCode::TEXT, None, 5));
    }

    #[test]
    fn masked_with_16_bit_length() {
        let bytes = [0x82, 0xFE, 0x01, 0x00, 1, 2, 3, 4];
        decode_at_every_split(
            &bytes,
            FrameHeader::new(true, OpCode::BINARY, Some([1, 2, 3, 4]), 256),
        );
    }

    #[test]
    fn sixty_four_bit_length() {
        let bytes = [0x02, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0];
        decode_at_every_split(&bytes, FrameHeader::new(false, OpCode::BINARY, None, 65536));
    }

    #[test]
    fn rsv_and_reserved_opcode_survive() {
        let bytes = [0x7B, 0x00];
        let (h, n) = FrameHeader::parse(&bytes).expect("complete header");
        assert_eq!(n, 2);
        assert!(!h.fin);
        assert_eq!(h.rsv, RSV1 | RSV2 | RSV3);
        assert_eq!(h.opcode, OpCode::new(0xB));
        assert!(h.opcode.is_reserved() && h.opcode.is_control());
    }

    #[test]
    fn non_minimal_lengths_are_detected() {
        let in16 = [0x81, 0x7E, 0x00, 0x7D];
        assert_eq!(
            FrameHeader::decode(&in16),
            Err(FrameError::NonMinimalLength {
                length: 125,
                encoding: LengthEncoding::Extended16
            })
        );
        let in64 = [0x81, 0x7F, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF];
        assert!(matches!(
            FrameHeader::decode(&in64),
            Err(FrameError::NonMinimalLength { length: 0xFFFF, .. })
        ));
        // The lenient parser still reads them and the encoder reproduces them.
        let (h, _) = FrameHeader::parse(&in64).expect("complete header");
        let mut out = Vec::new();
        h.encode(&mut out);
        assert_eq!(out, in64);
    }

    #[test]
    fn msb_of_64_bit_length_is_detected() {
        let bytes = [0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            FrameHeader::decode(&bytes),
            Err(FrameError::LengthMsbSet { length: 1 << 63 })
        );
    }

    #[test]
    fn encode_frame_masks_payload() {
        let mut out = Vec::new();
        let h = FrameHeader::new(true, OpCode::TEXT, Some([0x37, 0xfa, 0x21, 0x3d]), 5);
        encode_frame(&h, b"Hello", &mut out);
        assert_eq!(
            out,
            [
                0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58
            ]
        );
    }
}
