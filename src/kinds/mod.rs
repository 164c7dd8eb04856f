//! One prober per kind of target, all with one shape ([`Prober`]), and the
//! one exhaustive dispatch from a [`Kind`] to its prober. A prober runs one
//! target within one deadline over the shared `transport`, judges what it
//! hears with its `protocol`, and turns everything it learns into an
//! [`Outcome`]. No prober knows it may be repeated or run beside others.

pub(crate) mod amqp;
mod cassandra;
mod file;
#[cfg(feature = "grpc")]
pub(crate) mod grpc;
mod http;
mod kafka;
mod memcached;
mod mongodb;
mod mysql;
pub(crate) mod nats;
mod postgres;
mod redis;
mod tcp;
mod zookeeper;

use std::io;
use std::time::Instant;

use crate::report::{IoFailure, Kept, Limit, Outcome, Peer, Problem, Report, Stage};
use crate::spec::{Kind, Target, UnixSocket};
use crate::transport::Place;
use crate::transport::net::{Duplex, SharedTrace, enter, io_failure, is_timeout, lock};
use crate::url::Address;

#[cfg(feature = "grpc")]
pub use self::grpc::{MAX_GRPC_METADATA, MAX_GRPC_SERVICE, RESERVED_GRPC_METADATA};
pub use self::http::MAX_REQUEST_LINE;

/// The User-Agent of every request a probe sends, unless a header replaces it.
const USER_AGENT: &str = concat!("healthprobe/", env!("CARGO_PKG_VERSION"));

/// What each kind's prober does, given the target and the kind's settings
/// (`self`).
pub(crate) trait Prober {
    /// What the line says was probed: `GET http://127.0.0.1:9000/health`.
    fn described(&self, target: &Target) -> String;

    /// Probes the target by `deadline`, which `limit` sets. Never panics on
    /// anything the network does, and returns by the deadline.
    fn probe(&self, target: &Target, deadline: Instant, limit: Limit) -> Outcome;

    /// [`Prober::probe`], with what the report keeps of the answer for the
    /// tools that print it (an HTTP response's body).
    fn probe_keeping(
        &self,
        target: &Target,
        deadline: Instant,
        limit: Limit,
    ) -> (Outcome, Option<Kept>) {
        (self.probe(target, deadline, limit), None)
    }
}

/// A kind that is one exchange over a stream to its server: the database
/// and broker kinds. Each is its bytes and its verdicts; the one prober
/// below opens the stream to each place the target names, in turn.
pub(crate) trait Exchange {
    /// What the line says was probed: `MySQL mysql://db:3306`.
    fn described(&self, target: &Target) -> String;

    /// The exchange, over a connected stream; the fuzz targets' entry too.
    fn talk(
        &self,
        stream: &mut dyn Duplex,
        peer: Peer,
        limit: Limit,
        trace: &SharedTrace,
    ) -> Outcome;

    /// The places to try in turn, each with the name a line gives it and
    /// its socket when it is one, when the target names more than its
    /// one place (libpq's several hosts and socket directories).
    fn places(&self, _target: &Target) -> Vec<(String, Option<UnixSocket>)> {
        Vec::new()
    }

    /// The exchange to try next, on a new connection, after one that ended
    /// in `outcome`: memcached's binary protocol after a server closed on
    /// the text one, Cassandra's next protocol version after a node refused
    /// one.
    fn then(&self, _outcome: &Outcome) -> Option<&dyn Exchange> {
        None
    }
}

impl<E: Exchange> Prober for E {
    fn described(&self, target: &Target) -> String {
        Exchange::described(self, target)
    }

    fn probe(&self, target: &Target, deadline: Instant, limit: Limit) -> Outcome {
        exchange_with(self, target, deadline, limit)
    }
}

/// The most exchanges a kind asks for after its first one (Cassandra's
/// protocol versions 4 and 3 after 5).
const MAX_NEXT: usize = 2;

