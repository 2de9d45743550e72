//! A small echo peer with switchable bugs, on raw frames (no ampel-net, no tungstenite), so
//! each bug is one explicit branch. With every switch off it is a strict, correct echo peer:
//! the control. It plays the server (`serve`) or the client (`run_client`, which follows the
//! Autobahn client protocol: connect to a URL, echo, close when told).

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine;
use sha1::{Digest, Sha1};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::frames::{self, BINARY, CLOSE, CONTINUATION, Head, PING, PONG, TEXT};

/// The bugs a peer can have; `Bugs::default()` is the correct control peer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bugs {
    /// Text messages and close reasons are not checked for UTF-8: invalid text is echoed.
    pub skip_utf8_validation: bool,
    /// RSV bits are not checked: the frame is processed as if they were clear.
    pub ignore_rsv: bool,
    /// A close frame from the other side is never answered; the peer goes silent and keeps
    /// TCP open until the other side drops it.
    pub never_answer_close: bool,
    /// Every close this peer sends carries 1000, also when failing (instead of 1002/1007).
    pub always_close_1000: bool,
    /// Echoes of messages over 64 KiB come back with one byte flipped.
    pub corrupt_large_echoes: bool,
    /// As a server, keeps TCP open after the close handshake (until the other side drops
    /// it), where a server must end it first.
    pub keep_tcp_after_close: bool,
}

/// Messages above this fail the connection with 1009 (section 9 needs 16 MiB).
const MAX_MESSAGE: u64 = 32 << 20;
/// Messages above this are corrupted by `corrupt_large_echoes`.
const LARGE: usize = 64 << 10;
/// Largest payload of a rejected frame that is skipped to read the answer to our close.
const DISCARD_LIMIT: u64 = 1 << 20;
/// How long the peer waits for the other side after it closed (bounds every test peer).
const CLOSE_WAIT: Duration = Duration::from_secs(5);
/// Upper bound for the silence of a peer that never answers a close.
const SILENT_LIMIT: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Server,
    Client,
}

/// Starts an echo server with `bugs` on 127.0.0.1; it runs until the runtime ends.
pub async fn serve(bugs: Bugs) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("local_addr: {e}"));
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let _ = tcp.set_nodelay(true);
            tokio::spawn(async move {
                let mut io = BufReader::new(tcp);
                if server_handshake(&mut io).await.is_ok() {
                    let _ = Peer::new(io, Side::Server, bugs).run().await;
                }
            });
        }
    });
    addr
}

/// Connects to `ws://{addr}{path}` as an echo client with `bugs` and runs until the
/// connection ends.
pub async fn run_client(addr: SocketAddr, path: &str, bugs: Bugs) -> io::Result<()> {
    let tcp = TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let mut io = BufReader::new(tcp);
    client_handshake(&mut io, addr, path).await?;
    Peer::new(io, Side::Client, bugs).run().await
}

fn accept_key(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.trim().as_bytes());
    sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

/// Reads an HTTP head (up to the empty line) as lines.
async fn read_http_head(io: &mut BufReader<TcpStream>) -> io::Result<Vec<String>> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if io.read_line(&mut line).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let line = line.trim_end().to_owned();
        if line.is_empty() {
            return Ok(lines);
        }
        if lines.len() > 100 {
            return Err(io::Error::other("HTTP head too long"));
        }
        lines.push(line);
    }
}

fn header<'a>(lines: &'a [String], name: &str) -> Option<&'a str> {
    lines.iter().skip(1).find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

async fn server_handshake(io: &mut BufReader<TcpStream>) -> io::Result<()> {
    let head = read_http_head(io).await?;
    let Some(key) = header(&head, "sec-websocket-key") else {
        let tcp = io.get_mut();
        tcp.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            .await?;
        return Err(io::Error::other("no Sec-WebSocket-Key"));
    };
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
        accept_key(key)
    );
    io.get_mut().write_all(response.as_bytes()).await
}

async fn client_handshake(
    io: &mut BufReader<TcpStream>,
    addr: SocketAddr,
    path: &str,
) -> io::Result<()> {
    let key = base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 16]>());
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    io.get_mut().write_all(request.as_bytes()).await?;
    let head = read_http_head(io).await?;
    let status_ok = head
        .first()
        .is_some_and(|l| l.split(' ').nth(1) == Some("101"));
    let accept_ok = header(&head, "sec-websocket-accept") == Some(accept_key(&key).as_str());
    if status_ok && accept_ok {
        Ok(())
    } else {
        Err(io::Error::other(format!("upgrade refused: {head:?}")))
    }
}

/// Incremental UTF-8 check: fails at the first byte that cannot start or continue a valid
/// sequence, even in the middle of a frame.
#[derive(Default)]
struct Utf8Check {
    tail: Vec<u8>,
}

