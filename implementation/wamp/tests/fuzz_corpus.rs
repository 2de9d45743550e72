//! Replays the committed fuzz seeds (`fuzz/corpus/wamp_decode`, `fuzz/corpus/wamp_router`)
//! through the fuzz bodies, plus a deterministic batch of pseudo-random inputs, on stable.

use std::path::{Path, PathBuf};

use ampel_wamp::fuzzing;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    files
}

#[test]
fn decode_seeds() {
    for path in corpus("wamp_decode") {
        fuzzing::decode_input(&std::fs::read(&path).unwrap());
    }
}

#[test]
fn router_seeds() {
    for path in corpus("wamp_router") {
        fuzzing::router(&std::fs::read(&path).unwrap());
    }
}

/// Seeds mutated at random: flipped, inserted and removed bytes.
fn mutations(target: &str, rounds: usize) -> Vec<Vec<u8>> {
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let seeds: Vec<Vec<u8>> = corpus(target)
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    (0..rounds)
        .map(|i| {
            let mut input = seeds[i % seeds.len()].clone();
            for _ in 0..rng.random_range(1..6) {
                let at = rng.random_range(0..=input.len());
                match rng.random_range(0..3) {
                    0 if at < input.len() => input[at] ^= 1 << rng.random_range(0..8),
                    1 => input.insert(at, rng.random()),
                    _ if at < input.len() => {
                        input.remove(at);
                    }
                    _ => {}
                }
            }
            input
        })
        .collect()
}

#[test]
fn decode_mutations() {
    for input in mutations("wamp_decode", 5000) {
        fuzzing::decode_input(&input);
    }
}

#[test]
fn router_mutations() {
    for input in mutations("wamp_router", 3000) {
        fuzzing::router(&input);
    }
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..500 {
        let len = rng.random_range(0..400);
        let input: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        fuzzing::router(&input);
    }
}

#[test]
fn client_sessions_survive_arbitrary_router_input() {
    // The router seeds double as client inputs: the same choice stream drives commands and
    // generated messages.
    for input in mutations("wamp_router", 3000) {
        fuzzing::client(&input);
    }
    let mut rng = StdRng::seed_from_u64(11);
    for _ in 0..500 {
        let len = rng.random_range(0..400);
        let input: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        fuzzing::client(&input);
    }
}
