//! A `file://` target on a file system that never answers (a hung NFS
//! server, played by FUSE): every probe ends by its deadline, and a wait
//! leaves a bounded number of threads blocked. Needs root and /dev/fuse.

use std::fs;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use healthprobe::{Outcome, Probe};

use crate::support::*;

/// A FUSE file system whose server never answers, as a hung NFS server does
/// not: the kernel waits for its first reply (INIT), and every `stat` under
/// the mount blocks until the server goes. Mounted by a small Python
/// program (no FUSE library: it opens /dev/fuse and calls mount(2)), and
/// lazily unmounted on drop.
struct HungMount {
    server: Child,
    dir: TempDir,
}

impl HungMount {
    fn start() -> HungMount {
        required(
            "HEALTHPROBE_TEST_FUSE",
            "root, /dev/fuse and python3 (to mount a file system that never answers)",
        );
        let dir = TempDir::new();
        let mountpoint = dir.path().join("mnt");
        fs::create_dir(&mountpoint).unwrap();
        let program = r#"
import ctypes, os, sys
fd = os.open("/dev/fuse", os.O_RDWR)
libc = ctypes.CDLL(None, use_errno=True)
options = f"fd={fd},rootmode=40000,user_id=0,group_id=0".encode()
if libc.mount(b"hung", sys.argv[1].encode(), b"fuse.hung", 0, options) != 0:
    sys.exit("mount: " + os.strerror(ctypes.get_errno()))
print("mounted", flush=True)
sys.stdin.read()
"#;
        let mut server = Command::new("python3")
            .args(["-c", program])
            .arg(&mountpoint)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut line = String::new();
        use std::io::BufRead;
        std::io::BufReader::new(server.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line, "mounted\n", "the FUSE mount failed");
        HungMount { server, dir }
    }

    fn url(&self) -> String {
        format!("file://{}/mnt/heartbeat", self.dir.path().display())
    }
}

impl Drop for HungMount {
    fn drop(&mut self) {
        // The server's end closes with it; blocked calls then fail with
        // ENOTCONN, and the mount goes.
        let _ = self.server.kill();
        let _ = self.server.wait();
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path().join("mnt"))
            .status();
    }
}

#[test]
#[ignore = "needs root and /dev/fuse (HEALTHPROBE_TEST_FUSE): .ci/test runs it as root"]
fn a_hung_file_system_does_not_outlive_the_deadline() {
    let mount = HungMount::start();
    let url = mount.url();
    // stat(1) of the path blocks, until it is killed: the mount really
    // hangs. (Not a thread of this process: FUSE looks names up in a
    // directory one at a time, and the next lookup, a probe's, would wait
    // for this one in an uninterruptible sleep that no deadline ends.)
    let mut stat = Command::new("stat")
        .arg(url.trim_start_matches("file://"))
        .stdout(Stdio::null())
        .spawn()
        .expect("stat runs");
    thread::sleep(Duration::from_millis(300));
    assert!(
        stat.try_wait().unwrap().is_none(),
        "stat returned: the mount does not hang"
    );
    stat.kill().unwrap();
    stat.wait().unwrap();

    probe(&["-t", "500ms", "--max-age", "10s", &url])
        .expect(
            1,
            &format!("unhealthy: {url}: timed out waiting for the file system (--timeout 500ms) in <elapsed>"),
        )
        .ended_at_deadline(Duration::from_millis(500));
    // Waiting: every attempt ends by its deadline, and the stats left
    // blocked are bounded: past 4, an attempt waits for one of them to end
    // (none does) and times out without a thread of its own. The process
    // then has its main thread, the one that waits for SIGTERM while
    // waiting, and at most 4 blocked ones.
    let mut waiting = Command::new(assert_cmd::cargo::cargo_bin("healthprobe"))
        .args(["-t", "300ms", "--wait", "2s", "--interval", "100ms", &url])
        .env_clear()
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    thread::sleep(Duration::from_millis(1700));
    let status = fs::read_to_string(format!("/proc/{}/status", waiting.id())).unwrap();
    let threads: usize = status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    let code = waiting.wait().unwrap().code();
    let elapsed = started.elapsed();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut waiting.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(
        code == Some(1)
            && threads <= 6
            && elapsed < Duration::from_secs(2) + DEADLINE_SLACK
            && stderr
                .lines()
                .all(|l| l.contains("timed out waiting for the file system")),
        "exit {code:?} after {elapsed:?} with {threads} threads at 1.7 s\n{stderr}"
    );

    // The library, in this process: the thread is left behind.
    let started = Instant::now();
    let report = Probe::new(&url)
        .and_then(|p| p.timeout(Duration::from_millis(300)))
        .unwrap()
        .run();
    assert!(
        matches!(report.outcome(), Outcome::TimedOut { .. }),
        "{report}"
    );
    assert!(started.elapsed() < Duration::from_millis(300) + DEADLINE_SLACK);
}
