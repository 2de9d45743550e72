//! The lenient observer: decodes whatever the peer sends, never panics, and reports what it
//! saw — complete messages (length, SHA-1 and head; never materialised), pings to answer,
//! pongs, the peer's close — and every protocol violation, judged exactly as Autobahn's
//! strict receive path does:
//!
//! * RSV bits set, except RSV1 on the first frame of a message when permessage-deflate is in
//!   effect; reserved opcodes;
//! * masking wrong for the peer's role;
//! * fragmented or over-long (> 125) control frames;
//! * continuation without a message, or a new message inside one;
//! * non-minimal length encodings, 64-bit lengths with the top bit set;
//! * invalid UTF-8 in a text message, detected at the first bad octet even mid-frame (1007),
//!   in the inflated bytes of a compressed one;
//! * compressed data that does not inflate (1007);
//! * a 1-byte close body, a close code a peer may not send, a close reason that is not UTF-8.
//!
//! Allowed close codes from the peer are 1000-1003, 1007-1014 and 3000-4999. Autobahn also
//! rejects 1012-1014; they are IANA-registered (Service Restart, Try Again Later, Bad
//! Gateway), so the harness accepts them.
//!
//! After a violation the observer only looks for the peer's close frame; after the peer's
//! close it ignores everything.

use ampel_cases::{ObservedEvent, PeerViolation, Role, WIRE_HEAD_LEN, WireEntry};

use crate::wire::codec::{Decoded, Decoder, FrameHeader};
use crate::wire::deflate::Inflater;
use crate::wire::log::{WireLog, mask_hex};

mod digest;

pub use digest::EchoQueue;
use digest::MessageDigest;

/// Close code for a protocol error.
pub const PROTOCOL_ERROR: u16 = 1002;
/// Close code for a text payload that is not UTF-8.
pub const INVALID_PAYLOAD: u16 = 1007;

/// What the observer reports, in wire order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// A complete message or a pong, to record.
    Event(ObservedEvent),
    /// A ping; the harness answers it with a pong carrying these octets.
    Ping(Vec<u8>),
    /// The peer's close frame (a valid one; an invalid one is a [`Output::Violation`]).
    Close {
        /// The status code, if the body had one.
        code: Option<u16>,
        /// The reason, if any.
        reason: Option<String>,
    },
    /// The peer violated the protocol; the harness fails the connection with `close_code`.
    Violation {
        /// What was wrong.
        violation: PeerViolation,
        /// 1002, or 1007 for bad UTF-8 text.
        close_code: u16,
    },
}

/// True when a peer may send `code` in a close frame.
pub fn close_code_allowed(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// An incremental UTF-8 validator: fails at the first octet that cannot continue a valid
/// sequence, even when the sequence is split across calls.
#[derive(Debug, Clone, Default)]
pub struct Utf8Stream {
    /// An incomplete sequence carried over (at most 3 octets).
    carry: Vec<u8>,
}

impl Utf8Stream {
    /// Feeds the next octets; `false` once they cannot be valid UTF-8.
    pub fn feed(&mut self, mut data: &[u8]) -> bool {
        if !self.carry.is_empty() {
            // Complete the pending sequence one octet at a time.
            while let Some((&b, rest)) = data.split_first() {
                self.carry.push(b);
                data = rest;
                match std::str::from_utf8(&self.carry) {
                    Ok(_) => {
                        self.carry.clear();
                        break;
                    }
                    Err(e) if e.error_len().is_some() => return false,
                    Err(_) => {}
                }
            }
            if !self.carry.is_empty() {
                return true;
            }
        }
        match std::str::from_utf8(data) {
            Ok(_) => true,
            Err(e) if e.error_len().is_some() => false,
            Err(e) => {
                self.carry = data.get(e.valid_up_to()..).unwrap_or_default().to_vec();
                true
            }
        }
    }

    /// True when no sequence is left incomplete.
    pub fn is_complete(&self) -> bool {
        self.carry.is_empty()
    }
}

/// The RSV bit of a compressed message's first frame.
const RSV1: u8 = 0b100;

#[derive(Debug)]
struct Message {
    binary: bool,
    len: usize,
    sha1: MessageDigest,
    head: Vec<u8>,
    utf8: Option<Utf8Stream>,
    /// Compressed octets received, for a compressed message.
    compressed: Option<u64>,
    /// A text message stopped being UTF-8.
    bad_utf8: bool,
}

impl Message {
    fn new(binary: bool, compressed: bool, expected: Option<&EchoQueue>) -> Self {
        Self {
            binary,
            len: 0,
            sha1: MessageDigest::new(expected),
            head: Vec::new(),
            utf8: (!binary).then(Utf8Stream::default),
            compressed: compressed.then_some(0),
            bad_utf8: false,
        }
    }

    /// Takes in content octets (inflated ones for a compressed message).
    fn absorb(&mut self, p: &[u8]) {
        self.len = self.len.saturating_add(p.len());
        self.sha1.update(p);
        if self.head.len() < ampel_cases::MESSAGE_HEAD_LEN {
            let room = ampel_cases::MESSAGE_HEAD_LEN - self.head.len();
            self.head
                .extend_from_slice(p.get(..room.min(p.len())).unwrap_or_default());
        }
        if self.utf8.as_mut().is_some_and(|u| !u.feed(p)) {
            self.bad_utf8 = true;
        }
    }
}

/// What to do with the current frame's payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sink {
    /// Part of the data message.
    Data,
    /// A control frame, collected.
    Control,
    /// Ignored.
    Skip,
}

