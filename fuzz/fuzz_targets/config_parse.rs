//! `config::parse` on arbitrary arguments and an arbitrary environment.
//!
//! The input is split on NUL bytes. Its first byte says how many of the pieces
//! are arguments; the rest are `NAME=VALUE` environment entries (the first
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

use healthprobe::fuzz::config::{self, Command, Config, Method, Plan};
use healthprobe::fuzz::url::{Scheme, Url};
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

    match config::parse(args, lookup) {
        Ok(Command::Probe(plan)) => check_plan(&plan),
        Ok(Command::Help | Command::Version | Command::Install(_)) => {}
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
    if let Some(wait) = plan.wait {
        assert!(is_duration(wait.limit) && is_duration(wait.interval));
    }
    let any_http = plan.targets.iter().any(|c| c.url.scheme.is_http());
    let any_https = plan.targets.iter().any(|c| c.url.scheme.is_tls());
    let any_grpc = plan.targets.iter().any(|c| c.url.scheme.is_grpc());
    for config in &plan.targets {
        check_config(config, any_http, any_https, any_grpc);
    }
}

fn is_duration(d: Duration) -> bool {
    d >= Duration::from_millis(1) && d <= healthprobe::fuzz::MAX_DURATION
}

fn check_config(config: &Config, any_http: bool, any_https: bool, any_grpc: bool) {
    assert!(is_duration(config.timeout));
    if let Some(connect) = config.connect_timeout {
        assert!(is_duration(connect) && connect <= config.timeout);
    }

    let request = config.url.as_request_url();
    assert_eq!(
        Url::parse(&request).as_ref(),
        Ok(&config.url),
        "{request:?}"
    );
    assert!(config.url.to_string().bytes().all(|b| b.is_ascii_graphic()));
    if config.url.scheme.is_http() {
        let line = config.method.as_str().len() + config.url.request_target().len();
        assert!(line < config::MAX_REQUEST_LINE, "{request:?}");
    }

    for (name, value) in &config.headers {
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

    if let Some(body) = &config.expect_body {
        assert!(!body.is_empty());
        assert_eq!(config.method, Method::Get);
    }
    if let Some(socket) = &config.unix_socket {
        let name = socket.to_string();
        assert!(name.len() <= config::MAX_UNIX_PATH + 1 && !name.contains('\0'));
    }

    // Each setting goes only to the targets it fits.
    let scheme = config.url.scheme;
    if !scheme.is_http() {
        assert!(config.expect_body.is_none() && config.expect_json.is_empty());
        assert!(!config.follow_redirects && config.method == Method::Get);
        assert_eq!(config.expect_status.to_string(), "200-299");
    }
    if scheme == Scheme::Tcp {
        assert!(config.headers.is_empty() && config.unix_socket.is_none());
    }
    if !matches!(scheme, Scheme::Grpc | Scheme::Grpcs) {
        assert!(config.grpc_service.is_empty());
    }
    if !scheme.is_tls() {
        assert!(!config.tls.insecure && config.tls.client_cert.is_none());
        assert!(config.tls.server_name.is_none());
    }

    // Options that apply to no target given are refused, not ignored.
    if !any_http {
        assert!(config.expect_body.is_none() && config.expect_json.is_empty());
        assert!(!config.follow_redirects);
    }
    if !any_http && !any_grpc {
        assert!(config.headers.is_empty() && config.unix_socket.is_none());
    }
    if !any_grpc {
        assert!(config.grpc_service.is_empty());
    }
    // gRPC metadata: no reserved names, and within what one request carries.
    if any_grpc {
        for (name, _) in &config.headers {
            let name = name.to_ascii_lowercase();
            assert!(
                !name.starts_with("grpc-") && name != "te" && name != "content-type",
                "{name:?}"
            );
        }
        let total: usize = config.headers.iter().map(|(n, v)| n.len() + v.len()).sum();
        assert!(total <= config::MAX_GRPC_METADATA);
        assert!(config.grpc_service.len() <= config::MAX_GRPC_SERVICE);
    }
    if !any_https {
        assert!(!config.tls.insecure);
        assert!(config.tls.client_cert.is_none());
        assert!(config.tls.server_name.is_none());
    }
    if let Some(name) = &config.tls.server_name {
        assert!(!name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic()));
    }
}
