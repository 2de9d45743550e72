//! Section 1 — Framing. RFC 6455 §5.2: the payload length is encoded in 7 bits for 0-125
//! bytes, as 126 plus a 16-bit length for 126-65535, and as 127 plus a 64-bit length beyond;
//! a receiver must accept every encoding. An echo peer returns each message unchanged.

use super::{case, ev_echo, expect_events, frame, id, kill, rfc, send_with};
use crate::case::Case;
use crate::frame::opcode;
use crate::payload::Payload;
use crate::step::Delivery;

const SMALL: [usize; 5] = [0, 125, 126, 127, 128];

pub(super) fn cases(out: &mut Vec<Case>) {
    for (sub, op, pattern, kind, title_kind) in [
        (1, opcode::TEXT, b'*', "text", "Text"),
        (2, opcode::BINARY, 0xfe, "binary", "Binary"),
    ] {
        // (length, kill timer, chop)
        let rows = SMALL.iter().map(|&n| (n, 1.0, None)).chain([
            (65_535, 10.0, None),
            (65_536, 10.0, None),
            (65_536, 10.0, Some(997)),
        ]);
        for (i, (len, timer, chop)) in (1u32..).zip(rows) {
            let f = frame(true, op, Payload::repeat([pattern], len));
            let delivery = chop.map_or(Delivery::PLAIN, Delivery::chop);
            let how = match chop {
                Some(c) => format!(", its octets written {c} at a time"),
                None => String::new(),
            };
            out.push(case(
                id(&[1, sub, i]),
                format!(
                    "{title_kind} message, {len}-byte payload{}",
                    if chop.is_some() { ", chopped" } else { "" }
                ),
                format!("Send one {kind} frame with a payload of {len} bytes{how}."),
                format!(
                    "The peer echoes the {kind} message unchanged; the harness then closes \
                     normally."
                ),
                rfc(
                    "5.2",
                    "A receiver must accept payload lengths in each of the three length \
                     encodings (7-bit, 16-bit and 64-bit).",
                ),
                vec![send_with(f.clone(), delivery), kill(timer)],
                expect_events(vec![ev_echo(&f)]),
            ));
        }
    }
}
