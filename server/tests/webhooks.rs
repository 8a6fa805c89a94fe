//! Event webhooks (issue 17, point 6), on SQLite and PostgreSQL, against a
//! real HTTP receiver on loopback that checks `X-Signature` itself:
//! - signed deliveries with Kisi's fields, in order, once each;
//! - the receiver down, then up: nothing lost, order kept, the failed
//!   attempts in the delivery log;
//! - the real binary SIGKILLed mid-delivery: after a restart every event
//!   arrives, first arrivals in order; repeats (at-least-once) are counted
//!   and bounded by what was sent but not yet recorded;
//! - two replicas on one PostgreSQL database: each delivery made by one;
//! - private addresses refused at registration and when sending;
//! - managers and members cannot register webhooks.

mod common;
#[path = "support/servers.rs"]
mod servers;

use common::{eventually, field_message, Backend, TestApp};
use hmac::{Hmac, Mac};
use postern::model::{SessionUser, WebhookForm};
use postern::services::event_writer::{EventWriter, NewEvent};
use postern::services::webhooks::{self, WebhookSettings};
use postern::services::{now_ms, Db};
use postern::types::Role;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "a webhook secret of some length";

// ---- the receiver ------------------------------------------------------------

/// One POST as the receiver saw it.
#[derive(Clone, Debug)]
struct Received {
    body: Value,
    signature_ok: bool,
}

/// A webhook receiver on loopback: records every POST to `/hook/{name}`,
/// answering after `delay`.
#[derive(Clone)]
struct Receiver {
    address: SocketAddr,
    seen: Arc<Mutex<Vec<(String, Received)>>>,
}

impl Receiver {
    async fn start(delay: Duration) -> Receiver {
        Receiver::start_on("127.0.0.1:0".parse().unwrap(), delay, Arc::default()).await
    }

    async fn start_on(address: SocketAddr, delay: Duration, seen: Arc<Mutex<Vec<(String, Received)>>>) -> Receiver {
        use axum::extract::{Path, State};
        let listener = tokio::net::TcpListener::bind(address).await.expect("the receiver binds");
        let address = listener.local_addr().unwrap();
        let state = (seen.clone(), delay);
        let router = axum::Router::new()
            .route(
                "/hook/{name}",
                axum::routing::post(
                    |State((seen, delay)): State<(Arc<Mutex<Vec<(String, Received)>>>, Duration)>,
                     Path(name): Path<String>,
                     headers: http::HeaderMap,
                     body: axum::body::Bytes| async move {
                        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
                        mac.update(&body);
                        let expected = hex::encode(mac.finalize().into_bytes());
                        let signature_ok = headers.get("x-signature").and_then(|v| v.to_str().ok()) == Some(expected.as_str());
                        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                        tokio::time::sleep(delay).await;
                        seen.lock().unwrap().push((name, Received { body, signature_ok }));
                        "ok"
                    },
                ),
            )
            .with_state(state);
        tokio::spawn(async move {
            axum::serve(listener, router).await.ok();
        });
        Receiver { address, seen }
    }

    fn url(&self, name: &str) -> String {
        format!("http://{}/hook/{name}", self.address)
    }

    /// The uuids received at `name`, in order of arrival (repeats included).
    fn uuids(&self, name: &str) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, r)| r.body["uuid"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    fn all(&self) -> Vec<(String, Received)> {
        self.seen.lock().unwrap().clone()
    }
}

// ---- helpers -----------------------------------------------------------------

fn allow_private(config: &mut postern_server::config::Config) {
    config.webhook_allow_private = true;
}

fn owner() -> SessionUser {
    SessionUser { id: 0, name: "Test".into(), email: "test@example.com".into(), role: Role::Owner }
}

/// Registers an endpoint following unlocks, through the service (as the
/// server function does); returns its id.
async fn register(db: &Db, name: &str, url: &str) -> i64 {
    let form = WebhookForm {
        name: name.into(),
        url: url.into(),
        secret: SECRET.into(),
        types: [("lock.unlock".to_owned(), "on".to_owned())].into_iter().collect(),
    };
    webhooks::create(db, &owner(), WebhookSettings { allow_private: true }, form.validate().unwrap()).await.unwrap()
}

