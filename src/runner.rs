//! Several targets at once, and waiting for them: the repetition and the
//! concurrency around the probers, which know nothing of either. It knows
//! no command line: the library's `Probe::run` and the command line both
//! call it with plain targets.
//!
//! Every attempt probes the targets still unhealthy concurrently, one thread
//! each (the first on the calling thread), all by one shared deadline, so a
//! run with many targets ends when a run with one would.

use std::thread;
use std::time::Instant;

use crate::kinds;
use crate::report::{Limit, Report, Waited};
use crate::spec::{Target, Wait};

/// Probes every target, repeating with `wait`, and returns one report per
/// target in the order given. When waiting, `changed` is called with a
/// target's progress line (`waiting: ...`) each time its failure changes
/// (its first failure, or a different one), so a log shows what was waited
/// for.
pub fn check(targets: &[Target], wait: Option<Wait>, changed: impl FnMut(&str)) -> Vec<Report> {
    let all: Vec<&Target> = targets.iter().collect();
    match wait {
        None => {
            let started = Instant::now();
            round(&all, |target| {
                (started + target.timeout, Limit::Deadline(target.timeout))
            })
        }
        Some(wait) => wait_for(&all, wait, changed),
    }
}

/// Probes one target once, or until it is healthy or the wait ends: the
/// last report.
pub fn one(target: &Target, wait: Option<Wait>) -> Report {
    match check(std::slice::from_ref(target), wait, |_| {}).pop() {
        Some(report) => report,
        // check answers with one report per target, so this is not reached.
        None => kinds::run(target),
    }
}

/// Probes `targets` concurrently; `by` gives each its deadline and the limit
/// that sets it.
fn round(targets: &[&Target], by: impl Fn(&Target) -> (Instant, Limit) + Sync) -> Vec<Report> {
    let run = |target: &Target| {
        let (deadline, limit) = by(target);
        kinds::run_until(target, deadline, limit)
    };
    let Some((first, rest)) = targets.split_first() else {
        return Vec::new();
    };
    if rest.is_empty() {
        // One target: no thread to start, as in every plain health check.
        return vec![run(first)];
    }
    thread::scope(|scope| {
        let spawned: Vec<_> = rest
            .iter()
            .map(|target| {
                let target: &Target = target;
                let run = &run;
                thread::Builder::new().spawn_scoped(scope, move || run(target))
            })
            .collect();
        let mut reports = vec![run(first)];
        for (target, handle) in rest.iter().zip(spawned) {
            // A thread that could not start, or that panicked (a bug the
            // panic hook reports), leaves its target to this thread.
            let report = match handle.map(|h| h.join()) {
                Ok(Ok(report)) => report,
                _ => run(target),
            };
            reports.push(report);
        }
        reports
    })
}

/// Waiting: attempts start `interval` apart until every target is healthy
/// or `limit` has passed since start; a healthy target is not probed again.
/// The first attempt starts at once, so every target has a report.
fn wait_for(targets: &[&Target], wait: Wait, mut changed: impl FnMut(&str)) -> Vec<Report> {
    let started = Instant::now();
    let end = started + wait.limit;
    let by = |target: &Target| {
        let own = Instant::now() + target.timeout;
        if own <= end {
            (own, Limit::Deadline(target.timeout))
        } else {
            (end, Limit::Wait(wait.limit))
        }
    };
    let mut last = round(targets, by);
    let mut attempts = vec![1u32; targets.len()];
    let mut failure: Vec<Option<String>> = vec![None; targets.len()];
    let mut next = started;
    loop {
        for (i, report) in last.iter().enumerate() {
            if !report.outcome.is_healthy() {
                let this = report.failure();
                if failure[i].as_ref() != Some(&this) {
                    changed(&report.progress_line());
                    failure[i] = Some(this);
                }
            }
        }
        let pending: Vec<usize> = (0..targets.len())
            .filter(|&i| !last[i].outcome.is_healthy())
            .collect();
        next += wait.interval;
        // Done, or no attempt can start before the wait ends: an attempt
        // slower than the interval may itself have run into the end, and
        // one started after it could only fail at once, hiding the last
        // real failure behind a timeout that says nothing.
        if pending.is_empty() || next >= end || Instant::now() >= end {
            break;
        }
        thread::sleep(next.saturating_duration_since(Instant::now()));
        let again: Vec<&Target> = pending.iter().map(|&i| targets[i]).collect();
        for (i, report) in pending.into_iter().zip(round(&again, by)) {
            attempts[i] += 1;
            // A target that turned healthy keeps its failure record, so a
            // report for it is not sent again; it is not probed again either.
            last[i] = report;
        }
    }
    let over = started.elapsed();
    last.into_iter()
        .zip(attempts)
        .map(|(report, attempts)| match report.outcome.is_healthy() {
            true => Report { attempts, ..report },
            false => Report {
                waited: Some(Waited { attempts, over }),
                attempts,
                ..report
            },
        })
        .collect()
}
