//! Server role: parse and check the upgrade request, render the 101 answer.

use super::accept::{accept_key, is_valid_key};
use super::error::HandshakeError;
use super::extension::{ExtensionOffer, format_extensions, parse_extensions};
use super::head::{
    Header, Limits, check_status, collect, header_slots, list_contains, single, values,
    write_extra, write_header,
};
use super::token::parse_subprotocols;

/// A valid WebSocket upgrade request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The path of the request target, starting with `/`.
    pub path: String,
    /// The query after `?`, if the target has one.
    pub query: Option<String>,
    /// The `Host` header.
    pub host: String,
    /// The `Origin` header, if present.
    pub origin: Option<String>,
    /// The `Sec-WebSocket-Key` header (already validated).
    pub key: String,
    /// Offered subprotocols from every `Sec-WebSocket-Protocol` line, in order.
    pub subprotocols: Vec<String>,
    /// Offered extensions from every `Sec-WebSocket-Extensions` line, in order.
    pub extensions: Vec<ExtensionOffer>,
    /// Every request header, in order.
    pub headers: Vec<Header>,
}

/// Parses the upgrade request from everything received so far. `Ok(None)`:
/// the head is incomplete, call again with more bytes. `Ok(Some((request,
/// n)))`: the head used `n` bytes; the rest belongs to the connection. On
/// error answer with [`error_response`](super::error_response).
pub fn parse_request(
    buf: &[u8],
    limits: &Limits,
) -> Result<Option<(Request, usize)>, HandshakeError> {
    let mut slots = header_slots(limits);
    let mut request = httparse::Request::new(&mut slots);
    let parsed = request.parse(buf);
    let Some(consumed) = check_status(parsed, buf.len(), limits)? else {
        return Ok(None);
    };
    let method = request.method.unwrap_or("");
    if method != "GET" {
        return Err(HandshakeError::MethodNotGet {
            method: method.to_owned(),
        });
    }
    let minor = request.version.unwrap_or(0);
    if minor != 1 {
        return Err(HandshakeError::HttpVersionNot11 { minor });
    }
    let target = request.path.unwrap_or("");
    if !target.starts_with('/') {
        return Err(HandshakeError::InvalidRequestTarget {
            target: target.to_owned(),
        });
    }
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (target.to_owned(), None),
    };
    let headers = collect(request.headers)?;
    check(path, query, headers).map(|request| Some((request, consumed)))
}

/// Checks the headers of the request (RFC 6455 §4.2.1).
fn check(
    path: String,
    query: Option<String>,
    headers: Vec<Header>,
) -> Result<Request, HandshakeError> {
    let host = single(&headers, "Host")?
        .ok_or(HandshakeError::MissingHeader { name: "Host" })?
        .to_owned();
    if values(&headers, "Upgrade").next().is_none() {
        return Err(HandshakeError::MissingHeader { name: "Upgrade" });
    }
    if !list_contains(&headers, "Upgrade", "websocket") {
        let value = values(&headers, "Upgrade").collect::<Vec<_>>().join(", ");
        return Err(HandshakeError::UpgradeNotWebSocket { value });
    }
    if !list_contains(&headers, "Connection", "upgrade") {
        return Err(HandshakeError::ConnectionNotUpgrade);
    }
    let version = single(&headers, "Sec-WebSocket-Version")?;
    if version != Some("13") {
        return Err(HandshakeError::UnsupportedVersion {
            version: version.map(str::to_owned),
        });
    }
    let key = single(&headers, "Sec-WebSocket-Key")?
        .ok_or(HandshakeError::MissingHeader {
            name: "Sec-WebSocket-Key",
        })?
        .to_owned();
    if !is_valid_key(&key) {
        return Err(HandshakeError::InvalidKey { key });
    }
    let origin = single(&headers, "Origin")?.map(str::to_owned);
    let mut subprotocols = Vec::new();
    for v in values(&headers, "Sec-WebSocket-Protocol") {
        parse_subprotocols(v, &mut subprotocols)?;
    }
    if let Some(dup) = subprotocols
        .iter()
        .enumerate()
        .find_map(|(n, p)| subprotocols.iter().take(n).any(|q| q == p).then_some(p))
    {
        return Err(HandshakeError::DuplicateSubprotocol {
            protocol: dup.clone(),
        });
    }
    let mut extensions = Vec::new();
    for v in values(&headers, "Sec-WebSocket-Extensions") {
        parse_extensions(v, &mut extensions)?;
    }
    Ok(Request {
        path,
        query,
        host,
        origin,
        key,
        subprotocols,
        extensions,
        headers,
    })
}

/// What the server answers to an acceptable request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AcceptOptions {
    /// The selected subprotocol; must be one the client offered.
    pub subprotocol: Option<String>,
    /// Extension responses; each name must be one the client offered.
    pub extensions: Vec<ExtensionOffer>,
    /// Further headers, sent after the handshake's own.
    pub extra_headers: Vec<Header>,
}

impl Request {
    /// Renders the `101 Switching Protocols` response.
    pub fn accept(&self, options: &AcceptOptions) -> Result<Vec<u8>, HandshakeError> {
        let mut out = Vec::with_capacity(192);
        out.extend_from_slice(b"HTTP/1.1 101 Switching Protocols\r\n");
        write_header(&mut out, "Upgrade", "websocket");
        write_header(&mut out, "Connection", "Upgrade");
        write_header(&mut out, "Sec-WebSocket-Accept", &accept_key(&self.key));
        if let Some(p) = &options.subprotocol {
            if !self.subprotocols.contains(p) {
                return Err(HandshakeError::SubprotocolNotOffered {
                    protocol: p.clone(),
                });
            }
            write_header(&mut out, "Sec-WebSocket-Protocol", p);
        }
        if !options.extensions.is_empty() {
            for ext in &options.extensions {
                let offered = self
                    .extensions
                    .iter()
                    .any(|o| o.name.eq_ignore_ascii_case(&ext.name));
                if !offered {
                    return Err(HandshakeError::ExtensionNotOffered {
                        name: ext.name.clone(),
                    });
                }
            }
            let list = format_extensions(&options.extensions)?;
            write_header(&mut out, "Sec-WebSocket-Extensions", &list);
        }
        write_extra(&mut out, &options.extra_headers)?;
        out.extend_from_slice(b"\r\n");
        Ok(out)
    }
}
