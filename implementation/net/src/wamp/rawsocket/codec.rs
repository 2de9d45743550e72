//! The RawSocket wire format, sans I/O (`advanced/transport_rawsocket.md`): the 4-octet
//! handshake `0x7F | LLLL SSSS | 0x00 | 0x00`, its error reply `0x7F | EEEE 0000 | 0 | 0`,
//! and the 4-octet frame header `RRRR XTTT | 24-bit length`.

use ampel_wamp::Serialization;

use super::RawSocketError;

/// The first octet of every handshake: it cannot start an HTTP request, so a port can carry
/// both RawSocket and WebSocket.
pub const MAGIC: u8 = 0x7F;

/// The largest message RawSocket can carry: 2^24 octets (16 MiB, the `X` bit alone).
pub const MAX_FRAME_LENGTH: u32 = 1 << 24;

/// A maximum message length as announced in the handshake: 2^(9+exponent) octets,
/// exponent 0 (512 B) to 15 (16 MiB).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MaxLength(u8);

impl MaxLength {
    /// 512 octets.
    pub const MIN: MaxLength = MaxLength(0);
    /// 16 MiB.
    pub const MAX: MaxLength = MaxLength(15);

    /// The length with this exponent, if it is 0..=15.
    pub const fn from_exponent(exponent: u8) -> Option<MaxLength> {
        if exponent <= 15 {
            Some(MaxLength(exponent))
        } else {
            None
        }
    }

    /// The smallest announceable length that is at least `bytes` (16 MiB at most).
    pub fn at_least(bytes: u32) -> MaxLength {
        (0..=15)
            .map(MaxLength)
            .find(|m| m.bytes() >= bytes)
            .unwrap_or(MaxLength::MAX)
    }

    /// The 4-bit exponent `LLLL`.
    pub const fn exponent(self) -> u8 {
        self.0
    }

    /// The length in octets.
    pub const fn bytes(self) -> u32 {
        1 << (9 + self.0 as u32)
    }
}

/// Why a router refused a handshake (the `EEEE` nibble of an error reply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefusalCode {
    /// 1: serializer unsupported.
    SerializerUnsupported,
    /// 2: maximum message length unacceptable.
    MaxLengthUnacceptable,
    /// 3: use of reserved bits (unsupported feature).
    ReservedBits,
    /// 4: maximum connection count reached.
    MaxConnections,
    /// 0 (illegal) or 5..=15 (reserved): what the peer sent, kept for the error message.
    Other(u8),
}

impl RefusalCode {
    /// The code as its 4-bit value.
    pub fn code(self) -> u8 {
        match self {
            RefusalCode::SerializerUnsupported => 1,
            RefusalCode::MaxLengthUnacceptable => 2,
            RefusalCode::ReservedBits => 3,
            RefusalCode::MaxConnections => 4,
            RefusalCode::Other(c) => c & 0x0F,
        }
    }

    /// The code for a 4-bit value.
    pub fn from_code(code: u8) -> RefusalCode {
        match code {
            1 => RefusalCode::SerializerUnsupported,
            2 => RefusalCode::MaxLengthUnacceptable,
            3 => RefusalCode::ReservedBits,
            4 => RefusalCode::MaxConnections,
            other => RefusalCode::Other(other),
        }
    }

    /// The error reply carrying this code.
    pub fn reply(self) -> [u8; 4] {
        [MAGIC, self.code() << 4, 0, 0]
    }
}

impl std::fmt::Display for RefusalCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RefusalCode::SerializerUnsupported => f.write_str("serializer unsupported (1)"),
            RefusalCode::MaxLengthUnacceptable => {
                f.write_str("maximum message length unacceptable (2)")
            }
            RefusalCode::ReservedBits => f.write_str("use of reserved bits (3)"),
            RefusalCode::MaxConnections => f.write_str("maximum connection count reached (4)"),
            RefusalCode::Other(c) => write!(f, "illegal or reserved error code {c}"),
        }
    }
}

/// A handshake: the client's request, or the router's success reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handshake {
    /// The longest message the sender is willing to receive.
    pub max_length: MaxLength,
    /// The serializer ID `SSSS` (1 JSON, 2 MessagePack, 3 CBOR, 4 UBJSON, 5 FlatBuffers).
    pub serializer: u8,
}

impl Handshake {
    /// The 4 octets on the wire.
    pub fn encode(self) -> [u8; 4] {
        [
            MAGIC,
            (self.max_length.exponent() << 4) | (self.serializer & 0x0F),
            0,
            0,
        ]
    }
}

