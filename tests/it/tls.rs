//! https:// against a rustls server on loopback, with certificates the tests
//! make: trust via --cacert and SSL_CERT_FILE, --insecure, --server-name,
//! client certificates (ECDSA, Ed25519, RSA), and every way TLS can fail.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use rcgen::{KeyPair, PKCS_ED25519};
use rustls::{ServerConnection, StreamOwned};

use crate::support::tls::*;
use crate::support::*;

fn url(addr: SocketAddr) -> String {
    format!("https://localhost:{}/health", addr.port())
}

#[test]
fn trusts_a_private_ca_given_with_cacert() {
    let ca = ca("test CA");
    let files = TempDir::new();
    let cacert = files.write("ca.pem", &ca.pem);
    let addr = tls_server(server_config(&server_leaf(&ca, Validity::Current), None), 2);
    let url = url(addr);
    probe(&["--cacert", &cacert, &url]).expect(
        0,
        &format!("healthy: GET {url}: 200 OK from {addr} in <elapsed>"),
    );
    probe(&[&url]).env("HEALTHPROBE_CACERT", &cacert).expect(
        0,
        &format!("healthy: GET {url}: 200 OK from {addr} in <elapsed>"),
    );
}

#[test]
fn trusts_a_private_ca_given_with_ssl_cert_file() {
    let ca = ca("test CA");
    let files = TempDir::new();
    let bundle = files.write(
        "bundle.pem",
        &format!("{}{}", self::ca("other").pem, ca.pem),
    );
    let addr = tls_server(server_config(&server_leaf(&ca, Validity::Current), None), 1);
    let url = format!("https://127.0.0.1:{}/health", addr.port());
    probe(&[&url]).env("SSL_CERT_FILE", &bundle).expect(
        0,
        &format!("healthy: GET {url}: 200 OK from {addr} in <elapsed>"),
    );
}

#[test]
fn an_untrusted_certificate_is_unhealthy_and_says_what_was_trusted() {
    let ca = ca("test CA");
    let files = TempDir::new();
    let other = files.write("other.pem", &self::ca("other CA").pem);
    let addr = tls_server(server_config(&server_leaf(&ca, Validity::Current), None), 2);
    let url = url(addr);
    probe(&["--cacert", &other, &url]).expect(
        1,
        &format!("unhealthy: GET {url}: the certificate of {addr} is not signed by a trusted CA (trusting --cacert {other}; see --cacert) in <elapsed>"),
    );
    probe(&[&url]).env("SSL_CERT_FILE", &other).expect(
        1,
        &format!("unhealthy: GET {url}: the certificate of {addr} is not signed by a trusted CA (trusting SSL_CERT_FILE {other}; see --cacert) in <elapsed>"),
    );
}

#[test]
fn insecure_skips_verification_and_says_so() {
    let ca = ca("test CA");
    let addr = tls_server(server_config(&server_leaf(&ca, Validity::Expired), None), 2);
    let url = url(addr);
    probe(&["-k", &url]).expect(
        0,
        &format!("healthy: GET {url} (certificate not verified): 200 OK from {addr} in <elapsed>"),
    );
    probe(&[&url]).env("HEALTHPROBE_INSECURE", "1").expect(
        0,
        &format!("healthy: GET {url} (certificate not verified): 200 OK from {addr} in <elapsed>"),
    );
}

#[test]
fn expired_and_not_yet_valid_certificates_are_named() {
    let ca = ca("test CA");
    let files = TempDir::new();
    let cacert = files.write("ca.pem", &ca.pem);
    for (validity, why) in [
        (Validity::Expired, "has expired"),
        (Validity::NotYet, "is not valid yet"),
    ] {
        let addr = tls_server(server_config(&server_leaf(&ca, validity), None), 1);
        let url = url(addr);
        probe(&["--cacert", &cacert, &url]).expect(
            1,
            &format!("unhealthy: GET {url}: the certificate of {addr} {why} in <elapsed>"),
        );
    }
}

