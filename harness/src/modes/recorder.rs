//! Persistence glue: judge each finished case and record it in the report directory at once,
//! so an interrupted run keeps every case it finished.

use std::path::PathBuf;
use std::time::SystemTime;

use ampel_cases::{Case, Observation, judge};
use ampel_reports::{CaseResult, Mode, ReportDir, RunMeta, RunReport};

use super::ConfigError;

/// The report directory of a run.
#[derive(Debug)]
pub struct Recorder {
    dir: ReportDir,
    path: PathBuf,
}

impl Recorder {
    /// Creates the directory and an empty `run.json`.
    pub fn create(path: PathBuf, mode: Mode) -> Result<Self, ConfigError> {
        let dir = ReportDir::create(&path, RunMeta::new(mode)).map_err(|source| {
            ConfigError::Reports {
                path: path.clone(),
                source,
            }
        })?;
        Ok(Self { dir, path })
    }

    /// Judges `observation` and records the result for `agent`; returns the stored result.
    pub fn record(
        &mut self,
        agent: &str,
        case: &Case,
        index: usize,
        observation: Observation,
        started: SystemTime,
    ) -> Result<&CaseResult, ConfigError> {
        let judgement = judge(case, &observation);
        let result = CaseResult::new(case, index, observation, judgement, started);
        self.dir
            .record(agent, result)
            .map_err(|source| self.error(source))?;
        self.dir
            .report()
            .agents
            .get(agent)
            .and_then(|a| a.get(&case.id))
            .ok_or_else(|| self.error(std::io::Error::other("the result was not stored")))
    }

    /// The results so far.
    pub fn report(&self) -> &RunReport {
        self.dir.report()
    }

    /// Renders every report now (index.json, HTML, JUnit) without ending the run.
    pub fn update_reports(&self) -> Result<(), ConfigError> {
        self.dir
            .update_reports()
            .map_err(|source| self.error(source))
    }

    /// Ends the run: stamps the finish time and renders everything.
    pub fn finish(self) -> Result<RunReport, ConfigError> {
        let path = self.path.clone();
        self.dir
            .finish()
            .map_err(|source| ConfigError::Reports { path, source })
    }

    /// Renders what was finished, leaving the run unstamped (it was interrupted).
    pub fn abandon(self) -> Result<RunReport, ConfigError> {
        self.update_reports()?;
        Ok(self.dir.report().clone())
    }

    fn error(&self, source: std::io::Error) -> ConfigError {
        ConfigError::Reports {
            path: self.path.clone(),
            source,
        }
    }
}
