//! The kubelet's exec probe, as the runtime sees it: the CRI call
//! `runtime.v1.RuntimeService/ExecSync(container_id, cmd, timeout)` on
//! containerd's CRI socket, with `timeout` the probe's timeoutSeconds and a
//! gRPC deadline of that plus the kubelet's runtime request timeout (the
//! kubelet's cri-client, `remote_runtime.go`). No kubelet runs here: the
//! client is tests/cri/cri.py, which makes the same calls.
//!
//! Each test makes a pod on the host's network (no CNI), whose one container
//! runs the static health_server as uid 65532 from an image FROM scratch that
//! holds it and the static healthprobe, and runs healthprobe in it through
//! ExecSync. A hung endpoint is health_server in `--mode slow`: it reads the
//! request and answers 10 s later.
//!
//! Ignored in a plain `cargo test`; `.ci/test` runs them as root. It starts
//! one containerd for the run (`.ci/cri start DIR`, which also makes the
//! client's venv and imports the pause image) and sets
//! HEALTHPROBE_TEST_CRI=DIR; HEALTHPROBE_STATIC_BIN and
//! HEALTHPROBE_STATIC_SERVER name the static binaries. Run without them,
//! they fail.
//!
//! `Cri`, `Image` and `Pod` are a small harness for any such test: import an
//! image, run a pod with one container, exec in it, and remove both on drop,
//! also when the test fails.

use std::fmt;
use std::fs;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use crate::docker::{file_from_env, unique_name};
use crate::support::{TempDir, closed_port, placeholder, required, static_binary, text};

const NEEDS: &str = "root and containerd's CRI (.ci/test starts it)";

/// Debian's containerd client, by its full path.
const CTR: &str = "/usr/bin/ctr";

/// The uid the test container runs as (the distroless `nonroot`).
const USER: &str = "65532";

/// The containerd that `.ci/cri start DIR` started: its socket is
/// DIR/containerd.sock, its snapshotter named in DIR/snapshotter.
pub struct Cri {
    socket: String,
    snapshotter: String,
    root: PathBuf,
    /// One test at a time: the tests measure how long ExecSync takes, which
    /// another test's pod starting on the same two cores would lengthen.
    _alone: MutexGuard<'static, ()>,
}

impl Cri {
    pub fn from_env() -> Cri {
        static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
        let dir = PathBuf::from(required("HEALTHPROBE_TEST_CRI", NEEDS));
        let alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let snapshotter = fs::read_to_string(dir.join("snapshotter")).unwrap_or_else(|e| {
            panic!(
                "HEALTHPROBE_TEST_CRI={}: no snapshotter file ({e}); start it with .ci/cri",
                dir.display()
            )
        });
        Cri {
            socket: dir.join("containerd.sock").display().to_string(),
            snapshotter: snapshotter.trim().to_owned(),
            root: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
            _alone: alone,
        }
    }

    /// Runs tests/cri/cri.py ARGS in the venv that .ci/cri makes, killed
    /// after `limit`.
    fn client(&self, args: &[&str], limit: Duration) -> Output {
        let python = self.root.join("target/cri/venv/bin/python");
        assert!(
            python.is_file(),
            "{} is missing: .ci/cri start makes it",
            python.display()
        );
        assert_cmd::Command::new(python)
            .arg(self.root.join("tests/cri/cri.py"))
            .args(["--socket", &self.socket])
            .args(args)
            .timeout(limit)
            .output()
            .unwrap_or_else(|e| panic!("cri.py {args:?}: {e}"))
    }

