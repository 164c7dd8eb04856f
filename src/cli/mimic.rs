//! Answering to the names `curl` and `wget`: the health-check lines that
//! Compose files, Helm charts and templates a team does not own carry
//! (`curl -f http://localhost:8080/health`, `wget -q --spider URL`) keep
//! working in an image whose only client is healthprobe, copied or linked
//! under that name.
//!
//! The subset of each tool's flags that health checks use is translated
//! into healthprobe's own command line ([`translate`]), which `cli::parse`
//! then validates as usual; what the tool would print and the exit code it
//! would give are decided from the reports ([`finish`]). Anything else is
//! a usage error naming the flag (exit 64, never 2).
//!
//! Faithful where it matters: curl without `-f` exits 0 for any HTTP
//! status, as curl does (its line says the status was not checked); curl's
//! exit codes 6, 7, 22, 28, 35, 56, 60 for the failures they name; wget's
//! as busybox gives them (1 for every failure). The body is printed when
//! the tool would print it (`curl URL`, `wget -O-`), at most 64 KiB.

use std::ffi::OsString;
use std::io::Write;

use anyhow::{Result, bail};

use super::{literal, push};
use crate::duration;
use crate::report::{HttpProblem, Outcome, Report, TlsProblem};
use crate::spec::{BodySlot, HttpCheck, Kind};

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

/// How a run under another tool's name prints and exits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mimic {
    pub tool: Tool,
    /// A status of 400 or more fails: curl's `-f`; always for wget.
    pub fail: bool,
    /// The body goes to stdout, at most 64 KiB (curl without `-o`, or
    /// `-o -`; wget `-O-`).
    pub print_body: bool,
    /// curl's `-w`: the text to print after the body, `%{http_code}` in it
    /// replaced by the status (`000` when there was none).
    pub write_out: Option<String>,
    /// No line for a healthy target (curl `-s`, wget `-q`); a failure's
    /// line is always written, as with curl's `-S`.
    pub quiet: bool,
}

/// The deadline when the command line gives none. curl and wget wait far
/// longer by default; this is Docker's default HEALTHCHECK timeout, which
/// would end the check anyway.
const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Translates the tool's arguments (without the program name) into
/// healthprobe's, with how to print and exit.
pub fn translate(tool: Tool, args: Vec<OsString>) -> Result<(Vec<OsString>, Mimic)> {
    let mut args = args
        .into_iter()
        .map(|a| {
            a.into_string().map_err(|a| {
                anyhow::anyhow!("argument {:?} is not valid UTF-8", a.to_string_lossy())
            })
        })
        .collect::<Result<Vec<String>>>()?
        .into_iter();
    let mut given = Given::default();
    while let Some(arg) = args.next() {
        let mut value = |flag: &str, attached: Option<String>| -> Result<String> {
            match attached.or_else(|| args.next()) {
                Some(v) => Ok(v),
                None => bail!("{} {flag} needs a value", tool.name()),
            }
        };
        if let Some(long) = arg.strip_prefix("--") {
            // GNU wget takes --name=value; curl takes none.
            let (name, attached) = match (tool, long.split_once('=')) {
                (Tool::Wget, Some((name, v))) => (name, Some(v.to_owned())),
                _ => (long, None),
            };
            let name = format!("--{name}");
            let flag = Flag::of(tool, &name)?;
            let v = match flag.takes_value() {
                true => Some(value(&name, attached)?),
                false if attached.is_some() => bail!("{} {name} takes no value", tool.name()),
                false => None,
            };
            given.set(tool, flag, &name, v)?;
        } else if arg == "-nv" && tool == Tool::Wget {
            given.set(tool, Flag::Ignored, &arg, None)?;
        } else if let Some(cluster) = arg.strip_prefix('-').filter(|c| !c.is_empty()) {
            // Short flags, bundled as in -fsS or -qO-; the first that takes
            // a value takes the rest of the cluster, or the next argument.
            for (i, c) in cluster.char_indices() {
                let name = format!("-{c}");
                let flag = Flag::of(tool, &name)?;
                if flag.takes_value() {
                    let rest = &cluster[i + c.len_utf8()..];
                    let attached = (!rest.is_empty()).then(|| rest.to_owned());
                    let v = value(&name, attached)?;
                    given.set(tool, flag, &name, Some(v))?;
                    break;
                }
                given.set(tool, flag, &name, None)?;
            }
        } else if given.url.is_some() {
            bail!(
                "{} is given more than one URL ({arg:?}): healthprobe as {} checks one",
                tool.name(),
                tool.name()
            );
        } else {
            given.url = Some(arg);
        }
    }
    given.into_plan(tool)
}

