//! A password as typed by the user.

use std::fmt;

/// A password of 10 to 128 characters. Its Debug output hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Shortest accepted password, in characters.
    pub const MIN_CHARS: usize = 10;
    /// Longest accepted password, in characters.
    pub const MAX_CHARS: usize = 128;

    /// Validates user input. Not trimmed: spaces are part of the password.
    pub fn parse(text: &str) -> Result<Self, String> {
        let count = text.chars().count();
        if count == 0 {
            return Err("Enter a password.".into());
        }
        if count < Self::MIN_CHARS {
            return Err("Use at least 10 characters.".into());
        }
        if count > Self::MAX_CHARS {
            return Err("Use at most 128 characters.".into());
        }
        Ok(Self(text.to_string()))
    }

    /// The password itself, for hashing or checking.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enforces_length() {
        assert_eq!(Password::parse(""), Err("Enter a password.".to_string()));
        assert_eq!(
            Password::parse("123456789"),
            Err("Use at least 10 characters.".to_string())
        );
        assert!(Password::parse("1234567890").is_ok());
        assert!(Password::parse(&"x".repeat(128)).is_ok());
        assert_eq!(
            Password::parse(&"x".repeat(129)),
            Err("Use at most 128 characters.".to_string())
        );
    }

    #[test]
    fn keeps_spaces() {
        assert_eq!(
            Password::parse(" correct horse ").unwrap().expose(),
            " correct horse "
        );
    }

    #[test]
    fn debug_hides_the_password() {
        let p = Password::parse("super secret value").unwrap();
        let shown = format!("{p:?} {:?}", Some(p.clone()));
        assert!(!shown.contains("secret"));
        assert!(shown.contains("Password(***)"));
    }
}
