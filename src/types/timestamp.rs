//! A point in time, stored as Unix milliseconds.

use super::TimeZoneName;
use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

/// Milliseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// Wraps Unix milliseconds.
    pub fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// Unix milliseconds.
    pub fn millis(&self) -> i64 {
        self.0
    }

    /// As a jiff timestamp, clamped to the years jiff supports (-9999 to 9999).
    fn to_jiff(self) -> jiff::Timestamp {
        jiff::Timestamp::from_millisecond(self.0).unwrap_or(if self.0 < 0 {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        })
    }

    /// RFC 3339 in UTC, like "2026-11-22T13:05:00Z".
    pub fn to_rfc3339(&self) -> String {
        self.to_jiff().to_string()
    }

    /// For people, like "2026-11-22 14:05 CET".
    pub fn format_in(&self, tz: &TimeZoneName) -> String {
        self.to_jiff()
            .to_zoned(tz.time_zone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string()
    }

    /// Reads an HTML datetime-local value ("2026-11-22T14:05", seconds optional)
    /// as a wall-clock time in `tz`.
    pub fn parse_datetime_local(text: &str, tz: &TimeZoneName) -> Result<Timestamp, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("Enter a date and time.".into());
        }
        let invalid = || "Enter a date and time like 2026-11-22T14:05.".to_string();
        if !looks_like_datetime_local(text) {
            return Err(invalid());
        }
        let civil: DateTime = text.parse().map_err(|_| invalid())?;
        let zoned = civil.to_zoned(tz.time_zone()).map_err(|_| invalid())?;
        Ok(Self(zoned.timestamp().as_millisecond()))
    }

    /// The inverse of [`Timestamp::parse_datetime_local`]: "YYYY-MM-DDTHH:MM" in `tz`.
    pub fn to_datetime_local(&self, tz: &TimeZoneName) -> String {
        self.to_jiff()
            .to_zoned(tz.time_zone())
            .strftime("%Y-%m-%dT%H:%M")
            .to_string()
    }
}

/// "YYYY-MM-DDTHH:MM" optionally followed by ":SS" and a fraction; nothing else.
fn looks_like_datetime_local(text: &str) -> bool {
    let shape = b"dddd-dd-ddTdd:dd";
    let bytes = text.as_bytes();
    if bytes.len() < shape.len() {
        return false;
    }
    let (head, rest) = bytes.split_at(shape.len());
    let head_ok = head.iter().zip(shape).all(|(b, s)| match s {
        b'd' => b.is_ascii_digit(),
        b'T' => *b == b'T' || *b == b't' || *b == b' ',
        _ => b == s,
    });
    let rest_ok = match rest {
        [] => true,
        [b':', s1, s2, tail @ ..] => {
            s1.is_ascii_digit()
                && s2.is_ascii_digit()
                && match tail {
                    [] => true,
                    [b'.', frac @ ..] => !frac.is_empty() && frac.iter().all(u8::is_ascii_digit),
                    _ => false,
                }
        }
        _ => false,
    };
    head_ok && rest_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz(name: &str) -> TimeZoneName {
        TimeZoneName::parse(name).unwrap()
    }

    /// 2026-11-22T13:05:00Z
    const T: i64 = 1_795_352_700_000;

    #[test]
    fn millis_round_trip_and_order() {
        let t = Timestamp::from_millis(T);
        assert_eq!(t.millis(), T);
        assert!(Timestamp::from_millis(1) < Timestamp::from_millis(2));
    }

    #[test]
    fn rfc3339_is_utc() {
        assert_eq!(
            Timestamp::from_millis(T).to_rfc3339(),
            "2026-11-22T13:05:00Z"
        );
        assert_eq!(
            Timestamp::from_millis(0).to_rfc3339(),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(
            Timestamp::from_millis(1_500).to_rfc3339(),
            "1970-01-01T00:00:01.5Z"
        );
    }

    #[test]
    fn extreme_values_do_not_panic() {
        let max = Timestamp::from_millis(i64::MAX).to_rfc3339();
        let min = Timestamp::from_millis(i64::MIN).to_rfc3339();
        assert!(max.starts_with("9999-12-"), "{max}");
        assert!(min.starts_with("-009999-01-"), "{min}");
        let berlin = tz("Europe/Berlin");
        Timestamp::from_millis(i64::MAX).format_in(&berlin);
        Timestamp::from_millis(i64::MIN).to_datetime_local(&berlin);
    }

    #[test]
    fn formats_in_a_time_zone() {
        let t = Timestamp::from_millis(T);
        assert_eq!(t.format_in(&tz("Europe/Berlin")), "2026-11-22 14:05 CET");
        assert_eq!(t.format_in(&tz("UTC")), "2026-11-22 13:05 UTC");
        assert_eq!(
            t.to_datetime_local(&tz("Europe/Berlin")),
            "2026-11-22T14:05"
        );
        assert_eq!(
            t.to_datetime_local(&tz("America/New_York")),
            "2026-11-22T08:05"
        );
    }

    #[test]
    fn parses_datetime_local_in_the_zone() {
        let berlin = tz("Europe/Berlin");
        assert_eq!(
            Timestamp::parse_datetime_local("2026-11-22T14:05", &berlin),
            Ok(Timestamp(T))
        );
        assert_eq!(
            Timestamp::parse_datetime_local(" 2026-11-22T14:05:00 ", &berlin),
            Ok(Timestamp(T))
        );
        assert_eq!(
            Timestamp::parse_datetime_local("2026-11-22T14:05:30.250", &berlin),
            Ok(Timestamp(T + 30_250))
        );
        assert_eq!(
            Timestamp::parse_datetime_local("2026-11-22T13:05", &tz("UTC")),
            Ok(Timestamp(T))
        );
    }

    #[test]
    fn round_trips_datetime_local() {
        let ny = tz("America/New_York");
        let t = Timestamp::parse_datetime_local("2026-07-04T09:30", &ny).unwrap();
        assert_eq!(t.to_datetime_local(&ny), "2026-07-04T09:30");
    }

    #[test]
    fn dst_gaps_and_folds_use_compatible_disambiguation() {
        let berlin = tz("Europe/Berlin");
        // 02:30 does not exist on 2026-03-29 in Berlin: moves forward to 03:30 CEST.
        let gap = Timestamp::parse_datetime_local("2026-03-29T02:30", &berlin).unwrap();
        assert_eq!(gap.to_rfc3339(), "2026-03-29T01:30:00Z");
        // 02:30 happens twice on 2026-10-25: the earlier (CEST) one is chosen.
        let fold = Timestamp::parse_datetime_local("2026-10-25T02:30", &berlin).unwrap();
        assert_eq!(fold.to_rfc3339(), "2026-10-25T00:30:00Z");
    }

    #[test]
    fn rejects_bad_input() {
        let berlin = tz("Europe/Berlin");
        assert_eq!(
            Timestamp::parse_datetime_local("  ", &berlin),
            Err("Enter a date and time.".to_string())
        );
        for bad in [
            "tomorrow",
            "2026-11-22",
            "2026-13-01T10:00",
            "2026-02-30T10:00",
            "2026-11-22T25:00",
            "2026-11-22T14:05Z",
            "2026-11-22T14:05+01:00",
            "2026-11-22T14:05:",
            "22.11.2026 14:05",
        ] {
            assert_eq!(
                Timestamp::parse_datetime_local(bad, &berlin),
                Err("Enter a date and time like 2026-11-22T14:05.".to_string()),
                "{bad}"
            );
        }
    }
}
