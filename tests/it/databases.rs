//! `postgres://` and `redis://` against raw servers on loopback, each
//! misbehaving in one named way, and the URLs' passwords, which never reach
//! any output. The real servers are in `tests/system/real_databases.rs`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

use crate::support::servers::*;
use crate::support::*;

const DEADLINE: Duration = Duration::from_millis(500);

/// A misbehaving server, and the words of the line it earns.
type Case = (fn(TcpStream), &'static str);

fn pg(addr: SocketAddr) -> String {
    format!("postgres://{addr}")
}

fn redis(addr: SocketAddr) -> String {
    format!("redis://{addr}")
}

/// Probes `url` with the test deadline, expecting `code` and `line` by it.
/// A count of bytes received written `N` stands for any: how much of a drip
/// arrives by the deadline depends on the scheduler.
fn check(url: &str, code: i32, line: &str) {
    let probe = probe(&["--timeout", "500ms", url]);
    let ran = match line.contains("N bytes received") {
        false => probe.expect(code, line),
        true => {
            let ran = probe.run();
            let out = ran.stderr.trim_end();
            let (head, tail) = out.split_once(" bytes received").unwrap_or((out, ""));
            let head = head.trim_end_matches(|c: char| c.is_ascii_digit());
            let got = placeholder(&format!("{head}N bytes received{tail}"));
            assert_eq!((ran.code, got.as_str()), (Some(code), line), "{ran}");
            ran
        }
    };
    ran.ended_within(DEADLINE + DEADLINE_SLACK);
}

/// A server for one connection that reads the probe's request, answers
/// `answer`, and hands the request to the test.
fn answering_once(answer: Vec<u8>) -> (SocketAddr, std::sync::mpsc::Receiver<Vec<u8>>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let request = read_request(&mut stream);
        let _ = stream.write_all(&answer);
        let _ = tx.send(request);
    });
    (addr, rx)
}

/// Probes each misbehaving server of `cases` at `url(addr)`, expecting
/// exit 1 and `unhealthy: WHAT{addr}AFTER: WORDS` by the deadline.
fn check_cases(url: fn(SocketAddr) -> String, what: &str, after: &str, cases: &[Case]) {
    check_cases_over(1, url, what, after, cases);
}

/// [`check_cases`], for a probe that may open `connections` connections.
fn check_cases_over(
    connections: usize,
    url: fn(SocketAddr) -> String,
    what: &str,
    after: &str,
    cases: &[Case],
) {
    for &(behaviour, words) in cases {
        let addr = serve(connections, behaviour);
        let words = words.replace("{addr}", &addr.to_string());
        check(
            &url(addr),
            1,
            &format!("unhealthy: {what}{addr}{after}: {words} in <elapsed>"),
        );
    }
}

// PostgreSQL.

fn pg_starting_up(stream: TcpStream) {
    let mut error =
        b"E\0\0\0\0SFATAL\0VFATAL\0C57P03\0Mthe database system is starting up\0\0".to_vec();
    let length = (error.len() as u32 - 1).to_be_bytes();
    error[1..5].copy_from_slice(&length);
    answers(stream, &error);
}

fn pg_no_such_role(stream: TcpStream) {
    let mut error = b"E\0\0\0\0SFATAL\0C28000\0Mrole \"x\" does not exist\0\0".to_vec();
    let length = (error.len() as u32 - 1).to_be_bytes();
    error[1..5].copy_from_slice(&length);
    answers(stream, &error);
}

fn pg_length_of_2_31(stream: TcpStream) {
    answers(stream, b"E\x80\0\0\0SFATAL\0");
}

fn pg_right_first_bytes_then_close(mut stream: TcpStream) {
    read_request(&mut stream);
    let _ = stream.write_all(b"R\0\0\0\x0c\0\0");
}

fn silent_after_accept(stream: TcpStream) {
    thread::sleep(Duration::from_secs(2));
    drop(stream);
}

fn drips_one_byte_per_100ms(mut stream: TcpStream) {
    read_request(&mut stream);
    drip(
        &mut stream,
        b"R\0\0\0\x0c\0\0\0\x05salt",
        Duration::from_millis(100),
    );
}

fn sends_garbage(stream: TcpStream) {
    answers(stream, b"\x16\x03\x01 not a database\r\n");
}

fn endless_stream(mut stream: TcpStream) {
    read_request(&mut stream);
    flood(&mut stream, &[b'+'; 4096], Duration::from_secs(2));
}

#[test]
fn postgres_asking_for_a_password_accepts_connections() {
    let addr = serve(1, pg_asks_for_md5);
    check(
        &pg(addr),
        0,
        &format!(
            "healthy: PostgreSQL postgres://{addr} as postgres: accepting connections (it asks for an MD5 password) from {addr} in <elapsed>"
        ),
    );
}

#[test]
fn postgres_refusing_the_login_for_another_reason_accepts_connections() {
    let addr = serve(1, pg_no_such_role);
    check(
        &pg(addr),
        0,
        &format!(
            "healthy: PostgreSQL postgres://{addr} as postgres: accepting connections (it refused this login: 28000 \"role \\\"x\\\" does not exist\") from {addr} in <elapsed>"
        ),
    );
}

#[test]
fn postgres_starting_up_is_unhealthy_with_its_message() {
    let addr = serve(1, pg_starting_up);
    check(
        &pg(addr),
        1,
        &format!(
            "unhealthy: PostgreSQL postgres://{addr} as postgres: rejecting connections (57P03 \"the database system is starting up\"), from {addr} in <elapsed>"
        ),
    );
}

#[test]
fn postgres_misbehaving_servers_are_unhealthy_by_the_deadline() {
    let cases: &[Case] = &[
        (
            silent_after_accept,
            "timed out waiting for the reply from {addr} (--timeout 500ms, 0 bytes received)",
        ),
        (
            drips_one_byte_per_100ms,
            "timed out waiting for the reply from {addr} (--timeout 500ms, N bytes received)",
        ),
        (
            sends_garbage,
            "the answer from {addr} is not PostgreSQL's: it begins \"\\x16\\x03\\x01 not a database\\r\\n\"",
        ),
        (
            pg_length_of_2_31,
            "PostgreSQL protocol error from {addr}: a message of 2147483648 bytes, more than the 8192 healthprobe reads",
        ),
        (
            endless_stream,
            "the answer from {addr} is not PostgreSQL's: it begins \"++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++\"...",
        ),
        (
            pg_right_first_bytes_then_close,
            "connection closed while reading the reply from {addr} (7 bytes received)",
        ),
        (
            pg_starting_up,
            "rejecting connections (57P03 \"the database system is starting up\"), from {addr}",
        ),
    ];
    check_cases(pg, "PostgreSQL postgres://", " as postgres", cases);
}

#[test]
fn postgres_sends_the_user_and_database_and_never_the_password() {
    let (addr, rx) = answering_once(b"R\0\0\0\x08\0\0\0\x0a".to_vec());
    let url = format!("postgresql://app:s3cr%40t@{addr}/orders?sslmode=require");
    let ran = probe(&[&url]).expect(
        0,
        &format!("healthy: PostgreSQL postgresql://{addr}/orders?... as app: accepting connections (it asks for SASL (SCRAM)) from {addr} in <elapsed>"),
    );
    let request = rx.recv_timeout(Duration::from_secs(2)).unwrap();
    assert!(
        request.ends_with(b"user\0app\0database\0orders\0application_name\0healthprobe\0\0"),
        "{request:?}"
    );
    for text in [&ran.stdout, &ran.stderr] {
        assert!(!text.contains("s3cr"), "{ran}");
    }
    let request = String::from_utf8_lossy(&request);
    assert!(
        !request.contains("s3cr"),
        "the password was sent: {request:?}"
    );
}

#[test]
fn postgres_after_a_trusted_login_says_terminate() {
    let (tx, rx) = std::sync::mpsc::channel();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        read_request(&mut stream);
        // AuthenticationOk, then ReadyForQuery.
        let _ = stream.write_all(b"R\0\0\0\x08\0\0\0\0Z\0\0\0\x05I");
        let goodbye = read_request(&mut stream);
        drop(stream);
        let _ = tx.send(goodbye);
    });
    probe(&[&pg(addr)]).expect(
        0,
        &format!("healthy: PostgreSQL postgres://{addr} as postgres: accepting connections (trusted) from {addr} in <elapsed>"),
    );
    let goodbye = rx.recv_timeout(Duration::from_secs(2)).unwrap();
    assert_eq!(goodbye, b"X\0\0\0\x04");
}

// Redis.

fn redis_loading(stream: TcpStream) {
    answers(
        stream,
        b"-LOADING Redis is loading the dataset in memory\r\n",
    );
}

fn redis_busy(stream: TcpStream) {
    answers(stream, b"-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSCRIPT.\r\n");
}

fn redis_noauth(stream: TcpStream) {
    answers(stream, b"-NOAUTH Authentication required.\r\n");
}

