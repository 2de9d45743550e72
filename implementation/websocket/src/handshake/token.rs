//! HTTP tokens (RFC 7230 §3.2.6) and the subprotocol list (RFC 6455 §4.1, §11.3.4).

use super::error::HandshakeError;

/// Whether `b` is an RFC 7230 `tchar`.
pub(crate) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Whether `s` is a non-empty HTTP token.
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

/// Index of the first byte at or after `i` that is not SP or HTAB.
pub(crate) fn skip_ows(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// The token starting at `i` and the index after it, if one starts there.
pub(crate) fn token_at(b: &[u8], i: usize) -> Option<(&str, usize)> {
    let rest = b.get(i..)?;
    let len = rest.iter().take_while(|&&c| is_tchar(c)).count();
    if len == 0 {
        return None;
    }
    // tchars are ASCII, so this cannot fail; stay panic-free anyway.
    let token = std::str::from_utf8(rest.get(..len)?).ok()?;
    Some((token, i + len))
}

/// Parses one `Sec-WebSocket-Protocol` value (`1#token`) and appends its
/// tokens to `out`. Empty list elements (`a, , b`) are tolerated as RFC 7230
/// §7 requires, but the value must hold at least one token.
pub fn parse_subprotocols(value: &str, out: &mut Vec<String>) -> Result<(), HandshakeError> {
    let b = value.as_bytes();
    let err = |offset, expected| HandshakeError::MalformedSubprotocols { offset, expected };
    let mut i = 0;
    let mut found = false;
    loop {
        i = skip_ows(b, i);
        match b.get(i) {
            None => break,
            Some(b',') => {
                i += 1;
                continue;
            }
            Some(_) => {}
        }
        let (token, next) = token_at(b, i).ok_or(err(i, "a subprotocol token"))?;
        out.push(token.to_owned());
        found = true;
        i = skip_ows(b, next);
        match b.get(i) {
            None => break,
            Some(b',') => i += 1,
            Some(_) => return Err(err(i, "',' or end of value")),
        }
    }
    if found {
        Ok(())
    } else {
        Err(err(i, "a subprotocol token"))
    }
}

/// Renders a subprotocol list, checking each name is a token and unique.
pub fn format_subprotocols(protocols: &[String]) -> Result<String, HandshakeError> {
    for (n, p) in protocols.iter().enumerate() {
        if !is_token(p) {
            return Err(HandshakeError::NotAToken {
                what: "subprotocol",
                value: p.clone(),
            });
        }
        if protocols.iter().take(n).any(|q| q == p) {
            return Err(HandshakeError::DuplicateSubprotocol {
                protocol: p.clone(),
            });
        }
    }
    Ok(protocols.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: &str) -> Result<Vec<String>, HandshakeError> {
        let mut out = Vec::new();
        parse_subprotocols(v, &mut out).map(|()| out)
    }

    #[test]
    fn lists() {
        assert_eq!(parse("chat").unwrap(), ["chat"]);
        assert_eq!(parse(" chat ,\tsuperchat ").unwrap(), ["chat", "superchat"]);
        assert_eq!(parse("a,,b,").unwrap(), ["a", "b"]);
        assert_eq!(parse("wamp.2.json").unwrap(), ["wamp.2.json"]);
    }

    #[test]
    fn rejections() {
        let cases: &[(&str, usize)] = &[("", 0), (" , ", 3), ("a b", 2), ("a;b", 1), ("\"a\"", 0)];
        for &(v, offset) in cases {
            match parse(v) {
                Err(HandshakeError::MalformedSubprotocols { offset: o, .. }) => {
                    assert_eq!(o, offset, "{v:?}")
                }
                other => panic!("{v:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn format() {
        let list = vec!["a".to_owned(), "b.c".to_owned()];
        assert_eq!(format_subprotocols(&list).unwrap(), "a, b.c");
        assert!(format_subprotocols(&["a b".to_owned()]).is_err());
        assert!(format_subprotocols(&["a".to_owned(), "a".to_owned()]).is_err());
    }
}
