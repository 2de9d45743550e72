//! Section 6 — UTF-8 handling. RFC 6455 §5.6 and §8.1: the payload of a text message must be
//! valid UTF-8 (RFC 3629); when an endpoint finds that it is not, it must fail the connection,
//! with close code 1007 (§7.4.1). Fragment boundaries may fall inside a code point. Valid
//! sequences, including non-characters and specials, must be accepted.

use super::{
    case, close_after, ev_text, ev_timeout, expect_events, expect_peer_fails, frame, id, kill, rfc,
    send, send_message, wait,
};
use crate::case::{Case, SpecRef};
use crate::expect::{Expect, ExpectedEvent};
use crate::frame::FrameSpec;
use crate::frame::opcode::{CONTINUATION, TEXT};
use crate::message::MessageSpec;
use crate::payload::Payload;
use crate::step::Step;

fn rule() -> SpecRef {
    rfc(
        "8.1",
        "When an endpoint interprets a byte stream as UTF-8 and finds it invalid, it must fail \
         the connection (close code 1007, §7.4.1).",
    )
}

const KOSME: &[u8] = &[
    0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5,
];
const LATIN: &str = "Hello-\u{b5}@\u{df}\u{f6}\u{e4}\u{fc}\u{e0}\u{e1}-UTF-8!!";

