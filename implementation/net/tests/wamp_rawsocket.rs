//! RawSocket on the wire against our router: handshake replies byte for byte, framing,
//! PING/PONG, limits, and garbage that must close the connection without a panic. Plus the
//! client side against scripted routers, and the WebSocket subprotocol refusal.

use std::time::Duration;

use ampel_net::wamp::rawsocket::{self, MaxLength, RawSocketConfig, RawSocketError, RefusalCode};
use ampel_net::wamp::{Client, ClientOptions, Error, RouterServer, RouterServerConfig};
use ampel_wamp::Serialization;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const LIMIT: Duration = Duration::from_secs(10);

async fn start(config: RouterServerConfig) -> (RouterServer, String) {
    let mut server = RouterServer::start(config);
    let ep = server
        .listen(&"rawsocket://127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    (server, ep.authority())
}

/// Sends `bytes` and returns everything the router sends until it closes.
async fn exchange(addr: &str, bytes: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(bytes).await.unwrap();
    let mut got = Vec::new();
    // A reset after the reply is fine: what matters is what arrived before.
    let _ = tokio::time::timeout(LIMIT, s.read_to_end(&mut got))
        .await
        .unwrap();
    got
}

#[tokio::test]
async fn handshake_replies() {
    let mut config = RouterServerConfig::default();
    config.rawsocket.max_message_size = MaxLength::from_exponent(11).unwrap();
    config.rawsocket.min_peer_max_length = MaxLength::from_exponent(1).unwrap();
    let (_server, addr) = start(config).await;

    // Success: the serializer echoed, our limit (2^20) announced.
    for id in 1..=3u8 {
        let mut s = TcpStream::connect(&addr).await.unwrap();
        s.write_all(&[0x7F, 0xF0 | id, 0, 0]).await.unwrap();
        let mut reply = [0u8; 4];
        s.read_exact(&mut reply).await.unwrap();
        assert_eq!(reply, [0x7F, 0xB0 | id, 0, 0]);
    }
    // Serializers 0 (illegal), 4 (UBJSON), 5 (FlatBuffers), 6..15 (reserved): error 1.
    for id in [0u8, 4, 5, 6, 9, 15] {
        assert_eq!(
            exchange(&addr, &[0x7F, 0xF0 | id, 0, 0]).await,
            [0x7F, 0x10, 0, 0]
        );
    }
    // A client limit below the configured minimum: error 2.
    assert_eq!(
        exchange(&addr, &[0x7F, 0x01, 0, 0]).await,
        [0x7F, 0x20, 0, 0]
    );
    // Reserved octets: error 3.
    assert_eq!(
        exchange(&addr, &[0x7F, 0xF1, 0x12, 0x34]).await,
        [0x7F, 0x30, 0, 0]
    );
    // Not RawSocket at all (an HTTP request): closed without a reply.
    assert_eq!(exchange(&addr, b"GET / HTTP/1.1\r\n\r\n").await, b"");
    // A partial handshake then EOF: closed.
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(&[0x7F, 0xF1]).await.unwrap();
    s.shutdown().await.unwrap();
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(LIMIT, s.read_to_end(&mut rest))
        .await
        .unwrap();
    assert_eq!(rest, b"");
}

#[tokio::test]
async fn connection_limit_answers_error_4() {
    let mut config = RouterServerConfig::default();
    config.max_connections = 1;
    let (server, addr) = start(config).await;
    let url = format!("rawsocket://{addr}");
    let first = Client::connect(&url, "realm1", Serialization::Json)
        .await
        .unwrap();
    assert_eq!(server.connections(), 1);
    assert_eq!(
        exchange(&addr, &[0x7F, 0xF1, 0, 0]).await,
        [0x7F, 0x40, 0, 0]
    );
    match Client::connect(&url, "realm1", Serialization::Json).await {
        Err(Error::RawSocket(RawSocketError::Refused {
            code: RefusalCode::MaxConnections,
        })) => {}
        other => panic!("expected refusal 4, got {other:?}"),
    }
    first.leave().await.unwrap();
}

async fn handshaken(addr: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(&[0x7F, 0xF1, 0, 0]).await.unwrap();
    let mut reply = [0u8; 4];
    s.read_exact(&mut reply).await.unwrap();
    assert_eq!(reply[0], 0x7F);
    s
}

#[tokio::test]
async fn ping_pong_and_framing() {
    tokio::time::timeout(LIMIT, async {
        let (_server, addr) = start(RouterServerConfig::default()).await;
        let mut s = handshaken(&addr).await;
        // PING before HELLO, empty and with payload, in one segment: one PONG each, echoed.
        s.write_all(&[1, 0, 0, 0, 1, 0, 0, 3, b'a', b'b', b'c'])
            .await
            .unwrap();
        let mut pongs = [0u8; 11];
        s.read_exact(&mut pongs).await.unwrap();
        assert_eq!(pongs, [2, 0, 0, 0, 2, 0, 0, 3, b'a', b'b', b'c']);
        // An unsolicited PONG is ignored; then HELLO split byte by byte gets WELCOME.
        s.write_all(&[2, 0, 0, 1, b'x']).await.unwrap();
        let hello = br#"[1,"realm1",{"roles":{"caller":{}}}]"#;
        let mut frame = vec![0, 0, 0, hello.len() as u8];
        frame.extend_from_slice(hello);
        for b in frame {
            s.write_all(&[b]).await.unwrap();
        }
        let mut header = [0u8; 4];
        s.read_exact(&mut header).await.unwrap();
        assert_eq!(header[0], 0);
        let len = u32::from_be_bytes([0, header[1], header[2], header[3]]) as usize;
        let mut welcome = vec![0u8; len];
        s.read_exact(&mut welcome).await.unwrap();
        assert!(
            welcome.starts_with(b"[2,"),
            "{:?}",
            String::from_utf8_lossy(&welcome)
        );
    })
    .await
    .unwrap();
}

/// Every bad frame closes the connection (no reply, no panic); the router keeps serving.
#[tokio::test]
async fn bad_frames_close_the_connection() {
    tokio::time::timeout(LIMIT, async {
        let mut config = RouterServerConfig::default();
        config.rawsocket.max_message_size = MaxLength::MIN;
        let (_server, addr) = start(config).await;
        let bad: [&[u8]; 6] = [
            &[0x10, 0, 0, 1, b'x'], // reserved bits
            &[3, 0, 0, 1, b'x'],    // reserved type
            &[7, 0, 0, 0],          // reserved type
            &[0x08, 0, 0, 1],       // X bit with a non-zero length
            &[0, 0, 2, 1],          // 513 bytes > 512-byte limit
            &[0x08, 0, 0, 0],       // 16 MiB > limit
        ];
        for frame in bad {
            let mut s = handshaken(&addr).await;
            s.write_all(frame).await.unwrap();
            let mut rest = Vec::new();
            let _ = s.read_to_end(&mut rest).await;
            assert_eq!(rest, b"", "{frame:02x?}");
        }
        // Undecodable WAMP in a well-formed frame: ABORT protocol_violation, then close.
        let mut s = handshaken(&addr).await;
        s.write_all(&[0, 0, 0, 3, b'[', b'1', b',']).await.unwrap();
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest).await;
        let text = String::from_utf8_lossy(&rest);
        assert!(text.contains("wamp.error.protocol_violation"), "{text}");
        // Still serving. A hand-written HELLO: our client's, announcing its advanced
        // features, is larger than the 512-byte limit set here.
        let mut s = handshaken(&addr).await;
        let hello = br#"[1,"realm1",{"roles":{"caller":{}}}]"#;
        let len = u8::try_from(hello.len()).unwrap();
        s.write_all(&[0, 0, 0, len]).await.unwrap();
        s.write_all(hello).await.unwrap();
        let mut header = [0u8; 4];
        s.read_exact(&mut header).await.unwrap();
        let mut welcome = vec![0u8; usize::from(header[2]) << 8 | usize::from(header[3])];
        s.read_exact(&mut welcome).await.unwrap();
        assert!(welcome.starts_with(b"[2,"), "{welcome:?}");
    })
    .await
    .unwrap();
}

