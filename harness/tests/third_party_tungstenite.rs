//! The suite (sections 1-10 and 14, and rows 1-5 of 12.x/13.x) against tokio-tungstenite (a dev-dependency, in-process) in both roles: as
//! an echo server (the harness is the client, test-server mode) and as an echo client that
//! follows the Autobahn client protocol by itself (`/getCaseCount`, `/runCase`,
//! `/updateReports`; the harness is the server, test-client mode). The
//! verdict tables must equal `tests/golden/third_party/tungstenite-server.json` and
//! `tungstenite-client.json`; every non-OK verdict is explained in that directory's README.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use ampel::executor::ExecConfig;
use ampel_cases::Role;
use futures_util::{SinkExt, StreamExt};
use support::run::{run_against_server, runtime, serve_client_protocol, suite_cases, target};
use support::verdicts::check_golden;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

const LIMIT: Duration = Duration::from_secs(900);

/// A tokio-tungstenite echo server with its default configuration; it runs until the
/// runtime ends.
async fn echo_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("local_addr: {e}"));
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let _ = tcp.set_nodelay(true);
            tokio::spawn(async move {
                let Ok(ws) = tokio_tungstenite::accept_async(tcp).await else {
                    return;
                };
                echo(ws).await;
            });
        }
    });
    addr
}

/// Echoes text and binary messages until the stream ends (tungstenite answers pings and
/// closes itself).
async fn echo<S>(mut ws: tokio_tungstenite::WebSocketStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    while let Some(Ok(message)) = ws.next().await {
        if matches!(message, Message::Text(_) | Message::Binary(_))
            && ws.send(message).await.is_err()
        {
            break;
        }
    }
}

#[test]
fn all_cases_against_a_tungstenite_server() {
    let outcomes = runtime().block_on(async {
        let addr = echo_server().await;
        run_against_server(
            &target(addr),
            &suite_cases(Role::Client),
            &ExecConfig::default(),
            LIMIT,
        )
        .await
    });
    assert_eq!(
        outcomes.len(),
        suite_cases(Role::Client).len(),
        "every case ran"
    );
    check_golden(
        "tungstenite-server",
        "tokio-tungstenite echo server (in-process)",
        &outcomes,
    );
}

/// An Autobahn-protocol test client on tokio-tungstenite, as a WebSocket client library's
/// user would write one: ask the case count, run every case as an echo client, then ask for
/// the reports to be updated.
async fn autobahn_client(addr: SocketAddr, agent: &str) -> Result<(), String> {
    let url = |path: String| format!("ws://{addr}{path}");
    let (mut ws, _) = tokio_tungstenite::connect_async(url("/getCaseCount".to_owned()))
        .await
        .map_err(|e| format!("getCaseCount: {e}"))?;
    let mut count = None;
    while let Some(Ok(message)) = ws.next().await {
        if let Message::Text(text) = message {
            count = text.parse::<usize>().ok();
        }
    }
    let count = count.ok_or("no case count")?;
    for case in 1..=count {
        let path = format!("/runCase?case={case}&agent={agent}");
        if let Ok((ws, _)) = tokio_tungstenite::connect_async(url(path)).await {
            echo(ws).await;
        }
    }
    let path = format!("/updateReports?agent={agent}");
    let (mut ws, _) = tokio_tungstenite::connect_async(url(path))
        .await
        .map_err(|e| format!("updateReports: {e}"))?;
    while let Some(Ok(_)) = ws.next().await {}
    Ok(())
}

#[test]
fn all_cases_against_a_tungstenite_client() {
    let outcomes = runtime().block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("local_addr: {e}"));
        let client = tokio::spawn(autobahn_client(addr, "tungstenite"));
        let outcomes = serve_client_protocol(
            &listener,
            &suite_cases(Role::Server),
            &ExecConfig::default(),
            LIMIT,
        )
        .await;
        let finished = tokio::time::timeout(Duration::from_secs(10), client).await;
        let result = finished.unwrap_or_else(|_| panic!("the client did not finish"));
        result
            .unwrap_or_else(|e| panic!("client task: {e}"))
            .unwrap_or_else(|e| panic!("client: {e}"));
        outcomes
    });
    assert_eq!(
        outcomes.len(),
        suite_cases(Role::Server).len(),
        "every case ran"
    );
    check_golden(
        "tungstenite-client",
        "tokio-tungstenite echo client (in-process, Autobahn client protocol)",
        &outcomes,
    );
}
