//! `file://` targets: a heartbeat's age against `--max-age`, with each
//! file's modification time set to the millisecond (`futimens`, through
//! `File::set_modified`), and every way a path can fail to be a fresh file.
//! The sandbox tests (tests/system/sandbox.rs) run the same kind in an
//! empty root as uid 65532; the hung file system is a FUSE mount whose
//! server never answers.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, SystemTime};

use healthprobe::{FileProblem, Outcome, Probe, Problem, Ready};

use crate::support::*;

/// Sets `path`'s modification time to `ago` before now (negative: ahead).
fn modified(path: &Path, ago: f64) {
    let now = SystemTime::now();
    let time = match ago >= 0.0 {
        true => now - Duration::from_secs_f64(ago),
        false => now + Duration::from_secs_f64(-ago),
    };
    File::open(path).unwrap().set_modified(time).unwrap();
}

/// A file in `dir` modified `ago` seconds before now, and its URL.
fn heartbeat(dir: &TempDir, name: &str, ago: f64) -> (PathBuf, String) {
    let path = dir.path().join(name);
    fs::write(&path, "").unwrap();
    modified(&path, ago);
    let url = format!("file://{}", path.display());
    (path, url)
}

/// Checks a line whose figures vary from run to run: exit `code`, one line
/// that starts with `start` and ends with `end`, and the figure between them
/// a number of seconds within `range`.
fn check_age(ran: &Ran, code: i32, start: &str, end: &str, range: std::ops::Range<f64>) {
    let line = if code == 0 { &ran.stdout } else { &ran.stderr };
    let line = placeholder(line.trim_end());
    let figure = line
        .strip_prefix(start)
        .and_then(|rest| rest.strip_suffix(end))
        .and_then(|s| s.strip_suffix('s'))
        .and_then(|s| s.parse::<f64>().ok());
    assert!(
        ran.code == Some(code) && figure.is_some_and(|f| range.contains(&f)),
        "{ran}\nwanted exit {code} and {start}<seconds in {range:?}>s{end}"
    );
}

#[test]
fn a_file_modified_within_the_limit_is_healthy_and_one_millisecond_past_it_is_not() {
    let dir = TempDir::new();
    // Half a second to spare: the probe must start before the file is 60 s old.
    let (_, fresh) = heartbeat(&dir, "fresh", 59.5);
    probe(&["--max-age", "60s", &fresh]).expect(
        0,
        &format!("healthy: {fresh}: modified 59s ago, limit 60s (--max-age) in <elapsed>"),
    );
    let (_, stale) = heartbeat(&dir, "stale", 60.001);
    let ran = probe(&["--max-age", "60s", &stale]).run();
    check_age(
        &ran,
        1,
        &format!("unhealthy: {stale}: stale: modified "),
        " ago, limit 60s (--max-age) in <elapsed>",
        60.001..65.0,
    );
    // Under 10 s the age is shown to the millisecond.
    let (_, quick) = heartbeat(&dir, "quick", 1.5);
    let ran = probe(&["--max-age", "1500ms", &quick]).run();
    check_age(
        &ran,
        1,
        &format!("unhealthy: {quick}: stale: modified "),
        " ago, limit 1.5s (--max-age) in <elapsed>",
        1.501..5.0,
    );
    // Whole seconds from 10 s on: 95.2 s shows as 95s for most of a second.
    let (_, old) = heartbeat(&dir, "old", 95.2);
    probe(&["--max-age", "60s", &old]).expect(
        1,
        &format!("unhealthy: {old}: stale: modified 95s ago, limit 60s (--max-age) in <elapsed>"),
    );
}

