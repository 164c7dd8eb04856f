//! A real container runtime: Podman builds an image FROM scratch holding only
//! the static healthprobe and the static demo server, runs it as a numeric
//! non-root user, and its HEALTHCHECK (exec form) reports what healthprobe says.
//!
//! Ignored in a plain `cargo test`; `.ci/test` runs them as root, setting
//! HEALTHPROBE_TEST_PODMAN, with HEALTHPROBE_STATIC_BIN and
//! HEALTHPROBE_STATIC_SERVER naming the static binaries. Run without them,
//! they fail. The flags work around this machine's limits: runc rather than
//! crun, explicit rlimits, and `--network none` (the probe and the server
//! share the container's own loopback).

use std::fs;
use std::path::PathBuf;
use std::process::Output;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::{TempDir, required, text};

struct StaticBinaries {
    healthprobe: PathBuf,
    server: PathBuf,
}

fn podman_binaries() -> StaticBinaries {
    required("HEALTHPROBE_TEST_PODMAN", "root, Podman and runc");
    let path = |var: &str, what: &str| {
        let path = PathBuf::from(required(var, what));
        assert!(path.is_file(), "{var}={} is not a file", path.display());
        path
    };
    StaticBinaries {
        healthprobe: path(
            "HEALTHPROBE_STATIC_BIN",
            "the static musl build of healthprobe",
        ),
        server: path(
            "HEALTHPROBE_STATIC_SERVER",
            "the static musl build of the health_server example",
        ),
    }
}

fn podman(args: &[&str]) -> Output {
    assert_cmd::Command::new("podman")
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("podman runs")
}

/// Builds and image removals one at a time: the test images share cached
/// layers, and a build using a layer that another test's `rmi` is removing
/// fails in buildah's storage ("layer not known").
fn image_store() -> std::sync::MutexGuard<'static, ()> {
    static IMAGES: Mutex<()> = Mutex::new(());
    IMAGES.lock().unwrap_or_else(|e| e.into_inner())
}

/// An image built from a Containerfile, and a container running it; both
/// removed on drop.
struct Container {
    name: String,
    image: String,
}

impl Container {
    fn start(binaries: &StaticBinaries, containerfile: &str) -> Container {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::SeqCst);
        let name = format!("healthprobe-test-{}-{n}", std::process::id());
        let image = format!("localhost/{name}:test");
        let context = TempDir::new();
        fs::copy(&binaries.healthprobe, context.path().join("healthprobe")).unwrap();
        fs::copy(&binaries.server, context.path().join("health_server")).unwrap();
        context.write("Containerfile", containerfile);
        let container = Container { name, image };
        let one_at_a_time = image_store();
        // The OCI image format has no HEALTHCHECK: build in Docker's format.
        let built = podman(&[
            "build",
            "--format",
            "docker",
            "-t",
            &container.image,
            context.path().to_str().unwrap(),
        ]);
        drop(one_at_a_time);
        drop(context);
        assert!(
            built.status.success(),
            "podman build failed\n{}",
            text(&built)
        );
        let nofile = rlimit_nofile();
        let ran = podman(&[
            "run",
            "-d",
            "--name",
            &container.name,
            "--runtime",
            "runc",
            "--network",
            "none",
            "--ulimit",
            &format!("nofile={nofile}:{nofile}"),
            "--ulimit",
            "nproc=32768:32768",
            &container.image,
        ]);
        assert!(ran.status.success(), "podman run failed\n{}", text(&ran));
        container
    }

    /// Runs one health check now, as the runtime's timer would.
    fn healthcheck(&self) -> Output {
        podman(&["healthcheck", "run", &self.name])
    }

    /// Waits (at most 5 s) for the first healthy check, as a start period would.
    fn wait_healthy(&self) -> Output {
        let mut last = self.healthcheck();
        for _ in 0..50 {
            if last.status.success() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
            last = self.healthcheck();
        }
        last
    }

    /// Runs healthprobe inside the container: the image has no shell or curl,
    /// so healthprobe itself switches the demo server's mode. The image's
    /// HEALTHPROBE_EXPECT_BODY would apply here too; empty, it is unset.
    fn switch_server(&self, mode: &str) {
        let url = format!("http://127.0.0.1:9000/admin/{mode}");
        let out = podman(&[
            "exec",
            "--env",
            "HEALTHPROBE_EXPECT_BODY=",
            &self.name,
            "/usr/local/bin/healthprobe",
            "-q",
            &url,
        ]);
        assert!(
            out.status.success(),
            "switching the server failed\n{}",
            text(&out)
        );
    }

    /// The outputs podman recorded for this container's checks, one per line
    /// (podman keeps the probe's own newline, so blank lines are dropped).
    fn health_log(&self) -> String {
        let out = podman(&[
            "inspect",
            &self.name,
            "--format",
            "{{range .State.Health.Log}}{{.ExitCode}} {{.Output}}\n{{end}}",
        ]);
        assert!(
            out.status.success(),
            "podman inspect failed\n{}",
            text(&out)
        );
        let log = String::from_utf8_lossy(&out.stdout);
        log.lines()
            .filter(|l| !l.is_empty())
            .map(|l| format!("{l}\n"))
            .collect()
    }

    fn user(&self) -> String {
        let out = podman(&["inspect", &self.image, "--format", "{{.Config.User}}"]);
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = podman(&["rm", "-f", "-t", "0", &self.name]);
        let _one_at_a_time = image_store();
        let _ = podman(&["rmi", "-f", &self.image]);
    }
}

