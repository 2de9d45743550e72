//! Our client against a Crossbar.io router (launcher in `common/crossbar.rs`): RawSocket and
//! WebSocket, JSON, MessagePack and CBOR; pub/sub
//! with args and kwargs, RPC, application errors, no_such_procedure,
//! procedure_already_exists; authentication with ticket, WAMP-CRA (plain and salted) and
//! cryptosign on a WebSocket transport with static credentials. Skipped loudly without
//! Crossbar; a failure when `AMPEL_REQUIRE_PEERS=1`.

mod common;

use std::time::Duration;

use ampel_net::wamp::{ApplicationError, Client, ClientOptions, Error};
use ampel_wamp::auth::Credentials;
use ampel_wamp::auth::cryptosign::PrivateKey;
use ampel_wamp::{Dict, Serialization, Value};

fn error_of<T: std::fmt::Debug>(r: Result<T, Error>) -> ApplicationError {
    match r {
        Err(Error::Application(e)) => e,
        other => panic!("expected an application error, got {other:?}"),
    }
}

async fn exercise(url: &str, serialization: Serialization) {
    let a = Client::connect(url, "realm1", serialization).await.unwrap();
    let b = Client::connect(url, "realm1", serialization).await.unwrap();
    let mut events = b.subscribe("com.ampel.topic").await.unwrap();
    let mut kwargs = Dict::new();
    kwargs.insert("k".into(), Value::Bool(true));
    a.publish_acknowledged(
        "com.ampel.topic",
        vec![Value::UInt(1), Value::Str("two".into())],
        kwargs.clone(),
    )
    .await
    .unwrap();
    let event = tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(event.args, vec![Value::UInt(1), Value::Str("two".into())]);
    assert_eq!(event.kwargs, kwargs);

    a.register_fn("com.ampel.add", |args, _| async move {
        if args.len() != 2 {
            return Err(ApplicationError::with_args(
                "com.ampel.error.arity",
                vec![Value::UInt(args.len() as u64)],
            ));
        }
        Ok((
            vec![Value::UInt(args.iter().filter_map(Value::as_u64).sum())],
            Dict::new(),
        ))
    })
    .await
    .unwrap();
    let reply = b
        .call(
            "com.ampel.add",
            vec![Value::UInt(20), Value::UInt(22)],
            Dict::new(),
        )
        .await
        .unwrap();
    assert_eq!(reply.args, vec![Value::UInt(42)]);
    let e = error_of(
        b.call("com.ampel.add", vec![Value::UInt(1)], Dict::new())
            .await,
    );
    assert_eq!(e.error.as_str(), "com.ampel.error.arity");
    assert_eq!(e.args, vec![Value::UInt(1)]);
    let e = error_of(b.call("com.ampel.none", Vec::new(), Dict::new()).await);
    assert_eq!(e.error.as_str(), "wamp.error.no_such_procedure");
    let e = error_of(b.register("com.ampel.add").await.map(|r| r.id()));
    assert_eq!(e.error.as_str(), "wamp.error.procedure_already_exists");
    a.leave().await.unwrap();
    b.leave().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_against_crossbar() {
    let Some(bin) = common::crossbar::crossbar() else {
        return;
    };
    let node = common::crossbar::launch(&bin);
    let (ws_port, rs_port) = (node.ws_port, node.rs_port);
    tokio::time::timeout(Duration::from_secs(60), async {
        for serialization in [
            Serialization::Json,
            Serialization::MsgPack,
            Serialization::Cbor,
        ] {
            exercise(&format!("rawsocket://127.0.0.1:{rs_port}"), serialization).await;
            exercise(&format!("ws://127.0.0.1:{ws_port}/"), serialization).await;
        }
    })
    .await
    .unwrap();
}

async fn join(port: u16, credentials: Credentials) -> Result<Client, Error> {
    let mut options = ClientOptions::default();
    options.credentials = credentials;
    let url = format!("ws://127.0.0.1:{port}/");
    Client::connect_with(&url, "realm1", Serialization::Json, options).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_authenticates_against_crossbar() {
    let Some(bin) = common::crossbar::crossbar() else {
        return;
    };
    let node = common::crossbar::launch(&bin);
    tokio::time::timeout(Duration::from_secs(60), async {
        let accepted = [
            (Credentials::ticket("joe", "joe-ticket"), "joe", "ticket"),
            (
                Credentials::wampcra("peter", "peter-secret"),
                "peter",
                "wampcra",
            ),
            (
                Credentials::wampcra("sally", "sally-password"),
                "sally",
                "wampcra",
            ),
            (
                Credentials::cryptosign(None, common::crossbar::device_key()),
                "device",
                "cryptosign",
            ),
            (
                Credentials::cryptosign(Some("device".into()), common::crossbar::device_key()),
                "device",
                "cryptosign",
            ),
        ];
        for (credentials, authid, authmethod) in accepted {
            let client = join(node.auth_port, credentials).await.unwrap();
            let joined = client.joined();
            assert_eq!(joined.authid.as_deref(), Some(authid));
            assert_eq!(joined.authrole.as_deref(), Some("user"));
            assert_eq!(joined.authmethod.as_deref(), Some(authmethod));
            assert_eq!(joined.authprovider.as_deref(), Some("static"));
            client.subscribe("com.app.news").await.unwrap();
            let e = error_of(client.subscribe("com.other.news").await.map(|s| s.id()));
            assert_eq!(e.error.as_str(), "wamp.error.not_authorized");
            client.leave().await.unwrap();
        }
        // Crossbar's refusals deviate from advanced/uris.md: wrong credentials and unknown
        // keys get wamp.error.not_authorized (spec: authentication_denied /
        // no_such_principal), nothing fitting gets wamp.error.no_auth_method (spec:
        // no_matching_auth_method). Each comes with a message.
        let refused = [
            (
                Credentials::ticket("joe", "wrong"),
                "wamp.error.not_authorized",
            ),
            (
                Credentials::wampcra("peter", "wrong"),
                "wamp.error.not_authorized",
            ),
            (
                Credentials::wampcra("sally", "peter-secret"),
                "wamp.error.not_authorized",
            ),
            (
                Credentials::cryptosign(None, PrivateKey::from_seed([8; 32])),
                "wamp.error.not_authorized",
            ),
            (Credentials::anonymous(), "wamp.error.no_auth_method"),
        ];
        for (credentials, expected) in refused {
            let shown = format!("{credentials:?}");
            match join(node.auth_port, credentials).await {
                Err(Error::SessionEnded { reason, message }) => {
                    assert_eq!(reason.as_str(), expected, "{shown}");
                    assert!(message.is_some_and(|m| !m.is_empty()), "{shown}");
                }
                other => panic!("{shown}: {other:?}"),
            }
        }
    })
    .await
    .unwrap();
}
