//! (e) The visitor's access-link page, served by the real server on a
//! SQLite file: time per request over loopback (an upper bound of the
//! server's render time) and what a phone downloads for it, gzip included.

use postern::model::{ControllerForm, DoorForm, GroupForm, LinkForm};
use postern::services::access_links::{self, LinkSettings};
use postern::services::messaging::Messenger;
use postern::services::{controllers, doors, groups, Db};
use postern_server::startup::Application;
use std::time::Instant;

const REQUESTS: usize = 2_000;
const WARM_UP: usize = 200;
/// The budgets.
const P99_BUDGET_MS: f64 = 2.0;
const BYTES_BUDGET: usize = 120 * 1024;

pub async fn bench() {
    let path = std::env::temp_dir().join(format!("postern-bench-{}-link.db", std::process::id()));
    let url = format!("sqlite://{}", path.display());
    let config = super::server_config(url);
    let app = Application::build(&config).await.expect("the server starts");
    let base = format!("http://127.0.0.1:{}", app.port);
    let db = app.db.clone();
    tokio::spawn(app.run_until_stopped());
    let link = link(&db, &base).await;
    let client = reqwest::Client::new();
    let get = |accept_gzip: bool| {
        let request = client.get(&link);
        if accept_gzip { request.header("accept-encoding", "gzip") } else { request }
    };
    for _ in 0..WARM_UP {
        get(false).send().await.expect("GET").bytes().await.expect("body");
    }
    let started_all = Instant::now();
    let mut latencies = Vec::with_capacity(REQUESTS);
    for _ in 0..REQUESTS {
        let started = Instant::now();
        let response = get(false).send().await.expect("GET");
        assert_eq!(response.status(), 200);
        response.bytes().await.expect("body");
        latencies.push(started.elapsed());
    }
    let figures = super::load::Figures::from(latencies, started_all.elapsed());
    let (p50, p99) = (figures.p50_ms, figures.p99_ms);
    let html = get(false).send().await.expect("GET").text().await.expect("body");
    let gzip = get(true).send().await.expect("GET");
    let encoding = gzip.headers().get("content-encoding").map(|v| v.to_str().unwrap_or("").to_owned()).unwrap_or_default();
    let gzip_bytes = gzip.bytes().await.expect("body").len();
    // The page must not pull anything else: no stylesheet, no script file, no Wasm.
    let fetches = html.matches("<link").count() + html.matches(" src=").count();
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    println!("(e) visitor's link page, GET /l/<token> on SQLite, {REQUESTS} sequential requests over loopback:");
    println!("    p50 {p50:.2} ms, p99 {p99:.2} ms (server time plus loopback HTTP); budget p99 < {P99_BUDGET_MS:.0} ms: {}", verdict(p99 < P99_BUDGET_MS));
    println!(
        "    a phone downloads: HTML {} B ({encoding} {gzip_bytes} B), CSS inline, no script file, no Wasm ({fetches} other fetches);",
        html.len()
    );
    println!("    total {gzip_bytes} B compressed; budget {} KB: {}", BYTES_BUDGET / 1024, verdict(gzip_bytes <= BYTES_BUDGET && fetches == 0));
    db.close().await;
    super::remove_sqlite(&path);
}

/// An owner, a place with three wired doors, a group with them, and a
/// manual link to that group; returns the link's URL.
async fn link(db: &Db, base: &str) -> String {
    let (actor, place_id) = super::owner_and_place(db).await;
    let controller = ControllerForm { name: "C1".into(), place_id: place_id.to_string(), ..Default::default() };
    let controller_id = controllers::insert(db, &controller.validate().expect("controller")).await.expect("controller");
    let group_id = groups::insert(db, &GroupForm { name: "Visitors".into(), ..Default::default() }.validate().expect("group")).await.expect("group");
    for (relay, name) in [(1, "Front door"), (2, "Lobby"), (3, "Meeting room")] {
        let door = DoorForm {
            name: name.into(),
            place_id: place_id.to_string(),
            controller_id: controller_id.to_string(),
            relay: relay.to_string(),
            ..Default::default()
        };
        let door_id = doors::insert(db, &door.validate().expect("door")).await.expect("door");
        groups::add_door(db, &actor, group_id, door_id).await.expect("group door");
    }
    let form = LinkForm {
        recipient_name: "Vera Visitor".into(),
        channel: "manual".into(),
        group_id: group_id.to_string(),
        valid_until: "2099-12-31T18:00".into(),
        time_zone: "Europe/Berlin".into(),
        ..Default::default()
    };
    let created = access_links::create(db, &Messenger::new(None, None), &LinkSettings::default(), &actor, form.validate().expect("link"), base)
        .await
        .expect("link");
    created.url.expect("a manual link's URL")
}
