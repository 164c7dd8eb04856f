//! `postgres://` and `postgresql://`: readiness as `pg_isready` judges it,
//! over TCP or the server's Unix socket. The StartupMessage names a user and
//! a database, never a password; after AuthenticationOk (a trusted user)
//! the probe says Terminate, and after a request for a password it leaves
//! without one, so the server logs nothing.

use std::path::Path;
use std::time::Instant;

use super::{Prober, converse};
use crate::protocol::postgres::{
    self, Answer, CANNOT_CONNECT_NOW, MAX_MESSAGE, PostgresProblem, TERMINATE,
};
use crate::report::{Limit, Outcome, Peer, Stage};
use crate::spec::{PostgresCheck, Target, UnixSocket};
use crate::transport::Place;
use crate::transport::net::{Duplex, SharedTrace};
use crate::url::Address;

impl Prober for PostgresCheck {
    /// `PostgreSQL postgres://db:5432/app as app`.
    fn described(&self, target: &Target) -> String {
        format!("PostgreSQL {} as {}", target.url, self.user)
    }

    /// Tries each place the URL names in turn, as libpq does, until one
    /// accepts connections: ready when any is, as `pg_isready` says. Each
    /// place but the last gets an equal share of the time left, so that a
    /// host that never answers leaves time for the next.
    fn probe(&self, target: &Target, deadline: Instant, limit: Limit) -> Outcome {
        let places = places(target);
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
            let outcome = super::over_stream(place, target, until, limit, |stream, peer, trace| {
                self.talk(stream, peer, limit, trace)
            });
            if outcome.is_healthy() || places.len() == 1 {
                return outcome;
            }
            failures.push((label.clone(), outcome));
        }
        Outcome::NoHostReady { hosts: failures }
    }
}

/// Each place to try, with the name the line gives it, and its socket when
/// it is one: `--unix-socket`, or else every address of the URL. A socket
/// directory (libpq's `host=/var/run/postgresql`, or a directory given to
/// `--unix-socket`) holds the server's socket as `.s.PGSQL.PORT`.
fn places(target: &Target) -> Vec<(String, Option<UnixSocket>)> {
    let in_dir = |dir: &Path, port: u16| UnixSocket::Path(dir.join(format!(".s.PGSQL.{port}")));
    if let Some(socket) = &target.unix_socket {
        let socket = match socket {
            UnixSocket::Path(path) if path.is_dir() => in_dir(path, target.url.port),
            other => other.clone(),
        };
        return vec![(socket.to_string(), Some(socket))];
    }
    target
        .url
        .addresses
        .iter()
        .map(|address| match address {
            Address::Host(host, port) => (format!("{host}:{port}"), None),
            Address::SocketDir(dir, port) => {
                let socket = in_dir(dir, *port);
                (socket.to_string(), Some(socket))
            }
        })
        .collect()
}

impl PostgresCheck {
    /// The exchange, over a connected stream: the fuzz target's entry too.
    pub(crate) fn talk(
        &self,
        stream: &mut dyn Duplex,
        peer: Peer,
        limit: Limit,
        trace: &SharedTrace,
    ) -> Outcome {
        let request = postgres::startup(&self.user, &self.database);
        // A whole message: its type, its length, its body.
        let exchange = converse(
            stream,
            &request,
            MAX_MESSAGE + 1,
            trace,
            Stage::Reply,
            postgres::first_answer,
        );
        let answer = match exchange {
            Ok((answer, _)) => answer,
            Err(failed) => {
                return failed.outcome(peer, limit, trace, |peer, problem| Outcome::Postgres {
                    peer,
                    problem,
                });
            }
        };
        match &answer {
            Answer::Error { sqlstate, message } if sqlstate == CANNOT_CONNECT_NOW => {
                let message = message.clone();
                let problem = PostgresProblem::Rejecting { message };
                return Outcome::Postgres { peer, problem };
            }
            // Logged in: say goodbye, and read until the server closes, so
            // that it has nothing unread to complain about. The verdict is
            // made; a failure here does not change it.
            Answer::Authentication(0) if stream.write_all(&TERMINATE).is_ok() => {
                let mut rest = [0u8; 1024];
                while matches!(stream.read(&mut rest), Ok(n) if n > 0) {}
            }
            _ => {}
        }
        Outcome::PostgresReady { peer, answer }
    }
}
