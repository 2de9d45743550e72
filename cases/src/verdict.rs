//! Verdict values, spelled exactly as Autobahn spells them in its reports.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The main verdict (`behavior`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Behavior {
    /// The OK alternative matched, or a self-checking case completed correctly.
    #[serde(rename = "OK")]
    Ok,
    /// The NON-STRICT alternative matched: conformant, but a SHOULD was not met.
    #[serde(rename = "NON-STRICT")]
    NonStrict,
    /// Nothing matched, or a case rule failed the case.
    #[serde(rename = "FAILED")]
    Failed,
    /// Reported for information only (forced by the case).
    #[serde(rename = "INFORMATIONAL")]
    Informational,
    /// The feature the case needs was not negotiated.
    #[serde(rename = "UNIMPLEMENTED")]
    Unimplemented,
}

/// The close verdict (`behaviorClose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CloseBehavior {
    /// The close went as expected.
    #[serde(rename = "OK")]
    Ok,
    /// The wrong endpoint closed first, or the handshake never completed.
    #[serde(rename = "FAILED")]
    Failed,
    /// A clean close was required and did not happen.
    #[serde(rename = "UNCLEAN")]
    Unclean,
    /// The peer's close code is not in the allowed set.
    #[serde(rename = "WRONG CODE")]
    WrongCode,
    /// Harness as client: all else fine, but the harness had to drop TCP itself.
    #[serde(rename = "FAILED BY CLIENT")]
    FailedByClient,
    /// Reported for information only (forced by the case).
    #[serde(rename = "INFORMATIONAL")]
    Informational,
}

/// The label of an expected-events alternative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Label {
    /// Strictly conformant.
    #[serde(rename = "OK")]
    Ok,
    /// Conformant, not preferred.
    #[serde(rename = "NON-STRICT")]
    NonStrict,
    /// Informational.
    #[serde(rename = "INFORMATIONAL")]
    Informational,
}

impl Behavior {
    /// The report string ("OK", "NON-STRICT", ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::NonStrict => "NON-STRICT",
            Self::Failed => "FAILED",
            Self::Informational => "INFORMATIONAL",
            Self::Unimplemented => "UNIMPLEMENTED",
        }
    }
}

impl CloseBehavior {
    /// The report string ("OK", "WRONG CODE", ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Failed => "FAILED",
            Self::Unclean => "UNCLEAN",
            Self::WrongCode => "WRONG CODE",
            Self::FailedByClient => "FAILED BY CLIENT",
            Self::Informational => "INFORMATIONAL",
        }
    }
}

impl Label {
    /// The report string.
    pub fn as_str(self) -> &'static str {
        self.behavior().as_str()
    }

    /// The verdict this label gives when its alternative matches.
    pub fn behavior(self) -> Behavior {
        match self {
            Self::Ok => Behavior::Ok,
            Self::NonStrict => Behavior::NonStrict,
            Self::Informational => Behavior::Informational,
        }
    }
}

impl fmt::Display for Behavior {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for CloseBehavior {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_strings_match_display() {
        for b in [
            Behavior::Ok,
            Behavior::NonStrict,
            Behavior::Failed,
            Behavior::Informational,
            Behavior::Unimplemented,
        ] {
            assert_eq!(serde_json::to_string(&b).unwrap(), format!("\"{b}\""));
        }
        for c in [
            CloseBehavior::Ok,
            CloseBehavior::Failed,
            CloseBehavior::Unclean,
            CloseBehavior::WrongCode,
            CloseBehavior::FailedByClient,
            CloseBehavior::Informational,
        ] {
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{c}\""));
        }
        assert_eq!(CloseBehavior::FailedByClient.as_str(), "FAILED BY CLIENT");
        assert_eq!(Label::NonStrict.as_str(), "NON-STRICT");
    }
}
