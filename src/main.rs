//! The process boundary: argv and environment in, one line and an exit code out.

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use healthprobe::outcome::{EXIT_UNHEALTHY, EXIT_USAGE, internal_error, one_line};
use healthprobe::{Command, config};

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(report_panic));
    // Compiled only into the build the panic test runs (.ci/test).
    #[cfg(feature = "panic-test")]
    if let Some(message) = std::env::var_os("HEALTHPROBE_PANIC_TEST") {
        panic!("{}", message.to_string_lossy());
    }
    let args = std::env::args_os().skip(1).collect();
    let command = match config::parse(args, |name| std::env::var_os(name)) {
        Ok(command) => command,
        Err(error) => {
            let line = one_line(format!("healthprobe: {error:#}"));
            let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let config = match command {
        Command::Help => return say(config::HELP.trim_end()),
        Command::Version => return say(concat!("healthprobe ", env!("CARGO_PKG_VERSION"))),
        Command::Probe(config) => config,
        Command::Install(dir) => return install(&dir),
    };
    let report = healthprobe::run(&config);
    // One write per line, so that concurrent output cannot split it. Output
    // errors (a closed pipe) are ignored: the exit code is the answer.
    let line = format!("{}\n", report.line());
    if !report.outcome.is_healthy() {
        let _ = std::io::stderr().write_all(line.as_bytes());
    } else if !config.quiet {
        let _ = std::io::stdout().write_all(line.as_bytes());
    }
    ExitCode::from(report.outcome.exit_code())
}

fn install(dir: &std::path::Path) -> ExitCode {
    let installed = std::env::current_exe()
        .map_err(|e| format!("cannot find this binary to copy: {e}"))
        .and_then(|exe| healthprobe::install::install(&exe, dir, std::process::id()));
    match installed {
        Ok(path) => say(&format!("installed {}", path.display())),
        Err(error) => {
            let _ = std::io::stderr().write_all(format!("healthprobe: {error}\n").as_bytes());
            ExitCode::from(EXIT_UNHEALTHY)
        }
    }
}

fn say(text: &str) -> ExitCode {
    let _ = std::io::stdout().write_all(format!("{text}\n").as_bytes());
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
    let line = internal_error(message, location);
    let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
    std::process::exit(i32::from(EXIT_UNHEALTHY));
}
