//! Answering to the names `curl` and `wget`: the health-check lines that
//! Compose files, Helm charts and templates a team does not own carry
//! (`curl -f http://localhost:8080/health`, `wget -q --spider URL`) keep
//! working in an image whose only client is healthprobe, copied or linked
//! under that name.
//!
//! Each tool's flags fill one typed `Line`, which builds the target
//! through the library's [`Probe`] directly, as healthprobe's own command
//! line does: no argv in between. What the tool would print, how it would
//! retry and the exit code it would give are decided here ([`run`]).
//! Anything else is a usage error naming the tool's flag (exit 64, never 2).
//!
//! Faithful where it matters:
//! - curl without `-f` exits 0 for any HTTP status, as curl does (its line
//!   says the status was not checked); curl's exit codes 6, 7, 22, 28, 35,
//!   47, 52, 56, 60 for the failures they name; wget's as busybox gives them
//!   (1 for every failure).
//! - curl's `--retry` retries what curl 7.88 calls transient (a timeout, a
//!   failed name lookup, HTTP 408, 429, 500, 502, 503 and 504; a refused
//!   connection only with `--retry-connrefused`; anything with
//!   `--retry-all-errors`), at most N more times, 1 s apart and then
//!   doubling, or `--retry-delay` apart, within `--retry-max-time`, honouring
//!   a `Retry-After` in seconds (`tool_operate.c`, `post_per_transfer`).
//! - wget's `-t` is GNU wget's: a timeout, a lost connection and 504 are
//!   tried again, a refused connection only with `--retry-connrefused`, a
//!   failed lookup only with `--retry-on-host-error`, other statuses only
//!   when `--retry-on-http-error` lists them, waiting 1 s, 2 s, ... up to
//!   `--waitretry` (10 s) between tries (`http.c`, `retr.c`). Busybox wget
//!   ignores `-t`, and without it neither retries, so one try is the
//!   default (GNU's own default of 20 would outlast any health check).
//! - TLS options are ignored for http:// URLs, and a URL without a scheme
//!   is http://, as both tools do.
//! - The body is printed when the tool would print it (`curl URL`, `wget
//!   -O-`, curl `--fail-with-body`), at most 64 KiB.

use std::ffi::OsString;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};

use super::{Command, Plan};
use crate::duration;
use crate::error::Error;
use crate::probe::Probe;
use crate::report::{HttpProblem, Outcome, Problem, Ready, Report, TlsProblem};
use crate::setting::{CommandLineNames, Names, Setting};
use crate::spec::{Kind, Method};
use crate::url::shown;

/// The tool whose command line is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Curl,
    Wget,
}

impl Tool {
    /// The tool a program name asks for, if any.
    pub fn named(name: &std::ffi::OsStr) -> Option<Tool> {
        match name.to_str()? {
            "curl" => Some(Tool::Curl),
            "wget" => Some(Tool::Wget),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Tool::Curl => "curl",
            Tool::Wget => "wget",
        }
    }
}

/// How a run under another tool's name prints, retries and exits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mimic {
    pub tool: Tool,
    /// A status of 400 or more fails: curl's `-f` and `--fail-with-body`;
    /// always for wget.
    pub fail: bool,
    /// The body goes to stdout, at most 64 KiB (curl without `-o`, or
    /// `-o -`; wget `-O-`).
    pub print_body: bool,
    /// The body is printed even when the status fails (`--fail-with-body`).
    pub body_on_failure: bool,
    /// curl's `-w`: the text to print after the body, `%{http_code}` in it
    /// replaced by the status (`000` when there was none).
    pub write_out: Option<String>,
    /// No line for a healthy target and no line for a retry (curl `-s`,
    /// wget `-q`); a failure's line is always written, as with curl's `-S`.
    pub quiet: bool,
    /// When to try again.
    pub retry: Retry,
}

/// When a tool tries again after a failure, as the tool itself would.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Retry {
    /// curl's `--retry` and the flags that go with it.
    Curl {
        /// `--retry N`: at most this many more attempts.
        retries: u32,
        /// `--retry-delay`: a fixed wait; without it, 1 s, doubling.
        delay: Option<Duration>,
        /// `--retry-max-time`: no retry starts once this has passed.
        max_time: Option<Duration>,
        /// `--retry-connrefused`: a refused connection is transient too.
        connrefused: bool,
        /// `--retry-all-errors`: every failure is.
        all_errors: bool,
    },
    /// GNU wget's `-t` and the flags that go with it.
    Wget {
        /// `-t N`: at most this many tries in all; `None` for `-t 0` or
        /// `inf`, which GNU wget reads as no limit.
        tries: Option<u32>,
        /// `--waitretry`: the longest wait between tries.
        wait: Duration,
        /// `--retry-connrefused`.
        connrefused: bool,
        /// `--retry-on-host-error`.
        host_errors: bool,
        /// `--retry-on-http-error`: statuses tried again.
        statuses: Vec<u16>,
    },
}

/// The deadline of each attempt when the command line gives none. curl and
/// wget wait far longer by default; this is Docker's default HEALTHCHECK
/// timeout, which would end the check anyway.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// curl's longest wait between retries (`RETRY_SLEEP_MAX`, 10 minutes).
const CURL_MAX_DELAY: Duration = Duration::from_secs(600);

/// GNU wget's default `--waitretry`.
const WGET_WAITRETRY: Duration = Duration::from_secs(10);