/// A scripted router answering the handshake with `reply`.
async fn scripted_router(reply: [u8; 4]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut request = [0u8; 4];
        s.read_exact(&mut request).await.unwrap();
        s.write_all(&reply).await.unwrap();
        // Keep the connection open until the client gives up.
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink).await;
    });
    addr.to_string()
}

#[tokio::test]
async fn client_checks_the_reply() {
    tokio::time::timeout(LIMIT, async {
        let cases: [([u8; 4], RawSocketError); 5] = [
            (
                [0x7F, 0x10, 0, 0],
                RawSocketError::Refused {
                    code: RefusalCode::SerializerUnsupported,
                },
            ),
            (
                [0x7F, 0x20, 0, 0],
                RawSocketError::Refused {
                    code: RefusalCode::MaxLengthUnacceptable,
                },
            ),
            (
                [0x7F, 0x00, 0, 0],
                RawSocketError::Refused {
                    code: RefusalCode::Other(0),
                },
            ),
            (
                [0x7F, 0xF2, 0, 0],
                RawSocketError::SerializerMismatch {
                    offered: 1,
                    echoed: 2,
                },
            ),
            (
                [b'H', b'T', b'T', b'P'],
                RawSocketError::BadMagic { got: b'H' },
            ),
        ];
        for (reply, expected) in cases {
            let addr = scripted_router(reply).await;
            let stream = TcpStream::connect(&addr).await.unwrap();
            let got = rawsocket::connect(stream, Serialization::Json, &RawSocketConfig::default())
                .await
                .unwrap_err();
            assert_eq!(got, expected);
        }
        // A router that never answers: the handshake times out.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut config = RawSocketConfig::default();
        config.handshake_timeout = Duration::from_millis(100);
        let got = rawsocket::connect(stream, Serialization::Json, &config)
            .await
            .unwrap_err();
        assert_eq!(
            got,
            RawSocketError::HandshakeTimeout(Duration::from_millis(100))
        );
        drop(listener);
    })
    .await
    .unwrap();
}

