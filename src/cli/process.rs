//! The process boundary: argv and environment in, one line and an exit
//! code out; signals while waiting, and the `exec` of the command after.

use std::ffi::{CString, OsStr, OsString};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use nix::sys::signal::{SigSet, SigmaskHow, Signal};

use crate::cli::{
    self, Command, EXIT_HEALTHY, EXIT_UNHEALTHY, EXIT_USAGE, internal_error, one_line,
    os_error_text,
};

/// `--version`: the version, and what kind of build this is.
#[cfg(not(feature = "loopback-only"))]
const VERSION: &str = concat!("healthprobe ", env!("CARGO_PKG_VERSION"));
#[cfg(feature = "loopback-only")]
const VERSION: &str = concat!(
    "healthprobe ",
    env!("CARGO_PKG_VERSION"),
    " (loopback-only: probes only localhost, 127.0.0.0/8, ::1, Unix sockets and files)"
);

/// The `healthprobe` command: what its binary's `main` runs.
pub fn main() -> ExitCode {
    std::panic::set_hook(Box::new(report_panic));
    // Compiled only into the build the panic test runs (.ci/test).
    #[cfg(feature = "panic-test")]
    if let Some(message) = std::env::var_os("HEALTHPROBE_PANIC_TEST") {
        panic!("{}", message.to_string_lossy());
    }
    let mut args = std::env::args_os();
    let program = args.next();
    let args = args.collect();
    let command =
        match cli::parse_invocation(program.as_deref(), args, |name| std::env::var_os(name)) {
            Ok(command) => command,
            Err(error) => {
                to_stderr(&one_line(format!("healthprobe: {error:#}")));
                return ExitCode::from(EXIT_USAGE);
            }
        };
    let plan = match command {
        Command::Help => return say(cli::help()),
        Command::Version => return say(VERSION),
        Command::Text(text) => return say(&text),
        Command::Probe(plan) => plan,
        Command::Install(dir) => return install(&dir),
    };
    if plan.mimic.is_some() {
        let code = cli::mimic::run(&plan, &mut std::io::stdout(), &mut |line| to_stderr(line));
        return ExitCode::from(code);
    }
    // While waiting, healthprobe may be a container's PID 1, which the
    // kernel sends no signal it has no handler for: SIGTERM and SIGINT
    // must end it all the same. The service it then runs gets them back.
    let signals = match plan.wait {
        Some(_) => stop_on_signals(&plan),
        None => None,
    };
    let reports = cli::check(&plan, to_stderr);
    if let Some(mask) = signals {
        let _ = mask.thread_set_mask();
    }
    // What failed first, so that a runtime keeping only the start of the
    // output (Podman: 500 characters) keeps it; each group in the order given.
    for report in reports.iter().filter(|r| !r.is_healthy()) {
        to_stderr(&report.line());
    }
    if !plan.quiet {
        for report in reports.iter().filter(|r| r.is_healthy()) {
            to_stdout(&report.line());
        }
    }
    let code = reports
        .iter()
        .map(|r| r.exit_code())
        .max()
        .unwrap_or(EXIT_USAGE);
    match plan.command.split_first() {
        Some((program, args)) if code == EXIT_HEALTHY => exec(program, args),
        _ => ExitCode::from(code),
    }
}

/// Runs the command after `--` in place of healthprobe: the same PID, so a
/// service started as PID 1 gets the runtime's signals itself; the
/// environment, the arguments and stdin pass through unchanged, and the
/// program is looked up in PATH when its name has no slash (execvp(3)).
/// Returns only if it cannot be run. (nix's execvp rather than std's
/// `CommandExt::exec`, whose process-spawning machinery adds 20 KB.)
fn exec(program: &OsStr, args: &[OsString]) -> ExitCode {
    let _ = std::io::stdout().flush();
    let c_string = |arg: &OsStr| CString::new(arg.as_bytes());
    let argv: Result<Vec<CString>, _> = std::iter::once(program)
        .chain(args.iter().map(OsString::as_os_str))
        .map(c_string)
        .collect();
    let error = match argv {
        Ok(argv) => match nix::unistd::execvp(&argv[0], &argv) {
            Ok(never) => match never {},
            Err(errno) => os_error_text(&std::io::Error::from(errno)),
        },
        // Arguments from argv never hold a NUL byte; should one, it is refused.
        Err(_) => "an argument contains a NUL byte".to_owned(),
    };
    let line = one_line(format!(
        "healthprobe: cannot run {:?}: {error}",
        program.to_string_lossy()
    ));
    to_stderr(&line);
    ExitCode::from(EXIT_USAGE)
}

