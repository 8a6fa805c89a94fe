//! Examples for door restrictions, access links, lockdown, 2FA and order.

use super::test_support::*;
use super::*;
use crate::types::Role;

// 4.–7. Door restrictions

#[test]
fn door_restrictions_apply_without_group_restrictions() {
    let mut s = Scenario::granted();
    s.door.geofence = Some(Geofence {
        center: door_center(),
        radius_m: 50,
    });
    s.door.reader_restriction = true;
    s.door.time_restriction = Some(daily("20:00", "06:00"));
    s.context.location = None;
    s.context.proximity = ProximityProof::Missing;
    assert_eq!(
        reasons(&s),
        [
            Reason::LocationUnavailable,
            Reason::ProximityProofMissing,
            Reason::OutsideTimeWindow
        ]
    );
    // The same for owners.
    s.user = Some(user(Role::Owner));
    assert_eq!(reasons(&s).len(), 3);
}

#[test]
fn the_accuracy_circle_must_lie_inside_the_door_geofence() {
    let mut s = Scenario::granted();
    s.door.geofence = Some(Geofence {
        center: door_center(),
        radius_m: 300,
    });
    s.context.location = Some(Location {
        at: north_of_door(250.0),
        accuracy_m: 60.0,
    });
    assert_eq!(
        reasons(&s),
        [Reason::OutsideGeofence {
            distance_m: 250,
            radius_m: 300,
            accuracy_m: 60
        }]
    );
    s.context.location = Some(Location {
        at: north_of_door(250.0),
        accuracy_m: 40.0,
    });
    assert_eq!(reasons(&s), []);
}

#[test]
fn reader_restriction_tells_missing_from_bad_proofs() {
    let mut s = Scenario::granted();
    s.door.reader_restriction = true;
    for (proof, expected) in [
        (ProximityProof::Valid, vec![]),
        (ProximityProof::Missing, vec![Reason::ProximityProofMissing]),
        (ProximityProof::Stale, vec![Reason::ProximityProofInvalid]),
        (ProximityProof::Invalid, vec![Reason::ProximityProofInvalid]),
    ] {
        s.context.proximity = proof;
        assert_eq!(reasons(&s), expected, "{proof:?}");
    }
}

#[test]
fn door_hours_use_the_place_time_zone() {
    let mut s = Scenario::granted();
    // NOW is 13:00 in Berlin, 12:00 UTC.
    s.door.time_restriction = Some(daily("13:00", "14:00"));
    assert_eq!(reasons(&s), []);
    s.door.time_zone = crate::types::TimeZoneName::parse("UTC").unwrap();
    assert_eq!(reasons(&s), [Reason::OutsideTimeWindow]);
}

#[test]
fn door_time_restriction_without_windows_denies_always() {
    let mut s = Scenario::granted();
    s.door.time_restriction = Some(WeeklySchedule::default());
    s.user = Some(user(Role::Owner));
    assert_eq!(reasons(&s), [Reason::NoTimeWindows]);
    assert_eq!(
        reasons(&Scenario {
            door: s.door.clone(),
            ..Scenario::link()
        }),
        [Reason::NoTimeWindows]
    );
}

#[test]
fn door_and_group_hours_both_apply() {
    let mut g = GroupPath::open("Cleaners");
    g.time_restriction = Some(daily("20:00", "06:00"));
    let mut s = Scenario {
        groups: vec![g],
        ..Scenario::granted()
    };
    s.door.time_restriction = Some(daily("08:00", "18:00"));
    assert_eq!(
        reasons(&s),
        [group("Cleaners", GroupReason::OutsideTimeWindow)]
    );
}

#[test]
fn a_fact_already_reported_for_the_door_is_not_repeated_per_group() {
    let mut g = GroupPath::open("Field");
    g.geofence = true;
    g.reader_restriction = true;
    g.primary_device_required = true;
    let mut s = Scenario {
        groups: vec![g],
        ..Scenario::granted()
    };
    s.door.geofence = Some(Geofence {
        center: door_center(),
        radius_m: 300,
    });
    s.door.reader_restriction = true;
    s.user.as_mut().unwrap().primary_device_required = true;
    s.context.location = None;
    s.context.proximity = ProximityProof::Missing;
    s.context.device_id = None;
    assert_eq!(
        reasons(&s),
        [
            Reason::WrongDevice,
            Reason::LocationUnavailable,
            Reason::ProximityProofMissing
        ]
    );
}

// 8. Access links

