//! No byte of a password reaches any output: not a usage error about
//! something else in the URL, not a probe's line, not a `--wait` line,
//! under any name, whatever the password holds.
//!
//! The authority ends at the first "/", "?" or "#" (RFC 3986, as libpq,
//! redis-py and curl read it), so a password that holds one unencoded ends
//! the host early; healthprobe then sees an "@" after the host and refuses
//! the URL without showing any of it.

use crate::support::*;

/// The password's two halves: neither may appear in any output.
const FIRST: &str = "Pw1Kq8Zt";
const SECOND: &str = "Xv7Ry2Lm";

/// What every refused URL says.
const REFUSED: &str = "healthprobe: invalid URL: an \"@\" follows the host: percent-encode \"/\", \"?\" and \"#\" in a password (%2F, %3F, %23) and \"@\" in a path or query (%40); the URL is not shown, as it may hold a password";

fn no_secret(ran: &Ran) {
    for part in [FIRST, SECOND] {
        assert!(
            !ran.stdout.contains(part) && !ran.stderr.contains(part),
            "{ran}\nshows part of the password ({part})"
        );
    }
}

/// Every scheme that takes a password, with each character that ends an
/// authority unencoded in it, and with a first half that is a valid port.
fn urls() -> Vec<String> {
    let mut urls = Vec::new();
    for scheme in [
        "postgres",
        "postgresql+psycopg2",
        "redis",
        "rediss",
        "mysql",
        "mariadb",
        "amqp",
        "amqps",
        "http",
        "https",
    ] {
        for delimiter in ["/", "?", "#"] {
            let password = format!("{FIRST}{delimiter}{SECOND}");
            urls.push(format!("{scheme}://app:{password}@127.0.0.1:5432/app"));
        }
        urls.push(format!("{scheme}://app:5432/{SECOND}@127.0.0.1/app"));
    }
    urls.push(format!("unix://:{FIRST}/{SECOND}@/run/redis.sock?db=0"));
    urls
}

#[test]
fn a_password_that_ends_the_host_early_is_never_shown() {
    for url in urls() {
        no_secret(&probe(&[&url]).expect(64, REFUSED));
        // Through a variable, as a DATABASE_URL arrives.
        let ran = probe(&["${DATABASE_URL}"])
            .env("DATABASE_URL", &url)
            .expect(64, REFUSED);
        no_secret(&ran);
        let from_variable = REFUSED.replace("invalid URL", "invalid HEALTHPROBE_URL");
        let ran = probe(&[])
            .env("HEALTHPROBE_URL", &url)
            .expect(64, &from_variable);
        no_secret(&ran);
        // Waiting, and beside another target.
        let ran = probe(&["--wait", "1s", "tcp://127.0.0.1:1", &url]).expect(64, REFUSED);
        no_secret(&ran);
    }
}

#[test]
fn no_other_error_in_a_url_shows_its_password() {
    let password = format!("{FIRST}{SECOND}");
    for url in [
        format!("postgres://app:{password}@db:99999/app"),
        format!("postgres://app:{password}@db:x/app"),
        format!("redis://app:{password}@[::1/0"),
        format!("mysql://app:{password}@ex ample/"),
        format!("amqp://app:{password}@256.1.1.1/"),
        format!("http://app:{password}@127.0.0.1/"),
        format!("postgres//app:{password}@db/app"),
        format!("ftp://app:{password}@db/"),
        format!("postgres://app:{password}@db/a b"),
        format!("postgres://app:pa${{{FIRST}}}@db/app"),
        format!("postgres://app:pa${{{FIRST}-{SECOND}}}@db/app"),
        format!("postgres://h1,h2/app?port=1,2,3&password={password}"),
    ] {
        let ran = probe(&[&url]).run();
        assert_eq!(ran.code, Some(64), "{ran}");
        no_secret(&ran);
    }
}

#[test]
fn probe_lines_never_show_a_password_whatever_it_holds() {
    let closed = closed_port();
    for password in [
        format!("{FIRST}{SECOND}"),
        format!("{FIRST}%2F{SECOND}"),
        format!("{FIRST}@{SECOND}"),
        format!("{FIRST}:{SECOND}"),
    ] {
        for scheme in ["postgres", "redis", "mysql", "amqp"] {
            let url = format!("{scheme}://app:{password}@{closed}/0");
            let ran = probe(&["--wait", "300ms", "--interval", "100ms", &url]).run();
            assert_eq!(ran.code, Some(1), "{ran}");
            no_secret(&ran);
        }
    }
}

#[test]
fn the_names_curl_and_wget_show_no_password_either() {
    let named = Named::debug();
    for url in urls() {
        for (tool, flags) in [("curl", "-fsS"), ("wget", "-q")] {
            let ran = named.probe(tool, &[flags, &url]).run();
            assert_eq!(ran.code, Some(64), "{ran}");
            no_secret(&ran);
        }
        let ran = named.probe("curl", &["-fsS", "http://a/", &url]).run();
        assert_eq!(ran.code, Some(64), "{ran}");
        no_secret(&ran);
    }
}
