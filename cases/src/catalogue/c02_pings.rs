//! Section 2 — Pings and pongs. RFC 6455 §5.5.2/§5.5.3: on receiving a ping an endpoint must
//! answer with a pong carrying the same application data (unless it already received a
//! close); an unsolicited pong may be sent and must not be answered; control frames carry at
//! most 125 bytes of payload, and a larger one makes the receiver fail the connection.

use super::{
    case, close, close_after, ev_pong, expect_events, expect_peer_fails, frame, id, kill, rfc,
    send, send_with, text,
};
use crate::case::{Case, SpecRef};
use crate::frame::{CloseBody, opcode};
use crate::payload::Payload;
use crate::step::Delivery;

fn ping_rule() -> SpecRef {
    rfc(
        "5.5.2",
        "On receiving a ping an endpoint must send a pong whose application data equals the \
         ping's.",
    )
}

fn pong_rule() -> SpecRef {
    rfc(
        "5.5.3",
        "A pong may be sent unsolicited, as a heartbeat; no reply to it is expected.",
    )
}

pub(super) fn cases(out: &mut Vec<Case>) {
    let binary8 = Payload::bytes_of(vec![0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff]);
    // 2.1-2.4: a ping the peer must answer with an identical pong.
    let pings = [
        (Payload::empty(), "an empty payload"),
        (text("Hello, world!"), "the text payload \"Hello, world!\""),
        (binary8, "an 8-byte binary payload that is not UTF-8"),
        (
            Payload::repeat([0xfe], 125),
            "a 125-byte payload, the maximum for a control frame",
        ),
    ];
    for (i, (payload, what)) in (1u32..).zip(pings) {
        out.push(case(
            id(&[2, i]),
            format!("Ping with {what}"),
            format!("Send a ping with {what}."),
            "The peer answers with a pong carrying the same payload; the harness then closes \
             normally.",
            ping_rule(),
            vec![
                send(frame(true, opcode::PING, payload.clone())),
                close_after(1.0),
            ],
            expect_events(vec![ev_pong(payload)]),
        ));
    }
    out.push(case(
        id(&[2, 5]),
        "Ping with a 126-byte payload",
        "Send a ping with a 126-byte payload, one byte more than a control frame may carry.",
        "The peer fails the connection (close 1002 or a drop) and sends no pong.",
        rfc(
            "5.5",
            "All control frames must have a payload of 125 bytes or less.",
        ),
        vec![
            send(frame(true, opcode::PING, Payload::repeat([0xfe], 126))),
            kill(1.0),
        ],
        expect_peer_fails(vec![], None, &[1002]),
    ));
    let p125 = Payload::repeat([0xfe], 125);
    out.push(case(
        id(&[2, 6]),
        "Ping with a 125-byte payload, written one octet at a time",
        "Send a ping with a 125-byte payload, its octets written one per socket write.",
        "The peer answers with an identical pong; the harness then closes normally.",
        ping_rule(),
        vec![
            send_with(frame(true, opcode::PING, p125.clone()), Delivery::chop(1)),
            close_after(2.0),
        ],
        expect_events(vec![ev_pong(p125)]),
    ));
    for (i, payload) in [
        (7u32, Payload::empty()),
        (8, text("unsolicited pong payload")),
    ] {
        let what = if payload.is_empty() {
            "an empty unsolicited pong".to_owned()
        } else {
            "an unsolicited pong with a text payload".to_owned()
        };
        out.push(case(
            id(&[2, i]),
            format!("Send {what}"),
            format!("Send {what}, then a close with code 1000 straight away."),
            "The peer ignores the pong and answers the close normally.",
            pong_rule(),
            vec![
                send(frame(true, opcode::PONG, payload)),
                close(CloseBody::code(1000)),
                close_after(1.0),
            ],
            expect_events(vec![]),
        ));
    }
    out.push(case(
        id(&[2, 9]),
        "Unsolicited pong, then a ping",
        "Send an unsolicited pong, then a ping with the payload \"ping payload\".",
        "The peer ignores the pong and answers the ping with exactly one pong with the same \
         payload; the harness then closes normally.",
        ping_rule(),
        vec![
            send(frame(true, opcode::PONG, text("unsolicited pong payload"))),
            send(frame(true, opcode::PING, text("ping payload"))),
            close_after(1.0),
        ],
        expect_events(vec![ev_pong(text("ping payload"))]),
    ));
    for (i, delivery, how) in [
        (10u32, Delivery::PLAIN, "back to back"),
        (
            11,
            Delivery::chop(1),
            "back to back, each written one octet at a time",
        ),
    ] {
        let payloads: Vec<Payload> = (0..10).map(|n| text(&format!("payload-{n}"))).collect();
        let mut steps: Vec<_> = payloads
            .iter()
            .map(|p| send_with(frame(true, opcode::PING, p.clone()), delivery))
            .collect();
        steps.push(close_after(3.0));
        out.push(case(
            id(&[2, i]),
            format!("Ten pings, {how}"),
            format!(
                "Send ten pings with the payloads \"payload-0\" to \"payload-9\", {how}. (The \
                 RFC does not strictly require a pong for every ping, but this case does.)"
            ),
            "The peer answers with ten pongs, in order, each with its ping's payload; the \
             harness then closes normally.",
            ping_rule(),
            steps,
            expect_events(payloads.into_iter().map(ev_pong).collect()),
        ));
    }
}
