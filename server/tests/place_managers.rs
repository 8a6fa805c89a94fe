//! Managers are scoped to their places (issue 15, point 2; SPEC §8), on
//! SQLite and PostgreSQL, through the dashboard and the API alike.
//!
//! The site: two places, Annex (the manager's) and Brooklyn (not), a door
//! at each, and groups of every kind — Annex's, Brooklyn's, one without a
//! place whose only door is at Annex, one without a place with doors at both.
//! A manager of Annex sees and changes exactly Annex's doors, the groups of
//! Annex, those groups' members, cards and links, and Annex's events; every
//! other record is "not found", by list and by id, and every change that
//! would reach outside is refused. Taking the place away counts on the next
//! request, and no change of the manager's commits after it, even with 30
//! of them racing it.

mod common;

use common::TestApp;
use postern::model::SessionUser;
use postern::services::{api_keys, users};
use postern::types::{Name, Role};
use postern_server::config::{Config, Rate, RateLimits};
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn roomy(config: &mut Config) {
    config.api_limits = RateLimits { per_key: Some(Rate::new(100_000, 100_000)), per_ip: Some(Rate::new(100_000, 100_000)) };
}

const PASSWORD: &str = "a long enough password";

/// A person with a password, signed in on a browser of their own.
async fn person(app: &TestApp, email: &str, role: Role) -> (SessionUser, reqwest::Client) {
    let id = app.insert_person(email, role).await;
    users::set_password(&app.db, id, &postern::types::Password::parse(PASSWORD).unwrap()).await.unwrap();
    let browser = app.new_browser();
    let (status, body) = common::call_with(&browser, &app.address, "login", &[("email", email), ("password", PASSWORD)]).await;
    assert!(matches!(status, 200 | 302 | 303), "{email} signs in: {status} {body}");
    let user = users::get(&app.db, id).await.unwrap();
    (SessionUser { id, name: user.name, email: user.email, role: user.role }, browser)
}

