//! Live door status over server-sent events (`GET /live/doors`), on SQLite
//! and PostgreSQL, and across two replicas sharing one PostgreSQL database.

mod common;
#[path = "support/servers.rs"]
mod servers;

use common::{call_with, TestApp};
use postern::model::UserForm;
use postern::services::users;
use postern::types::Password;
use serde_json::Value;
use std::time::{Duration, Instant};

/// The promise: a change reaches the browser within a second.
const WITHIN: Duration = Duration::from_secs(1);

/// An open `/live/doors` stream, read event by event.
struct Stream {
    response: reqwest::Response,
    buffer: String,
}

#[derive(Debug)]
struct SseEvent {
    event: String,
    data: String,
}

impl Stream {
    async fn open(client: &reqwest::Client, address: &str) -> Stream {
        Stream::open_with(client, address, &[]).await
    }

    async fn open_with(client: &reqwest::Client, address: &str, headers: &[(&str, &str)]) -> Stream {
        Stream::open_at(client, &format!("{address}/live/doors"), headers).await
    }

    async fn open_at(client: &reqwest::Client, url: &str, headers: &[(&str, &str)]) -> Stream {
        let mut request = client
            .get(url)
            .header("accept", "text/event-stream")
            .header("accept-encoding", "gzip");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("GET /live/doors");
        assert_eq!(response.status(), 200, "the stream opens for a signed-in user");
        let headers = response.headers();
        assert_eq!(headers["content-type"], "text/event-stream");
        assert!(headers.get("content-encoding").is_none(), "the stream is not compressed (gzip would hold events back)");
        assert_eq!(headers["cache-control"], "no-store");
        let mut stream = Stream { response, buffer: String::new() };
        let clock = stream.next(Duration::from_secs(5)).await.expect("a clock event first");
        assert_eq!(clock.event, "clock");
        let now: Value = serde_json::from_str(&clock.data).unwrap();
        assert!(now["now"].as_i64().unwrap() > 1_600_000_000_000, "{clock:?}");
        stream
    }

    /// The next event (comments skipped), or `None` after `wait`.
    async fn next(&mut self, wait: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = SseEvent { event: "message".into(), data: String::new() };
                for line in block.lines() {
                    if let Some(name) = line.strip_prefix("event:") {
                        event.event = name.trim().to_owned();
                    } else if let Some(data) = line.strip_prefix("data:") {
                        event.data.push_str(data.trim_start());
                    }
                }
                if event.data.is_empty() && event.event == "message" {
                    continue; // a keep-alive comment
                }
                return Some(event);
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk()).await.ok()?.expect("the stream reads")?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Waits (at most `wait`) for a `door` event about `door` whose status
    /// is `status`; returns it and how long it took.
    async fn door(&mut self, door: &str, status: &str, wait: Duration) -> (Value, Duration) {
        let started = Instant::now();
        let deadline = started + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(event) = self.next(left).await else {
                panic!("no `{status}` event for door {door} within {wait:?}");
            };
            if event.event != "door" {
                continue;
            }
            let live: Value = serde_json::from_str(&event.data).unwrap();
            if live["door_id"].to_string() == door && live["status"]["status"] == status {
                return (live, started.elapsed());
            }
        }
    }

    /// The next `door` event's door id.
    async fn next_door(&mut self, wait: Duration) -> Option<String> {
        loop {
            let event = self.next(wait).await?;
            if event.event == "door" {
                let live: Value = serde_json::from_str(&event.data).unwrap();
                return Some(live["door_id"].to_string());
            }
        }
    }
}

struct Site {
    door: String,
    other: String,
    group: String,
}

/// The owner, a place, a controller and two wired doors; a group with the first.
async fn site(app: &TestApp) -> Site {
    app.sign_up_owner().await;
    let place = app.create("save_place", &[("form[name]", "HQ"), ("form[latitude]", "40.7"), ("form[longitude]", "-74.0"), ("form[time_zone]", "America/New_York")]).await;
    let controller = app.create("save_controller", &[("form[name]", "C1"), ("form[place_id]", &place)]).await;
    let door = app.create("save_door", &[("form[name]", "Front"), ("form[place_id]", &place), ("form[controller_id]", &controller), ("form[relay]", "1"), ("form[pulse_seconds]", "5")]).await;
    let other = app.create("save_door", &[("form[name]", "Back"), ("form[place_id]", &place), ("form[controller_id]", &controller), ("form[relay]", "2")]).await;
    let group = app.create("save_group", &[("form[name]", "Staff")]).await;
    assert_eq!(app.call("change_group_door", &[("group_id", &group), ("door_id", &door), ("add", "true")]).await.0, 200);
    Site { door, other, group }
}

async fn unlock_and_lockdown_reach_the_stream_within_a_second(app: &TestApp) {
    let site = site(app).await;
    let mut stream = Stream::open(&app.client, &app.address).await;

    let (status, body) = app.call("unlock_door", &[("door_id", &site.door)]).await;
    assert_eq!((status, body["granted"].as_bool()), (200, Some(true)), "{body}");
    let (live, took) = stream.door(&site.door, "unlocked", Duration::from_secs(3)).await;
    assert!(took < WITHIN, "the unlock took {took:?} to arrive");
    let until = live["status"]["until"].as_i64().unwrap();
    let now = postern::services::now_ms();
    assert!((now + 3_000..=now + 5_500).contains(&until), "unlocked for the 5 s pulse: {live}");
    eprintln!("unlock → SSE ({:?}): {took:?}", app.backend());

    assert_eq!(app.call("set_door_lockdown", &[("door_id", &site.door), ("on", "true")]).await.0, 200);
    let (_, took) = stream.door(&site.door, "locked_down", Duration::from_secs(3)).await;
    assert!(took < WITHIN, "the lockdown took {took:?} to arrive");
    eprintln!("lockdown → SSE ({:?}): {took:?}", app.backend());
    assert_eq!(app.call("set_door_lockdown", &[("door_id", &site.door), ("on", "false")]).await.0, 200);
    stream.door(&site.door, "locked", WITHIN).await;
}
on_both_databases!(unlock_and_lockdown_reach_the_stream_within_a_second);

