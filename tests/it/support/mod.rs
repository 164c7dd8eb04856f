//! One way to run the binary and check its whole result, and raw TCP servers
//! that misbehave in one named way each.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

pub mod servers;
#[cfg(feature = "tls")]
pub mod tls;

/// No run of the binary may take longer than this, whatever it does; the
/// harness kills it past this point, which fails the test.
const HARD_LIMIT: Duration = Duration::from_secs(10);
/// How much later than its deadline the process may exit.
pub const DEADLINE_SLACK: Duration = Duration::from_millis(100);

/// A healthprobe invocation: arguments and the only environment it gets.
pub struct Probe {
    args: Vec<String>,
    env: Vec<(String, String)>,
    /// A program and its arguments that run healthprobe (a sandbox), if any.
    runner: Vec<String>,
}

pub fn probe(args: &[&str]) -> Probe {
    Probe {
        args: args.iter().map(|a| a.to_string()).collect(),
        env: Vec::new(),
        runner: Vec::new(),
    }
}

/// A probe run by `runner`, whose last element is the healthprobe to run.
pub fn probe_with(runner: &[String], args: &[&str]) -> Probe {
    Probe {
        runner: runner.to_vec(),
        ..probe(args)
    }
}

/// What one run did.
pub struct Ran {
    command: String,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Probe {
    pub fn env(mut self, name: &str, value: &str) -> Probe {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn run(&self) -> Ran {
        let mut command = match self.runner.split_first() {
            Some((program, runner_args)) => {
                let mut command = assert_cmd::Command::new(program);
                command.args(runner_args);
                command
            }
            None => assert_cmd::Command::cargo_bin("healthprobe").expect("the binary is built"),
        };
        command
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .args(&self.args)
            .timeout(HARD_LIMIT);
        let started = Instant::now();
        let output = command.output().expect("the binary runs");
        let elapsed = started.elapsed();
        Ran {
            command: format!(
                "{:?} {:?} healthprobe {:?}",
                self.env, self.runner, self.args
            ),
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            elapsed,
        }
    }

    /// Runs and checks the exit code and the one line, which must be on
    /// stdout for exit 0 and on stderr otherwise, with the other stream empty.
    /// A trailing ` in <time>` is compared as ` in <elapsed>`. Every run must
    /// also end within its deadline plus [`DEADLINE_SLACK`].
    pub fn expect(&self, code: i32, line: &str) -> Ran {
        let ran = self.run();
        ran.check(code, line);
        ran.ended_within(self.deadline() + DEADLINE_SLACK);
        ran
    }

    /// The `-t`/`--timeout` given (in ms or s, as the tests write it), else
    /// healthprobe's default of 2 s.
    fn deadline(&self) -> Duration {
        let env = self
            .env
            .iter()
            .find(|(k, _)| k == "HEALTHPROBE_TIMEOUT")
            .map(|(_, v)| v.as_str());
        let flag = self
            .args
            .windows(2)
            .find(|w| w[0] == "-t" || w[0] == "--timeout")
            .map(|w| w[1].as_str());
        let parse = |t: &str| match t.strip_suffix("ms") {
            Some(ms) => ms.parse().ok().map(Duration::from_millis),
            None => t
                .trim_end_matches('s')
                .parse()
                .ok()
                .map(Duration::from_secs_f64),
        };
        flag.or(env)
            .and_then(parse)
            .unwrap_or(Duration::from_secs(2))
    }
}

impl Ran {
    pub fn check(&self, code: i32, line: &str) {
        let (out, other) = if code == 0 {
            (&self.stdout, &self.stderr)
        } else {
            (&self.stderr, &self.stdout)
        };
        let ok = self.code == Some(code)
            && other.is_empty()
            && out.ends_with('\n')
            && out.lines().count() == 1
            && out.len() <= 501
            && out.bytes().all(|b| b == b'\n' || (0x20..0x7f).contains(&b))
            && placeholder(out.trim_end()) == line;
        assert!(ok, "{self}\nwanted exit {code} and the line\n  {line}");
    }

    /// Checks a run with one line per target: `stderr` and `stdout` hold
    /// exactly these lines, in this order, each compared with a trailing
    /// ` in <time>` as ` in <elapsed>` and ` over <time>,` as ` over <wait>,`.
    pub fn check_lines(&self, code: i32, stderr: &[&str], stdout: &[&str]) {
        let lines = |text: &str| -> Vec<String> { text.lines().map(placeholder).collect() };
        let ok = self.code == Some(code)
            && lines(&self.stderr) == stderr
            && lines(&self.stdout) == stdout
            && self
                .stderr
                .bytes()
                .chain(self.stdout.bytes())
                .all(|b| b == b'\n' || (0x20..0x7f).contains(&b));
        assert!(
            ok,
            "{self}\nwanted exit {code}, stderr\n  {}\nand stdout\n  {}",
            stderr.join("\n  "),
            stdout.join("\n  ")
        );
    }

    /// Checks that the process ended within the deadline plus the slack, and
    /// did not give up much before it either.
    pub fn ended_at_deadline(&self, deadline: Duration) {
        assert!(
            self.elapsed >= deadline && self.elapsed <= deadline + DEADLINE_SLACK,
            "{self}\nwanted it to end between {deadline:?} and {:?}",
            deadline + DEADLINE_SLACK
        );
    }

    /// Checks that the process ended well before `limit`.
    pub fn ended_within(&self, limit: Duration) {
        assert!(
            self.elapsed <= limit,
            "{self}\nwanted it to end within {limit:?}"
        );
    }
}

impl std::fmt::Display for Ran {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "command: {}\nexit: {:?} after {:?}\nstdout: {:?}\nstderr: {:?}",
            self.command, self.code, self.elapsed, self.stdout, self.stderr
        )
    }
}

