//! Kisi's vocabulary: every request field Kisi documents for the resources
//! Postern serves, and what Postern does with it, in one table ([`TABLE`]).
//! Bodies are screened against it ([`screen`]) before they are read: a field
//! Postern cannot honour is refused with a 422 that says "not supported by
//! Postern", one that asks for nothing is dropped, and the rest is read by
//! the resource's own struct (which still refuses any name in neither
//! vocabulary, naming it). The same table is rendered into the OpenAPI
//! document's description and README's API section ([`markdown`]).

use super::ApiError;
use axum::body::Bytes;
use serde_json::{Map, Value};

/// What Postern does with a Kisi field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Treatment {
    /// Postern has the meaning: the field sets it.
    Mapped,
    /// Data Postern keeps and shows back as given.
    Stored,
    /// A feature Postern lacks: `null` or the empty value of the field's
    /// kind (`false`, `0`, `""`, `[]`) is accepted and ignored; any other
    /// value (a wrong kind too) is refused.
    IgnoredWhenEmpty(Kind),
    /// Postern always behaves as `true` asks: `true` (or `null`) is accepted,
    /// `false` is refused.
    IgnoredWhenTrue,
    /// Refused whatever its value.
    Unsupported,
}

/// The JSON kind of an ignored field, whose empty value is accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bool,
    Number,
    Text,
    List,
}

impl Kind {
    /// Whether `value` is `null` or this kind's empty value.
    fn is_empty(self, value: &Value) -> bool {
        match (self, value) {
            (_, Value::Null) => true,
            (Kind::Bool, Value::Bool(b)) => !b,
            (Kind::Number, Value::Number(n)) => n.as_f64() == Some(0.0),
            (Kind::Text, Value::String(s)) => s.trim().is_empty(),
            (Kind::List, Value::Array(a)) => a.is_empty(),
            _ => false,
        }
    }
}

impl Treatment {
    fn label(self) -> &'static str {
        match self {
            Treatment::Mapped => "mapped",
            Treatment::Stored => "stored",
            Treatment::IgnoredWhenEmpty(_) => "ignored when empty",
            Treatment::IgnoredWhenTrue => "ignored when true",
            Treatment::Unsupported => "refused",
        }
    }
}

/// One Kisi field: the API resource (`users`), the body's object it sits in
/// (`user`), its name, Postern's treatment and a note.
#[derive(Clone, Copy, Debug)]
pub struct KisiField {
    pub resource: &'static str,
    pub object: &'static str,
    pub field: &'static str,
    pub treatment: Treatment,
    pub note: &'static str,
}

const fn f(resource: &'static str, object: &'static str, field: &'static str, treatment: Treatment, note: &'static str) -> KisiField {
    KisiField { resource, object, field, treatment, note }
}

use Kind::{Bool, List, Number, Text};
use Treatment::{IgnoredWhenEmpty, IgnoredWhenTrue, Mapped, Stored, Unsupported};

