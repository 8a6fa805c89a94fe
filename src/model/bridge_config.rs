//! How Postern reaches a controller: nothing to set for a simulated one, a
//! broker and a Tasmota topic for MQTT, a device address for a Shelly Gen2
//! over HTTP. Stored as JSON in `controllers.bridge_config`; passwords never
//! go back to the browser (the form leaves them blank to keep them).

use crate::field_error::FieldErrors;
use crate::types::BridgeKind;
use serde::{Deserialize, Serialize};

/// A controller's connection, by bridge kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BridgeConfig {
    /// Runs inside Postern.
    #[default]
    Simulated,
    /// A Tasmota relay board behind an MQTT broker.
    Mqtt(MqttSettings),
    /// A Shelly Gen2 relay reached over HTTP JSON-RPC.
    Http(HttpSettings),
}

/// An MQTT broker and the device's Tasmota topic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MqttSettings {
    /// Broker host name or address.
    pub host: String,
    /// Broker port (1883 by default).
    pub port: u16,
    /// The device's Tasmota topic: `cmnd/<topic>/POWER1`, `stat/<topic>/…`, `tele/<topic>/LWT`.
    pub topic: String,
    /// Broker user name ("" = none).
    #[serde(default)]
    pub username: String,
    /// Broker password ("" = none).
    #[serde(default)]
    pub password: String,
}

/// A Shelly Gen2 device's address (`http://host[:port]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpSettings {
    /// Base URL, scheme and authority only.
    pub address: String,
    /// The device's admin password ("" = authentication off).
    #[serde(default)]
    pub password: String,
}

impl BridgeConfig {
    /// The kind this configuration is for.
    pub fn kind(&self) -> BridgeKind {
        match self {
            BridgeConfig::Simulated => BridgeKind::Simulated,
            BridgeConfig::Mqtt(_) => BridgeKind::Mqtt,
            BridgeConfig::Http(_) => BridgeKind::Http,
        }
    }

    /// One line naming where the controller is reached, without secrets.
    pub fn summary(&self) -> String {
        match self {
            BridgeConfig::Simulated => "Simulated inside Postern".into(),
            BridgeConfig::Mqtt(m) => format!("mqtt://{}:{} · topic {}", m.host, m.port, m.topic),
            BridgeConfig::Http(h) => h.address.clone(),
        }
    }

    /// The same configuration with passwords blanked, for the browser.
    pub fn without_secrets(&self) -> BridgeConfig {
        match self {
            BridgeConfig::Simulated => BridgeConfig::Simulated,
            BridgeConfig::Mqtt(m) => BridgeConfig::Mqtt(MqttSettings { password: String::new(), ..m.clone() }),
            BridgeConfig::Http(h) => BridgeConfig::Http(HttpSettings { password: String::new(), ..h.clone() }),
        }
    }

    /// Keeps the stored password where the form left it blank.
    pub fn keep_password_from(self, stored: &BridgeConfig) -> BridgeConfig {
        match (self, stored) {
            (BridgeConfig::Mqtt(mut m), BridgeConfig::Mqtt(old)) if m.password.is_empty() && m.host == old.host => {
                m.password = old.password.clone();
                BridgeConfig::Mqtt(m)
            }
            (BridgeConfig::Http(mut h), BridgeConfig::Http(old)) if h.password.is_empty() && h.address == old.address => {
                h.password = old.password.clone();
                BridgeConfig::Http(h)
            }
            (other, _) => other,
        }
    }
}

/// The connection fields of the controller form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BridgeFields {
    /// `mqtt://host:port` or `host:port` or `host`.
    #[serde(default)]
    pub mqtt_broker: String,
    #[serde(default)]
    pub mqtt_topic: String,
    #[serde(default)]
    pub mqtt_username: String,
    #[serde(default)]
    pub mqtt_password: String,
    /// `http://host[:port]`.
    #[serde(default)]
    pub http_address: String,
    #[serde(default)]
    pub http_password: String,
}