fn redis_right_first_bytes_then_close(mut stream: TcpStream) {
    read_request(&mut stream);
    let _ = stream.write_all(b"+PON");
}

fn redis_drips(mut stream: TcpStream) {
    read_request(&mut stream);
    drip(
        &mut stream,
        b"+PONG PONG PONG\r\n",
        Duration::from_millis(100),
    );
}

#[test]
fn redis_answering_pong_is_healthy() {
    let addr = serve(1, redis_pong);
    check(
        &redis(addr),
        0,
        &format!("healthy: Redis PING redis://{addr}: PONG from {addr} in <elapsed>"),
    );
}

#[test]
fn redis_demanding_a_login_without_a_password_given_is_up() {
    let addr = serve(1, redis_noauth);
    check(
        &redis(addr),
        0,
        &format!(
            "healthy: Redis PING redis://{addr}: up, and it requires authentication (NOAUTH), from {addr} in <elapsed>"
        ),
    );
}

#[test]
fn redis_misbehaving_servers_are_unhealthy_by_the_deadline() {
    let cases: &[Case] = &[
        (
            redis_loading,
            "PING answered \"LOADING Redis is loading the dataset in memory\", from {addr}",
        ),
        (
            redis_busy,
            "PING answered \"BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSCRIPT.\", from {addr}",
        ),
        (
            silent_after_accept,
            "timed out waiting for the reply from {addr} (--timeout 500ms, 0 bytes received)",
        ),
        (
            redis_drips,
            "timed out waiting for the reply from {addr} (--timeout 500ms, N bytes received)",
        ),
        (
            sends_garbage,
            "the answer from {addr} is not Redis's: it begins \"\\x16\\x03\\x01 not a database\\r\\n\"",
        ),
        (
            endless_stream,
            "Redis protocol error from {addr}: a reply longer than the 4096 bytes healthprobe reads",
        ),
        (
            redis_right_first_bytes_then_close,
            "connection closed while reading the reply from {addr} (4 bytes received)",
        ),
        (
            pg_asks_for_md5,
            "the answer from {addr} is not Redis's: it begins \"R\\x00\\x00\\x00\\x0c\\x00\\x00\\x00\\x05salt\"",
        ),
    ];
    check_cases(redis, "Redis PING redis://", "", cases);
}

#[test]
fn redis_logs_in_first_with_the_password_and_never_shows_it() {
    let (tx, rx) = std::sync::mpsc::channel();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for answer in [&b"+OK\r\n+PONG\r\n"[..], b"-WRONGPASS invalid username-password pair or user is disabled.\r\n-NOAUTH Authentication required.\r\n"] {
            let (mut stream, _) = listener.accept().unwrap();
            let request = read_request(&mut stream);
            let _ = stream.write_all(answer);
            let _ = tx.send(request);
        }
    });
    let ran = probe(&[&format!("redis://worker:pa%3Ass@{addr}/2")]).expect(
        0,
        &format!("healthy: Redis PING redis://{addr}/2 as worker: PONG from {addr} in <elapsed>"),
    );
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(2)).unwrap(),
        b"*3\r\n$4\r\nAUTH\r\n$6\r\nworker\r\n$5\r\npa:ss\r\n*1\r\n$4\r\nPING\r\n"
    );
    assert!(
        !ran.stdout.contains("pa:ss") && !ran.stdout.contains("pa%3Ass"),
        "{ran}"
    );
    let ran = probe(&[&format!("redis://:${{SECRET}}@{addr}")])
        .env("SECRET", "hunter2")
        .expect(
            1,
            &format!("unhealthy: Redis PING redis://{addr} with a password: AUTH refused: \"WRONGPASS invalid username-password pair or user is disabled.\", from {addr} in <elapsed>"),
        );
    assert!(!ran.stderr.contains("hunter2"), "{ran}");
}

#[test]
fn passwords_never_appear_in_usage_errors() {
    for (url, error) in [
        (
            "redis://user:hunter2@db:99999",
            "healthprobe: invalid URL: \"99999\" is not a port from 1 to 65535",
        ),
        (
            "postgres:hunter2@db",
            "healthprobe: invalid URL: \"...@db\" is not a URL: expected // after the scheme",
        ),
        (
            "redis://user@db",
            "healthprobe: invalid URL: redis:// takes a user only with its password: redis://USER:PASSWORD@HOST or redis://:PASSWORD@HOST",
        ),
        (
            "http://user:hunter2@db/",
            "healthprobe: invalid URL: credentials in the URL are not supported: they would show in the output line; send them in an Authorization header with --header",
        ),
    ] {
        let ran = probe(&[url]).expect(64, error);
        assert!(!ran.stderr.contains("hunter2"), "{ran}");
    }
    // HTTP-only options are refused for databases.
    probe(&["--expect-status", "200", "postgres://db"]).expect(
        64,
        "healthprobe: --expect-status applies only to http:// and https:// targets, and none is given",
    );
}

// MySQL and MariaDB: the server speaks first.

fn host_blocked(stream: TcpStream) {
    let mut error = vec![0, 0, 0, 0, 0xff, 0x69, 0x04];
    error.extend_from_slice(b"Host '10.0.0.2' is blocked because of many connection errors; unblock with 'mariadb-admin flush-hosts'");
    error[0] = (error.len() - 4) as u8;
    answers_first(stream, &error);
}

fn too_many_connections(stream: TcpStream) {
    let mut error = vec![0, 0, 0, 0, 0xff, 0x10, 0x04];
    error.extend_from_slice(b"Too many connections");
    error[0] = (error.len() - 4) as u8;
    answers_first(stream, &error);
}

/// Speaks first with `answer`, then waits for the probe to leave.
fn answers_first(mut stream: TcpStream, answer: &[u8]) {
    let _ = stream.write_all(answer);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.read(&mut [0u8; 256]);
}

fn mysql_garbage(stream: TcpStream) {
    answers_first(stream, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
}

fn mysql_huge_length(stream: TcpStream) {
    answers_first(stream, b"\xff\xff\xff\x00\x0a5.5.5");
}

fn mysql_drips(mut stream: TcpStream) {
    drip(&mut stream, &mariadb_greeting(), Duration::from_millis(100));
}

fn mysql_first_bytes_then_close(mut stream: TcpStream) {
    let _ = stream.write_all(&mariadb_greeting()[..20]);
}

fn mysql_endless(mut stream: TcpStream) {
    flood(&mut stream, &[0x0a; 4096], Duration::from_secs(2));
}

fn mysql(addr: SocketAddr) -> String {
    format!("mysql://{addr}")
}

#[test]
fn mysql_greeting_is_healthy_and_the_probe_logs_in_without_a_password() {
    let (tx, rx) = std::sync::mpsc::channel();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let _ = stream.write_all(&mariadb_greeting());
        let login = read_request(&mut stream);
        let mut refusal = vec![0, 0, 0, 2, 0xff, 0x15, 0x04];
        refusal.extend_from_slice(
            b"#28000Access denied for user 'app'@'localhost' (using password: NO)",
        );
        refusal[0] = (refusal.len() - 4) as u8;
        let _ = stream.write_all(&refusal);
        let _ = tx.send(login);
    });
    let ran = probe(&[&format!("mariadb://app:s3cret@{addr}/shop")]).expect(
        0,
        &format!("healthy: MySQL mariadb://{addr}/shop: up, version \"5.5.5-10.11.6-MariaDB-0+deb12u1\", from {addr} in <elapsed>"),
    );
    let login = rx.recv_timeout(Duration::from_secs(2)).unwrap();
    // The login names the user, with an empty authentication response.
    assert!(
        login.ends_with(b"app\0\0mysql_native_password\0"),
        "{login:?}"
    );
    assert!(
        !String::from_utf8_lossy(&login).contains("s3cret"),
        "the password was sent"
    );
    assert!(!ran.stdout.contains("s3cret"), "{ran}");
}

#[test]
fn mysql_misbehaving_servers_are_unhealthy_by_the_deadline() {
    let cases: &[Case] = &[
        (
            host_blocked,
            "error 1129 \"Host '10.0.0.2' is blocked because of many connection errors; unblock with 'mariadb-admin flush-hosts'\" in place of the greeting (the host is blocked: FLUSH HOSTS unblocks it), from {addr}",
        ),
        (
            too_many_connections,
            "error 1040 \"Too many connections\" in place of the greeting (too many connections), from {addr}",
        ),
        (
            silent_after_accept,
            "timed out waiting for the greeting from {addr} (--timeout 500ms, 0 bytes received)",
        ),
        (
            mysql_drips,
            "timed out waiting for the greeting from {addr} (--timeout 500ms, N bytes received)",
        ),
        (
            mysql_garbage,
            "the answer from {addr} is not a MySQL greeting: it begins \"SSH-2.0-OpenSSH_9.2p1 Debian-2\\r\\n\"",
        ),
        (
            mysql_huge_length,
            "the answer from {addr} is not a MySQL greeting: it begins \"\\xff\\xff\\xff\\x00\\n5.5.5\"",
        ),
        (
            mysql_first_bytes_then_close,
            "connection closed while reading the greeting from {addr} (20 bytes received)",
        ),
        (
            mysql_endless,
            "the answer from {addr} is not a MySQL greeting: it begins \"\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\"...",
        ),
    ];
    check_cases(mysql, "MySQL mysql://", "", cases);
}

