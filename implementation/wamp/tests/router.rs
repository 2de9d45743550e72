//! Router (basic profile): realms, sessions, broker, dealer, ID scopes and every protocol
//! violation, driven message by message without I/O.

use std::path::Path;

use ampel_wamp::pattern::{MatchPolicy, Pattern};
use ampel_wamp::router::{
    Output, PeerId, PermissionRule, Permissions, Phase, Role, Router, RouterConfig, Violation,
};
use ampel_wamp::{Id, Json, Message, MessageType, Serialization, Serializer, Uri, Value};
use rand::SeedableRng;
use rand::rngs::StdRng;

fn router() -> Router<StdRng> {
    Router::new(RouterConfig::default(), StdRng::seed_from_u64(1))
}

fn msg(json: &str) -> Message {
    Json.decode(json.as_bytes())
        .unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn text(m: &Message) -> String {
    String::from_utf8(Json.encode(m).unwrap()).unwrap()
}

/// Outputs as `(peer, JSON)` pairs, closes as `(peer, "CLOSE")`.
fn show(out: &[Output]) -> Vec<(u64, String)> {
    out.iter()
        .map(|o| match o {
            Output::Send { to, message } => (to.0, text(message)),
            Output::Close { peer, .. } => (peer.0, "CLOSE".to_string()),
            Output::StartTimer { timer, after } => (0, format!("TIMER {} {after:?}", timer.0)),
        })
        .collect()
}

fn send(r: &mut Router<StdRng>, peer: PeerId, json: &str) -> Vec<(u64, String)> {
    show(&r.handle(peer, msg(json)))
}

fn join(r: &mut Router<StdRng>) -> (PeerId, Id) {
    let peer = r.open();
    let out = r.handle(
        peer,
        msg(r#"[1,"realm1",{"roles":{"caller":{},"callee":{},"publisher":{},"subscriber":{}}}]"#),
    );
    match &out[..] {
        [
            Output::Send {
                to,
                message: Message::Welcome(w),
            },
        ] if *to == peer => {
            assert_eq!(r.session_id(peer), Some(w.session));
            (peer, w.session)
        }
        other => panic!("no WELCOME: {other:?}"),
    }
}

#[test]
fn welcome_carries_a_random_session_id_and_router_roles() {
    let mut r = router();
    let peer = r.open();
    let out = r.handle(peer, msg(r#"[1,"realm1",{"roles":{"subscriber":{}}}]"#));
    let [
        Output::Send {
            message: Message::Welcome(w),
            ..
        },
    ] = &out[..]
    else {
        panic!("{out:?}")
    };
    let roles = w.details["roles"].as_dict().unwrap();
    assert!(roles.contains_key("broker") && roles.contains_key("dealer"));
    assert_eq!(w.details["realm"], Value::from("realm1"));
    assert_eq!(w.details["authmethod"], Value::from("anonymous"));
    // Global scope: random, distinct, spread over the range (not 1, 2, 3…).
    let ids: Vec<u64> = (0..50).map(|_| join(&mut r).1.get()).collect();
    let distinct: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len());
    assert!(ids.iter().any(|id| *id > 1 << 40), "{ids:?}");
}

#[test]
fn hello_refusals() {
    let mut r = router();
    let cases = [
        (
            r#"[1,"nope",{"roles":{"caller":{}}}]"#,
            "wamp.error.no_such_realm",
        ),
        (
            r#"[1,"bad realm",{"roles":{"caller":{}}}]"#,
            "wamp.error.invalid_uri",
        ),
        (
            r#"[1,"realm1",{"roles":{"caller":{}},"authmethods":["ticket"]}]"#,
            "wamp.error.no_matching_auth_method",
        ),
    ];
    for (hello, reason) in cases {
        let peer = r.open();
        let out = r.handle(peer, msg(hello));
        assert!(
            matches!(&out[..], [Output::Send { message: Message::Abort(a), .. }] if a.reason.as_str() == reason),
            "{hello}: {out:?}"
        );
        // ABORT closes the attempt, not the transport: a valid HELLO may follow.
        assert!(matches!(
            &r.handle(peer, msg(r#"[1,"realm1",{"roles":{"caller":{}}}]"#))[..],
            [Output::Send {
                message: Message::Welcome(_),
                ..
            }]
        ));
    }
    let mut auto = Router::new(
        RouterConfig {
            auto_create_realms: true,
            ..RouterConfig::default()
        },
        StdRng::seed_from_u64(2),
    );
    let peer = auto.open();
    assert!(matches!(
        &auto.handle(peer, msg(r#"[1,"com.any",{"roles":{"caller":{}}}]"#))[..],
        [Output::Send {
            message: Message::Welcome(_),
            ..
        }]
    ));
}

#[test]
fn pubsub() {
    let mut r = router();
    let (a, _) = join(&mut r);
    let (b, _) = join(&mut r);
    let (p, _) = join(&mut r);
    let out = send(&mut r, a, r#"[32,1,{},"com.t"]"#);
    let sub = match &r.handle(b, msg(r#"[32,1,{},"com.t"]"#))[..] {
        [
            Output::Send {
                message: Message::Subscribed(s),
                ..
            },
        ] => s.subscription,
        other => panic!("{other:?}"),
    };
    // The same topic gives every subscriber the same subscription ID (router scope).
    assert_eq!(out, vec![(a.0, format!("[33,1,{sub}]"))]);
    // A duplicate SUBSCRIBE by the same session returns the same ID.
    assert_eq!(
        send(&mut r, a, r#"[32,2,{},"com.t"]"#),
        vec![(a.0, format!("[33,2,{sub}]"))]
    );

    // Without acknowledge: EVENTs only, same publication ID for all subscribers.
    let out = r.handle(p, msg(r#"[16,1,{},"com.t",["hi"],{"k":1}]"#));
    let pubs: Vec<(PeerId, Id)> = out
        .iter()
        .map(|o| match o {
            Output::Send {
                to,
                message: Message::Event(e),
            } => {
                assert_eq!(e.subscription, sub);
                assert_eq!(
                    e.payload,
                    ampel_wamp::Payload::ArgsKw(
                        vec![Value::from("hi")],
                        [("k".to_string(), Value::UInt(1))].into()
                    )
                );
                (*to, e.publication)
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(pubs.iter().map(|x| x.0).collect::<Vec<_>>(), vec![a, b]);
    assert_eq!(pubs[0].1, pubs[1].1);

    // With acknowledge: PUBLISHED carries the same publication ID as the EVENTs.
    let out = r.handle(p, msg(r#"[16,2,{"acknowledge":true},"com.t"]"#));
    let publication = match out.last() {
        Some(Output::Send {
            to,
            message: Message::Published(x),
        }) if *to == p && x.request.get() == 2 => x.publication,
        other => panic!("{other:?}"),
    };
    assert!(out.iter().take(2).all(|o| matches!(o, Output::Send { message: Message::Event(e), .. } if e.publication == publication)));

    // The publisher is excluded by default, included with exclude_me:false.
    assert_eq!(
        send(&mut r, a, r#"[16,3,{},"com.t"]"#)
            .iter()
            .map(|x| x.0)
            .collect::<Vec<_>>(),
        vec![b.0]
    );
    assert_eq!(
        send(&mut r, a, r#"[16,4,{"exclude_me":false},"com.t"]"#)
            .iter()
            .map(|x| x.0)
            .collect::<Vec<_>>(),
        vec![a.0, b.0]
    );

    // UNSUBSCRIBE, then no more EVENTs for that session; unknown subscription is an ERROR.
    assert_eq!(
        send(&mut r, b, &format!("[34,2,{sub}]")),
        vec![(b.0, "[35,2]".to_string())]
    );
    assert_eq!(
        send(&mut r, p, r#"[16,3,{},"com.t"]"#)
            .iter()
            .map(|x| x.0)
            .collect::<Vec<_>>(),
        vec![a.0]
    );
    assert_eq!(
        send(&mut r, b, &format!("[34,3,{sub}]")),
        vec![(
            b.0,
            r#"[8,34,3,{},"wamp.error.no_such_subscription"]"#.to_string()
        )]
    );
}

#[test]
fn pubsub_errors() {
    let mut r = router();
    let (a, _) = join(&mut r);
    let cases = [
        (
            r#"[32,1,{},"com..t"]"#,
            r#"[8,32,1,{},"wamp.error.invalid_uri"]"#,
        ),
        (
            r#"[32,2,{"match":"prefix"},"com..t"]"#,
            r#"[8,32,2,{},"wamp.error.invalid_uri"]"#,
        ),
        (
            r#"[16,3,{"acknowledge":true},"com t"]"#,
            r#"[8,16,3,{},"wamp.error.invalid_uri"]"#,
        ),
        (
            r#"[16,4,{"acknowledge":true},"wamp.session.on_join"]"#,
            r#"[8,16,4,{},"wamp.error.invalid_uri"]"#,
        ),
        (
            r#"[34,5,12345]"#,
            r#"[8,34,5,{},"wamp.error.no_such_subscription"]"#,
        ),
    ];
    for (req, reply) in cases {
        assert_eq!(
            send(&mut r, a, req),
            vec![(a.0, reply.to_string())],
            "{req}"
        );
    }
    // An unacknowledged PUBLISH to an invalid topic is dropped silently (ERROR needs acknowledge).
    assert!(send(&mut r, a, r#"[16,6,{},"com..t"]"#).is_empty());
    // Subscribing to the reserved namespace is allowed (meta events).
    assert!(
        send(&mut r, a, r#"[32,7,{},"wamp.session.on_join"]"#)[0]
            .1
            .starts_with("[33,7,")
    );
}

fn register(r: &mut Router<StdRng>, callee: PeerId, request: u64, procedure: &str) -> Id {
    match &r.handle(
        callee,
        msg(&format!(r#"[64,{request},{{}},"{procedure}"]"#)),
    )[..]
    {
        [
            Output::Send {
                message: Message::Registered(x),
                ..
            },
        ] => x.registration,
        other => panic!("{other:?}"),
    }
}

#[test]
fn rpc() {
    let mut r = router();
    let (callee, _) = join(&mut r);
    let (caller, _) = join(&mut r);
    let reg = register(&mut r, callee, 1, "com.add");
    assert_eq!(
        send(&mut r, caller, r#"[64,1,{},"com.add"]"#),
        vec![(
            caller.0,
            r#"[8,64,1,{},"wamp.error.procedure_already_exists"]"#.into()
        )]
    );

    // INVOCATION request IDs are session scope for the callee: 1, 2, …
    assert_eq!(
        send(&mut r, caller, r#"[48,2,{},"com.add",[1,2]]"#),
        vec![(callee.0, format!("[68,1,{reg},{{}},[1,2]]"))]
    );
    assert_eq!(
        send(&mut r, caller, r#"[48,3,{},"com.add",[],{"x":1}]"#),
        vec![(callee.0, format!(r#"[68,2,{reg},{{}},[],{{"x":1}}]"#))]
    );
    // Answers in any order; YIELD → RESULT, ERROR(INVOCATION) → ERROR(CALL) unchanged.
    assert_eq!(
        send(
            &mut r,
            callee,
            r#"[8,68,2,{},"com.err",["why"],{"k":true}]"#
        ),
        vec![(
            caller.0,
            r#"[8,48,3,{},"com.err",["why"],{"k":true}]"#.into()
        )]
    );
    assert_eq!(
        send(&mut r, callee, r#"[70,1,{},[3]]"#),
        vec![(caller.0, "[50,2,{},[3]]".into())]
    );

    assert_eq!(
        send(&mut r, caller, r#"[48,4,{},"com.nothing"]"#),
        vec![(
            caller.0,
            r#"[8,48,4,{},"wamp.error.no_such_procedure"]"#.into()
        )]
    );
    assert_eq!(
        send(&mut r, caller, r#"[48,5,{},"com..bad"]"#),
        vec![(caller.0, r#"[8,48,5,{},"wamp.error.invalid_uri"]"#.into())]
    );
    assert_eq!(
        send(&mut r, caller, r#"[64,6,{},"wamp.session.count"]"#),
        vec![(caller.0, r#"[8,64,6,{},"wamp.error.invalid_uri"]"#.into())]
    );
    assert_eq!(
        send(
            &mut r,
            caller,
            r#"[64,7,{"invoke":"roundrobin"},"com.add"]"#
        ),
        vec![(
            caller.0,
            r#"[8,64,7,{},"wamp.error.procedure_already_exists"]"#.into()
        )]
    );
    assert_eq!(
        send(&mut r, caller, &format!("[66,8,{reg}]")),
        vec![(
            caller.0,
            r#"[8,66,8,{},"wamp.error.no_such_registration"]"#.into()
        )]
    );
    assert_eq!(
        send(&mut r, callee, &format!("[66,2,{reg}]")),
        vec![(callee.0, "[67,2]".into())]
    );
    assert_eq!(
        send(&mut r, caller, r#"[48,9,{},"com.add"]"#),
        vec![(
            caller.0,
            r#"[8,48,9,{},"wamp.error.no_such_procedure"]"#.into()
        )]
    );
}

#[test]
fn callee_leaving_mid_call_cancels_and_caller_leaving_orphans() {
    let mut r = router();
    let (callee, _) = join(&mut r);
    let (caller, _) = join(&mut r);
    register(&mut r, callee, 1, "com.slow");
    send(&mut r, caller, r#"[48,1,{},"com.slow"]"#);
    assert_eq!(
        show(&r.close(callee)),
        vec![(caller.0, r#"[8,48,1,{},"wamp.error.canceled"]"#.into())]
    );
    // The registration went with the callee.
    assert_eq!(
        send(&mut r, caller, r#"[48,2,{},"com.slow"]"#)[0].1,
        r#"[8,48,2,{},"wamp.error.no_such_procedure"]"#
    );

    let (callee, _) = join(&mut r);
    register(&mut r, callee, 1, "com.slow");
    send(&mut r, caller, r#"[48,3,{},"com.slow"]"#);
    assert!(r.close(caller).is_empty());
    // The late YIELD is legitimate (the invocation existed) and goes nowhere.
    assert!(send(&mut r, callee, "[70,1,{}]").is_empty());
    // …but a second YIELD for it is a violation.
    let out = r.handle(callee, msg("[70,1,{}]"));
    assert!(matches!(
        out.last(),
        Some(Output::Close {
            reason: Violation::UnknownInvocation { .. },
            ..
        })
    ));
}

#[test]
fn goodbye_ends_the_session_and_a_new_one_may_follow() {
    let mut r = router();
    let (a, first) = join(&mut r);
    let (p, _) = join(&mut r);
    send(&mut r, a, r#"[32,1,{},"com.t"]"#);
    assert_eq!(
        send(&mut r, a, r#"[6,{},"wamp.close.close_realm"]"#),
        vec![(a.0, r#"[6,{},"wamp.close.goodbye_and_out"]"#.into())]
    );
    assert_eq!(r.session_id(a), None);
    // The subscription was disposed.
    assert!(send(&mut r, p, r#"[16,1,{},"com.t"]"#).is_empty());
    // Same transport, new session, request IDs from 1 again.
    let out = r.handle(a, msg(r#"[1,"realm1",{"roles":{"subscriber":{}}}]"#));
    assert!(
        matches!(&out[..], [Output::Send { message: Message::Welcome(w), .. }] if w.session != first)
    );
    assert!(
        send(&mut r, a, r#"[32,1,{},"com.t"]"#)[0]
            .1
            .starts_with("[33,1,")
    );
    // ABORT from a client ends its session without a reply.
    assert!(send(&mut r, a, r#"[3,{},"wamp.close.system_shutdown"]"#).is_empty());
    assert_eq!(r.session_id(a), None);
}

/// Messages sent after joining, and the violation the last one must cause.
fn violation_cases() -> Vec<(bool, Vec<&'static str>, Violation)> {
    let id = |n| Id::new(n).unwrap();
    vec![
        (
            false,
            vec![r#"[32,1,{},"com.t"]"#],
            Violation::WrongState {
                message: MessageType::SUBSCRIBE,
                phase: Phase::AwaitingHello,
            },
        ),
        (
            false,
            vec![r#"[6,{},"wamp.close.close_realm"]"#],
            Violation::WrongState {
                message: MessageType::GOODBYE,
                phase: Phase::AwaitingHello,
            },
        ),
        (
            false,
            vec![r#"[5,"sig",{}]"#],
            Violation::WrongState {
                message: MessageType::AUTHENTICATE,
                phase: Phase::AwaitingHello,
            },
        ),
        (
            true,
            vec![r#"[1,"realm1",{"roles":{"caller":{}}}]"#],
            Violation::WrongState {
                message: MessageType::HELLO,
                phase: Phase::Established,
            },
        ),
        (
            true,
            vec![r#"[5,"sig",{}]"#],
            Violation::WrongState {
                message: MessageType::AUTHENTICATE,
                phase: Phase::Established,
            },
        ),
        (
            true,
            vec![r#"[2,5,{"roles":{"broker":{}}}]"#],
            Violation::WrongDirection {
                message: MessageType::WELCOME,
            },
        ),
        (
            true,
            vec![r#"[4,"ticket",{}]"#],
            Violation::WrongDirection {
                message: MessageType::CHALLENGE,
            },
        ),
        (
            true,
            vec!["[33,1,5]"],
            Violation::WrongDirection {
                message: MessageType::SUBSCRIBED,
            },
        ),
        (
            true,
            vec!["[36,1,2,{}]"],
            Violation::WrongDirection {
                message: MessageType::EVENT,
            },
        ),
        (
            true,
            vec!["[50,1,{}]"],
            Violation::WrongDirection {
                message: MessageType::RESULT,
            },
        ),
        (
            true,
            vec!["[68,1,2,{}]"],
            Violation::WrongDirection {
                message: MessageType::INVOCATION,
            },
        ),
        (
            true,
            vec!["[69,1,{}]"],
            Violation::WrongDirection {
                message: MessageType::INTERRUPT,
            },
        ),
        (
            true,
            vec!["[337,1]"],
            Violation::UnknownType {
                message: MessageType(337),
            },
        ),
        (
            true,
            vec![r#"[32,2,{},"com.t"]"#],
            Violation::NonSequentialRequest {
                expected: id(1),
                got: id(2),
            },
        ),
        (
            true,
            vec![r#"[32,1,{},"com.t"]"#, r#"[48,1,{},"com.p"]"#],
            Violation::NonSequentialRequest {
                expected: id(2),
                got: id(1),
            },
        ),
        (
            true,
            vec!["[70,1,{}]"],
            Violation::UnknownInvocation {
                message: MessageType::YIELD,
                request: id(1),
            },
        ),
        (
            true,
            vec![r#"[8,68,1,{},"com.e"]"#],
            Violation::UnknownInvocation {
                message: MessageType::ERROR,
                request: id(1),
            },
        ),
        (
            true,
            vec![r#"[8,48,1,{},"com.e"]"#],
            Violation::InvalidErrorType {
                request_type: MessageType::CALL,
            },
        ),
        (
            true,
            vec![r#"[48,1,{"progress":true},"com.p"]"#],
            Violation::NotNegotiated {
                message: MessageType::CALL,
                feature: "progressive_call_invocations",
            },
        ),
        (
            true,
            vec![r#"[70,1,{"progress":true}]"#],
            Violation::UnknownInvocation {
                message: MessageType::YIELD,
                request: id(1),
            },
        ),
        (
            true,
            vec![r#"[16,1,{"ppt_scheme":"x_a"},"com.t","\u0000AA=="]"#],
            Violation::NotNegotiated {
                message: MessageType::PUBLISH,
                feature: "payload_passthru_mode",
            },
        ),
    ]
}

fn assert_aborted(out: &[Output], peer: PeerId, expected: &Violation, what: &str) {
    match out {
        [
            ..,
            Output::Send {
                to,
                message: Message::Abort(a),
            },
            Output::Close {
                peer: closed,
                reason,
            },
        ] => {
            assert_eq!((*to, *closed), (peer, peer), "{what}");
            assert_eq!(a.reason.as_str(), "wamp.error.protocol_violation", "{what}");
            assert_eq!(reason, expected, "{what}");
            assert_eq!(
                a.details["message"],
                Value::from(expected.to_string()),
                "{what}"
            );
        }
        other => panic!("{what}: no ABORT + close: {other:?}"),
    }
}

#[test]
fn protocol_violations_abort_and_close() {
    for (joined, script, expected) in violation_cases() {
        let mut r = router();
        let (observer, _) = join(&mut r);
        let peer = if joined {
            let (peer, _) = join(&mut r);
            // A subscription that must be disposed of by the violation.
            assert!(
                send(&mut r, peer, r#"[32,1,{},"com.watch"]"#)[0]
                    .1
                    .starts_with("[33,1,")
            );
            peer
        } else {
            r.open()
        };
        let mut script = script.clone();
        // Request IDs in the scripts assume a fresh session; account for the SUBSCRIBE above.
        let renumbered: Vec<String> = script
            .drain(..)
            .map(|s| {
                if joined {
                    bump_request(s)
                } else {
                    s.to_string()
                }
            })
            .collect();
        let (last, before) = renumbered.split_last().unwrap();
        for m in before {
            r.handle(peer, msg(m));
        }
        let out = r.handle(peer, msg(last));
        let expected = bump_violation(expected, joined);
        assert_aborted(&out, peer, &expected, last);
        assert_eq!(r.session_id(peer), None);
        // Nothing is processed afterwards, and the session's subscription is gone.
        assert!(
            r.handle(peer, msg(r#"[32,3,{},"com.t"]"#)).is_empty(),
            "{last}"
        );
        assert!(
            send(&mut r, observer, r#"[16,1,{},"com.watch"]"#).is_empty(),
            "{last}"
        );
    }
}

/// The violation scripts number requests from 1; after the setup SUBSCRIBE they start at 2.
fn bump_request(json: &str) -> String {
    let m = msg(json);
    let bump = |id: Id| Id::new(id.get() + 1).unwrap();
    let m = match m {
        Message::Subscribe(mut x) => {
            x.request = bump(x.request);
            Message::Subscribe(x)
        }
        Message::Publish(mut x) => {
            x.request = bump(x.request);
            Message::Publish(x)
        }
        Message::Call(mut x) => {
            x.request = bump(x.request);
            Message::Call(x)
        }
        other => other,
    };
    text(&m)
}

fn bump_violation(v: Violation, joined: bool) -> Violation {
    match v {
        Violation::NonSequentialRequest { expected, got } if joined => {
            Violation::NonSequentialRequest {
                expected: Id::new(expected.get() + 1).unwrap(),
                got: Id::new(got.get() + 1).unwrap(),
            }
        }
        other => other,
    }
}

#[test]
fn undecodable_frames_abort_and_close() {
    let frames: &[&[u8]] = &[
        b"[]",
        b"[99]",
        b"{}",
        b"not json",
        b"[1,\"realm1\"]",
        b"[32,0,{},\"com.t\"]",
        b"[32,\"1\",{},\"com.t\"]",
        b"[32,9007199254740993,{},\"com.t\"]",
        b"[32,1,[],\"com.t\"]",
        b"[8,16,1,{},\"com.e\"]\x00",
        b"[8,49,1,{},\"com.e\"]",
    ];
    for frame in frames {
        let mut r = router();
        let (peer, _) = join(&mut r);
        let out = r.handle_frame(peer, Serialization::Json, frame);
        assert!(
            matches!(
                &out[..],
                [
                    Output::Send {
                        message: Message::Abort(_),
                        ..
                    },
                    Output::Close {
                        reason: Violation::Malformed(_),
                        ..
                    }
                ]
            ),
            "{}: {out:?}",
            String::from_utf8_lossy(frame)
        );
    }
}

#[test]
fn multisession_vector_publisher_exclusion_disabled() {
    // shared/wamp-vectors/multisession: one session subscribes, publishes with
    // exclude_me:false and receives its own EVENT. Router-assigned IDs are captured, and the
    // vector's request IDs (123, 789) are renumbered 1, 2 because this router enforces
    // session-scope sequencing.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/wamp-vectors/multisession/advanced/publisher_exclusion_disabled.json",
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let steps = doc["sequence"].as_array().unwrap();
    let mut r = router();
    let (peer, _) = join(&mut r);
    let mut next_request = 1;
    let mut subscription = None;
    let mut received = Vec::new();
    for step in steps {
        let m = &step["message"];
        match (step["from"].as_str().unwrap(), m["type"].as_str().unwrap()) {
            ("session_1", "SUBSCRIBE") => {
                let json = format!("[32,{next_request},{},{}]", m["options"], m["topic"]);
                next_request += 1;
                received.extend(r.handle(peer, msg(&json)));
            }
            ("session_1", "PUBLISH") => {
                let json = format!(
                    "[16,{next_request},{},{},{}]",
                    m["options"], m["topic"], m["args"]
                );
                next_request += 1;
                received.extend(r.handle(peer, msg(&json)));
            }
            ("router", "SUBSCRIBED") => match received.remove(0) {
                Output::Send {
                    message: Message::Subscribed(s),
                    ..
                } => subscription = Some(s.subscription),
                other => panic!("step {}: {other:?}", step["step"]),
            },
            ("router", "EVENT") => match received.remove(0) {
                Output::Send {
                    to,
                    message: Message::Event(e),
                } => {
                    assert_eq!(to, peer);
                    assert_eq!(Some(e.subscription), subscription);
                    assert_eq!(e.payload.args(), &[Value::from("Hello, world!")]);
                }
                other => panic!("step {}: {other:?}", step["step"]),
            },
            other => panic!("unexpected step {other:?}"),
        }
    }
    assert!(received.is_empty(), "{received:?}");
    assert_eq!(doc["expected_outcome"]["event_count"], 1);
}

#[test]
fn router_outputs_are_reproducible_from_the_seed() {
    let run = || {
        let mut r = router();
        let (a, _) = join(&mut r);
        send(&mut r, a, r#"[16,1,{"acknowledge":true},"com.t"]"#)
    };
    assert_eq!(run(), run());
}

#[test]
fn callee_violating_mid_call_cancels_the_call_after_its_close() {
    let mut r = router();
    let (callee, _) = join(&mut r);
    let (caller, _) = join(&mut r);
    register(&mut r, callee, 1, "com.p");
    send(&mut r, caller, r#"[48,1,{},"com.p"]"#);
    let out = send(&mut r, callee, "[70,9,{}]");
    assert_eq!(out.len(), 3, "{out:?}");
    assert_eq!(out[0].0, callee.0);
    assert!(out[0].1.contains("wamp.error.protocol_violation"));
    assert_eq!(out[1], (callee.0, "CLOSE".to_string()));
    assert_eq!(
        out[2],
        (caller.0, r#"[8,48,1,{},"wamp.error.canceled"]"#.to_string())
    );
}

/// A realm whose role may only subscribe and call: PUBLISH and REGISTER are refused with
/// `wamp.error.not_authorized` (an unacknowledged PUBLISH silently), nothing reaches anyone,
/// and the request IDs keep counting.
#[test]
fn realm_permissions_refuse_what_the_role_may_not_do() {
    let mut config = RouterConfig::default();
    let realm1 = config.realms.get_mut(&Uri::from("realm1")).unwrap();
    realm1.roles.insert(
        "anonymous".into(),
        Role {
            rules: vec![PermissionRule {
                pattern: Pattern {
                    uri: Uri::from(""),
                    policy: MatchPolicy::Prefix,
                },
                allow: Permissions {
                    publish: false,
                    subscribe: true,
                    call: true,
                    register: false,
                },
            }],
        },
    );
    let mut r = Router::new(config, StdRng::seed_from_u64(1));
    let (a, _) = join(&mut r);
    let subscribed = send(&mut r, a, r#"[32,1,{},"com.t"]"#);
    assert!(subscribed[0].1.starts_with("[33,1,"), "{subscribed:?}");
    assert_eq!(
        send(
            &mut r,
            a,
            r#"[16,2,{"acknowledge":true,"exclude_me":false},"com.t"]"#
        ),
        [(
            a.0,
            r#"[8,16,2,{},"wamp.error.not_authorized"]"#.to_string()
        )]
    );
    assert_eq!(
        send(&mut r, a, r#"[16,3,{"exclude_me":false},"com.t"]"#),
        []
    );
    assert_eq!(
        send(&mut r, a, r#"[64,4,{},"com.p"]"#),
        [(
            a.0,
            r#"[8,64,4,{},"wamp.error.not_authorized"]"#.to_string()
        )]
    );
    assert_eq!(
        send(&mut r, a, r#"[48,5,{},"com.p"]"#),
        [(
            a.0,
            r#"[8,48,5,{},"wamp.error.no_such_procedure"]"#.to_string()
        )]
    );
    // Other realms are not restricted.
    let mut open = router();
    let (b, _) = join(&mut open);
    assert!(
        send(&mut open, b, r#"[64,1,{},"com.p"]"#)[0]
            .1
            .starts_with("[65,1,")
    );
}
