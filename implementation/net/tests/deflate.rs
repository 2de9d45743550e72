//! permessage-deflate (RFC 7692) through ampel-net over 127.0.0.1: our client
//! against our server for every parameter combination, offers in preference
//! order, declined offers, responses the client must refuse (a scripted raw
//! server), RSV1 and context takeover checked on the wire (raw sockets),
//! 16 MiB messages, `min_size`, and inflation bombs against a small limit.

mod common;

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use ampel_net::{
    ClientConfig, ClientDeflate, ClientOffers, CloseCode, DeflateParams, Direction, Error, Message,
    MessageKind, NegotiationError, OfferParams, ServerConfig, ServerDeflate, ServerPolicy,
    WebSocketConfig, WindowBitsRequest, client_handshake, connect_with,
};
use ampel_websocket::ProtocolError;
use ampel_websocket::handshake::{ClientRequest, Request, accept_key, parse_request};
use common::{listener, payload, run, serve_one};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

// ----- helpers ---------------------------------------------------------------

fn dir(no_context_takeover: bool, window_bits: u8) -> Direction {
    Direction {
        no_context_takeover,
        window_bits,
    }
}

fn params(client: Direction, server: Direction) -> DeflateParams {
    DeflateParams { client, server }
}

fn client_config(offers: Vec<OfferParams>) -> ClientConfig {
    let mut config = ClientConfig::default();
    config.deflate = Some(ClientDeflate::new(ClientOffers { offers }));
    config
}

fn server_config(policy: ServerPolicy) -> ServerConfig {
    let mut config = ServerConfig::default();
    config.deflate = Some(ServerDeflate::new(policy));
    config
}

/// An echo server reporting each connection's negotiated parameters.
async fn reporting_echo_server(
    config: ServerConfig,
) -> (SocketAddr, mpsc::UnboundedReceiver<Option<DeflateParams>>) {
    let (listener, addr) = listener(config).await;
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok(incoming) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let Ok(mut ws) = incoming.upgrade().await else {
                    return;
                };
                let _ = tx.send(ws.negotiated_deflate());
                let _ = ampel_net::testee::echo(&mut ws).await;
            });
        }
    });
    (addr, rx)
}

/// A JSON-like text of about `len` bytes.
fn json_text(len: usize) -> String {
    let mut out = String::from("[");
    let mut i = 0u64;
    while out.len() < len {
        out.push_str(&format!(
            r#"{{"id":{i},"name":"user-{}","active":{},"score":{}.{}}},"#,
            i * 7919 % 1000,
            i % 3 == 0,
            i * 31 % 977,
            i % 10
        ));
        i += 1;
    }
    out.push(']');
    out
}

/// Pseudo-random bytes (xorshift): incompressible.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A 4 KiB noise block repeated: back-references 4 KiB away, so a
/// compressor that ignored a small negotiated window would make the peer's
/// inflater fail.
fn far_repeats(len: usize) -> Vec<u8> {
    noise(4096, 7).into_iter().cycle().take(len).collect()
}

/// Echo round trips of several kinds and sizes, repeated (context takeover).
async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(ws: &mut ampel_net::WebSocket<S>) {
    let messages = [
        Message::text(json_text(3000)),
        Message::text(json_text(3000)),
        Message::binary(far_repeats(20_000)),
        Message::binary(far_repeats(20_000)),
        Message::binary(noise(5000, 3)),
        Message::text(""),
        Message::text("κόσμε ✓"),
        Message::binary(payload(70_000)),
    ];
    for m in &messages {
        ws.send(m.clone()).await.expect("send");
        assert_eq!(&ws.recv().await.expect("echo").expect("ok"), m);
    }
    // Streamed (one frame per write; compressed as one message).
    let mut writer = ws.send_stream(MessageKind::Text).await.expect("stream");
    let text = json_text(9000);
    for piece in text.as_bytes().chunks(1000) {
        writer.write(piece).await.expect("write");
    }
    writer.finish().await.expect("finish");
    assert_eq!(
        ws.recv().await.expect("echo").expect("ok"),
        Message::Text(text)
    );
}

async fn close_cleanly<S: AsyncRead + AsyncWrite + Unpin>(ws: &mut ampel_net::WebSocket<S>) {
    let summary = ws.close(CloseCode::NORMAL, "").await.expect("close");
    assert!(summary.clean, "{summary:?}");
}

// ----- a minimal, independent frame codec for wire checks --------------------

#[derive(Debug)]
struct RawFrame {
    fin: bool,
    rsv: u8,
    opcode: u8,
    payload: Vec<u8>,
}

async fn read_frame<R: AsyncRead + Unpin>(io: &mut R) -> RawFrame {
    let mut head = [0u8; 2];
    io.read_exact(&mut head).await.expect("frame head");
    let len = match head[1] & 0x7f {
        126 => {
            let mut b = [0u8; 2];
            io.read_exact(&mut b).await.expect("len16");
            u64::from(u16::from_be_bytes(b))
        }
        127 => {
            let mut b = [0u8; 8];
            io.read_exact(&mut b).await.expect("len64");
            u64::from_be_bytes(b)
        }
        n => u64::from(n),
    };
    let mask = if head[1] & 0x80 != 0 {
        let mut m = [0u8; 4];
        io.read_exact(&mut m).await.expect("mask");
        Some(m)
    } else {
        None
    };
    let mut payload = vec![0u8; usize::try_from(len).expect("length")];
    io.read_exact(&mut payload).await.expect("payload");
    if let Some(m) = mask {
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= m[i % 4];
        }
    }
    RawFrame {
        fin: head[0] & 0x80 != 0,
        rsv: (head[0] >> 4) & 0b111,
        opcode: head[0] & 0x0f,
        payload,
    }
}

fn encode_frame(fin: bool, rsv: u8, opcode: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let mut out = vec![(u8::from(fin) << 7) | (rsv << 4) | opcode];
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => out.push(mask_bit | n as u8),
        n if n <= 0xffff => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    match mask {
        Some(m) => {
            out.extend_from_slice(&m);
            out.extend(payload.iter().enumerate().map(|(i, b)| b ^ m[i % 4]));
        }
        None => out.extend_from_slice(payload),
    }
    out
}

