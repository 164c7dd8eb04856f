//! grpc:// and grpcs:// against raw HTTP/2 servers on loopback that answer
//! with a script of frames: well-formed answers of every kind, and servers
//! that misbehave in one named way each. Real gRPC servers are in
//! grpc_interop.rs.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::*;

const DEADLINE: Duration = Duration::from_millis(500);

mod frame {
    pub const DATA: u8 = 0x0;
    pub const HEADERS: u8 = 0x1;
    pub const RST_STREAM: u8 = 0x3;
    pub const SETTINGS: u8 = 0x4;
    pub const PING: u8 = 0x6;
    pub const GOAWAY: u8 = 0x7;
    pub const CONTINUATION: u8 = 0x9;
    pub const END_STREAM: u8 = 0x1;
    pub const END_HEADERS: u8 = 0x4;
}
use frame::*;

fn framed(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let length = (payload.len() as u32).to_be_bytes();
    let mut out = length[1..].to_vec();
    out.extend([kind, flags]);
    out.extend(stream.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// A header block of literals without indexing (RFC 7541 section 6.2.2).
fn block(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    let string = |out: &mut Vec<u8>, s: &str| {
        assert!(s.len() < 127);
        out.push(s.len() as u8);
        out.extend_from_slice(s.as_bytes());
    };
    for (name, value) in fields {
        out.push(0);
        string(&mut out, name);
        string(&mut out, value);
    }
    out
}

fn settings() -> Vec<u8> {
    framed(SETTINGS, 0, 0, &[])
}

fn ok_headers() -> Vec<u8> {
    let fields = [(":status", "200"), ("content-type", "application/grpc")];
    framed(HEADERS, END_HEADERS, 1, &block(&fields))
}

fn message(status: u8) -> Vec<u8> {
    framed(DATA, 0, 1, &[0, 0, 0, 0, 2, 0x08, status])
}

fn trailers(fields: &[(&str, &str)]) -> Vec<u8> {
    framed(HEADERS, END_HEADERS | END_STREAM, 1, &block(fields))
}

pub fn answer(status: u8) -> Vec<u8> {
    [
        settings(),
        ok_headers(),
        message(status),
        trailers(&[("grpc-status", "0")]),
    ]
    .concat()
}

/// The request as the server saw it: its header fields and its DATA.
#[derive(Debug)]
pub struct Request {
    fields: Vec<(String, String)>,
    data: Vec<u8>,
}

/// Reads the client's preface and frames until DATA ends stream 1, within
/// 5 s and 100 frames.
fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut preface = [0u8; 24];
    stream.read_exact(&mut preface).ok()?;
    assert_eq!(&preface, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    let mut decoder = loona_hpack::Decoder::new();
    let mut request = Request {
        fields: Vec::new(),
        data: Vec::new(),
    };
    for _ in 0..100 {
        let mut head = [0u8; 9];
        stream.read_exact(&mut head).ok()?;
        let length = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
        let mut payload = vec![0u8; length];
        stream.read_exact(&mut payload).ok()?;
        match head[3] {
            HEADERS => {
                for (n, v) in decoder.decode(&payload).ok()? {
                    request
                        .fields
                        .push((String::from_utf8(n).ok()?, String::from_utf8(v).ok()?));
                }
            }
            DATA => {
                request.data.extend_from_slice(&payload);
                if head[4] & END_STREAM != 0 {
                    return Some(request);
                }
            }
            _ => {}
        }
    }
    None
}

/// A server that reads each request, sends it down the channel, writes
/// `script`, and keeps the connection open until the probe closes it.
pub fn scripted(script: Vec<u8>) -> (SocketAddr, mpsc::Receiver<Request>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for mut stream in listener.incoming().take(4).flatten() {
            let Some(request) = read_request(&mut stream) else {
                continue;
            };
            let _ = tx.send(request);
            let _ = stream.write_all(&script);
            hold_until_closed(&mut stream);
        }
    });
    (addr, rx)
}

