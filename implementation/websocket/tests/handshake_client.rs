//! Client role: the rendered request, response parsing (whole and split at
//! every byte) and the rejection of every bad answer.

use ampel_websocket::handshake::{
    Accepted, ClientHandshake, ClientRequest, ExtensionOffer, HandshakeError, Header, Limits,
    accept_key, parse_request,
};

const NONCE: [u8; 16] = *b"the sample nonce";
const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

fn offer() -> ClientRequest {
    let mut request = ClientRequest::new("server.example.com", 80, "/chat");
    request.origin = Some("http://example.com".into());
    request.subprotocols = vec!["chat".into(), "superchat".into()];
    request
}

fn client(request: &ClientRequest) -> ClientHandshake {
    ClientHandshake::new(request, NONCE, Limits::default())
        .unwrap()
        .0
}

/// Parses `bytes` whole, then as a growing buffer split at every position.
fn parse_split(
    client: &ClientHandshake,
    bytes: &[u8],
) -> Result<Option<(Accepted, usize)>, HandshakeError> {
    let whole = client.parse_response(bytes);
    // Where the head ends, for outcomes decided once the head is complete.
    let head_end = match &whole {
        Ok(Some((_, n))) => Some(*n),
        Err(HandshakeError::UnexpectedStatus { .. }) => bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|p| p + 4),
        _ => None,
    };
    if let Some(consumed) = head_end {
        for end in 0..consumed {
            assert_eq!(
                client.parse_response(&bytes[..end]),
                Ok(None),
                "prefix {end}"
            );
        }
        for end in consumed..=bytes.len() {
            assert_eq!(client.parse_response(&bytes[..end]), whole, "prefix {end}");
        }
    }
    whole
}

fn response(headers: &[&str]) -> Vec<u8> {
    let mut out = String::from("HTTP/1.1 101 Switching Protocols\r\n");
    for h in headers {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.into_bytes()
}

const BASE: &[&str] = &[
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
];

fn with(extra: &[&str]) -> Vec<u8> {
    response(&[BASE, extra].concat())
}

fn without(name: &str, extra: &[&str]) -> Vec<u8> {
    let mut headers: Vec<&str> = BASE
        .iter()
        .copied()
        .filter(|h| !h.starts_with(name))
        .collect();
    headers.extend_from_slice(extra);
    response(&headers)
}

#[test]
fn rfc_example_request_bytes() {
    let (state, bytes) = ClientHandshake::new(&offer(), NONCE, Limits::default()).unwrap();
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        "GET /chat HTTP/1.1\r\n\
Host: server.example.com\r\n\
Upgrade: websocket\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
Sec-WebSocket-Version: 13\r\n\
Origin: http://example.com\r\n\
Sec-WebSocket-Protocol: chat, superchat\r\n\
\r\n"
    );
    assert_eq!(state.expected_accept(), ACCEPT);
    assert_eq!(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), ACCEPT);
}

#[test]
fn request_parses_on_the_server() {
    let mut request = offer();
    request.port = 9001;
    request.resource = "/ws?x=1".into();
    request.extensions =
        vec![ExtensionOffer::new("permessage-deflate").param("client_max_window_bits", None)];
    request.extra_headers = vec![Header::new("User-Agent", "ampel")];
    let (_, bytes) = ClientHandshake::new(&request, NONCE, Limits::default()).unwrap();
    let (parsed, consumed) = parse_request(&bytes, &Limits::default()).unwrap().unwrap();
    assert_eq!(consumed, bytes.len());
    assert_eq!(parsed.host, "server.example.com:9001");
    assert_eq!(parsed.path, "/ws");
    assert_eq!(parsed.query.as_deref(), Some("x=1"));
    assert_eq!(parsed.subprotocols, request.subprotocols);
    assert_eq!(parsed.extensions, request.extensions);
    assert_eq!(
        parsed.headers.last(),
        Some(&Header::new("User-Agent", "ampel"))
    );
}

