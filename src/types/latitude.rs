//! A latitude in degrees.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A finite latitude between -90 and 90 degrees.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Latitude(f64);

impl Latitude {
    /// Validates a number.
    pub fn parse_f64(value: f64) -> Result<Self, String> {
        if value.is_finite() && (-90.0..=90.0).contains(&value) {
            Ok(Self(value))
        } else {
            Err("The latitude must be between -90 and 90.".into())
        }
    }

    /// Validates user input such as "40.7128".
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim().parse::<f64>() {
            Ok(value) if value.is_finite() => Self::parse_f64(value),
            _ => Err("Enter a number like 40.7128.".into()),
        }
    }

    /// Degrees north (negative: south).
    pub fn value(&self) -> f64 {
        self.0
    }
}

impl fmt::Display for Latitude {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<f64> for Latitude {
    type Error = String;
    fn try_from(value: f64) -> Result<Self, String> {
        Self::parse_f64(value)
    }
}

impl From<Latitude> for f64 {
    fn from(latitude: Latitude) -> f64 {
        latitude.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_valid_range() {
        assert_eq!(Latitude::parse_f64(-90.0).unwrap().value(), -90.0);
        assert_eq!(Latitude::parse_f64(90.0).unwrap().value(), 90.0);
        assert_eq!(Latitude::parse(" 40.7128 ").unwrap().value(), 40.7128);
    }

    #[test]
    fn rejects_out_of_range_and_non_finite() {
        let range = Err("The latitude must be between -90 and 90.".to_string());
        assert_eq!(Latitude::parse_f64(90.0001), range);
        assert_eq!(Latitude::parse_f64(-91.0), range);
        assert_eq!(Latitude::parse_f64(f64::NAN), range);
        assert_eq!(Latitude::parse_f64(f64::INFINITY), range);
        assert_eq!(Latitude::parse("100"), range);
    }

    #[test]
    fn rejects_text_that_is_not_a_number() {
        let msg = Err("Enter a number like 40.7128.".to_string());
        for bad in ["", "north", "40,7", "NaN", "inf"] {
            assert_eq!(Latitude::parse(bad), msg, "{bad}");
        }
    }
}
