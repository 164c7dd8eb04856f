//! What a probe found, as data: no network library types here. Each kind's
//! problems are its own ([`HttpProblem`], [`GrpcProblem`], [`TlsProblem`],
//! [`JsonProblem`], in `protocol`), gathered here into one [`Outcome`]; one
//! exhaustive `match` maps each variant to an exit code, and [`Report`]
//! renders the line, each problem writing its own words.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::duration;
use crate::line::one_line;
pub use crate::protocol::Stage;
use crate::protocol::Words;
use crate::protocol::http::status_text;
use crate::setting::{Names, Setting};
pub use problems::*;

/// Each kind's problems, as the crate's root re-exports them: a new kind's
/// problem is added here, beside its [`Outcome`] variant.
pub mod problems {
    pub use crate::protocol::WireProblem;
    pub use crate::protocol::amqp::AmqpProblem;
    pub use crate::protocol::cassandra::CassandraProblem;
    pub use crate::protocol::file::FileProblem;
    #[cfg(feature = "grpc")]
    pub use crate::protocol::grpc::GrpcProblem;
    pub use crate::protocol::http::HttpProblem;
    #[cfg(feature = "json")]
    pub use crate::protocol::json::JsonProblem;
    pub use crate::protocol::kafka::KafkaProblem;
    pub use crate::protocol::memcached::MemcachedProblem;
    pub use crate::protocol::mongodb::MongoProblem;
    pub use crate::protocol::mysql::MysqlProblem;
    pub use crate::protocol::nats::NatsProblem;
    pub use crate::protocol::postgres::{Answer as PostgresAnswer, PostgresProblem};
    pub use crate::protocol::redis::RedisProblem;
    pub use crate::protocol::tls::{TlsProblem, Trusted};
    pub use crate::protocol::zookeeper::ZookeeperProblem;
}

/// Exit code for healthy.
pub const EXIT_HEALTHY: u8 = 0;
/// Exit code for unhealthy, whatever the cause. Docker reserves 2, so every
/// probe failure is 1.
pub const EXIT_UNHEALTHY: u8 = 1;
/// Exit code for a usage or configuration error (BSD `EX_USAGE`).
pub const EXIT_USAGE: u8 = 64;

/// What a probe connected to: an address, or a Unix socket (its path, or
/// `@name` for an abstract one).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Peer {
    /// A TCP address.
    Tcp(SocketAddr),
    /// A Unix socket: its path, or `@name` for an abstract socket.
    Unix(String),
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Peer::Tcp(addr) => write!(f, "{addr}"),
            Peer::Unix(path) => f.write_str(path),
        }
    }
}

impl From<SocketAddr> for Peer {
    fn from(addr: SocketAddr) -> Peer {
        Peer::Tcp(addr)
    }
}

/// Which limit ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// The timeout, the deadline for the whole probe.
    Deadline(Duration),
    /// The connect timeout.
    Connect(Duration),
    /// `--wait`, which ended before the timeout did.
    Wait(Duration),
    /// A share of the time left, given to one of several hosts tried in
    /// turn so that the next still has time.
    Share(Duration),
}

