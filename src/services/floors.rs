//! Floors: an optional grouping of a place's doors (SPEC §1), named per
//! place. Doors name their floor (`DoorForm::floor`, filed by
//! `doors::floor_id`); Kisi's API also manages floors on their own, with
//! a description. Only admins create, change or delete them, as places.

use super::audit::Audit;
use super::error::{map_constraint, ConstraintRule};
use super::users::require_admin;
use super::{Db, ServiceError, ServiceResult};
use crate::model::{Listing, SessionUser};
use crate::types::{Description, Name, Page};

/// A floor of a place.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Floor {
    pub id: i64,
    pub place_id: i64,
    pub name: String,
    pub description: String,
    /// Doors on this floor.
    pub door_count: i64,
}

/// A floor's validated settings.
pub struct ValidFloor {
    pub place_id: i64,
    pub name: Name,
    pub description: Description,
}

const SELECT: &str = "SELECT f.id, f.place_id, f.name, f.description,
    (SELECT COUNT(*) FROM doors d WHERE d.floor_id = f.id) AS door_count FROM floors f";

const NAME_TAKEN: &[ConstraintRule] = &[ConstraintRule {
    constraint: "floors_place_name_key",
    sqlite_columns: "floors.place_id, floors.name",
    field: "name",
    message: "This place already has a floor with this name.",
}];

/// Floors by place, then name; only one place's with `place_id`.
pub async fn list(db: &Db, place_id: Option<i64>, page: Page) -> ServiceResult<Listing<Floor>> {
    let filter = "WHERE ($1 = 0 OR f.place_id = $1)";
    let place = place_id.unwrap_or(0);
    let (total,): (i64,) =
        sqlx::query_as(&format!("SELECT COUNT(*) FROM floors f {filter}")).bind(place).fetch_one(db.pool()).await?;
    let items: Vec<Floor> = sqlx::query_as(&format!("{SELECT} {filter} ORDER BY f.place_id, LOWER(f.name), f.id LIMIT $2 OFFSET $3"))
        .bind(place)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(db.pool())
        .await?;
    Ok(Listing { items, total, page: page.number, page_size: page.size })
}

pub async fn get(db: &Db, id: i64) -> ServiceResult<Floor> {
    sqlx::query_as(&format!("{SELECT} WHERE f.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(ServiceError::NotFound("floor"))
}

/// Whether the place exists: a refusal beside `place_id` otherwise.
async fn check_place(db: &Db, place_id: i64) -> ServiceResult<()> {
    match super::places::get(db, place_id).await {
        Ok(_) => Ok(()),
        Err(ServiceError::NotFound(_)) => Err(ServiceError::field("place_id", "There is no place with this id.")),
        Err(other) => Err(other),
    }
}

pub async fn create(db: &Db, actor: &SessionUser, floor: ValidFloor) -> ServiceResult<i64> {
    require_admin(actor)?;
    check_place(db, floor.place_id).await?;
    let mut write = db.write().await?;
    let (id,): (i64,) = sqlx::query_as("INSERT INTO floors (place_id, name, description) VALUES ($1, $2, $3) RETURNING id")
        .bind(floor.place_id)
        .bind(floor.name.as_str())
        .bind(floor.description.as_str())
        .fetch_one(&mut *write)
        .await
        .map_err(|e| map_constraint(e, NAME_TAKEN))?;
    write.commit(Audit::by(actor, "floor.created", floor.name.as_str()).place(floor.place_id)).await?;
    Ok(id)
}

/// Changes a floor's name, description or place (its doors must be at the
/// new place: moving a floor with doors to another place is refused).
pub async fn update(db: &Db, actor: &SessionUser, id: i64, floor: ValidFloor) -> ServiceResult<()> {
    require_admin(actor)?;
    let current = get(db, id).await?;
    if current.place_id != floor.place_id {
        check_place(db, floor.place_id).await?;
        if current.door_count > 0 {
            return Err(ServiceError::field("place_id", "This floor has doors; move them before moving the floor to another place."));
        }
    }
    let mut write = db.write().await?;
    sqlx::query("UPDATE floors SET place_id = $1, name = $2, description = $3 WHERE id = $4")
        .bind(floor.place_id)
        .bind(floor.name.as_str())
        .bind(floor.description.as_str())
        .bind(id)
        .execute(&mut *write)
        .await
        .map_err(|e| map_constraint(e, NAME_TAKEN))?;
    write.commit(Audit::by(actor, "floor.updated", floor.name.as_str()).place(floor.place_id)).await?;
    Ok(())
}

/// Deletes a floor; its doors stay, on no floor.
pub async fn delete(db: &Db, actor: &SessionUser, id: i64) -> ServiceResult<()> {
    require_admin(actor)?;
    let floor = get(db, id).await?;
    let mut write = db.write().await?;
    sqlx::query("UPDATE doors SET floor_id = NULL WHERE floor_id = $1").bind(id).execute(&mut *write).await?;
    sqlx::query("DELETE FROM floors WHERE id = $1").bind(id).execute(&mut *write).await?;
    write.commit(Audit::by(actor, "floor.deleted", &floor.name).place(floor.place_id)).await?;
    Ok(())
}
