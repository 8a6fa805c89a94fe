//! `postern-bench`: prints throughput figures (run it through `scripts/bench.sh`).
//!
//! (a) the pure access decision, single-threaded;
//! (b) `UnlockService::unlock` on a SQLite file, every event durably committed
//!     (group commit) before the call returns;
//! (c) a naive reference: one autocommit INSERT INTO events per unlock;
//! (d) the ratio (b)/(c) against the goal of at least 3x;
//! (e) the visitor's access-link page: server time per request (p50/p99)
//!     and the bytes a phone downloads for it;
//! (f) the JSON API over HTTP: unlocks and the lock list next to a plain
//!     handler and a one-insert-per-request handler, and unlocks paced at
//!     1000/s (`postern-bench api` runs this section alone);
//! (g) scheduled unlocks: next transitions for 10,000 doors;
//! (h) an unlock request to its MQTT publish on the real broker, and
//! (i) simulated controllers held with live status, with CPU and memory
//!     (`postern-bench bridge` runs (h) and (i) alone);
//! (w) event webhooks: delivery at 1,000 events/s to a loopback receiver,
//!     and unlock throughput with and without 10 endpoints
//!     (`postern-bench webhooks [seconds]` runs it alone).
//!
//! A diagnostic shows (b)'s durable part alone: the group-commit event writes
//! (each carrying the door's "unlocked until" in the same transaction).

use postern::access::{
    decide, AccessRequest, ActorKind, CredentialState, DoorRules, Geofence, GroupPath, LocalTime, Location,
    ProximityProof, RequestContext, UserState, WeeklySchedule, WeeklyWindow,
};
use postern::model::{ControllerForm, DoorForm, GroupForm, PlaceForm, SessionUser, UserForm};
use postern::services::event_writer::{EventWriter, NewEvent};
use postern::services::unlock::{UnlockActor, UnlockInput, UnlockMethod, UnlockOutcome, UnlockService};
use postern::services::{controllers, doors, groups, now_ms, places, users, Db};
use postern::types::{Coordinates, Latitude, Longitude, Role, TimeZoneName, Timestamp};
use std::future::Future;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

const DECISIONS: u32 = 200_000;
const GROUPS: usize = 50;
const UNLOCKS: usize = 2_000;
const CONCURRENCY: usize = 64;
/// One door per concurrent task (16 simulated controllers × 4 relays).
const DOORS: usize = 64;
const GOAL: f64 = 3.0;

/// The SQLite loads run this many times, interleaved, each on fresh files;
/// each figure printed is its median, so one disturbed round does not decide.
const ROUNDS: usize = 3;

#[tokio::main]
async fn main() {
    println!("postern-bench ({} cores)", std::thread::available_parallelism().map_or(1, |n| n.get()));
    // `postern-bench api`: section (f) alone.
    if std::env::args().nth(1).as_deref() == Some("api") {
        return api::bench().await;
    }
    // `postern-bench fleet N`: one size of section (i), run by (i) itself.
    if std::env::args().nth(1).as_deref() == Some("fleet") {
        let count = std::env::args().nth(2).and_then(|n| n.parse().ok()).expect("postern-bench fleet <controllers>");
        return bridge::fleet(count).await;
    }
    // `postern-bench webhooks [seconds]`: section (w) alone.
    if std::env::args().nth(1).as_deref() == Some("webhooks") {
        return webhooks::bench().await;
    }
    // `postern-bench bridge`: sections (h) and (i) alone.
    if std::env::args().nth(1).as_deref() == Some("bridge") {
        return bridge::bench().await;
    }
    let (decisions_per_s, ns) = bench_decide();
    println!("(a) access::decide, {GROUPS} groups, every restriction on, {DECISIONS} iterations, 1 thread:");
    println!("    {decisions_per_s:.0} decisions/s, {ns:.0} ns/decision");

    // Per round: [service, events alone, reference].
    let mut rounds: Vec<[Figures; 3]> = Vec::new();
    for round in 0..ROUNDS {
        // The files are removed when `files` drops, even after a panic.
        let files = TempFiles::new(round, &["service", "events", "reference"]);
        let service = bench_service(&files.url(0)).await;
        let events = bench_event_writer(&files.url(1)).await;
        let reference = bench_reference(&files.url(2)).await;
        rounds.push([service, events, reference]);
    }
    let median = |k: usize| {
        let mut figures: Vec<Figures> = rounds.iter().map(|r| r[k]).collect();
        figures.sort_by(|a, b| a.per_s.total_cmp(&b.per_s));
        figures[ROUNDS / 2]
    };
    let [service, events, reference] = [0, 1, 2].map(median);
    println!("(b) UnlockService::unlock, SQLite file (WAL, synchronous=FULL), group-commit events,");
    println!("    {UNLOCKS} unlocks, {CONCURRENCY} concurrent tasks, {DOORS} doors (median of {ROUNDS} rounds):");
    println!("    {}", service.line("unlocks/s"));
    // The durable part of (b) alone, to show where its time goes.
    println!("    diagnostic: EventWriter::record alone (group commit only), same load:");
    println!("    {}", events.line("events/s"));
    println!("(c) reference: one autocommit INSERT INTO events per unlock, same pragmas, same load:");
    println!("    {}", reference.line("unlocks/s"));
    let each: Vec<String> = rounds.iter().map(|r| format!("{:.2}", r[0].per_s / r[2].per_s)).collect();
    let ratio = service.per_s / reference.per_s;
    let verdict = if ratio >= GOAL { "met" } else { "NOT met" };
    println!("(d) ratio (b)/(c) = {ratio:.2}x (rounds: {}); goal at least {GOAL:.0}x: {verdict}", each.join(", "));
    link_page::bench().await;
    api::bench().await;
    schedules::run();
    bridge::bench().await;
    webhooks::bench().await;
}

