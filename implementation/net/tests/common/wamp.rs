//! Helpers for tests that drive our async WAMP client (against Crossbar or our router):
//! payload shorthands and bounded waits for events, invocations and answers.

use std::time::Duration;

use ampel_net::wamp::{
    CallHandle, CallOptions, CallReply, Client, Error, EventData, InvocationRequest, InvokePolicy,
    PublishOptions, RegisterOptions, Registration, Subscription,
};
use ampel_wamp::{Dict, Id, List, Value};

/// How long a test waits for something that must arrive.
pub const ARRIVES: Duration = Duration::from_secs(5);

pub fn session(c: &Client) -> Id {
    c.joined().session
}

pub fn args(values: &[u64]) -> List {
    values.iter().map(|v| Value::UInt(*v)).collect()
}

pub fn text(s: &str) -> Value {
    Value::Str(s.into())
}

/// The error URI of a call that must have failed with a WAMP ERROR.
pub fn application_error(r: Result<CallReply, Error>) -> String {
    match r {
        Err(Error::Application(e)) => e.error.as_str().to_owned(),
        other => panic!("expected an ERROR, got {other:?}"),
    }
}

pub async fn next_event(s: &mut Subscription) -> EventData {
    tokio::time::timeout(ARRIVES, s.next())
        .await
        .expect("no event within 5 s")
        .expect("subscription ended")
}

pub async fn next_invocation(r: &mut Registration) -> InvocationRequest {
    tokio::time::timeout(ARRIVES, r.next())
        .await
        .expect("no invocation within 5 s")
        .expect("registration ended")
}

/// Starts a call of `procedure` (registered by the callee) and returns it with the callee's
/// invocation.
pub async fn call_in_flight(
    caller: &Client,
    reg: &mut Registration,
    procedure: &str,
) -> (CallHandle, InvocationRequest) {
    let call = caller
        .start_call(procedure, CallOptions::default(), List::new(), Dict::new())
        .await
        .unwrap();
    let inv = next_invocation(reg).await;
    (call, inv)
}

/// Publishes `payload` with `options` and waits for the broker's acknowledgement.
pub async fn publish(c: &Client, topic: &str, options: PublishOptions, payload: &[u64]) {
    let options = PublishOptions {
        acknowledge: true,
        ..options
    };
    c.publish_with(topic, options, args(payload), Dict::new())
        .await
        .unwrap()
        .expect("acknowledged");
}

/// Registers `procedure` with `invoke`, answering every call with `name`.
pub async fn register_named(c: &Client, procedure: &str, invoke: InvokePolicy, name: &'static str) {
    let options = RegisterOptions {
        invoke: Some(invoke),
        ..RegisterOptions::default()
    };
    c.register_fn_with(procedure, options, move |_, _| async move {
        Ok((vec![text(name)], Dict::new()))
    })
    .await
    .unwrap();
}

/// Calls `procedure` `calls` times; the first argument of each answer, in order.
pub async fn who_answers(c: &Client, procedure: &str, calls: usize) -> Vec<Value> {
    let mut answers = Vec::new();
    for _ in 0..calls {
        let r = c.call(procedure, List::new(), Dict::new()).await.unwrap();
        answers.push(r.args[0].clone());
    }
    answers
}
