//! One-shot database and broker servers on loopback, each answering as a
//! ready server does, for the tests of every binary: the misbehaving ones
//! stay beside their tests.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Reads what the probe sends first (a StartupMessage, or a command), for
/// at most a second.
pub fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(300)));
    let mut request = vec![0u8; 4096];
    let n = stream.read(&mut request).unwrap_or(0);
    request.truncate(n);
    request
}

pub fn answers(mut stream: TcpStream, answer: &[u8]) {
    read_request(&mut stream);
    let _ = stream.write_all(answer);
    // Keep the connection open until the probe leaves.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.read(&mut [0u8; 64]);
}

pub fn pg_asks_for_md5(stream: TcpStream) {
    answers(stream, b"R\0\0\0\x0c\0\0\0\x05salt");
}

pub fn redis_pong(stream: TcpStream) {
    answers(stream, b"+PONG\r\n");
}

/// MariaDB 10.11's greeting, as a server sends it.
pub fn mariadb_greeting() -> Vec<u8> {
    let mut payload = vec![0x0a];
    payload.extend_from_slice(b"5.5.5-10.11.6-MariaDB-0+deb12u1\0");
    payload.extend_from_slice(&[7, 0, 0, 0]);
    payload.extend_from_slice(b"abcdefgh\0");
    payload.extend_from_slice(&[0xfe, 0xf7, 45, 2, 0, 0xff, 0x81, 21]);
    payload.extend_from_slice(&[0; 10]);
    payload.extend_from_slice(b"ijklmnopqrst\0mysql_native_password\0");
    let mut packet = (payload.len() as u32).to_le_bytes()[..3].to_vec();
    packet.push(0);
    packet.extend_from_slice(&payload);
    packet
}

pub fn connection_start() -> Vec<u8> {
    let payload =
        b"\x00\x0a\x00\x0a\x00\x09\x00\x00\x00\x00\x00\x00\x00\x05PLAIN\x00\x00\x00\x05en_US";
    let mut frame = vec![1, 0, 0];
    frame.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    frame.extend_from_slice(payload);
    frame.push(0xce);
    frame
}

pub fn amqp_start(stream: TcpStream) {
    answers(stream, &connection_start());
}

/// MariaDB's greeting, then a refusal of the probe's login, as a server
/// that needs a password answers.
pub fn mysql_refuses_the_login(mut stream: TcpStream) {
    let _ = stream.write_all(&mariadb_greeting());
    read_request(&mut stream);
    let mut refusal = vec![0, 0, 0, 2, 0xff, 0x15, 0x04];
    refusal.extend_from_slice(b"#28000Access denied for user 'healthprobe'@'localhost'");
    refusal[0] = (refusal.len() - 4) as u8;
    let _ = stream.write_all(&refusal);
}
