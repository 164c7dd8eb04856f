//! Loopback: what `0.0.0.0` and odd spellings of 127.0.0.1 mean in every
//! build, and the build with the `loopback-only` feature, which refuses
//! every target that would leave the machine before connecting, and still
//! probes every kind on loopback.
//!
//! The loopback-only tests run the static build `.ci/test` makes
//! (HEALTHPROBE_LOOPBACK_BIN); without it they fail. TEST-NET addresses
//! (RFC 5737, RFC 3849) are never connected to: each is refused first, and
//! the tests check the refusal comes at once, well before any deadline.

use std::net::TcpListener;

use std::time::Duration;

use std::io::{Read, Write};
use std::net::TcpStream;

use crate::support::servers::{amqp_start, mariadb_greeting, pg_asks_for_md5, redis_pong};
use crate::support::*;

fn loopback_binary() -> String {
    required(
        "HEALTHPROBE_LOOPBACK_BIN",
        "the static build with the loopback-only feature (.ci/test builds it)",
    )
}

/// A run of the loopback-only build.
fn loopback(args: &[&str]) -> crate::support::Probe {
    probe_with(&[loopback_binary()], args)
}

/// `healthprobe: "HOST" is not WHAT, and this build probes only ...`.
fn refusal(host: &str, what: &str, socket_hint: bool) -> String {
    let hint = match socket_hint {
        true => "; for a Unix socket, give --unix-socket",
        false => "",
    };
    format!(
        "healthprobe: \"{host}\" is not {what}, and this build probes only loopback (localhost, 127.0.0.0/8, ::1, 0.0.0.0), Unix sockets and files: it is built with the loopback-only feature{hint}"
    )
}

#[test]
fn zero_addresses_are_this_hosts_loopback_in_every_build() {
    let v4 = serve(2, |_| {});
    probe(&[&format!("tcp://0.0.0.0:{}", v4.port())]).expect(
        0,
        &format!(
            "healthy: TCP 0.0.0.0:{}: connected to {v4} in <elapsed>",
            v4.port()
        ),
    );
    let v6 = serve_on(
        TcpListener::bind("[::1]:0").expect("IPv6 loopback"),
        1,
        |_| {},
    );
    probe(&[&format!("tcp://[::]:{}", v6.port())]).expect(
        0,
        &format!(
            "healthy: TCP [::]:{}: connected to {v6} in <elapsed>",
            v6.port()
        ),
    );
}

#[test]
fn odd_spellings_of_an_ipv4_address_are_refused_in_every_build() {
    for host in ["127.1", "2130706433", "127.0.1"] {
        let url = format!("http://{host}:9000/health");
        probe(&[&url]).expect(
            64,
            &format!("healthprobe: invalid URL: \"{host}\" is not an IPv4 address: write its four numbers, as in 127.0.0.1"),
        );
    }
}

#[test]
#[ignore = "needs the static loopback-only build (HEALTHPROBE_LOOPBACK_BIN): .ci/test builds it"]
fn every_kind_refuses_a_host_that_is_not_loopback_before_connecting() {
    for (url, host, socket_hint) in [
        ("http://192.0.2.1/health", "192.0.2.1", true),
        ("https://198.51.100.7/health", "198.51.100.7", true),
        ("tcp://203.0.113.9:5432", "203.0.113.9", false),
        ("grpc://[2001:db8::1]:50051", "[2001:db8::1]", true),
        ("grpcs://192.0.2.1", "192.0.2.1", true),
        ("postgres://app@192.0.2.1/app", "192.0.2.1", true),
        ("postgresql://192.0.2.1", "192.0.2.1", true),
        ("redis://192.0.2.1", "192.0.2.1", true),
        ("rediss://192.0.2.1", "192.0.2.1", true),
        ("mysql://192.0.2.1", "192.0.2.1", true),
        ("mariadb://192.0.2.1", "192.0.2.1", true),
        ("amqp://192.0.2.1", "192.0.2.1", false),
        ("amqps://192.0.2.1", "192.0.2.1", false),
        // IPv4-mapped: loopback only when what it maps is.
        ("http://[::ffff:192.0.2.1]/", "[::ffff:192.0.2.1]", true),
        ("http://10.0.0.1:8080/", "10.0.0.1", true),
    ] {
        loopback(&["-t", "5s", url])
            .expect(64, &refusal(host, "a loopback address", socket_hint))
            .ended_within(Duration::from_millis(500));
    }
    // Names other than localhost are never looked up: a lookup is a message
    // to the network too. 0x7f.1 is 127.0.0.1 to inet_aton, and a name here.
    for (url, host, socket_hint) in [
        ("http://db.internal:9000/health", "db.internal", true),
        ("tcp://example.com:80", "example.com", false),
        ("redis://cache:6379", "cache", true),
        ("http://0x7f.1/", "0x7f.1", true),
        ("http://localhost.example/", "localhost.example", true),
    ] {
        loopback(&["-t", "5s", url])
            .expect(64, &refusal(host, "localhost", socket_hint))
            .ended_within(Duration::from_millis(500));
    }
    // The variable and the grpc_health_probe mode go through the same rule.
    loopback(&[])
        .env("HEALTHPROBE_URL", "http://192.0.2.1/")
        .expect(64, &refusal("192.0.2.1", "a loopback address", true));
}