/// What curl's `-h` prints in this mode.
const CURL_HELP: &str = concat!(
    "Usage: curl [options...] <url>\n",
    "This is healthprobe ",
    env!("CARGO_PKG_VERSION"),
    " answering to the name curl: it checks one http:// or https:// URL\n",
    "for a container health check, and takes the curl flags health checks use:\n",
    " -f, --fail                 Fail with exit 22 on HTTP statuses of 400 and above\n",
    "     --fail-with-body       The same, printing the body\n",
    " -s, --silent               No line for a healthy check, no retry lines\n",
    " -S, --show-error           Accepted: failures always print a line\n",
    "     --no-progress-meter    Accepted: there is no progress meter\n",
    " -v, --verbose              Accepted: the line says what happened\n",
    " -o, --output <file>        Only - (stdout) or /dev/null: nothing is written\n",
    " -w, --write-out <format>   Text after the body; takes %{http_code}\n",
    " -I, --head                 Send HEAD\n",
    " -X, --request <method>     GET or HEAD\n",
    " -H, --header <header>      A request header; repeatable\n",
    " -A, --user-agent <name>    The User-Agent header\n",
    " -L, --location             Follow redirects that keep the scheme, host and port\n",
    "     --max-redirs <num>     Follow at most this many (healthprobe follows 5 at most)\n",
    " -m, --max-time <seconds>   The deadline of each attempt (default 30)\n",
    "     --connect-timeout <seconds>  A shorter limit for connecting\n",
    "     --retry <num>          Retry transient failures at most this many times\n",
    "     --retry-delay <seconds>      Wait this long between retries (default 1, doubling)\n",
    "     --retry-max-time <seconds>   Start no retry after this long\n",
    "     --retry-connrefused    A refused connection is transient too\n",
    "     --retry-all-errors     Every failure is\n",
    " -k, --insecure             https: do not verify the certificate\n",
    "     --cacert <file>        https: the certificates to trust\n",
    "     --unix-socket <path>   Connect to this Unix socket\n",
    "     --abstract-unix-socket <name>  Connect to this abstract Unix socket\n",
    "     --url <url>            The URL\n",
    " -4, --ipv4                 Accepted: IPv4 is tried first\n",
    "     --compressed           Accepted: the body is asked for uncompressed\n",
    "     --noproxy <list>       Accepted: no proxy is ever used\n",
    " -h, --help                 This help\n",
    " -V, --version              The version\n",
);

/// What wget's `--help` prints in this mode.
const WGET_HELP: &str = concat!(
    "Usage: wget [OPTION]... [URL]\n",
    "This is healthprobe ",
    env!("CARGO_PKG_VERSION"),
    " answering to the name wget: it checks one http:// or https:// URL\n",
    "for a container health check, and takes the wget flags health checks use:\n",
    "  -q,  --quiet                   No line for a healthy check, no retry lines\n",
    "       --spider                  Do not print the body\n",
    "  -O,  --output-document=FILE    Only - (stdout) or /dev/null: nothing is written\n",
    "  -S,  --server-response         Accepted: the line shows the status\n",
    "  -nv, --no-verbose              Accepted\n",
    "  -T,  --timeout=SECONDS         The deadline of each try (default 30)\n",
    "  -t,  --tries=NUMBER            Try at most this many times, as GNU wget does (default 1)\n",
    "       --waitretry=SECONDS       Wait 1, 2, ... up to this long between tries (default 10)\n",
    "       --retry-connrefused       A refused connection is tried again\n",
    "       --retry-on-host-error     A failed name lookup is tried again\n",
    "       --retry-on-http-error=LIST  These statuses are tried again\n",
    "       --header=STRING           A request header; repeatable\n",
    "  -U,  --user-agent=AGENT        The User-Agent header\n",
    "       --no-check-certificate    https: do not verify the certificate\n",
    "       --ca-certificate=FILE     https: the certificates to trust\n",
    "  -4,  --inet4-only              Accepted: IPv4 is tried first\n",
    "  -Y,  --proxy=on/off, --no-proxy, --no-cache  Accepted: no proxy or cache is used\n",
    "  -h,  --help                    This help\n",
    "  -V,  --version                 The version\n",
);

/// Parses the tool's arguments (without the program name) into a plan:
/// one target, built through [`Probe`], and how to print, retry and exit.
/// `SSL_CERT_FILE` is honoured for https://, as curl and wget do; no
/// `HEALTHPROBE_*` variable is read: the line means what it meant.
pub fn parse(
    tool: Tool,
    args: Vec<OsString>,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Result<Command> {
    let name = tool.name();
    let mut args = args
        .into_iter()
        .map(|a| {
            a.into_string().map_err(|a| {
                let shown = shown(&a.to_string_lossy());
                anyhow!("{name}: argument {shown:?} is not valid UTF-8")
            })
        })
        .collect::<Result<Vec<String>>>()?
        .into_iter();
    let mut line = Line::new(tool);
    while let Some(arg) = args.next() {
        let mut value = |flag: &str, attached: Option<String>| -> Result<String> {
            match attached.or_else(|| args.next()) {
                Some(v) => Ok(v),
                None => bail!("{name}: {flag} needs a value"),
            }
        };
        if let Some(long) = arg.strip_prefix("--").filter(|l| !l.is_empty()) {
            // GNU wget takes --name=value; curl takes none.
            let (flag, attached) = match (tool, long.split_once('=')) {
                (Tool::Wget, Some((flag, v))) => (flag, Some(v.to_owned())),
                _ => (long, None),
            };
            let flag = format!("--{flag}");
            let what = ToolFlag::of(tool, &flag)?;
            let v = match what.takes_value() {
                true => Some(value(&flag, attached)?),
                false if attached.is_some() => bail!("{name}: {flag} takes no value"),
                false => None,
            };
            if let Some(command) = line.set(what, &flag, v)? {
                return Ok(command);
            }
        } else if tool == Tool::Wget && arg.starts_with("-n") && arg.len() > 2 {
            // GNU wget's -nv, -nc, -nH, -np: busybox ignores all four.
            let what = ToolFlag::of(tool, &arg)?;
            line.set(what, &arg, None)?;
        } else if let Some(cluster) = arg.strip_prefix('-').filter(|c| !c.is_empty()) {
            // Short flags, bundled as in -fsS or -qO-; the first that takes
            // a value takes the rest of the cluster, or the next argument.
            for (i, c) in cluster.char_indices() {
                let flag = format!("-{c}");
                let what = ToolFlag::of(tool, &flag)?;
                if what.takes_value() {
                    let rest = &cluster[i + c.len_utf8()..];
                    let attached = (!rest.is_empty()).then(|| rest.to_owned());
                    let v = value(&flag, attached)?;
                    if let Some(command) = line.set(what, &flag, Some(v))? {
                        return Ok(command);
                    }
                    break;
                }
                if let Some(command) = line.set(what, &flag, None)? {
                    return Ok(command);
                }
            }
        } else {
            line.url(arg)?;
        }
    }
    line.into_plan(env).map(Command::Probe)
}

/// A tool's command line, read: what each flag asked for, typed.
struct Line {
    tool: Tool,
    url: Option<String>,
    fail: bool,
    fail_with_body: bool,
    quiet: bool,
    /// `-o`/`-O`: `Some(true)` for stdout, `Some(false)` for /dev/null.
    output_to_stdout: Option<bool>,
    spider: bool,
    method: Method,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    insecure: bool,
    cacert: Option<String>,
    headers: Vec<String>,
    user_agent: Option<String>,
    follow: bool,
    max_redirects: Option<u32>,
    unix_socket: Option<String>,
    write_out: Option<String>,
    retry: Retry,
}

/// What one of the tools' flags does. [`ToolFlag::of`] is the one place that
/// names the flags healthprobe takes in each tool's place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ToolFlag {
    /// curl `-f`.
    Fail,
    /// curl `--fail-with-body`.
    FailWithBody,
    /// curl `-s`, wget `-q`.
    Quiet,
    /// Accepted and changes nothing: failures are always shown (curl `-S`);
    /// there is no progress meter; the line says what happened (curl
    /// `-v`); wget `-S` prints the server's headers, and the line shows the
    /// status; no proxy or cache is ever used; IPv4 is tried first for
    /// `localhost`; no body is asked for compressed.
    Ignored,
    /// The same, with a value (curl `--noproxy`, wget `-Y`).
    IgnoredValue,
    /// curl `-I`.
    Head,
    /// curl `-k`, wget `--no-check-certificate`.
    Insecure,
    /// curl `--cacert`, wget `--ca-certificate`.
    Cacert,
    /// curl `-L`.
    Follow,
    /// curl `--max-redirs`.
    MaxRedirects,
    /// wget `--spider`.
    Spider,
    /// curl `-o`, wget `-O`: `-` or `/dev/null`.
    Output,
    /// curl `-X`: GET or HEAD.
    Request,
    /// curl `-m`, wget `-T`.
    Timeout,
    /// curl `--connect-timeout`.
    ConnectTimeout,
    /// curl `-H`, wget `--header`.
    Header,
    /// curl `-A`, wget `-U`.
    UserAgent,
    /// curl `--unix-socket`.
    UnixSocket,
    /// curl `--abstract-unix-socket`.
    AbstractUnixSocket,
    /// curl `--url`.
    Url,
    /// curl `--retry`.
    Retry,
    /// curl `--retry-delay`.
    RetryDelay,
    /// curl `--retry-max-time`.
    RetryMaxTime,
    /// curl and wget `--retry-connrefused`.
    RetryConnRefused,
    /// curl `--retry-all-errors`.
    RetryAllErrors,
    /// wget `-t`.
    Tries,
    /// wget `--waitretry`.
    WaitRetry,
    /// wget `--retry-on-host-error`.
    RetryHostErrors,
    /// wget `--retry-on-http-error`.
    RetryStatuses,
    /// curl `-w`.
    WriteOut,
    /// `--help`.
    Help,
    /// `--version`.
    Version,
}

