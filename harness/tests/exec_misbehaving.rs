//! The executor against scripted, misbehaving servers: violations are detected and the
//! connection failed, pings are answered and not recorded, every timer ends the case, and a
//! peer that does not read cannot hang it.

mod exec_common;

use std::time::{Duration, Instant};

use ampel::executor::{ExecConfig, run_client_case};
use ampel::wire::codec::{Decoded, Decoder};
use ampel::wire::handshake::accept_response;
use ampel_cases::{
    Behavior, Case, CloseBehavior, FrameSpec, Observation, Payload, PeerViolation, Secs, Step,
    WireEntry, judge, opcode,
};
use exec_common::{TEST_LIMIT, case, runtime, target, tungstenite_echo_server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A frame from the harness: opcode, masked, unmasked payload.
type Frame = (u8, bool, Vec<u8>);

struct Peer {
    io: TcpStream,
    decoder: Decoder,
    pending: Vec<u8>,
}

impl Peer {
    async fn next_frame(&mut self) -> Option<Frame> {
        let mut current: Option<Frame> = None;
        loop {
            let mut data = std::mem::take(&mut self.pending);
            let mut input: &mut [u8] = &mut data;
            while let Some(item) = self.decoder.next(&mut input) {
                match item {
                    Decoded::Header(h) => current = Some((h.opcode, h.mask.is_some(), Vec::new())),
                    Decoded::Payload(p) => {
                        if let Some(c) = current.as_mut() {
                            c.2.extend_from_slice(p);
                        }
                    }
                    Decoded::End => {
                        self.pending = input.to_vec();
                        return current;
                    }
                }
            }
            let mut buf = [0u8; 4096];
            let n = self.io.read(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            self.pending.extend_from_slice(buf.get(..n)?);
        }
    }

    async fn send(&mut self, bytes: &[u8]) {
        let _ = self.io.write_all(bytes).await;
    }
}

/// Accepts one connection, completes the upgrade and hands the peer to `script`.
async fn scripted<F, Fut>(case: &Case, scale: f64, script: F) -> Observation
where
    F: FnOnce(Peer) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("addr: {e}"));
    let mut server = tokio::spawn(async move {
        let Ok((mut tcp, _)) = listener.accept().await else {
            return;
        };
        let (head, leftover) = ampel::wire::handshake::read_head(&mut tcp)
            .await
            .unwrap_or_else(|e| panic!("request: {e}"));
        let req = ampel::wire::handshake::parse_request(&head, leftover)
            .unwrap_or_else(|e| panic!("parse: {e}"));
        let resp = accept_response(&req, None).unwrap_or_else(|e| panic!("accept: {e}"));
        let _ = tcp.write_all(resp.as_bytes()).await;
        script(Peer {
            io: tcp,
            decoder: Decoder::new(),
            pending: req.leftover,
        })
        .await;
    });
    let cfg = ExecConfig {
        timeout_scale: scale,
        ..ExecConfig::default()
    };
    let obs = tokio::time::timeout(TEST_LIMIT, run_client_case(&target(addr), case, &cfg))
        .await
        .unwrap_or_else(|_| panic!("the case hung"));
    // A failed assertion inside the script fails the test.
    if let Ok(Err(e)) = tokio::time::timeout(Duration::from_secs(1), &mut server).await {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
    }
    server.abort();
    obs
}

const CLOSE_1000: [u8; 4] = [0x88, 0x02, 0x03, 0xe8];

