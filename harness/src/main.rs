//! The `ampel` binary: parse the command line, run, exit with the run's status.
#![forbid(unsafe_code)]

use clap::Parser;

fn main() -> std::process::ExitCode {
    // clap prints usage errors itself and exits with status 2.
    let cli = ampel::cli::Cli::parse();
    std::process::ExitCode::from(ampel::modes::run(cli).code())
}
