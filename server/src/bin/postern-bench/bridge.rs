//! (h) From an unlock request to the relay command on the MQTT broker: a
//! server on a SQLite file with one Tasmota controller on the real broker
//! (127.0.0.1:1883), a device stand-in in this process that acknowledges
//! like the firmware, and 1000 unlocks through the JSON API, one at a time.
//! Each figure runs from the client sending the request to the device
//! receiving `cmnd/<topic>/POWER1` — an upper bound of "request arrived →
//! published", since it also holds the client's send and the broker's hop.
//!
//! (i) How many simulated controllers (4 doors each) one server holds with
//! live status, at one door-sensor change per door every 10 s: for growing
//! numbers of controllers, each in a process of its own (`postern-bench
//! fleet N`, so memory is not carried from one size to the next), the delay
//! from the change to its server-sent event at a signed-in browser's
//! `/live/doors` stream, with that process's CPU and memory. A fleet is
//! held when every change reached the browser and the p99 stayed under a
//! second (the live-status promise); the largest held fleet is printed.

use super::load::Figures;
use postern::model::{ControllerForm, DoorForm};
use postern::services::{api_keys, controllers, doors, Db};
use postern::types::Name;
use postern_server::startup::Application;
use rumqttc::{AsyncClient, Event, LastWill, MqttOptions, Packet, QoS};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const UNLOCKS: usize = 1_000;
const BROKER: (&str, u16) = ("127.0.0.1", 1883);
/// Controllers held in turn by (i), until one is not held; each has 4 doors.
const FLEETS: [usize; 6] = [25, 100, 250, 500, 1_000, 2_000];
/// A fleet is held when every change arrives and the p99 stays under this.
const HELD_P99_MS: f64 = 1_000.0;
/// Each door changes once per this period.
const CHANGE_EVERY: Duration = Duration::from_secs(10);
/// How long each fleet size is measured.
const MEASURE: Duration = Duration::from_secs(20);

pub async fn bench() {
    mqtt_latency().await;
    fleets().await;
}

fn temp_db(name: &str) -> (String, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!("postern-bench-{}-{name}.db", std::process::id()));
    (format!("sqlite://{}", path.display()), path)
}

async fn door(db: &Db, place_id: i64, controller_id: i64, name: String, relay: u8) -> i64 {
    let door = DoorForm { name, place_id: place_id.to_string(), controller_id: controller_id.to_string(), relay: relay.to_string(), ..Default::default() };
    doors::insert(db, &door.validate().expect("door")).await.expect("door")
}

// ------------------------------------------------------------ (h) MQTT

