//! The suite (sections 1-10 and 14, and rows 1-5 of 12.x/13.x) against a real third-party server: Python `websockets` (asyncio), installed
//! by `scripts/install-peers.sh`, spawned from `tests/peers/echo_websockets.py`. The verdict
//! table must equal `tests/golden/third_party/websockets.json`; every non-OK verdict in it
//! is explained in that directory's README.

mod support;

use std::process::Command;
use std::time::Duration;

use ampel::executor::ExecConfig;
use ampel_cases::Role;
use support::peers::{PeerProcess, peers_dir, script};
use support::run::{run_against_server, run_client_process, runtime, suite_cases, target};
use support::verdicts::check_golden;

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
    let outcomes = run_client_process(command, "python_websockets", LIMIT);
    check_golden(
        "websockets-client",
        "Python websockets (asyncio client), client_websockets.py",
        &outcomes,
    );
}
