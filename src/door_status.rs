//! What a door is doing right now, derived from its controller and state.

use crate::types::Timestamp;
use serde::{Deserialize, Serialize};

/// The status shown for a door.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum DoorStatus {
    /// No controller, or the controller is not reachable.
    Offline,
    /// Lockdown is on: nobody may unlock it.
    LockedDown,
    /// The lock lost power and, being fail-safe, released: the door is
    /// open to anyone until power returns.
    PowerReleased,
    /// Unlocked until the given time.
    Unlocked {
        /// When the door locks again.
        until: Timestamp,
    },
    /// Locked as normal.
    Locked,
}

/// What the door's position sensor reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DoorSensor {
    /// The door stands open.
    Open,
    /// The door is shut.
    Closed,
}

/// An alarm the door's controller raised (cleared when the door closes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DoorAlarm {
    /// Open longer than its held-open limit.
    HeldOpen,
    /// Opened with no grant and no request to exit.
    ForcedOpen,
}

impl DoorAlarm {
    /// Stable identifier for storage and APIs.
    pub fn as_str(&self) -> &'static str {
        match self {
            DoorAlarm::HeldOpen => "held_open",
            DoorAlarm::ForcedOpen => "forced_open",
        }
    }

    /// Parses [`DoorAlarm::as_str`].
    pub fn parse(text: &str) -> Option<DoorAlarm> {
        match text {
            "held_open" => Some(DoorAlarm::HeldOpen),
            "forced_open" => Some(DoorAlarm::ForcedOpen),
            _ => None,
        }
    }

    /// Shown beside the door's status.
    pub fn label(&self) -> &'static str {
        match self {
            DoorAlarm::HeldOpen => "Held open",
            DoorAlarm::ForcedOpen => "Forced open",
        }
    }
}

/// Everything a page shows about a door's state, as sent live to browsers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorLive {
    /// The door.
    pub door_id: i64,
    /// Offline, locked down, unlocked (until), locked.
    pub status: DoorStatus,
    /// Open or closed, when the controller reports a door sensor.
    pub sensor: Option<DoorSensor>,
    /// An active alarm.
    pub alarm: Option<DoorAlarm>,
    /// Why the door is in this state when it is not obvious (power loss).
    pub note: Option<String>,
}

/// The facts [`DoorStatus::derive`] looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DoorStatusInputs {
    /// The door is wired to a controller.
    pub has_controller: bool,
    /// That controller answered recently.
    pub controller_online: bool,
    /// Lockdown is on for the door.
    pub locked_down: bool,
    /// End of the current unlock, if any.
    pub unlocked_until: Option<Timestamp>,
    /// The controller reports the lock's power supply lost.
    pub power_lost: bool,
    /// The lock releases without power (fail-safe strike, magnetic lock).
    pub fail_safe: bool,
    /// The current time.
    pub now: Timestamp,
}

impl DoorStatus {
    /// Precedence: Offline (no controller or controller offline) > power
    /// released (a fail-safe lock without power is open whatever else holds)
    /// > Locked down > Locked (a fail-secure lock without power cannot
    /// release, whatever was granted) > Unlocked (unlocked_until > now) > Locked.
    pub fn derive(inputs: &DoorStatusInputs) -> DoorStatus {
        if !inputs.has_controller || !inputs.controller_online {
            return DoorStatus::Offline;
        }
        if inputs.power_lost && inputs.fail_safe {
            return DoorStatus::PowerReleased;
        }
        if inputs.locked_down {
            return DoorStatus::LockedDown;
        }
        if inputs.power_lost {
            return DoorStatus::Locked;
        }
        match inputs.unlocked_until {
            Some(until) if until > inputs.now => DoorStatus::Unlocked { until },
            _ => DoorStatus::Locked,
        }
    }

    /// Name shown to people.
    pub fn label(&self) -> &'static str {
        match self {
            DoorStatus::Offline => "Offline",
            DoorStatus::LockedDown => "Locked down",
            DoorStatus::PowerReleased | DoorStatus::Unlocked { .. } => "Unlocked",
            DoorStatus::Locked => "Locked",
        }
    }

    /// CSS class for the status badge.
    pub fn css_class(&self) -> &'static str {
        match self {
            DoorStatus::Offline => "status-offline",
            DoorStatus::LockedDown => "status-lockdown",
            DoorStatus::PowerReleased | DoorStatus::Unlocked { .. } => "status-unlocked",
            DoorStatus::Locked => "status-locked",
        }
    }
}

