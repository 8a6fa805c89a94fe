//! Managers' `GET /api/locks` pages are answered again from memory while
//! nothing they were read from has changed. These tests change that data
//! every way there is — through the API, behind the server's back with SQL
//! (as another replica or process would), and by letting time run an
//! unlock out — and check the next answer shows it, on SQLite and PostgreSQL.

mod common;

use common::{eventually, TestApp};
use postern::services::data_version::DataVersion;
use postern::services::db::DbKind;
use postern::services::{api_keys, data_version, now_ms, users};
use postern::types::{Email, Name};
use postern_server::config::{Config, Rate, RateLimits};
use serde_json::Value;
use std::time::Duration;

/// Limits a scenario's own requests never meet (the default is 5 per second).
fn roomy(config: &mut Config) {
    config.api_limits = RateLimits { per_key: Some(Rate::new(10_000, 10_000)), per_ip: Some(Rate::new(10_000, 10_000)) };
}

/// The owner's API key, a place, a controller and two doors; returns
/// (key, place id, controller id, door ids).
async fn site(app: &TestApp) -> (String, String, String, [String; 2]) {
    app.sign_up_owner().await;
    let place = app.create("save_place", &[("form[name]", "HQ"), ("form[latitude]", "40.7"), ("form[longitude]", "-74.0"), ("form[time_zone]", "UTC")]).await;
    let controller = app.create("save_controller", &[("form[name]", "C1"), ("form[place_id]", &place)]).await;
    let door = |name: &'static str, relay: &'static str| {
        let (place, controller) = (place.clone(), controller.clone());
        async move {
            app.create("save_door", &[("form[name]", name), ("form[place_id]", &place), ("form[controller_id]", &controller), ("form[relay]", relay)]).await
        }
    };
    let doors = [door("Front", "1").await, door("Back", "2").await];
    let owner = users::find_by_email(&app.db, &Email::parse("owner@example.com").unwrap()).await.unwrap().unwrap();
    let key = api_keys::issue(&app.db, owner.id, &Name::parse("cache test").unwrap()).await.unwrap().secret;
    (key, place, controller, doors)
}

/// `GET /api/locks` with the key: the locks by name.
async fn locks(app: &TestApp, key: &str) -> Vec<Value> {
    let response = reqwest::Client::new()
        .get(format!("{}/api/locks?limit=50", app.address))
        .header("authorization", format!("KISI-LOGIN {key}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json::<Vec<Value>>().await.unwrap()
}

fn named<'a>(locks: &'a [Value], name: &str) -> &'a Value {
    locks.iter().find(|l| l["name"] == name).unwrap_or_else(|| panic!("no {name} in {locks:?}"))
}

