//! [`WebSocket`]: drives the sans-IO [`Connection`] over an async transport.
//!
//! One poll loop ([`WebSocket::poll_event`]) does all I/O: it writes pending
//! bytes, fires the state machine's timer, reads and feeds input, and after
//! the connection is finished shuts the transport down. Every API (message,
//! frame, streaming, `Stream`/`Sink`) is a thin layer over it. Sends are
//! batched: [`feed`](WebSocket::feed) only queues until
//! [`WebSocketConfig::write_buffer_size`] bytes are pending, and every
//! receive writes what is pending before it waits for the peer.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use ampel_websocket::deflate::{DeflateConfig, DeflateParams};
use ampel_websocket::{
    CloseCode, CloseSummary, Connection, Delivery, Event, MessageKind, OpCode, Role, State,
};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

use crate::config::WebSocketConfig;
use crate::error::{Error, Result};
use crate::message::{Frame, HandshakeInfo, Message};

/// Stop reading while this many written bytes are still pending: a peer
/// that does not read must not make us buffer without bound.
const MAX_PENDING_OUT: usize = 8 << 20;

/// A WebSocket connection over the transport `S` (after the opening handshake).
pub struct WebSocket<S> {
    io: S,
    conn: Connection,
    config: WebSocketConfig,
    info: HandshakeInfo,
    /// permessage-deflate as negotiated.
    deflate: Option<DeflateParams>,
    read_buf: Vec<u8>,
    /// `read_buf[read_pos..read_len]` was received but not yet fed to the state machine:
    /// input is fed only until the next event, so the application answers each message
    /// before frames behind it are processed.
    read_pos: usize,
    read_len: usize,
    out: Vec<u8>,
    out_pos: usize,
    needs_flush: bool,
    read_eof: bool,
    write_failed: bool,
    shutdown_done: bool,
    linger_until: Option<Instant>,
    timer: Option<(Instant, Pin<Box<Sleep>>)>,
    summary: Option<CloseSummary>,
    /// A message being assembled by [`recv`](Self::recv) from chunks or frames.
    partial: Option<(MessageKind, Vec<u8>)>,
    /// The rest of a message whose [`MessageReader`] was dropped early is skipped.
    skip_rest: bool,
}

impl<S> std::fmt::Debug for WebSocket<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocket")
            .field("conn", &self.conn)
            .field("info", &self.info)
            .field("deflate", &self.deflate)
            .field("pending_out", &(self.out.len() - self.out_pos))
            .finish_non_exhaustive()
    }
}

fn now() -> std::time::Instant {
    Instant::now().into_std()
}

impl<S: AsyncRead + AsyncWrite + Unpin> WebSocket<S> {
    /// Wraps a transport whose opening handshake is done, without extensions.
    /// `leftover` are the bytes received after the HTTP head (they belong to
    /// the connection).
    pub fn from_raw(
        io: S,
        role: Role,
        config: WebSocketConfig,
        info: HandshakeInfo,
        leftover: &[u8],
    ) -> Self {
        Self::from_raw_with_deflate(io, role, config, None, info, leftover)
    }

    /// [`from_raw`](Self::from_raw) for a handshake that negotiated
    /// permessage-deflate (`deflate`: the negotiated parameters and how we
    /// compress; `None`: not negotiated).
    pub fn from_raw_with_deflate(
        io: S,
        role: Role,
        config: WebSocketConfig,
        deflate: Option<DeflateConfig>,
        info: HandshakeInfo,
        leftover: &[u8],
    ) -> Self {
        let mut core = config.core();
        core.deflate = deflate;
        let conn = match role {
            Role::Client => Connection::client(core, Box::new(rand::random::<[u8; 4]>)),
            Role::Server => Connection::server(core),
        };
        let mut read_buf = vec![0; config.read_buffer_size.max(1024).max(leftover.len())];
        if let Some(head) = read_buf.get_mut(..leftover.len()) {
            head.copy_from_slice(leftover);
        }
        Self {
            io,
            conn,
            read_buf,
            read_pos: 0,
            read_len: leftover.len(),
            config,
            info,
            deflate: deflate.map(|d| d.params),
            out: Vec::new(),
            out_pos: 0,
            needs_flush: false,
            read_eof: false,
            write_failed: false,
            shutdown_done: false,
            linger_until: None,
            timer: None,
            summary: None,
            partial: None,
            skip_rest: false,
        }
    }

