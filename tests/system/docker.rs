//! A real Docker Engine running the image's HEALTHCHECK on its own timer, as
//! in production: a Celery worker in a shell-free image FROM scratch, whose
//! heartbeat file healthprobe checks; stopped with SIGSTOP, it turns
//! unhealthy when the file goes stale, and healthy again when continued.
//!
//! Ignored in a plain `cargo test`; `.ci/test` runs them as root. It starts
//! one dockerd for the run (`.ci/docker-engine`: Debian's docker.io 20.10,
//! vfs storage, no bridge) and sets DOCKER_HOST and HEALTHPROBE_TEST_DOCKER;
//! HEALTHPROBE_STATIC_BIN names the static healthprobe, and
//! HEALTHPROBE_TEST_CELERY_ROOTFS the root filesystem tarball of the worker
//! image (`.ci/celery-rootfs`). Run without them, they fail.
//!
//! `Docker`, `Image` and `Container` are a small harness for any such test:
//! build an image from a context directory (the legacy builder, as nothing
//! here can reach a registry or run BuildKit), run it, read its health as
//! `docker inspect` shows it, signal it, and remove both on drop, also when
//! the test fails.

use std::fmt;
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt, chown};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use crate::support::{TempDir, required, text};

const NEEDS: &str = "root and Docker Engine (.ci/test starts dockerd)";

/// Debian's docker.io client, by its full path: another `docker` (a newer
/// client) may come first on PATH.
const DOCKER: &str = "/usr/bin/docker";

/// The Docker Engine that `.ci/test` started, reached through DOCKER_HOST.
pub struct Docker {
    pub host: String,
}

impl Docker {
    pub fn from_env() -> Docker {
        required("HEALTHPROBE_TEST_DOCKER", NEEDS);
        let host = required(
            "DOCKER_HOST",
            "the socket of the dockerd that .ci/docker-engine starts",
        );
        Docker { host }
    }

    /// Runs `docker ARGS`, killed after `limit`, whatever it returns.
    pub fn output(&self, args: &[&str], limit: Duration) -> Output {
        assert_cmd::Command::new(DOCKER)
            .env("DOCKER_HOST", &self.host)
            .env("DOCKER_BUILDKIT", "0")
            .args(args)
            .timeout(limit)
            .output()
            .unwrap_or_else(|e| panic!("docker {args:?}: {e}"))
    }

    /// Runs `docker ARGS` (at most a minute) and returns its standard output;
    /// fails the test if it fails.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.output(args, Duration::from_secs(60));
        assert!(out.status.success(), "docker {args:?}\n{}", text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Builds the Dockerfile in `context` with the legacy builder, tagged
    /// after `what` and this test process.
    pub fn build(&self, what: &str, context: &Path) -> Image<'_> {
        self.build_tagged(&format!("localhost/{}:test", unique_name(what)), context)
    }

    /// Builds the Dockerfile in `context` as [`Docker::build`] does, tagged
    /// `tag`: the name a Compose file gives the image.
    pub fn build_tagged(&self, tag: &str, context: &Path) -> Image<'_> {
        let image = Image {
            docker: self,
            tag: tag.to_owned(),
        };
        let started = Instant::now();
        let built = self.output(
            &[
                "build",
                "--force-rm",
                "-q",
                "-t",
                &image.tag,
                context.to_str().unwrap(),
            ],
            Duration::from_secs(300),
        );
        assert!(
            built.status.success(),
            "docker build of {}\n{}",
            image.tag,
            text(&built)
        );
        eprintln!("built {} in {:.1?}", image.tag, started.elapsed());
        image
    }
}

