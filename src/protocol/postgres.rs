//! PostgreSQL's readiness, as `pg_isready` (libpq's `PQping`) judges it:
//! a StartupMessage (protocol 3.0) for a user and a database, and the first
//! whole message that comes back. Any authentication request (`R`), or an
//! error with any SQLSTATE but 57P03, means the server accepts connections;
//! 57P03 (`cannot_connect_now`: starting up, shutting down, in recovery)
//! means it does not yet. No password is ever sent.
//!
//! The messages are the PostgreSQL documentation's "Message Formats"
//! (protocol 3.0): a type byte, an Int32 length that counts itself, a body.

use std::fmt;

use super::{WireProblem, Words};
use crate::line::quoted;
use crate::setting::Names;

/// The most bytes of the first answer read: an ErrorResponse is a few
/// hundred, an authentication request a few dozen.
pub const MAX_MESSAGE: usize = 8 * 1024;
/// The SQLSTATE of a server that is not accepting connections yet.
pub const CANNOT_CONNECT_NOW: &str = "57P03";
/// Terminate: the polite goodbye after AuthenticationOk, so that the server
/// logs no lost connection.
pub const TERMINATE: [u8; 5] = [b'X', 0, 0, 0, 4];

/// The StartupMessage for `user` and `database`, protocol 3.0 (196608).
pub fn startup(user: &str, database: &str) -> Vec<u8> {
    let mut body = Vec::with_capacity(64 + user.len() + database.len());
    body.extend_from_slice(&196_608u32.to_be_bytes());
    for (name, value) in [
        ("user", user),
        ("database", database),
        ("application_name", "healthprobe"),
    ] {
        body.extend_from_slice(name.as_bytes());
        body.push(0);
        body.extend_from_slice(value.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut message = Vec::with_capacity(body.len() + 4);
    message.extend_from_slice(&(body.len() as u32 + 4).to_be_bytes());
    message.extend_from_slice(&body);
    message
}

/// What a PostgreSQL server answered first.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Answer {
    /// An authentication request: accepting connections. `0` is
    /// AuthenticationOk (the user is trusted); others ask for a password.
    Authentication(u32),
    /// An ErrorResponse.
    #[non_exhaustive]
    Error {
        /// The `C` field.
        sqlstate: String,
        /// The `M` field.
        message: Vec<u8>,
    },
}

/// The first message in `bytes`, once it is whole: `Ok(None)` while more
/// is needed, an error when it is not a message a PostgreSQL server sends
/// first.
pub fn first_answer(bytes: &[u8]) -> Result<Option<Answer>, PostgresProblem> {
    let Some((&kind, rest)) = bytes.split_first() else {
        return Ok(None);
    };
    if !matches!(kind, b'R' | b'E') {
        return Err(PostgresProblem::Wire(WireProblem::foreign(bytes)));
    }
    let Some(length) = rest.first_chunk::<4>() else {
        return Ok(None);
    };
    let length = u32::from_be_bytes(*length) as usize;
    if length < 4 {
        let why = format!("a message whose length is {length}, less than its own 4 bytes");
        return Err(PostgresProblem::Wire(WireProblem::Malformed { why }));
    }
    if length > MAX_MESSAGE {
        let why =
            format!("a message of {length} bytes, more than the {MAX_MESSAGE} healthprobe reads");
        return Err(PostgresProblem::Wire(WireProblem::Malformed { why }));
    }
    let Some(body) = rest.get(4..length) else {
        return Ok(None);
    };
    match kind {
        b'R' => match body.first_chunk::<4>() {
            Some(code) => Ok(Some(Answer::Authentication(u32::from_be_bytes(*code)))),
            None => Err(PostgresProblem::Wire(WireProblem::Malformed {
                why: "an authentication request without its code".to_owned(),
            })),
        },
        _ => error_fields(body),
    }
}

/// The fields of an ErrorResponse: a type byte and a NUL-terminated string
/// each, ended by a NUL.
fn error_fields(mut body: &[u8]) -> Result<Option<Answer>, PostgresProblem> {
    let mut sqlstate = None;
    let mut message = Vec::new();
    loop {
        let Some((&field, rest)) = body.split_first() else {
            return Err(PostgresProblem::Wire(WireProblem::Malformed {
                why: "an error without its terminator".to_owned(),
            }));
        };
        if field == 0 {
            break;
        }
        let Some(end) = rest.iter().position(|&b| b == 0) else {
            return Err(PostgresProblem::Wire(WireProblem::Malformed {
                why: "an error field without its end".to_owned(),
            }));
        };
        let value = &rest[..end];
        match field {
            b'C' => sqlstate = Some(String::from_utf8_lossy(value).into_owned()),
            b'M' => message = value.to_vec(),
            _ => {}
        }
        body = &rest[end + 1..];
    }
    match sqlstate {
        Some(sqlstate) => Ok(Some(Answer::Error { sqlstate, message })),
        None => Err(PostgresProblem::Wire(WireProblem::Malformed {
            why: "an error without a SQLSTATE".to_owned(),
        })),
    }
}

/// Why a PostgreSQL server is not ready, or not PostgreSQL.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PostgresProblem {
    /// SQLSTATE 57P03: the server is starting up, shutting down or in
    /// recovery, and rejects connections, as `pg_isready` says.
    #[non_exhaustive]
    Rejecting {
        /// The server's message, as in `the database system is starting up`.
        message: Vec<u8>,
    },
    /// Not this protocol, or broken.
    Wire(WireProblem),
}

