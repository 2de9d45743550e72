//! HTTP/1.1 head handling shared by both roles: limits, header model,
//! httparse glue and header rendering.

use super::error::HandshakeError;
use super::token::is_token;

/// Bounds on what a peer may make us parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest HTTP head (request/status line, headers, final CRLF) accepted.
    pub max_head_bytes: usize,
    /// Most header lines accepted.
    pub max_headers: usize,
}

impl Default for Limits {
    /// 16 KiB and 64 headers.
    fn default() -> Self {
        Self {
            max_head_bytes: 16 * 1024,
            max_headers: 64,
        }
    }
}

/// One header line as received or to be sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Header {
    /// The name as written on the wire (compare case-insensitively).
    pub name: String,
    /// The value without surrounding whitespace.
    pub value: String,
}

impl Header {
    /// A header from a name and a value.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }

    /// Checks that this header can be sent verbatim.
    pub(crate) fn validate(&self) -> Result<(), HandshakeError> {
        let value_ok = self
            .value
            .bytes()
            .all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f));
        if is_token(&self.name) && value_ok {
            Ok(())
        } else {
            Err(HandshakeError::InvalidHeader {
                name: self.name.clone(),
            })
        }
    }
}

/// Values of every header called `name` (ASCII case-insensitive), in order.
pub(crate) fn values<'a>(headers: &'a [Header], name: &'a str) -> impl Iterator<Item = &'a str> {
    headers
        .iter()
        .filter(move |h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// The value of a header that must appear at most once.
pub(crate) fn single<'a>(
    headers: &'a [Header],
    name: &'static str,
) -> Result<Option<&'a str>, HandshakeError> {
    let mut it = values(headers, name);
    let first = it.next();
    if it.next().is_some() {
        return Err(HandshakeError::DuplicateHeader { name });
    }
    Ok(first)
}

/// Whether any comma-separated element of any `name` header equals `token`
/// ASCII case-insensitively (`Connection: keep-alive, Upgrade`).
pub(crate) fn list_contains(headers: &[Header], name: &str, token: &str) -> bool {
    values(headers, name)
        .flat_map(|v| v.split(','))
        .any(|t| t.trim_matches([' ', '\t']).eq_ignore_ascii_case(token))
}

/// Allocates the httparse header array for `limits`.
pub(crate) fn header_slots(limits: &Limits) -> Vec<httparse::Header<'static>> {
    vec![httparse::EMPTY_HEADER; limits.max_headers]
}

/// Maps an httparse outcome to ours, enforcing the size limit: `Ok(None)`
/// while the head is incomplete and still within the limit.
pub(crate) fn check_status(
    parsed: Result<httparse::Status<usize>, httparse::Error>,
    buffered: usize,
    limits: &Limits,
) -> Result<Option<usize>, HandshakeError> {
    let too_large = HandshakeError::HeadTooLarge {
        limit: limits.max_head_bytes,
    };
    match parsed {
        Ok(httparse::Status::Complete(n)) if n > limits.max_head_bytes => Err(too_large),
        Ok(httparse::Status::Complete(n)) => Ok(Some(n)),
        Ok(httparse::Status::Partial) if buffered > limits.max_head_bytes => Err(too_large),
        Ok(httparse::Status::Partial) => Ok(None),
        Err(httparse::Error::TooManyHeaders) => Err(HandshakeError::TooManyHeaders {
            limit: limits.max_headers,
        }),
        Err(e) => Err(HandshakeError::MalformedHttp {
            detail: e.to_string(),
        }),
    }
}

/// Copies parsed httparse headers into owned [`Header`]s.
pub(crate) fn collect(parsed: &[httparse::Header<'_>]) -> Result<Vec<Header>, HandshakeError> {
    parsed
        .iter()
        .map(|h| {
            let value =
                std::str::from_utf8(h.value).map_err(|_| HandshakeError::HeaderValueNotUtf8 {
                    name: h.name.to_owned(),
                })?;
            Ok(Header::new(h.name, value.trim_matches([' ', '\t'])))
        })
        .collect()
}

/// Appends `name: value\r\n`.
pub(crate) fn write_header(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Validates and appends caller-supplied headers.
pub(crate) fn write_extra(out: &mut Vec<u8>, extra: &[Header]) -> Result<(), HandshakeError> {
    for h in extra {
        h.validate()?;
        write_header(out, &h.name, &h.value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_token_list() {
        let h = [Header::new("connection", "keep-alive, Upgrade")];
        assert!(list_contains(&h, "Connection", "upgrade"));
        let h = [
            Header::new("Connection", "keep-alive"),
            Header::new("CONNECTION", " UPGRADE "),
        ];
        assert!(list_contains(&h, "Connection", "upgrade"));
        let h = [Header::new("Connection", "upgraded, keep-alive")];
        assert!(!list_contains(&h, "Connection", "upgrade"));
    }

    #[test]
    fn header_validation() {
        assert!(Header::new("X-A", "b c\td").validate().is_ok());
        assert!(Header::new("X A", "b").validate().is_err());
        assert!(Header::new("", "b").validate().is_err());
        assert!(Header::new("X-A", "b\r\nX-Injected: 1").validate().is_err());
    }
}