impl Docker {
    /// The health of the container `name` as `docker inspect` shows it now.
    pub fn health(&self, name: &str) -> Health {
        // Fields are separated by US (0x1f) and checks by RS (0x1e), which
        // neither a status nor a probe's printable output contains.
        let template = r#"{{with .State.Health}}{{.Status}}{{"\x1f"}}{{.FailingStreak}}{{range .Log}}{{"\x1e"}}{{.Start.UnixNano}}{{"\x1f"}}{{.End.UnixNano}}{{"\x1f"}}{{.ExitCode}}{{"\x1f"}}{{.Output}}{{end}}{{end}}"#;
        let out = self.ok(&["inspect", "--format", template, name]);
        // `docker inspect` ends the template's text with a newline.
        Health::parse(out.strip_suffix('\n').unwrap_or(&out))
            .unwrap_or_else(|| panic!("{name} has no health state: {out:?}"))
    }
}

/// A built image; removed on drop.
pub struct Image<'d> {
    docker: &'d Docker,
    pub tag: String,
}

impl Image<'_> {
    /// A field of the image's configuration, through a Go template such as
    /// `{{.Config.User}}`.
    pub fn inspect(&self, template: &str) -> String {
        let out = self
            .docker
            .ok(&["image", "inspect", "--format", template, &self.tag]);
        out.trim_end().to_owned()
    }

    /// Starts a container of this image in the background, with `options`
    /// between `docker run -d` and the image.
    pub fn run(&self, options: &[&str]) -> Container<'_> {
        let container = Container {
            image: self,
            name: unique_name("container"),
        };
        let mut args = vec!["run", "-d", "--name", &container.name];
        args.extend_from_slice(options);
        args.push(&self.tag);
        let ran = self.docker.output(&args, Duration::from_secs(60));
        assert!(
            ran.status.success(),
            "docker run {}\n{}",
            self.tag,
            text(&ran)
        );
        container
    }
}

impl Drop for Image<'_> {
    fn drop(&mut self) {
        let _ = self
            .docker
            .output(&["rmi", "-f", &self.tag], Duration::from_secs(60));
    }
}

/// A running container; killed and removed on drop, before its image (which
/// it borrows).
pub struct Container<'i> {
    image: &'i Image<'i>,
    pub name: String,
}

impl Container<'_> {
    fn docker(&self) -> &Docker {
        self.image.docker
    }

    /// Its health as `docker inspect` shows it now.
    pub fn health(&self) -> Health {
        self.docker().health(&self.name)
    }

    /// Polls its health every 100 ms until its status is `status`, for at
    /// most `limit` from `since`; returns that health.
    pub fn wait_for_status(&self, status: &str, since: Instant, limit: Duration) -> Health {
        loop {
            let health = self.health();
            if health.status == status {
                return health;
            }
            assert!(
                since.elapsed() < limit,
                "{} was not {status} within {limit:?}\n{}",
                self.name,
                self.describe()
            );
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends `signal` (a name such as STOP) to its main process.
    pub fn kill(&self, signal: &str) {
        self.docker().ok(&["kill", "--signal", signal, &self.name]);
    }

    /// Runs `command` in it, as `docker exec` does (the image's user).
    pub fn exec(&self, command: &[&str]) -> Output {
        let mut args = vec!["exec", self.name.as_str()];
        args.extend_from_slice(command);
        self.docker().output(&args, Duration::from_secs(60))
    }

    /// The host's pid of its main process.
    pub fn pid(&self) -> u32 {
        let pid = self
            .docker()
            .ok(&["inspect", "--format", "{{.State.Pid}}", &self.name]);
        pid.trim().parse().unwrap()
    }

    /// The metadata of the file at `path` inside it, read by the host
    /// through its main process's root (/proc/PID/root).
    pub fn file(&self, path: &str) -> fs::Metadata {
        let on_host = format!("/proc/{}/root{path}", self.pid());
        fs::metadata(&on_host).unwrap_or_else(|e| panic!("{on_host}: {e}"))
    }

    /// What its main process wrote, stdout and stderr.
    pub fn logs(&self) -> String {
        text(&self.docker().output(
            &["logs", "--tail", "40", &self.name],
            Duration::from_secs(60),
        ))
    }

    /// Its health and its logs, for a failing assertion's message.
    pub fn describe(&self) -> String {
        format!("{}\nlogs:\n{}", self.health(), self.logs())
    }
}

impl Drop for Container<'_> {
    fn drop(&mut self) {
        let _ = self
            .docker()
            .output(&["rm", "-f", &self.name], Duration::from_secs(60));
    }
}

