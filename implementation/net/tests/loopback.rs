//! Our client against our server over 127.0.0.1: the message, frame and
//! streaming APIs, Stream/Sink, limits, closing in both directions, the
//! request hook.

mod common;

use ampel_net::{
    ClientConfig, CloseCode, Delivery, Error, Frame, Message, MessageKind, OpCode, Refusal,
    ServerConfig, connect, connect_with,
};
use common::{echo_server, payload, run, serve_one};
use futures_util::{SinkExt, StreamExt};

#[test]
fn message_api_echo() {
    run(async {
        let addr = echo_server(ServerConfig::default()).await;
        let mut ws = connect(&format!("ws://{addr}/echo"))
            .await
            .expect("connect");
        assert_eq!(ws.handshake().path, "/echo");
        ws.send(Message::text("hello κόσμε")).await.expect("send");
        assert_eq!(
            ws.recv().await.expect("item").expect("message"),
            Message::text("hello κόσμε")
        );
        let big = payload(3 << 20);
        ws.send(Message::binary(big.clone())).await.expect("send");
        assert_eq!(
            ws.recv().await.expect("item").expect("message"),
            Message::Binary(big)
        );
        ws.send(Message::binary(Vec::new())).await.expect("send");
        assert_eq!(
            ws.recv().await.expect("item").expect("message"),
            Message::Binary(Vec::new())
        );
        // Batched: 100 messages fed, flushed once, echoed in order.
        for i in 0..100 {
            ws.feed(Message::text(format!("m{i}"))).await.expect("feed");
        }
        ws.flush().await.expect("flush");
        for i in 0..100 {
            assert_eq!(
                ws.recv().await.expect("item").expect("m"),
                Message::text(format!("m{i}"))
            );
        }
        ws.send(Message::Ping(b"p1".to_vec())).await.expect("ping");
        assert_eq!(
            ws.recv().await.expect("item").expect("pong"),
            Message::Pong(b"p1".to_vec())
        );
        let summary = ws.close(CloseCode::NORMAL, "done").await.expect("close");
        assert!(summary.clean, "{summary:?}");
        assert_eq!(summary.sent, Some(CloseCode::NORMAL));
        assert_eq!(
            summary.received.flatten().map(|f| f.code),
            Some(CloseCode::NORMAL)
        );
        assert!(ws.recv().await.is_none());
        assert!(matches!(
            ws.send(Message::text("late")).await,
            Err(Error::Send(_))
        ));
    });
}

#[test]
fn stream_and_sink() {
    run(async {
        let addr = echo_server(ServerConfig::default()).await;
        let mut ws = connect(&format!("ws://{addr}/")).await.expect("connect");
        let messages: Vec<Message> = (0..20).map(|i| Message::binary(payload(i * 100))).collect();
        for m in &messages {
            ws.feed(m.clone()).await.expect("feed");
        }
        SinkExt::flush(&mut ws).await.expect("flush");
        let mut got = Vec::new();
        while got.len() < messages.len() {
            got.push(ws.next().await.expect("item").expect("message"));
        }
        assert_eq!(got, messages);
        SinkExt::send(&mut ws, Message::text("via sink"))
            .await
            .expect("sink send");
        assert_eq!(
            ws.next().await.expect("item").expect("m"),
            Message::text("via sink")
        );
        SinkExt::close(&mut ws).await.expect("sink close");
        assert!(ws.close_summary().expect("summary").clean);
        assert!(ws.next().await.is_none());
    });
}

