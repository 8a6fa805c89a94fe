//! The scheduled-unlock pages' server functions: a door's schedules, a
//! place's holidays and zones. Bad forms answer 422 with a message beside
//! each field and save nothing; on SQLite and PostgreSQL.

mod common;

use common::{field_message, TestApp};
use serde_json::Value;

async fn count(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(app.db.pool()).await.unwrap();
    n
}

/// An owner, a place in New York and a door there: (place id, door id).
async fn door(app: &TestApp) -> (String, String) {
    app.sign_up_owner().await;
    let place = app
        .create("save_place", &[
            ("form[name]", "HQ"), ("form[latitude]", "40.7"), ("form[longitude]", "-74.0"), ("form[time_zone]", "America/New_York"),
        ])
        .await;
    let door = app.create("save_door", &[("form[name]", "Front"), ("form[place_id]", &place)]).await;
    (place, door)
}

fn assert_messages(status: u16, body: &Value, fields: &[&str]) {
    assert_eq!(status, 422, "{body}");
    for field in fields {
        assert!(field_message(body, field).is_some(), "no message beside {field}: {body}");
    }
}

async fn schedule_forms_are_validated(app: &TestApp) {
    let (_, door) = door(app).await;
    let door = door.as_str();

    // No kind.
    let (status, body) = app.call("save_schedule", &[("door_id", door), ("form[kind]", "weekly")]).await;
    assert_messages(status, &body, &["kind"]);
    // Recurring: no day, a time that does not exist, a window without its end, a bad last-out time.
    let (status, body) = app
        .call("save_schedule", &[
            ("door_id", door), ("form[kind]", "recurring"),
            ("form[windows][0][start]", "25:00"), ("form[windows][0][end]", "18:00"),
            ("form[windows][1][start]", "09:00"), ("form[windows][1][end]", ""),
            ("form[from_date]", "2026-13-01"), ("form[last_out_after]", "late"),
        ])
        .await;
    assert_messages(status, &body, &["days", "windows.0.start", "windows.1.end", "from_date", "last_out_after"]);
    // Single event: no start, an end that is not a date.
    let (status, body) = app
        .call("save_schedule", &[("door_id", door), ("form[kind]", "single"), ("form[starts_at]", ""), ("form[ends_at]", "soon")])
        .await;
    assert_messages(status, &body, &["starts_at", "ends_at"]);
    // Single event ending before it starts.
    let (status, body) = app
        .call("save_schedule", &[
            ("door_id", door), ("form[kind]", "single"), ("form[starts_at]", "2026-12-01T10:00"), ("form[ends_at]", "2026-12-01T09:00"),
        ])
        .await;
    assert_messages(status, &body, &["ends_at"]);
    assert_eq!(field_message(&body, "ends_at").as_deref(), Some("The end must be after the start."));
    // All-day: no first day, a last day before the first.
    let (status, body) = app.call("save_schedule", &[("door_id", door), ("form[kind]", "all_day")]).await;
    assert_messages(status, &body, &["first_date"]);
    let (status, body) = app
        .call("save_schedule", &[("door_id", door), ("form[kind]", "all_day"), ("form[first_date]", "2026-12-24"), ("form[last_date]", "2026-12-20")])
        .await;
    assert_messages(status, &body, &["last_date"]);
    assert_eq!(count(app, "scheduled_unlocks").await, 0, "a refused schedule was saved");

    // A good one saves; it lists on the door's page, can be edited (a bad edit changes nothing), disabled and deleted.
    let id = app
        .create("save_schedule", &[
            ("door_id", door), ("form[kind]", "recurring"), ("form[mon]", "on"), ("form[fri]", "on"),
            ("form[windows][0][start]", "08:00"), ("form[windows][0][end]", "18:00"),
            ("form[windows][1][start]", ""), ("form[windows][1][end]", ""), ("form[enabled]", "on"),
        ])
        .await;
    let (status, page) = app.call("get_door_schedules", &[("door_id", door)]).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["time_zone"], "America/New_York");
    assert_eq!(page["schedules"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["schedules"][0]["enabled"], true);
    let (status, body) = app
        .call("save_schedule", &[("door_id", door), ("id", &id), ("form[kind]", "recurring"), ("form[windows][0][start]", "08:00")])
        .await;
    assert_messages(status, &body, &["days", "windows.0.end"]);
    let (_, page) = app.call("get_door_schedules", &[("door_id", door)]).await;
    assert_eq!(page["schedules"][0]["kind"]["windows"].as_array().map(Vec::len), Some(1), "{page}");
    let (status, body) = app.call("set_schedule_enabled", &[("door_id", door), ("id", &id), ("enabled", "false")]).await;
    assert_eq!(status, 200, "{body}");
    let (_, page) = app.call("get_door_schedules", &[("door_id", door)]).await;
    assert_eq!(page["schedules"][0]["enabled"], false);
    let (status, body) = app.call("delete_schedule", &[("door_id", door), ("id", &id)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(count(app, "scheduled_unlocks").await, 0);
}
on_both_databases!(schedule_forms_are_validated);

async fn holidays_and_zones_are_validated(app: &TestApp) {
    let (place, door) = door(app).await;
    let (status, body) = app.call("add_holiday", &[("place_id", &place), ("form[name]", ""), ("form[date]", "")]).await;
    assert_messages(status, &body, &["name", "date"]);
    let (status, body) = app.call("add_holiday", &[("place_id", &place), ("form[name]", "New Year"), ("form[date]", "2027-02-30")]).await;
    assert_messages(status, &body, &["date"]);
    assert_eq!(count(app, "holidays").await, 0, "a refused holiday was saved");
    let holiday = app
        .create("add_holiday", &[("place_id", &place), ("form[name]", "New Year"), ("form[date]", "2027-01-01"), ("form[yearly]", "on")])
        .await;
    let (_, page) = app.call("get_place_schedules", &[("place_id", &place)]).await;
    assert_eq!(page["holidays"][0]["name"], "New Year");
    assert_eq!(page["holidays"][0]["yearly"], true);

    let (status, body) = app.call("add_zone", &[("place_id", &place), ("name", "  ")]).await;
    assert_messages(status, &body, &["name"]);
    assert_eq!(count(app, "zones").await, 0, "a refused zone was saved");
    let zone = app.create("add_zone", &[("place_id", &place), ("name", "Ground floor")]).await;
    let (status, body) = app.call("add_zone", &[("place_id", &place), ("name", "Ground floor")]).await;
    assert_messages(status, &body, &["name"]);
    let (status, body) = app.call("set_zone_arming", &[("place_id", &place), ("zone_id", &zone), ("arming", "armed")]).await;
    assert_messages(status, &body, &["arming"]);
    let (status, body) = app.call("set_zone_arming", &[("place_id", &place), ("zone_id", &zone), ("arming", "away")]).await;
    assert_eq!(status, 200, "{body}");
    let (_, page) = app.call("get_place_schedules", &[("place_id", &place)]).await;
    assert_eq!(page["zones"][0]["arming"], "away");
    let (status, body) = app.call("close_zone_day", &[("place_id", &place), ("zone_id", &zone)]).await;
    assert_eq!(status, 200, "{body}");
    let (_, page) = app.call("get_place_schedules", &[("place_id", &place)]).await;
    assert!(page["zones"][0]["closed_date"].is_string(), "{page}");

    // The door's zone: not a number, a zone of another place, then its own.
    let (status, body) = app.call("set_door_zone", &[("door_id", &door), ("zone_id", "ground")]).await;
    assert_messages(status, &body, &["zone_id"]);
    let other = app
        .create("save_place", &[("form[name]", "Annex"), ("form[latitude]", "1"), ("form[longitude]", "1"), ("form[time_zone]", "UTC")])
        .await;
    let elsewhere = app.create("add_zone", &[("place_id", &other), ("name", "Annex floor")]).await;
    let (status, body) = app.call("set_door_zone", &[("door_id", &door), ("zone_id", &elsewhere)]).await;
    assert_messages(status, &body, &["zone_id"]);
    let (_, page) = app.call("get_door_schedules", &[("door_id", &door)]).await;
    assert_eq!(page["zone_id"], Value::Null);
    let (status, body) = app.call("set_door_zone", &[("door_id", &door), ("zone_id", &zone)]).await;
    assert_eq!(status, 200, "{body}");
    let (_, page) = app.call("get_door_schedules", &[("door_id", &door)]).await;
    assert_eq!(page["zone_id"].as_i64().map(|z| z.to_string()), Some(zone.clone()));
    assert_eq!(page["zones"][0]["name"], "Ground floor");

    let (status, body) = app.call("delete_holiday", &[("place_id", &place), ("id", &holiday)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(count(app, "holidays").await, 0);
}
on_both_databases!(holidays_and_zones_are_validated);

async fn signed_out_callers_get_nothing(app: &TestApp) {
    let (_, door) = door(app).await;
    let stranger = app.new_browser();
    let (status, _) = common::call_with(&stranger, &app.address, "get_door_schedules", &[("door_id", &door)]).await;
    assert!(status == 401 || status == 403, "status {status}");
    let (status, _) = common::call_with(&stranger, &app.address, "get_door_held_back", &[("door_id", &door)]).await;
    assert!(status == 401 || status == 403, "status {status}");
    let (status, _) = common::call_with(&stranger, &app.address, "save_schedule", &[("door_id", &door), ("form[kind]", "all_day"), ("form[first_date]", "2026-12-24")]).await;
    assert!(status == 401 || status == 403, "status {status}");
    assert_eq!(count(app, "scheduled_unlocks").await, 0);
}
on_both_databases!(signed_out_callers_get_nothing);
