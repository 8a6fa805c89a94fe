//! A door's schedules together: merging, transitions, the next windows.

use super::test_support::*;
use super::wall_clock::local;
use super::{Change, Holiday, HolidayCalendar, Timetable, Transition, Weekdays};
use jiff::civil::date;

#[test]
fn touching_windows_of_two_schedules_are_one_unlocked_window() {
    let berlin = zone("Europe/Berlin");
    let schedules = [
        recurring(1, Weekdays::EVERY_DAY, vec![window("08:00", "12:00")]),
        recurring(2, Weekdays::EVERY_DAY, vec![window("12:00", "18:00")]),
    ];
    let holidays = HolidayCalendar::empty();
    let table = Timetable::new(&schedules, &holidays, &berlin);
    let day = date(2026, 11, 23);
    let morning = table.active_at(at(&berlin, day.at(10, 0, 0, 0))).unwrap();
    let afternoon = table.active_at(at(&berlin, day.at(15, 0, 0, 0))).unwrap();
    assert_eq!(morning.span(), afternoon.span());
    assert_eq!(local(&berlin, morning.start), day.at(8, 0, 0, 0));
    assert_eq!(local(&berlin, morning.end), day.at(18, 0, 0, 0));
    assert_eq!((morning.schedule, afternoon.schedule), (1, 2));
    assert!(!morning.open_ended);
    assert_eq!(
        table.next_transition(at(&berlin, day.at(11, 59, 0, 0))),
        Some(Transition {
            at: at(&berlin, day.at(18, 0, 0, 0)),
            change: Change::Lock
        })
    );
}

#[test]
fn overlapping_kinds_merge_too() {
    let berlin = zone("Europe/Berlin");
    let day = date(2026, 11, 23);
    let schedules = [
        recurring(1, Weekdays::EVERY_DAY, vec![window("08:00", "18:00")]),
        single(
            2,
            at(&berlin, day.at(17, 0, 0, 0)),
            at(&berlin, day.at(20, 0, 0, 0)),
        ),
        all_day(3, date(2026, 11, 24), date(2026, 11, 24)),
    ];
    let holidays = HolidayCalendar::empty();
    let table = Timetable::new(&schedules, &holidays, &berlin);
    let window = table.active_at(at(&berlin, day.at(9, 0, 0, 0))).unwrap();
    assert_eq!(local(&berlin, window.end), day.at(20, 0, 0, 0));
    // The all-day event on the 24th swallows its 08:00–18:00.
    let next = table.next_windows(at(&berlin, day.at(9, 0, 0, 0)), 3);
    let ends: Vec<_> = next.iter().map(|w| local(&berlin, w.end)).collect();
    assert_eq!(
        ends,
        vec![
            day.at(20, 0, 0, 0),
            date(2026, 11, 25).at(0, 0, 0, 0),
            date(2026, 11, 25).at(18, 0, 0, 0)
        ]
    );
}

#[test]
fn transitions_through_a_day() {
    let ny = zone("America/New_York");
    let schedules = [recurring(
        1,
        Weekdays::MONDAY_TO_FRIDAY,
        vec![window("08:00", "12:00"), window("13:00", "17:00")],
    )];
    let holidays = HolidayCalendar::empty();
    let table = Timetable::new(&schedules, &holidays, &ny);
    let friday = date(2026, 11, 27);
    let steps = [
        (friday.at(7, 0, 0, 0), friday.at(8, 0, 0, 0), Change::Unlock),
        (friday.at(8, 0, 0, 0), friday.at(12, 0, 0, 0), Change::Lock),
        (
            friday.at(12, 0, 0, 0),
            friday.at(13, 0, 0, 0),
            Change::Unlock,
        ),
        (friday.at(16, 0, 0, 0), friday.at(17, 0, 0, 0), Change::Lock),
        // The weekend is skipped.
        (
            friday.at(17, 0, 0, 0),
            date(2026, 11, 30).at(8, 0, 0, 0),
            Change::Unlock,
        ),
    ];
    for (now, expected, change) in steps {
        let next = table.next_transition(at(&ny, now)).unwrap();
        assert_eq!(
            (local(&ny, next.at), next.change),
            (expected, change),
            "from {now}"
        );
    }
}

#[test]
fn disabled_schedules_do_nothing() {
    let berlin = zone("Europe/Berlin");
    let mut office = recurring(1, Weekdays::EVERY_DAY, vec![window("08:00", "18:00")]);
    office.enabled = false;
    let schedules = [office];
    let holidays = HolidayCalendar::empty();
    let table = Timetable::new(&schedules, &holidays, &berlin);
    let noon = at(&berlin, date(2026, 11, 23).at(12, 0, 0, 0));
    assert_eq!(table.active_at(noon), None);
    assert_eq!(table.next_transition(noon), None);
    assert!(table.next_windows(noon, 5).is_empty());
}

