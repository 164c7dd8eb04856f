//! A heartbeat file's freshness, judged as the shell recipes judge it
//! (`now - mtime <= N`), with no file system in sight: the prober stats the
//! path and hands the answer here. A modification time more than
//! [`FUTURE_TOLERANCE`] ahead of the clock is a skewed clock or a file
//! written by another machine, and never counts as fresh.

use std::fmt;
use std::time::{Duration, SystemTime};

use super::Words;
use crate::duration::exact;
use crate::setting::{Names, Setting};

/// How far in the future a modification time may be and still count as
/// now: file systems and the clocks of the hosts sharing a volume differ
/// by that much without anything being wrong.
pub const FUTURE_TOLERANCE: Duration = Duration::from_secs(1);

/// Why a `file://` target is not healthy.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileProblem {
    /// Nothing is at the path.
    #[non_exhaustive]
    Missing {
        /// The path is a symbolic link whose target does not exist.
        dangling: bool,
    },
    /// A directory on the way may not be searched by this user.
    PermissionDenied,
    /// A component of the path is not a directory (or the URL ends in `/`
    /// and the path is not one).
    NotADirectory,
    /// The path is a directory, and the URL does not end in `/`.
    IsADirectory,
    /// Modified longer ago than the maximum age.
    #[non_exhaustive]
    Stale {
        /// How long ago, rounded up to the millisecond.
        age: Duration,
        /// The maximum age.
        max_age: Duration,
    },
    /// Modified more than a second in the future: a clock that is wrong
    /// here or where the file was written.
    #[non_exhaustive]
    Future {
        /// How far ahead of the clock, rounded up to the millisecond.
        ahead: Duration,
    },
    /// Anything else the system said (a loop of symbolic links, a name too
    /// long, an I/O error).
    #[non_exhaustive]
    Failed {
        /// What it said.
        error: String,
    },
}

impl FileProblem {
    /// Which way it failed, without the figures: `stale`.
    pub(crate) fn summary(&self) -> &str {
        match self {
            FileProblem::Stale { .. } => "stale",
            FileProblem::Future { .. } => "modified in the future",
            FileProblem::Missing { dangling: false } => "missing",
            FileProblem::Missing { dangling: true } => "a dangling symbolic link",
            FileProblem::PermissionDenied => "permission denied",
            FileProblem::NotADirectory => "not a directory",
            FileProblem::IsADirectory => "a directory",
            FileProblem::Failed { error } => error,
        }
    }
}

/// How long ago `modified` was, at `now`, when that is at most `max_age`
/// (any age, without one), rounded down to the millisecond; a time up to
/// [`FUTURE_TOLERANCE`] ahead is an age of zero.
pub fn judge(
    modified: SystemTime,
    now: SystemTime,
    max_age: Option<Duration>,
) -> Result<Duration, FileProblem> {
    let Some(max_age) = max_age else {
        return Ok(floor(now.duration_since(modified).unwrap_or_default()));
    };
    match now.duration_since(modified) {
        Ok(age) if age > max_age => Err(FileProblem::Stale {
            age: ceil(age),
            max_age,
        }),
        Ok(age) => Ok(floor(age)),
        Err(future) if future.duration() > FUTURE_TOLERANCE => Err(FileProblem::Future {
            ahead: ceil(future.duration()),
        }),
        Err(_) => Ok(Duration::ZERO),
    }
}

fn floor(d: Duration) -> Duration {
    Duration::new(d.as_secs(), d.subsec_millis() * 1_000_000)
}

fn ceil(d: Duration) -> Duration {
    let floor = floor(d);
    match floor == d {
        true => d,
        false => floor.saturating_add(Duration::from_millis(1)),
    }
}

/// An age for the line: to the millisecond under 10 s, and where whole
/// seconds would hide which side of the limit it is on (`60.001s` against
/// `60s`); else in whole seconds, as in `modified 95s ago, limit 60s`.
fn shown_age(age: Duration, max_age: Option<Duration>) -> String {
    let whole = Duration::from_secs(age.as_secs());
    let same_side = max_age.is_none_or(|max| (whole > max) == (age > max));
    match age >= Duration::from_secs(10) && same_side {
        true => exact(whole),
        false => exact(age),
    }
}

