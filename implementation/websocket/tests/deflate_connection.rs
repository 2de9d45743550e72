//! permessage-deflate inside the connection: round trips at every window
//! size with and without context takeover, RSV1 rules, bombs, UTF-8 after
//! inflation, fragmented sends and every delivery mode.

use std::time::Instant;

use ampel_websocket::deflate::{Compressor, DeflateConfig, DeflateParams, Direction};
use ampel_websocket::frame::{FrameHeader, OpCode, RSV1, encode_frame};
use ampel_websocket::{
    CloseCode, Config, Connection, Delivery, Event, MessageKind, ProtocolError, Role,
};

fn config(params: DeflateParams) -> Config {
    let mut config = Config::default();
    config.deflate = Some(DeflateConfig::new(params));
    config
}

fn pair(params: DeflateParams) -> (Connection, Connection) {
    (
        Connection::client(config(params), Box::new(|| [9, 8, 7, 6])),
        Connection::server(config(params)),
    )
}

/// Moves `from`'s output into `to`; returns the frame headers that passed.
fn pump(from: &mut Connection, to: &mut Connection) -> Vec<FrameHeader> {
    let wire = from.poll_transmit().unwrap_or_default();
    let mut headers = Vec::new();
    let mut rest = wire.as_slice();
    while let Ok(Some((header, used))) = FrameHeader::decode(rest) {
        headers.push(header);
        let end = used + header.payload_len as usize;
        rest = &rest[end..];
    }
    to.handle_input(&wire, Instant::now());
    headers
}

fn messages(conn: &mut Connection) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(event) = conn.poll_event() {
        match event {
            Event::Message { payload, .. } => out.push(payload),
            other => panic!("unexpected {other:?}"),
        }
    }
    out
}

fn violation(conn: &mut Connection) -> ProtocolError {
    while let Some(event) = conn.poll_event() {
        if let Event::ProtocolViolation(e) = event {
            return e;
        }
    }
    panic!("no violation");
}

fn sample(n: usize, seed: u32) -> Vec<u8> {
    let words: [&[u8]; 6] = [
        b"alpha ",
        b"beta ",
        b"gamma ",
        b"delta ",
        b"\xce\xba\xe1\xbd\xb9 ",
        b"x",
    ];
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let mut out = Vec::new();
    while out.len() < n {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        out.extend_from_slice(words[state as usize % words.len()]);
        if state % 7 == 0 {
            out.extend_from_slice(&state.to_le_bytes().map(|b| b'a' + b % 26));
        }
    }
    out.truncate(n);
    out
}

#[test]
fn round_trip_every_window_with_and_without_takeover() {
    for bits in 8..=15u8 {
        for nct in [false, true] {
            let d = Direction {
                no_context_takeover: nct,
                window_bits: bits,
            };
            let (mut client, mut server) = pair(DeflateParams {
                client: d,
                server: d,
            });
            for (i, size) in [0usize, 1, 100, 3000, 70_000].into_iter().enumerate() {
                let data = sample(size, i as u32 + u32::from(bits));
                client.send_binary(&data).unwrap();
                let headers = pump(&mut client, &mut server);
                assert_eq!(headers[0].rsv, RSV1);
                assert_eq!(
                    messages(&mut server),
                    std::slice::from_ref(&data),
                    "bits {bits} nct {nct}"
                );
                server.send_binary(&data).unwrap();
                pump(&mut server, &mut client);
                assert_eq!(messages(&mut client), [data], "bits {bits} nct {nct}");
            }
        }
    }
}

/// The second identical message is much smaller only with context takeover.
#[test]
fn context_takeover_is_used_when_negotiated() {
    let data = sample(2000, 5);
    let sizes = |nct: bool| {
        let d = Direction {
            no_context_takeover: nct,
            window_bits: 15,
        };
        let mut c = Compressor::new(d, 6);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        c.compress_message(&data, &mut a).unwrap();
        c.compress_message(&data, &mut b).unwrap();
        (a.len(), b.len())
    };
    let (first, second) = sizes(false);
    assert!(second * 10 < first, "{first} then {second}");
    let (first, second) = sizes(true);
    assert_eq!(first, second);
}