#[test]
fn around_the_clock_is_open_ended() {
    let berlin = zone("Europe/Berlin");
    let schedules = [recurring(
        1,
        Weekdays::EVERY_DAY,
        vec![window("00:00", "00:00")],
    )];
    let holidays = HolidayCalendar::empty();
    let table = Timetable::new(&schedules, &holidays, &berlin);
    let noon = at(&berlin, date(2026, 11, 23).at(12, 0, 0, 0));
    let window = table.active_at(noon).unwrap();
    assert!(window.open_ended);
    assert_eq!(table.next_transition(noon), None);
    assert_eq!(table.next_windows(noon, 5).len(), 1);
}

#[test]
fn a_holiday_skips_the_day() {
    let berlin = zone("Europe/Berlin");
    let schedules = [recurring(
        1,
        Weekdays::EVERY_DAY,
        vec![window("08:00", "18:00")],
    )];
    let holidays = HolidayCalendar::new(&[Holiday {
        id: 1,
        name: "Boxing Day".into(),
        date: date(2000, 12, 26),
        yearly: true,
        suppress_time_restrictions: true,
    }]);
    let table = Timetable::new(&schedules, &holidays, &berlin);
    let evening = at(&berlin, date(2026, 12, 25).at(19, 0, 0, 0));
    let next = table.next_transition(evening).unwrap();
    assert_eq!(local(&berlin, next.at), date(2026, 12, 27).at(8, 0, 0, 0));
    assert_eq!(
        table.active_at(at(&berlin, date(2026, 12, 26).at(12, 0, 0, 0))),
        None
    );
}

#[test]
fn the_repeated_hour_unlocks_once() {
    // New York repeats 01:00–02:00 on 2026-11-01 (05:00Z–06:00Z EDT, 06:00Z–07:00Z EST).
    let ny = zone("America/New_York");
    let schedules = [recurring(
        1,
        Weekdays::EVERY_DAY,
        vec![window("01:00", "01:30")],
    )];
    let holidays = HolidayCalendar::empty();
    let table = Timetable::new(&schedules, &holidays, &ny);
    let first = table.active_at(utc("2026-11-01T05:15:00Z")).unwrap();
    assert_eq!(
        (first.start, first.end),
        (utc("2026-11-01T05:00:00Z"), utc("2026-11-01T05:30:00Z"))
    );
    assert_eq!(
        table.active_at(utc("2026-11-01T06:15:00Z")),
        None,
        "01:15 EST: the window already ran"
    );
    let next = table.next_transition(first.end).unwrap();
    assert_eq!(
        next,
        Transition {
            at: utc("2026-11-02T06:00:00Z"),
            change: Change::Unlock
        }
    );
}

#[test]
fn the_skipped_hour_unlocks_when_it_ends() {
    let ny = zone("America/New_York");
    let schedules = [recurring(
        1,
        Weekdays::EVERY_DAY,
        vec![window("02:30", "04:00")],
    )];
    let holidays = HolidayCalendar::empty();
    let table = Timetable::new(&schedules, &holidays, &ny);
    let next = table.next_transition(utc("2026-03-08T05:00:00Z")).unwrap();
    // 03:00 EDT, the first instant after the gap.
    assert_eq!(
        next,
        Transition {
            at: utc("2026-03-08T07:00:00Z"),
            change: Change::Unlock
        }
    );
    let window = table.active_at(next.at).unwrap();
    assert_eq!(window.end, utc("2026-03-08T08:00:00Z"));
    assert_eq!(table.active_at(ms(next.at, -1)), None);
}

#[test]
fn the_next_windows_for_the_editor() {
    let kiritimati = zone("Pacific/Kiritimati");
    let schedules = [recurring(
        1,
        Weekdays::MONDAY_TO_FRIDAY,
        vec![window("22:00", "06:00")],
    )];
    let holidays = HolidayCalendar::empty();
    let table = Timetable::new(&schedules, &holidays, &kiritimati);
    // Saturday 03:00: Friday's night is running.
    let now = at(&kiritimati, date(2026, 11, 28).at(3, 0, 0, 0));
    let next = table.next_windows(now, 5);
    let starts: Vec<_> = next.iter().map(|w| local(&kiritimati, w.start)).collect();
    assert_eq!(
        starts,
        [27, 30]
            .map(|d| date(2026, 11, d).at(22, 0, 0, 0))
            .into_iter()
            .chain([1, 2, 3].map(|d| date(2026, 12, d).at(22, 0, 0, 0)))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        super::format_span(next[0].span(), &kiritimati),
        "Fri 2026-11-27 22:00 – Sat 2026-11-28 06:00 +14"
    );
    assert_eq!(
        super::format_span(next[0].span(), &zone("UTC")),
        "Fri 2026-11-27 08:00–16:00 UTC"
    );
}