// AMQP 0-9-1: the client speaks first, with the protocol header.

fn amqp_other_version(stream: TcpStream) {
    answers(stream, b"AMQP\x00\x01\x00\x00");
}

fn amqp_size_of_2_31(stream: TcpStream) {
    answers(stream, b"\x01\x00\x00\x80\x00\x00\x00\x00\x0a");
}

fn amqp_drips(mut stream: TcpStream) {
    read_request(&mut stream);
    drip(&mut stream, &connection_start(), Duration::from_millis(100));
}

fn amqp_first_bytes_then_close(mut stream: TcpStream) {
    read_request(&mut stream);
    let _ = stream.write_all(&connection_start()[..12]);
}

fn amqp_endless(mut stream: TcpStream) {
    read_request(&mut stream);
    flood(&mut stream, &[1u8; 4096], Duration::from_secs(2));
}

fn amqp(addr: SocketAddr) -> String {
    format!("amqp://{addr}")
}

#[test]
fn amqp_connection_start_is_healthy_and_no_credentials_are_sent() {
    let (addr, rx) = answering_once(connection_start());
    let ran = probe(&[&format!("amqp://app:s3cret@{addr}/orders")]).expect(
        0,
        &format!("healthy: AMQP amqp://{addr}/orders: Connection.Start (AMQP 0-9) from {addr} in <elapsed>"),
    );
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(2)).unwrap(),
        b"AMQP\x00\x00\x09\x01"
    );
    assert!(!ran.stdout.contains("s3cret"), "{ran}");
    let addr = serve(1, amqp_start);
    check(
        &amqp(addr),
        0,
        &format!(
            "healthy: AMQP amqp://{addr}: Connection.Start (AMQP 0-9) from {addr} in <elapsed>"
        ),
    );
}

#[test]
fn amqp_misbehaving_servers_are_unhealthy_by_the_deadline() {
    let cases: &[Case] = &[
        (
            amqp_other_version,
            "{addr} does not speak AMQP 0-9-1: it answered with its own protocol header, \"AMQP\\x00\\x01\\x00\\x00\" (protocol 0, version 1-0-0)",
        ),
        (
            silent_after_accept,
            "timed out waiting for the reply from {addr} (--timeout 500ms, 0 bytes received)",
        ),
        (
            amqp_drips,
            "timed out waiting for the reply from {addr} (--timeout 500ms, N bytes received)",
        ),
        (
            sends_garbage,
            "the answer from {addr} is not AMQP: it begins \"\\x16\\x03\\x01 not a database\\r\\n\"",
        ),
        (
            amqp_size_of_2_31,
            "AMQP protocol error from {addr}: a frame of 2147483648 bytes, more than the 16384 healthprobe reads",
        ),
        (
            amqp_endless,
            "the answer from {addr} is not AMQP: it begins \"\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\"...",
        ),
        (
            amqp_first_bytes_then_close,
            "connection closed while reading the reply from {addr} (12 bytes received)",
        ),
        (
            redis_pong,
            "the answer from {addr} is not AMQP: it begins \"+PONG\\r\\n\"",
        ),
    ];
    check_cases(amqp, "AMQP amqp://", "", cases);
}

// The spellings applications carry, and libpq's several hosts.

#[test]
fn the_schemes_applications_carry_in_their_urls_are_the_kinds_they_name() {
    for (behaviour, written, shown, verdict) in [
        (
            pg_asks_for_md5 as fn(TcpStream),
            "postgresql+psycopg2",
            "PostgreSQL postgresql",
            "accepting connections (it asks for an MD5 password)",
        ),
        (
            pg_asks_for_md5,
            "postgresql+asyncpg",
            "PostgreSQL postgresql",
            "accepting connections (it asks for an MD5 password)",
        ),
        (
            mysql_refuses_the_login,
            "mysql+pymysql",
            "MySQL mysql",
            "up, version \"5.5.5-10.11.6-MariaDB-0+deb12u1\",",
        ),
        (
            mysql_refuses_the_login,
            "mysql2",
            "MySQL mysql",
            "up, version \"5.5.5-10.11.6-MariaDB-0+deb12u1\",",
        ),
        (
            mysql_refuses_the_login,
            "mariadb+mariadbconnector",
            "MySQL mariadb",
            "up, version \"5.5.5-10.11.6-MariaDB-0+deb12u1\",",
        ),
        (redis_pong, "redis+sentinel", "Redis PING redis", "PONG"),
        (
            amqp_start,
            "pyamqp",
            "AMQP amqp",
            "Connection.Start (AMQP 0-9)",
        ),
        (
            amqp_start,
            "amqp+kombu",
            "AMQP amqp",
            "Connection.Start (AMQP 0-9)",
        ),
    ] {
        let addr = serve(1, behaviour);
        let user = if shown.starts_with("PostgreSQL") {
            " as postgres"
        } else {
            ""
        };
        check(
            &format!("{written}://{addr}/0"),
            0,
            &format!("healthy: {shown}://{addr}/0{user}: {verdict} from {addr} in <elapsed>"),
        );
    }
}

#[test]
fn redis_py_socket_urls_reach_the_socket_they_name() {
    let dir = TempDir::new();
    for (written, query) in [("unix", "?db=2"), ("redis+unix", ""), ("redis+socket", "")] {
        let path = dir.path().join(format!("{written}.sock"));
        let listener = bind_unix(path.to_str().unwrap());
        thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut request = [0u8; 256];
                let _ = stream.read(&mut request);
                let _ = stream.write_all(b"+PONG\r\n");
            }
        });
        let path = path.display();
        let url = format!("{written}://{path}{query}");
        let shown = format!(
            "unix://{path}{}",
            if query.is_empty() { "" } else { "?..." }
        );
        probe(&[&url]).expect(
            0,
            &format!("healthy: Redis PING {shown}: PONG from {path} in <elapsed>"),
        );
    }
    probe(&["unix:///run/redis.sock?db=x"]).expect(
        64,
        "healthprobe: invalid URL: \"x\" is not a Redis database number: unix:///PATH?db=N",
    );
    probe(&["unix://cache/redis.sock"]).expect(
        64,
        "healthprobe: invalid URL: a unix:// URL names a socket, not a host: write unix:///PATH/TO/SOCKET",
    );
}

#[test]
fn several_postgres_hosts_are_ready_when_any_is_and_the_line_names_each() {
    let (down, up) = (closed_port(), serve(1, pg_asks_for_md5));
    check(
        &format!("postgres://{down},{up}/app"),
        0,
        &format!(
            "healthy: PostgreSQL postgres://{down},{up}/app as postgres: accepting connections (it asks for an MD5 password) from {up} in <elapsed>"
        ),
    );
    let (first, second) = (closed_port(), serve(1, pg_starting_up));
    check(
        &format!("postgres://{first},{second}/app"),
        1,
        &format!(
            "unhealthy: PostgreSQL postgres://{first},{second}/app as postgres: no host is ready: {first}: connection refused at {first}; {second}: rejecting connections (57P03 \"the database system is starting up\"), from {second} in <elapsed>"
        ),
    );
    // A host that never answers leaves the next its share of the time.
    let (silent, up) = (serve(1, silent_after_accept), serve(1, pg_asks_for_md5));
    let ran = probe(&["--timeout", "1s", &format!("postgres://{silent},{up}/app")]).run();
    assert_eq!(ran.code, Some(0), "{ran}");
    assert!(ran.elapsed < Duration::from_millis(700), "{ran}");
    probe(&["postgres://h1,h2,h3/app?port=1,2"]).expect(
        64,
        "healthprobe: invalid URL: the URL gives 2 ports for 3 hosts: give one port for all, or one for each",
    );
}

// NATS: the server speaks first, with INFO.

const NATS_INFO: &[u8] = b"INFO {\"server_id\":\"N1\",\"version\":\"2.9.10\",\"proto\":1,\"headers\":true,\"max_payload\":1048576,\"client_id\":4} \r\n";
const NATS_INFO_AUTH: &[u8] = b"INFO {\"server_id\":\"N1\",\"version\":\"2.9.10\",\"auth_required\":true,\"max_payload\":1048576} \r\n";

/// Sends `info`, reads the request, then answers with `answer`.
fn nats_answers(mut stream: TcpStream, info: &[u8], answer: &[u8]) {
    let _ = stream.write_all(info);
    answers(stream, answer);
}

