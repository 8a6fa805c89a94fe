//! Property tests of scheduled unlocks over many IANA zones, 1990–2060.

use super::test_support::*;
use super::wall_clock::{add_days, instant_of, local, local_date, start_of_day};
use super::{
    AllDayEvent, Change, DailyWindow, Holiday, HolidayCalendar, Recurring, Schedule, ScheduleKind,
    SingleEvent, Span, Timetable, Weekdays,
};
use crate::access::LocalTime;
use crate::types::Timestamp;
use jiff::civil::{date, Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::ToSpan;
use proptest::prelude::*;

/// Zones with every kind of oddity: DST north and south, half-hour and
/// 45-minute offsets and DST steps, negative DST, date-line jumps, DST that
/// changes at midnight, and zones without DST.
const ZONES: [&str; 36] = [
    "America/New_York",
    "America/Los_Angeles",
    "America/St_Johns",
    "America/Havana",
    "America/Santiago",
    "America/Asuncion",
    "America/Sao_Paulo",
    "America/Caracas",
    "America/Adak",
    "America/Nuuk",
    "America/Scoresbysund",
    "Europe/Berlin",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Moscow",
    "Europe/Chisinau",
    "Africa/Casablanca",
    "Africa/Cairo",
    "Asia/Beirut",
    "Asia/Gaza",
    "Asia/Tehran",
    "Asia/Kathmandu",
    "Asia/Kolkata",
    "Asia/Pyongyang",
    "Australia/Lord_Howe",
    "Australia/Adelaide",
    "Australia/Sydney",
    "Pacific/Chatham",
    "Pacific/Auckland",
    "Pacific/Norfolk",
    "Pacific/Apia",
    "Pacific/Kwajalein",
    "Pacific/Kiritimati",
    "Antarctica/Troll",
    "Antarctica/Macquarie",
    "UTC",
];

const FIRST_DAY: Date = date(1990, 1, 1);
const LAST_DAY: Date = date(2060, 12, 31);
const MINUTE: i64 = 60_000;

fn zone_name() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(ZONES.to_vec())
}

fn day() -> impl Strategy<Value = Date> {
    let days = FIRST_DAY.until(LAST_DAY).unwrap().get_days();
    (0..=days).prop_map(|n| add_days(FIRST_DAY, i64::from(n)))
}

/// Times on a quarter-hour grid, where DST changes happen.
fn quarter_hour() -> impl Strategy<Value = LocalTime> {
    (0u16..96).prop_map(|q| LocalTime::from_minutes(q * 15).unwrap())
}

fn civil(day: Date, time: LocalTime) -> DateTime {
    day.at(time.hour() as i8, time.minute() as i8, 0, 0)
}

fn offset_ms(zone: &TimeZone, at: Timestamp) -> i64 {
    i64::from(zone.to_offset(super::wall_clock::to_jiff(at)).seconds()) * 1000
}

/// `instant` is what the rules say `reading` names: the reading itself, the
/// first of two, or the first instant after a gap.
fn names(zone: &TimeZone, reading: DateTime, instant: Timestamp) -> Result<(), TestCaseError> {
    let ambiguous = zone.to_ambiguous_timestamp(reading);
    match ambiguous.offset() {
        AmbiguousOffset::Unambiguous { .. } => prop_assert_eq!(local(zone, instant), reading),
        AmbiguousOffset::Fold { .. } => {
            prop_assert_eq!(local(zone, instant), reading);
            let earlier = ambiguous.earlier().unwrap().as_millisecond();
            prop_assert_eq!(instant.millis(), earlier, "the first of the two");
        }
        AmbiguousOffset::Gap { .. } => {
            let before = ms(instant, -1);
            prop_assert!(
                local(zone, before) < reading,
                "just before, the clock has not reached {}",
                reading
            );
            prop_assert!(
                local(zone, instant) > reading,
                "at the instant, the clock is past {}",
                reading
            );
            prop_assert_ne!(
                offset_ms(zone, before),
                offset_ms(zone, instant),
                "the instant is the jump"
            );
        }
    }
    Ok(())
}

/// The time zone transitions of `year`, with the offsets before and after (ms).
fn transitions(zone: &TimeZone, year: i16) -> Vec<(Timestamp, i64, i64)> {
    let start = instant_of(zone, date(year, 1, 1).at(0, 0, 0, 0));
    let end = instant_of(zone, date(year + 1, 1, 1).at(0, 0, 0, 0));
    zone.following(super::wall_clock::to_jiff(start))
        .map(|t| Timestamp::from_millis(t.timestamp().as_millisecond()))
        .take_while(|t| *t < end)
        .map(|t| (t, offset_ms(zone, ms(t, -1)), offset_ms(zone, t)))
        .filter(|(_, before, after)| before != after)
        .collect()
}

