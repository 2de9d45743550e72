//! The harness as server (test-client mode): a tokio-tungstenite client connects and echoes;
//! `run_server_case` runs every case of sections 1-7 and 10 and one of section 9.

mod exec_common;

use std::time::Duration;

use ampel::executor::{ExecConfig, read_upgrade_request, run_server_case};
use ampel_cases::{Behavior, Case, CloseBehavior, Observation, Role, catalogue, judge};
use exec_common::{TEST_LIMIT, case, runtime};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

/// Runs `case` with the harness as server and a tungstenite echo client.
async fn serve_one(listener: &TcpListener, case: &Case) -> Observation {
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("local_addr: {e}"));
    let client = tokio::spawn(async move {
        let url = format!("ws://{addr}/runCase?case=1&agent=tungstenite");
        let Ok((mut ws, _)) = tokio_tungstenite::connect_async(url).await else {
            return;
        };
        while let Some(Ok(msg)) = ws.next().await {
            if matches!(msg, Message::Text(_) | Message::Binary(_)) && ws.send(msg).await.is_err() {
                break;
            }
        }
    });
    let (tcp, _) = listener
        .accept()
        .await
        .unwrap_or_else(|e| panic!("accept: {e}"));
    let _ = tcp.set_nodelay(true);
    let mut io: ampel::executor::BoxedIo = Box::new(tcp);
    let request = read_upgrade_request(&mut io, Duration::from_secs(5))
        .await
        .unwrap_or_else(|e| panic!("upgrade request: {e}"));
    assert_eq!(request.path, "/runCase");
    assert_eq!(request.query_param("agent"), Some("tungstenite"));
    let obs = run_server_case(io, request, case, &ExecConfig::default()).await;
    let _ = tokio::time::timeout(Duration::from_secs(5), client).await;
    obs
}

/// Verdicts tungstenite earns as a client (as for the server role in exec_all_cases).
fn expected(id: &str) -> (Behavior, CloseBehavior) {
    match id {
        "6.4.3" | "6.4.4" => (Behavior::NonStrict, CloseBehavior::Ok),
        "7.1.6" | "7.13.1" | "7.13.2" => (Behavior::Informational, CloseBehavior::Informational),
        _ => (Behavior::Ok, CloseBehavior::Ok),
    }
}

#[test]
fn every_case_as_server_against_a_tungstenite_client() {
    runtime().block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let all = async {
            let mut wrong = Vec::new();
            let cases = catalogue()
                .iter()
                .filter(|c| c.id.section() <= 10 && c.id.section() != 9)
                .chain([case("9.1.1"), case("9.7.1")]);
            for case in cases {
                let obs = serve_one(&listener, case).await;
                assert_eq!(obs.harness_role, Role::Server);
                assert!(obs.handshake.completed, "{}", case.id);
                let verdict = judge(case, &obs);
                let got = (verdict.behavior, verdict.behavior_close);
                let want = expected(&case.id.to_string());
                if got != want {
                    wrong.push(format!(
                        "{}: expected {want:?}, got {got:?}: {} / {} {:?}",
                        case.id, verdict.result, verdict.result_close, obs.connection
                    ));
                }
                // The harness as server always ends TCP itself after a close handshake.
                if obs.connection.was_clean {
                    assert!(obs.connection.dropped_by_me, "{}", case.id);
                }
            }
            assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        };
        tokio::time::timeout(TEST_LIMIT, all)
            .await
            .unwrap_or_else(|_| panic!("timed out"));
    });
}