fn hold_until_closed(stream: &mut TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut sink = [0u8; 1024];
    while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
}

/// A server that reads the request, then runs `behaviour` on the stream.
fn behaving(behaviour: fn(&mut TcpStream)) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for mut stream in listener.incoming().take(4).flatten() {
            thread::spawn(move || {
                if read_request(&mut stream).is_some() {
                    behaviour(&mut stream);
                }
            });
        }
    });
    addr
}

fn target(addr: SocketAddr) -> String {
    format!("grpc://{addr}")
}

fn check_line(addr: SocketAddr, service: &str) -> String {
    format!("gRPC Check {service:?} at grpc://{addr}")
}

#[test]
fn serving_is_healthy_and_the_request_is_a_health_check() {
    let (addr, requests) = scripted(answer(1));
    probe(&["-t", "3s", &target(addr)]).expect(
        0,
        &format!(
            "healthy: {}: SERVING from {addr} in <elapsed>",
            check_line(addr, "")
        ),
    );
    let request = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    let field = |name: &str| {
        request
            .fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(field(":method").as_deref(), Some("POST"));
    assert_eq!(field(":scheme").as_deref(), Some("http"));
    assert_eq!(
        field(":path").as_deref(),
        Some("/grpc.health.v1.Health/Check")
    );
    assert_eq!(field(":authority"), Some(addr.to_string()));
    assert_eq!(field("content-type").as_deref(), Some("application/grpc"));
    assert_eq!(field("te").as_deref(), Some("trailers"));
    assert_eq!(
        field("user-agent"),
        Some(format!("healthprobe/{}", env!("CARGO_PKG_VERSION")))
    );
    // The time left in milliseconds: under 3 s, and not much under.
    let timeout = field("grpc-timeout").unwrap();
    let millis: u64 = timeout.strip_suffix('m').unwrap().parse().unwrap();
    assert!((2500..=3000).contains(&millis), "{timeout}");
    assert_eq!(request.data, [0, 0, 0, 0, 0]);
}

#[test]
fn the_service_and_metadata_are_sent_and_user_agent_replaces_ours() {
    let (addr, requests) = scripted(answer(1));
    probe(&[
        "--grpc-service",
        "${SVC}",
        "-H",
        "Authorization: Bearer ${TOKEN}",
        "-H",
        "User-Agent: kube-probe/1.31",
        &target(addr),
    ])
    .env("SVC", "orders.v1.Orders")
    .env("TOKEN", "s3cret")
    .expect(
        0,
        &format!(
            "healthy: {}: SERVING from {addr} in <elapsed>",
            check_line(addr, "orders.v1.Orders")
        ),
    );
    let request = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    let names: Vec<&str> = request.fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            ":method",
            ":scheme",
            ":path",
            ":authority",
            "content-type",
            "te",
            "grpc-timeout",
            "user-agent",
            "authorization"
        ]
    );
    assert!(
        request
            .fields
            .contains(&("authorization".into(), "Bearer s3cret".into()))
    );
    assert!(
        request
            .fields
            .contains(&("user-agent".into(), "kube-probe/1.31".into()))
    );
    let mut want = vec![0, 0, 0, 0, 18, 0x0a, 16];
    want.extend_from_slice(b"orders.v1.Orders");
    assert_eq!(request.data, want);
}

#[test]
fn the_service_can_come_from_the_environment() {
    let (addr, requests) = scripted(answer(1));
    probe(&[&target(addr)])
        .env("HEALTHPROBE_GRPC_SERVICE", "billing")
        .expect(
            0,
            &format!(
                "healthy: {}: SERVING from {addr} in <elapsed>",
                check_line(addr, "billing")
            ),
        );
    let request = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(&request.data[7..], b"billing");
}

