//! `postgres://` and `postgresql://`: readiness as `pg_isready` judges it,
//! over TCP or the server's Unix socket. The StartupMessage names a user and
//! a database, never a password; after AuthenticationOk (a trusted user)
//! the probe says Terminate, and after a request for a password it leaves
//! without one, so the server logs nothing.

use std::path::Path;

use super::{Exchange, converse};
use crate::protocol::postgres::{
    self, Answer, CANNOT_CONNECT_NOW, MAX_MESSAGE, PostgresProblem, TERMINATE,
};
use crate::report::{Limit, Outcome, Peer, Ready, Stage};
use crate::spec::{PostgresCheck, Target, UnixSocket};
use crate::transport::net::{Duplex, SharedTrace};
use crate::url::Address;

impl Exchange for PostgresCheck {
    /// `PostgreSQL postgres://db:5432/app as app`.
    fn described(&self, target: &Target) -> String {
        format!("PostgreSQL {} as {}", target.url, self.user)
    }

    fn talk(
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
                return failed.outcome(peer, limit, trace);
            }
        };
        match &answer {
            Answer::Error { sqlstate, message } if sqlstate == CANNOT_CONNECT_NOW => {
                let message = message.clone();
                let problem = PostgresProblem::Rejecting { message };
                return Outcome::problem(peer, problem);
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
        Outcome::ready(peer, Ready::Postgres { answer })
    }

    /// Each place the URL names, tried in turn as libpq does.
    fn places(&self, target: &Target) -> Vec<(String, Option<UnixSocket>)> {
        places(target)
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
