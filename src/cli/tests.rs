use std::collections::HashMap;

use super::*;
#[cfg(feature = "grpc")]
use crate::kinds::MAX_GRPC_SERVICE;
use crate::spec::{ClientCert, DEFAULT_TIMEOUT, HttpCheck, Kind, Pem, Tls, TrustRoots, UnixSocket};
use crate::status::ExpectStatus;

/// The HTTP check's settings of an http:// target.
fn http(target: &Target) -> &HttpCheck {
    match &target.kind {
        Kind::Http(check) => check,
        other => panic!("not an HTTP target: {other:?}"),
    }
}

/// The gRPC service a grpc:// target asks about.
#[cfg(feature = "grpc")]
fn grpc_service(target: &Target) -> &str {
    match &target.kind {
        Kind::Grpc(check) => &check.service,
        other => panic!("not a gRPC target: {other:?}"),
    }
}

/// The TLS settings of a TLS target.
fn tls(target: &Target) -> &Tls {
    target.tls.as_ref().expect("a TLS target")
}

fn parse_with(args: &[&str], env: &[(&str, &str)]) -> Result<Command> {
    let env: HashMap<String, OsString> =
        env.iter().map(|(k, v)| (k.to_string(), v.into())).collect();
    parse(args.iter().map(OsString::from).collect(), |k| {
        env.get(k).cloned()
    })
}

fn plan(args: &[&str], env: &[(&str, &str)]) -> Plan {
    match parse_with(args, env) {
        Ok(Command::Probe(plan)) => plan,
        other => panic!("{args:?} {env:?} gave {other:?}"),
    }
}

/// The one target's probe.
fn config(args: &[&str], env: &[(&str, &str)]) -> Target {
    let plan = plan(args, env);
    assert_eq!(plan.targets.len(), 1, "{args:?} {env:?}");
    plan.targets.into_iter().next().unwrap()
}

fn error(args: &[&str], env: &[(&str, &str)]) -> String {
    match parse_with(args, env) {
        Err(e) => format!("{e:#}"),
        other => panic!("{args:?} {env:?} should fail, gave {other:?}"),
    }
}

#[test]
fn defaults_fill_every_setting() {
    let p = plan(&["http://127.0.0.1:9000/health"], &[]);
    let c = &p.targets[0];
    assert_eq!(c.url.to_string(), "http://127.0.0.1:9000/health");
    assert_eq!(c.scheme, Scheme::Http);
    assert_eq!(http(c).method, Method::Get);
    assert_eq!(c.timeout, Duration::from_secs(2));
    assert_eq!(c.connect_timeout, None);
    assert!(c.headers.is_empty());
    assert_eq!(http(c).expect_status, ExpectStatus::default());
    assert_eq!(http(c).expect_body, None);
    assert!(!http(c).follow_redirects && !p.quiet);
}

#[test]
fn every_option_is_read_from_flags() {
    let p = plan(
        &[
            "-t",
            "500ms",
            "--connect-timeout=100ms",
            "-X",
            "head",
            "-H",
            "A: 1",
            "--header",
            "B:2",
            "--expect-status",
            "200,204",
            "--follow-redirects",
            "-q",
            "http://h/",
        ],
        &[],
    );
    let c = &p.targets[0];
    assert_eq!(c.timeout, Duration::from_millis(500));
    assert_eq!(c.connect_timeout, Some(Duration::from_millis(100)));
    assert_eq!(http(c).method, Method::Head);
    assert_eq!(
        c.headers,
        vec![("A".into(), "1".into()), ("B".into(), "2".into())]
    );
    assert_eq!(http(c).expect_status.to_string(), "200,204");
    assert!(http(c).follow_redirects && p.quiet);
    let c = config(&["--expect-body", "ok", "http://h/"], &[]);
    assert_eq!(http(&c).expect_body.as_deref(), Some("ok"));
}

