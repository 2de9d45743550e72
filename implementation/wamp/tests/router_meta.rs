//! The router's meta API, message by message: session meta events and procedures (kill
//! included), subscription meta events and procedures, testaments, realm isolation.

mod router_common;

use router_common::*;

fn named(authid: &str) -> As<'_> {
    As {
        authid: Some(authid),
        ..As::default()
    }
}

#[test]
fn session_join_and_leave_events_on_every_way_of_leaving() {
    let mut r = router();
    let (w, _) = join(&mut r);
    let join_sub = subscribe(&mut r, w, 1, "{}", "wamp.session.on_join");
    let leave_sub = subscribe(&mut r, w, 2, "{}", "wamp.session.on_leave");

    let (x, xid, events) = join_with(&mut r, named("xavier"));
    assert_eq!(
        events,
        vec![(
            w.0,
            format!(
                r#"[36,{join_sub},"P",{{}},[{{"authid":"xavier","authmethod":"ticket","authprovider":"static","authrole":"user","session":{xid}}}]]"#
            )
        )]
    );
    let on_leave = |id| {
        (
            w.0,
            format!(r#"[36,{leave_sub},"P",{{}},[{id},"xavier","user"]]"#),
        )
    };
    // GOODBYE.
    assert_eq!(
        send(&mut r, x, r#"[6,{},"wamp.close.close_realm"]"#),
        vec![
            (x.0, r#"[6,{},"wamp.close.goodbye_and_out"]"#.to_owned()),
            on_leave(xid)
        ]
    );
    // ABORT.
    let (x, xid, _) = join_with(&mut r, named("xavier"));
    assert_eq!(
        send(&mut r, x, r#"[3,{},"wamp.close.system_shutdown"]"#),
        vec![on_leave(xid)]
    );
    // Transport loss.
    let (x, xid, _) = join_with(&mut r, named("xavier"));
    assert_eq!(show(&r.close(x)), vec![on_leave(xid)]);
    // Protocol violation: ABORT, close, then the event.
    let (x, xid, _) = join_with(&mut r, named("xavier"));
    let out = send(&mut r, x, r#"[32,7,{},"com.t"]"#);
    assert_eq!(out.len(), 3, "{out:?}");
    assert_eq!(out[1], (x.0, "CLOSE".to_owned()));
    assert_eq!(out[2], on_leave(xid));

    // Another realm's sessions are not announced here.
    let (_, _, events) = join_with(
        &mut r,
        As {
            realm: "realm2",
            ..As::default()
        },
    );
    assert!(events.is_empty());
}

#[test]
fn session_procedures_count_list_get_within_the_realm() {
    let mut r = router();
    let (a, aid) = join(&mut r);
    let (_, bid, _) = join_with(&mut r, named("bob"));
    let (_, cid, _) = join_with(
        &mut r,
        As {
            realm: "realm2",
            ..As::default()
        },
    );
    assert_eq!(
        send(&mut r, a, r#"[48,1,{},"wamp.session.count"]"#),
        vec![(a.0, "[50,1,{},[2]]".to_owned())]
    );
    assert_eq!(
        send(&mut r, a, r#"[48,2,{},"wamp.session.count",[["admin"]]]"#),
        vec![(a.0, "[50,2,{},[0]]".to_owned())]
    );
    assert_eq!(
        send(
            &mut r,
            a,
            r#"[48,3,{},"wamp.session.count",[["anonymous","user"]]]"#
        ),
        vec![(a.0, "[50,3,{},[2]]".to_owned())]
    );
    let out = send(&mut r, a, r#"[48,4,{},"wamp.session.list"]"#);
    let mut ids = [aid.get(), bid.get()];
    ids.sort();
    let (x, y) = (ids[0], ids[1]);
    // Order is undefined in the spec; ours follows the connections.
    let listed = out[0].1.clone();
    assert!(
        listed == format!("[50,4,{{}},[[{x},{y}]]]")
            || listed == format!("[50,4,{{}},[[{y},{x}]]]"),
        "{listed}"
    );
    assert_eq!(
        send(&mut r, a, r#"[48,5,{},"wamp.session.list",[["admin"]]]"#),
        vec![(a.0, "[50,5,{},[[]]]".to_owned())]
    );
    assert_eq!(
        send(
            &mut r,
            a,
            &format!(r#"[48,6,{{}},"wamp.session.get",[{bid}]]"#)
        ),
        vec![(
            a.0,
            format!(
                r#"[50,6,{{}},[{{"authid":"bob","authmethod":"ticket","authprovider":"static","authrole":"user","session":{bid}}}]]"#
            )
        )]
    );
    // A session of another realm does not exist here.
    for (request, call) in [
        (7, format!(r#"[48,7,{{}},"wamp.session.get",[{cid}]]"#)),
        (8, format!(r#"[48,8,{{}},"wamp.session.kill",[{cid}]]"#)),
    ] {
        let out = send(&mut r, a, &call);
        assert!(
            out[0].1.starts_with(&format!(
                r#"[8,48,{request},{{}},"wamp.error.no_such_session""#
            )),
            "{out:?}"
        );
    }
    // Bad arguments.
    for (request, call) in [
        (9, r#"[48,9,{},"wamp.session.get"]"#),
        (10, r#"[48,10,{},"wamp.session.get",["x"]]"#),
        (11, r#"[48,11,{},"wamp.session.count",["anonymous"]]"#),
    ] {
        let out = send(&mut r, a, call);
        assert!(
            out[0].1.starts_with(&format!(
                r#"[8,48,{request},{{}},"wamp.error.invalid_argument""#
            )),
            "{out:?}"
        );
    }
}

#[test]
fn kill_sends_goodbye_and_awaits_the_reply() {
    let mut r = router();
    let (k, kid) = join(&mut r);
    let (w, _) = join(&mut r);
    let leave_sub = subscribe(&mut r, w, 1, "{}", "wamp.session.on_leave");
    let (v, vid, _) = join_with(&mut r, named("victim"));
    assert_eq!(
        send(
            &mut r,
            k,
            &format!(
                r#"[48,1,{{}},"wamp.session.kill",[{vid}],{{"reason":"com.app.gone","message":"bye"}}]"#
            )
        ),
        vec![
            (v.0, r#"[6,{"message":"bye"},"com.app.gone"]"#.to_owned()),
            (
                w.0,
                format!(r#"[36,{leave_sub},"P",{{}},[{vid},"victim","user"]]"#)
            ),
            (k.0, "[50,1,{}]".to_owned()),
        ]
    );
    assert_eq!(r.session_id(v), None);
    // Anything but the GOODBYE reply is ignored; after it, a new session may start.
    assert!(send(&mut r, v, r#"[32,1,{},"com.t"]"#).is_empty());
    assert!(send(&mut r, v, r#"[6,{},"wamp.close.goodbye_and_out"]"#).is_empty());
    join_on(&mut r, v);

    // Defaults: wamp.close.killed, no message. Killing oneself: no such (other) session.
    let (v2, v2id) = join(&mut r);
    let out = send(
        &mut r,
        k,
        &format!(r#"[48,2,{{}},"wamp.session.kill",[{v2id}]]"#),
    );
    assert_eq!(out[0], (v2.0, r#"[6,{},"wamp.close.killed"]"#.to_owned()));
    let out = send(
        &mut r,
        k,
        &format!(r#"[48,3,{{}},"wamp.session.kill",[{kid}]]"#),
    );
    assert!(
        out[0]
            .1
            .starts_with(r#"[8,48,3,{},"wamp.error.no_such_session""#)
    );
    // An invalid reason URI.
    let (_, v3id) = join(&mut r);
    let out = send(
        &mut r,
        k,
        &format!(r#"[48,4,{{}},"wamp.session.kill",[{v3id}],{{"reason":"not a uri"}}]"#),
    );
    assert!(
        out[0]
            .1
            .starts_with(r#"[8,48,4,{},"wamp.error.invalid_uri""#),
        "{out:?}"
    );
}

/// A HELLO on an existing connection is welcomed.
fn join_on(r: &mut R, peer: ampel_wamp::router::PeerId) {
    let out = send(r, peer, r#"[1,"realm1",{"roles":{"subscriber":{}}}]"#);
    assert!(out[0].1.starts_with("[2,"), "{out:?}");
}

#[test]
fn kill_by_authid_authrole_and_all_spare_the_caller() {
    let mut r = router();
    let (k, kid, _) = join_with(&mut r, named("same"));
    let (w, _) = join(&mut r);
    let leave_sub = subscribe(&mut r, w, 1, "{}", "wamp.session.on_leave");
    let (s1, s1id, _) = join_with(&mut r, named("same"));
    let (_, _, _) = join_with(&mut r, named("other"));
    let out = send(
        &mut r,
        k,
        r#"[48,1,{},"wamp.session.kill_by_authid",["same"],{"message":"m"}]"#,
    );
    assert_eq!(
        out,
        vec![
            (
                s1.0,
                r#"[6,{"message":"m"},"wamp.close.killed"]"#.to_owned()
            ),
            (
                w.0,
                format!(r#"[36,{leave_sub},"P",{{}},[{s1id},"same","user"]]"#)
            ),
            (k.0, format!("[50,1,{{}},[[{s1id}]]]")),
        ]
    );
    let _ = kid;
    // kill_by_authrole: of role user only "other" is left (the caller is spared); w is
    // anonymous.
    let out = send(
        &mut r,
        k,
        r#"[48,2,{},"wamp.session.kill_by_authrole",["user"]]"#,
    );
    assert_eq!(out.last().unwrap(), &(k.0, "[50,2,{},[1]]".to_owned()));
    assert_eq!(out.iter().filter(|(_, m)| m.starts_with("[6,")).count(), 1);
    // kill_all: GOODBYEs (w still lives) but no session meta events or testaments.
    let (w2, _) = join(&mut r);
    subscribe(&mut r, w2, 1, "{}", "wamp.session.on_leave");
    subscribe(&mut r, k, 3, "{}", "wamp.session.on_leave");
    let (t, _) = join(&mut r);
    send(
        &mut r,
        t,
        r#"[48,1,{},"wamp.session.add_testament",["com.will",["t"],{}]]"#,
    );
    subscribe(&mut r, k, 4, "{}", "com.will");
    let out = send(&mut r, k, r#"[48,5,{},"wamp.session.kill_all"]"#);
    assert_eq!(
        out,
        vec![
            (w.0, r#"[6,{},"wamp.close.killed"]"#.to_owned()),
            (w2.0, r#"[6,{},"wamp.close.killed"]"#.to_owned()),
            (t.0, r#"[6,{},"wamp.close.killed"]"#.to_owned()),
            (k.0, "[50,5,{},[3]]".to_owned()),
        ]
    );
    assert_eq!(
        send(&mut r, k, r#"[48,6,{},"wamp.session.count"]"#),
        vec![(k.0, "[50,6,{},[1]]".to_owned())]
    );
}

#[test]
fn subscription_meta_events_in_order() {
    let mut r = router();
    let (w, _) = join(&mut r);
    let mut subs = Vec::new();
    for (i, topic) in ["on_create", "on_subscribe", "on_unsubscribe", "on_delete"]
        .into_iter()
        .enumerate()
    {
        subs.push(subscribe(
            &mut r,
            w,
            i as u64 + 1,
            "{}",
            &format!("wamp.subscription.{topic}"),
        ));
    }
    let [on_create, on_subscribe, on_unsubscribe, on_delete] = [subs[0], subs[1], subs[2], subs[3]];
    let (a, aid) = join(&mut r);
    let (b, bid) = join(&mut r);
    let out = send(&mut r, a, r#"[32,1,{"match":"prefix"},"com.t"]"#);
    let sub = subscribe(&mut r, b, 1, r#"{"match":"prefix"}"#, "com.t");
    assert_eq!(
        out,
        vec![
            (a.0, format!("[33,1,{sub}]")),
            (
                w.0,
                format!(
                    r#"[36,{on_create},"P",{{}},[{aid},{{"id":{sub},"match":"prefix","uri":"com.t"}}]]"#
                )
            ),
            (
                w.0,
                format!(r#"[36,{on_subscribe},"P",{{}},[{aid},{sub}]]"#)
            ),
        ]
    );
    // A second subscriber: on_subscribe only; a repeated SUBSCRIBE: nothing.
    assert_eq!(
        send(&mut r, b, r#"[32,2,{"match":"prefix"},"com.t"]"#),
        vec![(b.0, format!("[33,2,{sub}]"))]
    );
    assert_eq!(
        send(&mut r, a, &format!("[34,2,{sub}]")),
        vec![
            (a.0, "[35,2]".to_owned()),
            (
                w.0,
                format!(r#"[36,{on_unsubscribe},"P",{{}},[{aid},{sub}]]"#)
            ),
        ]
    );
    // The last subscriber leaves: on_unsubscribe, then on_delete.
    assert_eq!(
        show(&r.close(b)),
        vec![
            (
                w.0,
                format!(r#"[36,{on_unsubscribe},"P",{{}},[{bid},{sub}]]"#)
            ),
            (w.0, format!(r#"[36,{on_delete},"P",{{}},[{bid},{sub}]]"#)),
        ]
    );
    // Subscriptions to wamp.* topics raise no meta events.
    assert_eq!(
        send(&mut r, a, r#"[32,3,{},"wamp.session.on_join"]"#).len(),
        1
    );
}

#[test]
fn subscription_procedures_within_the_realm() {
    let mut r = router();
    let (a, aid) = join(&mut r);
    let (b, bid) = join(&mut r);
    let exact = subscribe(&mut r, a, 1, "{}", "com.t.x");
    subscribe(&mut r, b, 1, "{}", "com.t.x");
    let prefix = subscribe(&mut r, a, 2, r#"{"match":"prefix"}"#, "com.t");
    let wildcard = subscribe(&mut r, b, 2, r#"{"match":"wildcard"}"#, "com..x");
    let (c, _, _) = join_with(
        &mut r,
        As {
            realm: "realm2",
            ..As::default()
        },
    );
    let elsewhere = subscribe(&mut r, c, 1, "{}", "com.t.x");

    let (q, _) = join(&mut r);
    let call = |r: &mut R, request: u64, rest: &str| -> String {
        let out = send(r, q, &format!(r#"[48,{request},{{}},{rest}]"#));
        assert_eq!(out.len(), 1, "{out:?}");
        out[0].1.clone()
    };
    assert_eq!(
        call(&mut r, 1, r#""wamp.subscription.list""#),
        format!(
            r#"[50,1,{{}},[{{"exact":[{exact}],"prefix":[{prefix}],"wildcard":[{wildcard}]}}]]"#
        )
    );
    assert_eq!(
        call(&mut r, 2, r#""wamp.subscription.lookup",["com.t.x"]"#),
        format!("[50,2,{{}},[{exact}]]")
    );
    assert_eq!(
        call(
            &mut r,
            3,
            r#""wamp.subscription.lookup",["com.t",{"match":"prefix"}]"#
        ),
        format!("[50,3,{{}},[{prefix}]]")
    );
    assert_eq!(
        call(&mut r, 4, r#""wamp.subscription.lookup",["com.t"]"#),
        "[50,4,{},[null]]"
    );
    assert_eq!(
        call(&mut r, 5, r#""wamp.subscription.match",["com.t.x"]"#),
        format!("[50,5,{{}},[[{exact},{prefix},{wildcard}]]]")
    );
    assert_eq!(
        call(&mut r, 6, r#""wamp.subscription.match",["org.x"]"#),
        "[50,6,{},[null]]"
    );
    assert_eq!(
        call(
            &mut r,
            7,
            &format!(r#""wamp.subscription.get",[{wildcard}]"#)
        ),
        format!(r#"[50,7,{{}},[{{"id":{wildcard},"match":"wildcard","uri":"com..x"}}]]"#)
    );
    let listed = call(
        &mut r,
        8,
        &format!(r#""wamp.subscription.list_subscribers",[{exact}]"#),
    );
    assert!(
        listed == format!("[50,8,{{}},[[{aid},{bid}]]]")
            || listed == format!("[50,8,{{}},[[{bid},{aid}]]]"),
        "{listed}"
    );
    assert_eq!(
        call(
            &mut r,
            9,
            &format!(r#""wamp.subscription.count_subscribers",[{exact}]"#)
        ),
        "[50,9,{},[2]]"
    );
    // Another realm's subscription is unknown here.
    for (request, procedure) in [
        (10, "get"),
        (11, "list_subscribers"),
        (12, "count_subscribers"),
    ] {
        let reply = call(
            &mut r,
            request,
            &format!(r#""wamp.subscription.{procedure}",[{elsewhere}]"#),
        );
        assert!(
            reply.starts_with(&format!(
                r#"[8,48,{request},{{}},"wamp.error.no_such_subscription""#
            )),
            "{reply}"
        );
    }
}

#[test]
fn remove_subscriber_revokes_one_session() {
    let mut r = router();
    let (a, _, _) = join_with(
        &mut r,
        As {
            features: &["subscriber.subscription_revocation"],
            ..As::default()
        },
    );
    let (b, bid) = join(&mut r);
    let (admin, _) = join(&mut r);
    let sub = subscribe(&mut r, a, 1, "{}", "com.t");
    subscribe(&mut r, b, 1, "{}", "com.t");
    let aid = r.session_id(a).unwrap();
    assert_eq!(
        send(
            &mut r,
            admin,
            &format!(
                r#"[48,1,{{}},"wamp.subscription.remove_subscriber",[{sub},{aid}],{{"reason":"r"}}]"#
            )
        ),
        vec![
            (
                a.0,
                format!(r#"[35,0,{{"reason":"r","subscription":{sub}}}]"#)
            ),
            (admin.0, "[50,1,{}]".to_owned()),
        ]
    );
    // b did not announce revocation: removed silently.
    assert_eq!(
        send(
            &mut r,
            admin,
            &format!(r#"[48,2,{{}},"wamp.subscription.remove_subscriber",[{sub},{bid}]]"#)
        ),
        vec![(admin.0, "[50,2,{}]".to_owned())]
    );
    let out = send(
        &mut r,
        admin,
        &format!(r#"[48,3,{{}},"wamp.subscription.remove_subscriber",[{sub},{bid}]]"#),
    );
    assert!(
        out[0]
            .1
            .starts_with(r#"[8,48,3,{},"wamp.error.no_such_subscription""#)
    );
    assert!(send(&mut r, admin, r#"[16,4,{},"com.t"]"#).is_empty());
}

#[test]
fn testaments_are_published_in_order_on_every_way_of_leaving() {
    let mut r = router();
    let (w, wid) = join(&mut r);
    let sub = subscribe(&mut r, w, 1, r#"{"match":"prefix"}"#, "com.will");
    let event = |topic: &str, arg: &str| {
        (
            w.0,
            format!(r#"[36,{sub},"P",{{"topic":"{topic}"}},["{arg}"]]"#),
        )
    };
    let leave_by = |r: &mut R, how: &str, t: ampel_wamp::router::PeerId| match how {
        "goodbye" => send(r, t, r#"[6,{},"wamp.close.close_realm"]"#)[1..].to_vec(),
        "abort" => send(r, t, r#"[3,{},"wamp.close.system_shutdown"]"#),
        "close" => show(&r.close(t)),
        "violation" => send(r, t, r#"[50,1,{}]"#)[2..].to_vec(),
        "kill" => {
            let tid = r.session_id(t).unwrap();
            let out = send(r, w, &format!(r#"[48,2,{{}},"wamp.session.kill",[{tid}]]"#));
            assert_eq!(out.last().unwrap(), &(w.0, "[50,2,{}]".to_owned()));
            // GOODBYE to the victim first, RESULT to the killer last.
            out[1..out.len() - 1].to_vec()
        }
        _ => unreachable!(),
    };
    for how in ["goodbye", "abort", "close", "violation", "kill"] {
        let (t, _) = join(&mut r);
        let add = |r: &mut R, request: u64, rest: &str| {
            let out = send(
                r,
                t,
                &format!(r#"[48,{request},{{}},"wamp.session.add_testament",{rest}]"#),
            );
            assert_eq!(out, vec![(t.0, format!("[50,{request},{{}}]"))]);
        };
        add(&mut r, 1, r#"["com.will.a",["1"],{}]"#);
        add(&mut r, 2, r#"["com.will.b",["2"],{}],{"scope":"detached"}"#);
        add(
            &mut r,
            3,
            r#"["com.will.c",["3"],{}],{"scope":"destroyed"}"#,
        );
        add(&mut r, 4, r#"["com.will.d",["4"],{}],{"scope":"detached"}"#);
        // Detached before destroyed, each in the order added.
        assert_eq!(
            leave_by(&mut r, how, t),
            vec![
                event("com.will.b", "2"),
                event("com.will.d", "4"),
                event("com.will.a", "1"),
                event("com.will.c", "3"),
            ],
            "{how}"
        );
        let _ = wid;
    }
}

#[test]
fn testament_flush_options_and_errors() {
    let mut r = router();
    let (w, wid) = join(&mut r);
    let (x, _) = join(&mut r);
    let sw = subscribe(&mut r, w, 1, "{}", "com.will");
    subscribe(&mut r, x, 1, "{}", "com.will");
    let (t, tid) = join(&mut r);
    let call = |r: &mut R, request: u64, rest: &str| -> String {
        let out = send(r, t, &format!(r#"[48,{request},{{}},{rest}]"#));
        assert_eq!(out.len(), 1, "{out:?}");
        out[0].1.clone()
    };
    call(
        &mut r,
        1,
        r#""wamp.session.add_testament",["com.will",["gone"],{}]"#,
    );
    call(
        &mut r,
        2,
        r#""wamp.session.add_testament",["com.will",["d"],{}],{"scope":"detached"}"#,
    );
    // Flushing the default scope (destroyed) leaves the detached one.
    assert_eq!(
        call(&mut r, 3, r#""wamp.session.flush_testaments""#),
        "[50,3,{}]"
    );
    // Publish options apply: only w, publisher disclosed (w announced nothing, so not shown).
    call(
        &mut r,
        4,
        &format!(
            r#""wamp.session.add_testament",["com.will",["only w"],{{"k":1}}],{{"publish_options":{{"eligible":[{wid}],"disclose_me":true}}}}"#
        ),
    );
    for (request, rest, error) in [
        (
            5,
            r#""wamp.session.add_testament",["com..will",[],{}]"#,
            "wamp.error.invalid_uri",
        ),
        (
            6,
            r#""wamp.session.add_testament",["wamp.x",[],{}]"#,
            "wamp.error.invalid_uri",
        ),
        (
            7,
            r#""wamp.session.add_testament",["com.will",[],{}],{"scope":"forever"}"#,
            "wamp.error.invalid_argument",
        ),
        (
            8,
            r#""wamp.session.add_testament",["com.will",[],{}],{"publish_options":{"exclude":"x"}}"#,
            "wamp.error.invalid_argument",
        ),
        (
            9,
            r#""wamp.session.add_testament",[]"#,
            "wamp.error.invalid_argument",
        ),
        (
            10,
            r#""wamp.session.flush_testaments",[],{"scope":1}"#,
            "wamp.error.invalid_argument",
        ),
    ] {
        let reply = call(&mut r, request, rest);
        assert!(
            reply.starts_with(&format!(r#"[8,48,{request},{{}},"{error}""#)),
            "{rest}: {reply}"
        );
    }
    let _ = tid;
    assert_eq!(
        show(&r.close(t)),
        vec![
            (w.0, format!(r#"[36,{sw},"P",{{}},["d"]]"#)),
            (x.0, format!(r#"[36,{},"P",{{}},["d"]]"#, sw)),
            (w.0, format!(r#"[36,{sw},"P",{{}},["only w"],{{"k":1}}]"#)),
        ]
    );
}

#[test]
fn meta_procedures_only_answer_their_own_names() {
    let mut r = router();
    let (a, _) = join(&mut r);
    // An unknown wamp.* procedure is routed like any other: nobody registered it.
    assert_eq!(
        send(&mut r, a, r#"[48,1,{},"wamp.session.frobnicate"]"#),
        vec![(
            a.0,
            r#"[8,48,1,{},"wamp.error.no_such_procedure"]"#.to_owned()
        )]
    );
}
