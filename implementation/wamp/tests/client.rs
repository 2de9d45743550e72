//! Client session state machine: lifecycle, request matching, violations.

use ampel_wamp::client::{ClientEvent, ClientSession, CommandError, SessionState, Violation};
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

fn established() -> ClientSession {
    let mut s = ClientSession::new();
    s.hello(Uri::from("realm1"), Dict::new()).unwrap();
    let hello = sent(&mut s);
    assert!(matches!(&hello[..], [Message::Hello(h)] if h.details.contains_key("roles")));
    let ev = s
        .handle(msg(r#"[2,77,{"roles":{"broker":{},"dealer":{}}}]"#))
        .unwrap();
    assert!(matches!(ev, Some(ClientEvent::Joined { session, .. }) if session == id(77)));
    assert_eq!(s.state(), SessionState::Established);
    s
}

fn assert_aborted(s: &mut ClientSession) {
    assert_eq!(s.state(), SessionState::Failed);
    let out = sent(s);
    assert!(
        matches!(&out[..], [Message::Abort(a)] if a.reason.as_str() == "wamp.error.protocol_violation"),
        "{out:?}"
    );
}

#[test]
fn request_ids_run_from_one_per_session_and_replies_match() {
    let mut s = established();
    let sub = s.subscribe(Uri::from("com.t"), Dict::new()).unwrap();
    let ack: Dict = [("acknowledge".to_string(), Value::Bool(true))].into();
    let publ = s.publish(Uri::from("com.t"), ack, Payload::None).unwrap();
    let fire = s
        .publish(Uri::from("com.t"), Dict::new(), Payload::None)
        .unwrap();
    let reg = s.register(Uri::from("com.p"), Dict::new()).unwrap();
    let call = s
        .call(
            Uri::from("com.p"),
            Dict::new(),
            Payload::Args(vec![Value::UInt(1)]),
        )
        .unwrap();
    assert_eq!([sub, publ, fire, reg, call].map(Id::get), [1, 2, 3, 4, 5]);
    assert_eq!(sent(&mut s).len(), 5);

    assert_eq!(
        s.handle(msg("[33,1,500]")).unwrap(),
        Some(ClientEvent::Subscribed {
            request: id(1),
            subscription: id(500)
        })
    );
    assert_eq!(
        s.handle(msg("[17,2,9]")).unwrap(),
        Some(ClientEvent::Published {
            request: id(2),
            publication: id(9)
        })
    );
    assert!(matches!(
        s.handle(msg("[65,4,600]")).unwrap(),
        Some(ClientEvent::Registered { .. })
    ));
    assert!(matches!(
        s.handle(msg(r#"[50,5,{},["r"]]"#)).unwrap(),
        Some(ClientEvent::Result { .. })
    ));
    assert!(matches!(
        s.handle(msg(r#"[36,500,9,{},[1]]"#)).unwrap(),
        Some(ClientEvent::Event(_))
    ));
    // EVENT for a subscription we do not hold is dropped, not a violation.
    assert_eq!(s.handle(msg("[36,501,9,{}]")).unwrap(), None);

    let unsub = s.unsubscribe(id(500)).unwrap();
    assert_eq!(unsub.get(), 6);
    assert_eq!(
        s.handle(msg("[35,6]")).unwrap(),
        Some(ClientEvent::Unsubscribed { request: id(6) })
    );
    assert_eq!(
        s.unsubscribe(id(500)),
        Err(CommandError::Unknown {
            what: "subscription",
            id: id(500)
        })
    );
}

#[test]
fn errors_answer_pending_requests() {
    let mut s = established();
    s.call(Uri::from("com.p"), Dict::new(), Payload::None)
        .unwrap();
    let ev = s
        .handle(msg(r#"[8,48,1,{},"wamp.error.no_such_procedure",["x"]]"#))
        .unwrap();
    assert!(
        matches!(ev, Some(ClientEvent::Error { request_type: MessageType::CALL, ref error, .. })
        if error.as_str() == "wamp.error.no_such_procedure")
    );
}

#[test]
fn invocations_are_sequential_and_answered_once() {
    let mut s = established();
    s.register(Uri::from("com.p"), Dict::new()).unwrap();
    s.handle(msg("[65,1,600]")).unwrap();
    sent(&mut s);
    assert!(matches!(
        s.handle(msg(r#"[68,1,600,{},[2]]"#)).unwrap(),
        Some(ClientEvent::Invocation(_))
    ));
    s.yield_result(id(1), Dict::new(), Payload::Args(vec![Value::UInt(4)]))
        .unwrap();
    assert_eq!(
        s.yield_result(id(1), Dict::new(), Payload::None),
        Err(CommandError::NoSuchInvocation { request: id(1) })
    );
    assert!(matches!(&sent(&mut s)[..], [Message::Yield(y)] if y.request == id(1)));
    // Invocation for an unknown registration: answered with ERROR, session continues.
    assert_eq!(s.handle(msg("[68,2,999,{}]")).unwrap(), None);
    assert!(
        matches!(&sent(&mut s)[..], [Message::Error(e)] if e.error.as_str() == "wamp.error.no_such_registration")
    );
    // 4 after 2 skips 3.
    let v = s.handle(msg("[68,4,600,{}]")).unwrap_err();
    assert_eq!(
        v,
        Violation::NonSequentialInvocation {
            expected: id(3),
            got: id(4)
        }
    );
    assert_aborted(&mut s);
}

#[test]
fn router_wide_invocation_ids_when_not_required_sequential() {
    let mut s = established();
    s.set_sequential_invocations(false);
    s.register(Uri::from("com.p"), Dict::new()).unwrap();
    s.handle(msg("[65,1,600]")).unwrap();
    sent(&mut s);
    // Crossbar's numbering: 49, then 76 (a router-wide counter).
    for request in [49, 76] {
        assert!(matches!(
            s.handle(msg(&format!("[68,{request},600,{{}}]"))).unwrap(),
            Some(ClientEvent::Invocation(inv)) if inv.request == id(request)
        ));
        s.yield_result(id(request), Dict::new(), Payload::None)
            .unwrap();
    }
    assert_eq!(s.state(), SessionState::Established);
}

#[test]
fn goodbye_both_ways() {
    // Router-initiated: echoed with goodbye_and_out.
    let mut s = established();
    let ev = s
        .handle(msg(r#"[6,{},"wamp.close.system_shutdown"]"#))
        .unwrap();
    assert!(matches!(ev, Some(ClientEvent::Left { .. })));
    assert!(
        matches!(&sent(&mut s)[..], [Message::Goodbye(g)] if g.reason.as_str() == "wamp.close.goodbye_and_out")
    );
    assert_eq!(s.state(), SessionState::Closed);

    // Client-initiated: messages in between are ignored until the router's GOODBYE.
    let mut s = established();
    s.subscribe(Uri::from("com.t"), Dict::new()).unwrap();
    s.goodbye(Uri::from("wamp.close.close_realm")).unwrap();
    assert_eq!(s.state(), SessionState::ShuttingDown);
    assert_eq!(s.handle(msg("[33,1,5]")).unwrap(), None);
    assert!(matches!(
        s.handle(msg(r#"[6,{},"wamp.close.goodbye_and_out"]"#))
            .unwrap(),
        Some(ClientEvent::Left { .. })
    ));
    assert_eq!(s.state(), SessionState::Closed);
    // A new session on the same transport starts its request IDs at 1 again.
    s.hello(Uri::from("realm1"), Dict::new()).unwrap();
    s.handle(msg(r#"[2,78,{"roles":{"broker":{}}}]"#)).unwrap();
    assert_eq!(s.subscribe(Uri::from("com.t"), Dict::new()).unwrap(), id(1));
}

#[test]
fn abort_during_handshake() {
    let mut s = ClientSession::new();
    s.hello(Uri::from("nope"), Dict::new()).unwrap();
    let ev = s
        .handle(msg(r#"[3,{},"wamp.error.no_such_realm"]"#))
        .unwrap();
    assert!(
        matches!(ev, Some(ClientEvent::Aborted { ref reason, .. }) if reason.as_str() == "wamp.error.no_such_realm")
    );
    assert_eq!(s.state(), SessionState::Closed);
    sent(&mut s);
    assert!(sent(&mut s).is_empty(), "ABORT is never answered");
}

#[test]
fn violations() {
    // (setup: established?, message, expected violation)
    let cases: Vec<(bool, &str, Violation)> = vec![
        (
            false,
            r#"[33,1,5]"#,
            Violation::UnexpectedMessage {
                message: MessageType::SUBSCRIBED,
                state: SessionState::Establishing,
            },
        ),
        (
            false,
            r#"[6,{},"wamp.close.close_realm"]"#,
            Violation::UnexpectedMessage {
                message: MessageType::GOODBYE,
                state: SessionState::Establishing,
            },
        ),
        (
            true,
            r#"[2,5,{"roles":{"broker":{}}}]"#,
            Violation::UnexpectedMessage {
                message: MessageType::WELCOME,
                state: SessionState::Established,
            },
        ),
        (
            true,
            r#"[4,"ticket",{}]"#,
            Violation::UnexpectedMessage {
                message: MessageType::CHALLENGE,
                state: SessionState::Established,
            },
        ),
        (
            true,
            r#"[32,1,{},"com.t"]"#,
            Violation::UnexpectedMessage {
                message: MessageType::SUBSCRIBE,
                state: SessionState::Established,
            },
        ),
        (
            true,
            r#"[8,68,1,{},"com.e"]"#,
            Violation::UnexpectedMessage {
                message: MessageType::ERROR,
                state: SessionState::Established,
            },
        ),
        (
            true,
            "[33,1,5]",
            Violation::UnknownRequest {
                message: MessageType::SUBSCRIBED,
                request: Id::new(1).unwrap(),
            },
        ),
        (
            true,
            r#"[50,1,{}]"#,
            Violation::UnknownRequest {
                message: MessageType::RESULT,
                request: Id::new(1).unwrap(),
            },
        ),
        (
            true,
            r#"[68,1,600,{"progress":true}]"#,
            Violation::NotNegotiated {
                message: MessageType::INVOCATION,
                feature: "progressive_call_invocations",
            },
        ),
        (
            true,
            r#"[35,0,{"reason":"gone"}]"#,
            Violation::RevocationWithoutId {
                message: MessageType::UNSUBSCRIBED,
                key: "subscription",
            },
        ),
        (
            true,
            r#"[67,0,{}]"#,
            Violation::RevocationWithoutId {
                message: MessageType::UNREGISTERED,
                key: "registration",
            },
        ),
        (
            true,
            "[300,1]",
            Violation::UnexpectedMessage {
                message: MessageType(300),
                state: SessionState::Established,
            },
        ),
    ];
    for (est, json, expected) in cases {
        let mut s = if est {
            established()
        } else {
            let mut s = ClientSession::new();
            s.hello(Uri::from("realm1"), Dict::new()).unwrap();
            sent(&mut s);
            s
        };
        assert_eq!(s.handle(msg(json)), Err(expected), "{json}");
        assert_aborted(&mut s);
        // Nothing is processed after a violation.
        assert_eq!(s.handle(msg("[33,1,5]")), Ok(None));
    }
}

#[test]
fn reply_of_the_wrong_kind_is_a_violation() {
    let mut s = established();
    s.call(Uri::from("com.p"), Dict::new(), Payload::None)
        .unwrap();
    sent(&mut s);
    assert_eq!(
        s.handle(msg("[33,1,5]")),
        Err(Violation::ReplyMismatch {
            message: MessageType::SUBSCRIBED,
            request: id(1),
            pending: MessageType::CALL
        })
    );
    assert_aborted(&mut s);
}

#[test]
fn commands_check_state_and_uris() {
    let mut s = ClientSession::new();
    assert_eq!(
        s.subscribe(Uri::from("com.t"), Dict::new()),
        Err(CommandError::WrongState {
            command: "subscribe",
            state: SessionState::Closed
        })
    );
    assert!(matches!(
        s.hello(Uri::from("bad realm"), Dict::new()),
        Err(CommandError::InvalidUri { .. })
    ));
    let mut s = established();
    assert!(matches!(
        s.call(Uri::from("com..p"), Dict::new(), Payload::None),
        Err(CommandError::InvalidUri { .. })
    ));
    assert!(sent(&mut s).is_empty());
}

#[test]
fn undecodable_frames_abort() {
    let mut s = established();
    let v = s
        .handle_frame(ampel_wamp::Serialization::Json, b"[33,1")
        .unwrap_err();
    assert!(matches!(v, Violation::Malformed(_)));
    assert_aborted(&mut s);
}
