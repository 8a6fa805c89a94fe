//! The event log through HTTP: filters, keyset pages, CSV export and who may
//! read it, on SQLite and PostgreSQL.

mod common;

use common::{call_with, TestApp};
use postern::services::event_writer::{write, NewEvent};

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
