//! Router (advanced RPC): progressive call results and invocations, call canceling in every
//! mode, call timeouts (timers, forward_timeout), caller identification, pattern-based and
//! shared registrations, registration revocation and the registration meta API, driven message
//! by message without I/O. Each exchange is checked message for message, so a missing or extra
//! final answer fails.

mod router_common;

use ampel_wamp::router::{Output, PeerId, TimerId, Violation, features};
use ampel_wamp::{Id, Message, MessageType};
use router_common::{R, msg, router, send, show};

/// `(peer, json)` pairs for expectations.
fn exp(items: &[(PeerId, &str)]) -> Vec<(u64, String)> {
    items.iter().map(|(p, s)| (p.0, s.to_string())).collect()
}

const CANCELING: &[&str] = &["call_canceling"];
const PROGRESSIVE: &[&str] = &["call_canceling", "progressive_call_results"];
const STREAMING: &[&str] = &["call_canceling", "progressive_call_invocations"];

/// A session whose caller and callee roles announce `features` (and that subscribes).
fn join(r: &mut R, features: &[&str]) -> (PeerId, u64) {
    let features: Vec<String> = features.iter().map(|f| format!(r#""{f}":true"#)).collect();
    let f = features.join(",");
    let hello = format!(
        r#"[1,"realm1",{{"roles":{{"caller":{{"features":{{{f}}}}},"callee":{{"features":{{{f}}}}},"subscriber":{{}}}}}}]"#
    );
    let peer = r.open();
    match &r.handle(peer, msg(&hello))[..] {
        [
            Output::Send {
                message: Message::Welcome(w),
                ..
            },
        ] => (peer, w.session.get()),
        other => panic!("no WELCOME: {other:?}"),
    }
}

/// REGISTER with `options` (JSON); the registration ID.
fn register(r: &mut R, callee: PeerId, request: u64, options: &str, procedure: &str) -> u64 {
    let out = r.handle(
        callee,
        msg(&format!(r#"[64,{request},{options},"{procedure}"]"#)),
    );
    match out.first() {
        Some(Output::Send {
            message: Message::Registered(x),
            ..
        }) => x.registration.get(),
        other => panic!("not registered: {other:?}"),
    }
}

fn timer(entry: &(u64, String)) -> TimerId {
    let id = entry.1.split(' ').nth(1).expect("a TIMER output");
    TimerId(id.parse().unwrap())
}

fn assert_violation(out: &[Output], peer: PeerId, expected: &Violation) {
    assert!(
        out.iter().any(
            |o| matches!(o, Output::Close { peer: p, reason } if *p == peer && reason == expected)
        ),
        "expected {expected:?}: {out:?}"
    );
}

#[test]
fn welcome_announces_the_dealer_features() {
    let mut r = router();
    let peer = r.open();
    let out = r.handle(peer, msg(r#"[1,"realm1",{"roles":{"caller":{}}}]"#));
    let Output::Send {
        message: Message::Welcome(w),
        ..
    } = &out[0]
    else {
        panic!("{out:?}")
    };
    let dealer = w.details["roles"].as_dict().unwrap()["dealer"]
        .as_dict()
        .unwrap()["features"]
        .as_dict()
        .unwrap();
    let mut names: Vec<&str> = dealer.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "call_canceling",
            "call_timeout",
            "caller_identification",
            "pattern_based_registration",
            "progressive_call_invocations",
            "progressive_call_results",
            "registration_meta_api",
            "registration_revocation",
            "session_meta_api",
            "shared_registration",
            "testament_meta_api",
        ]
    );
    assert_eq!(names.len(), features::DEALER.len());
}

#[test]
fn progressive_call_results() {
    let mut r = router();
    let (callee, _) = join(&mut r, PROGRESSIVE);
    let (caller, _) = join(&mut r, PROGRESSIVE);
    let reg = register(&mut r, callee, 1, "{}", "com.stream");
    assert_eq!(
        send(
            &mut r,
            caller,
            r#"[48,1,{"receive_progress":true},"com.stream",[3]]"#
        ),
        exp(&[(
            callee,
            &format!(r#"[68,1,{reg},{{"receive_progress":true}},[3]]"#)
        )])
    );
    assert_eq!(
        send(&mut r, callee, r#"[70,1,{"progress":true},["a"]]"#),
        exp(&[(caller, r#"[50,1,{"progress":true},["a"]]"#)])
    );
    assert_eq!(
        send(&mut r, callee, r#"[70,1,{"progress":true}]"#),
        exp(&[(caller, r#"[50,1,{"progress":true}]"#)])
    );
    assert_eq!(
        send(&mut r, callee, r#"[70,1,{},["done"]]"#),
        exp(&[(caller, r#"[50,1,{},["done"]]"#)])
    );
    // The final YIELD ended it: another progressive one is for an unknown invocation.
    let out = r.handle(callee, msg(r#"[70,1,{"progress":true}]"#));
    assert_violation(
        &out,
        callee,
        &Violation::UnknownInvocation {
            message: MessageType::YIELD,
            request: Id::MIN,
        },
    );
}

#[test]
fn progressive_results_end_with_an_error_and_need_a_canceling_callee() {
    let mut r = router();
    let (callee, _) = join(&mut r, PROGRESSIVE);
    let (caller, _) = join(&mut r, PROGRESSIVE);
    let reg = register(&mut r, callee, 1, "{}", "com.stream");
    send(
        &mut r,
        caller,
        r#"[48,1,{"receive_progress":true},"com.stream"]"#,
    );
    send(&mut r, callee, r#"[70,1,{"progress":true},[1]]"#);
    assert_eq!(
        send(&mut r, callee, r#"[8,68,1,{},"com.failed",[2]]"#),
        exp(&[(caller, r#"[8,48,1,{},"com.failed",[2]]"#)])
    );

    // A callee announcing progressive results without call canceling counts as not
    // supporting them: no receive_progress, and a progressive YIELD is a violation.
    let (plain, _) = join(&mut r, &["progressive_call_results"]);
    let reg2 = register(&mut r, plain, 1, "{}", "com.plain");
    assert_ne!(reg, reg2);
    assert_eq!(
        send(
            &mut r,
            caller,
            r#"[48,2,{"receive_progress":true},"com.plain"]"#
        ),
        exp(&[(plain, &format!("[68,1,{reg2},{{}}]"))])
    );
    let out = r.handle(plain, msg(r#"[70,1,{"progress":true}]"#));
    assert_violation(
        &out,
        plain,
        &Violation::ProgressNotRequested { request: Id::MIN },
    );
    // Its caller is answered when it goes.
    assert!(show(&out).contains(&(caller.0, r#"[8,48,2,{},"wamp.error.canceled"]"#.into())));
}

#[test]
fn caller_leaving_interrupts_a_canceling_callee_only() {
    let mut r = router();
    let (callee, _) = join(&mut r, PROGRESSIVE);
    let (plain, _) = join(&mut r, &[]);
    register(&mut r, callee, 1, "{}", "com.a");
    register(&mut r, plain, 1, "{}", "com.b");
    let (caller, _) = join(&mut r, &[]);
    send(
        &mut r,
        caller,
        r#"[48,1,{"receive_progress":true},"com.a"]"#,
    );
    send(&mut r, caller, r#"[48,2,{},"com.b"]"#);
    assert_eq!(
        show(&r.close(caller)),
        exp(&[(callee, r#"[69,1,{"mode":"killnowait"}]"#)])
    );
    // Late answers go nowhere.
    assert!(send(&mut r, callee, r#"[70,1,{"progress":true}]"#).is_empty());
    assert!(send(&mut r, callee, "[70,1,{}]").is_empty());
    assert!(send(&mut r, plain, "[70,1,{}]").is_empty());
}

/// A caller and a callee (announcing `callee_features`) with one call in flight: CALL 1 →
/// INVOCATION 1.
fn one_call(callee_features: &[&str], call_options: &str) -> (R, PeerId, PeerId) {
    let mut r = router();
    let (callee, _) = join(&mut r, callee_features);
    let (caller, _) = join(&mut r, CANCELING);
    register(&mut r, callee, 1, "{}", "com.slow");
    let out = send(
        &mut r,
        caller,
        &format!(r#"[48,1,{call_options},"com.slow"]"#),
    );
    assert!(out[0].1.starts_with("[68,1,"), "{out:?}");
    (r, caller, callee)
}

#[test]
fn cancel_skip() {
    let (mut r, caller, callee) = one_call(CANCELING, "{}");
    assert_eq!(
        send(&mut r, caller, r#"[49,1,{"mode":"skip"}]"#),
        exp(&[(caller, r#"[8,48,1,{},"wamp.error.canceled"]"#)])
    );
    // A second CANCEL, and the callee's late answer, change nothing.
    assert!(send(&mut r, caller, r#"[49,1,{"mode":"kill"}]"#).is_empty());
    assert!(send(&mut r, callee, "[70,1,{},[1]]").is_empty());
    // The invocation is over now.
    let out = r.handle(callee, msg("[70,1,{}]"));
    assert_violation(
        &out,
        callee,
        &Violation::UnknownInvocation {
            message: MessageType::YIELD,
            request: Id::MIN,
        },
    );
}

#[test]
fn cancel_kill_waits_for_the_callee() {
    // The callee acknowledges with ERROR canceled…
    let (mut r, caller, callee) = one_call(CANCELING, "{}");
    assert_eq!(
        send(&mut r, caller, r#"[49,1,{"mode":"kill"}]"#),
        exp(&[(callee, r#"[69,1,{"mode":"kill"}]"#)])
    );
    assert!(send(&mut r, caller, r#"[49,1,{"mode":"kill"}]"#).is_empty());
    assert_eq!(
        send(&mut r, callee, r#"[8,68,1,{},"wamp.error.canceled"]"#),
        exp(&[(caller, r#"[8,48,1,{},"wamp.error.canceled"]"#)])
    );
    assert!(send(&mut r, caller, r#"[49,1,{"mode":"kill"}]"#).is_empty());

    // …or finishes first: the caller gets the RESULT.
    let (mut r, caller, callee) = one_call(CANCELING, "{}");
    send(&mut r, caller, r#"[49,1,{"mode":"kill"}]"#);
    assert_eq!(
        send(&mut r, callee, "[70,1,{},[42]]"),
        exp(&[(caller, "[50,1,{},[42]]")])
    );

    // A later skip stops the wait without a second INTERRUPT.
    let (mut r, caller, callee) = one_call(CANCELING, "{}");
    send(&mut r, caller, r#"[49,1,{"mode":"kill"}]"#);
    assert_eq!(
        send(&mut r, caller, r#"[49,1,{"mode":"killnowait"}]"#),
        exp(&[(caller, r#"[8,48,1,{},"wamp.error.canceled"]"#)])
    );
    assert!(send(&mut r, callee, r#"[8,68,1,{},"wamp.error.canceled"]"#).is_empty());
}

#[test]
fn cancel_killnowait_and_the_default_mode() {
    for options in [r#"{"mode":"killnowait"}"#, "{}"] {
        let (mut r, caller, callee) = one_call(CANCELING, "{}");
        assert_eq!(
            send(&mut r, caller, &format!("[49,1,{options}]")),
            exp(&[
                (caller, r#"[8,48,1,{},"wamp.error.canceled"]"#),
                (callee, r#"[69,1,{"mode":"killnowait"}]"#),
            ]),
            "{options}"
        );
        assert!(send(&mut r, callee, r#"[8,68,1,{},"wamp.error.canceled"]"#).is_empty());
    }
}

#[test]
fn cancel_toward_a_callee_without_call_canceling_is_skip() {
    for mode in ["skip", "kill", "killnowait"] {
        let (mut r, caller, callee) = one_call(&[], "{}");
        assert_eq!(
            send(&mut r, caller, &format!(r#"[49,1,{{"mode":"{mode}"}}]"#)),
            exp(&[(caller, r#"[8,48,1,{},"wamp.error.canceled"]"#)]),
            "{mode}"
        );
        assert!(send(&mut r, callee, "[70,1,{}]").is_empty());
    }
}

#[test]
fn cancel_of_unknown_or_finished_calls_is_ignored() {
    let (mut r, caller, callee) = one_call(CANCELING, "{}");
    assert!(send(&mut r, caller, "[49,7,{}]").is_empty());
    send(&mut r, callee, "[70,1,{}]");
    assert!(send(&mut r, caller, "[49,1,{}]").is_empty());
    // Another session cannot cancel someone else's call.
    send(&mut r, caller, r#"[48,2,{},"com.slow"]"#);
    let (other, _) = join(&mut r, CANCELING);
    assert!(send(&mut r, other, "[49,2,{}]").is_empty());
    assert_eq!(
        send(&mut r, callee, "[70,2,{}]"),
        exp(&[(caller, "[50,2,{}]")])
    );
}

#[test]
fn callee_leaving_after_a_kill_answers_the_caller_once() {
    let (mut r, caller, callee) = one_call(CANCELING, "{}");
    send(&mut r, caller, r#"[49,1,{"mode":"kill"}]"#);
    assert_eq!(
        show(&r.close(callee)),
        exp(&[(caller, r#"[8,48,1,{},"wamp.error.canceled"]"#)])
    );
}

#[test]
fn call_timeout_interrupts_a_canceling_callee() {
    let (mut r, caller, callee) = {
        let mut r = router();
        let (callee, _) = join(&mut r, CANCELING);
        let (caller, _) = join(&mut r, &[]);
        register(&mut r, callee, 1, "{}", "com.slow");
        (r, caller, callee)
    };
    let out = send(&mut r, caller, r#"[48,1,{"timeout":250},"com.slow"]"#);
    // The timeout is the dealer's: not forwarded.
    assert!(out[0].1.ends_with(",{}]"), "{out:?}");
    assert_eq!(out[1].1, "TIMER 1 250");
    assert_eq!(
        show(&r.timeout(timer(&out[1]))),
        exp(&[
            (caller, r#"[8,48,1,{},"wamp.error.timeout"]"#),
            (callee, r#"[69,1,{"mode":"killnowait"}]"#),
        ])
    );
    // Fired twice, or after the end: nothing.
    assert!(r.timeout(timer(&out[1])).is_empty());
    assert!(send(&mut r, callee, "[70,1,{}]").is_empty());
    assert!(send(&mut r, caller, "[49,1,{}]").is_empty());
}

#[test]
fn call_timeout_toward_a_callee_without_canceling_is_skip() {
    let (mut r, caller, callee) = {
        let mut r = router();
        let (callee, _) = join(&mut r, &[]);
        let (caller, _) = join(&mut r, &[]);
        register(&mut r, callee, 1, "{}", "com.slow");
        (r, caller, callee)
    };
    let out = send(&mut r, caller, r#"[48,1,{"timeout":1000},"com.slow"]"#);
    assert_eq!(
        show(&r.timeout(timer(&out[1]))),
        exp(&[(caller, r#"[8,48,1,{},"wamp.error.timeout"]"#)])
    );
    assert!(send(&mut r, callee, r#"[8,68,1,{},"com.late"]"#).is_empty());
}

#[test]
fn call_timeout_stale_zero_and_after_kill() {
    let (mut r, caller, callee) = one_call(CANCELING, r#"{"timeout":100}"#);
    // The answer came first: the timer is stale.
    assert_eq!(
        send(&mut r, callee, "[70,1,{}]"),
        exp(&[(caller, "[50,1,{}]")])
    );
    assert!(r.timeout(TimerId(1)).is_empty());
    // timeout 0 means none.
    let out = send(&mut r, caller, r#"[48,2,{"timeout":0},"com.slow"]"#);
    assert_eq!(out.len(), 1, "{out:?}");
    // A kill in progress: the timeout answers the caller without a second INTERRUPT.
    let out = send(&mut r, caller, r#"[48,3,{"timeout":100},"com.slow"]"#);
    let t = timer(&out[1]);
    send(&mut r, caller, r#"[49,3,{"mode":"kill"}]"#);
    assert_eq!(
        show(&r.timeout(t)),
        exp(&[(caller, r#"[8,48,3,{},"wamp.error.timeout"]"#)])
    );
}

#[test]
fn progressive_results_restart_the_timeout() {
    let mut r = router();
    let (callee, _) = join(&mut r, PROGRESSIVE);
    let (caller, _) = join(&mut r, PROGRESSIVE);
    register(&mut r, callee, 1, "{}", "com.stream");
    let out = send(
        &mut r,
        caller,
        r#"[48,1,{"receive_progress":true,"timeout":300},"com.stream"]"#,
    );
    let first = timer(&out[1]);
    let out = send(&mut r, callee, r#"[70,1,{"progress":true},[1]]"#);
    assert_eq!(out[0], (caller.0, r#"[50,1,{"progress":true},[1]]"#.into()));
    let second = timer(&out[1]);
    assert_eq!(out[1].1, format!("TIMER {} 300", second.0));
    assert!(r.timeout(first).is_empty(), "the first timer is stale");
    assert_eq!(
        show(&r.timeout(second)),
        exp(&[
            (caller, r#"[8,48,1,{},"wamp.error.timeout"]"#),
            (callee, r#"[69,1,{"mode":"killnowait"}]"#),
        ])
    );
    assert!(send(&mut r, callee, r#"[70,1,{"progress":true},[2]]"#).is_empty());
}

#[test]
fn forward_timeout_leaves_the_timeout_to_the_callee() {
    let mut r = router();
    let (callee, _) = join(&mut r, &["call_timeout"]);
    let (caller, _) = join(&mut r, &[]);
    let reg = register(&mut r, callee, 1, r#"{"forward_timeout":true}"#, "com.slow");
    assert_eq!(
        send(&mut r, caller, r#"[48,1,{"timeout":1500},"com.slow"]"#),
        exp(&[(callee, &format!(r#"[68,1,{reg},{{"timeout":1500}}]"#))])
    );
    assert_eq!(
        send(&mut r, callee, r#"[8,68,1,{},"wamp.error.timeout"]"#),
        exp(&[(caller, r#"[8,48,1,{},"wamp.error.timeout"]"#)])
    );
}

#[test]
fn caller_identification() {
    let mut r = router();
    let (callee, _) = join(&mut r, &["caller_identification"]);
    let (caller, caller_id) = join(&mut r, &["caller_identification"]);
    let open = register(&mut r, callee, 1, "{}", "com.open");
    let asks = register(&mut r, callee, 2, r#"{"disclose_caller":true}"#, "com.asks");
    let identity = format!(
        r#"{{"caller":{caller_id},"caller_authid":"anonymous-{caller_id}","caller_authrole":"anonymous"}}"#
    );
    assert_eq!(
        send(&mut r, caller, r#"[48,1,{},"com.open"]"#),
        exp(&[(callee, &format!("[68,1,{open},{{}}]"))])
    );
    assert_eq!(
        send(&mut r, caller, r#"[48,2,{"disclose_me":true},"com.open"]"#),
        exp(&[(callee, &format!("[68,2,{open},{identity}]"))])
    );
    assert_eq!(
        send(&mut r, caller, r#"[48,3,{},"com.asks"]"#),
        exp(&[(callee, &format!("[68,3,{asks},{identity}]"))])
    );
}

#[test]
fn pattern_registrations_follow_the_spec_precedence() {
    let mut r = router();
    let (callee, _) = join(&mut r, &["pattern_based_registration"]);
    let (caller, _) = join(&mut r, &[]);
    let exact = register(&mut r, callee, 1, "{}", "a1.b2.c3.d4.e55");
    let p2 = register(&mut r, callee, 2, r#"{"match":"prefix"}"#, "a1.b2.c3");
    let p3 = register(&mut r, callee, 3, r#"{"match":"prefix"}"#, "a1.b2.c3.d4");
    let w4 = register(&mut r, callee, 4, r#"{"match":"wildcard"}"#, "a1.b2..d4.e5");
    let w5 = register(
        &mut r,
        callee,
        5,
        r#"{"match":"wildcard"}"#,
        "a1.b2.c33..e5",
    );
    let w6 = register(
        &mut r,
        callee,
        6,
        r#"{"match":"wildcard"}"#,
        "a1.b2..d4.e5..g7",
    );
    register(
        &mut r,
        callee,
        7,
        r#"{"match":"wildcard"}"#,
        "a1.b2..d4..f6.g7",
    );
    // The same URI with another policy is another registration.
    let exact_c3 = register(&mut r, callee, 8, "{}", "a1.b2.c3");
    let cases = [
        ("a1.b2.c3.d4.e55", exact, false),
        ("a1.b2.c3.d98.e74", p2, true),
        ("a1.b2.c3.d4.e325", p3, true),
        ("a1.b2.c55.d4.e5", w4, true),
        ("a1.b2.c33.d4.e5", w5, true),
        ("a1.b2.c88.d4.e5.f6.g7", w6, true),
        ("a1.b2.c3", exact_c3, false),
    ];
    for (i, (uri, reg, pattern)) in cases.into_iter().enumerate() {
        let request = i as u64 + 1;
        let details = if pattern {
            format!(r#"{{"procedure":"{uri}"}}"#)
        } else {
            "{}".into()
        };
        assert_eq!(
            send(&mut r, caller, &format!(r#"[48,{request},{{}},"{uri}"]"#)),
            exp(&[(callee, &format!("[68,{request},{reg},{details}]"))]),
            "{uri}"
        );
    }
    assert_eq!(
        send(&mut r, caller, r#"[48,8,{},"a2.b2.c2.d2.e2"]"#),
        exp(&[(caller, r#"[8,48,8,{},"wamp.error.no_such_procedure"]"#)])
    );
    // Invalid patterns: empty components outside wildcards, reserved URIs.
    for (request, options, uri) in [
        (9, "{}", "a..b"),
        (10, r#"{"match":"prefix"}"#, "a..b"),
        (11, r#"{"match":"prefix"}"#, "wamp.session"),
        (12, r#"{"match":"wildcard"}"#, "a.b c."),
    ] {
        assert_eq!(
            send(
                &mut r,
                callee,
                &format!(r#"[64,{request},{options},"{uri}"]"#)
            ),
            exp(&[(
                callee,
                &format!(r#"[8,64,{request},{{}},"wamp.error.invalid_uri"]"#)
            )]),
            "{uri}"
        );
    }
    // A wildcard pattern never captures the router's own procedures.
    let any = register(
        &mut r,
        callee,
        13,
        r#"{"match":"wildcard"}"#,
        ".session.count",
    );
    assert_eq!(
        send(&mut r, caller, r#"[48,9,{},"com.session.count"]"#),
        exp(&[(
            callee,
            &format!(r#"[68,8,{any},{{"procedure":"com.session.count"}}]"#)
        )])
    );
    // `wamp.*` is the router's own: the meta procedure answers, not the pattern's callee.
    assert_eq!(
        send(&mut r, caller, r#"[48,10,{},"wamp.session.count"]"#),
        exp(&[(caller, "[50,10,{},[2]]")])
    );
}

#[test]
fn shared_registration_policies() {
    let mut r = router();
    let (a, _) = join(&mut r, &["shared_registration"]);
    let (b, _) = join(&mut r, &["shared_registration"]);
    let (c, _) = join(&mut r, &["shared_registration"]);
    let (caller, _) = join(&mut r, &[]);
    let rr = register(&mut r, a, 1, r#"{"invoke":"roundrobin"}"#, "com.rr");
    assert_eq!(
        register(&mut r, b, 1, r#"{"invoke":"roundrobin"}"#, "com.rr"),
        rr
    );
    assert_eq!(
        register(&mut r, c, 1, r#"{"invoke":"roundrobin"}"#, "com.rr"),
        rr
    );
    // Another policy, single, or the same session again: refused.
    for (peer, request, options) in [
        (caller, 1, r#"{"invoke":"first"}"#),
        (caller, 2, "{}"),
        (a, 2, r#"{"invoke":"roundrobin"}"#),
    ] {
        assert_eq!(
            send(
                &mut r,
                peer,
                &format!(r#"[64,{request},{options},"com.rr"]"#)
            ),
            exp(&[(
                peer,
                &format!(r#"[8,64,{request},{{}},"wamp.error.procedure_already_exists"]"#)
            )])
        );
    }
    let target = |r: &mut R, request: u64, uri: &str| -> u64 {
        r.handle(caller, msg(&format!(r#"[48,{request},{{}},"{uri}"]"#)))
            .first()
            .map(|o| match o {
                Output::Send { to, .. } => to.0,
                _ => 0,
            })
            .unwrap()
    };
    let order: Vec<u64> = (3..9).map(|i| target(&mut r, i, "com.rr")).collect();
    assert_eq!(order, [a.0, b.0, c.0, a.0, b.0, c.0]);
    // b leaves: only b goes, the order goes on with the rest.
    r.close(b);
    let order: Vec<u64> = (9..13).map(|i| target(&mut r, i, "com.rr")).collect();
    assert_eq!(order, [a.0, c.0, a.0, c.0]);

    // first / last: hot standby by registration order.
    let (d, _) = join(&mut r, &[]);
    let first = register(&mut r, a, 3, r#"{"invoke":"first"}"#, "com.first");
    register(&mut r, c, 2, r#"{"invoke":"first"}"#, "com.first");
    register(&mut r, d, 1, r#"{"invoke":"first"}"#, "com.first");
    register(&mut r, a, 4, r#"{"invoke":"last"}"#, "com.last");
    register(&mut r, c, 3, r#"{"invoke":"last"}"#, "com.last");
    register(&mut r, d, 2, r#"{"invoke":"last"}"#, "com.last");
    assert_eq!(target(&mut r, 13, "com.first"), a.0);
    assert_eq!(target(&mut r, 14, "com.last"), d.0);
    send(&mut r, a, &format!("[66,5,{first}]"));
    assert_eq!(target(&mut r, 15, "com.first"), c.0);
    r.close(d);
    assert_eq!(target(&mut r, 16, "com.last"), c.0);

    // random: from the injected RNG, over every callee.
    register(&mut r, a, 6, r#"{"invoke":"random"}"#, "com.random");
    register(&mut r, c, 4, r#"{"invoke":"random"}"#, "com.random");
    let picks: std::collections::BTreeSet<u64> =
        (17..57).map(|i| target(&mut r, i, "com.random")).collect();
    assert_eq!(picks, [a.0, c.0].into());
}

#[test]
fn progressive_call_invocations() {
    let mut r = router();
    let (callee, _) = join(&mut r, STREAMING);
    let (caller, caller_id) = join(&mut r, STREAMING);
    let reg = register(&mut r, callee, 1, "{}", "com.upload");
    let identity = format!(
        r#""caller":{caller_id},"caller_authid":"anonymous-{caller_id}","caller_authrole":"anonymous""#
    );
    assert_eq!(
        send(
            &mut r,
            caller,
            r#"[48,1,{"progress":true,"disclose_me":true},"com.upload",["a"]]"#
        ),
        exp(&[(
            callee,
            &format!(r#"[68,1,{reg},{{{identity},"progress":true}},["a"]]"#)
        )])
    );
    // Another call in between takes request 2.
    assert_eq!(
        send(&mut r, caller, r#"[48,2,{},"com.upload"]"#),
        exp(&[(callee, &format!("[68,2,{reg},{{}}]"))])
    );
    // Continuations reuse request 1; options other than progress are frozen.
    assert_eq!(
        send(
            &mut r,
            caller,
            r#"[48,1,{"progress":true,"disclose_me":false},"com.upload",["b"]]"#
        ),
        exp(&[(
            callee,
            &format!(r#"[68,1,{reg},{{{identity},"progress":true}},["b"]]"#)
        )])
    );
    assert_eq!(
        send(&mut r, caller, r#"[48,1,{},"com.upload",["c"]]"#),
        exp(&[(callee, &format!(r#"[68,1,{reg},{{{identity}}},["c"]]"#))])
    );
    // The final chunk went: another continuation is a violation… unless the call ended.
    assert_eq!(
        send(&mut r, callee, r#"[70,1,{},["abc"]]"#),
        exp(&[(caller, r#"[50,1,{},["abc"]]"#)])
    );
    assert!(send(&mut r, caller, r#"[48,1,{"progress":true},"com.upload"]"#).is_empty());
    let out = r.handle(caller, msg(r#"[48,2,{"progress":true},"com.upload"]"#));
    assert_violation(
        &out,
        caller,
        &Violation::InvalidContinuation {
            request: Id::new(2).unwrap(),
        },
    );
}

#[test]
fn progressive_invocation_refusals() {
    let mut r = router();
    let (callee, _) = join(&mut r, STREAMING);
    let (lacking, _) = join(&mut r, &["progressive_call_invocations"]);
    let (caller, _) = join(&mut r, STREAMING);
    register(&mut r, callee, 1, "{}", "com.upload");
    register(&mut r, lacking, 1, "{}", "com.old");
    // A callee without it (or without call canceling): feature_not_supported.
    assert_eq!(
        send(&mut r, caller, r#"[48,1,{"progress":true},"com.old"]"#),
        exp(&[(caller, r#"[8,48,1,{},"wamp.error.feature_not_supported"]"#)])
    );
    // Gaps stay violations.
    let out = r.handle(caller, msg(r#"[48,3,{},"com.upload"]"#));
    assert_violation(
        &out,
        caller,
        &Violation::NonSequentialRequest {
            expected: Id::new(2).unwrap(),
            got: Id::new(3).unwrap(),
        },
    );
    // A continuation naming another procedure is a violation.
    let (caller, _) = join(&mut r, STREAMING);
    send(&mut r, caller, r#"[48,1,{"progress":true},"com.upload"]"#);
    let out = r.handle(caller, msg(r#"[48,1,{"progress":true},"com.other"]"#));
    assert_violation(
        &out,
        caller,
        &Violation::InvalidContinuation { request: Id::MIN },
    );
    // Its callee is told it left.
    assert!(show(&out).contains(&(callee.0, r#"[69,1,{"mode":"killnowait"}]"#.into())));
    // A caller that did not announce it: protocol violation.
    let (plain, _) = join(&mut r, &[]);
    let out = r.handle(plain, msg(r#"[48,1,{"progress":true},"com.upload"]"#));
    assert_violation(
        &out,
        plain,
        &Violation::NotNegotiated {
            message: MessageType::CALL,
            feature: "progressive_call_invocations",
        },
    );
}

#[test]
fn registration_revocation() {
    let mut r = router();
    let (told, told_id) = join(&mut r, &["registration_revocation", "shared_registration"]);
    let (silent, silent_id) = join(&mut r, &["shared_registration"]);
    let (watcher, _) = join(&mut r, &[]);
    let (caller, _) = join(&mut r, &[]);
    send(
        &mut r,
        watcher,
        r#"[32,1,{},"wamp.registration.on_unregister"]"#,
    );
    send(
        &mut r,
        watcher,
        r#"[32,2,{},"wamp.registration.on_delete"]"#,
    );
    let reg = register(&mut r, told, 1, r#"{"invoke":"first"}"#, "com.x");
    register(&mut r, silent, 1, r#"{"invoke":"first"}"#, "com.x");
    let out = show(&r.revoke_registration(Id::new(reg).unwrap(), "moved"));
    let sub = |o: &(u64, String)| o.1.split(',').nth(1).unwrap().to_owned();
    assert_eq!(
        out,
        vec![
            (
                told.0,
                format!(r#"[67,0,{{"reason":"moved","registration":{reg}}}]"#)
            ),
            (
                watcher.0,
                format!(r#"[36,{},"P",{{}},[{told_id},{reg}]]"#, sub(&out[1]))
            ),
            (
                watcher.0,
                format!(r#"[36,{},"P",{{}},[{silent_id},{reg}]]"#, sub(&out[2]))
            ),
            (
                watcher.0,
                format!(r#"[36,{},"P",{{}},[{silent_id},{reg}]]"#, sub(&out[3]))
            ),
        ]
    );
    assert!(
        r.revoke_registration(Id::new(reg).unwrap(), "again")
            .is_empty()
    );
    assert_eq!(
        send(&mut r, caller, r#"[48,1,{},"com.x"]"#),
        exp(&[(caller, r#"[8,48,1,{},"wamp.error.no_such_procedure"]"#)])
    );
    // The revoked callee's UNREGISTER now fails.
    assert_eq!(
        send(&mut r, told, &format!("[66,2,{reg}]")),
        exp(&[(told, r#"[8,66,2,{},"wamp.error.no_such_registration"]"#)])
    );
}

/// Crossbar's `wamp.registration.remove_callee`: one callee of a shared registration is
/// revoked (told only if it announced registration_revocation), the others keep it; unknown
/// registrations and sessions that are not callees get `wamp.error.no_such_registration`.
#[test]
fn remove_callee_revokes_one_callee() {
    let mut r = router();
    let (told, told_id) = join(&mut r, &["registration_revocation", "shared_registration"]);
    let (silent, silent_id) = join(&mut r, &["shared_registration"]);
    let (admin, admin_id) = join(&mut r, &[]);
    send(
        &mut r,
        admin,
        r#"[32,1,{},"wamp.registration.on_unregister"]"#,
    );
    send(&mut r, admin, r#"[32,2,{},"wamp.registration.on_delete"]"#);
    let reg = register(&mut r, told, 1, r#"{"invoke":"roundrobin"}"#, "com.x");
    register(&mut r, silent, 1, r#"{"invoke":"roundrobin"}"#, "com.x");
    let sub = |o: &(u64, String)| o.1.split(',').nth(1).unwrap().to_owned();

    let out = send(
        &mut r,
        admin,
        &format!(
            r#"[48,3,{{}},"wamp.registration.remove_callee",[{reg},{told_id}],{{"reason":"com.moved"}}]"#
        ),
    );
    assert_eq!(
        out,
        vec![
            (
                told.0,
                format!(r#"[67,0,{{"reason":"com.moved","registration":{reg}}}]"#)
            ),
            (
                admin.0,
                format!(r#"[36,{},"P",{{}},[{told_id},{reg}]]"#, sub(&out[1]))
            ),
            (admin.0, "[50,3,{}]".to_owned()),
        ]
    );
    // Every call now goes to the remaining callee.
    for request in [4, 5] {
        let out = send(&mut r, admin, &format!(r#"[48,{request},{{}},"com.x"]"#));
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].0, silent.0, "{out:?}");
    }
    let refused = |request: u64, who: Id| {
        vec![(
            admin.0,
            format!(
                r#"[8,48,{request},{{}},"wamp.error.no_such_registration",["session {who} is not a callee of registration {reg}"]]"#
            ),
        )]
    };
    let remove = |request: u64, registration: u64, who: Id| {
        format!(r#"[48,{request},{{}},"wamp.registration.remove_callee",[{registration},{who}]]"#)
    };
    let admin_sid = Id::new(admin_id).unwrap();
    let told_sid = Id::new(told_id).unwrap();
    assert_eq!(
        send(&mut r, admin, &remove(6, reg, told_sid)),
        refused(6, told_sid)
    );
    assert_eq!(
        send(&mut r, admin, &remove(7, reg, admin_sid)),
        refused(7, admin_sid)
    );

    // The last callee, which did not announce revocation: removed silently, and the
    // registration is deleted.
    let out = send(&mut r, admin, &remove(8, reg, Id::new(silent_id).unwrap()));
    assert_eq!(
        out,
        vec![
            (
                admin.0,
                format!(r#"[36,{},"P",{{}},[{silent_id},{reg}]]"#, sub(&out[0]))
            ),
            (
                admin.0,
                format!(r#"[36,{},"P",{{}},[{silent_id},{reg}]]"#, sub(&out[1]))
            ),
            (admin.0, "[50,8,{}]".to_owned()),
        ]
    );
    assert_ne!(sub(&out[0]), sub(&out[1]), "on_unregister, then on_delete");
    let out = send(&mut r, admin, &remove(9, reg, told_sid));
    assert!(
        out[0].1.starts_with(&format!(
            r#"[8,48,9,{{}},"wamp.error.no_such_registration",["no registration {reg}"]"#
        )),
        "{out:?}"
    );
    assert_eq!(
        send(&mut r, admin, r#"[48,10,{},"com.x"]"#),
        exp(&[(admin, r#"[8,48,10,{},"wamp.error.no_such_procedure"]"#)])
    );
}

#[test]
fn registration_meta_events() {
    let mut r = router();
    let (watcher, _) = join(&mut r, &[]);
    let mut subs = Vec::new();
    for (i, topic) in ["on_create", "on_register", "on_unregister", "on_delete"]
        .iter()
        .enumerate()
    {
        let out = send(
            &mut r,
            watcher,
            &format!(r#"[32,{},{{}},"wamp.registration.{topic}"]"#, i + 1),
        );
        subs.push(out[0].1.split([',', ']']).nth(2).unwrap().to_owned());
    }
    let (a, a_id) = join(&mut r, &[]);
    let (b, b_id) = join(&mut r, &[]);
    let out = send(
        &mut r,
        a,
        r#"[64,1,{"invoke":"roundrobin","match":"prefix"},"com.p"]"#,
    );
    let reg = out[0]
        .1
        .trim_end_matches(']')
        .rsplit(',')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        out[1..],
        exp(&[
            (
                watcher,
                &format!(
                    r#"[36,{},"P",{{}},[{a_id},{{"id":{reg},"invoke":"roundrobin","match":"prefix","uri":"com.p"}}]]"#,
                    subs[0]
                )
            ),
            (
                watcher,
                &format!(r#"[36,{},"P",{{}},[{a_id},{reg}]]"#, subs[1])
            ),
        ])[..]
    );
    let out = send(
        &mut r,
        b,
        r#"[64,1,{"invoke":"roundrobin","match":"prefix"},"com.p"]"#,
    );
    assert_eq!(
        out,
        exp(&[
            (b, &format!("[65,1,{reg}]")),
            (
                watcher,
                &format!(r#"[36,{},"P",{{}},[{b_id},{reg}]]"#, subs[1])
            ),
        ])
    );
    assert_eq!(
        send(&mut r, a, &format!("[66,2,{reg}]")),
        exp(&[
            (a, "[67,2]"),
            (
                watcher,
                &format!(r#"[36,{},"P",{{}},[{a_id},{reg}]]"#, subs[2])
            ),
        ])
    );
    // The last callee leaving (here: its session ending) deletes the registration.
    assert_eq!(
        show(&r.close(b)),
        exp(&[
            (
                watcher,
                &format!(r#"[36,{},"P",{{}},[{b_id},{reg}]]"#, subs[2])
            ),
            (
                watcher,
                &format!(r#"[36,{},"P",{{}},[{b_id},{reg}]]"#, subs[3])
            ),
        ])
    );
}

#[test]
fn registration_meta_procedures() {
    let mut r = router();
    let (callee, callee_id) = join(&mut r, &[]);
    let (other, other_id) = join(&mut r, &[]);
    let (caller, _) = join(&mut r, &[]);
    let exact = register(&mut r, callee, 1, "{}", "com.e");
    let prefix = register(
        &mut r,
        callee,
        2,
        r#"{"match":"prefix","invoke":"last"}"#,
        "com",
    );
    register(
        &mut r,
        other,
        1,
        r#"{"match":"prefix","invoke":"last"}"#,
        "com",
    );
    let wild = register(&mut r, callee, 3, r#"{"match":"wildcard"}"#, "com..x");
    let calls = [
        (
            r#""wamp.registration.list""#,
            format!(r#"[{{"exact":[{exact}],"prefix":[{prefix}],"wildcard":[{wild}]}}]"#),
        ),
        (
            r#""wamp.registration.lookup",["com.e"]"#,
            format!("[{exact}]"),
        ),
        (r#""wamp.registration.lookup",["com"]"#, "[null]".into()),
        (
            r#""wamp.registration.lookup",["com",{"match":"prefix"}]"#,
            format!("[{prefix}]"),
        ),
        (
            r#""wamp.registration.match",["com.e"]"#,
            format!("[{exact}]"),
        ),
        (
            r#""wamp.registration.match",["com.y.x"]"#,
            format!("[{prefix}]"),
        ),
        (r#""wamp.registration.match",["org.y"]"#, "[null]".into()),
        (
            &format!(r#""wamp.registration.get",[{wild}]"#),
            format!(r#"[{{"id":{wild},"invoke":"single","match":"wildcard","uri":"com..x"}}]"#),
        ),
        (
            &format!(r#""wamp.registration.list_callees",[{prefix}]"#),
            format!("[[{callee_id},{other_id}]]"),
        ),
        (
            &format!(r#""wamp.registration.count_callees",[{prefix}]"#),
            "[2]".into(),
        ),
    ]
    .map(|(a, b)| (a.to_string(), b));
    for (i, (call, result)) in calls.iter().enumerate() {
        let request = i + 1;
        assert_eq!(
            send(&mut r, caller, &format!("[48,{request},{{}},{call}]")),
            exp(&[(caller, &format!("[50,{request},{{}},{result}]"))]),
            "{call}"
        );
    }
    let errors = [
        (
            r#""wamp.registration.get",[12345]"#,
            "wamp.error.no_such_registration",
        ),
        (
            r#""wamp.registration.count_callees",[7]"#,
            "wamp.error.no_such_registration",
        ),
        (
            r#""wamp.registration.get",["x"]"#,
            "wamp.error.invalid_argument",
        ),
        (
            r#""wamp.registration.lookup",[]"#,
            "wamp.error.invalid_argument",
        ),
        (
            r#""wamp.registration.nope""#,
            "wamp.error.no_such_procedure",
        ),
        (r#""wamp.nothing""#, "wamp.error.no_such_procedure"),
    ];
    for (i, (call, error)) in errors.iter().enumerate() {
        let request = calls.len() + i + 1;
        // The error URI, then (for the router's own procedures) a readable message.
        let out = send(&mut r, caller, &format!("[48,{request},{{}},{call}]"));
        assert_eq!(out.len(), 1, "{call}: {out:?}");
        assert_eq!(out[0].0, caller.0, "{call}");
        let head = format!(r#"[8,48,{request},{{}},"{error}""#);
        assert!(out[0].1.starts_with(&head), "{call}: {out:?}");
    }
}