/// `.State.Health` of a container: its status, its failing streak, and the
/// last five checks.
pub struct Health {
    pub status: String,
    pub failing_streak: u32,
    pub log: Vec<Check>,
}

/// One health check as the engine recorded it.
pub struct Check {
    pub start: SystemTime,
    pub end: SystemTime,
    /// The probe's exit code; -1 when the engine killed it at the timeout.
    pub exit_code: i64,
    /// The first 4096 bytes of its stdout and stderr.
    pub output: String,
}

impl Health {
    fn parse(text: &str) -> Option<Health> {
        let mut records = text.split('\x1e');
        let (status, streak) = records.next()?.split_once('\x1f')?;
        let time = |nanos: &str| -> Option<SystemTime> {
            Some(SystemTime::UNIX_EPOCH + Duration::from_nanos(nanos.parse().ok()?))
        };
        let log = records
            .map(|record| {
                let mut fields = record.splitn(4, '\x1f');
                Some(Check {
                    start: time(fields.next()?)?,
                    end: time(fields.next()?)?,
                    exit_code: fields.next()?.parse().ok()?,
                    output: fields.next()?.to_owned(),
                })
            })
            .collect::<Option<Vec<Check>>>()?;
        Some(Health {
            status: status.to_owned(),
            failing_streak: streak.parse().ok()?,
            log,
        })
    }

    /// The checks that started after `time`.
    pub fn since(&self, time: SystemTime) -> impl Iterator<Item = &Check> {
        self.log.iter().filter(move |check| check.start > time)
    }
}

impl fmt::Display for Health {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "health: {}, failing streak {}",
            self.status, self.failing_streak
        )?;
        for check in &self.log {
            let at = |t: SystemTime| {
                t.duration_since(SystemTime::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs_f64()
            };
            writeln!(
                f,
                "  {:.3} to {:.3}: exit {}: {:?}",
                at(check.start),
                at(check.end),
                check.exit_code,
                check.output
            )?;
        }
        Ok(())
    }
}

/// A name no other test or run uses: `healthprobe-test-PID-N-WHAT`.
pub fn unique_name(what: &str) -> String {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, Ordering::SeqCst);
    format!("healthprobe-test-{}-{n}-{what}", std::process::id())
}

pub fn file_from_env(var: &str, what: &str) -> PathBuf {
    let path = PathBuf::from(required(var, what));
    assert!(path.is_file(), "{var}={} is not a file", path.display());
    path
}

/// Puts `from` into the directory `dir` as `name`: a hard link where it can,
/// since a build context of a large tarball is otherwise copied once more.
pub fn link_or_copy(from: &Path, dir: &Path, name: &str) {
    let to = dir.join(name);
    if fs::hard_link(from, &to).is_err() {
        fs::copy(from, &to).unwrap();
    }
}

