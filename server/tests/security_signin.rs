//! Sign-in abuse, over HTTP against the real server on SQLite and
//! PostgreSQL: attempts counted before the password is checked (a burst
//! cannot slip past the limit), the per-account ceiling against guessing
//! spread over many addresses, the owner's usual browser (device cookie)
//! unaffected, lock-outs per (account, address) that grow, the email bounded
//! before anything is stored, and the client's address read from
//! `X-Forwarded-For` only behind a trusted proxy.

mod common;

use common::{field_message, TestApp};
use postern::services::login_throttle::{MAX_PER_ACCOUNT, MAX_PER_PAIR};
use postern::services::passwords;
use postern_server::config::{Config, TrustedProxies};
use serde_json::Value;

/// The test client reaches the server from 127.0.0.1: a trusted proxy here,
/// so each request says which address it comes from in `X-Forwarded-For`.
fn behind_proxy(config: &mut Config) {
    config.trusted_proxies = TrustedProxies::parse(["127.0.0.1"]).unwrap();
}

/// `login` from `browser`, as forwarded for `address`.
async fn login_from(app: &TestApp, browser: &reqwest::Client, address: &str, email: &str, password: &str) -> (u16, Value) {
    let response = browser
        .post(format!("{}/rpc/login", app.address))
        .header("accept", "application/json")
        .header("x-forwarded-for", address)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .expect("login call");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(app.db.pool()).await.unwrap();
    n
}

/// The process's peak resident size so far, in MiB (Linux).
fn peak_resident_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: u64 = status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// 30 wrong passwords at once from 30 addresses: exactly the per-account
/// ceiling of them are checked ("do not match"), the rest refused unchecked;
/// the owner's usual browser then signs in from yet another address, while
/// a browser the account has never seen is still held back.
async fn a_burst_from_many_addresses_checks_only_the_ceiling_and_the_usual_browser_still_signs_in(app: &TestApp) {
    let (email, password) = app.sign_up_owner().await;
    let usual = app.new_browser();
    let (status, body) = login_from(app, &usual, "198.51.100.7", &email, &password).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(count(app, "SELECT COUNT(*) FROM sign_in_devices").await, 1, "the browser is now known to the account");

    let checked_before = passwords::verifications();
    let peak_before = peak_resident_mib();
    let mut attempts = tokio::task::JoinSet::new();
    for n in 1..=30 {
        let (browser, address, base, email) = (app.new_browser(), format!("203.0.113.{n}"), app.address.clone(), email.clone());
        attempts.spawn(async move {
            let response = browser
                .post(format!("{base}/rpc/login"))
                .header("accept", "application/json")
                .header("x-forwarded-for", address)
                .form(&[("email", email.as_str()), ("password", "a wrong guess")])
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        });
    }
    let mut wrong = 0;
    let mut refused = 0;
    while let Some(answer) = attempts.join_next().await {
        let (status, body) = answer.unwrap();
        match status {
            422 if body.contains("That email and password do not match an account.") => wrong += 1,
            429 if body.contains("Too many failed sign-ins") => refused += 1,
            _ => panic!("unexpected answer {status}: {body}"),
        }
    }
    let checked = passwords::verifications() - checked_before;
    assert_eq!((wrong, refused), (MAX_PER_ACCOUNT, 30 - MAX_PER_ACCOUNT), "exactly the ceiling is checked");
    assert_eq!(checked, MAX_PER_ACCOUNT as u64, "argon2 ran only for the attempts within the ceiling");
    if let (Some(before), Some(after)) = (peak_before, peak_resident_mib()) {
        let bound = (passwords::max_concurrent() as u64 + 1) * 20;
        eprintln!("sign-in burst: peak resident {before} MiB → {after} MiB (bound +{bound} MiB, {} argon2 at once)", passwords::max_concurrent());
        assert!(after.saturating_sub(before) <= bound, "the burst grew the peak by {} MiB", after - before);
    }

    // The owner's usual browser keeps its own allowance, from anywhere.
    let (status, body) = login_from(app, &usual, "192.0.2.200", &email, &password).await;
    assert_eq!(status, 200, "the usual browser is not locked out: {body}");
    let (_, session) = common::call_with(&usual, &app.address, "session", &[]).await;
    assert_eq!(session["email"], email);
    // A browser the account has not been used on waits, even with the right password.
    let (status, body) = login_from(app, &app.new_browser(), "192.0.2.201", &email, &password).await;
    assert_eq!(status, 429, "{body}");
    assert!(body.to_string().contains("a browser you have used before"), "{body}");
}
on_both_databases!(a_burst_from_many_addresses_checks_only_the_ceiling_and_the_usual_browser_still_signs_in, behind_proxy);

