//! `tcp://HOST:PORT`: healthy when a TCP connection is established within the
//! deadline. Nothing is sent, and the connection is closed at once, which is
//! all a database or a cache needs to show it listens (and all bash's
//! `/dev/tcp` trick, which hardened images cannot run, ever did).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::net::{self, ConnectError, Endpoint, MAX_ADDRS, Resolve, Trace, lock};
use crate::config::Config;
use crate::outcome::{Limit, Outcome, Stage};

/// `TCP localhost:5432`.
pub fn described(config: &Config) -> String {
    format!("TCP {}", config.url.authority())
}

/// Connects to the target's addresses in turn, as HTTP probes do.
pub fn probe(config: &Config, deadline: Instant, limit: Limit) -> Outcome {
    let host = config.url.host.to_string();
    let mut addrs = match net::resolve(&host, config.url.port, deadline) {
        Ok(addrs) => addrs,
        Err(Resolve::TimedOut) => {
            return Outcome::TimedOut {
                stage: Stage::Resolve,
                limit,
                peer: None,
                received: 0,
            };
        }
        Err(Resolve::Failed(error)) => return Outcome::ResolveFailed { host, error },
    };
    addrs.truncate(MAX_ADDRS);
    let trace = Arc::new(Mutex::new(Trace::default()));
    let connected = net::connect(
        Endpoint::Tcp(&addrs),
        deadline,
        config.connect_timeout,
        &trace,
    );
    let trace = lock(&trace);
    match (connected, &trace.peer) {
        // Dropping the socket closes the connection.
        (Ok(_socket), Some(peer)) => Outcome::Connected { peer: peer.clone() },
        (Ok(_), None) | (Err(ConnectError::Failed), _) => Outcome::ConnectFailed {
            attempts: trace.attempts.clone(),
        },
        (Err(ConnectError::TimedOut { by_connect_timeout }), _) => Outcome::TimedOut {
            stage: Stage::Connect,
            limit: match config.connect_timeout {
                Some(limit) if by_connect_timeout => Limit::Connect(limit),
                _ => limit,
            },
            peer: trace.attempts.last().map(|(peer, _)| peer.clone()),
            received: 0,
        },
    }
}
