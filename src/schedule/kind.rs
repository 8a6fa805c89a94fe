//! The three kinds of scheduled unlock (SPEC §5).

use super::{AllDayEvent, HolidayCalendar, Recurring, SingleEvent, Span};
use crate::types::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// What a schedule unlocks, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScheduleKind {
    /// Fixed instants, whatever the time zone.
    Single(SingleEvent),
    /// Whole local days.
    AllDay(AllDayEvent),
    /// Weekdays and local time windows, optionally between two dates.
    Recurring(Recurring),
}

impl ScheduleKind {
    /// The form's and the database's names of the kinds.
    pub const NAMES: [&'static str; 3] = ["single", "all_day", "recurring"];

    /// Stable identifier for storage and forms.
    pub fn as_str(&self) -> &'static str {
        match self {
            ScheduleKind::Single(_) => "single",
            ScheduleKind::AllDay(_) => "all_day",
            ScheduleKind::Recurring(_) => "recurring",
        }
    }

    /// Name shown to people.
    pub fn label(&self) -> &'static str {
        match self {
            ScheduleKind::Single(_) => "Single event",
            ScheduleKind::AllDay(_) => "All-day event",
            ScheduleKind::Recurring(_) => "Recurring event",
        }
    }

    /// Calls `found` with every occurrence sharing an instant with `from..to`.
    pub fn each_overlapping(
        &self,
        zone: &TimeZone,
        holidays: &HolidayCalendar,
        from: Timestamp,
        to: Timestamp,
        mut found: impl FnMut(Span),
    ) {
        let once = match self {
            ScheduleKind::Single(event) => event.span(),
            ScheduleKind::AllDay(event) => event.span(zone),
            ScheduleKind::Recurring(recurring) => {
                return recurring.each_overlapping(zone, holidays, from, to, found)
            }
        };
        if let Some(span) = once.filter(|s| s.overlaps(from, to)) {
            found(span);
        }
    }

    /// The occurrence starting first after `after` (strictly).
    pub fn first_after(
        &self,
        zone: &TimeZone,
        holidays: &HolidayCalendar,
        after: Timestamp,
    ) -> Option<Span> {
        let once = match self {
            ScheduleKind::Single(event) => event.span(),
            ScheduleKind::AllDay(event) => event.span(zone),
            ScheduleKind::Recurring(recurring) => {
                return recurring.first_after(zone, holidays, after)
            }
        };
        once.filter(|s| s.start > after)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::window;
    use super::super::Weekdays;
    use super::*;
    use jiff::civil::date;

    #[test]
    fn names_and_labels() {
        let all_day = ScheduleKind::AllDay(AllDayEvent::on(date(2026, 12, 24)));
        assert_eq!(
            (all_day.as_str(), all_day.label()),
            ("all_day", "All-day event")
        );
        let recurring = ScheduleKind::Recurring(Recurring {
            days: Weekdays::MONDAY_TO_FRIDAY,
            windows: vec![window("08:00", "18:00")],
            from: None,
            until: None,
        });
        assert_eq!(
            (recurring.as_str(), recurring.label()),
            ("recurring", "Recurring event")
        );
        assert!(ScheduleKind::NAMES.contains(&all_day.as_str()));
    }

    #[test]
    fn a_single_event_is_found_only_where_it_is() {
        let event = ScheduleKind::Single(SingleEvent {
            start: Timestamp::from_millis(100),
            end: Timestamp::from_millis(200),
        });
        let (zone, holidays) = (TimeZone::UTC, HolidayCalendar::empty());
        let mut found = Vec::new();
        event.each_overlapping(
            &zone,
            &holidays,
            Timestamp::from_millis(150),
            Timestamp::from_millis(151),
            |s| found.push(s),
        );
        event.each_overlapping(
            &zone,
            &holidays,
            Timestamp::from_millis(200),
            Timestamp::from_millis(300),
            |s| found.push(s),
        );
        assert_eq!(found.len(), 1);
        assert!(event
            .first_after(&zone, &holidays, Timestamp::from_millis(99))
            .is_some());
        assert!(event
            .first_after(&zone, &holidays, Timestamp::from_millis(100))
            .is_none());
    }
}
