//! The delivery worker: one dispatcher task per process, and one task per
//! endpoint this process holds the lease of (see the module above for the
//! design). Never on the unlock path: the event writer only pokes
//! [`WebhookWorker::wake`] after a commit.

use super::address::{check_delivery, PublicOnly};
use super::payload::{body, signature, EventRow};
use super::WebhookSettings;
use crate::services::db::DbKind;
use crate::services::{now_ms, Db};
use sqlx::Connection;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Results are written at least this often while an endpoint is busy…
pub const FLUSH_EVERY: Duration = Duration::from_millis(250);
/// …or after this many deliveries (at most this many are sent again after a
/// crash, per endpoint).
pub const FLUSH_AT: usize = 500;
/// Deliveries read at a time, per endpoint.
const PAGE: i64 = 500;
/// How long an endpoint's lease lasts; renewed when half is left.
const LEASE_MS: i64 = 30_000;
/// How long an endpoint's task waits for new events before it gives its
/// lease back.
const IDLE: Duration = Duration::from_secs(2);
/// How often other replicas' events (and retries that came due) are looked for.
const POLL: Duration = Duration::from_millis(200);
/// A delivery failing this long after its event is given up.
pub const GIVE_UP_AFTER_MS: i64 = 24 * 3600 * 1000;
/// The first retry's delay, doubling after each failure…
const FIRST_RETRY_MS: i64 = 1_000;
/// …up to this.
const MAX_RETRY_MS: i64 = 10 * 60 * 1000;
/// Attempts written per INSERT (8 parameters each).
const ROWS_PER_STATEMENT: usize = 100;
/// One attempt's limit (connecting and answering).
const TIMEOUT: Duration = Duration::from_secs(10);

/// The delay before the next attempt after `failures` failed ones.
pub fn retry_delay_ms(failures: i64) -> i64 {
    let doublings = (failures.max(1) - 1).min(20) as u32;
    (FIRST_RETRY_MS.saturating_mul(1 << doublings)).min(MAX_RETRY_MS)
}

/// A handle to the worker. Cheap to clone.
#[derive(Clone, Debug)]
pub struct WebhookWorker {
    wake: Arc<Notify>,
    replica: Arc<str>,
}

impl WebhookWorker {
    /// Starts the worker on a thread of its own, at a lower CPU priority
    /// (nice +10 on Linux), with its own runtime and its own connections to
    /// `database_url`: deliveries take CPU and connections only beside the
    /// unlock path, never from it. It stops when `db` (the server's pool)
    /// is closed.
    pub fn start(db: Db, database_url: &str, settings: WebhookSettings) -> WebhookWorker {
        let replica: Arc<str> = format!("{}-{:08x}", std::process::id(), rand::random::<u32>()).into();
        let wake = Arc::new(Notify::new());
        let (url, thread_wake, thread_replica) = (database_url.to_owned(), wake.clone(), replica.clone());
        let spawned = std::thread::Builder::new().name("postern-webhooks".into()).spawn(move || {
            lower_priority();
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(error) => {
                    tracing::error!(%error, "webhooks: could not start the worker's runtime; no webhook is delivered");
                    return;
                }
            };
            runtime.block_on(async move {
                let own = match Db::connect(&url).await {
                    Ok(own) => own,
                    Err(error) => {
                        tracing::error!(error = %crate::services::db::error_chain(&error), "webhooks: could not connect; no webhook is delivered");
                        return;
                    }
                };
                let work = dispatch(own.clone(), settings, thread_wake, thread_replica);
                tokio::select! {
                    _ = work => {}
                    _ = stopped(&db) => {}
                }
                own.close().await;
            });
        });
        if let Err(error) = spawned {
            tracing::error!(%error, "webhooks: could not start the worker's thread; no webhook is delivered");
        }
        WebhookWorker { wake, replica }
    }

    /// Poked after each commit of events: deliveries may be waiting.
    pub fn wake(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// This process's name in leases and in the delivery log.
    pub fn replica(&self) -> &str {
        &self.replica
    }
}

/// Resolves once the server's pool is closed.
async fn stopped(db: &Db) {
    while !db.pool().is_closed() {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Nice +10 for this thread (and the threads it starts, such as SQLite's
/// connection threads): under load the scheduler gives the unlock path's
/// threads the CPU first. (Public for the bench's receiver, which stands
/// for another machine.)
pub fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority on this thread's own id, with no pointers.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        if libc::setpriority(libc::PRIO_PROCESS, tid, 10) != 0 {
            tracing::debug!("webhooks: could not lower the worker's priority");
        }
    }
}