/// Why a door reads as it does when power is lost, in plain words.
pub fn power_note(power_lost: bool, fail_safe: bool) -> Option<String> {
    match (power_lost, fail_safe) {
        (false, _) => None,
        (true, true) => Some("Power lost: the fail-safe lock released, so the door is open to anyone.".into()),
        (true, false) => Some("Power lost: the fail-secure lock stays locked; exits still work.".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn inputs(
        has_controller: bool,
        controller_online: bool,
        locked_down: bool,
        unlocked_until: Option<i64>,
        now: i64,
    ) -> DoorStatusInputs {
        DoorStatusInputs {
            has_controller,
            controller_online,
            locked_down,
            unlocked_until: unlocked_until.map(Timestamp::from_millis),
            power_lost: false,
            fail_safe: false,
            now: Timestamp::from_millis(now),
        }
    }

    #[test]
    fn power_loss_releases_only_fail_safe_locks() {
        let mut i = inputs(true, true, true, None, 0);
        i.power_lost = true;
        i.fail_safe = true;
        assert_eq!(DoorStatus::derive(&i), DoorStatus::PowerReleased);
        assert_eq!(DoorStatus::PowerReleased.label(), "Unlocked");
        i.fail_safe = false;
        assert_eq!(DoorStatus::derive(&i), DoorStatus::LockedDown);
        i.controller_online = false;
        i.fail_safe = true;
        assert_eq!(DoorStatus::derive(&i), DoorStatus::Offline);
        // A fail-secure lock without power stays locked even inside a grant
        // or a scheduled unlock: energising its relay releases nothing.
        i.controller_online = true;
        i.fail_safe = false;
        i.locked_down = false;
        i.unlocked_until = Some(Timestamp::from_millis(60_000));
        assert_eq!(DoorStatus::derive(&i), DoorStatus::Locked);
        i.power_lost = false;
        assert!(matches!(DoorStatus::derive(&i), DoorStatus::Unlocked { .. }));
        assert!(power_note(true, true).unwrap().contains("fail-safe"));
        assert!(power_note(true, false).unwrap().contains("stays locked"));
        assert_eq!(power_note(false, true), None);
    }

    #[test]
    fn alarms_round_trip() {
        for a in [DoorAlarm::HeldOpen, DoorAlarm::ForcedOpen] {
            assert_eq!(DoorAlarm::parse(a.as_str()), Some(a));
        }
        assert_eq!(DoorAlarm::parse("fire"), None);
    }

    #[test]
    fn examples() {
        assert_eq!(
            DoorStatus::derive(&inputs(false, true, false, None, 0)),
            DoorStatus::Offline
        );
        assert_eq!(
            DoorStatus::derive(&inputs(true, false, true, Some(9), 0)),
            DoorStatus::Offline
        );
        assert_eq!(
            DoorStatus::derive(&inputs(true, true, true, Some(9), 0)),
            DoorStatus::LockedDown
        );
        assert_eq!(
            DoorStatus::derive(&inputs(true, true, false, Some(9), 0)),
            DoorStatus::Unlocked {
                until: Timestamp::from_millis(9)
            }
        );
        assert_eq!(
            DoorStatus::derive(&inputs(true, true, false, Some(5), 5)),
            DoorStatus::Locked
        );
        assert_eq!(
            DoorStatus::derive(&inputs(true, true, false, None, 5)),
            DoorStatus::Locked
        );
    }

    #[test]
    fn labels_and_classes() {
        let all = [
            DoorStatus::Offline,
            DoorStatus::LockedDown,
            DoorStatus::Unlocked {
                until: Timestamp::from_millis(1),
            },
            DoorStatus::Locked,
        ];
        let labels: Vec<_> = all.iter().map(DoorStatus::label).collect();
        assert_eq!(labels, ["Offline", "Locked down", "Unlocked", "Locked"]);
        let classes: Vec<_> = all.iter().map(DoorStatus::css_class).collect();
        assert_eq!(
            classes,
            [
                "status-offline",
                "status-lockdown",
                "status-unlocked",
                "status-locked"
            ]
        );
    }

    proptest! {
        #[test]
        fn precedence_holds(
            has_controller: bool,
            controller_online: bool,
            locked_down: bool,
            unlocked_until: Option<i64>,
            now: i64,
        ) {
            let i = inputs(has_controller, controller_online, locked_down, unlocked_until, now);
            let status = DoorStatus::derive(&i);
            let online = has_controller && controller_online;
            let open_window = unlocked_until.is_some_and(|u| u > now);
            if !has_controller || !controller_online {
                prop_assert_eq!(status, DoorStatus::Offline);
            } else if locked_down {
                prop_assert_eq!(status, DoorStatus::LockedDown);
            } else if open_window {
                prop_assert_eq!(status, DoorStatus::Unlocked { until: i.unlocked_until.unwrap() });
            } else {
                prop_assert_eq!(status, DoorStatus::Locked);
            }
            // Each status only ever comes from its own conditions.
            prop_assert_eq!(status == DoorStatus::Offline, !online);
            prop_assert_eq!(status == DoorStatus::LockedDown, online && locked_down);
            prop_assert_eq!(
                matches!(status, DoorStatus::Unlocked { .. }),
                online && !locked_down && open_window
            );
        }

        #[test]
        fn unlock_window_ends_exactly_at_until(until: i64, now: i64) {
            let status = DoorStatus::derive(&inputs(true, true, false, Some(until), now));
            prop_assert_eq!(matches!(status, DoorStatus::Unlocked { .. }), until > now);
        }
    }
}
