//! The kind of lock on a door.

use serde::{Deserialize, Serialize};

/// How a door is locked, which decides what happens on power loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LockType {
    /// Electric strike that unlocks without power.
    #[serde(rename = "strike_fail_safe")]
    ElectricStrikeFailSafe,
    /// Electric strike that stays locked without power.
    #[serde(rename = "strike_fail_secure")]
    ElectricStrikeFailSecure,
    /// Magnetic lock; always unlocks without power.
    #[serde(rename = "magnetic")]
    Magnetic,
    /// Battery-powered wireless lock.
    #[serde(rename = "wireless")]
    Wireless,
}

impl LockType {
    /// Every lock type.
    pub const ALL: [LockType; 4] = [
        LockType::ElectricStrikeFailSafe,
        LockType::ElectricStrikeFailSecure,
        LockType::Magnetic,
        LockType::Wireless,
    ];

    /// Stable identifier for storage and APIs.
    pub fn as_str(&self) -> &'static str {
        match self {
            LockType::ElectricStrikeFailSafe => "strike_fail_safe",
            LockType::ElectricStrikeFailSecure => "strike_fail_secure",
            LockType::Magnetic => "magnetic",
            LockType::Wireless => "wireless",
        }
    }

    /// Name shown to people.
    pub fn label(&self) -> &'static str {
        match self {
            LockType::ElectricStrikeFailSafe => "Electric strike (fail-safe)",
            LockType::ElectricStrikeFailSecure => "Electric strike (fail-secure)",
            LockType::Magnetic => "Magnetic lock (fail-safe)",
            LockType::Wireless => "Wireless lock",
        }
    }

    /// Parses an identifier from [`LockType::as_str`] (case-insensitive).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(text))
            .ok_or_else(|| "Choose a lock type from the list.".to_string())
    }

    /// True when the door unlocks if power fails.
    pub fn fail_safe(&self) -> bool {
        matches!(self, LockType::ElectricStrikeFailSafe | LockType::Magnetic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        for t in LockType::ALL {
            assert_eq!(LockType::parse(t.as_str()), Ok(t));
            assert!(!t.label().is_empty());
        }
        assert_eq!(LockType::parse("Magnetic"), Ok(LockType::Magnetic));
        assert!(LockType::parse("padlock").is_err());
    }

    #[test]
    fn fail_safe_types() {
        assert!(LockType::ElectricStrikeFailSafe.fail_safe());
        assert!(LockType::Magnetic.fail_safe());
        assert!(!LockType::ElectricStrikeFailSecure.fail_safe());
        assert!(!LockType::Wireless.fail_safe());
    }
}