impl BridgeFields {
    /// The fields filled from a stored configuration (passwords left blank).
    pub fn from_config(config: &BridgeConfig) -> BridgeFields {
        match config {
            BridgeConfig::Simulated => BridgeFields::default(),
            BridgeConfig::Mqtt(m) => BridgeFields {
                mqtt_broker: format!("mqtt://{}:{}", m.host, m.port),
                mqtt_topic: m.topic.clone(),
                mqtt_username: m.username.clone(),
                ..Default::default()
            },
            BridgeConfig::Http(h) => BridgeFields { http_address: h.address.clone(), ..Default::default() },
        }
    }

    /// Checks the fields the chosen kind needs; errors go under the field names.
    pub fn validate(&self, kind: BridgeKind, errors: &mut FieldErrors) -> Option<BridgeConfig> {
        match kind {
            BridgeKind::Simulated => Some(BridgeConfig::Simulated),
            BridgeKind::Mqtt => {
                let broker = errors.check("mqtt_broker", parse_broker(&self.mqtt_broker));
                let topic = errors.check("mqtt_topic", parse_topic(&self.mqtt_topic));
                let username = errors.check("mqtt_username", short_secret(&self.mqtt_username, "user name"));
                let password = errors.check("mqtt_password", short_secret(&self.mqtt_password, "password"));
                let ((host, port), topic, username, password) = (broker?, topic?, username?, password?);
                Some(BridgeConfig::Mqtt(MqttSettings { host, port, topic, username, password }))
            }
            BridgeKind::Http => {
                let address = errors.check("http_address", parse_http_address(&self.http_address));
                let password = errors.check("http_password", short_secret(&self.http_password, "password"));
                Some(BridgeConfig::Http(HttpSettings { address: address?, password: password? }))
            }
        }
    }
}

/// `mqtt://host:port`, `host:port` or `host` (port 1883).
pub fn parse_broker(text: &str) -> Result<(String, u16), String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("Enter the broker's address, such as mqtt://192.168.1.20:1883.".into());
    }
    let rest = match text.split_once("://") {
        Some(("mqtt" | "tcp", rest)) => rest,
        Some((scheme, _)) => return Err(format!("Use mqtt://host:port (\"{scheme}://\" is not supported).")),
        None => text,
    };
    let rest = rest.trim_end_matches('/');
    let (host, port) = split_host_port(rest, 1883).map_err(|e| format!("{e} Example: mqtt://192.168.1.20:1883."))?;
    Ok((host, port))
}

/// A Tasmota topic: letters, digits, `_`, `-`, `.` and inner `/`; no wildcards.
pub fn parse_topic(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("Enter the device's topic, as set in Tasmota (Configuration → MQTT → Topic).".into());
    }
    if text.len() > 64 {
        return Err("A topic has at most 64 characters.".into());
    }
    if text.starts_with('/') || text.ends_with('/') || text.contains("//") {
        return Err("A topic neither starts nor ends with \"/\".".into());
    }
    if !text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')) {
        return Err("Use letters, digits, \"_\", \"-\", \".\" and \"/\" only (no spaces, \"+\" or \"#\").".into());
    }
    Ok(text.to_owned())
}

/// `http://host[:port]`: scheme and authority only.
pub fn parse_http_address(text: &str) -> Result<String, String> {
    let text = text.trim().trim_end_matches('/');
    if text.is_empty() {
        return Err("Enter the device's address, such as http://192.168.1.30.".into());
    }
    let rest = match text.split_once("://") {
        Some(("http", rest)) => rest,
        Some((scheme, _)) => return Err(format!("Use http://host (\"{scheme}://\" is not supported by Shelly Gen2 devices).")),
        None => text,
    };
    if rest.contains('/') || rest.contains('?') || rest.contains('@') {
        return Err("Enter only the address, such as http://192.168.1.30:80, without a path or user.".into());
    }
    let (host, port) = split_host_port(rest, 80).map_err(|e| format!("{e} Example: http://192.168.1.30."))?;
    Ok(if port == 80 { format!("http://{host}") } else { format!("http://{host}:{port}") })
}