#[test]
fn every_option_is_read_from_the_environment() {
    let env = [
        ("HEALTHPROBE_URL", "http://h:1/x"),
        ("HEALTHPROBE_TIMEOUT", "3"),
        ("HEALTHPROBE_CONNECT_TIMEOUT", "1s"),
        ("HEALTHPROBE_METHOD", "GET"),
        ("HEALTHPROBE_HEADER", "A: 1\n\nB: 2\n"),
        ("HEALTHPROBE_EXPECT_STATUS", "200-399"),
        ("HEALTHPROBE_EXPECT_BODY", "ok"),
        ("HEALTHPROBE_FOLLOW_REDIRECTS", "true"),
        ("HEALTHPROBE_QUIET", "1"),
    ];
    let p = plan(&[], &env);
    let c = &p.targets[0];
    assert_eq!(c.url.as_request_url(), "http://h:1/x");
    assert_eq!(c.timeout, Duration::from_secs(3));
    assert_eq!(c.connect_timeout, Some(Duration::from_secs(1)));
    assert_eq!(
        c.headers,
        vec![("A".into(), "1".into()), ("B".into(), "2".into())]
    );
    assert_eq!(http(c).expect_status.to_string(), "200-399");
    assert_eq!(http(c).expect_body.as_deref(), Some("ok"));
    assert!(http(c).follow_redirects && p.quiet);
}

#[test]
fn flags_beat_the_environment() {
    let env = [
        ("HEALTHPROBE_URL", "http://env/"),
        ("HEALTHPROBE_TIMEOUT", "9s"),
        ("HEALTHPROBE_HEADER", "From-Env: 1"),
        ("HEALTHPROBE_EXPECT_STATUS", "500"),
    ];
    let c = config(
        &[
            "-t",
            "1s",
            "-H",
            "From-Flag: 1",
            "--expect-status",
            "200",
            "http://flag/",
        ],
        &env,
    );
    assert_eq!(c.url.as_request_url(), "http://flag/");
    assert_eq!(c.timeout, Duration::from_secs(1));
    assert_eq!(c.headers, vec![("From-Flag".into(), "1".into())]);
    assert_eq!(http(&c).expect_status.to_string(), "200");
}

#[test]
fn empty_variables_count_as_unset() {
    let p = plan(
        &["http://h/"],
        &[("HEALTHPROBE_TIMEOUT", ""), ("HEALTHPROBE_QUIET", "")],
    );
    let c = &p.targets[0];
    assert_eq!(c.timeout, DEFAULT_TIMEOUT);
    assert!(!p.quiet);
}

#[test]
fn expands_variables_in_url_headers_and_body() {
    let env = [("PORT", "9000"), ("TOKEN", "abc"), ("WANT", "ok")];
    let c = config(
        &[
            "-H",
            "Authorization: Bearer ${TOKEN}",
            "--expect-body",
            "\"${WANT}\"",
            "http://127.0.0.1:${PORT}/h",
        ],
        &env,
    );
    assert_eq!(c.url.as_request_url(), "http://127.0.0.1:9000/h");
    assert_eq!(
        c.headers,
        vec![("Authorization".into(), "Bearer abc".into())]
    );
    assert_eq!(http(&c).expect_body.as_deref(), Some("\"ok\""));
    let c = config(
        &[],
        &[("HEALTHPROBE_URL", "http://127.0.0.1:${PORT:-8080}/")],
    );
    assert_eq!(c.url.port, 8080);
}

#[test]
fn help_and_version_win_over_everything_else() {
    assert_eq!(parse_with(&["--bogus", "-h"], &[]).unwrap(), Command::Help);
    assert_eq!(parse_with(&["--help"], &[]).unwrap(), Command::Help);
    assert_eq!(parse_with(&["-V"], &[]).unwrap(), Command::Version);
}

