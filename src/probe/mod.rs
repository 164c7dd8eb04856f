//! The one module that knows ureq and rustls. It runs one target's
//! [`Config`] against the network within one deadline and turns everything it
//! learns into an [`Outcome`]. Each kind of target has its prober, all with
//! the same shape, over shared connecting ([`net`]) and TLS ([`tls`]).

#[cfg(feature = "grpc")]
pub(crate) mod grpc;
#[cfg(feature = "grpc")]
pub(crate) mod h2;
mod http;
mod net;
mod tcp;
#[cfg(feature = "tls")]
mod tls;

use std::time::Instant;

use crate::config::Config;
use crate::outcome::{Limit, Outcome, Peer, Report, Stage};
use crate::url::Scheme;

use self::net::{ConnectError, Endpoint, MAX_ADDRS, Resolve, SharedTrace, Socket, lock};

/// The User-Agent of every HTTP and gRPC request, unless `-H` replaces it.
const USER_AGENT: &str = concat!("healthprobe/", env!("CARGO_PKG_VERSION"));

/// Runs the probe of one target. Never panics on anything the network does,
/// and returns by the deadline, `config.timeout` after it is called.
pub fn run(config: &Config) -> Report {
    let started = Instant::now();
    run_until(
        config,
        started + config.timeout,
        Limit::Deadline(config.timeout),
    )
}

/// Runs the probe of one target by `deadline`, which `limit` sets (with
/// `--wait`, the end of the wait may come before `--timeout` runs out).
pub fn run_until(config: &Config, deadline: Instant, limit: Limit) -> Report {
    let started = Instant::now();
    let (probed, outcome) = match config.url.scheme {
        Scheme::Http | Scheme::Https => (
            http::described(config),
            http::probe(config, deadline, limit),
        ),
        Scheme::Tcp => (tcp::described(config), tcp::probe(config, deadline, limit)),
        #[cfg(feature = "grpc")]
        Scheme::Grpc | Scheme::Grpcs => (
            grpc::described(config),
            grpc::probe(config, deadline, limit),
        ),
        // config::parse refuses grpc:// in a build without gRPC.
        #[cfg(not(feature = "grpc"))]
        Scheme::Grpc | Scheme::Grpcs => (
            config.url.to_string(),
            Outcome::TlsSetup {
                error: "this build has no gRPC".to_owned(),
            },
        ),
    };
    Report {
        probed,
        outcome,
        elapsed: started.elapsed(),
        waited: None,
    }
}

/// What the line says after a TLS target: ` (certificate not verified)`
/// with `--insecure`, ` (verifying NAME)` with `--server-name`; else nothing.
fn verified(config: &Config) -> String {
    match (config.url.scheme.is_tls(), &config.tls.server_name) {
        (false, _) => String::new(),
        (true, _) if config.tls.insecure => " (certificate not verified)".to_owned(),
        (true, Some(name)) => format!(" (verifying {name})"),
        (true, None) => String::new(),
    }
}

/// Resolves the target's host and connects to its addresses in turn (or to
/// `--unix-socket`), for the probers that speak for themselves rather than
/// through ureq: tcp:// and grpc://. The socket comes with the peer reached.
fn connect(
    config: &Config,
    deadline: Instant,
    limit: Limit,
    trace: &SharedTrace,
) -> Result<(Socket, Peer), Outcome> {
    let host = config.url.host.to_string();
    let addrs;
    let endpoint = match &config.unix_socket {
        Some(socket) => Endpoint::Unix(socket),
        None => {
            let mut resolved = match net::resolve(&host, config.url.port, deadline) {
                Ok(resolved) => resolved,
                Err(Resolve::TimedOut) => {
                    return Err(Outcome::TimedOut {
                        stage: Stage::Resolve,
                        limit,
                        peer: None,
                        received: 0,
                    });
                }
                Err(Resolve::Failed(error)) => return Err(Outcome::ResolveFailed { host, error }),
            };
            resolved.truncate(MAX_ADDRS);
            addrs = resolved;
            Endpoint::Tcp(&addrs)
        }
    };
    let connected = net::connect(endpoint, deadline, config.connect_timeout, trace);
    let trace = lock(trace);
    match (connected, &trace.peer) {
        (Ok(socket), Some(peer)) => Ok((socket, peer.clone())),
        (Ok(_), None) | (Err(ConnectError::Failed), _) => Err(Outcome::ConnectFailed {
            attempts: trace.attempts.clone(),
        }),
        (Err(ConnectError::TimedOut { by_connect_timeout }), _) => Err(Outcome::TimedOut {
            stage: Stage::Connect,
            limit: match config.connect_timeout {
                Some(limit) if by_connect_timeout => Limit::Connect(limit),
                _ => limit,
            },
            peer: trace.attempts.last().map(|(peer, _)| peer.clone()),
            received: 0,
        }),
    }
}