/// `count` unlock events written by the event writer (the batch that
/// queues their deliveries); returns their ids in order.
async fn unlock_events(db: &Db, count: usize, tag: &str) -> Vec<i64> {
    let writer = EventWriter::spawn(db.clone());
    let mut ids = Vec::new();
    for i in 0..count {
        let event = NewEvent {
            at: now_ms(),
            actor_kind: "user".into(),
            actor_user_id: Some(7),
            actor_name: format!("Mia {tag}"),
            action: "unlock".into(),
            subject: format!("Door {i}"),
            result: if i % 3 == 0 { "denied".into() } else { "granted".into() },
            reasons: if i % 3 == 0 { vec!["outside_schedule".into()] } else { Vec::new() },
            details: if i % 3 == 0 { "Outside the group's hours.".into() } else { String::new() },
            ..Default::default()
        };
        ids.push(writer.record(event).await.unwrap());
    }
    ids
}

/// The uuid every delivery of event `id` carries.
async fn uuid_of(db: &Db, id: i64) -> String {
    let (namespace,): (String,) = sqlx::query_as("SELECT namespace FROM webhook_namespace WHERE id = 1").fetch_one(db.pool()).await.unwrap();
    webhooks::payload::event_uuid(&webhooks::payload::Uuid::parse_str(&namespace).unwrap(), id)
}

async fn uuids_of(db: &Db, ids: &[i64]) -> Vec<String> {
    let mut uuids = Vec::new();
    for id in ids {
        uuids.push(uuid_of(db, *id).await);
    }
    uuids
}

/// First arrivals in order, and how many arrivals were repeats.
fn firsts_and_repeats(arrivals: &[String]) -> (Vec<String>, usize) {
    let mut seen = HashSet::new();
    let firsts: Vec<String> = arrivals.iter().filter(|u| seen.insert((*u).clone())).cloned().collect();
    let repeats = arrivals.len() - firsts.len();
    (firsts, repeats)
}

/// Polls `check` until it holds, up to `limit` (for waits longer than
/// `eventually`'s 10 s: a back-off or a dead replica's lease).
async fn within<F, Fut>(limit: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out after {limit:?} waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn count(db: &Db, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db.pool()).await.unwrap();
    n
}

// ---- signed, in order, once ----------------------------------------------------

