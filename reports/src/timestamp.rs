//! UTC timestamps with millisecond precision, written as RFC 3339 (`2024-05-01T12:00:00.123Z`,
//! the form Autobahn uses for `started`).

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point in time, UTC, millisecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

/// Why a string is not an RFC 3339 timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    /// The text does not parse as RFC 3339.
    #[error("{text:?} is not an RFC 3339 timestamp: {message}")]
    Invalid {
        /// The offending input.
        text: String,
        /// What the parser said.
        message: String,
    },
}

impl Timestamp {
    /// The current time.
    pub fn now() -> Self {
        Self::from_system_time(SystemTime::now())
    }

    /// Milliseconds since the Unix epoch; `None` when chrono cannot represent the instant.
    pub fn from_unix_millis(ms: i64) -> Option<Self> {
        DateTime::from_timestamp_millis(ms).map(Self)
    }

    /// A system time, truncated to milliseconds (clamped to chrono's range).
    pub fn from_system_time(t: SystemTime) -> Self {
        let ms = match t.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
            Err(before) => i64::try_from(before.duration().as_millis())
                .map(|ms| -ms)
                .unwrap_or(i64::MIN),
        };
        let clamped = ms.clamp(
            DateTime::<Utc>::MIN_UTC.timestamp_millis(),
            DateTime::<Utc>::MAX_UTC.timestamp_millis(),
        );
        Self::from_unix_millis(clamped).unwrap_or(Self(DateTime::<Utc>::UNIX_EPOCH))
    }

    /// Milliseconds since the Unix epoch.
    pub fn unix_millis(&self) -> i64 {
        self.0.timestamp_millis()
    }

    /// The chrono value (for writers that need one, such as JUnit).
    pub fn as_chrono(&self) -> DateTime<Utc> {
        self.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parsed = DateTime::parse_from_rfc3339(s).map_err(|e| TimestampError::Invalid {
            text: s.to_owned(),
            message: e.to_string(),
        })?;
        // Normalise to UTC and to the millisecond precision this type promises.
        Self::from_unix_millis(parsed.timestamp_millis()).ok_or_else(|| TimestampError::Invalid {
            text: s.to_owned(),
            message: "out of range".to_owned(),
        })
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn formats_with_millis_and_z() {
        let t = Timestamp::from_unix_millis(1_714_564_800_123).unwrap();
        assert_eq!(t.to_string(), "2024-05-01T12:00:00.123Z");
        let t = Timestamp::from_unix_millis(0).unwrap();
        assert_eq!(t.to_string(), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn parses_offsets_and_truncates() {
        let t: Timestamp = "2024-05-01T14:00:00.123456+02:00".parse().unwrap();
        assert_eq!(t.to_string(), "2024-05-01T12:00:00.123Z");
        assert!("2024-05-01 12:00".parse::<Timestamp>().is_err());
        assert!("".parse::<Timestamp>().is_err());
    }

    #[test]
    fn system_time_round_trip() {
        let st = UNIX_EPOCH + Duration::from_millis(1_700_000_000_999) + Duration::from_micros(700);
        let t = Timestamp::from_system_time(st);
        assert_eq!(t.unix_millis(), 1_700_000_000_999);
        let before = UNIX_EPOCH - Duration::from_millis(1500);
        assert_eq!(Timestamp::from_system_time(before).unix_millis(), -1500);
    }

    #[test]
    fn serde_uses_the_string_form() {
        let t = Timestamp::from_unix_millis(1_714_564_800_123).unwrap();
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2024-05-01T12:00:00.123Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
    }
}
