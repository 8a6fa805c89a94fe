//! "Why can't they unlock?": a decision laid out rule by rule, each with
//! pass/fail, what was found, and how to fix it.

use super::{Decision, DoorRules, GroupReason, Reason};
use crate::types::TimeZoneName;
use serde::{Deserialize, Serialize};

/// The explainer's answer for one person at one door.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub granted: bool,
    pub door_name: String,
    /// When it was evaluated, in the door's place time.
    pub at_local: String,
    pub time_zone: String,
    pub checks: Vec<RuleCheck>,
}

/// One rule of the decision, as the explainer shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCheck {
    pub rule: String,
    pub passed: bool,
    /// What was found: the blocking reasons, or why the rule passes.
    pub details: Vec<String>,
    /// What would make it pass.
    pub fixes: Vec<String>,
}

const RULES: [&str; 8] =
    ["Credential", "Person", "Group membership", "Geofence", "Reader", "Time restriction", "Lockdown", "Two-factor verification"];

fn rule_of(reason: &Reason) -> usize {
    match reason {
        Reason::CredentialRevoked | Reason::CredentialNotYetValid { .. } | Reason::CredentialExpired { .. }
        | Reason::CredentialUsedUp
        | Reason::UnknownCard
        | Reason::CardDeactivated => 0,
        Reason::UserNotConfirmed | Reason::AppAccessDisabled | Reason::WrongDevice => 1,
        Reason::NoGroup | Reason::Group { .. } => 2,
        Reason::LocationUnavailable | Reason::OutsideGeofence { .. } => 3,
        Reason::ProximityProofMissing | Reason::ProximityProofInvalid => 4,
        Reason::OutsideTimeWindow | Reason::NoTimeWindows | Reason::Holiday { .. } => 5,
        Reason::LockedDown => 6,
        Reason::VerificationRequired => 7,
    }
}

/// How to lift one blocking reason, in plain words.
pub fn fix(reason: &Reason, door: &str) -> String {
    match reason {
        Reason::CredentialRevoked => "Sign in again, or issue a new key or link.".into(),
        Reason::CredentialNotYetValid { .. } => "Wait until the credential starts, or move its start earlier.".into(),
        Reason::CredentialExpired { .. } => "Issue a new credential or extend its validity.".into(),
        Reason::CredentialUsedUp => "Send a new access link, or one with a higher use limit.".into(),
        Reason::UnknownCard => "Add the card to the person under Credentials → Cards & fobs.".into(),
        Reason::CardDeactivated => "Activate the card again under Credentials → Cards & fobs, or give the person a new one.".into(),
        Reason::UserNotConfirmed => "Tick “Confirmed” on the person's user page.".into(),
        Reason::AppAccessDisabled => "Turn on “Allow app access” on the person's user page.".into(),
        Reason::WrongDevice => "Unlock from the bound phone, or turn off the primary device restriction on the person.".into(),
        Reason::NoGroup => format!("Add the person to a group that includes door “{door}”, or add “{door}” to one of their groups."),
        Reason::Group { group, reason } => group_fix(group, reason, door),
        Reason::LocationUnavailable => format!(
            "Door “{door}” has a geofence and the request carried no location — allow location in the browser, or turn the geofence off on the door."
        ),
        Reason::OutsideGeofence { radius_m, .. } => {
            format!("Unlock within {radius_m} m of door “{door}”, or widen the door's geofence radius.")
        }
        Reason::ProximityProofMissing => format!(
            "Door “{door}” has a reader restriction and the request carried no proximity code — unlock at the door's reader, or turn the restriction off on the door."
        ),
        Reason::ProximityProofInvalid => "Scan the code shown on the door's reader again; codes change every 30 seconds.".into(),
        Reason::OutsideTimeWindow => format!("Unlock during the time windows of door “{door}”, or change its windows."),
        Reason::NoTimeWindows => format!("Add time windows to door “{door}”, or turn its time restriction off."),
        Reason::Holiday { name } => format!(
            "Holiday “{name}” closes time-restricted access at this place today — wait until tomorrow, untick “Also close time-restricted access” on the holiday, or turn off the time restriction of door “{door}”."
        ),
        Reason::LockedDown => format!("An admin can cancel the lockdown of door “{door}” (or of its place)."),
        Reason::VerificationRequired => {
            "Re-enter the password, then unlock within 5 minutes (this door requires two-factor verification).".into()
        }
    }
}

fn group_fix(group: &str, reason: &GroupReason, door: &str) -> String {
    match reason {
        GroupReason::NotYetValid { .. } => format!("Move the start of group “{group}” earlier, or wait until it starts."),
        GroupReason::Expired { .. } => format!("Extend the validity of group “{group}”."),
        GroupReason::MembershipNotYetValid { .. } | GroupReason::MembershipExpired { .. } => {
            format!("Change the person's membership dates in group “{group}”.")
        }
        GroupReason::LocationUnavailable | GroupReason::OutsideGeofence { .. } => {
            format!("Unlock near door “{door}” with location allowed, or turn off the geofence of group “{group}”.")
        }
        GroupReason::ProximityProofMissing | GroupReason::ProximityProofInvalid => {
            format!("Unlock at the door's reader, or turn off the reader restriction of group “{group}”.")
        }
        GroupReason::OutsideTimeWindow | GroupReason::NoTimeWindows => {
            format!("Unlock during the time windows of group “{group}”, or change them.")
        }
        GroupReason::Holiday { name } => format!(
            "Holiday “{name}” closes time-restricted access at this place today — wait until tomorrow, untick “Also close time-restricted access” on the holiday, or turn off the time restriction of group “{group}”."
        ),
        GroupReason::WrongDevice => format!("Unlock from the bound phone, or turn off “Primary device only” on group “{group}”."),
    }
}

