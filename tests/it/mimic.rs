//! healthprobe under the names `curl` and `wget` (a link, as an image would
//! have it), running the exact health-check lines of public Compose files
//! against real servers on loopback: what they print and the exit codes
//! curl and (busybox) wget give.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::thread;
use std::time::Duration;

use crate::support::*;

const BODY: &str = "{\"status\":\"UP\"}";

fn healthy_server(mut stream: TcpStream) {
    read_head(&mut stream);
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

fn sick_server(mut stream: TcpStream) {
    read_head(&mut stream);
    let _ = stream.write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\n\r\ndown");
}

fn silent_server(mut stream: TcpStream) {
    read_head(&mut stream);
    thread::sleep(Duration::from_secs(4));
}

fn url(addr: SocketAddr) -> String {
    format!("http://localhost:{}/health", addr.port())
}

/// Checks the exit code, stdout exactly, and that stderr is empty or one
/// line starting with `line`.
fn check(ran: &Ran, code: i32, stdout: &str, line: Option<&str>) {
    let stderr_ok = match line {
        None => ran.stderr.is_empty(),
        Some(start) => ran.stderr.starts_with(start) && ran.stderr.lines().count() == 1,
    };
    assert!(
        ran.code == Some(code) && ran.stdout == stdout && stderr_ok,
        "{ran}\nwanted exit {code}, stdout {stdout:?} and a line starting {line:?}"
    );
}

#[test]
fn the_lines_of_public_compose_files_work_as_they_did() {
    let named = Named::debug();
    let up = serve(16, healthy_server);
    let down = serve(16, sick_server);
    let (up, down) = (url(up), url(down));
    let healthy = format!("healthy: GET {up}: 200 OK from ");
    let sick = format!("unhealthy: GET {down}: 503 Service Unavailable");

    // curl prints the body unless told not to; -f fails on 400 and above (22).
    check(
        &named.run(&format!("curl -f {up}")),
        0,
        BODY,
        Some(&healthy),
    );
    check(&named.run(&format!("curl -f {down}")), 22, "", Some(&sick));
    check(
        &named.run(&format!("curl -fsS -o /dev/null {up}")),
        0,
        "",
        None,
    );
    check(
        &named.run(&format!("curl -fsS -o /dev/null {down}")),
        22,
        "",
        Some(&sick),
    );
    let seed = "curl --fail --silent --show-error --connect-timeout 1 --max-time 2";
    check(&named.run(&format!("{seed} {up}")), 0, BODY, None);
    check(&named.run(&format!("{seed} {down}")), 22, "", Some(&sick));

    // wget (busybox's exit codes: 1 for any failure) fails on 400 and above.
    check(&named.run(&format!("wget -q --spider {up}")), 0, "", None);
    check(
        &named.run(&format!("wget -q --spider {down}")),
        1,
        "",
        Some(&sick),
    );
    check(&named.run(&format!("wget -qO- {up}")), 0, BODY, None);
    check(&named.run(&format!("wget -qO- {down}")), 1, "", Some(&sick));
    let gnu = "wget --no-verbose --tries=1 --spider";
    check(&named.run(&format!("{gnu} {up}")), 0, "", Some(&healthy));
    check(&named.run(&format!("{gnu} {down}")), 1, "", Some(&sick));
}

#[test]
fn curl_without_f_exits_0_for_any_status_and_says_it_did_not_check() {
    let named = Named::debug();
    let down = url(serve(2, sick_server));
    check(
        &named.run(&format!("curl -s {down}")),
        0,
        "down",
        Some(&format!(
            "healthy: GET {down}: 503 Service Unavailable from "
        )),
    );
    let ran = named.run(&format!("curl -s -o /dev/null -w %{{http_code}} {down}"));
    check(&ran, 0, "503", Some("healthy: "));
    assert!(
        ran.stderr
            .contains("(status not checked: curl without -f exits 0 for any HTTP status; add -f)"),
        "{ran}"
    );
}

#[test]
fn a_body_is_printed_up_to_64_kib() {
    let named = Named::debug();
    let big = serve(1, |mut stream| {
        read_head(&mut stream);
        let body = vec![b'x'; 100 * 1024];
        let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", body.len());
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&body);
    });
    let ran = named.run(&format!("curl -fs {}", url(big)));
    assert!(
        ran.code == Some(0) && ran.stdout.len() == 64 * 1024,
        "{}",
        ran.stderr
    );
}

