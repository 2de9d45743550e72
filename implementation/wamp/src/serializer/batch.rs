//! WebSocket subprotocols and RawSocket serializer IDs, and the batched WebSocket variants
//! (`advanced/transport_batched_websocket.md`).
//!
//! Batched JSON terminates every message with a separator byte. The spec text says "`\30`
//! (record separator) octet `0x1e`", but `\30` is octal for 0x18, which is what Autobahn and
//! Crossbar send and require; both are offered ([`JsonSeparator`]). Batched MessagePack (and,
//! as Autobahn does, CBOR) prefix every message with its 4-byte big-endian length. An empty
//! batch is illegal.

use super::{Cbor, DecodeError, EncodeError, FormatError, Json, MsgPack, Serializer};
use crate::message::Message;

/// The byte that ends each message of a `wamp.2.json.batched` frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JsonSeparator {
    /// 0x1E, the ASCII record separator the spec text names.
    #[default]
    RecordSeparator,
    /// 0x18, what Autobahn and Crossbar implement (`b"\30"` in Python is octal).
    Autobahn,
}

impl JsonSeparator {
    /// The separator byte.
    pub fn byte(self) -> u8 {
        match self {
            JsonSeparator::RecordSeparator => 0x1e,
            JsonSeparator::Autobahn => 0x18,
        }
    }
}

/// A negotiated serialization: what one WebSocket message (or RawSocket frame) carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serialization {
    /// `wamp.2.json` (text frames).
    Json,
    /// `wamp.2.msgpack` (binary frames).
    MsgPack,
    /// `wamp.2.cbor` (binary frames).
    Cbor,
    /// `wamp.2.json.batched`.
    JsonBatched(JsonSeparator),
    /// `wamp.2.msgpack.batched`.
    MsgPackBatched,
    /// `wamp.2.cbor.batched`.
    CborBatched,
}

impl Serialization {
    /// Every serialization, in preference order for subprotocol negotiation.
    pub const ALL: [Serialization; 6] = [
        Serialization::Cbor,
        Serialization::MsgPack,
        Serialization::Json,
        Serialization::CborBatched,
        Serialization::MsgPackBatched,
        Serialization::JsonBatched(JsonSeparator::RecordSeparator),
    ];

    /// The WebSocket subprotocol name.
    pub fn subprotocol(self) -> &'static str {
        match self {
            Serialization::Json => "wamp.2.json",
            Serialization::MsgPack => "wamp.2.msgpack",
            Serialization::Cbor => "wamp.2.cbor",
            Serialization::JsonBatched(_) => "wamp.2.json.batched",
            Serialization::MsgPackBatched => "wamp.2.msgpack.batched",
            Serialization::CborBatched => "wamp.2.cbor.batched",
        }
    }

    /// The serialization for a subprotocol name (batched JSON with the spec's separator).
    pub fn from_subprotocol(name: &str) -> Option<Serialization> {
        Serialization::ALL
            .into_iter()
            .find(|s| s.subprotocol() == name)
    }

    /// The RawSocket handshake serializer ID (1 JSON, 2 MessagePack, 3 CBOR); RawSocket has
    /// no batched variants.
    pub fn raw_socket_id(self) -> Option<u8> {
        match self {
            Serialization::Json => Some(1),
            Serialization::MsgPack => Some(2),
            Serialization::Cbor => Some(3),
            _ => None,
        }
    }

    /// The serialization for a RawSocket serializer ID.
    pub fn from_raw_socket_id(id: u8) -> Option<Serialization> {
        match id {
            1 => Some(Serialization::Json),
            2 => Some(Serialization::MsgPack),
            3 => Some(Serialization::Cbor),
            _ => None,
        }
    }

    /// Whether WebSocket messages are text (JSON) rather than binary.
    pub fn is_text(self) -> bool {
        matches!(self, Serialization::Json | Serialization::JsonBatched(_))
    }

    /// Whether one frame may carry several messages.
    pub fn is_batched(self) -> bool {
        matches!(
            self,
            Serialization::JsonBatched(_)
                | Serialization::MsgPackBatched
                | Serialization::CborBatched
        )
    }

    fn serializer(self) -> &'static dyn Serializer {
        match self {
            Serialization::Json | Serialization::JsonBatched(_) => &Json,
            Serialization::MsgPack | Serialization::MsgPackBatched => &MsgPack,
            Serialization::Cbor | Serialization::CborBatched => &Cbor,
        }
    }

    /// Decodes one frame into its messages (exactly one unless batched).
    pub fn decode(self, frame: &[u8]) -> Result<Vec<Message>, DecodeError> {
        let ser = self.serializer();
        match self {
            Serialization::JsonBatched(sep) => split_separated(frame, sep.byte())?
                .into_iter()
                .map(|item| ser.decode(item))
                .collect(),
            Serialization::MsgPackBatched | Serialization::CborBatched => split_prefixed(frame)?
                .into_iter()
                .map(|item| ser.decode(item))
                .collect(),
            _ => Ok(vec![ser.decode(frame)?]),
        }
    }

    /// Encodes messages into one frame; a non-batched serialization takes exactly one.
    pub fn encode(self, messages: &[Message]) -> Result<Vec<u8>, EncodeError> {
        let ser = self.serializer();
        if !self.is_batched() {
            return match messages {
                [one] => ser.encode(one),
                _ => Err(EncodeError::NotOneMessage {
                    count: messages.len(),
                }),
            };
        }
        if messages.is_empty() {
            return Err(EncodeError::EmptyBatch);
        }
        let mut frame = Vec::new();
        for message in messages {
            let bytes = ser.encode(message)?;
            match self {
                Serialization::JsonBatched(sep) => {
                    frame.extend_from_slice(&bytes);
                    frame.push(sep.byte());
                }
                _ => {
                    let len = u32::try_from(bytes.len()).map_err(|_| EncodeError::TooLong {
                        what: "batch item",
                        len: bytes.len(),
                    })?;
                    frame.extend_from_slice(&len.to_be_bytes());
                    frame.extend_from_slice(&bytes);
                }
            }
        }
        Ok(frame)
    }
}