/// With 9 bits zlib keeps distances within 250 bytes, so a window of 8
/// suffices: a repeat 300 bytes back is not found, one 200 bytes back is.
#[test]
fn eight_bit_window_never_reaches_past_256_bytes() {
    let compressed_len = |period: usize, bits: u8| {
        // Incompressible bytes: only the repeat itself can shrink the data.
        let mut state = 0x2545_f491_u32;
        let unit: Vec<u8> = (0..period)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                (state >> 8) as u8
            })
            .collect();
        let data: Vec<u8> = unit.iter().copied().cycle().take(period * 8).collect();
        let mut c = Compressor::new(
            Direction {
                no_context_takeover: true,
                window_bits: bits,
            },
            9,
        );
        let mut out = Vec::new();
        c.compress_message(&data, &mut out).unwrap();
        out.len()
    };
    let far = compressed_len(300, 8);
    assert!(
        far > 300 * 5,
        "a 300-byte distance was used with 8 bits ({far})"
    );
    assert!(
        compressed_len(300, 10) < 600,
        "10 bits should find the repeat"
    );
    assert!(
        compressed_len(200, 8) < 500,
        "a 200-byte distance fits 8 bits"
    );
}

#[test]
fn fragmented_sends_set_rsv1_on_the_first_frame_only() {
    let data = sample(5000, 3);
    let mut cfg = config(DeflateParams::default());
    cfg.fragment_size = Some(100);
    let mut client = Connection::client(cfg, Box::new(|| [1, 1, 1, 1]));
    let mut server = Connection::server(config(DeflateParams::default()));
    client
        .send_text(std::str::from_utf8(&data).unwrap())
        .unwrap();
    let headers = pump(&mut client, &mut server);
    assert!(headers.len() > 2);
    assert_eq!(headers[0].rsv, RSV1);
    assert_eq!(headers[0].opcode, OpCode::TEXT);
    assert!(
        headers[1..]
            .iter()
            .all(|h| h.rsv == 0 && h.opcode == OpCode::CONTINUATION)
    );
    assert_eq!(messages(&mut server), std::slice::from_ref(&data));
    // Streamed sends: every chunk compressed, RSV1 on the first frame.
    client.begin_message(MessageKind::Binary).unwrap();
    for (i, chunk) in data.chunks(1000).enumerate() {
        client.send_chunk(chunk, i == 4).unwrap();
    }
    let headers = pump(&mut client, &mut server);
    assert_eq!(headers.len(), 5);
    assert_eq!(headers[0].rsv, RSV1);
    assert!(headers[1..].iter().all(|h| h.rsv == 0));
    assert_eq!(messages(&mut server), [data]);
}

#[test]
fn small_messages_below_min_size_go_uncompressed() {
    let mut cfg = config(DeflateParams::default());
    if let Some(d) = cfg.deflate.as_mut() {
        d.min_size = 10;
        d.level = 9;
    }
    let mut server = Connection::server(cfg);
    let mut client = Connection::client(config(DeflateParams::default()), Box::new(|| [0; 4]));
    server.send_text("short").unwrap();
    server.send_text("long enough to compress").unwrap();
    let headers = pump(&mut server, &mut client);
    assert_eq!(headers[0].rsv, 0);
    assert_eq!(headers[0].payload_len, 5);
    assert_eq!(headers[1].rsv, RSV1);
    assert_eq!(
        messages(&mut client),
        [b"short".to_vec(), b"long enough to compress".to_vec()]
    );
}

fn frame(fin: bool, rsv: u8, op: OpCode, payload: &[u8]) -> Vec<u8> {
    let mut header = FrameHeader::new(fin, op, Some([1, 2, 3, 4]), payload.len() as u64);
    header.rsv = rsv;
    let mut out = Vec::new();
    encode_frame(&header, payload, &mut out);
    out
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    Compressor::new(Direction::default(), 9)
        .compress_message(data, &mut out)
        .unwrap();
    out
}

fn close_code_sent(conn: &mut Connection) -> u16 {
    let wire = conn.poll_transmit().unwrap();
    let (header, used) = FrameHeader::decode(&wire).unwrap().unwrap();
    assert_eq!(header.opcode, OpCode::CLOSE);
    u16::from_be_bytes([wire[used], wire[used + 1]])
}

#[test]
fn rsv1_on_continuation_or_control_is_1002() {
    let hello = deflate(b"Hello");
    let inputs = [
        [
            frame(false, RSV1, OpCode::TEXT, &hello[..2]),
            frame(true, RSV1, OpCode::CONTINUATION, &hello[2..]),
        ]
        .concat(),
        frame(true, RSV1, OpCode::PING, b""),
        frame(true, RSV1, OpCode::PONG, b"x"),
        frame(true, RSV1, OpCode::CLOSE, b""),
    ];
    for input in inputs {
        let mut server = Connection::server(config(DeflateParams::default()));
        server.handle_input(&input, Instant::now());
        assert!(matches!(
            violation(&mut server),
            ProtocolError::ReservedBitsSet { .. }
        ));
        assert_eq!(close_code_sent(&mut server), 1002);
    }
    // Without deflate, RSV1 on a data frame is still 1002.
    let mut plain = Connection::server(Config::default());
    plain.handle_input(&frame(true, RSV1, OpCode::TEXT, &hello), Instant::now());
    assert!(matches!(
        violation(&mut plain),
        ProtocolError::ReservedBitsSet { .. }
    ));
}

