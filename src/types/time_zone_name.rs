//! An IANA time zone name.

use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A time zone name known to the time zone database, like "Europe/Berlin".
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(String);

impl TimeZoneName {
    /// Validates user input. Case-insensitive; stored in canonical spelling.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("Pick a time zone from the list, like Europe/Berlin.".into());
        }
        let unknown =
            || format!("Unknown time zone \"{text}\". Pick one from the list, like Europe/Berlin.");
        let tz = TimeZone::get(text).map_err(|_| unknown())?;
        match tz.iana_name() {
            Some(name) if name != "Etc/Unknown" => Ok(Self(name.to_string())),
            _ => Err(unknown()),
        }
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The time zone itself (UTC if it vanished from the database).
    pub fn time_zone(&self) -> TimeZone {
        TimeZone::get(&self.0).unwrap_or(TimeZone::UTC)
    }

    /// All selectable names, sorted: "Area/Place" names plus "UTC".
    pub fn all() -> Vec<String> {
        let mut names: Vec<String> = jiff::tz::db()
            .available()
            .map(|name| name.as_str().to_string())
            .filter(|name| (name.contains('/') && name != "Etc/Unknown") || name == "UTC")
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

impl fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TimeZoneName {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text)
    }
}

impl From<TimeZoneName> for String {
    fn from(name: TimeZoneName) -> String {
        name.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_iana_names() {
        let tz = TimeZoneName::parse(" Europe/Berlin ").unwrap();
        assert_eq!(tz.as_str(), "Europe/Berlin");
        assert_eq!(tz.to_string(), "Europe/Berlin");
        assert_eq!(TimeZoneName::parse("UTC").unwrap().as_str(), "UTC");
    }

    #[test]
    fn canonicalizes_spelling() {
        assert_eq!(
            TimeZoneName::parse("america/new_york").unwrap().as_str(),
            "America/New_York"
        );
    }

    #[test]
    fn rejects_unknown_names() {
        assert_eq!(
            TimeZoneName::parse("Mars/Olympus"),
            Err(
                "Unknown time zone \"Mars/Olympus\". Pick one from the list, like Europe/Berlin."
                    .to_string()
            )
        );
        assert!(TimeZoneName::parse("Etc/Unknown").is_err());
        assert!(TimeZoneName::parse("").is_err());
    }

    #[test]
    fn time_zone_matches_the_name() {
        let tz = TimeZoneName::parse("Asia/Tokyo").unwrap().time_zone();
        assert_eq!(tz.iana_name(), Some("Asia/Tokyo"));
    }

    #[test]
    fn all_is_sorted_and_filtered() {
        let all = TimeZoneName::all();
        assert!(all.contains(&"Europe/Berlin".to_string()));
        assert!(all.contains(&"America/New_York".to_string()));
        assert!(all.contains(&"UTC".to_string()));
        assert!(!all.contains(&"EST".to_string()));
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        assert!(all.iter().all(|n| n == "UTC" || n.contains('/')));
        for name in all.iter().take(50) {
            assert!(TimeZoneName::parse(name).is_ok(), "{name}");
        }
    }
}