/// A Tasmota stand-in: online via its retained last will, acknowledges
/// `POWER<N>` commands, and reports when each `POWER1` command arrived.
async fn device(topic: &str) -> mpsc::UnboundedReceiver<Instant> {
    let mut options = MqttOptions::new(format!("bench-device-{}", std::process::id()), BROKER.0, BROKER.1);
    options.set_keep_alive(Duration::from_secs(5));
    options.set_last_will(LastWill::new(format!("tele/{topic}/LWT"), "Offline", QoS::AtLeastOnce, true));
    let (client, mut events) = AsyncClient::new(options, 256);
    client.subscribe(format!("cmnd/{topic}/#"), QoS::AtLeastOnce).await.expect("subscribe");
    client.publish(format!("tele/{topic}/LWT"), QoS::AtLeastOnce, true, "Online").await.expect("online");
    let (arrivals, receiver) = mpsc::unbounded_channel();
    let stat = format!("stat/{topic}/");
    let power = format!("cmnd/{topic}/POWER");
    tokio::spawn(async move {
        loop {
            match events.poll().await {
                Ok(Event::Incoming(Packet::Publish(message))) if message.topic.starts_with(&power) => {
                    let relay = &message.topic[power.len()..];
                    if relay == "1" {
                        let _ = arrivals.send(Instant::now());
                    }
                    let state = if message.payload.as_ref().eq_ignore_ascii_case(b"OFF") { "OFF" } else { "ON" };
                    let _ = client.try_publish(format!("{stat}POWER{relay}"), QoS::AtMostOnce, false, state);
                }
                Ok(_) => {}
                Err(error) => {
                    eprintln!("bench device: {error}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    });
    receiver
}

async fn mqtt_latency() {
    let (url, path) = temp_db("mqtt");
    let topic = format!("postern_bench_{}", std::process::id());
    let db = Db::connect(&url).await.expect("database");
    db.migrate().await.expect("migrations");
    let (owner, place_id) = super::owner_and_place(&db).await;
    let form = ControllerForm {
        name: "Tasmota board".into(),
        place_id: place_id.to_string(),
        bridge_kind: "mqtt".into(),
        bridge: postern::model::BridgeFields { mqtt_broker: format!("mqtt://{}:{}", BROKER.0, BROKER.1), mqtt_topic: topic.clone(), ..Default::default() },
        ..Default::default()
    };
    let controller_id = controllers::insert(&db, &form.validate().expect("controller")).await.expect("controller");
    let door_id = door(&db, place_id, controller_id, "Front".into(), 1).await;
    let key = api_keys::issue(&db, owner.id, &Name::parse("bench").expect("name")).await.expect("key").secret;
    db.close().await;

    let mut arrivals = device(&topic).await;
    let app = Application::build(&super::server_config(url)).await.expect("the server starts");
    let (app_db, port) = (app.db.clone(), app.port);
    tokio::spawn(app.run_until_stopped());
    // The board reads online once its retained LWT "Online" reached the server.
    let started = Instant::now();
    loop {
        let (online,): (i64,) = sqlx::query_as("SELECT online FROM controllers WHERE id = $1").bind(controller_id).fetch_one(app_db.pool()).await.expect("row");
        if online == 1 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the MQTT controller never came online (is Mosquitto on 127.0.0.1:1883?)");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/api/locks/{door_id}/unlock");
    let mut latencies = Vec::with_capacity(UNLOCKS);
    let run = Instant::now();
    for i in 0..UNLOCKS + 20 {
        while arrivals.try_recv().is_ok() {}
        let sent = Instant::now();
        let response = client.post(&url).header("authorization", format!("KISI-LOGIN {key}")).json(&serde_json::json!({})).send().await.expect("unlock");
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
        let arrived = tokio::time::timeout(Duration::from_secs(3), arrivals.recv()).await.expect("POWER1 published").expect("device");
        if i >= 20 {
            latencies.push(arrived - sent);
        }
    }
    let figures = Figures::from(latencies, run.elapsed());
    println!("(h) unlock request → MQTT publish (JSON API, SQLite file, Tasmota board on Mosquitto 127.0.0.1:1883), {UNLOCKS} unlocks one at a time:");
    println!("    p50 {:.2} ms, p99 {:.2} ms (from the client sending the request to the device receiving cmnd/<topic>/POWER1)", figures.p50_ms, figures.p99_ms);
    app_db.close().await;
    super::remove_sqlite(&path);
}

// ------------------------------------------------------------ (i) fleets

/// CPU seconds (user + system) this process has used so far.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of /proc/self/stat (11 and 12 after the name).
    (ticks(11) + ticks(12)) / 100.0
}

/// Resident memory of this process, MiB.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Signs in as the owner and returns the session cookie.
async fn session_cookie(base: &str) -> String {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let response = client
        .post(format!("{base}/rpc/login"))
        .header("origin", base)
        .header("accept", "application/json")
        .form(&[("email", "owner@bench.example.com"), ("password", "bench password 123")])
        .send()
        .await
        .expect("sign in");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("postern_session="))
        .unwrap_or_else(|| panic!("no session cookie ({})", response.status()));
    cookie.split(';').next().unwrap_or_default().to_owned()
}

/// Reads `/live/doors` and records when each door's state arrived.
fn watch(base: String, cookie: String, arrivals: Arc<Mutex<HashMap<i64, Instant>>>) {
    tokio::spawn(async move {
        let client = reqwest::Client::new();
        let mut response = client.get(format!("{base}/live/doors")).header("cookie", cookie).send().await.expect("stream");
        assert_eq!(response.status(), 200, "live stream");
        let mut buffer = String::new();
        while let Ok(Some(chunk)) = response.chunk().await {
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let frame: String = buffer.drain(..end + 2).collect();
                if !frame.contains("event: door") {
                    continue;
                }
                let data = frame.lines().find_map(|l| l.strip_prefix("data:")).unwrap_or("").trim().to_owned();
                if let Ok(live) = serde_json::from_str::<postern::door_status::DoorLive>(&data) {
                    arrivals.lock().expect("lock").insert(live.door_id, Instant::now());
                }
            }
        }
    });
}

async fn fleets() {
    println!("(i) simulated controllers held with live status, one door-sensor change per door every {} s, one /live/doors stream, each size in a process of its own:", CHANGE_EVERY.as_secs());
    let mut held = None;
    for count in FLEETS {
        let run = tokio::process::Command::new(std::env::current_exe().expect("the bench binary"))
            .args(["fleet", &count.to_string()])
            .output()
            .await
            .expect("the fleet process runs");
        let stdout = String::from_utf8_lossy(&run.stdout);
        // "fleet <p99 ms> <missed>" then the line to print.
        let result = stdout.lines().find_map(|l| {
            let mut words = l.strip_prefix("fleet ")?.split_whitespace();
            Some((words.next()?.parse::<f64>().ok()?, words.next()?.parse::<usize>().ok()?))
        });
        let Some((p99_ms, missed)) = result else {
            let stderr = String::from_utf8_lossy(&run.stderr);
            println!("    {count:>4} controllers: the run failed ({}): {}", run.status, stderr.lines().last().unwrap_or(""));
            break;
        };
        if let Some(line) = stdout.lines().find(|l| l.starts_with("    ")) {
            println!("{line}");
        }
        if missed > 0 || p99_ms >= HELD_P99_MS {
            break;
        }
        held = Some(count);
    }
    let largest = FLEETS[FLEETS.len() - 1];
    match held {
        Some(n) if n == largest => println!(
            "    one server holds at least {n} controllers ({} doors): every size held (all changes delivered, p99 < 1 s); the bench stops there",
            n * 4
        ),
        Some(n) => println!(
            "    one server holds {n} controllers ({} doors): the largest size with every change delivered and p99 < 1 s",
            n * 4
        ),
        None => println!("    not even {} controllers were held", FLEETS[0]),
    }
}

/// One fleet size, in this process (`postern-bench fleet N`): prints
/// "fleet <p99 ms> <missed>" for the parent, then the figures' line.
pub async fn fleet(count: usize) {
    let (url, path) = temp_db(&format!("fleet-{count}"));
    let db = Db::connect(&url).await.expect("database");
    db.migrate().await.expect("migrations");
    let (_, place_id) = super::owner_and_place(&db).await;
    let mut wiring = Vec::new();
    for c in 0..count {
        let form = ControllerForm { name: format!("Controller {c:04}"), place_id: place_id.to_string(), ..Default::default() };
        let controller_id = controllers::insert(&db, &form.validate().expect("controller")).await.expect("controller");
        for relay in 1..=4u8 {
            let door_id = door(&db, place_id, controller_id, format!("Door {c:04}-{relay}"), relay).await;
            wiring.push((controller_id, relay, door_id));
        }
    }
    db.close().await;
    let cpu_before = cpu_seconds();
    let app = Application::build(&super::server_config(url)).await.expect("the server starts");
    let (app_db, bridges, base) = (app.db.clone(), app.bridges.clone(), format!("http://127.0.0.1:{}", app.port));
    tokio::spawn(app.run_until_stopped());
    let cookie = session_cookie(&base).await;
    let arrivals = Arc::new(Mutex::new(HashMap::new()));
    watch(base, cookie, arrivals.clone());
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Spread the changes evenly: one door every CHANGE_EVERY / doors.
    let gap = CHANGE_EVERY / u32::try_from(wiring.len()).unwrap_or(1);
    let mut ticker = tokio::time::interval(gap);
    let mut sent: Vec<(i64, Instant)> = Vec::new();
    let (cpu_start, started) = (cpu_seconds(), Instant::now());
    let mut open = vec![false; wiring.len()];
    let mut i = 0usize;
    while started.elapsed() < MEASURE {
        ticker.tick().await;
        let index = i % wiring.len();
        let (controller_id, relay, door_id) = wiring[index];
        open[index] = !open[index];
        // Open during a granted pulse would be fine too; forced-open alarms are part of the load.
        if let Some(sim) = bridges.simulated(controller_id) {
            sent.push((door_id, Instant::now()));
            let _ = sim.set_door_open(relay, open[index]);
        }
        i += 1;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let cpu = (cpu_seconds() - cpu_start) / started.elapsed().as_secs_f64() * 100.0;
    let seen = arrivals.lock().expect("lock").clone();
    // The latest change of each door against the latest event it caused.
    let mut last_sent: HashMap<i64, Instant> = HashMap::new();
    for (door_id, at) in &sent {
        last_sent.insert(*door_id, *at);
    }
    let mut delays: Vec<Duration> = last_sent.iter().filter_map(|(door, at)| seen.get(door).and_then(|got| got.checked_duration_since(*at))).collect();
    let missed = last_sent.len() - delays.len();
    if delays.is_empty() {
        delays.push(Duration::ZERO);
    }
    let figures = Figures::from(delays, started.elapsed());
    println!("fleet {:.1} {missed}", figures.p99_ms);
    println!(
        "    {count:>4} controllers ({:>4} doors, {:.0} changes/s): change → browser p50 {:.1} ms, p99 {:.1} ms, {missed} missed; CPU {cpu:.0}% of one core, RSS {:.0} MiB (startup CPU {:.1} s)",
        count * 4,
        sent.len() as f64 / MEASURE.as_secs_f64(),
        figures.p50_ms,
        figures.p99_ms,
        rss_mib(),
        cpu_start - cpu_before,
    );
    app_db.close().await;
    super::remove_sqlite(&path);
}
