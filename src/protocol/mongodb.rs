//! MongoDB's readiness: the `hello` command (MongoDB 4.4.2 and later), the
//! first a driver sends and one that needs no login (`CmdHello` does not
//! require auth, `src/mongo/db/repl/replication_info.cpp`; the handshake in
//! mongodb/specifications `source/mongodb-handshake/handshake.md`).
//!
//! It goes as an `OP_MSG` (opcode 2013: a 16-byte header, flags, then one
//! section of kind 0, a BSON document) to the `admin` database, and the
//! answer is an `OP_MSG` whose document says:
//! - `ok`: 1, or 0 with `code` and `errmsg` (91 `ShutdownInProgress`);
//! - `isWritablePrimary`: a primary, a standalone server or a `mongos`;
//! - `secondary`: a secondary;
//! - `arbiterOnly`: an arbiter, which holds no data;
//! - `setName`: the replica set. A member of a set that is neither primary
//!   nor secondary is recovering, in initial sync (`STARTUP2`) or rolling
//!   back.

use std::fmt;

use super::{WireProblem, Words};
use crate::line::quoted;
use crate::setting::Names;

/// The request id the probe sends; the answer's `responseTo` is it.
const REQUEST_ID: [u8; 4] = *b"hp\0\x01";

/// `OP_MSG`.
const OP_MSG: [u8; 4] = 2013u32.to_le_bytes();

/// `hello` to `admin`: the header (length 52, the request id, no
/// `responseTo`, `OP_MSG`), no flags, and the document
/// `{hello: 1, $db: "admin"}`.
pub const REQUEST: [u8; 52] = {
    let mut request = [0u8; 52];
    let parts: [&[u8]; 6] = [
        &[52, 0, 0, 0],
        &REQUEST_ID,
        &[0, 0, 0, 0],
        &OP_MSG,
        &[0, 0, 0, 0, 0],
        b"\x1f\0\0\0\x10hello\0\x01\0\0\0\x02$db\0\x06\0\0\0admin\0\0",
    ];
    let (mut at, mut p) = (0, 0);
    while p < parts.len() {
        let mut i = 0;
        while i < parts[p].len() {
            request[at] = parts[p][i];
            (at, i) = (at + 1, i + 1);
        }
        p += 1;
    }
    request
};

/// The longest answer read: `hello` lists the set's hosts, a few KB.
pub const MAX_ANSWER: usize = 64 * 1024;

/// What a `hello` answer says of the member.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hello {
    pub ok: bool,
    pub writable_primary: bool,
    pub secondary: bool,
    pub arbiter: bool,
    /// The replica set's name, if the member is in one.
    pub set_name: Option<Vec<u8>>,
    /// `msg: "isdbgrid"`: a `mongos`.
    pub mongos: bool,
    pub code: Option<i64>,
    pub errmsg: Vec<u8>,
}

/// The answer once it is whole (`Ok(None)` while more is needed), read.
pub fn answer(bytes: &[u8]) -> Result<Option<Hello>, MongoProblem> {
    let foreign = || MongoProblem::Wire(WireProblem::foreign(bytes));
    // The header's `responseTo` and opcode, as far as they have come.
    let known: [&[u8]; 2] = [&REQUEST_ID, &OP_MSG];
    for (at, expected) in [8, 12].into_iter().zip(known) {
        let came = bytes.get(at..).unwrap_or_default();
        let came = &came[..came.len().min(4)];
        if came != &expected[..came.len()] {
            return Err(foreign());
        }
    }
    let Some(length) = bytes.get(..4) else {
        return Ok(None);
    };
    let length = u32::from_le_bytes([length[0], length[1], length[2], length[3]]) as usize;
    if length < 21 {
        return Err(foreign());
    }
    if length > MAX_ANSWER {
        let why =
            format!("an answer of {length} bytes, more than the {MAX_ANSWER} healthprobe reads");
        return Err(MongoProblem::Wire(WireProblem::Malformed { why }));
    }
    let Some(message) = bytes.get(..length) else {
        return Ok(None);
    };
    // The flags (a checksum may follow the sections), then a section of
    // kind 0: the document.
    if message[20] != 0 {
        return Err(MongoProblem::Wire(WireProblem::malformed(
            "an OP_MSG whose first section is not a document",
        )));
    }
    match document(&message[21..]) {
        Some(hello) => Ok(Some(hello)),
        None => Err(MongoProblem::Wire(WireProblem::malformed(
            "a hello answer that is not a BSON document",
        ))),
    }
}