/// What a probe found: healthy, or the one reason it is not. Plain data;
/// [`Outcome::exit_code`] maps it to 0, 1 or 64, and the [`Report`] that
/// holds it renders the line.
///
/// Bytes the server chose (`Vec<u8>` fields) are kept as sent; the line
/// quotes and escapes them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Healthy: the kind's verdict, with what it found.
    #[non_exhaustive]
    Healthy {
        /// Where the answer came from; `None` for a kind with no server
        /// (`file://`).
        peer: Option<Peer>,
        /// What the kind found.
        ready: Ready,
    },
    /// The target answered, and its kind judges the answer unhealthy.
    #[non_exhaustive]
    Unhealthy {
        /// Where the answer came from; `None` for a kind with no server
        /// (`file://`).
        peer: Option<Peer>,
        /// What is wrong, in the kind's own terms.
        problem: Problem,
    },
    /// None of the hosts a URL names is ready (a libpq URL may name
    /// several): each, as the URL names it, with why.
    #[non_exhaustive]
    NoHostReady {
        /// Each host tried, in order, and what it answered.
        hosts: Vec<(String, Outcome)>,
    },
    /// The resolver found no address for the host, or failed.
    #[non_exhaustive]
    ResolveFailed {
        /// The host looked up.
        host: String,
        /// What the resolver said.
        error: String,
    },
    /// No address accepted a connection.
    #[non_exhaustive]
    ConnectFailed {
        /// Each address tried, with its error.
        attempts: Vec<(Peer, IoFailure)>,
    },
    /// A limit passed.
    #[non_exhaustive]
    TimedOut {
        /// What the probe was doing.
        stage: Stage,
        /// Which limit passed.
        limit: Limit,
        /// The address connected to, if any.
        peer: Option<Peer>,
        /// How many response bytes were read before it ran out.
        received: usize,
    },
    /// The connection closed or failed after it was established.
    #[non_exhaustive]
    ConnectionLost {
        /// What the probe was doing.
        stage: Stage,
        /// The address connected to.
        peer: Peer,
        /// What the operating system or the server said.
        error: IoFailure,
        /// How many response bytes were read before.
        received: usize,
    },
    /// What came back does not parse as an HTTP/1.x response head.
    #[non_exhaustive]
    Tls {
        /// The address connected to.
        peer: Peer,
        /// What failed.
        problem: TlsProblem,
    },
    /// TLS cannot be set up for this target at all, before connecting: the
    /// name to verify is not a valid DNS name for a certificate.
    #[non_exhaustive]
    TlsSetup {
        /// Why.
        error: String,
    },
    /// A TLS target without `insecure`, and no certificates to trust: no
    /// CA file given (nor `SSL_CERT_FILE`, for the command line), and none
    /// of the system bundles.
    #[non_exhaustive]
    NoTrustRoots {
        /// The system bundles looked for, besides the CA file setting.
        looked: Vec<String>,
    },
    /// A file named by a TLS setting cannot be used: a configuration error
    /// (exit 64), found only when the probe runs because reading files is
    /// not pure.
    #[non_exhaustive]
    BadFile {
        /// Which setting named it.
        file: TlsFile,
        /// The file.
        path: String,
        /// What is wrong with it.
        error: String,
    },
    /// A build with the `loopback-only` feature refused a target that is
    /// not loopback and not reached through a Unix socket: a configuration
    /// error (exit 64), found when the probe runs when the Unix socket could
    /// have been set after the target.
    #[non_exhaustive]
    NotLoopback {
        /// Why, naming the host.
        why: String,
    },
    /// The client certificate's key file holds a key, but not the one the
    /// certificate is for: a configuration error (exit 64).
    #[non_exhaustive]
    KeyMismatch {
        /// The key file.
        key: String,
        /// The certificate file.
        cert: String,
    },
}

/// A failure of the network or the operating system: its kind, to match
/// on, and the words a line gives it (`connection refused`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IoFailure {
    /// The kind of the `std::io::Error`; for what is not one (the server
    /// closed the connection, an answer that broke HTTP), the nearest:
    /// `UnexpectedEof`, `InvalidData`, `Other`.
    pub kind: std::io::ErrorKind,
    /// The words for it.
    pub text: String,
}

impl IoFailure {
    /// A failure of `kind`, in `text`.
    pub fn new(kind: std::io::ErrorKind, text: impl Into<String>) -> IoFailure {
        IoFailure {
            kind,
            text: text.into(),
        }
    }
}