async fn delivers_signed_events_in_order(app: &TestApp) {
    app.sign_up_owner().await;
    let receiver = Receiver::start(Duration::ZERO).await;
    // Through the dashboard's server function: the form as a browser sends it.
    let (status, body) = app
        .call(
            "create_webhook",
            &[
                ("form[name]", "Optix"),
                ("form[url]", &receiver.url("a")),
                ("form[secret]", SECRET),
                ("form[types][lock.unlock]", "on"),
            ],
        )
        .await;
    assert!(status == 200 || status == 302 || status == 303, "{status} {body}");
    register(&app.db, "OfficeRnD", &receiver.url("b")).await;
    // A webhook that follows other types gets no unlock.
    let form = WebhookForm {
        name: "Alarms".into(),
        url: receiver.url("c"),
        secret: SECRET.into(),
        types: [("lock.held_open".to_owned(), "on".to_owned())].into_iter().collect(),
    };
    webhooks::create(&app.db, &owner(), WebhookSettings { allow_private: true }, form.validate().unwrap()).await.unwrap();

    let ids = unlock_events(&app.db, 30, "in order").await;
    let expected = uuids_of(&app.db, &ids).await;
    eventually("both endpoints receive all 30 events", || async { receiver.uuids("a").len() >= 30 && receiver.uuids("b").len() >= 30 }).await;
    for name in ["a", "b"] {
        assert_eq!(receiver.uuids(name), expected, "endpoint {name}: every event once, in order");
    }
    assert!(receiver.uuids("c").is_empty(), "an endpoint not following unlocks gets none");
    let all = receiver.all();
    assert!(all.iter().all(|(_, r)| r.signature_ok), "every X-Signature is the body's HMAC-SHA256 under the secret");
    let first = &all.iter().find(|(n, _)| n == "a").unwrap().1.body;
    assert_eq!(first["type"], "lock.unlock");
    assert_eq!(first["actor_type"], "User");
    assert_eq!(first["actor_id"], 7);
    assert_eq!(first["object_type"], "Lock");
    assert_eq!(first["object_name"], "Door 0");
    assert_eq!(first["success"], false, "the first event is a denial");
    assert_eq!(first["error_code"], "outside_schedule");
    assert!(first["created_at"].as_str().unwrap().ends_with('Z'), "{first}");
    for key in ["uuid", "type", "actor_type", "actor_id", "actor_name", "object_type", "object_id", "object_name", "success", "error_code", "error_message", "place_id", "created_at"] {
        assert!(first.get(key).is_some(), "Kisi's field {key} is in {first}");
    }
    let second = &all.iter().filter(|(n, _)| n == "a").nth(1).unwrap().1.body;
    assert_eq!((second["success"].clone(), second["error_code"].clone()), (Value::Bool(true), Value::Null));

    // The delivery log on the dashboard: every attempt answered 200.
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM webhooks WHERE name = 'Optix'").fetch_one(app.db.pool()).await.unwrap();
    eventually("the log records all 30 attempts", || async {
        count(&app.db, &format!("SELECT COUNT(*) FROM webhook_attempts WHERE webhook_id = {id} AND status_code = 200")).await == 30
    })
    .await;
    let page = app.get(&format!("/webhooks/{id}")).await.text().await.unwrap();
    assert!(page.contains("webhook-attempts") && page.matches("<td>200</td>").count() == 30, "the page lists 30 attempts with 200");
    let list = app.get("/webhooks").await.text().await.unwrap();
    assert!(list.contains("Optix") && list.contains(&receiver.url("a")) && !list.contains(SECRET), "listed, secret not shown");
}
on_both_databases!(delivers_signed_events_in_order, allow_private);

// ---- a real unlock, through the server's own event writer ----------------------------

async fn a_real_unlock_is_delivered(app: &TestApp) {
    use postern::model::{DoorForm, PlaceForm};
    app.sign_up_owner().await;
    let place = PlaceForm { name: "HQ".into(), latitude: "40.7".into(), longitude: "-74.0".into(), time_zone: "America/New_York".into(), ..Default::default() };
    let place_id = postern::services::places::insert(&app.db, &place.validate().unwrap()).await.unwrap();
    let door = DoorForm { name: "Front".into(), place_id: place_id.to_string(), ..Default::default() };
    let door_id = postern::services::doors::insert(&app.db, &door.validate().unwrap()).await.unwrap();
    let receiver = Receiver::start(Duration::ZERO).await;
    // The form as a browser without JavaScript posts it: answered with a
    // redirect back to the list.
    let response = app
        .client
        .post(format!("{}/rpc/create_webhook", app.address))
        .header("accept", "text/html")
        .form(&[("form[name]", "Live"), ("form[url]", receiver.url("live").as_str()), ("form[secret]", SECRET), ("form[types][lock.unlock]", "on")])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "no-JS form post: {}", response.status());
    assert_eq!(response.headers().get("location").and_then(|l| l.to_str().ok()), Some("/webhooks"));

    // The door has no controller: the unlock is refused, and recorded.
    let (status, body) = app.call("unlock_door", &[("door_id", &door_id.to_string())]).await;
    assert!(status < 500 || status == 503, "{status} {body}");
    eventually("the unlock's event arrives", || async { receiver.uuids("live").len() == 1 }).await;
    let (_, got) = receiver.all().remove(0);
    assert!(got.signature_ok);
    assert_eq!(got.body["type"], "lock.unlock");
    assert_eq!(got.body["object_id"], door_id);
    assert_eq!(got.body["object_name"], "Front");
    assert_eq!(got.body["place_id"], place_id);
    assert_eq!(got.body["actor_type"], "User");
    assert_eq!(got.body["actor_name"], "Olive Owner <owner@example.com>");
    let (event_id,): (i64,) = sqlx::query_as("SELECT id FROM events WHERE action = 'unlock'").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(got.body["uuid"].as_str().unwrap(), uuid_of(&app.db, event_id).await, "the uuid of the logged event");
}
on_both_databases!(a_real_unlock_is_delivered, allow_private);

