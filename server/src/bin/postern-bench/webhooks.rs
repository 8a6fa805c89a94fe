//! (w) Event webhooks: a real server (SQLite file) delivering to a receiver
//! on loopback.
//! - Events committed at 1,000/s for 10 s by an event writer that wakes the
//!   server's webhook worker (as the server's own writer does); for each
//!   event, the time from its commit (`record` returned) to the receiver
//!   reading its POST; delivered per second.
//! - `POST /api/locks/{id}/unlock` throughput with no endpoint and with 10
//!   endpoints following unlocks (interleaved rounds, median), and the
//!   ratio: the goal is that webhooks cost unlocks at most 10%.
//!
//! `postern-bench webhooks [seconds]` runs this section alone.

use super::load::Figures;
use axum::routing::post;
use postern::model::{SessionUser, WebhookForm};
use postern::services::event_writer::{EventWriter, NewEvent};
use postern::services::webhooks::{self, payload::event_uuid, WebhookSettings};
use postern::services::{now_ms, Db};
use postern::types::Role;
use postern_server::startup::Application;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const RATE: u64 = 1_000;
const SECONDS: u64 = 10;
const ENDPOINTS: usize = 10;
const ROUNDS: usize = 3;
const SECRET: &str = "bench webhook secret";

type Receipts = Arc<Mutex<HashMap<String, Instant>>>;

pub async fn bench() {
    let seconds = std::env::args()
        .nth(1)
        .filter(|a| a == "webhooks")
        .and(std::env::args().nth(2))
        .and_then(|s| s.parse().ok())
        .unwrap_or(SECONDS);
    let path = std::env::temp_dir().join(format!("postern-bench-{}-webhooks.db", std::process::id()));
    let config = super::server_config(format!("sqlite://{}", path.display()));
    let app = Application::build(&config).await.expect("the server starts");
    let api = format!("http://127.0.0.1:{}/api", app.port);
    let db = app.db.clone();
    let wake = app.webhooks.wake();
    tokio::spawn(app.run_until_stopped());
    let (key, door_ids) = super::api::site(&db).await;
    let (receipts, receiver) = receiver().await;

    // -- delivery at 1,000 events/s --
    let owner = SessionUser { id: 1, name: "Bench Owner".into(), email: "owner@bench.example.com".into(), role: Role::Owner };
    let delivery_hook = register(&db, &owner, "delivery", &format!("{receiver}/hook/delivery")).await;
    let namespace = namespace(&db).await;
    let writer = EventWriter::spawn_with_hooks(db.clone(), None, Some(wake));
    let total = (RATE * seconds) as usize;
    let committed: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / RATE));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(total);
    for i in 0..total {
        ticker.tick().await;
        let (writer, committed) = (writer.clone(), committed.clone());
        tasks.push(tokio::spawn(async move {
            let event = NewEvent {
                at: now_ms(),
                actor_kind: "api_key".into(),
                actor_name: "Bench".into(),
                action: "unlock".into(),
                subject: format!("Door {}", i % 52),
                result: "granted".into(),
                ..Default::default()
            };
            let id = writer.record(event).await.expect("the event is committed");
            committed.lock().expect("not poisoned").insert(event_uuid(&namespace, id), Instant::now());
        }));
    }
    for task in tasks {
        task.await.expect("an event task panicked");
    }
    let generated = started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(120);
    while receipts.lock().expect("not poisoned").len() < total && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (latencies, last) = {
        let committed = committed.lock().expect("not poisoned");
        let receipts = receipts.lock().expect("not poisoned");
        let latencies: Vec<Duration> =
            committed.iter().filter_map(|(uuid, at)| receipts.get(uuid).map(|got| got.saturating_duration_since(*at))).collect();
        (latencies, receipts.values().max().copied())
    };
    let delivered = latencies.len();
    let span = last.map_or(generated, |l| l.duration_since(started));
    let figures = (!latencies.is_empty()).then(|| Figures::from(latencies, span));
    webhooks::set_enabled(&db, &owner, delivery_hook, false).await.expect("switched off");

    // -- unlocks with and without 10 endpoints --
    let mut hooks = Vec::new();
    for n in 0..ENDPOINTS {
        hooks.push(register(&db, &owner, &format!("load {n}"), &format!("{receiver}/hook/load{n}")).await);
    }
    let client = reqwest::Client::builder().pool_max_idle_per_host(32).build().expect("a client");
    let auth = format!("KISI-LOGIN {key}");
    let unlock = {
        let (client, api, auth, door_ids) = (client.clone(), api.clone(), auth.clone(), Arc::new(door_ids));
        move |i: usize| {
            let request = client
                .post(format!("{api}/locks/{}/unlock", door_ids[i % door_ids.len()]))
                .header("authorization", &auth)
                .header("content-type", "application/json")
                .body("{}");
            async move {
                let response = request.send().await.expect("unlock");
                let status = response.status();
                let body = response.text().await.expect("the unlock's answer");
                assert_eq!(status, 200, "{body}");
            }
        }
    };
    let mut rounds: Vec<[Figures; 2]> = Vec::new();
    for _ in 0..ROUNDS {
        for id in &hooks {
            webhooks::set_enabled(&db, &owner, *id, false).await.expect("off");
        }
        let without = super::api::run(unlock.clone()).await;
        for id in &hooks {
            webhooks::set_enabled(&db, &owner, *id, true).await.expect("on");
        }
        let with = super::api::run(unlock.clone()).await;
        rounds.push([without, with]);
    }
    let median = |k: usize| {
        let mut figures: Vec<Figures> = rounds.iter().map(|r| r[k]).collect();
        figures.sort_by(|a, b| a.per_s.total_cmp(&b.per_s));
        figures[ROUNDS / 2]
    };
    let (without, with) = (median(0), median(1));
    let each: Vec<String> = rounds.iter().map(|r| format!("{:.2}", r[1].per_s / r[0].per_s)).collect();
    let ratio = with.per_s / without.per_s;

    println!("(w) event webhooks, SQLite file, receiver on loopback:");
    println!("    {total} events committed at {RATE}/s for {seconds} s (generated in {:.1} s):", generated.as_secs_f64());
    match figures {
        Some(f) => println!(
            "    delivered {delivered} of {total}, {:.0} delivered/s; commit to receipt p50 {:.2} ms, p99 {:.2} ms",
            f.per_s, f.p50_ms, f.p99_ms
        ),
        None => println!("    delivered 0 of {total}"),
    }
    println!("    POST /api/locks/{{id}}/unlock, no endpoint: {}", without.line("unlocks/s"));
    println!("    POST /api/locks/{{id}}/unlock, {ENDPOINTS} endpoints following unlocks: {}", with.line("unlocks/s"));
    let verdict = if ratio >= 0.9 { "met" } else { "NOT met" };
    println!("    with / without = {ratio:.2}x (rounds: {}); goal at least 0.90x (webhooks cost unlocks at most 10%): {verdict}", each.join(", "));
    db.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

