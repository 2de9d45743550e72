//! The router server: one task owns the [`ampel_wamp::router::Router`]; each connection, on
//! any number of RawSocket and WebSocket listeners, runs its own task that decodes frames,
//! sends the messages to the router task, and encodes what the router sends back.
//!
//! Outgoing queues are unbounded so a slow peer never stalls the router for everyone; the
//! price is memory while that peer lags.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ampel_wamp::router::{Output, PeerId, Router, RouterConfig, TimerId};
use ampel_wamp::{DecodeError, JsonSeparator, Message, Serialization};
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::{JoinHandle, JoinSet};

use super::rawsocket::{self, Admission, RawSocketConfig};
use super::transport::{Incoming, Transport};
use super::{Endpoint, Error};
use crate::{CloseCode, MaybeTlsStream, Refusal, Request};

/// From connection tasks to the router task.
enum ToRouter {
    Open {
        outbound: mpsc::UnboundedSender<Outbound>,
        reply: oneshot::Sender<PeerId>,
    },
    Messages {
        peer: PeerId,
        messages: Vec<Message>,
    },
    Undecodable {
        peer: PeerId,
        error: DecodeError,
    },
    Closed {
        peer: PeerId,
    },
}

/// From the router task to one connection task.
enum Outbound {
    Message(Message),
    Close,
}

/// Settings of a [`RouterServer`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RouterServerConfig {
    /// The router's realms and rules.
    pub router: RouterConfig,
    /// RawSocket limits and serializers.
    pub rawsocket: RawSocketConfig,
    /// WebSocket limits, handshake timeout and TLS (`wss://` listeners); its request hook is
    /// replaced by the router's (path check, subprotocol choice, connection limit).
    pub websocket: crate::ServerConfig,
    /// WebSocket subprotocols accepted; the client's preference order decides among them.
    pub websocket_serializations: Vec<Serialization>,
    /// The separator of `wamp.2.json.batched`: Autobahn's 0x18 by default, since Autobahn
    /// and Crossbar peers require it (see [`JsonSeparator`]).
    pub json_batched_separator: JsonSeparator,
    /// Connections beyond this many are refused (RawSocket error reply 4; WebSocket HTTP 503).
    pub max_connections: usize,
}

impl Default for RouterServerConfig {
    /// `realm1` open to anonymous clients, RawSocket and WebSocket defaults, every
    /// serialization, 10 000 connections.
    fn default() -> Self {
        RouterServerConfig {
            router: RouterConfig::default(),
            rawsocket: RawSocketConfig::default(),
            websocket: crate::ServerConfig::default(),
            websocket_serializations: Serialization::ALL.to_vec(),
            json_batched_separator: JsonSeparator::Autobahn,
            max_connections: 10_000,
        }
    }
}

/// A running WAMP router; listeners are added with [`RouterServer::listen`]. Dropping it (or
/// [`RouterServer::shutdown`]) stops the listeners and the router; open connections then
/// close.
#[derive(Debug)]
pub struct RouterServer {
    shared: Arc<Shared>,
    router_task: JoinHandle<()>,
    listeners: Vec<JoinHandle<()>>,
}

#[derive(Debug)]
struct Shared {
    config: RouterServerConfig,
    to_router: mpsc::UnboundedSender<ToRouter>,
    connections: AtomicUsize,
}

/// Counts one connection while it lives.
struct ConnectionSlot(Arc<Shared>);

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Shared {
    /// A slot for a new connection, or `Full` (the slot still counts until dropped).
    fn admit(self: &Arc<Self>) -> (ConnectionSlot, Admission) {
        let before = self.connections.fetch_add(1, Ordering::AcqRel);
        let admission = if before >= self.config.max_connections {
            Admission::Full
        } else {
            Admission::Open
        };
        (ConnectionSlot(self.clone()), admission)
    }
}

impl RouterServer {
    /// Starts the router task (session and publication IDs from OS randomness).
    pub fn start(config: RouterServerConfig) -> RouterServer {
        let (to_router, rx) = mpsc::unbounded_channel();
        let router = Router::new(config.router.clone(), StdRng::from_os_rng());
        let router_task = tokio::spawn(run_router(router, rx));
        RouterServer {
            shared: Arc::new(Shared {
                config,
                to_router,
                connections: AtomicUsize::new(0),
            }),
            router_task,
            listeners: Vec::new(),
        }
    }