/// What a client's 4 handshake octets mean to a router.
///
/// `Err` with a reply: send that error reply, then close. `Err` without one (wrong magic):
/// close at once, since the peer does not speak RawSocket.
pub fn parse_request(octets: [u8; 4]) -> Result<Handshake, (Option<RefusalCode>, RawSocketError)> {
    let [magic, ls, r1, r2] = octets;
    if magic != MAGIC {
        return Err((None, RawSocketError::BadMagic { got: magic }));
    }
    if [r1, r2] != [0, 0] {
        return Err((
            Some(RefusalCode::ReservedBits),
            RawSocketError::ReservedOctets { octets: [r1, r2] },
        ));
    }
    let handshake = Handshake {
        max_length: MaxLength(ls >> 4),
        serializer: ls & 0x0F,
    };
    Ok(handshake)
}

/// What a router's 4 reply octets mean to a client that offered `offered`: the router's
/// receive limit, or why the handshake failed.
pub fn parse_reply(octets: [u8; 4], offered: u8) -> Result<MaxLength, RawSocketError> {
    let [magic, ls, r1, r2] = octets;
    if magic != MAGIC {
        return Err(RawSocketError::BadMagic { got: magic });
    }
    if ls & 0x0F == 0 {
        // An error reply: the low nibble is zero, the code is in the high nibble.
        return Err(RawSocketError::Refused {
            code: RefusalCode::from_code(ls >> 4),
        });
    }
    if [r1, r2] != [0, 0] {
        return Err(RawSocketError::ReservedOctets { octets: [r1, r2] });
    }
    if ls & 0x0F != offered {
        return Err(RawSocketError::SerializerMismatch {
            offered,
            echoed: ls & 0x0F,
        });
    }
    Ok(MaxLength(ls >> 4))
}

/// The serialization for a RawSocket serializer ID this crate implements.
pub fn serialization(id: u8) -> Option<Serialization> {
    Serialization::from_raw_socket_id(id)
}

/// The type `TTT` of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameKind {
    /// 0: a WAMP message.
    Message,
    /// 1: PING; answered by exactly one PONG echoing the payload.
    Ping,
    /// 2: PONG.
    Pong,
}

impl FrameKind {
    fn code(self) -> u8 {
        match self {
            FrameKind::Message => 0,
            FrameKind::Ping => 1,
            FrameKind::Pong => 2,
        }
    }
}

/// A decoded frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// The frame type.
    pub kind: FrameKind,
    /// The payload length (at most [`MAX_FRAME_LENGTH`]).
    pub length: u32,
}

impl FrameHeader {
    /// Decodes a header, checking the reserved bits and type and the length against `limit`.
    pub fn decode(octets: [u8; 4], limit: u32) -> Result<FrameHeader, RawSocketError> {
        let [first, l1, l2, l3] = octets;
        if first & 0xF0 != 0 {
            return Err(RawSocketError::ReservedFrameBits { header: octets });
        }
        let kind = match first & 0x07 {
            0 => FrameKind::Message,
            1 => FrameKind::Ping,
            2 => FrameKind::Pong,
            t => return Err(RawSocketError::ReservedFrameType { kind: t }),
        };
        let low = u32::from_be_bytes([0, l1, l2, l3]);
        let length = if first & 0x08 != 0 {
            // The 25th bit may only express exactly 2^24.
            if low != 0 {
                return Err(RawSocketError::BadLengthBit { header: octets });
            }
            MAX_FRAME_LENGTH
        } else {
            low
        };
        if length > limit {
            return Err(RawSocketError::FrameTooLarge { length, limit });
        }
        Ok(FrameHeader { kind, length })
    }

