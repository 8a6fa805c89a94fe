use crate::format::instant_in;
use leptos::prelude::*;
use postern::door_status::{DoorLive, DoorSensor, DoorStatus};

/// Unlocks ending within this long count down in seconds (relay pulses are
/// at most 300 s); longer ones show only their end time.
const COUNTDOWN_MS: i64 = 300_000;

/// What a door's state reads as at one instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    /// "Locked", "Unlocked", "Unlocked · 4 s" (counting down)…
    pub label: String,
    /// The badge's classes.
    pub class: &'static str,
    /// Stable status name for tests and styles (`data-status`).
    pub key: &'static str,
    /// "until 14:05 EST" while an unlock pulse runs, else empty.
    pub until: String,
    /// An unlock pulse is counting down (the browser knows the time).
    pub counting: bool,
    /// "Open" / "Closed", or empty when no sensor reports.
    pub sensor: &'static str,
    pub sensor_class: &'static str,
    /// "Held open" / "Forced open", or empty.
    pub alarm: &'static str,
    /// Why the door reads so (power loss), or empty.
    pub note: String,
}

impl Shown {
    /// `now` is the server's time in the browser (`None` on the server): an
    /// unlock whose `until` has passed reads Locked, without waiting for the
    /// server.
    pub fn of(state: &DoorLive, now: Option<i64>, time_zone: &str) -> Shown {
        let status = match (state.status, now) {
            (DoorStatus::Unlocked { until }, Some(now)) if now >= until.millis() => DoorStatus::Locked,
            (status, _) => status,
        };
        let (label, until, counting) = match (status, now) {
            // A pulse counts down; a long window (a scheduled unlock) reads "until HH:MM".
            (DoorStatus::Unlocked { until }, Some(now)) if until.millis() - now <= COUNTDOWN_MS => {
                let seconds = ((until.millis() - now - 200).max(1) + 999) / 1000;
                (format!("Unlocked · {seconds} s"), until_text(until.millis(), time_zone), true)
            }
            (DoorStatus::Unlocked { until }, Some(_)) => (status.label().to_owned(), until_text(until.millis(), time_zone), false),
            (DoorStatus::Unlocked { until }, None) => (status.label().to_owned(), until_text(until.millis(), time_zone), false),
            _ => (status.label().to_owned(), String::new(), false),
        };
        let class = match status {
            DoorStatus::Offline => "badge status-offline",
            DoorStatus::LockedDown => "badge status-lockdown",
            DoorStatus::PowerReleased => "badge status-unlocked status-power",
            DoorStatus::Unlocked { .. } => "badge status-unlocked",
            DoorStatus::Locked => "badge status-locked",
        };
        let key = match status {
            DoorStatus::Offline => "offline",
            DoorStatus::LockedDown => "locked_down",
            DoorStatus::PowerReleased => "power_released",
            DoorStatus::Unlocked { .. } => "unlocked",
            DoorStatus::Locked => "locked",
        };
        let (sensor, sensor_class) = match state.sensor {
            Some(DoorSensor::Open) => ("Open", "door-sensor sensor-open"),
            Some(DoorSensor::Closed) => ("Closed", "door-sensor sensor-closed"),
            None => ("", "door-sensor"),
        };
        Shown {
            label,
            class,
            key,
            until,
            counting,
            sensor,
            sensor_class,
            alarm: state.alarm.map(|a| a.label()).unwrap_or_default(),
            note: state.note.clone().unwrap_or_default(),
        }
    }
}

/// "until 14:05 EST" in the door's time zone.
fn until_text(until: i64, time_zone: &str) -> String {
    let zone = if time_zone.is_empty() { "UTC" } else { time_zone };
    let when = instant_in(Some(until), zone);
    let time = when.split_once(' ').map(|(_, time)| time.to_owned()).unwrap_or(when);
    format!("until {time}")
}

/// A door's status badge, "until" time, door sensor, alarm and note, as
/// `shown` says. The same elements are always there (empty ones are
/// `hidden`), so the server's HTML and the hydrated page
/// match whatever the state; the badge is a live region only while it
/// counts down.
#[component]
pub fn DoorState(door_id: i64, #[prop(into)] shown: Signal<Shown>) -> impl IntoView {
    view! {
        <div class="door-state" data-door-id=door_id data-status=move || shown.with(|s| s.key)>
            <span class=move || shown.with(|s| s.class) role=move || shown.with(|s| s.counting.then_some("status"))>
                {move || shown.with(|s| s.label.clone())}
            </span>
            <span class="door-until" hidden=move || shown.with(|s| s.until.is_empty())>{move || shown.with(|s| s.until.clone())}</span>
            <span class=move || shown.with(|s| s.sensor_class) hidden=move || shown.with(|s| s.sensor.is_empty())>
                {move || shown.with(|s| s.sensor)}
            </span>
            <span class="door-alarm" hidden=move || shown.with(|s| s.alarm.is_empty())>{move || shown.with(|s| s.alarm)}</span>
        </div>
        <p class="door-note" hidden=move || shown.with(|s| s.note.is_empty())>{move || shown.with(|s| s.note.clone())}</p>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use postern::door_status::DoorAlarm;
    use postern::types::Timestamp;

    fn state(status: DoorStatus) -> DoorLive {
        DoorLive { door_id: 1, status, sensor: None, alarm: None, note: None }
    }

    #[test]
    fn unlocked_counts_down_then_reads_locked() {
        let door = state(DoorStatus::Unlocked { until: Timestamp::from_millis(10_000) });
        let server = Shown::of(&door, None, "UTC");
        assert_eq!((server.label.as_str(), server.counting), ("Unlocked", false));
        assert_eq!(server.until, "until 00:00 UTC");
        assert_eq!(Shown::of(&door, Some(6_000), "UTC").label, "Unlocked · 4 s");
        assert_eq!(Shown::of(&door, Some(5_990), "UTC").label, "Unlocked · 4 s", "a clock a bit behind still reads 4 s");
        assert_eq!(Shown::of(&door, Some(9_990), "UTC").label, "Unlocked · 1 s");
        let long = state(DoorStatus::Unlocked { until: Timestamp::from_millis(4 * 3_600_000) });
        let shown = Shown::of(&long, Some(0), "UTC");
        assert_eq!((shown.label.as_str(), shown.counting, shown.until.as_str()), ("Unlocked", false, "until 04:00 UTC"));
        let after = Shown::of(&door, Some(10_000), "UTC");
        assert_eq!((after.label.as_str(), after.key, after.until.as_str()), ("Locked", "locked", ""));
    }

    #[test]
    fn sensor_alarm_and_note_are_shown() {
        let door = DoorLive {
            sensor: Some(DoorSensor::Open),
            alarm: Some(DoorAlarm::HeldOpen),
            note: Some("Power lost".into()),
            ..state(DoorStatus::PowerReleased)
        };
        let shown = Shown::of(&door, Some(0), "UTC");
        assert_eq!((shown.label.as_str(), shown.sensor, shown.alarm, shown.note.as_str()), ("Unlocked", "Open", "Held open", "Power lost"));
        assert_eq!(shown.key, "power_released");
        assert!(!shown.counting);
    }
}
