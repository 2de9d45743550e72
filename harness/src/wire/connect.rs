//! Opening the transport to a server under test: TCP (NODELAY), and TLS via rustls for
//! `wss://` (verified against webpki roots or a CA PEM, or, in insecure mode, accepting any
//! certificate so self-signed test servers can be reached).

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use super::BoxedIo;
use super::handshake::HandshakeError;

/// TLS options for `wss://` targets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsClientOptions {
    /// Accept any server certificate (for self-signed test servers).
    pub insecure: bool,
    /// Trust the CA certificates in this PEM file instead of the webpki roots.
    pub ca_pem: Option<PathBuf>,
    /// SNI / verification name, instead of the URL's host.
    pub server_name: Option<String>,
}

/// A server under test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `ws://` or `wss://` URL.
    pub url: url::Url,
    /// TLS options (used for `wss://`).
    pub tls: TlsClientOptions,
}

impl Target {
    /// A target with default TLS options.
    pub fn new(url: url::Url) -> Self {
        Self {
            url,
            tls: TlsClientOptions::default(),
        }
    }
}

/// Connects to `target` (TCP, then TLS for `wss://`).
pub async fn connect(target: &Target) -> Result<BoxedIo, HandshakeError> {
    let url = &target.url;
    let secure = match url.scheme() {
        "ws" => false,
        "wss" => true,
        other => {
            return Err(HandshakeError::Url(format!(
                "scheme {other:?} is not ws or wss"
            )));
        }
    };
    let host = url
        .host_str()
        .ok_or_else(|| HandshakeError::Url("no host".into()))?;
    let bare_host = host.trim_start_matches('[').trim_end_matches(']');
    let port = url
        .port_or_known_default()
        .unwrap_or(if secure { 443 } else { 80 });
    let tcp = tokio::net::TcpStream::connect((bare_host, port)).await?;
    tcp.set_nodelay(true)?;
    if !secure {
        return Ok(Box::new(tcp));
    }
    let config = client_config(&target.tls)?;
    let name = target
        .tls
        .server_name
        .as_deref()
        .unwrap_or(bare_host)
        .to_owned();
    let server_name =
        ServerName::try_from(name).map_err(|e| HandshakeError::Tls(format!("server name: {e}")))?;
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(server_name, tcp)
        .await
        .map_err(|e| HandshakeError::Tls(e.to_string()))?;
    Ok(Box::new(tls))
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn client_config(opts: &TlsClientOptions) -> Result<rustls::ClientConfig, HandshakeError> {
    let provider = provider();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| HandshakeError::Tls(e.to_string()))?;
    let config = if opts.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny(provider)))
            .with_no_client_auth()
    } else {
        let mut roots = rustls::RootCertStore::empty();
        match &opts.ca_pem {
            Some(path) => {
                let certs = CertificateDer::pem_file_iter(path)
                    .map_err(|e| HandshakeError::Tls(format!("{}: {e}", path.display())))?;
                for cert in certs {
                    let cert =
                        cert.map_err(|e| HandshakeError::Tls(format!("{}: {e}", path.display())))?;
                    roots
                        .add(cert)
                        .map_err(|e| HandshakeError::Tls(format!("{}: {e}", path.display())))?;
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    Ok(config)
}

/// Insecure mode: any certificate is accepted, but handshake signatures are still checked
/// so the TLS session itself is sound.
#[derive(Debug)]
struct AcceptAny(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_build() {
        assert!(client_config(&TlsClientOptions::default()).is_ok());
        let insecure = TlsClientOptions {
            insecure: true,
            ..TlsClientOptions::default()
        };
        assert!(client_config(&insecure).is_ok());
        let missing = TlsClientOptions {
            ca_pem: Some(PathBuf::from("does/not/exist.pem")),
            ..TlsClientOptions::default()
        };
        assert!(matches!(
            client_config(&missing),
            Err(HandshakeError::Tls(_))
        ));
    }

    #[test]
    fn bad_scheme_is_an_error() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let target =
            Target::new(url::Url::parse("http://127.0.0.1:1/").unwrap_or_else(|e| panic!("{e}")));
        assert!(matches!(
            rt.block_on(connect(&target)),
            Err(HandshakeError::Url(_))
        ));
    }
}
