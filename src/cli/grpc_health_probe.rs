//! grpc-health-probe's command line, read into the same typed plan as
//! healthprobe's own.
//!
//! Kubernetes manifests written for grpc-health-probe run
//! `/bin/grpc_health_probe -addr=:50051 ...`. Installed under that name,
//! healthprobe reads those arguments with [`parse`], which builds the
//! target through the same validating [`Probe`] setters as every other
//! command line: no healthprobe argv in between, no second parse, no
//! escaping. What grpc-health-probe's syntax decides is handled here: Go's
//! `flag` grammar, Go durations, `-addr`, and the flag combinations
//! grpc-health-probe itself refuses.

use std::ffi::OsString;
use std::net::Ipv6Addr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};

use super::{Command, Plan};
use crate::duration;
use crate::error::Error;
use crate::probe::Probe;
use crate::setting::{CommandLineNames, Names, Setting};
use crate::url::shown;

/// Added to errors about flags, because a user who typed grpc-health-probe's
/// flags may not know that healthprobe is the program answering.
const MODE: &str = "(grpc_health_probe mode; see healthprobe --help)";

/// Reads grpc-health-probe's arguments (without the program name) into the
/// plan they ask for; only `SSL_CERT_FILE` is read from `env`, which Go's
/// TLS honours too.
///
/// The arguments follow Go's `flag` package, as grpc-health-probe does: one
/// or two dashes, `-flag=value` or `-flag value`, booleans as `-flag` or
/// `-flag=false`, the last of a repeated flag winning (`-rpc-header`
/// accumulates), and flags ending at `--` or at the first argument that is
/// not a flag. `-h`, `-help` and `--help` ask for healthprobe's help.
///
/// Each flag sets what healthprobe's own flag would, leaving out what is
/// not given:
///
/// ```text
/// grpc[s]://HOST:PORT          -addr, grpcs:// with -tls
/// --grpc-service NAME          -service
/// --connect-timeout DURATION   -connect-timeout (default 1s)
/// --timeout DURATION           -connect-timeout plus -rpc-timeout (default 2s)
/// -H "user-agent: UA"          -user-agent
/// -H "name: value" ...         each -rpc-header, in the order given
/// --insecure                   -tls-no-verify
/// --cacert FILE                -tls-ca-cert (else SSL_CERT_FILE)
/// --cert FILE                  -tls-client-cert
/// --key FILE                   -tls-client-key
/// --server-name NAME           -tls-server-name
/// ```
///
/// Durations are whole milliseconds, rounded up. Every value is taken as it
/// stands, as grpc-health-probe takes it: no `${VAR}` is expanded.
///
/// # Errors
///
/// A flag grpc-health-probe does not have, or one healthprobe cannot honour
/// (`-spiffe`, `-gzip`, `-alts`, `-stream`, `-version`); a missing or
/// malformed `-addr`; a Go duration that is malformed, not positive, or
/// longer than healthprobe allows; a combination grpc-health-probe refuses
/// (`-tls-ca-cert` without `-tls`, `-tls-no-verify` with `-tls-ca-cert`, ...);
/// an argument that is not a flag; an argument that is not UTF-8. Messages
/// never show a header's text.
pub fn parse(args: Vec<OsString>, env: &dyn Fn(&str) -> Option<OsString>) -> Result<Command> {
    let mut line = GoLine::new();
    let mut args = args.into_iter();
    // The boolean flag just given without "=", to explain a "false" after it.
    let mut bare_bool: Option<&'static str> = None;
    while let Some(arg) = args.next() {
        let bytes = arg.as_encoded_bytes();
        // Go's flag package: "-" alone, and anything not starting with "-",
        // is the first argument that is not a flag.
        let Some(after_dash) = bytes.strip_prefix(b"-").filter(|rest| !rest.is_empty()) else {
            return Err(unexpected(&arg, bare_bool));
        };
        let rest = match after_dash.strip_prefix(b"-") {
            // "--" ends the flags, and is not itself an argument.
            Some([]) => match args.next() {
                Some(next) => return Err(unexpected(&next, None)),
                None => break,
            },
            Some(rest) => rest,
            None => after_dash,
        };
        if matches!(rest.first(), None | Some(b'-' | b'=')) {
            bail!(
                "bad flag syntax {:?}: expected -name or -name=value {MODE}",
                arg.to_string_lossy()
            );
        }
        let mut parts = rest.splitn(2, |b| *b == b'=');
        let name_bytes = parts.next().unwrap_or_default();
        let inline_value = parts.next();
        let Ok(name) = std::str::from_utf8(name_bytes) else {
            bail!(
                "the flag name {:?} is not valid UTF-8",
                String::from_utf8_lossy(name_bytes)
            );
        };
        let Some(&(name, flag)) = FLAGS.iter().find(|(known, _)| *known == name) else {
            // Go's flag package answers -h and -help itself when the program
            // defines no such flag, whatever value is attached.
            if name == "h" || name == "help" {
                return Ok(Command::Help);
            }
            bail!("unknown flag -{} {MODE}", name.escape_debug());
        };
        bare_bool = None;
        match flag {
            GoFlag::Bool(flag) => {
                let on = match inline_value {
                    Some(value) => parse_bool(name, value)?,
                    None => {
                        bare_bool = Some(name);
                        true
                    }
                };
                line.set_bool(flag, name, on);
            }
            GoFlag::Text(flag) => {
                // Without "=", Go takes the next argument as the value
                // whatever it looks like, even "-tls" or "--".
                let value = match inline_value {
                    Some(value) => utf8(name, value)?,
                    None => match args.next() {
                        Some(next) => utf8(name, next.as_encoded_bytes())?,
                        None => bail!("-{name} needs a value, as in -{name}=VALUE"),
                    },
                };
                line.set_text(flag, name, value)?;
            }
        }
    }
    line.into_plan(env).map(Command::Probe)
}

/// A flag of grpc-health-probe's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GoFlag {
    /// Takes a value: `-flag=value` or `-flag value`.
    Text(Text),
    /// `-flag`, `-flag=true` or `-flag=false`, never `-flag false`.
    Bool(Bool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Text {
    Addr,
    Service,
    UserAgent,
    ConnectTimeout,
    RpcTimeout,
    RpcHeader,
    TlsCaCert,
    TlsClientCert,
    TlsClientKey,
    TlsServerName,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bool {
    Tls,
    TlsNoVerify,
    /// `-v` only adds log lines on stderr in grpc-health-probe; healthprobe
    /// always prints its one line, so the flag is accepted and ignored.
    Verbose,
    Unsupported(Unsupported),
}

/// grpc-health-probe's boolean flags that ask for something healthprobe
/// does not do. Each is an error when set, rather than being ignored, so
/// that a probe never passes by checking less than its manifest asked for.
/// Set to false they ask for nothing, and are accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unsupported {
    Alts,
    Gzip,
    Spiffe,
    Stream,
    Version,
}

impl Unsupported {
    fn why(self) -> &'static str {
        match self {
            Unsupported::Alts => "Google Cloud's ALTS handshake is not implemented",
            Unsupported::Gzip => {
                "healthprobe sends its request of a few bytes uncompressed and asks for an uncompressed answer"
            }
            Unsupported::Spiffe => {
                "it needs the SPIFFE workload API, which healthprobe does not implement"
            }
            Unsupported::Stream => "healthprobe makes one unary grpc.health.v1.Health/Check call",
            Unsupported::Version => {
                "healthprobe is not grpc_health_probe and has no version of it to print (healthprobe --version prints its own)"
            }
        }
    }
}

