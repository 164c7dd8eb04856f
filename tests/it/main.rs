//! Integration tests: the real binary, real servers on loopback.

mod cli;
mod cross;
mod http;
mod install;
mod network;
mod panic;
mod podman;
mod static_binary;
mod support;
#[cfg(feature = "tls")]
mod tls;
#[cfg(feature = "tls")]
mod tls_openssl;