#[test]
fn usage_errors_name_the_flag_or_variable_and_the_value() {
    for (args, env, want) in [
        (
            &[][..],
            &[][..],
            "no target to probe: give one as an argument or in HEALTHPROBE_URL",
        ),
        (
            &["-t", "2x", "http://h/"],
            &[],
            "invalid --timeout \"2x\": expected a duration like 500ms, 2s, 1.5s or 1m",
        ),
        (
            &["http://h/"],
            &[("HEALTHPROBE_TIMEOUT", "0")],
            "invalid HEALTHPROBE_TIMEOUT \"0\": must be at least 1ms",
        ),
        (&["--timeout"], &[], "--timeout needs a value"),
        (
            &["-t", "1s", "-t", "2s", "http://h/"],
            &[],
            "-t is given more than once",
        ),
        (
            &["--frobnicate", "http://h/"],
            &[],
            "unknown option \"--frobnicate\" (see --help)",
        ),
        (
            &["-X", "POST", "http://h/"],
            &[],
            "invalid --method \"POST\": expected GET or HEAD",
        ),
        (
            &["--expect-status", "2xx", "http://h/"],
            &[],
            "invalid --expect-status \"2xx\": \"2xx\" is not a status code from 100 to 599",
        ),
        (
            &["--connect-timeout", "3s", "http://h/"],
            &[],
            "--connect-timeout 3.00s is longer than --timeout 2.00s, so it would never apply",
        ),
        (
            &["-t", "1s", "http://h/"],
            &[("HEALTHPROBE_CONNECT_TIMEOUT", "3s")],
            "HEALTHPROBE_CONNECT_TIMEOUT 3.00s is longer than --timeout 1.00s, so it would never apply",
        ),
        (
            &["http://h/"],
            &[
                ("HEALTHPROBE_METHOD", "HEAD"),
                ("HEALTHPROBE_EXPECT_BODY", "ok"),
            ],
            "HEALTHPROBE_EXPECT_BODY needs a body, and responses to HEAD have none: use GET",
        ),
        (
            &["-X", "HEAD", "--expect-body", "ok", "http://h/"],
            &[],
            "--expect-body needs a body, and responses to HEAD have none: use GET",
        ),
        (
            &["--expect-body", "", "http://h/"],
            &[],
            "invalid --expect-body: the text is empty, so every body would match",
        ),
        (
            &["http://h/"],
            &[("HEALTHPROBE_QUIET", "maybe")],
            "invalid HEALTHPROBE_QUIET \"maybe\": expected true or false",
        ),
        (
            &["http://127.0.0.1:${PORT}/"],
            &[],
            "in URL: ${PORT} is not set and has no default",
        ),
        (
            &[],
            &[("HEALTHPROBE_URL", "http://h:$PORT/")],
            "in HEALTHPROBE_URL: a \"$\" must start ${NAME} or ${NAME:-default}; write $$ for a literal $",
        ),
        (
            &["http://127.0.0.1:${PORT}/"],
            &[("PORT", "")],
            "invalid URL: the URL's port is empty",
        ),
        (
            &["--expect-body", "${WANT}", "http://h/"],
            &[],
            "in --expect-body: ${WANT} is not set and has no default",
        ),
    ] {
        assert_eq!(error(args, env), want, "{args:?} {env:?}");
    }
}

#[test]
fn header_errors_never_show_the_value() {
    let secret = "hunter2";
    for (header, want) in [
        (
            "Authorization hunter2",
            "invalid --header: expected \"Name: value\" (the text given is not shown)",
        ),
        (
            "Bad Name: hunter2",
            "invalid --header name \"Bad Name\": expected letters, digits or !#$%&'*+-.^_`|~",
        ),
        (
            "X-Token: hunter2${NOPE}",
            "in --header \"X-Token\": ${NOPE} is not set and has no default",
        ),
        (
            "X-Token: hunter2\u{7f}",
            "invalid --header \"X-Token\": its value contains a control character",
        ),
    ] {
        let got = error(&["-H", header, "http://h/"], &[]);
        assert_eq!(got, want);
        assert!(!got.contains(secret));
    }
    let got = error(
        &["http://h/"],
        &[("HEALTHPROBE_HEADER", "X: 1\nX-Token: hunter2\rX")],
    );
    assert_eq!(
        got,
        "invalid HEALTHPROBE_HEADER \"X-Token\": its value contains a control character"
    );
    let got = error(&["-H", "X: ${S}", "http://h/"], &[("S", "a\nInjected: 1")]);
    assert_eq!(
        got,
        "invalid --header \"X\": its value contains a control character"
    );
}