/// Replaces the elapsed time at the end of a line with `<elapsed>`, and the
/// time waited (`N attempts over 1.20s, the last: ...`) with `<wait>`.
pub fn placeholder(line: &str) -> String {
    let line = match line.split_once(" over ") {
        Some((head, rest)) if head.ends_with("attempts") || head.ends_with("attempt") => {
            match rest.split_once(", the last: ") {
                Some((_, tail)) => format!("{head} over <wait>, the last: {tail}"),
                None => line.to_owned(),
            }
        }
        _ => line.to_owned(),
    };
    let line = line.as_str();
    match line.rsplit_once(" in ") {
        Some((head, time))
            if time.ends_with('s') && time.trim_end_matches(['m', 's']).parse::<f64>().is_ok() =>
        {
            format!("{head} in <elapsed>")
        }
        _ => line.to_owned(),
    }
}

/// Each line of `text`, with its times as [`placeholder`] replaces them.
pub fn placeholder_lines(text: &str) -> Vec<String> {
    text.lines().map(placeholder).collect()
}

/// A raw server on 127.0.0.1 that treats each connection with `behaviour`,
/// on its own thread, for at most `connections` connections.
pub fn serve(connections: usize, behaviour: fn(TcpStream)) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    serve_on(listener, connections, behaviour)
}

pub fn serve_on(listener: TcpListener, connections: usize, behaviour: fn(TcpStream)) -> SocketAddr {
    let addr = listener.local_addr().expect("local address");
    thread::spawn(move || {
        for stream in listener.incoming().take(connections).flatten() {
            thread::spawn(move || behaviour(stream));
        }
    });
    addr
}

/// Reads the request head (bounded by size and a 5 s timeout) and returns it.
pub fn read_head(stream: &mut TcpStream) -> String {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    read_head_from(stream)
}

/// Reads a request head, at most 16 KiB, from any stream (whose own timeout
/// bounds the wait).
pub fn read_head_from(stream: &mut impl Read) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// A server that answers every request with `response` and sends each
/// request head it received down the returned channel.
pub fn recording(response: &'static str) -> (SocketAddr, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("local address");
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for mut stream in listener.incoming().take(4).flatten() {
            let head = read_head(&mut stream);
            let _ = stream.write_all(response.as_bytes());
            let _ = tx.send(head);
        }
    });
    (addr, rx)
}

/// Writes `bytes` one at a time, `gap` apart, stopping at the first error.
pub fn drip(stream: &mut TcpStream, bytes: &[u8], gap: Duration) {
    for b in bytes {
        if stream.write_all(&[*b]).is_err() {
            return;
        }
        thread::sleep(gap);
    }
}

/// Sends `chunk` again and again for at most `limit`, until the peer leaves.
pub fn flood(stream: &mut TcpStream, chunk: &[u8], limit: Duration) {
    let started = Instant::now();
    while started.elapsed() < limit {
        if stream.write_all(chunk).is_err() {
            return;
        }
    }
}