async fn api(app: &TestApp, key: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request =
        reqwest::Client::new().request(method, format!("{}/api{path}", app.address)).header("authorization", format!("KISI-LOGIN {key}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The ids in a JSON list (an API list, or a dashboard listing's `items`).
fn ids(body: &Value, id_field: &str) -> BTreeSet<i64> {
    let items = body.get("items").unwrap_or(body);
    items.as_array().unwrap_or_else(|| panic!("a list: {body}")).iter().map(|item| item[id_field].as_i64().unwrap()).collect()
}

fn set(ids: &[i64]) -> BTreeSet<i64> {
    ids.iter().copied().collect()
}

struct Site {
    annex: i64,
    brooklyn: i64,
    annex_door: i64,
    brooklyn_door: i64,
    annex_group: i64,
    brooklyn_group: i64,
    /// No place; its only door is at Annex.
    annex_only_group: i64,
    /// No place; doors at both.
    mixed_group: i64,
    annex_member: i64,
    brooklyn_member: i64,
    mixed_member: i64,
    groupless_member: i64,
    annex_card: i64,
    brooklyn_card: i64,
    annex_link: i64,
    brooklyn_link: i64,
}

async fn create(app: &TestApp, endpoint: &str, form: &[(&str, &str)]) -> i64 {
    app.create(endpoint, form).await.parse().unwrap()
}

async fn site(app: &TestApp) -> Site {
    app.sign_up_owner().await;
    let place = |name: &'static str| async move {
        create(app, "save_place", &[("form[name]", name), ("form[latitude]", "40.7"), ("form[longitude]", "-74.0"), ("form[time_zone]", "America/New_York")])
            .await
    };
    let (annex, brooklyn) = (place("Annex").await, place("Brooklyn").await);
    let door = |name: &'static str, place: i64| async move {
        create(app, "save_door", &[("form[name]", name), ("form[place_id]", &place.to_string())]).await
    };
    let (annex_door, brooklyn_door) = (door("Annex front", annex).await, door("Brooklyn front", brooklyn).await);
    let group = |name: &'static str, place: Option<i64>, doors: Vec<i64>| async move {
        let place = place.map(|p| p.to_string()).unwrap_or_default();
        let id = create(app, "save_group", &[("form[name]", name), ("form[place_id]", &place)]).await;
        for door in doors {
            let (status, body) = app.call("change_group_door", &[("group_id", &id.to_string()), ("door_id", &door.to_string()), ("add", "true")]).await;
            assert_eq!(status, 200, "{name}: {body}");
        }
        id
    };
    let annex_group = group("Annex staff", Some(annex), vec![annex_door]).await;
    let brooklyn_group = group("Brooklyn staff", Some(brooklyn), vec![brooklyn_door]).await;
    let annex_only_group = group("Cleaners", None, vec![annex_door]).await;
    let mixed_group = group("Everywhere", None, vec![annex_door, brooklyn_door]).await;
    let member = |email: &'static str, group: Option<i64>| async move {
        let id = app.insert_person(email, Role::Member).await;
        if let Some(group) = group {
            let (status, body) = app.call("change_group_member", &[("group_id", &group.to_string()), ("user_id", &id.to_string()), ("add", "true")]).await;
            assert_eq!(status, 200, "{email}: {body}");
        }
        id
    };
    let annex_member = member("ann@example.com", Some(annex_group)).await;
    let brooklyn_member = member("bob@example.com", Some(brooklyn_group)).await;
    let mixed_member = member("max@example.com", Some(mixed_group)).await;
    let groupless_member = member("nia@example.com", None).await;
    let card = |user: i64, number: &'static str| async move {
        create(app, "add_card", &[("user_id", &user.to_string()), ("number", number), ("label", "")]).await
    };
    let annex_card = card(annex_member, "10:1001").await;
    let brooklyn_card = card(brooklyn_member, "10:2002").await;
    let link = |group: i64| async move {
        let (status, body) = app
            .call("send_access_link", &[("form[recipient_name]", "Vera"), ("form[channel]", "manual"), ("form[group_id]", &group.to_string())])
            .await;
        assert_eq!(status, 200, "{body}");
        body["link"]["id"].as_i64().unwrap_or_else(|| panic!("a link id: {body}"))
    };
    let (annex_link, brooklyn_link) = (link(annex_group).await, link(brooklyn_group).await);
    for (door, place) in [(annex_door, annex), (brooklyn_door, brooklyn)] {
        sqlx::query(
            "INSERT INTO events (at, actor_kind, actor_name, action, subject, door_id, place_id, method, result)
             VALUES ($1, 'user', 'Ann', 'door.unlock', 'front', $2, $3, 'app', 'granted')",
        )
        .bind(postern::services::now_ms())
        .bind(door)
        .bind(place)
        .execute(app.db.pool())
        .await
        .unwrap();
    }
    Site {
        annex,
        brooklyn,
        annex_door,
        brooklyn_door,
        annex_group,
        brooklyn_group,
        annex_only_group,
        mixed_group,
        annex_member,
        brooklyn_member,
        mixed_member,
        groupless_member,
        annex_card,
        brooklyn_card,
        annex_link,
        brooklyn_link,
    }
}

/// Calls a server function on `browser` with owned form values.
async fn rpc_as(app: &TestApp, browser: reqwest::Client, endpoint: &'static str, form: Vec<(&'static str, String)>) -> (u16, Value) {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    common::call_with(&browser, &app.address, endpoint, &form).await
}

/// The owner assigns (or takes away) a place of the manager.
async fn assign(app: &TestApp, manager: i64, place: i64, on: bool) {
    let change = if on { "assign" } else { "remove" };
    let (status, body) =
        app.call("change_manager_place", &[("user_id", &manager.to_string()), ("place_id", &place.to_string()), ("change", change)]).await;
    assert_eq!(status, 200, "{change} place {place}: {body}");
}

// ---- what a manager sees ----------------------------------------------------

