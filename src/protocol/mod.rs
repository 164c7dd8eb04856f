//! What each protocol says and means, with no socket in sight: the bytes a
//! probe sends, the judgement of what comes back, each kind's problems and
//! the words for them, and the protocol's own vocabulary (reason phrases,
//! gRPC status names, HTTP/2 error codes) beside the code that speaks it.
//! The probers in `kinds` carry the bytes; `report` gathers the problems
//! into one [`Outcome`](crate::Outcome).

use std::fmt;

use crate::setting::Names;

pub(crate) mod amqp;
pub(crate) mod cassandra;
pub(crate) mod file;
#[cfg(feature = "grpc")]
pub(crate) mod grpc;
pub(crate) mod http;
#[cfg(feature = "json")]
pub(crate) mod json;
pub(crate) mod kafka;
pub(crate) mod memcached;
pub(crate) mod mongodb;
pub(crate) mod mysql;
pub(crate) mod nats;
pub(crate) mod postgres;
pub(crate) mod redis;
pub(crate) mod tls;
pub(crate) mod zookeeper;

/// How many bytes of an answer that is not the protocol's a line shows.
pub(crate) const START_SHOWN: usize = 64;

/// The first bytes of an answer that is not the protocol's, to show: one
/// more than shown, so that the line says it goes on.
pub(crate) fn start_of(bytes: &[u8]) -> Vec<u8> {
    bytes[..bytes.len().min(START_SHOWN + 1)].to_vec()
}

/// What is wrong with an answer in the ways every protocol shares: it is
/// another protocol's, or it breaks this one. Each kind's problem type
/// holds it as its `Wire` variant, and its words are these.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WireProblem {
    /// The answer is not this protocol's at all (say, an HTTP server on
    /// the port): its first bytes, at most 65.
    #[non_exhaustive]
    Foreign {
        /// The first bytes of the answer.
        start: Vec<u8>,
    },
    /// The answer is this protocol's, and it breaks the protocol.
    #[non_exhaustive]
    Malformed {
        /// What is wrong with it.
        why: String,
    },
}

/// Where the first line of `bytes` ends: the index of its CRLF. One copy
/// for every line protocol (Redis, NATS, memcached), not one each.
#[inline(never)]
pub(crate) fn crlf(bytes: &[u8]) -> Option<usize> {
    bytes.windows(2).position(|w| w == b"\r\n")
}

impl WireProblem {
    /// A broken answer, for why it is broken.
    #[inline(never)]
    pub(crate) fn malformed(why: &str) -> WireProblem {
        WireProblem::Malformed {
            why: why.to_owned(),
        }
    }

    /// An answer that is not the protocol's, from its first bytes.
    pub(crate) fn foreign(bytes: &[u8]) -> WireProblem {
        WireProblem::Foreign {
            start: start_of(bytes),
        }
    }

    /// The words, for the protocol `protocol` names (`PostgreSQL`), whose
    /// answers are `answers` (`PostgreSQL's`, `a MySQL greeting`).
    pub(crate) fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        peer: &dyn fmt::Display,
        protocol: &str,
        answers: &str,
    ) -> fmt::Result {
        match self {
            WireProblem::Foreign { start } => write!(
                f,
                "the answer from {peer} is not {answers}: it begins {}",
                crate::line::quoted(start, START_SHOWN)
            ),
            WireProblem::Malformed { why } => {
                write!(f, "{protocol} protocol error from {peer}: {why}")
            }
        }
    }
}

/// A problem's words in the line, after `unhealthy: WHAT WAS PROBED: `:
/// each kind writes its own, naming the peer it came from and, where a
/// setting could change the answer, the setting as the caller calls it.
pub(crate) trait Words {
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        peer: &dyn fmt::Display,
        names: &Names,
    ) -> fmt::Result;
}

/// The stage a probe was in when it failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// Looking up the host's addresses.
    #[default]
    Resolve,
    /// Connecting over TCP or to the Unix socket.
    Connect,
    /// The TLS handshake, after the TCP connection is up.
    TlsHandshake,
    /// Sending the request.
    Request,
    /// Waiting for, or reading, the response's status line and headers.
    ResponseHead,
    /// Reading the response body.
    Body,
    /// gRPC: waiting for the server's HTTP/2 SETTINGS, its connection preface.
    Settings,
    /// gRPC: waiting for the response's HTTP/2 headers.
    ResponseHeaders,
    /// gRPC: reading the response message.
    Message,
    /// gRPC: waiting for the trailers that carry grpc-status.
    Trailers,
    /// A database or broker: waiting for, or reading, its reply.
    Reply,
    /// MySQL and NATS: waiting for the server's greeting (NATS's INFO),
    /// which it sends first.
    Greeting,
    /// MySQL: waiting for the server's answer to the login that follows
    /// its greeting.
    Login,
    /// A `file://` target: asking the file system about the path (a hung
    /// network file system answers never).
    Stat,
}

/// How a line words a stage.
pub(crate) struct StageWords {
    /// After "timed out ".
    pub waiting: &'static str,
    /// After "ERROR while ", when the connection was lost.
    pub lost: &'static str,
    /// Before the peer: "connecting to", "in the TLS handshake with".
    pub preposition: &'static str,
    /// Whether a timeout says how many response bytes had arrived.
    pub counts_bytes: bool,
}

impl Stage {
    /// The one table of the words for each stage.
    pub(crate) fn words(self) -> StageWords {
        let (waiting, lost, preposition, counts_bytes) = match self {
            Stage::Resolve => ("resolving the host", "sending the request", "from", false),
            Stage::Connect => ("connecting", "sending the request", "to", false),
            Stage::TlsHandshake => (
                "in the TLS handshake",
                "in the TLS handshake",
                "with",
                false,
            ),
            Stage::Request => ("sending the request", "sending the request", "to", false),
            Stage::ResponseHead => (
                "waiting for the response head",
                "reading the response head",
                "from",
                true,
            ),
            Stage::Body => ("reading the body", "reading the body", "from", true),
            Stage::Settings => (
                "waiting for the server's HTTP/2 SETTINGS",
                "waiting for the server's HTTP/2 SETTINGS",
                "from",
                false,
            ),
            Stage::ResponseHeaders => (
                "waiting for the response headers",
                "waiting for the response headers",
                "from",
                false,
            ),
            Stage::Message => (
                "reading the response message",
                "reading the response message",
                "from",
                false,
            ),
            Stage::Trailers => (
                "waiting for the trailers",
                "waiting for the trailers",
                "from",
                false,
            ),
            Stage::Reply => ("waiting for the reply", "reading the reply", "from", true),
            Stage::Greeting => (
                "waiting for the greeting",
                "reading the greeting",
                "from",
                true,
            ),
            Stage::Login => (
                "waiting for the answer to the login that follows the greeting",
                "reading the answer to the login that follows the greeting",
                "from",
                true,
            ),
            Stage::Stat => (
                "waiting for the file system",
                "looking up the path",
                "at",
                false,
            ),
        };
        StageWords {
            waiting,
            lost,
            preposition,
            counts_bytes,
        }
    }
}
