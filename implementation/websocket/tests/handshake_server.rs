//! Server role: request parsing (whole and split at every byte), rejections,
//! the 101 answer and refusals.

use ampel_websocket::handshake::{
    AcceptOptions, ExtensionOffer, HandshakeError, Header, Limits, Request, error_response,
    parse_request, reject,
};

/// RFC 6455 §1.2 client handshake, with the version header of §4.1.
const RFC_REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\n\
Host: server.example.com\r\n\
Upgrade: websocket\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
Origin: http://example.com\r\n\
Sec-WebSocket-Protocol: chat, superchat\r\n\
Sec-WebSocket-Version: 13\r\n\
\r\n";

/// Parses `bytes` whole, then as a growing buffer split at every position:
/// every shorter prefix needs more, the full one yields the same result.
fn parse_split(bytes: &[u8]) -> Result<Option<(Request, usize)>, HandshakeError> {
    let limits = Limits::default();
    let whole = parse_request(bytes, &limits);
    if let Ok(Some((_, consumed))) = &whole {
        for end in 0..*consumed {
            assert_eq!(
                parse_request(&bytes[..end], &limits),
                Ok(None),
                "prefix {end}"
            );
        }
        for end in *consumed..=bytes.len() {
            assert_eq!(parse_request(&bytes[..end], &limits), whole, "prefix {end}");
        }
    }
    whole
}

fn parse_ok(bytes: &[u8]) -> Request {
    let (request, consumed) = parse_split(bytes).unwrap().unwrap();
    assert!(consumed <= bytes.len());
    request
}

