//! autobahn-python scripts (`tests/wamp_peers/*.py`) run as child processes with the Python
//! that `scripts/install-peers.sh` installs under `AMPEL_PEERS_DIR` (autobahn with its
//! serialization and encryption extras). Each script keeps running while its stdin is open
//! (the test's lifeline) and is killed by PID when its [`Peer`] drops. Skipped loudly without
//! the peers; a failure when `AMPEL_REQUIRE_PEERS=1`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

/// How long one script may run.
pub const RUN_LIMIT: Duration = Duration::from_secs(45);

/// The installed Python with autobahn and its extras, or `None` after a loud skip line.
pub fn python() -> Option<PathBuf> {
    let require = std::env::var("AMPEL_REQUIRE_PEERS").is_ok_and(|v| v == "1");
    let problem = match std::env::var_os("AMPEL_PEERS_DIR") {
        None => "AMPEL_PEERS_DIR is not set".to_owned(),
        Some(dir) => {
            let python = PathBuf::from(dir).join("py/bin/python");
            let ready = python.exists()
                && Command::new(&python)
                    .args(["-c", "import autobahn, msgpack, cbor2, nacl"])
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success());
            if ready {
                return Some(python);
            }
            format!(
                "{} has no autobahn[serialization,encryption]",
                python.display()
            )
        }
    };
    assert!(
        !require,
        "{problem}, and AMPEL_REQUIRE_PEERS=1 (run scripts/install-peers.sh)"
    );
    eprintln!(
        "\n!!!!!!!! SKIPPED: autobahn-python not available: {problem} (run scripts/install-peers.sh and set AMPEL_PEERS_DIR=<repo>/build) !!!!!!!!\n"
    );
    None
}

/// A running script: killed and reaped on drop.
pub struct Peer(pub Child);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `tests/wamp_peers/<name>` with `args`, stdin open as its lifeline.
pub fn spawn(python: &Path, name: &str, args: &[&str]) -> Peer {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/wamp_peers")
        .join(name);
    let child = Command::new(python)
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn autobahn script");
    Peer(child)
}

impl Peer {
    /// Waits (within [`RUN_LIMIT`]) for the script to exit: its status (`None` if it did
    /// not exit in time) and what it printed on stdout and stderr.
    pub async fn finish(mut self) -> (Option<ExitStatus>, String, String) {
        let started = tokio::time::Instant::now();
        let status = loop {
            if let Some(status) = self.0.try_wait().expect("try_wait") {
                break Some(status);
            }
            if started.elapsed() > RUN_LIMIT {
                break None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        if status.is_none() {
            // Kill it so that its pipes close and can be read to the end.
            let _ = self.0.kill();
        }
        let (mut out, mut err) = (String::new(), String::new());
        if let Some(mut o) = self.0.stdout.take() {
            let _ = o.read_to_string(&mut out);
        }
        if let Some(mut e) = self.0.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        (status, out, err)
    }
}

/// Runs a script to its end: whether it exited successfully printing just `OK`, and a log
/// of its status and output for the failure message.
pub async fn run(python: &Path, name: &str, args: &[&str]) -> (bool, String) {
    let (status, out, err) = spawn(python, name, args).finish().await;
    let ok = status.is_some_and(|s| s.success()) && out.trim() == "OK";
    (
        ok,
        format!("status {status:?}\nstdout: {out}\nstderr: {err}"),
    )
}
