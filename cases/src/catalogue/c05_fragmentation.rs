//! Section 5 — Fragmentation. RFC 6455 §5.4: a fragmented message is a first frame with FIN
//! clear and a data opcode, zero or more continuation frames with FIN clear, and a final
//! continuation with FIN set; control frames may be injected between fragments but must not
//! themselves be fragmented; fragments of different messages must not interleave. A receiver
//! must fail the connection on a continuation with no message in progress or a new data frame
//! inside one.

use super::{
    case, close_after, ev_pong, ev_text, expect_events, expect_peer_fails, frame, id, kill, rfc,
    send_with, text, wait,
};
use crate::case::{Case, SpecRef};
use crate::frame::opcode::{CONTINUATION, PING, PONG, TEXT};
use crate::step::{Delivery, Step};

fn rule() -> SpecRef {
    rfc(
        "5.4",
        "A message is a first data frame with FIN clear, continuations with FIN clear, and a \
         final continuation with FIN set; anything else must make the receiver fail the \
         connection.",
    )
}

fn control_rule() -> SpecRef {
    rfc(
        "5.4",
        "Control frames may be injected in the middle of a fragmented message and must be \
         handled there; control frames themselves must not be fragmented.",
    )
}

const DELIVERIES: [(Delivery, &str); 3] = [
    (Delivery::PLAIN, "written together"),
    (Delivery::SYNC, "each frame in its own write"),
    (
        Delivery {
            chop: Some(1),
            sync: false,
        },
        "each frame written one octet at a time",
    ),
];

fn sends(frames: &[(bool, u8, &str)], delivery: Delivery) -> Vec<Step> {
    frames
        .iter()
        .map(|&(fin, op, p)| send_with(frame(fin, op, text(p)), delivery))
        .collect()
}

