//! The `Sec-WebSocket-Extensions` grammar (RFC 6455 §9.1), without any
//! extension's semantics:
//!
//! ```text
//! extension-list = 1#extension
//! extension      = token *( ";" extension-param )
//! extension-param = token [ "=" ( token | quoted-string ) ]
//! ```
//!
//! Optional whitespace is allowed around separators (RFC 2616 implied LWS);
//! a quoted value must be a token once unescaped.

use super::error::HandshakeError;
use super::token::{is_token, skip_ows, token_at};

/// One extension of an offer or a response, e.g.
/// `permessage-deflate; client_max_window_bits`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExtensionOffer {
    /// The extension token.
    pub name: String,
    /// Parameters in order: name and optional value (unquoted).
    pub params: Vec<(String, Option<String>)>,
}

impl ExtensionOffer {
    /// An extension without parameters.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            params: Vec::new(),
        }
    }

    /// Adds a parameter (builder style).
    #[must_use]
    pub fn param(mut self, name: impl Into<String>, value: Option<&str>) -> Self {
        self.params.push((name.into(), value.map(str::to_owned)));
        self
    }

    /// Checks that the name, parameter names and values are tokens.
    pub(crate) fn validate(&self) -> Result<(), HandshakeError> {
        let not_token = |what, value: &str| HandshakeError::NotAToken {
            what,
            value: value.to_owned(),
        };
        if !is_token(&self.name) {
            return Err(not_token("extension name", &self.name));
        }
        for (name, value) in &self.params {
            if !is_token(name) {
                return Err(not_token("extension parameter name", name));
            }
            if let Some(value) = value.as_deref().filter(|v| !is_token(v)) {
                return Err(not_token("extension parameter value", value));
            }
        }
        Ok(())
    }
}

/// Parses one `Sec-WebSocket-Extensions` value and appends its extensions to
/// `out`; several header lines are combined by calling this once per line.
/// Empty list elements are tolerated (RFC 7230 §7); an empty value is not.
pub fn parse_extensions(value: &str, out: &mut Vec<ExtensionOffer>) -> Result<(), HandshakeError> {
    let b = value.as_bytes();
    let err = |offset, expected| HandshakeError::MalformedExtensions { offset, expected };
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
        let (name, next) = token_at(b, i).ok_or(err(i, "an extension name token"))?;
        let mut ext = ExtensionOffer::new(name);
        i = skip_ows(b, next);
        while b.get(i) == Some(&b';') {
            i = skip_ows(b, i + 1);
            let (param, next) = token_at(b, i).ok_or(err(i, "a parameter name token"))?;
            i = skip_ows(b, next);
            let mut param_value = None;
            if b.get(i) == Some(&b'=') {
                i = skip_ows(b, i + 1);
                let (v, next) = if b.get(i) == Some(&b'"') {
                    let (v, next) = quoted_string(b, i)?;
                    if !is_token(&v) {
                        return Err(HandshakeError::ExtensionValueNotToken {
                            extension: ext.name,
                            param: param.to_owned(),
                        });
                    }
                    (v, next)
                } else {
                    let (v, next) = token_at(b, i).ok_or(err(i, "a parameter value"))?;
                    (v.to_owned(), next)
                };
                param_value = Some(v);
                i = skip_ows(b, next);
            }
            ext.params.push((param.to_owned(), param_value));
        }
        out.push(ext);
        found = true;
        match b.get(i) {
            None => break,
            Some(b',') => i += 1,
            Some(_) => return Err(err(i, "';', ',' or end of value")),
        }
    }
    if found {
        Ok(())
    } else {
        Err(err(i, "an extension name token"))
    }
}

/// Parses the quoted-string opening at `start`; returns the unescaped text and
/// the index after the closing quote.
fn quoted_string(b: &[u8], start: usize) -> Result<(String, usize), HandshakeError> {
    let err = |offset, expected| HandshakeError::MalformedExtensions { offset, expected };
    let mut out = Vec::new();
    let mut i = start + 1;
    loop {
        match b.get(i).copied() {
            None => return Err(err(i, "a closing '\"'")),
            Some(b'"') => break,
            Some(b'\\') => {
                match b.get(i + 1).copied() {
                    Some(c) if c == b'\t' || c >= 0x20 && c != 0x7f => out.push(c),
                    _ => return Err(err(i + 1, "an escaped character")),
                }
                i += 2;
            }
            Some(c) if c == b'\t' || c >= 0x20 && c != 0x7f => {
                out.push(c);
                i += 1;
            }
            Some(_) => return Err(err(i, "a quoted-string character")),
        }
    }
    // The input was a &str and escapes only drop ASCII backslashes, so this holds.
    let text = String::from_utf8(out).map_err(|_| err(start, "UTF-8 quoted text"))?;
    Ok((text, i + 1))
}

