//! The attacks that got people in who should have stayed out (issue 15),
//! each kept as a test, on SQLite and PostgreSQL. One section per attack:
//!
//! - escalation: a manager puts a fob on the owner, or touches staff cards;
//! - link race: 50 presses at once on a link with a use limit;
//! - lockdown race: 24 unlockers hammering a door while it is locked down;
//! - switched off: a person whose app access is off keeps nothing, keys included.

mod common;

use common::TestApp;
use postern::model::{SessionUser, UserForm};
use postern::services::{api_keys, users};
use postern::types::{Name, Role};
use postern_server::config::{Config, Rate, RateLimits};
use serde_json::{json, Value};

/// Limits high enough that a scenario's own requests never meet them.
fn roomy(config: &mut Config) {
    config.api_limits = RateLimits { per_key: Some(Rate::new(100_000, 100_000)), per_ip: Some(Rate::new(100_000, 100_000)) };
}

/// A person with a password, signed in on a browser of their own.
async fn person(app: &TestApp, email: &str, role: Role) -> (SessionUser, reqwest::Client) {
    let id = app.insert_person(email, role).await;
    let password = postern::types::Password::parse("a long enough password").unwrap();
    users::set_password(&app.db, id, &password).await.unwrap();
    let browser = app.new_browser();
    let (status, body) =
        common::call_with(&browser, &app.address, "login", &[("email", email), ("password", "a long enough password")]).await;
    assert!(status == 200 || status == 302 || status == 303, "{email} signs in: {status} {body}");
    let user = users::get(&app.db, id).await.unwrap();
    (SessionUser { id, name: user.name, email: user.email, role: user.role }, browser)
}

/// Assigns the manager every place (managers are scoped to places; these
/// attacks are about roles, not places: server/tests/place_managers.rs).
async fn manages_every_place(app: &TestApp, manager_id: i64) {
    sqlx::query("INSERT INTO manager_places (user_id, place_id) SELECT $1, id FROM places")
        .bind(manager_id)
        .execute(app.db.pool())
        .await
        .unwrap();
}

async fn key_for(app: &TestApp, user_id: i64) -> String {
    api_keys::issue(&app.db, user_id, &Name::parse("attack").unwrap()).await.unwrap().secret
}