/// Tries each place in turn until one is ready: ready when any is, as
/// `pg_isready` says. Each place but the last gets an equal share of the
/// time left, so that a host that never answers leaves time for the next.
/// One function for every kind (not one copy each).
fn exchange_with(kind: &dyn Exchange, target: &Target, deadline: Instant, limit: Limit) -> Outcome {
    let places = kind.places(target);
    if places.is_empty() {
        let once = |kind: &dyn Exchange| {
            over_stream(target.place(), target, deadline, limit, |s, peer, trace| {
                kind.talk(s, peer, limit, trace)
            })
        };
        // Then what the kind asks for next, each on a new connection, a
        // bounded number of times.
        let (mut kind, mut outcome) = (kind, once(kind));
        for _ in 0..MAX_NEXT {
            let Some(next) = kind.then(&outcome) else {
                break;
            };
            (kind, outcome) = (next, once(next));
        }
        return outcome;
    }
    let mut failures = Vec::with_capacity(places.len());
    for (i, (label, socket)) in places.iter().enumerate() {
        let place = match socket {
            Some(socket) => Place::Socket(socket),
            None => match &target.url.addresses.get(i) {
                Some(Address::Host(host, port)) => Place::Host(host, *port),
                _ => Place::Host(&target.url.host, target.url.port),
            },
        };
        let left = places.len() - i;
        let (until, limit) = match left {
            1 => (deadline, limit),
            _ => {
                let share = deadline.saturating_duration_since(Instant::now()) / left as u32;
                (Instant::now() + share, Limit::Share(share))
            }
        };
        let outcome = over_stream(place, target, until, limit, |s, peer, trace| {
            kind.talk(s, peer, limit, trace)
        });
        if outcome.is_healthy() || places.len() == 1 {
            return outcome;
        }
        failures.push((label.clone(), outcome));
    }
    Outcome::NoHostReady { hosts: failures }
}

/// Each host a URL names, when it names more than one (Kafka's bootstrap
/// servers, a MongoDB replica set's seed list), for [`Exchange::places`].
fn hosts(target: &Target) -> Vec<(String, Option<UnixSocket>)> {
    match target.url.addresses.as_slice() {
        [] | [_] => Vec::new(),
        addresses => addresses
            .iter()
            .filter_map(|address| match address {
                Address::Host(host, port) => Some((format!("{host}:{port}"), None)),
                Address::SocketDir(..) => None,
            })
            .collect(),
    }
}

/// The exchange of a kind that is one, for the fuzz targets. Compiled in
/// every build, so that a new kind's arm is asked for by the compiler.
#[cfg_attr(not(fuzzing), allow(dead_code))]
pub(crate) fn exchange(kind: &Kind) -> Option<&dyn Exchange> {
    match kind {
        Kind::Postgres(check) => Some(check),
        Kind::Redis(check) => Some(check),
        Kind::Mysql(check) => Some(check),
        Kind::Amqp => Some(&amqp::Amqp),
        Kind::Memcached => Some(&memcached::Memcached::Text),
        Kind::Zookeeper => Some(&zookeeper::Zookeeper),
        Kind::Kafka => Some(&kafka::Kafka),
        Kind::Cassandra => Some(&cassandra::VERSIONS[0]),
        Kind::Mongodb(check) => Some(check),
        Kind::Http(_) | Kind::Tcp | Kind::Nats(_) | Kind::File(_) => None,
        #[cfg(feature = "grpc")]
        Kind::Grpc(_) => None,
    }
}

/// Runs the probe of one target within its own timeout.
pub(crate) fn run(target: &Target) -> Report {
    let started = Instant::now();
    run_until(
        target,
        started + target.timeout,
        Limit::Deadline(target.timeout),
    )
}

/// Runs the probe of one target by `deadline`, which `limit` sets (when
/// waiting, the end of the wait may come before the timeout runs out).
pub(crate) fn run_until(target: &Target, deadline: Instant, limit: Limit) -> Report {
    let started = Instant::now();
    let prober = prober(target);
    let (outcome, kept) = prober.probe_keeping(target, deadline, limit);
    Report {
        probed: prober.described(target),
        outcome,
        elapsed: started.elapsed(),
        waited: None,
        names: target.names.clone(),
        kept,
        attempts: 1,
    }
}

/// The one dispatch from a target's kind to its prober.
fn prober(target: &Target) -> &dyn Prober {
    match &target.kind {
        Kind::Http(check) => check,
        Kind::Tcp => &tcp::Tcp,
        #[cfg(feature = "grpc")]
        Kind::Grpc(check) => check,
        Kind::Postgres(check) => check,
        Kind::Redis(check) => check,
        Kind::Mysql(check) => check,
        Kind::Amqp => &amqp::Amqp,
        Kind::Nats(check) => check,
        Kind::Memcached => &memcached::Memcached::Text,
        Kind::Zookeeper => &zookeeper::Zookeeper,
        Kind::Kafka => &kafka::Kafka,
        Kind::Cassandra => &cassandra::VERSIONS[0],
        Kind::Mongodb(check) => check,
        Kind::File(check) => check,
    }
}

