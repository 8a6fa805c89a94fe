//! Doors (= locks): where they are, what drives them, and their restrictions.

use super::audit::{Actor, Audit};
use super::error::{map_constraint, ConstraintRule};
use super::users::require_admin;
use super::scope::Scope;
use super::{controllers, db::flag, now_ms, places, Db, ServiceError, ServiceResult};
use crate::door_status::{power_note, DoorAlarm, DoorSensor, DoorStatus, DoorStatusInputs};
use crate::model::{Door, DoorOptions, Listing, SessionUser, ValidDoor};
use crate::types::{LockType, Page, SearchQuery, Timestamp};

#[derive(sqlx::FromRow)]
struct DoorRow {
    id: i64,
    name: String,
    description: String,
    place_id: i64,
    place_name: String,
    time_zone: String,
    place_radius_m: i64,
    place_locked_down_at: Option<i64>,
    place_locked_down_by: Option<String>,
    floor: Option<String>,
    floor_id: Option<i64>,
    controller_id: Option<i64>,
    controller_name: Option<String>,
    controller_online: Option<i64>,
    relay: Option<i64>,
    reader_id: Option<i64>,
    reader_name: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    lock_type: String,
    pulse_seconds: i64,
    held_open_seconds: i64,
    geofence_enabled: i64,
    geofence_radius_m: Option<i64>,
    reader_restriction: i64,
    time_restriction: i64,
    time_windows: String,
    exterior: i64,
    require_2fa: i64,
    locked_down_at: Option<i64>,
    locked_down_by: Option<String>,
    unlocked_until: Option<i64>,
    power_lost: Option<i64>,
    sensor_open: Option<i64>,
    alarm: Option<String>,
    group_count: i64,
}

const SELECT: &str = "SELECT d.id, d.name, d.description, d.place_id, p.name AS place_name, p.time_zone,
    p.geofence_radius_m AS place_radius_m, p.locked_down_at AS place_locked_down_at,
    p.locked_down_by AS place_locked_down_by, f.name AS floor, d.floor_id,
    d.controller_id, c.name AS controller_name, c.online AS controller_online, d.relay,
    d.reader_id, r.name AS reader_name, d.latitude, d.longitude, d.lock_type, d.pulse_seconds,
    d.held_open_seconds, d.geofence_enabled, d.geofence_radius_m, d.reader_restriction,
    d.time_restriction, d.time_windows, d.exterior, d.require_2fa, d.locked_down_at, d.locked_down_by, d.unlocked_until,
    c.power_lost, d.sensor_open, d.alarm,
    (SELECT COUNT(*) FROM group_doors gd WHERE gd.door_id = d.id) AS group_count
    FROM doors d JOIN places p ON p.id = d.place_id
    LEFT JOIN floors f ON f.id = d.floor_id
    LEFT JOIN controllers c ON c.id = d.controller_id
    LEFT JOIN readers r ON r.id = d.reader_id";

