//! The run modes behind the CLI: resolving flags and spec files into settings, running
//! (test-server, test-client), recording results as each case ends, and the summary and
//! exit status.
//!
//! Exit status: 0 every case passed, 1 a case failed, 2 usage or configuration error, 3 the
//! run was invalid (the peer was unreachable or died), 130 interrupted by Ctrl-C.

mod control;
pub mod list;
mod order;
pub mod protocol;
mod recorder;
pub mod report;
pub mod settings;
pub mod stop;
pub mod test_client;
pub mod test_server;
pub mod verdict;

use std::path::PathBuf;

use crate::cli::{Cli, Command};

/// The process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every case passed.
    Pass,
    /// At least one case failed.
    Failures,
    /// Usage or configuration error.
    Usage,
    /// The run is invalid: the peer was unreachable, or died during the run.
    Invalid,
    /// Interrupted by Ctrl-C.
    Interrupted,
}

impl Exit {
    /// The numeric status.
    pub fn code(self) -> u8 {
        match self {
            Self::Pass => 0,
            Self::Failures => 1,
            Self::Usage => 2,
            Self::Invalid => 3,
            Self::Interrupted => 130,
        }
    }

    /// The status of a finished run: invalid beats failures.
    pub fn of_run(invalid: bool, failed: usize) -> Self {
        if invalid {
            Self::Invalid
        } else if failed > 0 {
            Self::Failures
        } else {
            Self::Pass
        }
    }
}

/// A usage or configuration error (exit status 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A spec file could not be used.
    #[error(transparent)]
    Spec(#[from] crate::spec::SpecError),
    /// The expectations file could not be used.
    #[error(transparent)]
    Expectations(#[from] crate::expectations::ExpectationsError),
    /// The case selection is invalid.
    #[error("case selection: {0}")]
    Select(#[from] ampel_cases::SelectError),
    /// test-server with neither URLs nor a spec's servers.
    #[error("no server to test: give one or more URLs, or a spec file with \"servers\"")]
    NoServers,
    /// `--agent` with several servers.
    #[error("--agent names a single agent, but {count} servers are given")]
    AgentForManyServers {
        /// How many servers.
        count: usize,
    },
    /// A server URL that cannot be tested.
    #[error("server URL {url:?}: {reason}")]
    BadUrl {
        /// The URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// test-client with neither `--listen` nor a spec `url`.
    #[error("no address to listen on: give --listen ADDR or a spec file with \"url\"")]
    NoListenAddress,
    /// The spec's `url` cannot be served.
    #[error("{0}")]
    ListenUrl(String),
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: String,
        /// The error.
        source: std::io::Error,
    },
    /// A file named on the command line does not exist or cannot be read.
    #[error("cannot read {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The report directory cannot be written.
    #[error("cannot write reports to {path}: {source}")]
    Reports {
        /// The directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// Input runs for `ampel report` could not be loaded.
    #[error(transparent)]
    Load(#[from] ampel_reports::LoadError),
    /// `ampel selftest` could not start one of its own endpoints.
    #[error("selftest: {what}: {detail}")]
    Selftest {
        /// What failed.
        what: &'static str,
        /// The error.
        detail: String,
    },
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// Runs the parsed command line and returns the exit status. Errors are printed here.
pub fn run(cli: Cli) -> Exit {
    let result = match cli.command {
        Command::List(args) => list::run(&args),
        Command::Report(args) => report::run(&args),
        Command::TestServer(args) => with_runtime(|| async move { test_server::run(args).await }),
        Command::TestClient(args) => with_runtime(|| async move { test_client::run(args).await }),
        Command::Selftest(args) => with_runtime(|| async move { crate::selftest::run(args).await }),
        Command::Testee(cmd) => with_runtime(|| async move { Ok(crate::testee::run(cmd).await) }),
        Command::Router(args) => {
            with_runtime(|| async move { Ok(crate::router_cmd::run(args).await) })
        }
    };
    match result {
        Ok(exit) => exit,
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Usage
        }
    }
}

fn with_runtime<F, Fut>(f: F) -> Result<Exit, ConfigError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Exit, ConfigError>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ConfigError::Runtime)?;
    let exit = runtime.block_on(f());
    // Abandoned case tasks (Ctrl-C) must not keep the process alive.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    exit
}

/// Prints a warning to stderr.
pub(crate) fn warn(message: &str) {
    eprintln!("warning: {message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        assert_eq!(Exit::of_run(false, 0), Exit::Pass);
        assert_eq!(Exit::of_run(false, 2), Exit::Failures);
        assert_eq!(Exit::of_run(true, 2), Exit::Invalid);
        let codes: Vec<u8> = [
            Exit::Pass,
            Exit::Failures,
            Exit::Usage,
            Exit::Invalid,
            Exit::Interrupted,
        ]
        .iter()
        .map(|e| e.code())
        .collect();
        assert_eq!(codes, [0, 1, 2, 3, 130]);
    }
}
