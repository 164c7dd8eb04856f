//! `--wait`: probing again until every target is healthy or the wait ends,
//! with a line each time a target's failure changes.

use std::io::Write;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use crate::support::*;

#[test]
fn exits_0_as_soon_as_every_target_is_healthy() {
    // Nothing listens on the port for the first 600 ms.
    let addr = closed_port();
    thread::spawn(move || {
        thread::sleep(Duration::from_millis(600));
        let listener = TcpListener::bind(addr).unwrap();
        for stream in listener.incoming().take(2) {
            drop(stream);
        }
    });
    let ran = probe(&[
        "--wait",
        "10s",
        "--interval",
        "100ms",
        &format!("tcp://{addr}"),
    ])
    .run();
    ran.check_lines(
        0,
        &[&format!(
            "waiting: TCP {addr}: connection refused at {addr} in <elapsed>"
        )],
        &[&format!(
            "healthy: TCP {addr}: connected to {addr} in <elapsed>"
        )],
    );
    assert!(
        ran.elapsed >= Duration::from_millis(600) && ran.elapsed < Duration::from_millis(1500),
        "{ran}\nwanted it to end soon after the port opened at 600 ms"
    );
}

#[test]
fn exits_1_when_the_wait_ends_saying_how_often_and_how_long() {
    let addr = closed_port();
    // Attempts at 0, 300, 600 and 900 ms; the next would start after 1 s.
    let ran = probe(&[
        "--wait",
        "1s",
        "--interval",
        "300ms",
        &format!("tcp://{addr}"),
    ])
    .run();
    ran.check_lines(
        1,
        &[
            &format!("waiting: TCP {addr}: connection refused at {addr} in <elapsed>"),
            &format!(
                "unhealthy: TCP {addr}: 4 attempts over <wait>, the last: connection refused at {addr} in <elapsed>"
            ),
        ],
        &[],
    );
    ran.ended_within(Duration::from_secs(1) + DEADLINE_SLACK);
    assert!(ran.elapsed >= Duration::from_millis(900), "{ran}");
}

#[test]
fn a_line_is_written_only_when_a_failure_changes() {
    // No socket file for 400 ms, then a regular file in its place until
    // 800 ms, then a server: two different failures, then healthy.
    let dir = TempDir::new();
    let socket = dir.path().join("app.sock");
    let path = socket.to_str().unwrap().to_owned();
    let server_path = path.clone();
    thread::spawn(move || {
        thread::sleep(Duration::from_millis(400));
        std::fs::write(&server_path, "not a socket").unwrap();
        thread::sleep(Duration::from_millis(400));
        // Bound beside it, then renamed over it: the file becomes a socket
        // in one step, with no moment in which there is no file at all.
        let beside = format!("{server_path}.new");
        let _requests = unix_http(&beside, 1);
        std::fs::rename(&beside, &server_path).unwrap();
        thread::sleep(Duration::from_secs(5));
    });
    let url = "http://localhost/health";
    let ran = probe(&[
        "--wait",
        "10s",
        "--interval",
        "100ms",
        "--unix-socket",
        &path,
        url,
    ])
    .run();
    ran.check_lines(
        0,
        &[
            &format!("waiting: GET {url}: no such socket file at {path} in <elapsed>"),
            &format!("waiting: GET {url}: not a socket at {path} in <elapsed>"),
        ],
        &[&format!(
            "healthy: GET {url}: 200 OK from {path} in <elapsed>"
        )],
    );
}

#[test]
fn a_target_that_turned_healthy_is_not_probed_again() {
    let connections = Arc::new(AtomicUsize::new(0));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let healthy = listener.local_addr().unwrap();
    let counted = Arc::clone(&connections);
    thread::spawn(move || {
        for stream in listener.incoming().take(10).flatten() {
            counted.fetch_add(1, Ordering::SeqCst);
            let mut stream = stream;
            read_head(&mut stream);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
        }
    });
    let refused = closed_port();
    let url = format!("http://{healthy}/health");
    let ran = probe(&[
        "--wait",
        "1s",
        "--interval",
        "200ms",
        &url,
        &format!("tcp://{refused}"),
    ])
    .run();
    ran.check_lines(
        1,
        &[
            &format!("waiting: TCP {refused}: connection refused at {refused} in <elapsed>"),
            &format!(
                "unhealthy: TCP {refused}: 5 attempts over <wait>, the last: connection refused at {refused} in <elapsed>"
            ),
        ],
        &[&format!("healthy: GET {url}: 200 OK from {healthy} in <elapsed>")],
    );
    assert_eq!(connections.load(Ordering::SeqCst), 1, "{ran}");
}

