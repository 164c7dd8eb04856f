//! `Url::parse` on arbitrary text, and `Url::join` of arbitrary redirect
//! locations against it.
//!
//! The input is split on NUL bytes: the first piece is the URL, the others are
//! `Location` values as a server would send them.
//!
//! What must hold: what parses prints as visible ASCII and parses again to the
//! same URL; the output line's form hides the query; a relative location never
//! leaves the base's origin; and the http crate, which ureq uses to send the
//! request, reads the same host and port from the URL as `same_origin` does.
#![no_main]

use std::net::IpAddr;

use healthprobe::fuzz::url::{Address, Host, HostRule, PathRule, Scheme, Url, rules};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut pieces = text.split('\0');
    let Some(base) = pieces.next().and_then(|b| Url::parse(b, &rules).ok()) else {
        return;
    };
    check(&base);
    for location in pieces.take(8) {
        let Ok(next) = base.join(location, &rules) else {
            continue;
        };
        check(&next);
        // A relative reference keeps the scheme, host and port: this is what
        // lets --follow-redirects stay on the origin it was given.
        let reference = location.split('#').next().unwrap_or_default();
        if reference.is_empty()
            || reference.starts_with(['?', '.'])
            || (reference.starts_with('/') && !reference.starts_with("//"))
        {
            assert!(base.same_origin(&next), "{location:?} left {base:?}");
        }
        // An absolute location is the URL it names, whatever the base
        // (less any user and password, which a request URL never carries).
        let absolute = next.as_request_url();
        let mut anonymous = next.clone();
        (anonymous.user, anonymous.password) = (None, None);
        assert_eq!(
            base.join(&absolute, &rules).as_ref(),
            Ok(&anonymous),
            "{absolute:?}"
        );
    }
});

fn check(url: &Url) {
    let request = url.as_request_url();
    assert!(request.bytes().all(|b| b.is_ascii_graphic()), "{request:?}");
    // The request URL never carries the user or the password (a database
    // URL's): it parses again to the same URL without them.
    let mut anonymous = url.clone();
    (anonymous.user, anonymous.password) = (None, None);
    assert_eq!(
        Url::parse(&request, &rules).as_ref(),
        Ok(&anonymous),
        "{request:?}"
    );
    // Nor does the line: its authority has no `@`, whatever the path holds.
    let shown = url.to_string();
    let authority = shown.split_once("://").map_or("", |(_, rest)| rest);
    let authority = authority.split(['/', '?']).next().unwrap_or_default();
    assert!(!authority.contains('@'), "{shown:?}");
    assert!(url.same_origin(url));

    // The output line's form: visible ASCII, the query reduced to "?...",
    // and a tcp:// or grpc:// target without the "/" it never sends.
    let shown = url.to_string();
    assert!(shown.bytes().all(|b| b.is_ascii_graphic()), "{shown:?}");
    let (scheme, _) = Scheme::named(url.scheme).expect("a parsed URL's scheme");
    match request.split_once('?') {
        Some((before, _)) => assert_eq!(shown, format!("{before}?...")),
        None if matches!(scheme.rules().path, PathRule::None { .. } | PathRule::Name)
            && url.request_target() == "/" =>
        {
            assert_eq!(format!("{shown}/"), request)
        }
        None => assert_eq!(shown, request),
    }

    // A file:// URL names a path on this machine, and no host at all; a
    // socket URL, a socket.
    match scheme.rules().path {
        PathRule::File => {
            assert!(request.starts_with("file:///"), "{request:?}");
            return;
        }
        PathRule::Socket => {
            assert!(url.socket.is_some() && url.addresses.is_empty(), "{request:?}");
            return;
        }
        _ => {}
    }
    // libpq's URLs may name several hosts, sockets, or none, and Kafka's
    // and MongoDB's several hosts; each is checked as it is parsed, and the
    // http crate reads none of them.
    match scheme.rules().hosts {
        HostRule::Libpq => {
            assert!(!url.addresses.is_empty(), "{request:?}");
            return;
        }
        HostRule::Several => {
            assert!(!url.addresses.is_empty(), "{request:?}");
            // Hosts, never socket directories.
            for address in &url.addresses {
                assert!(matches!(address, Address::Host(..)), "{request:?}");
            }
            return;
        }
        HostRule::One => {}
    }
    assert_eq!(url.addresses.len(), 1, "{request:?}");

    // The http crate parses the request URL for ureq: it must find the same
    // host and port, or same_origin would vouch for a host that is not the
    // one connected to.
    let Ok(uri) = request.parse::<http::Uri>() else {
        return;
    };
    let default_port = scheme.rules().default_port;
    assert_eq!(
        uri.port_u16().or(default_port),
        Some(url.port),
        "{request:?}"
    );
    let uri_host = uri.host().unwrap_or_default();
    let uri_host = uri_host.trim_start_matches('[').trim_end_matches(']');
    match &url.host {
        Host::Ip(ip) => assert_eq!(uri_host.parse::<IpAddr>().ok(), Some(*ip), "{request:?}"),
        Host::Name(name) => assert!(uri_host.eq_ignore_ascii_case(name), "{request:?}"),
    }
}
