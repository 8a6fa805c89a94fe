//! How Postern talks to a controller.

use serde::{Deserialize, Serialize};

/// The protocol used to reach a controller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BridgeKind {
    /// An in-process stand-in for demos and tests.
    Simulated,
    /// MQTT, as spoken by Tasmota firmware.
    Mqtt,
    /// HTTP RPC, as spoken by Shelly Gen2 devices.
    Http,
}

impl BridgeKind {
    /// Every bridge kind.
    pub const ALL: [BridgeKind; 3] = [BridgeKind::Simulated, BridgeKind::Mqtt, BridgeKind::Http];

    /// Stable identifier for storage and APIs.
    pub fn as_str(&self) -> &'static str {
        match self {
            BridgeKind::Simulated => "simulated",
            BridgeKind::Mqtt => "mqtt",
            BridgeKind::Http => "http",
        }
    }

    /// Name shown to people.
    pub fn label(&self) -> &'static str {
        match self {
            BridgeKind::Simulated => "Simulated",
            BridgeKind::Mqtt => "MQTT (Tasmota)",
            BridgeKind::Http => "HTTP (Shelly Gen2)",
        }
    }

    /// Parses an identifier from [`BridgeKind::as_str`] (case-insensitive).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(text))
            .ok_or_else(|| "Choose a connection type: simulated, mqtt or http.".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        for k in BridgeKind::ALL {
            assert_eq!(BridgeKind::parse(k.as_str()), Ok(k));
        }
        assert_eq!(BridgeKind::parse("MQTT"), Ok(BridgeKind::Mqtt));
        assert_eq!(BridgeKind::Http.label(), "HTTP (Shelly Gen2)");
        assert!(BridgeKind::parse("zigbee").is_err());
    }
}
