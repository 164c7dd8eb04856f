//! The command line: arguments and environment in, a `Plan` of validated
//! probes out, each built with the library's [`Probe`]. Pure: the
//! environment arrives as a lookup function, so tests never touch process
//! state.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};

pub use crate::config::Wait;
use crate::config::{
    Config, DEFAULT_INTERVAL, GRPC_TARGETS, HTTP_TARGETS, Method, Probe, REQUEST_TARGETS,
    TLS_TARGETS,
};
use crate::duration;
use crate::error::{Error, Setting};
use crate::expand::expand;
use crate::url::Scheme;

pub use crate::install::install;
pub use crate::outcome::{
    EXIT_HEALTHY, EXIT_UNHEALTHY, EXIT_USAGE, internal_error, one_line, os_error_text,
};
pub use crate::wait::check;

pub const HELP: &str = "\
healthprobe - a health probe for containers with no shell

Usage: healthprobe [OPTIONS] [TARGET...] [-- COMMAND [ARGS...]]
       healthprobe install DIR

Probes each TARGET (at most 16, concurrently, each within the timeout)
and exits 0 when every one is healthy, 1 when any is not, and 64 when the
arguments are wrong. Prints one line per target: unhealthy ones first, on
stderr; healthy ones on stdout. With -- COMMAND, runs COMMAND in place of
healthprobe (same PID) once every target is healthy. Every option can also
be set with the environment variable shown; an option on the command line
wins.

Targets:
  http://HOST[:PORT]/PATH, https://...  An HTTP request; healthy by its status
  tcp://HOST:PORT                       A TCP connection is accepted
  grpc://HOST:PORT, grpcs://HOST[:PORT] A gRPC health check answers SERVING
  [TARGET...]  In the variable, separated by whitespace [env: HEALTHPROBE_URL]

Options:
  -t, --timeout <DURATION>
          One deadline for each probe, from name resolution to the last
          byte read                     [env: HEALTHPROBE_TIMEOUT] [default: 2s]
      --connect-timeout <DURATION>
          A shorter limit for connecting, inside the deadline
                                 [env: HEALTHPROBE_CONNECT_TIMEOUT] [default: none]
      --wait <DURATION>
          Probe again until every target is healthy or DURATION has passed
          since start; print a line when a target's failure changes
                                          [env: HEALTHPROBE_WAIT] [default: none]
      --interval <DURATION>
          With --wait, start attempts this far apart
                                         [env: HEALTHPROBE_INTERVAL] [default: 1s]
  -q, --quiet
          Print nothing for healthy targets  [env: HEALTHPROBE_QUIET] [default: off]

