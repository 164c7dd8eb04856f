//! The exchanges of the kinds that speak over a stream of their own
//! (PostgreSQL, Redis, MySQL, AMQP, NATS, memcached, ZooKeeper, Kafka,
//! Cassandra and MongoDB: the
//! answer parsers and the verdicts), on whatever a server sends: the first
//! byte picks the kind (its high bit the exchange a kind tries after a
//! server closed without a word: memcached's binary protocol), the rest is
//! the server's answer, after which it closes.
//!
//! What must hold: nothing panics or grows without bound; the line is at
//! most 500 bytes of visible ASCII and never shows the URL's password; and
//! healthy means the answer began as the protocol's does (`R` or `E` for
//! PostgreSQL, `+` or `-` for Redis, a packet whose payload starts 0x0a for
//! MySQL, a method frame for AMQP, `INFO` for NATS, `VERSION` or the
//! authentication error for memcached, or its binary answer to VERSION
//! with status 0, the statistics for ZooKeeper, the correlation id sent
//! for Kafka, SUPPORTED for CQL, an OP_MSG answering hello for MongoDB).
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
        let began = |start: &[u8]| server.starts_with(start);
        let kind = report.probed().split(' ').next().unwrap_or_default();
        match kind {
            "PostgreSQL" => assert!(matches!(first, Some(b'R' | b'E')), "{line:?}"),
            "Redis" => assert!(matches!(first, Some(b'+' | b'-')), "{line:?}"),
            "MySQL" => assert_eq!(server.get(4), Some(&0x0a), "{line:?}"),
            "AMQP" => assert_eq!(first, Some(1), "{line:?}"),
            "NATS" => assert!(
                server[..server.len().min(4)].eq_ignore_ascii_case(b"INFO"),
                "{line:?}"
            ),
            "memcached" => assert!(
                began(b"VERSION ")
                    || began(b"CLIENT_ERROR unauthenticated\r\n")
                    || (began(b"\x81\x0b") && server.get(6..8) == Some(&[0, 0])),
                "{line:?}"
            ),
            "ZooKeeper" => assert!(began(b"Zookeeper version: "), "{line:?}"),
            "Kafka" => assert_eq!(server.get(4..8), Some(&b"hpv0"[..]), "{line:?}"),
            "MongoDB" => assert_eq!(server.get(8..16), Some(&b"hp\0\x01\xdd\x07\0\0"[..]), "{line:?}"),
            // SUPPORTED, then READY or AUTHENTICATE: two response frames.
            "CQL" => assert!(first.is_some_and(|b| b & 0x80 != 0) && server.get(4) == Some(&0x06), "{line:?}"),
            other => panic!("a kind this target does not know: {other}"),
        }
    }
});
