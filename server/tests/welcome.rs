//! Welcome emails and their set-password links (issue 17, point 4), and the
//! logins on a person's page (point 1), on SQLite and PostgreSQL, with the
//! emails going through a real SMTP server (scripts/smtp-sink.py).

mod common;
#[path = "support/smtp_sink.rs"]
mod smtp_sink;

use common::TestApp;
use mailparse::{MailHeaderMap, ParsedMail};
use postern::services::{api_keys, users};
use postern::types::{Email, Name, Password, Role};
use serde_json::{json, Value};
use smtp_sink::SmtpSink;

/// One scenario on both databases, each with its own SMTP sink, the
/// server sending through it.
macro_rules! with_smtp {
    ($scenario:ident) => {
        mod $scenario {
            use super::*;
            async fn run(backend: common::Backend) {
                let sink = SmtpSink::start().await;
                let settings = sink.settings();
                let app = TestApp::spawn_with(backend, move |config| config.smtp = Some(settings)).await;
                super::$scenario(&app, &sink).await;
                app.cleanup().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(common::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run(common::Backend::Postgres).await;
            }
        }
    };
}

const PASSWORD: &str = "a long enough password";

/// The owner (signed in on `app.client`) and an API key of theirs.
async fn owner_with_key(app: &TestApp) -> String {
    app.sign_up_owner().await;
    let owner = users::find_by_email(&app.db, &Email::parse("owner@example.com").unwrap()).await.unwrap().unwrap();
    api_keys::issue(&app.db, owner.id, &Name::parse("provisioning").unwrap()).await.unwrap().secret
}

async fn api(app: &TestApp, key: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}/api{path}", app.address))
        .header("authorization", format!("KISI-LOGIN {key}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the API answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// Creates a person through `POST /api/users`; returns their id.
async fn create(app: &TestApp, key: &str, user: Value) -> i64 {
    let (status, body) = api(app, key, reqwest::Method::POST, "/users", Some(json!({ "user": user }))).await;
    assert_eq!(status, 200, "{body}");
    body["id"].as_i64().unwrap()
}

fn parts<'a>(mail: &'a ParsedMail<'a>, out: &mut Vec<&'a ParsedMail<'a>>) {
    out.push(mail);
    for part in &mail.subparts {
        parts(part, out);
    }
}

/// The `n`th email: recipients, subject, plain text.
async fn email(sink: &SmtpSink, n: usize) -> (Vec<String>, String, String) {
    let (raw, recipients) = sink.received(n).await;
    let mail = mailparse::parse_mail(&raw).expect("a parsable email");
    let subject = mail.headers.get_first_value("Subject").unwrap_or_default();
    let mut all = Vec::new();
    parts(&mail, &mut all);
    let text = all.iter().find(|p| p.ctype.mimetype.eq_ignore_ascii_case("text/plain")).expect("a text part").get_body().unwrap();
    (recipients, subject, text)
}

/// The set-password link in an email's text, checked to point at this server.
fn link_in(app: &TestApp, text: &str) -> String {
    let at = text.find("/set-password/").unwrap_or_else(|| panic!("no set-password link in: {text}"));
    let start = text[..at].rfind("http").expect("an absolute link");
    let end = at + text[at..].find(|c: char| c.is_whitespace()).unwrap_or(text.len() - at);
    let link = &text[start..end];
    assert!(link.starts_with(&format!("{}/set-password/", app.address)), "{link}");
    let token = &link[link.rfind('/').unwrap() + 1..];
    assert_eq!(token.len(), 43, "256 random bits, URL-safe base64: {link}");
    link.to_owned()
}

async fn get(browser: &reqwest::Client, url: &str) -> (u16, String) {
    let response = browser.get(url).header("accept", "text/html").send().await.expect("GET works");
    (response.status().as_u16(), response.text().await.unwrap_or_default())
}

/// POSTs the form as a browser without JavaScript would; status, Location,
/// Set-Cookie and the page.
async fn post(browser: &reqwest::Client, url: &str, password: &str, again: &str) -> (u16, String, String, String) {
    let response = browser.post(url).form(&[("password", password), ("password_again", again)]).send().await.expect("POST works");
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let (location, cookie) = (header("location"), header("set-cookie"));
    (response.status().as_u16(), location, cookie, response.text().await.unwrap_or_default())
}

async fn person_row(app: &TestApp, id: i64) -> (i64, Option<String>) {
    sqlx::query_as("SELECT confirmed, password_hash FROM users WHERE id = $1").bind(id).fetch_one(app.db.pool()).await.unwrap()
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE action = $1").bind(action).fetch_one(app.db.pool()).await.unwrap();
    n
}

/// A person with a password, signed in on a browser of their own.
async fn signed_in(app: &TestApp, email: &str, role: Role) -> (i64, reqwest::Client) {
    let id = app.insert_person(email, role).await;
    users::set_password(&app.db, id, &Password::parse(PASSWORD).unwrap()).await.unwrap();
    let browser = app.new_browser();
    let (status, body) = common::call_with(&browser, &app.address, "login", &[("email", email), ("password", PASSWORD)]).await;
    assert!(status < 400, "{email} signs in: {status} {body}");
    (id, browser)
}

// ---- the link: shown, refused in words, used once ------------------------------------

async fn the_link_sets_the_password_once(app: &TestApp, sink: &SmtpSink) {
    let key = owner_with_key(app).await;
    let id = create(app, &key, json!({"name": "Wes Welcome", "email": "wes@example.com", "app_access": true, "send_emails": true})).await;
    assert_eq!(person_row(app, id).await, (0, None), "created unconfirmed, without a password");

    let (recipients, subject, text) = email(sink, 1).await;
    assert_eq!(recipients, vec!["wes@example.com".to_owned()]);
    assert_eq!(subject, "Welcome to Acme");
    assert!(text.contains("Hello Wes Welcome,") && text.contains("UTC"), "{text}");
    let link = link_in(app, &text);

    // A GET shows the form and spends nothing, however often.
    let visitor = app.new_browser();
    for _ in 0..2 {
        let (status, page) = get(&visitor, &link).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Welcome, Wes Welcome") && page.contains("wes@example.com"), "{page}");
        assert!(page.contains("<form method=\"post\"") && page.contains("name=\"password\""), "{page}");
        assert!(!page.contains("<script"), "works without JavaScript: {page}");
    }
    let (used,): (Option<i64>,) = sqlx::query_as("SELECT used_at FROM welcome_emails WHERE user_id = $1").bind(id).fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(used, None, "a GET never spends the link");

    // Refused passwords: the page again, the reason in words, the link still working.
    let (status, _, cookie, page) = post(&visitor, &link, "short", "short").await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("Your password was not set.") && page.contains("Use at least 10 characters."), "{page}");
    assert!(!page.trim_start().starts_with('{'), "words on a page, not JSON: {page}");
    assert!(cookie.is_empty(), "nobody is signed in: {cookie}");
    let (status, _, _, page) = post(&visitor, &link, PASSWORD, "a different long password").await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("The two passwords are not the same."), "{page}");
    assert_eq!(person_row(app, id).await, (0, None), "nothing set yet");
    assert_eq!(get(&visitor, &link).await.0, 200, "the link still works");

    // A good password: signed in, redirected home, confirmed, the link spent.
    let (status, location, cookie, _) = post(&visitor, &link, PASSWORD, PASSWORD).await;
    assert_eq!(status, 303);
    assert_eq!(location, "/me", "a member's home");
    assert!(cookie.starts_with("postern_session=") && cookie.contains("HttpOnly"), "{cookie}");
    let (status, session) = common::call_with(&visitor, &app.address, "session", &[]).await;
    assert_eq!((status, session["email"].as_str()), (200, Some("wes@example.com")), "{session}");
    let (confirmed, hash) = person_row(app, id).await;
    assert_eq!(confirmed, 1);
    assert!(hash.is_some());
    assert_eq!(audit_count(app, "user.password_set_by_link").await, 1);
    // The password works at the sign-in form too.
    let other = app.new_browser();
    let (status, body) = common::call_with(&other, &app.address, "login", &[("email", "wes@example.com"), ("password", PASSWORD)]).await;
    assert!(status < 400, "{status} {body}");

    // Used once: refused, with a page that says so.
    let (status, _, cookie, page) = post(&app.new_browser(), &link, "another long password", "another long password").await;
    assert_eq!(status, 410, "{page}");
    assert!(page.contains("This link has already been used."), "{page}");
    assert!(cookie.is_empty());
    let (status, page) = get(&app.new_browser(), &link).await;
    assert_eq!(status, 410);
    assert!(page.contains("already been used"), "{page}");

    // The outbox keeps the message but not its link, once sent.
    let (status, outbox) = app.call("list_outbox", &[]).await;
    assert_eq!(status, 200, "{outbox}");
    let token = &link[link.rfind('/').unwrap() + 1..];
    assert!(outbox.to_string().contains("wes@example.com") && !outbox.to_string().contains(token), "{outbox}");
}
with_smtp!(the_link_sets_the_password_once);