/// Inflates one message's payload (RFC 7692 §7.2.2) with the library's
/// decompressor: the wire bytes came from the code under test, this only
/// checks they round-trip.
fn inflate(direction: Direction, data: &[u8]) -> Vec<u8> {
    let mut d = ampel_websocket::deflate::Decompressor::new(direction);
    let mut out = Vec::new();
    d.inflate(data, &mut out, u64::MAX).expect("inflate");
    d.finish_message(&mut out, u64::MAX).expect("finish");
    out
}

/// A scripted server: reads the upgrade request, answers 101 with
/// `extensions` as `Sec-WebSocket-Extensions` (verbatim, any number of
/// lines), then hands the socket to `script`.
async fn scripted_server<F, Fut, T>(
    extensions: Vec<String>,
    script: F,
) -> (SocketAddr, tokio::task::JoinHandle<(Request, T)>)
where
    F: FnOnce(TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = T> + Send,
    T: Send + 'static,
{
    let tcp = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = tcp.local_addr().expect("addr");
    let handle = tokio::spawn(async move {
        let (mut io, _) = tcp.accept().await.expect("accept");
        let mut buf = Vec::new();
        let mut chunk = [0u8; 2048];
        let request = loop {
            let n = io.read(&mut chunk).await.expect("read request");
            assert!(n > 0, "client closed during the handshake");
            buf.extend_from_slice(&chunk[..n]);
            if let Some((request, used)) =
                parse_request(&buf, &Default::default()).expect("valid request")
            {
                assert_eq!(used, buf.len(), "the client sent nothing after its request");
                break request;
            }
        };
        let mut response = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n",
            accept_key(&request.key)
        );
        for line in &extensions {
            response.push_str(&format!("Sec-WebSocket-Extensions: {line}\r\n"));
        }
        response.push_str("\r\n");
        io.write_all(response.as_bytes()).await.expect("respond");
        (request, script(io).await)
    });
    (addr, handle)
}

/// A raw client: sends an upgrade request offering `offer` (if any), reads
/// the response head; returns the socket and the response's
/// `Sec-WebSocket-Extensions` value.
async fn raw_client(addr: SocketAddr, offer: Option<&str>) -> (TcpStream, Option<String>) {
    let mut io = TcpStream::connect(addr).await.expect("connect");
    let mut request = format!(
        "GET / HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    );
    if let Some(offer) = offer {
        request.push_str(&format!("Sec-WebSocket-Extensions: {offer}\r\n"));
    }
    request.push_str("\r\n");
    io.write_all(request.as_bytes()).await.expect("request");
    // Byte by byte: nothing after the head may be consumed.
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(io.read_u8().await.expect("response head"));
    }
    let head = String::from_utf8(head).expect("ASCII head");
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    let extensions = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("Sec-WebSocket-Extensions"))
        .map(|(_, v)| v.trim().to_owned());
    (io, extensions)
}

const MASK: Option<[u8; 4]> = Some([0x37, 0xfa, 0x21, 0x3d]);

// ----- negotiation between our client and our server ---------------------------

#[test]
fn off_by_default_and_declined_without_configuration() {
    run(async {
        // Neither side configured: nothing offered, nothing negotiated.
        let (addr, mut seen) = reporting_echo_server(ServerConfig::default()).await;
        let mut ws = connect_with(&format!("ws://{addr}/"), ClientConfig::default())
            .await
            .expect("connect");
        assert_eq!(ws.negotiated_deflate(), None);
        assert_eq!(seen.recv().await, Some(None));
        exchange(&mut ws).await;
        close_cleanly(&mut ws).await;

        // The client offers, the server has no policy: declined, uncompressed.
        let mut ws = connect_with(
            &format!("ws://{addr}/"),
            client_config(vec![Default::default()]),
        )
        .await
        .expect("connect");
        assert_eq!(ws.negotiated_deflate(), None);
        assert!(ws.handshake().header("Sec-WebSocket-Extensions").is_none());
        assert_eq!(seen.recv().await, Some(None));
        exchange(&mut ws).await;
        close_cleanly(&mut ws).await;

        // The server has a policy, the client offers nothing.
        let (addr, mut seen) = reporting_echo_server(server_config(Default::default())).await;
        let mut ws = connect_with(&format!("ws://{addr}/"), ClientConfig::default())
            .await
            .expect("connect");
        assert_eq!(ws.negotiated_deflate(), None);
        assert_eq!(seen.recv().await, Some(None));
        exchange(&mut ws).await;
        close_cleanly(&mut ws).await;
    });
}

/// One negotiation scenario: what the client offers, the server's policy,
/// and what both must end up with (`None`: declined).
struct Scenario {
    name: String,
    offers: Vec<OfferParams>,
    policy: ServerPolicy,
    expected: Option<DeflateParams>,
}

