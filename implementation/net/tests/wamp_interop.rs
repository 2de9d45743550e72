//! Interop with autobahn-python (PyPI `autobahn[serialization]`, installed by
//! `scripts/install-peers.sh` under `AMPEL_PEERS_DIR`): autobahn's asyncio client against our
//! router over every serializer × transport, talking to our Rust client on the same router.
//! Skipped loudly without the peers; a failure when `AMPEL_REQUIRE_PEERS=1`.

mod common;

use std::time::Duration;

use ampel_net::wamp::{Client, RouterServer, RouterServerConfig};
use ampel_wamp::{Dict, Serialization, Value};
use common::autobahn;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autobahn_python_client_against_our_router() {
    let Some(python) = autobahn::python() else {
        return;
    };
    let mut server = RouterServer::start(RouterServerConfig::default());
    let raw = server
        .listen(&"rawsocket://127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let ws = server
        .listen(&"ws://127.0.0.1:0/ws".parse().unwrap())
        .await
        .unwrap();
    let rs_url = format!("rs://{}", raw.authority());
    let ws_url = ws.to_string();

    // Our client: the callee and subscriber autobahn talks to.
    let ours = Client::connect(&ws_url, "realm1", Serialization::Cbor)
        .await
        .unwrap();
    ours.register_fn("com.rust.mul", |args, _| async move {
        let product = args.iter().filter_map(Value::as_u64).product::<u64>();
        Ok((vec![Value::UInt(product)], Dict::new()))
    })
    .await
    .unwrap();
    let mut hello = ours.subscribe("com.python.hello").await.unwrap();

    let mut runs = Vec::new();
    for serializer in ["json", "msgpack", "cbor"] {
        runs.push((rs_url.clone(), serializer));
    }
    for serializer in [
        "json",
        "msgpack",
        "cbor",
        "json.batched",
        "msgpack.batched",
        "cbor.batched",
    ] {
        runs.push((ws_url.clone(), serializer));
    }
    let mut failures = Vec::new();
    for (url, serializer) in runs {
        let (ok, log) = autobahn::run(&python, "autobahn_client.py", &[&url, serializer]).await;
        if !ok {
            failures.push(format!("{url} {serializer}: {log}"));
            continue;
        }
        let event = tokio::time::timeout(Duration::from_secs(5), hello.next())
            .await
            .ok()
            .flatten();
        match event {
            Some(e)
                if e.args == vec![Value::Str(serializer.into())]
                    && e.kwargs.get("by") == Some(&Value::Str("autobahn".into())) => {}
            other => failures.push(format!("{url} {serializer}: event {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