#[test]
fn every_other_serving_status_is_unhealthy_and_named() {
    for (status, said) in [
        (2, "NOT_SERVING"),
        (0, "UNKNOWN"),
        (3, "SERVICE_UNKNOWN"),
        (9, "status 9, which is not SERVING,"),
    ] {
        let (addr, _requests) = scripted(answer(status));
        probe(&[&target(addr)]).expect(
            1,
            &format!(
                "unhealthy: {}: {said} from {addr} in <elapsed>",
                check_line(addr, "")
            ),
        );
    }
}

#[test]
fn grpc_statuses_are_named_with_their_message_and_a_hint() {
    let error = |code: &str, message: &str| {
        let mut fields = vec![
            (":status", "200"),
            ("content-type", "application/grpc"),
            ("grpc-status", code),
        ];
        if !message.is_empty() {
            fields.push(("grpc-message", message));
        }
        [
            settings(),
            framed(HEADERS, END_HEADERS | END_STREAM, 1, &block(&fields)),
        ]
        .concat()
    };
    for (script, service, said) in [
        (
            error("12", "unknown%20service grpc.health.v1.Health"),
            "",
            "grpc-status 12 UNIMPLEMENTED \"unknown service grpc.health.v1.Health\": the server has no health service",
        ),
        (
            error("5", "unknown service"),
            "nope.v1.Nope",
            "grpc-status 5 NOT_FOUND \"unknown service\": the service \"nope.v1.Nope\" is unknown to the server",
        ),
        (
            error("16", "missing token"),
            "",
            "grpc-status 16 UNAUTHENTICATED \"missing token\" (see --header)",
        ),
        (
            error("7", ""),
            "",
            "grpc-status 7 PERMISSION_DENIED (see --header)",
        ),
        (
            error("14", "%1b[31mred%0a"),
            "",
            "grpc-status 14 UNAVAILABLE \"\\x1b[31mred\\n\"",
        ),
        (error("99", ""), "", "grpc-status 99"),
    ] {
        let (addr, _requests) = scripted(script);
        probe(&["--grpc-service", service, &target(addr)]).expect(
            1,
            &format!(
                "unhealthy: {}: {said}, from {addr} in <elapsed>",
                check_line(addr, service)
            ),
        );
    }
}

#[test]
fn a_serving_message_followed_by_an_error_status_is_unhealthy() {
    let script = [
        settings(),
        ok_headers(),
        message(1),
        trailers(&[("grpc-status", "13"), ("grpc-message", "boom")]),
    ]
    .concat();
    let (addr, _requests) = scripted(script);
    probe(&[&target(addr)]).expect(
        1,
        &format!(
            "unhealthy: {}: grpc-status 13 INTERNAL \"boom\", from {addr} in <elapsed>",
            check_line(addr, "")
        ),
    );
}

#[test]
fn trailers_only_with_status_zero_and_no_message_is_unhealthy() {
    let fields = [
        (":status", "200"),
        ("content-type", "application/grpc"),
        ("grpc-status", "0"),
    ];
    let script = [
        settings(),
        framed(HEADERS, END_HEADERS | END_STREAM, 1, &block(&fields)),
    ]
    .concat();
    let (addr, _requests) = scripted(script);
    probe(&[&target(addr)]).expect(
        1,
        &format!(
            "unhealthy: {}: grpc-status 0 but no response message, from {addr} in <elapsed>",
            check_line(addr, "")
        ),
    );
}

