//! What a door and a group require, as the decision sees them.

use super::WeeklySchedule;
use crate::types::{Coordinates, TimeZoneName, Timestamp};
use serde::{Deserialize, Serialize};

/// A circle the requester must be inside.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Geofence {
    /// Middle of the circle.
    pub center: Coordinates,
    /// Radius in meters.
    pub radius_m: u32,
}

/// A door's own restrictions. They apply to everyone, whatever their groups.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DoorRules {
    /// The door's geofence, when it is on.
    pub geofence: Option<Geofence>,
    /// Where the door is: the center of group geofences.
    pub center: Coordinates,
    /// Radius of group geofences, in meters.
    pub default_radius_m: u32,
    /// A fresh proof from the door's reader is needed.
    pub reader_restriction: bool,
    /// The door's opening hours, when they are on.
    pub time_restriction: Option<WeeklySchedule>,
    /// Only owners and admins may open it.
    pub locked_down: bool,
    /// A recent second-factor verification is needed.
    pub require_2fa: bool,
    /// The place's time zone, for opening hours.
    pub time_zone: TimeZoneName,
    /// The name of a holiday on today's local date at the door's place that
    /// suspends time restrictions, resolved by the caller. On it every time
    /// restriction that is on (the door's, a group's) is closed for the day,
    /// whatever its windows say.
    #[serde(default)]
    pub holiday: Option<String>,
}

impl DoorRules {
    /// The geofence used by groups that have theirs on.
    pub fn group_geofence(&self) -> Geofence {
        Geofence {
            center: self.center,
            radius_m: self.default_radius_m,
        }
    }
}

/// One group through which the actor may reach the door.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupPath {
    /// The group's name, shown in reasons.
    pub name: String,
    /// The group is valid from (inclusive).
    pub valid_from: Option<Timestamp>,
    /// The group is valid until (exclusive).
    pub valid_until: Option<Timestamp>,
    /// The membership is valid from (inclusive).
    pub member_from: Option<Timestamp>,
    /// The membership is valid until (exclusive).
    pub member_until: Option<Timestamp>,
    /// Members must be within the door's default radius.
    pub geofence: bool,
    /// Members need a fresh proof from the door's reader.
    pub reader_restriction: bool,
    /// The group's own hours, when they are on.
    pub time_restriction: Option<WeeklySchedule>,
    /// Members must use their primary device.
    pub primary_device_required: bool,
}

impl GroupPath {
    /// A group with this name, always valid and without restrictions.
    pub fn open(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            valid_from: None,
            valid_until: None,
            member_from: None,
            member_until: None,
            geofence: false,
            reader_restriction: false,
            time_restriction: None,
            primary_device_required: false,
        }
    }
}
