//! A geofence radius in meters.

use super::int::parse_int;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A radius of 1 m to 50 km, in whole meters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Radius(u32);

impl Radius {
    /// The radius used when none is given.
    pub const DEFAULT: Radius = Radius(300);
    /// Smallest radius in meters.
    pub const MIN_M: u32 = 1;
    /// Largest radius in meters.
    pub const MAX_M: u32 = 50_000;

    /// Validates a number of meters.
    pub fn new(meters: u32) -> Result<Self, String> {
        Self::check(i64::from(meters))
    }

    /// Validates user input such as "300".
    pub fn parse(text: &str) -> Result<Self, String> {
        match parse_int(text) {
            Some(meters) => Self::check(meters),
            None => Err("Enter the radius in whole meters, like 300.".into()),
        }
    }

    fn check(meters: i64) -> Result<Self, String> {
        if meters < i64::from(Self::MIN_M) {
            Err("The radius must be at least 1 m.".into())
        } else if meters > i64::from(Self::MAX_M) {
            Err("The radius can be at most 50 km (50000 m).".into())
        } else {
            Ok(Self(meters as u32))
        }
    }

    /// The radius in meters.
    pub fn meters(&self) -> u32 {
        self.0
    }
}

impl Default for Radius {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for Radius {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} m", self.0)
    }
}

impl TryFrom<u32> for Radius {
    type Error = String;
    fn try_from(meters: u32) -> Result<Self, String> {
        Self::new(meters)
    }
}

impl From<Radius> for u32 {
    fn from(radius: Radius) -> u32 {
        radius.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOW: &str = "The radius must be at least 1 m.";
    const HIGH: &str = "The radius can be at most 50 km (50000 m).";

    #[test]
    fn default_is_300_m() {
        assert_eq!(Radius::DEFAULT.meters(), 300);
        assert_eq!(Radius::default(), Radius::DEFAULT);
        assert_eq!(Radius::DEFAULT.to_string(), "300 m");
    }

    #[test]
    fn new_checks_bounds() {
        assert_eq!(Radius::new(0), Err(LOW.to_string()));
        assert_eq!(Radius::new(1).unwrap().meters(), 1);
        assert_eq!(Radius::new(50_000).unwrap().meters(), 50_000);
        assert_eq!(Radius::new(50_001), Err(HIGH.to_string()));
    }

    #[test]
    fn parse_checks_text() {
        assert_eq!(Radius::parse(" 250 ").unwrap().meters(), 250);
        assert_eq!(Radius::parse("-5"), Err(LOW.to_string()));
        assert_eq!(Radius::parse("99999999999999999999"), Err(HIGH.to_string()));
        assert!(Radius::parse("12.5").is_err());
        assert!(Radius::parse("").is_err());
    }
}
