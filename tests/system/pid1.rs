//! healthprobe as PID 1 of a PID namespace of its own, as an image's
//! ENTRYPOINT is: SIGTERM and SIGINT end the wait at once, and after the
//! wait the service gets its signals. Needs root for the namespace.

use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use crate::support::*;

/// The first child of `pid` (a process `unshare --fork` started), waiting
/// for it to appear (at most 2 s).
fn first_child(pid: u32) -> u32 {
    let children = format!("/proc/{pid}/task/{pid}/children");
    for _ in 0..200 {
        let text = std::fs::read_to_string(&children).unwrap_or_default();
        if let Some(child) = text.split_whitespace().next() {
            return child.parse().unwrap();
        }
        thread::sleep(Duration::from_millis(10));
    }
    panic!("{pid} started no child");
}

/// healthprobe as PID 1 of a PID namespace of its own (`unshare --pid
/// --fork`), with these arguments, its stderr piped.
fn as_pid_1(args: &[&str]) -> std::process::Child {
    required(
        "HEALTHPROBE_TEST_SANDBOX",
        "root, for a PID namespace (unshare --pid)",
    );
    Command::new("unshare")
        .args(["--pid", "--fork", "--kill-child"])
        .arg(assert_cmd::cargo::cargo_bin("healthprobe"))
        .args(args)
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
#[ignore = "needs root for a PID namespace (HEALTHPROBE_TEST_SANDBOX): .ci/test runs it as root"]
fn as_pid_1_sigterm_and_sigint_end_the_wait_at_once_with_a_line() {
    let closed = closed_port();
    let target = format!("tcp://{closed}");
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let child = as_pid_1(&["--wait", "30s", &target, "--", "/bin/true"]);
        let pid_1 = first_child(child.id());
        // Let it start waiting: the first attempt fails at once.
        thread::sleep(Duration::from_millis(300));
        let sent = std::time::Instant::now();
        let number = match signal {
            "TERM" => nix::sys::signal::Signal::SIGTERM,
            _ => nix::sys::signal::Signal::SIGINT,
        };
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid_1 as i32), number).unwrap();
        let output = child.wait_with_output().unwrap();
        let stopped = sent.elapsed();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.code() == Some(code)
                && stopped < Duration::from_millis(500)
                && stderr.ends_with(&format!(
                    "healthprobe: stopped by SIG{signal} while waiting for {target}; \"/bin/true\" was not started\n"
                )),
            "SIG{signal}: exit {:?} {stopped:?} after the signal\n{stderr}",
            output.status.code()
        );
    }
}

#[test]
#[ignore = "needs root for a PID namespace (HEALTHPROBE_TEST_SANDBOX): .ci/test runs it as root"]
fn after_the_wait_the_service_gets_its_signals_back() {
    // The mask healthprobe set while waiting is not passed on: the command
    // it runs as PID 1 blocks no signal.
    let child = as_pid_1(&[
        "--wait",
        "5s",
        &listening(),
        "--",
        "/bin/grep",
        "^SigBlk",
        "/proc/self/status",
    ]);
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.ends_with("\nSigBlk:\t0000000000000000\n"),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
