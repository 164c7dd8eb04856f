//! Well-formed HTTP from wiremock (and a recording raw server for the exact
//! bytes sent): status lists, bodies, redirects, methods, headers, settings.

use std::time::Duration;

use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

async fn server_answering(status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/health"))
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .mount(&server)
        .await;
    server
}

fn health(server: &MockServer) -> String {
    format!("{}/health", server.uri())
}

fn peer(server: &MockServer) -> String {
    server.address().to_string()
}

#[tokio::test]
async fn healthy_when_server_answers_200() {
    let server = server_answering(200, "ok").await;
    let url = health(&server);
    probe(&[&url]).expect(
        0,
        &format!(
            "healthy: GET {url}: 200 OK from {} in <elapsed>",
            peer(&server)
        ),
    );
}

#[tokio::test]
async fn unhealthy_when_server_answers_503() {
    let server = server_answering(503, "down").await;
    let url = health(&server);
    probe(&[&url]).expect(
        1,
        &format!(
            "unhealthy: GET {url}: 503 Service Unavailable, expected 200-299, from {} in <elapsed>",
            peer(&server)
        ),
    );
}

#[tokio::test]
async fn expect_status_decides_which_codes_are_healthy() {
    let server = server_answering(503, "").await;
    let url = health(&server);
    let p = peer(&server);
    probe(&["--expect-status", "200,500-503", &url]).expect(
        0,
        &format!("healthy: GET {url}: 503 Service Unavailable from {p} in <elapsed>"),
    );
    probe(&["--expect-status", "200-299,504", &url])
        .expect(1, &format!("unhealthy: GET {url}: 503 Service Unavailable, expected 200-299,504, from {p} in <elapsed>"));
    let server = server_answering(299, "").await;
    let url = health(&server);
    probe(&[&url]).expect(
        0,
        &format!(
            "healthy: GET {url}: 299 from {} in <elapsed>",
            peer(&server)
        ),
    );
}