/// The open-files limit of this process: podman here must pass one explicitly,
/// and may not raise it.
fn rlimit_nofile() -> String {
    let limits = fs::read_to_string("/proc/self/limits").unwrap_or_default();
    limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .unwrap_or("1024")
        .to_owned()
}

const IMAGE: &str = r#"FROM scratch
COPY healthprobe /usr/local/bin/healthprobe
COPY health_server /usr/local/bin/health_server
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=3s --retries=1 CMD ["/usr/local/bin/healthprobe", "--timeout", "1s", "http://127.0.0.1:9000/health"]
ENTRYPOINT ["/usr/local/bin/health_server", "--listen", "127.0.0.1:9000"]
"#;

#[test]
#[ignore = "needs root and Podman (HEALTHPROBE_TEST_PODMAN): .ci/test runs it as root"]
fn podman_healthcheck_reports_healthy_then_unhealthy_with_the_probe_line() {
    let binaries = podman_binaries();
    let container = Container::start(&binaries, IMAGE);
    assert_eq!(container.user(), "65532:65532");

    let healthy = container.wait_healthy();
    assert!(
        healthy.status.success(),
        "never healthy\n{}\n{}",
        text(&healthy),
        container.health_log()
    );

    container.switch_server("unhealthy");
    let unhealthy = container.healthcheck();
    assert_eq!(unhealthy.status.code(), Some(1), "{}", text(&unhealthy));

    let log = container.health_log();
    let lines: Vec<&str> = log.lines().collect();
    let last_two = &lines[lines.len().saturating_sub(2)..];
    let line = |prefix: &str| format!("{prefix} GET http://127.0.0.1:9000/health: ");
    assert!(
        last_two.len() == 2
            && last_two[0].starts_with(&format!(
                "0 {}200 OK from 127.0.0.1:9000 in ",
                line("healthy:")
            ))
            && last_two[1].starts_with(&format!(
                "1 {}503 Service Unavailable, expected 200-299, from 127.0.0.1:9000 in ",
                line("unhealthy:")
            )),
        "health log:\n{log}"
    );
}

const ENV_ONLY_IMAGE: &str = r#"FROM scratch
COPY healthprobe /usr/local/bin/healthprobe
COPY health_server /usr/local/bin/health_server
USER 65532:65532
ENV PORT=9000 HEALTHPROBE_TIMEOUT=1s HEALTHPROBE_EXPECT_STATUS=200 HEALTHPROBE_EXPECT_BODY=ok
HEALTHCHECK --interval=30s --timeout=3s --retries=1 CMD ["/usr/local/bin/healthprobe", "http://127.0.0.1:${PORT}/health"]
ENTRYPOINT ["/usr/local/bin/health_server", "--listen", "127.0.0.1:9000"]
"#;