/// The observer of one connection.
#[derive(Debug)]
pub struct Observer {
    harness_role: Role,
    decoder: Decoder,
    header: Option<FrameHeader>,
    sink: Sink,
    frame_head: Vec<u8>,
    control: Vec<u8>,
    message: Option<Message>,
    /// permessage-deflate is in effect.
    inflater: Option<Inflater>,
    /// The contents the next messages should have (echo requests sent).
    echoes: Option<EchoQueue>,
    failed: bool,
    closed: bool,
}

impl Observer {
    /// An observer for the harness playing `harness_role` (the peer plays the other one).
    pub fn new(harness_role: Role) -> Self {
        Self {
            harness_role,
            decoder: Decoder::new(),
            header: None,
            sink: Sink::Skip,
            frame_head: Vec::new(),
            control: Vec::new(),
            message: None,
            inflater: None,
            echoes: None,
            failed: false,
            closed: false,
        }
    }

    /// The same observer inflating compressed messages, when permessage-deflate is in effect.
    #[must_use]
    pub fn inflating(mut self, inflater: Option<Inflater>) -> Self {
        self.inflater = inflater;
        self
    }

    /// The same observer comparing each message with the next content in `echoes`, so an
    /// exact echo costs no hashing (the recorded SHA-1 is the same either way).
    #[must_use]
    pub fn expecting(mut self, echoes: EchoQueue) -> Self {
        self.echoes = Some(echoes);
        self
    }

    /// True once a violation was reported.
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// True once the peer's close frame was seen.
    pub fn peer_closed(&self) -> bool {
        self.closed
    }

    /// Decodes `data` (unmasked in place), appending what it finds to `out` and rows to
    /// `log`.
    pub fn feed(&mut self, mut data: &mut [u8], log: &mut WireLog, out: &mut Vec<Output>) {
        while !self.closed {
            let Some(item) = self.decoder.next(&mut data) else {
                return;
            };
            match item {
                Decoded::Header(h) => self.on_header(h, log, out),
                Decoded::Payload(p) => self.on_payload(p, out),
                Decoded::End => self.on_end(log, out),
            }
        }
    }

    fn violation(&mut self, violation: PeerViolation, close_code: u16, out: &mut Vec<Output>) {
        self.failed = true;
        self.sink = Sink::Skip;
        self.message = None;
        out.push(Output::Violation {
            violation,
            close_code,
        });
    }

