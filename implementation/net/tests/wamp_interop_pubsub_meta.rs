//! autobahn-python (PyPI) against our router: pattern subscriptions, publisher exclusion,
//! black/white-listing, event retention and the session meta API, per serializer over
//! WebSocket (`wamp_peers/autobahn_pubsub_meta.py`). Skipped loudly without the peers; a
//! failure when `AMPEL_REQUIRE_PEERS=1`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ampel_net::wamp::{RouterServer, RouterServerConfig};
use ampel_wamp::Uri;
use ampel_wamp::auth::AuthMethod;
use ampel_wamp::router::{Principal, RealmConfig, Role};

/// How long one autobahn run may take.
const RUN_LIMIT: Duration = Duration::from_secs(45);

/// The installed Python with autobahn, or `None` after a loud skip line.
fn python() -> Option<PathBuf> {
    let require = std::env::var("AMPEL_REQUIRE_PEERS").is_ok_and(|v| v == "1");
    let problem = match std::env::var_os("AMPEL_PEERS_DIR") {
        None => "AMPEL_PEERS_DIR is not set".to_owned(),
        Some(dir) => {
            let dir = PathBuf::from(dir);
            let python = dir.join("py/bin/python");
            let has_autobahn = python.exists()
                && Command::new(&python)
                    .args(["-c", "import autobahn, msgpack, cbor2"])
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success());
            if has_autobahn {
                return Some(python);
            }
            format!("{} has no autobahn[serialization]", python.display())
        }
    };
    assert!(
        !require,
        "{problem}, and AMPEL_REQUIRE_PEERS=1 (run scripts/install-peers.sh)"
    );
    eprintln!(
        "\n!!!!!!!! SKIPPED: autobahn-python not available: {problem} (run scripts/install-peers.sh and set AMPEL_PEERS_DIR=<repo>/build) !!!!!!!!\n"
    );
    None
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/wamp_peers")
        .join(name)
}

/// A child process killed by its PID and reaped on drop.
struct Peer(Child);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the autobahn client to completion (bounded), returning its stdout.
async fn run_autobahn(python: &Path, url: &str, serializer: &str) -> (bool, String) {
    let child = Command::new(python)
        .arg(script("autobahn_pubsub_meta.py"))
        .args([url, serializer])
        // Stdin stays open as a lifeline: the script exits when it closes.
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn autobahn client");
    let mut peer = Peer(child);
    let started = tokio::time::Instant::now();
    let status = loop {
        if let Some(status) = peer.0.try_wait().expect("try_wait") {
            break Some(status);
        }
        if started.elapsed() > RUN_LIMIT {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let mut out = String::new();
    let mut err = String::new();
    use std::io::Read;
    if let Some(mut o) = peer.0.stdout.take() {
        let _ = o.read_to_string(&mut out);
    }
    if let Some(mut e) = peer.0.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let ok = status.is_some_and(|s| s.success()) && out.trim() == "OK";
    (
        ok,
        format!("status {status:?}\nstdout: {out}\nstderr: {err}"),
    )
}

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
    let Some(python) = python() else { return };
    let mut failures = Vec::new();
    for serializer in ["json", "msgpack", "cbor"] {
        // A fresh router per run: the script counts the realm's sessions.
        let mut server = RouterServer::start(config());
        let ws = server
            .listen(&"ws://127.0.0.1:0/ws".parse().unwrap())
            .await
            .unwrap();
        let (ok, log) = run_autobahn(&python, &ws.to_string(), serializer).await;
        if !ok {
            failures.push(format!("{serializer}: {log}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