#[test]
fn frame_api_both_sides() {
    run(async {
        let mut config = ServerConfig::default();
        config.websocket.delivery = Delivery::Frames;
        let (addr, server) = serve_one(config, |mut ws| async move {
            let mut frames = Vec::new();
            while let Some(frame) = ws.recv_frame().await {
                let frame = frame.expect("valid frame");
                let close = frame.opcode == OpCode::CLOSE;
                frames.push(frame);
                if close {
                    break;
                }
            }
            while ws.recv_frame().await.is_some() {}
            frames
        })
        .await;
        let mut ws = connect(&format!("ws://{addr}/")).await.expect("connect");
        ws.send_frame(Frame::new(false, OpCode::TEXT, "fra"))
            .await
            .expect("f1");
        ws.send_frame(Frame::new(true, OpCode::PING, "in between"))
            .await
            .expect("ping");
        ws.send_frame(Frame::new(false, OpCode::CONTINUATION, "gm"))
            .await
            .expect("f2");
        ws.send_frame(Frame::new(true, OpCode::CONTINUATION, "ent"))
            .await
            .expect("f3");
        // The state machine still checks the sequence.
        assert!(matches!(
            ws.send_frame(Frame::new(true, OpCode::CONTINUATION, "x"))
                .await,
            Err(Error::Send(_))
        ));
        assert!(matches!(
            ws.send_frame(Frame::new(true, OpCode::new(3), "x")).await,
            Err(Error::Send(_))
        ));
        // Our client receives in message mode; the server's pong is reported.
        assert_eq!(
            ws.recv().await.expect("pong").expect("ok"),
            Message::Pong(b"in between".to_vec())
        );
        // frame-level receive needs frame delivery
        assert!(matches!(
            ws.recv_frame().await,
            Some(Err(Error::NotFrameDelivery))
        ));
        ws.close(CloseCode(4000), "bye").await.expect("close");
        let frames = server.await.expect("server");
        let expect = vec![
            Frame::new(false, OpCode::TEXT, "fra"),
            Frame::new(true, OpCode::PING, "in between"),
            Frame::new(false, OpCode::CONTINUATION, "gm"),
            Frame::new(true, OpCode::CONTINUATION, "ent"),
            Frame::new(true, OpCode::CLOSE, b"\x0f\xa0bye".to_vec()),
        ];
        assert_eq!(frames, expect);
    });
}

#[test]
fn streaming_api_both_ways() {
    run(async {
        // The server streams what it receives back in pieces, without buffering.
        let mut config = ServerConfig::default();
        config.websocket.delivery = Delivery::Stream;
        let (addr, server) = serve_one(config, |mut ws| async move {
            let mut chunk_counts = Vec::new();
            loop {
                let Some(reader) = ws.recv_stream().await else {
                    break;
                };
                let mut reader = reader.expect("message");
                let kind = reader.kind();
                let mut chunks = Vec::new();
                while let Some(chunk) = reader.next_chunk().await {
                    chunks.push(chunk.expect("chunk"));
                }
                chunk_counts.push(chunks.len());
                let mut writer = ws.send_stream(kind).await.expect("stream");
                for chunk in &chunks {
                    writer.write(chunk).await.expect("write");
                }
                writer.finish().await.expect("finish");
            }
            chunk_counts
        })
        .await;
        let mut config = ClientConfig::default();
        config.websocket.delivery = Delivery::Stream;
        let mut ws = connect_with(&format!("ws://{addr}/"), config)
            .await
            .expect("connect");
        // A text message cut inside code points, streamed in pieces.
        let text = "κόσμε ".repeat(50_000);
        let bytes = text.as_bytes();
        let mut writer = ws.send_stream(MessageKind::Text).await.expect("stream");
        for piece in bytes.chunks(7777) {
            writer.write(piece).await.expect("write");
        }
        writer.finish().await.expect("finish");
        let mut reader = ws.recv_stream().await.expect("echo").expect("ok");
        assert_eq!(reader.kind(), MessageKind::Text);
        let mut chunks = 0;
        let mut got = Vec::new();
        while let Some(chunk) = reader.next_chunk().await {
            got.extend_from_slice(&chunk.expect("chunk"));
            chunks += 1;
        }
        assert_eq!(got, bytes);
        assert!(
            chunks > 1,
            "a large streamed message arrives in several chunks"
        );
        // Invalid UTF-8 is refused before it is sent.
        let mut writer = ws.send_stream(MessageKind::Text).await.expect("stream");
        assert!(writer.write(b"\xff").await.is_err());
        writer.finish_with(b"ok").await.expect("finish");
        assert_eq!(
            ws.recv().await.expect("echo").expect("ok"),
            Message::text("ok")
        );
        ws.close(CloseCode::NORMAL, "").await.expect("close");
        let counts = server.await.expect("server");
        assert_eq!(counts.len(), 2);
        assert!(counts.first().is_some_and(|&n| n > 1), "{counts:?}");
    });
}

#[test]
fn dropped_reader_skips_the_rest() {
    run(async {
        let mut server = ServerConfig::default();
        server.websocket.fragment_size = Some(10);
        let addr = echo_server(server).await;
        let mut config = ClientConfig::default();
        config.websocket.delivery = Delivery::Frames;
        let mut ws = connect_with(&format!("ws://{addr}/"), config)
            .await
            .expect("connect");
        ws.send(Message::binary(payload(100))).await.expect("send");
        ws.send(Message::text("after")).await.expect("send");
        {
            let mut reader = ws.recv_stream().await.expect("message").expect("ok");
            assert_eq!(
                reader.next_chunk().await.expect("chunk").expect("ok"),
                payload(10)
            );
        }
        assert_eq!(
            ws.recv().await.expect("next").expect("ok"),
            Message::text("after")
        );
        ws.close(CloseCode::NORMAL, "").await.expect("close");
    });
}