    /// The outcome of the opening handshake (path, headers, subprotocol).
    pub fn handshake(&self) -> &HandshakeInfo {
        &self.info
    }

    /// The permessage-deflate parameters the opening handshake negotiated
    /// (`None`: messages are not compressed).
    pub fn negotiated_deflate(&self) -> Option<DeflateParams> {
        self.deflate
    }

    /// The state machine (state, role).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The transport.
    pub fn get_ref(&self) -> &S {
        &self.io
    }

    /// How the connection ended, once it has.
    pub fn close_summary(&self) -> Option<&CloseSummary> {
        self.summary.as_ref()
    }

    // ----- the poll loop ------------------------------------------------

    /// Drives the connection until it reports an event. `Ok(None)`: the
    /// connection is finished and the transport shut down.
    pub fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Event>>> {
        loop {
            if let Some(event) = self.conn.poll_event() {
                if let Event::Closed(summary) = &event {
                    self.summary = Some(summary.clone());
                }
                return Poll::Ready(Ok(Some(event)));
            }
            self.collect_transmit();
            if self.conn.is_closed() {
                return match self.poll_write_out(cx) {
                    Poll::Ready(Ok(())) => self.poll_finish(cx).map(|()| Ok(None)),
                    Poll::Ready(Err(e)) => Poll::Ready(Err(e.into())),
                    Poll::Pending => Poll::Pending,
                };
            }
            if let Some(deadline) = self.conn.poll_timeout() {
                if self.poll_timer(cx, Instant::from_std(deadline)) {
                    self.conn.handle_timeout(now());
                    continue;
                }
            }
            // Write when about to wait for the peer or when a batch is full:
            // answers to the messages of one read go out together.
            let has_input = self.read_pos < self.read_len;
            let batch = self.config.write_buffer_size.min(MAX_PENDING_OUT);
            if !has_input || self.pending_out() >= batch {
                if let Poll::Ready(Err(e)) = self.poll_write_out(cx) {
                    return Poll::Ready(Err(e.into()));
                }
            }
            if self.pending_out() >= MAX_PENDING_OUT {
                // The write above is pending and will wake us.
                return Poll::Pending;
            }
            if has_input {
                let pending = self
                    .read_buf
                    .get(self.read_pos..self.read_len)
                    .unwrap_or(&[]);
                let used = self.conn.handle_input_until_event(pending, now());
                // Nothing consumed with no event pending: the connection takes no more input.
                self.read_pos = if used == 0 {
                    self.read_len
                } else {
                    self.read_pos + used
                };
                continue;
            }
            if self.read_eof {
                return Poll::Pending;
            }
            let mut buf = ReadBuf::new(&mut self.read_buf);
            match Pin::new(&mut self.io).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) => {
                    let n = buf.filled().len();
                    if n == 0 {
                        self.read_eof = true;
                        self.conn.handle_eof(now());
                    } else {
                        self.read_pos = 0;
                        self.read_len = n;
                    }
                }
                Poll::Ready(Err(e)) => {
                    // After the close handshake only the TCP close is awaited: a
                    // reset or a TLS peer skipping close_notify is just the end.
                    let handshake_done = self.conn.state() == State::ClosedAwaitTcpClose;
                    self.read_eof = true;
                    self.conn.handle_eof(now());
                    if !handshake_done {
                        return Poll::Ready(Err(e.into()));
                    }
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    /// Writes and flushes everything pending.
    fn poll_write_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.write_failed {
            self.out.clear();
            self.out_pos = 0;
            return Poll::Ready(Ok(()));
        }
        while let Some(rest) = self.out.get(self.out_pos..).filter(|r| !r.is_empty()) {
            match ready!(Pin::new(&mut self.io).poll_write(cx, rest)) {
                Ok(0) => return Poll::Ready(Err(self.broken(io::ErrorKind::WriteZero.into()))),
                Ok(n) => {
                    self.out_pos += n;
                    self.needs_flush = true;
                }
                Err(e) => return Poll::Ready(Err(self.broken(e))),
            }
        }
        self.out.clear();
        self.out_pos = 0;
        if self.needs_flush {
            if let Err(e) = ready!(Pin::new(&mut self.io).poll_flush(cx)) {
                return Poll::Ready(Err(self.broken(e)));
            }
            self.needs_flush = false;
        }
        Poll::Ready(Ok(()))
    }

    /// The transport cannot be written: drop pending bytes, end the connection.
    fn broken(&mut self, e: io::Error) -> io::Error {
        self.write_failed = true;
        self.out.clear();
        self.out_pos = 0;
        self.conn.handle_eof(now());
        e
    }

    /// After the connection is finished: shut the transport down, and as a
    /// server drain the client's last bytes (until it closes, or the TCP
    /// close timeout) so closing with unread data does not reset the
    /// connection and lose our close frame.
    fn poll_finish(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if !self.shutdown_done {
            if !self.write_failed {
                // A failed shutdown leaves nothing more to do.
                let _ = ready!(Pin::new(&mut self.io).poll_shutdown(cx));
            }
            self.shutdown_done = true;
            if self.conn.role() == Role::Server && !self.read_eof && !self.write_failed {
                self.linger_until = Some(Instant::now() + self.config.tcp_close_timeout);
            }
        }
        while let Some(until) = self.linger_until.filter(|_| !self.read_eof) {
            if self.poll_timer(cx, until) {
                break;
            }
            let mut buf = ReadBuf::new(&mut self.read_buf);
            match ready!(Pin::new(&mut self.io).poll_read(cx, &mut buf)) {
                Ok(()) if !buf.filled().is_empty() => {}
                _ => self.read_eof = true,
            }
        }
        self.linger_until = None;
        Poll::Ready(())
    }

    /// Polls a sleep until `deadline`; true once it has passed.
    fn poll_timer(&mut self, cx: &mut Context<'_>, deadline: Instant) -> bool {
        match &mut self.timer {
            Some((at, sleep)) => {
                if *at != deadline {
                    *at = deadline;
                    sleep.as_mut().reset(deadline);
                }
            }
            None => self.timer = Some((deadline, Box::pin(tokio::time::sleep_until(deadline)))),
        }
        match &mut self.timer {
            Some((_, sleep)) => sleep.as_mut().poll(cx).is_ready(),
            None => false,
        }
    }

    /// The next event, driving I/O (`None`: finished).
    async fn next_event(&mut self) -> Result<Option<Event>> {
        poll_fn(|cx| self.poll_event(cx)).await
    }

    // ----- sending ------------------------------------------------------

    /// Moves what the state machine queued into the write buffer (taking
    /// its buffer whole when ours is empty: big messages are not copied twice).
    fn collect_transmit(&mut self) {
        if self.out.is_empty() {
            if let Some(bytes) = self.conn.poll_transmit() {
                self.out = bytes;
                self.out_pos = 0;
            }
        } else {
            self.conn.transmit_into(&mut self.out);
        }
    }

    fn pending_out(&self) -> usize {
        self.out.len() - self.out_pos
    }

    /// Runs a command on the state machine and collects what it queued.
    fn command(
        &mut self,
        f: impl FnOnce(&mut Connection) -> Result<(), ampel_websocket::SendError>,
    ) -> Result<()> {
        if self.write_failed {
            return Err(Error::Closed);
        }
        f(&mut self.conn)?;
        self.collect_transmit();
        Ok(())
    }

    fn queue_message(&mut self, message: Message) -> Result<()> {
        match message {
            Message::Text(text) => self.command(|c| c.send_text(&text)),
            Message::Binary(data) => self.command(|c| c.send_binary(&data)),
            Message::Ping(data) => self.command(|c| c.ping(&data)),
            Message::Pong(data) => self.command(|c| c.pong(&data)),
            Message::Close(frame) => {
                let (code, reason) =
                    frame.map_or((CloseCode::NORMAL, String::new()), |f| (f.code, f.reason));
                self.command(|c| c.close(code, &reason, now()))
            }
        }
    }

    /// Writes and flushes everything queued (sends are batched until then).
    pub async fn flush(&mut self) -> Result<()> {
        self.collect_transmit();
        poll_fn(|cx| self.poll_write_out(cx)).await?;
        Ok(())
    }

    async fn flush_if_full(&mut self) -> Result<()> {
        if self.pending_out() >= self.config.write_buffer_size {
            self.flush().await?;
        }
        Ok(())
    }

    /// Queues a message (or control frame), writing only once the batch is
    /// full; the next receive, [`flush`](Self::flush) or close writes the rest.
    /// [`Message::Close`] only queues the close frame; use
    /// [`close`](Self::close) to run the whole close handshake.
    pub async fn feed(&mut self, message: Message) -> Result<()> {
        self.queue_message(message)?;
        self.flush_if_full().await
    }

    /// Sends a message (or control frame) and flushes.
    pub async fn send(&mut self, message: Message) -> Result<()> {
        self.queue_message(message)?;
        self.flush().await
    }

    /// Frame-level send: one frame, still checked by the state machine
    /// (fragment sequence, control frame rules, UTF-8 of text). Close frames
    /// go through [`close`](Self::close). Batched like [`feed`](Self::feed).
    pub async fn send_frame(&mut self, frame: Frame) -> Result<()> {
        self.command(|c| c.send_frame(frame.opcode, frame.fin, &frame.payload))?;
        self.flush_if_full().await
    }

    /// Streaming send: starts a message of `kind` whose length need not be
    /// known; each [`MessageWriter::write`] sends one frame. Until the writer
    /// is finished no other message can be sent (control frames can).
    pub async fn send_stream(&mut self, kind: MessageKind) -> Result<MessageWriter<'_, S>> {
        self.command(|c| c.begin_message(kind))?;
        Ok(MessageWriter { ws: self })
    }

