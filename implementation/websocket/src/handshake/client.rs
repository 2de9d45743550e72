//! Client role: render the upgrade request, check the server's answer.

use super::accept::{accept_key, encode_key};
use super::error::HandshakeError;
use super::extension::{ExtensionOffer, format_extensions, parse_extensions};
use super::head::{
    Header, Limits, check_status, collect, header_slots, list_contains, single, values,
    write_extra, write_header,
};
use super::token::{format_subprotocols, parse_subprotocols};

/// What the client asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRequest {
    /// Host name or IP address (IPv6 with or without brackets).
    pub host: String,
    /// TCP port; left out of `Host` when it is the scheme's default.
    pub port: u16,
    /// Whether the scheme is `wss` (default port 443 instead of 80).
    pub tls: bool,
    /// Path and query, starting with `/`.
    pub resource: String,
    /// `Origin` to send, if any.
    pub origin: Option<String>,
    /// Subprotocols to offer, in preference order.
    pub subprotocols: Vec<String>,
    /// Extensions to offer, in preference order.
    pub extensions: Vec<ExtensionOffer>,
    /// Further headers, sent after the handshake's own.
    pub extra_headers: Vec<Header>,
}

impl ClientRequest {
    /// A plain (`ws`) request for `resource` on `host:port` offering nothing.
    pub fn new(host: impl Into<String>, port: u16, resource: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            port,
            tls: false,
            resource: resource.into(),
            origin: None,
            subprotocols: Vec::new(),
            extensions: Vec::new(),
            extra_headers: Vec::new(),
        }
    }

    /// The `Host` header value.
    fn host_header(&self) -> Result<String, HandshakeError> {
        let bad = || HandshakeError::InvalidHost {
            host: self.host.clone(),
        };
        let host = &self.host;
        let is_v6 = |h: &str| h.parse::<std::net::Ipv6Addr>().is_ok();
        let bracketed = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .is_some_and(is_v6);
        let reg_name = |b: u8| b.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=".contains(&b);
        let host = if is_v6(host) {
            format!("[{host}]")
        } else if bracketed || (!host.is_empty() && host.bytes().all(reg_name)) {
            host.clone()
        } else {
            return Err(bad());
        };
        let default_port = if self.tls { 443 } else { 80 };
        Ok(if self.port == default_port {
            host
        } else {
            format!("{host}:{}", self.port)
        })
    }
}

/// The outcome of a successful handshake, seen from the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The subprotocol the server selected, if any.
    pub subprotocol: Option<String>,
    /// The extensions the server accepted, with the parameters it answered.
    pub extensions: Vec<ExtensionOffer>,
    /// Every response header, in order.
    pub headers: Vec<Header>,
}

/// A client handshake in progress: remembers what was offered and which
/// `Sec-WebSocket-Accept` to expect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHandshake {
    expected_accept: String,
    subprotocols: Vec<String>,
    extensions: Vec<ExtensionOffer>,
    limits: Limits,
}

impl ClientHandshake {
    /// Renders the upgrade request with a key made of the 16 injected
    /// random bytes `nonce`; returns the handshake state and the request bytes.
    pub fn new(
        request: &ClientRequest,
        nonce: [u8; 16],
        limits: Limits,
    ) -> Result<(Self, Vec<u8>), HandshakeError> {
        let resource_ok = request.resource.starts_with('/')
            && request.resource.bytes().all(|b| b > 0x20 && b != 0x7f);
        if !resource_ok {
            return Err(HandshakeError::InvalidRequestTarget {
                target: request.resource.clone(),
            });
        }
        let key = encode_key(&nonce);
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(b"GET ");
        out.extend_from_slice(request.resource.as_bytes());
        out.extend_from_slice(b" HTTP/1.1\r\n");
        write_header(&mut out, "Host", &request.host_header()?);
        write_header(&mut out, "Upgrade", "websocket");
        write_header(&mut out, "Connection", "Upgrade");
        write_header(&mut out, "Sec-WebSocket-Key", &key);
        write_header(&mut out, "Sec-WebSocket-Version", "13");
        if let Some(origin) = &request.origin {
            Header::new("Origin", origin.as_str()).validate()?;
            write_header(&mut out, "Origin", origin);
        }
        if !request.subprotocols.is_empty() {
            let list = format_subprotocols(&request.subprotocols)?;
            write_header(&mut out, "Sec-WebSocket-Protocol", &list);
        }
        if !request.extensions.is_empty() {
            let list = format_extensions(&request.extensions)?;
            write_header(&mut out, "Sec-WebSocket-Extensions", &list);
        }
        write_extra(&mut out, &request.extra_headers)?;
        out.extend_from_slice(b"\r\n");
        let state = Self {
            expected_accept: accept_key(&key),
            subprotocols: request.subprotocols.clone(),
            extensions: request.extensions.clone(),
            limits,
        };
        Ok((state, out))
    }

