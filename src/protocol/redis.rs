//! Redis's readiness: `PING` answered `+PONG`, after `AUTH` when the URL
//! has a password. A server loading its dataset (`-LOADING`), running a
//! long script (`-BUSY`) or a replica without its master (`-MASTERDOWN`) is
//! up but not ready, where `redis-cli ping` would still exit 0; `-NOAUTH`
//! without a password means the server is up and wants a login.
//!
//! Commands are RESP arrays of bulk strings; a reply to either command is
//! one line, `+` for a status or `-` for an error (redis.io, "Redis
//! serialization protocol specification").

use std::fmt;

use super::{WireProblem, Words};
use crate::line::quoted;
use crate::setting::Names;

/// The longest reply line read: PONG, OK, or an error's sentence.
pub const MAX_REPLY: usize = 4 * 1024;

/// A command as a RESP array of bulk strings.
pub fn command(args: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + args.iter().map(|a| a.len() + 16).sum::<usize>());
    out.push(b'*');
    out.extend_from_slice(args.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    for arg in args {
        out.push(b'$');
        out.extend_from_slice(arg.len().to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// One reply line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// `+TEXT`.
    Status(Vec<u8>),
    /// `-TEXT`: its first word is the error's code, as in `LOADING`.
    Error(Vec<u8>),
}

impl Reply {
    /// The error's code: its first word.
    pub fn code(&self) -> &[u8] {
        let (Reply::Status(text) | Reply::Error(text)) = self;
        text.split(|&b| b == b' ').next().unwrap_or_default()
    }
}

/// The first reply in `bytes` and the bytes after it, once it is whole:
/// `Ok(None)` while more is needed.
pub fn reply(bytes: &[u8]) -> Result<Option<(Reply, &[u8])>, RedisProblem> {
    let Some(&kind) = bytes.first() else {
        return Ok(None);
    };
    if !matches!(kind, b'+' | b'-') {
        return Err(RedisProblem::Wire(WireProblem::foreign(bytes)));
    }
    let Some(end) = super::crlf(bytes) else {
        if bytes.len() > MAX_REPLY {
            let why = format!("a reply longer than the {MAX_REPLY} bytes healthprobe reads");
            return Err(RedisProblem::Wire(WireProblem::Malformed { why }));
        }
        return Ok(None);
    };
    let text = bytes[1..end].to_vec();
    let rest = &bytes[end + 2..];
    Ok(Some(match kind {
        b'+' => (Reply::Status(text), rest),
        _ => (Reply::Error(text), rest),
    }))
}

/// Why a Redis server is not ready, or not Redis.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedisProblem {
    /// `PING` was answered with an error: `LOADING`, `BUSY`, `MASTERDOWN`.
    #[non_exhaustive]
    Error {
        /// The error, as in `LOADING Redis is loading the dataset in memory`.
        reply: Vec<u8>,
    },
    /// `AUTH` was refused: `WRONGPASS`, or a password the server does not
    /// have.
    #[non_exhaustive]
    Auth {
        /// The error.
        reply: Vec<u8>,
    },
    /// `PING` was answered, but not with `PONG`.
    #[non_exhaustive]
    NotPong {
        /// The status it answered.
        reply: Vec<u8>,
    },
    /// Not this protocol, or broken.
    Wire(WireProblem),
}

impl Words for RedisProblem {
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        peer: &dyn fmt::Display,
        _names: &Names,
    ) -> fmt::Result {
        match self {
            RedisProblem::Wire(wire) => wire.write(f, peer, "Redis", "Redis's"),
            RedisProblem::Error { reply } => {
                write!(f, "PING answered {}, from {peer}", quoted(reply, 160))
            }
            RedisProblem::Auth { reply } => {
                write!(f, "AUTH refused: {}, from {peer}", quoted(reply, 160))
            }
            RedisProblem::NotPong { reply } => write!(
                f,
                "PING answered {}, not PONG, from {peer}",
                quoted(reply, 60)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_arrays_of_bulk_strings() {
        assert_eq!(command(&[b"PING"]), b"*1\r\n$4\r\nPING\r\n");
        assert_eq!(
            command(&[b"AUTH", b"app", b"s3cr\r\net"]),
            b"*3\r\n$4\r\nAUTH\r\n$3\r\napp\r\n$8\r\ns3cr\r\net\r\n"
        );
    }

    #[test]
    fn replies_are_read_once_whole() {
        assert_eq!(reply(b""), Ok(None));
        assert_eq!(reply(b"+PON"), Ok(None));
        assert_eq!(
            reply(b"+PONG\r\n+OK"),
            Ok(Some((Reply::Status(b"PONG".to_vec()), &b"+OK"[..])))
        );
        let (loading, _) = reply(b"-LOADING Redis is loading the dataset in memory\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(loading.code(), b"LOADING");
        assert!(matches!(
            reply(b"HTTP/1.1 400"),
            Err(RedisProblem::Wire(WireProblem::Foreign { .. }))
        ));
        let endless = vec![b'+'; MAX_REPLY + 2];
        assert!(matches!(
            reply(&endless),
            Err(RedisProblem::Wire(WireProblem::Malformed { .. }))
        ));
    }
}
