use super::checked;
use super::controller::{parse_id, parse_optional_id};
use crate::door_status::{DoorAlarm, DoorLive, DoorSensor, DoorStatus};
use crate::access::WeeklySchedule;
use crate::field_error::FieldErrors;
use crate::types::{
    Description, HeldOpenSeconds, Latitude, LockType, Longitude, Name, PulseSeconds, Radius,
    RelayNumber,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Door {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub place_id: i64,
    pub place_name: String,
    pub time_zone: String,
    pub floor: Option<String>,
    /// The floor's id (Kisi's `floor_id`), with `floor`.
    #[serde(default)]
    pub floor_id: Option<i64>,
    pub controller_id: Option<i64>,
    pub controller_name: Option<String>,
    pub relay: Option<u8>,
    pub reader_id: Option<i64>,
    pub reader_name: Option<String>,
    /// The door's own coordinates, if set; otherwise the place's apply.
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub lock_type: LockType,
    pub pulse_seconds: u32,
    pub held_open_seconds: u32,
    pub geofence_enabled: bool,
    /// The door's own radius, if set; otherwise the place's default applies.
    pub geofence_radius_m: Option<u32>,
    pub effective_radius_m: u32,
    pub reader_restriction: bool,
    pub time_restriction: bool,
    /// The door's weekly windows, as text (one window per line).
    pub time_windows: String,
    pub exterior: bool,
    pub require_2fa: bool,
    pub locked_down_at: Option<i64>,
    pub locked_down_by: Option<String>,
    pub group_count: i64,
    pub status: DoorStatus,
    /// Open / closed, when the controller reports a door sensor.
    pub sensor: Option<DoorSensor>,
    /// An alarm raised by the controller, until the door closes.
    pub alarm: Option<DoorAlarm>,
    /// Why the door reads as it does, when not obvious (power loss).
    pub note: Option<String>,
}

impl Door {
    /// The door's state as pages show it and live updates carry it.
    pub fn live(&self) -> DoorLive {
        DoorLive { door_id: self.id, status: self.status, sensor: self.sensor, alarm: self.alarm, note: self.note.clone() }
    }
}

/// A door as typed into the form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorForm {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub place_id: String,
    #[serde(default)]
    pub floor: String,
    #[serde(default)]
    pub controller_id: String,
    #[serde(default)]
    pub relay: String,
    #[serde(default)]
    pub reader_id: String,
    #[serde(default)]
    pub latitude: String,
    #[serde(default)]
    pub longitude: String,
    #[serde(default)]
    pub lock_type: String,
    #[serde(default)]
    pub pulse_seconds: String,
    #[serde(default)]
    pub held_open_seconds: String,
    #[serde(default)]
    pub geofence_enabled: Option<String>,
    #[serde(default)]
    pub geofence_radius_m: String,
    #[serde(default)]
    pub reader_restriction: Option<String>,
    #[serde(default)]
    pub time_restriction: Option<String>,
    /// One window per line, e.g. "Mon-Fri 08:00-18:00".
    #[serde(default)]
    pub time_windows: String,
    #[serde(default)]
    pub exterior: Option<String>,
    #[serde(default)]
    pub require_2fa: Option<String>,
}

pub struct ValidDoor {
    pub name: Name,
    pub description: Description,
    pub place_id: i64,
    pub floor: Option<Name>,
    /// Controller and relay come together or not at all.
    pub controller: Option<(i64, RelayNumber)>,
    pub reader_id: Option<i64>,
    pub coordinates: Option<(Latitude, Longitude)>,
    pub lock_type: LockType,
    pub pulse_seconds: PulseSeconds,
    pub held_open_seconds: HeldOpenSeconds,
    pub geofence_enabled: bool,
    pub geofence_radius: Option<Radius>,
    pub reader_restriction: bool,
    pub time_restriction: bool,
    pub time_windows: WeeklySchedule,
    pub exterior: bool,
    pub require_2fa: bool,
}

