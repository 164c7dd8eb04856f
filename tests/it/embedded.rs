//! examples/embedded.rs: a service whose own binary answers `healthcheck`
//! through the library, run for real as a Dockerfile's HEALTHCHECK would run
//! it, against the service itself.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::{closed_port, probe_with};

/// The example's binary, which `cargo test` builds with the tests.
fn embedded() -> String {
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/debug/deps/it-HASH -> target/debug/examples/embedded
    let path: PathBuf = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join("examples/embedded"))
        .expect("a target directory");
    assert!(
        path.exists(),
        "{} is missing: run the whole `cargo test`, which builds the examples",
        path.display()
    );
    path.display().to_string()
}

/// The example running as a service in `mode`, killed when dropped.
struct Service {
    child: Child,
    port: u16,
}

impl Service {
    fn start(mode: &str) -> Service {
        let mut child = Command::new(embedded())
            .arg(mode)
            .env_clear()
            .env("PORT", "0")
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the example service");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("its stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("its first line");
        let port = line
            .trim()
            .rsplit_once(':')
            .and_then(|(_, port)| port.parse().ok())
            .unwrap_or_else(|| panic!("not `listening on ADDRESS`: {line:?}"));
        Service { child, port }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn healthcheck(port: u16) -> crate::support::Probe {
    probe_with(&[embedded()], &["healthcheck"]).env("PORT", &port.to_string())
}

#[test]
fn embedded_healthcheck_is_healthy_when_its_service_answers_up() {
    let service = Service::start("healthy");
    let port = service.port;
    healthcheck(port).expect(
        0,
        &format!(
            "healthy: GET http://127.0.0.1:{port}/health: 200 OK from 127.0.0.1:{port} in <elapsed>"
        ),
    );
}

#[test]
fn embedded_healthcheck_is_unhealthy_when_its_service_answers_503() {
    let service = Service::start("unhealthy");
    let port = service.port;
    healthcheck(port).expect(
        1,
        &format!(
            "unhealthy: GET http://127.0.0.1:{port}/health: 503 Service Unavailable, expected 200, from 127.0.0.1:{port} in <elapsed>"
        ),
    );
}

#[test]
fn embedded_healthcheck_gives_up_at_its_deadline_when_its_service_hangs() {
    let service = Service::start("slow");
    let port = service.port;
    // The library's line names the library's setting, not the flag.
    let ran = healthcheck(port).expect(
        1,
        &format!(
            "unhealthy: GET http://127.0.0.1:{port}/health: timed out waiting for the response head from 127.0.0.1:{port} (timeout 2.00s, 0 bytes received) in <elapsed>"
        ),
    );
    ran.ended_at_deadline(Duration::from_secs(2));
}

#[test]
fn embedded_healthcheck_is_unhealthy_when_its_service_is_down() {
    let port = closed_port().port();
    healthcheck(port)
        .expect(
            1,
            &format!(
                "unhealthy: GET http://127.0.0.1:{port}/health: connection refused at 127.0.0.1:{port} in <elapsed>"
            ),
        )
        .ended_within(Duration::from_millis(500));
}

#[test]
fn embedded_healthcheck_exits_64_when_misconfigured() {
    probe_with(&[embedded()], &["healthcheck"])
        .env("PORT", "http")
        .expect(
            64,
            "embedded: invalid PORT \"http\": expected a port number",
        );
}
