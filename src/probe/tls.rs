//! TLS for https:// probes: the certificates to trust and to present, loaded
//! from files, and rustls' errors turned into the problems users can act on.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use rustls::AlertDescription;
use rustls::CertificateError;
use ureq::tls::{Certificate, ClientCert, PemItem, RootCerts, TlsConfig, TlsProvider, parse_pem};

use crate::config::{self, SYSTEM_BUNDLES, TrustRoots};
use crate::outcome::{Outcome, Stage, TlsProblem};

/// A TLS configuration for ureq, and what it trusts, in words for the line.
pub struct Prepared {
    pub config: TlsConfig,
    pub trusted: String,
}

/// Reads the files the TLS options name. A file that cannot be used is a
/// configuration error; finding nothing to trust is unhealthy.
pub fn prepare(tls: &config::Tls) -> Result<Prepared, Outcome> {
    let mut builder = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()));
    let trusted = if tls.insecure {
        builder = builder.disable_verification(true);
        "nothing".to_owned()
    } else {
        let (roots, trusted) = trust_roots(&tls.roots)?;
        builder = builder.root_certs(roots);
        trusted
    };
    if let Some(client) = &tls.client_cert {
        let chain = certificates(&client.cert, "--cert")?;
        let key = private_key(&client.key)?;
        builder = builder.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
    }
    Ok(Prepared {
        config: builder.build(),
        trusted,
    })
}

fn trust_roots(roots: &TrustRoots) -> Result<(RootCerts, String), Outcome> {
    if let TrustRoots::File { path, source } = roots {
        let certs = certificates(path, source)?;
        return Ok((
            RootCerts::from(certs),
            format!("{source} {}", path.display()),
        ));
    }
    for bundle in SYSTEM_BUNDLES {
        // A bundle that is missing or unreadable is simply not this system's.
        let Ok(pem) = fs::read(bundle) else { continue };
        let certs: Vec<Certificate<'static>> = parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(PemItem::Certificate(cert)) => Some(cert),
                _ => None,
            })
            .collect();
        if !certs.is_empty() {
            return Ok((RootCerts::from(certs), (*bundle).to_owned()));
        }
    }
    if cfg!(feature = "webpki-roots") {
        return Ok((RootCerts::WebPki, "the built-in Mozilla roots".to_owned()));
    }
    let mut looked = vec![
        "--cacert (not given)".to_owned(),
        "SSL_CERT_FILE (not set)".to_owned(),
    ];
    looked.extend(SYSTEM_BUNDLES.iter().map(|b| (*b).to_owned()));
    Err(Outcome::NoTrustRoots { looked })
}

fn bad_file(source: &str, path: &Path, error: impl ToString) -> Outcome {
    Outcome::BadFile {
        source: source.to_owned(),
        path: path.display().to_string(),
        error: error.to_string(),
    }
}

/// The certificates in a PEM file; none at all is an error.
fn certificates(path: &Path, source: &str) -> Result<Vec<Certificate<'static>>, Outcome> {
    let pem = fs::read(path).map_err(|e| bad_file(source, path, super::net::describe_io(&e)))?;
    let mut certs = Vec::new();
    for item in parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(cert)) => certs.push(cert),
            Ok(_) => {}
            Err(e) => return Err(bad_file(source, path, format!("not valid PEM: {e}"))),
        }
    }
    if certs.is_empty() {
        return Err(bad_file(source, path, "it holds no PEM certificate"));
    }
    Ok(certs)
}

/// The first private key in a PEM file (PKCS#1, PKCS#8 or SEC1).
fn private_key(path: &Path) -> Result<ureq::tls::PrivateKey<'static>, Outcome> {
    let pem = fs::read(path).map_err(|e| bad_file("--key", path, super::net::describe_io(&e)))?;
    for item in parse_pem(&pem) {
        match item {
            Ok(PemItem::PrivateKey(key)) => return Ok(key),
            Ok(_) => {}
            Err(e) => return Err(bad_file("--key", path, format!("not valid PEM: {e}"))),
        }
    }
    Err(bad_file("--key", path, "it holds no PEM private key"))
}

/// What went wrong with TLS, if the error is about TLS. `wire_start` is what
/// the server sent first; `name` the name verified; `trusted` the roots.
pub fn problem(
    error: &ureq::Error,
    stage: Stage,
    wire_start: &[u8],
    name: &str,
    trusted: &str,
    sent_client_cert: bool,
) -> Option<TlsProblem> {
    if stage == Stage::TlsHandshake && wire_start.starts_with(b"HTTP/") {
        return Some(TlsProblem::PlainHttp);
    }
    let rustls_error = match error {
        ureq::Error::Rustls(e) => e,
        ureq::Error::Io(e) => e.get_ref()?.downcast_ref::<rustls::Error>()?,
        _ => return None,
    };
    Some(match rustls_error {
        rustls::Error::InvalidCertificate(e) => match e {
            CertificateError::UnknownIssuer => TlsProblem::UnknownIssuer {
                trusted: trusted.to_owned(),
            },
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                TlsProblem::NameMismatch {
                    name: name.to_owned(),
                }
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                TlsProblem::Expired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                TlsProblem::NotYetValid
            }
            other => TlsProblem::Other(format!("its certificate is not acceptable ({other:?})")),
        },
        rustls::Error::AlertReceived(AlertDescription::CertificateRequired) => {
            TlsProblem::ClientCertRequired
        }
        rustls::Error::AlertReceived(
            AlertDescription::BadCertificate
            | AlertDescription::UnknownCA
            | AlertDescription::CertificateUnknown
            | AlertDescription::UnsupportedCertificate
            | AlertDescription::CertificateRevoked
            | AlertDescription::CertificateExpired
            | AlertDescription::AccessDenied
            | AlertDescription::DecryptError,
        ) if sent_client_cert => TlsProblem::ClientCertRejected,
        other => TlsProblem::Other(other.to_string()),
    })
}