#[test]
fn answers_that_are_not_grpc_are_named() {
    let not_found = framed(
        HEADERS,
        END_HEADERS | END_STREAM,
        1,
        &block(&[(":status", "404")]),
    );
    let html = framed(
        HEADERS,
        END_HEADERS,
        1,
        &block(&[(":status", "200"), ("content-type", "text/html")]),
    );
    let two = [message(1), message(1)].concat();
    for (script, said) in [
        (
            vec![settings(), not_found],
            "HTTP status 404 Not Found, not 200: not a gRPC server".to_owned(),
        ),
        (
            vec![settings(), html, trailers(&[("grpc-status", "0")])],
            "the content-type is \"text/html\", not application/grpc: not a gRPC server".to_owned(),
        ),
        (
            vec![
                settings(),
                ok_headers(),
                two,
                trailers(&[("grpc-status", "0")]),
            ],
            "2 response messages to a unary call, expected one".to_owned(),
        ),
        (
            vec![
                settings(),
                ok_headers(),
                framed(DATA, 0, 1, &[0, 0, 0, 0, 1, 0x0b]),
                trailers(&[("grpc-status", "0")]),
            ],
            "the response message is not a HealthCheckResponse: a field of wire type 3".to_owned(),
        ),
        (
            vec![
                settings(),
                ok_headers(),
                message(1),
                framed(DATA, END_STREAM, 1, &[]),
            ],
            "the call ended without a grpc-status".to_owned(),
        ),
    ] {
        let (addr, _requests) = scripted(script.concat());
        probe(&[&target(addr)]).expect(
            1,
            &format!(
                "unhealthy: {}: {said}, from {addr} in <elapsed>",
                check_line(addr, "")
            ),
        );
    }
}

fn http1_server(stream: &mut TcpStream) {
    let _ = stream
        .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
}

#[test]
fn an_http1_server_is_not_an_http2_endpoint() {
    let addr = serve(1, |mut stream| {
        // An HTTP/1.1 server answers the preface's request line at once.
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut line = [0u8; 16];
        let _ = stream.read(&mut line);
        http1_server(&mut stream);
    });
    probe(&[&target(addr)]).expect(
        1,
        &format!(
            "unhealthy: {}: {addr} answered in HTTP/1.x: not an HTTP/2 (gRPC) endpoint; it begins \"HTTP/1.1 400 Bad Request\\r\\ncontent-length: 0\\r\\nconnection: clo\"... in <elapsed>",
            check_line(addr, "")
        ),
    );
}

fn silent(stream: &mut TcpStream) {
    hold_until_closed(stream);
}

fn settings_then_silent(stream: &mut TcpStream) {
    let _ = stream.write_all(&settings());
    hold_until_closed(stream);
}

fn headers_then_silent(stream: &mut TcpStream) {
    let _ = stream.write_all(&[settings(), ok_headers()].concat());
    hold_until_closed(stream);
}

fn message_then_silent(stream: &mut TcpStream) {
    let _ = stream.write_all(&[settings(), ok_headers(), message(1)].concat());
    hold_until_closed(stream);
}

