//! Codec throughput next to tungstenite's public equivalents, in the same
//! criterion groups: frame decode + unmask, unmasking, UTF-8 validation.

use std::hint::black_box;
use std::io::{self, Read, Write};
use std::time::Instant;

use ampel_websocket::frame::{FrameHeader, OpCode, apply_mask, encode_frame, extend_masked};
use ampel_websocket::utf8::Utf8Validator;
use ampel_websocket::{Config, Connection, Event, Role};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tokio_tungstenite::tungstenite::protocol::frame::FrameSocket;

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];
const MIB: usize = 1 << 20;

/// A stream that reads a fixed wire image and discards writes.
struct WireIn<'a>(&'a [u8]);

impl Read for WireIn<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for WireIn<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn masked_frame(len: usize) -> Vec<u8> {
    let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
    let mut wire = Vec::new();
    encode_frame(
        &FrameHeader::new(true, OpCode::BINARY, Some(KEY), len as u64),
        &payload,
        &mut wire,
    );
    wire
}

fn decode_unmask(c: &mut Criterion) {
    for (name, len) in [("16B", 16), ("1MiB", MIB)] {
        let wire = masked_frame(len);
        let mut g = c.benchmark_group(format!("decode_unmask_{name}"));
        g.throughput(Throughput::Bytes(len as u64));
        // The codec alone, unmasking into a reused buffer.
        let mut payload = Vec::with_capacity(len);
        g.bench_function("ampel_frame", |b| {
            b.iter(|| {
                let (h, used) = FrameHeader::decode(black_box(&wire))
                    .ok()
                    .flatten()
                    .expect("frame");
                payload.clear();
                extend_masked(&mut payload, &wire[used..], h.mask.unwrap_or_default(), 0);
                black_box(payload.len())
            })
        });
        let mut server = Connection::new(Role::Server, Config::default(), Box::new(|| [0; 4]));
        let now = Instant::now();
        g.bench_function("ampel_connection", |b| {
            b.iter(|| {
                server.handle_input(black_box(&wire), now);
                match server.poll_event() {
                    Some(Event::Message { payload, .. }) => black_box(payload),
                    other => panic!("{other:?}"),
                }
            })
        });
        g.bench_function("tungstenite_frame_socket", |b| {
            b.iter(|| {
                let mut socket = FrameSocket::new(WireIn(black_box(&wire)));
                black_box(socket.read(None).expect("frame").expect("complete"))
            })
        });
        g.finish();
    }
}

fn unmask(c: &mut Criterion) {
    let mut buf = vec![0x5Au8; MIB];
    let mut g = c.benchmark_group("unmask_1MiB");
    g.throughput(Throughput::Bytes(MIB as u64));
    g.bench_function("ampel_apply_mask", |b| {
        b.iter(|| apply_mask(black_box(&mut buf), KEY, 1))
    });
    // tungstenite's apply_mask is private; this is the bytewise definition.
    g.bench_function("bytewise_baseline", |b| {
        b.iter(|| {
            for (i, byte) in black_box(&mut buf).iter_mut().enumerate() {
                *byte ^= KEY[i & 3];
            }
        })
    });
    g.finish();
}

fn utf8(c: &mut Criterion) {
    let ascii: Vec<u8> = (0..MIB).map(|i| b' ' + (i % 95) as u8).collect();
    let mut mixed: Vec<u8> = "Hello-µ@ßöäüàá-UTF-8!! κόσμε €𤭢 "
        .as_bytes()
        .iter()
        .copied()
        .cycle()
        .take(MIB)
        .collect();
    // Cut at the last complete code point.
    if let Err(e) = std::str::from_utf8(&mixed) {
        mixed.truncate(e.valid_up_to());
    }
    let mixed = mixed.as_slice();
    for (name, data) in [("ascii_1MiB", ascii.as_slice()), ("mixed_1MiB", mixed)] {
        let mut g = c.benchmark_group(format!("utf8_{name}"));
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.bench_function("ampel_incremental_whole", |b| {
            b.iter(|| {
                let mut v = Utf8Validator::new();
                v.feed(black_box(data))
                    .and_then(|()| v.finish())
                    .expect("valid")
            })
        });
        g.bench_function("ampel_incremental_4KiB_chunks", |b| {
            b.iter(|| {
                let mut v = Utf8Validator::new();
                for chunk in black_box(data).chunks(4093) {
                    v.feed(chunk).expect("valid");
                }
                v.finish().expect("valid")
            })
        });
        g.bench_function("std_from_utf8", |b| {
            b.iter(|| std::str::from_utf8(black_box(data)).is_ok())
        });
        g.bench_function("simdutf8_basic", |b| {
            b.iter(|| simdutf8::basic::from_utf8(black_box(data)).is_ok())
        });
        g.finish();
    }
}

criterion_group!(benches, decode_unmask, unmask, utf8);
criterion_main!(benches);
