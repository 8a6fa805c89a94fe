//! An email address.

use serde::{Deserialize, Serialize};
use std::fmt;

const INVALID: &str = "Enter an email address like name@example.com.";

/// A lowercased, structurally valid email address.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Validates user input (trimmed and lowercased).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim().to_lowercase();
        if text.is_empty() {
            return Err("Enter an email address.".into());
        }
        if text.chars().count() > 254 {
            return Err("Use at most 254 characters.".into());
        }
        if text.chars().any(char::is_whitespace) {
            return Err("Remove the spaces from the email address.".into());
        }
        let (local, domain) = match text.split_once('@') {
            Some(parts) => parts,
            None => return Err(INVALID.into()),
        };
        if !valid_local(local) || !valid_domain(domain) {
            return Err(INVALID.into());
        }
        Ok(Self(text))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn valid_local(local: &str) -> bool {
    let allowed = |c: char| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c);
    !local.is_empty()
        && local.chars().count() <= 64
        && local.chars().all(allowed)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
}

fn valid_domain(domain: &str) -> bool {
    let valid_label = |label: &str| {
        !label.is_empty()
            && label.chars().count() <= 63
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    domain.contains('.') && domain.split('.').all(valid_label)
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_case_and_spaces() {
        let email = Email::parse("  Ada.Lovelace+door@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace+door@example.com");
        assert_eq!(email.to_string(), "ada.lovelace+door@example.com");
    }

    #[test]
    fn accepts_common_addresses() {
        for ok in [
            "a@b.co",
            "first_last@sub.example.org",
            "x-y@my-host.io",
            "jürgen@müller.de",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@@b.com",
            "a@b@c.com",
            "a@.com",
            "a@b..com",
            "a@b.com.",
            "a@-b.com",
            "a@b-.com",
            ".a@b.com",
            "a.@b.com",
            "a..b@c.com",
            "a\"b@c.com",
            "a(b)@c.com",
            "a@b_c.com",
        ] {
            assert_eq!(Email::parse(bad), Err(INVALID.to_string()), "{bad}");
        }
    }

    #[test]
    fn specific_messages() {
        assert_eq!(
            Email::parse(" "),
            Err("Enter an email address.".to_string())
        );
        assert_eq!(
            Email::parse("a b@c.com"),
            Err("Remove the spaces from the email address.".to_string())
        );
        let long = format!("{}@{}.com", "a".repeat(64), "b".repeat(250));
        assert_eq!(
            Email::parse(&long),
            Err("Use at most 254 characters.".to_string())
        );
    }

    #[test]
    fn local_part_is_at_most_64_characters() {
        assert!(Email::parse(&format!("{}@b.com", "a".repeat(64))).is_ok());
        assert!(Email::parse(&format!("{}@b.com", "a".repeat(65))).is_err());
    }
}