/// A header block in CONTINUATION frames of one byte, 50 ms apart, forever
/// (for at most 5 s).
fn drips_header_block_one_frame_at_a_time(stream: &mut TcpStream) {
    let _ = stream.write_all(&[settings(), framed(HEADERS, 0, 1, &[])].concat());
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        if stream
            .write_all(&framed(CONTINUATION, 0, 1, &[0x88]))
            .is_err()
        {
            return;
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// The message one byte per 50 ms.
fn drips_the_message(stream: &mut TcpStream) {
    let _ = stream.write_all(&[settings(), ok_headers()].concat());
    for b in [0u8, 0, 0, 0, 2, 8, 1] {
        if stream.write_all(&framed(DATA, 0, 1, &[b])).is_err() {
            return;
        }
        thread::sleep(Duration::from_millis(200));
    }
    hold_until_closed(stream);
}

#[test]
fn silent_servers_time_out_at_the_deadline_naming_the_stage() {
    for (behaviour, stage) in [
        (
            silent as fn(&mut TcpStream),
            "waiting for the server's HTTP/2 SETTINGS",
        ),
        (settings_then_silent, "waiting for the response headers"),
        (
            drips_header_block_one_frame_at_a_time,
            "waiting for the response headers",
        ),
        (headers_then_silent, "reading the response message"),
        (drips_the_message, "reading the response message"),
        (message_then_silent, "waiting for the trailers"),
    ] {
        let addr = behaving(behaviour);
        let ran = probe(&["-t", "500ms", &target(addr)]).expect(
            1,
            &format!(
                "unhealthy: {}: timed out {stage} from {addr} (--timeout 500ms) in <elapsed>",
                check_line(addr, "")
            ),
        );
        ran.ended_at_deadline(DEADLINE);
    }
}

/// Sends `chunk` for at most 5 s, until the probe leaves.
fn flooding(stream: &mut TcpStream, start: &[u8], chunk: &[u8]) {
    let _ = stream.write_all(start);
    flood(stream, chunk, Duration::from_secs(5));
}

fn continuation_flood(stream: &mut TcpStream) {
    flooding(
        stream,
        &[settings(), framed(HEADERS, 0, 1, &[])].concat(),
        &framed(CONTINUATION, 0, 1, &[]),
    );
}

fn header_list_over_16_kib(stream: &mut TcpStream) {
    let start = [settings(), framed(HEADERS, 0, 1, &[0x88; 8192])].concat();
    flooding(stream, &start, &framed(CONTINUATION, 0, 1, &[0x88; 8192]));
}

fn data_flood(stream: &mut TcpStream) {
    flooding(
        stream,
        &[settings(), ok_headers()].concat(),
        &framed(DATA, 0, 1, &[0; 1024]),
    );
}

fn ping_flood(stream: &mut TcpStream) {
    flooding(stream, &settings(), &framed(PING, 0, 0, b"pingpong"));
}

fn frame_over_the_maximum(stream: &mut TcpStream) {
    let mut head = framed(DATA, 0, 1, &[]);
    head[..3].copy_from_slice(&[0, 0x40, 0x01]);
    flooding(
        stream,
        &[settings(), ok_headers(), head].concat(),
        &[0; 1024],
    );
}

fn out_of_range_index(stream: &mut TcpStream) {
    let _ =
        stream.write_all(&[settings(), framed(HEADERS, END_HEADERS, 1, &[0xfe, 0x01])].concat());
    hold_until_closed(stream);
}

fn bad_huffman(stream: &mut TcpStream) {
    // A literal whose value is Huffman-coded as all ones: an EOS symbol.
    let fields = [0x00, 0x01, b'x', 0x84, 0xff, 0xff, 0xff, 0xff];
    let _ = stream.write_all(&[settings(), framed(HEADERS, END_HEADERS, 1, &fields)].concat());
    hold_until_closed(stream);
}

fn goaway_before_the_response(stream: &mut TcpStream) {
    let mut payload = vec![0, 0, 0, 0, 0, 0, 0, 0x0b];
    payload.extend_from_slice(b"too_many_pings");
    let _ = stream.write_all(&[settings(), framed(GOAWAY, 0, 0, &payload)].concat());
    hold_until_closed(stream);
}

fn reset_stream(stream: &mut TcpStream) {
    let _ = stream.write_all(&[settings(), framed(RST_STREAM, 0, 1, &[0, 0, 0, 7])].concat());
    hold_until_closed(stream);
}

fn closes_after_settings(stream: &mut TcpStream) {
    let _ = stream.write_all(&settings());
    // Read the acknowledgement first: closing with unread bytes would
    // reset the connection rather than close it.
    let mut ack = [0u8; 9];
    let _ = stream.read_exact(&mut ack);
}

#[test]
fn hostile_servers_are_unhealthy_at_once_and_never_crash_the_probe() {
    for (behaviour, said) in [
        (
            continuation_flood as fn(&mut TcpStream),
            "HTTP/2 protocol error from {addr}: more than 1000 frames without ending the call",
        ),
        (
            header_list_over_16_kib,
            "HTTP/2 protocol error from {addr}: a header block over 16 KiB",
        ),
        (
            data_flood,
            "HTTP/2 protocol error from {addr}: more than 16384 bytes of response messages",
        ),
        (
            ping_flood,
            "HTTP/2 protocol error from {addr}: more than 100 PINGs for one call",
        ),
        (
            frame_over_the_maximum,
            "HTTP/2 protocol error from {addr}: a DATA frame of 16385 bytes, over the 16384 allowed",
        ),
        (
            out_of_range_index,
            "HTTP/2 protocol error from {addr}: a malformed header block (an index out of range)",
        ),
        (
            bad_huffman,
            "HTTP/2 protocol error from {addr}: a malformed header block (bad Huffman coding)",
        ),
        (
            goaway_before_the_response,
            "{addr} sent GOAWAY (ENHANCE_YOUR_CALM) before answering: \"too_many_pings\"",
        ),
        (
            reset_stream,
            "{addr} reset the call (RST_STREAM REFUSED_STREAM)",
        ),
        (
            closes_after_settings,
            "connection closed while waiting for the response headers from {addr} (9 bytes received)",
        ),
    ] {
        let addr = behaving(behaviour);
        let said = said.replace("{addr}", &addr.to_string());
        let ran = probe(&["-t", "2s", &target(addr)]).expect(
            1,
            &format!("unhealthy: {}: {said} in <elapsed>", check_line(addr, "")),
        );
        ran.ended_within(Duration::from_secs(1));
    }
}

#[test]
fn refused_and_unresolvable_targets_fail_as_for_every_kind() {
    let addr = closed_port();
    probe(&[&target(addr)]).expect(
        1,
        &format!(
            "unhealthy: {}: connection refused at {addr} in <elapsed>",
            check_line(addr, "")
        ),
    );
}

#[test]
fn a_connect_timeout_is_named() {
    let (listener, _held) = full_backlog();
    let addr = listener.local_addr().unwrap();
    let ran = probe(&["--connect-timeout", "300ms", &target(addr)]).expect(
        1,
        &format!(
            "unhealthy: {}: timed out connecting to {addr} (--connect-timeout 300ms) in <elapsed>",
            check_line(addr, "")
        ),
    );
    ran.ended_at_deadline(Duration::from_millis(300));
}

#[test]
fn a_unix_socket_server_keeps_the_urls_authority() {
    let dir = TempDir::new();
    let path = dir.path().join("grpc.sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        if let Some(Ok(mut stream)) = listener.incoming().next() {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = vec![0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let _ = tx.send(buf[..n].to_vec());
            let _ = stream.write_all(&answer(1));
            let mut sink = [0u8; 64];
            while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
        }
    });
    let socket = path.to_str().unwrap();
    probe(&["--unix-socket", socket, "grpc://localhost:50051"]).expect(
        0,
        &format!(
            "healthy: gRPC Check \"\" at grpc://localhost:50051: SERVING from {socket} in <elapsed>"
        ),
    );
    let sent = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(
        sent.windows(15).any(|w| w == b"localhost:50051"),
        "{sent:?}"
    );
}

