//! The scheduled-unlock runner against real SQLite and PostgreSQL, with a
//! clock the test moves by hand, and a simulated controller whose relays
//! the test reads. The server's own runner (system clock) is not started
//! here: each scenario builds the services it needs and starts the runner
//! on a `ManualClock`. The last test runs two real `postern serve`
//! processes on one PostgreSQL database and kills the one running the
//! schedules.

mod common;
#[path = "support/servers.rs"]
mod servers;

use postern::model::{ControllerForm, DoorForm, PlaceForm, SessionUser};
use postern::schedule::wall_clock::local;
use postern::schedule::{ScheduleForm, ScheduleKind, SingleEvent, WindowForm};
use postern::services::audit::Actor;
use postern::services::bridge::{Bridges, Command};
use postern::services::event_writer::EventWriter;
use postern::services::live::Live;
use postern::services::schedules::{self, HeldBack, ManualClock, Scheduler};
use postern::services::unlock::UnlockService;
use postern::services::{controllers, doors, places, Db};
use postern::types::{Role, Timestamp, ZoneArming};
use common::eventually;
use std::sync::Arc;
use std::time::{Duration, Instant};

const MINUTE: i64 = 60_000;
const ZONE: &str = "America/New_York";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh database with a place, a simulated controller and two doors on
/// relays 1 and 2, the services around them, and a stopped clock.
struct Site {
    db: Db,
    bridges: Bridges,
    live: Live,
    clock: ManualClock,
    /// When the clock started: Tuesday 2030-06-04 10:00 at the place (far
    /// from midnight and from clock changes), or the current minute.
    t0: i64,
    door: i64,
    other_door: i64,
    place: i64,
    controller: i64,
    admin: SessionUser,
    scheduler: Option<Scheduler>,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres(String),
}

async fn admin_execute(sql: &str) {
    use sqlx::{Connection, Executor};
    sqlx::any::install_default_drivers();
    let mut conn =
        sqlx::AnyConnection::connect(&format!("{}/postgres", common::postgres_admin_url()))
            .await
            .expect("PostgreSQL runs");
    conn.execute(sql).await.expect("admin SQL");
}

/// A fresh, migrated database.
async fn fresh_database(backend: Backend) -> (String, Cleanup) {
    let name = format!("postern_sched_{:016x}", rand::random::<u64>());
    match backend {
        Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            (format!("sqlite://{}", path.display()), Cleanup::File(path))
        }
        Backend::Postgres => {
            admin_execute(&format!("CREATE DATABASE {name}")).await;
            (
                format!("{}/{name}", common::postgres_admin_url()),
                Cleanup::Postgres(name),
            )
        }
    }
}

/// The place, its controller and two doors; returns (place, controller, door, other door).
async fn furnish(db: &Db) -> (i64, i64, i64, i64) {
    let place = PlaceForm {
        name: "HQ".into(),
        latitude: "40.7".into(),
        longitude: "-74.0".into(),
        time_zone: ZONE.into(),
        ..Default::default()
    };
    let place_id = places::insert(db, &place.validate().unwrap())
        .await
        .unwrap();
    let controller = ControllerForm {
        name: "C1".into(),
        place_id: place_id.to_string(),
        ..Default::default()
    };
    let controller_id = controllers::insert(db, &controller.validate().unwrap())
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (name, relay) in [("Front", "1"), ("Back", "2")] {
        let door = DoorForm {
            name: name.into(),
            place_id: place_id.to_string(),
            controller_id: controller_id.to_string(),
            relay: relay.into(),
            exterior: Some("on".into()),
            ..Default::default()
        };
        ids.push(doors::insert(db, &door.validate().unwrap()).await.unwrap());
    }
    (place_id, controller_id, ids[0], ids[1])
}

