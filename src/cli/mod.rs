//! The command line: arguments and environment in, a `Plan` of validated
//! targets out, each built with the library's `Probe`. Pure: the
//! environment arrives as a lookup function, so tests never touch process
//! state.
//!
//! It reads in two phases, as ripgrep does: first the syntax (each option
//! of `options::OPTIONS` and its value, from the flag or its variable),
//! then the meaning (the rules that span several targets, and each target
//! built through the builder's validating setters).

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};

use crate::duration;
use crate::error::Error;
use crate::expand::{expand, expand_url};
pub use crate::install::install;
pub use crate::line::{internal_error, one_line, os_error_text};
use crate::probe::Probe;
pub use crate::report::{EXIT_HEALTHY, EXIT_UNHEALTHY, EXIT_USAGE, Report};
use crate::setting::{CommandLineNames, Names, Setting};
use crate::spec::{DEFAULT_INTERVAL, MAX_AGE, Method, Scheme, Target, Wait};
use crate::url::shown;

use self::options::{FLAGS, Flag, Makes, TARGETS_VAR, Value};

#[cfg(test)]
mod docs;
mod options;
pub mod process;

/// `--help`.
pub fn help() -> &'static str {
    options::help()
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Help,
    Version,
    /// A text to print as it is, with exit 0: curl's and wget's own
    /// `--help` and `--version`.
    Text(String),
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
    pub targets: Vec<Target>,
    /// `--quiet`: no lines for healthy targets.
    pub quiet: bool,
    /// `--wait` and `--interval`.
    pub wait: Option<Wait>,
    /// The command after `--`, to run in place of healthprobe once every
    /// target is healthy; empty when there is none.
    pub command: Vec<OsString>,
    /// Answering as curl or wget: how to print and exit.
    pub mimic: Option<mimic::Mimic>,
}

/// Probes every target of `plan`, repeating with `--wait`, and returns one
/// report per target in the order given. With `--wait`, `changed` is called
/// with a target's progress line each time its failure changes.
pub fn check(plan: &Plan, changed: impl FnMut(&str)) -> Vec<Report> {
    crate::runner::check(&plan.targets, plan.wait, changed)
}

/// The most targets one run probes.
pub const MAX_TARGETS: usize = 16;

/// The program name under which healthprobe takes grpc-health-probe's flags.
pub const GRPC_HEALTH_PROBE: &str = "grpc_health_probe";

/// Parses a command line as [`parse`] does, or, when the binary runs under
/// the name `grpc_health_probe` (a `COPY` under that name, or a symlink), as
/// grpc-health-probe's flags (`grpc_health_probe::parse`). In that
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
        return grpc_health_probe::parse(args, &env);
    }
    #[cfg(not(feature = "grpc"))]
    if name.is_some_and(|n| n == GRPC_HEALTH_PROBE) {
        bail!(
            "{GRPC_HEALTH_PROBE} needs gRPC, which this build leaves out (built without the grpc feature)"
        );
    }
    if let Some(tool) = name.and_then(mimic::Tool::named) {
        return mimic::parse(tool, args, &env);
    }
    parse(args, env)
}

/// Parses the arguments (without the program name) and the `HEALTHPROBE_*`
/// variables read through `env`, which also serves `${VAR}` expansion.
pub fn parse(args: Vec<OsString>, env: impl Fn(&str) -> Option<OsString>) -> Result<Command> {
    parse_with_env(args, &env)
}

/// What the options give, typed: phase 1 fills it, one option at a time
/// ([`Given::update`]); phase 2 reads its fields by name.
#[derive(Debug, Default)]
struct Given {
    /// Each setting given, with the flag or variable that gave it, in the
    /// order of [`options::OPTIONS`]: errors and report lines name it so.
    sources: Vec<(Setting, String)>,
    quiet: bool,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    wait: Option<Duration>,
    interval: Option<Duration>,
    /// Checked when it is applied, as GET or HEAD.
    method: String,
    headers: Vec<(String, String)>,
    expect_status: String,
    expect_body: String,
    #[cfg(feature = "json")]
    expect_json: Vec<String>,
    follow_redirects: bool,
    unix_socket: String,
    grpc_service: String,
    cacert: String,
    insecure: bool,
    cert: String,
    /// The file holding `cert`'s key, when not `cert` itself.
    key: Option<String>,
    server_name: String,
    max_age: Option<Duration>,
}