#[test]
fn a_modification_time_more_than_a_second_ahead_is_clock_skew() {
    let dir = TempDir::new();
    let (_, ahead) = heartbeat(&dir, "ahead", -5.0);
    let ran = probe(&["--max-age", "60s", &ahead]).run();
    check_age(
        &ran,
        1,
        &format!("unhealthy: {ahead}: modified "),
        " in the future (clock skew?) in <elapsed>",
        2.0..5.001,
    );
    // Within the second's tolerance it counts as now.
    let (_, close) = heartbeat(&dir, "close", -0.5);
    probe(&["--max-age", "60s", &close]).expect(
        0,
        &format!("healthy: {close}: modified 0s ago, limit 60s (--max-age) in <elapsed>"),
    );
    // Without --max-age only existing counts, whatever the time says.
    probe(&[&ahead]).expect(
        0,
        &format!("healthy: {ahead}: exists, modified 0s ago in <elapsed>"),
    );
}

#[test]
fn without_a_maximum_age_existing_is_enough() {
    let dir = TempDir::new();
    let (_, old) = heartbeat(&dir, "migrated", 3725.2);
    probe(&[&old]).expect(
        0,
        &format!("healthy: {old}: exists, modified 3725s ago in <elapsed>"),
    );
}

#[test]
fn every_path_that_is_not_a_fresh_file_says_why() {
    let dir = TempDir::new();
    let base = dir.path().display().to_string();
    let (file, _) = heartbeat(&dir, "file", 1.0);
    std::os::unix::fs::symlink(dir.path().join("nowhere"), dir.path().join("dangling")).unwrap();
    fs::create_dir(dir.path().join("directory")).unwrap();
    for (path, line) in [
        ("missing", "no such file or directory"),
        (
            "dangling",
            "no such file: a symbolic link to a path that does not exist",
        ),
        (
            "file/beneath",
            "not a directory: a component of the path is not a directory",
        ),
        (
            "file/",
            "not a directory: a component of the path is not a directory",
        ),
        (
            "directory",
            "is a directory, not a file (end the URL with / to check for a directory)",
        ),
    ] {
        let url = format!("file://{base}/{path}");
        for args in [vec![url.as_str()], vec!["--max-age", "1h", &url]] {
            probe(&args).expect(1, &format!("unhealthy: {url}: {line} in <elapsed>"));
        }
    }
    // A URL that ends in / asks for a directory.
    modified(&dir.path().join("directory"), 20.2);
    let url = format!("file://{base}/directory/");
    probe(&[&url]).expect(
        0,
        &format!("healthy: {url}: exists, modified 20s ago in <elapsed>"),
    );
    assert!(file.is_file());
}

#[test]
fn symbolic_links_are_followed_to_the_file_they_name() {
    let dir = TempDir::new();
    let (target, _) = heartbeat(&dir, "target", 120.2);
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let url = format!("file://{}", link.display());
    // The link itself was made just now; its file is two minutes old.
    probe(&["--max-age", "60s", &url]).expect(
        1,
        &format!("unhealthy: {url}: stale: modified 120s ago, limit 60s (--max-age) in <elapsed>"),
    );
    modified(&target, 2.0);
    let ran = probe(&["--max-age", "60s", &url]).run();
    check_age(
        &ran,
        0,
        &format!("healthy: {url}: modified "),
        " ago, limit 60s (--max-age) in <elapsed>",
        2.0..5.0,
    );
}

#[test]
fn a_path_is_percent_decoded() {
    let dir = TempDir::new();
    heartbeat(&dir, "a b%", 20.2);
    let url = format!("file://{}/a%20b%25", dir.path().display());
    probe(&[&url]).expect(
        0,
        &format!("healthy: {url}: exists, modified 20s ago in <elapsed>"),
    );
}

