//! The floor for what a healthy HTTP probe costs: the least a correct
//! std-only Rust client can do, built with healthprobe's release profile.
//!
//!     floor_client HOST:PORT /PATH
//!
//! It connects (with a 1 s timeout), writes one GET, reads the response until
//! the server closes (with a 1 s read timeout, at most 64 KiB) and exits 0 if
//! the status line says 200, 1 otherwise. No URL parsing, no name lookup, no
//! deadline over the whole exchange, no header checks: benches/compare.sh
//! measures healthprobe against it, not for use as a probe.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(addr), Some(path)) = (args.next(), args.next()) else {
        eprintln!("usage: floor_client HOST:PORT /PATH");
        return ExitCode::from(64);
    };
    let Ok(addr) = addr.parse::<SocketAddr>() else {
        eprintln!("floor_client: not an IP address and port: {addr}");
        return ExitCode::from(64);
    };
    match get(addr, &path) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("floor_client: {error}");
            ExitCode::from(1)
        }
    }
}

fn get(addr: SocketAddr, path: &str) -> std::io::Result<bool> {
    let timeout = Duration::from_secs(1);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut response = [0u8; 65536];
    let mut len = 0;
    while len < response.len() {
        match stream.read(&mut response[len..])? {
            0 => break,
            n => len += n,
        }
    }
    Ok(response[..len].starts_with(b"HTTP/1.1 200 ")
        || response[..len].starts_with(b"HTTP/1.0 200 "))
}
