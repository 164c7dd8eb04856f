//! What a probe found, as data: no HTTP library types here. One exhaustive
//! `match` maps each variant to an exit code, and `Display` renders the line.

use std::fmt::{self, Write as _};
use std::net::SocketAddr;
use std::time::Duration;

use crate::duration;

/// Exit code for healthy.
pub const EXIT_HEALTHY: u8 = 0;
/// Exit code for unhealthy, whatever the cause. Docker reserves 2, so every
/// probe failure is 1.
pub const EXIT_UNHEALTHY: u8 = 1;
/// Exit code for a usage or configuration error (BSD `EX_USAGE`).
pub const EXIT_USAGE: u8 = 64;

/// The most bytes of output: Podman keeps 500 characters of each check.
pub const MAX_LINE: usize = 500;

/// The stage a probe was in when it failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// Looking up the host's addresses.
    #[default]
    Resolve,
    /// Connecting over TCP or to the Unix socket.
    Connect,
    /// The TLS handshake, after the TCP connection is up.
    TlsHandshake,
    /// Sending the request.
    Request,
    /// Waiting for, or reading, the response's status line and headers.
    ResponseHead,
    /// Reading the response body.
    Body,
    /// gRPC: waiting for the server's HTTP/2 SETTINGS, its connection preface.
    Settings,
    /// gRPC: waiting for the response's HTTP/2 headers.
    ResponseHeaders,
    /// gRPC: reading the response message.
    Message,
    /// gRPC: waiting for the trailers that carry grpc-status.
    Trailers,
}

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
    /// The status is in the expected list and the body checks, if any, hold.
    Healthy {
        /// The HTTP status.
        status: u16,
        /// Where the response came from.
        peer: Peer,
    },
    /// A `tcp://` target accepted a connection.
    Connected {
        /// The address that accepted it.
        peer: Peer,
    },
    /// A gRPC health check answered SERVING, in one message, and the call
    /// ended with `grpc-status: 0`.
    #[cfg(feature = "grpc")]
    Serving {
        /// Where the answer came from.
        peer: Peer,
    },
    /// A gRPC health check reached the server, and its answer is not
    /// SERVING, or is not a well-formed gRPC answer at all.
    #[cfg(feature = "grpc")]
    Grpc {
        /// Where the answer came from.
        peer: Peer,
        /// What is wrong with it.
        problem: GrpcProblem,
    },
    /// The status is not in the expected list.
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// Where the response came from.
        peer: Peer,
        /// The expected list, as in `200-299`.
        expected: String,
        /// The Location of a 3xx that was not followed.
        location: Option<Vec<u8>>,
    },
    /// With redirects followed, a redirect that leaves the scheme, host and
    /// port, or whose Location is not a usable URL.
    RedirectRefused {
        /// The redirect's status.
        status: u16,
        /// Where it came from.
        peer: Peer,
        /// Its Location header.
        location: Vec<u8>,
        /// Why it is not followed.
        why: String,
    },
    /// With redirects followed, more than the allowed number of redirects.
    TooManyRedirects {
        /// Where the last one came from.
        peer: Peer,
        /// How many are followed.
        limit: u8,
    },
    /// The body ended, or its first 64 KiB were read, without the expected
    /// text.
    BodyMismatch {
        /// The HTTP status.
        status: u16,
        /// Where the response came from.
        peer: Peer,
        /// How many bytes of the body were read.
        read: usize,
        /// Whether the body ended (else the limit stopped the reading).
        ended: bool,
        /// The body's beginning, to show.
        start: Vec<u8>,
    },
    /// With JSON checks: the body is not one JSON document within the
    /// limit, or an expression does not hold.
    #[cfg(feature = "json")]
    JsonMismatch {
        /// The HTTP status.
        status: u16,
        /// Where the response came from.
        peer: Peer,
        /// What is wrong with the document.
        problem: JsonProblem,
    },
    /// The resolver found no address for the host, or failed.
    ResolveFailed {
        /// The host looked up.
        host: String,
        /// What the resolver said.
        error: String,
    },
    /// No address accepted a connection.
    ConnectFailed {
        /// Each address tried, with its error.
        attempts: Vec<(Peer, String)>,
    },
    /// A limit passed.
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
    ConnectionLost {
        /// What the probe was doing.
        stage: Stage,
        /// The address connected to.
        peer: Peer,
        /// What the operating system or the server said.
        error: String,
        /// How many response bytes were read before.
        received: usize,
    },
    /// What came back does not parse as an HTTP/1.x response head.
    NotHttp {
        /// Where it came from.
        peer: Peer,
        /// Its first bytes.
        start: Vec<u8>,
    },
    /// The response head is longer than `limit` bytes.
    HeadTooLarge {
        /// Where it came from.
        peer: Peer,
        /// The most bytes of head read.
        limit: usize,
    },
    /// TLS failed: the server's certificate, or the server refused ours.
    Tls {
        /// The address connected to.
        peer: Peer,
        /// What failed.
        problem: TlsProblem,
    },
    /// TLS cannot be set up for this target at all, before connecting: the
    /// name to verify is not a valid DNS name for a certificate.
    TlsSetup {
        /// Why.
        error: String,
    },
    /// A TLS target without `insecure`, and no certificates to trust: no
    /// CA file given (nor `SSL_CERT_FILE`, for the command line), and none
    /// of the system bundles.
    NoTrustRoots {
        /// Where it looked.
        looked: Vec<String>,
    },
    /// A file named by a TLS setting cannot be used: a configuration error
    /// (exit 64), found only when the probe runs because reading files is
    /// not pure.
    BadFile {
        /// What named it: `--cert` or `--key` for a client certificate's
        /// files, also from the library; for the CA file, `cacert` from the
        /// library, and the flag or variable on the command line.
        source: String,
        /// The file.
        path: String,
        /// What is wrong with it.
        error: String,
    },
}

