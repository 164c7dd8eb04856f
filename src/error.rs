//! [`Error`]: a setting of a [`Probe`](crate::Probe) that cannot be used.
//!
//! The message names the setting, and the command line names it too, by its
//! flag or variable: an error holds the [`Setting`] as a placeholder, which
//! [`Names`] renders as the builder method's name for the library (`invalid
//! expect_status "abc": ...`) and as where the value came from for the
//! command line (`invalid --expect-status "abc": ...`). One message, written
//! once; report lines name settings the same way.

use std::fmt;

use crate::setting::{Names, Setting};

/// Why a [`Probe`](crate::Probe) cannot be built as asked: a target that is
/// not a URL healthprobe can probe, a value out of range, or a setting that
/// does not apply to the target or contradicts another one.
///
/// The message is one line in lower case that names the setting by its
/// builder method and shows the bad value, except for header values, which
/// are often credentials and are never shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    setting: Setting,
    pieces: Vec<Piece>,
}

/// What kind of mistake an [`Error`] is, to match on: the message says the
/// rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The value is malformed, out of range, or too long to send.
    Invalid,
    /// The setting does not apply to this kind of target (`expect_status`
    /// on a `tcp://` target).
    NotApplicable,
    /// The setting contradicts another one (`expect_body` with `HEAD`, a
    /// connect timeout longer than the timeout).
    Conflict,
    /// The target needs a Cargo feature this build leaves out (`grpc://`
    /// without `grpc`, `https://` without `tls`).
    NotInThisBuild,
    /// A build with the `loopback-only` feature refuses a target that is
    /// not loopback.
    NotLoopback,
}

/// Part of a message: text, or the name of a setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    Text(String),
    Name(Setting),
}

impl From<&str> for Piece {
    fn from(text: &str) -> Piece {
        Piece::Text(text.to_owned())
    }
}

impl From<String> for Piece {
    fn from(text: String) -> Piece {
        Piece::Text(text)
    }
}

impl From<Setting> for Piece {
    fn from(setting: Setting) -> Piece {
        Piece::Name(setting)
    }
}

/// `error!(setting; piece, piece, ...)`: an [`Error`] about `setting`, whose
/// message is the pieces in order (text, or a [`Setting`] for its name).
macro_rules! error {
    ($setting:expr; $($piece:expr),+ $(,)?) => {
        $crate::error::Error::new($setting, vec![$($crate::error::Piece::from($piece)),+])
    };
}
pub(crate) use error;

impl Error {
    pub(crate) fn new(setting: Setting, pieces: Vec<Piece>) -> Error {
        Error {
            kind: ErrorKind::Invalid,
            setting,
            pieces,
        }
    }

    /// The same error, of another kind than [`ErrorKind::Invalid`].
    pub(crate) fn of_kind(self, kind: ErrorKind) -> Error {
        Error { kind, ..self }
    }

    /// What kind of mistake it is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// `invalid NAME "value": why`, or `invalid NAME: why` without a value.
    pub(crate) fn invalid(setting: Setting, value: Option<&str>, why: impl fmt::Display) -> Error {
        match value {
            Some(value) => error!(setting; "invalid ", setting, format!(" {value:?}: {why}")),
            None => error!(setting; "invalid ", setting, format!(": {why}")),
        }
    }

    /// The builder method whose value is wrong, such as `"expect_status"`,
    /// or `"target"` for the URL given to [`Probe::new`](crate::Probe::new).
    pub fn setting(&self) -> &'static str {
        self.setting.method_name()
    }

    /// The message, with each setting named as `names` name it.
    pub(crate) fn render(&self, names: &Names) -> String {
        let mut text = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => text.push_str(t),
                Piece::Name(setting) => text.push_str(&names.source(*setting)),
            }
        }
        text
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&Names::Library))
    }
}

impl std::error::Error for Error {}
