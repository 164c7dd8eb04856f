//! The panic safety net, on a release build (`panic = "abort"`) that carries
//! the test-only `panic-test` feature: `HEALTHPROBE_PANIC_TEST=message` makes
//! it panic at start. `.ci/test` builds it, names it in
//! `HEALTHPROBE_PANIC_BIN` and runs these tests, which a plain `cargo test`
//! ignores. Run without the variable, they fail.

use crate::support::*;

fn panic_bin() -> Vec<String> {
    vec![required(
        "HEALTHPROBE_PANIC_BIN",
        "a release build with the panic-test feature",
    )]
}

#[test]
#[ignore = "needs a release build with the panic-test feature (HEALTHPROBE_PANIC_BIN): .ci/test builds it"]
fn a_panic_is_exit_1_and_one_escaped_line_whatever_rust_backtrace_says() {
    let bin = panic_bin();
    for backtrace in ["0", "1", "full"] {
        let ran = probe_with(&bin, &["http://127.0.0.1:1/"])
            .env("RUST_BACKTRACE", backtrace)
            .env("HEALTHPROBE_PANIC_TEST", "a bug\n\x1b[31mred")
            .run();
        ran.check(
            1,
            r"healthprobe: internal error: a bug\x0a\x1b[31mred at src/cli/process.rs:<line> (please report this)"
                .replace("<line>", &line_of_panic())
                .as_str(),
        );
    }
}

#[test]
#[ignore = "needs a release build with the panic-test feature (HEALTHPROBE_PANIC_BIN): .ci/test builds it"]
fn a_long_panic_message_is_cut_to_one_line_of_500_bytes() {
    let bin = panic_bin();
    let ran = probe_with(&bin, &["http://127.0.0.1:1/"])
        .env("HEALTHPROBE_PANIC_TEST", &"x".repeat(5000))
        .run();
    let line = format!(
        "healthprobe: internal error: {}... (please report this)",
        "x".repeat(500 - 29 - 24)
    );
    assert_eq!(line.len(), 500);
    ran.check(1, &line);
}

#[test]
#[ignore = "needs a release build with the panic-test feature (HEALTHPROBE_PANIC_BIN): .ci/test builds it"]
fn the_panic_build_probes_normally_without_the_variable() {
    let bin = panic_bin();
    let (addr, _requests) = recording("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
    let url = format!("http://{addr}/health");
    probe_with(&bin, &[&url]).expect(
        0,
        &format!("healthy: GET {url}: 200 OK from {addr} in <elapsed>"),
    );
}

/// The line of the `panic!` in src/cli/process.rs, so the test does not
/// break when lines above it move.
fn line_of_panic() -> String {
    let main = include_str!("../../src/cli/process.rs");
    let index = main
        .lines()
        .position(|l| l.contains("panic!(\"{}\", message"))
        .expect("src/cli/process.rs has the test panic");
    (index + 1).to_string()
}
