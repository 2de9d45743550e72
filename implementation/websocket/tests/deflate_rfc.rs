//! RFC 7692 §7.2.3 examples as byte literals, received by a client with
//! permessage-deflate on, each also fed split at every byte position.

use std::time::Instant;

use ampel_websocket::deflate::{Compressor, Decompressor, DeflateConfig, DeflateParams, Direction};
use ampel_websocket::{Config, Connection, Event, MessageKind};

fn client(params: DeflateParams) -> Connection {
    let mut config = Config::default();
    config.deflate = Some(DeflateConfig::new(params));
    Connection::client(config, Box::new(|| [1, 2, 3, 4]))
}

/// Feeds `chunks` (one after another) and returns the messages and whether a
/// violation occurred.
fn receive(params: DeflateParams, chunks: &[&[u8]]) -> (Vec<Vec<u8>>, bool) {
    let mut conn = client(params);
    let now = Instant::now();
    let mut messages = Vec::new();
    let mut violated = false;
    for chunk in chunks {
        conn.handle_input(chunk, now);
        while let Some(event) = conn.poll_event() {
            match event {
                Event::Message { kind, payload } => {
                    assert_eq!(kind, MessageKind::Text);
                    messages.push(payload);
                }
                Event::ProtocolViolation(_) => violated = true,
                _ => {}
            }
        }
    }
    (messages, violated)
}

/// The whole stream, then every split into two writes.
fn check_all_splits(params: DeflateParams, wire: &[u8], expected: &[&[u8]]) {
    let expected: Vec<Vec<u8>> = expected.iter().map(|m| m.to_vec()).collect();
    assert_eq!(receive(params, &[wire]), (expected.clone(), false));
    for cut in 0..=wire.len() {
        let (a, b) = wire.split_at(cut);
        assert_eq!(
            receive(params, &[a, b]),
            (expected.clone(), false),
            "split at {cut}"
        );
    }
    let bytes: Vec<&[u8]> = wire.chunks(1).collect();
    assert_eq!(receive(params, &bytes), (expected, false), "byte by byte");
}

