//! The scheduled-unlock editor's form, validated once for the dashboard and
//! the API. Every message sits under its field's name; the form keeps what
//! was typed (also in the fields of the other kinds), so nothing is lost.

use super::input::{date_text, parse_date, parse_datetime_local, parse_time};
use super::wall_clock::{instant_of, local};
use super::{
    AllDayEvent, DailyWindow, Recurring, Schedule, ScheduleId, ScheduleKind, SingleEvent, Weekdays,
};
use crate::access::LocalTime;
use crate::field_error::FieldErrors;
use crate::model::checked;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// The most windows a recurring schedule has a day.
pub const MAX_WINDOWS: usize = 12;
/// The longest all-day event, in days.
pub const MAX_ALL_DAY_DAYS: i32 = 366;

/// A scheduled unlock as typed into the editor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleForm {
    /// "single", "all_day" or "recurring".
    pub kind: String,
    /// Single event: `datetime-local` text on the place's clock.
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub ends_at: String,
    /// All-day event: the first day, and the last (blank: the same day).
    #[serde(default)]
    pub first_date: String,
    #[serde(default)]
    pub last_date: String,
    /// Recurring: one checkbox per day (names as in [`Weekdays::SHORT`], lower case).
    #[serde(default)]
    pub mon: Option<String>,
    #[serde(default)]
    pub tue: Option<String>,
    #[serde(default)]
    pub wed: Option<String>,
    #[serde(default)]
    pub thu: Option<String>,
    #[serde(default)]
    pub fri: Option<String>,
    #[serde(default)]
    pub sat: Option<String>,
    #[serde(default)]
    pub sun: Option<String>,
    /// Recurring: the windows of a day; rows left blank are ignored.
    #[serde(default)]
    pub windows: Vec<WindowForm>,
    /// Recurring: optional first and last dates.
    #[serde(default)]
    pub from_date: String,
    #[serde(default)]
    pub until_date: String,
    #[serde(default)]
    pub enabled: Option<String>,
    #[serde(default)]
    pub first_in: Option<String>,
    /// Optional local time after which the last person out ends the day.
    #[serde(default)]
    pub last_out_after: String,
}

/// One row of a recurring schedule's windows. Errors are under
/// `windows.<row>.start` and `windows.<row>.end` (rows count from 0).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowForm {
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
}

/// A schedule that passed validation, without its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidSchedule {
    pub kind: ScheduleKind,
    pub enabled: bool,
    pub first_in: bool,
    pub last_out_after: Option<LocalTime>,
}

impl ValidSchedule {
    /// The schedule stored under `id`.
    pub fn into_schedule(self, id: ScheduleId) -> Schedule {
        Schedule {
            id,
            kind: self.kind,
            enabled: self.enabled,
            first_in: self.first_in,
            last_out_after: self.last_out_after,
        }
    }
}

