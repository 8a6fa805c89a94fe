//! A place's holidays: named dates on which recurring unlocks stay off.
//!
//! A holiday is a local date of the place. On it, no occurrence of a
//! **recurring** schedule starts (a night window that started the evening
//! before still runs to its end). Single events and all-day events are
//! explicit and still happen. `suppress_time_restrictions` is data for the
//! access decision's time restrictions (on such a day time-restricted access
//! is closed: `DoorRules::holiday`); this module only answers it.
//!
//! Leap days: a yearly holiday on February 29 is observed on February 28 in
//! years without a February 29, so it is kept every year, still in February.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A named date at a place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub id: i64,
    pub name: String,
    /// The date; with `yearly`, its month and day every year.
    pub date: Date,
    /// Repeats every year on the same month and day.
    pub yearly: bool,
    /// Also suspends the time-restriction windows that day: doors and groups
    /// whose time restriction is on give no access (for the access decision).
    pub suppress_time_restrictions: bool,
}

impl Holiday {
    /// Whether the holiday falls on `day` (see the module's leap-day rule).
    pub fn falls_on(&self, day: Date) -> bool {
        if !self.yearly {
            return self.date == day;
        }
        month_day(self.date) == month_day(day)
            || (is_leap_day(self.date) && is_feb_28_of_common_year(day))
    }
}

/// A place's holidays, indexed for quick questions about a date.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HolidayCalendar {
    /// One-off dates, sorted, with their `suppress_time_restrictions` flag.
    dates: Vec<(Date, bool)>,
    /// Yearly (month, day), sorted, with the flag.
    yearly: Vec<((i8, i8), bool)>,
}

impl HolidayCalendar {
    /// No holidays.
    pub fn empty() -> HolidayCalendar {
        HolidayCalendar::default()
    }

    /// The calendar of these holidays.
    pub fn new(holidays: &[Holiday]) -> HolidayCalendar {
        let mut calendar = HolidayCalendar::default();
        for holiday in holidays {
            let flag = holiday.suppress_time_restrictions;
            if holiday.yearly {
                calendar.yearly.push((month_day(holiday.date), flag));
            } else {
                calendar.dates.push((holiday.date, flag));
            }
        }
        calendar.dates.sort();
        calendar.yearly.sort();
        calendar
    }

    /// Whether `day` is a holiday (recurring unlocks do not start on it).
    pub fn is_holiday(&self, day: Date) -> bool {
        self.any_on(day, |_| true)
    }

    /// Whether a holiday on `day` lifts time restrictions.
    pub fn suppresses_time_restrictions(&self, day: Date) -> bool {
        self.any_on(day, |flag| flag)
    }

    /// Whether a holiday on `day` has a `suppress_time_restrictions` flag
    /// passing `test`. No allocation: this runs for every day scanned.
    fn any_on(&self, day: Date, test: impl Fn(bool) -> bool) -> bool {
        any_flag(&self.dates, &day, &test)
            || any_flag(&self.yearly, &month_day(day), &test)
            || (is_feb_28_of_common_year(day) && any_flag(&self.yearly, &(2, 29), &test))
    }
}

/// Whether an entry of a sorted slice with key `key` has a flag passing `test`.
fn any_flag<K: Ord>(sorted: &[(K, bool)], key: &K, test: &impl Fn(bool) -> bool) -> bool {
    let start = sorted.partition_point(|(k, _)| k < key);
    sorted[start..]
        .iter()
        .take_while(|(k, _)| k == key)
        .any(|(_, flag)| test(*flag))
}

fn month_day(date: Date) -> (i8, i8) {
    (date.month(), date.day())
}

fn is_leap_day(date: Date) -> bool {
    month_day(date) == (2, 29)
}

fn is_feb_28_of_common_year(date: Date) -> bool {
    month_day(date) == (2, 28) && !date.in_leap_year()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn holiday(day: Date, yearly: bool, suppress: bool) -> Holiday {
        Holiday {
            id: 1,
            name: "Holiday".into(),
            date: day,
            yearly,
            suppress_time_restrictions: suppress,
        }
    }

    #[test]
    fn a_one_off_holiday_is_its_date_only() {
        let h = holiday(date(2026, 12, 24), false, false);
        assert!(h.falls_on(date(2026, 12, 24)));
        assert!(!h.falls_on(date(2027, 12, 24)));
        let calendar = HolidayCalendar::new(&[h]);
        assert!(calendar.is_holiday(date(2026, 12, 24)));
        assert!(!calendar.is_holiday(date(2027, 12, 24)));
        assert!(!calendar.is_holiday(date(2026, 12, 25)));
    }

    #[test]
    fn a_yearly_holiday_comes_back_every_year() {
        let h = holiday(date(2020, 12, 25), true, false);
        let calendar = HolidayCalendar::new(std::slice::from_ref(&h));
        for year in [1995, 2020, 2026, 2060] {
            assert!(h.falls_on(date(year, 12, 25)));
            assert!(calendar.is_holiday(date(year, 12, 25)), "{year}");
            assert!(!calendar.is_holiday(date(year, 12, 26)), "{year}");
        }
    }

    #[test]
    fn a_yearly_leap_day_is_observed_on_february_28_in_common_years() {
        let h = holiday(date(2024, 2, 29), true, false);
        let calendar = HolidayCalendar::new(std::slice::from_ref(&h));
        assert!(calendar.is_holiday(date(2028, 2, 29)));
        assert!(!calendar.is_holiday(date(2028, 2, 28)));
        assert!(calendar.is_holiday(date(2027, 2, 28)));
        assert!(!calendar.is_holiday(date(2027, 3, 1)));
        assert!(
            calendar.is_holiday(date(2100, 2, 28)),
            "2100 is not a leap year"
        );
        assert!(h.falls_on(date(2027, 2, 28)));
        assert!(!h.falls_on(date(2028, 2, 28)));
    }

    #[test]
    fn a_one_off_leap_day_is_only_that_day() {
        let calendar = HolidayCalendar::new(&[holiday(date(2028, 2, 29), false, false)]);
        assert!(calendar.is_holiday(date(2028, 2, 29)));
        assert!(!calendar.is_holiday(date(2027, 2, 28)));
        assert!(!calendar.is_holiday(date(2028, 2, 28)));
    }

    #[test]
    fn time_restrictions_are_lifted_only_by_flagged_holidays() {
        let calendar = HolidayCalendar::new(&[
            holiday(date(2026, 1, 1), true, true),
            holiday(date(2026, 5, 1), false, false),
            holiday(date(2026, 5, 1), true, true),
        ]);
        assert!(calendar.suppresses_time_restrictions(date(2031, 1, 1)));
        assert!(calendar.suppresses_time_restrictions(date(2026, 5, 1)));
        assert!(calendar.is_holiday(date(2026, 5, 1)));
        let plain = HolidayCalendar::new(&[holiday(date(2026, 5, 1), false, false)]);
        assert!(plain.is_holiday(date(2026, 5, 1)));
        assert!(!plain.suppresses_time_restrictions(date(2026, 5, 1)));
        assert!(!HolidayCalendar::empty().is_holiday(date(2026, 5, 1)));
    }
}
