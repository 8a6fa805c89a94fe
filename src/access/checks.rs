//! The restrictions shared by doors and groups, checked one at a time.

use super::{
    Geofence, GroupReason, Location, ProximityProof, Reason, RequestContext, UserState,
    WeeklySchedule,
};
use crate::types::TimeZoneName;

/// A failed restriction, before it is said to be the door's or a group's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Blocked {
    LocationUnavailable,
    OutsideGeofence {
        distance_m: u32,
        radius_m: u32,
        accuracy_m: u32,
    },
    ProximityProofMissing,
    ProximityProofInvalid,
    OutsideTimeWindow,
    NoTimeWindows,
    WrongDevice,
}

/// The accuracy circle must lie inside the fence: distance + accuracy <= radius.
pub(crate) fn geofence(fence: &Geofence, location: Option<&Location>) -> Option<Blocked> {
    let Some(location) = location else {
        return Some(Blocked::LocationUnavailable);
    };
    let accuracy = location.accuracy_m;
    if !accuracy.is_finite() || accuracy < 0.0 {
        return Some(Blocked::LocationUnavailable);
    }
    let distance = fence.center.distance_m(&location.at);
    if distance + accuracy <= f64::from(fence.radius_m) {
        return None;
    }
    // `as` saturates, so huge values cannot wrap.
    Some(Blocked::OutsideGeofence {
        distance_m: distance.round() as u32,
        radius_m: fence.radius_m,
        accuracy_m: accuracy.round() as u32,
    })
}

/// Only a valid proof passes.
pub(crate) fn proximity(proof: ProximityProof) -> Option<Blocked> {
    match proof {
        ProximityProof::Valid => None,
        ProximityProof::Missing => Some(Blocked::ProximityProofMissing),
        ProximityProof::Stale | ProximityProof::Invalid => Some(Blocked::ProximityProofInvalid),
    }
}

/// Open hours on the wall clock of `zone`; no windows means never.
pub(crate) fn schedule(
    schedule: &WeeklySchedule,
    context: &RequestContext,
    zone: &TimeZoneName,
) -> Option<Blocked> {
    if schedule.windows.is_empty() {
        Some(Blocked::NoTimeWindows)
    } else if schedule.contains(context.now, zone) {
        None
    } else {
        Some(Blocked::OutsideTimeWindow)
    }
}

/// The request's device must be the user's bound device.
pub(crate) fn device(user: Option<&UserState>, context: &RequestContext) -> Option<Blocked> {
    let bound = user.and_then(|u| u.bound_device.as_deref());
    match (bound, context.device_id.as_deref()) {
        (Some(bound), Some(device)) if !bound.is_empty() && bound == device => None,
        _ => Some(Blocked::WrongDevice),
    }
}

impl From<Blocked> for Reason {
    fn from(blocked: Blocked) -> Reason {
        match blocked {
            Blocked::LocationUnavailable => Reason::LocationUnavailable,
            Blocked::OutsideGeofence {
                distance_m,
                radius_m,
                accuracy_m,
            } => Reason::OutsideGeofence {
                distance_m,
                radius_m,
                accuracy_m,
            },
            Blocked::ProximityProofMissing => Reason::ProximityProofMissing,
            Blocked::ProximityProofInvalid => Reason::ProximityProofInvalid,
            Blocked::OutsideTimeWindow => Reason::OutsideTimeWindow,
            Blocked::NoTimeWindows => Reason::NoTimeWindows,
            Blocked::WrongDevice => Reason::WrongDevice,
        }
    }
}

impl From<Blocked> for GroupReason {
    fn from(blocked: Blocked) -> GroupReason {
        match blocked {
            Blocked::LocationUnavailable => GroupReason::LocationUnavailable,
            Blocked::OutsideGeofence {
                distance_m,
                radius_m,
                accuracy_m,
            } => GroupReason::OutsideGeofence {
                distance_m,
                radius_m,
                accuracy_m,
            },
            Blocked::ProximityProofMissing => GroupReason::ProximityProofMissing,
            Blocked::ProximityProofInvalid => GroupReason::ProximityProofInvalid,
            Blocked::OutsideTimeWindow => GroupReason::OutsideTimeWindow,
            Blocked::NoTimeWindows => GroupReason::NoTimeWindows,
            Blocked::WrongDevice => GroupReason::WrongDevice,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Coordinates, Latitude, Longitude};

    fn point(lat: f64, lon: f64) -> Coordinates {
        Coordinates {
            latitude: Latitude::parse_f64(lat).unwrap(),
            longitude: Longitude::parse_f64(lon).unwrap(),
        }
    }

    /// A point `meters` north of (0, 0).
    fn north_of_origin(meters: f64) -> Coordinates {
        let origin = point(0.0, 0.0);
        let degrees = meters / origin.distance_m(&point(1.0, 0.0));
        point(degrees, 0.0)
    }

    fn fence() -> Geofence {
        Geofence {
            center: point(0.0, 0.0),
            radius_m: 300,
        }
    }

    fn at(distance: f64, accuracy_m: f64) -> Location {
        Location {
            at: north_of_origin(distance),
            accuracy_m,
        }
    }

    #[test]
    fn the_accuracy_circle_must_lie_inside_the_fence() {
        assert_eq!(
            geofence(&fence(), Some(&at(250.0, 60.0))),
            Some(Blocked::OutsideGeofence {
                distance_m: 250,
                radius_m: 300,
                accuracy_m: 60
            })
        );
        assert_eq!(geofence(&fence(), Some(&at(250.0, 40.0))), None);
        assert_eq!(geofence(&fence(), Some(&at(0.0, 0.0))), None);
        assert_eq!(geofence(&fence(), Some(&at(0.0, 300.0))), None);
        assert!(geofence(&fence(), Some(&at(0.0, 300.5))).is_some());
        assert!(geofence(&fence(), Some(&at(301.0, 0.0))).is_some());
    }

    #[test]
    fn no_or_nonsense_location_is_unavailable() {
        let unavailable = Some(Blocked::LocationUnavailable);
        assert_eq!(geofence(&fence(), None), unavailable);
        for accuracy in [f64::NAN, f64::INFINITY, -1.0] {
            assert_eq!(geofence(&fence(), Some(&at(0.0, accuracy))), unavailable);
        }
    }

    #[test]
    fn only_a_valid_proof_passes() {
        assert_eq!(proximity(ProximityProof::Valid), None);
        assert_eq!(
            proximity(ProximityProof::Missing),
            Some(Blocked::ProximityProofMissing)
        );
        assert_eq!(
            proximity(ProximityProof::Stale),
            Some(Blocked::ProximityProofInvalid)
        );
        assert_eq!(
            proximity(ProximityProof::Invalid),
            Some(Blocked::ProximityProofInvalid)
        );
    }
}
