//! NATS's readiness (the client protocol, docs.nats.io "Client Protocol";
//! `server/client.go` and `server/parser.go` in nats-server):
//! - the server speaks first: `INFO {json}`, whose `auth_required` says
//!   whether a login is needed, `tls_required` whether TLS must follow, and
//!   `ldm` that it is in lame-duck mode, closing down;
//! - a full server follows its INFO with `-ERR 'maximum connections
//!   exceeded'` and closes;
//! - `CONNECT {json}` then `PING` is answered `PONG`, or `-ERR
//!   'Authorization Violation'` for a login it refuses;
//! - with a login required, any first operation but CONNECT is an
//!   authorization error: so `PING` alone shows that a server that wants a
//!   login has taken this connection.

use std::fmt;

use super::{WireProblem, Words};
use crate::line::quoted;
use crate::setting::Names;

/// The longest line read: an INFO lists the cluster's URLs.
pub const MAX_LINE: usize = 64 * 1024;

/// What the server's INFO says that a probe needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Info {
    /// The server's version, as it gives it.
    pub version: Vec<u8>,
    pub auth_required: bool,
    pub tls_required: bool,
    /// TLS is offered, not required (nats-server 2.10 and later).
    pub tls_available: bool,
    /// Lame-duck mode: the server is closing down.
    pub lame_duck: bool,
}

/// One operation the server sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Info(Info),
    Ping,
    Pong,
    Ok,
    /// `-ERR 'TEXT'`: the text, without its quotes.
    Err(Vec<u8>),
}

/// The first operation in `bytes` and the bytes after it, once its line is
/// whole: `Ok(None)` while more is needed.
pub fn op(bytes: &[u8]) -> Result<Option<(Op, &[u8])>, NatsProblem> {
    let foreign = || NatsProblem::Wire(WireProblem::foreign(bytes));
    let Some(end) = super::crlf(bytes) else {
        // A line that cannot be NATS's is refused before it is whole: every
        // operation begins with one of these.
        let first = bytes.first().map(u8::to_ascii_uppercase);
        if !matches!(first, None | Some(b'I' | b'P' | b'+' | b'-')) {
            return Err(foreign());
        }
        if bytes.len() > MAX_LINE {
            let why = "a line longer than the 65536 bytes healthprobe reads";
            return Err(NatsProblem::Wire(WireProblem::malformed(why)));
        }
        return Ok(None);
    };
    let (line, rest) = (&bytes[..end], &bytes[end + 2..]);
    // Operation names are case-insensitive: the first four bytes,
    // upper-cased, and what follows them.
    let mut verb = [0u8; 4];
    for (to, from) in verb.iter_mut().zip(line) {
        *to = from.to_ascii_uppercase();
    }
    let args = line.get(4..).unwrap_or_default().trim_ascii();
    let op = match (&verb, args.is_empty()) {
        (b"INFO", false) => Op::Info(info(args)?),
        (b"PING", true) => Op::Ping,
        (b"PONG", true) => Op::Pong,
        (b"+OK\0", true) => Op::Ok,
        (b"-ERR", _) => {
            let text = args.strip_prefix(b"'").unwrap_or(args);
            Op::Err(text.strip_suffix(b"'").unwrap_or(text).to_vec())
        }
        _ => return Err(foreign()),
    };
    Ok(Some((op, rest)))
}

/// Reads an INFO's JSON object: the members a probe needs, each at the top
/// level; the others are skipped whatever they hold.
fn info(json: &[u8]) -> Result<Info, NatsProblem> {
    members(json).ok_or_else(|| {
        NatsProblem::Wire(WireProblem::malformed("an INFO that is not a JSON object"))
    })
}

/// One pass over the object: a string at depth 1 just after `{` or `,` is
/// a member's name, and what follows its `:` its value; strings, nested
/// objects and arrays are stepped over whatever they hold.
fn members(json: &[u8]) -> Option<Info> {
    let mut info = Info::default();
    let mut rest = json.trim_ascii().strip_prefix(b"{")?;
    let (mut depth, mut name_next) = (1usize, true);
    while let Some((&b, after)) = rest.split_first() {
        rest = after;
        match b {
            b'"' => {
                let (text, after) = string(rest)?;
                rest = after;
                if depth == 1 && name_next {
                    name_next = false;
                    let value = rest.trim_ascii_start().strip_prefix(b":")?;
                    let value = value.trim_ascii_start();
                    let flag = value.starts_with(b"true");
                    match text {
                        b"version" => info.version = string(value.strip_prefix(b"\"")?)?.0.to_vec(),
                        b"auth_required" => info.auth_required = flag,
                        b"tls_required" => info.tls_required = flag,
                        b"tls_available" => info.tls_available = flag,
                        b"ldm" => info.lame_duck = flag,
                        _ => {}
                    }
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    // The object ends the INFO.
                    return rest.is_empty().then_some(info);
                }
            }
            b',' => name_next = depth == 1,
            _ => {}
        }
    }
    None
}

