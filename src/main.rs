//! The process boundary: argv and environment in, one line and an exit code out.

use std::io::Write;
use std::process::ExitCode;

use healthprobe::outcome::EXIT_USAGE;
use healthprobe::{Command, config};

fn main() -> ExitCode {
    let args = std::env::args_os().skip(1).collect();
    let command = match config::parse(args, |name| std::env::var_os(name)) {
        Ok(command) => command,
        Err(error) => {
            eprintln!("healthprobe: {error:#}");
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
            ExitCode::from(healthprobe::outcome::EXIT_UNHEALTHY)
        }
    }
}

fn say(text: &str) -> ExitCode {
    let _ = std::io::stdout().write_all(format!("{text}\n").as_bytes());
    ExitCode::SUCCESS
}
