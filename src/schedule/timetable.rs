//! A door's schedules read together: is it unlocked now, until when, and
//! what changes next.
//!
//! Occurrences of all enabled schedules that overlap or touch are one
//! unlocked window: 08:00–12:00 and 12:00–18:00 unlock at 08:00 and lock at
//! 18:00, with no transition at noon. The search steps through local days
//! (never minute by minute) and looks at most [`SEARCH_DAYS`] ahead; a
//! window still unlocked beyond that is `open_ended` and has no next
//! transition (a door unlocked around the clock).

use super::recurring::SEARCH_DAYS;
use super::wall_clock::DAY_MS;
use super::{HolidayCalendar, Schedule, ScheduleId, Span};
use crate::types::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// How far the merging of touching windows follows them.
const HORIZON_MS: i64 = SEARCH_DAYS * DAY_MS;
/// How much time one step of the merging looks at.
const STEP_MS: i64 = 3 * DAY_MS;

/// A stretch of time during which a door is unlocked by its schedules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start: Timestamp,
    /// When the door locks again (the horizon if `open_ended`).
    pub end: Timestamp,
    /// The schedule whose occurrence started first among those holding the
    /// door open at the moment asked about.
    pub schedule: ScheduleId,
    /// Still unlocked at the end of the search horizon.
    pub open_ended: bool,
}

impl Window {
    /// From `start` to `end`.
    pub fn span(&self) -> Span {
        Span {
            start: self.start,
            end: self.end,
        }
    }
}

/// What happens to the door.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Unlock,
    Lock,
}

/// The next change of a door's scheduled state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub at: Timestamp,
    pub change: Change,
}

/// One door's schedules, its place's holidays and time zone.
#[derive(Clone, Copy, Debug)]
pub struct Timetable<'a> {
    schedules: &'a [Schedule],
    holidays: &'a HolidayCalendar,
    zone: &'a TimeZone,
}

impl<'a> Timetable<'a> {
    /// Disabled schedules are ignored.
    pub fn new(
        schedules: &'a [Schedule],
        holidays: &'a HolidayCalendar,
        zone: &'a TimeZone,
    ) -> Timetable<'a> {
        Timetable {
            schedules,
            holidays,
            zone,
        }
    }

    /// The unlocked window holding `now`, if any.
    pub fn active_at(&self, now: Timestamp) -> Option<Window> {
        let here = self.overlapping(now, plus(now, 1));
        let (first, schedule) = *here.iter().min()?;
        let mut start = first.start;
        let mut end = here.iter().map(|(span, _)| span.end).max()?;
        let horizon = plus(now, HORIZON_MS);
        let open_ended = loop {
            if end >= horizon {
                break true;
            }
            let step = plus(end, STEP_MS);
            let mut later = self.overlapping(end, step);
            later.sort();
            for (span, _) in &later {
                if span.start > end {
                    break;
                }
                end = end.max(span.end);
            }
            // Nothing more touches unless the merged end reached the step's end.
            if end < step {
                break false;
            }
        };
        let back = plus(now, -HORIZON_MS);
        while start > back {
            let step = plus(start, -STEP_MS);
            let mut earlier = self.overlapping(step, start);
            earlier.sort_by_key(|(span, _)| std::cmp::Reverse(span.end));
            for (span, _) in &earlier {
                if span.end < start {
                    break;
                }
                start = start.min(span.start);
            }
            if start > step {
                break;
            }
        }
        Some(Window {
            start,
            end,
            schedule,
            open_ended,
        })
    }

    /// The next time the door's scheduled state changes after `now`: when
    /// the window holding `now` ends, or when the next one starts. `None`
    /// when nothing changes within the search horizon.
    pub fn next_transition(&self, now: Timestamp) -> Option<Transition> {
        match self.active_at(now) {
            Some(window) if window.open_ended => None,
            Some(window) => Some(Transition {
                at: window.end,
                change: Change::Lock,
            }),
            None => self.next_start(now).map(|at| Transition {
                at,
                change: Change::Unlock,
            }),
        }
    }

    /// The next `n` unlocked windows, the one holding `now` (if any) first.
    pub fn next_windows(&self, now: Timestamp, n: usize) -> Vec<Window> {
        let mut found = Vec::with_capacity(n);
        let mut cursor = now;
        while found.len() < n {
            let window = match self.active_at(cursor) {
                Some(window) => window,
                None => match self.next_start(cursor).and_then(|at| self.active_at(at)) {
                    Some(window) => window,
                    None => break,
                },
            };
            found.push(window);
            if window.open_ended {
                break;
            }
            cursor = window.end;
        }
        found
    }

    /// The first start of an occurrence after `now` (strictly).
    fn next_start(&self, now: Timestamp) -> Option<Timestamp> {
        self.enabled()
            .filter_map(|s| s.kind.first_after(self.zone, self.holidays, now))
            .map(|span| span.start)
            .min()
    }

    /// Every occurrence of the enabled schedules sharing an instant with `from..to`.
    fn overlapping(&self, from: Timestamp, to: Timestamp) -> Vec<(Span, ScheduleId)> {
        let mut found = Vec::new();
        for schedule in self.enabled() {
            schedule
                .kind
                .each_overlapping(self.zone, self.holidays, from, to, |span| {
                    found.push((span, schedule.id))
                });
        }
        found
    }

    fn enabled(&self) -> impl Iterator<Item = &'a Schedule> + 'a {
        self.schedules.iter().filter(|s| s.enabled)
    }
}

fn plus(at: Timestamp, millis: i64) -> Timestamp {
    Timestamp::from_millis(at.millis().saturating_add(millis))
}