#[tokio::test]
async fn expect_body_finds_text_in_the_body() {
    let server = server_answering(200, r#"{"status":"ok","db":"up"}"#).await;
    let url = health(&server);
    let p = peer(&server);
    probe(&["--expect-body", r#""db":"up""#, &url]).expect(
        0,
        &format!("healthy: GET {url}: 200 OK from {p} in <elapsed>"),
    );
    probe(&["--expect-body", r#""db":"down""#, &url]).expect(
        1,
        &format!(r#"unhealthy: GET {url}: 200 OK but the body (25 bytes) lacks the expected text, it begins "{{\"status\":\"ok\",\"db\":\"up\"}}", from {p} in <elapsed>"#),
    );
}

#[tokio::test]
async fn expect_body_reads_no_further_than_64_kib() {
    let body = format!("{}healthy", "x".repeat(64 * 1024));
    let server = server_answering(200, &body).await;
    let url = health(&server);
    let start = "x".repeat(80);
    probe(&["--expect-body", "healthy", &url]).expect(
        1,
        &format!("unhealthy: GET {url}: 200 OK but the first 65536 bytes of the body lack the expected text, it begins \"{start}\"..., from {} in <elapsed>", peer(&server)),
    );
    let body = format!("{}healthy", "x".repeat(64 * 1024 - 7));
    let server = server_answering(200, &body).await;
    probe(&["--expect-body", "healthy", &health(&server)]).expect(
        0,
        &format!(
            "healthy: GET {}: 200 OK from {} in <elapsed>",
            health(&server),
            peer(&server)
        ),
    );
}

#[tokio::test]
async fn server_text_is_escaped_in_the_line() {
    let server = server_answering(200, "\x1b]0;pwned\x07\x1b[31mred\r\nnext").await;
    let url = health(&server);
    probe(&["--expect-body", "ok", &url]).expect(
        1,
        &format!(r#"unhealthy: GET {url}: 200 OK but the body (24 bytes) lacks the expected text, it begins "\x1b]0;pwned\x07\x1b[31mred\r\nnext", from {} in <elapsed>"#, peer(&server)),
    );
}

async fn redirecting(status: u16, location: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/health"))
        .respond_with(ResponseTemplate::new(status).insert_header("location", location))
        .mount(&server)
        .await;
    Mock::given(path("/ready"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ready"))
        .mount(&server)
        .await;
    Mock::given(path("/loop"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", "/loop"))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_redirect_is_unhealthy_unless_accepted_and_shows_its_location() {
    let server = redirecting(301, "/ready").await;
    let url = health(&server);
    let p = peer(&server);
    probe(&[&url]).expect(
        1,
        &format!("unhealthy: GET {url}: 301 Moved Permanently to \"/ready\", expected 200-299 (see --follow-redirects), from {p} in <elapsed>"),
    );
    probe(&["--expect-status", "200-399", &url]).expect(
        0,
        &format!("healthy: GET {url}: 301 Moved Permanently from {p} in <elapsed>"),
    );
}

#[tokio::test]
async fn follow_redirects_follows_the_same_origin() {
    for location in ["/ready", "ready", "./ready?x=1"] {
        let server = redirecting(302, location).await;
        let url = health(&server);
        probe(&["--follow-redirects", "--expect-body", "ready", &url]).expect(
            0,
            &format!(
                "healthy: GET {url}: 200 OK from {} in <elapsed>",
                peer(&server)
            ),
        );
    }
    let server = MockServer::start().await;
    let absolute = format!("{}/ready", server.uri());
    let server = {
        Mock::given(path("/health"))
            .respond_with(ResponseTemplate::new(308).insert_header("location", absolute.as_str()))
            .mount(&server)
            .await;
        Mock::given(path("/ready"))
            .respond_with(ResponseTemplate::new(204))
            .mount(&server)
            .await;
        server
    };
    let url = health(&server);
    probe(&[&url])
        .env("HEALTHPROBE_FOLLOW_REDIRECTS", "yes")
        .expect(
            0,
            &format!(
                "healthy: GET {url}: 204 No Content from {} in <elapsed>",
                peer(&server)
            ),
        );
}

#[tokio::test]
async fn follow_redirects_refuses_another_scheme_host_or_port() {
    for location in [
        "http://127.0.0.1:1/ready",
        "https://127.0.0.1/ready",
        "//localhost/ready",
    ] {
        let server = redirecting(302, location).await;
        let url = health(&server);
        probe(&["--follow-redirects", &url]).expect(
            1,
            &format!("unhealthy: GET {url}: 302 Found to \"{location}\", not followed: it leaves the scheme, host and port probed, from {} in <elapsed>", peer(&server)),
        );
    }
    let server = redirecting(302, "http://exa mple/").await;
    let url = health(&server);
    probe(&["--follow-redirects", &url]).expect(
        1,
        &format!("unhealthy: GET {url}: 302 Found to \"http://exa mple/\", not followed: the Location is not usable: \"exa mple\" is not a host name (letters, digits, \"-\", \".\"; use the xn-- form of an international name), from {} in <elapsed>", peer(&server)),
    );
}

#[tokio::test]
async fn follow_redirects_stops_after_five() {
    let server = redirecting(307, "/loop").await;
    let url = health(&server);
    probe(&["--follow-redirects", &url]).expect(
        1,
        &format!(
            "unhealthy: GET {url}: more than 5 redirects, the last from {} in <elapsed>",
            peer(&server)
        ),
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 6);
}

#[tokio::test]
async fn head_sends_head_and_reads_no_body() {
    let server = MockServer::start().await;
    Mock::given(method("HEAD"))
        .and(path("/health"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let url = health(&server);
    probe(&["-X", "HEAD", &url]).expect(
        0,
        &format!(
            "healthy: HEAD {url}: 200 OK from {} in <elapsed>",
            peer(&server)
        ),
    );
}

#[test]
fn sends_a_minimal_request_with_its_default_headers() {
    let (addr, heads) = recording("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
    let url = format!("http://{addr}/health?deep=1");
    probe(&[&url]).expect(
        0,
        &format!("healthy: GET http://{addr}/health?...: 200 OK from {addr} in <elapsed>"),
    );
    let head = heads.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(
        head,
        format!(
            "GET /health?deep=1 HTTP/1.1\r\nuser-agent: healthprobe/{}\r\naccept: */*\r\nhost: {addr}\r\nconnection: close\r\n\r\n",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn user_headers_replace_the_defaults_and_are_sent_as_given() {
    let (addr, heads) = recording("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
    let url = format!("http://{addr}/health");
    probe(&[
        "-H",
        "User-Agent: kube-probe/1.31",
        "-H",
        "Accept: application/json",
        "-H",
        "Connection: keep-alive",
        "-H",
        "Host: api.internal",
        "-H",
        "X-Probe: a",
        "-H",
        "X-Probe: b",
        &url,
    ])
    .expect(
        0,
        &format!("healthy: GET {url}: 200 OK from {addr} in <elapsed>"),
    );
    let head = heads
        .recv_timeout(Duration::from_secs(5))
        .unwrap()
        .to_ascii_lowercase();
    let mut lines: Vec<&str> = head.lines().skip(1).filter(|l| !l.is_empty()).collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "accept: application/json",
            "connection: keep-alive",
            "host: api.internal",
            "user-agent: kube-probe/1.31",
            "x-probe: a",
            "x-probe: b"
        ]
    );
}

#[tokio::test]
async fn the_url_comes_from_the_environment_and_a_flag_beats_it() {
    let good = server_answering(200, "").await;
    let bad = server_answering(500, "").await;
    probe(&[]).env("HEALTHPROBE_URL", &health(&good)).expect(
        0,
        &format!(
            "healthy: GET {}: 200 OK from {} in <elapsed>",
            health(&good),
            peer(&good)
        ),
    );
    probe(&[&health(&good)])
        .env("HEALTHPROBE_URL", &health(&bad))
        .expect(
            0,
            &format!(
                "healthy: GET {}: 200 OK from {} in <elapsed>",
                health(&good),
                peer(&good)
            ),
        );
    probe(&["--expect-status", "200", &health(&bad)])
        .env("HEALTHPROBE_EXPECT_STATUS", "500")
        .expect(
            1,
            &format!(
                "unhealthy: GET {}: 500 Internal Server Error, expected 200, from {} in <elapsed>",
                health(&bad),
                peer(&bad)
            ),
        );
}

#[tokio::test]
async fn variables_expand_in_url_headers_and_expected_body() {
    let server = MockServer::start().await;
    Mock::given(path("/health"))
        .and(header("authorization", "Bearer s3cret"))
        .respond_with(ResponseTemplate::new(200).set_body_string("cost: $5"))
        .expect(2)
        .mount(&server)
        .await;
    let port = server.address().port().to_string();
    let url = format!("http://127.0.0.1:{port}/health");
    let ran = probe(&[
        "-H",
        "Authorization: Bearer ${TOKEN}",
        "--expect-body",
        "$$${AMOUNT:-5}",
        "http://127.0.0.1:${PORT}/health",
    ])
    .env("PORT", &port)
    .env("TOKEN", "s3cret")
    .env("HEALTHPROBE_HEADER", "X-Ignored: because a flag wins")
    .expect(
        0,
        &format!(
            "healthy: GET {url}: 200 OK from {} in <elapsed>",
            peer(&server)
        ),
    );
    assert!(!ran.stdout.contains("s3cret"));
    probe(&[&url])
        .env(
            "HEALTHPROBE_HEADER",
            "Authorization: Bearer ${TOKEN}\nX-Env: ${STAGE:-prod}",
        )
        .env("TOKEN", "s3cret")
        .expect(
            0,
            &format!(
                "healthy: GET {url}: 200 OK from {} in <elapsed>",
                peer(&server)
            ),
        );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].headers.get("x-ignored").is_none());
    assert_eq!(
        requests[1].headers.get("x-env").map(|v| v.as_bytes()),
        Some(&b"prod"[..])
    );
}

#[tokio::test]
async fn quiet_silences_only_the_healthy_line() {
    let server = server_answering(200, "").await;
    let ran = probe(&["-q", &health(&server)]).run();
    assert!(
        ran.code == Some(0) && ran.stdout.is_empty() && ran.stderr.is_empty(),
        "{ran}"
    );
    let server = server_answering(503, "").await;
    probe(&[&health(&server)]).env("HEALTHPROBE_QUIET", "true").expect(
        1,
        &format!("unhealthy: GET {}: 503 Service Unavailable, expected 200-299, from {} in <elapsed>", health(&server), peer(&server)),
    );
}

#[tokio::test]
async fn proxy_variables_are_ignored() {
    let server = server_answering(200, "").await;
    let mut p = probe(&[&health(&server)]);
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        p = p.env(var, "http://127.0.0.1:1");
    }
    p.env("NO_PROXY", "").env("no_proxy", "").expect(
        0,
        &format!(
            "healthy: GET {}: 200 OK from {} in <elapsed>",
            health(&server),
            peer(&server)
        ),
    );
}
