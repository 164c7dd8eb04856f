//! A clock set before 1970, as on a board without a real-time clock: a TLS
//! failure with a line, not a panic. Needs libfaketime.

use crate::support::tls::*;
use crate::support::*;

#[test]
#[ignore = "needs libfaketime (HEALTHPROBE_TEST_FAKETIME): .ci/test installs it and runs it as root"]
fn a_clock_set_before_1970_is_a_tls_failure_not_a_panic() {
    // A container on a board without a real-time clock can start in 1970 or
    // before; rustls' own clock unwraps there. libfaketime (LD_PRELOAD) sets
    // the clock of the dynamically linked test binary; .ci/test installs it.
    required(
        "HEALTHPROBE_TEST_FAKETIME",
        "the faketime command (libfaketime)",
    );
    let ca = ca("test CA");
    let files = TempDir::new();
    let cacert = files.write("ca.pem", &ca.pem);
    let addr = tls_server(server_config(&server_leaf(&ca, Validity::Current), None), 2);
    let url = format!("https://localhost:{}/health", addr.port());
    let runner = [
        "faketime".to_owned(),
        "1969-12-31 12:00:00".to_owned(),
        assert_cmd::cargo::cargo_bin("healthprobe")
            .display()
            .to_string(),
    ];
    probe_with(&runner, &["--cacert", &cacert, &url]).expect(
        1,
        &format!(
            "unhealthy: GET {url}: TLS with {addr} failed: failed to get current time in <elapsed>"
        ),
    );
    probe_with(&runner, &["-k", &url]).expect(
        1,
        &format!("unhealthy: GET {url} (certificate not verified): TLS with {addr} failed: failed to get current time in <elapsed>"),
    );
}
