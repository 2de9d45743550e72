//! A raw WAMP peer: JSON text messages over WebSocket, sent and checked one by one, for
//! what our client cannot (or must not) say.

use std::time::Duration;

use ampel_net::{ClientConfig, MaybeTlsStream, Message, WebSocket};

const WAIT: Duration = Duration::from_secs(5);

/// A WAMP peer speaking `wamp.2.json` message by message.
pub struct Peer {
    ws: WebSocket<MaybeTlsStream>,
    pub session: u64,
}

impl Peer {
    /// Joins realm1 announcing `features` for the caller and callee roles.
    pub async fn join(url: &str, features: &[&str]) -> Peer {
        let mut config = ClientConfig::default();
        config.subprotocols = vec!["wamp.2.json".into()];
        let ws = ampel_net::connect_with(url, config).await.unwrap();
        let f: Vec<String> = features.iter().map(|f| format!(r#""{f}":true"#)).collect();
        let f = f.join(",");
        let mut peer = Peer { ws, session: 0 };
        peer.send(&format!(
            r#"[1,"realm1",{{"roles":{{"caller":{{"features":{{{f}}}}},"callee":{{"features":{{{f}}}}},"subscriber":{{}}}}}}]"#
        ))
        .await;
        let welcome = peer.recv().await;
        assert!(welcome.starts_with("[2,"), "{welcome}");
        peer.session = welcome[3..welcome.find(",{").unwrap()].parse().unwrap();
        peer
    }

    pub async fn send(&mut self, json: &str) {
        self.ws.send(Message::Text(json.to_owned())).await.unwrap();
    }

    pub async fn recv(&mut self) -> String {
        match tokio::time::timeout(WAIT, self.ws.recv()).await {
            Ok(Some(Ok(Message::Text(t)))) => t,
            other => panic!("no message: {other:?}"),
        }
    }

    pub async fn expect(&mut self, json: &str) {
        assert_eq!(self.recv().await, json);
    }

    /// Nothing arrives for a while.
    pub async fn quiet(&mut self) {
        self.quiet_for(Duration::from_millis(150)).await;
    }

    /// Nothing arrives for `window`.
    pub async fn quiet_for(&mut self, window: Duration) {
        if let Ok(m) = tokio::time::timeout(window, self.ws.recv()).await {
            panic!("unexpected {m:?}");
        }
    }

    /// REGISTERs and returns the registration ID.
    pub async fn register(&mut self, request: u64, options: &str, procedure: &str) -> u64 {
        self.send(&format!(r#"[64,{request},{options},"{procedure}"]"#))
            .await;
        let reply = self.recv().await;
        let prefix = format!("[65,{request},");
        assert!(reply.starts_with(&prefix), "{reply}");
        reply[prefix.len()..reply.len() - 1].parse().unwrap()
    }
}
