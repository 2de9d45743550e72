//! Our async client against our router (a RouterServer on 127.0.0.1, WebSocket), one test
//! per advanced feature, asserting what the spec says. Where the client cannot express
//! something (a callee without call_canceling), a raw JSON peer (`common/raw.rs`) stands in.

mod common;

use std::future::Future;
use std::time::{Duration, Instant};

use ampel_net::wamp::{
    CallOptions, CancelMode, Client, Error, InvokePolicy, MatchPolicy, PublishOptions,
    RegisterOptions, Registration, RouterServer, RouterServerConfig, SubscribeOptions,
};
use ampel_wamp::{Dict, Id, List, Serialization, Value};
use common::raw::Peer;
use common::wamp::{
    ARRIVES, application_error, args, call_in_flight, next_event, next_invocation, publish,
    register_named, session, text, who_answers,
};

const LIMIT: Duration = Duration::from_secs(20);
/// How long "nothing arrives" is watched for.
const QUIET: Duration = Duration::from_millis(400);

/// Runs `body` with a fresh router, its WebSocket URL and `clients` sessions on it, within
/// [`LIMIT`].
async fn with_router<F, Fut>(clients: usize, body: F)
where
    F: FnOnce(String, Vec<Client>) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut server = RouterServer::start(RouterServerConfig::default());
    let url = server
        .listen(&"ws://127.0.0.1:0/ws".parse().unwrap())
        .await
        .unwrap()
        .to_string();
    tokio::time::timeout(LIMIT, async {
        let mut list = Vec::new();
        for _ in 0..clients {
            list.push(connect(&url).await);
        }
        body(url, list).await;
    })
    .await
    .expect("test exceeded its time bound");
    server.shutdown();
}

async fn connect(url: &str) -> Client {
    Client::connect(url, "realm1", Serialization::Json)
        .await
        .expect("join our router")
}

fn authid(c: &Client) -> String {
    c.joined().details["authid"].as_str().unwrap().to_owned()
}

