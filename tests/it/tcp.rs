//! `tcp://HOST:PORT`: healthy when a connection is established; nothing is
//! sent and the connection is closed at once.

use std::io::Read;
use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::support::*;

const DEADLINE: Duration = Duration::from_millis(500);

#[test]
fn a_listening_port_is_healthy_and_nothing_is_sent() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut received = Vec::new();
        // Ends when the probe closes the connection (or after 5 s).
        let closed = stream.read_to_end(&mut received).is_ok();
        let _ = tx.send((received, closed));
    });
    probe(&[&format!("tcp://{addr}")]).expect(
        0,
        &format!("healthy: TCP {addr}: connected to {addr} in <elapsed>"),
    );
    let (received, closed) = rx.recv_timeout(Duration::from_secs(6)).unwrap();
    assert!(received.is_empty(), "the probe sent {received:?}");
    assert!(closed, "the probe did not close the connection");
}

#[test]
fn a_refused_port_is_unhealthy_at_once() {
    let addr = closed_port();
    let ran = probe(&[&format!("tcp://{addr}")]).expect(
        1,
        &format!("unhealthy: TCP {addr}: connection refused at {addr} in <elapsed>"),
    );
    ran.ended_within(Duration::from_millis(300));
}

#[test]
fn localhost_is_tried_on_ipv4_then_ipv6_without_dns() {
    // The same port on 127.0.0.1 is held, bound but not listening, so that
    // it refuses and no other test can listen there meanwhile.
    let (listener, _v4) = (0..20)
        .find_map(|_| {
            use socket2::{Domain, Socket, Type};
            let listener = TcpListener::bind("[::1]:0").expect("IPv6 loopback");
            let port = listener.local_addr().unwrap().port();
            let v4 = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
            let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
            v4.bind(&addr.into()).ok().map(|()| (listener, v4))
        })
        .expect("a port free on both loopback addresses");
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        let _ = listener.accept();
    });
    probe(&[&format!("tcp://localhost:{port}")]).expect(
        0,
        &format!("healthy: TCP localhost:{port}: connected to [::1]:{port} in <elapsed>"),
    );
    let port = closed_port().port();
    probe(&[&format!("tcp://localhost:{port}")]).expect(
        1,
        &format!(
            "unhealthy: TCP localhost:{port}: connection refused at 127.0.0.1:{port} and [::1]:{port} in <elapsed>"
        ),
    );
}

#[test]
fn a_port_that_never_answers_times_out_at_the_deadline() {
    let (listener, _held) = full_backlog();
    let addr = listener.local_addr().unwrap();
    let ran = probe(&["-t", "500ms", &format!("tcp://{addr}")]).expect(
        1,
        &format!(
            "unhealthy: TCP {addr}: timed out connecting to {addr} (--timeout 500ms) in <elapsed>"
        ),
    );
    ran.ended_at_deadline(DEADLINE);
    let ran = probe(&["--connect-timeout", "300ms", &format!("tcp://{addr}")]).expect(
        1,
        &format!(
            "unhealthy: TCP {addr}: timed out connecting to {addr} (--connect-timeout 300ms) in <elapsed>"
        ),
    );
    ran.ended_at_deadline(Duration::from_millis(300));
}

#[test]
fn http_options_with_only_tcp_targets_are_usage_errors_naming_the_option() {
    for (args, flag) in [
        (&["-X", "HEAD"][..], "--method"),
        (&["--expect-status", "200"], "--expect-status"),
        (&["--expect-body", "ok"], "--expect-body"),
        (&["--follow-redirects"], "--follow-redirects"),
    ] {
        let mut args = args.to_vec();
        args.push("tcp://127.0.0.1:5432");
        probe(&args).expect(
            64,
            &format!(
                "healthprobe: {flag} applies only to http:// and https:// targets, and none is given"
            ),
        );
    }
    for (args, flag, kinds) in [
        (
            &["-H", "Authorization: x"][..],
            "--header",
            "http://, https://, grpc:// and grpcs://",
        ),
        (
            &["--unix-socket", "/run/app.sock"],
            "--unix-socket",
            "http://, https://, grpc://, grpcs://, postgres://, postgresql://, redis://, rediss://, mysql://, mariadb:// and memcached://",
        ),
    ] {
        let mut args = args.to_vec();
        args.push("tcp://127.0.0.1:5432");
        probe(&args).expect(
            64,
            &format!("healthprobe: {flag} applies only to {kinds} targets, and none is given"),
        );
    }
    for (args, flag) in [
        (&["-k"][..], "--insecure"),
        (&["--cacert", "/ca.pem"], "--cacert"),
        (&["--cert", "/c.pem"], "--cert"),
        (&["--server-name", "db"], "--server-name"),
    ] {
        let mut args = args.to_vec();
        args.push("tcp://127.0.0.1:5432");
        probe(&args).expect(
            64,
            &format!("healthprobe: {flag} applies only to https://, grpcs://, rediss://, amqps://, nats://, tls://, kafka+ssl://, cassandra+ssl:// and scylla+ssl:// targets, and none is given"),
        );
    }
    probe(&["tcp://127.0.0.1"]).expect(
        64,
        "healthprobe: invalid URL: tcp:// needs a port, as in tcp://127.0.0.1:5432",
    );
}
