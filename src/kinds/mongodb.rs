//! `mongodb://`: `hello` to `admin`, which needs no login, over TCP; the
//! member's answer is the verdict. A URL that names several members (a
//! replica set's seed list) is ready when one is. No password is ever sent.

use super::{Exchange, converse};
use crate::protocol::mongodb::{self, MAX_ANSWER, REQUEST, Role};
use crate::report::{Limit, Outcome, Peer, Ready, Stage};
use crate::spec::{MongoCheck, Target, UnixSocket};
use crate::transport::net::{Duplex, SharedTrace};

impl Exchange for MongoCheck {
    /// `MongoDB hello mongodb://db:27017`, and `(primary)` when only a
    /// primary will do.
    fn described(&self, target: &Target) -> String {
        let primary = if self.primary { " (primary)" } else { "" };
        format!("MongoDB hello {}{primary}", target.url)
    }

    fn talk(
        &self,
        stream: &mut dyn Duplex,
        peer: Peer,
        limit: Limit,
        trace: &SharedTrace,
    ) -> Outcome {
        let hello = converse(
            stream,
            &REQUEST,
            MAX_ANSWER,
            trace,
            Stage::Reply,
            mongodb::answer,
        );
        let hello = match hello {
            Ok((hello, _)) => hello,
            Err(failed) => return failed.outcome(peer, limit, trace),
        };
        let (role, set) = match mongodb::judge(hello, self.primary) {
            Ok(Role::Primary(set)) => ("primary", Some(set)),
            Ok(Role::Secondary(set)) => ("secondary", Some(set)),
            Ok(Role::Standalone) => ("standalone", None),
            Ok(Role::Mongos) => ("mongos", None),
            Err(problem) => return Outcome::problem(peer, problem),
        };
        Outcome::ready(peer, Ready::Mongodb { role, set })
    }

    /// Each member the URL names, when it names more than one.
    fn places(&self, target: &Target) -> Vec<(String, Option<UnixSocket>)> {
        super::hosts(target)
    }
}
