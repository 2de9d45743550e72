//! `wss://` from the command line: `--insecure` and `--ca FILE` reach a server with a
//! self-signed certificate; without either, the run is invalid (exit 3).

mod cli_support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use cli_support::{run, temp_dir};
use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

const LIMIT: Duration = Duration::from_secs(60);

/// A TLS echo server for `localhost` on a background runtime; its address and certificate.
fn tls_echo_server() -> (SocketAddr, String) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let pem = certified.cert.pem();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let Ok(mut ws) = tokio_tungstenite::accept_async(tls).await else {
                        return;
                    };
                    while let Some(Ok(msg)) = ws.next().await {
                        if (msg.is_text() || msg.is_binary()) && ws.send(msg).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
    });
    (rx.recv_timeout(LIMIT).unwrap(), pem)
}

#[test]
fn wss_with_insecure_or_a_ca_file() {
    let (addr, pem) = tls_echo_server();
    let dir = temp_dir("tls");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, pem).unwrap();
    let url = format!("wss://localhost:{}", addr.port());
    let out = dir.join("out");
    let base = ["test-server", url.as_str(), "--cases", "1.1.1", "-o"];
    let with = |extra: &[&str]| {
        let mut args: Vec<&str> = base.to_vec();
        args.push(out.to_str().unwrap());
        args.extend_from_slice(extra);
        run(&args, LIMIT)
    };

    let untrusted = with(&[]);
    assert_eq!(untrusted.code, Some(3), "{untrusted:?}");
    assert!(
        untrusted.stderr.contains("unreachable"),
        "{}",
        untrusted.stderr
    );

    let insecure = with(&["--insecure"]);
    assert_eq!(insecure.code, Some(0), "{insecure:?}");
    assert_eq!(insecure.last_line(), "1 passed, 0 failed, 0 skipped");

    let pinned = with(&["--ca", ca.to_str().unwrap()]);
    assert_eq!(pinned.code, Some(0), "{pinned:?}");

    let missing = with(&["--ca", dir.join("none.pem").to_str().unwrap()]);
    assert_eq!(missing.code, Some(2), "{missing:?}");
}
