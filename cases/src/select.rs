//! Case selection with Autobahn's pattern rules.
//!
//! * A pattern containing `*` is a glob: `*` matches any run of characters, everything else
//!   (including `.`) is literal, and the match is anchored at the START only, so `6.1*`
//!   selects 6.1.x and also 6.10.x-6.19.x, and `1*` selects 1.x, 10.x, 12.x and 13.x.
//! * A pattern without `*` is an exact id; an id that does not exist is an error here
//!   (Autobahn would crash later).
//! * Selected = matched by `cases` minus matched by `exclude`, sorted by numeric id.
//! * Per-agent exclusions anchor both the agent pattern and the case patterns at both ends.

use std::collections::{BTreeMap, BTreeSet};

use crate::case::Case;
use crate::id::CaseId;

/// Why a selection could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SelectError {
    /// An exact pattern that is not a dotted numeric id.
    #[error("case pattern {pattern:?} is neither a case id nor a glob containing '*'")]
    InvalidPattern {
        /// The pattern.
        pattern: String,
    },
    /// An exact id that names no case.
    #[error("unknown case id {id} (in {list})")]
    UnknownCase {
        /// The id.
        id: CaseId,
        /// Which list it was in: `cases` or `exclude-cases`.
        list: &'static str,
    },
}

/// Splits a comma-separated list, trimming blanks and dropping empty entries.
pub fn parse_list(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Glob match anchored at both ends (`*` = any run, all else literal).
pub fn matches_anchored(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0usize, 0usize);
    // Position of the last '*' seen and the text position it currently absorbs up to.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..).unwrap_or_default().iter().all(|&c| c == b'*')
}

/// Glob match anchored at the start only (Autobahn's `cases` / `exclude-cases` rule).
pub fn matches_prefix(pattern: &str, text: &str) -> bool {
    matches_anchored(&format!("{pattern}*"), text)
}

fn expand(
    patterns: &[String],
    available: &[CaseId],
    list: &'static str,
) -> Result<BTreeSet<CaseId>, SelectError> {
    let mut out = BTreeSet::new();
    for pattern in patterns {
        if pattern.contains('*') {
            out.extend(
                available
                    .iter()
                    .filter(|id| matches_prefix(pattern, &id.to_string()))
                    .cloned(),
            );
        } else {
            let id: CaseId = pattern.parse().map_err(|_| SelectError::InvalidPattern {
                pattern: pattern.clone(),
            })?;
            if !available.contains(&id) {
                return Err(SelectError::UnknownCase { id, list });
            }
            out.insert(id);
        }
    }
    Ok(out)
}

/// Selects ids from `available`: `cases` minus `exclude`, sorted.
pub fn select(
    available: &[CaseId],
    cases: &[String],
    exclude: &[String],
) -> Result<Vec<CaseId>, SelectError> {
    let included = expand(cases, available, "cases")?;
    let excluded = expand(exclude, available, "exclude-cases")?;
    Ok(included.difference(&excluded).cloned().collect())
}

/// [`select`] over the catalogue, returning the cases in order.
pub fn select_cases(
    cases: &[String],
    exclude: &[String],
) -> Result<Vec<&'static Case>, SelectError> {
    let ids: Vec<CaseId> = crate::catalogue().iter().map(|c| c.id.clone()).collect();
    Ok(select(&ids, cases, exclude)?
        .iter()
        .filter_map(crate::by_id)
        .collect())
}

