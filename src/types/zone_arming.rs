//! The arming state of an alarm zone.

use serde::{Deserialize, Serialize};

/// Whether an alarm zone watches its sensors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneArming {
    /// Sensors are ignored.
    Disarmed,
    /// Armed while people are inside (perimeter only).
    Stay,
    /// Fully armed; nobody is inside.
    Away,
}

impl ZoneArming {
    /// Every arming state.
    pub const ALL: [ZoneArming; 3] = [ZoneArming::Disarmed, ZoneArming::Stay, ZoneArming::Away];

    /// Stable identifier for storage and APIs.
    pub fn as_str(&self) -> &'static str {
        match self {
            ZoneArming::Disarmed => "disarmed",
            ZoneArming::Stay => "stay",
            ZoneArming::Away => "away",
        }
    }

    /// Name shown to people.
    pub fn label(&self) -> &'static str {
        match self {
            ZoneArming::Disarmed => "Disarmed",
            ZoneArming::Stay => "Armed (stay)",
            ZoneArming::Away => "Armed (away)",
        }
    }

    /// Parses an identifier from [`ZoneArming::as_str`] (case-insensitive).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        Self::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(text))
            .ok_or_else(|| "Choose disarmed, stay or away.".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        for a in ZoneArming::ALL {
            assert_eq!(ZoneArming::parse(a.as_str()), Ok(a));
        }
        assert_eq!(ZoneArming::Away.label(), "Armed (away)");
        assert!(ZoneArming::parse("armed").is_err());
    }
}