impl ToolFlag {
    /// What the tool's flag (`-f`, `--fail`) does; an error for a flag
    /// healthprobe does not take in this mode.
    fn of(tool: Tool, flag: &str) -> Result<ToolFlag> {
        use Tool::{Curl, Wget};
        use ToolFlag::*;
        Ok(match (tool, flag) {
            (Curl, "-f" | "--fail") => Fail,
            (Curl, "--fail-with-body") => FailWithBody,
            (Curl, "-s" | "--silent") | (Wget, "-q" | "--quiet") => Quiet,
            (
                Curl,
                "-S"
                | "--show-error"
                | "--no-progress-meter"
                | "-v"
                | "--verbose"
                | "-4"
                | "--ipv4"
                | "--compressed",
            )
            | (
                Wget,
                "-S"
                | "--server-response"
                | "-nv"
                | "--no-verbose"
                | "-nc"
                | "--no-clobber"
                | "-nH"
                | "--no-host-directories"
                | "-np"
                | "--no-parent"
                | "--no-proxy"
                | "--no-cache"
                | "-4"
                | "--inet4-only",
            ) => Ignored,
            (Curl, "--noproxy") | (Wget, "-Y" | "--proxy") => IgnoredValue,
            (Curl, "-I" | "--head") => Head,
            (Curl, "-k" | "--insecure") | (Wget, "--no-check-certificate") => Insecure,
            (Curl, "--cacert") | (Wget, "--ca-certificate") => Cacert,
            (Curl, "-L" | "--location") => Follow,
            (Curl, "--max-redirs") => MaxRedirects,
            (Wget, "--spider") => Spider,
            (Curl, "-o" | "--output") | (Wget, "-O" | "--output-document") => Output,
            (Curl, "-X" | "--request") => Request,
            (Curl, "-m" | "--max-time") | (Wget, "-T" | "--timeout") => Timeout,
            (Curl, "--connect-timeout") => ConnectTimeout,
            (Curl, "-H" | "--header") | (Wget, "--header") => Header,
            (Curl, "-A" | "--user-agent") | (Wget, "-U" | "--user-agent") => UserAgent,
            (Curl, "--unix-socket") => UnixSocket,
            (Curl, "--abstract-unix-socket") => AbstractUnixSocket,
            (Curl, "--url") => Url,
            (Curl, "--retry") => Retry,
            (Curl, "--retry-delay") => RetryDelay,
            (Curl, "--retry-max-time") => RetryMaxTime,
            (Curl | Wget, "--retry-connrefused") => RetryConnRefused,
            (Curl, "--retry-all-errors") => RetryAllErrors,
            (Wget, "-t" | "--tries") => Tries,
            (Wget, "--waitretry") => WaitRetry,
            (Wget, "--retry-on-host-error") => RetryHostErrors,
            (Wget, "--retry-on-http-error") => RetryStatuses,
            (Curl, "-w" | "--write-out") => WriteOut,
            (Curl, "-h" | "--help") | (Wget, "-h" | "--help") => Help,
            (Curl, "-V" | "--version") | (Wget, "-V" | "--version") => Version,
            _ => bail!(
                "healthprobe as {} does not take {flag:?}: {} --help lists the flags it takes",
                tool.name(),
                tool.name()
            ),
        })
    }

    fn takes_value(self) -> bool {
        use ToolFlag::*;
        !matches!(
            self,
            Fail | FailWithBody
                | Quiet
                | Ignored
                | Head
                | Insecure
                | Follow
                | Spider
                | RetryConnRefused
                | RetryAllErrors
                | RetryHostErrors
                | Help
                | Version
        )
    }
}

impl Line {
    fn new(tool: Tool) -> Line {
        let retry = match tool {
            Tool::Curl => Retry::Curl {
                retries: 0,
                delay: None,
                max_time: None,
                connrefused: false,
                all_errors: false,
            },
            Tool::Wget => Retry::Wget {
                tries: Some(1),
                wait: WGET_WAITRETRY,
                connrefused: false,
                host_errors: false,
                statuses: Vec::new(),
            },
        };
        Line {
            tool,
            url: None,
            fail: tool == Tool::Wget,
            fail_with_body: false,
            quiet: false,
            output_to_stdout: None,
            spider: false,
            method: Method::Get,
            timeout: None,
            connect_timeout: None,
            insecure: false,
            cacert: None,
            headers: Vec::new(),
            user_agent: None,
            follow: tool == Tool::Wget,
            max_redirects: None,
            unix_socket: None,
            write_out: None,
            retry,
        }
    }

