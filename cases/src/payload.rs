//! Frame and message payloads, described cheaply: a 16 MiB repeated pattern is a few bytes of
//! catalogue data and is only produced chunk by chunk when a harness writes it.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use crate::corpus::DataSet;

/// A payload: literal bytes, UTF-8 text, a pattern repeated up to a length, or a window of a
/// compression data set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payload {
    /// Literal bytes (not necessarily UTF-8); serialised as a lower-case hex string.
    Bytes(#[serde(with = "hex_serde")] Vec<u8>),
    /// Literal UTF-8 text.
    Text(String),
    /// `pattern` repeated (and cut) to exactly `len` bytes, starting `phase` bytes into the
    /// pattern. An empty pattern yields an empty payload whatever `len` says.
    Repeat {
        /// The repeated unit; serialised as a lower-case hex string.
        #[serde(with = "hex_serde")]
        pattern: Vec<u8>,
        /// Total length in bytes.
        len: usize,
        /// Offset into `pattern` of the first byte (non-zero for slices of a repeat).
        #[serde(default)]
        phase: usize,
    },
    /// `len` bytes of a data set read cyclically from byte `offset` (wrapping at its end), for
    /// the compression cases; the data set is generated, never serialised.
    Corpus {
        /// The data set.
        set: DataSet,
        /// The first byte (below the set's length).
        offset: usize,
        /// Total length in bytes.
        len: usize,
    },
}

impl Default for Payload {
    fn default() -> Self {
        Self::Bytes(Vec::new())
    }
}

impl Payload {
    /// The empty payload.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Literal text.
    pub fn text(s: impl Into<String>) -> Self {
        Self::Text(s.into())
    }

    /// Literal bytes.
    pub fn bytes_of(b: impl Into<Vec<u8>>) -> Self {
        Self::Bytes(b.into())
    }

    /// `pattern` repeated to `len` bytes.
    pub fn repeat(pattern: impl Into<Vec<u8>>, len: usize) -> Self {
        Self::Repeat {
            pattern: pattern.into(),
            len,
            phase: 0,
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        match self {
            Self::Bytes(b) => b.len(),
            Self::Text(t) => t.len(),
            Self::Corpus { set, len, .. } => {
                if set.bytes().is_empty() {
                    0
                } else {
                    *len
                }
            }
            Self::Repeat { pattern, len, .. } => {
                if pattern.is_empty() {
                    0
                } else {
                    *len
                }
            }
        }
    }

    /// True when the payload has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole payload as bytes. Borrowed for literals; a repeat is materialised, so prefer
    /// [`Payload::chunks`] for large repeats.
    pub fn bytes(&self) -> Cow<'_, [u8]> {
        match self {
            Self::Bytes(b) => Cow::Borrowed(b),
            Self::Text(t) => Cow::Borrowed(t.as_bytes()),
            Self::Repeat { pattern, phase, .. } => {
                Cow::Owned(repeat_fill(pattern, *phase, self.len()))
            }
            Self::Corpus { set, offset, .. } => cyclic(set.bytes(), *offset, self.len()),
        }
    }

    /// The first `n` bytes (fewer if the payload is shorter), without materialising the rest;
    /// for previews in reports.
    pub fn head(&self, n: usize) -> Vec<u8> {
        self.slice(0, n).bytes().into_owned()
    }

