//! Shared helpers of the `cli_*` tests: run the built `ampel` binary with a time limit, and
//! small deliberately broken WebSocket servers (tokio-tungstenite, independent of Ampel's
//! own stack) to test it against.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

/// What a finished `ampel` process left.
#[derive(Debug)]
pub struct Finished {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    pub fn last_line(&self) -> &str {
        self.stdout.lines().last().unwrap_or_default()
    }
}

pub fn ampel() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ampel"));
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Runs `ampel args...` and waits at most `limit`; the process is killed if it overruns.
pub fn run(args: &[&str], limit: Duration) -> Finished {
    let child = ampel().args(args).spawn().expect("spawn ampel");
    wait(child, limit)
}

/// Waits for `child` at most `limit`, killing it on overrun (and failing the test).
pub fn wait(mut child: Child, limit: Duration) -> Finished {
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "ampel did not finish within {limit:?}; stderr: {}",
                err.recv_timeout(Duration::from_secs(1)).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Finished {
        code: status.code(),
        stdout: out.recv_timeout(Duration::from_secs(5)).unwrap_or_default(),
        stderr: err.recv_timeout(Duration::from_secs(5)).unwrap_or_default(),
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_string(&mut text);
        }
        let _ = tx.send(text);
    });
    rx
}

/// Reads stderr lines of a running child until one contains `needle`; returns that line and
/// a receiver for the rest of stderr.
pub fn wait_for_stderr_line(
    child: &mut Child,
    needle: &str,
    limit: Duration,
) -> (String, mpsc::Receiver<String>) {
    let stderr = child.stderr.take().expect("stderr piped");
    let (line_tx, line_rx) = mpsc::channel();
    let (rest_tx, rest_rx) = mpsc::channel();
    let wanted = needle.to_owned();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stderr);
        let mut rest = String::new();
        let mut line = String::new();
        let mut found = false;
        while reader.read_line(&mut line).unwrap_or(0) > 0 {
            if !found && line.contains(&wanted) {
                found = true;
                let _ = line_tx.send(line.clone());
            } else {
                rest.push_str(&line);
            }
            line.clear();
        }
        let _ = rest_tx.send(rest);
    });
    let line = line_rx
        .recv_timeout(limit)
        .unwrap_or_else(|_| panic!("no stderr line containing {needle:?}"));
    (line, rest_rx)
}

/// A fresh, empty directory under the target dir.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// A port nothing listens on (bound, then released).
pub fn dead_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// How a test server misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flaw {
    /// Echoes binary messages back as text (lossy UTF-8).
    BinaryAsText,
    /// A correct echo, but each reply waits this long.
    SlowEcho(Duration),
    /// A correct echo that stops accepting connections after this many (it "dies").
    DieAfter(usize),
}

/// Starts an echo server with `flaw` on a background runtime; returns its address. It lives
/// as long as the test process.
pub fn broken_echo_server(flaw: Flaw) -> SocketAddr {
    echo_server_with_peak(flaw).0
}

/// [`broken_echo_server`], also returning the peak number of connections open at once.
pub fn echo_server_with_peak(flaw: Flaw) -> (SocketAddr, Arc<AtomicUsize>) {
    let peak = Arc::new(AtomicUsize::new(0));
    let open = Arc::new(AtomicUsize::new(0));
    let peak_out = Arc::clone(&peak);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            tx.send(listener.local_addr().expect("addr"))
                .expect("send addr");
            let mut accepted = 0;
            loop {
                if matches!(flaw, Flaw::DieAfter(n) if accepted >= n) {
                    drop(listener);
                    // Keep the runtime (and open connections) alive.
                    std::future::pending::<()>().await;
                    return;
                }
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                accepted += 1;
                let now = open.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                let open = Arc::clone(&open);
                tokio::spawn(async move {
                    serve_echo(stream, flaw).await;
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("server address");
    (addr, peak_out)
}

async fn serve_echo(stream: tokio::net::TcpStream, flaw: Flaw) {
    let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    while let Some(Ok(msg)) = ws.next().await {
        let reply = match (flaw, msg) {
            (Flaw::BinaryAsText, Message::Binary(b)) => {
                Message::text(String::from_utf8_lossy(&b).into_owned())
            }
            (Flaw::SlowEcho(d), m @ (Message::Text(_) | Message::Binary(_))) => {
                tokio::time::sleep(d).await;
                m
            }
            (_, m @ (Message::Text(_) | Message::Binary(_))) => m,
            _ => continue,
        };
        if ws.send(reply).await.is_err() {
            break;
        }
    }
}
