//! ZooKeeper's readiness: the four-letter word `srvr`, answered with the
//! server's statistics, then the server closes the connection. Since 3.5.3
//! the words run only when `4lw.commands.whitelist` names them, and `srvr`
//! is the one it names by default (ZOOKEEPER-2764); `ruok` answers `imok`
//! even when the server serves nothing, so `srvr` is the better question
//! too.
//!
//! What a server answers (`FourLetterCommands`, `StatCommand` and
//! `NettyServerCnxn`/`NIOServerCnxn` in ZooKeeper's source):
//! - serving: lines of statistics, among them `Mode: standalone`,
//!   `leader`, `follower` or `observer`;
//! - a member without a quorum, or starting: `This ZooKeeper instance is
//!   not currently serving requests`;
//! - `srvr` not whitelisted: `srvr is not executed because it is not in the
//!   whitelist.`

use std::fmt;

use super::{WireProblem, Words};
use crate::line::quoted;
use crate::setting::Names;

/// The question: four bytes, no line end.
pub const REQUEST: &[u8] = b"srvr";

/// The most of an answer read: the statistics take about 250 bytes.
pub const MAX_ANSWER: usize = 4 * 1024;

/// What the server says when it is not serving.
const NOT_SERVING: &[u8] = b"This ZooKeeper instance is not currently serving requests";

/// What the server says when `srvr` is not whitelisted.
const NOT_WHITELISTED: &[u8] = b"srvr is not executed because it is not in the whitelist";

/// The modes in which a server serves.
const SERVING: [&[u8]; 4] = [b"standalone", b"leader", b"follower", b"observer"];

/// Whether what has arrived of an answer may still be ZooKeeper's: the
/// start of one of the answers above, so that another protocol's answer is
/// refused at once rather than read until the server closes.
pub fn plausible(start: &[u8]) -> bool {
    [&b"Zookeeper version: "[..], NOT_SERVING, NOT_WHITELISTED]
        .iter()
        .any(|known| known.starts_with(&start[..start.len().min(known.len())]))
}

/// Judges the whole answer, read until the server closed the connection:
/// the mode of a serving server, or the problem.
pub fn judge(answer: &[u8]) -> Result<Vec<u8>, ZookeeperProblem> {
    if answer.starts_with(NOT_SERVING) {
        return Err(ZookeeperProblem::NotServing);
    }
    if answer.starts_with(NOT_WHITELISTED) {
        return Err(ZookeeperProblem::NotWhitelisted);
    }
    if !answer.starts_with(b"Zookeeper version: ") {
        return Err(ZookeeperProblem::Wire(WireProblem::foreign(answer)));
    }
    let mode = answer
        .split(|&b| b == b'\n')
        .find_map(|line| line.strip_prefix(b"Mode: "));
    match mode {
        Some(mode) if SERVING.contains(&mode) => Ok(mode.to_vec()),
        Some(mode) => Err(ZookeeperProblem::Mode {
            mode: mode.to_vec(),
        }),
        None => {
            let why = "the srvr answer has no Mode line".to_owned();
            Err(ZookeeperProblem::Wire(WireProblem::Malformed { why }))
        }
    }
}

/// Why a ZooKeeper server is not serving, or not ZooKeeper.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ZookeeperProblem {
    /// `This ZooKeeper instance is not currently serving requests`: a
    /// quorum member without its quorum, or a server still starting.
    NotServing,
    /// `srvr` is not in `4lw.commands.whitelist`.
    NotWhitelisted,
    /// A mode that does not serve clients as one of the ensemble, such as
    /// `read-only`.
    #[non_exhaustive]
    Mode {
        /// The mode, as the server names it.
        mode: Vec<u8>,
    },
    /// Not this protocol, or broken.
    Wire(WireProblem),
}

impl Words for ZookeeperProblem {
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        peer: &dyn fmt::Display,
        _names: &Names,
    ) -> fmt::Result {
        match self {
            ZookeeperProblem::Wire(wire) => wire.write(f, peer, "ZooKeeper", "ZooKeeper's"),
            ZookeeperProblem::NotServing => {
                write!(f, "not currently serving requests, says {peer}")
            }
            ZookeeperProblem::NotWhitelisted => write!(
                f,
                "srvr is not in the whitelist of {peer}: add it to 4lw.commands.whitelist (4lw.commands.whitelist=srvr, or ZOO_4LW_COMMANDS_WHITELIST=srvr in the official image)"
            ),
            ZookeeperProblem::Mode { mode } => write!(
                f,
                "mode {} from {peer}, not standalone, leader, follower or observer",
                quoted(mode, 40)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STANDALONE: &[u8] = b"Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\nLatency min/avg/max: 0/0.0/0\nReceived: 3\nSent: 2\nConnections: 1\nOutstanding: 0\nZxid: 0x0\nMode: standalone\nNode count: 5\n";

    #[test]
    fn a_serving_server_says_its_mode() {
        assert_eq!(judge(STANDALONE), Ok(b"standalone".to_vec()));
        let follower = String::from_utf8_lossy(STANDALONE).replace("standalone", "follower");
        assert_eq!(judge(follower.as_bytes()), Ok(b"follower".to_vec()));
        let read_only = String::from_utf8_lossy(STANDALONE).replace("standalone", "read-only");
        assert_eq!(
            judge(read_only.as_bytes()),
            Err(ZookeeperProblem::Mode {
                mode: b"read-only".to_vec()
            })
        );
    }

    #[test]
    fn another_protocol_is_known_by_its_first_bytes() {
        assert!(plausible(b"Zook") && plausible(STANDALONE) && plausible(b"This Zoo"));
        assert!(!plausible(b"HTTP/1.1") && !plausible(b"imok"));
    }

    #[test]
    fn a_server_that_does_not_serve_or_does_not_answer_srvr() {
        assert_eq!(
            judge(b"This ZooKeeper instance is not currently serving requests\n"),
            Err(ZookeeperProblem::NotServing)
        );
        assert_eq!(
            judge(b"srvr is not executed because it is not in the whitelist.\n"),
            Err(ZookeeperProblem::NotWhitelisted)
        );
        assert!(matches!(
            judge(b"Zookeeper version: 3.8.0\nNode count: 5\n"),
            Err(ZookeeperProblem::Wire(WireProblem::Malformed { .. }))
        ));
        assert!(matches!(
            judge(b"imok"),
            Err(ZookeeperProblem::Wire(WireProblem::Foreign { .. }))
        ));
    }
}