#[test]
fn host_may_be_replaced_once() {
    let c = config(&["-H", "Host: api.internal", "http://127.0.0.1/"], &[]);
    assert_eq!(c.headers, vec![("Host".into(), "api.internal".into())]);
    assert_eq!(
        error(&["-H", "Host: a", "-H", "host: b", "http://h/"], &[]),
        "invalid --header: \"Host\" is given more than once"
    );
}

#[cfg(unix)]
#[test]
fn non_utf8_values_are_usage_errors() {
    use std::os::unix::ffi::OsStringExt;
    let bad = OsString::from_vec(vec![0x66, 0xff]);
    let err = parse(vec!["-t".into(), bad.clone(), "http://h/".into()], |_| None).unwrap_err();
    assert_eq!(
        format!("{err:#}"),
        "the value of --timeout is not valid UTF-8"
    );
    let err = parse(vec!["http://h/${X}".into()], |k| {
        (k == "X").then(|| bad.clone())
    })
    .unwrap_err();
    assert_eq!(format!("{err:#}"), "in URL: X is not valid UTF-8");
}

#[test]
fn tls_options_are_read_from_flags_and_the_environment() {
    let c = config(
        &[
            "--cacert",
            "/ca.pem",
            "-k",
            "--cert",
            "/c.pem",
            "--key",
            "/k.pem",
            "--server-name",
            "API.internal",
            "https://127.0.0.1/",
        ],
        &[],
    );
    assert_eq!(
        tls(&c).roots,
        TrustRoots::Given(Pem::File("/ca.pem".into()))
    );
    assert_eq!(c.names.source(Setting::Cacert), "--cacert");
    assert!(tls(&c).insecure);
    assert_eq!(
        tls(&c).client_cert,
        Some(ClientCert {
            cert: Pem::File("/c.pem".into()),
            key: Pem::File("/k.pem".into())
        })
    );
    assert_eq!(tls(&c).server_name.as_deref(), Some("api.internal"));

    let env = [
        ("DIR", "/certs"),
        ("HEALTHPROBE_CACERT", "${DIR}/ca.pem"),
        ("HEALTHPROBE_INSECURE", "false"),
        ("HEALTHPROBE_CERT", "${DIR}/both.pem"),
        ("HEALTHPROBE_SERVER_NAME", "::1"),
        ("SSL_CERT_FILE", "/ignored.pem"),
    ];
    let c = config(&["https://h/"], &env);
    assert_eq!(
        tls(&c).roots,
        TrustRoots::Given(Pem::File("/certs/ca.pem".into()))
    );
    assert_eq!(c.names.source(Setting::Cacert), "HEALTHPROBE_CACERT");
    assert!(!tls(&c).insecure);
    // Without --key, the key is read from the --cert file.
    assert_eq!(
        tls(&c).client_cert,
        Some(ClientCert {
            cert: Pem::File("/certs/both.pem".into()),
            key: Pem::File("/certs/both.pem".into())
        })
    );
    assert_eq!(tls(&c).server_name.as_deref(), Some("::1"));
}

