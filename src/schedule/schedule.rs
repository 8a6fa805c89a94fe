//! A door's scheduled unlock: its kind and its flags.

use super::{HolidayCalendar, ScheduleKind, Span};
use crate::access::LocalTime;
use crate::types::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// A schedule's database id.
pub type ScheduleId = i64;

/// A scheduled unlock of one door.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub id: ScheduleId,
    pub kind: ScheduleKind,
    /// A disabled schedule never unlocks.
    pub enabled: bool,
    /// Waits for the first authorized unlock in the door's zone that day
    /// (the runner's business; stored here).
    pub first_in: bool,
    /// Ends early when someone leaves through the zone after this local
    /// time (the runner's business; stored here).
    pub last_out_after: Option<LocalTime>,
}

impl Schedule {
    /// Its next `n` occurrences in order, the one running at `now` (if any)
    /// first: what the editor shows. Disabled or not, the kind decides.
    pub fn next_occurrences(
        &self,
        zone: &TimeZone,
        holidays: &HolidayCalendar,
        now: Timestamp,
        n: usize,
    ) -> Vec<Span> {
        let mut found = Vec::with_capacity(n);
        let just_after = Timestamp::from_millis(now.millis().saturating_add(1));
        self.kind
            .each_overlapping(zone, holidays, now, just_after, |span| found.push(span));
        found.sort();
        found.truncate(n);
        let mut cursor = found.last().map_or(now, |span| span.start.max(now));
        while found.len() < n {
            let Some(next) = self.kind.first_after(zone, holidays, cursor) else {
                break;
            };
            found.push(next);
            cursor = next.start;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{recurring, window};
    use super::super::wall_clock::{instant_of, local};
    use super::super::{AllDayEvent, Weekdays};
    use super::*;
    use jiff::civil::date;

    fn office() -> Schedule {
        recurring(
            7,
            Weekdays::MONDAY_TO_FRIDAY,
            vec![window("08:00", "18:00")],
        )
    }

    #[test]
    fn the_next_five_include_the_running_one() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        // Friday 2026-11-27 12:00: running now, then Mon–Thu.
        let now = instant_of(&berlin, date(2026, 11, 27).at(12, 0, 0, 0));
        let next = office().next_occurrences(&berlin, &HolidayCalendar::empty(), now, 5);
        let days: Vec<i8> = next.iter().map(|s| local(&berlin, s.start).day()).collect();
        assert_eq!(days, vec![27, 30, 1, 2, 3]);
        assert!(next[0].contains(now));
    }

    #[test]
    fn a_past_event_has_no_next_occurrence() {
        let utc = TimeZone::UTC;
        let schedule = Schedule {
            kind: ScheduleKind::AllDay(AllDayEvent::on(date(2020, 1, 1))),
            ..office()
        };
        let now = instant_of(&utc, date(2026, 1, 1).at(0, 0, 0, 0));
        assert!(schedule
            .next_occurrences(&utc, &HolidayCalendar::empty(), now, 5)
            .is_empty());
        let soon = instant_of(&utc, date(2019, 12, 31).at(0, 0, 0, 0));
        assert_eq!(
            schedule
                .next_occurrences(&utc, &HolidayCalendar::empty(), soon, 5)
                .len(),
            1
        );
    }
}
