//! Kafka's readiness: `ApiVersions` (API key 18), the request every Kafka
//! client sends first and the one `kafka-broker-api-versions.sh` makes. A
//! broker answers it before any login (`SaslServerAuthenticator` handles it
//! in its first state), on every listener.
//!
//! The probe asks version 0 (`ApiVersionsRequest.json`): request header v1
//! (`RequestHeader.json`: the key, the version, a correlation id and the
//! client id `healthprobe`) and no body. Every broker since 0.10 answers
//! it, and its answer is the one format a broker also uses when it does
//! not support the version asked (KIP-511): response header v0 (the
//! correlation id; ApiVersions never has a flexible header), then
//! `ErrorCode` (int16) and `ApiKeys`, an int32 count of entries of three
//! int16 (`ApiKey`, `MinVersion`, `MaxVersion`) (`ApiVersionsResponse.json`).
//!
//! The verdict:
//! - error 0: ready;
//! - error 35 (`UNSUPPORTED_VERSION`), whose list names ApiVersions itself:
//!   a broker that no longer speaks version 0 answered, so it is up;
//! - any other error, or 35 without the list: not ready.
//!
//! A KRaft controller answers on its controller listener too, with the
//! APIs a controller serves: `Produce` (key 0) is not among them, and the
//! line says so.

use std::fmt;

use super::{WireProblem, Words};
use crate::setting::Names;

/// The correlation id the probe sends, and expects back.
const CORRELATION: [u8; 4] = *b"hpv0";

/// `ApiVersions` version 0, with its length: the request header v1 (API
/// key 18, version 0, the correlation id, the client id) and no body.
pub const REQUEST: [u8; 25] = [
    0,
    0,
    0,
    21, // the length of what follows
    0,
    18, // ApiVersions
    0,
    0, // version 0
    CORRELATION[0],
    CORRELATION[1],
    CORRELATION[2],
    CORRELATION[3],
    0,
    11,
    b'h',
    b'e',
    b'a',
    b'l',
    b't',
    b'h',
    b'p',
    b'r',
    b'o',
    b'b',
    b'e',
];

/// The longest answer read: a broker lists about 90 APIs in 6 bytes each.
pub const MAX_ANSWER: usize = 4096;

/// `UNSUPPORTED_VERSION`: the broker does not speak the version asked.
const UNSUPPORTED_VERSION: i16 = 35;

/// What a ready broker said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// How many APIs it listed.
    pub apis: u32,
    /// Whether it serves `Produce`: a broker does, a KRaft controller's
    /// listener does not.
    pub produce: bool,
    /// It answered `UNSUPPORTED_VERSION`: up, and past version 0.
    pub newer: bool,
}

/// The answer once it is whole (`Ok(None)` while more is needed), judged.
pub fn answer(bytes: &[u8]) -> Result<Option<Answer>, KafkaProblem> {
    let Some(length) = bytes.get(..4) else {
        return Ok(None);
    };
    let length = u32::from_be_bytes([length[0], length[1], length[2], length[3]]) as usize;
    // The correlation id and the error code, at the least.
    if length < 6 {
        return Err(KafkaProblem::Wire(WireProblem::foreign(bytes)));
    }
    // Another protocol's answer is known before it is whole: the id sent.
    let echoed = &bytes[4..bytes.len().min(8)];
    if echoed != &CORRELATION[..echoed.len()] {
        return Err(KafkaProblem::Wire(WireProblem::foreign(bytes)));
    }
    if length > MAX_ANSWER {
        let why =
            format!("an answer of {length} bytes, more than the {MAX_ANSWER} healthprobe reads");
        return Err(KafkaProblem::Wire(WireProblem::Malformed { why }));
    }
    let Some(body) = bytes.get(8..4 + length) else {
        return Ok(None);
    };
    let code = i16::from_be_bytes([body[0], body[1]]);
    let count = body
        .get(2..6)
        .map(|count| i32::from_be_bytes([count[0], count[1], count[2], count[3]]));
    // The list fills the rest of the answer, as version 0's always does.
    let listed = count.and_then(|count| usize::try_from(count).ok()?.checked_mul(6));
    let apis = match listed {
        Some(listed) if body.len() == 6 + listed => body[6..].chunks_exact(6),
        _ => {
            let why = "an ApiVersions answer whose list of APIs does not fit it";
            return Err(KafkaProblem::Wire(WireProblem::malformed(why)));
        }
    };
    let keys = || apis.clone().map(|api| i16::from_be_bytes([api[0], api[1]]));
    let answer = Answer {
        apis: apis.len() as u32,
        produce: keys().any(|key| key == 0),
        newer: code == UNSUPPORTED_VERSION,
    };
    match code {
        0 => Ok(Some(answer)),
        UNSUPPORTED_VERSION if keys().any(|key| key == 18) => Ok(Some(answer)),
        code => Err(KafkaProblem::Error { code }),
    }
}

