//! TLS servers for the tests: a certificate authority made for one test,
//! leaf certificates it signs, and a rustls server on loopback (or a Unix
//! socket) that answers each request with 200 and `ok`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, date_time_ymd};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig, ServerConnection, StreamOwned};

use super::{bind_unix, read_head_from};

/// A certificate authority made for one test.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pub pem: String,
}

pub fn ca(name: &str) -> Ca {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    let pem = params.self_signed(&key).unwrap().pem();
    Ca {
        issuer: Issuer::new(params, key),
        pem,
    }
}

pub struct Leaf {
    pub cert: String,
    pub key: String,
}

pub enum Validity {
    Current,
    Expired,
    NotYet,
}

pub fn leaf(ca: &Ca, names: &[&str], validity: Validity, key: KeyPair) -> Leaf {
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(
        DnType::CommonName,
        names.first().copied().unwrap_or("client"),
    );
    (params.not_before, params.not_after) = match validity {
        Validity::Current => (date_time_ymd(2020, 1, 1), date_time_ymd(2090, 1, 1)),
        Validity::Expired => (date_time_ymd(2020, 1, 1), date_time_ymd(2021, 1, 1)),
        Validity::NotYet => (date_time_ymd(2080, 1, 1), date_time_ymd(2090, 1, 1)),
    };
    let cert = params.signed_by(&key, &ca.issuer).unwrap().pem();
    Leaf {
        cert,
        key: key.serialize_pem(),
    }
}

pub fn server_leaf(ca: &Ca, validity: Validity) -> Leaf {
    leaf(
        ca,
        &["localhost", "127.0.0.1", "::1"],
        validity,
        KeyPair::generate().unwrap(),
    )
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A server config for `leaf`; with `client_ca`, client certificates signed by
/// it are required.
pub fn server_config(leaf: &Leaf, client_ca: Option<&Ca>) -> Arc<ServerConfig> {
    let chain = vec![CertificateDer::from_pem_slice(leaf.cert.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(leaf.key.as_bytes()).unwrap();
    let builder = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            roots
                .add(CertificateDer::from_pem_slice(ca.pem.as_bytes()).unwrap())
                .unwrap();
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
                .build()
                .unwrap();
            builder.with_client_cert_verifier(verifier)
        }
    };
    Arc::new(builder.with_single_cert(chain, key).unwrap())
}

/// A TLS server on 127.0.0.1 answering each request with 200 and `ok`, for
/// at most `connections` connections.
pub fn tls_server(config: Arc<ServerConfig>, connections: usize) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().take(connections).flatten() {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let config = Arc::clone(&config);
            thread::spawn(move || answer_in_tls(config, stream));
        }
    });
    addr
}

/// The same on a Unix socket at `path`.
pub fn tls_server_on_unix(config: Arc<ServerConfig>, path: &str) {
    let listener = bind_unix(path);
    thread::spawn(move || {
        if let Some(Ok(stream)) = listener.incoming().next() {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            answer_in_tls(config, stream);
        }
    });
}

fn answer_in_tls<S: Read + Write>(config: Arc<ServerConfig>, stream: S) {
    let Ok(conn) = ServerConnection::new(config) else {
        return;
    };
    let mut tls = StreamOwned::new(conn, stream);
    if !read_head_from(&mut tls).ends_with("\r\n\r\n") {
        return;
    }
    let _ = tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
    tls.conn.send_close_notify();
    let _ = tls.flush();
}
