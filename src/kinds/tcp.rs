//! `tcp://HOST:PORT`: healthy when a TCP connection is established within the
//! deadline. Nothing is sent, and the connection is closed at once, which is
//! all a database or a cache needs to show it listens (and all bash's
//! `/dev/tcp` trick, which hardened images cannot run, ever did).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::Prober;
use crate::report::{Limit, Outcome, Ready};
use crate::spec::Target;
use crate::transport::{self, net::Trace};

/// The TCP kind, which has no settings of its own.
pub(super) struct Tcp;

impl Prober for Tcp {
    /// `TCP localhost:5432`.
    fn described(&self, target: &Target) -> String {
        format!("TCP {}", target.url.authority())
    }

    /// Connects to the target's addresses in turn, as HTTP probes do.
    fn probe(&self, target: &Target, deadline: Instant, limit: Limit) -> Outcome {
        let trace = Arc::new(Mutex::new(Trace::default()));
        // Dropping the socket closes the connection.
        match transport::connect(target.place(), target, deadline, limit, &trace) {
            Ok((_socket, peer)) => Outcome::ready(peer, Ready::Connected),
            Err(outcome) => outcome,
        }
    }
}
