//! What one decision needs, read in as few round trips as possible: the
//! door's rules, and either the person's state and groups or the access
//! link and its group. One query per unlock, on a direct connection
//! (`Db::direct`), keeps the unlock service's reads small next to its
//! durable write. A second, small query reads the place's
//! holidays only when a time restriction is on (the door's or a group's).

use super::super::{db::flag, Db, ServiceError, ServiceResult};
use crate::access::{
    decide, AccessRequest, ActorKind, CredentialState, Decision, DoorRules, Geofence, GroupPath, Location, RequestContext,
    UserState, WeeklySchedule,
};
use crate::schedule::Holiday;
use crate::types::{Coordinates, Latitude, LockType, Longitude, Role, TimeZoneName, Timestamp};

/// Loaded facts about one door.
#[derive(Clone, Debug)]
pub struct DoorFacts {
    pub name: String,
    pub place_id: i64,
    pub controller_id: Option<i64>,
    pub controller_online: bool,
    /// The controller reports the lock's power lost and the lock is
    /// fail-secure: energising the relay cannot release it.
    pub lock_unpowered: bool,
    pub relay: Option<u8>,
    pub pulse_seconds: u32,
    pub rules: DoorRules,
}

/// The door's columns, selected with these names in every query below.
const DOOR_COLUMNS: &str = "d.name, d.place_id, d.controller_id, c.online AS controller_online,
    c.power_lost AS controller_power_lost, d.lock_type, d.relay, d.pulse_seconds,
    d.latitude, d.longitude, p.latitude AS place_latitude, p.longitude AS place_longitude,
    p.geofence_radius_m AS place_radius_m, d.geofence_enabled, d.geofence_radius_m, d.reader_restriction,
    d.time_restriction, d.time_windows, d.locked_down_at, p.locked_down_at AS place_locked_down_at,
    d.require_2fa, p.time_zone";

const DOOR_FROM: &str = "doors d JOIN places p ON p.id = d.place_id LEFT JOIN controllers c ON c.id = d.controller_id";

/// The group's columns, prefixed `g_`, NULL when no group links.
const GROUP_COLUMNS: &str = "g.name AS g_name, g.valid_from AS g_valid_from, g.valid_until AS g_valid_until,
    g.geofence_enabled AS g_geofence, g.reader_restriction AS g_reader, g.time_restriction AS g_time,
    g.time_windows AS g_windows, g.primary_device_required AS g_device";

#[derive(sqlx::FromRow)]
struct DoorRow {
    name: String,
    place_id: i64,
    controller_id: Option<i64>,
    controller_online: Option<i64>,
    controller_power_lost: Option<i64>,
    lock_type: String,
    relay: Option<i64>,
    pulse_seconds: i64,
    latitude: Option<f64>,
    longitude: Option<f64>,
    place_latitude: f64,
    place_longitude: f64,
    place_radius_m: i64,
    geofence_enabled: i64,
    geofence_radius_m: Option<i64>,
    reader_restriction: i64,
    time_restriction: i64,
    time_windows: String,
    locked_down_at: Option<i64>,
    place_locked_down_at: Option<i64>,
    require_2fa: i64,
    time_zone: String,
}

#[derive(sqlx::FromRow)]
struct GroupRow {
    g_name: Option<String>,
    g_valid_from: Option<i64>,
    g_valid_until: Option<i64>,
    g_geofence: Option<i64>,
    g_reader: Option<i64>,
    g_time: Option<i64>,
    g_windows: Option<String>,
    g_device: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    u_name: Option<String>,
    u_email: Option<String>,
    u_role: Option<String>,
    u_confirmed: Option<i64>,
    u_app_access: Option<i64>,
    u_device_required: Option<i64>,
    u_device: Option<String>,
    m_from: Option<i64>,
    m_until: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    #[sqlx(flatten)]
    door: DoorRow,
    #[sqlx(flatten)]
    user: UserRow,
    #[sqlx(flatten)]
    group: GroupRow,
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    #[sqlx(flatten)]
    door: DoorRow,
    #[sqlx(flatten)]
    group: GroupRow,
    revoked_at: Option<i64>,
    valid_from: Option<i64>,
    valid_until: Option<i64>,
    use_limit: Option<i64>,
    use_limit_period: Option<String>,
    uses: i64,
    day_uses: i64,
    use_day: Option<String>,
}

