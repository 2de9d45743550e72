//! One WAMP transport connection, RawSocket or WebSocket, as a stream of frames each holding
//! one serialized message (or a batch).

use ampel_wamp::{Message, Serialization};
use tokio::net::TcpStream;

use super::Error;
use super::rawsocket::{FrameKind, RawSocket};

/// A connected, handshaken transport.
#[derive(Debug)]
pub(crate) enum Transport {
    RawSocket(RawSocket<TcpStream>),
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
        }
    }

    /// The next frame; `None` when the peer closed the connection. Cancel-safe.
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
        }
    }

    /// Encodes and sends messages: one frame each (batched WebSocket serializations could
    /// carry several, but a batch of one is always legal and keeps latency low).
    pub(crate) async fn send(&mut self, message: &Message) -> Result<(), Error> {
        let bytes = self.serialization().encode(std::slice::from_ref(message))?;
        self.send_frame(bytes).await
    }

    /// Sends an already serialized frame.
    pub(crate) async fn send_frame(&mut self, bytes: Vec<u8>) -> Result<(), Error> {
        match self {
            Transport::RawSocket(raw) => raw.send(FrameKind::Message, &bytes).await?,
        }
        Ok(())
    }

    /// Answers a PING.
    pub(crate) async fn pong(&mut self, payload: Vec<u8>) -> Result<(), Error> {
        match self {
            Transport::RawSocket(raw) => raw.send(FrameKind::Pong, &payload).await?,
        }
        Ok(())
    }

    /// Closes the connection (best effort: the peer may be gone already).
    pub(crate) async fn close(&mut self) {
        match self {
            Transport::RawSocket(raw) => {
                let _ = raw.close().await;
            }
        }
    }
}