    /// The payload in consecutive pieces of at most `size` bytes (a `size` of 0 is treated as
    /// 1). An empty payload yields no pieces.
    pub fn chunks(&self, size: usize) -> Chunks<'_> {
        Chunks {
            payload: self,
            pos: 0,
            size: size.max(1),
        }
    }

    /// The bytes `start..end` (clamped to the payload) as a payload of the same kind where
    /// possible: text stays text when cut on character boundaries, a repeat stays a repeat.
    pub fn slice(&self, start: usize, end: usize) -> Payload {
        let len = self.len();
        let end = end.min(len);
        let start = start.min(end);
        match self {
            Self::Bytes(b) => Self::Bytes(b.get(start..end).unwrap_or_default().to_vec()),
            Self::Text(t) => match t.get(start..end) {
                Some(s) => Self::Text(s.to_owned()),
                None => Self::Bytes(t.as_bytes().get(start..end).unwrap_or_default().to_vec()),
            },
            Self::Repeat { pattern, phase, .. } => {
                if pattern.is_empty() {
                    return Self::empty();
                }
                Self::Repeat {
                    pattern: pattern.clone(),
                    len: end - start,
                    phase: (phase % pattern.len() + start % pattern.len()) % pattern.len(),
                }
            }
            Self::Corpus { set, offset, .. } => {
                let total = set.bytes().len().max(1);
                Self::Corpus {
                    set: *set,
                    offset: (offset % total + start % total) % total,
                    len: end - start,
                }
            }
        }
    }

    /// True when the bytes are valid UTF-8 (streams through repeats).
    pub fn is_utf8(&self) -> bool {
        match self {
            Self::Text(_) => true,
            Self::Bytes(b) => std::str::from_utf8(b).is_ok(),
            Self::Repeat { .. } | Self::Corpus { .. } => {
                // Streamed: a code point cut by a chunk boundary is carried into the next.
                let mut carry: Vec<u8> = Vec::new();
                for chunk in self.chunks(64 * 1024) {
                    carry.extend_from_slice(&chunk);
                    match std::str::from_utf8(&carry) {
                        Ok(_) => carry.clear(),
                        Err(e) if e.error_len().is_none() => {
                            carry.drain(..e.valid_up_to());
                        }
                        Err(_) => return false,
                    }
                }
                carry.is_empty()
            }
        }
    }

    /// True when `data` equals the bytes `start..start + data.len()` of the payload (false
    /// past its end); compares in place, without materialising a repeat or a wrapped window.
    pub fn equals_at(&self, start: usize, data: &[u8]) -> bool {
        if start.saturating_add(data.len()) > self.len() {
            return false;
        }
        match self {
            Self::Bytes(b) => b.get(start..start + data.len()) == Some(data),
            Self::Text(t) => t.as_bytes().get(start..start + data.len()) == Some(data),
            Self::Repeat { pattern, phase, .. } => {
                cyclic_eq(pattern, phase.saturating_add(start), data)
            }
            Self::Corpus { set, offset, .. } => {
                cyclic_eq(set.bytes(), offset.saturating_add(start), data)
            }
        }
    }

    /// Lower-case hex SHA-1 of the bytes, computed without materialising the payload.
    pub fn sha1_hex(&self) -> String {
        let mut hasher = Sha1::new();
        for chunk in self.chunks(64 * 1024) {
            hasher.update(&chunk);
        }
        hex(&hasher.finalize())
    }
}

