//! The simulated controller inside the real server, driven as the simulator
//! panel drives it: what it reports becomes door state, events and unlocks.

mod common;

use common::TestApp;
use postern::door_status::{DoorAlarm, DoorSensor, DoorStatus};
use postern::services::bridge::{BridgeError, Command};
use std::time::Duration;

struct Site {
    controller: i64,
    /// Relay 1: fail-safe strike, held-open limit 1 s, reader 1.
    safe_door: i64,
    /// Relay 2: fail-secure strike.
    secure_door: i64,
}

/// A place, a simulated controller, two wired doors and a member with card
/// 12:3456 in a group with both doors.
async fn site(app: &TestApp) -> Site {
    app.sign_up_owner().await;
    let place = app.create("save_place", &[("form[name]", "HQ"), ("form[latitude]", "40.7"), ("form[longitude]", "-74.0"), ("form[time_zone]", "America/New_York")]).await;
    let controller = app.create("save_controller", &[("form[name]", "C1"), ("form[place_id]", &place)]).await;
    let (reader,): (i64,) = sqlx::query_as("SELECT id FROM readers WHERE controller_id = $1 AND port = 1")
        .bind(controller.parse::<i64>().unwrap())
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let door = |name: &'static str, relay: &'static str, lock: &'static str, reader: Option<String>| {
        let controller = controller.clone();
        let place = place.clone();
        async move {
            let mut form = vec![
                ("form[name]", name.to_owned()),
                ("form[place_id]", place),
                ("form[controller_id]", controller),
                ("form[relay]", relay.to_owned()),
                ("form[lock_type]", lock.to_owned()),
                ("form[held_open_seconds]", "1".to_owned()),
            ];
            if let Some(reader) = reader {
                form.push(("form[reader_id]", reader));
            }
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.create("save_door", &form).await
        }
    };
    let safe_door = door("Lobby", "1", "strike_fail_safe", Some(reader.to_string())).await;
    let secure_door = door("Vault", "2", "strike_fail_secure", None).await;
    let group = app.create("save_group", &[("form[name]", "Staff")]).await;
    let member = app.create("save_user", &[("form[name]", "Rita Reader"), ("form[email]", "rita@example.com"), ("form[role]", "member"), ("form[confirmed]", "on")]).await;
    for door in [&safe_door, &secure_door] {
        assert_eq!(app.call("change_group_door", &[("group_id", &group), ("door_id", door), ("add", "true")]).await.0, 200);
    }
    assert_eq!(app.call("change_group_member", &[("group_id", &group), ("user_id", &member), ("add", "true")]).await.0, 200);
    assert_eq!(app.call("add_card", &[("user_id", &member), ("number", "12:3456"), ("label", "Fob")]).await.0, 200);
    Site { controller: controller.parse().unwrap(), safe_door: safe_door.parse().unwrap(), secure_door: secure_door.parse().unwrap() }
}

