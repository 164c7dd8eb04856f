//! `file:///ABSOLUTE/PATH`: healthy when the path exists (following
//! symbolic links) and, with a maximum age, was modified recently enough.
//! This is how a worker with no port (Celery, RQ, a cron-like loop) shows
//! it is alive: it touches a heartbeat file as it works.
//!
//! The `stat` runs on a thread of its own, abandoned at the deadline: on a
//! hung NFS mount it can block for minutes, and the probe answers by its
//! deadline all the same.

use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use super::Prober;
use crate::protocol::file::{FileProblem, judge};
use crate::report::{Limit, Outcome, Problem, Ready, Stage};
use crate::spec::{FileCheck, Target};
use crate::transport::net::{Abandoned, Blocking};

/// Stats abandoned at their deadline and still blocked, at most; past this
/// bound a probe waits for one of them to end, within its deadline,
/// instead of blocking one more thread.
const MAX_PENDING_STATS: usize = 4;

static STATS: Blocking = Blocking::new(MAX_PENDING_STATS);

/// What the file system said about the path.
enum Found {
    /// Something is there: a directory or not, modified then.
    Present {
        directory: bool,
        modified: io::Result<SystemTime>,
    },
    /// Nothing is; `dangling` when the path is a symbolic link to nothing.
    Missing {
        dangling: bool,
    },
    Failed(io::Error),
}

impl Prober for FileCheck {
    /// `file:///run/heartbeat`.
    fn described(&self, target: &Target) -> String {
        target.url.to_string()
    }

    fn probe(&self, _target: &Target, deadline: Instant, limit: Limit) -> Outcome {
        let path = self.path.clone();
        let found = match STATS.run(move || stat(path), deadline) {
            Ok(found) => found,
            Err(Abandoned::TimedOut) => {
                return Outcome::TimedOut {
                    stage: Stage::Stat,
                    limit,
                    peer: None,
                    received: 0,
                };
            }
            Err(Abandoned::Failed(why)) => {
                let error = format!("the thread that looks at the file {why}");
                return problem(FileProblem::Failed { error });
            }
        };
        let (directory, modified) = match found {
            Found::Present {
                directory,
                modified,
            } => (directory, modified),
            Found::Missing { dangling } => return problem(FileProblem::Missing { dangling }),
            Found::Failed(e) => return problem(failed(&e)),
        };
        let wants_directory = self.path.as_os_str().as_bytes().ends_with(b"/");
        if directory && !wants_directory {
            return problem(FileProblem::IsADirectory);
        }
        let modified = match modified {
            Ok(modified) => modified,
            Err(e) => return problem(failed(&e)),
        };
        match judge(modified, SystemTime::now(), self.max_age) {
            Ok(age) => Outcome::Healthy {
                peer: None,
                ready: Ready::File {
                    age,
                    max_age: self.max_age,
                },
            },
            Err(p) => problem(p),
        }
    }
}

fn problem(problem: FileProblem) -> Outcome {
    Outcome::Unhealthy {
        peer: None,
        problem: Problem::File(problem),
    }
}

/// Follows symbolic links, as a heartbeat's reader should; when nothing is
/// there, looks again without following, to tell a dangling link apart.
fn stat(path: PathBuf) -> Found {
    match std::fs::metadata(&path) {
        Ok(metadata) => Found::Present {
            directory: metadata.is_dir(),
            modified: metadata.modified(),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => Found::Missing {
            dangling: std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink()),
        },
        Err(e) => Found::Failed(e),
    }
}

/// The problem an error from `stat` is.
fn failed(e: &io::Error) -> FileProblem {
    match e.kind() {
        io::ErrorKind::PermissionDenied => FileProblem::PermissionDenied,
        io::ErrorKind::NotADirectory => FileProblem::NotADirectory,
        _ => FileProblem::Failed {
            error: crate::line::os_error_text(e),
        },
    }
}
