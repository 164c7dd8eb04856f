//! `healthprobe install DIR`: the copy an init container places in a shared
//! volume is the whole binary, executable, put in place atomically.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::support::*;

#[test]
fn install_copies_the_binary_executable_and_whole() {
    let scratch = TempDir::new();
    let dir = scratch.path();
    let target = dir.join("healthprobe");
    // An older copy is replaced, not appended to or left half-written.
    fs::write(&target, b"old").unwrap();
    probe(&["install", dir.to_str().unwrap()])
        .expect(0, &format!("installed {}", target.display()));
    let original = fs::read(assert_cmd::cargo::cargo_bin("healthprobe")).unwrap();
    assert_eq!(
        fs::read(&target).unwrap(),
        original,
        "the copy differs from the binary"
    );
    assert_eq!(
        fs::metadata(&target).unwrap().permissions().mode() & 0o7777,
        0o755
    );
    let leftovers: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("healthprobe")]);
    // The copy works on its own.
    probe_with(&[target.to_str().unwrap().to_owned()], &["-V"])
        .expect(0, &format!("healthprobe {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn install_into_a_missing_directory_fails_with_one_line() {
    probe(&["install", "/nonexistent/probe"]).expect(
        1,
        "healthprobe: cannot install into /nonexistent/probe: no such directory",
    );
}

#[test]
fn install_needs_exactly_one_directory() {
    probe(&["install"]).expect(64, "healthprobe: usage: healthprobe install DIR");
    probe(&["install", "/a", "/b"]).expect(64, "healthprobe: usage: healthprobe install DIR");
    // An unset variable in an init container's args gives an empty DIR.
    probe(&["install", ""]).expect(
        64,
        "healthprobe: install needs a directory, and the DIR given is empty",
    );
}