/// Why a rule passed, given the door's settings.
fn pass_detail(rule: usize, door: &DoorRules, reaches_every_door: bool) -> String {
    match rule {
        0 => "The credential is valid now.".into(),
        1 => "The person is confirmed and allowed to use the app.".into(),
        2 if reaches_every_door => "Owners and admins reach every door.".into(),
        2 => "At least one group gives access now.".into(),
        3 if door.geofence.is_none() => "The door has no geofence.".into(),
        3 => "The location is inside the geofence.".into(),
        4 if !door.reader_restriction => "The door has no reader restriction.".into(),
        4 => "A valid proximity code came with the request.".into(),
        5 if door.time_restriction.is_none() => match &door.holiday {
            Some(name) => format!("The door has no time restriction, so holiday “{name}” does not close it."),
            None => "The door has no time restriction.".into(),
        },
        5 => "Now is inside the door's time windows.".into(),
        6 if door.locked_down => "The door is locked down, but owners and admins may still unlock.".into(),
        6 => "The door is not locked down.".into(),
        _ if door.require_2fa => "The password was entered recently.".into(),
        _ => "The door does not require two-factor verification.".into(),
    }
}

/// The decision, rule by rule, in the order the rules apply.
pub fn explain(decision: &Decision, door: &DoorRules, door_name: &str, zone: &TimeZoneName, reaches_every_door: bool) -> Vec<RuleCheck> {
    RULES
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            let blocking: Vec<&Reason> = decision.reasons.iter().filter(|r| rule_of(r) == index).collect();
            RuleCheck {
                rule: (*rule).to_owned(),
                passed: blocking.is_empty(),
                details: if blocking.is_empty() {
                    vec![pass_detail(index, door, reaches_every_door)]
                } else {
                    blocking.iter().map(|r| r.message(zone)).collect()
                },
                fixes: blocking.iter().map(|r| fix(r, door_name)).collect(),
            }
        })
        .collect()
}

/// The decision for an access link, rule by rule: the person, geofence,
/// reader and two-factor rules do not apply to links (SPEC §3.8).
pub fn explain_link(decision: &Decision, door: &DoorRules, door_name: &str, zone: &TimeZoneName) -> Vec<RuleCheck> {
    let mut checks = explain(decision, door, door_name, zone, false);
    for (index, check) in checks.iter_mut().enumerate() {
        if matches!(index, 1 | 3 | 4 | 7) && check.passed {
            check.details = vec!["Does not apply to access links.".into()];
        }
        if index == 0 && check.passed {
            check.details = vec!["The link is valid now, not revoked and not used up.".into()];
        }
        if index == 2 && check.passed {
            check.details = vec!["The link's group gives access to this door now.".into()];
        }
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_skip_the_person_geofence_reader_and_two_factor_rules() {
        use crate::access::test_support::Scenario;
        let mut s = Scenario::link();
        s.door.reader_restriction = true;
        s.door.require_2fa = true;
        let decision = s.decide();
        assert!(decision.granted, "{:?}", decision.reasons);
        let checks = explain_link(&decision, &s.door, "Lab", &s.door.time_zone);
        for index in [1, 3, 4, 7] {
            assert_eq!(checks[index].details, ["Does not apply to access links."], "rule {}", checks[index].rule);
        }
        s.credential.used_up = true;
        let decision = s.decide();
        let checks = explain_link(&decision, &s.door, "Lab", &s.door.time_zone);
        assert!(!checks[0].passed);
        assert_eq!(checks[0].fixes, ["Send a new access link, or one with a higher use limit."]);
    }

    #[test]
    fn reader_fix_names_the_door_and_both_remedies() {
        let text = fix(&Reason::ProximityProofMissing, "Lab");
        assert!(text.contains("Door “Lab” has a reader restriction"));
        assert!(text.contains("turn the restriction off"));
    }

    #[test]
    fn group_fix_names_the_group() {
        let reason = Reason::Group {
            group: "Interns".into(),
            reason: GroupReason::Expired { until: crate::types::Timestamp::from_millis(0) },
        };
        assert_eq!(fix(&reason, "Lab"), "Extend the validity of group “Interns”.");
    }

    #[test]
    fn every_reason_lands_in_exactly_one_rule() {
        let reasons = [Reason::NoGroup, Reason::LockedDown, Reason::OutsideTimeWindow, Reason::VerificationRequired];
        let rules: Vec<usize> = reasons.iter().map(rule_of).collect();
        assert_eq!(rules, [2, 6, 5, 7]);
    }
}