/// The wall-clock reading halfway into a changed stretch, to the minute.
fn halfway(zone: &TimeZone, transition: Timestamp, before: i64, after: i64) -> DateTime {
    let first = local(zone, ms(transition, -1))
        .checked_add(1.millisecond())
        .unwrap();
    let reading = first.min(local(zone, transition));
    let half = ((before - after).abs() / 2 / MINUTE).max(1);
    let rounded = reading.checked_add(half.minutes()).unwrap();
    rounded
        .with()
        .second(0)
        .subsec_nanosecond(0)
        .build()
        .unwrap()
}

fn spans(kind: &Recurring, zone: &TimeZone, from: Timestamp, to: Timestamp) -> Vec<Span> {
    let mut found = Vec::new();
    kind.each_overlapping(zone, &HolidayCalendar::empty(), from, to, |s| found.push(s));
    found.sort();
    found
}

/// A few schedules of every kind around `today`.
fn schedules(today: Date) -> impl Strategy<Value = Vec<Schedule>> {
    let recurring = (
        any::<[bool; 7]>(),
        prop::collection::vec((quarter_hour(), quarter_hour()), 1..=3),
        prop::option::of(-10i64..=3),
        prop::option::of(0i64..=10),
    )
        .prop_map(move |(days, windows, from, until)| {
            ScheduleKind::Recurring(Recurring {
                days: Weekdays::from_flags(days),
                windows: windows
                    .into_iter()
                    .map(|(start, end)| DailyWindow { start, end })
                    .collect(),
                from: from.map(|d| add_days(today, d)),
                until: until.map(|d| add_days(today, d)),
            })
        });
    let all_day = (-4i64..=4, 0i64..=3).prop_map(move |(first, days)| {
        let first = add_days(today, first);
        ScheduleKind::AllDay(AllDayEvent {
            first,
            last: add_days(first, days),
        })
    });
    let single = (-3 * 24 * 60i64..=3 * 24 * 60, 1i64..=2 * 24 * 60);
    let kind = prop_oneof![
        3 => recurring,
        1 => all_day,
        1 => single.prop_map(|(start, minutes)| ScheduleKind::Single(SingleEvent {
            // Placeholder instants relative to 0, moved next to now by `place`.
            start: Timestamp::from_millis(start * MINUTE),
            end: Timestamp::from_millis((start + minutes) * MINUTE),
        })),
    ];
    prop::collection::vec((kind, any::<bool>()), 1..=4).prop_map(|kinds| {
        kinds
            .into_iter()
            .enumerate()
            .map(|(i, (kind, enabled))| Schedule {
                id: i as i64 + 1,
                kind,
                enabled: enabled || i == 0,
                first_in: false,
                last_out_after: None,
            })
            .collect()
    })
}

/// Moves single events (generated around 0) next to `now`.
fn place(mut schedules: Vec<Schedule>, now: Timestamp) -> Vec<Schedule> {
    for schedule in &mut schedules {
        if let ScheduleKind::Single(event) = &mut schedule.kind {
            event.start = ms(now, event.start.millis());
            event.end = ms(now, event.end.millis());
        }
    }
    schedules
}

fn holidays(today: Date) -> impl Strategy<Value = HolidayCalendar> {
    prop::collection::vec((-5i64..=5, any::<bool>()), 0..=3).prop_map(move |days| {
        let list: Vec<Holiday> = days
            .into_iter()
            .map(|(d, yearly)| {
                let day = add_days(today, d);
                Holiday {
                    id: d,
                    name: "Holiday".into(),
                    date: if yearly {
                        day.with().year(2000).build().unwrap_or(day)
                    } else {
                        day
                    },
                    yearly,
                    suppress_time_restrictions: false,
                }
            })
            .collect();
        HolidayCalendar::new(&list)
    })
}

