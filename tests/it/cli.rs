//! Arguments and environment in, exit code and one line out.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::*;

#[test]
fn help_lists_every_option_with_its_variable_and_default() {
    let ran = probe(&["--help"]).run();
    assert_eq!(ran.code, Some(0), "{ran}");
    assert!(ran.stderr.is_empty(), "{ran}");
    for (option, var, default) in [
        ("--timeout", "HEALTHPROBE_TIMEOUT", "[default: 2s]"),
        (
            "--connect-timeout",
            "HEALTHPROBE_CONNECT_TIMEOUT",
            "[default: none]",
        ),
        ("--method", "HEALTHPROBE_METHOD", "[default: GET]"),
        ("--header", "HEALTHPROBE_HEADER", "[default: none]"),
        (
            "--expect-status",
            "HEALTHPROBE_EXPECT_STATUS",
            "[default: 200-299]",
        ),
        (
            "--expect-body",
            "HEALTHPROBE_EXPECT_BODY",
            "[default: none]",
        ),
        (
            "--follow-redirects",
            "HEALTHPROBE_FOLLOW_REDIRECTS",
            "[default: off]",
        ),
        (
            "--expect-json",
            "HEALTHPROBE_EXPECT_JSON",
            "[default: none]",
        ),
        (
            "--grpc-service",
            "HEALTHPROBE_GRPC_SERVICE",
            "[default: \"\"]",
        ),
        ("--quiet", "HEALTHPROBE_QUIET", "[default: off]"),
        ("--wait", "HEALTHPROBE_WAIT", "[default: none]"),
        ("--interval", "HEALTHPROBE_INTERVAL", "[default: 1s]"),
        (
            "--unix-socket",
            "HEALTHPROBE_UNIX_SOCKET",
            "[default: none]",
        ),
        (
            "--cacert",
            "HEALTHPROBE_CACERT",
            "[default: $SSL_CERT_FILE, else the system bundle]",
        ),
        ("--insecure", "HEALTHPROBE_INSECURE", "[default: off]"),
        ("--cert", "HEALTHPROBE_CERT", "[default: none]"),
        ("--key", "HEALTHPROBE_KEY", "[default: the --cert file]"),
        (
            "--server-name",
            "HEALTHPROBE_SERVER_NAME",
            "[default: the URL's host]",
        ),
    ] {
        let entry = ran
            .stdout
            .split(option)
            .nth(1)
            .unwrap_or_else(|| panic!("{option} missing\n{ran}"));
        let entry = entry.split("\n  -").next().unwrap_or_default();
        assert!(
            entry.contains(&format!("[env: {var}]")) && entry.contains(default),
            "{option}: {entry}"
        );
    }
    assert!(ran.stdout.contains("[env: HEALTHPROBE_URL]"));
    assert!(ran.stdout.contains("healthprobe install DIR"));
}

