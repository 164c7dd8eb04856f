//! The private parsers, re-exported for the fuzz targets in `fuzz/` only: this
//! module exists when cargo fuzz builds with `--cfg fuzzing`, so the public API
//! of ordinary builds stays as small as before.

pub use crate::der::subject_public_key_info;
pub use crate::duration::{
    MAX as MAX_DURATION, display as display_duration, exact as exact_duration,
    parse as parse_duration, parse_within as parse_duration_within,
};
pub use crate::expand::expand;
#[cfg(feature = "json")]
pub use crate::protocol::json::{ExpectJson, check_all as check_json};
pub use crate::spec::MAX_AGE;
pub use crate::status::ExpectStatus;

/// The command line's parser, the targets it makes, and the limits the
/// builder holds them to.
pub mod config {
    pub use crate::cli::*;
    pub use crate::kinds::MAX_REQUEST_LINE;
    #[cfg(feature = "grpc")]
    pub use crate::kinds::{MAX_GRPC_METADATA, MAX_GRPC_SERVICE};
    pub use crate::spec::*;
    pub use crate::transport::net::MAX_UNIX_PATH;
}

/// URLs as healthprobe reads them.
pub mod url {
    pub use crate::spec::Scheme;
    pub use crate::url::{Address, Host, HostRule, PathRule, Rules, Url};

    /// The rules of the schemes healthprobe probes.
    pub fn rules(name: &str) -> Result<Rules, String> {
        Scheme::rules_named(name)
    }
}

/// The outcome types and the line's rules.
pub mod outcome;

/// What an HTTP probe of 127.0.0.1:1 finds when a 200 answer's body fails
/// an `--expect-json` check with `problem`.
#[cfg(feature = "json")]
pub fn json_mismatch(problem: crate::JsonProblem) -> crate::Outcome {
    let peer = std::net::SocketAddr::from(([127, 0, 0, 1], 1));
    let status = 200;
    crate::Outcome::problem(
        peer.into(),
        crate::HttpProblem::JsonMismatch { status, problem },
    )
}

/// A report as a probe would make it, named as the library names settings
/// (`library`) or as the command line does.
pub fn report(
    probed: String,
    outcome: crate::Outcome,
    elapsed: std::time::Duration,
    waited: Option<crate::report::Waited>,
    library: bool,
) -> crate::Report {
    let names = match library {
        true => crate::setting::Names::Library,
        false => {
            let Ok(crate::cli::Command::Probe(plan)) =
                crate::cli::parse(vec!["tcp://127.0.0.1:1".into()], |_| None)
            else {
                unreachable!("a fixed, valid command line")
            };
            plan.targets[0].names.clone()
        }
    };
    crate::Report {
        probed,
        outcome,
        elapsed,
        waited,
        names,
        kept: None,
        attempts: 1,
    }
}

/// Every line a run of `plan` could print about its targets, short of
/// probing them: a failure, a timeout, the progress line of a wait, and the
/// line when a wait ends.
pub fn lines(plan: &crate::cli::Plan) -> Vec<String> {
    use std::time::Duration;

    use crate::report::{Limit, Outcome, Peer, Stage, Waited};
    let mut lines = Vec::new();
    for target in &plan.targets {
        let peer = Peer::Tcp(([127, 0, 0, 1], 1).into());
        for outcome in [
            Outcome::ConnectFailed {
                attempts: vec![(
                    peer.clone(),
                    crate::report::IoFailure::new(
                        std::io::ErrorKind::ConnectionRefused,
                        "connection refused",
                    ),
                )],
            },
            Outcome::TimedOut {
                stage: Stage::Reply,
                limit: Limit::Deadline(target.timeout),
                peer: Some(peer),
                received: 0,
            },
            Outcome::ResolveFailed {
                host: target.url.host.to_string(),
                error: "no address found".to_owned(),
            },
        ] {
            let report = crate::Report {
                probed: crate::kinds::described(target),
                outcome,
                elapsed: Duration::from_millis(1),
                waited: None,
                names: target.names.clone(),
                kept: None,
                attempts: 1,
            };
            lines.push(report.line());
            lines.push(report.progress_line());
            let waited = crate::Report {
                waited: Some(Waited {
                    attempts: 2,
                    over: Duration::from_secs(1),
                }),
                ..report
            };
            lines.push(waited.line());
        }
        lines.push(target.url.to_string());
    }
    lines
}