async fn an_expired_link_is_refused(app: &TestApp, sink: &SmtpSink) {
    let key = owner_with_key(app).await;
    // Unconfirmed and no `send_emails`: the welcome goes out by default.
    let id = create(app, &key, json!({"name": "Eve Expired", "email": "eve@example.com"})).await;
    let link = link_in(app, &email(sink, 1).await.2);
    sqlx::query("UPDATE welcome_emails SET expires_at = $1 WHERE user_id = $2")
        .bind(postern::services::now_ms() - 1)
        .bind(id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let (status, page) = get(&app.new_browser(), &link).await;
    assert_eq!(status, 410);
    assert!(page.contains("This link has expired.") && page.contains("Acme"), "{page}");
    let (status, _, cookie, page) = post(&app.new_browser(), &link, PASSWORD, PASSWORD).await;
    assert_eq!(status, 410, "{page}");
    assert!(page.contains("expired") && cookie.is_empty(), "{page}");
    assert_eq!(person_row(app, id).await, (0, None), "nothing set");
    // The person's page says so, with the button to send a new one.
    let (status, body) = app.call("get_user_sign_in", &[("user_id", &id.to_string())]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body[0][1], "Expired", "{body}");

    // A person whose app access is off sets a password but is not signed in.
    let off = create(app, &key, json!({"name": "Otto Off", "email": "otto@example.com", "app_access": false})).await;
    let link = link_in(app, &email(sink, 2).await.2);
    let (status, _, cookie, page) = post(&app.new_browser(), &link, PASSWORD, PASSWORD).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Your password is set.") && page.contains("App access is turned off"), "{page}");
    assert!(cookie.is_empty(), "not signed in: {cookie}");
    let (confirmed, hash) = person_row(app, off).await;
    assert!(confirmed == 1 && hash.is_some());
}
with_smtp!(an_expired_link_is_refused);

/// Dashboard: created with the checkbox, then sent again: the first link
/// stops working, the second works; the person's page follows.
async fn sending_again_ends_the_older_link(app: &TestApp, sink: &SmtpSink) {
    app.sign_up_owner().await;
    let form = [("form[name]", "Rae Resend"), ("form[email]", "rae@example.com"), ("form[role]", "member"), ("form[app_access]", "on"), ("send_welcome", "on")];
    let id = app.create("save_user", &form).await;
    let first = link_in(app, &email(sink, 1).await.2);
    let (_, status) = app.call("get_user_sign_in", &[("user_id", &id)]).await;
    assert_eq!(status[0][1], "Open", "{status}");
    assert!(status[0][0]["sent_by"].as_str() == Some("Olive Owner"), "{status}");

    let (code, message) = app.call("send_welcome_email", &[("user_id", &id)]).await;
    assert_eq!(code, 200, "{message}");
    assert!(message.as_str().unwrap().contains("Welcome email sent"), "{message}");
    let second = link_in(app, &email(sink, 2).await.2);
    assert_ne!(first, second);

    let (status, page) = get(&app.new_browser(), &first).await;
    assert_eq!(status, 404);
    assert!(page.contains("This link is not valid."), "{page}");
    let (status, _, _, _) = post(&app.new_browser(), &first, PASSWORD, PASSWORD).await;
    assert_eq!(status, 404);
    assert_eq!(person_row(app, id.parse().unwrap()).await, (0, None), "the old link set nothing");
    let (status, location, _, _) = post(&app.new_browser(), &second, PASSWORD, PASSWORD).await;
    assert_eq!((status, location.as_str()), (303, "/me"));
    let (_, status) = app.call("get_user_sign_in", &[("user_id", &id)]).await;
    assert_eq!(status[0][1], "Used", "{status}");
    assert_eq!(audit_count(app, "user.welcome_sent").await, 2);
}
with_smtp!(sending_again_ends_the_older_link);

/// Confirmed creation sends nothing (API with Kisi's `confirm`, dashboard
/// without the checkbox), nor does `send_emails: false`, which also stops
/// the access email on joining a group; asking sends.
async fn confirmed_creation_sends_nothing_unless_asked(app: &TestApp, sink: &SmtpSink) {
    let key = owner_with_key(app).await;
    let confirmed = create(app, &key, json!({"name": "Cy Confirmed", "email": "cy@example.com", "confirm": true})).await;
    assert_eq!(person_row(app, confirmed).await.0, 1, "Kisi's `confirm` creates confirmed");
    let managed = create(app, &key, json!({"name": "Mo Managed", "email": "mo@example.com", "send_emails": false, "password_flow_enabled": false})).await;
    app.create("save_user", &[("form[name]", "Di Dash"), ("form[email]", "di@example.com"), ("form[role]", "member"), ("form[confirmed]", "on")]).await;
    let (status, body) = api(app, &key, reqwest::Method::POST, "/users", Some(json!({"user": {"name": "X", "email": "x@example.com", "send_emails": "yes"}}))).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("true or false"), "{body}");

    // The access email follows the organization's setting and the person's switch.
    let (status, body) = app.call("save_settings", &[("name", "Acme"), ("access_email_enabled", "on")]).await;
    assert_eq!(status, 200, "{body}");
    let group = app.create("save_group", &[("form[name]", "Staff")]).await;
    for user in [managed, confirmed] {
        let (status, body) = api(app, &key, reqwest::Method::POST, "/role_assignments", Some(json!({"role_assignment": {"user_id": user, "group_id": group.parse::<i64>().unwrap()}}))).await;
        assert_eq!(status, 200, "{body}");
    }
    // The one email so far is Cy's access email: Mo asked for none.
    let (recipients, subject, _) = email(sink, 1).await;
    assert_eq!((recipients, subject.contains("Staff")), (vec!["cy@example.com".to_owned()], true));

    // Confirmed, and asked: the welcome goes out (with a link: no password yet).
    create(app, &key, json!({"name": "Al Asked", "email": "al@example.com", "confirm": true, "send_emails": true})).await;
    let (recipients, subject, text) = email(sink, 2).await;
    assert_eq!((recipients, subject.as_str()), (vec!["al@example.com".to_owned()], "Welcome to Acme"));
    link_in(app, &text);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.count(), 2, "nothing else was sent");
    let (welcomes,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM welcome_emails").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(welcomes, 1);
}
with_smtp!(confirmed_creation_sends_nothing_unless_asked);

