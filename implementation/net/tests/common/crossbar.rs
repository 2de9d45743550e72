//! A Crossbar.io router (PyPI `crossbar`, in its own virtualenv `AMPEL_PEERS_DIR/crossbar`)
//! started per test binary or per test, on free loopback ports, and stopped by PID.
//! Skipped loudly without Crossbar; a failure when `AMPEL_REQUIRE_PEERS=1`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use ampel_wamp::auth::cryptosign::PrivateKey;

const STARTUP: Duration = Duration::from_secs(60);

/// The `crossbar` executable, or `None` (after saying so) when it is not installed.
pub fn crossbar() -> Option<PathBuf> {
    let require = std::env::var("AMPEL_REQUIRE_PEERS").is_ok_and(|v| v == "1");
    let problem = match std::env::var_os("AMPEL_PEERS_DIR") {
        None => "AMPEL_PEERS_DIR is not set".to_owned(),
        Some(dir) => {
            let bin = PathBuf::from(dir).join("crossbar/bin/crossbar");
            if bin.exists() {
                return Some(bin);
            }
            format!("{} is missing", bin.display())
        }
    };
    assert!(
        !require,
        "{problem}, and AMPEL_REQUIRE_PEERS=1 (python3 -m venv build/crossbar && build/crossbar/bin/pip install crossbar)"
    );
    eprintln!("\n!!!!!!!! SKIPPED: Crossbar.io not available: {problem} !!!!!!!!\n");
    None
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A running Crossbar node: SIGTERM to its PID on drop (it stops its workers), SIGKILL if
/// it lingers.
pub struct Crossbar {
    child: Child,
    dir: PathBuf,
    /// WebSocket transport port (`ws://127.0.0.1:PORT/`).
    pub ws_port: u16,
    /// RawSocket transport port.
    pub rs_port: u16,
    /// WebSocket transport port with static authentication (principals of role `user`).
    pub auth_port: u16,
}

/// The cryptosign key of principal `device` on the authenticating transport.
pub fn device_key() -> PrivateKey {
    PrivateKey::from_seed([7; 32])
}

impl Drop for Crossbar {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                let _ = std::fs::remove_dir_all(&self.dir);
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Crossbar {
    /// The WebSocket URL.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/", self.ws_port)
    }
}

/// Realm `realm1`: role `anonymous` may do everything; URIs under `com.ampel.disclosed.`
/// have caller and publisher disclosure on (Crossbar decides disclosure by role permission,
/// not by `disclose_me`). Role `user`, for the principals of the authenticating transport
/// (joe by ticket, peter by WAMP-CRA, sally by salted WAMP-CRA, device by cryptosign), may
/// do everything under `com.app`. Crossbar's static WAMP-CRA users hold the password and
/// their salt parameters; Crossbar derives the key itself.
fn config(ws_port: u16, rs_port: u16, auth_port: u16) -> String {
    let pubkey = device_key().public_key().to_hex();
    let serializers = r#"["json", "msgpack", "cbor"]"#;
    let allow_all = r#"{"call": true, "register": true, "publish": true, "subscribe": true}"#;
    format!(
        r#"{{
  "version": 2,
  "controller": {{}},
  "workers": [{{
    "type": "router",
    "realms": [{{
      "name": "realm1",
      "roles": [{{
        "name": "anonymous",
        "permissions": [
          {{
            "uri": "", "match": "prefix", "allow": {allow_all},
            "disclose": {{"caller": false, "publisher": false}},
            "cache": true
          }},
          {{
            "uri": "com.ampel.disclosed.", "match": "prefix", "allow": {allow_all},
            "disclose": {{"caller": true, "publisher": true}},
            "cache": true
          }}
        ]
      }}, {{
        "name": "user",
        "permissions": [{{
          "uri": "com.app", "match": "prefix", "allow": {allow_all},
          "disclose": {{"caller": false, "publisher": false}},
          "cache": true
        }}]
      }}]
    }}],
    "transports": [
      {{
        "type": "websocket",
        "endpoint": {{"type": "tcp", "interface": "127.0.0.1", "port": {ws_port}}},
        "serializers": {serializers}
      }},
      {{
        "type": "rawsocket",
        "endpoint": {{"type": "tcp", "interface": "127.0.0.1", "port": {rs_port}}},
        "serializers": {serializers}
      }},
      {{
        "type": "websocket",
        "endpoint": {{"type": "tcp", "interface": "127.0.0.1", "port": {auth_port}}},
        "serializers": {serializers},
        "auth": {{
          "ticket": {{
            "type": "static",
            "principals": {{"joe": {{"ticket": "joe-ticket", "role": "user"}}}}
          }},
          "wampcra": {{
            "type": "static",
            "users": {{
              "peter": {{"secret": "peter-secret", "role": "user"}},
              "sally": {{"secret": "sally-password", "role": "user",
                         "salt": "pepper", "iterations": 100, "keylen": 16}}
            }}
          }},
          "cryptosign": {{
            "type": "static",
            "principals": {{
              "device": {{"realm": "realm1", "role": "user", "authorized_keys": ["{pubkey}"]}}
            }}
          }}
        }}
      }}
    ]
  }}]
}}"#
    )
}

/// Starts a node and waits (blocking) until its transports listen.
pub fn launch(bin: &PathBuf) -> Crossbar {
    let (ws_port, rs_port, auth_port) = (free_port(), free_port(), free_port());
    // A fresh node directory (config, logs, pid file) per run.
    let dir = std::env::temp_dir().join(format!("ampel-crossbar-{}-{ws_port}", std::process::id()));
    let cbdir = dir.join(".crossbar");
    std::fs::create_dir_all(&cbdir).expect("cbdir");
    std::fs::write(
        cbdir.join("config.json"),
        config(ws_port, rs_port, auth_port),
    )
    .expect("config");
    let child = Command::new(bin)
        .args(["start", "--cbdir"])
        .arg(&cbdir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn crossbar");
    let mut node = Crossbar {
        child,
        dir,
        ws_port,
        rs_port,
        auth_port,
    };
    let started = Instant::now();
    let listening = |port| std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
    while ![ws_port, rs_port, auth_port].into_iter().all(listening) {
        if let Ok(Some(status)) = node.child.try_wait() {
            panic!("crossbar exited during startup: {status}");
        }
        assert!(
            started.elapsed() < STARTUP,
            "crossbar did not listen within {STARTUP:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    node
}

/// One node shared by the tests of a binary that run at the same time: each test holds an
/// `Arc`, and the node stops when the last holder drops it (a later test starts a new one),
/// so no node outlives the tests.
pub fn shared() -> Option<Arc<Crossbar>> {
    static NODE: Mutex<Weak<Crossbar>> = Mutex::new(Weak::new());
    let bin = crossbar()?;
    let mut node = NODE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(running) = node.upgrade() {
        return Some(running);
    }
    let running = Arc::new(launch(&bin));
    *node = Arc::downgrade(&running);
    Some(running)
}