    /// Runs cri.py ARGS (at most a minute); fails the test if it fails, and
    /// returns its standard output, trimmed.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.client(args, Duration::from_secs(60));
        assert!(out.status.success(), "cri.py {args:?}\n{}", text(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    fn ctr(&self, args: &[&str]) -> Output {
        assert_cmd::Command::new(CTR)
            .args(["--address", &self.socket, "--namespace", "k8s.io"])
            .args(args)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap_or_else(|e| panic!("ctr {args:?}: {e}"))
    }

    /// Imports an image FROM scratch holding the static healthprobe and
    /// health_server at / (tests/cri/image.py writes it), whose entrypoint
    /// is the server, run as uid 65532.
    pub fn test_image(&self) -> Image<'_> {
        self.image(&["healthprobe", "health_server"], "/health_server")
    }

    /// Imports an image FROM scratch holding, at each path of `paths`
    /// (relative to /), the static healthprobe when the path's last part is
    /// `healthprobe`, else the static health_server; its entrypoint is
    /// `entrypoint`, run as uid 65532.
    pub fn image(&self, paths: &[&str], entrypoint: &str) -> Image<'_> {
        let server = file_from_env(
            "HEALTHPROBE_STATIC_SERVER",
            "the static musl build of the health_server example",
        );
        let files: Vec<String> = paths
            .iter()
            .map(|path| match path.rsplit('/').next() {
                Some("healthprobe") => format!("{path}={}", static_binary().display()),
                _ => format!("{path}={}", server.display()),
            })
            .collect();
        let dir = TempDir::new();
        let tarball = dir.path().join("image.tar");
        let mut image = Image {
            cri: self,
            tag: format!("localhost/{}:test", unique_name("image")),
            id: String::new(),
        };
        let started = Instant::now();
        let built = assert_cmd::Command::new("python3")
            .arg(self.root.join("tests/cri/image.py"))
            .arg(&tarball)
            .args([image.tag.as_str(), USER, &format!("[{entrypoint:?}]")])
            .args(&files)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        assert!(built.status.success(), "image.py\n{}", text(&built));
        image.id = String::from_utf8_lossy(&built.stdout).trim().to_owned();
        let imported = self.ctr(&[
            "images",
            "import",
            "--snapshotter",
            &self.snapshotter,
            tarball.to_str().unwrap(),
        ]);
        assert!(
            imported.status.success(),
            "ctr images import {}\n{}",
            image.tag,
            text(&imported)
        );
        eprintln!(
            "built and imported {} in {:.1?}",
            image.tag,
            started.elapsed()
        );
        image
    }
}

/// An imported image; removed on drop, by its tag and by the id
/// (`sha256:` and its config's digest) that the CRI plugin also names it by.
pub struct Image<'c> {
    cri: &'c Cri,
    pub tag: String,
    id: String,
}

impl Image<'_> {
    /// Runs a pod (RunPodSandbox, host network) with one container of this
    /// image (CreateContainer, StartContainer) whose arguments are `args`.
    pub fn run(&self, args: &[&str]) -> Pod<'_> {
        let started = Instant::now();
        let id = self.cri.ok(&["sandbox", &unique_name("pod")]);
        let mut pod = Pod {
            image: self,
            id,
            container: String::new(),
        };
        let mut create = vec!["create", pod.id.as_str(), self.tag.as_str(), USER, "--"];
        create.extend_from_slice(args);
        pod.container = self.cri.ok(&create);
        self.cri.ok(&["start", &pod.container]);
        eprintln!("pod and container started in {:.1?}", started.elapsed());
        pod
    }
}

impl Drop for Image<'_> {
    fn drop(&mut self) {
        let _ = self.cri.ctr(&["images", "rm", &self.tag, &self.id]);
    }
}

/// A running pod and its container; stopped and removed on drop, before the
/// image (which it borrows).
pub struct Pod<'i> {
    image: &'i Image<'i>,
    id: String,
    container: String,
}