async fn strangers_get_401_and_members_hear_only_their_doors(app: &TestApp) {
    let site = site(app).await;
    let stranger = app.new_browser();
    let response = stranger.get(format!("{}/live/doors", app.address)).send().await.unwrap();
    assert_eq!(response.status(), 401);

    // A member in the group reaching `door` (not `other`).
    let email = "mia@example.com";
    let form = UserForm { name: "Mia".into(), email: email.into(), confirmed: Some("on".into()), app_access: Some("on".into()), ..Default::default() };
    let member_id = users::insert(&app.db, &form.validate().unwrap(), None).await.unwrap();
    users::set_password(&app.db, member_id, &Password::parse("member password 1").unwrap()).await.unwrap();
    let member_id = member_id.to_string();
    assert_eq!(app.call("change_group_member", &[("group_id", &site.group), ("user_id", &member_id), ("add", "true")]).await.0, 200);
    let phone = app.new_browser();
    assert_eq!(call_with(&phone, &app.address, "login", &[("email", email), ("password", "member password 1")]).await.0, 200);
    let mut stream = Stream::open(&phone, &app.address).await;

    // The other door changes first; the member only hears of their own.
    assert_eq!(app.call("set_door_lockdown", &[("door_id", &site.other), ("on", "true")]).await.0, 200);
    assert_eq!(app.call("unlock_door", &[("door_id", &site.door)]).await.0, 200);
    assert_eq!(stream.next_door(Duration::from_secs(3)).await.as_deref(), Some(site.door.as_str()));

    // After a reconnect (Last-Event-ID) the current state of their doors comes first.
    let mut again = Stream::open_with(&phone, &app.address, &[("last-event-id", "1")]).await;
    assert_eq!(again.next_door(Duration::from_secs(3)).await.as_deref(), Some(site.door.as_str()));
    // So does a page opening the stream (`?snapshot`): a change between
    // rendering and connecting is not lost.
    let mut page = Stream::open_at(&phone, &format!("{}/live/doors?snapshot", app.address), &[]).await;
    assert_eq!(page.next_door(Duration::from_secs(3)).await.as_deref(), Some(site.door.as_str()));

    // Signing out ends the right to open a stream.
    assert_eq!(call_with(&phone, &app.address, "logout", &[]).await.0, 200);
    let response = phone.get(format!("{}/live/doors", app.address)).send().await.unwrap();
    assert_eq!(response.status(), 401);
}
on_both_databases!(strangers_get_401_and_members_hear_only_their_doors);

/// Two replicas on one PostgreSQL database, B a `postern serve` process of
/// its own: a browser on B hears an unlock made through A (LISTEN/NOTIFY),
/// within a second, exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_on_one_replica_reaches_browsers_on_another() {
    let a = TestApp::spawn_with(common::Backend::Postgres, |_| {}).await;
    let mut replicas = servers::Servers::default();
    let b_address = replicas.start(&a.db.pool().connect_options().database_url.to_string()).await;

    let site = site(&a).await;
    // Sessions live in the database: the cookie from A works on B.
    let mut on_b = Stream::open(&a.client, &b_address).await;
    let mut on_a = Stream::open(&a.client, &a.address).await;

    assert_eq!(a.call("unlock_door", &[("door_id", &site.door)]).await.0, 200);
    let (_, took) = on_b.door(&site.door, "unlocked", Duration::from_secs(3)).await;
    assert!(took < WITHIN, "replica B heard of the unlock after {took:?}");
    eprintln!("unlock on A → SSE on B: {took:?}");
    on_a.door(&site.door, "unlocked", WITHIN).await;

    // And the other way round: a lockdown through B reaches A (same
    // browser, so its Origin is now B's).
    let response = a
        .client
        .post(format!("{b_address}/rpc/set_door_lockdown"))
        .header("origin", &b_address)
        .header("accept", "application/json")
        .form(&[("door_id", site.door.as_str()), ("on", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    let (_, took) = on_a.door(&site.door, "locked_down", Duration::from_secs(3)).await;
    assert!(took < WITHIN, "replica A heard of the lockdown after {took:?}");
    eprintln!("lockdown on B → SSE on A: {took:?}");

    // Each replica sends each change once, the one that made it included.
    // (A door with no controller: the bridge announces nothing of its own.)
    let place: (i64,) = sqlx::query_as("SELECT place_id FROM doors WHERE id = $1")
        .bind(site.door.parse::<i64>().unwrap())
        .fetch_one(a.db.pool())
        .await
        .unwrap();
    let unwired = a.create("save_door", &[("form[name]", "Roof"), ("form[place_id]", &place.0.to_string())]).await;
    let response = a
        .client
        .post(format!("{b_address}/rpc/set_door_lockdown"))
        .header("origin", &b_address)
        .header("accept", "application/json")
        .form(&[("door_id", unwired.as_str()), ("on", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    for (name, stream) in [("A", &mut on_a), ("B", &mut on_b)] {
        let mut heard = 0;
        while let Some(door) = stream.next_door(Duration::from_millis(700)).await {
            heard += usize::from(door == unwired);
        }
        assert_eq!(heard, 1, "replica {name} sent the lockdown {heard} times");
    }

    drop(replicas);
    a.cleanup().await;
}