async fn a_manager_sees_only_their_places(app: &TestApp) {
    let site = site(app).await;
    let (manager, browser) = person(app, "manny@example.com", Role::Manager).await;
    let key = api_keys::issue(&app.db, manager.id, &Name::parse("sync").unwrap()).await.unwrap().secret;
    let rpc = |endpoint: &'static str, form: Vec<(&'static str, String)>| rpc_as(app, browser.clone(), endpoint, form);
    let get = reqwest::Method::GET;

    // No places yet: nothing at all.
    let (status, doors) = rpc("list_doors", vec![("query", String::new())]).await;
    assert_eq!((status, ids(&doors, "id")), (200, set(&[])), "a manager without places sees no door");
    assert_eq!(ids(&api(app, &key, get.clone(), "/locks", None).await.1, "id"), set(&[]));

    assign(app, manager.id, site.annex, true).await;
    // Nonsense in the assignment is refused beside its field, and changes nothing.
    for (form, field) in [
        ([("user_id", manager.id.to_string()), ("place_id", site.brooklyn.to_string()), ("change", "maybe".to_owned())], "change"),
        ([("user_id", site.annex_member.to_string()), ("place_id", site.brooklyn.to_string()), ("change", "assign".to_owned())], "place_id"),
        ([("user_id", manager.id.to_string()), ("place_id", "999999".to_owned()), ("change", "assign".to_owned())], "place_id"),
    ] {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, body) = app.call("change_manager_place", &form).await;
        assert_eq!(status, 422, "{form:?}: {body}");
        assert!(common::field_message(&body, field).is_some(), "{form:?}: a message beside {field}: {body}");
    }
    let (assigned,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM manager_places").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(assigned, 1, "only Annex, for the manager");
    // Lists, dashboard and API.
    assert_eq!(ids(&rpc("list_doors", vec![("query", String::new())]).await.1, "id"), set(&[site.annex_door]));
    assert_eq!(ids(&api(app, &key, get.clone(), "/locks", None).await.1, "id"), set(&[site.annex_door]));
    assert_eq!(ids(&rpc("list_places", vec![("query", String::new())]).await.1, "id"), set(&[site.annex]));
    assert_eq!(ids(&api(app, &key, get.clone(), "/places", None).await.1, "id"), set(&[site.annex]));
    let groups = set(&[site.annex_group, site.annex_only_group]);
    assert_eq!(ids(&rpc("list_groups", vec![("query", String::new())]).await.1, "id"), groups, "Annex's group and the place-less one with only Annex's door");
    assert_eq!(ids(&api(app, &key, get.clone(), "/groups", None).await.1, "id"), groups);
    let people = set(&[site.annex_member, site.groupless_member]);
    assert_eq!(ids(&rpc("list_users", vec![("query", String::new())]).await.1, "id"), people, "members of their groups, and members of no group");
    assert_eq!(ids(&api(app, &key, get.clone(), "/users", None).await.1, "id"), people);
    let (_, cards) = rpc("list_all_cards", vec![("query", String::new())]).await;
    let card_ids: BTreeSet<i64> = cards[0]["items"].as_array().unwrap().iter().map(|c| c["card"]["id"].as_i64().unwrap()).collect();
    assert_eq!(card_ids, set(&[site.annex_card]));
    assert_eq!(ids(&api(app, &key, get.clone(), "/cards", None).await.1, "id"), set(&[site.annex_card]));
    assert_eq!(ids(&rpc("list_access_links", vec![("query", String::new())]).await.1, "id"), set(&[site.annex_link]));
    assert_eq!(ids(&api(app, &key, get.clone(), "/group_links", None).await.1, "id"), set(&[site.annex_link]));
    let (_, events) = rpc("list_events", vec![("query[door]", String::new())]).await;
    let event_doors: BTreeSet<i64> = events["events"].as_array().unwrap().iter().filter_map(|e| e["door_id"].as_i64()).collect();
    assert_eq!(event_doors, set(&[site.annex_door]), "only Annex's events: {events}");
    let (_, events) = api(app, &key, get.clone(), "/events", None).await;
    let event_doors: BTreeSet<i64> = events.as_array().unwrap().iter().filter_map(|e| e["object_id"].as_i64().or(e["lock_id"].as_i64())).collect();
    assert!(!event_doors.contains(&site.brooklyn_door), "no Brooklyn event in the API: {events}");
    assert!(!events.as_array().unwrap().is_empty(), "Annex's event is listed: {events}");
    let csv = browser.get(format!("{}/events.csv", app.address)).send().await.unwrap().text().await.unwrap();
    let csv_doors: BTreeSet<i64> = csv.lines().skip(1).filter_map(|line| line.split(',').nth(7)?.parse().ok()).collect();
    assert_eq!(csv_doors, set(&[site.annex_door]), "the CSV export too: {csv}");
    let memberships: BTreeSet<i64> =
        api(app, &key, get.clone(), "/role_assignments", None).await.1.as_array().unwrap().iter().map(|m| m["group_id"].as_i64().unwrap()).collect();
    assert_eq!(memberships, set(&[site.annex_group]));
    let links: BTreeSet<i64> =
        api(app, &key, get.clone(), "/group_locks", None).await.1.as_array().unwrap().iter().map(|l| l["group_id"].as_i64().unwrap()).collect();
    assert_eq!(links, set(&[site.annex_group, site.annex_only_group]));

    // By id: everything outside is "not found".
    for (endpoint, form) in [
        ("get_door", vec![("id", site.brooklyn_door.to_string())]),
        ("get_place", vec![("id", site.brooklyn.to_string())]),
        ("get_group", vec![("id", site.brooklyn_group.to_string())]),
        ("get_group", vec![("id", site.mixed_group.to_string())]),
        ("get_user", vec![("id", site.brooklyn_member.to_string())]),
        ("get_user", vec![("id", site.mixed_member.to_string())]),
        ("get_door_schedules", vec![("door_id", site.brooklyn_door.to_string())]),
    ] {
        let (status, body) = rpc(endpoint, form.clone()).await;
        assert_eq!(status, 404, "{endpoint} {form:?}: {body}");
    }
    for path in [
        format!("/locks/{}", site.brooklyn_door),
        format!("/places/{}", site.brooklyn),
        format!("/groups/{}", site.brooklyn_group),
        format!("/users/{}", site.brooklyn_member),
    ] {
        assert_eq!(api(app, &key, get.clone(), &path, None).await.0, 404, "GET {path}");
    }
    // Inside: found.
    assert_eq!(rpc("get_door", vec![("id", site.annex_door.to_string())]).await.0, 200);
    assert_eq!(rpc("get_group", vec![("id", site.annex_only_group.to_string())]).await.0, 200);
    assert_eq!(api(app, &key, get.clone(), &format!("/users/{}", site.annex_member), None).await.0, 200);

    // Admins see everything.
    assert_eq!(ids(&app.call("list_doors", &[("query", "")]).await.1, "id"), set(&[site.annex_door, site.brooklyn_door]));
    assert_eq!(ids(&app.call("list_groups", &[("query", "")]).await.1, "id").len(), 4);

    // Taking the place away counts on the very next request.
    assign(app, manager.id, site.annex, false).await;
    assert_eq!(ids(&rpc("list_doors", vec![("query", String::new())]).await.1, "id"), set(&[]));
    assert_eq!(ids(&api(app, &key, get.clone(), "/locks", None).await.1, "id"), set(&[]), "the cached lock list follows");
    assert_eq!(rpc("get_group", vec![("id", site.annex_group.to_string())]).await.0, 404);
}
on_both_databases!(a_manager_sees_only_their_places, roomy);

