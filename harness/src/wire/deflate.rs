//! permessage-deflate (RFC 7692) for the harness, written apart from the stack under test:
//! parameter parsing, the client's check of a server's answer, the server's accept rules of
//! the compression cases, and a raw-deflate message codec on flate2.
//!
//! The harness as client checks the answer strictly (a parameter it did not offer, a missing
//! answer to a `server_*` request, a window out of range or a duplicate fails the opening
//! handshake); Autobahn accepts any answer. Windows are honoured both ways: the harness
//! inflates with the window it negotiated, so a peer that compresses with a larger one fails
//! with a corrupt-data violation.

use std::fmt::Write as _;

use ampel_cases::{DeflateAccept, Payload};
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// The extension's registered name.
pub const NAME: &str = "permessage-deflate";
/// The octets a sync flush ends with, removed by the sender and restored by the receiver.
const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];
/// zlib has no 256-byte raw window, so 8 negotiated bits compress with 9: zlib never reaches
/// back further than the window minus 262 octets (250 at 9 bits), which an 8-bit peer can
/// inflate; and inflating with 9 bits accepts every 8-bit stream.
const ZLIB_MIN_BITS: u8 = 9;
/// The harness compresses fast: the level changes nothing in what the peer must inflate.
const LEVEL: u32 = 1;
/// Inflated octets are produced in pieces of this size.
const STEP: usize = 32 * 1024;

/// One extension entry: its name and parameters, values unquoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// The extension name.
    pub name: String,
    /// Parameters in order.
    pub params: Vec<(String, Option<String>)>,
}

/// Parses `Sec-WebSocket-Extensions` values (RFC 6455 §9.1), leniently: entries are split on
/// commas, parameters on semicolons, and quotes around values are removed.
pub fn parse_extensions<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<Extension> {
    values
        .into_iter()
        .flat_map(|v| v.split(','))
        .filter_map(|entry| {
            let mut parts = entry.split(';').map(str::trim);
            let name = parts.next().filter(|n| !n.is_empty())?.to_owned();
            let params = parts
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => (
                        k.trim().to_owned(),
                        Some(v.trim().trim_matches('"').to_owned()),
                    ),
                    None => (p.to_owned(), None),
                })
                .collect();
            Some(Extension { name, params })
        })
        .collect()
}

/// How one direction compresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Direction {
    /// The sender resets its context after every message.
    pub no_context_takeover: bool,
    /// The LZ77 window, 8-15.
    pub window_bits: u8,
}

impl Default for Direction {
    fn default() -> Self {
        Self {
            no_context_takeover: false,
            window_bits: 15,
        }
    }
}

/// The negotiated parameters of both directions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Params {
    /// Client to server.
    pub client: Direction,
    /// Server to client.
    pub server: Direction,
}

/// The parameters of one offer or answer, checked for duplicates, unknown names and ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Fields {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: Option<u8>,
    /// `Some(None)`: present without a value (allowed in offers only).
    client_max_window_bits: Option<Option<u8>>,
}

impl Fields {
    fn parse(ext: &Extension, is_offer: bool) -> Result<Self, String> {
        let mut f = Self::default();
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in &ext.params {
            if seen.contains(&key.as_str()) {
                return Err(format!("duplicate parameter {key}"));
            }
            seen.push(key);
            let bits = |v: &Option<String>| -> Result<u8, String> {
                v.as_deref()
                    .filter(|v| v.len() <= 2 && v.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|v| v.parse::<u8>().ok())
                    .filter(|b| (8..=15).contains(b))
                    .ok_or_else(|| format!("{key} needs a value from 8 to 15, not {v:?}"))
            };
            let flag = |v: &Option<String>| match v {
                None => Ok(true),
                Some(v) => Err(format!("{key} takes no value, got {v:?}")),
            };
            match key.as_str() {
                "server_no_context_takeover" => f.server_no_context_takeover = flag(value)?,
                "client_no_context_takeover" => f.client_no_context_takeover = flag(value)?,
                "server_max_window_bits" => f.server_max_window_bits = Some(bits(value)?),
                "client_max_window_bits" if is_offer && value.is_none() => {
                    f.client_max_window_bits = Some(None);
                }
                "client_max_window_bits" => f.client_max_window_bits = Some(Some(bits(value)?)),
                other => return Err(format!("unknown parameter {other}")),
            }
        }
        Ok(f)
    }
}

