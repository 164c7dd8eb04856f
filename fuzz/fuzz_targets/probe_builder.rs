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
    "max_age",
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
        let (setter, d, on) = (
            which % 17,
            duration(value),
            value.first().is_some_and(|b| b % 2 == 1),
        );
        let before = probe.clone();
        let result = match setter {
            0 => before.timeout(d),
            1 => before.connect_timeout(d),
            2 => before.method(if on { Method::Head } else { Method::Get }),
            3 => before.header(first, second),
            4 => before.expect_status(&text),
            5 => before.expect_body(&text),
            6 => before.expect_json(&text),
            7 => before.follow_redirects(on),
            8 => before.unix_socket(&*text),
            9 => before.grpc_service(&text),
            10 => before.cacert(&*text),
            11 => before.insecure(on),
            12 => before.client_cert(first, second),
            13 => before.server_name(&text),
            14 => before.wait(d),
            15 => before.max_age(d),
            _ => before.interval(d),
        };
        match result {
            Ok(next) => {
                match setter {
                    0 => timeout = d,
                    1 => connect = Some(d),
                    2 => head = on,
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
