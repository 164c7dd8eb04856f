//! healthprobe named curl and wget, side by side with the real curl 7.88,
//! busybox wget (Debian's 1.35) and GNU wget 1.21, on the same kind of
//! server: the exit code, how many requests the server saw, and how long
//! the line took, for every retry and TLS flag. Each case runs the two at
//! once, each against a server of its own. The table is printed (run with
//! `--nocapture` to see it).
//!
//! Debian's busybox is built without FEATURE_WGET_TIMEOUT, and crashes
//! (SIGSEGV, exit 139) on `-T`; busybox ignores `-t`. The retry flags are
//! GNU wget's, so GNU wget is their reference.

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::*;

/// What a server does with each connection.
#[derive(Clone, Copy, Debug)]
enum Server {
    /// Answers every request with this status.
    Status(u16),
    /// Answers 503 with `Retry-After: 1`.
    RetryAfter,
    /// Reads the request and never answers.
    Silent,
    /// Nothing listens: every connection is refused.
    Refused,
}

/// A server of `kind` on 127.0.0.1 and the count of requests it saw.
fn start(kind: Server) -> (SocketAddr, Arc<AtomicUsize>) {
    let seen = Arc::new(AtomicUsize::new(0));
    if let Server::Refused = kind {
        return (closed_port(), seen);
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let counter = Arc::clone(&seen);
    thread::spawn(move || {
        for mut stream in listener.incoming().take(64).flatten() {
            let counter = Arc::clone(&counter);
            thread::spawn(move || {
                let head = read_head(&mut stream);
                if head.is_empty() {
                    return;
                }
                counter.fetch_add(1, Ordering::SeqCst);
                answer(kind, &mut stream);
            });
        }
    });
    (addr, seen)
}

fn answer(kind: Server, stream: &mut TcpStream) {
    let response = match kind {
        Server::Status(status) => {
            format!("HTTP/1.1 {status} Whatever\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
        }
        Server::RetryAfter => "HTTP/1.1 503 Service Unavailable\r\nretry-after: 1\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_owned(),
        Server::Silent => {
            thread::sleep(Duration::from_secs(20));
            return;
        }
        Server::Refused => return,
    };
    let _ = stream.write_all(response.as_bytes());
}

/// How one run went: its exit code, the requests the server saw, its time.
#[derive(Debug)]
struct Seen {
    code: i32,
    requests: usize,
    elapsed: Duration,
}

impl std::fmt::Display for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}, {} request{}, {:.1} s",
            self.code,
            self.requests,
            if self.requests == 1 { "" } else { "s" },
            self.elapsed.as_secs_f64()
        )
    }
}

/// Runs `program` (with `args`, in which `URL` is replaced) against a
/// server of `kind` of its own.
fn run(program: &[&str], args: &str, kind: Server) -> Seen {
    let (addr, seen) = start(kind);
    let args = args.replace("URL", &format!("http://127.0.0.1:{}/health", addr.port()));
    let started = Instant::now();
    let output = Command::new(program[0])
        .args(&program[1..])
        .args(args.split(' '))
        .env_clear()
        .output()
        .expect("the tool runs");
    let elapsed = started.elapsed();
    // A request still on its way in is counted before the count is read.
    thread::sleep(Duration::from_millis(50));
    Seen {
        code: output.status.code().unwrap_or(-1),
        requests: seen.load(Ordering::SeqCst),
        elapsed,
    }
}

/// Which tool a case compares with.
#[derive(Clone, Copy)]
enum Reference {
    Curl,
    Busybox,
    Gnu,
}

/// One command line, run by the reference and by healthprobe under the
/// tool's name, against the same kind of server.
struct Case {
    reference: Reference,
    args: &'static str,
    server: Server,
}

const fn case(reference: Reference, args: &'static str, server: Server) -> Case {
    Case {
        reference,
        args,
        server,
    }
}