/// Every Kisi request field of the resources Postern serves.
pub const TABLE: &[KisiField] = &[
    f("users", "user", "name", Mapped, "The person's name."),
    f("users", "user", "email", Mapped, "The person's email (their sign-in)."),
    f("users", "user", "access_enabled", Mapped, "Postern's app access: off stops the person's unlocks, sessions, keys and logins at once."),
    f("users", "user", "send_emails", Mapped, "welcome flow: whether the welcome email goes out."),
    f("users", "user", "confirm", Mapped, "welcome flow: create the person confirmed."),
    f("users", "user", "password_flow_enabled", Mapped, "welcome flow: the set-password link."),
    f("users", "user", "metadata", Stored, "A JSON object (or null), shown back as given."),
    f("users", "user", "notes", Stored, "Text (or null), shown back as given."),
    f("users", "user", "image", IgnoredWhenEmpty(Text), "Postern keeps no pictures of people."),
    f("groups", "group", "name", Mapped, "The group's name."),
    f("groups", "group", "description", Mapped, "The group's description."),
    f("groups", "group", "place_id", Mapped, "A place group: only that place's locks may be linked to it (null: an organization group)."),
    f("groups", "group", "locks_to_assign", Mapped, "Locks linked on create, as ids or {\"id\"} objects (each a group lock)."),
    f("groups", "group", "login_enabled", IgnoredWhenTrue, "Postern's groups always let members unlock from the app; switch app access off per person."),
    f("groups", "group", "geofence_restriction_enabled", Mapped, "The group's geofence restriction."),
    f("groups", "group", "primary_device_restriction_enabled", Mapped, "The group's primary device restriction."),
    f("groups", "group", "reader_restriction_enabled", Mapped, "The group's reader restriction."),
    f("groups", "group", "time_restriction_enabled", Mapped, "The group's time restriction (needs Postern's `time_windows`)."),
    f("groups", "group", "managed_device_restriction_enabled", IgnoredWhenEmpty(Bool), "Postern does not know managed (MDM) devices."),
    f("groups", "group", "elevator_stops_to_assign", IgnoredWhenEmpty(List), "Postern has no elevators."),
    f("group_locks", "group_lock", "group_id", Mapped, "The group."),
    f("group_locks", "group_lock", "lock_id", Mapped, "The lock (a place group's own place only)."),
    f("role_assignments", "role_assignment", "user_id", Mapped, "The person."),
    f("role_assignments", "role_assignment", "group_id", Mapped, "The group: a role assignment is a group membership."),
    f("role_assignments", "role_assignment", "role_id", Mapped, "`group_basic` (a member who may open the group's locks); `group_manager` is refused."),
    f("role_assignments", "role_assignment", "valid_from", Mapped, "When the membership starts (RFC 3339)."),
    f("role_assignments", "role_assignment", "valid_until", Mapped, "When it ends (RFC 3339)."),
    f("role_assignments", "role_assignment", "notify", IgnoredWhenEmpty(Bool), "Postern's access email follows the organization setting, not the request."),
    f("role_assignments", "role_assignment", "place_id", IgnoredWhenEmpty(Number), "Postern has no place-level role assignments."),
    f("role_assignments", "role_assignment", "organization_id", IgnoredWhenEmpty(Number), "Postern has no organization-level role assignments; use the person's role."),
    f("group_links", "group_link", "name", Mapped, "Who the link is for."),
    f("group_links", "group_link", "group_id", Mapped, "The group whose locks it opens."),
    f("group_links", "group_link", "email", Mapped, "Send the link by email (else it is returned once)."),
    f("group_links", "group_link", "valid_from", Mapped, "RFC 3339."),
    f("group_links", "group_link", "valid_until", Mapped, "RFC 3339."),
    f("cards", "card", "user_id", Mapped, "Whose card it is."),
    f("cards", "card", "card_number", Mapped, "With `facility_code`, Postern's `number` (`facility:card`)."),
    f("cards", "card", "facility_code", Mapped, "See `card_number`."),
    f("cards", "card", "token", Unsupported, "Postern knows cards by their number: send `card_number` (and `facility_code`)."),
    f("cards", "card", "type", IgnoredWhenEmpty(Text), "Postern does not tell card technologies apart."),
    f("cards", "card", "two_factor_pin", IgnoredWhenEmpty(Text), "Postern has no card PINs."),
    f("cards", "card", "send_two_factor_pin_notification", IgnoredWhenEmpty(Bool), "Postern has no card PINs."),
    f("locks", "lock", "name", Mapped, "The lock's name."),
    f("locks", "lock", "description", Mapped, "The lock's description."),
    f("locks", "lock", "place_id", Mapped, "Its place."),
    f("locks", "lock", "floor_id", Mapped, "Its floor (of the same place), or null."),
    f("locks", "lock", "latitude", Mapped, "Its own coordinates (null: the place's)."),
    f("locks", "lock", "longitude", Mapped, "See `latitude`."),
    f("locks", "lock", "geofence_restriction_enabled", Mapped, "The lock's geofence restriction."),
    f("locks", "lock", "geofence_restriction_radius", Mapped, "Metres."),
    f("locks", "lock", "reader_restriction_enabled", Mapped, "Needs Postern's `reader_id`."),
    f("locks", "lock", "time_restriction_enabled", Mapped, "Needs Postern's `time_windows`."),
    f("locks", "lock", "order", IgnoredWhenEmpty(Number), "Postern lists locks by place and name."),
    f("locks", "lock", "favorite", IgnoredWhenEmpty(Bool), "Postern has no favourite locks."),
    f("locks", "lock", "integration_id", IgnoredWhenEmpty(Number), "Postern has no third-party lock integrations; locks are wired to its controllers."),
    f("places", "place", "name", Mapped, "The place's name."),
    f("places", "place", "address", Mapped, "Its address."),
    f("places", "place", "description", Stored, "Text, shown back as given."),
    f("places", "place", "time_zone", Mapped, "IANA zone; schedules and time restrictions read it."),
    f("places", "place", "latitude", Mapped, "Required by Postern (geofences)."),
    f("places", "place", "longitude", Mapped, "Required by Postern (geofences)."),
    f("places", "place", "image", IgnoredWhenEmpty(Text), "Postern keeps no pictures of places."),
    f("floors", "floor", "name", Mapped, "The floor's name, unique in its place."),
    f("floors", "floor", "description", Mapped, "Its description."),
    f("floors", "floor", "place_id", Mapped, "Its place."),
    f("logins", "login", "type", Mapped, "`device` or `api`."),
    f("logins", "login", "name", Mapped, "A name to tell logins apart."),
    f("logins", "login", "user_id", Mapped, "Staff: the person the login is for."),
    f("logins", "login", "email", Mapped, "Staff: the person the login is for, by email."),
    f("logins", "login", "device_brand", Mapped, "Names the login when `name` is not given."),
    f("logins", "login", "device_model", Mapped, "Names the login when `name` is not given."),
    f("logins", "login", "os_name", Mapped, "Names the login when `name` is not given."),
    f("logins", "user", "email", Mapped, "Signing in: the person's email."),
    f("logins", "user", "password", Mapped, "Signing in: the password."),
    f("logins", "user", "domain", Mapped, "The organization: Postern serves one, so any value names it."),
    f("logins", "user", "otp_attempt", IgnoredWhenEmpty(Text), "Postern asks no one-time code of API sign-ins."),
];