fn bytes(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// An invalid message must make the peer fail the connection with 1007 (or a drop), and the
/// harness having to close first is fatal: the peer never noticed.
fn expect_rejected(ok: Vec<ExpectedEvent>, non_strict: Option<Vec<ExpectedEvent>>) -> Expect {
    let mut e = expect_peer_fails(ok, non_strict, &[1007]);
    e.close.wrong_closer_is_fatal = true;
    e
}

/// The byte-sequence table behind 6.5-6.23 (family k is 6.(k+4), sequence j is 6.(k+4).j),
/// mostly from Markus Kuhn's UTF-8 decoder stress test. Validity is computed, not listed.
pub(crate) fn families() -> Vec<(&'static str, Vec<Vec<u8>>)> {
    let mut t: Vec<(&'static str, Vec<Vec<u8>>)> = Vec::new();
    let hello = |mid: &[u8]| bytes(&[b"hello", mid, b"world"]);
    t.push((
        "Valid UTF-8 samples",
        vec![
            hello(&[0x24]),
            hello(&[0xc2, 0xa2]),
            hello(&[0xe2, 0x82, 0xac]),
            hello(&[0xf0, 0xa4, 0xad, 0xa2]),
            KOSME.to_vec(),
        ],
    ));
    t.push((
        "Every prefix of a valid multi-byte string",
        (1..=KOSME.len())
            .map(|n| KOSME.get(..n).unwrap_or_default().to_vec())
            .collect(),
    ));
    t.push((
        "First sequence of each length",
        vec![
            vec![0x00],
            vec![0xc2, 0x80],
            vec![0xe0, 0xa0, 0x80],
            vec![0xf0, 0x90, 0x80, 0x80],
        ],
    ));
    t.push((
        "First 5- and 6-byte sequences (beyond Unicode)",
        vec![
            vec![0xf8, 0x88, 0x80, 0x80, 0x80],
            vec![0xfc, 0x84, 0x80, 0x80, 0x80, 0x80],
        ],
    ));
    t.push((
        "Last sequence of each length",
        vec![
            vec![0x7f],
            vec![0xdf, 0xbf],
            vec![0xef, 0xbf, 0xbf],
            vec![0xf4, 0x8f, 0xbf, 0xbf],
        ],
    ));
    t.push((
        "Last 4-, 5- and 6-byte sequences (beyond Unicode)",
        vec![
            vec![0xf7, 0xbf, 0xbf, 0xbf],
            vec![0xfb, 0xbf, 0xbf, 0xbf, 0xbf],
            vec![0xfd, 0xbf, 0xbf, 0xbf, 0xbf, 0xbf],
        ],
    ));
    t.push((
        "Other boundary conditions",
        vec![
            vec![0xed, 0x9f, 0xbf],
            vec![0xee, 0x80, 0x80],
            vec![0xef, 0xbf, 0xbd],
            vec![0xf4, 0x8f, 0xbf, 0xbf],
            vec![0xf4, 0x90, 0x80, 0x80],
        ],
    ));
    let mut stray: Vec<Vec<u8>> = vec![vec![0x80], vec![0xbf]];
    stray.extend((2..=6).map(|n| [0x80u8, 0xbf].iter().copied().cycle().take(n).collect()));
    stray.push((0x80u8..0xbf).collect());
    t.push(("Unexpected continuation bytes", stray));
    t.push((
        "Lone lead bytes, each followed by a space",
        [
            (0xc0u8, 0xdfu8),
            (0xe0, 0xef),
            (0xf0, 0xf7),
            (0xf8, 0xfb),
            (0xfc, 0xfd),
        ]
        .iter()
        .map(|&(lo, hi)| (lo..hi).flat_map(|b| [b, 0x20]).collect())
        .collect(),
    ));
    let truncated: Vec<Vec<u8>> = vec![
        vec![0xc0],
        vec![0xe0, 0x80],
        vec![0xf0, 0x80, 0x80],
        vec![0xf8, 0x80, 0x80, 0x80],
        vec![0xfc, 0x80, 0x80, 0x80, 0x80],
        vec![0xdf],
        vec![0xef, 0xbf],
        vec![0xf7, 0xbf, 0xbf],
        vec![0xfb, 0xbf, 0xbf, 0xbf],
        vec![0xfd, 0xbf, 0xbf, 0xbf, 0xbf],
    ];
    let joined = truncated.concat();
    t.push(("Sequences missing their last continuation byte", truncated));
    t.push(("All truncated sequences concatenated", vec![joined]));
    t.push((
        "Bytes that never occur",
        vec![vec![0xfe], vec![0xff], vec![0xfe, 0xfe, 0xff, 0xff]],
    ));
    t.push((
        "Overlong encodings of '/'",
        vec![
            vec![0xc0, 0xaf],
            vec![0xe0, 0x80, 0xaf],
            vec![0xf0, 0x80, 0x80, 0xaf],
            vec![0xf8, 0x80, 0x80, 0x80, 0xaf],
            vec![0xfc, 0x80, 0x80, 0x80, 0x80, 0xaf],
        ],
    ));
    t.push((
        "Largest overlong values",
        vec![
            vec![0xc1, 0xbf],
            vec![0xe0, 0x9f, 0xbf],
            vec![0xf0, 0x8f, 0xbf, 0xbf],
            vec![0xf8, 0x87, 0xbf, 0xbf, 0xbf],
            vec![0xfc, 0x83, 0xbf, 0xbf, 0xbf, 0xbf],
        ],
    ));
    t.push((
        "Overlong encodings of NUL",
        vec![
            vec![0xc0, 0x80],
            vec![0xe0, 0x80, 0x80],
            vec![0xf0, 0x80, 0x80, 0x80],
            vec![0xf8, 0x80, 0x80, 0x80, 0x80],
            vec![0xfc, 0x80, 0x80, 0x80, 0x80, 0x80],
        ],
    ));
    let high: [[u8; 3]; 4] = [
        [0xed, 0xa0, 0x80],
        [0xed, 0xad, 0xbf],
        [0xed, 0xae, 0x80],
        [0xed, 0xaf, 0xbf],
    ];
    let low: [[u8; 3]; 2] = [[0xed, 0xb0, 0x80], [0xed, 0xbf, 0xbf]];
    let mut lone: Vec<Vec<u8>> = high.iter().map(|s| s.to_vec()).collect();
    lone.push(vec![0xed, 0xb0, 0x80]);
    lone.push(vec![0xed, 0xbe, 0x80]);
    lone.push(vec![0xed, 0xbf, 0xbf]);
    t.push(("Lone UTF-16 surrogates", lone));
    t.push((
        "Paired UTF-16 surrogates",
        high.iter()
            .flat_map(|h| low.iter().map(move |l| bytes(&[h, l])))
            .collect(),
    ));
    let mut nonchars = vec![vec![0xef, 0xbf, 0xbe], vec![0xef, 0xbf, 0xbf]];
    for plane in 1u32..=16 {
        for last in [0xfffe_u32, 0xffff] {
            let cp = (plane << 16) | last;
            // Four-byte encoding of a supplementary-plane code point.
            nonchars.push(vec![
                0xf0 | u8::try_from(cp >> 18).unwrap_or(0),
                0x80 | u8::try_from((cp >> 12) & 0x3f).unwrap_or(0),
                0x80 | u8::try_from((cp >> 6) & 0x3f).unwrap_or(0),
                0x80 | u8::try_from(cp & 0x3f).unwrap_or(0),
            ]);
        }
    }
    t.push(("Non-characters (valid)", nonchars));
    t.push((
        "Specials block (valid)",
        (0xb9u8..=0xbf).map(|b| vec![0xef, 0xbf, b]).collect(),
    ));
    t
}

fn hex(b: &[u8]) -> String {
    let parts: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
    parts.join(" ")
}

/// The 6.4.x parts: κόσμε, then the code point 0x110000 (invalid), then "edited".
fn fail_fast_parts(by_frame_boundary_inside: bool) -> [Payload; 3] {
    let all = bytes(&[KOSME, &[0xf4, 0x90, 0x80, 0x80], b"edited"]);
    let (a, b) = if by_frame_boundary_inside {
        (12, 13)
    } else {
        (11, 15)
    };
    [
        Payload::bytes_of(all.get(..a).unwrap_or_default()),
        Payload::bytes_of(all.get(a..b).unwrap_or_default()),
        Payload::bytes_of(all.get(b..).unwrap_or_default()),
    ]
}

pub(super) fn cases(out: &mut Vec<Case>) {
    let echo_case =
        |sub: u32, i: u32, title: &str, desc: &str, steps: Vec<Step>, echoed: Payload| {
            let mut steps = steps;
            steps.push(close_after(1.0));
            case(
                id(&[6, sub, i]),
                title,
                desc,
                "The peer echoes the text message; the harness then closes normally.",
                rfc(
                    "5.6",
                    "Text frames carry UTF-8; a message may be split into fragments at any byte.",
                ),
                steps,
                expect_events(vec![ev_text(echoed)]),
            )
        };
    let empty = Payload::empty;
    let f = |fin: bool, op: u8, p: Payload| send(frame(fin, op, p));
    out.push(echo_case(
        1,
        1,
        "Empty text message",
        "Send a text message with an empty payload.",
        vec![f(true, TEXT, empty())],
        empty(),
    ));
    out.push(echo_case(
        1,
        2,
        "Empty text message in three empty fragments",
        "Send a text message as three fragments, each with an empty payload.",
        vec![
            f(false, TEXT, empty()),
            f(false, CONTINUATION, empty()),
            f(true, CONTINUATION, empty()),
        ],
        empty(),
    ));
    out.push(echo_case(
        1,
        3,
        "Text message with empty first and last fragments",
        "Send a text message as three fragments: empty, \"middle frame payload\", empty.",
        vec![
            f(false, TEXT, empty()),
            f(false, CONTINUATION, Payload::text("middle frame payload")),
            f(true, CONTINUATION, empty()),
        ],
        Payload::text("middle frame payload"),
    ));

    let latin = Payload::text(LATIN);
    out.push(echo_case(
        2,
        1,
        "Valid UTF-8 text in one frame",
        "Send a 29-byte UTF-8 string with Latin-1 letters in one frame.",
        vec![send(frame(true, TEXT, latin.clone()))],
        latin.clone(),
    ));
    out.push(echo_case(
        2,
        2,
        "Valid UTF-8 text in two fragments split between code points",
        "Send the 29-byte string in two fragments of 15 and 14 bytes, split on a code point \
         boundary.",
        vec![
            f(false, TEXT, latin.slice(0, 15)),
            f(true, CONTINUATION, latin.slice(15, latin.len())),
        ],
        latin.clone(),
    ));
    out.push(echo_case(
        2,
        3,
        "Valid UTF-8 text, one byte per fragment",
        "Send the 29-byte string with one byte per fragment (29 fragments and an empty final \
         one), splitting inside code points.",
        vec![send_message(MessageSpec::text(latin.clone()).fragmented(1))],
        latin,
    ));
    let kosme = Payload::bytes_of(KOSME);
    out.push(echo_case(
        2,
        4,
        "Greek UTF-8 text, one byte per fragment",
        "Send the Greek word \"kosme\" (11 bytes, multi-byte code points) with one byte per \
         fragment.",
        vec![send_message(MessageSpec::text(kosme.clone()).fragmented(1))],
        kosme,
    ));

    let bad = Payload::bytes_of(bytes(&[KOSME, &[0xed, 0xa0, 0x80], b"edited"]));
    for (i, steps, how) in [
        (
            1u32,
            vec![send(frame(true, TEXT, bad.clone()))],
            "in one frame",
        ),
        (
            2,
            vec![send_message(MessageSpec::text(bad.clone()).fragmented(1))],
            "one byte per fragment",
        ),
    ] {
        let mut steps = steps;
        steps.push(kill(1.0));
        out.push(case(
            id(&[6, 3, i]),
            format!("Invalid UTF-8 (a surrogate) {how}"),
            format!(
                "Send a 20-byte text message whose bytes 11-13 encode the surrogate U+D800 \
                 (invalid in UTF-8), {how}."
            ),
            "The peer fails the connection with 1007 (or drops it) and echoes nothing.",
            rule(),
            steps,
            expect_rejected(vec![], None),
        ));
    }

    // 6.4.x: fail fast. Three parts a second apart; the middle part holds the invalid bytes.
    for (i, inside, streamed) in [
        (1u32, false, false),
        (2, true, false),
        (3, false, true),
        (4, true, true),
    ] {
        let [p1, p2, p3] = fail_fast_parts(inside);
        let total = p1.len() + p2.len() + p3.len();
        let mut steps = Vec::new();
        if streamed {
            let mut header = FrameSpec::new(false, TEXT, Payload::empty());
            header.declared_len = Some(u64::try_from(total).unwrap_or(u64::MAX));
            steps.push(Step::BeginFrame { frame: header });
            steps.push(Step::FrameData { data: p1 });
            steps.push(wait(1.0, Some("A")));
            steps.push(Step::FrameData { data: p2 });
            steps.push(wait(1.0, Some("B")));
            steps.push(Step::FrameData { data: p3 });
            steps.push(f(true, CONTINUATION, empty()));
        } else {
            steps.push(f(false, TEXT, p1));
            steps.push(wait(1.0, Some("A")));
            steps.push(f(false, CONTINUATION, p2));
            steps.push(wait(1.0, Some("B")));
            steps.push(f(true, CONTINUATION, p3));
        }
        steps.push(kill(1.0));
        let split = if inside {
            "the first part ends with the first byte of the invalid sequence and the second part \
             is a single byte"
        } else {
            "the second part is exactly the invalid 4-byte sequence f4 90 80 80 (above U+10FFFF)"
        };
        let carrier = if streamed {
            format!(
                "as ONE text frame (FIN clear, declared length {total}) whose payload goes out in \
                 three socket writes one second apart, followed by an empty final continuation"
            )
        } else {
            "as three fragments, one second apart".to_owned()
        };
        out.push(case(
            id(&[6, 4, i]),
            format!(
                "Fail fast on invalid UTF-8 ({})",
                if streamed {
                    "inside one frame"
                } else {
                    "across fragments"
                }
            ),
            format!(
                "Send a text message {carrier}; {split}. The harness records \
                 timeout marker A if the connection is still open a second after the first part, \
                 and B a second after the second part."
            ),
            "The peer fails the connection (1007 or a drop) as soon as the invalid bytes arrive, \
             so only marker A is recorded. Failing only after the whole message is NON-STRICT.",
            rule(),
            steps,
            expect_rejected(
                vec![ev_timeout("A")],
                Some(vec![ev_timeout("A"), ev_timeout("B")]),
            ),
        ));
    }

    for (k, (family, sequences)) in (5u32..).zip(families()) {
        for (j, seq) in (1u32..).zip(sequences) {
            let valid = std::str::from_utf8(&seq).is_ok();
            let payload = Payload::bytes_of(seq.clone());
            let steps = vec![send(frame(true, TEXT, payload.clone())), kill(0.5)];
            let shown = if seq.len() > 16 {
                format!(
                    "{} bytes starting {} ...",
                    seq.len(),
                    hex(seq.get(..16).unwrap_or_default())
                )
            } else {
                hex(&seq)
            };
            out.push(if valid {
                case(
                    id(&[6, k, j]),
                    format!("{family}: valid sequence {j}"),
                    format!("Send a text message whose payload is the valid UTF-8 {shown}."),
                    "The peer echoes the message; the harness then closes normally.",
                    rfc(
                        "8.1",
                        "Valid UTF-8, including non-characters and specials, must be accepted.",
                    ),
                    steps,
                    expect_events(vec![ev_text(payload)]),
                )
            } else {
                case(
                    id(&[6, k, j]),
                    format!("{family}: invalid sequence {j}"),
                    format!("Send a text message whose payload is the invalid UTF-8 {shown}."),
                    "The peer fails the connection with 1007 (or drops it) and echoes nothing.",
                    rule(),
                    steps,
                    expect_rejected(vec![], None),
                )
            });
        }
    }
}
