//! Places: sites with an address, coordinates, a time zone and a default geofence.

use super::audit::{Actor, Audit};
use super::error::{map_constraint, ConstraintRule};
use super::scope::Scope;
use super::users::require_admin;
use super::{now_ms, Db, ServiceError, ServiceResult};
use crate::model::{Listing, Place, SessionUser, ValidPlace};
use crate::types::{Description, Page, SearchQuery};

#[derive(sqlx::FromRow)]
struct PlaceRow {
    id: i64,
    name: String,
    address: String,
    latitude: f64,
    longitude: f64,
    time_zone: String,
    geofence_radius_m: i64,
    door_count: i64,
    locked_down_at: Option<i64>,
    locked_down_by: Option<String>,
    description: String,
}

impl From<PlaceRow> for Place {
    fn from(r: PlaceRow) -> Place {
        Place {
            id: r.id,
            name: r.name,
            address: r.address,
            latitude: r.latitude,
            longitude: r.longitude,
            time_zone: r.time_zone,
            geofence_radius_m: u32::try_from(r.geofence_radius_m).unwrap_or(300),
            door_count: r.door_count,
            locked_down_at: r.locked_down_at,
            locked_down_by: r.locked_down_by,
            description: r.description,
        }
    }
}

const SELECT: &str = "SELECT p.id, p.name, p.address, p.latitude, p.longitude, p.time_zone, p.geofence_radius_m,
    (SELECT COUNT(*) FROM doors d WHERE d.place_id = p.id) AS door_count, p.locked_down_at, p.locked_down_by, p.description FROM places p";

const NAME_TAKEN: &[ConstraintRule] = &[ConstraintRule {
    constraint: "places_name_key",
    sqlite_columns: "places.name",
    field: "name",
    message: "Another place already has this name.",
}];

pub async fn list(db: &Db, scope: Scope, query: &SearchQuery, page: Page) -> ServiceResult<Listing<Place>> {
    let filter = format!(
        "WHERE ($1 = '' OR LOWER(p.name) LIKE $2 ESCAPE '\\' OR LOWER(p.address) LIKE $2 ESCAPE '\\') AND {}",
        scope.place("p.id")
    );
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM places p {filter}"))
        .bind(query.as_str())
        .bind(query.like_pattern())
        .fetch_one(db.pool())
        .await?;
    let rows: Vec<PlaceRow> = sqlx::query_as(&format!("{SELECT} {filter} ORDER BY LOWER(p.name), p.id LIMIT $3 OFFSET $4"))
        .bind(query.as_str())
        .bind(query.like_pattern())
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(db.pool())
        .await?;
    Ok(Listing { items: rows.into_iter().map(Place::from).collect(), total, page: page.number, page_size: page.size })
}

/// Every place in `scope` as (id, name), for pickers.
pub async fn options(db: &Db, scope: Scope) -> ServiceResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(&format!("SELECT id, name FROM places WHERE {} ORDER BY LOWER(name)", scope.place("id")))
        .fetch_all(db.pool())
        .await?)
}

/// The place `id` if it is in `scope` ("not found" otherwise).
pub async fn get_in(db: &Db, scope: Scope, id: i64) -> ServiceResult<Place> {
    let row: Option<PlaceRow> = sqlx::query_as(&format!("{SELECT} WHERE p.id = $1 AND {}", scope.place("p.id")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.map(Place::from).ok_or(ServiceError::NotFound("place"))
}

pub async fn get(db: &Db, id: i64) -> ServiceResult<Place> {
    let row: Option<PlaceRow> = sqlx::query_as(&format!("{SELECT} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.map(Place::from).ok_or(ServiceError::NotFound("place"))
}

/// Creates a place as Postern itself (the demo, fixtures), with its audit line.
pub async fn insert(db: &Db, place: &ValidPlace) -> ServiceResult<i64> {
    insert_as(db, &Actor::System, place, "").await
}

async fn insert_as(db: &Db, actor: &Actor, place: &ValidPlace, description: &str) -> ServiceResult<i64> {
    let mut write = db.write().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO places (name, address, latitude, longitude, time_zone, geofence_radius_m, created_at, description)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(place.name.as_str())
    .bind(&place.address)
    .bind(place.latitude.value())
    .bind(place.longitude.value())
    .bind(place.time_zone.as_str())
    .bind(i64::from(place.geofence_radius.meters()))
    .bind(now_ms())
    .bind(description)
    .fetch_one(&mut *write)
    .await
    .map_err(|e| map_constraint(e, NAME_TAKEN))?;
    write.commit(Audit::new(actor, "place.created", place.name.as_str()).place(id)).await?;
    Ok(id)
}

pub async fn create(db: &Db, actor: &SessionUser, place: ValidPlace) -> ServiceResult<i64> {
    require_admin(actor)?;
    insert_as(db, &Actor::User(actor.clone()), &place, "").await
}

/// Creates a place with Kisi's `description` (the API), in one change.
pub async fn create_described(db: &Db, actor: &SessionUser, place: ValidPlace, description: &Description) -> ServiceResult<i64> {
    require_admin(actor)?;
    insert_as(db, &Actor::User(actor.clone()), &place, description.as_str()).await
}

pub async fn update(db: &Db, actor: &SessionUser, id: i64, place: ValidPlace) -> ServiceResult<()> {
    update_described(db, actor, id, place, None).await
}

/// Changes a place and, when given, its `description` (the API), in one change.
pub async fn update_described(db: &Db, actor: &SessionUser, id: i64, place: ValidPlace, description: Option<&Description>) -> ServiceResult<()> {
    require_admin(actor)?;
    let mut write = db.write().await?;
    let done = sqlx::query(
        "UPDATE places SET name = $1, address = $2, latitude = $3, longitude = $4, time_zone = $5, geofence_radius_m = $6
         WHERE id = $7",
    )
    .bind(place.name.as_str())
    .bind(&place.address)
    .bind(place.latitude.value())
    .bind(place.longitude.value())
    .bind(place.time_zone.as_str())
    .bind(i64::from(place.geofence_radius.meters()))
    .bind(id)
    .execute(&mut *write)
    .await
    .map_err(|e| map_constraint(e, NAME_TAKEN))?;
    if done.rows_affected() == 0 {
        return Err(ServiceError::NotFound("place"));
    }
    if let Some(description) = description {
        sqlx::query("UPDATE places SET description = $1 WHERE id = $2").bind(description.as_str()).bind(id).execute(&mut *write).await?;
    }
    write.commit(Audit::by(actor, "place.updated", place.name.as_str()).place(id)).await?;
    Ok(())
}

pub async fn delete(db: &Db, actor: &SessionUser, id: i64) -> ServiceResult<()> {
    require_admin(actor)?;
    let place = get(db, id).await?;
    let mut write = db.write().await?;
    sqlx::query("DELETE FROM places WHERE id = $1").bind(id).execute(&mut *write).await.map_err(|e| {
        match map_constraint(e, &[]) {
            ServiceError::Conflict(_) => ServiceError::Conflict(format!(
                "“{}” still has doors or controllers. Move or delete them first.",
                place.name
            )),
            other => other,
        }
    })?;
    write.commit(Audit::by(actor, "place.deleted", &place.name)).await?;
    Ok(())
}

/// The time zone of the first place (by name), the organization's usual zone.
pub async fn first_time_zone(db: &Db) -> ServiceResult<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT time_zone FROM places ORDER BY LOWER(name), id LIMIT 1").fetch_optional(db.pool()).await?;
    Ok(row.map(|(zone,)| zone))
}
