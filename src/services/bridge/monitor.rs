//! Door alarms from what a controller reports, the same for every bridge:
//! a door that opens with no grant, no request-to-exit and no released
//! fail-safe lock is **forced open**; a door open longer than its held-open
//! limit is **held open**. Both clear when the door closes. Pure state (the
//! hub feeds it events and instants), so every rule is unit-tested here.

use crate::door_status::DoorAlarm;
use std::time::Duration;
use tokio::time::Instant;

/// How long after a grant ends the door may still open without an alarm
/// (the person pulls the handle as the strike relocks).
pub const GRACE: Duration = Duration::from_secs(2);

/// One input's change in alarm state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlarmChange {
    Raised { input: u8, alarm: DoorAlarm },
    Cleared { input: u8, alarm: DoorAlarm },
}

#[derive(Clone, Copy, Debug, Default)]
struct Watch {
    /// Opening is allowed until then (pulse end + grace, request-to-exit).
    allowed_until: Option<Instant>,
    /// The relay is energised (a pulse, a scheduled hold).
    relay_on: bool,
    /// The lock has no power and is fail-safe: it is released.
    released: bool,
    open_since: Option<Instant>,
    alarm: Option<DoorAlarm>,
}

impl Watch {
    fn open_at_will(&self) -> bool {
        self.relay_on || self.released
    }

    /// Opening stays fine for a moment after the lock engages again.
    fn engage(&mut self, now: Instant) {
        let until = now + GRACE;
        self.allowed_until = Some(self.allowed_until.map_or(until, |old| old.max(until)));
    }
}

/// The four doors of one controller (inputs 1..=4).
#[derive(Clone, Debug, Default)]
pub struct DoorMonitor {
    doors: [Watch; 4],
}

impl DoorMonitor {
    fn watch(&mut self, input: u8) -> Option<&mut Watch> {
        self.doors.get_mut(usize::from(input).checked_sub(1)?)
    }

    /// A grant (relay pulse, request to exit) lets the door open until `until`.
    pub fn allow_until(&mut self, input: u8, until: Instant) {
        if let Some(w) = self.watch(input) {
            let until = until + GRACE;
            w.allowed_until = Some(w.allowed_until.map_or(until, |old| old.max(until)));
        }
    }

    /// The relay was energised or released (as the controller reports it,
    /// or a scheduled hold): while energised the door opens at will.
    pub fn set_relay(&mut self, input: u8, on: bool, now: Instant) {
        if let Some(w) = self.watch(input) {
            let before = w.open_at_will();
            w.relay_on = on;
            if before && !w.open_at_will() {
                w.engage(now);
            }
        }
    }

    /// A fail-safe lock lost (or got back) its power: while released the
    /// door opens at will.
    pub fn set_released(&mut self, input: u8, released: bool, now: Instant) {
        if let Some(w) = self.watch(input) {
            let before = w.open_at_will();
            w.released = released;
            if before && !w.open_at_will() {
                w.engage(now);
            }
        }
    }

    /// The door sensor changed. Returns the alarm raised or cleared, if any.
    pub fn sensor(&mut self, input: u8, open: bool, now: Instant) -> Option<AlarmChange> {
        let w = self.watch(input)?;
        if open {
            if w.open_since.is_some() {
                return None;
            }
            w.open_since = Some(now);
            let allowed = w.open_at_will() || w.allowed_until.is_some_and(|until| now <= until);
            if allowed {
                return None;
            }
            w.alarm = Some(DoorAlarm::ForcedOpen);
            Some(AlarmChange::Raised { input, alarm: DoorAlarm::ForcedOpen })
        } else {
            w.open_since = None;
            w.alarm.take().map(|alarm| AlarmChange::Cleared { input, alarm })
        }
    }

    /// When the next held-open alarm is due, given each door's limit.
    pub fn next_deadline(&self, limits: &[Option<Duration>; 4]) -> Option<Instant> {
        self.doors
            .iter()
            .zip(limits)
            .filter(|(w, _)| w.alarm.is_none() && !w.open_at_will())
            .filter_map(|(w, limit)| Some(w.open_since? + (*limit)?))
            .min()
    }