/// The door, the person and the groups linking them.
#[derive(Clone, Debug)]
pub struct PersonFacts {
    pub door: DoorFacts,
    pub user: UserState,
    /// The person's name and email as they are now (for the event log).
    pub name: String,
    pub email: String,
    pub groups: Vec<GroupPath>,
}

/// The door, the access link and its group (when the group has the door).
pub struct LinkFacts {
    pub door: DoorFacts,
    pub credential: CredentialState,
    pub groups: Vec<GroupPath>,
}

impl PersonFacts {
    /// The decision for this person (as a session, an API key or a card).
    pub fn decide(&self, actor: ActorKind, context: &RequestContext) -> Decision {
        decide(&AccessRequest {
            actor,
            credential: CredentialState::default(),
            user: Some(&self.user),
            door: &self.door.rules,
            groups: &self.groups,
            context,
        })
    }
}

impl LinkFacts {
    /// The decision for whoever holds this link.
    pub fn decide(&self, context: &RequestContext) -> Decision {
        decide(&AccessRequest {
            actor: ActorKind::AccessLink,
            credential: self.credential,
            user: None,
            door: &self.door.rules,
            groups: &self.groups,
            context,
        })
    }
}

/// A request's (latitude, longitude, accuracy in m), if they are coordinates.
pub(super) fn location(reported: Option<(f64, f64, f64)>) -> Option<Location> {
    let (latitude, longitude, accuracy) = reported?;
    Some(Location { at: coordinates(latitude, longitude)?, accuracy_m: accuracy.max(0.0) })
}

pub async fn door(db: &Db, door_id: i64) -> ServiceResult<DoorFacts> {
    let sql = format!("SELECT {DOOR_COLUMNS} FROM {DOOR_FROM} WHERE d.id = $1");
    let mut conn = db.direct().await?;
    let result = sqlx::query_as(&sql).bind(door_id).fetch_optional(&mut *conn).await;
    let row: DoorRow = conn.check(result)?.ok_or(ServiceError::NotFound("door"))?;
    door_facts(door_id, row)
}

/// One round trip: one row per group linking the person to the door (or a
/// single row with NULL group columns when none does); a second one for the
/// holidays when a time restriction is on, for the local date of `now`. A
/// person who is gone is `Unauthenticated`.
pub async fn person(db: &Db, user_id: i64, door_id: i64, now: i64) -> ServiceResult<PersonFacts> {
    let sql = format!(
        "SELECT {DOOR_COLUMNS}, u.name AS u_name, u.email AS u_email, u.role AS u_role, u.confirmed AS u_confirmed,
         u.app_access AS u_app_access, u.primary_device_required AS u_device_required, u.primary_device_id AS u_device,
         gp.*
         FROM {DOOR_FROM}
         LEFT JOIN users u ON u.id = $1
         LEFT JOIN (SELECT gm.valid_from AS m_from, gm.valid_until AS m_until, {GROUP_COLUMNS}
                    FROM group_members gm JOIN group_doors gd ON gd.group_id = gm.group_id
                    JOIN access_groups g ON g.id = gm.group_id
                    WHERE gm.user_id = $1 AND gd.door_id = $2) gp ON 1 = 1
         WHERE d.id = $2
         ORDER BY LOWER(gp.g_name)"
    );
    let rows: Vec<PersonRow> = {
        let mut conn = db.direct().await?;
        let result = sqlx::query_as(&sql).bind(user_id).bind(door_id).fetch_all(&mut *conn).await;
        conn.check(result)?
    };
    let mut rows = rows.into_iter();
    let first = rows.next().ok_or(ServiceError::NotFound("door"))?;
    let role = first.user.u_role.as_deref().ok_or(ServiceError::Unauthenticated)?;
    let name = first.user.u_name.clone().unwrap_or_default();
    let email = first.user.u_email.clone().unwrap_or_default();
    let user = UserState {
        role: Role::parse(role).unwrap_or(Role::Member),
        confirmed: first.user.u_confirmed.is_some_and(flag),
        app_access: first.user.u_app_access.is_some_and(flag),
        primary_device_required: first.user.u_device_required.is_some_and(flag),
        bound_device: first.user.u_device.clone(),
    };
    let mut groups = Vec::new();
    let mut door_row = None;
    for row in std::iter::once(first).chain(rows) {
        if let Some(path) = group_path(row.group, row.user.m_from, row.user.m_until) {
            groups.push(path);
        }
        door_row.get_or_insert(row.door);
    }
    let mut door = door_facts(door_id, door_row.ok_or(ServiceError::NotFound("door"))?)?;
    door.rules.holiday = suppressing_holiday(db, &door, &groups, now).await?;
    Ok(PersonFacts { door, user, name, email, groups })
}

