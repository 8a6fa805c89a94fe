//! Sign-in, first run, sessions, CSRF and roles, through HTTP against the
//! real server, on SQLite and on PostgreSQL.

mod common;

use common::{call_with, field_message, TestApp};
use postern::model::UserForm;
use postern::services::{api_keys, users};
use postern::types::{Name, Password};

async fn first_run_creates_owner_once(app: &TestApp) {
    let (status, body) = app.call("needs_setup", &[]).await;
    assert_eq!((status, body.as_bool()), (200, Some(true)));

    // Nonsense is refused field by field, and nothing is saved.
    let (status, body) = app.call("setup_owner", &[("organization", ""), ("name", " "), ("email", "nope"), ("password", "short")]).await;
    assert_eq!(status, 422, "{body}");
    for field in ["name", "email", "password"] {
        assert!(field_message(&body, field).is_some(), "no message for {field}: {body}");
    }
    assert_eq!(app.call("needs_setup", &[]).await.1.as_bool(), Some(true));

    app.sign_up_owner().await;
    let (_, session) = app.call("session", &[]).await;
    assert_eq!(session["email"], "owner@example.com");
    assert_eq!(session["role"], "owner");
    assert_eq!(app.call("needs_setup", &[]).await.1.as_bool(), Some(false));

    // A second owner cannot be created, not even by a stranger.
    let stranger = app.new_browser();
    let (status, body) = call_with(&stranger, &app.address, "setup_owner", &[("organization", "X"), ("name", "Eve"), ("email", "eve@example.com"), ("password", "0123456789abc")]).await;
    assert_eq!(status, 409, "{body}");
}
on_both_databases!(first_run_creates_owner_once);

async fn sign_in_out_with_server_side_sessions(app: &TestApp) {
    let (email, password) = app.sign_up_owner().await;
    let browser = app.new_browser();
    let (status, body) = call_with(&browser, &app.address, "login", &[("email", &email), ("password", "wrong password")]).await;
    assert_eq!(status, 422);
    assert_eq!(field_message(&body, "password").as_deref(), Some("That email and password do not match an account."));
    // Unknown accounts get the very same answer.
    let (_, unknown) = call_with(&browser, &app.address, "login", &[("email", "nobody@example.com"), ("password", "wrong password")]).await;
    assert_eq!(unknown, body);

    let (status, _) = call_with(&browser, &app.address, "login", &[("email", &email.to_uppercase()), ("password", &password)]).await;
    assert_eq!(status, 200);
    let (_, session) = call_with(&browser, &app.address, "session", &[]).await;
    assert_eq!(session["email"], email);

    let (status, _) = call_with(&browser, &app.address, "logout", &[]).await;
    assert_eq!(status, 200);
    let (_, session) = call_with(&browser, &app.address, "session", &[]).await;
    assert!(session.is_null(), "still signed in after logout: {session}");
    let (status, _) = call_with(&browser, &app.address, "list_places", &[("query", "")]).await;
    assert_eq!(status, 401);
}
on_both_databases!(sign_in_out_with_server_side_sessions);

async fn old_session_token_is_dead_after_logout(app: &TestApp) {
    app.sign_up_owner().await;
    let response = app
        .client
        .post(format!("{}/rpc/login", app.address))
        .header("accept", "application/json")
        .form(&[("email", "owner@example.com"), ("password", "correct horse battery")])
        .send()
        .await
        .unwrap();
    let cookie = response.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let token = cookie.split(';').next().unwrap().to_owned();
    app.call("logout", &[]).await;
    // Replaying the old cookie after logout gets nothing.
    let replay = reqwest::Client::new()
        .post(format!("{}/rpc/session", app.address))
        .header("accept", "application/json")
        .header("origin", &app.address)
        .header("cookie", token)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.text().await.unwrap(), "null");
}
on_both_databases!(old_session_token_is_dead_after_logout);