fn nats_pong(stream: TcpStream) {
    nats_answers(stream, NATS_INFO, b"PONG\r\n");
}

fn nats_full(mut stream: TcpStream) {
    let mut info_and_error = NATS_INFO.to_vec();
    info_and_error.extend_from_slice(b"-ERR 'maximum connections exceeded'\r\n");
    let _ = stream.write_all(&info_and_error);
}

fn nats_lame_duck(stream: TcpStream) {
    nats_answers(
        stream,
        b"INFO {\"server_id\":\"N1\",\"version\":\"2.9.10\",\"ldm\":true}\r\n",
        b"",
    );
}

fn nats_auth_violation(stream: TcpStream) {
    nats_answers(
        stream,
        NATS_INFO_AUTH,
        b"-ERR 'Authorization Violation'\r\n",
    );
}

fn nats_drips(mut stream: TcpStream) {
    drip(&mut stream, NATS_INFO, Duration::from_millis(100));
}

fn nats_first_bytes_then_close(mut stream: TcpStream) {
    let _ = stream.write_all(&NATS_INFO[..20]);
}

fn nats_endless(mut stream: TcpStream) {
    let _ = stream.write_all(b"INFO {\"x\":\"");
    flood(&mut stream, &[b'a'; 4096], Duration::from_secs(2));
}

fn nats_silent_after_info(mut stream: TcpStream) {
    let _ = stream.write_all(NATS_INFO);
    silent_after_accept(stream);
}

fn nats_garbage(mut stream: TcpStream) {
    let _ = stream.write_all(b"\x16\x03\x01 not NATS\r\n");
    silent_after_accept(stream);
}

fn nats(addr: SocketAddr) -> String {
    format!("nats://{addr}")
}

#[test]
fn nats_answering_pong_is_healthy_and_a_login_goes_in_connect() {
    let (tx, rx) = std::sync::mpsc::channel();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let _ = stream.write_all(NATS_INFO_AUTH);
        let request = read_request(&mut stream);
        let _ = stream.write_all(b"+OK\r\nPONG\r\n");
        let _ = tx.send(request);
        let _ = stream.read(&mut [0u8; 64]);
    });
    let ran = probe(&[&format!("nats://app:s3cr\"et@{addr}")]).expect(
        0,
        &format!(
            "healthy: NATS nats://{addr} as app: PONG from {addr}, version \"2.9.10\" in <elapsed>"
        ),
    );
    assert!(!ran.stdout.contains("s3cr"), "{ran}");
    let request = String::from_utf8(rx.recv_timeout(Duration::from_secs(2)).unwrap()).unwrap();
    assert!(
        request.starts_with("CONNECT {\"verbose\":false,\"pedantic\":false,"),
        "{request}"
    );
    assert!(
        request.ends_with(",\"user\":\"app\",\"pass\":\"s3cr\\\"et\"}\r\nPING\r\n"),
        "{request}"
    );
    let addr = serve(1, nats_pong);
    check(
        &nats(addr),
        0,
        &format!("healthy: NATS nats://{addr}: PONG from {addr}, version \"2.9.10\" in <elapsed>"),
    );
}

#[test]
fn nats_requiring_a_login_without_one_given_is_up() {
    let addr = serve(1, nats_auth_violation);
    check(
        &nats(addr),
        0,
        &format!(
            "healthy: NATS nats://{addr}: up, and it requires authentication, from {addr}, version \"2.9.10\" in <elapsed>"
        ),
    );
    // With a token, the same answer is a refused login.
    let addr = serve(1, nats_auth_violation);
    let ran = probe(&["--timeout", "500ms", &format!("nats://s3cret-token@{addr}")]).expect(
        1,
        &format!("unhealthy: NATS nats://{addr} with a token: login refused: \"Authorization Violation\", from {addr} in <elapsed>"),
    );
    assert!(!ran.stderr.contains("s3cret"), "{ran}");
}

#[test]
fn nats_misbehaving_servers_are_unhealthy_by_the_deadline() {
    let cases: &[Case] = &[
        (
            nats_full,
            "-ERR \"maximum connections exceeded\", from {addr}",
        ),
        (
            nats_lame_duck,
            "in lame-duck mode (closing down), says {addr}",
        ),
        (
            silent_after_accept,
            "timed out waiting for the greeting from {addr} (--timeout 500ms, 0 bytes received)",
        ),
        (
            nats_silent_after_info,
            "timed out waiting for the reply from {addr} (--timeout 500ms, 0 bytes received)",
        ),
        (
            nats_drips,
            "timed out waiting for the greeting from {addr} (--timeout 500ms, N bytes received)",
        ),
        (
            nats_garbage,
            "the answer from {addr} is not NATS's: it begins \"\\x16\\x03\\x01 not NATS\\r\\n\"",
        ),
        (
            nats_first_bytes_then_close,
            "connection closed while reading the greeting from {addr} (20 bytes received)",
        ),
        (
            nats_endless,
            "NATS protocol error from {addr}: a line longer than the 65536 bytes healthprobe reads",
        ),
        (
            redis_pong,
            "the answer from {addr} is not NATS's: it begins \"+PONG\\r\\n\"",
        ),
    ];
    check_cases(nats, "NATS nats://", "", cases);
}

// memcached: the client speaks first.

fn memcached_auth(stream: TcpStream) {
    answers(stream, b"CLIENT_ERROR unauthenticated\r\n");
}

fn memcached_full(mut stream: TcpStream) {
    let _ = stream.write_all(b"ERROR Too many open connections\r\n");
}

/// A memcached with SASL speaks only the binary protocol: it reads 24
/// bytes as a binary header, closes on a text request, and answers a
/// binary VERSION with `answer`.
fn binary_only(mut stream: TcpStream, answer: &[u8]) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut header = [0u8; 24];
    if stream.read_exact(&mut header).is_ok() && header[0] == 0x80 {
        let _ = stream.write_all(answer);
        // Until the probe leaves.
        let _ = stream.read_to_end(&mut Vec::new());
    }
}

/// A binary answer to VERSION: magic 0x81, opcode 0x0b, the status and the
/// body's length.
fn binary_version(status: u16, length: u32, body: &[u8]) -> Vec<u8> {
    let mut answer = vec![0x81, 0x0b, 0, 0, 0, 0];
    answer.extend_from_slice(&status.to_be_bytes());
    answer.extend_from_slice(&length.to_be_bytes());
    answer.extend_from_slice(&[0; 12]);
    answer.extend_from_slice(body);
    answer
}

fn memcached_binary_error(stream: TcpStream) {
    binary_only(stream, &binary_version(0x84, 13, b"Out of memory"));
}

fn memcached_binary_2_31(stream: TcpStream) {
    binary_only(stream, &binary_version(0, 1 << 31, b"1.6.18"));
}

fn memcached_binary_garbage(stream: TcpStream) {
    binary_only(stream, b"\x16\x03\x01 not a database");
}

fn memcached_binary_header_then_close(mut stream: TcpStream) {
    // The whole request, VERSION and QUITQ, is read first: a close with
    // bytes unread would be a reset.
    let mut request = [0u8; 48];
    if stream.read_exact(&mut request[..24]).is_ok() && request[0] == 0x80 {
        let _ = stream.read_exact(&mut request[24..]);
        let _ = stream.write_all(&binary_version(0, 6, b"1.6"));
    }
}

fn memcached_binary_silent(stream: TcpStream) {
    binary_only(stream, b"");
}

fn memcached_closes_on_both(mut stream: TcpStream) {
    read_request(&mut stream);
}

fn memcached_drips(mut stream: TcpStream) {
    read_request(&mut stream);
    drip(
        &mut stream,
        b"VERSION 1.6.18\r\n",
        Duration::from_millis(100),
    );
}

fn memcached_first_bytes_then_close(mut stream: TcpStream) {
    read_request(&mut stream);
    let _ = stream.write_all(b"VERSION 1.6");
}

fn memcached_endless(mut stream: TcpStream) {
    read_request(&mut stream);
    flood(&mut stream, &[b'V'; 4096], Duration::from_secs(2));
}

fn memcached(addr: SocketAddr) -> String {
    format!("memcached://{addr}")
}

#[test]
fn memcached_answering_version_is_healthy_and_the_probe_says_quit() {
    let (addr, rx) = answering_once(b"VERSION 1.6.18\r\n".to_vec());
    check(
        &memcached(addr),
        0,
        &format!(
            "healthy: memcached version memcached://{addr}: VERSION \"1.6.18\" from {addr} in <elapsed>"
        ),
    );
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(2)).unwrap(),
        b"version\r\nversion\r\nquit\r\n"
    );
    let addr = serve(1, memcached_auth);
    check(
        &memcached(addr),
        0,
        &format!(
            "healthy: memcached version memcached://{addr}: up, and it requires authentication (CLIENT_ERROR unauthenticated), from {addr} in <elapsed>"
        ),
    );
}

