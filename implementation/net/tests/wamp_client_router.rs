//! Our WAMP client against our router, over RawSocket and WebSocket with every serialization
//! each transport offers: sessions, pub/sub, RPC and the errors a caller sees.

use std::time::Duration;

use ampel_net::wamp::{
    ApplicationError, Client, Endpoint, Error, RouterServer, RouterServerConfig,
};
use ampel_wamp::{Dict, JsonSeparator, Serialization, Value};

const LIMIT: Duration = Duration::from_secs(20);

async fn router() -> (RouterServer, String, String) {
    let mut server = RouterServer::start(RouterServerConfig::default());
    let raw = server
        .listen(&"rawsocket://127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let ws = server
        .listen(&"ws://127.0.0.1:0/ws".parse().unwrap())
        .await
        .unwrap();
    (server, raw.to_string(), ws.to_string())
}

/// Every (url, serialization) pair a client can use against the router.
fn combinations(raw: &str, ws: &str) -> Vec<(String, Serialization)> {
    let mut all = Vec::new();
    for s in [
        Serialization::Json,
        Serialization::MsgPack,
        Serialization::Cbor,
    ] {
        all.push((raw.to_owned(), s));
    }
    for s in [
        Serialization::Json,
        Serialization::MsgPack,
        Serialization::Cbor,
        Serialization::JsonBatched(JsonSeparator::Autobahn),
        Serialization::MsgPackBatched,
        Serialization::CborBatched,
    ] {
        all.push((ws.to_owned(), s));
    }
    all
}

fn kw(pairs: &[(&str, Value)]) -> Dict {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

async fn pubsub_and_rpc(url: &str, serialization: Serialization) {
    let a = Client::connect(url, "realm1", serialization).await.unwrap();
    let b = Client::connect(url, "realm1", serialization).await.unwrap();
    assert_ne!(a.joined().session, b.joined().session);

    // Pub/sub with args and kwargs; the publisher is excluded by default.
    let mut events = b.subscribe("com.example.topic").await.unwrap();
    let mut own = a.subscribe("com.example.topic").await.unwrap();
    let args = vec![Value::UInt(1), Value::Str("two".into()), Value::Float(3.5)];
    let kwargs = kw(&[
        ("flag", Value::Bool(true)),
        ("bytes", Value::Bytes(vec![0, 255])),
    ]);
    a.publish("com.example.topic", args.clone(), kwargs.clone())
        .await
        .unwrap();
    let publication = a
        .publish_acknowledged("com.example.topic", vec![Value::UInt(2)], Dict::new())
        .await
        .unwrap();
    let first = events.next().await.unwrap();
    assert_eq!((first.args, first.kwargs), (args, kwargs));
    let second = events.next().await.unwrap();
    assert_eq!(second.publication, publication);
    assert_eq!(second.args, vec![Value::UInt(2)]);
    assert!(
        tokio::time::timeout(Duration::from_millis(100), own.next())
            .await
            .is_err(),
        "publisher received its own event"
    );
    events.unsubscribe().await.unwrap();

    // RPC: a handler closure, results with args and kwargs, application errors as values.
    a.register_fn("com.example.add", |args, _kwargs| async move {
        let sum: u64 = args.iter().filter_map(Value::as_u64).sum();
        if args.len() < 2 {
            return Err(ApplicationError::with_args(
                "com.example.error.too_few",
                vec![Value::UInt(args.len() as u64)],
            ));
        }
        Ok((
            vec![Value::UInt(sum)],
            kw(&[("n", Value::UInt(args.len() as u64))]),
        ))
    })
    .await
    .unwrap();
    let reply = b
        .call(
            "com.example.add",
            vec![Value::UInt(2), Value::UInt(3)],
            Dict::new(),
        )
        .await
        .unwrap();
    assert_eq!(reply.args, vec![Value::UInt(5)]);
    assert_eq!(reply.kwargs, kw(&[("n", Value::UInt(2))]));
    match b
        .call("com.example.add", vec![Value::UInt(2)], Dict::new())
        .await
    {
        Err(Error::Application(e)) => {
            assert_eq!(e.error.as_str(), "com.example.error.too_few");
            assert_eq!(e.args, vec![Value::UInt(1)]);
        }
        other => panic!("expected an application error, got {other:?}"),
    }
    match b.call("com.example.nothing", Vec::new(), Dict::new()).await {
        Err(Error::Application(e)) => {
            assert_eq!(e.error.as_str(), "wamp.error.no_such_procedure")
        }
        other => panic!("expected no_such_procedure, got {other:?}"),
    }
    match b.register("com.example.add").await {
        Err(Error::Application(e)) => {
            assert_eq!(e.error.as_str(), "wamp.error.procedure_already_exists")
        }
        other => panic!("expected procedure_already_exists, got {other:?}"),
    }

    // A registration as a stream of invocations answered by hand.
    let mut reg = b.register("com.example.echo").await.unwrap();
    let caller = a.clone();
    let call = tokio::spawn(async move {
        caller
            .call(
                "com.example.echo",
                vec![Value::Str("hi".into())],
                Dict::new(),
            )
            .await
    });
    let inv = reg.next().await.unwrap();
    let echoed = inv.args.clone();
    inv.reply(echoed, Dict::new());
    assert_eq!(
        call.await.unwrap().unwrap().args,
        vec![Value::Str("hi".into())]
    );
    // Dropping an invocation unanswered gives the caller an error instead of a hang.
    let caller = a.clone();
    let call = tokio::spawn(async move {
        caller
            .call("com.example.echo", Vec::new(), Dict::new())
            .await
    });
    drop(reg.next().await.unwrap());
    match call.await.unwrap() {
        Err(Error::Application(e)) => assert_eq!(e.error.as_str(), "wamp.error.runtime_error"),
        other => panic!("expected runtime_error, got {other:?}"),
    }
    reg.unregister().await.unwrap();

    a.leave().await.unwrap();
    b.leave().await.unwrap();
}

#[tokio::test]
async fn every_transport_and_serialization() {
    tokio::time::timeout(LIMIT, async {
        let (_server, raw, ws) = router().await;
        for (url, serialization) in combinations(&raw, &ws) {
            eprintln!("{url} {serialization:?}");
            pubsub_and_rpc(&url, serialization).await;
        }
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn mixed_transports_share_the_realm() {
    tokio::time::timeout(LIMIT, async {
        let (_server, raw, ws) = router().await;
        let sub = Client::connect(&raw, "realm1", Serialization::Cbor)
            .await
            .unwrap();
        let publ = Client::connect(&ws, "realm1", Serialization::Json)
            .await
            .unwrap();
        let mut events = sub.subscribe("t").await.unwrap();
        publ.publish_acknowledged("t", vec![Value::Str("x".into())], Dict::new())
            .await
            .unwrap();
        assert_eq!(
            events.next().await.unwrap().args,
            vec![Value::Str("x".into())]
        );
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn leave_and_join_again_and_refusals() {
    tokio::time::timeout(LIMIT, async {
        let (server, raw, _ws) = router().await;
        let mut c = Client::connect(&raw, "realm1", Serialization::Json)
            .await
            .unwrap();
        let first = c.joined().session;
        c.leave().await.unwrap();
        // No session: commands fail without reaching the router.
        assert!(matches!(
            c.call("x", Vec::new(), Dict::new()).await,
            Err(Error::Command(_))
        ));
        let again = c.join("realm1").await.unwrap();
        assert_ne!(again.session, first);
        c.leave().await.unwrap();

        match Client::connect(&raw, "nonexistent", Serialization::Json).await {
            Err(Error::SessionEnded { reason, .. }) => {
                assert_eq!(reason.as_str(), "wamp.error.no_such_realm")
            }
            other => panic!("expected no_such_realm, got {other:?}"),
        }
        match Client::connect(&raw, "realm1", Serialization::MsgPackBatched).await {
            Err(Error::UnsupportedSerialization { .. }) => {}
            other => panic!("batched over RawSocket must be refused, got {other:?}"),
        }

        // Events and calls stop once the router is gone.
        let c = Client::connect(&raw, "realm1", Serialization::Json)
            .await
            .unwrap();
        let mut events = c.subscribe("t").await.unwrap();
        drop(server);
        assert_eq!(events.next().await, None);
        assert!(matches!(
            c.call("x", Vec::new(), Dict::new()).await,
            Err(Error::ConnectionClosed)
        ));
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn bad_urls() {
    for bad in ["http://127.0.0.1:1/", "rawsocket://127.0.0.1", "nonsense"] {
        assert!(matches!(
            Client::connect(bad, "realm1", Serialization::Json).await,
            Err(Error::InvalidUrl { .. })
        ));
    }
    assert!(bad_port_refused().await);
}

async fn bad_port_refused() -> bool {
    // Bind and drop to find a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = Endpoint::RawSocket {
        host: "127.0.0.1".into(),
        port,
    }
    .to_string();
    matches!(
        Client::connect(&url, "realm1", Serialization::Json).await,
        Err(Error::Io(_))
    )
}
