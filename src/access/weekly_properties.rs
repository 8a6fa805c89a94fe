//! Property tests of weekly windows across time zones and DST.

use super::{LocalTime, WeeklySchedule, WeeklyWindow};
use crate::types::{TimeZoneName, Timestamp};
use jiff::civil::{date, Date};
use jiff::ToSpan;
use proptest::prelude::*;

const ZONES: [&str; 8] = [
    "America/New_York",
    "Europe/Berlin",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Adak",
    "Pacific/Kiritimati",
    "Pacific/Chatham",
    "UTC",
];

/// 2000-01-01T00:00Z to 2041-01-01T00:00Z.
const YEARS_2000_TO_2040: std::ops::Range<i64> = 946_684_800_000..2_240_611_200_000;
const DAY_MS: i64 = 86_400_000;

fn zone() -> impl Strategy<Value = TimeZoneName> {
    proptest::sample::select(ZONES.to_vec()).prop_map(|z| TimeZoneName::parse(z).unwrap())
}

fn schedule(days: [bool; 7], start: &str, end: &str) -> WeeklySchedule {
    WeeklySchedule {
        windows: vec![WeeklyWindow {
            days,
            start: LocalTime::parse(start).unwrap(),
            end: LocalTime::parse(end).unwrap(),
        }],
    }
}

/// Local weekday (Monday = 0) and minute of day, from the UTC offset alone.
fn local_by_offset(ms: i64, zone: &TimeZoneName) -> (i64, i64) {
    let instant = jiff::Timestamp::from_millisecond(ms).unwrap();
    let offset_ms = i64::from(zone.time_zone().to_offset(instant).seconds()) * 1000;
    let local = ms + offset_ms;
    // 1970-01-01 was a Thursday.
    let weekday = (local.div_euclid(DAY_MS) + 3).rem_euclid(7);
    (weekday, local.rem_euclid(DAY_MS) / 60_000)
}

/// The instant of a local wall time (none of these zones skips the times used).
fn wall(day: Date, hour: i8, minute: i8, zone: &TimeZoneName) -> Timestamp {
    let civil = day.at(hour, minute, 0, 0);
    let zoned = civil.to_zoned(zone.time_zone()).unwrap();
    assert_eq!(zoned.datetime(), civil, "{zone}");
    Timestamp::from_millis(zoned.timestamp().as_millisecond())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn office_hours_match_the_local_wall_clock(zone in zone(), ms in YEARS_2000_TO_2040) {
        let office = schedule(WeeklyWindow::WEEKDAYS, "08:00", "18:00");
        let (weekday, minute) = local_by_offset(ms, &zone);
        let expected = weekday < 5 && (8 * 60..18 * 60).contains(&minute);
        prop_assert_eq!(office.contains(Timestamp::from_millis(ms), &zone), expected);
    }

    #[test]
    fn a_monday_night_window_ends_on_tuesday_morning(zone in zone(), week in 0i64..2139) {
        let monday = date(2000, 1, 3).checked_add((week * 7).days()).unwrap();
        let tuesday = monday.tomorrow().unwrap();
        let mut days = [false; 7];
        days[0] = true;
        let night = schedule(days, "22:00", "06:00");
        let open = |day, h, m| night.contains(wall(day, h, m, &zone), &zone);
        for (day, h, m) in [(monday, 22, 0), (monday, 23, 59), (tuesday, 0, 0), (tuesday, 5, 59)] {
            prop_assert!(open(day, h, m), "{} {}:{}", day, h, m);
        }
        for (day, h, m) in [(monday, 21, 59), (tuesday, 6, 0), (tuesday, 22, 0), (monday, 5, 59)] {
            prop_assert!(!open(day, h, m), "{} {}:{}", day, h, m);
        }
        let last_ms = Timestamp::from_millis(wall(tuesday, 5, 59, &zone).millis() + 59_999);
        prop_assert!(night.contains(last_ms, &zone));
    }
}
