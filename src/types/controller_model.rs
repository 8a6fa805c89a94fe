//! Supported controller hardware.

use serde::{Deserialize, Serialize};

/// A controller model Postern can drive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControllerModel {
    /// Four-relay controller.
    ControllerPro,
}

impl ControllerModel {
    /// Every model.
    pub const ALL: [ControllerModel; 1] = [ControllerModel::ControllerPro];

    /// Stable identifier for storage and APIs.
    pub fn as_str(&self) -> &'static str {
        match self {
            ControllerModel::ControllerPro => "controller_pro",
        }
    }

    /// Name shown to people.
    pub fn label(&self) -> &'static str {
        match self {
            ControllerModel::ControllerPro => "Controller Pro",
        }
    }

    /// Number of relays (relays are numbered from 1).
    pub fn relay_count(&self) -> u8 {
        match self {
            ControllerModel::ControllerPro => 4,
        }
    }

    /// Parses an identifier from [`ControllerModel::as_str`] (case-insensitive).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        Self::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(text))
            .ok_or_else(|| "Choose a controller model from the list.".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controller_pro() {
        let m = ControllerModel::parse("controller_pro").unwrap();
        assert_eq!(m, ControllerModel::ControllerPro);
        assert_eq!(m.as_str(), "controller_pro");
        assert_eq!(m.label(), "Controller Pro");
        assert_eq!(m.relay_count(), 4);
        assert!(ControllerModel::parse("controller_mini").is_err());
    }
}
