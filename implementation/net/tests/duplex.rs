//! The handshake and connection over any `AsyncRead + AsyncWrite` (an
//! in-memory duplex pipe), and bytes that follow the HTTP head in the same
//! write reaching the connection.

mod common;

use ampel_net::{ClientConfig, CloseCode, Message, ServerConfig, accept_with, client_handshake};
use ampel_websocket::handshake::ClientRequest;
use common::run;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[test]
fn over_an_in_memory_pipe() {
    run(async {
        let (a, b) = tokio::io::duplex(1024);
        let server = tokio::spawn(async move {
            let mut ws = accept_with(a, &ServerConfig::default())
                .await
                .expect("accept");
            assert_eq!(ws.handshake().path, "/pipe");
            while let Some(Ok(m)) = ws.recv().await {
                if m.is_data() {
                    ws.send(m).await.expect("echo");
                }
            }
        });
        let request = ClientRequest::new("example.org", 80, "/pipe");
        let mut ws = client_handshake(b, request, &ClientConfig::default())
            .await
            .expect("handshake");
        // Bigger than the pipe's buffer: reading and writing must interleave.
        ws.send(Message::binary(vec![7; 100_000]))
            .await
            .expect("send");
        assert_eq!(
            ws.recv().await.expect("echo").expect("ok"),
            Message::binary(vec![7; 100_000])
        );
        assert!(ws.close(CloseCode::NORMAL, "").await.expect("close").clean);
        server.await.expect("server");
    });
}

#[test]
fn frame_in_the_same_write_as_the_request() {
    run(async {
        let (a, mut b) = tokio::io::duplex(4096);
        let server = tokio::spawn(async move {
            let mut ws = accept_with(a, &ServerConfig::default())
                .await
                .expect("accept");
            ws.recv().await.expect("message").expect("ok")
        });
        let mut bytes =
            b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
                .to_vec();
        // RFC 6455 §5.7: a masked "Hello".
        bytes.extend_from_slice(&[
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ]);
        b.write_all(&bytes).await.expect("write");
        assert_eq!(server.await.expect("server"), Message::text("Hello"));
        let mut head = vec![0; 129];
        b.read_exact(&mut head).await.expect("101");
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        assert!(head.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "{head}");
    });
}
