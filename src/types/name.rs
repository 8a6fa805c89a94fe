//! A display name (person, site, door, ...).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A trimmed name of 1 to 100 characters without control characters.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Name(String);

impl Name {
    /// Longest accepted name, in characters.
    pub const MAX_CHARS: usize = 100;

    /// Validates user input.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("Enter a name.".into());
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err("Use at most 100 characters.".into());
        }
        if text.chars().any(char::is_control) {
            return Err("Remove line breaks, tabs and other special characters.".into());
        }
        Ok(Self(text.to_string()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as an owned string.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Name {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text)
    }
}

impl From<Name> for String {
    fn from(name: Name) -> String {
        name.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as DeError, StrDeserializer};
    use serde::de::IntoDeserializer;

    #[test]
    fn trims_and_accepts_normal_names() {
        let name = Name::parse("  Front door ").unwrap();
        assert_eq!(name.as_str(), "Front door");
        assert_eq!(name.to_string(), "Front door");
        assert_eq!(name.into_inner(), "Front door");
    }

    #[test]
    fn rejects_empty_and_blank() {
        assert_eq!(Name::parse(""), Err("Enter a name.".to_string()));
        assert_eq!(Name::parse("   "), Err("Enter a name.".to_string()));
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert!(Name::parse(&"é".repeat(100)).is_ok());
        assert_eq!(
            Name::parse(&"a".repeat(101)),
            Err("Use at most 100 characters.".to_string())
        );
    }

    #[test]
    fn rejects_control_characters() {
        assert!(Name::parse("a\nb").is_err());
        assert!(Name::parse("a\u{7}b").is_err());
    }

    #[test]
    fn deserializing_validates() {
        let de: StrDeserializer<DeError> = " Lobby ".into_deserializer();
        assert_eq!(Name::deserialize(de).unwrap().as_str(), "Lobby");
        let de: StrDeserializer<DeError> = "".into_deserializer();
        assert!(Name::deserialize(de).is_err());
    }
}
