//! `POST /locks`, `PATCH /locks/{id}`, `DELETE /locks/{id}` (owners and
//! admins). The body is Kisi's `{"lock": {...}}`; it fills the dashboard's
//! `DoorForm`, so the API refuses exactly what the door form refuses, each
//! message under its field's path (`lock.relay`).

use super::auth::ApiUser;
use super::error::ErrorBody;
use super::lock_view::{self, LockView};
use super::path_id::PathId;
use super::{body, ApiError, ApiState};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use postern::model::DoorForm;
use postern::services::{doors, users::require_admin};
use serde::Deserialize;
use utoipa::ToSchema;

/// `{"lock": {...}}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LockEnvelope {
    pub lock: LockInput,
}

/// The documented body of `POST /locks`: [`LockEnvelope`] with `name` and
/// `place_id` required. (It is read as a `LockEnvelope`; the door form's
/// validation asks for the two.)
pub struct NewLockEnvelope;

impl utoipa::PartialSchema for NewLockEnvelope {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, AllOfBuilder, ObjectBuilder, Ref};
        let lock = AllOfBuilder::new()
            .item(Ref::from_schema_name("LockInput"))
            .item(ObjectBuilder::new().required("name").required("place_id"));
        ObjectBuilder::new()
            .property("lock", lock)
            .required("lock")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl ToSchema for NewLockEnvelope {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        schemas.push((LockInput::name().into_owned(), <LockInput as utoipa::PartialSchema>::schema()));
        <LockInput as ToSchema>::schemas(schemas);
    }
}

/// A lock's settings. On create, `name` and `place_id` are required; on
/// update, absent fields keep their value and `null` clears a nullable one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LockInput {
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = String, min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = i64, minimum = 1)]
    pub place_id: Option<i64>,
    /// Postern: the floor's name (floors are created as needed).
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub floor: Option<Option<String>>,
    /// Both or neither; `null` = use the place's coordinates.
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<f64>, minimum = -90, maximum = 90)]
    pub latitude: Option<Option<f64>>,
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<f64>, minimum = -180, maximum = 180)]
    pub longitude: Option<Option<f64>>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool)]
    pub geofence_restriction_enabled: Option<bool>,
    /// Metres, 1 to 50000; `null` = the place's default.
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<u32>, minimum = 1, maximum = 50000)]
    pub geofence_restriction_radius: Option<Option<u32>>,
    /// Needs `reader_id`.
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool)]
    pub reader_restriction_enabled: Option<bool>,
    /// Needs `time_windows`.
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool)]
    pub time_restriction_enabled: Option<bool>,
    /// Postern: the controller and relay (1 to 4) driving it, both or neither;
    /// the controller must be at the lock's place.
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub controller_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<u8>, minimum = 1, maximum = 4)]
    pub relay: Option<Option<u8>>,
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub reader_id: Option<Option<i64>>,
    /// Postern: how the door is held shut.
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = LockKind)]
    pub lock_type: Option<LockKind>,
    /// Postern: seconds an unlock holds it open, 1 to 300.
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = u32, minimum = 1, maximum = 300)]
    pub pulse_seconds: Option<u32>,
    /// Postern: seconds it may stand open before the alarm, 0 to 3600.
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = u32, maximum = 3600)]
    pub held_open_seconds: Option<u32>,
    /// Postern: weekly windows, one per line, e.g. `Mon-Fri 08:00-18:00`.
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = String)]
    pub time_windows: Option<String>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool)]
    pub exterior: Option<bool>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool)]
    pub require_2fa: Option<bool>,
}

/// Postern's lock types.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LockKind {
    /// Electric strike, opens when power fails.
    StrikeFailSafe,
    /// Electric strike, stays locked when power fails.
    StrikeFailSecure,
    /// Magnetic lock (fail-safe).
    Magnetic,
    /// Wireless lock.
    Wireless,
}

impl LockKind {
    fn as_str(self) -> &'static str {
        match self {
            LockKind::StrikeFailSafe => "strike_fail_safe",
            LockKind::StrikeFailSecure => "strike_fail_secure",
            LockKind::Magnetic => "magnetic",
            LockKind::Wireless => "wireless",
        }
    }
}