impl Site {
    async fn new(backend: Backend) -> Site {
        postern_server::telemetry::init("warn");
        let (url, cleanup) = fresh_database(backend).await;
        let db = Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let (place, controller, door, other_door) = furnish(&db).await;
        let live = Live::start(db.clone());
        let events = EventWriter::spawn_with_hook(db.clone(), Some(live.commit_hook()));
        let unlock = UnlockService::start(db.clone(), events, live.clone())
            .await
            .unwrap();
        let zone = jiff::tz::TimeZone::get(ZONE).unwrap();
        let t0 = postern::schedule::wall_clock::instant_of(
            &zone,
            jiff::civil::date(2030, 6, 4).at(10, 0, 0, 0),
        )
        .millis();
        Site {
            bridges: unlock.bridges().clone(),
            db,
            live,
            clock: ManualClock::new(Timestamp::from_millis(t0)),
            t0,
            door,
            other_door,
            place,
            controller,
            admin: SessionUser {
                id: 1,
                name: "Olive Owner".into(),
                email: "owner@example.com".into(),
                role: Role::Owner,
            },
            scheduler: None,
            cleanup,
        }
    }

    /// Starts the clock at the current minute instead (so the door pages,
    /// which read the machine's clock, agree).
    fn use_real_time(&mut self) {
        self.t0 = postern::services::now_ms() / MINUTE * MINUTE;
        self.at(0);
    }

    /// Starts the runner (as after a restart, when one ran before).
    fn start(&mut self) {
        assert!(self.scheduler.is_none());
        let clock: Arc<dyn schedules::Clock> = Arc::new(self.clock.clone());
        self.scheduler = Some(Scheduler::start_with_clock(
            self.db.clone(),
            self.bridges.clone(),
            self.live.clone(),
            clock,
        ));
    }

    /// Stops the runner (the server going down).
    async fn stop(&mut self) {
        self.scheduler.take().expect("a runner").stop().await;
    }

    /// Moves the clock to `t0 + minutes`.
    fn at(&self, minutes: i64) {
        self.clock
            .set(Timestamp::from_millis(self.t0 + minutes * MINUTE));
    }

    /// "HH:MM" at the place, `minutes` after t0.
    fn local_time(&self, minutes: i64) -> String {
        let zone = jiff::tz::TimeZone::get(ZONE).unwrap();
        local(&zone, Timestamp::from_millis(self.t0 + minutes * MINUTE))
            .strftime("%H:%M")
            .to_string()
    }

    /// Every day, from `from` to `to` minutes after t0 (local times).
    fn recurring(&self, from: i64, to: i64) -> ScheduleForm {
        let on = Some("on".to_string());
        ScheduleForm {
            kind: "recurring".into(),
            mon: on.clone(),
            tue: on.clone(),
            wed: on.clone(),
            thu: on.clone(),
            fri: on.clone(),
            sat: on.clone(),
            sun: on.clone(),
            windows: vec![WindowForm {
                start: self.local_time(from),
                end: self.local_time(to),
            }],
            enabled: on,
            ..Default::default()
        }
    }

    fn relay_held(&self, relay: usize) -> bool {
        self.bridges
            .simulated(self.controller)
            .expect("simulated controller")
            .snapshot()
            .relays_energized[relay - 1]
    }

    async fn unlocked_until(&self, door: i64) -> Option<i64> {
        let (until,): (Option<i64>,) =
            sqlx::query_as("SELECT unlocked_until FROM doors WHERE id = $1")
                .bind(door)
                .fetch_one(self.db.pool())
                .await
                .unwrap();
        until
    }

    /// How many events of `action` the door has, checking they are the runner's.
    async fn count(&self, door: i64, action: &str) -> i64 {
        let rows: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT actor_kind, method FROM events WHERE door_id = $1 AND action = $2",
        )
        .bind(door)
        .bind(action)
        .fetch_all(self.db.pool())
        .await
        .unwrap();
        for (actor_kind, method) in &rows {
            assert_eq!(
                (actor_kind.as_str(), method.as_deref()),
                ("schedule", Some("schedule"))
            );
        }
        rows.len() as i64
    }

    async fn cleanup(mut self) {
        if let Some(scheduler) = self.scheduler.take() {
            scheduler.stop().await;
        }
        self.db.close().await;
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres(name) => {
                admin_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await
            }
        }
    }
}