impl Given {
    /// Records what one option gave, from `source` (its flag or its
    /// variable). Exhaustive, so that a new setting does not compile until
    /// the command line keeps it.
    fn update(&mut self, makes: Makes, source: String, value: Val) {
        let setting = match makes {
            Makes::Quiet => {
                self.quiet = true;
                return;
            }
            Makes::Setting(setting) => setting,
        };
        let duration = match value {
            Val::Duration(d) => Some(d),
            _ => None,
        };
        let text = |value: Val| match value {
            Val::Text(text) => text,
            _ => String::new(),
        };
        match setting {
            Setting::Timeout => self.timeout = duration,
            Setting::ConnectTimeout => self.connect_timeout = duration,
            Setting::Wait => self.wait = duration,
            Setting::Interval => self.interval = duration,
            Setting::MaxAge => self.max_age = duration,
            Setting::Method => self.method = text(value),
            Setting::Header => {
                if let Val::Headers(headers) = value {
                    self.headers = headers;
                }
            }
            Setting::ExpectStatus => self.expect_status = text(value),
            Setting::ExpectBody => self.expect_body = text(value),
            Setting::ExpectJson =>
            {
                #[cfg(feature = "json")]
                if let Val::Lines(lines) = value {
                    self.expect_json = lines;
                }
            }
            Setting::FollowRedirects => self.follow_redirects = true,
            Setting::UnixSocket => self.unix_socket = text(value),
            Setting::GrpcService => self.grpc_service = text(value),
            Setting::Cacert => self.cacert = text(value),
            Setting::Insecure => self.insecure = true,
            Setting::ClientCert => self.cert = text(value),
            Setting::ClientKey => self.key = Some(text(value)),
            Setting::ServerName => self.server_name = text(value),
            // The target is an argument, not an option.
            Setting::Target => {}
        }
        self.sources.push((setting, source));
    }

    /// Where the value of `setting` came from, if it was given.
    fn source(&self, setting: Setting) -> Option<&str> {
        let (_, source) = self.sources.iter().find(|(s, _)| *s == setting)?;
        Some(source)
    }
}

/// An option's value as read, before [`Given::update`] types it by the
/// setting it makes.
enum Val {
    Switch,
    Duration(Duration),
    Text(String),
    #[cfg(feature = "json")]
    Lines(Vec<String>),
    /// Headers, each as (name, value).
    Headers(Vec<(String, String)>),
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
    if args.contains(options::HELP_KEYS) {
        return Ok(Command::Help);
    }
    if args.contains(options::VERSION_KEYS) {
        return Ok(Command::Version);
    }

    // Phase 1, the syntax: the flags given, each with its values; switches
    // first, so that a switch after an option that takes a value is not
    // taken as its value.
    let mut flags: Vec<(&Flag, Vec<String>)> = Vec::new();
    for opt in FLAGS.iter().filter(|o| o.value == Value::Switch) {
        if args.contains(opt.keys()) {
            flags.push((opt, vec![String::new()]));
        }
    }
    for opt in FLAGS.iter().filter(|o| o.value != Value::Switch) {
        let usage = |e| usage_error(opt.long, e);
        let values = match opt.value {
            Value::Lines => args.values_from_str(opt.keys()).map_err(usage)?,
            _ => Vec::from_iter(args.opt_value_from_str(opt.keys()).map_err(usage)?),
        };
        if !values.is_empty() {
            flags.push((opt, values));
        }
    }
    let targets = free_arguments(args.finish())?;