/// Every flag grpc-health-probe defines, by the name it is given with.
const FLAGS: &[(&str, GoFlag)] = &[
    ("addr", GoFlag::Text(Text::Addr)),
    ("service", GoFlag::Text(Text::Service)),
    ("user-agent", GoFlag::Text(Text::UserAgent)),
    ("connect-timeout", GoFlag::Text(Text::ConnectTimeout)),
    ("rpc-timeout", GoFlag::Text(Text::RpcTimeout)),
    ("rpc-header", GoFlag::Text(Text::RpcHeader)),
    ("tls", GoFlag::Bool(Bool::Tls)),
    ("tls-no-verify", GoFlag::Bool(Bool::TlsNoVerify)),
    ("tls-ca-cert", GoFlag::Text(Text::TlsCaCert)),
    ("tls-client-cert", GoFlag::Text(Text::TlsClientCert)),
    ("tls-client-key", GoFlag::Text(Text::TlsClientKey)),
    ("tls-server-name", GoFlag::Text(Text::TlsServerName)),
    ("v", GoFlag::Bool(Bool::Verbose)),
    ("alts", GoFlag::Bool(Bool::Unsupported(Unsupported::Alts))),
    ("gzip", GoFlag::Bool(Bool::Unsupported(Unsupported::Gzip))),
    (
        "spiffe",
        GoFlag::Bool(Bool::Unsupported(Unsupported::Spiffe)),
    ),
    (
        "stream",
        GoFlag::Bool(Bool::Unsupported(Unsupported::Stream)),
    ),
    (
        "version",
        GoFlag::Bool(Bool::Unsupported(Unsupported::Version)),
    ),
];

/// grpc-health-probe's command line, read: its flags as given, with its
/// defaults. An empty string is a flag not given: grpc-health-probe treats
/// `-tls-ca-cert=` and the like as unset too.
#[derive(Debug)]
struct GoLine {
    addr: String,
    service: String,
    user_agent: String,
    connect_timeout: GoDuration,
    rpc_timeout: GoDuration,
    /// Each as (name, value), the name lower-cased.
    rpc_headers: Vec<(String, String)>,
    tls: bool,
    tls_no_verify: bool,
    ca_cert: String,
    client_cert: String,
    client_key: String,
    server_name: String,
    /// The unsupported flags currently set, in the order first given.
    unsupported: Vec<(&'static str, Unsupported)>,
}

impl GoLine {
    fn new() -> GoLine {
        GoLine {
            addr: String::new(),
            service: String::new(),
            // grpc-health-probe's default is "grpc_health_probe"; without the
            // flag, healthprobe sends its own User-Agent instead.
            user_agent: String::new(),
            connect_timeout: GoDuration::one_second(),
            rpc_timeout: GoDuration::one_second(),
            rpc_headers: Vec::new(),
            tls: false,
            tls_no_verify: false,
            ca_cert: String::new(),
            client_cert: String::new(),
            client_key: String::new(),
            server_name: String::new(),
            unsupported: Vec::new(),
        }
    }

    fn set_bool(&mut self, flag: Bool, name: &'static str, on: bool) {
        match flag {
            Bool::Tls => self.tls = on,
            Bool::TlsNoVerify => self.tls_no_verify = on,
            Bool::Verbose => {}
            Bool::Unsupported(which) => {
                self.unsupported.retain(|(_, set)| *set != which);
                if on {
                    self.unsupported.push((name, which));
                }
            }
        }
    }

    /// Sets a flag's value, checking it where Go's flag package does (a
    /// duration's syntax, a header's colon) so that errors come in the same
    /// order as grpc-health-probe's.
    fn set_text(&mut self, flag: Text, name: &str, value: String) -> Result<()> {
        match flag {
            Text::Addr => self.addr = value,
            Text::Service => self.service = value,
            Text::UserAgent => self.user_agent = value,
            Text::ConnectTimeout => self.connect_timeout = GoDuration::parse(name, value)?,
            Text::RpcTimeout => self.rpc_timeout = GoDuration::parse(name, value)?,
            Text::RpcHeader => self.rpc_headers.push(rpc_header(&value)?),
            Text::TlsCaCert => self.ca_cert = value,
            Text::TlsClientCert => self.client_cert = value,
            Text::TlsClientKey => self.client_key = value,
            Text::TlsServerName => self.server_name = value,
        }
        Ok(())
    }

