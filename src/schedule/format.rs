//! Occurrences as people read them, in the place's time zone or their own.

use super::wall_clock::to_jiff;
use super::Span;
use crate::types::Timestamp;
use jiff::tz::TimeZone;

/// Like "Mon 2026-11-23 08:00 CET".
pub fn format_instant(at: Timestamp, zone: &TimeZone) -> String {
    to_jiff(at)
        .to_zoned(zone.clone())
        .strftime("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

/// Like "Mon 2026-11-23 08:00–18:00 CET", "Fri 2026-11-27 22:00 – Sat
/// 2026-11-28 06:00 CET" across midnight, and "Sun 2026-03-29 01:00 CET –
/// 05:00 CEST" when the clock changes in between.
pub fn format_span(span: Span, zone: &TimeZone) -> String {
    let start = to_jiff(span.start).to_zoned(zone.clone());
    let end = to_jiff(span.end).to_zoned(zone.clone());
    let same_day = start.date() == end.date();
    let same_offset = start.offset() == end.offset();
    let head = start.strftime("%a %Y-%m-%d %H:%M");
    match (same_day, same_offset) {
        (true, true) => format!("{head}–{}", end.strftime("%H:%M %Z")),
        (true, false) => format!(
            "{head} {} – {}",
            start.strftime("%Z"),
            end.strftime("%H:%M %Z")
        ),
        (false, true) => format!("{head} – {}", end.strftime("%a %Y-%m-%d %H:%M %Z")),
        (false, false) => format!(
            "{head} {} – {}",
            start.strftime("%Z"),
            end.strftime("%a %Y-%m-%d %H:%M %Z")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::wall_clock::instant_of;
    use super::*;
    use jiff::civil::date;

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn span(zone: &TimeZone, start: jiff::civil::DateTime, end: jiff::civil::DateTime) -> Span {
        Span::new(instant_of(zone, start), instant_of(zone, end)).unwrap()
    }

    #[test]
    fn one_day_in_the_place_and_elsewhere() {
        let berlin = zone("Europe/Berlin");
        let office = span(
            &berlin,
            date(2026, 11, 23).at(8, 0, 0, 0),
            date(2026, 11, 23).at(18, 0, 0, 0),
        );
        assert_eq!(
            format_span(office, &berlin),
            "Mon 2026-11-23 08:00–18:00 CET"
        );
        assert_eq!(
            format_span(office, &zone("America/New_York")),
            "Mon 2026-11-23 02:00–12:00 EST"
        );
        assert_eq!(
            format_span(office, &zone("Asia/Tokyo")),
            "Mon 2026-11-23 16:00 – Tue 2026-11-24 02:00 JST"
        );
        assert_eq!(
            format_instant(office.start, &berlin),
            "Mon 2026-11-23 08:00 CET"
        );
    }

    #[test]
    fn across_midnight_and_across_a_clock_change() {
        let berlin = zone("Europe/Berlin");
        let night = span(
            &berlin,
            date(2026, 11, 27).at(22, 0, 0, 0),
            date(2026, 11, 28).at(6, 0, 0, 0),
        );
        assert_eq!(
            format_span(night, &berlin),
            "Fri 2026-11-27 22:00 – Sat 2026-11-28 06:00 CET"
        );
        let change = span(
            &berlin,
            date(2026, 3, 29).at(1, 0, 0, 0),
            date(2026, 3, 29).at(5, 0, 0, 0),
        );
        assert_eq!(
            format_span(change, &berlin),
            "Sun 2026-03-29 01:00 CET – 05:00 CEST"
        );
        let both = span(
            &berlin,
            date(2026, 3, 28).at(22, 0, 0, 0),
            date(2026, 3, 29).at(5, 0, 0, 0),
        );
        assert_eq!(
            format_span(both, &berlin),
            "Sat 2026-03-28 22:00 CET – Sun 2026-03-29 05:00 CEST"
        );
    }
}