/// Sends a JSON API request with `key`; returns the status and body.
async fn api(app: &TestApp, key: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}/api{path}", app.address))
        .header("authorization", format!("KISI-LOGIN {key}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn owner(app: &TestApp) -> SessionUser {
    let user = users::find_by_email(&app.db, &postern::types::Email::parse("owner@example.com").unwrap()).await.unwrap().unwrap();
    SessionUser { id: user.id, name: user.name, email: user.email, role: user.role }
}

/// A place, a simulated controller and a wired door ("Front", pulse 5 s),
/// and a group with the door.
struct Site {
    door: String,
    door_id: i64,
    controller_id: i64,
    group: String,
}

async fn site(app: &TestApp) -> Site {
    let place = app.create("save_place", &[("form[name]", "HQ"), ("form[latitude]", "40.7"), ("form[longitude]", "-74.0"), ("form[time_zone]", "America/New_York")]).await;
    let controller = app.create("save_controller", &[("form[name]", "C1"), ("form[place_id]", &place)]).await;
    let door = app
        .create(
            "save_door",
            &[("form[name]", "Front"), ("form[place_id]", &place), ("form[controller_id]", &controller), ("form[relay]", "1"), ("form[pulse_seconds]", "5")],
        )
        .await;
    let group = app.create("save_group", &[("form[name]", "Staff")]).await;
    assert_eq!(app.call("change_group_door", &[("group_id", &group), ("door_id", &door), ("add", "true")]).await.0, 200);
    let controller_id = controller.parse().unwrap();
    common::eventually("the simulated controller is online", || async {
        let (online,): (i64,) =
            sqlx::query_as("SELECT online FROM controllers WHERE id = $1").bind(controller_id).fetch_one(app.db.pool()).await.unwrap();
        online == 1
    })
    .await;
    Site { door_id: door.parse().unwrap(), door, controller_id, group }
}

// ---- escalation ------------------------------------------------------------

/// A manager cannot put a fob on the owner (or any staff), nor deactivate,
/// delete or re-password staff, nor change staff memberships: dashboard and
/// API alike. Members' records stay theirs to manage.
async fn a_manager_cannot_touch_staff_credentials(app: &TestApp) {
    app.sign_up_owner().await;
    let site = site(app).await;
    let owner = owner(app).await;
    let (manager, browser) = person(app, "manny@example.com", Role::Manager).await;
    let (admin, _) = person(app, "ada@example.com", Role::Admin).await;
    let (member, _) = person(app, "mel@example.com", Role::Member).await;
    manages_every_place(app, manager.id).await;
    let manager_key = key_for(app, manager.id).await;
    let call = |endpoint: &'static str, form: Vec<(&'static str, String)>| {
        let browser = browser.clone();
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            common::call_with(&browser, &app.address, endpoint, &form).await
        }
    };
    for staff in [&owner, &admin] {
        let (status, body) = call("add_card", vec![("user_id", staff.id.to_string()), ("number", "10:4242".into()), ("label", "".into())]).await;
        assert_eq!(status, 403, "dashboard: a fob on {}: {body}", staff.email);
        let (status, body) =
            api(app, &manager_key, reqwest::Method::POST, "/cards", Some(json!({"card": {"user_id": staff.id, "number": "10:4343"}}))).await;
        assert_eq!(status, 403, "API: a fob on {}: {body}", staff.email);
        let (status, body) = call("set_user_password", vec![("user_id", staff.id.to_string()), ("password", "another long password".into())]).await;
        assert_eq!(status, 403, "a password for {}: {body}", staff.email);
        let (status, body) =
            call("change_group_member", vec![("group_id", site.group.clone()), ("user_id", staff.id.to_string()), ("add", "true".into())]).await;
        assert_eq!(status, 403, "{} into a group: {body}", staff.email);
    }
    let (cards,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cards").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(cards, 0, "no fob was added to staff");
    // An admin's card, made by the owner: the manager cannot switch it off or delete it.
    let admin_card = users::add_card(&app.db, &owner, admin.id, &postern::types::CardNumber::parse("10:5000").unwrap(), "").await.unwrap();
    for change in ["deactivate", "delete"] {
        let (status, body) = call("change_card", vec![("card_id", admin_card.to_string()), ("change", change.into())]).await;
        assert_eq!(status, 403, "{change} a staff card: {body}");
    }
    let (status, body) =
        api(app, &manager_key, reqwest::Method::PATCH, &format!("/cards/{admin_card}"), Some(json!({"card": {"active": false}}))).await;
    assert_eq!(status, 403, "API: deactivate a staff card: {body}");
    let (active,): (i64,) = sqlx::query_as("SELECT active FROM cards WHERE id = $1").bind(admin_card).fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(active, 1);
    // A member's card is the manager's to manage.
    let (status, body) = call("add_card", vec![("user_id", member.id.to_string()), ("number", "10:6000".into()), ("label", "".into())]).await;
    assert_eq!(status, 200, "a fob on a member: {body}");
    let (status, body) =
        call("change_group_member", vec![("group_id", site.group.clone()), ("user_id", member.id.to_string()), ("add", "true".into())]).await;
    assert_eq!(status, 200, "a member into a group: {body}");
}
on_both_databases!(a_manager_cannot_touch_staff_credentials, roomy);

// ---- link race -------------------------------------------------------------

/// A manual link with these extra fields; returns its id and URL.
async fn manual_link(app: &TestApp, group: &str, extra: &[(&str, &str)]) -> (i64, String) {
    let mut form = vec![("form[recipient_name]", "Vera"), ("form[channel]", "manual"), ("form[group_id]", group)];
    form.extend_from_slice(extra);
    let (status, body) = app.call("send_access_link", &form).await;
    assert_eq!(status, 200, "{body}");
    (body["link"]["id"].as_i64().unwrap(), body["url"].as_str().unwrap().to_owned())
}

/// `n` presses of the door's Unlock on the link's page, all at once.
async fn presses(url: &str, door: &str, n: usize) {
    let phone = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let answers = futures_util::future::join_all((0..n).map(|_| phone.post(url).form(&[("door_id", door)]).send())).await;
    for answer in answers {
        assert_eq!(answer.unwrap().status().as_u16(), 303);
    }
}

