//! The library's `Probe` builder under arbitrary calls: a target, then any
//! setters in any order with any values, durations included (which the
//! command line's parser never passes unchecked).
//!
//! The input is split on NUL bytes: the first piece is the target, each
//! other piece one call, its first byte choosing the setter and the rest its
//! value (for durations, up to 16 bytes as little-endian seconds and
//! nanoseconds).
//!
//! What must hold: no call panics; an error is one lower-case line that
//! names a builder method; a probe that was built keeps its invariants (the connect
//! timeout within the timeout, no body check with HEAD).
#![no_main]

use std::time::Duration;

use healthprobe::{Error, Method, Probe};
use libfuzzer_sys::fuzz_target;

const SETTERS: &[&str] = &[
    "target",
    "timeout",
    "connect_timeout",
    "method",
    "header",
    "expect_status",
    "expect_body",
    "expect_json",
    "follow_redirects",
    "unix_socket",
    "grpc_service",
    "cacert",
    "insecure",
    "client_cert",
    "server_name",
    "wait",
    "interval",
];

fuzz_target!(|data: &[u8]| {
    let mut pieces = data.split(|&b| b == 0);
    let Some(target) = pieces.next() else {
        return;
    };
    let mut probe = match Probe::new(&String::from_utf8_lossy(target)) {
        Ok(probe) => probe,
        Err(error) => return check(&error),
    };
    let (mut timeout, mut connect, mut head, mut body) =
        (Duration::from_secs(2), None, false, false);
    for call in pieces.take(32) {
        let Some((&which, value)) = call.split_first() else {
            continue;
        };
        let text = String::from_utf8_lossy(value);
        let half = text.len() / 2;
        let (first, second) = text.split_at(text.floor_char_boundary(half));
        let result = match which % 16 {
            0 => probe.clone().timeout(duration(value)),
            1 => probe.clone().connect_timeout(duration(value)),
            2 => probe.clone().method(match value.first() {
                Some(b) if b % 2 == 1 => Method::Head,
                _ => Method::Get,
            }),
            3 => probe.clone().header(first, second),
            4 => probe.clone().expect_status(&text),
            5 => probe.clone().expect_body(&text),
            6 => probe.clone().expect_json(&text),
            7 => probe
                .clone()
                .follow_redirects(value.first().is_some_and(|b| b % 2 == 1)),
            8 => probe.clone().unix_socket(&*text),
            9 => probe.clone().grpc_service(&text),
            10 => probe.clone().cacert(&*text),
            11 => probe
                .clone()
                .insecure(value.first().is_some_and(|b| b % 2 == 1)),
            12 => probe.clone().client_cert(first, second),
            13 => probe.clone().server_name(&text),
            14 => probe.clone().wait(duration(value)),
            _ => probe.clone().interval(duration(value)),
        };
        match result {
            Ok(next) => {
                match which % 16 {
                    0 => timeout = duration(value),
                    1 => connect = Some(duration(value)),
                    2 => head = value.first().is_some_and(|b| b % 2 == 1),
                    5 | 6 => body = true,
                    _ => {}
                }
                probe = next;
            }
            Err(error) => check(&error),
        }
        assert!(
            connect.is_none_or(|c| c <= timeout),
            "{connect:?} > {timeout:?}"
        );
        assert!(!(head && body), "HEAD with a body check");
        assert!(timeout >= Duration::from_millis(1) && timeout <= Duration::from_secs(3600));
    }
});

/// Seconds (8 bytes) and nanoseconds (4 bytes) from `value`, little-endian,
/// zero-padded: any `Duration`, zero and the largest included.
fn duration(value: &[u8]) -> Duration {
    let mut bytes = [0u8; 12];
    for (to, from) in bytes.iter_mut().zip(value) {
        *to = *from;
    }
    let secs = u64::from_le_bytes(bytes[..8].try_into().unwrap_or_default());
    let nanos = u32::from_le_bytes(bytes[8..].try_into().unwrap_or_default()) % 1_000_000_000;
    Duration::new(secs, nanos)
}

fn check(error: &Error) {
    let message = error.to_string();
    assert!(SETTERS.contains(&error.setting()), "{message:?}");
    assert!(!message.contains(['\n', '\r']), "{message:?}");
    assert!(
        message.starts_with(|c: char| c.is_ascii_lowercase()),
        "{message:?}"
    );
    assert!(SETTERS.iter().any(|s| message.contains(s)), "{message:?}");
}
