//! Zones (intrusion policy) as scheduled unlocks see them: arming, the
//! first person in (disarms the zone and lets first-in schedules start that
//! day), the last person out and "close the day" (end the day's scheduled
//! unlocks early).

use super::{
    changed, crud, date_text, commit_admin, parse_stored_date, time_zone, Db, ServiceError,
    ServiceResult,
};
use crate::model::SessionUser;
use crate::schedule::wall_clock::{add_days, local_date, start_of_day};
use crate::services::audit::{Actor, Audit};
use crate::services::error::{map_constraint, ConstraintRule};
use crate::services::users::require_admin;
use crate::types::{Name, Timestamp, ZoneArming};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, Mutex};

const CONSTRAINTS: &[ConstraintRule] = &[ConstraintRule {
    constraint: "zones_place_name_key",
    sqlite_columns: "zones.place_id, zones.name",
    field: "name",
    message: "This place already has a zone with this name.",
}];

/// A zone and its state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Zone {
    pub id: i64,
    pub place_id: i64,
    pub name: String,
    pub arming: ZoneArming,
    /// The local date someone with access first unlocked one of its doors.
    pub first_in_date: Option<Date>,
    /// The local date it was closed for the day.
    pub closed_date: Option<Date>,
}

#[derive(sqlx::FromRow)]
struct ZoneRow {
    id: i64,
    place_id: i64,
    name: String,
    arming: String,
    first_in_date: Option<String>,
    closed_date: Option<String>,
}

impl From<ZoneRow> for Zone {
    fn from(row: ZoneRow) -> Zone {
        Zone {
            id: row.id,
            place_id: row.place_id,
            name: row.name,
            arming: ZoneArming::parse(&row.arming).unwrap_or(ZoneArming::Disarmed),
            first_in_date: parse_stored_date(row.first_in_date.as_deref()),
            closed_date: parse_stored_date(row.closed_date.as_deref()),
        }
    }
}

const SELECT: &str = "SELECT id, place_id, name, arming, first_in_date, closed_date FROM zones";

/// One zone.
pub async fn zone(db: &Db, zone_id: i64) -> ServiceResult<Zone> {
    let row: Option<ZoneRow> = sqlx::query_as(&format!("{SELECT} WHERE id = $1"))
        .bind(zone_id)
        .fetch_optional(db.pool())
        .await?;
    row.map(Zone::from).ok_or(ServiceError::NotFound("zone"))
}

/// A place's zones, by name.
pub async fn list_zones(db: &Db, place_id: i64) -> ServiceResult<Vec<Zone>> {
    let rows: Vec<ZoneRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE place_id = $1 ORDER BY LOWER(name), id"
    ))
    .bind(place_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(Zone::from).collect())
}

/// The zone a door is in, if any.
pub async fn door_zone(db: &Db, door_id: i64) -> ServiceResult<Option<i64>> {
    let row: Option<(Option<i64>,)> = sqlx::query_as("SELECT zone_id FROM doors WHERE id = $1")
        .bind(door_id)
        .fetch_optional(db.pool())
        .await?;
    row.map(|(zone,)| zone).ok_or(ServiceError::NotFound("door"))
}

/// Adds a zone (disarmed) to a place.
pub async fn create_zone(
    db: &Db,
    actor: &SessionUser,
    place_id: i64,
    name: &str,
) -> ServiceResult<i64> {
    require_admin(actor)?;
    let name = Name::parse(name).map_err(|message| ServiceError::field("name", message))?;
    let mut write = db.write().await?;
    let (id,): (i64,) =
        sqlx::query_as("INSERT INTO zones (place_id, name) VALUES ($1, $2) RETURNING id")
            .bind(place_id)
            .bind(name.as_str())
            .fetch_one(&mut *write)
            .await
            .map_err(|e| match map_constraint(e, CONSTRAINTS) {
                ServiceError::Conflict(_) => ServiceError::field(
                    "place_id",
                    "That place does not exist. Choose one from the list.",
                ),
                other => other,
            })?;
    commit_admin(write, actor, "zone.created", name.as_str(), None, "").await?;
    Ok(id)
}

/// Puts a door in a zone of its place (or in none).
pub async fn set_door_zone(
    db: &Db,
    actor: &SessionUser,
    door_id: i64,
    zone_id: Option<i64>,
) -> ServiceResult<()> {
    require_admin(actor)?;
    let (door_place, door_name): (i64, String) =
        sqlx::query_as("SELECT place_id, name FROM doors WHERE id = $1")
            .bind(door_id)
            .fetch_optional(db.pool())
            .await?
            .ok_or(ServiceError::NotFound("door"))?;
    let mut details = "no zone".to_owned();
    if let Some(zone_id) = zone_id {
        let found = zone(db, zone_id)
            .await
            .map_err(|_| ServiceError::field("zone_id", "That zone does not exist."))?;
        if found.place_id != door_place {
            return Err(ServiceError::field(
                "zone_id",
                "Pick a zone of the door's place.",
            ));
        }
        details = found.name;
    }
    let mut write = db.write().await?;
    sqlx::query("UPDATE doors SET zone_id = $1 WHERE id = $2")
        .bind(zone_id)
        .bind(door_id)
        .execute(&mut *write)
        .await?;
    commit_admin(
        write,
        actor,
        "door.zone_changed",
        &door_name,
        Some(door_id),
        &details,
    )
    .await?;
    changed(db).await;
    Ok(())
}

