//! `amqp://` and `amqps://`: the AMQP 0-9-1 protocol header, answered with
//! Connection.Start, over TCP or TLS. No credentials are sent. The probe
//! then closes the connection: RabbitMQ logs one warning for a client that
//! leaves before its login, the least any exchange without credentials
//! leaves (an early Connection.Close is logged as an error).

use super::{Exchange, converse};
use crate::protocol::amqp::{self, HEADER, MAX_FRAME};
use crate::report::{Limit, Outcome, Peer, Ready, Stage};
use crate::spec::Target;
use crate::transport::net::{Duplex, SharedTrace};

/// The AMQP kind, which has no settings of its own.
pub(crate) struct Amqp;

impl Exchange for Amqp {
    /// `AMQP amqp://broker:5672`.
    fn described(&self, target: &Target) -> String {
        let verified = super::verified(target);
        format!("AMQP {}{verified}", target.url)
    }

    fn talk(
        &self,
        stream: &mut dyn Duplex,
        peer: Peer,
        limit: Limit,
        trace: &SharedTrace,
    ) -> Outcome {
        // A frame's 7-octet head, its payload, its end.
        match converse(
            stream,
            &HEADER,
            7 + MAX_FRAME + 1,
            trace,
            Stage::Reply,
            amqp::start,
        ) {
            Ok((start, _)) => Outcome::ready(
                peer,
                Ready::Amqp {
                    version: (start.major, start.minor),
                },
            ),
            Err(failed) => failed.outcome(peer, limit, trace),
        }
    }
}
