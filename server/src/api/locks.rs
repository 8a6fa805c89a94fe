//! `GET /locks` and `GET /locks/{id}`. Managers, admins and owners see
//! every lock; members see the locks their groups link them to (Kisi: "the
//! list of all the locks that the respective user can access").

use super::auth::ApiUser;
use super::list_params::{self, collection_range, from_pages, ListParams};
use super::lock_view::{self, LockView};
use super::path_id::PathId;
use super::{ApiError, ApiState};
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use postern::model::{Door, SessionUser};
use postern::services::{doors, Db};

/// The `sort` values `GET /locks` takes; its order is place name, then lock name.
pub const SORTS: &[&str] = &["name"];

/// Lists locks, `limit`/`offset` paginated, with `X-Collection-Range`.
#[utoipa::path(get, path = "/locks", tag = "locks",
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Locks per page, 1 to 100 (default 10)."),
        ("offset" = Option<u32>, Query, minimum = 0, maximum = 1000000, description = "Locks to skip (default 0)."),
        ("query" = Option<String>, Query, description = "Only locks whose name or place name contains this text."),
        ("place_id" = Option<i64>, Query, minimum = 1, description = "Only the locks of this place."),
        ("ids" = Option<String>, Query, pattern = r"^([1-9][0-9]{0,17}(,[1-9][0-9]{0,17}){0,99})?$",
            description = "Only these locks (at most 100): `ids=1,2`, or `ids[]=1&ids[]=2`."),
        ("sort" = Option<String>, Query, pattern = "^name$", description = "`name` (the only order: place name, then lock name)."),
    ),
    responses(
        (status = 200, description = "The locks", body = [LockView],
            headers(("X-Collection-Range" = String, description = "`first-last/total`, or `*/total` when empty"))),
        (status = 401, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody),
        (status = 429, body = super::error::ErrorBody),
    ),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn list(State(state): State<ApiState>, ApiUser(user): ApiUser, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let params = ListParams::parse(raw.as_deref(), SORTS)?;
    let db = &state.context.db;
    let (page, total) = visible(db, &user, &params).await?;
    let range = collection_range(params.offset, page.len(), total);
    let views = lock_view::views(db, page).await?;
    Ok(([range], Json(views)).into_response())
}

/// One lock.
#[utoipa::path(get, path = "/locks/{id}", tag = "locks",
    params(("id" = i64, Path, minimum = 1, description = "The lock's id")),
    responses((status = 200, body = LockView), (status = 401, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody), (status = 429, body = super::error::ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn show(State(state): State<ApiState>, ApiUser(user): ApiUser, PathId(id): PathId) -> Result<Json<LockView>, ApiError> {
    let db = &state.context.db;
    let door = visible_door(db, &user, id).await?;
    let view = lock_view::views(db, vec![door]).await?.pop().ok_or(ApiError::Internal)?;
    Ok(Json(view))
}

/// The door, if this user may see it; 404 otherwise (its existence is not told).
pub async fn visible_door(db: &Db, user: &SessionUser, id: i64) -> Result<Door, ApiError> {
    if user.role.can_manage() {
        return Ok(doors::get(db, id).await?);
    }
    doors::for_user(db, user)
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or_else(|| ApiError::NotFound("Lock not found.".into()))
}

/// The requested window of the locks this user sees, and how many there are.
async fn visible(db: &Db, user: &SessionUser, params: &ListParams) -> Result<(Vec<Door>, i64), ApiError> {
    if user.role.can_manage() && params.ids.is_empty() {
        return from_pages(params, |page| doors::list_filtered(db, &params.query, page, params.place_id)).await;
    }
    let mut candidates = if user.role.can_manage() {
        by_ids(db, &params.ids).await?
    } else {
        doors::for_user(db, user).await?
    };
    candidates.retain(|d| matches(d, params));
    Ok(params.window(candidates))
}

/// The doors with these ids that exist, in list order.
async fn by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Door>, ApiError> {
    let mut found = list_params::by_ids(ids, |id| doors::get(db, id)).await?;
    found.sort_by_cached_key(|d| (d.place_name.to_lowercase(), d.name.to_lowercase(), d.id));
    Ok(found)
}

/// The list filters, applied in memory.
fn matches(door: &Door, params: &ListParams) -> bool {
    let text = params.query.as_str().to_lowercase();
    (params.ids.is_empty() || params.ids.binary_search(&door.id).is_ok())
        && params.place_id.is_none_or(|p| door.place_id == p)
        && (text.is_empty() || door.name.to_lowercase().contains(&text) || door.place_name.to_lowercase().contains(&text))
}
