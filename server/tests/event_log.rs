//! The event log through HTTP: filters, keyset pages, CSV export and who may
//! read it, on SQLite and PostgreSQL.

mod common;

use common::{call_with, TestApp};
use postern::services::event_writer::{write, EventWriter, NewEvent};
use postern::services::db::DbKind;

async fn seed(app: &TestApp, count: i64) {
    let events: Vec<NewEvent> = (0..count)
        .map(|i| NewEvent {
            at: 1_800_000_000_000 + i * 60_000,
            actor_kind: "user".into(),
            actor_name: format!("Person {}", i % 3),
            action: "unlock".into(),
            subject: format!("Door {}", i % 2),
            door_id: Some(1 + i % 2),
            method: Some(if i % 2 == 0 { "web" } else { "app" }.into()),
            result: if i % 5 == 0 { "denied" } else { "granted" }.into(),
            reasons: if i % 5 == 0 { vec!["no_group".into()] } else { vec![] },
            ..Default::default()
        })
        .collect();
    let refs: Vec<&NewEvent> = events.iter().collect();
    write(&app.db, &refs).await.unwrap();
}

async fn filters_pages_and_csv(app: &TestApp) {
    app.sign_up_owner().await;
    seed(app, 120).await;
    // Newest first, 50 a page, keyset cursor to the next.
    let (status, first) = app.call("list_events", &[("query[result]", "granted")]).await;
    assert_eq!(status, 200, "{first}");
    let events = first["events"].as_array().unwrap();
    assert_eq!(events.len(), 50);
    assert!(events.iter().all(|e| e["result"] == "granted"));
    assert!(events.windows(2).all(|w| w[0]["at"].as_i64() >= w[1]["at"].as_i64()));
    let after = first["next"].as_str().unwrap().to_owned();
    let (_, second) = app.call("list_events", &[("query[result]", "granted"), ("query[after]", &after)]).await;
    // 96 granted in all: 50 + 46, and no third page.
    assert_eq!(second["events"].as_array().unwrap().len(), 46);
    assert!(second["next"].is_null(), "{}", second["next"]);
    let first_ids: Vec<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(second["events"].as_array().unwrap().iter().all(|e| !first_ids.contains(&e["id"].as_i64().unwrap())));

    // Door, method and date filters combine.
    let (_, filtered) = app.call("list_events", &[("query[door]", "2"), ("query[method]", "app"), ("query[result]", "denied")]).await;
    let filtered = filtered["events"].as_array().unwrap();
    assert_eq!(filtered.len(), 12, "odd i, multiple of 5: 5, 15, …, 115");
    let (_, dated) = app.call("list_events", &[("query[from]", "2027-01-15"), ("query[until]", "2027-01-15")]).await;
    assert_eq!(dated["events"].as_array().unwrap().len(), 50, "all 120 fall on 2027-01-15 UTC; one page shown");
    let (_, none) = app.call("list_events", &[("query[from]", "2027-01-16")]).await;
    assert!(none["events"].as_array().unwrap().is_empty());
    // Nonsense is refused with the field named.
    for (field, value) in [("query[result]", "maybe"), ("query[from]", "yesterday"), ("query[door]", "front")] {
        let (status, body) = app.call("list_events", &[(field, value)]).await;
        assert_eq!(status, 422, "{field}={value}: {body}");
    }

    // CSV: every matching row, quoted, with a header.
    let csv = app.get("/events.csv?result=denied").await;
    assert_eq!(csv.status().as_u16(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("id,time_utc,time_local,actor_kind,actor,action"));
    assert_eq!(lines.len(), 1 + 24);
    assert!(lines.iter().skip(1).all(|l| l.contains(",denied,") && l.contains("no_group")));
    // Only staff may export; strangers get 401.
    let stranger = app.new_browser();
    let response = stranger.get(format!("{}/events.csv", app.address)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let (status, _) = call_with(&stranger, &app.address, "list_events", &[("query[door]", "")]).await;
    assert_eq!(status, 401);
}
on_both_databases!(filters_pages_and_csv);

/// The writer's batch (multi-row INSERTs, then every door's latest "unlocked
/// until"; on SQLite one query from BEGIN to COMMIT) is written whole or
/// not at all, and a failed batch fails its own callers only.
async fn a_batch_is_written_whole_or_not_at_all(app: &TestApp) {
    app.sign_up_owner().await;
    let place = app.create("save_place", &[("form[name]", "HQ"), ("form[latitude]", "40.7"), ("form[longitude]", "-74.0"), ("form[time_zone]", "UTC")]).await;
    let mut doors = Vec::new();
    for name in ["Front", "Back"] {
        doors.push(app.create("save_door", &[("form[name]", name), ("form[place_id]", &place)]).await.parse::<i64>().unwrap());
    }
    let base = 1_900_000_000_000_i64;
    let event = |i: i64, subject: &str| NewEvent {
        at: base + i,
        actor_kind: "user".into(),
        actor_name: format!("Person {i}"),
        action: "unlock".into(),
        subject: subject.into(),
        door_id: Some(doors[(i % 2) as usize]),
        result: "granted".into(),
        unlocked_until: Some((doors[(i % 2) as usize], base + 1_000 * i)),
        ..Default::default()
    };
    let until = |door: i64| {
        let db = app.db.clone();
        async move {
            let (until,): (Option<i64>,) = sqlx::query_as("SELECT unlocked_until FROM doors WHERE id = $1").bind(door).fetch_one(db.pool()).await.unwrap();
            until
        }
    };
    let subject_of = |id: i64| {
        let db = app.db.clone();
        async move {
            let (subject,): (String,) = sqlx::query_as("SELECT subject FROM events WHERE id = $1").bind(id).fetch_one(db.pool()).await.unwrap();
            subject
        }
    };

    // 70 events, over two INSERTs: each id is its own event's.
    let events: Vec<NewEvent> = (0..70).map(|i| event(i, &format!("Event {i}"))).collect();
    let ids = write(&app.db, &events.iter().collect::<Vec<_>>()).await.unwrap();
    assert_eq!(ids.len(), 70);
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(subject_of(id.id).await, format!("Event {i}"));
    }
    assert_eq!(until(doors[0]).await, Some(base + 68_000), "each door keeps its latest");
    assert_eq!(until(doors[1]).await, Some(base + 69_000));

    // A row refused in the second INSERT: the first INSERT's rows go too.
    let refuse = match app.db.kind() {
        DbKind::Sqlite => "CREATE TRIGGER refuse_poison BEFORE INSERT ON events WHEN NEW.subject = 'poison'
                           BEGIN SELECT RAISE(ABORT, 'poisoned'); END"
            .to_owned(),
        DbKind::Postgres => "CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN
                               IF NEW.subject = 'poison' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
                             CREATE TRIGGER refuse_poison BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_poison()"
            .to_owned(),
    };
    sqlx::raw_sql(&refuse).execute(app.db.pool()).await.unwrap();
    let count = || {
        let db = app.db.clone();
        async move {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE at >= $1").bind(base + 1_000).fetch_one(db.pool()).await.unwrap();
            n
        }
    };
    let events: Vec<NewEvent> = (1_000..1_070).map(|i| event(i, if i == 1_066 { "poison" } else { "Later" })).collect();
    let refused = write(&app.db, &events.iter().collect::<Vec<_>>()).await;
    assert!(refused.unwrap_err().to_string().contains("poisoned"));
    assert_eq!(count().await, 0, "nothing of the refused batch stays");
    assert_eq!(until(doors[0]).await, Some(base + 68_000), "nor its doors' unlocked-until");

    // Through the writer task: the refused event fails its caller, and the
    // next batch is written (on a new connection on SQLite).
    let writer = EventWriter::spawn(app.db.clone());
    assert!(writer.record(event(2_000, "poison")).await.is_err());
    let id = writer.record(event(2_001, "After the refusal")).await.unwrap();
    assert_eq!(subject_of(id).await, "After the refusal");
    assert_eq!(until(doors[1]).await, Some(base + 2_001_000));
}
on_both_databases!(a_batch_is_written_whole_or_not_at_all);