impl Pod<'_> {
    /// ExecSync `cmd` in the container with `timeout` seconds, `repeat`
    /// times over one connection, as the kubelet's exec probe calls it.
    pub fn exec_sync(&self, timeout: u32, repeat: usize, cmd: &[&str]) -> Vec<Exec> {
        let timeout_text = timeout.to_string();
        let repeat_text = repeat.to_string();
        let mut args = vec![
            "exec",
            "--repeat",
            &repeat_text,
            &self.container,
            &timeout_text,
            "--",
        ];
        args.extend_from_slice(cmd);
        // Each call ends within its timeout plus the runtime's cleanup.
        let limit = Duration::from_secs(30 + repeat as u64 * (u64::from(timeout) + 5));
        let out = self.image.cri.client(&args, limit);
        assert!(out.status.success(), "cri.py {args:?}\n{}", text(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let execs: Vec<Exec> = stdout
            .lines()
            .map(|line| {
                Exec::parse(timeout, cmd, line)
                    .unwrap_or_else(|| panic!("cri.py exec printed {line:?}\n{}", text(&out)))
            })
            .collect();
        assert_eq!(execs.len(), repeat, "cri.py {args:?}\n{}", text(&out));
        execs
    }

    /// One ExecSync call.
    pub fn exec(&self, timeout: u32, cmd: &[&str]) -> Exec {
        self.exec_sync(timeout, 1, cmd).remove(0)
    }
}

impl Drop for Pod<'_> {
    fn drop(&mut self) {
        // StopPodSandbox kills the container, RemovePodSandbox removes it.
        let _ = self
            .image
            .cri
            .client(&["remove", &self.id], Duration::from_secs(60));
    }
}

/// What one ExecSync returned, and how long the call took.
pub struct Exec {
    command: String,
    timeout: u32,
    /// None when the call failed (then `grpc_error` says why).
    pub exit_code: Option<i64>,
    pub stdout: String,
    pub stderr: String,
    pub seconds: f64,
    /// The gRPC status code's name and its details, when the call failed.
    pub grpc_error: Option<(String, String)>,
}

impl Exec {
    /// Reads the JSON object that cri.py prints for a call.
    fn parse(timeout: u32, cmd: &[&str], line: &str) -> Option<Exec> {
        let Json::Object(fields) = Json::parse(line)? else {
            return None;
        };
        let field = |name: &str| fields.iter().find(|(key, _)| key == name).map(|(_, v)| v);
        let string = |name: &str| match field(name) {
            Some(Json::String(s)) => Some(s.clone()),
            _ => None,
        };
        let number = |name: &str| match field(name) {
            Some(Json::Number(n)) => Some(*n),
            _ => None,
        };
        let grpc_error = match field("grpc_error")? {
            Json::Null => None,
            Json::Object(error) => {
                let part = |name: &str| match error.iter().find(|(key, _)| key == name) {
                    Some((_, Json::String(s))) => Some(s.clone()),
                    _ => None,
                };
                Some((part("code")?, part("details")?))
            }
            _ => return None,
        };
        Some(Exec {
            command: cmd.join(" "),
            timeout,
            exit_code: number("exit_code").map(|n| n as i64),
            stdout: string("stdout")?,
            stderr: string("stderr")?,
            seconds: number("seconds")?,
            grpc_error,
        })
    }

    /// The one line healthprobe printed on stdout (`stream` "stdout") or
    /// stderr, with its elapsed time replaced; None unless the other stream
    /// is empty and this one holds exactly one line.
    fn only_line(&self, stream: &str) -> Option<String> {
        let (this, other) = match stream {
            "stdout" => (&self.stdout, &self.stderr),
            _ => (&self.stderr, &self.stdout),
        };
        let line = this.strip_suffix('\n')?;
        (other.is_empty() && !line.contains('\n')).then(|| placeholder(line))
    }

    /// The time healthprobe says it took, at the end of its line.
    fn probe_time(&self) -> Option<Duration> {
        let line = format!("{}{}", self.stdout, self.stderr);
        let (_, time) = line.trim_end().rsplit_once(" in ")?;
        if let Some(ms) = time.strip_suffix("ms") {
            return Some(Duration::from_secs_f64(ms.parse::<f64>().ok()? / 1000.0));
        }
        Some(Duration::from_secs_f64(
            time.strip_suffix('s')?.parse().ok()?,
        ))
    }

    /// Checks the exit code and the one line (with `<elapsed>` for the time)
    /// on `stream`, and that the call itself did not fail.
    fn check(&self, code: i64, stream: &str, line: &str) {
        assert!(
            self.grpc_error.is_none()
                && self.exit_code == Some(code)
                && self.only_line(stream).as_deref() == Some(line),
            "{self}\nwanted exit {code} and only this line on {stream}:\n  {line}"
        );
    }