    // Targets: the arguments, each expanded; else the variable, expanded,
    // then split at whitespace.
    let env = Env(env);
    let mut sources: Vec<(Setting, String)> = Vec::new();
    let mut expanded_targets = Vec::with_capacity(targets.len());
    // A list split at whitespace may have split a password that holds a
    // space, so that no piece's error can tell its parts from a password's:
    // when the list holds an "@" and more than one piece, none is shown.
    let mut split_secret = false;
    if targets.is_empty() {
        if let Some((_, list)) = env.expanded("URL", None, Some(TARGETS_VAR))? {
            sources.push((Setting::Target, TARGETS_VAR.to_owned()));
            expanded_targets.extend(list.split_whitespace().map(str::to_owned));
            split_secret = list.contains('@') && expanded_targets.len() > 1;
        }
    }
    for target in targets {
        if let Some((_, target)) = env.expanded("URL", Some(target), None)? {
            expanded_targets.push(target);
        }
    }
    let targets = expanded_targets;
    if targets.is_empty() {
        bail!("no target to probe: give one as an argument or in {TARGETS_VAR}");
    }
    if targets.len() > MAX_TARGETS {
        bail!(
            "{} targets given, more than the {MAX_TARGETS} healthprobe probes at once",
            targets.len()
        );
    }
    let names = |sources: Vec<(Setting, String)>| {
        Names::CommandLine(Arc::new(CommandLineNames {
            flag: options::flag,
            fallback: options::fallback,
            sources,
        }))
    };
    let mut probes = Vec::with_capacity(targets.len());
    for target in &targets {
        let probe = Probe::new(target).map_err(|e| match split_secret {
            true => anyhow!(
                "invalid {TARGETS_VAR}: one of its targets is not a URL healthprobe can probe; as the list holds an \"@\", none of it is shown (a password with a space in it splits the list: percent-encode the space as %20)"
            ),
            false => usage(e, &names(sources.clone())),
        })?;
        probes.push(probe);
    }
    let schemes: Vec<Scheme> = probes.iter().map(Probe::scheme).collect();
    // Whether any target takes the setting.
    let fits =
        |setting: Option<Setting>| setting.is_none_or(|s| schemes.iter().any(|k| k.takes(s)));

    // Each option's value: its flag, else its variable. A variable that
    // fits none of the targets is not even read: an image's ENV serves
    // every healthprobe command in it, say an https:// HEALTHCHECK and an
    // entrypoint that waits for tcp://db:5432. A flag that fits none is an
    // error (below). The interval's variable is read only when waiting.
    let mut given = Given::default();
    for opt in &FLAGS {
        let setting = opt.makes.setting();
        let flag = match flags.iter().position(|(f, _)| f.long == opt.long) {
            Some(at) => flags.swap_remove(at).1,
            None => Vec::new(),
        };
        let readable =
            fits(setting) && (setting != Some(Setting::Interval) || given.wait.is_some());
        let var = opt.var.filter(|_| readable);
        if let Some((source, value)) = read(opt, flag, var, &env)? {
            given.update(opt.makes, source, value);
        }
    }

    // Phase 2, the meaning. Options that fit no target would silently do
    // nothing; some kinds refuse a flag even when another target takes it,
    // because it would judge what they never see.
    for (setting, source) in &given.sources {
        let flag = source.starts_with('-');
        for scheme in &schemes {
            if let Some((refused, why)) = scheme.refuses() {
                if flag && refused.contains(setting) {
                    let name = scheme.rules().name;
                    bail!("{source} does not apply to {name}:// targets: {why}");
                }
            }
        }
    }
    for (setting, source) in &given.sources {
        if !fits(Some(*setting)) {
            let kinds = Scheme::taking(*setting);
            bail!("{source} applies only to {kinds} targets, and none is given");
        }
    }
    if let (None, Some(key)) = (
        given.source(Setting::ClientCert),
        given.source(Setting::ClientKey),
    ) {
        bail!("{key} needs {}", options::flag(Setting::ClientCert));
    }
    let wait = match (given.wait, given.source(Setting::Interval)) {
        (Some(limit), _) => Some(Wait {
            limit,
            interval: given.interval.unwrap_or(DEFAULT_INTERVAL),
        }),
        (None, Some(interval)) => bail!(
            "{interval} applies only with {}",
            options::flag(Setting::Wait)
        ),
        (None, None) => None,
    };

