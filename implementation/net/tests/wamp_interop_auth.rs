//! autobahn-python (PyPI `autobahn[serialization,encryption]`: cryptosign needs PyNaCl)
//! logging in to our router with ticket, WAMP-CRA (plain and salted) and cryptosign, using
//! autobahn's own authenticators; accepted logins get the configured identity and role, wrong
//! credentials are refused with the spec's URIs. Skipped loudly without the peers; a failure
//! when `AMPEL_REQUIRE_PEERS=1`.

mod common;

use std::path::Path;

use ampel_net::wamp::{RouterServer, RouterServerConfig};
use ampel_wamp::Uri;
use ampel_wamp::auth::AuthMethod;
use ampel_wamp::auth::cryptosign::PrivateKey;
use ampel_wamp::auth::hex;
use ampel_wamp::auth::wampcra::Salt;
use ampel_wamp::pattern::{MatchPolicy, Pattern};
use ampel_wamp::router::{
    PermissionRule, Permissions, Principal, RealmConfig, Role, WampCraSecret,
};
use common::autobahn;

const DEVICE_SEED: [u8; 32] = [7; 32];

/// realm `secure`: role `user` may do everything under `com.app`; joe (ticket), peter
/// (wampcra), sally (salted wampcra) and device (cryptosign) are users.
fn config() -> RouterServerConfig {
    let mut config = RouterServerConfig::default();
    let user = Role {
        rules: vec![PermissionRule {
            pattern: Pattern {
                uri: Uri::from("com.app"),
                policy: MatchPolicy::Prefix,
            },
            allow: Permissions::ALL,
        }],
    };
    let principal = |ticket: Option<&str>, wampcra: Option<(&str, Option<Salt>)>| Principal {
        role: "user".into(),
        ticket: ticket.map(str::to_owned),
        wampcra: wampcra.map(|(secret, salt)| WampCraSecret {
            secret: secret.into(),
            salt,
        }),
        cryptosign: Vec::new(),
    };
    let salt = Salt {
        salt: "pepper".into(),
        iterations: 100,
        keylen: 16,
    };
    let realm = RealmConfig {
        roles: [("user".to_owned(), user)].into(),
        anonymous: None,
        authmethods: [
            AuthMethod::Ticket,
            AuthMethod::WampCra,
            AuthMethod::Cryptosign,
        ]
        .into(),
        principals: [
            ("joe".to_owned(), principal(Some("joe-ticket"), None)),
            (
                "peter".into(),
                principal(None, Some(("peter-secret", None))),
            ),
            (
                "sally".into(),
                principal(None, Some(("sally-password", Some(salt)))),
            ),
            (
                "device".into(),
                Principal {
                    cryptosign: vec![PrivateKey::from_seed(DEVICE_SEED).public_key()],
                    ..principal(None, None)
                },
            ),
        ]
        .into(),
    };
    config.router.realms.insert("secure".into(), realm);
    config
}

/// A child process killed by its PID and reaped on drop.
/// Runs one login (bounded) and returns the script's JSON verdict.
async fn login(
    python: &Path,
    url: &str,
    method: &str,
    authid: &str,
    secret: &str,
) -> serde_json::Value {
    let peer = autobahn::spawn(
        python,
        "autobahn_auth.py",
        &[url, "secure", method, authid, secret],
    );
    let (_, out, err) = peer.finish().await;
    serde_json::from_str(out.trim())
        .unwrap_or_else(|e| panic!("{method} {authid}: {e}\nstdout: {out}\nstderr: {err}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autobahn_python_logs_in_to_our_router() {
    let Some(python) = autobahn::python() else {
        return;
    };
    let mut server = RouterServer::start(config());
    let url = server
        .listen(&"ws://127.0.0.1:0/ws".parse().unwrap())
        .await
        .unwrap()
        .to_string();
    let seed = hex::encode(&DEVICE_SEED);
    let accepted = [
        ("ticket", "joe", "joe-ticket", "joe"),
        ("wampcra", "peter", "peter-secret", "peter"),
        ("wampcra", "sally", "sally-password", "sally"),
        ("cryptosign", "-", seed.as_str(), "device"),
        ("cryptosign", "device", seed.as_str(), "device"),
    ];
    let mut failures = Vec::new();
    for (method, authid, secret, expected) in accepted {
        let got = login(&python, &url, method, authid, secret).await;
        let want = serde_json::json!({
            "welcome": {
                "authid": expected,
                "authrole": "user",
                "authmethod": method,
                "authprovider": "static",
            },
            "allowed": true,
            "refused": "wamp.error.not_authorized",
        });
        if got != want {
            failures.push(format!("{method} {authid}: {got}"));
        }
    }
    let other_seed = hex::encode(&[8; 32]);
    let refused = [
        ("ticket", "joe", "wrong", "wamp.error.authentication_denied"),
        (
            "wampcra",
            "peter",
            "wrong",
            "wamp.error.authentication_denied",
        ),
        (
            "wampcra",
            "sally",
            "peter-secret",
            "wamp.error.authentication_denied",
        ),
        ("ticket", "nobody", "x", "wamp.error.no_such_principal"),
        (
            "cryptosign",
            "-",
            other_seed.as_str(),
            "wamp.error.no_such_principal",
        ),
    ];
    for (method, authid, secret, reason) in refused {
        let got = login(&python, &url, method, authid, secret).await;
        let message = got["message"].as_str().unwrap_or_default();
        if got["abort"] != reason || message.is_empty() || got.get("welcome").is_some() {
            failures.push(format!("{method} {authid} should get {reason}: {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
