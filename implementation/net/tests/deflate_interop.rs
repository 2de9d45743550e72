//! permessage-deflate interop over 127.0.0.1 with Python `websockets` and Node `ws`
//! (installed by `scripts/install-peers.sh` under `AMPEL_PEERS_DIR`; the scripts are in
//! `tests/deflate_peers/`): our client against their echo servers, their clients against
//! our server, with several parameter sets. Both sides must report the extension as
//! negotiated, and text (JSON-like) and binary messages of several sizes, whole and
//! fragmented, some over 64 KiB, must echo intact. Skipped loudly without the peers; a
//! failure when `AMPEL_REQUIRE_PEERS=1`. Every peer process is killed by its PID on drop.

mod common;

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use ampel_net::{
    ClientConfig, ClientDeflate, ClientOffers, CloseCode, DeflateParams, Direction, Message,
    MessageKind, OfferParams, ServerConfig, ServerDeflate, ServerPolicy, WebSocket,
    WindowBitsRequest, client_handshake,
};
use ampel_websocket::handshake::ClientRequest;
use common::{payload, run, serve_one};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, BufReader, ReadBuf};
use tokio::net::TcpStream;
use tokio::process::{Child, ChildStdout, Command};

/// How long a peer may take to print its port or a result line.
const PEER_LIMIT: Duration = Duration::from_secs(20);

// ----- peers ---------------------------------------------------------------------

fn require_peers() -> bool {
    std::env::var("AMPEL_REQUIRE_PEERS").is_ok_and(|v| v == "1")
}

fn unavailable(problem: &str) {
    assert!(
        !require_peers(),
        "{problem}, and AMPEL_REQUIRE_PEERS=1 (run scripts/install-peers.sh)"
    );
    eprintln!(
        "\n!!!!!!!! SKIPPED: third-party peer not available: {problem} (run scripts/install-peers.sh and set AMPEL_PEERS_DIR=<repo>/build) !!!!!!!!\n"
    );
}

/// The Python interpreter with `websockets`, or `None` after a loud skip line.
fn python() -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("AMPEL_PEERS_DIR") else {
        unavailable("AMPEL_PEERS_DIR is not set");
        return None;
    };
    let python = PathBuf::from(dir).join("py/bin/python");
    let works = std::process::Command::new(&python)
        .args(["-c", "import websockets"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if works {
        Some(python)
    } else {
        unavailable(&format!("{} cannot import websockets", python.display()));
        None
    }
}

/// `NODE_PATH` holding `ws`, or `None` after a loud skip line.
fn node_modules() -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("AMPEL_PEERS_DIR") else {
        unavailable("AMPEL_PEERS_DIR is not set");
        return None;
    };
    let modules = PathBuf::from(dir).join("node/node_modules");
    if !modules.join("ws/package.json").exists() {
        unavailable(&format!("{} has no ws", modules.display()));
        return None;
    }
    let node_runs = std::process::Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !node_runs {
        unavailable("`node` is not on PATH");
        return None;
    }
    Some(modules)
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/deflate_peers")
        .join(name)
}

/// A peer process: killed by its PID on drop. Its stdin is a lifeline (the
/// scripts exit when it closes); stdout is read line by line.
struct Peer {
    child: Child,
    lines: tokio::io::Lines<BufReader<ChildStdout>>,
}

impl Peer {
    fn spawn(mut command: Command) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {command:?}: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        Self {
            child,
            lines: BufReader::new(stdout).lines(),
        }
    }

    /// The next stdout line (bounded in time; `None` at EOF).
    async fn line(&mut self) -> Option<String> {
        tokio::time::timeout(PEER_LIMIT, self.lines.next_line())
            .await
            .expect("the peer printed nothing in time")
            .expect("reading the peer's stdout")
    }

    /// Every remaining stdout line, until the process closes it.
    async fn rest(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(line) = self.line().await {
            out.push(line);
        }
        out
    }

    /// A server peer's port (its first line).
    async fn port(&mut self) -> u16 {
        let line = self.line().await.expect("the peer printed no port");
        line.trim().parse().expect("a port number")
    }

    async fn exit_status(&mut self) -> std::process::ExitStatus {
        tokio::time::timeout(PEER_LIMIT, self.child.wait())
            .await
            .expect("the peer did not exit in time")
            .expect("waiting for the peer")
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        // Kills by PID (a no-op if it already exited); tokio reaps it.
        let _ = self.child.start_kill();
    }
}

