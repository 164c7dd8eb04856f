//! The output lines, `Report::line()` and `Report::progress_line()`, for
//! reports whose every text field is arbitrary: bytes the server sent
//! (Location values, the start of a body or of a response that is not HTTP),
//! error texts from the network and TLS libraries (which may quote what the
//! server sent), any status code, a Unix socket path, and the probed target;
//! and the line for a panic, `outcome::internal_error`.
//!
//! The input is a 20-byte header and NUL-separated byte strings, read by
//! `healthprobe::fuzz::outcome::report_from`, which says how.
//!
//! What must hold, as lib.rs promises and Docker and Podman need to keep the
//! line: at most `MAX_LINE` bytes, one line, every byte visible ASCII or a
//! space, and the verdict first.
#![no_main]

use healthprobe::fuzz::outcome::{MAX_LINE, Outcome, Report, internal_error, report_from};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((header, rest)) = data.split_first_chunk::<20>() else {
        return;
    };
    let report = report_from(header, rest);
    let verdict = match report.outcome() {
        Outcome::BadFile { .. } | Outcome::KeyMismatch { .. } => "healthprobe: ",
        ref o if o.is_healthy() => "healthy: ",
        _ => "unhealthy: ",
    };
    check(&report.line(), verdict, &report);
    let verdict = match report.outcome() {
        Outcome::BadFile { .. } | Outcome::KeyMismatch { .. } => "healthprobe: ",
        _ => "waiting: ",
    };
    check(&report.progress_line(), verdict, &report);
    drop(report.failure());

    let panic_line = internal_error(report.probed(), Some((report.probed(), u32::MAX)));
    check(&panic_line, "healthprobe: internal error: ", &report);
    assert!(panic_line.ends_with(" (please report this)"));
});

fn check(line: &str, verdict: &str, report: &Report) {
    assert!(line.len() <= MAX_LINE, "{} bytes: {line:?}", line.len());
    assert!(
        line.bytes().all(|b| (0x20..=0x7e).contains(&b)),
        "not visible ASCII: {line:?}\nfrom {report:?}"
    );
    assert!(line.starts_with(verdict), "{line:?} from {report:?}");
}
