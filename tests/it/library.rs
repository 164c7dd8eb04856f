//! The library as a Rust service embeds it: `Probe` against real servers on
//! loopback, and the errors of its setters.

use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use healthprobe::{HttpProblem, Method, Outcome, Peer, Probe, Problem, Ready};

use crate::support::{DEADLINE_SLACK, closed_port, read_head, serve};

fn answers_ok(mut stream: TcpStream) {
    read_head(&mut stream);
    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 15\r\n\r\n{\"status\":\"UP\"}");
}

fn answers_503(mut stream: TcpStream) {
    read_head(&mut stream);
    let _ = stream.write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n");
}

fn silent_after_accept(stream: TcpStream) {
    std::thread::sleep(Duration::from_secs(5));
    drop(stream);
}

#[test]
fn a_probe_is_healthy_when_the_server_answers_200() {
    let addr = serve(1, answers_ok);
    let url = format!("http://{addr}/health");
    let report = Probe::new(&url)
        .unwrap()
        .timeout(Duration::from_secs(2))
        .unwrap()
        .expect_status("200-299")
        .unwrap()
        .expect_body("UP")
        .unwrap()
        .run();
    assert!(
        matches!(
            report.outcome(),
            Outcome::Healthy {
                peer: Some(Peer::Tcp(peer)),
                ready: Ready::Http { status: 200, .. },
                ..
            } if *peer == addr
        ),
        "{report}"
    );
    assert!(report.is_healthy());
    assert_eq!(report.exit_code(), 0);
    assert_eq!(report.probed(), format!("GET {url}"));
    let line = report.line();
    let expected = format!("healthy: GET {url}: 200 OK from {addr} in ");
    assert!(line.starts_with(&expected), "{line:?}");
    assert_eq!(line, report.to_string());
}