HTTP options (http:// and https:// targets; gRPC ones take -H and a socket too):
  -X, --method <GET|HEAD>
          The request method                [env: HEALTHPROBE_METHOD] [default: GET]
  -H, --header <'Name: value'>
          A request header (gRPC: metadata); repeatable. Replaces the default
          User-Agent, Accept, Connection or Host of the same name. In the
          variable, one header per line   [env: HEALTHPROBE_HEADER] [default: none]
      --expect-status <LIST>
          Healthy status codes, like 200, 200-399 or 200,204,301-302
                                  [env: HEALTHPROBE_EXPECT_STATUS] [default: 200-299]
      --expect-body <TEXT>
          Text that must appear in the first 64 KiB of the body
                                    [env: HEALTHPROBE_EXPECT_BODY] [default: none]
      --expect-json <EXPR>
          What the JSON body (at most 64 KiB) must say; repeatable, every one
          must hold: PATH alone (exists, not false or null), or PATH OP VALUE
          with OP one of == != < <= > >=, as in '.status == \"UP\"' or
          '.checks[0].status == UP'. PATH: . .name .\"a name\" [N]. In the
          variable, one per line       [env: HEALTHPROBE_EXPECT_JSON] [default: none]
      --follow-redirects
          Follow up to 5 redirects that keep the scheme, host and port
                               [env: HEALTHPROBE_FOLLOW_REDIRECTS] [default: off]
      --unix-socket <PATH>
          Connect to this Unix socket instead of the URL's host, which still
          makes the Host header and the TLS name; @NAME is an abstract socket
                                   [env: HEALTHPROBE_UNIX_SOCKET] [default: none]

gRPC options (grpc:// and grpcs:// targets):
      --grpc-service <NAME>
          The service to ask grpc.health.v1.Health/Check about; empty asks
          about the server as a whole  [env: HEALTHPROBE_GRPC_SERVICE] [default: \"\"]

TLS options (https:// and grpcs:// targets):
      --cacert <FILE>
          PEM certificates to trust instead of the system's
            [env: HEALTHPROBE_CACERT] [default: $SSL_CERT_FILE, else the system bundle]
  -k, --insecure
          Do not verify the server's certificate
                                     [env: HEALTHPROBE_INSECURE] [default: off]
      --cert <FILE>
          PEM client certificate (chain) to present  [env: HEALTHPROBE_CERT] [default: none]
      --key <FILE>
          PEM private key for --cert (RSA, ECDSA or Ed25519)
                                   [env: HEALTHPROBE_KEY] [default: the --cert file]
      --server-name <NAME>
          The name to send (SNI) and to verify, when the URL names an address
                                 [env: HEALTHPROBE_SERVER_NAME] [default: the URL's host]
  -h, --help     Print this help
  -V, --version  Print the version

`healthprobe install DIR` copies healthprobe to DIR/healthprobe (mode 0755,
atomically), e.g. from an init container into a volume it shares with the app.

Durations: 250ms, 2s, 1.5s, 1m; a bare number means seconds.
Targets, header values, --expect-body, --expect-json, --grpc-service,
--unix-socket and file options expand ${VAR} and ${VAR:-default} from
healthprobe's own environment; write $$ for a literal $. Proxy variables
are ignored, and localhost is always the loopback interface.
";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Help,
    Version,
    Probe(Plan),
    /// `install DIR`: copy this binary to `DIR/healthprobe`.
    Install(PathBuf),
}

/// Everything a run does: probe the targets (concurrently), perhaps until
/// they are healthy, then perhaps run a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// One validated probe per target, in the order given: at least one, at
    /// most [`MAX_TARGETS`].
    pub targets: Vec<Config>,
    /// `--quiet`: no lines for healthy targets.
    pub quiet: bool,
    /// `--wait` and `--interval`.
    pub wait: Option<Wait>,
    /// The command after `--`, to run in place of healthprobe once every
    /// target is healthy; empty when there is none.
    pub command: Vec<OsString>,
}

/// The most targets one run probes.
pub const MAX_TARGETS: usize = 16;

/// The program name under which healthprobe takes grpc-health-probe's flags.
pub const GRPC_HEALTH_PROBE: &str = "grpc_health_probe";

/// Parses a command line as [`parse`] does, or, when the binary runs under
/// the name `grpc_health_probe` (a `COPY` under that name, or a symlink), as
/// grpc-health-probe's flags (`grpc_health_probe::translate`). In that
/// mode no `HEALTHPROBE_*` variable applies, since the command line is meant
/// to mean what it meant to grpc-health-probe; only `SSL_CERT_FILE` does,
/// which Go's TLS honours too.
pub fn parse_invocation(
    program: Option<&std::ffi::OsStr>,
    args: Vec<OsString>,
    env: impl Fn(&str) -> Option<OsString>,
) -> Result<Command> {
    let name = program.and_then(|p| std::path::Path::new(p).file_name());
    #[cfg(feature = "grpc")]
    if name.is_some_and(|n| n == GRPC_HEALTH_PROBE) {
        let args = grpc_health_probe::translate(args)?;
        return parse(args, |name| match name {
            "SSL_CERT_FILE" => env(name),
            _ => None,
        });
    }
    #[cfg(not(feature = "grpc"))]
    let _ = name;
    parse(args, env)
}

/// Parses the arguments (without the program name) and the `HEALTHPROBE_*`
/// variables read through `env`, which also serves `${VAR}` expansion.
pub fn parse(args: Vec<OsString>, env: impl Fn(&str) -> Option<OsString>) -> Result<Command> {
    parse_with_env(args, &env)
}

/// [`parse`] with the environment as a trait object: one copy of the parser
/// in the binary, whatever the lookup functions callers pass (20 KB each).
fn parse_with_env(args: Vec<OsString>, env: &dyn Fn(&str) -> Option<OsString>) -> Result<Command> {
    if args.first().is_some_and(|a| a == "install") {
        return match &args[1..] {
            [dir] if dir.is_empty() => {
                bail!("install needs a directory, and the DIR given is empty")
            }
            [dir] if !dir.to_string_lossy().starts_with('-') => Ok(Command::Install(dir.into())),
            _ => bail!("usage: healthprobe install DIR"),
        };
    }
    // Everything after the first `--` is the command to run once healthy.
    let (args, command) = match args.iter().position(|a| a == "--") {
        Some(at) => {
            let mut args = args;
            let command = args.split_off(at + 1);
            args.pop();
            if command.is_empty() {
                bail!("-- needs a command after it, to run once every target is healthy");
            }
            (args, command)
        }
        None => (args, Vec::new()),
    };
    let mut args = pico_args::Arguments::from_vec(args);
    if args.contains(["-h", "--help"]) {
        return Ok(Command::Help);
    }
    if args.contains(["-V", "--version"]) {
        return Ok(Command::Version);
    }
    let follow_redirects = args.contains("--follow-redirects");
    let quiet = args.contains(["-q", "--quiet"]);
    let insecure = args.contains(["-k", "--insecure"]);
    let mut option = |keys: &[&'static str]| -> Result<Option<String>> {
        let flag = *keys.last().unwrap_or(&"");
        let value = match keys {
            [short, long] => args.opt_value_from_str([*short, *long]),
            _ => args.opt_value_from_str(flag),
        };
        value.map_err(|e| usage_error(flag, e))
    };
    let timeout = option(&["-t", "--timeout"])?;
    let connect_timeout = option(&["--connect-timeout"])?;
    let method = option(&["-X", "--method"])?;
    let expect_status = option(&["--expect-status"])?;
    let expect_body = option(&["--expect-body"])?;
    let cacert = option(&["--cacert"])?;
    let cert = option(&["--cert"])?;
    let key = option(&["--key"])?;
    let server_name = option(&["--server-name"])?;
    let unix_socket = option(&["--unix-socket"])?;
    let grpc_service = option(&["--grpc-service"])?;
    let wait = option(&["--wait"])?;
    let interval = option(&["--interval"])?;
    let headers: Vec<String> = args
        .values_from_str(["-H", "--header"])
        .map_err(|e| usage_error("--header", e))?;
    let expect_json: Vec<String> = args
        .values_from_str("--expect-json")
        .map_err(|e| usage_error("--expect-json", e))?;
    let targets = free_arguments(args.finish())?;

    let env = Env(env);
    // Targets: the arguments, each expanded; else HEALTHPROBE_URL, expanded,
    // then split at whitespace.
    let mut sources = Sources::default();
    let mut expanded_targets = Vec::with_capacity(targets.len());
    if targets.is_empty() {
        if let Some((_, list)) = env.expanded("URL", None, Some("HEALTHPROBE_URL"))? {
            sources.set(Setting::Target, "HEALTHPROBE_URL");
            expanded_targets.extend(list.split_whitespace().map(str::to_owned));
        }
    }
    for target in targets {
        if let Some((_, target)) = env.expanded("URL", Some(target), None)? {
            expanded_targets.push(target);
        }
    }
    let targets = expanded_targets;
    if targets.is_empty() {
        bail!("no target to probe: give one as an argument or in HEALTHPROBE_URL");
    }
    if targets.len() > MAX_TARGETS {
        bail!(
            "{} targets given, more than the {MAX_TARGETS} healthprobe probes at once",
            targets.len()
        );
    }
    let mut probes = Vec::with_capacity(targets.len());
    for target in &targets {
        probes.push(Probe::new(target).map_err(|e| sources.error(e))?);
    }
    let schemes: Vec<Scheme> = probes.iter().map(Probe::scheme).collect();
    let any_http = schemes.iter().any(|s| s.is_http());
    let any_https = schemes.iter().any(|s| s.is_tls());
    // Always false without the grpc feature (such URLs are refused above),
    // which lets the compiler drop the gRPC checks from an HTTP-only build.
    let any_grpc = cfg!(feature = "grpc") && schemes.iter().any(|s| s.is_grpc());
    // Headers and --unix-socket serve HTTP and gRPC targets alike.
    let any_request = any_http || any_grpc;
    // A variable that fits none of the targets is not even read: an image's
    // ENV serves every healthprobe command in it, say an https:// HEALTHCHECK
    // and an entrypoint that waits for tcp://db:5432. A flag that fits none
    // is an error (below).
    let http_var = |name: &'static str| any_http.then_some(name);
    let https_var = |name: &'static str| any_https.then_some(name);
    let request_var = |name: &'static str| any_request.then_some(name);
    let timeout = env.duration("--timeout", timeout, Some("HEALTHPROBE_TIMEOUT"))?;
    let connect_timeout = env.duration(
        "--connect-timeout",
        connect_timeout,
        Some("HEALTHPROBE_CONNECT_TIMEOUT"),
    )?;

    let method_given = env.setting("--method", method, http_var("HEALTHPROBE_METHOD"))?;
    let method = match &method_given {
        None => None,
        Some((_, m)) if m.eq_ignore_ascii_case("GET") => Some(Method::Get),
        Some((_, m)) if m.eq_ignore_ascii_case("HEAD") => Some(Method::Head),
        Some((source, m)) => bail!("invalid {source} {m:?}: expected GET or HEAD"),
    };
    let expect_status = env.setting(
        "--expect-status",
        expect_status,
        http_var("HEALTHPROBE_EXPECT_STATUS"),
    )?;
    let expect_body = env.expanded(
        "--expect-body",
        expect_body,
        http_var("HEALTHPROBE_EXPECT_BODY"),
    )?;

    // --expect-json: each flag one expression; the variable one per line.
    let (expect_json_source, expect_json) = match expect_json.is_empty() {
        false => ("--expect-json", expect_json),
        true => match env.get_some(http_var("HEALTHPROBE_EXPECT_JSON"))? {
            Some(lines) => ("HEALTHPROBE_EXPECT_JSON", nonblank_lines(&lines)),
            None => ("--expect-json", Vec::new()),
        },
    };
    let expect_json_given = (!expect_json.is_empty()).then(|| expect_json_source.to_owned());
    #[cfg(not(feature = "json"))]
    if let Some(source) = &expect_json_given {
        bail!("{source} needs JSON, which this build leaves out (built without the json feature)");
    }
    let mut expressions = Vec::with_capacity(expect_json.len());
    for text in &expect_json {
        let text = expand(text, |var| env.get_raw(var))
            .map_err(|why| anyhow!("in {expect_json_source}: {why}"))?;
        expressions.push(text);
    }

    let (headers_source, headers) = match headers.is_empty() {
        false => ("--header", parse_headers(&headers, "--header", &env)?),
        true => match env.get_some(request_var("HEALTHPROBE_HEADER"))? {
            Some(lines) => {
                let headers = parse_headers(&nonblank_lines(&lines), "HEALTHPROBE_HEADER", &env)?;
                ("HEALTHPROBE_HEADER", headers)
            }
            None => ("--header", Vec::new()),
        },
    };
    let follow_redirects = match follow_redirects {
        true => Some("--follow-redirects"),
        false => env
            .flag_some(http_var("HEALTHPROBE_FOLLOW_REDIRECTS"))?
            .then_some("HEALTHPROBE_FOLLOW_REDIRECTS"),
    };
    let unix_socket = env.expanded(
        "--unix-socket",
        unix_socket,
        request_var("HEALTHPROBE_UNIX_SOCKET"),
    )?;

    // Options that fit no target would silently do nothing. A gRPC check
    // has no method, status list or body to check, so these flags with a
    // grpc:// target are a mistake too (a variable is simply not applied).
    let http_only = [
        method_given.map(|(source, _)| source),
        expect_status.as_ref().map(|(source, _)| source.clone()),
        expect_body.as_ref().map(|(source, _)| source.clone()),
        expect_json_given,
        follow_redirects.map(str::to_owned),
    ];
    if let Some(scheme) = schemes.iter().find(|s| any_grpc && s.is_grpc()) {
        let flag = http_only
            .iter()
            .flatten()
            .find(|source| source.starts_with('-'));
        if let Some(flag) = flag {
            bail!(
                "{flag} does not apply to {scheme}:// targets: a gRPC health check is judged by its SERVING status"
            );
        }
    }
    if !any_http {
        if let Some(source) = http_only.into_iter().flatten().next() {
            bail!("{source} applies only to {HTTP_TARGETS} targets, and none is given");
        }
    }
    if !any_request {
        let given = [
            (!headers.is_empty()).then(|| headers_source.to_owned()),
            unix_socket.as_ref().map(|(source, _)| source.clone()),
        ];
        if let Some(source) = given.into_iter().flatten().next() {
            bail!("{source} applies only to {REQUEST_TARGETS} targets, and none is given");
        }
    }
    let grpc_service = env.expanded(
        "--grpc-service",
        grpc_service,
        any_grpc.then_some("HEALTHPROBE_GRPC_SERVICE"),
    )?;
    if let Some((source, _)) = grpc_service.as_ref().filter(|_| !any_grpc) {
        bail!("{source} applies only to {GRPC_TARGETS} targets, and none is given")
    }

    // File options and the server name may use ${VAR} too.
    let cacert = env.expanded("--cacert", cacert, https_var("HEALTHPROBE_CACERT"))?;
    let cert = env.expanded("--cert", cert, https_var("HEALTHPROBE_CERT"))?;
    let key = env.expanded("--key", key, https_var("HEALTHPROBE_KEY"))?;
    let server_name = env.expanded(
        "--server-name",
        server_name,
        https_var("HEALTHPROBE_SERVER_NAME"),
    )?;
    let insecure = insecure || env.flag_some(https_var("HEALTHPROBE_INSECURE"))?;
    if !any_https {
        // Redirects never change the scheme, so these could never apply.
        let given = [&cacert, &cert, &key, &server_name]
            .into_iter()
            .flatten()
            .map(|(source, _)| source.clone())
            .chain(insecure.then(|| "--insecure".to_owned()))
            .next();
        if let Some(source) = given {
            bail!("{source} applies only to {TLS_TARGETS} targets, and none is given");
        }
    }
    let cacert = match cacert {
        Some(given) => Some(given),
        None => env
            .get_some(https_var("SSL_CERT_FILE"))?
            .map(|path| ("SSL_CERT_FILE".to_owned(), path)),
    };
    let client_cert = match (cert, key) {
        (Some((source, cert)), Some((_, key))) => Some((source, cert, key)),
        (Some((source, cert)), None) => Some((source, cert.clone(), cert)),
        (None, Some((source, _))) => bail!("{source} needs --cert"),
        (None, None) => None,
    };

    let wait = env.duration("--wait", wait, Some("HEALTHPROBE_WAIT"))?;
    // HEALTHPROBE_INTERVAL alone is not an error: an image's ENV may set it
    // for the entrypoint's --wait while its HEALTHCHECK does not wait.
    let interval_var = wait.is_some().then_some("HEALTHPROBE_INTERVAL");
    let interval = env.duration("--interval", interval, interval_var)?;
    let wait = match (wait, interval) {
        (Some((_, limit)), interval) => Some(Wait {
            limit,
            interval: interval.map_or(DEFAULT_INTERVAL, |(_, d)| d),
        }),
        (None, Some(_)) => bail!("--interval applies only with --wait"),
        (None, None) => None,
    };

    // Every setting goes to each target it fits, through the same builder
    // the library offers, which validates it; errors name the flag or the
    // variable the value came from.
    fn given(setting: Setting, found: &Option<(String, String)>) -> Option<(Setting, &str)> {
        found.as_ref().map(|(source, _)| (setting, source.as_str()))
    }
    sources.extend([
        given(Setting::ExpectStatus, &expect_status),
        given(Setting::ExpectBody, &expect_body),
        given(Setting::UnixSocket, &unix_socket),
        given(Setting::GrpcService, &grpc_service),
        given(Setting::Cacert, &cacert),
        given(Setting::ServerName, &server_name),
        client_cert
            .as_ref()
            .map(|(source, _, _)| (Setting::ClientCert, source.as_str())),
        timeout
            .as_ref()
            .map(|(s, _)| (Setting::Timeout, s.as_str())),
        connect_timeout
            .as_ref()
            .map(|(s, _)| (Setting::ConnectTimeout, s.as_str())),
        Some((Setting::Header, headers_source)),
        Some((Setting::ExpectJson, expect_json_source)),
    ]);
    let build = |mut probe: Probe| -> Result<Probe, Error> {
        let scheme = probe.scheme();
        let (http, request, tls) = (
            scheme.is_http(),
            scheme.is_http() || scheme.is_grpc(),
            scheme.is_tls(),
        );
        if let Some((_, timeout)) = timeout {
            probe = probe.timeout(timeout)?;
        }
        if let Some((_, connect_timeout)) = connect_timeout {
            probe = probe.connect_timeout(connect_timeout)?;
        }
        if !request {
            return Ok(probe);
        }
        if let Some(method) = method.filter(|_| http) {
            probe = probe.method(method)?;
        }
        for (name, value) in &headers {
            probe = probe.header(name, value)?;
        }
        if let Some((_, list)) = expect_status.as_ref().filter(|_| http) {
            probe = probe.expect_status(list)?;
        }
        if let Some((_, text)) = expect_body.as_ref().filter(|_| http) {
            probe = probe.expect_body(text)?;
        }
        #[cfg(feature = "json")]
        for expression in expressions.iter().filter(|_| http) {
            probe = probe.expect_json(expression)?;
        }
        if follow_redirects.is_some() && http {
            probe = probe.follow_redirects(true)?;
        }
        if let Some((_, path)) = &unix_socket {
            probe = probe.unix_socket(path)?;
        }
        if let Some((_, service)) = grpc_service.as_ref().filter(|_| scheme.is_grpc()) {
            probe = probe.grpc_service(service)?;
        }
        if !tls {
            return Ok(probe);
        }
        if let Some((source, path)) = &cacert {
            probe = probe.trust_file(path.into(), source)?;
        }
        probe = probe.insecure(insecure)?;
        if let Some((_, cert, key)) = &client_cert {
            probe = probe.client_cert(cert, key)?;
        }
        if let Some((_, name)) = &server_name {
            probe = probe.server_name(name)?;
        }
        Ok(probe)
    };
    #[cfg(not(feature = "json"))]
    let _ = expressions;
    let mut configs = Vec::with_capacity(probes.len());
    for probe in probes {
        configs.push(build(probe).map_err(|e| sources.error(e))?.into_config());
    }
    Ok(Command::Probe(Plan {
        targets: configs,
        quiet: quiet || env.flag("HEALTHPROBE_QUIET")?,
        wait,
        command,
    }))
}

/// Where each setting came from, to name it in an [`Error`]: its flag, or
/// the variable that gave its value.
#[derive(Default)]
struct Sources(Vec<(Setting, String)>);

impl Sources {
    fn set(&mut self, setting: Setting, source: &str) {
        self.0.push((setting, source.to_owned()));
    }

    fn extend<'a>(&mut self, given: impl IntoIterator<Item = Option<(Setting, &'a str)>>) {
        for (setting, source) in given.into_iter().flatten() {
            self.set(setting, source);
        }
    }

    /// The error's message, with each setting named as the user gave it.
    fn error(&self, error: Error) -> anyhow::Error {
        anyhow!(error.render(&|setting| self.name(setting)))
    }

    fn name(&self, setting: Setting) -> String {
        match self.0.iter().rev().find(|(s, _)| *s == setting) {
            Some((_, source)) => source.clone(),
            None => flag(setting).to_owned(),
        }
    }
}

/// The flag that sets `setting`; a target is an argument, named `URL`.
fn flag(setting: Setting) -> &'static str {
    match setting {
        Setting::Target => "URL",
        Setting::Timeout => "--timeout",
        Setting::ConnectTimeout => "--connect-timeout",
        Setting::Method => "--method",
        Setting::Header => "--header",
        Setting::ExpectStatus => "--expect-status",
        Setting::ExpectBody => "--expect-body",
        Setting::ExpectJson => "--expect-json",
        Setting::FollowRedirects => "--follow-redirects",
        Setting::UnixSocket => "--unix-socket",
        Setting::GrpcService => "--grpc-service",
        Setting::Cacert => "--cacert",
        Setting::Insecure => "--insecure",
        Setting::ClientCert => "--cert",
        Setting::ServerName => "--server-name",
        Setting::Wait => "--wait",
        Setting::Interval => "--interval",
    }
}

