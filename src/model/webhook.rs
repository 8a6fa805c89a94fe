//! Event webhooks as the dashboard shows and edits them: an endpoint (URL,
//! secret, event types) and the attempts of its deliveries. The delivery
//! itself is `services::webhooks`.

use crate::field_error::FieldErrors;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The event types an endpoint can follow: Kisi's name, the event log's
/// action it is made from, and what the dashboard calls it.
pub const EVENT_TYPES: &[(&str, &str, &str)] = &[
    ("lock.unlock", "unlock", "Unlocks, granted and denied"),
    ("lock.held_open", "door.held_open", "Door held open"),
    ("lock.forced_open", "door.forced_open", "Door forced open"),
    ("lock.alarm_cleared", "door.alarm_cleared", "Door alarm cleared"),
    ("lock.scheduled_unlock", "schedule.started", "Scheduled unlock started"),
    ("controller.online", "controller.online", "Controller online"),
    ("controller.offline", "controller.offline", "Controller offline"),
    ("controller.power_lost", "controller.power_lost", "Controller lost power"),
    ("controller.power_restored", "controller.power_restored", "Controller power restored"),
    ("controller.command_failed", "relay.command_failed", "Relay command failed"),
];

/// Kisi's type of an event log action, if webhooks deliver it.
pub fn event_type_of(action: &str) -> Option<&'static str> {
    EVENT_TYPES.iter().find(|(_, a, _)| *a == action).map(|(t, _, _)| *t)
}

/// A registered endpoint (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub event_types: Vec<String>,
    pub enabled: bool,
    pub created_at: i64,
    /// Deliveries waiting (first attempt or a retry).
    pub pending: i64,
    pub delivered: i64,
    /// Given up after a day of retries.
    pub failed: i64,
    /// When the endpoint is retried next, while it is failing.
    pub retry_at: Option<i64>,
}

/// One attempt to deliver one event to one endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookAttempt {
    pub id: i64,
    pub delivery_id: i64,
    pub event_id: i64,
    pub event_type: String,
    pub at: i64,
    /// The HTTP status, or none when no answer came.
    pub status_code: Option<i64>,
    pub error: String,
    pub duration_ms: i64,
    /// The delivery's state now: pending, delivered or failed.
    pub state: String,
    /// Which attempt of its delivery this was (1 = the first).
    pub attempt: i64,
}

/// The registration form. `types` holds a checkbox per event type
/// (`form[types][lock.unlock]=on`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub secret: String,
    #[serde(default)]
    pub types: BTreeMap<String, String>,
}

/// A form that passed the checks that need no network (the address's
/// checks are `services::webhooks`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidWebhook {
    pub name: String,
    pub url: String,
    pub secret: String,
    pub event_types: Vec<String>,
}

/// The shortest secret accepted: 16 characters.
pub const MIN_SECRET_LEN: usize = 16;

impl WebhookForm {
    pub fn validate(&self) -> Result<ValidWebhook, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.push("name", "Give the endpoint a name, such as the platform it feeds.");
        } else if name.chars().count() > 100 {
            errors.push("name", "Use at most 100 characters.");
        }
        let url = self.url.trim();
        let lower = url.to_ascii_lowercase();
        if url.is_empty() {
            errors.push("url", "Enter the address events are sent to, like https://example.com/hooks/postern.");
        } else if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            errors.push("url", "Only http:// and https:// addresses can receive webhooks.");
        } else if url.len() > 2000 {
            errors.push("url", "Use an address of at most 2000 characters.");
        }
        let secret = self.secret.trim();
        if secret.chars().count() < MIN_SECRET_LEN {
            errors.push("secret", format!("Use a secret of at least {MIN_SECRET_LEN} characters; the receiver checks X-Signature with it."));
        } else if secret.len() > 200 {
            errors.push("secret", "Use a secret of at most 200 characters.");
        }
        let mut event_types = Vec::new();
        for (name, value) in &self.types {
            if !crate::model::checked(&Some(value.clone())) {
                continue;
            }
            match EVENT_TYPES.iter().find(|(t, _, _)| t == name) {
                Some((t, _, _)) => event_types.push((*t).to_owned()),
                None => errors.push("types", format!("“{name}” is not an event type Postern sends.")),
            }
        }
        if event_types.is_empty() && errors.0.iter().all(|e| e.field != "types") {
            errors.push("types", "Choose at least one event type.");
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidWebhook { name: name.to_owned(), url: url.to_owned(), secret: secret.to_owned(), event_types })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(url: &str, secret: &str, types: &[&str]) -> WebhookForm {
        WebhookForm {
            name: "Optix".into(),
            url: url.into(),
            secret: secret.into(),
            types: types.iter().map(|t| ((*t).to_owned(), "on".to_owned())).collect(),
        }
    }

    fn fields(errors: FieldErrors) -> Vec<String> {
        errors.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_form_passes() {
        let valid = form("https://example.com/hook", "0123456789abcdef", &["lock.unlock"]).validate().unwrap();
        assert_eq!(valid.event_types, vec!["lock.unlock".to_owned()]);
    }

    #[test]
    fn each_bad_field_is_named() {
        assert_eq!(fields(form("ftp://example.com", "0123456789abcdef", &["lock.unlock"]).validate().unwrap_err()), ["url"]);
        assert_eq!(fields(form("https://example.com", "short", &["lock.unlock"]).validate().unwrap_err()), ["secret"]);
        assert_eq!(fields(form("https://example.com", "0123456789abcdef", &[]).validate().unwrap_err()), ["types"]);
        assert_eq!(fields(form("https://example.com", "0123456789abcdef", &["lock.explode"]).validate().unwrap_err()), ["types"]);
    }

    #[test]
    fn types_map_from_actions() {
        assert_eq!(event_type_of("unlock"), Some("lock.unlock"));
        assert_eq!(event_type_of("relay.command_failed"), Some("controller.command_failed"));
        assert_eq!(event_type_of("door.created"), None);
    }
}
