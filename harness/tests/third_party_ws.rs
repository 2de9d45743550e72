//! The suite (sections 1-10 and 14, and rows 1-5 of 12.x/13.x) against a real third-party server: Node `ws`, installed
//! by `scripts/install-peers.sh`, spawned from `tests/peers/echo_ws.js`. The verdict
//! table must equal `tests/golden/third_party/ws.json`; every non-OK verdict in it
//! is explained in that directory's README.

mod support;

use std::process::Command;
use std::time::Duration;

use ampel::executor::ExecConfig;
use ampel_cases::Role;
use support::peers::{PeerProcess, peers_dir, program_runs, script};
use support::run::{run_against_server, run_client_process, runtime, suite_cases, target};
use support::verdicts::check_golden;

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
        &suite_cases(Role::Client),
        &ExecConfig::default(),
        LIMIT,
    ));
    assert!(peer.is_running(), "the peer died during the run");
    drop(peer);
    assert_eq!(
        outcomes.len(),
        suite_cases(Role::Client).len(),
        "every case ran"
    );
    check_golden(
        "ws",
        "Node ws (WebSocketServer, perMessageDeflate on), echo_ws.js",
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
    let outcomes = run_client_process(command, "node_ws", LIMIT);
    check_golden(
        "ws-client",
        "Node ws (WebSocket client, perMessageDeflate on), client_ws.js",
        &outcomes,
    );
}
