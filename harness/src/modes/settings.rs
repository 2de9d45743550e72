//! Resolving command-line flags and spec-file values into the settings of a run. Plain
//! flags override spec values; spec values override the defaults.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ampel_cases::{Case, Role, parse_list, select_cases};

use super::{ConfigError, warn};
use crate::cli::RunFlags;
use crate::executor::ExecConfig;
use crate::expectations::Expectations;

/// What a spec file contributes to the shared settings.
#[derive(Debug, Clone, Default)]
pub struct SpecSelection {
    /// `cases`.
    pub cases: Option<Vec<String>>,
    /// `exclude-cases`.
    pub exclude: Vec<String>,
    /// `exclude-agent-cases`.
    pub exclude_agent: BTreeMap<String, Vec<String>>,
    /// `outdir`.
    pub outdir: Option<PathBuf>,
}

/// Settings shared by both test modes.
#[derive(Debug, Clone)]
pub struct Common {
    /// The selected cases that apply to the peer's role, in id order.
    pub cases: Vec<&'static Case>,
    /// Agent pattern → case patterns not to run for it.
    pub exclude_agent: BTreeMap<String, Vec<String>>,
    /// Where reports go.
    pub outdir: PathBuf,
    /// NON-STRICT fails the run.
    pub strict: bool,
    /// Known deviations.
    pub expectations: Expectations,
    /// Executor settings.
    pub exec: ExecConfig,
    /// Print the summary as JSON on stdout.
    pub json: bool,
}

/// Expands comma-separated, repeatable list flags.
pub fn flag_list(values: &[String]) -> Vec<String> {
    values.iter().flat_map(|v| parse_list(v)).collect()
}

/// Resolves the shared settings for a run where the harness plays `harness_role`.
pub fn resolve(
    flags: &RunFlags,
    spec: SpecSelection,
    harness_role: Role,
    default_outdir: &str,
) -> Result<Common, ConfigError> {
    let cases = if flags.cases.is_empty() {
        spec.cases.unwrap_or_else(|| vec!["*".to_owned()])
    } else {
        flag_list(&flags.cases)
    };
    let exclude = if flags.exclude.is_empty() {
        spec.exclude
    } else {
        flag_list(&flags.exclude)
    };
    let selected: Vec<&'static Case> = select_cases(&cases, &exclude)?
        .into_iter()
        .filter(|c| c.applies_to.allows(harness_role))
        .collect();
    let expectations = match &flags.expect {
        Some(path) => {
            let e = Expectations::load(path)?;
            for glob in e.unmatched_globs() {
                warn(&format!(
                    "expectations file {}: {glob:?} matches no case",
                    path.display()
                ));
            }
            e
        }
        None => Expectations::none(),
    };
    Ok(Common {
        cases: selected,
        exclude_agent: spec.exclude_agent,
        outdir: flags
            .outdir
            .clone()
            .or(spec.outdir)
            .unwrap_or_else(|| PathBuf::from(default_outdir)),
        strict: flags.strict,
        expectations,
        exec: ExecConfig {
            timeout_scale: flags.timeout_scale,
            ..ExecConfig::default()
        },
        json: flags.json,
    })
}

/// Checks that a file named on the command line can be read.
pub fn readable(path: &Path) -> Result<(), ConfigError> {
    std::fs::metadata(path)
        .and_then(|m| {
            if m.is_file() {
                Ok(())
            } else {
                Err(std::io::Error::other("not a regular file"))
            }
        })
        .map_err(|source| ConfigError::File {
            path: path.to_path_buf(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags() -> RunFlags {
        RunFlags {
            timeout_scale: 1.0,
            ..RunFlags::default()
        }
    }

    fn ids(common: &Common) -> Vec<String> {
        common.cases.iter().map(|c| c.id.to_string()).collect()
    }

    #[test]
    fn flags_override_the_spec() {
        let spec = SpecSelection {
            cases: Some(vec!["2.*".to_owned()]),
            exclude: vec!["2.1".to_owned()],
            outdir: Some(PathBuf::from("spec-out")),
            ..SpecSelection::default()
        };
        let from_spec = resolve(&flags(), spec.clone(), Role::Client, "reports/servers").unwrap();
        assert_eq!(from_spec.cases.len(), 10);
        assert!(!ids(&from_spec).contains(&"2.1".to_owned()));
        assert_eq!(from_spec.outdir, PathBuf::from("spec-out"));

        let mut f = flags();
        f.cases = vec!["1.1.1,1.1.2".to_owned(), "2.1".to_owned()];
        f.outdir = Some(PathBuf::from("flag-out"));
        let from_flags = resolve(&f, spec, Role::Client, "reports/servers").unwrap();
        assert_eq!(ids(&from_flags), ["1.1.1", "1.1.2"]);
        assert_eq!(from_flags.outdir, PathBuf::from("flag-out"));
    }

    #[test]
    fn defaults_and_errors() {
        let all = resolve(
            &flags(),
            SpecSelection::default(),
            Role::Server,
            "reports/clients",
        )
        .unwrap();
        // Every case that can test a client (all but the server-only ones).
        let for_clients = ampel_cases::catalogue()
            .iter()
            .filter(|c| c.applies_to.allows(Role::Server))
            .count();
        assert_eq!(all.cases.len(), for_clients);
        assert_eq!(all.outdir, PathBuf::from("reports/clients"));

        let mut f = flags();
        f.cases = vec!["7.9.10".to_owned()];
        assert!(matches!(
            resolve(&f, SpecSelection::default(), Role::Client, "x"),
            Err(ConfigError::Select(_))
        ));
        f.cases = vec!["6.1*".to_owned()];
        f.exclude = vec!["6.1.*".to_owned()];
        let sel = resolve(&f, SpecSelection::default(), Role::Client, "x").unwrap();
        assert!(ids(&sel).iter().all(|id| id.starts_with("6.1")));
        assert!(ids(&sel).iter().all(|id| !id.starts_with("6.1.")));
        assert!(!sel.cases.is_empty());
    }
}
