//! How long a door may stand open before it raises an alarm.

use super::int::parse_int;
use serde::{Deserialize, Serialize};
use std::fmt;

/// 0 to 3600 seconds; 0 means the door never raises a held-open alarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct HeldOpenSeconds(u32);

impl HeldOpenSeconds {
    /// The limit used when none is given.
    pub const DEFAULT: HeldOpenSeconds = HeldOpenSeconds(30);
    /// Longest limit in seconds.
    pub const MAX: u32 = 3600;

    /// Validates a number of seconds.
    pub fn new(seconds: u32) -> Result<Self, String> {
        Self::check(i64::from(seconds))
    }

    /// Validates user input such as "30".
    pub fn parse(text: &str) -> Result<Self, String> {
        match parse_int(text) {
            Some(seconds) => Self::check(seconds),
            None => Err("Enter a whole number of seconds, like 30.".into()),
        }
    }

    fn check(seconds: i64) -> Result<Self, String> {
        if (0..=i64::from(Self::MAX)).contains(&seconds) {
            Ok(Self(seconds as u32))
        } else {
            Err(
                "The held-open time must be between 0 and 3600 seconds (0 turns the alarm off)."
                    .into(),
            )
        }
    }

    /// The limit in seconds (0: no alarm).
    pub fn get(&self) -> u32 {
        self.0
    }
}

impl Default for HeldOpenSeconds {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for HeldOpenSeconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} s", self.0)
    }
}

impl TryFrom<u32> for HeldOpenSeconds {
    type Error = String;
    fn try_from(seconds: u32) -> Result<Self, String> {
        Self::new(seconds)
    }
}

impl From<HeldOpenSeconds> for u32 {
    fn from(held: HeldOpenSeconds) -> u32 {
        held.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_thirty_seconds() {
        assert_eq!(HeldOpenSeconds::default().get(), 30);
    }

    #[test]
    fn checks_bounds() {
        assert_eq!(HeldOpenSeconds::new(0).unwrap().get(), 0);
        assert_eq!(HeldOpenSeconds::new(3600).unwrap().get(), 3600);
        assert!(HeldOpenSeconds::new(3601).is_err());
        assert_eq!(HeldOpenSeconds::parse(" 0 ").unwrap().get(), 0);
        assert!(HeldOpenSeconds::parse("-1").is_err());
        assert_eq!(
            HeldOpenSeconds::parse(""),
            Err("Enter a whole number of seconds, like 30.".to_string())
        );
    }
}