/// Why a TLS connection was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsProblem {
    /// The certificate does not chain to any of the trusted roots.
    UnknownIssuer {
        /// The roots trusted, as in `--cacert /ca.pem`.
        trusted: String,
    },
    /// The certificate is valid, but not for `name`.
    NameMismatch {
        /// The name verified.
        name: String,
    },
    /// The certificate has expired.
    Expired,
    /// The certificate is not valid yet.
    NotYetValid,
    /// The server presented a CA certificate as its own (`openssl req -x509`
    /// makes these unless told `CA:FALSE`).
    CaAsServer,
    /// The server wants a client certificate and none was given.
    ClientCertRequired,
    /// The server refused the client certificate given.
    ClientCertRejected,
    /// The server answered the TLS handshake in plain HTTP.
    PlainHttp,
    /// Anything else the TLS library reported.
    Other(String),
}

/// Why a body fails a JSON check.
#[cfg(feature = "json")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonProblem {
    /// The body is not JSON.
    NotJson {
        /// The parser's reason.
        why: String,
        /// The byte offset where it gave up.
        offset: usize,
        /// The start of the body.
        start: Vec<u8>,
    },
    /// The body is longer than `limit` bytes.
    TooLong {
        /// The most bytes parsed.
        limit: usize,
    },
    /// Nothing is at `path`.
    Missing {
        /// The path, as in `.checks[0].status`.
        path: String,
        /// What the value before it is, when it cannot be indexed that way.
        because: Option<String>,
    },
    /// The value at `path` does not satisfy the expression.
    Mismatch {
        /// The path.
        path: String,
        /// The value found, as JSON.
        found: String,
        /// What the expression expects, as in `== "UP"`.
        expected: String,
    },
    /// An ordering comparison found a value that is not a number.
    NotANumber {
        /// The path.
        path: String,
        /// The value found, as JSON.
        found: String,
        /// What the expression expects, as in `< 50`.
        expected: String,
    },
}

