//! Lockdown of one door or a whole place, by admins: unlocks are denied to
//! everyone but owners and admins until it is cancelled (SPEC §9).
//!
//! When [`set_door`] or [`set_place`] returns, the lockdown holds at the
//! relay as well as in the decision:
//! 1. The lockdown commits with its audit line. On SQLite its transaction
//!    holds the write lock; on PostgreSQL it also takes the
//!    [`LOCKDOWN_LOCK`](super::db::LOCKDOWN_LOCK) exclusively. The event
//!    writer checks each grant's door inside its own commit, under the same
//!    lock, so a grant of anyone but an owner or admin that raced the
//!    lockdown is committed before the lockdown's line or refused.
//! 2. Each door's relay is released through the bridge hub, which first
//!    waits for a pulse or hold of that relay in flight; the hub reads the
//!    lockdown again before every later pulse or hold it sends
//!    ([`Bridges::relock`]), so no raced grant energises the relay after
//!    this returns.

use super::audit::Audit;
use super::bridge::Bridges;
use super::live::Live;
use super::users::require_admin;
use super::{now_ms, Db, ServiceError, ServiceResult};
use crate::model::SessionUser;

fn who(actor: &SessionUser) -> String {
    format!("{} <{}>", actor.name, actor.email)
}

/// Locks a door down (or cancels it); records who and since when.
pub async fn set_door(db: &Db, live: &Live, bridges: &Bridges, actor: &SessionUser, door_id: i64, on: bool) -> ServiceResult<()> {
    require_admin(actor)?;
    let (at, by) = if on { (Some(now_ms()), Some(who(actor))) } else { (None, None) };
    let mut write = db.write().await?;
    write.exclude_grants().await?;
    let name: Option<(String,)> = sqlx::query_as(
        "UPDATE doors SET locked_down_at = $1, locked_down_by = $2, unlocked_until = CASE WHEN $3 = 1 THEN NULL ELSE unlocked_until END
         WHERE id = $4 RETURNING name",
    )
    .bind(at)
    .bind(by)
    .bind(i64::from(on))
    .bind(door_id)
    .fetch_optional(&mut *write)
    .await?;
    let (name,) = name.ok_or(ServiceError::NotFound("door"))?;
    let action = if on { "door.locked_down" } else { "door.lockdown_cancelled" };
    write.commit(Audit::by(actor, action, name).door(door_id)).await?;
    if on {
        bridges.relock(&[door_id]).await?;
    }
    live.doors_changed(&[door_id]);
    // Scheduled unlocks hold back while locked down, and resume after.
    super::schedules::changed(db).await;
    Ok(())
}

/// Locks every door of a place down (or cancels it).
pub async fn set_place(db: &Db, live: &Live, bridges: &Bridges, actor: &SessionUser, place_id: i64, on: bool) -> ServiceResult<()> {
    require_admin(actor)?;
    let (at, by) = if on { (Some(now_ms()), Some(who(actor))) } else { (None, None) };
    let mut write = db.write().await?;
    write.exclude_grants().await?;
    let name: Option<(String,)> =
        sqlx::query_as("UPDATE places SET locked_down_at = $1, locked_down_by = $2 WHERE id = $3 RETURNING name")
            .bind(at)
            .bind(by)
            .bind(place_id)
            .fetch_optional(&mut *write)
            .await?;
    let (name,) = name.ok_or(ServiceError::NotFound("place"))?;
    if on {
        sqlx::query("UPDATE doors SET unlocked_until = NULL WHERE place_id = $1").bind(place_id).execute(&mut *write).await?;
    }
    let doors: Vec<(i64,)> = sqlx::query_as("SELECT id FROM doors WHERE place_id = $1").bind(place_id).fetch_all(&mut *write).await?;
    let action = if on { "place.locked_down" } else { "place.lockdown_cancelled" };
    write.commit(Audit::by(actor, action, name).place(place_id)).await?;
    let doors: Vec<i64> = doors.into_iter().map(|(id,)| id).collect();
    if on {
        bridges.relock(&doors).await?;
    }
    live.doors_changed(&doors);
    super::schedules::changed(db).await;
    Ok(())
}