    /// Prints the call's wall time beside the probe's own.
    fn report(&self, what: &str) {
        eprintln!(
            "{what}: ExecSync(timeout {}) took {:.1} ms; healthprobe says {}",
            self.timeout,
            self.seconds * 1000.0,
            self.probe_time().map_or("nothing".to_owned(), |t| format!(
                "{:.1} ms",
                t.as_secs_f64() * 1000.0
            ))
        );
    }
}

impl fmt::Display for Exec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ExecSync({:?}, timeout {} s) took {:.3} s\nexit code: {:?}\ngRPC error: {:?}\nstdout: {:?}\nstderr: {:?}",
            self.command,
            self.timeout,
            self.seconds,
            self.exit_code,
            self.grpc_error,
            self.stdout,
            self.stderr
        )
    }
}

/// Just enough JSON for cri.py's objects (Python's `json.dumps`, which
/// escapes everything outside ASCII).
enum Json {
    Null,
    Number(f64),
    String(String),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn parse(text: &str) -> Option<Json> {
        let mut chars = text.chars().peekable();
        let value = Json::value(&mut chars)?;
        chars.all(char::is_whitespace).then_some(value)
    }

    fn value(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<Json> {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match *chars.peek()? {
            'n' => {
                let word: String = chars.take(4).collect();
                (word == "null").then_some(Json::Null)
            }
            '"' => Json::string(chars).map(Json::String),
            '{' => {
                chars.next();
                let mut fields = Vec::new();
                loop {
                    while chars.next_if(|c| c.is_whitespace()).is_some() {}
                    if chars.next_if_eq(&'}').is_some() {
                        return Some(Json::Object(fields));
                    }
                    let key = Json::string(chars)?;
                    while chars.next_if(|c| c.is_whitespace()).is_some() {}
                    chars.next_if_eq(&':')?;
                    fields.push((key, Json::value(chars)?));
                    while chars.next_if(|c| c.is_whitespace()).is_some() {}
                    chars.next_if_eq(&',');
                }
            }
            _ => {
                let mut number = String::new();
                while let Some(c) = chars.next_if(|c| "+-.eE0123456789".contains(*c)) {
                    number.push(c);
                }
                number.parse().ok().map(Json::Number)
            }
        }
    }

    fn string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
        chars.next_if_eq(&'"')?;
        let mut out = String::new();
        let mut units = Vec::new();
        loop {
            let c = chars.next()?;
            if c == '\\' && chars.next_if_eq(&'u').is_some() {
                let hex: String = chars.by_ref().take(4).collect();
                units.push(u16::from_str_radix(&hex, 16).ok()?);
                continue;
            }
            if !units.is_empty() {
                out.push_str(&String::from_utf16_lossy(&units));
                units.clear();
            }
            match c {
                '"' => return Some(out),
                '\\' => out.push(match chars.next()? {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    other => other,
                }),
                c => out.push(c),
            }
        }
    }
}

/// Runs health_server in a pod with `--mode mode` on a port of its own, and
/// waits until it accepts connections (the pod shares the host's network).
fn server_pod<'i>(image: &'i Image<'i>, mode: &str) -> (Pod<'i>, u16) {
    let port = closed_port().port();
    (listening_pod(image, port, mode), port)
}

/// Runs health_server in a pod with `--mode mode` on 127.0.0.1:`port`, and
/// waits until it accepts connections.
fn listening_pod<'i>(image: &'i Image<'i>, port: u16, mode: &str) -> Pod<'i> {
    let listen = format!("127.0.0.1:{port}");
    let pod = image.run(&["--listen", &listen, "--mode", mode]);
    // At most 100 tries 50 ms apart.
    for _ in 0..100 {
        if TcpStream::connect(&listen).is_ok() {
            return pod;
        }
        thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "health_server in container {} did not listen on {listen} within 5 s",
        pod.container
    );
}

