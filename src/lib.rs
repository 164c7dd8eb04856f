//! healthprobe checks one endpoint within one hard deadline and answers with
//! an exit code and one line: an HTTP or HTTPS request (over TCP or a Unix
//! socket), a TCP connection, a gRPC health check, or whether PostgreSQL,
//! Redis, MySQL, an AMQP broker, NATS, memcached, ZooKeeper, Kafka,
//! Cassandra or MongoDB is ready, with checks on the status, the body and a
//! JSON health document.
//!
//! It is a binary for container health checks, and this library, for a Rust
//! service that answers its own `healthcheck` subcommand, in an image with
//! no second binary:
//!
//! ```
//! use std::time::Duration;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
//! # let port = listener.local_addr()?.port();
//! # std::thread::spawn(move || {
//! #     use std::io::{Read, Write};
//! #     if let Ok((mut stream, _)) = listener.accept() {
//! #         let mut request = [0; 1024];
//! #         let _ = stream.read(&mut request);
//! #         let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
//! #     }
//! # });
//! # let url = format!("http://127.0.0.1:{port}/health");
//! # let url = url.as_str();
//! // In `main`, when the first argument is "healthcheck":
//! let report = healthprobe::Probe::new(url)? // "http://127.0.0.1:8080/health"
//!     .timeout(Duration::from_secs(2))?
//!     .expect_status("200-299")?
//!     .run();
//! println!("{report}"); // healthy: GET http://127.0.0.1:8080/health: 200 OK from 127.0.0.1:8080 in 0.4ms
//! assert!(report.is_healthy());
//! # let _ = || -> ! {
//! std::process::exit(report.exit_code().into()) // 0 healthy, 1 unhealthy, 64 misconfigured
//! # };
//! # Ok(())
//! # }
//! ```
//!
//! [`Probe`] takes the target and its settings, validating each as it is
//! set, with the command line's defaults; [`Probe::run`] returns a
//! [`Report`]: the [`Outcome`], how long it took, and the line to print.
//! Invalid settings are an [`Error`], never a panic. The command line is
//! built on this same builder.
//!
//! Cargo features: `tls` (`https://`, `grpcs://`), `grpc` (`grpc://`,
//! `grpcs://`), `json` (`Probe::expect_json`) and `cli` (the binary's
//! command line), all on by default; with `default-features = false` every
//! kind but gRPC is left (HTTP, TCP, PostgreSQL, Redis, MySQL, AMQP, NATS,
//! memcached, ZooKeeper, Kafka, Cassandra, MongoDB and files), without TLS, JSON checks or the command line's dependencies
//! (pico-args, anyhow, nix), in less than half the bytes. `webpki-roots`
//! compiles Mozilla's roots in, for images with no CA bundle.
//!
//! # From async code
//!
//! [`Probe::run`] blocks the calling thread until the outcome is known, at
//! most its timeout (with a wait, at most the wait), and it starts no
//! runtime of its own. From async code, run it where blocking is allowed,
//! as `tokio::task::spawn_blocking(move || probe.run())` does: a [`Probe`]
//! is `Clone + Send + Sync`, and a [`Report`] is `Send`. Its deadline holds
//! whether or not the task that awaits it is cancelled.
//!
//! # How it is built
//!
//! ```text
//! argv + environment ──► cli ──► Probe (builder) ──► Target ──► runner ──► kinds (one prober a kind) ──► Report ──► one line, exit code
//! ```
//!
//! Data flows one way: a module imports only the modules below it in the
//! README's Design section, and nothing calls back up.
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