#[test]
fn masked_server_frame_fails_the_connection() {
    runtime().block_on(async {
        let obs = scripted(case("1.1.1"), 1.0, |mut peer| async move {
            peer.send(&[0x81, 0x80, 1, 2, 3, 4]).await;
            // Expect the harness's close 1002, answer it and drop.
            while let Some((op, masked, payload)) = peer.next_frame().await {
                if op == opcode::CLOSE {
                    assert!(masked);
                    assert_eq!(payload.get(..2), Some(&[0x03, 0xea][..]));
                    assert_eq!(
                        payload.get(2..),
                        Some(b"masked frame from a server".as_slice())
                    );
                    peer.send(&CLOSE_1000).await;
                    return;
                }
            }
        })
        .await;
        assert_eq!(obs.peer_violations, [PeerViolation::MaskedServerFrame]);
        let c = &obs.connection;
        assert!(c.closed_by_me && c.failed_by_me && c.was_clean && !c.dropped_by_me);
        assert_eq!(c.local_close_code, Some(1002));
        assert_eq!(c.remote_close_code, Some(1000));
    });
}

#[test]
fn pings_are_answered_and_not_recorded() {
    runtime().block_on(async {
        let obs = scripted(case("1.1.1"), 1.0, |mut peer| async move {
            // The harness's empty text message.
            let first = peer.next_frame().await;
            assert_eq!(first, Some((opcode::TEXT, true, Vec::new())));
            peer.send(&[0x89, 0x01, b'x']).await;
            let pong = peer.next_frame().await;
            assert_eq!(pong, Some((opcode::PONG, true, b"x".to_vec())));
            peer.send(&[0x81, 0x00]).await;
            // The echo matches: the harness closes with 1000 at once.
            let close = peer.next_frame().await;
            assert_eq!(close, Some((opcode::CLOSE, true, vec![0x03, 0xe8])));
            peer.send(&CLOSE_1000).await;
        })
        .await;
        let verdict = judge(case("1.1.1"), &obs);
        assert_eq!(
            (verdict.behavior, verdict.behavior_close),
            (Behavior::Ok, CloseBehavior::Ok),
            "{obs:#?}"
        );
        assert_eq!(obs.events.len(), 1);
        assert_eq!(obs.tx_frame_counts.get(&opcode::PONG), Some(&1));
        assert_eq!(obs.rx_frame_counts.get(&opcode::PING), Some(&1));
    });
}

#[test]
fn unanswered_close_hits_the_close_handshake_timer() {
    runtime().block_on(async {
        let started = Instant::now();
        // 2.1: ping, close after 1 s; the peer answers nothing and keeps reading.
        let obs = scripted(case("2.1"), 0.1, |mut peer| async move {
            while peer.next_frame().await.is_some() {}
        })
        .await;
        assert!(started.elapsed() < Duration::from_secs(2));
        let c = &obs.connection;
        assert!(c.closed_by_me && !c.failed_by_me && c.dropped_by_me);
        assert!(c.was_close_handshake_timeout && !c.was_clean);
        assert_eq!(c.local_close_code, None);
        let verdict = judge(case("2.1"), &obs);
        assert_eq!(
            (verdict.behavior, verdict.behavior_close),
            (Behavior::Failed, CloseBehavior::Unclean)
        );
    });
}

#[test]
fn server_that_keeps_tcp_open_is_dropped_by_the_client() {
    runtime().block_on(async {
        // 7.3.2: a 1-byte close body; the server answers 1002 but never drops TCP. Without
        // the kill timer, the server-drop timer ends the case.
        let mut no_kill = case("7.3.2").clone();
        no_kill
            .steps
            .retain(|s| !matches!(s, Step::KillAfter { .. }));
        let obs = scripted(&no_kill, 0.1, |mut peer| async move {
            while let Some((op, _, _)) = peer.next_frame().await {
                if op == opcode::CLOSE {
                    peer.send(&[0x88, 0x02, 0x03, 0xea]).await;
                }
            }
        })
        .await;
        let c = &obs.connection;
        assert!(
            c.was_server_connection_drop_timeout && c.dropped_by_me && !c.was_clean,
            "{c:#?}"
        );
        assert_eq!(c.remote_close_code, Some(1002));
        let verdict = judge(case("7.3.2"), &obs);
        assert_eq!(verdict.behavior_close, CloseBehavior::FailedByClient);
    });
}

