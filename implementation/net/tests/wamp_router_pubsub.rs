//! Our router's advanced pub/sub and meta API end to end: raw WAMP JSON messages over
//! WebSocket on 127.0.0.1 (pattern subscriptions, publisher identification, black- and
//! whitelisting, retention, revocation, session and subscription meta API, kill, testaments).

use std::time::Duration;

use ampel_net::wamp::{RouterServer, RouterServerConfig};
use ampel_net::{MaybeTlsStream, WebSocket};
use ampel_wamp::auth::AuthMethod;
use ampel_wamp::router::{Principal, RealmConfig, Role};
use ampel_wamp::{Json, Message, Serializer, Uri, Value};

const LIMIT: Duration = Duration::from_secs(20);
const WAIT: Duration = Duration::from_secs(5);

/// realm1 open to anonymous sessions; the named test sessions (alice, bob, pub, xavier) log
/// in by ticket (their name) with role `user`.
async fn router() -> (RouterServer, String) {
    let mut realm = RealmConfig::open();
    realm.roles.insert("user".into(), Role::allow_all());
    realm.authmethods.insert(AuthMethod::Ticket);
    for name in ["alice", "bob", "pub", "xavier"] {
        let principal = Principal {
            role: "user".into(),
            ticket: Some(name.into()),
            ..Principal::default()
        };
        realm.principals.insert(name.into(), principal);
    }
    let mut config = RouterServerConfig::default();
    config.router.realms = [(Uri::from("realm1"), realm)].into();
    let mut server = RouterServer::start(config);
    let ws = server
        .listen(&"ws://127.0.0.1:0/ws".parse().unwrap())
        .await
        .unwrap();
    (server, ws.to_string())
}

/// A WAMP session spoken in raw JSON text.
struct Raw {
    ws: WebSocket<MaybeTlsStream>,
    session: u64,
}