    // Every setting goes to each target it fits, through the same builder
    // the library offers, which validates it; errors and report lines name
    // the flag or the variable the value came from.
    sources.extend(given.sources.iter().cloned());
    let names = names(sources);
    let mut built = Vec::with_capacity(probes.len());
    for probe in probes {
        let target = build(probe, &given, &names)?;
        built.push(target);
    }
    Ok(Command::Probe(Plan {
        targets: built,
        quiet: given.quiet,
        wait,
        command,
        mimic: None,
    }))
}

/// Reads one option: its flag's values, else its variable `var` (when it
/// applies), as its [`Value`] says; `None` when neither gives it.
fn read(
    opt: &Flag,
    flag: Vec<String>,
    var: Option<&str>,
    env: &Env,
) -> Result<Option<(String, Val)>> {
    // The fallback variable (SSL_CERT_FILE) is another program's too, and
    // is taken as it is, not expanded.
    let mut expand_value = true;
    let (source, raw): (String, Vec<String>) = match (flag.is_empty(), var) {
        (false, _) => (opt.long.to_owned(), flag),
        (true, Some(var)) => match opt.value {
            Value::Switch => match env.flag(var)? {
                true => (var.to_owned(), Vec::new()),
                false => return Ok(None),
            },
            Value::Lines => match env.get(var)? {
                Some(lines) => (var.to_owned(), nonblank_lines(&lines)),
                None => return Ok(None),
            },
            _ => match (env.get(var)?, opt.fallback) {
                (Some(value), _) => (var.to_owned(), vec![value]),
                (None, Some(fallback)) => match env.get(fallback)? {
                    Some(value) => {
                        expand_value = false;
                        (fallback.to_owned(), vec![value])
                    }
                    None => return Ok(None),
                },
                (None, None) => return Ok(None),
            },
        },
        (true, None) => return Ok(None),
    };
    let expanded = |text: &str| {
        expand(text, |name| env.get_raw(name)).map_err(|why| anyhow!("in {source}: {why}"))
    };
    let value = match opt.value {
        Value::Switch => Val::Switch,
        Value::Duration | Value::Age => {
            let text = raw.concat();
            let max = match opt.value {
                Value::Age => MAX_AGE,
                _ => duration::MAX,
            };
            let d = duration::parse_within(&text, max)
                .map_err(|why| anyhow!("invalid {source} {text:?}: {why}"))?;
            Val::Duration(d)
        }
        Value::Text => Val::Text(raw.concat()),
        Value::Expanded if expand_value => Val::Text(expanded(&raw.concat())?),
        Value::Expanded => Val::Text(raw.concat()),
        // Header values are expanded once split from their names.
        Value::Lines if opt.makes == Makes::Setting(Setting::Header) => {
            Val::Headers(parse_headers(&raw, &source, env)?)
        }
        // The other repeatable option is --expect-json.
        #[cfg(not(feature = "json"))]
        Value::Lines => {
            bail!(
                "{source} needs JSON, which this build leaves out (built without the json feature)"
            )
        }
        #[cfg(feature = "json")]
        Value::Lines => {
            let mut lines = Vec::with_capacity(raw.len());
            for line in &raw {
                lines.push(expanded(line)?);
            }
            Val::Lines(lines)
        }
    };
    Ok(Some((source, value)))
}

/// The error's message, with each setting named as the user gave it.
fn usage(error: Error, names: &Names) -> anyhow::Error {
    anyhow!(error.render(names))
}