// ---- the receiver down, then up --------------------------------------------------

async fn an_outage_loses_nothing(app: &TestApp) {
    // A port with nobody listening: connections are refused.
    let address = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let url = format!("http://{address}/hook/down");
    let id = register(&app.db, "Down", &url).await;
    let ids = unlock_events(&app.db, 20, "outage").await;
    let expected = uuids_of(&app.db, &ids).await;
    eventually("two failed attempts are logged", || async {
        count(&app.db, &format!("SELECT COUNT(*) FROM webhook_attempts WHERE webhook_id = {id} AND status_code IS NULL")).await >= 2
    })
    .await;
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'delivered'").await, 0);
    let (error,): (String,) = sqlx::query_as("SELECT error FROM webhook_attempts WHERE webhook_id = $1 ORDER BY id LIMIT 1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert!(!error.is_empty(), "the failed attempt says why");
    // Only the first delivery was tried: the others wait behind it (order).
    assert_eq!(
        count(&app.db, &format!("SELECT COUNT(DISTINCT delivery_id) FROM webhook_attempts WHERE webhook_id = {id}")).await,
        1,
        "the head of the queue blocks the rest"
    );

    let receiver = Receiver::start_on(address, Duration::ZERO, Arc::default()).await;
    within(Duration::from_secs(30), "all 20 events after the receiver is back", || async { receiver.uuids("down").len() >= 20 }).await;
    assert_eq!(receiver.uuids("down"), expected, "every event once, in order, after the outage");
    eventually("every delivery is recorded delivered", || async {
        count(&app.db, "SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'delivered'").await == 20
    })
    .await;
    let (status, _) = app.call("webhook_log", &[("id", &id.to_string())]).await;
    assert_eq!(status, 401, "the log is for signed-in admins");
}
on_both_databases!(an_outage_loses_nothing, allow_private);

// ---- private addresses -------------------------------------------------------------

async fn private_addresses_are_refused(app: &TestApp) {
    app.sign_up_owner().await;
    for url in ["http://127.0.0.1:9/hook", "http://10.0.0.5/hook", "http://169.254.169.254/latest", "http://localhost:9/hook", "http://[::1]:9/hook"] {
        let (status, body) =
            app.call("create_webhook", &[("form[name]", "Probe"), ("form[url]", url), ("form[secret]", SECRET), ("form[types][lock.unlock]", "on")]).await;
        assert_eq!(status, 422, "{url}: {body}");
        let message = field_message(&body, "url").unwrap_or_default();
        assert!(message.contains("private"), "{url}: {message}");
    }
    let (status, body) =
        app.call("create_webhook", &[("form[name]", "Probe"), ("form[url]", "gopher://example.com/"), ("form[secret]", SECRET), ("form[types][lock.unlock]", "on")]).await;
    assert_eq!(status, 422, "{body}");
    assert!(field_message(&body, "url").is_some());
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM webhooks").await, 0);

    // When sending too: an endpoint that reaches a private address anyway
    // (written in the database, as a name whose address changed would be)
    // is not contacted.
    let receiver = Receiver::start(Duration::ZERO).await;
    sqlx::query("INSERT INTO webhooks (name, url, secret, event_types, enabled, created_at) VALUES ('Sneaky', $1, $2, ' lock.unlock ', 1, 0)")
        .bind(receiver.url("sneaky"))
        .bind(SECRET)
        .execute(app.db.pool())
        .await
        .unwrap();
    unlock_events(&app.db, 1, "private").await;
    eventually("the refused attempt is logged", || async {
        count(&app.db, "SELECT COUNT(*) FROM webhook_attempts WHERE error LIKE '%private%'").await >= 1
    })
    .await;
    assert!(receiver.all().is_empty(), "the private address was never contacted");
}
on_both_databases!(private_addresses_are_refused);

// ---- roles ----------------------------------------------------------------------------

async fn only_admins_register_webhooks(app: &TestApp) {
    app.sign_up_owner().await;
    let form = [("form[name]", "Mine"), ("form[url]", "http://127.0.0.1:9/hook"), ("form[secret]", SECRET), ("form[types][lock.unlock]", "on")];
    for (email, role) in [("manager@example.com", Role::Manager), ("member@example.com", Role::Member)] {
        let id = app.insert_person(email, role).await;
        postern::services::users::set_password(&app.db, id, &postern::types::Password::parse("a long enough password").unwrap()).await.unwrap();
        let browser = app.new_browser();
        let (status, _) = common::call_with(&browser, &app.address, "login", &[("email", email), ("password", "a long enough password")]).await;
        assert!(status < 400, "{email} signs in");
        for endpoint in ["create_webhook", "list_webhooks"] {
            let (status, body) = common::call_with(&browser, &app.address, endpoint, &form).await;
            assert_eq!(status, 403, "{role:?} {endpoint}: {body}");
        }
    }
    let (status, _) = common::call_with(&app.new_browser(), &app.address, "create_webhook", &form).await;
    assert_eq!(status, 401, "signed out");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM webhooks").await, 0);
    let (status, body) = app.call("create_webhook", &form).await;
    assert!(status == 200 || status == 302 || status == 303, "the owner may: {status} {body}");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM webhooks").await, 1);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM events WHERE action = 'webhook.created'").await, 1, "audited");
}
on_both_databases!(only_admins_register_webhooks, allow_private);