#[test]
fn trust_roots_fall_back_to_ssl_cert_file_then_the_system() {
    let c = config(&["https://h/"], &[("SSL_CERT_FILE", "/etc/dhi/ca.pem")]);
    assert_eq!(
        tls(&c).roots,
        TrustRoots::Given(Pem::File("/etc/dhi/ca.pem".into()))
    );
    assert_eq!(c.names.source(Setting::Cacert), "SSL_CERT_FILE");
    assert_eq!(tls(&config(&["https://h/"], &[])).roots, TrustRoots::System);
}

#[test]
fn tls_usage_errors() {
    for (args, env, want) in [
        (
            &["-k", "http://h/"][..],
            &[][..],
            "--insecure applies only to https://, grpcs://, rediss://, amqps://, nats://, tls://, kafka+ssl://, cassandra+ssl:// and scylla+ssl:// targets, and none is given",
        ),
        (
            &["--cacert", "/ca.pem", "http://h/"],
            &[],
            "--cacert applies only to https://, grpcs://, rediss://, amqps://, nats://, tls://, kafka+ssl://, cassandra+ssl:// and scylla+ssl:// targets, and none is given",
        ),
        (
            &["--key", "/k.pem", "https://h/"],
            &[],
            "--key needs --cert",
        ),
        (
            &["--server-name", "bad name", "https://h/"],
            &[],
            "invalid --server-name \"bad name\": \"bad name\" is not a host name (letters, digits, \"-\", \".\"; use the xn-- form of an international name)",
        ),
        (
            &["--cacert", "${NOPE}/ca.pem", "https://h/"],
            &[],
            "in --cacert: ${NOPE} is not set and has no default",
        ),
        (
            &["https://h/"],
            &[("HEALTHPROBE_INSECURE", "sure")],
            "invalid HEALTHPROBE_INSECURE \"sure\": expected true or false",
        ),
    ] {
        assert_eq!(error(args, env), want, "{args:?} {env:?}");
    }
}

#[test]
fn several_targets_of_any_kind_come_from_arguments_or_the_variable() {
    let p = plan(
        &["-H", "A: 1", "tcp://db:5432", "http://api:8080/health"],
        &[],
    );
    let urls: Vec<String> = p.targets.iter().map(|c| c.url.to_string()).collect();
    assert_eq!(urls, ["tcp://db:5432", "http://api:8080/health"]);
    // Each option goes to the targets it fits: a TCP probe has no headers.
    assert!(p.targets[0].headers.is_empty());
    assert_eq!(p.targets[1].headers, [("A".into(), "1".into())]);

    let env = [
        ("HEALTHPROBE_URL", " tcp://${DB}:5432\n\thttp://api/ "),
        ("DB", "db"),
    ];
    let p = plan(&[], &env);
    let urls: Vec<String> = p.targets.iter().map(|c| c.url.to_string()).collect();
    assert_eq!(urls, ["tcp://db:5432", "http://api/"]);

    let sixteen: Vec<String> = (1..=16).map(|i| format!("tcp://h:{i}")).collect();
    let args: Vec<&str> = sixteen.iter().map(String::as_str).collect();
    assert_eq!(plan(&args, &[]).targets.len(), 16);
    let mut seventeen = args.clone();
    seventeen.push("tcp://h:17");
    assert_eq!(
        error(&seventeen, &[]),
        "17 targets given, more than the 16 healthprobe probes at once"
    );
}