#[test]
fn a_certificate_for_another_name_is_a_name_mismatch_unless_server_name_says_so() {
    let ca = ca("test CA");
    let files = TempDir::new();
    let cacert = files.write("ca.pem", &ca.pem);
    let cert = leaf(
        &ca,
        &["api.internal"],
        Validity::Current,
        KeyPair::generate().unwrap(),
    );
    let addr = tls_server(server_config(&cert, None), 3);
    let by_address = format!("https://127.0.0.1:{}/health", addr.port());
    probe(&["--cacert", &cacert, &by_address]).expect(
        1,
        &format!("unhealthy: GET {by_address}: the certificate of {addr} is not valid for \"127.0.0.1\" (see --server-name) in <elapsed>"),
    );
    probe(&[
        "--cacert",
        &cacert,
        "--server-name",
        "api.internal",
        &by_address,
    ])
    .expect(
        0,
        &format!(
            "healthy: GET {by_address} (verifying api.internal): 200 OK from {addr} in <elapsed>"
        ),
    );
    probe(&["--cacert", &cacert, &by_address]).env("HEALTHPROBE_SERVER_NAME", "other.internal").expect(
        1,
        &format!("unhealthy: GET {by_address} (verifying other.internal): the certificate of {addr} is not valid for \"other.internal\" (see --server-name) in <elapsed>"),
    );
}

/// An RSA key from `openssl genpkey`: ring, which rcgen uses here, can sign
/// with RSA keys but not make them.
fn rsa_key() -> KeyPair {
    let out = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
        ])
        .output()
        .expect("openssl is installed (.ci/test installs it)");
    assert!(out.status.success(), "openssl genpkey failed");
    KeyPair::from_pem(std::str::from_utf8(&out.stdout).unwrap()).unwrap()
}

#[test]
fn client_certificates_with_ecdsa_ed25519_and_rsa_keys() {
    let server_ca = ca("server CA");
    let client_ca = ca("client CA");
    let files = TempDir::new();
    let cacert = files.write("ca.pem", &server_ca.pem);
    let addr = tls_server(
        server_config(
            &server_leaf(&server_ca, Validity::Current),
            Some(&client_ca),
        ),
        6,
    );
    let url = url(addr);

    probe(&["--cacert", &cacert, &url]).expect(
        1,
        &format!("unhealthy: GET {url}: {addr} requires a client certificate (see --cert and --key) in <elapsed>"),
    );
    for (kind, key) in [
        ("ecdsa", KeyPair::generate().unwrap()),
        ("ed25519", KeyPair::generate_for(&PKCS_ED25519).unwrap()),
        ("rsa", rsa_key()),
    ] {
        let client = leaf(&client_ca, &["probe.internal"], Validity::Current, key);
        let cert = files.write(&format!("{kind}.crt"), &client.cert);
        let key = files.write(&format!("{kind}.key"), &client.key);
        probe(&["--cacert", &cacert, "--cert", &cert, "--key", &key, &url]).expect(
            0,
            &format!("healthy: GET {url}: 200 OK from {addr} in <elapsed>"),
        );
    }
    // One file holding both, named by variables: --key defaults to --cert.
    let client = leaf(
        &client_ca,
        &["probe.internal"],
        Validity::Current,
        KeyPair::generate().unwrap(),
    );
    files.write("both.pem", &format!("{}{}", client.cert, client.key));
    probe(&[&url])
        .env("HEALTHPROBE_CACERT", &cacert)
        .env("CERTS", files.path().to_str().unwrap())
        .env("HEALTHPROBE_CERT", "${CERTS}/both.pem")
        .expect(
            0,
            &format!("healthy: GET {url}: 200 OK from {addr} in <elapsed>"),
        );
}

