//! `tcp://HOST:PORT`: healthy when a TCP connection is established within the
//! deadline. Nothing is sent, and the connection is closed at once, which is
//! all a database or a cache needs to show it listens (and all bash's
//! `/dev/tcp` trick, which hardened images cannot run, ever did).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::net::Trace;
use crate::config::Config;
use crate::outcome::{Limit, Outcome};

/// `TCP localhost:5432`.
pub fn described(config: &Config) -> String {
    format!("TCP {}", config.url.authority())
}

/// Connects to the target's addresses in turn, as HTTP probes do.
pub fn probe(config: &Config, deadline: Instant, limit: Limit) -> Outcome {
    let trace = Arc::new(Mutex::new(Trace::default()));
    // Dropping the socket closes the connection.
    match super::connect(config, deadline, limit, &trace) {
        Ok((_socket, peer)) => Outcome::Connected { peer },
        Err(outcome) => outcome,
    }
}