/// What the command line said, before it is translated.
#[derive(Default)]
struct Given {
    url: Option<String>,
    fail: bool,
    silent: bool,
    /// `-o`/`-O`: Some(true) for stdout, Some(false) for /dev/null.
    output_to_stdout: Option<bool>,
    spider: bool,
    head: bool,
    method: Option<String>,
    timeout: Option<String>,
    connect_timeout: Option<String>,
    insecure: bool,
    cacert: Option<String>,
    headers: Vec<String>,
    follow: bool,
    retries: Option<u32>,
    retry_delay: Option<String>,
    tries: Option<u32>,
    write_out: Option<String>,
}

/// What one of the tools' flags does. [`Flag::of`] is the one place that
/// names the flags healthprobe takes in each tool's place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flag {
    /// curl `-f`.
    Fail,
    /// curl `-s`, wget `-q`.
    Silent,
    /// Accepted and changes nothing: failures are always shown (curl `-S`);
    /// wget `-S` prints the server's headers, and the line shows the status;
    /// no proxy is ever used.
    Ignored,
    /// The same, with a value (curl `--noproxy`, wget `-Y`).
    IgnoredValue,
    /// curl `-I`.
    Head,
    /// curl `-k`, wget `--no-check-certificate`.
    Insecure,
    /// curl `-L`.
    Follow,
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
    /// curl `--cacert`.
    Cacert,
    /// curl `-H`, wget `--header`.
    Header,
    /// curl `-A`.
    UserAgent,
    /// curl `--retry`.
    Retry,
    /// wget `-t`.
    Tries,
    /// curl `--retry-delay`.
    RetryDelay,
    /// curl `-w`.
    WriteOut,
}

impl Flag {
    /// What the tool's flag (`-f`, `--fail`) does; an error for a flag
    /// healthprobe does not take in this mode.
    fn of(tool: Tool, flag: &str) -> Result<Flag> {
        use Flag::*;
        use Tool::{Curl, Wget};
        // A match, not tables of names: each name in a static table would be
        // a relocation that every run of the static-pie build pays for.
        Ok(match (tool, flag) {
            (Curl, "-f" | "--fail") => Fail,
            (Curl, "-s" | "--silent") | (Wget, "-q" | "--quiet") => Silent,
            (Curl, "-S" | "--show-error")
            | (Wget, "-S" | "--server-response" | "--no-verbose" | "--no-proxy") => Ignored,
            (Curl, "--noproxy") | (Wget, "-Y" | "--proxy") => IgnoredValue,
            (Curl, "-I" | "--head") => Head,
            (Curl, "-k" | "--insecure") | (Wget, "--no-check-certificate") => Insecure,
            (Curl, "-L" | "--location") => Follow,
            (Wget, "--spider") => Spider,
            (Curl, "-o" | "--output") | (Wget, "-O" | "--output-document") => Output,
            (Curl, "-X" | "--request") => Request,
            (Curl, "-m" | "--max-time") | (Wget, "-T" | "--timeout") => Timeout,
            (Curl, "--connect-timeout") => ConnectTimeout,
            (Curl, "--cacert") => Cacert,
            (Curl, "-H" | "--header") | (Wget, "--header") => Header,
            (Curl, "-A" | "--user-agent") => UserAgent,
            (Curl, "--retry") => Retry,
            (Wget, "-t" | "--tries") => Tries,
            (Curl, "--retry-delay") => RetryDelay,
            (Curl, "-w" | "--write-out") => WriteOut,
            _ => bail!(
                "healthprobe as {} does not take {flag:?}: see the README's table of the {} flags it takes",
                tool.name(),
                tool.name()
            ),
        })
    }