#[test]
fn peer_close_is_answered_with_1000() {
    runtime().block_on(async {
        // The server closes first with 1001; the harness replies 1000 and the server drops.
        let obs = scripted(case("1.1.1"), 1.0, |mut peer| async move {
            peer.send(&[0x88, 0x02, 0x03, 0xe9]).await;
            while let Some((op, _, payload)) = peer.next_frame().await {
                if op == opcode::CLOSE {
                    assert_eq!(payload, [0x03, 0xe8]);
                    return;
                }
            }
        })
        .await;
        let c = &obs.connection;
        assert!(!c.closed_by_me && c.was_clean && !c.dropped_by_me);
        assert_eq!(
            (c.remote_close_code, c.local_close_code),
            (Some(1001), Some(1000))
        );
    });
}

#[test]
fn a_peer_that_does_not_read_cannot_hang_a_case() {
    runtime().block_on(async {
        let mut big = case("1.1.1").clone();
        big.steps = vec![
            Step::Frame {
                frame: FrameSpec::new(true, opcode::BINARY, Payload::repeat(*b"x", 32 << 20)),
                delivery: ampel_cases::Delivery::PLAIN,
            },
            Step::KillAfter { secs: Secs(1.0) },
        ];
        let started = Instant::now();
        let obs = scripted(&big, 0.2, |peer| async move {
            // Keep the connection open, never read.
            let _open = peer;
            tokio::time::sleep(Duration::from_secs(60)).await;
        })
        .await;
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        let c = &obs.connection;
        assert!(
            c.closed_by_me && c.failed_by_me && c.dropped_by_me && !c.was_clean,
            "{c:#?}"
        );
        assert_eq!(c.local_close_code, Some(1001));
    });
}

#[test]
fn wire_log_is_capped_and_off_for_bulk_cases() {
    runtime().block_on(async {
        let addr = tungstenite_echo_server().await;
        let cfg = ExecConfig {
            max_wire_rows: 3,
            ..ExecConfig::default()
        };
        let obs = run_client_case(&target(addr), case("1.1.1"), &cfg).await;
        assert_eq!(obs.wire_log.len(), 4);
        assert!(matches!(obs.wire_log.last(), Some(WireEntry::Elided { rows }) if *rows > 0));

        let obs = run_client_case(&target(addr), case("1.1.1"), &ExecConfig::default()).await;
        assert!(
            obs.wire_log
                .iter()
                .any(|r| matches!(r, WireEntry::TxFrame { opcode: 1, .. }))
        );
        assert!(
            obs.wire_log
                .iter()
                .any(|r| matches!(r, WireEntry::RxFrame { opcode: 8, .. }))
        );
        assert!(
            obs.wire_log
                .iter()
                .any(|r| matches!(r, WireEntry::TcpDropped { by_me: false, .. }))
        );

        let obs = run_client_case(&target(addr), case("9.1.1"), &ExecConfig::default()).await;
        assert!(obs.wire_log.iter().all(|r| !matches!(
            r,
            WireEntry::TxFrame { .. }
                | WireEntry::RxFrame { .. }
                | WireEntry::TxOctets { .. }
                | WireEntry::RxOctets { .. }
        )));
        assert!(obs.echo.as_ref().is_some_and(|e| e.replies.len() == 1));
    });
}

#[test]
fn unreachable_server_is_a_failed_handshake() {
    runtime().block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        drop(listener);
        let obs = run_client_case(&target(addr), case("1.1.1"), &ExecConfig::default()).await;
        assert!(!obs.handshake.completed);
        assert!(obs.connection.was_not_clean_reason.is_some());
        assert_eq!(judge(case("1.1.1"), &obs).behavior, Behavior::Failed);
    });
}