    fn url(&mut self, url: String) -> Result<()> {
        if self.url.is_some() {
            let name = self.tool.name();
            bail!(
                "{name} is given more than one URL ({:?}): healthprobe as {name} checks one",
                shown(&url)
            );
        }
        self.url = Some(url);
        Ok(())
    }

    /// Records `flag`, named `name` on the command line, with its value;
    /// `--help` and `--version` are a command of their own.
    fn set(
        &mut self,
        flag: ToolFlag,
        name: &str,
        value: Option<String>,
    ) -> Result<Option<Command>> {
        let tool = self.tool.name();
        let v = value.unwrap_or_default();
        let invalid = |why: &str| anyhow!("invalid {tool} {name} {v:?}: {why}");
        // curl reads whole numbers for its retry flags and a decimal for its
        // timeouts; wget a decimal for both.
        let count = || {
            v.parse::<u32>()
                .map_err(|_| invalid("expected a whole number"))
        };
        let seconds = |whole: bool| -> Result<Duration> {
            let valid = v
                .bytes()
                .all(|b| b.is_ascii_digit() || (!whole && b == b'.'));
            match duration::parse_within(&format!("{v}s"), duration::MAX) {
                Ok(d) if valid && !v.is_empty() => Ok(d),
                Ok(_) if whole => Err(invalid("expected a whole number of seconds")),
                Ok(_) => Err(invalid("expected seconds, as in 2 or 0.5")),
                Err(why) => Err(invalid(&format!("{why} (in seconds)"))),
            }
        };
        match flag {
            ToolFlag::Fail => self.fail = true,
            ToolFlag::FailWithBody => (self.fail, self.fail_with_body) = (true, true),
            ToolFlag::Quiet => self.quiet = true,
            ToolFlag::Ignored | ToolFlag::IgnoredValue => {}
            ToolFlag::Head => self.method = Method::Head,
            ToolFlag::Insecure => self.insecure = true,
            ToolFlag::Cacert => self.cacert = Some(v),
            ToolFlag::Follow => self.follow = true,
            ToolFlag::MaxRedirects => self.max_redirects = Some(count()?),
            ToolFlag::Spider => self.spider = true,
            ToolFlag::Output => {
                self.output_to_stdout = Some(match v.as_str() {
                    "-" => true,
                    "/dev/null" => false,
                    _ => bail!(
                        "healthprobe as {tool} writes no file: {name} takes /dev/null or -, not {v:?}"
                    ),
                })
            }
            ToolFlag::Request => {
                self.method = match v.as_str() {
                    "GET" => Method::Get,
                    "HEAD" => Method::Head,
                    _ => bail!("healthprobe as {tool} sends GET or HEAD, not {name} {v:?}"),
                }
            }
            ToolFlag::Timeout => self.timeout = Some(seconds(false)?),
            ToolFlag::ConnectTimeout => self.connect_timeout = Some(seconds(false)?),
            ToolFlag::Header => self.headers.push(v),
            ToolFlag::UserAgent => self.user_agent = Some(v),
            ToolFlag::UnixSocket => self.unix_socket = Some(v),
            ToolFlag::AbstractUnixSocket => self.unix_socket = Some(format!("@{v}")),
            ToolFlag::Url => self.url(v)?,
            ToolFlag::WriteOut => self.write_out = Some(write_out(&v)?),
            ToolFlag::Help => {
                let help = match self.tool {
                    Tool::Curl => CURL_HELP,
                    Tool::Wget => WGET_HELP,
                };
                return Ok(Some(Command::Text(help.trim_end().to_owned())));
            }
            ToolFlag::Version => {
                let version = env!("CARGO_PKG_VERSION");
                return Ok(Some(Command::Text(format!(
                    "{tool} (healthprobe {version}): this is healthprobe answering to the name {tool}, not {tool}\nProtocols: http https"
                ))));
            }
            ToolFlag::Retry
            | ToolFlag::RetryDelay
            | ToolFlag::RetryMaxTime
            | ToolFlag::RetryConnRefused
            | ToolFlag::RetryAllErrors
            | ToolFlag::Tries
            | ToolFlag::WaitRetry
            | ToolFlag::RetryHostErrors
            | ToolFlag::RetryStatuses => self.set_retry(flag, name, &v)?,
        }
        Ok(None)
    }

    /// The retry flags, each of one tool.
    fn set_retry(&mut self, flag: ToolFlag, name: &str, v: &str) -> Result<()> {
        let tool = self.tool.name();
        let invalid = |why: &str| anyhow!("invalid {tool} {name} {v:?}: {why}");
        let whole = || {
            v.parse::<u32>()
                .map_err(|_| invalid("expected a whole number"))
        };
        let seconds = || -> Result<Duration> {
            let n = v
                .parse::<u64>()
                .ok()
                .filter(|n| *n <= duration::MAX.as_secs())
                .ok_or_else(|| invalid("expected a whole number of seconds, at most an hour"))?;
            Ok(Duration::from_secs(n))
        };
        match &mut self.retry {
            Retry::Curl {
                retries,
                delay,
                max_time,
                connrefused,
                all_errors,
            } => match flag {
                ToolFlag::Retry => *retries = whole()?,
                // curl waits 1 s and doubles when the delay is 0 or unset.
                ToolFlag::RetryDelay => *delay = Some(seconds()?).filter(|d| !d.is_zero()),
                ToolFlag::RetryMaxTime => *max_time = Some(seconds()?).filter(|d| !d.is_zero()),
                ToolFlag::RetryConnRefused => *connrefused = true,
                ToolFlag::RetryAllErrors => *all_errors = true,
                _ => {}
            },
            Retry::Wget {
                tries,
                wait,
                connrefused,
                host_errors,
                statuses,
            } => match flag {
                ToolFlag::Tries => {
                    *tries = match v {
                        "inf" | "0" => None,
                        _ => Some(whole()?),
                    }
                }
                ToolFlag::WaitRetry => {
                    let d = duration::parse_within(&format!("{v}s"), duration::MAX)
                        .map_err(|why| invalid(&format!("{why} (in seconds)")))?;
                    *wait = d;
                }
                ToolFlag::RetryConnRefused => *connrefused = true,
                ToolFlag::RetryHostErrors => *host_errors = true,
                ToolFlag::RetryStatuses => {
                    for code in v.split(',') {
                        let code = code
                            .trim()
                            .parse::<u16>()
                            .ok()
                            .filter(|c| (100..600).contains(c));
                        statuses.push(
                            code.ok_or_else(|| invalid("expected HTTP statuses, as in 503,504"))?,
                        );
                    }
                }
                _ => {}
            },
        }
        Ok(())
    }

