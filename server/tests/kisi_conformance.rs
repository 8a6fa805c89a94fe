//! Kisi conformance from the outside: the API driven over HTTP with Kisi's
//! own field names and request shapes (as Kisi's reference, its guides and
//! its clients send them), on SQLite and PostgreSQL, asserting Kisi's
//! status codes (200 with the object on create and on actions, 204 on
//! changes and deletions), `X-Collection-Range` on lists and Kisi's
//! response field names. Only the owner's first-run form is used outside
//! the API; everything after signing in through `POST /logins` is a request
//! a Kisi integration would send.

mod common;

use common::TestApp;
use postern_server::config::{Config, Rate, RateLimits};
use reqwest::Method;
use serde_json::{json, Value};

fn roomy(config: &mut Config) {
    config.api_limits = RateLimits { per_key: Some(Rate::new(10_000, 10_000)), per_ip: Some(Rate::new(10_000, 10_000)) };
}

/// A Kisi client: a base URL and a login secret.
struct Kisi {
    base: String,
    secret: Option<String>,
    http: reqwest::Client,
}

/// Status, `X-Collection-Range` and JSON body (`Null` when empty).
struct Answer {
    status: u16,
    range: Option<String>,
    body: Value,
}

impl Answer {
    /// The message of the refusal of `field`, if any.
    fn refusal(&self, field: &str) -> String {
        self.body["errors"][field].as_array().and_then(|m| m.first()).and_then(Value::as_str).unwrap_or_default().to_owned()
    }
}

impl Kisi {
    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base)).header("accept", "application/json");
        if let Some(secret) = &self.secret {
            request = request.header("authorization", format!("KISI-LOGIN {secret}"));
        }
        if let Some(body) = &body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        let response = request.send().await.expect("the API answers");
        let status = response.status().as_u16();
        let range = response.headers().get("x-collection-range").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let text = response.text().await.unwrap_or_default();
        let parsed = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        assert!(status < 500, "{path} answered {status}: {parsed} (sent {body:?})");
        Answer { status, range, body: parsed }
    }

    async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }

    async fn patch(&self, path: &str, body: Value) -> Answer {
        self.send(Method::PATCH, path, Some(body)).await
    }

    async fn delete(&self, path: &str) -> Answer {
        self.send(Method::DELETE, path, None).await
    }

    /// A 200 with the created object; its id.
    async fn created(&self, path: &str, body: Value) -> (i64, Value) {
        let answer = self.post(path, body.clone()).await;
        assert_eq!(answer.status, 200, "POST {path} {body}: {}", answer.body);
        (answer.body["id"].as_i64().unwrap_or_else(|| panic!("{path} answers the object with its id: {}", answer.body)), answer.body)
    }

    /// A list: 200, a JSON array, and `X-Collection-Range` as Kisi writes it.
    async fn list(&self, path: &str) -> Vec<Value> {
        let answer = self.get(path).await;
        assert_eq!(answer.status, 200, "GET {path}: {}", answer.body);
        let items = answer.body.as_array().unwrap_or_else(|| panic!("{path} answers an array: {}", answer.body)).clone();
        let range = answer.range.unwrap_or_else(|| panic!("{path} has no X-Collection-Range"));
        let (shown, total) = range.split_once('/').unwrap_or_else(|| panic!("{path}: range {range}"));
        let total: usize = total.parse().unwrap_or_else(|_| panic!("{path}: range {range}"));
        assert!(total >= items.len(), "{path}: {range} for {} items", items.len());
        if items.is_empty() {
            assert_eq!(shown, "*", "{path}: {range}");
        } else {
            assert_eq!(shown, format!("0-{}", items.len() - 1), "{path}: {range}");
        }
        items
    }

    /// A 422 refusing `field` with a message containing `words`.
    async fn refused(&self, method: Method, path: &str, body: Value, field: &str, words: &str) {
        let answer = self.send(method, path, Some(body.clone())).await;
        assert_eq!(answer.status, 422, "{path} {body}: {}", answer.body);
        let message = answer.refusal(field);
        assert!(message.contains(words), "{path} {body}: {field} refused with {:?}, not {words:?}", answer.body);
    }
}

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