fn scenarios() -> Vec<Scenario> {
    let offer = |f: &dyn Fn(&mut OfferParams)| {
        let mut o = OfferParams::default();
        f(&mut o);
        o
    };
    let policy = |f: &dyn Fn(&mut ServerPolicy)| {
        let mut p = ServerPolicy::default();
        f(&mut p);
        p
    };
    let full = dir(false, 15);
    let mut out = vec![
        Scenario {
            name: "plain offer".into(),
            offers: vec![OfferParams::default()],
            policy: ServerPolicy::default(),
            expected: Some(params(full, full)),
        },
        Scenario {
            name: "client_max_window_bits without value, nothing requested".into(),
            offers: vec![offer(&|o| {
                o.client_max_window_bits = WindowBitsRequest::Any
            })],
            policy: ServerPolicy::default(),
            expected: Some(params(full, full)),
        },
        Scenario {
            name: "client_no_context_takeover offered".into(),
            offers: vec![offer(&|o| o.client_no_context_takeover = true)],
            policy: ServerPolicy::default(),
            expected: Some(params(dir(true, 15), full)),
        },
        Scenario {
            name: "server_no_context_takeover offered".into(),
            offers: vec![offer(&|o| o.server_no_context_takeover = true)],
            policy: ServerPolicy::default(),
            expected: Some(params(full, dir(true, 15))),
        },
        Scenario {
            name: "server resets its context unasked".into(),
            offers: vec![OfferParams::default()],
            policy: policy(&|p| p.server_no_context_takeover = true),
            expected: Some(params(full, dir(true, 15))),
        },
        Scenario {
            name: "server requests client_no_context_takeover".into(),
            offers: vec![OfferParams::default()],
            policy: policy(&|p| p.client_no_context_takeover = true),
            expected: Some(params(dir(true, 15), full)),
        },
        Scenario {
            name: "no context takeover both ways".into(),
            offers: vec![offer(&|o| {
                o.client_no_context_takeover = true;
                o.server_no_context_takeover = true;
            })],
            policy: ServerPolicy::default(),
            expected: Some(params(dir(true, 15), dir(true, 15))),
        },
        Scenario {
            name: "server limits its own window unasked".into(),
            offers: vec![OfferParams::default()],
            policy: policy(&|p| p.server_max_window_bits = 10),
            expected: Some(params(full, dir(false, 10))),
        },
        Scenario {
            name: "everything at once".into(),
            offers: vec![offer(&|o| {
                o.client_no_context_takeover = true;
                o.server_no_context_takeover = true;
                o.server_max_window_bits = Some(9);
                o.client_max_window_bits = WindowBitsRequest::Limit(12);
            })],
            policy: policy(&|p| p.client_max_window_bits = Some(10)),
            expected: Some(params(dir(true, 10), dir(true, 9))),
        },
        Scenario {
            name: "server wants client_max_window_bits, offer lacks it: declined".into(),
            offers: vec![OfferParams::default()],
            policy: policy(&|p| p.client_max_window_bits = Some(10)),
            expected: None,
        },
    ];
    // Window bits 8 (compressed and inflated with a 9-bit window) to 15.
    for bits in 8..=15u8 {
        out.push(Scenario {
            name: format!("server_max_window_bits={bits} offered"),
            offers: vec![offer(&|o| o.server_max_window_bits = Some(bits))],
            policy: ServerPolicy::default(),
            expected: Some(params(full, dir(false, bits))),
        });
        out.push(Scenario {
            name: format!("client_max_window_bits={bits} offered"),
            offers: vec![offer(&|o| {
                o.client_max_window_bits = WindowBitsRequest::Limit(bits);
            })],
            policy: ServerPolicy::default(),
            expected: Some(params(dir(false, bits), full)),
        });
        out.push(Scenario {
            name: format!("client_max_window_bits offered, server requests {bits}"),
            offers: vec![offer(&|o| {
                o.client_max_window_bits = WindowBitsRequest::Any
            })],
            policy: policy(&|p| p.client_max_window_bits = Some(bits)),
            expected: Some(params(dir(false, bits), full)),
        });
        out.push(Scenario {
            name: format!("both windows {bits}, no context takeover"),
            offers: vec![offer(&|o| {
                o.server_max_window_bits = Some(bits);
                o.client_max_window_bits = WindowBitsRequest::Limit(bits);
                o.client_no_context_takeover = true;
                o.server_no_context_takeover = true;
            })],
            policy: ServerPolicy::default(),
            expected: Some(params(dir(true, bits), dir(true, bits))),
        });
    }
    out
}

#[test]
fn parameter_combinations_negotiate_and_echo() {
    run(async {
        for scenario in scenarios() {
            let (addr, mut seen) = reporting_echo_server(server_config(scenario.policy)).await;
            let mut ws = connect_with(&format!("ws://{addr}/"), client_config(scenario.offers))
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", scenario.name));
            assert_eq!(
                ws.negotiated_deflate(),
                scenario.expected,
                "{}: client",
                scenario.name
            );
            assert_eq!(
                seen.recv().await.expect("server connection"),
                scenario.expected,
                "{}: server",
                scenario.name
            );
            exchange(&mut ws).await;
            close_cleanly(&mut ws).await;
        }
    });
}

#[test]
fn offers_are_tried_in_order() {
    run(async {
        let nct = OfferParams {
            server_no_context_takeover: true,
            server_max_window_bits: Some(10),
            ..Default::default()
        };
        let small_client = OfferParams {
            client_max_window_bits: WindowBitsRequest::Limit(12),
            ..Default::default()
        };
        let plain = OfferParams::default();
        // The first offer wins when acceptable.
        let (addr, mut seen) = reporting_echo_server(server_config(ServerPolicy::default())).await;
        let config = client_config(vec![nct, small_client, plain]);
        let mut ws = connect_with(&format!("ws://{addr}/"), config.clone())
            .await
            .expect("connect");
        let expected = Some(params(dir(false, 15), dir(true, 10)));
        assert_eq!(ws.negotiated_deflate(), expected);
        assert_eq!(seen.recv().await, Some(expected));
        assert_eq!(
            ws.handshake().header("Sec-WebSocket-Extensions"),
            Some("permessage-deflate; server_no_context_takeover; server_max_window_bits=10")
        );
        exchange(&mut ws).await;
        close_cleanly(&mut ws).await;

        // A server that refuses server_no_context_takeover takes the second.
        let mut policy = ServerPolicy::default();
        policy.accept_server_no_context_takeover = false;
        let (addr, mut seen) = reporting_echo_server(server_config(policy)).await;
        let mut ws = connect_with(&format!("ws://{addr}/"), config)
            .await
            .expect("connect");
        let expected = Some(params(dir(false, 12), dir(false, 15)));
        assert_eq!(ws.negotiated_deflate(), expected);
        assert_eq!(seen.recv().await, Some(expected));
        exchange(&mut ws).await;
        close_cleanly(&mut ws).await;

        // A server that compresses with at least 12 bits skips a 9-bit request.
        let mut policy = ServerPolicy::default();
        policy.min_server_max_window_bits = 12;
        let (addr, mut seen) = reporting_echo_server(server_config(policy)).await;
        let offers = vec![
            OfferParams {
                server_max_window_bits: Some(9),
                ..Default::default()
            },
            OfferParams {
                server_max_window_bits: Some(13),
                ..Default::default()
            },
        ];
        let mut ws = connect_with(&format!("ws://{addr}/"), client_config(offers))
            .await
            .expect("connect");
        let expected = Some(params(dir(false, 15), dir(false, 13)));
        assert_eq!(ws.negotiated_deflate(), expected);
        assert_eq!(seen.recv().await, Some(expected));
        exchange(&mut ws).await;
        close_cleanly(&mut ws).await;
    });
}