    /// Binds `endpoint` (`rawsocket://host:port` or `ws://host:port/path`; port 0 picks a free
    /// port) and serves it; returns the endpoint actually bound.
    pub async fn listen(&mut self, endpoint: &Endpoint) -> Result<Endpoint, Error> {
        let listener = TcpListener::bind(endpoint.authority()).await?;
        let local = listener.local_addr()?;
        let bound = with_port(endpoint, local)?;
        let shared = self.shared.clone();
        let task = match endpoint {
            Endpoint::RawSocket { .. } => tokio::spawn(serve_rawsocket(listener, shared)),
            Endpoint::WebSocket(url) => {
                let path = match url.path() {
                    "" => "/".to_owned(),
                    p => p.to_owned(),
                };
                tokio::spawn(serve_websocket(listener, path, shared))
            }
        };
        self.listeners.push(task);
        Ok(bound)
    }

    /// The number of open connections.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::Acquire)
    }

    /// Stops listening and routing.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for RouterServer {
    fn drop(&mut self) {
        for l in &self.listeners {
            l.abort();
        }
        self.router_task.abort();
    }
}

fn with_port(endpoint: &Endpoint, local: SocketAddr) -> Result<Endpoint, Error> {
    Ok(match endpoint {
        Endpoint::RawSocket { .. } => Endpoint::RawSocket {
            host: local.ip().to_string(),
            port: local.port(),
        },
        Endpoint::WebSocket(url) => {
            let mut url = url.clone();
            url.set_port(Some(local.port()))
                .map_err(|()| Error::InvalidUrl {
                    url: url.to_string(),
                    reason: "cannot carry a port",
                })?;
            Endpoint::WebSocket(url)
        }
    })
}

/// The router task: the one owner of the router. Call-timeout timers are sleeping tasks in
/// a [`JoinSet`] (aborted with the task); each hands its timer back to the router on expiry.
async fn run_router(mut router: Router<StdRng>, mut rx: mpsc::UnboundedReceiver<ToRouter>) {
    let mut peers: HashMap<PeerId, mpsc::UnboundedSender<Outbound>> = HashMap::new();
    let mut timers: JoinSet<TimerId> = JoinSet::new();
    loop {
        let outputs = tokio::select! {
            message = rx.recv() => match message {
                None => break,
                Some(ToRouter::Open { outbound, reply }) => {
                    let peer = router.open();
                    peers.insert(peer, outbound);
                    if reply.send(peer).is_err() {
                        // The connection died before learning its ID.
                        peers.remove(&peer);
                        router.close(peer)
                    } else {
                        Vec::new()
                    }
                }
                Some(ToRouter::Messages { peer, messages }) => {
                    // The sans-IO router has no clock; WAMP-CRA challenges carry a timestamp.
                    router.set_time(std::time::SystemTime::now());
                    let mut out = Vec::new();
                    for m in messages {
                        out.extend(router.handle(peer, m));
                    }
                    out
                }
                Some(ToRouter::Undecodable { peer, error }) => {
                    router.handle_decode_error(peer, error)
                }
                Some(ToRouter::Closed { peer }) => {
                    peers.remove(&peer);
                    router.close(peer)
                }
            },
            Some(Ok(timer)) = timers.join_next() => router.timeout(timer),
        };
        for output in outputs {
            let (peer, item) = match output {
                Output::Send { to, message } => (to, Outbound::Message(message)),
                Output::Close { peer, .. } => (peer, Outbound::Close),
                Output::StartTimer { timer, after } => {
                    timers.spawn(async move {
                        tokio::time::sleep(after).await;
                        timer
                    });
                    continue;
                }
            };
            if let Some(tx) = peers.get(&peer) {
                // A closed queue means the connection task is ending; it reports Closed.
                let _ = tx.send(item);
            }
        }
    }
}

async fn serve_rawsocket(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Accept errors (e.g. out of file descriptors) are transient: keep serving.
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let _ = stream.set_nodelay(true);
            let (slot, admission) = shared.admit();
            let Ok(raw) = rawsocket::accept(stream, &shared.config.rawsocket, admission).await
            else {
                return;
            };
            serve_connection(Transport::RawSocket(raw), &shared.to_router).await;
            drop(slot);
        });
    }
}

