//! Certificates made the ordinary way, with the `openssl` command line, and an
//! OpenSSL server (`openssl s_server -www`) that requires a client
//! certificate: X.509 v1 and v3, RSA (PKCS#1 and PKCS#8), ECDSA (SEC1 and
//! PKCS#8) and Ed25519 keys, a chain with an intermediate CA, a key in the
//! same file as its certificate, and a key that is not the certificate's.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::support::*;

/// Runs `openssl` with `args` in `dir`, failing the test if it fails.
fn openssl(dir: &TempDir, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir.path())
        .output()
        .expect("openssl is installed (.ci/test installs it)");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The kinds of key the tests make, each in the PEM form openssl gives it.
#[derive(Clone, Copy)]
enum Key {
    /// `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1).
    RsaPkcs1,
    /// `-----BEGIN PRIVATE KEY-----` (PKCS#8).
    RsaPkcs8,
    /// `-----BEGIN EC PRIVATE KEY-----` (SEC1), P-256.
    EcSec1,
    /// PKCS#8, P-384.
    EcPkcs8,
    /// PKCS#8.
    Ed25519,
}

fn make_key(dir: &TempDir, name: &str, key: Key) -> String {
    let file = format!("{name}.key");
    match key {
        Key::RsaPkcs1 => {
            openssl(dir, &["genrsa", "-out", "rsa.tmp", "2048"]);
            openssl(
                dir,
                &["rsa", "-in", "rsa.tmp", "-traditional", "-out", &file],
            );
        }
        Key::RsaPkcs8 => openssl(
            dir,
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                &file,
            ],
        ),
        Key::EcSec1 => openssl(
            dir,
            &[
                "ecparam",
                "-name",
                "prime256v1",
                "-genkey",
                "-noout",
                "-out",
                &file,
            ],
        ),
        Key::EcPkcs8 => openssl(
            dir,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-384",
                "-out",
                &file,
            ],
        ),
        Key::Ed25519 => openssl(dir, &["genpkey", "-algorithm", "ed25519", "-out", &file]),
    }
    let pem = std::fs::read_to_string(dir.path().join(&file)).unwrap();
    let header = match key {
        Key::RsaPkcs1 => "-----BEGIN RSA PRIVATE KEY-----",
        Key::EcSec1 => "-----BEGIN EC PRIVATE KEY-----",
        _ => "-----BEGIN PRIVATE KEY-----",
    };
    assert!(pem.starts_with(header), "{file} should be {header}: {pem}");
    file
}

/// Signs a certificate for `key` with the CA `ca` (files `ca.pem`, `ca.key`).
/// No `extensions` makes an X.509 v1 certificate, as `openssl x509 -req`
/// does by default.
fn sign(dir: &TempDir, name: &str, key: &str, ca: &str, extensions: Option<&str>) -> String {
    let csr = format!("{name}.csr");
    let cert = format!("{name}.pem");
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            key,
            "-subj",
            &format!("/CN={name}"),
            "-out",
            &csr,
        ],
    );
    let (ca_cert, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
    let mut args = vec![
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &ca_cert,
        "-CAkey",
        &ca_key,
        "-set_serial",
        "7",
        "-days",
        "3650",
        "-out",
        &cert,
    ];
    let ext_file = format!("{name}.ext");
    if let Some(extensions) = extensions {
        dir.write(&ext_file, extensions);
        args.extend(["-extfile", &ext_file]);
    }
    openssl(dir, &args);
    let text = Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in", &cert])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let version = if extensions.is_some() {
        "Version: 3"
    } else {
        "Version: 1"
    };
    assert!(
        String::from_utf8_lossy(&text.stdout).contains(version),
        "{cert} should be {version}"
    );
    cert
}

const CLIENT_V3: &str = "basicConstraints=critical,CA:FALSE\n\
    keyUsage=critical,digitalSignature\n\
    extendedKeyUsage=clientAuth\n\
    subjectKeyIdentifier=hash\n\
    authorityKeyIdentifier=keyid\n\
    nsComment=\"made with openssl for healthprobe's tests\"\n\
    certificatePolicies=1.2.3.4\n";

