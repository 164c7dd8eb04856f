//! MySQL's and MariaDB's readiness: the server speaks first, and a whole,
//! well-formed protocol-10 handshake (the greeting) means it is up and
//! accepting connections; an error packet in its place (1040 too many
//! connections, 1129 host blocked, 1130 host not allowed) means it is not.
//!
//! Leaving right after the greeting is an interrupted handshake, which the
//! server counts against the client's host until `max_connect_errors`
//! blocks it (MariaDB MDEV-21456). So the probe answers the greeting with a
//! login for a user and no password, and reads the server's verdict on it
//! before it leaves: a refused login is not counted against the host (the
//! server logs it, as it logs `mysqladmin ping`'s). No password is ever
//! sent.
//!
//! Packets are the MySQL client/server protocol's: a 3-byte little-endian
//! length, a sequence number, a payload.

use std::fmt;

use super::{WireProblem, Words};
use crate::line::quoted;
use crate::setting::Names;

/// The largest packet read: a greeting is about a hundred bytes.
pub const MAX_PACKET: usize = 4 * 1024;

/// The user a login is attempted for when the URL names none: what the
/// server logs is then plainly the probe's.
pub const DEFAULT_USER: &str = "healthprobe";

/// Capabilities the login claims: the 4.1 protocol, 4.1 authentication,
/// authentication plugins.
const CLIENT_PROTOCOL_41: u32 = 0x200;
const CLIENT_SECURE_CONNECTION: u32 = 0x8000;
const CLIENT_PLUGIN_AUTH: u32 = 0x8_0000;

/// A whole packet's payload, and the bytes after it.
type Packet<'a> = (&'a [u8], &'a [u8]);

/// One packet's payload in `bytes`, once it is whole, and what follows it.
fn packet(bytes: &[u8]) -> Result<Option<Packet<'_>>, MysqlProblem> {
    let Some(header) = bytes.first_chunk::<4>() else {
        return Ok(None);
    };
    let length = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
    if length > MAX_PACKET {
        // A greeting sent as 2^24-1 bytes is not one: this is not MySQL.
        return Err(MysqlProblem::Wire(WireProblem::foreign(bytes)));
    }
    match bytes[4..].get(..length) {
        Some(payload) => Ok(Some((payload, &bytes[4 + length..]))),
        None => Ok(None),
    }
}

/// What the server said first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Greeting {
    /// The server's version, as in `10.11.6-MariaDB-0+deb12u1`.
    pub version: Vec<u8>,
    /// The authentication plugin it proposes, as in `mysql_native_password`.
    pub plugin: Vec<u8>,
}

/// The greeting in `bytes`, once its packet is whole: `Ok(None)` while more
/// is needed; an error packet or anything else is a problem.
pub fn greeting(bytes: &[u8]) -> Result<Option<Greeting>, MysqlProblem> {
    let Some((payload, _)) = packet(bytes)? else {
        return Ok(None);
    };
    match payload.first() {
        Some(0x0a) => {}
        Some(0xff) => return Err(error_packet(payload)),
        _ => {
            return Err(MysqlProblem::Wire(WireProblem::foreign(bytes)));
        }
    }
    let malformed = |why: &str| {
        MysqlProblem::Wire(WireProblem::Malformed {
            why: format!("a greeting {why}"),
        })
    };
    let rest = &payload[1..];
    let end = rest
        .iter()
        .position(|&b| b == 0)
        .ok_or_else(|| malformed("whose version has no end"))?;
    let version = rest[..end].to_vec();
    // Connection id (4), the first 8 bytes of the scramble, a filler (0),
    // the capabilities' low half (2).
    let after = &rest[end + 1..];
    if after.len() < 4 + 8 + 1 + 2 {
        return Err(malformed("cut short after the version"));
    }
    if after[12] != 0 {
        return Err(malformed("without the filler after the scramble"));
    }
    // Then, optionally: charset (1), status (2), the capabilities' high
    // half (2), the scramble's length (1), 10 reserved, the scramble's rest
    // (at least 13), the plugin's name.
    let plugin = after
        .get(4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10..)
        .and_then(|tail| {
            let scramble = tail.iter().position(|&b| b == 0)? + 1;
            let name = &tail[scramble..];
            let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
            Some(name[..end].to_vec())
        })
        .unwrap_or_default();
    Ok(Some(Greeting { version, plugin }))
}

/// An error packet: 0xff, the code (2 bytes, little-endian), and from 4.1 on
/// perhaps `#` and a SQLSTATE, then the message.
fn error_packet(payload: &[u8]) -> MysqlProblem {
    let Some(code) = payload.get(1..3) else {
        return MysqlProblem::Wire(WireProblem::Malformed {
            why: "an error packet without its code".to_owned(),
        });
    };
    let code = u16::from_le_bytes([code[0], code[1]]);
    let mut message = &payload[3..];
    if let [b'#', _, _, _, _, _, rest @ ..] = message {
        message = rest;
    }
    MysqlProblem::Refused {
        code,
        message: message.to_vec(),
    }
}