/// What is wrong with a gRPC health check's answer.
#[cfg(feature = "grpc")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GrpcProblem {
    /// The message holds a `ServingStatus` other than SERVING.
    NotServing {
        /// UNKNOWN (0), NOT_SERVING (2), SERVICE_UNKNOWN (3), or a value
        /// the protocol does not name.
        status: u64,
    },
    /// The call ended with a non-zero `grpc-status`.
    Status {
        /// The `grpc-status` code.
        code: u64,
        /// The percent-decoded `grpc-message`.
        message: Vec<u8>,
        /// The service asked about.
        service: String,
    },
    /// The HTTP/2 `:status` is not 200: a proxy or a plain web server answered.
    HttpStatus {
        /// The `:status`.
        status: u16,
    },
    /// The `content-type` is not `application/grpc`.
    ContentType {
        /// What was sent; empty when none was.
        value: Vec<u8>,
    },
    /// The call ended without a `grpc-status`.
    NoStatus,
    /// `grpc-status: 0`, but no response message.
    NoMessage,
    /// More than one response message to a unary call.
    Messages {
        /// How many.
        count: usize,
    },
    /// The message is not a `HealthCheckResponse`.
    BadMessage {
        /// What is wrong with it.
        why: String,
    },
    /// The server answered the HTTP/2 preface in HTTP/1.x.
    NotHttp2 {
        /// Its first bytes.
        start: Vec<u8>,
    },
    /// In TLS, the server did not agree to `h2` by ALPN.
    NoH2 {
        /// The protocol it picked, if any.
        chosen: Option<Vec<u8>>,
    },
    /// The server sent GOAWAY before answering.
    GoAway {
        /// The HTTP/2 error code.
        code: u32,
        /// The start of its debug data.
        debug: Vec<u8>,
    },
    /// The server reset the call's stream (RST_STREAM).
    Reset {
        /// The HTTP/2 error code.
        code: u32,
    },
    /// The server broke the HTTP/2 or HPACK rules, or a limit healthprobe
    /// keeps: a malformed or oversized frame or header block, a flood.
    Protocol {
        /// Which rule or limit.
        why: String,
    },
}

impl Outcome {
    /// 0 when healthy; 64 for a configuration error found when the probe
    /// ran ([`Outcome::BadFile`]); 1 for everything else. (Docker reserves
    /// 2, so no failure is 2.)
    pub fn exit_code(&self) -> u8 {
        match self {
            Outcome::Healthy { .. } | Outcome::Connected { .. } => EXIT_HEALTHY,
            #[cfg(feature = "grpc")]
            Outcome::Serving { .. } => EXIT_HEALTHY,
            #[cfg(feature = "grpc")]
            Outcome::Grpc { .. } => EXIT_UNHEALTHY,
            #[cfg(feature = "json")]
            Outcome::JsonMismatch { .. } => EXIT_UNHEALTHY,
            Outcome::UnexpectedStatus { .. }
            | Outcome::RedirectRefused { .. }
            | Outcome::TooManyRedirects { .. }
            | Outcome::BodyMismatch { .. }
            | Outcome::ResolveFailed { .. }
            | Outcome::ConnectFailed { .. }
            | Outcome::TimedOut { .. }
            | Outcome::ConnectionLost { .. }
            | Outcome::NotHttp { .. }
            | Outcome::HeadTooLarge { .. }
            | Outcome::Tls { .. }
            | Outcome::TlsSetup { .. }
            | Outcome::NoTrustRoots { .. } => EXIT_UNHEALTHY,
            Outcome::BadFile { .. } => EXIT_USAGE,
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

    /// The outcome's exit code: 0 healthy, 1 unhealthy, 64 misconfigured.
    pub fn exit_code(&self) -> u8 {
        self.outcome.exit_code()
    }

    /// Whether the target is healthy.
    pub fn is_healthy(&self) -> bool {
        self.outcome.is_healthy()
    }
}

/// Makes `text` one output line: every byte outside visible ASCII becomes
/// `\xNN` (whatever a variant carries, nothing reaches a log as a control
/// character), and more than `MAX_LINE` bytes are cut, ending in `...`.
pub fn one_line(text: String) -> String {
    if text.len() <= MAX_LINE && text.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        return text;
    }
    let mut line = String::with_capacity(text.len().min(MAX_LINE));
    for b in text.bytes() {
        if line.len() > MAX_LINE {
            break;
        }
        match b {
            0x20..=0x7e => line.push(char::from(b)),
            _ => {
                let _ = write!(line, "\\x{b:02x}");
            }
        }
    }
    if line.len() > MAX_LINE {
        // Only ASCII was written, so any byte offset is a char boundary.
        line.truncate(MAX_LINE - 3);
        line.push_str("...");
    }
    line
}

/// An I/O error as the line words it: std's text lower-cased, without the
/// " (os error N)" it appends, which the line has no room for.
pub fn os_error_text(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_ascii_lowercase(),
        None => text,
    }
}

