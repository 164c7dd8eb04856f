//! `memcached://`: `version` in the text protocol, then `quit`, over TCP or
//! the server's Unix socket; the first answer line is the verdict. A server
//! that closes on it without a word (SASL: binary only) is asked again, on
//! a new connection, in the binary protocol.

use super::{Exchange, Failed, converse};
use crate::protocol::memcached::{self, MAX_LINE, MemcachedProblem, REQUEST, Version};
use crate::report::{Limit, Outcome, Peer, Problem, Ready, Stage};
use crate::spec::Target;
use crate::transport::net::{Duplex, SharedTrace, lock};

/// The memcached kind, which has no settings of its own: the text
/// protocol, and the binary one when a server closes on text.
pub(crate) enum Memcached {
    Text,
    Binary,
}

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
        let answer = match self {
            Memcached::Text => converse(
                stream,
                REQUEST,
                MAX_LINE + 2,
                trace,
                Stage::Reply,
                |bytes| memcached::answer(bytes)?.map(memcached::judge).transpose(),
            ),
            Memcached::Binary => converse(
                stream,
                &memcached::BINARY_REQUEST,
                MAX_LINE + 24,
                trace,
                Stage::Reply,
                memcached::binary_answer,
            ),
        };
        let version = match answer {
            Ok((version, _)) => version,
            // Closed without a word: a server that speaks only binary.
            Err(Failed::Closed) if lock(trace).received == 0 => {
                return Outcome::problem(peer, MemcachedProblem::Silent);
            }
            Err(failed) => return failed.outcome(peer, limit, trace),
        };
        let ready = match version {
            Version::Is(version) => Ready::Memcached {
                version: Some(version),
                binary: false,
            },
            Version::AuthRequired => Ready::Memcached {
                version: None,
                binary: false,
            },
            Version::Binary(version) => Ready::Memcached {
                version: Some(version),
                binary: true,
            },
        };
        Outcome::ready(peer, ready)
    }

    /// The binary protocol, on a new connection, after a text request the
    /// server closed without a word.
    fn then(&self, outcome: &Outcome) -> Option<&dyn Exchange> {
        let silent = matches!(
            outcome,
            Outcome::Unhealthy {
                problem: Problem::Memcached(MemcachedProblem::Silent),
                ..
            }
        );
        (silent && matches!(self, Memcached::Text)).then_some(&Memcached::Binary)
    }
}
