//! How a probe reaches its target, for every kind: name resolution (IP
//! literals and `localhost` without a resolver), connecting over TCP or to a
//! Unix socket, streams whose every read and write ends by the deadline, the
//! trace of what each step saw, and TLS ([`tls`]). With the HTTP prober,
//! the only code that knows ureq and rustls.

#[cfg(feature = "grpc")]
pub(crate) mod h2;
pub(crate) mod net;
#[cfg(feature = "tls")]
pub(crate) mod tls;

use std::time::Instant;

use crate::report::{Limit, Outcome, Peer, Stage};
use crate::spec::{Target, UnixSocket};
use crate::url::Host;

use self::net::{
    ConnectError, DeadlineStream, Duplex, Endpoint, MAX_ADDRS, Resolve, SharedTrace, Socket, lock,
};

/// Where a probe connects: a host and port, or a Unix socket.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Place<'a> {
    Host(&'a Host, u16),
    Socket(&'a UnixSocket),
}

impl Target {
    /// Where the target's probe connects: its Unix socket when it has one,
    /// else the URL's host and port.
    pub(crate) fn place(&self) -> Place<'_> {
        match &self.unix_socket {
            Some(socket) => Place::Socket(socket),
            None => Place::Host(&self.url.host, self.url.port),
        }
    }
}

/// Resolves `place`'s host and connects to its addresses in turn (or to
/// its Unix socket), for the probers that speak for themselves rather than
/// through ureq: the target's own place ([`Target::place`]), or one of the
/// several a URL may name. The socket comes with the peer reached; a
/// failure is the probe's outcome.
pub(crate) fn connect(
    place: Place<'_>,
    target: &Target,
    deadline: Instant,
    limit: Limit,
    trace: &SharedTrace,
) -> Result<(Socket, Peer), Outcome> {
    let addrs;
    let endpoint = match place {
        Place::Socket(socket) => Endpoint::Unix(socket),
        Place::Host(host, port) => {
            let host = host.to_string();
            let mut resolved = match net::resolve(&host, port, deadline) {
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

/// Connects to `place` as [`connect`] does and, when the target runs TLS,
/// completes the handshake (no ALPN), for the kinds that speak their
/// protocol over a plain stream: every read and write ends by `deadline`.
pub(crate) fn open(
    place: Place<'_>,
    target: &Target,
    deadline: Instant,
    limit: Limit,
    trace: &SharedTrace,
) -> Result<(Box<dyn Duplex>, Peer), Outcome> {
    let (socket, peer) = connect(place, target, deadline, limit, trace)?;
    let stream = DeadlineStream::new(socket, deadline, std::sync::Arc::clone(trace));
    match &target.tls {
        Some(settings) => secure(settings, place, target, stream, &peer, limit, trace)
            .map(|secured| (secured, peer)),
        None => Ok((Box::new(stream), peer)),
    }
}

/// The TLS handshake over a connected stream, verified as every TLS kind
/// verifies, with the target's TLS settings: from the start ([`open`]), or
/// in mid-stream (NATS's upgrade after its INFO). The name verified is the
/// host connected to: with several (Kafka's brokers), each its own. One
/// copy for both callers.
#[cfg(feature = "tls")]
#[inline(never)]
pub(crate) fn secure(
    settings: &crate::spec::Tls,
    place: Place<'_>,
    target: &Target,
    stream: DeadlineStream,
    peer: &Peer,
    limit: Limit,
    trace: &SharedTrace,
) -> Result<Box<dyn Duplex>, Outcome> {
    let host = match place {
        Place::Host(host, _) => host,
        Place::Socket(_) => &target.url.host,
    };
    let secure = tls::Secure::prepare(settings, host, &[])?;
    net::enter(trace, Stage::TlsHandshake);
    match tls::handshake(&secure.config, secure.name.clone(), stream) {
        Ok(secured) => Ok(Box::new(secured)),
        Err(e) => {
            let wire_start = lock(trace).wire_start.clone();
            Err(secure.handshake_failure(&e, &wire_start, peer.clone(), limit))
        }
    }
}

/// Without TLS, no target that needs it gets this far (a URL that asks for
/// TLS is refused): the stream as it is.
#[cfg(not(feature = "tls"))]
pub(crate) fn secure(
    _settings: &crate::spec::Tls,
    _place: Place<'_>,
    _target: &Target,
    stream: DeadlineStream,
    _peer: &Peer,
    _limit: Limit,
    _trace: &SharedTrace,
) -> Result<Box<dyn Duplex>, Outcome> {
    Ok(Box::new(stream))
}