/// One round trip: the link's state, the door, and the link's group when
/// that group includes the door (and the holidays when a time restriction is on).
pub async fn link(db: &Db, link_id: i64, door_id: i64, now: i64) -> ServiceResult<LinkFacts> {
    let sql = format!(
        "SELECT {DOOR_COLUMNS}, {GROUP_COLUMNS}, l.revoked_at, l.valid_from, l.valid_until, l.use_limit,
         l.use_limit_period, l.uses, l.day_uses, l.use_day
         FROM {DOOR_FROM}
         JOIN access_links l ON l.id = $1
         LEFT JOIN group_doors gd ON gd.group_id = l.group_id AND gd.door_id = d.id
         LEFT JOIN access_groups g ON g.id = gd.group_id
         WHERE d.id = $2"
    );
    let row: Option<LinkRow> = {
        let mut conn = db.direct().await?;
        let result = sqlx::query_as(&sql).bind(link_id).bind(door_id).fetch_optional(&mut *conn).await;
        conn.check(result)?
    };
    let row = row.ok_or(ServiceError::NotFound("door"))?;
    let groups: Vec<GroupPath> = group_path(row.group, None, None).into_iter().collect();
    let mut door = door_facts(door_id, row.door)?;
    let used_up = match (row.use_limit_period.as_deref(), row.use_limit) {
        (Some("total"), Some(limit)) => row.uses >= limit,
        (Some("day"), Some(limit)) => {
            let today = local_date(now, &door.rules.time_zone).map(|d| d.to_string());
            row.use_day.is_some() && row.use_day == today && row.day_uses >= limit
        }
        _ => false,
    };
    let credential = CredentialState {
        revoked: row.revoked_at.is_some_and(|at| at <= now),
        valid_from: row.valid_from.map(Timestamp::from_millis),
        valid_until: row.valid_until.map(Timestamp::from_millis),
        used_up,
    };
    door.rules.holiday = suppressing_holiday(db, &door, &groups, now).await?;
    Ok(LinkFacts { door, credential, groups })
}

