#![doc = include_str!("../docs/library.md")]
//!
//! # The items
//!
//! [`Probe`] takes the target and its settings, validating each as it is
//! set, with the command line's defaults; [`Probe::run`] returns a
//! [`Report`]: the [`Outcome`], how long it took, and the line to print.
//! Invalid settings are an [`Error`], never a panic. The command line is
//! built on this same builder.
//!
//! # How it is built
//!
//! ```text
//! argv + environment ──► cli ──► Probe (builder) ──► Target ──► runner ──► kinds (one prober a kind) ──► Report ──► one line, exit code
//! ```
//!
//! Data flows one way: a module imports only the modules below it in the
//! design in docs/design.md, and nothing calls back up.
//!
//! What the code never does, and where that is ensured:
//! - Nothing but `main.rs` touches process state (argv, environment, stdout,
//!   exit codes, the binary's own path); the command line's parser takes
//!   the environment as a function, and the library reads none.
//! - Nothing but `transport` and the HTTP prober knows ureq and rustls;
//!   [`Outcome`] is plain data.
//! - No code path outlives the deadline: every socket operation is bounded by
//!   the time left, and name resolution runs on a thread that is abandoned,
//!   not waited for, when the deadline passes.
//! - The output is one line of at most 500 bytes in visible ASCII: whatever
//!   the server controls is quoted and escaped, and header values never
//!   appear in it.
//! - Nothing panics on input: no `unwrap` or `expect` outside tests.
#![forbid(unsafe_code)]
// The fuzz targets' re-exports of internals (src/fuzz.rs) are not API.
#![cfg_attr(not(fuzzing), warn(missing_docs))]

#[cfg(feature = "cli")]
mod cli;
mod declared;
#[cfg(any(feature = "tls", fuzzing))]
mod der;
mod duration;
mod error;
#[cfg(feature = "cli")]
mod expand;
#[cfg(feature = "cli")]
mod install;
mod kinds;
mod line;
mod probe;
mod protocol;
mod report;
mod runner;
mod setting;
mod spec;
mod status;
mod transport;
mod url;

/// Internals re-exported for the fuzz targets only (cargo fuzz sets `--cfg fuzzing`).
#[cfg(all(fuzzing, feature = "cli"))]
#[doc(hidden)]
pub mod fuzz;

pub use error::{Error, ErrorKind};
pub use probe::Probe;
pub use report::problems::*;
pub use report::{
    EXIT_HEALTHY, EXIT_UNHEALTHY, EXIT_USAGE, IoFailure, Limit, Outcome, Peer, Problem, Ready,
    Report, Stage, TlsFile,
};
pub use spec::Method;

/// The `healthprobe` command, as its binary runs it: reads the process's
/// arguments and environment, probes, prints, and exits or execs. For
/// healthprobe's own binary: hidden from the documentation and outside
/// semver. Use [`Probe`].
#[cfg(feature = "cli")]
#[doc(hidden)]
pub fn command_line() -> std::process::ExitCode {
    cli::process::main()
}