/// The line for a panic, which is a bug: `healthprobe: internal error:
/// <message> at <file:line> (please report this)`, as one escaped line of at
/// most `MAX_LINE` bytes, the request to report it kept even when the
/// message is cut.
pub fn internal_error(message: &str, location: Option<(&str, u32)>) -> String {
    const END: &str = " (please report this)";
    let mut text = format!("healthprobe: internal error: {message}");
    if let Some((file, line)) = location {
        let _ = write!(text, " at {file}:{line}");
    }
    let mut line = one_line(text);
    if line.len() + END.len() > MAX_LINE {
        line.truncate(MAX_LINE - END.len() - 3);
        line.push_str("...");
    }
    line.push_str(END);
    line
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
        if let Outcome::BadFile {
            source,
            path,
            error,
        } = &self.outcome
        {
            // Reported like any other usage error.
            return write!(f, "healthprobe: cannot use {source} {path:?}: {error}");
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
        match &self.outcome {
            Outcome::Healthy { status, peer } => write!(f, "{} from {peer}", status_text(*status))?,
            Outcome::Connected { peer } => write!(f, "connected to {peer}")?,
            #[cfg(feature = "grpc")]
            Outcome::Serving { peer } => write!(f, "SERVING from {peer}")?,
            #[cfg(feature = "grpc")]
            Outcome::Grpc { peer, problem } => grpc_problem(f, peer, problem)?,
            Outcome::UnexpectedStatus {
                status,
                peer,
                expected,
                location,
            } => {
                write!(f, "{}", status_text(*status))?;
                if let Some(location) = location {
                    write!(f, " to {}", quoted(location, 120))?;
                }
                write!(f, ", expected {expected}")?;
                if location.is_some() {
                    f.write_str(" (see --follow-redirects)")?;
                }
                write!(f, ", from {peer}")?;
            }
            Outcome::RedirectRefused {
                status,
                peer,
                location,
                why,
            } => write!(
                f,
                "{} to {}, not followed: {why}, from {peer}",
                status_text(*status),
                quoted(location, 120)
            )?,
            Outcome::TooManyRedirects { peer, limit } => {
                write!(f, "more than {limit} redirects, the last from {peer}")?
            }
            Outcome::BodyMismatch {
                status,
                peer,
                read,
                ended,
                start,
            } => {
                write!(f, "{} but ", status_text(*status))?;
                match ended {
                    true => write!(f, "the body ({read} bytes) lacks the expected text")?,
                    false => write!(
                        f,
                        "the first {read} bytes of the body lack the expected text"
                    )?,
                }
                write!(f, ", it begins {}, from {peer}", quoted(start, 80))?;
            }
            #[cfg(feature = "json")]
            Outcome::JsonMismatch {
                status,
                peer,
                problem,
            } => {
                write!(f, "{} but ", status_text(*status))?;
                match problem {
                    JsonProblem::NotJson { why, offset, start } => write!(
                        f,
                        "the body is not JSON ({why} at byte {offset}): {}",
                        quoted(start, 60)
                    )?,
                    JsonProblem::TooLong { limit } => write!(
                        f,
                        "the body is longer than the {} KiB --expect-json reads",
                        limit / 1024
                    )?,
                    JsonProblem::Missing { path, because } => {
                        write!(f, "{path} is missing")?;
                        if let Some(because) = because {
                            write!(f, ": {because}")?;
                        }
                    }
                    JsonProblem::Mismatch {
                        path,
                        found,
                        expected,
                    } => write!(f, "{path} is {found}, expected {expected}")?,
                    JsonProblem::NotANumber {
                        path,
                        found,
                        expected,
                    } => write!(f, "{path} is {found}, not a number, expected {expected}")?,
                }
                write!(f, ", from {peer}")?;
            }
            Outcome::ResolveFailed { host, error } => {
                write!(f, "cannot resolve {host:?}: {error}")?
            }
            Outcome::ConnectFailed { attempts } => {
                // Runs of the same error share one phrase: "connection
                // refused at 127.0.0.1:9000 and [::1]:9000".
                let mut previous: Option<&str> = None;
                for (addr, error) in attempts {
                    match previous {
                        Some(p) if p == error => write!(f, " and {addr}")?,
                        Some(_) => write!(f, "; {error} at {addr}")?,
                        None => write!(f, "{error} at {addr}")?,
                    }
                    previous = Some(error);
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
                f.write_str("timed out ")?;
                f.write_str(match stage {
                    Stage::Resolve => "resolving the host",
                    Stage::Connect => "connecting",
                    Stage::TlsHandshake => "in the TLS handshake",
                    Stage::Request => "sending the request",
                    Stage::ResponseHead => "waiting for the response head",
                    Stage::Body => "reading the body",
                    Stage::Settings => "waiting for the server's HTTP/2 SETTINGS",
                    Stage::ResponseHeaders => "waiting for the response headers",
                    Stage::Message => "reading the response message",
                    Stage::Trailers => "waiting for the trailers",
                })?;
                if let Some(peer) = peer {
                    let preposition = match stage {
                        Stage::Connect | Stage::Request => "to",
                        Stage::TlsHandshake => "with",
                        _ => "from",
                    };
                    write!(f, " {preposition} {peer}")?;
                }
                let (flag, d) = match limit {
                    Limit::Deadline(d) => ("--timeout", d),
                    Limit::Connect(d) => ("--connect-timeout", d),
                    Limit::Wait(d) => ("--wait", d),
                };
                write!(f, " ({flag} {}", duration::display(*d))?;
                if matches!(stage, Stage::ResponseHead | Stage::Body) {
                    write!(f, ", {received} bytes received")?;
                }
                f.write_char(')')?;
            }
            Outcome::ConnectionLost {
                stage,
                peer,
                error,
                received,
            } => {
                let when = match stage {
                    Stage::Resolve | Stage::Connect | Stage::Request => "sending the request",
                    Stage::TlsHandshake => "in the TLS handshake",
                    Stage::ResponseHead => "reading the response head",
                    Stage::Body => "reading the body",
                    Stage::Settings => "waiting for the server's HTTP/2 SETTINGS",
                    Stage::ResponseHeaders => "waiting for the response headers",
                    Stage::Message => "reading the response message",
                    Stage::Trailers => "waiting for the trailers",
                };
                write!(
                    f,
                    "{error} while {when} from {peer} ({received} bytes received)"
                )?
            }
            Outcome::NotHttp { peer, start } if looks_like_tls(start) => {
                write!(f, "{peer} answered in TLS: probe it with https://")?
            }
            Outcome::Tls { peer, problem } => match problem {
                TlsProblem::UnknownIssuer { trusted } => write!(
                    f,
                    "the certificate of {peer} is not signed by a trusted CA (trusting {trusted}; see --cacert)"
                )?,
                TlsProblem::NameMismatch { name } => write!(
                    f,
                    "the certificate of {peer} is not valid for {name:?} (see --server-name)"
                )?,
                TlsProblem::Expired => write!(f, "the certificate of {peer} has expired")?,
                TlsProblem::NotYetValid => write!(f, "the certificate of {peer} is not valid yet")?,
                TlsProblem::CaAsServer => write!(
                    f,
                    "the certificate of {peer} is a CA certificate, not a server's (openssl req -x509 makes these: add -addext basicConstraints=critical,CA:FALSE)"
                )?,
                TlsProblem::ClientCertRequired => write!(
                    f,
                    "{peer} requires a client certificate (see --cert and --key)"
                )?,
                TlsProblem::ClientCertRejected => {
                    write!(f, "{peer} rejected the client certificate")?
                }
                TlsProblem::PlainHttp => write!(
                    f,
                    "{peer} answered in plain HTTP, not TLS: probe it with http://"
                )?,
                TlsProblem::Other(error) => write!(f, "TLS with {peer} failed: {error}")?,
            },
            Outcome::TlsSetup { error } => write!(f, "cannot set up TLS: {error}")?,
            Outcome::NoTrustRoots { looked } => write!(
                f,
                "no certificates to trust: none in {}; give --cacert, or --insecure to skip verification",
                looked.join(", ")
            )?,
            Outcome::BadFile { .. } => {}
            Outcome::NotHttp { peer, start } => write!(
                f,
                "the response from {peer} is not HTTP: it begins {}",
                quoted(start, 60)
            )?,
            Outcome::HeadTooLarge { peer, limit } => write!(
                f,
                "the response head from {peer} is longer than {} KiB",
                limit / 1024
            )?,
        }
        if style == Style::Failure {
            return Ok(());
        }
        write!(f, " in {}", duration::display(self.elapsed))
    }
}

/// The words for a gRPC problem, after `unhealthy: gRPC Check ... at URL: `.
#[cfg(feature = "grpc")]
fn grpc_problem(f: &mut fmt::Formatter<'_>, peer: &Peer, problem: &GrpcProblem) -> fmt::Result {
    match problem {
        GrpcProblem::NotServing { status } => match serving_status_name(*status) {
            Some(name) => write!(f, "{name} from {peer}"),
            None => write!(f, "status {status}, which is not SERVING, from {peer}"),
        },
        GrpcProblem::Status {
            code,
            message,
            service,
        } => {
            write!(f, "grpc-status {code}")?;
            if let Some(name) = status_name(*code) {
                write!(f, " {name}")?;
            }
            if !message.is_empty() {
                write!(f, " {}", quoted(message, 160))?;
            }
            match code {
                12 => f.write_str(": the server has no health service")?,
                5 => write!(f, ": the service {service:?} is unknown to the server")?,
                7 | 16 => f.write_str(" (see --header)")?,
                _ => {}
            }
            write!(f, ", from {peer}")
        }
        GrpcProblem::HttpStatus { status } => write!(
            f,
            "HTTP status {}, not 200: not a gRPC server, from {peer}",
            status_text(*status)
        ),
        GrpcProblem::ContentType { value } if value.is_empty() => write!(
            f,
            "the response has no content-type, not application/grpc: not a gRPC server, from {peer}"
        ),
        GrpcProblem::ContentType { value } => write!(
            f,
            "the content-type is {}, not application/grpc: not a gRPC server, from {peer}",
            quoted(value, 60)
        ),
        GrpcProblem::NoStatus => write!(f, "the call ended without a grpc-status, from {peer}"),
        GrpcProblem::NoMessage => write!(f, "grpc-status 0 but no response message, from {peer}"),
        GrpcProblem::Messages { count } => write!(
            f,
            "{count} response messages to a unary call, expected one, from {peer}"
        ),
        GrpcProblem::BadMessage { why } => write!(
            f,
            "the response message is not a HealthCheckResponse: {why}, from {peer}"
        ),
        GrpcProblem::NotHttp2 { start } => write!(
            f,
            "{peer} answered in HTTP/1.x: not an HTTP/2 (gRPC) endpoint; it begins {}",
            quoted(start, 60)
        ),
        GrpcProblem::NoH2 { chosen } => {
            write!(
                f,
                "{peer} did not agree to HTTP/2 in the TLS handshake (ALPN h2): "
            )?;
            match chosen {
                Some(protocol) => write!(f, "it chose {}", quoted(protocol, 40)),
                None => f.write_str("it chose no protocol"),
            }
        }
        GrpcProblem::GoAway { code, debug } => {
            write!(
                f,
                "{peer} sent GOAWAY ({}) before answering",
                h2_error_name(*code)
            )?;
            if !debug.is_empty() {
                write!(f, ": {}", quoted(debug, 80))?;
            }
            Ok(())
        }
        GrpcProblem::Reset { code } => write!(
            f,
            "{peer} reset the call (RST_STREAM {})",
            h2_error_name(*code)
        ),
        GrpcProblem::Protocol { why } => write!(f, "HTTP/2 protocol error from {peer}: {why}"),
    }
}

/// The canonical name of a gRPC status code (grpc/grpc `doc/statuscodes.md`).
#[cfg(feature = "grpc")]
pub fn status_name(code: u64) -> Option<&'static str> {
    Some(match code {
        0 => "OK",
        1 => "CANCELLED",
        2 => "UNKNOWN",
        3 => "INVALID_ARGUMENT",
        4 => "DEADLINE_EXCEEDED",
        5 => "NOT_FOUND",
        6 => "ALREADY_EXISTS",
        7 => "PERMISSION_DENIED",
        8 => "RESOURCE_EXHAUSTED",
        9 => "FAILED_PRECONDITION",
        10 => "ABORTED",
        11 => "OUT_OF_RANGE",
        12 => "UNIMPLEMENTED",
        13 => "INTERNAL",
        14 => "UNAVAILABLE",
        15 => "DATA_LOSS",
        16 => "UNAUTHENTICATED",
        _ => return None,
    })
}

