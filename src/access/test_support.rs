//! Fixtures and proptest strategies for the access decision tests.

use super::*;
use crate::types::{Coordinates, Latitude, Longitude, Role, TimeZoneName, Timestamp};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

/// Monday 2026-11-23 12:00 UTC (13:00 in Berlin).
pub const NOW: i64 = 1_795_435_200_000;
pub const MINUTE: i64 = 60_000;
pub const WEEK: i64 = 7 * 24 * 60 * MINUTE;

pub fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms)
}

pub fn berlin() -> TimeZoneName {
    TimeZoneName::parse("Europe/Berlin").unwrap()
}

/// Where the test door is.
pub fn door_center() -> Coordinates {
    north_of_door(0.0)
}

/// A point `meters` due north of the door.
pub fn north_of_door(meters: f64) -> Coordinates {
    Coordinates {
        latitude: Latitude::parse_f64(52.52 + meters / 111_194.93).unwrap(),
        longitude: Longitude::parse_f64(13.405).unwrap(),
    }
}

/// A window on every day from `start` to `end` ("HH:MM").
pub fn daily(start: &str, end: &str) -> WeeklySchedule {
    WeeklySchedule {
        windows: vec![WeeklyWindow {
            days: WeeklyWindow::EVERY_DAY,
            start: LocalTime::parse(start).unwrap(),
            end: LocalTime::parse(end).unwrap(),
        }],
    }
}

/// A door without restrictions.
pub fn open_door() -> DoorRules {
    DoorRules {
        geofence: None,
        center: door_center(),
        default_radius_m: 300,
        reader_restriction: false,
        time_restriction: None,
        locked_down: false,
        require_2fa: false,
        time_zone: berlin(),
        holiday: None,
    }
}

/// A confirmed user with app access, bound to device "phone".
pub fn user(role: Role) -> UserState {
    UserState {
        role,
        confirmed: true,
        app_access: true,
        primary_device_required: false,
        bound_device: Some("phone".into()),
    }
}

/// At the door, with a valid reader proof, from "phone", verified a minute ago.
pub fn context() -> RequestContext {
    RequestContext {
        now: ts(NOW),
        location: Some(Location {
            at: door_center(),
            accuracy_m: 10.0,
        }),
        proximity: ProximityProof::Valid,
        device_id: Some("phone".into()),
        verified_at: Some(ts(NOW - MINUTE)),
    }
}

/// Owned inputs of one request.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub actor: ActorKind,
    pub credential: CredentialState,
    pub user: Option<UserState>,
    pub door: DoorRules,
    pub groups: Vec<GroupPath>,
    pub context: RequestContext,
}

impl Scenario {
    /// A member reaching an open door through one open group: granted.
    pub fn granted() -> Self {
        Self {
            actor: ActorKind::Session,
            credential: CredentialState::default(),
            user: Some(user(Role::Member)),
            door: open_door(),
            groups: vec![GroupPath::open("Staff")],
            context: context(),
        }
    }

    /// An access link of group "Staff" to an open door: granted.
    pub fn link() -> Self {
        Self {
            actor: ActorKind::AccessLink,
            user: None,
            ..Self::granted()
        }
    }

    pub fn decide(&self) -> Decision {
        decide(&AccessRequest {
            actor: self.actor,
            credential: self.credential,
            user: self.user.as_ref(),
            door: &self.door,
            groups: &self.groups,
            context: &self.context,
        })
    }

    /// Whether the actor is an owner or admin signed in.
    pub fn is_admin(&self) -> bool {
        self.actor.is_sign_in() && self.user.as_ref().is_some_and(|u| u.role.is_admin())
    }
}

/// The decision's reasons, checking that granted means no reasons.
pub fn reasons(s: &Scenario) -> Vec<Reason> {
    let decision = s.decide();
    assert_eq!(decision.granted, decision.reasons.is_empty());
    decision.reasons
}

/// A reason of group `name`.
pub fn group(name: &str, reason: GroupReason) -> Reason {
    Reason::Group {
        group: name.into(),
        reason,
    }
}

pub fn arb_actor() -> impl Strategy<Value = ActorKind> {
    prop_oneof![
        Just(ActorKind::Session),
        Just(ActorKind::ApiKey),
        Just(ActorKind::AccessLink)
    ]
}

pub fn arb_role() -> impl Strategy<Value = Role> {
    proptest::sample::select(Role::ALL.to_vec())
}

/// A bound near `now`, often absent.
pub fn arb_bound(now: Timestamp) -> impl Strategy<Value = Option<Timestamp>> {
    option::weighted(0.3, (-2i64..=2).prop_map(move |d| ts(now.millis() + d)))
}

pub fn arb_device() -> impl Strategy<Value = Option<String>> {
    option::weighted(
        0.8,
        proptest::sample::select(vec!["phone", "laptop"]).prop_map(String::from),
    )
}

