//! One line saying what a schedule does, for the list.

use postern::schedule::{format_span, Schedule, ScheduleKind, SingleEvent, Span};
use postern::types::TimeZoneName;

/// Like "Mon–Fri 08:00–18:00, from 2026-12-01" or "2026-12-24 to 2026-12-26 (all day)".
pub fn summary(schedule: &Schedule, zone: &TimeZoneName) -> String {
    let zone = &zone.time_zone();
    let mut text = match &schedule.kind {
        ScheduleKind::Single(SingleEvent { start, end }) => {
            Span::new(*start, *end).map(|span| format_span(span, zone)).unwrap_or_default()
        }
        ScheduleKind::AllDay(event) if event.first == event.last => format!("{} (all day)", event.first),
        ScheduleKind::AllDay(event) => format!("{} to {} (all day)", event.first, event.last),
        ScheduleKind::Recurring(recurring) => {
            let windows = recurring
                .windows
                .iter()
                .map(|w| format!("{}–{}", w.start, w.end))
                .collect::<Vec<_>>()
                .join(", ");
            let mut text = format!("{} {windows}", recurring.days);
            if let Some(from) = recurring.from {
                text.push_str(&format!(", from {from}"));
            }
            if let Some(until) = recurring.until {
                text.push_str(&format!(", until {until}"));
            }
            text
        }
    };
    if schedule.first_in {
        text.push_str(" · waits for the first person in");
    }
    if let Some(after) = schedule.last_out_after {
        text.push_str(&format!(" · last person out after {after} ends it"));
    }
    text
}
