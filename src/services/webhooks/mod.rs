//! Event webhooks (Kisi's integration for following unlocks): staff register
//! an endpoint (URL, secret, event types); every event of those types is
//! POSTed to it as JSON with Kisi's fields, signed with the HMAC-SHA256 of
//! the body (hex) in `X-Signature`.
//!
//! - **Queue, in the event's commit.** The event writer's batch
//!   (`event_writer/batch.rs`) adds one `INSERT … SELECT` to its
//!   transaction ([`queue_sql`]): a `webhook_deliveries` row per event and
//!   enabled endpoint following its type. Nothing else happens on the unlock
//!   path: no HTTP, no lookup of endpoints in Rust, no wait.
//! - **Delivery, in the background** ([`worker`]): one thread per process
//!   (nice +10, its own runtime and connections) finds endpoints with
//!   pending deliveries, takes an endpoint's lease
//!   (`UPDATE webhooks SET lease_holder … WHERE` free or expired
//!   `RETURNING id`: one replica per endpoint at a time on PostgreSQL), and
//!   sends its deliveries one by one in id order (so in order per endpoint).
//! - **Retries.** A failed attempt stops the endpoint until `retry_at`
//!   (1 s, doubling, at most 10 minutes); a delivery still failing a day
//!   after its event is given up (`failed`). Every attempt is logged
//!   (`webhook_attempts`: status code or error, duration, replica).
//! - **At least once.** Results are written in small batches after the
//!   POSTs (at most [`worker::FLUSH_EVERY`] or [`worker::FLUSH_AT`] deliveries later), so a
//!   process killed in between sends those again after restart (or another
//!   replica does, once the lease runs out). The `uuid` is the same at every
//!   attempt (v5 of the event's id in the database's namespace): receivers
//!   drop repeats by `uuid`.
//! - **No probing the internal network.** With `webhook_allow_private`
//!   off (the default) an address on loopback, private, link-local,
//!   shared (CGNAT) or unique-local ranges is refused at registration and
//!   again when sending, after DNS resolution ([`address`]); redirects are
//!   not followed and no proxy is used.

pub mod address;
pub mod payload;
pub mod worker;

use super::audit::Audit;
use super::{now_ms, Db, ServiceError, ServiceResult};
use crate::model::webhook::{ValidWebhook, EVENT_TYPES};
use crate::model::{SessionUser, Webhook, WebhookAttempt};

pub use worker::WebhookWorker;

/// What the configuration decides about webhooks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Allows endpoints on loopback and private ranges (tests, an
    /// integration on the same network). Off by default.
    pub allow_private: bool,
}

/// The SQL that queues deliveries for the events of `source` (a table or
/// subquery with the columns `id`, `at`, `action`): one row per event and
/// enabled endpoint that follows its type, in event order then endpoint
/// order.
pub fn queue_sql(source: &str) -> String {
    let cases: String = EVENT_TYPES.iter().map(|(t, action, _)| format!(" WHEN '{action}' THEN '{t}'")).collect();
    format!(
        "INSERT INTO webhook_deliveries (webhook_id, event_id, created_at)
         SELECT w.id, q.id, q.at FROM {source} q
         JOIN webhooks w ON w.enabled = 1 AND w.event_types LIKE '% ' || (CASE q.action{cases} END) || ' %'
         ORDER BY q.id, w.id"
    )
}

/// Registers an endpoint (admins and the owner); returns its id. The address
/// is checked first (`address::check_registration`).
pub async fn create(db: &Db, actor: &SessionUser, settings: WebhookSettings, webhook: ValidWebhook) -> ServiceResult<i64> {
    require_admin(actor)?;
    address::check_registration(&webhook.url, settings.allow_private).await.map_err(|m| ServiceError::field("url", m))?;
    let types = format!(" {} ", webhook.event_types.join(" "));
    let mut write = db.write().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO webhooks (name, url, secret, event_types, enabled, created_at) VALUES ($1, $2, $3, $4, 1, $5) RETURNING id",
    )
    .bind(&webhook.name)
    .bind(&webhook.url)
    .bind(&webhook.secret)
    .bind(&types)
    .bind(now_ms())
    .fetch_one(&mut *write)
    .await?;
    write.commit(Audit::by(actor, "webhook.created", &webhook.name).details(webhook.url.clone())).await?;
    Ok(id)
}

