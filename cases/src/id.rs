//! Case identifiers such as `6.4.3`, ordered by their integer tuple (2.10 after 2.9).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A dotted numeric case id (`"1.1.1"`, `"2.10"`). Serialised as its string form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CaseId(Vec<u32>);

/// Why a string is not a case id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CaseIdError {
    /// The string was empty.
    #[error("case id is empty")]
    Empty,
    /// A dot-separated part was empty (`"1..2"`, `".1"`, `"1."`).
    #[error("case id {id:?} has an empty component")]
    EmptyComponent {
        /// The offending input.
        id: String,
    },
    /// A part was not a decimal number that fits in 32 bits.
    #[error("case id {id:?} has a non-numeric component {component:?}")]
    NotNumeric {
        /// The offending input.
        id: String,
        /// The component that failed to parse.
        component: String,
    },
}

impl CaseId {
    /// Builds an id from its numeric parts; `None` if `parts` is empty.
    pub fn from_parts(parts: &[u32]) -> Option<Self> {
        if parts.is_empty() {
            None
        } else {
            Some(Self(parts.to_vec()))
        }
    }

    /// Builds an id the catalogue knows to be non-empty.
    pub(crate) fn from_parts_unchecked(parts: &[u32]) -> Self {
        Self(parts.to_vec())
    }

    /// The numeric parts, e.g. `[6, 4, 3]`.
    pub fn parts(&self) -> &[u32] {
        &self.0
    }

    /// The top-level section number (`6` for `6.4.3`).
    pub fn section(&self) -> u32 {
        self.0.first().copied().unwrap_or(0)
    }

    /// True when `self` lies in the group `prefix` (`6.4` contains `6.4.3`, not `6.40.1`).
    pub fn starts_with(&self, prefix: &[u32]) -> bool {
        self.0.starts_with(prefix)
    }
}

impl FromStr for CaseId {
    type Err = CaseIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err(CaseIdError::Empty);
        }
        let mut parts = Vec::new();
        for component in s.split('.') {
            if component.is_empty() {
                return Err(CaseIdError::EmptyComponent { id: s.to_owned() });
            }
            // `u32::from_str` accepts a leading '+', which an id must not have.
            let numeric = component.bytes().all(|b| b.is_ascii_digit());
            match component.parse::<u32>() {
                Ok(n) if numeric => parts.push(n),
                _ => {
                    return Err(CaseIdError::NotNumeric {
                        id: s.to_owned(),
                        component: component.to_owned(),
                    });
                }
            }
        }
        Ok(Self(parts))
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for part in &self.0 {
            if !first {
                f.write_str(".")?;
            }
            first = false;
            write!(f, "{part}")?;
        }
        Ok(())
    }
}

impl Ord for CaseId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

impl PartialOrd for CaseId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for CaseId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CaseId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> CaseId {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_prints() {
        for s in ["1.1.1", "2.10", "6.23.7", "10.1.1", "7"] {
            assert_eq!(id(s).to_string(), s);
        }
        assert_eq!(id("6.4.3").parts(), &[6, 4, 3]);
        assert_eq!(id("6.4.3").section(), 6);
    }

    #[test]
    fn orders_numerically() {
        assert!(id("2.9") < id("2.10"));
        assert!(id("6.9.1") < id("6.10.1"));
        assert!(id("9.8.6") < id("10.1.1"));
        assert!(id("1.1") < id("1.1.1"));
    }

    #[test]
    fn rejects_bad_ids() {
        assert_eq!("".parse::<CaseId>(), Err(CaseIdError::Empty));
        assert!(matches!(
            "1..2".parse::<CaseId>(),
            Err(CaseIdError::EmptyComponent { .. })
        ));
        assert!(matches!(
            "1.".parse::<CaseId>(),
            Err(CaseIdError::EmptyComponent { .. })
        ));
        assert!(matches!(
            "1.x".parse::<CaseId>(),
            Err(CaseIdError::NotNumeric { .. })
        ));
        assert!(matches!(
            "1.+2".parse::<CaseId>(),
            Err(CaseIdError::NotNumeric { .. })
        ));
        assert!(matches!(
            "99999999999".parse::<CaseId>(),
            Err(CaseIdError::NotNumeric { .. })
        ));
    }

    #[test]
    fn prefix_is_component_wise() {
        assert!(id("6.4.3").starts_with(&[6, 4]));
        assert!(!id("6.40.1").starts_with(&[6, 4]));
    }

    #[test]
    fn serde_uses_the_string_form() {
        let json = serde_json::to_string(&id("2.10")).unwrap();
        assert_eq!(json, "\"2.10\"");
        let back: CaseId = serde_json::from_str(&json).unwrap();
        assert_eq!(back, id("2.10"));
        assert!(serde_json::from_str::<CaseId>("\"2.x\"").is_err());
    }
}