fn split_host_port(text: &str, default_port: u16) -> Result<(String, u16), String> {
    let (host, port) = match text.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => {
            let port = port.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| format!("\"{port}\" is not a port (1 to 65535)."))?;
            (host, port)
        }
        Some(_) => return Err("IPv6 addresses are not supported yet; use a host name or IPv4 address.".into()),
        None => (text, default_port),
    };
    let valid = !host.is_empty()
        && host.len() <= 253
        && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && !host.starts_with('-')
        && !host.starts_with('.');
    if !valid {
        return Err(format!("\"{host}\" is not a host name or IPv4 address."));
    }
    Ok((host.to_ascii_lowercase(), port))
}

fn short_secret(text: &str, what: &str) -> Result<String, String> {
    if text.len() > 128 {
        Err(format!("The {what} has at most 128 characters."))
    } else if text.chars().any(char::is_control) {
        Err(format!("The {what} cannot contain control characters."))
    } else {
        Ok(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(broker: &str, topic: &str) -> BridgeFields {
        BridgeFields { mqtt_broker: broker.into(), mqtt_topic: topic.into(), ..Default::default() }
    }

    #[test]
    fn brokers() {
        assert_eq!(parse_broker("mqtt://127.0.0.1:1883"), Ok(("127.0.0.1".into(), 1883)));
        assert_eq!(parse_broker("Broker.local"), Ok(("broker.local".into(), 1883)));
        assert_eq!(parse_broker("tcp://b:1884/"), Ok(("b".into(), 1884)));
        assert!(parse_broker("").unwrap_err().contains("broker"));
        assert!(parse_broker("https://b").unwrap_err().contains("not supported"));
        assert!(parse_broker("b:99999").unwrap_err().contains("port"));
        assert!(parse_broker("b c:1").unwrap_err().contains("host"));
    }

    #[test]
    fn topics() {
        assert_eq!(parse_topic(" tasmota_1A2B3C "), Ok("tasmota_1A2B3C".into()));
        assert_eq!(parse_topic("office/front"), Ok("office/front".into()));
        for bad in ["", "a b", "door/#", "+/x", "/x", "x/", "a//b"] {
            assert!(parse_topic(bad).is_err(), "{bad:?}");
        }
        assert!(parse_topic(&"t".repeat(65)).is_err());
    }

    #[test]
    fn http_addresses() {
        assert_eq!(parse_http_address("http://192.168.1.30/"), Ok("http://192.168.1.30".into()));
        assert_eq!(parse_http_address("shelly.local:8080"), Ok("http://shelly.local:8080".into()));
        assert!(parse_http_address("https://x").is_err());
        assert!(parse_http_address("http://x/rpc").is_err());
        assert!(parse_http_address("http://u@x").is_err());
        assert!(parse_http_address("").is_err());
    }

    #[test]
    fn validate_by_kind() {
        let mut errors = FieldErrors::new();
        assert_eq!(BridgeFields::default().validate(BridgeKind::Simulated, &mut errors), Some(BridgeConfig::Simulated));
        let config = fields("mqtt://h:1", "t").validate(BridgeKind::Mqtt, &mut errors).unwrap();
        assert_eq!(config.kind(), BridgeKind::Mqtt);
        assert!(errors.is_empty());
        assert_eq!(fields("", "").validate(BridgeKind::Mqtt, &mut errors), None);
        assert!(errors.get("mqtt_broker").is_some() && errors.get("mqtt_topic").is_some());
        let mut errors = FieldErrors::new();
        assert_eq!(BridgeFields::default().validate(BridgeKind::Http, &mut errors), None);
        assert!(errors.get("http_address").is_some());
    }

    #[test]
    fn passwords_stay_on_the_server() {
        let stored = BridgeConfig::Mqtt(MqttSettings {
            host: "h".into(),
            port: 1883,
            topic: "t".into(),
            username: "u".into(),
            password: "secret".into(),
        });
        let shown = stored.without_secrets();
        assert!(!format!("{shown:?}").contains("secret"));
        assert!(!format!("{:?}", BridgeFields::from_config(&stored)).contains("secret"));
        assert_eq!(shown.clone().keep_password_from(&stored), stored);
        // A new broker does not inherit the old broker's password.
        let BridgeConfig::Mqtt(mut moved) = shown else { unreachable!() };
        moved.host = "elsewhere".into();
        assert_eq!(BridgeConfig::Mqtt(moved).keep_password_from(&stored).summary(), "mqtt://elsewhere:1883 · topic t");
    }
}
