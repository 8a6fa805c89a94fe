//! Access links end to end over HTTP, on SQLite and PostgreSQL: created
//! through the dashboard's server function, opened and pressed on the
//! visitor's page as a phone would, with the rules, quotas and events.

mod common;

use common::{field_message, TestApp};
use postern_server::config::Config;
use serde_json::Value;

struct Site {
    wired: String,
    group: String,
}

/// The owner, a place, a wired door with a geofence and a reader
/// restriction (which links skip), and group "Visitors" with the door.
async fn site(app: &TestApp) -> Site {
    app.sign_up_owner().await;
    let place = app.create("save_place", &[("form[name]", "HQ"), ("form[latitude]", "40.7"), ("form[longitude]", "-74.0"), ("form[time_zone]", "America/New_York")]).await;
    let controller = app.create("save_controller", &[("form[name]", "C1"), ("form[place_id]", &place)]).await;
    let (reader,): (i64,) = sqlx::query_as("SELECT id FROM readers WHERE controller_id = $1 ORDER BY id LIMIT 1")
        .bind(controller.parse::<i64>().unwrap())
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let reader = reader.to_string();
    let wired = app
        .create(
        "save_door",
        &[
            ("form[name]", "Front"),
            ("form[place_id]", &place),
            ("form[controller_id]", &controller),
            ("form[relay]", "1"),
            ("form[pulse_seconds]", "3"),
            ("form[geofence_enabled]", "on"),
            ("form[reader_id]", &reader),
            ("form[reader_restriction]", "on"),
        ],
    )
    .await;
    let group = app.create("save_group", &[("form[name]", "Visitors")]).await;
    assert_eq!(app.call("change_group_door", &[("group_id", &group), ("door_id", &wired), ("add", "true")]).await.0, 200);
    Site { wired, group }
}

/// Sends a link; returns the JSON of the new link.
async fn send(app: &TestApp, fields: &[(&str, &str)]) -> (u16, Value) {
    let form: Vec<(String, &str)> = fields.iter().map(|(k, v)| (format!("form[{k}]"), *v)).collect();
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    app.call("send_access_link", &form).await
}

async fn manual(app: &TestApp, site: &Site, extra: &[(&str, &str)]) -> (i64, String) {
    let mut fields = vec![("recipient_name", "Vera Visitor"), ("channel", "manual"), ("group_id", site.group.as_str())];
    fields.extend_from_slice(extra);
    let (status, body) = send(app, &fields).await;
    assert_eq!(status, 200, "{body}");
    let url = body["url"].as_str().expect("a manual link's URL comes back once").to_owned();
    (body["link"]["id"].as_i64().unwrap(), url)
}

/// A phone with no cookies and no dashboard session: follows nothing.
fn phone() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn open(url: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let response = phone().get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

/// Presses a door's Unlock button; returns the page the redirect leads to.
async fn press(url: &str, door: &str) -> String {
    let response = phone().post(url).form(&[("door_id", door)]).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 303, "a press answers with a redirect back to the page");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let origin = url.split("/l/").next().unwrap();
    open(&format!("{origin}{location}")).await.2
}

