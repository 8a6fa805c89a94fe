//! A recurring event: some days of the week, one or more local time windows
//! a day, optionally between two dates.
//!
//! Each window is read on the place's wall clock every day it runs, so
//! 08:00–18:00 stays 08:00–18:00 local across DST. A window that ends at or
//! before its start runs past midnight into the next day (22:00–06:00;
//! 08:00–08:00 is 24 hours). Times the clock skips or repeats follow the
//! rules of [`wall_clock`](super::wall_clock). An occurrence belongs to the
//! date it starts on: the weekdays, the date range and the holidays are
//! checked on that date.

use super::wall_clock::{add_days, instant_at, local_date};
use super::{HolidayCalendar, Span, Weekdays};
use crate::access::LocalTime;
use crate::types::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// How many days ahead a search for the next occurrence looks at most.
pub const SEARCH_DAYS: i64 = 400;

/// One local time window of a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DailyWindow {
    /// Opens (inclusive).
    pub start: LocalTime,
    /// Closes (exclusive); at or before `start` means on the next day.
    pub end: LocalTime,
}

impl DailyWindow {
    /// Whether the window ends on the day after it starts.
    pub fn crosses_midnight(&self) -> bool {
        self.end <= self.start
    }

    /// The window's occurrence starting on `day` in `zone`; `None` when the
    /// clock skips all of it.
    pub fn on(&self, day: Date, zone: &TimeZone) -> Option<Span> {
        let end_day = if self.crosses_midnight() {
            add_days(day, 1)
        } else {
            day
        };
        Span::new(
            instant_at(zone, day, self.start),
            instant_at(zone, end_day, self.end),
        )
    }
}

/// Unlocked in `windows` on `days`, from `from` to `until` (both inclusive).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurring {
    pub days: Weekdays,
    /// At least one (the form checks it); they may overlap.
    pub windows: Vec<DailyWindow>,
    /// The first date an occurrence may start on.
    pub from: Option<Date>,
    /// The last date an occurrence may start on.
    pub until: Option<Date>,
}

impl Recurring {
    /// Whether occurrences start on `day`: one of the days, inside the
    /// dates, and not a holiday.
    pub fn runs_on(&self, day: Date, holidays: &HolidayCalendar) -> bool {
        self.days.contains(day.weekday())
            && self.from.is_none_or(|from| from <= day)
            && self.until.is_none_or(|until| day <= until)
            && !holidays.is_holiday(day)
    }

    /// Calls `found` with every occurrence that shares an instant with
    /// `from..to`, date by date (within a date, in the windows' order).
    pub fn each_overlapping(
        &self,
        zone: &TimeZone,
        holidays: &HolidayCalendar,
        from: Timestamp,
        to: Timestamp,
        mut found: impl FnMut(Span),
    ) {
        // A window starts at most a day (plus a DST change) before it is seen.
        let first = add_days(local_date(zone, from), -2);
        let last = add_days(local_date(zone, to), 1);
        self.each_day(first, last, holidays, |day| {
            for window in &self.windows {
                if let Some(span) = window.on(day, zone).filter(|s| s.overlaps(from, to)) {
                    found(span);
                }
            }
            true
        });
    }

    /// The occurrence that starts first after `after` (strictly), looking at
    /// most [`SEARCH_DAYS`] ahead.
    pub fn first_after(
        &self,
        zone: &TimeZone,
        holidays: &HolidayCalendar,
        after: Timestamp,
    ) -> Option<Span> {
        let first = add_days(local_date(zone, after), -1);
        let last = add_days(first, SEARCH_DAYS);
        let mut best: Option<Span> = None;
        self.each_day(first, last, holidays, |day| {
            for window in &self.windows {
                if let Some(span) = window.on(day, zone).filter(|s| s.start > after) {
                    best = Some(best.map_or(span, |b| b.min(span)));
                }
            }
            // Later days start later: stop at the first day with a start.
            best.is_none()
        });
        best
    }

