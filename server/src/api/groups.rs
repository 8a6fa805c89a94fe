//! `GET/POST /groups`, `GET/PATCH/DELETE /groups/{id}` (managers, admins
//! and owners). The body is `{"group": {...}}`; it fills the dashboard's
//! `GroupForm`, so both refuse the same things.

use super::auth::Caller;
use super::docs::{ById, CreateErrors, EditErrors, IdsByName, ListErrors, ListOf, OneErrors, Paging};
use super::forms::{self, filled, FieldNames, FormBody, Validate};
use super::list_params::ListParams;
use super::listing::{self, NameKey};
use super::path_id::PathId;
use super::times::{rfc3339, utc_wall_time};
use super::{body, kisi_fields, no_content, ApiError};
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use postern::model::{Group, GroupForm, ValidGroup};
use postern::services::scope::Scope;
use postern::services::{doors, groups, users::require_manager, Db, ServiceError};
use postern::types::TimeZoneName;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A group: who may open which locks, when and how.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupView {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    /// RFC 3339; `null` = valid now.
    pub valid_from: Option<String>,
    /// RFC 3339; `null` = never expires.
    pub valid_until: Option<String>,
    pub geofence_restriction_enabled: bool,
    pub reader_restriction_enabled: bool,
    pub time_restriction_enabled: bool,
    /// Weekly windows, one per line, e.g. `Mon-Fri 08:00-18:00` (read in each lock's place's zone).
    pub time_windows: String,
    pub primary_device_restriction_enabled: bool,
    pub members_count: i64,
    pub locks_count: i64,
    /// Kisi: the place of a place group (only its locks may be linked; its
    /// place's managers manage it); `null` for an organization group.
    pub place_id: Option<i64>,
    /// Kisi: always `true` (members may unlock from the app; Postern switches app access per person).
    pub login_enabled: bool,
    /// Kisi: always `false` (Postern does not know managed devices).
    pub managed_device_restriction_enabled: bool,
}


impl From<Group> for GroupView {
    fn from(g: Group) -> GroupView {
        GroupView {
            id: g.id,
            name: g.name,
            description: Some(g.description).filter(|d| !d.is_empty()),
            valid_from: g.valid_from.map(rfc3339),
            valid_until: g.valid_until.map(rfc3339),
            geofence_restriction_enabled: g.geofence_enabled,
            reader_restriction_enabled: g.reader_restriction,
            time_restriction_enabled: g.time_restriction,
            time_windows: g.time_windows,
            primary_device_restriction_enabled: g.primary_device_required,
            members_count: g.member_count,
            locks_count: g.door_count,
            place_id: g.place_id,
            login_enabled: true,
            managed_device_restriction_enabled: false,
        }
    }
}

/// `{"group": {...}}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupEnvelope {
    pub group: GroupInput,
}

/// A group's settings; on update, absent fields keep their value and
/// `null` clears a nullable one. `name` is required on create.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = String, min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub description: Option<Option<String>>,
    /// RFC 3339; `null` = valid now.
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub valid_from: Option<Option<String>>,
    /// RFC 3339, after `valid_from`; `null` = never expires.
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub valid_until: Option<Option<String>>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool)]
    pub geofence_restriction_enabled: Option<bool>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool)]
    pub reader_restriction_enabled: Option<bool>,
    /// Needs `time_windows`.
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool)]
    pub time_restriction_enabled: Option<bool>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = String)]
    pub time_windows: Option<String>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool)]
    pub primary_device_restriction_enabled: Option<bool>,
    /// Kisi: scopes the group to a place (only its locks may be linked; its
    /// place's managers manage it); `null` = an organization group (admins
    /// only: a manager's groups need one of their places).
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub place_id: Option<Option<i64>>,
    /// Kisi: locks to link to the group, as ids or `{"id": …}` objects (at most 100).
    #[serde(default)]
    #[schema(value_type = Option<Vec<i64>>)]
    #[allow(dead_code)]
    pub locks_to_assign: Option<()>,
    /// Kisi: `true` (or `null`) only: Postern's groups always let members unlock from the app.
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    #[allow(dead_code)]
    pub login_enabled: Option<()>,
    /// Kisi: `false` (or `null`) only: Postern does not know managed devices.
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    #[allow(dead_code)]
    pub managed_device_restriction_enabled: Option<()>,
    /// Kisi: empty (or `null`) only: Postern has no elevators.
    #[serde(default)]
    #[schema(value_type = Option<Vec<i64>>)]
    #[allow(dead_code)]
    pub elevator_stops_to_assign: Option<()>,
}

