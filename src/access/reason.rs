//! Why an unlock is refused.

use super::GroupReason;
use crate::types::{TimeZoneName, Timestamp};
use serde::{Deserialize, Serialize};

/// One thing that blocks an unlock.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The session, API key or link was revoked.
    CredentialRevoked,
    /// The session, API key or link is not valid yet.
    CredentialNotYetValid { from: Timestamp },
    /// The session, API key or link has expired.
    CredentialExpired { until: Timestamp },
    /// The access link reached its use limit.
    CredentialUsedUp,
    /// A card or fob Postern does not know was presented at a reader.
    UnknownCard,
    /// The card or fob presented was deactivated.
    CardDeactivated,
    /// The user has not confirmed their account.
    UserNotConfirmed,
    /// "Allow app access" is off for the user.
    AppAccessDisabled,
    /// The request does not come from the user's primary device.
    WrongDevice,
    /// No group links the user (or link) to the door.
    NoGroup,
    /// A group that links to the door does not give access now.
    Group { group: String, reason: GroupReason },
    /// The door's geofence needs a location and none came.
    LocationUnavailable,
    /// The requester is not inside the door's geofence.
    OutsideGeofence {
        distance_m: u32,
        radius_m: u32,
        accuracy_m: u32,
    },
    /// The door's reader restriction: no proof came.
    ProximityProofMissing,
    /// The door's reader restriction: the proof is stale or invalid.
    ProximityProofInvalid,
    /// Outside the door's opening hours.
    OutsideTimeWindow,
    /// The door's time restriction is on but has no windows.
    NoTimeWindows,
    /// The door's time restriction is on and a holiday suspends
    /// time-restricted access at its place today.
    Holiday { name: String },
    /// The door is locked down.
    LockedDown,
    /// The door needs a recent second-factor verification.
    VerificationRequired,
}

