//! Known deviations (`--expect FILE`): case ids or globs mapped to the verdict a peer is
//! known to get, each with a mandatory reason. A listed case that gets exactly that verdict
//! does not fail the run; one that passes instead is reported as an unexpected pass.
//!
//! The file is TOML (`.toml`) or JSON (anything else), one table per case id or glob:
//!
//! ```toml
//! ["6.4.*"]
//! behavior = "NON-STRICT"
//! reason = "UTF-8 is validated per message, not per frame"
//!
//! ["7.9.6"]
//! behavior = "FAILED"
//! behaviorClose = "WRONG CODE"   # optional: also pin the close verdict
//! reason = "closes with 1002 instead of 1007"
//! ```
//!
//! Globs follow the `exclude-agent-cases` rule (`*` is any run, anchored at both ends). An
//! exact id wins over globs; among globs the longest pattern wins.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ampel_cases::{Behavior, CaseId, CloseBehavior, matches_anchored};
use serde::Deserialize;

/// Why an expectations file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExpectationsError {
    /// The file could not be read.
    #[error("cannot read expectations file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not valid TOML.
    #[error("expectations file {path} is invalid: {source}")]
    Toml {
        /// The file.
        path: PathBuf,
        /// The TOML error.
        source: toml::de::Error,
    },
    /// Not valid JSON.
    #[error("expectations file {path} is invalid: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// An entry without a reason (or with a blank one).
    #[error("expectations file {path}: entry {pattern:?} needs a non-empty reason")]
    MissingReason {
        /// The file.
        path: PathBuf,
        /// The entry.
        pattern: String,
    },
    /// A key that is neither a case id nor a glob.
    #[error("expectations file {path}: {pattern:?} is neither a case id nor a glob with '*'")]
    BadPattern {
        /// The file.
        path: PathBuf,
        /// The key.
        pattern: String,
    },
    /// An exact id that names no case.
    #[error("expectations file {path}: unknown case id {pattern}")]
    UnknownCase {
        /// The file.
        path: PathBuf,
        /// The id.
        pattern: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    behavior: Behavior,
    #[serde(default, alias = "behavior_close", rename = "behaviorClose")]
    behavior_close: Option<CloseBehavior>,
    #[serde(default)]
    reason: Option<String>,
}

/// One known deviation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// The case id or glob it was listed under.
    pub pattern: String,
    /// The main verdict the case is known to get.
    pub behavior: Behavior,
    /// The close verdict, when pinned too.
    pub behavior_close: Option<CloseBehavior>,
    /// Why.
    pub reason: String,
}

impl Expectation {
    /// True when these verdicts are the listed deviation.
    pub fn matches(&self, behavior: Behavior, behavior_close: CloseBehavior) -> bool {
        self.behavior == behavior && self.behavior_close.is_none_or(|c| c == behavior_close)
    }

    /// The listed verdict in words, e.g. `FAILED / WRONG CODE`.
    pub fn describe(&self) -> String {
        match self.behavior_close {
            Some(close) => format!("{} / {close}", self.behavior),
            None => self.behavior.to_string(),
        }
    }
}

/// The parsed file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectations {
    exact: BTreeMap<CaseId, Expectation>,
    globs: Vec<Expectation>,
    source: Option<PathBuf>,
}

impl Expectations {
    /// No expectations.
    pub fn none() -> Self {
        Self::default()
    }

    /// Reads `path` (TOML if it ends in `.toml`, else JSON).
    pub fn load(path: &Path) -> Result<Self, ExpectationsError> {
        let text = std::fs::read_to_string(path).map_err(|source| ExpectationsError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let is_toml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        Self::parse(&text, is_toml, path)
    }

    /// Parses file contents; `path` is used in errors only.
    pub fn parse(text: &str, is_toml: bool, path: &Path) -> Result<Self, ExpectationsError> {
        let entries: BTreeMap<String, Entry> = if is_toml {
            toml::from_str(text).map_err(|source| ExpectationsError::Toml {
                path: path.to_path_buf(),
                source,
            })?
        } else {
            serde_json::from_str(text).map_err(|source| ExpectationsError::Json {
                path: path.to_path_buf(),
                source,
            })?
        };
        let mut out = Self {
            source: Some(path.to_path_buf()),
            ..Self::default()
        };
        for (pattern, entry) in entries {
            let reason = entry.reason.as_deref().map(str::trim).unwrap_or_default();
            if reason.is_empty() {
                return Err(ExpectationsError::MissingReason {
                    path: path.to_path_buf(),
                    pattern,
                });
            }
            let expectation = Expectation {
                pattern: pattern.clone(),
                behavior: entry.behavior,
                behavior_close: entry.behavior_close,
                reason: reason.to_owned(),
            };
            if pattern.contains('*') {
                out.globs.push(expectation);
            } else {
                let id: CaseId = pattern.parse().map_err(|_| ExpectationsError::BadPattern {
                    path: path.to_path_buf(),
                    pattern: pattern.clone(),
                })?;
                if ampel_cases::by_id(&id).is_none() {
                    return Err(ExpectationsError::UnknownCase {
                        path: path.to_path_buf(),
                        pattern,
                    });
                }
                out.exact.insert(id, expectation);
            }
        }
        // Most specific first; the stable sort keeps the file's (sorted) order for ties.
        out.globs
            .sort_by_key(|e| std::cmp::Reverse(e.pattern.len()));
        Ok(out)
    }

    /// The expectation for `id`, if any.
    pub fn lookup(&self, id: &CaseId) -> Option<&Expectation> {
        self.exact.get(id).or_else(|| {
            let text = id.to_string();
            self.globs
                .iter()
                .find(|e| matches_anchored(&e.pattern, &text))
        })
    }

    /// True when no deviation is listed.
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.globs.is_empty()
    }