/// The name of a `ServingStatus` value.
#[cfg(feature = "grpc")]
pub fn serving_status_name(status: u64) -> Option<&'static str> {
    Some(match status {
        0 => "UNKNOWN",
        1 => "SERVING",
        2 => "NOT_SERVING",
        3 => "SERVICE_UNKNOWN",
        _ => return None,
    })
}

/// The name of an HTTP/2 error code (RFC 9113 section 7).
#[cfg(feature = "grpc")]
pub fn h2_error_name(code: u32) -> String {
    let name = match code {
        0x0 => "NO_ERROR",
        0x1 => "PROTOCOL_ERROR",
        0x2 => "INTERNAL_ERROR",
        0x3 => "FLOW_CONTROL_ERROR",
        0x4 => "SETTINGS_TIMEOUT",
        0x5 => "STREAM_CLOSED",
        0x6 => "FRAME_SIZE_ERROR",
        0x7 => "REFUSED_STREAM",
        0x8 => "CANCEL",
        0x9 => "COMPRESSION_ERROR",
        0xa => "CONNECT_ERROR",
        0xb => "ENHANCE_YOUR_CALM",
        0xc => "INADEQUATE_SECURITY",
        0xd => "HTTP_1_1_REQUIRED",
        other => return format!("error code {other:#x}"),
    };
    name.to_owned()
}