/// Waits (up to 10 s: a held-open alarm comes only after a 5 s exit pulse
/// and the door's limit) until an event with this action exists; returns
/// (result, method, reasons, details) of the latest one.
async fn event(app: &TestApp, action: &str) -> (String, Option<String>, String, String) {
    for _ in 0..200 {
        let row: Option<(String, Option<String>, String, String)> =
            sqlx::query_as("SELECT result, method, reasons, details FROM events WHERE action = $1 ORDER BY id DESC LIMIT 1")
                .bind(action)
                .fetch_optional(app.db.pool())
                .await
                .unwrap();
        if let Some(row) = row {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no {action} event within 10 s");
}

/// Waits (up to 5 s) until the door's state satisfies `check`.
async fn door_until(app: &TestApp, id: i64, what: &str, check: impl Fn(&postern::model::Door) -> bool) -> postern::model::Door {
    let mut door = postern::services::doors::get(&app.db, id).await.unwrap();
    for _ in 0..100 {
        if check(&door) {
            return door;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        door = postern::services::doors::get(&app.db, id).await.unwrap();
    }
    panic!("door {id} never became {what}: {door:?}");
}

async fn a_card_at_the_reader_unlocks_through_the_decision_and_pulses_the_relay(app: &TestApp) {
    let site = site(app).await;
    let sim = app.bridges.simulated(site.controller).expect("a simulated controller runs");
    sim.present_card(1, "12:3456").unwrap();
    let (result, method, _, _) = event(app, "unlock").await;
    assert_eq!((result.as_str(), method.as_deref()), ("granted", Some("reader")));
    door_until(app, site.safe_door, "Unlocked", |d| matches!(d.status, DoorStatus::Unlocked { .. })).await;
    for _ in 0..100 {
        if sim.snapshot().relays_energized[0] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(sim.snapshot().relays_energized[0], "relay 1 energised by the grant");
    // Lockdown relocks at once: the pulse in progress ends now.
    let door = site.safe_door.to_string();
    assert_eq!(app.call("set_door_lockdown", &[("door_id", &door), ("on", "true")]).await.0, 200);
    assert!(!sim.snapshot().relays_energized[0], "lockdown released the relay");
    assert_eq!(app.call("set_door_lockdown", &[("door_id", &door), ("on", "false")]).await.0, 200);
    // An unknown card is refused and the relay is not pulsed again.
    sim.present_card(1, "99:1").unwrap();
    for _ in 0..100 {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE action = 'unlock' AND result = 'denied'").fetch_one(app.db.pool()).await.unwrap();
        if n == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the unknown card was not refused");
}
on_both_databases!(a_card_at_the_reader_unlocks_through_the_decision_and_pulses_the_relay);

async fn exit_button_is_granted_and_alarms_follow_the_door_sensor(app: &TestApp) {
    let site = site(app).await;
    let sim = app.bridges.simulated(site.controller).unwrap();
    // Opening with no grant: forced open, cleared when the door closes.
    sim.set_door_open(2, true).unwrap();
    let (result, _, reasons, _) = event(app, "door.forced_open").await;
    assert_eq!((result.as_str(), reasons.as_str()), ("error", "[\"forced_open\"]"));
    let door = door_until(app, site.secure_door, "forced open", |d| d.alarm == Some(DoorAlarm::ForcedOpen)).await;
    assert_eq!(door.sensor, Some(DoorSensor::Open));
    sim.set_door_open(2, false).unwrap();
    event(app, "door.alarm_cleared").await;
    door_until(app, site.secure_door, "closed without alarm", |d| d.alarm.is_none() && d.sensor == Some(DoorSensor::Closed)).await;
    // The exit button: always granted, logged, and the door may open.
    sim.press_exit(1).unwrap();
    let (result, method, _, _) = event(app, "unlock").await;
    assert_eq!((result.as_str(), method.as_deref()), ("granted", Some("request_to_exit")));
    sim.set_door_open(1, true).unwrap();
    // Open past its 1 s limit: held open (and never forced).
    let (_, _, _, details) = event(app, "door.held_open").await;
    assert!(details.contains("1 s"), "{details}");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE action = 'door.forced_open' AND door_id = $1")
        .bind(site.safe_door)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0, "an exit is not a forced opening");
    door_until(app, site.safe_door, "held open", |d| d.alarm == Some(DoorAlarm::HeldOpen)).await;
}
on_both_databases!(exit_button_is_granted_and_alarms_follow_the_door_sensor);

async fn power_loss_releases_fail_safe_locks_only_and_offline_controllers_answer_nothing(app: &TestApp) {
    let site = site(app).await;
    let sim = app.bridges.simulated(site.controller).unwrap();
    sim.set_power(false);
    event(app, "controller.power_lost").await;
    let safe = door_until(app, site.safe_door, "power released", |d| d.status == DoorStatus::PowerReleased).await;
    assert!(safe.note.unwrap().contains("fail-safe lock released"));
    let secure = postern::services::doors::get(&app.db, site.secure_door).await.unwrap();
    assert_eq!(secure.status, DoorStatus::Locked);
    assert!(secure.note.unwrap().contains("stays locked"));
    // Granted, but a fail-secure lock without power cannot release: an
    // error, logged, and the door keeps reading Locked.
    let vault = site.secure_door.to_string();
    let (status, body) = app.call("unlock_door", &[("door_id", &vault)]).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.to_string().contains("fail-secure lock stays locked"), "{body}");
    let (result, _, reasons, _) = event(app, "unlock").await;
    assert_eq!((result.as_str(), reasons.as_str()), ("error", "[\"lock_unpowered\"]"));
    let secure = postern::services::doors::get(&app.db, site.secure_door).await.unwrap();
    assert_eq!(secure.status, DoorStatus::Locked);
    // With the fail-safe lock released, opening that door is no alarm.
    sim.set_door_open(1, true).unwrap();
    door_until(app, site.safe_door, "open", |d| d.sensor == Some(DoorSensor::Open)).await;
    sim.set_power(true);
    event(app, "controller.power_restored").await;
    door_until(app, site.safe_door, "locked", |d| d.status == DoorStatus::Locked).await;

    // Offline: the doors read Offline, commands time out at their deadline.
    sim.set_online(false);
    event(app, "controller.offline").await;
    door_until(app, site.safe_door, "offline", |d| d.status == DoorStatus::Offline).await;
    let started = std::time::Instant::now();
    let result = app.bridges.command(site.controller, Command::Pulse { relay: 1, seconds: 1 }).await;
    assert!(matches!(result, Err(BridgeError::Timeout(_))), "{result:?}");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(2900) && waited < Duration::from_millis(3500), "{waited:?}");
    // A pulse nobody acknowledges becomes an error event on its door.
    app.bridges.pulse(postern::services::bridge::Pulse { door_id: site.safe_door, controller_id: site.controller, relay: 1, seconds: 1, exempt_from_lockdown: false });
    let (result, _, reasons, details) = event(app, "relay.command_failed").await;
    assert_eq!((result.as_str(), reasons.as_str()), ("error", "[\"command_failed\"]"));
    assert!(details.contains("did not acknowledge"), "{details}");
    sim.set_online(true);
    event(app, "controller.online").await;
    door_until(app, site.safe_door, "back", |d| d.status == DoorStatus::Locked).await;
}
on_both_databases!(power_loss_releases_fail_safe_locks_only_and_offline_controllers_answer_nothing);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_the_controllers_state() {
    let path = std::env::temp_dir().join(format!("postern_restart_{}.db", std::process::id()));
    let url = format!("sqlite://{}", path.display());
    let app = TestApp::spawn_with(common::Backend::Sqlite, |c| c.database_url = url.clone()).await;
    let site = site(&app).await;
    let sim = app.bridges.simulated(site.controller).unwrap();
    sim.set_power(false);
    sim.set_door_open(2, true).unwrap();
    door_until(&app, site.secure_door, "open", |d| d.sensor == Some(DoorSensor::Open)).await;
    door_until(&app, site.safe_door, "power released", |d| d.status == DoorStatus::PowerReleased).await;
    // A second server on the same file starts its simulated controller as it was left.
    let config = postern_server::config::Config { database_url: url.clone(), ..common::test_config() };
    let again = postern_server::startup::Application::build(&config).await.unwrap();
    let state = again.bridges.simulated(site.controller).unwrap().snapshot();
    assert!(state.power_lost && state.online);
    assert_eq!(state.doors_open, [false, true, false, false]);
    again.db.close().await;
    app.cleanup().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

async fn the_panel_drives_the_simulated_controller_and_refuses_nonsense(app: &TestApp) {
    let site = site(app).await;
    let controller = site.controller.to_string();
    let simulate = |action: &'static str, port: Option<&'static str>| {
        let controller = controller.clone();
        async move {
            let mut form = vec![("controller_id", controller.as_str()), ("action", action)];
            if let Some(port) = port {
                form.push(("port", port));
            }
            app.call("simulate", &form).await
        }
    };
    assert_eq!(simulate("exit", Some("1")).await.0, 200);
    let (result, method, _, _) = event(app, "unlock").await;
    assert_eq!((result.as_str(), method.as_deref()), ("granted", Some("request_to_exit")));
    assert_eq!(simulate("open", Some("1")).await.0, 200);
    door_until(app, site.safe_door, "open", |d| d.sensor == Some(DoorSensor::Open)).await;
    // What the panel's badges read every second: the controller's reports.
    let (status, states) = app.call("simulator_states", &[]).await;
    assert_eq!(status, 200, "{states}");
    let state = states.as_array().unwrap().iter().find(|s| s["id"] == site.controller).expect("the controller is listed");
    assert_eq!(state["doors_open"], serde_json::json!([true, false, false, false]), "{state}");
    assert_eq!((state["online"].as_bool(), state["power_lost"].as_bool()), (Some(true), Some(false)), "{state}");
    assert_eq!(simulate("close", Some("1")).await.0, 200);
    door_until(app, site.safe_door, "closed", |d| d.sensor == Some(DoorSensor::Closed)).await;
    assert_eq!(simulate("offline", None).await.0, 200);
    door_until(app, site.safe_door, "offline", |d| d.status == DoorStatus::Offline).await;
    // A card at an offline controller reaches nobody, and the panel says so.
    let (reader,): (i64,) = sqlx::query_as("SELECT id FROM readers WHERE controller_id = $1 AND port = 1")
        .bind(site.controller)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let (status, body) = app.call("present_card", &[("reader_id", &reader.to_string()), ("number", "12:3456")]).await;
    assert_eq!(status, 422, "{body}");
    assert!(common::field_message(&body, "number").unwrap().contains("offline"), "{body}");
    assert_eq!(simulate("online", None).await.0, 200);
    door_until(app, site.safe_door, "back online", |d| d.status == DoorStatus::Locked).await;
    assert_eq!(simulate("tamper", None).await.0, 200);
    event(app, "controller.tamper").await;
    // Nonsense is refused with a sentence.
    let (status, body) = simulate("explode", None).await;
    assert_eq!(status, 422, "{body}");
    assert!(common::field_message(&body, "action").unwrap().contains("Unknown simulator action"), "{body}");
    let (status, body) = simulate("open", Some("9")).await;
    assert_eq!(status, 422, "{body}");
    assert!(common::field_message(&body, "port").unwrap().contains("1 to 4"), "{body}");
    let (status, _) = simulate("open", None).await;
    assert_eq!(status, 422);
    // Members cannot drive the simulator.
    let member = common::browser_client(&app.address);
    let (status, _) = common::call_with(&member, &app.address, "simulate", &[("controller_id", "1"), ("action", "exit"), ("port", "1")]).await;
    assert_eq!(status, 401);
    let (status, _) = common::call_with(&member, &app.address, "simulator_states", &[]).await;
    assert_eq!(status, 401);
}
on_both_databases!(the_panel_drives_the_simulated_controller_and_refuses_nonsense);
