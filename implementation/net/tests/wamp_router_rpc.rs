//! Advanced RPC end to end: our router in a RouterServer on 127.0.0.1, raw WAMP peers sending
//! JSON messages over WebSocket and checking every message they get back — progressive
//! results, each cancel mode, a call timeout fired by the server's real timer, caller
//! identification, pattern and shared registrations, progressive invocations and the
//! registration meta API.

use std::time::{Duration, Instant};

mod common;

use ampel_net::wamp::{RouterServer, RouterServerConfig};
use common::raw::Peer;

async fn router() -> (RouterServer, String) {
    let mut server = RouterServer::start(RouterServerConfig::default());
    let ws = server
        .listen(&"ws://127.0.0.1:0/ws".parse().unwrap())
        .await
        .unwrap();
    (server, ws.to_string())
}

const CANCELING: &[&str] = &["call_canceling"];
const PROGRESSIVE: &[&str] = &["call_canceling", "progressive_call_results"];

#[tokio::test]
async fn progressive_results_and_every_cancel_mode() {
    let (_server, url) = router().await;
    let mut callee = Peer::join(&url, PROGRESSIVE).await;
    let mut plain = Peer::join(&url, &[]).await;
    let mut caller = Peer::join(&url, PROGRESSIVE).await;
    let reg = callee.register(1, "{}", "com.work").await;
    let plain_reg = plain.register(1, "{}", "com.plain").await;

    caller
        .send(r#"[48,1,{"receive_progress":true},"com.work",[1]]"#)
        .await;
    callee
        .expect(&format!(r#"[68,1,{reg},{{"receive_progress":true}},[1]]"#))
        .await;
    callee.send(r#"[70,1,{"progress":true},["half"]]"#).await;
    caller.expect(r#"[50,1,{"progress":true},["half"]]"#).await;
    callee.send(r#"[70,1,{},["all"]]"#).await;
    caller.expect(r#"[50,1,{},["all"]]"#).await;

    // skip: answered at once, the callee is not told, its late answer is dropped.
    caller.send(r#"[48,2,{},"com.work"]"#).await;
    callee.expect(&format!("[68,2,{reg},{{}}]")).await;
    caller.send(r#"[49,2,{"mode":"skip"}]"#).await;
    caller.expect(r#"[8,48,2,{},"wamp.error.canceled"]"#).await;
    callee.quiet().await;
    callee.send("[70,2,{}]").await;
    caller.quiet().await;

    // kill: INTERRUPT, then the callee's answer reaches the caller.
    caller.send(r#"[48,3,{},"com.work"]"#).await;
    callee.expect(&format!("[68,3,{reg},{{}}]")).await;
    caller.send(r#"[49,3,{"mode":"kill"}]"#).await;
    callee.expect(r#"[69,3,{"mode":"kill"}]"#).await;
    caller.quiet().await;
    callee.send(r#"[8,68,3,{},"wamp.error.canceled"]"#).await;
    caller.expect(r#"[8,48,3,{},"wamp.error.canceled"]"#).await;

    // killnowait: answered at once and INTERRUPT.
    caller.send(r#"[48,4,{},"com.work"]"#).await;
    callee.expect(&format!("[68,4,{reg},{{}}]")).await;
    caller.send(r#"[49,4,{"mode":"killnowait"}]"#).await;
    caller.expect(r#"[8,48,4,{},"wamp.error.canceled"]"#).await;
    callee.expect(r#"[69,4,{"mode":"killnowait"}]"#).await;
    callee.send("[70,4,{}]").await;
    caller.quiet().await;

    // A callee without call_canceling: any mode is skip.
    caller.send(r#"[48,5,{},"com.plain"]"#).await;
    plain.expect(&format!("[68,1,{plain_reg},{{}}]")).await;
    caller.send(r#"[49,5,{"mode":"kill"}]"#).await;
    caller.expect(r#"[8,48,5,{},"wamp.error.canceled"]"#).await;
    plain.quiet().await;
}

#[tokio::test]
async fn call_timeout_fires_in_milliseconds() {
    let (_server, url) = router().await;
    let mut callee = Peer::join(&url, CANCELING).await;
    let mut caller = Peer::join(&url, &[]).await;
    let reg = callee.register(1, "{}", "com.slow").await;
    let started = Instant::now();
    caller.send(r#"[48,1,{"timeout":300},"com.slow"]"#).await;
    callee.expect(&format!("[68,1,{reg},{{}}]")).await;
    caller.expect(r#"[8,48,1,{},"wamp.error.timeout"]"#).await;
    let took = started.elapsed();
    // Milliseconds, not seconds (Crossbar's reading).
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(2),
        "{took:?}"
    );
    callee.expect(r#"[69,1,{"mode":"killnowait"}]"#).await;
    callee.send("[70,1,{}]").await;
    caller.quiet().await;

    // Answered in time: the timer fires later and changes nothing.
    caller.send(r#"[48,2,{"timeout":200},"com.slow"]"#).await;
    callee.expect(&format!("[68,2,{reg},{{}}]")).await;
    callee.send("[70,2,{},[7]]").await;
    caller.expect("[50,2,{},[7]]").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    caller.quiet().await;
    callee.quiet().await;

    // forward_timeout: the callee gets the timeout and enforces it.
    let fwd = callee
        .register(2, r#"{"forward_timeout":true}"#, "com.fwd")
        .await;
    caller.send(r#"[48,3,{"timeout":100},"com.fwd"]"#).await;
    callee
        .expect(&format!(r#"[68,3,{fwd},{{"timeout":100}}]"#))
        .await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    caller.quiet().await;
    callee.send(r#"[8,68,3,{},"wamp.error.timeout"]"#).await;
    caller.expect(r#"[8,48,3,{},"wamp.error.timeout"]"#).await;
}

#[tokio::test]
async fn identification_patterns_and_shared_registrations() {
    let (_server, url) = router().await;
    let mut a = Peer::join(&url, &[]).await;
    let mut b = Peer::join(&url, &[]).await;
    let mut caller = Peer::join(&url, &[]).await;
    let id = caller.session;

    let prefix = a.register(1, r#"{"match":"prefix"}"#, "com.p").await;
    caller
        .send(r#"[48,1,{"disclose_me":true},"com.p.x.y",[1]]"#)
        .await;
    a.expect(&format!(
        r#"[68,1,{prefix},{{"caller":{id},"caller_authid":"anonymous-{id}","caller_authrole":"anonymous","procedure":"com.p.x.y"}},[1]]"#
    ))
    .await;
    a.send("[70,1,{}]").await;
    caller.expect("[50,1,{}]").await;

    let rr = a.register(2, r#"{"invoke":"roundrobin"}"#, "com.rr").await;
    assert_eq!(
        b.register(1, r#"{"invoke":"roundrobin"}"#, "com.rr").await,
        rr
    );
    b.send(r#"[64,2,{"invoke":"last"},"com.rr"]"#).await;
    b.expect(r#"[8,64,2,{},"wamp.error.procedure_already_exists"]"#)
        .await;
    for request in 2..6 {
        caller
            .send(&format!(r#"[48,{request},{{}},"com.rr"]"#))
            .await;
        let callee = if request % 2 == 0 { &mut a } else { &mut b };
        let invocation = callee.recv().await;
        assert!(invocation.starts_with("[68,"), "{invocation}");
        let inv = invocation.split(',').nth(1).unwrap().to_owned();
        callee.send(&format!("[70,{inv},{{}}]")).await;
        caller.expect(&format!("[50,{request},{{}}]")).await;
    }

    // Registration meta API: a procedure and an event.
    caller
        .send(&format!(
            r#"[48,6,{{}},"wamp.registration.count_callees",[{rr}]]"#
        ))
        .await;
    caller.expect("[50,6,{},[2]]").await;
    caller
        .send(r#"[32,7,{},"wamp.registration.on_unregister"]"#)
        .await;
    let subscribed = caller.recv().await;
    let sub = subscribed
        .trim_end_matches(']')
        .rsplit(',')
        .next()
        .unwrap()
        .to_owned();
    b.send(&format!("[66,3,{rr}]")).await;
    b.expect("[67,3]").await;
    let event = caller.recv().await;
    assert!(
        event.starts_with(&format!("[36,{sub},"))
            && event.ends_with(&format!(",{{}},[{},{rr}]]", b.session)),
        "{event}"
    );
}

#[tokio::test]
async fn progressive_call_invocations() {
    let (_server, url) = router().await;
    let streaming = &["call_canceling", "progressive_call_invocations"];
    let mut callee = Peer::join(&url, streaming).await;
    let mut caller = Peer::join(&url, streaming).await;
    let reg = callee.register(1, "{}", "com.upload").await;
    caller
        .send(r#"[48,1,{"progress":true},"com.upload",["a"]]"#)
        .await;
    callee
        .expect(&format!(r#"[68,1,{reg},{{"progress":true}},["a"]]"#))
        .await;
    caller.send(r#"[48,1,{},"com.upload",["b"]]"#).await;
    callee.expect(&format!(r#"[68,1,{reg},{{}},["b"]]"#)).await;
    callee.send(r#"[70,1,{},["ab"]]"#).await;
    caller.expect(r#"[50,1,{},["ab"]]"#).await;
}
