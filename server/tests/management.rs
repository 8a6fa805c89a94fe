//! The dashboard's management server functions: places, controllers, doors,
//! groups, users and cards, with their validation, on SQLite and PostgreSQL.

mod common;

use common::{field_message, TestApp};
use serde_json::Value;

async fn create(app: &TestApp, endpoint: &str, form: &[(&str, &str)]) -> i64 {
    let (status, body) = app.call(endpoint, form).await;
    assert_eq!(status, 200, "{endpoint} failed: {body}");
    body.as_i64().unwrap_or_else(|| panic!("{endpoint} returned {body}"))
}

async fn place(app: &TestApp, name: &str) -> i64 {
    create(app, "save_place", &[
        ("form[name]", name), ("form[address]", "1 Main St"), ("form[latitude]", "40.7"),
        ("form[longitude]", "-74.0"), ("form[time_zone]", "America/New_York"), ("form[geofence_radius_m]", ""),
    ]).await
}

async fn places_are_validated_and_unique(app: &TestApp) {
    app.sign_up_owner().await;
    let (status, body) = app.call("save_place", &[
        ("form[name]", ""), ("form[latitude]", "91"), ("form[longitude]", "east"),
        ("form[time_zone]", "Mars/Olympus_Mons"), ("form[geofence_radius_m]", "0"),
    ]).await;
    assert_eq!(status, 422, "{body}");
    for field in ["name", "latitude", "longitude", "time_zone", "geofence_radius_m"] {
        assert!(field_message(&body, field).is_some(), "no message for {field}: {body}");
    }
    let (_, body) = app.call("save_place", &[
        ("form[name]", "Far"), ("form[latitude]", "1"), ("form[longitude]", "1"),
        ("form[time_zone]", "UTC"), ("form[geofence_radius_m]", "50001"),
    ]).await;
    assert!(field_message(&body, "geofence_radius_m").unwrap().contains("50 km"));
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM places").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(count, 0, "a refused place was saved");

    let id = place(app, "HQ").await;
    let (_, listed) = app.call("list_places", &[("query", "hq")]).await;
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["geofence_radius_m"], 300);
    let (status, body) = app.call("save_place", &[
        ("form[name]", "HQ"), ("form[latitude]", "1"), ("form[longitude]", "1"), ("form[time_zone]", "UTC"),
    ]).await;
    assert_eq!(status, 422);
    assert_eq!(field_message(&body, "name").as_deref(), Some("Another place already has this name."));

    // Edit, then search and pagination.
    let id_text = id.to_string();
    create(app, "save_place", &[
        ("id", &id_text), ("form[name]", "Headquarters"), ("form[latitude]", "40.7"),
        ("form[longitude]", "-74.0"), ("form[time_zone]", "Europe/Berlin"), ("form[geofence_radius_m]", "120"),
    ]).await;
    let (_, got) = app.call("get_place", &[("id", &id_text)]).await;
    assert_eq!((got["name"].as_str(), got["time_zone"].as_str(), got["geofence_radius_m"].as_i64()), (Some("Headquarters"), Some("Europe/Berlin"), Some(120)));
    for n in 0..30 {
        place(app, &format!("Branch {n:02}")).await;
    }
    let (_, page2) = app.call("list_places", &[("query", "branch"), ("page", "2")]).await;
    assert_eq!(page2["total"], 30);
    assert_eq!(page2["items"].as_array().unwrap().len(), 5);
    assert_eq!(page2["items"][0]["name"], "Branch 25");
}
on_both_databases!(places_are_validated_and_unique);