async fn register(db: &Db, owner: &SessionUser, name: &str, url: &str) -> i64 {
    let form = WebhookForm {
        name: name.into(),
        url: url.into(),
        secret: SECRET.into(),
        types: [("lock.unlock".to_owned(), "on".to_owned())].into_iter().collect(),
    };
    webhooks::create(db, owner, WebhookSettings { allow_private: true }, form.validate().expect("a good form"))
        .await
        .expect("registered")
}

async fn namespace(db: &Db) -> webhooks::payload::Uuid {
    let (text,): (String,) =
        sqlx::query_as("SELECT namespace FROM webhook_namespace WHERE id = 1").fetch_one(db.pool()).await.expect("the namespace");
    webhooks::payload::Uuid::parse_str(&text).expect("a UUID")
}

/// A receiver on loopback keeping when each `uuid` first arrived; returns
/// its base URL. It stands for the integration's own machine, so it runs on
/// a thread of its own at a lower priority (as the webhook worker does) and
/// does not take the server's CPU.
async fn receiver() -> (Receipts, String) {
    let (ready, url) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        webhooks::worker::lower_priority();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        runtime.block_on(async move {
            let (receipts, url) = serve_receiver().await;
            let _ = ready.send((receipts, url));
            std::future::pending::<()>().await;
        });
    });
    url.await.expect("the receiver starts")
}

async fn serve_receiver() -> (Receipts, String) {
    let receipts: Receipts = Arc::default();
    let kept = receipts.clone();
    let router = axum::Router::new().route(
        "/hook/{name}",
        post(move |body: axum::body::Bytes| {
            let kept = kept.clone();
            async move {
                let at = Instant::now();
                if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&body) {
                    if let Some(uuid) = value["uuid"].as_str() {
                        kept.lock().expect("not poisoned").entry(uuid.to_owned()).or_insert(at);
                    }
                }
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move { axum::serve(listener, router).await });
    (receipts, url)
}
