//! WAMP throughput through a router with our client: RPC calls/s (a window of concurrent
//! calls to a callee on another connection) and events/s (one publisher, one subscriber),
//! over RawSocket and WebSocket with JSON and MessagePack. Our router always; a Crossbar.io
//! node side by side when `AMPEL_PEERS_DIR/crossbar/bin/crossbar` exists.
//!
//! `cargo bench -p ampel-net --bench wamp -- --warm-up-time 1 --measurement-time 3`

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ampel_net::wamp::{Client, RouterServer, RouterServerConfig};
use ampel_wamp::{Dict, Serialization, Value};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use futures_util::future::join_all;
use tokio::runtime::Runtime;

/// Calls in flight per iteration.
const CALLS: u64 = 100;
/// Events per iteration.
const EVENTS: u64 = 1000;

struct Pair {
    callee: Client,
    caller: Client,
}

async fn pair(url: &str, serialization: Serialization) -> Pair {
    let callee = Client::connect(url, "realm1", serialization)
        .await
        .expect("callee connects");
    let caller = Client::connect(url, "realm1", serialization)
        .await
        .expect("caller connects");
    Pair { callee, caller }
}

fn bench_target(
    c: &mut Criterion,
    rt: &Runtime,
    router: &str,
    transport: &str,
    url: &str,
    serialization: Serialization,
) {
    let ser_name = match serialization {
        Serialization::Json => "json",
        Serialization::MsgPack => "msgpack",
        _ => "other",
    };
    let id = format!("{router}/{transport}/{ser_name}");
    let p = rt.block_on(pair(url, serialization));
    rt.block_on(p.callee.register_fn(
        "bench.echo",
        |args, kwargs| async move { Ok((args, kwargs)) },
    ))
    .expect("register");

    let mut group = c.benchmark_group("wamp_rpc");
    group.throughput(Throughput::Elements(CALLS));
    group.bench_function(BenchmarkId::from_parameter(&id), |b| {
        b.to_async(rt).iter(|| async {
            let calls = (0..CALLS).map(|i| {
                p.caller.call(
                    "bench.echo",
                    vec![Value::UInt(i), Value::Str("payload".into())],
                    Dict::new(),
                )
            });
            for r in join_all(calls).await {
                r.expect("call");
            }
        });
    });
    group.finish();

    // Criterion's closure is FnMut, so the stream is borrowed through a lock per iteration.
    let events = tokio::sync::Mutex::new(
        rt.block_on(p.callee.subscribe("bench.topic"))
            .expect("subscribe"),
    );
    let mut group = c.benchmark_group("wamp_events");
    group.throughput(Throughput::Elements(EVENTS));
    group.bench_function(BenchmarkId::from_parameter(&id), |b| {
        b.to_async(rt).iter(|| {
            let events = &events;
            let publisher = &p.caller;
            async move {
                let mut events = events.lock().await;
                for i in 0..EVENTS {
                    publisher
                        .publish("bench.topic", vec![Value::UInt(i)], Dict::new())
                        .await
                        .expect("publish");
                }
                for _ in 0..EVENTS {
                    events.next().await.expect("event");
                }
            }
        });
    });
    group.finish();
    rt.block_on(async {
        let _ = p.callee.leave().await;
        let _ = p.caller.leave().await;
    });
}

/// A Crossbar node, SIGTERM on drop.
struct Crossbar(Child, PathBuf);

impl Drop for Crossbar {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        for _ in 0..100 {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
        let _ = std::fs::remove_dir_all(&self.1);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn crossbar() -> Option<(Crossbar, u16, u16)> {
    let bin = PathBuf::from(std::env::var_os("AMPEL_PEERS_DIR")?).join("crossbar/bin/crossbar");
    if !bin.exists() {
        return None;
    }
    let (ws, rs) = (free_port(), free_port());
    let dir = std::env::temp_dir().join(format!("ampel-crossbar-bench-{}", std::process::id()));
    let cbdir = dir.join(".crossbar");
    std::fs::create_dir_all(&cbdir).ok()?;
    let transport = |kind: &str, port: u16| {
        format!(
            r#"{{"type": "{kind}", "endpoint": {{"type": "tcp", "interface": "127.0.0.1", "port": {port}}}, "serializers": ["json", "msgpack"]}}"#
        )
    };
    let config = format!(
        r#"{{"version": 2, "controller": {{}}, "workers": [{{"type": "router",
  "realms": [{{"name": "realm1", "roles": [{{"name": "anonymous", "permissions": [{{"uri": "", "match": "prefix",
    "allow": {{"call": true, "register": true, "publish": true, "subscribe": true}},
    "disclose": {{"caller": false, "publisher": false}}, "cache": true}}]}}]}}],
  "transports": [{}, {}]}}]}}"#,
        transport("websocket", ws),
        transport("rawsocket", rs)
    );
    std::fs::write(cbdir.join("config.json"), config).ok()?;
    let child = Command::new(bin)
        .args(["start", "--cbdir"])
        .arg(&cbdir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let node = Crossbar(child, dir);
    for _ in 0..300 {
        let up = |p| std::net::TcpStream::connect(("127.0.0.1", p)).is_ok();
        if up(ws) && up(rs) {
            return Some((node, ws, rs));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    None
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (_server, raw, ws) = rt.block_on(async {
        let mut server = RouterServer::start(RouterServerConfig::default());
        let raw = server
            .listen(&"rawsocket://127.0.0.1:0".parse().expect("url"))
            .await
            .expect("listen");
        let ws = server
            .listen(&"ws://127.0.0.1:0/ws".parse().expect("url"))
            .await
            .expect("listen");
        (server, raw.to_string(), ws.to_string())
    });
    for serialization in [Serialization::Json, Serialization::MsgPack] {
        bench_target(c, &rt, "ampel", "rawsocket", &raw, serialization);
        bench_target(c, &rt, "ampel", "websocket", &ws, serialization);
    }
    if let Some((_node, ws_port, rs_port)) = crossbar() {
        let raw = format!("rawsocket://127.0.0.1:{rs_port}");
        let ws = format!("ws://127.0.0.1:{ws_port}/");
        for serialization in [Serialization::Json, Serialization::MsgPack] {
            bench_target(c, &rt, "crossbar", "rawsocket", &raw, serialization);
            bench_target(c, &rt, "crossbar", "websocket", &ws, serialization);
        }
    } else {
        eprintln!("Crossbar.io not available (AMPEL_PEERS_DIR/crossbar): ours only");
    }
}

criterion_group!(wamp, benches);
criterion_main!(wamp);