/// The owner every HTTP section signs in as, and one place ("HQ", Berlin).
async fn owner_and_place(db: &Db) -> (SessionUser, i64) {
    use postern::types::{Email, Name, Password};
    let actor = postern::services::owner::create(
        db,
        Name::parse("Bench Owner").expect("name"),
        Email::parse("owner@bench.example.com").expect("email"),
        &Password::parse("bench password 123").expect("password"),
        "Bench Org",
    )
    .await
    .expect("owner");
    let place = PlaceForm { name: "HQ".into(), latitude: "52.52".into(), longitude: "13.405".into(), time_zone: "Europe/Berlin".into(), ..Default::default() };
    (actor, places::insert(db, &place.validate().expect("place")).await.expect("place"))
}

/// Removes a SQLite file and its WAL companions.
fn remove_sqlite(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

mod api;
mod bridge;
mod link_page;
mod load;
mod schedules;
mod webhooks;

use load::Figures;

// ---------------------------------------------------------------- (a) decide

fn bench_decide() -> (f64, f64) {
    let tz = TimeZoneName::parse("Europe/Berlin").unwrap();
    // Monday 2026-11-23 12:00 UTC, 13:00 in Berlin.
    let now = Timestamp::from_millis(1_795_435_200_000);
    let center = point(52.52, 13.405);
    let window = |days: [bool; 7], start: &str, end: &str| WeeklyWindow {
        days,
        start: LocalTime::parse(start).unwrap(),
        end: LocalTime::parse(end).unwrap(),
    };
    let weekend = [false, false, false, false, false, true, true];
    // Open on Monday 13:00.
    let office = WeeklySchedule {
        windows: vec![
            window(WeeklyWindow::WEEKDAYS, "07:00", "12:00"),
            window(WeeklyWindow::WEEKDAYS, "12:30", "19:00"),
            window(weekend, "09:00", "13:00"),
        ],
    };
    // Closed on Monday 13:00.
    let off_hours = WeeklySchedule {
        windows: vec![window(WeeklyWindow::WEEKDAYS, "22:00", "06:00"), window(weekend, "08:00", "18:00")],
    };
    let door = DoorRules {
        geofence: Some(Geofence { center, radius_m: 300 }),
        center,
        default_radius_m: 300,
        reader_restriction: true,
        time_restriction: Some(office.clone()),
        locked_down: false,
        require_2fa: true,
        time_zone: tz,
        holiday: None,
    };
    // Worst case for a grant: only the last group is open now, so all 50 are checked.
    let groups: Vec<GroupPath> = (0..GROUPS)
        .map(|i| GroupPath {
            geofence: true,
            reader_restriction: true,
            time_restriction: Some(if i + 1 == GROUPS { office.clone() } else { off_hours.clone() }),
            ..GroupPath::open(format!("Group {i:02}"))
        })
        .collect();
    let user = UserState {
        role: Role::Member,
        confirmed: true,
        app_access: true,
        primary_device_required: false,
        bound_device: None,
    };
    let context = RequestContext {
        now,
        location: Some(Location { at: point(52.5201, 13.405), accuracy_m: 10.0 }),
        proximity: ProximityProof::Valid,
        device_id: None,
        verified_at: Some(Timestamp::from_millis(now.millis() - 60_000)),
    };
    let request = AccessRequest {
        actor: ActorKind::Session,
        credential: CredentialState::default(),
        user: Some(&user),
        door: &door,
        groups: &groups,
        context: &context,
    };
    let decision = decide(&request);
    assert!(decision.granted, "the bench request must be granted: {:?}", decision.reasons);
    for _ in 0..DECISIONS / 10 {
        black_box(decide(black_box(&request)));
    }
    let started = Instant::now();
    for _ in 0..DECISIONS {
        black_box(decide(black_box(&request)));
    }
    let elapsed = started.elapsed().as_secs_f64();
    (f64::from(DECISIONS) / elapsed, elapsed * 1e9 / f64::from(DECISIONS))
}

fn point(latitude: f64, longitude: f64) -> Coordinates {
    Coordinates { latitude: Latitude::parse_f64(latitude).unwrap(), longitude: Longitude::parse_f64(longitude).unwrap() }
}

// ---------------------------------------------------------------- (b) service

/// The figures of the unlocks.
async fn bench_service(url: &str) -> Figures {
    let db = Db::connect(url).await.unwrap();
    db.migrate().await.unwrap();
    let (member, door_ids) = site(&db).await;
    let live = postern::services::live::Live::start(db.clone());
    let service = UnlockService::start(db.clone(), EventWriter::spawn(db.clone()), live).await.unwrap();
    let unlock = move |i: usize| {
        let service = service.clone();
        let input = UnlockInput {
            door_id: door_ids[i % DOORS],
            actor: UnlockActor::Session { user: member.clone(), verified_at: Some(now_ms()), device_id: None },
            method: UnlockMethod::App,
            location: None,
            proximity: ProximityProof::Missing,
        };
        async move {
            let outcome = service.unlock(input).await.unwrap();
            assert!(matches!(outcome, UnlockOutcome::Granted { .. }), "{outcome:?}");
        }
    };
    let figures = run_load(unlock).await;
    let (granted,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE action = 'unlock' AND result = 'granted'")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(granted as usize, WARM_UP + UNLOCKS, "every granted unlock is in the event log");
    db.close().await;
    figures
}

/// A place, 16 simulated controllers with 4 wired doors each, and a member
/// reaching every door through one group. Returns the member and the doors.
async fn site(db: &Db) -> (SessionUser, Vec<i64>) {
    let place = PlaceForm {
        name: "Bench HQ".into(),
        latitude: "52.52".into(),
        longitude: "13.405".into(),
        time_zone: "Europe/Berlin".into(),
        ..Default::default()
    };
    let place_id = places::insert(db, &place.validate().unwrap()).await.unwrap();
    let mut door_ids = Vec::with_capacity(DOORS);
    for c in 0..DOORS / 4 {
        let controller = ControllerForm { name: format!("Controller {c:02}"), place_id: place_id.to_string(), ..Default::default() };
        let controller_id = controllers::insert(db, &controller.validate().unwrap()).await.unwrap();
        for relay in 1..=4 {
            let door = DoorForm {
                name: format!("Door {c:02}-{relay}"),
                place_id: place_id.to_string(),
                controller_id: controller_id.to_string(),
                relay: relay.to_string(),
                ..Default::default()
            };
            door_ids.push(doors::insert(db, &door.validate().unwrap()).await.unwrap());
        }
    }
    let form = UserForm {
        name: "Bench Member".into(),
        email: "bench@example.com".into(),
        confirmed: Some("on".into()),
        app_access: Some("on".into()),
        ..Default::default()
    };
    let user_id = users::insert(db, &form.validate().unwrap(), None).await.unwrap();
    let group_id = groups::insert(db, &GroupForm { name: "Staff".into(), ..Default::default() }.validate().unwrap())
        .await
        .unwrap();
    sqlx::query("INSERT INTO group_members (group_id, user_id, added_at) VALUES ($1, $2, $3)")
        .bind(group_id)
        .bind(user_id)
        .bind(now_ms())
        .execute(db.pool())
        .await
        .unwrap();
    for door_id in &door_ids {
        sqlx::query("INSERT INTO group_doors (group_id, door_id) VALUES ($1, $2)")
            .bind(group_id)
            .bind(door_id)
            .execute(db.pool())
            .await
            .unwrap();
    }
    let member = SessionUser { id: user_id, name: "Bench Member".into(), email: "bench@example.com".into(), role: Role::Member };
    (member, door_ids)
}

/// Only the group-commit writer, to see what the rest of an unlock costs.
async fn bench_event_writer(url: &str) -> Figures {
    let db = Db::connect(url).await.unwrap();
    db.migrate().await.unwrap();
    let writer = EventWriter::spawn(db.clone());
    let record = move |i: usize| {
        let writer = writer.clone();
        async move {
            let event = NewEvent {
                at: now_ms(),
                actor_kind: "user".into(),
                actor_user_id: Some(1),
                actor_name: "Bench Member <bench@example.com>".into(),
                action: "unlock".into(),
                subject: format!("Door {}", i % DOORS),
                door_id: Some((i % DOORS) as i64 + 1),
                place_id: Some(1),
                method: Some("app".into()),
                result: "granted".into(),
                ..Default::default()
            };
            writer.record(event).await.unwrap();
        }
    };
    let figures = run_load(record).await;
    db.close().await;
    figures
}

// ---------------------------------------------------------------- (c) reference

async fn bench_reference(url: &str) -> Figures {
    let db = Db::connect(url).await.unwrap();
    db.migrate().await.unwrap();
    let insert = {
        let db = db.clone();
        move |i: usize| {
            let db = db.clone();
            async move {
                // Autocommit: each INSERT is its own durable transaction (one fsync).
                sqlx::query(
                    "INSERT INTO events (at, actor_kind, actor_user_id, actor_name, action, subject, door_id, place_id,
                     method, result, reasons, details) VALUES ($1, 'user', 1, 'Bench Member <bench@example.com>', 'unlock',
                     $2, $3, 1, 'app', 'granted', '[]', '')",
                )
                .bind(now_ms())
                .bind(format!("Door {}", i % DOORS))
                .bind((i % DOORS) as i64 + 1)
                .execute(db.pool())
                .await
                .unwrap();
            }
        }
    };
    let figures = run_load(insert).await;
    db.close().await;
    figures
}

// ---------------------------------------------------------------- servers

/// The configuration of a real Postern server for a bench section: port 0,
/// no SMTP or SMS (messages go to the outbox), default quotas.
fn server_config(database_url: String) -> postern_server::config::Config {
    postern_server::config::Config {
        bind: "127.0.0.1:0".parse().expect("an address"),
        database_url,
        cookie_secure: false,
        session_idle: std::time::Duration::from_secs(3600),
        session_absolute: std::time::Duration::from_secs(3600),
        site_root: "target/site".into(),
        log: "warn".into(),
        smtp: None,
        sms: None,
        link_settings: Default::default(),
        public_url: None,
        trusted_proxies: Default::default(),
        // The API's own rate limits would refuse a load test.
        api_limits: postern_server::config::RateLimits::unlimited(),
        // Section (w)'s receiver is on loopback.
        webhook_allow_private: true,
    }
}

// ---------------------------------------------------------------- load runner

/// Calls not counted, so that pools and caches are warm.
const WARM_UP: usize = 100;

/// Runs `call(i)` for i in 0..UNLOCKS from CONCURRENCY tasks (after a warm-up).
async fn run_load<F, Fut>(call: F) -> Figures
where
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    load::run(call, WARM_UP, UNLOCKS, CONCURRENCY).await
}

// ---------------------------------------------------------------- temp files

/// Fresh SQLite files in the temp folder, removed (with -wal and -shm) on drop.
struct TempFiles(Vec<PathBuf>);

impl TempFiles {
    fn new(round: usize, names: &[&str]) -> TempFiles {
        let pid = std::process::id();
        let path = |n: &&str| std::env::temp_dir().join(format!("postern-bench-{pid}-{round}-{n}.db"));
        TempFiles(names.iter().map(path).collect())
    }

    fn url(&self, i: usize) -> String {
        format!("sqlite://{}", self.0[i].display())
    }
}

impl Drop for TempFiles {
    fn drop(&mut self) {
        for path in &self.0 {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
}