impl fmt::Display for IoFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What a healthy target's kind found.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ready {
    /// An HTTP response's status is in the expected list, and the body
    /// checks, if any, hold.
    #[non_exhaustive]
    Http {
        /// The HTTP status.
        status: u16,
    },
    /// A `tcp://` target accepted a connection.
    Connected,
    /// A gRPC health check answered SERVING, in one message, and the call
    /// ended with `grpc-status: 0`.
    #[cfg(feature = "grpc")]
    Serving,
    /// A PostgreSQL server accepts connections, as `pg_isready` says: it
    /// asked for authentication, or refused this login for a reason other
    /// than not being ready.
    #[non_exhaustive]
    Postgres {
        /// What it answered.
        answer: PostgresAnswer,
    },
    /// A Redis server answered PING with PONG; or, without a password
    /// given, demanded one (`NOAUTH`).
    #[non_exhaustive]
    Redis {
        /// Whether it demanded a login instead of answering PONG.
        auth_required: bool,
    },
    /// A MySQL or MariaDB server sent its greeting and answered the login:
    /// up and accepting connections.
    #[non_exhaustive]
    Mysql {
        /// The server's version, as the greeting gives it.
        version: Vec<u8>,
    },
    /// An AMQP broker answered the 0-9-1 protocol header with
    /// Connection.Start.
    #[non_exhaustive]
    Amqp {
        /// The version Connection.Start names: 0-9 for 0-9-1.
        version: (u8, u8),
    },
    /// A NATS server answered PING with PONG after CONNECT; or, without a
    /// login given, requires one and took the connection.
    #[non_exhaustive]
    Nats {
        /// The server's version, as its INFO gives it.
        version: Vec<u8>,
        /// Whether it requires a login, and none was given.
        auth_required: bool,
    },
    /// A memcached server answered `version`.
    #[non_exhaustive]
    Memcached {
        /// The version it answered; `None` when it asked for a login first
        /// (`CLIENT_ERROR unauthenticated`, ASCII authentication).
        version: Option<Vec<u8>>,
        /// It answered in the binary protocol, having closed on the text
        /// one: SASL, or `-B binary`.
        binary: bool,
    },
    /// A ZooKeeper server answered `srvr` in a mode that serves requests.
    #[non_exhaustive]
    Zookeeper {
        /// `standalone`, `leader`, `follower` or `observer`.
        mode: Vec<u8>,
    },
    /// A Kafka broker answered ApiVersions.
    #[non_exhaustive]
    Kafka {
        /// How many APIs it listed.
        apis: u32,
        /// Whether `Produce` is among them: a broker's listener lists it,
        /// a KRaft controller's does not.
        produce: bool,
        /// It answered `UNSUPPORTED_VERSION` (35), listing ApiVersions: up,
        /// and past the version asked.
        newer: bool,
    },
    /// A Cassandra or Scylla node answered `STARTUP` with `READY` or
    /// `AUTHENTICATE`.
    #[non_exhaustive]
    Cassandra {
        /// The native protocol version it spoke.
        version: u8,
        /// The authenticator `AUTHENTICATE` named, when it wants a login.
        authenticator: Option<Vec<u8>>,
    },
    /// A MongoDB member answered `hello` as one that serves.
    #[non_exhaustive]
    Mongodb {
        /// `primary`, `secondary`, `standalone` or `mongos`.
        role: &'static str,
        /// The replica set's name, for a primary or a secondary.
        set: Option<Vec<u8>>,
    },
    /// A `file://` target exists and, with a maximum age, was modified
    /// within it.
    #[non_exhaustive]
    File {
        /// How long ago it was modified, rounded down to the millisecond;
        /// zero for a time up to a second in the future.
        age: Duration,
        /// The maximum age, when one is set.
        max_age: Option<Duration>,
    },
}

