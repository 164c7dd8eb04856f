//! One prober per kind of target, all with one shape ([`Prober`]), and the
//! one exhaustive dispatch from a [`Kind`] to its prober. A prober runs one
//! target within one deadline over the shared `transport`, judges what it
//! hears with its `protocol`, and turns everything it learns into an
//! [`Outcome`]. No prober knows it may be repeated or run beside others.

#[cfg(feature = "grpc")]
pub(crate) mod grpc;
mod http;
mod tcp;

use std::time::Instant;

use crate::report::{Limit, Outcome, Report};
use crate::spec::{Kind, Target};

#[cfg(feature = "grpc")]
pub use self::grpc::{MAX_GRPC_METADATA, MAX_GRPC_SERVICE, RESERVED_GRPC_METADATA};
pub use self::http::MAX_REQUEST_LINE;

/// The User-Agent of every request a probe sends, unless a header replaces it.
const USER_AGENT: &str = concat!("healthprobe/", env!("CARGO_PKG_VERSION"));

/// What each kind's prober does, given the target and the kind's settings
/// (`self`).
pub(crate) trait Prober {
    /// What the line says was probed: `GET http://127.0.0.1:9000/health`.
    fn described(&self, target: &Target) -> String;

    /// Probes the target by `deadline`, which `limit` sets. Never panics on
    /// anything the network does, and returns by the deadline.
    fn probe(&self, target: &Target, deadline: Instant, limit: Limit) -> Outcome;
}

/// Runs the probe of one target within its own timeout.
pub(crate) fn run(target: &Target) -> Report {
    let started = Instant::now();
    run_until(
        target,
        started + target.timeout,
        Limit::Deadline(target.timeout),
    )
}

/// Runs the probe of one target by `deadline`, which `limit` sets (when
/// waiting, the end of the wait may come before the timeout runs out).
pub(crate) fn run_until(target: &Target, deadline: Instant, limit: Limit) -> Report {
    let started = Instant::now();
    let prober: &dyn Prober = match &target.kind {
        Kind::Http(check) => check,
        Kind::Tcp => &tcp::Tcp,
        #[cfg(feature = "grpc")]
        Kind::Grpc(check) => check,
    };
    Report {
        probed: prober.described(target),
        outcome: prober.probe(target, deadline, limit),
        elapsed: started.elapsed(),
        waited: None,
        names: target.names.clone(),
    }
}

/// What the line says after a TLS target: ` (certificate not verified)`
/// when it is not verified, ` (verifying NAME)` with a server name set;
/// else nothing.
fn verified(target: &Target) -> String {
    match &target.tls {
        None => String::new(),
        Some(tls) if tls.insecure => " (certificate not verified)".to_owned(),
        Some(tls) => match &tls.server_name {
            Some(name) => format!(" (verifying {name})"),
            None => String::new(),
        },
    }
}
