//! Fuzz target bodies, shared by `fuzz/` and the seed-replay test. Each one
//! panics only when an invariant of this crate is broken.

use std::time::{Duration, Instant};

use crate::connection::{Config, Connection, Event};
use crate::frame::{FrameHeader, OpCode, apply_mask};
use crate::utf8::Utf8Validator;
use crate::validate::{MessageKind, Role};

/// Decodes a header from `data` and checks the codec is lossless: re-encoding
/// gives the same bytes, every shorter prefix asks for more, the strict
/// decoder agrees with the length rules, and masking in pieces equals whole.
pub fn frame_decode(data: &[u8]) {
    let Some((header, used)) = FrameHeader::parse(data) else {
        assert!(
            data.len() < crate::frame::MAX_HEADER_LEN,
            "a 14-byte buffer holds any header"
        );
        return;
    };
    let mut encoded = Vec::new();
    header.encode(&mut encoded);
    assert_eq!(
        Some(encoded.as_slice()),
        data.get(..used),
        "re-encoding differs"
    );
    for cut in 0..used {
        assert!(
            FrameHeader::parse(data.get(..cut).unwrap_or(&[])).is_none(),
            "prefix {cut} parsed"
        );
    }
    let strict = FrameHeader::decode(data);
    assert_eq!(strict.is_ok(), header.check_length().is_ok());
    if let (Some(key), Some(payload)) = (header.mask, data.get(used..)) {
        let mut whole = payload.to_vec();
        apply_mask(&mut whole, key, 0);
        let mut pieces = payload.to_vec();
        let split = usize::from(data.first().copied().unwrap_or(0)).min(pieces.len());
        let (a, b) = pieces.split_at_mut(split);
        apply_mask(a, key, 0);
        apply_mask(b, key, split as u64);
        assert_eq!(whole, pieces, "masking in pieces differs");
    }
}

/// Feeds `data` to a connection in `role` (raw bytes, or with bit 0x40 of the
/// first byte, frames built from descriptors), cut into chunks whose sizes come
/// from the first byte, echoing every message and advancing time; then checks
/// everything the connection wrote is a valid frame stream for its role with
/// nothing after the close frame, and that the event stream is well formed.
pub fn connection(role: Role, data: &[u8]) {
    let Some((&selector, raw)) = data.split_first() else {
        return;
    };
    let built;
    let mut input = raw;
    if selector & 0x40 != 0 {
        built = frames_from_descriptors(role, raw);
        input = &built;
    }
    let mut config = Config::default();
    config.limits.max_message_size = 1 << 20;
    config.limits.max_frame_size = 1 << 19;
    if selector & 0x80 != 0 {
        config.fragment_size = Some(usize::from(selector & 0x0F) + 1);
    }
    config.delivery = match selector % 3 {
        0 => crate::connection::Delivery::Messages,
        1 => crate::connection::Delivery::Stream,
        _ => crate::connection::Delivery::Frames,
    };
    let mut counter = 0u8;
    let masks = Box::new(move || {
        counter = counter.wrapping_add(1);
        [counter, 0x5A, counter.wrapping_mul(3), 0xA5]
    });
    let mut conn = Connection::new(role, config, masks);
    let mut now = Instant::now();
    let mut wire = Vec::new();
    let mut step = 0usize;
    let mut closed_events = 0;
    let mut violated = false;
    while !input.is_empty() {
        let size = 1 + (usize::from(selector).wrapping_mul(step + 1) * 7) % 97;
        let (chunk, rest) = input.split_at(size.min(input.len()));
        input = rest;
        step += 1;
        conn.handle_input(chunk, now);
        while let Some(event) = conn.poll_event() {
            assert_eq!(closed_events, 0, "event after Closed: {event:?}");
            // A violation stops input processing: no data or control after it.
            assert!(
                !violated || matches!(event, Event::Closed(_)),
                "event after a violation: {event:?}"
            );
            match event {
                Event::ProtocolViolation(_) => violated = true,
                Event::Message { kind, payload } => {
                    if kind == MessageKind::Text {
                        assert!(
                            std::str::from_utf8(&payload).is_ok(),
                            "invalid text delivered"
                        );
                    }
                    let _ = conn.send_message(kind, &payload);
                }
                Event::Closed(_) => closed_events += 1,
                _ => {}
            }
        }
        conn.transmit_into(&mut wire);
        if step % 5 == 0 {
            now += Duration::from_millis(300);
            conn.handle_timeout(now);
        }
    }
    conn.handle_eof(now);
    while let Some(event) = conn.poll_event() {
        if matches!(event, Event::Closed(_)) {
            closed_events += 1;
        }
    }
    conn.transmit_into(&mut wire);
    assert_eq!(closed_events, 1, "exactly one Closed event");
    check_own_output(role, &wire);
}

