//! Times in the API: RFC 3339 out, RFC 3339 in. The dashboard's forms take
//! wall-clock text in a time zone, so an instant given to the API becomes
//! its UTC wall time with the form's zone set to UTC.

use super::ApiError;
use postern::types::Timestamp;

/// Unix milliseconds as RFC 3339 in UTC, e.g. `2026-11-22T13:05:00Z`.
pub fn rfc3339(millis: i64) -> String {
    Timestamp::from_millis(millis).to_rfc3339()
}

/// An RFC 3339 instant as "YYYY-MM-DDTHH:MM:SS" in UTC, for a form whose
/// zone is UTC; absent (or `null`) is blank. `path` names the field.
pub fn utc_wall_time(path: &str, text: Option<&str>) -> Result<String, ApiError> {
    let Some(text) = text.map(str::trim) else { return Ok(String::new()) };
    Ok(instant(path, text)?.strftime("%Y-%m-%dT%H:%M:%S").to_string())
}

/// An RFC 3339 instant as Unix milliseconds.
pub fn millis(path: &str, text: &str) -> Result<i64, ApiError> {
    Ok(instant(path, text.trim())?.as_millisecond())
}

fn instant(path: &str, text: &str) -> Result<jiff::Timestamp, ApiError> {
    text.parse().map_err(|_| ApiError::field(path, "Give a time in RFC 3339, like 2026-03-23T05:40:00Z."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_in_utc_wall_time_out() {
        assert_eq!(utc_wall_time("x", Some("2026-03-23T06:40:00+01:00")).unwrap(), "2026-03-23T05:40:00");
        assert_eq!(utc_wall_time("x", None).unwrap(), "");
        assert!(utc_wall_time("x", Some("")).is_err(), "blank is not a time; null is");
        let Err(ApiError::Invalid(map)) = utc_wall_time("group_link.valid_until", Some("tomorrow")) else { panic!() };
        assert!(map.contains_key("group_link.valid_until"));
        assert_eq!(millis("since", "1970-01-01T00:00:01Z").unwrap(), 1000);
        assert_eq!(rfc3339(1000), "1970-01-01T00:00:01Z");
    }
}
