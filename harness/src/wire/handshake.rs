//! The harness's own HTTP/1.1 upgrade code (RFC 6455 §4), both roles. It is deliberately
//! small and independent of the stack under test; it records the raw request and response
//! text for reports.

use std::time::Duration;

use base64::Engine as _;
use sha1::{Digest, Sha1};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::BoxedIo;
use super::deflate::{Extension, parse_extensions};

/// The GUID of RFC 6455 §1.3.
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/// Largest HTTP head accepted, in octets.
const MAX_HEAD: usize = 16 * 1024;
/// Most header lines accepted.
const MAX_HEADERS: usize = 64;

/// The `Ampel/<version>` product token used as User-Agent and Server.
pub fn product() -> String {
    format!("Ampel/{}", env!("CARGO_PKG_VERSION"))
}

/// Why an opening handshake failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// Socket error.
    #[error("I/O error during the opening handshake: {0}")]
    Io(#[from] std::io::Error),
    /// The peer closed the connection before the HTTP head was complete.
    #[error("the connection closed before the HTTP head was complete ({0} octets received)")]
    Eof(usize),
    /// The time limit expired.
    #[error("the opening handshake did not complete within {0:?}")]
    Timeout(Duration),
    /// The HTTP head exceeded the size limit.
    #[error("the HTTP head exceeds {MAX_HEAD} octets")]
    HeadTooLarge,
    /// The HTTP head could not be parsed.
    #[error("malformed HTTP head: {0}")]
    Malformed(String),
    /// The server answered with another status than 101.
    #[error("the server answered {status} instead of 101 Switching Protocols")]
    Status {
        /// The status code.
        status: u16,
    },
    /// A required header is missing or has the wrong value.
    #[error("header {name}: {problem}")]
    Header {
        /// The header.
        name: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// The request is not a WebSocket upgrade the harness can accept.
    #[error("not a WebSocket upgrade request: {0}")]
    NotUpgrade(String),
    /// The URL cannot be used.
    #[error("unusable URL: {0}")]
    Url(String),
    /// TLS setup or handshake failed.
    #[error("TLS: {0}")]
    Tls(String),
}

/// `Sec-WebSocket-Accept` for a key.
pub fn accept_key(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(GUID.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

/// A fresh random `Sec-WebSocket-Key`.
pub fn new_key() -> String {
    base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 16]>())
}

/// The client's upgrade request for `url`, offering `extensions` (header values in order).
pub fn client_request(url: &url::Url, key: &str, extensions: &[String]) -> String {
    let host = url.host_str().unwrap_or("localhost");
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    let host = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    };
    let mut target = url.path().to_owned();
    if target.is_empty() {
        target.push('/');
    }
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }
    let mut req = format!(
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
    );
    if !extensions.is_empty() {
        req.push_str(&format!(
            "Sec-WebSocket-Extensions: {}\r\n",
            extensions.join(", ")
        ));
    }
    req.push_str(&format!("User-Agent: {}\r\n\r\n", product()));
    req
}

/// Reads an HTTP head (through the blank line); returns it and any octets after it.
pub async fn read_head<R: AsyncRead + Unpin + ?Sized>(
    io: &mut R,
) -> Result<(Vec<u8>, Vec<u8>), HandshakeError> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let n = io.read(&mut chunk).await?;
        if n == 0 {
            return Err(HandshakeError::Eof(buf.len()));
        }
        let scan_from = buf.len().saturating_sub(3);
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        if let Some(pos) = buf
            .get(scan_from..)
            .and_then(|tail| tail.windows(4).position(|w| w == b"\r\n\r\n"))
        {
            let end = scan_from + pos + 4;
            let leftover = buf.split_off(end);
            return Ok((buf, leftover));
        }
        if buf.len() > MAX_HEAD {
            return Err(HandshakeError::HeadTooLarge);
        }
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn has_token(value: Option<&str>, token: &str) -> bool {
    value.is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
}