    /// Raises held-open alarms that are due at `now`.
    pub fn tick(&mut self, now: Instant, limits: &[Option<Duration>; 4]) -> Vec<AlarmChange> {
        let mut raised = Vec::new();
        for (index, (w, limit)) in self.doors.iter_mut().zip(limits).enumerate() {
            let due = match (w.open_since, limit) {
                (Some(since), Some(limit)) => now >= since + *limit,
                _ => false,
            };
            if due && w.alarm.is_none() && !w.open_at_will() {
                w.alarm = Some(DoorAlarm::HeldOpen);
                let input = u8::try_from(index + 1).unwrap_or(1);
                raised.push(AlarmChange::Raised { input, alarm: DoorAlarm::HeldOpen });
            }
        }
        raised
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: [Option<Duration>; 4] = [Some(Duration::from_secs(30)), None, None, None];

    #[tokio::test(start_paused = true)]
    async fn an_opening_without_a_grant_is_forced() {
        let mut m = DoorMonitor::default();
        let now = Instant::now();
        assert_eq!(m.sensor(1, true, now), Some(AlarmChange::Raised { input: 1, alarm: DoorAlarm::ForcedOpen }));
        assert_eq!(m.sensor(1, true, now), None, "still open is not a new alarm");
        assert_eq!(m.sensor(1, false, now), Some(AlarmChange::Cleared { input: 1, alarm: DoorAlarm::ForcedOpen }));
    }

    #[tokio::test(start_paused = true)]
    async fn a_grant_allows_opening_until_its_end_plus_grace() {
        let mut m = DoorMonitor::default();
        let now = Instant::now();
        m.allow_until(1, now + Duration::from_secs(5));
        assert_eq!(m.sensor(1, true, now + Duration::from_secs(6)), None);
        m.sensor(1, false, now + Duration::from_secs(7));
        assert!(matches!(m.sensor(1, true, now + Duration::from_secs(8)), Some(AlarmChange::Raised { .. })));
    }

    #[tokio::test(start_paused = true)]
    async fn held_open_fires_once_at_the_limit_and_clears_on_close() {
        let mut m = DoorMonitor::default();
        let now = Instant::now();
        m.allow_until(1, now + Duration::from_secs(5));
        m.sensor(1, true, now);
        assert_eq!(m.next_deadline(&LIMITS), Some(now + Duration::from_secs(30)));
        assert!(m.tick(now + Duration::from_secs(29), &LIMITS).is_empty());
        assert_eq!(
            m.tick(now + Duration::from_secs(30), &LIMITS),
            vec![AlarmChange::Raised { input: 1, alarm: DoorAlarm::HeldOpen }]
        );
        assert!(m.tick(now + Duration::from_secs(60), &LIMITS).is_empty(), "raised once");
        assert_eq!(m.next_deadline(&LIMITS), None);
        assert_eq!(
            m.sensor(1, false, now + Duration::from_secs(61)),
            Some(AlarmChange::Cleared { input: 1, alarm: DoorAlarm::HeldOpen })
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_held_relay_or_released_lock_never_alarms() {
        let mut m = DoorMonitor::default();
        let now = Instant::now();
        m.set_released(3, true, now);
        assert_eq!(m.sensor(3, true, now), None, "a released fail-safe lock opens freely");
        m.set_relay(2, true, now);
        assert_eq!(m.sensor(2, true, now), None);
        let limits = [None, Some(Duration::from_secs(1)), None, None];
        assert!(m.tick(now + Duration::from_secs(100), &limits).is_empty());
        m.set_relay(2, false, now + Duration::from_secs(100));
        m.sensor(2, false, now + Duration::from_secs(101));
        // Shortly after the hold ends, opening is still fine; later it is forced.
        assert_eq!(m.sensor(2, true, now + Duration::from_secs(101)), None);
        m.sensor(2, false, now + Duration::from_secs(101));
        assert!(m.sensor(2, true, now + Duration::from_secs(110)).is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn inputs_out_of_range_are_ignored() {
        let mut m = DoorMonitor::default();
        let now = Instant::now();
        assert_eq!(m.sensor(0, true, now), None);
        assert_eq!(m.sensor(5, true, now), None);
        m.allow_until(9, now);
    }
}