/// The host's processes whose command line contains `needle`, with the uid
/// each runs as: (pid, uid, command line).
fn processes_with(needle: &str) -> Vec<(u32, u32, String)> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        let path = Path::new("/proc").join(entry.file_name());
        let Ok(cmdline) = fs::read(path.join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if !cmdline.contains(needle) {
            continue;
        }
        let uid = fs::read_to_string(path.join("status"))
            .ok()
            .and_then(|status| {
                let line = status.lines().find(|l| l.starts_with("Uid:"))?.to_owned();
                line.split_whitespace().nth(1)?.parse().ok()
            })
            .unwrap_or(u32::MAX);
        found.push((pid, uid, cmdline.trim_end().to_owned()));
    }
    found
}

fn summary(times: &mut [Duration]) -> String {
    times.sort();
    format!(
        "median {:.1} ms, min {:.1} ms, max {:.1} ms",
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0
    )
}

#[test]
#[ignore = "needs root and containerd's CRI (.ci/test starts it)"]
fn execsync_of_a_healthy_endpoint_exits_0_with_the_healthy_line() {
    let cri = Cri::from_env();
    let image = cri.test_image();
    let (pod, port) = server_pod(&image, "healthy");
    let servers = processes_with(&format!("/health_server --listen 127.0.0.1:{port}"));
    assert!(
        servers.len() == 1 && servers[0].1.to_string() == USER,
        "wanted one health_server running as uid {USER}: {servers:?}"
    );
    let url = format!("http://127.0.0.1:{port}/health");
    let line = format!("healthy: GET {url}: 200 OK from 127.0.0.1:{port} in <elapsed>");
    for timeout in [1, 3] {
        let exec = pod.exec(timeout, &["/healthprobe", &url]);
        exec.check(0, "stdout", &line);
        exec.report("healthy");
    }
}

#[test]
#[ignore = "needs root and containerd's CRI (.ci/test starts it)"]
fn execsync_of_an_endpoint_answering_503_exits_1_with_the_status_line() {
    let cri = Cri::from_env();
    let image = cri.test_image();
    let (pod, port) = server_pod(&image, "unhealthy");
    let url = format!("http://127.0.0.1:{port}/health");
    let exec = pod.exec(1, &["/healthprobe", &url]);
    exec.check(
        1,
        "stderr",
        &format!(
            "unhealthy: GET {url}: 503 Service Unavailable, expected 200-299, \
             from 127.0.0.1:{port} in <elapsed>"
        ),
    );
    exec.report("503");
}

#[test]
#[ignore = "needs root and containerd's CRI (.ci/test starts it)"]
fn execsync_of_a_port_nothing_listens_on_exits_1_with_connection_refused() {
    let cri = Cri::from_env();
    let image = cri.test_image();
    let (pod, _) = server_pod(&image, "healthy");
    let port = closed_port().port();
    let url = format!("http://127.0.0.1:{port}/health");
    let exec = pod.exec(1, &["/healthprobe", &url]);
    exec.check(
        1,
        "stderr",
        &format!("unhealthy: GET {url}: connection refused at 127.0.0.1:{port} in <elapsed>"),
    );
    exec.report("refused");
}

/// healthprobe's default --timeout (2 s) is longer than the probe's
/// timeoutSeconds (1): containerd 1.6 kills the process when the exec's
/// timeout passes and fails the call with DeadlineExceeded, which the
/// kubelet reports as a timed-out probe. Nothing the probe printed comes
/// back.
#[test]
#[ignore = "needs root and containerd's CRI (.ci/test starts it)"]
fn execsync_timeout_below_the_probe_deadline_kills_it_and_returns_deadline_exceeded() {
    let cri = Cri::from_env();
    let image = cri.test_image();
    let (pod, port) = server_pod(&image, "slow");
    let url = format!("http://127.0.0.1:{port}/health");
    let started = Instant::now();
    let exec = pod.exec(1, &["/healthprobe", &url]);
    // Looked for before the probe's own 2 s deadline could have ended it.
    let left = processes_with(&format!("/healthprobe {url}"));
    let looked_after = started.elapsed();
    exec.report("hung endpoint, default --timeout 2s, ExecSync timeout 1");
    assert!(
        looked_after < Duration::from_millis(1900),
        "looked for the probe {looked_after:?} after the exec began: too late to tell \
         whether containerd killed it or its own 2 s deadline ended it\n{exec}"
    );
    assert!(
        exec.grpc_error
            == Some((
                "DEADLINE_EXCEEDED".to_owned(),
                "failed to exec in container: timeout 1s exceeded: context deadline exceeded"
                    .to_owned()
            ))
            && exec.exit_code.is_none()
            && exec.stdout.is_empty()
            && exec.stderr.is_empty(),
        "{exec}\nwanted DeadlineExceeded from containerd, with no output"
    );
    assert!(
        left.is_empty(),
        "healthprobe still runs {looked_after:?} after the exec began: {left:?}\n{exec}"
    );
}

