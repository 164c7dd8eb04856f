//! TLS for every connection the probe secures. healthprobe builds the rustls
//! configuration itself (trust roots, `--insecure`, the client certificate,
//! ALPN) and runs the handshake over its own deadline-bounded stream, so that
//! nothing a user supplies reaches an `expect` in a dependency: ureq's own
//! rustls glue panics on a client key that does not match its certificate,
//! and rustls' convenience builder refuses X.509 v1 client certificates that
//! OpenSSL-based servers accept.

use std::fs;
use std::io;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::client::ResolvesClientCert;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::{self, PemObject, SectionKind};
use rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer,
    ServerName, UnixTime,
};
use rustls::sign::CertifiedKey;
use rustls::time_provider::TimeProvider;
use rustls::{
    AlertDescription, CertificateError, ClientConfig, ClientConnection, DigitallySignedStruct,
    RootCertStore, SignatureScheme, StreamOwned,
};
use ureq::unversioned::transport::{ConnectionDetails, Connector, Either};

use super::net::{Connection, DeadlineStream, RawTcp, Secured, describe_io, io_error, is_timeout};
use crate::report::{Limit, Outcome, Peer, Stage, TlsFile, TlsProblem, Trusted};
use crate::spec::{ClientCert, Pem, Tls, TrustRoots};
use crate::url::Host;

/// Where CA bundles live on Debian/Ubuntu/Alpine, RHEL/Fedora, and macOS/BSD.
pub const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
];

/// Everything one target's TLS connections need, prepared before connecting:
/// the configuration, the name to send and verify, and what the line says
/// when the handshake fails. Every kind that runs TLS uses it alike.
pub struct Secure {
    pub config: Arc<ClientConfig>,
    /// Sent as SNI and verified.
    pub name: ServerName<'static>,
    /// What is trusted, for the line.
    trusted: Trusted,
    /// The name verified, for the line.
    verified: String,
    sent_client_cert: bool,
}

impl Secure {
    /// Reads the files the TLS settings name and builds the configuration,
    /// offering `alpn` (e.g. `h2`) if not empty, for `host` or the server
    /// name set. A file that cannot be used is a configuration error;
    /// finding nothing to trust is unhealthy.
    // Not inlined: every TLS kind calls it.
    #[inline(never)]
    pub fn prepare(tls: &Tls, host: &Host, alpn: &[&[u8]]) -> Result<Secure, Outcome> {
        let (config, trusted) = configure(tls, alpn)?;
        Ok(Secure {
            config,
            name: server_name(tls, host)?,
            trusted,
            verified: match &tls.server_name {
                Some(name) => name.clone(),
                None => host.to_string(),
            },
            sent_client_cert: tls.client_cert.is_some(),
        })
    }

    /// What went wrong with TLS, if `error` is about TLS: `wire_start` is
    /// what the server sent first.
    pub fn problem(
        &self,
        error: &io::Error,
        stage: Stage,
        wire_start: &[u8],
    ) -> Option<TlsProblem> {
        problem(
            error,
            stage,
            wire_start,
            &self.verified,
            &self.trusted,
            self.sent_client_cert,
        )
    }

    /// The outcome of a handshake that failed with `error`, for a kind that
    /// runs it itself rather than through ureq: a timeout, a TLS problem,
    /// or a lost connection.
    #[inline(never)]
    pub fn handshake_failure(
        &self,
        error: &io::Error,
        wire_start: &[u8],
        peer: Peer,
        limit: Limit,
    ) -> Outcome {
        let stage = Stage::TlsHandshake;
        if is_timeout(error) {
            return Outcome::TimedOut {
                stage,
                limit,
                peer: Some(peer),
                received: 0,
            };
        }
        match self.problem(error, stage, wire_start) {
            Some(problem) => Outcome::Tls { peer, problem },
            None => Outcome::ConnectionLost {
                stage,
                peer,
                error: super::net::io_failure(error),
                received: 0,
            },
        }
    }
}

