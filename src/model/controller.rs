use super::bridge_config::{BridgeConfig, BridgeFields};
use crate::field_error::FieldErrors;
use crate::types::{BridgeKind, ControllerModel, Name};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Controller {
    pub id: i64,
    pub name: String,
    pub place_id: i64,
    pub place_name: String,
    pub model: ControllerModel,
    pub bridge_kind: BridgeKind,
    /// How the controller is reached, without passwords.
    pub bridge: BridgeConfig,
    pub online: bool,
    /// The controller reports the locks' power supply lost.
    pub power_lost: bool,
    pub last_seen_at: Option<i64>,
    /// One entry per relay (1..=4), with the door it drives, if any.
    pub relays: Vec<RelayUse>,
    pub readers: Vec<Reader>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayUse {
    pub relay: u8,
    pub door_id: Option<i64>,
    pub door_name: Option<String>,
}

/// A reader port on a controller. Its secret never leaves the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reader {
    pub id: i64,
    pub controller_id: i64,
    pub controller_name: String,
    pub port: u8,
    pub name: String,
    pub door_name: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControllerForm {
    pub name: String,
    pub place_id: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub bridge_kind: String,
    /// The connection fields of the chosen bridge kind.
    #[serde(default)]
    pub bridge: BridgeFields,
}

pub struct ValidController {
    pub name: Name,
    pub place_id: i64,
    pub model: ControllerModel,
    pub bridge_kind: BridgeKind,
    /// Passwords left blank are kept from the stored configuration.
    pub bridge: BridgeConfig,
}

impl ControllerForm {
    pub fn validate(&self) -> Result<ValidController, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", Name::parse(&self.name));
        let place_id = errors.check("place_id", parse_id(&self.place_id, "Pick a place."));
        let model = if self.model.trim().is_empty() {
            Some(ControllerModel::ControllerPro)
        } else {
            errors.check("model", ControllerModel::parse(&self.model))
        };
        let bridge_kind = if self.bridge_kind.trim().is_empty() {
            Some(BridgeKind::Simulated)
        } else {
            errors.check("bridge_kind", BridgeKind::parse(&self.bridge_kind))
        };
        let bridge = bridge_kind.and_then(|kind| self.bridge.validate(kind, &mut errors));
        errors.into_result()?;
        match (name, place_id, model, bridge_kind, bridge) {
            (Some(name), Some(place_id), Some(model), Some(bridge_kind), Some(bridge)) => {
                Ok(ValidController { name, place_id, model, bridge_kind, bridge })
            }
            _ => Err(FieldErrors::new()),
        }
    }
}

impl From<&Controller> for ControllerForm {
    fn from(c: &Controller) -> Self {
        ControllerForm {
            name: c.name.clone(),
            place_id: c.place_id.to_string(),
            model: c.model.as_str().to_owned(),
            bridge_kind: c.bridge_kind.as_str().to_owned(),
            bridge: BridgeFields::from_config(&c.bridge),
        }
    }
}

/// Parses a required id chosen from a list.
pub fn parse_id(text: &str, missing: &str) -> Result<i64, String> {
    match text.trim().parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(missing.to_owned()),
    }
}

/// Parses an optional id chosen from a list ("" = none).
pub fn parse_optional_id(text: &str, bad: &str) -> Result<Option<i64>, String> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        parse_id(text, bad).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_simulated_controller_pro() {
        let form = ControllerForm { name: "Front".into(), place_id: "3".into(), ..Default::default() };
        let valid = form.validate().unwrap();
        assert_eq!(valid.model, ControllerModel::ControllerPro);
        assert_eq!(valid.bridge_kind, BridgeKind::Simulated);
    }

    #[test]
    fn missing_place_and_unknown_bridge_are_refused() {
        let form = ControllerForm {
            name: "Front".into(),
            place_id: "".into(),
            bridge_kind: "zigbee".into(),
            ..Default::default()
        };
        let errors = form.validate().err().unwrap();
        assert!(errors.get("place_id").is_some());
        assert!(errors.get("bridge_kind").is_some());
    }

    #[test]
    fn mqtt_needs_a_broker_and_topic() {
        let mut form = ControllerForm { name: "Gate".into(), place_id: "1".into(), bridge_kind: "mqtt".into(), ..Default::default() };
        let errors = form.validate().err().unwrap();
        assert!(errors.get("mqtt_broker").is_some() && errors.get("mqtt_topic").is_some());
        form.bridge.mqtt_broker = "mqtt://10.0.0.5".into();
        form.bridge.mqtt_topic = "gate".into();
        let valid = form.validate().unwrap();
        assert_eq!(valid.bridge.summary(), "mqtt://10.0.0.5:1883 · topic gate");
    }

    #[test]
    fn ids() {
        assert_eq!(parse_id("12", "x"), Ok(12));
        assert!(parse_id("-1", "x").is_err());
        assert_eq!(parse_optional_id(" ", "x"), Ok(None));
    }
}