fn collect_headers(raw: &[httparse::Header<'_>]) -> Vec<(String, String)> {
    raw.iter()
        .map(|h| {
            (
                h.name.to_owned(),
                String::from_utf8_lossy(h.value).trim().to_owned(),
            )
        })
        .collect()
}

/// Checks a server's response to a request made with `key`; returns the extensions the server
/// selected, with their parameters.
pub fn check_response(head: &[u8], key: &str) -> Result<Vec<Extension>, HandshakeError> {
    let mut storage = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut storage);
    match resp.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(HandshakeError::Malformed("incomplete response".into()));
        }
        Err(e) => return Err(HandshakeError::Malformed(e.to_string())),
    }
    let status = resp.code.unwrap_or(0);
    if status != 101 {
        return Err(HandshakeError::Status { status });
    }
    let headers = collect_headers(resp.headers);
    if !has_token(header(&headers, "upgrade"), "websocket") {
        return Err(HandshakeError::Header {
            name: "Upgrade",
            problem: "missing or not \"websocket\"".into(),
        });
    }
    if !has_token(header(&headers, "connection"), "upgrade") {
        return Err(HandshakeError::Header {
            name: "Connection",
            problem: "missing or without the \"Upgrade\" token".into(),
        });
    }
    let expected = accept_key(key);
    match header(&headers, "sec-websocket-accept") {
        Some(v) if v == expected => {}
        Some(v) => {
            return Err(HandshakeError::Header {
                name: "Sec-WebSocket-Accept",
                problem: format!("{v:?} does not match the key (expected {expected:?})"),
            });
        }
        None => {
            return Err(HandshakeError::Header {
                name: "Sec-WebSocket-Accept",
                problem: "missing".into(),
            });
        }
    }
    Ok(extensions_of(&headers))
}

/// Every `Sec-WebSocket-Extensions` entry of a header list, in order.
fn extensions_of(headers: &[(String, String)]) -> Vec<Extension> {
    parse_extensions(
        headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("sec-websocket-extensions"))
            .map(|(_, v)| v.as_str()),
    )
}

/// A client's upgrade request as the harness (server role) received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpgradeRequest {
    /// The request head as text (lossy UTF-8).
    pub raw: String,
    /// The request path, without the query.
    pub path: String,
    /// The decoded query parameters, in order.
    pub query: Vec<(String, String)>,
    /// The header lines, names as sent.
    pub headers: Vec<(String, String)>,
    /// Octets received after the head (the client's first frames).
    pub leftover: Vec<u8>,
}

impl UpgradeRequest {
    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The extensions the client offered, in order.
    pub fn extensions(&self) -> Vec<Extension> {
        extensions_of(&self.headers)
    }

    /// The first value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses a request head.
pub fn parse_request(head: &[u8], leftover: Vec<u8>) -> Result<UpgradeRequest, HandshakeError> {
    let mut storage = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut storage);
    match req.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(HandshakeError::Malformed("incomplete request".into()));
        }
        Err(e) => return Err(HandshakeError::Malformed(e.to_string())),
    }
    let target = req.path.unwrap_or("/");
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, q),
        None => (target, ""),
    };
    let query = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    Ok(UpgradeRequest {
        raw: String::from_utf8_lossy(head).into_owned(),
        path: path.to_owned(),
        query,
        headers: collect_headers(req.headers),
        leftover,
    })
}

/// Reads a client's upgrade request head within `timeout`.
pub async fn read_upgrade_request(
    io: &mut BoxedIo,
    timeout: Duration,
) -> Result<UpgradeRequest, HandshakeError> {
    match tokio::time::timeout(timeout, read_head(io)).await {
        Ok(Ok((head, leftover))) => parse_request(&head, leftover),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(HandshakeError::Timeout(timeout)),
    }
}

/// The 101 response to a valid upgrade request, selecting `extension` (a header value) if
/// given; no subprotocol is ever selected.
pub fn accept_response(
    request: &UpgradeRequest,
    extension: Option<&str>,
) -> Result<String, HandshakeError> {
    if !request.raw.starts_with("GET ") {
        return Err(HandshakeError::NotUpgrade("the method is not GET".into()));
    }
    if !has_token(request.header("upgrade"), "websocket") {
        return Err(HandshakeError::NotUpgrade(
            "Upgrade header missing or not \"websocket\"".into(),
        ));
    }
    if !has_token(request.header("connection"), "upgrade") {
        return Err(HandshakeError::NotUpgrade(
            "Connection header lacks the \"Upgrade\" token".into(),
        ));
    }
    if request.header("sec-websocket-version").map(str::trim) != Some("13") {
        return Err(HandshakeError::NotUpgrade(
            "Sec-WebSocket-Version is not 13".into(),
        ));
    }
    let key = request
        .header("sec-websocket-key")
        .filter(|k| {
            base64::engine::general_purpose::STANDARD
                .decode(k.trim())
                .is_ok_and(|b| b.len() == 16)
        })
        .ok_or_else(|| {
            HandshakeError::NotUpgrade("Sec-WebSocket-Key missing or not 16 octets".into())
        })?;
    let extension = extension
        .map(|e| format!("Sec-WebSocket-Extensions: {e}\r\n"))
        .unwrap_or_default();
    Ok(format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n{extension}Server: {}\r\n\r\n",
        accept_key(key.trim()),
        product()
    ))
}

