//! One event as Kisi's webhook body, its `uuid`, and the signature.

use crate::model::webhook::event_type_of;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
pub use uuid::Uuid;

/// The event as the event log holds it (the columns the body needs).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub at: i64,
    pub actor_kind: String,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub subject: String,
    pub door_id: Option<i64>,
    pub place_id: Option<i64>,
    pub link_id: Option<i64>,
    pub result: String,
    pub reasons: String,
    pub details: String,
}

/// Kisi's webhook event.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct WebhookBody {
    pub uuid: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub actor_type: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub object_type: String,
    pub object_id: Option<i64>,
    pub object_name: String,
    pub success: bool,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub place_id: Option<i64>,
    /// RFC 3339, UTC, milliseconds.
    pub created_at: String,
}

/// The `uuid` of event `id`: the same at every attempt and for every
/// endpoint (v5 of the id in the database's own namespace, so two
/// databases never share one).
pub fn event_uuid(namespace: &uuid::Uuid, id: i64) -> String {
    uuid::Uuid::new_v5(namespace, id.to_string().as_bytes()).to_string()
}

/// The body of `event`.
pub fn body(namespace: &uuid::Uuid, event: &EventRow) -> WebhookBody {
    let (actor_type, actor_id) = match event.actor_kind.as_str() {
        "user" | "api_key" | "card" => ("User", event.actor_user_id),
        "link" => ("AccessLink", event.link_id),
        "schedule" => ("Schedule", None),
        _ => ("System", None),
    };
    let (object_type, object_id) = if event.action.starts_with("controller.") || event.action.starts_with("relay.") {
        ("Controller", None)
    } else {
        ("Lock", event.door_id)
    };
    let success = matches!(event.result.as_str(), "granted" | "ok");
    let reasons: Vec<String> = serde_json::from_str(&event.reasons).unwrap_or_default();
    WebhookBody {
        uuid: event_uuid(namespace, event.id),
        event_type: event_type_of(&event.action).unwrap_or("unknown").to_owned(),
        actor_type: actor_type.to_owned(),
        actor_id,
        actor_name: event.actor_name.clone(),
        object_type: object_type.to_owned(),
        object_id,
        object_name: event.subject.clone(),
        success,
        error_code: (!success).then(|| reasons.first().cloned().unwrap_or_else(|| event.result.clone())),
        error_message: (!success && !event.details.is_empty()).then(|| event.details.clone()),
        place_id: event.place_id,
        created_at: jiff::Timestamp::from_millisecond(event.at)
            .map(|t| format!("{t:.3}"))
            .unwrap_or_default(),
    }
}

/// `X-Signature`: the HMAC-SHA256 of `body` under `secret`, in lower-case hex.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_rfc_4231_case_2() {
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_denied_unlock_as_kisi_sends_it() {
        let namespace = uuid::Uuid::from_u128(7);
        let event = EventRow {
            id: 42,
            at: 1_700_000_000_123,
            actor_kind: "user".into(),
            actor_user_id: Some(3),
            actor_name: "Mia <mia@example.com>".into(),
            action: "unlock".into(),
            subject: "Front".into(),
            door_id: Some(9),
            place_id: Some(1),
            link_id: None,
            result: "denied".into(),
            reasons: "[\"outside_schedule\"]".into(),
            details: "Outside the group's hours.".into(),
        };
        let body = body(&namespace, &event);
        assert_eq!(body.event_type, "lock.unlock");
        assert_eq!((body.actor_type.as_str(), body.actor_id), ("User", Some(3)));
        assert_eq!((body.object_type.as_str(), body.object_id, body.object_name.as_str()), ("Lock", Some(9), "Front"));
        assert!(!body.success);
        assert_eq!(body.error_code.as_deref(), Some("outside_schedule"));
        assert_eq!(body.created_at, "2023-11-14T22:13:20.123Z");
        assert_eq!(body.uuid, event_uuid(&namespace, 42), "stable");
        assert_ne!(body.uuid, event_uuid(&namespace, 43));
    }
}