/// What a report's line says was probed, for the fuzz targets.
#[cfg(fuzzing)]
pub(crate) fn described(target: &Target) -> String {
    prober(target).described(target)
}

/// What the line says after a TLS target: ` (certificate not verified)`
/// when it is not verified, ` (verifying NAME)` with a server name set;
/// else nothing.
fn verified(target: &Target) -> String {
    match &target.tls {
        None => String::new(),
        Some(tls) if tls.insecure => " (certificate not verified)".to_owned(),
        Some(tls) => match &tls.server_name {
            Some(name) => format!(" (verifying {name})"),
            None => String::new(),
        },
    }
}

/// Opens a stream to `place` (TCP or a socket, then TLS when the target has
/// it) and hands it to `talk`, the kind's exchange; a failure to open is
/// the outcome. The trace is the exchange's too.
pub(crate) fn over_stream(
    place: Place<'_>,
    target: &Target,
    deadline: Instant,
    limit: Limit,
    talk: impl FnOnce(&mut dyn Duplex, Peer, &SharedTrace) -> Outcome,
) -> Outcome {
    let trace: SharedTrace = std::sync::Arc::new(std::sync::Mutex::new(Default::default()));
    match crate::transport::open(place, target, deadline, limit, &trace) {
        Ok((mut stream, peer)) => talk(&mut *stream, peer, &trace),
        Err(outcome) => outcome,
    }
}

/// How one exchange of a request and its reply ended, short of a reply.
pub(crate) enum Failed<P> {
    /// The network failed, or the deadline passed.
    Io(io::Error),
    /// The server closed the connection before its reply was whole.
    Closed,
    /// The reply breaks its protocol: the kind's problem.
    Problem(P),
}

/// Writes `request` (when not empty) and reads until `whole` finds a whole
/// reply in what has arrived, for the kinds that speak one request and one
/// answer; `waiting` is the stage a line names while the answer has not
/// come. At most `limit` bytes are read; what `whole` returns comes with
/// everything read.
pub(crate) fn converse<T, P>(
    stream: &mut dyn Duplex,
    request: &[u8],
    limit: usize,
    trace: &SharedTrace,
    waiting: Stage,
    mut whole: impl FnMut(&[u8]) -> Result<Option<T>, P>,
) -> Result<(T, Vec<u8>), Failed<P>> {
    enter(trace, Stage::Request);
    if !request.is_empty() {
        stream.write_all(request).map_err(Failed::Io)?;
    }
    enter(trace, waiting);
    let mut reply = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    loop {
        if let Some(answer) = whole(&reply).map_err(Failed::Problem)? {
            return Ok((answer, reply));
        }
        let room = limit.saturating_sub(reply.len()).min(chunk.len());
        if room == 0 {
            // The parsers refuse a reply over the limit before this.
            return Err(Failed::Closed);
        }
        let n = match stream.read(&mut chunk[..room]) {
            Ok(0) => return Err(Failed::Closed),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Failed::Io(e)),
        };
        reply.extend_from_slice(&chunk[..n]);
        lock(trace).received = reply.len();
    }
}

impl<P: Into<Problem>> Failed<P> {
    /// The outcome of an exchange that failed at the stage the trace holds.
    pub(crate) fn outcome(self, peer: Peer, limit: Limit, trace: &SharedTrace) -> Outcome {
        let failed = match self {
            Failed::Io(e) => Failed::Io(e),
            Failed::Closed => Failed::Closed,
            Failed::Problem(p) => Failed::Problem(p.into()),
        };
        failed.lost(peer, limit, trace)
    }
}

impl Failed<Problem> {
    /// [`Failed::outcome`], once for every kind: each kind's copy of it
    /// would be its own.
    #[inline(never)]
    fn lost(self, peer: Peer, limit: Limit, trace: &SharedTrace) -> Outcome {
        let (stage, received) = {
            let trace = lock(trace);
            (trace.stage, trace.received)
        };
        match self {
            Failed::Io(e) if is_timeout(&e) => Outcome::TimedOut {
                stage,
                limit,
                peer: Some(peer),
                received,
            },
            Failed::Io(e) => Outcome::ConnectionLost {
                stage,
                peer,
                error: io_failure(&e),
                received,
            },
            Failed::Closed => Outcome::ConnectionLost {
                stage,
                peer,
                error: IoFailure::new(io::ErrorKind::UnexpectedEof, "connection closed"),
                received,
            },
            Failed::Problem(p) => Outcome::problem(peer, p),
        }
    }
}