/// Splits `Name: value` headers and expands `${VAR}` in the values; the
/// builder ([`Probe::header`]) checks them. Error messages name the header
/// but never show its value: it is often a credential, and usage errors end
/// up in container logs.
fn parse_headers(raw: &[String], source: &str, env: &Env) -> Result<Vec<(String, String)>> {
    let mut headers = Vec::with_capacity(raw.len());
    for header in raw {
        let Some((name, value)) = header.split_once(':') else {
            bail!("invalid {source}: expected \"Name: value\" (the text given is not shown)");
        };
        let name = name.trim();
        let value = expand(value.trim(), |var| env.get_raw(var))
            .map_err(|why| anyhow!("in {source} {name:?}: {why}"))?;
        headers.push((name.to_owned(), value));
    }
    Ok(headers)
}

/// A variable that holds one item a line (headers, JSON expressions): each
/// line trimmed, the blank ones left out.
fn nonblank_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The environment, read through the injected lookup function.
struct Env<'a>(&'a dyn Fn(&str) -> Option<OsString>);

impl Env<'_> {
    /// A variable's value, or an error if it is not UTF-8.
    fn get_raw(&self, name: &str) -> Result<Option<String>, String> {
        match (self.0)(name) {
            None => Ok(None),
            Some(v) => v
                .into_string()
                .map(Some)
                .map_err(|_| format!("{name} is not valid UTF-8")),
        }
    }

    /// A `HEALTHPROBE_*` setting: empty counts as unset, so that Compose's
    /// `HEALTHPROBE_TIMEOUT=` leaves the default in place.
    fn get(&self, name: &str) -> Result<Option<String>> {
        Ok(self
            .get_raw(name)
            .map_err(|e| anyhow!(e))?
            .filter(|v| !v.is_empty()))
    }

    /// [`Env::get`] for a variable that may not apply (`None`: not read).
    fn get_some(&self, name: Option<&str>) -> Result<Option<String>> {
        match name {
            Some(name) => self.get(name),
            None => Ok(None),
        }
    }

    /// [`Env::flag`] for a variable that may not apply (`None`: not read).
    fn flag_some(&self, name: Option<&str>) -> Result<bool> {
        match name {
            Some(name) => self.flag(name),
            None => Ok(false),
        }
    }

    /// A setting from its flag's value, else from its variable `var` (when
    /// it applies), with where it came from: the flag or the variable's name.
    fn setting(
        &self,
        flag: &str,
        value: Option<String>,
        var: Option<&str>,
    ) -> Result<Option<(String, String)>> {
        Ok(match (value, var) {
            (Some(v), _) => Some((flag.to_owned(), v)),
            (None, Some(var)) => self.get(var)?.map(|v| (var.to_owned(), v)),
            (None, None) => None,
        })
    }

    /// [`Env::setting`], with `${VAR}` expanded in the value.
    fn expanded(
        &self,
        flag: &str,
        value: Option<String>,
        var: Option<&str>,
    ) -> Result<Option<(String, String)>> {
        let Some((source, v)) = self.setting(flag, value, var)? else {
            return Ok(None);
        };
        let v =
            expand(&v, |name| self.get_raw(name)).map_err(|why| anyhow!("in {source}: {why}"))?;
        Ok(Some((source, v)))
    }

    /// [`Env::setting`], parsed as a duration, with where it came from.
    fn duration(
        &self,
        flag: &str,
        value: Option<String>,
        var: Option<&str>,
    ) -> Result<Option<(String, Duration)>> {
        let Some((source, v)) = self.setting(flag, value, var)? else {
            return Ok(None);
        };
        let parsed = duration::parse(&v).map_err(|why| anyhow!("invalid {source} {v:?}: {why}"))?;
        Ok(Some((source, parsed)))
    }

    fn flag(&self, name: &str) -> Result<bool> {
        let Some(value) = self.get(name)? else {
            return Ok(false);
        };
        match value.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => bail!("invalid {name} {value:?}: expected true or false"),
        }
    }
}

