//! Property tests: codec round trips, masking laws, UTF-8 agreement with std,
//! and message round trips between a client and a server connection.

use std::time::Instant;

use ampel_websocket::frame::{FrameHeader, LengthEncoding, OpCode, apply_mask};
use ampel_websocket::utf8::Utf8Validator;
use ampel_websocket::{Config, Connection, Event, MessageKind, Role};
use proptest::prelude::*;

fn header() -> impl Strategy<Value = FrameHeader> {
    (
        any::<bool>(),
        0u8..8,
        0u8..16,
        proptest::option::of(any::<[u8; 4]>()),
        prop_oneof![0u64..=125, 126u64..=0xFFFF, 0x1_0000u64..=(u64::MAX >> 1)],
    )
        .prop_map(|(fin, rsv, op, mask, len)| {
            let mut h = FrameHeader::new(fin, OpCode::new(op), mask, len);
            h.rsv = rsv;
            h
        })
}

fn message() -> impl Strategy<Value = (MessageKind, Vec<u8>)> {
    prop_oneof![
        ".{0,300}".prop_map(|s: String| (MessageKind::Text, s.into_bytes())),
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(|b| (MessageKind::Binary, b)),
    ]
}

proptest! {
    #[test]
    fn header_round_trips(h in header(), extra in proptest::collection::vec(any::<u8>(), 0..4)) {
        let mut wire = Vec::new();
        h.encode(&mut wire);
        prop_assert_eq!(wire.len(), h.encoded_len());
        prop_assert_eq!(h.length_encoding, LengthEncoding::minimal_for(h.payload_len));
        wire.extend_from_slice(&extra);
        prop_assert_eq!(FrameHeader::decode(&wire), Ok(Some((h, h.encoded_len()))));
    }

    #[test]
    fn masking_twice_is_identity(data in proptest::collection::vec(any::<u8>(), 0..200), key: [u8; 4], offset in 0u64..16) {
        let mut buf = data.clone();
        apply_mask(&mut buf, key, offset);
        apply_mask(&mut buf, key, offset);
        prop_assert_eq!(buf, data);
    }

    #[test]
    fn masking_in_pieces_equals_whole(data in proptest::collection::vec(any::<u8>(), 0..200), key: [u8; 4], cuts in proptest::collection::vec(0usize..200, 0..6)) {
        let mut whole = data.clone();
        apply_mask(&mut whole, key, 0);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(data.len())).collect();
        cuts.push(0);
        cuts.push(data.len());
        cuts.sort_unstable();
        let mut pieces = data.clone();
        for w in cuts.windows(2) {
            apply_mask(&mut pieces[w[0]..w[1]], key, w[0] as u64);
        }
        prop_assert_eq!(pieces, whole);
    }

    #[test]
    fn utf8_incremental_equals_std(
        data in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..64),
            ".{0,40}".prop_map(String::into_bytes),
            (".{0,20}", any::<u8>(), ".{0,20}").prop_map(|(a, b, c)| [a.as_bytes(), &[b], c.as_bytes()].concat()),
        ],
        cuts in proptest::collection::vec(0usize..64, 0..5),
    ) {
        let expected = std::str::from_utf8(&data).map(|_| ()).map_err(|e| e.valid_up_to() as u64);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(data.len())).collect();
        cuts.push(0);
        cuts.push(data.len());
        cuts.sort_unstable();
        let mut v = Utf8Validator::new();
        let got = cuts
            .windows(2)
            .try_for_each(|w| v.feed(&data[w[0]..w[1]]))
            .and_then(|()| v.finish());
        prop_assert_eq!(got.map_err(|e| e.offset), expected);
    }

    #[test]
    fn messages_round_trip_client_to_server(
        messages in proptest::collection::vec(message(), 0..8),
        fragment in proptest::option::of(1usize..64),
        chop in 1usize..50,
        key: [u8; 4],
    ) {
        let mut config = Config::default();
        config.fragment_size = fragment;
        let mut client = Connection::new(Role::Client, config, Box::new(move || key));
        let mut server = Connection::new(Role::Server, Config::default(), Box::new(|| [0; 4]));
        for (kind, payload) in &messages {
            client.send_message(*kind, payload).expect("open");
        }
        let wire = client.poll_transmit().unwrap_or_default();
        let now = Instant::now();
        for piece in wire.chunks(chop) {
            server.handle_input(piece, now);
        }
        let got: Vec<_> = std::iter::from_fn(|| server.poll_event())
            .map(|e| match e {
                Event::Message { kind, payload } => (kind, payload),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        prop_assert_eq!(got, messages);
        prop_assert!(server.poll_transmit().is_none());
    }
}