#[test]
fn offers_are_rendered_in_order() {
    run(async {
        let offers = vec![
            OfferParams {
                server_no_context_takeover: true,
                client_no_context_takeover: true,
                server_max_window_bits: Some(9),
                client_max_window_bits: WindowBitsRequest::Any,
            },
            OfferParams {
                client_max_window_bits: WindowBitsRequest::Limit(11),
                ..Default::default()
            },
            OfferParams::default(),
        ];
        let (addr, server) = scripted_server(Vec::new(), |_io| async {}).await;
        let ws = connect_with(&format!("ws://{addr}/"), client_config(offers.clone()))
            .await
            .expect("connect");
        assert_eq!(ws.negotiated_deflate(), None, "the server declined");
        let (request, ()) = server.await.expect("server");
        let parsed: Vec<OfferParams> = request
            .extensions
            .iter()
            .map(|e| OfferParams::parse_offer(e).expect("valid offer"))
            .collect();
        assert_eq!(parsed, offers);
        let header = request
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("Sec-WebSocket-Extensions"))
            .map(|h| h.value.clone());
        assert_eq!(
            header.as_deref(),
            Some(
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits, permessage-deflate; client_max_window_bits=11, permessage-deflate"
            )
        );
    });
}

#[test]
fn server_declines_unsupported_offers() {
    run(async {
        let mut policy = ServerPolicy::default();
        policy.client_max_window_bits = Some(10);
        policy.accept_server_no_context_takeover = false;
        let (addr, mut seen) = reporting_echo_server(server_config(policy)).await;
        // Our client, offering only what the policy cannot honour.
        let offers = vec![
            OfferParams::default(),
            OfferParams {
                server_no_context_takeover: true,
                client_max_window_bits: WindowBitsRequest::Any,
                ..Default::default()
            },
        ];
        let mut ws = connect_with(&format!("ws://{addr}/"), client_config(offers))
            .await
            .expect("connect");
        assert_eq!(ws.negotiated_deflate(), None);
        assert_eq!(seen.recv().await, Some(None));
        exchange(&mut ws).await;
        close_cleanly(&mut ws).await;

        // Raw offers that are invalid (unknown parameter, bad window,
        // duplicates, a value on a flag) or other extensions: declined, and
        // the connection works uncompressed (RSV1 clear on the wire).
        let (addr, mut seen) = reporting_echo_server(server_config(ServerPolicy::default())).await;
        let offer = "x-webkit-deflate-frame, permessage-deflate; foo=1, \
                     permessage-deflate; server_max_window_bits=7, \
                     permessage-deflate; server_max_window_bits=010, \
                     permessage-deflate; client_no_context_takeover; client_no_context_takeover, \
                     permessage-deflate; server_no_context_takeover=1";
        let (mut io, extensions) = raw_client(addr, Some(offer)).await;
        assert_eq!(extensions, None);
        assert_eq!(seen.recv().await, Some(None));
        let text = json_text(2000);
        io.write_all(&encode_frame(true, 0, 1, text.as_bytes(), MASK))
            .await
            .expect("send");
        let echo = read_frame(&mut io).await;
        assert_eq!(
            (echo.fin, echo.rsv, echo.opcode),
            (true, 0, 1),
            "uncompressed echo"
        );
        assert_eq!(echo.payload, text.as_bytes());
        // A compressed frame on an uncompressed connection fails it (1002).
        io.write_all(&encode_frame(true, 0b100, 2, b"\x01\x00", MASK))
            .await
            .expect("send");
        let close = read_frame(&mut io).await;
        assert_eq!(close.opcode, 8);
        assert_eq!(close.payload.get(..2), Some(&1002u16.to_be_bytes()[..]));
    });
}

// ----- responses the client must refuse --------------------------------------

