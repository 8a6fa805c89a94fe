//! `GET /locks` and `GET /locks/{id}`. Admins and owners see every lock,
//! managers the locks of their places; members see the locks their groups link them to (Kisi: "the
//! list of all the locks that the respective user can access").

use super::auth::Caller;
use super::docs::{ById, IdsByName, ListOf, Paging, ReadErrors};
use super::list_params::ListParams;
use super::listing::{self, from_pages};
use super::lock_list_cache::CachedPage;
use super::lock_view::{self, LockView};
use super::path_id::PathId;
use super::ApiError;
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::response::Response;
use axum::Json;
use postern::door_status::DoorStatus;
use postern::model::{Door, SessionUser};
use postern::services::scope::Scope;
use postern::services::{doors, now_ms, Db};

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
    if caller.user.role.can_manage() && params.ids.is_empty() {
        return managers_page(&caller, params).await;
    }
    let (views, total) = visible(caller.db(), &caller.user, &params).await?;
    Ok(listing::answer::<_, LockView>(&params, views, total))
}

/// A manager's page (the locks in their scope, one query), answered from the
/// [`LockListCache`](super::lock_list_cache::LockListCache) while the database has not changed and no unlock on
/// the page has run out since it was read.
async fn managers_page(caller: &Caller, params: ListParams) -> Result<Response, ApiError> {
    let cache = &caller.state.lock_lists;
    let version = caller.seen.clone();
    let now = now_ms();
    let scope = Scope::of(&caller.user);
    if let Some(page) = cache.get(&version, scope, &params, now) {
        return Ok(page.response());
    }
    let db = caller.db();
    let (page, total) = from_pages(&params, |page| doors::list_placed(db, scope, &params.query, page, params.place_id)).await?;
    let fresh_until_ms = page
        .iter()
        .filter_map(|placed| match placed.door.status {
            DoorStatus::Unlocked { until } => Some(until.millis()),
            _ => None,
        })
        .min()
        .unwrap_or(i64::MAX);
    let range = listing::collection_range(params.offset, page.len(), total);
    let views: Vec<LockView> = page.into_iter().map(lock_view::placed).collect();
    let body = Bytes::from(serde_json::to_vec(&views).map_err(|_| ApiError::Internal)?);
    let answered = CachedPage::new(body, range.1, fresh_until_ms);
    let response = answered.response();
    cache.put(version, scope, params, answered);
    Ok(response)
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
        return Ok(doors::get_in(db, Scope::of(user), id).await?);
    }
    doors::for_user(db, user)
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or_else(|| ApiError::NotFound("Lock not found.".into()))
}

/// The requested window of the locks this user sees, and how many there are.
/// (Managers' pages without `ids` are [`managers_page`]'s.)
async fn visible(db: &Db, user: &SessionUser, params: &ListParams) -> Result<(Vec<LockView>, i64), ApiError> {
    let mut candidates = if user.role.can_manage() {
        by_ids(db, Scope::of(user), &params.ids).await?
    } else {
        doors::for_user(db, user).await?
    };
    candidates.retain(|d| matches(d, params));
    let (page, total) = params.window(candidates);
    Ok((lock_view::views(db, page).await?, total))
}

/// The doors with these ids that exist, in list order.
async fn by_ids(db: &Db, scope: Scope, ids: &[i64]) -> Result<Vec<Door>, ApiError> {
    let mut found = listing::by_ids(ids, |id| doors::get_in(db, scope, id)).await?;
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
