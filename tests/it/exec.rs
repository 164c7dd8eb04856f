//! `-- COMMAND [ARGS...]`: once every target is healthy, the command runs in
//! place of healthprobe, with the same PID, environment, arguments and stdin.

use std::io::Write;
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::support::*;

#[test]
fn the_command_replaces_healthprobe_with_its_pid_environment_arguments_and_stdin() {
    let target = listening();
    let script = "echo pid=$$ token=$TOKEN argc=$# first=\"$1\" second=\"$2\"; cat";
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("healthprobe"))
        .env_clear()
        .env("TOKEN", "s3cret")
        .args([&target, "--", "/bin/sh", "-c", script, "sh", "a b", "--x"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"from stdin\n").unwrap();
    drop(stdin);
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the command ended")
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let healthy = target.trim_start_matches("tcp://");
    assert_eq!(
        placeholder_lines(&stdout),
        [
            format!("healthy: TCP {healthy}: connected to {healthy} in <elapsed>"),
            format!("pid={pid} token=s3cret argc=2 first=a b second=--x"),
            "from stdin".to_owned(),
        ],
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn the_command_is_not_run_while_a_target_is_unhealthy() {
    let dir = TempDir::new();
    let marker = dir.path().join("ran");
    let addr = closed_port();
    let script = format!("touch {}", marker.display());
    let ran = probe(&[&format!("tcp://{addr}"), "--", "/bin/sh", "-c", &script]).run();
    ran.check_lines(
        1,
        &[&format!(
            "unhealthy: TCP {addr}: connection refused at {addr} in <elapsed>"
        )],
        &[],
    );
    assert!(!marker.exists(), "the command ran");
}

#[test]
fn the_command_runs_after_waiting() {
    let addr = closed_port();
    thread::spawn(move || {
        thread::sleep(Duration::from_millis(300));
        let listener = TcpListener::bind(addr).unwrap();
        let _ = listener.accept();
    });
    let ran = probe(&[
        "-q",
        "--wait",
        "5s",
        "--interval",
        "100ms",
        &format!("tcp://{addr}"),
        "--",
        "/bin/echo",
        "started",
    ])
    .run();
    ran.check_lines(
        0,
        &[&format!(
            "waiting: TCP {addr}: connection refused at {addr} in <elapsed>"
        )],
        &["started"],
    );
}

#[test]
fn a_command_that_cannot_run_is_a_usage_error_naming_it() {
    let target = listening();
    probe(&["-q", &target, "--", "/nonexistent/server", "--port", "1"]).expect(
        64,
        "healthprobe: cannot run \"/nonexistent/server\": no such file or directory",
    );
    let dir = TempDir::new();
    let not_executable = dir.write("server", "#!/bin/sh\n");
    probe(&["-q", &target, "--", &not_executable]).expect(
        64,
        &format!("healthprobe: cannot run {not_executable:?}: permission denied"),
    );
    probe(&[&target, "--"]).expect(
        64,
        "healthprobe: -- needs a command after it, to run once every target is healthy",
    );
}