/// A root CA, an intermediate under it, and a server certificate for
/// 127.0.0.1 and localhost, all made with openssl.
fn pki() -> TempDir {
    let dir = TempDir::new();
    let root_key = make_key(&dir, "root", Key::RsaPkcs8);
    openssl(
        &dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            &root_key,
            "-subj",
            "/CN=openssl test root",
            "-days",
            "3650",
            "-out",
            "root.pem",
        ],
    );
    let inter_key = make_key(&dir, "inter", Key::EcPkcs8);
    sign(
        &dir,
        "inter",
        &inter_key,
        "root",
        Some(
            "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n",
        ),
    );
    let server_key = make_key(&dir, "server", Key::EcSec1);
    // rustls refuses a CA:TRUE certificate as a server's (CaUsedAsEndEntity).
    sign(
        &dir,
        "server",
        &server_key,
        "root",
        Some("basicConstraints=critical,CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n"),
    );
    dir
}

/// `openssl s_server -www` on loopback, answering `GET /` with 200 and a
/// status page. It requires a client certificate that chains to `root.pem`.
/// Killed on drop.
struct OpensslServer {
    child: Child,
    port: u16,
}

impl OpensslServer {
    fn start(dir: &TempDir, connections: usize, require_client_cert: bool) -> OpensslServer {
        let naccept = connections.to_string();
        let mut args = vec![
            "s_server",
            "-accept",
            "127.0.0.1:0",
            "-naccept",
            &naccept,
            "-www",
            "-cert",
            "server.pem",
            "-key",
            "server.key",
        ];
        if require_client_cert {
            args.extend([
                "-CAfile",
                "root.pem",
                "-Verify",
                "4",
                "-verify_return_error",
            ]);
        }
        let mut child = Command::new("openssl")
            .args(&args)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl is installed");
        // It prints "ACCEPT 127.0.0.1:PORT" once it listens.
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(port) = line
                    .strip_prefix("ACCEPT ")
                    .and_then(|a| a.rsplit(':').next())
                {
                    let _ = tx.send(port.parse::<u16>().ok());
                }
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(10))
            .ok()
            .flatten()
            .expect("openssl s_server reports its port");
        OpensslServer { child, port }
    }

    fn url(&self) -> String {
        format!("https://127.0.0.1:{}/", self.port)
    }
}

impl Drop for OpensslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn client_certificates_made_with_openssl_work_whatever_their_version_and_key() {
    let dir = pki();
    let cases: [(&str, Key, Option<&str>); 5] = [
        ("rsa-pkcs1-v1", Key::RsaPkcs1, None),
        ("rsa-pkcs8-v3", Key::RsaPkcs8, Some(CLIENT_V3)),
        ("ec-sec1-v1", Key::EcSec1, None),
        ("ec-sec1-v3", Key::EcSec1, Some(CLIENT_V3)),
        ("ed25519-v1", Key::Ed25519, None),
    ];
    let server = OpensslServer::start(&dir, cases.len() + 1, true);
    let url = server.url();
    for (name, key, extensions) in cases {
        let key = make_key(&dir, name, key);
        let cert = sign(&dir, name, &key, "root", extensions);
        let (cert, key) = (dir.path().join(cert), dir.path().join(key));
        let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
        let cacert = dir.path().join("root.pem");
        probe(&[
            "--cacert",
            cacert.to_str().unwrap(),
            "--cert",
            cert,
            "--key",
            key,
            &url,
        ])
        .expect(
            0,
            &format!(
                "healthy: GET {url}: 200 OK from 127.0.0.1:{} in <elapsed>",
                server.port
            ),
        );
    }
    // The server really requires one: without it, the handshake fails.
    let cacert = dir.path().join("root.pem");
    let ran = probe(&["--cacert", cacert.to_str().unwrap(), &url]).run();
    assert_eq!(ran.code, Some(1), "{ran}");
}

fn read(dir: &TempDir, name: &str) -> String {
    std::fs::read_to_string(dir.path().join(name)).unwrap()
}