#[test]
fn client_rejects_invalid_or_unrequested_responses() {
    run(async {
        let plain = OfferParams::default();
        let with_nct = OfferParams {
            server_no_context_takeover: true,
            ..Default::default()
        };
        let with_windows = OfferParams {
            server_max_window_bits: Some(10),
            client_max_window_bits: WindowBitsRequest::Limit(11),
            ..Default::default()
        };
        type Check = fn(&NegotiationError) -> bool;
        let cases: Vec<(Vec<&str>, Vec<OfferParams>, Check)> = vec![
            (
                vec!["permessage-deflate; client_max_window_bits=10"],
                vec![plain],
                |e| matches!(e, NegotiationError::NotOffered { .. }),
            ),
            (
                vec!["permessage-deflate; client_max_window_bits"],
                vec![plain],
                |e| matches!(e, NegotiationError::MissingValue { .. }),
            ),
            (
                vec!["permessage-deflate; server_max_window_bits=7"],
                vec![plain],
                |e| matches!(e, NegotiationError::InvalidWindowBits { .. }),
            ),
            (
                vec!["permessage-deflate; server_max_window_bits=16"],
                vec![plain],
                |e| matches!(e, NegotiationError::InvalidWindowBits { .. }),
            ),
            (vec!["permessage-deflate; foo"], vec![plain], |e| {
                matches!(e, NegotiationError::UnknownParameter { .. })
            }),
            (
                vec!["permessage-deflate; server_no_context_takeover=yes"],
                vec![plain],
                |e| matches!(e, NegotiationError::UnexpectedValue { .. }),
            ),
            (
                vec!["permessage-deflate; server_no_context_takeover; server_no_context_takeover"],
                vec![plain],
                |e| matches!(e, NegotiationError::DuplicateParameter { .. }),
            ),
            (
                vec!["permessage-deflate, permessage-deflate"],
                vec![plain, plain],
                |e| matches!(e, NegotiationError::MultipleResponses { count: 2 }),
            ),
            (
                vec![
                    "permessage-deflate",
                    "permessage-deflate; client_no_context_takeover",
                ],
                vec![plain],
                |e| matches!(e, NegotiationError::MultipleResponses { count: 2 }),
            ),
            (vec!["permessage-deflate"], vec![with_nct], |e| {
                matches!(e, NegotiationError::Unanswered { .. })
            }),
            (
                vec!["permessage-deflate; server_max_window_bits=11; client_max_window_bits=11"],
                vec![with_windows],
                |e| matches!(e, NegotiationError::WindowAboveOffer { bits: 11, .. }),
            ),
            (
                vec!["permessage-deflate; server_max_window_bits=10; client_max_window_bits=12"],
                vec![with_windows],
                |e| matches!(e, NegotiationError::WindowAboveOffer { bits: 12, .. }),
            ),
        ];
        for (response, offers, check) in cases {
            let lines: Vec<String> = response.iter().map(|s| (*s).to_owned()).collect();
            let (addr, server) = scripted_server(lines, |mut io| async move {
                // The client fails without sending a frame and closes TCP.
                let mut rest = Vec::new();
                let _ = io.read_to_end(&mut rest).await;
                rest
            })
            .await;
            let result = connect_with(&format!("ws://{addr}/"), client_config(offers)).await;
            let err = result.expect_err("the response must be refused");
            match &err {
                Error::DeflateResponse {
                    reason,
                    response: r,
                } => {
                    assert!(check(reason), "{response:?}: wrong reason {reason:?}");
                    assert_eq!(r, &response.join(", "));
                }
                other => panic!("{response:?}: unexpected error {other:?}"),
            }
            let message = err.to_string();
            assert!(
                message.contains("permessage-deflate response") && message.contains("rejected"),
                "{message}"
            );
            let (_, rest) = server.await.expect("server");
            assert!(rest.is_empty(), "no frame after a refused response");
        }

        // An extension the client never offered.
        let (addr, _server) =
            scripted_server(vec!["x-webkit-deflate-frame".to_owned()], |_io| async {}).await;
        let err = connect_with(&format!("ws://{addr}/"), client_config(vec![plain]))
            .await
            .expect_err("unrequested extension");
        assert!(err.to_string().contains("x-webkit-deflate-frame"), "{err}");

        // permessage-deflate accepted although the client did not offer it.
        let (addr, _server) =
            scripted_server(vec!["permessage-deflate".to_owned()], |_io| async {}).await;
        let err = connect_with(&format!("ws://{addr}/"), ClientConfig::default())
            .await
            .expect_err("unrequested permessage-deflate");
        assert!(
            err.to_string()
                .contains("accepted extension \"permessage-deflate\" that was not offered"),
            "{err}"
        );

        // Offered through the request by hand, not through ClientConfig::deflate.
        let (addr, _server) =
            scripted_server(vec!["permessage-deflate".to_owned()], |_io| async {}).await;
        let io = TcpStream::connect(addr).await.expect("connect");
        let mut request = ClientRequest::new("127.0.0.1", addr.port(), "/");
        request.extensions = vec![OfferParams::default().to_extension()];
        let err = client_handshake(io, request, &ClientConfig::default())
            .await
            .expect_err("not configured");
        assert!(matches!(err, Error::DeflateNotConfigured), "{err:?}");
    });
}

#[test]
fn client_accepts_every_valid_response() {
    run(async {
        let any = OfferParams {
            client_max_window_bits: WindowBitsRequest::Any,
            ..Default::default()
        };
        let cases = [
            ("permessage-deflate", params(dir(false, 15), dir(false, 15))),
            (
                "permessage-deflate; client_no_context_takeover",
                params(dir(true, 15), dir(false, 15)),
            ),
            (
                "permessage-deflate; server_no_context_takeover",
                params(dir(false, 15), dir(true, 15)),
            ),
            (
                "permessage-deflate; client_max_window_bits=9",
                params(dir(false, 9), dir(false, 15)),
            ),
            (
                "PerMessage-Deflate; Server_Max_Window_Bits=\"12\"; client_max_window_bits=15",
                params(dir(false, 15), dir(false, 12)),
            ),
            (
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8; client_max_window_bits=8",
                params(dir(true, 8), dir(true, 8)),
            ),
        ];
        for (response, expected) in cases {
            let text = json_text(4000);
            let (addr, server) = scripted_server(vec![response.to_owned()], |mut io| async move {
                // Our client's first message arrives compressed.
                let frame = read_frame(&mut io).await;
                // Close without waiting for anything.
                io.write_all(&encode_frame(true, 0, 8, &1000u16.to_be_bytes(), None))
                    .await
                    .expect("close");
                let _ = read_frame(&mut io).await;
                frame
            })
            .await;
            let mut ws = connect_with(&format!("ws://{addr}/"), client_config(vec![any]))
                .await
                .unwrap_or_else(|e| panic!("{response}: {e}"));
            assert_eq!(ws.negotiated_deflate(), Some(expected), "{response}");
            ws.send(Message::Text(text.clone())).await.expect("send");
            while ws.recv().await.is_some() {}
            let (_, frame) = server.await.expect("server");
            assert_eq!((frame.fin, frame.rsv, frame.opcode), (true, 0b100, 1));
            assert!(frame.payload.len() < text.len() / 2, "{response}");
            assert_eq!(inflate(expected.client, &frame.payload), text.as_bytes());
        }
    });
}

// ----- on the wire: RSV1, min_size, context takeover, fragments -----------------

/// Reads the frames of one data message (up to its final frame).
async fn read_message<R: AsyncRead + Unpin>(io: &mut R) -> Vec<RawFrame> {
    let mut frames = vec![read_frame(io).await];
    while !frames.last().is_some_and(|f| f.fin) {
        frames.push(read_frame(io).await);
    }
    frames
}

