//! Interop with tokio-tungstenite in both directions: text, binary,
//! fragmented messages (their raw frames, our streaming), ping/pong, close codes.

mod common;

use ampel_net::{CloseCode, Message, MessageKind, ServerConfig, connect};
use common::{payload, run, serve_one};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::{
    self,
    protocol::CloseFrame as TCloseFrame,
    protocol::frame::Frame as TFrame,
    protocol::frame::coding::{CloseCode as TCloseCode, Data, OpCode as TOpCode},
};

fn t_frame(data: &'static str, opcode: TOpCode, fin: bool) -> tungstenite::Message {
    tungstenite::Message::Frame(TFrame::message(data.as_bytes().to_vec(), opcode, fin))
}

#[test]
fn our_client_their_server() {
    run(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.expect("accept");
            let mut ws = tokio_tungstenite::accept_async(tcp).await.expect("upgrade");
            ws.send(t_frame("frag", TOpCode::Data(Data::Text), false))
                .await
                .expect("f1");
            ws.send(t_frame("men", TOpCode::Data(Data::Continue), false))
                .await
                .expect("f2");
            ws.send(t_frame("ted", TOpCode::Data(Data::Continue), true))
                .await
                .expect("f3");
            ws.send(tungstenite::Message::Ping(b"hb".to_vec().into()))
                .await
                .expect("ping");
            let mut seen = Vec::new();
            while let Some(Ok(m)) = ws.next().await {
                seen.push(m.clone());
                match m {
                    tungstenite::Message::Text(t) if t.as_str() == "close-me" => {
                        let frame = TCloseFrame {
                            code: TCloseCode::from(4001),
                            reason: "custom".into(),
                        };
                        ws.close(Some(frame)).await.expect("close");
                    }
                    m if m.is_text() || m.is_binary() => ws.send(m).await.expect("echo"),
                    _ => {}
                }
            }
            seen
        });
        let mut ws = connect(&format!("ws://{addr}/")).await.expect("connect");
        assert_eq!(
            ws.recv().await.expect("m").expect("ok"),
            Message::text("fragmented")
        );
        assert_eq!(
            ws.recv().await.expect("m").expect("ok"),
            Message::Ping(b"hb".to_vec())
        );
        ws.send(Message::text("text ✓")).await.expect("send");
        assert_eq!(
            ws.recv().await.expect("m").expect("ok"),
            Message::text("text ✓")
        );
        let big = payload(200_000);
        ws.send(Message::binary(big.clone())).await.expect("send");
        assert_eq!(
            ws.recv().await.expect("m").expect("ok"),
            Message::Binary(big)
        );
        // Our streaming send: their side sees one message.
        let mut writer = ws.send_stream(MessageKind::Binary).await.expect("stream");
        for i in 0..10u8 {
            writer.write(&[i; 1000]).await.expect("write");
        }
        writer.finish().await.expect("finish");
        let streamed: Vec<u8> = (0..10u8).flat_map(|i| [i; 1000]).collect();
        assert_eq!(
            ws.recv().await.expect("m").expect("ok"),
            Message::Binary(streamed)
        );
        ws.send(Message::Ping(b"us".to_vec())).await.expect("ping");
        assert_eq!(
            ws.recv().await.expect("m").expect("ok"),
            Message::Pong(b"us".to_vec())
        );
        ws.send(Message::text("close-me")).await.expect("send");
        let Some(Ok(Message::Close(Some(close)))) = ws.recv().await else {
            panic!("expected their close");
        };
        assert_eq!(
            (close.code, close.reason.as_str()),
            (CloseCode(4001), "custom")
        );
        assert!(ws.recv().await.is_none());
        let summary = ws.close_summary().expect("summary");
        assert!(summary.clean && !summary.timed_out, "{summary:?}");
        let seen = server.await.expect("server");
        assert!(
            seen.contains(&tungstenite::Message::Pong(b"hb".to_vec().into())),
            "{seen:?}"
        );
        let close = seen.iter().find_map(|m| match m {
            tungstenite::Message::Close(Some(f)) => Some(u16::from(f.code)),
            _ => None,
        });
        assert_eq!(close, Some(4001), "the code is echoed");
    });
}

#[test]
fn their_client_our_server() {
    run(async {
        let (addr, server) = serve_one(ServerConfig::default(), |mut ws| async move {
            let mut seen = Vec::new();
            while let Some(item) = ws.recv().await {
                let m = item.expect("valid");
                if m.is_data() {
                    ws.send(m.clone()).await.expect("echo");
                }
                seen.push(m);
            }
            (seen, ws.close_summary().cloned())
        })
        .await;
        let (mut theirs, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/"))
            .await
            .expect("their client");
        theirs
            .send(tungstenite::Message::text("hello"))
            .await
            .expect("send");
        assert_eq!(
            theirs.next().await.expect("m").expect("ok"),
            tungstenite::Message::text("hello")
        );
        theirs
            .send(tungstenite::Message::binary(payload(100_000)))
            .await
            .expect("send");
        assert_eq!(
            theirs.next().await.expect("m").expect("ok"),
            tungstenite::Message::binary(payload(100_000))
        );
        theirs
            .send(t_frame("a", TOpCode::Data(Data::Binary), false))
            .await
            .expect("f1");
        theirs
            .send(tungstenite::Message::Ping(b"mid".to_vec().into()))
            .await
            .expect("ping");
        theirs
            .send(t_frame("b", TOpCode::Data(Data::Continue), true))
            .await
            .expect("f2");
        assert_eq!(
            theirs.next().await.expect("m").expect("ok"),
            tungstenite::Message::Pong(b"mid".to_vec().into())
        );
        assert_eq!(
            theirs.next().await.expect("m").expect("ok"),
            tungstenite::Message::binary(b"ab".to_vec())
        );
        let frame = TCloseFrame {
            code: TCloseCode::from(4002),
            reason: "bye".into(),
        };
        theirs
            .send(tungstenite::Message::Close(Some(frame)))
            .await
            .expect("close");
        let reply = theirs.next().await.expect("reply").expect("ok");
        let tungstenite::Message::Close(Some(reply)) = reply else {
            panic!("expected our close reply, got {reply:?}");
        };
        assert_eq!(u16::from(reply.code), 4002);
        assert!(theirs.next().await.is_none(), "our server closes TCP");
        drop(theirs);
        let (seen, summary) = server.await.expect("server");
        assert_eq!(seen.len(), 5, "{seen:?}");
        assert_eq!(seen[2], Message::Ping(b"mid".to_vec()));
        assert!(
            matches!(&seen[4], Message::Close(Some(f)) if f.code == CloseCode(4002) && f.reason == "bye")
        );
        assert!(summary.expect("summary").clean);

        // Our server closes first with a code; their client echoes it.
        let (addr, server) = serve_one(ServerConfig::default(), |mut ws| async move {
            ws.close(CloseCode::GOING_AWAY, "restart")
                .await
                .expect("close")
        })
        .await;
        let (mut theirs, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/"))
            .await
            .expect("their client");
        let close = theirs.next().await.expect("close").expect("ok");
        let tungstenite::Message::Close(Some(close)) = close else {
            panic!("expected our close, got {close:?}");
        };
        assert_eq!(
            (u16::from(close.code), close.reason.as_str()),
            (1001, "restart")
        );
        while theirs.next().await.is_some() {}
        drop(theirs);
        let summary = server.await.expect("server");
        assert!(summary.clean && !summary.timed_out, "{summary:?}");
        assert_eq!(
            summary.received.flatten().map(|f| f.code),
            Some(CloseCode::GOING_AWAY)
        );
    });
}
