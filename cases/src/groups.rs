//! Titles of sections and sub-sections, for report matrices and listings.

use crate::id::CaseId;

/// (id prefix, title), sections then sub-sections.
const TITLES: &[(&[u32], &str)] = &[
    (&[1], "Framing"),
    (&[1, 1], "Text messages"),
    (&[1, 2], "Binary messages"),
    (&[2], "Pings/Pongs"),
    (&[3], "Reserved Bits"),
    (&[4], "Opcodes"),
    (&[4, 1], "Reserved non-control opcodes"),
    (&[4, 2], "Reserved control opcodes"),
    (&[5], "Fragmentation"),
    (&[6], "UTF-8 Handling"),
    (&[6, 1], "Empty text payloads and empty fragments"),
    (
        &[6, 2],
        "Valid UTF-8, whole and split at and inside code points",
    ),
    (&[6, 3], "Invalid UTF-8, whole and split at every byte"),
    (&[6, 4], "Fail fast on invalid UTF-8"),
    (&[6, 5], "Valid UTF-8 samples"),
    (&[6, 6], "Every prefix of a valid multi-byte string"),
    (&[6, 7], "First sequence of each length"),
    (&[6, 8], "First 5- and 6-byte sequences (beyond Unicode)"),
    (&[6, 9], "Last sequence of each length"),
    (
        &[6, 10],
        "Last 4-, 5- and 6-byte sequences (beyond Unicode)",
    ),
    (&[6, 11], "Other boundary conditions"),
    (&[6, 12], "Unexpected continuation bytes"),
    (&[6, 13], "Lone lead bytes"),
    (&[6, 14], "Sequences missing their last continuation byte"),
    (&[6, 15], "All truncated sequences concatenated"),
    (&[6, 16], "Bytes that never occur"),
    (&[6, 17], "Overlong encodings of '/'"),
    (&[6, 18], "Largest overlong values"),
    (&[6, 19], "Overlong encodings of NUL"),
    (&[6, 20], "Lone UTF-16 surrogates"),
    (&[6, 21], "Paired UTF-16 surrogates"),
    (&[6, 22], "Non-characters (valid)"),
    (&[6, 23], "Specials block (valid)"),
    (&[7], "Close Handling"),
    (&[7, 1], "Basic close behaviour, harness closes"),
    (&[7, 3], "Close body length"),
    (&[7, 5], "Close reason content"),
    (&[7, 7], "Valid close codes"),
    (&[7, 9], "Invalid close codes"),
    (
        &[7, 13],
        "Close codes above the defined ranges (informational)",
    ),
    (&[9], "Limits/Performance"),
    (&[9, 1], "Text message, increasing size"),
    (&[9, 2], "Binary message, increasing size"),
    (&[9, 3], "Fragmented text message, increasing fragment size"),
    (
        &[9, 4],
        "Fragmented binary message, increasing fragment size",
    ),
    (&[9, 5], "Text message, increasing chop size"),
    (&[9, 6], "Binary message, increasing chop size"),
    (&[9, 7], "Text message round trips, increasing size"),
    (&[9, 8], "Binary message round trips, increasing size"),
    (&[10], "Misc"),
    (&[10, 1], "Auto-fragmentation"),
    (&[12], "WebSocket Compression (different payloads)"),
    (&[12, 1], "JSON document (ASCII, text)"),
    (&[12, 2], "Greyscale bitmap (binary)"),
    (&[12, 3], "German prose (UTF-8, sent as binary)"),
    (&[12, 4], "HTML page (text, some non-ASCII)"),
    (&[12, 5], "PDF-like document (binary)"),
    (&[13], "WebSocket Compression (different parameters)"),
    (&[13, 1], "Default offer"),
    (&[13, 2], "server_no_context_takeover"),
    (&[13, 3], "server_max_window_bits=9"),
    (&[13, 4], "server_max_window_bits=15"),
    (
        &[13, 5],
        "server_no_context_takeover, server_max_window_bits=9",
    ),
    (
        &[13, 6],
        "server_no_context_takeover, server_max_window_bits=15",
    ),
    (&[13, 7], "Three offers in preference order"),
    (
        &[14],
        "WebSocket Compression (negotiation and framing rules)",
    ),
    (&[14, 4], "Offers a server must decline"),
    (&[14, 5], "Answers a client must refuse"),
];

/// The title of a section (`[6]`) or sub-section (`[6, 4]`), if it has one.
pub fn group_title(prefix: &[u32]) -> Option<&'static str> {
    TITLES.iter().find(|(p, _)| *p == prefix).map(|(_, t)| *t)
}

/// The titles of a case's section and sub-section (the latter `None` for two-part ids such
/// as `2.10`, whose section has no sub-sections).
pub fn titles_of(id: &CaseId) -> (Option<&'static str>, Option<&'static str>) {
    let parts = id.parts();
    let section = parts.get(..1).and_then(group_title);
    let sub = if parts.len() > 2 {
        parts.get(..2).and_then(group_title)
    } else {
        None
    };
    (section, sub)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_has_titles() {
        for c in crate::catalogue() {
            let (section, sub) = titles_of(&c.id);
            assert!(section.is_some(), "{}", c.id);
            assert_eq!(sub.is_some(), c.id.parts().len() > 2, "{}", c.id);
        }
        assert_eq!(group_title(&[6, 4]), Some("Fail fast on invalid UTF-8"));
        assert_eq!(group_title(&[11]), None);
    }

    #[test]
    fn utf8_family_titles_follow_the_table() {
        for (k, (family, _)) in (5u32..).zip(crate::catalogue::families()) {
            let title = group_title(&[6, k]).unwrap_or_default();
            assert!(family.starts_with(title), "6.{k}: {family:?} vs {title:?}");
        }
    }
}