/// Why a Kafka broker is not ready, or not Kafka.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KafkaProblem {
    /// ApiVersions was answered with this error code.
    #[non_exhaustive]
    Error {
        /// Kafka's error code (`Errors.java`).
        code: i16,
    },
    /// Not this protocol, or broken.
    Wire(WireProblem),
}

impl Words for KafkaProblem {
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        peer: &dyn fmt::Display,
        _names: &Names,
    ) -> fmt::Result {
        match self {
            KafkaProblem::Wire(wire) => wire.write(f, peer, "Kafka", "Kafka's"),
            KafkaProblem::Error { code } => {
                write!(f, "ApiVersions answered error code {code}, from {peer}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An answer: the length, the correlation id, the error code and the
    /// APIs listed.
    fn reply(code: i16, keys: &[i16]) -> Vec<u8> {
        let mut body = CORRELATION.to_vec();
        body.extend_from_slice(&code.to_be_bytes());
        body.extend_from_slice(&(keys.len() as i32).to_be_bytes());
        for key in keys {
            body.extend_from_slice(&key.to_be_bytes());
            body.extend_from_slice(&[0, 0, 0, 9]);
        }
        let mut answer = (body.len() as u32).to_be_bytes().to_vec();
        answer.extend_from_slice(&body);
        answer
    }

    #[test]
    fn the_request_is_api_versions_0_from_healthprobe() {
        assert_eq!(
            u32::from_be_bytes(REQUEST[..4].try_into().unwrap()) as usize,
            REQUEST.len() - 4
        );
        assert_eq!(&REQUEST[14..], b"healthprobe");
    }

    #[test]
    fn answers_are_judged_once_whole() {
        let broker = reply(0, &[0, 1, 3, 18]);
        for end in 0..broker.len() {
            assert_eq!(answer(&broker[..end]), Ok(None), "{end} bytes");
        }
        let ready = Answer {
            apis: 4,
            produce: true,
            newer: false,
        };
        assert_eq!(answer(&broker), Ok(Some(ready)));
        let controller = Answer {
            apis: 3,
            produce: false,
            newer: false,
        };
        assert_eq!(answer(&reply(0, &[1, 18, 52])), Ok(Some(controller)));
        let newer = Answer {
            apis: 1,
            produce: false,
            newer: true,
        };
        assert_eq!(answer(&reply(35, &[18])), Ok(Some(newer)));
        assert_eq!(
            answer(&reply(35, &[])),
            Err(KafkaProblem::Error { code: 35 })
        );
        assert_eq!(
            answer(&reply(-1, &[18])),
            Err(KafkaProblem::Error { code: -1 })
        );
    }

    #[test]
    fn broken_and_foreign_answers_are_known() {
        let mut short = reply(0, &[0, 18]);
        short[8 + 5] = 9;
        assert!(matches!(
            answer(&short),
            Err(KafkaProblem::Wire(WireProblem::Malformed { .. }))
        ));
        assert!(matches!(
            answer(b"\x80\0\0\0hpv0"),
            Err(KafkaProblem::Wire(WireProblem::Malformed { .. }))
        ));
        for foreign in [
            &b"HTTP/1.1 400 Bad Request\r\n"[..],
            b"\0\0\0\x10abcd",
            b"\0\0\0\x02",
        ] {
            assert!(
                matches!(
                    answer(foreign),
                    Err(KafkaProblem::Wire(WireProblem::Foreign { .. }))
                ),
                "{foreign:?}"
            );
        }
    }
}
