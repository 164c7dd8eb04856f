//! HTTP probes (http:// and https://, over TCP or a Unix socket) through
//! ureq, with a resolver, connectors and transports of our own ([`net`],
//! [`tls`]): IP literals and `localhost` never reach a resolver, other names
//! resolve on a thread abandoned at the deadline, every socket operation is
//! bounded by the time left, and the stage, the address and the bytes
//! received are recorded so a failure can say where it happened and how far
//! the server got. Redirects are followed here, to apply the same-origin rule.

use std::io::{self, Read};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use ureq::http::Response;
use ureq::unversioned::transport::Connector;
use ureq::{Agent, Body, Error, Timeout};

use super::Prober;
use crate::report::{HttpProblem, IoFailure, Kept, Limit, Outcome, Peer, Ready, Stage};
use crate::spec::{HttpCheck, Method, Scheme, Target};
use crate::transport::net::{self, LoopbackResolver, Trace, TraceLayer, TracedConnector, lock};
#[cfg(feature = "tls")]
use crate::transport::tls::{self, Secure};
use crate::url::{Rules, Url};

/// How much of the body `--expect-body` searches.
pub const BODY_LIMIT: usize = 64 * 1024;
/// The longest response head accepted. ureq's default is 64 KiB, but its
/// input buffer must be as large and is zero-filled on every probe; nginx's
/// default proxy buffers (4-8 KiB) already refuse longer upstream heads, so no
/// real health endpoint sends one.
const HEAD_LIMIT: usize = 16 * 1024;
/// One byte more than the head may take, so that a head over the limit is
/// seen as too large rather than as a full buffer.
const INPUT_BUFFER: usize = HEAD_LIMIT + 1;
/// The longest line of a request head healthprobe can send: ureq writes the
/// head line by line through an output buffer of this size, allocated and
/// zeroed on every probe. (nginx, too, refuses request lines and header
/// lines over 8 KiB by default.) The builder refuses a line that would not
/// fit.
pub const MAX_REQUEST_LINE: usize = 8 * 1024;
/// The request is a few hundred bytes; ureq writes it line by line from here.
const OUTPUT_BUFFER: usize = MAX_REQUEST_LINE;
/// Redirects followed under `--follow-redirects`.
const MAX_REDIRECTS: u8 = 5;
/// How much of the body to show when the text is not found.
const BODY_SHOWN: usize = 128;

const UNSPECIFIED: Peer = Peer::Tcp(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0));

/// Without TLS in the build, nothing is ever secured.
#[cfg(not(feature = "tls"))]
enum Secure {}

impl Prober for HttpCheck {
    /// `GET http://127.0.0.1:9000/health`, and for https:// whether and as
    /// what the certificate is verified.
    fn described(&self, target: &Target) -> String {
        let verified = super::verified(target);
        format!("{} {}{verified}", self.method.as_str(), target.url)
    }

    fn probe(&self, target: &Target, deadline: Instant, limit: Limit) -> Outcome {
        probe(target, self, deadline, limit, &mut None)
    }

    fn probe_keeping(
        &self,
        target: &Target,
        deadline: Instant,
        limit: Limit,
    ) -> (Outcome, Option<Kept>) {
        let mut kept = None;
        let outcome = probe(target, self, deadline, limit, &mut kept);
        (outcome, kept)
    }
}

/// The rules of a redirect's scheme.
fn rules(name: &str) -> Result<Rules, String> {
    Scheme::rules_named(name)
}

