//! The one module that knows ureq. It runs a [`Config`] against the network
//! within one deadline and turns everything it learns into an [`Outcome`].
//!
//! ureq is given a resolver and a connector of our own. The resolver answers IP
//! literals and `localhost` itself (no thread, no /etc/hosts, no DNS) and runs
//! the system resolver on a thread it stops waiting for at the deadline. The
//! connector tries each address in turn and records what happened, and its
//! transport records the stage and the bytes received, so that a failure can
//! say where it happened and how far the server got.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex, MutexGuard, mpsc};
use std::time::{Duration, Instant};
use std::{fmt, thread};

use ureq::http::{Response, Uri};
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, LazyBuffers, NextTimeout, Transport,
};
use ureq::{Agent, Body, Error, Timeout};

use crate::config::{Config, Method};
use crate::outcome::{Limit, Outcome, Report, Stage};
use crate::url::Url;

/// How much of the body `--expect-body` searches.
pub const BODY_LIMIT: usize = 64 * 1024;
/// The longest response head accepted (ureq's default).
const HEAD_LIMIT: usize = 64 * 1024;
/// Redirects followed under `--follow-redirects`.
const MAX_REDIRECTS: u8 = 5;
/// The request is a few hundred bytes; ureq writes it in one piece from here.
const OUTPUT_BUFFER: usize = 8 * 1024;
/// Addresses tried for one name (ureq's own resolver keeps as many).
const MAX_ADDRS: usize = 16;
/// Response bytes kept to show when the response is not HTTP.
const START_KEPT: usize = 64;

const USER_AGENT: &str = concat!("healthprobe/", env!("CARGO_PKG_VERSION"));

/// Runs the probe described by `config`. Never panics on anything the network
/// does, and returns by the deadline `config.timeout` after it is called.
pub fn run(config: &Config) -> Report {
    let started = Instant::now();
    let deadline = started + config.timeout;
    let outcome = probe(config, deadline);
    Report {
        probed: format!("{} {}", config.method.as_str(), config.url),
        outcome,
        elapsed: started.elapsed(),
    }
}

fn probe(config: &Config, deadline: Instant) -> Outcome {
    let trace = Arc::new(Mutex::new(Trace::default()));
    let mut url = config.url.clone();
    let mut redirects = 0;
    loop {
        lock(&trace).reset();
        let response = match request(config, &url, deadline, &trace) {
            Ok(response) => response,
            Err(error) => return failure(error, &lock(&trace), config, deadline),
        };
        let peer = lock(&trace).peer.unwrap_or(UNSPECIFIED);
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|l| l.as_bytes().to_vec());
        if let Some(location) = location.filter(|_| is_redirect(status)) {
            if !config.follow_redirects {
                if config.expect_status.accepts(status) {
                    return Outcome::Healthy { status, peer };
                }
                let expected = config.expect_status.to_string();
                let location = Some(location);
                return Outcome::UnexpectedStatus {
                    status,
                    peer,
                    expected,
                    location,
                };
            }
            if redirects == MAX_REDIRECTS {
                return Outcome::TooManyRedirects {
                    peer,
                    limit: MAX_REDIRECTS,
                };
            }
            let refused = |why: String| Outcome::RedirectRefused {
                status,
                peer,
                location: location.clone(),
                why,
            };
            let next = match std::str::from_utf8(&location).map(|l| url.join(l)) {
                Ok(Ok(next)) => next,
                Ok(Err(why)) => return refused(format!("the Location is not usable: {why}")),
                Err(_) => return refused("the Location is not UTF-8".to_owned()),
            };
            if !url.same_origin(&next) {
                return refused("it leaves the scheme, host and port probed".to_owned());
            }
            redirects += 1;
            url = next;
            continue;
        }
        if !config.expect_status.accepts(status) {
            let expected = config.expect_status.to_string();
            return Outcome::UnexpectedStatus {
                status,
                peer,
                expected,
                location: None,
            };
        }
        let Some(expected) = &config.expect_body else {
            return Outcome::Healthy { status, peer };
        };
        lock(&trace).stage = Stage::Body;
        return match search_body(response, expected.as_bytes()) {
            Ok(BodySearch::Found) => Outcome::Healthy { status, peer },
            Ok(BodySearch::Missing { read, ended, start }) => Outcome::BodyMismatch {
                status,
                peer,
                read,
                ended,
                start,
            },
            Err(error) => failure(error, &lock(&trace), config, deadline),
        };
    }
}

