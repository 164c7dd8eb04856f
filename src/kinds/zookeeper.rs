//! `zookeeper://`: the four-letter word `srvr`, whose answer the server
//! ends by closing the connection; the mode in it is the verdict.

use std::io;

use super::{Exchange, Failed};
use crate::protocol::zookeeper::{self, MAX_ANSWER, REQUEST, ZookeeperProblem};
use crate::report::{Limit, Outcome, Peer, Ready, Stage};
use crate::spec::Target;
use crate::transport::net::{Duplex, SharedTrace, enter, lock};

/// The ZooKeeper kind, which has no settings of its own.
pub(crate) struct Zookeeper;

impl Exchange for Zookeeper {
    /// `ZooKeeper srvr zookeeper://zk:2181`.
    fn described(&self, target: &Target) -> String {
        format!("ZooKeeper srvr {}", target.url)
    }

    fn talk(
        &self,
        stream: &mut dyn Duplex,
        peer: Peer,
        limit: Limit,
        trace: &SharedTrace,
    ) -> Outcome {
        match read_to_end(stream, trace) {
            Ok(answer) => match zookeeper::judge(&answer) {
                Ok(mode) => Outcome::ready(peer, Ready::Zookeeper { mode }),
                Err(problem) => Outcome::problem(peer, problem),
            },
            Err(failed) => failed.outcome(peer, limit, trace),
        }
    }
}

/// Sends the question and reads the answer until the server closes the
/// connection, at most [`MAX_ANSWER`] bytes.
fn read_to_end(
    stream: &mut dyn Duplex,
    trace: &SharedTrace,
) -> Result<Vec<u8>, Failed<ZookeeperProblem>> {
    enter(trace, Stage::Request);
    stream.write_all(REQUEST).map_err(Failed::Io)?;
    enter(trace, Stage::Reply);
    let mut answer = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) if answer.is_empty() => return Err(Failed::Closed),
            Ok(0) => return Ok(answer),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Failed::Io(e)),
        };
        answer.extend_from_slice(&chunk[..n]);
        lock(trace).received = answer.len();
        if !zookeeper::plausible(&answer) {
            let wire = crate::protocol::WireProblem::foreign(&answer);
            return Err(Failed::Problem(ZookeeperProblem::Wire(wire)));
        }
        if answer.len() > MAX_ANSWER {
            let why = format!("an answer longer than the {MAX_ANSWER} bytes healthprobe reads");
            let wire = crate::protocol::WireProblem::Malformed { why };
            return Err(Failed::Problem(ZookeeperProblem::Wire(wire)));
        }
    }
}
