//! A door's scheduled unlocks: list, create, edit, enable/disable, delete.
//! Admins only; every change is in the event log and wakes the runner.

use super::{changed, door_place, holidays, commit_admin, Db, ServiceError, ServiceResult};
use crate::access::LocalTime;
use crate::model::SessionUser;
use crate::schedule::{Holiday, Schedule, ScheduleForm, ScheduleKind, ValidSchedule};
use crate::services::now_ms;
use crate::services::users::require_admin;
use serde::{Deserialize, Serialize};

/// A door's schedules with what the editor needs to show their next
/// activations (its place's time zone and holidays).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorSchedules {
    pub door_id: i64,
    pub door_name: String,
    pub place_id: i64,
    /// The place's IANA time zone.
    pub time_zone: String,
    pub schedules: Vec<Schedule>,
    pub holidays: Vec<Holiday>,
}

#[derive(sqlx::FromRow)]
struct ScheduleRow {
    id: i64,
    door_id: i64,
    spec: String,
    enabled: i64,
    first_in: i64,
    last_out_after: Option<String>,
}

impl ScheduleRow {
    /// `None` (and a log line) for a row this version cannot read.
    fn into_schedule(self) -> Option<(i64, Schedule)> {
        let kind: ScheduleKind = match serde_json::from_str(&self.spec) {
            Ok(kind) => kind,
            Err(error) => {
                tracing::error!(schedule_id = self.id, %error, "unreadable scheduled unlock; ignored");
                return None;
            }
        };
        let schedule = Schedule {
            id: self.id,
            kind,
            enabled: self.enabled != 0,
            first_in: self.first_in != 0,
            last_out_after: self
                .last_out_after
                .as_deref()
                .and_then(|t| LocalTime::parse(t).ok()),
        };
        Some((self.door_id, schedule))
    }
}

/// Every door's schedules (or one door's), as (door id, schedule), by id.
pub(super) async fn load_schedules(
    db: &Db,
    door_id: Option<i64>,
) -> ServiceResult<Vec<(i64, Schedule)>> {
    let rows: Vec<ScheduleRow> = sqlx::query_as(
        "SELECT id, door_id, spec, enabled, first_in, last_out_after FROM scheduled_unlocks
         WHERE ($1 = 0 OR door_id = $1) ORDER BY door_id, id",
    )
    .bind(door_id.unwrap_or(0))
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(ScheduleRow::into_schedule)
        .collect())
}

/// A door's schedules, its place's zone and holidays.
pub async fn door_schedules(db: &Db, door_id: i64) -> ServiceResult<DoorSchedules> {
    let (place_id, door_name, zone) = door_place(db, door_id).await?;
    let schedules = load_schedules(db, Some(door_id))
        .await?
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    Ok(DoorSchedules {
        door_id,
        door_name,
        place_id,
        time_zone: zone.iana_name().unwrap_or("UTC").to_owned(),
        schedules,
        holidays: holidays::list_holidays(db, place_id).await?,
    })
}

