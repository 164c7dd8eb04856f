//! What only another user meets: a Unix socket that uid 65532 may not
//! connect to is named in the line. Needs root and setpriv.

use std::os::unix::fs::PermissionsExt;

use crate::support::*;

#[test]
#[ignore = "needs root and setpriv to run the probe as uid 65532 (HEALTHPROBE_TEST_SANDBOX): .ci/test runs it as root"]
fn permission_denied_on_the_socket_is_named() {
    // Root may connect to any socket, so the probe runs as uid 65532.
    required(
        "HEALTHPROBE_TEST_SANDBOX",
        "root and setpriv, to run the probe as uid 65532",
    );
    let dir = TempDir::new();
    let path = dir.path().join("private.sock");
    let path = path.to_str().unwrap();
    let _requests = unix_http(path, 1);
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let runner = [
        "/usr/bin/setpriv".to_owned(),
        "--reuid=65532".to_owned(),
        "--regid=65532".to_owned(),
        "--clear-groups".to_owned(),
        assert_cmd::cargo::cargo_bin("healthprobe")
            .display()
            .to_string(),
    ];
    let url = "http://localhost/health";
    probe_with(&runner, &["--unix-socket", path, url]).expect(
        1,
        &format!("unhealthy: GET {url}: permission denied at {path} in <elapsed>"),
    );
}
