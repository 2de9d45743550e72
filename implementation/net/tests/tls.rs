//! `wss://` with a self-signed certificate for `localhost`, both sides ours,
//! and each side against tokio-tungstenite over TLS.

mod common;

use std::sync::Arc;

use ampel_net::{
    ClientConfig, CloseCode, Error, Message, ServerConfig, connect, connect_with,
    tls_acceptor_from_pem,
};
use common::{echo_server, payload, run, self_signed};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite;

fn trusting(cert: rustls_pki_types::CertificateDer<'static>) -> ClientConfig {
    let mut config = ClientConfig::default();
    config.extra_roots = vec![cert];
    config
}

#[test]
fn wss_our_client_our_server() {
    run(async {
        let (cert, cert_pem, key_pem) = self_signed();
        let mut server = ServerConfig::default();
        server.tls =
            Some(tls_acceptor_from_pem(cert_pem.as_bytes(), key_pem.as_bytes()).expect("acceptor"));
        let addr = echo_server(server).await;
        let url = format!("wss://localhost:{}/secure", addr.port());
        let mut ws = connect_with(&url, trusting(cert)).await.expect("connect");
        assert!(matches!(ws.get_ref(), ampel_net::MaybeTlsStream::Tls(_)));
        ws.send(Message::text("over tls")).await.expect("send");
        assert_eq!(
            ws.recv().await.expect("echo").expect("ok"),
            Message::text("over tls")
        );
        let big = payload(1 << 20);
        ws.send(Message::binary(big.clone())).await.expect("send");
        assert_eq!(
            ws.recv().await.expect("echo").expect("ok"),
            Message::Binary(big)
        );
        let summary = ws.close(CloseCode::NORMAL, "").await.expect("close");
        assert!(summary.clean && !summary.timed_out, "{summary:?}");

        // The default roots do not trust a self-signed certificate.
        let refused = connect(&url).await;
        assert!(matches!(refused, Err(Error::Tls(_))), "{refused:?}");
        // Nor does a client that trusts it but checks another name.
        let (cert2, _, _) = self_signed();
        let mut other = trusting(cert2);
        other.no_default_roots = true;
        assert!(matches!(
            connect_with(&url, other).await,
            Err(Error::Tls(_))
        ));
        assert!(matches!(
            tls_acceptor_from_pem(b"not pem", key_pem.as_bytes()),
            Err(Error::Pem { .. })
        ));
    });
}

#[test]
fn wss_against_tungstenite_both_ways() {
    run(async {
        let (cert, cert_pem, key_pem) = self_signed();
        // Their TLS client against our TLS server.
        let mut server = ServerConfig::default();
        server.tls =
            Some(tls_acceptor_from_pem(cert_pem.as_bytes(), key_pem.as_bytes()).expect("acceptor"));
        let addr = echo_server(server).await;
        let mut roots = rustls::RootCertStore::empty();
        roots.add(cert.clone()).expect("root");
        let client_tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        let client_tls = Arc::new(client_tls);
        let tcp = tokio::net::TcpStream::connect(addr).await.expect("tcp");
        let name = rustls_pki_types::ServerName::try_from("localhost").expect("name");
        let tls = tokio_rustls::TlsConnector::from(Arc::clone(&client_tls))
            .connect(name, tcp)
            .await
            .expect("tls");
        let (mut theirs, _) = tokio_tungstenite::client_async("wss://localhost/", tls)
            .await
            .expect("their client");
        theirs
            .send(tungstenite::Message::text("hi from tungstenite"))
            .await
            .expect("send");
        let echoed = theirs.next().await.expect("echo").expect("ok");
        assert_eq!(echoed, tungstenite::Message::text("hi from tungstenite"));
        theirs.close(None).await.expect("close");

        // Our TLS client (given a complete rustls config) against their TLS server.
        let acceptor =
            tls_acceptor_from_pem(cert_pem.as_bytes(), key_pem.as_bytes()).expect("acceptor");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.expect("accept");
            let tls = acceptor.accept(tcp).await.expect("tls accept");
            let mut ws = tokio_tungstenite::accept_async(tls).await.expect("upgrade");
            while let Some(Ok(m)) = ws.next().await {
                if m.is_text() || m.is_binary() {
                    ws.send(m).await.expect("echo");
                }
            }
        });
        let mut config = ClientConfig::default();
        config.tls = Some(client_tls);
        let mut ws = connect_with(&format!("wss://localhost:{port}/"), config)
            .await
            .expect("connect");
        ws.send(Message::binary(payload(70_000)))
            .await
            .expect("send");
        assert_eq!(
            ws.recv().await.expect("echo").expect("ok"),
            Message::Binary(payload(70_000))
        );
        let summary = ws.close(CloseCode::NORMAL, "").await.expect("close");
        assert!(summary.clean, "{summary:?}");
    });
}