/// One schedule and its door.
pub async fn get(db: &Db, id: i64) -> ServiceResult<(i64, Schedule)> {
    let row: Option<ScheduleRow> = sqlx::query_as(
        "SELECT id, door_id, spec, enabled, first_in, last_out_after FROM scheduled_unlocks WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.and_then(ScheduleRow::into_schedule)
        .ok_or(ServiceError::NotFound("scheduled unlock"))
}

/// Adds a scheduled unlock to a door; the form's local times are read on
/// the door's place's clock.
pub async fn create(
    db: &Db,
    actor: &SessionUser,
    door_id: i64,
    form: &ScheduleForm,
) -> ServiceResult<i64> {
    require_admin(actor)?;
    let (_, door_name, zone) = door_place(db, door_id).await?;
    let valid = form.validate(&zone)?;
    let mut write = db.write().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO scheduled_unlocks (door_id, kind, spec, enabled, first_in, last_out_after, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(door_id)
    .bind(valid.kind.as_str())
    .bind(spec(&valid)?)
    .bind(i64::from(valid.enabled))
    .bind(i64::from(valid.first_in))
    .bind(valid.last_out_after.map(|t| t.to_string()))
    .bind(now_ms())
    .fetch_one(&mut *write)
    .await?;
    let details = describe(&valid.clone().into_schedule(id), &zone);
    commit_admin(
        write,
        actor,
        "schedule.created",
        &door_name,
        Some(door_id),
        &details,
    )
    .await?;
    changed(db).await;
    Ok(id)
}

/// Replaces a scheduled unlock with the form's.
pub async fn update(
    db: &Db,
    actor: &SessionUser,
    id: i64,
    form: &ScheduleForm,
) -> ServiceResult<()> {
    require_admin(actor)?;
    let (door_id, _) = get(db, id).await?;
    let (_, door_name, zone) = door_place(db, door_id).await?;
    let valid = form.validate(&zone)?;
    let mut write = db.write().await?;
    sqlx::query(
        "UPDATE scheduled_unlocks SET kind = $1, spec = $2, enabled = $3, first_in = $4, last_out_after = $5 WHERE id = $6",
    )
    .bind(valid.kind.as_str())
    .bind(spec(&valid)?)
    .bind(i64::from(valid.enabled))
    .bind(i64::from(valid.first_in))
    .bind(valid.last_out_after.map(|t| t.to_string()))
    .bind(id)
    .execute(&mut *write)
    .await?;
    let details = describe(&valid.into_schedule(id), &zone);
    commit_admin(
        write,
        actor,
        "schedule.updated",
        &door_name,
        Some(door_id),
        &details,
    )
    .await?;
    changed(db).await;
    Ok(())
}

/// Enables or disables a scheduled unlock (a disabled one never unlocks;
/// one holding the door open now ends at once).
pub async fn set_enabled(
    db: &Db,
    actor: &SessionUser,
    id: i64,
    enabled: bool,
) -> ServiceResult<()> {
    require_admin(actor)?;
    let (door_id, schedule) = get(db, id).await?;
    let (_, door_name, zone) = door_place(db, door_id).await?;
    let mut write = db.write().await?;
    sqlx::query("UPDATE scheduled_unlocks SET enabled = $1 WHERE id = $2")
        .bind(i64::from(enabled))
        .bind(id)
        .execute(&mut *write)
        .await?;
    let action = if enabled {
        "schedule.enabled"
    } else {
        "schedule.disabled"
    };
    commit_admin(
        write,
        actor,
        action,
        &door_name,
        Some(door_id),
        &describe(&schedule, &zone),
    )
    .await?;
    changed(db).await;
    Ok(())
}

/// Deletes a scheduled unlock (one holding the door open now ends at once).
pub async fn delete(db: &Db, actor: &SessionUser, id: i64) -> ServiceResult<()> {
    require_admin(actor)?;
    let (door_id, schedule) = get(db, id).await?;
    let (_, door_name, zone) = door_place(db, door_id).await?;
    let mut write = db.write().await?;
    sqlx::query("DELETE FROM scheduled_unlocks WHERE id = $1")
        .bind(id)
        .execute(&mut *write)
        .await?;
    commit_admin(
        write,
        actor,
        "schedule.deleted",
        &door_name,
        Some(door_id),
        &describe(&schedule, &zone),
    )
    .await?;
    changed(db).await;
    Ok(())
}

/// The kind's fields as stored.
fn spec(valid: &ValidSchedule) -> ServiceResult<String> {
    serde_json::to_string(&valid.kind).map_err(|e| ServiceError::internal(e.to_string()))
}

/// "Recurring event, next: Mon 2026-11-23 08:00–18:00 CET" for the log.
fn describe(schedule: &Schedule, zone: &jiff::tz::TimeZone) -> String {
    let now = crate::types::Timestamp::from_millis(now_ms());
    let next = schedule.next_occurrences(zone, &crate::schedule::HolidayCalendar::empty(), now, 1);
    match next.first() {
        Some(span) => format!(
            "{}, next: {}",
            schedule.kind.label(),
            crate::schedule::format_span(*span, zone)
        ),
        None => format!("{}, no further occurrence", schedule.kind.label()),
    }
}