async fn doors_on_relays_with_clear_conflicts(app: &TestApp) {
    app.sign_up_owner().await;
    let hq = place(app, "HQ").await.to_string();
    let other = place(app, "Annex").await.to_string();
    let (status, body) = app.call("save_controller", &[("form[name]", "Lobby"), ("form[place_id]", ""), ("form[bridge_kind]", "zigbee")]).await;
    assert_eq!(status, 422);
    assert!(field_message(&body, "place_id").is_some() && field_message(&body, "bridge_kind").is_some(), "{body}");
    let controller = create(app, "save_controller", &[("form[name]", "Lobby"), ("form[place_id]", &hq)]).await.to_string();
    let (_, got) = app.call("get_controller", &[("id", &controller)]).await;
    assert_eq!(got[0]["relays"].as_array().unwrap().len(), 4);
    assert_eq!(got[0]["readers"].as_array().unwrap().len(), 4);
    assert_eq!(got[0]["online"], true, "a simulated controller starts online");

    let door = |name: &'static str, relay: &'static str| {
        vec![("form[name]", name), ("form[place_id]", hq.as_str()), ("form[controller_id]", controller.as_str()), ("form[relay]", relay)]
    };
    let front = create(app, "save_door", &door("Front", "1")).await;
    let (status, body) = app.call("save_door", &door("Back", "1")).await;
    assert_eq!(status, 422);
    assert_eq!(field_message(&body, "relay").as_deref(), Some("Relay 1 of this controller already drives “Front”."));
    let (_, body) = app.call("save_door", &door("Back", "5")).await;
    assert!(field_message(&body, "relay").unwrap().contains("1 to 4"), "{body}");
    let (_, body) = app.call("save_door", &[("form[name]", "Back"), ("form[place_id]", &other), ("form[controller_id]", &controller), ("form[relay]", "2")]).await;
    assert!(field_message(&body, "controller_id").unwrap().contains("installed at “HQ”"), "{body}");
    let (_, body) = app.call("save_door", &[("form[name]", "Front"), ("form[place_id]", &hq)]).await;
    assert_eq!(field_message(&body, "name").as_deref(), Some("This place already has a door with this name."));
    let (doors,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM doors").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(doors, 1, "refused doors were saved");

    // A door with no controller reads Offline; a wired one on a live simulated controller reads Locked.
    let unwired = create(app, "save_door", &[("form[name]", "Roof"), ("form[place_id]", &hq), ("form[floor]", "Roof level"), ("form[geofence_enabled]", "on")]).await;
    let (_, listed) = app.call("list_doors", &[("query", "")]).await;
    let status_of = |id: i64| -> Value {
        listed["items"].as_array().unwrap().iter().find(|d| d["id"] == id).unwrap()["status"].clone()
    };
    assert_eq!(status_of(unwired)["status"], "offline");
    assert_eq!(status_of(front)["status"], "locked");
    let (_, roof) = app.call("get_door", &[("id", &unwired.to_string())]).await;
    assert_eq!(roof[0]["floor"], "Roof level");
    assert_eq!(roof[0]["effective_radius_m"], 300);

    // Deleting the place is refused while it has doors; deleting the controller unwires its doors.
    let (status, body) = app.call("delete_place", &[("id", &hq)]).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.to_string().contains("still has doors"), "{body}");
    let (status, _) = app.call("delete_controller", &[("id", &controller)]).await;
    assert_eq!(status, 200);
    let (_, front_now) = app.call("get_door", &[("id", &front.to_string())]).await;
    assert!(front_now[0]["controller_id"].is_null());
    assert_eq!(front_now[0]["status"]["status"], "offline");
    // A place that does not exist, with a floor to create there: a message, not a 500.
    let (status, body) = app.call("save_door", &[("form[name]", "Ghost"), ("form[place_id]", "999999"), ("form[floor]", "2")]).await;
    assert_eq!(status, 422, "{body}");
    assert!(field_message(&body, "place_id").is_some(), "{body}");
}
on_both_databases!(doors_on_relays_with_clear_conflicts);