#[test]
fn host_header_forms() {
    let host = |host: &str, port, tls| {
        let mut request = ClientRequest::new(host, port, "/");
        request.tls = tls;
        let (_, bytes) = ClientHandshake::new(&request, NONCE, Limits::default())?;
        let (parsed, _) = parse_request(&bytes, &Limits::default())?.unwrap();
        Ok::<_, HandshakeError>(parsed.host)
    };
    assert_eq!(host("example.com", 80, false).unwrap(), "example.com");
    assert_eq!(host("example.com", 443, true).unwrap(), "example.com");
    assert_eq!(host("example.com", 80, true).unwrap(), "example.com:80");
    assert_eq!(host("127.0.0.1", 9001, false).unwrap(), "127.0.0.1:9001");
    assert_eq!(host("::1", 9001, false).unwrap(), "[::1]:9001");
    assert_eq!(host("[::1]", 80, false).unwrap(), "[::1]");
    for bad in ["", "a b", "a:80", "a/b", "[x]", "a\r\nX: y"] {
        assert_eq!(
            host(bad, 80, false),
            Err(HandshakeError::InvalidHost { host: bad.into() }),
            "{bad:?}"
        );
    }
}

#[test]
fn builder_rejections() {
    let build = |edit: &dyn Fn(&mut ClientRequest)| {
        let mut request = offer();
        edit(&mut request);
        ClientHandshake::new(&request, NONCE, Limits::default()).map(|_| ())
    };
    assert_eq!(
        build(&|r| r.resource = "chat".into()),
        Err(HandshakeError::InvalidRequestTarget {
            target: "chat".into()
        })
    );
    assert_eq!(
        build(&|r| r.resource = "/a b".into()),
        Err(HandshakeError::InvalidRequestTarget {
            target: "/a b".into()
        })
    );
    assert_eq!(
        build(&|r| r.subprotocols.push("a,b".into())),
        Err(HandshakeError::NotAToken {
            what: "subprotocol",
            value: "a,b".into()
        })
    );
    assert_eq!(
        build(&|r| r.subprotocols.push("chat".into())),
        Err(HandshakeError::DuplicateSubprotocol {
            protocol: "chat".into()
        })
    );
    assert_eq!(
        build(&|r| r
            .extensions
            .push(ExtensionOffer::new("x").param("p", Some("a b")))),
        Err(HandshakeError::NotAToken {
            what: "extension parameter value",
            value: "a b".into()
        })
    );
    assert_eq!(
        build(&|r| r.origin = Some("http://a\r\nX: y".into())),
        Err(HandshakeError::InvalidHeader {
            name: "Origin".into()
        })
    );
    assert_eq!(
        build(&|r| r.extra_headers.push(Header::new("Bad Name", "v"))),
        Err(HandshakeError::InvalidHeader {
            name: "Bad Name".into()
        })
    );
}

#[test]
fn accepted_minimal() {
    let client = client(&offer());
    let bytes = with(&[]);
    let (accepted, consumed) = parse_split(&client, &bytes).unwrap().unwrap();
    assert_eq!(consumed, bytes.len());
    assert_eq!(accepted.subprotocol, None);
    assert!(accepted.extensions.is_empty());
    assert_eq!(accepted.headers.len(), 3);
}

#[test]
fn accepted_with_selection_and_trailing_frame() {
    let mut request = offer();
    request.extensions = vec![
        ExtensionOffer::new("permessage-deflate").param("client_max_window_bits", None),
        ExtensionOffer::new("permessage-deflate"),
    ];
    let client = client(&request);
    let mut bytes = response(&[
        "upgrade: WebSocket",
        "connection: keep-alive, upgrade",
        "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
        "Sec-WebSocket-Protocol: superchat",
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10",
        "Server: test",
    ]);
    let head = bytes.len();
    bytes.extend_from_slice(b"\x81\x05Hello");
    let (accepted, consumed) = parse_split(&client, &bytes).unwrap().unwrap();
    assert_eq!(consumed, head);
    assert_eq!(accepted.subprotocol.as_deref(), Some("superchat"));
    assert_eq!(
        accepted.extensions,
        [ExtensionOffer::new("permessage-deflate").param("client_max_window_bits", Some("10"))]
    );
    assert_eq!(
        accepted.headers.last(),
        Some(&Header::new("Server", "test"))
    );
}

