//! The harness judged against deliberately broken peers: each bug must show up exactly
//! where the verdict model (reference §4) puts it, and nowhere else. The peers are raw-frame
//! echo peers of the test support (`support::broken`), one bug per switch, and the same peer
//! with no bug is the control, which must be OK everywhere.

mod support;

use std::time::Duration;

use ampel_cases::{Behavior as B, Case, CloseBehavior as C};
use support::broken::{self, Bugs};
use support::run::{
    Outcomes, case, cases_under, core_cases, run_against_client, run_against_server, runtime,
    scaled, target,
};

/// Every run below is bounded by this.
const LIMIT: Duration = Duration::from_secs(240);

/// Cases with informational verdicts whatever the peer does.
fn informational(id: &str) -> bool {
    matches!(id, "7.1.6" | "7.13.1" | "7.13.2")
}

/// A section 6 case with invalid UTF-8: the peer must fail the connection (1007).
fn invalid_utf8(case: &Case) -> bool {
    case.id.section() == 6 && !case.expect.close.closed_by_me
}

/// The cases in which a correct peer fails the connection with 1002 (reference §3 tables:
/// P:{1002}).
fn peer_fails_with_1002(id: &str) -> bool {
    let five = |n: u32| format!("5.{n}");
    id == "2.5"
        || id.starts_with("3.")
        || id.starts_with("4.")
        || ["5.1", "5.2"].contains(&id)
        || (9..=18).any(|n| five(n) == id)
}

/// The close cases in which the harness closes with a payload a correct peer rejects with
/// 1002 (or 1007 in 7.5.1), with no clean close required (reference §3.7).
fn close_rejected_by_peer(id: &str) -> bool {
    ["7.3.2", "7.3.6", "7.5.1"].contains(&id) || id.starts_with("7.9.")
}

/// The section 9 cases run here: both sides of the 64 KiB border, every family.
const NINE: &[&str] = &[
    "9.1.1", "9.1.2", "9.1.6", "9.2.1", "9.2.2", "9.3.9", "9.4.5", "9.5.6", "9.6.6", "9.7.6",
    "9.8.6",
];