#[test]
fn the_maximum_age_comes_from_the_environment_too() {
    let dir = TempDir::new();
    let (path, stale) = heartbeat(&dir, "hb", 30.2);
    probe(&[&stale]).env("HEALTHPROBE_MAX_AGE", "10s").expect(
        1,
        &format!("unhealthy: {stale}: stale: modified 30s ago, limit 10s (--max-age) in <elapsed>"),
    );
    // The flag wins; the variable is not read where no target takes it.
    modified(&path, 30.2);
    probe(&["--max-age", "1m", &stale])
        .env("HEALTHPROBE_MAX_AGE", "10s")
        .expect(
            0,
            &format!("healthy: {stale}: modified 30s ago, limit 60s (--max-age) in <elapsed>"),
        );
    let addr = serve(1, |_| {});
    probe(&[&format!("tcp://{addr}")])
        .env("HEALTHPROBE_MAX_AGE", "nonsense")
        .expect(
            0,
            &format!("healthy: TCP {addr}: connected to {addr} in <elapsed>"),
        );
    probe(&[&stale])
        .env("HEALTHPROBE_MAX_AGE", "2h30m")
        .expect(
            64,
            "healthprobe: invalid HEALTHPROBE_MAX_AGE \"2h30m\": expected a duration like 500ms, 2s, 1.5s or 1m",
        );
}

#[test]
fn wrong_urls_and_settings_are_usage_errors_that_show_the_right_form() {
    for (args, line) in [
        (
            vec!["file://tmp/heartbeat"],
            "healthprobe: invalid URL: \"file://tmp/heartbeat\" names a host, \"tmp\": a file:// target is a path on this machine, file:///ABSOLUTE/PATH, as in file:///tmp/heartbeat",
        ),
        (
            vec!["file://localhost/run/hb"],
            "healthprobe: invalid URL: \"file://localhost/run/hb\" names a host, \"localhost\": a file:// target is a path on this machine, file:///ABSOLUTE/PATH, as in file:///run/hb",
        ),
        (
            vec!["file:heartbeat"],
            "healthprobe: invalid URL: \"file:heartbeat\" has a relative path: write file:///ABSOLUTE/PATH",
        ),
        (
            vec!["file://./heartbeat"],
            "healthprobe: invalid URL: \"file://./heartbeat\" has a relative path: write file:///ABSOLUTE/PATH",
        ),
        (
            vec!["file:/run/hb"],
            "healthprobe: invalid URL: \"file:/run/hb\" is not a file:// URL: write file:///ABSOLUTE/PATH, as in file:///run/hb",
        ),
        (
            vec!["file://"],
            "healthprobe: invalid URL: \"file://\" has no path: write file:///ABSOLUTE/PATH",
        ),
        (
            vec!["file:///run/hb?x"],
            "healthprobe: invalid URL: a file:// URL is a path alone: write \"?\" in a file's name as %3F and \"#\" as %23",
        ),
        (
            vec!["file:///run/a b"],
            "healthprobe: invalid URL: the URL's path contains ' ': percent-encode it",
        ),
        (
            vec!["file:///run/%00"],
            "healthprobe: invalid URL: the URL's path contains a NUL byte (%00)",
        ),
        (
            vec!["--max-age", "5s", "http://127.0.0.1:1/"],
            "healthprobe: --max-age applies only to file:// targets, and none is given",
        ),
        (
            vec!["--max-age", "400d", "file:///run/hb"],
            "healthprobe: invalid --max-age \"400d\": is longer than 366d",
        ),
        (
            vec!["--max-age", "0", "file:///run/hb"],
            "healthprobe: invalid --max-age \"0\": must be at least 1ms",
        ),
        (
            vec!["--expect-status", "200", "file:///run/hb"],
            "healthprobe: --expect-status applies only to http:// and https:// targets, and none is given",
        ),
        (
            vec!["--unix-socket", "/run/app.sock", "file:///run/hb"],
            "healthprobe: --unix-socket applies only to http://, https://, grpc://, grpcs://, postgres://, postgresql://, redis://, rediss://, mysql://, mariadb:// and memcached:// targets, and none is given",
        ),
        (
            vec!["--connect-timeout", "1s", "file:///run/hb"],
            "healthprobe: --connect-timeout applies only to http://, https://, tcp://, grpc://, grpcs://, postgres://, postgresql://, redis://, rediss://, unix://, mysql://, mariadb://, amqp://, amqps://, nats://, tls://, memcached://, zookeeper://, kafka://, kafka+ssl://, cassandra://, scylla://, cassandra+ssl://, scylla+ssl:// and mongodb:// targets, and none is given",
        ),
        (
            vec!["-k", "file:///run/hb"],
            "healthprobe: --insecure applies only to https://, grpcs://, rediss://, amqps://, nats://, tls://, kafka+ssl://, cassandra+ssl:// and scylla+ssl:// targets, and none is given",
        ),
    ] {
        probe(&args).expect(64, line);
    }
}