#[test]
fn access_links_skip_geofence_and_reader_but_not_hours() {
    let mut g = GroupPath::open("Staff");
    g.geofence = true;
    g.reader_restriction = true;
    let mut s = Scenario {
        groups: vec![g],
        ..Scenario::link()
    };
    s.door.geofence = Some(Geofence {
        center: door_center(),
        radius_m: 10,
    });
    s.door.reader_restriction = true;
    s.context.location = None;
    s.context.proximity = ProximityProof::Missing;
    assert_eq!(reasons(&s), []);
    s.groups[0].time_restriction = Some(daily("20:00", "06:00"));
    assert_eq!(
        reasons(&s),
        [group("Staff", GroupReason::OutsideTimeWindow)]
    );
}

// 9. Lockdown

#[test]
fn lockdown_lets_only_owners_and_admins_through() {
    let mut s = Scenario::granted();
    s.door.locked_down = true;
    for (role, expected) in [
        (Role::Owner, vec![]),
        (Role::Admin, vec![]),
        (Role::Manager, vec![Reason::LockedDown]),
        (Role::Member, vec![Reason::LockedDown]),
    ] {
        s.user = Some(user(role));
        assert_eq!(reasons(&s), expected, "{role:?}");
    }
    let link = Scenario {
        door: s.door.clone(),
        ..Scenario::link()
    };
    assert_eq!(reasons(&link), [Reason::LockedDown]);
}

// 10. 2FA

#[test]
fn two_factor_doors_need_a_fresh_verification() {
    let mut s = Scenario::granted();
    s.door.require_2fa = true;
    for (verified_at, granted) in [
        (Some(NOW), true),
        (Some(NOW - FRESH_VERIFICATION_MS + 1), true),
        (Some(NOW - FRESH_VERIFICATION_MS), false),
        (Some(NOW + MINUTE), false),
        (None, false),
    ] {
        s.context.verified_at = verified_at.map(ts);
        let expected = if granted {
            vec![]
        } else {
            vec![Reason::VerificationRequired]
        };
        assert_eq!(reasons(&s), expected, "{verified_at:?}");
    }
}

#[test]
fn two_factor_applies_to_api_keys_and_admins_but_not_links() {
    let mut s = Scenario {
        actor: ActorKind::ApiKey,
        ..Scenario::granted()
    };
    s.door.require_2fa = true;
    s.context.verified_at = None;
    assert_eq!(reasons(&s), [Reason::VerificationRequired]);
    s.user = Some(user(Role::Owner));
    assert_eq!(reasons(&s), [Reason::VerificationRequired]);
    let link = Scenario {
        door: s.door.clone(),
        context: s.context.clone(),
        ..Scenario::link()
    };
    assert_eq!(reasons(&link), []);
}

// Order and messages

#[test]
fn every_reason_is_listed_in_precedence_order() {
    let mut g = GroupPath::open("Interns");
    g.valid_until = Some(ts(NOW));
    let s = Scenario {
        actor: ActorKind::Session,
        credential: CredentialState {
            revoked: true,
            valid_from: Some(ts(NOW + 1)),
            valid_until: None,
            used_up: false,
        },
        user: Some(UserState {
            role: Role::Member,
            confirmed: false,
            app_access: false,
            primary_device_required: true,
            bound_device: None,
        }),
        door: DoorRules {
            geofence: Some(Geofence {
                center: door_center(),
                radius_m: 100,
            }),
            reader_restriction: true,
            time_restriction: Some(WeeklySchedule::default()),
            locked_down: true,
            require_2fa: true,
            ..open_door()
        },
        groups: vec![g],
        context: RequestContext {
            now: ts(NOW),
            location: None,
            proximity: ProximityProof::Invalid,
            device_id: None,
            verified_at: None,
        },
    };
    let decision = s.decide();
    assert!(!decision.granted);
    assert_eq!(
        decision.reasons,
        [
            Reason::CredentialRevoked,
            Reason::CredentialNotYetValid { from: ts(NOW + 1) },
            Reason::UserNotConfirmed,
            Reason::AppAccessDisabled,
            Reason::WrongDevice,
            group("Interns", GroupReason::Expired { until: ts(NOW) }),
            Reason::LocationUnavailable,
            Reason::ProximityProofInvalid,
            Reason::NoTimeWindows,
            Reason::LockedDown,
            Reason::VerificationRequired,
        ]
    );
    assert_eq!(decision.headline(), Some(&Reason::CredentialRevoked));
}

