//! Every case of sections 1-7 and 10 against a tokio-tungstenite echo server, two at a time,
//! with the verdicts expected from tungstenite asserted; once with Autobahn's timers and once
//! scaled down, which must finish quickly.

mod exec_common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ampel::executor::{ExecConfig, run_client_case};
use ampel_cases::{Behavior, Case, CloseBehavior, Judgement, Observation, Step, catalogue, judge};
use exec_common::{TEST_LIMIT, runtime, target, tungstenite_echo_server};

type Results = BTreeMap<String, (&'static Case, Judgement, Observation, Duration)>;

/// Runs sections 1-7 and 10 with two cases in flight; returns the results and the total time.
async fn run_all(scale: f64) -> (Results, Duration) {
    let addr = tungstenite_echo_server().await;
    let target = Arc::new(target(addr));
    let cfg = Arc::new(ExecConfig {
        timeout_scale: scale,
        ..ExecConfig::default()
    });
    let cases: Vec<&'static Case> = catalogue()
        .iter()
        .filter(|c| c.id.section() <= 10 && c.id.section() != 9)
        .collect();
    let count = cases.len();
    let queue = Arc::new(std::sync::Mutex::new(cases));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..2 {
        let (queue, target, cfg) = (queue.clone(), target.clone(), cfg.clone());
        workers.push(tokio::spawn(async move {
            let mut done = Vec::new();
            loop {
                let next = queue.lock().ok().and_then(|mut q| q.pop());
                let Some(case) = next else { break };
                let t = Instant::now();
                let obs = run_client_case(&target, case, &cfg).await;
                done.push((case, judge(case, &obs), obs, t.elapsed()));
            }
            done
        }));
    }
    let mut results = Results::new();
    for w in workers {
        let done = tokio::time::timeout(TEST_LIMIT, w)
            .await
            .unwrap_or_else(|_| panic!("timed out"))
            .unwrap_or_else(|e| panic!("worker: {e}"));
        for (case, verdict, obs, took) in done {
            results.insert(case.id.to_string(), (case, verdict, obs, took));
        }
    }
    assert_eq!(results.len(), count);
    (results, started.elapsed())
}

/// The verdicts tokio-tungstenite earns. All OK, except:
/// * 6.4.3 / 6.4.4 (invalid UTF-8 inside ONE frame, written in three parts a second apart):
///   tungstenite checks a text frame's UTF-8 only once the frame is complete, so it fails
///   the connection after the third part instead of at once: NON-STRICT.
/// * 7.1.6, 7.13.1, 7.13.2 are INFORMATIONAL by definition.
fn expected(id: &str) -> (Behavior, CloseBehavior) {
    match id {
        "6.4.3" | "6.4.4" => (Behavior::NonStrict, CloseBehavior::Ok),
        "7.1.6" | "7.13.1" | "7.13.2" => (Behavior::Informational, CloseBehavior::Informational),
        _ => (Behavior::Ok, CloseBehavior::Ok),
    }
}

/// Verdict mismatches, and cases without waits that ran as long as a timer (`timer`): those
/// would mean the executor missed the moment the outcome was determined.
fn problems(results: &Results, timer: Duration) -> Vec<String> {
    let mut wrong = Vec::new();
    for (id, (case, verdict, obs, took)) in results {
        let want = expected(id);
        let got = (verdict.behavior, verdict.behavior_close);
        if got != want {
            wrong.push(format!(
                "{id}: expected {want:?}, got {got:?} ({}; {:?})",
                verdict.result, obs.connection
            ));
        }
        let has_wait = case.steps.iter().any(|s| matches!(s, Step::Wait { .. }));
        if !has_wait && *took >= timer {
            wrong.push(format!("{id}: took {took:?} although it has no wait"));
        }
    }
    wrong
}

#[test]
fn sections_1_to_7_and_10_against_tungstenite() {
    runtime().block_on(async {
        let (results, total) = run_all(1.0).await;
        println!("{} cases in {total:?}", results.len());
        let wrong = problems(&results, Duration::from_secs(1));
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    });
}

/// With the timers scaled to a fifth, every verdict stays the same and no case without a
/// wait lasts as long as a (scaled) timer: the executor ends cases on events, not timers.
#[test]
fn scaled_timers_keep_the_verdicts() {
    runtime().block_on(async {
        let (results, total) = run_all(0.2).await;
        println!("{} cases in {total:?} at scale 0.2", results.len());
        let wrong = problems(&results, Duration::from_millis(200));
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    });
}
