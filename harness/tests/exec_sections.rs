//! One representative case of every section of the catalogue, run as client against a
//! tokio-tungstenite echo server, with the judge's verdicts asserted.

mod exec_common;

use ampel_cases::{Behavior, CloseBehavior};
use exec_common::{TEST_LIMIT, case, run, runtime, target, tungstenite_echo_server};

#[test]
fn representative_case_of_every_section() {
    runtime().block_on(async {
        let addr = tungstenite_echo_server().await;
        let target = target(addr);
        let rows = [
            // (case, main verdict, close verdict)
            ("1.1.1", Behavior::Ok, CloseBehavior::Ok),
            ("1.2.8", Behavior::Ok, CloseBehavior::Ok),
            ("2.2", Behavior::Ok, CloseBehavior::Ok),
            ("2.5", Behavior::Ok, CloseBehavior::Ok),
            ("3.1", Behavior::Ok, CloseBehavior::Ok),
            ("4.1.1", Behavior::Ok, CloseBehavior::Ok),
            ("5.6", Behavior::Ok, CloseBehavior::Ok),
            ("5.1", Behavior::Ok, CloseBehavior::Ok),
            ("6.2.3", Behavior::Ok, CloseBehavior::Ok),
            ("6.3.1", Behavior::Ok, CloseBehavior::Ok),
            ("7.1.1", Behavior::Ok, CloseBehavior::Ok),
            ("7.3.1", Behavior::Ok, CloseBehavior::Ok),
            ("7.9.1", Behavior::Ok, CloseBehavior::Ok),
            ("9.1.1", Behavior::Ok, CloseBehavior::Ok),
            ("9.3.1", Behavior::Ok, CloseBehavior::Ok),
            ("9.7.1", Behavior::Ok, CloseBehavior::Ok),
            ("10.1.1", Behavior::Ok, CloseBehavior::Ok),
        ];
        let all = async {
            for (id, behavior, close) in rows {
                let started = std::time::Instant::now();
                let (obs, verdict) = run(&target, case(id)).await;
                assert_eq!(
                    (verdict.behavior, verdict.behavior_close),
                    (behavior, close),
                    "{id}: {verdict:#?}\n{:#?}",
                    obs.connection
                );
                assert!(obs.handshake.completed, "{id}");
                assert!(
                    started.elapsed() < std::time::Duration::from_secs(3),
                    "{id} took {:?}",
                    started.elapsed()
                );
            }
        };
        tokio::time::timeout(TEST_LIMIT, all)
            .await
            .unwrap_or_else(|_| panic!("timed out"));
    });
}