/// The router's messages above the client's announced limit end the connection instead of
/// being sent.
#[tokio::test]
async fn outgoing_limit_is_respected() {
    tokio::time::timeout(LIMIT, async {
        let (_server, addr) = start(RouterServerConfig::default()).await;
        let mut s = TcpStream::connect(&addr).await.unwrap();
        // Client limit 2 KiB (room for a WELCOME announcing every feature).
        s.write_all(&[0x7F, 0x21, 0, 0]).await.unwrap();
        let mut reply = [0u8; 4];
        s.read_exact(&mut reply).await.unwrap();
        let hello = br#"[1,"realm1",{"roles":{"subscriber":{},"publisher":{}}}]"#;
        let mut frame = vec![0, 0, 0, hello.len() as u8];
        frame.extend_from_slice(hello);
        s.write_all(&frame).await.unwrap();
        let mut header = [0u8; 4];
        s.read_exact(&mut header).await.unwrap();
        let len = u32::from_be_bytes([0, header[1], header[2], header[3]]) as usize;
        let mut welcome = vec![0u8; len];
        s.read_exact(&mut welcome).await.unwrap();
        // Subscribe, then publish (to ourselves, not excluded) an event bigger than 2 KiB.
        let sub = br#"[32,1,{},"t"]"#;
        let mut frame = vec![0, 0, 0, sub.len() as u8];
        frame.extend_from_slice(sub);
        s.write_all(&frame).await.unwrap();
        let mut subscribed = [0u8; 64];
        let n = s.read(&mut subscribed).await.unwrap();
        assert!(n > 4);
        let big = format!(
            r#"[16,2,{{"exclude_me":false}},"t",["{}"]]"#,
            "x".repeat(2100)
        );
        let mut frame = (big.len() as u32).to_be_bytes().to_vec();
        frame.extend_from_slice(big.as_bytes());
        s.write_all(&frame).await.unwrap();
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest).await;
        assert_eq!(rest, b"", "nothing over the limit may be sent");
    })
    .await
    .unwrap();
}

fn refused_status(e: &ampel_net::Error) -> Option<u16> {
    match e {
        ampel_net::Error::Handshake(
            ampel_websocket::handshake::HandshakeError::UnexpectedStatus { status, .. },
        ) => Some(*status),
        _ => None,
    }
}

fn offer(subprotocols: Vec<String>) -> ampel_net::ClientConfig {
    let mut config = ampel_net::ClientConfig::default();
    config.subprotocols = subprotocols;
    config
}

