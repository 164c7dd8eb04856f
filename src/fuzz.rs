//! The private parsers, re-exported for the fuzz targets in `fuzz/` only: this
//! module exists when cargo fuzz builds with `--cfg fuzzing`, so the public API
//! of ordinary builds stays as small as before.

pub use crate::der::subject_public_key_info;
pub use crate::duration::{
    MAX as MAX_DURATION, display as display_duration, parse as parse_duration,
};
pub use crate::expand::expand;
#[cfg(feature = "json")]
pub use crate::expect_json::{ExpectJson, check_all as check_json};
pub use crate::status::ExpectStatus;

/// The command line's parser and the settings it makes.
pub mod config {
    pub use crate::cli::*;
    pub use crate::config::*;
}

/// URLs as healthprobe reads them.
pub mod url {
    pub use crate::url::{Host, Scheme, Url};
}

/// The outcome types and the line's rules.
pub mod outcome {
    pub use crate::outcome::*;
}

/// A report as a probe would make it.
pub fn report(
    probed: String,
    outcome: crate::Outcome,
    elapsed: std::time::Duration,
    waited: Option<crate::outcome::Waited>,
) -> crate::Report {
    crate::Report {
        probed,
        outcome,
        elapsed,
        waited,
    }
}

/// Runs a grpc:// probe's call against `server`, the bytes a server sends
/// (read to their end, then the connection closes), and returns the report
/// the probe would print. Everything the client writes is discarded.
#[cfg(feature = "grpc")]
pub fn grpc_answer(server: &[u8]) -> crate::Report {
    use std::io::{self, Cursor, Read, Write};
    use std::time::{Duration, Instant};

    use crate::outcome::{Limit, Peer};

    struct Scripted(Cursor<Vec<u8>>);
    impl Read for Scripted {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.0.read(buf)
        }
    }
    impl Write for Scripted {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    let args = vec![
        "--grpc-service".into(),
        "svc".into(),
        "grpc://127.0.0.1:1".into(),
    ];
    let Ok(crate::cli::Command::Probe(plan)) = crate::cli::parse(args, |_| None) else {
        unreachable!("a fixed, valid command line")
    };
    let config = &plan.targets[0];
    let peer = Peer::Tcp(std::net::SocketAddr::from(([127, 0, 0, 1], 1)));
    let limit = Limit::Deadline(config.timeout);
    let deadline = Instant::now() + config.timeout;
    let mut stream = Scripted(Cursor::new(server.to_vec()));
    crate::Report {
        probed: crate::probe::grpc::described(config),
        outcome: crate::probe::grpc::call(config, &mut stream, deadline, limit, peer),
        elapsed: Duration::ZERO,
        waited: None,
    }
}