#[test]
fn unmasked_client_frame_fails_the_connection_as_server() {
    runtime().block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let client = tokio::spawn(async move {
            let mut tcp = TcpStream::connect(addr)
                .await
                .unwrap_or_else(|e| panic!("connect: {e}"));
            let request = "GET /runCase?case=1&agent=raw HTTP/1.1\r\nHost: x\r\n\
                           Upgrade: websocket\r\nConnection: Upgrade\r\n\
                           Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
                           Sec-WebSocket-Version: 13\r\n\r\n";
            let _ = tcp.write_all(request.as_bytes()).await;
            let (head, leftover) = ampel::wire::handshake::read_head(&mut tcp)
                .await
                .unwrap_or_else(|e| panic!("response: {e}"));
            assert!(head.starts_with(b"HTTP/1.1 101"));
            // An unmasked text frame from a client.
            let _ = tcp.write_all(&[0x81, 0x02, b'h', b'i']).await;
            let mut peer = Peer {
                io: tcp,
                decoder: Decoder::new(),
                pending: leftover,
            };
            while let Some((op, masked, payload)) = peer.next_frame().await {
                assert!(!masked, "a server never masks");
                if op == opcode::CLOSE {
                    assert_eq!(payload.get(..2), Some(&[0x03, 0xea][..]));
                    peer.send(&[0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]).await;
                }
            }
        });
        let (tcp, _) = listener
            .accept()
            .await
            .unwrap_or_else(|e| panic!("accept: {e}"));
        let mut io: ampel::executor::BoxedIo = Box::new(tcp);
        let request = ampel::executor::read_upgrade_request(&mut io, Duration::from_secs(5))
            .await
            .unwrap_or_else(|e| panic!("request: {e}"));
        let obs = tokio::time::timeout(
            TEST_LIMIT,
            ampel::executor::run_server_case(io, request, case("2.1"), &ExecConfig::default()),
        )
        .await
        .unwrap_or_else(|_| panic!("the case hung"));
        if let Err(e) = client.await {
            if e.is_panic() {
                std::panic::resume_unwind(e.into_panic());
            }
        }
        assert_eq!(obs.peer_violations, [PeerViolation::UnmaskedClientFrame]);
        let c = &obs.connection;
        assert!(
            c.closed_by_me && c.failed_by_me && c.was_clean && c.dropped_by_me,
            "{c:#?}"
        );
        assert_eq!(
            (c.local_close_code, c.remote_close_code),
            (Some(1002), Some(1000))
        );
    });
}

#[test]
fn bad_text_and_bad_close_codes_from_the_peer() {
    runtime().block_on(async {
        // (what the server sends, the violation, the harness's close code)
        let rows: [(Vec<u8>, PeerViolation, u16); 3] = [
            (
                vec![0x81, 0x04, 0xce, 0xba, 0xed, 0xa0],
                PeerViolation::InvalidUtf8Text,
                1007,
            ),
            (
                vec![0x88, 0x02, 0x03, 0xed],
                PeerViolation::BadCloseCode { code: 1005 },
                1002,
            ),
            (
                vec![0x88, 0x01, 0x03],
                PeerViolation::CloseBodyOneByte,
                1002,
            ),
        ];
        for (bad, violation, code) in rows {
            let obs = scripted(case("1.1.1"), 0.2, move |mut peer| async move {
                peer.send(&bad).await;
                while let Some((op, _, payload)) = peer.next_frame().await {
                    if op == opcode::CLOSE {
                        assert_eq!(payload.get(..2), Some(&code.to_be_bytes()[..]));
                        return;
                    }
                }
            })
            .await;
            assert_eq!(obs.peer_violations, std::slice::from_ref(&violation));
            let c = &obs.connection;
            assert!(c.closed_by_me && c.failed_by_me, "{violation:?}: {c:#?}");
            assert_eq!(c.local_close_code, Some(code));
            // An invalid close is not recorded as the peer's close.
            assert_eq!(c.remote_close_code, None, "{violation:?}");
            assert!(!c.was_clean);
        }
    });
}