#[test]
fn waits_for_a_marker_file_then_runs_the_command() {
    let dir = TempDir::new();
    let marker = dir.path().join("migrated");
    let url = format!("file://{}", marker.display());
    let writer = {
        let marker = marker.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(600));
            // Written under a temporary name and renamed, as a writer should.
            let temporary = marker.with_extension("tmp");
            fs::write(&temporary, "done\n").unwrap();
            fs::rename(&temporary, &marker).unwrap();
        })
    };
    let ran = probe(&[
        "--wait",
        "5s",
        "--interval",
        "100ms",
        &url,
        "--",
        "/bin/echo",
        "started",
    ])
    .run();
    writer.join().unwrap();
    let stdout: Vec<String> = ran.stdout.lines().map(placeholder).collect();
    assert!(
        ran.code == Some(0)
            && placeholder_lines(&ran.stderr)
                == [format!(
                    "waiting: {url}: no such file or directory in <elapsed>"
                )]
            && stdout.len() == 2
            && stdout[0].starts_with(&format!("healthy: {url}: exists, modified 0"))
            && stdout[1] == "started",
        "{ran}"
    );
    assert!(ran.elapsed >= Duration::from_millis(600), "{ran}");
}

#[test]
fn waiting_for_a_stale_heartbeat_says_so_once_and_the_wait_ends_on_time() {
    let dir = TempDir::new();
    let (path, url) = heartbeat(&dir, "hb", 30.0);
    let writer = thread::spawn(move || {
        thread::sleep(Duration::from_millis(700));
        modified(&path, 0.0);
    });
    let ran = probe(&[
        "--max-age",
        "5s",
        "--wait",
        "5s",
        "--interval",
        "100ms",
        &url,
    ])
    .run();
    writer.join().unwrap();
    // The age grows with every attempt, and one line says it is stale.
    let waiting = placeholder_lines(&ran.stderr);
    assert!(
        ran.code == Some(0)
            && waiting.len() == 1
            && waiting[0].starts_with(&format!("waiting: {url}: stale: modified 30"))
            && ran
                .stdout
                .starts_with(&format!("healthy: {url}: modified 0")),
        "{ran}"
    );

    let missing = format!("file://{}/never", dir.path().display());
    let ran = probe(&["--wait", "600ms", "--interval", "200ms", &missing]).run();
    ran.check_lines(
        1,
        &[
            &format!("waiting: {missing}: no such file or directory in <elapsed>"),
            &format!("unhealthy: {missing}: 3 attempts over <wait>, the last: no such file or directory in <elapsed>"),
        ],
        &[],
    );
    ran.ended_within(Duration::from_millis(600) + DEADLINE_SLACK);
}

#[test]
fn files_are_probed_beside_other_targets() {
    let dir = TempDir::new();
    let (_, fresh) = heartbeat(&dir, "worker", 1.0);
    let (_, stale) = heartbeat(&dir, "beat", 600.2);
    let addr = serve(2, |_| {});
    let tcp = format!("tcp://{addr}");
    let ran = probe(&["--max-age", "10s", &tcp, &fresh, &stale]).run();
    let healthy = placeholder_lines(&ran.stdout);
    assert!(
        ran.code == Some(1)
            && placeholder_lines(&ran.stderr)
                == [format!(
                    "unhealthy: {stale}: stale: modified 600s ago, limit 10s (--max-age) in <elapsed>"
                )]
            && healthy.len() == 2
            && healthy[0] == format!("healthy: TCP {addr}: connected to {addr} in <elapsed>")
            && healthy[1].starts_with(&format!("healthy: {fresh}: modified 1.0")),
        "{ran}"
    );
}

