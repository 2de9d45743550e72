//! Replays every committed seed of the core's fuzz targets through the fuzz
//! bodies, so a stable `cargo test` catches what the fuzzer once found.

use std::path::PathBuf;

use ampel_websocket::Role;
use ampel_websocket::fuzzing;

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            let data = std::fs::read(&p).expect("seed readable");
            (p, data)
        })
        .collect()
}

#[test]
fn frame_decode_seeds() {
    for (_, data) in seeds("frame_decode") {
        fuzzing::frame_decode(&data);
    }
}

#[test]
fn connection_server_seeds() {
    for (_, data) in seeds("connection_server") {
        fuzzing::connection(Role::Server, &data);
    }
}

#[test]
fn connection_client_seeds() {
    for (_, data) in seeds("connection_client") {
        fuzzing::connection(Role::Client, &data);
    }
}

#[test]
fn utf8_seeds() {
    for (_, data) in seeds("utf8") {
        fuzzing::utf8_differential(&data);
    }
}

/// The bodies also hold on inputs no one wrote by hand: a cheap, fixed
/// pseudo-random sweep so the replay exercises more than the seeds.
#[test]
fn bodies_hold_on_pseudo_random_input() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for len in 0..400 {
        let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        fuzzing::frame_decode(&data);
        fuzzing::utf8_differential(&data);
        fuzzing::connection(Role::Server, &data);
        fuzzing::connection(Role::Client, &data);
    }
}

#[test]
fn deflate_seeds() {
    for (_, data) in seeds("deflate") {
        fuzzing::deflate(&data);
    }
}

/// The deflate body on pseudo-random frame descriptors behind a fixed offer.
#[test]
fn deflate_body_holds_on_pseudo_random_input() {
    let mut state = 0x0123_4567_89AB_CDEFu64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for len in 0..300 {
        let mut data = b"permessage-deflate; client_max_window_bits\0".to_vec();
        data.extend((0..len).map(|_| next() as u8));
        fuzzing::deflate(&data);
        let raw: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        fuzzing::deflate(&raw);
    }
}