#[test]
fn oversized_message_fails_with_1009() {
    run(async {
        let mut config = ServerConfig::default();
        config.websocket.max_message_size = 1000;
        config.websocket.max_frame_size = 600;
        let (addr, server) = serve_one(config, |mut ws| async move {
            let mut items = Vec::new();
            while let Some(item) = ws.recv().await {
                items.push(item.map_err(|e| e.to_string()));
            }
            (items, ws.close_summary().cloned())
        })
        .await;
        let mut ws = connect(&format!("ws://{addr}/")).await.expect("connect");
        let mut writer = ws.send_stream(MessageKind::Binary).await.expect("stream");
        writer.write(&payload(500)).await.expect("w1");
        writer.write(&payload(500)).await.expect("w2");
        writer.finish_with(&payload(1)).await.expect("w3");
        let close = ws.recv().await.expect("close").expect("ok");
        let Message::Close(Some(frame)) = close else {
            panic!("expected a close frame, got {close:?}");
        };
        assert_eq!(frame.code, CloseCode::MESSAGE_TOO_BIG);
        assert!(ws.recv().await.is_none());
        let (items, summary) = server.await.expect("server");
        assert_eq!(items.len(), 1, "{items:?}");
        assert!(
            items[0].as_ref().is_err_and(|e| e.contains("1001")),
            "{items:?}"
        );
        let summary = summary.expect("summary");
        assert_eq!(summary.sent, Some(CloseCode::MESSAGE_TOO_BIG));

        // A single frame over the frame limit, client side this time.
        let (addr, _server) = serve_one(ServerConfig::default(), |mut ws| async move {
            ws.send(Message::binary(payload(5000))).await.expect("send");
            while ws.recv().await.is_some() {}
        })
        .await;
        let mut config = ClientConfig::default();
        config.websocket.max_frame_size = 4096;
        let mut ws = connect_with(&format!("ws://{addr}/"), config)
            .await
            .expect("connect");
        assert!(matches!(ws.recv().await, Some(Err(Error::Protocol(_)))));
        assert!(ws.recv().await.is_none());
        assert_eq!(
            ws.close_summary().expect("summary").sent,
            Some(CloseCode::MESSAGE_TOO_BIG)
        );
    });
}

#[test]
fn server_initiated_close_with_code() {
    run(async {
        let (addr, server) = serve_one(ServerConfig::default(), |mut ws| async move {
            ws.send(Message::text("last words")).await.expect("send");
            ws.close(CloseCode::GOING_AWAY, "shutting down")
                .await
                .expect("close")
        })
        .await;
        let mut ws = connect(&format!("ws://{addr}/")).await.expect("connect");
        assert_eq!(
            ws.recv().await.expect("msg").expect("ok"),
            Message::text("last words")
        );
        let Some(Ok(Message::Close(Some(frame)))) = ws.recv().await else {
            panic!("expected the server's close");
        };
        assert_eq!(
            (frame.code, frame.reason.as_str()),
            (CloseCode::GOING_AWAY, "shutting down")
        );
        assert!(ws.recv().await.is_none());
        let ours = ws.close_summary().expect("summary").clone();
        assert!(ours.clean && !ours.timed_out, "{ours:?}");
        assert_eq!(ours.sent, Some(CloseCode::GOING_AWAY), "the code is echoed");
        let theirs = server.await.expect("server");
        assert!(theirs.clean, "{theirs:?}");
        assert_eq!(
            theirs.received.flatten().map(|f| f.code),
            Some(CloseCode::GOING_AWAY)
        );
    });
}

#[test]
fn close_times_out_when_the_peer_never_answers() {
    run(async {
        // A raw TCP peer that completes the upgrade by hand and then goes silent.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let peer = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.expect("accept");
            let ws = ampel_net::accept(tcp).await.expect("upgrade");
            // Hold the socket open without ever reading again.
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
            drop(ws);
        });
        let mut config = ClientConfig::default();
        config.websocket.close_timeout = std::time::Duration::from_millis(200);
        let mut ws = connect_with(&format!("ws://{addr}/"), config)
            .await
            .expect("connect");
        let started = tokio::time::Instant::now();
        let summary = ws.close(CloseCode::NORMAL, "").await.expect("close");
        assert!(summary.timed_out && !summary.clean, "{summary:?}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        peer.abort();
    });
}

