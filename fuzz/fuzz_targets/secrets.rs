//! No output holds any part of a URL's password, whatever the URL holds and
//! whatever else is wrong with it.
//!
//! The input builds a URL `SCHEME://USER:PASSWORD@HOST:PORT/PATH?QUERY`
//! from its pieces (split on NUL): the first byte picks the scheme (each
//! kind's, with the spellings applications carry) and how the URL is given;
//! the password is the next piece with every byte above 0x7f replaced by a
//! secret word (`Sx0q` to `Sx9q`); the other pieces are user, host, port,
//! path and query, from which the secret words' letters are taken out (and
//! from the user, the characters that would end it before the password or
//! open a `${VAR}` there).
//!
//! The URL is given as an argument, through `${DATABASE_URL}`, in
//! HEALTHPROBE_URL beside another target (unless its password holds
//! whitespace and then another URL, which that list's rule reads as two
//! targets), under `--wait`, and under the names curl, wget and
//! grpc_health_probe. What must hold: no error message and no line a probe
//! of the targets could print holds a secret word.
#![no_main]

use std::ffi::OsString;

use healthprobe::fuzz::config::{self, Command};
use libfuzzer_sys::fuzz_target;

const SCHEMES: [&str; 26] = [
    "mongodb",
    "mongodb+srv",
    "cassandra",
    "scylla+ssl",
    "kafka",
    "kafka+ssl",
    "nats",
    "tls",
    "memcached",
    "zookeeper",
    "postgres",
    "postgresql+psycopg2",
    "redis",
    "rediss",
    "unix",
    "mysql",
    "mysql2",
    "mariadb",
    "amqp",
    "pyamqp",
    "amqps",
    "http",
    "https",
    "grpc",
    "tcp",
    "file",
];

/// Where the secret words' letters cannot come from, outside the password.
fn plain(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .filter(|c| !matches!(c, 'S' | 'x' | 'q'))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let mut pieces = rest.split(|&b| b == 0);
    let mut piece = || pieces.next().unwrap_or_default();
    let password: String = piece()
        .iter()
        .map(|&b| match b {
            0x80.. => format!("Sx{}q", b % 10),
            b => char::from(b).to_string(),
        })
        .collect();
    if !password.contains("Sx") {
        return;
    }
    // A user that holds "/", "?", "#" or "@" would end the userinfo before
    // the password: the URL would then hold none (`file:///:PW@` is a
    // path). One that holds "$" could open a `${NAME:-...}` that the ":"
    // and the password close, and the password would become its default.
    let user: String = plain(piece())
        .chars()
        .filter(|c| !matches!(c, '/' | '?' | '#' | '@' | '$'))
        .collect();
    let (host, port, path, query) = (
        plain(piece()),
        plain(piece()),
        plain(piece()),
        plain(piece()),
    );
    let scheme = SCHEMES[usize::from(choice) % SCHEMES.len()];
    let mut url = format!("{scheme}://{user}:{password}@{host}");
    if !port.is_empty() {
        url.push(':');
        url.push_str(&port);
    }
    url.push_str(&path);
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query);
    }

    let os = |items: &[&str]| items.iter().map(OsString::from).collect::<Vec<_>>();
    let database_url = url.clone();
    let env = move |name: &str| match name {
        "DATABASE_URL" => Some(OsString::from(&database_url)),
        _ => None,
    };
    let listed = format!("tcp://127.0.0.1:1 {url}");
    let listing = move |name: &str| match name {
        "HEALTHPROBE_URL" => Some(OsString::from(&listed)),
        _ => None,
    };
    let mut outputs = Vec::new();
    let mut said = |result: Result<Command, _>| match result {
        Err(error) => outputs.push(format!("{error:#}")),
        Ok(Command::Probe(plan)) => outputs.extend(healthprobe::fuzz::lines(&plan)),
        Ok(Command::Text(text)) => outputs.push(text),
        Ok(Command::Help | Command::Version | Command::Install(_)) => {}
    };
    let addr = format!("-addr={url}");
    let mode = choice / 16 % 8;
    // HEALTHPROBE_URL is a list split at whitespace: a password that holds
    // whitespace and then another URL is, by that rule, two targets.
    if mode == 2 && password.contains(char::is_whitespace) && password.contains("://") {
        return;
    }
    match mode {
        0 => said(config::parse_invocation(None, os(&[&url]), |_| None)),
        1 => said(config::parse_invocation(None, os(&["${DATABASE_URL}"]), env)),
        2 => said(config::parse_invocation(None, os(&[]), listing)),
        3 => said(config::parse_invocation(
            None,
            os(&["--wait", "1s", "tcp://127.0.0.1:1", &url]),
            |_| None,
        )),
        4 => said(config::parse_invocation(
            Some("curl".as_ref()),
            os(&["-fsS", "--retry", "1", &url]),
            |_| None,
        )),
        5 => said(config::parse_invocation(
            Some("wget".as_ref()),
            os(&["-q", "--spider", &url]),
            |_| None,
        )),
        6 => said(config::parse_invocation(
            Some("grpc_health_probe".as_ref()),
            os(&[&addr]),
            |_| None,
        )),
        _ => said(config::parse_invocation(
            Some("curl".as_ref()),
            os(&["http://127.0.0.1:1/", &url]),
            |_| None,
        )),
    }
    for output in &outputs {
        assert!(
            !output.contains("Sx"),
            "a part of the password {password:?} of {url:?} is in {output:?}"
        );
    }
});
