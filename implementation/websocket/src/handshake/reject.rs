//! Refusals a server sends instead of `101`, so the net layer can close cleanly.

use super::error::HandshakeError;
use super::head::{Header, write_extra, write_header};

/// The reason phrase for the statuses a handshake refusal uses.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// Renders an error response: `status` (400..=599), a short plain-text
/// `body`, `Connection: close` and the `extra` headers.
pub fn reject(status: u16, body: &str, extra: &[Header]) -> Result<Vec<u8>, HandshakeError> {
    if !(400..=599).contains(&status) {
        return Err(HandshakeError::NotAnErrorStatus { status });
    }
    let mut out = Vec::with_capacity(128 + body.len());
    out.extend_from_slice(format!("HTTP/1.1 {status} {}\r\n", reason_phrase(status)).as_bytes());
    write_header(&mut out, "Content-Type", "text/plain; charset=utf-8");
    write_header(&mut out, "Content-Length", &body.len().to_string());
    write_header(&mut out, "Connection", "close");
    write_extra(&mut out, extra)?;
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body.as_bytes());
    Ok(out)
}

/// The refusal for a request that [`parse_request`](super::parse_request)
/// rejected: 426 with `Sec-WebSocket-Version: 13` for a version problem, 431
/// for limits, 405 with `Allow: GET` for a method, 400 otherwise; the body
/// says what was wrong.
pub fn error_response(error: &HandshakeError) -> Vec<u8> {
    let status = error.status();
    let extra = match status {
        426 => vec![
            Header::new("Sec-WebSocket-Version", "13"),
            Header::new("Upgrade", "websocket"),
        ],
        405 => vec![Header::new("Allow", "GET")],
        _ => Vec::new(),
    };
    // The body is our own Display text; strip control bytes a peer smuggled in.
    let body: String = error
        .to_string()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    reject(status, &body, &extra).unwrap_or_else(|_| {
        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
    })
}
