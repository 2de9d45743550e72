//! The connection state machine (RFC 6455 §5-§7), sans-IO in the style of
//! quinn-proto: feed received bytes with [`Connection::handle_input`] and
//! expired timers with [`Connection::handle_timeout`]; issue commands; take
//! bytes to write from [`Connection::poll_transmit`] and events from
//! [`Connection::poll_event`].
//!
//! Closing rules implemented here:
//! - a received close is answered at once, echoing its code (an empty close
//!   is answered with an empty close); the reason is not echoed;
//! - after a close frame is sent, nothing else is sent (not even pongs);
//! - a violation queues the close code of [`ProtocolError::close_code`] and
//!   no further input is processed;
//! - the server closes TCP as soon as the close handshake is done (or it has
//!   failed the connection); the client waits up to
//!   [`Config::tcp_close_timeout`] for the server to do so;
//! - a close we sent that gets no answer within [`Config::close_timeout`]
//!   ends the connection.

mod config;
mod event;

use std::collections::VecDeque;
use std::mem;
use std::time::Instant;

pub use config::{Config, Delivery, MaskSource};
pub use event::{CloseSummary, Event};

use crate::close::{CloseCode, CloseFrame, close_payload, parse_close_payload};
use crate::deflate::{Compressor, Decompressor, InflateError};
use crate::error::{ProtocolError, SendError};
use crate::frame::{FrameHeader, MAX_HEADER_LEN, OpCode, RSV1, extend_masked};
use crate::utf8::Utf8Validator;
use crate::validate::{FrameClass, FrameValidator, MessageKind, Role};

/// Where the connection is, named by what it waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Data flows both ways.
    Open,
    /// We sent a close frame and wait for the peer's.
    ClosingAwaitPeerClose,
    /// Client only: closing is done (or failed); we wait for the server to close TCP.
    ClosedAwaitTcpClose,
    /// Finished: the transport should be (or is) closed.
    Closed,
}

/// The data frame being received.
#[derive(Debug, Clone, Copy)]
struct InFrame {
    header: FrameHeader,
    class: FrameClass,
    received: u64,
}

/// The message we are sending in fragments, if any.
#[derive(Debug, Clone, Copy)]
struct OutMessage {
    kind: MessageKind,
    started: bool,
    /// Sent compressed (RSV1 on its first frame).
    compressed: bool,
}

/// A WebSocket connection after the opening handshake.
///
/// ```
/// use std::time::Instant;
/// use ampel_websocket::{Config, Connection, Event};
///
/// let mut server = Connection::server(Config::default());
/// // A masked text frame "Hello" from a client (RFC 6455 §5.7).
/// server.handle_input(&[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58], Instant::now());
/// while let Some(event) = server.poll_event() {
///     if let Event::Message { kind, payload } = event {
///         server.send_message(kind, &payload).unwrap(); // echo
///     }
/// }
/// assert_eq!(server.poll_transmit().unwrap(), b"\x81\x05Hello");
/// // The transport loop: write poll_transmit(), sleep until poll_timeout(),
/// // and close the socket once wants_tcp_close() is true.
/// ```
pub struct Connection {
    role: Role,
    config: Config,
    masks: Box<dyn MaskSource>,
    state: State,
    validator: FrameValidator,
    header_buf: [u8; MAX_HEADER_LEN],
    header_len: usize,
    frame: Option<InFrame>,
    /// Control frame payload, or the data being assembled (message or frame).
    control_buf: Vec<u8>,
    data_buf: Vec<u8>,
    recv_utf8: Utf8Validator,
    out_message: Option<OutMessage>,
    send_utf8: Utf8Validator,
    transmit: Vec<u8>,
    events: VecDeque<Event>,
    deadline: Option<Instant>,
    tcp_close: bool,
    close_sent: Option<Option<CloseCode>>,
    close_received: Option<Option<CloseFrame>>,
    failure: Option<ProtocolError>,
    timed_out: bool,
    /// permessage-deflate: our compressor, the peer's inflater, whether the
    /// message being received is compressed, and its unmasked input.
    compressor: Option<Compressor>,
    inflater: Option<Decompressor>,
    inflating: bool,
    inflate_input: Vec<u8>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("role", &self.role)
            .field("state", &self.state)
            .field("pending_transmit", &self.transmit.len())
            .field("pending_events", &self.events.len())
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// A connection in the [`State::Open`] state. `masks` supplies the client's
    /// masking keys (a server never calls it).
    pub fn new(role: Role, config: Config, masks: Box<dyn MaskSource>) -> Self {
        let deflate = config.deflate;
        let permitted_rsv = config.permitted_rsv | deflate.map_or(0, |_| RSV1);
        Self {
            role,
            validator: FrameValidator::new(role, permitted_rsv, config.limits),
            config,
            masks,
            state: State::Open,
            header_buf: [0; MAX_HEADER_LEN],
            header_len: 0,
            frame: None,
            control_buf: Vec::new(),
            data_buf: Vec::new(),
            recv_utf8: Utf8Validator::new(),
            out_message: None,
            send_utf8: Utf8Validator::new(),
            transmit: Vec::new(),
            events: VecDeque::new(),
            deadline: None,
            tcp_close: false,
            close_sent: None,
            close_received: None,
            failure: None,
            timed_out: false,
            compressor: deflate.map(|d| Compressor::new(d.params.outgoing(role), d.level)),
            inflater: deflate.map(|d| Decompressor::new(d.params.incoming(role))),
            inflating: false,
            inflate_input: Vec::new(),
        }
    }

