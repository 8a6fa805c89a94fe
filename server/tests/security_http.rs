//! Hardening over HTTP against the real server, on SQLite and PostgreSQL:
//! link guessing never blocks a valid link, the Content-Security-Policy of
//! the dashboard's pages (with the hydration scripts' nonce) and of the
//! visitor's page, HSTS and `__Host-` cookies when secure, and the JSON
//! API's rate limits (burst, `Retry-After`, `RateLimit-*` headers).

mod common;

use common::TestApp;
use postern::services::{api_keys, users};
use postern::types::{Email, Name};
use postern_server::config::{Config, Rate, RateLimits, TrustedProxies};
use serde_json::Value;

/// The owner, a place, a wired door and group "Visitors" with the door.
async fn site(app: &TestApp) -> (String, String) {
    app.sign_up_owner().await;
    let place = app.create("save_place", &[("form[name]", "HQ"), ("form[latitude]", "40.7"), ("form[longitude]", "-74.0"), ("form[time_zone]", "UTC")]).await;
    let controller = app.create("save_controller", &[("form[name]", "C1"), ("form[place_id]", &place)]).await;
    let door = app
        .create("save_door", &[("form[name]", "Front"), ("form[place_id]", &place), ("form[controller_id]", &controller), ("form[relay]", "1"), ("form[pulse_seconds]", "3")])
        .await;
    let group = app.create("save_group", &[("form[name]", "Visitors")]).await;
    assert_eq!(app.call("change_group_door", &[("group_id", &group), ("door_id", &door), ("add", "true")]).await.0, 200);
    (door, group)
}

/// A manual access link's URL (shown once).
async fn manual_link(app: &TestApp, group: &str) -> String {
    let (status, body) = app
        .call("send_access_link", &[("form[recipient_name]", "Vera Visitor"), ("form[channel]", "manual"), ("form[group_id]", group)])
        .await;
    assert_eq!(status, 200, "{body}");
    body["url"].as_str().expect("the link's URL").to_owned()
}