async fn a_kisi_integration_runs_end_to_end(app: &TestApp) {
    let (email, password) = app.sign_up_owner().await;
    let mut kisi = Kisi { base: format!("{}/api", app.address), secret: None, http: reqwest::Client::new() };

    // Signing in as Kisi's clients do (kisi-client's signIn).
    let login = kisi.post("/logins", json!({"login": {"type": "device"}, "user": {"email": email, "password": password, "domain": "acme"}})).await;
    assert_eq!(login.status, 200, "{}", login.body);
    assert_eq!(login.body["type"], "device");
    kisi.secret = Some(login.body["secret"].as_str().expect("the login's secret").to_owned());
    let me = kisi.get("/user").await;
    assert_eq!((me.status, me.body["email"].as_str()), (200, Some(email.as_str())));
    assert_eq!(me.body["access_enabled"], true);

    // Places, with Kisi's names.
    let (place, body) = kisi
        .created("/places", json!({"place": {"name": "HQ", "address": "63 First Ave, New York", "description": "Head office",
            "time_zone": "America/New_York", "latitude": 40.72, "longitude": -73.99, "image": null}}))
        .await;
    for (field, value) in [("name", json!("HQ")), ("address", json!("63 First Ave, New York")), ("description", json!("Head office")),
        ("time_zone", json!("America/New_York")), ("latitude", json!(40.72)), ("longitude", json!(-73.99))]
    {
        assert_eq!(body[field], value, "place.{field}: {body}");
    }
    let (annex, _) = kisi.created("/places", json!({"place": {"name": "Annex", "time_zone": "UTC", "latitude": 1.0, "longitude": 2.0}})).await;
    assert_eq!(kisi.patch(&format!("/places/{place}"), json!({"place": {"description": "Main office", "time_zone": "Europe/Berlin"}})).await.status, 204);
    let shown = kisi.get(&format!("/places/{place}")).await.body;
    assert_eq!((shown["description"].as_str(), shown["time_zone"].as_str(), shown["name"].as_str()), (Some("Main office"), Some("Europe/Berlin"), Some("HQ")));
    assert!(ids(&kisi.list("/places").await).contains(&annex));
    kisi.refused(Method::POST, "/places", json!({"place": {"name": "X", "time_zone": "UTC", "latitude": 1, "longitude": 1, "image": "https://example.com/x.png"}}),
        "place.image", "not supported by Postern").await;
    kisi.refused(Method::POST, "/places", json!({"place": {"name": "X", "time_zone": "Mars/Olympus", "latitude": 1, "longitude": 1}}), "place.time_zone", "").await;

    // Floors.
    let (floor, body) = kisi.created("/floors", json!({"floor": {"name": "Ground", "description": "Lobby", "place_id": place}})).await;
    assert_eq!((body["name"].as_str(), body["description"].as_str(), body["place_id"].as_i64()), (Some("Ground"), Some("Lobby"), Some(place)));
    let (upper, _) = kisi.created("/floors", json!({"floor": {"name": "First", "place_id": place}})).await;
    let (annex_floor, _) = kisi.created("/floors", json!({"floor": {"name": "Ground", "place_id": annex}})).await;
    assert_eq!(ids(&kisi.list(&format!("/floors?place_id={place}")).await), [upper, floor], "by name, this place's only");
    assert_eq!(kisi.patch(&format!("/floors/{upper}"), json!({"floor": {"description": "Offices"}})).await.status, 204);
    assert_eq!(kisi.get(&format!("/floors/{upper}")).await.body["description"], "Offices");
    kisi.refused(Method::POST, "/floors", json!({"floor": {"name": "Ground", "place_id": place}}), "floor.name", "already").await;
    kisi.refused(Method::POST, "/floors", json!({"floor": {"name": "Roof", "place_id": 999999}}), "floor.place_id", "no place").await;

    // Locks, with Kisi's lock fields (Postern's wiring beside them).
    let controller = app.create("save_controller", &[("form[name]", "C1"), ("form[place_id]", &place.to_string())]).await;
    let (front, body) = kisi
        .created("/locks", json!({"lock": {"name": "Front", "description": "Main entrance", "place_id": place, "floor_id": floor,
            "latitude": null, "longitude": null, "geofence_restriction_enabled": false, "reader_restriction_enabled": false,
            "time_restriction_enabled": false, "order": 0, "favorite": false, "integration_id": null,
            "controller_id": controller.parse::<i64>().unwrap(), "relay": 1}}))
        .await;
    assert_eq!((body["floor_id"].as_i64(), body["place_id"].as_i64(), body["place"]["id"].as_i64()), (Some(floor), Some(place), Some(place)));
    assert_eq!(body["description"], "Main entrance");
    let (side, _) = kisi.created("/locks", json!({"lock": {"name": "Side", "place_id": place}})).await;
    let (shed, _) = kisi.created("/locks", json!({"lock": {"name": "Shed", "place_id": annex, "floor_id": annex_floor}})).await;
    kisi.refused(Method::POST, "/locks", json!({"lock": {"name": "Wrong floor", "place_id": place, "floor_id": annex_floor}}), "lock.floor_id", "another place").await;
    kisi.refused(Method::POST, "/locks", json!({"lock": {"name": "Fav", "place_id": place, "favorite": true}}), "lock.favorite", "not supported by Postern").await;
    assert_eq!(kisi.patch(&format!("/locks/{side}"), json!({"lock": {"floor_id": upper}})).await.status, 204);
    assert_eq!(kisi.get(&format!("/locks/{side}")).await.body["floor_id"].as_i64(), Some(upper));
    assert!(ids(&kisi.list(&format!("/locks?place_id={place}")).await).contains(&front));

    // Groups, as the PyPI client's create_group sends them, with locks_to_assign.
    let (group, body) = kisi
        .created("/groups", json!({"group": {"name": "Staff", "description": "Everyone", "place_id": place, "login_enabled": true,
            "geofence_restriction_enabled": false, "primary_device_restriction_enabled": false, "managed_device_restriction_enabled": false,
            "reader_restriction_enabled": false, "time_restriction_enabled": false, "locks_to_assign": [front, {"id": side}],
            "elevator_stops_to_assign": []}}))
        .await;
    assert_eq!((body["place_id"].as_i64(), body["locks_count"].as_i64(), body["login_enabled"].as_bool()), (Some(place), Some(2), Some(true)));
    assert_eq!(body["managed_device_restriction_enabled"], false);
    kisi.refused(Method::POST, "/groups", json!({"group": {"name": "Cards only", "login_enabled": false}}), "group.login_enabled", "not supported by Postern").await;
    kisi.refused(Method::POST, "/groups", json!({"group": {"name": "MDM", "managed_device_restriction_enabled": true}}),
        "group.managed_device_restriction_enabled", "not supported by Postern").await;
    kisi.refused(Method::POST, "/groups", json!({"group": {"name": "Far", "place_id": place, "locks_to_assign": [shed]}}), "group.locks_to_assign", "not at the group's place").await;
    kisi.refused(Method::POST, "/groups", json!({"group": {"name": "Typo", "colour": "red"}}), "group.colour", "unknown field").await;
    assert!(kisi.list("/groups?query=Far").await.is_empty(), "a refused group is not created");
    assert_eq!(kisi.patch(&format!("/groups/{group}"), json!({"group": {"description": "All staff", "login_enabled": true}})).await.status, 204);
    assert_eq!(kisi.get(&format!("/groups/{group}")).await.body["description"], "All staff");
    // Moving a place group that opens this place's locks to another place is refused, and changes nothing.
    kisi.refused(Method::PATCH, &format!("/groups/{group}"), json!({"group": {"place_id": annex, "description": "Moved"}}), "group.place_id", "another place").await;
    let shown = kisi.get(&format!("/groups/{group}")).await.body;
    assert_eq!((shown["place_id"].as_i64(), shown["description"].as_str()), (Some(place), Some("All staff")));

    // Group locks: a place group opens only its place's locks.
    let group_locks = kisi.list(&format!("/group_locks?group_id={group}")).await;
    assert_eq!(group_locks.len(), 2);
    kisi.refused(Method::POST, "/group_locks", json!({"group_lock": {"group_id": group, "lock_id": shed}}), "group_lock.lock_id", "another place").await;
    let (open_group, _) = kisi.created("/groups", json!({"group": {"name": "Visitors", "place_id": null}})).await;
    let (group_lock, body) = kisi.created("/group_locks", json!({"group_lock": {"group_id": open_group, "lock_id": shed}})).await;
    assert_eq!((body["group_id"].as_i64(), body["lock_id"].as_i64()), (Some(open_group), Some(shed)));
    assert_eq!(kisi.delete(&format!("/group_locks/{group_lock}")).await.status, 204);

    // Users, as the PyPI client's create_user sends them.
    let metadata = json!({"crm_id": "42", "tags": ["vip", "night"]});
    let (mia, body) = kisi
        .created("/users", json!({"user": {"name": "Mia", "email": "mia@example.com", "image": null, "send_emails": false, "confirm": true,
            "access_enabled": true, "password_flow_enabled": false, "metadata": metadata, "notes": "Badge 7"}}))
        .await;
    assert_eq!((body["access_enabled"].as_bool(), &body["metadata"], body["notes"].as_str()), (Some(true), &metadata, Some("Badge 7")));
    assert_eq!(kisi.patch(&format!("/users/{mia}"), json!({"user": {"access_enabled": false, "notes": null}})).await.status, 204);
    let shown = kisi.get(&format!("/users/{mia}")).await.body;
    assert_eq!((shown["access_enabled"].as_bool(), &shown["metadata"], &shown["notes"]), (Some(false), &metadata, &Value::Null));
    assert_eq!(kisi.patch(&format!("/users/{mia}"), json!({"user": {"access_enabled": true, "metadata": {"crm_id": "43"}}})).await.status, 204);
    assert_eq!(kisi.get(&format!("/users/{mia}")).await.body["metadata"], json!({"crm_id": "43"}));
    kisi.refused(Method::POST, "/users", json!({"user": {"name": "Ann", "email": "ann@example.com", "image": "data:image/png;base64,AAAA"}}),
        "user.image", "not supported by Postern").await;
    kisi.refused(Method::POST, "/users", json!({"user": {"name": "Ann", "email": "ann@example.com", "metadata": [1]}}), "user.metadata", "JSON object").await;
    kisi.refused(Method::POST, "/users", json!({"user": {"name": "Ann", "email": "ann@example.com", "favourite_colour": "red"}}), "user.favourite_colour", "unknown field").await;
    assert!(kisi.list("/users?query=ann%40").await.is_empty(), "refused people are not created");
    assert!(ids(&kisi.list("/users").await).contains(&mia));

    // Role assignments: group_basic memberships with dates.
    let (assignment, body) = kisi
        .created("/role_assignments", json!({"role_assignment": {"user_id": mia, "role_id": "group_basic", "group_id": group,
            "valid_from": "2030-05-24T14:15:22Z", "valid_until": "2030-05-25T14:15:22Z", "notify": false}}))
        .await;
    assert_eq!((body["role_id"].as_str(), body["type"].as_str(), body["group_id"].as_i64(), body["user_id"].as_i64()),
        (Some("group_basic"), Some("group"), Some(group), Some(mia)));
    assert_eq!(body["valid_until"], "2030-05-25T14:15:22Z");
    kisi.refused(Method::POST, "/role_assignments", json!({"role_assignment": {"user_id": mia, "role_id": "group_manager", "group_id": open_group}}),
        "role_assignment.role_id", "not supported by Postern").await;
    kisi.refused(Method::POST, "/role_assignments", json!({"role_assignment": {"user_id": mia, "role_id": "place_admin", "place_id": place}}),
        "role_assignment.place_id", "not supported by Postern").await;
    assert_eq!(ids(&kisi.list(&format!("/role_assignments?user_id={mia}")).await), [assignment]);
    assert_eq!(kisi.patch(&format!("/role_assignments/{assignment}"), json!({"role_assignment": {"valid_until": null}})).await.status, 204);
    assert_eq!(kisi.list(&format!("/role_assignments?user_id={mia}")).await[0]["valid_until"], Value::Null);

    // Cards, by Kisi's card_number and facility_code.
    let card = kisi.post("/cards", json!({"card": {"user_id": mia, "card_number": 4242, "facility_code": 12, "type": null}})).await;
    assert_eq!((card.status, card.body["number"].as_str()), (200, Some("12:4242")), "{}", card.body);
    kisi.refused(Method::POST, "/cards", json!({"card": {"token": "04A1B2C3", "type": "mifare"}}), "card.token", "not supported by Postern").await;
    assert!(kisi.list(&format!("/cards?query={}", "12%3A4242")).await.iter().any(|c| c["user_id"].as_i64() == Some(mia)));

    // Logins on a managed user's behalf, by email, named after the device.
    let login = kisi
        .post("/logins", json!({"login": {"type": "device", "device_brand": "Apple", "device_model": "iPhone", "os_name": "iOS", "email": "mia@example.com"}}))
        .await;
    assert_eq!((login.status, login.body["user_id"].as_i64(), login.body["name"].as_str()), (200, Some(mia), Some("Apple iPhone (iOS)")), "{}", login.body);
    assert!(login.body["secret"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(kisi.list(&format!("/logins?user_id={mia}")).await.len(), 1);
    let stranger = Kisi { base: kisi.base.clone(), secret: None, http: reqwest::Client::new() };
    let probe = stranger.post("/logins", json!({"login": {"type": "device", "email": "mia@example.com"}})).await;
    assert_eq!(probe.status, 401, "nobody learns who has an account: {}", probe.body);

    // Unlock (200 and Kisi's message), lock down and cancel it (204).
    let unlock = kisi
        .post(&format!("/locks/{front}/unlock"), json!({"context": {"location": {"latitude": 40.72, "longitude": -73.99}}, "lock": {"proximity_proof": null}}))
        .await;
    assert_eq!((unlock.status, unlock.body["message"].as_str()), (200, Some("Unlocked!")), "{}", unlock.body);
    assert_eq!(kisi.post(&format!("/locks/{front}/lock_down"), json!({})).await.status, 204);
    assert_eq!(kisi.get(&format!("/locks/{front}")).await.body["locked_down"], true);
    assert_eq!(kisi.post(&format!("/locks/{front}/cancel_lockdown"), json!({})).await.status, 204);
    assert_eq!(kisi.get(&format!("/locks/{front}")).await.body["locked_down"], false);

    // Group links: the secret once, then listed without it; revoked with 204.
    let (link, body) = kisi
        .created("/group_links", json!({"group_link": {"name": "Vera", "group_id": group, "valid_from": null, "valid_until": "2031-01-01T00:00:00Z"}}))
        .await;
    assert!(body["secret"].as_str().is_some_and(|s| !s.is_empty()) && body["url"].as_str().is_some(), "{body}");
    let listed = kisi.list("/group_links").await;
    assert!(listed.iter().any(|l| l["id"].as_i64() == Some(link) && l["secret"].is_null()));
    assert_eq!(kisi.delete(&format!("/group_links/{link}")).await.status, 204);

    // Events: the unlock, with Kisi's names.
    let events = kisi.get(&format!("/events?lock_id={front}")).await;
    assert_eq!(events.status, 200);
    let unlocks: Vec<&Value> = events.body.as_array().unwrap().iter().filter(|e| e["action"] == "unlock").collect();
    assert_eq!(unlocks.len(), 1, "{}", events.body);
    assert_eq!((unlocks[0]["result"].as_str(), unlocks[0]["lock_id"].as_i64()), (Some("granted"), Some(front)));

    // Deleting: a floor leaves its locks on no floor; a place with locks stays (409); an empty one goes.
    assert_eq!(kisi.delete(&format!("/floors/{floor}")).await.status, 204);
    assert_eq!(kisi.get(&format!("/locks/{front}")).await.body["floor_id"], Value::Null);
    assert_eq!(kisi.get(&format!("/floors/{floor}")).await.status, 404);
    assert_eq!(kisi.delete(&format!("/places/{place}")).await.status, 409);
    let (empty, _) = kisi.created("/places", json!({"place": {"name": "Pop-up", "time_zone": "UTC", "latitude": 0.5, "longitude": 0.5}})).await;
    assert_eq!(kisi.delete(&format!("/places/{empty}")).await.status, 204);
    assert_eq!(kisi.get(&format!("/places/{empty}")).await.status, 404);
    assert_eq!(kisi.delete(&format!("/users/{mia}")).await.status, 204);
    assert_eq!(kisi.delete(&format!("/groups/{open_group}")).await.status, 204);

    // Signing out as kisi-client does: the login stops at once.
    assert_eq!(kisi.delete("/login").await.status, 204);
    assert_eq!(kisi.get("/user").await.status, 401);
}
on_both_databases!(a_kisi_integration_runs_end_to_end, roomy);

/// Members read places and floors but only admins and the owner change them.
async fn only_admins_change_places_and_floors(app: &TestApp) {
    let (email, password) = app.sign_up_owner().await;
    let mut owner = Kisi { base: format!("{}/api", app.address), secret: None, http: reqwest::Client::new() };
    let login = owner.post("/logins", json!({"login": {"type": "api"}, "user": {"email": email, "password": password}})).await;
    owner.secret = login.body["secret"].as_str().map(str::to_owned);
    let (place, _) = owner.created("/places", json!({"place": {"name": "HQ", "time_zone": "UTC", "latitude": 1, "longitude": 1}})).await;
    let (floor, _) = owner.created("/floors", json!({"floor": {"name": "Ground", "place_id": place}})).await;
    // Members read the places of the locks they open, managers their places.
    let (lock, _) = owner.created("/locks", json!({"lock": {"name": "Front", "place_id": place}})).await;
    let (group, _) = owner.created("/groups", json!({"group": {"name": "Staff", "place_id": place, "locks_to_assign": [lock]}})).await;
    let owner_id = owner.get("/user").await.body["id"].as_i64().unwrap();
    let owner_user = postern::model::SessionUser { id: owner_id, name: "Owner".into(), email: email.clone(), role: postern::types::Role::Owner };
    for role in [postern::types::Role::Member, postern::types::Role::Manager] {
        let id = app.insert_person(&format!("{}@example.com", role.as_str()), role).await;
        if role == postern::types::Role::Manager {
            postern::services::users::set_manager_place(&app.db, &owner_user, id, place, true).await.unwrap();
        } else {
            owner.created("/role_assignments", json!({"role_assignment": {"user_id": id, "group_id": group, "role_id": "group_basic"}})).await;
        }
        let secret = owner.post("/logins", json!({"login": {"type": "api", "user_id": id}})).await.body["secret"].as_str().unwrap().to_owned();
        let person = Kisi { base: owner.base.clone(), secret: Some(secret), http: reqwest::Client::new() };
        assert_eq!(person.list("/places").await.len(), 1);
        assert_eq!(person.list("/floors").await.len(), 1);
        assert_eq!(person.get(&format!("/floors/{floor}")).await.status, 200);
        let new_place = json!({"place": {"name": "Mine", "time_zone": "UTC", "latitude": 1, "longitude": 1}});
        for (method, path, body) in [
            (Method::POST, "/places".to_owned(), Some(new_place)),
            (Method::PATCH, format!("/places/{place}"), Some(json!({"place": {"name": "Taken"}}))),
            (Method::DELETE, format!("/places/{place}"), None),
            (Method::POST, "/floors".to_owned(), Some(json!({"floor": {"name": "Roof", "place_id": place}}))),
            (Method::PATCH, format!("/floors/{floor}"), Some(json!({"floor": {"name": "Cellar"}}))),
            (Method::DELETE, format!("/floors/{floor}"), None),
        ] {
            let answer = person.send(method.clone(), &path, body).await;
            assert_eq!(answer.status, 403, "{} {method} {path}: {}", role.as_str(), answer.body);
        }
    }
    assert_eq!(owner.get(&format!("/places/{place}")).await.body["name"], "HQ");
    assert_eq!(owner.get(&format!("/floors/{floor}")).await.body["name"], "Ground");
}
on_both_databases!(only_admins_change_places_and_floors, roomy);
