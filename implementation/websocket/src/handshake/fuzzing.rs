//! Fuzz bodies, shared by the cargo-fuzz targets and the seed-replay test.
//! Each feeds arbitrary bytes whole and in chunks and panics only when an
//! invariant breaks.

use std::fmt::Debug;

use super::accept::decode_key;
use super::{
    AcceptOptions, ClientHandshake, ClientRequest, ExtensionOffer, HandshakeError, Limits, Request,
    error_response, parse_request,
};

/// Server side: parse `data` as an upgrade request.
pub fn request(data: &[u8]) {
    let limits = Limits::default();
    let full = parse_request(data, &limits);
    check_chunked(data, &full, |buf| parse_request(buf, &limits));
    let _ = parse_request(
        data,
        &Limits {
            max_head_bytes: data.len() / 2,
            max_headers: 2,
        },
    );
    match full {
        Ok(Some((request, consumed))) => {
            assert!(consumed <= data.len());
            check_rerender(&request, &limits);
            check_against_client(&request);
        }
        Ok(None) => {}
        Err(error) => check_refusal(&error),
    }
}

/// Client side: parse `data` as the answer to a fixed offer.
pub fn response(data: &[u8]) {
    let mut offer = ClientRequest::new("localhost", 9001, "/");
    offer.subprotocols = vec!["chat".into(), "wamp.2.json".into()];
    offer.extensions = vec![
        ExtensionOffer::new("permessage-deflate").param("client_max_window_bits", None),
        ExtensionOffer::new("x-test"),
    ];
    let Ok((client, _)) = ClientHandshake::new(&offer, *b"the sample nonce", Limits::default())
    else {
        panic!("the fixed offer is valid");
    };
    let full = client.parse_response(data);
    check_chunked(data, &full, |buf| client.parse_response(buf));
    if let Ok(Some((accepted, consumed))) = full {
        assert!(consumed <= data.len());
        if let Some(p) = &accepted.subprotocol {
            assert!(offer.subprotocols.contains(p));
        }
        for ext in &accepted.extensions {
            assert!(
                offer
                    .extensions
                    .iter()
                    .any(|o| o.name.eq_ignore_ascii_case(&ext.name))
            );
        }
    }
}

/// A caller re-offering a growing buffer sees `None` until the head is
/// complete and then exactly the whole-buffer result.
fn check_chunked<T: PartialEq + Debug>(
    data: &[u8],
    full: &Result<Option<(T, usize)>, HandshakeError>,
    parse: impl Fn(&[u8]) -> Result<Option<(T, usize)>, HandshakeError>,
) {
    let step = 1 + usize::from(data.first().copied().unwrap_or(0) % 16);
    let mut ends: Vec<usize> = (0..data.len()).step_by(step).collect();
    match full {
        Ok(Some((_, consumed))) => {
            ends.extend([consumed.saturating_sub(1), *consumed]);
            for end in ends {
                let Some(prefix) = data.get(..end) else {
                    continue;
                };
                let got = parse(prefix);
                if end < *consumed {
                    assert!(
                        matches!(got, Ok(None)),
                        "prefix {end} of a complete head: {got:?}"
                    );
                } else {
                    assert_eq!(&got, full, "prefix {end} holding the whole head");
                }
            }
        }
        Ok(None) => {
            for end in ends {
                let Some(prefix) = data.get(..end) else {
                    continue;
                };
                let got = parse(prefix);
                assert!(
                    matches!(got, Ok(None)),
                    "prefix {end} of a partial head: {got:?}"
                );
            }
        }
        Err(_) => {
            for end in ends {
                if let Some(prefix) = data.get(..end) {
                    let _ = parse(prefix);
                }
            }
        }
    }
}

/// Renders a parsed request back to bytes.
fn render(request: &Request) -> Vec<u8> {
    let mut out = format!("GET {}", request.path).into_bytes();
    if let Some(query) = &request.query {
        out.push(b'?');
        out.extend_from_slice(query.as_bytes());
    }
    out.extend_from_slice(b" HTTP/1.1\r\n");
    for h in &request.headers {
        out.extend_from_slice(format!("{}: {}\r\n", h.name, h.value).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// A parsed request re-rendered and re-parsed yields the same request.
fn check_rerender(request: &Request, limits: &Limits) {
    let bytes = render(request);
    let reparsed = parse_request(&bytes, limits);
    // Re-rendering can only shrink the head (single spaces, no obs-fold), so
    // it stays within the limits.
    assert_eq!(
        reparsed,
        Ok(Some((request.clone(), bytes.len()))),
        "re-rendered {bytes:?}"
    );
}

/// Our 101 answer to an accepted request satisfies a client that offered
/// exactly what the request offered.
fn check_against_client(request: &Request) {
    let Some(nonce) = decode_key(&request.key) else {
        panic!("an accepted key decodes to 16 bytes");
    };
    let options = AcceptOptions {
        subprotocol: request.subprotocols.first().cloned(),
        extensions: request.extensions.clone(),
        extra_headers: Vec::new(),
    };
    let answer = request.accept(&options);
    let Ok(answer) = answer else {
        panic!("accepting offered values failed: {answer:?}");
    };
    let mut offer = ClientRequest::new("localhost", 80, "/");
    offer.subprotocols = request.subprotocols.clone();
    offer.extensions = request.extensions.clone();
    let client = ClientHandshake::new(&offer, nonce, Limits::default());
    let Ok((client, _)) = client else {
        panic!("offering parsed values failed: {client:?}");
    };
    let outcome = client.parse_response(&answer);
    let Ok(Some((accepted, consumed))) = outcome else {
        panic!("client refused our 101: {outcome:?}");
    };
    assert_eq!(consumed, answer.len());
    assert_eq!(accepted.subprotocol, options.subprotocol);
    assert_eq!(accepted.extensions, options.extensions);
}

/// The refusal for a rejected request is a well-formed response with the
/// error's status.
fn check_refusal(error: &HandshakeError) {
    let bytes = error_response(error);
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut response = httparse::Response::new(&mut headers);
    let parsed = response.parse(&bytes);
    assert!(
        matches!(parsed, Ok(httparse::Status::Complete(_))),
        "refusal does not parse: {parsed:?}"
    );
    assert_eq!(response.code, Some(error.status()));
}
