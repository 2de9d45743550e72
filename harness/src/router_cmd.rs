//! `ampel router`: a WAMP router (ampel-net's [`RouterServer`]) on any number of WebSocket
//! and RawSocket endpoints, e.g.
//! `ampel router --listen ws://127.0.0.1:8080/ws --listen rawsocket://127.0.0.1:8081`.
//! Without a configuration file it serves `realm1` to anonymous clients, who may do
//! everything there, with every serializer.
//!
//! The optional TOML file (`--config router.toml`); every key is optional:
//!
//! ```toml
//! # Endpoints, in addition to --listen.
//! listen = ["ws://127.0.0.1:8080/ws", "rawsocket://127.0.0.1:8081"]
//! # Create any other realm a HELLO names, open to anonymous clients for everything
//! # (default false).
//! auto_create_realms = false
//! # URI rule for realms, topics and procedures: "loose" (default) or "strict".
//! uri_rule = "loose"
//! # Further connections are refused (RawSocket error 4, WebSocket HTTP 503). Default 10000.
//! max_connections = 10000
//!
//! # Realms (default: realm1 open to anonymous clients). Once [realms] is given, only the
//! # realms listed exist. Per realm (see router_realms.rs and the README for every key):
//! [realms.realm1]
//! # The role anonymous sessions get; leave it out to refuse anonymous access.
//! anonymous = "anonymous"
//! # Credential methods accepted: any of "ticket", "wampcra", "cryptosign".
//! authmethods = ["ticket"]
//! # Roles: permission rules; for each URI the best match decides (exact, then the longest
//! # prefix, then the most specific wildcard); no match means not authorized.
//! [realms.realm1.roles.anonymous]
//! permissions = [{ uri = "", match = "prefix", allow = ["call", "register", "publish", "subscribe"] }]
//! # Principals: authid → role and credentials.
//! [realms.realm1.principals.joe]
//! role = "anonymous"
//! ticket = "secret!!!"
//!
//! [rawsocket]
//! # Largest message accepted, in bytes; announced rounded up to a power of two in
//! # 512..=16777216 (default 16777216).
//! max_message_size = 1048576
//! # Serializers: any of "json", "msgpack", "cbor" (default all three).
//! serializers = ["json", "msgpack", "cbor"]
//!
//! [websocket]
//! # Subprotocols accepted (default all six); the client's order decides among them.
//! subprotocols = ["wamp.2.json", "wamp.2.msgpack", "wamp.2.cbor"]
//! # Separator byte of wamp.2.json.batched: "autobahn" (0x18, default, what Autobahn and
//! # Crossbar use) or "record-separator" (0x1e, the spec's text).
//! json_batched_separator = "autobahn"
//! # Largest message accepted, in bytes (default 64 MiB).
//! max_message_size = 16777216
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ampel_net::wamp::rawsocket::MaxLength;
use ampel_net::wamp::{Endpoint, RouterServer, RouterServerConfig};
use ampel_wamp::{JsonSeparator, Serialization, Uri, UriRule};
use clap::Args;
use serde::Deserialize;

use crate::modes::Exit;
use crate::router_realms::RealmSection;

