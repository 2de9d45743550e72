//! All 301 cases against a real third-party server: Node `ws`, installed
//! by `scripts/install-peers.sh`, spawned from `tests/peers/echo_ws.js`. The verdict
//! table must equal `tests/golden/third_party/ws.json`; every non-OK verdict in it
//! is explained in that directory's README.

mod support;

use std::process::Command;
use std::time::Duration;

use ampel::executor::ExecConfig;
use support::peers::{PeerProcess, peers_dir, program_runs, script};
use support::run::{all_cases, run_against_server, runtime, serve_client_protocol, target};
use support::verdicts::check_golden;
use tokio::net::TcpListener;

/// Every run is bounded by this.
const LIMIT: Duration = Duration::from_secs(900);

#[test]
fn all_cases_against_node_ws() {
    let Some(dir) = peers_dir("node/node_modules/ws/package.json") else {
        return;
    };
    if !program_runs("node") {
        return;
    }
    let mut command = Command::new("node");
    command
        .arg(script("echo_ws.js"))
        .env("NODE_PATH", dir.join("node/node_modules"));
    let mut peer = PeerProcess::spawn(command);
    let outcomes = runtime().block_on(run_against_server(
        &target(peer.addr()),
        &all_cases(),
        &ExecConfig::default(),
        LIMIT,
    ));
    assert!(peer.is_running(), "the peer died during the run");
    drop(peer);
    assert_eq!(outcomes.len(), 301);
    check_golden(
        "ws",
        "Node ws (WebSocketServer, perMessageDeflate off), echo_ws.js",
        &outcomes,
    );
}

/// The same library as a client, following Autobahn's client protocol by itself; the
/// harness is the server (test-client mode).
#[test]
fn all_cases_against_a_node_ws_client() {
    let Some(dir) = peers_dir("node/node_modules/ws/package.json") else {
        return;
    };
    if !program_runs("node") {
        return;
    }
    let mut command = Command::new("node");
    command
        .arg(script("client_ws.js"))
        .env("NODE_PATH", dir.join("node/node_modules"));
    let (outcomes, status) = runtime().block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("local_addr: {e}"));
        command.arg(format!("ws://{addr}")).arg("node_ws");
        let mut peer = PeerProcess::spawn_client(command);
        let outcomes = serve_client_protocol(&listener, &ExecConfig::default(), LIMIT).await;
        (outcomes, peer.wait_exit(Duration::from_secs(10)))
    });
    assert!(
        status.is_some_and(|s| s.success()),
        "the client ended with {status:?}"
    );
    assert_eq!(outcomes.len(), 301);
    check_golden(
        "ws-client",
        "Node ws (WebSocket client, perMessageDeflate off), client_ws.js",
        &outcomes,
    );
}