/// Compares every outcome with `expected(case)` and panics with all differences.
fn assert_verdicts(label: &str, outcomes: &Outcomes, expected: impl Fn(&Case) -> (B, C)) {
    assert!(!outcomes.is_empty(), "{label}: nothing ran");
    let mut wrong = Vec::new();
    for (id, o) in outcomes {
        let want = expected(o.case);
        let got = (o.judgement.behavior, o.judgement.behavior_close);
        if got != want {
            wrong.push(format!(
                "{id}: expected {want:?}, got {got:?}: {} | {} | events {:?} | {:?}",
                o.judgement.result,
                o.judgement.result_close,
                o.observation.events,
                o.observation.connection
            ));
        }
    }
    println!("[{label}] {} cases checked", outcomes.len());
    assert!(
        wrong.is_empty(),
        "{label}: {} unexpected verdict(s):\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Runs `cases` against a server peer with `bugs`.
fn against_server(bugs: Bugs, cases: &[&'static Case], scale: f64) -> Outcomes {
    runtime().block_on(async {
        let addr = broken::serve(bugs).await;
        run_against_server(&target(addr), cases, &scaled(scale), LIMIT).await
    })
}

fn with_nine(mut cases: Vec<&'static Case>) -> Vec<&'static Case> {
    cases.extend(NINE.iter().map(|id| case(id)));
    cases
}

fn ok_or_informational(case: &Case) -> (B, C) {
    if informational(&case.id.to_string()) {
        (B::Informational, C::Informational)
    } else {
        (B::Ok, C::Ok)
    }
}

#[test]
fn the_control_peer_is_ok_everywhere() {
    let cases = with_nine(
        core_cases()
            .into_iter()
            .filter(|c| c.id.section() != 9)
            .collect(),
    );
    let outcomes = against_server(Bugs::default(), &cases, 1.0);
    assert_verdicts("control", &outcomes, ok_or_informational);
    // The control answers the harness's close with the same code and fails with the code
    // the model names.
    let code = |id: &str| {
        outcomes
            .get(id)
            .and_then(|o| o.observation.connection.remote_close_code)
    };
    assert_eq!(code("1.1.1"), Some(1000));
    assert_eq!(code("3.1"), Some(1002));
    assert_eq!(code("6.3.1"), Some(1007));
    assert_eq!(code("7.7.10"), Some(3000));
}

/// Echoing invalid UTF-8 makes the harness fail the connection itself (1007): the wrong
/// endpoint closed, which is fatal in the invalid-UTF-8 cases (reference §4.2.3), so both
/// columns are FAILED. A close reason that is not UTF-8 (7.5.1) is answered with its own code
/// 1000 instead of 1002/1007: WRONG CODE, which 7.x turns into FAILED. Valid UTF-8 stays OK.
#[test]
fn a_peer_that_skips_utf8_validation() {
    let bugs = Bugs {
        skip_utf8_validation: true,
        ..Bugs::default()
    };
    let outcomes = against_server(bugs, &cases_under(&["6.", "7."]), 1.0);
    let invalid = outcomes.values().filter(|o| invalid_utf8(o.case)).count();
    assert!(invalid > 50, "only {invalid} invalid UTF-8 cases");
    assert_verdicts("no utf-8 check", &outcomes, |c| {
        let id = c.id.to_string();
        if invalid_utf8(c) {
            (B::Failed, C::Failed)
        } else if id == "7.5.1" {
            (B::Failed, C::WrongCode)
        } else {
            ok_or_informational(c)
        }
    });
    for o in outcomes.values().filter(|o| invalid_utf8(o.case)) {
        let flags = &o.observation.connection;
        assert!(flags.closed_by_me && flags.failed_by_me, "{}", o.case.id);
        assert_eq!(flags.local_close_code, Some(1007), "{}", o.case.id);
    }
}

/// A peer that ignores RSV bits processes the frames of section 3: it echoes what it should
/// have rejected (FAILED), and the harness's kill timer closes first (close FAILED: wrong
/// endpoint). In 3.7 the frame is a close, which it answers with 1000: no events (OK), the
/// peer closed first as expected, but with 1000 where 1002 is the only code allowed (WRONG
/// CODE, in the close column only, §4.2.3).
#[test]
fn a_peer_that_ignores_rsv_bits() {
    let bugs = Bugs {
        ignore_rsv: true,
        ..Bugs::default()
    };
    let outcomes = against_server(bugs, &cases_under(&["1.1.", "3."]), 1.0);
    assert_verdicts("rsv ignored", &outcomes, |c| {
        match c.id.to_string().as_str() {
            "3.7" => (B::Ok, C::WrongCode),
            id if id.starts_with("3.") => (B::Failed, C::Failed),
            _ => (B::Ok, C::Ok),
        }
    });
}

/// A peer that never answers a close: wherever the harness closes first, a timer (the
/// close-handshake timer or the case's kill timer, whichever is due first) ends the case and
/// the harness drops TCP. Clean required → UNCLEAN; not required (the cases in which the
/// peer should have rejected the close) → FAILED BY CLIENT, as the harness is the client
/// (§4.4). Cases in which the peer fails first are unaffected.
#[test]
fn a_server_that_never_answers_a_close() {
    let bugs = Bugs {
        never_answer_close: true,
        ..Bugs::default()
    };
    let outcomes = against_server(bugs, &cases_under(&["1.", "2.", "5.", "7."]), 0.5);
    assert_verdicts("close unanswered", &outcomes, |c| {
        let id = c.id.to_string();
        if informational(&id) {
            (B::Informational, C::Informational)
        } else if !c.expect.close.closed_by_me || id == "7.3.6" {
            // 7.3.6's close is too long for a control frame: the peer rejects the frame
            // before it is a close, and fails the connection as it should.
            (B::Ok, C::Ok)
        } else if close_rejected_by_peer(&id) {
            (B::Ok, C::FailedByClient)
        } else {
            (B::Ok, C::Unclean)
        }
    });
    let unanswered = |o: &&support::run::Outcome| {
        o.case.expect.close.closed_by_me
            && !informational(&o.case.id.to_string())
            && o.case.id.to_string() != "7.3.6"
    };
    for o in outcomes.values().filter(unanswered) {
        let flags = &o.observation.connection;
        assert!(!flags.was_clean && flags.dropped_by_me, "{}", o.case.id);
        assert_eq!(flags.remote_close_code, None, "{}", o.case.id);
    }
}

/// A peer that always closes with 1000: where it must fail the connection, the events are
/// right and the close column says WRONG CODE (§4.2.3: only there, also for invalid UTF-8
/// closed with 1000 instead of 1007); in the 7.x cases with a rejected close, WRONG CODE
/// makes the main verdict FAILED too. Answers to valid closes (1000 is always allowed
/// there, 7.7.x allow {1000, code}) stay OK.
#[test]
fn a_peer_that_closes_with_the_wrong_code() {
    let bugs = Bugs {
        always_close_1000: true,
        ..Bugs::default()
    };
    let outcomes = against_server(
        bugs,
        &cases_under(&["2.", "3.", "4.", "5.", "6.", "7."]),
        1.0,
    );
    assert_verdicts("always 1000", &outcomes, |c| {
        let id = c.id.to_string();
        if informational(&id) {
            (B::Informational, C::Informational)
        } else if peer_fails_with_1002(&id) || invalid_utf8(c) {
            (B::Ok, C::WrongCode)
        } else if close_rejected_by_peer(&id) {
            (B::Failed, C::WrongCode)
        } else {
            (B::Ok, C::Ok)
        }
    });
}

/// A peer that flips a byte in echoes over 64 KiB: section 9 checks type, length and
/// SHA-1, so those cases are FAILED with "content differs" while the close stays OK;
/// 64 KiB exactly (1.1.7, 1.2.7, 9.1.1, 10.1.1) and the small echo loops stay OK.
#[test]
fn a_peer_that_corrupts_large_echoes() {
    let bugs = Bugs {
        corrupt_large_echoes: true,
        ..Bugs::default()
    };
    let mut cases = with_nine(cases_under(&["1.1.7", "1.2.7", "10."]));
    cases.push(case("7.1.6"));
    let outcomes = against_server(bugs, &cases, 1.0);
    let large = [
        "9.1.2", "9.1.6", "9.2.2", "9.3.9", "9.4.5", "9.5.6", "9.6.6",
    ];
    assert_verdicts("corrupt > 64 KiB", &outcomes, |c| {
        let id = c.id.to_string();
        if large.contains(&id.as_str()) {
            (B::Failed, C::Ok)
        } else {
            ok_or_informational(c)
        }
    });
    for id in large {
        let reason = outcomes.get(id).and_then(|o| o.judgement.reason.clone());
        assert_eq!(reason.as_deref(), Some("content differs"), "{id}");
    }
}

/// The harness as server (test-client mode) with a client that never answers a close:
/// UNCLEAN where a clean close is required; where it is not (7.3.2, 7.3.6, 7.5.1, 7.9.x)
/// the harness drops TCP as a server always does and the verdict is OK — the documented
/// blind spot of the verdict model when testing clients (§4.4). The correct client is the
/// control: OK everywhere.
#[test]
fn a_client_that_never_answers_a_close() {
    let mut cases = cases_under(&["1.1.1", "2.2", "5.3", "7."]);
    cases.push(case("9.7.1"));
    let run = |bugs: Bugs, agent: &'static str, scale: f64| {
        runtime().block_on(run_against_client(
            agent,
            &cases,
            &scaled(scale),
            LIMIT,
            move |addr, path| async move {
                let _ = broken::run_client(addr, &path, bugs).await;
            },
        ))
    };
    let control = run(Bugs::default(), "control", 1.0);
    assert_verdicts("client control", &control, ok_or_informational);

    let bugs = Bugs {
        never_answer_close: true,
        ..Bugs::default()
    };
    let outcomes = run(bugs, "silent", 0.5);
    assert_verdicts("client close unanswered", &outcomes, |c| {
        let id = c.id.to_string();
        if informational(&id) {
            (B::Informational, C::Informational)
        } else if close_rejected_by_peer(&id) {
            (B::Ok, C::Ok)
        } else {
            (B::Ok, C::Unclean)
        }
    });
    for id in ["7.3.2", "7.9.1"] {
        let flags = outcomes.get(id).map(|o| o.observation.connection.clone());
        let flags = flags.unwrap_or_else(|| panic!("{id} did not run"));
        assert!(!flags.was_clean && flags.dropped_by_me, "{id}: {flags:?}");
    }
}

/// A server that keeps TCP open after the close handshake: the harness (the client) drops
/// TCP itself, on the server-drop timer or on the case's kill timer, whichever is due first.
/// The reference resets `wasClean` either way (§4.3: the server did not drop TCP in time;
/// K(n) *fails* the connection, §3 legend), so a case that requires a clean close is UNCLEAN
/// and one that does not is FAILED BY CLIENT (§4.4).
///
/// Whichever timer fires first (the kill timer in 1.1.1-5 and 7.x, the server-drop timer in
/// 1.1.6-8 and 2.x), the close is not clean.
#[test]
fn a_server_that_keeps_tcp_open_after_the_close() {
    let bugs = Bugs {
        keep_tcp_after_close: true,
        ..Bugs::default()
    };
    let outcomes = against_server(bugs, &cases_under(&["1.1.", "2.", "7."]), 1.0);
    assert_verdicts("tcp kept open", &outcomes, |c| {
        let id = c.id.to_string();
        if informational(&id) {
            (B::Informational, C::Informational)
        } else if c.expect.close.require_clean {
            (B::Ok, C::Unclean)
        } else {
            (B::Ok, C::FailedByClient)
        }
    });
    for o in outcomes
        .values()
        .filter(|o| !informational(&o.case.id.to_string()))
    {
        let flags = &o.observation.connection;
        assert!(
            flags.dropped_by_me && !flags.was_clean,
            "{}: {flags:?}",
            o.case.id
        );
    }
}