/// Switches an endpoint on or off. Off, no delivery is queued for it; those
/// queued before wait until it is on again (and are given up a day after
/// their event).
pub async fn set_enabled(db: &Db, actor: &SessionUser, id: i64, enabled: bool) -> ServiceResult<()> {
    require_admin(actor)?;
    let mut write = db.write().await?;
    let name: Option<(String,)> = sqlx::query_as("UPDATE webhooks SET enabled = $1, retry_at = NULL WHERE id = $2 RETURNING name")
        .bind(i64::from(enabled))
        .bind(id)
        .fetch_optional(&mut *write)
        .await?;
    let Some((name,)) = name else { return Err(ServiceError::NotFound("webhook")) };
    let action = if enabled { "webhook.enabled" } else { "webhook.disabled" };
    write.commit(Audit::by(actor, action, name)).await?;
    Ok(())
}

/// Removes an endpoint with its queue and log.
pub async fn delete(db: &Db, actor: &SessionUser, id: i64) -> ServiceResult<()> {
    require_admin(actor)?;
    let mut write = db.write().await?;
    let name: Option<(String,)> = sqlx::query_as("SELECT name FROM webhooks WHERE id = $1").bind(id).fetch_optional(&mut *write).await?;
    let Some((name,)) = name else { return Err(ServiceError::NotFound("webhook")) };
    sqlx::query("DELETE FROM webhook_attempts WHERE webhook_id = $1").bind(id).execute(&mut *write).await?;
    sqlx::query("DELETE FROM webhook_deliveries WHERE webhook_id = $1").bind(id).execute(&mut *write).await?;
    sqlx::query("DELETE FROM webhooks WHERE id = $1").bind(id).execute(&mut *write).await?;
    write.commit(Audit::by(actor, "webhook.deleted", name)).await?;
    Ok(())
}

type WebhookRow = (i64, String, String, String, i64, i64, Option<i64>, i64, i64, i64);

/// Every endpoint with its deliveries counted by state.
pub async fn list(db: &Db, actor: &SessionUser) -> ServiceResult<Vec<Webhook>> {
    require_admin(actor)?;
    let rows: Vec<WebhookRow> = sqlx::query_as(
        "SELECT w.id, w.name, w.url, w.event_types, w.enabled, w.created_at, w.retry_at,
                (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.state = 'pending'),
                (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.state = 'delivered'),
                (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.state = 'failed')
         FROM webhooks w ORDER BY w.name, w.id",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(webhook_from_row).collect())
}

/// One endpoint.
pub async fn get(db: &Db, actor: &SessionUser, id: i64) -> ServiceResult<Webhook> {
    list(db, actor).await?.into_iter().find(|w| w.id == id).ok_or(ServiceError::NotFound("webhook"))
}

fn webhook_from_row(row: WebhookRow) -> Webhook {
    let (id, name, url, types, enabled, created_at, retry_at, pending, delivered, failed) = row;
    Webhook {
        id,
        name,
        url,
        event_types: types.split_whitespace().map(str::to_owned).collect(),
        enabled: enabled != 0,
        created_at,
        pending,
        delivered,
        failed,
        retry_at,
    }
}

/// The delivery log of an endpoint: its latest attempts, newest first.
pub async fn attempts(db: &Db, actor: &SessionUser, webhook_id: i64, limit: i64) -> ServiceResult<Vec<WebhookAttempt>> {
    require_admin(actor)?;
    type Row = (i64, i64, i64, String, i64, Option<i64>, String, i64, String, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.id, a.delivery_id, d.event_id, e.action, a.at, a.status_code, a.error, a.duration_ms, d.state, a.attempt
         FROM webhook_attempts a
         JOIN webhook_deliveries d ON d.id = a.delivery_id
         JOIN events e ON e.id = d.event_id
         WHERE a.webhook_id = $1 ORDER BY a.id DESC LIMIT $2",
    )
    .bind(webhook_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, delivery_id, event_id, action, at, status_code, error, duration_ms, state, attempt)| WebhookAttempt {
            id,
            delivery_id,
            event_id,
            event_type: crate::model::webhook::event_type_of(&action).unwrap_or("").to_owned(),
            at,
            status_code,
            error,
            duration_ms,
            state,
            attempt,
        })
        .collect())
}

fn require_admin(actor: &SessionUser) -> ServiceResult<()> {
    if actor.role.is_admin() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("Webhooks are managed by admins.".into()))
    }
}