fn request(
    config: &Config,
    url: &Url,
    deadline: Instant,
    trace: &Arc<Mutex<Trace>>,
) -> Result<Response<Body>, Error> {
    let remaining = deadline.saturating_duration_since(Instant::now());
    if remaining.is_zero() {
        return Err(Error::Timeout(Timeout::Global));
    }
    let agent_config = Agent::config_builder()
        // A health probe talks to its target directly: HTTP_PROXY and friends
        // are for the application's outbound traffic, not for loopback.
        .proxy(None)
        .http_status_as_error(false)
        // Redirects are followed here, where the same-origin rule is applied.
        .max_redirects(0)
        .max_idle_connections(0)
        .max_response_header_size(HEAD_LIMIT)
        // One byte more than the head may take, so that a head over the limit
        // is seen as too large rather than as a full buffer.
        .input_buffer_size(HEAD_LIMIT + 1)
        .output_buffer_size(OUTPUT_BUFFER)
        .user_agent(USER_AGENT)
        .accept("*/*")
        .timeout_global(Some(remaining))
        .build();
    let connector = TracedConnector {
        trace: Arc::clone(trace),
        deadline,
        connect_timeout: config.connect_timeout,
    };
    let resolver = LoopbackResolver {
        trace: Arc::clone(trace),
        deadline,
    };
    let agent = Agent::with_parts(agent_config, connector, resolver);
    let target = url.as_request_url();
    let mut request = match config.method {
        Method::Get => agent.get(&target),
        Method::Head => agent.head(&target),
    };
    for (name, value) in &config.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let has = |name: &str| {
        config
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    if !has("connection") {
        request = request.header("connection", "close");
    }
    request.call()
}

enum BodySearch {
    Found,
    Missing {
        read: usize,
        ended: bool,
        start: Vec<u8>,
    },
}

/// Reads the body only until `needle` shows up, and never past [`BODY_LIMIT`].
fn search_body(mut response: Response<Body>, needle: &[u8]) -> Result<BodySearch, Error> {
    if needle.is_empty() {
        return Ok(BodySearch::Found);
    }
    let mut body = Vec::with_capacity(8 * 1024);
    let mut reader = response.body_mut().as_reader();
    let mut chunk = [0u8; 8 * 1024];
    loop {
        let want = chunk.len().min(BODY_LIMIT - body.len());
        let n = match reader.read(&mut chunk[..want]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::from(e)),
        };
        // Search only the region the new bytes can complete a match in.
        let from = body.len().saturating_sub(needle.len() - 1);
        body.extend_from_slice(&chunk[..n]);
        if body[from..].windows(needle.len()).any(|w| w == needle) {
            return Ok(BodySearch::Found);
        }
        if n == 0 || body.len() == BODY_LIMIT {
            let read = body.len();
            body.truncate(START_KEPT * 2);
            return Ok(BodySearch::Missing {
                read,
                ended: n == 0,
                start: body,
            });
        }
    }
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Turns a ureq error into an outcome, using what the trace saw to name the
/// stage, the address and how much the server sent.
fn failure(error: Error, trace: &Trace, config: &Config, deadline: Instant) -> Outcome {
    let stage = trace.stage;
    let received = trace.received;
    if let Error::Timeout(reason) = error {
        let by_connect_timeout =
            reason == Timeout::Connect && stage == Stage::Connect && Instant::now() < deadline;
        let limit = match config.connect_timeout {
            Some(limit) if by_connect_timeout => Limit::Connect(limit),
            _ => Limit::Deadline(config.timeout),
        };
        let peer = trace
            .peer
            .or_else(|| trace.attempts.last().map(|(a, _)| *a));
        return Outcome::TimedOut {
            stage,
            limit,
            peer,
            received,
        };
    }
    if stage == Stage::Resolve {
        let error = trace
            .resolve_error
            .clone()
            .unwrap_or_else(|| error.to_string());
        return Outcome::ResolveFailed {
            host: config.url.host.to_string(),
            error,
        };
    }
    let Some(peer) = trace.peer else {
        let attempts = trace.attempts.clone();
        return Outcome::ConnectFailed { attempts };
    };
    let error = match error {
        Error::LargeResponseHeader(..) => {
            return Outcome::HeadTooLarge {
                peer,
                limit: HEAD_LIMIT,
            };
        }
        Error::Protocol(_) if stage == Stage::ResponseHead => {
            return Outcome::NotHttp {
                peer,
                start: trace.start.clone(),
            };
        }
        Error::Protocol(e) => format!("invalid HTTP ({e})"),
        Error::Io(e) => describe_io(&e),
        other => other.to_string(),
    };
    Outcome::ConnectionLost {
        stage,
        peer,
        error,
        received,
    }
}

fn describe_io(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::UnexpectedEof | io::ErrorKind::BrokenPipe => "connection closed".to_owned(),
        io::ErrorKind::ConnectionReset => "connection reset".to_owned(),
        io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
        io::ErrorKind::ConnectionAborted => "connection aborted".to_owned(),
        _ => {
            // std appends " (os error N)"; the line has no room for it.
            let text = e.to_string();
            match text.find(" (os error") {
                Some(cut) => text[..cut].to_ascii_lowercase(),
                None => text,
            }
        }
    }
}

