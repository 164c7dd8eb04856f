//! The PostgreSQL, Redis, MySQL and AMQP probes' exchanges (the answer parsers
//! and the verdicts), on whatever a server sends: the first byte picks the
//! kind, the rest is the server's answer, after which it closes.
//!
//! What must hold: nothing panics or grows without bound; the line is at
//! most 500 bytes of visible ASCII and never shows the URL's password; and
//! healthy means the answer began as the protocol's does (`R` or `E` for
//! PostgreSQL, `+` or `-` for Redis, a packet whose payload starts 0x0a for
//! MySQL, a method frame for AMQP).
#![no_main]

use healthprobe::fuzz::database_answer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, server)) = data.split_first() else {
        return;
    };
    let report = database_answer(kind, server);
    let line = report.line();
    assert!(line.len() <= 500, "{line:?}");
    assert!(line.bytes().all(|b| (0x20..0x7f).contains(&b)), "{line:?}");
    assert!(!report.probed().contains(":pw@"), "{line:?}");
    if report.is_healthy() {
        let first = server.first().copied();
        match kind % 4 {
            0 => assert!(matches!(first, Some(b'R' | b'E')), "{line:?}"),
            1 => assert!(matches!(first, Some(b'+' | b'-')), "{line:?}"),
            2 => assert_eq!(server.get(4), Some(&0x0a), "{line:?}"),
            _ => assert_eq!(first, Some(1), "{line:?}"),
        }
    }
});