#[test]
fn client_min_size_and_rsv1_on_the_wire() {
    run(async {
        let (addr, server) =
            scripted_server(vec!["permessage-deflate".to_owned()], |mut io| async move {
                let mut messages = Vec::new();
                for _ in 0..4 {
                    messages.push(read_message(&mut io).await);
                }
                io.write_all(&encode_frame(true, 0, 8, &1000u16.to_be_bytes(), None))
                    .await
                    .expect("close");
                let _ = read_frame(&mut io).await;
                messages
            })
            .await;
        let mut config = client_config(vec![OfferParams::default()]);
        if let Some(d) = config.deflate.take() {
            config.deflate = Some(d.min_size(100));
        }
        config.websocket.fragment_size = Some(300);
        let mut ws = connect_with(&format!("ws://{addr}/"), config)
            .await
            .expect("connect");
        assert!(ws.negotiated_deflate().is_some());
        let long = json_text(20_000);
        ws.feed(Message::text("short")).await.expect("short");
        ws.feed(Message::binary(vec![7u8; 99])).await.expect("99");
        ws.feed(Message::binary(vec![7u8; 100])).await.expect("100");
        // Compressed first, then fragmented after compression.
        ws.feed(Message::Text(long.clone())).await.expect("long");
        ws.flush().await.expect("flush");
        while ws.recv().await.is_some() {}
        let (_, messages) = server.await.expect("server");
        let heads = |m: &[RawFrame]| {
            m.iter()
                .map(|f| (f.fin, f.rsv, f.opcode))
                .collect::<Vec<_>>()
        };
        // Below min_size: uncompressed, RSV1 clear.
        assert_eq!(heads(&messages[0]), [(true, 0, 1)]);
        assert_eq!(messages[0][0].payload, b"short");
        assert_eq!(heads(&messages[1]), [(true, 0, 2)]);
        assert_eq!(messages[1][0].payload, vec![7u8; 99]);
        // At min_size: compressed.
        assert_eq!(heads(&messages[2]), [(true, 0b100, 2)]);
        assert!(messages[2][0].payload.len() < 100);
        // The long text: compressed, then cut into frames of at most 300
        // bytes; only the first carries RSV1.
        let long_frames = &messages[3];
        assert!(long_frames.len() > 1, "fragmented after compression");
        let mut expected_heads = vec![(false, 0b100, 1)];
        expected_heads.extend(vec![(false, 0, 0); long_frames.len() - 2]);
        expected_heads.push((true, 0, 0));
        assert_eq!(heads(long_frames), expected_heads);
        assert!(long_frames.iter().all(|f| f.payload.len() <= 300));
        let compressed: Vec<u8> = long_frames.iter().flat_map(|f| f.payload.clone()).collect();
        assert!(compressed.len() < long.len() / 3);
        // Context takeover across messages: inflate the 100-byte one first.
        let mut d = ampel_websocket::deflate::Decompressor::new(dir(false, 15));
        let mut out = Vec::new();
        d.inflate(&messages[2][0].payload, &mut out, u64::MAX)
            .expect("third");
        d.finish_message(&mut out, u64::MAX).expect("third end");
        assert_eq!(out, vec![7u8; 100]);
        out.clear();
        d.inflate(&compressed, &mut out, u64::MAX).expect("fourth");
        d.finish_message(&mut out, u64::MAX).expect("fourth end");
        assert_eq!(out, long.as_bytes());
    });
}

#[test]
fn server_min_size_streams_and_fragments_on_the_wire() {
    run(async {
        let mut config = server_config(ServerPolicy::default());
        config.deflate = Some(ServerDeflate::new(ServerPolicy::default()).min_size(64));
        let long = json_text(3000);
        let expected_long = long.clone();
        let (addr, server) = serve_one(config, |mut ws| async move {
            let negotiated = ws.negotiated_deflate();
            ws.feed(Message::text("tiny")).await.expect("tiny");
            ws.feed(Message::Text(long.clone())).await.expect("long");
            // A streamed message: compressed whatever its size, RSV1 only first.
            let mut writer = ws.send_stream(MessageKind::Binary).await.expect("stream");
            writer.write(&[1u8; 10]).await.expect("w1");
            writer.write(&[2u8; 10]).await.expect("w2");
            writer.finish_with(&[3u8; 10]).await.expect("w3");
            // Whatever the client sends next is echoed.
            let echoed = ws.recv().await.expect("client message").expect("valid");
            ws.send(echoed.clone()).await.expect("echo");
            let _ = ws.close(CloseCode::NORMAL, "").await;
            (negotiated, echoed)
        })
        .await;
        let (mut io, extensions) =
            raw_client(addr, Some("permessage-deflate; client_max_window_bits")).await;
        assert_eq!(extensions.as_deref(), Some("permessage-deflate"));
        let tiny = read_frame(&mut io).await;
        assert_eq!((tiny.fin, tiny.rsv, tiny.opcode), (true, 0, 1));
        assert_eq!(tiny.payload, b"tiny");
        let big = read_frame(&mut io).await;
        assert_eq!((big.fin, big.rsv, big.opcode), (true, 0b100, 1));
        let mut d = ampel_websocket::deflate::Decompressor::new(dir(false, 15));
        let mut out = Vec::new();
        d.inflate(&big.payload, &mut out, u64::MAX).expect("long");
        d.finish_message(&mut out, u64::MAX).expect("long end");
        assert_eq!(out, expected_long.as_bytes());
        let f1 = read_frame(&mut io).await;
        let f2 = read_frame(&mut io).await;
        let f3 = read_frame(&mut io).await;
        assert_eq!(
            [
                (f1.fin, f1.rsv, f1.opcode),
                (f2.fin, f2.rsv, f2.opcode),
                (f3.fin, f3.rsv, f3.opcode)
            ],
            [(false, 0b100, 2), (false, 0, 0), (true, 0, 0)]
        );
        let mut out = Vec::new();
        for f in [&f1, &f2, &f3] {
            d.inflate(&f.payload, &mut out, u64::MAX).expect("piece");
        }
        d.finish_message(&mut out, u64::MAX).expect("stream end");
        let mut streamed = vec![1u8; 10];
        streamed.extend([2u8; 10]);
        streamed.extend([3u8; 10]);
        assert_eq!(out, streamed);

        // A fragmented compressed message from the client: RSV1 on the first
        // frame only, the deflate stream split at arbitrary bytes.
        let mut c = ampel_websocket::deflate::Compressor::new(dir(false, 15), 6);
        let text = json_text(2000);
        let mut deflated = Vec::new();
        c.compress_message(text.as_bytes(), &mut deflated)
            .expect("compress");
        let (a, b) = deflated.split_at(deflated.len() / 3);
        let mut wire = encode_frame(false, 0b100, 1, a, MASK);
        wire.extend(encode_frame(true, 0, 0, b, MASK));
        io.write_all(&wire).await.expect("send");
        let echo = read_frame(&mut io).await;
        assert_eq!((echo.fin, echo.rsv, echo.opcode), (true, 0b100, 1));
        let mut out = Vec::new();
        d.inflate(&echo.payload, &mut out, u64::MAX).expect("echo");
        d.finish_message(&mut out, u64::MAX).expect("echo end");
        assert_eq!(out, text.as_bytes());
        io.write_all(&encode_frame(true, 0, 8, &1000u16.to_be_bytes(), MASK))
            .await
            .expect("close");
        let (negotiated, echoed) = server.await.expect("server");
        assert_eq!(negotiated, Some(params(dir(false, 15), dir(false, 15))));
        assert_eq!(echoed, Message::Text(text));
    });
}

