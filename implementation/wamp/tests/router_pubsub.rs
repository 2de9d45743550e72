//! The router's advanced pub/sub, message by message: pattern-based subscriptions, publisher
//! exclusion and identification, subscriber black- and whitelisting, event retention and
//! subscription revocation.

mod router_common;

use ampel_wamp::Uri;
use ampel_wamp::router::features;
use router_common::*;

#[test]
fn welcome_announces_the_pubsub_features() {
    for f in [
        "pattern_based_subscription",
        "publisher_exclusion",
        "publisher_identification",
        "subscriber_blackwhite_listing",
        "event_retention",
        "subscription_revocation",
        "subscription_meta_api",
        "session_meta_api",
    ] {
        assert!(features::BROKER.contains(&f), "{f}");
    }
    assert!(features::DEALER.contains(&"session_meta_api"));
    assert!(features::DEALER.contains(&"testament_meta_api"));
}

#[test]
fn pattern_subscriptions_get_one_event_each_with_the_concrete_topic() {
    let mut r = router();
    let (a, _) = join(&mut r);
    let (b, _) = join(&mut r);
    let (p, _) = join(&mut r);
    let exact = subscribe(&mut r, a, 1, "{}", "com.app.t");
    let prefix = subscribe(&mut r, a, 2, r#"{"match":"prefix"}"#, "com.app");
    let wildcard = subscribe(&mut r, a, 3, r#"{"match":"wildcard"}"#, "com..t");
    // Same pattern and policy: the same subscription, shared.
    assert_eq!(
        subscribe(&mut r, b, 1, r#"{"match":"prefix"}"#, "com.app"),
        prefix
    );
    // Same URI, other policy: another subscription.
    let exact_prefix_uri = subscribe(&mut r, b, 2, "{}", "com.app");
    assert!(
        [exact, wildcard, exact_prefix_uri]
            .iter()
            .all(|s| *s != prefix)
    );

    let out = r.handle(p, msg(r#"[16,1,{},"com.app.t",["x"]]"#));
    assert_eq!(
        show(&out),
        vec![
            (a.0, format!(r#"[36,{exact},"P",{{}},["x"]]"#)),
            (
                a.0,
                format!(r#"[36,{prefix},"P",{{"topic":"com.app.t"}},["x"]]"#)
            ),
            (
                b.0,
                format!(r#"[36,{prefix},"P",{{"topic":"com.app.t"}},["x"]]"#)
            ),
            (
                a.0,
                format!(r#"[36,{wildcard},"P",{{"topic":"com.app.t"}},["x"]]"#)
            ),
        ]
    );
    let ids = publications(&out);
    assert!(ids.iter().all(|id| *id == ids[0]));

    // Prefixes match whole components; wildcards need the same component count.
    assert_eq!(
        send(&mut r, p, r#"[16,2,{},"com.apple.t"]"#),
        vec![(
            a.0,
            format!(r#"[36,{wildcard},"P",{{"topic":"com.apple.t"}}]"#)
        )]
    );
    assert_eq!(
        send(&mut r, p, r#"[16,3,{},"com.app"]"#),
        vec![
            (a.0, format!(r#"[36,{prefix},"P",{{"topic":"com.app"}}]"#)),
            (b.0, format!(r#"[36,{prefix},"P",{{"topic":"com.app"}}]"#)),
            (b.0, format!(r#"[36,{exact_prefix_uri},"P",{{}}]"#)),
        ]
    );
    assert!(send(&mut r, p, r#"[16,4,{},"org.app.t.u"]"#).is_empty());
}

#[test]
fn invalid_patterns_are_invalid_uris() {
    let mut r = router();
    let (a, _) = join(&mut r);
    for (i, (options, topic)) in [
        ("{}", "com..t"),
        (r#"{"match":"prefix"}"#, "com..t"),
        (r#"{"match":"prefix"}"#, "com.a b"),
        (r#"{"match":"wildcard"}"#, "com.#.t"),
    ]
    .into_iter()
    .enumerate()
    {
        let request = i + 1;
        assert_eq!(
            send(&mut r, a, &format!(r#"[32,{request},{options},"{topic}"]"#)),
            vec![(
                a.0,
                format!(r#"[8,32,{request},{{}},"wamp.error.invalid_uri"]"#)
            )],
            "{options} {topic}"
        );
    }
    // A wildcard pattern may have empty components (also at the ends).
    subscribe(&mut r, a, 5, r#"{"match":"wildcard"}"#, ".app.");
}

#[test]
fn publisher_exclusion_is_the_default() {
    let mut r = router();
    let (a, _) = join(&mut r);
    let (b, _) = join(&mut r);
    let s = subscribe(&mut r, a, 1, "{}", "com.t");
    subscribe(&mut r, b, 1, "{}", "com.t");
    let receivers = |r: &mut R, options: &str, request: u64| -> Vec<u64> {
        send(r, a, &format!(r#"[16,{request},{options},"com.t"]"#))
            .into_iter()
            .map(|(to, _)| to)
            .collect()
    };
    assert_eq!(receivers(&mut r, "{}", 2), vec![b.0]);
    assert_eq!(receivers(&mut r, r#"{"exclude_me":true}"#, 3), vec![b.0]);
    assert_eq!(
        receivers(&mut r, r#"{"exclude_me":false}"#, 4),
        vec![a.0, b.0]
    );
    let _ = s;
}

#[test]
fn publisher_identification_to_subscribers_that_announced_it() {
    let mut r = router();
    let (a, _, _) = join_with(
        &mut r,
        As {
            features: &["subscriber.publisher_identification"],
            ..As::default()
        },
    );
    let (b, _) = join(&mut r);
    let (p, pid, _) = join_with(
        &mut r,
        As {
            authid: Some("pub"),
            ..As::default()
        },
    );
    let sa = subscribe(&mut r, a, 1, "{}", "com.t");
    let sb = subscribe(&mut r, b, 1, "{}", "com.t");
    assert_eq!(
        send(&mut r, p, r#"[16,1,{"disclose_me":true},"com.t"]"#),
        vec![
            (
                a.0,
                format!(
                    r#"[36,{sa},"P",{{"publisher":{pid},"publisher_authid":"pub","publisher_authrole":"user"}}]"#
                )
            ),
            (b.0, format!(r#"[36,{sb},"P",{{}}]"#)),
        ]
    );
    // Not asked: not disclosed.
    assert_eq!(
        send(&mut r, p, r#"[16,2,{"disclose_me":false},"com.t"]"#),
        vec![
            (a.0, format!(r#"[36,{sa},"P",{{}}]"#)),
            (b.0, format!(r#"[36,{sb},"P",{{}}]"#)),
        ]
    );
}

#[test]
fn black_and_white_lists_must_all_admit_the_receiver() {
    let mut r = router();
    let mut ids = Vec::new();
    let mut peers = Vec::new();
    for authid in ["alice", "bob", "carol"] {
        let (peer, id, _) = join_with(
            &mut r,
            As {
                authid: Some(authid),
                ..As::default()
            },
        );
        subscribe(&mut r, peer, 1, "{}", "com.t");
        peers.push(peer);
        ids.push(id);
    }
    let (p, pid) = join(&mut r);
    subscribe(&mut r, p, 1, "{}", "com.t");
    let [alice, bob, carol] = [ids[0], ids[1], ids[2]];
    let cases: Vec<(String, Vec<usize>)> = vec![
        (format!(r#"{{"exclude":[{alice}]}}"#), vec![1, 2]),
        (format!(r#"{{"eligible":[{alice},{bob}]}}"#), vec![0, 1]),
        (
            format!(r#"{{"eligible":[{alice},{bob},{carol}],"exclude":[{alice}]}}"#),
            vec![1, 2],
        ),
        (r#"{"exclude_authid":["bob"]}"#.into(), vec![0, 2]),
        (r#"{"eligible_authid":["carol","nobody"]}"#.into(), vec![2]),
        (r#"{"eligible_authrole":["user"]}"#.into(), vec![0, 1, 2]),
        (r#"{"exclude_authrole":["user"]}"#.into(), vec![]),
        (r#"{"eligible_authrole":["admin"]}"#.into(), vec![]),
        (r#"{"eligible":[]}"#.into(), vec![]),
        (
            format!(r#"{{"eligible":[{bob}],"eligible_authid":["alice"]}}"#),
            vec![],
        ),
        (
            format!(r#"{{"eligible_authid":["alice","bob"],"exclude":[{bob}]}}"#),
            vec![0],
        ),
        // The publisher itself: only with exclude_me false, and the lists still apply.
        (
            format!(r#"{{"exclude_me":false,"eligible":[{pid},{carol}]}}"#),
            vec![2, 3],
        ),
        (
            format!(r#"{{"exclude_me":false,"exclude":[{pid}]}}"#),
            vec![0, 1, 2],
        ),
    ];
    let everyone = [peers[0], peers[1], peers[2], p];
    for (i, (options, expected)) in cases.into_iter().enumerate() {
        let got: Vec<u64> = send(&mut r, p, &format!(r#"[16,{},{options},"com.t"]"#, i + 2))
            .into_iter()
            .map(|(to, _)| to)
            .collect();
        let want: Vec<u64> = expected.iter().map(|i| everyone[*i].0).collect();
        assert_eq!(got, want, "{options}");
    }
}

#[test]
fn retained_events_go_to_subscribers_that_ask_for_them() {
    let mut r = router();
    let (p, pid) = join(&mut r);
    let published = |r: &mut R, request: u64, options: &str, topic: &str, arg: u64| {
        let out = send(
            r,
            p,
            &format!(r#"[16,{request},{options},"{topic}",[{arg}]]"#),
        );
        let (_, last) = out.last().expect("PUBLISHED").clone();
        last.split(',')
            .nth(2)
            .unwrap()
            .trim_end_matches(']')
            .to_owned()
    };
    published(
        &mut r,
        1,
        r#"{"retain":true,"acknowledge":true}"#,
        "com.r",
        1,
    );
    let second = published(
        &mut r,
        2,
        r#"{"retain":true,"acknowledge":true}"#,
        "com.r",
        2,
    );
    // Not retained: does not replace the retained event.
    published(&mut r, 3, r#"{"acknowledge":true}"#, "com.r", 3);
    published(
        &mut r,
        4,
        r#"{"retain":true,"acknowledge":true}"#,
        "com.s.x",
        4,
    );

    let (a, _) = join(&mut r);
    assert_eq!(send(&mut r, a, r#"[32,1,{},"com.r"]"#).len(), 1);
    let out = r.handle(a, msg(r#"[32,2,{"get_retained":true},"com.r"]"#));
    let sub = match &show(&out)[0].1 {
        s if s.starts_with("[33,2,") => s[6..s.len() - 1].to_owned(),
        other => panic!("{other}"),
    };
    assert_eq!(
        show(&out),
        vec![
            (a.0, format!("[33,2,{sub}]")),
            (a.0, format!(r#"[36,{sub},"P",{{"retained":true}},[2]]"#)),
        ]
    );
    assert_eq!(publications(&out)[0].to_string(), second);

    // A pattern subscription gets every matching retained topic, with its topic.
    let out = send(
        &mut r,
        a,
        r#"[32,3,{"match":"prefix","get_retained":true},"com"]"#,
    );
    let sub = out[0].1[6..out[0].1.len() - 1].to_owned();
    assert_eq!(
        out[1..].to_vec(),
        vec![
            (
                a.0,
                format!(r#"[36,{sub},"P",{{"retained":true,"topic":"com.r"}},[2]]"#)
            ),
            (
                a.0,
                format!(r#"[36,{sub},"P",{{"retained":true,"topic":"com.s.x"}},[4]]"#)
            ),
        ]
    );

    // Eligibility is that of the original publication: the publisher was excluded, and a
    // session outside `eligible` stays outside.
    assert_eq!(
        send(&mut r, p, r#"[32,5,{"get_retained":true},"com.r"]"#).len(),
        1
    );
    let (b, bid) = join(&mut r);
    send(
        &mut r,
        p,
        &format!(r#"[16,6,{{"retain":true,"eligible":[{bid}]}},"com.e",["only b"]]"#),
    );
    assert_eq!(
        send(&mut r, a, r#"[32,4,{"get_retained":true},"com.e"]"#).len(),
        1
    );
    let out = send(&mut r, b, r#"[32,1,{"get_retained":true},"com.e"]"#);
    assert_eq!(out.len(), 2);
    assert!(out[1].1.ends_with(r#"{"retained":true},["only b"]]"#));
    // exclude_me:false lets the publisher have its own retained event.
    send(
        &mut r,
        p,
        r#"[16,7,{"retain":true,"exclude_me":false},"com.own",["mine"]]"#,
    );
    let out = send(&mut r, p, r#"[32,8,{"get_retained":true},"com.own"]"#);
    assert_eq!(out.len(), 2, "{out:?}");
    let _ = pid;
}

#[test]
fn revocation_tells_only_subscribers_that_announced_it() {
    let mut r = router();
    let (a, _, _) = join_with(
        &mut r,
        As {
            features: &["subscriber.subscription_revocation"],
            ..As::default()
        },
    );
    let (b, _) = join(&mut r);
    let (p, _) = join(&mut r);
    let sub = subscribe(&mut r, a, 1, "{}", "com.t");
    subscribe(&mut r, b, 1, "{}", "com.t");
    let other = subscribe(&mut r, b, 2, "{}", "com.other");
    let out = r.revoke_subscription(&Uri::from("realm1"), sub, Some("no longer authorized"));
    assert_eq!(
        show(&out),
        vec![(
            a.0,
            format!(r#"[35,0,{{"reason":"no longer authorized","subscription":{sub}}}]"#)
        )]
    );
    // Both are off the subscription; the other one stays.
    assert!(send(&mut r, p, r#"[16,1,{},"com.t"]"#).is_empty());
    assert_eq!(send(&mut r, p, r#"[16,2,{},"com.other"]"#).len(), 1);
    assert_eq!(
        send(&mut r, b, &format!("[34,3,{sub}]")),
        vec![(
            b.0,
            r#"[8,34,3,{},"wamp.error.no_such_subscription"]"#.to_owned()
        )]
    );
    // Without a reason; unknown subscription or realm: nothing.
    let sub = subscribe(&mut r, a, 2, "{}", "com.t");
    assert_eq!(
        show(&r.revoke_subscription(&Uri::from("realm1"), sub, None)),
        vec![(a.0, format!(r#"[35,0,{{"subscription":{sub}}}]"#))]
    );
    assert!(
        r.revoke_subscription(&Uri::from("realm1"), sub, None)
            .is_empty()
    );
    assert!(
        r.revoke_subscription(&Uri::from("nope"), other, None)
            .is_empty()
    );
}
