//! Silence is not ready: for every kind whose verdict needs an answer, a
//! server that takes the first step and then says nothing more is
//! unhealthy at the deadline, with a line that says what was asked and not
//! answered. (gRPC's SETTINGS-then-silence is in grpc.rs, with its other
//! stages.)

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use crate::support::servers::mariadb_greeting;
use crate::support::*;

const DEADLINE: Duration = Duration::from_millis(500);

/// A raw server's behaviour, the URL probed, what the line says was probed,
/// and why it is unhealthy (`{port}` and `{addr}` filled in).
type Case = (fn(TcpStream), &'static str, &'static str, &'static str);

/// Holds the connection open, reading and answering nothing, until the
/// probe leaves (at most 5 s).
fn hold(stream: &mut TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut sink = [0u8; 1024];
    while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
}

/// MariaDB greets, reads the login, and never answers it: the server takes
/// connections but does not process them (mysqladmin ping fails too).
fn greets_then_silent(mut stream: TcpStream) {
    let _ = stream.write_all(&mariadb_greeting());
    hold(&mut stream);
}

/// Redis answers AUTH with +OK, and PING with nothing.
fn auth_ok_then_silent(mut stream: TcpStream) {
    let mut request = [0u8; 256];
    let _ = stream.read(&mut request);
    let _ = stream.write_all(b"+OK\r\n");
    hold(&mut stream);
}

/// The connection is accepted, and nothing is ever said.
fn accepts_then_silent(mut stream: TcpStream) {
    hold(&mut stream);
}

/// The request is read, and never answered.
fn reads_the_request_then_silent(mut stream: TcpStream) {
    read_head(&mut stream);
    hold(&mut stream);
}

#[test]
fn a_server_silent_after_its_first_step_is_unhealthy_saying_what_went_unanswered() {
    let cases: [Case; 6] = [
        (
            greets_then_silent,
            "mysql://127.0.0.1:{port}",
            "MySQL mysql://127.0.0.1:{port}",
            "timed out waiting for the answer to the login that follows the greeting from {addr} (--timeout 500ms, 0 bytes received)",
        ),
        (
            auth_ok_then_silent,
            "redis://:pw@127.0.0.1:{port}",
            "Redis PING redis://127.0.0.1:{port} with a password",
            "timed out waiting for the reply from {addr} (--timeout 500ms, 5 bytes received)",
        ),
        (
            accepts_then_silent,
            "redis://127.0.0.1:{port}",
            "Redis PING redis://127.0.0.1:{port}",
            "timed out waiting for the reply from {addr} (--timeout 500ms, 0 bytes received)",
        ),
        (
            accepts_then_silent,
            "postgres://127.0.0.1:{port}/app",
            "PostgreSQL postgres://127.0.0.1:{port}/app as postgres",
            "timed out waiting for the reply from {addr} (--timeout 500ms, 0 bytes received)",
        ),
        (
            accepts_then_silent,
            "amqp://127.0.0.1:{port}",
            "AMQP amqp://127.0.0.1:{port}",
            "timed out waiting for the reply from {addr} (--timeout 500ms, 0 bytes received)",
        ),
        (
            reads_the_request_then_silent,
            "http://127.0.0.1:{port}/health",
            "GET http://127.0.0.1:{port}/health",
            "timed out waiting for the response head from {addr} (--timeout 500ms, 0 bytes received)",
        ),
    ];
    let runs: Vec<_> = cases
        .into_iter()
        .map(|(behaviour, url, probed, why)| {
            thread::spawn(move || {
                let addr = serve(1, behaviour);
                let fill = |text: &str| {
                    text.replace("{port}", &addr.port().to_string())
                        .replace("{addr}", &addr.to_string())
                };
                let line = format!("unhealthy: {}: {} in <elapsed>", fill(probed), fill(why));
                let ran = probe(&["--timeout", "500ms", &fill(url)]).expect(1, &line);
                ran.ended_at_deadline(DEADLINE);
            })
        })
        .collect();
    for run in runs {
        run.join().unwrap();
    }
}