#[test]
fn a_probe_is_unhealthy_when_the_status_is_not_expected() {
    let addr = serve(1, answers_503);
    let report = Probe::new(&format!("http://{addr}/")).unwrap().run();
    let Outcome::Unhealthy {
        problem:
            Problem::Http(HttpProblem::UnexpectedStatus {
                status, expected, ..
            }),
        ..
    } = report.outcome()
    else {
        panic!("{report}");
    };
    assert_eq!((*status, expected.as_str()), (503, "200-299"));
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn a_probe_ends_at_its_deadline_when_the_server_is_silent() {
    let addr = serve(1, silent_after_accept);
    let deadline = Duration::from_millis(300);
    let started = Instant::now();
    let report = Probe::new(&format!("http://{addr}/"))
        .unwrap()
        .timeout(deadline)
        .unwrap()
        .run();
    let took = started.elapsed();
    assert!(
        matches!(report.outcome(), Outcome::TimedOut { .. }),
        "{report}"
    );
    assert!(
        took >= deadline && took <= deadline + DEADLINE_SLACK,
        "{took:?}"
    );
    assert!(report.elapsed() <= took);
}

#[test]
fn a_tcp_probe_is_healthy_when_the_port_accepts() {
    let addr = serve(1, drop);
    let report = Probe::new(&format!("tcp://{addr}")).unwrap().run();
    assert!(
        matches!(
            report.outcome(),
            Outcome::Healthy {
                peer: Some(Peer::Tcp(peer)),
                ready: Ready::Connected,
                ..
            } if *peer == addr
        ),
        "{report}"
    );
    let closed = closed_port();
    let report = Probe::new(&format!("tcp://{closed}")).unwrap().run();
    assert!(
        matches!(report.outcome(), Outcome::ConnectFailed { .. }),
        "{report}"
    );
}

/// The error's message, and the setting it names.
fn error(result: Result<Probe, healthprobe::Error>) -> (String, &'static str) {
    let error = result.expect_err("should be refused");
    (error.to_string(), error.setting())
}

#[test]
fn errors_name_the_builder_method_and_the_value() {
    assert_eq!(
        error(Probe::new("ftp://h/")),
        (
            "invalid target: unsupported scheme \"ftp\": expected http://, https://, tcp://, grpc://, grpcs://, postgres://, postgresql://, redis://, rediss://, unix://, mysql://, mariadb://, amqp://, amqps://, nats://, tls://, memcached://, zookeeper://, kafka://, kafka+ssl://, cassandra://, scylla://, cassandra+ssl://, scylla+ssl://, mongodb:// or file://".to_owned(),
            "target"
        )
    );
    let http = || Probe::new("http://127.0.0.1:1/").unwrap();
    assert_eq!(
        error(http().expect_status("2xx")),
        (
            "invalid expect_status \"2xx\": \"2xx\" is not a status code from 100 to 599"
                .to_owned(),
            "expect_status"
        )
    );
    assert_eq!(
        error(http().timeout(Duration::ZERO)),
        (
            "invalid timeout \"0.0ms\": must be at least 1ms".to_owned(),
            "timeout"
        )
    );
    assert_eq!(
        error(http().expect_body("")),
        (
            "invalid expect_body: the text is empty, so every body would match".to_owned(),
            "expect_body"
        )
    );
    // Header values are often credentials: never shown.
    let (message, setting) = error(http().header("Authorization", "Bearer s3cret\r\nX: 1"));
    assert_eq!(
        (message.as_str(), setting),
        (
            "invalid header \"Authorization\": its value contains a control character",
            "header"
        )
    );
    assert_eq!(
        error(http().unix_socket("")),
        (
            "invalid unix_socket: the socket path is empty".to_owned(),
            "unix_socket"
        )
    );
}

#[test]
fn the_library_suggests_its_own_methods_never_a_flag_or_a_variable() {
    for (target, message) in [
        (
            "grpc://127.0.0.1:50051/grpc.health.v1.Health",
            "invalid target: grpc:// takes only a host and a port, not \"/grpc.health.v1.Health\": name the service to check with grpc_service",
        ),
        (
            "http://user:hunter2@127.0.0.1/",
            "invalid target: credentials in the URL are not supported: they would show in the output line; send them in an Authorization header with header",
        ),
    ] {
        let (text, setting) = error(Probe::new(target));
        assert_eq!((text.as_str(), setting), (message, "target"));
        assert!(!text.contains("--") && !text.contains("${"), "{text}");
    }
}

#[test]
fn settings_that_do_not_fit_the_target_are_errors() {
    let tcp = || Probe::new("tcp://127.0.0.1:1").unwrap();
    assert_eq!(
        error(tcp().header("A", "1")).0,
        "header applies only to http://, https://, grpc:// and grpcs:// targets, not tcp://"
    );
    assert_eq!(
        error(tcp().expect_status("200")).0,
        "expect_status applies only to http:// and https:// targets, not tcp://"
    );
    assert_eq!(
        error(Probe::new("http://h/").unwrap().server_name("h")).0,
        "server_name applies only to https://, grpcs://, rediss://, amqps://, nats://, tls://, kafka+ssl://, cassandra+ssl:// and scylla+ssl:// targets, not http://"
    );
    #[cfg(feature = "grpc")]
    assert_eq!(
        error(Probe::new("http://h/").unwrap().grpc_service("a.B")).0,
        "grpc_service applies only to grpc:// and grpcs:// targets, not http://"
    );
    // Off is the default, and fits any target.
    assert!(
        tcp()
            .follow_redirects(false)
            .unwrap()
            .insecure(false)
            .is_ok()
    );
}

#[test]
fn contradictions_are_errors_whichever_setting_comes_first() {
    let http = || Probe::new("http://h/").unwrap();
    let head_first = http().method(Method::Head).unwrap().expect_body("ok");
    let body_first = http().expect_body("ok").unwrap().method(Method::Head);
    let message = "expect_body needs a body, and responses to HEAD have none: use GET";
    assert_eq!(error(head_first), (message.to_owned(), "expect_body"));
    assert_eq!(error(body_first), (message.to_owned(), "method"));

    let long_connect =
        "connect_timeout 3.00s is longer than timeout 2.00s, so it would never apply";
    let connect_first = http()
        .connect_timeout(Duration::from_secs(3))
        .and_then(|p| p.timeout(Duration::from_secs(2)));
    // The default timeout is 2 s, so a connect timeout of 3 s is refused at once.
    assert_eq!(error(connect_first).0, long_connect);
    let timeout_last = http()
        .timeout(Duration::from_secs(5))
        .unwrap()
        .connect_timeout(Duration::from_secs(3))
        .unwrap()
        .timeout(Duration::from_secs(2));
    assert_eq!(error(timeout_last), (long_connect.to_owned(), "timeout"));
}

#[cfg(feature = "json")]
#[test]
fn json_checks_are_parsed_when_set_and_hold_on_the_body() {
    let addr = serve(2, answers_ok);
    let url = format!("http://{addr}/health");
    let ok = Probe::new(&url)
        .unwrap()
        .expect_json(".status == \"UP\"")
        .unwrap()
        .run();
    assert!(ok.is_healthy(), "{ok}");
    let down = Probe::new(&url)
        .unwrap()
        .expect_json(".status == DOWN")
        .unwrap()
        .run();
    assert!(
        matches!(
            down.outcome(),
            Outcome::Unhealthy {
                problem: Problem::Http(HttpProblem::JsonMismatch { .. }),
                ..
            }
        ),
        "{down}"
    );
    let (message, setting) = error(Probe::new(&url).unwrap().expect_json(".status =="));
    assert!(
        message.starts_with("invalid expect_json \".status ==\": at column "),
        "{message}"
    );
    assert_eq!(setting, "expect_json");
}

#[test]
fn probes_reports_and_errors_cross_threads() {
    fn send_and_sync<T: Send + Sync + 'static>() {}
    send_and_sync::<Probe>();
    send_and_sync::<healthprobe::Report>();
    send_and_sync::<healthprobe::Error>();
    // One probe, run from several threads at once.
    let addr = serve(4, answers_ok);
    let probe = Probe::new(&format!("http://{addr}/health")).unwrap();
    let healthy = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..4).map(|_| scope.spawn(|| probe.run())).collect();
        runs.into_iter()
            .map(|run| run.join().unwrap().is_healthy())
            .filter(|healthy| *healthy)
            .count()
    });
    assert_eq!(healthy, 4);
}