    /// The target, built as the library builds one, with the tool's names
    /// in its messages, and how to print, retry and exit.
    fn into_plan(self, env: &dyn Fn(&str) -> Option<OsString>) -> Result<Plan> {
        let tool = self.tool;
        let name = tool.name();
        let Some(url) = self.url else {
            bail!("{name}: no URL specified");
        };
        // Both tools read a URL without a scheme as http://.
        let url = match url.contains("://") {
            true => url,
            false => format!("http://{url}"),
        };
        let scheme = url
            .split_once("://")
            .map(|(s, _)| s.to_ascii_lowercase())
            .unwrap_or_default();
        let https = match scheme.as_str() {
            "http" => false,
            "https" => true,
            _ => bail!("healthprobe as {name} checks http:// and https:// URLs, not {scheme}://"),
        };
        // Both tools ignore their TLS options for http:// URLs; for
        // https://, SSL_CERT_FILE stands in for a CA file not given.
        let from_env = || {
            let file = env("SSL_CERT_FILE")?.into_string().ok()?;
            (!file.is_empty()).then_some(file)
        };
        let (cacert, sources) = match (https, self.cacert) {
            (false, _) => (None, Vec::new()),
            (true, Some(file)) => (Some(file), Vec::new()),
            (true, None) => match from_env() {
                Some(file) => (
                    Some(file),
                    vec![(Setting::Cacert, "SSL_CERT_FILE".to_owned())],
                ),
                None => (None, Vec::new()),
            },
        };
        let names = Names::CommandLine(Arc::new(CommandLineNames {
            flag: match tool {
                Tool::Curl => curl_flag,
                Tool::Wget => wget_flag,
            },
            fallback: |setting| (setting == Setting::Cacert).then_some("SSL_CERT_FILE"),
            sources,
        }));
        let usage = |e: Error| anyhow!(e.render(&names));
        let mut probe = Probe::new(&url).map_err(usage)?;
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        probe = probe.timeout(timeout).map_err(usage)?;
        if let Some(connect) = self.connect_timeout {
            // curl lets it exceed --max-time; it can never apply beyond it.
            probe = probe.connect_timeout(connect.min(timeout)).map_err(usage)?;
        }
        probe = probe.method(self.method).map_err(usage)?;
        // curl without -f takes any status; with it, and wget, fail at 400.
        let statuses = if self.fail { "100-399" } else { "100-599" };
        probe = probe.expect_status(statuses).map_err(usage)?;
        probe = probe.follow_redirects(self.follow).map_err(usage)?;
        for header in &self.headers {
            let Some((header, value)) = header.split_once(':') else {
                bail!(
                    "invalid {name} header: expected \"Name: value\" (the text given is not shown)"
                );
            };
            probe = probe.header(header.trim(), value).map_err(usage)?;
        }
        if let Some(agent) = &self.user_agent {
            probe = probe.header("User-Agent", agent).map_err(usage)?;
        }
        if let Some(socket) = &self.unix_socket {
            probe = probe.unix_socket(socket).map_err(usage)?;
        }
        if https && self.insecure {
            probe = probe.insecure(true).map_err(usage)?;
        }
        if let Some(file) = &cacert {
            probe = probe.cacert(file).map_err(usage)?;
        }
        let mut target = probe.named(names.clone()).into_target().map_err(usage)?;
        if let Kind::Http(check) = &mut target.kind {
            check.keep = true;
            check.max_redirects = self.max_redirects.map(|n| n.min(5) as u8);
        }
        let print_body = self.method == Method::Get
            && !self.spider
            && match tool {
                Tool::Curl => self.output_to_stdout.unwrap_or(true),
                // Without -O, wget would save a file, which healthprobe never writes.
                Tool::Wget => self.output_to_stdout.unwrap_or(false),
            };
        let mut retry = self.retry;
        // GNU wget judges a --spider's failed status a broken link before
        // it looks at --retry-on-http-error (http.c, http_loop).
        if let Retry::Wget { statuses, .. } = &mut retry {
            if self.spider {
                statuses.clear();
            }
        }
        let mimic = Mimic {
            tool,
            fail: self.fail,
            print_body,
            body_on_failure: self.fail_with_body,
            write_out: self.write_out,
            quiet: self.quiet,
            retry,
        };
        Ok(Plan {
            targets: vec![target],
            quiet: self.quiet,
            wait: None,
            command: Vec::new(),
            mimic: Some(mimic),
        })
    }
}

/// How curl names a setting in a message: by its own flag.
fn curl_flag(setting: Setting) -> &'static str {
    match setting {
        Setting::Target => "URL",
        Setting::Timeout => "--max-time",
        Setting::ConnectTimeout => "--connect-timeout",
        Setting::Method => "--request",
        Setting::Header => "--header",
        Setting::ExpectStatus => "--fail",
        Setting::FollowRedirects => "--location",
        Setting::UnixSocket => "--unix-socket",
        Setting::Cacert => "--cacert",
        Setting::Insecure => "--insecure",
        Setting::Wait | Setting::Interval => "--retry",
        // Not settable as curl: named as healthprobe names them.
        Setting::ExpectBody => "--expect-body",
        Setting::ExpectJson => "--expect-json",
        Setting::GrpcService => "--grpc-service",
        Setting::ClientCert => "--cert",
        Setting::ClientKey => "--key",
        Setting::ServerName => "--server-name",
        Setting::MaxAge => "--max-age",
    }
}

/// How wget names a setting in a message: by its own flag.
fn wget_flag(setting: Setting) -> &'static str {
    match setting {
        Setting::Target => "URL",
        Setting::Timeout | Setting::ConnectTimeout => "--timeout",
        Setting::Method => "--spider",
        Setting::Header => "--header",
        Setting::ExpectStatus => "(wget's status rule)",
        Setting::FollowRedirects => "(wget's redirects)",
        Setting::Cacert => "--ca-certificate",
        Setting::Insecure => "--no-check-certificate",
        Setting::Wait | Setting::Interval => "--tries",
        // Not settable as wget: named as healthprobe names them.
        Setting::UnixSocket => "--unix-socket",
        Setting::ExpectBody => "--expect-body",
        Setting::ExpectJson => "--expect-json",
        Setting::GrpcService => "--grpc-service",
        Setting::ClientCert => "--certificate",
        Setting::ClientKey => "--private-key",
        Setting::ServerName => "--server-name",
        Setting::MaxAge => "--max-age",
    }
}