async fn link_events(app: &TestApp) -> Vec<(String, String, Option<i64>, String, String)> {
    sqlx::query_as("SELECT actor_kind, result, link_id, method, reasons FROM events WHERE action = 'unlock' ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
}

async fn a_manual_link_is_shown_once_and_unlocks_without_signing_in(app: &TestApp) {
    let site = site(app).await;
    let (id, url) = manual(app, &site, &[]).await;
    let token = url.rsplit('/').next().unwrap().to_owned();
    assert!(token.len() >= 22, "at least 128 bits: {token}");
    // The database holds only the token's hash.
    let (stored,): (String,) = sqlx::query_as("SELECT token_hash FROM access_links WHERE id = $1").bind(id).fetch_one(app.db.pool()).await.unwrap();
    assert_ne!(stored, token);
    assert!(!stored.contains(&token));
    // The list never shows it again.
    let (_, list) = app.call("list_access_links", &[("query", "")]).await;
    assert_eq!(list["items"][0]["recipient_name"], "Vera Visitor");
    assert!(!list.to_string().contains(&token));

    // Opening the page (a GET, as a mail scanner would) unlocks nothing.
    let (status, headers, page) = open(&url).await;
    assert_eq!(status, 200);
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(page.contains("Vera Visitor") && page.contains("Acme") && page.contains("Front"), "{page}");
    assert!(page.contains("method=\"post\""), "Unlock is a POST form");
    assert!(!page.contains("/pkg/"), "the link page loads no Wasm");
    assert!(link_events(app).await.is_empty());

    // A press unlocks: geofence and reader restrictions do not apply to links.
    let after = press(&url, &site.wired).await;
    assert!(after.contains("Front is unlocked."), "{after}");
    let events = link_events(app).await;
    assert_eq!(events.len(), 1);
    let (kind, result, link_id, method, _) = &events[0];
    assert_eq!((kind.as_str(), result.as_str(), *link_id, method.as_str()), ("link", "granted", Some(id), "link"));
    let (_, list) = app.call("list_access_links", &[("query", "")]).await;
    assert_eq!(list["items"][0]["uses"], 1);
    assert!(list["items"][0]["last_used_at"].is_i64());
}
on_both_databases!(a_manual_link_is_shown_once_and_unlocks_without_signing_in);

async fn revoked_and_unknown_links_get_the_same_page(app: &TestApp) {
    let site = site(app).await;
    let (id, url) = manual(app, &site, &[]).await;
    assert_eq!(app.call("revoke_access_link", &[("id", &id.to_string())]).await.0, 200);
    let (status, headers, revoked) = open(&url).await;
    let unknown_url = format!("{}/l/{}", app.address, "A".repeat(43));
    let (unknown_status, _, unknown) = open(&unknown_url).await;
    assert_eq!((status, unknown_status), (410, 410));
    assert_eq!(revoked, unknown, "a revoked link reveals nothing an unknown one does not");
    assert!(revoked.contains("This link is not valid."));
    assert_eq!(headers["cache-control"], "no-store");
    // Pressing anyway unlocks nothing: answered like an unknown link, logged as denied.
    let response = phone().post(&url).form(&[("door_id", site.wired.as_str())]).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 410);
    assert_eq!(response.text().await.unwrap(), unknown);
    let events = link_events(app).await;
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].1.as_str(), events[0].4.as_str()), ("denied", "[\"credential_revoked\"]"));
    let (_, list) = app.call("list_access_links", &[("query", "")]).await;
    assert_eq!(list["items"][0]["status"], "revoked");
}
on_both_databases!(revoked_and_unknown_links_get_the_same_page);

async fn validity_and_use_limits_apply(app: &TestApp) {
    let site = site(app).await;
    // Not yet valid: a countdown, no Unlock buttons; a press is refused.
    let (_, later) = manual(app, &site, &[("valid_from", "2099-01-01T09:00"), ("time_zone", "America/New_York")]).await;
    let (status, _, page) = open(&later).await;
    assert_eq!(status, 200);
    assert!(page.contains("Not valid yet.") && page.contains("data-starts"), "{page}");
    assert!(!page.contains("method=\"post\""));
    let refused = press(&later, &site.wired).await;
    assert!(!refused.contains("is unlocked"), "{refused}");
    // One unlock in total: the second press is refused, then the page says so.
    let (_, once) = manual(app, &site, &[("use_limit", "1"), ("use_limit_period", "total")]).await;
    let first = press(&once, &site.wired).await;
    assert!(first.contains("is unlocked"), "{first}");
    let (status, _, page) = open(&once).await;
    assert_eq!(status, 410);
    assert!(page.contains("used as many times as it allows"), "{page}");
    assert_eq!(press(&once, &site.wired).await.contains("is unlocked"), false);
    // One a day: the second press today is refused with the reason.
    let (daily_id, daily) = manual(app, &site, &[("use_limit", "1"), ("use_limit_period", "day")]).await;
    assert!(press(&daily, &site.wired).await.contains("is unlocked"));
    let second = press(&daily, &site.wired).await;
    assert!(second.contains("did not open") && second.contains("used as many times as it allows"), "{second}");
    // Expired: the page says so and whom to ask.
    sqlx::query("UPDATE access_links SET valid_until = 1000 WHERE id = $1").bind(daily_id).execute(app.db.pool()).await.unwrap();
    let (status, _, page) = open(&daily).await;
    assert_eq!(status, 410);
    assert!(page.contains("This link has expired.") && page.contains("Olive Owner"), "{page}");
    let reasons: Vec<String> = link_events(app).await.into_iter().filter(|e| e.1 == "denied").map(|e| e.4).collect();
    assert!(reasons.iter().any(|r| r.contains("credential_not_yet_valid")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("credential_used_up")), "{reasons:?}");
}
on_both_databases!(validity_and_use_limits_apply);

