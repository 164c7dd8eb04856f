//! A small health server to probe: `GET /health` (and `/healthz`, `/livez`,
//! `/ready`, `/readyz`) answers according to a mode.
//!
//! ```text
//! health_server [--listen 127.0.0.1:9000] [--mode healthy|unhealthy|slow]
//! ```
//!
//! - healthy: `200 OK` with `{"status":"ok"}`
//! - unhealthy: `503 Service Unavailable` with `{"status":"failing"}`
//! - slow: waits 10 seconds, then answers as healthy
//!
//! `GET /admin/healthy`, `/admin/unhealthy` and `/admin/slow` switch the mode
//! while it runs, so a container test can turn a healthy service unhealthy.
//! It prints `listening on ADDRESS` once bound (port 0 picks a free port).
//! Only the standard library: it also builds as a static binary for images
//! that hold nothing else.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

/// The paths answered as health checks: the common spellings.
const HEALTH_PATHS: &[&str] = &["/health", "/healthz", "/livez", "/ready", "/readyz"];

const HEALTHY: u8 = 0;
const UNHEALTHY: u8 = 1;
const SLOW: u8 = 2;

fn main() -> Result<(), String> {
    let mut listen = "127.0.0.1:9000".to_owned();
    let mut mode = HEALTHY;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--listen", Some(addr)) => listen = addr,
            ("--mode", Some(m)) => mode = parse_mode(&m).ok_or(format!("unknown --mode {m:?}"))?,
            _ => {
                return Err(format!(
                    "usage: health_server [--listen ADDR] [--mode healthy|unhealthy|slow], not {arg:?}"
                ));
            }
        }
    }
    let listener =
        TcpListener::bind(&listen).map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    println!("listening on {local}");
    let mode = Arc::new(AtomicU8::new(mode));
    for stream in listener.incoming().flatten() {
        let mode = Arc::clone(&mode);
        std::thread::spawn(move || {
            let _ = serve(stream, &mode);
        });
    }
    Ok(())
}

fn parse_mode(name: &str) -> Option<u8> {
    match name {
        "healthy" => Some(HEALTHY),
        "unhealthy" => Some(UNHEALTHY),
        "slow" => Some(SLOW),
        _ => None,
    }
}

fn serve(stream: TcpStream, mode: &AtomicU8) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Read the rest of the head so that closing the socket sends FIN, not RST.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let (status, body) = match path.strip_prefix("/admin/").map(parse_mode) {
        Some(Some(new)) => {
            mode.store(new, Ordering::SeqCst);
            ("200 OK", r#"{"mode":"switched"}"#)
        }
        Some(None) => ("404 Not Found", r#"{"error":"unknown mode"}"#),
        None if !HEALTH_PATHS.contains(&path) => ("404 Not Found", r#"{"error":"not found"}"#),
        None => match mode.load(Ordering::SeqCst) {
            UNHEALTHY => ("503 Service Unavailable", r#"{"status":"failing"}"#),
            SLOW => {
                std::thread::sleep(Duration::from_secs(10));
                ("200 OK", r#"{"status":"ok"}"#)
            }
            _ => ("200 OK", r#"{"status":"ok"}"#),
        },
    };
    // One write: `write!` on the stream would send each piece of the format
    // as a segment of its own, and a probe that reads the first before the
    // rest arrives takes another round (what the instruction counts in
    // .ci/test would then measure is the scheduler).
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    (&stream).write_all(response.as_bytes())
}
