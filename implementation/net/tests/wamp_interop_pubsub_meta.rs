//! autobahn-python (PyPI) against our router: pattern subscriptions, publisher exclusion,
//! black/white-listing, event retention and the session meta API, per serializer over
//! WebSocket (`wamp_peers/autobahn_pubsub_meta.py`). Skipped loudly without the peers; a
//! failure when `AMPEL_REQUIRE_PEERS=1`.

mod common;

use ampel_net::wamp::{RouterServer, RouterServerConfig};
use ampel_wamp::Uri;
use ampel_wamp::auth::AuthMethod;
use ampel_wamp::router::{Principal, RealmConfig, Role};
use common::autobahn;

/// realm1 open to anonymous sessions; alice, bob and carol log in by ticket (their name)
/// with role `user`, so the script can list by authid and authrole.
fn config() -> RouterServerConfig {
    let mut realm = RealmConfig::open();
    realm.roles.insert("user".into(), Role::allow_all());
    realm.authmethods.insert(AuthMethod::Ticket);
    for name in ["alice", "bob", "carol"] {
        let principal = Principal {
            role: "user".into(),
            ticket: Some(name.into()),
            ..Principal::default()
        };
        realm.principals.insert(name.into(), principal);
    }
    let mut config = RouterServerConfig::default();
    config.router.realms = [(Uri::from("realm1"), realm)].into();
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autobahn_python_advanced_pubsub_and_session_meta_against_our_router() {
    let Some(python) = autobahn::python() else {
        return;
    };
    let mut failures = Vec::new();
    for serializer in ["json", "msgpack", "cbor"] {
        // A fresh router per run: the script counts the realm's sessions.
        let mut server = RouterServer::start(config());
        let ws = server
            .listen(&"ws://127.0.0.1:0/ws".parse().unwrap())
            .await
            .unwrap();
        let (ok, log) = autobahn::run(
            &python,
            "autobahn_pubsub_meta.py",
            &[&ws.to_string(), serializer],
        )
        .await;
        if !ok {
            failures.push(format!("{serializer}: {log}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