/// Reads the top level of a BSON document (bsonspec.org): the members a
/// probe needs, every other stepped over by its type's size.
fn document(bytes: &[u8]) -> Option<Hello> {
    let length = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    let document = bytes.get(..length)?;
    let mut hello = Hello::default();
    let mut at = 4;
    loop {
        let kind = *document.get(at)?;
        if kind == 0 {
            return (at + 1 == length).then_some(hello);
        }
        let name_end = at + 1 + document.get(at + 1..)?.iter().position(|&b| b == 0)?;
        let name = &document[at + 1..name_end];
        let value = document.get(name_end + 1..)?;
        let int = |n: usize| {
            let mut bytes = [0u8; 8];
            bytes[..n].copy_from_slice(value.get(..n)?);
            Some(match n {
                4 => i64::from(i32::from_le_bytes(bytes[..4].try_into().ok()?)),
                _ => i64::from_le_bytes(bytes),
            })
        };
        let string = || {
            let n = usize::try_from(int(4)?).ok()?;
            value.get(4..4 + n.checked_sub(1)?)
        };
        let size = match kind {
            0x01 | 0x09 | 0x11 | 0x12 => 8,
            0x02 | 0x0D | 0x0E => 4 + usize::try_from(int(4)?).ok()?,
            0x03 | 0x04 | 0x0F => usize::try_from(int(4)?).ok()?,
            0x05 => 5 + usize::try_from(int(4)?).ok()?,
            0x06 | 0x0A | 0x7F | 0xFF => 0,
            0x07 => 12,
            0x08 => 1,
            0x10 => 4,
            0x13 => 16,
            0x0B => {
                let first = value.iter().position(|&b| b == 0)? + 1;
                first + value.get(first..)?.iter().position(|&b| b == 0)? + 1
            }
            0x0C => 4 + usize::try_from(int(4)?).ok()? + 12,
            _ => return None,
        };
        value.get(..size)?;
        let truthy = match kind {
            0x08 => value[0] != 0,
            0x01 => f64::from_le_bytes(value[..8].try_into().ok()?) == 1.0,
            0x10 => int(4)? == 1,
            0x12 => int(8)? == 1,
            _ => false,
        };
        match name {
            b"ok" => hello.ok = truthy,
            b"isWritablePrimary" | b"ismaster" => hello.writable_primary |= truthy,
            b"secondary" => hello.secondary = truthy,
            b"arbiterOnly" => hello.arbiter = truthy,
            b"setName" if kind == 0x02 => hello.set_name = Some(string()?.to_vec()),
            b"msg" if kind == 0x02 => hello.mongos = string()? == b"isdbgrid",
            b"code" if kind == 0x10 => hello.code = int(4),
            b"errmsg" if kind == 0x02 => hello.errmsg = string()?.to_vec(),
            _ => {}
        }
        at = name_end + 1 + size;
    }
}

/// What the member is, when it is ready: with `primary`, only a writable
/// primary (or a standalone server, or a `mongos`) is.
pub fn judge(hello: Hello, primary: bool) -> Result<Role, MongoProblem> {
    if !hello.ok {
        return Err(MongoProblem::Error {
            code: hello.code,
            errmsg: hello.errmsg,
        });
    }
    match hello {
        Hello { arbiter: true, .. } => Err(MongoProblem::Arbiter),
        Hello {
            writable_primary: true,
            mongos: true,
            ..
        } => Ok(Role::Mongos),
        Hello {
            writable_primary: true,
            set_name: Some(set),
            ..
        } => Ok(Role::Primary(set)),
        Hello {
            writable_primary: true,
            ..
        } => Ok(Role::Standalone),
        Hello {
            secondary: true,
            set_name,
            ..
        } => match primary {
            false => Ok(Role::Secondary(set_name.unwrap_or_default())),
            true => Err(MongoProblem::NotPrimary),
        },
        Hello { set_name, .. } => Err(MongoProblem::NotServing {
            set: set_name.unwrap_or_default(),
        }),
    }
}

