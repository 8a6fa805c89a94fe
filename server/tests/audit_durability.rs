//! Durable before answered, whole or not at all, with the real `postern`
//! binary killed mid-way:
//! - a granted unlock is in the event log before the caller hears "granted"
//!   (SIGKILL in the middle of a burst of unlocks);
//! - an admin's change and its audit line commit together or not at all
//!   (the process aborted between writing both and committing them; SIGKILL
//!   in the middle of a burst of changes).

#[path = "support/servers.rs"]
mod servers;

use postern::model::{ControllerForm, DoorForm, PlaceForm};
use postern::services::{controllers, doors, places, Db};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use servers::Servers;
use std::sync::Arc;
use std::time::{Duration, Instant};

const UNLOCKS: usize = 200;
const RAMP: Duration = Duration::from_millis(200);
const EMAIL: &str = "owner@example.com";
const PASSWORD: &str = "correct horse battery";

/// The temp database and the running server; both go away on drop, even after a failed assertion.
struct Fixture {
    path: PathBuf,
    servers: Servers,
}

impl Fixture {
    fn url(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }

    /// Starts `postern serve` on a free port and waits for /healthz; returns its address.
    async fn start_server(&mut self) -> String {
        let url = self.url();
        self.servers.start(&url).await
    }

    /// SIGKILL: no graceful shutdown, no chance to flush anything.
    fn kill_server(&mut self) {
        self.servers.kill_all();
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.kill_server();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

/// The owner through the CLI (password on stdin), as an operator would.
fn create_owner(url: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_postern"))
        .args(["--database-url", url, "create-owner", "--email", EMAIL, "--name", "Olive Owner"])
        .env("POSTERN_LOG", "error")
        .env_remove("POSTERN_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "create-owner failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// A place and a door wired to relay 1 of a simulated (so online) controller.
async fn wired_door(url: &str) -> i64 {
    let db = Db::connect(url).await.unwrap();
    let place = PlaceForm {
        name: "HQ".into(),
        latitude: "40.7".into(),
        longitude: "-74.0".into(),
        time_zone: "America/New_York".into(),
        ..Default::default()
    };
    let place_id = places::insert(&db, &place.validate().unwrap()).await.unwrap();
    let controller = ControllerForm { name: "C1".into(), place_id: place_id.to_string(), ..Default::default() };
    let controller_id = controllers::insert(&db, &controller.validate().unwrap()).await.unwrap();
    let door = DoorForm {
        name: "Front".into(),
        place_id: place_id.to_string(),
        controller_id: controller_id.to_string(),
        relay: "1".into(),
        ..Default::default()
    };
    let door_id = doors::insert(&db, &door.validate().unwrap()).await.unwrap();
    db.close().await;
    door_id
}

/// Fires the unlocks at once; kills the server once half have been answered.
/// Returns (answered, granted).
async fn unlock_burst_then_kill(fixture: &mut Fixture, address: &str, door_id: i64) -> (usize, usize) {
    let client = signed_in(address).await;

    let answered = Arc::new(AtomicUsize::new(0));
    let granted = Arc::new(AtomicUsize::new(0));
    let door = door_id.to_string();
    let tasks: Vec<_> = (0..UNLOCKS)
        .map(|i| {
            let (client, address, door) = (client.clone(), address.to_owned(), door.clone());
            let (answered, granted) = (answered.clone(), granted.clone());
            tokio::spawn(async move {
                // Starts spread over RAMP, so that the kill finds unlocks at every stage.
                tokio::time::sleep(RAMP * i as u32 / UNLOCKS as u32).await;
                // After the kill, requests fail to connect or lose their connection: not answered.
                let Ok(response) = client.post(format!("{address}/rpc/unlock_door")).form(&[("door_id", &door)]).send().await
                else {
                    return;
                };
                let status = response.status().as_u16();
                let Ok(body) = response.text().await else { return };
                let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                if status == 200 && json["granted"] == true {
                    granted.fetch_add(1, Ordering::SeqCst);
                }
                answered.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();

    let deadline = Instant::now() + Duration::from_secs(60);
    while answered.load(Ordering::SeqCst) < UNLOCKS / 2 {
        assert!(Instant::now() < deadline, "only {} unlocks answered in 60 s", answered.load(Ordering::SeqCst));
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    fixture.kill_server();
    for task in tasks {
        task.await.unwrap();
    }
    // Every response read, even after this point, was written by the server before it died.
    (answered.load(Ordering::SeqCst), granted.load(Ordering::SeqCst))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answered_grant_survives_a_sigkill() {
    let name = format!("postern-audit-{}-{:08x}.db", std::process::id(), rand::random::<u32>());
    let mut fixture = Fixture { path: std::env::temp_dir().join(name), servers: Servers::default() };
    let url = fixture.url();
    create_owner(&url);
    let door_id = wired_door(&url).await;

    let address = fixture.start_server().await;
    let (answered, granted) = unlock_burst_then_kill(&mut fixture, &address, door_id).await;
    eprintln!("{answered} of {UNLOCKS} unlocks answered before the kill, {granted} granted");
    assert!(granted > 0, "no unlock was granted before the kill: the test proves nothing");
    assert!(answered < UNLOCKS, "the kill came after every unlock was answered: it was not mid-load");

    // The server starts again on the same file (crash recovery), and the log holds every answered grant.
    fixture.start_server().await;
    fixture.kill_server();
    let db = Db::connect(&url).await.unwrap();
    let (logged,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM events WHERE action = 'unlock' AND result = 'granted'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    db.close().await;
    eprintln!("{logged} granted unlocks in the event log after the restart");
    assert!(logged as usize >= granted, "{granted} grants were answered but only {logged} are in the event log");
}

/// A browser-like client signed in as the owner.
async fn signed_in(address: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("origin", address.parse().unwrap());
    headers.insert("accept", "application/json".parse().unwrap());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let login = client.post(format!("{address}/rpc/login")).form(&[("email", EMAIL), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(login.status(), 200, "sign-in failed: {}", login.text().await.unwrap_or_default());
    client
}

/// Creates a place named `name` through the dashboard's server function;
/// true when the server answered that it was saved.
async fn create_place(client: &reqwest::Client, address: &str, name: &str) -> Option<bool> {
    let form = [
        ("form[name]", name),
        ("form[latitude]", "52.5"),
        ("form[longitude]", "13.4"),
        ("form[time_zone]", "Europe/Berlin"),
    ];
    let response = client.post(format!("{address}/rpc/save_place")).form(&form).send().await.ok()?;
    let status = response.status().as_u16();
    response.text().await.ok()?;
    Some(status == 200)
}

/// (places named `name`, audit lines "place.created" on `name`).
async fn place_and_audit(url: &str, name: &str) -> (i64, i64) {
    let db = Db::connect(url).await.unwrap();
    let (places,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM places WHERE name = $1").bind(name).fetch_one(db.pool()).await.unwrap();
    let (lines,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE action = 'place.created' AND subject = $1")
        .bind(name)
        .fetch_one(db.pool())
        .await
        .unwrap();
    db.close().await;
    (places, lines)
}

/// The process dies after the change and its audit line are written and
/// before they commit: after a restart, neither is there. Without the
/// crash, both are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_and_its_audit_line_commit_together_or_not_at_all() {
    let name = format!("postern-atomic-{}-{:08x}.db", std::process::id(), rand::random::<u32>());
    let mut fixture = Fixture { path: std::env::temp_dir().join(name), servers: Servers::default() };
    let url = fixture.url();
    create_owner(&url);
    let address = fixture.servers.start_with_env(&url, &[("POSTERN_CRASH_BEFORE_COMMIT", "place.created")]).await;
    let client = signed_in(&address).await;
    assert_eq!(create_place(&client, &address, "Crashed Annex").await, None, "the server died before answering");
    let status = fixture.servers.0[0].wait().unwrap();
    assert!(!status.success(), "the server aborted: {status}");
    fixture.kill_server();
    assert_eq!(place_and_audit(&url, "Crashed Annex").await, (0, 0), "neither the change nor its line");

    let address = fixture.start_server().await;
    let client = signed_in(&address).await;
    assert_eq!(create_place(&client, &address, "Annex").await, Some(true));
    fixture.kill_server();
    assert_eq!(place_and_audit(&url, "Annex").await, (1, 1), "both");
}

/// SIGKILL in the middle of a burst of admin changes: every change the
/// server acknowledged is there with its audit line, and no change is
/// there without one (nor a line without its change).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_changes_survive_a_sigkill_with_their_audit_lines() {
    let name = format!("postern-changes-{}-{:08x}.db", std::process::id(), rand::random::<u32>());
    let mut fixture = Fixture { path: std::env::temp_dir().join(name), servers: Servers::default() };
    let url = fixture.url();
    create_owner(&url);
    let address = fixture.start_server().await;
    let client = signed_in(&address).await;
    const CHANGES: usize = 120;
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::new()));
    let tasks: Vec<_> = (0..CHANGES)
        .map(|i| {
            let (client, address, acknowledged) = (client.clone(), address.clone(), acknowledged.clone());
            tokio::spawn(async move {
                tokio::time::sleep(RAMP * i as u32 / CHANGES as u32).await;
                let name = format!("Site {i:03}");
                if create_place(&client, &address, &name).await == Some(true) {
                    acknowledged.lock().unwrap().push(name);
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < CHANGES / 3 {
        assert!(Instant::now() < deadline, "too few changes answered in 60 s");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    fixture.kill_server();
    for task in tasks {
        task.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() < CHANGES, "the kill came after every change was answered: it was not mid-load");
    fixture.start_server().await;
    fixture.kill_server();
    for name in &acknowledged {
        assert_eq!(place_and_audit(&url, name).await, (1, 1), "{name} was acknowledged");
    }
    let db = Db::connect(&url).await.unwrap();
    let (unmatched,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM places p WHERE p.name LIKE 'Site %' AND NOT EXISTS
           (SELECT 1 FROM events e WHERE e.action = 'place.created' AND e.subject = p.name)",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    let (orphans,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM events e WHERE e.action = 'place.created' AND e.subject LIKE 'Site %' AND NOT EXISTS
           (SELECT 1 FROM places p WHERE p.name = e.subject)",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    db.close().await;
    eprintln!("{} of {CHANGES} changes acknowledged before the kill", acknowledged.len());
    assert_eq!((unmatched, orphans), (0, 0), "(changes without a line, lines without a change)");
}
