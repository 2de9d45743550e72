//! Our client against a Crossbar.io router (PyPI `crossbar`, in its own virtualenv
//! `AMPEL_PEERS_DIR/crossbar`): RawSocket and WebSocket, JSON, MessagePack and CBOR; pub/sub
//! with args and kwargs, RPC, application errors, no_such_procedure,
//! procedure_already_exists. Skipped loudly without Crossbar; a failure when
//! `AMPEL_REQUIRE_PEERS=1`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ampel_net::wamp::{ApplicationError, Client, Error};
use ampel_wamp::{Dict, Serialization, Value};

const STARTUP: Duration = Duration::from_secs(60);

fn crossbar() -> Option<PathBuf> {
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

/// A Crossbar node: SIGTERM to its PID on drop (it stops its workers), SIGKILL if it lingers.
struct Crossbar {
    child: Child,
    dir: PathBuf,
}

impl Drop for Crossbar {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                self.cleanup();
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.cleanup();
    }
}

impl Crossbar {
    fn cleanup(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn config(ws_port: u16, rs_port: u16) -> String {
    let serializers = r#"["json", "msgpack", "cbor"]"#;
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
        "permissions": [{{
          "uri": "", "match": "prefix",
          "allow": {{"call": true, "register": true, "publish": true, "subscribe": true}},
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
      }}
    ]
  }}]
}}"#
    )
}

async fn start(bin: &PathBuf) -> (Crossbar, u16, u16) {
    let (ws_port, rs_port) = (free_port(), free_port());
    // A fresh node directory (config, logs, pid file) per run.
    let dir = std::env::temp_dir().join(format!("ampel-crossbar-{}-{ws_port}", std::process::id()));
    let cbdir = dir.join(".crossbar");
    std::fs::create_dir_all(&cbdir).expect("cbdir");
    std::fs::write(cbdir.join("config.json"), config(ws_port, rs_port)).expect("config");
    let child = Command::new(bin)
        .args(["start", "--cbdir"])
        .arg(&cbdir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn crossbar");
    let mut node = Crossbar { child, dir };
    let started = tokio::time::Instant::now();
    loop {
        let ws = tokio::net::TcpStream::connect(("127.0.0.1", ws_port)).await;
        let rs = tokio::net::TcpStream::connect(("127.0.0.1", rs_port)).await;
        if ws.is_ok() && rs.is_ok() {
            break;
        }
        if let Ok(Some(status)) = node.child.try_wait() {
            panic!("crossbar exited during startup: {status}");
        }
        assert!(
            started.elapsed() < STARTUP,
            "crossbar did not listen within {STARTUP:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    (node, ws_port, rs_port)
}

fn error_of<T: std::fmt::Debug>(r: Result<T, Error>) -> ApplicationError {
    match r {
        Err(Error::Application(e)) => e,
        other => panic!("expected an application error, got {other:?}"),
    }
}

async fn exercise(url: &str, serialization: Serialization) {
    let a = Client::connect(url, "realm1", serialization).await.unwrap();
    let b = Client::connect(url, "realm1", serialization).await.unwrap();
    let mut events = b.subscribe("com.ampel.topic").await.unwrap();
    let mut kwargs = Dict::new();
    kwargs.insert("k".into(), Value::Bool(true));
    a.publish_acknowledged(
        "com.ampel.topic",
        vec![Value::UInt(1), Value::Str("two".into())],
        kwargs.clone(),
    )
    .await
    .unwrap();
    let event = tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(event.args, vec![Value::UInt(1), Value::Str("two".into())]);
    assert_eq!(event.kwargs, kwargs);

    a.register_fn("com.ampel.add", |args, _| async move {
        if args.len() != 2 {
            return Err(ApplicationError::with_args(
                "com.ampel.error.arity",
                vec![Value::UInt(args.len() as u64)],
            ));
        }
        Ok((
            vec![Value::UInt(args.iter().filter_map(Value::as_u64).sum())],
            Dict::new(),
        ))
    })
    .await
    .unwrap();
    let reply = b
        .call(
            "com.ampel.add",
            vec![Value::UInt(20), Value::UInt(22)],
            Dict::new(),
        )
        .await
        .unwrap();
    assert_eq!(reply.args, vec![Value::UInt(42)]);
    let e = error_of(
        b.call("com.ampel.add", vec![Value::UInt(1)], Dict::new())
            .await,
    );
    assert_eq!(e.error.as_str(), "com.ampel.error.arity");
    assert_eq!(e.args, vec![Value::UInt(1)]);
    let e = error_of(b.call("com.ampel.none", Vec::new(), Dict::new()).await);
    assert_eq!(e.error.as_str(), "wamp.error.no_such_procedure");
    let e = error_of(b.register("com.ampel.add").await.map(|r| r.id()));
    assert_eq!(e.error.as_str(), "wamp.error.procedure_already_exists");
    a.leave().await.unwrap();
    b.leave().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_against_crossbar() {
    let Some(bin) = crossbar() else { return };
    let (_node, ws_port, rs_port) = start(&bin).await;
    tokio::time::timeout(Duration::from_secs(60), async {
        for serialization in [
            Serialization::Json,
            Serialization::MsgPack,
            Serialization::Cbor,
        ] {
            exercise(&format!("rawsocket://127.0.0.1:{rs_port}"), serialization).await;
            exercise(&format!("ws://127.0.0.1:{ws_port}/"), serialization).await;
        }
    })
    .await
    .unwrap();
}