/// Turns fuzz bytes into well-formed frames so the fuzzer reaches deep
/// states (fragmentation, UTF-8, close codes) instead of failing on the first
/// header. Per frame: a flags byte (FIN = 0x80, opcode = low nibble, 0x10
/// flips the masking rule, 0x20 sets the RSV bits of the next byte's low 3
/// bits), a length byte (0-127; 126/127 stretch it to 200/70000 bytes of a
/// repeated pattern), then the payload bytes themselves.
fn frames_from_descriptors(role: Role, mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let [flags, len, rest @ ..] = data {
        let (rsv, rest) = match (flags & 0x20 != 0, rest) {
            (true, [r, tail @ ..]) => (r & 0b111, tail),
            _ => (0, rest),
        };
        let masked = (role == Role::Server) != (flags & 0x10 != 0);
        let mask = masked.then_some([0x37, 0xfa, 0x21, 0x3d]);
        let (payload, rest): (Vec<u8>, &[u8]) = match len & 0x7F {
            126 => (
                b"ab\xce\xba".iter().copied().cycle().take(200).collect(),
                rest,
            ),
            127 => (vec![b'x'; 70000], rest),
            n => {
                let n = usize::from(n).min(rest.len());
                let (p, r) = rest.split_at(n);
                (p.to_vec(), r)
            }
        };
        let mut header = FrameHeader::new(
            flags & 0x80 != 0,
            OpCode::new(*flags),
            mask,
            payload.len() as u64,
        );
        header.rsv = rsv;
        crate::frame::encode_frame(&header, &payload, &mut out);
        data = rest;
    }
    out
}

/// Our own output must be strictly valid, masked iff we are the client, and
/// end with (or have nothing after) the first close frame.
fn check_own_output(role: Role, mut wire: &[u8]) {
    let mut closed = false;
    while !wire.is_empty() {
        assert!(!closed, "bytes sent after a close frame");
        let (header, used) = match FrameHeader::decode(wire) {
            Ok(Some(found)) => found,
            other => panic!("own output does not decode: {other:?}"),
        };
        assert_eq!(header.mask.is_some(), role == Role::Client, "wrong masking");
        assert!(!header.opcode.is_reserved() && header.rsv == 0);
        if header.opcode.is_control() {
            assert!(header.fin && header.payload_len <= 125, "bad control frame");
        }
        let end = usize::try_from(header.payload_len)
            .ok()
            .and_then(|len| used.checked_add(len))
            .filter(|&end| end <= wire.len());
        let Some(end) = end else {
            panic!("own output truncated");
        };
        closed = header.opcode == OpCode::CLOSE;
        wire = wire.get(end..).unwrap_or(&[]);
    }
}

