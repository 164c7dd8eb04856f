//! How a probe reaches its target, for every kind: name resolution (IP
//! literals and `localhost` without a resolver), connecting over TCP or to a
//! Unix socket, streams whose every read and write ends by the deadline, the
//! trace of what each step saw, and TLS ([`tls`]). With the HTTP prober,
//! the only code that knows ureq and rustls.

pub(crate) mod net;
#[cfg(feature = "tls")]
pub(crate) mod tls;

use std::time::Instant;

use crate::report::{Limit, Outcome, Peer, Stage};
use crate::spec::Target;

use self::net::{ConnectError, Endpoint, MAX_ADDRS, Resolve, SharedTrace, Socket, lock};

/// Resolves the target's host and connects to its addresses in turn (or to
/// its Unix socket), for the probers that speak for themselves rather than
/// through ureq. The socket comes with the peer reached; a failure is the
/// probe's outcome.
pub(crate) fn connect(
    target: &Target,
    deadline: Instant,
    limit: Limit,
    trace: &SharedTrace,
) -> Result<(Socket, Peer), Outcome> {
    let host = target.url.host.to_string();
    let addrs;
    let endpoint = match &target.unix_socket {
        Some(socket) => Endpoint::Unix(socket),
        None => {
            let mut resolved = match net::resolve(&host, target.url.port, deadline) {
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
    let connected = net::connect(endpoint, deadline, target.connect_timeout, trace);
    let trace = lock(trace);
    match (connected, &trace.peer) {
        (Ok(socket), Some(peer)) => Ok((socket, peer.clone())),
        (Ok(_), None) | (Err(ConnectError::Failed), _) => Err(Outcome::ConnectFailed {
            attempts: trace.attempts.clone(),
        }),
        (Err(ConnectError::TimedOut { by_connect_timeout }), _) => Err(Outcome::TimedOut {
            stage: Stage::Connect,
            limit: match target.connect_timeout {
                Some(limit) if by_connect_timeout => Limit::Connect(limit),
                _ => limit,
            },
            peer: trace.attempts.last().map(|(peer, _)| peer.clone()),
            received: 0,
        }),
    }
}