async fn groups_link_members_and_doors(app: &TestApp) {
    app.sign_up_owner().await;
    let hq = place(app, "HQ").await.to_string();
    let door = create(app, "save_door", &[("form[name]", "Front"), ("form[place_id]", &hq)]).await.to_string();
    let user = create(app, "save_user", &[("form[name]", "Mia"), ("form[email]", "Mia@Example.com"), ("form[role]", "member"), ("form[app_access]", "on")]).await.to_string();
    let (status, body) = app.call("save_user", &[("form[name]", "Twin"), ("form[email]", "mia@example.com")]).await;
    assert_eq!(status, 422);
    assert_eq!(field_message(&body, "email").as_deref(), Some("Someone already uses this email address."));
    let (_, body) = app.call("save_group", &[("form[name]", "Staff"), ("form[valid_from]", "2026-02-01T00:00"), ("form[valid_until]", "2026-01-01T00:00")]).await;
    assert!(field_message(&body, "valid_until").is_some(), "{body}");
    let group = create(app, "save_group", &[("form[name]", "Staff"), ("form[valid_until]", "2030-01-01T00:00"), ("form[time_zone]", "UTC")]).await.to_string();
    for (endpoint, key, value) in [("change_group_member", "user_id", &user), ("change_group_door", "door_id", &door)] {
        let (status, body) = app.call(endpoint, &[("group_id", &group), (key, value), ("add", "true")]).await;
        assert_eq!(status, 200, "{body}");
        // Adding twice changes nothing.
        assert_eq!(app.call(endpoint, &[("group_id", &group), (key, value), ("add", "true")]).await.0, 200);
    }
    let (_, body) = app.call("change_group_member", &[("group_id", &group), ("user_id", ""), ("add", "true")]).await;
    assert!(field_message(&body, "user_id").is_some(), "{body}");
    let (_, details) = app.call("get_group", &[("id", &group)]).await;
    assert_eq!(details["members"][0]["email"], "mia@example.com");
    assert_eq!(details["doors"][0]["name"], "Front");
    assert_eq!(details["group"]["valid_until"], 1_893_456_000_000i64);

    // Cards: valid numbers, no duplicates, deactivate.
    let (_, body) = app.call("add_card", &[("user_id", &user), ("number", "12:abc"), ("label", "")]).await;
    assert!(field_message(&body, "number").is_some(), "{body}");
    let card = create(app, "add_card", &[("user_id", &user), ("number", "12:34567"), ("label", "Blue fob")]).await.to_string();
    let (_, body) = app.call("add_card", &[("user_id", &user), ("number", "012:34567"), ("label", "")]).await;
    assert_eq!(field_message(&body, "number").as_deref(), Some("This card number is already assigned to someone."));
    assert_eq!(app.call("change_card", &[("card_id", &card), ("change", "deactivate")]).await.0, 200);
    let (_, user_details) = app.call("get_user", &[("id", &user)]).await;
    assert_eq!(user_details[1][0]["active"], false);
    assert_eq!(user_details[2], false, "the owner is not Mia");

    // Removing and deleting, with the admin actions in the event log.
    assert_eq!(app.call("change_group_member", &[("group_id", &group), ("user_id", &user), ("add", "false")]).await.0, 200);
    assert_eq!(app.call("delete_user", &[("id", &user)]).await.0, 200);
    assert_eq!(app.call("delete_group", &[("id", &group)]).await.0, 200);
    let actions: Vec<(String,)> = sqlx::query_as("SELECT action FROM events ORDER BY id").fetch_all(app.db.pool()).await.unwrap();
    let actions: Vec<&str> = actions.iter().map(|a| a.0.as_str()).collect();
    for expected in ["place.created", "door.created", "user.created", "group.created", "group.member_added", "group.door_added", "card.added", "card.deactivated", "user.deleted", "group.deleted"] {
        assert!(actions.contains(&expected), "no {expected} in {actions:?}");
    }
}
on_both_databases!(groups_link_members_and_doors);

