//! HTTP's words: what is wrong with a response, and the standard reason
//! phrases a line names a status by. The HTTP prober (`kinds::http`) finds
//! the problems; ureq speaks the protocol.

use std::fmt;

use super::Words;
use crate::line::quoted;
use crate::setting::{Names, Setting};

/// What is wrong with an HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpProblem {
    /// The status is not in the expected list.
    #[non_exhaustive]
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// The expected list, as in `200-299`.
        expected: String,
        /// The Location of a 3xx that was not followed.
        location: Option<Vec<u8>>,
    },
    /// With redirects followed, a redirect that leaves the scheme, host and
    /// port, or whose Location is not a usable URL.
    #[non_exhaustive]
    RedirectRefused {
        /// The redirect's status.
        status: u16,
        /// Its Location header.
        location: Vec<u8>,
        /// Why it is not followed.
        why: String,
    },
    /// With redirects followed, more than the allowed number of redirects.
    #[non_exhaustive]
    TooManyRedirects {
        /// How many are followed.
        limit: u8,
    },
    /// The body ended, or its first 64 KiB were read, without the expected
    /// text.
    #[non_exhaustive]
    BodyMismatch {
        /// The HTTP status.
        status: u16,
        /// How many bytes of the body were read.
        read: usize,
        /// Whether the body ended (else the limit stopped the reading).
        ended: bool,
        /// The body's beginning, to show.
        start: Vec<u8>,
    },
    /// With JSON checks: the body is not one JSON document within the
    /// limit, or an expression does not hold.
    #[cfg(feature = "json")]
    #[non_exhaustive]
    JsonMismatch {
        /// The HTTP status.
        status: u16,
        /// What is wrong with the document.
        problem: super::json::JsonProblem,
    },
    /// What came back does not parse as an HTTP/1.x response head.
    #[non_exhaustive]
    NotHttp {
        /// Its first bytes.
        start: Vec<u8>,
    },
    /// The response head is longer than `limit` bytes.
    #[non_exhaustive]
    HeadTooLarge {
        /// The most bytes of head read.
        limit: usize,
    },
}

impl Words for HttpProblem {
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        peer: &dyn fmt::Display,
        names: &Names,
    ) -> fmt::Result {
        match self {
            HttpProblem::UnexpectedStatus {
                status,
                expected,
                location,
            } => {
                write!(f, "{}", status_text(*status))?;
                if let Some(location) = location {
                    write!(f, " to {}", quoted(location, 120))?;
                }
                write!(f, ", expected {expected}")?;
                if location.is_some() {
                    let follow = names.option(Setting::FollowRedirects);
                    write!(f, " (see {follow})")?;
                }
                write!(f, ", from {peer}")
            }
            HttpProblem::RedirectRefused {
                status,
                location,
                why,
            } => write!(
                f,
                "{} to {}, not followed: {why}, from {peer}",
                status_text(*status),
                quoted(location, 120)
            ),
            HttpProblem::TooManyRedirects { limit } => {
                write!(f, "more than {limit} redirects, the last from {peer}")
            }
            HttpProblem::BodyMismatch {
                status,
                read,
                ended,
                start,
            } => {
                write!(f, "{} but ", status_text(*status))?;
                match ended {
                    true => write!(f, "the body ({read} bytes) lacks the expected text")?,
                    false => write!(
                        f,
                        "the first {read} bytes of the body lack the expected text"
                    )?,
                }
                write!(f, ", it begins {}, from {peer}", quoted(start, 80))
            }
            #[cfg(feature = "json")]
            HttpProblem::JsonMismatch { status, problem } => {
                write!(f, "{} but ", status_text(*status))?;
                problem.write(f, peer, names)
            }
            HttpProblem::NotHttp { start } if looks_like_tls(start) => {
                write!(f, "{peer} answered in TLS: probe it with https://")
            }
            HttpProblem::NotHttp { start } => write!(
                f,
                "the response from {peer} is not HTTP: it begins {}",
                quoted(start, 60)
            ),
            HttpProblem::HeadTooLarge { limit } => write!(
                f,
                "the response head from {peer} is longer than {} KiB",
                limit / 1024
            ),
        }
    }
}

/// A TLS record header: an alert (21) or a handshake (22), version 3.x. A TLS
/// server that receives plain HTTP usually answers with an alert.
fn looks_like_tls(start: &[u8]) -> bool {
    matches!(start, [21 | 22, 3, ..])
}

/// `200 OK`: the code and its standard reason phrase (the server's own phrase
/// is not shown: it is the server's to fill, and the code says it all).
pub(crate) fn status_text(status: u16) -> String {
    match reason(status) {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

/// The reason phrases of the statuses health endpoints answer with (RFC
/// 9110 section 15).
fn reason(status: u16) -> Option<&'static str> {
    Some(match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}
