//! The Kisi-compatible JSON API under /api, driven over HTTP with real API
//! keys and no cookies, on SQLite and PostgreSQL: every endpoint and every
//! error code. Each scenario sets the rate limits it needs in the server's
//! configuration.

mod common;

use common::TestApp;
use postern::model::{SessionUser, UserForm};
use postern::services::{api_keys, users};
use postern::types::{Email, Name};
use postern_server::config::{Config, Rate, RateLimits};
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::{json, Value};

/// Limits high enough that a scenario's own requests never meet them.
fn roomy(config: &mut Config) {
    config.api_limits = RateLimits { per_key: Some(Rate::new(10_000, 10_000)), per_ip: Some(Rate::new(10_000, 10_000)) };
}

/// A client holding one API key, with no cookies.
struct Api {
    base: String,
    key: String,
    http: reqwest::Client,
}

/// Status, headers and JSON body (`Null` when empty).
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    fn error_fields(&self) -> Vec<String> {
        self.body["errors"].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default()
    }
}

impl Api {
    fn new(app: &TestApp, key: &str) -> Api {
        Api { base: format!("{}/api", app.address), key: key.to_owned(), http: reqwest::Client::new() }
    }

    /// Sends `body` as raw text (so malformed JSON can be sent too).
    async fn raw(&self, method: Method, path: &str, authorization: Option<&str>, body: Option<&str>) -> Answer {
        let body_text = body;
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        if let Some(text) = body {
            request = request.header("content-type", "application/json").body(text.to_owned());
        }
        let response = request.send().await.expect("the API answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        assert!(status < 500 || status == 503, "{path} answered {status}: {body} (sent {})", body_text.unwrap_or_default());
        Answer { status, headers, body }
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let text = body.map(|b| b.to_string());
        self.raw(method, path, Some(&format!("KISI-LOGIN {}", self.key)), text.as_deref()).await
    }

    async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }
}

/// The owner's id and session user.
async fn owner(app: &TestApp) -> SessionUser {
    let user = users::find_by_email(&app.db, &Email::parse("owner@example.com").unwrap()).await.unwrap().unwrap();
    SessionUser { id: user.id, name: user.name, email: user.email, role: user.role }
}

async fn key_for(app: &TestApp, user_id: i64) -> (i64, String) {
    let issued = api_keys::issue(&app.db, user_id, &Name::parse("integration").unwrap()).await.unwrap();
    (issued.key.id, issued.secret)
}

/// A member (no group yet) and their key.
async fn member(app: &TestApp, email: &str) -> (i64, Api) {
    let form = UserForm { name: "Mia".into(), email: email.into(), confirmed: Some("on".into()), app_access: Some("on".into()), ..Default::default() };
    let id = users::insert(&app.db, &form.validate().unwrap(), None).await.unwrap();
    let (_, key) = key_for(app, id).await;
    (id, Api::new(app, &key))
}

struct Site {
    place: String,
    controller: String,
    wired: i64,
    unwired: i64,
    group: String,
    owner: Api,
}

/// The owner, a place with a simulated controller, a wired door "Front", a
/// door with no controller "Roof", a group with both, and the owner's key.
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
    let (_, key) = key_for(app, owner(app).await.id).await;
    Site { place, controller, wired: wired.parse().unwrap(), unwired: unwired.parse().unwrap(), group, owner: Api::new(app, &key) }
}

async fn keys_authenticate_and_revoked_keys_stop_at_once(app: &TestApp) {
    let site = site(app).await;
    let api = &site.owner;
    for authorization in [None, Some("KISI-LOGIN pst_not_a_real_key"), Some("KISI-LOGIN garbage"), Some("Basic b3duZXI6cHc="), Some("KISI-LOGIN")] {
        let answer = api.raw(Method::GET, "/locks", authorization, None).await;
        assert_eq!(answer.status, 401, "{authorization:?}: {}", answer.body);
        assert_eq!(answer.body["code"], "unauthenticated");
        assert!(!answer.body["message"].as_str().unwrap().is_empty());
        assert!(answer.header("www-authenticate").contains("KISI-LOGIN"));
    }
    assert_eq!(api.raw(Method::GET, "/locks", Some(&format!("Bearer {}", api.key)), None).await.status, 200);
    assert_eq!(api.raw(Method::GET, "/locks", Some(&format!("kisi-login {}", api.key)), None).await.status, 200);
    // A revoked key is refused on its very next request.
    let (key_id, secret) = key_for(app, owner(app).await.id).await;
    let second = Api::new(app, &secret);
    assert_eq!(second.get("/organizations").await.status, 200);
    api_keys::revoke(&app.db, &owner(app).await, key_id).await.unwrap();
    let answer = second.get("/organizations").await;
    assert_eq!(answer.status, 401, "{}", answer.body);
    assert_eq!(second.post(&format!("/locks/{}/unlock", site.wired), json!({})).await.status, 401);
}
on_both_databases!(keys_authenticate_and_revoked_keys_stop_at_once, roomy);

/// Every request reads its key: a change made by another process (the
/// `sqlite3` shell, `psql`) counts on the very next request: a role taken
/// away, then the key revoked.
async fn changes_made_by_another_process_count_on_the_next_request(app: &TestApp) {
    let site = site(app).await;
    let owner = owner(app).await;
    let (key_id, secret) = key_for(app, owner.id).await;
    let api = Api::new(app, &secret);
    for _ in 0..3 {
        assert_eq!(api.get("/locks").await.status, 200);
    }
    let group = json!({"group": {"name": "Night shift"}});
    assert_eq!(api.post("/groups", group.clone()).await.status, 200, "an owner creates groups");
    for _ in 0..3 {
        assert_eq!(api.get("/locks").await.status, 200);
    }
    app.execute_in_another_process(&format!("UPDATE users SET role = 'member' WHERE id = {}", owner.id)).await;
    let answer = api.post("/groups", json!({"group": {"name": "Day shift"}})).await;
    assert_eq!((answer.status, answer.body["code"].as_str()), (403, Some("forbidden")), "{}", answer.body);
    assert_eq!(api.get("/locks").await.status, 200);
    app.execute_in_another_process(&format!("UPDATE api_keys SET revoked_at = 1 WHERE id = {key_id}")).await;
    let answer = api.get("/locks").await;
    assert_eq!((answer.status, answer.body["code"].as_str()), (401, Some("unauthenticated")), "{}", answer.body);
    assert_eq!(api.post(&format!("/locks/{}/unlock", site.wired), json!({})).await.status, 401);
}
on_both_databases!(changes_made_by_another_process_count_on_the_next_request, roomy);

/// A key revoked after it was used (here by another process) hears 401
/// before any other answer — a granted unlock, an unknown lock, a bad id, a
/// bad body — and nothing is logged.
async fn a_revoked_key_hears_401_before_anything_else(app: &TestApp) {
    let site = site(app).await;
    let owner = owner(app).await;
    let wired = format!("/locks/{}/unlock", site.wired);
    let bad_location = json!({"context": {"location": {"latitude": 500, "longitude": 0}}});
    let cases = [
        (wired.clone(), json!({}), 200),
        ("/locks/99999/unlock".to_owned(), json!({}), 404),
        ("/locks/abc/unlock".to_owned(), json!({}), 404),
        (wired.clone(), bad_location, 422),
    ];
    let mut keys = Vec::new();
    for _ in &cases {
        let (id, secret) = key_for(app, owner.id).await;
        let api = Api::new(app, &secret);
        // Read and remembered; the unlock's event is a commit after it.
        assert_eq!(api.post(&wired, json!({})).await.status, 200);
        keys.push((id, api));
    }
    let answer = keys[0].1.post(&wired, json!({})).await;
    assert_eq!(answer.status, 200, "a remembered key that still checks out: {}", answer.body);
    let ids: Vec<String> = keys.iter().map(|(id, _)| id.to_string()).collect();
    app.execute_in_another_process(&format!("UPDATE api_keys SET revoked_at = 1 WHERE id IN ({})", ids.join(", "))).await;
    let unlocks = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE action = 'unlock'").fetch_one(app.db.pool()).await.unwrap();
        n
    };
    let before = unlocks().await;
    for ((_, api), (path, body, _)) in keys.iter().zip(&cases) {
        let answer = api.post(path, body.clone()).await;
        assert_eq!((answer.status, answer.body["code"].as_str()), (401, Some("unauthenticated")), "{path} {body}: {}", answer.body);
    }
    assert_eq!(unlocks().await, before, "a refused key logs no unlock");
    for (path, body, status) in &cases {
        assert_eq!(site.owner.post(path, body.clone()).await.status, *status, "{path} {body} with a valid key");
    }
}
on_both_databases!(a_revoked_key_hears_401_before_anything_else, roomy);

