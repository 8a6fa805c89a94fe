//! Why one group does not give access to a door right now.

use crate::types::{TimeZoneName, Timestamp};
use serde::{Deserialize, Serialize};

/// One thing that stops a group from giving access.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GroupReason {
    /// The group is not valid yet.
    NotYetValid { from: Timestamp },
    /// The group has expired.
    Expired { until: Timestamp },
    /// The membership in the group is not valid yet.
    MembershipNotYetValid { from: Timestamp },
    /// The membership in the group has expired.
    MembershipExpired { until: Timestamp },
    /// The group's geofence needs a location and none came.
    LocationUnavailable,
    /// The requester is not inside the group's geofence.
    OutsideGeofence {
        distance_m: u32,
        radius_m: u32,
        accuracy_m: u32,
    },
    /// The group's reader restriction: no proof came.
    ProximityProofMissing,
    /// The group's reader restriction: the proof is stale or invalid.
    ProximityProofInvalid,
    /// Outside the group's hours.
    OutsideTimeWindow,
    /// The group's time restriction is on but has no windows.
    NoTimeWindows,
    /// The group's time restriction is on and a holiday suspends
    /// time-restricted access at the door's place today.
    Holiday { name: String },
    /// The group needs the primary device and this is not it.
    WrongDevice,
}

impl GroupReason {
    /// A stable identifier, like "group_expired".
    pub fn code(&self) -> &'static str {
        match self {
            GroupReason::NotYetValid { .. } => "group_not_yet_valid",
            GroupReason::Expired { .. } => "group_expired",
            GroupReason::MembershipNotYetValid { .. } => "group_membership_not_yet_valid",
            GroupReason::MembershipExpired { .. } => "group_membership_expired",
            GroupReason::LocationUnavailable => "group_location_unavailable",
            GroupReason::OutsideGeofence { .. } => "group_outside_geofence",
            GroupReason::ProximityProofMissing => "group_proximity_proof_missing",
            GroupReason::ProximityProofInvalid => "group_proximity_proof_invalid",
            GroupReason::OutsideTimeWindow => "group_outside_time_window",
            GroupReason::NoTimeWindows => "group_no_time_windows",
            GroupReason::Holiday { .. } => "group_holiday",
            GroupReason::WrongDevice => "group_wrong_device",
        }
    }

    /// A sentence for the user about group `group`; times are shown in `zone`.
    pub fn message(&self, group: &str, zone: &TimeZoneName) -> String {
        let when = |t: &Timestamp| t.format_in(zone);
        match self {
            GroupReason::NotYetValid { from } => {
                format!("Group “{group}” is valid from {}.", when(from))
            }
            GroupReason::Expired { until } => {
                format!("Group “{group}” was valid until {}.", when(until))
            }
            GroupReason::MembershipNotYetValid { from } => {
                format!(
                    "Your membership in group “{group}” is valid from {}.",
                    when(from)
                )
            }
            GroupReason::MembershipExpired { until } => {
                format!(
                    "Your membership in group “{group}” was valid until {}.",
                    when(until)
                )
            }
            GroupReason::LocationUnavailable => {
                format!("Group “{group}” needs your location, which is unavailable.")
            }
            GroupReason::OutsideGeofence {
                distance_m,
                radius_m,
                accuracy_m,
            } => format!(
                "Group “{group}” only opens within {radius_m} m of the door. \
                 You are {distance_m} m away, give or take {accuracy_m} m."
            ),
            GroupReason::ProximityProofMissing => {
                format!("Group “{group}” needs a scan of the door's reader.")
            }
            GroupReason::ProximityProofInvalid => {
                format!("Group “{group}” needs a fresh scan of the door's reader.")
            }
            GroupReason::OutsideTimeWindow => {
                format!("Group “{group}” does not give access at this time.")
            }
            GroupReason::NoTimeWindows => {
                format!("Group “{group}” has a time restriction, but no time windows are set.")
            }
            GroupReason::Holiday { name } => format!(
                "Group “{group}” is closed for {name}: time-restricted access is suspended today."
            ),
            GroupReason::WrongDevice => format!("Group “{group}” needs your primary device."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_prefixed_and_messages_name_the_group() {
        let t = Timestamp::from_millis(0);
        let all = [
            GroupReason::NotYetValid { from: t },
            GroupReason::Expired { until: t },
            GroupReason::MembershipNotYetValid { from: t },
            GroupReason::MembershipExpired { until: t },
            GroupReason::LocationUnavailable,
            GroupReason::OutsideGeofence {
                distance_m: 1,
                radius_m: 2,
                accuracy_m: 3,
            },
            GroupReason::ProximityProofMissing,
            GroupReason::ProximityProofInvalid,
            GroupReason::OutsideTimeWindow,
            GroupReason::NoTimeWindows,
            GroupReason::Holiday {
                name: "New Year".into(),
            },
            GroupReason::WrongDevice,
        ];
        let mut codes: Vec<_> = all.iter().map(GroupReason::code).collect();
        assert!(codes.iter().all(|c| c.starts_with("group_")));
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        let utc = TimeZoneName::parse("UTC").unwrap();
        for reason in &all {
            let message = reason.message("Night shift", &utc);
            assert!(
                message.contains("group “Night shift”") || message.contains("Group “Night shift”")
            );
            assert!(message.ends_with('.'), "{message}");
        }
    }

    #[test]
    fn membership_messages() {
        let utc = TimeZoneName::parse("UTC").unwrap();
        let r = GroupReason::MembershipNotYetValid {
            from: Timestamp::from_millis(0),
        };
        assert_eq!(
            r.message("Interns", &utc),
            "Your membership in group “Interns” is valid from 1970-01-01 00:00 UTC."
        );
        let r = GroupReason::OutsideGeofence {
            distance_m: 420,
            radius_m: 300,
            accuracy_m: 15,
        };
        assert_eq!(
            r.message("Interns", &utc),
            "Group “Interns” only opens within 300 m of the door. You are 420 m away, give or take 15 m."
        );
    }
}
