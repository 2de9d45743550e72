//! Test support: build peer frames byte by byte, drive a [`Connection`] the
//! way Autobahn's fuzzer does (writes, optionally chopped), echo messages,
//! and decode what the connection sent back.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use ampel_websocket::frame::{FrameHeader, OpCode, encode_frame};
use ampel_websocket::{CloseSummary, Config, Connection, Event, MessageKind, Role};

/// The key the simulated client peer masks with.
pub const PEER_KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// Builds frames as the peer of a connection in `role` sends them.
#[derive(Debug, Clone, Copy)]
pub struct PeerFrames {
    /// Role of the connection under test (the peer has the other one).
    pub role: Role,
}

impl PeerFrames {
    pub fn raw(&self, fin: bool, rsv: u8, op: u8, payload: &[u8]) -> Vec<u8> {
        let mask = (self.role == Role::Server).then_some(PEER_KEY);
        let mut header = FrameHeader::new(fin, OpCode::new(op), mask, payload.len() as u64);
        header.rsv = rsv;
        let mut out = Vec::new();
        encode_frame(&header, payload, &mut out);
        out
    }
    pub fn text(&self, s: impl AsRef<[u8]>) -> Vec<u8> {
        self.raw(true, 0, 1, s.as_ref())
    }
    pub fn binary(&self, b: impl AsRef<[u8]>) -> Vec<u8> {
        self.raw(true, 0, 2, b.as_ref())
    }
    pub fn ping(&self, b: impl AsRef<[u8]>) -> Vec<u8> {
        self.raw(true, 0, 9, b.as_ref())
    }
    pub fn pong(&self, b: impl AsRef<[u8]>) -> Vec<u8> {
        self.raw(true, 0, 10, b.as_ref())
    }
    pub fn close(&self, code: u16, reason: impl AsRef<[u8]>) -> Vec<u8> {
        let mut payload = code.to_be_bytes().to_vec();
        payload.extend_from_slice(reason.as_ref());
        self.raw(true, 0, 8, &payload)
    }
    pub fn close_empty(&self) -> Vec<u8> {
        self.raw(true, 0, 8, b"")
    }
}

/// What the connection under test put on the wire, frame by frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    Text(Vec<u8>),
    Binary(Vec<u8>),
    /// First frame of a fragmented message (FIN=0).
    TextStart(Vec<u8>),
    BinaryStart(Vec<u8>),
    Cont(bool, Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    /// A close frame: its code, if it had a body.
    Close(Option<u16>),
}

/// Decodes our own output; panics on anything malformed or masked wrongly.
pub fn decode_sent(role: Role, mut wire: &[u8]) -> Vec<Sent> {
    let mut out = Vec::new();
    while !wire.is_empty() {
        let (h, used) = FrameHeader::decode(wire)
            .expect("strict header")
            .expect("whole header");
        assert_eq!(
            h.mask.is_some(),
            role == Role::Client,
            "masking of our frames"
        );
        let end = used + h.payload_len as usize;
        let mut payload = wire[used..end].to_vec();
        if let Some(key) = h.mask {
            ampel_websocket::frame::apply_mask(&mut payload, key, 0);
        }
        wire = &wire[end..];
        out.push(match h.opcode {
            OpCode::TEXT if h.fin => Sent::Text(payload),
            OpCode::BINARY if h.fin => Sent::Binary(payload),
            OpCode::TEXT => Sent::TextStart(payload),
            OpCode::BINARY => Sent::BinaryStart(payload),
            OpCode::CONTINUATION => Sent::Cont(h.fin, payload),
            OpCode::PING => Sent::Ping(payload),
            OpCode::PONG => Sent::Pong(payload),
            OpCode::CLOSE => Sent::Close(
                (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]])),
            ),
            other => panic!("we sent opcode {other:?}"),
        });
    }
    out
}

/// A connection under test, driven like Autobahn drives a peer.
pub struct Harness {
    pub conn: Connection,
    pub role: Role,
    pub now: Instant,
    pub wire: Vec<u8>,
    pub events: Vec<Event>,
    /// Echo every received message back, as Autobahn's testee does.
    pub echo: bool,
}

impl Harness {
    pub fn new(role: Role) -> Self {
        Self::with_config(role, Config::default())
    }

    pub fn with_config(role: Role, config: Config) -> Self {
        let mut n = 0u8;
        let masks = Box::new(move || {
            n = n.wrapping_add(1);
            [n, 0xA5, 0x5A, n ^ 0xFF]
        });
        Self {
            conn: Connection::new(role, config, masks),
            role,
            now: Instant::now(),
            wire: Vec::new(),
            events: Vec::new(),
            echo: true,
        }
    }

    /// The frames to send to `self`.
    pub fn peer(&self) -> PeerFrames {
        PeerFrames { role: self.role }
    }

    /// One TCP write of the peer, delivered in pieces of `chop` bytes.
    pub fn write(&mut self, bytes: &[u8], chop: Option<usize>) {
        for piece in bytes.chunks(chop.unwrap_or(bytes.len()).max(1)) {
            self.conn.handle_input(piece, self.now);
            self.pump();
        }
    }

    /// Collects events, echoing messages, and takes what was transmitted.
    pub fn pump(&mut self) {
        while let Some(event) = self.conn.poll_event() {
            if let (true, Event::Message { kind, payload }) = (self.echo, &event) {
                let _ = self.conn.send_message(*kind, payload);
            }
            self.events.push(event);
        }
        if let Some(bytes) = self.conn.poll_transmit() {
            self.wire.extend_from_slice(&bytes);
        }
    }

    pub fn advance(&mut self, by: Duration) {
        self.now += by;
        self.conn.handle_timeout(self.now);
        self.pump();
    }

    pub fn sent(&self) -> Vec<Sent> {
        decode_sent(self.role, &self.wire)
    }

    pub fn summary(&self) -> Option<&CloseSummary> {
        self.events.iter().find_map(|e| match e {
            Event::Closed(s) => Some(s),
            _ => None,
        })
    }

    pub fn messages(&self) -> Vec<(MessageKind, Vec<u8>)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Message { kind, payload } => Some((*kind, payload.clone())),
                _ => None,
            })
            .collect()
    }
}
pub mod autobahn;
