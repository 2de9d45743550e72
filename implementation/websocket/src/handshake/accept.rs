//! `Sec-WebSocket-Key` / `Sec-WebSocket-Accept` (RFC 6455 §1.3, §4.2.2).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha1::{Digest as _, Sha1};

/// The GUID RFC 6455 appends to the key before hashing.
pub const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64(SHA-1(key + GUID)).
pub fn accept_key(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(GUID.as_bytes());
    STANDARD.encode(sha.finalize())
}

/// The `Sec-WebSocket-Key` value for 16 nonce bytes.
pub(crate) fn encode_key(nonce: &[u8; 16]) -> String {
    STANDARD.encode(nonce)
}

/// Whether `key` is the canonical base64 of exactly 16 bytes (§4.2.1 item 5).
pub(crate) fn is_valid_key(key: &str) -> bool {
    key.len() == 24 && STANDARD.decode(key).is_ok_and(|raw| raw.len() == 16)
}

/// The 16 nonce bytes of a valid key.
pub(crate) fn decode_key(key: &str) -> Option<[u8; 16]> {
    STANDARD.decode(key).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value printed in RFC 6455 §1.3 (and reproduced by any SHA-1).
    #[test]
    fn rfc6455_section_1_3_example() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn key_validation() {
        assert!(is_valid_key("dGhlIHNhbXBsZSBub25jZQ=="));
        assert_eq!(
            decode_key("dGhlIHNhbXBsZSBub25jZQ=="),
            Some(*b"the sample nonce")
        );
        assert_eq!(encode_key(b"the sample nonce"), "dGhlIHNhbXBsZSBub25jZQ==");
        for bad in [
            "",
            "dGhlIHNhbXBsZSBub25jZQ",     // no padding
            "dGhlIHNhbXBsZSBub25jZR==",   // non-canonical trailing bits
            "dGhlIHNhbXBsZSBub25jZXg=",   // 17 bytes
            "dGhlIHNhbXBsZSBub25j",       // 15 bytes
            "dGhlIHNhbXBsZSBub25jZQ==\t", // trailing junk
            "dGhl IHNhbXBsZSBub25jZQ==",
        ] {
            assert!(!is_valid_key(bad), "{bad:?}");
        }
    }
}
