//! Several targets in one run: probed concurrently within one deadline,
//! unhealthy lines first (stderr), then healthy ones (stdout), each group in
//! the order given.

use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use crate::support::*;

fn ok_http() -> (String, String) {
    let (addr, _) = recording("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
    let url = format!("http://{addr}/health");
    let line = format!("healthy: GET {url}: 200 OK from {addr} in <elapsed>");
    (url, line)
}

fn listening_tcp() -> (String, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            drop(stream);
        }
    });
    let target = format!("tcp://{addr}");
    let line = format!("healthy: TCP {addr}: connected to {addr} in <elapsed>");
    (target, line)
}

fn refused_tcp() -> (String, String) {
    let addr = closed_port();
    let target = format!("tcp://{addr}");
    let line = format!("unhealthy: TCP {addr}: connection refused at {addr} in <elapsed>");
    (target, line)
}

#[test]
fn every_target_must_be_healthy_and_failures_come_first() {
    let (http, http_ok) = ok_http();
    let (db, db_refused) = refused_tcp();
    let (cache, cache_ok) = listening_tcp();
    let (queue, queue_refused) = refused_tcp();
    let ran = probe(&[&http, &db, &cache, &queue]).run();
    ran.check_lines(1, &[&db_refused, &queue_refused], &[&http_ok, &cache_ok]);
    ran.ended_within(Duration::from_secs(1));
}

#[test]
fn all_healthy_exits_0_and_quiet_drops_the_healthy_lines() {
    let (http, http_ok) = ok_http();
    let (cache, cache_ok) = listening_tcp();
    probe(&[&cache, &http])
        .run()
        .check_lines(0, &[], &[&cache_ok, &http_ok]);
    let (http, _) = ok_http();
    let (db, db_refused) = refused_tcp();
    probe(&["-q", &http, &db])
        .run()
        .check_lines(1, &[&db_refused], &[]);
}

#[test]
fn the_variable_holds_several_targets_separated_by_whitespace() {
    let (http, http_ok) = ok_http();
    let (cache, cache_ok) = listening_tcp();
    probe(&[])
        .env("HEALTHPROBE_URL", &format!("  {http}\n\t{cache} "))
        .run()
        .check_lines(0, &[], &[&http_ok, &cache_ok]);
}

#[test]
fn targets_are_probed_concurrently_within_one_deadline() {
    let silent: Vec<_> = (0..4)
        .map(|_| {
            serve(1, |s| {
                thread::sleep(Duration::from_secs(3));
                drop(s);
            })
        })
        .collect();
    let urls: Vec<String> = silent
        .iter()
        .map(|a| format!("http://{a}/health"))
        .collect();
    let mut args = vec!["-t", "500ms"];
    args.extend(urls.iter().map(String::as_str));
    let ran = probe(&args).run();
    let lines: Vec<String> = silent
        .iter()
        .zip(&urls)
        .map(|(addr, url)| format!(
            "unhealthy: GET {url}: timed out waiting for the response head from {addr} (--timeout 500ms, 0 bytes received) in <elapsed>"
        ))
        .collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    ran.check_lines(1, &lines, &[]);
    // Four probes of 500 ms each end together, not one after another.
    ran.ended_at_deadline(Duration::from_millis(500));
}

#[test]
fn at_most_16_targets() {
    let targets: Vec<String> = (1..=17).map(|p| format!("tcp://127.0.0.1:{p}")).collect();
    let args: Vec<&str> = targets.iter().map(String::as_str).collect();
    probe(&args).expect(
        64,
        "healthprobe: 17 targets given, more than the 16 healthprobe probes at once",
    );
}
