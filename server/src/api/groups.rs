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
use super::{body, no_content, ApiError};
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use postern::model::{Group, GroupForm, ValidGroup};
use postern::services::scope::Scope;
use postern::services::{groups, users::require_manager};
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
    /// The place the group belongs to; `null`: the whole organization's.
    pub place_id: Option<i64>,
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
    /// Kisi's `place_id`: the place the group belongs to (its locks are
    /// there; its place's managers manage it); `null` = the whole
    /// organization's (admins only). A manager's groups need one of their places.
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub place_id: Option<Option<i64>>,
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
    let (items, total) = listing::by_name(&params, key, |page| groups::list(db, Scope::of(&caller.user), &params.query, page), |id| groups::get_in(db, Scope::of(&caller.user), id)).await?;
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
    let valid = filled::<GroupEnvelope>(&bytes, GroupForm::default())?;
    let id = groups::create(caller.db(), &caller.user, valid).await.map_err(|e| GroupEnvelope::FIELDS.service_error(e))?;
    Ok(Json(groups::get_in(caller.db(), Scope::of(&caller.user), id).await?.into()))
}

/// Changes a group: only the fields given.
#[utoipa::path(patch, path = "/groups/{id}", tag = "groups", request_body = GroupEnvelope, params(ById),
    responses((status = 204, description = "Saved"), EditErrors))]
pub async fn update(caller: Caller, PathId(id): PathId, bytes: Bytes) -> Result<StatusCode, ApiError> {
    require_manager(&caller.user)?;
    let group = groups::get_in(caller.db(), Scope::of(&caller.user), id).await?;
    let utc = TimeZoneName::parse("UTC").map_err(|_| ApiError::Internal)?;
    let valid = filled::<GroupEnvelope>(&bytes, GroupForm::from_group(&group, &utc))?;
    no_content(groups::update(caller.db(), &caller.user, id, valid).await.map_err(|e| GroupEnvelope::FIELDS.service_error(e)))
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