    fn takes_value(self) -> bool {
        use Flag::*;
        !matches!(
            self,
            Fail | Silent | Ignored | Head | Insecure | Follow | Spider
        )
    }
}

impl Given {
    /// Records `flag`, named `name` on the command line, with its value
    /// (empty for a flag that takes none).
    fn set(&mut self, tool: Tool, flag: Flag, name: &str, value: Option<String>) -> Result<()> {
        let tool = tool.name();
        let v = value.unwrap_or_default();
        match flag {
            Flag::Fail => self.fail = true,
            Flag::Silent => self.silent = true,
            Flag::Ignored | Flag::IgnoredValue => {}
            Flag::Head => self.head = true,
            Flag::Insecure => self.insecure = true,
            Flag::Follow => self.follow = true,
            Flag::Spider => self.spider = true,
            Flag::Output => {
                self.output_to_stdout = Some(match v.as_str() {
                    "-" => true,
                    "/dev/null" => false,
                    _ => bail!(
                        "healthprobe as {tool} writes no file: {name} takes /dev/null or -, not {v:?}"
                    ),
                })
            }
            Flag::Request => match v.as_str() {
                "GET" | "HEAD" => self.method = Some(v),
                _ => bail!("healthprobe as {tool} sends GET or HEAD, not {name} {v:?}"),
            },
            Flag::Timeout => self.timeout = Some(v),
            Flag::ConnectTimeout => self.connect_timeout = Some(v),
            Flag::Cacert => self.cacert = Some(v),
            Flag::Header => self.headers.push(v),
            Flag::UserAgent => self.headers.push(format!("User-Agent: {v}")),
            Flag::Retry | Flag::Tries => {
                let n = v.parse::<u32>().ok().filter(|n| *n <= 100).ok_or_else(|| {
                    anyhow::anyhow!("invalid {tool} {name} {v:?}: expected a number from 0 to 100")
                })?;
                match flag {
                    Flag::Retry => self.retries = Some(n),
                    _ => self.tries = Some(n),
                }
            }
            Flag::RetryDelay => self.retry_delay = Some(v),
            Flag::WriteOut => self.write_out = Some(write_out(&v)?),
        }
        Ok(())
    }

    fn into_plan(self, tool: Tool) -> Result<(Vec<OsString>, Mimic)> {
        let name = tool.name();
        let Some(url) = self.url else {
            bail!("{name} needs a URL");
        };
        let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        if !matches!(scheme.as_deref(), Some("http" | "https")) {
            bail!("healthprobe as {name} checks http:// and https:// URLs, not {url:?}");
        }
        let mut out: Vec<OsString> = Vec::new();
        let timeout_flag = match tool {
            Tool::Curl => "-m/--max-time",
            Tool::Wget => "-T/--timeout",
        };
        let seconds = |flag: &str, text: &str| -> Result<std::time::Duration> {
            duration::parse_within(&format!("{text}s"), duration::MAX).map_err(|why| {
                anyhow::anyhow!(
                    "invalid {name} {flag} {text:?}: {why} (in seconds, as in 2 or 0.5)"
                )
            })
        };
        let timeout = match &self.timeout {
            Some(t) => seconds(timeout_flag, t)?,
            None => DEFAULT_TIMEOUT,
        };
        push(&mut out, "--timeout", &format!("{}ms", timeout.as_millis()));
        if let Some(connect) = &self.connect_timeout {
            // curl lets it exceed --max-time; it can never apply beyond it.
            let connect = seconds("--connect-timeout", connect)?.min(timeout);
            push(
                &mut out,
                "--connect-timeout",
                &format!("{}ms", connect.as_millis()),
            );
        }
        let head = self.head || self.method.as_deref() == Some("HEAD");
        if head {
            push(&mut out, "--method", "HEAD");
        }
        // curl without -f takes any status; with it, and wget, fail at 400.
        let fail = self.fail || tool == Tool::Wget;
        push(
            &mut out,
            "--expect-status",
            if fail { "100-399" } else { "100-599" },
        );
        // wget follows redirects unasked; healthprobe only those that keep
        // the scheme, host and port.
        if self.follow || tool == Tool::Wget {
            out.push("--follow-redirects".into());
        }
        if self.insecure {
            out.push("--insecure".into());
        }
        if let Some(cacert) = &self.cacert {
            push(&mut out, "--cacert", &literal(cacert));
        }
        for header in &self.headers {
            push(&mut out, "-H", &literal(header));
        }
        // Retries become the wait loop: the same number of attempts at most,
        // each within the deadline, `delay` apart (curl's default is 1 s).
        let attempts = match tool {
            Tool::Curl => self.retries.unwrap_or(0) + 1,
            Tool::Wget => self.tries.unwrap_or(1).max(1),
        };
        if attempts > 1 {
            let delay = match &self.retry_delay {
                Some(d) => seconds("--retry-delay", d)?.max(std::time::Duration::from_millis(1)),
                None => std::time::Duration::from_secs(1),
            };
            let wait = (timeout + delay) * (attempts - 1) + timeout;
            let wait = wait.min(duration::MAX);
            push(&mut out, "--wait", &format!("{}ms", wait.as_millis()));
            push(&mut out, "--interval", &format!("{}ms", delay.as_millis()));
        }
        out.push(literal(&url).into());
        let print_body = !head
            && !self.spider
            && match tool {
                Tool::Curl => self.output_to_stdout.unwrap_or(true),
                // Without -O, wget would save a file, which healthprobe never writes.
                Tool::Wget => self.output_to_stdout.unwrap_or(false),
            };
        let mimic = Mimic {
            tool,
            fail,
            print_body,
            write_out: self.write_out,
            quiet: self.silent,
        };
        Ok((out, mimic))
    }
}

