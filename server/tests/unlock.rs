//! The unlock service through the press-to-unlock server function, with the
//! event it leaves, on SQLite and PostgreSQL.

mod common;

use common::{call_with, TestApp};
use postern::model::UserForm;
use postern::services::users;
use postern::types::Password;
use serde_json::Value;

struct Site {
    controller: String,
    wired: String,
    unwired: String,
    place: String,
    group: String,
}

/// A place, a simulated controller, a wired door, a door with no controller,
/// and a group with both doors.
async fn site(app: &TestApp) -> Site {
    app.sign_up_owner().await;
    let place = app.create("save_place", &[("form[name]", "HQ"), ("form[latitude]", "40.7"), ("form[longitude]", "-74.0"), ("form[time_zone]", "America/New_York")]).await;
    let controller = app.create("save_controller", &[("form[name]", "C1"), ("form[place_id]", &place)]).await;
    let wired = app.create("save_door", &[("form[name]", "Front"), ("form[place_id]", &place), ("form[controller_id]", &controller), ("form[relay]", "1"), ("form[pulse_seconds]", "3")]).await;
    let unwired = app.create("save_door", &[("form[name]", "Roof"), ("form[place_id]", &place)]).await;
    let group = app.create("save_group", &[("form[name]", "Staff")]).await;
    for door in [&wired, &unwired] {
        assert_eq!(app.call("change_group_door", &[("group_id", &group), ("door_id", door), ("add", "true")]).await.0, 200);
    }
    Site { controller, wired, unwired, place, group }
}

/// A member with a password, signed in in their own browser.
async fn member(app: &TestApp, email: &str) -> (reqwest::Client, i64) {
    let form = UserForm { name: "Mia".into(), email: email.into(), confirmed: Some("on".into()), app_access: Some("on".into()), ..Default::default() };
    let id = users::insert(&app.db, &form.validate().unwrap(), None).await.unwrap();
    users::set_password(&app.db, id, &Password::parse("member password 1").unwrap()).await.unwrap();
    let browser = app.new_browser();
    let (status, _) = call_with(&browser, &app.address, "login", &[("email", email), ("password", "member password 1")]).await;
    assert_eq!(status, 200);
    (browser, id)
}

async fn events(app: &TestApp) -> Vec<(String, String, Option<String>, String)> {
    sqlx::query_as("SELECT action, result, method, reasons FROM events WHERE action = 'unlock' ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
}

async fn admin_unlocks_and_the_door_reads_unlocked(app: &TestApp) {
    let site = site(app).await;
    let (status, body) = app.call("unlock_door", &[("door_id", &site.wired)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["granted"].as_bool(), body["seconds"].as_u64()), (Some(true), Some(3)));
    let (_, door) = app.call("get_door", &[("id", &site.wired)]).await;
    assert_eq!(door[0]["status"]["status"], "unlocked", "{door}");
    // A second grant during the pulse restarts it; both presses are logged.
    let (_, again) = app.call("unlock_door", &[("door_id", &site.wired)]).await;
    assert_eq!(again["granted"], true);
    let logged = events(app).await;
    assert_eq!(logged.len(), 2);
    assert!(logged.iter().all(|(_, result, method, _)| result == "granted" && method.as_deref() == Some("web")));
    // After the pulse the door reads Locked again.
    tokio::time::sleep(std::time::Duration::from_millis(3200)).await;
    let (_, door) = app.call("get_door", &[("id", &site.wired)]).await;
    assert_eq!(door[0]["status"]["status"], "locked", "{door}");
}
on_both_databases!(admin_unlocks_and_the_door_reads_unlocked);

async fn no_controller_answers_409_after_a_grant(app: &TestApp) {
    let site = site(app).await;
    let (status, body) = app.call("unlock_door", &[("door_id", &site.unwired)]).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["Conflict"], "The door has no assigned controller.");
    let logged = events(app).await;
    assert_eq!(logged[0].1, "error");
    // Malformed input is the caller's mistake: 422, and nothing is logged.
    let (status, body) = app.call("unlock_door", &[("door_id", "front")]).await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = app.call("unlock_door", &[("door_id", "999999")]).await;
    assert_eq!(status, 404);
    assert_eq!(events(app).await.len(), 1);
    assert!(logged[0].3.contains("no_controller"));
}
on_both_databases!(no_controller_answers_409_after_a_grant);