#[test]
#[ignore = "needs the static loopback-only build (HEALTHPROBE_LOOPBACK_BIN): .ci/test builds it"]
fn every_kind_is_healthy_on_loopback() {
    let answers_200 = |mut s: TcpStream| {
        read_head(&mut s);
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
    };
    let http = serve(4, answers_200);
    let port = http.port();
    for host in ["127.0.0.1", "localhost", "0.0.0.0", "[::ffff:127.0.0.1]"] {
        let url = format!("http://{host}:{port}/health");
        let ran = loopback(&[&url]).run();
        assert!(
            ran.code == Some(0)
                && ran
                    .stdout
                    .starts_with(&format!("healthy: GET {url}: 200 OK from ")),
            "{ran}"
        );
    }
    // All of 127.0.0.0/8 is loopback.
    let other = serve_on(TcpListener::bind("127.0.0.2:0").unwrap(), 1, |_| {});
    loopback(&[&format!("tcp://{other}")]).expect(
        0,
        &format!("healthy: TCP {other}: connected to {other} in <elapsed>"),
    );

    let ca = crate::support::tls::ca("loopback CA");
    let files = TempDir::new();
    let cacert = files.write("ca.pem", &ca.pem);
    let leaf = crate::support::tls::server_leaf(&ca, crate::support::tls::Validity::Current);
    let https = crate::support::tls::tls_server(crate::support::tls::server_config(&leaf, None), 1);
    let url = format!("https://localhost:{}/health", https.port());
    loopback(&["--cacert", &cacert, &url]).expect(
        0,
        &format!("healthy: GET {url}: 200 OK from {https} in <elapsed>"),
    );

    let (grpc, _requests) = crate::grpc::scripted(crate::grpc::answer(1));
    let url = format!("grpc://{grpc}");
    loopback(&[&url]).expect(
        0,
        &format!("healthy: gRPC Check \"\" at {url}: SERVING from {grpc} in <elapsed>"),
    );

    let databases = [
        ("postgres", pg_asks_for_md5 as fn(TcpStream)),
        ("redis", redis_pong),
        ("mysql", mysql_greets_then_refuses),
        ("amqp", amqp_start),
    ];
    for (scheme, server) in databases {
        let addr = serve(1, server);
        let ran = loopback(&[&format!("{scheme}://{addr}")]).run();
        assert!(
            ran.code == Some(0) && ran.stdout.starts_with("healthy: "),
            "{ran}"
        );
    }

    // A Unix socket may be reached under any host name, which is only the
    // Host header; and a file is on this machine.
    let dir = TempDir::new();
    let socket = dir.path().join("app.sock");
    let _requests = unix_http(socket.to_str().unwrap(), 1);
    let url = "http://app.internal/health";
    loopback(&["--unix-socket", socket.to_str().unwrap(), url]).expect(
        0,
        &format!(
            "healthy: GET {url}: 200 OK from {} in <elapsed>",
            socket.display()
        ),
    );
    let file = dir.write("heartbeat", "");
    let ran = loopback(&[&format!("file://{file}")]).run();
    assert!(ran.code == Some(0), "{ran}");

    let ran = loopback(&["--version"]).run();
    assert!(
        ran.code == Some(0) && ran.stdout.contains("(loopback-only: probes only localhost"),
        "{ran}"
    );
}

/// A MySQL server that greets, reads the probe's login and refuses it, as
/// a server refuses a user with no password.
fn mysql_greets_then_refuses(mut stream: TcpStream) {
    let _ = stream.write_all(&mariadb_greeting());
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.read(&mut [0u8; 1024]);
    let mut refusal = vec![0, 0, 0, 2, 0xff, 0x15, 0x04];
    refusal.extend_from_slice(b"#28000Access denied for user 'healthprobe'@'localhost'");
    refusal[0] = (refusal.len() - 4) as u8;
    let _ = stream.write_all(&refusal);
}
