//! One door's scheduled state at an instant: the window that should hold it
//! open (after the zone's arming, first-in, last-out and "closed for the
//! day"), what holds a window back, and when to look again. Pure once the
//! door is loaded.

use super::{parse_stored_date, time_zone, Db, ServiceResult};
use crate::schedule::wall_clock::{add_days, local_date, start_of_day};
use crate::schedule::{HolidayCalendar, Schedule, Timetable, Window};
use crate::types::{Timestamp, ZoneArming};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// Why a door's scheduled unlock is not holding it open although a
/// schedule says it should be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", content = "arming", rename_all = "snake_case")]
pub enum HeldBack {
    /// A first-in schedule waits for someone with access to unlock a door
    /// of the zone today.
    WaitingForFirstIn,
    /// The zone is armed (stay or away) and the door is an exterior door.
    ZoneArmed(ZoneArming),
    /// The zone was closed for the day (by an admin, or by the last person
    /// out).
    ClosedForTheDay,
    /// The door (or its place) is locked down.
    LockedDown,
}

impl HeldBack {
    /// Stable identifier.
    pub fn code(&self) -> &'static str {
        match self {
            HeldBack::WaitingForFirstIn => "waiting_for_first_in",
            HeldBack::ZoneArmed(_) => "zone_armed",
            HeldBack::ClosedForTheDay => "closed_for_the_day",
            HeldBack::LockedDown => "locked_down",
        }
    }

    /// What the door page shows.
    pub fn sentence(&self) -> String {
        match self {
            HeldBack::WaitingForFirstIn => {
                "Waiting for the first person in: the scheduled unlock starts when someone with access unlocks a door of this zone today.".into()
            }
            HeldBack::ZoneArmed(arming) => format!(
                "Zone {}: scheduled unlocks do not open exterior doors until the zone is disarmed.",
                arming.label().to_lowercase()
            ),
            HeldBack::ClosedForTheDay => {
                "Closed for the day: scheduled unlocks resume tomorrow.".into()
            }
            HeldBack::LockedDown => "Locked down: scheduled unlocks wait until the lockdown is cancelled.".into(),
        }
    }
}

/// What the runner and the door page need of a door.
#[derive(Clone, Debug)]
pub(super) struct DoorFacts {
    pub id: i64,
    pub name: String,
    pub place_id: i64,
    pub zone: TimeZone,
    pub controller_id: Option<i64>,
    pub relay: Option<u8>,
    pub exterior: bool,
    /// The door or its place is locked down.
    pub locked_down: bool,
    pub arming: Option<ZoneArming>,
    pub zone_first_in: Option<Date>,
    pub zone_closed: Option<Date>,
    /// The window the runner holds open (start, end).
    pub applied: Option<(Timestamp, Timestamp)>,
    /// A window ended early, not to be opened again.
    pub skipped_start: Option<Timestamp>,
    /// First-in of a door without a zone.
    pub door_first_in: Option<Date>,
}

#[derive(sqlx::FromRow)]
struct DoorFactsRow {
    id: i64,
    name: String,
    place_id: i64,
    time_zone: String,
    controller_id: Option<i64>,
    relay: Option<i64>,
    exterior: i64,
    locked_down: i64,
    arming: Option<String>,
    zone_first_in: Option<String>,
    zone_closed: Option<String>,
    applied_start: Option<i64>,
    applied_end: Option<i64>,
    skipped_start: Option<i64>,
    door_first_in: Option<String>,
}

const SELECT: &str =
    "SELECT d.id, d.name, d.place_id, p.time_zone, d.controller_id, d.relay, d.exterior,
    CASE WHEN d.locked_down_at IS NULL AND p.locked_down_at IS NULL THEN 0 ELSE 1 END AS locked_down,
    z.arming, z.first_in_date AS zone_first_in, z.closed_date AS zone_closed,
    s.applied_start, s.applied_end, s.skipped_start, s.first_in_date AS door_first_in
    FROM doors d JOIN places p ON p.id = d.place_id
    LEFT JOIN zones z ON z.id = d.zone_id
    LEFT JOIN schedule_state s ON s.door_id = d.id";

