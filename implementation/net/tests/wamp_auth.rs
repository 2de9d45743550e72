//! Our client against our router over WebSocket with each authentication method (accepted
//! and refused), and authorization of what an authenticated session may do.

use std::time::Duration;

use ampel_net::wamp::{Client, ClientOptions, Error, RouterServer, RouterServerConfig};
use ampel_wamp::auth::cryptosign::PrivateKey;
use ampel_wamp::auth::wampcra::Salt;
use ampel_wamp::auth::{AuthMethod, Credentials, Secret};
use ampel_wamp::pattern::{MatchPolicy, Pattern};
use ampel_wamp::router::{
    PermissionRule, Permissions, Principal, RealmConfig, Role, WampCraSecret,
};
use ampel_wamp::{Serialization, Uri};

const LIMIT: Duration = Duration::from_secs(20);

fn device_key() -> PrivateKey {
    PrivateKey::from_seed([7; 32])
}

/// realm `secure`: role `user` may do everything under `com.app` but nothing else; joe
/// (ticket), peter (wampcra), sally (salted wampcra) and device (cryptosign) are users.
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
    let user_with = |p: Principal| Principal {
        role: "user".into(),
        ..p
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
            (
                "joe".to_owned(),
                user_with(Principal {
                    ticket: Some("joe-ticket".into()),
                    ..Principal::default()
                }),
            ),
            (
                "peter".into(),
                user_with(Principal {
                    wampcra: Some(WampCraSecret {
                        secret: "peter-secret".into(),
                        salt: None,
                    }),
                    ..Principal::default()
                }),
            ),
            (
                "sally".into(),
                user_with(Principal {
                    wampcra: Some(WampCraSecret {
                        secret: "sally-password".into(),
                        salt: Some(Salt {
                            salt: "pepper".into(),
                            iterations: 100,
                            keylen: 16,
                        }),
                    }),
                    ..Principal::default()
                }),
            ),
            (
                "device".into(),
                user_with(Principal {
                    cryptosign: vec![device_key().public_key()],
                    ..Principal::default()
                }),
            ),
        ]
        .into(),
    };
    config.router.realms.insert("secure".into(), realm);
    config
}

async fn router() -> (RouterServer, String) {
    let mut server = RouterServer::start(config());
    let ws = server
        .listen(&"ws://127.0.0.1:0/ws".parse().unwrap())
        .await
        .unwrap();
    (server, ws.to_string())
}

async fn connect(url: &str, credentials: Credentials) -> Result<Client, Error> {
    let mut options = ClientOptions::default();
    options.credentials = credentials;
    tokio::time::timeout(
        LIMIT,
        Client::connect_with(url, "secure", Serialization::Json, options),
    )
    .await
    .expect("join timed out")
}

#[tokio::test]
async fn each_method_logs_in_and_is_authorized_by_its_role() {
    let (_server, url) = router().await;
    let cases = [
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
            Credentials::cryptosign(None, device_key()),
            "device",
            "cryptosign",
        ),
        (
            Credentials::cryptosign(Some("device".into()), device_key()),
            "device",
            "cryptosign",
        ),
    ];
    for (credentials, authid, authmethod) in cases {
        let client = connect(&url, credentials).await.unwrap();
        let joined = client.joined();
        assert_eq!(joined.authid.as_deref(), Some(authid));
        assert_eq!(joined.authrole.as_deref(), Some("user"));
        assert_eq!(joined.authmethod.as_deref(), Some(authmethod));
        assert_eq!(joined.authprovider.as_deref(), Some("static"));
        client.subscribe("com.app.news").await.unwrap();
        match client.subscribe("com.other.news").await {
            Err(Error::Application(e)) => assert_eq!(e.error.as_str(), "wamp.error.not_authorized"),
            other => panic!("{authid}: {other:?}"),
        }
        client.leave().await.unwrap();
    }
}

#[tokio::test]
async fn refusals_end_the_join_with_the_routers_reason() {
    let (_server, url) = router().await;
    let cases = [
        (
            Credentials::ticket("joe", "wrong"),
            "wamp.error.authentication_denied",
        ),
        (
            Credentials::wampcra("peter", "wrong"),
            "wamp.error.authentication_denied",
        ),
        // The salted key derived from the wrong password.
        (
            Credentials::wampcra("sally", "peter-secret"),
            "wamp.error.authentication_denied",
        ),
        (
            Credentials::cryptosign(None, PrivateKey::from_seed([8; 32])),
            "wamp.error.no_such_principal",
        ),
        (
            Credentials::ticket("nobody", "x"),
            "wamp.error.no_such_principal",
        ),
        (
            Credentials::anonymous(),
            "wamp.error.no_matching_auth_method",
        ),
    ];
    for (credentials, reason) in cases {
        let shown = format!("{credentials:?}");
        match connect(&url, credentials).await {
            Err(Error::SessionEnded {
                reason: got,
                message,
            }) => {
                assert_eq!(got.as_str(), reason, "{shown}");
                assert!(message.is_some_and(|m| !m.is_empty()), "{shown}");
            }
            other => panic!("{shown}: {other:?}"),
        }
    }
}

/// The offer lists several methods; the router takes the first the principal can do, and a
/// later join on the same connection may use other credentials.
#[tokio::test]
async fn offers_in_order_and_joins_again_with_other_credentials() {
    let (_server, url) = router().await;
    let offer =
        Credentials::wampcra("joe", "no such secret").or(Secret::Ticket("joe-ticket".into()));
    let mut client = connect(&url, offer).await.unwrap();
    assert_eq!(client.joined().authmethod.as_deref(), Some("ticket"));
    client.leave().await.unwrap();
    let joined = client
        .join_with("secure", Credentials::cryptosign(None, device_key()))
        .await
        .unwrap();
    assert_eq!(joined.authid.as_deref(), Some("device"));
    client.leave().await.unwrap();
    // realm1 of the default configuration stays anonymous.
    let joined = client
        .join_with("realm1", Credentials::anonymous())
        .await
        .unwrap();
    assert_eq!(joined.authmethod.as_deref(), Some("anonymous"));
    assert!(joined.details.contains_key("roles"));
}