    /// Runs the close handshake: sends a close frame with `code` and `reason`
    /// (unless one was already sent), flushes, waits for the peer's close
    /// (at most [`WebSocketConfig::close_timeout`]) and the TCP close as the
    /// role requires, discarding data that still arrives. Returns how the
    /// connection ended.
    pub async fn close(&mut self, code: CloseCode, reason: &str) -> Result<CloseSummary> {
        let open = self.conn.state() == State::Open;
        if open && !self.write_failed {
            match self.conn.close(code, reason, now()) {
                Ok(()) => {}
                // Already closing: just finish the handshake.
                Err(ampel_websocket::SendError::Closed) => {}
                Err(e) => return Err(e.into()),
            }
        }
        loop {
            match self.next_event().await {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(Error::Io(e)) if self.summary.is_none() => return Err(Error::Io(e)),
                Err(_) => {}
            }
        }
        self.summary.clone().ok_or(Error::Closed)
    }

    // ----- receiving ----------------------------------------------------

    /// Message-level receive: the next text or binary message, ping, pong or
    /// the peer's close frame. Pongs to pings are sent automatically. `None`
    /// once the connection is finished (after the close handshake, a
    /// violation — reported once as an error — or the transport closing).
    pub async fn recv(&mut self) -> Option<Result<Message>> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Message>>> {
        loop {
            let event = match ready!(self.poll_event(cx)) {
                Ok(Some(event)) => event,
                Ok(None) => return Poll::Ready(None),
                Err(e) => return Poll::Ready(Some(Err(e))),
            };
            if let Some(item) = self.message_of(event) {
                return Poll::Ready(Some(item));
            }
        }
    }