impl DoorForm {
    pub fn validate(&self) -> Result<ValidDoor, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", Name::parse(&self.name));
        let description = e.check("description", Description::parse(&self.description));
        let place_id = e.check("place_id", parse_id(&self.place_id, "Pick a place."));
        let floor = if self.floor.trim().is_empty() {
            Some(None)
        } else {
            e.check("floor", Name::parse(&self.floor)).map(Some)
        };
        let controller_id =
            e.check("controller_id", parse_optional_id(&self.controller_id, "Pick a controller."));
        let relay = if self.relay.trim().is_empty() {
            Some(None)
        } else {
            e.check("relay", RelayNumber::parse(&self.relay)).map(Some)
        };
        let controller = match (controller_id, relay) {
            (Some(Some(c)), Some(Some(r))) => Some(Some((c, r))),
            (Some(None), Some(None)) => Some(None),
            (Some(Some(_)), Some(None)) => {
                e.push("relay", "Pick the relay (1 to 4) this door is wired to.");
                None
            }
            (Some(None), Some(Some(_))) => {
                e.push("controller_id", "Pick the controller that owns this relay, or clear the relay.");
                None
            }
            _ => None,
        };
        let reader_id = e.check("reader_id", parse_optional_id(&self.reader_id, "Pick a reader."));
        let coordinates = match (self.latitude.trim().is_empty(), self.longitude.trim().is_empty()) {
            (true, true) => Some(None),
            (false, false) => {
                let lat = e.check("latitude", Latitude::parse(&self.latitude));
                let lon = e.check("longitude", Longitude::parse(&self.longitude));
                lat.zip(lon).map(Some)
            }
            (true, false) => {
                e.push("latitude", "Give both coordinates, or leave both blank to use the place's.");
                None
            }
            (false, true) => {
                e.push("longitude", "Give both coordinates, or leave both blank to use the place's.");
                None
            }
        };
        let lock_type = if self.lock_type.trim().is_empty() {
            Some(LockType::ElectricStrikeFailSecure)
        } else {
            e.check("lock_type", LockType::parse(&self.lock_type))
        };
        let pulse_seconds = if self.pulse_seconds.trim().is_empty() {
            Some(PulseSeconds::default())
        } else {
            e.check("pulse_seconds", PulseSeconds::parse(&self.pulse_seconds))
        };
        let held_open_seconds = if self.held_open_seconds.trim().is_empty() {
            Some(HeldOpenSeconds::default())
        } else {
            e.check("held_open_seconds", HeldOpenSeconds::parse(&self.held_open_seconds))
        };
        let geofence_radius = if self.geofence_radius_m.trim().is_empty() {
            Some(None)
        } else {
            e.check("geofence_radius_m", Radius::parse(&self.geofence_radius_m)).map(Some)
        };
        let time_restriction = checked(&self.time_restriction);
        let time_windows = e.check("time_windows", WeeklySchedule::parse_text(&self.time_windows));
        if time_restriction && time_windows.as_ref().is_some_and(|w| w.windows.is_empty()) {
            e.push("time_windows", "Add at least one window, like “Mon-Fri 08:00-18:00”, or turn the time restriction off.");
        }
        let reader_restriction = checked(&self.reader_restriction);
        if reader_restriction && matches!(reader_id, Some(None)) {
            e.push("reader_id", "The reader restriction needs a reader: pick one, or turn the restriction off.");
        }
        e.into_result()?;
        let (
            Some(name),
            Some(description),
            Some(place_id),
            Some(floor),
            Some(controller),
            Some(reader_id),
            Some(coordinates),
            Some(lock_type),
            Some(pulse_seconds),
            Some(held_open_seconds),
            Some(geofence_radius),
            Some(time_windows),
        ) = (
            name,
            description,
            place_id,
            floor,
            controller,
            reader_id,
            coordinates,
            lock_type,
            pulse_seconds,
            held_open_seconds,
            geofence_radius,
            time_windows,
        )
        else {
            return Err(FieldErrors::new());
        };
        Ok(ValidDoor {
            name,
            description,
            place_id,
            floor,
            controller,
            reader_id,
            coordinates,
            lock_type,
            pulse_seconds,
            held_open_seconds,
            geofence_enabled: checked(&self.geofence_enabled),
            geofence_radius,
            reader_restriction,
            time_restriction,
            time_windows,
            exterior: checked(&self.exterior),
            require_2fa: checked(&self.require_2fa),
        })
    }
}