#[test]
fn curls_exit_codes_name_the_failure() {
    let named = Named::debug();
    let closed = closed_port();
    check(
        &named.run(&format!("curl -fsS http://{closed}/health")),
        7,
        "",
        Some("unhealthy: "),
    );
    let ran = named.run(&format!(
        "curl -fsS --max-time 0.5 {}",
        url(serve(1, silent_server))
    ));
    check(&ran, 28, "", Some("unhealthy: "));
    assert!(ran.stderr.contains("timed out"), "{ran}");
    ran.ended_at_deadline(Duration::from_millis(500));
    // Nothing a user types makes it exit 2, which Docker reserves.
    for line in [
        "curl -d x http://localhost/",
        "curl --data-binary @f http://localhost/",
        "curl -o out.html http://localhost/",
        "curl -X POST http://localhost/",
        "curl -w %{time_total} http://localhost/",
        "curl -m",
        "curl",
        "curl ftp://localhost/",
        "wget --post-data=x http://localhost/",
        "wget -O index.html http://localhost/",
        "wget -t many http://localhost/",
    ] {
        let ran = named.run(line);
        check(&ran, 64, "", Some("healthprobe: "));
    }
    let ran = named.run("curl -Z http://localhost/");
    check(
        &ran,
        64,
        "",
        Some("healthprobe: healthprobe as curl does not take \"-Z\""),
    );
}

#[test]
#[cfg(feature = "tls")]
fn curls_tls_failures_are_35_and_60() {
    use crate::support::tls::{Validity, ca, server_config, server_leaf, tls_server};
    let named = Named::debug();
    let ca = ca("mimic CA");
    let https = tls_server(server_config(&server_leaf(&ca, Validity::Current), None), 2);
    let url = format!("https://localhost:{}/health", https.port());
    // Not trusted: 60, as curl's "SSL peer certificate or SSH remote key was not OK".
    check(
        &named.run(&format!("curl -fsS {url}")),
        60,
        "",
        Some("unhealthy: "),
    );
    let files = TempDir::new();
    let cacert = files.write("ca.pem", &ca.pem);
    check(
        &named.run(&format!("curl -fsS --cacert {cacert} -o /dev/null {url}")),
        0,
        "",
        None,
    );
    // A handshake with a server that does not speak TLS: 35.
    let plain = serve(1, healthy_server);
    let ran = named.run(&format!("curl -fsS https://localhost:{}/", plain.port()));
    check(&ran, 35, "", Some("unhealthy: "));
}

#[test]
#[ignore = "needs the static loopback-only build (HEALTHPROBE_LOOPBACK_BIN): .ci/test builds it"]
fn the_loopback_only_build_answers_as_curl_too() {
    let named = Named::new(PathBuf::from(required(
        "HEALTHPROBE_LOOPBACK_BIN",
        "the static build with the loopback-only feature",
    )));
    let up = url(serve(1, healthy_server));
    check(
        &named.run(&format!("curl -fsS -o /dev/null {up}")),
        0,
        "",
        None,
    );
    let ran = named.run("curl -fsS --max-time 5 http://192.0.2.1/health");
    check(
        &ran,
        64,
        "",
        Some("healthprobe: \"192.0.2.1\" is not a loopback address"),
    );
    ran.ended_within(Duration::from_millis(500));
}

#[test]
fn tls_options_are_ignored_for_http_and_a_url_without_a_scheme_is_http() {
    let named = Named::debug();
    let up = serve(16, healthy_server);
    let port = up.port();
    let healthy = format!("healthy: GET http://localhost:{port}/health: 200 OK from ");
    for line in [
        format!("curl -kfsS http://localhost:{port}/health"),
        format!("curl --cacert /nonexistent/ca.pem -fsS http://localhost:{port}/health"),
        format!("curl -f localhost:{port}/health"),
        format!("curl -fsS --url localhost:{port}/health"),
    ] {
        let ran = named.run(&line);
        assert_eq!(ran.code, Some(0), "{line}\n{ran}");
    }
    check(
        &named.run(&format!(
            "wget --no-check-certificate -q --spider http://localhost:{port}/health"
        )),
        0,
        "",
        None,
    );
    check(
        &named.run(&format!(
            "wget --ca-certificate=/nonexistent.pem --spider localhost:{port}/health"
        )),
        0,
        "",
        Some(&healthy),
    );
    check(
        &named.run(&format!("wget -q --spider 127.0.0.1:{port}/health")),
        0,
        "",
        None,
    );
}