/// Makes the plan's HTTP check keep the body when the tool prints it.
pub(super) fn keep_body(plan: &mut super::Plan) {
    if !plan.mimic.as_ref().is_some_and(|m| m.print_body) {
        return;
    }
    for target in &mut plan.targets {
        if let Kind::Http(check) = &mut target.kind {
            check.keep_body = Some(BodySlot::default());
        }
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
        Outcome::Healthy { status, .. } => Some(*status),
        Outcome::Http {
            problem:
                HttpProblem::UnexpectedStatus { status, .. }
                | HttpProblem::RedirectRefused { status, .. }
                | HttpProblem::BodyMismatch { status, .. },
            ..
        } => Some(*status),
        _ => None,
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
        Outcome::Http {
            problem: HttpProblem::UnexpectedStatus { .. },
            ..
        } => 22,
        Outcome::Http {
            problem: HttpProblem::TooManyRedirects { .. },
            ..
        } => 47,
        Outcome::Http {
            problem: HttpProblem::NotHttp { .. } | HttpProblem::HeadTooLarge { .. },
            ..
        } => 8,
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

/// Prints what the tool would (the body, the `-w` text) on `out`, and
/// healthprobe's line on `line` (stderr) for a failure, for a status the
/// tool did not check, and unless quiet for a success; returns the exit
/// code.
pub fn finish(
    plan: &super::Plan,
    reports: &[Report],
    out: &mut dyn Write,
    line: &mut dyn FnMut(&str),
) -> u8 {
    let (Some(mimic), Some(report)) = (&plan.mimic, reports.first()) else {
        return crate::report::EXIT_USAGE;
    };
    if let Some(Kind::Http(HttpCheck {
        keep_body: Some(slot),
        ..
    })) = plan.targets.first().map(|t| &t.kind)
    {
        if let Some(body) = slot.0.lock().unwrap_or_else(|e| e.into_inner()).as_deref() {
            let _ = out.write_all(body);
        }
    }
    let status = status(report);
    if let Some(text) = &mimic.write_out {
        let _ = out.write_all(written_out(text, status).as_bytes());
    }
    let _ = out.flush();
    let code = exit_code(mimic, report);
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

    fn curl(args: &[&str]) -> Result<(Vec<String>, Mimic)> {
        translated(Tool::Curl, args)
    }

    fn wget(args: &[&str]) -> Result<(Vec<String>, Mimic)> {
        translated(Tool::Wget, args)
    }

    fn translated(tool: Tool, args: &[&str]) -> Result<(Vec<String>, Mimic)> {
        let args = args.iter().map(OsString::from).collect();
        let (out, mimic) = translate(tool, args)?;
        Ok((
            out.into_iter().map(|a| a.into_string().unwrap()).collect(),
            mimic,
        ))
    }

    #[test]
    fn translates_the_lines_public_compose_files_carry() {
        let (args, mimic) = curl(&["-f", "http://localhost:8080/health"]).unwrap();
        assert_eq!(
            args,
            [
                "--timeout",
                "30000ms",
                "--expect-status",
                "100-399",
                "http://localhost:8080/health"
            ]
        );
        assert!(mimic.fail && mimic.print_body && !mimic.quiet);
        let (_, mimic) = curl(&["-fsS", "-o", "/dev/null", "http://h/"]).unwrap();
        assert!(mimic.fail && !mimic.print_body && mimic.quiet);
        let (args, mimic) = curl(&[
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
        assert_eq!(
            args,
            [
                "--timeout",
                "2000ms",
                "--connect-timeout",
                "1000ms",
                "--expect-status",
                "100-399",
                "http://127.0.0.1:9000/health"
            ]
        );
        assert!(mimic.fail);
        let (args, mimic) = wget(&["-q", "--spider", "http://h/health"]).unwrap();
        assert_eq!(
            args,
            [
                "--timeout",
                "30000ms",
                "--expect-status",
                "100-399",
                "--follow-redirects",
                "http://h/health"
            ]
        );
        assert!(mimic.quiet && !mimic.print_body);
        let (_, mimic) = wget(&["-qO-", "http://h/health"]).unwrap();
        assert!(mimic.quiet && mimic.print_body);
        let (_, mimic) = wget(&["--no-verbose", "--tries=1", "--spider", "http://h/"]).unwrap();
        assert!(!mimic.print_body);
    }

    #[test]
    fn without_f_any_status_is_taken_and_values_are_literal() {
        let (args, mimic) = curl(&[
            "-sSL",
            "-m2.5",
            "-H",
            "X-Token: $(TOKEN)",
            "-A",
            "probe",
            "http://h/$x",
        ])
        .unwrap();
        assert_eq!(
            args,
            [
                "--timeout",
                "2500ms",
                "--expect-status",
                "100-599",
                "--follow-redirects",
                "-H",
                "X-Token: $$(TOKEN)",
                "-H",
                "User-Agent: probe",
                "http://h/$$x"
            ]
        );
        assert!(!mimic.fail && mimic.print_body && mimic.quiet);
        let (args, _) = curl(&[
            "--retry",
            "2",
            "--retry-delay",
            "0.5",
            "-m",
            "1",
            "http://h/",
        ])
        .unwrap();
        assert!(
            args.windows(2).any(|w| w == ["--wait", "4000ms"]),
            "{args:?}"
        );
        assert!(
            args.windows(2).any(|w| w == ["--interval", "500ms"]),
            "{args:?}"
        );
        let (_, mimic) = curl(&["-w", "%{http_code}\\n", "-o", "/dev/null", "http://h/"]).unwrap();
        assert_eq!(
            written_out(mimic.write_out.as_deref().unwrap(), Some(204)),
            "204\n"
        );
        assert_eq!(written_out("%{http_code}", None), "000");
    }

    #[test]
    fn each_failure_has_curls_exit_code_and_wgets_is_1() {
        use crate::report::{Limit, Peer, Stage};
        use std::time::Duration;
        let peer = Peer::Tcp(([127, 0, 0, 1], 9).into());
        let report = |outcome| crate::Report {
            probed: "GET http://h/".to_owned(),
            outcome,
            elapsed: Duration::ZERO,
            waited: None,
            names: crate::setting::Names::Library,
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
                Outcome::Http {
                    peer: peer.clone(),
                    problem: HttpProblem::UnexpectedStatus {
                        status: 503,
                        expected: "100-399".into(),
                        location: None,
                    },
                },
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
            (
                Outcome::Healthy {
                    status: 200,
                    peer: peer.clone(),
                },
                0,
            ),
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
            (
                vec!["-m", "soon", "http://h/"],
                "invalid curl -m/--max-time \"soon\"",
            ),
            (vec!["ftp://h/"], "checks http:// and https:// URLs"),
            (vec!["http://a/", "http://b/"], "more than one URL"),
            (vec!["-f"], "needs a URL"),
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
}