/// Twenty submissions of one link at once: exactly one sets the password.
async fn one_link_twenty_submissions_one_password(app: &TestApp, sink: &SmtpSink) {
    let key = owner_with_key(app).await;
    let id = create(app, &key, json!({"name": "Ray Race", "email": "ray@example.com", "app_access": true, "send_emails": true})).await;
    let link = link_in(app, &email(sink, 1).await.2);
    let tries = (0..20).map(|n| {
        let (link, browser) = (link.clone(), app.new_browser());
        tokio::spawn(async move {
            let password = format!("password number {n:02}");
            let (status, _, cookie, _) = post(&browser, &link, &password, &password).await;
            (status, cookie, password)
        })
    });
    let tries: Vec<_> = tries.collect();
    let mut results: Vec<(u16, String, String)> = Vec::new();
    for attempt in tries {
        results.push(attempt.await.unwrap());
    }
    let winners: Vec<&(u16, String, String)> = results.iter().filter(|(status, _, _)| *status == 303).collect();
    assert_eq!(winners.len(), 1, "{:?}", results.iter().map(|r| r.0).collect::<Vec<_>>());
    assert!(results.iter().all(|(status, _, _)| *status == 303 || *status == 410), "{:?}", results.iter().map(|r| r.0).collect::<Vec<_>>());
    assert!(results.iter().filter(|r| r.0 == 410).all(|(_, cookie, _)| cookie.is_empty()));
    assert_eq!(audit_count(app, "user.password_set_by_link").await, 1);
    let (sessions,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE user_id = $1").bind(id).fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(sessions, 1, "one person signed in");
    // The winner's password is the one set.
    let winner = &winners[0].2;
    let (status, body) = common::call_with(&app.new_browser(), &app.address, "login", &[("email", "ray@example.com"), ("password", winner)]).await;
    assert!(status < 400, "{status} {body}");
}
with_smtp!(one_link_twenty_submissions_one_password);

/// Unknown tokens are counted like access links' (one count); past the
/// limit the page answers 429, and a real link still opens.
async fn unknown_tokens_are_counted(app: &TestApp, sink: &SmtpSink) {
    let key = owner_with_key(app).await;
    create(app, &key, json!({"name": "Gus Guess", "email": "gus@example.com"})).await;
    let link = link_in(app, &email(sink, 1).await.2);
    let browser = app.new_browser();
    let limit = postern::services::access_links::MAX_MISSES_PER_IP;
    for n in 0..limit {
        let (status, page) = get(&browser, &format!("{}/set-password/{}", app.address, postern::services::tokens::random_token())).await;
        assert_eq!(status, 404, "miss {n}: {page}");
        assert!(page.contains("This link is not valid."));
    }
    let (misses,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM link_token_misses").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(misses, limit, "only misses are counted");
    let (status, page) = get(&browser, &format!("{}/l/{}", app.address, postern::services::tokens::random_token())).await;
    assert_eq!(status, 429, "an access link's miss past the shared limit: {page}");
    let (status, page) = get(&browser, &link).await;
    assert_eq!(status, 200, "a real link still opens: {page}");
}
with_smtp!(unknown_tokens_are_counted);

// ---- role boundaries: welcome emails and logins --------------------------------------

/// Managers send welcome emails to members only; members send none. Logins
/// show on the person's page without their secret; revoking one there makes
/// it answer 401 at once; managers revoke members' only, members their own.
async fn role_boundaries_and_logins(app: &TestApp, sink: &SmtpSink) {
    app.sign_up_owner().await;
    let (_, manager) = signed_in(app, "manny@example.com", Role::Manager).await;
    let (member_id, member) = signed_in(app, "mel@example.com", Role::Member).await;
    let (admin_id, _) = signed_in(app, "ada@example.com", Role::Admin).await;
    let newcomer = app.insert_person("nia@example.com", Role::Member).await.to_string();

    let send = |browser: &reqwest::Client, id: String| {
        let browser = browser.clone();
        let address = app.address.clone();
        async move { common::call_with(&browser, &address, "send_welcome_email", &[("user_id", &id)]).await }
    };
    let (status, body) = send(&manager, newcomer.clone()).await;
    assert_eq!(status, 200, "a manager welcomes a member: {body}");
    assert_eq!(email(sink, 1).await.0, vec!["nia@example.com".to_owned()]);
    let (status, body) = send(&manager, admin_id.to_string()).await;
    assert_eq!(status, 403, "not staff: {body}");
    let (status, body) = send(&member, newcomer.clone()).await;
    assert_eq!(status, 403, "members send none: {body}");
    let (status, body) = send(&app.new_browser(), newcomer.clone()).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(audit_count(app, "user.welcome_sent").await, 1, "only the allowed one was sent");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.count(), 1);

    // Mel signs in through the API (Kisi's logins); the secret works.
    let login = |email: &'static str| {
        let address = app.address.clone();
        async move {
            let body = json!({"login": {"type": "device", "name": "phone"}, "user": {"email": email, "password": PASSWORD}});
            let response = reqwest::Client::new().post(format!("{address}/api/logins")).json(&body).send().await.unwrap();
            assert_eq!(response.status(), 200);
            let body: Value = response.json().await.unwrap();
            (body["id"].as_i64().unwrap(), body["secret"].as_str().unwrap().to_owned())
        }
    };
    let (mel_login, mel_secret) = login("mel@example.com").await;
    let (ada_login, ada_secret) = login("ada@example.com").await;
    let whoami = |secret: String| {
        let address = app.address.clone();
        async move {
            reqwest::Client::new().get(format!("{address}/api/user")).header("authorization", format!("KISI-LOGIN {secret}")).send().await.unwrap().status().as_u16()
        }
    };
    assert_eq!(whoami(mel_secret.clone()).await, 200);

    // The person's page lists it, without its secret.
    let (status, body) = common::call_with(&manager, &app.address, "get_user_sign_in", &[("user_id", &member_id.to_string())]).await;
    assert_eq!(status, 200, "{body}");
    let logins = body[1].as_array().expect("a manager sees a member's logins");
    assert_eq!(logins.len(), 1, "{body}");
    assert_eq!((logins[0]["id"].as_i64(), logins[0]["name"].as_str()), (Some(mel_login), Some("phone")));
    assert!(logins[0]["created_at"].as_i64().is_some());
    assert!(!body.to_string().contains(&mel_secret[4..]), "no secret: {body}");
    let (_, body) = common::call_with(&manager, &app.address, "get_user_sign_in", &[("user_id", &admin_id.to_string())]).await;
    assert!(body[1].is_null(), "a manager does not see staff's logins: {body}");

    // Revoking: others' refused, a manager on a member's done: 401 at once.
    let revoke = |browser: &reqwest::Client, id: i64| {
        let browser = browser.clone();
        let address = app.address.clone();
        async move { common::call_with(&browser, &address, "revoke_login", &[("id", &id.to_string())]).await.0 }
    };
    assert_eq!(revoke(&member, ada_login).await, 403, "a member ends only their own");
    assert_eq!(revoke(&manager, ada_login).await, 403, "a manager does not end staff's");
    assert_eq!(revoke(&app.new_browser(), mel_login).await, 401);
    assert_eq!(whoami(ada_secret.clone()).await, 200, "refused changes change nothing");
    assert_eq!(whoami(mel_secret.clone()).await, 200);
    assert_eq!(revoke(&manager, mel_login).await, 200);
    assert_eq!(whoami(mel_secret).await, 401, "revoked from the dashboard: refused at once");
    let (_, body) = common::call_with(&manager, &app.address, "get_user_sign_in", &[("user_id", &member_id.to_string())]).await;
    assert_eq!(body[1].as_array().map(Vec::len), Some(0), "{body}");
    // A person ends their own; the owner (admin) anyone's.
    let (mel_again, mel_again_secret) = login("mel@example.com").await;
    assert_eq!(revoke(&member, mel_again).await, 200);
    assert_eq!(whoami(mel_again_secret).await, 401);
    assert_eq!(revoke(&app.client, ada_login).await, 200);
    assert_eq!(whoami(ada_secret).await, 401);
    assert_eq!(audit_count(app, "login.revoked").await, 3);
}
with_smtp!(role_boundaries_and_logins);

