//! A real `gongkai serve` process for tests that need one (crash test, browser tests).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server; killed (SIGKILL) on drop.
#[derive(Debug)]
pub struct Server {
    pub child: Child,
    /// `host:port` it listens on.
    pub addr: String,
    /// What it printed up to "gongkai 已启动".
    pub lines: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `bin serve --listen 127.0.0.1:0 --data DATA EXTRA…` and waits until it listens.
    pub fn start(bin: &str, data: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new(bin)
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .args(extra)
            .env_remove("GONGKAI_DATABASE_URL")
            .env_remove("GONGKAI_PUBLIC_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start gongkai serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = Vec::new();
        let mut reader = BufReader::new(stdout);
        let deadline = Instant::now() + Duration::from_mins(2);
        loop {
            let mut l = String::new();
            assert!(
                reader.read_line(&mut l).unwrap_or(0) > 0,
                "server exited early: {lines:?}"
            );
            lines.push(l.trim_end().to_owned());
            if l.contains("gongkai 已启动") {
                break;
            }
            assert!(Instant::now() < deadline, "server did not start: {lines:?}");
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in reader.lines() {});
        let started = lines.last().cloned().unwrap_or_default();
        let addr = started
            .split("http://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or_default()
            .to_owned();
        Server { child, addr, lines }
    }
}
