//! `GET/POST /places`, `GET/PATCH/DELETE /places/{id}`, with Kisi's field
//! names (`time_zone`, `latitude`, `longitude`, `address`, `description`).
//! Anyone with a key reads them (Kisi's clients list places right after
//! signing in): admins every place, managers theirs, members the places of
//! the doors they open. Only admins and the owner create, change or delete
//! them, as in the dashboard, through the same service. The body is
//! `{"place": {...}}`; it fills the dashboard's `PlaceForm`.

use super::auth::Caller;
use super::docs::{ById, CreateErrors, EditErrors, IdsByName, ListErrors, ListOf, OneErrors, Paging};
use super::error::ErrorBody;
use super::forms::{self, filled, text, FieldNames, FormBody, Validate};
use super::list_params::ListParams;
use super::listing::{self, NameKey};
use super::lock_view::PlaceView;
use super::path_id::PathId;
use super::{body, kisi_fields, no_content, ApiError};
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use postern::model::{Place, PlaceForm, SessionUser, ValidPlace};
use postern::services::scope::Scope;
use postern::services::{doors, places, users::require_admin, Db};
use postern::types::Description;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A place (a site): what a lock shows of its place, and more.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceDetail {
    #[serde(flatten)]
    pub place: PlaceView,
    /// Kisi's description; `null` when empty.
    pub description: Option<String>,
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
            description: Some(p.description.clone()).filter(|d| !d.is_empty()),
            geofence_radius: p.geofence_radius_m,
            locks_count: p.door_count,
            locked_down: p.locked_down_at.is_some(),
            place: PlaceView::from(p),
        }
    }
}

/// `{"place": {...}}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceEnvelope {
    pub place: PlaceInput,
}

/// A place's settings. On create, `name`, `latitude`, `longitude` and
/// `time_zone` are required; on update, absent fields keep their value.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceInput {
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = String, min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    /// `null` = none.
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub address: Option<Option<String>>,
    /// `null` = none.
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub description: Option<Option<String>>,
    /// IANA time zone, e.g. `America/New_York`.
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = String)]
    pub time_zone: Option<String>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = f64, minimum = -90, maximum = 90)]
    pub latitude: Option<f64>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = f64, minimum = -180, maximum = 180)]
    pub longitude: Option<f64>,
    /// Postern: the default geofence radius of its doors, metres (1 to 50000; default 300).
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = u32, minimum = 1, maximum = 50000)]
    pub geofence_radius: Option<u32>,
}

impl FormBody for PlaceEnvelope {
    type Form = PlaceForm;
    type Valid = ValidPlace;
    const FIELDS: FieldNames = FieldNames::new("place", &[("geofence_radius_m", "geofence_radius")]);
    const VALIDATE: Validate<PlaceForm, ValidPlace> = PlaceForm::validate;

    fn apply(self, form: &mut PlaceForm) -> Result<(), ApiError> {
        let input = self.place;
        forms::set(&mut form.name, input.name);
        forms::set(&mut form.address, input.address.map(text));
        forms::set(&mut form.time_zone, input.time_zone);
        forms::set(&mut form.latitude, input.latitude.map(|v| v.to_string()));
        forms::set(&mut form.longitude, input.longitude.map(|v| v.to_string()));
        forms::set(&mut form.geofence_radius_m, input.geofence_radius.map(|v| v.to_string()));
        Ok(())
    }
}

/// The body screened against Kisi's vocabulary, and the description it gives (`Some("")` clears it).
fn read_place(bytes: &Bytes) -> Result<(Bytes, Option<Description>), ApiError> {
    let bytes = kisi_fields::screened("places", bytes)?;
    let description = body::parse::<PlaceEnvelope>(&bytes, false)?.place.description;
    let description = description
        .map(|d| Description::parse(d.as_deref().unwrap_or_default()).map_err(|message| ApiError::field("place.description", message)))
        .transpose()?;
    Ok((bytes, description))
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

/// Creates a place (admins and the owner).
#[utoipa::path(post, path = "/places", tag = "places", request_body = PlaceEnvelope,
    responses((status = 200, description = "The new place", body = PlaceDetail), CreateErrors))]
pub async fn create(caller: Caller, bytes: Bytes) -> Result<Json<PlaceDetail>, ApiError> {
    require_admin(&caller.user)?;
    let (bytes, description) = read_place(&bytes)?;
    let valid = filled::<PlaceEnvelope>(&bytes, PlaceForm::default())?;
    let db = caller.db();
    let id = places::create_described(db, &caller.user, valid, &description.unwrap_or_default())
        .await
        .map_err(|e| PlaceEnvelope::FIELDS.service_error(e))?;
    Ok(Json(places::get(db, id).await?.into()))
}

/// Changes a place: only the fields given (admins and the owner).
#[utoipa::path(patch, path = "/places/{id}", tag = "places", request_body = PlaceEnvelope, params(ById),
    responses((status = 204, description = "Saved"), EditErrors))]
pub async fn update(caller: Caller, PathId(id): PathId, bytes: Bytes) -> Result<StatusCode, ApiError> {
    require_admin(&caller.user)?;
    let db = caller.db();
    let current = places::get(db, id).await?;
    let (bytes, description) = read_place(&bytes)?;
    let valid = filled::<PlaceEnvelope>(&bytes, PlaceForm::from(&current))?;
    no_content(places::update_described(db, &caller.user, id, valid, description.as_ref()).await.map_err(|e| PlaceEnvelope::FIELDS.service_error(e)))
}

/// Deletes a place with no locks or controllers left (admins and the owner).
#[utoipa::path(delete, path = "/places/{id}", tag = "places", params(ById),
    responses((status = 204, description = "Deleted"), OneErrors,
        (status = 409, description = "The place still has locks or controllers", body = ErrorBody)))]
pub async fn destroy(caller: Caller, PathId(id): PathId) -> Result<StatusCode, ApiError> {
    no_content(places::delete(caller.db(), &caller.user, id).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kisi_fields_fill_the_place_form() {
        let mut form = PlaceForm { name: "HQ".into(), address: "1 Main St".into(), ..Default::default() };
        let place = PlaceInput { address: Some(None), latitude: Some(40.5), time_zone: Some("Europe/Berlin".into()), ..Default::default() };
        PlaceEnvelope { place }.apply(&mut form).unwrap();
        assert_eq!((form.name.as_str(), form.address.as_str(), form.latitude.as_str()), ("HQ", "", "40.5"));
        assert_eq!(form.time_zone, "Europe/Berlin");
        assert_eq!(PlaceEnvelope::FIELDS.path("geofence_radius_m"), "place.geofence_radius");
    }
}
