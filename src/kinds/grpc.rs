//! `grpc://` and `grpcs://`: one call of `grpc.health.v1.Health/Check` over
//! HTTP/2 (`protocol::h2`), cleartext with prior knowledge or TLS with ALPN `h2`,
//! over the same deadline-bounded connection as every other probe. What the
//! answer means is decided in `protocol::grpc`, without I/O.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::Prober;
use crate::protocol::grpc;
#[cfg(feature = "tls")]
use crate::report::Stage;
use crate::report::{GrpcProblem, IoFailure, Limit, Outcome, Peer, Ready};
use crate::spec::{GrpcCheck, Scheme, Target};
use crate::transport::h2::{self, Client, Failure};
use crate::transport::net::{self, DeadlineStream, Duplex, Trace};
#[cfg(feature = "tls")]
use crate::transport::tls::{Secure, refused_alpn};

/// The most bytes of gRPC metadata (names and values of headers): with the
/// fixed fields, the request's header block must fit one HTTP/2 frame
/// (16 KiB at least), and servers' default limits are 8 KiB (grpc-go, nginx).
pub const MAX_GRPC_METADATA: usize = 8 * 1024;
/// The longest gRPC service name: service names are short dotted identifiers.
pub const MAX_GRPC_SERVICE: usize = 1024;
/// Metadata names a gRPC request may not set (gRPC's PROTOCOL-HTTP2.md
/// reserves these, and HTTP/2 forbids connection-specific fields).
pub const RESERVED_GRPC_METADATA: &[&str] = &[
    "content-type",
    "te",
    "host",
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
];

impl Prober for GrpcCheck {
    /// `gRPC Check "orders.v1.Orders" at grpc://127.0.0.1:50051`, and for
    /// grpcs:// whether and as what the certificate is verified.
    fn described(&self, target: &Target) -> String {
        let verified = super::verified(target);
        format!("gRPC Check {:?} at {}{verified}", self.service, target.url)
    }

    fn probe(&self, target: &Target, deadline: Instant, limit: Limit) -> Outcome {
        probe(target, self, deadline, limit)
    }
}

/// Probes a grpc:// or grpcs:// target by `deadline`, which `limit` sets.
fn probe(target: &Target, check: &GrpcCheck, deadline: Instant, limit: Limit) -> Outcome {
    #[cfg(feature = "tls")]
    let secure = match &target.tls {
        // RFC 9113 section 3.2: HTTP/2 over TLS is negotiated by ALPN.
        Some(tls) => match Secure::prepare(tls, &target.url.host, &[b"h2"]) {
            Ok(secure) => Some(secure),
            Err(outcome) => return outcome,
        },
        None => None,
    };
    let trace = Arc::new(Mutex::new(Trace::default()));
    let (socket, peer) =
        match crate::transport::connect(target.place(), target, deadline, limit, &trace) {
            Ok(connected) => connected,
            Err(outcome) => return outcome,
        };
    let mut stream = DeadlineStream::new(socket, deadline, Arc::clone(&trace));
    #[cfg(feature = "tls")]
    if let Some(secure) = secure {
        net::lock(&trace).stage = Stage::TlsHandshake;
        let handshake =
            crate::transport::tls::handshake(&secure.config, secure.name.clone(), stream);
        let mut secured = match handshake {
            Ok(secured) => secured,
            Err(e) if refused_alpn(&e) => {
                let problem = GrpcProblem::NoH2 { chosen: None };
                return Outcome::problem(peer, problem);
            }
            Err(e) => {
                let wire_start = &net::lock(&trace).wire_start;
                return secure.handshake_failure(&e, wire_start, peer, limit);
            }
        };
        if secured.conn.alpn_protocol() != Some(b"h2") {
            let chosen = secured.conn.alpn_protocol().map(<[u8]>::to_vec);
            return Outcome::problem(peer, GrpcProblem::NoH2 { chosen });
        }
        return call(target, check, &mut secured, deadline, limit, peer);
    }
    call(target, check, &mut stream, deadline, limit, peer)
}

/// Makes the call over a connected (and perhaps secured) stream, taken as a
/// trait object so that the HTTP/2 client is in the binary once.
pub(crate) fn call(
    target: &Target,
    check: &GrpcCheck,
    stream: &mut dyn Duplex,
    deadline: Instant,
    limit: Limit,
    peer: Peer,
) -> Outcome {
    // The server may give up when the probe does (PROTOCOL-HTTP2.md).
    let timeout = grpc::grpc_timeout(deadline.saturating_duration_since(Instant::now()));
    // gRPC metadata names are lower-case; HTTP/2 requires it (RFC 9113
    // section 8.2.1). The builder has refused the reserved ones.
    let metadata: Vec<(String, &str)> = target
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.as_str()))
        .collect();
    let user_agent = metadata
        .iter()
        .find(|(name, _)| name == "user-agent")
        .map_or(super::USER_AGENT, |(_, value)| *value);
    let mut fields: Vec<(&str, &str)> = vec![
        ("content-type", "application/grpc"),
        ("te", "trailers"),
        ("grpc-timeout", &timeout),
        ("user-agent", user_agent),
    ];
    fields.extend(
        metadata
            .iter()
            .filter(|(name, _)| name != "user-agent")
            .map(|(name, value)| (name.as_str(), *value)),
    );
    let body = grpc::request_message(&check.service);
    let request = h2::encode(&h2::Request {
        https: target.scheme == Scheme::Grpcs,
        authority: target.url.authority(),
        path: grpc::CHECK_PATH,
        fields: &fields,
        body: &body,
    });
    let mut client = Client::new(stream);
    let failure = match client.call(&request) {
        Ok(response) => {
            return match grpc::judge(&response, &check.service) {
                Ok(()) => Outcome::ready(peer, Ready::Serving),
                Err(problem) => Outcome::problem(peer, problem),
            };
        }
        Err(failure) => failure,
    };
    let stage = client.stage;
    let received = client.received;
    let problem = match failure {
        Failure::Io(e) if net::is_timeout(&e) => {
            return Outcome::TimedOut {
                stage,
                limit,
                peer: Some(peer),
                received,
            };
        }
        Failure::Io(e) => {
            return Outcome::ConnectionLost {
                stage,
                peer,
                error: net::io_failure(&e),
                received,
            };
        }
        Failure::Closed => {
            return Outcome::ConnectionLost {
                stage,
                peer,
                error: IoFailure::new(std::io::ErrorKind::UnexpectedEof, "connection closed"),
                received,
            };
        }
        Failure::NotHttp2 { start } => GrpcProblem::NotHttp2 { start },
        Failure::GoAway { code, debug } => GrpcProblem::GoAway { code, debug },
        Failure::Reset { code } => GrpcProblem::Reset { code },
        Failure::Protocol(why) => GrpcProblem::Protocol { why },
    };
    Outcome::problem(peer, problem)
}