    /// Turns an event into a message, assembling chunks and frames.
    fn message_of(&mut self, event: Event) -> Option<Result<Message>> {
        match event {
            Event::Message { kind, payload } => Some(to_message(kind, payload)),
            Event::MessageStart { kind } => {
                self.skip_rest = false;
                self.partial = Some((kind, Vec::new()));
                None
            }
            Event::MessageChunk(chunk) => {
                if let Some((_, buf)) = self.partial.as_mut() {
                    buf.extend_from_slice(&chunk);
                }
                None
            }
            Event::MessageEnd => {
                self.skip_rest = false;
                let (kind, payload) = self.partial.take()?;
                Some(to_message(kind, payload))
            }
            Event::Frame { header, payload } => {
                if header.opcode != OpCode::CONTINUATION {
                    self.skip_rest = false;
                    let kind = if header.opcode == OpCode::TEXT {
                        MessageKind::Text
                    } else {
                        MessageKind::Binary
                    };
                    self.partial = Some((kind, payload));
                } else if let Some((_, buf)) = self.partial.as_mut() {
                    buf.extend_from_slice(&payload);
                }
                if !header.fin {
                    return None;
                }
                self.skip_rest = false;
                let (kind, payload) = self.partial.take()?;
                Some(to_message(kind, payload))
            }
            Event::Ping(p) => Some(Ok(Message::Ping(p))),
            Event::Pong(p) => Some(Ok(Message::Pong(p))),
            Event::CloseReceived(frame) => Some(Ok(Message::Close(frame))),
            Event::ProtocolViolation(e) => Some(Err(e.into())),
            _ => None,
        }
    }