/// The same hung endpoint with healthprobe's deadline inside the probe's
/// timeoutSeconds, with room for the exec's own start (tens of
/// milliseconds, more on a busy node): healthprobe ends first, and its line
/// comes back.
#[test]
#[ignore = "needs root and containerd's CRI (.ci/test starts it)"]
fn a_probe_deadline_inside_the_execsync_timeout_returns_the_timed_out_line() {
    let cri = Cri::from_env();
    let image = cri.test_image();
    let (pod, port) = server_pod(&image, "slow");
    let url = format!("http://127.0.0.1:{port}/health");
    let exec = pod.exec(1, &["/healthprobe", "--timeout", "500ms", &url]);
    exec.check(
        1,
        "stderr",
        &format!(
            "unhealthy: GET {url}: timed out waiting for the response head from \
             127.0.0.1:{port} (--timeout 500ms, 0 bytes received) in <elapsed>"
        ),
    );
    exec.report("hung endpoint, --timeout 500ms, ExecSync timeout 1");
}

/// What an exec probe costs: 20 healthy ExecSync calls over one connection,
/// as the kubelet makes them, beside healthprobe's own time (reported, not
/// checked: wall times are the machine's).
#[test]
#[ignore = "needs root and containerd's CRI (.ci/test starts it)"]
fn twenty_healthy_execsync_calls_each_exit_0_and_report_their_cost() {
    let cri = Cri::from_env();
    let image = cri.test_image();
    let (pod, port) = server_pod(&image, "healthy");
    let url = format!("http://127.0.0.1:{port}/health");
    let line = format!("healthy: GET {url}: 200 OK from 127.0.0.1:{port} in <elapsed>");
    let execs = pod.exec_sync(1, 20, &["/healthprobe", &url]);
    for exec in &execs {
        exec.check(0, "stdout", &line);
    }
    let mut calls: Vec<Duration> = execs
        .iter()
        .map(|e| Duration::from_secs_f64(e.seconds))
        .collect();
    let mut probes: Vec<Duration> = execs.iter().filter_map(Exec::probe_time).collect();
    eprintln!("20 healthy ExecSync calls: {}", summary(&mut calls));
    eprintln!("healthprobe's own time:    {}", summary(&mut probes));
}

/// The Kubernetes manifests in the docs whose exec probes run here, with the
/// port their probes check; `every_kubernetes_manifest_in_the_docs_is_run`
/// fails for one that is neither here nor in [`K8S_ELSEWHERE`].
const K8S_RUN: &[(&str, u16)] = &[
    ("examples/kubernetes.yaml", 9000),
    ("examples/kubernetes-init.yaml", 8080),
];

/// The manifests whose probes run elsewhere, and where.
const K8S_ELSEWHERE: &[(&str, &str)] = &[
    (
        "examples/kubernetes-grpc.yaml",
        "grpc:// probes: .ci/check_examples.py runs them against grpc-go's health server",
    ),
    (
        "examples/kubernetes-wait.yaml",
        "an init container that waits, no probe: .ci/check_examples.py runs it",
    ),
];