/// A zone, an instant in 1990–2060 (to the minute), the schedules and holidays around it.
fn door() -> impl Strategy<Value = (&'static str, Timestamp, Vec<Schedule>, HolidayCalendar)> {
    (zone_name(), day(), quarter_hour(), 0i64..15).prop_flat_map(|(name, day, time, minute)| {
        let zone = zone(name);
        let now = ms(instant_of(&zone, civil(day, time)), minute * MINUTE);
        (
            Just(name),
            Just(now),
            schedules(day).prop_map(move |s| place(s, now)),
            holidays(day),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// A recurring window opens and closes at its local wall times, except
    /// in a gap, where it uses the first instant after.
    #[test]
    fn recurring_windows_keep_their_wall_times(name in zone_name(), day in day(), start in quarter_hour(), end in quarter_hour()) {
        let zone = zone(name);
        let window = DailyWindow { start, end };
        let end_day = if window.crosses_midnight() { add_days(day, 1) } else { day };
        match window.on(day, &zone) {
            Some(span) => {
                names(&zone, civil(day, start), span.start)?;
                names(&zone, civil(end_day, end), span.end)?;
                prop_assert!(span.millis() <= 49 * 3_600_000, "a day plus at most a day-long jump");
            }
            None => {
                // Only when the clock skips the whole window.
                prop_assert_eq!(instant_of(&zone, civil(day, start)), instant_of(&zone, civil(end_day, end)));
            }
        }
    }

    /// 08:00–18:00 is unlocked exactly when the wall clock reads 08:00 to 18:00.
    #[test]
    fn office_hours_follow_the_wall_clock(name in zone_name(), day in day(), minute in 0i64..1440) {
        let zone = zone(name);
        let schedules = [schedule(1, ScheduleKind::Recurring(every_day(vec![window("08:00", "18:00")])))];
        let holidays = HolidayCalendar::empty();
        let table = Timetable::new(&schedules, &holidays, &zone);
        let now = ms(start_of_day(&zone, day), minute * MINUTE);
        let reading = local(&zone, now);
        let expected = (8..18).contains(&reading.hour());
        let active = table.active_at(now);
        prop_assert_eq!(active.is_some(), expected, "at {}", reading);
        if let Some(window) = active {
            names(&zone, reading.date().at(8, 0, 0, 0), window.start)?;
            names(&zone, reading.date().at(18, 0, 0, 0), window.end)?;
        }
    }

    /// Occurrences of one window never overlap: no instant is covered twice.
    #[test]
    fn occurrences_of_one_window_never_overlap(name in zone_name(), day in day(), start in quarter_hour(), end in quarter_hour()) {
        let zone = zone(name);
        let from = start_of_day(&zone, day);
        let found = spans(&every_day(vec![DailyWindow { start, end }]), &zone, from, ms(from, 10 * 86_400_000));
        prop_assert!(found.len() >= 8, "{} occurrences in 10 days", found.len());
        for pair in found.windows(2) {
            prop_assert!(pair[0].end <= pair[1].start, "{:?} overlaps {:?}", pair[0], pair[1]);
        }
    }

    /// An all-day event covers exactly the instants whose local date is in its range.
    #[test]
    fn all_day_events_span_exactly_their_local_days(name in zone_name(), first in day(), days in 0i64..4) {
        let zone = zone(name);
        let last = add_days(first, days);
        match (AllDayEvent { first, last }).span(&zone) {
            Some(span) => {
                prop_assert!(local_date(&zone, span.start) >= first);
                prop_assert!(local_date(&zone, ms(span.start, -1)) < first);
                prop_assert!(local_date(&zone, ms(span.end, -1)) <= last);
                prop_assert!(local_date(&zone, span.end) > last);
                names(&zone, first.at(0, 0, 0, 0), span.start)?;
            }
            None => prop_assert_eq!(start_of_day(&zone, first), start_of_day(&zone, add_days(last, 1))),
        }
    }

    /// The next transition is when the state changes, and nothing changes before it.
    #[test]
    fn the_next_transition_matches_active_at((name, now, schedules, holidays) in door(), samples in prop::collection::vec(0.0f64..1.0, 4)) {
        let zone = zone(name);
        let table = Timetable::new(&schedules, &holidays, &zone);
        let active = table.active_at(now);
        if let Some(window) = active {
            prop_assert!(window.start <= now && now < window.end);
            // Unless the merging stopped at its horizon (a door open around the clock).
            if !window.open_ended && now.millis() - window.start.millis() < 300 * 86_400_000 {
                prop_assert_eq!(table.active_at(window.start).map(|w| w.span()), Some(window.span()));
                prop_assert!(table.active_at(ms(window.start, -1)).is_none());
            }
        }
        match table.next_transition(now) {
            Some(next) => {
                prop_assert!(next.at > now);
                prop_assert_eq!(next.change == Change::Unlock, active.is_none());
                prop_assert_eq!(table.active_at(ms(next.at, -1)).is_some(), active.is_some(), "just before {:?}", next);
                prop_assert_eq!(table.active_at(next.at).is_some(), next.change == Change::Unlock, "at {:?}", next);
                for f in samples {
                    let between = ms(now, ((next.at.millis() - now.millis()) as f64 * f) as i64);
                    prop_assert_eq!(table.active_at(between).is_some(), active.is_some(), "between, {:?}", between);
                }
            }
            None => {
                prop_assert!(active.is_none_or(|w| w.open_ended));
                for f in samples {
                    let later = ms(now, (f * 20.0 * 86_400_000.0) as i64);
                    prop_assert_eq!(table.active_at(later).is_some(), active.is_some());
                }
            }
        }
    }
}

#[test]
fn every_zone_is_in_the_bundled_database() {
    for name in ZONES {
        assert_eq!(zone(name).iana_name(), Some(name));
    }
    assert!(transitions(&zone("America/New_York"), 2026).len() == 2);
    assert!(transitions(&zone("Pacific/Apia"), 2011)
        .iter()
        .any(|(_, b, a)| a - b == 24 * 3_600_000));
}

/// Every DST change of every zone in the list, 1990–2060 (not sampled:
/// there are few enough to check them all).
#[test]
fn every_clock_change_of_every_zone() {
    let mut checked = 0;
    for name in ZONES {
        for year in 1990..=2060 {
            a_repeated_start_fires_once(name, year).unwrap();
            a_skipped_start_begins_after_the_gap(name, year).unwrap();
            checked += transitions(&zone(name), year).len();
        }
    }
    assert!(checked > 1500, "{checked} clock changes checked");
}

/// In every fall-back of a year, a window starting in the repeated
/// stretch starts once, at the first pass, and not at the second.
fn a_repeated_start_fires_once(name: &str, year: i16) -> Result<(), TestCaseError> {
    let zone = zone(name);
    for (transition, before, after) in transitions(&zone, year)
        .into_iter()
        .filter(|(_, b, a)| a < b)
    {
        let reading = halfway(&zone, transition, before, after);
        let as_utc = reading
            .to_zoned(TimeZone::UTC)
            .unwrap()
            .timestamp()
            .as_millisecond();
        let first_pass = Timestamp::from_millis(as_utc - before);
        let second_pass = ms(first_pass, before - after);
        let start = LocalTime::from_hm(reading.hour() as u8, reading.minute() as u8).unwrap();
        let end = LocalTime::from_minutes((start.minutes() + 1) % 1440).unwrap();
        let schedules = [schedule(
            1,
            ScheduleKind::Recurring(every_day(vec![DailyWindow { start, end }])),
        )];
        let holidays = HolidayCalendar::empty();
        let table = Timetable::new(&schedules, &holidays, &zone);
        let opened = table.next_transition(ms(first_pass, -MINUTE)).unwrap();
        prop_assert_eq!(
            (opened.at, opened.change),
            (first_pass, Change::Unlock),
            "{} {}",
            name,
            reading
        );
        prop_assert!(
            table.active_at(second_pass).is_none(),
            "{} {}: no second start",
            name,
            reading
        );
        let after_it = table.next_transition(ms(second_pass, -MINUTE)).unwrap();
        prop_assert_eq!(after_it.change, Change::Unlock);
        prop_assert!(
            local_date(&zone, after_it.at) > reading.date(),
            "{} {}: next is another day",
            name,
            reading
        );
    }
    Ok(())
}

/// In every spring-forward of a year, a window starting in the gap
/// starts at the first instant after it.
fn a_skipped_start_begins_after_the_gap(name: &str, year: i16) -> Result<(), TestCaseError> {
    let zone = zone(name);
    for (transition, before, after) in transitions(&zone, year)
        .into_iter()
        .filter(|(_, b, a)| a > b)
    {
        let reading = halfway(&zone, transition, before, after);
        prop_assert!(
            matches!(
                zone.to_ambiguous_timestamp(reading).offset(),
                AmbiguousOffset::Gap { .. }
            ),
            "{} is in the gap",
            reading
        );
        let start = LocalTime::from_hm(reading.hour() as u8, reading.minute() as u8).unwrap();
        let window = DailyWindow {
            start,
            end: LocalTime::from_minutes((start.minutes() + 180) % 1440).unwrap(),
        };
        let span = window.on(reading.date(), &zone);
        let gap_hours = (after - before) / 3_600_000;
        if gap_hours < 3 {
            prop_assert_eq!(
                span.map(|s| s.start),
                Some(transition),
                "{} {}",
                name,
                reading
            );
        }
        let schedules = [schedule(
            1,
            ScheduleKind::Recurring(every_day(vec![window])),
        )];
        let holidays = HolidayCalendar::empty();
        let table = Timetable::new(&schedules, &holidays, &zone);
        if let Some(span) = span {
            let opened = table.next_transition(ms(span.start, -MINUTE)).unwrap();
            prop_assert_eq!((opened.at, opened.change), (span.start, Change::Unlock));
        }
    }
    Ok(())
}