/// `ampel router`.
#[derive(Debug, Args)]
pub struct RouterArgs {
    /// An endpoint to serve (repeatable): `ws://HOST:PORT/PATH` or `rawsocket://HOST:PORT`.
    /// Port 0 picks a free port; the bound URLs are printed.
    #[arg(long = "listen", value_name = "URL")]
    pub listen: Vec<String>,
    /// A TOML configuration file (realms, limits, serializers; see the module docs).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// The TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    listen: Vec<String>,
    realms: Option<BTreeMap<String, RealmSection>>,
    auto_create_realms: Option<bool>,
    uri_rule: Option<String>,
    max_connections: Option<usize>,
    #[serde(default)]
    rawsocket: RawSocketSection,
    #[serde(default)]
    websocket: WebSocketSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSocketSection {
    max_message_size: Option<u32>,
    serializers: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WebSocketSection {
    subprotocols: Option<Vec<String>>,
    json_batched_separator: Option<String>,
    max_message_size: Option<u64>,
}

/// Builds the server configuration and endpoint list from the flags and the file.
fn settings(args: &RouterArgs) -> Result<(RouterServerConfig, Vec<Endpoint>), String> {
    let file = match &args.config {
        Some(path) => load(path)?,
        None => FileConfig::default(),
    };
    let mut config = RouterServerConfig::default();
    if let Some(realms) = file.realms {
        config.router.realms = realms
            .into_iter()
            .map(|(name, realm)| Ok((Uri::from(name.as_str()), realm.build(&name)?)))
            .collect::<Result<_, String>>()?;
    }
    if let Some(auto) = file.auto_create_realms {
        config.router.auto_create_realms = auto;
    }
    if let Some(rule) = file.uri_rule {
        config.router.uri_rule = match rule.as_str() {
            "loose" => UriRule::Loose,
            "strict" => UriRule::Strict,
            other => {
                return Err(format!(
                    "uri_rule {other:?}: expected \"loose\" or \"strict\""
                ));
            }
        };
    }
    if let Some(n) = file.max_connections {
        config.max_connections = n;
    }
    if let Some(size) = file.rawsocket.max_message_size {
        config.rawsocket.max_message_size = MaxLength::at_least(size);
    }
    if let Some(names) = file.rawsocket.serializers {
        config.rawsocket.serializations = names
            .iter()
            .map(|name| match name.as_str() {
                "json" => Ok(Serialization::Json),
                "msgpack" => Ok(Serialization::MsgPack),
                "cbor" => Ok(Serialization::Cbor),
                other => Err(format!(
                    "rawsocket serializer {other:?}: expected json, msgpack or cbor"
                )),
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(names) = file.websocket.subprotocols {
        config.websocket_serializations = names
            .iter()
            .map(|name| {
                Serialization::from_subprotocol(name)
                    .ok_or_else(|| format!("unknown WAMP subprotocol {name:?}"))
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(sep) = file.websocket.json_batched_separator {
        config.json_batched_separator = match sep.as_str() {
            "autobahn" => JsonSeparator::Autobahn,
            "record-separator" => JsonSeparator::RecordSeparator,
            other => {
                return Err(format!(
                    "json_batched_separator {other:?}: expected \"autobahn\" or \"record-separator\""
                ));
            }
        };
    }
    if let Some(size) = file.websocket.max_message_size {
        config.websocket.websocket.max_message_size = size;
        config.websocket.websocket.max_frame_size = size;
    }
    let endpoints = file
        .listen
        .iter()
        .chain(&args.listen)
        .map(|url| url.parse::<Endpoint>().map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    if endpoints.is_empty() {
        return Err("nothing to listen on: give --listen URL or `listen` in the config".into());
    }
    Ok((config, endpoints))
}

fn load(path: &Path) -> Result<FileConfig, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs the router until Ctrl-C: 0 then, 2 for a configuration or listening error.
pub async fn run(args: RouterArgs) -> Exit {
    let (config, endpoints) = match settings(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let realms: Vec<String> = config.router.realms.keys().map(|r| r.to_string()).collect();
    let mut server = RouterServer::start(config);
    for endpoint in &endpoints {
        match server.listen(endpoint).await {
            Ok(bound) => println!("ampel router listening on {bound}"),
            Err(e) => {
                eprintln!("error: cannot listen on {endpoint}: {e}");
                return Exit::Usage;
            }
        }
    }
    println!("realms: {}", realms.join(", "));
    // Ctrl-C, or a failure to install its handler: stop either way.
    let _ = tokio::signal::ctrl_c().await;
    Exit::Pass
}

#[cfg(test)]
mod tests {
    use super::*;
    use ampel_wamp::router::{Action, RealmConfig, WampCraSecret};

    fn args(listen: &[&str], config: Option<&str>) -> (RouterArgs, Option<tempfile_path::Guard>) {
        let guard = config.map(tempfile_path::Guard::new);
        (
            RouterArgs {
                listen: listen.iter().map(|s| (*s).to_owned()).collect(),
                config: guard.as_ref().map(|g| g.0.clone()),
            },
            guard,
        )
    }

    /// A config file in the temp dir, removed on drop.
    mod tempfile_path {
        use std::path::PathBuf;

        pub struct Guard(pub PathBuf);

        impl Guard {
            pub fn new(text: &str) -> Guard {
                use std::sync::atomic::{AtomicUsize, Ordering};
                static N: AtomicUsize = AtomicUsize::new(0);
                let path = std::env::temp_dir().join(format!(
                    "ampel-router-{}-{}.toml",
                    std::process::id(),
                    N.fetch_add(1, Ordering::Relaxed)
                ));
                std::fs::write(&path, text).unwrap();
                Guard(path)
            }
        }

        impl Drop for Guard {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(&self.0);
            }
        }
    }

    #[test]
    fn defaults() {
        let (a, _g) = args(&["ws://127.0.0.1:0/ws", "rawsocket://127.0.0.1:0"], None);
        let (config, endpoints) = settings(&a).unwrap();
        assert_eq!(endpoints.len(), 2);
        assert_eq!(
            config.router.realms.keys().collect::<Vec<_>>(),
            [&Uri::from("realm1")]
        );
        assert_eq!(
            config.router.realms[&Uri::from("realm1")],
            RealmConfig::open()
        );
        assert!(!config.router.auto_create_realms);
        assert_eq!(config.websocket_serializations.len(), 6);
    }

    #[test]
    fn full_file() {
        let (a, _g) = args(
            &["rawsocket://127.0.0.1:0"],
            Some(
                r#"
listen = ["ws://127.0.0.1:0/x"]
auto_create_realms = true
uri_rule = "strict"
max_connections = 5
[rawsocket]
max_message_size = 1000
serializers = ["cbor"]
[websocket]
subprotocols = ["wamp.2.json"]
json_batched_separator = "record-separator"
max_message_size = 4096
[realms.a]
anonymous = "anonymous"
[realms.a.roles.anonymous]
permissions = [{ uri = "", match = "prefix", allow = ["call"] }]
[realms."b.c"]
"#,
            ),
        );
        let (config, endpoints) = settings(&a).unwrap();
        assert_eq!(endpoints.len(), 2);
        assert_eq!(
            config.router.realms.keys().collect::<Vec<_>>(),
            [&Uri::from("a"), &Uri::from("b.c")]
        );
        assert!(config.router.auto_create_realms);
        assert_eq!(config.router.uri_rule, UriRule::Strict);
        assert_eq!(config.max_connections, 5);
        assert_eq!(config.rawsocket.max_message_size.bytes(), 1024);
        assert_eq!(config.rawsocket.serializations, vec![Serialization::Cbor]);
        assert_eq!(config.websocket_serializations, vec![Serialization::Json]);
        assert_eq!(
            config.json_batched_separator,
            JsonSeparator::RecordSeparator
        );
        assert_eq!(config.websocket.websocket.max_message_size, 4096);
        let a = &config.router.realms[&Uri::from("a")];
        assert!(a.authorizes("anonymous", Action::Call, &Uri::from("x.y")));
        assert!(!a.authorizes("anonymous", Action::Publish, &Uri::from("x.y")));
        // A realm with nothing configured admits nobody.
        assert_eq!(
            config.router.realms[&Uri::from("b.c")],
            RealmConfig::default()
        );
    }

    /// The README's example, with every authentication method.
    #[test]
    fn realms_with_roles_and_principals() {
        let (a, _g) = args(
            &["rawsocket://127.0.0.1:0"],
            Some(
                r#"
[realms."com.example"]
anonymous = "guest"
authmethods = ["ticket", "wampcra", "cryptosign"]

[realms."com.example".roles.guest]
permissions = [
  { uri = "com.example.public", match = "prefix", allow = ["subscribe", "call"] },
]

[realms."com.example".roles.user]
permissions = [
  { uri = "com.example", match = "prefix", allow = ["call", "register", "publish", "subscribe"] },
  { uri = "com.example..admin", match = "wildcard", allow = [] },
  { uri = "com.example.admin", match = "prefix", allow = [] },
]

[realms."com.example".principals.joe]
role = "user"
ticket = "secret!!!"

[realms."com.example".principals.peter]
role = "user"
wampcra = { secret = "secret123" }

[realms."com.example".principals.sally]
role = "user"
wampcra = { secret = "password", salt = "salt123", iterations = 1000, keylen = 32 }

[realms."com.example".principals.device]
role = "user"
cryptosign = ["545efb0a2192db8d43f118e9bf9aee081466e1ef36c708b96ee6f62dddad9122"]
"#,
            ),
        );
        let (config, _) = settings(&a).unwrap();
        let realm = &config.router.realms[&Uri::from("com.example")];
        assert_eq!(realm.anonymous.as_deref(), Some("guest"));
        assert_eq!(realm.authmethods.len(), 3);
        let allows = |role, action, uri: &str| realm.authorizes(role, action, &Uri::from(uri));
        assert!(allows("guest", Action::Call, "com.example.public.time"));
        assert!(!allows("guest", Action::Publish, "com.example.public.time"));
        assert!(allows("user", Action::Register, "com.example.x"));
        assert!(!allows("user", Action::Call, "com.example.admin.reset"));
        assert!(!allows("user", Action::Call, "org.example"));
        assert_eq!(realm.principals["joe"].ticket.as_deref(), Some("secret!!!"));
        assert_eq!(
            realm.principals["peter"].wampcra,
            Some(WampCraSecret {
                secret: "secret123".into(),
                salt: None
            })
        );
        let salt = realm.principals["sally"]
            .wampcra
            .as_ref()
            .unwrap()
            .salt
            .clone();
        assert_eq!(
            salt.map(|s| (s.salt, s.iterations, s.keylen)),
            Some(("salt123".into(), 1000, 32))
        );
        assert_eq!(
            realm.principals["device"].cryptosign[0].to_hex(),
            "545efb0a2192db8d43f118e9bf9aee081466e1ef36c708b96ee6f62dddad9122"
        );
        assert_eq!(
            realm
                .principal_by_key(&realm.principals["device"].cryptosign[0])
                .map(|(id, _)| id),
            Some("device")
        );
    }

    /// The README's router example is a valid configuration.
    #[test]
    fn readme_example_is_valid() {
        let readme = include_str!("../../README.md");
        let section = &readme[readme.find("## WAMP router").unwrap()..];
        let start = section.find("```toml\n").unwrap() + "```toml\n".len();
        let example = &section[start..start + section[start..].find("```").unwrap()];
        let (a, _g) = args(&[], Some(example));
        let (config, endpoints) = settings(&a).unwrap();
        assert_eq!(endpoints.len(), 2);
        let realm = &config.router.realms[&Uri::from("com.example")];
        assert_eq!(realm.principals.len(), 4);
        let status = Uri::from("com.example.x.status");
        assert!(realm.authorizes("guest", Action::Subscribe, &status));
        assert!(!realm.authorizes("guest", Action::Call, &status));
        assert!(!realm.authorizes("user", Action::Call, &Uri::from("com.example.admin.x")));
    }

    #[test]
    fn errors_say_what_is_wrong() {
        for (listen, file, needle) in [
            (&[][..], None, "nothing to listen on"),
            (&["http://x:1"][..], None, "scheme"),
            (&["rawsocket://127.0.0.1:0"][..], Some("bogus = 1"), "bogus"),
            (
                &["rawsocket://127.0.0.1:0"][..],
                Some("uri_rule = \"x\""),
                "uri_rule",
            ),
            (
                &["rawsocket://127.0.0.1:0"][..],
                Some("[realms.\"a b\"]"),
                "invalid realm URI",
            ),
            (
                &["rawsocket://127.0.0.1:0"][..],
                Some("[rawsocket]\nserializers = [\"ubjson\"]"),
                "ubjson",
            ),
            (
                &["rawsocket://127.0.0.1:0"][..],
                Some("[websocket]\nsubprotocols = [\"chat\"]"),
                "chat",
            ),
            (
                &["rawsocket://127.0.0.1:0"][..],
                Some("[roles.realm1]\ncall = false"),
                "roles",
            ),
            (
                &["rawsocket://127.0.0.1:0"][..],
                Some("[realms.r]\nauthmethods = [\"anonymous\"]"),
                "anonymous = ",
            ),
            (
                &["rawsocket://127.0.0.1:0"][..],
                Some("[realms.r]\nauthmethods = [\"wamp-scram\"]"),
                "wamp-scram",
            ),
            (
                &["rawsocket://127.0.0.1:0"][..],
                Some("[realms.r]\nanonymous = \"guest\""),
                "anonymous role \"guest\" is not defined",
            ),
            (
                &["rawsocket://127.0.0.1:0"][..],
                Some(
                    "[realms.r.roles.u]\npermissions = [{ uri = \"a\", match = \"regex\", allow = [] }]",
                ),
                "regex",
            ),
            (
                &["rawsocket://127.0.0.1:0"][..],
                Some("[realms.r.roles.u]\npermissions = [{ uri = \"a..b\", allow = [] }]"),
                "a..b",
            ),
            (
                &["rawsocket://127.0.0.1:0"][..],
                Some("[realms.r.roles.u]\npermissions = [{ uri = \"a\", allow = [\"admin\"] }]"),
                "admin",
            ),
            (
                &["rawsocket://127.0.0.1:0"][..],
                Some("[realms.r.roles.u]\npermissions = [{ uri = \"a\", deny = [] }]"),
                "deny",
            ),
            (
                &["rawsocket://127.0.0.1:0"][..],
                Some(
                    "[realms.r]\nauthmethods = [\"ticket\"]\n[realms.r.principals.joe]\nrole = \"u\"\nticket = \"t\"",
                ),
                "principal \"joe\": role \"u\" is not defined",
            ),
            (
                &["rawsocket://127.0.0.1:0"][..],
                Some(
                    "[realms.r]\nauthmethods = [\"ticket\"]\n[realms.r.roles.u]\n[realms.r.principals.joe]\nrole = \"u\"",
                ),
                "no credentials",
            ),
            (
                &["rawsocket://127.0.0.1:0"][..],
                Some(
                    "[realms.r]\nauthmethods = [\"ticket\"]\n[realms.r.roles.u]\n[realms.r.principals.joe]\nrole = \"u\"\nwampcra = { secret = \"s\" }",
                ),
                "lack wampcra",
            ),
            (
                &["rawsocket://127.0.0.1:0"][..],
                Some(
                    "[realms.r]\nauthmethods = [\"wampcra\"]\n[realms.r.roles.u]\n[realms.r.principals.joe]\nrole = \"u\"\nwampcra = { secret = \"s\", keylen = 16 }",
                ),
                "need a salt",
            ),
            (
                &["rawsocket://127.0.0.1:0"][..],
                Some(
                    "[realms.r]\nauthmethods = [\"wampcra\"]\n[realms.r.roles.u]\n[realms.r.principals.joe]\nrole = \"u\"\nwampcra = { secret = \"s\", salt = \"x\", iterations = 0 }",
                ),
                "iterations must be positive",
            ),
            (
                &["rawsocket://127.0.0.1:0"][..],
                Some(
                    "[realms.r]\nauthmethods = [\"cryptosign\"]\n[realms.r.roles.u]\n[realms.r.principals.joe]\nrole = \"u\"\ncryptosign = [\"abcd\"]",
                ),
                "not 32 bytes",
            ),
        ] {
            let (a, _g) = args(listen, file);
            let e = settings(&a).unwrap_err();
            assert!(e.contains(needle), "{e} lacks {needle}");
        }
        let a = RouterArgs {
            listen: vec!["rawsocket://127.0.0.1:0".into()],
            config: Some(PathBuf::from("/nonexistent/router.toml")),
        };
        assert!(settings(&a).unwrap_err().contains("cannot read"));
    }
}