/// True when `exclusions` (agent pattern → case patterns, `exclude-agent-cases`) excludes `id`
/// for `agent`. Both sides are anchored at start and end.
pub fn excluded_for_agent(
    exclusions: &BTreeMap<String, Vec<String>>,
    agent: &str,
    id: &CaseId,
) -> bool {
    let id = id.to_string();
    exclusions.iter().any(|(agent_pattern, case_patterns)| {
        matches_anchored(agent_pattern, agent)
            && case_patterns.iter().any(|p| matches_anchored(p, &id))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<CaseId> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    const AVAILABLE: &[&str] = &[
        "1.1.1", "1.2.1", "2.1", "2.9", "2.10", "6.1.1", "6.10.1", "6.19.2", "6.2.1", "7.9.9",
        "10.1.1", "12.1.1",
    ];

    #[test]
    fn glob_table() {
        let cases: &[(&str, &str, bool, bool)] = &[
            // pattern, text, prefix-anchored match, fully-anchored match
            ("6.1*", "6.1.1", true, true),
            ("6.1*", "6.10.1", true, true),
            ("6.1*", "6.2.1", false, false),
            ("1*", "10.1.1", true, true),
            ("6.1.*", "6.10.1", false, false),
            ("*", "anything", true, true),
            ("2.1", "2.10", true, false),
            ("6.*.1", "6.22.10", true, false),
            ("6.*.1", "6.22.1", true, true),
            ("6x1*", "6.1.1", false, false),
            ("", "", true, true),
            ("a*b*c", "aXbYc", true, true),
            ("a*b*c", "aXbYcZ", true, false),
            ("**", "", true, true),
        ];
        for &(p, t, prefix, full) in cases {
            assert_eq!(matches_prefix(p, t), prefix, "prefix {p:?} vs {t:?}");
            assert_eq!(matches_anchored(p, t), full, "full {p:?} vs {t:?}");
        }
    }

    #[test]
    fn selection_table() {
        let available = ids(AVAILABLE);
        let cases: &[(&[&str], &[&str], &[&str])] = &[
            (&["*"], &[], AVAILABLE),
            (&["6.1*"], &[], &["6.1.1", "6.10.1", "6.19.2"]),
            (&["1*"], &[], &["1.1.1", "1.2.1", "10.1.1", "12.1.1"]),
            (&["2.1"], &[], &["2.1"]),
            (&["2.*"], &["2.1"], &["2.9", "2.10"]),
            (&["*"], &["1*", "6.*", "7.*"], &["2.1", "2.9", "2.10"]),
            (&["11.*"], &[], &[]),
            (&["2.10", "2.9", "2.9"], &[], &["2.9", "2.10"]),
        ];
        for &(inc, exc, want) in cases {
            let mut want = ids(want);
            want.sort();
            assert_eq!(
                select(&available, &strings(inc), &strings(exc)).unwrap(),
                want,
                "{inc:?} - {exc:?}"
            );
        }
    }

    #[test]
    fn selection_errors() {
        let available = ids(AVAILABLE);
        assert_eq!(
            select(&available, &strings(&["7.9.10"]), &[]),
            Err(SelectError::UnknownCase {
                id: "7.9.10".parse().unwrap(),
                list: "cases"
            })
        );
        assert_eq!(
            select(&available, &strings(&["*"]), &strings(&["3.1"])),
            Err(SelectError::UnknownCase {
                id: "3.1".parse().unwrap(),
                list: "exclude-cases"
            })
        );
        assert_eq!(
            select(&available, &strings(&["abc"]), &[]),
            Err(SelectError::InvalidPattern {
                pattern: "abc".into()
            })
        );
    }

    #[test]
    fn lists_and_agents() {
        assert_eq!(parse_list(" 6.4.*, 7.1.1 ,,"), strings(&["6.4.*", "7.1.1"]));
        assert!(parse_list("").is_empty());

        let mut ex = BTreeMap::new();
        ex.insert("Ampel*".to_owned(), strings(&["2.1", "6.4.*"]));
        let id = |s: &str| s.parse::<CaseId>().unwrap();
        assert!(excluded_for_agent(&ex, "AmpelServer", &id("2.1")));
        assert!(!excluded_for_agent(&ex, "AmpelServer", &id("2.10")));
        assert!(excluded_for_agent(&ex, "Ampel", &id("6.4.3")));
        assert!(!excluded_for_agent(&ex, "MyAmpel", &id("2.1")));
    }
}