impl DoorRow {
    fn into_door(self, now: Timestamp) -> Door {
        let locked_down_at = self.locked_down_at.or(self.place_locked_down_at);
        let lock_type = LockType::parse(&self.lock_type).unwrap_or(LockType::ElectricStrikeFailSecure);
        let power_lost = self.controller_id.is_some() && self.power_lost.is_some_and(flag);
        let status = DoorStatus::derive(&DoorStatusInputs {
            has_controller: self.controller_id.is_some(),
            controller_online: self.controller_online.is_some_and(flag),
            locked_down: locked_down_at.is_some(),
            unlocked_until: self.unlocked_until.map(Timestamp::from_millis),
            power_lost,
            fail_safe: lock_type.fail_safe(),
            now,
        });
        let online = status != DoorStatus::Offline;
        let sensor = self.sensor_open.filter(|_| online).map(|v| if flag(v) { DoorSensor::Open } else { DoorSensor::Closed });
        let alarm = self.alarm.as_deref().filter(|_| online).and_then(DoorAlarm::parse);
        let note = if online { power_note(power_lost, lock_type.fail_safe()) } else { None };
        let radius = |v: i64| u32::try_from(v).unwrap_or(300);
        Door {
            id: self.id,
            name: self.name,
            description: self.description,
            place_id: self.place_id,
            place_name: self.place_name,
            time_zone: self.time_zone,
            floor: self.floor,
            floor_id: self.floor_id,
            controller_id: self.controller_id,
            controller_name: self.controller_name,
            relay: self.relay.and_then(|r| u8::try_from(r).ok()),
            reader_id: self.reader_id,
            reader_name: self.reader_name,
            latitude: self.latitude,
            longitude: self.longitude,
            lock_type,
            pulse_seconds: u32::try_from(self.pulse_seconds).unwrap_or(5),
            held_open_seconds: u32::try_from(self.held_open_seconds).unwrap_or(30),
            geofence_enabled: flag(self.geofence_enabled),
            geofence_radius_m: self.geofence_radius_m.map(radius),
            effective_radius_m: radius(self.geofence_radius_m.unwrap_or(self.place_radius_m)),
            reader_restriction: flag(self.reader_restriction),
            time_restriction: flag(self.time_restriction),
            time_windows: serde_json::from_str::<crate::access::WeeklySchedule>(&self.time_windows)
                .map(|s| s.to_text())
                .unwrap_or_default(),
            exterior: flag(self.exterior),
            require_2fa: flag(self.require_2fa),
            locked_down_at,
            locked_down_by: if self.locked_down_at.is_some() { self.locked_down_by } else { self.place_locked_down_by },
            group_count: self.group_count,
            status,
            sensor,
            alarm,
            note,
        }
    }
}

const CONSTRAINTS: &[ConstraintRule] = &[
    ConstraintRule {
        constraint: "doors_place_name_key",
        sqlite_columns: "doors.place_id, doors.name",
        field: "name",
        message: "This place already has a door with this name.",
    },
    ConstraintRule {
        constraint: "doors_controller_relay_key",
        sqlite_columns: "doors.controller_id, doors.relay",
        field: "relay",
        message: "This relay already drives another door.",
    },
    ConstraintRule {
        constraint: "doors_reader_key",
        sqlite_columns: "doors.reader_id",
        field: "reader_id",
        message: "This reader already serves another door.",
    },
];

pub async fn list(db: &Db, scope: Scope, query: &SearchQuery, page: Page) -> ServiceResult<Listing<Door>> {
    list_filtered(db, scope, query, page, None).await
}

/// Lists doors, optionally only those of one place.
pub async fn list_filtered(db: &Db, scope: Scope, query: &SearchQuery, page: Page, place_id: Option<i64>) -> ServiceResult<Listing<Door>> {
    let place = place_id.unwrap_or(0);
    let total = count_matching(db, scope, query, place).await?;
    let rows: Vec<DoorRow> = sqlx::query_as(&format!(
        "{SELECT} {LIST_FILTER} AND {} ORDER BY LOWER(p.name), LOWER(d.name), d.id LIMIT $4 OFFSET $5",
        scope.place("d.place_id")
    ))
    .bind(query.as_str())
    .bind(query.like_pattern())
    .bind(place)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(db.pool())
    .await?;
    let now = Timestamp::from_millis(now_ms());
    Ok(Listing { items: rows.into_iter().map(|r| r.into_door(now)).collect(), total, page: page.number, page_size: page.size })
}

/// A door with its place's address and coordinates (what the API shows of
/// the place beside each lock).
#[derive(Clone, Debug)]
pub struct PlacedDoor {
    pub door: Door,
    pub place_address: String,
    pub place_latitude: f64,
    pub place_longitude: f64,
}

#[derive(sqlx::FromRow)]
struct PlacedDoorRow {
    #[sqlx(flatten)]
    door: DoorRow,
    place_address: String,
    place_latitude: f64,
    place_longitude: f64,
    total: i64,
}

