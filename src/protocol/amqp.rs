//! AMQP 0-9-1's readiness: the client sends the protocol header, and a
//! broker that speaks 0-9-1 answers with Connection.Start, a method frame
//! on channel 0. One that speaks another version writes its own protocol
//! header back and closes. No credentials are sent.
//!
//! Frames are the AMQP 0-9-1 specification's (section 4.2.3): a type
//! octet, a channel (2 octets), a size (4), the payload, and the frame-end
//! octet 0xCE.

use std::fmt;

use super::{WireProblem, Words};
use crate::line::quoted;
use crate::setting::Names;

/// What the client sends: `AMQP`, then 0, 0, 9, 1.
pub const HEADER: [u8; 8] = *b"AMQP\x00\x00\x09\x01";
/// The largest Connection.Start read: RabbitMQ's is about 500 bytes.
pub const MAX_FRAME: usize = 16 * 1024;
const FRAME_END: u8 = 0xce;

/// A broker's Connection.Start: the protocol version it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Start {
    pub major: u8,
    pub minor: u8,
}

/// Connection.Start in `bytes`, once its frame is whole: `Ok(None)` while
/// more is needed; a protocol header or anything else is a problem.
pub fn start(bytes: &[u8]) -> Result<Option<Start>, AmqpProblem> {
    // A protocol header back, or the start of one.
    if b"AMQP".starts_with(&bytes[..bytes.len().min(4)]) {
        return match bytes.first_chunk::<8>() {
            Some(header) => Err(AmqpProblem::Version { header: *header }),
            None => Ok(None),
        };
    }
    let not_amqp = || AmqpProblem::Wire(WireProblem::foreign(bytes));
    let Some(head) = bytes.first_chunk::<7>() else {
        return match bytes.first() {
            Some(1) | None => Ok(None),
            Some(_) => Err(not_amqp()),
        };
    };
    if head[0] != 1 || head[1..3] != [0, 0] {
        return Err(not_amqp());
    }
    let size = u32::from_be_bytes([head[3], head[4], head[5], head[6]]) as usize;
    if size > MAX_FRAME {
        let why = format!("a frame of {size} bytes, more than the {MAX_FRAME} healthprobe reads");
        return Err(AmqpProblem::Wire(WireProblem::Malformed { why }));
    }
    let Some(&end) = bytes.get(7 + size) else {
        return Ok(None);
    };
    if end != FRAME_END {
        let why = format!("a frame ending in {end:#04x}, not 0xce");
        return Err(AmqpProblem::Wire(WireProblem::Malformed { why }));
    }
    match bytes[7..7 + size] {
        [0, 10, 0, 10, major, minor, ..] => Ok(Some(Start { major, minor })),
        [class_hi, class_lo, method_hi, method_lo, ..] => {
            let class = u16::from_be_bytes([class_hi, class_lo]);
            let method = u16::from_be_bytes([method_hi, method_lo]);
            let why = format!("method {class}.{method} where Connection.Start (10.10) belongs");
            Err(AmqpProblem::Wire(WireProblem::Malformed { why }))
        }
        _ => Err(AmqpProblem::Wire(WireProblem::Malformed {
            why: "a method frame too short for its method".to_owned(),
        })),
    }
}

/// Why an AMQP broker is not ready for 0-9-1, or not AMQP.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AmqpProblem {
    /// The broker wrote its own protocol header back: it does not speak
    /// AMQP 0-9-1.
    #[non_exhaustive]
    Version {
        /// Its header: `AMQP` and four octets.
        header: [u8; 8],
    },
    /// Not this protocol, or broken.
    Wire(WireProblem),
}

impl Words for AmqpProblem {
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        peer: &dyn fmt::Display,
        _names: &Names,
    ) -> fmt::Result {
        match self {
            AmqpProblem::Wire(wire) => wire.write(f, peer, "AMQP", "AMQP"),
            AmqpProblem::Version { header } => {
                let [_, _, _, _, id, major, minor, revision] = *header;
                write!(
                    f,
                    "{peer} does not speak AMQP 0-9-1: it answered with its own protocol header, {} (protocol {id}, version {major}-{minor}-{revision})",
                    quoted(header, 8)
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection_start() -> Vec<u8> {
        let payload =
            b"\x00\x0a\x00\x0a\x00\x09\x00\x00\x00\x00\x00\x00\x00\x05PLAIN\x00\x00\x00\x05en_US";
        let mut frame = vec![1, 0, 0];
        frame.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        frame.extend_from_slice(payload);
        frame.push(0xce);
        frame
    }

    #[test]
    fn connection_start_is_read_once_whole() {
        let frame = connection_start();
        for cut in 0..frame.len() {
            assert_eq!(start(&frame[..cut]), Ok(None), "{cut}");
        }
        assert_eq!(start(&frame), Ok(Some(Start { major: 0, minor: 9 })));
    }

    #[test]
    fn another_version_writes_its_header_back() {
        assert_eq!(start(b"AMQ"), Ok(None));
        assert_eq!(
            start(b"AMQP\x00\x01\x00\x00"),
            Err(AmqpProblem::Version {
                header: *b"AMQP\x00\x01\x00\x00"
            })
        );
        assert!(matches!(
            start(b"HTTP/1.1"),
            Err(AmqpProblem::Wire(WireProblem::Foreign { .. }))
        ));
        assert!(matches!(
            start(b"\x01\x00\x00\x80\x00\x00\x00"),
            Err(AmqpProblem::Wire(WireProblem::Malformed { .. }))
        ));
    }
}
