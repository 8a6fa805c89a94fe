//! The one unlock service every entry point calls (dashboard, member page,
//! API, reader, link): load the rules, run the pure access decision, record
//! the event durably, and pulse the relay when granted.

use super::event_writer::{EventWriter, NewEvent};
use super::relays::Relays;
use super::{db::flag, now_ms, Db, ServiceError, ServiceResult};
use crate::access::{
    decide, AccessRequest, ActorKind, CredentialState, DoorRules, Geofence, GroupPath, Location, ProximityProof,
    Reason, RequestContext, UserState, WeeklySchedule,
};
use crate::access::Explanation;
use crate::model::SessionUser;
use crate::types::{Coordinates, Latitude, Longitude, Role, Timestamp, TimeZoneName};

/// How the unlock was asked for (the event log's "method").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnlockMethod {
    Web,
    App,
    Link,
    Reader,
    Api,
}

impl UnlockMethod {
    pub fn as_str(&self) -> &'static str {
        match self {
            UnlockMethod::Web => "web",
            UnlockMethod::App => "app",
            UnlockMethod::Link => "link",
            UnlockMethod::Reader => "reader",
            UnlockMethod::Api => "api",
        }
    }
}

/// Who asks.
#[derive(Clone, Debug)]
pub enum UnlockActor {
    /// A signed-in person; `verified_at` is their last password entry.
    Session { user: SessionUser, verified_at: Option<i64>, device_id: Option<String> },
    /// An API key acting as its user.
    ApiKey { user: SessionUser },
}

impl UnlockActor {
    fn user(&self) -> &SessionUser {
        match self {
            UnlockActor::Session { user, .. } | UnlockActor::ApiKey { user } => user,
        }
    }
}

/// One unlock request.
#[derive(Clone, Debug)]
pub struct UnlockInput {
    pub door_id: i64,
    pub actor: UnlockActor,
    pub method: UnlockMethod,
    pub location: Option<(f64, f64, f64)>,
    pub proximity: ProximityProof,
}

/// What happened.
#[derive(Clone, Debug, PartialEq)]
pub enum UnlockOutcome {
    Granted { until_ms: i64, pulse_seconds: u32 },
    Denied { reasons: Vec<Reason>, time_zone: TimeZoneName },
    /// Granted, but the door has no controller (HTTP 409).
    NoController,
    /// Granted, but the controller is offline (HTTP 503).
    ControllerOffline,
}

/// Shared by every entry point. Cheap to clone.
#[derive(Clone, Debug)]
pub struct UnlockService {
    db: Db,
    events: EventWriter,
    relays: Relays,
}

#[derive(sqlx::FromRow)]
struct DoorRulesRow {
    name: String,
    place_id: i64,
    controller_id: Option<i64>,
    controller_online: Option<i64>,
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
struct GroupPathRow {
    name: String,
    valid_from: Option<i64>,
    valid_until: Option<i64>,
    member_from: Option<i64>,
    member_until: Option<i64>,
    geofence_enabled: i64,
    reader_restriction: i64,
    time_restriction: i64,
    time_windows: String,
    primary_device_required: i64,
}

/// Loaded facts about one door.
pub struct DoorFacts {
    pub name: String,
    pub place_id: i64,
    pub controller_id: Option<i64>,
    pub controller_online: bool,
    pub pulse_seconds: u32,
    pub rules: DoorRules,
}

fn schedule(enabled: i64, json: &str) -> Option<WeeklySchedule> {
    flag(enabled).then(|| serde_json::from_str(json).unwrap_or(WeeklySchedule { windows: Vec::new() }))
}

fn coordinates(latitude: f64, longitude: f64) -> Option<Coordinates> {
    Some(Coordinates { latitude: Latitude::parse_f64(latitude).ok()?, longitude: Longitude::parse_f64(longitude).ok()? })
}

impl UnlockService {
    pub fn new(db: Db, events: EventWriter, relays: Relays) -> UnlockService {
        UnlockService { db, events, relays }
    }

