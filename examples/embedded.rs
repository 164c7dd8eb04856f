//! A service that checks its own health, with no second binary in its image:
//! `embedded` serves HTTP, and `embedded healthcheck` probes it through the
//! healthprobe library, for `HEALTHCHECK CMD ["/app/embedded", "healthcheck"]`
//! in an image `FROM scratch`.
//!
//! ```text
//! PORT=8080 embedded [healthy|unhealthy|slow]    serve GET /health
//! PORT=8080 embedded healthcheck                 exit 0 healthy, 1 not, 64 misconfigured
//! ```
//!
//! - healthy: `200 OK` with `{"status":"UP"}`
//! - unhealthy: `503 Service Unavailable` with `{"status":"DOWN"}`
//! - slow: never answers (a service stuck on a lock): the check gives up
//!   at its 2 s deadline
//!
//! The service prints `listening on ADDRESS` once bound (`PORT=0` picks a
//! free port). Only the standard library besides healthprobe.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let port = match std::env::var("PORT") {
        Err(_) => 8080,
        Ok(port) => match port.parse::<u16>() {
            Ok(port) => port,
            Err(_) => {
                eprintln!("embedded: invalid PORT {port:?}: expected a port number");
                return ExitCode::from(64);
            }
        },
    };
    let command = std::env::args().nth(1);
    match command.as_deref() {
        Some("healthcheck") => healthcheck(port),
        None | Some("healthy") => serve(port, Mode::Healthy),
        Some("unhealthy") => serve(port, Mode::Unhealthy),
        Some("slow") => serve(port, Mode::Slow),
        Some(other) => {
            eprintln!(
                "embedded: unknown command {other:?}: expected healthcheck, healthy, unhealthy or slow"
            );
            ExitCode::from(64)
        }
    }
}

/// The `healthcheck` subcommand: what a Dockerfile's HEALTHCHECK runs. The
/// probe ends within its deadline whatever the service does, and the line
/// says what was wrong.
fn healthcheck(port: u16) -> ExitCode {
    let url = format!("http://127.0.0.1:{port}/health");
    let probe = healthprobe::Probe::new(&url)
        .and_then(|probe| probe.timeout(Duration::from_secs(2)))
        .and_then(|probe| probe.expect_status("200"))
        .and_then(|probe| probe.expect_body("\"UP\""));
    let report = match probe {
        Ok(probe) => probe.run(),
        Err(error) => {
            eprintln!("embedded healthcheck: {error}");
            return ExitCode::from(64);
        }
    };
    match report.is_healthy() {
        true => println!("{}", report.line()),
        false => eprintln!("{}", report.line()),
    }
    ExitCode::from(report.exit_code())
}

#[derive(Clone, Copy)]
enum Mode {
    Healthy,
    Unhealthy,
    Slow,
}

fn serve(port: u16, mode: Mode) -> ExitCode {
    let listener = match TcpListener::bind(("127.0.0.1", port)) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("embedded: cannot listen on 127.0.0.1:{port}: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Ok(address) = listener.local_addr() {
        println!("listening on {address}");
    }
    for stream in listener.incoming().flatten() {
        std::thread::spawn(move || answer(stream, mode));
    }
    ExitCode::SUCCESS
}

fn answer(mut stream: TcpStream, mode: Mode) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut request_line = String::new();
    let mut reader = BufReader::new(&stream);
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // The rest of the head, up to the blank line.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let (status, body) = match (request_line.split(' ').nth(1), mode) {
        (Some("/health"), Mode::Healthy) => ("200 OK", r#"{"status":"UP"}"#),
        (Some("/health"), Mode::Unhealthy) => ("503 Service Unavailable", r#"{"status":"DOWN"}"#),
        (Some("/health"), Mode::Slow) => {
            std::thread::sleep(Duration::from_secs(30));
            return;
        }
        _ => ("404 Not Found", ""),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
}
