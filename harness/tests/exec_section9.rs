//! Section 9 (limits and performance) against a tokio-tungstenite echo server: messages up
//! to 16 MiB, fragmented and chopped, and 1000-message echo loops; every echo is checked by
//! type, length and SHA-1.

mod exec_common;

use std::time::Instant;

use ampel_cases::{Behavior, CloseBehavior, catalogue};
use exec_common::{TEST_LIMIT, run, runtime, target, tungstenite_echo_server};

#[test]
fn section_9_against_tungstenite() {
    runtime().block_on(async {
        let addr = tungstenite_echo_server().await;
        let target = target(addr);
        let work = async {
            let mut wrong = Vec::new();
            for case in catalogue()
                .iter()
                .filter(|c| c.id.to_string().starts_with("9."))
            {
                let t = Instant::now();
                let (obs, verdict) = run(&target, case).await;
                println!("{} {} in {:?}", case.id, verdict.behavior, t.elapsed());
                if (verdict.behavior, verdict.behavior_close) != (Behavior::Ok, CloseBehavior::Ok) {
                    wrong.push(format!("{}: {verdict:?} {:?}", case.id, obs.connection));
                }
                let echo = obs.echo.as_ref();
                assert!(echo.is_some_and(|e| !e.timed_out), "{}", case.id);
            }
            assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        };
        tokio::time::timeout(TEST_LIMIT * 5, work)
            .await
            .unwrap_or_else(|_| panic!("timed out"));
    });
}