#[test]
fn a_client_certificate_from_another_ca_is_rejected() {
    let server_ca = ca("server CA");
    let client_ca = ca("client CA");
    let stranger = ca("stranger CA");
    let files = TempDir::new();
    let cacert = files.write("ca.pem", &server_ca.pem);
    let addr = tls_server(
        server_config(
            &server_leaf(&server_ca, Validity::Current),
            Some(&client_ca),
        ),
        1,
    );
    let client = leaf(
        &stranger,
        &["probe.internal"],
        Validity::Current,
        KeyPair::generate().unwrap(),
    );
    let cert = files.write("c.crt", &client.cert);
    let key = files.write("c.key", &client.key);
    let url = url(addr);
    probe(&["--cacert", &cacert, "--cert", &cert, "--key", &key, &url]).expect(
        1,
        &format!("unhealthy: GET {url}: {addr} rejected the client certificate in <elapsed>"),
    );
}

fn silent_after_accept(mut stream: TcpStream) {
    let mut buf = [0u8; 1024];
    let _ = stream.read(&mut buf);
    thread::sleep(Duration::from_secs(3));
}

#[test]
fn a_handshake_that_never_ends_ends_at_the_deadline() {
    let addr = serve(1, silent_after_accept);
    let url = url(addr);
    probe(&["-k", "-t", "500ms", &url])
        .expect(1, &format!("unhealthy: GET {url} (certificate not verified): timed out in the TLS handshake with {addr} (--timeout 500ms) in <elapsed>"))
        .ended_at_deadline(Duration::from_millis(500));
}

fn plain_http_server(mut stream: TcpStream) {
    let mut buf = [0u8; 1024];
    let _ = stream.read(&mut buf);
    let _ = stream
        .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
}

#[test]
fn plain_http_on_the_tls_port_is_named() {
    let addr = serve(1, plain_http_server);
    let url = url(addr);
    probe(&["-k", &url]).expect(
        1,
        &format!("unhealthy: GET {url} (certificate not verified): {addr} answered in plain HTTP, not TLS: probe it with http:// in <elapsed>"),
    );
}

#[test]
fn a_tls_server_probed_with_http_is_named() {
    let ca = ca("test CA");
    let addr = tls_server(server_config(&server_leaf(&ca, Validity::Current), None), 1);
    let url = format!("http://localhost:{}/health", addr.port());
    probe(&["-t", "1s", &url]).expect(
        1,
        &format!(
            "unhealthy: GET {url}: {addr} answered in TLS: probe it with https:// in <elapsed>"
        ),
    );
}

#[test]
fn unreadable_tls_files_are_usage_errors() {
    let files = TempDir::new();
    let not_pem = files.write("not.pem", "hello\n");
    for (args, line) in [
        (
            vec!["--cacert", "/nonexistent/ca.pem"],
            "healthprobe: cannot use --cacert \"/nonexistent/ca.pem\": no such file or directory"
                .to_owned(),
        ),
        (
            vec!["--cacert", &not_pem],
            format!("healthprobe: cannot use --cacert \"{not_pem}\": it holds no PEM certificate"),
        ),
        (
            vec!["-k", "--cert", &not_pem],
            format!("healthprobe: cannot use --cert \"{not_pem}\": it holds no PEM certificate"),
        ),
    ] {
        let mut args = args.clone();
        args.push("https://127.0.0.1:1/health");
        probe(&args).expect(64, &line);
    }
}

#[test]
fn tls_options_with_http_are_usage_errors() {
    probe(&["-k", "http://127.0.0.1:1/"]).expect(
        64,
        "healthprobe: --insecure applies only to https://, grpcs://, rediss://, amqps://, nats://, tls://, kafka+ssl://, cassandra+ssl:// and scylla+ssl:// targets, and none is given",
    );
    // A variable is ignored where it does not fit: one image's ENV serves
    // every healthprobe command in it.
    let addr = closed_port();
    probe(&[&format!("http://{addr}/")])
        .env("HEALTHPROBE_CACERT", "/ca.pem")
        .expect(
            1,
            &format!("unhealthy: GET http://{addr}/: connection refused at {addr} in <elapsed>"),
        );
}