/// curl's `-w` text, checked: `%{http_code}` (or `%{response_code}`), `%%`,
/// and the escapes `\n`, `\r`, `\t`; any other variable is an error.
fn write_out(text: &str) -> Result<String> {
    let mut rest = text;
    while let Some(at) = rest.find("%{") {
        let after = &rest[at + 2..];
        let Some(end) = after.find('}') else { break };
        let variable = &after[..end];
        if variable != "http_code" && variable != "response_code" {
            bail!("healthprobe as curl writes out only %{{http_code}}, not %{{{variable}}}");
        }
        rest = &after[end + 1..];
    }
    Ok(text.to_owned())
}

/// The `-w` text with the status in place, and its escapes.
fn written_out(text: &str, status: Option<u16>) -> String {
    let code = status.map_or("000".to_owned(), |s| format!("{s:03}"));
    text.replace("%{http_code}", &code)
        .replace("%{response_code}", &code)
        .replace("%%", "%")
        .replace("\\n", "\n")
        .replace("\\r", "\r")
        .replace("\\t", "\t")
}

/// The status of the response a report judged, if one came.
fn status(report: &Report) -> Option<u16> {
    match report.outcome() {
        Outcome::Healthy {
            ready: Ready::Http { status, .. },
            ..
        } => Some(*status),
        Outcome::Unhealthy {
            problem:
                Problem::Http(
                    HttpProblem::UnexpectedStatus { status, .. }
                    | HttpProblem::RedirectRefused { status, .. }
                    | HttpProblem::BodyMismatch { status, .. },
                ),
            ..
        } => Some(*status),
        _ => None,
    }
}

/// Whether every address refused the connection (curl looks at the errno of
/// the last attempt: ECONNREFUSED).
fn refused(report: &Report) -> bool {
    match report.outcome() {
        Outcome::ConnectFailed { attempts } => attempts
            .last()
            .is_some_and(|(_, error)| error.kind == std::io::ErrorKind::ConnectionRefused),
        _ => false,
    }
}

impl Retry {
    /// After a failed attempt (or a transient status), how long to wait
    /// before the next, as the tool decides; `None` to stop. `attempts` is
    /// how many were made, over `elapsed`.
    fn next(&mut self, report: &Report, attempts: u32, elapsed: Duration) -> Option<Duration> {
        let transient_status =
            || status(report).filter(|s| matches!(s, 408 | 429 | 500 | 502 | 503 | 504));
        match self {
            Retry::Curl {
                retries,
                delay,
                max_time,
                connrefused,
                all_errors,
            } => {
                if *retries == 0 || max_time.is_some_and(|max| elapsed >= max) {
                    return None;
                }
                let failed = !report.is_healthy();
                let http = transient_status().is_some();
                let transient = matches!(
                    report.outcome(),
                    Outcome::TimedOut { .. } | Outcome::ResolveFailed { .. }
                ) || (*connrefused && refused(report))
                    || http
                    || (failed && *all_errors);
                if !transient {
                    return None;
                }
                // curl sleeps 1 s, then 2, 4, ... up to 10 minutes; or
                // --retry-delay each time.
                let done = attempts.saturating_sub(1).min(20);
                let mut wait = match delay {
                    Some(d) => *d,
                    None => (Duration::from_secs(1) * (1u32 << done)).min(CURL_MAX_DELAY),
                };
                if let Some(after) = report
                    .kept
                    .as_ref()
                    .and_then(|k| k.retry_after)
                    .filter(|_| http)
                {
                    let after = Duration::from_secs(after.min(duration::MAX.as_secs()));
                    if max_time
                        .is_some_and(|max| elapsed.as_secs() + after.as_secs() > max.as_secs())
                    {
                        return None;
                    }
                    wait = after;
                }
                *retries -= 1;
                Some(wait)
            }
            Retry::Wget {
                tries,
                wait,
                connrefused,
                host_errors,
                statuses,
            } => {
                if report.is_healthy() || tries.is_some_and(|n| attempts >= n) {
                    return None;
                }
                // GNU wget's fatal connect errors: refused and unreachable.
                let fatal = |error: &crate::report::IoFailure| {
                    use std::io::ErrorKind::{
                        ConnectionRefused, HostUnreachable, NetworkUnreachable,
                    };
                    matches!(
                        error.kind,
                        ConnectionRefused | HostUnreachable | NetworkUnreachable
                    )
                };
                let again = match report.outcome() {
                    Outcome::TimedOut { .. } | Outcome::ConnectionLost { .. } => true,
                    Outcome::Unhealthy {
                        problem: Problem::Http(HttpProblem::NotHttp { .. }),
                        ..
                    } => true,
                    Outcome::ConnectFailed { attempts } => {
                        *connrefused || attempts.last().is_none_or(|(_, error)| !fatal(error))
                    }
                    Outcome::ResolveFailed { .. } => *host_errors,
                    _ => status(report).is_some_and(|s| s == 504 || statuses.contains(&s)),
                };
                if !again {
                    return None;
                }
                // GNU wget waits 1 s before the second try, 2 s before the
                // third, ... and at most --waitretry.
                Some(Duration::from_secs(u64::from(attempts)).min(*wait))
            }
        }
    }

    /// What a retry line says after the failure.
    fn said(&self, tool: Tool, wait: Duration, attempts: u32) -> String {
        let wait = duration::display(wait);
        match self {
            // As curl counts them: the retries left, this one included.
            Retry::Curl { retries, .. } => {
                let left = retries + 1;
                let s = if left == 1 { "y" } else { "ies" };
                format!(
                    "{} --retry: will retry in {wait}, {left} retr{s} left",
                    tool.name()
                )
            }
            Retry::Wget { tries, .. } => match tries {
                Some(n) => format!(
                    "{} --tries: will try again in {wait}, try {} of {n}",
                    tool.name(),
                    attempts + 1
                ),
                None => format!("{} --tries: will try again in {wait}", tool.name()),
            },
        }
    }
}

