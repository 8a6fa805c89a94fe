//! The "valid from" / "valid until" pair that groups and access links share:
//! `datetime-local` text read in a time zone, both optional, until after from.

use crate::field_error::FieldErrors;
use crate::types::{TimeZoneName, Timestamp};

/// Checks the pair (fields `valid_from`, `valid_until`, `time_zone`); blank
/// means open-ended, a blank zone means UTC. `None` when a message was pushed.
pub fn validity_fields(
    e: &mut FieldErrors,
    time_zone: &str,
    valid_from: &str,
    valid_until: &str,
) -> Option<(Option<Timestamp>, Option<Timestamp>)> {
    let zone = if time_zone.trim().is_empty() {
        TimeZoneName::parse("UTC").ok()
    } else {
        e.check("time_zone", TimeZoneName::parse(time_zone))
    };
    let mut date = |field: &str, text: &str| -> Option<Option<Timestamp>> {
        if text.trim().is_empty() {
            return Some(None);
        }
        e.check(field, Timestamp::parse_datetime_local(text, zone.as_ref()?)).map(Some)
    };
    let from = date("valid_from", valid_from);
    let until = date("valid_until", valid_until);
    let (from, until) = (from?, until?);
    if let (Some(f), Some(u)) = (from, until) {
        if u <= f {
            e.push("valid_until", "“Valid until” must be after “valid from”.");
            return None;
        }
    }
    Some((from, until))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_open_ended_and_order_is_checked() {
        let mut e = FieldErrors::new();
        assert_eq!(validity_fields(&mut e, "", "", ""), Some((None, None)));
        let window = validity_fields(&mut e, "Europe/Berlin", "2026-12-01T09:00", "2026-12-01T17:00").unwrap();
        assert_eq!(window.0.unwrap().to_rfc3339(), "2026-12-01T08:00:00Z");
        assert!(e.into_result().is_ok());
        let mut e = FieldErrors::new();
        assert_eq!(validity_fields(&mut e, "", "2026-12-01T09:00", "2026-12-01T08:00"), None);
        assert!(e.get("valid_until").is_some());
        let mut e = FieldErrors::new();
        assert_eq!(validity_fields(&mut e, "Mars/Olympus", "2026-12-01T09:00", ""), None);
        assert!(e.get("time_zone").is_some());
    }
}
