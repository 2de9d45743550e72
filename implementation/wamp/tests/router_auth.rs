//! Router authentication (anonymous, ticket, WAMP-CRA plain and salted, cryptosign) and
//! authorization (permission rules, realm isolation), driven message by message without I/O.

use std::time::{Duration, SystemTime};

use ampel_wamp::auth::cryptosign::{PrivateKey, PublicKey};
use ampel_wamp::auth::{AuthMethod, wampcra};
use ampel_wamp::pattern::{MatchPolicy, Pattern};
use ampel_wamp::router::{
    Output, PeerId, PermissionRule, Permissions, Phase, Principal, RealmConfig, Role, Router,
    RouterConfig, Violation, WampCraSecret,
};
use ampel_wamp::{Dict, Json, Message, MessageType, Serializer, Uri, Value};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

/// Seeds and signatures of the spec's cryptosign test vectors without channel binding
/// (`advanced/authentication_cryptosign.md`); the first signs 32 bytes of 0xff.
const SPEC_SEED_1: &str = "4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510";
const SPEC_SIGNATURE_1: &str = "b32675b221f08593213737bef8240e7c15228b07028e19595294678c90d11c0cae80a357331bfc5cc9fb71081464e6e75013517c2cf067ad566a6b7b728e5d03ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
const SPEC_SEED_2: &str = "d511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd";

/// Seeded IDs, but every challenge and nonce is 0xff bytes, so the spec's first cryptosign
/// vector is the right answer to the router's challenge.
struct FfChallenges(StdRng);

impl RngCore for FfChallenges {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.fill(0xff);
    }
}

type TestRouter = Router<FfChallenges>;

fn rule(uri: &str, policy: MatchPolicy, allow: Permissions) -> PermissionRule {
    PermissionRule {
        pattern: Pattern {
            uri: Uri::from(uri),
            policy,
        },
        allow,
    }
}

fn public(seed: &str) -> PublicKey {
    PrivateKey::from_hex(seed).unwrap().public_key()
}

/// `realm1` (open, default) and `secure`: no anonymous access, ticket/wampcra/cryptosign,
/// principals joe (ticket), peter (wampcra), sally (salted wampcra), dev (cryptosign key of
/// the spec's first vector), orphan (a role the realm lacks).
fn config() -> RouterConfig {
    let mut config = RouterConfig::default();
    let read_only = Permissions {
        subscribe: true,
        call: true,
        ..Permissions::NONE
    };
    let user = Role {
        rules: vec![
            rule("com.app", MatchPolicy::Prefix, Permissions::ALL),
            rule("com.app.admin", MatchPolicy::Prefix, Permissions::NONE),
            rule("com.app.admin.status", MatchPolicy::Exact, read_only),
            rule("com..public", MatchPolicy::Wildcard, read_only),
        ],
    };
    let principal = |role: &str| Principal {
        role: role.into(),
        ..Principal::default()
    };
    let secure = RealmConfig {
        roles: [
            ("user".to_owned(), user),
            ("admin".into(), Role::allow_all()),
        ]
        .into(),
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
                Principal {
                    ticket: Some("secret!!!".into()),
                    ..principal("user")
                },
            ),
            (
                "peter".into(),
                Principal {
                    wampcra: Some(WampCraSecret {
                        secret: "secret123".into(),
                        salt: None,
                    }),
                    ..principal("user")
                },
            ),
            (
                "sally".into(),
                Principal {
                    wampcra: Some(WampCraSecret {
                        secret: "secret123".into(),
                        salt: Some(wampcra::Salt {
                            salt: "salt123".into(),
                            iterations: 1000,
                            keylen: 32,
                        }),
                    }),
                    ..principal("admin")
                },
            ),
            (
                "dev".into(),
                Principal {
                    cryptosign: vec![public(SPEC_SEED_1)],
                    ..principal("admin")
                },
            ),
            (
                "orphan".into(),
                Principal {
                    ticket: Some("t".into()),
                    ..principal("ghost")
                },
            ),
        ]
        .into(),
    };
    config.realms.insert("secure".into(), secure);
    config
}

