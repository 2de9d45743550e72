//! One WAMP transport connection, RawSocket or WebSocket, as a stream of frames each holding
//! one serialized message (or a batch).

use ampel_wamp::{Message, Serialization};
use tokio::net::TcpStream;

use super::Error;
use super::rawsocket::{FrameKind, RawSocket};
use crate::{CloseCode, MaybeTlsStream, WebSocket};

/// A connected, handshaken transport.
#[derive(Debug)]
pub(crate) enum Transport {
    RawSocket(RawSocket<TcpStream>),
    WebSocket(Box<WebSocket<MaybeTlsStream>>, Serialization),
}

/// What [`Transport::recv`] got.
#[derive(Debug)]
pub(crate) enum Incoming {
    /// A frame holding serialized WAMP messages.
    Frame(Vec<u8>),
    /// A RawSocket PING; answer with [`Transport::pong`].
    Ping(Vec<u8>),
}

impl Transport {
    pub(crate) fn serialization(&self) -> Serialization {
        match self {
            Transport::RawSocket(raw) => raw.serialization(),
            Transport::WebSocket(_, s) => *s,
        }
    }

    /// The next frame; `None` when the peer closed the connection. Cancel-safe (both
    /// transports keep partial input in their own buffers).
    pub(crate) async fn recv(&mut self) -> Result<Option<Incoming>, Error> {
        match self {
            Transport::RawSocket(raw) => loop {
                let Some(frame) = raw.recv().await? else {
                    return Ok(None);
                };
                match frame.kind {
                    FrameKind::Message => return Ok(Some(Incoming::Frame(frame.payload))),
                    FrameKind::Ping => return Ok(Some(Incoming::Ping(frame.payload))),
                    // We never ping, so a PONG is unsolicited; the spec leaves it open
                    // (wamp-proto#274): ignoring it is harmless.
                    FrameKind::Pong => {}
                }
            },
            Transport::WebSocket(ws, serialization) => loop {
                let message = match ws.recv().await {
                    None => return Ok(None),
                    Some(m) => m?,
                };
                // JSON travels in text messages, MessagePack and CBOR in binary ones
                // (`basic/building_blocks.md`); the other kind is a transport error.
                match (message, serialization.is_text()) {
                    (crate::Message::Text(text), true) => {
                        return Ok(Some(Incoming::Frame(text.into_bytes())));
                    }
                    (crate::Message::Binary(data), false) => {
                        return Ok(Some(Incoming::Frame(data)));
                    }
                    (crate::Message::Text(_), false) => {
                        return Err(Error::WrongMessageKind {
                            serialization: *serialization,
                            got: "text",
                        });
                    }
                    (crate::Message::Binary(_), true) => {
                        return Err(Error::WrongMessageKind {
                            serialization: *serialization,
                            got: "binary",
                        });
                    }
                    // Pongs are automatic; the close handshake completes inside recv.
                    _ => {}
                }
            },
        }
    }

    /// Encodes a message into a frame of its own (for a batched serialization a batch of
    /// one, always legal and lowest in latency) and queues it for [`Transport::flush`]
    /// (WebSocket may write early once its batch is full).
    pub(crate) async fn feed(&mut self, message: &Message) -> Result<(), Error> {
        let bytes = self.serialization().encode(std::slice::from_ref(message))?;
        match self {
            Transport::RawSocket(raw) => raw.feed(FrameKind::Message, &bytes)?,
            Transport::WebSocket(ws, serialization) => {
                let message = if serialization.is_text() {
                    // The JSON serializer only produces UTF-8.
                    let text = String::from_utf8(bytes).map_err(|_| Error::WrongMessageKind {
                        serialization: *serialization,
                        got: "non-UTF-8 JSON",
                    })?;
                    crate::Message::Text(text)
                } else {
                    crate::Message::Binary(bytes)
                };
                ws.feed(message).await?;
            }
        }
        Ok(())
    }

    /// Writes everything queued.
    pub(crate) async fn flush(&mut self) -> Result<(), Error> {
        match self {
            Transport::RawSocket(raw) => raw.flush().await?,
            Transport::WebSocket(ws, _) => ws.flush().await?,
        }
        Ok(())
    }

    /// Answers a RawSocket PING.
    pub(crate) async fn pong(&mut self, payload: Vec<u8>) -> Result<(), Error> {
        match self {
            Transport::RawSocket(raw) => raw.send(FrameKind::Pong, &payload).await?,
            // WebSocket pongs are sent by the connection itself.
            Transport::WebSocket(..) => {}
        }
        Ok(())
    }

    /// Closes the connection (best effort: the peer may be gone already).
    pub(crate) async fn close(&mut self, code: CloseCode) {
        match self {
            Transport::RawSocket(raw) => {
                let _ = raw.close().await;
            }
            Transport::WebSocket(ws, _) => {
                let _ = ws.close(code, "").await;
            }
        }
    }
}
