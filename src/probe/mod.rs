//! The one module that knows ureq and rustls. It runs one target's
//! [`Config`] against the network within one deadline and turns everything it
//! learns into an [`Outcome`]. Each kind of target has its prober, all with
//! the same shape, over shared connecting ([`net`]) and TLS ([`tls`]).

mod http;
mod net;
mod tcp;
#[cfg(feature = "tls")]
mod tls;

use std::time::Instant;

use crate::config::Config;
use crate::outcome::{Limit, Report};
use crate::url::Scheme;

pub use self::http::BODY_LIMIT;

/// Runs the probe of one target. Never panics on anything the network does,
/// and returns by the deadline, `config.timeout` after it is called.
pub fn run(config: &Config) -> Report {
    let started = Instant::now();
    run_until(
        config,
        started + config.timeout,
        Limit::Deadline(config.timeout),
    )
}

/// Runs the probe of one target by `deadline`, which `limit` sets (with
/// `--wait`, the end of the wait may come before `--timeout` runs out).
pub fn run_until(config: &Config, deadline: Instant, limit: Limit) -> Report {
    let started = Instant::now();
    let (probed, outcome) = match config.url.scheme {
        Scheme::Http | Scheme::Https => (
            http::described(config),
            http::probe(config, deadline, limit),
        ),
        Scheme::Tcp => (tcp::described(config), tcp::probe(config, deadline, limit)),
    };
    Report {
        probed,
        outcome,
        elapsed: started.elapsed(),
        waited: None,
    }
}
