//! Settings of connections, clients and servers.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ampel_websocket::deflate::{
    ClientOffers, DeflateConfig, DeflateParams, OfferParams, ServerPolicy, WindowBitsRequest,
};
use ampel_websocket::handshake::{self, Header, Request};
use ampel_websocket::{Delivery, Limits};
use rustls_pki_types::CertificateDer;
use tokio_rustls::TlsAcceptor;

/// Settings of an open WebSocket connection (both roles).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebSocketConfig {
    /// Largest frame payload accepted; bigger frames fail the connection with 1009.
    pub max_frame_size: u64,
    /// Largest message accepted; bigger messages fail the connection with 1009.
    pub max_message_size: u64,
    /// How received data reaches the state machine: whole messages (default),
    /// streamed chunks, or frames (needed by [`WebSocket::recv_frame`](crate::WebSocket::recv_frame)).
    pub delivery: Delivery,
    /// Split whole messages we send into frames of at most this many bytes.
    pub fragment_size: Option<usize>,
    /// How long to wait for the peer's close frame after sending ours.
    pub close_timeout: Duration,
    /// Client only: how long to wait for the server to close TCP after the
    /// close handshake before closing it ourselves.
    pub tcp_close_timeout: Duration,
    /// Outgoing bytes are batched; [`WebSocket::feed`](crate::WebSocket::feed)
    /// writes them out once this many are pending.
    pub write_buffer_size: usize,
    /// Size of the read buffer (bytes read from the transport at once).
    pub read_buffer_size: usize,
}

impl Default for WebSocketConfig {
    /// The state machine's defaults (32 MiB frames, 64 MiB messages, 1 s
    /// close timers), 128 KiB write batches, 64 KiB reads.
    fn default() -> Self {
        let core = ampel_websocket::Config::default();
        Self {
            max_frame_size: core.limits.max_frame_size,
            max_message_size: core.limits.max_message_size,
            delivery: core.delivery,
            fragment_size: core.fragment_size,
            close_timeout: core.close_timeout,
            tcp_close_timeout: core.tcp_close_timeout,
            write_buffer_size: 128 * 1024,
            read_buffer_size: 64 * 1024,
        }
    }
}

impl WebSocketConfig {
    /// The state machine's configuration.
    pub(crate) fn core(&self) -> ampel_websocket::Config {
        let mut limits = Limits::default();
        limits.max_frame_size = self.max_frame_size;
        limits.max_message_size = self.max_message_size;
        let mut core = ampel_websocket::Config::default();
        core.limits = limits;
        core.delivery = self.delivery;
        core.fragment_size = self.fragment_size;
        core.close_timeout = self.close_timeout;
        core.tcp_close_timeout = self.tcp_close_timeout;
        core
    }
}

/// Settings of [`connect_with`](crate::connect_with).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The connection's settings once open.
    pub websocket: WebSocketConfig,
    /// Bounds on the server's HTTP response head.
    pub handshake_limits: handshake::Limits,
    /// Time allowed for TCP connect, TLS and the HTTP upgrade together.
    pub handshake_timeout: Duration,
    /// Subprotocols to offer, in preference order.
    pub subprotocols: Vec<String>,
    /// `Origin` header to send.
    pub origin: Option<String>,
    /// Further request headers.
    pub extra_headers: Vec<Header>,
    /// A complete rustls configuration for `wss://`; when set, the root
    /// settings below are ignored.
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// Trust anchors added to the webpki roots (e.g. a test's self-signed certificate).
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// Use only [`extra_roots`](Self::extra_roots), not the webpki roots.
    pub no_default_roots: bool,
    /// Name to verify the certificate against instead of the URL's host.
    pub server_name: Option<String>,
    /// permessage-deflate (RFC 7692) offers and compression settings
    /// (`None`, the default: nothing is offered).
    pub deflate: Option<ClientDeflate>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            websocket: WebSocketConfig::default(),
            handshake_limits: handshake::Limits::default(),
            handshake_timeout: Duration::from_secs(10),
            subprotocols: Vec::new(),
            origin: None,
            extra_headers: Vec::new(),
            tls: None,
            extra_roots: Vec::new(),
            no_default_roots: false,
            server_name: None,
            deflate: None,
        }
    }
}

/// The zlib level of [`ClientDeflate::new`] and [`ServerDeflate::new`]: zlib's default.
pub const DEFAULT_DEFLATE_LEVEL: u32 = 6;

/// A client's permessage-deflate settings: what it offers and how it
/// compresses once an offer is accepted.
///
/// ```
/// use ampel_net::{ClientConfig, ClientDeflate, ClientOffers, OfferParams, WindowBitsRequest};
///
/// // First choice: small windows both ways; fallback: the plain offer.
/// let mut small = OfferParams::default();
/// small.server_max_window_bits = Some(10);
/// small.client_max_window_bits = WindowBitsRequest::Limit(10);
/// let offers = ClientOffers { offers: vec![small, OfferParams::default()] };
/// let mut config = ClientConfig::default();
/// config.deflate = Some(ClientDeflate::new(offers).level(1).min_size(64));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientDeflate {
    /// The offers sent in `Sec-WebSocket-Extensions`, most preferred first.
    pub offers: ClientOffers,
    /// zlib compression level for the messages we send, 0 (stored) to 9 (best).
    pub level: u32,
    /// Whole messages shorter than this are sent uncompressed.
    pub min_size: usize,
}