#[test]
fn grpc_usage_errors_are_exit_64() {
    for (args, line) in [
        (
            &["grpc://127.0.0.1:50051/grpc.health.v1.Health"][..],
            "healthprobe: invalid URL: grpc:// takes only a host and a port, not \"/grpc.health.v1.Health\": name the service to check with --grpc-service",
        ),
        (
            &["--expect-status", "200", "grpc://127.0.0.1:1"],
            "healthprobe: --expect-status does not apply to grpc:// targets: a gRPC health check is judged by its SERVING status",
        ),
        (
            &["-X", "HEAD", "grpc://127.0.0.1:1"],
            "healthprobe: --method does not apply to grpc:// targets: a gRPC health check is judged by its SERVING status",
        ),
        (
            &["--follow-redirects", "grpc://127.0.0.1:1"],
            "healthprobe: --follow-redirects does not apply to grpc:// targets: a gRPC health check is judged by its SERVING status",
        ),
        (
            &["-H", "grpc-timeout: 1S", "grpc://127.0.0.1:1"],
            "healthprobe: invalid --header \"grpc-timeout\": gRPC reserves this name, and healthprobe sets what the call needs",
        ),
        (
            &["--grpc-service", "x", "tcp://127.0.0.1:1"],
            "healthprobe: --grpc-service applies only to grpc:// and grpcs:// targets, and none is given",
        ),
    ] {
        probe(args).expect(64, line);
    }
}

