//! Scheduled unlocks (SPEC §5), the pure part: the three kinds, a place's
//! holidays, and for a door's schedules whether it is unlocked now, until
//! when, and what changes next ([`Timetable`]). No I/O: the runner, the
//! database and the editor call this, and it compiles to wasm for the
//! editor's preview of the next activations.
//!
//! Decisions, each tested (unit tests beside the code, property tests over
//! 36 IANA zones and 1990–2060 in `properties.rs`):
//! - Recurring and all-day times are read on the place's wall clock:
//!   08:00–18:00 stays 08:00–18:00 local across DST ([`wall_clock`]).
//! - A time the clock skips (spring forward) means the first instant after
//!   the gap, the moment of the jump; no jiff disambiguation mode gives
//!   that, so the transition is looked up. A window entirely inside a gap
//!   does not happen that day.
//! - A time the clock repeats (fall back) means its first occurrence (the
//!   earlier offset), for starts and ends alike: a window starts once, never
//!   again in the repeated hour.
//! - A recurring occurrence belongs to the date it starts on; a holiday
//!   suppresses the recurring occurrences starting on it (single and
//!   all-day events are explicit and still happen). A yearly holiday on
//!   February 29 is kept on February 28 in common years.
//! - Touching or overlapping occurrences of a door's schedules are one
//!   unlocked [`Window`]; searches step by local days, at most
//!   [`SEARCH_DAYS`] ahead.

mod all_day;
mod form;
mod format;
mod holiday;
mod holiday_form;
mod input;
mod kind;
#[cfg(test)]
mod properties;
mod recurring;
#[allow(clippy::module_inception)]
mod schedule;
mod single;
mod span;
#[cfg(test)]
mod test_support;
mod timetable;
#[cfg(test)]
mod timetable_tests;
pub mod wall_clock;
mod weekdays;

pub use all_day::AllDayEvent;
pub use form::{ScheduleForm, ValidSchedule, WindowForm, MAX_ALL_DAY_DAYS, MAX_WINDOWS};
pub use format::{format_instant, format_span};
pub use holiday::{Holiday, HolidayCalendar};
pub use holiday_form::{HolidayForm, ValidHoliday};
pub use input::{parse_date, parse_datetime_local, parse_time};
pub use kind::ScheduleKind;
pub use recurring::{DailyWindow, Recurring, SEARCH_DAYS};
pub use schedule::{Schedule, ScheduleId};
pub use single::SingleEvent;
pub use span::Span;
pub use timetable::{Change, Timetable, Transition, Window};
pub use weekdays::Weekdays;