#[test]
fn version_prints_the_package_version() {
    probe(&["-V"]).expect(0, &format!("healthprobe {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_64_with_one_line_naming_the_problem() {
    for (args, line) in [
        (
            &[][..],
            "healthprobe: no target to probe: give one as an argument or in HEALTHPROBE_URL",
        ),
        (
            &["--timeout", "2x", "http://127.0.0.1:1/"],
            "healthprobe: invalid --timeout \"2x\": expected a duration like 500ms, 2s, 1.5s or 1m",
        ),
        (
            &["--nope", "http://127.0.0.1:1/"],
            "healthprobe: unknown option \"--nope\" (see --help)",
        ),
        (&["-t"], "healthprobe: --timeout needs a value"),
        (
            &["127.0.0.1:9000/health"],
            "healthprobe: invalid URL: \"127.0.0.1:9000/health\" is not a URL: expected one like http://127.0.0.1:9000/health",
        ),
        (
            &["--expect-status", "600", "http://127.0.0.1:1/"],
            "healthprobe: invalid --expect-status \"600\": \"600\" is not a status code from 100 to 599",
        ),
        (
            &["http://127.0.0.1:${PORT}/"],
            "healthprobe: in URL: ${PORT} is not set and has no default",
        ),
    ] {
        probe(args).expect(64, line);
    }
}

#[test]
fn environment_errors_name_the_variable() {
    probe(&["http://127.0.0.1:1/"])
        .env("HEALTHPROBE_TIMEOUT", "soon")
        .expect(64, "healthprobe: invalid HEALTHPROBE_TIMEOUT \"soon\": expected a duration like 500ms, 2s, 1.5s or 1m");
    probe(&[])
        .env("HEALTHPROBE_URL", "http://127.0.0.1:$PORT/")
        .expect(64, "healthprobe: in HEALTHPROBE_URL: a \"$\" must start ${NAME} or ${NAME:-default}; write $$ for a literal $");
}

#[test]
fn a_header_value_never_reaches_the_output() {
    let ran = probe(&["-H", "Authorization Bearer hunter2", "http://127.0.0.1:1/"]).expect(
        64,
        "healthprobe: invalid --header: expected \"Name: value\" (the text given is not shown)",
    );
    assert!(!ran.stderr.contains("hunter2"));
}

#[test]
#[ignore = "needs the static build without default features (HEALTHPROBE_NOTLS_BIN): .ci/test builds it"]
fn https_without_the_tls_feature_is_a_usage_error() {
    // The build without TLS, which .ci/test makes and names.
    let binary = required(
        "HEALTHPROBE_NOTLS_BIN",
        "a build without default features (no tls)",
    );
    probe_with(&[binary], &["https://127.0.0.1:1/health"]).expect(
        64,
        "healthprobe: invalid URL: https:// needs TLS, which this build leaves out (built without the tls feature)",
    );
}

#[test]
fn stdin_is_never_read() {
    // An open pipe that never delivers anything would hang a probe that read it.
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("healthprobe"))
        .env_clear()
        .args(["-t", "300ms", "http://127.0.0.1:1/"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _stdin = child.stdin.take();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            panic!("healthprobe waited on stdin");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(1));
    let _ = std::io::stdout().flush();
}

#[test]
fn a_request_line_too_long_to_send_is_a_usage_error_naming_the_option() {
    let (addr, requests) = recording("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
    let url = format!("http://{addr}/health");
    let ok = format!("healthy: GET {url}: 200 OK from {addr} in <elapsed>");
    // ureq writes the head line by line through an 8192-byte buffer; the
    // last header line also carries the final CRLF. Two long headers that
    // each fit make a head over 8 KiB, and that is fine.
    let fits = 8192 - "X-Long: \r\n\r\n".len();
    let header = format!("X-Long: {}", "a".repeat(fits));
    let second = format!("X-Other: {}", "b".repeat(5000));
    probe(&["-H", &header, "-H", &second, &url]).expect(0, &ok);
    let head = requests
        .recv_timeout(Duration::from_secs(5))
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        head.contains(&header.to_ascii_lowercase()),
        "the whole header was sent"
    );
    assert!(
        head.contains(&second.to_ascii_lowercase()),
        "the second header was sent"
    );

    let header = format!("X-Long: {}", "a".repeat(fits + 1));
    probe(&["-H", &header, &url]).expect(
        64,
        "healthprobe: the --header \"X-Long\" line would be 8193 bytes, more than the 8192 healthprobe can send: shorten its value",
    );
    probe(&[&url]).env("HEALTHPROBE_HEADER", &header).expect(
        64,
        "healthprobe: the HEALTHPROBE_HEADER \"X-Long\" line would be 8193 bytes, more than the 8192 healthprobe can send: shorten its value",
    );

    // "GET /ppp... HTTP/1.1\r\n"
    let path = "p".repeat(8192 - "GET / HTTP/1.1\r\n".len());
    let long_url = format!("http://{addr}/{path}");
    let ran = probe(&[&long_url]).run();
    assert_eq!(
        ran.code,
        Some(0),
        "a request line of 8192 bytes is sent: {ran}"
    );
    let longer_url = format!("{long_url}p");
    probe(&[&longer_url]).expect(
        64,
        "healthprobe: the request line would be 8193 bytes, more than the 8192 healthprobe can send: shorten the URL",
    );
}

#[test]
fn headers_that_announce_a_request_body_are_usage_errors() {
    for header in [
        "Content-Length: 5",
        "transfer-encoding: chunked",
        "Expect: 100-continue",
    ] {
        let name = header.split(':').next().unwrap();
        let framing = name.to_ascii_lowercase();
        probe(&["-H", header, "http://127.0.0.1:1/"]).expect(
            64,
            &format!(
                "healthprobe: invalid --header {name:?}: healthprobe sends no request body, so {framing} cannot be set"
            ),
        );
    }
}
