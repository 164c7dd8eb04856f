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

use super::net::{self, LoopbackResolver, Trace, TraceLayer, TracedConnector, lock};
#[cfg(feature = "tls")]
use super::tls;
use crate::config::{Config, Method};
use crate::outcome::{Limit, Outcome, Peer, Stage};
use crate::url::Url;

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
/// The request is a few hundred bytes; ureq writes it line by line from
/// here. config::parse refuses a line that would not fit.
const OUTPUT_BUFFER: usize = crate::config::MAX_REQUEST_LINE;
/// Redirects followed under `--follow-redirects`.
const MAX_REDIRECTS: u8 = 5;
/// How much of the body to show when the text is not found.
const BODY_SHOWN: usize = 128;

const UNSPECIFIED: Peer = Peer::Tcp(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0));

/// The TLS configuration and the name to verify, when the URL is https://.
struct Secure {
    #[cfg(feature = "tls")]
    prepared: tls::Prepared,
    #[cfg(feature = "tls")]
    name: rustls::pki_types::ServerName<'static>,
}

/// What the line says was probed: `GET http://127.0.0.1:9000/health`, and
/// for https:// whether and as what the certificate is verified.
pub fn described(config: &Config) -> String {
    let verified = super::verified(config);
    format!("{} {}{verified}", config.method.as_str(), config.url)
}