/// Harness as client: the parameters a server's answer sets, given the offers made (header
/// values, in order). `Ok(None)`: permessage-deflate was declined.
pub fn client_params(offers: &[String], answer: &[Extension]) -> Result<Option<Params>, String> {
    let mut ours = answer.iter().filter(|e| e.name.eq_ignore_ascii_case(NAME));
    let Some(ext) = ours.next() else {
        return Ok(None);
    };
    if ours.next().is_some() {
        return Err(format!("{NAME} answered more than once"));
    }
    let got = Fields::parse(ext, false)?;
    let offered = parse_extensions(offers.iter().map(String::as_str));
    let mut first_error = None;
    for offer in offered.iter().filter(|e| e.name.eq_ignore_ascii_case(NAME)) {
        let Ok(asked) = Fields::parse(offer, true) else {
            continue;
        };
        match answers(&asked, &got) {
            Ok(params) => return Ok(Some(params)),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| format!("{NAME} was not offered")))
}

/// The parameters when `got` is a valid answer to the offer `asked` (RFC 7692 §7.1).
fn answers(asked: &Fields, got: &Fields) -> Result<Params, String> {
    if asked.server_no_context_takeover && !got.server_no_context_takeover {
        return Err("server_no_context_takeover was requested but not answered".to_owned());
    }
    let server_bits = match (asked.server_max_window_bits, got.server_max_window_bits) {
        (Some(_), None) => {
            return Err("server_max_window_bits was requested but not answered".to_owned());
        }
        (Some(limit), Some(bits)) if bits > limit => {
            return Err(format!(
                "server_max_window_bits={bits} is above the {limit} requested"
            ));
        }
        (_, Some(bits)) => bits,
        (None, None) => 15,
    };
    let client_bits = match (asked.client_max_window_bits, got.client_max_window_bits) {
        (None, Some(_)) => {
            return Err("client_max_window_bits was answered but not offered".to_owned());
        }
        (Some(Some(limit)), Some(Some(bits))) if bits > limit => {
            return Err(format!(
                "client_max_window_bits={bits} is above the {limit} offered"
            ));
        }
        (_, Some(Some(bits))) => bits,
        (Some(Some(limit)), _) => limit,
        _ => 15,
    };
    Ok(Params {
        client: Direction {
            no_context_takeover: asked.client_no_context_takeover || got.client_no_context_takeover,
            window_bits: client_bits,
        },
        server: Direction {
            no_context_takeover: got.server_no_context_takeover,
            window_bits: server_bits,
        },
    })
}

/// Harness as server: the answer (a header value) and parameters from the first rule that
/// applies to one of the client's valid offers, rules tried in order and offers in the
/// client's order; `None` declines.
pub fn server_accept(rules: &[DeflateAccept], offers: &[Extension]) -> Option<(String, Params)> {
    let valid: Vec<Fields> = offers
        .iter()
        .filter(|e| e.name.eq_ignore_ascii_case(NAME))
        .filter_map(|e| Fields::parse(e, true).ok())
        .collect();
    rules.iter().find_map(|rule| {
        valid.iter().find_map(|offer| {
            let client_window = offer.client_max_window_bits;
            if rule.client_max_window_bits.is_some() && client_window.is_none() {
                return None;
            }
            let mut answer = NAME.to_owned();
            if offer.server_no_context_takeover {
                answer.push_str("; server_no_context_takeover");
            }
            if let Some(bits) = offer.server_max_window_bits {
                let _ = write!(answer, "; server_max_window_bits={bits}");
            }
            if rule.client_no_context_takeover {
                answer.push_str("; client_no_context_takeover");
            }
            if let Some(bits) = rule.client_max_window_bits {
                let _ = write!(answer, "; client_max_window_bits={bits}");
            }
            let client_bits = rule
                .client_max_window_bits
                .or(client_window.flatten())
                .unwrap_or(15);
            let params = Params {
                client: Direction {
                    no_context_takeover: rule.client_no_context_takeover
                        || offer.client_no_context_takeover,
                    window_bits: client_bits,
                },
                server: Direction {
                    no_context_takeover: offer.server_no_context_takeover,
                    window_bits: offer.server_max_window_bits.unwrap_or(15),
                },
            };
            Some((answer, params))
        })
    })
}