/// Nothing an unlock reads is kept: each change that takes access away,
/// made by another process (the `sqlite3` shell, `psql`), is refused on the
/// very next unlock, and each that gives it back is granted again.
async fn changes_by_another_process_count_on_the_very_next_unlock(app: &TestApp) {
    let site = site(app).await;
    let (member_id, mia) = member(app, "mia@example.com").await;
    let member = member_id.to_string();
    assert_eq!(app.call("change_group_member", &[("group_id", &site.group), ("user_id", &member), ("add", "true")]).await.0, 200);
    let unlock = format!("/locks/{}/unlock", site.wired);
    let status = || async { mia.post(&unlock, json!({})).await.status };
    assert_eq!(status().await, 200);
    let changes = [
        (format!("UPDATE group_members SET valid_until = 1 WHERE user_id = {member_id}"), 403),
        (format!("UPDATE group_members SET valid_until = NULL WHERE user_id = {member_id}"), 200),
        (format!("UPDATE access_groups SET valid_until = 1 WHERE id = {}", site.group), 403),
        (format!("UPDATE access_groups SET valid_until = NULL WHERE id = {}", site.group), 200),
        (format!("UPDATE doors SET locked_down_at = 1 WHERE id = {}", site.wired), 403),
        (format!("UPDATE doors SET locked_down_at = NULL WHERE id = {}", site.wired), 200),
        (format!("DELETE FROM group_members WHERE user_id = {member_id}"), 403),
        (format!("INSERT INTO group_members (group_id, user_id, added_at) VALUES ({}, {member_id}, 0)", site.group), 200),
        (format!("UPDATE users SET app_access = 0 WHERE id = {member_id}"), 401),
        (format!("UPDATE users SET app_access = 1 WHERE id = {member_id}"), 200),
        (format!("UPDATE api_keys SET revoked_at = 1 WHERE user_id = {member_id}"), 401),
    ];
    for (sql, expected) in changes {
        app.execute_in_another_process(&sql).await;
        assert_eq!(status().await, expected, "after {sql}");
    }
}
on_both_databases!(changes_by_another_process_count_on_the_very_next_unlock, roomy);

/// The same changes, made on a connection of its own (as another process
/// would) and through the services in this process, alternated 200 times
/// each: every unlock right after a change that takes access away is
/// refused, every one after it is given back is granted.
async fn two_hundred_changes_each_count_on_the_very_next_unlock(app: &TestApp) {
    use sqlx::Connection;
    let site = site(app).await;
    let (member_id, mut mia) = member(app, "max@example.com").await;
    let owner = owner(app).await;
    let member = member_id.to_string();
    assert_eq!(app.call("change_group_member", &[("group_id", &site.group), ("user_id", &member), ("add", "true")]).await.0, 200);
    let unlock = format!("/locks/{}/unlock", site.wired);
    let mut other = sqlx::AnyConnection::connect(&app.database_url()).await.unwrap();
    for round in 0..200 {
        let (off, on) = match round % 3 {
            0 => ("UPDATE group_members SET valid_until = 1 WHERE user_id = $1", "UPDATE group_members SET valid_until = NULL WHERE user_id = $1"),
            1 => ("UPDATE doors SET locked_down_at = 1 WHERE id = $2 AND $1 > 0", "UPDATE doors SET locked_down_at = NULL WHERE id = $2 AND $1 > 0"),
            _ => ("UPDATE users SET confirmed = 0 WHERE id = $1 AND $2 > 0", "UPDATE users SET confirmed = 1 WHERE id = $1 AND $2 > 0"),
        };
        let run = |sql: &'static str| sqlx::query(sql).bind(member_id).bind(site.wired);
        run(off).execute(&mut other).await.unwrap();
        assert_eq!(mia.post(&unlock, json!({})).await.status, 403, "round {round}: right after {off}");
        run(on).execute(&mut other).await.unwrap();
        assert_eq!(mia.post(&unlock, json!({})).await.status, 200, "round {round}: right after {on}");
    }
    other.close().await.unwrap();
    // In this process, through the services: lockdown, a membership
    // removed, the group's validity ended, the key revoked; each undone.
    use postern::model::GroupForm;
    use postern::services::groups;
    let bridges = app.unlock.bridges().clone();
    let group: i64 = site.group.parse().unwrap();
    let group_form = |valid_until: &str| GroupForm { name: "Staff".into(), valid_until: valid_until.into(), ..Default::default() };
    for round in 0..200 {
        match round % 4 {
            0 => postern::services::lockdown::set_door(&app.db, &app.live, &bridges, &owner, site.wired, true).await.unwrap(),
            1 => groups::remove_member(&app.db, &owner, group, member_id).await.unwrap(),
            2 => groups::update(&app.db, &owner, group, group_form("2001-01-01T00:00").validate().unwrap()).await.unwrap(),
            _ => {
                let (key_id,): (i64,) = sqlx::query_as("SELECT id FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL")
                    .bind(member_id)
                    .fetch_one(app.db.pool())
                    .await
                    .unwrap();
                api_keys::revoke(&app.db, &owner, key_id).await.unwrap();
            }
        }
        let refused = mia.post(&unlock, json!({})).await.status;
        let expected = if round % 4 == 3 { 401 } else { 403 };
        assert_eq!(refused, expected, "round {round}: right after change {}", round % 4);
        match round % 4 {
            0 => postern::services::lockdown::set_door(&app.db, &app.live, &bridges, &owner, site.wired, false).await.unwrap(),
            1 => groups::add_member(&app.db, &owner, group, member_id).await.unwrap(),
            2 => groups::update(&app.db, &owner, group, group_form("").validate().unwrap()).await.unwrap(),
            _ => {
                let (_, key) = key_for(app, member_id).await;
                mia = Api::new(app, &key);
            }
        }
        assert_eq!(mia.post(&unlock, json!({})).await.status, 200, "round {round}: right after it was undone");
    }
}
on_both_databases!(two_hundred_changes_each_count_on_the_very_next_unlock, roomy);

/// The hole the removed commit watch had: a bookkeeping write that commits
/// nothing ("last used" of a key, matching no row) racing one foreign
/// commit. Here many unlocks (each with its own writes) run while another
/// connection revokes the key; every unlock that starts after the
/// revocation has committed is refused. 200 rounds.
async fn a_revocation_racing_unlocks_is_never_missed(app: &TestApp) {
    use sqlx::Connection;
    let site = site(app).await;
    let owner = owner(app).await;
    let unlock = format!("/locks/{}/unlock", site.wired);
    let mut other = sqlx::AnyConnection::connect(&app.database_url()).await.unwrap();
    for round in 0..200 {
        let (key_id, secret) = key_for(app, owner.id).await;
        let api = Api::new(app, &secret);
        let racing = futures_util::future::join_all((0..4).map(|_| api.post(&unlock, json!({}))));
        let revoke = async {
            sqlx::query("UPDATE api_keys SET last_used_at = last_used_at WHERE id = -1").execute(&mut other).await.unwrap();
            sqlx::query("UPDATE api_keys SET revoked_at = 1 WHERE id = $1").bind(key_id).execute(&mut other).await.unwrap();
        };
        let (answers, ()) = tokio::join!(racing, revoke);
        assert!(answers.iter().all(|a| a.status == 200 || a.status == 401), "round {round}");
        let after = api.post(&unlock, json!({})).await;
        assert_eq!(after.status, 401, "round {round}: the revocation had committed: {}", after.body);
    }
    other.close().await.unwrap();
}
on_both_databases!(a_revocation_racing_unlocks_is_never_missed, roomy);

/// On SQLite the reads every request makes (the key, an unlock's facts) run
/// on a few kept connections, used again and again instead of the pool's;
/// on PostgreSQL they run on the pool's.
async fn request_reads_reuse_a_few_kept_connections(app: &TestApp) {
    let site = site(app).await;
    let unlock = format!("/locks/{}/unlock", site.wired);
    let answers = futures_util::future::join_all((0..40).map(|i| {
        let (api, unlock) = (&site.owner, unlock.clone());
        async move { if i % 2 == 0 { api.get("/locks").await } else { api.post(&unlock, json!({})).await } }
    }))
    .await;
    assert!(answers.iter().all(|a| a.status == 200), "{:?}", answers.iter().map(|a| a.status).collect::<Vec<_>>());
    let kept = app.db.direct_connections();
    let after_burst = kept.idle();
    match app.backend() {
        common::Backend::Sqlite => {
            assert!((1..=postern::services::db::DIRECT_CONNECTIONS).contains(&after_burst), "{after_burst} kept");
            for _ in 0..10 {
                assert_eq!(site.owner.post(&unlock, json!({})).await.status, 200);
            }
            assert_eq!(kept.idle(), after_burst, "one after another, the kept connections serve again");
        }
        common::Backend::Postgres => assert_eq!(after_burst, 0, "PostgreSQL reads use the pool"),
    }
}
on_both_databases!(request_reads_reuse_a_few_kept_connections, roomy);

async fn the_organization(app: &TestApp) {
    let site = site(app).await;
    let answer = site.owner.get("/organizations").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body, json!([{"id": 1, "name": "Acme"}]));
    assert_eq!(answer.header("x-collection-range"), "0-0/1");
    assert_eq!(site.owner.get("/organizations/1").await.body["name"], "Acme");
    for missing in ["/organizations/2", "/organizations/abc", "/organizations/-1"] {
        let answer = site.owner.get(missing).await;
        assert_eq!((answer.status, answer.body["code"].as_str()), (404, Some("not_found")), "{missing}");
    }
}
on_both_databases!(the_organization, roomy);