#[test]
fn memcached_misbehaving_servers_are_unhealthy_by_the_deadline() {
    let cases: &[Case] = &[
        (
            memcached_full,
            "version answered \"ERROR Too many open connections\", from {addr}",
        ),
        (
            silent_after_accept,
            "timed out waiting for the reply from {addr} (--timeout 500ms, 0 bytes received)",
        ),
        (
            memcached_drips,
            "timed out waiting for the reply from {addr} (--timeout 500ms, N bytes received)",
        ),
        (
            sends_garbage,
            "the answer from {addr} is not memcached's: it begins \"\\x16\\x03\\x01 not a database\"",
        ),
        (
            memcached_first_bytes_then_close,
            "connection closed while reading the reply from {addr} (11 bytes received)",
        ),
        (
            memcached_endless,
            "the answer from {addr} is not memcached's: it begins \"VVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVV\"...",
        ),
    ];
    check_cases(memcached, "memcached version memcached://", "", cases);
}

#[test]
fn a_memcached_that_closes_on_text_is_asked_in_the_binary_protocol() {
    let (tx, rx) = std::sync::mpsc::channel();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().take(2).flatten() {
            let mut stream = stream;
            let request = read_request(&mut stream);
            if request.first() == Some(&0x80) {
                let _ = stream.write_all(&binary_version(0, 6, b"1.6.18"));
            }
            let _ = tx.send(request);
        }
    });
    check(
        &memcached(addr),
        0,
        &format!(
            "healthy: memcached version memcached://{addr}: VERSION \"1.6.18\" from {addr}, in the binary protocol (it closed on the text one: SASL, or -B binary) in <elapsed>"
        ),
    );
    let wait = Duration::from_secs(2);
    assert_eq!(
        rx.recv_timeout(wait).unwrap(),
        b"version\r\nversion\r\nquit\r\n"
    );
    // VERSION, then QUITQ: two headers and no body.
    let mut binary = vec![0u8; 48];
    (binary[0], binary[1], binary[24], binary[25]) = (0x80, 0x0b, 0x80, 0x17);
    assert_eq!(rx.recv_timeout(wait).unwrap(), binary);

    let cases: &[Case] = &[
        (
            memcached_binary_error,
            "version answered \"Out of memory\", from {addr}",
        ),
        (
            memcached_binary_2_31,
            "memcached protocol error from {addr}: a binary answer of 2147483648 bytes, more than the 1024 healthprobe reads",
        ),
        (
            memcached_binary_garbage,
            "the answer from {addr} is not memcached's: it begins \"\\x16\\x03\\x01 not a database\"",
        ),
        (
            memcached_binary_header_then_close,
            "connection closed while reading the reply from {addr} (27 bytes received)",
        ),
        (
            memcached_binary_silent,
            "timed out waiting for the reply from {addr} (--timeout 500ms, 0 bytes received)",
        ),
        (
            memcached_closes_on_both,
            "{addr} closed the connection without answering version",
        ),
    ];
    // The text request's connection, then the binary one's.
    check_cases_over(2, memcached, "memcached version memcached://", "", cases);
}

// ZooKeeper: the client speaks first; the server answers and closes.

const SRVR: &[u8] = b"Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\nLatency min/avg/max: 0/0.0/0\nReceived: 3\nSent: 2\nConnections: 1\nOutstanding: 0\nZxid: 0x0\nMode: follower\nNode count: 5\n";

/// Reads the question, answers, and closes, as ZooKeeper does.
fn zookeeper_says(mut stream: TcpStream, answer: &[u8]) {
    read_request(&mut stream);
    let _ = stream.write_all(answer);
}

fn zookeeper_not_serving(stream: TcpStream) {
    zookeeper_says(
        stream,
        b"This ZooKeeper instance is not currently serving requests\n",
    );
}

fn zookeeper_not_whitelisted(stream: TcpStream) {
    zookeeper_says(
        stream,
        b"srvr is not executed because it is not in the whitelist.\n",
    );
}

fn zookeeper_answers_and_stays(stream: TcpStream) {
    answers(stream, SRVR);
}

fn zookeeper_drips(mut stream: TcpStream) {
    read_request(&mut stream);
    drip(&mut stream, SRVR, Duration::from_millis(100));
}

fn zookeeper_first_bytes_then_close(stream: TcpStream) {
    zookeeper_says(stream, &SRVR[..30]);
}

fn zookeeper_endless(mut stream: TcpStream) {
    read_request(&mut stream);
    flood(&mut stream, b"Zookeeper version: ", Duration::from_secs(2));
}

fn zookeeper(addr: SocketAddr) -> String {
    format!("zookeeper://{addr}")
}

#[test]
fn zookeeper_serving_is_healthy_after_srvr() {
    let (addr, rx) = answering_once(SRVR.to_vec());
    check(
        &zookeeper(addr),
        0,
        &format!(
            "healthy: ZooKeeper srvr zookeeper://{addr}: serving, mode \"follower\", from {addr} in <elapsed>"
        ),
    );
    assert_eq!(rx.recv_timeout(Duration::from_secs(2)).unwrap(), b"srvr");
}

#[test]
fn zookeeper_misbehaving_servers_are_unhealthy_by_the_deadline() {
    let cases: &[Case] = &[
        (
            zookeeper_not_serving,
            "not currently serving requests, says {addr}",
        ),
        (
            zookeeper_not_whitelisted,
            "srvr is not in the whitelist of {addr}: add it to 4lw.commands.whitelist (4lw.commands.whitelist=srvr, or ZOO_4LW_COMMANDS_WHITELIST=srvr in the official image)",
        ),
        (
            zookeeper_answers_and_stays,
            "timed out waiting for the reply from {addr} (--timeout 500ms, N bytes received)",
        ),
        (
            silent_after_accept,
            "timed out waiting for the reply from {addr} (--timeout 500ms, 0 bytes received)",
        ),
        (
            zookeeper_drips,
            "timed out waiting for the reply from {addr} (--timeout 500ms, N bytes received)",
        ),
        (
            sends_garbage,
            "the answer from {addr} is not ZooKeeper's: it begins \"\\x16\\x03\\x01 not a database\\r\\n\"",
        ),
        (
            zookeeper_first_bytes_then_close,
            "ZooKeeper protocol error from {addr}: the srvr answer has no Mode line",
        ),
        (
            zookeeper_endless,
            "ZooKeeper protocol error from {addr}: an answer longer than the 4096 bytes healthprobe reads",
        ),
    ];
    check_cases(zookeeper, "ZooKeeper srvr zookeeper://", "", cases);
}

// Kafka: the client speaks first (ApiVersions version 0); the broker
// answers with the correlation id sent, an error code and its APIs.

/// An ApiVersions answer in the v0 format (`ApiVersionsResponse.json`):
/// the length, the correlation id the probe sends, the error code, and each
/// API key listed with a version range.
fn kafka_answer(code: i16, keys: &[i16]) -> Vec<u8> {
    let mut body = b"hpv0".to_vec();
    body.extend_from_slice(&code.to_be_bytes());
    body.extend_from_slice(&(keys.len() as i32).to_be_bytes());
    for key in keys {
        body.extend_from_slice(&key.to_be_bytes());
        body.extend_from_slice(&[0, 0, 0, 4]);
    }
    let mut answer = (body.len() as u32).to_be_bytes().to_vec();
    answer.extend_from_slice(&body);
    answer
}

/// What a Kafka 3.x broker lists first: Produce, Fetch, ListOffsets,
/// Metadata, ..., ApiVersions.
const BROKER_APIS: &[i16] = &[0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];

fn kafka_broker(stream: TcpStream) {
    answers(stream, &kafka_answer(0, BROKER_APIS));
}

/// A KRaft controller's listener: Fetch (the Raft log), Vote,
/// BeginQuorumEpoch, ..., ApiVersions, but no Produce.
fn kafka_controller(stream: TcpStream) {
    answers(
        stream,
        &kafka_answer(0, &[1, 7, 18, 52, 53, 54, 55, 62, 63]),
    );
}

/// A broker past version 0: UNSUPPORTED_VERSION, with its own ranges.
fn kafka_newer(stream: TcpStream) {
    answers(stream, &kafka_answer(35, &[18]));
}

fn kafka_unsupported_without_a_list(stream: TcpStream) {
    answers(stream, &kafka_answer(35, &[]));
}

fn kafka_unknown_error(stream: TcpStream) {
    answers(stream, &kafka_answer(-1, &[]));
}

fn kafka_other_correlation(stream: TcpStream) {
    let mut answer = kafka_answer(0, &[]);
    answer[4..8].copy_from_slice(b"abcd");
    answers(stream, &answer);
}

fn kafka_length_of_2_31(stream: TcpStream) {
    answers(stream, b"\x80\0\0\0hpv0\0\0\0\0\0\0");
}