async fn members_need_a_group_and_are_told_why(app: &TestApp) {
    let site = site(app).await;
    let (browser, member_id) = member(app, "mia@example.com").await;
    let (status, body) = call_with(&browser, &app.address, "unlock_door", &[("door_id", &site.wired)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["granted"], false);
    assert!(!body["reasons"].as_array().unwrap().is_empty(), "{body}");
    let member_id = member_id.to_string();
    assert_eq!(app.call("change_group_member", &[("group_id", &site.group), ("user_id", &member_id), ("add", "true")]).await.0, 200);
    let (_, body) = call_with(&browser, &app.address, "unlock_door", &[("door_id", &site.wired)]).await;
    assert_eq!(body["granted"], true, "{body}");
    let logged = events(app).await;
    assert_eq!((logged[0].1.as_str(), logged[1].1.as_str()), ("denied", "granted"));
    assert_eq!(logged[1].2.as_deref(), Some("app"), "members unlock from the app page");
}
on_both_databases!(members_need_a_group_and_are_told_why);

async fn lockdown_blocks_members_but_not_admins(app: &TestApp) {
    let site = site(app).await;
    let (browser, member_id) = member(app, "mia@example.com").await;
    let member_id = member_id.to_string();
    app.call("change_group_member", &[("group_id", &site.group), ("user_id", &member_id), ("add", "true")]).await;
    assert_eq!(app.call("set_door_lockdown", &[("door_id", &site.wired), ("on", "true")]).await.0, 200);
    let (_, door) = app.call("get_door", &[("id", &site.wired)]).await;
    assert_eq!(door[0]["status"]["status"], "locked_down", "{door}");
    assert!(door[0]["locked_down_by"].as_str().unwrap().contains("owner@example.com"));
    let (_, body) = call_with(&browser, &app.address, "unlock_door", &[("door_id", &site.wired)]).await;
    assert_eq!(body["granted"], false);
    assert!(body["reasons"].to_string().to_lowercase().contains("lock"), "{body}");
    let (_, body) = app.call("unlock_door", &[("door_id", &site.wired)]).await;
    assert_eq!(body["granted"], true, "owners pass a lockdown: {body}");
    // Members cannot lock down or cancel.
    let (status, _) = call_with(&browser, &app.address, "set_door_lockdown", &[("door_id", &site.wired), ("on", "false")]).await;
    assert_eq!(status, 403);
    assert_eq!(app.call("set_door_lockdown", &[("door_id", &site.wired), ("on", "false")]).await.0, 200);
    let (_, body) = call_with(&browser, &app.address, "unlock_door", &[("door_id", &site.wired)]).await;
    assert_eq!(body["granted"], true, "{body}");
    // A whole place locks down too.
    assert_eq!(app.call("set_place_lockdown", &[("place_id", &site.place), ("on", "true")]).await.0, 200);
    let (_, body) = call_with(&browser, &app.address, "unlock_door", &[("door_id", &site.wired)]).await;
    assert_eq!(body["granted"], false, "{body}");
    let actions: Vec<(String,)> = sqlx::query_as("SELECT action FROM events WHERE action <> 'unlock' AND action LIKE '%lock%' ORDER BY id").fetch_all(app.db.pool()).await.unwrap();
    let actions: Vec<&str> = actions.iter().map(|a| a.0.as_str()).collect();
    assert_eq!(actions, ["door.locked_down", "door.lockdown_cancelled", "place.locked_down"]);
}
on_both_databases!(lockdown_blocks_members_but_not_admins);

async fn geofenced_doors_need_a_location_inside(app: &TestApp) {
    let site = site(app).await;
    let (_, door) = app.call("get_door", &[("id", &site.wired)]).await;
    let mut form: Vec<(String, String)> = vec![("id".into(), site.wired.clone())];
    for (key, value) in door[0].as_object().unwrap() {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => continue,
        };
        if ["name", "description", "place_id", "controller_id", "relay", "pulse_seconds", "held_open_seconds", "lock_type"].contains(&key.as_str()) {
            form.push((format!("form[{key}]"), text));
        }
    }
    form.push(("form[geofence_enabled]".into(), "on".into()));
    form.push(("form[geofence_radius_m]".into(), "100".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = app.call("save_door", &pairs).await;
    assert_eq!(status, 200, "{body}");
    let (_, denied) = app.call("unlock_door", &[("door_id", &site.wired)]).await;
    assert_eq!(denied["granted"], false);
    assert!(denied["reasons"].to_string().to_lowercase().contains("location"), "{denied}");
    let (_, far) = app.call("unlock_door", &[("door_id", &site.wired), ("latitude", "40.71"), ("longitude", "-74.0"), ("accuracy", "5")]).await;
    assert_eq!(far["granted"], false, "1.1 km away: {far}");
    let (_, near) = app.call("unlock_door", &[("door_id", &site.wired), ("latitude", "40.7002"), ("longitude", "-74.0"), ("accuracy", "10")]).await;
    assert_eq!(near["granted"], true, "22 m away: {near}");
}
on_both_databases!(geofenced_doors_need_a_location_inside);

/// "Every day HH:MM-HH:MM" from `from` to `to` minutes after now, New York time.
fn window_around_now(from: i64, to: i64) -> String {
    use postern::types::{TimeZoneName, Timestamp};
    let zone = TimeZoneName::parse("America/New_York").unwrap();
    let text = Timestamp::from_millis(postern::services::now_ms()).format_in(&zone);
    let hm = text.split(' ').nth(1).unwrap();
    let (h, m) = hm.split_once(':').unwrap();
    let now = h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap();
    let at = |offset: i64| {
        let t = (now + offset).rem_euclid(1440);
        format!("{:02}:{:02}", t / 60, t % 60)
    };
    format!("Every day {}-{}", at(from), at(to))
}

async fn time_restrictions_follow_the_place_clock(app: &TestApp) {
    let site = site(app).await;
    let (browser, member_id) = member(app, "mia@example.com").await;
    let member_id = member_id.to_string();
    app.call("change_group_member", &[("group_id", &site.group), ("user_id", &member_id), ("add", "true")]).await;
    let save = |restricted: bool, windows: String| {
        let (wired, place, controller) = (site.wired.clone(), site.place.clone(), site.controller.clone());
        async move {
            let mut form = vec![
                ("id", wired),
                ("form[name]", "Front".to_owned()),
                ("form[place_id]", place),
                ("form[controller_id]", controller),
                ("form[relay]", "1".to_owned()),
                ("form[time_windows]", windows),
            ];
            if restricted {
                form.push(("form[time_restriction]", "on".to_owned()));
            }
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call("save_door", &pairs).await
        }
    };
    // Refused: the restriction without windows, and nonsense windows.
    let (status, body) = save(true, String::new()).await;
    assert_eq!(status, 422);
    assert!(common::field_message(&body, "time_windows").is_some(), "{body}");
    let (_, body) = save(false, "Someday 9-5".into()).await;
    assert!(common::field_message(&body, "time_windows").unwrap().contains("Someday"), "{body}");

    // Closed now: one window opens in two hours, another closed two hours ago.
    let (status, body) = save(true, format!("{}\n{}", window_around_now(120, 180), window_around_now(-180, -120))).await;
    assert_eq!(status, 200, "{body}");
    let (_, door) = app.call("get_door", &[("id", &site.wired)]).await;
    assert_eq!(door[0]["time_windows"].as_str().unwrap().lines().count(), 2, "{door}");
    let (_, body) = call_with(&browser, &app.address, "unlock_door", &[("door_id", &site.wired)]).await;
    assert_eq!(body["granted"], false, "{body}");
    assert!(body["reasons"].to_string().contains("time"), "{body}");
    // Open now (the window may cross midnight).
    save(true, window_around_now(-60, 60)).await;
    let (_, body) = call_with(&browser, &app.address, "unlock_door", &[("door_id", &site.wired)]).await;
    assert_eq!(body["granted"], true, "{body}");
    // The restriction off: windows are kept but do not apply.
    save(false, window_around_now(120, 180)).await;
    let (_, body) = call_with(&browser, &app.address, "unlock_door", &[("door_id", &site.wired)]).await;
    assert_eq!(body["granted"], true, "{body}");
}
on_both_databases!(time_restrictions_follow_the_place_clock);

async fn the_explainer_names_the_blocking_rule_and_the_fix(app: &TestApp) {
    let site = site(app).await;
    let (_, member_id) = member(app, "mia@example.com").await;
    let member_id = member_id.to_string();
    let explain = |door: String, extra: Vec<(&'static str, String)>| {
        let user = member_id.clone();
        async move {
            let mut form = vec![("query[user]", user), ("query[door]", door)];
            form.extend(extra);
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, body) = app.call("explain_access", &pairs).await;
            assert_eq!(status, 200, "{body}");
            body["explanation"].clone()
        }
    };
    let failing = |explanation: &Value| -> Vec<String> {
        explanation["checks"].as_array().unwrap().iter().filter(|c| c["passed"] == false).map(|c| c["rule"].as_str().unwrap().to_owned()).collect()
    };
    // Not in any group.
    let e = explain(site.wired.clone(), vec![]).await;
    assert_eq!(e["granted"], false);
    assert_eq!(failing(&e), ["Group membership"]);
    assert!(e.to_string().contains("Add the person to a group that includes door “Front”"), "{e}");
    // In the group, but the group expired (as of a time after its end).
    app.call("change_group_member", &[("group_id", &site.group), ("user_id", &member_id), ("add", "true")]).await;
    let (status, body) = app.call("save_group", &[("id", &site.group), ("form[name]", "Staff"), ("form[valid_until]", "2026-10-31T00:00"), ("form[time_zone]", "UTC")]).await;
    assert_eq!(status, 200, "{body}");
    let e = explain(site.wired.clone(), vec![("query[at]", "2026-11-05T09:00".into())]).await;
    assert_eq!(failing(&e), ["Group membership"]);
    assert!(e.to_string().contains("Extend the validity of group “Staff”"), "{e}");
    // Before the end it would pass; the reader restriction then blocks, with its fix.
    let e = explain(site.wired.clone(), vec![("query[at]", "2026-10-01T09:00".into())]).await;
    assert_eq!(e["granted"], true, "{e}");
    let reader = app.call("get_door", &[("id", &site.wired)]).await.1[0]["reader_id"].clone();
    assert!(reader.is_null());
    let (_, controller) = app.call("get_controller", &[("id", &site.controller)]).await;
    let reader_id = controller[0]["readers"][0]["id"].as_i64().unwrap().to_string();
    let (status, body) = app.call("save_door", &[("id", &site.wired), ("form[name]", "Front"), ("form[place_id]", &site.place), ("form[controller_id]", &site.controller), ("form[relay]", "1"), ("form[reader_id]", &reader_id), ("form[reader_restriction]", "on")]).await;
    assert_eq!(status, 200, "{body}");
    let e = explain(site.wired.clone(), vec![("query[at]", "2026-10-01T09:00".into())]).await;
    assert_eq!(failing(&e), ["Reader"]);
    assert!(e.to_string().contains("Door “Front” has a reader restriction and the request carried no proximity code — unlock at the door's reader, or turn the restriction off on the door."), "{e}");
    // Bad input is refused with the field named.
    let (status, body) = app.call("explain_access", &[("query[user]", &member_id), ("query[door]", &site.wired), ("query[at]", "yesterday")]).await;
    assert_eq!(status, 422, "{body}");
    assert!(common::field_message(&body, "at").is_some(), "{body}");
}
on_both_databases!(the_explainer_names_the_blocking_rule_and_the_fix);

async fn two_factor_doors_need_a_fresh_password(app: &TestApp) {
    let site = site(app).await;
    let (status, body) = app.call("save_door", &[("id", &site.wired), ("form[name]", "Front"), ("form[place_id]", &site.place), ("form[controller_id]", &site.controller), ("form[relay]", "1"), ("form[require_2fa]", "on")]).await;
    assert_eq!(status, 200, "{body}");
    // Just signed in: the password is fresh.
    let (_, body) = app.call("unlock_door", &[("door_id", &site.wired)]).await;
    assert_eq!(body["granted"], true, "{body}");
    // Ten minutes later it is not.
    sqlx::query("UPDATE sessions SET verified_at = verified_at - 600000").execute(app.db.pool()).await.unwrap();
    let (_, body) = app.call("unlock_door", &[("door_id", &site.wired)]).await;
    assert_eq!((body["granted"].as_bool(), body["needs_verification"].as_bool()), (Some(false), Some(true)), "{body}");
    let (status, body) = app.call("confirm_password", &[("password", "not it at all")]).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(app.call("confirm_password", &[("password", "correct horse battery")]).await.0, 200);
    let (_, body) = app.call("unlock_door", &[("door_id", &site.wired)]).await;
    assert_eq!(body["granted"], true, "{body}");
}
on_both_databases!(two_factor_doors_need_a_fresh_password);

async fn primary_device_binds_on_first_sign_in(app: &TestApp) {
    let site = site(app).await;
    let form = UserForm { name: "Pia".into(), email: "pia@example.com".into(), confirmed: Some("on".into()), app_access: Some("on".into()), primary_device_required: Some("on".into()), ..Default::default() };
    let id = users::insert(&app.db, &form.validate().unwrap(), None).await.unwrap();
    users::set_password(&app.db, id, &Password::parse("member password 1").unwrap()).await.unwrap();
    let id = id.to_string();
    app.call("change_group_member", &[("group_id", &site.group), ("user_id", &id), ("add", "true")]).await;
    let phone = app.new_browser();
    call_with(&phone, &app.address, "login", &[("email", "pia@example.com"), ("password", "member password 1")]).await;
    let (_, body) = call_with(&phone, &app.address, "unlock_door", &[("door_id", &site.wired)]).await;
    assert_eq!(body["granted"], true, "the first device is bound: {body}");
    let laptop = app.new_browser();
    call_with(&laptop, &app.address, "login", &[("email", "pia@example.com"), ("password", "member password 1")]).await;
    let (_, body) = call_with(&laptop, &app.address, "unlock_door", &[("door_id", &site.wired)]).await;
    assert_eq!(body["granted"], false, "another browser is not the primary device: {body}");
    assert!(body["reasons"].to_string().to_lowercase().contains("device"), "{body}");
}
on_both_databases!(primary_device_binds_on_first_sign_in);
