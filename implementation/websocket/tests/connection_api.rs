//! Delivery modes, the send API, limits, and the closing timers.

mod common;

use std::time::Duration;

use ampel_websocket::frame::OpCode;
use ampel_websocket::{
    CloseCode, Config, Delivery, Event, Limits, MessageKind, ProtocolError, Role, SendError, State,
};
use common::{Harness, PeerFrames, Sent};

fn server_with(config: Config) -> (Harness, PeerFrames) {
    let h = Harness::with_config(Role::Server, config);
    let f = h.peer();
    (h, f)
}

#[test]
fn stream_delivery_emits_chunks_as_bytes_arrive() {
    let mut config = Config::default();
    config.delivery = Delivery::Stream;
    let (mut h, f) = server_with(config);
    let first = f.raw(false, 0, 1, "κό".as_bytes());
    h.write(&first, Some(3));
    h.write(&f.ping("p"), None);
    h.write(&f.raw(true, 0, 0, "σμε".as_bytes()), None);
    let chunks: Vec<u8> = h
        .events
        .iter()
        .filter_map(|e| match e {
            Event::MessageChunk(c) => Some(c.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(chunks, "κόσμε".as_bytes());
    assert_eq!(
        h.events.first(),
        Some(&Event::MessageStart {
            kind: MessageKind::Text
        })
    );
    assert_eq!(h.events.last(), Some(&Event::MessageEnd));
    assert!(h.events.contains(&Event::Ping(b"p".to_vec())));
    // Pieces of 3 bytes: the 6-byte masked header is split too; 4 payload bytes
    // arrive as 3 + 1 and come out as two chunks.
    let n = h
        .events
        .iter()
        .filter(|e| matches!(e, Event::MessageChunk(_)))
        .count();
    assert_eq!(n, 3);
}

#[test]
fn stream_delivery_fails_fast_on_bad_utf8() {
    let mut config = Config::default();
    config.delivery = Delivery::Stream;
    let (mut h, f) = server_with(config);
    h.write(&f.raw(false, 0, 1, b"ok\xed\xa0\x80"), None);
    assert_eq!(h.sent(), vec![Sent::Close(Some(1007))]);
    assert!(
        h.events
            .contains(&Event::ProtocolViolation(ProtocolError::InvalidUtf8 {
                offset: 2
            }))
    );
}

#[test]
fn frame_delivery_reports_each_data_frame() {
    let mut config = Config::default();
    config.delivery = Delivery::Frames;
    let (mut h, f) = server_with(config);
    h.write(
        &[f.raw(false, 0, 2, b"ab"), f.raw(true, 0, 0, b"cd")].concat(),
        Some(1),
    );
    let frames: Vec<(OpCode, bool, Vec<u8>)> = h
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Frame { header, payload } => Some((header.opcode, header.fin, payload.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        frames,
        vec![
            (OpCode::BINARY, false, b"ab".to_vec()),
            (OpCode::CONTINUATION, true, b"cd".to_vec())
        ]
    );
    h.write(&f.raw(true, 0, 0, b"x"), None);
    assert_eq!(h.sent(), vec![Sent::Close(Some(1002))]);
}

#[test]
fn message_and_frame_limits_fail_with_1009() {
    let mut config = Config::default();
    config.limits = Limits::default();
    config.limits.max_message_size = 10;
    config.limits.max_frame_size = 8;
    let (mut h, f) = server_with(config.clone());
    h.write(&f.binary([0; 9]), None);
    assert_eq!(h.sent(), vec![Sent::Close(Some(1009))]);
    let (mut h, f) = server_with(config);
    h.write(
        &[f.raw(false, 0, 2, &[0; 8]), f.raw(true, 0, 0, &[0; 3])].concat(),
        None,
    );
    assert_eq!(h.sent(), vec![Sent::Close(Some(1009))]);
}

#[test]
fn streaming_send_builds_a_fragmented_message() {
    let (mut h, _) = server_with(Config::default());
    h.conn.begin_message(MessageKind::Text).expect("open");
    assert_eq!(h.conn.send_text("x"), Err(SendError::MessageInProgress));
    h.conn
        .send_chunk(b"\xce", false)
        .expect("cut code point is fine");
    h.conn.ping(b"between").expect("control frames interleave");
    assert_eq!(
        h.conn.send_chunk(b"\xce", true),
        Err(SendError::InvalidUtf8 { offset: 0 })
    );
    h.conn.send_chunk(b"\xba", true).expect("completes κ");
    h.pump();
    assert_eq!(
        h.sent(),
        vec![
            Sent::TextStart(b"\xce".to_vec()),
            Sent::Ping(b"between".to_vec()),
            Sent::Cont(true, b"\xba".to_vec())
        ]
    );
    assert_eq!(
        h.conn.send_chunk(b"", true),
        Err(SendError::NoMessageInProgress)
    );
}

#[test]
fn frame_level_send_validates_the_sequence() {
    let (mut h, _) = server_with(Config::default());
    let c = &mut h.conn;
    assert_eq!(
        c.send_frame(OpCode::CONTINUATION, true, b""),
        Err(SendError::NoMessageInProgress)
    );
    assert_eq!(
        c.send_frame(OpCode::new(3), true, b""),
        Err(SendError::ReservedOpcode {
            opcode: OpCode::new(3)
        })
    );
    assert_eq!(
        c.send_frame(OpCode::PING, false, b""),
        Err(SendError::FragmentedControl)
    );
    assert_eq!(
        c.send_frame(OpCode::CLOSE, true, b""),
        Err(SendError::UseClose)
    );
    assert_eq!(
        c.ping(&[0; 126]),
        Err(SendError::ControlPayloadTooLong { length: 126 })
    );
    c.send_frame(OpCode::BINARY, false, b"a").expect("starts");
    assert_eq!(
        c.send_frame(OpCode::TEXT, true, b"b"),
        Err(SendError::MessageInProgress)
    );
    c.send_frame(OpCode::CONTINUATION, true, b"b")
        .expect("ends");
    h.pump();
    assert_eq!(
        h.sent(),
        vec![
            Sent::BinaryStart(b"a".to_vec()),
            Sent::Cont(true, b"b".to_vec())
        ]
    );
}

#[test]
fn close_rules_for_what_we_send() {
    let (mut h, f) = server_with(Config::default());
    let now = h.now;
    for bad in [1005, 1006, 1015] {
        assert_eq!(
            h.conn.close(CloseCode(bad), "", now),
            Err(SendError::InvalidCloseCode {
                code: CloseCode(bad)
            })
        );
    }
    h.conn
        .close(CloseCode::GOING_AWAY, "bye", now)
        .expect("open");
    assert_eq!(h.conn.state(), State::ClosingAwaitPeerClose);
    assert_eq!(h.conn.send_text("late"), Err(SendError::Closed));
    // Data still arriving is delivered; pings are no longer answered.
    h.write(&f.text("in flight"), None);
    h.write(&f.ping("p"), None);
    h.write(&f.close(1001, ""), None);
    assert_eq!(h.sent(), vec![Sent::Close(Some(1001))]);
    assert_eq!(
        h.messages(),
        vec![(MessageKind::Text, b"in flight".to_vec())]
    );
    let s = h.summary().expect("closed");
    assert!(s.clean);
    assert_eq!(s.sent, Some(CloseCode::GOING_AWAY));
    assert!(h.conn.wants_tcp_close());
}

#[test]
fn unanswered_close_times_out() {
    let (mut h, _) = server_with(Config::default());
    h.conn.close(CloseCode::NORMAL, "", h.now).expect("open");
    let deadline = h.conn.poll_timeout().expect("close timer");
    assert_eq!(deadline, h.now + Duration::from_secs(1));
    h.advance(Duration::from_millis(500));
    assert_eq!(h.conn.state(), State::ClosingAwaitPeerClose);
    h.advance(Duration::from_millis(500));
    assert!(h.conn.is_closed() && h.conn.wants_tcp_close());
    let s = h.summary().expect("closed");
    assert!(!s.clean && s.timed_out);
}

#[test]
fn peer_dropping_tcp_ends_the_connection_uncleanly() {
    let (mut h, _) = server_with(Config::default());
    h.conn.handle_eof(h.now);
    h.pump();
    assert!(h.conn.is_closed());
    assert!(!h.summary().expect("closed").clean);
    assert_eq!(h.conn.poll_timeout(), None);
}

#[test]
fn close_reason_is_reported_and_not_echoed() {
    let (mut h, f) = server_with(Config::default());
    h.write(&f.close(3001, "custom"), None);
    assert_eq!(h.sent(), vec![Sent::Close(Some(3001))]);
    let received = h.events.iter().find_map(|e| match e {
        Event::CloseReceived(c) => c.clone(),
        _ => None,
    });
    assert_eq!(
        received.map(|c| (c.code, c.reason)),
        Some((CloseCode(3001), "custom".to_owned()))
    );
}

#[test]
fn huge_timeouts_mean_never() {
    let mut config = Config::default();
    config.close_timeout = Duration::MAX;
    let (mut h, _) = server_with(config);
    h.conn.close(CloseCode::NORMAL, "", h.now).expect("open");
    assert_eq!(h.conn.poll_timeout(), None);
    h.advance(Duration::from_secs(3600));
    assert_eq!(h.conn.state(), State::ClosingAwaitPeerClose);
}

#[test]
fn longest_header_arrives_one_byte_at_a_time() {
    let mut server = ampel_websocket::Connection::server(Config::default());
    let f = PeerFrames { role: Role::Server };
    let payload = vec![b'z'; 65536];
    let wire = f.text(&payload);
    assert_eq!(
        &wire[1..2],
        &[0xFF],
        "masked, 64-bit length: a 14-byte header"
    );
    let now = std::time::Instant::now();
    for b in &wire[..20] {
        server.handle_input(std::slice::from_ref(b), now);
        assert_eq!(server.state(), State::Open);
    }
    server.handle_input(&wire[20..], now);
    assert_eq!(
        server.poll_event(),
        Some(Event::Message {
            kind: MessageKind::Text,
            payload
        })
    );
}

/// Autobahn 3.2 / 4.1.3 / 5.15 in one read: with input fed until each event, the valid message
/// is echoed before the violation behind it fails the connection (OK rather than NON-STRICT).
#[test]
fn input_until_event_lets_the_application_answer_before_a_later_violation() {
    for role in [Role::Server, Role::Client] {
        let mut h = Harness::new(role);
        let f = h.peer();
        let mut read = f.text("Hello, world!");
        read.extend(f.raw(true, 2, 1, b"Hello, world!"));
        read.extend(f.ping(""));
        let mut rest: &[u8] = &read;
        while !rest.is_empty() {
            let used = h.conn.handle_input_until_event(rest, h.now);
            rest = &rest[used..];
            h.pump();
            if used == 0 {
                break;
            }
        }
        assert!(rest.is_empty() || h.conn.state() != State::Open, "{role:?}");
        assert_eq!(
            h.sent(),
            vec![
                Sent::Text(b"Hello, world!".to_vec()),
                Sent::Close(Some(1002))
            ],
            "{role:?}"
        );
    }
}

#[test]
fn input_until_event_consumes_nothing_while_events_are_pending() {
    let mut h = Harness::new(Role::Server);
    let f = h.peer();
    let mut read = f.text("a");
    read.extend(f.text("b"));
    let first = h.conn.handle_input_until_event(&read, h.now);
    assert_eq!(first, f.text("a").len());
    assert_eq!(h.conn.handle_input_until_event(&read[first..], h.now), 0);
    h.pump();
    assert_eq!(
        h.conn.handle_input_until_event(&read[first..], h.now),
        read.len() - first
    );
    h.pump();
    assert_eq!(h.messages().len(), 2);
}
