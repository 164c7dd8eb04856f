//! Cassandra's and Scylla's readiness: the CQL native protocol's handshake
//! (`doc/native_protocol_v4.spec` and `_v5.spec` in apache/cassandra),
//! which comes before any login: `OPTIONS`, answered `SUPPORTED` (§4.1.3,
//! §4.2.4), then `STARTUP` with `CQL_VERSION` 3.0.0 (§4.1.1), answered
//! `READY` (§4.2.2) or, when the server wants a login, `AUTHENTICATE`
//! (§4.2.3). Both answers mean CQL is served.
//!
//! Every frame has a 9-byte header (§2): the version (the high bit set in a
//! response), flags, a stream id, the opcode and the body's length. The
//! handshake keeps this framing in version 5 too: v5's segments begin only
//! after `READY` or `AUTHENTICATE` (`native_protocol_v5.spec` §2.2).
//!
//! A server that does not speak the version asked answers `OPTIONS` with a
//! protocol error (0x000A): the probe asks again, one version lower, on a
//! new connection, from 5 down to 3, as the drivers negotiate. An `ERROR`
//! to `STARTUP` is the verdict: `Overloaded` (0x1001) and
//! `Is_bootstrapping` (0x1002) are not ready, nor is anything else.

use std::fmt;

use super::{WireProblem, Words};
use crate::line::quoted;
use crate::setting::Names;

/// The highest version asked first, and the lowest asked at all.
pub const NEWEST: u8 = 5;
pub const OLDEST: u8 = 3;

/// The most of a frame read: `SUPPORTED` lists a few options.
pub const MAX_FRAME: usize = 16 * 1024;

/// The frame header's length.
pub const HEADER: usize = 9;

/// `OPTIONS` in `version`, stream 0, with no body.
pub fn options(version: u8) -> [u8; HEADER] {
    [version, 0, 0, 0, 0x05, 0, 0, 0, 0]
}

/// `STARTUP` in `version`, stream 1: the string map `{CQL_VERSION: 3.0.0}`.
pub fn startup(version: u8) -> [u8; HEADER + 22] {
    let mut frame = [0u8; HEADER + 22];
    frame[..HEADER].copy_from_slice(&[version, 0, 0, 1, 0x01, 0, 0, 0, 22]);
    frame[HEADER..].copy_from_slice(b"\0\x01\0\x0bCQL_VERSION\0\x053.0.0");
    frame
}

/// A whole frame from the server: its opcode and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub opcode: u8,
    pub body: Vec<u8>,
}

/// The first frame in `bytes` once it is whole (`Ok(None)` while more is
/// needed); another protocol's answer is known by its first byte.
pub fn frame(bytes: &[u8]) -> Result<Option<Frame>, CassandraProblem> {
    // A response's version: the high bit, and a version CQL has had.
    if let Some(&first) = bytes.first() {
        if first & 0x80 == 0 || !(1..=6).contains(&(first & 0x7f)) {
            return Err(CassandraProblem::Wire(WireProblem::foreign(bytes)));
        }
    }
    // An opcode CQL has (0x00 to 0x10).
    if bytes.get(4).is_some_and(|&opcode| opcode > 0x10) {
        return Err(CassandraProblem::Wire(WireProblem::foreign(bytes)));
    }
    let Some(header) = bytes.get(..HEADER) else {
        return Ok(None);
    };
    let length = u32::from_be_bytes([header[5], header[6], header[7], header[8]]) as usize;
    if length > MAX_FRAME {
        let why = format!("a frame of {length} bytes, more than the {MAX_FRAME} healthprobe reads");
        return Err(CassandraProblem::Wire(WireProblem::Malformed { why }));
    }
    Ok(bytes.get(HEADER..HEADER + length).map(|body| Frame {
        opcode: header[4],
        body: body.to_vec(),
    }))
}

/// What `STARTUP` was answered with, when CQL is served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Started {
    /// `READY`.
    Ready,
    /// `AUTHENTICATE`, with the authenticator's class name.
    Authenticate(Vec<u8>),
}

/// The answer to `OPTIONS`: `SUPPORTED` lets the handshake go on.
pub fn supported(frame: &Frame) -> Result<(), CassandraProblem> {
    match frame.opcode {
        0x06 => Ok(()),
        0x00 => match error(&frame.body)? {
            (PROTOCOL_ERROR, message) => Err(CassandraProblem::Version { message }),
            (code, message) => Err(CassandraProblem::Error { code, message }),
        },
        opcode => Err(unexpected("OPTIONS", opcode)),
    }
}

/// The answer to `STARTUP`: the verdict.
pub fn started(frame: &Frame) -> Result<Started, CassandraProblem> {
    match frame.opcode {
        0x02 => Ok(Started::Ready),
        0x03 => Ok(Started::Authenticate(string(&frame.body)?.to_vec())),
        0x00 => {
            let (code, message) = error(&frame.body)?;
            Err(CassandraProblem::Error { code, message })
        }
        opcode => Err(unexpected("STARTUP", opcode)),
    }
}

/// Protocol error: what a server says to a version it does not speak.
const PROTOCOL_ERROR: u32 = 0x000A;

/// An `ERROR` body: its code and message (§4.2.1).
fn error(body: &[u8]) -> Result<(u32, Vec<u8>), CassandraProblem> {
    let Some(code) = body.get(..4) else {
        return Err(CassandraProblem::Wire(WireProblem::malformed(
            "an ERROR frame without its code",
        )));
    };
    let code = u32::from_be_bytes([code[0], code[1], code[2], code[3]]);
    Ok((code, string(&body[4..])?.to_vec()))
}