#[test]
fn the_common_flags_of_both_tools_are_taken() {
    let named = Named::debug();
    let up = url(serve(32, healthy_server));
    for line in [
        format!("curl --fail-with-body -sS {up}"),
        format!("curl -fsS --retry-connrefused --retry 1 {up}"),
        format!("curl -fsS --retry-max-time 5 --retry 1 {up}"),
        format!("curl -f --no-progress-meter {up}"),
        format!("curl -fsSL --max-redirs 3 {up}"),
        format!("curl -4 -fsS {up}"),
        format!("curl --compressed -fsS {up}"),
        format!("curl -v -f {up}"),
        format!("curl -fsS --retry-all-errors --retry 1 {up}"),
        format!("wget -q -U probe --spider {up}"),
        format!("wget -q --user-agent=probe -4 --spider {up}"),
        format!("wget -q --tries=2 --waitretry=1 --retry-connrefused --spider {up}"),
        format!("wget -q --retry-on-http-error=503 --retry-on-host-error --spider {up}"),
    ] {
        let ran = named.run(&line);
        assert_eq!(ran.code, Some(0), "{line}\n{ran}");
    }
    // --fail-with-body prints the body of a failed status, and fails.
    let down = url(serve(1, sick_server));
    let ran = named.run(&format!("curl --fail-with-body -sS {down}"));
    check(&ran, 22, "down", Some("unhealthy: "));
}

#[test]
fn help_and_version_answer_as_the_tool_and_say_this_is_healthprobe() {
    let named = Named::debug();
    for line in ["curl --help", "curl -h", "wget --help", "wget -h"] {
        let ran = named.run(line);
        assert!(
            ran.code == Some(0)
                && ran.stdout.starts_with("Usage: ")
                && ran.stdout.contains("This is healthprobe ")
                && ran.stderr.is_empty(),
            "{line}\n{ran}"
        );
    }
    for (line, tool) in [
        ("curl --version", "curl"),
        ("curl -V", "curl"),
        ("wget --version", "wget"),
        ("wget -V", "wget"),
    ] {
        let ran = named.run(line);
        assert!(
            ran.code == Some(0)
                && ran.stdout.starts_with(&format!("{tool} (healthprobe "))
                && ran
                    .stdout
                    .contains(&format!("this is healthprobe answering to the name {tool}")),
            "{line}\n{ran}"
        );
    }
}

#[test]
fn messages_name_the_tools_own_flags() {
    let named = Named::debug();
    let silent = url(serve(2, silent_server));
    let ran = named.run(&format!("curl -fsS -m 0.3 {silent}"));
    assert!(
        ran.stderr.contains("(--max-time 300ms, 0 bytes received)"),
        "{ran}"
    );
    let ran = named.run(&format!("wget -q -T 0.3 --spider {silent}"));
    assert!(
        ran.stderr.contains("(--timeout 300ms, 0 bytes received)"),
        "{ran}"
    );
    let ran = named
        .probe(
            "curl",
            &["-fsS", "-H", "X-Bad\u{1}: x", "http://localhost/"],
        )
        .run();
    check(&ran, 64, "", Some("healthprobe: invalid --header"));
}

#[test]
fn a_retry_is_bounded_as_the_tool_bounds_it() {
    let named = Named::debug();
    // A refused connection is not transient to curl without
    // --retry-connrefused: one attempt, at once.
    let closed = closed_port();
    let ran = named.run(&format!("curl -fsS --retry 1 http://{closed}/"));
    check(&ran, 7, "", Some("unhealthy: "));
    ran.ended_within(Duration::from_millis(500));
    // With it, the retries wait 1 s, then 2 s.
    let ran = named.run(&format!(
        "curl -fS --retry 2 --retry-connrefused http://{closed}/"
    ));
    assert_eq!(ran.code, Some(7), "{ran}");
    assert!(
        ran.elapsed >= Duration::from_secs(3) && ran.elapsed < Duration::from_millis(3500),
        "{ran}"
    );
    assert_eq!(ran.stderr.lines().count(), 3, "{ran}");
    assert!(
        ran.stderr
            .lines()
            .next()
            .unwrap()
            .ends_with("(curl --retry: will retry in 1.00s, 2 retries left)"),
        "{ran}"
    );
    // wget: a refused connection is not tried again.
    let ran = named.run(&format!("wget -q -T 1 -t 3 http://{closed}/"));
    check(&ran, 1, "", Some("unhealthy: "));
    ran.ended_within(Duration::from_millis(500));
}