/// The lock ids of `locks_to_assign`: `[1, 2]` or `[{"id": 1}]`.
fn lock_ids(value: Option<serde_json::Value>) -> Result<Vec<i64>, ApiError> {
    let refused = || ApiError::field("group.locks_to_assign", "Give lock ids, e.g. [1, 2] or [{\"id\": 1}], at most 100.");
    let Some(value) = value else { return Ok(Vec::new()) };
    let items = match value {
        serde_json::Value::Null => return Ok(Vec::new()),
        serde_json::Value::Array(items) if items.len() <= 100 => items,
        _ => return Err(refused()),
    };
    let mut ids: Vec<i64> = items
        .iter()
        .map(|item| item.as_i64().or_else(|| item.get("id").and_then(serde_json::Value::as_i64)).filter(|id| *id > 0).ok_or_else(refused))
        .collect::<Result<_, _>>()?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Screens a group body against Kisi's vocabulary and takes out what the
/// form does not hold: the locks to link.
fn read_extras(bytes: &Bytes) -> Result<(Bytes, Vec<i64>), ApiError> {
    let mut screened = kisi_fields::screen("groups", bytes)?;
    let locks = lock_ids(screened.take("group", "locks_to_assign"))?;
    Ok((screened.bytes(bytes), locks))
}

/// Checks the locks to link before anything is written: each exists for
/// the caller (refused beside `group.locks_to_assign`). Their places are
/// checked against the group's in the change's own transaction.
async fn check_locks(db: &Db, scope: Scope, locks: &[i64]) -> Result<(), ApiError> {
    for &lock in locks {
        match doors::get_in(db, scope, lock).await {
            Ok(_) => {}
            Err(ServiceError::NotFound(_)) => return Err(ApiError::field("group.locks_to_assign", format!("There is no lock {lock}."))),
            Err(other) => return Err(other.into()),
        }
    }
    Ok(())
}

/// A refusal of the change, its `door_id` under `group.locks_to_assign`.
fn refused(error: ServiceError) -> ApiError {
    const FIELDS: FieldNames = FieldNames::new("group", &[("door_id", "locks_to_assign")]);
    FIELDS.service_error(error)
}

impl FormBody for GroupEnvelope {
    type Form = GroupForm;
    type Valid = ValidGroup;
    const FIELDS: FieldNames = FieldNames::new("group", &[]);
    const VALIDATE: Validate<GroupForm, ValidGroup> = GroupForm::validate;

    /// Writes the given fields over `form`, whose zone becomes UTC.
    fn apply(self, form: &mut GroupForm) -> Result<(), ApiError> {
        let input = self.group;
        forms::set(&mut form.name, input.name);
        forms::set(&mut form.description, input.description.map(Option::unwrap_or_default));
        if let Some(from) = input.valid_from {
            form.valid_from = utc_wall_time("group.valid_from", from.as_deref())?;
        }
        if let Some(until) = input.valid_until {
            form.valid_until = utc_wall_time("group.valid_until", until.as_deref())?;
        }
        forms::set(&mut form.time_windows, input.time_windows);
        forms::set_flags([
            (&mut form.geofence_enabled, input.geofence_restriction_enabled),
            (&mut form.reader_restriction, input.reader_restriction_enabled),
            (&mut form.time_restriction, input.time_restriction_enabled),
            (&mut form.primary_device_required, input.primary_device_restriction_enabled),
        ]);
        if let Some(place) = input.place_id {
            form.place_id = place.map(|id| id.to_string()).unwrap_or_default();
        }
        form.time_zone = "UTC".into();
        Ok(())
    }
}

/// Lists groups by name, `limit`/`offset` paginated.
#[utoipa::path(get, path = "/groups", tag = "groups",
    params(Paging, ("query" = Option<String>, Query, description = "Only groups whose name or description contains this text."), IdsByName),
    responses(ListOf::<GroupView>, ListErrors))]