/// Probes an http:// or https:// target by `deadline`, which `limit` sets.
pub fn probe(config: &Config, deadline: Instant, limit: Limit) -> Outcome {
    let secure = match prepare_tls(config) {
        Ok(secure) => secure,
        Err(outcome) => return outcome,
    };
    let trace = Arc::new(Mutex::new(Trace::default()));
    let mut url = config.url.clone();
    let mut redirects = 0;
    loop {
        *lock(&trace) = Trace::default();
        let response = match request(config, &url, secure.as_ref(), deadline, &trace) {
            Ok(response) => response,
            Err(error) => {
                let trace = lock(&trace);
                return failure(error, &trace, config, secure.as_ref(), deadline, limit);
            }
        };
        let peer = lock(&trace).peer.clone().unwrap_or(UNSPECIFIED);
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
        #[cfg(feature = "json")]
        if !config.expect_json.is_empty() {
            lock(&trace).stage = Stage::Body;
            return match read_body(response) {
                Ok(body) => judge_json(config, status, peer, &body),
                Err(error) => {
                    let trace = lock(&trace);
                    failure(error, &trace, config, secure.as_ref(), deadline, limit)
                }
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
            Err(error) => {
                let trace = lock(&trace);
                failure(error, &trace, config, secure.as_ref(), deadline, limit)
            }
        };
    }
}

#[cfg(feature = "tls")]
fn prepare_tls(config: &Config) -> Result<Option<Secure>, Outcome> {
    if !config.url.scheme.is_tls() {
        return Ok(None);
    }
    let prepared = tls::prepare(&config.tls, &[])?;
    let name = tls::server_name(&config.tls, &config.url.host)?;
    Ok(Some(Secure { prepared, name }))
}

#[cfg(not(feature = "tls"))]
fn prepare_tls(_config: &Config) -> Result<Option<Secure>, Outcome> {
    // config::parse rejects https:// in a build without TLS.
    Ok(None)
}

fn request(
    config: &Config,
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
        connect_timeout: config.connect_timeout,
        unix_socket: config.unix_socket.clone(),
        input_buffer: INPUT_BUFFER,
        output_buffer: OUTPUT_BUFFER,
    };
    let last = TraceLayer {
        trace: Arc::clone(trace),
    };
    let resolver = LoopbackResolver {
        trace: Arc::clone(trace),
        deadline,
        unix_socket: config.unix_socket.is_some(),
    };
    #[cfg(feature = "tls")]
    let agent = match secure {
        Some(secure) => {
            let tls = tls::TlsConnector {
                config: Arc::clone(&secure.prepared.config),
                name: secure.name.clone(),
                input_buffer: INPUT_BUFFER,
                output_buffer: OUTPUT_BUFFER,
            };
            Agent::with_parts(builder.build(), tcp.chain(tls).chain(last), resolver)
        }
        None => Agent::with_parts(builder.build(), tcp.chain(last), resolver),
    };
    #[cfg(not(feature = "tls"))]
    let agent = {
        let _ = secure;
        Agent::with_parts(builder.build(), tcp.chain(last), resolver)
    };
    let target = url.as_request_url();
    let mut request = match config.method {
        Method::Get => agent.get(&target),
        Method::Head => agent.head(&target),
    };
    let has = |name: &str| {
        config
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    if !has("connection") {
        request = request.header("connection", "close");
    }
    for (name, value) in &config.headers {
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
#[cfg(feature = "json")]
fn read_body(mut response: Response<Body>) -> Result<Vec<u8>, Error> {
    let mut body = Vec::with_capacity(8 * 1024);
    let reader = response.body_mut().as_reader();
    match reader.take(BODY_LIMIT as u64 + 1).read_to_end(&mut body) {
        Ok(_) => Ok(body),
        Err(e) => Err(Error::from(e)),
    }
}

/// `--expect-json`, with `--expect-body` checked on the same bytes first.
#[cfg(feature = "json")]
fn judge_json(config: &Config, status: u16, peer: Peer, body: &[u8]) -> Outcome {
    use crate::outcome::JsonProblem;
    if body.len() > BODY_LIMIT {
        let problem = JsonProblem::TooLong { limit: BODY_LIMIT };
        return Outcome::JsonMismatch {
            status,
            peer,
            problem,
        };
    }
    if let Some(expected) = &config.expect_body {
        let needle = expected.as_bytes();
        if !body.windows(needle.len()).any(|w| w == needle) {
            return Outcome::BodyMismatch {
                status,
                peer,
                read: body.len(),
                ended: true,
                start: body[..body.len().min(BODY_SHOWN)].to_vec(),
            };
        }
    }
    match crate::expect_json::check_all(&config.expect_json, body) {
        Ok(()) => Outcome::Healthy { status, peer },
        Err(problem) => Outcome::JsonMismatch {
            status,
            peer,
            problem,
        },
    }
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Turns a ureq error into an outcome, using what the trace saw to name the
/// stage, the address and how much the server sent.
fn failure(
    error: Error,
    trace: &Trace,
    config: &Config,
    secure: Option<&Secure>,
    deadline: Instant,
    limit: Limit,
) -> Outcome {
    let stage = trace.stage;
    let received = trace.received;
    if let Error::Timeout(reason) = error {
        let by_connect_timeout =
            reason == Timeout::Connect && stage == Stage::Connect && Instant::now() < deadline;
        let limit = match config.connect_timeout {
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
            host: config.url.host.to_string(),
            error,
        };
    }
    let Some(peer) = trace.peer.clone() else {
        return Outcome::ConnectFailed {
            attempts: trace.attempts.clone(),
        };
    };
    #[cfg(feature = "tls")]
    if let Some(secure) = secure {
        let name = match &config.tls.server_name {
            Some(name) => name.clone(),
            None => config.url.host.to_string(),
        };
        let sent_client_cert = config.tls.client_cert.is_some();
        let trusted = &secure.prepared.trusted;
        let problem = match &error {
            Error::Io(e) => tls::problem(
                e,
                stage,
                &trace.wire_start,
                &name,
                trusted,
                sent_client_cert,
            ),
            _ => None,
        };
        if let Some(problem) = problem {
            return Outcome::Tls { peer, problem };
        }
    }
    #[cfg(not(feature = "tls"))]
    let _ = secure;
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
        Error::Io(e) => net::describe_io(&e),
        other => other.to_string(),
    };
    Outcome::ConnectionLost {
        stage,
        peer,
        error,
        received,
    }
}
