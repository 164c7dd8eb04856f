//! The command line's `parse_invocation` on arbitrary arguments and an
//! arbitrary environment, under healthprobe's own name, `curl`, `wget` or
//! `grpc_health_probe`.
//!
//! The input is split on NUL bytes. Its first byte says how many of the pieces
//! are arguments (its low four bits) and the program's name (the next two);
//! the rest are `NAME=VALUE` environment entries (the first
//! entry for a name wins). Both may hold bytes that are not UTF-8. The real
//! process environment is never read: `parse` only sees the table built here.
//!
//! What must hold: `parse` never panics, asks the environment only for names a
//! real environment could hold, and every target it returns is as validated
//! as the help text promises.
#![no_main]

use std::cell::RefCell;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::time::Duration;

use healthprobe::fuzz::config::{self, Command, Kind, Method, Plan, Scheme, Target, UnixSocket};
use healthprobe::fuzz::url::{Url, rules};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&count, rest)) = data.split_first() else {
        return;
    };
    let mut pieces = rest.split(|&b| b == 0);
    let args: Vec<OsString> = pieces
        .by_ref()
        .take(usize::from(count % 16))
        .map(|a| OsString::from_vec(a.to_vec()))
        .collect();
    let env: Vec<(&[u8], &[u8])> = pieces
        .filter_map(|entry| {
            let eq = entry.iter().position(|&b| b == b'=')?;
            Some((&entry[..eq], &entry[eq + 1..]))
        })
        .collect();

    let asked = RefCell::new(Vec::new());
    let lookup = |name: &str| -> Option<OsString> {
        asked.borrow_mut().push(name.to_owned());
        env.iter()
            .find(|(n, _)| *n == name.as_bytes())
            .map(|(_, v)| OsString::from_vec(v.to_vec()))
    };

    // The bits above the count pick the name the binary runs under: its own,
    // or one of the tools whose command lines it takes.
    let program = match count / 16 % 4 {
        0 => None,
        1 => Some(std::ffi::OsStr::new("/usr/bin/curl")),
        2 => Some(std::ffi::OsStr::new("wget")),
        _ => Some(std::ffi::OsStr::new("grpc_health_probe")),
    };
    match config::parse_invocation(program, args, lookup) {
        Ok(Command::Probe(plan)) => check_plan(&plan),
        Ok(Command::Help | Command::Version | Command::Text(_) | Command::Install(_)) => {}
        // Formatting the error as main.rs does must not panic either.
        Err(error) => drop(format!("{error:#}")),
    }

    // main.rs passes these names to std::env::var_os, which cannot look up a
    // name that is empty or holds '=' or NUL.
    for name in asked.borrow().iter() {
        assert!(
            !name.is_empty() && !name.contains(['=', '\0']),
            "looked up {name:?}"
        );
    }
});

fn check_plan(plan: &Plan) {
    assert!(!plan.targets.is_empty() && plan.targets.len() <= config::MAX_TARGETS);
    // As curl or wget: one http:// or https:// target.
    if plan.mimic.is_some() {
        assert_eq!(plan.targets.len(), 1);
        assert!(matches!(plan.targets[0].scheme, Scheme::Http | Scheme::Https));
    }
    if let Some(wait) = plan.wait {
        assert!(is_duration(wait.limit) && is_duration(wait.interval));
    }
    let any = |kind: fn(Scheme) -> bool| plan.targets.iter().any(|t| kind(t.scheme));
    let any_http = any(|s| matches!(s, Scheme::Http | Scheme::Https));
    let any_grpc = any(|s| matches!(s, Scheme::Grpc | Scheme::Grpcs));
    for target in &plan.targets {
        check_target(target, any_http, any_grpc);
    }
}

fn is_duration(d: Duration) -> bool {
    d >= Duration::from_millis(1) && d <= healthprobe::fuzz::MAX_DURATION
}

