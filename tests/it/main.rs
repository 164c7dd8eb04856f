//! Integration tests: the real binary, against servers on loopback that the
//! tests start, with nothing but `cargo test`. The few that are ignored need
//! the release builds `.ci/test` makes (the static binary, the build
//! without TLS, the loopback-only and panic builds), and fail when run
//! without them. What needs root, containers, real servers or other tools
//! is in `tests/system/`.

mod cli;
mod databases;
mod embedded;
mod exec;
mod files;
#[cfg(all(feature = "grpc", feature = "tls"))]
mod grpc;
mod http;
mod install;
#[cfg(feature = "json")]
mod json;
mod library;
#[cfg(all(feature = "grpc", feature = "tls"))]
mod loopback;
mod mimic;
mod network;
mod panic;
mod secrets;
mod several;
mod silence;
mod static_binary;
mod support;
mod tcp;
#[cfg(feature = "tls")]
mod tls;
#[cfg(feature = "tls")]
mod tls_openssl;
mod unix_socket;
mod wait;
