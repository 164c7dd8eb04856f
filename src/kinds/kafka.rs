//! `kafka://` and `kafka+ssl://`: ApiVersions version 0, answered before
//! any login, over TCP or TLS; the answer is the verdict. A URL that names
//! several brokers, as bootstrap servers are written, is ready when one is.

use super::{Exchange, converse};
use crate::protocol::kafka::{self, MAX_ANSWER, REQUEST};
use crate::report::{Limit, Outcome, Peer, Ready, Stage};
use crate::spec::{Target, UnixSocket};
use crate::transport::net::{Duplex, SharedTrace};

/// The Kafka kind, which has no settings of its own.
pub(crate) struct Kafka;

impl Exchange for Kafka {
    /// `Kafka ApiVersions kafka://broker:9092`.
    fn described(&self, target: &Target) -> String {
        format!("Kafka ApiVersions {}", target.url)
    }

    fn talk(
        &self,
        stream: &mut dyn Duplex,
        peer: Peer,
        limit: Limit,
        trace: &SharedTrace,
    ) -> Outcome {
        match converse(
            stream,
            &REQUEST,
            MAX_ANSWER + 4,
            trace,
            Stage::Reply,
            kafka::answer,
        ) {
            Ok((answer, _)) => Outcome::ready(
                peer,
                Ready::Kafka {
                    apis: answer.apis,
                    produce: answer.produce,
                    newer: answer.newer,
                },
            ),
            Err(failed) => failed.outcome(peer, limit, trace),
        }
    }

    /// Each broker the URL names, when it names more than one.
    fn places(&self, target: &Target) -> Vec<(String, Option<UnixSocket>)> {
        super::hosts(target)
    }
}