    /// Checks what grpc-health-probe checks after parsing, in its order, and
    /// builds the target as [`parse`] documents.
    fn into_plan(self, env: &dyn Fn(&str) -> Option<OsString>) -> Result<Plan> {
        if let Some((name, which)) = self.unsupported.first() {
            bail!("-{name} is not supported by healthprobe: {}", which.why());
        }
        if self.addr.is_empty() {
            bail!("-addr is required, as in -addr=localhost:50051");
        }
        let target = target(&self.addr, self.tls)?;
        let connect_ms = self.connect_timeout.millis("connect-timeout")?;
        let rpc_ms = self.rpc_timeout.millis("rpc-timeout")?;

        // grpc-health-probe's own messages, and its order of checking.
        let needs_tls = [
            (self.tls_no_verify, "-tls-no-verify"),
            (!self.ca_cert.is_empty(), "-tls-ca-cert"),
            (!self.client_cert.is_empty(), "-tls-client-cert"),
            (!self.server_name.is_empty(), "-tls-server-name"),
        ];
        if let Some((_, flag)) = needs_tls.iter().find(|(set, _)| *set && !self.tls) {
            bail!("specified {flag} without specifying -tls");
        }
        if !self.client_cert.is_empty() && self.client_key.is_empty() {
            bail!("specified -tls-client-cert without specifying -tls-client-key");
        }
        // This also refuses -tls-client-key without -tls: the key needs the
        // certificate, and the certificate needs -tls.
        if self.client_cert.is_empty() && !self.client_key.is_empty() {
            bail!("specified -tls-client-key without specifying -tls-client-cert");
        }
        if self.tls_no_verify && !self.ca_cert.is_empty() {
            bail!(
                "cannot specify -tls-ca-cert with -tls-no-verify (the CA certificate would not be used)"
            );
        }
        if self.tls_no_verify && !self.server_name.is_empty() {
            bail!(
                "cannot specify -tls-server-name with -tls-no-verify (the server name would not be used)"
            );
        }

        // grpc-health-probe gives connecting up to -connect-timeout and then,
        // separately, the call up to -rpc-timeout, so it may take their sum.
        // healthprobe has one deadline for the whole probe (--timeout) with a
        // shorter limit for connecting inside it (--connect-timeout, which
        // must not exceed --timeout). Their sum as the deadline keeps both the
        // connect limit and grpc-health-probe's worst case; a quick connection
        // leaves the call more than -rpc-timeout, so healthprobe is never
        // stricter than the probe it replaces.
        let total_ms = connect_ms + rpc_ms;
        let max_ms = duration::MAX.as_millis();
        if total_ms > max_ms {
            bail!(
                "-connect-timeout {:?} plus -rpc-timeout {:?} is longer than {}s, the longest probe healthprobe runs",
                self.connect_timeout.text,
                self.rpc_timeout.text,
                duration::MAX.as_secs()
            );
        }

        // Errors name grpc-health-probe's flags; the line names healthprobe's,
        // since its timeout is the sum of two of grpc-health-probe's.
        let from_env = || {
            let file = env("SSL_CERT_FILE")?.into_string().ok()?;
            (!file.is_empty()).then_some(file)
        };
        let (cacert, sources) = match (self.tls && !self.tls_no_verify, self.ca_cert) {
            (false, _) => (None, Vec::new()),
            (true, file) if !file.is_empty() => (Some(file), Vec::new()),
            (true, _) => match from_env() {
                Some(file) => (
                    Some(file),
                    vec![(Setting::Cacert, "SSL_CERT_FILE".to_owned())],
                ),
                None => (None, Vec::new()),
            },
        };
        let ours = |sources| {
            Names::CommandLine(Arc::new(CommandLineNames {
                flag: super::options::flag,
                fallback: super::options::fallback,
                sources,
            }))
        };
        let theirs = Names::CommandLine(Arc::new(CommandLineNames {
            flag,
            fallback: super::options::fallback,
            sources: sources.clone(),
        }));
        let usage = |e: Error| anyhow!("{} {MODE}", e.render(&theirs));
        let millis = |ms: u128| Duration::from_millis(ms as u64);
        let mut probe = Probe::new(&target).map_err(usage)?;
        // The deadline first: the connect timeout may not exceed it.
        probe = probe.timeout(millis(total_ms)).map_err(usage)?;
        probe = probe.connect_timeout(millis(connect_ms)).map_err(usage)?;
        if !self.service.is_empty() {
            probe = probe.grpc_service(&self.service).map_err(usage)?;
        }
        if !self.user_agent.is_empty() {
            probe = probe
                .header("user-agent", &self.user_agent)
                .map_err(usage)?;
        }
        for (name, value) in &self.rpc_headers {
            probe = probe.header(name, value).map_err(usage)?;
        }
        if self.tls_no_verify {
            probe = probe.insecure(true).map_err(usage)?;
        }
        if let Some(file) = &cacert {
            probe = probe.cacert(file).map_err(usage)?;
        }
        if !self.client_cert.is_empty() {
            probe = probe
                .client_cert(&self.client_cert, &self.client_key)
                .map_err(usage)?;
        }
        if !self.server_name.is_empty() {
            probe = probe.server_name(&self.server_name).map_err(usage)?;
        }
        let target = probe.named(ours(sources)).into_target().map_err(usage)?;
        Ok(Plan {
            targets: vec![target],
            quiet: false,
            wait: None,
            command: Vec::new(),
            mimic: None,
        })
    }
}

/// How grpc-health-probe's flags name a setting in an error.
fn flag(setting: Setting) -> &'static str {
    match setting {
        Setting::Target => "-addr",
        Setting::Timeout => "-rpc-timeout",
        Setting::ConnectTimeout => "-connect-timeout",
        Setting::Header => "-rpc-header",
        Setting::GrpcService => "-service",
        Setting::Cacert => "-tls-ca-cert",
        Setting::Insecure => "-tls-no-verify",
        Setting::ClientCert => "-tls-client-cert",
        Setting::ClientKey => "-tls-client-key",
        Setting::ServerName => "-tls-server-name",
        // Not settable as grpc-health-probe: named as healthprobe names them.
        Setting::Method
        | Setting::ExpectStatus
        | Setting::ExpectBody
        | Setting::ExpectJson
        | Setting::FollowRedirects
        | Setting::UnixSocket
        | Setting::MaxAge
        | Setting::Wait
        | Setting::Interval => super::options::flag(setting),
    }
}

/// `-rpc-header`, as (name, value). Like grpc-health-probe, splits at the
/// first colon and drops the whitespace that starts the value; the name is
/// lower-cased as gRPC metadata names are (Go's metadata.MD.Append lowers
/// them). The text never appears in an error: it often carries a token.
fn rpc_header(text: &str) -> Result<(String, String)> {
    let Some((name, value)) = text.split_once(':') else {
        bail!("invalid -rpc-header: expected \"name: value\" (the text given is not shown)");
    };
    let name = name.trim();
    if name.is_empty() {
        bail!("invalid -rpc-header: the name before \":\" is empty (the text given is not shown)");
    }
    Ok((name.to_ascii_lowercase(), value.trim_start().to_owned()))
}

/// The target URL for `-addr`. grpc-health-probe dials it through gRPC's
/// passthrough resolver, which hands it to Go's net.Dial: `HOST:PORT`, an
/// IPv6 host in brackets, and an empty host meaning this machine.
fn target(addr: &str, tls: bool) -> Result<String> {
    let scheme = if tls { "grpcs" } else { "grpc" };
    // An address is shown from its last "@" on: what comes before may be a
    // password, should a URL with one be given here by mistake.
    let shown_addr = shown(addr);
    let invalid = |why: String| anyhow!("invalid -addr {shown_addr:?}: {why}");
    let needs_port = || invalid("expected HOST:PORT, as in -addr=localhost:50051".to_owned());
    // gRPC's resolvers (unix:///path, dns:///host:port) all need a "/".
    if addr.contains('/') {
        return Err(invalid(
            "healthprobe connects over TCP only: expected HOST:PORT, as in -addr=localhost:50051"
                .to_owned(),
        ));
    }
    let (host, port) = match addr.strip_prefix('[') {
        Some(bracketed) => {
            let Some((ip, after)) = bracketed.split_once(']') else {
                return Err(invalid("\"[\" without \"]\"".to_owned()));
            };
            if ip.parse::<Ipv6Addr>().is_err() {
                return Err(invalid(format!("{ip:?} is not an IPv6 address")));
            }
            let Some(port) = after.strip_prefix(':') else {
                return Err(needs_port());
            };
            (format!("[{ip}]"), port)
        }
        None => {
            let Some((host, port)) = addr.rsplit_once(':') else {
                return Err(needs_port());
            };
            if host.contains(':') {
                return Err(invalid(
                    "write an IPv6 address in brackets, as in -addr=[::1]:50051".to_owned(),
                ));
            }
            let is_host_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_');
            if !host.bytes().all(is_host_byte) {
                let host = shown(host);
                return Err(invalid(format!("{host:?} is not a host name or address")));
            }
            // Go's net.Dial reads an empty host as the local system.
            let host = if host.is_empty() { "localhost" } else { host };
            (host.to_owned(), port)
        }
    };
    let port = match port.parse::<u16>() {
        Ok(n) if n > 0 && port.bytes().all(|b| b.is_ascii_digit()) => n,
        _ => return Err(invalid(format!("{port:?} is not a port from 1 to 65535"))),
    };
    Ok(format!("{scheme}://{host}:{port}"))
}