/// Arms or disarms a zone (an admin, or an intrusion panel as `Actor::System`).
pub async fn set_arming(
    db: &Db,
    actor: &Actor,
    zone_id: i64,
    arming: ZoneArming,
) -> ServiceResult<()> {
    if let Actor::User(user) = actor {
        require_admin(user)?;
    }
    let found = zone(db, zone_id).await?;
    // Re-armed: the next unlock disarms it again (in this process).
    first_in_memory().seen.clear();
    let mut write = db.write().await?;
    sqlx::query("UPDATE zones SET arming = $1 WHERE id = $2")
        .bind(arming.as_str())
        .bind(zone_id)
        .execute(&mut *write)
        .await?;
    write.commit(Audit::new(actor, "zone.arming_changed", &found.name).details(arming.label())).await?;
    changed(db).await;
    Ok(())
}

/// "Close the day": the zone's scheduled unlocks end now, and none start
/// again until the next local day. `now` is when the admin pressed it.
pub async fn close_day(
    db: &Db,
    actor: &SessionUser,
    zone_id: i64,
    now: Timestamp,
) -> ServiceResult<()> {
    require_admin(actor)?;
    let found = zone(db, zone_id).await?;
    let (zone_name,): (String,) = sqlx::query_as("SELECT time_zone FROM places WHERE id = $1")
        .bind(found.place_id)
        .fetch_one(db.pool())
        .await?;
    let today = date_text(&time_zone(&zone_name), now);
    let mut tx = db.write().await?;
    sqlx::query("UPDATE zones SET closed_date = $1 WHERE id = $2")
        .bind(&today)
        .bind(zone_id)
        .execute(&mut *tx)
        .await?;
    // The windows open now are not opened again (one that crosses midnight
    // stays shut after it too).
    sqlx::query(
        "UPDATE schedule_state SET skipped_start = applied_start
         WHERE applied_start IS NOT NULL AND door_id IN (SELECT id FROM doors WHERE zone_id = $1)",
    )
    .bind(zone_id)
    .execute(&mut *tx)
    .await?;
    commit_admin(
        tx,
        actor,
        "zone.closed_for_the_day",
        &found.name,
        None,
        &today,
    )
    .await?;
    changed(db).await;
    Ok(())
}

/// A granted unlock of `door_id` at `at`: the first person in disarms the
/// door's zone and lets its first-in schedules start that local day. Free
/// once this process has recorded it for the door that day; while it is
/// being recorded, the door's other unlocks (a morning rush) leave it to
/// that one instead of each writing it again.
pub async fn first_person_in(db: &Db, door_id: i64, at: i64) -> ServiceResult<()> {
    let key = first_in_key(db, door_id);
    {
        let mut memory = first_in_memory();
        if memory.seen_at(&key, at) || !memory.recording.insert(key.clone()) {
            return Ok(());
        }
    }
    let recorded = record_first_in(db, door_id, at).await;
    let mut memory = first_in_memory();
    memory.recording.remove(&key);
    if let Some(day) = recorded? {
        memory.seen.insert(key, day);
    }
    Ok(())
}