#[test]
fn a_waiting_probe_returns_once_the_target_turns_healthy() {
    static ANSWERED: AtomicUsize = AtomicUsize::new(0);
    fn healthy_from_the_third(mut stream: TcpStream) {
        read_head(&mut stream);
        let response: &[u8] = match ANSWERED.fetch_add(1, Ordering::SeqCst) {
            0 | 1 => b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n",
            _ => b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
        };
        let _ = stream.write_all(response);
    }
    let addr = serve(3, healthy_from_the_third);
    let started = Instant::now();
    let report = Probe::new(&format!("http://{addr}/"))
        .unwrap()
        .wait(Duration::from_secs(5))
        .unwrap()
        .interval(Duration::from_millis(100))
        .unwrap()
        .run();
    let took = started.elapsed();
    assert!(report.is_healthy(), "{report}");
    assert_eq!(ANSWERED.load(Ordering::SeqCst), 3);
    assert_eq!(report.attempts(), 3);
    // The third attempt starts 200 ms after the first.
    assert!(
        took >= Duration::from_millis(200) && took < Duration::from_secs(1),
        "{took:?}"
    );
}

#[test]
fn a_waiting_probe_gives_up_when_the_wait_ends() {
    let closed = closed_port();
    let wait = Duration::from_millis(450);
    let started = Instant::now();
    let report = Probe::new(&format!("tcp://{closed}"))
        .unwrap()
        .wait(wait)
        .unwrap()
        .interval(Duration::from_millis(100))
        .unwrap()
        .run();
    let took = started.elapsed();
    let line = report.line();
    let head = format!("unhealthy: TCP {closed}: 5 attempts over ");
    let tail = format!(", the last: connection refused at {closed} in ");
    assert!(line.starts_with(&head) && line.contains(&tail), "{line}");
    assert_eq!(report.attempts(), 5);
    assert!(took < wait + DEADLINE_SLACK, "{took:?}");
    let once = Probe::new(&format!("tcp://{closed}")).unwrap().run();
    assert_eq!(once.attempts(), 1);
    assert_eq!(once.exit_code(), healthprobe::EXIT_UNHEALTHY);
    use healthprobe::{EXIT_HEALTHY, EXIT_UNHEALTHY, EXIT_USAGE};
    assert_eq!([EXIT_HEALTHY, EXIT_UNHEALTHY, EXIT_USAGE], [0, 1, 64]);
    assert_eq!(
        error(Probe::new("tcp://h:1").unwrap().wait(Duration::ZERO)),
        (
            "invalid wait \"0.0ms\": must be at least 1ms".to_owned(),
            "wait"
        )
    );
    assert_eq!(
        error(
            Probe::new("tcp://h:1")
                .unwrap()
                .interval(Duration::from_secs(7200))
        ),
        (
            "invalid interval \"7200s\": is longer than 3600s".to_owned(),
            "interval"
        )
    );
}

