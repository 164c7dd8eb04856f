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
//! - with SASL (`-S`, or `-B binary`) it speaks only the binary protocol:
//!   it reads the first 24 bytes as a binary header, finds no binary magic,
//!   and closes without a word. The text request is 24 bytes long so that
//!   this happens at once. The probe then asks again on a new connection,
//!   in the binary protocol (`protocol_binary.h`): a binary `VERSION` needs
//!   no login even with SASL (`authenticated()` in `proto_bin.c`), and its
//!   answer is the verdict.
//!
//! Text comes first because it is what every memcached speaks: the binary
//! protocol is deprecated, refused with ASCII authentication and by
//! `-B ascii`, and not spoken by most proxies.

use std::fmt;

use super::{WireProblem, Words};
use crate::line::quoted;
use crate::setting::Names;

/// `version`, then `version` again and `quit`: 24 bytes, the size of a
/// binary header, so that a server that speaks only the binary protocol
/// closes at once rather than waiting for more. A text server answers the
/// first `version` and closes at `quit`.
pub const REQUEST: &[u8] = b"version\r\nversion\r\nquit\r\n";

/// The longest answer line read, and the longest binary answer's body.
pub const MAX_LINE: usize = 1024;

/// A binary `VERSION` (opcode 0x0b), then `QUITQ` (0x17), after which the
/// server closes without a word: two 24-byte headers with no body.
pub const BINARY_REQUEST: [u8; 48] = {
    let mut request = [0u8; 48];
    request[0] = 0x80;
    request[1] = 0x0b;
    request[24] = 0x80;
    request[25] = 0x17;
    request
};

/// The binary header's length.
const HEADER: usize = 24;

/// What the binary answer to `VERSION` says once it is whole: `Ok(None)`
/// while more is needed. Status 0 carries the version; any other status
/// is the server's error, with its message.
pub fn binary_answer(bytes: &[u8]) -> Result<Option<Version>, MemcachedProblem> {
    if bytes.first().is_some_and(|&magic| magic != 0x81)
        || bytes.get(1).is_some_and(|&op| op != 0x0b)
    {
        return Err(MemcachedProblem::Wire(WireProblem::foreign(bytes)));
    }
    let Some(header) = bytes.get(..HEADER) else {
        return Ok(None);
    };
    let length = u32::from_be_bytes([header[8], header[9], header[10], header[11]]) as usize;
    if length > MAX_LINE {
        let why = format!(
            "a binary answer of {length} bytes, more than the {MAX_LINE} healthprobe reads"
        );
        return Err(MemcachedProblem::Wire(WireProblem::Malformed { why }));
    }
    let Some(body) = bytes.get(HEADER..HEADER + length) else {
        return Ok(None);
    };
    match u16::from_be_bytes([header[6], header[7]]) {
        0 => Ok(Some(Version::Binary(body.to_vec()))),
        _ => Err(MemcachedProblem::Error {
            reply: body.to_vec(),
        }),
    }
}

/// The first answer line, without its CRLF, once it is whole: `Ok(None)`
/// while more is needed.
pub fn answer(bytes: &[u8]) -> Result<Option<&[u8]>, MemcachedProblem> {
    match super::crlf(bytes) {
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
    /// The version, in the binary protocol's answer.
    Binary(Vec<u8>),
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
    /// that speaks only the binary protocol (SASL, `-S`) does to a text
    /// request, and the probe then asks in the binary protocol.
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
            MemcachedProblem::Silent => {
                write!(f, "{peer} closed the connection without answering version")
            }
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

    #[test]
    fn binary_answers_are_judged_once_whole() {
        let mut answer = vec![0x81, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6];
        answer.extend_from_slice(&[0; 12]);
        answer.extend_from_slice(b"1.6.18");
        for end in 0..answer.len() {
            assert_eq!(binary_answer(&answer[..end]), Ok(None), "{end} bytes");
        }
        assert_eq!(
            binary_answer(&answer),
            Ok(Some(Version::Binary(b"1.6.18".to_vec())))
        );
        // A status other than 0 is the server's error, with its message.
        answer[7] = 0x20;
        assert_eq!(
            binary_answer(&answer),
            Err(MemcachedProblem::Error {
                reply: b"1.6.18".to_vec()
            })
        );
        answer[8] = 0x80;
        assert!(matches!(
            binary_answer(&answer),
            Err(MemcachedProblem::Wire(WireProblem::Malformed { .. }))
        ));
        for foreign in [&b"VERSION 1.6.18\r\n"[..], b"\x81\x00"] {
            assert!(matches!(
                binary_answer(foreign),
                Err(MemcachedProblem::Wire(WireProblem::Foreign { .. }))
            ));
        }
    }
}
