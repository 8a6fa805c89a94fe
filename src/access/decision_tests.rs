//! Examples for credentials, user state and group membership.

use super::test_support::*;
use super::*;
use crate::types::Role;

#[test]
fn the_baselines_are_granted() {
    let decision = Scenario::granted().decide();
    assert!(decision.granted);
    assert_eq!(decision.headline(), None);
    assert!(Scenario::link().decide().granted);
}

// 1. Credential

#[test]
fn revoked_credentials_are_denied() {
    let mut s = Scenario::granted();
    s.credential.revoked = true;
    assert_eq!(reasons(&s), [Reason::CredentialRevoked]);
}

#[test]
fn credential_validity_is_inclusive_then_exclusive() {
    let mut s = Scenario::granted();
    s.credential.valid_from = Some(ts(NOW));
    assert_eq!(reasons(&s), []);
    s.credential.valid_from = Some(ts(NOW + 1));
    assert_eq!(
        reasons(&s),
        [Reason::CredentialNotYetValid { from: ts(NOW + 1) }]
    );
    s.credential.valid_from = None;
    s.credential.valid_until = Some(ts(NOW + 1));
    assert_eq!(reasons(&s), []);
    s.credential.valid_until = Some(ts(NOW));
    assert_eq!(reasons(&s), [Reason::CredentialExpired { until: ts(NOW) }]);
}

#[test]
fn revoked_and_expired_are_both_reported() {
    let mut s = Scenario::link();
    s.credential = CredentialState {
        revoked: true,
        valid_from: None,
        valid_until: Some(ts(NOW)),
        used_up: false,
    };
    assert_eq!(
        reasons(&s),
        [
            Reason::CredentialRevoked,
            Reason::CredentialExpired { until: ts(NOW) }
        ]
    );
}

#[test]
fn a_sign_in_without_its_user_counts_as_revoked() {
    for actor in [ActorKind::Session, ActorKind::ApiKey] {
        let s = Scenario {
            actor,
            user: None,
            ..Scenario::granted()
        };
        assert_eq!(reasons(&s), [Reason::CredentialRevoked]);
    }
}

// 2. User state

#[test]
fn user_must_be_confirmed_with_app_access() {
    let mut s = Scenario::granted();
    let u = s.user.as_mut().unwrap();
    u.confirmed = false;
    u.app_access = false;
    assert_eq!(
        reasons(&s),
        [Reason::UserNotConfirmed, Reason::AppAccessDisabled]
    );
}

#[test]
fn primary_device_restriction_needs_the_bound_device() {
    let mut s = Scenario::granted();
    s.user.as_mut().unwrap().primary_device_required = true;
    assert_eq!(reasons(&s), []);
    s.context.device_id = Some("laptop".into());
    assert_eq!(reasons(&s), [Reason::WrongDevice]);
    s.context.device_id = None;
    assert_eq!(reasons(&s), [Reason::WrongDevice]);
    s.context.device_id = Some("phone".into());
    s.user.as_mut().unwrap().bound_device = None;
    assert_eq!(reasons(&s), [Reason::WrongDevice]);
}

#[test]
fn api_keys_follow_the_user_rules_too() {
    let mut s = Scenario {
        actor: ActorKind::ApiKey,
        ..Scenario::granted()
    };
    assert_eq!(reasons(&s), []);
    s.user.as_mut().unwrap().confirmed = false;
    assert_eq!(reasons(&s), [Reason::UserNotConfirmed]);
}

#[test]
fn access_links_ignore_user_state() {
    let mut unconfirmed = user(Role::Member);
    unconfirmed.confirmed = false;
    unconfirmed.primary_device_required = true;
    let s = Scenario {
        user: Some(unconfirmed),
        ..Scenario::link()
    };
    assert_eq!(reasons(&s), []);
}

#[test]
fn a_used_up_link_is_refused_with_the_credential_reasons() {
    let mut s = Scenario::link();
    s.credential.used_up = true;
    assert_eq!(reasons(&s), [Reason::CredentialUsedUp]);
    s.credential.revoked = true;
    assert_eq!(reasons(&s), [Reason::CredentialRevoked, Reason::CredentialUsedUp]);
}

// 3. Membership

#[test]
fn without_a_group_there_is_no_access() {
    let s = Scenario {
        groups: vec![],
        ..Scenario::granted()
    };
    assert_eq!(reasons(&s), [Reason::NoGroup]);
    assert_eq!(
        reasons(&Scenario {
            groups: vec![],
            ..Scenario::link()
        }),
        [Reason::NoGroup]
    );
    let manager = Scenario {
        user: Some(user(Role::Manager)),
        ..s.clone()
    };
    assert_eq!(reasons(&manager), [Reason::NoGroup]);
}