// ---- two replicas ------------------------------------------------------------------------

/// Three servers on one PostgreSQL database. Endpoints leased to replica B
/// or C are delivered by that replica alone (the others see a valid lease
/// and keep off); free endpoints are taken by whichever replica claims
/// first. Every delivery is attempted once, every event arrives once, in
/// order, at each endpoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_deliver_each_event_once() {
    let app = TestApp::spawn_with(Backend::Postgres, allow_private).await;
    let config = postern_server::config::Config { database_url: app.database_url(), webhook_allow_private: true, ..common::test_config() };
    let mut replicas = Vec::new();
    for _ in 0..2 {
        let replica = postern_server::startup::Application::build(&config).await.expect("another replica starts");
        replicas.push(replica.webhooks.replica().to_owned());
        tokio::spawn(replica.run_until_stopped());
    }
    let receiver = Receiver::start(Duration::from_millis(2)).await;
    let names = ["b1", "b2", "c1", "c2", "free1", "free2", "free3", "free4"];
    for name in names {
        let id = register(&app.db, name, &receiver.url(name)).await;
        let holder = match name.chars().next() {
            Some('b') => Some(&replicas[0]),
            Some('c') => Some(&replicas[1]),
            _ => None,
        };
        if let Some(holder) = holder {
            sqlx::query("UPDATE webhooks SET lease_holder = $1, lease_until = $2 WHERE id = $3")
                .bind(holder)
                .bind(now_ms() + 60_000)
                .bind(id)
                .execute(app.db.pool())
                .await
                .unwrap();
        }
    }
    // All 60 events in one commit, so no replica sees part of them.
    let events: Vec<NewEvent> = (0..60)
        .map(|i| NewEvent { at: now_ms(), actor_kind: "user".into(), actor_name: "Mia".into(), action: "unlock".into(), subject: format!("Door {i}"), result: "granted".into(), ..Default::default() })
        .collect();
    let written = postern::services::event_writer::write(&app.db, &events.iter().collect::<Vec<_>>()).await.unwrap();
    let ids: Vec<i64> = written.iter().map(|w| w.id).collect();
    let expected = uuids_of(&app.db, &ids).await;
    within(Duration::from_secs(30), "every endpoint receives all 60", || async {
        names.iter().all(|n| receiver.uuids(n).len() >= 60)
    })
    .await;
    for name in names {
        assert_eq!(receiver.uuids(name), expected, "{name}: each event once, in order");
    }
    let twice = count(
        &app.db,
        "SELECT COUNT(*) FROM (SELECT delivery_id FROM webhook_attempts GROUP BY delivery_id HAVING COUNT(*) > 1) t",
    )
    .await;
    assert_eq!(twice, 0, "no delivery was attempted twice (by two replicas or one)");
    let made_by = |prefix: &'static str| {
        let db = app.db.clone();
        async move {
            let rows: Vec<(String,)> = sqlx::query_as(
                "SELECT DISTINCT a.replica FROM webhook_attempts a JOIN webhooks w ON w.id = a.webhook_id WHERE w.name LIKE $1",
            )
            .bind(format!("{prefix}%"))
            .fetch_all(db.pool())
            .await
            .unwrap();
            rows.into_iter().map(|(r,)| r).collect::<Vec<_>>()
        }
    };
    assert_eq!(made_by("b").await, vec![replicas[0].clone()], "B's endpoints by B alone");
    assert_eq!(made_by("c").await, vec![replicas[1].clone()], "C's endpoints by C alone");
    eprintln!("free endpoints delivered by {:?}", made_by("free").await);
    app.cleanup().await;
}