/// [`Problem`], one variant a kind, and each kind's problem into it: a new
/// kind is one line here.
macro_rules! problems {
    ($($(#[$attr:meta])* $kind:ident($problem:ty),)*) => {
        /// What is wrong with an answer, in its kind's own terms. Each kind's
        /// problem type is its own; the parts every protocol shares are
        /// [`WireProblem`].
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Problem {
            $($(#[$attr])* $kind($problem),)*
        }

        $(
            $(#[$attr])*
            impl From<$problem> for Problem {
                fn from(problem: $problem) -> Problem {
                    Problem::$kind(problem)
                }
            }
        )*
    };
}

problems! {
    /// An HTTP response that is not healthy.
    Http(HttpProblem),
    /// A gRPC answer that is not SERVING, or not well-formed gRPC.
    #[cfg(feature = "grpc")]
    Grpc(GrpcProblem),
    /// A PostgreSQL server that rejects connections (57P03), or an answer
    /// that is not PostgreSQL's.
    Postgres(PostgresProblem),
    /// A Redis server that is up but not ready (`LOADING`, `BUSY`, ...),
    /// refused the login, or did not answer as Redis.
    Redis(RedisProblem),
    /// A MySQL or MariaDB server that sent an error in place of its
    /// greeting, or did not answer as MySQL.
    Mysql(MysqlProblem),
    /// An AMQP broker that does not speak 0-9-1, or an answer that is not
    /// AMQP.
    Amqp(AmqpProblem),
    /// A NATS server that is full, closing down (lame duck), refused the
    /// login, or did not answer as NATS.
    Nats(NatsProblem),
    /// A memcached server that answered with an error, or not as memcached.
    Memcached(MemcachedProblem),
    /// A ZooKeeper server that is not serving, does not answer `srvr`, or
    /// did not answer as ZooKeeper.
    Zookeeper(ZookeeperProblem),
    /// A Kafka broker that answered ApiVersions with an error, or did not
    /// answer as Kafka.
    Kafka(KafkaProblem),
    /// A Cassandra or Scylla node that answered with an error, speaks no
    /// version asked, or did not answer as CQL.
    Cassandra(CassandraProblem),
    /// A MongoDB member that answered with an error, is an arbiter, is
    /// neither primary nor secondary, is not the primary asked for, or did
    /// not answer as MongoDB.
    Mongodb(MongoProblem),
    /// A `file://` target that is missing, cannot be looked at, or is
    /// stale.
    File(FileProblem),
}

impl Outcome {
    /// A healthy outcome from `peer`.
    pub(crate) fn ready(peer: Peer, ready: Ready) -> Outcome {
        Outcome::Healthy {
            peer: Some(peer),
            ready,
        }
    }

    /// An unhealthy answer from `peer`.
    pub(crate) fn problem(peer: Peer, problem: impl Into<Problem>) -> Outcome {
        Outcome::Unhealthy {
            peer: Some(peer),
            problem: problem.into(),
        }
    }
}

/// Which file of a TLS setting cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsFile {
    /// The certificates to trust (`cacert`).
    Cacert,
    /// The client certificate (`client_cert`'s first file).
    ClientCert,
    /// The client certificate's key (`client_cert`'s second file).
    ClientKey,
}

impl TlsFile {
    fn setting(self) -> Setting {
        match self {
            TlsFile::Cacert => Setting::Cacert,
            TlsFile::ClientCert => Setting::ClientCert,
            TlsFile::ClientKey => Setting::ClientKey,
        }
    }
}

impl Outcome {
    /// 0 when healthy; 64 for a configuration error found when the probe
    /// ran ([`Outcome::BadFile`], [`Outcome::KeyMismatch`]); 1 for
    /// everything else. (Docker reserves
    /// 2, so no failure is 2.)
    pub fn exit_code(&self) -> u8 {
        match self {
            Outcome::Healthy { .. } => EXIT_HEALTHY,
            Outcome::Unhealthy { .. }
            | Outcome::NoHostReady { .. }
            | Outcome::ResolveFailed { .. }
            | Outcome::ConnectFailed { .. }
            | Outcome::TimedOut { .. }
            | Outcome::ConnectionLost { .. }
            | Outcome::Tls { .. }
            | Outcome::TlsSetup { .. }
            | Outcome::NoTrustRoots { .. } => EXIT_UNHEALTHY,
            Outcome::BadFile { .. } | Outcome::KeyMismatch { .. } | Outcome::NotLoopback { .. } => {
                EXIT_USAGE
            }
        }
    }

    /// Whether the target is healthy: exit code 0.
    pub fn is_healthy(&self) -> bool {
        self.exit_code() == EXIT_HEALTHY
    }
}

/// What one probe found, what was probed, and how long it took. Its
/// `Display` is the line the command line prints: at most 500 bytes of
/// visible ASCII, as in `healthy: GET http://127.0.0.1:8080/health: 200 OK
/// from 127.0.0.1:8080 in 0.4ms`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// `GET http://127.0.0.1:9000/health`, as the user asked for it.
    pub(crate) probed: String,
    pub(crate) outcome: Outcome,
    pub(crate) elapsed: Duration,
    /// With `--wait`, for a target still unhealthy when the wait ended: how
    /// many attempts were made, over how long. The outcome is the last one.
    pub(crate) waited: Option<Waited>,
    /// How the line names a setting: as the caller does.
    pub(crate) names: Names,
    /// What an HTTP check asked to keep of the response, for curl and wget
    /// to print ([`HttpCheck::keep`](crate::spec::HttpCheck::keep)).
    pub(crate) kept: Option<Kept>,
    /// How many attempts were made: 1, unless waiting took more.
    pub(crate) attempts: u32,
}

/// What curl and wget print of a response, and when it asked to be tried
/// again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Kept {
    /// The body, at most 64 KiB; empty for `HEAD`.
    pub body: Vec<u8>,
    /// `Retry-After` in seconds, when the response gave one so.
    pub retry_after: Option<u64>,
}

/// How long a target was waited for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waited {
    pub attempts: u32,
    pub over: Duration,
}

impl Report {
    /// The line to print: at most 500 bytes of visible ASCII, with no line
    /// break (the same text as `Display`, cut and escaped).
    pub fn line(&self) -> String {
        one_line(self.to_string())
    }

    /// What was found.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// What was probed, as the line names it: `GET
    /// http://127.0.0.1:9000/health`, `TCP db:5432`, `gRPC Check "" at
    /// grpc://127.0.0.1:50051`. A query string shows as `?...`.
    pub fn probed(&self) -> &str {
        &self.probed
    }

    /// How long the probe took.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// How many attempts were made: 1 for a probe run once, and with
    /// [`Probe::wait`](crate::Probe::wait), every attempt until the target
    /// was healthy or the wait ended. The outcome is the last attempt's.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The outcome's exit code: 0 healthy, 1 unhealthy, 64 misconfigured.
    pub fn exit_code(&self) -> u8 {
        self.outcome.exit_code()
    }

    /// Whether the target is healthy.
    pub fn is_healthy(&self) -> bool {
        self.outcome.is_healthy()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.render(f, Style::Final)
    }
}

/// How a report is rendered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    /// The line printed at the end: `healthy:` or `unhealthy:`.
    Final,
    /// A line while waiting: `waiting:`, as the target is not judged yet.
    Progress,
    /// What failed, without the elapsed time: to tell failures apart.
    Failure,
}

