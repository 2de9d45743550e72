//! Section 12 — permessage-deflate on five kinds of data. RFC 7692 §6 and §7: a message is
//! compressed as raw deflate, the trailing `00 00 ff ff` of a sync flush removed, and RSV1 set
//! on its first frame; the receiver appends the four octets and inflates. Each case echoes
//! 1000 consecutive windows of one data set, checking type, length and SHA-1 of every echo.
//!
//! The data sets are generated stand-ins for Autobahn's downloaded files (see
//! [`crate::corpus`]): same kinds, same sizes, similar compressibility, other content.

use super::{case, expect_echoes, id};
use crate::case::{Case, DeflateAccept, Feature, HandshakeOffer, SpecRef};
use crate::corpus::DataSet;
use crate::expect::Check;
use crate::step::{EchoSource, Secs, Step};
use crate::windows::Windows;

/// Messages per case.
pub(crate) const MESSAGES: u32 = 1000;

/// The 18 rows shared by 12.j.i and 13.j.i: (message size, fragment size after
/// compression (0 = one frame), case timer in seconds).
pub(crate) const ROWS: [(usize, usize, f64); 18] = [
    (16, 0, 60.0),
    (64, 0, 60.0),
    (256, 0, 120.0),
    (1024, 0, 240.0),
    (4096, 0, 480.0),
    (8192, 0, 480.0),
    (16384, 0, 480.0),
    (32768, 0, 480.0),
    (65536, 0, 480.0),
    (131_072, 0, 480.0),
    (8192, 256, 480.0),
    (16384, 256, 480.0),
    (32768, 256, 480.0),
    (65536, 256, 480.0),
    (131_072, 256, 480.0),
    (131_072, 1024, 480.0),
    (131_072, 4096, 480.0),
    (131_072, 32768, 480.0),
];

/// The default offer: the client will not take over its own context and lets the server
/// limit its window.
pub(crate) const DEFAULT_OFFER: &str =
    "permessage-deflate; client_no_context_takeover; client_max_window_bits";

/// One compression case: `windows` of a set echoed in turn under a negotiation.
pub(crate) fn deflate_case(
    parts: &[u32],
    set: DataSet,
    row: (usize, usize, f64),
    messages: u32,
    negotiation: (&str, HandshakeOffer),
) -> Case {
    let (size, fragment_size, timeout) = row;
    let (negotiation_text, handshake) = negotiation;
    let windows = Windows::new(set, size, fragment_size, messages);
    let unit = if set.is_text() { "characters" } else { "bytes" };
    let kind = if set.is_text() { "text" } else { "binary" };
    let framing = if fragment_size == 0 {
        "each in one frame".to_owned()
    } else {
        format!("the compressed bytes cut into frames of {fragment_size} octets")
    };
    let mut c = case(
        id(parts),
        format!(
            "{messages} compressed {kind} messages of {size} {unit}, {}",
            set.name()
        ),
        format!(
            "Negotiate permessage-deflate ({negotiation_text}). Then send {messages} {kind} \
             messages, each the next window of {size} {unit} of the data set \"{}\" (wrapping at \
             its end), compressed, with RSV1 on the first frame, {framing}; each only after the \
             previous echo arrived.",
            set.name()
        ),
        format!(
            "The peer echoes every message with the same type, length and content (SHA-1), all \
             within {timeout} s; the harness then closes normally. Without permessage-deflate \
             the case is UNIMPLEMENTED."
        ),
        SpecRef {
            document: "RFC 7692".to_owned(),
            section: "7.2".to_owned(),
            requirement: "A message compressed with permessage-deflate is sent as raw deflate \
                          without the sync-flush tail, RSV1 set on its first frame; the receiver \
                          restores the tail and inflates it to the original bytes."
                .to_owned(),
        },
        vec![Step::EchoLoop {
            source: EchoSource::Windows(windows.clone()),
            count: messages,
            timeout: Secs(timeout),
        }],
        expect_echoes(Check::WindowEcho {
            windows,
            timeout: Secs(timeout),
        }),
    );
    c.required_feature = Some(Feature::PermessageDeflate);
    c.handshake = handshake;
    c
}

/// Section 12's negotiation: the default offer; as server, accept the first offer and ask
/// nothing more of the client.
fn default_negotiation() -> (&'static str, HandshakeOffer) {
    (
        "the default offer, or accepting the client's first offer",
        HandshakeOffer {
            extensions: vec![DEFAULT_OFFER.to_owned()],
            deflate_accept: vec![DeflateAccept::default()],
            deflate_answer: None,
        },
    )
}

pub(super) fn cases(out: &mut Vec<Case>) {
    for (j, set) in (1u32..).zip(DataSet::ALL) {
        for (i, row) in (1u32..).zip(ROWS) {
            out.push(deflate_case(
                &[12, j, i],
                set,
                row,
                MESSAGES,
                default_negotiation(),
            ));
        }
    }
}
