//! The messages of a compression case: consecutive windows of a data set, wrapping around at
//! its end (reference §6.1). Text sets count windows in characters, so a window never splits
//! a UTF-8 sequence; binary sets count bytes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use crate::corpus::DataSet;
use crate::message::{Fragmentation, MessageSpec};
use crate::payload::Payload;
use crate::step::EchoSpec;

/// `count` consecutive windows of `size` units (characters of a text set, bytes of a binary
/// one) of a data set, each sent as one message, fragmented after compression into frames of
/// `fragment_size` bytes (0: one frame).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Windows {
    /// The data set.
    pub set: DataSet,
    /// Window length in characters (text sets) or bytes (binary sets).
    pub size: usize,
    /// Frame size for the compressed bytes; 0 sends each message in one frame.
    pub fragment_size: usize,
    /// How many windows.
    pub count: u32,
    /// The expected echoes, built on first use and shared by every `Windows` of the same set,
    /// size and count (12.1.i and the seven 13.j.i send the same windows), so the harness and
    /// the judge hash each window once per run.
    #[serde(skip)]
    echoes: OnceLock<Arc<Vec<EchoSpec>>>,
}

impl PartialEq for Windows {
    fn eq(&self, other: &Self) -> bool {
        (self.set, self.size, self.fragment_size, self.count)
            == (other.set, other.size, other.fragment_size, other.count)
    }
}

impl Eq for Windows {}

impl Windows {
    /// `count` windows of `size` units of `set`.
    pub fn new(set: DataSet, size: usize, fragment_size: usize, count: u32) -> Self {
        Self {
            set,
            size,
            fragment_size,
            count,
            echoes: OnceLock::new(),
        }
    }

    /// The content of window `index` (0-based; any index, the set wraps).
    pub fn payload(&self, index: u32) -> Payload {
        let first = u64::from(index).saturating_mul(self.size as u64);
        let last = first.saturating_add(self.size as u64);
        let (start, end) = if self.set.is_text() {
            (
                char_position(self.set, first),
                char_position(self.set, last),
            )
        } else {
            (first, last)
        };
        let total = self.set.bytes().len() as u64;
        Payload::Corpus {
            set: self.set,
            offset: usize::try_from(start.checked_rem(total).unwrap_or(0)).unwrap_or(0),
            len: usize::try_from(end - start).unwrap_or(usize::MAX),
        }
    }

    /// Message `index`: text or binary as the set is sent, fragmented as configured.
    pub fn message(&self, index: u32) -> MessageSpec {
        MessageSpec {
            binary: !self.set.is_text(),
            payload: self.payload(index),
            fragmentation: if self.fragment_size == 0 {
                Fragmentation::Whole
            } else {
                Fragmentation::FragmentSize(self.fragment_size)
            },
        }
    }

    /// The expected echo of message `index` (`None` past `count`).
    pub fn expected(&self, index: u32) -> Option<&EchoSpec> {
        let echoes = self.echoes.get_or_init(|| {
            type Key = (DataSet, usize, u32);
            static SHARED: OnceLock<Mutex<HashMap<Key, Arc<Vec<EchoSpec>>>>> = OnceLock::new();
            let build = || {
                let echoes = (0..self.count)
                    .map(|i| EchoSpec::new(!self.set.is_text(), self.payload(i)))
                    .collect();
                Arc::new(echoes)
            };
            match SHARED.get_or_init(Mutex::default).lock() {
                Ok(mut shared) => Arc::clone(
                    shared
                        .entry((self.set, self.size, self.count))
                        .or_insert_with(build),
                ),
                Err(_) => build(),
            }
        });
        echoes.get(usize::try_from(index).ok()?)
    }
}

/// The byte position of character `k` of the set read cyclically.
fn char_position(set: DataSet, k: u64) -> u64 {
    let starts = char_starts(set);
    let chars = starts.len() as u64;
    if chars == 0 {
        return 0;
    }
    let laps = k / chars;
    let within = usize::try_from(k % chars).unwrap_or(0);
    let total = set.bytes().len() as u64;
    laps.saturating_mul(total)
        .saturating_add(starts.get(within).copied().map_or(0, u64::from))
}

/// Byte offsets of every character of a set, built once per set.
fn char_starts(set: DataSet) -> &'static [u32] {
    static TABLES: [OnceLock<Vec<u32>>; DataSet::ALL.len()] =
        [const { OnceLock::new() }; DataSet::ALL.len()];
    let slot = DataSet::ALL.iter().position(|s| *s == set).unwrap_or(0);
    TABLES.get(slot).map_or(&[], |table| {
        table.get_or_init(|| {
            let bytes = set.bytes();
            (0..bytes.len())
                // A UTF-8 continuation byte is 10xxxxxx; every other byte starts a character.
                .filter(|&i| bytes.get(i).is_some_and(|b| b & 0xc0 != 0x80))
                .filter_map(|i| u32::try_from(i).ok())
                .collect()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_windows_are_consecutive_and_wrap() {
        let set = DataSet::Bitmap;
        let total = set.bytes().len();
        let w = Windows::new(set, 100_000, 0, 5);
        let mut joined = Vec::new();
        for i in 0..5 {
            let p = w.payload(i);
            assert_eq!(p.len(), 100_000);
            joined.extend_from_slice(&p.bytes());
        }
        let expected: Vec<u8> = set.bytes().iter().copied().cycle().take(500_000).collect();
        assert_eq!(joined, expected);
        assert!(500_000 > total, "the test must wrap");
    }

    #[test]
    fn text_windows_count_characters_and_stay_utf8() {
        let set = DataSet::Html;
        let text = std::str::from_utf8(set.bytes()).expect("the HTML set is UTF-8");
        let chars: Vec<char> = text.chars().collect();
        let w = Windows::new(set, 131_072, 0, 6);
        let mut k = 0usize;
        for i in 0..6 {
            let p = w.payload(i);
            let bytes = p.bytes();
            let got = std::str::from_utf8(&bytes).expect("a window is UTF-8");
            let want: String = (0..131_072).map(|j| chars[(k + j) % chars.len()]).collect();
            assert_eq!(got, want, "window {i}");
            k += 131_072;
        }
        assert!(!w.message(0).binary && w.expected(5).is_some() && w.expected(6).is_none());
    }

    #[test]
    fn fragment_size_zero_is_one_frame() {
        let w = Windows::new(DataSet::Json, 16, 0, 1);
        assert_eq!(w.message(0).fragmentation, Fragmentation::Whole);
        let w = Windows::new(DataSet::Json, 16, 256, 1);
        assert_eq!(w.message(0).fragmentation, Fragmentation::FragmentSize(256));
    }

    #[test]
    fn equal_windows_share_the_expected_echoes() {
        let w = Windows::new(DataSet::Json, 64, 0, 3);
        let c = Windows::new(DataSet::Json, 64, 256, 3);
        let a: *const EchoSpec = w.expected(2).expect("in range");
        let b: *const EchoSpec = c.expected(2).expect("in range");
        assert_eq!(a, b);
    }
}