/// Compares the incremental validator with `std::str::from_utf8` when the
/// input is cut at every position (at a stride for long inputs) and when fed
/// byte by byte.
pub fn utf8_differential(data: &[u8]) {
    let expected = std::str::from_utf8(data)
        .map(|_| ())
        .map_err(|e| e.valid_up_to() as u64);
    let stride = (data.len() / 256).max(1);
    for cut in (0..=data.len()).step_by(stride) {
        let (a, b) = data.split_at(cut);
        let mut v = Utf8Validator::new();
        let got = v.feed(a).and_then(|()| v.feed(b)).and_then(|()| v.finish());
        assert_eq!(got.map_err(|e| e.offset), expected, "split at {cut}");
    }
    let mut v = Utf8Validator::new();
    let got = data
        .iter()
        .try_for_each(|b| v.feed(std::slice::from_ref(b)))
        .and_then(|()| v.finish());
    assert_eq!(got.map_err(|e| e.offset), expected, "byte by byte");
}

/// permessage-deflate: the bytes up to the first NUL are a
/// `Sec-WebSocket-Extensions` value, negotiated by a default server and
/// checked by a client that offered exactly it (the two must agree); the
/// rest drives connections of both roles with deflate on (parameters from the
/// first byte) through frame descriptors whose payloads are compressed, raw
/// with RSV1, or plain. Every message is echoed; what the connection sends
/// must be well-formed and inflate back to the echoed messages.
pub fn deflate(data: &[u8]) {
    use crate::deflate::{
        ClientOffers, Compressor, DeflateConfig, DeflateParams, Direction, OfferParams,
        ServerPolicy,
    };
    use crate::handshake::parse_extensions;

    let (header, frames) = match data.iter().position(|&b| b == 0) {
        Some(nul) => (
            data.get(..nul).unwrap_or(&[]),
            data.get(nul + 1..).unwrap_or(&[]),
        ),
        None => (data, &[][..]),
    };
    let mut offers = Vec::new();
    if parse_extensions(&String::from_utf8_lossy(header), &mut offers).is_ok() {
        if let Some((response, params)) = ServerPolicy::default().negotiate(&offers) {
            let client = ClientOffers {
                offers: offers
                    .iter()
                    .filter_map(|o| OfferParams::parse_offer(o).ok())
                    .collect(),
            };
            assert_eq!(
                client.accept_response(std::slice::from_ref(&response)),
                Ok(Some(params)),
                "client disagrees with {response:?}"
            );
        }
        let _ = ClientOffers::default().accept_response(&offers);
    }
    let Some((&selector, descriptors)) = frames.split_first() else {
        return;
    };
    let direction = |bits: u8, nct: bool| Direction {
        no_context_takeover: nct,
        window_bits: 8 + (bits & 7),
    };
    let params = DeflateParams {
        client: direction(selector, selector & 0x40 != 0),
        server: direction(selector >> 3, selector & 0x80 != 0),
    };
    for role in [Role::Server, Role::Client] {
        let peer = match role {
            Role::Server => Role::Client,
            Role::Client => Role::Server,
        };
        let mut compressor = Compressor::new(params.outgoing(peer), 6);
        let input = deflate_frames(role, descriptors, &mut compressor);
        let mut config = Config::default();
        config.limits.max_message_size = 1 << 18;
        config.delivery = match selector % 3 {
            0 => crate::connection::Delivery::Messages,
            1 => crate::connection::Delivery::Stream,
            _ => crate::connection::Delivery::Frames,
        };
        config.deflate = Some(DeflateConfig::new(params));
        let mut conn = Connection::new(role, config, Box::new(|| [0x11, 0x22, 0x33, 0x44]));
        let now = Instant::now();
        let mut echoed = Vec::new();
        let mut closed = 0;
        for chunk in input.chunks(1 + usize::from(selector % 61)) {
            conn.handle_input(chunk, now);
            while let Some(event) = conn.poll_event() {
                assert_eq!(closed, 0, "event after Closed: {event:?}");
                match event {
                    Event::Message { kind, payload } => {
                        if kind == MessageKind::Text {
                            assert!(std::str::from_utf8(&payload).is_ok(), "invalid text");
                        }
                        if conn.send_message(kind, &payload).is_ok() {
                            echoed.push(payload);
                        }
                    }
                    Event::Closed(_) => closed += 1,
                    _ => {}
                }
            }
        }
        conn.handle_eof(now);
        while let Some(event) = conn.poll_event() {
            if matches!(event, Event::Closed(_)) {
                closed += 1;
            }
        }
        assert_eq!(closed, 1, "exactly one Closed event");
        let wire = conn.poll_transmit().unwrap_or_default();
        let sent = inflate_own_output(role, &wire, params.outgoing(role));
        assert_eq!(
            sent, echoed,
            "own output does not inflate to the echoed messages"
        );
    }
}