#[test]
fn a_chain_file_with_an_intermediate_and_a_key_in_the_same_file_work() {
    let dir = pki();
    let server = OpensslServer::start(&dir, 2, true);
    let url = server.url();
    let ok = format!(
        "healthy: GET {url}: 200 OK from 127.0.0.1:{} in <elapsed>",
        server.port
    );
    let cacert = dir.path().join("root.pem");
    let cacert = cacert.to_str().unwrap();

    // Signed by the intermediate: the server trusts only the root, so the
    // intermediate must travel in the --cert file after the leaf.
    let key = make_key(&dir, "chained", Key::EcPkcs8);
    let cert = sign(&dir, "chained", &key, "inter", Some(CLIENT_V3));
    let chain = dir.write("chain.pem", &(read(&dir, &cert) + &read(&dir, "inter.pem")));
    let key = dir.path().join(key);
    probe(&[
        "--cacert",
        cacert,
        "--cert",
        &chain,
        "--key",
        key.to_str().unwrap(),
        &url,
    ])
    .expect(0, &ok);

    // The key first, then the certificate, in one file; --key defaults to it.
    let key = make_key(&dir, "combined", Key::RsaPkcs8);
    let cert = sign(&dir, "combined", &key, "root", Some(CLIENT_V3));
    let both = dir.write("both.pem", &(read(&dir, &key) + &read(&dir, &cert)));
    probe(&["--cacert", cacert, "--cert", &both, &url]).expect(0, &ok);
}

#[test]
fn a_key_that_is_not_the_certificates_is_a_usage_error_naming_both() {
    let dir = pki();
    let cacert = dir.path().join("root.pem");
    let cacert = cacert.to_str().unwrap();
    // Nothing listens: the mismatch is found before connecting.
    let url = "https://127.0.0.1:1/health";
    for (name, kind, other_kind) in [
        ("mismatch-rsa", Key::RsaPkcs1, Key::RsaPkcs8),
        ("mismatch-ec", Key::EcSec1, Key::EcSec1),
        ("mismatch-ed", Key::Ed25519, Key::Ed25519),
        ("mismatch-kinds", Key::Ed25519, Key::EcSec1),
    ] {
        let key = make_key(&dir, name, kind);
        let cert = sign(&dir, name, &key, "root", None);
        let other = make_key(&dir, &format!("{name}-other"), other_kind);
        let (cert, other) = (dir.path().join(cert), dir.path().join(other));
        let (cert, other) = (cert.to_str().unwrap(), other.to_str().unwrap());
        probe(&["--cacert", cacert, "--cert", cert, "--key", other, url]).expect(
            64,
            &format!(
                "healthprobe: cannot use --key {other:?}: it is not the key of the certificate in --cert {cert:?}"
            ),
        );
    }
}

#[test]
fn an_encrypted_key_is_a_usage_error_that_says_so() {
    let dir = pki();
    let key = make_key(&dir, "plain", Key::EcPkcs8);
    let cert = sign(&dir, "plain", &key, "root", None);
    openssl(
        &dir,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            &key,
            "-out",
            "encrypted.key",
            "-passout",
            "pass:secret",
        ],
    );
    let (cert, key) = (dir.path().join(cert), dir.path().join("encrypted.key"));
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    probe(&["-k", "--cert", cert, "--key", key, "https://127.0.0.1:1/"]).expect(
        64,
        &format!(
            "healthprobe: cannot use --key {key:?}: its private key is encrypted: give an unencrypted key (openssl pkey -in KEY -out PLAIN)"
        ),
    );
}

#[test]
fn a_self_signed_openssl_server_certificate_is_named_and_insecure_accepts_it() {
    // `openssl req -x509` marks the certificate CA:TRUE, and a CA certificate
    // is not acceptable as a server's; --insecure accepts anything.
    let dir = pki();
    let key = make_key(&dir, "selfsigned", Key::RsaPkcs8);
    openssl(
        &dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            &key,
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-days",
            "3650",
            "-out",
            "selfsigned.pem",
        ],
    );
    std::fs::copy(
        dir.path().join("selfsigned.pem"),
        dir.path().join("server.pem"),
    )
    .unwrap();
    std::fs::copy(dir.path().join(&key), dir.path().join("server.key")).unwrap();
    let server = OpensslServer::start(&dir, 2, false);
    let url = server.url();
    let port = server.port;
    let cacert = dir.path().join("selfsigned.pem");
    probe(&["--cacert", cacert.to_str().unwrap(), &url]).expect(
        1,
        &format!("unhealthy: GET {url}: the certificate of 127.0.0.1:{port} is a CA certificate, not a server's (openssl req -x509 makes these: add -addext basicConstraints=critical,CA:FALSE) in <elapsed>"),
    );
    probe(&["-k", &url]).expect(
        0,
        &format!("healthy: GET {url} (certificate not verified): 200 OK from 127.0.0.1:{port} in <elapsed>"),
    );
}
