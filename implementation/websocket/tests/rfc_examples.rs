//! RFC 6455 §5.7 examples as byte literals: decoded by the connection with
//! the input split at every byte position, and produced by its encoder.

use std::time::Instant;

use ampel_websocket::{Config, Connection, Event, MessageKind, Role};

const HELLO_UNMASKED: &[u8] = &[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
const HELLO_MASKED: &[u8] = &[
    0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
];
const HEL_LO_FRAGMENTED: &[u8] = &[0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f];
const PING_UNMASKED: &[u8] = &[0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
const PONG_MASKED: &[u8] = &[
    0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
];
const RFC_KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

fn conn(role: Role) -> Connection {
    Connection::new(role, Config::default(), Box::new(|| RFC_KEY))
}

/// Feeds `wire` in two pieces cut at `cut`; returns the events.
fn feed_split(role: Role, wire: &[u8], cut: usize) -> (Vec<Event>, Vec<u8>) {
    let mut c = conn(role);
    let now = Instant::now();
    let (a, b) = wire.split_at(cut);
    c.handle_input(a, now);
    c.handle_input(b, now);
    let events = std::iter::from_fn(|| c.poll_event()).collect();
    (events, c.poll_transmit().unwrap_or_default())
}

fn at_every_split(role: Role, wire: &[u8], expected: &[Event], reply: &[u8]) {
    for cut in 0..=wire.len() {
        let (events, sent) = feed_split(role, wire, cut);
        assert_eq!(events, expected, "cut at {cut}");
        assert_eq!(sent, reply, "cut at {cut}");
    }
}

fn text(s: &str) -> Event {
    Event::Message {
        kind: MessageKind::Text,
        payload: s.as_bytes().to_vec(),
    }
}

#[test]
fn single_frame_unmasked_and_masked_text() {
    at_every_split(Role::Client, HELLO_UNMASKED, &[text("Hello")], b"");
    at_every_split(Role::Server, HELLO_MASKED, &[text("Hello")], b"");
}

#[test]
fn fragmented_unmasked_text() {
    at_every_split(Role::Client, HEL_LO_FRAGMENTED, &[text("Hello")], b"");
}

#[test]
fn ping_is_answered_with_the_masked_pong() {
    // A client answers the RFC's unmasked ping with exactly the RFC's masked pong.
    at_every_split(
        Role::Client,
        PING_UNMASKED,
        &[Event::Ping(b"Hello".to_vec())],
        PONG_MASKED,
    );
}

#[test]
fn encoder_produces_the_rfc_bytes() {
    let mut client = conn(Role::Client);
    client.send_text("Hello").expect("open");
    assert_eq!(client.poll_transmit().as_deref(), Some(HELLO_MASKED));
    let mut server = conn(Role::Server);
    server.send_text("Hello").expect("open");
    server.ping(b"Hello").expect("open");
    assert_eq!(
        server.poll_transmit(),
        Some([HELLO_UNMASKED, PING_UNMASKED].concat())
    );
    let mut fragmented = Config::default();
    fragmented.fragment_size = Some(3);
    let mut server = Connection::new(Role::Server, fragmented, Box::new(|| RFC_KEY));
    server.send_text("Hello").expect("open");
    assert_eq!(server.poll_transmit().as_deref(), Some(HEL_LO_FRAGMENTED));
}

#[test]
fn lengths_256_and_64k() {
    for (len, header) in [
        (256usize, vec![0x82, 0x7E, 0x01, 0x00]),
        (65536, vec![0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0]),
    ] {
        let payload: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let wire = [header.as_slice(), &payload].concat();
        let expected = [Event::Message {
            kind: MessageKind::Binary,
            payload: payload.clone(),
        }];
        // Every cut in the header and the first payload bytes, then a stride.
        let cuts = (0..header.len() + 8).chain((header.len() + 8..=wire.len()).step_by(97));
        for cut in cuts.chain([wire.len()]) {
            let (events, _) = feed_split(Role::Client, &wire, cut);
            assert_eq!(events, expected, "len {len} cut {cut}");
        }
        let mut server = conn(Role::Server);
        server.send_binary(&payload).expect("open");
        assert_eq!(server.poll_transmit(), Some(wire));
    }
}