const UNSPECIFIED: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);

/// What the resolver, the connector and the transport saw during one request.
#[derive(Debug, Default)]
struct Trace {
    stage: Stage,
    resolve_error: Option<String>,
    attempts: Vec<(SocketAddr, String)>,
    peer: Option<SocketAddr>,
    received: usize,
    start: Vec<u8>,
}

impl Trace {
    fn reset(&mut self) {
        *self = Trace::default();
    }
}

/// Locks the trace. A panic cannot happen while it is held (every holder only
/// assigns fields), but if one did, the data is still the best we have.
fn lock(trace: &Mutex<Trace>) -> MutexGuard<'_, Trace> {
    trace
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Answers IP literals and `localhost` without asking anyone, and other names
/// through the system resolver within the deadline.
struct LoopbackResolver {
    trace: Arc<Mutex<Trace>>,
    deadline: Instant,
}

impl Resolver for LoopbackResolver {
    fn resolve(
        &self,
        uri: &Uri,
        _config: &ureq::config::Config,
        _timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, Error> {
        let host = uri.host().unwrap_or_default();
        let port = uri.port_u16().unwrap_or(80);
        let mut found = self.empty();
        let result = resolve(host, port, self.deadline);
        let mut trace = lock(&self.trace);
        match result {
            Ok(addrs) => {
                for addr in addrs.into_iter().take(MAX_ADDRS) {
                    found.push(addr);
                }
                trace.stage = Stage::Connect;
                Ok(found)
            }
            Err(Resolve::TimedOut) => Err(Error::Timeout(Timeout::Resolve)),
            Err(Resolve::Failed(why)) => {
                trace.resolve_error = Some(why);
                Err(Error::HostNotFound)
            }
        }
    }
}

enum Resolve {
    TimedOut,
    Failed(String),
}

/// Finds the addresses for `host`: an IP literal is its own address; `localhost`
/// and names under `.localhost` are loopback (RFC 6761 section 6.3), IPv4
/// first because services bound to 0.0.0.0 (gunicorn, most frameworks'
/// defaults) are the common case, with `::1` next for IPv6-only servers.
fn resolve(host: &str, port: u16, deadline: Instant) -> Result<Vec<SocketAddr>, Resolve> {
    let literal = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = literal.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    if is_localhost(&name) {
        return Ok(vec![
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port),
        ]);
    }
    // getaddrinfo cannot be cancelled, so it runs on a thread that is left
    // behind if the deadline passes; the process exits without waiting for it.
    let (tx, rx) = mpsc::sync_channel(1);
    let target = (name, port);
    let spawned = thread::Builder::new().spawn(move || {
        let _ = tx.send(target.to_socket_addrs().map(Iterator::collect::<Vec<_>>));
    });
    if let Err(e) = spawned {
        return Err(Resolve::Failed(format!(
            "cannot start the resolver thread: {e}"
        )));
    }
    match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(Resolve::Failed("no address found".to_owned())),
        Ok(Err(e)) => Err(Resolve::Failed(e.to_string())),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(Resolve::TimedOut),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(Resolve::Failed("the resolver thread failed".to_owned()))
        }
    }
}

/// RFC 6761 section 6.3: `localhost` and every name under `.localhost`.
fn is_localhost(name: &str) -> bool {
    name == "localhost" || name.ends_with(".localhost")
}

impl fmt::Debug for LoopbackResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LoopbackResolver")
    }
}

/// Connects to each resolved address in turn, recording every attempt.
#[derive(Debug)]
struct TracedConnector {
    trace: Arc<Mutex<Trace>>,
    deadline: Instant,
    connect_timeout: Option<Duration>,
}

impl Connector for TracedConnector {
    type Out = TracedTcp;

