//! Role-aware frame rules (RFC 6455 §5): masking direction, RSV bits, reserved
//! opcodes, control frame limits, fragmentation sequence and size limits.

use crate::error::ProtocolError;
use crate::frame::{FrameHeader, OpCode, RSV1};

/// Which end of the connection we are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// We opened the connection: our frames are masked, the server's are not.
    Client,
    /// We accepted it: the client's frames must be masked.
    Server,
}

/// Size limits on received data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The largest single frame payload accepted.
    pub max_frame_size: u64,
    /// The largest message accepted (the sum of its frames).
    pub max_message_size: u64,
}

impl Default for Limits {
    /// 32 MiB frames and 64 MiB messages: above Autobahn section 9's 16 MiB.
    fn default() -> Self {
        Self {
            max_frame_size: 32 << 20,
            max_message_size: 64 << 20,
        }
    }
}

/// Kind of a data message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// UTF-8 text.
    Text,
    /// Arbitrary bytes.
    Binary,
}

/// What an accepted header starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameClass {
    /// A control frame (close, ping or pong).
    Control,
    /// The first frame of a new data message.
    MessageStart(MessageKind),
    /// A continuation of the message in progress.
    Continuation(MessageKind),
}

/// Checks received headers one after another; tracks the message in progress.
#[derive(Debug, Clone)]
pub struct FrameValidator {
    role: Role,
    permitted_rsv: u8,
    limits: Limits,
    /// The message in progress and its length so far.
    message: Option<(MessageKind, u64)>,
}

impl FrameValidator {
    /// A validator for frames received by `role`. `permitted_rsv` holds the
    /// RSV bits negotiated extensions give a meaning (0 without extensions);
    /// RSV1, when permitted, is only legal on the first frame of a data
    /// message (RFC 7692 §6).
    pub const fn new(role: Role, permitted_rsv: u8, limits: Limits) -> Self {
        Self {
            role,
            permitted_rsv,
            limits,
            message: None,
        }
    }

    /// The kind of the fragmented message in progress, if any.
    pub fn message_in_progress(&self) -> Option<MessageKind> {
        self.message.map(|(kind, _)| kind)
    }