#[test]
#[ignore = "needs curl, GNU wget and busybox (HEALTHPROBE_TEST_TOOLS): .ci/test installs them and runs it"]
fn curl_and_wget_retry_and_ignore_tls_as_the_real_tools_do() {
    required(
        "HEALTHPROBE_TEST_TOOLS",
        "curl, GNU wget and busybox installed",
    );
    use Reference::*;
    use Server::*;
    let cases = [
        case(Curl, "-fsS --retry 1 URL", Refused),
        case(Curl, "-fsS --retry 2 --retry-connrefused URL", Refused),
        case(
            Curl,
            "-fsS --retry 2 --retry-delay 1 --retry-connrefused URL",
            Refused,
        ),
        case(Curl, "-f -m 2 --retry 3 --retry-delay 1 URL", Status(503)),
        case(Curl, "-fsS --retry 2 URL", Status(503)),
        // Not with -o /dev/null: curl 7.88 cannot truncate it before a retry
        // and ends with exit 23 ("Failed to truncate file").
        case(Curl, "-sS --retry 2 --retry-delay 1 URL", Status(503)),
        case(Curl, "-fsS --retry 2 URL", Status(404)),
        case(
            Curl,
            "-fsS --retry 2 --retry-delay 1 --retry-all-errors URL",
            Status(404),
        ),
        case(Curl, "-fsS --retry 2 --retry-delay 1 URL", Status(429)),
        case(Curl, "-fsS -m 1 --retry 1 URL", Silent),
        case(
            Curl,
            "-fsS --retry 5 --retry-delay 1 --retry-max-time 2 URL",
            Status(500),
        ),
        case(Curl, "-fsS --retry 2 URL", RetryAfter),
        case(Curl, "-fsS --retry 3 --retry-max-time 1 URL", RetryAfter),
        case(Curl, "-kfsS -o /dev/null URL", Status(200)),
        case(
            Curl,
            "--cacert /nonexistent/ca.pem -fsS -o /dev/null URL",
            Status(200),
        ),
        case(Curl, "--fail-with-body -sS -o /dev/null URL", Status(503)),
        case(Busybox, "-q --spider URL", Status(200)),
        case(Busybox, "-q --spider URL", Status(503)),
        case(Busybox, "-q --spider -t 3 URL", Refused),
        case(Busybox, "-q --spider -t 3 URL", Status(503)),
        case(
            Busybox,
            "-q --no-check-certificate --spider URL",
            Status(200),
        ),
        case(Gnu, "-q --spider -T 1 -t 3 URL", Refused),
        case(Gnu, "-q --spider -T 1 -t 3 URL", Silent),
        case(Gnu, "-q --spider -t 3 URL", Status(503)),
        case(Gnu, "-q --spider -t 2 URL", Status(504)),
        case(
            Gnu,
            "-q --spider -t 3 --waitretry=1 --retry-connrefused URL",
            Refused,
        ),
        case(
            Gnu,
            "-q -O /dev/null -t 2 --retry-on-http-error=503 URL",
            Status(503),
        ),
        case(
            Gnu,
            "-q --spider -t 2 --retry-on-http-error=503 URL",
            Status(503),
        ),
        case(
            Gnu,
            "-q --spider --no-check-certificate --ca-certificate=/nonexistent URL",
            Status(200),
        ),
    ];
    let named = Named::debug();
    let tool_path = |name: &str| named.path(name).display().to_string();
    let (curl, wget) = (tool_path("curl"), tool_path("wget"));
    let results: Vec<(String, Seen, Seen)> = thread::scope(|scope| {
        let runs: Vec<_> = cases
            .iter()
            .map(|c| {
                let (reference, ours): (Vec<&str>, &str) = match c.reference {
                    Curl => (vec!["curl"], &curl),
                    Busybox => (vec!["busybox", "wget"], &wget),
                    Gnu => (vec!["/usr/bin/wget"], &wget),
                };
                let name = format!("{} {}", reference.join(" "), c.args);
                scope.spawn(move || {
                    let theirs = scope.spawn(move || run(&reference, c.args, c.server));
                    let ours = run(&[ours], c.args, c.server);
                    (name, theirs.join().unwrap(), ours)
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    println!("| command line | server | the real tool | healthprobe under its name |");
    println!("|---|---|---|---|");
    let mut differ = Vec::new();
    for ((name, theirs, ours), c) in results.iter().zip(&cases) {
        println!("| `{name}` | {:?} | {theirs} | {ours} |", c.server);
        // GNU wget's exit codes are its own (4 network, 8 server error);
        // healthprobe gives busybox's 1 for any failure.
        let codes_agree = match c.reference {
            Gnu => (theirs.code == 0) == (ours.code == 0),
            Curl | Busybox => theirs.code == ours.code,
        };
        let close = theirs.elapsed.abs_diff(ours.elapsed) < Duration::from_millis(600);
        if !codes_agree || theirs.requests != ours.requests || !close {
            differ.push(format!("{name} ({:?}): {theirs} against {ours}", c.server));
        }
    }
    assert!(differ.is_empty(), "differ:\n{}", differ.join("\n"));
}
