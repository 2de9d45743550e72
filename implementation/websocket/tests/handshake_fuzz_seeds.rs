//! Replays every committed fuzz seed through the fuzz bodies, then throws
//! random and mutated heads at them so a stable `cargo test` catches what the
//! fuzzer would.

use std::path::PathBuf;

use ampel_websocket::handshake::fuzzing;
use proptest::prelude::*;

fn corpus(name: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(name);
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn request_seeds() {
    let seeds = corpus("handshake_request");
    assert!(seeds.len() >= 4, "seed corpus is missing");
    for (path, bytes) in seeds {
        eprintln!("{}", path.display());
        fuzzing::request(&bytes);
    }
}

#[test]
fn response_seeds() {
    let seeds = corpus("handshake_response");
    assert!(seeds.len() >= 4, "seed corpus is missing");
    for (path, bytes) in seeds {
        eprintln!("{}", path.display());
        fuzzing::response(&bytes);
    }
}

/// Seeds with one byte replaced, inserted or removed, at every position.
fn mutations(seed: &[u8], byte: u8) -> impl Iterator<Item = Vec<u8>> + '_ {
    (0..seed.len()).flat_map(move |at| {
        let mut replaced = seed.to_vec();
        replaced[at] = byte;
        let mut inserted = seed.to_vec();
        inserted.insert(at, byte);
        let mut removed = seed.to_vec();
        removed.remove(at);
        [replaced, inserted, removed]
    })
}

#[test]
fn single_byte_mutations_of_seeds() {
    for byte in [
        b'\r', b'\n', b' ', b',', b';', b'"', b'\\', b':', 0, 0x7f, 0xff, b'a',
    ] {
        for (_, seed) in corpus("handshake_request") {
            mutations(&seed, byte).for_each(|m| fuzzing::request(&m));
        }
        for (_, seed) in corpus("handshake_response") {
            mutations(&seed, byte).for_each(|m| fuzzing::response(&m));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes(data in prop::collection::vec(any::<u8>(), 0..600)) {
        fuzzing::request(&data);
        fuzzing::response(&data);
    }

    #[test]
    fn random_header_lines(
        lines in prop::collection::vec("[A-Za-z-]{1,24}: [ -~]{0,40}", 0..12),
        first in prop::sample::select(vec![
            "GET / HTTP/1.1", "GET /x?y HTTP/1.1", "HTTP/1.1 101 Switching Protocols",
        ]),
    ) {
        let base = [
            "Host: h", "Upgrade: websocket", "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
        ];
        let mut head = format!("{first}\r\n");
        for line in base.iter().copied().chain(lines.iter().map(String::as_str)) {
            head += line;
            head += "\r\n";
        }
        head += "\r\n";
        fuzzing::request(head.as_bytes());
        fuzzing::response(head.as_bytes());
    }
}
