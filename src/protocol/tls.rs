//! TLS's words: why a handshake was refused, and what was trusted. The
//! transport (`transport::tls`) runs rustls and finds the problem.

use std::fmt;

use super::Words;
use crate::setting::{Names, Setting};

/// Why a TLS connection was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsProblem {
    /// The certificate does not chain to any of the trusted roots.
    #[non_exhaustive]
    UnknownIssuer {
        /// The roots trusted.
        trusted: Trusted,
    },
    /// The certificate is valid, but not for `name`.
    #[non_exhaustive]
    NameMismatch {
        /// The name verified.
        name: String,
    },
    /// The certificate has expired.
    Expired,
    /// The certificate is not valid yet.
    NotYetValid,
    /// The server presented a CA certificate as its own (`openssl req -x509`
    /// makes these unless told `CA:FALSE`).
    CaAsServer,
    /// The server wants a client certificate and none was given.
    ClientCertRequired,
    /// The server refused the client certificate given.
    ClientCertRejected,
    /// The server answered the TLS handshake in plain HTTP.
    PlainHttp,
    /// Anything else the TLS library reported.
    Other(String),
}

/// The certificates a TLS probe trusted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Trusted {
    /// The PEM file the CA setting named.
    File(String),
    /// The system's CA bundle found at this path.
    Bundle(String),
    /// Mozilla's roots, compiled in (feature `webpki-roots`).
    BuiltIn,
    /// Nothing: the certificate is not verified.
    Nothing,
}

impl Words for TlsProblem {
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        peer: &dyn fmt::Display,
        names: &Names,
    ) -> fmt::Result {
        match self {
            TlsProblem::UnknownIssuer { trusted } => {
                write!(
                    f,
                    "the certificate of {peer} is not signed by a trusted CA (trusting "
                )?;
                match trusted {
                    Trusted::File(path) => write!(f, "{} {path}", names.source(Setting::Cacert))?,
                    Trusted::Bundle(path) => f.write_str(path)?,
                    Trusted::BuiltIn => f.write_str("the built-in Mozilla roots")?,
                    Trusted::Nothing => f.write_str("nothing")?,
                }
                write!(f, "; see {})", names.option(Setting::Cacert))
            }
            TlsProblem::NameMismatch { name } => write!(
                f,
                "the certificate of {peer} is not valid for {name:?} (see {})",
                names.option(Setting::ServerName)
            ),
            TlsProblem::Expired => write!(f, "the certificate of {peer} has expired"),
            TlsProblem::NotYetValid => write!(f, "the certificate of {peer} is not valid yet"),
            TlsProblem::CaAsServer => write!(
                f,
                "the certificate of {peer} is a CA certificate, not a server's (openssl req -x509 makes these: add -addext basicConstraints=critical,CA:FALSE)"
            ),
            TlsProblem::ClientCertRequired => {
                let (cert, key) = (
                    names.option(Setting::ClientCert),
                    names.option(Setting::ClientKey),
                );
                write!(f, "{peer} requires a client certificate (see {cert}")?;
                if key != cert {
                    write!(f, " and {key}")?;
                }
                f.write_str(")")
            }
            TlsProblem::ClientCertRejected => write!(f, "{peer} rejected the client certificate"),
            TlsProblem::PlainHttp => write!(
                f,
                "{peer} answered in plain HTTP, not TLS: probe it with http://"
            ),
            TlsProblem::Other(error) => write!(f, "TLS with {peer} failed: {error}"),
        }
    }
}