/// Compresses the messages the harness sends.
#[derive(Debug)]
pub struct Deflater {
    inner: Compress,
    no_context_takeover: bool,
    bits: u8,
}

impl Deflater {
    /// A compressor for the harness's own direction.
    pub fn new(direction: Direction) -> Self {
        let bits = direction.window_bits.max(ZLIB_MIN_BITS);
        Self {
            inner: Compress::new_with_window_bits(Compression::new(LEVEL), false, bits),
            no_context_takeover: direction.no_context_takeover,
            bits,
        }
    }

    /// The compressed form of one whole message given in pieces, without the sync-flush tail.
    pub fn message<P: AsRef<[u8]>>(
        &mut self,
        pieces: impl IntoIterator<Item = P>,
    ) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut pieces = pieces.into_iter().peekable();
        while let Some(piece) = pieces.next() {
            let last = pieces.peek().is_none();
            let flush = if last {
                FlushCompress::Sync
            } else {
                FlushCompress::None
            };
            self.compress(piece.as_ref(), flush, &mut out)?;
        }
        if out.ends_with(&TAIL) {
            out.truncate(out.len() - TAIL.len());
        }
        if out.is_empty() {
            // An empty message (zlib flushes nothing twice in a row): an empty stored block's
            // header, which the receiver's appended tail completes (RFC 7692 §7.2.3.6).
            out.push(0x00);
        }
        if self.no_context_takeover {
            self.inner.reset();
        }
        Ok(out)
    }

    /// Compresses `data` into `out`; with a sync flush, until the flush is complete.
    fn compress(
        &mut self,
        data: &[u8],
        flush: FlushCompress,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        let start = self.inner.total_in();
        loop {
            let done = usize::try_from(self.inner.total_in() - start).unwrap_or(usize::MAX);
            let before = (self.inner.total_in(), self.inner.total_out());
            if out.capacity() - out.len() < 64 {
                out.reserve(out.capacity().max(1024));
            }
            self.inner
                .compress_vec(data.get(done..).unwrap_or_default(), out, flush)
                .map_err(|e| e.to_string())?;
            let all_in = self.inner.total_in() - start == data.len() as u64;
            // Room left after a flush means the flush is complete.
            if all_in && (flush == FlushCompress::None || out.len() < out.capacity()) {
                return Ok(());
            }
            if before == (self.inner.total_in(), self.inner.total_out())
                && out.len() < out.capacity()
            {
                return Err("the compressor made no progress".to_owned());
            }
        }
    }
}

impl Deflater {
    /// The compressed form of a message's payload, streamed in pieces (a large repeat is never
    /// materialised).
    pub fn payload(&mut self, payload: &Payload) -> Result<Vec<u8>, String> {
        const PIECE: usize = 1 << 20;
        self.message(payload.chunks(PIECE))
    }

    /// The window bits, when a message's compressed form depends on that message alone (no
    /// context takeover), so it can be reused.
    pub fn context_free_bits(&self) -> Option<u8> {
        self.no_context_takeover.then_some(self.bits)
    }
}

/// Inflates the peer's compressed messages piece by piece, handing each inflated piece to a
/// callback so nothing is kept whole.
#[derive(Debug)]
pub struct Inflater {
    inner: Decompress,
    no_context_takeover: bool,
    scratch: Vec<u8>,
    /// Compressed octets arrived for the current message.
    fed: bool,
}

