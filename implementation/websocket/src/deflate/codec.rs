//! Raw deflate per message (RFC 7692 §7.2): the sender sync-flushes and drops
//! the trailing empty stored block `00 00 ff ff`; the receiver appends it.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use thiserror::Error;

use super::params::Direction;

/// The end of a sync flush, removed from and re-added to every message.
const TRAILER: [u8; 4] = [0x00, 0x00, 0xff, 0xff];
/// A non-final stored block's header bits, byte-aligned: with the implied
/// trailer it is an empty stored block.
const EMPTY_BLOCK: [u8; 1] = [0x00];
/// zlib's smallest raw window; see the module docs on 8 bits.
const ZLIB_MIN_WINDOW_BITS: u8 = 9;
/// Inflated bytes are produced in pieces of this size, so a limit is
/// checked before more memory is committed.
const INFLATE_STEP: usize = 16 * 1024;

/// Compresses the messages of one direction.
#[derive(Debug)]
pub struct Compressor {
    inner: Compress,
    no_context_takeover: bool,
}

impl Compressor {
    /// A compressor for `direction` at zlib `level` (0-9, clamped).
    pub fn new(direction: Direction, level: u32) -> Self {
        let bits = direction.window_bits.clamp(ZLIB_MIN_WINDOW_BITS, 15);
        Self {
            inner: Compress::new_with_window_bits(Compression::new(level.min(9)), false, bits),
            no_context_takeover: direction.no_context_takeover,
        }
    }

    /// Appends the compressed form of a whole message to `out`.
    pub fn compress_message(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
        self.compress_chunk(data, true, out)
    }

    /// Appends the compressed form of the next piece of a message to `out`.
    /// Each piece is sync-flushed so it can be sent as a frame at once; only
    /// the last one (`fin`) loses its trailer, the earlier trailers are empty
    /// stored blocks inside the stream, which is valid deflate.
    pub fn compress_chunk(
        &mut self,
        data: &[u8],
        fin: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        let start_in = self.inner.total_in();
        let start_out = out.len();
        loop {
            let consumed = usize::try_from(self.inner.total_in() - start_in).unwrap_or(usize::MAX);
            let input = data.get(consumed..).unwrap_or(&[]);
            out.reserve(input.len() / 2 + 64);
            let before = (self.inner.total_in(), out.len());
            self.inner
                .compress_vec(input, out, FlushCompress::Sync)
                .map_err(|e| e.to_string())?;
            let done = self.inner.total_in() - start_in == data.len() as u64;
            // Spare output room after a sync flush means the flush completed.
            if done && out.len() < out.capacity() {
                break;
            }
            if before == (self.inner.total_in(), out.len()) && out.len() < out.capacity() {
                return Err("compressor made no progress".to_owned());
            }
        }
        if fin {
            if out.len() == start_out {
                // zlib ignores a sync flush with nothing new since the last
                // one, so an empty message (or empty last piece) produced no
                // bytes; the receiver's implied trailer needs a stored-block
                // header before it: `00` (§7.2.3.6).
                out.extend_from_slice(&EMPTY_BLOCK);
            } else if out.ends_with(&TRAILER) {
                out.truncate(out.len() - TRAILER.len());
            }
            if self.no_context_takeover {
                self.inner.reset();
            }
        }
        Ok(())
    }
}

/// Why a received compressed message was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum InflateError {
    /// The data is not valid raw deflate.
    #[error("invalid deflate data: {reason}")]
    Corrupt {
        /// What the inflater reported.
        reason: String,
    },
    /// The inflated message exceeds the limit.
    #[error("inflated message of at least {length} bytes exceeds the limit of {max}")]
    TooBig {
        /// Bytes inflated so far.
        length: u64,
        /// The limit.
        max: u64,
    },
}

/// Inflates the messages of one direction, bounding each message's size as
/// its bytes are produced.
#[derive(Debug)]
pub struct Decompressor {
    inner: Decompress,
    no_context_takeover: bool,
    scratch: Vec<u8>,
    /// Bytes inflated for the current message.
    produced: u64,
    /// A BFINAL block ended the deflate stream; the window is gone, so a
    /// later back-reference into it fails as corrupt.
    ended: bool,
    /// The current message has compressed bytes (an empty one is taken as an
    /// empty message without touching the context: the trailer alone is an
    /// incomplete stored block that would swallow the next message's bytes).
    has_input: bool,
}

impl Decompressor {
    /// An inflater for `direction` (8 bits open a 9-bit window; see the module docs).
    pub fn new(direction: Direction) -> Self {
        let bits = direction.window_bits.clamp(ZLIB_MIN_WINDOW_BITS, 15);
        Self {
            inner: Decompress::new_with_window_bits(false, bits),
            no_context_takeover: direction.no_context_takeover,
            scratch: vec![0; INFLATE_STEP],
            produced: 0,
            ended: false,
            has_input: false,
        }
    }

    /// Inflates the next compressed bytes of the current message into `out`;
    /// fails once the message would exceed `max` bytes, before storing them.
    pub fn inflate(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        max: u64,
    ) -> Result<(), InflateError> {
        self.has_input |= !input.is_empty();
        self.run(input, out, max, FlushDecompress::None)
    }

    /// Ends the current message: inflates the implied trailer and resets the
    /// context if the sender does not take it over (or ended the stream).
    pub fn finish_message(&mut self, out: &mut Vec<u8>, max: u64) -> Result<(), InflateError> {
        let result = if self.has_input {
            self.run(&TRAILER, out, max, FlushDecompress::Sync)
        } else {
            Ok(())
        };
        self.has_input = false;
        if self.no_context_takeover || self.ended {
            self.inner.reset(false);
        }
        self.produced = 0;
        self.ended = false;
        result
    }

    fn run(
        &mut self,
        mut input: &[u8],
        out: &mut Vec<u8>,
        max: u64,
        flush: FlushDecompress,
    ) -> Result<(), InflateError> {
        loop {
            let before = (self.inner.total_in(), self.inner.total_out());
            let status = self
                .inner
                .decompress(input, &mut self.scratch, flush)
                .map_err(|e| InflateError::Corrupt {
                    reason: e.message().unwrap_or("corrupt stream").to_owned(),
                })?;
            let consumed = usize::try_from(self.inner.total_in() - before.0).unwrap_or(usize::MAX);
            let made = usize::try_from(self.inner.total_out() - before.1).unwrap_or(usize::MAX);
            input = input.get(consumed..).unwrap_or(&[]);
            self.produced = self.produced.saturating_add(made as u64);
            if self.produced > max {
                return Err(InflateError::TooBig {
                    length: self.produced,
                    max,
                });
            }
            out.extend_from_slice(self.scratch.get(..made).unwrap_or(&[]));
            // §7.2.3.4: a sender may end its data with a BFINAL block; what
            // follows (e.g. `00` + the implied trailer, an empty stored block)
            // starts a new stream on the next byte.
            if status == Status::StreamEnd {
                self.ended = true;
                self.inner.reset(false);
                continue;
            }
            let stalled = consumed == 0 && made == 0;
            if stalled || (input.is_empty() && made < self.scratch.len()) {
                return Ok(());
            }
        }
    }
}