// ---- what a manager changes ---------------------------------------------------

async fn a_manager_changes_only_their_places(app: &TestApp) {
    let site = site(app).await;
    let (manager, browser) = person(app, "manny@example.com", Role::Manager).await;
    assign(app, manager.id, site.annex, true).await;
    let key = api_keys::issue(&app.db, manager.id, &Name::parse("sync").unwrap()).await.unwrap().secret;
    let rpc = |endpoint: &'static str, form: Vec<(&'static str, String)>| rpc_as(app, browser.clone(), endpoint, form);
    let s = |id: i64| id.to_string();
    let refused = [
        ("add_card", vec![("user_id", s(site.brooklyn_member)), ("number", "10:3003".into()), ("label", String::new())], 404, None),
        ("change_card", vec![("card_id", s(site.brooklyn_card)), ("change", "deactivate".into())], 404, None),
        ("change_card", vec![("card_id", s(site.brooklyn_card)), ("change", "delete".into())], 404, None),
        ("set_user_password", vec![("user_id", s(site.brooklyn_member)), ("password", PASSWORD.into())], 404, None),
        ("delete_user", vec![("id", s(site.mixed_member))], 404, None),
        ("change_group_member", vec![("group_id", s(site.annex_group)), ("user_id", s(site.brooklyn_member)), ("add", "true".into())], 422, Some("user_id")),
        ("change_group_member", vec![("group_id", s(site.brooklyn_group)), ("user_id", s(site.groupless_member)), ("add", "true".into())], 404, None),
        ("change_group_member", vec![("group_id", s(site.mixed_group)), ("user_id", s(site.mixed_member)), ("add", "false".into())], 404, None),
        ("change_group_door", vec![("group_id", s(site.annex_group)), ("door_id", s(site.brooklyn_door)), ("add", "true".into())], 422, Some("door_id")),
        ("change_group_door", vec![("group_id", s(site.annex_only_group)), ("door_id", s(site.brooklyn_door)), ("add", "true".into())], 422, Some("door_id")),
        ("change_group_door", vec![("group_id", s(site.mixed_group)), ("door_id", s(site.annex_door)), ("add", "false".into())], 404, None),
        ("save_group", vec![("form[name]", "Nowhere".into()), ("form[place_id]", String::new())], 422, Some("place_id")),
        ("save_group", vec![("form[name]", "Theirs".into()), ("form[place_id]", s(site.brooklyn))], 422, Some("place_id")),
        ("save_group", vec![("id", s(site.brooklyn_group)), ("form[name]", "Mine now".into()), ("form[place_id]", s(site.annex))], 404, None),
        ("delete_group", vec![("id", s(site.brooklyn_group))], 404, None),
        ("delete_group", vec![("id", s(site.mixed_group))], 404, None),
        ("send_access_link", vec![("form[recipient_name]", "V".into()), ("form[channel]", "manual".into()), ("form[group_id]", s(site.brooklyn_group))], 422, Some("group_id")),
        ("revoke_access_link", vec![("id", s(site.brooklyn_link))], 404, None),
        ("change_manager_place", vec![("user_id", s(manager.id)), ("place_id", s(site.brooklyn)), ("change", "assign".into())], 403, None),
    ];
    for (endpoint, form, status, field) in refused {
        let (got, body) = rpc(endpoint, form.clone()).await;
        assert_eq!(got, status, "{endpoint} {form:?}: {body}");
        if let Some(field) = field {
            assert!(common::field_message(&body, field).is_some(), "{endpoint}: a message beside {field}: {body}");
        }
    }
    let post = reqwest::Method::POST;
    let (status, body) =
        api(app, &key, post.clone(), "/role_assignments", Some(json!({"role_assignment": {"user_id": site.brooklyn_member, "group_id": site.annex_group}}))).await;
    assert_eq!(status, 422, "API: a Brooklyn member into Annex's group: {body}");
    let (status, body) = api(app, &key, post.clone(), "/cards", Some(json!({"card": {"user_id": site.brooklyn_member, "number": "10:4004"}}))).await;
    assert_eq!(status, 404, "API: a card on a Brooklyn member: {body}");
    assert_eq!(api(app, &key, reqwest::Method::DELETE, &format!("/groups/{}", site.brooklyn_group), None).await.0, 404);
    assert_eq!(api(app, &key, reqwest::Method::PATCH, &format!("/groups/{}", site.brooklyn_group), Some(json!({"group": {"name": "X"}}))).await.0, 404);
    // Nothing outside changed.
    let (active,): (i64,) = sqlx::query_as("SELECT active FROM cards WHERE id = $1").bind(site.brooklyn_card).fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(active, 1);
    let (groups,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM access_groups").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(groups, 4);

    // Inside: allowed.
    let allowed = [
        ("add_card", vec![("user_id", s(site.annex_member)), ("number", "10:5005".into()), ("label", String::new())]),
        ("change_card", vec![("card_id", s(site.annex_card)), ("change", "deactivate".into())]),
        ("change_group_member", vec![("group_id", s(site.annex_group)), ("user_id", s(site.groupless_member)), ("add", "true".into())]),
        ("save_group", vec![("form[name]", "Annex visitors".into()), ("form[place_id]", s(site.annex))]),
        ("send_access_link", vec![("form[recipient_name]", "V".into()), ("form[channel]", "manual".into()), ("form[group_id]", s(site.annex_group))]),
        ("revoke_access_link", vec![("id", s(site.annex_link))]),
    ];
    for (endpoint, form) in allowed {
        let (status, body) = rpc(endpoint, form.clone()).await;
        assert_eq!(status, 200, "{endpoint} {form:?}: {body}");
    }
    let (status, body) = api(app, &key, post, "/groups", Some(json!({"group": {"name": "API group", "place_id": site.annex}}))).await;
    assert!(status == 200 || status == 201, "API: a group at Annex: {body}");
    // The owner's group with no place can move to a place only with its doors there.
    let (status, body) =
        app.call("save_group", &[("id", &s(site.mixed_group)), ("form[name]", "Everywhere"), ("form[place_id]", &s(site.annex))]).await;
    assert_eq!(status, 422, "{body}");
    assert!(common::field_message(&body, "place_id").is_some(), "{body}");
}
on_both_databases!(a_manager_changes_only_their_places, roomy);