/// [`list_filtered`]'s page with each door's place, and how many doors
/// match, in ONE query (the count is a window over the same rows). Only a
/// page past the end costs a second query, for the count.
pub async fn list_placed(db: &Db, scope: Scope, query: &SearchQuery, page: Page, place_id: Option<i64>) -> ServiceResult<Listing<PlacedDoor>> {
    static PLACED: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        SELECT.replacen(
            "SELECT ",
            "SELECT p.address AS place_address, p.latitude AS place_latitude, p.longitude AS place_longitude,
             COUNT(*) OVER () AS total, ",
            1,
        )
    });
    let sql = format!(
        "{placed} {LIST_FILTER} AND {scoped} ORDER BY LOWER(p.name), LOWER(d.name), d.id LIMIT $4 OFFSET $5",
        placed = *PLACED,
        scoped = scope.place("d.place_id")
    );
    let place = place_id.unwrap_or(0);
    let rows: Vec<PlacedDoorRow> = sqlx::query_as(&sql)
        .bind(query.as_str())
        .bind(query.like_pattern())
        .bind(place)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(db.pool())
        .await?;
    let total = match rows.first() {
        Some(row) => row.total,
        None => count_matching(db, scope, query, place).await?,
    };
    let now = Timestamp::from_millis(now_ms());
    let items = rows
        .into_iter()
        .map(|r| PlacedDoor {
            door: r.door.into_door(now),
            place_address: r.place_address,
            place_latitude: r.place_latitude,
            place_longitude: r.place_longitude,
        })
        .collect();
    Ok(Listing { items, total, page: page.number, page_size: page.size })
}

/// [`list_placed`]'s filter: `$1` the text, `$2` its LIKE pattern, `$3` a place id or 0.
/// How many doors match a list's search and place filter.
async fn count_matching(db: &Db, scope: Scope, query: &SearchQuery, place: i64) -> ServiceResult<i64> {
    let (total,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM doors d JOIN places p ON p.id = d.place_id {LIST_FILTER} AND {}",
        scope.place("d.place_id")
    ))
        .bind(query.as_str())
        .bind(query.like_pattern())
        .bind(place)
        .fetch_one(db.pool())
        .await?;
    Ok(total)
}

const LIST_FILTER: &str = "WHERE ($1 = '' OR LOWER(d.name) LIKE $2 ESCAPE '\\' OR LOWER(p.name) LIKE $2 ESCAPE '\\')
    AND ($3 = 0 OR d.place_id = $3)";

pub async fn get(db: &Db, id: i64) -> ServiceResult<Door> {
    let row: Option<DoorRow> = sqlx::query_as(&format!("{SELECT} WHERE d.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| r.into_door(Timestamp::from_millis(now_ms()))).ok_or(ServiceError::NotFound("door"))
}

/// The door `id` if it is in `scope` ("not found" otherwise).
pub async fn get_in(db: &Db, scope: Scope, id: i64) -> ServiceResult<Door> {
    let row: Option<DoorRow> = sqlx::query_as(&format!("{SELECT} WHERE d.id = $1 AND {}", scope.place("d.place_id")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| r.into_door(Timestamp::from_millis(now_ms()))).ok_or(ServiceError::NotFound("door"))
}

/// Every door in `scope` as (id, "name (place)"), for pickers.
pub async fn options(db: &Db, scope: Scope) -> ServiceResult<Vec<(i64, String)>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(&format!(
        "SELECT d.id, d.name, p.name FROM doors d JOIN places p ON p.id = d.place_id WHERE {}
         ORDER BY LOWER(p.name), LOWER(d.name)",
        scope.place("d.place_id")
    ))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(id, name, place)| (id, format!("{name} ({place})"))).collect())
}

pub async fn form_options(db: &Db, scope: Scope) -> ServiceResult<DoorOptions> {
    Ok(DoorOptions {
        places: places::options(db, scope).await?,
        controllers: controllers::options(db).await?,
        readers: controllers::reader_options(db).await?,
    })
}