/// Runs a grpc:// probe's call against `server`, the bytes a server sends
/// (read to their end, then the connection closes), and returns the report
/// the probe would print. Everything the client writes is discarded.
#[cfg(feature = "grpc")]
pub fn grpc_answer(server: &[u8]) -> crate::Report {
    use std::time::{Duration, Instant};

    use crate::report::{Limit, Peer};

    let args = vec![
        "--grpc-service".into(),
        "svc".into(),
        "grpc://127.0.0.1:1".into(),
    ];
    let Ok(crate::cli::Command::Probe(plan)) = crate::cli::parse(args, |_| None) else {
        unreachable!("a fixed, valid command line")
    };
    let target = &plan.targets[0];
    let crate::spec::Kind::Grpc(check) = &target.kind else {
        unreachable!("a grpc:// target")
    };
    let peer = Peer::Tcp(std::net::SocketAddr::from(([127, 0, 0, 1], 1)));
    let limit = Limit::Deadline(target.timeout);
    let deadline = Instant::now() + target.timeout;
    let mut stream = Scripted(std::io::Cursor::new(server.to_vec()));
    crate::Report {
        probed: crate::kinds::Prober::described(check, target),
        outcome: crate::kinds::grpc::call(target, check, &mut stream, deadline, limit, peer),
        elapsed: Duration::ZERO,
        waited: None,
        names: target.names.clone(),
        kept: None,
        attempts: 1,
    }
}

/// Runs the exchange of the `kind`-th kind that talks over one stream
/// (`postgres://`, `redis://`, `mysql://`, `amqp://`, `nats://`,
/// `memcached://`, `zookeeper://`, `kafka://`, `cassandra://`, `mongodb://`, in the order they are declared; `kind`'s
/// high bit asks for the exchange a kind tries after a server closed
/// without a word, where it has one) against `server`, the bytes a server
/// sends (then it closes), with a user and a password where its URLs take
/// them, and returns the report the probe would print.
pub fn database_answer(kind: u8, server: &[u8]) -> crate::Report {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use crate::report::{Limit, Peer};

    use crate::spec::Kind;

    // The first plain form of every kind that speaks over a stream of its
    // own, with a user and a password (and a name) when its URLs carry them.
    let talks =
        |kind: &Kind| matches!(kind, Kind::Nats(_)) || crate::kinds::exchange(kind).is_some();
    let targets: Vec<crate::spec::Target> = crate::declared::KINDS
        .iter()
        .filter(|kind| kind.connects)
        .filter_map(|kind| {
            let form = kind
                .forms
                .iter()
                .find(|form| !form.tls && form.default_port.is_some())?;
            let user = if kind.userinfo { "app:pw@" } else { "" };
            let name = if form.path == crate::url::PathRule::Name {
                "/0"
            } else {
                ""
            };
            let url = format!("{}://{user}127.0.0.1:1{name}", form.name);
            let Ok(crate::cli::Command::Probe(plan)) =
                crate::cli::parse(vec![url.into()], |_| None)
            else {
                unreachable!("a fixed, valid command line")
            };
            plan.targets.into_iter().next()
        })
        .filter(|target| talks(&target.kind))
        .collect();
    let target = &targets[usize::from(kind & 0x7f) % targets.len()];
    let peer = Peer::Tcp(std::net::SocketAddr::from(([127, 0, 0, 1], 1)));
    let limit = Limit::Deadline(target.timeout);
    let trace = Arc::new(Mutex::new(crate::transport::net::Trace::default()));
    let mut stream = Scripted(std::io::Cursor::new(server.to_vec()));
    let (probed, outcome) = match (&target.kind, crate::kinds::exchange(&target.kind)) {
        (Kind::Nats(check), _) => (
            crate::kinds::Prober::described(check, target),
            crate::kinds::nats::talk(check, target, stream, peer, limit, &trace),
        ),
        (_, Some(mut exchange)) => {
            if kind & 0x80 != 0 {
                // The exchange that follows one whose server closed without
                // a word, reached as the probe reaches it (memcached's
                // binary protocol).
                let mut closed = Scripted(std::io::Cursor::new(Vec::new()));
                let first = exchange.talk(&mut closed, peer.clone(), limit, &trace);
                exchange = exchange.then(&first).unwrap_or(exchange);
            }
            (
                exchange.described(target),
                exchange.talk(&mut stream, peer, limit, &trace),
            )
        }
        (kind, None) => unreachable!("{kind:?} speaks over no stream of its own"),
    };
    crate::Report {
        probed,
        outcome,
        elapsed: Duration::ZERO,
        waited: None,
        names: target.names.clone(),
        kept: None,
        attempts: 1,
    }
}

/// A server's bytes, read to their end (then the connection closes);
/// everything the client writes is discarded.
struct Scripted(std::io::Cursor<Vec<u8>>);

impl std::io::Read for Scripted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl std::io::Write for Scripted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