async fn link_results(app: &TestApp, link_id: i64) -> (i64, i64, i64) {
    let (granted,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE link_id = $1 AND action = 'unlock' AND result = 'granted'")
        .bind(link_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let (used_up,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM events WHERE link_id = $1 AND action = 'unlock' AND result = 'denied' AND reasons LIKE '%credential_used_up%'",
    )
    .bind(link_id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let (uses,): (i64,) = sqlx::query_as("SELECT uses FROM access_links WHERE id = $1").bind(link_id).fetch_one(app.db.pool()).await.unwrap();
    (granted, used_up, uses)
}

/// 50 presses at once on a link limited to 1 use: exactly 1 granted, 49
/// denied "used up", `uses = 1`. The same with a per-day limit of 3.
async fn a_use_limit_holds_under_fifty_presses_at_once(app: &TestApp) {
    app.sign_up_owner().await;
    let site = site(app).await;
    let (once, url) = manual_link(app, &site.group, &[("form[use_limit]", "1"), ("form[use_limit_period]", "total")]).await;
    presses(&url, &site.door, 50).await;
    assert_eq!(link_results(app, once).await, (1, 49, 1), "(granted, denied used up, uses)");
    let (daily, url) = manual_link(app, &site.group, &[("form[use_limit]", "3"), ("form[use_limit_period]", "day")]).await;
    presses(&url, &site.door, 50).await;
    assert_eq!(link_results(app, daily).await, (3, 47, 3), "(granted, denied used up, uses)");
}
on_both_databases!(a_use_limit_holds_under_fifty_presses_at_once, roomy);

/// A use taken by a grant that could not open (the door has no controller)
/// is given back.
async fn a_use_is_given_back_when_nothing_opened(app: &TestApp) {
    app.sign_up_owner().await;
    let site = site(app).await;
    let place = app.create("save_place", &[("form[name]", "Annex"), ("form[latitude]", "40.7"), ("form[longitude]", "-74.0"), ("form[time_zone]", "America/New_York")]).await;
    let unwired = app.create("save_door", &[("form[name]", "Annex door"), ("form[place_id]", &place)]).await;
    assert_eq!(app.call("change_group_door", &[("group_id", &site.group), ("door_id", &unwired), ("add", "true")]).await.0, 200);
    let (link, url) = manual_link(app, &site.group, &[("form[use_limit]", "1"), ("form[use_limit_period]", "total")]).await;
    for _ in 0..3 {
        presses(&url, &unwired, 1).await;
    }
    let (uses,): (i64,) = sqlx::query_as("SELECT uses FROM access_links WHERE id = $1").bind(link).fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(uses, 0, "no controller: nothing opened, nothing used");
    presses(&url, &site.door, 1).await;
    assert_eq!(link_results(app, link).await, (1, 0, 1));
}
on_both_databases!(a_use_is_given_back_when_nothing_opened, roomy);

// ---- lockdown race ----------------------------------------------------------

/// 24 members unlock the door over and over while an admin locks it down,
/// 50 rounds. Once the lockdown has returned, the simulated relay is never
/// seen energised (sampled until the pulse would have ended), and no grant
/// of theirs is committed after the lockdown's own audit line.
async fn lockdown_holds_at_the_relay_against_24_racing_unlockers(app: &TestApp) {
    app.sign_up_owner().await;
    let site = site(app).await;
    let owner = owner(app).await;
    let mut keys = Vec::new();
    for i in 0..24 {
        let id = app.insert_person(&format!("racer{i}@example.com"), Role::Member).await;
        users::add_card(&app.db, &owner, id, &postern::types::CardNumber::parse(&format!("20:{}", 100 + i)).unwrap(), "").await.ok();
        let (status, body) = app.call("change_group_member", &[("group_id", &site.group), ("user_id", &id.to_string()), ("add", "true")]).await;
        assert_eq!(status, 200, "{body}");
        keys.push(key_for(app, id).await);
    }
    let controller = app.bridges.simulated(site.controller_id).expect("a simulated controller");
    let unlock_path = format!("/locks/{}/unlock", site.door);
    let bridges = app.unlock.bridges().clone();
    for round in 0..50 {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let racers: Vec<_> = keys
            .iter()
            .map(|key| {
                let (key, stop, address, path) = (key.clone(), stop.clone(), app.address.clone(), unlock_path.clone());
                tokio::spawn(async move {
                    let client = reqwest::Client::new();
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let _ = client
                            .post(format!("{address}/api{path}"))
                            .header("authorization", format!("KISI-LOGIN {key}"))
                            .json(&json!({}))
                            .send()
                            .await;
                    }
                })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        postern::services::lockdown::set_door(&app.db, &app.live, &bridges, &owner, site.door_id, true).await.unwrap();
        // Sampled from the moment the lockdown returned until a pulse sent
        // just before it would have ended.
        let (lockdown_id,): (i64,) =
            sqlx::query_as("SELECT MAX(id) FROM events WHERE action = 'door.locked_down'").fetch_one(app.db.pool()).await.unwrap();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(400);
        let mut energised = 0;
        while tokio::time::Instant::now() < deadline {
            if controller.snapshot().relays_energized[0] {
                energised += 1;
            }
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for racer in racers {
            racer.await.unwrap();
        }
        assert_eq!(energised, 0, "round {round}: the relay was energised after the lockdown returned");
        let (late,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM events WHERE id > $1 AND action = 'unlock' AND result = 'granted' AND door_id = $2",
        )
        .bind(lockdown_id)
        .bind(site.door_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(late, 0, "round {round}: grants committed after the lockdown's line");
        postern::services::lockdown::set_door(&app.db, &app.live, &bridges, &owner, site.door_id, false).await.unwrap();
    }
    // The owner's own unlock still opens a locked-down door.
    postern::services::lockdown::set_door(&app.db, &app.live, &bridges, &owner, site.door_id, true).await.unwrap();
    let owner_key = key_for(app, owner.id).await;
    let (status, body) = api(app, &owner_key, reqwest::Method::POST, &unlock_path, Some(json!({}))).await;
    assert_eq!(status, 200, "the owner passes a lockdown: {body}");
    common::eventually("the owner's pulse energises the relay", || async { controller.snapshot().relays_energized[0] }).await;
}
on_both_databases!(lockdown_holds_at_the_relay_against_24_racing_unlockers, roomy);

// ---- switched off -----------------------------------------------------------

/// A manager whose app access is switched off loses the dashboard and every
/// API key on the next request; lowering a role does the same; a deleted
/// person's keys stop too.
async fn switching_a_person_off_stops_their_keys_and_sessions_at_once(app: &TestApp) {
    app.sign_up_owner().await;
    let site = site(app).await;
    let owner = owner(app).await;
    let (manager, browser) = person(app, "manny@example.com", Role::Manager).await;
    let key = key_for(app, manager.id).await;
    assert_eq!(api(app, &key, reqwest::Method::GET, "/users", None).await.0, 200);
    assert_eq!(common::call_with(&browser, &app.address, "list_users", &[("query", "")]).await.0, 200);
    let switch = |role: &str, access: bool| UserForm {
        name: "manny".into(),
        email: "manny@example.com".into(),
        role: role.into(),
        confirmed: Some("on".into()),
        app_access: access.then(|| "on".into()),
        ..Default::default()
    };
    users::update(&app.db, &owner, manager.id, switch("manager", false).validate().unwrap()).await.unwrap();
    let (status, body) = api(app, &key, reqwest::Method::GET, "/users", None).await;
    assert_eq!(status, 401, "app access off: the key stops: {body}");
    let (status, body) = api(app, &key, reqwest::Method::POST, "/cards", Some(json!({"card": {"user_id": owner.id, "number": "10:1"}}))).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(common::call_with(&browser, &app.address, "list_users", &[("query", "")]).await.0, 401, "signed out");
    // Back on, with a new key; then lowered to member: the key stops again.
    users::update(&app.db, &owner, manager.id, switch("manager", true).validate().unwrap()).await.unwrap();
    let key = key_for(app, manager.id).await;
    assert_eq!(api(app, &key, reqwest::Method::GET, "/users", None).await.0, 200);
    users::update(&app.db, &owner, manager.id, switch("member", true).validate().unwrap()).await.unwrap();
    assert_eq!(api(app, &key, reqwest::Method::GET, "/locks", None).await.0, 401, "a lowered role: keys revoked");
    // Deleted: the key stops.
    let key = key_for(app, manager.id).await;
    assert_eq!(api(app, &key, reqwest::Method::GET, "/locks", None).await.0, 200);
    users::delete(&app.db, &owner, manager.id).await.unwrap();
    assert_eq!(api(app, &key, reqwest::Method::POST, &format!("/locks/{}/unlock", site.door), Some(json!({}))).await.0, 401);
}
on_both_databases!(switching_a_person_off_stops_their_keys_and_sessions_at_once, roomy);

// ---- first run ---------------------------------------------------------------

/// Ten browsers submit the first-run form at once: exactly one owner is
/// made, the others are told to sign in.
async fn first_run_makes_exactly_one_owner_under_ten_submissions(app: &TestApp) {
    let answers = futures_util::future::join_all((0..10).map(|i| {
        let browser = app.new_browser();
        async move {
            let email = format!("owner{i}@example.com");
            let form = [("organization", "Acme"), ("name", "Olive Owner"), ("email", email.as_str()), ("password", "correct horse battery")];
            common::call_with(&browser, &app.address, "setup_owner", &form).await
        }
    }))
    .await;
    let made = answers.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(made, 1, "{answers:?}");
    assert!(answers.iter().all(|(status, _)| *status == 200 || *status == 409), "{answers:?}");
    let (owners,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users WHERE role = 'owner'").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(owners, 1);
    let (lines,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE action = 'owner.created'").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(lines, 1, "one owner, one audit line");
}
on_both_databases!(first_run_makes_exactly_one_owner_under_ten_submissions, roomy);