pub async fn list(caller: Caller, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    require_manager(&caller.user)?;
    let params = ListParams::parse(raw.as_deref(), &["name"])?;
    let db = caller.db();
    let key: NameKey<Group> = |g| (&g.name, &g.description, g.id);
    let scope = Scope::of(&caller.user);
    let (items, total) =
        listing::by_name(&params, key, |page| groups::list(db, scope, &params.query, page), |id| groups::get_in(db, scope, id)).await?;
    Ok(listing::answer::<_, GroupView>(&params, items, total))
}

/// One group.
#[utoipa::path(get, path = "/groups/{id}", tag = "groups", params(ById),
    responses((status = 200, body = GroupView), OneErrors))]
pub async fn show(caller: Caller, PathId(id): PathId) -> Result<Json<GroupView>, ApiError> {
    require_manager(&caller.user)?;
    Ok(Json(groups::get_in(caller.db(), Scope::of(&caller.user), id).await?.into()))
}

/// Creates a group.
#[utoipa::path(post, path = "/groups", tag = "groups", request_body = GroupEnvelope,
    responses((status = 200, description = "The new group", body = GroupView), CreateErrors))]
pub async fn create(caller: Caller, bytes: Bytes) -> Result<Json<GroupView>, ApiError> {
    require_manager(&caller.user)?;
    let (bytes, locks) = read_extras(&bytes)?;
    let valid = filled::<GroupEnvelope>(&bytes, GroupForm::default())?;
    let db = caller.db();
    check_locks(db, Scope::of(&caller.user), &locks).await?;
    let id = groups::create_linked(db, &caller.user, valid, &locks).await.map_err(refused)?;
    Ok(Json(groups::get(db, id).await?.into()))
}

/// Changes a group: only the fields given.
#[utoipa::path(patch, path = "/groups/{id}", tag = "groups", request_body = GroupEnvelope, params(ById),
    responses((status = 204, description = "Saved"), EditErrors))]
pub async fn update(caller: Caller, PathId(id): PathId, bytes: Bytes) -> Result<StatusCode, ApiError> {
    require_manager(&caller.user)?;
    let db = caller.db();
    let scope = Scope::of(&caller.user);
    let group = groups::get_in(db, scope, id).await?;
    let (bytes, locks) = read_extras(&bytes)?;
    let utc = TimeZoneName::parse("UTC").map_err(|_| ApiError::Internal)?;
    let valid = filled::<GroupEnvelope>(&bytes, GroupForm::from_group(&group, &utc))?;
    check_locks(db, scope, &locks).await?;
    groups::update_linked(db, &caller.user, id, valid, &locks).await.map_err(refused)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a group (its members keep their accounts).
#[utoipa::path(delete, path = "/groups/{id}", tag = "groups", params(ById),
    responses((status = 204, description = "Deleted"), OneErrors))]
pub async fn destroy(caller: Caller, PathId(id): PathId) -> Result<StatusCode, ApiError> {
    no_content(groups::delete(caller.db(), &caller.user, id).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_fields_fill_the_form_in_utc() {
        let mut form = GroupForm { name: "Staff".into(), description: "All".into(), ..Default::default() };
        let group = GroupInput {
            description: Some(None),
            valid_until: Some(Some("2030-01-01T10:00:00+02:00".into())),
            time_restriction_enabled: Some(true),
            ..Default::default()
        };
        GroupEnvelope { group }.apply(&mut form).unwrap();
        assert_eq!((form.name.as_str(), form.description.as_str()), ("Staff", ""));
        assert_eq!((form.valid_until.as_str(), form.time_zone.as_str()), ("2030-01-01T08:00:00", "UTC"));
        assert_eq!(form.time_restriction.as_deref(), Some("on"));
        assert_eq!(GroupEnvelope::FIELDS.path("primary_device_required"), "group.primary_device_restriction_enabled");
    }
}
