//! The Autobahn section 1-7 wire images in the client role: the server's
//! frames are unmasked, ours are masked, and after the close handshake we
//! wait for the server to close TCP.

mod common;

use std::time::Duration;

use ampel_websocket::{Event, Role, State};
use common::autobahn::{sections_1_to_5, sections_6_and_7};
use common::{Harness, PeerFrames, Sent};

#[test]
fn sections_1_to_7_client() {
    let f = PeerFrames { role: Role::Client };
    let mut n = 0;
    for case in sections_1_to_5(f).iter().chain(&sections_6_and_7(f)) {
        let mut h = Harness::new(Role::Client);
        for w in &case.writes {
            h.write(w, case.chop);
        }
        assert_eq!(h.sent(), case.expect, "case {}", case.id);
        assert_eq!(
            h.conn.state(),
            State::ClosedAwaitTcpClose,
            "case {}",
            case.id
        );
        n += 1;
    }
    assert_eq!(n, 16 + 11 + 7 + 10 + 20 + 141 + 37);
}

#[test]
fn masked_server_frame_fails_with_1002() {
    let server_as_if_client = PeerFrames { role: Role::Server };
    let mut h = Harness::new(Role::Client);
    h.write(&server_as_if_client.text("masked"), None);
    assert_eq!(h.sent(), vec![Sent::Close(Some(1002))]);
}

#[test]
fn client_waits_for_the_server_to_close_tcp() {
    let f = PeerFrames { role: Role::Client };
    let mut h = Harness::new(Role::Client);
    h.write(&f.close(1000, ""), None);
    assert_eq!(h.conn.state(), State::ClosedAwaitTcpClose);
    assert!(!h.conn.wants_tcp_close());
    assert_eq!(h.conn.poll_timeout(), Some(h.now + Duration::from_secs(1)));
    h.conn.handle_eof(h.now);
    h.pump();
    let summary = h.summary().expect("closed");
    assert!(summary.clean && !summary.timed_out);
    assert_eq!(h.conn.state(), State::Closed);
}

#[test]
fn client_closes_tcp_itself_after_the_timeout() {
    let f = PeerFrames { role: Role::Client };
    let mut h = Harness::new(Role::Client);
    h.write(&f.close(1001, "bye"), None);
    h.advance(Duration::from_millis(999));
    assert_eq!(h.conn.state(), State::ClosedAwaitTcpClose);
    h.advance(Duration::from_millis(1));
    assert!(h.conn.is_closed() && h.conn.wants_tcp_close());
    assert!(matches!(h.events.last(), Some(Event::Closed(s)) if s.clean && s.timed_out));
}
