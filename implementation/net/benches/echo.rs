//! Echo over loopback, messages per second: ampel-net client + server against
//! tokio-tungstenite client + server, side by side in one criterion group.
//! Payloads of 16 B, 1 KiB and 64 KiB; 1 and 64 connections; each connection
//! sends a window of messages, then reads their echoes (pipelined).
//!
//! `cargo bench -p ampel-net --bench echo` (short: 1 s warm-up, 3 s measurement).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ampel_net::{Listener, MaybeTlsStream, Message, ServerConfig, WebSocket};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use futures_util::future::join_all;
use futures_util::{SinkExt, StreamExt, TryStreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio_tungstenite::{MaybeTlsStream as TMaybeTls, WebSocketStream, tungstenite};

const SIZES: [usize; 3] = [16, 1024, 64 * 1024];
const CONNECTIONS: [usize; 2] = [1, 64];

/// Messages in flight per connection and round.
fn window(size: usize) -> usize {
    if size >= 64 * 1024 { 8 } else { 16 }
}

async fn ampel_server() -> SocketAddr {
    let listener = Listener::bind("127.0.0.1:0", ServerConfig::default())
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(ampel_net::testee::echo_server(listener));
    addr
}

async fn tungstenite_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = tcp.set_nodelay(true);
                let Ok(ws) = tokio_tungstenite::accept_async(tcp).await else {
                    return;
                };
                // The idiomatic echo: forward flushes only when no input is ready.
                let (sink, stream) = ws.split();
                let data = stream.try_filter(|m| std::future::ready(m.is_text() || m.is_binary()));
                let _ = data.forward(sink).await;
            });
        }
    });
    addr
}

async fn ampel_round(ws: &mut WebSocket<MaybeTlsStream>, payload: &[u8], n: usize) {
    for _ in 0..n {
        ws.feed(Message::Binary(payload.to_vec()))
            .await
            .expect("feed");
    }
    ws.flush().await.expect("flush");
    for _ in 0..n {
        let echo = ws.recv().await.expect("echo").expect("ok");
        assert!(matches!(echo, Message::Binary(ref p) if p.len() == payload.len()));
    }
}

async fn tungstenite_round(
    ws: &mut WebSocketStream<TMaybeTls<TcpStream>>,
    payload: &bytes::Bytes,
    n: usize,
) {
    for _ in 0..n {
        ws.feed(tungstenite::Message::Binary(payload.clone()))
            .await
            .expect("feed");
    }
    ws.flush().await.expect("flush");
    for _ in 0..n {
        let echo = ws.next().await.expect("echo").expect("ok");
        assert_eq!(echo.len(), payload.len());
    }
}

fn echo(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let ours = rt.block_on(ampel_server());
    let theirs = rt.block_on(tungstenite_server());
    let mut group = c.benchmark_group("echo");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(10);
    for &conns in &CONNECTIONS {
        for &size in &SIZES {
            let n = window(size);
            let label = format!("{size}B/{conns}conn");
            group.throughput(Throughput::Elements((conns * n) as u64));
            let payload = vec![0x5a; size];
            bench_ampel(&mut group, &rt, ours, &label, conns, &payload, n);
            bench_tungstenite(&mut group, &rt, theirs, &label, conns, &payload, n);
        }
    }
    group.finish();
}

type Group<'a> = criterion::BenchmarkGroup<'a, criterion::measurement::WallTime>;

fn bench_ampel(
    g: &mut Group<'_>,
    rt: &Runtime,
    addr: SocketAddr,
    label: &str,
    conns: usize,
    payload: &[u8],
    n: usize,
) {
    let url = format!("ws://{addr}/");
    let mut clients = rt.block_on(join_all((0..conns).map(|_| ampel_net::connect(&url))));
    let mut clients: Vec<_> = clients.drain(..).map(|c| c.expect("connect")).collect();
    g.bench_function(BenchmarkId::new("ampel-net", label), |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    join_all(clients.iter_mut().map(|ws| ampel_round(ws, payload, n))).await;
                }
                start.elapsed()
            })
        });
    });
    rt.block_on(join_all(
        clients
            .iter_mut()
            .map(|ws| ws.close(ampel_net::CloseCode::NORMAL, "")),
    ));
}

fn bench_tungstenite(
    g: &mut Group<'_>,
    rt: &Runtime,
    addr: SocketAddr,
    label: &str,
    conns: usize,
    payload: &[u8],
    n: usize,
) {
    let url = format!("ws://{addr}/");
    let connected = rt.block_on(join_all(
        (0..conns).map(|_| tokio_tungstenite::connect_async(url.clone())),
    ));
    let mut clients: Vec<_> = connected
        .into_iter()
        .map(|c| c.expect("connect").0)
        .collect();
    for ws in &clients {
        if let TMaybeTls::Plain(tcp) = ws.get_ref() {
            let _ = tcp.set_nodelay(true);
        }
    }
    let payload = bytes::Bytes::copy_from_slice(payload);
    g.bench_function(BenchmarkId::new("tokio-tungstenite", label), |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    join_all(
                        clients
                            .iter_mut()
                            .map(|ws| tungstenite_round(ws, &payload, n)),
                    )
                    .await;
                }
                start.elapsed()
            })
        });
    });
    rt.block_on(join_all(clients.iter_mut().map(|ws| ws.close(None))));
}

criterion_group!(benches, echo);
criterion_main!(benches);
