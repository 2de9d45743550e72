//! The client side: `ws://` / `wss://` URL → TCP (+ TLS) → upgrade → [`WebSocket`].

use ampel_websocket::Role;
use ampel_websocket::deflate::{DeflateConfig, EXTENSION_NAME};
use ampel_websocket::handshake::{Accepted, ClientHandshake, ClientRequest};
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use url::{Host, Url};

use crate::config::ClientConfig;
use crate::error::{Error, Result};
use crate::message::HandshakeInfo;
use crate::stream::MaybeTlsStream;
use crate::tls;
use crate::websocket::WebSocket;

/// Connects to a `ws://` or `wss://` URL with the default settings (TLS
/// trusting the webpki roots).
pub async fn connect(url: &str) -> Result<WebSocket<MaybeTlsStream>> {
    connect_with(url, ClientConfig::default()).await
}

/// Connects to a `ws://` or `wss://` URL. TCP connect, TLS and the opening
/// handshake together must finish within [`ClientConfig::handshake_timeout`].
pub async fn connect_with(url: &str, config: ClientConfig) -> Result<WebSocket<MaybeTlsStream>> {
    let limit = config.handshake_timeout;
    tokio::time::timeout(limit, connect_inner(url, config))
        .await
        .map_err(|_| Error::HandshakeTimeout(limit))?
}

/// Where a URL points.
struct Endpoint {
    host: String,
    port: u16,
    tls: bool,
    resource: String,
}

fn parse_url(raw: &str) -> Result<Endpoint> {
    let bad = |reason| Error::InvalidUrl {
        url: raw.to_owned(),
        reason,
    };
    let url = Url::parse(raw).map_err(|_| bad("not a URL"))?;
    let tls = match url.scheme() {
        "ws" => false,
        "wss" => true,
        _ => return Err(bad("scheme must be ws or wss")),
    };
    if url.fragment().is_some() {
        return Err(bad("a WebSocket URL has no fragment"));
    }
    let host = match url.host() {
        Some(Host::Domain(d)) => d.to_owned(),
        Some(Host::Ipv4(ip)) => ip.to_string(),
        Some(Host::Ipv6(ip)) => ip.to_string(),
        None => return Err(bad("no host")),
    };
    let port = url
        .port_or_known_default()
        .unwrap_or(if tls { 443 } else { 80 });
    let mut resource = url.path().to_owned();
    if let Some(query) = url.query() {
        resource.push('?');
        resource.push_str(query);
    }
    Ok(Endpoint {
        host,
        port,
        tls,
        resource,
    })
}

async fn connect_inner(url: &str, config: ClientConfig) -> Result<WebSocket<MaybeTlsStream>> {
    let endpoint = parse_url(url)?;
    let tcp = TcpStream::connect((endpoint.host.as_str(), endpoint.port)).await?;
    tcp.set_nodelay(true)?;
    let io = if endpoint.tls {
        let name = config.server_name.as_deref().unwrap_or(&endpoint.host);
        let name = ServerName::try_from(name.to_owned())
            .map_err(|e| Error::Tls(format!("invalid server name {name:?}: {e}")))?;
        let connector = TlsConnector::from(tls::client_config(&config)?);
        let stream = connector
            .connect(name, tcp)
            .await
            .map_err(|e| Error::Tls(e.to_string()))?;
        MaybeTlsStream::Tls(Box::new(stream.into()))
    } else {
        MaybeTlsStream::Plain(tcp)
    };
    let mut request = ClientRequest::new(endpoint.host, endpoint.port, endpoint.resource);
    request.tls = endpoint.tls;
    client_handshake(io, request, &config).await
}

/// Runs the client's opening handshake on an established transport (any
/// `AsyncRead + AsyncWrite`), offering what `config` says; `request` names
/// the host and resource (its subprotocols, origin and extra headers are
/// taken from `config` when `request` has none; the permessage-deflate
/// offers of [`ClientConfig::deflate`] are appended to its extensions and
/// the server's answer is checked against them).
pub async fn client_handshake<S: AsyncRead + AsyncWrite + Unpin>(
    mut io: S,
    mut request: ClientRequest,
    config: &ClientConfig,
) -> Result<WebSocket<S>> {
    if request.subprotocols.is_empty() {
        request.subprotocols.clone_from(&config.subprotocols);
    }
    if request.origin.is_none() {
        request.origin.clone_from(&config.origin);
    }
    if request.extra_headers.is_empty() {
        request.extra_headers.clone_from(&config.extra_headers);
    }
    if let Some(deflate) = &config.deflate {
        request.extensions.extend(deflate.offers.extensions());
    }
    let (handshake, bytes) =
        ClientHandshake::new(&request, rand::random(), config.handshake_limits)?;
    io.write_all(&bytes).await?;
    io.flush().await?;
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let (accepted, used) = loop {
        let n = io.read(&mut chunk).await?;
        if n == 0 {
            return Err(Error::HandshakeEof);
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or(&[]));
        if let Some(done) = handshake.parse_response(&buf)? {
            break done;
        }
    };
    let deflate = negotiated_deflate(config, &accepted)?;
    let (path, query) = match request.resource.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (request.resource.clone(), None),
    };
    let info = HandshakeInfo {
        path,
        query,
        subprotocol: accepted.subprotocol,
        headers: accepted.headers,
    };
    let leftover = buf.get(used..).unwrap_or(&[]);
    Ok(WebSocket::from_raw_with_deflate(
        io,
        Role::Client,
        config.websocket.clone(),
        deflate,
        info,
        leftover,
    ))
}

/// Checks the server's permessage-deflate answer against our offers: the
/// connection's compression settings, `None` if the server declined, an
/// error if the answer is invalid or answers nothing we offered.
fn negotiated_deflate(config: &ClientConfig, accepted: &Accepted) -> Result<Option<DeflateConfig>> {
    let answered = accepted
        .extensions
        .iter()
        .any(|ext| ext.name.eq_ignore_ascii_case(EXTENSION_NAME));
    let Some(deflate) = &config.deflate else {
        return if answered {
            Err(Error::DeflateNotConfigured)
        } else {
            Ok(None)
        };
    };
    match deflate.offers.accept_response(&accepted.extensions) {
        Ok(params) => Ok(params.map(|params| deflate.connection(params))),
        Err(reason) => {
            let response = accepted
                .headers
                .iter()
                .filter(|h| h.name.eq_ignore_ascii_case("Sec-WebSocket-Extensions"))
                .map(|h| h.value.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            Err(Error::DeflateResponse { response, reason })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let e = parse_url("ws://127.0.0.1:9001/runCase?case=3&agent=x").expect("valid");
        assert_eq!(
            (e.host.as_str(), e.port, e.tls, e.resource.as_str()),
            ("127.0.0.1", 9001, false, "/runCase?case=3&agent=x")
        );
        let e = parse_url("wss://localhost").expect("valid");
        assert_eq!((e.port, e.tls, e.resource.as_str()), (443, true, "/"));
        let e = parse_url("ws://[::1]:80/a").expect("valid");
        assert_eq!((e.host.as_str(), e.port), ("::1", 80));
        for bad in ["http://x/", "ws://x/#frag", "not a url", "wss://"] {
            assert!(
                matches!(parse_url(bad), Err(Error::InvalidUrl { .. })),
                "{bad}"
            );
        }
    }
}