impl Inflater {
    /// An inflater for the peer's direction.
    pub fn new(direction: Direction) -> Self {
        let bits = direction.window_bits.max(ZLIB_MIN_BITS);
        Self {
            inner: Decompress::new_with_window_bits(false, bits),
            no_context_takeover: direction.no_context_takeover,
            scratch: vec![0; STEP],
            fed: false,
        }
    }

    /// Inflates the next compressed octets of the current message.
    pub fn feed(&mut self, input: &[u8], sink: &mut dyn FnMut(&[u8])) -> Result<(), String> {
        self.fed |= !input.is_empty();
        self.run(input, FlushDecompress::None, sink)
    }

    /// Ends the current message: restores the tail and resets the context if the peer does
    /// not keep it. A message with no compressed octets at all is empty and leaves the context
    /// alone (the tail alone would open a stored block that swallows the next message).
    pub fn finish(&mut self, sink: &mut dyn FnMut(&[u8])) -> Result<(), String> {
        let fed = std::mem::take(&mut self.fed);
        let result = if fed {
            self.run(&TAIL, FlushDecompress::Sync, sink)
        } else {
            Ok(())
        };
        if self.no_context_takeover {
            self.inner.reset(false);
        }
        result
    }

    fn run(
        &mut self,
        mut input: &[u8],
        flush: FlushDecompress,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<(), String> {
        loop {
            let before = (self.inner.total_in(), self.inner.total_out());
            let status = self
                .inner
                .decompress(input, &mut self.scratch, flush)
                .map_err(|e| e.message().unwrap_or("corrupt deflate data").to_owned())?;
            let used = usize::try_from(self.inner.total_in() - before.0).unwrap_or(usize::MAX);
            let made = usize::try_from(self.inner.total_out() - before.1).unwrap_or(usize::MAX);
            input = input.get(used..).unwrap_or_default();
            if made > 0 {
                sink(self.scratch.get(..made).unwrap_or_default());
            }
            if status == Status::StreamEnd {
                // A final block (RFC 7692 §7.2.3.4): what follows starts a fresh stream.
                self.inner.reset(false);
                if input.is_empty() {
                    return Ok(());
                }
                continue;
            }
            if (used == 0 && made == 0) || (input.is_empty() && made < self.scratch.len()) {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ext(s: &str) -> Vec<Extension> {
        parse_extensions([s])
    }

    #[test]
    fn parses_entries_params_and_quotes() {
        let e =
            ext("permessage-deflate; client_max_window_bits; server_max_window_bits=\"10\", x-y");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].name, NAME);
        assert_eq!(
            e[0].params,
            vec![
                ("client_max_window_bits".to_owned(), None),
                ("server_max_window_bits".to_owned(), Some("10".to_owned()))
            ]
        );
        assert_eq!(e[1].name, "x-y");
    }

    #[test]
    fn client_checks_the_answer() {
        let offer = vec!["permessage-deflate; client_no_context_takeover; client_max_window_bits; server_max_window_bits=9".to_owned()];
        let p = client_params(
            &offer,
            &ext("permessage-deflate; server_max_window_bits=9; client_max_window_bits=10"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            p.client,
            Direction {
                no_context_takeover: true,
                window_bits: 10
            }
        );
        assert_eq!(
            p.server,
            Direction {
                no_context_takeover: false,
                window_bits: 9
            }
        );
        assert_eq!(client_params(&offer, &[]), Ok(None));
        for bad in [
            "permessage-deflate",                            // server bits unanswered
            "permessage-deflate; server_max_window_bits=10", // above the request
            "permessage-deflate; server_max_window_bits=9; server_max_window_bits=9",
            "permessage-deflate; server_max_window_bits=9; client_max_window_bits", // no value
            "permessage-deflate; server_max_window_bits=9; x=1",
            "permessage-deflate; server_max_window_bits=7",
            "permessage-deflate; server_max_window_bits=9, permessage-deflate; server_max_window_bits=9",
        ] {
            assert!(client_params(&offer, &ext(bad)).is_err(), "{bad}");
        }
        let plain = vec!["permessage-deflate".to_owned()];
        assert!(
            client_params(&plain, &ext("permessage-deflate; client_max_window_bits=9")).is_err()
        );
    }

    #[test]
    fn client_tries_every_offer() {
        let offers = vec![
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=9".to_owned(),
            "permessage-deflate; client_max_window_bits".to_owned(),
        ];
        let p = client_params(
            &offers,
            &ext("permessage-deflate; client_max_window_bits=12"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(p.client.window_bits, 12);
        assert_eq!(p.server, Direction::default());
    }

    #[test]
    fn server_rules_follow_autobahn() {
        let offers = ext(
            "permessage-deflate; client_no_context_takeover; client_max_window_bits; server_max_window_bits=9",
        );
        let plain = DeflateAccept::default();
        let (answer, p) = server_accept(&[plain], &offers).unwrap();
        assert_eq!(answer, "permessage-deflate; server_max_window_bits=9");
        assert!(p.client.no_context_takeover && p.server.window_bits == 9);
        let strict = DeflateAccept {
            client_no_context_takeover: true,
            client_max_window_bits: Some(9),
        };
        let (answer, p) = server_accept(&[strict], &offers).unwrap();
        assert_eq!(
            answer,
            "permessage-deflate; server_max_window_bits=9; client_no_context_takeover; client_max_window_bits=9"
        );
        assert_eq!(p.client.window_bits, 9);
        // A window request needs an offer that allows it; the next rule is tried.
        let no_window = ext("permessage-deflate");
        assert_eq!(server_accept(&[strict], &no_window), None);
        assert_eq!(server_accept(&[strict, plain], &no_window).unwrap().0, NAME);
        // Invalid offers and other extensions are skipped; no rules decline.
        assert_eq!(
            server_accept(&[plain], &ext("permessage-deflate; bogus, x-other")),
            None
        );
        assert_eq!(server_accept(&[], &offers), None);
    }

    fn round_trip(params: Direction, messages: &[&[u8]]) {
        let mut d = Deflater::new(params);
        let mut i = Inflater::new(params);
        for m in messages {
            let packed = d.message(m.chunks(1000)).unwrap();
            let mut out = Vec::new();
            for piece in packed.chunks(7) {
                i.feed(piece, &mut |b| out.extend_from_slice(b)).unwrap();
            }
            i.finish(&mut |b| out.extend_from_slice(b)).unwrap();
            assert_eq!(out, *m);
        }
    }

    #[test]
    fn codec_round_trips_with_and_without_context() {
        let big: Vec<u8> = (0..300_000u32)
            .map(|i| (i % 251) as u8 ^ (i / 1000) as u8)
            .collect();
        let msgs: [&[u8]; 4] = [b"Hello", b"", b"Hello Hello Hello", &big];
        for bits in [8, 9, 12, 15] {
            for nct in [false, true] {
                round_trip(
                    Direction {
                        no_context_takeover: nct,
                        window_bits: bits,
                    },
                    &msgs,
                );
            }
        }
    }

    #[test]
    fn rfc_7692_example_inflates() {
        // §7.2.3.1: "Hello" compressed, and §7.2.3.2 the same again with context.
        let mut i = Inflater::new(Direction::default());
        let mut out = Vec::new();
        i.feed(&[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], &mut |b| {
            out.extend_from_slice(b)
        })
        .unwrap();
        i.finish(&mut |b| out.extend_from_slice(b)).unwrap();
        i.feed(&[0xf2, 0x00, 0x11, 0x00, 0x00], &mut |b| {
            out.extend_from_slice(b)
        })
        .unwrap();
        i.finish(&mut |b| out.extend_from_slice(b)).unwrap();
        assert_eq!(out, b"HelloHello");
        assert!(
            Inflater::new(Direction::default())
                .feed(&[0xff, 0xff, 0xff], &mut |_| {})
                .is_err()
        );
    }
}
