//! `cassandra://` and `cassandra+ssl://` (Scylla too): `OPTIONS`, then
//! `STARTUP`, in the newest protocol version the node speaks: `READY` or
//! `AUTHENTICATE` is ready. A node that refuses a version is asked again
//! one lower, on a new connection.

use super::{Exchange, Failed, converse};
use crate::protocol::cassandra::{
    self, CassandraProblem, Frame, MAX_FRAME, NEWEST, OLDEST, Started,
};
use crate::report::{Limit, Outcome, Peer, Problem, Ready, Stage};
use crate::spec::Target;
use crate::transport::net::{Duplex, SharedTrace};

/// The Cassandra kind in one protocol version, which has no settings of
/// its own.
pub(crate) struct Cassandra {
    version: u8,
}

/// Each version the probe asks in, newest first: a probe starts with the
/// first.
pub(crate) static VERSIONS: [Cassandra; (NEWEST - OLDEST + 1) as usize] = [
    Cassandra { version: NEWEST },
    Cassandra { version: 4 },
    Cassandra { version: OLDEST },
];

impl Cassandra {
    /// One request and its answer frame, judged by `judge`.
    fn ask<T>(
        stream: &mut dyn Duplex,
        request: &[u8],
        trace: &SharedTrace,
        waiting: Stage,
        judge: fn(&Frame) -> Result<T, CassandraProblem>,
    ) -> Result<T, Failed<CassandraProblem>> {
        let (frame, _) = converse(
            stream,
            request,
            MAX_FRAME + cassandra::HEADER,
            trace,
            waiting,
            cassandra::frame,
        )?;
        judge(&frame).map_err(Failed::Problem)
    }
}

impl Exchange for Cassandra {
    /// `CQL STARTUP cassandra://node:9042`.
    fn described(&self, target: &Target) -> String {
        format!("CQL STARTUP {}", target.url)
    }

    fn talk(
        &self,
        stream: &mut dyn Duplex,
        peer: Peer,
        limit: Limit,
        trace: &SharedTrace,
    ) -> Outcome {
        let version = self.version;
        let options = cassandra::options(version);
        let started = Cassandra::ask(
            stream,
            &options,
            trace,
            Stage::Greeting,
            cassandra::supported,
        )
        .and_then(|()| {
            let startup = cassandra::startup(version);
            Cassandra::ask(stream, &startup, trace, Stage::Reply, cassandra::started)
        });
        let authenticator = match started {
            Ok(Started::Ready) => None,
            Ok(Started::Authenticate(authenticator)) => Some(authenticator),
            Err(failed) => return failed.outcome(peer, limit, trace),
        };
        Outcome::ready(
            peer,
            Ready::Cassandra {
                version,
                authenticator,
            },
        )
    }

    /// One version lower, after a node refused this one.
    fn then(&self, outcome: &Outcome) -> Option<&dyn Exchange> {
        let refused = matches!(
            outcome,
            Outcome::Unhealthy {
                problem: Problem::Cassandra(CassandraProblem::Version { .. }),
                ..
            }
        );
        let lower = VERSIONS
            .iter()
            .find(|kind| kind.version + 1 == self.version)?;
        refused.then_some(lower)
    }
}
