//! Section 14 — permessage-deflate rules Autobahn does not test (Ampel's own section). RFC
//! 7692 §5: a server declines an offer with an unknown, duplicate or invalid parameter, and a
//! client fails the connection on an answer it cannot accept; §6: RSV1 only on the first frame
//! of a data message, never on control frames; §7.1.2: windows of 8 bits; §7.2: context
//! takeover, and inflated text must still be UTF-8; RFC 6455 §10.4: size limits hold for the
//! inflated size.

use super::c12_deflate_data::{DEFAULT_OFFER, deflate_case};
use super::{
    case, ev_text, expect_echoes, expect_events, expect_peer_fails, frame, id, kill, send_message,
    send_with, text,
};
use crate::case::{AppliesTo, Case, DeflateAccept, Feature, HandshakeOffer, SpecRef};
use crate::corpus::DataSet;
use crate::expect::Check;
use crate::frame::opcode;
use crate::message::MessageSpec;
use crate::payload::Payload;
use crate::step::{Delivery, EchoSource, EchoSpec, Secs, Step};

/// RFC 7692 §7.2.3.1: "Hello" compressed, sync flush tail removed.
const HELLO_DEFLATED: [u8; 7] = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
/// Inflated size of the decompression bomb: far above any sane message limit.
const BOMB: usize = 256 << 20;

fn rfc7692(section: &str, requirement: &str) -> SpecRef {
    SpecRef {
        document: "RFC 7692".to_owned(),
        section: section.to_owned(),
        requirement: requirement.to_owned(),
    }
}

/// Offer and accept the default parameters (as sections 12 and 13 do).
fn negotiated() -> HandshakeOffer {
    HandshakeOffer {
        extensions: vec![DEFAULT_OFFER.to_owned()],
        deflate_accept: vec![DeflateAccept::default()],
        deflate_answer: None,
    }
}

/// A case that needs permessage-deflate negotiated with the default parameters.
fn with_deflate(mut c: Case) -> Case {
    c.required_feature = Some(Feature::PermessageDeflate);
    c.handshake = negotiated();
    c
}

/// 14.1-14.3: frames a peer must refuse once permessage-deflate is in effect.
fn framing(out: &mut Vec<Case>) {
    let rule = || {
        rfc7692(
            "6",
            "RSV1 marks a compressed message on its first frame only; a control frame or a \
             continuation frame with RSV1 set fails the connection.",
        )
    };
    let ping = frame(true, opcode::PING, Payload::bytes_of(HELLO_DEFLATED)).with_rsv(4);
    out.push(with_deflate(case(
        id(&[14, 1]),
        "Compressed ping",
        "With permessage-deflate in effect, send a ping with RSV1 set whose payload is \
         \"Hello\" compressed.",
        "The peer fails the connection (close 1002 or a drop) without a pong.",
        rule(),
        vec![send_with(ping, Delivery::PLAIN), kill(1.0)],
        expect_peer_fails(vec![], None, &[1002]),
    )));
    let (head, tail) = HELLO_DEFLATED.split_at(3);
    let first = frame(false, opcode::TEXT, Payload::bytes_of(head)).with_rsv(4);
    let second = frame(true, opcode::CONTINUATION, Payload::bytes_of(tail)).with_rsv(4);
    out.push(with_deflate(case(
        id(&[14, 2]),
        "RSV1 on a continuation frame",
        "With permessage-deflate in effect, send \"Hello\" compressed in two frames, both with \
         RSV1 set.",
        "The peer fails the connection (close 1002 or a drop) without echoing anything.",
        rule(),
        vec![
            send_with(first, Delivery::SYNC),
            send_with(second, Delivery::SYNC),
            kill(1.0),
        ],
        expect_peer_fails(vec![], None, &[1002]),
    )));
    // The UTF-8 vector of 6.3.1: "κόσμε" with a surrogate (ED A0 80) before "edited".
    let bad = [
        0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80, 0x65,
        0x64, 0x69, 0x74, 0x65, 0x64,
    ];
    let message = MessageSpec {
        binary: false,
        payload: Payload::bytes_of(bad),
        fragmentation: crate::message::Fragmentation::Whole,
    };
    out.push(with_deflate(case(
        id(&[14, 3]),
        "Compressed text that inflates to invalid UTF-8",
        "With permessage-deflate in effect, send a compressed text message whose inflated \
         bytes contain a UTF-16 surrogate (ED A0 80).",
        "The peer fails the connection with 1007 (or a drop) without echoing anything.",
        rfc7692(
            "7.2",
            "The inflated bytes are the message; a text message that is not UTF-8 after \
             inflation fails the connection (RFC 6455 §8.1).",
        ),
        vec![Step::Deflated { message }, kill(1.0)],
        expect_peer_fails(vec![], None, &[1007]),
    )));
}

/// 14.4.x: offers a server must decline; the connection then works uncompressed.
fn invalid_offers(out: &mut Vec<Case>) {
    let offers = [
        (
            "an unknown parameter",
            "permessage-deflate; client_max_window_bits; x_unknown_parameter",
        ),
        (
            "a duplicate parameter",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        ),
        (
            "server_max_window_bits out of range",
            "permessage-deflate; server_max_window_bits=7",
        ),
        (
            "server_max_window_bits without a value",
            "permessage-deflate; server_max_window_bits",
        ),
        (
            "a value on server_no_context_takeover",
            "permessage-deflate; server_no_context_takeover=1",
        ),
        (
            "client_max_window_bits out of range",
            "permessage-deflate; client_max_window_bits=16",
        ),
    ];
    for (i, (what, offer)) in (1u32..).zip(offers) {
        let mut c = case(
            id(&[14, 4, i]),
            format!("Offer with {what}"),
            format!("Offer only \"{offer}\", then send the text message \"Hello\" uncompressed."),
            "The server declines permessage-deflate (its answer has no permessage-deflate) and \
             echoes the message uncompressed; the harness then closes normally. Accepting the \
             offer fails the case.",
            rfc7692(
                "5",
                "A server must decline an offer with an unknown parameter, a parameter given \
                 twice or an invalid value.",
            ),
            vec![send_message(MessageSpec::text(text("Hello"))), kill(1.0)],
            expect_events(vec![ev_text(text("Hello"))]),
        );
        c.applies_to = AppliesTo::Server;
        c.handshake = HandshakeOffer {
            extensions: vec![offer.to_owned()],
            deflate_accept: Vec::new(),
            deflate_answer: None,
        };
        out.push(c);
    }
}