/// Gives the runner time to act (when the test expects nothing to happen).
async fn settle() {
    tokio::time::sleep(Duration::from_millis(700)).await;
}

macro_rules! on_both {
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let site = super::Site::new(super::Backend::Sqlite).await;
                let site = super::$scenario(site).await;
                site.cleanup().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let site = super::Site::new(super::Backend::Postgres).await;
                let site = super::$scenario(site).await;
                site.cleanup().await;
            }
        }
    };
}

/// A recurring window active now holds the relay, the door reads Unlocked
/// until the window's end, "started" is logged; at the end all of it
/// reverses and "ended" is logged.
async fn a_recurring_window_holds_the_door_until_its_end(mut site: Site) -> Site {
    site.use_real_time();
    let id = site.schedule(site.door, &site.recurring(-60, 120)).await;
    let (door_id, stored) = schedules::get(&site.db, id).await.unwrap();
    assert_eq!(door_id, site.door);
    assert!(matches!(stored.kind, ScheduleKind::Recurring(_)) && stored.enabled);
    site.start();
    eventually("the relay is held", || async { site.relay_held(1) }).await;
    let end = site.t0 + 120 * MINUTE;
    eventually("unlocked until the window's end", || async {
        site.unlocked_until(site.door).await == Some(end)
    })
    .await;
    let door = doors::get(&site.db, site.door).await.unwrap();
    assert_eq!(
        door.status,
        postern::door_status::DoorStatus::Unlocked {
            until: Timestamp::from_millis(end)
        }
    );
    assert_eq!(site.count(site.door, "schedule.started").await, 1);
    assert!(!site.relay_held(2), "the other door is not scheduled");

    site.at(119);
    settle().await;
    assert!(site.relay_held(1));
    site.at(120);
    eventually("the relay is released at the end", || async {
        !site.relay_held(1)
    })
    .await;
    eventually("'unlocked until' is cleared", || async {
        site.unlocked_until(site.door).await.is_none()
    })
    .await;
    eventually("ended is logged", || async {
        site.count(site.door, "schedule.ended").await == 1
    })
    .await;
    assert_eq!(site.count(site.door, "schedule.started").await, 1);
    site
}
on_both!(a_recurring_window_holds_the_door_until_its_end);

/// After a restart: an active window is held again without a second
/// "started"; one that ended while the runner was down is closed and
/// logged "ended" exactly once.
async fn a_restart_reconciles_without_firing_twice(mut site: Site) -> Site {
    site.schedule(site.door, &site.recurring(-30, 60)).await;
    site.start();
    eventually("the relay is held", || async { site.relay_held(1) }).await;
    eventually("started is logged", || async {
        site.count(site.door, "schedule.started").await == 1
    })
    .await;
    site.stop().await;

    // The controller forgot (power cycle); the window is still on at the restart.
    site.bridges
        .command(site.controller, Command::Release { relay: 1 })
        .await
        .unwrap();
    assert!(!site.relay_held(1));
    site.at(10);
    site.start();
    eventually("held again after the restart", || async {
        site.relay_held(1)
    })
    .await;
    settle().await;
    assert_eq!(
        site.count(site.door, "schedule.started").await,
        1,
        "not logged twice"
    );
    site.stop().await;

    // Down across the end of the window.
    site.at(90);
    site.start();
    eventually("released after the restart", || async {
        !site.relay_held(1)
    })
    .await;
    eventually("ended is logged", || async {
        site.count(site.door, "schedule.ended").await == 1
    })
    .await;
    assert_eq!(site.unlocked_until(site.door).await, None);
    site.stop().await;

    site.at(91);
    site.start();
    settle().await;
    assert_eq!(
        site.count(site.door, "schedule.ended").await,
        1,
        "ended once"
    );
    assert_eq!(site.count(site.door, "schedule.started").await, 1);
    assert!(!site.relay_held(1));
    site
}
on_both!(a_restart_reconciles_without_firing_twice);