#[test]
fn the_library_sets_no_log_level_for_the_application_that_embeds_it() {
    // Cargo unifies features: a max_level feature of `log` set here would
    // silence the embedding application's own log::error! too.
    let tree = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "--locked",
            "--offline",
            "--edges",
            "normal,features",
            "--invert",
            "log",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    let text = String::from_utf8_lossy(&tree.stdout);
    assert!(
        tree.status.success() && text.starts_with("log v"),
        "{text}{}",
        String::from_utf8_lossy(&tree.stderr)
    );
    assert!(!text.contains("max_level"), "{text}");
}

#[test]
fn the_library_alone_compiles_in_none_of_the_command_lines_dependencies() {
    // A service that embeds the probe with default-features = false gets
    // no argument parser, no anyhow and no nix: the `cli` feature brings them.
    let tree = |features: &[&str]| {
        let out = std::process::Command::new(env!("CARGO"))
            .args([
                "tree",
                "--locked",
                "--offline",
                "--edges",
                "normal",
                "--prefix",
                "none",
            ])
            .args(features)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo tree runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let crates = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|line| line.split(' ').next())
            .map(str::to_owned)
            .collect()
    };
    let cli = ["anyhow", "pico-args", "nix"];
    let alone = crates(&tree(&["--no-default-features"]));
    for name in cli {
        assert!(!alone.iter().any(|c| c == name), "{name} in {alone:?}");
    }
    // The default build has them, so the check above can fail.
    let all = crates(&tree(&[]));
    for name in cli {
        assert!(all.iter().any(|c| c == name), "{name} not in {all:?}");
    }
}

#[test]
fn an_error_says_what_kind_of_mistake_it_is() {
    use healthprobe::ErrorKind;
    let kind = |result: Result<Probe, healthprobe::Error>| result.expect_err("refused").kind();
    let http = || Probe::new("http://127.0.0.1:1/").unwrap();
    assert_eq!(kind(Probe::new("ftp://h/")), ErrorKind::Invalid);
    assert_eq!(kind(http().timeout(Duration::ZERO)), ErrorKind::Invalid);
    assert_eq!(
        kind(
            Probe::new("tcp://127.0.0.1:1")
                .unwrap()
                .expect_status("200")
        ),
        ErrorKind::NotApplicable
    );
    assert_eq!(
        kind(http().method(Method::Head).unwrap().expect_body("UP")),
        ErrorKind::Conflict
    );
    assert_eq!(
        kind(
            http()
                .timeout(Duration::from_secs(1))
                .unwrap()
                .connect_timeout(Duration::from_secs(2))
        ),
        ErrorKind::Conflict
    );
}

#[test]
fn a_probe_and_its_report_cross_threads_as_async_code_needs() {
    // What `tokio::task::spawn_blocking(move || probe.run())` requires.
    fn sendable<T: Send + 'static>() {}
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<Probe>();
    sendable::<healthprobe::Report>();
    sendable::<healthprobe::Error>();
    let probe = Probe::new(&format!("tcp://{}", closed_port())).unwrap();
    let report = std::thread::spawn(move || probe.run()).join().unwrap();
    assert_eq!(report.exit_code(), 1, "{report}");
}
