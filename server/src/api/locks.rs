//! `GET /locks` and `GET /locks/{id}`. Managers, admins and owners see
//! every lock; members see the locks their groups link them to (Kisi: "the
//! list of all the locks that the respective user can access").

use super::auth::Caller;
use super::docs::{ById, IdsByName, ListOf, Paging, ReadErrors};
use super::list_params::ListParams;
use super::listing::{self, from_pages};
use super::lock_view::{self, LockView};
use super::path_id::PathId;
use super::ApiError;
use axum::extract::RawQuery;
use axum::response::Response;
use axum::Json;
use postern::model::{Door, SessionUser};
use postern::services::{doors, Db};

/// The `sort` values `GET /locks` takes; its order is place name, then lock name.
pub const SORTS: &[&str] = &["name"];

/// Lists locks, `limit`/`offset` paginated, with `X-Collection-Range`.
#[utoipa::path(get, path = "/locks", tag = "locks",
    params(Paging,
        ("query" = Option<String>, Query, description = "Only locks whose name or place name contains this text."),
        ("place_id" = Option<i64>, Query, minimum = 1, description = "Only the locks of this place."),
        IdsByName),
    responses(ListOf::<LockView>, ReadErrors))]
pub async fn list(caller: Caller, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let params = ListParams::parse(raw.as_deref(), SORTS)?;
    let (page, total) = visible(caller.db(), &caller.user, &params).await?;
    let views = lock_view::views(caller.db(), page).await?;
    Ok(listing::answer::<_, LockView>(&params, views, total))
}

/// One lock.
#[utoipa::path(get, path = "/locks/{id}", tag = "locks", params(ById),
    responses((status = 200, body = LockView), ReadErrors))]
pub async fn show(caller: Caller, PathId(id): PathId) -> Result<Json<LockView>, ApiError> {
    let door = visible_door(caller.db(), &caller.user, id).await?;
    Ok(Json(lock_view::one(caller.db(), door).await?))
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
    let mut found = listing::by_ids(ids, |id| doors::get(db, id)).await?;
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
