//! The server side: upgrade any accepted transport, or run a [`Listener`]
//! (TCP, optionally TLS) that yields connections to upgrade.

use std::net::SocketAddr;
use std::sync::Arc;

use ampel_websocket::Role;
use ampel_websocket::handshake::{AcceptOptions, error_response, parse_request, reject};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};

use crate::config::ServerConfig;
use crate::error::{Error, Result};
use crate::message::HandshakeInfo;
use crate::stream::MaybeTlsStream;
use crate::websocket::WebSocket;

/// Accepts a WebSocket upgrade on `stream` with the default settings.
pub async fn accept<S: AsyncRead + AsyncWrite + Unpin>(stream: S) -> Result<WebSocket<S>> {
    accept_with(stream, &ServerConfig::default()).await
}

/// Reads the upgrade request from `stream`, lets the hook decide, answers
/// (101, or an HTTP error that says what was wrong) within
/// [`ServerConfig::handshake_timeout`]. [`ServerConfig::tls`] is not used
/// here: `stream` is taken as it is.
pub async fn accept_with<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    config: &ServerConfig,
) -> Result<WebSocket<S>> {
    let limit = config.handshake_timeout;
    tokio::time::timeout(limit, accept_inner(stream, config))
        .await
        .map_err(|_| Error::HandshakeTimeout(limit))?
}

async fn accept_inner<S: AsyncRead + AsyncWrite + Unpin>(
    mut io: S,
    config: &ServerConfig,
) -> Result<WebSocket<S>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let parsed = loop {
        let n = io.read(&mut chunk).await?;
        if n == 0 {
            return Err(Error::HandshakeEof);
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or(&[]));
        match parse_request(&buf, &config.handshake_limits) {
            Ok(Some(done)) => break done,
            Ok(None) => {}
            Err(e) => {
                refuse(&mut io, &error_response(&e)).await;
                return Err(e.into());
            }
        }
    };
    let (request, used) = parsed;
    let subprotocol = match config.hook.as_ref().map(|hook| hook(&request)) {
        None => None,
        Some(Ok(choice)) => choice,
        Some(Err(refusal)) => {
            let body = reject(refusal.status, &refusal.reason, &[])
                .or_else(|_| reject(500, "invalid refusal status", &[]))?;
            refuse(&mut io, &body).await;
            return Err(Error::Refused {
                status: refusal.status,
                reason: refusal.reason,
            });
        }
    };
    let mut options = AcceptOptions::default();
    options.subprotocol.clone_from(&subprotocol);
    // The first permessage-deflate offer the policy can honour; none: declined.
    let deflate = config.deflate.as_ref().and_then(|deflate| {
        let (response, params) = deflate.policy.negotiate(&request.extensions)?;
        options.extensions.push(response);
        Some(deflate.connection(params))
    });
    let response = match request.accept(&options) {
        Ok(response) => response,
        Err(e) => {
            refuse(&mut io, &reject(500, &e.to_string(), &[])?).await;
            return Err(e.into());
        }
    };
    io.write_all(&response).await?;
    io.flush().await?;
    let info = HandshakeInfo {
        path: request.path,
        query: request.query,
        subprotocol,
        headers: request.headers,
    };
    let leftover = buf.get(used..).unwrap_or(&[]);
    Ok(WebSocket::from_raw_with_deflate(
        io,
        Role::Server,
        config.websocket.clone(),
        deflate,
        info,
        leftover,
    ))
}

/// Sends an HTTP refusal and closes; the peer may already be gone.
async fn refuse<S: AsyncWrite + Unpin>(io: &mut S, response: &[u8]) {
    if io.write_all(response).await.is_ok() {
        let _ = io.shutdown().await;
    }
}

/// A TCP listener (optionally TLS) whose connections become WebSockets.
#[derive(Debug)]
pub struct Listener {
    tcp: TcpListener,
    config: Arc<ServerConfig>,
}

impl Listener {
    /// Binds `addr`; connections use `config` (TLS when [`ServerConfig::tls`] is set).
    pub async fn bind(addr: impl ToSocketAddrs, config: ServerConfig) -> Result<Self> {
        Ok(Self {
            tcp: TcpListener::bind(addr).await?,
            config: Arc::new(config),
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> Result<SocketAddr> {
        Ok(self.tcp.local_addr()?)
    }

    /// The next TCP connection; [`Incoming::upgrade`] it (typically in its
    /// own task, so a slow client does not hold up the others).
    pub async fn accept(&self) -> Result<Incoming> {
        let (stream, peer) = self.tcp.accept().await?;
        stream.set_nodelay(true)?;
        Ok(Incoming {
            stream,
            peer,
            config: Arc::clone(&self.config),
        })
    }
}

/// An accepted TCP connection, not yet upgraded.
#[derive(Debug)]
pub struct Incoming {
    stream: TcpStream,
    peer: SocketAddr,
    config: Arc<ServerConfig>,
}

impl Incoming {
    /// The client's address.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// TLS (if configured) and the opening handshake, together within the
    /// handshake timeout.
    pub async fn upgrade(self) -> Result<WebSocket<MaybeTlsStream>> {
        let limit = self.config.handshake_timeout;
        tokio::time::timeout(limit, self.upgrade_inner())
            .await
            .map_err(|_| Error::HandshakeTimeout(limit))?
    }

    async fn upgrade_inner(self) -> Result<WebSocket<MaybeTlsStream>> {
        let io = match &self.config.tls {
            None => MaybeTlsStream::Plain(self.stream),
            Some(acceptor) => {
                let tls = acceptor
                    .accept(self.stream)
                    .await
                    .map_err(|e| Error::Tls(e.to_string()))?;
                MaybeTlsStream::Tls(Box::new(tls.into()))
            }
        };
        accept_inner(io, &self.config).await
    }
}
