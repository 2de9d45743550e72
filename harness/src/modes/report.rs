//! `ampel report RUN.json|DIR... -o DIR`: re-render reports from saved runs, merging several
//! runs and agents into one report directory.

use ampel_reports::{load_runs, render_all};

use super::{ConfigError, Exit};
use crate::cli::ReportArgs;

/// Runs `ampel report`.
pub fn run(args: &ReportArgs) -> Result<Exit, ConfigError> {
    let report = load_runs(&args.inputs)?;
    render_all(&args.outdir, &report).map_err(|source| ConfigError::Reports {
        path: args.outdir.clone(),
        source,
    })?;
    let cases: usize = report.agents.values().map(|a| a.cases.len()).sum();
    eprintln!(
        "rendered {cases} results of {} agent(s) into {}",
        report.agents.len(),
        args.outdir.display()
    );
    Ok(Exit::Pass)
}