    /// Calls `visit` with each day from `first` to `last` (inclusive, clipped
    /// to the schedule's dates) that occurrences start on, while it answers true.
    fn each_day(
        &self,
        first: Date,
        last: Date,
        holidays: &HolidayCalendar,
        mut visit: impl FnMut(Date) -> bool,
    ) {
        if self.days.is_empty() || self.windows.is_empty() {
            return;
        }
        let first = self.from.map_or(first, |from| first.max(from));
        let last = self.until.map_or(last, |until| last.min(until));
        let mut day = first;
        while day <= last {
            if self.runs_on(day, holidays) && !visit(day) {
                return;
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{at, every_day, window, zone};
    use super::super::wall_clock::local;
    use super::super::Holiday;
    use super::*;
    use jiff::civil::{date, DateTime};

    fn occurrences(
        r: &Recurring,
        zone: &TimeZone,
        holidays: &HolidayCalendar,
        from: DateTime,
        to: DateTime,
    ) -> Vec<Span> {
        let mut found = Vec::new();
        r.each_overlapping(zone, holidays, at(zone, from), at(zone, to), |s| {
            found.push(s)
        });
        found
    }

    fn locals(zone: &TimeZone, span: Span) -> (DateTime, DateTime) {
        (local(zone, span.start), local(zone, span.end))
    }

    #[test]
    fn office_hours_stay_on_the_wall_clock_across_dst() {
        let ny = zone("America/New_York");
        let office = every_day(vec![window("08:00", "18:00")]);
        let found = occurrences(
            &office,
            &ny,
            &HolidayCalendar::empty(),
            date(2026, 3, 7).at(0, 0, 0, 0),
            date(2026, 3, 10).at(0, 0, 0, 0),
        );
        assert_eq!(found.len(), 3);
        for (span, day) in found.iter().zip([7, 8, 9]) {
            assert_eq!(
                locals(&ny, *span),
                (
                    date(2026, 3, day).at(8, 0, 0, 0),
                    date(2026, 3, day).at(18, 0, 0, 0)
                )
            );
            assert_eq!(span.millis(), 10 * 3_600_000);
        }
    }

    #[test]
    fn a_start_in_the_gap_opens_when_the_gap_ends() {
        let ny = zone("America/New_York");
        let night = every_day(vec![window("02:30", "05:00")]);
        let span = window("02:30", "05:00").on(date(2026, 3, 8), &ny).unwrap();
        assert_eq!(
            locals(&ny, span),
            (
                date(2026, 3, 8).at(3, 0, 0, 0),
                date(2026, 3, 8).at(5, 0, 0, 0)
            )
        );
        let next = night
            .first_after(
                &ny,
                &HolidayCalendar::empty(),
                at(&ny, date(2026, 3, 7).at(12, 0, 0, 0)),
            )
            .unwrap();
        assert_eq!(next, span);
    }

    #[test]
    fn a_window_inside_the_gap_does_not_happen() {
        let ny = zone("America/New_York");
        assert_eq!(window("02:10", "02:50").on(date(2026, 3, 8), &ny), None);
        assert!(window("02:10", "02:50").on(date(2026, 3, 9), &ny).is_some());
    }

    #[test]
    fn a_start_in_the_repeated_hour_fires_once_at_its_first_occurrence() {
        let ny = zone("America/New_York");
        let r = every_day(vec![window("01:30", "03:00")]);
        let found = occurrences(
            &r,
            &ny,
            &HolidayCalendar::empty(),
            date(2026, 11, 1).at(0, 0, 0, 0),
            date(2026, 11, 1).at(23, 0, 0, 0),
        );
        assert_eq!(found.len(), 1);
        // 01:30 EDT (05:30Z) to 03:00 EST (08:00Z): the repeated hour is inside once.
        assert_eq!(
            found[0].start.millis(),
            "2026-11-01T05:30:00Z"
                .parse::<jiff::Timestamp>()
                .unwrap()
                .as_millisecond()
        );
        assert_eq!(found[0].millis(), 150 * 60_000);
    }

    #[test]
    fn a_window_ending_in_the_repeated_hour_ends_the_first_time() {
        let ny = zone("America/New_York");
        let span = window("00:00", "01:30").on(date(2026, 11, 1), &ny).unwrap();
        assert_eq!(span.millis(), 90 * 60_000);
    }

    #[test]
    fn a_night_window_belongs_to_its_start_day() {
        let berlin = zone("Europe/Berlin");
        let r = Recurring {
            days: Weekdays::NONE.with(jiff::civil::Weekday::Friday),
            ..every_day(vec![window("22:00", "06:00")])
        };
        // 2026-11-27 is a Friday.
        let found = occurrences(
            &r,
            &berlin,
            &HolidayCalendar::empty(),
            date(2026, 11, 23).at(0, 0, 0, 0),
            date(2026, 11, 30).at(0, 0, 0, 0),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            locals(&berlin, found[0]),
            (
                date(2026, 11, 27).at(22, 0, 0, 0),
                date(2026, 11, 28).at(6, 0, 0, 0)
            )
        );
        // Seen from Saturday 03:00 too.
        let saturday = occurrences(
            &r,
            &berlin,
            &HolidayCalendar::empty(),
            date(2026, 11, 28).at(3, 0, 0, 0),
            date(2026, 11, 28).at(3, 1, 0, 0),
        );
        assert_eq!(saturday, found);
    }

    #[test]
    fn leap_days_get_their_windows_and_weekdays_stay_right() {
        let ny = zone("America/New_York");
        // 2028-02-29 is a Tuesday; a Tuesday-only night window starts on it
        // and ends on March 1st.
        let r = Recurring {
            days: Weekdays::NONE.with(jiff::civil::Weekday::Tuesday),
            ..every_day(vec![window("08:00", "18:00"), window("22:00", "02:00")])
        };
        let found = occurrences(
            &r,
            &ny,
            &HolidayCalendar::empty(),
            date(2028, 2, 27).at(0, 0, 0, 0),
            date(2028, 3, 5).at(0, 0, 0, 0),
        );
        assert_eq!(
            found.iter().map(|s| locals(&ny, *s)).collect::<Vec<_>>(),
            vec![
                (date(2028, 2, 29).at(8, 0, 0, 0), date(2028, 2, 29).at(18, 0, 0, 0)),
                (date(2028, 2, 29).at(22, 0, 0, 0), date(2028, 3, 1).at(2, 0, 0, 0)),
            ]
        );
        // Every day of a leap February has its window: 29 of them.
        let daily = every_day(vec![window("08:00", "18:00")]);
        let february = occurrences(
            &daily,
            &ny,
            &HolidayCalendar::empty(),
            date(2028, 2, 1).at(0, 0, 0, 0),
            date(2028, 3, 1).at(0, 0, 0, 0),
        );
        assert_eq!(february.len(), 29);
        // The first after Feb 28's window is the leap day's.
        let next = daily
            .first_after(&ny, &HolidayCalendar::empty(), at(&ny, date(2028, 2, 28).at(9, 0, 0, 0)))
            .unwrap();
        assert_eq!(local(&ny, next.start), date(2028, 2, 29).at(8, 0, 0, 0));
    }

    #[test]
    fn equal_start_and_end_is_twenty_four_hours() {
        let berlin = zone("Europe/Berlin");
        let span = window("09:00", "09:00")
            .on(date(2026, 11, 23), &berlin)
            .unwrap();
        assert_eq!(span.millis(), 24 * 3_600_000);
    }

    #[test]
    fn several_windows_a_day() {
        let berlin = zone("Europe/Berlin");
        let r = every_day(vec![window("13:00", "17:00"), window("08:00", "12:00")]);
        let found = occurrences(
            &r,
            &berlin,
            &HolidayCalendar::empty(),
            date(2026, 11, 23).at(0, 0, 0, 0),
            date(2026, 11, 24).at(0, 0, 0, 0),
        );
        assert_eq!(found.len(), 2);
        let next = r
            .first_after(
                &berlin,
                &HolidayCalendar::empty(),
                at(&berlin, date(2026, 11, 23).at(7, 0, 0, 0)),
            )
            .unwrap();
        assert_eq!(
            local(&berlin, next.start),
            date(2026, 11, 23).at(8, 0, 0, 0)
        );
        let after_lunch = r
            .first_after(
                &berlin,
                &HolidayCalendar::empty(),
                at(&berlin, date(2026, 11, 23).at(8, 0, 0, 0)),
            )
            .unwrap();
        assert_eq!(
            local(&berlin, after_lunch.start),
            date(2026, 11, 23).at(13, 0, 0, 0)
        );
    }

    #[test]
    fn dates_and_weekdays_limit_the_days() {
        let berlin = zone("Europe/Berlin");
        let r = Recurring {
            days: Weekdays::MONDAY_TO_FRIDAY,
            windows: vec![window("08:00", "18:00")],
            from: Some(date(2026, 11, 25)),
            until: Some(date(2026, 11, 30)),
        };
        let found = occurrences(
            &r,
            &berlin,
            &HolidayCalendar::empty(),
            date(2026, 11, 1).at(0, 0, 0, 0),
            date(2026, 12, 31).at(0, 0, 0, 0),
        );
        let days: Vec<i8> = found
            .iter()
            .map(|s| local(&berlin, s.start).day())
            .collect();
        // Wed 25, Thu 26, Fri 27, (weekend), Mon 30.
        assert_eq!(days, vec![25, 26, 27, 30]);
        let before = at(&berlin, date(2026, 11, 1).at(0, 0, 0, 0));
        assert_eq!(
            r.first_after(&berlin, &HolidayCalendar::empty(), before),
            Some(found[0])
        );
        let after = at(&berlin, date(2026, 11, 30).at(8, 0, 0, 0));
        assert_eq!(
            r.first_after(&berlin, &HolidayCalendar::empty(), after),
            None
        );
    }

    #[test]
    fn a_holiday_suppresses_windows_starting_on_it() {
        let berlin = zone("Europe/Berlin");
        let holidays = HolidayCalendar::new(&[Holiday {
            id: 1,
            name: "Christmas".into(),
            date: date(2020, 12, 25),
            yearly: true,
            suppress_time_restrictions: false,
        }]);
        let r = every_day(vec![window("08:00", "18:00"), window("22:00", "02:00")]);
        let found = occurrences(
            &r,
            &berlin,
            &holidays,
            date(2026, 12, 24).at(0, 0, 0, 0),
            date(2026, 12, 27).at(0, 0, 0, 0),
        );
        let starts: Vec<(i8, i8)> = found
            .iter()
            .map(|s| {
                (
                    local(&berlin, s.start).day(),
                    local(&berlin, s.start).hour(),
                )
            })
            .collect();
        // The night of the 24th still runs into the 25th; nothing starts on the 25th
        // (the night of the 23rd reaches into the range asked about).
        assert_eq!(starts, vec![(23, 22), (24, 8), (24, 22), (26, 8), (26, 22)]);
        let next = r
            .first_after(
                &berlin,
                &holidays,
                at(&berlin, date(2026, 12, 24).at(23, 0, 0, 0)),
            )
            .unwrap();
        assert_eq!(
            local(&berlin, next.start),
            date(2026, 12, 26).at(8, 0, 0, 0)
        );
    }

    #[test]
    fn no_days_or_no_windows_never_happen() {
        let berlin = zone("Europe/Berlin");
        let now = at(&berlin, date(2026, 11, 23).at(0, 0, 0, 0));
        let none = Recurring {
            days: Weekdays::NONE,
            ..every_day(vec![window("08:00", "18:00")])
        };
        assert_eq!(
            none.first_after(&berlin, &HolidayCalendar::empty(), now),
            None
        );
        assert_eq!(
            every_day(vec![]).first_after(&berlin, &HolidayCalendar::empty(), now),
            None
        );
    }
}