impl From<&Door> for DoorForm {
    fn from(d: &Door) -> Self {
        let text = |v: Option<String>| v.unwrap_or_default();
        let flag = |b: bool| b.then(|| "on".to_owned());
        DoorForm {
            name: d.name.clone(),
            description: d.description.clone(),
            place_id: d.place_id.to_string(),
            floor: text(d.floor.clone()),
            controller_id: text(d.controller_id.map(|v| v.to_string())),
            relay: text(d.relay.map(|v| v.to_string())),
            reader_id: text(d.reader_id.map(|v| v.to_string())),
            latitude: text(d.latitude.map(|v| v.to_string())),
            longitude: text(d.longitude.map(|v| v.to_string())),
            lock_type: d.lock_type.as_str().to_owned(),
            pulse_seconds: d.pulse_seconds.to_string(),
            held_open_seconds: d.held_open_seconds.to_string(),
            geofence_enabled: flag(d.geofence_enabled),
            geofence_radius_m: text(d.geofence_radius_m.map(|v| v.to_string())),
            reader_restriction: flag(d.reader_restriction),
            time_restriction: flag(d.time_restriction),
            time_windows: d.time_windows.clone(),
            exterior: flag(d.exterior),
            require_2fa: flag(d.require_2fa),
        }
    }
}

/// What the door form's pickers offer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DoorOptions {
    pub places: Vec<(i64, String)>,
    pub controllers: Vec<(i64, String)>,
    pub readers: Vec<(i64, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> DoorForm {
        DoorForm { name: "Front door".into(), place_id: "1".into(), ..Default::default() }
    }

    #[test]
    fn minimal_door_has_defaults() {
        let door = form().validate().unwrap();
        assert!(door.controller.is_none());
        assert_eq!(door.pulse_seconds, PulseSeconds::default());
        assert_eq!(door.lock_type, LockType::ElectricStrikeFailSecure);
    }

    #[test]
    fn relay_five_is_refused() {
        let bad = DoorForm { controller_id: "1".into(), relay: "5".into(), ..form() };
        assert!(bad.validate().err().unwrap().get("relay").is_some());
    }

    #[test]
    fn controller_needs_relay_and_relay_needs_controller() {
        let no_relay = DoorForm { controller_id: "1".into(), ..form() };
        assert!(no_relay.validate().err().unwrap().get("relay").is_some());
        let no_controller = DoorForm { relay: "2".into(), ..form() };
        assert!(no_controller.validate().err().unwrap().get("controller_id").is_some());
    }

    #[test]
    fn reader_restriction_needs_reader() {
        let bad = DoorForm { reader_restriction: Some("on".into()), ..form() };
        assert!(bad.validate().err().unwrap().get("reader_id").is_some());
    }

    #[test]
    fn time_restriction_needs_windows_and_reads_them() {
        let none = DoorForm { time_restriction: Some("on".into()), ..form() };
        assert!(none.validate().err().unwrap().get("time_windows").is_some());
        let bad = DoorForm { time_windows: "Mon 9-5".into(), ..form() };
        assert!(bad.validate().err().unwrap().get("time_windows").is_some());
        let good = DoorForm { time_restriction: Some("on".into()), time_windows: "Mon-Fri 08:00-18:00\nSat 22:00-06:00".into(), ..form() };
        assert_eq!(good.validate().unwrap().time_windows.windows.len(), 2);
    }

    #[test]
    fn half_coordinates_are_refused() {
        let bad = DoorForm { latitude: "40".into(), ..form() };
        assert!(bad.validate().err().unwrap().get("longitude").is_some());
    }
}