struct Shared {
    db: Db,
    settings: WebhookSettings,
    replica: Arc<str>,
    client: reqwest::Client,
    namespace: uuid::Uuid,
    running: Mutex<HashSet<i64>>,
    /// Bumped at every wake: endpoint tasks waiting for work follow it.
    commits: tokio::sync::watch::Sender<u64>,
}

async fn dispatch(db: Db, settings: WebhookSettings, wake: Arc<Notify>, replica: Arc<str>) {
    let mut builder = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT / 2)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("Postern-Webhooks/", env!("CARGO_PKG_VERSION")));
    if !settings.allow_private {
        builder = builder.dns_resolver(Arc::new(PublicOnly));
    }
    let client = match builder.build() {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "webhooks: could not build the HTTP client; no webhook is delivered");
            return;
        }
    };
    // One process on SQLite: leases left by a process that died are its own.
    if db.kind() == DbKind::Sqlite {
        if let Err(error) = sqlx::query("UPDATE webhooks SET lease_holder = NULL, lease_until = NULL WHERE lease_holder IS NOT NULL")
            .execute(db.pool())
            .await
        {
            tracing::warn!(%error, "webhooks: could not clear old leases");
        }
    }
    let namespace = loop {
        match sqlx::query_as::<_, (String,)>("SELECT namespace FROM webhook_namespace WHERE id = 1").fetch_one(db.pool()).await {
            Ok((text,)) => match uuid::Uuid::parse_str(&text) {
                Ok(namespace) => break namespace,
                Err(error) => {
                    tracing::error!(%error, "webhooks: the namespace in webhook_namespace is not a UUID; no webhook is delivered");
                    return;
                }
            },
            Err(_) if db.pool().is_closed() => return,
            Err(error) => {
                tracing::warn!(%error, "webhooks: could not read the namespace; trying again");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    let (commits, _) = tokio::sync::watch::channel(0u64);
    let shared = Arc::new(Shared { db, settings, replica, client, namespace, running: Mutex::default(), commits });
    loop {
        if shared.db.pool().is_closed() {
            return;
        }
        if let Err(error) = start_due(&shared).await {
            if shared.db.pool().is_closed() {
                return;
            }
            tracing::warn!(%error, "webhooks: could not look for deliveries");
        }
        tokio::select! {
            _ = wake.notified() => shared.commits.send_modify(|n| *n += 1),
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}

/// Takes the lease of every endpoint with deliveries due that no other
/// replica holds, and starts delivering to it.
async fn start_due(shared: &Arc<Shared>) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let due: Vec<(i64,)> = sqlx::query_as(
        "SELECT w.id FROM webhooks w
         WHERE w.enabled = 1 AND (w.retry_at IS NULL OR w.retry_at <= $1)
           AND (w.lease_holder IS NULL OR w.lease_until < $1 OR w.lease_holder = $2)
           AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.state = 'pending')",
    )
    .bind(now)
    .bind(&*shared.replica)
    .fetch_all(shared.db.pool())
    .await?;
    for (id,) in due {
        if shared.running.lock().expect("not poisoned").contains(&id) {
            continue;
        }
        if claim(shared, id).await?.is_none() {
            continue;
        }
        shared.running.lock().expect("not poisoned").insert(id);
        let shared = shared.clone();
        tokio::spawn(async move {
            if let Err(error) = deliver_to(&shared, id).await {
                tracing::warn!(%error, webhook = id, "webhooks: delivery stopped; it resumes from the queue");
            }
            let _ = release(&shared, id).await;
            shared.running.lock().expect("not poisoned").remove(&id);
        });
    }
    Ok(())
}

/// Takes or renews the endpoint's lease; returns until when it is held.
async fn claim(shared: &Shared, id: i64) -> Result<Option<i64>, sqlx::Error> {
    let now = now_ms();
    let until = now + LEASE_MS;
    let claimed: Option<(i64,)> = sqlx::query_as(
        "UPDATE webhooks SET lease_holder = $1, lease_until = $2
         WHERE id = $3 AND (lease_holder IS NULL OR lease_until < $4 OR lease_holder = $1) RETURNING id",
    )
    .bind(&*shared.replica)
    .bind(until)
    .bind(id)
    .bind(now)
    .fetch_optional(shared.db.pool())
    .await?;
    Ok(claimed.map(|_| until))
}

async fn release(shared: &Shared, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE webhooks SET lease_holder = NULL, lease_until = NULL WHERE id = $1 AND lease_holder = $2")
        .bind(id)
        .bind(&*shared.replica)
        .execute(shared.db.pool())
        .await?;
    Ok(())
}

/// One attempt's result, to be written.
struct Outcome {
    delivery_id: i64,
    attempt: i64,
    at: i64,
    status_code: Option<i64>,
    error: String,
    duration_ms: i64,
    delivered: bool,
}

/// What to do to the endpoint when the outcomes are written.
enum Then {
    Nothing,
    /// The head failed: wait until then.
    RetryAt(i64),
    /// The head failed a day after its event: give up every delivery this old.
    GiveUpBefore(i64),
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    delivery_id: i64,
    delivery_created_at: i64,
    attempts: i64,
    #[sqlx(flatten)]
    event: EventRow,
}

/// Sends the endpoint's pending deliveries in order until none is left, the
/// endpoint fails (then it waits for `retry_at`), is switched off, or the
/// lease is lost.
async fn deliver_to(shared: &Shared, id: i64) -> Result<(), sqlx::Error> {
    let db = &shared.db;
    let mut lease_until = now_ms() + LEASE_MS;
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut last_flush = Instant::now();
    let mut commits = shared.commits.subscribe();
    let mut idle_since: Option<Instant> = None;
    // The last delivery sent by this task: the next page starts after it,
    // so deliveries sent but not yet recorded are not read (and sent) again.
    let mut after: i64 = 0;
    'pages: loop {
        // Seen before the page is read: a commit after the read wakes the wait below.
        commits.borrow_and_update();
        if lease_until - now_ms() < LEASE_MS / 2 {
            match claim(shared, id).await? {
                Some(until) => lease_until = until,
                None => break,
            }
        }
        let endpoint: Option<(String, String, i64)> =
            sqlx::query_as("SELECT url, secret, enabled FROM webhooks WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
        let Some((url, secret, enabled)) = endpoint else { break };
        if enabled == 0 {
            break;
        }
        let page: Vec<DeliveryRow> = sqlx::query_as(
            "SELECT d.id AS delivery_id, d.created_at AS delivery_created_at, d.attempts,
                    e.id, e.at, e.actor_kind, e.actor_user_id, e.actor_name, e.action, e.subject, e.door_id, e.place_id,
                    e.link_id, e.result, e.reasons, e.details
             FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
             WHERE d.webhook_id = $1 AND d.state = 'pending' AND d.id > $2 ORDER BY d.id LIMIT $3",
        )
        .bind(id)
        .bind(after)
        .bind(PAGE)
        .fetch_all(db.pool())
        .await?;
        if page.is_empty() {
            // Kept a moment (with its lease) for the next events: taking and
            // giving back the lease at every commit would be two writes each.
            flush(shared, id, &mut outcomes, Then::Nothing).await?;
            last_flush = Instant::now();
            let since = *idle_since.get_or_insert_with(Instant::now);
            if since.elapsed() >= IDLE {
                break;
            }
            // This process's commits wake it; other replicas' are polled.
            tokio::select! {
                changed = commits.changed() => if changed.is_err() { break },
                _ = tokio::time::sleep(POLL) => {}
            }
            continue;
        }
        idle_since = None;
        for delivery in page {
            if lease_until - now_ms() < LEASE_MS / 2 {
                flush(shared, id, &mut outcomes, Then::Nothing).await?;
                last_flush = Instant::now();
                match claim(shared, id).await? {
                    Some(until) => lease_until = until,
                    None => return Ok(()),
                }
            }
            let outcome = send(shared, &url, &secret, &delivery).await;
            after = delivery.delivery_id;
            if outcome.delivered {
                outcomes.push(outcome);
                if outcomes.len() >= FLUSH_AT || last_flush.elapsed() >= FLUSH_EVERY {
                    flush(shared, id, &mut outcomes, Then::Nothing).await?;
                    last_flush = Instant::now();
                }
                continue;
            }
            let now = outcome.at;
            let then = if now - delivery.delivery_created_at >= GIVE_UP_AFTER_MS {
                Then::GiveUpBefore(now - GIVE_UP_AFTER_MS)
            } else {
                Then::RetryAt(now + retry_delay_ms(delivery.attempts + 1))
            };
            let retry = matches!(then, Then::RetryAt(_));
            outcomes.push(outcome);
            flush(shared, id, &mut outcomes, then).await?;
            last_flush = Instant::now();
            if retry {
                return Ok(());
            }
            continue 'pages;
        }
    }
    flush(shared, id, &mut outcomes, Then::Nothing).await
}

/// POSTs one delivery; never fails (a failure is the outcome).
async fn send(shared: &Shared, url: &str, secret: &str, delivery: &DeliveryRow) -> Outcome {
    let started = Instant::now();
    let at = now_ms();
    let done = |status_code: Option<i64>, error: String| Outcome {
        delivery_id: delivery.delivery_id,
        attempt: delivery.attempts + 1,
        at,
        delivered: error.is_empty() && status_code.is_some_and(|s| (200..300).contains(&s)),
        status_code,
        error,
        duration_ms: started.elapsed().as_millis() as i64,
    };
    if let Err(refused) = check_delivery(url, shared.settings.allow_private) {
        return done(None, refused);
    }
    let body = body(&shared.namespace, &delivery.event);
    let bytes = match serde_json::to_vec(&body) {
        Ok(bytes) => bytes,
        Err(error) => return done(None, format!("could not encode the event: {error}")),
    };
    let response = shared
        .client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Signature", signature(secret, &bytes))
        .body(bytes)
        .send()
        .await;
    match response {
        Ok(response) => {
            let status = response.status();
            // Read (and drop) the answer so the connection can be used again.
            let _ = response.bytes().await;
            let error = if status.is_success() { String::new() } else { format!("answered {status}") };
            done(Some(i64::from(status.as_u16())), error)
        }
        Err(error) => done(None, chain(&error)),
    }
}

/// An error and its causes: "a: b: c".
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        text.push_str(": ");
        text.push_str(&next.to_string());
        cause = next.source();
    }
    text
}

