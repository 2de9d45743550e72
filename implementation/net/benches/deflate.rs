//! permessage-deflate cost over loopback, bytes per second, side by side in one
//! criterion group: for a JSON text payload and a binary payload of 16 KiB and 256 KiB,
//! - `echo/plain`: ampel-net client → ampel-net echo server → client, uncompressed;
//! - `echo/deflate`: the same with permessage-deflate negotiated (level 6, 15-bit windows,
//!   context takeover): every message is deflated and inflated twice (client → server and
//!   back);
//! - `zlib-rs/deflate+inflate`: the same messages deflated and inflated once with flate2's
//!   zlib-rs backend directly (raw deflate, 15-bit window, level 6, sync flush, context
//!   kept across messages), with no sockets and no framing: the floor of one direction.
//!
//! Each iteration moves a window of different messages (16 of 16 KiB, 4 of 256 KiB:
//! consecutive slices of one long payload, so no message repeats its predecessor inside
//! the 32 KiB window); the echo variants send the window, then read its echoes
//! (pipelined). Throughput counts payload bytes sent once (not twice for the echo).
//!
//! `cargo bench -p ampel-net --bench deflate -- --warm-up-time 1 --measurement-time 3`

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ampel_net::testee::echo_server;
use ampel_net::{
    ClientConfig, ClientDeflate, Listener, MaybeTlsStream, Message, ServerConfig, ServerDeflate,
    WebSocket, connect_with,
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
use tokio::runtime::Runtime;

const SIZES: [usize; 2] = [16 * 1024, 256 * 1024];

/// Messages per iteration.
fn window(size: usize) -> usize {
    if size >= 256 * 1024 { 4 } else { 16 }
}

/// A JSON array of records, `len` bytes (ASCII).
fn json_payload(len: usize) -> Vec<u8> {
    let mut out = String::from("[");
    let mut i = 0u64;
    while out.len() < len {
        out.push_str(&format!(
            r#"{{"id":{i},"user":"user-{}","email":"u{}@example.org","active":{},"score":{}.{},"tags":["t{}","t{}"]}},"#,
            i * 7919 % 1000,
            i * 104_729 % 10_007,
            i % 3 == 0,
            i * 31 % 977,
            i % 10,
            i % 7,
            i % 13
        ));
        i += 1;
    }
    out.truncate(len);
    out.into_bytes()
}

/// Binary telemetry records: id, timestamp, four smooth sensor readings with
/// noise, 8 random bytes (moderately compressible).
fn binary_payload(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64);
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut i = 0u32;
    while out.len() < len {
        out.extend_from_slice(&i.to_le_bytes());
        out.extend_from_slice(&(1_700_000_000_000u64 + u64::from(i) * 250).to_le_bytes());
        for k in 0..4u32 {
            let smooth = (f64::from(i) / 50.0 + f64::from(k)).sin() * 100.0;
            let noise = (next() % 100) as f64 / 1000.0;
            out.extend_from_slice(&((smooth + noise) as f32).to_le_bytes());
        }
        out.extend_from_slice(&next().to_le_bytes());
        i += 1;
    }
    out.truncate(len);
    out
}

/// Level 6 (the library default, as in the zlib-rs baseline), every message compressed.
async fn server(deflate: bool) -> SocketAddr {
    let mut config = ServerConfig::default();
    if deflate {
        config.deflate = Some(ServerDeflate::default());
    }
    let listener = Listener::bind("127.0.0.1:0", config).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(echo_server(listener));
    addr
}

async fn client(addr: SocketAddr, config: ClientConfig) -> WebSocket<MaybeTlsStream> {
    connect_with(&format!("ws://{addr}/"), config)
        .await
        .expect("connect")
}

async fn echo_round(ws: &mut WebSocket<MaybeTlsStream>, messages: &[Message]) {
    for message in messages {
        ws.feed(message.clone()).await.expect("feed");
    }
    ws.flush().await.expect("flush");
    for _ in messages {
        let echo = ws.recv().await.expect("echo").expect("ok");
        assert!(echo.is_data());
    }
}

/// One direction of permessage-deflate done by hand with flate2 (zlib-rs):
/// deflate with a sync flush, drop the trailer, re-add it, inflate.
struct Zlib {
    compress: Compress,
    decompress: Decompress,
    deflated: Vec<u8>,
    inflated: Vec<u8>,
}