async fn repeated_failures_are_throttled(app: &TestApp) {
    app.sign_up_owner().await;
    let browser = app.new_browser();
    for _ in 0..5 {
        let (status, _) = call_with(&browser, &app.address, "login", &[("email", "owner@example.com"), ("password", "guess guess guess")]).await;
        assert_eq!(status, 422);
    }
    // Even the right password is refused while the account is throttled.
    let (status, body) = call_with(&browser, &app.address, "login", &[("email", "owner@example.com"), ("password", "correct horse battery")]).await;
    assert_eq!(status, 429, "{body}");
    assert!(body.to_string().contains("Too many failed sign-ins"), "{body}");
    // Failures are in the event log.
    let (failures,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE action = 'sign_in.failed'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(failures, 5);
}
on_both_databases!(repeated_failures_are_throttled);

async fn cross_site_posts_are_refused(app: &TestApp) {
    app.sign_up_owner().await;
    let response = app
        .client
        .post(format!("{}/rpc/logout", app.address))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let response = app
        .client
        .post(format!("{}/rpc/logout", app.address))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    // Still signed in: the forged logout did nothing.
    assert_eq!(app.call("session", &[]).await.1["role"], "owner");
}
on_both_databases!(cross_site_posts_are_refused);

async fn roles_are_enforced(app: &TestApp) {
    app.sign_up_owner().await;
    let form = UserForm { name: "Mia Member".into(), email: "mia@example.com".into(), confirmed: Some("on".into()), app_access: Some("on".into()), ..Default::default() };
    let id = users::insert(&app.db, &form.validate().unwrap(), None).await.unwrap();
    users::set_password(&app.db, id, &Password::parse("member password 1").unwrap()).await.unwrap();
    let member = app.new_browser();
    let (status, _) = call_with(&member, &app.address, "login", &[("email", "mia@example.com"), ("password", "member password 1")]).await;
    assert_eq!(status, 200);
    for (endpoint, form) in [
        ("list_places", vec![("query", "")]),
        ("list_users", vec![("query", "")]),
        ("save_place", vec![("form[name]", "X"), ("form[latitude]", "1"), ("form[longitude]", "1"), ("form[time_zone]", "UTC")]),
        ("create_api_key", vec![("name", "mine")]),
    ] {
        let (status, body) = call_with(&member, &app.address, endpoint, &form).await;
        assert_eq!(status, 403, "{endpoint} let a member in: {body}");
    }
    // The member's own page data works.
    let (status, body) = call_with(&member, &app.address, "my_doors", &[]).await;
    assert_eq!(status, 200, "{body}");
}
on_both_databases!(roles_are_enforced);

async fn api_keys_are_hashed_and_revocable(app: &TestApp) {
    app.sign_up_owner().await;
    let (status, created) = app.call("create_api_key", &[("name", "Booking system")]).await;
    assert_eq!(status, 200, "{created}");
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("pst_") && secret.len() > 40);
    let (stored,): (String,) = sqlx::query_as("SELECT key_hash FROM api_keys").fetch_one(app.db.pool()).await.unwrap();
    assert_ne!(stored, secret);
    assert!(!stored.contains(&secret[4..]));
    assert_eq!(api_keys::authenticate(&app.db, &secret).await.unwrap().unwrap().email, "owner@example.com");
    let id = created["key"]["id"].as_i64().unwrap().to_string();
    let (status, _) = app.call("revoke_api_key", &[("id", &id)]).await;
    assert_eq!(status, 200);
    assert!(api_keys::authenticate(&app.db, &secret).await.unwrap().is_none());
    let (status, body) = app.call("create_api_key", &[("name", "")]).await;
    assert_eq!(status, 422);
    assert!(field_message(&body, "name").is_some());
    let _ = Name::parse("x");
}
on_both_databases!(api_keys_are_hashed_and_revocable);

async fn pages_send_strangers_to_setup_then_sign_in(app: &TestApp) {
    let response = app.get("/").await;
    assert_eq!(response.status().as_u16(), 302);
    assert_eq!(response.headers()["location"], "/setup");
    let page = app.get("/setup").await.text().await.unwrap();
    assert!(page.contains("Create owner account"), "{page}");
    app.sign_up_owner().await;
    let stranger = app.new_browser();
    let response = stranger.get(format!("{}/doors", app.address)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 302);
    assert_eq!(response.headers()["location"], "/login");
    // The owner sees the dashboard, rendered on the server.
    let page = app.get("/").await.text().await.unwrap();
    assert!(page.contains("Acme") && page.contains("Sign out"), "{page}");
}
on_both_databases!(pages_send_strangers_to_setup_then_sign_in);

async fn sessions_end_when_idle_or_too_old(app: &TestApp) {
    use postern::services::sessions::{self, SessionPolicy};
    use std::time::Duration;
    app.sign_up_owner().await;
    let (_, me) = app.call("session", &[]).await;
    let user_id = me["id"].as_i64().unwrap();
    let policy = SessionPolicy { idle: Duration::from_secs(60), absolute: Duration::from_secs(3600) };
    let idle = sessions::create(&app.db, user_id, "127.0.0.1", "test").await.unwrap();
    let old = sessions::create(&app.db, user_id, "127.0.0.1", "test").await.unwrap();
    let fresh = sessions::create(&app.db, user_id, "127.0.0.1", "test").await.unwrap();
    let now = postern::services::now_ms();
    let age = |token: &str, created: i64, seen: i64| {
        let hash = postern::services::tokens::hash_token(token);
        async move {
            sqlx::query("UPDATE sessions SET created_at = $1, last_seen_at = $2 WHERE id_hash = $3")
                .bind(created)
                .bind(seen)
                .bind(hash)
                .execute(app.db.pool())
                .await
                .unwrap();
        }
    };
    age(&idle, now - 120_000, now - 61_000).await; // idle past 60 s
    age(&old, now - 3_601_000, now - 1_000).await; // active, but past its absolute hour
    assert!(sessions::lookup(&app.db, &idle, policy).await.unwrap().is_none());
    assert!(sessions::lookup(&app.db, &old, policy).await.unwrap().is_none());
    assert!(sessions::lookup(&app.db, &fresh, policy).await.unwrap().is_some());
    // Expired sessions are deleted, not just ignored.
    let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(left, 2, "the browser's session and the fresh one remain");
    // Each sign-in gets a new session id.
    let second = sessions::create(&app.db, user_id, "127.0.0.1", "test").await.unwrap();
    assert_ne!(second, fresh);
}
on_both_databases!(sessions_end_when_idle_or_too_old);