impl From<DoorFactsRow> for DoorFacts {
    fn from(row: DoorFactsRow) -> DoorFacts {
        let at = |ms: Option<i64>| ms.map(Timestamp::from_millis);
        DoorFacts {
            id: row.id,
            name: row.name,
            place_id: row.place_id,
            zone: time_zone(&row.time_zone),
            controller_id: row.controller_id,
            relay: row.relay.and_then(|r| u8::try_from(r).ok()),
            exterior: row.exterior != 0,
            locked_down: row.locked_down != 0,
            arming: row
                .arming
                .as_deref()
                .and_then(|a| ZoneArming::parse(a).ok()),
            zone_first_in: parse_stored_date(row.zone_first_in.as_deref()),
            zone_closed: parse_stored_date(row.zone_closed.as_deref()),
            applied: at(row.applied_start).zip(at(row.applied_end)),
            skipped_start: at(row.skipped_start),
            door_first_in: parse_stored_date(row.door_first_in.as_deref()),
        }
    }
}

/// One door.
pub(super) async fn load_door(db: &Db, door_id: i64) -> ServiceResult<Option<DoorFacts>> {
    let row: Option<DoorFactsRow> = sqlx::query_as(&format!("{SELECT} WHERE d.id = $1"))
        .bind(door_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(DoorFacts::from))
}

/// Every door the runner has business with: those with schedules, and
/// those it holds open.
pub(super) async fn load_scheduled_doors(db: &Db) -> ServiceResult<Vec<DoorFacts>> {
    let rows: Vec<DoorFactsRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE s.applied_start IS NOT NULL
         OR EXISTS (SELECT 1 FROM scheduled_unlocks u WHERE u.door_id = d.id) ORDER BY d.id"
    ))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(DoorFacts::from).collect())
}

/// A door's scheduled state at `now`.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Plan {
    /// The window that should hold the door open now.
    pub window: Option<Window>,
    /// Why a schedule that would hold it open does not.
    pub held_back: Option<HeldBack>,
    /// When this plan may change by itself (a transition, or local midnight
    /// for the day's first-in and closing).
    pub wake_at: Option<Timestamp>,
}

