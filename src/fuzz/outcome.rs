//! The outcome types and the line's rules, and a report made from
//! arbitrary bytes, for the `outcome_line` fuzz target. The report is built
//! here, in the crate, because the variants it makes are
//! `#[non_exhaustive]` outside it.
//!
//! The input of [`report_from`] is a 20-byte header, then NUL-separated
//! byte strings: the probed target first, then the peer's socket path if it is one, then the
//! variant's texts in order. Header: variant; flags (bit 0: a choice such as
//! Some/None or --connect-timeout, bits 1-3: the stage, bit 4: an IPv6 peer,
//! bit 5: a Unix socket peer, bit 6: waited, bit 7: --wait ran out); the TLS
//! problem; attempts waited; status (u16 LE); a count such as bytes received
//! (u32 LE); elapsed microseconds (u32 LE); the peer's IPv4 address (u32 BE)
//! and port (u16 BE). Texts that are not UTF-8 are read lossily, so they
//! carry U+FFFD as well as control characters.

use std::io::ErrorKind;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};
use std::time::Duration;

pub use crate::line::*;
pub use crate::report::*;

/// A report made from `header` and the NUL-separated texts in `rest`.
pub fn report_from(h: &[u8; 20], rest: &[u8]) -> Report {
    let [
        variant,
        flags,
        tls,
        attempts,
        s0,
        s1,
        n0,
        n1,
        n2,
        n3,
        e0,
        e1,
        e2,
        e3,
        a0,
        a1,
        a2,
        a3,
        p0,
        p1,
    ] = *h;
    let choice = flags & 1 == 1;
    let status = u16::from_le_bytes([s0, s1]);
    let count = u32::from_le_bytes([n0, n1, n2, n3]);
    let elapsed = Duration::from_micros(u64::from(u32::from_le_bytes([e0, e1, e2, e3])));
    let ipv4 = Ipv4Addr::from([a0, a1, a2, a3]);
    let port = u16::from_be_bytes([p0, p1]);
    let stage = match (flags >> 1) & 7 {
        0 => Stage::Resolve,
        1 => Stage::Connect,
        2 => Stage::TlsHandshake,
        3 => Stage::Request,
        4 => Stage::ResponseHead,
        _ => Stage::Body,
    };
    let mut pieces = rest.split(|&b| b == 0);
    let mut next = || pieces.next().unwrap_or_default();
    let probed = lossy(next());
    let peer = match (flags & 0x20 != 0, flags & 0x10 != 0) {
        (true, _) => Peer::Unix(lossy(next())),
        (false, false) => Peer::Tcp(SocketAddr::new(ipv4.into(), port)),
        (false, true) => {
            let ip = Ipv6Addr::from(u128::from(u32::from(ipv4)) | 0xfe80 << 112);
            Peer::Tcp(SocketAddr::V6(SocketAddrV6::new(ip, port, 0, count)))
        }
    };
    let limit = Duration::from_millis(u64::from(count % 3_600_000) + 1);
    let outcome = match variant % 18 {
        0 => Outcome::Healthy {
            peer: Some(peer),
            ready: Ready::Http { status },
        },
        1 => Outcome::Healthy {
            peer: Some(peer),
            ready: Ready::Connected,
        },
        2 => http(
            peer,
            HttpProblem::UnexpectedStatus {
                status,
                expected: lossy(next()),
                location: choice.then(|| next().to_vec()),
            },
        ),
        3 => http(
            peer,
            HttpProblem::RedirectRefused {
                status,
                location: next().to_vec(),
                why: lossy(next()),
            },
        ),
        4 => http(peer, HttpProblem::TooManyRedirects { limit: count as u8 }),
        5 => http(
            peer,
            HttpProblem::BodyMismatch {
                status,
                read: count as usize,
                ended: choice,
                start: next().to_vec(),
            },
        ),
        6 => Outcome::ResolveFailed {
            host: lossy(next()),
            error: lossy(next()),
        },
        7 => Outcome::ConnectFailed {
            attempts: (0..count % 8)
                .map(|_| {
                    (
                        peer.clone(),
                        IoFailure::new(ErrorKind::Other, lossy(next())),
                    )
                })
                .collect(),
        },
        8 => Outcome::TimedOut {
            stage,
            limit: match (choice, flags & 0x80 != 0) {
                (_, true) => Limit::Wait(limit),
                (true, false) => Limit::Connect(limit),
                (false, false) => Limit::Deadline(limit),
            },
            peer: choice.then_some(peer),
            received: count as usize,
        },
        9 => Outcome::ConnectionLost {
            stage,
            peer,
            error: IoFailure::new(ErrorKind::Other, lossy(next())),
            received: count as usize,
        },
        10 => http(
            peer,
            HttpProblem::NotHttp {
                start: next().to_vec(),
            },
        ),
        11 => http(
            peer,
            HttpProblem::HeadTooLarge {
                limit: count as usize,
            },
        ),
        12 => Outcome::Tls {
            peer,
            problem: match tls % 9 {
                0 => TlsProblem::UnknownIssuer {
                    trusted: match count % 4 {
                        0 => Trusted::File(lossy(next())),
                        1 => Trusted::Bundle(lossy(next())),
                        2 => Trusted::BuiltIn,
                        _ => Trusted::Nothing,
                    },
                },
                1 => TlsProblem::NameMismatch {
                    name: lossy(next()),
                },
                2 => TlsProblem::Expired,
                3 => TlsProblem::NotYetValid,
                4 => TlsProblem::CaAsServer,
                5 => TlsProblem::ClientCertRequired,
                6 => TlsProblem::ClientCertRejected,
                7 => TlsProblem::PlainHttp,
                _ => TlsProblem::Other(lossy(next())),
            },
        },
        13 => Outcome::TlsSetup {
            error: lossy(next()),
        },
        14 => Outcome::NoTrustRoots {
            looked: (0..count % 5).map(|_| lossy(next())).collect(),
        },
        16 => Outcome::Healthy {
            peer: None,
            ready: Ready::File {
                age: elapsed.saturating_mul(count),
                max_age: choice.then_some(limit),
            },
        },
        17 => Outcome::Unhealthy {
            peer: None,
            problem: Problem::File(match tls % 7 {
                0 => FileProblem::Missing { dangling: choice },
                1 => FileProblem::PermissionDenied,
                2 => FileProblem::NotADirectory,
                3 => FileProblem::IsADirectory,
                4 => FileProblem::Stale {
                    age: elapsed.saturating_mul(count),
                    max_age: limit,
                },
                5 => FileProblem::Future {
                    ahead: elapsed.saturating_mul(count),
                },
                _ => FileProblem::Failed {
                    error: lossy(next()),
                },
            }),
        },
        15 if choice => Outcome::KeyMismatch {
            key: lossy(next()),
            cert: lossy(next()),
        },
        _ => Outcome::BadFile {
            file: match count % 3 {
                0 => TlsFile::Cacert,
                1 => TlsFile::ClientCert,
                _ => TlsFile::ClientKey,
            },
            path: lossy(next()),
            error: lossy(next()),
        },
    };
    let waited = (flags & 0x40 != 0).then_some(Waited {
        attempts: u32::from(attempts),
        over: limit,
    });
    // Named as the library names settings, or as the command line does.
    let library = flags & 0x80 != 0 && tls & 0x80 != 0;
    super::report(probed, outcome, elapsed, waited, library)
}

fn http(peer: Peer, problem: HttpProblem) -> Outcome {
    Outcome::Unhealthy {
        peer: Some(peer),
        problem: Problem::Http(problem),
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