    /// Frame-level receive (needs [`Delivery::Frames`]): the next data or
    /// control frame, validated by the state machine. A received close is
    /// returned as a `CLOSE` frame with its payload re-encoded.
    pub async fn recv_frame(&mut self) -> Option<Result<Frame>> {
        if self.config.delivery != Delivery::Frames {
            return Some(Err(Error::NotFrameDelivery));
        }
        loop {
            let event = match self.next_event().await {
                Ok(Some(event)) => event,
                Ok(None) => return None,
                Err(e) => return Some(Err(e)),
            };
            let frame = match event {
                Event::Frame { header, payload } => Frame::new(header.fin, header.opcode, payload),
                Event::Ping(p) => Frame::new(true, OpCode::PING, p),
                Event::Pong(p) => Frame::new(true, OpCode::PONG, p),
                Event::CloseReceived(close) => {
                    let mut payload = Vec::new();
                    if let Some(close) = close {
                        payload.extend_from_slice(&close.code.value().to_be_bytes());
                        payload.extend_from_slice(close.reason.as_bytes());
                    }
                    Frame::new(true, OpCode::CLOSE, payload)
                }
                Event::ProtocolViolation(e) => return Some(Err(e.into())),
                _ => continue,
            };
            return Some(Ok(frame));
        }
    }

    /// Streaming receive: the next data message as a [`MessageReader`]
    /// yielding its bytes as they arrive (with [`Delivery::Stream`] nothing
    /// is buffered; with `Frames` each frame is a chunk; with `Messages` the
    /// whole message is one chunk). Pings and pongs are skipped (pongs are
    /// still sent). `None` once the peer closed or the connection finished.
    pub async fn recv_stream(&mut self) -> Option<Result<MessageReader<'_, S>>> {
        loop {
            let event = match self.next_event().await {
                Ok(Some(event)) => event,
                Ok(None) => return None,
                Err(e) => return Some(Err(e)),
            };
            let (kind, first, done) = match event {
                Event::Message { kind, payload } => (kind, Some(payload), true),
                Event::MessageStart { kind } => (kind, None, false),
                Event::Frame { header, payload } if header.opcode != OpCode::CONTINUATION => {
                    let kind = if header.opcode == OpCode::TEXT {
                        MessageKind::Text
                    } else {
                        MessageKind::Binary
                    };
                    (kind, Some(payload), header.fin)
                }
                Event::ProtocolViolation(e) => return Some(Err(e.into())),
                // Leftovers of a message whose reader was dropped, control frames.
                _ => continue,
            };
            self.skip_rest = !done;
            return Some(Ok(MessageReader {
                ws: self,
                kind,
                first: first.filter(|c| !c.is_empty()),
                done,
            }));
        }
    }
}

fn to_message(kind: MessageKind, payload: Vec<u8>) -> Result<Message> {
    match kind {
        MessageKind::Binary => Ok(Message::Binary(payload)),
        MessageKind::Text => String::from_utf8(payload)
            .map(Message::Text)
            .map_err(|_| Error::InvalidText),
    }
}

