//! Incremental UTF-8 validation that fails at the first invalid byte, even
//! before the rest of a frame or message has arrived (Autobahn 6.4.x), and
//! accepts code points split across frames or reads.
//!
//! The bulk is validated by `simdutf8`; only a code point cut at a chunk
//! boundary (at most 3 bytes) is carried over and finished by hand.

use thiserror::Error;

/// Invalid UTF-8 found by [`Utf8Validator`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("invalid UTF-8 at byte {offset}")]
pub struct Utf8Error {
    /// Offset, from the start of all the data fed, of the sequence that is invalid.
    pub offset: u64,
}

/// Validates a byte stream chunk by chunk.
#[derive(Debug, Clone, Default)]
pub struct Utf8Validator {
    /// The start of a code point cut at the end of the previous chunk.
    pending: [u8; 4],
    pending_len: usize,
    /// Bytes fed so far.
    fed: u64,
}

/// Total length of the sequence a lead byte starts (0 if it cannot lead).
const fn sequence_len(lead: u8) -> usize {
    match lead {
        0x00..=0x7F => 1,
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 0,
    }
}

impl Utf8Validator {
    /// A validator at the start of a stream.
    pub const fn new() -> Self {
        Self {
            pending: [0; 4],
            pending_len: 0,
            fed: 0,
        }
    }

    /// Validates the next chunk. Fails as soon as a byte makes the stream
    /// invalid, whatever follows; a code point cut at the end is kept for the
    /// next call.
    pub fn feed(&mut self, mut chunk: &[u8]) -> Result<(), Utf8Error> {
        let start = self.fed;
        self.fed += chunk.len() as u64;
        let mut offset = start;
        if self.pending_len > 0 {
            let cut_start = start - self.pending_len as u64;
            let lead = self.pending.first().copied().unwrap_or(0);
            let need = sequence_len(lead).saturating_sub(self.pending_len);
            let take = need.min(chunk.len());
            let (head, rest) = chunk.split_at(take);
            let total = self.pending_len + take;
            let Some(slot) = self.pending.get_mut(self.pending_len..total) else {
                return Err(Utf8Error { offset: cut_start });
            };
            slot.copy_from_slice(head);
            let candidate = self.pending.get(..total).unwrap_or(&[]);
            match simdutf8::compat::from_utf8(candidate) {
                Ok(_) => self.pending_len = 0,
                Err(e) if e.error_len().is_none() => {
                    // Still a valid prefix; the chunk was too short to finish it.
                    self.pending_len = total;
                    return Ok(());
                }
                Err(_) => return Err(Utf8Error { offset: cut_start }),
            }
            chunk = rest;
            offset += take as u64;
        }
        match simdutf8::compat::from_utf8(chunk) {
            Ok(_) => Ok(()),
            Err(e) => {
                let valid = e.valid_up_to();
                match (e.error_len(), chunk.get(valid..)) {
                    (None, Some(tail)) if tail.len() < 4 => {
                        self.pending_len = tail.len();
                        if let Some(slot) = self.pending.get_mut(..tail.len()) {
                            slot.copy_from_slice(tail);
                        }
                        Ok(())
                    }
                    _ => Err(Utf8Error {
                        offset: offset + valid as u64,
                    }),
                }
            }
        }
    }

    /// Ends the stream: fails if it stops inside a code point, then resets.
    pub fn finish(&mut self) -> Result<(), Utf8Error> {
        let cut = self.pending_len;
        let end = self.fed;
        *self = Self::new();
        if cut == 0 {
            Ok(())
        } else {
            Err(Utf8Error {
                offset: end - cut as u64,
            })
        }
    }

    /// Whether a code point is cut at the current position.
    pub const fn is_mid_code_point(&self) -> bool {
        self.pending_len > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_every_split(data: &[u8]) {
        let expected = std::str::from_utf8(data)
            .map(|_| ())
            .map_err(|e| e.valid_up_to() as u64);
        for cut in 0..=data.len() {
            let (a, b) = data.split_at(cut);
            let mut v = Utf8Validator::new();
            let got = v.feed(a).and_then(|()| v.feed(b)).and_then(|()| v.finish());
            assert_eq!(
                got.map_err(|e| e.offset),
                expected,
                "cut {cut} of {data:x?}"
            );
        }
    }

    #[test]
    fn valid_text_at_every_split() {
        at_every_split("Hello-µ@ßöäüàá-UTF-8!!".as_bytes());
        at_every_split("κόσμε".as_bytes());
        at_every_split("\u{10FFFF}\u{FFFF}$¢€𤭢".as_bytes());
    }

    #[test]
    fn invalid_text_at_every_split() {
        at_every_split(b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited");
        at_every_split(b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80edited");
        at_every_split(b"\xc0\xaf");
        at_every_split(b"ab\xe0\x80");
        at_every_split(b"\xf8\x88\x80\x80\x80");
    }

    #[test]
    fn fails_fast_before_the_rest_arrives() {
        // Autobahn 6.4.2: κόσμε + f4, then 90: invalid as soon as 90 arrives.
        let mut v = Utf8Validator::new();
        assert_eq!(
            v.feed(b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4"),
            Ok(())
        );
        assert!(v.is_mid_code_point());
        assert_eq!(v.feed(b"\x90"), Err(Utf8Error { offset: 11 }));
        // 6.4.1: the whole bad sequence in one chunk fails without `finish`.
        let mut v = Utf8Validator::new();
        assert_eq!(v.feed(b"\xce\xba"), Ok(()));
        assert_eq!(v.feed(b"\xf4\x90\x80\x80"), Err(Utf8Error { offset: 2 }));
    }

    #[test]
    fn one_byte_at_a_time() {
        let data = "a€𤭢b".as_bytes();
        let mut v = Utf8Validator::new();
        for b in data {
            assert_eq!(v.feed(std::slice::from_ref(b)), Ok(()));
        }
        assert_eq!(v.finish(), Ok(()));
    }

    #[test]
    fn truncated_end_fails_on_finish() {
        let mut v = Utf8Validator::new();
        assert_eq!(v.feed(b"ab\xe2\x82"), Ok(()));
        assert_eq!(v.finish(), Err(Utf8Error { offset: 2 }));
        // `finish` resets for the next message.
        assert_eq!(v.feed(b"ok"), Ok(()));
        assert_eq!(v.finish(), Ok(()));
    }
}