    /// Encodes a header for a payload of `length` octets (at most [`MAX_FRAME_LENGTH`]).
    pub fn encode(kind: FrameKind, length: u32) -> Option<[u8; 4]> {
        if length > MAX_FRAME_LENGTH {
            return None;
        }
        let [_, l1, l2, l3] = length.to_be_bytes();
        let x = if length == MAX_FRAME_LENGTH { 0x08 } else { 0 };
        Some([x | kind.code(), l1, l2, l3])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_length_exponents() {
        assert_eq!(MaxLength::MIN.bytes(), 512);
        assert_eq!(MaxLength::MAX.bytes(), 16 << 20);
        assert_eq!(MaxLength::from_exponent(16), None);
        assert_eq!(MaxLength::at_least(512), MaxLength::MIN);
        assert_eq!(MaxLength::at_least(513).bytes(), 1024);
        assert_eq!(MaxLength::at_least(1 << 20).bytes(), 1 << 20);
        assert_eq!(MaxLength::at_least(u32::MAX), MaxLength::MAX);
    }

    #[test]
    fn handshake_bytes() {
        let h = Handshake {
            max_length: MaxLength::MAX,
            serializer: 1,
        };
        assert_eq!(h.encode(), [0x7F, 0xF1, 0, 0]);
        assert_eq!(parse_request([0x7F, 0xF1, 0, 0]), Ok(h));
        assert_eq!(
            parse_request([0x47, 0x45, 0x54, 0x20]),
            Err((None, RawSocketError::BadMagic { got: b'G' }))
        );
        assert_eq!(
            parse_request([0x7F, 0xF1, 0x12, 0x34]),
            Err((
                Some(RefusalCode::ReservedBits),
                RawSocketError::ReservedOctets {
                    octets: [0x12, 0x34]
                }
            ))
        );
    }

    #[test]
    fn replies() {
        assert_eq!(parse_reply([0x7F, 0xB1, 0, 0], 1), Ok(MaxLength(11)));
        assert_eq!(RefusalCode::MaxConnections.reply(), [0x7F, 0x40, 0, 0]);
        for code in 0..16 {
            let c = RefusalCode::from_code(code);
            assert_eq!(c.code(), code);
            assert_eq!(
                parse_reply(c.reply(), 2),
                Err(RawSocketError::Refused { code: c })
            );
        }
        assert_eq!(
            parse_reply([0x7F, 0xB2, 0, 0], 1),
            Err(RawSocketError::SerializerMismatch {
                offered: 1,
                echoed: 2
            })
        );
        assert_eq!(
            parse_reply([0x7F, 0xB1, 0, 1], 1),
            Err(RawSocketError::ReservedOctets { octets: [0, 1] })
        );
        assert_eq!(
            parse_reply([0x00, 0xB1, 0, 0], 1),
            Err(RawSocketError::BadMagic { got: 0 })
        );
    }

    #[test]
    fn frame_headers() {
        let limit = MAX_FRAME_LENGTH;
        for (kind, len) in [
            (FrameKind::Message, 0),
            (FrameKind::Ping, 1),
            (FrameKind::Pong, 0xFF_FFFF),
            (FrameKind::Message, MAX_FRAME_LENGTH),
        ] {
            let h = FrameHeader::encode(kind, len).unwrap();
            assert_eq!(
                FrameHeader::decode(h, limit),
                Ok(FrameHeader { kind, length: len })
            );
        }
        assert_eq!(
            FrameHeader::encode(FrameKind::Message, MAX_FRAME_LENGTH),
            Some([0x08, 0, 0, 0])
        );
        assert_eq!(
            FrameHeader::encode(FrameKind::Message, MAX_FRAME_LENGTH + 1),
            None
        );
        assert_eq!(
            FrameHeader::decode([0x10, 0, 0, 1], limit),
            Err(RawSocketError::ReservedFrameBits {
                header: [0x10, 0, 0, 1]
            })
        );
        for t in 3..8 {
            assert_eq!(
                FrameHeader::decode([t, 0, 0, 1], limit),
                Err(RawSocketError::ReservedFrameType { kind: t })
            );
        }
        assert_eq!(
            FrameHeader::decode([0x08, 0, 0, 1], limit),
            Err(RawSocketError::BadLengthBit {
                header: [0x08, 0, 0, 1]
            })
        );
        assert_eq!(
            FrameHeader::decode([0, 0, 2, 1], 512),
            Err(RawSocketError::FrameTooLarge {
                length: 513,
                limit: 512
            })
        );
        assert_eq!(
            FrameHeader::decode([0, 0, 2, 0], 512),
            Ok(FrameHeader {
                kind: FrameKind::Message,
                length: 512
            })
        );
    }

    #[test]
    fn every_header_decodes_without_panic() {
        for first in 0..=255u8 {
            for l in [0u8, 1, 0x80, 0xFF] {
                let _ = FrameHeader::decode([first, l, l, l], 1 << 20);
                let _ = parse_request([first, l, first, l]);
                let _ = parse_reply([first, l, 0, 0], 1);
            }
        }
    }
}
