//! A door as Kisi's API shows a lock (SPEC §1's fields, in Kisi's names),
//! with Postern's own settings after them.

use super::times::rfc3339;
use super::ApiError;
use postern::door_status::DoorStatus;
use postern::model::Door;
use postern::services::doors::PlacedDoor;
use postern::services::{places, Db};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// The place a lock belongs to.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PlaceView {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    /// IANA time zone, e.g. `America/New_York`.
    pub time_zone: String,
}

impl From<postern::model::Place> for PlaceView {
    fn from(p: postern::model::Place) -> PlaceView {
        PlaceView { id: p.id, name: p.name, address: p.address, latitude: p.latitude, longitude: p.longitude, time_zone: p.time_zone }
    }
}

/// A lock (a door).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LockView {
    pub id: i64,
    pub name: String,
    /// `null` when the door has none.
    pub description: Option<String>,
    /// The door's own coordinates; `null` = the place's apply.
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Wired to a controller relay.
    pub configured: bool,
    /// Its controller is online.
    pub online: bool,
    /// An unlock pulse (or schedule) holds it open now.
    pub unlocked: bool,
    /// RFC 3339, while unlocked.
    pub unlocked_until: Option<String>,
    pub locked_down: bool,
    /// RFC 3339, while locked down (the door's or its place's lockdown).
    pub locked_down_since: Option<String>,
    /// The door sensor reports it open (false until a sensor reports).
    pub open: bool,
    pub geofence_restriction_enabled: bool,
    /// Metres: the door's own radius, else the place's default.
    pub geofence_restriction_radius: u32,
    pub reader_restriction_enabled: bool,
    pub time_restriction_enabled: bool,
    /// The zone the time restriction's windows are read in (the place's).
    pub time_restriction_time_zone: String,
    /// Groups linked to this door.
    pub groups_count: i64,
    /// The lock's floor (`/floors/{id}`), if any; `floor` is its name.
    pub floor_id: Option<i64>,
    pub place_id: i64,
    pub place: PlaceView,
    /// Postern: the floor's name, if any.
    pub floor: Option<String>,
    /// Postern: the controller driving it and its relay (1 to 4).
    pub controller_id: Option<i64>,
    pub relay: Option<u8>,
    pub reader_id: Option<i64>,
    /// Postern: `strike_fail_safe`, `strike_fail_secure`, `magnetic` or `wireless`.
    pub lock_type: String,
    /// Postern: how long an unlock holds it open.
    pub pulse_seconds: u32,
    pub held_open_seconds: u32,
    /// Postern: the weekly windows, one per line, e.g. `Mon-Fri 08:00-18:00`.
    pub time_windows: String,
    pub exterior: bool,
    pub require_2fa: bool,
    /// Postern: `offline`, `locked_down`, `unlocked` or `locked` (in that precedence).
    pub status: String,
}

/// The views of `doors`, reading each of their places once.
pub async fn views(db: &Db, doors: Vec<Door>) -> Result<Vec<LockView>, ApiError> {
    let mut places: HashMap<i64, PlaceView> = HashMap::new();
    let mut out = Vec::with_capacity(doors.len());
    for door in doors {
        let place = match places.get(&door.place_id) {
            Some(place) => place.clone(),
            None => {
                let place = PlaceView::from(places::get(db, door.place_id).await?);
                places.insert(door.place_id, place.clone());
                place
            }
        };
        out.push(view(door, place));
    }
    Ok(out)
}

/// The view of a door read with its place (no further reads).
pub fn placed(placed: PlacedDoor) -> LockView {
    let PlacedDoor { door, place_address, place_latitude, place_longitude } = placed;
    let place = PlaceView {
        id: door.place_id,
        name: door.place_name.clone(),
        address: place_address,
        latitude: place_latitude,
        longitude: place_longitude,
        time_zone: door.time_zone.clone(),
    };
    view(door, place)
}

/// The view of one door.
pub async fn one(db: &Db, door: Door) -> Result<LockView, ApiError> {
    views(db, vec![door]).await?.pop().ok_or(ApiError::Internal)
}

fn view(d: Door, place: PlaceView) -> LockView {
    let (unlocked_until, status) = match d.status {
        DoorStatus::Offline => (None, "offline"),
        DoorStatus::LockedDown => (None, "locked_down"),
        DoorStatus::Unlocked { until } => (Some(until.to_rfc3339()), "unlocked"),
        DoorStatus::PowerReleased => (None, "unlocked"),
        DoorStatus::Locked => (None, "locked"),
    };
    LockView {
        id: d.id,
        description: Some(d.description).filter(|text| !text.is_empty()),
        latitude: d.latitude,
        longitude: d.longitude,
        configured: d.controller_id.is_some() && d.relay.is_some(),
        online: d.status != DoorStatus::Offline,
        unlocked: status == "unlocked",
        unlocked_until,
        locked_down: d.locked_down_at.is_some(),
        locked_down_since: d.locked_down_at.map(rfc3339),
        open: d.sensor == Some(postern::door_status::DoorSensor::Open),
        geofence_restriction_enabled: d.geofence_enabled,
        geofence_restriction_radius: d.effective_radius_m,
        reader_restriction_enabled: d.reader_restriction,
        time_restriction_enabled: d.time_restriction,
        time_restriction_time_zone: d.time_zone,
        groups_count: d.group_count,
        floor_id: d.floor_id,
        place_id: d.place_id,
        place,
        floor: d.floor,
        controller_id: d.controller_id,
        relay: d.relay,
        reader_id: d.reader_id,
        lock_type: d.lock_type.as_str().to_owned(),
        pulse_seconds: d.pulse_seconds,
        held_open_seconds: d.held_open_seconds,
        time_windows: d.time_windows,
        exterior: d.exterior,
        require_2fa: d.require_2fa,
        status: status.to_owned(),
        name: d.name,
    }
}
