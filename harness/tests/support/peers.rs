//! Third-party peers installed by `scripts/install-peers.sh` under `AMPEL_PEERS_DIR`
//! (Python `websockets` in `py/`, Node `ws` in `node/`), spawned as child processes (servers
//! print their port); each is killed by its PID when the test drops it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a peer may take to print its port.
const STARTUP: Duration = Duration::from_secs(20);

/// The directory of installed peers, or `None` after a loud skip line. A missing directory
/// or `needed` file fails the test instead when `AMPEL_REQUIRE_PEERS=1`.
pub fn peers_dir(needed: &str) -> Option<PathBuf> {
    let problem = match std::env::var_os("AMPEL_PEERS_DIR") {
        None => "AMPEL_PEERS_DIR is not set".to_owned(),
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.join(needed).exists() {
                return Some(dir);
            }
            format!("{} is missing", dir.join(needed).display())
        }
    };
    unavailable(&problem)
}

/// True if `program --version` runs; otherwise a loud skip line (or a failure when
/// `AMPEL_REQUIRE_PEERS=1`) and false.
pub fn program_runs(program: &str) -> bool {
    let runs = Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    runs || unavailable::<()>(&format!("`{program}` is not on PATH")).is_some()
}

fn unavailable<T>(problem: &str) -> Option<T> {
    let require = std::env::var("AMPEL_REQUIRE_PEERS").is_ok_and(|v| v == "1");
    assert!(
        !require,
        "{problem}, and AMPEL_REQUIRE_PEERS=1 (run scripts/install-peers.sh)"
    );
    eprintln!(
        "\n!!!!!!!! SKIPPED: third-party peer not available: {problem} (run scripts/install-peers.sh and set AMPEL_PEERS_DIR=<repo>/build) !!!!!!!!\n"
    );
    None
}

/// A script in `tests/peers/`.
pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/peers")
        .join(name)
}

/// A running peer process; killed (by PID) and reaped on drop.
pub struct PeerProcess {
    child: Child,
    pub port: u16,
}

impl PeerProcess {
    /// Spawns `command`, which must print its TCP port on the first line of stdout. Its
    /// stdin stays open as a lifeline: the scripts exit when it closes, so a peer cannot
    /// outlive a test process that died without dropping it.
    pub fn spawn(mut command: Command) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {command:?}: {e}"));
        let stdout = child.stdout.take();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let Some(stdout) = stdout else { return };
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let port = rx
            .recv_timeout(STARTUP)
            .ok()
            .and_then(|line| line.trim().parse::<u16>().ok());
        let mut peer = Self { child, port: 0 };
        match port {
            Some(port) => peer.port = port,
            None => {
                drop(peer);
                panic!("{command:?} did not print its port within {STARTUP:?}");
            }
        }
        peer
    }

    /// Spawns a client peer: it prints nothing and ends by itself (its stdin is the same
    /// lifeline).
    pub fn spawn_client(mut command: Command) -> Self {
        let child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {command:?}: {e}"));
        Self { child, port: 0 }
    }

    /// Waits up to `limit` for the process to end; its exit status, if it did.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// The peer's address.
    pub fn addr(&self) -> std::net::SocketAddr {
        std::net::SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// True while the process runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for PeerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