/// The tool's exit code for `report`: curl's documented codes for the
/// failures they name, busybox wget's 1 for any failure; 64 for a usage
/// error found when probing, never 2.
fn exit_code(mimic: &Mimic, report: &Report) -> u8 {
    let code = report.exit_code();
    if code == crate::report::EXIT_HEALTHY || code == crate::report::EXIT_USAGE {
        return code;
    }
    if mimic.tool == Tool::Wget {
        return 1;
    }
    match report.outcome() {
        Outcome::ResolveFailed { .. } => 6,
        Outcome::ConnectFailed { .. } => 7,
        Outcome::Unhealthy {
            problem: Problem::Http(problem),
            ..
        } => match problem {
            HttpProblem::UnexpectedStatus { .. } => 22,
            HttpProblem::TooManyRedirects { .. } => 47,
            HttpProblem::NotHttp { .. } | HttpProblem::HeadTooLarge { .. } => 8,
            _ => 1,
        },
        Outcome::TimedOut { .. } => 28,
        Outcome::ConnectionLost { received: 0, .. } => 52,
        Outcome::ConnectionLost { .. } => 56,
        Outcome::Tls { problem, .. } => match problem {
            TlsProblem::UnknownIssuer { .. }
            | TlsProblem::NameMismatch { .. }
            | TlsProblem::Expired
            | TlsProblem::NotYetValid
            | TlsProblem::CaAsServer => 60,
            _ => 35,
        },
        Outcome::NoTrustRoots { .. } => 77,
        _ => 1,
    }
}

/// Runs the plan's one target as the tool would: attempts, each within its
/// deadline, retried as the tool retries, with a line on `line` (stderr)
/// for each retry unless quiet; then what the tool prints on `out` (the
/// body, the `-w` text) and healthprobe's line for the last attempt.
/// Returns the exit code.
pub fn run(plan: &Plan, out: &mut dyn Write, line: &mut dyn FnMut(&str)) -> u8 {
    let (Some(mimic), Some(target)) = (&plan.mimic, plan.targets.first()) else {
        return crate::report::EXIT_USAGE;
    };
    let mut retry = mimic.retry.clone();
    let started = Instant::now();
    let mut attempts = 0;
    loop {
        let report = crate::runner::one(target, None);
        attempts += 1;
        let Some(wait) = retry.next(&report, attempts, started.elapsed()) else {
            return finish(mimic, &report, out, line);
        };
        if !mimic.quiet {
            let said = retry.said(mimic.tool, wait, attempts);
            line(&crate::line::one_line(format!(
                "{} ({said})",
                report.progress_line()
            )));
        }
        std::thread::sleep(wait);
    }
}