async fn execute(app: &TestApp, sql: &str) {
    sqlx::query(sql).execute(app.db.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Waits for the controller's bridge to report it online, the one write of
/// its own the server makes after a controller is made.
async fn until_online(app: &TestApp, controller: &str) {
    let sql = format!("SELECT online FROM controllers WHERE id = {controller}");
    eventually(&format!("controller {controller} reported online"), || async {
        let (online,): (i64,) = sqlx::query_as(&sql).fetch_one(app.db.pool()).await.unwrap();
        online == 1
    })
    .await;
}

/// The version while nothing changes: two reads in a row that agree.
///
/// On SQLite, with the bridge's own write done, nothing but the scenario
/// writes, so the first two reads must agree. On PostgreSQL the version is
/// the snapshot, which moves with any commit in the whole cluster, the other
/// tests running beside this one included; so it is read again, a bounded
/// number of times, until a quiet moment shows two equal reads. A version
/// that moved on every read (one that took a transaction id, say) still
/// fails.
async fn steady_version(app: &TestApp) -> DataVersion {
    let tries = match app.db.kind() {
        DbKind::Sqlite => 1,
        DbKind::Postgres => 250,
    };
    let mut before = data_version::read(&app.db).await.unwrap();
    for _ in 0..tries {
        let again = data_version::read(&app.db).await.unwrap();
        if again == before {
            return before;
        }
        before = again;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("nothing changed yet, but the version moved on each of {tries} reads (last {before:?})");
}

async fn every_change_the_list_reads_from_moves_the_version(app: &TestApp) {
    let (_, place, controller, _) = site(app).await;
    let group = app.create("save_group", &[("form[name]", "Staff")]).await;
    until_online(app, &controller).await;
    let changes = [
        format!("INSERT INTO floors (place_id, name) VALUES ({place}, 'Ground')"),
        format!("DELETE FROM readers WHERE controller_id = {controller} AND port = 3"),
        format!("INSERT INTO readers (controller_id, port, name, secret) VALUES ({controller}, 3, 'R3', 'x')"),
        format!("INSERT INTO group_doors (group_id, door_id) SELECT {group}, id FROM doors WHERE name = 'Front'"),
        "UPDATE doors SET name = name WHERE name = 'Front'".into(),
        "UPDATE places SET name = name".into(),
        "UPDATE floors SET name = name".into(),
        "UPDATE controllers SET online = online".into(),
        "UPDATE readers SET name = name".into(),
        "UPDATE group_doors SET door_id = door_id".into(),
        "DELETE FROM group_doors".into(),
        "DELETE FROM readers".into(),
        "DELETE FROM floors".into(),
        "DELETE FROM doors WHERE name = 'Back'".into(),
    ];
    for sql in changes {
        let before = steady_version(app).await;
        execute(app, &sql).await;
        assert_ne!(data_version::read(&app.db).await.unwrap(), before, "{sql} left the version as it was");
    }
}
on_both_databases!(every_change_the_list_reads_from_moves_the_version);

async fn the_list_shows_every_change_at_once(app: &TestApp) {
    let (key, _, _, [front, back]) = site(app).await;
    let first = locks(app, &key).await;
    assert_eq!(first.len(), 2);
    assert_eq!(locks(app, &key).await, first, "unchanged, the same answer");
    // Through the API.
    let renamed = reqwest::Client::new()
        .patch(format!("{}/api/locks/{front}", app.address))
        .header("authorization", format!("KISI-LOGIN {key}"))
        .json(&serde_json::json!({"lock": {"name": "Front door"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), 204);
    assert!(locks(app, &key).await.iter().any(|l| l["name"] == "Front door"));
    // Behind the server's back, as another replica or the CLI would.
    execute(app, &format!("UPDATE doors SET name = 'Back door' WHERE id = {back}")).await;
    assert!(locks(app, &key).await.iter().any(|l| l["name"] == "Back door"));
    execute(app, "UPDATE controllers SET online = 0").await;
    assert_eq!(named(&locks(app, &key).await, "Back door")["online"], false);
    execute(app, "UPDATE controllers SET online = 1").await;
    execute(app, "UPDATE places SET name = 'Head office'").await;
    assert_eq!(named(&locks(app, &key).await, "Back door")["place"]["name"], "Head office");
}
on_both_databases!(the_list_shows_every_change_at_once, roomy);

async fn an_unlock_on_the_page_runs_out_on_time(app: &TestApp) {
    let (key, _, _, [front, _]) = site(app).await;
    execute(app, "UPDATE controllers SET online = 1").await;
    let until = now_ms() + 1_500;
    execute(app, &format!("UPDATE doors SET unlocked_until = {until} WHERE id = {front}")).await;
    let page = locks(app, &key).await;
    assert_eq!((named(&page, "Front")["unlocked"].as_bool(), named(&page, "Front")["status"].as_str()), (Some(true), Some("unlocked")));
    assert_eq!(locks(app, &key).await, page, "still unlocked, the same answer");
    // Nothing is written from here on: only the clock moves.
    tokio::time::sleep(Duration::from_millis(u64::try_from(until - now_ms()).unwrap_or(0) + 50)).await;
    let later = locks(app, &key).await;
    assert_eq!((named(&later, "Front")["unlocked"].as_bool(), named(&later, "Front")["status"].as_str()), (Some(false), Some("locked")));
    assert_eq!(named(&later, "Front")["unlocked_until"], Value::Null);
}
on_both_databases!(an_unlock_on_the_page_runs_out_on_time, roomy);