#[test]
fn request_hook_sees_the_request_and_picks_a_subprotocol() {
    run(async {
        let config = ServerConfig::default().with_hook(|req| {
            if req.origin.as_deref() == Some("https://evil.example") {
                return Err(Refusal::new(403, "origin not allowed"));
            }
            if req.path != "/chat" {
                return Err(Refusal::new(404, "no such endpoint"));
            }
            Ok(req
                .subprotocols
                .iter()
                .find(|p| p.as_str() == "wamp.2.json")
                .cloned())
        });
        let addr = echo_server(config).await;
        let mut client = ClientConfig::default();
        client.subprotocols = vec!["x.unknown".to_owned(), "wamp.2.json".to_owned()];
        client.origin = Some("https://good.example".to_owned());
        let mut ws = connect_with(&format!("ws://{addr}/chat?room=1"), client.clone())
            .await
            .expect("connect");
        assert_eq!(ws.handshake().subprotocol.as_deref(), Some("wamp.2.json"));
        assert_eq!(ws.handshake().query.as_deref(), Some("room=1"));
        assert_eq!(ws.handshake().header("upgrade"), Some("websocket"));
        ws.close(CloseCode::NORMAL, "").await.expect("close");

        let refused = connect_with(&format!("ws://{addr}/other"), client.clone()).await;
        let Err(Error::Handshake(e)) = refused else {
            panic!("expected a refusal, got {refused:?}");
        };
        assert!(e.to_string().contains("404"), "{e}");
        client.origin = Some("https://evil.example".to_owned());
        let refused = connect_with(&format!("ws://{addr}/chat"), client).await;
        assert!(matches!(refused, Err(Error::Handshake(e)) if e.to_string().contains("403")));
    });
}

#[test]
fn handshake_failures() {
    run(async {
        // Not WebSocket at all: the server answers 400 and the client sees it.
        let addr = echo_server(ServerConfig::default()).await;
        let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("tcp");
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        tcp.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("write");
        let mut answer = String::new();
        tcp.read_to_string(&mut answer).await.expect("read");
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");

        // A server that never answers: the client's handshake timeout.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let silent_addr = silent.local_addr().expect("addr");
        let hold = tokio::spawn(async move {
            let conn = silent.accept().await;
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            drop(conn);
        });
        let mut config = ClientConfig::default();
        config.handshake_timeout = std::time::Duration::from_millis(300);
        let result = connect_with(&format!("ws://{silent_addr}/"), config).await;
        assert!(
            matches!(result, Err(Error::HandshakeTimeout(_))),
            "{result:?}"
        );
        hold.abort();

        assert!(matches!(
            connect("http://127.0.0.1/").await,
            Err(Error::InvalidUrl { .. })
        ));
    });
}

#[test]
fn ipv6_loopback_when_available() {
    run(async {
        // Containers without IPv6 cannot bind ::1; everything else must work.
        let Ok(listener) = ampel_net::Listener::bind("[::1]:0", ServerConfig::default()).await
        else {
            return;
        };
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(ampel_net::testee::echo_server(listener));
        let mut ws = connect(&format!("ws://[::1]:{}/v6", addr.port()))
            .await
            .expect("connect");
        ws.send(Message::text("six")).await.expect("send");
        assert_eq!(
            ws.recv().await.expect("echo").expect("ok"),
            Message::text("six")
        );
        ws.close(CloseCode::NORMAL, "").await.expect("close");
    });
}

#[test]
fn tls_handshake_timeout_on_a_silent_client() {
    run(async {
        let (_, cert_pem, key_pem) = common::self_signed();
        let mut config = ServerConfig::default();
        config.tls = Some(
            ampel_net::tls_acceptor_from_pem(cert_pem.as_bytes(), key_pem.as_bytes())
                .expect("acceptor"),
        );
        config.handshake_timeout = std::time::Duration::from_millis(200);
        let (listener, addr) = common::listener(config).await;
        let _silent = tokio::net::TcpStream::connect(addr).await.expect("tcp");
        let incoming = listener.accept().await.expect("accept");
        let result = incoming.upgrade().await;
        assert!(
            matches!(result, Err(Error::HandshakeTimeout(_))),
            "{result:?}"
        );
    });
}