#[test]
fn the_headline_reads_well() {
    let mut g = GroupPath::open("Interns");
    // 2026-10-31 00:00 in Berlin.
    g.valid_until = Some(ts(1_793_401_200_000));
    let s = Scenario {
        groups: vec![g],
        ..Scenario::granted()
    };
    let decision = s.decide();
    let headline = decision.headline().unwrap();
    assert_eq!(headline.code(), "group_expired");
    assert_eq!(
        headline.message(&berlin()),
        "Group “Interns” was valid until 2026-10-31 00:00 CET."
    );
}

#[test]
fn duplicate_group_entries_are_reported_once() {
    let mut g = GroupPath::open("Interns");
    g.valid_until = Some(ts(NOW));
    let s = Scenario {
        groups: vec![g.clone(), g],
        ..Scenario::granted()
    };
    assert_eq!(
        reasons(&s),
        [group("Interns", GroupReason::Expired { until: ts(NOW) })]
    );
}

// Holidays that suspend time restrictions

fn christmas() -> Option<String> {
    Some("Christmas Day".into())
}

#[test]
fn a_holiday_closes_the_door_time_restriction_whatever_its_windows() {
    let mut s = Scenario::granted();
    s.door.time_restriction = Some(daily("00:00", "23:59"));
    assert_eq!(reasons(&s), []);
    s.door.holiday = christmas();
    let holiday = Reason::Holiday {
        name: "Christmas Day".into(),
    };
    assert_eq!(reasons(&s), [holiday.clone()]);
    assert_eq!(
        holiday.message(&s.door.time_zone),
        "Closed for Christmas Day: time-restricted access is suspended today."
    );
    // It replaces the window check rather than adding to it.
    s.door.time_restriction = Some(daily("20:00", "06:00"));
    assert_eq!(reasons(&s), [holiday.clone()]);
    s.door.time_restriction = Some(WeeklySchedule::default());
    assert_eq!(reasons(&s), [holiday.clone()]);
    // The door's hours hold everyone, owners too, and links.
    s.user = Some(user(Role::Owner));
    assert_eq!(reasons(&s), [holiday.clone()]);
    let mut link = Scenario::link();
    link.door = s.door.clone();
    assert_eq!(reasons(&link), [holiday]);
}

#[test]
fn a_holiday_changes_nothing_without_a_time_restriction() {
    let mut s = Scenario::granted();
    s.door.holiday = christmas();
    assert_eq!(reasons(&s), []);
    s.door.locked_down = true;
    assert_eq!(reasons(&s), [Reason::LockedDown]);
}

#[test]
fn a_holiday_closes_time_restricted_groups_but_not_the_others() {
    let mut s = Scenario::granted();
    s.door.holiday = christmas();
    s.groups = vec![GroupPath {
        time_restriction: Some(daily("00:00", "23:59")),
        ..GroupPath::open("Day shift")
    }];
    let closed = group(
        "Day shift",
        GroupReason::Holiday {
            name: "Christmas Day".into(),
        },
    );
    assert_eq!(reasons(&s), [closed.clone()]);
    assert_eq!(closed.code(), "group_holiday");
    assert_eq!(
        closed.message(&s.door.time_zone),
        "Group “Day shift” is closed for Christmas Day: time-restricted access is suspended today."
    );
    // A group without hours still gives access.
    s.groups.push(GroupPath::open("Staff"));
    assert_eq!(reasons(&s), []);
    // Owners and admins skip groups, so their hours and holidays.
    s.groups.truncate(1);
    for role in [Role::Owner, Role::Admin] {
        s.user = Some(user(role));
        assert_eq!(reasons(&s), [], "{role:?}");
    }
}

#[test]
fn the_explainer_shows_the_holiday_on_the_time_row() {
    let mut s = Scenario::granted();
    s.door.time_restriction = Some(daily("08:00", "18:00"));
    s.door.holiday = christmas();
    let decision = s.decide();
    let checks = explain(&decision, &s.door, "Lab", &s.door.time_zone, false);
    let time = &checks[5];
    assert_eq!(time.rule, "Time restriction");
    assert!(!time.passed);
    assert_eq!(
        time.details,
        ["Closed for Christmas Day: time-restricted access is suspended today."]
    );
    assert!(time.fixes[0].contains("Holiday “Christmas Day”"), "{:?}", time.fixes);
    assert!(time.fixes[0].contains("door “Lab”"), "{:?}", time.fixes);
    s.door.time_restriction = None;
    let checks = explain(&s.decide(), &s.door, "Lab", &s.door.time_zone, false);
    assert!(checks[5].passed);
    assert!(checks[5].details[0].contains("Christmas Day"));
}