async fn locks_list_with_kisi_fields_and_parameters(app: &TestApp) {
    let site = site(app).await;
    let api = &site.owner;
    let other = app.create("save_place", &[("form[name]", "Annex"), ("form[latitude]", "41"), ("form[longitude]", "-73"), ("form[time_zone]", "UTC")]).await;
    for name in ["A1", "A2", "A3"] {
        app.create("save_door", &[("form[name]", name), ("form[place_id]", &other)]).await;
    }
    // Ordered by place name, then lock name: A1 A2 A3 (Annex), Front Roof (HQ).
    let all = api.get("/locks?limit=100").await;
    assert_eq!(all.status, 200, "{}", all.body);
    let names: Vec<&str> = all.body.as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["A1", "A2", "A3", "Front", "Roof"]);
    assert_eq!(all.header("x-collection-range"), "0-4/5");
    let front = all.body.as_array().unwrap().iter().find(|l| l["name"] == "Front").unwrap();
    for field in [
        "id", "name", "description", "configured", "online", "unlocked", "unlocked_until", "locked_down", "locked_down_since", "open",
        "geofence_restriction_enabled", "geofence_restriction_radius", "reader_restriction_enabled", "time_restriction_enabled",
        "time_restriction_time_zone", "groups_count", "floor_id", "place_id", "place",
    ] {
        assert!(front.get(field).is_some(), "no {field} in {front}");
    }
    assert_eq!((front["configured"].as_bool(), front["online"].as_bool(), front["unlocked"].as_bool()), (Some(true), Some(true), Some(false)));
    assert_eq!((front["groups_count"].as_i64(), front["geofence_restriction_radius"].as_i64()), (Some(1), Some(300)));
    assert_eq!(front["time_restriction_time_zone"], "America/New_York");
    assert_eq!(front["place"]["name"], "HQ");
    assert_eq!(front["place"]["latitude"], 40.7);
    let roof = api.get(&format!("/locks/{}", site.unwired)).await;
    assert_eq!((roof.body["configured"].as_bool(), roof.body["online"].as_bool()), (Some(false), Some(false)), "{}", roof.body);
    // Default page size 10; limit and offset, also across two pages.
    assert_eq!(api.get("/locks").await.body.as_array().unwrap().len(), 5);
    let window = api.get("/locks?limit=2&offset=1").await;
    let names: Vec<&str> = window.body.as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["A2", "A3"]);
    assert_eq!(window.header("x-collection-range"), "1-2/5");
    let past = api.get("/locks?offset=50").await;
    assert_eq!((past.body.as_array().unwrap().len(), past.header("x-collection-range")), (0, "*/5"));
    // query, place_id, ids (both spellings), sort.
    let found = api.get("/locks?query=fro").await;
    assert_eq!(found.body.as_array().unwrap().len(), 1);
    assert_eq!(api.get(&format!("/locks?place_id={other}")).await.body.as_array().unwrap().len(), 3);
    let ids = format!("/locks?ids={},{}&ids[]=999999", site.wired, site.unwired);
    assert_eq!(api.get(&ids).await.body.as_array().unwrap().len(), 2);
    assert_eq!(api.get(&format!("/locks?ids[]={}&limit=1", site.unwired)).await.body[0]["name"], "Roof");
    assert_eq!(api.get("/locks?sort=name").await.status, 200);
    for (bad, field) in [("limit=0", "limit"), ("limit=101", "limit"), ("limit=ten", "limit"), ("offset=-3", "offset"), ("place_id=x", "place_id"), ("ids=1,two", "ids"), ("sort=favorite", "sort")] {
        let answer = api.get(&format!("/locks?{bad}")).await;
        assert_eq!(answer.status, 422, "{bad}: {}", answer.body);
        assert_eq!(answer.error_fields(), [field], "{bad}");
    }
    // Query parameters the route does not document are refused, naming them.
    for (bad, field) in [("/locks?plce_id=2", "plce_id"), ("/locks?ids=1&=0", "query"), ("/locks/1?verbose=1", "verbose")] {
        let answer = api.get(bad).await;
        assert_eq!((answer.status, answer.error_fields()), (422, vec![field.to_owned()]), "{bad}: {}", answer.body);
    }
    // One lock; unknown ids are 404.
    let one = api.get(&format!("/locks/{}", site.wired)).await;
    assert_eq!((one.status, one.body["name"].as_str()), (200, Some("Front")));
    for missing in ["/locks/999999", "/locks/zero", "/locks/0"] {
        assert_eq!(api.get(missing).await.status, 404, "{missing}");
    }
}
on_both_databases!(locks_list_with_kisi_fields_and_parameters, roomy);

async fn members_see_only_the_locks_their_groups_give_them(app: &TestApp) {
    let site = site(app).await;
    let (member_id, mia) = member(app, "mia@example.com").await;
    let answer = mia.get("/locks").await;
    assert_eq!((answer.status, answer.body.clone()), (200, json!([])));
    assert_eq!(answer.header("x-collection-range"), "*/0");
    assert_eq!(mia.get(&format!("/locks/{}", site.wired)).await.status, 404);
    let member_id = member_id.to_string();
    assert_eq!(app.call("change_group_member", &[("group_id", &site.group), ("user_id", &member_id), ("add", "true")]).await.0, 200);
    let answer = mia.get("/locks?limit=1&offset=1").await;
    assert_eq!(answer.body.as_array().unwrap().len(), 1, "{}", answer.body);
    assert_eq!(answer.header("x-collection-range"), "1-1/2");
    assert_eq!(mia.get(&format!("/locks/{}", site.wired)).await.status, 200);
    assert_eq!(mia.get("/locks?query=roof").await.body[0]["name"], "Roof");
}
on_both_databases!(members_see_only_the_locks_their_groups_give_them, roomy);

async fn unlock_answers_like_kisi(app: &TestApp) {
    let site = site(app).await;
    let api = &site.owner;
    let path = format!("/locks/{}/unlock", site.wired);
    let kisi_body = json!({"context": {"location": {"latitude": 40.7, "longitude": -74.0}}, "lock": {"proximity_proof": null}});
    let answer = api.post(&path, kisi_body).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["message"], "Unlocked!");
    // No body at all is fine too.
    assert_eq!(api.raw(Method::POST, &path, Some(&format!("KISI-LOGIN {}", api.key)), None).await.status, 200);
    let lock = api.get(&format!("/locks/{}", site.wired)).await.body;
    assert_eq!(lock["unlocked"], true, "{lock}");
    assert!(lock["unlocked_until"].as_str().unwrap().ends_with('Z'));
    let logged: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT actor_kind, result, method FROM events WHERE action = 'unlock' ORDER BY id").fetch_all(app.db.pool()).await.unwrap();
    assert_eq!(logged, vec![("api_key".into(), "granted".into(), Some("api".into())); 2]);
    // No controller: 409; an offline controller: 503; no such lock: 404.
    let answer = api.post(&format!("/locks/{}/unlock", site.unwired), json!({})).await;
    assert_eq!((answer.status, answer.body["message"].as_str()), (409, Some("The door has no assigned controller.")));
    assert_eq!(answer.body["code"], "no_controller");
    sqlx::query("UPDATE controllers SET online = 0 WHERE id = $1").bind(site.controller.parse::<i64>().unwrap()).execute(app.db.pool()).await.unwrap();
    let answer = api.post(&path, json!({})).await;
    assert_eq!((answer.status, answer.body["code"].as_str()), (503, Some("controller_offline")), "{}", answer.body);
    assert_eq!(api.post("/locks/999999/unlock", json!({})).await.status, 404);
}
on_both_databases!(unlock_answers_like_kisi, roomy);

async fn denied_unlocks_say_every_reason(app: &TestApp) {
    let site = site(app).await;
    let (member_id, mia) = member(app, "mia@example.com").await;
    let path = format!("/locks/{}/unlock", site.wired);
    let answer = mia.post(&path, json!({})).await;
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert_eq!(answer.body["code"], "access_denied");
    let reasons = answer.body["reasons"].as_array().unwrap();
    assert!(!reasons.is_empty() && reasons.iter().all(|r| r["code"].is_string() && r["message"].is_string()), "{}", answer.body);
    // In the group, a geofenced door needs a location inside its radius.
    let member_id = member_id.to_string();
    app.call("change_group_member", &[("group_id", &site.group), ("user_id", &member_id), ("add", "true")]).await;
    let fence = site.owner.send(Method::PATCH, &format!("/locks/{}", site.wired), Some(json!({"lock": {"geofence_restriction_enabled": true, "geofence_restriction_radius": 100}}))).await;
    assert_eq!(fence.status, 204, "{}", fence.body);
    let answer = mia.post(&path, json!({})).await;
    assert_eq!(answer.status, 403);
    assert!(answer.body["reasons"].to_string().contains("location"), "{}", answer.body);
    let far = mia.post(&path, json!({"context": {"location": {"latitude": 40.71, "longitude": -74.0}}})).await;
    assert_eq!(far.status, 403, "1.1 km away: {}", far.body);
    let near = mia.post(&path, json!({"context": {"location": {"latitude": 40.7002, "longitude": -74.0}}})).await;
    assert_eq!((near.status, near.body["message"].as_str()), (200, Some("Unlocked!")), "{}", near.body);
}
on_both_databases!(denied_unlocks_say_every_reason, roomy);

