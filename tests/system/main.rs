//! System tests: the binary with what a plain `cargo test` machine lacks:
//! root (namespaces, another uid, FUSE), Docker Engine with Compose v2,
//! containerd's CRI (the kubelet's exec probe), Podman, real
//! PostgreSQL, Redis, MariaDB, RabbitMQ, NATS, memcached and ZooKeeper
//! servers, the gRPC interop
//! servers, curl, wget and busybox, libfaketime, and the arm64 build under
//! qemu. Each test is ignored with what it needs, and fails when run
//! without it; `.ci/test` installs it all as root and runs this binary with
//! `--include-ignored` (Docker Engine's and Compose's modules in a step of
//! their own, and the CRI's in another).

// Shared with tests/it/; this binary uses only part of it.
#[allow(dead_code)]
#[path = "../it/support/mod.rs"]
mod support;

mod compose;
mod cri;
mod cross;
mod docker;
#[cfg(feature = "tls")]
mod faketime;
mod fuse;
#[cfg(all(feature = "grpc", feature = "tls"))]
mod grpc_interop;
mod pid1;
mod podman;
mod real_brokers;
mod real_databases;
mod sandbox;
mod tools;
mod uid;
