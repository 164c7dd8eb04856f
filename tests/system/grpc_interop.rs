//! grpc:// and grpcs:// against four real gRPC health servers, each from its
//! own ecosystem: Python grpcio, Node grpc-js, Go grpc-go and Rust tonic
//! (tests/interop/, built by .ci/interop). Each is asked about a serving
//! service, a service that is not serving and an unknown one, with and
//! without the token its interceptor requires, over TLS with a private CA,
//! and over a Unix socket.
//!
//! Ignored in a plain `cargo test`: they need HEALTHPROBE_TEST_GRPC_INTEROP
//! naming the directory holding the servers, which `.ci/test` sets to
//! target/interop/bin, as root, before it runs them. Run without it, they
//! fail.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::support::*;

const SERVERS: &[&str] = &["python", "node", "go", "tonic"];

/// A health server started for one test, killed on drop.
struct Server {
    child: Child,
    /// `127.0.0.1:PORT`, or `unix:/path`.
    listening: String,
}

impl Server {
    fn start(bin: &Path, name: &str, args: &[&str]) -> Server {
        let program = bin.join(format!("{name}-health-server"));
        let mut child = Command::new(&program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        // Interpreters and the JIT take a while to start on a busy machine.
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("{name} server {args:?} did not say it was listening within 30 s");
            }
        };
        let Some(listening) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            panic!("{name} server {args:?} said {line:?}, not \"listening on ...\"");
        };
        Server {
            child,
            listening: listening.to_owned(),
        }
    }

    fn url(&self) -> String {
        format!("grpc://{}", self.listening)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn servers() -> PathBuf {
    let dir = required(
        "HEALTHPROBE_TEST_GRPC_INTEROP",
        "the gRPC health servers that .ci/interop builds (Python, Node, Go, Rust)",
    );
    let dir = PathBuf::from(dir);
    for name in SERVERS {
        let program = dir.join(format!("{name}-health-server"));
        assert!(
            program.exists(),
            "{} is missing: run .ci/interop",
            program.display()
        );
    }
    dir
}

/// Checks a run's exit code and that its one line starts and ends as given
/// (what lies between is the server's own grpc-message).
fn expect_around(ran: &Ran, code: i32, start: &str, end: &str) {
    let out = if code == 0 { &ran.stdout } else { &ran.stderr };
    let line = placeholder(out.trim_end());
    assert!(
        ran.code == Some(code)
            && out.lines().count() == 1
            && line.starts_with(start)
            && line.ends_with(end),
        "{ran}\nwanted exit {code} and a line starting\n  {start}\nand ending\n  {end}"
    );
}

#[test]
#[ignore = "needs the gRPC interop servers that .ci/interop builds (HEALTHPROBE_TEST_GRPC_INTEROP): .ci/test runs it as root"]
fn every_server_answers_for_its_services() {
    let bin = servers();
    for name in SERVERS {
        let server = Server::start(&bin, name, &["--listen", "127.0.0.1:0"]);
        let (url, at) = (server.url(), server.listening.clone());
        let check = |service: &str| format!("gRPC Check {service:?} at {url}");
        for service in ["", "orders.v1.Orders"] {
            probe(&["--grpc-service", service, &url]).expect(
                0,
                &format!(
                    "healthy: {}: SERVING from {at} in <elapsed>",
                    check(service)
                ),
            );
        }
        probe(&["--grpc-service", "billing.v1.Billing", &url]).expect(
            1,
            &format!(
                "unhealthy: {}: NOT_SERVING from {at} in <elapsed>",
                check("billing.v1.Billing")
            ),
        );
        let ran = probe(&["--grpc-service", "nope.v1.Nope", &url]).run();
        expect_around(
            &ran,
            1,
            &format!(
                "unhealthy: {}: grpc-status 5 NOT_FOUND",
                check("nope.v1.Nope")
            ),
            &format!(
                ": the service \"nope.v1.Nope\" is unknown to the server, from {at} in <elapsed>"
            ),
        );
    }
}

#[test]
#[ignore = "needs the gRPC interop servers that .ci/interop builds (HEALTHPROBE_TEST_GRPC_INTEROP): .ci/test runs it as root"]
fn every_server_takes_the_token_its_interceptor_requires() {
    let bin = servers();
    for name in SERVERS {
        let args = ["--listen", "127.0.0.1:0", "--require-token", "s3cret"];
        let server = Server::start(&bin, name, &args);
        let (url, at) = (server.url(), server.listening.clone());
        let ran = probe(&[&url]).run();
        expect_around(
            &ran,
            1,
            &format!("unhealthy: gRPC Check \"\" at {url}: grpc-status 16 UNAUTHENTICATED"),
            &format!(" (see --header), from {at} in <elapsed>"),
        );
        probe(&["-H", "Authorization: Bearer ${TOKEN}", &url])
            .env("TOKEN", "s3cret")
            .expect(
                0,
                &format!("healthy: gRPC Check \"\" at {url}: SERVING from {at} in <elapsed>"),
            );
    }
}

#[test]
#[ignore = "needs the gRPC interop servers that .ci/interop builds (HEALTHPROBE_TEST_GRPC_INTEROP): .ci/test runs it as root"]
fn every_server_answers_over_tls_with_a_private_ca() {
    let bin = servers();
    let dir = TempDir::new();
    let ca = crate::support::tls::ca("interop CA");
    let leaf = crate::support::tls::server_leaf(&ca, crate::support::tls::Validity::Current);
    let ca_file = dir.write("ca.pem", &ca.pem);
    let cert = dir.write("server.pem", &leaf.cert);
    let key = dir.write("server.key", &leaf.key);
    for name in SERVERS {
        let args = ["--listen", "127.0.0.1:0", "--tls", &cert, &key];
        let server = Server::start(&bin, name, &args);
        let port = server.listening.rsplit(':').next().unwrap().to_owned();
        let url = format!("grpcs://localhost:{port}");
        let at = format!("127.0.0.1:{port}");
        probe(&[
            "--cacert",
            &ca_file,
            "--grpc-service",
            "orders.v1.Orders",
            &url,
        ])
        .expect(
            0,
            &format!(
                "healthy: gRPC Check \"orders.v1.Orders\" at {url}: SERVING from {at} in <elapsed>"
            ),
        );
        probe(&["-k", "--grpc-service", "billing.v1.Billing", &url]).expect(
            1,
            &format!(
                "unhealthy: gRPC Check \"billing.v1.Billing\" at {url} (certificate not verified): NOT_SERVING from {at} in <elapsed>"
            ),
        );
        // Plaintext against the TLS port is not a healthy answer.
        let ran = probe(&[&format!("grpc://127.0.0.1:{port}")]).run();
        assert_eq!(ran.code, Some(1), "{name}: {ran}");
    }
}

#[test]
#[ignore = "needs the gRPC interop servers that .ci/interop builds (HEALTHPROBE_TEST_GRPC_INTEROP): .ci/test runs it as root"]
fn every_server_answers_on_a_unix_socket() {
    let bin = servers();
    let dir = TempDir::new();
    for name in SERVERS {
        let path = dir.path().join(format!("{name}.sock"));
        let socket = path.to_str().unwrap().to_owned();
        let listen = format!("unix:{socket}");
        let server = Server::start(&bin, name, &["--listen", &listen]);
        assert_eq!(server.listening, listen, "{name}");
        probe(&["--unix-socket", &socket, "grpc://localhost:50051"]).expect(
            0,
            &format!(
                "healthy: gRPC Check \"\" at grpc://localhost:50051: SERVING from {socket} in <elapsed>"
            ),
        );
    }
}
