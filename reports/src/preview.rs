//! Payload previews cut the way Autobahn cuts them, so per-case JSON reads the same.
//!
//! Autobahn keeps data of at most 60 bytes whole; longer data is cut to its first 64 bytes
//! followed by `" ..."`. The result is shown as UTF-8 text, or as `0x` + hex when the (cut)
//! bytes are not valid UTF-8. Octet rows are always hex.

use std::fmt::Write as _;

/// Data longer than this is cut.
const KEEP_WHOLE_MAX: usize = 60;
/// How many bytes a cut keeps.
const CUT_LEN: usize = 64;
/// Appended after a cut.
const ELLIPSIS: &str = " ...";

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The bytes a preview shows: all of `head` when the whole payload (`total_len` bytes) is
/// short, else its first 64 bytes; and whether it was cut.
fn shown(head: &[u8], total_len: usize) -> (&[u8], bool) {
    if total_len > KEEP_WHOLE_MAX {
        (head.get(..CUT_LEN).unwrap_or(head), true)
    } else {
        (head, false)
    }
}

/// Autobahn's hex preview (`binLogData`): hex, cut as described in the module docs.
/// `head` holds the first bytes of a payload of `total_len` bytes.
pub fn hex_preview(head: &[u8], total_len: usize) -> String {
    let (bytes, cut) = shown(head, total_len);
    let mut out = hex(bytes);
    if cut {
        out.push_str(ELLIPSIS);
    }
    out
}

/// Autobahn's text preview (`asciiLogData`): UTF-8 text if the shown bytes decode, else
/// `0x` + the hex preview.
pub fn text_preview(head: &[u8], total_len: usize) -> String {
    let (bytes, cut) = shown(head, total_len);
    match std::str::from_utf8(bytes) {
        Ok(text) if cut => format!("{text}{ELLIPSIS}"),
        Ok(text) => text.to_owned(),
        Err(_) => format!("0x{}", hex_preview(head, total_len)),
    }
}

/// A hex string (as the wire log stores octets) cut like [`hex_preview`]: the stored hex holds
/// at most 64 octets already, so only the ellipsis depends on `total_len`.
pub fn hex_string_preview(head_hex: &str, total_len: usize) -> String {
    let keep = head_hex.get(..CUT_LEN * 2).unwrap_or(head_hex);
    if total_len > KEEP_WHOLE_MAX {
        format!("{keep}{ELLIPSIS}")
    } else {
        keep.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_data_is_kept_whole() {
        assert_eq!(text_preview(b"Hello", 5), "Hello");
        assert_eq!(text_preview(b"", 0), "");
        let sixty = vec![b'a'; 60];
        assert_eq!(text_preview(&sixty, 60), "a".repeat(60));
        assert_eq!(hex_preview(&[0x03, 0xe8], 2), "03e8");
    }

    #[test]
    fn long_data_is_cut_to_64_plus_ellipsis() {
        let long = vec![b'*'; 61];
        assert_eq!(text_preview(&long, 61), format!("{} ...", "*".repeat(61)));
        let long = vec![b'x'; 64];
        assert_eq!(
            text_preview(&long, 65536),
            format!("{} ...", "x".repeat(64))
        );
        let bytes = vec![0xfe; 64];
        assert_eq!(hex_preview(&bytes, 100), format!("{} ...", "fe".repeat(64)));
    }

    #[test]
    fn invalid_utf8_falls_back_to_hex() {
        assert_eq!(text_preview(&[0xce, 0xba, 0xe1], 3), "0xcebae1");
        assert_eq!(text_preview(&[0x03, 0xe8], 2), "0x03e8");
    }

    #[test]
    fn a_cut_inside_a_code_point_falls_back_to_hex() {
        // 63 ASCII bytes then a 2-byte character: the cut at 64 splits it.
        let mut data = vec![b'a'; 63];
        data.extend_from_slice("é".as_bytes());
        let preview = text_preview(&data, data.len());
        assert!(preview.starts_with("0x6161"), "{preview}");
        assert!(preview.ends_with("c3 ..."), "{preview}");
    }

    #[test]
    fn hex_strings_get_the_ellipsis_by_total_length() {
        assert_eq!(hex_string_preview("8182", 2), "8182");
        let full = "ab".repeat(64);
        assert_eq!(hex_string_preview(&full, 240), format!("{full} ..."));
        assert_eq!(hex_string_preview(&"cd".repeat(70), 70).len(), 128 + 4);
    }
}