    /// Checks one header and, when it is accepted, advances the sequence state.
    pub fn check(&mut self, h: &FrameHeader) -> Result<FrameClass, ProtocolError> {
        h.check_length()?;
        match (self.role, h.mask.is_some()) {
            (Role::Server, false) => return Err(ProtocolError::UnmaskedClientFrame),
            (Role::Client, true) => return Err(ProtocolError::MaskedServerFrame),
            _ => {}
        }
        if h.opcode.is_reserved() {
            return Err(ProtocolError::ReservedOpcode { opcode: h.opcode });
        }
        let starts_data_message = !h.opcode.is_control() && h.opcode != OpCode::CONTINUATION;
        let mut allowed = self.permitted_rsv;
        if !starts_data_message {
            allowed &= !RSV1;
        }
        if h.rsv & !allowed != 0 {
            return Err(ProtocolError::ReservedBitsSet {
                rsv: h.rsv,
                opcode: h.opcode,
            });
        }
        if h.opcode.is_control() {
            if h.payload_len > 125 {
                return Err(ProtocolError::ControlFrameTooLong {
                    opcode: h.opcode,
                    length: h.payload_len,
                });
            }
            if !h.fin {
                return Err(ProtocolError::FragmentedControlFrame { opcode: h.opcode });
            }
            return Ok(FrameClass::Control);
        }
        if h.payload_len > self.limits.max_frame_size {
            return Err(ProtocolError::FrameTooBig {
                length: h.payload_len,
                max: self.limits.max_frame_size,
            });
        }
        let (class, kind, so_far) = match (h.opcode, self.message) {
            (OpCode::CONTINUATION, None) => return Err(ProtocolError::UnexpectedContinuation),
            (OpCode::CONTINUATION, Some((kind, len))) => {
                (FrameClass::Continuation(kind), kind, len)
            }
            (opcode, Some(_)) => return Err(ProtocolError::ExpectedContinuation { opcode }),
            (opcode, None) => {
                let kind = if opcode == OpCode::TEXT {
                    MessageKind::Text
                } else {
                    MessageKind::Binary
                };
                (FrameClass::MessageStart(kind), kind, 0)
            }
        };
        let length = so_far.saturating_add(h.payload_len);
        if length > self.limits.max_message_size {
            return Err(ProtocolError::MessageTooBig {
                length,
                max: self.limits.max_message_size,
            });
        }
        self.message = if h.fin { None } else { Some((kind, length)) };
        Ok(class)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::close::CloseCode;
    use crate::frame::{LengthEncoding, RSV2, RSV3};

    const KEY: Option<[u8; 4]> = Some([1, 2, 3, 4]);

    fn server() -> FrameValidator {
        FrameValidator::new(Role::Server, 0, Limits::default())
    }

    fn h(fin: bool, op: OpCode, len: u64) -> FrameHeader {
        FrameHeader::new(fin, op, KEY, len)
    }

    #[test]
    fn masking_direction_by_role() {
        let unmasked = FrameHeader::new(true, OpCode::TEXT, None, 1);
        assert_eq!(
            server().check(&unmasked),
            Err(ProtocolError::UnmaskedClientFrame)
        );
        let mut client = FrameValidator::new(Role::Client, 0, Limits::default());
        assert_eq!(
            client.check(&h(true, OpCode::TEXT, 1)),
            Err(ProtocolError::MaskedServerFrame)
        );
        assert_eq!(
            client.check(&unmasked),
            Ok(FrameClass::MessageStart(MessageKind::Text))
        );
    }

    #[test]
    fn reserved_opcodes() {
        for op in (3..=7).chain(11..=15) {
            let e = server().check(&h(true, OpCode::new(op), 0));
            assert_eq!(
                e,
                Err(ProtocolError::ReservedOpcode {
                    opcode: OpCode::new(op)
                })
            );
        }
    }

    #[test]
    fn rsv_bits_need_negotiation_and_rsv1_only_starts_messages() {
        for rsv in 1..=7 {
            let mut frame = h(true, OpCode::TEXT, 0);
            frame.rsv = rsv;
            assert!(matches!(
                server().check(&frame),
                Err(ProtocolError::ReservedBitsSet { .. })
            ));
        }
        let mut v = FrameValidator::new(Role::Server, RSV1, Limits::default());
        let mut first = h(false, OpCode::BINARY, 3);
        first.rsv = RSV1;
        assert!(v.check(&first).is_ok());
        let mut cont = h(true, OpCode::CONTINUATION, 3);
        cont.rsv = RSV1;
        assert!(matches!(
            v.check(&cont),
            Err(ProtocolError::ReservedBitsSet { .. })
        ));
        let mut ping = h(true, OpCode::PING, 0);
        ping.rsv = RSV1;
        assert!(matches!(
            v.check(&ping),
            Err(ProtocolError::ReservedBitsSet { .. })
        ));
        first.rsv = RSV2 | RSV3;
        assert!(matches!(
            v.check(&first),
            Err(ProtocolError::ReservedBitsSet { .. })
        ));
    }

    #[test]
    fn control_frame_rules() {
        assert_eq!(
            server().check(&h(true, OpCode::PING, 125)),
            Ok(FrameClass::Control)
        );
        assert_eq!(
            server().check(&h(true, OpCode::PING, 126)),
            Err(ProtocolError::ControlFrameTooLong {
                opcode: OpCode::PING,
                length: 126
            })
        );
        assert_eq!(
            server().check(&h(false, OpCode::PONG, 9)),
            Err(ProtocolError::FragmentedControlFrame {
                opcode: OpCode::PONG
            })
        );
    }

    #[test]
    fn fragmentation_sequence() {
        let mut v = server();
        assert_eq!(
            v.check(&h(true, OpCode::CONTINUATION, 1)),
            Err(ProtocolError::UnexpectedContinuation)
        );
        assert_eq!(
            v.check(&h(false, OpCode::TEXT, 1)),
            Ok(FrameClass::MessageStart(MessageKind::Text))
        );
        assert_eq!(v.check(&h(true, OpCode::PING, 0)), Ok(FrameClass::Control));
        assert_eq!(
            v.check(&h(true, OpCode::TEXT, 1)),
            Err(ProtocolError::ExpectedContinuation {
                opcode: OpCode::TEXT
            })
        );
        assert_eq!(
            v.check(&h(false, OpCode::CONTINUATION, 1)),
            Ok(FrameClass::Continuation(MessageKind::Text))
        );
        assert_eq!(
            v.check(&h(true, OpCode::CONTINUATION, 1)),
            Ok(FrameClass::Continuation(MessageKind::Text))
        );
        assert_eq!(v.message_in_progress(), None);
    }

    #[test]
    fn size_limits_map_to_1009() {
        let limits = Limits {
            max_frame_size: 10,
            max_message_size: 15,
        };
        let mut v = FrameValidator::new(Role::Server, 0, limits);
        let e = v.check(&h(true, OpCode::BINARY, 11));
        assert_eq!(
            e,
            Err(ProtocolError::FrameTooBig {
                length: 11,
                max: 10
            })
        );
        assert!(v.check(&h(false, OpCode::BINARY, 10)).is_ok());
        let e = v.check(&h(true, OpCode::CONTINUATION, 6));
        assert_eq!(
            e,
            Err(ProtocolError::MessageTooBig {
                length: 16,
                max: 15
            })
        );
        assert_eq!(
            e.map_err(|e| e.close_code()),
            Err(CloseCode::MESSAGE_TOO_BIG)
        );
    }

    #[test]
    fn length_encoding_rules() {
        let mut frame = h(true, OpCode::BINARY, 5);
        frame.length_encoding = LengthEncoding::Extended16;
        assert!(matches!(
            server().check(&frame),
            Err(ProtocolError::NonMinimalLength { .. })
        ));
        let mut huge = h(true, OpCode::BINARY, 1 << 63);
        huge.length_encoding = LengthEncoding::Extended64;
        assert!(matches!(
            server().check(&huge),
            Err(ProtocolError::LengthMsbSet { .. })
        ));
    }
}