/// Prints what the tool would (the body, the `-w` text) on `out`, and
/// healthprobe's line on `line` (stderr) for a failure, for a status the
/// tool did not check, and unless quiet for a success; returns the exit
/// code.
fn finish(mimic: &Mimic, report: &Report, out: &mut dyn Write, line: &mut dyn FnMut(&str)) -> u8 {
    let code = exit_code(mimic, report);
    let body = report.kept.as_ref().map(|k| k.body.as_slice());
    if let Some(body) = body.filter(|_| mimic.print_body && (code == 0 || mimic.body_on_failure)) {
        let _ = out.write_all(body);
    }
    let status = status(report);
    if let Some(text) = &mimic.write_out {
        let _ = out.write_all(written_out(text, status).as_bytes());
    }
    let _ = out.flush();
    let unchecked = !mimic.fail && status.is_some_and(|s| s >= 400);
    if unchecked {
        line(&format!(
            "{} (status not checked: curl without -f exits 0 for any HTTP status; add -f)",
            report.line()
        ));
    } else if code != 0 || !mimic.quiet {
        line(&report.line());
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Target;

    fn plan(tool: Tool, args: &[&str]) -> Result<Plan> {
        let args = args.iter().map(OsString::from).collect();
        match parse(tool, args, &|_| None)? {
            Command::Probe(plan) => Ok(plan),
            other => bail!("not a probe: {other:?}"),
        }
    }

    fn curl(args: &[&str]) -> Result<(Target, Mimic)> {
        let plan = plan(Tool::Curl, args)?;
        Ok((plan.targets[0].clone(), plan.mimic.unwrap()))
    }

    fn wget(args: &[&str]) -> Result<(Target, Mimic)> {
        let plan = plan(Tool::Wget, args)?;
        Ok((plan.targets[0].clone(), plan.mimic.unwrap()))
    }

    fn http(target: &Target) -> &crate::spec::HttpCheck {
        match &target.kind {
            Kind::Http(check) => check,
            other => panic!("not HTTP: {other:?}"),
        }
    }

    #[test]
    fn the_lines_public_compose_files_carry_fill_the_settings() {
        let (target, mimic) = curl(&["-f", "http://localhost:8080/health"]).unwrap();
        assert_eq!(target.timeout, DEFAULT_TIMEOUT);
        assert_eq!(http(&target).expect_status.to_string(), "100-399");
        assert!(mimic.fail && mimic.print_body && !mimic.quiet);
        let (_, mimic) = curl(&["-fsS", "-o", "/dev/null", "http://h/"]).unwrap();
        assert!(mimic.fail && !mimic.print_body && mimic.quiet);
        let (target, _) = curl(&[
            "--fail",
            "--silent",
            "--show-error",
            "--connect-timeout",
            "1",
            "--max-time",
            "2",
            "http://127.0.0.1:9000/health",
        ])
        .unwrap();
        assert_eq!(target.timeout, Duration::from_secs(2));
        assert_eq!(target.connect_timeout, Some(Duration::from_secs(1)));
        let (target, mimic) = wget(&["-q", "--spider", "http://h/health"]).unwrap();
        assert!(http(&target).follow_redirects);
        assert!(mimic.quiet && !mimic.print_body && mimic.fail);
        let (_, mimic) = wget(&["-qO-", "http://h/health"]).unwrap();
        assert!(mimic.quiet && mimic.print_body);
        let (_, mimic) = wget(&["--no-verbose", "--tries=1", "--spider", "http://h/"]).unwrap();
        assert!(!mimic.print_body);
    }

    #[test]
    fn values_are_taken_literally_and_tls_options_are_ignored_for_http() {
        let (target, mimic) = curl(&[
            "-ksSL",
            "--cacert",
            "/nonexistent.pem",
            "-m2.5",
            "-H",
            "X-Token: $(TOKEN)",
            "-A",
            "probe",
            "localhost:8080/$x",
        ])
        .unwrap();
        assert_eq!(target.url.to_string(), "http://localhost:8080/$x");
        assert_eq!(target.timeout, Duration::from_millis(2500));
        assert!(target.tls.is_none());
        assert_eq!(
            target.headers,
            [
                ("X-Token".to_owned(), "$(TOKEN)".to_owned()),
                ("User-Agent".to_owned(), "probe".to_owned())
            ]
        );
        assert!(!mimic.fail && mimic.print_body && mimic.quiet);
        let (target, _) = curl(&["-k", "https://h/"]).unwrap();
        assert!(target.tls.unwrap().insecure);
        let (target, _) = wget(&[
            "--no-check-certificate",
            "--ca-certificate=/x.pem",
            "127.0.0.1:8080/health",
        ])
        .unwrap();
        assert!(target.tls.is_none());
        let (_, mimic) = curl(&["-w", "%{http_code}\\n", "-o", "/dev/null", "http://h/"]).unwrap();
        assert_eq!(
            written_out(mimic.write_out.as_deref().unwrap(), Some(204)),
            "204\n"
        );
        assert_eq!(written_out("%{http_code}", None), "000");
    }

    #[test]
    fn the_retry_flags_fill_each_tools_own_policy() {
        let (_, mimic) = curl(&[
            "--retry",
            "3",
            "--retry-delay",
            "2",
            "--retry-max-time",
            "9",
            "--retry-connrefused",
            "http://h/",
        ])
        .unwrap();
        assert_eq!(
            mimic.retry,
            Retry::Curl {
                retries: 3,
                delay: Some(Duration::from_secs(2)),
                max_time: Some(Duration::from_secs(9)),
                connrefused: true,
                all_errors: false
            }
        );
        let (_, mimic) = wget(&[
            "-t",
            "3",
            "--waitretry=2",
            "--retry-connrefused",
            "--retry-on-http-error=503,429",
            "http://h/",
        ])
        .unwrap();
        assert_eq!(
            mimic.retry,
            Retry::Wget {
                tries: Some(3),
                wait: Duration::from_secs(2),
                connrefused: true,
                host_errors: false,
                statuses: vec![503, 429]
            }
        );
        // curl reads whole seconds for its retry flags, as curl 7.88 does.
        let error = curl(&["--retry-delay", "0.5", "http://h/"]).unwrap_err();
        assert!(error.to_string().contains("whole number"), "{error}");
    }

    #[test]
    fn each_failure_has_curls_exit_code_and_wgets_is_1() {
        use crate::report::{Limit, Peer, Stage};
        let peer = Peer::Tcp(([127, 0, 0, 1], 9).into());
        let report = |outcome| crate::Report {
            probed: "GET http://h/".to_owned(),
            outcome,
            elapsed: Duration::ZERO,
            waited: None,
            names: Names::Library,
            kept: None,
            attempts: 1,
        };
        let curl = |outcome| exit_code(&curl(&["-f", "http://h/"]).unwrap().1, &report(outcome));
        let wget = |outcome| exit_code(&wget(&["http://h/"]).unwrap().1, &report(outcome));
        let cases = [
            (
                Outcome::ResolveFailed {
                    host: "h".into(),
                    error: "no".into(),
                },
                6,
            ),
            (Outcome::ConnectFailed { attempts: vec![] }, 7),
            (
                Outcome::problem(
                    peer.clone(),
                    HttpProblem::UnexpectedStatus {
                        status: 503,
                        expected: "100-399".into(),
                        location: None,
                    },
                ),
                22,
            ),
            (
                Outcome::TimedOut {
                    stage: Stage::ResponseHead,
                    limit: Limit::Deadline(Duration::from_secs(2)),
                    peer: None,
                    received: 0,
                },
                28,
            ),
            (
                Outcome::Tls {
                    peer: peer.clone(),
                    problem: TlsProblem::PlainHttp,
                },
                35,
            ),
            (
                Outcome::Tls {
                    peer: peer.clone(),
                    problem: TlsProblem::Expired,
                },
                60,
            ),
            (Outcome::ready(peer.clone(), Ready::Http { status: 200 }), 0),
        ];
        for (outcome, code) in cases {
            assert_eq!(curl(outcome.clone()), code, "{outcome:?}");
            assert_eq!(wget(outcome), if code == 0 { 0 } else { 1 });
        }
    }

    #[test]
    fn what_it_cannot_honour_is_a_usage_error_naming_the_flag() {
        for (args, why) in [
            (vec!["-d", "x", "http://h/"], "does not take \"-d\""),
            (vec!["--data", "x", "http://h/"], "does not take \"--data\""),
            (vec!["-o", "/tmp/out", "http://h/"], "writes no file"),
            (vec!["-X", "POST", "http://h/"], "sends GET or HEAD"),
            (
                vec!["-w", "%{time_total}", "http://h/"],
                "only %{http_code}",
            ),
            (vec!["-m", "soon", "http://h/"], "invalid curl -m \"soon\""),
            (
                vec!["ftp://h/"],
                "checks http:// and https:// URLs, not ftp://",
            ),
            (vec!["http://a/", "http://b/"], "more than one URL"),
            (vec!["-f"], "no URL specified"),
            (vec!["-H"], "-H needs a value"),
        ] {
            let error = curl(&args).unwrap_err().to_string();
            assert!(error.contains(why), "{args:?}: {error}");
        }
        let error = wget(&["--post-data=x", "http://h/"])
            .unwrap_err()
            .to_string();
        assert!(error.contains("does not take \"--post-data\""), "{error}");
        let error = wget(&["-O", "index.html", "http://h/"])
            .unwrap_err()
            .to_string();
        assert!(error.contains("writes no file"), "{error}");
    }

    #[test]
    fn no_message_shows_a_password() {
        for args in [
            vec!["postgres://app:S3cr3tPw@db/app"],
            vec!["http://a/", "http://app:S3cr3tPw@db/"],
            vec!["http://app:S3cr3tPw/x@db/"],
            vec!["http://app:S3cr3tPw@db/"],
        ] {
            let error = curl(&args).unwrap_err().to_string();
            assert!(!error.contains("S3cr3tPw"), "{args:?}: {error}");
        }
    }

    #[test]
    fn every_flag_the_help_lists_is_taken() {
        for (tool, help) in [(Tool::Curl, CURL_HELP), (Tool::Wget, WGET_HELP)] {
            for word in help.split([' ', ',', '\n', '=']) {
                let flag = word.trim();
                if flag.starts_with('-') && flag.len() > 1 && !flag.starts_with("--expect") {
                    assert!(ToolFlag::of(tool, flag).is_ok(), "{tool:?} {flag}");
                }
            }
        }
    }
}
