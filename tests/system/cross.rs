//! The arm64 binary, cross-built on x86_64, run under qemu-user against a
//! loopback server: the same outcomes as the native one.
//!
//! Ignored in a plain `cargo test`; `.ci/test` runs it as root, with
//! HEALTHPROBE_AARCH64_BIN naming the static aarch64 binary (built with
//! `.ci/build-release`, Debian's gcc-aarch64-linux-gnu and qemu-user-static
//! installed). Run without that variable, the test fails.

use std::io::Write;
use std::net::TcpStream;

use crate::support::*;

fn under_qemu() -> Vec<String> {
    let binary = required(
        "HEALTHPROBE_AARCH64_BIN",
        "the static aarch64 musl build and qemu-user-static",
    );
    vec!["/usr/bin/qemu-aarch64-static".to_owned(), binary]
}

fn answers_200(mut s: TcpStream) {
    read_head(&mut s);
    let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
}

fn answers_503(mut s: TcpStream) {
    read_head(&mut s);
    let _ = s.write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n");
}

#[test]
#[ignore = "needs the aarch64 musl build and qemu-user (HEALTHPROBE_AARCH64_BIN): .ci/test builds it as root"]
fn the_arm64_binary_probes_healthy_and_unhealthy_servers() {
    let qemu = under_qemu();
    let healthy = serve(1, answers_200);
    let url = format!("http://localhost:{}/health", healthy.port());
    probe_with(&qemu, &["--expect-body", "ok", &url]).expect(
        0,
        &format!("healthy: GET {url}: 200 OK from {healthy} in <elapsed>"),
    );

    let sick = serve(1, answers_503);
    let url = format!("http://127.0.0.1:{}/health", sick.port());
    probe_with(&qemu, &[&url]).expect(1, &format!("unhealthy: GET {url}: 503 Service Unavailable, expected 200-299, from {sick} in <elapsed>"));

    let url = format!("http://127.0.0.1:{}/health", free_port());
    probe_with(&qemu, &[&url]).expect(
        1,
        &format!(
            "unhealthy: GET {url}: connection refused at 127.0.0.1:{} in <elapsed>",
            url_port(&url)
        ),
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn url_port(url: &str) -> &str {
    url.rsplit(':')
        .next()
        .and_then(|p| p.split('/').next())
        .unwrap_or_default()
}