// ---- SIGKILL mid-delivery ------------------------------------------------------------------

const KILLED_EVENTS: usize = 150;

/// The real binary delivers to a slow receiver and is SIGKILLed half-way;
/// started again, it delivers the rest. Every event arrives; first arrivals
/// are in order; repeats (at-least-once) are at most what one flush holds.
async fn sigkill_mid_delivery(url: &str) {
    let db = Db::connect(url).await.unwrap();
    db.migrate().await.unwrap();
    let receiver = Receiver::start(Duration::from_millis(10)).await;
    register(&db, "Killed", &receiver.url("killed")).await;
    let mut servers = servers::Servers::default();
    servers.start_with_env(url, &[("POSTERN_WEBHOOK_ALLOW_PRIVATE", "true")]).await;
    let ids = unlock_events(&db, KILLED_EVENTS, "killed").await;
    let expected = uuids_of(&db, &ids).await;
    within(Duration::from_secs(30), "a third of the events delivered", || async {
        receiver.uuids("killed").len() >= KILLED_EVENTS / 3
    })
    .await;
    servers.kill_all();
    let before = receiver.uuids("killed").len();
    assert!(before < KILLED_EVENTS, "the kill came mid-delivery ({before} delivered)");
    servers.start_with_env(url, &[("POSTERN_WEBHOOK_ALLOW_PRIVATE", "true")]).await;
    // On PostgreSQL the dead replica's lease (30 s) must run out first.
    within(Duration::from_secs(90), "every event after the restart", || async {
        receiver.uuids("killed").iter().collect::<HashSet<_>>().len() >= KILLED_EVENTS
    })
    .await;
    eventually("the queue is empty", || async {
        count(&db, "SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'").await == 0
    })
    .await;
    servers.kill_all();
    let arrivals = receiver.uuids("killed");
    let (firsts, repeats) = firsts_and_repeats(&arrivals);
    eprintln!("{before} delivered before the kill; {repeats} repeat(s) after the restart (at-least-once)");
    assert_eq!(firsts, expected, "every event arrived, first arrivals in order");
    assert!(repeats <= webhooks::worker::FLUSH_AT, "repeats are bounded by one flush of results: {repeats}");
    let mut by_uuid: HashMap<&str, usize> = HashMap::new();
    for uuid in &arrivals {
        *by_uuid.entry(uuid).or_default() += 1;
    }
    assert!(by_uuid.values().all(|n| *n <= 2), "no event arrived more than twice");
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_delivery_sqlite() {
    let path = std::env::temp_dir().join(format!("postern-webhooks-{}-{:08x}.db", std::process::id(), rand::random::<u32>()));
    sigkill_mid_delivery(&format!("sqlite://{}", path.display())).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_delivery_postgres() {
    let name = format!("postern_webhooks_{:016x}", rand::random::<u64>());
    let admin = common::postgres_admin_url();
    sqlx::any::install_default_drivers();
    let run = |sql: String| {
        let admin = admin.clone();
        async move {
            use sqlx::{Connection, Executor};
            let mut conn = sqlx::AnyConnection::connect(&format!("{admin}/postgres")).await.unwrap();
            conn.execute(sql.as_str()).await.unwrap();
        }
    };
    run(format!("CREATE DATABASE {name}")).await;
    sigkill_mid_delivery(&format!("{admin}/{name}")).await;
    run(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
}
