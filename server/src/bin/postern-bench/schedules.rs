//! (g) Scheduled unlocks: the pure computation the runner does for every
//! door, the next transition, for 10,000 doors with 5 schedules each (three
//! recurring, one all-day, one single event) in five time zones, each place
//! with a holiday calendar. One thread; median of three rounds.

use jiff::civil::{date, Date};
use jiff::tz::TimeZone;
use postern::access::LocalTime;
use postern::schedule::{
    AllDayEvent, Change, DailyWindow, Holiday, HolidayCalendar, Recurring, Schedule, ScheduleKind,
    SingleEvent, Timetable, Weekdays,
};
use postern::types::Timestamp;
use std::hint::black_box;
use std::time::Instant;

const DOORS: usize = 10_000;
const ROUNDS: usize = 3;
const ZONES: [&str; 5] = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Auckland",
];
/// Monday 2026-11-23 12:00 UTC; each door asks at its own time of the week.
const NOW_MS: i64 = 1_795_435_200_000;
const MINUTE_MS: i64 = 60_000;

/// A place: its zone and its holiday calendar.
struct Place {
    zone: TimeZone,
    holidays: HolidayCalendar,
}

/// A door: its place, its schedules, and when it asks.
struct Door {
    place: usize,
    schedules: Vec<Schedule>,
    now: Timestamp,
}

pub fn run() {
    let places: Vec<Place> = ZONES
        .iter()
        .map(|name| Place {
            zone: TimeZone::get(name).expect("a bundled zone"),
            holidays: holidays(),
        })
        .collect();
    let doors: Vec<Door> = (0..DOORS).map(|i| door(i, &places)).collect();
    let mut rounds: Vec<(f64, usize)> = (0..ROUNDS).map(|_| round(&places, &doors)).collect();
    rounds.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (seconds, unlocks) = rounds[ROUNDS / 2];
    println!(
        "(g) scheduled unlocks: next transition for 10,000 doors × 5 schedules with a holiday calendar: {:.0} doors/s, total {:.1} ms",
        DOORS as f64 / seconds,
        seconds * 1e3
    );
    println!("    ({unlocks} doors locked now and waiting to unlock, {} unlocked now; median of {ROUNDS} rounds)", DOORS - unlocks);
}

/// One pass over every door; (seconds, doors whose next change is an unlock).
fn round(places: &[Place], doors: &[Door]) -> (f64, usize) {
    let started = Instant::now();
    let mut unlocks = 0;
    for door in doors {
        let place = &places[door.place];
        let table = Timetable::new(&door.schedules, &place.holidays, &place.zone);
        let next = black_box(table.next_transition(black_box(door.now)));
        let next = next.expect("every bench door has a next transition");
        unlocks += usize::from(next.change == Change::Unlock);
    }
    (started.elapsed().as_secs_f64(), unlocks)
}

fn door(i: usize, places: &[Place]) -> Door {
    let place = i % places.len();
    let zone = &places[place].zone;
    // Spread over a week, so some doors are unlocked now and some not.
    let now = Timestamp::from_millis(NOW_MS + (i as i64 * 37 % (7 * 24 * 60)) * MINUTE_MS);
    let time = |h: u8, m: u8| LocalTime::from_hm(h, m).expect("a time");
    let window = |start, end| DailyWindow { start, end };
    let recurring = |days, windows, from, until| {
        ScheduleKind::Recurring(Recurring {
            days,
            windows,
            from,
            until,
        })
    };
    let today = jiff::Timestamp::from_millisecond(now.millis())
        .expect("an instant")
        .to_zoned(zone.clone())
        .date();
    let day = |offset: i64| {
        today
            .checked_add(jiff::Span::new().days(offset))
            .expect("a date")
    };
    let kinds = [
        recurring(
            Weekdays::MONDAY_TO_FRIDAY,
            vec![
                window(time(8, 0), time(12, 0)),
                window(time(13, 0), time(17, (i % 4) as u8 * 15)),
            ],
            None,
            None,
        ),
        recurring(
            Weekdays::WEEKEND,
            vec![window(time(9, 0), time(13, 0))],
            None,
            None,
        ),
        recurring(
            Weekdays::MONDAY_TO_FRIDAY,
            vec![window(time(22, 0), time(6, 0))],
            Some(day(-30)),
            Some(day(90)),
        ),
        ScheduleKind::AllDay(AllDayEvent::on(day((i % 60) as i64 + 1))),
        ScheduleKind::Single(SingleEvent {
            start: Timestamp::from_millis(now.millis() + (i % 100) as i64 * 60 * MINUTE_MS),
            end: Timestamp::from_millis(now.millis() + ((i % 100) as i64 + 2) * 60 * MINUTE_MS),
        }),
    ];
    let schedules = kinds
        .into_iter()
        .enumerate()
        .map(|(k, kind)| Schedule {
            id: (i * 5 + k) as i64,
            kind,
            enabled: true,
            first_in: false,
            last_out_after: None,
        })
        .collect();
    Door {
        place,
        schedules,
        now,
    }
}

/// A year of public holidays: yearly ones and this year's movable feasts.
fn holidays() -> HolidayCalendar {
    let holiday = |id: i64, name: &str, date: Date, yearly: bool| Holiday {
        id,
        name: name.into(),
        date,
        yearly,
        suppress_time_restrictions: false,
    };
    HolidayCalendar::new(&[
        holiday(1, "New Year's Day", date(2000, 1, 1), true),
        holiday(2, "Labour Day", date(2000, 5, 1), true),
        holiday(3, "Christmas Eve", date(2000, 12, 24), true),
        holiday(4, "Christmas Day", date(2000, 12, 25), true),
        holiday(5, "Boxing Day", date(2000, 12, 26), true),
        holiday(6, "New Year's Eve", date(2000, 12, 31), true),
        holiday(7, "Leap Day", date(2000, 2, 29), true),
        holiday(8, "Thanksgiving", date(2026, 11, 26), false),
        holiday(9, "Day after Thanksgiving", date(2026, 11, 27), false),
        holiday(10, "Good Friday", date(2027, 3, 26), false),
        holiday(11, "Easter Monday", date(2027, 3, 29), false),
        holiday(12, "Ascension Day", date(2027, 5, 6), false),
    ])
}