async fn lockdown_and_time_restrictions_still_apply(app: &TestApp) {
    let site = site(app).await;
    let (_, url) = manual(app, &site, &[]).await;
    assert_eq!(app.call("set_door_lockdown", &[("door_id", &site.wired), ("on", "true")]).await.0, 200);
    let page = press(&url, &site.wired).await;
    assert!(page.contains("did not open") && page.contains("locked down"), "{page}");
    let (_, explained) = app.call("explain_access", &[("query[link]", "1"), ("query[door]", &site.wired)]).await;
    let checks = explained["explanation"]["checks"].as_array().expect("an explanation").clone();
    let lockdown = checks.iter().find(|c| c["rule"] == "Lockdown").unwrap();
    assert_eq!(lockdown["passed"], false, "{explained}");
    let geofence = checks.iter().find(|c| c["rule"] == "Geofence").unwrap();
    assert_eq!(geofence["details"][0], "Does not apply to access links.");
}
on_both_databases!(lockdown_and_time_restrictions_still_apply);

async fn bad_input_gets_messages_beside_the_fields(app: &TestApp) {
    let site = site(app).await;
    let (status, body) = send(app, &[("recipient_name", ""), ("channel", "email"), ("email", "nope"), ("group_id", "")]).await;
    assert_eq!(status, 422);
    for field in ["recipient_name", "email", "group_id"] {
        assert!(field_message(&body, field).is_some(), "{field}: {body}");
    }
    // Only +1 numbers of the US, Canada and Puerto Rico take text messages.
    let (status, body) = send(app, &[("recipient_name", "Una"), ("channel", "sms"), ("phone", "+44 20 7946 0958"), ("group_id", &site.group)]).await;
    assert_eq!(status, 422);
    assert!(field_message(&body, "phone").unwrap().contains("United States, Canada and Puerto Rico"), "{body}");
    let (status, body) = send(app, &[("recipient_name", "Una"), ("channel", "manual"), ("group_id", "999")]).await;
    assert_eq!(status, 422, "{body}");
    assert!(field_message(&body, "group_id").is_some());
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM access_links").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(count, 0);
}
on_both_databases!(bad_input_gets_messages_beside_the_fields);

fn small_quotas(config: &mut Config) {
    config.link_settings.email_quota = 2;
    config.link_settings.sms_monthly_quota = 1;
}

