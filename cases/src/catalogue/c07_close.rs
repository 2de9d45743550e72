//! Section 7 — Close handling. RFC 6455 §5.5.1 and §7.4: after sending a close frame an
//! endpoint sends no more data frames; on receiving a close it answers with a close (unless it
//! sent one already) and then ignores anything else; a close body is empty or a 2-byte status
//! code optionally followed by a UTF-8 reason, within the 125-byte control-frame limit; status
//! codes outside the defined and registrable ranges, or ones reserved for local use only
//! (1005, 1006, 1015), must not appear on the wire, and a receiver fails the connection on them.

use super::{case, close, ev_text, expect_events, frame, id, kill, rfc, send, send_message, text};
use crate::case::{Case, SpecRef};
use crate::expect::{CloseExpect, Expect};
use crate::frame::CloseBody;
use crate::frame::opcode::{CLOSE, CONTINUATION, PING, TEXT};
use crate::message::MessageSpec;
use crate::payload::Payload;
use crate::step::Step;

/// Close codes a peer may send, in 7.7.x order.
pub(crate) const VALID_CODES: [u16; 13] = [
    1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999,
];
/// Close codes a peer must reject, in 7.9.x order.
pub(crate) const INVALID_CODES: [u16; 9] = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999];

fn after_close_rule() -> SpecRef {
    rfc(
        "5.5.1",
        "After sending a close frame an endpoint must not send further data; an endpoint that \
         received a close answers it with a close and then discards anything else.",
    )
}

fn body_rule() -> SpecRef {
    rfc(
        "5.5.1",
        "A close body, if present, starts with a 2-byte status code and may go on with a UTF-8 \
         reason, 125 bytes at most; an endpoint receiving a malformed body fails the connection.",
    )
}

fn code_rule() -> SpecRef {
    rfc(
        "7.4",
        "Only defined or registrable status codes may be sent (1000-1003, 1007-1011 and the \
         registered ones, 3000-4999); an endpoint receiving another code fails the connection.",
    )
}

/// The harness closes first; WRONG CODE in the close column also fails the case.
fn strict(mut expect: Expect) -> Expect {
    expect.wrong_code_fails_behavior = true;
    expect.auto_close_on_match = false;
    expect
}

fn closes(codes: &[u16], clean: bool) -> Expect {
    let mut e = expect_events(vec![]);
    e.close = CloseExpect::harness_closes(codes);
    e.close.require_clean = clean;
    strict(e)
}