fn usage_error(flag: &str, error: pico_args::Error) -> anyhow::Error {
    match error {
        pico_args::Error::OptionWithoutAValue(_) => anyhow!("{flag} needs a value"),
        pico_args::Error::NonUtf8Argument
        | pico_args::Error::Utf8ArgumentParsingFailed { .. }
        | pico_args::Error::ArgumentParsingFailed { .. } => {
            anyhow!("the value of {flag} is not valid UTF-8")
        }
        other => anyhow!("invalid {flag}: {other}"),
    }
}

/// What is left after the options: the targets, and no unknown options.
fn free_arguments(rest: Vec<OsString>) -> Result<Vec<String>> {
    let mut targets = Vec::new();
    for arg in rest {
        let arg = arg
            .into_string()
            .map_err(|a| anyhow!("argument {:?} is not valid UTF-8", a.to_string_lossy()))?;
        if arg.starts_with('-') && arg.len() > 1 {
            if KNOWN_OPTIONS.contains(&arg.split('=').next().unwrap_or_default()) {
                bail!("{arg} is given more than once");
            }
            bail!("unknown option {arg:?} (see --help)");
        }
        targets.push(arg);
    }
    Ok(targets)
}

const KNOWN_OPTIONS: &[&str] = &[
    "-t",
    "--timeout",
    "--connect-timeout",
    "-X",
    "--method",
    "--expect-status",
    "--expect-body",
    "--expect-json",
    "--follow-redirects",
    "-q",
    "--quiet",
    "-h",
    "--help",
    "-V",
    "--version",
    "--cacert",
    "-k",
    "--insecure",
    "--cert",
    "--key",
    "--server-name",
    "--unix-socket",
    "--grpc-service",
    "--wait",
    "--interval",
];

#[cfg(feature = "grpc")]
mod grpc_health_probe;
#[cfg(test)]
mod tests;