/// A Go `time.Duration` as given, with its value in nanoseconds.
#[derive(Debug)]
struct GoDuration {
    text: String,
    nanos: i128,
}

impl GoDuration {
    fn one_second() -> GoDuration {
        GoDuration {
            text: "1s".to_owned(),
            nanos: NANOS_PER_SECOND,
        }
    }

    fn parse(name: &str, text: String) -> Result<GoDuration> {
        match parse_go_duration(&text) {
            Some(nanos) => Ok(GoDuration { text, nanos }),
            None => bail!("invalid -{name} {text:?}: expected a duration like 1s, 500ms or 1m30s"),
        }
    }

    /// Whole milliseconds, rounded up: healthprobe's durations cannot express
    /// less than 1ms, and rounding up keeps healthprobe's limits at least as
    /// long as grpc-health-probe's (so `250us` becomes `1ms`).
    fn millis(&self, name: &str) -> Result<u128> {
        // grpc-health-probe refuses these too: a zero timeout fails every probe.
        if self.nanos <= 0 {
            bail!(
                "invalid -{name} {:?}: expected a positive duration like 1s",
                self.text
            );
        }
        Ok(self.nanos.unsigned_abs().div_ceil(NANOS_PER_MILLI))
    }
}

const NANOS_PER_MILLI: u128 = 1_000_000;
const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// Parses a duration as Go's time.ParseDuration does: an optional sign, then
/// one or more decimal numbers each with a unit (`ns`, `us`, `µs`, `μs`,
/// `ms`, `s`, `m`, `h`), as in `1m30s` or `1.5h`; a bare `0` is zero.
/// Values beyond Go's int64 nanoseconds are refused, as Go refuses them.
/// Fractions are computed exactly and truncated to the nanosecond, where Go
/// uses a float64 that can differ by a nanosecond on contrived input.
fn parse_go_duration(text: &str) -> Option<i128> {
    // Go accumulates the magnitude in a uint64 and refuses more than 1<<63.
    const LIMIT: u128 = 1 << 63;
    const MAX_SCALE: u128 = 10u128.pow(32);
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let (whole, after) = rest.split_at_checked(digits(rest))?;
        let (fraction, after) = match after.strip_prefix('.') {
            Some(after) => after.split_at_checked(digits(after))?,
            None => ("", after),
        };
        if whole.is_empty() && fraction.is_empty() {
            return None;
        }
        let unit_len = after
            .bytes()
            .take_while(|b| *b != b'.' && !b.is_ascii_digit())
            .count();
        let (unit, after) = after.split_at_checked(unit_len)?;
        rest = after;
        let unit: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        let mut value: u128 = 0;
        for digit in whole.bytes() {
            value = value * 10 + u128::from(digit - b'0');
            if value > LIMIT {
                return None;
            }
        }
        // Like Go, the fraction's digits stop counting once the numerator
        // would pass 1<<63. They stop at 32 digits too, so that the scale
        // cannot overflow: the numerator then has at most 19 digits, so the
        // fraction is below 1e-13, less than a nanosecond even of an hour.
        let (mut numerator, mut scale) = (0u128, 1u128);
        for digit in fraction.bytes() {
            let next = numerator * 10 + u128::from(digit - b'0');
            if next > LIMIT || scale >= MAX_SCALE {
                break;
            }
            (numerator, scale) = (next, scale * 10);
        }
        total += value * unit + numerator * unit / scale;
        if total > LIMIT {
            return None;
        }
    }
    let total = i128::try_from(total).ok()?;
    if negative {
        Some(-total)
    } else {
        (total < (1 << 63)).then_some(total)
    }
}

/// strconv.ParseBool's spellings, which Go's flag package accepts.
fn parse_bool(name: &str, value: &[u8]) -> Result<bool> {
    match value {
        b"1" | b"t" | b"T" | b"true" | b"TRUE" | b"True" => Ok(true),
        b"0" | b"f" | b"F" | b"false" | b"FALSE" | b"False" => Ok(false),
        _ => bail!(
            "invalid -{name} {:?}: expected true or false",
            String::from_utf8_lossy(value)
        ),
    }
}

/// A flag's value as text. The value is not shown: it may be a header.
fn utf8(name: &str, value: &[u8]) -> Result<String> {
    match std::str::from_utf8(value) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => bail!("invalid -{name}: its value is not valid UTF-8"),
    }
}