impl ClientDeflate {
    /// `offers` at level 6, every message compressed.
    pub fn new(offers: ClientOffers) -> Self {
        Self {
            offers,
            level: DEFAULT_DEFLATE_LEVEL,
            min_size: 0,
        }
    }

    /// Sets the zlib level (0-9).
    pub fn level(mut self, level: u32) -> Self {
        self.level = level;
        self
    }

    /// Sends whole messages shorter than `min_size` bytes uncompressed.
    pub fn min_size(mut self, min_size: usize) -> Self {
        self.min_size = min_size;
        self
    }

    /// The connection's compression settings for what the server accepted.
    pub(crate) fn connection(&self, params: DeflateParams) -> DeflateConfig {
        connection_deflate(params, self.level, self.min_size)
    }
}

impl Default for ClientDeflate {
    /// One offer, `permessage-deflate; client_max_window_bits` (the server
    /// may pick any parameters), level 6.
    fn default() -> Self {
        Self::new(ClientOffers::single(OfferParams {
            client_max_window_bits: WindowBitsRequest::Any,
            ..OfferParams::default()
        }))
    }
}

/// A server's permessage-deflate settings: which offers it accepts (the
/// first acceptable one, in the client's order) and how it compresses.
///
/// ```
/// use ampel_net::{ServerConfig, ServerDeflate, ServerPolicy};
///
/// let mut policy = ServerPolicy::default();
/// policy.server_max_window_bits = 12;
/// let mut config = ServerConfig::default();
/// config.deflate = Some(ServerDeflate::new(policy).min_size(32));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerDeflate {
    /// What the server accepts and requests.
    pub policy: ServerPolicy,
    /// zlib compression level for the messages we send, 0 (stored) to 9 (best).
    pub level: u32,
    /// Whole messages shorter than this are sent uncompressed.
    pub min_size: usize,
}

impl ServerDeflate {
    /// `policy` at level 6, every message compressed.
    pub fn new(policy: ServerPolicy) -> Self {
        Self {
            policy,
            level: DEFAULT_DEFLATE_LEVEL,
            min_size: 0,
        }
    }

    /// Sets the zlib level (0-9).
    pub fn level(mut self, level: u32) -> Self {
        self.level = level;
        self
    }

    /// Sends whole messages shorter than `min_size` bytes uncompressed.
    pub fn min_size(mut self, min_size: usize) -> Self {
        self.min_size = min_size;
        self
    }

    /// The connection's compression settings for what was negotiated.
    pub(crate) fn connection(&self, params: DeflateParams) -> DeflateConfig {
        connection_deflate(params, self.level, self.min_size)
    }
}

impl Default for ServerDeflate {
    /// Accepts every valid offer, requests nothing, level 6.
    fn default() -> Self {
        Self::new(ServerPolicy::default())
    }
}

fn connection_deflate(params: DeflateParams, level: u32, min_size: usize) -> DeflateConfig {
    let mut config = DeflateConfig::new(params);
    config.level = level.min(9);
    config.min_size = min_size;
    config
}

/// A refusal of an upgrade request by the server hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// HTTP status, 400..=599.
    pub status: u16,
    /// Short plain-text body.
    pub reason: String,
}

impl Refusal {
    /// A refusal with `status` and `reason`.
    pub fn new(status: u16, reason: impl Into<String>) -> Self {
        Self {
            status,
            reason: reason.into(),
        }
    }
}

/// Inspects an upgrade request (path, query, `Origin`, offered subprotocols,
/// headers) and either accepts it, choosing one of the offered subprotocols
/// or none, or refuses it.
pub type RequestHook = Arc<dyn Fn(&Request) -> Result<Option<String>, Refusal> + Send + Sync>;

/// Settings of [`accept_with`](crate::accept_with) and [`Listener`](crate::Listener).
#[derive(Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The connection's settings once open.
    pub websocket: WebSocketConfig,
    /// Bounds on the client's HTTP request head.
    pub handshake_limits: handshake::Limits,
    /// Time allowed for TLS and the HTTP upgrade together.
    pub handshake_timeout: Duration,
    /// Decides on each request; without a hook every valid request is
    /// accepted without a subprotocol.
    pub hook: Option<RequestHook>,
    /// TLS for [`Listener`](crate::Listener) connections (`wss://`).
    pub tls: Option<TlsAcceptor>,
    /// permessage-deflate (RFC 7692): which offers to accept and how to
    /// compress (`None`, the default: every offer is declined).
    pub deflate: Option<ServerDeflate>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            websocket: WebSocketConfig::default(),
            handshake_limits: handshake::Limits::default(),
            handshake_timeout: Duration::from_secs(10),
            hook: None,
            tls: None,
            deflate: None,
        }
    }
}

impl ServerConfig {
    /// Sets the request hook.
    pub fn with_hook(
        mut self,
        hook: impl Fn(&Request) -> Result<Option<String>, Refusal> + Send + Sync + 'static,
    ) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("websocket", &self.websocket)
            .field("handshake_limits", &self.handshake_limits)
            .field("handshake_timeout", &self.handshake_timeout)
            .field("hook", &self.hook.is_some())
            .field("tls", &self.tls.is_some())
            .field("deflate", &self.deflate)
            .finish()
    }
}
