//! HTTP over a Unix socket (`--unix-socket`): socket files and abstract
//! sockets, the URL's host in the Host header, and each way connecting fails.

use std::time::Duration;

use crate::support::*;

#[test]
fn http_over_a_socket_file_sends_the_urls_host() {
    let dir = TempDir::new();
    let path = dir.path().join("app.sock");
    let path = path.to_str().unwrap();
    let requests = unix_http(path, 2);
    let url = "http://localhost:8080/health";
    probe(&["--unix-socket", path, url]).expect(
        0,
        &format!("healthy: GET {url}: 200 OK from {path} in <elapsed>"),
    );
    let head = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(head.starts_with("GET /health HTTP/1.1\r\n"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("\r\nhost: localhost:8080\r\n"),
        "{head}"
    );
    // The same from the variable, with ${VAR} expanded.
    probe(&[url])
        .env("HEALTHPROBE_UNIX_SOCKET", "${DIR}/app.sock")
        .env("DIR", dir.path().to_str().unwrap())
        .expect(
            0,
            &format!("healthy: GET {url}: 200 OK from {path} in <elapsed>"),
        );
}

#[test]
fn an_abstract_socket_is_named_with_an_at() {
    let name = abstract_name("abstract");
    let _requests = unix_http(&name, 1);
    let url = "http://localhost/health";
    probe(&["--unix-socket", &name, url]).expect(
        0,
        &format!("healthy: GET {url}: 200 OK from {name} in <elapsed>"),
    );
}

#[test]
fn each_way_of_failing_to_connect_has_its_own_line() {
    let dir = TempDir::new();
    let url = "http://localhost/health";
    let missing = dir.path().join("missing.sock");
    let missing = missing.to_str().unwrap();
    probe(&["--unix-socket", missing, url]).expect(
        1,
        &format!("unhealthy: GET {url}: no such socket file at {missing} in <elapsed>"),
    );
    let file = dir.write("file.sock", "a regular file");
    probe(&["--unix-socket", &file, url]).expect(
        1,
        &format!("unhealthy: GET {url}: not a socket at {file} in <elapsed>"),
    );
    // A server that died leaves its socket file behind.
    let stale = dir.path().join("stale.sock");
    let stale = stale.to_str().unwrap();
    drop(bind_unix(stale));
    probe(&["--unix-socket", stale, url]).expect(
        1,
        &format!(
            "unhealthy: GET {url}: connection refused (nothing listens on the socket) at {stale} in <elapsed>"
        ),
    );
    let nobody = abstract_name("nobody");
    probe(&["--unix-socket", &nobody, url]).expect(
        1,
        &format!(
            "unhealthy: GET {url}: connection refused (nothing listens on the socket) at {nobody} in <elapsed>"
        ),
    );
}

#[test]
fn a_socket_whose_backlog_is_full_times_out_at_the_deadline() {
    use socket2::{Domain, SockAddr, Socket, Type};
    let dir = TempDir::new();
    let path = dir.path().join("busy.sock");
    let listener = bind_unix(path.to_str().unwrap());
    // Queue connections without accepting until the kernel refuses more
    // (EAGAIN); a blocking connect would then hang. Bounded at 10,000.
    let address = SockAddr::unix(&path).unwrap();
    let mut held = Vec::new();
    for _ in 0..10_000 {
        let socket = Socket::new(Domain::UNIX, Type::STREAM, None).unwrap();
        socket.set_nonblocking(true).unwrap();
        match socket.connect(&address) {
            Ok(()) => held.push(socket),
            Err(_) => break,
        }
    }
    assert!(
        !held.is_empty() && held.len() < 10_000,
        "the backlog never filled"
    );
    let path = path.to_str().unwrap();
    let url = "http://localhost/health";
    let ran = probe(&["-t", "500ms", "--unix-socket", path, url]).expect(
        1,
        &format!(
            "unhealthy: GET {url}: timed out connecting to {path} (--timeout 500ms) in <elapsed>"
        ),
    );
    ran.ended_at_deadline(Duration::from_millis(500));
    drop(listener);
}

#[test]
fn a_path_longer_than_the_kernel_allows_is_a_usage_error() {
    let path = format!("/run/{}", "a".repeat(110));
    probe(&["--unix-socket", &path, "http://localhost/"]).expect(
        64,
        "healthprobe: invalid --unix-socket: the socket path is 115 bytes, more than the 107 the kernel allows",
    );
}