/// Frame descriptors for [`deflate`]: a flags byte (FIN = 0x80, opcode = low
/// nibble, 0x40 compresses the payload, setting RSV1 unless it is a
/// continuation, 0x20 flips RSV1), a length byte (0-127), the payload.
fn deflate_frames(
    role: Role,
    mut data: &[u8],
    compressor: &mut crate::deflate::Compressor,
) -> Vec<u8> {
    let mut out = Vec::new();
    while let [flags, len, rest @ ..] = data {
        let n = usize::from(len & 0x7F).min(rest.len());
        let (raw, rest) = rest.split_at(n);
        let compress = flags & 0x40 != 0;
        let mut payload = Vec::new();
        let compressed = compress
            && compressor
                .compress_chunk(raw, flags & 0x80 != 0, &mut payload)
                .is_ok();
        if !compressed {
            payload = raw.to_vec();
        }
        // RSV1 marks a compressed message's first frame; 0x20 flips it.
        let mut rsv = if compress && flags & 0x0F != 0 {
            crate::frame::RSV1
        } else {
            0
        };
        if flags & 0x20 != 0 {
            rsv ^= crate::frame::RSV1;
        }
        let mask = (role == Role::Server).then_some([0x37, 0xfa, 0x21, 0x3d]);
        let mut header = FrameHeader::new(
            flags & 0x80 != 0,
            OpCode::new(*flags),
            mask,
            payload.len() as u64,
        );
        header.rsv = rsv;
        crate::frame::encode_frame(&header, &payload, &mut out);
        data = rest;
    }
    out
}

/// Decodes our own output strictly (masking by role, RSV1 only on unfragmented
/// data frames since we do not fragment here, nothing after a close) and
/// returns the data messages, inflated.
fn inflate_own_output(
    role: Role,
    mut wire: &[u8],
    direction: crate::deflate::Direction,
) -> Vec<Vec<u8>> {
    let mut inflater = crate::deflate::Decompressor::new(direction);
    let mut messages = Vec::new();
    let mut closed = false;
    while !wire.is_empty() {
        assert!(!closed, "bytes sent after a close frame");
        let (header, used) = match FrameHeader::decode(wire) {
            Ok(Some(found)) => found,
            other => panic!("own output does not decode: {other:?}"),
        };
        assert_eq!(header.mask.is_some(), role == Role::Client, "wrong masking");
        let end = usize::try_from(header.payload_len)
            .ok()
            .and_then(|len| used.checked_add(len))
            .filter(|&end| end <= wire.len());
        let Some(end) = end else {
            panic!("own output truncated");
        };
        let mut payload = wire.get(used..end).unwrap_or(&[]).to_vec();
        if let Some(key) = header.mask {
            apply_mask(&mut payload, key, 0);
        }
        if header.opcode.is_control() {
            assert!(header.fin && header.payload_len <= 125 && header.rsv == 0);
        } else {
            assert!(header.fin, "unexpected fragment");
            assert!(header.rsv & !crate::frame::RSV1 == 0, "RSV2/3 set");
            if header.rsv != 0 {
                let mut out = Vec::new();
                let inflated = inflater
                    .inflate(&payload, &mut out, u64::MAX)
                    .and_then(|()| inflater.finish_message(&mut out, u64::MAX));
                assert!(
                    inflated.is_ok(),
                    "own message does not inflate: {inflated:?}"
                );
                payload = out;
            }
            messages.push(payload);
        }
        closed = header.opcode == OpCode::CLOSE;
        wire = wire.get(end..).unwrap_or(&[]);
    }
    messages
}