#[test]
fn the_library_checks_files_too() {
    let dir = TempDir::new();
    let (_, stale) = heartbeat(&dir, "hb", 90.2);
    let report = Probe::new(&stale)
        .and_then(|p| p.max_age(Duration::from_secs(60)))
        .unwrap()
        .run();
    assert!(
        matches!(
            report.outcome(),
            Outcome::Unhealthy {
                peer: None,
                problem: Problem::File(FileProblem::Stale { max_age, .. }),
                ..
            } if *max_age == Duration::from_secs(60)
        ),
        "{report}"
    );
    assert_eq!(report.exit_code(), 1);
    assert!(
        report.line().contains(&format!(
            "{stale}: stale: modified 90s ago, limit 60s (max_age) in "
        )),
        "{report}"
    );
    let fresh = Probe::new(&stale).unwrap().run();
    assert!(
        matches!(
            fresh.outcome(),
            Outcome::Healthy {
                peer: None,
                ready: Ready::File { max_age: None, .. },
                ..
            }
        ),
        "{fresh}"
    );
    let error = Probe::new("http://127.0.0.1:1/")
        .unwrap()
        .max_age(Duration::from_secs(1))
        .expect_err("not a file");
    assert_eq!(
        error.to_string(),
        "max_age applies only to file:// targets, not http://"
    );
    let error = Probe::new("file:///run/hb")
        .unwrap()
        .expect_status("200")
        .expect_err("not HTTP");
    assert_eq!(
        error.to_string(),
        "expect_status applies only to http:// and https:// targets, not file://"
    );
}

#[test]
fn sixteen_files_at_once_are_healthy_run_after_run() {
    // Each target's stat runs on a thread of its own; only the ones their
    // probes gave up on count against the bound, so sixteen at once are
    // never turned away.
    let dir = TempDir::new();
    let urls: Vec<String> = (0..16)
        .map(|i| {
            format!(
                "file://{}",
                heartbeat(&dir, &format!("hb{i}"), 0.0).0.display()
            )
        })
        .collect();
    let mut args = vec!["--quiet", "--max-age", "1h"];
    args.extend(urls.iter().map(String::as_str));
    for run in 0..20 {
        let ran = probe(&args).run();
        assert!(
            ran.code == Some(0) && ran.stdout.is_empty() && ran.stderr.is_empty(),
            "run {run}\n{ran}"
        );
    }
}

#[test]
fn the_library_probing_files_from_sixteen_threads_stays_correct() {
    let dir = TempDir::new();
    let (path, _) = heartbeat(&dir, "hb", 0.0);
    let url = format!("file://{}", path.display());
    let missing = format!("file://{}/missing", dir.path().display());
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let (url, missing) = (url.clone(), missing.clone());
            thread::spawn(move || {
                let mut wrong = Vec::new();
                for _ in 0..200 {
                    let healthy = Probe::new(&url)
                        .unwrap()
                        .max_age(Duration::from_secs(3600))
                        .unwrap()
                        .run();
                    if !healthy.is_healthy() {
                        wrong.push(healthy.line());
                    }
                    let gone = Probe::new(&missing).unwrap().run();
                    if !matches!(
                        gone.outcome(),
                        Outcome::Unhealthy {
                            problem: Problem::File(FileProblem::Missing { .. }),
                            ..
                        }
                    ) {
                        wrong.push(gone.line());
                    }
                }
                wrong
            })
        })
        .collect();
    let wrong: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of 6400 wrong, as in {:?}",
        wrong.len(),
        wrong.first()
    );
}

#[test]
fn a_path_may_hold_an_at_sign() {
    // systemd's instance names and the like: an "@" after the host is
    // refused only where it could follow a password.
    let dir = TempDir::new();
    let (path, url) = heartbeat(&dir, "worker@1", 0.0);
    let ran = probe(&[&url]).run();
    assert_eq!(ran.code, Some(0), "{ran}");
    assert!(path.exists());
}