/// The login that answers the greeting: HandshakeResponse41 for `user`,
/// with an empty authentication response (no password), proposing the
/// server's own plugin so that it needs no switch.
pub fn login(user: &str, greeting: &Greeting) -> Vec<u8> {
    let mut payload = Vec::with_capacity(64 + user.len() + greeting.plugin.len());
    let capabilities = CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH;
    payload.extend_from_slice(&capabilities.to_le_bytes());
    payload.extend_from_slice(&(MAX_PACKET as u32).to_le_bytes());
    // utf8mb4_general_ci, and 23 reserved bytes.
    payload.push(45);
    payload.extend_from_slice(&[0; 23]);
    payload.extend_from_slice(user.as_bytes());
    payload.push(0);
    // An authentication response of no bytes: no password.
    payload.push(0);
    payload.extend_from_slice(&greeting.plugin);
    payload.push(0);
    let mut out = Vec::with_capacity(payload.len() + 4);
    let length = payload.len() as u32;
    out.extend_from_slice(&length.to_le_bytes()[..3]);
    // The second packet of the exchange.
    out.push(1);
    out.extend_from_slice(&payload);
    out
}

/// COM_QUIT, after a login that succeeded: the polite goodbye.
pub const QUIT: [u8; 5] = [1, 0, 0, 0, 0x01];

/// The server's verdict on the login, once its packet is whole: `true` for
/// OK (the user needs no password), `false` for anything else (an error,
/// a request to switch plugins or for more data), which ends the exchange.
pub fn login_verdict(bytes: &[u8]) -> Result<Option<bool>, MysqlProblem> {
    Ok(packet(bytes)?.map(|(payload, _)| payload.first() == Some(&0x00)))
}

/// Why a MySQL or MariaDB server is not ready, or not MySQL.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MysqlProblem {
    /// An error packet in place of the greeting: 1040 too many connections,
    /// 1129 host blocked (`max_connect_errors`), 1130 host not allowed.
    #[non_exhaustive]
    Refused {
        /// The error code.
        code: u16,
        /// The server's message.
        message: Vec<u8>,
    },
    /// Not this protocol, or broken.
    Wire(WireProblem),
}

impl Words for MysqlProblem {
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        peer: &dyn fmt::Display,
        _names: &Names,
    ) -> fmt::Result {
        match self {
            MysqlProblem::Wire(wire) => wire.write(f, peer, "MySQL", "a MySQL greeting"),
            MysqlProblem::Refused { code, message } => {
                write!(
                    f,
                    "error {code} {} in place of the greeting",
                    quoted(message, 160)
                )?;
                match code {
                    1040 => f.write_str(" (too many connections)")?,
                    1129 => f.write_str(" (the host is blocked: FLUSH HOSTS unblocks it)")?,
                    1130 => f.write_str(" (the host is not allowed to connect)")?,
                    _ => {}
                }
                write!(f, ", from {peer}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A MariaDB 10.11 greeting, as captured.
    fn mariadb() -> Vec<u8> {
        let mut payload = vec![0x0a];
        payload.extend_from_slice(b"5.5.5-10.11.6-MariaDB-0+deb12u1\0");
        payload.extend_from_slice(&[7, 0, 0, 0]);
        payload.extend_from_slice(b"abcdefgh\0");
        payload.extend_from_slice(&[0xfe, 0xf7, 45, 2, 0, 0xff, 0x81, 21]);
        payload.extend_from_slice(&[0; 10]);
        payload.extend_from_slice(b"ijklmnopqrst\0mysql_native_password\0");
        let mut packet = (payload.len() as u32).to_le_bytes()[..3].to_vec();
        packet.push(0);
        packet.extend_from_slice(&payload);
        packet
    }

    #[test]
    fn a_greeting_is_read_once_whole() {
        let packet = mariadb();
        for cut in 0..packet.len() {
            assert_eq!(greeting(&packet[..cut]), Ok(None), "{cut}");
        }
        let greeting = greeting(&packet).unwrap().unwrap();
        assert_eq!(greeting.version, b"5.5.5-10.11.6-MariaDB-0+deb12u1");
        assert_eq!(greeting.plugin, b"mysql_native_password");
    }

    #[test]
    fn an_error_in_place_of_the_greeting_is_refused() {
        let mut packet = vec![0, 0, 0, 0, 0xff, 0x69, 0x04];
        packet.extend_from_slice(b"Host '10.0.0.2' is blocked because of many connection errors");
        packet[0] = (packet.len() - 4) as u8;
        assert_eq!(
            greeting(&packet),
            Err(MysqlProblem::Refused {
                code: 1129,
                message: b"Host '10.0.0.2' is blocked because of many connection errors".to_vec()
            })
        );
    }

    #[test]
    fn the_login_names_the_user_and_no_password() {
        let greeting = greeting(&mariadb()).unwrap().unwrap();
        let login = login("app", &greeting);
        assert_eq!(&login[..3], &((login.len() - 4) as u32).to_le_bytes()[..3]);
        assert_eq!(login[3], 1);
        assert!(
            login.ends_with(b"app\0\0mysql_native_password\0"),
            "{login:?}"
        );
    }
}