/// The fields of one resource's object.
fn fields<'a>(resource: &'a str, object: &'a str) -> impl Iterator<Item = &'static KisiField> + 'a {
    TABLE.iter().filter(move |f| f.resource == resource && f.object == object)
}

/// The refusal of `object.field`.
fn unsupported(object: &str, field: &KisiField) -> ApiError {
    ApiError::field(&format!("{object}.{}", field.field), format!("{} is not supported by Postern: {}", field.field, field.note))
}

/// Applies the table to one object of a body: drops what asks for nothing,
/// refuses what Postern cannot give.
fn screen_object(resource: &str, object: &str, map: &mut Map<String, Value>) -> Result<(), ApiError> {
    for field in fields(resource, object) {
        let Some(value) = map.get(field.field) else { continue };
        let drop = match field.treatment {
            Treatment::Mapped | Treatment::Stored => false,
            Treatment::IgnoredWhenEmpty(kind) if kind.is_empty(value) => true,
            Treatment::IgnoredWhenTrue if matches!(value, Value::Null | Value::Bool(true)) => true,
            Treatment::IgnoredWhenEmpty(_) | Treatment::IgnoredWhenTrue | Treatment::Unsupported => {
                return Err(unsupported(object, field));
            }
        };
        if drop {
            map.remove(field.field);
        }
    }
    Ok(())
}

/// A body screened against [`TABLE`] for `resource`, as a document to read
/// (malformed JSON is left for [`super::body::parse`] to name).
pub struct Screened(pub Option<Value>);

impl Screened {
    /// Takes a field out of `object` (one the body parser would refuse, e.g. an array).
    pub fn take(&mut self, object: &str, field: &str) -> Option<Value> {
        self.0.as_mut()?.get_mut(object)?.as_object_mut()?.remove(field)
    }

    /// The body to read.
    pub fn bytes(&self, original: &Bytes) -> Bytes {
        match &self.0 {
            Some(document) => Bytes::from(document.to_string()),
            None => original.clone(),
        }
    }
}

