//! `postgres://` and `postgresql://`: readiness as `pg_isready` judges it,
//! over TCP or the server's Unix socket. The StartupMessage names a user and
//! a database, never a password; after AuthenticationOk (a trusted user)
//! the probe says Terminate, and after a request for a password it leaves
//! without one, so the server logs nothing.

use std::time::Instant;

use super::{Prober, converse};
use crate::protocol::postgres::{
    self, Answer, CANNOT_CONNECT_NOW, MAX_MESSAGE, PostgresProblem, TERMINATE,
};
use crate::report::{Limit, Outcome, Peer};
use crate::spec::{PostgresCheck, Target};
use crate::transport::net::{Duplex, SharedTrace};

impl Prober for PostgresCheck {
    /// `PostgreSQL postgres://db:5432/app as app`.
    fn described(&self, target: &Target) -> String {
        format!("PostgreSQL {} as {}", target.url, self.user)
    }

    fn probe(&self, target: &Target, deadline: Instant, limit: Limit) -> Outcome {
        super::over_stream(target, deadline, limit, |stream, peer, trace| {
            self.talk(stream, peer, limit, trace)
        })
    }
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