/// 14.5.x: answers a client must refuse (it fails the connection).
fn invalid_answers(out: &mut Vec<Case>) {
    let answers = [
        (
            "an unknown parameter",
            "permessage-deflate; x_unknown_parameter",
        ),
        (
            "client_max_window_bits without a value",
            "permessage-deflate; client_max_window_bits",
        ),
        (
            "server_max_window_bits out of range",
            "permessage-deflate; server_max_window_bits=16",
        ),
        (
            "a duplicate parameter",
            "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
        ),
        ("an extension the client never offered", "x-ampel-unoffered"),
    ];
    for (i, (what, answer)) in (1u32..).zip(answers) {
        let mut c = case(
            id(&[14, 5, i]),
            format!("Answer with {what}"),
            format!(
                "Answer the client's upgrade request with \"Sec-WebSocket-Extensions: {answer}\" \
                 whatever it offered, then send the text message \"Hello\" uncompressed."
            ),
            "The client fails the connection (a drop, or close 1002 or 1010) without echoing \
             anything.",
            rfc7692(
                "5",
                "A client must fail the connection when the server's answer has an unknown \
                 parameter, a parameter given twice, an invalid value, or an extension it did \
                 not offer (RFC 6455 §4.1).",
            ),
            vec![send_message(MessageSpec::text(text("Hello"))), kill(1.0)],
            expect_peer_fails(vec![], None, &[1002, 1010]),
        );
        c.applies_to = AppliesTo::Client;
        c.handshake = HandshakeOffer {
            extensions: Vec::new(),
            deflate_accept: Vec::new(),
            deflate_answer: Some(answer.to_owned()),
        };
        out.push(c);
    }
}

/// 14.6: 8-bit windows both ways (zlib compresses with 9; the peer must still cope).
fn window_bits_8(out: &mut Vec<Case>) {
    let offer = format!("{DEFAULT_OFFER}; server_max_window_bits=8");
    let handshake = HandshakeOffer {
        extensions: vec![offer.clone()],
        deflate_accept: vec![DeflateAccept {
            client_no_context_takeover: true,
            client_max_window_bits: Some(8),
        }],
        deflate_answer: None,
    };
    let text = format!(
        "offer \"{offer}\", or as server ask for client_max_window_bits=8 and \
         client_no_context_takeover"
    );
    out.push(deflate_case(
        &[14, 6],
        DataSet::Json,
        (4096, 0, 120.0),
        200,
        (&text, handshake),
    ));
}

/// 14.7: a message that only inflates with the previous message's window.
fn context_takeover(out: &mut Vec<Case>) {
    let body = Payload::Corpus {
        set: DataSet::GermanProse,
        offset: 0,
        len: 8192,
    };
    let message = MessageSpec::text(Payload::text(
        String::from_utf8_lossy(&body.bytes()).into_owned(),
    ));
    let echo = EchoSpec::of(&message);
    let mut c = case(
        id(&[14, 7]),
        "Context takeover: the same message twice",
        "Negotiate permessage-deflate without any no_context_takeover parameter, then send the \
         same 8 KiB text twice, compressed with one context: the second message is almost \
         entirely back-references into the first.",
        "The peer echoes both messages exactly; the harness then closes normally.",
        rfc7692(
            "7.1.1",
            "Without no_context_takeover the sender may reuse the sliding window of earlier \
             messages, and the receiver must keep it.",
        ),
        vec![Step::EchoLoop {
            source: EchoSource::Fixed(message),
            count: 2,
            timeout: Secs(10.0),
        }],
        expect_echoes(Check::Echo {
            echo,
            count: 2,
            timeout: Secs(10.0),
        }),
    );
    c.required_feature = Some(Feature::PermessageDeflate);
    c.handshake = HandshakeOffer {
        extensions: vec!["permessage-deflate; client_max_window_bits".to_owned()],
        deflate_accept: vec![DeflateAccept::default()],
        deflate_answer: None,
    };
    out.push(c);
}

/// 14.8: a decompression bomb.
fn bomb(out: &mut Vec<Case>) {
    let message = MessageSpec::binary(Payload::repeat([0u8], BOMB));
    out.push(with_deflate(case(
        id(&[14, 8]),
        "Decompression bomb",
        "With permessage-deflate in effect, send one binary message of 256 MiB of zero octets \
         compressed to about 256 KiB.",
        "The peer fails the connection with 1009 (message too big) or drops it, without \
         allocating the whole message; echoing it fails the case.",
        rfc7692(
            "7.2",
            "The inflated size counts against the receiver's message limit (RFC 6455 §10.4).",
        ),
        vec![Step::Deflated { message }, kill(20.0)],
        expect_peer_fails(vec![], None, &[1009]),
    )));
}

pub(super) fn cases(out: &mut Vec<Case>) {
    framing(out);
    invalid_offers(out);
    invalid_answers(out);
    window_bits_8(out);
    context_takeover(out);
    bomb(out);
}
