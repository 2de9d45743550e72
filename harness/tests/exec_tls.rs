//! `wss://`: the executor over TLS against a tokio-tungstenite echo server with a
//! self-signed certificate (insecure mode, a CA PEM with an explicit server name, and the
//! default roots, which must refuse it).

mod exec_common;

use std::net::SocketAddr;
use std::sync::Arc;

use ampel::executor::{ExecConfig, Target, TlsClientOptions, run_client_case};
use ampel_cases::{Behavior, CloseBehavior, judge};
use exec_common::{TEST_LIMIT, case, runtime};
use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

/// A TLS echo server for `localhost`; returns its address and certificate PEM.
async fn tls_echo_server() -> (SocketAddr, String) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
        .unwrap_or_else(|e| panic!("rcgen: {e}"));
    let pem = certified.cert.pem();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|e| panic!("versions: {e}"))
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .unwrap_or_else(|e| panic!("server config: {e}"));
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move {
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
                    if matches!(msg, Message::Text(_) | Message::Binary(_))
                        && ws.send(msg).await.is_err()
                    {
                        break;
                    }
                }
            });
        }
    });
    (addr, pem)
}

fn wss(addr: SocketAddr, tls: TlsClientOptions) -> Target {
    Target {
        url: url::Url::parse(&format!("wss://{addr}/")).unwrap_or_else(|e| panic!("{e}")),
        tls,
    }
}

#[test]
fn cases_run_over_tls() {
    runtime().block_on(async {
        let work = async {
            let (addr, pem) = tls_echo_server().await;
            let insecure = TlsClientOptions {
                insecure: true,
                ..TlsClientOptions::default()
            };
            let pem_path = std::env::temp_dir().join(format!("ampel-exec-tls-{}.pem", addr.port()));
            std::fs::write(&pem_path, pem).unwrap_or_else(|e| panic!("write pem: {e}"));
            let pinned = TlsClientOptions {
                ca_pem: Some(pem_path.clone()),
                server_name: Some("localhost".to_owned()),
                ..TlsClientOptions::default()
            };
            for tls in [insecure, pinned] {
                for id in ["1.1.8", "2.6", "5.20", "6.3.2", "7.7.1", "9.1.1"] {
                    let c = case(id);
                    let obs =
                        run_client_case(&wss(addr, tls.clone()), c, &ExecConfig::default()).await;
                    let v = judge(c, &obs);
                    assert_eq!(
                        (v.behavior, v.behavior_close),
                        (Behavior::Ok, CloseBehavior::Ok),
                        "{id} with {tls:?}: {v:?} {:?}",
                        obs.connection
                    );
                }
            }
            let _ = std::fs::remove_file(&pem_path);
            // The default roots do not know the self-signed certificate.
            let obs = run_client_case(
                &wss(addr, TlsClientOptions::default()),
                case("1.1.1"),
                &ExecConfig::default(),
            )
            .await;
            assert!(!obs.handshake.completed);
            assert!(
                obs.connection
                    .was_not_clean_reason
                    .as_deref()
                    .is_some_and(|r| r.contains("TLS")),
                "{:?}",
                obs.connection
            );
        };
        tokio::time::timeout(TEST_LIMIT, work)
            .await
            .unwrap_or_else(|_| panic!("timed out"));
    });
}