impl Zlib {
    fn new() -> Self {
        Self {
            compress: Compress::new_with_window_bits(Compression::new(6), false, 15),
            decompress: Decompress::new_with_window_bits(false, 15),
            deflated: Vec::new(),
            inflated: Vec::new(),
        }
    }

    fn round_trip(&mut self, data: &[u8]) {
        self.deflated.clear();
        let start = self.compress.total_in();
        while self.compress.total_in() - start < data.len() as u64
            || self.deflated.len() == self.deflated.capacity()
        {
            self.deflated.reserve(data.len() / 2 + 1024);
            let done = usize::try_from(self.compress.total_in() - start).expect("size");
            self.compress
                .compress_vec(&data[done..], &mut self.deflated, FlushCompress::Sync)
                .expect("deflate");
        }
        let trailer = [0x00, 0x00, 0xff, 0xff];
        assert!(self.deflated.ends_with(&trailer));
        self.deflated.truncate(self.deflated.len() - trailer.len());
        self.deflated.extend_from_slice(&trailer);
        self.inflated.clear();
        self.inflated.reserve(data.len());
        let start = self.decompress.total_in();
        while self.decompress.total_in() - start < self.deflated.len() as u64
            || self.inflated.len() == self.inflated.capacity()
        {
            if self.inflated.len() == self.inflated.capacity() {
                self.inflated.reserve(64 * 1024);
            }
            let done = usize::try_from(self.decompress.total_in() - start).expect("size");
            self.decompress
                .decompress_vec(
                    &self.deflated[done..],
                    &mut self.inflated,
                    FlushDecompress::Sync,
                )
                .expect("inflate");
        }
        assert_eq!(self.inflated.len(), data.len());
    }
}

fn deflate(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let plain_server = rt.block_on(server(false));
    let deflate_server = rt.block_on(server(true));
    let mut group = c.benchmark_group("deflate");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(10);
    for &size in &SIZES {
        let n = window(size);
        for kind in ["json", "binary"] {
            // n different messages: consecutive slices of one long payload, so a
            // message never repeats the one before it inside the window.
            let source = match kind {
                "json" => json_payload(size * n),
                _ => binary_payload(size * n),
            };
            let data: Vec<Vec<u8>> = source.chunks(size).map(<[u8]>::to_vec).collect();
            let messages: Vec<Message> = data
                .iter()
                .map(|d| match kind {
                    "json" => Message::Text(String::from_utf8(d.clone()).expect("ASCII")),
                    _ => Message::Binary(d.clone()),
                })
                .collect();
            let label = format!("{kind}/{}KiB", size / 1024);
            group.throughput(Throughput::Bytes((size * n) as u64));
            bench_echo(
                &mut group,
                &rt,
                "echo/plain",
                &label,
                plain_server,
                false,
                &messages,
            );
            bench_echo(
                &mut group,
                &rt,
                "echo/deflate",
                &label,
                deflate_server,
                true,
                &messages,
            );
            let mut zlib = Zlib::new();
            group.bench_function(BenchmarkId::new("zlib-rs/deflate+inflate", &label), |b| {
                b.iter(|| {
                    for d in &data {
                        zlib.round_trip(d);
                    }
                });
            });
        }
    }
    group.finish();
}

type Group<'a> = criterion::BenchmarkGroup<'a, criterion::measurement::WallTime>;

fn bench_echo(
    g: &mut Group<'_>,
    rt: &Runtime,
    name: &str,
    label: &str,
    addr: SocketAddr,
    deflate: bool,
    messages: &[Message],
) {
    let mut config = ClientConfig::default();
    if deflate {
        config.deflate = Some(ClientDeflate::default());
    }
    let mut ws = rt.block_on(client(addr, config));
    assert_eq!(ws.negotiated_deflate().is_some(), deflate);
    g.bench_function(BenchmarkId::new(name, label), |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    echo_round(&mut ws, messages).await;
                }
                start.elapsed()
            })
        });
    });
    let _ = rt.block_on(ws.close(ampel_net::CloseCode::NORMAL, ""));
}

criterion_group!(benches, deflate);
criterion_main!(benches);
