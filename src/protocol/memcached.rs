//! memcached's readiness: `version` answered `VERSION x.y.z` in the text
//! protocol (memcached's `protocol.txt`); `quit` follows, so that the
//! server closes the connection itself and a client that vanishes is never
//! its concern.
//!
//! What else a server says to `version` (`proto_text.c`, `memcached.c`):
//! - with ASCII authentication (`-Y`), `CLIENT_ERROR unauthenticated` to
//!   every command before a login: up, and it wants one;
//! - at its connection limit (`-c`), `ERROR Too many open connections`,
//!   then it closes: not ready;
//! - `SERVER_ERROR ...` (out of memory): not ready;
//! - with SASL (`-S`) it speaks only the binary protocol: it reads the
//!   first 24 bytes as a binary header, finds no binary magic, and closes
//!   without a word. The request is 24 bytes long so that this happens at
//!   once; the line then says why.

use std::fmt;

use super::{WireProblem, Words};
use crate::line::quoted;
use crate::setting::Names;

/// `version`, then `version` again and `quit`: 24 bytes, the size of a
/// binary header, so that a server that speaks only the binary protocol
/// closes at once rather than waiting for more. A text server answers the
/// first `version` and closes at `quit`.
pub const REQUEST: &[u8] = b"version\r\nversion\r\nquit\r\n";

/// The longest answer line read.
pub const MAX_LINE: usize = 1024;

/// The first answer line, without its CRLF, once it is whole: `Ok(None)`
/// while more is needed.
pub fn answer(bytes: &[u8]) -> Result<Option<&[u8]>, MemcachedProblem> {
    match bytes.windows(2).position(|w| w == b"\r\n") {
        Some(end) => Ok(Some(&bytes[..end])),
        None if bytes.len() > MAX_LINE || bytes.contains(&0) => {
            Err(MemcachedProblem::Wire(WireProblem::foreign(bytes)))
        }
        None => Ok(None),
    }
}

/// What a `version` answer says: the version, or that a login is needed;
/// anything else is the problem.
pub fn judge(line: &[u8]) -> Result<Version, MemcachedProblem> {
    if let Some(version) = line.strip_prefix(b"VERSION ") {
        return Ok(Version::Is(version.to_vec()));
    }
    if line == b"CLIENT_ERROR unauthenticated" {
        return Ok(Version::AuthRequired);
    }
    let known = [&b"ERROR"[..], b"SERVER_ERROR", b"CLIENT_ERROR"];
    let word = line.split(|&b| b == b' ').next().unwrap_or_default();
    if known.contains(&word) {
        return Err(MemcachedProblem::Error {
            reply: line.to_vec(),
        });
    }
    Err(MemcachedProblem::Wire(WireProblem::foreign(line)))
}

/// What a ready server said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Version {
    /// `VERSION x.y.z`: the version.
    Is(Vec<u8>),
    /// `CLIENT_ERROR unauthenticated`: up, with ASCII authentication on.
    AuthRequired,
}

/// Why a memcached server is not ready, or not memcached.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MemcachedProblem {
    /// `version` was answered with an error: `ERROR Too many open
    /// connections`, `SERVER_ERROR out of memory ...`.
    #[non_exhaustive]
    Error {
        /// The line, as sent.
        reply: Vec<u8>,
    },
    /// The server closed the connection without a word: what a memcached
    /// that speaks only the binary protocol (SASL, `-S`) does.
    Silent,
    /// Not this protocol, or broken.
    Wire(WireProblem),
}

impl Words for MemcachedProblem {
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        peer: &dyn fmt::Display,
        _names: &Names,
    ) -> fmt::Result {
        match self {
            MemcachedProblem::Wire(wire) => wire.write(f, peer, "memcached", "memcached's"),
            MemcachedProblem::Error { reply } => {
                write!(f, "version answered {}, from {peer}", quoted(reply, 160))
            }
            MemcachedProblem::Silent => write!(
                f,
                "{peer} closed the connection without answering version: a memcached with SASL (-S) speaks only the binary protocol, which healthprobe does not; check it with tcp://"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_is_as_long_as_a_binary_header() {
        assert_eq!(REQUEST.len(), 24);
    }

    #[test]
    fn answers_are_judged_once_whole() {
        assert_eq!(answer(b"VERSION 1.6"), Ok(None));
        assert_eq!(
            answer(b"VERSION 1.6.18\r\nVER"),
            Ok(Some(&b"VERSION 1.6.18"[..]))
        );
        assert!(answer(&[b'x'; MAX_LINE + 1]).is_err());
        assert_eq!(
            judge(b"VERSION 1.6.18"),
            Ok(Version::Is(b"1.6.18".to_vec()))
        );
        assert_eq!(
            judge(b"CLIENT_ERROR unauthenticated"),
            Ok(Version::AuthRequired)
        );
        assert_eq!(
            judge(b"ERROR Too many open connections"),
            Err(MemcachedProblem::Error {
                reply: b"ERROR Too many open connections".to_vec()
            })
        );
        assert_eq!(
            judge(b"SERVER_ERROR out of memory storing object"),
            Err(MemcachedProblem::Error {
                reply: b"SERVER_ERROR out of memory storing object".to_vec()
            })
        );
        assert!(matches!(
            judge(b"HTTP/1.1 400 Bad Request"),
            Err(MemcachedProblem::Wire(WireProblem::Foreign { .. }))
        ));
    }
}
