//! The static musl binary where it will live: alone in an empty, read-only
//! root, as uid/gid 65532, with no /etc, /tmp or /proc.
//!
//! They need HEALTHPROBE_STATIC_BIN naming the static binary (`.ci/test`
//! builds it and sets it) and HEALTHPROBE_TEST_SANDBOX: root (to become uid
//! 65532 with setpriv), bubblewrap, and unprivileged user namespaces
//! (`.ci/test` sets it as root). Run without them, they fail.

use std::fs;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use crate::support::*;

/// The static binary, for the sandboxed tests.
fn sandbox_binary() -> PathBuf {
    required(
        "HEALTHPROBE_TEST_SANDBOX",
        "root, setpriv, bubblewrap and unprivileged user namespaces",
    );
    static_binary()
}

/// A directory holding only `/healthprobe` and the given files; the sandbox
/// binds it read-only as `/`.
fn empty_root(binary: &Path, files: &[(&str, &str)]) -> TempDir {
    let root = TempDir::new();
    fs::copy(binary, root.path().join("healthprobe")).unwrap();
    for (path, text) in files {
        root.write(path, text);
    }
    root
}

/// Runs `/healthprobe` as uid/gid 65532 (a real uid, set before the sandbox
/// starts) with `root` bound read-only as `/` and nothing else mounted.
fn sandboxed(root: &TempDir, args: &[&str]) -> Probe {
    sandboxed_with(root, &[], args)
}

/// The same, with more bubblewrap options (such as binds) before the binary.
fn sandboxed_with(root: &TempDir, bwrap: &[&str], args: &[&str]) -> Probe {
    sandboxed_program(root, bwrap, "/healthprobe", args)
}