#[test]
fn context_takeover_on_the_wire() {
    run(async {
        let text = json_text(2000);
        for (response, resets) in [
            ("permessage-deflate", false),
            ("permessage-deflate; client_no_context_takeover", true),
        ] {
            let (addr, server) = scripted_server(vec![response.to_owned()], |mut io| async move {
                let first = read_frame(&mut io).await;
                let second = read_frame(&mut io).await;
                io.write_all(&encode_frame(true, 0, 8, &1000u16.to_be_bytes(), None))
                    .await
                    .expect("close");
                let _ = read_frame(&mut io).await;
                (first.payload, second.payload)
            })
            .await;
            let mut ws = connect_with(
                &format!("ws://{addr}/"),
                client_config(vec![OfferParams::default()]),
            )
            .await
            .expect("connect");
            ws.feed(Message::Text(text.clone())).await.expect("1");
            ws.feed(Message::Text(text.clone())).await.expect("2");
            ws.flush().await.expect("flush");
            while ws.recv().await.is_some() {}
            let (_, (first, second)) = server.await.expect("server");
            if resets {
                // A fresh context each message: the same bytes twice, each
                // inflatable on its own.
                assert_eq!(first, second);
                assert_eq!(inflate(dir(true, 15), &second), text.as_bytes());
            } else {
                // The second message refers back into the first.
                assert!(
                    second.len() < first.len() / 4,
                    "{} {}",
                    first.len(),
                    second.len()
                );
            }
        }
    });
}

// ----- sizes and limits ----------------------------------------------------------