fn check_target(target: &Target, any_http: bool, any_grpc: bool) {
    assert!(is_duration(target.timeout));
    if let Some(connect) = target.connect_timeout {
        assert!(is_duration(connect) && connect <= target.timeout);
    }

    // The request URL never carries a user or a password: it parses again
    // to the target's URL without them.
    let request = target.url.as_request_url();
    let mut anonymous = target.url.clone();
    (anonymous.user, anonymous.password) = (None, None);
    assert_eq!(
        Url::parse(&request, &rules).as_ref(),
        Ok(&anonymous),
        "{request:?}"
    );
    assert!(target.url.to_string().bytes().all(|b| b.is_ascii_graphic()));
    assert_eq!(target.scheme.takes_tls(), target.tls.is_some());

    for (name, value) in &target.headers {
        assert!(!name.is_empty(), "empty header name");
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)),
            "header name {name:?}"
        );
        // A CR or LF here would let a value start a header of its own.
        assert!(
            !value.bytes().any(|b| b.is_ascii_control() && b != b'\t'),
            "header {name:?} value {value:?}"
        );
        assert!(name.len() + value.len() < config::MAX_REQUEST_LINE);
    }
    // The kernel's limit is in bytes: a path from a URL may be any bytes,
    // percent-decoded, which the lossy display would count longer.
    if let Some(socket) = &target.unix_socket {
        let bytes = match socket {
            UnixSocket::Path(path) => path.as_os_str().as_encoded_bytes().to_vec(),
            UnixSocket::Abstract(name) => [b"@", name.as_bytes()].concat(),
        };
        assert!(bytes.len() <= config::MAX_UNIX_PATH + 1 && !bytes.contains(&0));
    }

    // Each kind carries its own settings, and only its scheme's.
    match (&target.kind, target.scheme) {
        (Kind::Http(check), Scheme::Http | Scheme::Https) => {
            let line = check.method.as_str().len() + target.url.request_target().len();
            assert!(line < config::MAX_REQUEST_LINE, "{request:?}");
            if let Some(body) = &check.expect_body {
                assert!(!body.is_empty());
                assert_eq!(check.method, Method::Get);
            }
            if !check.expect_json.is_empty() {
                assert_eq!(check.method, Method::Get);
            }
        }
        (Kind::Tcp, Scheme::Tcp) => {
            assert!(target.headers.is_empty() && target.unix_socket.is_none());
        }
        (Kind::Grpc(check), Scheme::Grpc | Scheme::Grpcs) => {
            assert!(check.service.len() <= config::MAX_GRPC_SERVICE);
            // Metadata: no reserved names, and within what one request carries.
            for (name, _) in &target.headers {
                let name = name.to_ascii_lowercase();
                assert!(
                    !name.starts_with("grpc-") && name != "te" && name != "content-type",
                    "{name:?}"
                );
            }
            let total: usize = target.headers.iter().map(|(n, v)| n.len() + v.len()).sum();
            assert!(total <= config::MAX_GRPC_METADATA);
        }
        (Kind::Postgres(check), Scheme::Postgres) => {
            // A role and a database are named, never with a NUL (which
            // would end the field early on the wire).
            assert!(!check.user.is_empty() && !check.user.contains('\0'));
            assert!(!check.database.is_empty() && !check.database.contains('\0'));
        }
        (Kind::Redis(check), Scheme::Redis | Scheme::Rediss | Scheme::RedisSocket) => {
            // A user only with its password: AUTH needs one.
            assert!(check.user.is_none() || check.password.is_some());
        }
        (Kind::Mysql(check), Scheme::Mysql) => {
            assert!(!check.user.is_empty() && !check.user.contains('\0'));
        }
        (Kind::Amqp, Scheme::Amqp | Scheme::Amqps) => {
            assert!(target.unix_socket.is_none());
        }
        (Kind::Nats(_), Scheme::Nats | Scheme::NatsTls) => {
            assert!(target.unix_socket.is_none() && target.headers.is_empty());
        }
        (Kind::Memcached, Scheme::Memcached) => {}
        (Kind::Zookeeper, Scheme::Zookeeper) => {
            assert!(target.unix_socket.is_none());
        }
        (Kind::Mongodb(_), Scheme::Mongodb) => {
            // Its members, each a host and a port; never TLS.
            assert!(target.unix_socket.is_none() && target.tls.is_none());
            assert!(!target.url.addresses.is_empty());
        }
        (Kind::Cassandra, Scheme::Cassandra | Scheme::CassandraSsl) => {
            assert!(target.unix_socket.is_none());
        }
        (Kind::Kafka, Scheme::Kafka | Scheme::KafkaSsl) => {
            // One place a broker the URL names, each a host and a port.
            assert!(target.unix_socket.is_none() && !target.url.addresses.is_empty());
        }
        (Kind::File(check), Scheme::File) => {
            // An absolute path the kernel can take (no NUL), and nothing
            // that connects.
            let path = check.path.as_os_str().as_encoded_bytes();
            assert!(path.starts_with(b"/") && !path.contains(&0), "{check:?}");
            assert!(target.unix_socket.is_none() && target.connect_timeout.is_none());
            if let Some(max_age) = check.max_age {
                assert!(max_age >= Duration::from_millis(1) && max_age <= config::MAX_AGE);
            }
        }
        (kind, scheme) => panic!("{scheme:?} target with {kind:?}"),
    }

    // Options that apply to no target given are refused, not ignored; a
    // socket comes from --unix-socket where the kind takes it, or from a
    // socket URL.
    if !any_http && !any_grpc {
        assert!(target.headers.is_empty());
    }
    if target.unix_socket.is_some() {
        let memcached = matches!(target.kind, Kind::Memcached);
        assert!(target.url.socket.is_some() || target.scheme.rules().userinfo || memcached || any_http || any_grpc);
    }
    if let Some(tls) = &target.tls {
        if let Some(name) = &tls.server_name {
            assert!(!name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic()));
        }
    }
}
