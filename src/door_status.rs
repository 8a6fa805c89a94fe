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
    /// The current time.
    pub now: Timestamp,
}

impl DoorStatus {
    /// Precedence: Offline (no controller or controller offline) > Locked down
    /// > Unlocked (unlocked_until > now) > Locked.
    pub fn derive(inputs: &DoorStatusInputs) -> DoorStatus {
        if !inputs.has_controller || !inputs.controller_online {
            return DoorStatus::Offline;
        }
        if inputs.locked_down {
            return DoorStatus::LockedDown;
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
            DoorStatus::Unlocked { .. } => "Unlocked",
            DoorStatus::Locked => "Locked",
        }
    }

    /// CSS class for the status badge.
    pub fn css_class(&self) -> &'static str {
        match self {
            DoorStatus::Offline => "status-offline",
            DoorStatus::LockedDown => "status-lockdown",
            DoorStatus::Unlocked { .. } => "status-unlocked",
            DoorStatus::Locked => "status-locked",
        }
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
            now: Timestamp::from_millis(now),
        }
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