/// The line's words for a healthy file: `modified 2.104s ago, limit 30s
/// (--max-age)`, or `exists, modified 3725s ago`.
pub fn fresh(
    f: &mut fmt::Formatter<'_>,
    age: Duration,
    max_age: Option<Duration>,
    names: &Names,
) -> fmt::Result {
    match max_age {
        Some(max_age) => write!(
            f,
            "modified {} ago, limit {} ({})",
            shown_age(age, Some(max_age)),
            exact(max_age),
            names.option(Setting::MaxAge)
        ),
        None => write!(f, "exists, modified {} ago", shown_age(age, None)),
    }
}

impl Words for FileProblem {
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        _peer: &dyn fmt::Display,
        names: &Names,
    ) -> fmt::Result {
        match self {
            FileProblem::Missing { dangling: false } => f.write_str("no such file or directory"),
            FileProblem::Missing { dangling: true } => {
                f.write_str("no such file: a symbolic link to a path that does not exist")
            }
            FileProblem::PermissionDenied => {
                f.write_str("permission denied: this user may not search a directory on the path")
            }
            FileProblem::NotADirectory => {
                f.write_str("not a directory: a component of the path is not a directory")
            }
            FileProblem::IsADirectory => f.write_str(
                "is a directory, not a file (end the URL with / to check for a directory)",
            ),
            FileProblem::Stale { age, max_age } => write!(
                f,
                "stale: modified {} ago, limit {} ({})",
                shown_age(*age, Some(*max_age)),
                exact(*max_age),
                names.option(Setting::MaxAge)
            ),
            FileProblem::Future { ahead } => {
                write!(f, "modified {} in the future (clock skew?)", exact(*ahead))
            }
            FileProblem::Failed { error } => f.write_str(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Duration = Duration::from_secs(1_800_000_000);

    fn at(seconds_ago: f64) -> SystemTime {
        let now = SystemTime::UNIX_EPOCH + NOW;
        match seconds_ago >= 0.0 {
            true => now - Duration::from_secs_f64(seconds_ago),
            false => now + Duration::from_secs_f64(-seconds_ago),
        }
    }

    fn judged(seconds_ago: f64, max_age: Option<u64>) -> Result<Duration, FileProblem> {
        let max_age = max_age.map(Duration::from_millis);
        judge(at(seconds_ago), SystemTime::UNIX_EPOCH + NOW, max_age)
    }

    #[test]
    fn the_age_is_checked_to_the_millisecond() {
        let ms = Duration::from_millis;
        assert_eq!(judged(60.0, Some(60_000)), Ok(ms(60_000)));
        assert_eq!(judged(59.9996, Some(60_000)), Ok(ms(59_999)));
        assert_eq!(
            judged(60.001, Some(60_000)),
            Err(FileProblem::Stale {
                age: ms(60_001),
                max_age: ms(60_000)
            })
        );
        // A sliver past the limit is stale, and shows as past it.
        assert_eq!(
            judged(60.0002, Some(60_000)),
            Err(FileProblem::Stale {
                age: ms(60_001),
                max_age: ms(60_000)
            })
        );
    }

    #[test]
    fn the_future_is_tolerated_for_a_second_and_no_more() {
        let ms = Duration::from_millis;
        assert_eq!(judged(-1.0, Some(5_000)), Ok(Duration::ZERO));
        assert_eq!(
            judged(-1.0005, Some(5_000)),
            Err(FileProblem::Future { ahead: ms(1_001) })
        );
        assert_eq!(
            judged(-3600.0, Some(5_000)),
            Err(FileProblem::Future {
                ahead: ms(3_600_000)
            })
        );
    }

    #[test]
    fn ages_show_whole_seconds_unless_that_would_hide_the_limit() {
        let ms = Duration::from_millis;
        assert_eq!(shown_age(ms(95_012), Some(ms(60_000))), "95s");
        assert_eq!(shown_age(ms(60_001), Some(ms(60_000))), "60.001s");
        assert_eq!(shown_age(ms(59_999), Some(ms(60_000))), "59s");
        assert_eq!(shown_age(ms(2_104), Some(ms(60_000))), "2.104s");
        assert_eq!(shown_age(ms(12_500), Some(ms(12_300))), "12.5s");
        assert_eq!(shown_age(ms(3_725_400), None), "3725s");
    }

    #[test]
    fn without_a_maximum_age_any_time_is_fine() {
        assert_eq!(
            judged(86_400.0 * 400.0, None).unwrap().as_secs(),
            34_560_000
        );
        assert_eq!(judged(-3600.0, None), Ok(Duration::ZERO));
    }
}