#[test]
fn rejections() {
    let mut request = offer();
    request.extensions = vec![ExtensionOffer::new("permessage-deflate")];
    let client = client(&request);
    let cases: Vec<(Vec<u8>, HandshakeError)> = vec![
        (
            b"HTTP/1.1 403 Forbidden\r\nX-Why: no\r\nContent-Length: 3\r\n\r\nno!".to_vec(),
            HandshakeError::UnexpectedStatus {
                status: 403,
                reason: "Forbidden".into(),
                headers: vec![
                    Header::new("X-Why", "no"),
                    Header::new("Content-Length", "3"),
                ],
            },
        ),
        (
            b"HTTP/1.1 200 OK\r\n\r\n".to_vec(),
            HandshakeError::UnexpectedStatus {
                status: 200,
                reason: "OK".into(),
                headers: vec![],
            },
        ),
        (
            [b"HTTP/1.0".as_slice(), &with(&[])[8..]].concat(),
            HandshakeError::HttpVersionNot11 { minor: 0 },
        ),
        (
            without("Upgrade", &[]),
            HandshakeError::MissingHeader { name: "Upgrade" },
        ),
        (
            without("Upgrade", &["Upgrade: h2c"]),
            HandshakeError::UpgradeNotWebSocket {
                value: "h2c".into(),
            },
        ),
        (
            with(&["Upgrade: websocket"]),
            HandshakeError::DuplicateHeader { name: "Upgrade" },
        ),
        (
            without("Connection", &[]),
            HandshakeError::ConnectionNotUpgrade,
        ),
        (
            without("Connection", &["Connection: close"]),
            HandshakeError::ConnectionNotUpgrade,
        ),
        (
            without("Sec-WebSocket-Accept", &[]),
            HandshakeError::MissingHeader {
                name: "Sec-WebSocket-Accept",
            },
        ),
        (
            without(
                "Sec-WebSocket-Accept",
                &["Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ=="],
            ),
            HandshakeError::AcceptMismatch {
                expected: ACCEPT.into(),
                actual: "dGhlIHNhbXBsZSBub25jZQ==".into(),
            },
        ),
        (
            with(&["Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="]),
            HandshakeError::DuplicateHeader {
                name: "Sec-WebSocket-Accept",
            },
        ),
        (
            with(&["Sec-WebSocket-Protocol: mqtt"]),
            HandshakeError::SubprotocolNotOffered {
                protocol: "mqtt".into(),
            },
        ),
        (
            with(&["Sec-WebSocket-Protocol: chat, superchat"]),
            HandshakeError::SeveralSubprotocolsSelected,
        ),
        (
            with(&[
                "Sec-WebSocket-Protocol: chat",
                "Sec-WebSocket-Protocol: chat",
            ]),
            HandshakeError::SeveralSubprotocolsSelected,
        ),
        (
            with(&["Sec-WebSocket-Protocol: "]),
            HandshakeError::MalformedSubprotocols {
                offset: 0,
                expected: "a subprotocol token",
            },
        ),
        (
            with(&["Sec-WebSocket-Extensions: x-webkit-deflate-frame"]),
            HandshakeError::ExtensionNotOffered {
                name: "x-webkit-deflate-frame".into(),
            },
        ),
        (
            with(&["Sec-WebSocket-Extensions: permessage-deflate; a=\"b c\""]),
            HandshakeError::ExtensionValueNotToken {
                extension: "permessage-deflate".into(),
                param: "a".into(),
            },
        ),
        (
            b"HTTP/1.1 1O1 Switching\r\n\r\n".to_vec(),
            HandshakeError::MalformedHttp {
                detail: "invalid response status".into(),
            },
        ),
    ];
    for (bytes, expected) in cases {
        assert_eq!(
            parse_split(&client, &bytes),
            Err(expected),
            "{}",
            String::from_utf8_lossy(&bytes)
        );
    }
}

#[test]
fn limits() {
    let tight = Limits {
        max_head_bytes: 64,
        max_headers: 2,
    };
    let (client, _) = ClientHandshake::new(&offer(), NONCE, tight).unwrap();
    assert_eq!(
        client.parse_response(&with(&[])),
        Err(HandshakeError::TooManyHeaders { limit: 2 })
    );
    assert_eq!(
        client.parse_response(format!("HTTP/1.1 101 {}", "a".repeat(60)).as_bytes()),
        Err(HandshakeError::HeadTooLarge { limit: 64 })
    );
}
