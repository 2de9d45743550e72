//! All 301 cases against a real third-party server: Python `websockets` (asyncio), installed
//! by `scripts/install-peers.sh`, spawned from `tests/peers/echo_websockets.py`. The verdict
//! table must equal `tests/golden/third_party/websockets.json`; every non-OK verdict in it
//! is explained in that directory's README.

mod support;

use std::process::Command;
use std::time::Duration;

use ampel::executor::ExecConfig;
use support::peers::{PeerProcess, peers_dir, script};
use support::run::{all_cases, run_against_server, runtime, serve_client_protocol, target};
use support::verdicts::check_golden;
use tokio::net::TcpListener;

/// Every run is bounded by this.
const LIMIT: Duration = Duration::from_secs(900);

#[test]
fn all_cases_against_python_websockets() {
    let Some(dir) = peers_dir("py/bin/python") else {
        return;
    };
    let mut command = Command::new(dir.join("py/bin/python"));
    command.arg(script("echo_websockets.py"));
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
        "websockets",
        "Python websockets (asyncio server), echo_websockets.py",
        &outcomes,
    );
}

/// The same library as a client, following Autobahn's client protocol by itself; the
/// harness is the server (test-client mode).
#[test]
fn all_cases_against_a_python_websockets_client() {
    let Some(dir) = peers_dir("py/bin/python") else {
        return;
    };
    let mut command = Command::new(dir.join("py/bin/python"));
    command.arg(script("client_websockets.py"));
    let (outcomes, status) = runtime().block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("local_addr: {e}"));
        command.arg(format!("ws://{addr}")).arg("python_websockets");
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
        "websockets-client",
        "Python websockets (asyncio client), client_websockets.py",
        &outcomes,
    );
}