fn router() -> TestRouter {
    let mut r = Router::new(config(), FfChallenges(StdRng::seed_from_u64(5)));
    // 2014-06-22T16:36:25.448Z, the spec's example timestamp.
    r.set_time(SystemTime::UNIX_EPOCH + Duration::from_millis(1_403_454_985_448));
    r
}

fn msg(json: &str) -> Message {
    Json.decode(json.as_bytes())
        .unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn text(m: &Message) -> String {
    String::from_utf8(Json.encode(m).unwrap()).unwrap()
}

/// The single message sent to `peer`, failing on anything else.
fn only(out: &[Output], peer: PeerId) -> Message {
    match out {
        [Output::Send { to, message }] if *to == peer => message.clone(),
        other => panic!("expected one message to {peer:?}: {other:?}"),
    }
}

fn hello(r: &mut TestRouter, realm: &str, details: &str) -> (PeerId, Message) {
    let peer = r.open();
    let json = format!(
        r#"[1,"{realm}",{{"roles":{{"caller":{{}},"callee":{{}},"publisher":{{}},"subscriber":{{}}}},{details}}}]"#
    );
    let reply = only(&r.handle(peer, msg(&json)), peer);
    (peer, reply)
}

fn authenticate(r: &mut TestRouter, peer: PeerId, signature: &str) -> Message {
    let m = Message::Authenticate(ampel_wamp::message::Authenticate {
        signature: signature.into(),
        extra: Dict::new(),
    });
    only(&r.handle(peer, m), peer)
}

fn challenge(m: &Message) -> (&str, &Dict) {
    match m {
        Message::Challenge(c) => (c.auth_method.as_str(), &c.extra),
        other => panic!("no CHALLENGE: {}", text(other)),
    }
}

fn welcome(m: &Message) -> &Dict {
    match m {
        Message::Welcome(w) => &w.details,
        other => panic!("no WELCOME: {}", text(other)),
    }
}

/// ABORT's reason and Details.message.
fn abort(m: &Message) -> (&str, &str) {
    match m {
        Message::Abort(a) => (
            a.reason.as_str(),
            a.details
                .get("message")
                .and_then(Value::as_str)
                .expect("ABORT without message"),
        ),
        other => panic!("no ABORT: {}", text(other)),
    }
}

fn assert_identity(details: &Dict, authid: &str, authrole: &str, authmethod: &str) {
    assert_eq!(details["authid"], Value::from(authid));
    assert_eq!(details["authrole"], Value::from(authrole));
    assert_eq!(details["authmethod"], Value::from(authmethod));
    assert_eq!(details["authprovider"], Value::from("static"));
    assert_eq!(details["realm"], Value::from("secure"));
}

#[test]
fn ticket_login() {
    let mut r = router();
    let (peer, m) = hello(
        &mut r,
        "secure",
        r#""authmethods":["ticket"],"authid":"joe""#,
    );
    assert_eq!(text(&m), r#"[4,"ticket",{}]"#);
    assert_eq!(r.session_id(peer), None);
    let w = authenticate(&mut r, peer, "secret!!!");
    assert_identity(welcome(&w), "joe", "user", "ticket");
    let (identity, _) = r.session_identity(peer).unwrap();
    assert_eq!(identity.authrole, "user");
}

#[test]
fn wrong_ticket_is_denied_and_a_new_hello_may_follow() {
    let mut r = router();
    let (peer, _) = hello(
        &mut r,
        "secure",
        r#""authmethods":["ticket"],"authid":"joe""#,
    );
    let a = authenticate(&mut r, peer, "secret!!");
    let (reason, message) = abort(&a);
    assert_eq!(reason, "wamp.error.authentication_denied");
    assert!(
        message.contains("joe") && message.contains("ticket"),
        "{message}"
    );
    assert_eq!(r.session_id(peer), None);
    // The attempt ended, not the transport.
    let again =
        msg(r#"[1,"secure",{"roles":{"caller":{}},"authmethods":["ticket"],"authid":"joe"}]"#);
    challenge(&only(&r.handle(peer, again), peer));
    welcome(&authenticate(&mut r, peer, "secret!!!"));
}

#[test]
fn wampcra_login_signs_the_challenge_json() {
    let mut r = router();
    let (peer, m) = hello(
        &mut r,
        "secure",
        r#""authmethods":["wampcra"],"authid":"peter""#,
    );
    let (method, extra) = challenge(&m);
    assert_eq!(method, "wampcra");
    assert!(!extra.contains_key("salt"));
    let text = extra["challenge"].as_str().unwrap().to_owned();
    let fields: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(fields["authid"], "peter");
    assert_eq!(fields["authrole"], "user");
    assert_eq!(fields["authmethod"], "wampcra");
    assert_eq!(fields["authprovider"], "static");
    assert_eq!(fields["timestamp"], "2014-06-22T16:36:25.448Z");
    assert!(fields["nonce"].as_str().is_some_and(|n| n.len() >= 16));
    // A wrong secret is denied.
    let bad = authenticate(&mut r, peer, &wampcra::sign(b"secret124", &text));
    assert_eq!(abort(&bad).0, "wamp.error.authentication_denied");
    // The right one is welcome, and the challenge named the session it opens.
    let (peer, m) = hello(
        &mut r,
        "secure",
        r#""authmethods":["wampcra"],"authid":"peter""#,
    );
    let text = challenge(&m).1["challenge"].as_str().unwrap().to_owned();
    let session = serde_json::from_str::<serde_json::Value>(&text).unwrap()["session"].as_u64();
    let w = authenticate(&mut r, peer, &wampcra::sign(b"secret123", &text));
    assert_identity(welcome(&w), "peter", "user", "wampcra");
    assert_eq!(r.session_id(peer).map(|id| id.get()), session);
}

#[test]
fn salted_wampcra_uses_the_base64_text_of_the_derived_key() {
    let mut r = router();
    let (peer, m) = hello(
        &mut r,
        "secure",
        r#""authmethods":["wampcra"],"authid":"sally""#,
    );
    let (_, extra) = challenge(&m);
    assert_eq!(extra["salt"], Value::from("salt123"));
    assert_eq!(extra["iterations"], Value::UInt(1000));
    assert_eq!(extra["keylen"], Value::UInt(32));
    let text = extra["challenge"].as_str().unwrap().to_owned();
    // Signing with the password itself is wrong once the secret is salted.
    let bad = authenticate(&mut r, peer, &wampcra::sign(b"secret123", &text));
    assert_eq!(abort(&bad).0, "wamp.error.authentication_denied");
    let (peer, m) = hello(
        &mut r,
        "secure",
        r#""authmethods":["wampcra"],"authid":"sally""#,
    );
    let text = challenge(&m).1["challenge"].as_str().unwrap().to_owned();
    // The derived key of secret123/salt123/1000/32, pinned in auth::wampcra's tests
    // (computed with Python's hashlib.pbkdf2_hmac and base64).
    let key = "Eu7CQLfR+/Ffb+275A4s9/6H/RGKYxM4s6IMrsNKzC8=";
    let w = authenticate(&mut r, peer, &wampcra::sign(key.as_bytes(), &text));
    assert_identity(welcome(&w), "sally", "admin", "wampcra");
}

#[test]
fn cryptosign_login_with_the_spec_vector() {
    let mut r = router();
    let pubkey = public(SPEC_SEED_1).to_hex();
    // Without authid the router finds the principal by the key.
    let (peer, m) = hello(
        &mut r,
        "secure",
        &format!(r#""authmethods":["cryptosign"],"authextra":{{"pubkey":"{pubkey}"}}"#),
    );
    assert_eq!(
        text(&m),
        format!(
            r#"[4,"cryptosign",{{"challenge":"{}","channel_binding":null}}]"#,
            "ff".repeat(32)
        )
    );
    let w = authenticate(&mut r, peer, SPEC_SIGNATURE_1);
    assert_identity(welcome(&w), "dev", "admin", "cryptosign");
    // With the authid, and signed by our own signer.
    let (peer, _) = hello(
        &mut r,
        "secure",
        &format!(
            r#""authmethods":["cryptosign"],"authid":"dev","authextra":{{"pubkey":"{pubkey}"}}"#
        ),
    );
    let signature = PrivateKey::from_hex(SPEC_SEED_1)
        .unwrap()
        .sign_challenge(&"ff".repeat(32))
        .unwrap();
    assert_eq!(signature, SPEC_SIGNATURE_1);
    welcome(&authenticate(&mut r, peer, &signature));
}

#[test]
fn cryptosign_refusals() {
    let mut r = router();
    let pubkey = public(SPEC_SEED_1).to_hex();
    // Signed by another key over the same challenge.
    let (peer, _) = hello(
        &mut r,
        "secure",
        &format!(r#""authmethods":["cryptosign"],"authextra":{{"pubkey":"{pubkey}"}}"#),
    );
    let forged = PrivateKey::from_hex(SPEC_SEED_2)
        .unwrap()
        .sign_challenge(&"ff".repeat(32))
        .unwrap();
    let refused = authenticate(&mut r, peer, &forged);
    let (reason, message) = abort(&refused);
    assert_eq!(reason, "wamp.error.authentication_denied");
    assert!(message.contains("signature"), "{message}");
    // Malformed signatures are just wrong.
    for bad in ["", "zz", &SPEC_SIGNATURE_1[..190]] {
        let (peer, _) = hello(
            &mut r,
            "secure",
            &format!(r#""authmethods":["cryptosign"],"authextra":{{"pubkey":"{pubkey}"}}"#),
        );
        let a = authenticate(&mut r, peer, bad);
        assert_eq!(abort(&a).0, "wamp.error.authentication_denied", "{bad}");
    }
    // Unknown key; a known key under another principal's authid.
    let other = public(SPEC_SEED_2).to_hex();
    for details in [
        format!(r#""authmethods":["cryptosign"],"authextra":{{"pubkey":"{other}"}}"#),
        format!(
            r#""authmethods":["cryptosign"],"authid":"joe","authextra":{{"pubkey":"{pubkey}"}}"#
        ),
    ] {
        let (_, m) = hello(&mut r, "secure", &details);
        assert_eq!(abort(&m).0, "wamp.error.no_such_principal", "{details}");
    }
    // No key, a key that is not 32 bytes, channel binding.
    for (details, needle) in [
        (r#""authmethods":["cryptosign"]"#.to_owned(), "pubkey"),
        (
            r#""authmethods":["cryptosign"],"authextra":{"pubkey":"abcd"}"#.to_owned(),
            "pubkey",
        ),
        (
            format!(
                r#""authmethods":["cryptosign"],"authextra":{{"pubkey":"{pubkey}","channel_binding":"tls-unique"}}"#
            ),
            "channel binding tls-unique",
        ),
    ] {
        let (_, m) = hello(&mut r, "secure", &details);
        let (reason, message) = abort(&m);
        assert_eq!(reason, "wamp.error.no_matching_auth_method", "{details}");
        assert!(message.contains(needle), "{message}");
    }
}

#[test]
fn refusals_before_any_challenge() {
    let mut r = router();
    for (details, reason, needle) in [
        (
            r#""authmethods":["ticket"],"authid":"nobody""#,
            "wamp.error.no_such_principal",
            "nobody",
        ),
        (
            r#""authmethods":["wampcra"],"authid":"nobody""#,
            "wamp.error.no_such_principal",
            "nobody",
        ),
        (
            r#""authmethods":["ticket"]"#,
            "wamp.error.no_matching_auth_method",
            "ticket: needs an authid",
        ),
        (
            r#""authmethods":["wamp-scram"],"authid":"joe""#,
            "wamp.error.no_matching_auth_method",
            "wamp-scram: not implemented",
        ),
        (
            r#""authmethods":["anonymous"]"#,
            "wamp.error.no_matching_auth_method",
            "anonymous: not accepted",
        ),
        // No authmethods means anonymous.
        (
            r#""x":1"#,
            "wamp.error.no_matching_auth_method",
            "anonymous: not accepted",
        ),
        (
            r#""authmethods":["wampcra"],"authid":"joe""#,
            "wamp.error.no_matching_auth_method",
            "joe has no wampcra secret",
        ),
    ] {
        let (peer, m) = hello(&mut r, "secure", details);
        let (got, message) = abort(&m);
        assert_eq!(got, reason, "{details}");
        assert!(message.contains(needle), "{details}: {message}");
        assert_eq!(r.session_id(peer), None);
    }
    // realm1 accepts anonymous only.
    let (_, m) = hello(
        &mut r,
        "realm1",
        r#""authmethods":["ticket"],"authid":"joe""#,
    );
    assert_eq!(abort(&m).0, "wamp.error.no_matching_auth_method");
}

#[test]
fn principal_with_an_unconfigured_role_is_refused_after_authenticating() {
    let mut r = router();
    let (peer, m) = hello(
        &mut r,
        "secure",
        r#""authmethods":["ticket"],"authid":"orphan""#,
    );
    challenge(&m);
    let refused = authenticate(&mut r, peer, "t");
    let (reason, message) = abort(&refused);
    assert_eq!(reason, "wamp.error.no_such_role");
    assert!(message.contains("ghost"), "{message}");
}

/// The client's order decides; methods the realm or the principal cannot do are skipped.
#[test]
fn first_offered_method_that_fits_wins() {
    let mut r = router();
    let (_, m) = hello(
        &mut r,
        "secure",
        r#""authmethods":["cryptosign","wampcra","ticket"],"authid":"joe""#,
    );
    assert_eq!(challenge(&m).0, "ticket");
    let (_, m) = hello(
        &mut r,
        "secure",
        r#""authmethods":["ticket","wampcra"],"authid":"peter""#,
    );
    assert_eq!(challenge(&m).0, "wampcra");
    // An unknown principal for one method does not stop the next.
    let (_, m) = hello(
        &mut r,
        "realm1",
        r#""authmethods":["ticket","anonymous"],"authid":"joe""#,
    );
    let details = welcome(&m).clone();
    assert_eq!(details["authmethod"], Value::from("anonymous"));
    assert_eq!(details["authrole"], Value::from("anonymous"));
    // An anonymous client does not get the authid it asked for.
    assert_ne!(details["authid"], Value::from("joe"));
}

#[test]
fn only_authenticate_or_abort_while_challenged() {
    let mut r = router();
    for other in [
        r#"[32,1,{},"com.app.t"]"#,
        r#"[1,"secure",{"roles":{"caller":{}}}]"#,
        r#"[6,{},"wamp.close.close_realm"]"#,
        r#"[2,1,{"roles":{"broker":{}}}]"#,
    ] {
        let (peer, _) = hello(
            &mut r,
            "secure",
            r#""authmethods":["ticket"],"authid":"joe""#,
        );
        let out = r.handle(peer, msg(other));
        let [
            Output::Send {
                message: Message::Abort(a),
                ..
            },
            Output::Close { reason, .. },
        ] = &out[..]
        else {
            panic!("{other}: {out:?}")
        };
        assert_eq!(a.reason.as_str(), "wamp.error.protocol_violation");
        assert!(
            matches!(reason, Violation::WrongState { phase: Phase::Challenged, message }
                if *message == msg(other).message_type()),
            "{other}: {reason:?}"
        );
        // Nothing more is handled.
        assert!(r.handle(peer, msg(r#"[5,"secret!!!",{}]"#)).is_empty());
    }
    // ABORT gives up quietly; a HELLO may follow.
    let (peer, _) = hello(
        &mut r,
        "secure",
        r#""authmethods":["ticket"],"authid":"joe""#,
    );
    assert!(
        r.handle(peer, msg(r#"[3,{},"wamp.close.system_shutdown"]"#))
            .is_empty()
    );
    let again =
        msg(r#"[1,"secure",{"roles":{"caller":{}},"authmethods":["ticket"],"authid":"joe"}]"#);
    challenge(&only(&r.handle(peer, again), peer));
}

#[test]
fn a_second_authenticate_is_a_protocol_violation() {
    let mut r = router();
    // After WELCOME.
    let (peer, _) = hello(
        &mut r,
        "secure",
        r#""authmethods":["ticket"],"authid":"joe""#,
    );
    welcome(&authenticate(&mut r, peer, "secret!!!"));
    let out = r.handle(peer, msg(r#"[5,"secret!!!",{}]"#));
    assert!(
        matches!(
            &out[..],
            [Output::Send { message: Message::Abort(a), .. }, Output::Close { reason: Violation::WrongState { phase: Phase::Established, .. }, .. }]
                if a.reason.as_str() == "wamp.error.protocol_violation"
        ),
        "{out:?}"
    );
    // After a refused one.
    let (peer, _) = hello(
        &mut r,
        "secure",
        r#""authmethods":["ticket"],"authid":"joe""#,
    );
    abort(&authenticate(&mut r, peer, "wrong"));
    let out = r.handle(peer, msg(r#"[5,"secret!!!",{}]"#));
    assert!(
        matches!(
            &out[..],
            [
                Output::Send {
                    message: Message::Abort(_),
                    ..
                },
                Output::Close {
                    reason: Violation::WrongState {
                        phase: Phase::AwaitingHello,
                        ..
                    },
                    ..
                }
            ]
        ),
        "{out:?}"
    );
    // A closed connection while challenged is forgotten without output.
    let (peer, _) = hello(
        &mut r,
        "secure",
        r#""authmethods":["ticket"],"authid":"joe""#,
    );
    assert!(r.close(peer).is_empty());
}

/// Joins `realm` and returns the peer.
fn joined(r: &mut TestRouter, realm: &str, details: &str, secret: Option<&str>) -> PeerId {
    let (peer, m) = hello(r, realm, details);
    if let Some(secret) = secret {
        challenge(&m);
        welcome(&authenticate(r, peer, secret));
    } else {
        welcome(&m);
    }
    peer
}

fn send(r: &mut TestRouter, peer: PeerId, json: &str) -> Vec<String> {
    r.handle(peer, msg(json))
        .iter()
        .map(|o| match o {
            Output::Send { to, message } => format!("{}:{}", to.0, text(message)),
            Output::Close { peer, .. } => format!("{}:CLOSE", peer.0),
            Output::StartTimer { .. } => "TIMER".into(),
        })
        .collect()
}

/// joe's role `user`: everything under com.app, nothing under com.app.admin except reading
/// com.app.admin.status, read-only on com.<any>.public; nothing else.
#[test]
fn the_best_matching_rule_authorizes() {
    let mut r = router();
    let joe = joined(
        &mut r,
        "secure",
        r#""authmethods":["ticket"],"authid":"joe""#,
        Some("secret!!!"),
    );
    let denied = |kind: MessageType, id: u64| {
        format!(
            r#"{}:[8,{},{id},{{}},"wamp.error.not_authorized"]"#,
            joe.0, kind.0
        )
    };
    let cases = [
        (r#"[32,1,{},"com.app.t"]"#, None),
        (r#"[64,2,{},"com.app.p"]"#, None),
        (
            r#"[64,3,{},"com.app.admin.reset"]"#,
            Some(MessageType::REGISTER),
        ),
        (
            r#"[48,4,{},"com.app.admin.reset"]"#,
            Some(MessageType::CALL),
        ),
        (r#"[32,5,{},"com.app.admin.status"]"#, None),
        (
            r#"[64,6,{},"com.app.admin.status"]"#,
            Some(MessageType::REGISTER),
        ),
        (r#"[32,7,{},"com.x.public"]"#, None),
        (
            r#"[16,8,{"acknowledge":true},"com.x.public"]"#,
            Some(MessageType::PUBLISH),
        ),
        (r#"[32,9,{},"org.x"]"#, Some(MessageType::SUBSCRIBE)),
        // Not acknowledged: refused silently.
        (r#"[16,10,{},"org.x"]"#, None),
    ];
    for (json, refusal) in cases {
        let out = send(&mut r, joe, json);
        let id = msg(json);
        let request = match &id {
            Message::Subscribe(m) => m.request,
            Message::Register(m) => m.request,
            Message::Call(m) => m.request,
            Message::Publish(m) => m.request,
            _ => unreachable!(),
        };
        match refusal {
            Some(kind) => assert_eq!(out, [denied(kind, request.get())], "{json}"),
            None if json.starts_with("[16") => assert!(out.is_empty(), "{json}: {out:?}"),
            None => assert!(!out[0].contains("not_authorized"), "{json}: {out:?}"),
        }
    }
    // The administrator role may do everything.
    let pubkey = public(SPEC_SEED_1).to_hex();
    let dev = joined(
        &mut r,
        "secure",
        &format!(r#""authmethods":["cryptosign"],"authextra":{{"pubkey":"{pubkey}"}}"#),
        Some(SPEC_SIGNATURE_1),
    );
    let out = send(&mut r, dev, r#"[64,1,{},"com.app.admin.reset"]"#);
    assert!(out[0].contains(":[65,1,"), "{out:?}");
}

/// Sessions in different realms never see each other's subscriptions, events or procedures.
#[test]
fn realms_are_isolated() {
    let mut r = router();
    let anon = joined(&mut r, "realm1", r#""x":1"#, None);
    let joe = joined(
        &mut r,
        "secure",
        r#""authmethods":["ticket"],"authid":"joe""#,
        Some("secret!!!"),
    );
    assert!(send(&mut r, anon, r#"[32,1,{},"com.app.t"]"#)[0].contains("[33,1,"));
    assert!(send(&mut r, anon, r#"[64,2,{},"com.app.p"]"#)[0].contains("[65,2,"));
    // The same procedure may be registered in the other realm; a publication there reaches
    // nobody in realm1; a call there does not reach realm1's callee.
    assert!(send(&mut r, joe, r#"[64,1,{},"com.app.p"]"#)[0].contains("[65,1,"));
    let out = send(&mut r, joe, r#"[16,2,{"acknowledge":true},"com.app.t"]"#);
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(out[0].starts_with(&format!("{}:[17,2,", joe.0)), "{out:?}");
    let out = send(&mut r, joe, r#"[48,3,{},"com.app.p"]"#);
    assert_eq!(out.len(), 1, "{out:?}");
    // The invocation goes to joe's own registration, not to realm1's callee.
    assert!(out[0].starts_with(&format!("{}:[68,", joe.0)), "{out:?}");
    // And back: realm1's publication does not reach secure.
    let sub = send(&mut r, joe, r#"[32,4,{},"com.app.t"]"#);
    assert!(sub[0].contains("[33,4,"));
    let out = send(&mut r, anon, r#"[16,3,{"acknowledge":true},"com.app.t"]"#);
    assert_eq!(out.len(), 1, "{out:?}");
}