/// A disabled schedule does nothing; enabling it wakes the runner at once;
/// disabling it ends the window early.
async fn a_disabled_schedule_does_nothing(mut site: Site) -> Site {
    let form = ScheduleForm {
        enabled: None,
        ..site.recurring(-30, 60)
    };
    let id = site.schedule(site.door, &form).await;
    site.start();
    settle().await;
    assert!(!site.relay_held(1));
    assert_eq!(site.count(site.door, "schedule.started").await, 0);
    assert_eq!(
        schedules::held_back(&site.db, site.door, site.clock_now())
            .await
            .unwrap(),
        None
    );

    schedules::set_enabled(&site.db, &site.admin, id, true)
        .await
        .unwrap();
    eventually("held once enabled", || async { site.relay_held(1) }).await;
    schedules::set_enabled(&site.db, &site.admin, id, false)
        .await
        .unwrap();
    eventually("released once disabled", || async { !site.relay_held(1) }).await;
    eventually("ended early is logged", || async {
        site.count(site.door, "schedule.ended").await == 1
    })
    .await;
    assert_eq!(site.unlocked_until(site.door).await, None);
    schedules::delete(&site.db, &site.admin, id).await.unwrap();
    assert!(schedules::door_schedules(&site.db, site.door)
        .await
        .unwrap()
        .schedules
        .is_empty());
    site
}
on_both!(a_disabled_schedule_does_nothing);

impl Site {
    fn clock_now(&self) -> Timestamp {
        schedules::Clock::now(&self.clock)
    }

    /// Adds a scheduled unlock to a door through the service.
    async fn schedule(&self, door: i64, form: &ScheduleForm) -> i64 {
        schedules::create(&self.db, &self.admin, door, form)
            .await
            .unwrap()
    }

    /// A new zone holding both doors.
    async fn zone_of_both_doors(&self, name: &str) -> i64 {
        let zone = schedules::create_zone(&self.db, &self.admin, self.place, name)
            .await
            .unwrap();
        for door in [self.door, self.other_door] {
            schedules::set_door_zone(&self.db, &self.admin, door, Some(zone))
                .await
                .unwrap();
        }
        zone
    }

    async fn arm(&self, zone: i64, arming: ZoneArming) {
        schedules::set_arming(&self.db, &Actor::User(self.admin.clone()), zone, arming)
            .await
            .unwrap();
    }
}

/// An exterior door in an armed (away) zone is not unlocked; disarming the
/// zone lets the window start. An interior door of the zone runs anyway.
async fn an_armed_zone_holds_exterior_doors_back(mut site: Site) -> Site {
    let zone = site.zone_of_both_doors("Ground floor").await;
    sqlx::query("UPDATE doors SET exterior = 0 WHERE id = $1")
        .bind(site.other_door)
        .execute(site.db.pool())
        .await
        .unwrap();
    site.arm(zone, ZoneArming::Away).await;
    site.schedule(site.door, &site.recurring(-30, 60)).await;
    site.schedule(site.other_door, &site.recurring(-30, 60))
        .await;
    site.start();
    eventually("the interior door is held", || async { site.relay_held(2) }).await;
    settle().await;
    assert!(
        !site.relay_held(1),
        "the exterior door stays locked while armed"
    );
    assert_eq!(site.count(site.door, "schedule.started").await, 0);
    let held = schedules::held_back(&site.db, site.door, site.clock_now())
        .await
        .unwrap();
    assert_eq!(held, Some(HeldBack::ZoneArmed(ZoneArming::Away)));
    assert!(
        held.unwrap().sentence().contains("armed (away)"),
        "{}",
        held.unwrap().sentence()
    );

    site.arm(zone, ZoneArming::Disarmed).await;
    eventually("held once disarmed", || async { site.relay_held(1) }).await;
    assert_eq!(
        schedules::zone(&site.db, zone).await.unwrap().arming,
        ZoneArming::Disarmed
    );
    assert_eq!(
        schedules::held_back(&site.db, site.door, site.clock_now())
            .await
            .unwrap(),
        None
    );
    site
}
on_both!(an_armed_zone_holds_exterior_doors_back);

