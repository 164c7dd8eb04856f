//! `postgres://`, `redis://`, `mysql://` and `amqp://` against real servers
//! from Debian's packages (`postgresql` 15, `redis-server` 7.0,
//! `mariadb-server` 10.11, `rabbitmq-server` 3.10), each test starting its
//! own as a non-root user in a temporary directory, on loopback (MariaDB's
//! host blocking also from a network namespace the test makes), in every
//! state a real server can be in; and the servers' logs read after the
//! probes.
//!
//! `.ci/test` installs the packages and sets HEALTHPROBE_TEST_DATABASES, as
//! root (the servers run as the packages' own users).

use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::chown;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::*;

const NEEDS: &str = "root, and Debian's postgresql, redis-server, mariadb-server and rabbitmq-server (HEALTHPROBE_TEST_DATABASES)";
const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

fn gate() {
    required("HEALTHPROBE_TEST_DATABASES", NEEDS);
}

/// A port nothing listens on now, for a server to take.
pub(crate) fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Runs `program` as `user`, and fails the test if it fails.
fn run_as(user: &str, program: &str, args: &[&str]) -> String {
    let out = Command::new("runuser")
        .args(["-u", user, "--", program])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("runuser {program}: {e}"));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{program} {args:?} as {user}: {}\n{text}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// A command run as `user`. setpriv executes the program itself (runuser
/// would fork it), so that killing the child stops the server.
pub(crate) fn as_user(user: &str) -> Command {
    let mut command = Command::new("setpriv");
    command.args([
        &format!("--reuid={user}"),
        &format!("--regid={user}"),
        "--init-groups",
    ]);
    command
}

/// A directory owned by `user`, inside `dir`.
pub(crate) fn owned_dir(dir: &TempDir, name: &str, user: &str) -> PathBuf {
    let path = dir.path().join(name);
    fs::create_dir_all(&path).unwrap();
    let id = |flag: &str| -> u32 {
        let out = Command::new("id").args([flag, user]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    chown(&path, Some(id("-u")), Some(id("-g"))).unwrap();
    path
}

/// Probes `url` (with `args` before it) until the line contains `wanted`,
/// for at most 30 s: servers change state in their own time.
pub(crate) fn probe_until(args: &[&str], url: &str, wanted: &str) -> Ran {
    let started = Instant::now();
    loop {
        let mut all = args.to_vec();
        all.push(url);
        let ran = probe(&all).run();
        if ran.stdout.contains(wanted) || ran.stderr.contains(wanted) {
            return ran;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{url} never said {wanted:?}; the last run:\n{ran}"
        );
        thread::sleep(Duration::from_millis(100));
    }
}

/// What `pg_isready` says of the server: 0 accepting, 1 rejecting, 2 no
/// response.
fn pg_isready(port: u16) -> i32 {
    let status = Command::new(format!("{PG_BIN}/pg_isready"))
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            "postgres",
            "-q",
        ])
        .status()
        .unwrap();
    status.code().unwrap_or(-1)
}

/// A PostgreSQL cluster of its own, run as `postgres`.
struct Postgres {
    dir: TempDir,
    data: PathBuf,
    port: u16,
}

impl Postgres {
    /// A new cluster on a free port, with `local` connections trusted (for
    /// psql) and TCP connections from 127.0.0.1 authenticated by `method`.
    fn new(method: &str) -> Postgres {
        let dir = TempDir::new();
        let home = owned_dir(&dir, "pg", "postgres");
        let data = home.join("data");
        let data_arg = data.to_str().unwrap();
        run_as(
            "postgres",
            &format!("{PG_BIN}/initdb"),
            &["-D", data_arg, "-U", "postgres", "-A", "trust", "--no-sync"],
        );
        let port = free_port();
        let conf = format!(
            "listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{}'\nfsync = off\n",
            home.display()
        );
        append(&data.join("postgresql.conf"), &conf);
        let postgres = Postgres { dir, data, port };
        postgres.hba(method);
        postgres
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("pg")
    }

    fn log(&self) -> PathBuf {
        self.home().join("log")
    }

    fn url(&self) -> String {
        format!("postgres://127.0.0.1:{}", self.port)
    }

    /// Writes pg_hba.conf: local trusted, TCP by `method`.
    fn hba(&self, method: &str) {
        let hba = format!(
            "local all all trust\nlocal replication all trust\nhost all all 127.0.0.1/32 {method}\n"
        );
        fs::write(self.data.join("pg_hba.conf"), hba).unwrap();
    }