// ---- taking a place away, racing the manager's changes --------------------------

/// 30 card changes by the manager race the owner taking their place away:
/// whatever committed, nothing of the manager's committed after the place
/// was taken (audit lines in commit order), and the next one is refused.
async fn no_change_commits_after_the_place_is_taken(app: &TestApp) {
    let site = site(app).await;
    let (manager, browser) = person(app, "manny@example.com", Role::Manager).await;
    for round in 0..3 {
        assign(app, manager.id, site.annex, true).await;
        let adds = (0..30).map(|i| {
            let browser = browser.clone();
            let user = site.annex_member.to_string();
            let number = format!("{}:{}", 20 + round, 100 + i);
            async move { common::call_with(&browser, &app.address, "add_card", &[("user_id", &user), ("number", &number), ("label", "")]).await }
        });
        let take_away = async {
            tokio::time::sleep(std::time::Duration::from_millis(15)).await;
            assign(app, manager.id, site.annex, false).await;
        };
        let (answers, ()) = tokio::join!(futures_util::future::join_all(adds), take_away);
        let granted = answers.iter().filter(|(status, _)| *status == 200).count();
        let refused = answers.iter().filter(|(status, _)| *status == 404).count();
        assert_eq!(granted + refused, 30, "every add is either done or not found: {answers:?}");
        let (taken_at,): (i64,) = sqlx::query_as("SELECT MAX(id) FROM events WHERE action = 'user.place_unassigned'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let (after,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE action = 'card.added' AND actor_user_id = $1 AND id > $2")
            .bind(manager.id)
            .bind(taken_at)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(after, 0, "round {round}: no card added by the manager after the place was taken");
        let (cards,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cards WHERE number LIKE $1")
            .bind(format!("{}:%", 20 + round))
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(cards as usize, granted, "round {round}: each 200 is a card, each 404 is none");
        let (status, _) = common::call_with(&browser, &app.address, "add_card", &[("user_id", &site.annex_member.to_string()), ("number", "99:1"), ("label", "")]).await;
        assert_eq!(status, 404, "round {round}: the next change is refused");
    }
}
on_both_databases!(no_change_commits_after_the_place_is_taken, roomy);
