//! From the place's wall clock to instants and back, with one rule for the
//! hours daylight saving time skips or repeats.
//!
//! A wall-clock reading (a local date and time) names:
//! - one instant, most of the time;
//! - **no instant** when the clock jumps over it (spring forward). We take
//!   the first valid instant after the gap: the moment of the jump itself,
//!   so a 02:30 start on the night New York skips 02:00–03:00 starts at
//!   03:00 EDT. None of jiff's [`Disambiguation`](jiff::tz::Disambiguation)
//!   modes gives that: `Compatible` and `Later` shift by the gap's length
//!   (03:30 EDT), `Earlier` answers before the gap (01:30 EST). So the
//!   transition is looked up with [`TimeZone::following`].
//! - **two instants** when the clock repeats it (fall back). We take the
//!   earlier one (`Earlier`): a window starting or ending in the repeated hour
//!   does so the first time the clock shows that time, and never again that
//!   day. A window never fires twice.
//!
//! The mapping never goes backwards: a later wall-clock reading never names
//! an earlier instant, so windows keep their order.

use crate::types::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};

/// The instant a wall-clock reading names in `zone` (see the module's rules).
pub fn instant_of(zone: &TimeZone, local: DateTime) -> Timestamp {
    let ambiguous = zone.to_ambiguous_timestamp(local);
    let earlier = match ambiguous.earlier() {
        Ok(instant) => instant,
        Err(_) => return clamp(local.year()),
    };
    let instant = match ambiguous.offset() {
        AmbiguousOffset::Gap { .. } => zone
            .following(earlier)
            .next()
            .map_or(earlier, |transition| transition.timestamp()),
        AmbiguousOffset::Unambiguous { .. } | AmbiguousOffset::Fold { .. } => earlier,
    };
    from_jiff(instant)
}

/// The instant `time` on `date` names in `zone` (see the module's rules).
pub fn instant_at(zone: &TimeZone, date: Date, time: crate::access::LocalTime) -> Timestamp {
    instant_of(zone, date.at(time.hour() as i8, time.minute() as i8, 0, 0))
}

/// The first instant of `date` in `zone`: local midnight, or the end of a
/// gap that swallows midnight.
pub fn start_of_day(zone: &TimeZone, date: Date) -> Timestamp {
    instant_of(zone, date.to_datetime(Time::midnight()))
}

/// The wall-clock reading of `at` in `zone`.
pub fn local(zone: &TimeZone, at: Timestamp) -> DateTime {
    zone.to_datetime(to_jiff(at))
}

/// The local date of `at` in `zone`.
pub fn local_date(zone: &TimeZone, at: Timestamp) -> Date {
    local(zone, at).date()
}

/// As a jiff timestamp, clamped to the years jiff supports.
pub fn to_jiff(at: Timestamp) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(at.millis()).unwrap_or(if at.millis() < 0 {
        jiff::Timestamp::MIN
    } else {
        jiff::Timestamp::MAX
    })
}

/// From a jiff timestamp (to the millisecond).
pub fn from_jiff(at: jiff::Timestamp) -> Timestamp {
    Timestamp::from_millis(at.as_millisecond())
}

/// Milliseconds in 24 hours.
pub const DAY_MS: i64 = 86_400_000;

/// `days` calendar days after `date` (before, when negative), saturating at
/// jiff's limits.
pub fn add_days(date: Date, days: i64) -> Date {
    use jiff::ToSpan;
    date.checked_add(days.days())
        .unwrap_or(if days < 0 { Date::MIN } else { Date::MAX })
}

fn clamp(year: i16) -> Timestamp {
    from_jiff(if year < 0 {
        jiff::Timestamp::MIN
    } else {
        jiff::Timestamp::MAX
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use jiff::tz::Disambiguation;

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn utc(text: &str) -> Timestamp {
        from_jiff(text.parse().unwrap())
    }

    #[test]
    fn an_ordinary_time_is_its_instant() {
        let berlin = zone("Europe/Berlin");
        let at = instant_of(&berlin, date(2026, 11, 23).at(8, 0, 0, 0));
        assert_eq!(at, utc("2026-11-23T07:00:00Z"));
        assert_eq!(local(&berlin, at), date(2026, 11, 23).at(8, 0, 0, 0));
    }

    #[test]
    fn a_time_in_the_spring_forward_gap_is_the_end_of_the_gap() {
        // New York skips 02:00–03:00 on 2026-03-08: 03:00 EDT is 07:00Z.
        let ny = zone("America/New_York");
        let in_gap = date(2026, 3, 8).at(2, 30, 0, 0);
        assert_eq!(instant_of(&ny, in_gap), utc("2026-03-08T07:00:00Z"));
        assert_eq!(
            instant_of(&ny, date(2026, 3, 8).at(2, 0, 0, 0)),
            utc("2026-03-08T07:00:00Z")
        );
        // jiff's modes do not give the end of the gap; that is why we look it up.
        let modes = [
            (Disambiguation::Compatible, "2026-03-08T07:30:00Z"),
            (Disambiguation::Later, "2026-03-08T07:30:00Z"),
            (Disambiguation::Earlier, "2026-03-08T06:30:00Z"),
        ];
        for (mode, expected) in modes {
            let zoned = ny.to_ambiguous_zoned(in_gap).disambiguate(mode).unwrap();
            assert_eq!(from_jiff(zoned.timestamp()), utc(expected), "{mode:?}");
        }
    }

    #[test]
    fn a_repeated_time_is_its_first_occurrence() {
        // New York repeats 01:00–02:00 on 2026-11-01: 01:30 EDT is 05:30Z.
        let ny = zone("America/New_York");
        let repeated = date(2026, 11, 1).at(1, 30, 0, 0);
        assert_eq!(instant_of(&ny, repeated), utc("2026-11-01T05:30:00Z"));
    }

    #[test]
    fn a_half_hour_gap_in_lord_howe() {
        // Lord Howe moves from +10:30 to +11 at 02:00 on 2026-10-04.
        let lord_howe = zone("Australia/Lord_Howe");
        let at = instant_of(&lord_howe, date(2026, 10, 4).at(2, 15, 0, 0));
        assert_eq!(local(&lord_howe, at), date(2026, 10, 4).at(2, 30, 0, 0));
    }

    #[test]
    fn midnight_in_a_gap_starts_the_day_after_the_gap() {
        // Santiago skipped 2026-09-06 00:00–01:00.
        let santiago = zone("America/Santiago");
        let start = start_of_day(&santiago, date(2026, 9, 6));
        assert_eq!(local(&santiago, start), date(2026, 9, 6).at(1, 0, 0, 0));
        assert_eq!(
            local_date(&santiago, Timestamp::from_millis(start.millis() - 1)),
            date(2026, 9, 5)
        );
    }

    #[test]
    fn days_are_added_on_the_calendar() {
        assert_eq!(add_days(date(2028, 2, 28), 1), date(2028, 2, 29));
        assert_eq!(add_days(date(2027, 3, 1), -1), date(2027, 2, 28));
        assert_eq!(add_days(Date::MAX, 1), Date::MAX);
    }
}
