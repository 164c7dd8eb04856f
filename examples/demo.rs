//! Runs the real healthprobe binary against the demo health server in each of
//! its modes, printing each command, its one line and its exit code.
//!
//! ```text
//! cargo build --release --bins --examples && target/release/examples/demo
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn main() -> Result<(), String> {
    let examples = std::env::current_exe()
        .map_err(|e| e.to_string())?
        .parent()
        .map(Path::to_path_buf)
        .ok_or("cannot find the examples directory")?;
    let healthprobe = examples.join("../healthprobe");
    if !healthprobe.exists() {
        return Err(format!(
            "{} is missing: run `cargo build --release --bins --examples` first",
            healthprobe.display()
        ));
    }
    let mut server = Server::start(&examples.join("health_server"))?;
    let url = format!("http://localhost:{}/health", server.port);

    // Each run states the exit code it should end with; the demo fails if
    // any does not, so that CI can run it as a check of the README.
    let mut ok = probe(&healthprobe, &[&url], 0);
    ok &= probe(
        &healthprobe,
        &["--expect-body", r#""status":"ok""#, &url],
        0,
    );
    server.switch("unhealthy")?;
    ok &= probe(&healthprobe, &[&url], 1);
    server.switch("slow")?;
    ok &= probe(&healthprobe, &["--timeout", "500ms", &url], 1);
    server.child.kill().map_err(|e| e.to_string())?;
    let _ = server.child.wait();
    ok &= probe(&healthprobe, &[&url], 1);
    ok &= probe(&healthprobe, &["--timeout", "soon", &url], 64);
    if ok {
        Ok(())
    } else {
        Err("an exit code was not the one expected".to_owned())
    }
}

fn probe(healthprobe: &Path, args: &[&str], expected: i32) -> bool {
    let shown: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    println!("$ healthprobe {}", shown.join(" "));
    match Command::new(healthprobe).args(args).env_clear().output() {
        Ok(out) => {
            print!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let code = out.status.code();
            println!(
                "exit code {}\n",
                code.map_or("none".into(), |c| c.to_string())
            );
            code == Some(expected)
        }
        Err(e) => {
            println!("cannot run {}: {e}\n", healthprobe.display());
            false
        }
    }
}

struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(path: &PathBuf) -> Result<Server, String> {
        let mut child = Command::new(path)
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", path.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout from the server")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .ok_or(format!("unexpected server output {line:?}"))?;
        Ok(Server { child, port })
    }

    fn switch(&self, mode: &str) -> Result<(), String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        write!(
            stream,
            "GET /admin/{mode} HTTP/1.1\r\nhost: localhost\r\n\r\n"
        )
        .map_err(|e| e.to_string())?;
        let mut reply = String::new();
        let _ = stream.read_to_string(&mut reply);
        println!("(server switched to {mode})\n");
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