/// Splits a batched JSON frame; every message, the last included, ends with `sep`.
fn split_separated(frame: &[u8], sep: u8) -> Result<Vec<&[u8]>, FormatError> {
    if frame.is_empty() {
        return Err(FormatError::EmptyBatch);
    }
    let Some(body) = frame.strip_suffix(&[sep]) else {
        return Err(FormatError::MissingSeparator { separator: sep });
    };
    let mut items = Vec::new();
    let mut offset = 0;
    for item in body.split(|b| *b == sep) {
        if item.is_empty() {
            return Err(FormatError::EmptyBatchItem { offset });
        }
        items.push(item);
        offset += item.len() + 1;
    }
    Ok(items)
}

/// Splits a length-prefixed batch frame.
fn split_prefixed(frame: &[u8]) -> Result<Vec<&[u8]>, FormatError> {
    if frame.is_empty() {
        return Err(FormatError::EmptyBatch);
    }
    let mut items = Vec::new();
    let mut rest = frame;
    let mut offset = 0;
    while !rest.is_empty() {
        let Some((prefix, after)) = rest.split_first_chunk::<4>() else {
            return Err(FormatError::Truncated {
                offset: offset + rest.len(),
            });
        };
        let declared = usize::try_from(u32::from_be_bytes(*prefix)).unwrap_or(usize::MAX);
        if declared == 0 {
            return Err(FormatError::EmptyBatchItem { offset });
        }
        let Some((item, tail)) = after.split_at_checked(declared) else {
            return Err(FormatError::BatchItemTruncated {
                offset,
                declared,
                available: after.len(),
            });
        };
        items.push(item);
        offset += 4 + declared;
        rest = tail;
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_messages() -> Vec<Message> {
        vec![
            Message::goodbye("wamp.close.close_realm"),
            Message::abort("wamp.error.protocol_violation", "x"),
        ]
    }

    #[test]
    fn every_serialization_round_trips() {
        for ser in Serialization::ALL
            .into_iter()
            .chain([Serialization::JsonBatched(JsonSeparator::Autobahn)])
        {
            let one = &two_messages()[..1];
            assert_eq!(
                ser.decode(&ser.encode(one).unwrap()).unwrap(),
                one,
                "{ser:?}"
            );
            if ser.is_batched() {
                let both = two_messages();
                assert_eq!(ser.decode(&ser.encode(&both).unwrap()).unwrap(), both);
            } else {
                assert!(ser.encode(&two_messages()).is_err());
            }
        }
    }

    #[test]
    fn batch_framing_errors() {
        let json = Serialization::JsonBatched(JsonSeparator::RecordSeparator);
        let cases: &[(Serialization, &[u8])] = &[
            (json, b""),
            (json, b"[6,{},\"a.b\"]"),
            (json, b"[6,{},\"a.b\"]\x1e\x1e"),
            (json, b"[6,{},\"a.b\"]\x18"),
            (Serialization::MsgPackBatched, b""),
            (Serialization::MsgPackBatched, b"\x00\x00\x00"),
            (Serialization::MsgPackBatched, b"\x00\x00\x00\x00"),
            (Serialization::MsgPackBatched, b"\x00\x00\x00\x05\x93"),
            (Serialization::CborBatched, b"\xff\xff\xff\xff\x83"),
        ];
        for (ser, frame) in cases {
            assert!(ser.decode(frame).is_err(), "{ser:?} accepted {frame:?}");
        }
    }

    #[test]
    fn names_and_ids() {
        for ser in Serialization::ALL {
            assert_eq!(
                Serialization::from_subprotocol(ser.subprotocol()),
                Some(ser)
            );
            if let Some(id) = ser.raw_socket_id() {
                assert_eq!(Serialization::from_raw_socket_id(id), Some(ser));
            }
        }
        assert_eq!(Serialization::from_subprotocol("wamp.2.ubjson"), None);
        assert!(Serialization::Json.is_text() && !Serialization::Cbor.is_text());
    }
}