#[test]
fn uncompressed_messages_still_pass_with_deflate_on() {
    let mut server = Connection::server(config(DeflateParams::default()));
    server.handle_input(&frame(true, 0, OpCode::TEXT, b"plain"), Instant::now());
    assert_eq!(messages(&mut server), [b"plain".to_vec()]);
}

#[test]
fn bomb_fails_with_1009_before_inflating_it_all() {
    let zeros = vec![0u8; 50 << 20];
    let bomb = deflate(&zeros);
    assert!(bomb.len() < 100_000);
    let mut cfg = config(DeflateParams::default());
    cfg.limits.max_message_size = 1 << 20;
    for delivery in [Delivery::Messages, Delivery::Stream, Delivery::Frames] {
        cfg.delivery = delivery;
        let mut server = Connection::server(cfg.clone());
        server.handle_input(&frame(true, RSV1, OpCode::BINARY, &bomb), Instant::now());
        let mut streamed = 0;
        let e = loop {
            match server.poll_event() {
                Some(Event::ProtocolViolation(e)) => break e,
                Some(Event::MessageChunk(c)) => streamed += c.len(),
                Some(Event::MessageStart { .. }) => {}
                other => panic!("{delivery:?}: {other:?}"),
            }
        };
        assert!(
            matches!(e, ProtocolError::MessageTooBig { max, length } if max == 1 << 20 && length <= (1 << 20) + 64 * 1024),
            "{e:?}"
        );
        assert!(streamed <= 1 << 20);
        assert_eq!(e.close_code(), CloseCode::MESSAGE_TOO_BIG);
        assert_eq!(close_code_sent(&mut server), 1009);
    }
}

#[test]
fn invalid_utf8_after_inflation_is_1007() {
    let mut server = Connection::server(config(DeflateParams::default()));
    server.handle_input(
        &frame(true, RSV1, OpCode::TEXT, &deflate(b"ok \xff no")),
        Instant::now(),
    );
    assert_eq!(
        violation(&mut server),
        ProtocolError::InvalidUtf8 { offset: 3 }
    );
    assert_eq!(close_code_sent(&mut server), 1007);
}

#[test]
fn corrupt_deflate_data_is_1007() {
    let mut server = Connection::server(config(DeflateParams::default()));
    // BTYPE=11 is reserved (RFC 1951 §3.2.3).
    server.handle_input(
        &frame(true, RSV1, OpCode::BINARY, &[0xff, 0xff]),
        Instant::now(),
    );
    assert!(matches!(
        violation(&mut server),
        ProtocolError::InvalidCompressedData { .. }
    ));
    assert_eq!(close_code_sent(&mut server), 1007);
}

#[test]
fn stream_and_frames_deliver_inflated_bytes() {
    let data = sample(3000, 11);
    let compressed = deflate(&data);
    let (a, b) = compressed.split_at(compressed.len() / 2);
    let wire = [
        frame(false, RSV1, OpCode::BINARY, a),
        frame(true, 0, OpCode::CONTINUATION, b),
    ]
    .concat();
    let mut cfg = config(DeflateParams::default());
    cfg.delivery = Delivery::Stream;
    let mut server = Connection::server(cfg.clone());
    server.handle_input(&wire, Instant::now());
    let mut got = Vec::new();
    let mut ended = false;
    while let Some(event) = server.poll_event() {
        match event {
            Event::MessageStart { kind } => assert_eq!(kind, MessageKind::Binary),
            Event::MessageChunk(c) => got.extend(c),
            Event::MessageEnd => ended = true,
            other => panic!("{other:?}"),
        }
    }
    assert!(ended);
    assert_eq!(got, data);
    cfg.delivery = Delivery::Frames;
    let mut server = Connection::server(cfg);
    server.handle_input(&wire, Instant::now());
    let mut got = Vec::new();
    let mut rsv = Vec::new();
    while let Some(event) = server.poll_event() {
        match event {
            Event::Frame { header, payload } => {
                rsv.push(header.rsv);
                got.extend(payload);
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(rsv, [RSV1, 0]);
    assert_eq!(got, data);
}

#[test]
fn deflate_off_keeps_rsv_clear_on_send() {
    let mut server = Connection::server(Config::default());
    server.send_text("Hello").unwrap();
    assert_eq!(server.poll_transmit().unwrap(), b"\x81\x05Hello");
    let _ = Role::Server;
}