async fn owner_cannot_be_demoted_or_deleted(app: &TestApp) {
    app.sign_up_owner().await;
    let (_, session) = app.call("session", &[]).await;
    let me = session["id"].as_i64().unwrap().to_string();
    let (status, body) = app.call("save_user", &[("id", &me), ("form[name]", "Olive"), ("form[email]", "owner@example.com"), ("form[role]", "admin"), ("form[app_access]", "on")]).await;
    assert_eq!(status, 422);
    assert!(field_message(&body, "role").is_some(), "{body}");
    let (status, _) = app.call("delete_user", &[("id", &me)]).await;
    assert_eq!(status, 409);
    let (status, body) = app.call("save_user", &[("form[name]", "Second"), ("form[email]", "second@example.com"), ("form[role]", "owner")]).await;
    assert_eq!(status, 422);
    assert_eq!(field_message(&body, "role").as_deref(), Some("There is only one owner."));
}
on_both_databases!(owner_cannot_be_demoted_or_deleted);

async fn demo_fills_a_lived_in_organization(app: &TestApp) {
    let sign_in = postern::services::demo::fill(&app.db).await.unwrap();
    let count = |table: &'static str| async move {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(app.db.pool()).await.unwrap();
        n
    };
    assert_eq!(count("places").await, 2);
    assert_eq!(count("controllers").await, 2);
    assert_eq!(count("doors").await, 7);
    assert_eq!(count("access_groups").await, 4);
    assert_eq!(count("users").await, 20);
    let (zones,): (i64,) = sqlx::query_as("SELECT COUNT(DISTINCT time_zone) FROM places").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(zones, 2);
    let (unwired,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM doors WHERE controller_id IS NULL").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(unwired, 1);
    // Every wired door has its reader, and everyone a fob to try on the simulator.
    let (readers,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM doors WHERE reader_id IS NOT NULL").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(readers, 6);
    assert_eq!(count("cards").await, 20);
    // The demo's manager manages Brooklyn: its doors, its group and that group's members.
    let manager = postern::services::users::find_by_email(&app.db, &postern::types::Email::parse("grace.hopper@example.com").unwrap()).await.unwrap().unwrap();
    let scope = postern::services::scope::Scope::PlacesOf(manager.id);
    let page = postern::types::Page { number: 1, size: 100 };
    let all = postern::types::SearchQuery::new("");
    assert_eq!(postern::services::doors::list(&app.db, scope, &all, page).await.unwrap().total, 4);
    let groups = postern::services::groups::list(&app.db, scope, &all, page).await.unwrap();
    assert_eq!(groups.items.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["Brooklyn staff"]);
    assert!(postern::services::users::list(&app.db, scope, &all, page).await.unwrap().total >= 4);
    // The printed sign-in works, and the demo refuses to run twice.
    let (status, _) = app.call("login", &[("email", &sign_in.email), ("password", &sign_in.password)]).await;
    assert_eq!(status, 200);
    assert!(postern::services::demo::fill(&app.db).await.is_err());
}
on_both_databases!(demo_fills_a_lived_in_organization);

async fn staff_give_people_a_password(app: &TestApp) {
    app.sign_up_owner().await;
    let user = create(app, "save_user", &[("form[name]", "Mia"), ("form[email]", "mia@example.com"), ("form[app_access]", "on"), ("form[confirmed]", "on")]).await.to_string();
    let (status, body) = app.call("set_user_password", &[("user_id", &user), ("password", "short")]).await;
    assert_eq!(status, 422);
    assert!(field_message(&body, "password").is_some(), "{body}");
    assert_eq!(app.call("set_user_password", &[("user_id", &user), ("password", "member password 1")]).await.0, 200);
    let browser = app.new_browser();
    let (status, _) = common::call_with(&browser, &app.address, "login", &[("email", "mia@example.com"), ("password", "member password 1")]).await;
    assert_eq!(status, 200);
    // A member cannot set anyone's password.
    let (_, owner) = app.call("session", &[]).await;
    let owner_id = owner["id"].as_i64().unwrap().to_string();
    let (status, _) = common::call_with(&browser, &app.address, "set_user_password", &[("user_id", &owner_id), ("password", "hijacked password")]).await;
    assert_eq!(status, 403);
}
on_both_databases!(staff_give_people_a_password);