/// Five failures from one address lock that (account, address) out, for
/// longer the longer it goes on; another address still signs in.
async fn failures_lock_out_one_address_for_growing_times(app: &TestApp) {
    let (email, password) = app.sign_up_owner().await;
    let guesser = app.new_browser();
    for _ in 0..MAX_PER_PAIR {
        let (status, _) = login_from(app, &guesser, "203.0.113.50", &email, "a wrong guess").await;
        assert_eq!(status, 422);
    }
    let (status, body) = login_from(app, &guesser, "203.0.113.50", &email, &password).await;
    assert_eq!(status, 429, "even the right password waits: {body}");
    assert!(body.to_string().contains("15 minutes"), "{body}");
    for _ in 0..MAX_PER_PAIR {
        login_from(app, &guesser, "203.0.113.50", &email, "a wrong guess").await;
    }
    let (status, body) = login_from(app, &guesser, "203.0.113.50", &email, &password).await;
    assert_eq!(status, 429, "{body}");
    assert!(body.to_string().contains("30 minutes"), "the lock-out grew: {body}");
    // The lock-out is this address's: from another one the owner signs in.
    let (status, body) = login_from(app, &app.new_browser(), "198.51.100.8", &email, &password).await;
    assert_eq!(status, 200, "{body}");
}
on_both_databases!(failures_lock_out_one_address_for_growing_times, behind_proxy);

/// A 1 MB "email" is refused with a sentence beside the field before
/// anything is counted, hashed or logged.
async fn a_megabyte_email_is_refused_before_it_touches_the_database(app: &TestApp) {
    app.sign_up_owner().await;
    let checked_before = passwords::verifications();
    let huge = format!("{}@example.com", "a".repeat(1 << 20));
    let (status, body) = login_from(app, &app.new_browser(), "203.0.113.60", &huge, "a wrong guess").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(field_message(&body, "email").as_deref(), Some("An email address has at most 254 characters."));
    assert_eq!(passwords::verifications(), checked_before, "nothing was hashed");
    assert_eq!(count(app, "SELECT COUNT(*) FROM sign_in_counters").await, 0, "nothing was counted");
    assert_eq!(count(app, "SELECT COUNT(*) FROM events WHERE action = 'sign_in.failed'").await, 0, "nothing was logged");
}
on_both_databases!(a_megabyte_email_is_refused_before_it_touches_the_database);

/// Without trusted proxies `X-Forwarded-For` is anyone's to write, so it is
/// ignored: a guesser cannot spread its attempts over invented addresses.
async fn forwarded_addresses_are_ignored_unless_the_peer_is_a_trusted_proxy(app: &TestApp) {
    let (email, _) = app.sign_up_owner().await;
    for n in 0..MAX_PER_PAIR {
        let (status, _) = login_from(app, &app.new_browser(), &format!("203.0.113.{}", 100 + n), &email, "a wrong guess").await;
        assert_eq!(status, 422);
    }
    let (status, body) = login_from(app, &app.new_browser(), "203.0.113.200", &email, "a wrong guess").await;
    assert_eq!(status, 429, "all came from 127.0.0.1: {body}");
    let pairs = count(app, "SELECT COUNT(*) FROM sign_in_counters WHERE counter LIKE 'pair:%'").await;
    assert_eq!(pairs, 1, "one (account, address) pair: the TCP peer");
}
on_both_databases!(forwarded_addresses_are_ignored_unless_the_peer_is_a_trusted_proxy);