/// Checks what the database cannot say in words: the relay's current door,
/// the controller's place.
async fn check_wiring(db: &Db, door: &ValidDoor, door_id: Option<i64>) -> ServiceResult<()> {
    let Some((controller_id, relay)) = door.controller else { return Ok(()) };
    let controller: Option<(i64, String)> =
        sqlx::query_as("SELECT c.place_id, p.name FROM controllers c JOIN places p ON p.id = c.place_id WHERE c.id = $1")
            .bind(controller_id)
            .fetch_optional(db.pool())
            .await?;
    let Some((place_id, place_name)) = controller else {
        return Err(ServiceError::field("controller_id", "That controller no longer exists. Pick another."));
    };
    if place_id != door.place_id {
        return Err(ServiceError::field(
            "controller_id",
            format!("This controller is installed at “{place_name}”. Pick a controller at the door's place."),
        ));
    }
    let taken: Option<(i64, String)> = sqlx::query_as(
        "SELECT id, name FROM doors WHERE controller_id = $1 AND relay = $2 AND id <> $3",
    )
    .bind(controller_id)
    .bind(i64::from(relay.get()))
    .bind(door_id.unwrap_or(0))
    .fetch_optional(db.pool())
    .await?;
    if let Some((_, other)) = taken {
        return Err(ServiceError::field(
            "relay",
            format!("Relay {} of this controller already drives “{other}”.", relay.get()),
        ));
    }
    Ok(())
}

/// Finds or creates the named floor of a place.
async fn floor_id(tx: &mut sqlx::AnyConnection, place_id: i64, name: Option<&str>) -> ServiceResult<Option<i64>> {
    let Some(name) = name else { return Ok(None) };
    let existing: Option<(i64,)> = sqlx::query_as("SELECT id FROM floors WHERE place_id = $1 AND name = $2")
        .bind(place_id)
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some((id,)) = existing {
        return Ok(Some(id));
    }
    let place: Option<(i64,)> = sqlx::query_as("SELECT id FROM places WHERE id = $1").bind(place_id).fetch_optional(&mut *tx).await?;
    if place.is_none() {
        return Err(ServiceError::field("place_id", "That place does not exist. Choose one from the list."));
    }
    let (id,): (i64,) = sqlx::query_as("INSERT INTO floors (place_id, name) VALUES ($1, $2) RETURNING id")
        .bind(place_id)
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
    Ok(Some(id))
}

/// Writes a door (insert when `id` is None); every field in one statement,
/// committed with its audit line ("door.created" or "door.updated").
async fn save(db: &Db, actor: &Actor, id: Option<i64>, door: &ValidDoor) -> ServiceResult<i64> {
    check_wiring(db, door, id).await?;
    let mut tx = db.write().await?;
    let floor = floor_id(&mut tx, door.place_id, door.floor.as_ref().map(|f| f.as_str())).await?;
    let sql = match id {
        None => "INSERT INTO doors (name, description, place_id, floor_id, controller_id, relay, reader_id, latitude, longitude,
                 lock_type, pulse_seconds, held_open_seconds, geofence_enabled, geofence_radius_m, reader_restriction,
                 time_restriction, exterior, require_2fa, created_at, time_windows)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, CAST($8 AS DOUBLE PRECISION), CAST($9 AS DOUBLE PRECISION), $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id",
        Some(_) => "UPDATE doors SET name = $1, description = $2, place_id = $3, floor_id = $4, controller_id = $5, relay = $6,
                 reader_id = $7, latitude = CAST($8 AS DOUBLE PRECISION), longitude = CAST($9 AS DOUBLE PRECISION), lock_type = $10, pulse_seconds = $11, held_open_seconds = $12,
                 geofence_enabled = $13, geofence_radius_m = $14, reader_restriction = $15, time_restriction = $16,
                 exterior = $17, require_2fa = $18, time_windows = $20 WHERE id = $19 RETURNING id",
    };
    // Bound as text: sqlx 0.8.6's Any driver declares a NULL f64 as float4
    // on PostgreSQL (sqlx#4284), and the statement cached with that type then
    // refuses a real f64 ("incorrect binary data format in bind parameter 8").
    let (lat, lon) = door.coordinates.as_ref().map(|(a, b)| (a.value().to_string(), b.value().to_string())).unzip();
    let row: Option<(i64,)> = sqlx::query_as(sql)
        .bind(door.name.as_str())
        .bind(door.description.as_str())
        .bind(door.place_id)
        .bind(floor)
        .bind(door.controller.map(|(c, _)| c))
        .bind(door.controller.map(|(_, r)| i64::from(r.get())))
        .bind(door.reader_id)
        .bind(lat)
        .bind(lon)
        .bind(door.lock_type.as_str())
        .bind(i64::from(door.pulse_seconds.get()))
        .bind(i64::from(door.held_open_seconds.get()))
        .bind(i64::from(door.geofence_enabled))
        .bind(door.geofence_radius.map(|r| i64::from(r.meters())))
        .bind(i64::from(door.reader_restriction))
        .bind(i64::from(door.time_restriction))
        .bind(i64::from(door.exterior))
        .bind(i64::from(door.require_2fa))
        // $19 is created_at for an insert, the door id for an update.
        .bind(id.unwrap_or_else(now_ms))
        .bind(serde_json::to_string(&door.time_windows).unwrap_or_default())
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| match map_constraint(e, CONSTRAINTS) {
            ServiceError::Conflict(_) => {
                ServiceError::field("place_id", "The place, controller or reader you picked no longer exists.")
            }
            other => other,
        })?;
    let (saved,) = row.ok_or(ServiceError::NotFound("door"))?;
    let action = if id.is_some() { "door.updated" } else { "door.created" };
    tx.commit(Audit::new(actor, action, door.name.as_str()).door(saved).place(door.place_id)).await?;
    Ok(saved)
}