// grpcs:// against a rustls server: ALPN decides HTTP/2.

fn grpcs_server(alpn: &[&[u8]]) -> (SocketAddr, String) {
    let ca = crate::support::tls::ca("grpc test CA");
    let leaf = crate::support::tls::server_leaf(&ca, crate::support::tls::Validity::Current);
    let mut config = Arc::unwrap_or_clone(crate::support::tls::server_config(&leaf, None));
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().take(2).flatten() {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let Ok(conn) = rustls::ServerConnection::new(Arc::clone(&config)) else {
                continue;
            };
            let mut tls = rustls::StreamOwned::new(conn, stream);
            let mut buf = [0u8; 4096];
            if !matches!(tls.read(&mut buf), Ok(n) if n > 0) {
                continue;
            }
            let _ = tls.write_all(&answer(1));
            let _ = tls.flush();
            let mut sink = [0u8; 64];
            while matches!(tls.read(&mut sink), Ok(n) if n > 0) {}
        }
    });
    (addr, ca.pem)
}

#[test]
fn grpcs_is_healthy_when_the_server_agrees_to_h2() {
    let dir = TempDir::new();
    let (addr, ca) = grpcs_server(&[b"h2"]);
    let ca = dir.write("ca.pem", &ca);
    let url = format!("grpcs://localhost:{}", addr.port());
    probe(&["--cacert", &ca, &url]).expect(
        0,
        &format!(
            "healthy: gRPC Check \"\" at {url}: SERVING from 127.0.0.1:{} in <elapsed>",
            addr.port()
        ),
    );
}

#[test]
fn grpcs_without_h2_by_alpn_is_named() {
    let (addr, _ca) = grpcs_server(&[]);
    let url = format!("grpcs://localhost:{}", addr.port());
    probe(&["-k", &url]).expect(
        1,
        &format!(
            "unhealthy: gRPC Check \"\" at {url} (certificate not verified): 127.0.0.1:{} did not agree to HTTP/2 in the TLS handshake (ALPN h2): it chose no protocol in <elapsed>",
            addr.port()
        ),
    );
    let (addr, _ca) = grpcs_server(&[b"http/1.1"]);
    let url = format!("grpcs://localhost:{}", addr.port());
    probe(&["-k", &url]).expect(
        1,
        &format!(
            "unhealthy: gRPC Check \"\" at {url} (certificate not verified): 127.0.0.1:{} did not agree to HTTP/2 in the TLS handshake (ALPN h2): it chose no protocol in <elapsed>",
            addr.port()
        ),
    );
}

#[test]
fn grpcs_verifies_the_certificate_as_https_does() {
    let (addr, _ca) = grpcs_server(&[b"h2"]);
    let dir = TempDir::new();
    let other = dir.write("other.pem", &crate::support::tls::ca("another CA").pem);
    let url = format!("grpcs://localhost:{}", addr.port());
    probe(&["--cacert", &other, &url]).expect(
        1,
        &format!(
            "unhealthy: gRPC Check \"\" at {url}: the certificate of 127.0.0.1:{} is not signed by a trusted CA (trusting --cacert {other}; see --cacert) in <elapsed>",
            addr.port()
        ),
    );
}

// Under the name grpc_health_probe, grpc-health-probe's flags.

/// A symlink named grpc_health_probe to the binary under test.
fn as_grpc_health_probe(dir: &TempDir) -> Vec<String> {
    let link = dir.path().join("grpc_health_probe");
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("healthprobe"), &link).unwrap();
    vec![link.to_str().unwrap().to_owned()]
}

