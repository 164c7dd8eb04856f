//! Integration tests: the real binary, real servers on loopback.

mod cli;
mod cross;
mod databases;
mod docker;
mod embedded;
mod exec;
mod files;
#[cfg(all(feature = "grpc", feature = "tls"))]
mod grpc;
#[cfg(all(feature = "grpc", feature = "tls"))]
mod grpc_interop;
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
mod podman;
mod real_databases;
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
mod tools;
mod unix_socket;
mod wait;
