//! `--expect-json` against health documents written after each framework's
//! documented format, from wiremock, and raw servers for a slow body.

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// Spring Boot actuator `/actuator/health` with `show-details: always`.
const SPRING_BOOT: &str = r#"{"status":"UP","components":{"db":{"status":"UP","details":{"database":"PostgreSQL","validationQuery":"isValid()"}},"diskSpace":{"status":"UP","details":{"total":499963174912,"free":91300651008,"threshold":10485760,"path":"/app/.","exists":true}},"ping":{"status":"UP"}}}"#;

/// The same, as `management.endpoint.health.json.pretty` (Jackson's
/// pretty printer puts a space before each colon).
const SPRING_BOOT_PRETTY: &str = r#"{
  "status" : "UP",
  "components" : {
    "db" : {
      "status" : "DOWN",
      "details" : {
        "error" : "org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection"
      }
    },
    "ping" : {
      "status" : "UP"
    }
  }
}"#;

/// ASP.NET Core health checks with a JSON response writer (the shape of
/// HealthChecks.UI's UIResponseWriter), Degraded mapped to 200.
const ASPNET: &str = r#"{"status":"Degraded","totalDuration":"00:00:00.0123456","entries":{"sql":{"data":{},"duration":"00:00:00.0100000","status":"Healthy","tags":["db"]},"redis":{"data":{},"description":"slow","duration":"00:00:00.0020000","status":"Degraded","tags":["cache"]}}}"#;

/// MicroProfile Health / Quarkus SmallRye `/q/health`.
const QUARKUS: &str = r#"{
    "status": "UP",
    "checks": [
        {
            "name": "Database connections health check",
            "status": "UP",
            "data": {
                "<default>": "UP"
            }
        },
        {
            "name": "kafka",
            "status": "UP"
        }
    ]
}"#;

/// A custom handler's document, with numbers and arrays.
const CUSTOM: &str = r#"{"ok":true,"version":1234,"build":"1.4.2","queue":{"depth":17,"max":1000},"ratio":0.25,"replicas":[{"id":"a","lag_ms":12},{"id":"b","lag_ms":250}],"maintenance":null}"#;

async fn answering(status: u16, content_type: &str, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/health"))
        .respond_with(
            ResponseTemplate::new(status)
                .insert_header("content-type", content_type)
                .set_body_string(body),
        )
        .mount(&server)
        .await;
    server
}

async fn json(body: &str) -> (MockServer, String, String) {
    let server = answering(200, "application/json", body).await;
    let url = format!("{}/health", server.uri());
    let peer = server.address().to_string();
    (server, url, peer)
}

fn healthy(url: &str, peer: &str) -> String {
    format!("healthy: GET {url}: 200 OK from {peer} in <elapsed>")
}

fn unhealthy(url: &str, peer: &str, why: &str) -> String {
    format!("unhealthy: GET {url}: 200 OK but {why}, from {peer} in <elapsed>")
}

