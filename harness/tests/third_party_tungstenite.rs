//! All 301 cases against tokio-tungstenite (a dev-dependency, in-process) in both roles: as
//! an echo server (the harness is the client, test-server mode) and as an echo client that
//! follows the Autobahn client protocol (the harness is the server, test-client mode). The
//! verdict tables must equal `tests/golden/third_party/tungstenite-server.json` and
//! `tungstenite-client.json`; every non-OK verdict is explained in that directory's README.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use ampel::executor::ExecConfig;
use futures_util::{SinkExt, StreamExt};
use support::run::{all_cases, run_against_client, run_against_server, runtime, target};
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
        run_against_server(&target(addr), &all_cases(), &ExecConfig::default(), LIMIT).await
    });
    assert_eq!(outcomes.len(), 301);
    check_golden(
        "tungstenite-server",
        "tokio-tungstenite echo server (in-process)",
        &outcomes,
    );
}

#[test]
fn all_cases_against_a_tungstenite_client() {
    let outcomes = runtime().block_on(run_against_client(
        "tungstenite",
        &all_cases(),
        &ExecConfig::default(),
        LIMIT,
        |addr, path| async move {
            if let Ok((ws, _)) =
                tokio_tungstenite::connect_async(format!("ws://{addr}{path}")).await
            {
                echo(ws).await;
            }
        },
    ));
    assert_eq!(outcomes.len(), 301);
    check_golden(
        "tungstenite-client",
        "tokio-tungstenite echo client (in-process, Autobahn client protocol)",
        &outcomes,
    );
}
