//! Close frame payloads (RFC 6455 §5.5.1, §7.4): which codes may be received
//! and sent, and the UTF-8 rule for the reason.

use crate::error::{ProtocolError, SendError};

/// A close status code. Open, so any received value can be represented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CloseCode(pub u16);

impl CloseCode {
    /// 1000: normal closure.
    pub const NORMAL: Self = Self(1000);
    /// 1001: going away.
    pub const GOING_AWAY: Self = Self(1001);
    /// 1002: protocol error.
    pub const PROTOCOL_ERROR: Self = Self(1002);
    /// 1003: unsupported data.
    pub const UNSUPPORTED_DATA: Self = Self(1003);
    /// 1005: no status received (never on the wire).
    pub const NO_STATUS: Self = Self(1005);
    /// 1006: abnormal closure (never on the wire).
    pub const ABNORMAL: Self = Self(1006);
    /// 1007: invalid frame payload data (e.g. bad UTF-8).
    pub const INVALID_PAYLOAD: Self = Self(1007);
    /// 1008: policy violation.
    pub const POLICY_VIOLATION: Self = Self(1008);
    /// 1009: message too big.
    pub const MESSAGE_TOO_BIG: Self = Self(1009);
    /// 1010: a required extension was not negotiated.
    pub const MANDATORY_EXTENSION: Self = Self(1010);
    /// 1011: internal error.
    pub const INTERNAL_ERROR: Self = Self(1011);
    /// 1015: TLS handshake failure (never on the wire).
    pub const TLS_HANDSHAKE: Self = Self(1015);

    /// The numeric value.
    pub const fn value(self) -> u16 {
        self.0
    }

    /// Whether a peer may put this code on the wire: 1000-1003, 1007-1014
    /// (1012-1014 are IANA-registered) and 3000-4999. Everything else —
    /// 0-999, 1004-1006, 1015, 1016-2999, 5000 and above — is a protocol error.
    pub const fn is_valid_on_wire(self) -> bool {
        matches!(self.0, 1000..=1003 | 1007..=1014 | 3000..=4999)
    }
}

/// A parsed close frame body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CloseFrame {
    /// The status code.
    pub code: CloseCode,
    /// The reason, valid UTF-8, at most 123 bytes.
    pub reason: String,
}

/// Parses a received close payload: `Ok(None)` for an empty body.
pub fn parse_close_payload(payload: &[u8]) -> Result<Option<CloseFrame>, ProtocolError> {
    let (code, reason) = match payload {
        [] => return Ok(None),
        [_] => return Err(ProtocolError::CloseTooShort),
        [hi, lo, reason @ ..] => (CloseCode(u16::from_be_bytes([*hi, *lo])), reason),
    };
    if !code.is_valid_on_wire() {
        return Err(ProtocolError::InvalidCloseCode { code });
    }
    let reason = simdutf8::compat::from_utf8(reason)
        .map_err(|e| ProtocolError::InvalidCloseReason {
            offset: e.valid_up_to(),
        })?
        .to_owned();
    Ok(Some(CloseFrame { code, reason }))
}

/// Builds a close payload we may send: the code must be valid on the wire and
/// the whole body must fit a control frame (reason at most 123 bytes).
pub fn close_payload(code: CloseCode, reason: &str) -> Result<Vec<u8>, SendError> {
    if !code.is_valid_on_wire() {
        return Err(SendError::InvalidCloseCode { code });
    }
    if reason.len() > 123 {
        return Err(SendError::CloseReasonTooLong {
            length: reason.len(),
        });
    }
    let mut out = Vec::with_capacity(2 + reason.len());
    out.extend_from_slice(&code.0.to_be_bytes());
    out.extend_from_slice(reason.as_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_code(code: u16) -> Vec<u8> {
        code.to_be_bytes().to_vec()
    }

    #[test]
    fn empty_is_ok_and_one_byte_is_not() {
        assert_eq!(parse_close_payload(&[]), Ok(None));
        assert_eq!(parse_close_payload(b"a"), Err(ProtocolError::CloseTooShort));
    }

    #[test]
    fn receivable_codes() {
        for code in [
            1000, 1001, 1002, 1003, 1007, 1010, 1011, 1012, 1014, 3000, 3999, 4000, 4999,
        ] {
            let frame = parse_close_payload(&with_code(code)).expect("valid code");
            assert_eq!(frame.map(|f| f.code), Some(CloseCode(code)), "{code}");
        }
        for code in [
            0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535,
        ] {
            assert_eq!(
                parse_close_payload(&with_code(code)),
                Err(ProtocolError::InvalidCloseCode {
                    code: CloseCode(code)
                }),
                "{code}"
            );
            assert_eq!(
                ProtocolError::InvalidCloseCode {
                    code: CloseCode(code)
                }
                .close_code(),
                CloseCode(1002)
            );
        }
    }

    #[test]
    fn reason_must_be_utf8() {
        let mut p = with_code(1000);
        p.extend_from_slice(b"ok \xce\xba");
        assert_eq!(
            parse_close_payload(&p).map(|f| f.map(|f| f.reason)),
            Ok(Some("ok κ".to_owned()))
        );
        let mut bad = with_code(1000);
        bad.extend_from_slice(b"\xce\xba\xed\xa0\x80");
        let err = parse_close_payload(&bad);
        assert_eq!(err, Err(ProtocolError::InvalidCloseReason { offset: 2 }));
        assert_eq!(
            ProtocolError::InvalidCloseReason { offset: 2 }.close_code(),
            CloseCode::INVALID_PAYLOAD
        );
    }

    #[test]
    fn what_we_may_send() {
        for code in [1005, 1006, 1015, 999, 5000] {
            assert_eq!(
                close_payload(CloseCode(code), ""),
                Err(SendError::InvalidCloseCode {
                    code: CloseCode(code)
                })
            );
        }
        assert_eq!(
            close_payload(CloseCode::NORMAL, "bye"),
            Ok(b"\x03\xe8bye".to_vec())
        );
        assert!(close_payload(CloseCode::NORMAL, &"x".repeat(123)).is_ok());
        assert_eq!(
            close_payload(CloseCode::NORMAL, &"x".repeat(124)),
            Err(SendError::CloseReasonTooLong { length: 124 })
        );
    }
}