impl ScheduleForm {
    /// Checks every field; local dates and times are read in `zone`, the
    /// place's time zone.
    pub fn validate(&self, zone: &TimeZone) -> Result<ValidSchedule, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = match self.kind.trim() {
            "single" => self.single(&mut e, zone).map(ScheduleKind::Single),
            "all_day" => self.all_day(&mut e).map(ScheduleKind::AllDay),
            "recurring" => self.recurring(&mut e).map(ScheduleKind::Recurring),
            _ => {
                e.push("kind", "Pick the kind of schedule: a single event, an all-day event or a recurring event.");
                None
            }
        };
        let last_out_after = optional(&mut e, "last_out_after", &self.last_out_after, parse_time);
        e.into_result()?;
        let (Some(kind), Some(last_out_after)) = (kind, last_out_after) else {
            return Err(FieldErrors::new());
        };
        Ok(ValidSchedule {
            kind,
            enabled: checked(&self.enabled),
            first_in: checked(&self.first_in),
            last_out_after,
        })
    }

    fn single(&self, e: &mut FieldErrors, zone: &TimeZone) -> Option<SingleEvent> {
        let mut instant = |field: &str, text: &str, blank: &str| {
            if text.trim().is_empty() {
                e.push(field, blank);
                return None;
            }
            e.check(field, parse_datetime_local(text))
                .map(|local| instant_of(zone, local))
        };
        let start = instant(
            "starts_at",
            &self.starts_at,
            "Enter when the unlock starts.",
        );
        let end = instant("ends_at", &self.ends_at, "Enter when the unlock ends.");
        let (start, end) = (start?, end?);
        if end <= start {
            e.push("ends_at", "The end must be after the start.");
            return None;
        }
        Some(SingleEvent { start, end })
    }

    fn all_day(&self, e: &mut FieldErrors) -> Option<AllDayEvent> {
        let first = if self.first_date.trim().is_empty() {
            e.push("first_date", "Enter the day to unlock.");
            None
        } else {
            e.check("first_date", parse_date(&self.first_date))
        };
        let last = optional(e, "last_date", &self.last_date, parse_date);
        let (first, last) = (first?, last?);
        let last = last.unwrap_or(first);
        if last < first {
            e.push(
                "last_date",
                "The last day must be on or after the first day.",
            );
            return None;
        }
        if first
            .until(last)
            .map_or(true, |span| span.get_days() >= MAX_ALL_DAY_DAYS)
        {
            e.push(
                "last_date",
                format!("An all-day event lasts at most {MAX_ALL_DAY_DAYS} days; use a recurring event for longer."),
            );
            return None;
        }
        Some(AllDayEvent { first, last })
    }

    fn recurring(&self, e: &mut FieldErrors) -> Option<Recurring> {
        let errors_before = e.0.len();
        let days = self.weekdays();
        if days.is_empty() {
            e.push("days", "Pick at least one day of the week.");
        }
        let mut windows = Vec::new();
        let mut complete = true;
        for (row, window) in self.windows.iter().enumerate() {
            let (start, end) = (window.start.trim(), window.end.trim());
            if start.is_empty() && end.is_empty() {
                continue;
            }
            let mut time = |part: &str, text: &str, blank: &str| {
                let field = format!("windows.{row}.{part}");
                if text.is_empty() {
                    e.push(&field, blank);
                    return None;
                }
                e.check(&field, parse_time(text))
            };
            let start = time("start", start, "Enter when the window opens.");
            let end = time(
                "end",
                end,
                "Enter when the window closes (at or before the start means the next day).",
            );
            match (start, end) {
                (Some(start), Some(end)) => windows.push(DailyWindow { start, end }),
                _ => complete = false,
            }
        }
        if windows.is_empty() && complete {
            e.push(
                "windows",
                "Add at least one time window, like 08:00 to 18:00.",
            );
        }
        if windows.len() > MAX_WINDOWS {
            e.push(
                "windows",
                format!("Use at most {MAX_WINDOWS} windows a day."),
            );
        }
        let from = optional(e, "from_date", &self.from_date, parse_date);
        let until = optional(e, "until_date", &self.until_date, parse_date);
        let (from, until) = (from?, until?);
        if let (Some(from), Some(until)) = (from, until) {
            if until < from {
                e.push(
                    "until_date",
                    "The last date must be on or after the first date.",
                );
            }
        }
        (e.0.len() == errors_before).then_some(Recurring {
            days,
            windows,
            from,
            until,
        })
    }

    /// The days ticked.
    pub fn weekdays(&self) -> Weekdays {
        let ticked = [
            &self.mon, &self.tue, &self.wed, &self.thu, &self.fri, &self.sat, &self.sun,
        ];
        Weekdays::from_flags(ticked.map(checked))
    }

    /// The form showing a stored schedule, with times on `zone`'s clock.
    pub fn from_schedule(schedule: &Schedule, zone: &TimeZone) -> ScheduleForm {
        let flag = |on: bool| on.then(|| "on".to_string());
        let mut form = ScheduleForm {
            kind: schedule.kind.as_str().to_string(),
            enabled: flag(schedule.enabled),
            first_in: flag(schedule.first_in),
            last_out_after: schedule
                .last_out_after
                .map(|t| t.to_string())
                .unwrap_or_default(),
            ..ScheduleForm::default()
        };
        let datetime = |at| local(zone, at).strftime("%Y-%m-%dT%H:%M").to_string();
        let date = |d: Option<jiff::civil::Date>| d.map(date_text).unwrap_or_default();
        match &schedule.kind {
            ScheduleKind::Single(event) => {
                form.starts_at = datetime(event.start);
                form.ends_at = datetime(event.end);
            }
            ScheduleKind::AllDay(event) => {
                form.first_date = date_text(event.first);
                form.last_date = if event.last == event.first {
                    String::new()
                } else {
                    date_text(event.last)
                };
            }
            ScheduleKind::Recurring(recurring) => {
                let [mon, tue, wed, thu, fri, sat, sun] = recurring.days.flags().map(flag);
                (
                    form.mon, form.tue, form.wed, form.thu, form.fri, form.sat, form.sun,
                ) = (mon, tue, wed, thu, fri, sat, sun);
                form.windows = recurring
                    .windows
                    .iter()
                    .map(|w| WindowForm {
                        start: w.start.to_string(),
                        end: w.end.to_string(),
                    })
                    .collect();
                form.from_date = date(recurring.from);
                form.until_date = date(recurring.until);
            }
        }
        form
    }
}