struct Styled<'a>(&'a Report, Style);

impl fmt::Display for Styled<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.render(f, self.1)
    }
}

impl Report {
    /// The line for a target still being waited for (`--wait`), printed when
    /// its failure changes: `waiting: TCP db:5432: connection refused ...`.
    pub fn progress_line(&self) -> String {
        one_line(Styled(self, Style::Progress).to_string())
    }

    /// What failed, as the line says it but without the time it took, so
    /// that two attempts that failed the same way compare equal.
    pub fn failure(&self) -> String {
        Styled(self, Style::Failure).to_string()
    }

    fn render(&self, f: &mut fmt::Formatter<'_>, style: Style) -> fmt::Result {
        let names = &self.names;
        if let Outcome::BadFile { file, path, error } = &self.outcome {
            // Reported like any other usage error.
            let source = names.source(file.setting());
            return write!(f, "healthprobe: cannot use {source} {path:?}: {error}");
        }
        if let Outcome::KeyMismatch { key, cert } = &self.outcome {
            let (key_source, cert_source) = (
                names.source(Setting::ClientKey),
                names.source(Setting::ClientCert),
            );
            return write!(
                f,
                "healthprobe: cannot use {key_source} {key:?}: it is not the key of the certificate in {cert_source} {cert:?}"
            );
        }
        if let Outcome::NotLoopback { why } = &self.outcome {
            return write!(f, "healthprobe: {why}");
        }
        let verdict = match style {
            Style::Progress => "waiting",
            _ if self.outcome.is_healthy() => "healthy",
            _ => "unhealthy",
        };
        write!(f, "{verdict}: {}: ", self.probed)?;
        if let Some(Waited { attempts, over }) = self.waited {
            let plural = if attempts == 1 { "" } else { "s" };
            let over = duration::display(over);
            write!(f, "{attempts} attempt{plural} over {over}, the last: ")?;
        }
        write_outcome(f, &self.outcome, names, style)?;
        if style == Style::Failure {
            return Ok(());
        }
        write!(f, " in {}", duration::display(self.elapsed))
    }
}

