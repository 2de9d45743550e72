//! WAMP RawSocket over any byte stream (TCP here): the handshake for both roles, framing,
//! PING/PONG and length limits.
//!
//! [`RawSocket::recv`] is cancel-safe (the partial frame stays in the read buffer), so a
//! connection loop may `select!` on it; PINGs are returned to the caller, which answers with
//! [`RawSocket::send`]`(FrameKind::Pong, …)` outside the `select!`.

pub mod codec;

use std::io;
use std::time::Duration;

use ampel_wamp::Serialization;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

pub use codec::{
    FrameHeader, FrameKind, Handshake, MAGIC, MAX_FRAME_LENGTH, MaxLength, RefusalCode,
};

/// A RawSocket handshake or framing failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RawSocketError {
    /// The first handshake octet is not 0x7F: the peer does not speak RawSocket.
    #[error("handshake octet 1 is {got:#04x}, not the RawSocket magic 0x7f")]
    BadMagic {
        /// The octet received.
        got: u8,
    },
    /// Handshake octets 3 and 4 are reserved and must be zero.
    #[error("reserved handshake octets are {octets:02x?}, not zero")]
    ReservedOctets {
        /// Octets 3 and 4.
        octets: [u8; 2],
    },
    /// The client asked for a serializer this side does not offer.
    #[error("serializer id {id} is not supported (offered: {offered:?})")]
    UnsupportedSerializer {
        /// The ID asked for.
        id: u8,
        /// The IDs this side accepts.
        offered: Vec<u8>,
    },
    /// The client can receive less than this router requires.
    #[error("peer accepts messages up to {peer} bytes; at least {required} required")]
    PeerLimitTooSmall {
        /// The peer's limit.
        peer: u32,
        /// Our minimum.
        required: u32,
    },
    /// This side refused the connection: too many connections.
    #[error("maximum connection count reached")]
    TooManyConnections,
    /// The router answered the handshake with an error reply.
    #[error("router refused the handshake: {code}")]
    Refused {
        /// The error code of the reply.
        code: RefusalCode,
    },
    /// The router's success reply names another serializer than the one offered.
    #[error("offered serializer {offered}, router echoed {echoed}")]
    SerializerMismatch {
        /// Our serializer ID.
        offered: u8,
        /// The ID in the reply.
        echoed: u8,
    },
    /// The handshake did not complete in time.
    #[error("no RawSocket handshake within {0:?}")]
    HandshakeTimeout(Duration),
    /// A frame header with the reserved `RRRR` bits set.
    #[error("frame header {header:02x?} sets reserved bits")]
    ReservedFrameBits {
        /// The header.
        header: [u8; 4],
    },
    /// A frame type 3..=7 (reserved).
    #[error("frame type {kind} is reserved")]
    ReservedFrameType {
        /// The `TTT` value.
        kind: u8,
    },
    /// The `X` length bit set together with non-zero 24-bit length.
    #[error("frame header {header:02x?}: length bit 25 is only legal for exactly 16 MiB")]
    BadLengthBit {
        /// The header.
        header: [u8; 4],
    },
    /// An incoming frame longer than the limit we announced.
    #[error("incoming frame of {length} bytes exceeds our limit of {limit}")]
    FrameTooLarge {
        /// The declared length.
        length: u32,
        /// Our limit.
        limit: u32,
    },
    /// An outgoing message longer than the peer's announced limit (nothing was sent).
    #[error("outgoing message of {length} bytes exceeds the peer's limit of {limit}")]
    OutgoingTooLarge {
        /// The message length.
        length: usize,
        /// The peer's limit.
        limit: u32,
    },
    /// The stream ended inside a handshake or frame.
    #[error("connection closed inside a {0}")]
    UnexpectedEof(&'static str),
    /// Reading or writing the stream failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
}

