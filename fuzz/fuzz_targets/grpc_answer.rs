//! The HTTP/2 frame reader, the HPACK decoder (loona-hpack) and the gRPC
//! judgement, on whatever a server sends in answer to a health check.
//!
//! What must hold: nothing panics, hangs or grows without bound; the line is
//! at most 500 bytes of visible ASCII; and healthy means the input carried a
//! message (its field tag, 0x08, which no coding hides: DATA is sent as it is).
#![no_main]

use healthprobe::{Outcome, Ready};
use healthprobe::fuzz::grpc_answer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let report = grpc_answer(data);
    let line = report.line();
    assert!(line.len() <= 500, "{line:?}");
    assert!(line.bytes().all(|b| (0x20..0x7f).contains(&b)), "{line:?}");
    if matches!(
        report.outcome(),
        Outcome::Healthy {
            ready: Ready::Serving,
            ..
        }
    ) {
        assert!(data.contains(&0x08), "{line:?}");
    }
});
