//! Durable event writes with group commit: callers hand an event to one
//! writer task and wait until the transaction holding it has committed.
//! Concurrent unlocks share one commit (one fsync on SQLite with
//! `synchronous=FULL`), so every granted unlock is on disk before the caller
//! hears "granted", without paying one commit per unlock.

use super::{Db, ServiceError, ServiceResult};
use tokio::sync::{mpsc, oneshot};

/// One event to write.
#[derive(Clone, Debug, Default)]
pub struct NewEvent {
    pub at: i64,
    pub actor_kind: String,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub subject: String,
    pub door_id: Option<i64>,
    pub place_id: Option<i64>,
    pub link_id: Option<i64>,
    pub method: Option<String>,
    pub result: String,
    /// Reason codes, stored as a JSON array.
    pub reasons: Vec<String>,
    pub details: String,
    /// A granted unlock's door and until when it is unlocked (ms): written in
    /// the same transaction as the event, so one commit covers both.
    pub unlocked_until: Option<(i64, i64)>,
}

type Job = (NewEvent, oneshot::Sender<Result<i64, String>>);

/// Most events one commit carries.
const MAX_BATCH: usize = 512;

/// A handle to the writer task. Cheap to clone.
#[derive(Clone, Debug)]
pub struct EventWriter {
    jobs: mpsc::Sender<Job>,
}

impl EventWriter {
    /// Starts the writer task on the current Tokio runtime.
    pub fn spawn(db: Db) -> EventWriter {
        let (jobs, receiver) = mpsc::channel::<Job>(4096);
        tokio::spawn(run(db, receiver));
        EventWriter { jobs }
    }

    /// Writes the event and returns its id once it is committed.
    pub async fn record(&self, event: NewEvent) -> ServiceResult<i64> {
        let (done, wait) = oneshot::channel();
        self.jobs
            .send((event, done))
            .await
            .map_err(|_| ServiceError::Internal("the event writer has stopped".into()))?;
        wait.await
            .map_err(|_| ServiceError::Internal("the event writer dropped an event".into()))?
            .map_err(ServiceError::Internal)
    }
}

async fn run(db: Db, mut receiver: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let events: Vec<&NewEvent> = batch.iter().map(|(e, _)| e).collect();
        match write(&db, &events).await {
            Ok(ids) => {
                for ((_, done), id) in batch.drain(..).zip(ids) {
                    let _ = done.send(Ok(id));
                }
            }
            Err(error) => {
                tracing::error!(%error, events = batch.len(), "could not write events");
                for (_, done) in batch.drain(..) {
                    let _ = done.send(Err(error.to_string()));
                }
            }
        }
    }
}

/// Inserts the batch in one transaction.
pub async fn write(db: &Db, events: &[&NewEvent]) -> Result<Vec<i64>, sqlx::Error> {
    let mut tx = db.pool().begin().await?;
    let mut ids = Vec::with_capacity(events.len());
    for event in events {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO events (at, actor_kind, actor_user_id, actor_name, action, subject, door_id, place_id, link_id,
             method, result, reasons, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(event.at)
        .bind(&event.actor_kind)
        .bind(event.actor_user_id)
        .bind(&event.actor_name)
        .bind(&event.action)
        .bind(&event.subject)
        .bind(event.door_id)
        .bind(event.place_id)
        .bind(event.link_id)
        .bind(&event.method)
        .bind(&event.result)
        .bind(serde_json::to_string(&event.reasons).unwrap_or_else(|_| "[]".into()))
        .bind(&event.details)
        .fetch_one(&mut *tx)
        .await?;
        ids.push(id);
        if let (Some(link_id), "unlock", "granted") = (event.link_id, event.action.as_str(), event.result.as_str()) {
            sqlx::query("UPDATE access_links SET uses = uses + 1, last_used_at = $1 WHERE id = $2")
                .bind(event.at)
                .bind(link_id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some((door_id, until)) = event.unlocked_until {
            sqlx::query("UPDATE doors SET unlocked_until = $1 WHERE id = $2 AND (unlocked_until IS NULL OR unlocked_until < $1)")
                .bind(until)
                .bind(door_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(ids)
}