async fn quotas_refuse_with_a_clear_message(app: &TestApp) {
    let site = site(app).await;
    let email = |n: u32| format!("guest{n}@example.com");
    let mut ids = Vec::new();
    for n in 0..2 {
        let address = email(n);
        let (status, body) = send(app, &[("recipient_name", "Guest"), ("channel", "email"), ("email", &address), ("group_id", &site.group)]).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["url"].is_null(), "an emailed link is not shown");
        assert!(body["delivery"].as_str().unwrap().contains("outbox"), "no SMTP configured: {body}");
        ids.push(body["link"]["id"].as_i64().unwrap());
    }
    let third = email(2);
    let (status, body) = send(app, &[("recipient_name", "Guest"), ("channel", "email"), ("email", &third), ("group_id", &site.group)]).await;
    assert_eq!(status, 422);
    assert!(field_message(&body, "channel").unwrap().contains("2 email links are in use"), "{body}");
    // A revoked link no longer counts.
    assert_eq!(app.call("revoke_access_link", &[("id", &ids[0].to_string())]).await.0, 200);
    let (status, _) = send(app, &[("recipient_name", "Guest"), ("channel", "email"), ("email", &third), ("group_id", &site.group)]).await;
    assert_eq!(status, 200);
    // Text messages: one a month here; a Puerto Rico number is accepted.
    let (status, body) = send(app, &[("recipient_name", "Pia"), ("channel", "sms"), ("phone", "+1 787 555 0123"), ("group_id", &site.group)]).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(app, &[("recipient_name", "Pia"), ("channel", "sms"), ("phone", "+1 212 555 0123"), ("group_id", &site.group)]).await;
    assert_eq!(status, 422);
    assert!(field_message(&body, "channel").unwrap().contains("this month"), "{body}");
    let (_, options) = app.call("access_link_form_options", &[]).await;
    assert_eq!((options["quotas"]["email_in_use"].as_i64(), options["quotas"]["sms_this_month"].as_i64()), (Some(2), Some(1)));
    // Held messages wait in the outbox, with the link, for an admin.
    let (status, outbox) = app.call("list_outbox", &[]).await;
    assert_eq!(status, 200);
    let messages = outbox.as_array().unwrap();
    assert_eq!(messages.len(), 4, "{outbox}");
    assert!(messages.iter().all(|m| m["status"] == "Held" && m["body_text"].as_str().unwrap().contains("/l/")));
}
on_both_databases!(quotas_refuse_with_a_clear_message, small_quotas);

async fn guessing_tokens_is_rate_limited(app: &TestApp) {
    site(app).await;
    let mut last = 0;
    for n in 0..32 {
        let url = format!("{}/l/{:0>43}", app.address, n);
        last = open(&url).await.0;
    }
    assert_eq!(last, 429, "wrong tokens from one address are refused after a while");
}
on_both_databases!(guessing_tokens_is_rate_limited);

/// The default quotas of SPEC §4: the 11th text link of a month and the
/// 1001st email link in use are refused.
async fn the_default_quotas_are_ten_texts_a_month_and_a_thousand_emails(app: &TestApp) {
    use postern::model::LinkForm;
    use postern::services::{access_links, messaging::Messenger, users};
    let site = site(app).await;
    for n in 0..10 {
        let phone = format!("+1 212 555 {:04}", 100 + n);
        let (status, body) = send(app, &[("recipient_name", "Tex"), ("channel", "sms"), ("phone", &phone), ("group_id", &site.group)]).await;
        assert_eq!(status, 200, "text link {}: {body}", n + 1);
    }
    let (status, body) = send(app, &[("recipient_name", "Tex"), ("channel", "sms"), ("phone", "+1 212 555 0999"), ("group_id", &site.group)]).await;
    assert_eq!(status, 422, "the 11th text link of the month is refused");
    assert!(field_message(&body, "channel").unwrap().contains("10 text-message links were sent this month"), "{body}");

    let owner = users::find_by_email(&app.db, &postern::types::Email::parse("owner@example.com").unwrap()).await.unwrap().unwrap();
    let owner = postern::model::SessionUser { id: owner.id, name: owner.name, email: owner.email, role: owner.role };
    let messenger = Messenger::new(None, None);
    let settings = access_links::LinkSettings::default();
    let form = |n: u32| LinkForm {
        recipient_name: "Guest".into(),
        channel: "email".into(),
        email: format!("guest{n}@example.com"),
        group_id: site.group.clone(),
        ..Default::default()
    };
    for n in 0..1000 {
        access_links::create(&app.db, &messenger, &settings, &owner, form(n).validate().unwrap(), &app.address).await.unwrap();
    }
    let refused = access_links::create(&app.db, &messenger, &settings, &owner, form(1000).validate().unwrap(), &app.address).await;
    let message = match refused {
        Err(postern::services::ServiceError::Invalid(errors)) => errors.get("channel").unwrap_or_default().to_owned(),
        other => panic!("the 1001st email link must be refused: {other:?}"),
    };
    assert!(message.contains("1000 email links are in use"), "{message}");
}
on_both_databases!(the_default_quotas_are_ten_texts_a_month_and_a_thousand_emails);
