//! `GET/POST /groups`, `GET/PATCH/DELETE /groups/{id}` (managers, admins
//! and owners). The body is `{"group": {...}}`; it fills the dashboard's
//! `GroupForm`, so both refuse the same things.

use super::auth::ApiUser;
use super::error::ErrorBody;
use super::list_params::{self, collection_range, from_pages, ListParams};
use super::path_id::PathId;
use super::times::{rfc3339, utc_wall_time};
use super::{body, ApiError, ApiState};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use postern::model::{Group, GroupForm};
use postern::services::{groups, users::require_manager, ServiceError};
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
}

impl GroupInput {
    /// Writes the given fields over `form` (whose zone is UTC).
    fn apply(self, form: &mut GroupForm) -> Result<(), ApiError> {
        let flag = |on: bool| on.then(|| "on".to_owned());
        if let Some(name) = self.name {
            form.name = name;
        }
        if let Some(description) = self.description {
            form.description = description.unwrap_or_default();
        }
        if let Some(from) = self.valid_from {
            form.valid_from = utc_wall_time("group.valid_from", from.as_deref())?;
        }
        if let Some(until) = self.valid_until {
            form.valid_until = utc_wall_time("group.valid_until", until.as_deref())?;
        }
        if let Some(windows) = self.time_windows {
            form.time_windows = windows;
        }
        let flags = [
            (&mut form.geofence_enabled, self.geofence_restriction_enabled),
            (&mut form.reader_restriction, self.reader_restriction_enabled),
            (&mut form.time_restriction, self.time_restriction_enabled),
            (&mut form.primary_device_required, self.primary_device_restriction_enabled),
        ];
        for (target, value) in flags {
            if let Some(on) = value {
                *target = flag(on);
            }
        }
        form.time_zone = "UTC".into();
        Ok(())
    }
}

/// The body's path of a `GroupForm` field.
fn api_field(field: &str) -> String {
    let name = match field {
        "geofence_enabled" => "geofence_restriction_enabled",
        "reader_restriction" => "reader_restriction_enabled",
        "time_restriction" => "time_restriction_enabled",
        "primary_device_required" => "primary_device_restriction_enabled",
        other => other,
    };
    format!("group.{name}")
}

fn service_error(error: ServiceError) -> ApiError {
    match error {
        ServiceError::Invalid(errors) => ApiError::fields(errors, api_field),
        other => other.into(),
    }
}

/// Lists groups by name, `limit`/`offset` paginated.
#[utoipa::path(get, path = "/groups", tag = "groups",
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Groups per page, 1 to 100 (default 10)."),
        ("offset" = Option<u32>, Query, minimum = 0, maximum = 1000000, description = "Groups to skip (default 0)."),
        ("query" = Option<String>, Query, description = "Only groups whose name or description contains this text."),
        ("ids" = Option<String>, Query, pattern = r"^([1-9][0-9]{0,17}(,[1-9][0-9]{0,17}){0,99})?$",
            description = "Only these groups (at most 100): `ids=1,2`, or `ids[]=1&ids[]=2`."),
        ("sort" = Option<String>, Query, pattern = "^name$", description = "`name` (the only order)."),
    ),
    responses((status = 200, body = [GroupView],
            headers(("X-Collection-Range" = String, description = "`first-last/total`, or `*/total` when empty"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn list(State(state): State<ApiState>, ApiUser(user): ApiUser, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    require_manager(&user)?;
    let params = ListParams::parse(raw.as_deref(), &["name"])?;
    let db = &state.context.db;
    let (items, total) = if params.ids.is_empty() {
        from_pages(&params, |page| groups::list(db, &params.query, page)).await?
    } else {
        let text = params.query.as_str().to_lowercase();
        let mut found = list_params::by_ids(&params.ids, |id| groups::get(db, id)).await?;
        found.retain(|g| text.is_empty() || g.name.to_lowercase().contains(&text) || g.description.to_lowercase().contains(&text));
        found.sort_by_cached_key(|g| (g.name.to_lowercase(), g.id));
        params.window(found)
    };
    let range = collection_range(params.offset, items.len(), total);
    Ok(([range], Json(items.into_iter().map(GroupView::from).collect::<Vec<_>>())).into_response())
}

/// One group.
#[utoipa::path(get, path = "/groups/{id}", tag = "groups",
    params(("id" = i64, Path, minimum = 1, description = "The group's id")),
    responses((status = 200, body = GroupView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn show(State(state): State<ApiState>, ApiUser(user): ApiUser, PathId(id): PathId) -> Result<Json<GroupView>, ApiError> {
    require_manager(&user)?;
    Ok(Json(groups::get(&state.context.db, id).await?.into()))
}

/// Creates a group.
#[utoipa::path(post, path = "/groups", tag = "groups", request_body = GroupEnvelope,
    responses((status = 200, description = "The new group", body = GroupView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn create(State(state): State<ApiState>, ApiUser(user): ApiUser, bytes: Bytes) -> Result<Json<GroupView>, ApiError> {
    require_manager(&user)?;
    let input = body::parse::<GroupEnvelope>(&bytes, false)?.group;
    let mut form = GroupForm::default();
    input.apply(&mut form)?;
    let valid = form.validate().map_err(|errors| ApiError::fields(errors, api_field))?;
    let db = &state.context.db;
    let id = groups::create(db, &user, valid).await.map_err(service_error)?;
    Ok(Json(groups::get(db, id).await?.into()))
}

/// Changes a group: only the fields given.
#[utoipa::path(patch, path = "/groups/{id}", tag = "groups", request_body = GroupEnvelope,
    params(("id" = i64, Path, minimum = 1, description = "The group's id")),
    responses((status = 204, description = "Saved"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn update(
    State(state): State<ApiState>,
    ApiUser(user): ApiUser,
    PathId(id): PathId,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    require_manager(&user)?;
    let db = &state.context.db;
    let group = groups::get(db, id).await?;
    let input = body::parse::<GroupEnvelope>(&bytes, false)?.group;
    let utc = TimeZoneName::parse("UTC").map_err(|_| ApiError::Internal)?;
    let mut form = GroupForm::from_group(&group, &utc);
    input.apply(&mut form)?;
    let valid = form.validate().map_err(|errors| ApiError::fields(errors, api_field))?;
    groups::update(db, &user, id, valid).await.map_err(service_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a group (its members keep their accounts).
#[utoipa::path(delete, path = "/groups/{id}", tag = "groups",
    params(("id" = i64, Path, minimum = 1, description = "The group's id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn destroy(State(state): State<ApiState>, ApiUser(user): ApiUser, PathId(id): PathId) -> Result<StatusCode, ApiError> {
    groups::delete(&state.context.db, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_fields_fill_the_form_in_utc() {
        let mut form = GroupForm { name: "Staff".into(), description: "All".into(), ..Default::default() };
        let input = GroupInput {
            description: Some(None),
            valid_until: Some(Some("2030-01-01T10:00:00+02:00".into())),
            time_restriction_enabled: Some(true),
            ..Default::default()
        };
        input.apply(&mut form).unwrap();
        assert_eq!((form.name.as_str(), form.description.as_str()), ("Staff", ""));
        assert_eq!((form.valid_until.as_str(), form.time_zone.as_str()), ("2030-01-01T08:00:00", "UTC"));
        assert_eq!(form.time_restriction.as_deref(), Some("on"));
        assert_eq!(api_field("primary_device_required"), "group.primary_device_restriction_enabled");
    }
}
