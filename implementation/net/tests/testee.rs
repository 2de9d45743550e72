//! The testees: the echo server against a tokio-tungstenite client, and the
//! Autobahn client driver against a fake Autobahn server that checks the URL
//! sequence and the echoes.
// tokio-tungstenite's handshake callback type fixes the (large) error type.
#![allow(clippy::result_large_err)]

mod common;

use std::sync::{Arc, Mutex};

use ampel_net::ServerConfig;
use ampel_net::testee::{AutobahnSummary, autobahn_client};
use common::{echo_server, payload, run};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::{
    self,
    handshake::server::{Request, Response},
    protocol::frame::Frame as TFrame,
    protocol::frame::coding::{Data, OpCode as TOpCode},
};

#[test]
fn echo_server_against_tungstenite() {
    run(async {
        let addr = echo_server(ServerConfig::default()).await;
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/"))
            .await
            .expect("connect");
        let big_text = "x".repeat(16 << 20);
        let big_binary = payload(16 << 20);
        let messages = vec![
            tungstenite::Message::text("plain"),
            tungstenite::Message::text(""),
            tungstenite::Message::binary(payload(1000)),
            tungstenite::Message::text(big_text),
            tungstenite::Message::binary(big_binary),
        ];
        for m in &messages {
            ws.send(m.clone()).await.expect("send");
            assert_eq!(&ws.next().await.expect("echo").expect("ok"), m);
        }
        // Pipelined, with a fragmented message and a ping in between.
        for i in 0..50 {
            ws.feed(tungstenite::Message::text(format!("n{i}")))
                .await
                .expect("feed");
        }
        let frame = |d: &'static str, op, fin| {
            tungstenite::Message::Frame(TFrame::message(d.as_bytes().to_vec(), op, fin))
        };
        ws.feed(frame("κό", TOpCode::Data(Data::Text), false))
            .await
            .expect("f1");
        ws.feed(tungstenite::Message::Ping(b"p".to_vec().into()))
            .await
            .expect("ping");
        ws.feed(frame("σμε", TOpCode::Data(Data::Continue), true))
            .await
            .expect("f2");
        ws.flush().await.expect("flush");
        // The pong may overtake echoes (it is sent as soon as the ping is read);
        // the data messages keep their order.
        let mut data = Vec::new();
        let mut pongs = Vec::new();
        while data.len() < 51 {
            match ws.next().await.expect("echo").expect("ok") {
                tungstenite::Message::Pong(p) => pongs.push(p),
                m => data.push(m),
            }
        }
        let mut expected: Vec<_> = (0..50)
            .map(|i| tungstenite::Message::text(format!("n{i}")))
            .collect();
        expected.push(tungstenite::Message::text("κόσμε"));
        assert_eq!(data, expected);
        assert_eq!(pongs, vec![b"p".to_vec()]);
        ws.close(None).await.expect("close");
        while ws.next().await.is_some() {}
    });
}

/// What the fake Autobahn server saw.
#[derive(Debug, Default)]
struct Seen {
    targets: Vec<String>,
    echoes: Vec<tungstenite::Message>,
}

/// A fake Autobahn fuzzing server with `cases` cases: case N sends one
/// message (text, binary, fragmented text by turns) and closes after the echo.
async fn fake_autobahn(cases: u32) -> (std::net::SocketAddr, Arc<Mutex<Seen>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(Mutex::new(Seen::default()));
    let record = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let mut target = String::new();
            let callback = |req: &Request, resp: Response| {
                target = req.uri().to_string();
                Ok(resp)
            };
            let mut ws = tokio_tungstenite::accept_hdr_async(tcp, callback)
                .await
                .expect("upgrade");
            record.lock().expect("lock").targets.push(target.clone());
            if target == "/getCaseCount" {
                ws.send(tungstenite::Message::text(cases.to_string()))
                    .await
                    .expect("count");
            } else if let Some(case) = target
                .strip_prefix("/runCase?case=")
                .and_then(|rest| rest.split('&').next())
                .and_then(|n| n.parse::<u32>().ok())
            {
                match case % 3 {
                    0 => {
                        ws.send(tungstenite::Message::text(format!("case {case}")))
                            .await
                    }
                    1 => {
                        ws.send(tungstenite::Message::binary(vec![case as u8; 300]))
                            .await
                    }
                    _ => {
                        let f = |d: &str, op, fin| {
                            tungstenite::Message::Frame(TFrame::message(
                                d.as_bytes().to_vec(),
                                op,
                                fin,
                            ))
                        };
                        ws.feed(f("frag", TOpCode::Data(Data::Text), false))
                            .await
                            .expect("f");
                        ws.send(f("ment", TOpCode::Data(Data::Continue), true))
                            .await
                    }
                }
                .expect("case message");
                let echo = ws.next().await.expect("echo").expect("ok");
                record.lock().expect("lock").echoes.push(echo);
            }
            ws.close(None).await.expect("close");
            while ws.next().await.is_some() {}
        }
    });
    (addr, seen)
}

#[test]
fn autobahn_client_follows_the_protocol() {
    run(async {
        let (addr, seen) = fake_autobahn(4).await;
        let summary = autobahn_client(&format!("ws://{addr}/"), "ampel net/1.0&x")
            .await
            .expect("driver");
        assert_eq!(
            summary,
            AutobahnSummary {
                case_count: 4,
                connect_failures: Vec::new(),
                refusals: Vec::new(),
            }
        );
        let seen = seen.lock().expect("lock");
        let agent = "ampel%20net%2F1.0%26x";
        let mut expected = vec!["/getCaseCount".to_owned()];
        for n in 1..=4 {
            expected.push(format!("/runCase?case={n}&agent={agent}"));
        }
        expected.push(format!("/updateReports?agent={agent}"));
        assert_eq!(seen.targets, expected);
        assert_eq!(
            seen.echoes,
            vec![
                tungstenite::Message::binary(vec![1u8; 300]),
                tungstenite::Message::text("fragment"),
                tungstenite::Message::text("case 3"),
                tungstenite::Message::binary(vec![4u8; 300]),
            ]
        );
    });
}

#[test]
fn autobahn_client_reports_a_dead_server() {
    run(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        drop(listener);
        assert!(autobahn_client(&format!("ws://{addr}"), "a").await.is_err());
    });
}
