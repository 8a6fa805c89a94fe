//! A single all-day event: one date or a range of dates, from local midnight
//! to local midnight in the place's time zone.

use super::wall_clock::{add_days, start_of_day};
use super::Span;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// Unlocked all day from `first` to `last` (inclusive), on the place's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllDayEvent {
    pub first: Date,
    /// `first` or later (the form checks it).
    pub last: Date,
}

impl AllDayEvent {
    /// One day.
    pub fn on(day: Date) -> AllDayEvent {
        AllDayEvent {
            first: day,
            last: day,
        }
    }

    /// From the first instant of `first` to the first instant of the day
    /// after `last`, in `zone`. A midnight the clock skips is replaced by the
    /// end of the gap; a repeated midnight counts once (the first). `None`
    /// when the dates never happened there (Samoa skipped 2011-12-30).
    pub fn span(&self, zone: &TimeZone) -> Option<Span> {
        Span::new(
            start_of_day(zone, self.first),
            start_of_day(zone, add_days(self.last, 1)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::wall_clock::{local, local_date};
    use super::*;
    use crate::types::Timestamp;
    use jiff::civil::date;

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn utc(text: &str) -> Timestamp {
        Timestamp::from_millis(text.parse::<jiff::Timestamp>().unwrap().as_millisecond())
    }

    #[test]
    fn kiritimati_days_start_fourteen_hours_before_utc() {
        let span = AllDayEvent::on(date(2026, 12, 24))
            .span(&zone("Pacific/Kiritimati"))
            .unwrap();
        assert_eq!(span.start, utc("2026-12-23T10:00:00Z"));
        assert_eq!(span.end, utc("2026-12-24T10:00:00Z"));
    }

    #[test]
    fn adak_days_follow_its_dst() {
        // Adak is UTC-10 in winter, UTC-9 in summer; DST starts 2026-03-08 02:00.
        let adak = zone("America/Adak");
        let winter = AllDayEvent::on(date(2026, 1, 15)).span(&adak).unwrap();
        assert_eq!(winter.start, utc("2026-01-15T10:00:00Z"));
        assert_eq!(winter.millis(), 24 * 3_600_000);
        let change = AllDayEvent::on(date(2026, 3, 8)).span(&adak).unwrap();
        assert_eq!(change.start, utc("2026-03-08T10:00:00Z"));
        assert_eq!(change.end, utc("2026-03-09T09:00:00Z"));
        assert_eq!(change.millis(), 23 * 3_600_000);
        let back = AllDayEvent::on(date(2026, 11, 1)).span(&adak).unwrap();
        assert_eq!(back.millis(), 25 * 3_600_000);
    }

    #[test]
    fn a_range_runs_from_the_first_midnight_to_the_midnight_after_the_last_day() {
        let berlin = zone("Europe/Berlin");
        let span = AllDayEvent {
            first: date(2026, 3, 28),
            last: date(2026, 3, 30),
        }
        .span(&berlin)
        .unwrap();
        assert_eq!(local(&berlin, span.start), date(2026, 3, 28).at(0, 0, 0, 0));
        assert_eq!(local(&berlin, span.end), date(2026, 3, 31).at(0, 0, 0, 0));
        // Three days, one of them 23 hours long.
        assert_eq!(span.millis(), (3 * 24 - 1) * 3_600_000);
        let last_instant = Timestamp::from_millis(span.end.millis() - 1);
        assert_eq!(local_date(&berlin, last_instant), date(2026, 3, 30));
    }

    #[test]
    fn leap_days_are_days_like_any_other() {
        let kiritimati = zone("Pacific/Kiritimati");
        let leap = AllDayEvent::on(date(2028, 2, 29)).span(&kiritimati).unwrap();
        assert_eq!(leap.start, utc("2028-02-28T10:00:00Z"));
        assert_eq!(leap.millis(), 24 * 3_600_000);
        // Across the leap day: Feb 28 to Mar 1 is three days in 2028, in Adak too.
        let adak = zone("America/Adak");
        let across = AllDayEvent {
            first: date(2028, 2, 28),
            last: date(2028, 3, 1),
        }
        .span(&adak)
        .unwrap();
        assert_eq!(across.start, utc("2028-02-28T10:00:00Z"));
        assert_eq!(across.end, utc("2028-03-02T10:00:00Z"));
        assert_eq!(across.millis(), 3 * 24 * 3_600_000);
        // Feb 28 to Mar 1 of a common year is two days.
        let common = AllDayEvent {
            first: date(2027, 2, 28),
            last: date(2027, 3, 1),
        }
        .span(&adak)
        .unwrap();
        assert_eq!(common.millis(), 2 * 24 * 3_600_000);
    }

    #[test]
    fn a_day_that_never_happened_has_no_span() {
        let apia = zone("Pacific/Apia");
        assert_eq!(AllDayEvent::on(date(2011, 12, 30)).span(&apia), None);
        let around = AllDayEvent {
            first: date(2011, 12, 29),
            last: date(2011, 12, 31),
        }
        .span(&apia)
        .unwrap();
        assert_eq!(around.millis(), 2 * 24 * 3_600_000);
    }
}