/// A first-in schedule waits until someone unlocks a door of the zone that
/// day; that unlock disarms the zone. The next day it waits again.
async fn first_in_waits_for_the_first_person(mut site: Site) -> Site {
    let zone = site.zone_of_both_doors("Office").await;
    site.arm(zone, ZoneArming::Stay).await;
    let form = ScheduleForm {
        first_in: Some("on".into()),
        ..site.recurring(-30, 60)
    };
    site.schedule(site.door, &form).await;
    site.start();
    settle().await;
    assert!(!site.relay_held(1));
    assert_eq!(
        schedules::held_back(&site.db, site.door, site.clock_now())
            .await
            .unwrap(),
        Some(HeldBack::ZoneArmed(ZoneArming::Stay))
    );
    site.arm(zone, ZoneArming::Disarmed).await;
    settle().await;
    assert!(!site.relay_held(1), "disarmed, but nobody came in yet");
    assert_eq!(
        schedules::held_back(&site.db, site.door, site.clock_now())
            .await
            .unwrap(),
        Some(HeldBack::WaitingForFirstIn)
    );

    // Someone unlocks the other door of the zone.
    site.arm(zone, ZoneArming::Stay).await;
    site.at(5);
    schedules::first_person_in(&site.db, site.other_door, site.t0 + 5 * MINUTE)
        .await
        .unwrap();
    eventually("held after the first person in", || async {
        site.relay_held(1)
    })
    .await;
    let found = schedules::zone(&site.db, zone).await.unwrap();
    assert_eq!(
        found.arming,
        ZoneArming::Disarmed,
        "the first person in disarms the zone"
    );
    assert!(found.first_in_date.is_some());
    eventually("started is logged", || async {
        site.count(site.door, "schedule.started").await == 1
    })
    .await;

    // The window ends; the next day's waits for its own first person.
    site.at(60);
    eventually("released at the end", || async { !site.relay_held(1) }).await;
    site.at(24 * 60);
    settle().await;
    assert!(
        !site.relay_held(1),
        "a new day waits for its first person in"
    );
    assert_eq!(
        schedules::held_back(&site.db, site.door, site.clock_now())
            .await
            .unwrap(),
        Some(HeldBack::WaitingForFirstIn)
    );
    site
}
on_both!(first_in_waits_for_the_first_person);

