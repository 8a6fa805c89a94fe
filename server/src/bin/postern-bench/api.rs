//! (f) The JSON API over real HTTP: `POST /api/locks/{id}/unlock` with an
//! API key on a SQLite file (every event durably committed before the
//! answer), next to a plain handler answering 200 and a handler doing one
//! durable insert per request, served by this same process in the same run;
//! then `GET /api/locks` (50 doors) next to the plain handler; then unlocks
//! paced at 1000/s for the p99 at that rate.

use axum::routing::{get, post};
use axum::Router;
use postern::model::{ControllerForm, DoorForm};
use postern::services::{api_keys, controllers, doors, now_ms, Db};
use postern::types::Name;
use postern_server::startup::Application;
use std::future::Future;
use super::load::Figures;
use std::sync::Arc;
use std::time::{Duration, Instant};

const REQUESTS: usize = 5_000;
const ROUNDS: usize = 3;
const WARM_UP: usize = 100;
const CONCURRENCY: usize = 32;
const DOORS: usize = 52;
const PACED_RATE: u64 = 1_000;
const PACED_SECONDS: u64 = 3;

pub async fn bench() {
    // The API's own rate limits are off in `server_config`.
    let dir = std::env::temp_dir();
    let pid = std::process::id();
    let app_path = dir.join(format!("postern-bench-{pid}-api.db"));
    let insert_path = dir.join(format!("postern-bench-{pid}-api-insert.db"));
    let config = super::server_config(format!("sqlite://{}", app_path.display()));
    let app = Application::build(&config).await.expect("the server starts");
    let api = format!("http://127.0.0.1:{}/api", app.port);
    let db = app.db.clone();
    tokio::spawn(app.run_until_stopped());
    let (key, door_ids) = site(&db).await;

    let client = reqwest::Client::builder().pool_max_idle_per_host(CONCURRENCY).build().expect("a client");
    let auth = format!("KISI-LOGIN {key}");
    let one_list = client.get(format!("{api}/locks?limit=50")).header("authorization", &auth).send().await.expect("list");
    let list_body = one_list.bytes().await.expect("the list's body");

    // The reference handlers, in this process, on their own port: plain
    // (answers "ok"), one durable insert, and the lock list's own bytes
    // answered from memory (what HTTP alone costs for a body that size).
    let insert_db = Db::connect(&format!("sqlite://{}", insert_path.display())).await.expect("database");
    insert_db.migrate().await.expect("migrations");
    let same_size = list_body.clone();
    let reference = Router::new()
        .route("/plain", post(|| async { "ok" }).get(|| async { "ok" }))
        .route("/insert", post(insert_handler))
        .route("/same-size", get(move || std::future::ready(same_size.clone())))
        .with_state(insert_db.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let reference_url = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move { axum::serve(listener, reference).await });
    let unlock = {
        let (client, api, auth, door_ids) = (client.clone(), api.clone(), auth.clone(), Arc::new(door_ids));
        move |i: usize| {
            let request = client
                .post(format!("{api}/locks/{}/unlock", door_ids[i % DOORS]))
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
    let post_to = |path: &'static str| {
        let (client, base) = (client.clone(), reference_url.clone());
        move |_: usize| {
            let request = client.post(format!("{base}{path}"));
            async move {
                received(request.send().await.expect(path)).await;
            }
        }
    };
    let list = {
        let (client, api, auth) = (client.clone(), api.clone(), auth.clone());
        move |_: usize| {
            let request = client.get(format!("{api}/locks?limit=50")).header("authorization", &auth);
            async move {
                let response = request.send().await.expect("list");
                let range = response.headers().get("x-collection-range").cloned();
                received(response).await;
                assert_eq!(range.as_ref().and_then(|r| r.to_str().ok()), Some(format!("0-49/{DOORS}").as_str()), "50 locks");
            }
        }
    };
    let get_from = |path: &'static str| {
        let (client, base) = (client.clone(), reference_url.clone());
        move |_: usize| {
            let request = client.get(format!("{base}{path}"));
            async move {
                received(request.send().await.expect(path)).await;
            }
        }
    };

    // Interleaved rounds, so a slow moment of the machine falls on every
    // kind of request alike; each figure printed is the median of its rounds.
    let mut rounds: Vec<[Figures; 6]> = Vec::new();
    for _ in 0..ROUNDS {
        rounds.push([
            run(unlock.clone()).await,
            run(post_to("/insert")).await,
            run(post_to("/plain")).await,
            run(list.clone()).await,
            run(get_from("/plain")).await,
            run(get_from("/same-size")).await,
        ]);
    }
    let median = |k: usize| {
        let mut figures: Vec<Figures> = rounds.iter().map(|r| r[k]).collect();
        figures.sort_by(|a, b| a.per_s.total_cmp(&b.per_s));
        figures[ROUNDS / 2]
    };
    let [unlocks, inserts, plain, lists, plain_gets, same_size_gets] = [0, 1, 2, 3, 4, 5].map(median);
    let per_round = |a: usize, b: usize, scale: f64, digits: usize| -> String {
        rounds.iter().map(|r| format!("{:.*}", digits, r[a].per_s / r[b].per_s * scale)).collect::<Vec<_>>().join(", ")
    };
    let paced = paced(unlock).await;

    println!("(f) JSON API over HTTP (API key, SQLite file, simulated relays), {REQUESTS} requests, {CONCURRENCY} concurrent (median of {ROUNDS} rounds):");
    println!("    POST /api/locks/{{id}}/unlock: {}", unlocks.line("unlocks/s"));
    println!("    reference, one durable INSERT per request: {}", inserts.line("requests/s"));
    println!("    reference, plain handler answering 200: {}", plain.line("requests/s"));
    let ratio = unlocks.per_s / inserts.per_s;
    println!("    unlocks / one-insert handler = {ratio:.2}x (rounds: {}); goal at least 3x: {}", per_round(0, 1, 1.0, 2), met(ratio >= 3.0));
    println!("    GET /api/locks (50 doors): {}", lists.line("lists/s"));
    println!("    reference, plain GET: {}", plain_gets.line("requests/s"));
    let share = lists.per_s / plain_gets.per_s * 100.0;
    println!("    lock list / plain handler = {share:.0}% (rounds: {}); goal at least 30%: {}", per_round(3, 4, 100.0, 0), met(share >= 30.0));
    println!("    diagnostic: the list's {} bytes answered from memory: {}", list_body.len(), same_size_gets.line("requests/s"));
    let ceiling = same_size_gets.per_s / plain_gets.per_s * 100.0;
    println!("    diagnostic: those bytes / plain handler = {ceiling:.0}% (the most a list of that size can reach here)");
    println!(
        "    unlocks paced at {PACED_RATE}/s for {PACED_SECONDS} s: {:.0} answered/s, p50 {:.2} ms, p99 {:.2} ms; goal p99 < 20 ms: {}",
        paced.per_s,
        paced.p50_ms,
        paced.p99_ms,
        met(paced.p99_ms < 20.0)
    );
    db.close().await;
    insert_db.close().await;
    for path in [&app_path, &insert_path] {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}

/// Checks the status and reads the whole body, as a client does: every
/// handler's answer is received, and the connection goes back to the pool
/// (an answer dropped unread would close it).
async fn received(response: reqwest::Response) {
    let status = response.status();
    let body = response.bytes().await.expect("the answer's body");
    assert!(status.is_success(), "{status}: {}", String::from_utf8_lossy(&body));
}

fn met(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "NOT met"
    }
}