/// A door's zone, time zone, zone arming, zone first-in date, own first-in date.
type FirstInRow = (
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// [`first_person_in`] without the memory; returns the local day (from,
/// until, in ms) it is recorded for.
async fn record_first_in(db: &Db, door_id: i64, at: i64) -> ServiceResult<Option<(i64, i64)>> {
    let row: Option<FirstInRow> = sqlx::query_as(
        "SELECT d.zone_id, p.time_zone, z.arming, z.first_in_date, s.first_in_date
         FROM doors d JOIN places p ON p.id = d.place_id
         LEFT JOIN zones z ON z.id = d.zone_id
         LEFT JOIN schedule_state s ON s.door_id = d.id WHERE d.id = $1",
    )
    .bind(door_id)
    .fetch_optional(db.pool())
    .await?;
    let Some((zone_id, zone_name, arming, zone_first_in, door_first_in)) = row else {
        return Ok(None);
    };
    let zone = time_zone(&zone_name);
    let today = date_text(&zone, Timestamp::from_millis(at));
    let date = local_date(&zone, Timestamp::from_millis(at));
    let day = (
        start_of_day(&zone, date).millis(),
        start_of_day(&zone, add_days(date, 1)).millis(),
    );
    match zone_id {
        Some(zone_id) => {
            if zone_first_in.as_deref() == Some(today.as_str())
                && arming.as_deref() == Some("disarmed")
            {
                return Ok(Some(day));
            }
            // Only the first of the zone's doors to get here changes the
            // zone (and logs the disarming): another door's first person,
            // racing this one, finds it done.
            let sql = "UPDATE zones SET first_in_date = $1, arming = 'disarmed'
                 WHERE id = $2 AND (first_in_date IS NULL OR first_in_date <> $1 OR arming <> 'disarmed')";
            if arming.as_deref() == Some("disarmed") {
                // The day's first person in of a disarmed zone: schedule
                // state, not a change of anyone's making.
                let updated = sqlx::query(sql).bind(&today).bind(zone_id).execute(db.pool()).await?;
                if updated.rows_affected() == 0 {
                    return Ok(Some(day));
                }
            } else {
                // Disarming: a change, committed with its audit line.
                let mut write = db.write().await?;
                let updated = sqlx::query(sql).bind(&today).bind(zone_id).execute(&mut *write).await?;
                if updated.rows_affected() == 0 {
                    return Ok(Some(day));
                }
                let (name,): (String,) =
                    sqlx::query_as("SELECT name FROM zones WHERE id = $1").bind(zone_id).fetch_one(&mut *write).await?;
                let details = "Disarmed by the first person in";
                write.commit(Audit::new(&Actor::System, "zone.arming_changed", name).door(door_id).details(details)).await?;
            }
        }
        None => {
            if door_first_in.as_deref() == Some(today.as_str()) {
                return Ok(Some(day));
            }
            sqlx::query(
                "INSERT INTO schedule_state (door_id, first_in_date) VALUES ($1, $2)
                 ON CONFLICT (door_id) DO UPDATE SET first_in_date = $2",
            )
            .bind(door_id)
            .bind(&today)
            .execute(db.pool())
            .await?;
        }
    }
    changed(db).await;
    Ok(Some(day))
}

/// What this process remembers of first people in, keyed by database URL
/// and door.
#[derive(Default)]
struct FirstInMemory {
    /// Doors whose first person in is recorded, with that local day as
    /// (from, until) in ms: later unlocks that day cost nothing.
    seen: HashMap<(String, i64), (i64, i64)>,
    /// Doors whose first person in is being recorded right now.
    recording: HashSet<(String, i64)>,
}

impl FirstInMemory {
    /// Whether the door's first person in is recorded for the day of `at`.
    fn seen_at(&self, key: &(String, i64), at: i64) -> bool {
        self.seen.get(key).is_some_and(|(from, until)| (*from..*until).contains(&at))
    }
}

fn first_in_key(db: &Db, door_id: i64) -> (String, i64) {
    (db.pool().connect_options().database_url.to_string(), door_id)
}

fn first_in_memory() -> std::sync::MutexGuard<'static, FirstInMemory> {
    static MEMORY: LazyLock<Mutex<FirstInMemory>> = LazyLock::new(Default::default);
    MEMORY.lock().unwrap_or_else(|p| p.into_inner())
}

/// [`first_person_in`] in the background, so a granted unlock answers
/// without waiting for it (the unlock service calls this).
pub fn spawn_first_person_in(db: &Db, door_id: i64, at: i64) {
    // Nearly always recorded already: then no task is started.
    if first_in_memory().seen_at(&first_in_key(db, door_id), at) {
        return;
    }
    let db = db.clone();
    tokio::spawn(async move {
        if let Err(error) = first_person_in(&db, door_id, at).await {
            tracing::warn!(door_id, %error, "could not record the first person in");
        }
    });
}

/// A request-to-exit at `door_id` at `at`: the last person out. Every door
/// of the zone (or this door, without a zone) held open by a schedule with
/// a "last out after" time that has passed ends its window now.
pub async fn request_to_exit(db: &Db, door_id: i64, at: i64) -> ServiceResult<()> {
    let doors: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT d.id, p.time_zone, s.applied_start FROM doors d JOIN places p ON p.id = d.place_id
         JOIN schedule_state s ON s.door_id = d.id
         WHERE s.applied_start IS NOT NULL
           AND (d.id = $1 OR d.zone_id = (SELECT zone_id FROM doors WHERE id = $1))",
    )
    .bind(door_id)
    .fetch_all(db.pool())
    .await?;
    let now = Timestamp::from_millis(at);
    let mut ended = false;
    for (id, zone_name, applied_start) in doors {
        let zone = time_zone(&zone_name);
        let schedules = crud::load_schedules(db, Some(id)).await?;
        let last_out = schedules
            .iter()
            .any(|(_, s)| s.last_out_reached(&zone, now));
        if last_out {
            sqlx::query("UPDATE schedule_state SET skipped_start = $1 WHERE door_id = $2 AND applied_start = $1")
                .bind(applied_start)
                .bind(id)
                .execute(db.pool())
                .await?;
            ended = true;
        }
    }
    if ended {
        changed(db).await;
    }
    Ok(())
}