fn kafka_list_too_long(stream: TcpStream) {
    let mut answer = kafka_answer(0, BROKER_APIS);
    answer[13] = 99;
    answers(stream, &answer);
}

fn kafka_drips(mut stream: TcpStream) {
    read_request(&mut stream);
    drip(
        &mut stream,
        &kafka_answer(0, BROKER_APIS),
        Duration::from_millis(100),
    );
}

fn kafka_first_bytes_then_close(mut stream: TcpStream) {
    read_request(&mut stream);
    let _ = stream.write_all(&kafka_answer(0, BROKER_APIS)[..10]);
}

/// A length it may read, then bytes until the probe gives up.
fn kafka_endless(mut stream: TcpStream) {
    read_request(&mut stream);
    let _ = stream.write_all(b"\0\0\x10\0hpv0");
    flood(&mut stream, &[0; 4096], Duration::from_secs(2));
}

fn kafka(addr: SocketAddr) -> String {
    format!("kafka://{addr}")
}

#[test]
fn kafka_answering_api_versions_is_healthy_and_says_what_listens() {
    let (addr, rx) = answering_once(kafka_answer(0, BROKER_APIS));
    check(
        &kafka(addr),
        0,
        &format!("healthy: Kafka ApiVersions kafka://{addr}: 16 APIs from {addr} in <elapsed>"),
    );
    // ApiVersions (18) version 0, request header v1: the correlation id and
    // the client id healthprobe.
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(2)).unwrap(),
        b"\0\0\0\x15\0\x12\0\0hpv0\0\x0bhealthprobe"
    );
    let addr = serve(1, kafka_controller);
    check(
        &kafka(addr),
        0,
        &format!(
            "healthy: Kafka ApiVersions kafka://{addr}: 9 APIs from {addr}, without Produce: a KRaft controller, not a broker in <elapsed>"
        ),
    );
    let addr = serve(1, kafka_newer);
    check(
        &kafka(addr),
        0,
        &format!(
            "healthy: Kafka ApiVersions kafka://{addr}: 1 APIs from {addr}, which no longer speaks ApiVersions 0 (error 35): up in <elapsed>"
        ),
    );
}

#[test]
fn kafka_is_ready_when_one_of_its_brokers_is() {
    let ready = serve(1, kafka_broker);
    let url = format!("kafka://127.0.0.1:1,{ready}");
    check(
        &url,
        0,
        &format!("healthy: Kafka ApiVersions {url}: 16 APIs from {ready} in <elapsed>"),
    );
    let (first, second) = (serve(1, kafka_unknown_error), serve(1, silent_after_accept));
    let url = format!("kafka://{first},{second}");
    let ran = probe(&["--timeout", "500ms", &url]).run();
    assert_eq!(ran.code, Some(1), "{ran}");
    for words in [
        format!("{first}: ApiVersions answered error code -1, from {first}"),
        format!("{second}: timed out waiting for the reply from {second}"),
    ] {
        assert!(ran.stderr.contains(&words), "{words}\n{ran}");
    }
}

#[cfg(feature = "tls")]
/// A server that speaks TLS from its first byte, with a certificate for
/// localhost from a CA in `cacert` (a file in `files`), for one connection
/// that `behaviour` serves.
fn serve_in_tls(
    files: &TempDir,
    behaviour: fn(&mut rustls::StreamOwned<rustls::ServerConnection, TcpStream>),
) -> (SocketAddr, String) {
    use crate::support::tls::*;
    let ca = ca("test CA");
    let cacert = files.write("ca.pem", &ca.pem);
    let config = server_config(&server_leaf(&ca, Validity::Current), None);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let conn = rustls::ServerConnection::new(config).unwrap();
        behaviour(&mut rustls::StreamOwned::new(conn, stream));
    });
    (addr, cacert)
}

#[cfg(feature = "tls")]
#[test]
fn kafka_ssl_speaks_tls_from_the_first_byte() {
    let files = TempDir::new();
    let (addr, cacert) = serve_in_tls(&files, |tls| {
        let mut request = [0u8; 25];
        if tls.read_exact(&mut request).is_ok() {
            let _ = tls.write_all(&kafka_answer(0, BROKER_APIS));
            let _ = tls.read(&mut [0u8; 64]);
        }
    });
    // The first broker refuses; the second is verified by its own name,
    // not by the first's, which its certificate does not hold.
    let url = format!("kafka+ssl://127.0.0.2:1,localhost:{}", addr.port());
    probe(&["--cacert", &cacert, &url]).expect(
        0,
        &format!("healthy: Kafka ApiVersions {url}: 16 APIs from {addr} in <elapsed>"),
    );
}

#[test]
fn kafka_misbehaving_servers_are_unhealthy_by_the_deadline() {
    let cases: &[Case] = &[
        (
            kafka_unsupported_without_a_list,
            "ApiVersions answered error code 35, from {addr}",
        ),
        (
            kafka_unknown_error,
            "ApiVersions answered error code -1, from {addr}",
        ),
        (
            kafka_other_correlation,
            "the answer from {addr} is not Kafka's: it begins \"\\x00\\x00\\x00\\nabcd\\x00\\x00\\x00\\x00\\x00\\x00\"",
        ),
        (
            kafka_length_of_2_31,
            "Kafka protocol error from {addr}: an answer of 2147483648 bytes, more than the 4096 healthprobe reads",
        ),
        (
            kafka_list_too_long,
            "Kafka protocol error from {addr}: an ApiVersions answer whose list of APIs does not fit it",
        ),
        (
            silent_after_accept,
            "timed out waiting for the reply from {addr} (--timeout 500ms, 0 bytes received)",
        ),
        (
            kafka_drips,
            "timed out waiting for the reply from {addr} (--timeout 500ms, N bytes received)",
        ),
        (
            sends_garbage,
            "the answer from {addr} is not Kafka's: it begins \"\\x16\\x03\\x01 not a database\\r\\n\"",
        ),
        (
            kafka_first_bytes_then_close,
            "connection closed while reading the reply from {addr} (10 bytes received)",
        ),
        (
            kafka_endless,
            "Kafka protocol error from {addr}: an ApiVersions answer whose list of APIs does not fit it",
        ),
    ];
    check_cases(kafka, "Kafka ApiVersions kafka://", "", cases);
}

// Cassandra and Scylla: the client speaks first (OPTIONS, then STARTUP);
// the node answers each frame.

/// A response frame: the version with its response bit, stream, opcode and
/// body (`native_protocol_v4.spec` §2).
fn cql_frame(version: u8, stream: u8, opcode: u8, body: &[u8]) -> Vec<u8> {
    let mut frame = vec![0x80 | version, 0, 0, stream, opcode];
    frame.extend_from_slice(&(body.len() as u32).to_be_bytes());
    frame.extend_from_slice(body);
    frame
}

/// An ERROR body: the code and the message as a `[string]`.
fn cql_error(code: u32, message: &str) -> Vec<u8> {
    let mut body = code.to_be_bytes().to_vec();
    body.extend_from_slice(&(message.len() as u16).to_be_bytes());
    body.extend_from_slice(message.as_bytes());
    body
}

/// A node that speaks the protocol versions `from..=to`: it refuses any
/// other with a protocol error in its own newest version and closes, as
/// Cassandra does; it answers OPTIONS with SUPPORTED and STARTUP with what
/// `started` gives for the version.
fn cql_node(mut stream: TcpStream, to: u8, started: fn(u8) -> Vec<u8>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    for _ in 0..2 {
        let mut header = [0u8; 9];
        if stream.read_exact(&mut header).is_err() {
            return;
        }
        let length = u32::from_be_bytes(header[5..9].try_into().unwrap()) as usize;
        let mut body = vec![0u8; length.min(4096)];
        if stream.read_exact(&mut body).is_err() {
            return;
        }
        let (version, opcode) = (header[0], header[4]);
        if !(3..=to).contains(&version) {
            let message = format!(
                "Invalid or unsupported protocol version ({version}); supported versions are (3/v3, 4/v4)"
            );
            let _ = stream.write_all(&cql_frame(
                to,
                header[3],
                0x00,
                &cql_error(0x000A, &message),
            ));
            return;
        }
        let answer = match opcode {
            0x05 => cql_frame(
                version,
                header[3],
                0x06,
                b"\0\x01\0\x0bCQL_VERSION\0\x01\0\x053.4.7",
            ),
            0x01 => started(version),
            _ => return,
        };
        let _ = stream.write_all(&answer);
    }
    let _ = stream.read(&mut [0u8; 64]);
}

fn cql_ready(version: u8) -> Vec<u8> {
    cql_frame(version, 1, 0x02, b"")
}

fn cql_authenticate(version: u8) -> Vec<u8> {
    let class = b"org.apache.cassandra.auth.PasswordAuthenticator";
    let mut body = (class.len() as u16).to_be_bytes().to_vec();
    body.extend_from_slice(class);
    cql_frame(version, 1, 0x03, &body)
}

