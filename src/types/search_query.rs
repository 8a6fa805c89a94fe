//! Text typed into a search box.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A trimmed search text of at most 100 characters (longer input is cut).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct SearchQuery(String);

impl SearchQuery {
    /// Longest kept query, in characters.
    pub const MAX_CHARS: usize = 100;

    /// Trims and shortens user input. Never fails; returns `Result` like
    /// every other `parse`.
    pub fn parse(text: &str) -> Result<Self, String> {
        Ok(Self::new(text))
    }

    /// Infallible form of [`SearchQuery::parse`].
    pub fn new(text: &str) -> Self {
        let text = text.trim();
        let cut = match text.char_indices().nth(Self::MAX_CHARS) {
            Some((end, _)) => text[..end].trim_end(),
            None => text,
        };
        Self(cut.to_string())
    }

    /// The query as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when there is nothing to search for.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Lowercased `%text%` for SQL `LIKE ... ESCAPE '\'`, with `%`, `_` and `\` escaped.
    pub fn like_pattern(&self) -> String {
        let mut pattern = String::with_capacity(self.0.len() + 2);
        pattern.push('%');
        for c in self.0.to_lowercase().chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        pattern
    }
}

impl fmt::Display for SearchQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for SearchQuery {
    fn from(text: String) -> Self {
        Self::new(&text)
    }
}

impl From<SearchQuery> for String {
    fn from(query: SearchQuery) -> String {
        query.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_never_fails() {
        assert_eq!(SearchQuery::parse(" x "), Ok(SearchQuery::new("x")));
    }

    #[test]
    fn trims_and_detects_empty() {
        assert_eq!(SearchQuery::new("  ada ").as_str(), "ada");
        assert!(SearchQuery::new("   ").is_empty());
        assert!(SearchQuery::default().is_empty());
    }

    #[test]
    fn truncates_on_a_char_boundary() {
        let q = SearchQuery::new(&"ä".repeat(150));
        assert_eq!(q.as_str().chars().count(), 100);
        let q = SearchQuery::new(&format!("{} b", "a".repeat(99)));
        assert_eq!(q.as_str(), "a".repeat(99));
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(SearchQuery::new("Ada").like_pattern(), "%ada%");
        assert_eq!(SearchQuery::new(r"50%_a\b").like_pattern(), r"%50\%\_a\\b%");
        assert_eq!(SearchQuery::new("").like_pattern(), "%%");
    }
}
