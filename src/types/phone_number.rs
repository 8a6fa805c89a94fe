//! A phone number in international (E.164) form.

use serde::{Deserialize, Serialize};
use std::fmt;

/// "+" followed by 8 to 15 digits, e.g. "+12125550123".
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Validates user input, ignoring spaces, dashes, dots and parentheses.
    pub fn parse_e164(text: &str) -> Result<Self, String> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '.' | '(' | ')'))
            .collect();
        if compact.is_empty() {
            return Err("Enter a phone number.".into());
        }
        let valid = compact.strip_prefix('+').is_some_and(|digits| {
            (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
        });
        if valid {
            Ok(Self(compact))
        } else {
            Err("Enter the phone number in international format, like +1 212 555 0123.".into())
        }
    }

    /// The number as "+" and digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Self::parse_e164(&text)
    }
}

impl From<PhoneNumber> for String {
    fn from(phone: PhoneNumber) -> String {
        phone.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_formatting() {
        let p = PhoneNumber::parse_e164(" +1 (212) 555-0123 ").unwrap();
        assert_eq!(p.as_str(), "+12125550123");
        assert_eq!(
            PhoneNumber::parse_e164("+49.30.1234.5678")
                .unwrap()
                .as_str(),
            "+493012345678"
        );
    }

    #[test]
    fn checks_length() {
        assert!(PhoneNumber::parse_e164("+1234567").is_err());
        assert!(PhoneNumber::parse_e164("+12345678").is_ok());
        assert!(PhoneNumber::parse_e164("+123456789012345").is_ok());
        assert!(PhoneNumber::parse_e164("+1234567890123456").is_err());
    }

    #[test]
    fn requires_plus_and_digits() {
        assert_eq!(
            PhoneNumber::parse_e164("  "),
            Err("Enter a phone number.".to_string())
        );
        for bad in [
            "12125550123",
            "++12125550123",
            "+1212555012a",
            "+1 212 555 0123 x4",
            "1+2125550123",
        ] {
            assert!(PhoneNumber::parse_e164(bad).is_err(), "{bad}");
        }
    }
}