/// Probes an http:// or https:// target by `deadline`, which `limit` sets;
/// with [`HttpCheck::keep`], leaves the final response's body and
/// `Retry-After` in `kept`.
fn probe(
    target: &Target,
    check: &HttpCheck,
    deadline: Instant,
    limit: Limit,
    kept: &mut Option<Kept>,
) -> Outcome {
    let secure = match prepare_tls(target) {
        Ok(secure) => secure,
        Err(outcome) => return outcome,
    };
    let secure = secure.as_ref();
    let trace = Arc::new(Mutex::new(Trace::default()));
    let failed =
        |error: Error, trace: &Trace| failure(error, trace, target, secure, deadline, limit);
    let mut url = target.url.clone();
    let mut redirects = 0;
    loop {
        *lock(&trace) = Trace::default();
        let response = match request(target, check.method, &url, secure, deadline, &trace) {
            Ok(response) => response,
            Err(error) => return failed(error, &lock(&trace)),
        };
        let peer = lock(&trace).peer.clone().unwrap_or(UNSPECIFIED);
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|l| l.as_bytes().to_vec());
        let unhealthy = |problem: HttpProblem| Outcome::problem(peer.clone(), problem);
        let redirect = location.filter(|_| is_redirect(status));
        let max_redirects = check.max_redirects.unwrap_or(MAX_REDIRECTS);
        if let Some(location) = redirect.clone().filter(|_| check.follow_redirects) {
            if redirects == max_redirects {
                return unhealthy(HttpProblem::TooManyRedirects {
                    limit: max_redirects,
                });
            }
            let refused = |why: String| {
                unhealthy(HttpProblem::RedirectRefused {
                    status,
                    location: location.clone(),
                    why,
                })
            };
            let next = match std::str::from_utf8(&location).map(|l| url.join(l, &rules)) {
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
        let verdict = match check.expect_status.accepts(status) {
            true => Outcome::ready(peer.clone(), Ready::Http { status }),
            false => unhealthy(HttpProblem::UnexpectedStatus {
                status,
                expected: check.expect_status.to_string(),
                location: redirect,
            }),
        };
        if check.keep {
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            lock(&trace).stage = Stage::Body;
            return match read_body(response) {
                Ok(mut body) => {
                    body.truncate(BODY_LIMIT);
                    *kept = Some(Kept { body, retry_after });
                    verdict
                }
                Err(error) => failed(error, &lock(&trace)),
            };
        }
        if !verdict.is_healthy() {
            return verdict;
        }
        #[cfg(feature = "json")]
        if !check.expect_json.is_empty() {
            lock(&trace).stage = Stage::Body;
            return match read_body(response) {
                Ok(body) => judge_json(check, status, peer, &body),
                Err(error) => failed(error, &lock(&trace)),
            };
        }
        let Some(expected) = &check.expect_body else {
            return Outcome::ready(peer, Ready::Http { status });
        };
        lock(&trace).stage = Stage::Body;
        return match search_body(response, expected.as_bytes()) {
            Ok(BodySearch::Found) => Outcome::ready(peer, Ready::Http { status }),
            Ok(BodySearch::Missing { read, ended, start }) => {
                unhealthy(HttpProblem::BodyMismatch {
                    status,
                    read,
                    ended,
                    start,
                })
            }
            Err(error) => failed(error, &lock(&trace)),
        };
    }
}

/// The target's TLS, prepared, when it has TLS.
#[cfg(feature = "tls")]
fn prepare_tls(target: &Target) -> Result<Option<Secure>, Outcome> {
    match &target.tls {
        Some(tls) => Secure::prepare(tls, &target.url.host, &[]).map(Some),
        None => Ok(None),
    }
}

/// Without TLS in the build, no target has TLS (a TLS scheme is refused).
#[cfg(not(feature = "tls"))]
fn prepare_tls(_target: &Target) -> Result<Option<Secure>, Outcome> {
    Ok(None)
}

fn request(
    target: &Target,
    method: Method,
    url: &Url,
    secure: Option<&Secure>,
    deadline: Instant,
    trace: &Arc<Mutex<Trace>>,
) -> Result<Response<Body>, Error> {
    let remaining = deadline.saturating_duration_since(Instant::now());
    if remaining.is_zero() {
        return Err(Error::Timeout(Timeout::Global));
    }
    let builder = Agent::config_builder()
        // A health probe talks to its target directly: HTTP_PROXY and friends
        // are for the application's outbound traffic, not for loopback.
        .proxy(None)
        .http_status_as_error(false)
        // Redirects are followed here, where the same-origin rule is applied.
        .max_redirects(0)
        .max_idle_connections(0)
        .max_response_header_size(HEAD_LIMIT)
        .input_buffer_size(INPUT_BUFFER)
        .output_buffer_size(OUTPUT_BUFFER)
        .user_agent(super::USER_AGENT)
        .accept("*/*")
        .timeout_global(Some(remaining));
    let tcp = TracedConnector {
        trace: Arc::clone(trace),
        deadline,
        connect_timeout: target.connect_timeout,
        unix_socket: target.unix_socket.clone(),
        input_buffer: INPUT_BUFFER,
        output_buffer: OUTPUT_BUFFER,
    };
    let last = TraceLayer {
        trace: Arc::clone(trace),
    };
    let resolver = LoopbackResolver {
        trace: Arc::clone(trace),
        deadline,
        unix_socket: target.unix_socket.is_some(),
    };
    let agent = match secure {
        #[cfg(feature = "tls")]
        Some(secure) => {
            let tls = tls::TlsConnector {
                config: Arc::clone(&secure.config),
                name: secure.name.clone(),
                input_buffer: INPUT_BUFFER,
                output_buffer: OUTPUT_BUFFER,
            };
            Agent::with_parts(builder.build(), tcp.chain(tls).chain(last), resolver)
        }
        #[cfg(not(feature = "tls"))]
        Some(never) => match *never {},
        None => Agent::with_parts(builder.build(), tcp.chain(last), resolver),
    };
    let request_url = url.as_request_url();
    let mut request = match method {
        Method::Get => agent.get(&request_url),
        Method::Head => agent.head(&request_url),
    };
    let has = |name: &str| {
        target
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    if !has("connection") {
        request = request.header("connection", "close");
    }
    for (name, value) in &target.headers {
        request = request.header(name.as_str(), value.as_str());
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
            body.truncate(BODY_SHOWN);
            return Ok(BodySearch::Missing {
                read,
                ended: n == 0,
                start: body,
            });
        }
    }
}

/// Reads the body, at most one byte more than [`BODY_LIMIT`] (which says it
/// is too long).
fn read_body(mut response: Response<Body>) -> Result<Vec<u8>, Error> {
    let mut body = Vec::with_capacity(8 * 1024);
    let reader = response.body_mut().as_reader();
    match reader.take(BODY_LIMIT as u64 + 1).read_to_end(&mut body) {
        Ok(_) => Ok(body),
        Err(e) => Err(Error::from(e)),
    }
}

/// The JSON checks, with the body text checked on the same bytes first.
#[cfg(feature = "json")]
fn judge_json(check: &HttpCheck, status: u16, peer: Peer, body: &[u8]) -> Outcome {
    use crate::report::JsonProblem;
    let problem = if body.len() > BODY_LIMIT {
        let problem = JsonProblem::TooLong { limit: BODY_LIMIT };
        HttpProblem::JsonMismatch { status, problem }
    } else if check
        .expect_body
        .as_ref()
        .is_some_and(|expected| !contains(body, expected.as_bytes()))
    {
        HttpProblem::BodyMismatch {
            status,
            read: body.len(),
            ended: true,
            start: body[..body.len().min(BODY_SHOWN)].to_vec(),
        }
    } else {
        match crate::protocol::json::check_all(&check.expect_json, body) {
            Ok(()) => return Outcome::ready(peer, Ready::Http { status }),
            Err(problem) => HttpProblem::JsonMismatch { status, problem },
        }
    };
    Outcome::problem(peer, problem)
}

#[cfg(feature = "json")]
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Turns a ureq error into an outcome, using what the trace saw to name the
/// stage, the address and how much the server sent.
fn failure(
    error: Error,
    trace: &Trace,
    target: &Target,
    secure: Option<&Secure>,
    deadline: Instant,
    limit: Limit,
) -> Outcome {
    let stage = trace.stage;
    let received = trace.received;
    if let Error::Timeout(reason) = error {
        let by_connect_timeout =
            reason == Timeout::Connect && stage == Stage::Connect && Instant::now() < deadline;
        let limit = match target.connect_timeout {
            Some(limit) if by_connect_timeout => Limit::Connect(limit),
            _ => limit,
        };
        let peer = trace
            .peer
            .clone()
            .or_else(|| trace.attempts.last().map(|(a, _)| a.clone()));
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
            host: target.url.host.to_string(),
            error,
        };
    }
    let Some(peer) = trace.peer.clone() else {
        return Outcome::ConnectFailed {
            attempts: trace.attempts.clone(),
        };
    };
    if let Some(secure) = secure {
        #[cfg(feature = "tls")]
        if let Error::Io(e) = &error {
            if let Some(problem) = secure.problem(e, stage, &trace.wire_start) {
                return Outcome::Tls { peer, problem };
            }
        }
        #[cfg(not(feature = "tls"))]
        match *secure {}
    }
    let problem = match error {
        Error::LargeResponseHeader(..) => HttpProblem::HeadTooLarge { limit: HEAD_LIMIT },
        Error::Protocol(_) if stage == Stage::ResponseHead => HttpProblem::NotHttp {
            start: trace.start.clone(),
        },
        other => return lost(other, stage, peer, received),
    };
    Outcome::problem(peer, problem)
}

/// The connection failed after it was established.
fn lost(error: Error, stage: Stage, peer: Peer, received: usize) -> Outcome {
    let error = match error {
        Error::Protocol(e) => {
            IoFailure::new(io::ErrorKind::InvalidData, format!("invalid HTTP ({e})"))
        }
        Error::Io(e) => net::io_failure(&e),
        other => IoFailure::new(io::ErrorKind::Other, other.to_string()),
    };
    Outcome::ConnectionLost {
        stage,
        peer,
        error,
        received,
    }
}
