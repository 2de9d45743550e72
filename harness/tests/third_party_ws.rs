//! All 301 cases against a real third-party server: Node `ws`, installed
//! by `scripts/install-peers.sh`, spawned from `tests/peers/echo_ws.js`. The verdict
//! table must equal `tests/golden/third_party/ws.json`; every non-OK verdict in it
//! is explained in that directory's README.

mod support;

use std::process::Command;
use std::time::Duration;

use ampel::executor::ExecConfig;
use support::peers::{PeerProcess, peers_dir, program_runs, script};
use support::run::{all_cases, run_against_server, runtime, target};
use support::verdicts::check_golden;

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
        Duration::from_secs(900),
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
