//! Shared helpers: time bounds, servers on 127.0.0.1, self-signed certificates.
#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use ampel_net::{Listener, MaybeTlsStream, ServerConfig, WebSocket};
use tokio::task::JoinHandle;

pub mod autobahn;
pub mod crossbar;
pub mod raw;
pub mod wamp;

/// Every test body runs within this bound.
pub const LIMIT: Duration = Duration::from_secs(30);

/// Runs `body` on a fresh runtime, failing the test if it takes longer than [`LIMIT`].
pub fn run<F: Future<Output = ()>>(body: F) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        tokio::time::timeout(LIMIT, body)
            .await
            .expect("test exceeded its time bound");
    });
}

/// Binds a listener on an ephemeral loopback port.
pub async fn listener(config: ServerConfig) -> (Listener, SocketAddr) {
    let listener = Listener::bind("127.0.0.1:0", config).await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    (listener, addr)
}

/// Serves one connection with `handler`; the handle yields its result.
pub async fn serve_one<F, Fut, T>(config: ServerConfig, handler: F) -> (SocketAddr, JoinHandle<T>)
where
    F: FnOnce(WebSocket<MaybeTlsStream>) -> Fut + Send + 'static,
    Fut: Future<Output = T> + Send,
    T: Send + 'static,
{
    let (listener, addr) = listener(config).await;
    let handle = tokio::spawn(async move {
        let incoming = listener.accept().await.expect("accept");
        let ws = incoming.upgrade().await.expect("upgrade");
        handler(ws).await
    });
    (addr, handle)
}

/// Our echo testee on an ephemeral port (aborted when the handle drops at runtime end).
pub async fn echo_server(config: ServerConfig) -> SocketAddr {
    let (listener, addr) = listener(config).await;
    tokio::spawn(ampel_net::testee::echo_server(listener));
    addr
}

/// A self-signed certificate for `localhost`: (certificate DER, certificate PEM, key PEM).
pub fn self_signed() -> (rustls_pki_types::CertificateDer<'static>, String, String) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("rcgen");
    (
        certified.cert.der().clone(),
        certified.cert.pem(),
        certified.signing_key.serialize_pem(),
    )
}

/// Deterministic bytes for payloads.
pub fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}