/// Counts the bytes written through a transport.
struct Counting<S> {
    inner: S,
    written: Arc<AtomicU64>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Counting<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counting<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = polled {
            self.written.fetch_add(n as u64, Ordering::Relaxed);
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[test]
fn large_messages_16_mib_compressed() {
    run(async {
        let (addr, mut seen) = reporting_echo_server(server_config(ServerPolicy::default())).await;
        let written = Arc::new(AtomicU64::new(0));
        let io = Counting {
            inner: TcpStream::connect(addr).await.expect("connect"),
            written: Arc::clone(&written),
        };
        let mut config = client_config(vec![OfferParams::default()]);
        // The fastest level: a debug build compresses 16 MiB slowly.
        if let Some(d) = config.deflate.take() {
            config.deflate = Some(d.level(1));
        }
        let request = ClientRequest::new("127.0.0.1", addr.port(), "/");
        let mut ws = client_handshake(io, request, &config)
            .await
            .expect("handshake");
        assert!(ws.negotiated_deflate().is_some());
        assert!(seen.recv().await.flatten().is_some());
        let before = written.load(Ordering::Relaxed);
        let text = json_text(16 << 20);
        ws.send(Message::Text(text.clone())).await.expect("send");
        let echo = ws.recv().await.expect("echo").expect("ok");
        assert!(echo == Message::Text(text), "16 MiB text echoed");
        let sent = written.load(Ordering::Relaxed) - before;
        assert!(
            sent < (16 << 20) / 4,
            "compressed on the wire: {sent} bytes"
        );
        // Incompressible data still round-trips (slightly larger on the wire).
        let data = noise(16 << 20, 11);
        ws.send(Message::Binary(data.clone())).await.expect("send");
        let echo = ws.recv().await.expect("echo").expect("ok");
        assert!(echo == Message::Binary(data), "16 MiB binary echoed");
        close_cleanly(&mut ws).await;
    });
}

#[test]
fn inflation_bomb_fails_with_1009() {
    run(async {
        // A client sending 16 MiB of zeros (about 16 KiB compressed) to a
        // server that accepts messages of at most 64 KiB.
        let mut config = server_config(ServerPolicy::default());
        config.websocket = {
            let mut w = WebSocketConfig::default();
            w.max_message_size = 64 * 1024;
            w
        };
        let (addr, server) = serve_one(config, |mut ws| async move {
            let item = ws.recv().await.expect("an item");
            // Then only the client's close answer may arrive.
            let mut rest = Vec::new();
            while let Some(next) = ws.recv().await {
                rest.push(next.map_err(|e| e.to_string()));
            }
            (item.map(|_| ()), rest, ws.close_summary().cloned())
        })
        .await;
        let written = Arc::new(AtomicU64::new(0));
        let io = Counting {
            inner: TcpStream::connect(addr).await.expect("connect"),
            written: Arc::clone(&written),
        };
        let request = ClientRequest::new("127.0.0.1", addr.port(), "/");
        let mut ws = client_handshake(io, request, &client_config(vec![OfferParams::default()]))
            .await
            .expect("handshake");
        let before = written.load(Ordering::Relaxed);
        ws.send(Message::binary(vec![0u8; 16 << 20]))
            .await
            .expect("send");
        assert!(
            written.load(Ordering::Relaxed) - before < 64 * 1024,
            "a bomb"
        );
        let Some(Ok(Message::Close(Some(close)))) = ws.recv().await else {
            panic!("expected the server's close");
        };
        assert_eq!(close.code, CloseCode::MESSAGE_TOO_BIG);
        while ws.recv().await.is_some() {}
        let (item, rest, summary) = server.await.expect("server");
        assert!(
            matches!(
                item,
                Err(Error::Protocol(ProtocolError::MessageTooBig {
                    max: 65536,
                    ..
                }))
            ),
            "{item:?}"
        );
        assert!(
            rest.iter().all(|m| matches!(m, Ok(Message::Close(_)))),
            "{rest:?}"
        );
        let summary = summary.expect("summary");
        assert_eq!(summary.sent, Some(CloseCode::MESSAGE_TOO_BIG));

        // The other way round: our client with a 64 KiB limit, a server
        // sending a 16 MiB message of zeros.
        let (addr, server) = serve_one(
            server_config(ServerPolicy::default()),
            |mut ws| async move {
                ws.send(Message::text("a".repeat(16 << 20)))
                    .await
                    .expect("send");
                while ws.recv().await.is_some() {}
                ws.close_summary().cloned()
            },
        )
        .await;
        let mut config = client_config(vec![OfferParams::default()]);
        config.websocket.max_message_size = 64 * 1024;
        let mut ws = connect_with(&format!("ws://{addr}/"), config)
            .await
            .expect("connect");
        let item = ws.recv().await.expect("an item");
        assert!(
            matches!(
                item,
                Err(Error::Protocol(ProtocolError::MessageTooBig { .. }))
            ),
            "{item:?}"
        );
        while ws.recv().await.is_some() {}
        assert_eq!(
            ws.close_summary().and_then(|s| s.sent),
            Some(CloseCode::MESSAGE_TOO_BIG)
        );
        let summary = server.await.expect("server").expect("summary");
        assert_eq!(
            summary.received.flatten().map(|f| f.code),
            Some(CloseCode::MESSAGE_TOO_BIG)
        );
    });
}

// ----- the testees' defaults ---------------------------------------------------

/// The echo-server testee accepts what Autobahn's 12.x/13.x fuzzing client
/// offers (13.1-13.7: the first offer wins) and echoes compressed; with
/// deflate off it declines.
#[test]
fn testee_echo_server_honours_autobahn_offers() {
    run(async {
        let base = "permessage-deflate; client_no_context_takeover; client_max_window_bits";
        let o13_5 = format!("{base}; server_no_context_takeover; server_max_window_bits=9");
        let cases = [
            (
                base.to_owned(),
                "permessage-deflate; client_no_context_takeover",
                false,
                15,
            ),
            (
                format!("{base}; server_no_context_takeover"),
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
                true,
                15,
            ),
            (
                format!("{base}; server_max_window_bits=9"),
                "permessage-deflate; client_no_context_takeover; server_max_window_bits=9",
                false,
                9,
            ),
            (
                format!("{base}; server_max_window_bits=15"),
                "permessage-deflate; client_no_context_takeover; server_max_window_bits=15",
                false,
                15,
            ),
            (
                o13_5.clone(),
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9",
                true,
                9,
            ),
            (
                format!("{base}; server_no_context_takeover; server_max_window_bits=15"),
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=15",
                true,
                15,
            ),
            (
                format!("{o13_5}, {base}; server_no_context_takeover, {base}"),
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9",
                true,
                9,
            ),
        ];
        let addr = common::echo_server(ampel_net::testee::echo_server_config(true)).await;
        let text = json_text(3000);
        for (offer, expected, server_nct, server_bits) in cases {
            let (mut io, response) = raw_client(addr, Some(&offer)).await;
            assert_eq!(response.as_deref(), Some(expected), "{offer}");
            let mut c = ampel_websocket::deflate::Compressor::new(dir(true, 15), 6);
            let mut d = ampel_websocket::deflate::Decompressor::new(dir(server_nct, server_bits));
            for _ in 0..3 {
                let mut wire = Vec::new();
                c.compress_message(text.as_bytes(), &mut wire)
                    .expect("compress");
                io.write_all(&encode_frame(true, 0b100, 1, &wire, MASK))
                    .await
                    .expect("send");
                let echo = read_frame(&mut io).await;
                assert_eq!((echo.fin, echo.rsv, echo.opcode), (true, 0b100, 1));
                let mut out = Vec::new();
                d.inflate(&echo.payload, &mut out, u64::MAX).expect("echo");
                d.finish_message(&mut out, u64::MAX).expect("echo end");
                assert_eq!(out, text.as_bytes(), "{offer}");
            }
        }
        // --no-deflate: declined, echoed uncompressed.
        let addr = common::echo_server(ampel_net::testee::echo_server_config(false)).await;
        let (mut io, response) = raw_client(addr, Some(base)).await;
        assert_eq!(response, None);
        io.write_all(&encode_frame(true, 0, 1, text.as_bytes(), MASK))
            .await
            .expect("send");
        let echo = read_frame(&mut io).await;
        assert_eq!((echo.rsv, echo.payload), (0, text.into_bytes()));
    });
}

/// The echo-client testee offers `permessage-deflate; client_max_window_bits`
/// (nothing with deflate off).
#[test]
fn testee_echo_client_offer() {
    run(async {
        for (deflate, expected) in [
            (true, Some("permessage-deflate; client_max_window_bits")),
            (false, None),
        ] {
            let (addr, server) = scripted_server(Vec::new(), |_io| async {}).await;
            let config = ampel_net::testee::echo_client_config(deflate);
            connect_with(&format!("ws://{addr}/"), config)
                .await
                .expect("connect");
            let (request, ()) = server.await.expect("server");
            let offer = request
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("Sec-WebSocket-Extensions"))
                .map(|h| h.value.clone());
            assert_eq!(offer.as_deref(), expected);
        }
    });
}