fn cql_overloaded(version: u8) -> Vec<u8> {
    cql_frame(version, 1, 0x00, &cql_error(0x1001, "Server is overloaded"))
}

fn cql_bootstrapping(version: u8) -> Vec<u8> {
    cql_frame(
        version,
        1,
        0x00,
        &cql_error(0x1002, "Cannot read from a bootstrapping node"),
    )
}

fn cassandra_5(stream: TcpStream) {
    cql_node(stream, 5, cql_ready);
}

fn cassandra_authenticating(stream: TcpStream) {
    cql_node(stream, 5, cql_authenticate);
}

/// Scylla and Cassandra 3 speak versions 3 and 4 only.
fn scylla_4(stream: TcpStream) {
    cql_node(stream, 4, cql_ready);
}

fn cassandra_overloaded(stream: TcpStream) {
    cql_node(stream, 5, cql_overloaded);
}

fn cassandra_bootstrapping(stream: TcpStream) {
    cql_node(stream, 5, cql_bootstrapping);
}

/// Speaks only a version the probe never asks in.
fn cassandra_2(stream: TcpStream) {
    cql_node(stream, 2, cql_ready);
}

/// SUPPORTED, then a close once STARTUP has come (a close with it unread
/// would be a reset).
fn cassandra_supported_then_close(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut options = [0u8; 9];
    if stream.read_exact(&mut options).is_ok() {
        let _ = stream.write_all(&cql_frame(5, 0, 0x06, b"\0\0"));
        let _ = stream.read_exact(&mut [0u8; 31]);
    }
}

fn cassandra_answers_options_with_result(stream: TcpStream) {
    answers(stream, &cql_frame(5, 0, 0x08, b"\0\0\0\x01"));
}

fn cassandra_length_of_2_31(stream: TcpStream) {
    answers(stream, b"\x85\0\0\0\x06\x80\0\0\0");
}

fn cassandra_drips(mut stream: TcpStream) {
    read_request(&mut stream);
    drip(
        &mut stream,
        &cql_frame(5, 0, 0x06, b"\0\0"),
        Duration::from_millis(100),
    );
}

fn cassandra_first_bytes_then_close(mut stream: TcpStream) {
    read_request(&mut stream);
    let _ = stream.write_all(&cql_frame(5, 0, 0x06, b"\0\0")[..6]);
}

/// A length it may read, then zeros until the probe gives up: the frame is
/// whole at 16 KiB (SUPPORTED, with a body of zeros), and what follows it,
/// the answer to STARTUP, is not CQL.
fn cassandra_endless(mut stream: TcpStream) {
    read_request(&mut stream);
    let _ = stream.write_all(b"\x85\0\0\0\x06\0\0\x40\0");
    flood(&mut stream, &[0; 4096], Duration::from_secs(2));
}

fn cassandra(addr: SocketAddr) -> String {
    format!("cassandra://{addr}")
}

#[test]
fn cassandra_ready_or_asking_for_a_login_is_healthy_in_the_newest_version() {
    let (tx, rx) = std::sync::mpsc::channel();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut options = [0u8; 9];
        stream.read_exact(&mut options).unwrap();
        stream.write_all(&cql_frame(5, 0, 0x06, b"\0\0")).unwrap();
        let mut startup = [0u8; 31];
        stream.read_exact(&mut startup).unwrap();
        stream.write_all(&cql_ready(5)).unwrap();
        let _ = tx.send((options, startup));
    });
    check(
        &cassandra(addr),
        0,
        &format!(
            "healthy: CQL STARTUP cassandra://{addr}: READY from {addr}, protocol v5 in <elapsed>"
        ),
    );
    // OPTIONS on stream 0, then STARTUP {CQL_VERSION: 3.0.0} on stream 1,
    // in version 5.
    let (options, startup) = rx.recv_timeout(Duration::from_secs(2)).unwrap();
    assert_eq!(options, *b"\x05\0\0\0\x05\0\0\0\0");
    assert_eq!(
        startup,
        *b"\x05\0\0\x01\x01\0\0\0\x16\0\x01\0\x0bCQL_VERSION\0\x053.0.0"
    );
    let addr = serve(1, cassandra_authenticating);
    check(
        &format!("scylla://{addr}"),
        0,
        &format!(
            "healthy: CQL STARTUP scylla://{addr}: up, and it requires authentication (\"org.apache.cassandra.auth.PasswordAuthenticator\"), from {addr}, protocol v5 in <elapsed>"
        ),
    );
    // Version 5 refused: asked again in 4, on a new connection.
    let addr = serve(2, scylla_4);
    check(
        &cassandra(addr),
        0,
        &format!(
            "healthy: CQL STARTUP cassandra://{addr}: READY from {addr}, protocol v4 in <elapsed>"
        ),
    );
    let addr = serve(1, cassandra_5);
    check(
        &cassandra(addr),
        0,
        &format!(
            "healthy: CQL STARTUP cassandra://{addr}: READY from {addr}, protocol v5 in <elapsed>"
        ),
    );
}

#[cfg(feature = "tls")]
#[test]
fn cassandra_ssl_speaks_tls_from_the_first_byte() {
    let files = TempDir::new();
    let (addr, cacert) = serve_in_tls(&files, |tls| {
        let (mut options, mut startup) = ([0u8; 9], [0u8; 31]);
        if tls.read_exact(&mut options).is_ok() {
            let _ = tls.write_all(&cql_frame(4, 0, 0x06, b"\0\0"));
        }
        if tls.read_exact(&mut startup).is_ok() {
            let _ = tls.write_all(&cql_ready(5));
            let _ = tls.read(&mut [0u8; 64]);
        }
    });
    let url = format!("cassandra+ssl://localhost:{}", addr.port());
    probe(&["--cacert", &cacert, &url]).expect(
        0,
        &format!("healthy: CQL STARTUP {url}: READY from {addr}, protocol v5 in <elapsed>"),
    );
}

#[test]
fn cassandra_misbehaving_nodes_are_unhealthy_by_the_deadline() {
    let zeros: &'static str = Box::leak(
        format!(
            "the answer from {{addr}} is not CQL's: it begins \"{}\"...",
            "\\x00".repeat(64)
        )
        .into_boxed_str(),
    );
    let cases: &[Case] = &[
        (
            cassandra_overloaded,
            "error 0x1001 (overloaded) from {addr}: \"Server is overloaded\"",
        ),
        (
            cassandra_bootstrapping,
            "error 0x1002 (bootstrapping) from {addr}: \"Cannot read from a bootstrapping node\"",
        ),
        (
            cassandra_2,
            "{addr} speaks none of the protocol versions 5 to 3: \"Invalid or unsupported protocol version (3); supported versions are (3/v3, 4/v4)\"",
        ),
        (
            cassandra_supported_then_close,
            "connection closed while reading the reply from {addr} (0 bytes received)",
        ),
        (
            cassandra_answers_options_with_result,
            "CQL protocol error from {addr}: OPTIONS answered with opcode 0x08",
        ),
        (
            cassandra_length_of_2_31,
            "CQL protocol error from {addr}: a frame of 2147483648 bytes, more than the 16384 healthprobe reads",
        ),
        (
            silent_after_accept,
            "timed out waiting for the greeting from {addr} (--timeout 500ms, 0 bytes received)",
        ),
        (
            cassandra_drips,
            "timed out waiting for the greeting from {addr} (--timeout 500ms, N bytes received)",
        ),
        (
            sends_garbage,
            "the answer from {addr} is not CQL's: it begins \"\\x16\\x03\\x01 not a database\\r\\n\"",
        ),
        (
            cassandra_first_bytes_then_close,
            "connection closed while reading the greeting from {addr} (6 bytes received)",
        ),
        (cassandra_endless, zeros),
    ];
    // Up to three connections: versions 5, 4 and 3.
    check_cases_over(3, cassandra, "CQL STARTUP cassandra://", "", cases);
}

// MongoDB: the client speaks first (hello, an OP_MSG); the member answers
// with an OP_MSG whose BSON document says what it is.