/// Renders an extension list (`a; x=1, b`), checking every part is a token.
pub fn format_extensions(extensions: &[ExtensionOffer]) -> Result<String, HandshakeError> {
    let mut out = String::new();
    for (n, ext) in extensions.iter().enumerate() {
        ext.validate()?;
        if n > 0 {
            out.push_str(", ");
        }
        out.push_str(&ext.name);
        for (name, value) in &ext.params {
            out.push_str("; ");
            out.push_str(name);
            if let Some(value) = value {
                out.push('=');
                out.push_str(value);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: &str) -> Result<Vec<ExtensionOffer>, HandshakeError> {
        let mut out = Vec::new();
        parse_extensions(v, &mut out).map(|()| out)
    }

    #[test]
    fn rfc7692_offer() {
        let got = parse(
            "permessage-deflate; client_max_window_bits, permessage-deflate; server_max_window_bits=\"10\"",
        )
        .unwrap();
        assert_eq!(
            got,
            [
                ExtensionOffer::new("permessage-deflate").param("client_max_window_bits", None),
                ExtensionOffer::new("permessage-deflate")
                    .param("server_max_window_bits", Some("10")),
            ]
        );
    }

    #[test]
    fn whitespace_and_escapes() {
        let got = parse(" foo ;a = 1 ;\tb=\"x\\-y\" ,, bar ").unwrap();
        assert_eq!(
            got,
            [
                ExtensionOffer::new("foo")
                    .param("a", Some("1"))
                    .param("b", Some("x-y")),
                ExtensionOffer::new("bar"),
            ]
        );
    }

    #[test]
    fn rejections() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 0, "an extension name token"),
            (" , ", 3, "an extension name token"),
            ("foo;", 4, "a parameter name token"),
            ("foo; =1", 5, "a parameter name token"),
            ("foo; a=", 7, "a parameter value"),
            ("foo; a=;", 7, "a parameter value"),
            ("foo bar", 4, "';', ',' or end of value"),
            ("foo; a=1 2", 9, "';', ',' or end of value"),
            ("foo; a=\"1", 9, "a closing '\"'"),
            ("foo; a=\"1\\", 10, "an escaped character"),
            ("foo; a=\"\u{1}\"", 8, "a quoted-string character"),
            ("(foo)", 0, "an extension name token"),
            ("foo; a=\"1\"x", 10, "';', ',' or end of value"),
        ];
        for &(v, offset, expected) in cases {
            assert_eq!(
                parse(v),
                Err(HandshakeError::MalformedExtensions { offset, expected }),
                "{v:?}"
            );
        }
        assert_eq!(
            parse("foo; a=\"x y\""),
            Err(HandshakeError::ExtensionValueNotToken {
                extension: "foo".into(),
                param: "a".into()
            })
        );
        assert_eq!(
            parse("foo; a=\"\""),
            Err(HandshakeError::ExtensionValueNotToken {
                extension: "foo".into(),
                param: "a".into()
            })
        );
    }

    #[test]
    fn format_round_trip() {
        let list = vec![
            ExtensionOffer::new("permessage-deflate")
                .param("client_no_context_takeover", None)
                .param("server_max_window_bits", Some("12")),
            ExtensionOffer::new("x-foo"),
        ];
        let text = format_extensions(&list).unwrap();
        assert_eq!(
            text,
            "permessage-deflate; client_no_context_takeover; server_max_window_bits=12, x-foo"
        );
        assert_eq!(parse(&text).unwrap(), list);
        assert!(format_extensions(&[ExtensionOffer::new("a b")]).is_err());
        assert!(format_extensions(&[ExtensionOffer::new("a").param("b", Some("1 2"))]).is_err());
    }
}