/// What an outcome says, after `VERDICT: WHAT WAS PROBED: `.
fn write_outcome(
    f: &mut fmt::Formatter<'_>,
    outcome: &Outcome,
    names: &Names,
    style: Style,
) -> fmt::Result {
    match outcome {
        Outcome::Healthy { peer, ready } => ready.write(f, &Shown(peer.as_ref()), names)?,
        Outcome::Unhealthy { peer, problem } => {
            problem.write(f, &Shown(peer.as_ref()), names, style)?
        }
        Outcome::Tls { peer, problem } => problem.write(f, peer, names)?,
        Outcome::ResolveFailed { host, error } => write!(f, "cannot resolve {host:?}: {error}")?,
        Outcome::NoHostReady { hosts } => {
            f.write_str("no host is ready: ")?;
            for (i, (host, outcome)) in hosts.iter().enumerate() {
                if i > 0 {
                    f.write_str("; ")?;
                }
                write!(f, "{host}: ")?;
                write_outcome(f, outcome, names, style)?;
            }
        }
        Outcome::ConnectFailed { attempts } => {
            // Runs of the same error share one phrase: "connection
            // refused at 127.0.0.1:9000 and [::1]:9000".
            let mut previous: Option<&str> = None;
            for (addr, error) in attempts {
                match previous {
                    Some(p) if p == error.text => write!(f, " and {addr}")?,
                    Some(_) => write!(f, "; {error} at {addr}")?,
                    None => write!(f, "{error} at {addr}")?,
                }
                previous = Some(&error.text);
            }
            if attempts.is_empty() {
                f.write_str("no address to connect to")?;
            }
        }
        Outcome::TimedOut {
            stage,
            limit,
            peer,
            received,
        } => {
            let words = stage.words();
            write!(f, "timed out {}", words.waiting)?;
            if let Some(peer) = peer {
                write!(f, " {} {peer}", words.preposition)?;
            }
            let (setting, d) = match limit {
                Limit::Deadline(d) => (Setting::Timeout, d),
                Limit::Connect(d) => (Setting::ConnectTimeout, d),
                Limit::Wait(d) => (Setting::Wait, d),
                Limit::Share(d) => {
                    write!(f, " ({}, its share of the time left", duration::display(*d))?;
                    (Setting::Timeout, d)
                }
            };
            if !matches!(limit, Limit::Share(_)) {
                write!(f, " ({} {}", names.option(setting), duration::display(*d))?;
            }
            if words.counts_bytes {
                write!(f, ", {received} bytes received")?;
            }
            f.write_str(")")?;
        }
        Outcome::ConnectionLost {
            stage,
            peer,
            error,
            received,
        } => write!(
            f,
            "{error} while {} from {peer} ({received} bytes received)",
            stage.words().lost
        )?,
        Outcome::TlsSetup { error } => write!(f, "cannot set up TLS: {error}")?,
        Outcome::NoTrustRoots { looked } => {
            let cacert = names.option(Setting::Cacert);
            write!(f, "no certificates to trust: none in {cacert} (not given)")?;
            if let Some(var) = names.fallback(Setting::Cacert) {
                write!(f, ", {var} (not set)")?;
            }
            for bundle in looked {
                write!(f, ", {bundle}")?;
            }
            let insecure = names.option(Setting::Insecure);
            write!(f, "; give {cacert}, or {insecure} to skip verification")?
        }
        Outcome::BadFile { .. } | Outcome::KeyMismatch { .. } | Outcome::NotLoopback { .. } => {}
    }
    Ok(())
}

