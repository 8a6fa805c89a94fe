//! Weekly opening hours on the local wall clock.

use super::LocalTime;
use crate::types::{TimeZoneName, Timestamp};
use jiff::civil::Weekday;
use serde::{Deserialize, Serialize};

/// Daily hours on some days of the week.
///
/// `end <= start` crosses midnight: Monday 22:00–06:00 runs from Monday 22:00
/// to Tuesday 05:59:59.999. `start == end` is the 24 hours from `start`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyWindow {
    /// The days the window starts on, Monday (0) to Sunday (6).
    pub days: [bool; 7],
    /// When it opens (inclusive).
    pub start: LocalTime,
    /// When it closes (exclusive).
    pub end: LocalTime,
}

impl WeeklyWindow {
    /// Monday to Friday.
    pub const WEEKDAYS: [bool; 7] = [true, true, true, true, true, false, false];
    /// Every day.
    pub const EVERY_DAY: [bool; 7] = [true; 7];

    /// Whether the window runs past midnight into the next day.
    pub fn crosses_midnight(&self) -> bool {
        self.end <= self.start
    }

    /// Whether the window is open on `day` at wall-clock `time`.
    pub fn contains_local(&self, day: Weekday, time: LocalTime) -> bool {
        let starts_on = |d: Weekday| self.days[d.to_monday_zero_offset() as usize];
        if self.crosses_midnight() {
            (starts_on(day) && time >= self.start) || (starts_on(day.previous()) && time < self.end)
        } else {
            starts_on(day) && self.start <= time && time < self.end
        }
    }
}

/// A set of weekly windows; open when any window is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklySchedule {
    /// The windows, in any order.
    pub windows: Vec<WeeklyWindow>,
}

impl WeeklySchedule {
    /// Whether `at` falls in a window, reading the wall clock in `zone`.
    pub fn contains(&self, at: Timestamp, zone: &TimeZoneName) -> bool {
        if self.windows.is_empty() {
            return false;
        }
        let (day, time) = local_day_and_time(at, zone);
        self.windows.iter().any(|w| w.contains_local(day, time))
    }
}