/// The same, running `program` (the binary under another name).
fn sandboxed_program(root: &TempDir, bwrap: &[&str], program: &str, args: &[&str]) -> Probe {
    let mut runner: Vec<String> = [
        "/usr/bin/setpriv",
        "--reuid=65532",
        "--regid=65532",
        "--clear-groups",
        "/usr/bin/bwrap",
        "--ro-bind",
        root.path().to_str().unwrap(),
        "/",
        "--unshare-user",
        "--unshare-pid",
        "--unshare-ipc",
        "--die-with-parent",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    runner.extend(bwrap.iter().map(|s| s.to_string()));
    runner.push(program.to_owned());
    probe_with(&runner, args)
}

fn answers(status: &'static str) -> fn(TcpStream) {
    match status {
        "200" => |mut s| {
            read_head(&mut s);
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
        },
        _ => |mut s| {
            read_head(&mut s);
            let _ = s.write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n");
        },
    }
}

#[test]
#[ignore = "needs root, bubblewrap and the static musl build (HEALTHPROBE_TEST_SANDBOX): .ci/test runs it as root"]
fn probes_from_an_empty_root_as_uid_65532() {
    let binary = sandbox_binary();
    let root = empty_root(&binary, &[]);
    let v4 = serve(3, answers("200"));
    let v6 = serve_on(
        TcpListener::bind("[::1]:0").expect("IPv6 loopback"),
        1,
        answers("200"),
    );
    for (url, peer) in [
        (format!("http://127.0.0.1:{}/health", v4.port()), v4),
        (format!("http://[::1]:{}/health", v6.port()), v6),
        (format!("http://localhost:{}/health", v4.port()), v4),
    ] {
        let ran = sandboxed(&root, &[&url]).expect(
            0,
            &format!("healthy: GET {url}: 200 OK from {peer} in <elapsed>"),
        );
        // localhost is answered inside healthprobe: no DNS to wait for.
        ran.ended_within(Duration::from_millis(500));
    }
    let sick = serve(1, answers("503"));
    let url = format!("http://localhost:{}/health", sick.port());
    sandboxed(&root, &[&url]).expect(1, &format!("unhealthy: GET {url}: 503 Service Unavailable, expected 200-299, from {sick} in <elapsed>"));

    let silent = serve(1, |mut s| {
        read_head(&mut s);
        thread::sleep(Duration::from_secs(3));
    });
    let url = format!("http://127.0.0.1:{}/health", silent.port());
    sandboxed(&root, &["-t", "500ms", &url])
        .expect(1, &format!("unhealthy: GET {url}: timed out waiting for the response head from {silent} (--timeout 500ms, 0 bytes received) in <elapsed>"))
        .ended_at_deadline(Duration::from_millis(500));
}

#[test]
#[ignore = "needs root, bubblewrap and the static musl build (HEALTHPROBE_TEST_SANDBOX): .ci/test runs it as root"]
fn other_names_go_to_the_resolver_within_the_deadline() {
    // With no /etc/resolv.conf musl asks 127.0.0.1:53, where nothing answers
    // here; the deadline must end the wait, not musl's own 5 s timeout.
    let binary = sandbox_binary();
    let root = empty_root(&binary, &[]);
    sandboxed(&root, &["-t", "500ms", "http://db.internal:9000/health"])
        .expect(1, "unhealthy: GET http://db.internal:9000/health: timed out resolving the host (--timeout 500ms) in <elapsed>")
        .ended_at_deadline(Duration::from_millis(500));
}

#[test]
#[ignore = "needs root, bubblewrap and the static musl build (HEALTHPROBE_TEST_SANDBOX): .ci/test runs it as root"]
fn https_with_nothing_to_trust_says_where_it_looked() {
    // An empty root has no CA bundle, as FROM scratch images do not.
    let binary = sandbox_binary();
    let root = empty_root(&binary, &[]);
    let url = "https://127.0.0.1:8443/health";
    sandboxed(&root, &[url]).expect(
        1,
        &format!("unhealthy: GET {url}: no certificates to trust: none in --cacert (not given), SSL_CERT_FILE (not set), /etc/ssl/certs/ca-certificates.crt, /etc/pki/tls/certs/ca-bundle.crt, /etc/ssl/cert.pem; give --cacert, or --insecure to skip verification in <elapsed>"),
    );
}

#[test]
#[ignore = "needs root, bubblewrap and the static musl build (HEALTHPROBE_TEST_SANDBOX): .ci/test runs it as root"]
fn an_ipv6_first_hosts_file_still_reaches_an_ipv4_only_server() {
    // As Docker and the kubelet write it: ::1 before 127.0.0.1. musl also
    // sorts ::1 first (RFC 6724), so `app` is tried on ::1, refused, then on
    // 127.0.0.1, where a server bound to IPv4 only (like gunicorn's
    // 0.0.0.0:9000) answers.
    let binary = sandbox_binary();
    let hosts = "::1\tlocalhost ip6-localhost ip6-loopback\n127.0.0.1\tlocalhost\n::1\tapp\n127.0.0.1\tapp\n";
    let root = empty_root(&binary, &[("etc/hosts", hosts)]);
    let v4 = serve(2, answers("200"));
    for host in ["localhost", "app"] {
        let url = format!("http://{host}:{}/health", v4.port());
        sandboxed(&root, &[&url]).expect(
            0,
            &format!("healthy: GET {url}: 200 OK from {v4} in <elapsed>"),
        );
    }
}

#[test]
#[ignore = "needs root, bubblewrap and the static musl build (HEALTHPROBE_TEST_SANDBOX): .ci/test runs it as root"]
fn probes_a_unix_socket_bind_mounted_into_an_empty_root() {
    let binary = sandbox_binary();
    let root = empty_root(&binary, &[]);
    fs::create_dir(root.path().join("run")).unwrap();
    // The service's socket directory, mounted into the probe's root as /run
    // (as a volume shared between containers would be).
    let service = TempDir::new();
    let socket = service.path().join("app.sock");
    let _requests = unix_http(socket.to_str().unwrap(), 1);
    fs::set_permissions(&socket, fs::Permissions::from_mode(0o666)).unwrap();
    let bind = ["--bind", service.path().to_str().unwrap(), "/run"];
    let url = "http://localhost/health";
    sandboxed_with(&root, &bind, &["--unix-socket", "/run/app.sock", url]).expect(
        0,
        &format!("healthy: GET {url}: 200 OK from /run/app.sock in <elapsed>"),
    );
    sandboxed_with(&root, &bind, &["--unix-socket", "/run/gone.sock", url]).expect(
        1,
        &format!("unhealthy: GET {url}: no such socket file at /run/gone.sock in <elapsed>"),
    );
}

#[test]
#[ignore = "needs root, bubblewrap and the static musl build (HEALTHPROBE_TEST_SANDBOX): .ci/test runs it as root"]
fn checks_heartbeat_files_in_an_empty_root_as_uid_65532() {
    let binary = sandbox_binary();
    let root = empty_root(&binary, &[]);
    // The worker's heartbeat directory, shared as a volume would be: one
    // file fresh, one stale; and a directory uid 65532 may not search.
    let shared = TempDir::new();
    // A fifth of a second past the whole second: the line's whole seconds
    // hold for most of a second after.
    let beat = |name: &str, ago: u64| {
        let path = shared.path().join(name);
        fs::write(&path, "").unwrap();
        let ago = Duration::from_secs(ago) + Duration::from_millis(200);
        let time = std::time::SystemTime::now() - ago;
        fs::File::open(&path).unwrap().set_modified(time).unwrap();
    };
    beat("fresh", 20);
    beat("stale", 95);
    fs::create_dir(shared.path().join("private")).unwrap();
    beat("private/heartbeat", 1);
    fs::set_permissions(
        shared.path().join("private"),
        fs::Permissions::from_mode(0o700),
    )
    .unwrap();
    fs::set_permissions(shared.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::create_dir(root.path().join("run")).unwrap();
    let bind = ["--ro-bind", shared.path().to_str().unwrap(), "/run"];
    sandboxed_with(&root, &bind, &["--max-age", "60s", "file:///run/fresh"]).expect(
        0,
        "healthy: file:///run/fresh: modified 20s ago, limit 60s (--max-age) in <elapsed>",
    );
    sandboxed_with(&root, &bind, &["--max-age", "60s", "file:///run/stale"]).expect(
        1,
        "unhealthy: file:///run/stale: stale: modified 95s ago, limit 60s (--max-age) in <elapsed>",
    );
    sandboxed_with(&root, &bind, &["file:///run/private/heartbeat"]).expect(
        1,
        "unhealthy: file:///run/private/heartbeat: permission denied: this user may not search a directory on the path in <elapsed>",
    );
    sandboxed_with(&root, &bind, &["file:///run/missing"]).expect(
        1,
        "unhealthy: file:///run/missing: no such file or directory in <elapsed>",
    );
}

#[test]
#[ignore = "needs root, bubblewrap and the static loopback-only build (HEALTHPROBE_TEST_SANDBOX, HEALTHPROBE_LOOPBACK_BIN): .ci/test runs it as root"]
fn the_loopback_only_build_probes_loopback_from_an_empty_root_and_nothing_else() {
    sandbox_binary();
    let binary = PathBuf::from(required(
        "HEALTHPROBE_LOOPBACK_BIN",
        "the static build with the loopback-only feature",
    ));
    let root = empty_root(&binary, &[]);
    let server = serve(2, answers("200"));
    for url in [
        format!("http://localhost:{}/health", server.port()),
        format!("http://0.0.0.0:{}/health", server.port()),
    ] {
        sandboxed(&root, &[&url]).expect(
            0,
            &format!("healthy: GET {url}: 200 OK from {server} in <elapsed>"),
        );
    }
    sandboxed(&root, &["-t", "5s", "http://192.0.2.1/health"])
        .expect(64, "healthprobe: \"192.0.2.1\" is not a loopback address, and this build probes only loopback (localhost, 127.0.0.0/8, ::1, 0.0.0.0), Unix sockets and files: it is built with the loopback-only feature; for a Unix socket, give --unix-socket")
        .ended_within(Duration::from_millis(500));
}

#[test]
#[ignore = "needs root, bubblewrap and the static builds (HEALTHPROBE_TEST_SANDBOX, HEALTHPROBE_LOOPBACK_BIN): .ci/test runs it as root"]
fn answers_as_curl_and_wget_from_an_empty_root_in_both_builds() {
    sandbox_binary();
    let server = serve(8, answers("200"));
    let sick = serve(8, answers("503"));
    for var in ["HEALTHPROBE_STATIC_BIN", "HEALTHPROBE_LOOPBACK_BIN"] {
        let binary = PathBuf::from(required(var, "a static build of healthprobe"));
        // Only the binary, as /usr/bin/curl and /usr/bin/wget.
        let root = TempDir::new();
        fs::create_dir_all(root.path().join("usr/bin")).unwrap();
        fs::copy(&binary, root.path().join("usr/bin/curl")).unwrap();
        fs::copy(&binary, root.path().join("usr/bin/wget")).unwrap();
        let up = format!("http://localhost:{}/health", server.port());
        let down = format!("http://localhost:{}/health", sick.port());
        let run = |program: &str, args: &[&str]| sandboxed_program(&root, &[], program, args).run();
        let ran = run("/usr/bin/curl", &["-fsS", "-o", "/dev/null", &up]);
        assert!(
            ran.code == Some(0) && ran.stdout.is_empty() && ran.stderr.is_empty(),
            "{var}: {ran}"
        );
        let ran = run("/usr/bin/curl", &["-f", &down]);
        assert!(
            ran.code == Some(22) && ran.stderr.contains("503 Service Unavailable"),
            "{var}: {ran}"
        );
        let ran = run("/usr/bin/wget", &["-q", "--spider", &up]);
        assert!(ran.code == Some(0), "{var}: {ran}");
        let ran = run("/usr/bin/wget", &["-q", "--spider", &down]);
        assert!(ran.code == Some(1), "{var}: {ran}");
    }
}

#[test]
#[ignore = "needs root, bubblewrap and the static musl build (HEALTHPROBE_TEST_SANDBOX): .ci/test runs it as root"]
fn sixteen_names_from_etc_hosts_at_once_are_healthy_run_after_run_for_every_kind() {
    use crate::support::servers::{
        amqp_start, mysql_refuses_the_login, pg_asks_for_md5, redis_pong,
    };
    // Each name goes to the system's resolver on a thread of its own; only
    // lookups their probes gave up on count against the bound.
    let names: Vec<String> = (0..16).map(|i| format!("svc{i}")).collect();
    let hosts = format!("127.0.0.1 {}\n", names.join(" "));
    let root = empty_root(&sandbox_binary(), &[("etc/hosts", &hosts)]);
    const RUNS: usize = 5;
    for (scheme, path, behaviour) in [
        ("http", "/health", answers("200")),
        ("tcp", "", answers("200")),
        ("postgres", "/app", pg_asks_for_md5 as fn(TcpStream)),
        ("redis", "/0", redis_pong),
        ("mysql", "/app", mysql_refuses_the_login),
        ("amqp", "/", amqp_start),
    ] {
        let addr = serve(16 * RUNS, behaviour);
        let urls: Vec<String> = names
            .iter()
            .map(|name| format!("{scheme}://{name}:{}{path}", addr.port()))
            .collect();
        let mut args = vec!["--quiet"];
        args.extend(urls.iter().map(String::as_str));
        for run in 0..RUNS {
            let ran = sandboxed(&root, &args).run();
            assert!(
                ran.code == Some(0) && ran.stderr.is_empty(),
                "{scheme}, run {run}\n{ran}"
            );
        }
    }
}