/// The name of a holiday that suspends time restrictions at the door's place
/// on the local date of `now` (first by date, then by creation), read only
/// when a time restriction is on. Yearly holidays and the leap-day rule are
/// [`Holiday::falls_on`]'s.
async fn suppressing_holiday(db: &Db, door: &DoorFacts, groups: &[GroupPath], now: i64) -> ServiceResult<Option<String>> {
    let restricted = door.rules.time_restriction.is_some() || groups.iter().any(|g| g.time_restriction.is_some());
    if !restricted {
        return Ok(None);
    }
    let Some(today) = local_date(now, &door.rules.time_zone) else {
        return Ok(None);
    };
    let mut conn = db.direct().await?;
    let result = sqlx::query_as(
        "SELECT name, date, yearly FROM holidays
         WHERE place_id = $1 AND suppress_time_restrictions <> 0 AND (yearly <> 0 OR date = $2)
         ORDER BY date, id",
    )
    .bind(door.place_id)
    .bind(today.to_string())
    .fetch_all(&mut *conn)
    .await;
    let rows: Vec<(String, String, i64)> = conn.check(result)?;
    Ok(rows
        .into_iter()
        .filter_map(|(name, date, yearly)| {
            Some(Holiday { id: 0, name, date: date.parse().ok()?, yearly: yearly != 0, suppress_time_restrictions: true })
        })
        .find(|holiday| holiday.falls_on(today))
        .map(|holiday| holiday.name))
}

/// The date on the wall clock of `zone` at `now` (milliseconds).
fn local_date(now: i64, zone: &TimeZoneName) -> Option<jiff::civil::Date> {
    jiff::Timestamp::from_millisecond(now).ok().map(|t| t.to_zoned(zone.time_zone()).date())
}

fn group_path(row: GroupRow, member_from: Option<i64>, member_until: Option<i64>) -> Option<GroupPath> {
    let ts = |v: Option<i64>| v.map(Timestamp::from_millis);
    Some(GroupPath {
        name: row.g_name?,
        valid_from: ts(row.g_valid_from),
        valid_until: ts(row.g_valid_until),
        member_from: ts(member_from),
        member_until: ts(member_until),
        geofence: row.g_geofence.is_some_and(flag),
        reader_restriction: row.g_reader.is_some_and(flag),
        time_restriction: schedule(row.g_time.unwrap_or(0), row.g_windows.as_deref().unwrap_or("[]")),
        primary_device_required: row.g_device.is_some_and(flag),
    })
}

fn door_facts(door_id: i64, row: DoorRow) -> ServiceResult<DoorFacts> {
    let center = coordinates(row.latitude.unwrap_or(row.place_latitude), row.longitude.unwrap_or(row.place_longitude))
        .ok_or_else(|| ServiceError::internal(format!("door {door_id} has invalid coordinates")))?;
    let radius = u32::try_from(row.geofence_radius_m.unwrap_or(row.place_radius_m)).unwrap_or(300);
    let time_zone = TimeZoneName::parse(&row.time_zone)
        .map_err(|_| ServiceError::internal(format!("door {door_id} has an unknown time zone")))?;
    Ok(DoorFacts {
        place_id: row.place_id,
        controller_id: row.controller_id,
        controller_online: row.controller_online.is_some_and(flag),
        lock_unpowered: row.controller_power_lost.is_some_and(flag)
            && !LockType::parse(&row.lock_type).is_ok_and(|t| t.fail_safe()),
        relay: row.relay.and_then(|r| u8::try_from(r).ok()),
        pulse_seconds: u32::try_from(row.pulse_seconds).unwrap_or(5),
        rules: DoorRules {
            geofence: flag(row.geofence_enabled).then_some(Geofence { center, radius_m: radius }),
            center,
            default_radius_m: radius,
            reader_restriction: flag(row.reader_restriction),
            time_restriction: schedule(row.time_restriction, &row.time_windows),
            locked_down: row.locked_down_at.is_some() || row.place_locked_down_at.is_some(),
            require_2fa: flag(row.require_2fa),
            time_zone,
            holiday: None,
        },
        name: row.name,
    })
}

fn schedule(enabled: i64, json: &str) -> Option<WeeklySchedule> {
    flag(enabled).then(|| serde_json::from_str(json).unwrap_or(WeeklySchedule { windows: Vec::new() }))
}

pub(super) fn coordinates(latitude: f64, longitude: f64) -> Option<Coordinates> {
    Some(Coordinates { latitude: Latitude::parse_f64(latitude).ok()?, longitude: Longitude::parse_f64(longitude).ok()? })
}
