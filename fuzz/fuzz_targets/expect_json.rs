//! `--expect-json`: the expression parser, and the evaluation of a parsed
//! expression against an arbitrary body.
//!
//! The input is split at its first NUL byte: the expression, then the body.
//!
//! What must hold: nothing panics or hangs (a document nested 10,000 deep,
//! a number of a thousand digits); an expression prints in a form that
//! parses back to the same expression (floats within their last places:
//! see `same_but_for_float_rounding`); the line is at most 500 bytes of
//! visible ASCII.
#![no_main]

use std::time::Duration;

use healthprobe::fuzz::{ExpectJson, check_json, json_mismatch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (expression, body) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &b"{}"[..]),
    };
    let Ok(expression) = std::str::from_utf8(expression) else {
        return;
    };
    let Ok(parsed) = ExpectJson::parse(expression) else {
        return;
    };
    let printed = parsed.to_string();
    match ExpectJson::parse(&printed) {
        Ok(again) => assert!(again.same_but_for_float_rounding(&parsed), "{printed:?}"),
        Err(e) => panic!("{printed:?} does not parse again: {e}"),
    }
    let Err(problem) = check_json(&[parsed], body) else {
        return;
    };
    let outcome = json_mismatch(problem);
    let probed = "GET http://127.0.0.1:1/health".to_owned();
    let report = healthprobe::fuzz::report(probed, outcome, Duration::ZERO, None, false);
    let line = report.line();
    assert!(line.len() <= 500, "{line:?}");
    assert!(line.bytes().all(|b| (0x20..0x7f).contains(&b)), "{line:?}");
});