#[test]
fn an_attempt_ends_when_the_wait_does() {
    let addr = serve(1, |s| {
        thread::sleep(Duration::from_secs(5));
        drop(s);
    });
    let url = format!("http://{addr}/health");
    let ran = probe(&["-t", "5s", "--wait", "700ms", &url]).run();
    ran.check_lines(
        1,
        &[
            &format!(
                "waiting: GET {url}: timed out waiting for the response head from {addr} (--wait 700ms, 0 bytes received) in <elapsed>"
            ),
            &format!(
                "unhealthy: GET {url}: 1 attempt over <wait>, the last: timed out waiting for the response head from {addr} (--wait 700ms, 0 bytes received) in <elapsed>"
            ),
        ],
        &[],
    );
    ran.ended_at_deadline(Duration::from_millis(700));
}

#[test]
fn wait_settings_come_from_the_environment_too() {
    let addr = closed_port();
    let ran = probe(&[&format!("tcp://{addr}")])
        .env("HEALTHPROBE_WAIT", "500ms")
        .env("HEALTHPROBE_INTERVAL", "200ms")
        .run();
    ran.check_lines(
        1,
        &[
            &format!("waiting: TCP {addr}: connection refused at {addr} in <elapsed>"),
            &format!(
                "unhealthy: TCP {addr}: 3 attempts over <wait>, the last: connection refused at {addr} in <elapsed>"
            ),
        ],
        &[],
    );
}

/// The binary's allocator hands out a 256 KiB arena first and never reuses
/// most of what is freed in it (src/arena.rs): a long `--wait` must move on
/// to the system allocator once the arena is full, and then stay flat.
#[test]
fn a_long_wait_keeps_memory_flat_once_the_arena_is_full() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let served = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&served);
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            read_head(&mut stream);
            let _ = stream.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
            count.fetch_add(1, Ordering::SeqCst);
        }
    });
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("healthprobe"))
        .args(["--wait", "20s", "--interval", "1ms", "-q"])
        .arg(format!("http://{addr}/health"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let rss_kib = |pid: u32| -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    // Until enough attempts have been made to fill the arena several times
    // over (each leaves some KiB in it), at most 15 s.
    let started = std::time::Instant::now();
    while served.load(Ordering::SeqCst) < 1500 && started.elapsed() < Duration::from_secs(15) {
        thread::sleep(Duration::from_millis(50));
    }
    let first = (served.load(Ordering::SeqCst), rss_kib(child.id()));
    let until = served.load(Ordering::SeqCst) * 2;
    while served.load(Ordering::SeqCst) < until && started.elapsed() < Duration::from_secs(18) {
        thread::sleep(Duration::from_millis(50));
    }
    let second = (served.load(Ordering::SeqCst), rss_kib(child.id()));
    let still_running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    eprintln!("attempts and resident KiB: {first:?} then {second:?}");
    assert!(still_running, "healthprobe ended early");
    assert!(first.0 >= 1000, "only {} attempts in 15 s", first.0);
    assert!(
        second.0 >= first.0 * 3 / 2,
        "too few attempts: {first:?} then {second:?}"
    );
    assert!(
        second.1 <= first.1 + 128,
        "resident memory grew from {} KiB to {} KiB over {} attempts",
        first.1,
        second.1,
        second.0 - first.0
    );
}

#[test]
fn no_attempt_starts_after_the_wait_ends_and_the_last_line_is_a_real_failure() {
    // Accepts and never answers. Attempts take the whole timeout, longer
    // than the interval: the second runs into the end of the wait, and no
    // third may start at that end to fail at once.
    let addr = serve(4, |mut stream| {
        read_head(&mut stream);
        thread::sleep(Duration::from_secs(4));
    });
    let url = format!("http://{addr}/");
    let ran = probe(&[
        "--wait",
        "1500ms",
        "--timeout",
        "1s",
        "--interval",
        "500ms",
        &url,
    ])
    .run();
    ran.check_lines(
        1,
        &[
            &format!(
                "waiting: GET {url}: timed out waiting for the response head from {addr} (--timeout 1.00s, 0 bytes received) in <elapsed>"
            ),
            &format!(
                "waiting: GET {url}: timed out waiting for the response head from {addr} (--wait 1.50s, 0 bytes received) in <elapsed>"
            ),
            &format!(
                "unhealthy: GET {url}: 2 attempts over <wait>, the last: timed out waiting for the response head from {addr} (--wait 1.50s, 0 bytes received) in <elapsed>"
            ),
        ],
        &[],
    );
    ran.ended_within(Duration::from_millis(1600));
}