/// What a ready member is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// The primary of the named set.
    Primary(Vec<u8>),
    /// A secondary of the named set.
    Secondary(Vec<u8>),
    Standalone,
    Mongos,
}

/// Why a MongoDB member is not ready, or not MongoDB.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MongoProblem {
    /// `ok: 0`: the error's code (91 is ShutdownInProgress) and message.
    #[non_exhaustive]
    Error {
        /// The error's code, when the answer gives one.
        code: Option<i64>,
        /// The error's message.
        errmsg: Vec<u8>,
    },
    /// An arbiter: it votes, and holds no data.
    Arbiter,
    /// A member of a set that is neither primary nor secondary:
    /// recovering, in initial sync (`STARTUP2`) or rolling back.
    #[non_exhaustive]
    NotServing {
        /// The set's name.
        set: Vec<u8>,
    },
    /// A secondary, where `readPreference=primary` asked for the primary.
    NotPrimary,
    /// Not this protocol, or broken.
    Wire(WireProblem),
}

impl Words for MongoProblem {
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        peer: &dyn fmt::Display,
        _names: &Names,
    ) -> fmt::Result {
        match self {
            MongoProblem::Wire(wire) => wire.write(f, peer, "MongoDB", "MongoDB's"),
            MongoProblem::Error { code, errmsg } => {
                write!(f, "hello answered ok: 0")?;
                if let Some(code) = code {
                    write!(f, ", code {code}")?;
                }
                write!(f, " ({}), from {peer}", quoted(errmsg, 160))
            }
            MongoProblem::Arbiter => write!(
                f,
                "{peer} is an arbiter: it votes and holds no data, so it serves no reads or writes"
            ),
            MongoProblem::NotServing { set } => write!(
                f,
                "{peer} is neither primary nor secondary of {}: recovering, in initial sync or rolling back",
                quoted(set, 80)
            ),
            MongoProblem::NotPrimary => write!(
                f,
                "{peer} is a secondary, and readPreference=primary asks for the primary"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An `OP_MSG` answer around `document`.
    fn reply(document: &[u8]) -> Vec<u8> {
        let mut answer = ((21 + document.len()) as u32).to_le_bytes().to_vec();
        answer.extend_from_slice(b"\x07\0\0\0");
        answer.extend_from_slice(&REQUEST_ID);
        answer.extend_from_slice(&OP_MSG);
        answer.extend_from_slice(&[0, 0, 0, 0, 0]);
        answer.extend_from_slice(document);
        answer
    }

    /// A BSON document of `elements` (type, name, value bytes).
    fn bson(elements: &[(u8, &str, &[u8])]) -> Vec<u8> {
        let mut body = Vec::new();
        for (kind, name, value) in elements {
            body.push(*kind);
            body.extend_from_slice(name.as_bytes());
            body.push(0);
            body.extend_from_slice(value);
        }
        let mut document = ((body.len() + 5) as u32).to_le_bytes().to_vec();
        document.extend_from_slice(&body);
        document.push(0);
        document
    }

    fn string(text: &str) -> Vec<u8> {
        let mut value = ((text.len() + 1) as u32).to_le_bytes().to_vec();
        value.extend_from_slice(text.as_bytes());
        value.push(0);
        value
    }

    #[test]
    fn the_request_is_hello_to_admin() {
        assert_eq!(u32::from_le_bytes(REQUEST[..4].try_into().unwrap()), 52);
        let hello = document(&REQUEST[21..]);
        assert!(hello.is_some());
    }

    #[test]
    fn a_primary_a_secondary_and_a_standalone_are_ready() {
        let one = 1.0f64.to_le_bytes();
        let rs0 = string("rs0");
        let primary = bson(&[
            (0x08, "isWritablePrimary", &[1]),
            (0x02, "setName", &rs0),
            (0x04, "hosts", &bson(&[(0x02, "0", &string("a:27017"))])),
            (0x07, "electionId", &[7; 12]),
            (0x01, "ok", &one),
        ]);
        let hello = answer(&reply(&primary)).unwrap().unwrap();
        assert_eq!(judge(hello, true), Ok(Role::Primary(b"rs0".to_vec())));
        let secondary = bson(&[
            (0x08, "isWritablePrimary", &[0]),
            (0x08, "secondary", &[1]),
            (0x02, "setName", &rs0),
            (0x01, "ok", &one),
        ]);
        let hello = answer(&reply(&secondary)).unwrap().unwrap();
        assert_eq!(
            judge(hello.clone(), false),
            Ok(Role::Secondary(b"rs0".to_vec()))
        );
        assert_eq!(judge(hello, true), Err(MongoProblem::NotPrimary));
        let standalone = bson(&[(0x08, "isWritablePrimary", &[1]), (0x01, "ok", &one)]);
        let hello = answer(&reply(&standalone)).unwrap().unwrap();
        assert_eq!(judge(hello, true), Ok(Role::Standalone));
    }

    #[test]
    fn arbiters_members_in_recovery_and_errors_are_not() {
        let one = 1.0f64.to_le_bytes();
        let rs0 = string("rs0");
        let arbiter = bson(&[
            (0x08, "arbiterOnly", &[1]),
            (0x02, "setName", &rs0),
            (0x01, "ok", &one),
        ]);
        let hello = answer(&reply(&arbiter)).unwrap().unwrap();
        assert_eq!(judge(hello, false), Err(MongoProblem::Arbiter));
        let recovering = bson(&[
            (0x08, "isWritablePrimary", &[0]),
            (0x08, "secondary", &[0]),
            (0x02, "setName", &rs0),
            (0x01, "ok", &one),
        ]);
        let hello = answer(&reply(&recovering)).unwrap().unwrap();
        assert_eq!(
            judge(hello, false),
            Err(MongoProblem::NotServing {
                set: b"rs0".to_vec()
            })
        );
        let shutdown = bson(&[
            (0x01, "ok", &0.0f64.to_le_bytes()),
            (
                0x02,
                "errmsg",
                &string("The server is in quiesce mode and will shut down"),
            ),
            (0x10, "code", &91i32.to_le_bytes()),
        ]);
        let hello = answer(&reply(&shutdown)).unwrap().unwrap();
        assert_eq!(
            judge(hello, false),
            Err(MongoProblem::Error {
                code: Some(91),
                errmsg: b"The server is in quiesce mode and will shut down".to_vec()
            })
        );
    }

    #[test]
    fn answers_are_read_once_whole_and_other_protocols_refused() {
        let standalone = reply(&bson(&[(0x01, "ok", &1.0f64.to_le_bytes())]));
        for end in 0..standalone.len() {
            assert_eq!(answer(&standalone[..end]), Ok(None), "{end} bytes");
        }
        for foreign in [
            &b"HTTP/1.1 400 Bad Request\r\n"[..],
            b"\x10\0\0\0\0\0\0\0xxxx",
        ] {
            assert!(
                matches!(
                    answer(foreign),
                    Err(MongoProblem::Wire(WireProblem::Foreign { .. }))
                ),
                "{foreign:?}"
            );
        }
        let mut huge = standalone.clone();
        huge[3] = 0x80;
        assert!(matches!(
            answer(&huge),
            Err(MongoProblem::Wire(WireProblem::Malformed { .. }))
        ));
        let mut broken = standalone;
        let last = broken.len() - 1;
        broken[last] = 7;
        assert!(matches!(
            answer(&broken),
            Err(MongoProblem::Wire(WireProblem::Malformed { .. }))
        ));
    }
}