/// A morning rush: many first unlocks at once, at both doors of an armed
/// zone. The zone is disarmed once and the disarming logged once.
async fn a_rush_of_first_people_disarms_the_zone_once(site: Site) -> Site {
    let zone = site.zone_of_both_doors("Lobby").await;
    site.arm(zone, ZoneArming::Away).await;
    let at = site.t0 + MINUTE;
    let rush = (0..20).map(|i| {
        let (db, door) = (site.db.clone(), if i % 2 == 0 { site.door } else { site.other_door });
        tokio::spawn(async move { schedules::first_person_in(&db, door, at).await })
    });
    for done in futures_util::future::join_all(rush).await {
        done.unwrap().unwrap();
    }
    let found = schedules::zone(&site.db, zone).await.unwrap();
    assert_eq!(found.arming, ZoneArming::Disarmed);
    let (logged,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE action = 'zone.arming_changed' AND details = $1")
        .bind("Disarmed by the first person in")
        .fetch_one(site.db.pool())
        .await
        .unwrap();
    assert_eq!(logged, 1, "one disarming, logged once");
    site
}
on_both!(a_rush_of_first_people_disarms_the_zone_once);

/// A last-out schedule ends early when someone leaves after its time;
/// before that time, leaving changes nothing. "Close the day" ends every
/// window of the zone until tomorrow.
async fn last_out_and_close_the_day_end_the_window_early(mut site: Site) -> Site {
    let zone = site.zone_of_both_doors("Shop").await;
    let last_out = ScheduleForm {
        last_out_after: site.local_time(20),
        ..site.recurring(-30, 120)
    };
    site.schedule(site.door, &last_out).await;
    site.schedule(site.other_door, &site.recurring(-30, 120))
        .await;
    site.start();
    eventually("both held", || async {
        site.relay_held(1) && site.relay_held(2)
    })
    .await;

    // Too early to be the last one out.
    site.at(10);
    schedules::request_to_exit(&site.db, site.other_door, site.t0 + 10 * MINUTE)
        .await
        .unwrap();
    settle().await;
    assert!(site.relay_held(1));

    site.at(25);
    schedules::request_to_exit(&site.db, site.other_door, site.t0 + 25 * MINUTE)
        .await
        .unwrap();
    eventually("the last-out door is released", || async {
        !site.relay_held(1)
    })
    .await;
    eventually("ended early is logged", || async {
        site.count(site.door, "schedule.ended").await == 1
    })
    .await;
    assert!(site.relay_held(2), "a schedule without last-out runs on");
    assert_eq!(site.unlocked_until(site.door).await, None);
    site.at(30);
    settle().await;
    assert!(!site.relay_held(1), "not opened again");
    assert_eq!(
        schedules::held_back(&site.db, site.door, site.clock_now())
            .await
            .unwrap(),
        Some(HeldBack::ClosedForTheDay)
    );

    schedules::close_day(&site.db, &site.admin, zone, site.clock_now())
        .await
        .unwrap();
    eventually("closing the day releases the other door", || async {
        !site.relay_held(2)
    })
    .await;
    eventually("ended is logged for the other door", || async {
        site.count(site.other_door, "schedule.ended").await == 1
    })
    .await;
    assert_eq!(
        schedules::held_back(&site.db, site.other_door, site.clock_now())
            .await
            .unwrap(),
        Some(HeldBack::ClosedForTheDay)
    );

    // The next day runs as usual.
    site.at(24 * 60);
    eventually("the next day's window holds both", || async {
        site.relay_held(1) && site.relay_held(2)
    })
    .await;
    eventually("started is logged", || async {
        site.count(site.door, "schedule.started").await == 2
    })
    .await;
    site
}
on_both!(last_out_and_close_the_day_end_the_window_early);

/// An offline controller: the start is logged as failed once and retried
/// (every 15 s, and on any wake) until the controller is back.
async fn an_offline_controller_is_retried(mut site: Site) -> Site {
    let simulated = site.bridges.simulated(site.controller).unwrap();
    simulated.set_online(false);
    site.schedule(site.door, &site.recurring(-30, 60)).await;
    site.start();
    eventually("the failure is logged", || async {
        site.count(site.door, "schedule.failed").await == 1
    })
    .await;
    // The start was durable before the relay was asked to move (SPEC §9);
    // the failure follows it and the door does not read Unlocked.
    assert_eq!(site.count(site.door, "schedule.started").await, 1);
    assert_eq!(site.unlocked_until(site.door).await, None);
    simulated.set_online(true);
    // The retry is due 15 s (on the runner's clock) after the failure.
    site.clock.set(Timestamp::from_millis(site.t0 + 15_000));
    eventually("held on the retry", || async { site.relay_held(1) }).await;
    eventually("the door reads Unlocked again", || async {
        site.unlocked_until(site.door).await.is_some()
    })
    .await;
    assert_eq!(site.count(site.door, "schedule.started").await, 1, "one start for the window");
    assert_eq!(
        site.count(site.door, "schedule.failed").await,
        1,
        "the failure was logged once"
    );
    site
}
on_both!(an_offline_controller_is_retried);

/// Holidays and the schedule list a door's editor shows.
async fn holidays_and_the_editor_listing(site: Site) -> Site {
    use postern::schedule::HolidayForm;
    let form = HolidayForm {
        name: "New Year".into(),
        date: "2027-01-01".into(),
        yearly: Some("on".into()),
        ..Default::default()
    };
    let id = schedules::create_holiday(&site.db, &site.admin, site.place, &form)
        .await
        .unwrap();
    let twice = schedules::create_holiday(&site.db, &site.admin, site.place, &form)
        .await
        .unwrap_err();
    assert!(
        format!("{twice:?}").contains("already has a holiday"),
        "{twice:?}"
    );
    let bad = HolidayForm {
        name: "".into(),
        date: "2027-02-30".into(),
        ..Default::default()
    };
    assert!(
        schedules::create_holiday(&site.db, &site.admin, site.place, &bad)
            .await
            .is_err()
    );
    let renamed = HolidayForm {
        name: "New Year's Day".into(),
        ..form
    };
    schedules::update_holiday(&site.db, &site.admin, id, &renamed)
        .await
        .unwrap();
    let listed = schedules::list_holidays(&site.db, site.place)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].name.as_str(), listed[0].yearly),
        ("New Year's Day", true)
    );

    let single = ScheduleForm {
        kind: "single".into(),
        starts_at: "2027-01-01T09:00".into(),
        ends_at: "2027-01-01T12:00".into(),
        enabled: Some("on".into()),
        ..Default::default()
    };
    site.schedule(site.door, &single).await;
    let bad = ScheduleForm {
        ends_at: "2027-01-01T08:00".into(),
        ..single
    };
    let error = schedules::create(&site.db, &site.admin, site.door, &bad)
        .await
        .unwrap_err();
    assert!(format!("{error:?}").contains("ends_at"), "{error:?}");
    let listing = schedules::door_schedules(&site.db, site.door)
        .await
        .unwrap();
    assert_eq!(
        (
            listing.time_zone.as_str(),
            listing.schedules.len(),
            listing.holidays.len()
        ),
        (ZONE, 1, 1)
    );
    let ScheduleKind::Single(SingleEvent { start, .. }) = listing.schedules[0].kind else {
        panic!("a single event")
    };
    assert_eq!(start.to_rfc3339(), "2027-01-01T14:00:00Z");
    schedules::delete_holiday(&site.db, &site.admin, id)
        .await
        .unwrap();
    assert!(schedules::list_holidays(&site.db, site.place)
        .await
        .unwrap()
        .is_empty());
    let member = SessionUser {
        role: Role::Member,
        ..site.admin.clone()
    };
    assert!(
        schedules::create(&site.db, &member, site.door, &site.recurring(0, 10))
            .await
            .is_err()
    );
    site
}
on_both!(holidays_and_the_editor_listing);

