//! Property tests of the access decision.

use super::test_support::*;
use super::*;
use crate::types::Timestamp;
use proptest::prelude::*;

/// Position of a reason in the precedence list.
fn rank(reason: &Reason) -> u8 {
    match reason {
        Reason::CredentialRevoked
        | Reason::CredentialNotYetValid { .. }
        | Reason::CredentialExpired { .. }
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

fn group_free(reasons: &[Reason]) -> Vec<Reason> {
    reasons.iter().filter(|r| rank(r) != 2).cloned().collect()
}

fn sign_in(mut s: Scenario) -> Scenario {
    if s.actor == ActorKind::AccessLink {
        s.actor = ActorKind::Session;
    }
    s
}

/// A plain reading of the rules: is the request granted?
fn oracle(s: &Scenario) -> bool {
    let now = s.context.now;
    let within = |from: Option<Timestamp>, until: Option<Timestamp>| {
        from.is_none_or(|f| f <= now) && until.is_none_or(|u| now < u)
    };
    let link = s.actor == ActorKind::AccessLink;
    let user = if link { None } else { s.user.as_ref() };
    let admin = user.is_some_and(|u| u.role.is_admin());
    let on_device = user
        .and_then(|u| u.bound_device.as_ref())
        .is_some_and(|bound| s.context.device_id.as_ref() == Some(bound));
    let inside = |fence: &Geofence| {
        s.context.location.as_ref().is_some_and(|l| {
            fence.center.distance_m(&l.at) + l.accuracy_m <= f64::from(fence.radius_m)
        })
    };
    let proof = s.context.proximity == ProximityProof::Valid;
    let hours = |t: &Option<WeeklySchedule>| {
        t.as_ref()
            .is_none_or(|t| s.door.holiday.is_none() && t.contains(now, &s.door.time_zone))
    };
    let credential = !s.credential.revoked
        && !s.credential.used_up
        && within(s.credential.valid_from, s.credential.valid_until)
        && (link || user.is_some());
    let user_ok = link
        || user.is_some_and(|u| {
            u.confirmed && u.app_access && (!u.primary_device_required || on_device)
        });
    let group_ok = |g: &GroupPath| {
        within(g.valid_from, g.valid_until)
            && within(g.member_from, g.member_until)
            && (link || !g.geofence || inside(&s.door.group_geofence()))
            && (link || !g.reader_restriction || proof)
            && hours(&g.time_restriction)
            && (link || !g.primary_device_required || on_device)
    };
    let member = admin || s.groups.iter().any(group_ok);
    let door = (link || s.door.geofence.as_ref().is_none_or(inside))
        && (link || !s.door.reader_restriction || proof)
        && hours(&s.door.time_restriction);
    let lockdown = !s.door.locked_down || admin;
    let fresh = s
        .context
        .verified_at
        .is_some_and(|v| v <= now && now.millis() - v.millis() < FRESH_VERIFICATION_MS);
    let two_factor = !s.door.require_2fa || link || fresh;
    credential && user_ok && member && door && lockdown && two_factor
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    // (f) and ordering.
    #[test]
    fn granted_iff_no_reasons_in_precedence_order_without_duplicates(s in arb_scenario()) {
        let d = s.decide();
        prop_assert_eq!(d.granted, d.reasons.is_empty());
        prop_assert_eq!(d.headline(), d.reasons.first());
        prop_assert!(d.reasons.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])), "{:?}", d.reasons);
        for (i, r) in d.reasons.iter().enumerate() {
            prop_assert!(!d.reasons[i + 1..].contains(r), "{:?}", d.reasons);
        }
    }

    #[test]
    fn agrees_with_a_plain_reading_of_the_rules(s in arb_scenario()) {
        prop_assert_eq!(s.decide().granted, oracle(&s));
    }

    // (a) Door restrictions apply whatever the groups say.
    #[test]
    fn door_geofence_without_location_always_denies(s in arb_scenario(), radius in 1u32..50_000) {
        let mut s = sign_in(s);
        s.door.geofence = Some(Geofence { center: door_center(), radius_m: radius });
        s.context.location = None;
        let d = s.decide();
        prop_assert!(!d.granted);
        prop_assert!(d.reasons.contains(&Reason::LocationUnavailable));
    }

    #[test]
    fn door_reader_restriction_without_valid_proof_always_denies(
        s in arb_scenario(),
        proof in arb_proof(),
    ) {
        prop_assume!(proof != ProximityProof::Valid);
        let mut s = sign_in(s);
        s.door.reader_restriction = true;
        s.context.proximity = proof;
        let expected = if proof == ProximityProof::Missing {
            Reason::ProximityProofMissing
        } else {
            Reason::ProximityProofInvalid
        };
        prop_assert!(s.decide().reasons.contains(&expected));
    }

    #[test]
    fn door_hours_without_windows_deny_every_actor(s in arb_scenario()) {
        let mut s = s;
        s.door.time_restriction = Some(WeeklySchedule::default());
        s.door.holiday = None;
        prop_assert!(s.decide().reasons.contains(&Reason::NoTimeWindows));
    }

    // A holiday that suspends time restrictions closes every time
    // restriction that applies, and nothing else.
    #[test]
    fn a_holiday_closes_door_hours_for_every_actor(s in arb_scenario(), windows in proptest::collection::vec(arb_window(), 0..3)) {
        let mut s = s;
        s.door.time_restriction = Some(WeeklySchedule { windows });
        s.door.holiday = Some("Christmas Day".into());
        let d = s.decide();
        let closed = Reason::Holiday { name: "Christmas Day".into() };
        prop_assert!(!d.granted);
        prop_assert!(d.reasons.contains(&closed), "{:?}", d.reasons);
        prop_assert!(!d.reasons.contains(&Reason::OutsideTimeWindow));
        prop_assert!(!d.reasons.contains(&Reason::NoTimeWindows));
    }

    #[test]
    fn a_holiday_changes_nothing_without_time_restrictions(s in arb_scenario()) {
        let mut s = s;
        s.door.time_restriction = None;
        for g in &mut s.groups { g.time_restriction = None; }
        let mut holiday = s.clone();
        s.door.holiday = None;
        holiday.door.holiday = Some("New Year".into());
        prop_assert_eq!(s.decide(), holiday.decide());
    }

    #[test]
    fn a_holiday_never_grants_what_was_refused(s in arb_scenario()) {
        let mut s = s;
        s.door.holiday = None;
        let before = s.decide().granted;
        s.door.holiday = Some("New Year".into());
        prop_assert!(before || !s.decide().granted);
    }

    #[test]
    fn groups_never_change_the_other_reasons(
        s in arb_scenario(),
        other in proptest::collection::vec(arb_group(Timestamp::from_millis(NOW)), 0..4),
    ) {
        let mut t = s.clone();
        t.groups = other;
        prop_assert_eq!(group_free(&s.decide().reasons), group_free(&t.decide().reasons));
    }

    // (b) Any one passing group suffices.
    #[test]
    fn adding_groups_to_a_granted_request_keeps_it_granted(
        link in any::<bool>(),
        role in arb_role(),
        extra in proptest::collection::vec(arb_group(Timestamp::from_millis(NOW)), 0..5),
        position in any::<prop::sample::Index>(),
    ) {
        let mut s = if link { Scenario::link() } else { Scenario::granted() };
        if !link {
            s.user = Some(user(role));
        }
        prop_assert!(s.decide().granted);
        let at = position.index(extra.len() + 1);
        let open = s.groups.remove(0);
        s.groups = extra;
        s.groups.insert(at, open);
        prop_assert!(s.decide().granted, "{:?}", s.decide().reasons);
    }

    #[test]
    fn granted_iff_granted_through_some_single_group(s in arb_scenario()) {
        prop_assume!(!s.groups.is_empty());
        let each = s.groups.iter().any(|g| {
            Scenario { groups: vec![g.clone()], ..s.clone() }.decide().granted
        });
        if s.is_admin() {
            let alone = Scenario { groups: vec![], ..s.clone() }.decide();
            prop_assert_eq!(s.decide(), alone);
        } else {
            prop_assert_eq!(s.decide().granted, each);
        }
    }

    // (c) Links ignore geofence and reader restrictions, and nothing else.
    #[test]
    fn links_ignore_geofence_and_reader(
        s in arb_scenario(),
        fence in proptest::option::of(1u32..1000),
        default_radius in 1u32..1000,
        reader in any::<bool>(),
        flags in proptest::collection::vec(any::<(bool, bool)>(), 4),
        location in arb_location(),
        proof in arb_proof(),
        someone in proptest::option::of(arb_user()),
    ) {
        let mut s = s;
        s.actor = ActorKind::AccessLink;
        let before = s.decide();
        s.door.geofence = fence.map(|radius_m| Geofence { center: door_center(), radius_m });
        s.door.default_radius_m = default_radius;
        s.door.reader_restriction = reader;
        for (g, (geofence, reader)) in s.groups.iter_mut().zip(flags) {
            g.geofence = geofence;
            g.reader_restriction = reader;
        }
        s.context.location = location;
        s.context.proximity = proof;
        s.user = someone;
        prop_assert_eq!(s.decide(), before);
    }

    #[test]
    fn links_still_obey_hours_validity_and_lockdown(s in arb_scenario(), what in 0u8..5) {
        let mut s = s;
        s.actor = ActorKind::AccessLink;
        let now = s.context.now;
        let expected = match what {
            0 => { s.door.locked_down = true; Some(Reason::LockedDown) }
            1 => { s.credential.revoked = true; Some(Reason::CredentialRevoked) }
            2 => {
                s.credential.valid_from = None;
                s.credential.valid_until = Some(now);
                Some(Reason::CredentialExpired { until: now })
            }
            3 => {
                s.door.time_restriction = Some(WeeklySchedule::default());
                s.door.holiday = None;
                Some(Reason::NoTimeWindows)
            }
            _ => {
                for g in &mut s.groups { g.valid_until = Some(now); }
                None
            }
        };
        let d = s.decide();
        prop_assert!(!d.granted);
        if let Some(reason) = expected {
            prop_assert!(d.reasons.contains(&reason));
        }
    }

    // (d) Lockdown denies all but owners and admins.
    #[test]
    fn lockdown_denies_all_but_owners_and_admins(s in arb_scenario()) {
        let mut locked = s.clone();
        locked.door.locked_down = true;
        let d = locked.decide();
        prop_assert_eq!(d.reasons.contains(&Reason::LockedDown), !s.is_admin());
        if s.is_admin() {
            let mut open = s.clone();
            open.door.locked_down = false;
            prop_assert_eq!(d, open.decide());
        } else {
            prop_assert!(!d.granted);
        }
    }

    // (e) Validity: start inclusive, end exclusive.
    #[test]
    fn credential_validity_bounds(s in arb_scenario(), ahead in 1i64..1_000_000) {
        let mut s = s;
        let now = s.context.now;
        let later = Timestamp::from_millis(now.millis() + ahead);
        let credential_reasons = |s: &Scenario| -> Vec<Reason> {
            s.decide().reasons.into_iter().filter(|r| matches!(
                r, Reason::CredentialNotYetValid { .. } | Reason::CredentialExpired { .. }
            )).collect()
        };
        s.credential.valid_from = Some(now);
        s.credential.valid_until = Some(later);
        prop_assert_eq!(credential_reasons(&s), vec![]);
        s.credential.valid_from = Some(later);
        prop_assert_eq!(credential_reasons(&s), vec![Reason::CredentialNotYetValid { from: later }]);
        s.credential.valid_from = None;
        s.credential.valid_until = Some(now);
        prop_assert_eq!(credential_reasons(&s), vec![Reason::CredentialExpired { until: now }]);
    }

    #[test]
    fn group_and_membership_validity_bounds(
        s in arb_scenario(),
        g in arb_group(Timestamp::from_millis(NOW)),
        membership in any::<bool>(),
    ) {
        prop_assume!(!s.is_admin());
        let mut s = s;
        let now = s.context.now;
        let mut g = g;
        g.valid_from = None; g.valid_until = None; g.member_from = None; g.member_until = None;
        let name = g.name.clone();
        let validity = |s: &Scenario| -> Vec<GroupReason> {
            s.decide().reasons.into_iter().filter_map(|r| match r {
                Reason::Group { reason, .. } => matches!(reason,
                    GroupReason::NotYetValid { .. } | GroupReason::Expired { .. }
                    | GroupReason::MembershipNotYetValid { .. }
                    | GroupReason::MembershipExpired { .. }).then_some(reason),
                _ => None,
            }).collect()
        };
        let set = |g: &mut GroupPath, from, until| if membership {
            g.member_from = from; g.member_until = until;
        } else {
            g.valid_from = from; g.valid_until = until;
        };
        set(&mut g, Some(now), None);
        s.groups = vec![g.clone()];
        prop_assert_eq!(validity(&s), vec![]);
        set(&mut g, None, Some(now));
        s.groups = vec![g.clone()];
        let expired = if membership {
            GroupReason::MembershipExpired { until: now }
        } else {
            GroupReason::Expired { until: now }
        };
        let d = s.decide();
        prop_assert!(!d.granted);
        let reason = Reason::Group { group: name, reason: expired.clone() };
        prop_assert!(d.reasons.contains(&reason));
        prop_assert_eq!(validity(&s), vec![expired]);
    }
}