pub(super) fn cases(out: &mut Vec<Case>) {
    let hello = || text("Hello World!");
    // The harness closes through the auto-close rule once the echo has arrived.
    let mut e = expect_events(vec![ev_text(hello())]);
    e.wrong_code_fails_behavior = true;
    out.push(case(
        id(&[7, 1, 1]),
        "Echo, then a normal close",
        "Send a text message; once it is echoed, close with code 1000.",
        "The peer echoes the message and answers the close with 1000 (or an empty close), \
         cleanly.",
        rfc(
            "7.1.2",
            "An endpoint answers a close frame with a close frame, completing the handshake.",
        ),
        vec![send_message(MessageSpec::text(hello())), kill(1.0)],
        e,
    ));
    let c1000 = || close(CloseBody::code(1000));
    let after_close: [(u32, &str, Step); 3] = [
        (
            2,
            "a second, empty close frame",
            send(frame(true, CLOSE, Payload::empty())),
        ),
        (3, "a ping", send(frame(true, PING, Payload::empty()))),
        (4, "a text message", send(frame(true, TEXT, hello()))),
    ];
    for (i, what, extra) in after_close {
        out.push(case(
            id(&[7, 1, i]),
            format!("Close, then {what}"),
            format!("Close with code 1000, then at once send {what}."),
            "The peer answers the close cleanly and ignores what follows it (no pong, no echo).",
            after_close_rule(),
            vec![c1000(), extra, kill(1.0)],
            closes(&[1000], true),
        ));
    }
    out.push(case(
        id(&[7, 1, 5]),
        "Close in the middle of a fragmented message",
        "Send the first fragment of a text message, a close with code 1000, then the final \
         fragment.",
        "The peer answers the close cleanly and does not echo the unfinished message.",
        after_close_rule(),
        vec![
            send(frame(false, TEXT, text("fragment1"))),
            c1000(),
            send(frame(true, CONTINUATION, text("fragment2"))),
            kill(1.0),
        ],
        closes(&[1000], true),
    ));
    let mut e = expect_events(vec![ev_text(hello())]);
    e.alternatives.push(crate::expect::Alternative {
        label: crate::verdict::Label::NonStrict,
        events: vec![],
    });
    e.forced_informational = true;
    e.auto_close_on_match = false;
    out.push(case(
        id(&[7, 1, 6]),
        "Large message, small message, close and ping back to back",
        "Send a 256 KiB text message, a small text message, a close with code 1000 and a ping, \
         all at once.",
        "Informational: shows how much the peer processes before acting on the close (most \
         peers echo both messages, which matches neither alternative).",
        after_close_rule(),
        vec![
            send(frame(
                true,
                TEXT,
                Payload::repeat(*b"BAsd7&jh23", 256 * 1024),
            )),
            send(frame(true, TEXT, hello())),
            c1000(),
            send(frame(true, PING, Payload::empty())),
            kill(1.0),
        ],
        e,
    ));

    // 7.3.x: close bodies of every shape.
    let bodies: [(u32, CloseBody, &str, &[u16], bool); 6] = [
        (1, CloseBody::empty(), "an empty body", &[1000], true),
        (
            2,
            CloseBody::raw(text("a")),
            "a 1-byte body (half a status code)",
            &[1002],
            false,
        ),
        (
            3,
            CloseBody::code(1000),
            "code 1000 and no reason",
            &[1000],
            true,
        ),
        (
            4,
            CloseBody::with_reason(1000, hello()),
            "code 1000 and a short reason",
            &[1000],
            true,
        ),
        (
            5,
            CloseBody::with_reason(1000, Payload::repeat(*b"*", 123)),
            "code 1000 and a 123-byte reason (a 125-byte body, the maximum)",
            &[1000],
            true,
        ),
        (
            6,
            CloseBody::with_reason(1000, Payload::repeat(*b"*", 124)),
            "code 1000 and a 124-byte reason (a 126-byte body, too long)",
            &[1002],
            false,
        ),
    ];
    for (i, body, what, codes, valid) in bodies {
        let expectation = if valid {
            "The peer answers with a close (1000 or empty) and the close is clean."
        } else {
            "The peer rejects the malformed close: it fails the connection with 1002 or drops it."
        };
        out.push(case(
            id(&[7, 3, i]),
            format!("Close with {what}"),
            format!("Close with {what}."),
            expectation,
            body_rule(),
            vec![close(body), kill(1.0)],
            closes(codes, valid),
        ));
    }
    let bad_reason = Payload::bytes_of(KOSME_SURROGATE_EDITED);
    out.push(case(
        id(&[7, 5, 1]),
        "Close with a reason that is not UTF-8",
        "Close with code 1000 and a reason containing an encoded surrogate (not UTF-8).",
        "The peer fails the connection with 1002 or 1007, or drops it.",
        body_rule(),
        vec![close(CloseBody::with_reason(1000, bad_reason)), kill(1.0)],
        closes(&[1002, 1007], false),
    ));
    for (i, code) in (1u32..).zip(VALID_CODES) {
        out.push(case(
            id(&[7, 7, i]),
            format!("Close with valid code {code}"),
            format!("Close with status code {code} and no reason."),
            format!("The peer answers the close with 1000, {code} or an empty close, cleanly."),
            code_rule(),
            vec![close(CloseBody::code(code)), kill(1.0)],
            closes(&[1000, code], true),
        ));
    }
    for (i, code) in (1u32..).zip(INVALID_CODES) {
        out.push(case(
            id(&[7, 9, i]),
            format!("Close with invalid code {code}"),
            format!("Close with status code {code}, which may not be sent on the wire."),
            "The peer fails the connection with 1002 or drops it.",
            code_rule(),
            vec![close(CloseBody::code(code)), kill(1.0)],
            closes(&[1002], false),
        ));
    }
    for (i, code) in [(1u32, 5000u16), (2, 65535)] {
        let mut e = closes(&[1000, code, 1002], false);
        e.forced_informational = true;
        e.wrong_code_fails_behavior = false;
        out.push(case(
            id(&[7, 13, i]),
            format!("Close with out-of-range code {code}"),
            format!("Close with status code {code}, above the defined ranges."),
            "Informational: the RFC leaves codes above 4999 undefined; the peer may accept or \
             reject them.",
            code_rule(),
            vec![close(CloseBody::code(code)), kill(1.0)],
            e,
        ));
    }
}

/// κόσμε, the surrogate U+D800 as UTF-8-style bytes, and "edited".
const KOSME_SURROGATE_EDITED: &[u8] = &[
    0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80, b'e', b'd',
    b'i', b't', b'e', b'd',
];
