//! The command line: `ampel test-server`, `test-client`, `selftest`, `list`, `report`.
//!
//! Only parsing lives here; [`crate::modes`] resolves the flags against spec files and runs.
//! clap reports usage errors with exit status 2, the status Ampel uses for every usage or
//! configuration error.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Ampel: WebSocket conformance harness (Autobahn-compatible case ids and verdicts).
#[derive(Debug, Parser)]
#[command(name = "ampel", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Test WebSocket servers: Ampel is the client (Autobahn's fuzzingclient).
    TestServer(TestServerArgs),
    /// Test WebSocket clients: Ampel is the server and speaks Autobahn's URL protocol
    /// (Autobahn's fuzzingserver).
    TestClient(TestClientArgs),
    /// Run the suite against Ampel's own stack, both roles, in one process.
    Selftest(SelftestArgs),
    /// List cases (id, title, roles).
    List(ListArgs),
    /// Re-render reports from run.json files or report directories, merging runs and agents.
    Report(ReportArgs),
    /// Run Ampel's own WebSocket stack as the peer under test (echo server, Autobahn echo client).
    #[command(subcommand)]
    Testee(crate::testee::TesteeCommand),
    /// Run Ampel's WAMP router on WebSocket and RawSocket endpoints.
    Router(crate::router_cmd::RouterArgs),
}

/// `ampel test-server`.
#[derive(Debug, Args)]
pub struct TestServerArgs {
    /// Servers under test (`ws://` or `wss://`); overrides the spec's `servers`.
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,
    /// An Autobahn `fuzzingclient.json` spec file.
    #[arg(short = 's', long = "spec", value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// Cases to run at once (section 9 always runs alone, after the others; cases that idle in
    /// their own timed waits, 5.19, 5.20 and 6.4.x, run beside these).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,
    /// Accept any server certificate (wss).
    #[arg(long)]
    pub insecure: bool,
    /// Trust the CA certificates in this PEM file (wss).
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunFlags,
}

/// `ampel test-client`.
#[derive(Debug, Args)]
pub struct TestClientArgs {
    /// Address to listen on, e.g. `127.0.0.1:9001`; overrides the spec's `url`.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// An Autobahn `fuzzingserver.json` spec file.
    #[arg(short = 's', long = "spec", value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// Exit after this many completed `/updateReports` requests (default: run until
    /// `/stopServer`, `shutdownOnComplete=true` or Ctrl-C).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub stop_after_agents: Option<u32>,
    #[command(flatten)]
    pub run: RunFlags,
}

/// Flags shared by both test modes.
#[derive(Debug, Args, Clone, Default)]
pub struct RunFlags {
    /// Case ids or Autobahn globs to run (comma-separated, repeatable), e.g. `1.*,6.4.*`.
    #[arg(long, value_name = "LIST")]
    pub cases: Vec<String>,
    /// Case ids or globs to leave out (comma-separated, repeatable), e.g. `9.*`.
    #[arg(long, value_name = "LIST")]
    pub exclude: Vec<String>,
    /// The agent name the results are reported under.
    #[arg(long, value_name = "NAME")]
    pub agent: Option<String>,
    /// Report directory (default `reports/servers` or `reports/clients`).
    #[arg(short = 'o', long, value_name = "DIR")]
    pub outdir: Option<PathBuf>,
    /// NON-STRICT verdicts fail the run.
    #[arg(long)]
    pub strict: bool,
    /// Known deviations: a TOML or JSON file mapping case ids or globs to the expected
    /// behavior and a reason.
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,
    /// Multiply every case timer by this factor.
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = parse_scale)]
    pub timeout_scale: f64,
    /// Also print the summary as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `ampel selftest`.
#[derive(Debug, Args)]
pub struct SelftestArgs {
    /// Report root: results go to `DIR/servers` and `DIR/clients`.
    #[arg(short = 'o', long, value_name = "DIR", default_value = "reports")]
    pub outdir: PathBuf,
    /// Cases to run at once in the server test.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,
    /// Case ids or globs to run (comma-separated, repeatable); default all.
    #[arg(long, value_name = "LIST")]
    pub cases: Vec<String>,
    /// Case ids or globs to leave out (comma-separated, repeatable).
    #[arg(long, value_name = "LIST")]
    pub exclude: Vec<String>,
    /// Multiply every case timer by this factor.
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = parse_scale)]
    pub timeout_scale: f64,
}

/// `ampel list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Case ids or globs (default: every case).
    #[arg(value_name = "SELECTOR")]
    pub selectors: Vec<String>,
    /// Print a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `ampel report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// `run.json` files or report directories.
    #[arg(value_name = "RUN.json|DIR", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Where to write the merged reports.
    #[arg(short = 'o', long, value_name = "DIR")]
    pub outdir: PathBuf,
}

fn parse_scale(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(format!("the timeout scale must be positive, not {text}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("ampel").chain(args.iter().copied()))
    }

    #[test]
    fn test_server_flags() {
        let cli = parse(&[
            "test-server",
            "ws://127.0.0.1:9001",
            "--cases",
            "1.*,2.1",
            "--cases",
            "3.*",
            "--exclude",
            "9.*",
            "--jobs",
            "4",
            "--strict",
            "--timeout-scale",
            "0.5",
            "-o",
            "out",
        ])
        .unwrap();
        let Command::TestServer(args) = cli.command else {
            panic!("wrong subcommand");
        };
        assert_eq!(args.urls, ["ws://127.0.0.1:9001"]);
        assert_eq!(args.run.cases, ["1.*,2.1", "3.*"]);
        assert_eq!(args.run.exclude, ["9.*"]);
        assert_eq!(args.jobs, 4);
        assert!(args.run.strict);
        assert_eq!(args.run.timeout_scale, 0.5);
        assert_eq!(args.run.outdir, Some(PathBuf::from("out")));
    }

    #[test]
    fn usage_errors() {
        for bad in [
            &["test-server", "--jobs", "0"][..],
            &["test-server", "--timeout-scale", "-1"],
            &["test-server", "--timeout-scale", "x"],
            &["test-client", "--stop-after-agents", "0"],
            &["report", "-o", "x"],
            &["frobnicate"],
        ] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad:?}");
        }
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
