//! WAMP over the network: the RawSocket and WebSocket transports, an async [`Client`] and a
//! [`RouterServer`] running [`ampel_wamp::router::Router`] behind any number of listeners.
//!
//! URLs: `ws://host:port/path` (`wss://` with TLS) and `rawsocket://host:port`.

mod client;
mod endpoint;
mod error;
pub mod rawsocket;
mod server;
mod transport;

pub use ampel_wamp::client::CancelMode;
pub use client::{
    CallHandle, CallOptions, CallReply, Client, ClientOptions, EventData, InvocationRequest,
    InvokePolicy, Joined, MatchPolicy, PublishOptions, RUNTIME_ERROR, RegisterOptions,
    Registration, Revocation, SubscribeOptions, Subscription,
};
pub use endpoint::Endpoint;
pub use error::{ApplicationError, Error};
pub use server::{RouterServer, RouterServerConfig};

use ampel_wamp::Serialization;
use tokio::net::TcpStream;

use transport::Transport;

/// Opens a transport to `endpoint` and runs its handshake.
async fn connect_transport(
    endpoint: &Endpoint,
    serialization: Serialization,
    options: &ClientOptions,
) -> Result<Transport, Error> {
    match endpoint {
        Endpoint::RawSocket { .. } => {
            if serialization.raw_socket_id().is_none() {
                return Err(Error::UnsupportedSerialization {
                    serialization,
                    transport: "RawSocket",
                });
            }
            let stream = TcpStream::connect(endpoint.authority()).await?;
            let _ = stream.set_nodelay(true);
            let raw = rawsocket::connect(stream, serialization, &options.rawsocket).await?;
            Ok(Transport::RawSocket(raw))
        }
        Endpoint::WebSocket(url) => {
            let offered = serialization.subprotocol();
            let config = crate::ClientConfig {
                subprotocols: vec![offered.to_owned()],
                ..options.websocket.clone()
            };
            let ws = crate::connect_with(url.as_str(), config).await?;
            let selected = ws.handshake().subprotocol.clone();
            if selected.as_deref() != Some(offered) {
                return Err(Error::SubprotocolNotSelected { offered, selected });
            }
            Ok(Transport::WebSocket(Box::new(ws), serialization))
        }
    }
}
