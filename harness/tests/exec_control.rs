//! The control endpoints (`serve_text_and_close`, `refuse`) against a tokio-tungstenite
//! client, and `sanity_echo` against a tokio-tungstenite server and a dead port.

mod exec_common;

use std::time::Duration;

use ampel::executor::{BoxedIo, read_upgrade_request, refuse, sanity_echo, serve_text_and_close};
use exec_common::{TEST_LIMIT, runtime, target, tungstenite_echo_server};
use futures_util::StreamExt;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::{Error, Message};

async fn accept(listener: &TcpListener) -> (BoxedIo, ampel::executor::UpgradeRequest) {
    let (tcp, _) = listener
        .accept()
        .await
        .unwrap_or_else(|e| panic!("accept: {e}"));
    let mut io: BoxedIo = Box::new(tcp);
    let req = read_upgrade_request(&mut io, Duration::from_secs(5))
        .await
        .unwrap_or_else(|e| panic!("request: {e}"));
    (io, req)
}

#[test]
fn text_then_clean_close() {
    runtime().block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let client = tokio::spawn(async move {
            let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/getCaseCount"))
                .await
                .unwrap_or_else(|e| panic!("connect: {e}"));
            let mut got = Vec::new();
            while let Some(msg) = ws.next().await {
                match msg {
                    Ok(m) => got.push(m),
                    Err(Error::ConnectionClosed) => break,
                    Err(e) => panic!("client error: {e}"),
                }
            }
            got
        });
        let work = async {
            let (io, req) = accept(&listener).await;
            assert_eq!(req.path, "/getCaseCount");
            serve_text_and_close(io, req, "247")
                .await
                .unwrap_or_else(|e| panic!("serve: {e}"));
            client.await.unwrap_or_else(|e| panic!("client: {e}"))
        };
        let got = tokio::time::timeout(TEST_LIMIT, work)
            .await
            .unwrap_or_else(|_| panic!("timed out"));
        assert_eq!(got.first(), Some(&Message::text("247")));
        assert!(matches!(got.get(1), Some(Message::Close(Some(f))) if u16::from(f.code) == 1000));
    });
}

#[test]
fn refusal_is_an_http_error() {
    runtime().block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let client = tokio::spawn(async move {
            tokio_tungstenite::connect_async(format!("ws://{addr}/nothing")).await
        });
        let work = async {
            let (io, _) = accept(&listener).await;
            refuse(io, 404, "no such endpoint").await;
            client.await.unwrap_or_else(|e| panic!("client: {e}"))
        };
        let result = tokio::time::timeout(TEST_LIMIT, work)
            .await
            .unwrap_or_else(|_| panic!("timed out"));
        match result {
            Err(Error::Http(resp)) => {
                assert_eq!(resp.status().as_u16(), 404);
                assert_eq!(resp.body().as_deref(), Some(b"no such endpoint".as_slice()));
            }
            other => panic!("expected an HTTP error, got {other:?}"),
        }
    });
}

#[test]
fn sanity_echo_tells_live_from_dead() {
    runtime().block_on(async {
        let addr = tungstenite_echo_server().await;
        sanity_echo(&target(addr), Duration::from_secs(5))
            .await
            .unwrap_or_else(|e| panic!("sanity echo: {e}"));
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let dead = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        drop(listener);
        assert!(
            sanity_echo(&target(dead), Duration::from_secs(5))
                .await
                .is_err()
        );
        // A server that accepts TCP but never answers: the timeout decides.
        let silent = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = silent.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let err = sanity_echo(&target(addr), Duration::from_millis(200)).await;
        assert!(err.is_err_and(|e| e.contains("no echo")));
        drop(silent);
    });
}