    /// A server-side connection (a server never masks, so needs no mask source).
    pub fn server(config: Config) -> Self {
        Self::new(Role::Server, config, Box::new(|| [0; 4]))
    }

    /// A client-side connection masking its frames with keys from `masks`.
    pub fn client(config: Config, masks: Box<dyn MaskSource>) -> Self {
        Self::new(Role::Client, config, masks)
    }

    /// Our role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The connection is finished; only pending transmit and events remain.
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// The transport must be closed once everything from
    /// [`poll_transmit`](Self::poll_transmit) has been written.
    pub fn wants_tcp_close(&self) -> bool {
        self.tcp_close
    }

    // ----- inputs -------------------------------------------------------

    /// Processes bytes received from the peer, in any chunking.
    pub fn handle_input(&mut self, mut data: &[u8], now: Instant) {
        while !data.is_empty() && self.accepts_input() {
            data = self.step_input(data, now);
        }
    }

    /// Processes received bytes only until an event is ready, and returns how many bytes it
    /// consumed; the caller keeps the rest for later. An application that answers each event
    /// before feeding more input therefore answers a valid message before a violation later
    /// in the same read fails the connection (Autobahn 3.2, 4.x, 5.15 grade that OK; failing
    /// first is NON-STRICT). Consumes nothing while earlier events are still unpolled.
    pub fn handle_input_until_event(&mut self, data: &[u8], now: Instant) -> usize {
        let mut rest = data;
        while !rest.is_empty() && self.accepts_input() && self.events.is_empty() {
            rest = self.step_input(rest, now);
        }
        data.len() - rest.len()
    }