// Equality for tests and callers matching on variants; I/O errors compare by kind.
impl PartialEq for RawSocketError {
    fn eq(&self, other: &Self) -> bool {
        use RawSocketError as E;
        match (self, other) {
            (E::Io(a), E::Io(b)) => a.kind() == b.kind(),
            (E::BadMagic { got: a }, E::BadMagic { got: b }) => a == b,
            (E::ReservedOctets { octets: a }, E::ReservedOctets { octets: b }) => a == b,
            (
                E::UnsupportedSerializer { id: a, offered: x },
                E::UnsupportedSerializer { id: b, offered: y },
            ) => a == b && x == y,
            (
                E::PeerLimitTooSmall {
                    peer: a,
                    required: x,
                },
                E::PeerLimitTooSmall {
                    peer: b,
                    required: y,
                },
            ) => a == b && x == y,
            (E::TooManyConnections, E::TooManyConnections) => true,
            (E::Refused { code: a }, E::Refused { code: b }) => a == b,
            (
                E::SerializerMismatch {
                    offered: a,
                    echoed: x,
                },
                E::SerializerMismatch {
                    offered: b,
                    echoed: y,
                },
            ) => a == b && x == y,
            (E::HandshakeTimeout(a), E::HandshakeTimeout(b)) => a == b,
            (E::ReservedFrameBits { header: a }, E::ReservedFrameBits { header: b }) => a == b,
            (E::ReservedFrameType { kind: a }, E::ReservedFrameType { kind: b }) => a == b,
            (E::BadLengthBit { header: a }, E::BadLengthBit { header: b }) => a == b,
            (
                E::FrameTooLarge {
                    length: a,
                    limit: x,
                },
                E::FrameTooLarge {
                    length: b,
                    limit: y,
                },
            ) => a == b && x == y,
            (
                E::OutgoingTooLarge {
                    length: a,
                    limit: x,
                },
                E::OutgoingTooLarge {
                    length: b,
                    limit: y,
                },
            ) => a == b && x == y,
            (E::UnexpectedEof(a), E::UnexpectedEof(b)) => a == b,
            _ => false,
        }
    }
}

/// Settings of a RawSocket endpoint (either role).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RawSocketConfig {
    /// The longest message we accept (announced in the handshake); longer frames fail the
    /// connection.
    pub max_message_size: MaxLength,
    /// Router: serializers accepted, by preference. Ignored by clients.
    pub serializations: Vec<Serialization>,
    /// Router: refuse clients that cannot receive at least this much (error reply 2).
    pub min_peer_max_length: MaxLength,
    /// How long the handshake may take.
    pub handshake_timeout: Duration,
}

impl Default for RawSocketConfig {
    /// 16 MiB messages, JSON, MessagePack and CBOR, any client limit, 10 s handshake.
    fn default() -> Self {
        RawSocketConfig {
            max_message_size: MaxLength::MAX,
            serializations: vec![
                Serialization::Json,
                Serialization::MsgPack,
                Serialization::Cbor,
            ],
            min_peer_max_length: MaxLength::MIN,
            handshake_timeout: Duration::from_secs(10),
        }
    }
}

/// What a frame carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFrame {
    /// Message, PING or PONG.
    pub kind: FrameKind,
    /// The payload.
    pub payload: Vec<u8>,
}

/// An established RawSocket connection.
#[derive(Debug)]
pub struct RawSocket<S> {
    stream: S,
    /// Received bytes; those before `pos` are consumed.
    read: Vec<u8>,
    pos: usize,
    /// Frames queued by [`RawSocket::feed`].
    write: Vec<u8>,
    serialization: Serialization,
    /// What we accept.
    recv_limit: u32,
    /// What the peer accepts.
    send_limit: u32,
}

async fn read_octets<S: AsyncRead + Unpin>(
    stream: &mut S,
    what: &'static str,
) -> Result<[u8; 4], RawSocketError> {
    let mut octets = [0u8; 4];
    match stream.read_exact(&mut octets).await {
        Ok(_) => Ok(octets),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            Err(RawSocketError::UnexpectedEof(what))
        }
        Err(e) => Err(e.into()),
    }
}