#[tokio::test]
async fn websocket_subprotocol_refusals() {
    tokio::time::timeout(LIMIT, async {
        let mut server = RouterServer::start(RouterServerConfig::default());
        let ep = server
            .listen(&"ws://127.0.0.1:0/ws".parse().unwrap())
            .await
            .unwrap();
        let url = ep.to_string();
        // No subprotocol or an unknown one: refused at the handshake with 400.
        for offered in [
            vec![],
            vec!["wamp.2.ubjson".to_owned()],
            vec!["chat".to_owned()],
        ] {
            let config = offer(offered);
            match ampel_net::connect_with(&url, config).await {
                Err(e) => assert_eq!(refused_status(&e), Some(400), "{e:?}"),
                Ok(_) => panic!("unknown subprotocol accepted"),
            }
        }
        // The client's preference order decides among known ones.
        let config = offer(vec![
            "x".into(),
            "wamp.2.msgpack".into(),
            "wamp.2.json".into(),
        ]);
        let ws = ampel_net::connect_with(&url, config).await.unwrap();
        assert_eq!(
            ws.handshake().subprotocol.as_deref(),
            Some("wamp.2.msgpack")
        );
        // Another path: 404.
        let other = url.replace("/ws", "/other");
        let config = offer(vec!["wamp.2.json".into()]);
        match ampel_net::connect_with(&other, config).await {
            Err(e) => assert_eq!(refused_status(&e), Some(404), "{e:?}"),
            Ok(_) => panic!("wrong path accepted"),
        }
        // A JSON session receiving a binary message is closed with 1003.
        let config = offer(vec!["wamp.2.json".into()]);
        let mut ws = ampel_net::connect_with(&url, config).await.unwrap();
        ws.send(ampel_net::Message::binary(b"[1]".to_vec()))
            .await
            .unwrap();
        loop {
            match ws.recv().await {
                Some(Ok(ampel_net::Message::Close(Some(frame)))) => {
                    assert_eq!(frame.code, ampel_net::CloseCode::UNSUPPORTED_DATA);
                    break;
                }
                Some(Ok(_)) => {}
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    })
    .await
    .unwrap();
}

/// Seeded random garbage, before and after the handshake, in random pieces: every connection
/// ends without a panic and the router keeps serving.
#[tokio::test]
async fn random_garbage_never_breaks_the_router() {
    use rand::{Rng, SeedableRng};
    tokio::time::timeout(Duration::from_secs(30), async {
        let mut config = RouterServerConfig::default();
        config.rawsocket.max_message_size = MaxLength::from_exponent(6).unwrap();
        config.rawsocket.handshake_timeout = Duration::from_millis(300);
        let (_server, addr) = start(config).await;
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
        for round in 0..60 {
            let mut s = if round % 2 == 0 {
                handshaken(&addr).await
            } else {
                TcpStream::connect(&addr).await.unwrap()
            };
            let len = rng.random_range(1..2000);
            let mut garbage: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            // Sometimes a plausible frame header first, so payloads reach the decoders.
            if round % 3 == 0 {
                let body = garbage.len().min(200) as u8;
                garbage.splice(0..0, [0, 0, 0, body]);
            }
            for piece in garbage.chunks(rng.random_range(1..64)) {
                if s.write_all(piece).await.is_err() {
                    break;
                }
            }
            let _ = s.shutdown().await;
            let mut rest = Vec::new();
            let _ = s.read_to_end(&mut rest).await;
        }
        let url = format!("rawsocket://{addr}");
        let c = Client::connect(&url, "realm1", Serialization::Cbor)
            .await
            .unwrap();
        c.leave().await.unwrap();
    })
    .await
    .unwrap();
}

/// Our client answers a router's PING with exactly one PONG echoing the payload, and fails
/// the connection on a frame over its announced limit.
#[tokio::test]
async fn client_answers_ping_and_enforces_its_limit() {
    tokio::time::timeout(LIMIT, async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("rawsocket://{}", listener.local_addr().unwrap());
        let router = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 4];
            s.read_exact(&mut request).await.unwrap();
            // The client announces its 512-byte limit and offers JSON.
            assert_eq!(request, [0x7F, 0x01, 0, 0]);
            s.write_all(&[0x7F, 0xF1, 0, 0]).await.unwrap();
            let mut header = [0u8; 4];
            s.read_exact(&mut header).await.unwrap();
            let len = u32::from_be_bytes([0, header[1], header[2], header[3]]) as usize;
            let mut hello = vec![0u8; len];
            s.read_exact(&mut hello).await.unwrap();
            assert!(hello.starts_with(b"[1,\"realm1\""));
            let welcome = br#"[2,1,{"roles":{"broker":{},"dealer":{}}}]"#;
            let mut frame = vec![1, 0, 0, 2, b'h', b'i', 0, 0, 0, welcome.len() as u8];
            frame.extend_from_slice(welcome);
            s.write_all(&frame).await.unwrap();
            let mut pong = [0u8; 6];
            s.read_exact(&mut pong).await.unwrap();
            assert_eq!(&pong, &[2, 0, 0, 2, b'h', b'i']);
            // A 513-byte frame header: over the limit, the client must close.
            s.write_all(&[0, 0, 2, 1]).await.unwrap();
            let mut rest = Vec::new();
            let _ = s.read_to_end(&mut rest).await;
            rest
        });
        let mut options = ClientOptions::default();
        options.rawsocket.max_message_size = MaxLength::MIN;
        let client = Client::connect_with(&url, "realm1", Serialization::Json, options)
            .await
            .unwrap();
        let rest = router.await.unwrap();
        assert_eq!(rest, b"", "nothing after the bad frame");
        assert!(matches!(
            client.call("x", Vec::new(), Default::default()).await,
            Err(Error::ConnectionClosed)
        ));
    })
    .await
    .unwrap();
}