#[test]
fn https_redirects_are_followed_on_the_same_origin() {
    let ca = ca("test CA");
    let files = TempDir::new();
    let cacert = files.write("ca.pem", &ca.pem);
    let leaf = server_leaf(&ca, Validity::Current);
    let config = server_config(&leaf, None);
    // First a redirect, then the answer, over two TLS connections.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for (i, stream) in listener.incoming().take(2).flatten().enumerate() {
            let Ok(conn) = ServerConnection::new(Arc::clone(&config)) else {
                return;
            };
            let mut tls = StreamOwned::new(conn, stream);
            let mut buf = [0u8; 4096];
            let _ = tls.read(&mut buf);
            let answer: &[u8] = if i == 0 {
                b"HTTP/1.1 302 Found\r\nlocation: /ready\r\ncontent-length: 0\r\n\r\n"
            } else {
                b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nready"
            };
            let _ = tls.write_all(answer);
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    let url = url(addr);
    probe(&[
        "--cacert",
        &cacert,
        "--follow-redirects",
        "--expect-body",
        "ready",
        &url,
    ])
    .expect(
        0,
        &format!("healthy: GET {url}: 200 OK from {addr} in <elapsed>"),
    );
}

#[test]
fn https_over_a_unix_socket_verifies_the_urls_host() {
    let ca = ca("test CA");
    let files = TempDir::new();
    let cacert = files.write("ca.pem", &ca.pem);
    let socket = files.path().join("tls.sock");
    let socket = socket.to_str().unwrap();
    tls_server_on_unix(
        server_config(&server_leaf(&ca, Validity::Current), None),
        socket,
    );
    let url = "https://localhost:8443/health";
    probe(&["--cacert", &cacert, "--unix-socket", socket, url]).expect(
        0,
        &format!("healthy: GET {url}: 200 OK from {socket} in <elapsed>"),
    );
    // The certificate is for localhost, not for this name.
    let other = files.path().join("other.sock");
    let other = other.to_str().unwrap();
    tls_server_on_unix(
        server_config(&server_leaf(&ca, Validity::Current), None),
        other,
    );
    let url = "https://api.internal/health";
    probe(&["--cacert", &cacert, "--unix-socket", other, url]).expect(
        1,
        &format!(
            "unhealthy: GET {url}: the certificate of {other} is not valid for \"api.internal\" (see --server-name) in <elapsed>"
        ),
    );
}

#[test]
fn the_library_takes_the_ca_and_the_client_certificate_as_pem_bytes() {
    let server_ca = ca("server CA");
    let client_ca = ca("client CA");
    let addr = tls_server(
        server_config(
            &server_leaf(&server_ca, Validity::Current),
            Some(&client_ca),
        ),
        3,
    );
    let url = url(addr);
    let client = leaf(
        &client_ca,
        &["probe.internal"],
        Validity::Current,
        KeyPair::generate().unwrap(),
    );
    let probe = |ca: &str| {
        healthprobe::Probe::new(&url)
            .and_then(|p| p.cacert_pem(ca.as_bytes()))
            .and_then(|p| p.client_cert_pem(client.cert.as_bytes(), client.key.as_bytes()))
            .unwrap()
            .run()
    };
    let report = probe(&server_ca.pem);
    assert!(report.is_healthy(), "{report}");
    // Another CA's bytes: the line says what was trusted.
    let report = probe(&ca("other CA").pem);
    assert_eq!(report.exit_code(), 1, "{report}");
    assert!(
        report.line().contains("cacert (PEM given as bytes)"),
        "{report}"
    );
    // Bytes that hold no certificate are a setting that cannot be used.
    let report = probe("not PEM");
    assert_eq!(report.exit_code(), 64, "{report}");
    assert_eq!(
        report.line(),
        "healthprobe: cannot use cacert \"(PEM given as bytes)\": it holds no PEM certificate"
    );
}