    fn connect(
        &self,
        details: &ConnectionDetails,
        _chained: Option<()>,
    ) -> Result<Option<TracedTcp>, Error> {
        let started = Instant::now();
        let until = match self.connect_timeout {
            Some(limit) => self.deadline.min(started + limit),
            None => self.deadline,
        };
        let reason = if until < self.deadline {
            Timeout::Connect
        } else {
            Timeout::Global
        };
        let count = details.addrs.len();
        for (i, addr) in details.addrs.iter().enumerate() {
            let remaining = until.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(Error::Timeout(reason));
            }
            // An address that hangs may take half of what is left, so that
            // the next one still gets a chance; the last may take all of it.
            let budget = if i + 1 < count {
                remaining / 2
            } else {
                remaining
            };
            match TcpStream::connect_timeout(addr, budget) {
                Ok(stream) => {
                    // Nagle's algorithm only delays a request written in one piece.
                    let _ = stream.set_nodelay(true);
                    let mut trace = lock(&self.trace);
                    trace.peer = Some(*addr);
                    trace.stage = Stage::Request;
                    return Ok(Some(TracedTcp {
                        stream,
                        buffers: LazyBuffers::new(HEAD_LIMIT + 1, OUTPUT_BUFFER),
                        trace: Arc::clone(&self.trace),
                        deadline: self.deadline,
                    }));
                }
                Err(e) => {
                    let timed_out = matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                    );
                    lock(&self.trace).attempts.push((*addr, describe_io(&e)));
                    if timed_out && Instant::now() >= until {
                        return Err(Error::Timeout(reason));
                    }
                }
            }
        }
        Err(Error::ConnectionFailed)
    }
}

/// A TCP connection whose every read and write ends by the deadline, and
/// which records the stage and what the server sent.
struct TracedTcp {
    stream: TcpStream,
    buffers: LazyBuffers,
    trace: Arc<Mutex<Trace>>,
    deadline: Instant,
}

impl TracedTcp {
    /// The time left for one read or write: the sooner of ureq's own timeout
    /// and the deadline, never zero (a zero socket timeout means "forever").
    fn time_left(&self, timeout: NextTimeout) -> Result<Duration, Error> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        let (left, reason) = if *timeout.after < left {
            (*timeout.after, timeout.reason)
        } else {
            (left, Timeout::Global)
        };
        if left.is_zero() {
            return Err(Error::Timeout(reason));
        }
        Ok(left)
    }
}

fn io_error(e: io::Error, timeout: NextTimeout) -> Error {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Error::Timeout(timeout.reason),
        _ => Error::Io(e),
    }
}

impl Transport for TracedTcp {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        let left = self.time_left(timeout)?;
        self.stream.set_write_timeout(Some(left))?;
        let output = &self.buffers.output()[..amount];
        self.stream
            .write_all(output)
            .map_err(|e| io_error(e, timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        {
            let mut trace = lock(&self.trace);
            if trace.stage == Stage::Request {
                trace.stage = Stage::ResponseHead;
            }
        }
        let left = self.time_left(timeout)?;
        self.stream.set_read_timeout(Some(left))?;
        let input = self.buffers.input_append_buf();
        let amount = loop {
            match self.stream.read(input) {
                Ok(n) => break n,
                // A signal interrupted the read; the socket timeout still holds.
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_error(e, timeout)),
            }
        };
        {
            let mut trace = lock(&self.trace);
            trace.received += amount;
            let keep = START_KEPT.saturating_sub(trace.start.len()).min(amount);
            trace.start.extend_from_slice(&input[..keep]);
        }
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        // Connections are never reused: every probe is one request.
        false
    }
}

impl fmt::Debug for TracedTcp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TracedTcp")
            .field("peer", &self.stream.peer_addr().ok())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    #[test]
    fn ip_literals_are_their_own_address() {
        let v4 = resolve("127.0.0.1", 9000, far()).ok().unwrap();
        assert_eq!(v4, vec!["127.0.0.1:9000".parse().unwrap()]);
        let v6 = resolve("[::1]", 9000, far()).ok().unwrap();
        assert_eq!(v6, vec!["[::1]:9000".parse().unwrap()]);
    }

    #[test]
    fn localhost_names_are_loopback_without_a_resolver() {
        // A deadline in the past proves no resolver thread is waited on.
        let past = Instant::now();
        for name in ["localhost", "LOCALHOST", "localhost.", "api.localhost"] {
            let addrs = resolve(name, 80, past).ok().unwrap();
            let want: Vec<SocketAddr> =
                vec!["127.0.0.1:80".parse().unwrap(), "[::1]:80".parse().unwrap()];
            assert_eq!(addrs, want, "{name}");
        }
    }

    #[test]
    fn only_localhost_and_its_subdomains_are_loopback_names() {
        for name in ["localhost", "api.localhost", "a.b.localhost"] {
            assert!(is_localhost(name), "{name}");
        }
        for name in ["localhost.example", "notlocalhost", "localhostx", "db"] {
            assert!(!is_localhost(name), "{name}");
        }
    }
}