/// Screens every object of the body that [`TABLE`] lists for `resource`.
pub fn screen(resource: &str, bytes: &Bytes) -> Result<Screened, ApiError> {
    let Ok(mut document) = serde_json::from_slice::<Value>(bytes) else { return Ok(Screened(None)) };
    if let Some(root) = document.as_object_mut() {
        for (object, inner) in root.iter_mut() {
            if let Some(map) = inner.as_object_mut() {
                screen_object(resource, object, map)?;
            }
        }
    }
    Ok(Screened(Some(document)))
}

/// Screens and reads a body in one step (for bodies with nothing to take out).
pub fn screened(resource: &str, bytes: &Bytes) -> Result<Bytes, ApiError> {
    Ok(screen(resource, bytes)?.bytes(bytes))
}

/// The table as Markdown, for the OpenAPI description and README.
pub fn markdown() -> String {
    let mut out = String::from("| resource | field | Postern | note |\n|---|---|---|---|\n");
    for f in TABLE {
        let path = if f.resource.trim_end_matches('s') == f.object { f.field.to_owned() } else { format!("{}.{}", f.object, f.field) };
        out.push_str(&format!("| {} | `{path}` | {} | {} |\n", f.resource, f.treatment.label(), f.note.replace('|', "\\|")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn run(resource: &str, body: Value) -> Result<Value, Vec<String>> {
        match screen(resource, &Bytes::from(body.to_string())) {
            Ok(Screened(document)) => Ok(document.unwrap()),
            Err(ApiError::Invalid(map)) => Err(map.into_iter().flat_map(|(k, v)| v.into_iter().map(move |m| format!("{k}: {m}"))).collect()),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn empty_values_of_missing_features_are_dropped_and_real_ones_refused() {
        let kept = run("groups", json!({"group": {"name": "A", "managed_device_restriction_enabled": false, "login_enabled": true}})).unwrap();
        assert_eq!(kept, json!({"group": {"name": "A"}}));
        let refused = run("groups", json!({"group": {"name": "A", "managed_device_restriction_enabled": true}})).unwrap_err();
        assert!(refused[0].starts_with("group.managed_device_restriction_enabled: ") && refused[0].contains("not supported by Postern"), "{refused:?}");
        let refused = run("groups", json!({"group": {"login_enabled": false}})).unwrap_err();
        assert!(refused[0].contains("login_enabled is not supported by Postern"), "{refused:?}");
        assert!(run("cards", json!({"card": {"token": "abc"}})).is_err());
        // The empty value of another kind is refused: `0` is no boolean.
        assert!(run("groups", json!({"group": {"managed_device_restriction_enabled": 0}})).is_err());
        assert!(run("locks", json!({"lock": {"order": false}})).is_err());
        assert_eq!(run("locks", json!({"lock": {"order": 0, "favorite": false}})).unwrap(), json!({"lock": {}}));
        assert_eq!(run("users", json!({"user": {"image": null, "notes": "x"}})).unwrap(), json!({"user": {"notes": "x"}}));
    }

    #[test]
    fn only_the_resources_own_objects_are_screened() {
        // `user.otp_attempt` is screened for logins, not for users (where it stays unknown).
        assert_eq!(run("logins", json!({"user": {"otp_attempt": ""}})).unwrap(), json!({"user": {}}));
        assert_eq!(run("users", json!({"user": {"otp_attempt": ""}})).unwrap(), json!({"user": {"otp_attempt": ""}}));
        assert!(matches!(screen("users", &Bytes::from_static(b"{")), Ok(Screened(None))));
    }

    #[test]
    fn the_table_names_each_field_once_and_readme_shows_it() {
        let mut seen = BTreeSet::new();
        for f in TABLE {
            assert!(seen.insert((f.resource, f.object, f.field)), "{} {}.{} twice", f.resource, f.object, f.field);
            assert!(!f.note.is_empty());
        }
        let readme = include_str!("../../../README.md");
        assert!(readme.contains(&markdown()), "README's Kisi field table is not the table in kisi_fields.rs; paste in:\n{}", markdown());
    }

    use serde_json::json;
}