/// The upgrade decision for one WebSocket request.
fn choose_subprotocol(
    request: &Request,
    path: &str,
    supported: &[Serialization],
    admission: Admission,
) -> Result<Option<String>, Refusal> {
    if admission == Admission::Full {
        return Err(Refusal::new(503, "maximum connection count reached"));
    }
    if request.path != path {
        return Err(Refusal::new(
            404,
            format!("no WAMP endpoint at {}", request.path),
        ));
    }
    // The client lists its preferences first; the first one we speak wins.
    match request.subprotocols.iter().find(|offered| {
        supported
            .iter()
            .any(|s| s.subprotocol() == offered.as_str())
    }) {
        Some(chosen) => Ok(Some(chosen.clone())),
        None => {
            let names: Vec<&str> = supported.iter().map(|s| s.subprotocol()).collect();
            Err(Refusal::new(
                400,
                format!(
                    "this router speaks only the WebSocket subprotocols {}",
                    names.join(", ")
                ),
            ))
        }
    }
}

async fn serve_websocket(listener: TcpListener, path: String, shared: Arc<Shared>) {
    let path: Arc<str> = path.into();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        let shared = shared.clone();
        let path = path.clone();
        tokio::spawn(async move {
            let _ = stream.set_nodelay(true);
            let (slot, admission) = shared.admit();
            let mut config = shared.config.websocket.clone();
            let supported = shared.config.websocket_serializations.clone();
            config.hook = Some(Arc::new(move |request: &Request| {
                choose_subprotocol(request, &path, &supported, admission)
            }));
            let io = match &config.tls {
                None => MaybeTlsStream::Plain(stream),
                Some(acceptor) => {
                    let limit = config.handshake_timeout;
                    match tokio::time::timeout(limit, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => MaybeTlsStream::Tls(Box::new(tls.into())),
                        _ => return,
                    }
                }
            };
            let Ok(ws) = crate::accept_with(io, &config).await else {
                return;
            };
            let serialization = match ws
                .handshake()
                .subprotocol
                .as_deref()
                .and_then(Serialization::from_subprotocol)
            {
                Some(Serialization::JsonBatched(_)) => {
                    Serialization::JsonBatched(shared.config.json_batched_separator)
                }
                Some(s) => s,
                // The hook always selects one; a connection without cannot carry WAMP.
                None => return,
            };
            let transport = Transport::WebSocket(Box::new(ws), serialization);
            serve_connection(transport, &shared.to_router).await;
            drop(slot);
        });
    }
}

/// Messages written together at most, so one busy peer cannot starve reads for long.
const MAX_BATCH: usize = 256;

async fn send_all(transport: &mut Transport, batch: &[Message]) -> Result<(), Error> {
    for m in batch {
        transport.feed(m).await?;
    }
    transport.flush().await
}

/// Runs one connection until either side ends it.
async fn serve_connection(mut transport: Transport, to_router: &mpsc::UnboundedSender<ToRouter>) {
    let (outbound, mut rx) = mpsc::unbounded_channel();
    let (reply, peer) = oneshot::channel();
    if to_router.send(ToRouter::Open { outbound, reply }).is_err() {
        return;
    }
    let Ok(peer) = peer.await else { return };
    let serialization = transport.serialization();
    let mut close_code = CloseCode::NORMAL;
    loop {
        tokio::select! {
            // Deliver what the router said before reading more.
            biased;
            out = rx.recv() => match out {
                Some(Outbound::Message(m)) => {
                    // Whatever else is queued goes out in the same write.
                    let mut batch = vec![m];
                    let mut close = false;
                    while batch.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(Outbound::Message(m)) => batch.push(m),
                            Ok(Outbound::Close) => {
                                close = true;
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    // A message the peer cannot take (over its limit, unencodable) ends the
                    // connection: better than a client waiting forever for a lost reply.
                    if send_all(&mut transport, &batch).await.is_err() || close {
                        break;
                    }
                }
                Some(Outbound::Close) | None => break,
            },
            incoming = transport.recv() => match incoming {
                Ok(Some(Incoming::Frame(frame))) => {
                    let msg = match serialization.decode(&frame) {
                        Ok(messages) => ToRouter::Messages { peer, messages },
                        Err(error) => ToRouter::Undecodable { peer, error },
                    };
                    if to_router.send(msg).is_err() {
                        break;
                    }
                }
                Ok(Some(Incoming::Ping(payload))) => {
                    if transport.pong(payload).await.is_err() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(Error::WrongMessageKind { .. }) => {
                    close_code = CloseCode::UNSUPPORTED_DATA;
                    break;
                }
                Err(_) => break,
            },
        }
    }
    transport.close(close_code).await;
    let _ = to_router.send(ToRouter::Closed { peer });
}