async fn timed<T>(
    limit: Duration,
    work: impl Future<Output = Result<T, RawSocketError>>,
) -> Result<T, RawSocketError> {
    tokio::time::timeout(limit, work)
        .await
        .unwrap_or(Err(RawSocketError::HandshakeTimeout(limit)))
}

/// Client side: offers `serialization` and our receive limit, reads the router's reply.
pub async fn connect<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    serialization: Serialization,
    config: &RawSocketConfig,
) -> Result<RawSocket<S>, RawSocketError> {
    let Some(id) = serialization.raw_socket_id() else {
        return Err(RawSocketError::UnsupportedSerializer {
            id: 0,
            offered: Vec::new(),
        });
    };
    let request = Handshake {
        max_length: config.max_message_size,
        serializer: id,
    };
    let router_limit = timed(config.handshake_timeout, async {
        stream.write_all(&request.encode()).await?;
        stream.flush().await?;
        let reply = read_octets(&mut stream, "handshake reply").await?;
        codec::parse_reply(reply, id)
    })
    .await?;
    Ok(RawSocket::new(
        stream,
        serialization,
        config.max_message_size.bytes(),
        router_limit.bytes(),
    ))
}

/// Whether the router can take another connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Accept (if the handshake is acceptable).
    Open,
    /// Answer with error reply 4 (maximum connection count reached).
    Full,
}

/// Router side: reads the client's handshake and answers it: success, an error reply (then
/// the stream is shut down), or nothing for a peer that does not send the magic octet.
pub async fn accept<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    config: &RawSocketConfig,
    admission: Admission,
) -> Result<RawSocket<S>, RawSocketError> {
    timed(config.handshake_timeout, async {
        let request = read_octets(&mut stream, "handshake").await?;
        match answer(request, config, admission) {
            Ok((serialization, client_limit)) => {
                let reply = Handshake {
                    max_length: config.max_message_size,
                    serializer: request[1] & 0x0F,
                };
                stream.write_all(&reply.encode()).await?;
                stream.flush().await?;
                Ok(RawSocket::new(
                    stream,
                    serialization,
                    config.max_message_size.bytes(),
                    client_limit.bytes(),
                ))
            }
            Err((reply, error)) => {
                if let Some(code) = reply {
                    stream.write_all(&code.reply()).await?;
                }
                // Best effort: the error is what matters to the caller.
                let _ = stream.shutdown().await;
                Err(error)
            }
        }
    })
    .await
}

/// The router's decision on a handshake request, sans I/O.
pub fn answer(
    request: [u8; 4],
    config: &RawSocketConfig,
    admission: Admission,
) -> Result<(Serialization, MaxLength), (Option<RefusalCode>, RawSocketError)> {
    let hs = codec::parse_request(request)?;
    let serialization = codec::serialization(hs.serializer)
        .filter(|s| config.serializations.contains(s))
        .ok_or_else(|| {
            (
                Some(RefusalCode::SerializerUnsupported),
                RawSocketError::UnsupportedSerializer {
                    id: hs.serializer,
                    offered: config
                        .serializations
                        .iter()
                        .filter_map(|s| s.raw_socket_id())
                        .collect(),
                },
            )
        })?;
    if hs.max_length < config.min_peer_max_length {
        return Err((
            Some(RefusalCode::MaxLengthUnacceptable),
            RawSocketError::PeerLimitTooSmall {
                peer: hs.max_length.bytes(),
                required: config.min_peer_max_length.bytes(),
            },
        ));
    }
    if admission == Admission::Full {
        return Err((
            Some(RefusalCode::MaxConnections),
            RawSocketError::TooManyConnections,
        ));
    }
    Ok((serialization, hs.max_length))
}

/// Bytes requested from the stream at once while a frame is incomplete: enough for speed,
/// small enough that a peer announcing 16 MiB cannot make us reserve it up front.
const READ_CHUNK: usize = 64 * 1024;