fn python_server(python: &Path, factory: Option<&str>) -> Peer {
    let mut command = Command::new(python);
    command.arg(script("echo_websockets.py"));
    command.args(factory);
    Peer::spawn(command)
}

fn python_client(python: &Path, url: &str, factory: Option<&str>) -> Peer {
    let mut command = Command::new(python);
    command.arg(script("client_websockets.py")).arg(url);
    command.args(factory);
    Peer::spawn(command)
}

fn node_server(modules: &Path, options: Option<&str>) -> Peer {
    let mut command = Command::new("node");
    command
        .arg(script("echo_ws.js"))
        .env("NODE_PATH", modules)
        .args(options);
    Peer::spawn(command)
}

fn node_client(modules: &Path, url: &str, options: Option<&str>) -> Peer {
    let mut command = Command::new("node");
    command
        .arg(script("client_ws.js"))
        .arg(url)
        .env("NODE_PATH", modules)
        .args(options);
    Peer::spawn(command)
}

// ----- our side --------------------------------------------------------------------

fn dir(no_context_takeover: bool, window_bits: u8) -> Direction {
    Direction {
        no_context_takeover,
        window_bits,
    }
}

fn params(client: Direction, server: Direction) -> DeflateParams {
    DeflateParams { client, server }
}

/// Counts the bytes read from a transport (what the peer put on the wire).
struct Counting {
    inner: TcpStream,
    read: Arc<AtomicU64>,
}

impl AsyncRead for Counting {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len() - before;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        polled
    }
}

