//! `GET/POST /floors`, `GET/PATCH/DELETE /floors/{id}`: the floors of a
//! place, as Kisi's floors (`name`, `description`, `place_id`). Anyone with
//! a key reads them, as places; admins and the owner create, change and
//! delete them. A lock names its floor with `floor_id` (or Postern's
//! `floor`, by name); deleting a floor leaves its locks on no floor.

use super::auth::Caller;
use super::docs::{ById, CreateErrors, EditErrors, ListErrors, ListOf, OneErrors, Paging};
use super::list_params::ListParams;
use super::listing::{self, from_pages};
use super::path_id::PathId;
use super::{body, kisi_fields, no_content, ApiError};
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use postern::services::floors::{self, Floor, ValidFloor};
use postern::services::ServiceError;
use postern::types::{Description, Name};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A floor of a place.
#[derive(Debug, Serialize, ToSchema)]
pub struct FloorView {
    pub id: i64,
    pub name: String,
    /// `null` when empty.
    pub description: Option<String>,
    pub place_id: i64,
    /// How many locks are on it.
    pub locks_count: i64,
}

impl From<Floor> for FloorView {
    fn from(f: Floor) -> FloorView {
        FloorView {
            id: f.id,
            name: f.name,
            description: Some(f.description).filter(|d| !d.is_empty()),
            place_id: f.place_id,
            locks_count: f.door_count,
        }
    }
}

/// `{"floor": {...}}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FloorEnvelope {
    pub floor: FloorInput,
}

/// A floor's settings. On create, `name` and `place_id` are required; on
/// update, absent fields keep their value.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FloorInput {
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = String, min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    /// `null` = none.
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub description: Option<Option<String>>,
    /// Its place (a floor with locks stays at theirs).
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = i64, minimum = 1)]
    pub place_id: Option<i64>,
}

/// The body's floor written over `current` (if any) and validated, every refusal at once.
fn valid_floor(bytes: &Bytes, current: Option<&Floor>) -> Result<ValidFloor, ApiError> {
    let bytes = kisi_fields::screened("floors", bytes)?;
    let input = body::parse::<FloorEnvelope>(&bytes, false)?.floor;
    let name = input.name.or_else(|| current.map(|f| f.name.clone())).unwrap_or_default();
    let description = match input.description {
        Some(given) => given.unwrap_or_default(),
        None => current.map(|f| f.description.clone()).unwrap_or_default(),
    };
    let place_id = input.place_id.or(current.map(|f| f.place_id));
    let mut errors = postern::field_error::FieldErrors::new();
    let name = errors.check("floor.name", Name::parse(&name));
    let description = errors.check("floor.description", Description::parse(&description));
    if place_id.is_none() {
        errors.push("floor.place_id", "Give the floor's place.");
    }
    match (name, description, place_id) {
        (Some(name), Some(description), Some(place_id)) if errors.is_empty() => Ok(ValidFloor { place_id, name, description }),
        _ => Err(ApiError::fields(errors, str::to_owned)),
    }
}

/// A service error with its field under `floor.`.
fn refused(error: ServiceError) -> ApiError {
    match error {
        ServiceError::Invalid(errors) => ApiError::fields(errors, |field| format!("floor.{field}")),
        other => other.into(),
    }
}

/// Lists floors by place and name, `limit`/`offset` paginated.
#[utoipa::path(get, path = "/floors", tag = "floors",
    params(Paging, ("place_id" = Option<i64>, Query, minimum = 1, description = "Only the floors of this place.")),
    responses(ListOf::<FloorView>, ListErrors))]
pub async fn list(caller: Caller, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let params = ListParams::parse(raw.as_deref(), &[])?;
    let (items, total) = from_pages(&params, |page| floors::list(caller.db(), params.place_id, page)).await?;
    Ok(listing::answer::<_, FloorView>(&params, items, total))
}

/// One floor.
#[utoipa::path(get, path = "/floors/{id}", tag = "floors", params(ById), responses((status = 200, body = FloorView), OneErrors))]
pub async fn show(caller: Caller, PathId(id): PathId) -> Result<Json<FloorView>, ApiError> {
    Ok(Json(floors::get(caller.db(), id).await?.into()))
}

/// Creates a floor (admins and the owner).
#[utoipa::path(post, path = "/floors", tag = "floors", request_body = FloorEnvelope,
    responses((status = 200, description = "The new floor", body = FloorView), CreateErrors))]
pub async fn create(caller: Caller, bytes: Bytes) -> Result<Json<FloorView>, ApiError> {
    postern::services::users::require_admin(&caller.user)?;
    let floor = valid_floor(&bytes, None)?;
    let db = caller.db();
    let id = floors::create(db, &caller.user, floor).await.map_err(refused)?;
    Ok(Json(floors::get(db, id).await?.into()))
}

/// Changes a floor: only the fields given (admins and the owner).
#[utoipa::path(patch, path = "/floors/{id}", tag = "floors", request_body = FloorEnvelope, params(ById),
    responses((status = 204, description = "Saved"), EditErrors))]
pub async fn update(caller: Caller, PathId(id): PathId, bytes: Bytes) -> Result<StatusCode, ApiError> {
    postern::services::users::require_admin(&caller.user)?;
    let db = caller.db();
    let current = floors::get(db, id).await?;
    let floor = valid_floor(&bytes, Some(&current))?;
    no_content(floors::update(db, &caller.user, id, floor).await.map_err(refused))
}

/// Deletes a floor; its locks stay, on no floor (admins and the owner).
#[utoipa::path(delete, path = "/floors/{id}", tag = "floors", params(ById),
    responses((status = 204, description = "Deleted"), OneErrors))]
pub async fn destroy(caller: Caller, PathId(id): PathId) -> Result<StatusCode, ApiError> {
    no_content(floors::delete(caller.db(), &caller.user, id).await)
}