/// Builds one target: each option given goes to it through the builder's
/// setter, when its kind takes the option's setting.
fn build(mut probe: Probe, given: &Given, names: &Names) -> Result<Target, anyhow::Error> {
    let scheme = probe.scheme();
    for (setting, source) in &given.sources {
        if !scheme.takes(*setting) {
            continue;
        }
        let error = |e: Error| usage(e, names);
        // Exhaustive, so that a new setting does not compile until the
        // command line applies it.
        probe = match setting {
            Setting::Timeout => probe.timeout(given.timeout.unwrap_or_default()),
            Setting::ConnectTimeout => {
                probe.connect_timeout(given.connect_timeout.unwrap_or_default())
            }
            Setting::Method => {
                let method = &given.method;
                let method = if method.eq_ignore_ascii_case("GET") {
                    Method::Get
                } else if method.eq_ignore_ascii_case("HEAD") {
                    Method::Head
                } else {
                    bail!("invalid {source} {method:?}: expected GET or HEAD");
                };
                probe.method(method)
            }
            Setting::Header => {
                for (name, value) in &given.headers {
                    probe = probe.header(name, value).map_err(error)?;
                }
                Ok(probe)
            }
            Setting::ExpectStatus => probe.expect_status(&given.expect_status),
            Setting::ExpectBody => probe.expect_body(&given.expect_body),
            #[cfg(feature = "json")]
            Setting::ExpectJson => {
                for expression in &given.expect_json {
                    probe = probe.expect_json(expression).map_err(error)?;
                }
                Ok(probe)
            }
            // Refused when it is read, in a build without JSON.
            #[cfg(not(feature = "json"))]
            Setting::ExpectJson => Ok(probe),
            Setting::FollowRedirects => probe.follow_redirects(given.follow_redirects),
            Setting::UnixSocket => probe.unix_socket(&given.unix_socket),
            #[cfg(feature = "grpc")]
            Setting::GrpcService => probe.grpc_service(&given.grpc_service),
            // No target takes it in a build without gRPC.
            #[cfg(not(feature = "grpc"))]
            Setting::GrpcService => Ok(probe),
            Setting::Cacert => probe.cacert(&given.cacert),
            Setting::Insecure => probe.insecure(given.insecure),
            Setting::ServerName => probe.server_name(&given.server_name),
            Setting::MaxAge => probe.max_age(given.max_age.unwrap_or_default()),
            Setting::ClientCert => {
                let key = given.key.as_deref().unwrap_or(&given.cert);
                probe.client_cert(&given.cert, key)
            }
            // The key goes with the certificate; the target is the probe
            // itself; waiting is the runner's, not a target's.
            Setting::ClientKey | Setting::Target | Setting::Wait | Setting::Interval => Ok(probe),
        }
        .map_err(error)?;
    }
    probe
        .named(names.clone())
        .into_target()
        .map_err(|e| usage(e, names))
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

    /// [`Env::setting`] for a URL, with `${VAR}` expanded in the value
    /// (and no part of its user or password quoted in an error).
    fn expanded(
        &self,
        flag: &str,
        value: Option<String>,
        var: Option<&str>,
    ) -> Result<Option<(String, String)>> {
        let Some((source, v)) = self.setting(flag, value, var)? else {
            return Ok(None);
        };
        let v = expand_url(&v, |name| self.get_raw(name))
            .map_err(|why| anyhow!("in {source}: {why}"))?;
        Ok(Some((source, v)))
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
        // An argument may be a URL with a password: messages show it only
        // from its last "@" on.
        let arg = arg.into_string().map_err(|a| {
            let shown = shown(&a.to_string_lossy());
            anyhow!("argument {shown:?} is not valid UTF-8")
        })?;
        if arg.starts_with('-') && arg.len() > 1 {
            let flag = arg.split('=').next().unwrap_or_default();
            if options::is_known(flag) {
                bail!("{flag} is given more than once");
            }
            bail!("unknown option {:?} (see --help)", shown(&arg));
        }
        targets.push(arg);
    }
    Ok(targets)
}

#[cfg(feature = "grpc")]
mod grpc_health_probe;
pub mod mimic;
#[cfg(test)]
mod tests;
