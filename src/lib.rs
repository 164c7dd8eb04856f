//! healthprobe: one HTTP request against a health endpoint, within one hard
//! deadline, answered with an exit code and one line.
//!
//! ```text
//! argv + environment ──► config::parse ──► Config ──► probe::run ──► Report ──► one line, exit code
//! ```
//!
//! What the code never does, and where that is ensured:
//! - Nothing but `main.rs` touches process state (argv, environment, stdout,
//!   exit codes, the binary's own path); [`config::parse`] takes the
//!   environment as a function.
//! - Nothing but `probe.rs` knows ureq; [`Outcome`] is plain data.
//! - No code path outlives the deadline: every socket operation is bounded by
//!   the time left, and name resolution runs on a thread that is abandoned,
//!   not waited for, when the deadline passes.
//! - The output is one line of at most 500 bytes ([`outcome::MAX_LINE`]) in
//!   visible ASCII: whatever the server controls is quoted and escaped, and
//!   header values never appear in it.
//! - Nothing panics on input: no `unwrap` or `expect` outside tests.
#![forbid(unsafe_code)]

pub mod config;
#[cfg(any(feature = "tls", fuzzing))]
mod der;
mod duration;
mod expand;
#[cfg(feature = "json")]
mod expect_json;
#[cfg(feature = "grpc")]
mod grpc;
pub mod install;
pub mod outcome;
pub mod probe;
mod status;
pub mod url;
pub mod wait;

/// Internals re-exported for the fuzz targets only (cargo fuzz sets `--cfg fuzzing`).
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzz;

pub use config::{Command, Config};
pub use outcome::{Outcome, Report};
pub use probe::run;
pub use status::ExpectStatus;