impl Utf8Check {
    /// False once the bytes so far cannot be valid UTF-8.
    fn feed(&mut self, bytes: &[u8]) -> bool {
        let mut buf = std::mem::take(&mut self.tail);
        buf.extend_from_slice(bytes);
        match std::str::from_utf8(&buf) {
            Ok(_) => true,
            Err(e) if e.error_len().is_some() => false,
            Err(e) => {
                self.tail = buf.get(e.valid_up_to()..).unwrap_or_default().to_vec();
                true
            }
        }
    }

    /// True when no sequence is left incomplete.
    fn complete(&self) -> bool {
        self.tail.is_empty()
    }
}

/// A message being reassembled.
struct Partial {
    binary: bool,
    data: Vec<u8>,
    utf8: Utf8Check,
}

/// Why the session stops reading frames.
enum End {
    /// The other side dropped TCP.
    Dropped,
    /// This peer fails the connection with this close code.
    Fail(u16),
    /// The same, but without waiting for the answer (the stream cannot be followed).
    FailNoWait(u16),
    /// The other side sent a close frame with this body.
    CloseReceived(Vec<u8>),
}

struct Peer {
    io: BufReader<TcpStream>,
    side: Side,
    bugs: Bugs,
    message: Option<Partial>,
}

impl Peer {
    fn new(io: BufReader<TcpStream>, side: Side, bugs: Bugs) -> Self {
        Self {
            io,
            side,
            bugs,
            message: None,
        }
    }

    fn mask(&self) -> Option<[u8; 4]> {
        (self.side == Side::Client).then(rand::random::<[u8; 4]>)
    }

    async fn send(&mut self, opcode: u8, payload: &[u8]) -> io::Result<()> {
        let mask = self.mask();
        frames::write_frame(self.io.get_mut(), opcode, payload, mask).await
    }

    async fn run(mut self) -> io::Result<()> {
        match self.frames().await? {
            End::Dropped => Ok(()),
            End::Fail(code) => self.fail(code, true).await,
            End::FailNoWait(code) => self.fail(code, false).await,
            End::CloseReceived(body) => self.answer_close(&body).await,
        }
    }

    /// Reads and handles frames until the connection has to end.
    async fn frames(&mut self) -> io::Result<End> {
        loop {
            let Some(head) = frames::read_head(&mut self.io).await? else {
                return Ok(End::Dropped);
            };
            if let Some(code) = self.admit_head(&head) {
                // Skip the offending frame's payload, so the other side's close answer can
                // be read after it; a huge one is not worth waiting for.
                // A rejected close frame is the other side's close: no answer will come.
                let answered = head.opcode != CLOSE;
                if !answered || head.len > DISCARD_LIMIT || self.discard(&head).await.is_err() {
                    return Ok(End::FailNoWait(code));
                }
                return Ok(End::Fail(code));
            }
            let payload = match self.read_payload(&head).await? {
                Ok(payload) => payload,
                Err(code) => return Ok(End::Fail(code)),
            };
            match head.opcode {
                PING => self.send(PONG, &payload).await?,
                PONG => {}
                CLOSE => return Ok(End::CloseReceived(payload)),
                _ if head.fin => {
                    if let Some(code) = self.complete_message(payload).await? {
                        return Ok(End::Fail(code));
                    }
                }
                _ => {
                    if let Some(m) = self.message.as_mut() {
                        m.data.extend_from_slice(&payload);
                    }
                }
            }
        }
    }

    /// The close code a frame head earns if it breaks a rule; otherwise a first fragment
    /// starts a new message.
    fn admit_head(&mut self, head: &Head) -> Option<u16> {
        let masked_ok = head.mask.is_some() == (self.side == Side::Server);
        let reserved_opcode = !matches!(
            head.opcode,
            CONTINUATION | TEXT | BINARY | CLOSE | PING | PONG
        );
        let rsv_bad = head.rsv != 0 && !self.bugs.ignore_rsv;
        let control_bad = head.is_control() && (!head.fin || head.len > 125);
        let sequence_bad = match head.opcode {
            CONTINUATION => self.message.is_none(),
            TEXT | BINARY => self.message.is_some(),
            _ => false,
        };
        if !masked_ok
            || reserved_opcode
            || rsv_bad
            || control_bad
            || sequence_bad
            || head.bad_length
        {
            return Some(1002);
        }
        let so_far = self.message.as_ref().map_or(0, |m| m.data.len() as u64);
        if so_far.saturating_add(head.len) > MAX_MESSAGE {
            return Some(1009);
        }
        if matches!(head.opcode, TEXT | BINARY) {
            self.message = Some(Partial {
                binary: head.opcode == BINARY,
                data: Vec::new(),
                utf8: Utf8Check::default(),
            });
        }
        None
    }