    /// The `Sec-WebSocket-Accept` value the server must send.
    pub fn expected_accept(&self) -> &str {
        &self.expected_accept
    }

    /// Parses the response from everything received so far. `Ok(None)`: the
    /// head is incomplete, call again with more bytes. `Ok(Some((accepted,
    /// n)))`: the head used `n` bytes; the rest belongs to the connection.
    pub fn parse_response(&self, buf: &[u8]) -> Result<Option<(Accepted, usize)>, HandshakeError> {
        let mut slots = header_slots(&self.limits);
        let mut response = httparse::Response::new(&mut slots);
        let parsed = response.parse(buf);
        let Some(consumed) = check_status(parsed, buf.len(), &self.limits)? else {
            return Ok(None);
        };
        let headers = collect(response.headers)?;
        let status = response.code.unwrap_or(0);
        if status != 101 {
            return Err(HandshakeError::UnexpectedStatus {
                status,
                reason: response.reason.unwrap_or("").to_owned(),
                headers,
            });
        }
        let minor = response.version.unwrap_or(0);
        if minor != 1 {
            return Err(HandshakeError::HttpVersionNot11 { minor });
        }
        self.check(headers)
            .map(|accepted| Some((accepted, consumed)))
    }

    /// Checks the headers of a 101 response (RFC 6455 §4.1, client steps 1–6).
    fn check(&self, headers: Vec<Header>) -> Result<Accepted, HandshakeError> {
        let upgrade = single(&headers, "Upgrade")?
            .ok_or(HandshakeError::MissingHeader { name: "Upgrade" })?;
        if !upgrade.eq_ignore_ascii_case("websocket") {
            return Err(HandshakeError::UpgradeNotWebSocket {
                value: upgrade.to_owned(),
            });
        }
        if !list_contains(&headers, "Connection", "upgrade") {
            return Err(HandshakeError::ConnectionNotUpgrade);
        }
        let accept =
            single(&headers, "Sec-WebSocket-Accept")?.ok_or(HandshakeError::MissingHeader {
                name: "Sec-WebSocket-Accept",
            })?;
        if accept != self.expected_accept {
            return Err(HandshakeError::AcceptMismatch {
                expected: self.expected_accept.clone(),
                actual: accept.to_owned(),
            });
        }
        let mut protocols = Vec::new();
        for v in values(&headers, "Sec-WebSocket-Protocol") {
            parse_subprotocols(v, &mut protocols)?;
        }
        if protocols.len() > 1 {
            return Err(HandshakeError::SeveralSubprotocolsSelected);
        }
        let subprotocol = protocols.pop();
        if let Some(p) = subprotocol
            .as_ref()
            .filter(|p| !self.subprotocols.contains(p))
        {
            return Err(HandshakeError::SubprotocolNotOffered {
                protocol: p.clone(),
            });
        }
        let mut extensions = Vec::new();
        for v in values(&headers, "Sec-WebSocket-Extensions") {
            parse_extensions(v, &mut extensions)?;
        }
        for ext in &extensions {
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
        Ok(Accepted {
            subprotocol,
            extensions,
            headers,
        })
    }
}
