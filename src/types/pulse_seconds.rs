//! How long a relay stays on for one unlock.

use super::int::parse_int;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An unlock pulse of 1 to 300 seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct PulseSeconds(u32);

impl PulseSeconds {
    /// The pulse used when none is given.
    pub const DEFAULT: PulseSeconds = PulseSeconds(5);
    /// Longest pulse in seconds.
    pub const MAX: u32 = 300;

    /// Validates a number of seconds.
    pub fn new(seconds: u32) -> Result<Self, String> {
        Self::check(i64::from(seconds))
    }

    /// Validates user input such as "5".
    pub fn parse(text: &str) -> Result<Self, String> {
        match parse_int(text) {
            Some(seconds) => Self::check(seconds),
            None => Err("Enter a whole number of seconds, like 5.".into()),
        }
    }

    fn check(seconds: i64) -> Result<Self, String> {
        if (1..=i64::from(Self::MAX)).contains(&seconds) {
            Ok(Self(seconds as u32))
        } else {
            Err("The unlock time must be between 1 and 300 seconds.".into())
        }
    }

    /// The pulse length in seconds.
    pub fn get(&self) -> u32 {
        self.0
    }
}

impl Default for PulseSeconds {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for PulseSeconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} s", self.0)
    }
}

impl TryFrom<u32> for PulseSeconds {
    type Error = String;
    fn try_from(seconds: u32) -> Result<Self, String> {
        Self::new(seconds)
    }
}

impl From<PulseSeconds> for u32 {
    fn from(pulse: PulseSeconds) -> u32 {
        pulse.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_five_seconds() {
        assert_eq!(PulseSeconds::default().get(), 5);
        assert_eq!(PulseSeconds::DEFAULT.to_string(), "5 s");
    }

    #[test]
    fn checks_bounds() {
        assert!(PulseSeconds::new(0).is_err());
        assert_eq!(PulseSeconds::new(1).unwrap().get(), 1);
        assert_eq!(PulseSeconds::new(300).unwrap().get(), 300);
        assert!(PulseSeconds::new(301).is_err());
        assert_eq!(PulseSeconds::parse(" 10 ").unwrap().get(), 10);
        assert_eq!(
            PulseSeconds::parse("-1"),
            Err("The unlock time must be between 1 and 300 seconds.".to_string())
        );
        assert_eq!(
            PulseSeconds::parse("five"),
            Err("Enter a whole number of seconds, like 5.".to_string())
        );
    }
}