    fn pg_ctl(&self, args: &[&str]) {
        let log = self.log();
        let mut all = vec![
            "-D",
            self.data.to_str().unwrap(),
            "-l",
            log.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        run_as("postgres", &format!("{PG_BIN}/pg_ctl"), &all);
    }

    fn start(&self) {
        self.pg_ctl(&["-w", "start"]);
    }

    /// The log's lines from `from` on (a byte offset).
    fn log_since(&self, from: usize) -> String {
        let log = fs::read_to_string(self.log()).unwrap_or_default();
        log.get(from..).unwrap_or_default().to_owned()
    }

    fn log_len(&self) -> usize {
        fs::metadata(self.log()).map_or(0, |m| m.len() as usize)
    }

    /// psql over the trusted local socket.
    fn psql(&self) -> Command {
        let mut command = Command::new("runuser");
        command.args([
            "-u",
            "postgres",
            "--",
            &format!("{PG_BIN}/psql"),
            "-X",
            "-q",
            "-h",
        ]);
        command.arg(self.home());
        command.args([
            "-p",
            &self.port.to_string(),
            "-U",
            "postgres",
            "-d",
            "postgres",
        ]);
        command
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--", &format!("{PG_BIN}/pg_ctl"), "-D"])
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn append(path: &Path, text: &str) {
    let mut old = fs::read_to_string(path).unwrap();
    old.push_str(text);
    fs::write(path, old).unwrap();
}

/// The lines at WARNING, ERROR or FATAL in `log`.
fn complaints(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains("WARNING:") || l.contains("ERROR:") || l.contains("FATAL:"))
        .collect()
}

#[test]
#[ignore = "needs root, and Debian's postgresql, redis-server, mariadb-server and rabbitmq-server (HEALTHPROBE_TEST_DATABASES): .ci/test runs it"]
fn postgres_is_ready_under_every_login_method_and_logs_nothing() {
    gate();
    let pg = Postgres::new("trust");
    pg.start();
    let url = pg.url();
    let port = pg.port;
    for (method, wanted) in [
        ("trust", "accepting connections (trusted)"),
        ("md5", "accepting connections (it asks for an MD5 password)"),
        (
            "scram-sha-256",
            "accepting connections (it asks for SASL (SCRAM))",
        ),
    ] {
        // md5 asks for an MD5 password only of a role whose password is
        // stored as MD5 (else it asks for SCRAM), so the role gets one of
        // each kind in turn.
        let encryption = if method == "md5" {
            "md5"
        } else {
            "scram-sha-256"
        };
        let sql = format!(
            "set password_encryption = '{encryption}'; alter role postgres password 'unused'"
        );
        let status = pg.psql().args(["-c", &sql]).status().unwrap();
        assert!(status.success(), "psql: {sql}");
        pg.hba(method);
        pg.pg_ctl(&["reload"]);
        probe_until(&[], &url, wanted);
        let from = pg.log_len();
        for _ in 0..50 {
            probe(&[&url]).expect(
                0,
                &format!("healthy: PostgreSQL {url} as postgres: {wanted} from 127.0.0.1:{port} in <elapsed>"),
            );
        }
        assert_eq!(pg_isready(port), 0, "pg_isready disagrees under {method}");
        // The server logs asynchronously: give it a moment to write.
        thread::sleep(Duration::from_millis(300));
        let log = pg.log_since(from);
        assert!(
            complaints(&log).is_empty(),
            "under {method}, 50 probes left:\n{log}"
        );
    }
    // The server's own Unix socket, as --unix-socket names it.
    let socket = pg.home().join(format!(".s.PGSQL.{port}"));
    probe(&["--unix-socket", socket.to_str().unwrap(), &format!("postgres://localhost:{port}")]).expect(
        0,
        &format!("healthy: PostgreSQL postgres://localhost:{port} as postgres: accepting connections (trusted) from {} in <elapsed>", socket.display()),
    );
    // reject: the server logs one FATAL for every attempt, pg_isready's
    // included; the probe causes that one line and nothing more.
    pg.hba("reject");
    pg.pg_ctl(&["reload"]);
    let wanted = "accepting connections (it refused this login: 28000";
    probe_until(&[], &url, wanted);
    thread::sleep(Duration::from_millis(300));
    let from = pg.log_len();
    for _ in 0..5 {
        let ran = probe(&[&url]).run();
        assert!(ran.code == Some(0) && ran.stdout.contains(wanted), "{ran}");
    }
    thread::sleep(Duration::from_millis(300));
    let log = pg.log_since(from);
    let lines = complaints(&log);
    assert_eq!(lines.len(), 5, "5 probes under reject left:\n{log}");
    assert!(
        lines
            .iter()
            .all(|l| l.contains("pg_hba.conf rejects connection")),
        "{log}"
    );
}

/// A directory's path percent-encoded as libpq reads a host: every "/"
/// as %2F.
fn percent_encoded(path: &Path) -> String {
    path.to_str().unwrap().replace('/', "%2F")
}

#[test]
#[ignore = "needs root, and Debian's postgresql, redis-server, mariadb-server and rabbitmq-server (HEALTHPROBE_TEST_DATABASES): .ci/test runs it"]
fn postgres_on_its_unix_socket_and_several_hosts_in_libpqs_own_forms() {
    gate();
    let pg = Postgres::new("trust");
    pg.start();
    let (dir, port) = (pg.home(), pg.port);
    let socket = dir.join(format!(".s.PGSQL.{port}"));
    let dir_text = dir.to_str().unwrap();
    let closed = closed_port().port();
    let ready = "accepting connections (trusted)";
    let via_socket = format!("{ready} from {}", socket.display());
    for (args, url, wanted) in [
        // The socket directory in the query, as the Cloud SQL form has it.
        (
            vec![],
            format!("postgresql:///postgres?host={dir_text}&port={port}"),
            via_socket.clone(),
        ),
        // A percent-encoded directory as the host.
        (
            vec![],
            format!("postgresql://{}:{port}/postgres", percent_encoded(&dir)),
            via_socket.clone(),
        ),
        // host= replaces the URL's host: the socket the application uses.
        (
            vec![],
            format!("postgres://localhost:{port}/app?host={dir_text}"),
            via_socket.clone(),
        ),
        // --unix-socket DIR, as libpq's host takes a directory.
        (
            vec!["--unix-socket", dir_text],
            format!("postgres://localhost:{port}"),
            via_socket.clone(),
        ),
        // Several hosts: ready when any is, in order.
        (
            vec![],
            format!("postgres://127.0.0.1:{closed},127.0.0.1:{port}/postgres"),
            format!("{ready} from 127.0.0.1:{port}"),
        ),
        (
            vec![],
            format!("postgresql:///postgres?host=/nonexistent,{dir_text}&port={port}"),
            via_socket.clone(),
        ),
    ] {
        let mut all = args.clone();
        all.push(&url);
        let ran = probe(&all).run();
        assert!(
            ran.code == Some(0) && ran.stdout.contains(&wanted),
            "{url}: wanted {wanted:?}\n{ran}"
        );
        // pg_isready reads the same URL the same way.
        if args.is_empty() {
            let status = Command::new(format!("{PG_BIN}/pg_isready"))
                .args(["-q", "-d", &url])
                .status()
                .unwrap();
            assert_eq!(status.code(), Some(0), "pg_isready -d {url}");
        }
    }
    // A socket directory with no server's socket in it names the file.
    let ran = probe(&[
        "--unix-socket",
        "/tmp",
        &format!("postgres://localhost:{closed}"),
    ])
    .run();
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(
        ran.stderr
            .contains(&format!("no such socket file at /tmp/.s.PGSQL.{closed}")),
        "{ran}"
    );
}

#[test]
#[ignore = "needs root, and Debian's postgresql, redis-server, mariadb-server and rabbitmq-server (HEALTHPROBE_TEST_DATABASES): .ci/test runs it"]
fn postgres_standby_shutdown_and_stopped_are_unhealthy_as_pg_isready_says() {
    gate();
    let primary = Postgres::new("trust");
    append(
        &primary.data.join("postgresql.conf"),
        "wal_level = replica\n",
    );
    primary.start();

    // A hot standby with hot_standby = off answers 57P03 for as long as it
    // runs.
    let standby_port = free_port();
    let standby_data = primary.home().join("standby");
    run_as(
        "postgres",
        &format!("{PG_BIN}/pg_basebackup"),
        &[
            "-D",
            standby_data.to_str().unwrap(),
            "-h",
            primary.home().to_str().unwrap(),
            "-p",
            &primary.port.to_string(),
            "-U",
            "postgres",
            "-R",
        ],
    );
    append(
        &standby_data.join("postgresql.conf"),
        &format!("port = {standby_port}\nhot_standby = off\n"),
    );
    let standby_log = primary.home().join("standby.log");
    run_as(
        "postgres",
        &format!("{PG_BIN}/pg_ctl"),
        &[
            "-D",
            standby_data.to_str().unwrap(),
            "-l",
            standby_log.to_str().unwrap(),
            "-W",
            "start",
        ],
    );
    let standby_url = format!("postgres://127.0.0.1:{standby_port}");
    let line = format!(
        "unhealthy: PostgreSQL {standby_url} as postgres: rejecting connections (57P03 \"the database system is not accepting connections\"), from 127.0.0.1:{standby_port} in <elapsed>"
    );
    probe_until(&[], &standby_url, "57P03");
    for _ in 0..3 {
        probe(&[&standby_url]).expect(1, &line);
        thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(
        pg_isready(standby_port),
        1,
        "pg_isready says the standby accepts connections"
    );
    let _ = Command::new("runuser")
        .args(["-u", "postgres", "--", &format!("{PG_BIN}/pg_ctl"), "-D"])
        .arg(&standby_data)
        .args(["-m", "immediate", "stop"])
        .status();

    // A smart shutdown waits for its last session, rejecting new ones.
    let mut session: Child = primary
        .psql()
        .args(["-c", "select pg_sleep(60)"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = primary.url();
    let port = primary.port;
    probe_until(&[], &url, "accepting connections");
    // Wait until the session is in, then ask for the smart shutdown.
    let started = Instant::now();
    loop {
        let out = primary
            .psql()
            .args([
                "-tAc",
                "select count(*) from pg_stat_activity where query like 'select pg_sleep%'",
            ])
            .output()
            .unwrap();
        if String::from_utf8_lossy(&out.stdout).trim() == "1" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the session never started"
        );
        thread::sleep(Duration::from_millis(100));
    }
    primary.pg_ctl(&["-m", "smart", "-W", "stop"]);
    probe_until(&[], &url, "shutting down");
    probe(&[&url]).expect(
        1,
        &format!("unhealthy: PostgreSQL {url} as postgres: rejecting connections (57P03 \"the database system is shutting down\"), from 127.0.0.1:{port} in <elapsed>"),
    );
    assert_eq!(
        pg_isready(port),
        1,
        "pg_isready says a shutting-down server accepts connections"
    );

    // Stopped: nothing listens.
    primary.pg_ctl(&["-m", "fast", "-w", "stop"]);
    let _ = session.kill();
    let _ = session.wait();
    probe_until(&[], &url, "connection refused");
    probe(&[&url]).expect(
        1,
        &format!("unhealthy: PostgreSQL {url} as postgres: connection refused at 127.0.0.1:{port} in <elapsed>"),
    );
    assert_eq!(pg_isready(port), 2);
}

/// A Redis server of its own, run as `redis`, with `args` besides its port.
struct Redis {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl Redis {
    fn start(args: &[&str]) -> Redis {
        let dir = TempDir::new();
        let home = owned_dir(&dir, "redis", "redis");
        let port = free_port();
        let child = as_user("redis")
            .args([
                "/usr/bin/redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
            ])
            .arg(&home)
            .args(args)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        Redis {
            child,
            port,
            _dir: dir,
        }
    }

    fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("redis-cli")
            .args(["-p", &self.port.to_string()])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Redis {
    /// Stops the server as an operator would.
    fn stop(&mut self) {
        self.cli(&["SHUTDOWN", "NOSAVE"]);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

#[test]
#[ignore = "needs root, and Debian's postgresql, redis-server, mariadb-server and rabbitmq-server (HEALTHPROBE_TEST_DATABASES): .ci/test runs it"]
fn redis_ready_busy_and_stopped() {
    gate();
    let redis = Redis::start(&["--busy-reply-threshold", "100"]);
    let port = redis.port;
    let url = format!("redis://127.0.0.1:{port}");
    probe_until(&[], &url, "PONG");
    probe(&[&url]).expect(
        0,
        &format!("healthy: Redis PING {url}: PONG from 127.0.0.1:{port} in <elapsed>"),
    );
    // A script that runs past busy-reply-threshold: BUSY until it is killed.
    let mut script = Command::new("redis-cli")
        .args(["-p", &port.to_string(), "EVAL", "while true do end", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let ran = probe_until(&[], &url, "BUSY");
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(
        ran.stderr.starts_with(&format!(
            "unhealthy: Redis PING {url}: PING answered \"BUSY Redis is busy running a script."
        )),
        "{ran}"
    );
    redis.cli(&["SCRIPT", "KILL"]);
    let _ = script.wait();
    probe_until(&[], &url, "PONG");
    let mut redis = redis;
    redis.stop();
    probe_until(&[], &url, "connection refused");
}

#[test]
#[ignore = "needs root, and Debian's postgresql, redis-server, mariadb-server and rabbitmq-server (HEALTHPROBE_TEST_DATABASES): .ci/test runs it"]
fn redis_passwords_and_acl_users() {
    gate();
    let redis = Redis::start(&["--requirepass", "s3cret"]);
    let port = redis.port;
    let addr = format!("127.0.0.1:{port}");
    let url = format!("redis://{addr}");
    probe_until(&[], &url, "NOAUTH");
    probe(&[&url]).expect(0, &format!("healthy: Redis PING {url}: up, and it requires authentication (NOAUTH), from {addr} in <elapsed>"));
    probe(&[&format!("redis://:s3cret@{addr}")]).expect(
        0,
        &format!("healthy: Redis PING {url} with a password: PONG from {addr} in <elapsed>"),
    );
    let ran = probe(&[&format!("redis://:wrong@{addr}")]).expect(1, &format!("unhealthy: Redis PING {url} with a password: AUTH refused: \"WRONGPASS invalid username-password pair or user is disabled.\", from {addr} in <elapsed>"));
    assert!(!ran.stderr.contains("wrong@"), "{ran}");
    let set = redis.cli(&[
        "-a",
        "s3cret",
        "--no-auth-warning",
        "ACL",
        "SETUSER",
        "worker",
        "on",
        ">w0rk",
        "+ping",
    ]);
    assert_eq!(set.trim(), "OK");
    probe(&[&format!("redis://worker:w0rk@{addr}/0")]).expect(
        0,
        &format!("healthy: Redis PING {url}/0 as worker: PONG from {addr} in <elapsed>"),
    );
    probe(&[&format!("redis://worker:nope@{addr}")]).expect(1, &format!("unhealthy: Redis PING {url} as worker: AUTH refused: \"WRONGPASS invalid username-password pair or user is disabled.\", from {addr} in <elapsed>"));
}

#[test]
#[ignore = "needs root, and Debian's postgresql, redis-server, mariadb-server and rabbitmq-server (HEALTHPROBE_TEST_DATABASES): .ci/test runs it"]
fn rediss_over_tls_with_a_private_ca() {
    gate();
    let dir = TempDir::new();
    let certs = owned_dir(&dir, "certs", "redis");
    let path = |name: &str| certs.join(name).to_str().unwrap().to_owned();
    let openssl = |args: &[&str]| {
        let status = Command::new("openssl")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "openssl {args:?}");
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        &path("ca.key"),
        "-out",
        &path("ca.pem"),
        "-days",
        "2",
        "-subj",
        "/CN=test CA",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        &path("server.key"),
        "-out",
        &path("server.csr"),
        "-subj",
        "/CN=localhost",
    ]);
    fs::write(
        certs.join("ext"),
        "basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:localhost\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        &path("server.csr"),
        "-CA",
        &path("ca.pem"),
        "-CAkey",
        &path("ca.key"),
        "-CAcreateserial",
        "-out",
        &path("server.pem"),
        "-days",
        "2",
        "-extfile",
        &path("ext"),
    ]);
    for file in ["server.key", "server.pem", "ca.pem"] {
        let _ = Command::new("chown").args(["redis:", &path(file)]).status();
    }
    let tls_port = free_port();
    let _redis = Redis::start(&[
        "--tls-port",
        &tls_port.to_string(),
        "--tls-cert-file",
        &path("server.pem"),
        "--tls-key-file",
        &path("server.key"),
        "--tls-ca-cert-file",
        &path("ca.pem"),
        "--tls-auth-clients",
        "no",
    ]);
    let url = format!("rediss://localhost:{tls_port}");
    probe_until(&["--cacert", &path("ca.pem")], &url, "PONG");
    probe(&["--cacert", &path("ca.pem"), &url]).expect(
        0,
        &format!("healthy: Redis PING {url}: PONG from 127.0.0.1:{tls_port} in <elapsed>"),
    );
    // Not the CA that signed it: a TLS failure, said as one.
    let ran = probe(&[&url]).run();
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(
        ran.stderr.contains("is not signed by a trusted CA"),
        "{ran}"
    );
}

/// A MariaDB server of its own, run as `mysql`, bound to `bind`, with its
/// error log in the directory; root logs in over its socket.
struct Mariadb {
    child: Child,
    port: u16,
    home: PathBuf,
    _dir: TempDir,
}

impl Mariadb {
    fn start(bind: &str, args: &[&str]) -> Mariadb {
        let dir = TempDir::new();
        let home = owned_dir(&dir, "mariadb", "mysql");
        let data = home.join("data");
        // One bootstrap at a time: two tests' mariadb-install-db at once
        // failed once under a full CI run's load. What it said is kept.
        static INSTALLING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let installing = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        let out = Command::new("mariadb-install-db")
            .args(["--no-defaults", "--user=mysql", "--skip-test-db"])
            .arg(format!("--datadir={}", data.display()))
            .output()
            .unwrap();
        drop(installing);
        assert!(
            out.status.success(),
            "mariadb-install-db: {}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let port = free_port();
        let child = as_user("mysql")
            .args(["/usr/sbin/mariadbd", "--no-defaults", "--skip-log-bin"])
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", home.join("sock").display()))
            .arg(format!("--pid-file={}", home.join("pid").display()))
            .arg(format!("--log-error={}", home.join("error.log").display()))
            .arg(format!("--port={port}"))
            .arg(format!("--bind-address={bind}"))
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mariadb = Mariadb {
            child,
            port,
            home,
            _dir: dir,
        };
        let started = Instant::now();
        while mariadb.root(&["-e", "select 1"]).is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "MariaDB did not start"
            );
            thread::sleep(Duration::from_millis(200));
        }
        mariadb
            .root(&[
                "-e",
                "create user 'check'@'%' identified by 'pw'; grant usage on *.* to 'check'@'%'",
            ])
            .expect("create the check user");
        mariadb
    }

    /// Runs the client as root over the socket; `None` when it fails.
    fn root(&self, args: &[&str]) -> Option<String> {
        let out = Command::new("mariadb")
            .args(["--no-defaults", "-u", "root", "-N", "-B"])
            .arg(format!("--socket={}", self.home.join("sock").display()))
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn error_log(&self) -> String {
        fs::read_to_string(self.home.join("error.log")).unwrap_or_default()
    }
}

impl Drop for Mariadb {
    fn drop(&mut self) {
        let _ = self.root(&["-e", "shutdown"]);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A session of `user` held open by a long query until dropped.
struct Session(Child);

impl Session {
    fn open(mariadb: &Mariadb, root: bool) -> Session {
        let mut command = Command::new("mariadb");
        command.args(["--no-defaults", "-N", "-B"]);
        match root {
            true => command
                .args(["-u", "root"])
                .arg(format!("--socket={}", mariadb.home.join("sock").display())),
            false => command.args([
                "-h",
                "127.0.0.1",
                "-P",
                &mariadb.port.to_string(),
                "-u",
                "check",
                "-ppw",
            ]),
        };
        let child = command
            .args(["-e", "select sleep(60)"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Session(child)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
#[ignore = "needs root, and Debian's postgresql, redis-server, mariadb-server and rabbitmq-server (HEALTHPROBE_TEST_DATABASES): .ci/test runs it"]
fn mariadb_ready_full_and_stopped() {
    gate();
    let mut mariadb = Mariadb::start("127.0.0.1", &["--max-connections=10"]);
    let port = mariadb.port;
    let addr = format!("127.0.0.1:{port}");
    let url = format!("mysql://{addr}");
    let version = mariadb.root(&["-e", "select version()"]).unwrap();
    let healthy = format!(
        "healthy: MySQL {url}: up, version \"5.5.5-{}\", from {addr} in <elapsed>",
        version.trim()
    );
    probe(&[&url]).expect(0, &healthy);
    // Ten ordinary sessions fill max_connections; MariaDB keeps one more
    // slot for SUPER, so a new connection still gets its greeting.
    // One at a time, each counted in before the next: the count's own
    // connection takes a slot while it runs.
    let count = || {
        mariadb
            .root(&["-e", "select count(*) from information_schema.processlist where info like 'select sleep%'"])
            .map(|n| n.trim().to_owned())
    };
    let mut sessions: Vec<Session> = Vec::new();
    for n in 1..=10 {
        sessions.push(Session::open(&mariadb, false));
        let started = Instant::now();
        while count() != Some(n.to_string()) {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "session {n} never started"
            );
            // Refused while the count held the last slot: try again.
            if let Some(last) = sessions.last_mut() {
                if matches!(last.0.try_wait(), Ok(Some(_))) {
                    *last = Session::open(&mariadb, false);
                }
            }
            thread::sleep(Duration::from_millis(50));
        }
    }
    probe(&[&url]).expect(0, &healthy);
    // The eleventh, SUPER's, takes the last slot: now the error replaces
    // the greeting.
    // SUPER's session is refused too while a closing session (a count's)
    // still holds a slot: it is opened again until the probe sees the error.
    sessions.push(Session::open(&mariadb, true));
    let started = Instant::now();
    let ran = loop {
        let ran = probe(&[&url]).run();
        if ran.stderr.contains("error 1040") {
            break ran;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{url} never said \"error 1040\"; the last run:\n{ran}"
        );
        if let Some(last) = sessions.last_mut() {
            if matches!(last.0.try_wait(), Ok(Some(_))) {
                *last = Session::open(&mariadb, true);
            }
        }
        thread::sleep(Duration::from_millis(100));
    };
    ran.check(
        1,
        &format!("unhealthy: MySQL {url}: error 1040 \"Too many connections\" in place of the greeting (too many connections), from {addr} in <elapsed>"),
    );
    drop(sessions);
    probe_until(&[], &url, "up, version");
    let _ = mariadb.root(&["-e", "shutdown"]);
    let _ = mariadb.child.wait();
    probe(&[&url]).expect(
        1,
        &format!("unhealthy: MySQL {url}: connection refused at {addr} in <elapsed>"),
    );
}

/// A network namespace of the test's own, joined to the root one by a veth
/// pair: the root side is `host`, the namespace's `client`. Removed on drop.
struct Netns {
    name: String,
    host: String,
    client: String,
}

impl Netns {
    fn new() -> Netns {
        let n = std::process::id() % 200 + 20;
        let name = format!("hp-test-{}", std::process::id());
        let (veth, peer) = (format!("hpv{n}a"), format!("hpv{n}b"));
        let (host, client) = (format!("10.213.{n}.1"), format!("10.213.{n}.2"));
        let ip = |args: &str| {
            let status = Command::new("ip").args(args.split(' ')).status().unwrap();
            assert!(status.success(), "ip {args}");
        };
        ip(&format!("netns add {name}"));
        ip(&format!("link add {veth} type veth peer name {peer}"));
        ip(&format!("link set {peer} netns {name}"));
        ip(&format!("addr add {host}/30 dev {veth}"));
        ip(&format!("link set {veth} up"));
        ip(&format!(
            "netns exec {name} ip addr add {client}/30 dev {peer}"
        ));
        ip(&format!("netns exec {name} ip link set {peer} up"));
        ip(&format!("netns exec {name} ip link set lo up"));
        Netns { name, host, client }
    }

    /// `program` with `args`, run inside the namespace.
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.name, program]);
        command
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        // Deleting the namespace deletes its end of the pair, and so both.
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

#[test]
#[ignore = "needs root, and Debian's postgresql, redis-server, mariadb-server and rabbitmq-server (HEALTHPROBE_TEST_DATABASES): .ci/test runs it"]
fn mariadb_never_blocks_the_probes_host() {
    gate();
    let netns = Netns::new();
    let mariadb = Mariadb::start(&netns.host, &["--max-connect-errors=2"]);
    let addr = format!("{}:{}", netns.host, mariadb.port);
    let url = format!("mysql://{addr}");
    let binary = env!("CARGO_BIN_EXE_healthprobe");
    let client = |args: &[&str]| {
        netns
            .command("mariadb")
            .args([
                "--no-defaults",
                "-h",
                &netns.host,
                "-P",
                &mariadb.port.to_string(),
                "-u",
                "check",
                "-ppw",
                "-N",
                "-B",
            ])
            .args(args)
            .output()
            .unwrap()
    };
    // From an address that is not loopback, which MariaDB would exempt.
    let log_before = mariadb.error_log().len();
    for _ in 0..20 {
        let out = netns.command(binary).arg(&url).output().unwrap();
        let line = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && line.starts_with(&format!("healthy: MySQL {url}: up, version")),
            "{line}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = client(&["-e", "select 1"]);
    assert!(
        out.status.success(),
        "after 20 probes a real client was refused: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = mariadb.error_log();
    let added = log.get(log_before..).unwrap_or_default();
    let denied = added
        .lines()
        .filter(|l| l.contains("Access denied for user 'healthprobe'"))
        .count();
    let warnings: Vec<&str> = added
        .lines()
        .filter(|l| l.contains("[Warning]") || l.contains("[ERROR]"))
        .collect();
    // Every line the probes left is the refused login, one a probe, as for
    // `mariadb-admin ping` without a password (and, once, the server's own
    // failed reverse lookup of the address).
    let ours = |l: &&str| {
        l.contains("Access denied for user 'healthprobe'") || l.contains("could not be resolved")
    };
    assert!(warnings.iter().all(ours), "{added}");
    assert_eq!(denied, 20, "{added}");
    println!(
        "20 probes left {denied} lines in MariaDB's error log, each: {:?}",
        warnings.first()
    );
    // What the probe spares the host from: a connection that leaves after
    // the greeting (tcp://) counts, and two of them block the host.
    for _ in 0..3 {
        let _ = netns
            .command(binary)
            .arg(format!("tcp://{addr}"))
            .output()
            .unwrap();
    }
    let out = client(&["-e", "select 1"]);
    let refused = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && refused.contains("1129"),
        "tcp:// probes did not block the host: {refused}"
    );
    // Blocked for real now: the probe says so.
    let out = netns.command(binary).arg(&url).output().unwrap();
    let line = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{line}");
    assert!(
        line.contains("error 1129") && line.contains(&netns.client),
        "{line}"
    );
}

/// A RabbitMQ broker of its own (Debian's rabbitmq-server, 3.10), run as
/// `rabbitmq`, on loopback, with its node name, ports and files its own.
struct Rabbit {
    child: Child,
    port: u16,
    home: PathBuf,
    _dir: TempDir,
}

impl Rabbit {
    fn start() -> Rabbit {
        let dir = TempDir::new();
        let home = owned_dir(&dir, "rabbitmq", "rabbitmq");
        fs::write(home.join("enabled_plugins"), "[].\n").unwrap();
        fs::write(home.join("rabbitmq.conf"), "").unwrap();
        let _ = Command::new("chown")
            .args(["-R", "rabbitmq:"])
            .arg(&home)
            .status();
        let port = free_port();
        let path = |name: &str| home.join(name).to_str().unwrap().to_owned();
        let child = as_user("rabbitmq")
            .args(["/usr/lib/rabbitmq/bin/rabbitmq-server"])
            .env(
                "RABBITMQ_NODENAME",
                format!("healthprobe{}@localhost", std::process::id()),
            )
            .env("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .env("RABBITMQ_NODE_PORT", port.to_string())
            .env("RABBITMQ_DIST_PORT", free_port().to_string())
            .env("RABBITMQ_MNESIA_BASE", path("mnesia"))
            .env("RABBITMQ_LOG_BASE", path("log"))
            .env("RABBITMQ_LOGS", path("rabbit.log"))
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", path("enabled_plugins"))
            .env("RABBITMQ_CONFIG_FILE", path("rabbitmq"))
            .env("HOME", &home)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Rabbit {
            child,
            port,
            home,
            _dir: dir,
        }
    }

    fn log(&self) -> String {
        fs::read_to_string(self.home.join("rabbit.log")).unwrap_or_default()
    }

    fn stop(&mut self) {
        // The script runs the Erlang VM as its child: stop the VM too, by
        // its home, which is this broker's alone.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let home = self.home.to_str().unwrap_or_default().to_owned();
        let _ = Command::new("pkill")
            .args(["-u", "rabbitmq", "-f", &home])
            .status();
    }
}

impl Drop for Rabbit {
    fn drop(&mut self) {
        self.stop();
    }
}

#[test]
#[ignore = "needs root, and Debian's postgresql, redis-server, mariadb-server and rabbitmq-server (HEALTHPROBE_TEST_DATABASES): .ci/test runs it"]
fn rabbitmq_ready_what_it_logs_and_stopped() {
    gate();
    let mut rabbit = Rabbit::start();
    let addr = format!("127.0.0.1:{}", rabbit.port);
    let url = format!("amqp://guest:guest@{addr}/");
    // The broker takes a few seconds to start (the Erlang VM).
    let healthy = format!(
        "healthy: AMQP amqp://{addr}: Connection.Start (AMQP 0-9) from {addr} in <elapsed>"
    );
    let started = Instant::now();
    while probe(&[&url]).run().code != Some(0) {
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "RabbitMQ did not start:\n{}",
            rabbit.log()
        );
        thread::sleep(Duration::from_millis(500));
    }
    // RabbitMQ writes its log behind its work, later still on a busy
    // machine: the lines of the probes that waited for it may come after a
    // fixed pause. The log is read once it has stopped growing.
    let settled = |rabbit: &Rabbit| {
        let mut last = rabbit.log();
        for _ in 0..15 {
            thread::sleep(Duration::from_secs(1));
            let now = rabbit.log();
            if now.len() == last.len() {
                break;
            }
            last = now;
        }
        last
    };
    let before = settled(&rabbit).len();
    for _ in 0..5 {
        probe(&[&url]).expect(0, &healthy);
    }
    let log = settled(&rabbit);
    let added = log.get(before..).unwrap_or_default();
    // What the broker logs for a client that leaves after Connection.Start:
    // one warning a probe, the least an exchange without credentials leaves.
    let warnings = added.matches("[warning]").count();
    let closed = added
        .matches("client unexpectedly closed TCP connection")
        .count();
    let errors = added.matches("[error]").count();
    println!("5 probes left in RabbitMQ's log:\n{added}");
    assert_eq!((closed, errors), (5, 0), "{added}");
    assert!(warnings <= 10, "{added}");
    rabbit.stop();
    let started = Instant::now();
    loop {
        let ran = probe(&[&url]).run();
        if ran.stderr.contains("connection refused") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{ran}");
        thread::sleep(Duration::from_millis(200));
    }
}