    fn header_violation(&self, h: &FrameHeader) -> Option<PeerViolation> {
        // RSV1 marks a compressed message, on its first frame only (RFC 7692 §6).
        let compressed_start =
            self.inflater.is_some() && h.rsv == RSV1 && matches!(h.opcode, 1 | 2);
        if h.rsv != 0 && !compressed_start {
            return Some(PeerViolation::ReservedBits { rsv: h.rsv });
        }
        if matches!(h.opcode, 3..=7 | 11..=15) {
            return Some(PeerViolation::ReservedOpcode { opcode: h.opcode });
        }
        match (self.harness_role, h.mask.is_some()) {
            (Role::Client, true) => return Some(PeerViolation::MaskedServerFrame),
            (Role::Server, false) => return Some(PeerViolation::UnmaskedClientFrame),
            _ => {}
        }
        if h.length_top_bit() {
            return Some(PeerViolation::LengthTopBit);
        }
        if h.non_minimal_length() {
            return Some(PeerViolation::NonMinimalLength);
        }
        if h.is_control() {
            if !h.fin {
                return Some(PeerViolation::FragmentedControl { opcode: h.opcode });
            }
            if h.len > 125 {
                return Some(PeerViolation::ControlTooLong { len: h.len });
            }
        } else if (h.opcode == 0) == self.message.is_none() {
            return Some(PeerViolation::BadContinuation);
        }
        None
    }

    fn on_header(&mut self, h: FrameHeader, log: &mut WireLog, out: &mut Vec<Output>) {
        log.count_rx(h.opcode);
        self.header = Some(h);
        self.frame_head.clear();
        self.control.clear();
        if self.failed {
            // Only the peer's close still matters, if its header is sane.
            let sane_close = h.opcode == 8 && h.fin && h.len <= 125;
            self.sink = if sane_close {
                Sink::Control
            } else {
                Sink::Skip
            };
            return;
        }
        if let Some(v) = self.header_violation(&h) {
            self.record_frame(log);
            self.violation(v, PROTOCOL_ERROR, out);
            return;
        }
        if h.is_control() {
            self.sink = Sink::Control;
        } else {
            if h.opcode != 0 {
                let expected = self.echoes.as_ref();
                self.message = Some(Message::new(h.opcode == 2, h.rsv == RSV1, expected));
            }
            self.sink = Sink::Data;
        }
    }

    fn on_payload(&mut self, p: &[u8], out: &mut Vec<Output>) {
        if self.frame_head.len() < WIRE_HEAD_LEN {
            let room = WIRE_HEAD_LEN - self.frame_head.len();
            self.frame_head
                .extend_from_slice(p.get(..room.min(p.len())).unwrap_or_default());
        }
        match self.sink {
            Sink::Skip => {}
            Sink::Control => {
                // Bounded: a control frame's length was checked to be at most 125.
                if self.control.len() + p.len() <= 125 {
                    self.control.extend_from_slice(p);
                }
            }
            Sink::Data => {
                let Some(m) = self.message.as_mut() else {
                    return;
                };
                let inflated = match (m.compressed.as_mut(), self.inflater.as_mut()) {
                    (Some(wire), Some(inflater)) => {
                        *wire += p.len() as u64;
                        inflater.feed(p, &mut |bytes| m.absorb(bytes))
                    }
                    _ => {
                        m.absorb(p);
                        Ok(())
                    }
                };
                self.check_content(inflated, out);
            }
        }
    }

    fn record_frame(&mut self, log: &mut WireLog) {
        let Some(h) = self.header.take() else {
            return;
        };
        let head = std::mem::take(&mut self.frame_head);
        log.traffic(|at_ms| WireEntry::RxFrame {
            at_ms,
            opcode: h.opcode,
            fin: h.fin,
            rsv: h.rsv,
            mask_hex: mask_hex(h.mask),
            len: h.len,
            head,
        });
    }