async fn bad_unlock_payloads_are_422_with_the_field(app: &TestApp) {
    let site = site(app).await;
    let api = &site.owner;
    let path = format!("/locks/{}/unlock", site.wired);
    let auth = format!("KISI-LOGIN {}", api.key);
    for (body, field) in [
        ("{", "body"),
        ("[1, 2]", "body"),
        (r#"{"context": {"location": {"latitude": "north", "longitude": 1}}}"#, "context.location.latitude"),
        (r#"{"context": {"location": {"latitude": 91, "longitude": 1}}}"#, "context.location.latitude"),
        (r#"{"context": {"location": {"latitude": 1, "longitude": -500}}}"#, "context.location.longitude"),
        (r#"{"context": {"location": {"latitude": 1}}}"#, "context.location"),
        (r#"{"context": {"location": {"latitude": 1e999, "longitude": 1}}}"#, "context.location.latitude"),
        (r#"{"lock": {"proximity_proof": 7}}"#, "lock.proximity_proof"),
        (r#"{"lock": {"favourite": true}}"#, "lock.favourite"),
        (r#"{"door": 1}"#, "door"),
        (r#"{"context": {"location": [40.7, -74.0]}}"#, "context.location"),
    ] {
        let answer = api.raw(Method::POST, &path, Some(&auth), Some(body)).await;
        assert_eq!(answer.status, 422, "{body}: {}", answer.body);
        assert_eq!(answer.body["code"], "invalid");
        assert_eq!(answer.error_fields(), [field], "{body}: {}", answer.body);
    }
    let unlocks: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE action = 'unlock'").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(unlocks.0, 0, "refused payloads decide nothing");
}
on_both_databases!(bad_unlock_payloads_are_422_with_the_field, roomy);

async fn lockdown_through_the_api(app: &TestApp) {
    let site = site(app).await;
    let (member_id, mia) = member(app, "mia@example.com").await;
    let member_id = member_id.to_string();
    app.call("change_group_member", &[("group_id", &site.group), ("user_id", &member_id), ("add", "true")]).await;
    let lock = format!("/locks/{}", site.wired);
    assert_eq!(mia.post(&format!("{lock}/lock_down"), json!({})).await.status, 403, "members cannot lock down");
    assert_eq!(site.owner.post(&format!("{lock}/lock_down"), json!({})).await.status, 204);
    let view = site.owner.get(&lock).await.body;
    assert_eq!(view["locked_down"], true, "{view}");
    assert!(view["locked_down_since"].as_str().unwrap().ends_with('Z'));
    let denied = mia.post(&format!("{lock}/unlock"), json!({})).await;
    assert_eq!(denied.status, 403);
    assert!(denied.body["reasons"].to_string().contains("lock"), "{}", denied.body);
    assert_eq!(site.owner.post(&format!("{lock}/unlock"), json!({})).await.status, 200, "owners pass a lockdown");
    assert_eq!(mia.post(&format!("{lock}/cancel_lockdown"), json!({})).await.status, 403);
    assert_eq!(site.owner.post(&format!("{lock}/cancel_lockdown"), json!({})).await.status, 204);
    assert_eq!(site.owner.get(&lock).await.body["locked_down"], false);
    assert_eq!(mia.post(&format!("{lock}/unlock"), json!({})).await.status, 200);
    assert_eq!(site.owner.post("/locks/999999/lock_down", json!({})).await.status, 404);
}
on_both_databases!(lockdown_through_the_api, roomy);

async fn locks_are_created_changed_and_deleted(app: &TestApp) {
    let site = site(app).await;
    let api = &site.owner;
    let place: i64 = site.place.parse().unwrap();
    let created = api.post("/locks", json!({"lock": {"name": "Side", "place_id": place, "description": "By the bins"}})).await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!((created.body["name"].as_str(), created.body["description"].as_str()), (Some("Side"), Some("By the bins")));
    assert_eq!(created.body["configured"], false);
    let id = created.body["id"].as_i64().unwrap();
    // Refusals name the field, in the API's names.
    for (body, field) in [
        (json!({"lock": {"place_id": place}}), "lock.name"),
        (json!({"lock": {"name": "X"}}), "lock.place_id"),
        (json!({"lock": {"name": "X", "place_id": "HQ"}}), "lock.place_id"),
        (json!({"lock": {"name": "X", "place_id": 999999}}), "lock.place_id"),
        (json!({"lock": {"name": "X", "place_id": 999999, "floor": "L1"}}), "lock.place_id"),
        (json!({"lock": {"name": "X", "place_id": place, "controller_id": site.controller.parse::<i64>().unwrap(), "relay": 5}}), "lock.relay"),
        (json!({"lock": {"name": "X", "place_id": place, "geofence_restriction_radius": 0}}), "lock.geofence_restriction_radius"),
        (json!({"lock": {"name": "X", "place_id": place, "latitude": 123, "longitude": 0}}), "lock.latitude"),
        (json!({"lock": {"name": "X", "place_id": place, "colour": "red"}}), "lock.colour"),
        (json!({"lock": {"name": "Side", "place_id": place}}), "lock.name"),
        (json!({"name": "X"}), "name"),
        (json!({"lock": ["Side", place]}), "lock"),
    ] {
        let answer = api.post("/locks", body.clone()).await;
        assert_eq!(answer.status, 422, "{body}: {}", answer.body);
        assert_eq!(answer.error_fields(), [field], "{body}: {}", answer.body);
    }
    // PATCH changes only what it is given; null clears.
    let path = format!("/locks/{id}");
    let patched = api.send(Method::PATCH, &path, Some(json!({"lock": {"name": "Side door", "description": null, "pulse_seconds": 8}}))).await;
    assert_eq!(patched.status, 204, "{}", patched.body);
    let view = api.get(&path).await.body;
    assert_eq!((view["name"].as_str(), view["description"].clone(), view["pulse_seconds"].as_i64()), (Some("Side door"), Value::Null, Some(8)));
    let again = api.send(Method::PATCH, &path, Some(json!({"lock": {"exterior": true}}))).await;
    assert_eq!(again.status, 204);
    assert_eq!(api.get(&path).await.body["name"], "Side door", "absent fields keep their value");
    let bad = api.send(Method::PATCH, &path, Some(json!({"lock": {"pulse_seconds": -1}}))).await;
    assert_eq!((bad.status, bad.error_fields()), (422, vec!["lock.pulse_seconds".to_owned()]));
    let moved = api.send(Method::PATCH, &path, Some(json!({"lock": {"place_id": 999999, "floor": "L2"}}))).await;
    assert_eq!((moved.status, moved.error_fields()), (422, vec!["lock.place_id".to_owned()]), "{}", moved.body);
    assert_eq!(api.send(Method::PATCH, "/locks/999999", Some(json!({"lock": {}}))).await.status, 404);
    // Members may not manage locks.
    let (_, mia) = member(app, "mia@example.com").await;
    assert_eq!(mia.post("/locks", json!({"lock": {"name": "Mine", "place_id": place}})).await.status, 403);
    assert_eq!(mia.send(Method::PATCH, &path, Some(json!({"lock": {"name": "Mine"}}))).await.status, 403);
    assert_eq!(mia.send(Method::DELETE, &path, None).await.status, 403);
    assert_eq!(api.send(Method::DELETE, &path, None).await.status, 204);
    assert_eq!(api.get(&path).await.status, 404);
    assert_eq!(api.send(Method::DELETE, &path, None).await.status, 404);
}
on_both_databases!(locks_are_created_changed_and_deleted, roomy);

async fn group_links_are_sent_listed_and_revoked(app: &TestApp) {
    let site = site(app).await;
    let api = &site.owner;
    let group: i64 = site.group.parse().unwrap();
    let manual = api.post("/group_links", json!({"group_link": {"name": "Vera Visitor", "group_id": group, "valid_from": null, "valid_until": "2099-01-01T00:00:00Z"}})).await;
    assert_eq!(manual.status, 200, "{}", manual.body);
    let secret = manual.body["secret"].as_str().unwrap().to_owned();
    let url = manual.body["url"].as_str().unwrap().to_owned();
    assert!(url.ends_with(&format!("/l/{secret}")) && url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!((manual.body["name"].as_str(), manual.body["group_id"].as_i64()), (Some("Vera Visitor"), Some(group)));
    assert_eq!(manual.body["valid_until"], "2099-01-01T00:00:00Z");
    assert_eq!(manual.body["issued_by"]["email"], "owner@example.com");
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 200, "the secret link opens its page");
    let emailed = api.post("/group_links", json!({"group_link": {"name": "Eve", "group_id": group, "email": "eve@example.com", "valid_from": "2030-03-23T05:40:00Z", "valid_until": "2030-03-29T05:40:00Z"}})).await;
    assert_eq!(emailed.status, 200, "{}", emailed.body);
    assert_eq!((emailed.body["email"].as_str(), emailed.body["secret"].clone()), (Some("eve@example.com"), Value::Null), "an emailed link's secret goes only to the inbox");
    assert_eq!((emailed.body["valid_from"].as_str(), emailed.body["status"].as_str()), (Some("2030-03-23T05:40:00Z"), Some("scheduled")));
    // The list never carries secrets.
    let list = api.get("/group_links").await;
    assert_eq!((list.status, list.header("x-collection-range")), (200, "0-1/2"), "{}", list.body);
    assert!(list.body.as_array().unwrap().iter().all(|l| l["secret"].is_null() && l["url"].is_null()));
    assert!(!list.body.to_string().contains(&secret));
    assert_eq!(api.get("/group_links?limit=1&offset=1").await.body[0]["name"], "Vera Visitor");
    for (body, field) in [
        (json!({"group_link": {"name": "", "group_id": group}}), "group_link.name"),
        (json!({"group_link": {"name": "X", "group_id": group, "email": "not-an-email"}}), "group_link.email"),
        (json!({"group_link": {"name": "X", "group_id": 999999}}), "group_link.group_id"),
        (json!({"group_link": {"name": "X", "group_id": "staff"}}), "group_link.group_id"),
        (json!({"group_link": {"name": "X", "group_id": group, "valid_from": "next week"}}), "group_link.valid_from"),
        (json!({"group_link": {"name": "X", "group_id": group, "valid_from": "2030-01-02T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"}}), "group_link.valid_until"),
        (json!({"group_link": {"name": "X", "group_id": group, "secret": "mine"}}), "group_link.secret"),
    ] {
        let answer = api.post("/group_links", body.clone()).await;
        assert_eq!(answer.status, 422, "{body}: {}", answer.body);
        assert_eq!(answer.error_fields(), [field], "{body}: {}", answer.body);
    }
    // Revoking works at once; members may do none of it.
    let id = manual.body["id"].as_i64().unwrap();
    let (_, mia) = member(app, "mia@example.com").await;
    assert_eq!(mia.get("/group_links").await.status, 403);
    assert_eq!(mia.post("/group_links", json!({"group_link": {"name": "X", "group_id": group}})).await.status, 403);
    assert_eq!(mia.send(Method::DELETE, &format!("/group_links/{id}"), None).await.status, 403);
    assert_eq!(api.send(Method::DELETE, &format!("/group_links/{id}"), None).await.status, 204);
    let list = api.get("/group_links").await.body;
    let revoked = list.as_array().unwrap().iter().find(|l| l["id"] == id).unwrap();
    assert_eq!(revoked["status"], "revoked", "{revoked}");
    assert_eq!(api.send(Method::DELETE, "/group_links/999999", None).await.status, 404);
}
on_both_databases!(group_links_are_sent_listed_and_revoked, roomy);

fn five_per_key(config: &mut Config) {
    config.api_limits = RateLimits { per_key: Some(Rate::new(5, 5)), per_ip: Some(Rate::new(10_000, 10_000)) };
}

async fn each_key_gets_five_requests_per_second(app: &TestApp) {
    let site = site(app).await;
    let mut answers = Vec::new();
    for _ in 0..12 {
        answers.push(site.owner.get("/organizations").await);
    }
    let limited: Vec<&Answer> = answers.iter().filter(|a| a.status == 429).collect();
    assert!(!limited.is_empty(), "12 requests at once meet a limit of 5 per second");
    assert!(answers.iter().take(5).all(|a| a.status == 200), "the first five pass");
    let first = limited[0];
    assert!(first.header("retry-after").parse::<u64>().unwrap() >= 1);
    assert_eq!(first.body["code"], "rate_limited");
    // Another key has its own bucket; the first refills.
    let (_, other) = key_for(app, owner(app).await.id).await;
    assert_eq!(Api::new(app, &other).get("/organizations").await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(site.owner.get("/organizations").await.status, 200);
}
on_both_databases!(each_key_gets_five_requests_per_second, five_per_key);

/// Unlocks count against the key's limit too; a key revoked since it was
/// remembered hears 401 even when its limit is spent (it is checked first).
async fn unlocks_meet_the_key_limit_and_a_revoked_key_hears_401_first(app: &TestApp) {
    let site = site(app).await;
    let wired = format!("/locks/{}/unlock", site.wired);
    let owner = owner(app).await;
    let (revoked_id, revoked) = key_for(app, owner.id).await;
    let (_, other) = key_for(app, owner.id).await;
    let (revoked, other) = (Api::new(app, &revoked), Api::new(app, &other));
    for api in [&revoked, &other] {
        for _ in 0..5 {
            assert_eq!(api.post(&wired, json!({})).await.status, 200);
        }
    }
    let limited = other.post(&wired, json!({})).await;
    assert_eq!((limited.status, limited.body["code"].as_str()), (429, Some("rate_limited")), "{}", limited.body);
    app.execute_in_another_process(&format!("UPDATE api_keys SET revoked_at = 1 WHERE id = {revoked_id}")).await;
    let answer = revoked.post(&wired, json!({})).await;
    assert_eq!((answer.status, answer.body["code"].as_str()), (401, Some("unauthenticated")), "{}", answer.body);
}
on_both_databases!(unlocks_meet_the_key_limit_and_a_revoked_key_hears_401_first, five_per_key);

fn three_per_ip(config: &mut Config) {
    config.api_limits = RateLimits { per_key: Some(Rate::new(10_000, 10_000)), per_ip: Some(Rate::new(3, 3)) };
}

async fn each_ip_is_limited_with_any_key_or_none(app: &TestApp) {
    let site = site(app).await;
    let (_, other) = key_for(app, owner(app).await.id).await;
    let other = Api::new(app, &other);
    let statuses = [
        site.owner.get("/locks").await.status,
        other.get("/locks").await.status,
        other.raw(Method::GET, "/locks", None, None).await.status,
        site.owner.get("/locks").await.status,
    ];
    assert_eq!(statuses, [200, 200, 401, 429]);
    let limited = other.get("/organizations").await;
    assert_eq!(limited.status, 429);
    assert!(!limited.header("retry-after").is_empty());
}
on_both_databases!(each_ip_is_limited_with_any_key_or_none, three_per_ip);

async fn the_openapi_document_lists_every_route(app: &TestApp) {
    let answer = reqwest::get(format!("{}/api/openapi.json", app.address)).await.unwrap();
    assert_eq!(answer.status(), 200);
    let doc: Value = answer.json().await.expect("the document is JSON");
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{}", doc["openapi"]);
    assert_eq!(doc["servers"][0]["url"], "/api");
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = Vec::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            assert!(operation["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path} has responses");
            documented.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    let mut served: Vec<String> = postern_server::api::routes().iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    documented.sort();
    served.sort();
    assert_eq!(documented, served);
    // Every $ref resolves.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(doc["components"]["schemas"].get(name).is_some(), "dangling $ref to {name}");
    }
    // Served paths answer (not the dashboard's 404 page), in JSON.
    let api = Api { base: format!("{}/api", app.address), key: "pst_nobody".into(), http: reqwest::Client::new() };
    for route in postern_server::api::routes() {
        let path = route.path.replace("{id}", "1");
        let answer = api.send(route.method.clone(), &path, None).await;
        let expected = if route.path == "/openapi.json" { 200 } else { 401 };
        assert_eq!(answer.status, expected, "{} {path}: {}", route.method, answer.body);
    }
    let unknown = api.get("/nothing-here").await;
    assert_eq!((unknown.status, unknown.body["code"].as_str()), (404, Some("not_found")));
    let wrong_method = api.send(Method::PUT, "/locks", None).await;
    assert_eq!((wrong_method.status, wrong_method.body["code"].as_str()), (405, Some("method_not_allowed")));
}
on_both_databases!(the_openapi_document_lists_every_route, roomy);

/// Doors without their own coordinates are saved first (by `site`), then
/// doors with them, over the same pooled connections.
async fn a_lock_with_coordinates_after_ones_without(app: &TestApp) {
    let site = site(app).await;
    let api = &site.owner;
    let place: i64 = site.place.parse().unwrap();
    for i in 0..4 {
        let body = json!({"lock": {"name": format!("Gate {i}"), "place_id": place, "latitude": 40.7001, "longitude": -74.0001}});
        let created = api.post("/locks", body).await;
        assert_eq!(created.status, 200, "{}", created.body);
        assert_eq!(created.body["latitude"], 40.7001);
    }
    let moved = api.send(Method::PATCH, &format!("/locks/{}", site.unwired), Some(json!({"lock": {"latitude": 40.7002, "longitude": -74.0}}))).await;
    assert_eq!(moved.status, 204, "{}", moved.body);
    let cleared = api.send(Method::PATCH, &format!("/locks/{}", site.unwired), Some(json!({"lock": {"latitude": null, "longitude": null}}))).await;
    assert_eq!(cleared.status, 204, "{}", cleared.body);
    assert_eq!(api.get(&format!("/locks/{}", site.unwired)).await.body["latitude"], Value::Null);
}
on_both_databases!(a_lock_with_coordinates_after_ones_without, roomy);

async fn groups_are_managed_like_in_the_dashboard(app: &TestApp) {
    let site = site(app).await;
    let api = &site.owner;
    let created = api.post("/groups", json!({"group": {"name": "Night shift", "description": "After hours", "valid_until": "2031-01-01T00:00:00Z", "time_restriction_enabled": true, "time_windows": "Mon-Fri 18:00-06:00"}})).await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!((created.body["name"].as_str(), created.body["valid_until"].as_str()), (Some("Night shift"), Some("2031-01-01T00:00:00Z")));
    assert_eq!((created.body["time_restriction_enabled"].as_bool(), created.body["locks_count"].as_i64()), (Some(true), Some(0)));
    let id = created.body["id"].as_i64().unwrap();
    let list = api.get("/groups").await;
    assert_eq!((list.status, list.header("x-collection-range")), (200, "0-1/2"), "{}", list.body);
    assert_eq!(list.body[0]["name"], "Night shift");
    assert_eq!(api.get(&format!("/groups?ids={id}&query=night")).await.body.as_array().unwrap().len(), 1);
    assert_eq!(api.get(&format!("/groups?ids={id}&query=staff")).await.body, json!([]));
    let staff = api.get(&format!("/groups/{}", site.group)).await.body;
    assert_eq!((staff["locks_count"].as_i64(), staff["description"].clone()), (Some(2), Value::Null));
    for (body, field) in [
        (json!({"group": {"description": "no name"}}), "group.name"),
        (json!({"group": {"name": "Staff"}}), "group.name"),
        (json!({"group": {"name": "X", "time_restriction_enabled": true}}), "group.time_windows"),
        (json!({"group": {"name": "X", "time_windows": "sometimes"}}), "group.time_windows"),
        (json!({"group": {"name": "X", "valid_from": "soon"}}), "group.valid_from"),
        (json!({"group": {"name": "X", "valid_from": "2031-01-02T00:00:00Z", "valid_until": "2031-01-01T00:00:00Z"}}), "group.valid_until"),
        (json!({"group": {"name": null}}), "group.name"),
        (json!({"group": {"name": "X", "locks": [1]}}), "group.locks"),
    ] {
        let answer = api.post("/groups", body.clone()).await;
        assert_eq!(answer.status, 422, "{body}: {}", answer.body);
        assert_eq!(answer.error_fields(), [field], "{body}: {}", answer.body);
    }
    let path = format!("/groups/{id}");
    assert_eq!(api.send(Method::PATCH, &path, Some(json!({"group": {"valid_until": null, "description": null}}))).await.status, 204);
    let changed = api.get(&path).await.body;
    assert_eq!((changed["name"].as_str(), changed["valid_until"].clone(), changed["description"].clone()), (Some("Night shift"), Value::Null, Value::Null));
    let (_, mia) = member(app, "mia@example.com").await;
    assert_eq!(mia.get("/groups").await.status, 403);
    assert_eq!(mia.post("/groups", json!({"group": {"name": "Mine"}})).await.status, 403);
    assert_eq!(mia.send(Method::DELETE, &path, None).await.status, 403);
    assert_eq!(api.send(Method::DELETE, &path, None).await.status, 204);
    assert_eq!(api.get(&path).await.status, 404);
    assert_eq!(api.send(Method::PATCH, &path, Some(json!({"group": {}}))).await.status, 404);
}
on_both_databases!(groups_are_managed_like_in_the_dashboard, roomy);

async fn users_and_their_cards(app: &TestApp) {
    let site = site(app).await;
    let api = &site.owner;
    let created = api.post("/users", json!({"user": {"name": "Sam Smith", "email": "sam@example.com", "phone": "+12025550123", "confirmed": true, "app_access": true}})).await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!((created.body["role"].as_str(), created.body["phone"].as_str()), (Some("member"), Some("+12025550123")));
    let sam = created.body["id"].as_i64().unwrap();
    let list = api.get("/users?query=sam").await;
    assert_eq!((list.body.as_array().unwrap().len(), list.header("x-collection-range")), (1, "0-0/1"));
    assert_eq!(api.get("/users?limit=1&offset=1").await.body[0]["name"], "Sam Smith", "Olive Owner, then Sam Smith");
    for (body, field) in [
        (json!({"user": {"name": "No Mail"}}), "user.email"),
        (json!({"user": {"name": "Dup", "email": "sam@example.com"}}), "user.email"),
        (json!({"user": {"name": "Bad", "email": "bad@example.com", "phone": "555"}}), "user.phone"),
        (json!({"user": {"name": "Boss", "email": "boss@example.com", "role": "owner"}}), "user.role"),
        (json!({"user": {"name": "Boss", "email": "boss@example.com", "role": "emperor"}}), "user.role"),
        (json!({"user": {"name": "Pw", "email": "pw@example.com", "password": "secret"}}), "user.password"),
    ] {
        let answer = api.post("/users", body.clone()).await;
        assert_eq!(answer.status, 422, "{body}: {}", answer.body);
        assert_eq!(answer.error_fields(), [field], "{body}: {}", answer.body);
    }
    let path = format!("/users/{sam}");
    assert_eq!(api.send(Method::PATCH, &path, Some(json!({"user": {"role": "manager"}}))).await.status, 204);
    assert_eq!(api.get(&path).await.body["role"], "manager");
    // Cards.
    let card = api.post("/cards", json!({"card": {"user_id": sam, "number": "12:0345", "label": "blue fob"}})).await;
    assert_eq!((card.status, card.body["number"].as_str()), (200, Some("12:345")), "{}", card.body);
    let card_id = card.body["id"].as_i64().unwrap();
    let cards = api.get("/cards").await;
    assert_eq!((cards.body[0]["user_email"].as_str(), cards.body[0]["active"].as_bool()), (Some("sam@example.com"), Some(true)));
    assert_eq!(api.send(Method::PATCH, &format!("/cards/{card_id}"), Some(json!({"card": {"active": false}}))).await.status, 204);
    assert_eq!(api.get("/cards?query=blue").await.body[0]["active"], false);
    for (body, field) in [
        (json!({"card": {"user_id": sam, "number": "12:0345"}}), "card.number"),
        (json!({"card": {"user_id": sam, "number": "not a card"}}), "card.number"),
        // No number at all (neither Postern's nor Kisi's card_number): named as the field to give.
        (json!({"card": {"user_id": sam}}), "card.number"),
        (json!({"card": {"user_id": sam, "number": "7", "card_number": "7"}}), "card.number"),
    ] {
        let answer = api.post("/cards", body.clone()).await;
        assert_eq!(answer.status, 422, "{body}: {}", answer.body);
        assert_eq!(answer.error_fields(), [field], "{body}: {}", answer.body);
    }
    assert_eq!(api.post("/cards", json!({"card": {"user_id": 999999, "number": "7"}})).await.status, 404);
    assert_eq!(api.send(Method::PATCH, "/cards/999999", Some(json!({"card": {"active": true}}))).await.status, 404);
    assert_eq!(api.send(Method::DELETE, &format!("/cards/{card_id}"), None).await.status, 204);
    assert_eq!(api.get("/cards").await.body, json!([]));
    // Members see themselves only and change nothing; the owner stays.
    let (mia_id, mia) = member(app, "mia@example.com").await;
    assert_eq!(mia.get(&format!("/users/{mia_id}")).await.body["email"], "mia@example.com");
    assert_eq!(mia.get(&path).await.status, 403);
    assert_eq!(mia.get("/users").await.status, 403);
    assert_eq!(mia.get("/cards").await.status, 403);
    assert_eq!(mia.send(Method::PATCH, &path, Some(json!({"user": {"name": "X"}}))).await.status, 403);
    let owner_id = owner(app).await.id;
    assert_eq!(api.send(Method::DELETE, &format!("/users/{owner_id}"), None).await.status, 409);
    assert_eq!(api.send(Method::DELETE, &path, None).await.status, 204);
    assert_eq!(api.get(&path).await.status, 404);
}
on_both_databases!(users_and_their_cards, roomy);

async fn events_are_filtered_and_paged(app: &TestApp) {
    let site = site(app).await;
    let api = &site.owner;
    let (member_id, mia) = member(app, "mia@example.com").await;
    for _ in 0..3 {
        assert_eq!(api.post(&format!("/locks/{}/unlock", site.wired), json!({})).await.status, 200);
    }
    assert_eq!(mia.post(&format!("/locks/{}/unlock", site.wired), json!({})).await.status, 403);
    let unlocks = api.get(&format!("/events?lock_id={}&method=api&limit=100", site.wired)).await;
    assert_eq!(unlocks.status, 200, "{}", unlocks.body);
    let list = unlocks.body.as_array().unwrap();
    assert_eq!(list.len(), 4, "{}", unlocks.body);
    assert_eq!((list[0]["result"].as_str(), list[0]["actor_id"].as_i64()), (Some("denied"), Some(member_id)), "newest first");
    assert!(list[0]["reasons"].as_array().is_some_and(|r| !r.is_empty()));
    assert_eq!((list[0]["actor_type"].as_str(), list[0]["lock_id"].as_i64()), (Some("api_key"), Some(site.wired)));
    assert!(list[0]["created_at"].as_str().unwrap().ends_with('Z'));
    let granted = api.get(&format!("/events?lock_id={}&result=granted&limit=2&offset=1", site.wired)).await.body;
    assert_eq!(granted.as_array().unwrap().len(), 2);
    assert_eq!(granted[0]["id"], list[2]["id"]);
    assert_eq!(api.get(&format!("/events?actor_id={member_id}")).await.body.as_array().unwrap().len(), 1);
    assert_eq!(api.get("/events?until=2000-01-01T00:00:00Z").await.body, json!([]));
    assert_eq!(api.get("/events?offset=10000").await.body, json!([]));
    for (bad, field) in [("limit=0", "limit"), ("offset=10001", "offset"), ("result=maybe", "result"), ("since=monday", "since"), ("lock_id=front", "lock_id")] {
        let answer = api.get(&format!("/events?{bad}")).await;
        assert_eq!((answer.status, answer.error_fields()), (422, vec![field.to_owned()]), "{bad}");
    }
    assert_eq!(mia.get("/events").await.status, 403);
}
on_both_databases!(events_are_filtered_and_paged, roomy);

async fn group_locks_link_groups_and_locks(app: &TestApp) {
    let site = site(app).await;
    let api = &site.owner;
    let group: i64 = site.group.parse().unwrap();
    // The dashboard's links, by id, oldest first; filters by group and lock.
    let all = api.get("/group_locks").await;
    assert_eq!((all.status, all.header("x-collection-range")), (200, "0-1/2"), "{}", all.body);
    let first = &all.body[0];
    assert_eq!((first["group_id"].as_i64(), first["lock_id"].as_i64()), (Some(group), Some(site.wired)), "{first}");
    assert_eq!((first["lock_name"].as_str(), first["group_name"].as_str(), first["place_name"].as_str()), (Some("Front"), Some("Staff"), Some("HQ")));
    assert!(first["id"].as_i64().is_some_and(|id| id > 0));
    let roof = api.get(&format!("/group_locks?lock_id={}", site.unwired)).await.body;
    assert_eq!((roof.as_array().unwrap().len(), roof[0]["lock_name"].as_str()), (1, Some("Roof")));
    assert_eq!(api.get(&format!("/group_locks?group_id={group}&limit=1&offset=1")).await.body[0]["lock_id"], site.unwired);
    assert_eq!(api.get("/group_locks?group_id=999999").await.body, json!([]));
    for (bad, field) in [("group_id=staff", "group_id"), ("lock_id=0", "lock_id"), ("limit=0", "limit"), ("sort=name", "sort")] {
        let answer = api.get(&format!("/group_locks?{bad}")).await;
        assert_eq!((answer.status, answer.error_fields()), (422, vec![field.to_owned()]), "{bad}: {}", answer.body);
    }
    // A new lock joins the group; the lock counts it.
    let side = api.post("/locks", json!({"lock": {"name": "Side", "place_id": site.place.parse::<i64>().unwrap()}})).await.body["id"].as_i64().unwrap();
    let linked = api.post("/group_locks", json!({"group_lock": {"group_id": group, "lock_id": side}})).await;
    assert_eq!(linked.status, 200, "{}", linked.body);
    assert_eq!((linked.body["lock_id"].as_i64(), linked.body["lock_name"].as_str()), (Some(side), Some("Side")));
    assert_eq!(api.get(&format!("/locks/{side}")).await.body["groups_count"], 1);
    for (body, field) in [
        (json!({"group_lock": {"group_id": group, "lock_id": side}}), "group_lock.lock_id"),
        (json!({"group_lock": {"group_id": 999999, "lock_id": side}}), "group_lock.group_id"),
        (json!({"group_lock": {"group_id": group, "lock_id": 999999}}), "group_lock.lock_id"),
        (json!({"group_lock": {"group_id": "Staff", "lock_id": side}}), "group_lock.group_id"),
        (json!({"group_lock": {"group_id": group}}), "group_lock"),
        (json!({"group_lock": {"group_id": group, "lock_id": side, "door": 1}}), "group_lock.door"),
        (json!({"group_locks": []}), "group_locks"),
    ] {
        let answer = api.post("/group_locks", body.clone()).await;
        assert_eq!(answer.status, 422, "{body}: {}", answer.body);
        assert_eq!(answer.error_fields(), [field], "{body}: {}", answer.body);
    }
    // Members may do none of it; unlinking is at once and only once.
    let id = linked.body["id"].as_i64().unwrap();
    let path = format!("/group_locks/{id}");
    let (_, mia) = member(app, "mia@example.com").await;
    assert_eq!(mia.get("/group_locks").await.status, 403);
    assert_eq!(mia.post("/group_locks", json!({"group_lock": {"group_id": group, "lock_id": side}})).await.status, 403);
    assert_eq!(mia.send(Method::DELETE, &path, None).await.status, 403);
    assert_eq!(api.send(Method::DELETE, &path, None).await.status, 204);
    assert_eq!(api.get(&format!("/locks/{side}")).await.body["groups_count"], 0);
    for gone in [path.as_str(), "/group_locks/zero"] {
        let answer = api.send(Method::DELETE, gone, None).await;
        assert_eq!((answer.status, answer.body["code"].as_str()), (404, Some("not_found")), "{gone}");
    }
}
on_both_databases!(group_locks_link_groups_and_locks, roomy);

async fn role_assignments_are_memberships_with_dates(app: &TestApp) {
    let site = site(app).await;
    let api = &site.owner;
    let group: i64 = site.group.parse().unwrap();
    let (mia_id, mia) = member(app, "mia@example.com").await;
    let unlock = format!("/locks/{}/unlock", site.wired);
    assert_eq!(mia.post(&unlock, json!({})).await.status, 403, "not a member yet");
    let body = json!({"role_assignment": {"user_id": mia_id, "group_id": group, "role_id": "group_basic",
        "valid_from": "2020-01-01T00:00:00Z", "valid_until": "2099-01-01T00:00:00+01:00"}});
    let made = api.post("/role_assignments", body).await;
    assert_eq!(made.status, 200, "{}", made.body);
    assert_eq!((made.body["type"].as_str(), made.body["role_id"].as_str()), (Some("group"), Some("group_basic")));
    assert_eq!((made.body["user_id"].as_i64(), made.body["group_id"].as_i64()), (Some(mia_id), Some(group)));
    assert_eq!((made.body["valid_from"].as_str(), made.body["valid_until"].as_str()), (Some("2020-01-01T00:00:00Z"), Some("2098-12-31T23:00:00Z")));
    assert_eq!(mia.post(&unlock, json!({})).await.status, 200, "a member within the dates");
    let id = made.body["id"].as_i64().unwrap();
    let path = format!("/role_assignments/{id}");
    // The dates decide: an ended membership denies with its reason; null clears.
    assert_eq!(api.send(Method::PATCH, &path, Some(json!({"role_assignment": {"valid_until": "2021-01-01T00:00:00Z"}}))).await.status, 204);
    let denied = mia.post(&unlock, json!({})).await;
    assert_eq!(denied.status, 403);
    assert!(denied.body["reasons"].to_string().contains("group_membership_expired"), "{}", denied.body);
    assert_eq!(api.send(Method::PATCH, &path, Some(json!({"role_assignment": {"valid_until": null}}))).await.status, 204);
    let listed = api.get(&format!("/role_assignments?user_id={mia_id}")).await;
    assert_eq!((listed.status, listed.header("x-collection-range")), (200, "0-0/1"), "{}", listed.body);
    assert_eq!((listed.body[0]["valid_until"].clone(), listed.body[0]["valid_from"].as_str()), (Value::Null, Some("2020-01-01T00:00:00Z")));
    assert_eq!(mia.post(&unlock, json!({})).await.status, 200);
    assert_eq!(api.get(&format!("/role_assignments?group_id={group}&user_id={mia_id}")).await.body[0]["id"], id);
    assert_eq!(api.get("/role_assignments?group_id=999999").await.body, json!([]));
    for (bad, field) in [("user_id=mia", "user_id"), ("group_id=-1", "group_id"), ("offset=x", "offset")] {
        let answer = api.get(&format!("/role_assignments?{bad}")).await;
        assert_eq!((answer.status, answer.error_fields()), (422, vec![field.to_owned()]), "{bad}: {}", answer.body);
    }
    // Refusals name the field.
    let (sam_id, _) = member(app, "sam@example.com").await;
    for (body, field) in [
        (json!({"role_assignment": {"user_id": mia_id, "group_id": group}}), "role_assignment.user_id"),
        (json!({"role_assignment": {"user_id": 999999, "group_id": group}}), "role_assignment.user_id"),
        (json!({"role_assignment": {"user_id": sam_id, "group_id": 999999}}), "role_assignment.group_id"),
        (json!({"role_assignment": {"user_id": sam_id, "group_id": group, "role_id": "group_manager"}}), "role_assignment.role_id"),
        (json!({"role_assignment": {"user_id": sam_id, "group_id": group, "valid_from": "soon"}}), "role_assignment.valid_from"),
        (json!({"role_assignment": {"user_id": sam_id, "group_id": group, "valid_from": "2030-01-02T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"}}), "role_assignment.valid_until"),
        (json!({"role_assignment": {"user_id": sam_id}}), "role_assignment"),
        (json!({"role_assignment": {"user_id": sam_id, "group_id": group, "place_id": 1}}), "role_assignment.place_id"),
    ] {
        let answer = api.post("/role_assignments", body.clone()).await;
        assert_eq!(answer.status, 422, "{body}: {}", answer.body);
        assert_eq!(answer.error_fields(), [field], "{body}: {}", answer.body);
    }
    for (body, field) in [
        (json!({"role_assignment": {"valid_from": "2099-01-02T00:00:00Z", "valid_until": "2099-01-01T00:00:00Z"}}), "role_assignment.valid_until"),
        (json!({"role_assignment": {"valid_from": 7}}), "role_assignment.valid_from"),
        (json!({"role_assignment": {"user_id": sam_id}}), "role_assignment.user_id"),
    ] {
        let answer = api.send(Method::PATCH, &path, Some(body.clone())).await;
        assert_eq!((answer.status, answer.error_fields()), (422, vec![field.to_owned()]), "{body}: {}", answer.body);
    }
    // Members may do none of it; removing ends access at once, and only once.
    assert_eq!(mia.get("/role_assignments").await.status, 403);
    assert_eq!(mia.post("/role_assignments", json!({"role_assignment": {"user_id": mia_id, "group_id": group}})).await.status, 403);
    assert_eq!(mia.send(Method::PATCH, &path, Some(json!({"role_assignment": {}}))).await.status, 403);
    assert_eq!(mia.send(Method::DELETE, &path, None).await.status, 403);
    assert_eq!(api.send(Method::DELETE, &path, None).await.status, 204);
    assert_eq!(mia.post(&unlock, json!({})).await.status, 403);
    assert_eq!(api.send(Method::DELETE, &path, None).await.status, 404);
    assert_eq!(api.send(Method::PATCH, &path, Some(json!({"role_assignment": {}}))).await.status, 404);
    assert_eq!(api.send(Method::PATCH, "/role_assignments/0", Some(json!({"role_assignment": {}}))).await.status, 404);
}
on_both_databases!(role_assignments_are_memberships_with_dates, roomy);

/// A database at migration 0003 with memberships and door links in it.
async fn before_ids(url: &str, migrator: sqlx::migrate::Migrator) -> postern::services::Db {
    let db = postern::services::Db::connect(url).await.unwrap();
    let mut early = migrator;
    early.migrations = early.migrations.iter().filter(|m| m.version < 4).cloned().collect::<Vec<_>>().into();
    early.run(db.pool()).await.unwrap();
    for sql in [
        "INSERT INTO users (name, email, role, created_at, updated_at) VALUES ('Ann', 'ann@example.com', 'member', 0, 0)",
        "INSERT INTO users (name, email, role, created_at, updated_at) VALUES ('Bo', 'bo@example.com', 'member', 0, 0)",
        "INSERT INTO places (name, latitude, longitude, time_zone, created_at) VALUES ('HQ', 40.7, -74.0, 'UTC', 0)",
        "INSERT INTO doors (name, place_id, created_at) VALUES ('Front', 1, 0)",
        "INSERT INTO access_groups (name, created_at) VALUES ('Staff', 0)",
        "INSERT INTO group_members (group_id, user_id, valid_from, valid_until, added_at) VALUES (1, 2, 5, 9, 1)",
        "INSERT INTO group_members (group_id, user_id, added_at) VALUES (1, 1, 2)",
        "INSERT INTO group_doors (group_id, door_id) VALUES (1, 1)",
    ] {
        sqlx::query(sql).execute(db.pool()).await.unwrap();
    }
    db
}

/// Migration 0004 numbers the memberships and door links there are, keeps
/// their dates, and keeps each pair unique.
async fn ids_come_to_existing_rows(db: postern::services::Db) {
    db.migrate().await.unwrap();
    let members: Vec<(i64, i64, Option<i64>, Option<i64>)> =
        sqlx::query_as("SELECT id, user_id, valid_from, valid_until FROM group_members ORDER BY user_id").fetch_all(db.pool()).await.unwrap();
    assert_eq!(members.iter().map(|m| (m.1, m.2, m.3)).collect::<Vec<_>>(), [(1, None, None), (2, Some(5), Some(9))]);
    assert!(members[0].0 > 0 && members[1].0 > 0 && members[0].0 != members[1].0, "{members:?}");
    let links: Vec<(i64, i64)> = sqlx::query_as("SELECT id, door_id FROM group_doors").fetch_all(db.pool()).await.unwrap();
    assert_eq!(links.len(), 1);
    let again = sqlx::query("INSERT INTO group_members (group_id, user_id, added_at) VALUES (1, 1, 3)").execute(db.pool()).await;
    assert!(again.is_err(), "a person is in a group once");
    let again = sqlx::query("INSERT INTO group_doors (group_id, door_id) VALUES (1, 1)").execute(db.pool()).await;
    assert!(again.is_err(), "a door is in a group once");
    let sql = "INSERT INTO group_members (group_id, user_id, added_at) VALUES (1, 1, 3) ON CONFLICT (group_id, user_id) DO NOTHING RETURNING id";
    let inserted: Option<(i64,)> = sqlx::query_as(sql).fetch_optional(db.pool()).await.unwrap();
    assert_eq!(inserted, None, "ON CONFLICT on the pair still applies");
}

#[tokio::test]
async fn migration_0004_keeps_memberships_on_sqlite() {
    let path = std::env::temp_dir().join(format!("postern_0004_{}.db", std::process::id()));
    let url = format!("sqlite://{}", path.display());
    ids_come_to_existing_rows(before_ids(&url, sqlx::migrate!("../migrations/sqlite")).await).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test]
async fn migration_0004_keeps_memberships_on_postgres() {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let admin_url = format!("{}/postgres", common::postgres_admin_url());
    let name = format!("postern_0004_{}", std::process::id());
    let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url).await.expect("PostgreSQL answers");
    admin.execute(format!("CREATE DATABASE {name}").as_str()).await.unwrap();
    let db = before_ids(&format!("{}/{name}", common::postgres_admin_url()), sqlx::migrate!("../migrations/postgres")).await;
    ids_come_to_existing_rows(db.clone()).await;
    db.pool().close().await;
    admin.execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str()).await.unwrap();
}

/// Kisi's own clients sign in with `POST /logins` (the body kisi-client
/// sends), use the secret as `KISI-LOGIN`, read `/places` and `/user`, and
/// sign out with `DELETE /login`. Staff create logins on members' behalf
/// (never staff's); a wrong password is a 401; a switched-off person's
/// login stops.
async fn kisi_clients_sign_in_with_logins(app: &TestApp) {
    let site = site(app).await;
    let owner = owner(app).await;
    let (member_id, _) = member(app, "lena@example.com").await;
    users::set_password(&app.db, member_id, &postern::types::Password::parse("lena's long password").unwrap()).await.unwrap();
    // Members read the places of the doors they open.
    assert_eq!(app.call("change_group_member", &[("group_id", &site.group), ("user_id", &member_id.to_string()), ("add", "true")]).await.0, 200);
    let anonymous = Api::new(app, "none");
    let sign_in = json!({"login": {"type": "device"}, "user": {"email": "lena@example.com", "password": "lena's long password"}, "domain": "acme"});
    let answer = anonymous.raw(Method::POST, "/logins", None, Some(&sign_in.to_string())).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let secret = answer.body["secret"].as_str().expect("the secret, once").to_owned();
    assert_eq!(answer.body["type"], "device");
    let lena = Api::new(app, &secret);
    let places = lena.get("/places").await;
    assert_eq!(places.status, 200, "{}", places.body);
    assert_eq!(places.body[0]["id"].as_i64(), site.place.parse().ok(), "{}", places.body);
    assert!(places.body[0]["time_zone"].is_string() && places.body[0]["latitude"].is_number());
    assert!(!places.header("x-collection-range").is_empty());
    assert_eq!(lena.get(&format!("/places/{}", site.place)).await.status, 200);
    let me = lena.get("/user").await;
    assert_eq!((me.status, me.body["email"].as_str()), (200, Some("lena@example.com")), "{}", me.body);
    let listed = lena.get("/logins").await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));
    assert!(listed.body[0].get("secret").is_none(), "no secret in a list: {}", listed.body);
    // A wrong password: 401 in the API's error shape.
    let wrong = json!({"login": {"type": "device"}, "user": {"email": "lena@example.com", "password": "not it at all"}});
    let answer = anonymous.raw(Method::POST, "/logins", None, Some(&wrong.to_string())).await;
    assert_eq!((answer.status, answer.body["code"].as_str()), (401, Some("unauthenticated")), "{}", answer.body);
    // Signing out ends this login only.
    let answer = lena.send(Method::DELETE, "/login", None).await;
    assert_eq!(answer.status, 204, "{}", answer.body);
    assert_eq!(lena.get("/places").await.status, 401);
    // Staff on a member's behalf; a manager never for staff.
    let on_behalf = site.owner.post("/logins", json!({"login": {"type": "api", "user_id": member_id}})).await;
    assert_eq!(on_behalf.status, 200, "{}", on_behalf.body);
    let for_lena = Api::new(app, on_behalf.body["secret"].as_str().unwrap());
    assert_eq!(for_lena.get("/user").await.body["id"].as_i64(), Some(member_id));
    let manager_id = app.insert_person("manny@example.com", postern::types::Role::Manager).await;
    users::set_manager_place(&app.db, &owner, manager_id, site.place.parse().unwrap(), true).await.unwrap();
    let (_, manager_key) = key_for(app, manager_id).await;
    let manager = Api::new(app, &manager_key);
    let answer = manager.post("/logins", json!({"login": {"user_id": owner.id}})).await;
    assert_eq!(answer.status, 403, "a manager cannot make a login for the owner: {}", answer.body);
    assert_eq!(manager.post("/logins", json!({"login": {"user_id": member_id}})).await.status, 200);
    // Switched off: the login stops at once.
    app.execute_in_another_process(&format!("UPDATE users SET app_access = 0 WHERE id = {member_id}")).await;
    assert_eq!(for_lena.get("/user").await.status, 401);
    let answer = anonymous.raw(Method::POST, "/logins", None, Some(&sign_in.to_string())).await;
    assert_eq!(answer.status, 403, "app access off: {}", answer.body);
}
on_both_databases!(kisi_clients_sign_in_with_logins, roomy);
