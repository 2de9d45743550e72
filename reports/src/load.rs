//! Reading `run.json` files back, and merging several runs into one report.

use std::fs;
use std::path::{Path, PathBuf};

use crate::model::RunReport;
use crate::persist::RUN_JSON;

/// Why runs could not be loaded or merged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// No paths were given.
    #[error("no run.json file or report directory given")]
    NoInput,
    /// A path could not be read (a directory without `run.json` shows up here too).
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not a valid `run.json`.
    #[error("{path} is not a valid run.json: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        source: serde_json::Error,
    },
    /// Runs of different modes cannot share one matrix (their agents are different peers).
    #[error("{path} is a {found} run, but the runs before it are {expected} runs")]
    MixedModes {
        /// The file whose mode differs.
        path: PathBuf,
        /// The mode of the first run.
        expected: &'static str,
        /// The mode of this run.
        found: &'static str,
    },
}

/// The `run.json` a path designates: the path itself, or `run.json` inside a directory.
fn run_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join(RUN_JSON)
    } else {
        path.to_path_buf()
    }
}

fn load_one(path: &Path) -> Result<RunReport, LoadError> {
    let file = run_file(path);
    let text = fs::read_to_string(&file).map_err(|source| LoadError::Read {
        path: file.clone(),
        source,
    })?;
    let mut report: RunReport =
        serde_json::from_str(&text).map_err(|source| LoadError::Parse { path: file, source })?;
    // A hand-edited or concatenated file may break the sorted/unique invariant.
    for agent in report.agents.values_mut() {
        agent.normalise();
    }
    Ok(report)
}

/// Loads `run.json` files or report directories and merges them, in order, into one report.
///
/// Merge rules:
/// * agents are united by name; for the same agent and case, the result from the **later path**
///   in `paths` wins (so re-running a few cases into a second directory and listing it last
///   updates them);
/// * `generator` is the first run's; `started` is the earliest start; `finished` is the latest
///   finish, or absent if any run did not finish (it was interrupted);
/// * all runs must have the same mode ([`LoadError::MixedModes`] otherwise).
pub fn load_runs<P: AsRef<Path>>(paths: &[P]) -> Result<RunReport, LoadError> {
    let (first, rest) = paths.split_first().ok_or(LoadError::NoInput)?;
    let mut merged = load_one(first.as_ref())?;
    for path in rest {
        let path = path.as_ref();
        let run = load_one(path)?;
        if run.mode != merged.mode {
            return Err(LoadError::MixedModes {
                path: run_file(path),
                expected: merged.mode.as_str(),
                found: run.mode.as_str(),
            });
        }
        merged.started = merged.started.min(run.started);
        merged.finished = match (merged.finished, run.finished) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
        for (agent, results) in run.agents {
            for result in results.cases {
                merged.insert(&agent, result);
            }
        }
    }
    Ok(merged)
}