/// §7.2.3.1: "Hello" in one compressed frame.
#[test]
fn hello_single_frame() {
    let wire = [0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
    check_all_splits(DeflateParams::default(), &wire, &[b"Hello"]);
}

/// §7.2.3.1: the same compressed bytes in two fragments, RSV1 on the first only.
#[test]
fn hello_fragmented() {
    let wire = [
        0x41, 0x03, 0xf2, 0x48, 0xcd, 0x80, 0x04, 0xc9, 0xc9, 0x07, 0x00,
    ];
    check_all_splits(DeflateParams::default(), &wire, &[b"Hello"]);
}

/// §7.2.3.2: the second "Hello" refers back into the first message's window.
#[test]
fn shared_window_second_message() {
    let wire = [
        0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, // first
        0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00, // second, a back-reference
    ];
    check_all_splits(DeflateParams::default(), &wire, &[b"Hello", b"Hello"]);
}

/// Context takeover is really used: with the server's context reset per
/// message, the second message's back-reference has nothing to point at.
#[test]
fn shared_window_needs_context_takeover() {
    let mut params = DeflateParams::default();
    params.server.no_context_takeover = true;
    let wire = [
        0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00,
        0x00,
    ];
    let (messages, violated) = receive(params, &[&wire]);
    assert_eq!(messages, [b"Hello".to_vec()]);
    assert!(violated);
}

/// §7.2.3.3: "Hello" in a stored (BTYPE=00) block.
#[test]
fn hello_uncompressed_block() {
    let wire = [
        0xc1, 0x0b, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00,
    ];
    check_all_splits(DeflateParams::default(), &wire, &[b"Hello"]);
}

/// §7.2.3.4: "Hello" in a BFINAL block, then `00` that the implied trailer
/// completes into an empty stored block; a later message still inflates.
#[test]
fn hello_bfinal_block() {
    let wire = [
        0xc1, 0x08, 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, // BFINAL
        0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, // fresh "Hello"
    ];
    check_all_splits(DeflateParams::default(), &wire, &[b"Hello", b"Hello"]);
}

/// §7.2.3.5: an empty message may be sent as a single `00` byte.
#[test]
fn empty_message_forms() {
    check_all_splits(DeflateParams::default(), &[0xc1, 0x01, 0x00], &[b""]);
    check_all_splits(DeflateParams::default(), &[0xc1, 0x00], &[b""]);
}

/// An empty compressed payload is an empty message that leaves the context
/// alone: the next message still inflates (the trailer alone would be an
/// incomplete stored block swallowing its bytes).
#[test]
fn empty_payload_then_a_message() {
    let wire = [
        0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, // "Hello"
        0xc1, 0x00, // empty
        0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00, // "Hello" again, back-reference
    ];
    check_all_splits(DeflateParams::default(), &wire, &[b"Hello", b"", b"Hello"]);
}

/// An empty message after others, or an empty last piece of a streamed
/// message, compresses to `00` (zlib writes nothing for a sync flush with no
/// new input, and nothing plus the trailer is not valid deflate), and every
/// sequence round-trips with and without context takeover.
#[test]
fn compressor_empty_messages() {
    for no_context_takeover in [false, true] {
        let direction = Direction {
            no_context_takeover,
            window_bits: 15,
        };
        let mut c = Compressor::new(direction, 6);
        let mut d = Decompressor::new(direction);
        let messages: [&[u8]; 6] = [b"", b"abcabcabc", b"", b"", b"abcabc", b""];
        for (i, m) in messages.iter().enumerate() {
            let mut wire = Vec::new();
            c.compress_message(m, &mut wire).unwrap();
            if m.is_empty() {
                assert_eq!(wire, [0x00], "message {i}");
            }
            let mut back = Vec::new();
            d.inflate(&wire, &mut back, 100).unwrap();
            d.finish_message(&mut back, 100).unwrap();
            assert_eq!(back, *m, "message {i}");
        }
        // Streamed: a piece, then an empty last piece.
        let mut wire = Vec::new();
        c.compress_chunk(b"xyz", false, &mut wire).unwrap();
        let first = wire.len();
        c.compress_chunk(b"", true, &mut wire).unwrap();
        assert_eq!(wire.get(first..), Some(&[0x00][..]));
        let mut back = Vec::new();
        d.inflate(&wire, &mut back, 100).unwrap();
        d.finish_message(&mut back, 100).unwrap();
        assert_eq!(back, b"xyz");
    }
}

/// Our compressor writes the RFC's bytes for "Hello" and, with context
/// takeover, the RFC's back-reference for the second one.
#[test]
fn compressor_matches_rfc_bytes() {
    let mut c = Compressor::new(Direction::default(), 6);
    let mut out = Vec::new();
    c.compress_message(b"Hello", &mut out).unwrap();
    assert_eq!(out, [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
    out.clear();
    c.compress_message(b"Hello", &mut out).unwrap();
    assert_eq!(out, [0xf2, 0x00, 0x11, 0x00, 0x00]);
    let mut fresh = Compressor::new(
        Direction {
            no_context_takeover: true,
            window_bits: 15,
        },
        6,
    );
    for _ in 0..2 {
        out.clear();
        fresh.compress_message(b"Hello", &mut out).unwrap();
        assert_eq!(out, [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
    }
}

/// The inflater alone, fed the RFC payload split at every position.
#[test]
fn decompressor_split_at_every_byte() {
    let payload = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
    for cut in 0..=payload.len() {
        let mut d = Decompressor::new(Direction::default());
        let mut out = Vec::new();
        let (a, b) = payload.split_at(cut);
        d.inflate(a, &mut out, 100).unwrap();
        d.inflate(b, &mut out, 100).unwrap();
        d.finish_message(&mut out, 100).unwrap();
        assert_eq!(out, b"Hello", "split at {cut}");
    }
}