    /// The door's rules as the decision needs them.
    pub async fn door_facts(&self, door_id: i64) -> ServiceResult<DoorFacts> {
        let row: DoorRulesRow = sqlx::query_as(
            "SELECT d.name, d.place_id, d.controller_id, c.online AS controller_online, d.pulse_seconds, d.latitude, d.longitude,
             p.latitude AS place_latitude, p.longitude AS place_longitude, p.geofence_radius_m AS place_radius_m,
             d.geofence_enabled, d.geofence_radius_m, d.reader_restriction, d.time_restriction, d.time_windows,
             d.locked_down_at, p.locked_down_at AS place_locked_down_at, d.require_2fa, p.time_zone
             FROM doors d JOIN places p ON p.id = d.place_id LEFT JOIN controllers c ON c.id = d.controller_id
             WHERE d.id = $1",
        )
        .bind(door_id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or(ServiceError::NotFound("door"))?;
        let center = coordinates(row.latitude.unwrap_or(row.place_latitude), row.longitude.unwrap_or(row.place_longitude))
            .ok_or_else(|| ServiceError::Internal(format!("door {door_id} has invalid coordinates")))?;
        let radius = u32::try_from(row.geofence_radius_m.unwrap_or(row.place_radius_m)).unwrap_or(300);
        let time_zone = TimeZoneName::parse(&row.time_zone)
            .map_err(|_| ServiceError::Internal(format!("door {door_id} has an unknown time zone")))?;
        Ok(DoorFacts {
            place_id: row.place_id,
            controller_id: row.controller_id,
            controller_online: row.controller_online.is_some_and(flag),
            pulse_seconds: u32::try_from(row.pulse_seconds).unwrap_or(5),
            rules: DoorRules {
                geofence: flag(row.geofence_enabled).then(|| Geofence { center: center.clone(), radius_m: radius }),
                center,
                default_radius_m: radius,
                reader_restriction: flag(row.reader_restriction),
                time_restriction: schedule(row.time_restriction, &row.time_windows),
                locked_down: row.locked_down_at.is_some() || row.place_locked_down_at.is_some(),
                require_2fa: flag(row.require_2fa),
                time_zone,
            },
            name: row.name,
        })
    }

    /// The groups that link this user to this door.
    pub async fn group_paths(&self, user_id: i64, door_id: i64) -> ServiceResult<Vec<GroupPath>> {
        let rows: Vec<GroupPathRow> = sqlx::query_as(
            "SELECT g.name, g.valid_from, g.valid_until, gm.valid_from AS member_from, gm.valid_until AS member_until,
             g.geofence_enabled, g.reader_restriction, g.time_restriction, g.time_windows, g.primary_device_required
             FROM access_groups g JOIN group_members gm ON gm.group_id = g.id JOIN group_doors gd ON gd.group_id = g.id
             WHERE gm.user_id = $1 AND gd.door_id = $2 ORDER BY LOWER(g.name)",
        )
        .bind(user_id)
        .bind(door_id)
        .fetch_all(self.db.pool())
        .await?;
        let ts = |v: Option<i64>| v.map(Timestamp::from_millis);
        Ok(rows
            .into_iter()
            .map(|r| GroupPath {
                name: r.name,
                valid_from: ts(r.valid_from),
                valid_until: ts(r.valid_until),
                member_from: ts(r.member_from),
                member_until: ts(r.member_until),
                geofence: flag(r.geofence_enabled),
                reader_restriction: flag(r.reader_restriction),
                time_restriction: schedule(r.time_restriction, &r.time_windows),
                primary_device_required: flag(r.primary_device_required),
            })
            .collect())
    }

    /// The user's state as the decision needs it.
    pub async fn user_state(&self, user_id: i64) -> ServiceResult<UserState> {
        let row: Option<(String, i64, i64, i64, Option<String>)> = sqlx::query_as(
            "SELECT role, confirmed, app_access, primary_device_required, primary_device_id FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_optional(self.db.pool())
        .await?;
        let (role, confirmed, app_access, device_required, device) = row.ok_or(ServiceError::Unauthenticated)?;
        Ok(UserState {
            role: Role::parse(&role).unwrap_or(Role::Member),
            confirmed: flag(confirmed),
            app_access: flag(app_access),
            primary_device_required: flag(device_required),
            bound_device: device,
        })
    }

    /// "Why can't they unlock?": the decision for a user at a door, at a time
    /// and place of the admin's choosing, laid out rule by rule. Records nothing.
    pub async fn explain(&self, user_id: i64, door_id: i64, at_ms: i64, location: Option<(f64, f64, f64)>) -> ServiceResult<Explanation> {
        let door = self.door_facts(door_id).await?;
        let state = self.user_state(user_id).await?;
        let groups = self.group_paths(user_id, door_id).await?;
        let context = RequestContext {
            now: Timestamp::from_millis(at_ms),
            location: location.and_then(|(lat, lon, accuracy)| Some(Location { at: coordinates(lat, lon)?, accuracy_m: accuracy.max(0.0) })),
            proximity: ProximityProof::Missing,
            device_id: None,
            verified_at: None,
        };
        let decision = decide(&AccessRequest {
            actor: ActorKind::Session,
            credential: CredentialState { revoked: false, valid_from: None, valid_until: None },
            user: Some(&state),
            door: &door.rules,
            groups: &groups,
            context: &context,
        });
        let checks = crate::access::explain(&decision, &door.rules, &door.name, &door.rules.time_zone, state.role.reaches_every_door());
        Ok(Explanation {
            granted: decision.granted,
            door_name: door.name,
            at_local: Timestamp::from_millis(at_ms).format_in(&door.rules.time_zone),
            time_zone: door.rules.time_zone.as_str().to_owned(),
            checks,
        })
    }

    /// Decides, records the attempt durably, and pulses the relay when granted.
    pub async fn unlock(&self, input: UnlockInput) -> ServiceResult<UnlockOutcome> {
        let user = input.actor.user().clone();
        let door = self.door_facts(input.door_id).await?;
        let state = self.user_state(user.id).await?;
        let groups = self.group_paths(user.id, input.door_id).await?;
        let now = now_ms();
        let (kind, verified_at, device_id) = match &input.actor {
            UnlockActor::Session { verified_at, device_id, .. } => (ActorKind::Session, *verified_at, device_id.clone()),
            UnlockActor::ApiKey { .. } => (ActorKind::ApiKey, None, None),
        };
        let location = input.location.and_then(|(lat, lon, accuracy)| {
            Some(Location { at: coordinates(lat, lon)?, accuracy_m: accuracy.max(0.0) })
        });
        let context = RequestContext {
            now: Timestamp::from_millis(now),
            location,
            proximity: input.proximity,
            device_id,
            verified_at: verified_at.map(Timestamp::from_millis),
        };
        let decision = decide(&AccessRequest {
            actor: kind,
            credential: CredentialState { revoked: false, valid_from: None, valid_until: None },
            user: Some(&state),
            door: &door.rules,
            groups: &groups,
            context: &context,
        });
        let mut event = NewEvent {
            at: now,
            actor_kind: match kind {
                ActorKind::ApiKey => "api_key".into(),
                _ => "user".into(),
            },
            actor_user_id: Some(user.id),
            actor_name: format!("{} <{}>", user.name, user.email),
            action: "unlock".into(),
            subject: door.name.clone(),
            door_id: Some(input.door_id),
            place_id: Some(door.place_id),
            method: Some(input.method.as_str().into()),
            ..Default::default()
        };
        if !decision.granted {
            event.result = "denied".into();
            event.reasons = decision.reasons.iter().map(|r| r.code().to_owned()).collect();
            self.events.record(event).await?;
            return Ok(UnlockOutcome::Denied { reasons: decision.reasons, time_zone: door.rules.time_zone });
        }
        if door.controller_id.is_none() {
            event.result = "error".into();
            event.reasons = vec!["no_controller".into()];
            self.events.record(event).await?;
            return Ok(UnlockOutcome::NoController);
        }
        if !door.controller_online {
            event.result = "error".into();
            event.reasons = vec!["controller_offline".into()];
            self.events.record(event).await?;
            return Ok(UnlockOutcome::ControllerOffline);
        }
        // The grant (and the door's "unlocked until") is on disk before the
        // relay moves and before the caller hears it, in one group commit.
        let until_ms = now + i64::from(door.pulse_seconds) * 1000;
        event.result = "granted".into();
        event.unlocked_until = Some((input.door_id, until_ms));
        self.events.record(event).await?;
        self.relays.pulse(input.door_id, until_ms);
        Ok(UnlockOutcome::Granted { until_ms, pulse_seconds: door.pulse_seconds })
    }
}