#[test]
fn as_grpc_health_probe_its_flags_from_its_readme_work() {
    let dir = TempDir::new();
    let runner = as_grpc_health_probe(&dir);
    let (addr, requests) = scripted(answer(1));
    let port = addr.port();
    let local = format!("grpc://localhost:{port}");
    for (args, service) in [
        (vec![format!("-addr=localhost:{port}")], ""),
        (vec![format!("-addr=:{port}"), "-service=foo".into()], "foo"),
        (
            vec![
                "-addr".into(),
                format!("localhost:{port}"),
                "-service".into(),
                "foo".into(),
            ],
            "foo",
        ),
        (
            vec![
                format!("-addr=localhost:{port}"),
                "-connect-timeout".into(),
                "250ms".into(),
                "-rpc-timeout=100ms".into(),
            ],
            "",
        ),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        probe_with(&runner, &args).expect(
            0,
            &format!(
                "healthy: gRPC Check {service:?} at {local}: SERVING from {addr} in <elapsed>"
            ),
        );
        requests.recv_timeout(Duration::from_secs(5)).unwrap();
    }
    let (addr, requests) = scripted(answer(2));
    let header = "-rpc-header=Authorization: Bearer x";
    probe_with(
        &runner,
        &[
            &format!("-addr=127.0.0.1:{}", addr.port()),
            header,
            "-user-agent=probe/1",
        ],
    )
    .expect(
        1,
        &format!(
            "unhealthy: gRPC Check \"\" at grpc://{addr}: NOT_SERVING from {addr} in <elapsed>"
        ),
    );
    let request = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(
        request
            .fields
            .contains(&("authorization".into(), "Bearer x".into())),
        "{request:?}"
    );
    assert!(
        request
            .fields
            .contains(&("user-agent".into(), "probe/1".into())),
        "{request:?}"
    );
    let timeout = &request
        .fields
        .iter()
        .find(|(n, _)| n == "grpc-timeout")
        .unwrap()
        .1;
    let millis: u64 = timeout.trim_end_matches('m').parse().unwrap();
    assert!((1500..=2000).contains(&millis), "{timeout}");
}

#[test]
fn as_grpc_health_probe_tls_flags_map_to_ours() {
    let dir = TempDir::new();
    let runner = as_grpc_health_probe(&dir);
    let (addr, ca) = grpcs_server(&[b"h2"]);
    let ca = dir.write("ca.pem", &ca);
    let port = addr.port();
    probe_with(
        &runner,
        &[
            &format!("-addr=localhost:{port}"),
            "-tls",
            &format!("-tls-ca-cert={ca}"),
        ],
    )
    .expect(
        0,
        &format!(
            "healthy: gRPC Check \"\" at grpcs://localhost:{port}: SERVING from {addr} in <elapsed>"
        ),
    );
    probe_with(&runner, &[&format!("-addr=localhost:{port}"), "-tls", "-tls-no-verify"]).expect(
        0,
        &format!("healthy: gRPC Check \"\" at grpcs://localhost:{port} (certificate not verified): SERVING from {addr} in <elapsed>"),
    );
}

#[test]
fn as_grpc_health_probe_bad_flags_are_exit_64_not_2() {
    let dir = TempDir::new();
    let runner = as_grpc_health_probe(&dir);
    for args in [
        &["-service=foo"][..],
        &["-addr=localhost:5000", "-spiffe"],
        &["-addr=localhost:5000", "-tls-ca-cert=ca.pem"],
        &["-addr=localhost:5000", "-bogus"],
        &["-addr=localhost:5000", "-rpc-timeout=0s"],
    ] {
        let ran = probe_with(&runner, args).run();
        assert_eq!(ran.code, Some(64), "{ran}");
        assert!(
            ran.stdout.is_empty() && ran.stderr.lines().count() == 1,
            "{ran}"
        );
        assert!(ran.stderr.starts_with("healthprobe: "), "{ran}");
    }
}