// ---- the command line: `postern user add … --welcome` ------------------------------

fn postern_cli(args: &[&str], env: &[(&str, String)]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_postern"));
    command.args(args).env("POSTERN_LOG", "error").env_remove("POSTERN_DATABASE_URL").env_remove("POSTERN_SMTP_HOST");
    for (name, value) in env {
        command.env(name, value);
    }
    command.stdin(std::process::Stdio::null()).output().expect("the binary runs")
}

/// Without SMTP the link is printed; with it, the email goes out through the
/// real server. Either way the person is unconfirmed, without a password,
/// and the link resolves to them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_adds_a_person_with_a_welcome() {
    let path = std::env::temp_dir().join(format!("postern-welcome-cli-{}-{:08x}.db", std::process::id(), rand::random::<u32>()));
    let url = format!("sqlite://{}", path.display());
    let out = postern_cli(&["--database-url", &url, "user", "add", "--email", "pia@example.com", "--name", "Pia Printed", "--welcome"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(String::from_utf8_lossy(&out.stderr).contains("SMTP is not configured"));
    let printed = stdout.lines().find(|l| l.contains("/set-password/")).unwrap_or_else(|| panic!("a link: {stdout}")).trim().to_owned();

    let sink = SmtpSink::start().await;
    let smtp = [("POSTERN_SMTP_HOST", "127.0.0.1".to_owned()), ("POSTERN_SMTP_PORT", sink.settings().port.to_string()),
        ("POSTERN_SMTP_TLS", "none".to_owned()), ("POSTERN_SMTP_FROM", "Doors <doors@example.com>".to_owned())];
    let out = postern_cli(&["--database-url", &url, "user", "add", "--email", "sam@example.com", "--name", "Sam Sent", "--welcome"], &smtp);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("/set-password/"), "the link is not printed when emailed");
    let (recipients, _, text) = email(&sink, 1).await;
    assert_eq!(recipients, vec!["sam@example.com".to_owned()]);
    let emailed = text.split_whitespace().find(|w| w.contains("/set-password/")).expect("a link in the email").to_owned();

    let db = postern::services::Db::connect(&url).await.unwrap();
    for (email, link) in [("pia@example.com", printed), ("sam@example.com", emailed)] {
        let person = users::find_by_email(&db, &Email::parse(email).unwrap()).await.unwrap().unwrap();
        assert!(!person.confirmed && !person.has_password, "{email}");
        let token = &link[link.rfind('/').unwrap() + 1..];
        match postern::services::welcome::resolve(&db, token, "127.0.0.1").await.unwrap() {
            postern::services::welcome::LinkLookup::Open { user_id, .. } => assert_eq!(user_id, person.id),
            other => panic!("{email}: {other:?}"),
        }
    }
    db.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