pub(super) fn cases(out: &mut Vec<Case>) {
    for (i, op, name) in [(1u32, PING, "ping"), (2, PONG, "pong")] {
        let mut steps = sends(
            &[(false, op, "fragment1"), (true, CONTINUATION, "fragment2")],
            Delivery::PLAIN,
        );
        steps.push(kill(1.0));
        out.push(case(
            id(&[5, i]),
            format!("Fragmented {name}"),
            format!("Send a {name} in two fragments: FIN clear, then a continuation with FIN set."),
            "The peer fails the connection (close 1002 or a drop).",
            control_rule(),
            steps,
            expect_peer_fails(vec![], None, &[1002]),
        ));
    }
    let whole = || ev_text(text("fragment1fragment2"));
    for (i, (delivery, how)) in (3u32..).zip(DELIVERIES) {
        let mut steps = sends(
            &[
                (false, TEXT, "fragment1"),
                (true, CONTINUATION, "fragment2"),
            ],
            delivery,
        );
        steps.push(close_after(1.0));
        out.push(case(
            id(&[5, i]),
            format!("Text message in two fragments ({how})"),
            format!("Send a text message in two fragments, {how}."),
            "The peer echoes the reassembled message; the harness then closes normally.",
            rule(),
            steps,
            expect_events(vec![whole()]),
        ));
    }
    for (i, (delivery, how)) in (6u32..).zip(DELIVERIES) {
        let mut steps = sends(
            &[
                (false, TEXT, "fragment1"),
                (true, PING, "ping payload"),
                (true, CONTINUATION, "fragment2"),
            ],
            delivery,
        );
        steps.push(close_after(1.0));
        out.push(case(
            id(&[5, i]),
            format!("Ping between two text fragments ({how})"),
            format!("Send a text fragment, a ping, and the final fragment, {how}."),
            "The peer answers the ping first, then echoes the reassembled message; the harness \
             then closes normally.",
            control_rule(),
            steps,
            expect_events(vec![ev_pong(text("ping payload")), whole()]),
        ));
    }
    for (base, fin, what) in [(9u32, true, "FIN set"), (12, false, "FIN clear")] {
        for (k, (delivery, how)) in (0u32..).zip(DELIVERIES) {
            let mut steps = sends(
                &[
                    (fin, CONTINUATION, "non-continuation payload"),
                    (true, TEXT, "Hello, world!"),
                ],
                delivery,
            );
            steps.push(kill(1.0));
            out.push(case(
                id(&[5, base + k]),
                format!("Continuation with {what} and nothing to continue ({how})"),
                format!(
                    "Send a continuation frame with {what} while no message is in progress, \
                     then a text message, {how}."
                ),
                "The peer fails the connection (close 1002 or a drop) without echoing \
                 anything.",
                rule(),
                steps,
                expect_peer_fails(vec![], None, &[1002]),
            ));
        }
    }
    let mut steps = sends(
        &[
            (false, TEXT, "fragment1"),
            (true, CONTINUATION, "fragment2"),
            (false, CONTINUATION, "fragment3"),
            (true, TEXT, "fragment4"),
        ],
        Delivery::PLAIN,
    );
    steps.push(kill(1.0));
    out.push(case(
        id(&[5, 15]),
        "Complete fragmented message, then a stray continuation",
        "Send a text message in two fragments, then a continuation with FIN clear (nothing to \
         continue), then a text message.",
        "The peer echoes the first message, then fails the connection (1002 or a drop). \
         Failing before the echo is accepted as NON-STRICT.",
        rule(),
        steps,
        expect_peer_fails(vec![whole()], Some(vec![]), &[1002]),
    ));
    for (i, first_fin) in [(16u32, false), (17, true)] {
        let mut steps = Vec::new();
        for _ in 0..2 {
            steps.extend(sends(
                &[
                    (first_fin, CONTINUATION, "fragment1"),
                    (false, TEXT, "fragment2"),
                    (true, CONTINUATION, "fragment3"),
                ],
                Delivery::PLAIN,
            ));
        }
        steps.push(kill(1.0));
        let fin = if first_fin { "set" } else { "clear" };
        out.push(case(
            id(&[5, i]),
            format!("Message preceded by a stray continuation (FIN {fin}), twice"),
            format!(
                "Twice: a continuation with FIN {fin} (nothing to continue), then a text message \
                 in two fragments."
            ),
            "The peer fails the connection on the first stray continuation (1002 or a drop) \
             without echoing anything.",
            rule(),
            steps,
            expect_peer_fails(vec![], None, &[1002]),
        ));
    }
    let mut steps = sends(
        &[(false, TEXT, "fragment1"), (true, TEXT, "fragment2")],
        Delivery::PLAIN,
    );
    steps.push(kill(1.0));
    out.push(case(
        id(&[5, 18]),
        "Second fragment with a text opcode",
        "Send a text fragment with FIN clear, then a text frame (not a continuation) with FIN \
         set.",
        "The peer fails the connection (1002 or a drop) without echoing anything.",
        rule(),
        steps,
        expect_peer_fails(vec![], None, &[1002]),
    ));
    for (i, delivery, how) in [
        (19u32, Delivery::PLAIN, ""),
        (20, Delivery::SYNC, ", each frame in its own write"),
    ] {
        let mut steps = sends(
            &[
                (false, TEXT, "fragment1"),
                (false, CONTINUATION, "fragment2"),
                (true, PING, "pongme 1!"),
            ],
            delivery,
        );
        steps.push(wait(1.0, None));
        steps.extend(sends(
            &[
                (false, CONTINUATION, "fragment3"),
                (false, CONTINUATION, "fragment4"),
                (true, PING, "pongme 2!"),
                (true, CONTINUATION, "fragment5"),
            ],
            delivery,
        ));
        steps.push(close_after(1.0));
        out.push(case(
            id(&[5, i]),
            format!("Fragmented text message with pings, sent in two stages{how}"),
            format!(
                "Send two fragments and a ping, wait one second, then two more fragments, a \
                 second ping and the final fragment{how}."
            ),
            "The peer answers both pings and then echoes the reassembled message \
             \"fragment1fragment2fragment3fragment4fragment5\"; the harness then closes \
             normally.",
            control_rule(),
            steps,
            expect_events(vec![
                ev_pong(text("pongme 1!")),
                ev_pong(text("pongme 2!")),
                ev_text(text("fragment1fragment2fragment3fragment4fragment5")),
            ]),
        ));
    }
}
