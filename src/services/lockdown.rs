//! Lockdown of one door or a whole place, by admins: unlocks are denied to
//! everyone but owners and admins until it is cancelled.

use super::audit::{self, Actor};
use super::live::Live;
use super::users::require_admin;
use super::{now_ms, Db, ServiceError, ServiceResult};
use crate::model::SessionUser;

fn who(actor: &SessionUser) -> String {
    format!("{} <{}>", actor.name, actor.email)
}

/// Locks a door down (or cancels it); records who and since when.
pub async fn set_door(db: &Db, live: &Live, actor: &SessionUser, door_id: i64, on: bool) -> ServiceResult<()> {
    require_admin(actor)?;
    let (at, by) = if on { (Some(now_ms()), Some(who(actor))) } else { (None, None) };
    let done = sqlx::query(
        "UPDATE doors SET locked_down_at = $1, locked_down_by = $2, unlocked_until = CASE WHEN $3 = 1 THEN NULL ELSE unlocked_until END WHERE id = $4",
    )
    .bind(at)
    .bind(by)
    .bind(i64::from(on))
    .bind(door_id)
    .execute(db.pool())
    .await?;
    if done.rows_affected() == 0 {
        return Err(ServiceError::NotFound("door"));
    }
    live.doors_changed(&[door_id]);
    // Scheduled unlocks hold back while locked down, and resume after.
    super::schedules::changed(db).await;
    let name: (String,) = sqlx::query_as("SELECT name FROM doors WHERE id = $1").bind(door_id).fetch_one(db.pool()).await?;
    let action = if on { "door.locked_down" } else { "door.lockdown_cancelled" };
    audit::record_with(db, &Actor::User(actor.clone()), action, &name.0, Some(door_id), "ok", "").await
}

/// Locks every door of a place down (or cancels it).
pub async fn set_place(db: &Db, live: &Live, actor: &SessionUser, place_id: i64, on: bool) -> ServiceResult<()> {
    require_admin(actor)?;
    let (at, by) = if on { (Some(now_ms()), Some(who(actor))) } else { (None, None) };
    let done = sqlx::query("UPDATE places SET locked_down_at = $1, locked_down_by = $2 WHERE id = $3")
        .bind(at)
        .bind(by)
        .bind(place_id)
        .execute(db.pool())
        .await?;
    if done.rows_affected() == 0 {
        return Err(ServiceError::NotFound("place"));
    }
    if on {
        sqlx::query("UPDATE doors SET unlocked_until = NULL WHERE place_id = $1").bind(place_id).execute(db.pool()).await?;
    }
    let doors: Vec<(i64,)> = sqlx::query_as("SELECT id FROM doors WHERE place_id = $1").bind(place_id).fetch_all(db.pool()).await?;
    live.doors_changed(&doors.into_iter().map(|(id,)| id).collect::<Vec<_>>());
    super::schedules::changed(db).await;
    let name: (String,) = sqlx::query_as("SELECT name FROM places WHERE id = $1").bind(place_id).fetch_one(db.pool()).await?;
    let action = if on { "place.locked_down" } else { "place.lockdown_cancelled" };
    audit::record(db, &Actor::User(actor.clone()), action, &name.0).await
}