    fn on_end(&mut self, log: &mut WireLog, out: &mut Vec<Output>) {
        let header = self.header;
        self.record_frame(log);
        let Some(h) = header else {
            return;
        };
        let sink = std::mem::replace(&mut self.sink, Sink::Skip);
        match sink {
            Sink::Skip => {}
            Sink::Data => {
                if !h.fin {
                    return;
                }
                if let (Some(m), Some(inflater)) = (self.message.as_mut(), self.inflater.as_mut()) {
                    if let Some(wire) = m.compressed {
                        let inflated = inflater.finish(&mut |bytes| m.absorb(bytes));
                        log.count_compressed_rx(m.len as u64, wire);
                        if !self.check_content(inflated, out) {
                            return;
                        }
                    }
                }
                let Some(m) = self.message.take() else {
                    return;
                };
                if m.utf8.as_ref().is_some_and(|u| !u.is_complete()) {
                    self.violation(PeerViolation::InvalidUtf8Text, INVALID_PAYLOAD, out);
                    return;
                }
                out.push(Output::Event(ObservedEvent::Message {
                    binary: m.binary,
                    len: m.len,
                    sha1: m.sha1.finish(),
                    head: m.head,
                }));
            }
            Sink::Control => {
                let body = std::mem::take(&mut self.control);
                match h.opcode {
                    9 => out.push(Output::Ping(body)),
                    10 => out.push(Output::Event(ObservedEvent::Pong { payload: body })),
                    _ => self.on_close(&body, out),
                }
            }
        }
    }

    /// Reports corrupt compressed data or text that stopped being UTF-8; `true` if neither.
    fn check_content(&mut self, inflated: Result<(), String>, out: &mut Vec<Output>) -> bool {
        let bad_utf8 = self.message.as_ref().is_some_and(|m| m.bad_utf8);
        match inflated {
            Err(reason) => {
                self.violation(
                    PeerViolation::CorruptCompressedData { reason },
                    INVALID_PAYLOAD,
                    out,
                );
                false
            }
            Ok(()) if bad_utf8 => {
                self.violation(PeerViolation::InvalidUtf8Text, INVALID_PAYLOAD, out);
                false
            }
            Ok(()) => true,
        }
    }

    fn on_close(&mut self, body: &[u8], out: &mut Vec<Output>) {
        self.closed = true;
        if self.failed {
            // Already failing: record what the peer said, leniently.
            let (code, reason) = lenient_close(body);
            out.push(Output::Close { code, reason });
            return;
        }
        let checked = match body {
            [] => Ok((None, None)),
            [_] => Err(PeerViolation::CloseBodyOneByte),
            [hi, lo, reason @ ..] => {
                let code = u16::from_be_bytes([*hi, *lo]);
                if !close_code_allowed(code) {
                    Err(PeerViolation::BadCloseCode { code })
                } else if let Ok(text) = std::str::from_utf8(reason) {
                    Ok((Some(code), (!text.is_empty()).then(|| text.to_owned())))
                } else {
                    Err(PeerViolation::CloseReasonNotUtf8)
                }
            }
        };
        match checked {
            Ok((code, reason)) => out.push(Output::Close { code, reason }),
            Err(v) => self.violation(v, PROTOCOL_ERROR, out),
        }
    }
}

