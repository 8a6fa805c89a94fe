//! `POST /locks`, `PATCH /locks/{id}`, `DELETE /locks/{id}` (owners and
//! admins). The body is Kisi's `{"lock": {...}}`; it fills the dashboard's
//! `DoorForm`, so the API refuses exactly what the door form refuses, each
//! message under its field's path (`lock.relay`).

use super::auth::Caller;
use super::docs::{ById, CreateErrors, EditErrors, OneErrors};
use super::forms::{self, filled, text, FieldNames, FormBody, Validate};
use super::lock_view::{self, LockView};
use super::path_id::PathId;
use super::{body, kisi_fields, no_content, ApiError};
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::Json;
use postern::model::{DoorForm, ValidDoor};
use postern::services::{doors, floors, places, users::require_admin, Db, ServiceError};
use postern::types::Name;
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
    /// Kisi: the lock's floor (of the lock's place), by id; `null` = none. Give `floor` or `floor_id`.
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub floor_id: Option<Option<i64>>,
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

impl FormBody for LockEnvelope {
    type Form = DoorForm;
    type Valid = ValidDoor;
    const FIELDS: FieldNames = FieldNames::new("lock", &[]);
    const VALIDATE: Validate<DoorForm, ValidDoor> = DoorForm::validate;

    fn apply(self, form: &mut DoorForm) -> Result<(), ApiError> {
        let input = self.lock;
        let number = |n: Option<u32>| n.map(|n| n.to_string());
        forms::set(&mut form.name, input.name);
        forms::set(&mut form.description, input.description.map(text));
        forms::set(&mut form.place_id, input.place_id.map(|id| id.to_string()));
        forms::set(&mut form.floor, input.floor.map(text));
        forms::set(&mut form.latitude, input.latitude.map(text));
        forms::set(&mut form.longitude, input.longitude.map(text));
        forms::set(&mut form.geofence_radius_m, input.geofence_restriction_radius.map(text));
        forms::set(&mut form.controller_id, input.controller_id.map(text));
        forms::set(&mut form.relay, input.relay.map(text));
        forms::set(&mut form.reader_id, input.reader_id.map(text));
        forms::set(&mut form.lock_type, input.lock_type.map(|k| k.as_str().to_owned()));
        forms::set(&mut form.pulse_seconds, number(input.pulse_seconds));
        forms::set(&mut form.held_open_seconds, number(input.held_open_seconds));
        forms::set(&mut form.time_windows, input.time_windows);
        forms::set_flags([
            (&mut form.geofence_enabled, input.geofence_restriction_enabled),
            (&mut form.reader_restriction, input.reader_restriction_enabled),
            (&mut form.time_restriction, input.time_restriction_enabled),
            (&mut form.exterior, input.exterior),
            (&mut form.require_2fa, input.require_2fa),
        ]);
        Ok(())
    }
}

/// The door, once its place is known to exist: a refusal beside
/// `lock.place_id` otherwise (the service would meet the missing place
/// first where it files a named floor, as a failed foreign key).
async fn with_place(db: &Db, door: ValidDoor) -> Result<ValidDoor, ApiError> {
    match places::get(db, door.place_id).await {
        Ok(_) => Ok(door),
        Err(ServiceError::NotFound(_)) => Err(ApiError::field("lock.place_id", "There is no place with this id.")),
        Err(other) => Err(other.into()),
    }
}

/// Screens a lock body against Kisi's vocabulary; the floor it names by
/// `floor_id`, if it does (`Some(None)`: no floor).
fn read_lock(bytes: &Bytes) -> Result<(Bytes, Option<Option<i64>>), ApiError> {
    let bytes = kisi_fields::screened("locks", bytes)?;
    let lock = body::parse::<LockEnvelope>(&bytes, false)?.lock;
    if lock.floor_id.is_some() && lock.floor.is_some() {
        return Err(ApiError::field("lock.floor_id", "Give floor (a name) or floor_id, not both."));
    }
    Ok((bytes, lock.floor_id))
}

/// The door with the floor `floor_id` names (which must be at the door's place).
async fn with_floor(db: &Db, mut door: ValidDoor, floor_id: Option<Option<i64>>) -> Result<ValidDoor, ApiError> {
    match floor_id {
        None => {}
        Some(None) => door.floor = None,
        Some(Some(id)) => {
            let floor = match floors::get(db, id).await {
                Ok(floor) => floor,
                Err(ServiceError::NotFound(_)) => return Err(ApiError::field("lock.floor_id", "There is no floor with this id.")),
                Err(other) => return Err(other.into()),
            };
            if floor.place_id != door.place_id {
                return Err(ApiError::field("lock.floor_id", "This floor is at another place than the lock."));
            }
            door.floor = Some(Name::parse(&floor.name).map_err(|message| ApiError::field("lock.floor_id", message))?);
        }
    }
    Ok(door)
}

/// Creates a lock.
#[utoipa::path(post, path = "/locks", tag = "locks", request_body = NewLockEnvelope,
    responses((status = 200, description = "The new lock", body = LockView), CreateErrors))]
pub async fn create(caller: Caller, bytes: Bytes) -> Result<Json<LockView>, ApiError> {
    require_admin(&caller.user)?;
    let (bytes, floor_id) = read_lock(&bytes)?;
    let valid = with_place(caller.db(), filled::<LockEnvelope>(&bytes, DoorForm::default())?).await?;
    let db = caller.db();
    let valid = with_floor(db, valid, floor_id).await?;
    let id = doors::create(db, &caller.user, valid).await.map_err(|e| LockEnvelope::FIELDS.service_error(e))?;
    Ok(Json(lock_view::one(db, doors::get(db, id).await?).await?))
}

/// Changes a lock's settings: only the fields given.
#[utoipa::path(patch, path = "/locks/{id}", tag = "locks", request_body = LockEnvelope, params(ById),
    responses((status = 204, description = "Saved"), EditErrors))]
pub async fn update(caller: Caller, PathId(id): PathId, bytes: Bytes) -> Result<StatusCode, ApiError> {
    require_admin(&caller.user)?;
    let door = doors::get(caller.db(), id).await?;
    let (bytes, floor_id) = read_lock(&bytes)?;
    let valid = with_place(caller.db(), filled::<LockEnvelope>(&bytes, DoorForm::from(&door))?).await?;
    let valid = with_floor(caller.db(), valid, floor_id).await?;
    no_content(doors::update(caller.db(), &caller.user, id, valid).await.map_err(|e| LockEnvelope::FIELDS.service_error(e)))
}

/// Deletes a lock.
#[utoipa::path(delete, path = "/locks/{id}", tag = "locks", params(ById),
    responses((status = 204, description = "Deleted"), OneErrors))]
pub async fn destroy(caller: Caller, PathId(id): PathId) -> Result<StatusCode, ApiError> {
    no_content(doors::delete(caller.db(), &caller.user, id).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_given_fields_change_and_null_clears() {
        let mut form = DoorForm { name: "Front".into(), description: "Main".into(), latitude: "1".into(), ..Default::default() };
        let lock = LockInput {
            description: Some(None),
            latitude: Some(Some(40.5)),
            relay: Some(Some(2)),
            geofence_restriction_enabled: Some(true),
            ..Default::default()
        };
        LockEnvelope { lock }.apply(&mut form).unwrap();
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
        assert_eq!(LockEnvelope::FIELDS.path("geofence_radius_m"), "lock.geofence_restriction_radius");
        assert_eq!(LockEnvelope::FIELDS.path("relay"), "lock.relay");
    }
}