/// Builds the configuration, and says what it trusts.
// Not inlined: every TLS kind calls it, and one copy is 8 KB.
#[inline(never)]
fn configure(tls: &Tls, alpn: &[&[u8]]) -> Result<(Arc<ClientConfig>, Trusted), Outcome> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_details(Arc::clone(&provider), Arc::new(Clock))
        .with_safe_default_protocol_versions()
        .map_err(|e| Outcome::TlsSetup {
            error: e.to_string(),
        })?;
    let (builder, trusted) = if tls.insecure {
        let verifier = Arc::new(AnyCertificate(Arc::clone(&provider)));
        let builder = builder
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        (builder, Trusted::Nothing)
    } else {
        let (roots, trusted) = trust_roots(&tls.roots)?;
        (builder.with_root_certificates(roots), trusted)
    };
    let mut config = match &tls.client_cert {
        Some(client) => {
            let identity = client_identity(client, &provider)?;
            builder.with_client_cert_resolver(Arc::new(identity))
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok((Arc::new(config), trusted))
}

/// The name to send as SNI and to verify: the server name set, else the
/// URL's host.
fn server_name(tls: &Tls, host: &Host) -> Result<ServerName<'static>, Outcome> {
    let name = match (&tls.server_name, host) {
        (Some(name), _) => name.clone(),
        (None, Host::Ip(ip)) => return Ok(ServerName::IpAddress((*ip).into())),
        (None, Host::Name(name)) => name.clone(),
    };
    ServerName::try_from(name.clone()).map_err(|_| Outcome::TlsSetup {
        error: format!("{name:?} is not a name a certificate can be verified for"),
    })
}

fn trust_roots(roots: &TrustRoots) -> Result<(RootCertStore, Trusted), Outcome> {
    if let TrustRoots::Given(pem) = roots {
        let mut store = RootCertStore::empty();
        let file = TlsFile::Cacert;
        let (added, _) = store.add_parsable_certificates(certificates(pem, file)?);
        if added == 0 {
            return Err(bad_file(
                file,
                pem,
                "none of its certificates can be used as a trust anchor",
            ));
        }
        return Ok((store, Trusted::File(pem.label())));
    }
    for bundle in SYSTEM_BUNDLES {
        // A bundle that is missing, unreadable or empty is simply not this system's.
        let Ok(pem) = fs::read(bundle) else { continue };
        let certs = CertificateDer::pem_slice_iter(&pem).filter_map(Result::ok);
        let mut store = RootCertStore::empty();
        let (added, _) = store.add_parsable_certificates(certs);
        if added > 0 {
            return Ok((store, Trusted::Bundle((*bundle).to_owned())));
        }
    }
    #[cfg(feature = "webpki-roots")]
    {
        let store = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        return Ok((store, Trusted::BuiltIn));
    }
    #[cfg(not(feature = "webpki-roots"))]
    {
        let looked = SYSTEM_BUNDLES.iter().map(|b| (*b).to_owned()).collect();
        Err(Outcome::NoTrustRoots { looked })
    }
}

fn bad_file(file: TlsFile, pem: &Pem, error: impl ToString) -> Outcome {
    Outcome::BadFile {
        file,
        path: pem.label(),
        error: error.to_string(),
    }
}

/// The PEM sections of a file or of bytes given, in order.
fn pem_sections(pem: &Pem, file: TlsFile) -> Result<Vec<(SectionKind, Vec<u8>)>, Outcome> {
    let read;
    let bytes = match pem {
        Pem::File(path) => {
            read = fs::read(path).map_err(|e| bad_file(file, pem, describe_io(&e)))?;
            &read
        }
        Pem::Bytes(bytes) => bytes,
    };
    let mut sections = Vec::new();
    for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(bytes) {
        match section {
            Ok(section) => sections.push(section),
            Err(e) => return Err(bad_file(file, pem, pem_error(&e))),
        }
    }
    // Sections of kinds rustls does not know are skipped silently; an
    // encrypted key is the one users meet, so it gets its own message.
    if sections.is_empty() && contains(bytes, b"-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        return Err(bad_file(
            file,
            pem,
            "its private key is encrypted: give an unencrypted key (openssl pkey -in KEY -out PLAIN)",
        ));
    }
    Ok(sections)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// PEM errors quote the offending line as bytes; the kind is enough here.