/// A close body read without judging it (reason decoded lossily).
fn lenient_close(body: &[u8]) -> (Option<u16>, Option<String>) {
    match body {
        [hi, lo, reason @ ..] => (
            Some(u16::from_be_bytes([*hi, *lo])),
            (!reason.is_empty()).then(|| String::from_utf8_lossy(reason).into_owned()),
        ),
        _ => (None, None),
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use ampel_cases::sha1_hex;

    use super::*;
    use crate::wire::writer::encode_header;

    fn frame(fin: bool, rsv: u8, op: u8, mask: Option<[u8; 4]>, payload: &[u8]) -> Vec<u8> {
        let mut out = encode_header(
            fin,
            rsv,
            op,
            mask,
            payload.len() as u64,
            ampel_cases::LengthEncoding::Minimal,
        );
        let mut body = payload.to_vec();
        if let Some(k) = mask {
            crate::wire::codec::apply_mask(&mut body, k, 0);
        }
        out.extend(body);
        out
    }

    /// Feeds `wire` to an observer for `role`, split at every position; all splits must
    /// agree, and the outputs are returned.
    fn observe(role: Role, wire: &[u8]) -> Vec<Output> {
        observe_with(wire, || Observer::new(role))
    }

    /// As [`observe`], with permessage-deflate in effect (default parameters).
    fn observe_deflated(role: Role, wire: &[u8]) -> Vec<Output> {
        use crate::wire::deflate::Direction;
        observe_with(wire, || {
            Observer::new(role).inflating(Some(Inflater::new(Direction::default())))
        })
    }

    /// Feeds `wire` to a fresh observer from `make`, split at every position; all splits
    /// must agree, and the outputs are returned.
    fn observe_with(wire: &[u8], make: impl Fn() -> Observer) -> Vec<Output> {
        let mut reference: Option<Vec<Output>> = None;
        for split in 0..=wire.len() {
            let mut obs = make();
            let mut log = WireLog::new(1000, false);
            let mut out = Vec::new();
            let mut data = wire.to_vec();
            let (a, b) = data.split_at_mut(split);
            obs.feed(a, &mut log, &mut out);
            obs.feed(b, &mut log, &mut out);
            match &reference {
                None => reference = Some(out),
                Some(r) => assert_eq!(&out, r, "split {split}"),
            }
        }
        reference.unwrap_or_default()
    }

    /// RFC 7692 §7.2.3.1: "Hello" compressed.
    const HELLO: [u8; 7] = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];

    #[test]
    fn compressed_messages_inflate_when_negotiated() {
        // Whole, and split over two frames with RSV1 on the first only.
        let mut wire = frame(true, 4, 1, None, &HELLO);
        wire.extend(frame(false, 4, 1, None, &HELLO[..3]));
        wire.extend(frame(true, 0, 0, None, &HELLO[3..]));
        let out = observe_deflated(Role::Client, &wire);
        let hello = Output::Event(ObservedEvent::message(false, b"Hello"));
        assert_eq!(out, [hello.clone(), hello]);
        // Without permessage-deflate RSV1 is a violation.
        assert_eq!(
            violation_of(&observe(Role::Client, &frame(true, 4, 1, None, &HELLO))),
            Some((PeerViolation::ReservedBits { rsv: 4 }, 1002))
        );
    }

    #[test]
    fn an_expected_echo_records_the_sha1_of_what_arrived() {
        // The inflated "Hello" against the right content, and against contents that differ
        // at the start, at the end, in length either way: the event is always that of "Hello".
        let mut wire = frame(false, 4, 1, None, &HELLO[..2]);
        wire.extend(frame(true, 0, 0, None, &HELLO[2..]));
        let hello = Output::Event(ObservedEvent::message(false, b"Hello"));
        for expected in ["Hello", "Jello", "Hellx", "Hell", "Hello!", ""] {
            let out = observe_with(&wire, || {
                let echoes = EchoQueue::default();
                echoes.push(ampel_cases::EchoSpec::new(
                    false,
                    ampel_cases::Payload::text(expected),
                ));
                Observer::new(Role::Client)
                    .inflating(Some(Inflater::new(Default::default())))
                    .expecting(echoes)
            });
            assert_eq!(out, std::slice::from_ref(&hello), "expected {expected:?}");
        }
    }

    #[test]
    fn compression_rules_are_enforced() {
        let on_continuation = [
            frame(false, 4, 1, None, &HELLO[..3]),
            frame(true, 4, 0, None, &HELLO[3..]),
        ]
        .concat();
        let on_ping = frame(true, 4, 9, None, &HELLO);
        for wire in [on_continuation, on_ping] {
            assert_eq!(
                violation_of(&observe_deflated(Role::Client, &wire)),
                Some((PeerViolation::ReservedBits { rsv: 4 }, 1002))
            );
        }
        let corrupt = frame(true, 4, 2, None, &[0xff, 0xff, 0xff]);
        assert!(matches!(
            violation_of(&observe_deflated(Role::Client, &corrupt)),
            Some((PeerViolation::CorruptCompressedData { .. }, 1007))
        ));
        // A stored block holding ED A0 80 (a surrogate): invalid once inflated.
        let stored = [0x00, 0x03, 0x00, 0xfc, 0xff, 0xed, 0xa0, 0x80];
        assert_eq!(
            violation_of(&observe_deflated(
                Role::Client,
                &frame(true, 4, 1, None, &stored)
            )),
            Some((PeerViolation::InvalidUtf8Text, 1007))
        );
    }

    fn violation_of(out: &[Output]) -> Option<(PeerViolation, u16)> {
        out.iter().find_map(|o| match o {
            Output::Violation {
                violation,
                close_code,
            } => Some((violation.clone(), *close_code)),
            _ => None,
        })
    }

    const KEY: Option<[u8; 4]> = Some([1, 2, 3, 4]);

    #[test]
    fn messages_pings_pongs_and_close() {
        let mut wire = frame(false, 0, 1, None, "Hello, ".as_bytes());
        wire.extend(frame(true, 0, 9, None, b"p"));
        wire.extend(frame(true, 0, 0, None, "wörld".as_bytes()));
        wire.extend(frame(true, 0, 10, None, b"pong"));
        wire.extend(frame(true, 0, 2, None, &[0xff; 3]));
        wire.extend(frame(true, 0, 8, None, &[0x03, 0xe8, b'o', b'k']));
        wire.extend(frame(true, 0, 1, None, b"ignored after close"));
        let out = observe(Role::Client, &wire);
        assert_eq!(
            out,
            vec![
                Output::Ping(b"p".to_vec()),
                Output::Event(ObservedEvent::message(false, "Hello, wörld".as_bytes())),
                Output::Event(ObservedEvent::pong(b"pong")),
                Output::Event(ObservedEvent::message(true, &[0xff; 3])),
                Output::Close {
                    code: Some(1000),
                    reason: Some("ok".into())
                },
            ]
        );
    }

    #[test]
    fn masking_by_role() {
        let masked = frame(true, 0, 1, KEY, b"hi");
        let plain = frame(true, 0, 1, None, b"hi");
        assert_eq!(
            violation_of(&observe(Role::Client, &masked)),
            Some((PeerViolation::MaskedServerFrame, 1002))
        );
        assert_eq!(
            violation_of(&observe(Role::Server, &plain)),
            Some((PeerViolation::UnmaskedClientFrame, 1002))
        );
        assert_eq!(
            observe(Role::Server, &masked),
            vec![Output::Event(ObservedEvent::message(false, b"hi"))]
        );
    }

    #[test]
    fn header_violations() {
        let cases: Vec<(Vec<u8>, PeerViolation)> = vec![
            (
                frame(true, 4, 1, None, b"x"),
                PeerViolation::ReservedBits { rsv: 4 },
            ),
            (
                frame(true, 0, 3, None, b""),
                PeerViolation::ReservedOpcode { opcode: 3 },
            ),
            (
                frame(true, 0, 11, None, b""),
                PeerViolation::ReservedOpcode { opcode: 11 },
            ),
            (
                frame(false, 0, 9, None, b""),
                PeerViolation::FragmentedControl { opcode: 9 },
            ),
            (
                frame(true, 0, 9, None, &[0; 126]),
                PeerViolation::ControlTooLong { len: 126 },
            ),
            (
                frame(true, 0, 0, None, b"x"),
                PeerViolation::BadContinuation,
            ),
            (
                [
                    frame(false, 0, 1, None, b"a"),
                    frame(true, 0, 1, None, b"b"),
                ]
                .concat(),
                PeerViolation::BadContinuation,
            ),
            (vec![0x81, 126, 0, 1, b'x'], PeerViolation::NonMinimalLength),
            (
                vec![0x82, 127, 0, 0, 0, 0, 0, 0, 0xff, 0xff],
                PeerViolation::NonMinimalLength,
            ),
            (
                vec![0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1],
                PeerViolation::LengthTopBit,
            ),
        ];
        for (wire, expected) in cases {
            let out = observe(Role::Client, &wire);
            assert_eq!(
                violation_of(&out),
                Some((expected.clone(), 1002)),
                "{expected:?}"
            );
        }
    }

    #[test]
    fn utf8_fails_fast_mid_frame() {
        // κόσμε then an encoded surrogate: the violation is reported before the frame ends.
        let bytes = [0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xed, 0xa0, 0x80, b'x'];
        let wire = frame(true, 0, 1, None, &bytes);
        let mut obs = Observer::new(Role::Client);
        let mut log = WireLog::new(10, false);
        let mut out = Vec::new();
        let mut head = wire.get(..2 + 7).unwrap_or_default().to_vec();
        obs.feed(&mut head, &mut log, &mut out);
        assert_eq!(
            violation_of(&out),
            Some((PeerViolation::InvalidUtf8Text, 1007))
        );
        // Split at every byte gives the same result; a truncated sequence at the end fails too.
        assert_eq!(
            violation_of(&observe(Role::Client, &wire)),
            Some((PeerViolation::InvalidUtf8Text, 1007))
        );
        let wire = frame(true, 0, 1, None, &[b'a', 0xe2, 0x82]);
        assert_eq!(
            violation_of(&observe(Role::Client, &wire)),
            Some((PeerViolation::InvalidUtf8Text, 1007))
        );
        // Valid text split inside a character across fragments is fine.
        let mut wire = frame(false, 0, 1, None, &[0xe2, 0x82]);
        wire.extend(frame(true, 0, 0, None, &[0xac]));
        assert_eq!(
            observe(Role::Client, &wire),
            vec![Output::Event(ObservedEvent::message(false, "€".as_bytes()))]
        );
    }

    #[test]
    fn close_bodies() {
        let close = |body: &[u8]| observe(Role::Client, &frame(true, 0, 8, None, body));
        assert_eq!(
            close(&[]),
            vec![Output::Close {
                code: None,
                reason: None
            }]
        );
        assert_eq!(
            violation_of(&close(b"a")),
            Some((PeerViolation::CloseBodyOneByte, 1002))
        );
        for code in [0u16, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
            assert_eq!(
                violation_of(&close(&code.to_be_bytes())),
                Some((PeerViolation::BadCloseCode { code }, 1002)),
                "{code}"
            );
        }
        for code in [1000u16, 1003, 1007, 1011, 1012, 1013, 1014, 3000, 4999] {
            assert_eq!(
                close(&code.to_be_bytes()),
                vec![Output::Close {
                    code: Some(code),
                    reason: None
                }]
            );
        }
        assert_eq!(
            violation_of(&close(&[0x03, 0xe8, 0xed, 0xa0, 0x80])),
            Some((PeerViolation::CloseReasonNotUtf8, 1002))
        );
    }

    #[test]
    fn after_a_violation_only_the_close_counts() {
        let mut wire = frame(true, 1, 1, None, b"bad");
        wire.extend(frame(true, 0, 1, None, b"later"));
        wire.extend(frame(true, 0, 9, None, b""));
        wire.extend(frame(true, 0, 8, None, &[0x03, 0xea, 0xff]));
        let out = observe(Role::Client, &wire);
        assert_eq!(out.len(), 2);
        assert_eq!(
            out[1],
            Output::Close {
                code: Some(1002),
                reason: Some("\u{fffd}".into())
            }
        );
    }

    #[test]
    fn large_message_is_hashed_not_kept() {
        let payload = vec![b'*'; 300_000];
        let wire = frame(true, 0, 2, None, &payload);
        let mut obs = Observer::new(Role::Client);
        let mut log = WireLog::new(10, false);
        let mut out = Vec::new();
        for chunk in wire.chunks(4096) {
            obs.feed(&mut chunk.to_vec(), &mut log, &mut out);
        }
        match out.as_slice() {
            [
                Output::Event(ObservedEvent::Message {
                    len, sha1, head, ..
                }),
            ] => {
                assert_eq!(*len, 300_000);
                assert_eq!(*sha1, sha1_hex(&payload));
                assert_eq!(head.len(), ampel_cases::MESSAGE_HEAD_LEN);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn garbage_never_panics() {
        let mut seed = 0x1234_5678u32;
        for _ in 0..200 {
            let len = (seed % 64) as usize;
            let mut data: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    (seed >> 16) as u8
                })
                .collect();
            for role in [Role::Client, Role::Server] {
                let mut obs = Observer::new(role);
                let mut log = WireLog::new(10, false);
                let mut out = Vec::new();
                obs.feed(&mut data.clone(), &mut log, &mut out);
            }
            data.clear();
        }
    }
}
