//! A longitude in degrees.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A finite longitude between -180 and 180 degrees.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Longitude(f64);

impl Longitude {
    /// Validates a number.
    pub fn parse_f64(value: f64) -> Result<Self, String> {
        if value.is_finite() && (-180.0..=180.0).contains(&value) {
            Ok(Self(value))
        } else {
            Err("The longitude must be between -180 and 180.".into())
        }
    }

    /// Validates user input such as "40.7128".
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim().parse::<f64>() {
            Ok(value) if value.is_finite() => Self::parse_f64(value),
            _ => Err("Enter a number like 40.7128.".into()),
        }
    }

    /// Degrees east (negative: west).
    pub fn value(&self) -> f64 {
        self.0
    }
}

impl fmt::Display for Longitude {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<f64> for Longitude {
    type Error = String;
    fn try_from(value: f64) -> Result<Self, String> {
        Self::parse_f64(value)
    }
}

impl From<Longitude> for f64 {
    fn from(longitude: Longitude) -> f64 {
        longitude.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_valid_range() {
        assert_eq!(Longitude::parse_f64(-180.0).unwrap().value(), -180.0);
        assert_eq!(Longitude::parse_f64(180.0).unwrap().value(), 180.0);
        assert_eq!(Longitude::parse(" -74.006 ").unwrap().value(), -74.006);
    }

    #[test]
    fn rejects_out_of_range_and_non_finite() {
        let range = Err("The longitude must be between -180 and 180.".to_string());
        assert_eq!(Longitude::parse_f64(180.5), range);
        assert_eq!(Longitude::parse_f64(-181.0), range);
        assert_eq!(Longitude::parse_f64(f64::NAN), range);
        assert_eq!(Longitude::parse("200"), range);
    }

    #[test]
    fn rejects_text_that_is_not_a_number() {
        let msg = Err("Enter a number like 40.7128.".to_string());
        for bad in ["", "west", "-inf"] {
            assert_eq!(Longitude::parse(bad), msg, "{bad}");
        }
    }
}
