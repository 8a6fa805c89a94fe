//! Phone numbers that text messages may go to: the +1 North American
//! Numbering Plan, limited to the United States, Canada and Puerto Rico.
//! Server only: the `phonenumber` crate's metadata stays out of the Wasm.

use super::PhoneNumber;
use phonenumber::country::Id;
use phonenumber::Mode;

const INVALID: &str = "Enter a valid phone number, like +1 212 555 0123.";
const NOT_ALLOWED: &str = "Text messages can only go to numbers in the United States, Canada and Puerto Rico (+1).";

impl PhoneNumber {
    /// Parses a number text messages may go to: valid, and in the United
    /// States, Canada or Puerto Rico. Numbers written without a country
    /// code, like "(212) 555-0123", are read as +1. Returns it in E.164 form.
    pub fn parse_nanp(text: &str) -> Result<PhoneNumber, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("Enter a phone number.".into());
        }
        let number = phonenumber::parse(Some(Id::US), text).map_err(|_| INVALID.to_string())?;
        if number.code().value() != 1 {
            // A valid number elsewhere, or not a number at all.
            return Err(if number.is_valid() { NOT_ALLOWED } else { INVALID }.into());
        }
        if !number.is_valid() {
            return Err(INVALID.into());
        }
        match number.country().id() {
            Some(Id::US | Id::CA | Id::PR) => {}
            // Other NANP members: Jamaica, the Dominican Republic, …
            _ => return Err(NOT_ALLOWED.into()),
        }
        if number.extension().is_some() {
            return Err(INVALID.into());
        }
        PhoneNumber::parse_e164(&number.format().mode(Mode::E164).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> String {
        match PhoneNumber::parse_nanp(text) {
            Ok(number) => number.as_str().to_string(),
            Err(error) => panic!("{text}: {error}"),
        }
    }

    #[test]
    fn accepts_new_york() {
        assert_eq!(ok("+1 212 736 5000"), "+12127365000");
        assert_eq!(ok("(212) 736-5000"), "+12127365000");
        assert_eq!(ok("212.736.5000"), "+12127365000");
    }

    #[test]
    fn accepts_toronto() {
        assert_eq!(ok("+1 416 555 0199"), "+14165550199");
        assert_eq!(ok("416-979-2000"), "+14169792000");
    }

    #[test]
    fn accepts_puerto_rico() {
        assert_eq!(ok("+1 787 555 0123"), "+17875550123");
        assert_eq!(ok("(939) 555-0123"), "+19395550123");
    }

    #[test]
    fn refuses_other_countries() {
        assert_eq!(PhoneNumber::parse_nanp("+44 20 7946 0958"), Err(NOT_ALLOWED.to_string()));
    }

    #[test]
    fn refuses_other_nanp_members() {
        // Jamaica and the Dominican Republic share +1 but are not served.
        assert_eq!(PhoneNumber::parse_nanp("+1 876 555 0123"), Err(NOT_ALLOWED.to_string()));
        assert_eq!(PhoneNumber::parse_nanp("+1 809 555 0123"), Err(NOT_ALLOWED.to_string()));
    }

    #[test]
    fn refuses_garbage() {
        for bad in ["hello", "12", "+1 212 555", "+1 999 555 0123", "555-01234567890123"] {
            assert_eq!(PhoneNumber::parse_nanp(bad), Err(INVALID.to_string()), "{bad}");
        }
        assert_eq!(PhoneNumber::parse_nanp("  "), Err("Enter a phone number.".to_string()));
    }
}
