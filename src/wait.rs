//! Several targets at once, and `--wait`: the repetition and the concurrency
//! around the probers, which know nothing of either.
//!
//! Every attempt probes the targets still unhealthy concurrently, one thread
//! each (the first on the calling thread), all by one shared deadline, so a
//! run with many targets ends when a run with one would.

use std::thread;
use std::time::Instant;

use crate::cli::Plan;
use crate::config::{Config, Wait};
use crate::outcome::{Limit, Report, Waited};
use crate::probe;

/// Probes every target of `plan`, repeating with `--wait`, and returns one
/// report per target in the order given. With `--wait`, `changed` is called
/// with a target's progress line (`waiting: ...`) each time its failure
/// changes (its first failure, or a different one), so a log shows what was
/// waited for.
pub fn check(plan: &Plan, changed: impl FnMut(&str)) -> Vec<Report> {
    let all: Vec<&Config> = plan.targets.iter().collect();
    match plan.wait {
        None => {
            let started = Instant::now();
            round(&all, |config| {
                (started + config.timeout, Limit::Deadline(config.timeout))
            })
        }
        Some(wait) => wait_for(&all, wait, changed),
    }
}

/// Probes one target until it is healthy or the wait ends, as `--wait`
/// does: the last report.
pub fn until_healthy(config: &Config, wait: Wait) -> Report {
    match wait_for(&[config], wait, |_| {}).pop() {
        Some(report) => report,
        // wait_for answers with one report per target, so this is not reached.
        None => probe::run(config),
    }
}

/// Probes `targets` concurrently; `by` gives each its deadline and the limit
/// that sets it.
fn round(targets: &[&Config], by: impl Fn(&Config) -> (Instant, Limit) + Sync) -> Vec<Report> {
    let run = |config: &Config| {
        let (deadline, limit) = by(config);
        probe::run_until(config, deadline, limit)
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
            .map(|config| {
                let config: &Config = config;
                let run = &run;
                thread::Builder::new().spawn_scoped(scope, move || run(config))
            })
            .collect();
        let mut reports = vec![run(first)];
        for (config, handle) in rest.iter().zip(spawned) {
            // A thread that could not start, or that panicked (a bug the
            // panic hook reports), leaves its target to this thread.
            let report = match handle.map(|h| h.join()) {
                Ok(Ok(report)) => report,
                _ => run(config),
            };
            reports.push(report);
        }
        reports
    })
}

/// `--wait`: attempts start `interval` apart until every target is healthy
/// or `limit` has passed since start; a healthy target is not probed again.
/// The first attempt starts at once, so every target has a report.
fn wait_for(targets: &[&Config], wait: Wait, mut changed: impl FnMut(&str)) -> Vec<Report> {
    let started = Instant::now();
    let end = started + wait.limit;
    let by = |config: &Config| {
        let own = Instant::now() + config.timeout;
        if own <= end {
            (own, Limit::Deadline(config.timeout))
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
        if pending.is_empty() || next >= end {
            // Done, or no attempt could start before the wait ends.
            break;
        }
        thread::sleep(next.saturating_duration_since(Instant::now()));
        let configs: Vec<&Config> = pending.iter().map(|&i| targets[i]).collect();
        for (i, report) in pending.into_iter().zip(round(&configs, by)) {
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
            true => report,
            false => Report {
                waited: Some(Waited { attempts, over }),
                ..report
            },
        })
        .collect()
}
