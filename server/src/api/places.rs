//! `GET /places` and `GET /places/{id}`, with Kisi's field names
//! (`time_zone`, `latitude`, `longitude`, `address`). Anyone with a key
//! reads them (Kisi's clients list places right after signing in): admins
//! every place, managers theirs, members the places of the doors they open.

use super::auth::Caller;
use super::docs::{ById, IdsByName, ListErrors, ListOf, OneErrors, Paging};
use super::list_params::ListParams;
use super::listing::{self, NameKey};
use super::lock_view::PlaceView;
use super::path_id::PathId;
use super::ApiError;
use axum::extract::RawQuery;
use axum::response::Response;
use axum::Json;
use postern::model::Place;
use postern::model::SessionUser;
use postern::services::scope::Scope;
use postern::services::{doors, places, Db};
use serde::Serialize;
use utoipa::ToSchema;

/// A place (a site): what a lock shows of its place, and more.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceDetail {
    #[serde(flatten)]
    pub place: PlaceView,
    /// The default geofence radius of its doors, in metres.
    pub geofence_radius: u32,
    /// How many locks it has.
    pub locks_count: i64,
    /// Whether every door of the place is locked down.
    pub locked_down: bool,
}

impl From<Place> for PlaceDetail {
    fn from(p: Place) -> PlaceDetail {
        PlaceDetail {
            geofence_radius: p.geofence_radius_m,
            locks_count: p.door_count,
            locked_down: p.locked_down_at.is_some(),
            place: PlaceView::from(p),
        }
    }
}

/// Lists places by name, `limit`/`offset` paginated.
#[utoipa::path(get, path = "/places", tag = "places",
    params(Paging, ("query" = Option<String>, Query, description = "Only places whose name or address contains this text."), IdsByName),
    responses(ListOf::<PlaceDetail>, ListErrors))]
pub async fn list(caller: Caller, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let params = ListParams::parse(raw.as_deref(), &["name"])?;
    let db = caller.db();
    if !caller.user.role.can_manage() {
        let text = params.query.as_str().to_lowercase();
        let reached: Vec<Place> = members_places(db, &caller.user)
            .await?
            .into_iter()
            .filter(|p| params.ids.is_empty() || params.ids.binary_search(&p.id).is_ok())
            .filter(|p| text.is_empty() || p.name.to_lowercase().contains(&text) || p.address.to_lowercase().contains(&text))
            .collect();
        let (items, total) = params.window(reached);
        return Ok(listing::answer::<_, PlaceDetail>(&params, items, total));
    }
    let scope = Scope::of(&caller.user);
    let key: NameKey<Place> = |p| (&p.name, &p.address, p.id);
    let (items, total) =
        listing::by_name(&params, key, |page| places::list(db, scope, &params.query, page), |id| places::get_in(db, scope, id)).await?;
    Ok(listing::answer::<_, PlaceDetail>(&params, items, total))
}

/// One place.
#[utoipa::path(get, path = "/places/{id}", tag = "places", params(ById), responses((status = 200, body = PlaceDetail), OneErrors))]
pub async fn show(caller: Caller, PathId(id): PathId) -> Result<Json<PlaceDetail>, ApiError> {
    let db = caller.db();
    if !caller.user.role.can_manage() {
        let place = members_places(db, &caller.user).await?.into_iter().find(|p| p.id == id);
        return place.map(|p| Json(p.into())).ok_or_else(|| ApiError::NotFound("Place not found.".into()));
    }
    Ok(Json(places::get_in(db, Scope::of(&caller.user), id).await?.into()))
}

/// The places of the doors a member opens, by name.
async fn members_places(db: &Db, user: &SessionUser) -> Result<Vec<Place>, ApiError> {
    let mut ids: Vec<i64> = doors::for_user(db, user).await?.into_iter().map(|d| d.place_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        found.push(places::get(db, id).await?);
    }
    found.sort_by_cached_key(|p| (p.name.to_lowercase(), p.id));
    Ok(found)
}
