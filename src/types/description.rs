//! A free-text description.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A trimmed text of at most 1000 characters; may be empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Description(String);

impl Description {
    /// Longest accepted description, in characters.
    pub const MAX_CHARS: usize = 1000;

    /// Validates user input.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.chars().count() > Self::MAX_CHARS {
            return Err("Use at most 1000 characters.".into());
        }
        Ok(Self(text.to_string()))
    }

    /// The description as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when the description is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Description {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text)
    }
}

impl From<Description> for String {
    fn from(description: Description) -> String {
        description.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_allows_empty() {
        assert_eq!(Description::parse("  hi \n").unwrap().as_str(), "hi");
        assert!(Description::parse("").unwrap().is_empty());
        assert_eq!(Description::default().as_str(), "");
    }

    #[test]
    fn keeps_inner_line_breaks() {
        assert_eq!(Description::parse("a\nb").unwrap().as_str(), "a\nb");
    }

    #[test]
    fn limits_length() {
        assert!(Description::parse(&"ü".repeat(1000)).is_ok());
        assert_eq!(
            Description::parse(&"a".repeat(1001)),
            Err("Use at most 1000 characters.".to_string())
        );
    }
}
