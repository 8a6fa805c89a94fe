//! `GET/POST /users`, `GET/PATCH/DELETE /users/{id}` (managers, admins
//! and owners; staff roles only by admins, as in the dashboard). The body is
//! `{"user": {...}}`; it fills the dashboard's `UserForm`.

use super::auth::ApiUser;
use super::error::ErrorBody;
use super::list_params::{self, collection_range, from_pages, ListParams};
use super::path_id::PathId;
use super::{body, ApiError, ApiState};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use postern::model::{User, UserForm};
use postern::services::{users, users::require_manager, ServiceError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A person.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// E.164, e.g. `+12025550123`.
    pub phone: Option<String>,
    /// `owner`, `admin`, `manager` or `member`.
    pub role: String,
    pub confirmed: bool,
    /// May unlock from the app and the API.
    pub app_access: bool,
    pub primary_device_restriction_enabled: bool,
    pub groups_count: i64,
    pub cards_count: i64,
}

impl From<User> for UserView {
    fn from(u: User) -> UserView {
        UserView {
            id: u.id,
            name: u.name,
            email: u.email,
            phone: u.phone,
            role: u.role.as_str().to_owned(),
            confirmed: u.confirmed,
            app_access: u.app_access,
            primary_device_restriction_enabled: u.primary_device_required,
            groups_count: u.group_count,
            cards_count: u.card_count,
        }
    }
}

/// `{"user": {...}}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserEnvelope {
    pub user: UserInput,
}

/// Roles.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    Owner,
    Admin,
    Manager,
    Member,
}

/// A person's details; on update, absent fields keep their value. `name`
/// and `email` are required on create; the role defaults to `member`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = String, min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = String, format = Email)]
    pub email: Option<String>,
    /// E.164; `null` = none.
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = RoleName)]
    pub role: Option<RoleName>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool)]
    pub confirmed: Option<bool>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool)]
    pub app_access: Option<bool>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool)]
    pub primary_device_restriction_enabled: Option<bool>,
}

impl UserInput {
    fn apply(self, form: &mut UserForm) {
        let flag = |on: bool| on.then(|| "on".to_owned());
        if let Some(name) = self.name {
            form.name = name;
        }
        if let Some(email) = self.email {
            form.email = email;
        }
        if let Some(phone) = self.phone {
            form.phone = phone.unwrap_or_default();
        }
        if let Some(role) = self.role {
            form.role = format!("{role:?}").to_lowercase();
        }
        let flags = [
            (&mut form.confirmed, self.confirmed),
            (&mut form.app_access, self.app_access),
            (&mut form.primary_device_required, self.primary_device_restriction_enabled),
        ];
        for (target, value) in flags {
            if let Some(on) = value {
                *target = flag(on);
            }
        }
    }
}

fn api_field(field: &str) -> String {
    let name = if field == "primary_device_required" { "primary_device_restriction_enabled" } else { field };
    format!("user.{name}")
}

fn service_error(error: ServiceError) -> ApiError {
    match error {
        ServiceError::Invalid(errors) => ApiError::fields(errors, api_field),
        other => other.into(),
    }
}

/// Lists people by name, `limit`/`offset` paginated.
#[utoipa::path(get, path = "/users", tag = "users",
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "People per page, 1 to 100 (default 10)."),
        ("offset" = Option<u32>, Query, minimum = 0, maximum = 1000000, description = "People to skip (default 0)."),
        ("query" = Option<String>, Query, description = "Only people whose name or email contains this text."),
        ("ids" = Option<String>, Query, pattern = r"^([1-9][0-9]{0,17}(,[1-9][0-9]{0,17}){0,99})?$",
            description = "Only these people (at most 100): `ids=1,2`, or `ids[]=1&ids[]=2`."),
        ("sort" = Option<String>, Query, pattern = "^name$", description = "`name` (the only order)."),
    ),
    responses((status = 200, body = [UserView],
            headers(("X-Collection-Range" = String, description = "`first-last/total`, or `*/total` when empty"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn list(State(state): State<ApiState>, ApiUser(user): ApiUser, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    require_manager(&user)?;
    let params = ListParams::parse(raw.as_deref(), &["name"])?;
    let db = &state.context.db;
    let (items, total) = if params.ids.is_empty() {
        from_pages(&params, |page| users::list(db, &params.query, page)).await?
    } else {
        let text = params.query.as_str().to_lowercase();
        let mut found = list_params::by_ids(&params.ids, |id| users::get(db, id)).await?;
        found.retain(|u| text.is_empty() || u.name.to_lowercase().contains(&text) || u.email.to_lowercase().contains(&text));
        found.sort_by_cached_key(|u| (u.name.to_lowercase(), u.id));
        params.window(found)
    };
    let range = collection_range(params.offset, items.len(), total);
    Ok(([range], Json(items.into_iter().map(UserView::from).collect::<Vec<_>>())).into_response())
}

/// One person.
#[utoipa::path(get, path = "/users/{id}", tag = "users",
    params(("id" = i64, Path, minimum = 1, description = "The person's id")),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn show(State(state): State<ApiState>, ApiUser(user): ApiUser, PathId(id): PathId) -> Result<Json<UserView>, ApiError> {
    if user.id != id {
        require_manager(&user)?;
    }
    Ok(Json(users::get(&state.context.db, id).await?.into()))
}

/// Adds a person (without a password: they set one through the dashboard's
/// invitation flow).
#[utoipa::path(post, path = "/users", tag = "users", request_body = UserEnvelope,
    responses((status = 200, description = "The new person", body = UserView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn create(State(state): State<ApiState>, ApiUser(user): ApiUser, bytes: Bytes) -> Result<Json<UserView>, ApiError> {
    require_manager(&user)?;
    let input = body::parse::<UserEnvelope>(&bytes, false)?.user;
    let mut form = UserForm::default();
    input.apply(&mut form);
    let valid = form.validate().map_err(|errors| ApiError::fields(errors, api_field))?;
    let db = &state.context.db;
    let id = users::create(db, &user, valid).await.map_err(service_error)?;
    Ok(Json(users::get(db, id).await?.into()))
}

/// Changes a person: only the fields given.
#[utoipa::path(patch, path = "/users/{id}", tag = "users", request_body = UserEnvelope,
    params(("id" = i64, Path, minimum = 1, description = "The person's id")),
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
    let current = users::get(db, id).await?;
    let input = body::parse::<UserEnvelope>(&bytes, false)?.user;
    let mut form = UserForm::from(&current);
    input.apply(&mut form);
    let valid = form.validate().map_err(|errors| ApiError::fields(errors, api_field))?;
    users::update(db, &user, id, valid).await.map_err(service_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a person (not the owner, not yourself).
#[utoipa::path(delete, path = "/users/{id}", tag = "users",
    params(("id" = i64, Path, minimum = 1, description = "The person's id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn destroy(State(state): State<ApiState>, ApiUser(user): ApiUser, PathId(id): PathId) -> Result<StatusCode, ApiError> {
    users::delete(&state.context.db, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_flags_fill_the_form() {
        let mut form = UserForm { name: "Mia".into(), email: "mia@example.com".into(), ..Default::default() };
        let input = UserInput { role: Some(RoleName::Manager), phone: Some(None), app_access: Some(true), ..Default::default() };
        input.apply(&mut form);
        assert_eq!((form.role.as_str(), form.phone.as_str(), form.app_access.as_deref()), ("manager", "", Some("on")));
        assert_eq!(form.name, "Mia");
    }
}