fn with_headers(target: &str, headers: &[&str]) -> Vec<u8> {
    let mut out = format!("GET {target} HTTP/1.1\r\n");
    for h in headers {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.into_bytes()
}

const BASE: &[&str] = &[
    "Host: localhost:9001",
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
];

#[test]
fn rfc_example_request() {
    let request = parse_ok(RFC_REQUEST);
    assert_eq!(request.path, "/chat");
    assert_eq!(request.query, None);
    assert_eq!(request.host, "server.example.com");
    assert_eq!(request.origin.as_deref(), Some("http://example.com"));
    assert_eq!(request.key, "dGhlIHNhbXBsZSBub25jZQ==");
    assert_eq!(request.subprotocols, ["chat", "superchat"]);
    assert!(request.extensions.is_empty());
    assert_eq!(request.headers.len(), 7);
    assert_eq!(
        request.headers[0],
        Header::new("Host", "server.example.com")
    );
}

#[test]
fn rfc_example_answer() {
    let request = parse_ok(RFC_REQUEST);
    let options = AcceptOptions {
        subprotocol: Some("chat".into()),
        ..AcceptOptions::default()
    };
    let answer = request.accept(&options).unwrap();
    assert_eq!(
        answer,
        b"HTTP/1.1 101 Switching Protocols\r\n\
Upgrade: websocket\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
Sec-WebSocket-Protocol: chat\r\n\
\r\n"
    );
}

#[test]
fn trailing_bytes_are_not_consumed() {
    let mut bytes = RFC_REQUEST.to_vec();
    bytes.extend_from_slice(b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58");
    let (_, consumed) = parse_split(&bytes).unwrap().unwrap();
    assert_eq!(consumed, RFC_REQUEST.len());
}

#[test]
fn lenient_but_valid_forms() {
    let request = parse_ok(&with_headers(
        "/a/b?x=1&y",
        &[
            "host: h",
            "upgrade: WebSocket",
            "connection: keep-alive, Upgrade",
            "sec-websocket-key: AAAAAAAAAAAAAAAAAAAAAA==",
            "sec-websocket-version: 13",
            "Sec-WebSocket-Protocol: a",
            "Sec-WebSocket-Protocol: b, c",
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
            "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover, x-y",
            "X-Other:   spaced value  ",
        ],
    ));
    assert_eq!(request.path, "/a/b");
    assert_eq!(request.query.as_deref(), Some("x=1&y"));
    assert_eq!(request.subprotocols, ["a", "b", "c"]);
    assert_eq!(
        request.extensions,
        [
            ExtensionOffer::new("permessage-deflate").param("client_max_window_bits", None),
            ExtensionOffer::new("permessage-deflate").param("server_no_context_takeover", None),
            ExtensionOffer::new("x-y"),
        ]
    );
    assert_eq!(
        request.headers.last(),
        Some(&Header::new("X-Other", "spaced value"))
    );
    // Upgrade as a list, Connection split over two lines.
    parse_ok(&with_headers(
        "/",
        &[
            "Host: h",
            "Upgrade: foo/2, websocket",
            "Connection: keep-alive",
            "Connection: upgrade",
            "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==",
            "Sec-WebSocket-Version: 13",
        ],
    ));
}

/// Replaces the header of `BASE` whose name starts like `drop` (or adds `add`).
fn variant(drop: Option<&str>, add: &[&str]) -> Vec<u8> {
    let mut headers: Vec<&str> = BASE
        .iter()
        .copied()
        .filter(|h| drop.is_none_or(|d| !h.starts_with(d)))
        .collect();
    headers.extend_from_slice(add);
    with_headers("/", &headers)
}

#[test]
fn rejections() {
    let key_err = |key: &str| HandshakeError::InvalidKey { key: key.into() };
    let missing = |name| HandshakeError::MissingHeader { name };
    let cases: Vec<(Vec<u8>, HandshakeError)> = vec![
        (
            [b"POST".as_slice(), &RFC_REQUEST[3..]].concat(),
            HandshakeError::MethodNotGet {
                method: "POST".into(),
            },
        ),
        (
            b"GET / HTTP/1.0\r\nHost: h\r\n\r\n".to_vec(),
            HandshakeError::HttpVersionNot11 { minor: 0 },
        ),
        (
            with_headers("*", BASE),
            HandshakeError::InvalidRequestTarget { target: "*".into() },
        ),
        (
            with_headers("http://h/", BASE),
            HandshakeError::InvalidRequestTarget {
                target: "http://h/".into(),
            },
        ),
        (variant(Some("Host"), &[]), missing("Host")),
        (
            variant(None, &["Host: other"]),
            HandshakeError::DuplicateHeader { name: "Host" },
        ),
        (variant(Some("Upgrade"), &[]), missing("Upgrade")),
        (
            variant(Some("Upgrade"), &["Upgrade: h2c"]),
            HandshakeError::UpgradeNotWebSocket {
                value: "h2c".into(),
            },
        ),
        (
            variant(Some("Connection"), &[]),
            HandshakeError::ConnectionNotUpgrade,
        ),
        (
            variant(Some("Connection"), &["Connection: keep-alive"]),
            HandshakeError::ConnectionNotUpgrade,
        ),
        (
            variant(Some("Sec-WebSocket-Version"), &[]),
            HandshakeError::UnsupportedVersion { version: None },
        ),
        (
            variant(Some("Sec-WebSocket-Version"), &["Sec-WebSocket-Version: 8"]),
            HandshakeError::UnsupportedVersion {
                version: Some("8".into()),
            },
        ),
        (
            variant(None, &["Sec-WebSocket-Version: 13"]),
            HandshakeError::DuplicateHeader {
                name: "Sec-WebSocket-Version",
            },
        ),
        (
            variant(Some("Sec-WebSocket-Key"), &[]),
            missing("Sec-WebSocket-Key"),
        ),
        (
            variant(Some("Sec-WebSocket-Key"), &["Sec-WebSocket-Key: c2hvcnQ="]),
            key_err("c2hvcnQ="),
        ),
        (
            variant(
                Some("Sec-WebSocket-Key"),
                &["Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ"],
            ),
            key_err("dGhlIHNhbXBsZSBub25jZQ"),
        ),
        (
            variant(None, &["Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA=="]),
            HandshakeError::DuplicateHeader {
                name: "Sec-WebSocket-Key",
            },
        ),
        (
            variant(None, &["Sec-WebSocket-Protocol: a b"]),
            HandshakeError::MalformedSubprotocols {
                offset: 2,
                expected: "',' or end of value",
            },
        ),
        (
            variant(
                None,
                &["Sec-WebSocket-Protocol: a", "Sec-WebSocket-Protocol: a"],
            ),
            HandshakeError::DuplicateSubprotocol {
                protocol: "a".into(),
            },
        ),
        (
            variant(None, &["Sec-WebSocket-Extensions: foo;"]),
            HandshakeError::MalformedExtensions {
                offset: 4,
                expected: "a parameter name token",
            },
        ),
        (
            variant(None, &["Origin: a", "Origin: b"]),
            HandshakeError::DuplicateHeader { name: "Origin" },
        ),
        (
            [b"\x00".as_slice(), &variant(None, &[])].concat(),
            HandshakeError::MalformedHttp {
                detail: "invalid token".into(),
            },
        ),
    ];
    for (bytes, expected) in cases {
        assert_eq!(
            parse_split(&bytes),
            Err(expected.clone()),
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        // Every rejection yields a parseable refusal with the right status.
        let refusal = error_response(&expected);
        let text = String::from_utf8(refusal).unwrap();
        assert!(
            text.starts_with(&format!("HTTP/1.1 {} ", expected.status())),
            "{text}"
        );
    }
}

#[test]
fn non_utf8_header_value() {
    let mut bytes = variant(None, &["X-Bin: \u{1}"]);
    let at = bytes.windows(1).position(|w| w == [1]).unwrap();
    bytes[at] = 0xff;
    assert_eq!(
        parse_split(&bytes),
        Err(HandshakeError::HeaderValueNotUtf8 {
            name: "X-Bin".into()
        })
    );
}

#[test]
fn limits() {
    let many: Vec<String> = (0..70).map(|n| format!("X-{n}: v")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    assert_eq!(
        parse_request(&variant(None, &many), &Limits::default()),
        Err(HandshakeError::TooManyHeaders { limit: 64 })
    );
    let small = Limits {
        max_head_bytes: 64,
        max_headers: 64,
    };
    // An incomplete head grows past the limit: refused, not buffered.
    assert_eq!(
        parse_request(&[b'a'; 65], &small).map_err(|e| e.status()),
        Err(431)
    );
    let partial = &RFC_REQUEST[..70];
    assert_eq!(
        parse_request(partial, &small),
        Err(HandshakeError::HeadTooLarge { limit: 64 })
    );
    assert_eq!(parse_request(&RFC_REQUEST[..64], &small), Ok(None));
    // A complete head over the limit is refused too.
    assert_eq!(
        parse_request(RFC_REQUEST, &small),
        Err(HandshakeError::HeadTooLarge { limit: 64 })
    );
    let big = "X-Big: ".to_owned() + &"v".repeat(17 * 1024);
    let err = parse_request(&variant(None, &[&big]), &Limits::default()).unwrap_err();
    assert_eq!(err, HandshakeError::HeadTooLarge { limit: 16 * 1024 });
    assert_eq!(err.status(), 431);
}

#[test]
fn accept_checks_the_selection() {
    let request = parse_ok(&variant(
        None,
        &[
            "Sec-WebSocket-Protocol: wamp.2.json",
            "Sec-WebSocket-Extensions: permessage-deflate",
        ],
    ));
    let not_offered = AcceptOptions {
        subprotocol: Some("chat".into()),
        ..AcceptOptions::default()
    };
    assert_eq!(
        request.accept(&not_offered),
        Err(HandshakeError::SubprotocolNotOffered {
            protocol: "chat".into()
        })
    );
    let ext_not_offered = AcceptOptions {
        extensions: vec![ExtensionOffer::new("x-foo")],
        ..AcceptOptions::default()
    };
    assert_eq!(
        request.accept(&ext_not_offered),
        Err(HandshakeError::ExtensionNotOffered {
            name: "x-foo".into()
        })
    );
    let bad_header = AcceptOptions {
        extra_headers: vec![Header::new("X-A", "1\r\nX-B: 2")],
        ..AcceptOptions::default()
    };
    assert_eq!(
        request.accept(&bad_header),
        Err(HandshakeError::InvalidHeader { name: "X-A".into() })
    );
    let full = AcceptOptions {
        subprotocol: Some("wamp.2.json".into()),
        extensions: vec![
            ExtensionOffer::new("permessage-deflate").param("server_max_window_bits", Some("10")),
        ],
        extra_headers: vec![Header::new("Server", "ampel")],
    };
    let answer = String::from_utf8(request.accept(&full).unwrap()).unwrap();
    assert_eq!(
        answer,
        "HTTP/1.1 101 Switching Protocols\r\n\
Upgrade: websocket\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
Sec-WebSocket-Protocol: wamp.2.json\r\n\
Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10\r\n\
Server: ampel\r\n\
\r\n"
    );
}

#[test]
fn refusals() {
    let version = error_response(&HandshakeError::UnsupportedVersion {
        version: Some("8".into()),
    });
    let text = String::from_utf8(version).unwrap();
    assert!(
        text.starts_with("HTTP/1.1 426 Upgrade Required\r\n"),
        "{text}"
    );
    assert!(text.contains("\r\nSec-WebSocket-Version: 13\r\n"), "{text}");
    let text = String::from_utf8(reject(404, "no such path", &[]).unwrap()).unwrap();
    assert_eq!(
        text,
        "HTTP/1.1 404 Not Found\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Length: 12\r\n\
Connection: close\r\n\
\r\n\
no such path"
    );
    let text = String::from_utf8(error_response(&HandshakeError::MethodNotGet {
        method: "PUT".into(),
    }))
    .unwrap();
    assert!(
        text.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"),
        "{text}"
    );
    assert!(text.contains("\r\nAllow: GET\r\n"), "{text}");
    assert_eq!(
        reject(200, "", &[]),
        Err(HandshakeError::NotAnErrorStatus { status: 200 })
    );
}
