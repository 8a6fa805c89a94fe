//! The real PyPI `kisi` client (kisi==1.4, in .tools/venv from
//! scripts/install-deps.sh) against a running Postern, on SQLite and
//! PostgreSQL: scripts/kisi-pypi-client.py runs the client's own methods
//! with only its base URL changed and checks each answer; the test passes
//! when every check of the script passed and the server saw the changes.

mod common;

use common::TestApp;
use postern::services::{api_keys, doors, users};
use postern::types::{Email, Name};
use postern_server::config::{Config, Rate, RateLimits};
use std::path::{Path, PathBuf};

fn roomy(config: &mut Config) {
    config.api_limits = RateLimits { per_key: Some(Rate::new(10_000, 10_000)), per_ip: Some(Rate::new(10_000, 10_000)) };
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The Python that has the `kisi` client: `POSTERN_PYTHON`, else `.tools/venv`.
fn python() -> PathBuf {
    let path = std::env::var_os("POSTERN_PYTHON").map_or_else(|| repo_root().join(".tools/venv/bin/python3"), PathBuf::from);
    assert!(path.exists(), "no Python with the kisi client at {}: run scripts/install-deps.sh (or set POSTERN_PYTHON)", path.display());
    path
}

async fn the_pypi_client_runs_its_sequence(app: &TestApp) {
    app.sign_up_owner().await;
    let place = app.create("save_place", &[("form[name]", "HQ"), ("form[latitude]", "40.7"), ("form[longitude]", "-74.0"), ("form[time_zone]", "America/New_York")]).await;
    let controller = app.create("save_controller", &[("form[name]", "C1"), ("form[place_id]", &place)]).await;
    let wired = app.create("save_door", &[("form[name]", "Front"), ("form[place_id]", &place), ("form[controller_id]", &controller), ("form[relay]", "1")]).await;
    let owner = users::find_by_email(&app.db, &Email::parse("owner@example.com").unwrap()).await.unwrap().unwrap();
    let key = api_keys::issue(&app.db, owner.id, &Name::parse("kisi pypi").unwrap()).await.unwrap().secret;

    let python = python();
    let script = repo_root().join("scripts/kisi-pypi-client.py");
    let (address, place_arg, wired_arg) = (app.address.clone(), place.clone(), wired.clone());
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python).arg(script).args([address.as_str(), key.as_str(), place_arg.as_str(), wired_arg.as_str()]).output()
    })
    .await
    .unwrap()
    .expect("run scripts/kisi-pypi-client.py");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the kisi client's checks failed:\n{stdout}\n{stderr}");
    let last = stdout.lines().last().unwrap_or_default();
    let (passed, failed) = last.split_once(" passed, ").unwrap_or_else(|| panic!("no summary line: {stdout}"));
    assert_eq!(failed, "0 failed", "{stdout}");
    assert!(passed.parse::<u32>().unwrap() >= 19, "every check of the script ran: {stdout}");

    // What the client did is in the database: the door unlocked once, its
    // lockdown over, and the client's group, person and lock gone again.
    let door = doors::get(&app.db, wired.parse().unwrap()).await.unwrap();
    assert!(door.locked_down_at.is_none());
    assert!(users::find_by_email(&app.db, &Email::parse("pia@example.com").unwrap()).await.unwrap().is_none());
    let (events, _) = postern::services::event_log::page(&app.db, postern::services::scope::Scope::Everything, &Default::default(), None, 100).await.unwrap();
    let unlocks = events.iter().filter(|e| e.action == "unlock" && e.door_id == Some(door.id) && e.result == "granted").count();
    assert_eq!(unlocks, 1, "one granted unlock by the client");
    for action in ["group.created", "user.created", "door.created", "door.deleted", "user.deleted", "group.deleted"] {
        assert!(events.iter().any(|e| e.action == action), "no {action} in the event log");
    }
}
on_both_databases!(the_pypi_client_runs_its_sequence, roomy);
