//! A relay output on a controller.

use super::int::parse_int;
use serde::{Deserialize, Serialize};
use std::fmt;

const MESSAGE: &str = "A Controller Pro has relays 1 to 4.";

/// A relay number from 1 to 4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct RelayNumber(u8);

impl RelayNumber {
    /// Validates a relay number.
    pub fn new(number: u8) -> Result<Self, String> {
        if (1..=4).contains(&number) {
            Ok(Self(number))
        } else {
            Err(MESSAGE.into())
        }
    }

    /// Validates user input such as "2".
    pub fn parse(text: &str) -> Result<Self, String> {
        match parse_int(text).and_then(|n| u8::try_from(n).ok()) {
            Some(number) => Self::new(number),
            None => Err(MESSAGE.into()),
        }
    }

    /// The relay number.
    pub fn get(&self) -> u8 {
        self.0
    }
}

impl fmt::Display for RelayNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<u8> for RelayNumber {
    type Error = String;
    fn try_from(number: u8) -> Result<Self, String> {
        Self::new(number)
    }
}

impl From<RelayNumber> for u8 {
    fn from(relay: RelayNumber) -> u8 {
        relay.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_one_to_four() {
        for n in 1..=4u8 {
            assert_eq!(RelayNumber::new(n).unwrap().get(), n);
            assert_eq!(RelayNumber::parse(&format!(" {n} ")).unwrap().get(), n);
        }
    }

    #[test]
    fn rejects_everything_else() {
        assert_eq!(RelayNumber::new(0), Err(MESSAGE.to_string()));
        assert_eq!(RelayNumber::new(5), Err(MESSAGE.to_string()));
        for bad in ["", "0", "5", "-1", "300", "one", "1.0"] {
            assert_eq!(RelayNumber::parse(bad), Err(MESSAGE.to_string()), "{bad}");
        }
    }
}