#[test]
fn http_options_need_an_http_target_and_tls_options_an_https_one() {
    for (args, env, flag) in [
        (&["-X", "HEAD", "tcp://h:1"][..], &[][..], "--method"),
        (
            &["--expect-status", "200", "tcp://h:1"],
            &[],
            "--expect-status",
        ),
        (&["--expect-body", "ok", "tcp://h:1"], &[], "--expect-body"),
        (
            &["--follow-redirects", "tcp://h:1"],
            &[],
            "--follow-redirects",
        ),
    ] {
        assert_eq!(
            error(args, env),
            format!("{flag} applies only to http:// and https:// targets, and none is given")
        );
    }
    for (args, flag, kinds) in [
        (
            &["-H", "A: 1", "tcp://h:1"][..],
            "--header",
            "http://, https://, grpc:// and grpcs://",
        ),
        (
            &["--unix-socket", "/s", "tcp://h:1"],
            "--unix-socket",
            "http://, https://, grpc://, grpcs://, postgres://, postgresql://, redis://, rediss://, mysql://, mariadb:// and memcached://",
        ),
    ] {
        assert_eq!(
            error(args, &[]),
            format!("{flag} applies only to {kinds} targets, and none is given")
        );
    }
    assert_eq!(
        error(&["-k", "tcp://h:1", "http://h/"], &[]),
        "--insecure applies only to https://, grpcs://, rediss://, amqps://, nats://, tls://, kafka+ssl://, cassandra+ssl:// and scylla+ssl:// targets, and none is given"
    );
    // Mixed kinds: each option applies to the targets it fits.
    let p = plan(&["-k", "-H", "A: 1", "tcp://h:1", "https://h/"], &[]);
    assert_eq!(p.targets.len(), 2);
}

#[test]
fn tcp_targets_need_a_port_and_nothing_else() {
    assert_eq!(
        error(&["tcp://db"], &[]),
        "invalid URL: tcp:// needs a port, as in tcp://127.0.0.1:5432"
    );
    assert_eq!(
        error(&["tcp://db:5432/x"], &[]),
        "invalid URL: tcp:// takes only a host and a port, not \"/x\""
    );
    assert_eq!(
        config(&["tcp://[::1]:5432/"], &[]).url.to_string(),
        "tcp://[::1]:5432"
    );
}

#[test]
fn wait_and_interval() {
    assert_eq!(plan(&["tcp://h:1"], &[]).wait, None);
    let p = plan(&["--wait", "60s", "tcp://h:1"], &[]);
    assert_eq!(
        p.wait,
        Some(Wait {
            limit: Duration::from_secs(60),
            interval: Duration::from_secs(1)
        })
    );
    let env = [
        ("HEALTHPROBE_WAIT", "2m"),
        ("HEALTHPROBE_INTERVAL", "250ms"),
    ];
    assert_eq!(
        plan(&["tcp://h:1"], &env).wait,
        Some(Wait {
            limit: Duration::from_secs(120),
            interval: Duration::from_millis(250)
        })
    );
    assert_eq!(
        error(&["--interval", "1s", "tcp://h:1"], &[]),
        "--interval applies only with --wait"
    );
    assert_eq!(
        error(&["--wait", "soon", "tcp://h:1"], &[]),
        "invalid --wait \"soon\": expected a duration like 500ms, 2s, 1.5s or 1m"
    );
}

#[test]
fn everything_after_the_first_double_dash_is_the_command() {
    let p = plan(
        &[
            "--wait",
            "5s",
            "tcp://db:5432",
            "--",
            "/app/server",
            "-t",
            "--",
            "x",
        ],
        &[],
    );
    assert_eq!(p.command, ["/app/server", "-t", "--", "x"]);
    assert_eq!(p.targets.len(), 1);
    assert!(plan(&["tcp://db:5432"], &[]).command.is_empty());
    assert_eq!(
        error(&["tcp://db:5432", "--"], &[]),
        "-- needs a command after it, to run once every target is healthy"
    );
    assert_eq!(
        error(&["--", "/app/server"], &[]),
        "no target to probe: give one as an argument or in HEALTHPROBE_URL"
    );
}