/// A TLS record header: an alert (21) or a handshake (22), version 3.x. A TLS
/// server that receives plain HTTP usually answers with an alert.
fn looks_like_tls(start: &[u8]) -> bool {
    matches!(start, [21 | 22, 3, ..])
}

/// `200 OK`: the code and its standard reason phrase (the server's own phrase
/// is not shown: it is the server's to fill, and the code says it all).
fn status_text(status: u16) -> String {
    match reason(status) {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

fn reason(status: u16) -> Option<&'static str> {
    Some(match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}

/// Quotes bytes the server sent, so that nothing it controls reaches a log
/// as anything but visible ASCII: control characters, escape sequences and
/// non-ASCII bytes become `\xNN`, and more than `max` bytes end in `...`.
pub fn quoted(bytes: &[u8], max: usize) -> String {
    let mut out = String::with_capacity(bytes.len().min(max) + 2);
    out.push('"');
    for &b in bytes.iter().take(max) {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('"');
    if bytes.len() > max {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_leaves_only_visible_ascii() {
        assert_eq!(quoted(b"ok", 10), "\"ok\"");
        assert_eq!(
            quoted(b"\x1b[31mred\x07\r\n\"\\", 40),
            r#""\x1b[31mred\x07\r\n\"\\""#
        );
        assert_eq!(quoted("é".as_bytes(), 10), r#""\xc3\xa9""#);
        assert_eq!(quoted(b"abcdef", 3), "\"abc\"...");
    }

    #[test]
    fn lines_are_cut_at_the_limit() {
        let report = Report {
            probed: format!("GET http://h/{}", "a".repeat(600)),
            outcome: Outcome::ResolveFailed {
                host: "h".into(),
                error: "no address".into(),
            },
            elapsed: Duration::from_millis(3),
            waited: None,
        };
        let line = report.line();
        assert_eq!(line.len(), MAX_LINE);
        assert!(line.ends_with("..."));
    }

    #[test]
    fn lines_are_visible_ascii_whatever_a_variant_carries() {
        let report = Report {
            probed: "GET http://h/".into(),
            outcome: Outcome::ResolveFailed {
                host: "h\u{1b}[2J\n".into(),
                error: "caf\u{e9}\r".into(),
            },
            elapsed: Duration::from_millis(3),
            waited: None,
        };
        assert_eq!(
            report.line(),
            r#"unhealthy: GET http://h/: cannot resolve "h\u{1b}[2J\n": caf\xc3\xa9\x0d in 3.0ms"#
        );
    }

    #[test]
    fn internal_errors_are_one_line_that_asks_for_a_report() {
        assert_eq!(
            internal_error("boom\nbang", Some(("src/x.rs", 7))),
            r"healthprobe: internal error: boom\x0abang at src/x.rs:7 (please report this)"
        );
        let long = internal_error(&"\u{7}".repeat(400), None);
        assert_eq!(long.len(), MAX_LINE);
        assert!(long.ends_with("... (please report this)"), "{long}");
        assert!(long.bytes().all(|b| (0x20..0x7f).contains(&b)));
    }

    #[test]
    fn only_healthy_exits_zero() {
        let addr: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let peer = Peer::from(addr);
        assert_eq!(Outcome::Connected { peer: peer.clone() }.exit_code(), 0);
        assert_eq!(
            Outcome::Healthy {
                status: 200,
                peer: peer.clone()
            }
            .exit_code(),
            0
        );
        let lost = Outcome::ConnectionLost {
            stage: Stage::Body,
            peer,
            error: "connection reset".into(),
            received: 0,
        };
        assert_eq!(lost.exit_code(), 1);
    }
}