pub fn arb_user() -> impl Strategy<Value = UserState> {
    let mostly = || proptest::bool::weighted(0.9);
    let device = proptest::bool::weighted(0.3);
    (arb_role(), mostly(), mostly(), device, arb_device()).prop_map(
        |(role, confirmed, app_access, primary_device_required, bound_device)| UserState {
            role,
            confirmed,
            app_access,
            primary_device_required,
            bound_device,
        },
    )
}

pub fn arb_credential(now: Timestamp) -> impl Strategy<Value = CredentialState> {
    (
        proptest::bool::weighted(0.1),
        arb_bound(now),
        arb_bound(now),
        proptest::bool::weighted(0.05),
    )
        .prop_map(|(revoked, valid_from, valid_until, used_up)| CredentialState {
            revoked,
            valid_from,
            valid_until,
            used_up,
        })
}

pub fn arb_window() -> impl Strategy<Value = WeeklyWindow> {
    (any::<[bool; 7]>(), 0u16..1440, 0u16..1440).prop_map(|(days, start, end)| WeeklyWindow {
        days,
        start: LocalTime::from_minutes(start).unwrap(),
        end: LocalTime::from_minutes(end).unwrap(),
    })
}

/// Off most of the time; when on, sometimes without windows.
pub fn arb_schedule() -> impl Strategy<Value = Option<WeeklySchedule>> {
    option::weighted(
        0.3,
        vec(arb_window(), 0..3).prop_map(|windows| WeeklySchedule { windows }),
    )
}

pub fn arb_group(now: Timestamp) -> impl Strategy<Value = GroupPath> {
    (
        proptest::sample::select(vec!["Staff", "Interns", "Cleaners", "Night shift"]),
        (
            arb_bound(now),
            arb_bound(now),
            arb_bound(now),
            arb_bound(now),
        ),
        (proptest::bool::weighted(0.2), proptest::bool::weighted(0.2)),
        arb_schedule(),
        proptest::bool::weighted(0.2),
    )
        .prop_map(
            |(
                name,
                (valid_from, valid_until, member_from, member_until),
                (geofence, reader),
                time,
                device,
            )| {
                GroupPath {
                    name: name.into(),
                    valid_from,
                    valid_until,
                    member_from,
                    member_until,
                    geofence,
                    reader_restriction: reader,
                    time_restriction: time,
                    primary_device_required: device,
                }
            },
        )
}

pub fn arb_door() -> impl Strategy<Value = DoorRules> {
    (
        option::weighted(0.3, 50u32..1000),
        50u32..1000,
        proptest::bool::weighted(0.3),
        arb_schedule(),
        proptest::bool::weighted(0.1),
        proptest::bool::weighted(0.2),
        arb_holiday(),
    )
        .prop_map(
            |(fence, default_radius_m, reader, time, locked_down, require_2fa, holiday)| DoorRules {
                geofence: fence.map(|radius_m| Geofence {
                    center: door_center(),
                    radius_m,
                }),
                default_radius_m,
                reader_restriction: reader,
                time_restriction: time,
                locked_down,
                require_2fa,
                holiday,
                ..open_door()
            },
        )
}

/// Mostly no suppressing holiday today; sometimes one.
pub fn arb_holiday() -> impl Strategy<Value = Option<String>> {
    option::weighted(
        0.2,
        proptest::sample::select(vec!["Christmas Day", "New Year"]).prop_map(String::from),
    )
}

pub fn arb_proof() -> impl Strategy<Value = ProximityProof> {
    proptest::sample::select(vec![
        ProximityProof::Valid,
        ProximityProof::Stale,
        ProximityProof::Invalid,
        ProximityProof::Missing,
    ])
}

pub fn arb_location() -> impl Strategy<Value = Option<Location>> {
    option::weighted(0.8, (0.0..1500.0f64, 0.0..200.0f64)).prop_map(|l| {
        l.map(|(distance, accuracy_m)| Location {
            at: north_of_door(distance),
            accuracy_m,
        })
    })
}

pub fn arb_context(now: Timestamp) -> impl Strategy<Value = RequestContext> {
    (
        arb_location(),
        arb_proof(),
        arb_device(),
        option::of(0..10 * MINUTE),
    )
        .prop_map(
            move |(location, proximity, device_id, age)| RequestContext {
                now,
                location,
                proximity,
                device_id,
                verified_at: age.map(|a| ts(now.millis() - a)),
            },
        )
}

/// Any request, at any time in the week around [`NOW`].
pub fn arb_scenario() -> impl Strategy<Value = Scenario> {
    (-WEEK..WEEK).prop_flat_map(|offset| {
        let now = ts(NOW + offset);
        (
            arb_actor(),
            arb_credential(now),
            option::weighted(0.95, arb_user()),
            arb_door(),
            vec(arb_group(now), 0..4),
            arb_context(now),
        )
            .prop_map(
                |(actor, credential, user, door, groups, context)| Scenario {
                    actor,
                    credential,
                    user,
                    door,
                    groups,
                    context,
                },
            )
    })
}