/// A message being received in chunks; see [`WebSocket::recv_stream`].
/// Dropping it early discards the rest of the message.
#[derive(Debug)]
pub struct MessageReader<'a, S> {
    ws: &'a mut WebSocket<S>,
    kind: MessageKind,
    first: Option<Vec<u8>>,
    done: bool,
}

impl<S: AsyncRead + AsyncWrite + Unpin> MessageReader<'_, S> {
    /// Text or binary.
    pub fn kind(&self) -> MessageKind {
        self.kind
    }

    /// The next bytes of the message (never empty; a text chunk may end in
    /// the middle of a code point). `None` after the last chunk. A close or
    /// the end of the connection before the message is complete is an error.
    pub async fn next_chunk(&mut self) -> Option<Result<Vec<u8>>> {
        if let Some(first) = self.first.take() {
            return Some(Ok(first));
        }
        while !self.done {
            let event = match self.ws.next_event().await {
                Ok(Some(event)) => event,
                Ok(None) => {
                    self.done = true;
                    return Some(Err(Error::Closed));
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            match event {
                Event::MessageChunk(chunk) => return Some(Ok(chunk)),
                Event::MessageEnd => self.done = true,
                Event::Frame { header, payload } => {
                    self.done = header.fin;
                    if !payload.is_empty() {
                        return Some(Ok(payload));
                    }
                }
                Event::ProtocolViolation(e) => {
                    self.done = true;
                    return Some(Err(e.into()));
                }
                Event::CloseReceived(_) => {
                    self.done = true;
                    return Some(Err(Error::Closed));
                }
                _ => {}
            }
        }
        self.ws.skip_rest = false;
        None
    }

    /// Reads the rest of the message into one buffer.
    pub async fn read_to_end(&mut self) -> Result<Vec<u8>> {
        let mut all = Vec::new();
        while let Some(chunk) = self.next_chunk().await {
            all.extend_from_slice(&chunk?);
        }
        Ok(all)
    }
}

/// A message being sent in pieces; see [`WebSocket::send_stream`].
#[derive(Debug)]
pub struct MessageWriter<'a, S> {
    ws: &'a mut WebSocket<S>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> MessageWriter<'_, S> {
    /// Sends `data` as the next (non-final) frame of the message; empty
    /// data sends nothing. Text may cut a code point between writes.
    pub async fn write(&mut self, data: &[u8]) -> Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        self.ws.command(|c| c.send_chunk(data, false))?;
        self.ws.flush_if_full().await
    }

    /// Ends the message with a final frame carrying `last` and flushes.
    pub async fn finish_with(self, last: &[u8]) -> Result<()> {
        self.ws.command(|c| c.send_chunk(last, true))?;
        self.ws.flush().await
    }

    /// Ends the message with an empty final frame and flushes.
    pub async fn finish(self) -> Result<()> {
        self.finish_with(&[]).await
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> futures_core::Stream for WebSocket<S> {
    type Item = Result<Message>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_recv(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> futures_sink::Sink<Message> for WebSocket<S> {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let this = self.get_mut();
        if this.pending_out() >= this.config.write_buffer_size {
            ready!(this.poll_write_out(cx))?;
        }
        Poll::Ready(Ok(()))
    }

    fn start_send(self: Pin<&mut Self>, item: Message) -> Result<()> {
        self.get_mut().queue_message(item)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let this = self.get_mut();
        this.collect_transmit();
        Poll::Ready(ready!(this.poll_write_out(cx)).map_err(Error::from))
    }

    /// Runs the close handshake with 1000 (unless a close was sent already)
    /// and drives the connection to its end.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let this = self.get_mut();
        if this.conn.state() == State::Open && !this.write_failed {
            // Only fails when a close was already sent.
            let _ = this.conn.close(CloseCode::NORMAL, "", now());
        }
        loop {
            match ready!(this.poll_event(cx)) {
                Ok(Some(_)) => {}
                Ok(None) => return Poll::Ready(Ok(())),
                Err(Error::Io(e)) if this.summary.is_none() => {
                    return Poll::Ready(Err(Error::Io(e)));
                }
                Err(_) => {}
            }
        }
    }
}