/// Lower-case hex SHA-1 of a byte slice.
pub fn sha1_hex(bytes: &[u8]) -> String {
    hex(&Sha1::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Bytes as a lower-case hex string in serialised forms (compact and readable in reports).
mod hex_serde {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::hex(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(deserializer)?;
        let digits = s.as_bytes();
        if digits.len() % 2 != 0 {
            return Err(serde::de::Error::custom(
                "hex string has an odd number of digits",
            ));
        }
        digits
            .chunks_exact(2)
            .map(|pair| {
                // `from_str_radix` alone would accept a sign ("+1").
                let text = std::str::from_utf8(pair)
                    .ok()
                    .filter(|t| t.bytes().all(|b| b.is_ascii_hexdigit()));
                text.and_then(|t| u8::from_str_radix(t, 16).ok())
                    .ok_or_else(|| {
                        serde::de::Error::custom(format!(
                            "invalid hex digits {:?}",
                            String::from_utf8_lossy(pair)
                        ))
                    })
            })
            .collect()
    }
}

/// `n` bytes of `data` read cyclically from `offset`: borrowed when no wrap is needed.
fn cyclic(data: &'static [u8], offset: usize, n: usize) -> Cow<'static, [u8]> {
    let start = offset.checked_rem(data.len()).unwrap_or(0);
    match data.get(start..start.saturating_add(n)) {
        Some(window) => Cow::Borrowed(window),
        None => Cow::Owned(repeat_fill(data, start, n)),
    }
}

/// True when `data` equals `data.len()` bytes of `source` read cyclically from `offset`.
fn cyclic_eq(source: &[u8], offset: usize, mut data: &[u8]) -> bool {
    let Some(mut at) = offset.checked_rem(source.len()) else {
        return data.is_empty();
    };
    while !data.is_empty() {
        let run = source.get(at..).unwrap_or_default();
        let n = run.len().min(data.len());
        let (head, rest) = data.split_at(n);
        if run.get(..n) != Some(head) {
            return false;
        }
        data = rest;
        at = 0;
    }
    true
}

/// `n` bytes of `pattern` repeated, starting `offset` bytes into it. Whole periods are
/// doubled with `extend_from_within`, which keeps the period and costs a few memcpys.
fn repeat_fill(pattern: &[u8], offset: usize, n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n);
    if pattern.is_empty() {
        return out;
    }
    let skip = offset % pattern.len();
    out.extend_from_slice(pattern.get(skip..).unwrap_or_default());
    out.extend_from_slice(pattern.get(..skip).unwrap_or_default());
    while out.len() < n {
        let more = out.len().min(n - out.len());
        out.extend_from_within(..more);
    }
    out.truncate(n);
    out
}

/// Iterator over a payload's bytes in bounded pieces; see [`Payload::chunks`].
#[derive(Debug, Clone)]
pub struct Chunks<'a> {
    payload: &'a Payload,
    pos: usize,
    size: usize,
}

impl<'a> Iterator for Chunks<'a> {
    type Item = Cow<'a, [u8]>;

    fn next(&mut self) -> Option<Self::Item> {
        let len = self.payload.len();
        if self.pos >= len {
            return None;
        }
        let end = self.pos.saturating_add(self.size).min(len);
        let start = self.pos;
        self.pos = end;
        Some(match self.payload {
            Payload::Bytes(b) => Cow::Borrowed(b.get(start..end).unwrap_or_default()),
            Payload::Text(t) => Cow::Borrowed(t.as_bytes().get(start..end).unwrap_or_default()),
            Payload::Repeat { pattern, phase, .. } => Cow::Owned(repeat_fill(
                pattern,
                phase.saturating_add(start),
                end - start,
            )),
            Payload::Corpus { set, offset, .. } => {
                cyclic(set.bytes(), offset.saturating_add(start), end - start)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        assert_eq!(Payload::empty().len(), 0);
        assert_eq!(
            Payload::text("\u{3ba}\u{1f79}\u{3c3}\u{3bc}\u{3b5}").len(),
            11
        );
        assert_eq!(Payload::repeat(*b"ab", 5).len(), 5);
        assert_eq!(Payload::repeat(Vec::new(), 5).len(), 0);
        assert!(Payload::repeat(Vec::new(), 5).bytes().is_empty());
    }

    #[test]
    fn repeat_materialises_and_chunks_identically() {
        let p = Payload::repeat(*b"BAsd7&jh23", 25);
        assert_eq!(&*p.bytes(), b"BAsd7&jh23BAsd7&jh23BAsd7");
        for size in [1, 3, 7, 10, 11, 100] {
            let joined: Vec<u8> = p.chunks(size).flat_map(|c| c.into_owned()).collect();
            assert_eq!(joined, &*p.bytes(), "chunk size {size}");
            assert!(p.chunks(size).all(|c| c.len() <= size));
        }
        assert_eq!(Payload::empty().chunks(4).count(), 0);
    }

    #[test]
    fn slices_keep_kind_and_phase() {
        let p = Payload::repeat(*b"abc", 10);
        let s = p.slice(4, 9);
        assert_eq!(&*s.bytes(), b"bcabc");
        assert!(matches!(s, Payload::Repeat { .. }));
        assert_eq!(&*s.slice(1, 3).bytes(), b"ca");
        assert_eq!(p.slice(8, 100).len(), 2);
        assert_eq!(p.slice(20, 30).len(), 0);

        let t = Payload::text("aκb");
        assert_eq!(t.slice(1, 3), Payload::text("κ"));
        assert_eq!(t.slice(1, 2), Payload::bytes_of(vec![0xce]));
        assert_eq!(
            Payload::bytes_of(*b"hello").slice(1, 3),
            Payload::bytes_of(*b"el")
        );
    }

    #[test]
    fn repeat_fill_matches_a_naive_cycle() {
        let pattern = b"BAsd7&jh23";
        for offset in [0, 3, 9, 10, 23] {
            for n in [0, 1, 9, 10, 11, 25, 1000] {
                let naive: Vec<u8> = pattern
                    .iter()
                    .cycle()
                    .skip(offset % 10)
                    .take(n)
                    .copied()
                    .collect();
                assert_eq!(
                    repeat_fill(pattern, offset, n),
                    naive,
                    "offset {offset} n {n}"
                );
            }
        }
        assert!(repeat_fill(b"", 3, 10).is_empty());
    }

    #[test]
    fn repeat_utf8_across_chunk_boundaries() {
        // A 2-byte code point straddles every 64 KiB chunk boundary of an odd-phased repeat.
        let p = Payload::repeat("\u{b5}".as_bytes().to_vec(), 200_000);
        assert!(p.is_utf8());
        assert!(!p.slice(1, 200_000).is_utf8());
        // Cut in the middle of the last code point.
        assert!(!Payload::repeat("\u{b5}".as_bytes().to_vec(), 199_999).is_utf8());
    }

    #[test]
    fn serialises_bytes_as_hex() {
        let p = Payload::bytes_of(vec![0x00, 0xfe, 0x2a]);
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, r#"{"bytes":"00fe2a"}"#);
        assert_eq!(serde_json::from_str::<Payload>(&json).unwrap(), p);
        let r = Payload::repeat(*b"*", 3);
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"{"repeat":{"pattern":"2a","len":3,"phase":0}}"#);
        assert_eq!(serde_json::from_str::<Payload>(&json).unwrap(), r);
        assert!(serde_json::from_str::<Payload>(r#"{"bytes":"0"}"#).is_err());
        assert!(serde_json::from_str::<Payload>(r#"{"bytes":"zz"}"#).is_err());
        assert!(serde_json::from_str::<Payload>(r#"{"bytes":"+1"}"#).is_err());
    }

    #[test]
    fn head_is_a_prefix() {
        assert_eq!(Payload::repeat(*b"ab", 16 << 20).head(5), b"ababa");
        assert_eq!(Payload::text("xy").head(5), b"xy");
    }

    #[test]
    fn sha1_streams() {
        // SHA-1 of the empty string and of "abc" (FIPS 180 example).
        assert_eq!(
            Payload::empty().sha1_hex(),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
        assert_eq!(
            Payload::text("abc").sha1_hex(),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        let big = Payload::repeat(*b"xyz", 200_001);
        assert_eq!(big.sha1_hex(), sha1_hex(&big.bytes()));
    }

    #[test]
    fn equals_at_compares_in_place() {
        let r = Payload::repeat(*b"abc", 10);
        let bytes = r.bytes().into_owned();
        for start in 0..=10 {
            for end in start..=10 {
                assert!(r.equals_at(start, &bytes[start..end]), "{start}..{end}");
            }
        }
        assert!(!r.equals_at(1, b"bcx"));
        assert!(!r.equals_at(9, b"ca"), "past the end");
        let w = Payload::Corpus {
            set: DataSet::Json,
            offset: DataSet::Json.bytes().len() - 3,
            len: 10,
        };
        let window = w.bytes().into_owned();
        assert!(w.equals_at(0, &window) && w.equals_at(2, &window[2..7]));
        let mut bad = window.clone();
        bad[5] ^= 1;
        assert!(!w.equals_at(0, &bad), "a difference after the wrap");
        assert!(
            Payload::text("hey").equals_at(1, b"ey") && !Payload::text("hey").equals_at(1, b"e!")
        );
        assert!(Payload::repeat(Vec::new(), 5).equals_at(0, b""));
    }

    #[test]
    fn utf8_check() {
        assert!(Payload::text("ok").is_utf8());
        assert!(!Payload::bytes_of(vec![0xed, 0xa0, 0x80]).is_utf8());
        assert!(Payload::repeat(*b"*", 3).is_utf8());
    }
}