impl AsyncWrite for Counting {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A JSON-like text of `len` bytes.
fn json_text(len: usize) -> String {
    let mut out = String::from("[");
    let mut i = 0u64;
    while out.len() < len {
        out.push_str(&format!(
            r#"{{"id":{i},"name":"user-{}","active":{},"score":{}}},"#,
            i * 7919 % 1000,
            i % 3 == 0,
            i * 31 % 977
        ));
        i += 1;
    }
    out.truncate(len);
    out
}

/// Pseudo-random bytes (xorshift): incompressible.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Connects our client (over a transport counting what the peer sends).
async fn our_client(port: u16, offers: Vec<OfferParams>) -> (WebSocket<Counting>, Arc<AtomicU64>) {
    let mut config = ClientConfig::default();
    config.deflate = Some(ClientDeflate::new(ClientOffers { offers }));
    config.websocket.max_message_size = 64 << 20;
    let read = Arc::new(AtomicU64::new(0));
    let io = Counting {
        inner: TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect"),
        read: Arc::clone(&read),
    };
    let request = ClientRequest::new("127.0.0.1", port, "/");
    let ws = client_handshake(io, request, &config)
        .await
        .expect("handshake");
    (ws, read)
}

async fn expect_echo(ws: &mut WebSocket<Counting>, expected: &Message, what: &str) {
    let echo = ws.recv().await.expect("an echo").expect("a valid echo");
    assert!(&echo == expected, "{what}: the echo differs");
}

/// Our client against a peer echo server: the peer reports the extension it
/// answered; whole messages (text and binary, several sizes, > 64 KiB),
/// our fragmented sends (streamed, and compressed-then-fragmented), the
/// peer's fragmented sends, twice over; the peer's compressed bytes are
/// counted on the wire.
async fn exercise_peer_server(port: u16, offers: Vec<OfferParams>, expected: DeflateParams) {
    let (mut ws, read) = our_client(port, offers).await;
    assert_eq!(ws.negotiated_deflate(), Some(expected));
    let ours = ws
        .handshake()
        .header("Sec-WebSocket-Extensions")
        .expect("an extension response")
        .to_owned();
    ws.send(Message::text("__extensions__")).await.expect("ask");
    expect_echo(
        &mut ws,
        &Message::Text(ours.clone()),
        "the peer's extensions",
    )
    .await;
    let whole = [
        Message::text(""),
        Message::text("hello κόσμε"),
        Message::text(json_text(1500)),
        Message::text(json_text(70_000)),
        Message::text(json_text(300_000)),
        Message::binary(vec![1u8]),
        Message::binary(payload(3000)),
        Message::binary(noise(100_000, 5)),
        Message::binary([vec![b'a'; 8000], noise(64, 9)].concat().repeat(40)),
    ];
    for round in 0..2 {
        for m in &whole {
            ws.send(m.clone()).await.expect("send");
            expect_echo(&mut ws, m, &format!("round {round}")).await;
        }
        // Streamed: one compressed message over several frames.
        let text = json_text(120_000);
        let mut writer = ws.send_stream(MessageKind::Text).await.expect("stream");
        for piece in text.as_bytes().chunks(25_000) {
            writer.write(piece).await.expect("write");
        }
        writer.finish().await.expect("finish");
        expect_echo(&mut ws, &Message::Text(text), "streamed text").await;
        let data = [noise(40_000, 3), vec![0u8; 40_000]].concat();
        let mut writer = ws.send_stream(MessageKind::Binary).await.expect("stream");
        for piece in data.chunks(30_000) {
            writer.write(piece).await.expect("write");
        }
        writer.finish().await.expect("finish");
        expect_echo(&mut ws, &Message::Binary(data), "streamed binary").await;
        // The peer fragments its answer.
        let text = json_text(90_000);
        ws.send(Message::Text(format!("FRAG:{text}")))
            .await
            .expect("send");
        expect_echo(&mut ws, &Message::Text(text), "the peer's fragments").await;
    }
    // 2 MiB of JSON from the peer must arrive much smaller.
    let before = read.load(Ordering::Relaxed);
    let big = Message::text(json_text(2 << 20));
    ws.send(big.clone()).await.expect("send");
    expect_echo(&mut ws, &big, "2 MiB").await;
    let received = read.load(Ordering::Relaxed) - before;
    assert!(
        received < (2 << 20) / 4,
        "the peer's echo took {received} bytes on the wire: not compressed"
    );
    let summary = ws.close(CloseCode::NORMAL, "").await.expect("close");
    assert!(summary.clean, "{summary:?}");
}

/// Our server for a peer client: echoes, reports what it negotiated and how
/// many messages it echoed.
async fn our_server(
    policy: ServerPolicy,
) -> (
    std::net::SocketAddr,
    tokio::task::JoinHandle<(Option<DeflateParams>, u64)>,
) {
    let mut config = ServerConfig::default();
    config.deflate = Some(ServerDeflate::new(policy));
    config.websocket.max_message_size = 64 << 20;
    serve_one(config, |mut ws| async move {
        let negotiated = ws.negotiated_deflate();
        let echoed = ampel_net::testee::echo(&mut ws).await.expect("echo");
        (negotiated, echoed)
    })
    .await
}

/// A peer client against our server: it prints the extension it received,
/// then `OK <n>` after checking every echo.
async fn exercise_peer_client(
    spawn: impl FnOnce(&str) -> Peer,
    policy: ServerPolicy,
    response: &str,
    expected: DeflateParams,
) {
    let (addr, server) = our_server(policy).await;
    let mut peer = spawn(&format!("ws://{addr}/"));
    let lines = peer.rest().await;
    let status = peer.exit_status().await;
    assert!(status.success(), "the peer failed ({status}): {lines:?}");
    assert_eq!(
        lines.first().map(String::as_str),
        Some(format!("EXT {response}").as_str()),
        "{lines:?}"
    );
    let ok = lines
        .iter()
        .find_map(|l| l.strip_prefix("OK "))
        .unwrap_or_else(|| panic!("no OK line: {lines:?}"));
    let (negotiated, echoed) = tokio::time::timeout(PEER_LIMIT, server)
        .await
        .expect("our server ended")
        .expect("our server");
    assert_eq!(negotiated, Some(expected));
    assert_eq!(ok.parse::<u64>().ok(), Some(echoed), "{lines:?}");
}

// ----- Python websockets -------------------------------------------------------------

#[test]
fn our_client_against_python_websockets_server() {
    let Some(python) = python() else { return };
    run(async {
        // compression="deflate": websockets answers 12-bit windows both ways.
        let mut peer = python_server(&python, None);
        let port = peer.port().await;
        let any = OfferParams {
            client_max_window_bits: WindowBitsRequest::Any,
            ..Default::default()
        };
        exercise_peer_server(port, vec![any], params(dir(false, 12), dir(false, 12))).await;
        drop(peer);

        // A factory that honours what is offered; our first offer asks for
        // no context takeover both ways and a 10-bit server window.
        let mut peer = python_server(&python, Some("{}"));
        let port = peer.port().await;
        let first = OfferParams {
            server_no_context_takeover: true,
            client_no_context_takeover: true,
            server_max_window_bits: Some(10),
            client_max_window_bits: WindowBitsRequest::Any,
        };
        exercise_peer_server(
            port,
            vec![first, OfferParams::default()],
            params(dir(true, 15), dir(true, 10)),
        )
        .await;
        drop(peer);

        // A server limited to a 9-bit window answers a 12-bit request with 9.
        let mut peer = python_server(&python, Some(r#"{"server_max_window_bits": 9}"#));
        let port = peer.port().await;
        let twelve = OfferParams {
            server_max_window_bits: Some(12),
            ..Default::default()
        };
        exercise_peer_server(port, vec![twelve], params(dir(false, 15), dir(false, 9))).await;
    });
}

#[test]
fn python_websockets_client_against_our_server() {
    let Some(python) = python() else { return };
    run(async {
        // Its default offer, our default policy.
        exercise_peer_client(
            |url| python_client(&python, url, None),
            ServerPolicy::default(),
            "permessage-deflate",
            params(dir(false, 15), dir(false, 15)),
        )
        .await;
        // It asks for no context takeover and 9-bit windows both ways.
        exercise_peer_client(
            |url| {
                python_client(
                    &python,
                    url,
                    Some(
                        r#"{"server_no_context_takeover": true, "client_no_context_takeover": true, "server_max_window_bits": 9, "client_max_window_bits": 9}"#,
                    ),
                )
            },
            ServerPolicy::default(),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=9",
            params(dir(true, 9), dir(true, 9)),
        )
        .await;
        // We limit both windows and ask it not to take over its context.
        let mut policy = ServerPolicy::default();
        policy.server_max_window_bits = 11;
        policy.client_max_window_bits = Some(10);
        policy.client_no_context_takeover = true;
        exercise_peer_client(
            |url| python_client(&python, url, None),
            policy,
            "permessage-deflate; client_no_context_takeover; server_max_window_bits=11; client_max_window_bits=10",
            params(dir(true, 10), dir(false, 11)),
        )
        .await;
    });
}

// ----- Node ws ---------------------------------------------------------------------

#[test]
fn our_client_against_node_ws_server() {
    let Some(modules) = node_modules() else {
        return;
    };
    run(async {
        // ws's defaults (messages under 1 KiB go uncompressed: threshold 1024).
        let mut peer = node_server(&modules, None);
        let port = peer.port().await;
        let any = OfferParams {
            client_max_window_bits: WindowBitsRequest::Any,
            ..Default::default()
        };
        exercise_peer_server(port, vec![any], params(dir(false, 15), dir(false, 15))).await;
        drop(peer);

        // No context takeover both ways, 9-bit server window, 10-bit client
        // window; every message compressed.
        let mut peer = node_server(
            &modules,
            Some(
                r#"{"serverNoContextTakeover": true, "clientNoContextTakeover": true, "serverMaxWindowBits": 9, "clientMaxWindowBits": 10, "threshold": 0}"#,
            ),
        );
        let port = peer.port().await;
        exercise_peer_server(port, vec![any], params(dir(true, 10), dir(true, 9))).await;
    });
}

#[test]
fn node_ws_client_against_our_server() {
    let Some(modules) = node_modules() else {
        return;
    };
    run(async {
        // Its default offer (`client_max_window_bits`, threshold 1024).
        exercise_peer_client(
            |url| node_client(&modules, url, None),
            ServerPolicy::default(),
            "permessage-deflate",
            params(dir(false, 15), dir(false, 15)),
        )
        .await;
        // It asks for no context takeover both ways, a 9-bit server window and
        // an 11-bit client window; every message compressed.
        exercise_peer_client(
            |url| {
                node_client(
                    &modules,
                    url,
                    Some(
                        r#"{"serverNoContextTakeover": true, "clientNoContextTakeover": true, "serverMaxWindowBits": 9, "clientMaxWindowBits": 11, "threshold": 0}"#,
                    ),
                )
            },
            ServerPolicy::default(),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=11",
            params(dir(true, 11), dir(true, 9)),
        )
        .await;
        // We ask for no context takeover and small windows.
        let mut policy = ServerPolicy::default();
        policy.server_no_context_takeover = true;
        policy.client_no_context_takeover = true;
        policy.server_max_window_bits = 9;
        policy.client_max_window_bits = Some(9);
        exercise_peer_client(
            |url| node_client(&modules, url, Some(r#"{"threshold": 0}"#)),
            policy,
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=9",
            params(dir(true, 9), dir(true, 9)),
        )
        .await;
    });
}