    /// Reads one header piece or one payload piece; returns the unread bytes.
    fn step_input<'a>(&mut self, data: &'a [u8], now: Instant) -> &'a [u8] {
        match self.frame {
            None => self.read_header(data, now),
            Some(frame) => {
                let remaining = frame.header.payload_len - frame.received;
                let take = usize::try_from(remaining).map_or(data.len(), |r| r.min(data.len()));
                let (piece, rest) = data.split_at(take);
                self.read_payload(piece, now);
                rest
            }
        }
    }

    /// The peer closed (or reset) the TCP connection.
    pub fn handle_eof(&mut self, _now: Instant) {
        if self.state != State::Closed {
            self.finish();
        }
    }

    /// Fires the timer if `now` is at or after [`poll_timeout`](Self::poll_timeout).
    pub fn handle_timeout(&mut self, now: Instant) {
        let Some(deadline) = self.deadline else {
            return;
        };
        if now < deadline {
            return;
        }
        match self.state {
            State::ClosingAwaitPeerClose | State::ClosedAwaitTcpClose => {
                self.timed_out = true;
                self.finish();
            }
            State::Open | State::Closed => self.deadline = None,
        }
    }

    // ----- outputs ------------------------------------------------------

    /// All bytes queued for the peer since the last call, batched in one buffer.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        if self.transmit.is_empty() {
            None
        } else {
            Some(mem::take(&mut self.transmit))
        }
    }

    /// Appends the queued bytes to `out` (reusing the caller's buffer).
    pub fn transmit_into(&mut self, out: &mut Vec<u8>) {
        out.append(&mut self.transmit);
    }

    /// The next event, in the order things happened.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::ClosingAwaitPeerClose | State::ClosedAwaitTcpClose => self.deadline,
            State::Open | State::Closed => None,
        }
    }

    // ----- commands -----------------------------------------------------

    /// Sends a whole text message (fragmented per [`Config::fragment_size`]).
    pub fn send_text(&mut self, text: &str) -> Result<(), SendError> {
        self.send_message(MessageKind::Text, text.as_bytes())
    }

    /// Sends a whole binary message (fragmented per [`Config::fragment_size`]).
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), SendError> {
        self.send_message(MessageKind::Binary, data)
    }

    /// Sends a whole message of `kind`. Text must be valid UTF-8.
    pub fn send_message(&mut self, kind: MessageKind, data: &[u8]) -> Result<(), SendError> {
        self.ensure_open()?;
        if self.out_message.is_some() {
            return Err(SendError::MessageInProgress);
        }
        if kind == MessageKind::Text {
            simdutf8::compat::from_utf8(data).map_err(|e| SendError::InvalidUtf8 {
                offset: e.valid_up_to() as u64,
            })?;
        }
        let first = opcode_of(kind);
        let min_size = self.config.deflate.map_or(0, |d| d.min_size);
        let compressed = match self.compressor.as_mut().filter(|_| data.len() >= min_size) {
            Some(compressor) => {
                let mut out = Vec::new();
                compressor
                    .compress_message(data, &mut out)
                    .map_err(|reason| SendError::CompressionFailed { reason })?;
                Some(out)
            }
            None => None,
        };
        let (data, mut rsv) = match &compressed {
            Some(out) => (out.as_slice(), RSV1),
            None => (data, 0),
        };
        match self
            .config
            .fragment_size
            .filter(|&f| f > 0 && data.len() > f)
        {
            None => self.queue_frame_rsv(first, true, rsv, data),
            Some(size) => {
                let mut chunks = data.chunks(size).peekable();
                let mut opcode = first;
                while let Some(chunk) = chunks.next() {
                    self.queue_frame_rsv(opcode, chunks.peek().is_none(), rsv, chunk);
                    opcode = OpCode::CONTINUATION;
                    rsv = 0;
                }
            }
        }
        Ok(())
    }

    /// Starts a streamed message; send its bytes with [`send_chunk`](Self::send_chunk).
    pub fn begin_message(&mut self, kind: MessageKind) -> Result<(), SendError> {
        self.ensure_open()?;
        if self.out_message.is_some() {
            return Err(SendError::MessageInProgress);
        }
        self.out_message = Some(OutMessage {
            kind,
            started: false,
            compressed: self.compressor.is_some(),
        });
        self.send_utf8 = Utf8Validator::new();
        Ok(())
    }

    /// Sends the next chunk of the streamed message as one frame; `fin` ends
    /// the message. Text chunks may cut a code point; the message as a whole
    /// must be valid UTF-8.
    pub fn send_chunk(&mut self, data: &[u8], fin: bool) -> Result<(), SendError> {
        self.ensure_open()?;
        let message = self.out_message.ok_or(SendError::NoMessageInProgress)?;
        let opcode = if message.started {
            OpCode::CONTINUATION
        } else {
            opcode_of(message.kind)
        };
        self.send_data_frame(message.kind, opcode, fin, data)
    }

    /// Sends one frame of any non-reserved opcode. Data frames must follow the
    /// fragmentation sequence; control frames must be final and at most 125
    /// bytes; close frames go through [`close`](Self::close).
    pub fn send_frame(
        &mut self,
        opcode: OpCode,
        fin: bool,
        payload: &[u8],
    ) -> Result<(), SendError> {
        self.ensure_open()?;
        if opcode.is_reserved() {
            return Err(SendError::ReservedOpcode { opcode });
        }
        if opcode == OpCode::CLOSE {
            return Err(SendError::UseClose);
        }
        if opcode.is_control() {
            if !fin {
                return Err(SendError::FragmentedControl);
            }
            return self.send_control(opcode, payload);
        }
        let kind = match (opcode, self.out_message) {
            (OpCode::CONTINUATION, Some(m)) if m.started => m.kind,
            (OpCode::CONTINUATION, _) => return Err(SendError::NoMessageInProgress),
            (_, Some(_)) => return Err(SendError::MessageInProgress),
            (op, None) => {
                let kind = if op == OpCode::TEXT {
                    MessageKind::Text
                } else {
                    MessageKind::Binary
                };
                self.send_utf8 = Utf8Validator::new();
                kind
            }
        };
        self.send_data_frame(kind, opcode, fin, payload)
    }

    /// Sends a ping (payload at most 125 bytes).
    pub fn ping(&mut self, payload: &[u8]) -> Result<(), SendError> {
        self.ensure_open()?;
        self.send_control(OpCode::PING, payload)
    }

    /// Sends a pong, e.g. an unsolicited heartbeat (payload at most 125 bytes).
    pub fn pong(&mut self, payload: &[u8]) -> Result<(), SendError> {
        self.ensure_open()?;
        self.send_control(OpCode::PONG, payload)
    }

    /// Starts the closing handshake with `code` and `reason` (at most 123
    /// bytes; codes 1005, 1006, 1015 and others not valid on the wire are
    /// refused). The peer has [`Config::close_timeout`] from `now` to answer.
    pub fn close(&mut self, code: CloseCode, reason: &str, now: Instant) -> Result<(), SendError> {
        self.ensure_open()?;
        let payload = close_payload(code, reason)?;
        self.queue_close(Some(code), &payload);
        self.state = State::ClosingAwaitPeerClose;
        // A timeout too large for `Instant` means "never".
        self.deadline = now.checked_add(self.config.close_timeout);
        Ok(())
    }

    // ----- receiving ----------------------------------------------------

    fn accepts_input(&self) -> bool {
        matches!(self.state, State::Open | State::ClosingAwaitPeerClose)
    }

    /// Collects header bytes; returns the input left after them.
    fn read_header<'a>(&mut self, data: &'a [u8], now: Instant) -> &'a [u8] {
        let had = self.header_len;
        let take = (MAX_HEADER_LEN - had).min(data.len());
        let (head, _) = data.split_at(take);
        let Some(slot) = self.header_buf.get_mut(had..had + take) else {
            return &[];
        };
        slot.copy_from_slice(head);
        let buffered = self.header_buf.get(..had + take).unwrap_or(&[]);
        let Some((header, used)) = FrameHeader::parse(buffered) else {
            self.header_len = had + take;
            return &[];
        };
        self.header_len = 0;
        let rest = data.get(used.saturating_sub(had)..).unwrap_or(&[]);
        self.start_frame(header, now);
        rest
    }

    fn start_frame(&mut self, header: FrameHeader, now: Instant) {
        let class = match self.validator.check(&header) {
            Ok(class) => class,
            Err(e) => return self.fail(e, now),
        };
        match class {
            FrameClass::Control => self.control_buf.clear(),
            FrameClass::MessageStart(kind) => {
                self.recv_utf8 = Utf8Validator::new();
                self.inflating = header.rsv & RSV1 != 0 && self.inflater.is_some();
                self.data_buf.clear();
                if self.config.delivery == Delivery::Stream {
                    self.events.push_back(Event::MessageStart { kind });
                }
            }
            FrameClass::Continuation(_) => {
                if self.config.delivery == Delivery::Frames {
                    self.data_buf.clear();
                }
            }
        }
        let hint = usize::try_from(header.payload_len)
            .unwrap_or(usize::MAX)
            .min(1 << 20);
        match (class, self.config.delivery) {
            (FrameClass::Control, _) | (_, Delivery::Stream) => {}
            _ => self.data_buf.reserve(hint),
        }
        self.frame = Some(InFrame {
            header,
            class,
            received: 0,
        });
        if header.payload_len == 0 {
            self.end_frame(now);
        }
    }

    fn read_payload(&mut self, piece: &[u8], now: Instant) {
        let Some(frame) = self.frame.as_mut() else {
            return;
        };
        let offset = frame.received;
        frame.received += piece.len() as u64;
        let frame = *frame;
        let kind = match frame.class {
            FrameClass::Control => {
                append_unmasked(&mut self.control_buf, piece, frame.header.mask, offset);
                None
            }
            FrameClass::MessageStart(kind) | FrameClass::Continuation(kind) => Some(kind),
        };
        if let Some(kind) = kind {
            if let Err(e) = self.absorb(kind, piece, frame.header.mask, offset, false) {
                return self.fail(e, now);
            }
        }
        if frame.received == frame.header.payload_len {
            self.end_frame(now);
        }
    }

    fn end_frame(&mut self, now: Instant) {
        let Some(frame) = self.frame.take() else {
            return;
        };
        let kind = match frame.class {
            FrameClass::Control => {
                let payload = mem::take(&mut self.control_buf);
                return self.on_control(frame.header.opcode, payload, now);
            }
            FrameClass::MessageStart(kind) | FrameClass::Continuation(kind) => kind,
        };
        if frame.header.fin && self.inflating {
            let trailer = self.absorb(kind, &[], None, 0, true);
            self.inflating = false;
            if let Err(e) = trailer {
                return self.fail(e, now);
            }
        }
        if frame.header.fin && kind == MessageKind::Text {
            if let Err(e) = self.recv_utf8.finish() {
                return self.fail(ProtocolError::InvalidUtf8 { offset: e.offset }, now);
            }
        }
        let event = match self.config.delivery {
            Delivery::Frames => Event::Frame {
                header: frame.header,
                payload: mem::take(&mut self.data_buf),
            },
            Delivery::Messages if frame.header.fin => Event::Message {
                kind,
                payload: mem::take(&mut self.data_buf),
            },
            Delivery::Stream if frame.header.fin => Event::MessageEnd,
            Delivery::Messages | Delivery::Stream => return,
        };
        self.events.push_back(event);
    }

    /// Adds received data to the message buffer (or a stream chunk): unmasks
    /// it, inflates it if the message is compressed (`end`: the message's
    /// implied trailer), and validates text as the bytes appear.
    fn absorb(
        &mut self,
        kind: MessageKind,
        piece: &[u8],
        mask: Option<[u8; 4]>,
        offset: u64,
        end: bool,
    ) -> Result<(), ProtocolError> {
        let mut streamed = Vec::new();
        let buf = if self.config.delivery == Delivery::Stream {
            &mut streamed
        } else {
            &mut self.data_buf
        };
        let start = buf.len();
        match self.inflater.as_mut().filter(|_| self.inflating) {
            Some(inflater) => {
                let max = self.config.limits.max_message_size;
                self.inflate_input.clear();
                append_unmasked(&mut self.inflate_input, piece, mask, offset);
                inflater
                    .inflate(&self.inflate_input, buf, max)
                    .and_then(|()| {
                        if end {
                            inflater.finish_message(buf, max)
                        } else {
                            Ok(())
                        }
                    })
                    .map_err(inflate_violation)?;
            }
            None => append_unmasked(buf, piece, mask, offset),
        }
        if kind == MessageKind::Text {
            self.recv_utf8
                .feed(buf.get(start..).unwrap_or(&[]))
                .map_err(|e| ProtocolError::InvalidUtf8 { offset: e.offset })?;
        }
        if !streamed.is_empty() {
            self.events.push_back(Event::MessageChunk(streamed));
        }
        Ok(())
    }

    fn on_control(&mut self, opcode: OpCode, payload: Vec<u8>, now: Instant) {
        match opcode {
            OpCode::PING => {
                if self.close_sent.is_none() {
                    self.queue_frame(OpCode::PONG, true, &payload);
                }
                self.events.push_back(Event::Ping(payload));
            }
            OpCode::PONG => self.events.push_back(Event::Pong(payload)),
            _ => match parse_close_payload(&payload) {
                Err(e) => self.fail(e, now),
                Ok(close) => {
                    self.events.push_back(Event::CloseReceived(close.clone()));
                    if self.close_sent.is_none() {
                        // Echo the code (not the reason); an empty close gets an empty close.
                        let code = close.as_ref().map(|c| c.code);
                        let reply = code.map(|c| c.0.to_be_bytes().to_vec()).unwrap_or_default();
                        self.queue_close(code, &reply);
                    }
                    self.close_received = Some(close);
                    self.closing_done(now);
                }
            },
        }
    }

    /// Fails the connection: report, send the matching close (unless one was
    /// already sent) and stop reading.
    fn fail(&mut self, error: ProtocolError, now: Instant) {
        self.frame = None;
        if self.close_sent.is_none() {
            let code = error.close_code();
            let mut reason = error.to_string();
            truncate_at_char_boundary(&mut reason, 123);
            let mut payload = code.0.to_be_bytes().to_vec();
            payload.extend_from_slice(reason.as_bytes());
            self.queue_close(Some(code), &payload);
        }
        self.events
            .push_back(Event::ProtocolViolation(error.clone()));
        self.failure = Some(error);
        self.closing_done(now);
    }

    /// No more frames will be exchanged: the server closes TCP now, the
    /// client gives the server time to do it.
    fn closing_done(&mut self, now: Instant) {
        match self.role {
            Role::Server => self.finish(),
            Role::Client => {
                self.state = State::ClosedAwaitTcpClose;
                self.deadline = now.checked_add(self.config.tcp_close_timeout);
            }
        }
    }

    fn finish(&mut self) {
        self.state = State::Closed;
        self.deadline = None;
        self.tcp_close = true;
        self.frame = None;
        let summary = CloseSummary {
            clean: self.close_sent.is_some() && self.close_received.is_some(),
            sent: self.close_sent.flatten(),
            received: self.close_received.clone(),
            failure: self.failure.clone(),
            timed_out: self.timed_out,
        };
        self.events.push_back(Event::Closed(summary));
    }

    // ----- sending ------------------------------------------------------

    fn ensure_open(&self) -> Result<(), SendError> {
        if self.state == State::Open && self.close_sent.is_none() {
            Ok(())
        } else {
            Err(SendError::Closed)
        }
    }

    fn send_control(&mut self, opcode: OpCode, payload: &[u8]) -> Result<(), SendError> {
        if payload.len() > 125 {
            return Err(SendError::ControlPayloadTooLong {
                length: payload.len(),
            });
        }
        self.queue_frame(opcode, true, payload);
        Ok(())
    }

    fn send_data_frame(
        &mut self,
        kind: MessageKind,
        opcode: OpCode,
        fin: bool,
        data: &[u8],
    ) -> Result<(), SendError> {
        if kind == MessageKind::Text {
            let mut utf8 = self.send_utf8.clone();
            let checked = utf8
                .feed(data)
                .and_then(|()| if fin { utf8.finish() } else { Ok(()) });
            checked.map_err(|e| SendError::InvalidUtf8 { offset: e.offset })?;
            self.send_utf8 = utf8;
        }
        let compressed = self.out_message.is_some_and(|m| m.compressed);
        let mut rsv = 0;
        let mut deflated = Vec::new();
        let payload = match self.compressor.as_mut().filter(|_| compressed) {
            Some(compressor) => {
                compressor
                    .compress_chunk(data, fin, &mut deflated)
                    .map_err(|reason| SendError::CompressionFailed { reason })?;
                if opcode != OpCode::CONTINUATION {
                    rsv = RSV1;
                }
                deflated.as_slice()
            }
            None => data,
        };
        self.out_message = (!fin).then_some(OutMessage {
            kind,
            started: true,
            compressed,
        });
        self.queue_frame_rsv(opcode, fin, rsv, payload);
        Ok(())
    }

    fn queue_close(&mut self, code: Option<CloseCode>, payload: &[u8]) {
        self.queue_frame(OpCode::CLOSE, true, payload);
        self.close_sent = Some(code);
    }

    fn queue_frame(&mut self, opcode: OpCode, fin: bool, payload: &[u8]) {
        self.queue_frame_rsv(opcode, fin, 0, payload);
    }

    fn queue_frame_rsv(&mut self, opcode: OpCode, fin: bool, rsv: u8, payload: &[u8]) {
        let mask = match self.role {
            Role::Client => Some(self.masks.next_mask()),
            Role::Server => None,
        };
        let mut header = FrameHeader::new(fin, opcode, mask, payload.len() as u64);
        header.rsv = rsv;
        header.encode(&mut self.transmit);
        append_unmasked(&mut self.transmit, payload, mask, 0);
    }
}

/// The violation a refused compressed message is (1007, or 1009 for size).
fn inflate_violation(e: InflateError) -> ProtocolError {
    match e {
        InflateError::TooBig { length, max } => ProtocolError::MessageTooBig { length, max },
        other => ProtocolError::InvalidCompressedData {
            reason: other.to_string(),
        },
    }
}

const fn opcode_of(kind: MessageKind) -> OpCode {
    match kind {
        MessageKind::Text => OpCode::TEXT,
        MessageKind::Binary => OpCode::BINARY,
    }
}

/// Appends `data` to `buf`, XORing it with `mask` (at payload `offset`).
fn append_unmasked(buf: &mut Vec<u8>, data: &[u8], mask: Option<[u8; 4]>, offset: u64) {
    match mask {
        Some(key) => extend_masked(buf, data, key, offset),
        None => buf.extend_from_slice(data),
    }
}

fn truncate_at_char_boundary(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}