fn dict(pairs: &[(&str, Value)]) -> Dict {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn id(session: Id) -> Value {
    Value::UInt(session.get())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progressive_call_results() {
    with_router(2, |_, c| async move {
        let mut reg = c[0].register("com.progressive").await.unwrap();
        let callee = tokio::spawn(async move {
            let inv = next_invocation(&mut reg).await;
            assert_eq!(
                inv.details,
                dict(&[("receive_progress", Value::Bool(true))])
            );
            for n in 1..=3 {
                inv.progress(args(&[n]), Dict::new()).unwrap();
            }
            inv.reply(args(&[100]), Dict::new());
            // Without receive_progress the dealer does not ask for progress.
            let inv = next_invocation(&mut reg).await;
            assert_eq!(inv.details, Dict::new());
            inv.reply(args(&[7]), Dict::new());
        });
        let options = CallOptions {
            receive_progress: true,
            ..CallOptions::default()
        };
        let mut call = c[1]
            .start_call("com.progressive", options, List::new(), Dict::new())
            .await
            .unwrap();
        let mut progress = Vec::new();
        while let Some(p) = call.progress().await {
            assert_eq!(p.details, dict(&[("progress", Value::Bool(true))]));
            progress.push(p.args);
        }
        assert_eq!(progress, [args(&[1]), args(&[2]), args(&[3])]);
        let last = call.result().await.unwrap();
        assert_eq!((last.args, last.details), (args(&[100]), Dict::new()));
        let plain = c[1]
            .call("com.progressive", List::new(), Dict::new())
            .await
            .unwrap();
        assert_eq!(plain.args, args(&[7]));
        callee.await.unwrap();
    })
    .await;
}

/// The callee of `reg` still serves calls after a cancel: the next call gets its answer.
async fn still_serves(caller: &Client, reg: &mut Registration, procedure: &str) {
    let (call, inv) = call_in_flight(caller, reg, procedure).await;
    inv.reply(args(&[77]), Dict::new());
    assert_eq!(call.result().await.unwrap().args, args(&[77]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_canceling_skip() {
    with_router(2, |_, c| async move {
        let procedure = "com.cancel.skip";
        let mut reg = c[0].register(procedure).await.unwrap();
        let (call, mut inv) = call_in_flight(&c[1], &mut reg, procedure).await;
        call.cancel(CancelMode::Skip).await.unwrap();
        // Answered at once, without waiting for the callee.
        let result = tokio::time::timeout(ARRIVES, call.result())
            .await
            .expect("skip answers the caller at once");
        assert_eq!(application_error(result), "wamp.error.canceled");
        // The callee is not told; its late answer is discarded without harm.
        assert!(
            tokio::time::timeout(QUIET, inv.interrupted())
                .await
                .is_err(),
            "INTERRUPT under skip"
        );
        inv.reply(args(&[9]), Dict::new());
        still_serves(&c[1], &mut reg, procedure).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_canceling_kill() {
    with_router(2, |_, c| async move {
        let procedure = "com.cancel.kill";
        let mut reg = c[0].register(procedure).await.unwrap();

        // The callee is interrupted; the caller waits for its answer, here a RESULT.
        let (call, mut inv) = call_in_flight(&c[1], &mut reg, procedure).await;
        call.cancel(CancelMode::Kill).await.unwrap();
        assert_eq!(inv.interrupted().await, CancelMode::Kill);
        let result = call.result();
        tokio::pin!(result);
        assert!(
            tokio::time::timeout(QUIET, &mut result).await.is_err(),
            "kill answered the caller before the callee did"
        );
        inv.reply(args(&[5]), Dict::new());
        assert_eq!(result.await.unwrap().args, args(&[5]));

        // A callee that gives up answers canceled, which reaches the caller.
        let (call, mut inv) = call_in_flight(&c[1], &mut reg, procedure).await;
        call.cancel(CancelMode::Kill).await.unwrap();
        assert_eq!(inv.interrupted().await, CancelMode::Kill);
        drop(inv);
        assert_eq!(
            application_error(call.result().await),
            "wamp.error.canceled"
        );
        still_serves(&c[1], &mut reg, procedure).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_canceling_killnowait() {
    with_router(2, |_, c| async move {
        let procedure = "com.cancel.killnowait";
        let mut reg = c[0].register(procedure).await.unwrap();
        let (call, mut inv) = call_in_flight(&c[1], &mut reg, procedure).await;
        call.cancel(CancelMode::KillNoWait).await.unwrap();
        let result = tokio::time::timeout(ARRIVES, call.result())
            .await
            .expect("killnowait answers the caller at once");
        assert_eq!(application_error(result), "wamp.error.canceled");
        assert_eq!(inv.interrupted().await, CancelMode::KillNoWait);
        inv.reply(args(&[1]), Dict::new());
        still_serves(&c[1], &mut reg, procedure).await;
    })
    .await;
}

/// A callee that did not announce call_canceling (our client always does, so a raw peer):
/// every mode acts as skip — the caller is answered at once and the callee never gets
/// INTERRUPT; its late answer is dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_canceling_toward_a_callee_without_it() {
    with_router(1, |url, c| async move {
        let mut callee = Peer::join(&url, &[]).await;
        let reg = callee.register(1, "{}", "com.cancel.plain").await;
        for (request, mode) in [(1, CancelMode::Kill), (2, CancelMode::KillNoWait)] {
            let call = c[0]
                .start_call(
                    "com.cancel.plain",
                    CallOptions::default(),
                    List::new(),
                    Dict::new(),
                )
                .await
                .unwrap();
            callee.expect(&format!("[68,{request},{reg},{{}}]")).await;
            call.cancel(mode).await.unwrap();
            let result = tokio::time::timeout(ARRIVES, call.result())
                .await
                .expect("answered at once");
            assert_eq!(application_error(result), "wamp.error.canceled");
            callee.quiet_for(QUIET).await;
            callee.send(&format!("[70,{request},{{}},[1]]")).await;
        }
        // The dropped answers left both sessions working.
        let call = c[0]
            .start_call(
                "com.cancel.plain",
                CallOptions::default(),
                List::new(),
                Dict::new(),
            )
            .await
            .unwrap();
        callee.expect(&format!("[68,3,{reg},{{}}]")).await;
        callee.send("[70,3,{},[2]]").await;
        assert_eq!(call.result().await.unwrap().args, args(&[2]));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_timeout_in_milliseconds() {
    with_router(2, |_, c| async move {
        let procedure = "com.slow";
        let mut reg = c[0].register(procedure).await.unwrap();
        let options = CallOptions {
            timeout: Some(Duration::from_millis(300)),
            ..CallOptions::default()
        };
        let started = Instant::now();
        let call = c[1]
            .start_call(procedure, options.clone(), List::new(), Dict::new())
            .await
            .unwrap();
        let mut inv = next_invocation(&mut reg).await;
        // The dealer enforces the timeout itself: nothing is forwarded.
        assert_eq!(inv.details, Dict::new());
        assert_eq!(application_error(call.result().await), "wamp.error.timeout");
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(300) && took < Duration::from_secs(2),
            "{took:?}"
        );
        assert_eq!(inv.interrupted().await, CancelMode::KillNoWait);

        // Answered in time: the result, and the timer changes nothing afterwards.
        let call = c[1]
            .start_call(procedure, options, List::new(), Dict::new())
            .await
            .unwrap();
        next_invocation(&mut reg)
            .await
            .reply(args(&[3]), Dict::new());
        assert_eq!(call.result().await.unwrap().args, args(&[3]));
        tokio::time::sleep(QUIET).await;
        still_serves(&c[1], &mut reg, procedure).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caller_identification() {
    with_router(2, |_, c| async move {
        let identity = dict(&[
            ("caller", id(session(&c[1]))),
            ("caller_authid", text(&authid(&c[1]))),
            ("caller_authrole", text("anonymous")),
        ]);
        let mut plain = c[0].register("com.ident.plain").await.unwrap();
        let disclosing = RegisterOptions {
            disclose_caller: true,
            ..RegisterOptions::default()
        };
        let mut disclosed = c[0]
            .register_with("com.ident.disclosed", disclosing)
            .await
            .unwrap();
        let disclose_me = CallOptions {
            disclose_me: true,
            ..CallOptions::default()
        };
        let cases = [
            ("com.ident.plain", CallOptions::default(), Dict::new()),
            ("com.ident.plain", disclose_me, identity.clone()),
            ("com.ident.disclosed", CallOptions::default(), identity),
        ];
        for (procedure, options, expected) in cases {
            let call = c[1]
                .start_call(procedure, options, List::new(), Dict::new())
                .await
                .unwrap();
            let reg = if procedure == "com.ident.plain" {
                &mut plain
            } else {
                &mut disclosed
            };
            let inv = next_invocation(reg).await;
            assert_eq!(inv.details, expected, "{procedure}");
            inv.reply(List::new(), Dict::new());
            call.result().await.unwrap();
        }
    })
    .await;
}

/// Answers every invocation of `reg` with `[name, details.procedure or ""]`.
fn answer_as(mut reg: Registration, name: &'static str) {
    tokio::spawn(async move {
        while let Some(inv) = reg.next().await {
            let procedure = text(inv.procedure().unwrap_or(""));
            inv.reply(vec![text(name), procedure], Dict::new());
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pattern_based_registration() {
    with_router(2, |_, c| async move {
        let with = |policy| RegisterOptions {
            match_policy: Some(policy),
            ..RegisterOptions::default()
        };
        let registrations = [
            ("com.p", MatchPolicy::Prefix, "prefix"),
            ("com.p.long", MatchPolicy::Prefix, "long prefix"),
            ("com.p.exact", MatchPolicy::Exact, "exact"),
            ("com.p..get", MatchPolicy::Wildcard, "wildcard"),
            ("com.w..get", MatchPolicy::Wildcard, "wildcard w"),
            ("com.w.a.", MatchPolicy::Wildcard, "wildcard w.a"),
        ];
        for (uri, policy, name) in registrations {
            answer_as(c[0].register_with(uri, with(policy)).await.unwrap(), name);
        }
        // (procedure, who answers, details.procedure) in the spec's precedence: exact, then
        // the longest prefix, then wildcards (longer literal runs first, from the left).
        let expected = [
            ("com.p.exact", "exact", ""),
            ("com.p.x", "prefix", "com.p.x"),
            ("com.p.long.x", "long prefix", "com.p.long.x"),
            // Prefixes match whole components (see ampel_wamp::pattern).
            ("com.p.longer", "prefix", "com.p.longer"),
            ("com.p.x.get", "prefix", "com.p.x.get"),
            ("com.w.x.get", "wildcard w", "com.w.x.get"),
            ("com.w.a.get", "wildcard w.a", "com.w.a.get"),
        ];
        for (procedure, name, detail) in expected {
            let r = c[1]
                .call(procedure, List::new(), Dict::new())
                .await
                .unwrap();
            assert_eq!(r.args, vec![text(name), text(detail)], "{procedure}");
        }
        let missing = c[1].call("com.q.x", List::new(), Dict::new()).await;
        assert_eq!(application_error(missing), "wamp.error.no_such_procedure");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_registration() {
    with_router(4, |_, c| async move {
        let rr = "com.shared.rr";
        register_named(&c[0], rr, InvokePolicy::RoundRobin, "a").await;
        register_named(&c[1], rr, InvokePolicy::RoundRobin, "b").await;
        register_named(&c[2], rr, InvokePolicy::RoundRobin, "c").await;
        let abc = [text("a"), text("b"), text("c")];
        let expected: Vec<Value> = abc.iter().cycle().take(6).cloned().collect();
        assert_eq!(who_answers(&c[3], rr, 6).await, expected);

        let first = "com.shared.first";
        let last = "com.shared.last";
        let random = "com.shared.random";
        for (client, name) in c[..3].iter().zip(["a", "b", "c"]) {
            register_named(client, first, InvokePolicy::First, name).await;
            register_named(client, last, InvokePolicy::Last, name).await;
            register_named(client, random, InvokePolicy::Random, name).await;
        }
        assert_eq!(who_answers(&c[3], first, 3).await, vec![text("a"); 3]);
        assert_eq!(who_answers(&c[3], last, 3).await, vec![text("c"); 3]);
        // 60 draws miss one of three callees with probability 3 * (2/3)^60 < 1e-10.
        let mut drawn = who_answers(&c[3], random, 60).await;
        drawn.sort_by_key(|v| v.as_str().unwrap().to_owned());
        drawn.dedup();
        assert_eq!(drawn, abc);

        // Another policy, or a second callee on a single registration, is refused.
        for (procedure, invoke) in [
            (rr, Some(InvokePolicy::Random)),
            (rr, None),
            (first, Some(InvokePolicy::Last)),
        ] {
            let options = RegisterOptions {
                invoke,
                ..RegisterOptions::default()
            };
            match c[3].register_with(procedure, options).await {
                Err(Error::Application(e)) => {
                    assert_eq!(e.error.as_str(), "wamp.error.procedure_already_exists")
                }
                other => panic!("{procedure} {invoke:?}: expected an ERROR, got {other:?}"),
            }
        }
        c[0].register("com.shared.single").await.unwrap();
        let options = RegisterOptions {
            invoke: Some(InvokePolicy::Single),
            ..RegisterOptions::default()
        };
        match c[1].register_with("com.shared.single", options).await {
            Err(Error::Application(e)) => {
                assert_eq!(e.error.as_str(), "wamp.error.procedure_already_exists")
            }
            other => panic!("expected an ERROR, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publisher_exclusion() {
    with_router(2, |_, c| async move {
        let topic = "com.exclusion";
        let mut own = c[0].subscribe(topic).await.unwrap();
        let mut other = c[1].subscribe(topic).await.unwrap();
        let exclude_me = |v| PublishOptions {
            exclude_me: v,
            ..PublishOptions::default()
        };
        publish(&c[0], topic, exclude_me(None), &[1]).await;
        publish(&c[0], topic, exclude_me(Some(false)), &[2]).await;
        publish(&c[0], topic, exclude_me(Some(true)), &[3]).await;
        publish(&c[0], topic, exclude_me(Some(false)), &[4]).await;
        for n in 1..=4 {
            assert_eq!(next_event(&mut other).await.args, args(&[n]));
        }
        assert_eq!(next_event(&mut own).await.args, args(&[2]));
        assert_eq!(next_event(&mut own).await.args, args(&[4]));
        assert!(tokio::time::timeout(QUIET, own.next()).await.is_err());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publisher_identification() {
    with_router(2, |_, c| async move {
        let topic = "com.identified";
        let mut sub = c[1].subscribe(topic).await.unwrap();
        publish(&c[0], topic, PublishOptions::default(), &[1]).await;
        let disclose_me = PublishOptions {
            disclose_me: true,
            ..PublishOptions::default()
        };
        publish(&c[0], topic, disclose_me, &[2]).await;
        let e = next_event(&mut sub).await;
        assert_eq!((e.args, e.details), (args(&[1]), Dict::new()));
        let e = next_event(&mut sub).await;
        assert_eq!(e.publisher(), Some(session(&c[0])));
        assert_eq!(
            e.details,
            dict(&[
                ("publisher", id(session(&c[0]))),
                ("publisher_authid", text(&authid(&c[0]))),
                ("publisher_authrole", text("anonymous")),
            ])
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriber_blackwhite_listing() {
    with_router(4, |_, c| async move {
        let topic = "com.listing";
        let mut subs = Vec::new();
        for client in &c[1..] {
            subs.push(client.subscribe(topic).await.unwrap());
        }
        let (a, b) = (session(&c[1]), session(&c[2]));
        // Anonymous sessions get distinct authids from our router; all share one authrole.
        let (authid_a, authid_b) = (authid(&c[1]), authid(&c[2]));
        assert_ne!(authid_a, authid_b);
        let list = |l: &[&String]| l.iter().map(|s| (*s).clone()).collect::<Vec<_>>();
        let anonymous = vec!["anonymous".to_owned()];
        let cases: Vec<(PublishOptions, [bool; 3])> = vec![
            (
                PublishOptions {
                    exclude: vec![a],
                    ..PublishOptions::default()
                },
                [false, true, true],
            ),
            (
                PublishOptions {
                    eligible: Some(vec![a, b]),
                    ..PublishOptions::default()
                },
                [true, true, false],
            ),
            (
                PublishOptions {
                    eligible: Some(vec![a, b]),
                    exclude: vec![b],
                    ..PublishOptions::default()
                },
                [true, false, false],
            ),
            (
                PublishOptions {
                    exclude_authid: list(&[&authid_b]),
                    ..PublishOptions::default()
                },
                [true, false, true],
            ),
            (
                PublishOptions {
                    eligible_authid: Some(list(&[&authid_a, &authid_b])),
                    exclude_authid: list(&[&authid_a]),
                    ..PublishOptions::default()
                },
                [false, true, false],
            ),
            (
                PublishOptions {
                    exclude_authrole: anonymous.clone(),
                    ..PublishOptions::default()
                },
                [false, false, false],
            ),
            (
                PublishOptions {
                    eligible_authrole: Some(anonymous),
                    exclude: vec![b],
                    ..PublishOptions::default()
                },
                [true, false, true],
            ),
            (
                PublishOptions {
                    eligible_authrole: Some(vec!["admin".to_owned()]),
                    ..PublishOptions::default()
                },
                [false, false, false],
            ),
        ];
        for (n, (options, expected)) in cases.into_iter().enumerate() {
            let n = n as u64;
            publish(&c[0], topic, options, &[n]).await;
            // A marker to everyone: whoever sees it first did not get the listed event.
            publish(&c[0], topic, PublishOptions::default(), &[1000 + n]).await;
            for (i, (sub, delivered)) in subs.iter_mut().zip(expected).enumerate() {
                let first = next_event(sub).await;
                if delivered {
                    assert_eq!(first.args, args(&[n]), "case {n}, subscriber {i}");
                    assert_eq!(next_event(sub).await.args, args(&[1000 + n]));
                } else {
                    assert_eq!(first.args, args(&[1000 + n]), "case {n}, subscriber {i}");
                }
            }
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pattern_based_subscription() {
    with_router(2, |_, c| async move {
        let with = |policy| SubscribeOptions {
            match_policy: Some(policy),
            ..SubscribeOptions::default()
        };
        let mut by_prefix = c[1]
            .subscribe_with("com.ps", with(MatchPolicy::Prefix))
            .await
            .unwrap();
        let mut by_wildcard = c[1]
            .subscribe_with("com.ps..update", with(MatchPolicy::Wildcard))
            .await
            .unwrap();
        let mut exact = c[1].subscribe("com.ps.a.update").await.unwrap();
        publish(&c[0], "com.ps.a.update", PublishOptions::default(), &[1]).await;
        publish(&c[0], "com.ps.b.delete", PublishOptions::default(), &[2]).await;
        // One event per matching subscription; pattern ones say which topic it was.
        let topic = |t: &str| dict(&[("topic", text(t))]);
        let e = next_event(&mut by_prefix).await;
        assert_eq!((e.args, e.details), (args(&[1]), topic("com.ps.a.update")));
        let e = next_event(&mut by_prefix).await;
        assert_eq!((e.args, e.details), (args(&[2]), topic("com.ps.b.delete")));
        let e = next_event(&mut by_wildcard).await;
        assert_eq!((e.args, e.details), (args(&[1]), topic("com.ps.a.update")));
        let e = next_event(&mut exact).await;
        assert_eq!((e.args, e.details), (args(&[1]), Dict::new()));
        for sub in [&mut by_prefix, &mut by_wildcard, &mut exact] {
            assert!(tokio::time::timeout(QUIET, sub.next()).await.is_err());
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_retention() {
    with_router(4, |_, c| async move {
        let topic = "com.retained";
        let retain = PublishOptions {
            retain: true,
            ..PublishOptions::default()
        };
        let get_retained = SubscribeOptions {
            get_retained: true,
            ..SubscribeOptions::default()
        };
        publish(&c[0], topic, retain.clone(), &[41]).await;
        publish(&c[0], topic, retain, &[42]).await;
        // Only the latest retained event is replayed, marked retained.
        let mut late = c[1]
            .subscribe_with(topic, get_retained.clone())
            .await
            .unwrap();
        let e = next_event(&mut late).await;
        assert_eq!(e.args, args(&[42]));
        assert_eq!(e.details, dict(&[("retained", Value::Bool(true))]));
        assert!(tokio::time::timeout(QUIET, late.next()).await.is_err());
        // Without get_retained nothing is replayed; a plain publication is not retained.
        let mut plain = c[2].subscribe(topic).await.unwrap();
        assert!(tokio::time::timeout(QUIET, plain.next()).await.is_err());
        publish(&c[0], topic, PublishOptions::default(), &[43]).await;
        let e = next_event(&mut plain).await;
        assert_eq!((e.retained(), e.args), (false, args(&[43])));
        let mut later = c[3].subscribe_with(topic, get_retained).await.unwrap();
        assert_eq!(next_event(&mut later).await.args, args(&[42]));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_revocation() {
    with_router(3, |_, c| async move {
        let procedure = "com.revoked.proc";
        let mut reg = c[0].register(procedure).await.unwrap();
        let registration = id(reg.id());
        let removed = c[2]
            .call(
                "wamp.registration.remove_callee",
                vec![registration.clone(), id(session(&c[0]))],
                dict(&[("reason", text("com.moved"))]),
            )
            .await
            .unwrap();
        assert_eq!((removed.args, removed.kwargs), (List::new(), Dict::new()));
        let end = tokio::time::timeout(ARRIVES, reg.next())
            .await
            .expect("the revocation ends the registration");
        assert!(end.is_none());
        let revocation = reg.revoked().expect("reported");
        assert_eq!(revocation.reason.as_deref(), Some("com.moved"));
        let gone = c[1].call(procedure, List::new(), Dict::new()).await;
        assert_eq!(application_error(gone), "wamp.error.no_such_procedure");
        let again = c[2]
            .call(
                "wamp.registration.remove_callee",
                vec![registration, id(session(&c[0]))],
                Dict::new(),
            )
            .await;
        assert_eq!(application_error(again), "wamp.error.no_such_registration");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscription_revocation() {
    with_router(3, |_, c| async move {
        let topic = "com.revoked.topic";
        let mut revoked = c[0].subscribe(topic).await.unwrap();
        let mut kept = c[1].subscribe(topic).await.unwrap();
        assert_eq!(revoked.id(), kept.id());
        c[2].call(
            "wamp.subscription.remove_subscriber",
            vec![id(revoked.id()), id(session(&c[0]))],
            dict(&[("reason", text("com.banned"))]),
        )
        .await
        .unwrap();
        let end = tokio::time::timeout(ARRIVES, revoked.next())
            .await
            .expect("the revocation ends the subscription");
        assert!(end.is_none());
        let revocation = revoked.revoked().expect("reported");
        assert_eq!(revocation.reason.as_deref(), Some("com.banned"));
        // The other subscriber keeps the subscription.
        publish(&c[2], topic, PublishOptions::default(), &[1]).await;
        assert_eq!(next_event(&mut kept).await.args, args(&[1]));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_meta_api() {
    with_router(1, |url, c| async move {
        let observer = &c[0];
        let mut joins = observer.subscribe("wamp.session.on_join").await.unwrap();
        let mut leaves = observer.subscribe("wamp.session.on_leave").await.unwrap();
        let call = |procedure: &'static str, args: List, kwargs: Dict| {
            observer.call(procedure, args, kwargs)
        };

        let newcomer = connect(&url).await;
        let newcomer_id = session(&newcomer);
        let details = dict(&[
            ("session", id(newcomer_id)),
            ("authid", text(&authid(&newcomer))),
            ("authrole", text("anonymous")),
            ("authmethod", text("anonymous")),
            ("authprovider", text("static")),
        ]);
        assert_eq!(
            next_event(&mut joins).await.args,
            vec![Value::Dict(details.clone())]
        );
        let count = call("wamp.session.count", List::new(), Dict::new()).await;
        assert_eq!(count.unwrap().args, args(&[2]));
        let list = call("wamp.session.list", List::new(), Dict::new()).await;
        let mut listed = list.unwrap().args[0].as_list().unwrap().to_vec();
        listed.sort_by_key(|v| v.as_u64());
        let mut expected = vec![id(session(observer)), id(newcomer_id)];
        expected.sort_by_key(|v| v.as_u64());
        assert_eq!(listed, expected);
        let got = call("wamp.session.get", vec![id(newcomer_id)], Dict::new()).await;
        assert_eq!(got.unwrap().args, vec![Value::Dict(details)]);
        let missing = call("wamp.session.get", vec![Value::UInt(1)], Dict::new()).await;
        assert_eq!(application_error(missing), "wamp.error.no_such_session");

        newcomer.leave().await.unwrap();
        assert_eq!(
            next_event(&mut leaves).await.args,
            vec![id(newcomer_id), text(&authid(&newcomer)), text("anonymous")]
        );
        let count = call("wamp.session.count", List::new(), Dict::new()).await;
        assert_eq!(count.unwrap().args, args(&[1]));

        // kill: the victim's session ends with the killer's reason and message, which its
        // pending call reports; the call's callee is interrupted (the caller left).
        let victim = connect(&url).await;
        let victim_id = session(&victim);
        next_event(&mut joins).await;
        let mut reg = observer.register("com.meta.pending").await.unwrap();
        let pending = victim
            .start_call(
                "com.meta.pending",
                CallOptions::default(),
                List::new(),
                Dict::new(),
            )
            .await
            .unwrap();
        let mut inv = next_invocation(&mut reg).await;
        let self_kill = call(
            "wamp.session.kill",
            vec![id(session(observer))],
            Dict::new(),
        )
        .await;
        assert_eq!(application_error(self_kill), "wamp.error.no_such_session");
        let killed = call(
            "wamp.session.kill",
            vec![id(victim_id)],
            dict(&[("reason", text("com.kicked")), ("message", text("out"))]),
        )
        .await;
        assert_eq!(killed.unwrap().args, List::new());
        match pending.result().await {
            Err(Error::SessionEnded { reason, message }) => {
                assert_eq!(
                    (reason.as_str(), message.as_deref()),
                    ("com.kicked", Some("out"))
                )
            }
            other => panic!("expected the session to end, got {other:?}"),
        }
        assert_eq!(inv.interrupted().await, CancelMode::KillNoWait);
        assert_eq!(next_event(&mut leaves).await.args[0], id(victim_id));
        let count = call("wamp.session.count", List::new(), Dict::new()).await;
        assert_eq!(count.unwrap().args, args(&[1]));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn testament_on_lost_transport() {
    with_router(2, |_, mut c| async move {
        let mut will = c[1].subscribe("com.will").await.unwrap();
        let testator = c.remove(0);
        let added = testator
            .call(
                "wamp.session.add_testament",
                vec![
                    text("com.will"),
                    Value::List(vec![text("bye")]),
                    Value::Dict(dict(&[("who", text("x"))])),
                ],
                Dict::new(),
            )
            .await
            .unwrap();
        assert_eq!(added.args, List::new());
        assert!(tokio::time::timeout(QUIET, will.next()).await.is_err());
        // Dropping the last handle closes the connection without GOODBYE.
        drop(testator);
        let e = next_event(&mut will).await;
        assert_eq!(
            (e.args, e.kwargs),
            (vec![text("bye")], dict(&[("who", text("x"))]))
        );
    })
    .await;
}
