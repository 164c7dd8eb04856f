//! Servers that misbehave: the deadline holds, and the line says where it failed.

use std::io::Write;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::*;

const DEADLINE: Duration = Duration::from_millis(500);

fn url(addr: std::net::SocketAddr) -> String {
    format!("http://{addr}/health")
}

fn silent_after_accept(mut stream: TcpStream) {
    read_head(&mut stream);
    thread::sleep(Duration::from_secs(5));
}

#[test]
fn times_out_when_the_server_accepts_and_never_answers() {
    let addr = serve(1, silent_after_accept);
    let ran = probe(&["-t", "500ms", &url(addr)]).expect(
        1,
        &format!("unhealthy: GET {}: timed out waiting for the response head from {addr} (--timeout 500ms, 0 bytes received) in <elapsed>", url(addr)),
    );
    ran.ended_at_deadline(DEADLINE);
}

fn drips_one_byte_every_50ms(mut stream: TcpStream) {
    read_head(&mut stream);
    drip(
        &mut stream,
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
        Duration::from_millis(50),
    );
}

#[test]
fn times_out_when_the_head_arrives_one_byte_at_a_time() {
    let addr = serve(1, drips_one_byte_every_50ms);
    let ran = probe(&["-t", "500ms", &url(addr)]).run();
    ran.ended_at_deadline(DEADLINE);
    // Roughly ten bytes arrive before the deadline; how many exactly depends on scheduling.
    let line = placeholder(ran.stderr.trim_end());
    let prefix = format!(
        "unhealthy: GET {}: timed out waiting for the response head from {addr} (--timeout 500ms, ",
        url(addr)
    );
    let received: usize = line
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix(" bytes received) in <elapsed>"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{ran}"));
    assert!((5..=12).contains(&received), "{ran}");
    assert_eq!(ran.code, Some(1));
}

fn drips_the_body(mut stream: TcpStream) {
    read_head(&mut stream);
    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n");
    drip(&mut stream, &[b'x'; 100], Duration::from_millis(50));
}

#[test]
fn times_out_reading_a_slow_body_it_must_search() {
    let addr = serve(1, drips_the_body);
    let ran = probe(&["-t", "500ms", "--expect-body", "ok", &url(addr)]).run();
    ran.ended_at_deadline(DEADLINE);
    let line = placeholder(ran.stderr.trim_end());
    let prefix = format!(
        "unhealthy: GET {}: timed out reading the body from {addr} (--timeout 500ms, ",
        url(addr)
    );
    assert!(line.starts_with(&prefix), "{ran}");
    assert_eq!(ran.code, Some(1));
}

#[test]
fn a_slow_body_it_need_not_read_is_healthy_at_once() {
    let addr = serve(1, drips_the_body);
    let ran = probe(&["-t", "500ms", &url(addr)]).expect(
        0,
        &format!(
            "healthy: GET {}: 200 OK from {addr} in <elapsed>",
            url(addr)
        ),
    );
    ran.ended_within(Duration::from_millis(300));
}

fn endless_body(mut stream: TcpStream) {
    read_head(&mut stream);
    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n");
    flood(&mut stream, &[b'z'; 4096], Duration::from_secs(5));
}

#[test]
fn an_endless_body_is_searched_only_for_64_kib() {
    let addr = serve(1, endless_body);
    let start = "z".repeat(80);
    let ran = probe(&["-t", "500ms", "--expect-body", "ok", &url(addr)]).expect(
        1,
        &format!("unhealthy: GET {}: 200 OK but the first 65536 bytes of the body lack the expected text, it begins \"{start}\"..., from {addr} in <elapsed>", url(addr)),
    );
    ran.ended_within(DEADLINE);
}

fn huge_header(mut stream: TcpStream) {
    read_head(&mut stream);
    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nx-big: ");
    flood(&mut stream, &[b'a'; 4096], Duration::from_secs(5));
}

#[test]
fn a_huge_header_is_unhealthy_without_waiting() {
    let addr = serve(1, huge_header);
    let ran = probe(&["-t", "500ms", &url(addr)]).expect(
        1,
        &format!(
            "unhealthy: GET {}: the response head from {addr} is longer than 16 KiB in <elapsed>",
            url(addr)
        ),
    );
    ran.ended_within(DEADLINE);
}

fn not_http(mut stream: TcpStream) {
    read_head(&mut stream);
    let _ = stream.write_all(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
    thread::sleep(Duration::from_secs(2));
}

#[test]
fn a_server_that_does_not_speak_http_is_named() {
    let addr = serve(1, not_http);
    let ran = probe(&["-t", "500ms", &url(addr)]).expect(
        1,
        &format!("unhealthy: GET {}: the response from {addr} is not HTTP: it begins \"SSH-2.0-OpenSSH_9.2p1 Debian-2\\r\\n\" in <elapsed>", url(addr)),
    );
    ran.ended_within(DEADLINE);
}

fn resets_after_accept(stream: TcpStream) {
    // Closing a socket with unread data in its receive buffer sends RST.
    thread::sleep(Duration::from_millis(100));
    drop(stream);
}

#[test]
fn a_reset_is_reported_as_a_reset() {
    let addr = serve(1, resets_after_accept);
    let ran = probe(&["-t", "500ms", &url(addr)]).expect(
        1,
        &format!("unhealthy: GET {}: connection reset while reading the response head from {addr} (0 bytes received) in <elapsed>", url(addr)),
    );
    ran.ended_within(DEADLINE);
}

fn closes_after_request(mut stream: TcpStream) {
    read_head(&mut stream);
    let _ = stream.shutdown(Shutdown::Both);
}

#[test]
fn a_close_before_the_response_is_reported_as_a_close() {
    let addr = serve(1, closes_after_request);
    let ran = probe(&["-t", "500ms", &url(addr)]).expect(
        1,
        &format!("unhealthy: GET {}: connection closed while reading the response head from {addr} (0 bytes received) in <elapsed>", url(addr)),
    );
    ran.ended_within(DEADLINE);
}

fn short_body(mut stream: TcpStream) {
    read_head(&mut stream);
    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\nnot all");
}

#[test]
fn a_body_cut_short_is_unhealthy_when_it_must_be_searched() {
    let addr = serve(1, short_body);
    probe(&["-t", "500ms", "--expect-body", "ok", &url(addr)]).expect(
        1,
        &format!("unhealthy: GET {}: connection closed while reading the body from {addr} (46 bytes received) in <elapsed>", url(addr)),
    );
}

#[test]
fn a_refused_connection_is_unhealthy_at_once() {
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let ran = probe(&[&url(addr)]).expect(
        1,
        &format!(
            "unhealthy: GET {}: connection refused at {addr} in <elapsed>",
            url(addr)
        ),
    );
    ran.ended_within(Duration::from_millis(300));
}

#[test]
fn times_out_connecting_when_syns_go_unanswered() {
    let (listener, _held) = full_backlog();
    let addr = listener.local_addr().unwrap();
    let ran = probe(&["-t", "500ms", &url(addr)]).expect(
        1,
        &format!(
            "unhealthy: GET {}: timed out connecting to {addr} (--timeout 500ms) in <elapsed>",
            url(addr)
        ),
    );
    ran.ended_at_deadline(DEADLINE);
}

#[test]
fn connect_timeout_ends_the_connect_before_the_deadline() {
    let (listener, _held) = full_backlog();
    let addr = listener.local_addr().unwrap();
    let ran = probe(&["-t", "2s", "--connect-timeout", "300ms", &url(addr)]).expect(
        1,
        &format!("unhealthy: GET {}: timed out connecting to {addr} (--connect-timeout 300ms) in <elapsed>", url(addr)),
    );
    ran.ended_at_deadline(Duration::from_millis(300));
}

#[test]
fn localhost_moves_on_to_ipv6_when_ipv4_refuses() {
    let listener = TcpListener::bind("[::1]:0").expect("IPv6 loopback");
    let port = listener.local_addr().unwrap().port();
    let addr = serve_on(listener, 1, |mut s| {
        read_head(&mut s);
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
    });
    let url = format!("http://localhost:{port}/health");
    probe(&[&url]).expect(
        0,
        &format!("healthy: GET {url}: 200 OK from {addr} in <elapsed>"),
    );
}

#[test]
fn localhost_reaches_an_ipv4_only_server() {
    let addr = serve(2, |mut s| {
        read_head(&mut s);
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
    });
    for host in ["localhost", "app.localhost"] {
        let url = format!("http://{host}:{}/health", addr.port());
        probe(&[&url]).expect(
            0,
            &format!("healthy: GET {url}: 200 OK from {addr} in <elapsed>"),
        );
    }
}

#[test]
fn ipv6_literals_connect_directly() {
    let listener = TcpListener::bind("[::1]:0").expect("IPv6 loopback");
    let addr = serve_on(listener, 1, |mut s| {
        read_head(&mut s);
        let _ = s.write_all(b"HTTP/1.1 204 No Content\r\n\r\n");
    });
    let url = format!("http://{addr}/health");
    probe(&[&url]).expect(
        0,
        &format!("healthy: GET {url}: 204 No Content from {addr} in <elapsed>"),
    );
}

#[test]
fn the_deadline_holds_across_redirects() {
    // Each hop answers after 200 ms; the third would end past 500 ms.
    fn slow_redirect(mut stream: TcpStream) {
        read_head(&mut stream);
        thread::sleep(Duration::from_millis(200));
        let _ =
            stream.write_all(b"HTTP/1.1 302 Found\r\nlocation: /next\r\ncontent-length: 0\r\n\r\n");
    }
    let addr = serve(5, slow_redirect);
    let started = Instant::now();
    let ran = probe(&["-t", "500ms", "--follow-redirects", &url(addr)]).expect(
        1,
        &format!("unhealthy: GET {}: timed out waiting for the response head from {addr} (--timeout 500ms, 0 bytes received) in <elapsed>", url(addr)),
    );
    ran.ended_at_deadline(DEADLINE);
    assert!(started.elapsed() < Duration::from_secs(2));
}