/// The string that starts `text` (after its opening quote), as it is
/// written, and the bytes after its closing quote.
fn string(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut i = 0;
    loop {
        match text.get(i)? {
            b'"' => return Some((&text[..i], &text[i + 1..])),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

/// How a probe logs in: with a user and its password, or a token (a URL's
/// user with no password, as NATS clients read `nats://TOKEN@HOST`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Login<'a> {
    None,
    User(&'a str, &'a str),
    Token(&'a str),
}

/// `CONNECT {json}` with the login and what the connection is, then
/// `PING`: one write.
pub fn connect(login: Login<'_>, tls: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(160);
    out.extend_from_slice(b"CONNECT {\"verbose\":false,\"pedantic\":false,\"tls_required\":");
    out.extend_from_slice(if tls { b"true" } else { b"false" });
    out.extend_from_slice(
        concat!(
            ",\"name\":\"healthprobe\",\"lang\":\"rust\",\"version\":\"",
            env!("CARGO_PKG_VERSION"),
            "\",\"protocol\":0"
        )
        .as_bytes(),
    );
    match login {
        Login::None => {}
        Login::User(user, pass) => {
            out.extend_from_slice(b",\"user\":");
            json_string(&mut out, user);
            out.extend_from_slice(b",\"pass\":");
            json_string(&mut out, pass);
        }
        Login::Token(token) => {
            out.extend_from_slice(b",\"auth_token\":");
            json_string(&mut out, token);
        }
    }
    out.extend_from_slice(b"}\r\nPING\r\n");
    out
}

/// `text` as a JSON string.
fn json_string(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    for &b in text.as_bytes() {
        match b {
            b'"' | b'\\' => out.extend_from_slice(&[b'\\', b]),
            0..0x20 => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 15)],
            ]),
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

/// Why a NATS server is not ready, or not NATS.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NatsProblem {
    /// The server sent `-ERR`: `maximum connections exceeded`, or another
    /// error.
    #[non_exhaustive]
    Error {
        /// The error's text.
        reply: Vec<u8>,
    },
    /// The login in the URL was refused (`Authorization Violation`).
    #[non_exhaustive]
    Auth {
        /// The error's text.
        reply: Vec<u8>,
    },
    /// The server is in lame-duck mode: closing down.
    LameDuck,
    /// `tls://` asked for TLS, and the server offers none.
    NoTls,
    /// TLS is required, and this build has none.
    TlsLeftOut,
    /// Not this protocol, or broken.
    Wire(WireProblem),
}

impl Words for NatsProblem {
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        peer: &dyn fmt::Display,
        _names: &Names,
    ) -> fmt::Result {
        match self {
            NatsProblem::Wire(wire) => wire.write(f, peer, "NATS", "NATS's"),
            NatsProblem::Error { reply } => write!(f, "-ERR {}, from {peer}", quoted(reply, 160)),
            NatsProblem::Auth { reply } => {
                write!(f, "login refused: {}, from {peer}", quoted(reply, 160))
            }
            NatsProblem::LameDuck => write!(f, "in lame-duck mode (closing down), says {peer}"),
            NatsProblem::NoTls => write!(
                f,
                "tls:// asks for TLS, and {peer} offers none (its INFO says neither tls_required nor tls_available)"
            ),
            NatsProblem::TlsLeftOut => write!(
                f,
                "{peer} requires TLS, which this build leaves out (built without the tls feature)"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INFO: &[u8] = b"INFO {\"server_id\":\"NAXC6\",\"version\":\"2.9.10\",\"proto\":1,\"headers\":true,\"auth_required\":true,\"max_payload\":1048576,\"connect_urls\":[\"10.0.0.1:4222\",\"{\\\"x\\\"]\"],\"nested\":{\"ldm\":true}} \r\n-ERR 'maximum connections exceeded'\r\n";

    #[test]
    fn an_info_says_what_the_probe_needs_and_nothing_nested_counts() {
        let (first, rest) = op(INFO).unwrap().unwrap();
        let Op::Info(info) = first else {
            panic!("{first:?}")
        };
        assert_eq!(
            info,
            Info {
                version: b"2.9.10".to_vec(),
                auth_required: true,
                ..Info::default()
            }
        );
        assert_eq!(
            op(rest),
            Ok(Some((
                Op::Err(b"maximum connections exceeded".to_vec()),
                &b""[..]
            )))
        );
        let ldm = b"INFO {\"ldm\":true,\"tls_required\":true}\r\n";
        let Some((Op::Info(info), _)) = op(ldm).unwrap() else {
            panic!()
        };
        assert!(info.lame_duck && info.tls_required);
    }

    #[test]
    fn lines_are_read_once_whole_and_other_protocols_refused() {
        assert_eq!(op(b"INFO {\"a\":1"), Ok(None));
        assert_eq!(op(b"PONG\r\n"), Ok(Some((Op::Pong, &b""[..]))));
        assert_eq!(op(b"+OK\r\nPONG\r\n"), Ok(Some((Op::Ok, &b"PONG\r\n"[..]))));
        for foreign in [
            &b"HTTP/1.1 400 Bad Request\r\n"[..],
            b"\x16\x03\x01",
            b"VERSION 1.6.18\r\n",
        ] {
            assert!(
                matches!(
                    op(foreign),
                    Err(NatsProblem::Wire(WireProblem::Foreign { .. }))
                ),
                "{foreign:?}"
            );
        }
        for broken in [&b"INFO {\r\n"[..], b"INFO [1]\r\n", b"INFO {\"a\" 1}\r\n"] {
            assert!(
                matches!(
                    op(broken),
                    Err(NatsProblem::Wire(WireProblem::Malformed { .. }))
                ),
                "{broken:?}"
            );
        }
    }

    #[test]
    fn connect_escapes_the_login() {
        let connect = connect(Login::User("app", "p\"w\\\n"), false);
        let text = String::from_utf8(connect).unwrap();
        assert!(text.starts_with("CONNECT {\"verbose\":false,"), "{text}");
        assert!(
            text.ends_with(",\"user\":\"app\",\"pass\":\"p\\\"w\\\\\\u000a\"}\r\nPING\r\n"),
            "{text}"
        );
        let token = String::from_utf8(super::connect(Login::Token("t"), true)).unwrap();
        assert!(token.contains("\"tls_required\":true") && token.contains("\"auth_token\":\"t\""));
    }
}