/// A Redis server of the test's own on 127.0.0.1 (Debian's redis-server, run
/// as `redis` with nothing saved), as tests/system/real_databases.rs starts one.
struct Redis {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl Redis {
    fn start() -> Redis {
        let dir = TempDir::new();
        let id = |flag: &str| -> u32 {
            let out = Command::new("id").args([flag, "redis"]).output().unwrap();
            String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
        };
        chown(dir.path(), Some(id("-u")), Some(id("-g"))).unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // setpriv executes the server itself, so killing the child stops it.
        let child = Command::new("setpriv")
            .args(["--reuid=redis", "--regid=redis", "--init-groups"])
            .args(["/usr/bin/redis-server", "--bind", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .args(["--save", "", "--appendonly", "no", "--dir"])
            .arg(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut redis = Redis {
            child,
            port,
            _dir: dir,
        };
        // At most 100 tries 100 ms apart.
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return redis;
            }
            if let Ok(Some(status)) = redis.child.try_wait() {
                panic!("redis-server exited: {status}");
            }
            thread::sleep(Duration::from_millis(100));
        }
        panic!("redis-server did not listen on 127.0.0.1:{port} within 10 s");
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Celery's worker heartbeat: `--heartbeat-interval` takes whole seconds.
const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(1);
/// The heartbeat file's allowed age: three heartbeats.
const MAX_AGE: Duration = Duration::from_secs(3);
/// The file the worker touches at each heartbeat (WORKER_PY names it too).
const HEARTBEAT: &str = "/tmp/heartbeat/celery";
/// The HEALTHCHECK's settings.
const INTERVAL: Duration = Duration::from_secs(1);
const TIMEOUT: Duration = Duration::from_secs(2);
const RETRIES: u32 = 2;
/// What the engine adds to each check: dockerd starts an exec through
/// containerd and runc, and the next interval counts from the end of the
/// previous check (moby daemon/health.go). Measured here: 0.1 to 0.2 s idle,
/// near 1 s with two compilers busy on the two cores.
const CHECK_SLACK: Duration = Duration::from_secs(1);

/// The worker module. Celery's Heart (celery/worker/heartbeat.py, 5.6.3)
/// sends the `heartbeat_sent` signal each time it sends a worker event: once
/// when it starts (worker-online), then worker-heartbeat from a timer on the
/// event loop of the worker's main process, every `--heartbeat-interval`
/// seconds; so the file ages when that process stops. It runs whenever
/// worker events are on, which in 5.6 they are unless both
/// `--without-heartbeat` and `--without-gossip` are given
/// (celery/worker/consumer/events.py; `-E` adds the task events). Heart
/// looks for receivers once, when it is made at worker start, so the
/// handler is connected when the module is imported (`-A worker`).
const WORKER_PY: &str = r#"import os
import pathlib

from celery import Celery
from celery.signals import heartbeat_sent

app = Celery("worker", broker=os.environ["BROKER_URL"])
HEARTBEAT = pathlib.Path("/tmp/heartbeat/celery")


@heartbeat_sent.connect
def touch_heartbeat(sender, **kwargs):
    HEARTBEAT.touch()
"#;

/// A shell-free Celery worker image: Python, its libraries, the venv with
/// Celery (rootfs.tar, from .ci/celery-rootfs; `ADD` keeps its owners and
/// modes), then healthprobe and the worker module (add/); numeric user
/// 65532; the check in exec form. The settings come before the files: with
/// the vfs storage driver the legacy builder copies the whole filesystem
/// built so far for each of them (an intermediate container), which makes
/// this order about 40% faster to build.
fn worker_dockerfile() -> String {
    let secs = |d: Duration| format!("{}s", d.as_secs());
    format!(
        r#"FROM scratch
USER 65532:65532
HEALTHCHECK --interval={interval} --timeout={timeout} --start-period=60s --retries={RETRIES} CMD ["/healthprobe", "--max-age", "{max_age}", "file://{HEARTBEAT}"]
ENTRYPOINT ["/venv/bin/python3", "-m", "celery", "--workdir", "/app", "-A", "worker", "worker", "-E", "--heartbeat-interval", "{heartbeat}", "--pool", "prefork", "--concurrency", "1", "--without-mingle", "--without-gossip", "--loglevel", "INFO"]
ADD rootfs.tar /
COPY add/ /
"#,
        interval = secs(INTERVAL),
        timeout = secs(TIMEOUT),
        max_age = secs(MAX_AGE),
        heartbeat = HEARTBEAT_INTERVAL.as_secs(),
    )
}

/// The state letter of a process in /proc (R, S, T for stopped, ...).
fn process_state(pid: u32) -> String {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The state follows the command name, which is in parentheses.
    stat.rsplit_once(") ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .unwrap_or("?")
        .to_owned()
}

#[test]
#[ignore = "needs root and Docker Engine (.ci/test starts dockerd)"]
fn a_stopped_celery_worker_turns_unhealthy_when_its_heartbeat_file_goes_stale() {
    let docker = Docker::from_env();
    let healthprobe = file_from_env(
        "HEALTHPROBE_STATIC_BIN",
        "the static musl build of healthprobe",
    );
    let rootfs = file_from_env(
        "HEALTHPROBE_TEST_CELERY_ROOTFS",
        "the Celery worker's root filesystem tarball (.ci/celery-rootfs)",
    );
    let redis = Redis::start();

    let context = TempDir::new();
    link_or_copy(&rootfs, context.path(), "rootfs.tar");
    fs::create_dir_all(context.path().join("add")).unwrap();
    fs::copy(&healthprobe, context.path().join("add/healthprobe")).unwrap();
    context.write("add/app/worker.py", WORKER_PY);
    context.write("Dockerfile", &worker_dockerfile());
    let image = docker.build("celery-worker", context.path());
    drop(context);
    assert_eq!(image.inspect("{{.Config.User}}"), "65532:65532");

    let started = Instant::now();
    let broker = format!("BROKER_URL=redis://127.0.0.1:{}/0", redis.port);
    let worker = image.run(&["--network", "host", "--env", &broker]);

    // No shell to fall back on: the image has none, so not even `docker
    // exec` can start one. (The 20.10 client prints runc's error on stdout,
    // and exits 126.)
    for shell in ["/bin/sh", "/bin/bash", "/bin/busybox", "/usr/bin/sh"] {
        let ran = worker.exec(&[shell, "-c", "true"]);
        assert!(
            ran.status.code() == Some(126)
                && text(&ran).contains(&format!("stat {shell}: no such file or directory")),
            "docker exec {shell} in the worker\n{}",
            text(&ran)
        );
    }

    worker.wait_for_status("healthy", started, Duration::from_secs(60));
    eprintln!("healthy {:.1?} after docker run", started.elapsed());
    let healthy_at = SystemTime::now();

    // It stays healthy, check after check: the heartbeat keeps the file
    // fresh. Three more checks take about three intervals.
    let limit = 3 * (INTERVAL + CHECK_SLACK) + TIMEOUT + Duration::from_secs(2);
    let waited = Instant::now();
    loop {
        let health = worker.health();
        assert!(
            health.status == "healthy" && health.since(healthy_at).all(|c| c.exit_code == 0),
            "the running worker did not stay healthy\n{}",
            worker.describe()
        );
        if health.since(healthy_at).count() >= 3 {
            let line = &health.log.last().unwrap().output;
            assert!(line.starts_with("healthy: "), "{health}");
            break;
        }
        assert!(
            waited.elapsed() < limit,
            "fewer than 3 checks ran within {limit:?}\n{}",
            worker.describe()
        );
        thread::sleep(Duration::from_millis(100));
    }

    // SIGSTOP freezes the worker's main process, and with it the heartbeat,
    // as a deadlocked event loop would; `docker pause` would freeze the
    // container's health checks too.
    let stopped = Instant::now();
    worker.kill("STOP");
    let pid = worker.pid();
    // The signal takes effect when the process next runs: 20 looks, 50 ms
    // apart.
    let state = (0..20)
        .map(|_| {
            thread::sleep(Duration::from_millis(50));
            process_state(pid)
        })
        .find(|state| state == "T");
    assert!(state.is_some(), "the worker's pid {pid} is not stopped");
    // The file the worker wrote, as its user, read through its root.
    let heartbeat = worker.file(HEARTBEAT);
    assert_eq!(heartbeat.uid(), 65532, "the owner of {HEARTBEAT}");
    let last_beat = heartbeat.modified().unwrap();
    let stale_at = last_beat + MAX_AGE;

    // Unhealthy after RETRIES failing checks, INTERVAL apart, the first
    // ending after the file turned stale: no sooner than MAX_AGE +
    // (RETRIES - 1) * INTERVAL after the last heartbeat. At the latest, from
    // the stop: the file is stale MAX_AGE after it, the check running then
    // may take up to TIMEOUT, and RETRIES more follow.
    let latest = MAX_AGE + (RETRIES + 1) * (INTERVAL + CHECK_SLACK) + TIMEOUT;
    let unhealthy = worker.wait_for_status("unhealthy", stopped, latest);
    let seen = SystemTime::now();
    let took = stopped.elapsed();
    let age = |t: SystemTime| t.duration_since(last_beat).unwrap_or_default();
    eprintln!(
        "unhealthy {took:.1?} after SIGSTOP, {:.1?} after the last heartbeat (max age {MAX_AGE:?})",
        age(seen)
    );
    for check in &unhealthy.log {
        eprintln!(
            "  check {:>6.2?} to {:>6.2?} after the last heartbeat: exit {}",
            age(check.start),
            age(check.end),
            check.exit_code
        );
    }
    eprintln!("the check said: {:?}", unhealthy.log.last().unwrap().output);
    assert!(
        seen >= stale_at + (RETRIES - 1) * INTERVAL,
        "unhealthy {:?} after the last heartbeat\n{unhealthy}",
        age(seen)
    );
    // Each check says what the file's age was when it ran: healthy while
    // it was at most MAX_AGE, healthprobe's unhealthy (exit 1) after.
    let margin = Duration::from_millis(10);
    for check in unhealthy.log.iter() {
        assert!(
            (check.end + margin < stale_at && check.exit_code == 0)
                || (check.start > stale_at + margin && check.exit_code == 1)
                || (check.start <= stale_at + margin && check.end + margin >= stale_at),
            "a check disagrees with the file's age ({:?} to {:?} after the last heartbeat)\n{unhealthy}",
            age(check.start),
            age(check.end)
        );
    }
    let line = &unhealthy.log.last().unwrap().output;
    assert!(
        line.starts_with("unhealthy: ")
            && line.contains("modified ")
            && line.contains(&format!(" ago, limit {}s", MAX_AGE.as_secs()))
            && line.ends_with('\n')
            && line.lines().count() == 1,
        "the last check's output: {line:?}\n{unhealthy}"
    );

    // SIGCONT: the event loop runs its overdue heartbeat, and the next
    // check finds a fresh file.
    let continued = Instant::now();
    worker.kill("CONT");
    let limit = HEARTBEAT_INTERVAL + INTERVAL + CHECK_SLACK + TIMEOUT + Duration::from_secs(2);
    let healthy = worker.wait_for_status("healthy", continued, limit);
    eprintln!("healthy again {:.1?} after SIGCONT", continued.elapsed());
    assert!(
        worker.file(HEARTBEAT).modified().unwrap() > last_beat
            && healthy.log.last().unwrap().output.starts_with("healthy: "),
        "{healthy}"
    );
    eprintln!("from docker run to the end: {:.1?}", started.elapsed());
}

/// An image whose only executables are the demo server and healthprobe
/// named `curl`, with a HEALTHCHECK as a third-party Compose file writes it.
fn curl_dockerfile() -> &'static str {
    r#"FROM scratch
USER 65532:65532
HEALTHCHECK --interval=1s --timeout=2s --retries=1 CMD ["curl", "-f", "http://localhost:9000/health"]
ENTRYPOINT ["/usr/local/bin/health_server", "--listen", "127.0.0.1:9000"]
COPY add/ /
"#
}

#[test]
#[ignore = "needs root and Docker Engine (.ci/test starts dockerd)"]
fn a_healthcheck_that_calls_curl_runs_healthprobe_named_curl_in_both_builds() {
    let docker = Docker::from_env();
    let server = file_from_env(
        "HEALTHPROBE_STATIC_SERVER",
        "the static musl build of the health_server example",
    );
    for (build, var) in [
        ("default", "HEALTHPROBE_STATIC_BIN"),
        ("loopback-only", "HEALTHPROBE_LOOPBACK_BIN"),
    ] {
        let healthprobe = file_from_env(var, "a static build of healthprobe");
        let context = TempDir::new();
        fs::create_dir_all(context.path().join("add/usr/bin")).unwrap();
        fs::create_dir_all(context.path().join("add/usr/local/bin")).unwrap();
        fs::copy(&healthprobe, context.path().join("add/usr/bin/curl")).unwrap();
        fs::copy(
            &server,
            context.path().join("add/usr/local/bin/health_server"),
        )
        .unwrap();
        context.write("Dockerfile", curl_dockerfile());
        let image = docker.build(&format!("curl-{build}"), context.path());
        drop(context);

        let started = Instant::now();
        let app = image.run(&["--network", "none"]);
        let ran = app.exec(&["/bin/sh", "-c", "true"]);
        assert_eq!(
            ran.status.code(),
            Some(126),
            "{build}: a shell ran\n{}",
            text(&ran)
        );

        let health = app.wait_for_status("healthy", started, Duration::from_secs(30));
        let last = health.log.last().expect("a check ran");
        assert!(
            last.exit_code == 0
                && last
                    .output
                    .contains("healthy: GET http://localhost:9000/health: 200 OK"),
            "{build}: {health}"
        );

        // The server turns unhealthy: the check exits 22, as curl -f does.
        let switch = |mode: &str| {
            let url = format!("http://127.0.0.1:9000/admin/{mode}");
            let ran = app.exec(&["curl", "-fsS", "-o", "/dev/null", &url]);
            assert!(
                ran.status.success(),
                "{build}: switching to {mode}\n{}",
                text(&ran)
            );
        };
        let switched = Instant::now();
        switch("unhealthy");
        let health = app.wait_for_status("unhealthy", switched, Duration::from_secs(15));
        let last = health.log.last().expect("a check ran");
        assert!(
            last.exit_code == 22 && last.output.contains("503 Service Unavailable"),
            "{build}: {health}"
        );
        let switched = Instant::now();
        switch("healthy");
        app.wait_for_status("healthy", switched, Duration::from_secs(15));
        eprintln!(
            "{build}: healthy, unhealthy and healthy again in {:.1?}",
            started.elapsed()
        );
    }
}

/// An image whose ENTRYPOINT waits for a dependency that never comes, then
/// would run the service: healthprobe is its PID 1 while it waits.
fn waiting_entrypoint_dockerfile() -> &'static str {
    r#"FROM scratch
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/healthprobe", "--wait", "60s", "tcp://127.0.0.1:1", "--", "/usr/local/bin/healthprobe", "--version"]
COPY add/ /
"#
}

#[test]
#[ignore = "needs root and Docker Engine (.ci/test starts dockerd)"]
fn docker_stop_ends_a_waiting_entrypoint_at_once() {
    let docker = Docker::from_env();
    let healthprobe = file_from_env("HEALTHPROBE_STATIC_BIN", "the static musl build");
    let context = TempDir::new();
    fs::create_dir_all(context.path().join("add/usr/local/bin")).unwrap();
    fs::copy(
        &healthprobe,
        context.path().join("add/usr/local/bin/healthprobe"),
    )
    .unwrap();
    context.write("Dockerfile", waiting_entrypoint_dockerfile());
    let image = docker.build("waiting-entrypoint", context.path());
    drop(context);
    let app = image.run(&["--network", "none"]);
    // Waiting: its first attempt has failed.
    let started = Instant::now();
    while !app.logs().contains("waiting: TCP 127.0.0.1:1") {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{}",
            app.logs()
        );
        thread::sleep(Duration::from_millis(100));
    }
    let stopping = Instant::now();
    docker.ok(&["stop", "--time", "10", &app.name]);
    let stopped = stopping.elapsed();
    let code = docker.ok(&["inspect", "--format", "{{.State.ExitCode}}", &app.name]);
    let logs = app.logs();
    assert!(
        stopped < Duration::from_secs(3)
            && code.trim() == "143"
            && logs.contains(
                "healthprobe: stopped by SIGTERM while waiting for tcp://127.0.0.1:1; \"/usr/local/bin/healthprobe\" was not started"
            ),
        "docker stop took {stopped:?}, exit {code}\n{logs}"
    );
    eprintln!("docker stop: {stopped:.1?}");
}