/// A peer as a line names it; nothing for a kind with none.
struct Shown<'a>(Option<&'a Peer>);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(peer) => peer.fmt(f),
            None => Ok(()),
        }
    }
}

impl Ready {
    /// What a healthy line says: `200 OK from 127.0.0.1:8080`.
    fn write(&self, f: &mut fmt::Formatter<'_>, peer: &Shown<'_>, names: &Names) -> fmt::Result {
        match self {
            Ready::Http { status } => write!(f, "{} from {peer}", status_text(*status)),
            Ready::Connected => write!(f, "connected to {peer}"),
            #[cfg(feature = "grpc")]
            Ready::Serving => write!(f, "SERVING from {peer}"),
            Ready::Postgres { answer } => write!(
                f,
                "{} from {peer}",
                crate::protocol::postgres::accepted(answer)
            ),
            Ready::Redis {
                auth_required: false,
            } => write!(f, "PONG from {peer}"),
            Ready::Redis {
                auth_required: true,
            } => write!(
                f,
                "up, and it requires authentication (NOAUTH), from {peer}"
            ),
            Ready::Mysql { version } => write!(
                f,
                "up, version {}, from {peer}",
                crate::line::quoted(version, 60)
            ),
            Ready::Amqp {
                version: (major, minor),
            } => write!(f, "Connection.Start (AMQP {major}-{minor}) from {peer}"),
            Ready::Nats {
                version,
                auth_required: false,
            } => write!(
                f,
                "PONG from {peer}, version {}",
                crate::line::quoted(version, 40)
            ),
            Ready::Nats {
                version,
                auth_required: true,
            } => write!(
                f,
                "up, and it requires authentication, from {peer}, version {}",
                crate::line::quoted(version, 40)
            ),
            Ready::Memcached {
                version: Some(version),
                binary,
            } => write!(
                f,
                "VERSION {} from {peer}{}",
                crate::line::quoted(version, 40),
                match binary {
                    true =>
                        ", in the binary protocol (it closed on the text one: SASL, or -B binary)",
                    false => "",
                }
            ),
            Ready::Memcached { version: None, .. } => write!(
                f,
                "up, and it requires authentication (CLIENT_ERROR unauthenticated), from {peer}"
            ),
            Ready::Zookeeper { mode } => write!(
                f,
                "serving, mode {}, from {peer}",
                crate::line::quoted(mode, 40)
            ),
            Ready::Kafka {
                apis,
                produce,
                newer,
            } => write!(
                f,
                "{apis} APIs from {peer}{}",
                match (newer, produce) {
                    (true, _) => ", which no longer speaks ApiVersions 0 (error 35): up",
                    (false, true) => "",
                    (false, false) => ", without Produce: a KRaft controller, not a broker",
                }
            ),
            Ready::Cassandra {
                version,
                authenticator: None,
            } => write!(f, "READY from {peer}, protocol v{version}"),
            Ready::Cassandra {
                version,
                authenticator: Some(authenticator),
            } => write!(
                f,
                "up, and it requires authentication ({}), from {peer}, protocol v{version}",
                crate::line::quoted(authenticator, 80)
            ),
            Ready::Mongodb { role, set: None } => write!(f, "{role} from {peer}"),
            Ready::Mongodb {
                role,
                set: Some(set),
            } => write!(f, "{role} of {} from {peer}", crate::line::quoted(set, 80)),
            Ready::File { age, max_age } => crate::protocol::file::fresh(f, *age, *max_age, names),
        }
    }
}