impl LockInput {
    /// Writes the given fields over `form`.
    fn apply(self, form: &mut DoorForm) {
        fn text<T: ToString>(value: Option<T>) -> String {
            value.map(|v| v.to_string()).unwrap_or_default()
        }
        let flag = |on: bool| on.then(|| "on".to_owned());
        let set = |target: &mut String, value: Option<String>| {
            if let Some(value) = value {
                *target = value;
            }
        };
        set(&mut form.name, self.name);
        set(&mut form.description, self.description.map(text));
        set(&mut form.place_id, self.place_id.map(|id| id.to_string()));
        set(&mut form.floor, self.floor.map(text));
        set(&mut form.latitude, self.latitude.map(text));
        set(&mut form.longitude, self.longitude.map(text));
        set(&mut form.geofence_radius_m, self.geofence_restriction_radius.map(text));
        set(&mut form.controller_id, self.controller_id.map(text));
        set(&mut form.relay, self.relay.map(text));
        set(&mut form.reader_id, self.reader_id.map(text));
        set(&mut form.lock_type, self.lock_type.map(|k| k.as_str().to_owned()));
        set(&mut form.pulse_seconds, self.pulse_seconds.map(|s| s.to_string()));
        set(&mut form.held_open_seconds, self.held_open_seconds.map(|s| s.to_string()));
        set(&mut form.time_windows, self.time_windows);
        let flags = [
            (&mut form.geofence_enabled, self.geofence_restriction_enabled),
            (&mut form.reader_restriction, self.reader_restriction_enabled),
            (&mut form.time_restriction, self.time_restriction_enabled),
            (&mut form.exterior, self.exterior),
            (&mut form.require_2fa, self.require_2fa),
        ];
        for (target, value) in flags {
            if let Some(on) = value {
                *target = flag(on);
            }
        }
    }
}

/// The API's name of a `DoorForm` field, as a path in the body.
fn api_field(field: &str) -> String {
    let name = match field {
        "geofence_enabled" => "geofence_restriction_enabled",
        "geofence_radius_m" => "geofence_restriction_radius",
        "reader_restriction" => "reader_restriction_enabled",
        "time_restriction" => "time_restriction_enabled",
        other => other,
    };
    format!("lock.{name}")
}

/// Validates the form and maps its messages to the body's paths.
fn validated(form: &DoorForm) -> Result<postern::model::ValidDoor, ApiError> {
    form.validate().map_err(|errors| ApiError::fields(errors, api_field))
}

/// Saves through the service; its field errors get the body's paths too.
fn service_error(error: postern::services::ServiceError) -> ApiError {
    match error {
        postern::services::ServiceError::Invalid(errors) => ApiError::fields(errors, api_field),
        other => other.into(),
    }
}

/// Creates a lock.
#[utoipa::path(post, path = "/locks", tag = "locks", request_body = NewLockEnvelope,
    responses((status = 200, description = "The new lock", body = LockView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn create(State(state): State<ApiState>, ApiUser(user): ApiUser, bytes: Bytes) -> Result<Json<LockView>, ApiError> {
    require_admin(&user)?;
    let envelope: LockEnvelope = body::parse(&bytes, false)?;
    let mut form = DoorForm::default();
    envelope.lock.apply(&mut form);
    let db = &state.context.db;
    let id = doors::create(db, &user, validated(&form)?).await.map_err(service_error)?;
    let door = doors::get(db, id).await?;
    let view = lock_view::views(db, vec![door]).await?.pop().ok_or(ApiError::Internal)?;
    Ok(Json(view))
}

/// Changes a lock's settings: only the fields given.
#[utoipa::path(patch, path = "/locks/{id}", tag = "locks", request_body = LockEnvelope,
    params(("id" = i64, Path, minimum = 1, description = "The lock's id")),
    responses((status = 204, description = "Saved"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn update(
    State(state): State<ApiState>,
    ApiUser(user): ApiUser,
    PathId(id): PathId,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    require_admin(&user)?;
    let db = &state.context.db;
    let door = doors::get(db, id).await?;
    let envelope: LockEnvelope = body::parse(&bytes, false)?;
    let mut form = DoorForm::from(&door);
    envelope.lock.apply(&mut form);
    doors::update(db, &user, id, validated(&form)?).await.map_err(service_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a lock.
#[utoipa::path(delete, path = "/locks/{id}", tag = "locks",
    params(("id" = i64, Path, minimum = 1, description = "The lock's id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn destroy(State(state): State<ApiState>, ApiUser(user): ApiUser, PathId(id): PathId) -> Result<StatusCode, ApiError> {
    doors::delete(&state.context.db, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_given_fields_change_and_null_clears() {
        let mut form = DoorForm { name: "Front".into(), description: "Main".into(), latitude: "1".into(), ..Default::default() };
        let input = LockInput {
            description: Some(None),
            latitude: Some(Some(40.5)),
            relay: Some(Some(2)),
            geofence_restriction_enabled: Some(true),
            ..Default::default()
        };
        input.apply(&mut form);
        assert_eq!((form.name.as_str(), form.description.as_str(), form.latitude.as_str()), ("Front", "", "40.5"));
        assert_eq!((form.relay.as_str(), form.geofence_enabled.as_deref()), ("2", Some("on")));
    }

    #[test]
    fn lock_kinds_are_the_domain_names() {
        for kind in [LockKind::StrikeFailSafe, LockKind::StrikeFailSecure, LockKind::Magnetic, LockKind::Wireless] {
            assert_eq!(postern::types::LockType::parse(kind.as_str()).map(|t| t.as_str()), Ok(kind.as_str()));
        }
    }

    #[test]
    fn form_fields_get_kisi_names() {
        assert_eq!(api_field("geofence_radius_m"), "lock.geofence_restriction_radius");
        assert_eq!(api_field("relay"), "lock.relay");
    }
}
