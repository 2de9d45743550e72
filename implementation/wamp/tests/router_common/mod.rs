//! Helpers shared by the router test files: sessions with chosen identities and announced
//! features, messages in and out as JSON text.

#![allow(dead_code)]

use ampel_wamp::auth::AuthMethod;
use ampel_wamp::router::{Output, PeerId, Principal, RealmConfig, Role, Router, RouterConfig};
use ampel_wamp::{Id, Json, Message, Serializer, Uri, Value};
use rand::SeedableRng;
use rand::rngs::StdRng;

pub type R = Router<StdRng>;

/// The principals of [`test_realm`]; tests that need distinct authids join as them.
pub const PRINCIPALS: &[&str] = &[
    "alice", "bob", "carol", "other", "pub", "same", "victim", "xavier",
];

/// A realm open to anonymous sessions (role `anonymous`) in which each of [`PRINCIPALS`]
/// logs in by ticket (the ticket is its name) with role `user`; both roles may do
/// everything.
pub fn test_realm() -> RealmConfig {
    let mut realm = RealmConfig::open();
    realm.roles.insert("user".into(), Role::allow_all());
    realm.authmethods.insert(AuthMethod::Ticket);
    for name in PRINCIPALS {
        let principal = Principal {
            role: "user".into(),
            ticket: Some((*name).into()),
            ..Principal::default()
        };
        realm.principals.insert((*name).into(), principal);
    }
    realm
}

/// `realm1` and `realm2`, each a [`test_realm`].
pub fn router() -> R {
    router_with(RouterConfig {
        realms: ["realm1", "realm2"]
            .map(|name| (Uri::from(name), test_realm()))
            .into(),
        ..RouterConfig::default()
    })
}

pub fn router_with(config: RouterConfig) -> R {
    Router::new(config, StdRng::seed_from_u64(1))
}

pub fn msg(json: &str) -> Message {
    Json.decode(json.as_bytes())
        .unwrap_or_else(|e| panic!("{json}: {e}"))
}

/// A message as JSON text; an EVENT's publication ID (random) is shown as `"P"`.
pub fn text(m: &Message) -> String {
    let mut value = m.to_value();
    if let (Message::Event(_), Value::List(items)) = (m, &mut value) {
        items[2] = Value::from("P");
    }
    String::from_utf8(Json.encode_value(&value).unwrap()).unwrap()
}

/// Outputs as `(peer, JSON)` pairs, closes as `(peer, "CLOSE")`, timers as
/// `(0, "TIMER <id> <ms>")`.
pub fn show(out: &[Output]) -> Vec<(u64, String)> {
    out.iter()
        .map(|o| match o {
            Output::Send { to, message } => (to.0, text(message)),
            Output::Close { peer, .. } => (peer.0, "CLOSE".to_string()),
            Output::StartTimer { timer, after } => {
                (0, format!("TIMER {} {}", timer.0, after.as_millis()))
            }
        })
        .collect()
}

/// The publication IDs of the EVENTs in `out`, in order.
pub fn publications(out: &[Output]) -> Vec<Id> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send {
                message: Message::Event(e),
                ..
            } => Some(e.publication),
            _ => None,
        })
        .collect()
}

pub fn send(r: &mut R, peer: PeerId, json: &str) -> Vec<(u64, String)> {
    show(&r.handle(peer, msg(json)))
}

/// A session's options for [`join_with`]; with an `authid` (one of [`PRINCIPALS`]) it logs
/// in by ticket.
#[derive(Default, Clone, Copy)]
pub struct As<'a> {
    pub realm: &'a str,
    pub authid: Option<&'a str>,
    /// `role.feature` entries announced in HELLO.
    pub features: &'a [&'a str],
}

/// Opens a session; returns its peer, session ID and what else the join emitted (meta events
/// to other sessions).
pub fn join_with(r: &mut R, who: As<'_>) -> (PeerId, Id, Vec<(u64, String)>) {
    let mut roles = serde_json::Map::new();
    for role in ["publisher", "subscriber", "caller", "callee"] {
        let features: serde_json::Map<String, serde_json::Value> = who
            .features
            .iter()
            .filter_map(|f| f.split_once('.'))
            .filter(|(r, _)| *r == role)
            .map(|(_, f)| (f.to_owned(), serde_json::Value::Bool(true)))
            .collect();
        roles.insert(role.into(), serde_json::json!({ "features": features }));
    }
    let mut details = serde_json::json!({ "roles": roles });
    if let Some(authid) = who.authid {
        details["authid"] = authid.into();
        details["authmethods"] = serde_json::json!(["ticket"]);
    }
    let realm = if who.realm.is_empty() {
        "realm1"
    } else {
        who.realm
    };
    let hello = serde_json::json!([1, realm, details]).to_string();
    let peer = r.open();
    let mut out = r.handle(peer, msg(&hello));
    if let (
        Some(authid),
        Some(Output::Send {
            message: Message::Challenge(_),
            ..
        }),
    ) = (who.authid, out.first())
    {
        out = r.handle(peer, msg(&serde_json::json!([5, authid, {}]).to_string()));
    }
    match out.first() {
        Some(Output::Send {
            to,
            message: Message::Welcome(w),
        }) if *to == peer => (peer, w.session, show(&out[1..])),
        other => panic!("no WELCOME: {other:?}"),
    }
}

pub fn join(r: &mut R) -> (PeerId, Id) {
    let (peer, id, _) = join_with(r, As::default());
    (peer, id)
}

/// SUBSCRIBE and return the subscription ID (the first output must be SUBSCRIBED).
pub fn subscribe(r: &mut R, peer: PeerId, request: u64, options: &str, topic: &str) -> Id {
    let out = r.handle(peer, msg(&format!(r#"[32,{request},{options},"{topic}"]"#)));
    match out.first() {
        Some(Output::Send {
            message: Message::Subscribed(s),
            ..
        }) => s.subscription,
        other => panic!("no SUBSCRIBED: {other:?}"),
    }
}