fn pem_error(error: &pem::Error) -> String {
    match error {
        pem::Error::MissingSectionEnd { .. } => "not valid PEM: a section has no END line",
        pem::Error::IllegalSectionStart { .. } => "not valid PEM: a BEGIN line is malformed",
        pem::Error::Base64Decode(_) => "not valid PEM: a section is not valid base64",
        pem::Error::SectionTooLarge => "not valid PEM: a section is too large",
        _ => "not valid PEM",
    }
    .to_owned()
}

/// The certificates in a PEM file, in order; none at all is an error.
fn certificates(pem: &Pem, file: TlsFile) -> Result<Vec<CertificateDer<'static>>, Outcome> {
    let certs: Vec<CertificateDer<'static>> = pem_sections(pem, file)?
        .into_iter()
        .filter(|(kind, _)| *kind == SectionKind::Certificate)
        .map(|(_, der)| CertificateDer::from(der))
        .collect();
    if certs.is_empty() {
        return Err(bad_file(file, pem, "it holds no PEM certificate"));
    }
    Ok(certs)
}

/// The first private key in a PEM file: PKCS#8, SEC1 (EC) or PKCS#1 (RSA).
fn private_key(pem: &Pem) -> Result<PrivateKeyDer<'static>, Outcome> {
    for (kind, der) in pem_sections(pem, TlsFile::ClientKey)? {
        match kind {
            SectionKind::PrivateKey => return Ok(PrivatePkcs8KeyDer::from(der).into()),
            SectionKind::EcPrivateKey => return Ok(PrivateSec1KeyDer::from(der).into()),
            SectionKind::RsaPrivateKey => return Ok(PrivatePkcs1KeyDer::from(der).into()),
            _ => {}
        }
    }
    Err(bad_file(
        TlsFile::ClientKey,
        pem,
        "it holds no PEM private key",
    ))
}

/// The client certificate chain and its key, checked to belong together the
/// way curl and OpenSSL do it: the key's public half must be the one in the
/// first certificate. The certificate itself is not judged (its version and
/// extensions are the server's business), so a v1 certificate works.
fn client_identity(
    client: &ClientCert,
    provider: &CryptoProvider,
) -> Result<ClientIdentity, Outcome> {
    let chain = certificates(&client.cert, TlsFile::ClientCert)?;
    let key = private_key(&client.key)?;
    let key = provider.key_provider.load_private_key(key).map_err(|e| {
        bad_file(
            TlsFile::ClientKey,
            &client.key,
            format!("the key cannot be used ({e})"),
        )
    })?;
    let certified = CertifiedKey::new(chain, key);
    let cert_key = certified
        .end_entity_cert()
        .ok()
        .and_then(|cert| crate::der::subject_public_key_info(cert));
    if let (Some(key), Some(cert_key)) = (certified.key.public_key(), cert_key) {
        if key.as_ref() != cert_key {
            return Err(Outcome::KeyMismatch {
                key: client.key.label(),
                cert: client.cert.label(),
            });
        }
    } else if cert_key.is_none() {
        return Err(bad_file(
            TlsFile::ClientCert,
            &client.cert,
            "its first certificate is not a valid X.509 certificate",
        ));
    }
    Ok(ClientIdentity(Arc::new(certified)))
}

/// Presents the one client certificate we have, to any server that asks.
#[derive(Debug)]
struct ClientIdentity(Arc<CertifiedKey>);