/// The weekday and time of day of `at` on the wall clock in `zone`.
fn local_day_and_time(at: Timestamp, zone: &TimeZoneName) -> (Weekday, LocalTime) {
    let instant = jiff::Timestamp::from_millisecond(at.millis()).unwrap_or(if at.millis() < 0 {
        jiff::Timestamp::MIN
    } else {
        jiff::Timestamp::MAX
    });
    let local = instant.to_zoned(zone.time_zone()).datetime();
    let minutes = local.hour() as u16 * 60 + local.minute() as u16;
    let time = LocalTime::from_minutes(minutes).unwrap_or(LocalTime::MIDNIGHT);
    (local.weekday(), time)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> LocalTime {
        LocalTime::parse(text).unwrap()
    }

    fn window(days: [bool; 7], start: &str, end: &str) -> WeeklyWindow {
        WeeklyWindow {
            days,
            start: t(start),
            end: t(end),
        }
    }

    fn only(day: Weekday) -> [bool; 7] {
        let mut days = [false; 7];
        days[day.to_monday_zero_offset() as usize] = true;
        days
    }

    fn at(local: &str, zone: &str) -> (Timestamp, TimeZoneName) {
        let zone = TimeZoneName::parse(zone).unwrap();
        (Timestamp::parse_datetime_local(local, &zone).unwrap(), zone)
    }

    #[test]
    fn same_day_window_is_half_open() {
        let w = window(WeeklyWindow::WEEKDAYS, "08:00", "18:00");
        assert!(!w.crosses_midnight());
        assert!(!w.contains_local(Weekday::Monday, t("07:59")));
        assert!(w.contains_local(Weekday::Monday, t("08:00")));
        assert!(w.contains_local(Weekday::Friday, t("17:59")));
        assert!(!w.contains_local(Weekday::Friday, t("18:00")));
        assert!(!w.contains_local(Weekday::Saturday, t("12:00")));
    }

    #[test]
    fn night_window_belongs_to_its_start_day() {
        let w = window(only(Weekday::Monday), "22:00", "06:00");
        assert!(w.crosses_midnight());
        assert!(!w.contains_local(Weekday::Monday, t("21:59")));
        assert!(w.contains_local(Weekday::Monday, t("22:00")));
        assert!(w.contains_local(Weekday::Monday, t("23:59")));
        assert!(w.contains_local(Weekday::Tuesday, t("00:00")));
        assert!(w.contains_local(Weekday::Tuesday, t("05:59")));
        assert!(!w.contains_local(Weekday::Tuesday, t("06:00")));
        assert!(!w.contains_local(Weekday::Tuesday, t("22:00")));
        assert!(!w.contains_local(Weekday::Monday, t("03:00")));
    }

    #[test]
    fn sunday_night_runs_into_monday() {
        let w = window(only(Weekday::Sunday), "20:00", "02:00");
        assert!(w.contains_local(Weekday::Monday, t("01:59")));
        assert!(!w.contains_local(Weekday::Saturday, t("01:00")));
    }

    #[test]
    fn equal_start_and_end_is_a_full_day() {
        let w = window(only(Weekday::Wednesday), "09:00", "09:00");
        assert!(!w.contains_local(Weekday::Wednesday, t("08:59")));
        assert!(w.contains_local(Weekday::Wednesday, t("09:00")));
        assert!(w.contains_local(Weekday::Thursday, t("08:59")));
        assert!(!w.contains_local(Weekday::Thursday, t("09:00")));
        let all_day = window(WeeklyWindow::EVERY_DAY, "00:00", "00:00");
        assert!(all_day.contains_local(Weekday::Sunday, t("23:59")));
        assert!(all_day.contains_local(Weekday::Monday, t("00:00")));
    }

    #[test]
    fn several_windows_per_day() {
        let schedule = WeeklySchedule {
            windows: vec![
                window(WeeklyWindow::WEEKDAYS, "08:00", "12:00"),
                window(WeeklyWindow::WEEKDAYS, "13:00", "17:00"),
            ],
        };
        // 2026-11-23 is a Monday.
        let open = ["2026-11-23T08:00", "2026-11-23T11:59", "2026-11-23T13:00"];
        for local in open {
            let (ts, zone) = at(local, "Europe/Berlin");
            assert!(schedule.contains(ts, &zone), "{local}");
        }
        for local in ["2026-11-23T12:00", "2026-11-23T12:59", "2026-11-23T17:00"] {
            let (ts, zone) = at(local, "Europe/Berlin");
            assert!(!schedule.contains(ts, &zone), "{local}");
        }
    }

    #[test]
    fn empty_schedule_is_never_open() {
        let (ts, zone) = at("2026-11-23T12:00", "UTC");
        assert!(!WeeklySchedule::default().contains(ts, &zone));
    }

    #[test]
    fn follows_the_wall_clock_across_dst() {
        let schedule = WeeklySchedule {
            windows: vec![window(WeeklyWindow::EVERY_DAY, "08:00", "18:00")],
        };
        let berlin = TimeZoneName::parse("Europe/Berlin").unwrap();
        let utc = |text: &str| {
            let ms = text.parse::<jiff::Timestamp>().unwrap().as_millisecond();
            Timestamp::from_millis(ms)
        };
        // Before the change (CET, UTC+1): 08:00 local is 07:00Z.
        assert!(!schedule.contains(utc("2026-03-28T06:59:00Z"), &berlin));
        assert!(schedule.contains(utc("2026-03-28T07:00:00Z"), &berlin));
        // After it (CEST, UTC+2): 08:00 local is 06:00Z, 18:00 local is 16:00Z.
        assert!(schedule.contains(utc("2026-03-30T06:00:00Z"), &berlin));
        assert!(schedule.contains(utc("2026-03-30T15:59:00Z"), &berlin));
        assert!(!schedule.contains(utc("2026-03-30T16:00:00Z"), &berlin));
    }

    #[test]
    fn weekday_is_local_not_utc() {
        // Monday 00:30 in Kiritimati (UTC+14) is still Sunday in UTC.
        let schedule = WeeklySchedule {
            windows: vec![window(only(Weekday::Monday), "00:00", "01:00")],
        };
        let (ts, zone) = at("2026-11-23T00:30", "Pacific/Kiritimati");
        assert!(schedule.contains(ts, &zone));
        assert!(!schedule.contains(ts, &TimeZoneName::parse("UTC").unwrap()));
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        let schedule = WeeklySchedule {
            windows: vec![window(WeeklyWindow::EVERY_DAY, "00:00", "00:00")],
        };
        let utc = TimeZoneName::parse("UTC").unwrap();
        assert!(schedule.contains(Timestamp::from_millis(i64::MAX), &utc));
        assert!(schedule.contains(Timestamp::from_millis(i64::MIN), &utc));
    }
}