/// A `[string]`: a 2-byte length, then the bytes.
fn string(body: &[u8]) -> Result<&[u8], CassandraProblem> {
    let length = body
        .get(..2)
        .map(|n| usize::from(u16::from_be_bytes([n[0], n[1]])));
    match length.and_then(|n| body.get(2..2 + n)) {
        Some(text) => Ok(text),
        None => Err(CassandraProblem::Wire(WireProblem::malformed(
            "a string longer than its frame",
        ))),
    }
}

fn unexpected(request: &str, opcode: u8) -> CassandraProblem {
    let why = format!("{request} answered with opcode 0x{opcode:02X}");
    CassandraProblem::Wire(WireProblem::Malformed { why })
}

/// Why a Cassandra or Scylla node is not ready, or not CQL.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CassandraProblem {
    /// An `ERROR` frame: `Overloaded` (0x1001), `Is_bootstrapping`
    /// (0x1002), a server error, ...
    #[non_exhaustive]
    Error {
        /// The error's code (§9).
        code: u32,
        /// Its message, as sent.
        message: Vec<u8>,
    },
    /// A protocol error to `OPTIONS`: the version asked is not spoken (at
    /// version 3, the last asked, the verdict).
    #[non_exhaustive]
    Version {
        /// The server's message.
        message: Vec<u8>,
    },
    /// Not this protocol, or broken.
    Wire(WireProblem),
}

impl Words for CassandraProblem {
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        peer: &dyn fmt::Display,
        _names: &Names,
    ) -> fmt::Result {
        match self {
            CassandraProblem::Wire(wire) => wire.write(f, peer, "CQL", "CQL's"),
            CassandraProblem::Error { code, message } => {
                let name = match code {
                    0x0000 => " (server error)",
                    0x1001 => " (overloaded)",
                    0x1002 => " (bootstrapping)",
                    _ => "",
                };
                write!(
                    f,
                    "error 0x{code:04X}{name} from {peer}: {}",
                    quoted(message, 160)
                )
            }
            CassandraProblem::Version { message } => write!(
                f,
                "{peer} speaks none of the protocol versions 5 to 3: {}",
                quoted(message, 160)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A response frame in version 4 with `opcode` and `body`.
    fn response(opcode: u8, body: &[u8]) -> Vec<u8> {
        let mut frame = vec![0x84, 0, 0, 1, opcode];
        frame.extend_from_slice(&(body.len() as u32).to_be_bytes());
        frame.extend_from_slice(body);
        frame
    }

    fn error_body(code: u32, message: &str) -> Vec<u8> {
        let mut body = code.to_be_bytes().to_vec();
        body.extend_from_slice(&(message.len() as u16).to_be_bytes());
        body.extend_from_slice(message.as_bytes());
        body
    }

    #[test]
    fn the_requests_are_as_the_spec_writes_them() {
        assert_eq!(options(4), [4, 0, 0, 0, 5, 0, 0, 0, 0]);
        let startup = startup(5);
        assert_eq!(startup[0], 5);
        assert_eq!(startup[4], 0x01);
        assert_eq!(
            u32::from_be_bytes(startup[5..9].try_into().unwrap()) as usize,
            startup.len() - HEADER
        );
    }

    #[test]
    fn frames_are_judged_once_whole() {
        let ready = response(0x02, b"");
        for end in 0..ready.len() {
            assert_eq!(frame(&ready[..end]), Ok(None), "{end} bytes");
        }
        let ready = frame(&ready).unwrap().unwrap();
        assert_eq!(started(&ready), Ok(Started::Ready));
        let auth = b"\0\x2forg.apache.cassandra.auth.PasswordAuthenticator";
        let auth = frame(&response(0x03, auth)).unwrap().unwrap();
        assert_eq!(
            started(&auth),
            Ok(Started::Authenticate(
                b"org.apache.cassandra.auth.PasswordAuthenticator".to_vec()
            ))
        );
        let overloaded = frame(&response(0x00, &error_body(0x1001, "busy")))
            .unwrap()
            .unwrap();
        assert_eq!(
            started(&overloaded),
            Err(CassandraProblem::Error {
                code: 0x1001,
                message: b"busy".to_vec()
            })
        );
        let version = error_body(0x000A, "Invalid or unsupported protocol version (5)");
        let version = frame(&response(0x00, &version)).unwrap().unwrap();
        assert!(matches!(
            supported(&version),
            Err(CassandraProblem::Version { .. })
        ));
        let supported_frame = frame(&response(0x06, b"\0\0")).unwrap().unwrap();
        assert_eq!(supported(&supported_frame), Ok(()));
    }

    #[test]
    fn broken_and_foreign_frames_are_known() {
        for foreign in [&b"HTTP/1.1 400"[..], b"\x04\0\0\0\x02", b"\x84\0\0\0\x7f"] {
            assert!(
                matches!(
                    frame(foreign),
                    Err(CassandraProblem::Wire(WireProblem::Foreign { .. }))
                ),
                "{foreign:?}"
            );
        }
        assert!(matches!(
            frame(b"\x84\0\0\0\x02\x80\0\0\0"),
            Err(CassandraProblem::Wire(WireProblem::Malformed { .. }))
        ));
        let short = frame(&response(0x00, b"\0\0")).unwrap().unwrap();
        assert!(matches!(
            started(&short),
            Err(CassandraProblem::Wire(WireProblem::Malformed { .. }))
        ));
        let result = frame(&response(0x08, b"")).unwrap().unwrap();
        assert!(matches!(
            started(&result),
            Err(CassandraProblem::Wire(WireProblem::Malformed { .. }))
        ));
    }
}