/// What a finished command said, for a failed assertion: its exit code, its
/// standard output and its standard error. (Only tests/system/ uses it.)
#[allow(dead_code)]
pub fn text(output: &std::process::Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The value of a variable that an ignored test needs: `.ci/test` sets it and
/// runs the ignored tests. Unset or empty, the test fails, saying what it
/// needs (`needs`), rather than passing without having run.
pub fn required(name: &str, needs: &str) -> String {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => value,
        Ok(_) | Err(std::env::VarError::NotPresent) => {
            panic!("{name} is not set: this test needs {needs}; run it through .ci/test")
        }
        Err(std::env::VarError::NotUnicode(value)) => {
            panic!("{name}={value:?} is not UTF-8: this test needs {needs}")
        }
    }
}

/// A directory of its own under the system's temporary directory, removed
/// with everything in it on drop.
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        use std::os::unix::fs::PermissionsExt;
        use std::sync::atomic::{AtomicUsize, Ordering};
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::SeqCst);
        let path =
            std::env::temp_dir().join(format!("healthprobe-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        // Enterable by others: the sandboxed tests run as uid 65532.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }

    /// Writes `text` to `name` (a relative path; parents are made) and
    /// returns the file's path.
    pub fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An HTTP server on a Unix socket at `address` (a path, or `@name` for an
/// abstract socket) that answers every request with 200 and sends each
/// request head down the returned channel, for at most `connections`.
pub fn unix_http(address: &str, connections: usize) -> mpsc::Receiver<String> {
    let listener = bind_unix(address);
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for mut stream in listener.incoming().take(connections).flatten() {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let head = read_head_from(&mut stream);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
            let _ = tx.send(head);
        }
    });
    rx
}

/// Binds a Unix listener at a path, or at `@name` in the abstract namespace.
pub fn bind_unix(address: &str) -> std::os::unix::net::UnixListener {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::net::{SocketAddr, UnixListener};
    match address.strip_prefix('@') {
        Some(name) => {
            let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
            UnixListener::bind_addr(&addr).unwrap()
        }
        None => UnixListener::bind(address).unwrap(),
    }
}

/// A name for an abstract socket no other test or process uses.
pub fn abstract_name(what: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, Ordering::SeqCst);
    format!("@healthprobe-test-{}-{what}-{n}", std::process::id())
}

/// A listener whose accept queue is full: the kernel drops new SYNs, so a
/// connect hangs as it would towards a firewalled address. Returns the
/// listener (which must stay open) and the connections that fill it.
pub fn full_backlog() -> (TcpListener, Vec<TcpStream>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut held = Vec::new();
    // The queue holds somewhat more than the listen backlog (128 for std);
    // 1,000 attempts of at most 100 ms bound the loop.
    for _ in 0..1000 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(stream) => held.push(stream),
            Err(_) => return (listener, held),
        }
    }
    panic!("the accept queue of {addr} never filled");
}

/// A port on 127.0.0.1 where nothing listens (bound, then closed).
pub fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

/// A directory holding healthprobe linked as `curl` and `wget`; `run`
/// takes a command line with words split at spaces, the first the name.
pub struct Named {
    dir: TempDir,
}

impl Named {
    pub fn new(binary: std::path::PathBuf) -> Named {
        let dir = TempDir::new();
        for name in ["curl", "wget"] {
            std::os::unix::fs::symlink(&binary, dir.path().join(name)).unwrap();
        }
        Named { dir }
    }

    pub fn debug() -> Named {
        Named::new(assert_cmd::cargo::cargo_bin("healthprobe"))
    }

    pub fn run(&self, line: &str) -> Ran {
        let words: Vec<&str> = line.split(' ').collect();
        self.probe(words[0], &words[1..]).run()
    }

    /// Where the link named `name` is. (Only tests/system/ uses it.)
    #[allow(dead_code)]
    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    /// The tool named `name` with these arguments, to run.
    pub fn probe(&self, name: &str, args: &[&str]) -> Probe {
        let tool = self.dir.path().join(name).display().to_string();
        probe_with(&[tool], args)
    }
}

/// The static musl build that `.ci/test` makes, named by
/// HEALTHPROBE_STATIC_BIN.
pub fn static_binary() -> std::path::PathBuf {
    let path = std::path::PathBuf::from(required(
        "HEALTHPROBE_STATIC_BIN",
        "the static musl build of healthprobe",
    ));
    assert!(
        path.is_file(),
        "HEALTHPROBE_STATIC_BIN={} is not a file",
        path.display()
    );
    path
}

/// A `tcp://` target that accepts four connections and closes each.
pub fn listening() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            drop(stream);
        }
    });
    format!("tcp://{addr}")
}