#[tokio::test]
async fn spring_boot_actuator_recipes() {
    let (_server, url, peer) = json(SPRING_BOOT).await;
    for expr in [
        r#".status == "UP""#,
        ".status==UP",
        r#".components.db.status == "UP""#,
        ".components.diskSpace.details.free > 10485760",
        ".components.diskSpace.details.exists",
        r#".components.db.details.database != "H2""#,
        ".",
    ] {
        probe(&["--expect-json", expr, &url]).expect(0, &healthy(&url, &peer));
    }
    probe(&["--expect-json", r#".components.redis.status == "UP""#, &url])
        .expect(1, &unhealthy(&url, &peer, ".components.redis is missing"));
}

#[tokio::test]
async fn pretty_printed_json_is_judged_as_json() {
    let (_server, url, peer) = json(SPRING_BOOT_PRETTY).await;
    // The substring check the JSON check replaces fails on this layout.
    probe(&["--expect-body", r#""status":"UP""#, &url]).expect(
        1,
        &format!(
            "unhealthy: GET {url}: 200 OK but the body ({} bytes) lacks the expected text, it begins {}, from {peer} in <elapsed>",
            SPRING_BOOT_PRETTY.len(),
            r#""{\n  \"status\" : \"UP\",\n  \"components\" : {\n    \"db\" : {\n      \"status\" : \"DOWN\",\n  "..."#
        ),
    );
    probe(&["--expect-json", ".status == UP", &url]).expect(0, &healthy(&url, &peer));
    probe(&[
        "--expect-json",
        ".status == UP",
        "--expect-json",
        ".components.db.status == UP",
        &url,
    ])
    .expect(
        1,
        &unhealthy(
            &url,
            &peer,
            r#".components.db.status is "DOWN", expected == "UP""#,
        ),
    );
}

#[tokio::test]
async fn aspnet_core_degraded_is_caught_in_json_and_in_plain_text() {
    let (_server, url, peer) = json(ASPNET).await;
    probe(&["--expect-json", ".status == Healthy", &url]).expect(
        1,
        &unhealthy(
            &url,
            &peer,
            r#".status is "Degraded", expected == "Healthy""#,
        ),
    );
    probe(&["--expect-json", ".entries.sql.status == Healthy", &url])
        .expect(0, &healthy(&url, &peer));
    probe(&[
        "--expect-json",
        r#".entries.redis.tags[0] == "cache""#,
        &url,
    ])
    .expect(0, &healthy(&url, &peer));
    // The default writer answers text/plain "Healthy" or "Degraded", which
    // --expect-body checks; --expect-json says it is not JSON.
    let plain = answering(200, "text/plain", "Degraded").await;
    let url = format!("{}/health", plain.uri());
    let peer = plain.address().to_string();
    probe(&["--expect-body", "Healthy", &url]).expect(
        1,
        &format!("unhealthy: GET {url}: 200 OK but the body (8 bytes) lacks the expected text, it begins \"Degraded\", from {peer} in <elapsed>"),
    );
    probe(&["--expect-json", ".status == Healthy", &url]).expect(
        1,
        &unhealthy(
            &url,
            &peer,
            r#"the body is not JSON (expected a value at byte 0): "Degraded""#,
        ),
    );
}

#[tokio::test]
async fn microprofile_health_checks_are_an_array() {
    let (_server, url, peer) = json(QUARKUS).await;
    probe(&[
        "--expect-json",
        ".checks[0].status == UP",
        "--expect-json",
        ".checks[-1].name == kafka",
        &url,
    ])
    .expect(0, &healthy(&url, &peer));
    probe(&[
        "--expect-json",
        r#".checks[0].data."<default>" == UP"#,
        &url,
    ])
    .expect(0, &healthy(&url, &peer));
    probe(&["--expect-json", ".checks[2].status == UP", &url])
        .expect(1, &unhealthy(&url, &peer, ".checks[2] is missing"));
    probe(&["--expect-json", ".checks.status == UP", &url]).expect(
        1,
        &unhealthy(
            &url,
            &peer,
            ".checks.status is missing: .checks is an array",
        ),
    );
}

#[tokio::test]
async fn custom_documents_compare_numbers_and_types() {
    let (_server, url, peer) = json(CUSTOM).await;
    for expr in [
        ".ok",
        ".ok == true",
        ".version == 1234",
        ".version == 1234.0",
        ".version >= 1000",
        ".queue.depth < 100",
        ".queue.depth <= 17",
        ".ratio > 0.2",
        ".replicas[1].lag_ms < 500",
        r#".build == "1.4.2""#,
        ".maintenance == null",
        r#".replicas[0] == {"id": "a", "lag_ms": 12.0}"#,
    ] {
        probe(&["--expect-json", expr, &url]).expect(0, &healthy(&url, &peer));
    }
    for (expr, why) in [
        (".version == 1235", ".version is 1234, expected == 1235"),
        (".queue.depth > 100", ".queue.depth is 17, expected > 100"),
        (
            ".replicas[1].lag_ms < 100",
            ".replicas[1].lag_ms is 250, expected < 100",
        ),
        (
            ".build < 2",
            r#".build is "1.4.2", not a number, expected < 2"#,
        ),
        (
            ".maintenance",
            ".maintenance is null, expected a value other than false or null",
        ),
        (".ok != true", ".ok is true, expected != true"),
        (
            ".version.major == 1",
            ".version.major is missing: .version is a number",
        ),
    ] {
        probe(&["--expect-json", expr, &url]).expect(1, &unhealthy(&url, &peer, why));
    }
}

#[tokio::test]
async fn expressions_come_from_the_environment_one_per_line_and_expand() {
    let (_server, url, peer) = json(CUSTOM).await;
    let lines = ".ok\n\n  .version == ${VERSION}  \n.queue.depth < 100\n";
    probe(&[&url])
        .env("HEALTHPROBE_EXPECT_JSON", lines)
        .env("VERSION", "1234")
        .expect(0, &healthy(&url, &peer));
    probe(&[&url])
        .env("HEALTHPROBE_EXPECT_JSON", lines)
        .env("VERSION", "99")
        .expect(
            1,
            &unhealthy(&url, &peer, ".version is 1234, expected == 99"),
        );
    // A flag replaces the variable, as with headers.
    probe(&["--expect-json", ".ok", &url])
        .env("HEALTHPROBE_EXPECT_JSON", ".nope")
        .expect(0, &healthy(&url, &peer));
}

#[tokio::test]
async fn a_failing_status_is_reported_before_the_body() {
    let server = answering(503, "application/json", r#"{"status":"DOWN"}"#).await;
    let url = format!("{}/health", server.uri());
    probe(&["--expect-json", ".status == UP", &url]).expect(
        1,
        &format!(
            "unhealthy: GET {url}: 503 Service Unavailable, expected 200-299, from {} in <elapsed>",
            server.address()
        ),
    );
}

#[tokio::test]
async fn expect_body_and_expect_json_combine() {
    let (_server, url, peer) = json(CUSTOM).await;
    probe(&["--expect-body", "replicas", "--expect-json", ".ok", &url])
        .expect(0, &healthy(&url, &peer));
    let ran = probe(&["--expect-body", "absent", "--expect-json", ".ok", &url]).run();
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(ran.stderr.contains("lacks the expected text"), "{ran}");
    probe(&[
        "--expect-body",
        "replicas",
        "--expect-json",
        ".ok == false",
        &url,
    ])
    .expect(1, &unhealthy(&url, &peer, ".ok is true, expected == false"));
}

#[tokio::test]
async fn bodies_that_are_not_json_or_too_long_are_named() {
    for (body, why) in [
        ("<html><body>It works!</body></html>", r#"the body is not JSON (expected a value at byte 0): "<html><body>It works!</body></html>""#.to_owned()),
        ("", r#"the body is not JSON (EOF while parsing a value at byte 0): """#.to_owned()),
        ("{\"status\": \"UP\"} trailing", r#"the body is not JSON (trailing characters at byte 17): "{\"status\": \"UP\"} trailing""#.to_owned()),
        ("{\"a\":\u{1b}[31m}", r#"the body is not JSON (expected a value at byte 5): "{\"a\":\x1b[31m}""#.to_owned()),
    ] {
        let (_server, url, peer) = json(body).await;
        probe(&["--expect-json", ".status", &url]).expect(1, &unhealthy(&url, &peer, &why));
    }
    let long = format!("{{\"pad\":\"{}\",\"status\":\"UP\"}}", "x".repeat(70_000));
    let (_server, url, peer) = json(&long).await;
    probe(&["--expect-json", ".status", &url]).expect(
        1,
        &unhealthy(
            &url,
            &peer,
            "the body is longer than the 64 KiB --expect-json reads",
        ),
    );
    let deep = "[".repeat(10_000) + &"]".repeat(10_000);
    let (_server, url, peer) = json(&deep).await;
    probe(&["--expect-json", ".", &url]).expect(
        1,
        &unhealthy(&url, &peer, r#"the body is not JSON (recursion limit exceeded at byte 127): "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["..."#),
    );
    let huge = format!("{{\"n\":1{}}}", "0".repeat(5000));
    let (_server, url, peer) = json(&huge).await;
    let ran = probe(&["--expect-json", ".n > 1", &url]).run();
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(
        ran.stderr
            .contains("the body is not JSON (number out of range at byte"),
        "{ran}"
    );
    let _ = peer;
}

/// A JSON body sent one byte per 100 ms.
fn drips_json(mut stream: TcpStream) {
    let _ = read_head(&mut stream);
    let body = br#"{"status":"UP","pad":"...................."}"#;
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    drip(&mut stream, body, Duration::from_millis(100));
}

#[test]
fn a_slow_json_body_ends_at_the_deadline() {
    let addr = serve(1, drips_json);
    let url = format!("http://{addr}/health");
    let ran = probe(&["-t", "500ms", "--expect-json", ".status == UP", &url]).run();
    let start =
        format!("unhealthy: GET {url}: timed out reading the body from {addr} (--timeout 500ms, ");
    assert!(
        ran.code == Some(1) && ran.stderr.starts_with(&start),
        "{ran}"
    );
    ran.ended_at_deadline(Duration::from_millis(500));
}

#[test]
fn expect_json_usage_errors_are_exit_64_and_point_at_the_column() {
    for (args, line) in [
        (
            &["--expect-json", ".status =! UP", "http://127.0.0.1:1/"][..],
            "healthprobe: invalid --expect-json \".status =! UP\": at column 9, expected ==, !=, <, <=, > or >= after the path, or nothing",
        ),
        (
            &["--expect-json", "status == UP", "http://127.0.0.1:1/"],
            "healthprobe: invalid --expect-json \"status == UP\": at column 1, expected a path starting with \".\", like .status",
        ),
        (
            &["--expect-json", ".a ==", "http://127.0.0.1:1/"],
            "healthprobe: invalid --expect-json \".a ==\": at column 6, expected a value after ==",
        ),
        (
            &["-X", "HEAD", "--expect-json", ".ok", "http://127.0.0.1:1/"],
            "healthprobe: --expect-json needs a body, and responses to HEAD have none: use GET",
        ),
        (
            &["--expect-json", ".ok", "tcp://127.0.0.1:1"],
            "healthprobe: --expect-json applies only to http:// and https:// targets, and none is given",
        ),
        (
            &["--expect-json", ".ok", "grpc://127.0.0.1:1"],
            "healthprobe: --expect-json does not apply to grpc:// targets: a gRPC health check is judged by its SERVING status",
        ),
        (
            &["--expect-json", ".v == ${NOPE}", "http://127.0.0.1:1/"],
            "healthprobe: in --expect-json: ${NOPE} is not set and has no default",
        ),
    ] {
        probe(args).expect(64, line);
    }
}

#[test]
fn expect_json_works_over_a_unix_socket() {
    let dir = TempDir::new();
    let path = dir.path().join("app.sock");
    let listener = bind_unix(path.to_str().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().take(2).flatten() {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = read_head_from(&mut stream);
            let body = r#"{"status":"UP","components":{"db":{"status":"DOWN"}}}"#;
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    let socket = path.to_str().unwrap();
    let url = "http://localhost/actuator/health";
    probe(&[
        "--unix-socket",
        socket,
        "--expect-json",
        ".status == UP",
        url,
    ])
    .expect(
        0,
        &format!("healthy: GET {url}: 200 OK from {socket} in <elapsed>"),
    );
    probe(&["--unix-socket", socket, "--expect-json", ".components.db.status == UP", url]).expect(
        1,
        &format!("unhealthy: GET {url}: 200 OK but .components.db.status is \"DOWN\", expected == \"UP\", from {socket} in <elapsed>"),
    );
}