impl<S: AsyncRead + AsyncWrite + Unpin> RawSocket<S> {
    fn new(stream: S, serialization: Serialization, recv_limit: u32, send_limit: u32) -> Self {
        RawSocket {
            stream,
            read: Vec::with_capacity(READ_CHUNK),
            pos: 0,
            write: Vec::new(),
            serialization,
            recv_limit,
            send_limit,
        }
    }

    /// The negotiated serialization.
    pub fn serialization(&self) -> Serialization {
        self.serialization
    }

    /// The longest message the peer accepts.
    pub fn send_limit(&self) -> u32 {
        self.send_limit
    }

    /// The longest message we accept.
    pub fn recv_limit(&self) -> u32 {
        self.recv_limit
    }

    /// A complete frame from the read buffer, if there is one; otherwise how many more bytes
    /// it needs at least.
    fn parse(&mut self) -> Result<Result<RawFrame, usize>, RawSocketError> {
        let available = self.read.get(self.pos..).unwrap_or_default();
        let Some(header) = available.first_chunk::<4>() else {
            return Ok(Err(4 - available.len()));
        };
        // The header is checked as soon as it is complete: an oversized frame fails before
        // any of its payload is buffered.
        let header = FrameHeader::decode(*header, self.recv_limit)?;
        let total = 4 + header.length as usize;
        let Some(payload) = available.get(4..total) else {
            return Ok(Err(total - available.len()));
        };
        let frame = RawFrame {
            kind: header.kind,
            payload: payload.to_vec(),
        };
        self.pos += total;
        if self.pos == self.read.len() {
            self.read.clear();
            self.pos = 0;
        }
        Ok(Ok(frame))
    }

    /// The next frame; `None` when the peer closed the stream between frames. Cancel-safe.
    pub async fn recv(&mut self) -> Result<Option<RawFrame>, RawSocketError> {
        loop {
            let missing = match self.parse()? {
                Ok(frame) => return Ok(Some(frame)),
                Err(missing) => missing,
            };
            if self.pos > 0 {
                self.read.drain(..self.pos);
                self.pos = 0;
            }
            self.read.reserve(missing.clamp(4096, READ_CHUNK));
            if self.stream.read_buf(&mut self.read).await? == 0 {
                return if self.read.is_empty() {
                    Ok(None)
                } else {
                    Err(RawSocketError::UnexpectedEof("frame"))
                };
            }
        }
    }

    /// Queues one frame for [`RawSocket::flush`], refusing a payload over the peer's limit
    /// (then nothing is queued).
    pub fn feed(&mut self, kind: FrameKind, payload: &[u8]) -> Result<(), RawSocketError> {
        let too_large = RawSocketError::OutgoingTooLarge {
            length: payload.len(),
            limit: self.send_limit,
        };
        let length = match u32::try_from(payload.len()) {
            Ok(l) if l <= self.send_limit => l,
            _ => return Err(too_large),
        };
        let header = FrameHeader::encode(kind, length).ok_or(too_large)?;
        self.write.extend_from_slice(&header);
        self.write.extend_from_slice(payload);
        Ok(())
    }

    /// Writes and flushes every queued frame (one write for a batch of frames).
    pub async fn flush(&mut self) -> Result<(), RawSocketError> {
        if !self.write.is_empty() {
            let result = self.stream.write_all(&self.write).await;
            self.write.clear();
            result?;
        }
        self.stream.flush().await?;
        Ok(())
    }

    /// Sends one frame now, refusing a payload over the peer's limit.
    pub async fn send(&mut self, kind: FrameKind, payload: &[u8]) -> Result<(), RawSocketError> {
        self.feed(kind, payload)?;
        self.flush().await
    }

    /// Shuts the stream down.
    pub async fn close(&mut self) -> Result<(), RawSocketError> {
        self.stream.shutdown().await?;
        Ok(())
    }
}