/// Blocks SIGTERM and SIGINT in this thread (and so in the probes' threads,
/// which inherit the mask) and starts a thread that waits for either: it
/// writes a line and ends the process with 128 plus the signal's number
/// (143, 130), as a shell reports a process that a signal ended. Returns
/// the mask to restore before the command runs, or `None` when the signals
/// cannot be caught (they then keep their default action).
fn stop_on_signals(plan: &cli::Plan) -> Option<SigSet> {
    let mut caught = SigSet::empty();
    caught.add(Signal::SIGTERM);
    caught.add(Signal::SIGINT);
    let before = caught.thread_swap_mask(SigmaskHow::SIG_BLOCK).ok()?;
    let targets: Vec<String> = plan.targets.iter().map(|t| t.url.to_string()).collect();
    let after = match plan.command.first() {
        Some(program) => format!(
            "; {:?} was not started",
            std::path::Path::new(program).display()
        ),
        None => String::new(),
    };
    let line = move |signal: Signal| {
        one_line(format!(
            "healthprobe: stopped by {} while waiting for {}{after}",
            signal.as_str(),
            targets.join(", ")
        ))
    };
    let waiter = std::thread::Builder::new().spawn(move || {
        if let Ok(signal) = caught.wait() {
            to_stderr(&line(signal));
            std::process::exit(128 + signal as i32);
        }
    });
    match waiter {
        Ok(_) => Some(before),
        Err(_) => {
            let _ = before.thread_set_mask();
            None
        }
    }
}

fn install(dir: &std::path::Path) -> ExitCode {
    let installed = std::env::current_exe()
        .map_err(|e| format!("cannot find this binary to copy: {e}"))
        .and_then(|exe| cli::install(&exe, dir, std::process::id()));
    match installed {
        Ok(path) => say(&format!("installed {}", path.display())),
        Err(error) => {
            to_stderr(&format!("healthprobe: {error}"));
            ExitCode::from(EXIT_UNHEALTHY)
        }
    }
}

fn say(text: &str) -> ExitCode {
    to_stdout(text);
    ExitCode::SUCCESS
}

/// The safety net for a panic, which is a bug: one line on stderr and exit 1,
/// as for any unhealthy probe, never SIGABRT (exit 134) and a backtrace that
/// Docker would keep in `docker inspect`. The hook replaces std's, so
/// `RUST_BACKTRACE` changes nothing. It runs before `panic = "abort"` aborts,
/// which is why it ends the process itself: this is the one `exit` in the code.
fn report_panic(info: &std::panic::PanicHookInfo<'_>) {
    static PANICKED: AtomicBool = AtomicBool::new(false);
    if PANICKED.swap(true, Ordering::SeqCst) {
        // Another thread is already reporting; let it finish and exit.
        loop {
            std::thread::park();
        }
    }
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message");
    let location = info.location().map(|l| (l.file(), l.line()));
    to_stderr(&internal_error(message, location));
    std::process::exit(i32::from(EXIT_UNHEALTHY));
}

/// Writes one line in one write, so that concurrent output cannot split it;
/// an error (a closed pipe) is ignored: the exit code is the answer.
fn to_stderr(line: &str) {
    let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
}

/// The same on stdout.
fn to_stdout(line: &str) {
    let _ = std::io::stdout().write_all(format!("{line}\n").as_bytes());
}