/// A phone with no cookies that follows no redirects.
fn phone() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// 30 wrong tokens from one address, then more (refused with 429), then a
/// valid link from the same address: it opens and unlocks.
async fn a_valid_link_opens_after_thirty_wrong_tokens_from_the_same_address(app: &TestApp) {
    let (door, group) = site(app).await;
    let url = manual_link(app, &group).await;
    for n in 0..30 {
        let response = phone().get(format!("{}/l/{n:0>43}", app.address)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 410, "wrong token {n} looks like a revoked link");
    }
    let response = phone().get(format!("{}/l/{:0>43}", app.address, 99)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 429, "the 31st wrong token is refused");
    assert!(response.headers().contains_key("retry-after"));

    let response = phone().get(&url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "the real link still opens");
    assert!(response.text().await.unwrap().contains("Hello, Vera Visitor"));
    let press = phone().post(&url).form(&[("door_id", door.as_str())]).send().await.unwrap();
    assert_eq!(press.status().as_u16(), 303, "the press is taken");
    let location = press.headers()["location"].to_str().unwrap().to_owned();
    let page = phone().get(format!("{}{location}", app.address)).send().await.unwrap().text().await.unwrap();
    let (granted,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE action = 'unlock' AND result = 'granted' AND link_id IS NOT NULL")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(granted, 1, "the link unlocked the door: {page}");
}
on_both_databases!(a_valid_link_opens_after_thirty_wrong_tokens_from_the_same_address);

/// The `nonce-…` source of a policy's `directive`.
fn nonce_in(policy: &str, directive: &str) -> Option<String> {
    let sources = policy.split(';').map(str::trim).find(|d| d.starts_with(directive))?;
    sources.split_whitespace().find_map(|s| s.strip_prefix("'nonce-")?.strip_suffix('\'').map(str::to_owned))
}

/// Every page has a policy; the dashboard's names the nonce its hydration
/// script carries, and allows no inline script otherwise; the visitor's page
/// allows only its own style and script (by hash); other answers allow nothing.
async fn pages_carry_a_content_security_policy(app: &TestApp) {
    let (_, group) = site(app).await;
    let response = phone().get(format!("{}/login", app.address)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let policy = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    let page = response.text().await.unwrap();
    let nonce = nonce_in(&policy, "script-src").unwrap_or_else(|| panic!("no nonce in {policy}"));
    assert!(nonce.len() >= 16, "{nonce}");
    assert!(page.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the nonce: {page}");
    assert!(!policy.contains("'unsafe-inline'") && !policy.contains("'unsafe-eval'"), "{policy}");
    assert!(policy.contains("'wasm-unsafe-eval'") && policy.contains("frame-ancestors 'none'"), "{policy}");
    // A new nonce for every response.
    let again = phone().get(format!("{}/login", app.address)).send().await.unwrap();
    let again = nonce_in(again.headers()["content-security-policy"].to_str().unwrap(), "script-src").unwrap();
    assert_ne!(again, nonce);

    let url = manual_link(app, &group).await;
    let response = phone().get(&url).send().await.unwrap();
    let policy = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    let page = response.text().await.unwrap();
    assert!(policy.starts_with("default-src 'none';"), "{policy}");
    for directive in ["style-src 'sha256-", "script-src 'sha256-", "form-action 'self'", "frame-ancestors 'none'"] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(!policy.contains("unsafe-inline") && !policy.contains("nonce"), "{policy}");
    assert_eq!(page.matches("<script").count(), 1, "one inline script, the countdown: {page}");
    // The hashes are those of the page's own style and script, as a browser checks them.
    let inline = |tag: &str| {
        let start = page.find(&format!("<{tag}>")).unwrap() + tag.len() + 2;
        let end = start + page[start..].find(&format!("</{tag}>")).unwrap();
        use base64::Engine;
        use sha2::Digest;
        format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&page[start..end])))
    };
    assert!(policy.contains(&format!("style-src {};", inline("style"))), "{policy}");
    assert!(policy.contains(&format!("script-src {};", inline("script"))), "{policy}");

    let response = phone().get(format!("{}/healthz", app.address)).send().await.unwrap();
    assert!(response.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
    assert!(!response.headers().contains_key("strict-transport-security"), "no HSTS over plain HTTP");
}
on_both_databases!(pages_carry_a_content_security_policy);

fn secure(config: &mut Config) {
    config.cookie_secure = true;
}

/// With `cookie_secure` on: HSTS on every answer, and the session and
/// device cookies named `__Host-…`, `Secure`, for the whole host.
async fn secure_cookies_use_the_host_prefix_and_hsts(app: &TestApp) {
    let response = phone().get(format!("{}/login", app.address)).send().await.unwrap();
    assert_eq!(response.headers()["strict-transport-security"], "max-age=31536000");
    let (email, password) = app.sign_up_owner().await;
    let response = phone()
        .post(format!("{}/rpc/login", app.address))
        .header("origin", &app.address)
        .header("accept", "application/json")
        .form(&[("email", email.as_str()), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let cookies: Vec<String> = response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    for name in ["__Host-postern_session=", "__Host-postern_device="] {
        let cookie = cookies.iter().find(|c| c.starts_with(name)).unwrap_or_else(|| panic!("no {name} in {cookies:?}"));
        assert!(cookie.contains("; Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"), "{cookie}");
    }
    // The session works under its prefixed name, and only under it.
    let session = cookies.iter().find(|c| c.starts_with("__Host-postern_session=")).unwrap().split(';').next().unwrap().to_owned();
    let ask = |cookie: String| {
        let address = app.address.clone();
        async move {
            phone()
                .post(format!("{address}/rpc/session"))
                .header("origin", &address)
                .header("accept", "application/json")
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(ask(session.clone()).await["email"], email);
    assert!(ask(session.replace("__Host-", "")).await.is_null(), "the unprefixed name is not read");
}
on_both_databases!(secure_cookies_use_the_host_prefix_and_hsts, secure);

/// The owner's API key.
async fn owner_key(app: &TestApp) -> String {
    app.sign_up_owner().await;
    let owner = users::find_by_email(&app.db, &Email::parse("owner@example.com").unwrap()).await.unwrap().unwrap();
    api_keys::issue(&app.db, owner.id, &Name::parse("integration").unwrap()).await.unwrap().secret
}

async fn api_get(app: &TestApp, key: Option<&str>, forwarded: Option<&str>) -> reqwest::Response {
    let mut request = phone().get(format!("{}/api/organizations", app.address));
    if let Some(key) = key {
        request = request.header("authorization", format!("KISI-LOGIN {key}"));
    }
    if let Some(address) = forwarded {
        request = request.header("x-forwarded-for", address);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> u64 {
    response.headers().get(name).unwrap_or_else(|| panic!("no {name}")).to_str().unwrap().parse().unwrap()
}

/// At the defaults (5 per second, burst 60 per key) an integration's 40 calls
/// in a row all pass, each saying how many are left.
async fn forty_calls_in_a_row_pass_at_the_default_limits(app: &TestApp) {
    let key = owner_key(app).await;
    let mut remaining = Vec::new();
    for n in 0..40 {
        let response = api_get(app, Some(&key), None).await;
        assert_eq!(response.status().as_u16(), 200, "call {n}");
        assert_eq!(header(&response, "ratelimit-limit"), 60);
        assert!(header(&response, "ratelimit-reset") >= 1);
        remaining.push(header(&response, "ratelimit-remaining"));
    }
    assert!(remaining[0] == 59 && remaining[39] < remaining[0], "{remaining:?}");
    // An answer without a key carries the per-IP bucket's headers (burst 200).
    let response = api_get(app, None, None).await;
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(header(&response, "ratelimit-limit"), 200);
}
on_both_databases!(forty_calls_in_a_row_pass_at_the_default_limits);

fn small_burst(config: &mut Config) {
    config.api_limits = RateLimits { per_key: Some(Rate::new(1, 10)), per_ip: Some(Rate::new(1_000, 1_000)) };
}

/// Past the burst: 429 with `Retry-After` and no requests remaining.
async fn a_burst_beyond_the_limit_gets_429_with_retry_after(app: &TestApp) {
    let key = owner_key(app).await;
    for n in 0..10 {
        assert_eq!(api_get(app, Some(&key), None).await.status().as_u16(), 200, "call {n} is within the burst");
    }
    let limited = api_get(app, Some(&key), None).await;
    assert_eq!(limited.status().as_u16(), 429);
    assert!(header(&limited, "retry-after") >= 1);
    assert_eq!(header(&limited, "ratelimit-remaining"), 0);
    assert_eq!(header(&limited, "ratelimit-limit"), 10);
    assert!(header(&limited, "ratelimit-reset") >= 9, "1 per second refills 10 in about 10 s");
}
on_both_databases!(a_burst_beyond_the_limit_gets_429_with_retry_after, small_burst);

fn three_per_ip_behind_a_proxy(config: &mut Config) {
    config.api_limits = RateLimits { per_key: None, per_ip: Some(Rate::new(1, 3)) };
    config.trusted_proxies = TrustedProxies::parse(["127.0.0.0/8"]).unwrap();
}

/// Behind a trusted proxy each forwarded client has its own per-IP bucket.
async fn the_per_ip_limit_counts_forwarded_clients_behind_a_trusted_proxy(app: &TestApp) {
    for _ in 0..3 {
        assert_eq!(api_get(app, None, Some("203.0.113.1")).await.status().as_u16(), 401);
    }
    assert_eq!(api_get(app, None, Some("203.0.113.1")).await.status().as_u16(), 429);
    assert_eq!(api_get(app, None, Some("203.0.113.2")).await.status().as_u16(), 401, "another client has its own bucket");
}
on_both_databases!(the_per_ip_limit_counts_forwarded_clients_behind_a_trusted_proxy, three_per_ip_behind_a_proxy);