#[test]
fn owners_and_admins_reach_every_door() {
    for role in [Role::Owner, Role::Admin] {
        let mut expired = GroupPath::open("Old");
        expired.valid_until = Some(ts(NOW));
        for groups in [vec![], vec![expired]] {
            let s = Scenario {
                user: Some(user(role)),
                groups,
                ..Scenario::granted()
            };
            assert_eq!(reasons(&s), [], "{role:?}");
        }
    }
}

#[test]
fn group_and_membership_validity() {
    let mut g = GroupPath::open("Interns");
    g.valid_from = Some(ts(NOW));
    g.member_until = Some(ts(NOW + 1));
    let mut s = Scenario {
        groups: vec![g],
        ..Scenario::granted()
    };
    assert_eq!(reasons(&s), []);
    let g = &mut s.groups[0];
    g.valid_from = Some(ts(NOW + 1));
    g.valid_until = Some(ts(NOW + 2));
    g.member_from = Some(ts(NOW - 5));
    g.member_until = Some(ts(NOW));
    assert_eq!(
        reasons(&s),
        [
            group("Interns", GroupReason::NotYetValid { from: ts(NOW + 1) }),
            group("Interns", GroupReason::MembershipExpired { until: ts(NOW) }),
        ]
    );
    let g = &mut s.groups[0];
    g.valid_from = None;
    g.valid_until = Some(ts(NOW));
    g.member_from = Some(ts(NOW + 1));
    g.member_until = None;
    assert_eq!(
        reasons(&s),
        [
            group("Interns", GroupReason::Expired { until: ts(NOW) }),
            group(
                "Interns",
                GroupReason::MembershipNotYetValid { from: ts(NOW + 1) }
            ),
        ]
    );
}

#[test]
fn one_passing_group_is_enough() {
    let mut expired = GroupPath::open("Interns");
    expired.valid_until = Some(ts(NOW - 1));
    let s = Scenario {
        groups: vec![expired.clone(), GroupPath::open("Staff")],
        ..Scenario::granted()
    };
    assert_eq!(reasons(&s), []);
}

#[test]
fn when_no_group_passes_each_one_says_why() {
    let mut expired = GroupPath::open("Interns");
    expired.valid_until = Some(ts(NOW - 1));
    let mut reader = GroupPath::open("Lab");
    reader.reader_restriction = true;
    let mut s = Scenario {
        groups: vec![expired, reader],
        ..Scenario::granted()
    };
    s.context.proximity = ProximityProof::Stale;
    assert_eq!(
        reasons(&s),
        [
            group("Interns", GroupReason::Expired { until: ts(NOW - 1) }),
            group("Lab", GroupReason::ProximityProofInvalid),
        ]
    );
}

#[test]
fn group_restrictions() {
    let mut g = GroupPath::open("Field");
    g.geofence = true;
    g.reader_restriction = true;
    g.time_restriction = Some(daily("20:00", "06:00"));
    g.primary_device_required = true;
    let mut s = Scenario {
        groups: vec![g],
        ..Scenario::granted()
    };
    s.door.default_radius_m = 100;
    s.context.location = Some(Location {
        at: north_of_door(150.0),
        accuracy_m: 5.0,
    });
    s.context.proximity = ProximityProof::Missing;
    s.context.device_id = Some("laptop".into());
    assert_eq!(
        reasons(&s),
        [
            group(
                "Field",
                GroupReason::OutsideGeofence {
                    distance_m: 150,
                    radius_m: 100,
                    accuracy_m: 5
                }
            ),
            group("Field", GroupReason::ProximityProofMissing),
            group("Field", GroupReason::OutsideTimeWindow),
            group("Field", GroupReason::WrongDevice),
        ]
    );
    s.groups[0].time_restriction = Some(WeeklySchedule::default());
    s.context.location = None;
    assert_eq!(
        reasons(&s)[..3],
        [
            group("Field", GroupReason::LocationUnavailable),
            group("Field", GroupReason::ProximityProofMissing),
            group("Field", GroupReason::NoTimeWindows),
        ]
    );
}

#[test]
fn access_links_skip_the_primary_device_requirement_of_their_group() {
    let mut g = GroupPath::open("Staff");
    g.primary_device_required = true;
    let mut s = Scenario {
        groups: vec![g],
        ..Scenario::link()
    };
    s.context.device_id = None;
    assert_eq!(reasons(&s), []);
}