/// A BSON document of `elements` (type, name, value bytes), as bsonspec.org
/// lays it out.
fn bson(elements: &[(u8, &str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (kind, name, value) in elements {
        body.push(*kind);
        body.extend_from_slice(name.as_bytes());
        body.push(0);
        body.extend_from_slice(value);
    }
    let mut document = ((body.len() + 5) as u32).to_le_bytes().to_vec();
    document.extend_from_slice(&body);
    document.push(0);
    document
}

/// A BSON string value.
fn bson_string(text: &str) -> Vec<u8> {
    let mut value = ((text.len() + 1) as u32).to_le_bytes().to_vec();
    value.extend_from_slice(text.as_bytes());
    value.push(0);
    value
}

/// An OP_MSG answer to the probe's hello: the header (its length, an id,
/// `responseTo` the probe's request id, opcode 2013), no flags, and the
/// document as a section of kind 0.
fn mongo_answer(document: &[u8]) -> Vec<u8> {
    let mut answer = ((21 + document.len()) as u32).to_le_bytes().to_vec();
    answer.extend_from_slice(b"\x07\0\0\0hp\0\x01\xdd\x07\0\0\0\0\0\0\0");
    answer.extend_from_slice(document);
    answer
}

/// What mongod 7 answers as the primary of rs0 (its first members).
fn mongo_member(writable: bool, secondary: bool, arbiter: bool) -> Vec<u8> {
    let rs0 = bson_string("rs0");
    let hosts = bson(&[(0x02, "0", &bson_string("mongo-1:27017"))]);
    mongo_answer(&bson(&[
        (0x02, "topologyVersion", &bson_string("x")),
        (0x04, "hosts", &hosts),
        (0x02, "setName", &rs0),
        (0x10, "setVersion", &1i32.to_le_bytes()),
        (0x08, "isWritablePrimary", &[u8::from(writable)]),
        (0x08, "secondary", &[u8::from(secondary)]),
        (0x08, "arbiterOnly", &[u8::from(arbiter)]),
        (0x07, "electionId", &[0x7f; 12]),
        (0x09, "localTime", &0i64.to_le_bytes()),
        (0x10, "maxWireVersion", &21i32.to_le_bytes()),
        (0x01, "ok", &1.0f64.to_le_bytes()),
    ]))
}

fn mongo_primary(stream: TcpStream) {
    answers(stream, &mongo_member(true, false, false));
}

fn mongo_secondary(stream: TcpStream) {
    answers(stream, &mongo_member(false, true, false));
}

/// RECOVERING, STARTUP2 and ROLLBACK answer alike: neither.
fn mongo_recovering(stream: TcpStream) {
    answers(stream, &mongo_member(false, false, false));
}

fn mongo_arbiter(stream: TcpStream) {
    answers(stream, &mongo_member(false, false, true));
}

fn mongo_standalone(stream: TcpStream) {
    let document = bson(&[
        (0x08, "isWritablePrimary", &[1]),
        (0x12, "connectionId", &7i64.to_le_bytes()),
        (0x01, "ok", &1.0f64.to_le_bytes()),
    ]);
    answers(stream, &mongo_answer(&document));
}

fn mongos(stream: TcpStream) {
    let document = bson(&[
        (0x08, "isWritablePrimary", &[1]),
        (0x02, "msg", &bson_string("isdbgrid")),
        (0x01, "ok", &1.0f64.to_le_bytes()),
    ]);
    answers(stream, &mongo_answer(&document));
}

fn mongo_shutting_down(stream: TcpStream) {
    let document = bson(&[
        (0x01, "ok", &0.0f64.to_le_bytes()),
        (
            0x02,
            "errmsg",
            &bson_string("The server is in quiesce mode and will shut down"),
        ),
        (0x10, "code", &91i32.to_le_bytes()),
        (0x02, "codeName", &bson_string("ShutdownInProgress")),
    ]);
    answers(stream, &mongo_answer(&document));
}

fn mongo_length_of_2_31(stream: TcpStream) {
    answers(stream, b"\0\0\0\x80\x07\0\0\0hp\0\x01\xdd\x07\0\0");
}

fn mongo_broken_document(stream: TcpStream) {
    let mut answer = mongo_member(true, false, false);
    let last = answer.len() - 1;
    answer[last] = 0x42;
    answers(stream, &answer);
}

fn mongo_drips(mut stream: TcpStream) {
    read_request(&mut stream);
    drip(
        &mut stream,
        &mongo_member(true, false, false),
        Duration::from_millis(100),
    );
}

fn mongo_first_bytes_then_close(mut stream: TcpStream) {
    read_request(&mut stream);
    let _ = stream.write_all(&mongo_member(true, false, false)[..20]);
}

/// A length it may read, then zeros until the probe gives up.
fn mongo_endless(mut stream: TcpStream) {
    read_request(&mut stream);
    let _ = stream.write_all(b"\0\0\x01\0\x07\0\0\0hp\0\x01\xdd\x07\0\0");
    flood(&mut stream, &[0; 4096], Duration::from_secs(2));
}

fn mongo(addr: SocketAddr) -> String {
    format!("mongodb://{addr}")
}

#[test]
fn mongodb_members_that_serve_are_healthy_and_no_password_is_sent() {
    let (addr, rx) = answering_once(mongo_member(true, false, false));
    let url = format!("mongodb://app:s3cret@{addr}/orders?authSource=admin&retryWrites=true");
    check(
        &url,
        0,
        &format!(
            "healthy: MongoDB hello mongodb://{addr}/orders?...: primary of \"rs0\" from {addr} in <elapsed>"
        ),
    );
    // hello to admin in an OP_MSG, and nothing of the login.
    let request = rx.recv_timeout(Duration::from_secs(2)).unwrap();
    assert_eq!(
        request,
        b"\x34\0\0\0hp\0\x01\0\0\0\0\xdd\x07\0\0\0\0\0\0\0\x1f\0\0\0\x10hello\0\x01\0\0\0\x02$db\0\x06\0\0\0admin\0\0"
    );
    for (behaviour, words) in [
        (mongo_secondary as fn(TcpStream), "secondary of \"rs0\""),
        (mongo_standalone, "standalone"),
        (mongos, "mongos"),
    ] {
        let addr = serve(1, behaviour);
        check(
            &mongo(addr),
            0,
            &format!("healthy: MongoDB hello mongodb://{addr}: {words} from {addr} in <elapsed>"),
        );
    }
    let addr = serve(1, mongo_primary);
    let url = format!("mongodb://{addr}/?readPreference=primary");
    check(
        &url,
        0,
        &format!(
            "healthy: MongoDB hello mongodb://{addr}/?... (primary): primary of \"rs0\" from {addr} in <elapsed>"
        ),
    );
}

#[test]
fn mongodb_is_ready_when_one_of_its_members_is() {
    let (secondary, primary) = (serve(1, mongo_secondary), serve(1, mongo_primary));
    let url = format!("mongodb://{secondary},{primary}/?readPreference=primary");
    check(
        &url,
        0,
        &format!(
            "healthy: MongoDB hello mongodb://{secondary},{primary}/?... (primary): primary of \"rs0\" from {primary} in <elapsed>"
        ),
    );
}

#[test]
fn mongodb_srv_and_tls_urls_are_refused_with_the_reason() {
    probe(&["mongodb+srv://app:s3cret@cluster0.example.net/"]).expect(
        64,
        "healthprobe: invalid URL: mongodb+srv:// needs DNS SRV and TXT lookups to find the members, and healthprobe makes none: list them, as in mongodb://HOST1:27017,HOST2:27017",
    );
    probe(&["mongodb://127.0.0.1/?tls=true"]).expect(
        64,
        "healthprobe: invalid URL: mongodb:// with tls=true is not probed: healthprobe speaks to MongoDB without TLS only; check the port with tcp://",
    );
}

#[test]
fn mongodb_members_that_do_not_serve_are_unhealthy_by_the_deadline() {
    let cases: &[Case] = &[
        (
            mongo_arbiter,
            "{addr} is an arbiter: it votes and holds no data, so it serves no reads or writes",
        ),
        (
            mongo_recovering,
            "{addr} is neither primary nor secondary of \"rs0\": recovering, in initial sync or rolling back",
        ),
        (
            mongo_shutting_down,
            "hello answered ok: 0, code 91 (\"The server is in quiesce mode and will shut down\"), from {addr}",
        ),
        (
            mongo_length_of_2_31,
            "MongoDB protocol error from {addr}: an answer of 2147483648 bytes, more than the 65536 healthprobe reads",
        ),
        (
            mongo_broken_document,
            "MongoDB protocol error from {addr}: a hello answer that is not a BSON document",
        ),
        (
            silent_after_accept,
            "timed out waiting for the reply from {addr} (--timeout 500ms, 0 bytes received)",
        ),
        (
            mongo_drips,
            "timed out waiting for the reply from {addr} (--timeout 500ms, N bytes received)",
        ),
        (
            sends_garbage,
            "the answer from {addr} is not MongoDB's: it begins \"\\x16\\x03\\x01 not a database\\r\\n\"",
        ),
        (
            mongo_first_bytes_then_close,
            "connection closed while reading the reply from {addr} (20 bytes received)",
        ),
        (
            mongo_endless,
            "MongoDB protocol error from {addr}: a hello answer that is not a BSON document",
        ),
    ];
    check_cases(mongo, "MongoDB hello mongodb://", "", cases);
    let addr = serve(1, mongo_secondary);
    check(
        &format!("mongodb://{addr}/?readPreference=primary"),
        1,
        &format!(
            "unhealthy: MongoDB hello mongodb://{addr}/?... (primary): {addr} is a secondary, and readPreference=primary asks for the primary in <elapsed>"
        ),
    );
}
