//! A wall-clock time of day, to the minute.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Minutes since local midnight, 00:00 to 23:59. Written as "HH:MM".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LocalTime(u16);

impl LocalTime {
    /// 00:00.
    pub const MIDNIGHT: LocalTime = LocalTime(0);

    /// Minutes in a day.
    pub const MINUTES_PER_DAY: u16 = 24 * 60;

    /// From an hour (0 to 23) and a minute (0 to 59).
    pub fn from_hm(hour: u8, minute: u8) -> Result<Self, String> {
        if hour < 24 && minute < 60 {
            Ok(Self(u16::from(hour) * 60 + u16::from(minute)))
        } else {
            Err(out_of_range())
        }
    }

    /// From minutes since midnight (0 to 1439).
    pub fn from_minutes(minutes: u16) -> Result<Self, String> {
        if minutes < Self::MINUTES_PER_DAY {
            Ok(Self(minutes))
        } else {
            Err(out_of_range())
        }
    }

    /// Reads "HH:MM" (24-hour clock; "8:30" is accepted too).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let shape = || "Enter a time like 08:30.".to_string();
        let (hour, minute) = text.split_once(':').ok_or_else(shape)?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(hour) || hour.len() > 2 || !digits(minute) || minute.len() != 2 {
            return Err(shape());
        }
        let hour: u8 = hour.parse().map_err(|_| shape())?;
        let minute: u8 = minute.parse().map_err(|_| shape())?;
        Self::from_hm(hour, minute)
    }

    /// Minutes since midnight.
    pub fn minutes(&self) -> u16 {
        self.0
    }

    /// The hour, 0 to 23.
    pub fn hour(&self) -> u8 {
        (self.0 / 60) as u8
    }

    /// The minute, 0 to 59.
    pub fn minute(&self) -> u8 {
        (self.0 % 60) as u8
    }
}

fn out_of_range() -> String {
    "Enter a time between 00:00 and 23:59.".into()
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())
    }
}

impl TryFrom<String> for LocalTime {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text)
    }
}

impl From<LocalTime> for String {
    fn from(time: LocalTime) -> String {
        time.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays() {
        let t = LocalTime::parse(" 08:05 ").unwrap();
        assert_eq!(t.minutes(), 485);
        assert_eq!((t.hour(), t.minute()), (8, 5));
        assert_eq!(t.to_string(), "08:05");
        assert_eq!(LocalTime::parse("8:30"), LocalTime::from_hm(8, 30));
        assert_eq!(LocalTime::parse("23:59").unwrap().minutes(), 1439);
        assert_eq!(LocalTime::parse("00:00"), Ok(LocalTime::MIDNIGHT));
    }

    #[test]
    fn rejects_bad_text() {
        let shape = Err("Enter a time like 08:30.".to_string());
        for bad in [
            "", "8", "08:5", "08:005", "noon", "-1:00", "08:3a", "123:00", "08-30",
        ] {
            assert_eq!(LocalTime::parse(bad), shape, "{bad}");
        }
        let range = Err("Enter a time between 00:00 and 23:59.".to_string());
        assert_eq!(LocalTime::parse("24:00"), range);
        assert_eq!(LocalTime::parse("12:60"), range);
        assert_eq!(LocalTime::from_hm(24, 0), range);
        assert_eq!(LocalTime::from_minutes(1440), range);
    }

    #[test]
    fn round_trips_every_minute() {
        for m in 0..LocalTime::MINUTES_PER_DAY {
            let t = LocalTime::from_minutes(m).unwrap();
            assert_eq!(LocalTime::parse(&t.to_string()), Ok(t));
        }
    }

    #[test]
    fn converts_to_and_from_text_for_serde() {
        let t = LocalTime::from_hm(22, 0).unwrap();
        assert_eq!(String::from(t), "22:00");
        assert_eq!(LocalTime::try_from("22:00".to_string()), Ok(t));
        assert!(LocalTime::try_from("25:00".to_string()).is_err());
    }
}
