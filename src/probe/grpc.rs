//! `grpc://` and `grpcs://`: one call of `grpc.health.v1.Health/Check` over
//! HTTP/2 ([`h2`]), cleartext with prior knowledge or TLS with ALPN `h2`,
//! over the same deadline-bounded connection as every other probe. What the
//! answer means is decided in `crate::grpc`, without I/O.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::h2::{self, Client, Failure};
use super::net::{self, DeadlineStream, Trace};
#[cfg(feature = "tls")]
use super::tls;
use crate::config::Config;
use crate::grpc;
#[cfg(feature = "tls")]
use crate::outcome::Stage;
use crate::outcome::{GrpcProblem, Limit, Outcome, Peer};
use crate::url::Scheme;

/// `gRPC Check "orders.v1.Orders" at grpc://127.0.0.1:50051`, and for
/// grpcs:// whether and as what the certificate is verified.
pub fn described(config: &Config) -> String {
    let verified = super::verified(config);
    format!(
        "gRPC Check {:?} at {}{verified}",
        config.grpc_service, config.url
    )
}

/// Probes a grpc:// or grpcs:// target by `deadline`, which `limit` sets.
pub fn probe(config: &Config, deadline: Instant, limit: Limit) -> Outcome {
    #[cfg(feature = "tls")]
    let secure = match config.url.scheme {
        Scheme::Grpcs => match prepare_tls(config) {
            Ok(secure) => Some(secure),
            Err(outcome) => return outcome,
        },
        _ => None,
    };
    let trace = Arc::new(Mutex::new(Trace::default()));
    let (socket, peer) = match super::connect(config, deadline, limit, &trace) {
        Ok(connected) => connected,
        Err(outcome) => return outcome,
    };
    let mut stream = DeadlineStream::new(socket, deadline, Arc::clone(&trace));
    #[cfg(feature = "tls")]
    if let Some((prepared, name)) = secure {
        net::lock(&trace).stage = Stage::TlsHandshake;
        let mut secured = match tls::handshake(&prepared.config, name, stream) {
            Ok(secured) => secured,
            Err(e) => {
                let trace = net::lock(&trace);
                return handshake_failure(&e, &trace, config, &prepared.trusted, peer, limit);
            }
        };
        // RFC 9113 section 3.2: HTTP/2 over TLS is negotiated by ALPN.
        if secured.conn.alpn_protocol() != Some(b"h2") {
            let chosen = secured.conn.alpn_protocol().map(<[u8]>::to_vec);
            return Outcome::Grpc {
                peer,
                problem: GrpcProblem::NoH2 { chosen },
            };
        }
        return call(config, &mut secured, deadline, limit, peer);
    }
    call(config, &mut stream, deadline, limit, peer)
}

#[cfg(feature = "tls")]
fn prepare_tls(
    config: &Config,
) -> Result<(tls::Prepared, rustls::pki_types::ServerName<'static>), Outcome> {
    let prepared = tls::prepare(&config.tls, &[b"h2"])?;
    let name = tls::server_name(&config.tls, &config.url.host)?;
    Ok((prepared, name))
}

#[cfg(feature = "tls")]
fn handshake_failure(
    error: &std::io::Error,
    trace: &Trace,
    config: &Config,
    trusted: &str,
    peer: Peer,
    limit: Limit,
) -> Outcome {
    if net::is_timeout(error) {
        return Outcome::TimedOut {
            stage: Stage::TlsHandshake,
            limit,
            peer: Some(peer),
            received: 0,
        };
    }
    if tls::refused_alpn(error) {
        return Outcome::Grpc {
            peer,
            problem: GrpcProblem::NoH2 { chosen: None },
        };
    }
    let name = match &config.tls.server_name {
        Some(name) => name.clone(),
        None => config.url.host.to_string(),
    };
    let sent_client_cert = config.tls.client_cert.is_some();
    let stage = Stage::TlsHandshake;
    match tls::problem(
        error,
        stage,
        &trace.wire_start,
        &name,
        trusted,
        sent_client_cert,
    ) {
        Some(problem) => Outcome::Tls { peer, problem },
        None => Outcome::ConnectionLost {
            stage,
            peer,
            error: net::describe_io(error),
            received: 0,
        },
    }
}

/// A connected stream, plain or TLS.
pub(crate) trait Duplex: Read + Write {}
impl<S: Read + Write> Duplex for S {}

/// Makes the call over a connected (and perhaps secured) stream, taken as a
/// trait object so that the HTTP/2 client is in the binary once.
pub(crate) fn call(
    config: &Config,
    stream: &mut dyn Duplex,
    deadline: Instant,
    limit: Limit,
    peer: Peer,
) -> Outcome {
    // The server may give up when the probe does (PROTOCOL-HTTP2.md).
    let timeout = grpc::grpc_timeout(deadline.saturating_duration_since(Instant::now()));
    // gRPC metadata names are lower-case; HTTP/2 requires it (RFC 9113
    // section 8.2.1). config::parse has refused the reserved ones.
    let metadata: Vec<(String, &str)> = config
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
    let body = grpc::request_message(&config.grpc_service);
    let request = h2::encode(&h2::Request {
        https: config.url.scheme == Scheme::Grpcs,
        authority: config.url.authority(),
        path: grpc::CHECK_PATH,
        fields: &fields,
        body: &body,
    });
    let mut client = Client::new(stream);
    let failure = match client.call(&request) {
        Ok(response) => {
            return match grpc::judge(&response, &config.grpc_service) {
                Ok(()) => Outcome::Serving { peer },
                Err(problem) => Outcome::Grpc { peer, problem },
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
                error: net::describe_io(&e),
                received,
            };
        }
        Failure::Closed => {
            return Outcome::ConnectionLost {
                stage,
                peer,
                error: "connection closed".to_owned(),
                received,
            };
        }
        Failure::NotHttp2 { start } => GrpcProblem::NotHttp2 { start },
        Failure::GoAway { code, debug } => GrpcProblem::GoAway { code, debug },
        Failure::Reset { code } => GrpcProblem::Reset { code },
        Failure::Protocol(why) => GrpcProblem::Protocol { why },
    };
    Outcome::Grpc { peer, problem }
}