#[test]
fn unix_sockets_are_paths_or_abstract_names_within_the_kernel_limit() {
    let c = config(
        &["--unix-socket", "/run/app.sock", "http://localhost/"],
        &[],
    );
    assert_eq!(
        c.unix_socket,
        Some(UnixSocket::Path("/run/app.sock".into()))
    );
    let env = [
        ("HEALTHPROBE_UNIX_SOCKET", "${DIR}/app.sock"),
        ("DIR", "/run"),
    ];
    let c = config(&["http://localhost/"], &env);
    assert_eq!(
        c.unix_socket,
        Some(UnixSocket::Path("/run/app.sock".into()))
    );
    let c = config(&["--unix-socket", "@app", "https://localhost/"], &[]);
    assert_eq!(c.unix_socket, Some(UnixSocket::Abstract("app".into())));

    let longest = format!("/{}", "a".repeat(106));
    let c = config(&["--unix-socket", &longest, "http://localhost/"], &[]);
    assert_eq!(
        c.unix_socket,
        Some(UnixSocket::Path(longest.clone().into()))
    );
    let too_long = format!("{longest}a");
    assert_eq!(
        error(&["--unix-socket", &too_long, "http://localhost/"], &[]),
        "invalid --unix-socket: the socket path is 108 bytes, more than the 107 the kernel allows"
    );
    let name = format!("@{}", "n".repeat(108));
    assert_eq!(
        error(&["--unix-socket", &name, "http://localhost/"], &[]),
        "invalid --unix-socket: the abstract socket name is 108 bytes, more than the 107 the kernel allows"
    );
    assert_eq!(
        error(&["--unix-socket", "@", "http://localhost/"], &[]),
        "invalid --unix-socket: the abstract socket name is empty"
    );
}

#[test]
fn variables_that_fit_no_target_are_ignored() {
    // One image's ENV serves its https:// HEALTHCHECK and the entrypoint's
    // wait for a database alike.
    let env = [
        ("HEALTHPROBE_HEADER", "A: 1"),
        ("HEALTHPROBE_UNIX_SOCKET", "/run/app.sock"),
        ("HEALTHPROBE_EXPECT_BODY", "UP"),
        ("HEALTHPROBE_METHOD", "HEAD"),
        ("HEALTHPROBE_FOLLOW_REDIRECTS", "1"),
        ("HEALTHPROBE_CACERT", "/certs/ca.pem"),
        ("HEALTHPROBE_INSECURE", "yes"),
        ("HEALTHPROBE_SERVER_NAME", "api"),
        ("HEALTHPROBE_INTERVAL", "5s"),
    ];
    let c = config(&["tcp://db:5432"], &env);
    assert!(c.headers.is_empty() && c.unix_socket.is_none() && c.kind == Kind::Tcp);
    assert!(c.tls.is_none());
    assert_eq!(plan(&["tcp://db:5432"], &env).wait, None);
    let env = [
        ("HEALTHPROBE_HEADER", "A: 1"),
        ("HEALTHPROBE_CACERT", "/ca.pem"),
    ];
    let c = config(&["http://h/"], &env);
    assert_eq!(c.tls, None);
    assert_eq!(c.headers, [("A".into(), "1".into())]);
    // Unless they are invalid where they do apply.
    assert_eq!(
        error(&["https://h/"], &[("HEALTHPROBE_INSECURE", "maybe")]),
        "invalid HEALTHPROBE_INSECURE \"maybe\": expected true or false"
    );
}

#[test]
#[cfg(feature = "grpc")]
fn grpc_targets_take_a_service_metadata_and_tls_options() {
    let p = plan(&["grpc://127.0.0.1:50051"], &[]);
    assert_eq!(grpc_service(&p.targets[0]), "");
    let env = [
        ("HEALTHPROBE_GRPC_SERVICE", "${SVC}"),
        ("SVC", "orders.v1.Orders"),
    ];
    assert_eq!(
        grpc_service(&plan(&["grpc://h:1"], &env).targets[0]),
        "orders.v1.Orders"
    );
    let p = plan(&["--grpc-service", "a.B", "grpc://h:1"], &env);
    assert_eq!(grpc_service(&p.targets[0]), "a.B");
    let env = [("TOKEN", "t0k")];
    let p = plan(
        &["-H", "Authorization: Bearer ${TOKEN}", "grpc://h:1"],
        &env,
    );
    assert_eq!(
        p.targets[0].headers,
        [("Authorization".to_owned(), "Bearer t0k".to_owned())]
    );
    let p = plan(
        &[
            "-H",
            "user-agent: mine",
            "--unix-socket",
            "/s",
            "grpc://h:1",
        ],
        &[],
    );
    assert!(p.targets[0].unix_socket.is_some());
    let p = plan(&["-k", "--server-name", "api", "grpcs://10.0.0.1"], &[]);
    assert!(tls(&p.targets[0]).insecure);
    assert_eq!(p.targets[0].url.port, 443);
    // A variable that fits no target is not read at all.
    let env = [("HEALTHPROBE_GRPC_SERVICE", "x")];
    assert_eq!(
        plan(&["http://h/"], &env).targets[0].kind,
        Kind::Http(HttpCheck::default())
    );
}

