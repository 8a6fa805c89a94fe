//! Scheduled unlocks, the I/O side (SPEC §5): each door's schedules and each
//! place's holidays in the database, zones (arming, first-in, close the
//! day), what holds a door's schedule back, and the [`runner`] that holds
//! doors open while a window is active. The rules of time live in
//! [`crate::schedule`]; this module stores, loads and acts.
//!
//! Every change that can move a door's next transition (a schedule or
//! holiday saved, a zone armed or closed, a first person in, a last person
//! out) calls [`changed`], which wakes the runner at once — through a
//! process-wide [`Notify`] and, on PostgreSQL, `NOTIFY postern_schedules`
//! for the runner in another replica. The runner never polls.

mod clock;
mod crud;
mod holidays;
mod leader;
mod plan;
pub mod runner;
mod zones;

pub use clock::{Clock, ManualClock, SystemClock};
pub use crud::{create, delete, door_schedules, get, set_enabled, update, DoorSchedules};
pub use holidays::{create_holiday, delete_holiday, list_holidays, update_holiday};
pub use plan::HeldBack;
pub use runner::Scheduler;
pub use zones::{
    close_day, create_zone, door_zone, first_person_in, list_zones, request_to_exit, set_arming,
    set_door_zone, spawn_first_person_in, zone, Zone,
};

use super::db::DbKind;
use super::{Db, ServiceError, ServiceResult};
use crate::schedule::wall_clock::local_date;
use crate::types::{TimeZoneName, Timestamp};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::sync::LazyLock;
use tokio::sync::Notify;

/// The PostgreSQL channel that wakes the runner of another replica.
pub const CHANNEL: &str = "postern_schedules";

/// Wakes this process's runner.
static WAKE: LazyLock<Notify> = LazyLock::new(Notify::new);

/// Something that can move a door's next transition changed: wakes the
/// runner (here, and on PostgreSQL in whichever replica runs it).
pub async fn changed(db: &Db) {
    WAKE.notify_waiters();
    if db.kind() == DbKind::Postgres {
        let sent = sqlx::query("SELECT pg_notify($1, '')")
            .bind(CHANNEL)
            .execute(db.pool())
            .await;
        if let Err(error) = sent {
            tracing::warn!(%error, "could not notify the scheduler of a change");
        }
    }
}

/// The process-wide wake-up (the runner and its PostgreSQL listener).
fn wake() -> &'static Notify {
    &WAKE
}

/// What holds a door's scheduled unlock back right now, if anything: a
/// schedule would have the door unlocked, and this is why it is not.
pub async fn held_back(db: &Db, door_id: i64, now: Timestamp) -> ServiceResult<Option<HeldBack>> {
    let Some(door) = plan::load_door(db, door_id).await? else {
        return Err(ServiceError::NotFound("door"));
    };
    let schedules = crud::load_schedules(db, Some(door_id)).await?;
    let holidays = holidays::calendar(db, door.place_id).await?;
    let schedules: Vec<_> = schedules.into_iter().map(|(_, s)| s).collect();
    Ok(plan::plan(&door, &schedules, &holidays, now).held_back)
}

/// Commits an admin's change with its audit line.
async fn commit_admin(
    write: super::db::Write,
    actor: &crate::model::SessionUser,
    action: &str,
    subject: &str,
    door_id: Option<i64>,
    details: &str,
) -> ServiceResult<()> {
    let mut audit = super::audit::Audit::by(actor, action, subject).details(details);
    if let Some(door_id) = door_id {
        audit = audit.door(door_id);
    }
    write.commit(audit).await?;
    Ok(())
}

/// A door's place: its id, time zone name and the zone itself.
async fn door_place(db: &Db, door_id: i64) -> ServiceResult<(i64, String, TimeZone)> {
    let row: Option<(i64, String, String)> = sqlx::query_as(
        "SELECT d.place_id, p.time_zone, d.name FROM doors d JOIN places p ON p.id = d.place_id WHERE d.id = $1",
    )
    .bind(door_id)
    .fetch_optional(db.pool())
    .await?;
    let (place_id, zone, name) = row.ok_or(ServiceError::NotFound("door"))?;
    Ok((place_id, name, time_zone(&zone)))
}

/// A stored time zone name as a zone (UTC if it vanished from the database).
fn time_zone(name: &str) -> TimeZone {
    TimeZoneName::parse(name).map_or(TimeZone::UTC, |n| n.time_zone())
}

/// The local date at `at` in `zone`, as stored ("2026-11-23").
fn date_text(zone: &TimeZone, at: Timestamp) -> String {
    local_date(zone, at).to_string()
}

/// A stored local date.
fn parse_stored_date(text: Option<&str>) -> Option<Date> {
    text.and_then(|t| t.parse().ok())
}