pub async fn create(db: &Db, actor: &SessionUser, door: ValidDoor) -> ServiceResult<i64> {
    require_admin(actor)?;
    save(db, &Actor::User(actor.clone()), None, &door).await
}

/// Inserts without permission checks, as Postern itself (demo data, fixtures).
pub async fn insert(db: &Db, door: &ValidDoor) -> ServiceResult<i64> {
    save(db, &Actor::System, None, door).await
}

pub async fn update(db: &Db, actor: &SessionUser, id: i64, door: ValidDoor) -> ServiceResult<()> {
    require_admin(actor)?;
    save(db, &Actor::User(actor.clone()), Some(id), &door).await?;
    Ok(())
}

pub async fn delete(db: &Db, actor: &SessionUser, id: i64) -> ServiceResult<()> {
    require_admin(actor)?;
    let door = get(db, id).await?;
    let mut write = db.write().await?;
    sqlx::query("DELETE FROM doors WHERE id = $1").bind(id).execute(&mut *write).await?;
    write.commit(Audit::by(actor, "door.deleted", &door.name).door(id)).await?;
    Ok(())
}

/// The doors a user reaches through their groups (owners and admins: all).
pub async fn for_user(db: &Db, user: &SessionUser) -> ServiceResult<Vec<Door>> {
    let now = Timestamp::from_millis(now_ms());
    let rows: Vec<DoorRow> = if user.role.reaches_every_door() {
        sqlx::query_as(&format!("{SELECT} ORDER BY LOWER(p.name), LOWER(d.name)")).fetch_all(db.pool()).await?
    } else {
        sqlx::query_as(&format!(
            "{SELECT} WHERE d.id IN (SELECT gd.door_id FROM group_doors gd
               JOIN group_members gm ON gm.group_id = gd.group_id WHERE gm.user_id = $1)
             ORDER BY LOWER(p.name), LOWER(d.name)"
        ))
        .bind(user.id)
        .fetch_all(db.pool())
        .await?
    };
    Ok(rows.into_iter().map(|r| r.into_door(now)).collect())
}

/// The live state (status, sensor, alarm, note) of these doors, read in one
/// query per 500 ids; doors that no longer exist are left out.
pub async fn live_states(db: &Db, ids: &[i64]) -> ServiceResult<Vec<crate::door_status::DoorLive>> {
    let now = Timestamp::from_millis(now_ms());
    let mut states = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("{SELECT} WHERE d.id IN ({}) ORDER BY d.id", placeholders.join(", "));
        let mut query = sqlx::query_as::<_, DoorRow>(&sql);
        for id in chunk {
            query = query.bind(*id);
        }
        let rows = query.fetch_all(db.pool()).await?;
        states.extend(rows.into_iter().map(|r| r.into_door(now).live()));
    }
    Ok(states)
}