/// Two `postern serve` processes on one PostgreSQL database: one runs the
/// schedules; SIGKILL it, and the other fires the next transition within
/// seconds (and does not log the window the first one started again).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_replica_takes_over_when_the_first_dies() {
    let (url, cleanup) = fresh_database(Backend::Postgres).await;
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let (_, _, door, other_door) = furnish(&db).await;
    let now = postern::services::now_ms();
    insert_single(&db, door, now - MINUTE, now + 30 * MINUTE).await;

    let mut servers = servers::Servers::default();
    servers.start(&url).await;
    servers.start(&url).await;
    let started = || async {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM events WHERE action = 'schedule.started' AND door_id = $1",
        )
        .bind(door)
        .fetch_one(db.pool())
        .await
        .unwrap();
        n
    };
    eventually("the leader starts the window", || async {
        started().await == 1
    })
    .await;
    let leader = leader_pid(&db).await.expect("a leader");
    let victim = servers
        .0
        .iter()
        .position(|c| c.id() == leader)
        .expect("the leader is one of ours");
    let mut child = servers.0.remove(victim);
    child.kill().unwrap();
    child.wait().unwrap();
    let killed = Instant::now();

    // The next transition: the other door's window starts in two seconds.
    let soon = postern::services::now_ms() + 2_000;
    insert_single(&db, other_door, soon, soon + 30 * MINUTE).await;
    schedules::changed(&db).await;
    let fired = || async {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM events WHERE action = 'schedule.started' AND door_id = $1",
        )
        .bind(other_door)
        .fetch_one(db.pool())
        .await
        .unwrap();
        n == 1
    };
    eventually("the survivor fires the next transition", fired).await;
    let took = killed.elapsed();
    eprintln!("the survivor fired the next transition {took:?} after the kill");
    assert!(took < Duration::from_secs(8), "took {took:?}");
    assert_eq!(
        leader_pid(&db).await,
        Some(servers.0[0].id()),
        "the survivor holds the lock"
    );
    assert_eq!(
        started().await,
        1,
        "the window the first leader started is not logged again"
    );

    drop(servers);
    db.close().await;
    let Cleanup::Postgres(name) = cleanup else {
        unreachable!()
    };
    admin_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
}

