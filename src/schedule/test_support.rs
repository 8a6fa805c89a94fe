//! Builders shared by the schedule tests.

use super::wall_clock::instant_of;
use super::{AllDayEvent, DailyWindow, Recurring, Schedule, ScheduleKind, SingleEvent, Weekdays};
use crate::access::LocalTime;
use crate::types::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

pub fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or_else(|_| panic!("{name} is in the bundled database"))
}

pub fn time(text: &str) -> LocalTime {
    LocalTime::parse(text).unwrap()
}

pub fn window(start: &str, end: &str) -> DailyWindow {
    DailyWindow {
        start: time(start),
        end: time(end),
    }
}

pub fn at(zone: &TimeZone, local: DateTime) -> Timestamp {
    instant_of(zone, local)
}

pub fn utc(text: &str) -> Timestamp {
    Timestamp::from_millis(text.parse::<jiff::Timestamp>().unwrap().as_millisecond())
}

pub fn ms(at: Timestamp, delta: i64) -> Timestamp {
    Timestamp::from_millis(at.millis() + delta)
}

pub fn schedule(id: i64, kind: ScheduleKind) -> Schedule {
    Schedule {
        id,
        kind,
        enabled: true,
        first_in: false,
        last_out_after: None,
    }
}

pub fn recurring(id: i64, days: Weekdays, windows: Vec<DailyWindow>) -> Schedule {
    schedule(
        id,
        ScheduleKind::Recurring(Recurring {
            days,
            windows,
            from: None,
            until: None,
        }),
    )
}

pub fn all_day(id: i64, first: Date, last: Date) -> Schedule {
    schedule(id, ScheduleKind::AllDay(AllDayEvent { first, last }))
}

pub fn single(id: i64, start: Timestamp, end: Timestamp) -> Schedule {
    schedule(id, ScheduleKind::Single(SingleEvent { start, end }))
}

pub fn every_day(windows: Vec<DailyWindow>) -> Recurring {
    Recurring {
        days: Weekdays::EVERY_DAY,
        windows,
        from: None,
        until: None,
    }
}