#[test]
#[cfg(feature = "grpc")]
fn grpc_usage_errors_name_the_option() {
    for (args, want) in [
        (
            &["grpc://h:1/grpc.health.v1.Health/Check"][..],
            "invalid URL: grpc:// takes only a host and a port, not \"/grpc.health.v1.Health/Check\": name the service to check with --grpc-service",
        ),
        (
            &["grpc://h"],
            "invalid URL: grpc:// needs a port, as in grpc://127.0.0.1:50051",
        ),
        (
            &["-X", "HEAD", "grpc://h:1"],
            "--method does not apply to grpc:// targets: a gRPC health check is judged by its SERVING status",
        ),
        (
            &["--expect-status", "200", "grpcs://h"],
            "--expect-status does not apply to grpcs:// targets: a gRPC health check is judged by its SERVING status",
        ),
        (
            &["--expect-body", "ok", "grpc://h:1"],
            "--expect-body does not apply to grpc:// targets: a gRPC health check is judged by its SERVING status",
        ),
        (
            &["--follow-redirects", "http://h/", "grpc://h:1"],
            "--follow-redirects does not apply to grpc:// targets: a gRPC health check is judged by its SERVING status",
        ),
        (
            &["--grpc-service", "x", "http://h/"],
            "--grpc-service applies only to grpc:// and grpcs:// targets, and none is given",
        ),
        (
            &["-H", "grpc-timeout: 1S", "grpc://h:1"],
            "invalid --header \"grpc-timeout\": gRPC reserves this name, and healthprobe sets what the call needs",
        ),
        (
            &["-H", "Content-Type: text/plain", "grpc://h:1"],
            "invalid --header \"Content-Type\": gRPC reserves this name, and healthprobe sets what the call needs",
        ),
        (
            &["-H", "te: x", "grpc://h:1"],
            "invalid --header \"te\": gRPC reserves this name, and healthprobe sets what the call needs",
        ),
        (
            &["-H", ":path: /x", "grpc://h:1"],
            "invalid --header name \"\": expected letters, digits or !#$%&'*+-.^_`|~",
        ),
    ] {
        assert_eq!(error(args, &[]), want, "{args:?}");
    }
    let long = "s".repeat(MAX_GRPC_SERVICE + 1);
    assert_eq!(
        error(&["--grpc-service", &long, "grpc://h:1"], &[]),
        "invalid --grpc-service: the name is 1025 bytes, more than the 1024 healthprobe sends"
    );
    let big = format!("x-a: {}", "v".repeat(5000));
    let big2 = format!("x-b: {}", "v".repeat(5000));
    assert_eq!(
        error(&["-H", &big, "-H", &big2, "grpc://h:1"], &[]),
        "the --header metadata adds up to 10006 bytes, more than the 8192 a gRPC request from healthprobe carries"
    );
    // The variable is not an error with an http:// target: it is not read.
    let env = [("HEALTHPROBE_EXPECT_STATUS", "200")];
    assert_eq!(plan(&["grpc://h:1"], &env).targets.len(), 1);
}
