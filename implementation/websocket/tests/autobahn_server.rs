//! Every Autobahn case of sections 1-7 as a wire-level test of the state
//! machine in the server role (client frames masked), plus the timed 6.4.x
//! fail-fast cases.

mod common;

use ampel_websocket::{Role, State};
use common::autobahn::{Case, KOSME, sections_1_to_5, sections_6_and_7, utf8_vectors};
use common::{Harness, PeerFrames, Sent};

fn run(role: Role, case: &Case) -> Harness {
    let mut h = Harness::new(role);
    for w in &case.writes {
        h.write(w, case.chop);
    }
    let sent = h.sent();
    assert_eq!(sent, case.expect, "case {} ({role:?})", case.id);
    // Our close frame ends the exchange: the server is done and wants TCP
    // closed at once; the client waits for the server to close TCP.
    match role {
        Role::Server => assert!(
            h.conn.is_closed() && h.conn.wants_tcp_close(),
            "case {}",
            case.id
        ),
        Role::Client => assert_eq!(
            h.conn.state(),
            State::ClosedAwaitTcpClose,
            "case {}",
            case.id
        ),
    }
    h
}

pub fn run_all(role: Role) -> usize {
    let f = PeerFrames { role };
    let cases: Vec<Case> = sections_1_to_5(f)
        .into_iter()
        .chain(sections_6_and_7(f))
        .collect();
    for case in &cases {
        run(role, case);
    }
    cases.len()
}

#[test]
fn sections_1_to_7_server() {
    // 16 + 11 + 7 + 10 + 20 + (145 - 4 timed 6.4.x) + 37 cases.
    assert_eq!(run_all(Role::Server), 16 + 11 + 7 + 10 + 20 + 141 + 37);
}

#[test]
fn utf8_families_have_the_reference_counts() {
    let v = utf8_vectors();
    assert_eq!(v.len(), 132);
    assert_eq!(v.iter().filter(|(_, _, valid)| *valid).count(), 63);
    for (id, bytes, valid) in &v {
        assert_eq!(std::str::from_utf8(bytes).is_ok(), *valid, "{id}");
    }
}

/// 6.4.1/6.4.2: three frames with pauses; we must fail at the second part.
/// 6.4.3/6.4.4: one FIN=0 text frame of 21 bytes written in three parts;
/// we must fail as soon as the invalid bytes arrive, mid-frame.
#[test]
fn fail_fast_6_4() {
    let f = PeerFrames { role: Role::Server };
    let payload = [KOSME, b"\xf4\x90\x80\x80", b"edited"].concat();
    for (id, cut1, cut2) in [("6.4.1/6.4.3", 11, 15), ("6.4.2/6.4.4", 12, 13)] {
        // As frames.
        let mut h = Harness::new(Role::Server);
        h.write(&f.raw(false, 0, 1, &payload[..cut1]), None);
        assert_eq!(h.sent(), vec![], "{id}: part 1 is valid");
        h.write(&f.raw(false, 0, 0, &payload[cut1..cut2]), None);
        assert_eq!(
            h.sent(),
            vec![Sent::Close(Some(1007))],
            "{id}: fails at part 2"
        );
        assert!(h.conn.is_closed());
        h.write(&f.raw(true, 0, 0, &payload[cut2..]), None);
        assert_eq!(h.sent().len(), 1, "{id}: nothing after the close");

        // As TCP writes inside one frame.
        let frame = f.raw(false, 0, 1, &payload);
        let header = frame.len() - payload.len();
        let mut h = Harness::new(Role::Server);
        h.write(&frame[..header + cut1], None);
        assert_eq!(h.sent(), vec![], "{id}: part 1 is valid");
        assert_eq!(h.conn.state(), State::Open);
        h.write(&frame[header + cut1..header + cut2], None);
        assert_eq!(
            h.sent(),
            vec![Sent::Close(Some(1007))],
            "{id}: fails mid-frame"
        );
        h.write(&frame[header + cut2..], None);
        h.write(&f.raw(true, 0, 0, b""), None);
        assert_eq!(h.sent().len(), 1);
    }
}

/// 9.x-style: the message helper's fragmentation of big messages.
#[test]
fn big_fragmented_message_is_reassembled() {
    let f = PeerFrames { role: Role::Server };
    let data: Vec<u8> = (0..1u32 << 20).map(|i| b'a' + (i % 26) as u8).collect();
    let mut h = Harness::new(Role::Server);
    for w in common::autobahn::fragmented_text(f, &data, 1 << 16) {
        h.write(&w, Some(4093));
    }
    assert_eq!(h.sent(), vec![Sent::Text(data)]);
}