#[test]
#[ignore = "needs root and Podman (HEALTHPROBE_TEST_PODMAN): .ci/test runs it as root"]
fn environment_only_configuration_and_port_expansion_work_in_a_healthcheck() {
    let binaries = podman_binaries();
    let container = Container::start(&binaries, ENV_ONLY_IMAGE);

    let healthy = container.wait_healthy();
    assert!(
        healthy.status.success(),
        "never healthy\n{}\n{}",
        text(&healthy),
        container.health_log()
    );

    container.switch_server("unhealthy");
    assert_eq!(container.healthcheck().status.code(), Some(1));
    let log = container.health_log();
    // "${PORT}" reached healthprobe unexpanded and healthprobe expanded it;
    // "expected 200" shows HEALTHPROBE_EXPECT_STATUS was read.
    let want = "1 unhealthy: GET http://127.0.0.1:9000/health: 503 Service Unavailable, expected 200, from 127.0.0.1:9000 in ";
    assert!(
        log.lines().last().is_some_and(|l| l.starts_with(want)),
        "health log:\n{log}"
    );
}

/// examples/Dockerfile.wait in miniature: the entrypoint waits for a
/// dependency on port 9001, then becomes the service on port 9000.
const WAIT_IMAGE: &str = r#"FROM scratch
COPY healthprobe /usr/local/bin/healthprobe
COPY health_server /app/server
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/healthprobe", "--wait", "60s", "--interval", "100ms", "tcp://127.0.0.1:9001", "--", "/app/server", "--listen", "127.0.0.1:9000"]
"#;

#[test]
#[ignore = "needs root and Podman (HEALTHPROBE_TEST_PODMAN): .ci/test runs it as root"]
fn an_entrypoint_waits_for_its_dependency_then_becomes_the_service_as_pid_1() {
    let binaries = podman_binaries();
    let container = Container::start(&binaries, WAIT_IMAGE);
    let service_health = || {
        podman(&[
            "exec",
            &container.name,
            "/usr/local/bin/healthprobe",
            "-t",
            "500ms",
            "http://127.0.0.1:9000/health",
        ])
    };
    // Nothing listens on 9001 yet, so the service has not started.
    std::thread::sleep(Duration::from_millis(500));
    let early = service_health();
    assert_eq!(early.status.code(), Some(1), "{}", text(&early));

    // The dependency comes up: a second process in the same container.
    let dependency = podman(&[
        "exec",
        "-d",
        &container.name,
        "/app/server",
        "--listen",
        "127.0.0.1:9001",
    ]);
    assert!(dependency.status.success(), "{}", text(&dependency));
    let mut healthy = service_health();
    for _ in 0..50 {
        if healthy.status.success() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        healthy = service_health();
    }
    assert!(
        healthy.status.success(),
        "the service never started\n{}",
        text(&healthy)
    );

    // PID 1 of the container is now the service itself, not a child of
    // healthprobe: docker stop's SIGTERM reaches it directly.
    let pid = podman(&["inspect", &container.name, "--format", "{{.State.Pid}}"]);
    let pid = String::from_utf8_lossy(&pid.stdout).trim().to_owned();
    let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&cmdline)
            .split('\0')
            .collect::<Vec<_>>(),
        ["/app/server", "--listen", "127.0.0.1:9000", ""],
        "PID 1 is not the service"
    );
    let logs = podman(&["logs", &container.name]);
    let logs = text(&logs);
    assert!(
        logs.contains("waiting: TCP 127.0.0.1:9001: connection refused at 127.0.0.1:9001 in ")
            && logs.contains("healthy: TCP 127.0.0.1:9001: connected to 127.0.0.1:9001 in "),
        "logs:\n{logs}"
    );
}