/// A single event at exact instants (the form has minutes only).
async fn insert_single(db: &Db, door: i64, start: i64, end: i64) {
    let kind = ScheduleKind::Single(SingleEvent {
        start: Timestamp::from_millis(start),
        end: Timestamp::from_millis(end),
    });
    sqlx::query("INSERT INTO scheduled_unlocks (door_id, kind, spec, enabled, first_in, created_at) VALUES ($1, 'single', $2, 1, 0, $3)")
        .bind(door)
        .bind(serde_json::to_string(&kind).unwrap())
        .bind(start)
        .execute(db.pool())
        .await
        .unwrap();
}

/// The process id of the `postern serve` holding the scheduler's lock.
async fn leader_pid(db: &Db) -> Option<u32> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE 'postern-scheduler %'",
    )
    .fetch_optional(db.pool())
    .await
    .unwrap();
    row.and_then(|(name,)| name.rsplit(' ').next()?.parse().ok())
}

/// A lockdown releases an active scheduled unlock at once and holds the
/// schedule back until it is cancelled; then the window opens again.
async fn a_lockdown_holds_scheduled_unlocks_back(mut site: Site) -> Site {
    site.use_real_time();
    site.schedule(site.door, &site.recurring(-60, 120)).await;
    site.start();
    eventually("the relay is held", || async { site.relay_held(1) }).await;
    postern::services::lockdown::set_door(&site.db, &site.live, &site.bridges, &site.admin, site.door, true).await.unwrap();
    eventually("the relay is released", || async { !site.relay_held(1) }).await;
    eventually("ended is logged", || async { site.count(site.door, "schedule.ended").await == 1 }).await;
    assert_eq!(site.unlocked_until(site.door).await, None);
    assert_eq!(schedules::held_back(&site.db, site.door, site.clock_now()).await.unwrap(), Some(HeldBack::LockedDown));
    settle().await;
    assert!(!site.relay_held(1), "not held again while locked down");
    postern::services::lockdown::set_door(&site.db, &site.live, &site.bridges, &site.admin, site.door, false).await.unwrap();
    eventually("held again after the lockdown", || async { site.relay_held(1) }).await;
    eventually("started again", || async { site.count(site.door, "schedule.started").await == 2 }).await;
    site
}
on_both!(a_lockdown_holds_scheduled_unlocks_back);