impl Problem {
    /// What an unhealthy line says, in the kind's words.
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        peer: &Shown<'_>,
        names: &Names,
        style: Style,
    ) -> fmt::Result {
        match self {
            Problem::Http(problem) => problem.write(f, peer, names),
            #[cfg(feature = "grpc")]
            Problem::Grpc(problem) => problem.write(f, peer, names),
            Problem::Postgres(problem) => problem.write(f, peer, names),
            Problem::Redis(problem) => problem.write(f, peer, names),
            Problem::Mysql(problem) => problem.write(f, peer, names),
            Problem::Amqp(problem) => problem.write(f, peer, names),
            Problem::Nats(problem) => problem.write(f, peer, names),
            Problem::Memcached(problem) => problem.write(f, peer, names),
            Problem::Zookeeper(problem) => problem.write(f, peer, names),
            Problem::Kafka(problem) => problem.write(f, peer, names),
            Problem::Cassandra(problem) => problem.write(f, peer, names),
            Problem::Mongodb(problem) => problem.write(f, peer, names),
            // A stale file's age grows with each attempt of a wait: which
            // way it failed is what tells two failures apart.
            Problem::File(problem) if style == Style::Failure => f.write_str(problem.summary()),
            Problem::File(problem) => problem.write(f, peer, names),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(outcome: Outcome, probed: String) -> Report {
        Report {
            probed,
            outcome,
            elapsed: Duration::from_millis(3),
            waited: None,
            names: Names::Library,
            kept: None,
            attempts: 1,
        }
    }

    #[test]
    fn lines_are_cut_at_the_limit() {
        let outcome = Outcome::ResolveFailed {
            host: "h".into(),
            error: "no address".into(),
        };
        let line = report(outcome, format!("GET http://h/{}", "a".repeat(600))).line();
        assert_eq!(line.len(), crate::line::MAX_LINE);
        assert!(line.ends_with("..."));
    }

    #[test]
    fn lines_are_visible_ascii_whatever_a_variant_carries() {
        let outcome = Outcome::ResolveFailed {
            host: "h\u{1b}[2J\n".into(),
            error: "caf\u{e9}\r".into(),
        };
        assert_eq!(
            report(outcome, "GET http://h/".into()).line(),
            r#"unhealthy: GET http://h/: cannot resolve "h\u{1b}[2J\n": caf\xc3\xa9\x0d in 3.0ms"#
        );
    }

    #[test]
    fn library_lines_name_the_library_settings() {
        let outcome = Outcome::TimedOut {
            stage: Stage::Connect,
            limit: Limit::Connect(Duration::from_millis(500)),
            peer: None,
            received: 0,
        };
        assert_eq!(
            report(outcome, "TCP h:1".into()).line(),
            "unhealthy: TCP h:1: timed out connecting (connect_timeout 500ms) in 3.0ms"
        );
        let outcome = Outcome::NoTrustRoots {
            looked: vec!["/etc/ssl/cert.pem".into()],
        };
        assert_eq!(
            report(outcome, "GET https://h/".into()).line(),
            "unhealthy: GET https://h/: no certificates to trust: none in cacert (not given), \
             /etc/ssl/cert.pem; give cacert, or insecure to skip verification in 3.0ms"
        );
    }

    #[test]
    fn only_healthy_exits_zero() {
        let addr: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let peer = Peer::from(addr);
        assert_eq!(
            Outcome::ready(peer.clone(), Ready::Connected).exit_code(),
            0
        );
        let ok = Outcome::ready(peer.clone(), Ready::Http { status: 200 });
        assert_eq!(ok.exit_code(), 0);
        let lost = Outcome::ConnectionLost {
            stage: Stage::Body,
            peer,
            error: IoFailure::new(std::io::ErrorKind::ConnectionReset, "connection reset"),
            received: 0,
        };
        assert_eq!(lost.exit_code(), 1);
    }
}