/// The reason phrase of common statuses.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        426 => "Upgrade Required",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// Refuses an upgrade with an HTTP status and a short text body, then closes.
pub async fn refuse<W: AsyncWrite + Unpin + ?Sized>(io: &mut W, status: u16, reason: &str) {
    let mut extra = String::new();
    if status == 426 {
        extra.push_str("Sec-WebSocket-Version: 13\r\n");
    }
    let resp = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \
         {}\r\n{extra}Connection: close\r\nServer: {}\r\n\r\n{reason}",
        reason_phrase(status),
        reason.len(),
        product()
    );
    // The peer may already be gone; there is nobody to report a write error to.
    let _ = io.write_all(resp.as_bytes()).await;
    let _ = io.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_accept_example() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn request_shape() {
        let url =
            url::Url::parse("ws://127.0.0.1:9001/path?agent=x").unwrap_or_else(|e| panic!("{e}"));
        let req = client_request(&url, "KEY", &["permessage-deflate".into()]);
        assert!(req.starts_with("GET /path?agent=x HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n"));
        assert!(req.contains("Sec-WebSocket-Extensions: permessage-deflate\r\n"));
        assert!(req.contains("User-Agent: Ampel/"));
        assert!(req.ends_with("\r\n\r\n"));
        let url = url::Url::parse("ws://[::1]:80/").unwrap_or_else(|e| panic!("{e}"));
        assert!(client_request(&url, "K", &[]).contains("Host: [::1]\r\n"));
    }

    #[test]
    fn server_round_trip() {
        let head = b"GET /runCase?case=3&agent=my%20agent HTTP/1.1\r\nHost: x\r\n\
                     Upgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n\
                     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        let req = parse_request(head, vec![1, 2]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(req.path, "/runCase");
        assert_eq!(req.query_param("agent"), Some("my agent"));
        assert_eq!(req.query_param("case"), Some("3"));
        assert_eq!(req.leftover, [1, 2]);
        let resp = accept_response(&req, None).unwrap_or_else(|e| panic!("{e}"));
        assert!(resp.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
        assert!(resp.contains("Server: Ampel/"));
        let ext = check_response(resp.as_bytes(), "dGhlIHNhbXBsZSBub25jZQ==")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(ext.is_empty());
        let resp = accept_response(&req, Some("permessage-deflate; server_max_window_bits=9"))
            .unwrap_or_else(|e| panic!("{e}"));
        let ext = check_response(resp.as_bytes(), "dGhlIHNhbXBsZSBub25jZQ==")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ext.len(), 1);
        assert_eq!(ext[0].params[0].1.as_deref(), Some("9"));
        assert!(matches!(
            check_response(resp.as_bytes(), "b3RoZXIga2V5IDEyMzQ1Ng=="),
            Err(HandshakeError::Header { .. })
        ));
    }

    #[test]
    fn bad_requests_and_responses() {
        let head = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        let req = parse_request(head, Vec::new()).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            accept_response(&req, None),
            Err(HandshakeError::NotUpgrade(_))
        ));
        let head = b"POST / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        let req = parse_request(head, Vec::new()).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            accept_response(&req, None),
            Err(HandshakeError::NotUpgrade(_))
        ));
        assert!(matches!(
            check_response(b"HTTP/1.1 404 Not Found\r\n\r\n", "k"),
            Err(HandshakeError::Status { status: 404 })
        ));
        assert!(matches!(
            parse_request(b"\x00\x01garbage\r\n\r\n", Vec::new()),
            Err(HandshakeError::Malformed(_))
        ));
        let resp = "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\
                    Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
                    Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10, x\r\n\r\n";
        let names: Vec<String> = check_response(resp.as_bytes(), "dGhlIHNhbXBsZSBub25jZQ==")
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["permessage-deflate", "x"]);
    }

    #[test]
    fn head_reader_keeps_leftover() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        rt.block_on(async {
            let mut input: &[u8] = b"HTTP/1.1 101 X\r\nA: b\r\n\r\n\x81\x00";
            let (head, left) = read_head(&mut input)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(head.ends_with(b"\r\n\r\n"));
            assert_eq!(left, [0x81, 0x00]);
            let mut short: &[u8] = b"HTTP/1.1 101";
            assert!(matches!(
                read_head(&mut short).await,
                Err(HandshakeError::Eof(12))
            ));
        });
    }
}
