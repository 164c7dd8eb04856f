//! `nats://`, `memcached://` and `zookeeper://` against real servers from
//! Debian's packages (`nats-server` 2.9, `memcached` 1.6,
//! `libzookeeper-java` 3.8), each test starting its own in a temporary
//! directory, on loopback, as the package's user (ZooKeeper as daemon), in
//! every state a real server can be in; and what each server logs for a
//! probe.
//!
//! `.ci/test` installs the packages and sets HEALTHPROBE_TEST_BROKERS, as
//! root.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::real_databases::{as_user, free_port, owned_dir, probe_until};
use crate::support::*;

const NEEDS: &str =
    "root, and Debian's nats-server, memcached and zookeeper (HEALTHPROBE_TEST_BROKERS)";

fn gate() {
    required("HEALTHPROBE_TEST_BROKERS", NEEDS);
}

/// A server of its own, stopped (killed) when dropped.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: TempDir,
}

impl Server {
    /// Starts `program` with `args` as `user`, its output in `server.log`
    /// of a directory of `dir` that `user` owns.
    fn start(dir: TempDir, user: &str, port: u16, program: &str, args: &[&str]) -> Server {
        let home = owned_dir(&dir, "home", user);
        let log = home.join("server.log");
        let child = as_user(user)
            .current_dir(&home)
            .arg(program)
            .args(args)
            .stdout(fs::File::create(&log).unwrap())
            .stderr(fs::File::create(home.join("server.err")).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        Server {
            child,
            port,
            log,
            _dir: dir,
        }
    }

    fn dir(&self) -> &Path {
        self.log.parent().unwrap()
    }

    /// What the server has logged on both its outputs.
    fn log(&self) -> String {
        let err = fs::read_to_string(self.dir().join("server.err")).unwrap_or_default();
        fs::read_to_string(&self.log).unwrap_or_default() + &err
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

// NATS.

fn nats(args: &[&str]) -> Server {
    nats_in(TempDir::new(), args)
}

fn nats_in(dir: TempDir, args: &[&str]) -> Server {
    let port = free_port();
    let mut all = vec!["-a", "127.0.0.1", "-p"];
    let port_text = port.to_string();
    all.push(&port_text);
    all.extend_from_slice(args);
    Server::start(dir, "nats", port, "/usr/sbin/nats-server", &all)
}

#[test]
#[ignore = "needs root, and Debian's nats-server, memcached and libzookeeper-java (HEALTHPROBE_TEST_BROKERS): .ci/test runs it"]
fn nats_ready_and_stopped_logging_nothing() {
    gate();
    let mut server = nats(&[]);
    let port = server.port;
    let url = format!("nats://127.0.0.1:{port}");
    probe_until(&[], &url, "PONG");
    let before = server.log();
    for _ in 0..10 {
        probe(&[&url]).expect(
            0,
            &format!(
                "healthy: NATS {url}: PONG from 127.0.0.1:{port}, version \"2.9.10\" in <elapsed>"
            ),
        );
    }
    // nats-server logs clients at its debug level only.
    assert_eq!(server.log(), before, "the server logged the probes");
    server.stop();
    probe(&[&url]).expect(
        1,
        &format!("unhealthy: NATS {url}: connection refused at 127.0.0.1:{port} in <elapsed>"),
    );
}

#[test]
#[ignore = "needs root, and Debian's nats-server, memcached and libzookeeper-java (HEALTHPROBE_TEST_BROKERS): .ci/test runs it"]
fn nats_with_a_login_required_given_none_the_right_one_and_a_wrong_one() {
    gate();
    let server = nats(&["--user", "app", "--pass", "s3cret"]);
    let port = server.port;
    let url = format!("nats://127.0.0.1:{port}");
    probe_until(&[], &url, "requires authentication");
    probe(&[&url]).expect(
        0,
        &format!("healthy: NATS {url}: up, and it requires authentication, from 127.0.0.1:{port}, version \"2.9.10\" in <elapsed>"),
    );
    let before = server.log();
    probe(&[&format!("nats://app:s3cret@127.0.0.1:{port}")]).expect(
        0,
        &format!("healthy: NATS {url} as app: PONG from 127.0.0.1:{port}, version \"2.9.10\" in <elapsed>"),
    );
    assert_eq!(server.log(), before, "a login that succeeds is logged");
    let ran = probe(&[&format!("nats://app:wrong@127.0.0.1:{port}")]).expect(
        1,
        &format!("unhealthy: NATS {url} as app: login refused: \"Authorization Violation\", from 127.0.0.1:{port} in <elapsed>"),
    );
    assert!(!ran.stderr.contains("wrong"), "{ran}");
    // Without a login the probe's PING earns one line in the server's log,
    // at its default level: the price of telling "up" from "full".
    let log = server.log();
    assert!(log.contains("authentication error"), "{log}");
}

#[test]
#[ignore = "needs root, and Debian's nats-server, memcached and libzookeeper-java (HEALTHPROBE_TEST_BROKERS): .ci/test runs it"]
fn nats_at_max_connections_and_in_lame_duck_mode_is_unhealthy() {
    gate();
    let dir = TempDir::new();
    let config = dir.write("nats.conf", "max_connections: 1\n");
    let server = nats_in(dir, &["-c", &config]);
    let port = server.port;
    let url = format!("nats://127.0.0.1:{port}");
    probe_until(&[], &url, "PONG");
    // One client holds the only connection, once the server has let go of
    // the probes' (it may still count the last one for a moment).
    let client = (0..50)
        .find_map(|_| {
            let client = nats_client(port);
            if client.is_none() {
                std::thread::sleep(Duration::from_millis(50));
            }
            client
        })
        .expect("a client that holds the one connection");
    probe(&[&url]).expect(
        1,
        &format!("unhealthy: NATS {url}: -ERR \"maximum connections exceeded\", from 127.0.0.1:{port} in <elapsed>"),
    );
    drop(client);
    probe_until(&[], &url, "PONG");
    // Lame-duck mode: the server stops taking connections and tells its
    // clients, then closes them over its grace period.
    let status = Command::new("/usr/sbin/nats-server")
        .args(["--signal", &format!("ldm={}", server.child.id())])
        .status()
        .unwrap();
    assert!(status.success());
    let ran = probe_until(&[], &url, "unhealthy");
    assert!(
        ran.stderr.contains("connection refused") || ran.stderr.contains("lame-duck"),
        "{ran}"
    );
}

#[cfg(feature = "tls")]
#[test]
#[ignore = "needs root, and Debian's nats-server, memcached and libzookeeper-java (HEALTHPROBE_TEST_BROKERS): .ci/test runs it"]
fn nats_requiring_tls_is_upgraded_and_verified() {
    use crate::support::tls::{Validity, ca, server_leaf};
    gate();
    let ca = ca("NATS test CA");
    let leaf = server_leaf(&ca, Validity::Current);
    let dir = TempDir::new();
    let certs = owned_dir(&dir, "certs", "nats");
    let path = |name: &str| certs.join(name).to_str().unwrap().to_owned();
    fs::write(path("ca.pem"), &ca.pem).unwrap();
    fs::write(path("server.pem"), &leaf.cert).unwrap();
    fs::write(path("server.key"), &leaf.key).unwrap();
    let server = nats(&[
        "--tls",
        "--tlscert",
        &path("server.pem"),
        "--tlskey",
        &path("server.key"),
    ]);
    let port = server.port;
    let tls = format!("tls://127.0.0.1:{port}");
    let cacert = path("ca.pem");
    probe_until(&["--cacert", &cacert], &tls, "PONG");
    probe(&["--cacert", &cacert, &tls]).expect(
        0,
        &format!(
            "healthy: NATS {tls}: PONG from 127.0.0.1:{port}, version \"2.9.10\" in <elapsed>"
        ),
    );
    // nats:// turns to TLS because the server's INFO requires it.
    let plain = format!("nats://127.0.0.1:{port}");
    probe(&["--cacert", &cacert, &plain]).expect(
        0,
        &format!(
            "healthy: NATS {plain}: PONG from 127.0.0.1:{port}, version \"2.9.10\" in <elapsed>"
        ),
    );
    // Verified as every TLS kind: a CA it was not given is not trusted.
    let ran = probe(&[&plain]).run();
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(ran.stderr.contains("certificate"), "{ran}");
    // tls:// asks for TLS of a server that offers none.
    let bare = nats(&[]);
    let url = format!("tls://127.0.0.1:{}", bare.port);
    probe_until(&[], &format!("nats://127.0.0.1:{}", bare.port), "PONG");
    probe(&[&url]).expect(
        1,
        &format!("unhealthy: NATS {url}: tls:// asks for TLS, and 127.0.0.1:{} offers none (its INFO says neither tls_required nor tls_available) in <elapsed>", bare.port),
    );
}

/// A NATS client connected to the server on `port`, once its PING is
/// answered PONG; `None` if the server turned it away.
fn nats_client(port: u16) -> Option<TcpStream> {
    let mut client = TcpStream::connect(("127.0.0.1", port)).ok()?;
    client.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    client
        .write_all(b"CONNECT {\"verbose\":false}\r\nPING\r\n")
        .ok()?;
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    while seen.len() < 64 * 1024 {
        let n = client.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        seen.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&seen);
        if text.contains("-ERR") {
            return None;
        }
        if text.contains("PONG") {
            return Some(client);
        }
    }
    None
}

// memcached.

fn memcached(args: &[&str]) -> Server {
    let port = free_port();
    let port_text = port.to_string();
    let mut all = vec!["-l", "127.0.0.1", "-p", &port_text, "-U", "0"];
    all.extend_from_slice(args);
    Server::start(TempDir::new(), "memcache", port, "/usr/bin/memcached", &all)
}

#[test]
#[ignore = "needs root, and Debian's nats-server, memcached and libzookeeper-java (HEALTHPROBE_TEST_BROKERS): .ci/test runs it"]
fn memcached_ready_full_and_stopped_logging_nothing() {
    gate();
    let mut server = memcached(&["-c", "32"]);
    let port = server.port;
    let url = format!("memcached://127.0.0.1:{port}");
    probe_until(&[], &url, "VERSION");
    for _ in 0..10 {
        probe(&[&url]).expect(
            0,
            &format!("healthy: memcached version {url}: VERSION \"1.6.18\" from 127.0.0.1:{port} in <elapsed>"),
        );
    }
    assert_eq!(server.log(), "", "memcached logged the probes");
    // memcached keeps some of its -c for itself: hold connections until it
    // turns one away, then probe.
    let mut held = Vec::new();
    for _ in 0..16 {
        let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        client.write_all(b"version\r\n").unwrap();
        let mut answer = [0u8; 64];
        let n = client.read(&mut answer).unwrap_or(0);
        if !answer[..n].starts_with(b"VERSION") {
            break;
        }
        held.push(client);
    }
    probe(&[&url]).expect(
        1,
        &format!("unhealthy: memcached version {url}: version answered \"ERROR Too many open connections\", from 127.0.0.1:{port} in <elapsed>"),
    );
    drop(held);
    probe_until(&[], &url, "VERSION");
    server.stop();
    probe(&[&url]).expect(
        1,
        &format!("unhealthy: memcached version {url}: connection refused at 127.0.0.1:{port} in <elapsed>"),
    );
}

#[test]
#[ignore = "needs root, and Debian's nats-server, memcached and libzookeeper-java (HEALTHPROBE_TEST_BROKERS): .ci/test runs it"]
fn memcached_with_ascii_authentication_sasl_and_its_unix_socket() {
    gate();
    let dir = TempDir::new();
    let auth = dir.path().join("auth");
    fs::write(&auth, "app:s3cret\n").unwrap();
    let auth = auth.to_str().unwrap().to_owned();
    let server = memcached(&["-Y", &auth]);
    let port = server.port;
    let url = format!("memcached://127.0.0.1:{port}");
    probe_until(&[], &url, "requires authentication");
    probe(&[&url]).expect(
        0,
        &format!("healthy: memcached version {url}: up, and it requires authentication (CLIENT_ERROR unauthenticated), from 127.0.0.1:{port} in <elapsed>"),
    );
    // SASL: the binary protocol only. The text request is closed at once,
    // and the probe asks again in the binary protocol, whose VERSION needs
    // no login.
    let sasl = owned_dir(&dir, "sasl", "memcache");
    fs::write(
        sasl.join("memcached.conf"),
        "mech_list: plain\nsasldb_path: /nonexistent\n",
    )
    .unwrap();
    let port = free_port();
    let port_text = port.to_string();
    let mut command = as_user("memcache");
    command
        .env("SASL_CONF_PATH", &sasl)
        .args([
            "/usr/bin/memcached",
            "-l",
            "127.0.0.1",
            "-p",
            &port_text,
            "-S",
        ])
        .stdout(Stdio::null())
        .stderr(fs::File::create(dir.path().join("sasl.log")).unwrap());
    let mut child = command.spawn().unwrap();
    let url = format!("memcached://127.0.0.1:{port}");
    probe_until(&[], &url, "binary protocol");
    probe(&[&url]).expect(
        0,
        &format!("healthy: memcached version {url}: VERSION \"1.6.18\" from 127.0.0.1:{port}, in the binary protocol (it closed on the text one: SASL, or -B binary) in <elapsed>"),
    );
    let _ = child.kill();
    let _ = child.wait();
    let log = fs::read_to_string(dir.path().join("sasl.log")).unwrap();
    assert_eq!(log, "", "memcached with SASL logged the probes");
    // Its Unix socket.
    let socket = owned_dir(&dir, "run", "memcache").join("memcached.sock");
    let socket = socket.to_str().unwrap().to_owned();
    let mut command = as_user("memcache");
    command
        .args(["/usr/bin/memcached", "-s", &socket])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = command.spawn().unwrap();
    probe_until(
        &["--unix-socket", &socket],
        "memcached://localhost",
        "VERSION",
    );
    let _ = child.kill();
    let _ = child.wait();
}

// ZooKeeper, from Debian's libzookeeper-java (the zookeeper package would pull
// in a desktop Java runtime), run as daemon.

/// A ZooKeeper server with `config` besides its data directory and client
/// port; `{dir}` in `config` is its directory.
fn zookeeper(port: u16, config: &str, myid: Option<u32>) -> Server {
    let dir = TempDir::new();
    let home = owned_dir(&dir, "zk", "daemon");
    let data = owned_dir(&dir, "zk/data", "daemon");
    if let Some(id) = myid {
        fs::write(data.join("myid"), id.to_string()).unwrap();
    }
    let config = format!(
        "tickTime=500\ninitLimit=10\nsyncLimit=5\ndataDir={}\nclientPort={port}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n{config}",
        data.display()
    );
    let config_file = home.join("zoo.cfg");
    fs::write(&config_file, config).unwrap();
    Server::start(
        dir,
        "daemon",
        port,
        "/usr/bin/java",
        &[
            "-cp",
            // slf4j's binding to java.util.logging: INFO lines on stderr,
            // as a deployed server logs them.
            "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-jdk14.jar",
            "-Xmx128m",
            "org.apache.zookeeper.server.quorum.QuorumPeerMain",
            config_file.to_str().unwrap(),
        ],
    )
}

#[test]
#[ignore = "needs root, and Debian's nats-server, memcached and libzookeeper-java (HEALTHPROBE_TEST_BROKERS): .ci/test runs it"]
fn zookeeper_standalone_stopped_and_srvr_always_whitelisted() {
    gate();
    let port = free_port();
    let mut server = zookeeper(port, "", None);
    let url = format!("zookeeper://127.0.0.1:{port}");
    probe_until(&["--timeout", "5s"], &url, "standalone");
    let before = server.log().matches("Processing srvr command").count();
    for _ in 0..5 {
        probe(&[&url]).expect(
            0,
            &format!("healthy: ZooKeeper srvr {url}: serving, mode \"standalone\", from 127.0.0.1:{port} in <elapsed>"),
        );
    }
    // ZooKeeper logs each four-letter word at INFO: one line a probe, the
    // least any exchange that shows it serves leaves (a client session is
    // a transaction, written to the log of every member).
    std::thread::sleep(Duration::from_millis(200));
    let log = server.log();
    assert_eq!(
        log.matches("Processing srvr command").count() - before,
        5,
        "{log}"
    );
    server.stop();
    probe(&[&url]).expect(
        1,
        &format!(
            "unhealthy: ZooKeeper srvr {url}: connection refused at 127.0.0.1:{port} in <elapsed>"
        ),
    );
    // ZooKeeper 3.8 answers srvr whatever 4lw.commands.whitelist says:
    // FourLetterCommands.isEnabled adds it to every whitelist, since
    // zkServer.sh's status needs it.
    let port = free_port();
    let _server = zookeeper(port, "4lw.commands.whitelist=ruok\n", None);
    let url = format!("zookeeper://127.0.0.1:{port}");
    probe_until(&["--timeout", "5s"], &url, "standalone");
    let ruok = TcpStream::connect(("127.0.0.1", port)).and_then(|mut stream| {
        stream.write_all(b"stat")?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        Ok(answer)
    });
    assert_eq!(
        ruok.unwrap(),
        "stat is not executed because it is not in the whitelist.\n"
    );
}

#[test]
#[ignore = "needs root, and Debian's nats-server, memcached and libzookeeper-java (HEALTHPROBE_TEST_BROKERS): .ci/test runs it"]
fn zookeeper_ensemble_serves_with_a_quorum_and_not_without() {
    gate();
    let ports: Vec<u16> = (0..9).map(|_| free_port()).collect();
    let members: String = (0..3)
        .map(|i| {
            format!(
                "server.{}=127.0.0.1:{}:{}\n",
                i + 1,
                ports[3 + i],
                ports[6 + i]
            )
        })
        .collect();
    let mut servers: Vec<Server> = (0..3)
        .map(|i| zookeeper(ports[i], &members, Some(i as u32 + 1)))
        .collect();
    let urls: Vec<String> = (0..3)
        .map(|i| format!("zookeeper://127.0.0.1:{}", ports[i]))
        .collect();
    for url in &urls {
        let ran = probe_until(&["--timeout", "5s"], url, "serving, mode");
        assert!(
            ran.stdout.contains("\"leader\"") || ran.stdout.contains("\"follower\""),
            "{ran}"
        );
    }
    // Two of three stopped: the last has no quorum, and says so.
    servers[1].stop();
    servers[2].stop();
    let ran = probe_until(&["--timeout", "5s"], &urls[0], "not currently serving");
    assert_eq!(ran.code, Some(1), "{ran}");
    assert_eq!(
        placeholder(ran.stderr.trim_end()),
        format!(
            "unhealthy: ZooKeeper srvr {}: not currently serving requests, says 127.0.0.1:{} in <elapsed>",
            urls[0], ports[0]
        )
    );
}