/// Writes the outcomes (and the endpoint's back-off) in one transaction.
async fn flush(shared: &Shared, webhook_id: i64, outcomes: &mut Vec<Outcome>, then: Then) -> Result<(), sqlx::Error> {
    if outcomes.is_empty() && matches!(then, Then::Nothing) {
        return Ok(());
    }
    let db = &shared.db;
    let mut conn = db.pool().acquire().await?;
    let mut tx = match db.kind() {
        DbKind::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
        DbKind::Postgres => conn.begin().await?,
    };
    // A few statements per flush, whatever its size: the write lock (on
    // SQLite the event writer's too) is held as briefly as can be.
    for chunk in outcomes.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| {
                let p = |c: usize| format!("${}", r * 8 + c + 1);
                format!("({}, {}, {}, {}, {}, {}, {}, {})", p(0), p(1), p(2), p(3), p(4), p(5), p(6), p(7))
            })
            .collect();
        let sql = format!(
            "INSERT INTO webhook_attempts (delivery_id, webhook_id, attempt, at, status_code, error, duration_ms, replica) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for outcome in chunk {
            query = query
                .bind(outcome.delivery_id)
                .bind(webhook_id)
                .bind(outcome.attempt)
                .bind(outcome.at)
                .bind(outcome.status_code)
                .bind(outcome.error.as_str())
                .bind(outcome.duration_ms)
                .bind(&*shared.replica);
        }
        query.execute(&mut *tx).await?;
        let delivered: Vec<&Outcome> = chunk.iter().filter(|o| o.delivered).collect();
        if !delivered.is_empty() {
            let ids: Vec<String> = (0..delivered.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, delivered_at = $1 WHERE id IN ({})",
                ids.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(delivered.iter().map(|o| o.at).max().unwrap_or_default());
            for outcome in &delivered {
                query = query.bind(outcome.delivery_id);
            }
            query.execute(&mut *tx).await?;
        }
        for failed in chunk.iter().filter(|o| !o.delivered) {
            sqlx::query("UPDATE webhook_deliveries SET attempts = attempts + 1 WHERE id = $1")
                .bind(failed.delivery_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    match then {
        Then::Nothing => {}
        Then::RetryAt(at) => {
            sqlx::query("UPDATE webhooks SET retry_at = $1 WHERE id = $2").bind(at).bind(webhook_id).execute(&mut *tx).await?;
        }
        Then::GiveUpBefore(cutoff) => {
            sqlx::query("UPDATE webhook_deliveries SET state = 'failed' WHERE webhook_id = $1 AND state = 'pending' AND created_at <= $2")
                .bind(webhook_id)
                .bind(cutoff)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    outcomes.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_up_to_ten_minutes() {
        assert_eq!(retry_delay_ms(1), 1_000);
        assert_eq!(retry_delay_ms(2), 2_000);
        assert_eq!(retry_delay_ms(5), 16_000);
        assert_eq!(retry_delay_ms(40), MAX_RETRY_MS);
    }
}