    /// Reads a frame's payload piece by piece; text is checked as it arrives, so invalid
    /// UTF-8 fails the connection before the frame is complete. `Err(code)` fails it.
    async fn read_payload(&mut self, head: &Head) -> io::Result<Result<Vec<u8>, u16>> {
        let checks_text = !head.is_control()
            && !self.bugs.skip_utf8_validation
            && self.message.as_ref().is_some_and(|m| !m.binary);
        let mut payload = Vec::new();
        let mut offset = 0u64;
        while offset < head.len {
            let want = usize::try_from((head.len - offset).min(64 << 10)).unwrap_or(64 << 10);
            let piece = frames::read_payload_piece(&mut self.io, head, offset, want).await?;
            offset += piece.len() as u64;
            if checks_text {
                if let Some(m) = self.message.as_mut() {
                    if !m.utf8.feed(&piece) {
                        return Ok(Err(1007));
                    }
                }
            }
            payload.extend_from_slice(&piece);
        }
        Ok(Ok(payload))
    }

    /// Appends the final fragment and echoes the message; `Some(code)` fails the connection.
    async fn complete_message(&mut self, last: Vec<u8>) -> io::Result<Option<u16>> {
        let Some(mut message) = self.message.take() else {
            return Ok(None);
        };
        message.data.extend_from_slice(&last);
        let utf8_pending = !message.binary && !self.bugs.skip_utf8_validation;
        if utf8_pending && !message.utf8.complete() {
            return Ok(Some(1007));
        }
        if self.bugs.corrupt_large_echoes && message.data.len() > LARGE {
            // XOR 0x01 keeps ASCII text ASCII, so the damage is to content only.
            let middle = message.data.len() / 2;
            if let Some(byte) = message.data.get_mut(middle) {
                *byte ^= 0x01;
            }
        }
        let opcode = if message.binary { BINARY } else { TEXT };
        self.send(opcode, &message.data).await?;
        Ok(None)
    }

    fn close_code(&self, code: u16) -> u16 {
        if self.bugs.always_close_1000 {
            1000
        } else {
            code
        }
    }

    /// Reads and drops a frame's payload.
    async fn discard(&mut self, head: &Head) -> io::Result<()> {
        let mut offset = 0;
        while offset < head.len {
            let want = usize::try_from((head.len - offset).min(64 << 10)).unwrap_or(0);
            let piece = frames::read_payload_piece(&mut self.io, head, offset, want).await?;
            offset += piece.len() as u64;
        }
        Ok(())
    }

    /// This peer fails the connection: send the close, wait (if `await_answer`) for the
    /// other side's close, end TCP.
    async fn fail(mut self, code: u16, await_answer: bool) -> io::Result<()> {
        let body = frames::close_body(self.close_code(code), "");
        self.send(CLOSE, &body).await?;
        if await_answer {
            let awaiting = async {
                while let Some(head) = frames::read_head(&mut self.io).await? {
                    self.discard(&head).await?;
                    if head.opcode == CLOSE {
                        break;
                    }
                }
                Ok::<_, io::Error>(())
            };
            let _ = tokio::time::timeout(CLOSE_WAIT, awaiting).await;
        }
        self.end_tcp().await
    }

    /// The other side closed first: check its close frame and answer it.
    async fn answer_close(mut self, body: &[u8]) -> io::Result<()> {
        if self.bugs.never_answer_close {
            // The bug: no answer, no TCP close; read and drop whatever comes until the other
            // side gives up and drops the connection.
            let mut sink = tokio::io::sink();
            let _ =
                tokio::time::timeout(SILENT_LIMIT, tokio::io::copy(&mut self.io, &mut sink)).await;
            return Ok(());
        }
        let answer = match body {
            [] => 1000,
            [_] => return self.fail(1002, false).await,
            [hi, lo, reason @ ..] => {
                let code = u16::from_be_bytes([*hi, *lo]);
                // The other side's close is already here: reject it and end at once.
                if !frames::is_valid_close_code(code) {
                    return self.fail(1002, false).await;
                }
                if !self.bugs.skip_utf8_validation && std::str::from_utf8(reason).is_err() {
                    return self.fail(1007, false).await;
                }
                code
            }
        };
        let reply = frames::close_body(self.close_code(answer), "");
        self.send(CLOSE, &reply).await?;
        self.end_tcp().await
    }

    /// A server ends TCP at once; a client waits (bounded) for the server to end it first.
    async fn end_tcp(mut self) -> io::Result<()> {
        if self.side == Side::Client || self.bugs.keep_tcp_after_close {
            let mut sink = tokio::io::sink();
            let _ =
                tokio::time::timeout(CLOSE_WAIT, tokio::io::copy(&mut self.io, &mut sink)).await;
        }
        self.io.get_mut().shutdown().await
    }
}
