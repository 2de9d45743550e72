//! TLS via rustls (ring provider): client configurations from the webpki
//! roots plus extra anchors, server acceptors from PEM files.

use std::path::Path;
use std::sync::Arc;

use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::config::ClientConfig;
use crate::error::{Error, Result};

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The rustls client configuration for `config`: its own, or one trusting
/// the webpki roots (unless disabled) and the extra roots.
pub(crate) fn client_config(config: &ClientConfig) -> Result<Arc<rustls::ClientConfig>> {
    if let Some(tls) = &config.tls {
        return Ok(Arc::clone(tls));
    }
    let mut roots = RootCertStore::empty();
    if !config.no_default_roots {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    for cert in &config.extra_roots {
        roots
            .add(cert.clone())
            .map_err(|e| Error::Tls(format!("extra root rejected: {e}")))?;
    }
    let tls = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(tls))
}

/// A TLS acceptor serving `certs` (leaf first) with `key`.
pub fn tls_acceptor(
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<TlsAcceptor> {
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| Error::Tls(format!("certificate/key rejected: {e}")))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A TLS acceptor from PEM text: a certificate chain and a private key.
pub fn tls_acceptor_from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<TlsAcceptor> {
    let certs = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error("certificate PEM", &e))?;
    if certs.is_empty() {
        return Err(Error::Pem {
            what: "certificate PEM".to_owned(),
            detail: "no CERTIFICATE block".to_owned(),
        });
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| pem_error("key PEM", &e))?;
    tls_acceptor(certs, key)
}

/// A TLS acceptor from a PEM certificate chain file and a PEM key file.
pub fn tls_acceptor_from_pem_files(cert: &Path, key: &Path) -> Result<TlsAcceptor> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|e| Error::Pem {
            what: path.display().to_string(),
            detail: e.to_string(),
        })
    };
    tls_acceptor_from_pem(&read(cert)?, &read(key)?)
}

fn pem_error(what: &str, e: &rustls_pki_types::pem::Error) -> Error {
    Error::Pem {
        what: what.to_owned(),
        detail: format!("{e:?}"),
    }
}