/// One autocommit INSERT INTO events per request (one fsync each).
async fn insert_handler(axum::extract::State(db): axum::extract::State<Db>) -> &'static str {
    let done = sqlx::query(
        "INSERT INTO events (at, actor_kind, actor_name, action, subject, result, reasons, details)
         VALUES ($1, 'api_key', 'Bench', 'unlock', 'Door', 'granted', '[]', '')",
    )
    .bind(now_ms())
    .execute(db.pool())
    .await;
    if done.is_ok() {
        "ok"
    } else {
        "failed"
    }
}

/// An owner with an API key, a place, 13 simulated controllers with 4 wired doors each.
pub(super) async fn site(db: &Db) -> (String, Vec<i64>) {
    let (actor, place_id) = super::owner_and_place(db).await;
    let mut door_ids = Vec::new();
    for c in 0..DOORS / 4 {
        let controller = ControllerForm { name: format!("Controller {c:02}"), place_id: place_id.to_string(), ..Default::default() };
        let controller_id = controllers::insert(db, &controller.validate().expect("controller")).await.expect("controller");
        for relay in 1..=4 {
            let door = DoorForm {
                name: format!("Door {c:02}-{relay}"),
                place_id: place_id.to_string(),
                controller_id: controller_id.to_string(),
                relay: relay.to_string(),
                ..Default::default()
            };
            door_ids.push(doors::insert(db, &door.validate().expect("door")).await.expect("door"));
        }
    }
    let key = api_keys::issue(db, actor.id, &Name::parse("bench").expect("name")).await.expect("key");
    (key.secret, door_ids)
}

/// `call(i)` REQUESTS times from CONCURRENCY tasks, after a warm-up.
pub(super) async fn run<F, Fut>(call: F) -> Figures
where
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    super::load::run(call, WARM_UP, REQUESTS, CONCURRENCY).await
}

/// Requests started at a fixed rate whatever the answers do (open loop),
/// so the latency is what a client sees at that rate, counted from each
/// request's due time.
async fn paced<F, Fut>(call: F) -> Figures
where
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let total = (PACED_RATE * PACED_SECONDS) as usize;
    let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / PACED_RATE));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(total);
    for i in 0..total {
        // Timed from when the request was due, not from when its task ran:
        // a server that holds up the load generator is not excused.
        let due = ticker.tick().await;
        let call = call.clone();
        tasks.push(tokio::spawn(async move {
            call(i).await;
            due.elapsed()
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    for task in tasks {
        latencies.push(task.await.expect("a paced request panicked"));
    }
    Figures::from(latencies, started.elapsed())
}
