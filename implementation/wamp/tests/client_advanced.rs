//! Client session, advanced profile: the HELLO announcement, progressive call results (both
//! roles), call canceling (CANCEL and INTERRUPT), revocations, pattern URIs and pass-through
//! options.

use ampel_wamp::client::{
    ANNOUNCED, CancelMode, ClientEvent, ClientSession, CommandError, SessionState, Violation,
};
use ampel_wamp::{Dict, Id, Json, Message, MessageType, Payload, Serializer, Uri, Value};

fn msg(json: &str) -> Message {
    Json.decode(json.as_bytes())
        .unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn id(n: u64) -> Id {
    Id::new(n).unwrap()
}

fn sent(s: &mut ClientSession) -> Vec<Message> {
    std::iter::from_fn(|| s.poll_transmit()).collect()
}

/// What the session queued, as JSON text (easy to compare with the spec's examples).
fn sent_json(s: &mut ClientSession) -> Vec<String> {
    sent(s)
        .iter()
        .map(|m| String::from_utf8(Json.encode(m).unwrap()).unwrap())
        .collect()
}

fn dict(json: &str) -> Dict {
    match msg(&format!("[36,1,1,{json}]")) {
        Message::Event(e) => e.details,
        other => panic!("{other:?}"),
    }
}

fn established() -> ClientSession {
    let mut s = ClientSession::new();
    s.hello(Uri::from("realm1"), Dict::new()).unwrap();
    sent(&mut s);
    s.handle(msg(r#"[2,77,{"roles":{"broker":{},"dealer":{}}}]"#))
        .unwrap();
    s
}

/// A session holding registration 600 (request 1).
fn callee() -> ClientSession {
    let mut s = established();
    s.register(Uri::from("com.p"), Dict::new()).unwrap();
    s.handle(msg("[65,1,600]")).unwrap();
    sent(&mut s);
    s
}

fn assert_aborted(s: &mut ClientSession) {
    assert_eq!(s.state(), SessionState::Failed);
    assert!(
        matches!(&sent(s)[..], [Message::Abort(a)] if a.reason.as_str() == "wamp.error.protocol_violation")
    );
}

#[test]
fn hello_announces_exactly_the_implemented_features() {
    let mut s = ClientSession::new();
    s.hello(Uri::from("realm1"), Dict::new()).unwrap();
    let [Message::Hello(hello)] = &sent(&mut s)[..] else {
        panic!("no HELLO")
    };
    let roles = hello.details["roles"].as_dict().unwrap();
    let announced = |role: &str| -> Vec<String> {
        let features = roles[role].as_dict().unwrap()["features"]
            .as_dict()
            .unwrap();
        assert!(features.values().all(|v| *v == Value::Bool(true)));
        features.keys().cloned().collect()
    };
    let sorted = |list: &[&str]| {
        let mut v: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
        v.sort();
        v
    };
    assert_eq!(
        announced("caller"),
        sorted(&[
            "call_canceling",
            "call_timeout",
            "caller_identification",
            "progressive_call_results"
        ])
    );
    assert_eq!(
        announced("callee"),
        sorted(&[
            "call_canceling",
            "caller_identification",
            "pattern_based_registration",
            "progressive_call_results",
            "registration_revocation",
            "shared_registration"
        ])
    );
    assert_eq!(
        announced("publisher"),
        sorted(&[
            "publisher_exclusion",
            "publisher_identification",
            "subscriber_blackwhite_listing"
        ])
    );
    assert_eq!(
        announced("subscriber"),
        sorted(&[
            "pattern_based_subscription",
            "publisher_identification",
            "subscription_revocation"
        ])
    );
    assert_eq!(roles.len(), ANNOUNCED.len());
}

#[test]
fn progressive_results_are_delivered_until_the_final_result() {
    let mut s = established();
    let options = dict(r#"{"receive_progress":true,"timeout":1500,"disclose_me":true}"#);
    let call = s
        .call(
            Uri::from("com.p"),
            options,
            Payload::Args(vec![Value::UInt(3)]),
        )
        .unwrap();
    assert_eq!(
        sent_json(&mut s),
        [r#"[48,1,{"disclose_me":true,"receive_progress":true,"timeout":1500},"com.p",[3]]"#]
    );
    for n in 1..=2 {
        let ev = s
            .handle(msg(&format!(r#"[50,1,{{"progress":true}},[{n}]]"#)))
            .unwrap();
        assert_eq!(
            ev,
            Some(ClientEvent::Progress {
                request: call,
                details: dict(r#"{"progress":true}"#),
                payload: Payload::Args(vec![Value::UInt(n)]),
            })
        );
    }
    // An empty progressive result is allowed too.
    assert!(matches!(
        s.handle(msg(r#"[50,1,{"progress":true}]"#)).unwrap(),
        Some(ClientEvent::Progress {
            payload: Payload::None,
            ..
        })
    ));
    assert!(matches!(
        s.handle(msg(r#"[50,1,{},["done"]]"#)).unwrap(),
        Some(ClientEvent::Result { request, .. }) if request == call
    ));
    // The call is over: a late progressive result answers nothing.
    assert_eq!(
        s.handle(msg(r#"[50,1,{"progress":true}]"#)),
        Err(Violation::UnknownRequest {
            message: MessageType::RESULT,
            request: call
        })
    );
    assert_aborted(&mut s);
}

#[test]
fn progressive_call_ends_with_error_too() {
    let mut s = established();
    s.call(
        Uri::from("com.p"),
        dict(r#"{"receive_progress":true}"#),
        Payload::None,
    )
    .unwrap();
    s.handle(msg(r#"[50,1,{"progress":true},[1]]"#)).unwrap();
    assert!(matches!(
        s.handle(msg(r#"[8,48,1,{},"com.failed"]"#)).unwrap(),
        Some(ClientEvent::Error { .. })
    ));
    assert!(matches!(
        s.cancel(id(1), CancelMode::Kill),
        Err(CommandError::NoSuchCall { .. })
    ));
}

#[test]
fn progress_without_receive_progress_is_a_violation() {
    let mut s = established();
    s.call(Uri::from("com.p"), Dict::new(), Payload::None)
        .unwrap();
    sent(&mut s);
    assert_eq!(
        s.handle(msg(r#"[50,1,{"progress":true},[1]]"#)),
        Err(Violation::UnrequestedProgress { request: id(1) })
    );
    assert_aborted(&mut s);

    // A progressive RESULT answering a SUBSCRIBE is a mismatch, as a final one would be.
    let mut s = established();
    s.subscribe(Uri::from("com.t"), Dict::new()).unwrap();
    sent(&mut s);
    assert_eq!(
        s.handle(msg(r#"[50,1,{"progress":true}]"#)),
        Err(Violation::ReplyMismatch {
            message: MessageType::RESULT,
            request: id(1),
            pending: MessageType::SUBSCRIBE
        })
    );
}

#[test]
fn cancel_sends_each_mode_and_the_call_ends_with_the_routers_answer() {
    for (mode, wire) in [
        (CancelMode::Skip, "skip"),
        (CancelMode::Kill, "kill"),
        (CancelMode::KillNoWait, "killnowait"),
    ] {
        let mut s = established();
        let call = s
            .call(Uri::from("com.p"), Dict::new(), Payload::None)
            .unwrap();
        sent(&mut s);
        s.cancel(call, mode).unwrap();
        assert_eq!(
            sent_json(&mut s),
            [format!(r#"[49,1,{{"mode":"{wire}"}}]"#)]
        );
        // Still pending: escalating is possible, and the final answer is matched.
        s.cancel(call, CancelMode::KillNoWait).unwrap();
        assert_eq!(sent(&mut s).len(), 1);
        let answer = if mode == CancelMode::Kill {
            // Under kill the callee may finish first: the caller gets its RESULT.
            r#"[50,1,{},[7]]"#
        } else {
            r#"[8,48,1,{},"wamp.error.canceled"]"#
        };
        assert!(s.handle(msg(answer)).unwrap().is_some());
        assert_eq!(
            s.cancel(call, mode),
            Err(CommandError::NoSuchCall { request: call })
        );
        assert!(sent(&mut s).is_empty());
    }
}

#[test]
fn cancel_refuses_what_is_not_a_pending_call() {
    let mut s = established();
    let sub = s.subscribe(Uri::from("com.t"), Dict::new()).unwrap();
    assert_eq!(
        s.cancel(sub, CancelMode::Skip),
        Err(CommandError::NoSuchCall { request: sub })
    );
    assert_eq!(
        s.cancel(id(9), CancelMode::Skip),
        Err(CommandError::NoSuchCall { request: id(9) })
    );
    assert_eq!(sent(&mut s).len(), 1, "only the SUBSCRIBE");
}

#[test]
fn callee_sends_progressive_yields_when_the_caller_asked() {
    let mut s = callee();
    let ev = s
        .handle(msg(r#"[68,1,600,{"receive_progress":true},[1]]"#))
        .unwrap();
    assert!(matches!(ev, Some(ClientEvent::Invocation(_))));
    s.yield_progress(id(1), Payload::Args(vec![Value::UInt(1)]))
        .unwrap();
    s.yield_progress(id(1), Payload::None).unwrap();
    s.yield_result(id(1), Dict::new(), Payload::Args(vec![Value::UInt(2)]))
        .unwrap();
    assert_eq!(
        sent_json(&mut s),
        [
            r#"[70,1,{"progress":true},[1]]"#,
            r#"[70,1,{"progress":true}]"#,
            r#"[70,1,{},[2]]"#
        ]
    );
    assert_eq!(
        s.yield_progress(id(1), Payload::None),
        Err(CommandError::NoSuchInvocation { request: id(1) })
    );

    // Without receive_progress only a final answer is possible.
    s.handle(msg(r#"[68,2,600,{}]"#)).unwrap();
    assert_eq!(
        s.yield_progress(id(2), Payload::None),
        Err(CommandError::ProgressNotRequested { request: id(2) })
    );
    let progress: Dict = dict(r#"{"progress":true}"#);
    assert_eq!(
        s.yield_result(id(2), progress, Payload::None),
        Err(CommandError::ProgressNotRequested { request: id(2) })
    );
    assert!(sent(&mut s).is_empty());
    s.yield_result(id(2), Dict::new(), Payload::None).unwrap();
    assert_eq!(sent(&mut s).len(), 1);
}

#[test]
fn interrupt_is_reported_and_killnowait_closes_the_invocation() {
    let mut s = callee();
    s.handle(msg(r#"[68,1,600,{}]"#)).unwrap();
    s.handle(msg(r#"[68,2,600,{}]"#)).unwrap();
    s.handle(msg(r#"[68,3,600,{}]"#)).unwrap();

    // kill: reported, the invocation stays open for our answer.
    assert_eq!(
        s.handle(msg(r#"[69,1,{"mode":"kill"}]"#)).unwrap(),
        Some(ClientEvent::Interrupt {
            request: id(1),
            mode: CancelMode::Kill,
            options: dict(r#"{"mode":"kill"}"#),
        })
    );
    s.yield_error(
        id(1),
        Uri::from("wamp.error.canceled"),
        Dict::new(),
        Payload::None,
    )
    .unwrap();
    assert_eq!(sent_json(&mut s), [r#"[8,68,1,{},"wamp.error.canceled"]"#]);

    // killnowait: reported, and no answer is possible any more.
    assert!(matches!(
        s.handle(msg(r#"[69,2,{"mode":"killnowait"}]"#)).unwrap(),
        Some(ClientEvent::Interrupt {
            mode: CancelMode::KillNoWait,
            ..
        })
    ));
    assert_eq!(
        s.yield_result(id(2), Dict::new(), Payload::None),
        Err(CommandError::NoSuchInvocation { request: id(2) })
    );

    // No mode: treated as kill, so the dealer is not left waiting for an answer.
    assert!(matches!(
        s.handle(msg(r#"[69,3,{}]"#)).unwrap(),
        Some(ClientEvent::Interrupt {
            mode: CancelMode::Kill,
            ..
        })
    ));
    s.yield_result(id(3), Dict::new(), Payload::None).unwrap();

    // INTERRUPT of an answered or unknown invocation (it crossed our answer): ignored.
    assert_eq!(s.handle(msg(r#"[69,1,{"mode":"kill"}]"#)).unwrap(), None);
    assert_eq!(s.handle(msg(r#"[69,99,{"mode":"kill"}]"#)).unwrap(), None);
    assert_eq!(s.state(), SessionState::Established);
    assert_eq!(sent(&mut s).len(), 1, "only the YIELD of invocation 3");
}

#[test]
fn interrupt_with_a_bad_mode_is_malformed() {
    let mut s = callee();
    s.handle(msg(r#"[68,1,600,{}]"#)).unwrap();
    let v = s
        .handle_frame(
            ampel_wamp::Serialization::Json,
            br#"[69,1,{"mode":"later"}]"#,
        )
        .unwrap_err();
    assert!(matches!(v, Violation::Malformed(_)), "{v:?}");
    assert_aborted(&mut s);
}

#[test]
fn registration_revocation_removes_the_registration() {
    let mut s = callee();
    assert_eq!(
        s.handle(msg(r#"[67,0,{"registration":600,"reason":"moved"}]"#))
            .unwrap(),
        Some(ClientEvent::RegistrationRevoked {
            registration: id(600),
            reason: Some("moved".into())
        })
    );
    assert_eq!(
        s.unregister(id(600)),
        Err(CommandError::Unknown {
            what: "registration",
            id: id(600)
        })
    );
    // An INVOCATION racing the revocation is refused like one for any unknown registration.
    assert_eq!(s.handle(msg(r#"[68,1,600,{}]"#)).unwrap(), None);
    assert!(
        matches!(&sent(&mut s)[..], [Message::Error(e)] if e.error.as_str() == "wamp.error.no_such_registration")
    );
    // A second revocation (or one of an ID we never held) is ignored.
    assert_eq!(
        s.handle(msg(r#"[67,0,{"registration":600}]"#)).unwrap(),
        None
    );
    assert_eq!(s.state(), SessionState::Established);
}

#[test]
fn revocation_crossing_our_unregister_keeps_the_reply_matched() {
    let mut s = callee();
    let unreg = s.unregister(id(600)).unwrap();
    assert!(matches!(
        s.handle(msg(r#"[67,0,{"registration":600}]"#)).unwrap(),
        Some(ClientEvent::RegistrationRevoked { reason: None, .. })
    ));
    // The dealer then answers our UNREGISTER (with ERROR, the registration being gone).
    assert!(matches!(
        s.handle(msg(r#"[8,66,2,{},"wamp.error.no_such_registration"]"#))
            .unwrap(),
        Some(ClientEvent::Error { request, .. }) if request == unreg
    ));
}

#[test]
fn subscription_revocation_removes_the_subscription() {
    let mut s = established();
    s.subscribe(Uri::from("com.t"), Dict::new()).unwrap();
    s.handle(msg("[33,1,500]")).unwrap();
    assert_eq!(
        s.handle(msg(r#"[35,0,{"subscription":500,"reason":"admin"}]"#))
            .unwrap(),
        Some(ClientEvent::SubscriptionRevoked {
            subscription: id(500),
            reason: Some("admin".into())
        })
    );
    // Later EVENTs on it are dropped; unsubscribing is refused.
    assert_eq!(s.handle(msg("[36,500,9,{}]")).unwrap(), None);
    assert!(matches!(
        s.unsubscribe(id(500)),
        Err(CommandError::Unknown { .. })
    ));
    assert_eq!(
        s.handle(msg(r#"[35,0,{"subscription":500}]"#)).unwrap(),
        None
    );
}

#[test]
fn pattern_uris_may_have_empty_components_only_with_match() {
    let mut s = established();
    let wildcard = dict(r#"{"match":"wildcard"}"#);
    s.subscribe(Uri::from("com..update"), wildcard.clone())
        .unwrap();
    s.register(Uri::from("com..get"), wildcard).unwrap();
    s.register(
        Uri::from("com.p."),
        dict(r#"{"match":"prefix","invoke":"roundrobin","disclose_caller":true}"#),
    )
    .unwrap();
    assert_eq!(
        sent_json(&mut s),
        [
            r#"[32,1,{"match":"wildcard"},"com..update"]"#,
            r#"[64,2,{"match":"wildcard"},"com..get"]"#,
            r#"[64,3,{"disclose_caller":true,"invoke":"roundrobin","match":"prefix"},"com.p."]"#
        ]
    );
    for exact in [Dict::new(), dict(r#"{"match":"exact"}"#)] {
        assert!(matches!(
            s.subscribe(Uri::from("com..update"), exact.clone()),
            Err(CommandError::InvalidUri { .. })
        ));
        assert!(matches!(
            s.register(Uri::from("com..get"), exact),
            Err(CommandError::InvalidUri { .. })
        ));
    }
    // Whitespace and '#' are refused even in patterns.
    assert!(matches!(
        s.subscribe(Uri::from("com.a b"), dict(r#"{"match":"prefix"}"#)),
        Err(CommandError::InvalidUri { .. })
    ));
}

#[test]
fn event_and_invocation_details_reach_the_application() {
    let mut s = callee();
    s.subscribe(
        Uri::from("com."),
        dict(r#"{"match":"prefix","get_retained":true}"#),
    )
    .unwrap();
    s.handle(msg("[33,2,500]")).unwrap();
    let details = r#"{"publisher":5,"publisher_authid":"a","publisher_authrole":"r","topic":"com.x","retained":true}"#;
    let Some(ClientEvent::Event(e)) = s.handle(msg(&format!("[36,500,9,{details}]"))).unwrap()
    else {
        panic!("no event")
    };
    assert_eq!(e.details, dict(details));
    let details = r#"{"caller":5,"caller_authid":"a","caller_authrole":"r","procedure":"com.p.x"}"#;
    let Some(ClientEvent::Invocation(inv)) =
        s.handle(msg(&format!("[68,1,600,{details}]"))).unwrap()
    else {
        panic!("no invocation")
    };
    assert_eq!(inv.details, dict(details));
}

#[test]
fn publish_options_pass_through() {
    let mut s = established();
    let options = dict(
        r#"{"exclude_me":false,"disclose_me":true,"retain":true,"exclude":[5],"exclude_authid":["a"],"exclude_authrole":["r"],"eligible":[6],"eligible_authid":["b"],"eligible_authrole":["q"]}"#,
    );
    s.publish(Uri::from("com.t"), options.clone(), Payload::None)
        .unwrap();
    let [Message::Publish(p)] = &sent(&mut s)[..] else {
        panic!()
    };
    assert_eq!(p.options, options);
}