/// A blank field is `Some(None)`; otherwise `parse`'s value or a message.
fn optional<T>(
    e: &mut FieldErrors,
    field: &str,
    text: &str,
    parse: fn(&str) -> Result<T, String>,
) -> Option<Option<T>> {
    if text.trim().is_empty() {
        Some(None)
    } else {
        e.check(field, parse(text)).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    fn on() -> Option<String> {
        Some("on".into())
    }

    fn recurring_form() -> ScheduleForm {
        ScheduleForm {
            kind: "recurring".into(),
            mon: on(),
            fri: on(),
            windows: vec![
                WindowForm {
                    start: "08:00".into(),
                    end: "12:00".into(),
                },
                WindowForm::default(),
                WindowForm {
                    start: "22:00".into(),
                    end: "06:00".into(),
                },
            ],
            from_date: "2026-12-01".into(),
            enabled: on(),
            ..ScheduleForm::default()
        }
    }

    fn errors(form: &ScheduleForm) -> FieldErrors {
        form.validate(&berlin()).unwrap_err()
    }

    #[test]
    fn a_recurring_schedule() {
        let valid = recurring_form().validate(&berlin()).unwrap();
        let ScheduleKind::Recurring(r) = &valid.kind else {
            panic!("{valid:?}")
        };
        assert_eq!(r.days.to_string(), "Mon, Fri");
        assert_eq!(r.windows.len(), 2, "the blank row is ignored");
        assert!(r.windows[1].crosses_midnight());
        assert_eq!((r.from, r.until), (Some(date(2026, 12, 1)), None));
        assert!(valid.enabled && !valid.first_in);
        assert_eq!(valid.last_out_after, None);
    }

    #[test]
    fn a_recurring_schedule_needs_days_and_windows() {
        let form = ScheduleForm {
            kind: "recurring".into(),
            windows: vec![WindowForm::default()],
            ..ScheduleForm::default()
        };
        let e = errors(&form);
        assert_eq!(e.get("days"), Some("Pick at least one day of the week."));
        assert_eq!(
            e.get("windows"),
            Some("Add at least one time window, like 08:00 to 18:00.")
        );
    }

    #[test]
    fn each_window_row_has_its_own_messages() {
        let mut form = recurring_form();
        form.windows = vec![
            WindowForm {
                start: "08:00".into(),
                end: "".into(),
            },
            WindowForm {
                start: "25:00".into(),
                end: "lunch".into(),
            },
        ];
        form.until_date = "2026-11-30".into();
        form.last_out_after = "7pm".into();
        let e = errors(&form);
        assert_eq!(
            e.get("windows.0.end"),
            Some("Enter when the window closes (at or before the start means the next day).")
        );
        assert_eq!(e.get("windows.0.start"), None);
        assert_eq!(
            e.get("windows.1.start"),
            Some("Enter a time between 00:00 and 23:59.")
        );
        assert_eq!(e.get("windows.1.end"), Some("Enter a time like 08:30."));
        assert_eq!(
            e.get("windows"),
            None,
            "rows with mistakes are not missing rows"
        );
        assert_eq!(
            e.get("until_date"),
            Some("The last date must be on or after the first date.")
        );
        assert_eq!(e.get("last_out_after"), Some("Enter a time like 08:30."));
    }

    #[test]
    fn too_many_windows() {
        let mut form = recurring_form();
        form.windows = (0..13)
            .map(|h| WindowForm {
                start: format!("{h:02}:00"),
                end: format!("{h:02}:30"),
            })
            .collect();
        assert_eq!(
            errors(&form).get("windows"),
            Some("Use at most 12 windows a day.")
        );
    }

    #[test]
    fn a_single_event_on_the_place_clock() {
        let form = ScheduleForm {
            kind: "single".into(),
            starts_at: "2026-12-24T08:00".into(),
            ends_at: "2026-12-24T12:30".into(),
            first_in: on(),
            last_out_after: "11:00".into(),
            ..ScheduleForm::default()
        };
        let valid = form.validate(&berlin()).unwrap();
        let ScheduleKind::Single(event) = valid.kind else {
            panic!()
        };
        assert_eq!(event.start.to_rfc3339(), "2026-12-24T07:00:00Z");
        assert_eq!(event.end.millis() - event.start.millis(), 270 * 60_000);
        assert!(valid.first_in && !valid.enabled);
        assert_eq!(valid.last_out_after, LocalTime::from_hm(11, 0).ok());
    }

    #[test]
    fn a_single_event_starting_in_the_gap_starts_after_it() {
        let form = ScheduleForm {
            kind: "single".into(),
            starts_at: "2026-03-29T02:30".into(),
            ends_at: "2026-03-29T05:00".into(),
            ..ScheduleForm::default()
        };
        let ScheduleKind::Single(event) = form.validate(&berlin()).unwrap().kind else {
            panic!()
        };
        assert_eq!(event.start.to_rfc3339(), "2026-03-29T01:00:00Z");
    }

    #[test]
    fn a_single_event_must_end_after_it_starts() {
        let mut form = ScheduleForm {
            kind: "single".into(),
            starts_at: "2026-12-24T08:00".into(),
            ends_at: "2026-12-24T08:00".into(),
            ..ScheduleForm::default()
        };
        assert_eq!(
            errors(&form).get("ends_at"),
            Some("The end must be after the start.")
        );
        form.starts_at = String::new();
        form.ends_at = "Christmas".into();
        let e = errors(&form);
        assert_eq!(e.get("starts_at"), Some("Enter when the unlock starts."));
        assert_eq!(
            e.get("ends_at"),
            Some("Enter a date and time like 2026-12-24T08:30.")
        );
    }

    #[test]
    fn an_all_day_event() {
        let mut form = ScheduleForm {
            kind: "all_day".into(),
            first_date: "2026-12-24".into(),
            ..ScheduleForm::default()
        };
        let ScheduleKind::AllDay(one) = form.validate(&berlin()).unwrap().kind else {
            panic!()
        };
        assert_eq!(one, AllDayEvent::on(date(2026, 12, 24)));
        form.last_date = "2026-12-26".into();
        let ScheduleKind::AllDay(range) = form.validate(&berlin()).unwrap().kind else {
            panic!()
        };
        assert_eq!(range.last, date(2026, 12, 26));
        form.last_date = "2026-12-23".into();
        assert_eq!(
            errors(&form).get("last_date"),
            Some("The last day must be on or after the first day.")
        );
        form.last_date = "2028-01-01".into();
        assert!(errors(&form)
            .get("last_date")
            .unwrap()
            .starts_with("An all-day event lasts at most 366 days"));
        form.first_date = " ".into();
        form.last_date = "2027-02-29".into();
        let e = errors(&form);
        assert_eq!(e.get("first_date"), Some("Enter the day to unlock."));
        assert_eq!(
            e.get("last_date"),
            Some("There is no 2027-02-29 on the calendar.")
        );
    }

    #[test]
    fn an_unknown_kind() {
        for kind in ["", "weekly", "SINGLE"] {
            let form = ScheduleForm {
                kind: kind.into(),
                ..ScheduleForm::default()
            };
            assert_eq!(
                errors(&form).get("kind"),
                Some("Pick the kind of schedule: a single event, an all-day event or a recurring event.")
            );
        }
    }

    #[test]
    fn a_stored_schedule_comes_back_to_the_same_form() {
        let zone = berlin();
        let forms = [
            ScheduleForm {
                windows: vec![WindowForm {
                    start: "08:00".into(),
                    end: "12:00".into(),
                }],
                ..recurring_form()
            },
            ScheduleForm {
                kind: "single".into(),
                starts_at: "2026-12-24T08:00".into(),
                ends_at: "2026-12-25T12:30".into(),
                first_in: on(),
                ..ScheduleForm::default()
            },
            ScheduleForm {
                kind: "all_day".into(),
                first_date: "2026-12-24".into(),
                enabled: on(),
                ..ScheduleForm::default()
            },
            ScheduleForm {
                kind: "all_day".into(),
                first_date: "2026-12-24".into(),
                last_date: "2026-12-31".into(),
                last_out_after: "17:00".into(),
                ..ScheduleForm::default()
            },
        ];
        for form in forms {
            let schedule = form.validate(&zone).unwrap().into_schedule(3);
            assert_eq!(schedule.id, 3);
            assert_eq!(ScheduleForm::from_schedule(&schedule, &zone), form);
        }
    }
}
