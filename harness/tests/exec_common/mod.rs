//! Shared test support: a third-party peer (tokio-tungstenite) as echo server and echo
//! client, and helpers to run cases against it with a time bound.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use ampel::executor::{ExecConfig, Target, run_client_case};
use ampel_cases::{Case, CaseId, Judgement, Observation, judge};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

/// Every test is bounded by this.
pub const TEST_LIMIT: Duration = Duration::from_secs(120);

/// Starts a tokio-tungstenite echo server on 127.0.0.1; it runs until the runtime ends.
pub async fn tungstenite_echo_server() -> SocketAddr {
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
                let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                    return;
                };
                while let Some(Ok(msg)) = ws.next().await {
                    let reply = match msg {
                        Message::Text(_) | Message::Binary(_) => msg,
                        _ => continue,
                    };
                    if ws.send(reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    addr
}

/// A `ws://` target for an address.
pub fn target(addr: SocketAddr) -> Target {
    Target::new(url::Url::parse(&format!("ws://{addr}/")).unwrap_or_else(|e| panic!("url: {e}")))
}

/// The case with this id.
pub fn case(id: &str) -> &'static Case {
    let id: CaseId = id.parse().unwrap_or_else(|e| panic!("{id}: {e:?}"));
    ampel_cases::by_id(&id).unwrap_or_else(|| panic!("{id} is not in the catalogue"))
}

/// Runs one case as client against `target` and judges it.
pub async fn run(target: &Target, case: &Case) -> (Observation, Judgement) {
    let obs = run_client_case(target, case, &ExecConfig::default()).await;
    let verdict = judge(case, &obs);
    (obs, verdict)
}

/// A multi-threaded runtime for the tests.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"))
}