impl Words for PostgresProblem {
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        peer: &dyn fmt::Display,
        _names: &Names,
    ) -> fmt::Result {
        match self {
            PostgresProblem::Wire(wire) => wire.write(f, peer, "PostgreSQL", "PostgreSQL's"),
            PostgresProblem::Rejecting { message } => write!(
                f,
                "rejecting connections ({CANNOT_CONNECT_NOW} {}), from {peer}",
                quoted(message, 160)
            ),
        }
    }
}

/// How a ready server answered, for the line.
pub fn accepted(answer: &Answer) -> String {
    match answer {
        Answer::Authentication(0) => "accepting connections (trusted)".to_owned(),
        Answer::Authentication(code) => {
            let how = match code {
                3 => "a password",
                5 => "an MD5 password",
                10 => "SASL (SCRAM)",
                7 | 8 => "GSSAPI",
                9 => "SSPI",
                _ => "authentication",
            };
            format!("accepting connections (it asks for {how})")
        }
        Answer::Error { sqlstate, message } => format!(
            "accepting connections (it refused this login: {sqlstate} {})",
            quoted(message, 120)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_startup_message_names_the_user_and_database() {
        let message = startup("postgres", "app");
        assert_eq!(&message[..4], &(message.len() as u32).to_be_bytes());
        assert_eq!(&message[4..8], &[0, 3, 0, 0]);
        assert!(
            message.ends_with(b"user\0postgres\0database\0app\0application_name\0healthprobe\0\0")
        );
    }

    #[test]
    fn answers_are_read_once_whole() {
        assert_eq!(first_answer(b""), Ok(None));
        assert_eq!(first_answer(b"R\0\0"), Ok(None));
        assert_eq!(first_answer(b"R\0\0\0\x08\0\0"), Ok(None));
        assert_eq!(
            first_answer(b"R\0\0\0\x08\0\0\0\x05"),
            Ok(Some(Answer::Authentication(5)))
        );
        let mut error =
            b"E\0\0\0\0SFATAL\0C57P03\0Mthe database system is starting up\0\0".to_vec();
        let length = (error.len() as u32 - 1).to_be_bytes();
        error[1..5].copy_from_slice(&length);
        assert_eq!(first_answer(&error[..error.len() - 1]), Ok(None));
        assert_eq!(
            first_answer(&error),
            Ok(Some(Answer::Error {
                sqlstate: "57P03".into(),
                message: b"the database system is starting up".to_vec()
            }))
        );
    }

    #[test]
    fn what_no_server_sends_first_is_a_problem() {
        assert!(matches!(
            first_answer(b"HTTP/1.1 400"),
            Err(PostgresProblem::Wire(WireProblem::Foreign { .. }))
        ));
        assert!(matches!(
            first_answer(b"R\x80\0\0\0"),
            Err(PostgresProblem::Wire(WireProblem::Malformed { .. }))
        ));
        assert!(matches!(
            first_answer(b"R\0\0\0\x04"),
            Err(PostgresProblem::Wire(WireProblem::Malformed { .. }))
        ));
        assert!(matches!(
            first_answer(b"E\0\0\0\x06Cx"),
            Err(PostgresProblem::Wire(WireProblem::Malformed { .. }))
        ));
    }
}
