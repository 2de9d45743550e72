//! Section 3 — Reserved bits. RFC 6455 §5.2: RSV1-3 must be 0 unless an extension that
//! defines them was negotiated; on a non-zero value with no such extension the receiver must
//! fail the connection. No extension is negotiated in these cases.

use super::{case, ev_echo, expect_peer_fails, frame, id, kill, rfc, send_with, text};
use crate::case::{Case, SpecRef};
use crate::frame::opcode;
use crate::payload::Payload;
use crate::step::Delivery;

fn rule() -> SpecRef {
    rfc(
        "5.2",
        "If a non-zero RSV value is received and no negotiated extension defines it, the \
         receiving endpoint must fail the connection.",
    )
}

pub(super) fn cases(out: &mut Vec<Case>) {
    let hello = || text("Hello, world!");
    // A lone frame with RSV bits set: 3.1, 3.5, 3.6, 3.7.
    let lone = |i: u32, rsv: u8, op: u8, payload: Payload, what: &str| {
        case(
            id(&[3, i]),
            format!("{what} with RSV = {rsv}"),
            format!("Send {what} with the RSV bits set to {rsv}."),
            "The peer fails the connection (close 1002 or a drop) without echoing anything.",
            rule(),
            vec![
                send_with(frame(true, op, payload).with_rsv(rsv), Delivery::PLAIN),
                kill(1.0),
            ],
            expect_peer_fails(vec![], None, &[1002]),
        )
    };
    out.push(lone(1, 1, opcode::TEXT, hello(), "a small text message"));
    // 3.2-3.4: a valid message, the bad frame, then a ping.
    for (i, rsv, delivery, how) in [
        (2u32, 2u8, Delivery::PLAIN, "written together"),
        (3, 3, Delivery::SYNC, "each frame in its own write"),
        (
            4,
            4,
            Delivery::chop(1),
            "each frame written one octet at a time",
        ),
    ] {
        let first = frame(true, opcode::TEXT, hello());
        out.push(case(
            id(&[3, i]),
            format!("Valid text message, then one with RSV = {rsv}, then a ping ({how})"),
            format!(
                "Send a small text message, the same message with the RSV bits set to {rsv}, \
                 and a ping, {how}."
            ),
            "The peer echoes the first message, then fails the connection on the second \
             (1002 or a drop) and sends no pong. Failing before the echo is accepted as \
             NON-STRICT.",
            rule(),
            vec![
                send_with(first.clone(), delivery),
                send_with(frame(true, opcode::TEXT, hello()).with_rsv(rsv), delivery),
                send_with(frame(true, opcode::PING, Payload::empty()), delivery),
                kill(1.0),
            ],
            expect_peer_fails(vec![ev_echo(&first)], Some(vec![]), &[1002]),
        ));
    }
    out.push(lone(
        5,
        5,
        opcode::BINARY,
        Payload::bytes_of(vec![0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff]),
        "a small binary message",
    ));
    // Autobahn's own text calls this frame a ping; it is a binary frame.
    out.push(lone(
        6,
        6,
        opcode::BINARY,
        hello(),
        "a small binary message",
    ));
    out.push(lone(
        7,
        7,
        opcode::CLOSE,
        Payload::empty(),
        "an empty close frame",
    ));
}