/// The error for an argument that is not a flag. After a boolean flag
/// given without "=", a `false` there was most likely meant as its value;
/// Go's flag package, and so grpc-health-probe, never reads it that way, and
/// the message says so.
fn unexpected(arg: &OsString, bare_bool: Option<&str>) -> anyhow::Error {
    let text = arg.to_string_lossy();
    let looks_boolean = parse_bool("", text.as_bytes()).is_ok();
    match bare_bool {
        Some(flag) if looks_boolean => anyhow!(
            "unexpected argument {text:?}: a boolean flag takes its value after \"=\", as in -{flag}={text}"
        ),
        _ => anyhow!("unexpected argument {:?} {MODE}", shown(&text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// grpc-health-probe's defaults: 1s to connect plus 1s for the call.
    const DEFAULTS: &str = "--connect-timeout 1000ms --timeout 2000ms";

    fn os<S: AsRef<str>>(args: &[S]) -> Vec<OsString> {
        args.iter().map(|a| OsString::from(a.as_ref())).collect()
    }

    /// A command line split at spaces, for arguments that contain none.
    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    /// What grpc-health-probe's arguments ask for.
    fn read<S: AsRef<str>>(args: &[S]) -> Result<Command> {
        parse(os(args), &|_| None)
    }

    /// A command with each target's names set aside: how a line names a
    /// setting is not what the two command lines are compared by.
    fn unnamed(command: Command) -> Command {
        match command {
            Command::Probe(mut plan) => {
                for target in &mut plan.targets {
                    target.names = Names::Library;
                }
                Command::Probe(plan)
            }
            other => other,
        }
    }

    /// grpc-health-probe's `args` ask for what healthprobe's own `want`
    /// asks for.
    #[track_caller]
    fn assert_translates<S: AsRef<str> + std::fmt::Debug>(args: &[S], want: &[S]) {
        let got = match read(args) {
            Ok(command) => unnamed(command),
            Err(e) => panic!("{args:?} failed: {e:#}"),
        };
        let wanted = match crate::cli::parse(os(want), |_| None) {
            Ok(command) => unnamed(command),
            Err(e) => panic!("{want:?}, healthprobe's own, failed: {e:#}"),
        };
        assert_eq!(got, wanted, "{args:?}");
    }

    /// [`assert_translates`] on lines split at spaces.
    #[track_caller]
    fn assert_line(args: &str, want: &str) {
        assert_translates(&words(args), &words(want));
    }

    #[track_caller]
    fn error<S: AsRef<str> + std::fmt::Debug>(args: &[S]) -> String {
        match read(args) {
            Err(e) => format!("{e:#}"),
            Ok(out) => panic!("{args:?} should fail, gave {out:?}"),
        }
    }

    #[track_caller]
    fn line_error(args: &str) -> String {
        error(&words(args))
    }

    #[test]
    fn translates_the_readme_examples() {
        assert_line("-addr=:5000", &format!("grpc://localhost:5000 {DEFAULTS}"));
        assert_translates(
            &["-addr=localhost:5000", "-service=foo"],
            &[
                "grpc://localhost:5000",
                "--grpc-service",
                "foo",
                "--connect-timeout",
                "1000ms",
                "--timeout",
                "2000ms",
            ],
        );
        assert_line(
            "-addr=localhost:5000 -tls -tls-ca-cert=ca.pem",
            &format!("grpcs://localhost:5000 {DEFAULTS} --cacert ca.pem"),
        );
        assert_line(
            "-addr=localhost:5000 -tls -tls-no-verify",
            &format!("grpcs://localhost:5000 {DEFAULTS} --insecure"),
        );
        assert_line(
            "-addr=localhost:5000 -tls -tls-client-cert=c.pem -tls-client-key=k.pem",
            &format!("grpcs://localhost:5000 {DEFAULTS} --cert c.pem --key k.pem"),
        );
        // The shell makes `-rpc-header=authorization:Bearer\ x` one argument.
        assert_translates(
            &[
                "-addr=localhost:5000",
                "-rpc-header=authorization:Bearer x",
                "-rpc-header=x-foo:bar",
            ],
            &[
                "grpc://localhost:5000",
                "--connect-timeout",
                "1000ms",
                "--timeout",
                "2000ms",
                "-H",
                "authorization: Bearer x",
                "-H",
                "x-foo: bar",
            ],
        );
        assert_line(
            "-addr=localhost:9999 -connect-timeout=250ms -rpc-timeout=100ms",
            "grpc://localhost:9999 --connect-timeout 250ms --timeout 350ms",
        );
        assert_line(
            "-addr localhost:9999 -connect-timeout 250ms -rpc-timeout 100ms",
            "grpc://localhost:9999 --connect-timeout 250ms --timeout 350ms",
        );
        assert_line(
            "-addr 127.0.0.1:10000 -tls -tls-ca-cert /path/to/testdata/ca.pem -tls-server-name=x.test.youtube.com",
            &format!(
                "grpcs://127.0.0.1:10000 {DEFAULTS} --cacert /path/to/testdata/ca.pem --server-name x.test.youtube.com"
            ),
        );
    }

    /// `-name=value`, `-name value`, `--name=value` and `--name value`.
    fn four_forms(name: &str, value: &str) -> [Vec<String>; 4] {
        [
            vec![format!("-{name}={value}")],
            vec![format!("-{name}"), value.to_owned()],
            vec![format!("--{name}={value}")],
            vec![format!("--{name}"), value.to_owned()],
        ]
    }

    #[test]
    fn translates_every_value_flag_in_all_four_forms() {
        let target = "grpcs://localhost:5000";
        let defaults = words(DEFAULTS);
        let header = |text: &str| vec!["-H".to_owned(), text.to_owned()];
        for (name, value, options) in [
            (
                "service",
                "my.Service",
                [words("--grpc-service my.Service"), defaults.clone()].concat(),
            ),
            (
                "connect-timeout",
                "3s",
                words("--connect-timeout 3000ms --timeout 4000ms"),
            ),
            (
                "rpc-timeout",
                "3s",
                words("--connect-timeout 1000ms --timeout 4000ms"),
            ),
            (
                "user-agent",
                "kubelet",
                [defaults.clone(), header("user-agent: kubelet")].concat(),
            ),
            (
                "rpc-header",
                "x-a:1",
                [defaults.clone(), header("x-a: 1")].concat(),
            ),
            (
                "tls-ca-cert",
                "ca.pem",
                [defaults.clone(), words("--cacert ca.pem")].concat(),
            ),
            (
                "tls-server-name",
                "api",
                [defaults.clone(), words("--server-name api")].concat(),
            ),
        ] {
            let want = [vec![target.to_owned()], options].concat();
            for form in four_forms(name, value) {
                let args = [words("-addr=:5000 -tls"), form].concat();
                assert_translates(&args, &want);
            }
        }
        for form in four_forms("addr", "db:7000") {
            assert_translates(&form, &words(&format!("grpc://db:7000 {DEFAULTS}")));
        }
        // The client certificate and key come as a pair.
        for (cert, key) in four_forms("tls-client-cert", "c.pem")
            .into_iter()
            .zip(four_forms("tls-client-key", "k.pem"))
        {
            let args = [words("-addr=:5000 -tls"), cert, key].concat();
            let want = format!("{target} {DEFAULTS} --cert c.pem --key k.pem");
            assert_translates(&args, &words(&want));
        }
    }

    #[test]
    fn reads_booleans_as_go_does() {
        let plain = format!("grpc://localhost:5000 {DEFAULTS}");
        let tls = format!("grpcs://localhost:5000 {DEFAULTS}");
        for on in [
            "-tls",
            "--tls",
            "-tls=true",
            "--tls=true",
            "-tls=1",
            "-tls=t",
            "-tls=T",
        ] {
            assert_line(&format!("-addr=:5000 {on}"), &tls);
        }
        for on in ["-tls=TRUE", "-tls=True"] {
            assert_line(&format!("-addr=:5000 {on}"), &tls);
        }
        for off in [
            "-tls=false",
            "--tls=false",
            "-tls=0",
            "-tls=f",
            "-tls=F",
            "-tls=FALSE",
            "-tls=False",
        ] {
            assert_line(&format!("-addr=:5000 {off}"), &plain);
        }
        // The last one given wins.
        assert_line("-addr=:5000 -tls -tls=false", &plain);
        assert_line("-addr=:5000 -tls=false -tls", &tls);
        for on in ["-tls-no-verify", "--tls-no-verify", "-tls-no-verify=true"] {
            assert_line(
                &format!("-addr=:5000 -tls {on}"),
                &format!("{tls} --insecure"),
            );
        }
        assert_line("-addr=:5000 -tls -tls-no-verify=false", &tls);
        for verbose in ["-v", "--v", "-v=true", "-v=false"] {
            assert_line(&format!("-addr=:5000 {verbose}"), &plain);
        }
    }

    #[test]
    fn a_boolean_never_takes_the_next_argument() {
        assert_eq!(
            line_error("-addr=:5000 -tls false"),
            "unexpected argument \"false\": a boolean flag takes its value after \"=\", as in -tls=false"
        );
        assert_eq!(
            line_error("-addr=:5000 -v true"),
            "unexpected argument \"true\": a boolean flag takes its value after \"=\", as in -v=true"
        );
        assert_eq!(
            line_error("-addr=:5000 -tls=yes"),
            "invalid -tls \"yes\": expected true or false"
        );
        assert_eq!(
            line_error("-addr=:5000 -tls-no-verify="),
            "invalid -tls-no-verify \"\": expected true or false"
        );
    }

    #[test]
    fn converts_go_durations_to_milliseconds_rounding_up() {
        for (go, ms) in [
            ("1s", 1000),
            ("500ms", 500),
            ("1.5s", 1500),
            ("2m", 120_000),
            ("1m30s", 90_000),
            ("1h", 3_600_000),
            ("1h0m0s", 3_600_000),
            ("0.5h", 1_800_000),
            ("+2s", 2000),
            (".5s", 500),
            ("1.s", 1000),
            ("1500000us", 1500),
            ("2000000000ns", 2000),
            ("1s500ms", 1500),
            ("1.0000000001s", 1000),
            // healthprobe cannot express less than a millisecond, and a
            // shorter limit could fail a probe that grpc-health-probe passes.
            ("250us", 1),
            ("100ns", 1),
            ("1ns", 1),
            ("1µs", 1),
            ("1μs", 1),
            ("1.5ms", 2),
            ("1000001ns", 2),
        ] {
            let millis = GoDuration::parse("t", go.to_owned()).and_then(|d| d.millis("t"));
            assert_eq!(millis.ok(), Some(ms), "{go}");
        }
        assert_line(
            "-addr=:1 -connect-timeout=1m30s -rpc-timeout=250us",
            "grpc://localhost:1 --connect-timeout 90000ms --timeout 90001ms",
        );
    }

    #[test]
    fn parses_go_durations_exactly() {
        assert_eq!(parse_go_duration("0"), Some(0));
        assert_eq!(parse_go_duration("-0"), Some(0));
        assert_eq!(parse_go_duration("0s"), Some(0));
        assert_eq!(parse_go_duration("-1.5s"), Some(-1_500_000_000));
        assert_eq!(
            parse_go_duration("1h2m3s4ms5us6ns"),
            Some(3_723_004_005_006)
        );
        let max = i128::from(i64::MAX);
        assert_eq!(parse_go_duration("9223372036854775807ns"), Some(max));
        assert_eq!(parse_go_duration("-9223372036854775808ns"), Some(-max - 1));
        assert_eq!(parse_go_duration("9223372036854775808ns"), None);
        assert_eq!(parse_go_duration("2562048h"), None);
        assert_eq!(parse_go_duration("99999999999999999999s"), None);
        // Digits of a fraction past what counts are ignored, not an error.
        let long = format!("1.{}1s", "0".repeat(100));
        assert_eq!(parse_go_duration(&long), Some(1_000_000_000));
        let long = format!("0.{}h", "9".repeat(100));
        assert_eq!(parse_go_duration(&long), Some(3_599_999_999_999));
        for bad in [
            "", "+", "-", "1", "s", ".s", ".", "1.", "1x", "1sx", "1 s", "1e3s", "--1s", "1s-1s",
            "0x10s", "1S", "1.2.3s", "1ss",
        ] {
            assert_eq!(parse_go_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn refuses_durations_that_are_malformed_or_not_positive() {
        for (flag, value) in [
            ("rpc-timeout", "0s"),
            ("connect-timeout", "0"),
            ("connect-timeout", "-1s"),
            // Below a nanosecond, Go truncates to zero.
            ("rpc-timeout", "0.1ns"),
        ] {
            assert_eq!(
                error(&["-addr=:1", &format!("-{flag}"), value]),
                format!("invalid -{flag} {value:?}: expected a positive duration like 1s")
            );
        }
        for (flag, value) in [
            ("rpc-timeout", "5"),
            ("connect-timeout", "1d"),
            ("rpc-timeout", ""),
        ] {
            assert_eq!(
                error(&["-addr=:1", &format!("-{flag}={value}")]),
                format!("invalid -{flag} {value:?}: expected a duration like 1s, 500ms or 1m30s")
            );
        }
    }

    #[test]
    fn refuses_a_total_longer_than_healthprobe_allows() {
        assert_eq!(
            line_error("-addr=:1 -connect-timeout=1h -rpc-timeout=1ms"),
            "-connect-timeout \"1h\" plus -rpc-timeout \"1ms\" is longer than 3600s, the longest probe healthprobe runs"
        );
        assert_eq!(
            line_error("-addr=:1 -rpc-timeout=2562047h"),
            "-connect-timeout \"1s\" plus -rpc-timeout \"2562047h\" is longer than 3600s, the longest probe healthprobe runs"
        );
        assert_line(
            "-addr=:1 -connect-timeout=30m -rpc-timeout=30m",
            "grpc://localhost:1 --connect-timeout 1800000ms --timeout 3600000ms",
        );
    }

    #[test]
    fn translates_addresses() {
        for (addr, url) in [
            (":50051", "grpc://localhost:50051"),
            ("localhost:50051", "grpc://localhost:50051"),
            ("10.0.0.7:80", "grpc://10.0.0.7:80"),
            (
                "svc_1.ns.svc.cluster.local:9090",
                "grpc://svc_1.ns.svc.cluster.local:9090",
            ),
            ("[::1]:50051", "grpc://[::1]:50051"),
            ("[::]:1", "grpc://[::]:1"),
            ("localhost:0065535", "grpc://localhost:65535"),
        ] {
            assert_line(&format!("-addr={addr}"), &format!("{url} {DEFAULTS}"));
        }
        assert_line(
            "-addr=[::1]:50051 -tls",
            &format!("grpcs://[::1]:50051 {DEFAULTS}"),
        );
        // The last -addr wins, as for every repeated flag but -rpc-header.
        assert_line("-addr=a:1 -addr=b:2", &format!("grpc://b:2 {DEFAULTS}"));
    }

    #[test]
    fn refuses_a_missing_or_malformed_address() {
        for args in ["", "-addr=", "-service=foo", "-addr=a:1 -addr="] {
            assert_eq!(
                line_error(args),
                "-addr is required, as in -addr=localhost:50051",
                "{args:?}"
            );
        }
        let needs_port = "expected HOST:PORT, as in -addr=localhost:50051";
        let tcp_only =
            "healthprobe connects over TCP only: expected HOST:PORT, as in -addr=localhost:50051";
        for (addr, why) in [
            ("localhost", needs_port),
            ("[::1]", needs_port),
            ("[::1]50051", needs_port),
            ("localhost:", "\"\" is not a port from 1 to 65535"),
            ("localhost:0", "\"0\" is not a port from 1 to 65535"),
            ("localhost:65536", "\"65536\" is not a port from 1 to 65535"),
            ("localhost:+80", "\"+80\" is not a port from 1 to 65535"),
            ("localhost:http", "\"http\" is not a port from 1 to 65535"),
            (
                "::1:50051",
                "write an IPv6 address in brackets, as in -addr=[::1]:50051",
            ),
            ("[zz]:1", "\"zz\" is not an IPv6 address"),
            ("[::1:1", "\"[\" without \"]\""),
            ("a b:1", "\"a b\" is not a host name or address"),
            // What may be a password, before an "@", is never shown.
            ("user@host:1", "\"...@host\" is not a host name or address"),
            ("unix:///tmp/grpc.sock", tcp_only),
            ("dns:///db:1", tcp_only),
        ] {
            let shown = match addr.rfind('@') {
                Some(at) => format!("...{}", &addr[at..]),
                None => addr.to_owned(),
            };
            assert_eq!(
                error(&[format!("-addr={addr}")]),
                format!("invalid -addr {shown:?}: {why}"),
            );
        }
    }

    #[test]
    fn refuses_tls_options_without_tls_as_grpc_health_probe_does() {
        for (args, message) in [
            (
                "-tls-no-verify",
                "specified -tls-no-verify without specifying -tls",
            ),
            (
                "-tls-ca-cert=ca.pem",
                "specified -tls-ca-cert without specifying -tls",
            ),
            (
                "-tls-client-cert=c.pem -tls-client-key=k.pem",
                "specified -tls-client-cert without specifying -tls",
            ),
            (
                "-tls-server-name=api",
                "specified -tls-server-name without specifying -tls",
            ),
            (
                "-tls-client-key=k.pem",
                "specified -tls-client-key without specifying -tls-client-cert",
            ),
            (
                "-tls -tls-client-cert=c.pem",
                "specified -tls-client-cert without specifying -tls-client-key",
            ),
            (
                "-tls -tls-client-key=k.pem",
                "specified -tls-client-key without specifying -tls-client-cert",
            ),
            (
                "-tls -tls-no-verify -tls-ca-cert=ca.pem",
                "cannot specify -tls-ca-cert with -tls-no-verify (the CA certificate would not be used)",
            ),
            (
                "-tls -tls-no-verify -tls-server-name=api",
                "cannot specify -tls-server-name with -tls-no-verify (the server name would not be used)",
            ),
            (
                "-tls -tls=false -tls-ca-cert=ca.pem",
                "specified -tls-ca-cert without specifying -tls",
            ),
        ] {
            assert_eq!(line_error(&format!("-addr=:1 {args}")), message, "{args}");
        }
        // An empty value is a flag not given, in grpc-health-probe too.
        assert_line(
            "-addr=:1 -tls-ca-cert= -tls-server-name= -tls-client-key=",
            &format!("grpc://localhost:1 {DEFAULTS}"),
        );
    }

    #[test]
    fn refuses_arguments_that_are_not_flags() {
        assert_eq!(
            line_error("-addr=:1 x"),
            format!("unexpected argument \"x\" {MODE}")
        );
        assert_eq!(
            line_error("x -addr=:1"),
            format!("unexpected argument \"x\" {MODE}")
        );
        assert_eq!(
            line_error("-addr=:1 -"),
            format!("unexpected argument \"-\" {MODE}")
        );
        // After "--", even a flag is an argument.
        assert_eq!(
            line_error("-addr=:1 -- -tls"),
            format!("unexpected argument \"-tls\" {MODE}")
        );
        assert_line("-addr=:1 --", &format!("grpc://localhost:1 {DEFAULTS}"));
    }

    #[test]
    fn refuses_unknown_flags_and_bad_syntax() {
        assert_eq!(
            line_error("-addr=:1 -foo"),
            format!("unknown flag -foo {MODE}")
        );
        assert_eq!(
            line_error("--foo=bar -addr=:1"),
            format!("unknown flag -foo {MODE}")
        );
        // Names are exact, as in Go.
        assert_eq!(line_error("-Addr=:1"), format!("unknown flag -Addr {MODE}"));
        assert_eq!(
            line_error("-addr=:1 -tls-verify"),
            format!("unknown flag -tls-verify {MODE}")
        );
        assert_eq!(error(&["-fo\no"]), format!("unknown flag -fo\\no {MODE}"));
        for bad in ["---tls", "-=x", "--=x"] {
            assert_eq!(
                error(&["-addr=:1", bad]),
                format!("bad flag syntax {bad:?}: expected -name or -name=value {MODE}")
            );
        }
        assert_eq!(
            line_error("-addr"),
            "-addr needs a value, as in -addr=VALUE"
        );
        assert_eq!(
            line_error("-addr=:1 --rpc-header"),
            "-rpc-header needs a value, as in -rpc-header=VALUE"
        );
    }

    #[test]
    fn refuses_what_healthprobe_cannot_do_and_says_why() {
        for (flag, why) in [
            ("spiffe", "SPIFFE workload API"),
            ("gzip", "uncompressed"),
            ("alts", "ALTS handshake is not implemented"),
            ("stream", "unary"),
            ("version", "healthprobe --version"),
        ] {
            for on in [
                format!("-{flag}"),
                format!("--{flag}"),
                format!("-{flag}=true"),
            ] {
                let message = error(&["-addr=:1", &on]);
                let start = format!("-{flag} is not supported by healthprobe: ");
                assert!(message.starts_with(&start), "{message}");
                assert!(message.contains(why), "{message}");
            }
            // Set to false, they ask for nothing healthprobe lacks.
            let plain = format!("grpc://localhost:1 {DEFAULTS}");
            assert_line(&format!("-addr=:1 -{flag}=false"), &plain);
            assert_line(&format!("-addr=:1 -{flag} -{flag}=false"), &plain);
        }
        // The first one given is named, before any other complaint.
        assert!(line_error("-gzip -spiffe").starts_with("-gzip is not supported"));
    }

    #[test]
    fn answers_help_whatever_came_before_it() {
        for args in [
            "-h",
            "-help",
            "--help",
            "--h",
            "-h=1",
            "-addr=:1 -gzip -h",
            "-h -addr",
            "-h stray",
        ] {
            assert_line(args, "--help");
        }
        // Go stops at the first error, so one before -h is reported.
        assert_eq!(line_error("-foo -h"), format!("unknown flag -foo {MODE}"));
        assert_eq!(
            line_error("-- -h"),
            format!("unexpected argument \"-h\" {MODE}")
        );
    }

    #[test]
    fn a_value_may_look_like_a_flag() {
        // Go takes the argument after a flag as its value whatever it is, so a
        // value can start with "-" or be "--"; it is joined to its option.
        assert_line(
            "-addr=:1 -service -tls",
            &format!("grpc://localhost:1 --grpc-service=-tls {DEFAULTS}"),
        );
        assert_line(
            "-addr=:1 -service --",
            &format!("grpc://localhost:1 --grpc-service=-- {DEFAULTS}"),
        );
        assert_line(
            "-addr=:1 -tls -tls-ca-cert=-k -tls-server-name --help",
            &format!("grpcs://localhost:1 {DEFAULTS} --cacert=-k --server-name=--help"),
        );
        assert_translates(
            &["-addr=:1", "-rpc-header=-x:y"],
            &[
                "grpc://localhost:1",
                "--connect-timeout",
                "1000ms",
                "--timeout",
                "2000ms",
                "--header=-x: y",
            ],
        );
        // An "=" in a value is part of it.
        assert_line(
            "-addr=:1 -service=a=b",
            &format!("grpc://localhost:1 --grpc-service a=b {DEFAULTS}"),
        );
    }

    #[test]
    fn keeps_every_dollar_literal() {
        assert_translates(
            &[
                "-addr=:1",
                "-service=$(SVC)",
                "-user-agent=ua$1",
                "-rpc-header=authorization: Bearer ${TOKEN}",
                "-tls",
                "-tls-ca-cert=/$ca.pem",
                "-tls-client-cert=$c",
                "-tls-client-key=$k",
            ],
            &[
                "grpcs://localhost:1",
                "--grpc-service",
                "$$(SVC)",
                "--connect-timeout",
                "1000ms",
                "--timeout",
                "2000ms",
                "-H",
                "user-agent: ua$$1",
                "-H",
                "authorization: Bearer $${TOKEN}",
                "--cacert",
                "/$$ca.pem",
                "--cert",
                "$$c",
                "--key",
                "$$k",
            ],
        );
        // A value healthprobe refuses is named by grpc-health-probe's flag.
        assert_eq!(
            error(&["-addr=:1", "-tls", "-tls-server-name=$name"]),
            "invalid -tls-server-name \"$name\": \"$name\" is not a host name (letters, digits, \"-\", \".\"; use the xn-- form of an international name) (grpc_health_probe mode; see healthprobe --help)"
        );
    }

    #[test]
    fn reads_ssl_cert_file_as_go_does_and_nothing_else() {
        let env = |name: &str| match name {
            "SSL_CERT_FILE" => Some(OsString::from("/etc/ca.pem")),
            _ => Some(OsString::from("--insecure")),
        };
        let roots = |args: &[&str]| match parse(os(args), &env) {
            Ok(Command::Probe(plan)) => plan.targets[0].tls.clone().map(|tls| tls.roots),
            other => panic!("{args:?}: {other:?}"),
        };
        use crate::spec::{Pem, TrustRoots};
        let file = Some(TrustRoots::Given(Pem::File("/etc/ca.pem".into())));
        assert_eq!(roots(&["-addr=:1", "-tls"]), file);
        assert_eq!(
            roots(&["-addr=:1", "-tls", "-tls-ca-cert=/mine.pem"]),
            Some(TrustRoots::Given(Pem::File("/mine.pem".into())))
        );
        assert_eq!(
            roots(&["-addr=:1", "-tls", "-tls-no-verify"]),
            Some(TrustRoots::System)
        );
        assert_eq!(roots(&["-addr=:1"]), None);
    }

    #[test]
    fn translates_headers_as_grpc_health_probe_sends_them() {
        let headers = [
            ("X-Foo:bar", "x-foo: bar"),
            ("x-empty:", "x-empty: "),
            ("x-spaces:   two  words", "x-spaces: two  words"),
            ("x-colon: a:b", "x-colon: a:b"),
            (" x-pad : v", "x-pad: v"),
        ];
        let mut args = vec![
            "-addr=:1".to_owned(),
            "-user-agent".to_owned(),
            "probe/1.0".to_owned(),
        ];
        let mut want = words(&format!("grpc://localhost:1 {DEFAULTS}"));
        want.extend(["-H".to_owned(), "user-agent: probe/1.0".to_owned()]);
        for (given, sent) in headers {
            args.push(format!("-rpc-header={given}"));
            want.extend(["-H".to_owned(), sent.to_owned()]);
        }
        assert_translates(&args, &want);
        // An empty -user-agent leaves gRPC's default, as healthprobe's does.
        assert_line(
            "-addr=:1 -user-agent=",
            &format!("grpc://localhost:1 {DEFAULTS}"),
        );
    }

    #[test]
    fn never_shows_a_header_in_an_error() {
        for header in ["Bearer-hunter2", ": hunter2", "  :hunter2"] {
            let message = error(&["-addr=:1", &format!("-rpc-header={header}")]);
            assert!(message.starts_with("invalid -rpc-header: "), "{message}");
            assert!(!message.contains("hunter2"), "{message}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn refuses_arguments_that_are_not_utf8() {
        use std::os::unix::ffi::OsStringExt;
        let run = |args: &[&[u8]]| {
            let args = args
                .iter()
                .map(|a| OsString::from_vec(a.to_vec()))
                .collect();
            match parse(args, &|_| None) {
                Err(e) => format!("{e:#}"),
                Ok(out) => panic!("should fail, gave {out:?}"),
            }
        };
        let not_utf8 = "invalid -rpc-header: its value is not valid UTF-8";
        assert_eq!(run(&[b"-addr=:1", b"-rpc-header=x: \xffhunter2"]), not_utf8);
        assert_eq!(run(&[b"-addr=:1", b"-rpc-header", b"x: \xff"]), not_utf8);
        assert_eq!(
            run(&[b"-tl\xffs=hunter2"]),
            "the flag name \"tl\u{FFFD}s\" is not valid UTF-8"
        );
        assert_eq!(
            run(&[b"-addr=:1", b"\xff"]),
            format!("unexpected argument \"\u{FFFD}\" {MODE}")
        );
    }
}
