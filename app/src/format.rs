//! Formatting for people: instants in a time zone.

use postern::types::{Timestamp, TimeZoneName};

/// "2026-11-22 14:05 CET" in `zone`, or "—" for none.
pub fn instant_in(ms: Option<i64>, zone: &str) -> String {
    match (ms, TimeZoneName::parse(zone)) {
        (Some(ms), Ok(zone)) => Timestamp::from_millis(ms).format_in(&zone),
        (Some(ms), Err(_)) => Timestamp::from_millis(ms).to_rfc3339(),
        (None, _) => "—".to_owned(),
    }
}

/// An instant in UTC, for lists that span places.
pub fn instant_utc(ms: Option<i64>) -> String {
    instant_in(ms, "UTC")
}
