//! A door's scheduled unlock: its kind and its flags.

use super::{HolidayCalendar, ScheduleKind, Span};
use crate::access::LocalTime;
use super::wall_clock::{add_days, instant_at, local_date};
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

    /// Whether someone leaving at `now` ends this schedule's running
    /// occurrence: it is enabled, has a "last out after" time, and that time
    /// has come on the wall clock since the occurrence began. A window from
    /// 22:00 to 06:00 with "last out after 23:00" is ended by an exit at
    /// 01:00; a last-out time the occurrence never reaches (07:00 for
    /// 08:00–18:00) counts from its start.
    pub fn last_out_reached(&self, zone: &TimeZone, now: Timestamp) -> bool {
        let Some(after) = self.last_out_after.filter(|_| self.enabled) else {
            return false;
        };
        let just_after = Timestamp::from_millis(now.millis().saturating_add(1));
        let mut reached = false;
        self.kind.each_overlapping(
            zone,
            &HolidayCalendar::empty(),
            now,
            just_after,
            |span| reached |= now >= last_out_instant(zone, span, after),
        );
        reached
    }
}

/// The first instant at or after `span`'s start whose wall-clock time is
/// `after`, or the start itself when the span ends before it.
fn last_out_instant(zone: &TimeZone, span: Span, after: LocalTime) -> Timestamp {
    let day = local_date(zone, span.start);
    let same_day = instant_at(zone, day, after);
    let first = if same_day >= span.start {
        same_day
    } else {
        instant_at(zone, add_days(day, 1), after)
    };
    if first < span.end {
        first
    } else {
        span.start
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

    fn with_last_out(schedule: Schedule, after: &str) -> Schedule {
        Schedule {
            last_out_after: Some(LocalTime::parse(after).unwrap()),
            ..schedule
        }
    }

    #[test]
    fn last_out_counts_on_the_wall_clock_from_the_window_start() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let at = |d: i8, h: i8, m: i8| instant_of(&berlin, date(2026, 11, d).at(h, m, 0, 0));
        let leaving = with_last_out(office(), "17:00");
        assert!(!leaving.last_out_reached(&berlin, at(27, 16, 59)));
        assert!(leaving.last_out_reached(&berlin, at(27, 17, 0)));
        // Outside the window nothing is running to end.
        assert!(!leaving.last_out_reached(&berlin, at(27, 18, 30)));
        // Disabled, or without a last-out time: never.
        let disabled = Schedule { enabled: false, ..leaving.clone() };
        assert!(!disabled.last_out_reached(&berlin, at(27, 17, 30)));
        assert!(!office().last_out_reached(&berlin, at(27, 17, 30)));
        // A time before the window opens counts from its start.
        let early = with_last_out(office(), "07:00");
        assert!(early.last_out_reached(&berlin, at(27, 8, 1)));
    }

    #[test]
    fn last_out_works_for_a_window_across_midnight() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let at = |d: i8, h: i8, m: i8| instant_of(&berlin, date(2026, 11, d).at(h, m, 0, 0));
        let night = with_last_out(
            recurring(8, Weekdays::MONDAY_TO_FRIDAY, vec![window("22:00", "06:00")]),
            "23:00",
        );
        // Thursday 22:00 to Friday 06:00.
        assert!(!night.last_out_reached(&berlin, at(26, 22, 30)));
        assert!(night.last_out_reached(&berlin, at(26, 23, 30)));
        assert!(night.last_out_reached(&berlin, at(27, 1, 0)), "after midnight, still past 23:00");
        assert!(night.last_out_reached(&berlin, at(27, 5, 59)));
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