impl Raw {
    /// Connects and joins `realm1` with the four roles announcing `features`: as principal
    /// `authid` by ticket, or anonymously.
    async fn join(url: &str, features: &str, authid: Option<&str>) -> Raw {
        let mut config = ampel_net::ClientConfig::default();
        config.subprotocols = vec!["wamp.2.json".into()];
        let ws = ampel_net::connect_with(url, config).await.unwrap();
        let mut raw = Raw { ws, session: 0 };
        let role = format!(r#"{{"features":{{{features}}}}}"#);
        let auth = authid
            .map(|id| format!(r#","authmethods":["ticket"],"authid":"{id}""#))
            .unwrap_or_default();
        raw.send(&format!(
            r#"[1,"realm1",{{"roles":{{"publisher":{role},"subscriber":{role},"caller":{role},"callee":{role}}}{auth}}}]"#
        ))
        .await;
        if let Some(ticket) = authid {
            assert!(raw.recv().await.starts_with(r#"[4,"ticket","#));
            raw.send(&format!(r#"[5,"{ticket}",{{}}]"#)).await;
        }
        match raw.recv_message().await {
            Message::Welcome(w) => raw.session = w.session.get(),
            other => panic!("no WELCOME: {other:?}"),
        }
        raw
    }

    async fn send(&mut self, json: &str) {
        self.ws
            .send(ampel_net::Message::text(json.to_owned()))
            .await
            .unwrap();
    }

    async fn recv_message(&mut self) -> Message {
        loop {
            match tokio::time::timeout(WAIT, self.ws.recv()).await {
                Ok(Some(Ok(ampel_net::Message::Text(t)))) => {
                    return Json.decode(t.as_bytes()).unwrap();
                }
                Ok(Some(Ok(ampel_net::Message::Ping(_) | ampel_net::Message::Pong(_)))) => {}
                other => panic!("no WAMP message: {other:?}"),
            }
        }
    }

    /// The next message as JSON text; an EVENT's publication ID is shown as `"P"`.
    async fn recv(&mut self) -> String {
        let m = self.recv_message().await;
        let mut value = m.to_value();
        if let (Message::Event(_), Value::List(items)) = (&m, &mut value) {
            items[2] = Value::from("P");
        }
        String::from_utf8(Json.encode_value(&value).unwrap()).unwrap()
    }

    /// SUBSCRIBE and the subscription ID.
    async fn subscribe(&mut self, request: u64, options: &str, topic: &str) -> u64 {
        self.send(&format!(r#"[32,{request},{options},"{topic}"]"#))
            .await;
        match self.recv_message().await {
            Message::Subscribed(s) if s.request.get() == request => s.subscription.get(),
            other => panic!("no SUBSCRIBED: {other:?}"),
        }
    }

    /// Nothing arrives for a while.
    async fn quiet(&mut self) {
        if let Ok(m) = tokio::time::timeout(Duration::from_millis(300), self.ws.recv()).await {
            panic!("unexpected {m:?}");
        }
    }
}

#[tokio::test]
async fn advanced_pubsub_over_websocket() {
    tokio::time::timeout(LIMIT, async {
        let (_server, url) = router().await;
        let mut a = Raw::join(
            &url,
            r#""publisher_identification":true,"subscription_revocation":true"#,
            Some("alice"),
        )
        .await;
        let mut b = Raw::join(&url, "", Some("bob")).await;
        let mut p = Raw::join(&url, "", Some("pub")).await;

        // Pattern subscriptions: one EVENT per matching subscription, with the topic.
        let prefix = a.subscribe(1, r#"{"match":"prefix"}"#, "com.app").await;
        let wildcard = b.subscribe(1, r#"{"match":"wildcard"}"#, "com..t").await;
        p.send(r#"[16,1,{"disclose_me":true},"com.app.t",["x"]]"#).await;
        let pid = p.session;
        assert_eq!(
            a.recv().await,
            format!(
                r#"[36,{prefix},"P",{{"publisher":{pid},"publisher_authid":"pub","publisher_authrole":"user","topic":"com.app.t"}},["x"]]"#
            )
        );
        // b did not announce publisher_identification.
        assert_eq!(
            b.recv().await,
            format!(r#"[36,{wildcard},"P",{{"topic":"com.app.t"}},["x"]]"#)
        );

        // Black- and whitelisting by session, authid and authrole.
        let (aid, bid) = (a.session, b.session);
        p.send(&format!(r#"[16,2,{{"exclude":[{aid}]}},"com.app.t",[2]]"#))
            .await;
        p.send(r#"[16,3,{"eligible_authid":["alice"]},"com.app.t",[3]]"#)
            .await;
        p.send(&format!(
            r#"[16,4,{{"eligible":[{aid},{bid}],"exclude_authid":["alice"]}},"com.app.t",[4]]"#
        ))
        .await;
        p.send(r#"[16,5,{"exclude_authrole":["user"]},"com.app.t",[5]]"#)
            .await;
        p.send(r#"[16,6,{"acknowledge":true},"com.app.t",[6]]"#).await;
        assert!(p.recv().await.starts_with("[17,6,"));
        let args = |m: String| m.rsplit_once(',').unwrap().1.to_owned();
        assert_eq!(args(a.recv().await), "[3]]");
        assert_eq!(args(a.recv().await), "[6]]");
        assert_eq!(args(b.recv().await), "[2]]");
        assert_eq!(args(b.recv().await), "[4]]");
        assert_eq!(args(b.recv().await), "[6]]");

        // Publisher exclusion: only with exclude_me false does the publisher get it.
        let own = p.subscribe(7, "{}", "com.own").await;
        p.send(r#"[16,8,{},"com.own",["no"]]"#).await;
        p.send(r#"[16,9,{"exclude_me":false},"com.own",["yes"]]"#)
            .await;
        assert_eq!(p.recv().await, format!(r#"[36,{own},"P",{{}},["yes"]]"#));

        // Retention: the last retained event, marked, right after SUBSCRIBED.
        p.send(r#"[16,10,{"retain":true},"com.keep",["old"]]"#).await;
        p.send(r#"[16,11,{"retain":true},"com.keep",["new"]]"#).await;
        p.send(r#"[16,12,{"acknowledge":true},"com.keep",["live"]]"#)
            .await;
        assert!(p.recv().await.starts_with("[17,12,"));
        let keep = b
            .subscribe(2, r#"{"get_retained":true}"#, "com.keep")
            .await;
        assert_eq!(
            b.recv().await,
            format!(r#"[36,{keep},"P",{{"retained":true}},["new"]]"#)
        );

        // Revocation through the meta procedure: a announced it, b did not.
        let shared = a.subscribe(2, "{}", "com.rev").await;
        assert_eq!(b.subscribe(3, "{}", "com.rev").await, shared);
        for (request, who) in [(13, aid), (14, bid)] {
            p.send(&format!(
                r#"[48,{request},{{}},"wamp.subscription.remove_subscriber",[{shared},{who}],{{"reason":"done"}}]"#
            ))
            .await;
            assert_eq!(p.recv().await, format!("[50,{request},{{}}]"));
        }
        assert_eq!(
            a.recv().await,
            format!(r#"[35,0,{{"reason":"done","subscription":{shared}}}]"#)
        );
        p.send(r#"[16,15,{},"com.rev"]"#).await;
        a.quiet().await;
        b.quiet().await;
    })
    .await
    .expect("timed out");
}

#[tokio::test]
async fn meta_api_over_websocket() {
    tokio::time::timeout(LIMIT, async {
        let (_server, url) = router().await;
        let mut w = Raw::join(&url, "", None).await;
        let will = w.subscribe(1, "{}", "com.will").await;
        let on_join = w.subscribe(2, "{}", "wamp.session.on_join").await;
        let on_leave = w.subscribe(3, "{}", "wamp.session.on_leave").await;
        let on_create = w.subscribe(4, "{}", "wamp.subscription.on_create").await;
        let on_subscribe = w.subscribe(5, "{}", "wamp.subscription.on_subscribe").await;

        let mut x = Raw::join(&url, "", Some("xavier")).await;
        let xid = x.session;
        assert_eq!(
            w.recv().await,
            format!(
                r#"[36,{on_join},"P",{{}},[{{"authid":"xavier","authmethod":"ticket","authprovider":"static","authrole":"user","session":{xid}}}]]"#
            )
        );
        let sub = x.subscribe(1, r#"{"match":"prefix"}"#, "org").await;
        assert_eq!(
            w.recv().await,
            format!(
                r#"[36,{on_create},"P",{{}},[{xid},{{"id":{sub},"match":"prefix","uri":"org"}}]]"#
            )
        );
        assert_eq!(
            w.recv().await,
            format!(r#"[36,{on_subscribe},"P",{{}},[{xid},{sub}]]"#)
        );

        // Procedures.
        w.send(r#"[48,6,{},"wamp.session.count"]"#).await;
        assert_eq!(w.recv().await, "[50,6,{},[2]]");
        w.send(&format!(r#"[48,7,{{}},"wamp.session.get",[{xid}]]"#))
            .await;
        assert!(w.recv().await.contains(r#""authid":"xavier""#));
        w.send(&format!(
            r#"[48,8,{{}},"wamp.subscription.count_subscribers",[{sub}]]"#
        ))
        .await;
        assert_eq!(w.recv().await, "[50,8,{},[1]]");

        // A testament, published when the transport is lost.
        x.send(r#"[48,2,{},"wamp.session.add_testament",["com.will",["bye"],{"who":"x"}]]"#)
            .await;
        assert_eq!(x.recv().await, "[50,2,{}]");
        drop(x);
        assert_eq!(
            w.recv().await,
            format!(r#"[36,{will},"P",{{}},["bye"],{{"who":"x"}}]"#)
        );
        assert_eq!(
            w.recv().await,
            format!(r#"[36,{on_leave},"P",{{}},[{xid},"xavier","user"]]"#)
        );

        // Kill: GOODBYE with reason and message; the victim's GOODBYE reply ends it.
        let mut y = Raw::join(&url, "", None).await;
        let yid = y.session;
        assert!(w.recv().await.starts_with(&format!("[36,{on_join},")));
        w.send(&format!(
            r#"[48,9,{{}},"wamp.session.kill",[{yid}],{{"reason":"com.app.kicked","message":"out"}}]"#
        ))
        .await;
        assert_eq!(y.recv().await, r#"[6,{"message":"out"},"com.app.kicked"]"#);
        y.send(r#"[6,{},"wamp.close.goodbye_and_out"]"#).await;
        assert_eq!(
            w.recv().await,
            format!(r#"[36,{on_leave},"P",{{}},[{yid},"anonymous-{yid}","anonymous"]]"#)
        );
        assert_eq!(w.recv().await, "[50,9,{}]");
        w.send(r#"[48,10,{},"wamp.session.count"]"#).await;
        assert_eq!(w.recv().await, "[50,10,{},[1]]");
        // The killed connection may open a new session.
        y.send(r#"[1,"realm1",{"roles":{"subscriber":{}}}]"#).await;
        assert!(y.recv().await.starts_with("[2,"));
    })
    .await
    .expect("timed out");
}