impl ResolvesClientCert for ClientIdentity {
    fn resolve(&self, _hints: &[&[u8]], _schemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        // rustls picks a signature scheme the key and the server share, and
        // sends no certificate if there is none.
        Some(Arc::clone(&self.0))
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// `--insecure`: any certificate, as curl's `-k` and Kubernetes' HTTPS probe
/// accept. The handshake signatures are not checked either: with the
/// certificate unverified they prove nothing, and checking them would refuse
/// the certificates the option exists for (old self-signed v1 ones).
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
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
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The system clock for certificate validity. rustls' own provider
/// (`UnixTime::now`) panics on a clock set before 1970, which a container on a
/// board without a real-time clock can have; this one makes it a TLS error
/// ("failed to get current time") instead.
#[derive(Debug)]
struct Clock;

impl TimeProvider for Clock {
    fn current_time(&self) -> Option<UnixTime> {
        let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
        Some(UnixTime::since_unix_epoch(since_epoch))
    }
}

/// A TLS session over the deadline-bounded stream.
pub type TlsStream = StreamOwned<ClientConnection, DeadlineStream>;

/// Runs the handshake over `stream`; every read and write in it ends by the
/// stream's deadline.
#[inline(never)]
pub fn handshake(
    config: &Arc<ClientConfig>,
    name: ServerName<'static>,
    mut stream: DeadlineStream,
) -> io::Result<TlsStream> {
    let mut conn = ClientConnection::new(Arc::clone(config), name)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    while conn.is_handshaking() {
        conn.complete_io(&mut stream)?;
    }
    Ok(StreamOwned::new(conn, stream))
}

/// The TLS link of ureq's connector chain (https:// only; plain connections
/// pass through untouched).
#[derive(Debug)]
pub struct TlsConnector {
    pub config: Arc<ClientConfig>,
    pub name: ServerName<'static>,
    pub input_buffer: usize,
    pub output_buffer: usize,
}

impl Connector<RawTcp> for TlsConnector {
    type Out = Either<RawTcp, Connection<TlsStream>>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<RawTcp>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let Some(raw) = chained else {
            return Ok(None);
        };
        if !details.needs_tls() {
            return Ok(Some(Either::A(raw)));
        }
        let stream =
            handshake(&self.config, self.name.clone(), raw.into_stream()).map_err(io_error)?;
        let connection = Connection::new(stream, self.input_buffer, self.output_buffer);
        Ok(Some(Either::B(connection)))
    }
}

impl Secured for TlsStream {
    fn is_tls(&self) -> bool {
        true
    }
}

/// What went wrong with TLS, if the error is about TLS. `wire_start` is what
/// the server sent first; `name` the name verified; `trusted` the roots.
fn problem(
    error: &io::Error,
    stage: Stage,
    wire_start: &[u8],
    name: &str,
    trusted: &Trusted,
    sent_client_cert: bool,
) -> Option<TlsProblem> {
    if stage == Stage::TlsHandshake && wire_start.starts_with(b"HTTP/") {
        return Some(TlsProblem::PlainHttp);
    }
    let rustls_error = error.get_ref()?.downcast_ref::<rustls::Error>()?;
    Some(match rustls_error {
        rustls::Error::InvalidCertificate(e) => match e {
            CertificateError::UnknownIssuer => TlsProblem::UnknownIssuer {
                trusted: trusted.clone(),
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
            CertificateError::Other(other)
                if matches!(
                    other.0.downcast_ref::<webpki::Error>(),
                    Some(webpki::Error::CaUsedAsEndEntity)
                ) =>
            {
                TlsProblem::CaAsServer
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

/// Whether the server refused every protocol offered by ALPN (RFC 7301
/// section 3.2: the `no_application_protocol` alert).
#[cfg(feature = "grpc")]
pub fn refused_alpn(error: &io::Error) -> bool {
    let rustls_error = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>());
    matches!(
        rustls_error,
        Some(rustls::Error::AlertReceived(
            AlertDescription::NoApplicationProtocol
        ))
    )
}