    /// The file the expectations came from.
    pub fn source(&self) -> Option<&Path> {
        self.source.as_deref()
    }

    /// Globs that match no case of the catalogue (likely typos), for warnings.
    pub fn unmatched_globs(&self) -> Vec<&str> {
        let ids: Vec<String> = ampel_cases::catalogue()
            .iter()
            .map(|c| c.id.to_string())
            .collect();
        self.globs
            .iter()
            .filter(|e| !ids.iter().any(|id| matches_anchored(&e.pattern, id)))
            .map(|e| e.pattern.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> CaseId {
        s.parse().unwrap()
    }

    const TOML: &str = r#"
["6.4.*"]
behavior = "NON-STRICT"
reason = "per-message validation"

["6.*"]
behavior = "FAILED"
reason = "no UTF-8 validation at all"

["7.9.6"]
behavior = "FAILED"
behaviorClose = "WRONG CODE"
reason = "closes with 1002"
"#;

    #[test]
    fn toml_with_exact_ids_and_globs() {
        let e = Expectations::parse(TOML, true, Path::new("x.toml")).unwrap();
        let hit = e.lookup(&id("7.9.6")).unwrap();
        assert_eq!(hit.behavior, Behavior::Failed);
        assert!(hit.matches(Behavior::Failed, CloseBehavior::WrongCode));
        assert!(!hit.matches(Behavior::Failed, CloseBehavior::Ok));
        assert_eq!(hit.describe(), "FAILED / WRONG CODE");
        // The longer glob is more specific.
        assert_eq!(e.lookup(&id("6.4.3")).unwrap().pattern, "6.4.*");
        assert_eq!(e.lookup(&id("6.3.1")).unwrap().pattern, "6.*");
        let any_close = e.lookup(&id("6.3.1")).unwrap();
        assert!(any_close.matches(Behavior::Failed, CloseBehavior::Unclean));
        assert!(e.lookup(&id("1.1.1")).is_none());
        assert!(e.unmatched_globs().is_empty());
    }

    #[test]
    fn json_form() {
        let json = r#"{"2.10": {"behavior": "FAILED", "reason": "one pong for many pings"},
                       "99.*": {"behavior": "OK", "reason": "typo"}}"#;
        let e = Expectations::parse(json, false, Path::new("x.json")).unwrap();
        assert_eq!(
            e.lookup(&id("2.10")).unwrap().reason,
            "one pong for many pings"
        );
        assert!(e.lookup(&id("2.1")).is_none());
        assert_eq!(e.unmatched_globs(), ["99.*"]);
    }

    #[test]
    fn every_entry_needs_a_reason_and_a_real_case() {
        let p = Path::new("x.toml");
        let no_reason = "[\"1.1.1\"]\nbehavior = \"FAILED\"\n";
        assert!(matches!(
            Expectations::parse(no_reason, true, p),
            Err(ExpectationsError::MissingReason { .. })
        ));
        let blank = "[\"1.1.1\"]\nbehavior = \"FAILED\"\nreason = \"  \"\n";
        assert!(matches!(
            Expectations::parse(blank, true, p),
            Err(ExpectationsError::MissingReason { .. })
        ));
        let unknown = "[\"7.9.10\"]\nbehavior = \"FAILED\"\nreason = \"r\"\n";
        assert!(matches!(
            Expectations::parse(unknown, true, p),
            Err(ExpectationsError::UnknownCase { .. })
        ));
        let bad = "[\"abc\"]\nbehavior = \"FAILED\"\nreason = \"r\"\n";
        assert!(matches!(
            Expectations::parse(bad, true, p),
            Err(ExpectationsError::BadPattern { .. })
        ));
        let verdict = "[\"1.1.1\"]\nbehavior = \"BROKEN\"\nreason = \"r\"\n";
        assert!(matches!(
            Expectations::parse(verdict, true, p),
            Err(ExpectationsError::Toml { .. })
        ));
        let extra = "[\"1.1.1\"]\nbehavior = \"OK\"\nreason = \"r\"\nwhy = 1\n";
        assert!(Expectations::parse(extra, true, p).is_err());
        assert!(matches!(
            Expectations::parse("{", false, Path::new("x.json")),
            Err(ExpectationsError::Json { .. })
        ));
    }
}