impl Reason {
    /// A stable identifier, like "outside_geofence" or "group_expired".
    pub fn code(&self) -> &'static str {
        match self {
            Reason::CredentialRevoked => "credential_revoked",
            Reason::CredentialNotYetValid { .. } => "credential_not_yet_valid",
            Reason::CredentialExpired { .. } => "credential_expired",
            Reason::CredentialUsedUp => "credential_used_up",
            Reason::UnknownCard => "unknown_card",
            Reason::CardDeactivated => "card_deactivated",
            Reason::UserNotConfirmed => "user_not_confirmed",
            Reason::AppAccessDisabled => "app_access_disabled",
            Reason::WrongDevice => "wrong_device",
            Reason::NoGroup => "no_group",
            Reason::Group { reason, .. } => reason.code(),
            Reason::LocationUnavailable => "location_unavailable",
            Reason::OutsideGeofence { .. } => "outside_geofence",
            Reason::ProximityProofMissing => "proximity_proof_missing",
            Reason::ProximityProofInvalid => "proximity_proof_invalid",
            Reason::OutsideTimeWindow => "outside_time_window",
            Reason::NoTimeWindows => "no_time_windows",
            Reason::Holiday { .. } => "holiday",
            Reason::LockedDown => "locked_down",
            Reason::VerificationRequired => "verification_required",
        }
    }

    /// A sentence for the user; times are shown in `zone`.
    pub fn message(&self, zone: &TimeZoneName) -> String {
        let when = |t: &Timestamp| t.format_in(zone);
        match self {
            Reason::CredentialRevoked => "This access was revoked.".into(),
            Reason::CredentialNotYetValid { from } => {
                format!("This access is valid from {}.", when(from))
            }
            Reason::CredentialExpired { until } => {
                format!("This access was valid until {}.", when(until))
            }
            Reason::CredentialUsedUp => "This link has been used as many times as it allows.".into(),
            Reason::UnknownCard => "This card is not known to Postern.".into(),
            Reason::CardDeactivated => "This card has been deactivated.".into(),
            Reason::UserNotConfirmed => "Your account is not confirmed yet.".into(),
            Reason::AppAccessDisabled => {
                "Opening doors from the app is turned off for your account.".into()
            }
            Reason::WrongDevice => "Use your primary device to open doors.".into(),
            Reason::NoGroup => "No group gives access to this door.".into(),
            Reason::Group { group, reason } => reason.message(group, zone),
            Reason::LocationUnavailable => {
                "Your location is unavailable. Allow location access and try again.".into()
            }
            Reason::OutsideGeofence {
                distance_m,
                radius_m,
                accuracy_m,
            } => format!(
                "You are too far from the door: {distance_m} m away, give or take {accuracy_m} m. \
                 It opens within {radius_m} m."
            ),
            Reason::ProximityProofMissing => "Scan the door's reader first.".into(),
            Reason::ProximityProofInvalid => {
                "The scan of the door's reader is too old or not valid. Scan it again.".into()
            }
            Reason::OutsideTimeWindow => "This door cannot be opened at this time.".into(),
            Reason::NoTimeWindows => {
                "This door has a time restriction, but no time windows are set.".into()
            }
            Reason::Holiday { name } => {
                format!("Closed for {name}: time-restricted access is suspended today.")
            }
            Reason::LockedDown => "This door is locked down.".into(),
            Reason::VerificationRequired => {
                "This door needs a fresh two-step verification. Verify and try again.".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> TimeZoneName {
        TimeZoneName::parse("Europe/Berlin").unwrap()
    }

    /// 2026-10-30T23:00:00Z, midnight in Berlin (CET).
    const OCT_31: i64 = 1_793_401_200_000;

    #[test]
    fn messages_show_times_in_the_zone() {
        let until = Timestamp::from_millis(OCT_31);
        assert_eq!(
            Reason::CredentialExpired { until }.message(&berlin()),
            "This access was valid until 2026-10-31 00:00 CET."
        );
        assert_eq!(
            Reason::CredentialNotYetValid { from: until }.message(&berlin()),
            "This access is valid from 2026-10-31 00:00 CET."
        );
        let group = Reason::Group {
            group: "Interns".into(),
            reason: GroupReason::Expired { until },
        };
        assert_eq!(
            group.message(&berlin()),
            "Group “Interns” was valid until 2026-10-31 00:00 CET."
        );
        assert_eq!(group.code(), "group_expired");
    }

    #[test]
    fn holiday_message_names_the_holiday() {
        let r = Reason::Holiday {
            name: "Christmas Day".into(),
        };
        assert_eq!(r.code(), "holiday");
        assert_eq!(
            r.message(&berlin()),
            "Closed for Christmas Day: time-restricted access is suspended today."
        );
    }

    #[test]
    fn geofence_message_has_the_numbers() {
        let r = Reason::OutsideGeofence {
            distance_m: 250,
            radius_m: 300,
            accuracy_m: 60,
        };
        assert_eq!(r.code(), "outside_geofence");
        assert_eq!(
            r.message(&berlin()),
            "You are too far from the door: 250 m away, give or take 60 m. It opens within 300 m."
        );
    }

    #[test]
    fn codes_are_distinct_snake_case_and_messages_are_sentences() {
        let t = Timestamp::from_millis(OCT_31);
        let all = [
            Reason::CredentialRevoked,
            Reason::CredentialNotYetValid { from: t },
            Reason::CredentialExpired { until: t },
            Reason::CredentialUsedUp,
            Reason::UnknownCard,
            Reason::CardDeactivated,
            Reason::UserNotConfirmed,
            Reason::AppAccessDisabled,
            Reason::WrongDevice,
            Reason::NoGroup,
            Reason::LocationUnavailable,
            Reason::OutsideGeofence {
                distance_m: 1,
                radius_m: 2,
                accuracy_m: 3,
            },
            Reason::ProximityProofMissing,
            Reason::ProximityProofInvalid,
            Reason::OutsideTimeWindow,
            Reason::NoTimeWindows,
            Reason::Holiday {
                name: "New Year".into(),
            },
            Reason::LockedDown,
            Reason::VerificationRequired,
        ];
        let mut codes: Vec<_> = all.iter().map(Reason::code).collect();
        assert!(codes
            .iter()
            .all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        for reason in &all {
            let message = reason.message(&berlin());
            assert!(message.ends_with('.'), "{message}");
            assert!(message.starts_with(|c: char| c.is_uppercase()), "{message}");
        }
    }
}
