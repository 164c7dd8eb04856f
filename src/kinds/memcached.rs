//! `memcached://`: `version` in the text protocol, then `quit`, over TCP or
//! the server's Unix socket. The first answer line is the verdict.

use super::{Exchange, Failed, converse};
use crate::protocol::memcached::{self, MAX_LINE, MemcachedProblem, REQUEST, Version};
use crate::report::{Limit, Outcome, Peer, Ready, Stage};
use crate::spec::Target;
use crate::transport::net::{Duplex, SharedTrace, lock};

/// The memcached kind, which has no settings of its own.
pub(crate) struct Memcached;

impl Exchange for Memcached {
    /// `memcached version memcached://cache:11211`.
    fn described(&self, target: &Target) -> String {
        format!("memcached version {}", target.url)
    }

    fn talk(
        &self,
        stream: &mut dyn Duplex,
        peer: Peer,
        limit: Limit,
        trace: &SharedTrace,
    ) -> Outcome {
        let line = converse(
            stream,
            REQUEST,
            MAX_LINE + 2,
            trace,
            Stage::Reply,
            |bytes| Ok::<_, MemcachedProblem>(memcached::answer(bytes)?.map(<[u8]>::to_vec)),
        );
        let line = match line {
            Ok((line, _)) => line,
            // Closed without a word: a server that speaks only binary.
            Err(Failed::Closed) if lock(trace).received == 0 => {
                return Outcome::problem(peer, MemcachedProblem::Silent);
            }
            Err(failed) => return failed.outcome(peer, limit, trace),
        };
        match memcached::judge(&line) {
            Ok(Version::Is(version)) => Outcome::ready(
                peer,
                Ready::Memcached {
                    version: Some(version),
                },
            ),
            Ok(Version::AuthRequired) => Outcome::ready(peer, Ready::Memcached { version: None }),
            Err(problem) => Outcome::problem(peer, problem),
        }
    }
}
