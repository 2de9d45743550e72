//! Section 4 — Opcodes. RFC 6455 §5.2: opcodes 3-7 are reserved for further non-control
//! frames and 11-15 for further control frames; a receiver that gets an opcode it does not
//! understand (no extension gives it meaning) must fail the connection.

use super::{case, ev_echo, expect_peer_fails, frame, id, kill, rfc, send_with, text};
use crate::case::Case;
use crate::frame::opcode;
use crate::payload::Payload;
use crate::step::Delivery;

pub(super) fn cases(out: &mut Vec<Case>) {
    // Sub-section 4.1 uses the reserved non-control opcodes 3-7, 4.2 the control ones 11-15.
    for (sub, base, kind) in [(1u32, 3u8, "non-control"), (2, 11, "control")] {
        let rule = || {
            rfc(
                "5.2",
                &format!(
                    "Opcodes reserved for further {kind} frames must not be used unless an \
                     extension defines them; a receiver must fail the connection on one."
                ),
            )
        };
        let hello = || text("Hello, world!");
        // i.1, i.2: the reserved frame alone.
        for (i, payload) in [
            (1u32, Payload::empty()),
            (2, text("reserved opcode payload")),
        ] {
            let op = base + u8::try_from(i - 1).unwrap_or(0);
            out.push(case(
                id(&[4, sub, i]),
                format!("Frame with reserved {kind} opcode {op}"),
                format!(
                    "Send a frame with the reserved opcode {op} and {}.",
                    if payload.is_empty() {
                        "no payload"
                    } else {
                        "a short text payload"
                    }
                ),
                "The peer fails the connection (close 1002 or a drop).",
                rule(),
                vec![
                    send_with(frame(true, op, payload), Delivery::PLAIN),
                    kill(1.0),
                ],
                expect_peer_fails(vec![], None, &[1002]),
            ));
        }
        // i.3-i.5: a valid message, the reserved frame, then a ping.
        for (i, payload, delivery) in [
            (3u32, Payload::empty(), Delivery::PLAIN),
            (4, hello(), Delivery::PLAIN),
            (5, hello(), Delivery::chop(1)),
        ] {
            let op = base + u8::try_from(i - 1).unwrap_or(0);
            let first = frame(true, opcode::TEXT, hello());
            let how = if delivery.chop.is_some() {
                ", every frame written one octet at a time"
            } else {
                ""
            };
            out.push(case(
                id(&[4, sub, i]),
                format!("Valid text message, then reserved opcode {op}, then a ping"),
                format!(
                    "Send a small text message, a frame with the reserved opcode {op}, and a \
                     ping{how}."
                ),
                "The peer echoes the first message, then fails the connection (1002 or a drop) \
                 and sends no pong. Failing before the echo is accepted as NON-STRICT.",
                rule(),
                vec![
                    send_with(first.clone(), delivery),
                    send_with(frame(true, op, payload), delivery),
                    send_with(frame(true, opcode::PING, Payload::empty()), delivery),
                    kill(1.0),
                ],
                expect_peer_fails(vec![ev_echo(&first)], Some(vec![]), &[1002]),
            ));
        }
    }
}
