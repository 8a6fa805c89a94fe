//! The number of an access card or fob.

use serde::{Deserialize, Serialize};
use std::fmt;

const MESSAGE: &str = "Enter a card number like 12:34567 (facility:card) or 1234567890.";

/// A card number, normalized to "facility:card" (e.g. "12:3456") or plain digits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CardNumber(String);

impl CardNumber {
    /// Validates user input: "FFF:NNNNN", "FFF-NNNNN" or 1 to 20 digits.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if let Some((facility, card)) = text.split_once([':', '-']) {
            let facility = number_in(facility, 255).ok_or(MESSAGE)?;
            let card = number_in(card, 65_535).ok_or(MESSAGE)?;
            return Ok(Self(format!("{facility}:{card}")));
        }
        if text.is_empty() || text.len() > 20 || !all_digits(text) {
            return Err(MESSAGE.into());
        }
        let stripped = text.trim_start_matches('0');
        Ok(Self(
            if stripped.is_empty() { "0" } else { stripped }.to_string(),
        ))
    }

    /// The normalized card number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn all_digits(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit())
}

/// Parses trimmed decimal digits no larger than `max`.
fn number_in(text: &str, max: u32) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() || !all_digits(text) {
        return None;
    }
    text.parse::<u32>().ok().filter(|n| *n <= max)
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CardNumber {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text)
    }
}

impl From<CardNumber> for String {
    fn from(card: CardNumber) -> String {
        card.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> String {
        CardNumber::parse(text).unwrap().as_str().to_string()
    }

    #[test]
    fn normalizes_facility_and_card() {
        assert_eq!(ok("12:3456"), "12:3456");
        assert_eq!(ok(" 012-03456 "), "12:3456");
        assert_eq!(ok("0:0"), "0:0");
        assert_eq!(ok("255:65535"), "255:65535");
        assert_eq!(ok("12 : 3456"), "12:3456");
    }

    #[test]
    fn normalizes_raw_numbers() {
        assert_eq!(ok("1234567890"), "1234567890");
        assert_eq!(ok("0001234"), "1234");
        assert_eq!(ok("0"), "0");
        assert_eq!(ok("000"), "0");
        assert_eq!(ok(&"9".repeat(20)), "9".repeat(20));
    }

    #[test]
    fn rejects_invalid_input() {
        for bad in [
            "", "256:1", "1:65536", ":1", "1:", "a:1", "1:2:3", "1-2-3", "12ab", "1.5", "-5", "+5",
            "1 2",
        ] {
            assert_eq!(CardNumber::parse(bad), Err(MESSAGE.to_string()), "{bad}");
        }
        assert!(CardNumber::parse(&"1".repeat(21)).is_err());
    }
}