/// The door's plan at `now` with its `schedules` and its place's `holidays`.
pub(super) fn plan(
    door: &DoorFacts,
    schedules: &[Schedule],
    holidays: &HolidayCalendar,
    now: Timestamp,
) -> Plan {
    let today = local_date(&door.zone, now);
    let armed = door.exterior && matches!(door.arming, Some(ZoneArming::Stay | ZoneArming::Away));
    let closed = door.zone_closed == Some(today);
    let first_in_today = door.zone_first_in == Some(today) || door.door_first_in == Some(today);
    let effective: Vec<Schedule> = if armed || closed || door.locked_down {
        Vec::new()
    } else {
        schedules
            .iter()
            .filter(|s| s.enabled && (!s.first_in || first_in_today))
            .cloned()
            .collect()
    };
    let timetable = Timetable::new(&effective, holidays, &door.zone);
    let mut window = timetable.active_at(now);
    let skipped = window.is_some_and(|w| Some(w.start) == door.skipped_start);
    if skipped {
        window = None;
    }
    let would = window.is_none()
        && Timetable::new(schedules, holidays, &door.zone)
            .active_at(now)
            .is_some();
    let reason = match door.arming {
        _ if door.locked_down => HeldBack::LockedDown,
        Some(arming) if armed => HeldBack::ZoneArmed(arming),
        _ if closed || skipped => HeldBack::ClosedForTheDay,
        _ => HeldBack::WaitingForFirstIn,
    };
    let held_back = would.then_some(reason);
    let by_day = closed || schedules.iter().any(|s| s.enabled && s.first_in);
    let midnight = by_day.then(|| start_of_day(&door.zone, add_days(today, 1)));
    let transition = timetable.next_transition(now).map(|t| t.at);
    let wake_at = [midnight, transition].into_iter().flatten().min();
    Plan {
        window,
        held_back,
        wake_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::LocalTime;
    use crate::schedule::wall_clock::instant_of;
    use crate::schedule::{DailyWindow, Recurring, ScheduleKind, Weekdays};
    use jiff::civil::date;

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    fn door() -> DoorFacts {
        DoorFacts {
            id: 1,
            name: "Front".into(),
            place_id: 1,
            zone: berlin(),
            controller_id: Some(1),
            relay: Some(1),
            exterior: true,
            locked_down: false,
            arming: Some(ZoneArming::Disarmed),
            zone_first_in: None,
            zone_closed: None,
            applied: None,
            skipped_start: None,
            door_first_in: None,
        }
    }

    fn office(first_in: bool) -> Schedule {
        let time = |t| LocalTime::parse(t).unwrap();
        Schedule {
            id: 7,
            kind: ScheduleKind::Recurring(Recurring {
                days: Weekdays::MONDAY_TO_FRIDAY,
                windows: vec![DailyWindow {
                    start: time("08:00"),
                    end: time("18:00"),
                }],
                from: None,
                until: None,
            }),
            enabled: true,
            first_in,
            last_out_after: None,
        }
    }

    fn at(hour: i8) -> Timestamp {
        // Monday 2026-11-23.
        instant_of(&berlin(), date(2026, 11, 23).at(hour, 0, 0, 0))
    }

    #[test]
    fn an_active_window_holds_the_door_until_its_end() {
        let plan = plan(&door(), &[office(false)], &HolidayCalendar::empty(), at(10));
        let window = plan.window.unwrap();
        assert_eq!((window.start, window.end), (at(8), at(18)));
        assert_eq!(plan.held_back, None);
        assert_eq!(plan.wake_at, Some(at(18)));
    }

    #[test]
    fn an_armed_zone_holds_exterior_doors_back_only() {
        let armed = DoorFacts {
            arming: Some(ZoneArming::Away),
            ..door()
        };
        let plan_armed = plan(&armed, &[office(false)], &HolidayCalendar::empty(), at(10));
        assert_eq!(plan_armed.window, None);
        assert_eq!(
            plan_armed.held_back,
            Some(HeldBack::ZoneArmed(ZoneArming::Away))
        );
        assert!(plan_armed
            .held_back
            .unwrap()
            .sentence()
            .contains("armed (away)"));
        let interior = DoorFacts {
            exterior: false,
            locked_down: false,
            ..armed
        };
        assert!(plan(
            &interior,
            &[office(false)],
            &HolidayCalendar::empty(),
            at(10)
        )
        .window
        .is_some());
    }

    #[test]
    fn first_in_waits_for_an_unlock_that_day_and_looks_again_at_midnight() {
        let waiting = plan(&door(), &[office(true)], &HolidayCalendar::empty(), at(10));
        assert_eq!(
            (waiting.window, waiting.held_back),
            (None, Some(HeldBack::WaitingForFirstIn))
        );
        assert_eq!(
            waiting.wake_at,
            Some(instant_of(&berlin(), date(2026, 11, 24).at(0, 0, 0, 0)))
        );
        let yesterday = DoorFacts {
            zone_first_in: Some(date(2026, 11, 22)),
            ..door()
        };
        assert_eq!(
            plan(
                &yesterday,
                &[office(true)],
                &HolidayCalendar::empty(),
                at(10)
            )
            .window,
            None
        );
        let today = DoorFacts {
            zone_first_in: Some(date(2026, 11, 23)),
            ..door()
        };
        let plan = plan(&today, &[office(true)], &HolidayCalendar::empty(), at(10));
        assert_eq!(plan.window.map(|w| w.end), Some(at(18)));
        assert_eq!(plan.wake_at, Some(at(18)));
    }

    #[test]
    fn a_closed_day_or_a_skipped_window_stays_shut() {
        let closed = DoorFacts {
            zone_closed: Some(date(2026, 11, 23)),
            ..door()
        };
        let plan_closed = plan(&closed, &[office(false)], &HolidayCalendar::empty(), at(10));
        assert_eq!(
            (plan_closed.window, plan_closed.held_back),
            (None, Some(HeldBack::ClosedForTheDay))
        );
        let skipped = DoorFacts {
            skipped_start: Some(at(8)),
            ..door()
        };
        let plan_skipped = plan(
            &skipped,
            &[office(false)],
            &HolidayCalendar::empty(),
            at(10),
        );
        assert_eq!(
            (plan_skipped.window, plan_skipped.held_back),
            (None, Some(HeldBack::ClosedForTheDay))
        );
        assert_eq!(plan_skipped.wake_at, Some(at(18)));
    }

    #[test]
    fn a_disabled_schedule_holds_nothing_and_is_not_held_back() {
        let disabled = Schedule {
            enabled: false,
            ..office(false)
        };
        let plan = plan(&door(), &[disabled], &HolidayCalendar::empty(), at(10));
        assert_eq!(
            plan,
            Plan {
                window: None,
                held_back: None,
                wake_at: None
            }
        );
    }
}
