//! Dates and times as the browser's `<input type=date|time|datetime-local>`
//! send them: "2026-12-24", "08:30" (or "08:30:00"), "2026-12-24T08:30".

use crate::access::LocalTime;
use jiff::civil::{Date, DateTime};

/// The years a schedule or holiday may name.
pub const YEARS: std::ops::RangeInclusive<i16> = 1900..=2199;

/// Reads "YYYY-MM-DD".
pub fn parse_date(text: &str) -> Result<Date, String> {
    let text = text.trim();
    let shape = || "Enter a date like 2026-12-24.".to_string();
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts[..] else {
        return Err(shape());
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(year, 4) || !digits(month, 2) || !digits(day, 2) {
        return Err(shape());
    }
    let (year, month, day): (i16, i8, i8) = (
        year.parse().map_err(|_| shape())?,
        month.parse().map_err(|_| shape())?,
        day.parse().map_err(|_| shape())?,
    );
    if !YEARS.contains(&year) {
        return Err(format!(
            "Enter a year between {} and {}.",
            YEARS.start(),
            YEARS.end()
        ));
    }
    Date::new(year, month, day).map_err(|_| format!("There is no {text} on the calendar."))
}

/// Reads "HH:MM"; seconds ("HH:MM:00", as some browsers send) must be zero.
pub fn parse_time(text: &str) -> Result<LocalTime, String> {
    let text = text.trim();
    let minutes = match text.match_indices(':').nth(1) {
        Some((second_colon, _)) => {
            let seconds = &text[second_colon + 1..];
            if !seconds.trim_end_matches(['0', '.']).is_empty() || seconds.is_empty() {
                return Err("Enter a time to the minute, like 08:30.".into());
            }
            &text[..second_colon]
        }
        None => text,
    };
    LocalTime::parse(minutes)
}

/// Reads "YYYY-MM-DDTHH:MM" (a space instead of the T, and zero seconds, too).
pub fn parse_datetime_local(text: &str) -> Result<DateTime, String> {
    let text = text.trim();
    let shape = || "Enter a date and time like 2026-12-24T08:30.".to_string();
    let (date, time) = text.split_once(['T', 't', ' ']).ok_or_else(shape)?;
    let date = parse_date(date).map_err(|message| {
        if message.starts_with("Enter a date like") {
            shape()
        } else {
            message
        }
    })?;
    let time = parse_time(time).map_err(|message| {
        if message.starts_with("Enter a time like") {
            shape()
        } else {
            message
        }
    })?;
    Ok(date.at(time.hour() as i8, time.minute() as i8, 0, 0))
}

/// A date as the date input shows it.
pub fn date_text(date: Date) -> String {
    date.strftime("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn dates() {
        assert_eq!(parse_date(" 2026-12-24 "), Ok(date(2026, 12, 24)));
        assert_eq!(parse_date("2028-02-29"), Ok(date(2028, 2, 29)));
        assert_eq!(
            parse_date("2027-02-29"),
            Err("There is no 2027-02-29 on the calendar.".into())
        );
        assert_eq!(
            parse_date("2026-13-01"),
            Err("There is no 2026-13-01 on the calendar.".into())
        );
        assert_eq!(
            parse_date("1800-01-01"),
            Err("Enter a year between 1900 and 2199.".into())
        );
        for bad in [
            "",
            "24.12.2026",
            "2026-12-4",
            "2026-12-24-1",
            "tomorrow",
            "+2026-12-24",
            "２０２６-12-24",
        ] {
            assert_eq!(
                parse_date(bad),
                Err("Enter a date like 2026-12-24.".into()),
                "{bad}"
            );
        }
        assert_eq!(date_text(date(2026, 1, 5)), "2026-01-05");
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("08:30"), LocalTime::from_hm(8, 30));
        assert_eq!(parse_time("08:30:00"), LocalTime::from_hm(8, 30));
        assert_eq!(parse_time("08:30:00.000"), LocalTime::from_hm(8, 30));
        assert_eq!(
            parse_time("08:30:15"),
            Err("Enter a time to the minute, like 08:30.".into())
        );
        assert_eq!(
            parse_time("08:30:"),
            Err("Enter a time to the minute, like 08:30.".into())
        );
        assert_eq!(
            parse_time("24:00"),
            Err("Enter a time between 00:00 and 23:59.".into())
        );
        assert_eq!(parse_time("noon"), Err("Enter a time like 08:30.".into()));
    }

    #[test]
    fn datetimes() {
        assert_eq!(
            parse_datetime_local("2026-12-24T08:30"),
            Ok(date(2026, 12, 24).at(8, 30, 0, 0))
        );
        assert_eq!(
            parse_datetime_local("2026-12-24 08:30:00"),
            Ok(date(2026, 12, 24).at(8, 30, 0, 0))
        );
        let shape = Err("Enter a date and time like 2026-12-24T08:30.".to_string());
        for bad in [
            "",
            "2026-12-24",
            "08:30",
            "2026-12-24Tnoon",
            "24/12/2026T08:30",
        ] {
            assert_eq!(parse_datetime_local(bad), shape, "{bad}");
        }
        assert_eq!(
            parse_datetime_local("2027-02-29T08:30"),
            Err("There is no 2027-02-29 on the calendar.".into())
        );
        assert_eq!(
            parse_datetime_local("2026-12-24T25:00"),
            Err("Enter a time between 00:00 and 23:59.".into())
        );
    }
}