/// Each exec probe of the manifest `file`, as the kubelet would run it: what
/// it is, its command, and its timeoutSeconds (1, the kubelet's default,
/// when it gives none). Read by lines: the probes are `xxxProbe:` keys whose
/// deeper lines hold `command: [...]` (a JSON array) and `timeoutSeconds:`.
fn exec_probes(file: &str) -> Vec<(String, Vec<String>, u32)> {
    let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let indent = |line: &str| line.len() - line.trim_start().len();
    let mut probes = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let key = line.trim();
        if key.starts_with('#') || !key.ends_with("Probe:") {
            continue;
        }
        let (mut command, mut timeout) = (None, 1);
        for inner in lines[i + 1..]
            .iter()
            .take_while(|inner| inner.trim().is_empty() || indent(inner) > indent(line))
        {
            let inner = inner.trim();
            if let Some(array) = inner.strip_prefix("command: ") {
                command = json_strings(array);
            } else if let Some(seconds) = inner.strip_prefix("timeoutSeconds: ") {
                timeout = seconds.parse().unwrap();
            }
        }
        let what = format!("{file} {}", key.trim_end_matches(':'));
        let command = command.unwrap_or_else(|| panic!("{what}: no exec command"));
        probes.push((what, command, timeout));
    }
    probes
}

/// A JSON array of strings, as the manifests write a command.
fn json_strings(text: &str) -> Option<Vec<String>> {
    let mut chars = text.trim().chars().peekable();
    chars.next_if_eq(&'[')?;
    let mut strings = Vec::new();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next_if_eq(&']').is_some() {
            return chars.next().is_none().then_some(strings);
        }
        strings.push(Json::string(&mut chars)?);
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        chars.next_if_eq(&',');
    }
}

/// The docs' manifests, unchanged: every exec probe, called as the kubelet
/// calls it (ExecSync with its own timeoutSeconds) in a container that holds
/// healthprobe where the manifest says and a server on the port it checks,
/// passes; with the server answering 503, every one fails with its line.
#[test]
#[ignore = "needs root and containerd's CRI (.ci/test starts it)"]
fn the_docs_kubernetes_exec_probes_pass_under_their_own_timeout_and_fail_with_the_endpoint() {
    let cri = Cri::from_env();
    let image = cri.image(
        &[
            "usr/local/bin/healthprobe",
            "probe/healthprobe",
            "health_server",
        ],
        "/health_server",
    );
    for (file, port) in K8S_RUN {
        let probes = exec_probes(file);
        assert!(probes.len() >= 2, "{file}: {probes:?}");
        for (mode, code, verdict) in [("healthy", 0, "healthy: "), ("unhealthy", 1, "unhealthy: ")]
        {
            let pod = listening_pod(&image, *port, mode);
            for (what, command, timeout) in &probes {
                let command: Vec<&str> = command.iter().map(String::as_str).collect();
                let exec = pod.exec(*timeout, &command);
                let line = format!("{}{}", exec.stdout, exec.stderr);
                assert!(
                    exec.grpc_error.is_none()
                        && exec.exit_code == Some(code)
                        && line.starts_with(verdict)
                        && line.lines().count() == 1,
                    "{what}, server {mode}: {exec}"
                );
                exec.report(&format!("{what}, server {mode}"));
            }
        }
    }
}

#[test]
fn every_kubernetes_manifest_in_the_docs_is_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found: Vec<String> = fs::read_dir(root.join("examples"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            fs::read_to_string(path).is_ok_and(|text| text.lines().any(|l| l == "kind: Deployment"))
        })
        .map(|path| format!("examples/{}", path.file_name().unwrap().to_string_lossy()))
        .collect();
    found.sort();
    let mut listed: Vec<String> = K8S_RUN
        .iter()
        .map(|(file, _)| file.to_string())
        .chain(K8S_ELSEWHERE.iter().map(|(file, _)| file.to_string()))
        .collect();
    listed.sort();
    assert_eq!(
        found, listed,
        "the manifests in examples/ and the ones listed here"
    );
    let probes = exec_probes("examples/kubernetes.yaml");
    assert_eq!(
        probes
            .iter()
            .map(|(what, _, timeout)| (what.as_str(), *timeout))
            .collect::<Vec<_>>(),
        [
            ("examples/kubernetes.yaml startupProbe", 2),
            ("examples/kubernetes.yaml livenessProbe", 3),
            ("examples/kubernetes.yaml readinessProbe", 3),
        ]
    );
    assert_eq!(probes[2].1[4], r#""status":"ok""#);
}
