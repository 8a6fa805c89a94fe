//! Durable event writes with group commit: callers hand an event to one
//! writer task and wait until the transaction holding it has committed.
//! Concurrent unlocks share one commit (one fsync on SQLite with
//! `synchronous=FULL`), so every granted unlock is on disk before the caller
//! hears "granted", without paying one commit per unlock.

use super::{Db, ServiceError, ServiceResult};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Called after each commit with the doors whose "unlocked until" the batch
/// wrote (the live status announces them). Must return at once.
pub type CommitHook = Arc<dyn Fn(&[i64]) + Send + Sync>;

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
        EventWriter::spawn_with_hook(db, None)
    }

    /// Like [`spawn`](Self::spawn), calling `hook` after every commit that
    /// unlocked doors.
    pub fn spawn_with_hook(db: Db, hook: Option<CommitHook>) -> EventWriter {
        let (jobs, receiver) = mpsc::channel::<Job>(4096);
        tokio::spawn(run(db, receiver, hook));
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

async fn run(db: Db, mut receiver: mpsc::Receiver<Job>, hook: Option<CommitHook>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let events: Vec<&NewEvent> = batch.iter().map(|(e, _)| e).collect();
        match write(&db, &events).await {
            Ok(ids) => {
                if let Some(hook) = &hook {
                    let doors: Vec<i64> = batch.iter().filter_map(|(e, _)| e.unlocked_until.map(|(door, _)| door)).collect();
                    if !doors.is_empty() {
                        hook(&doors);
                    }
                }
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

/// Rows per INSERT (13 parameters each) and doors per UPDATE statement.
const ROWS_PER_STATEMENT: usize = 64;

/// Inserts the batch in one transaction with as few statements as it can:
/// the events in multi-row INSERTs, the doors' "unlocked until" in one
/// UPDATE per 64 doors. Returns the events' ids in the batch's order.
pub async fn write(db: &Db, events: &[&NewEvent]) -> Result<Vec<i64>, sqlx::Error> {
    let mut tx = db.pool().begin().await?;
    let mut ids = Vec::with_capacity(events.len());
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        ids.extend(insert_events(&mut tx, chunk).await?);
    }
    for event in events {
        if let (Some(link_id), "unlock", "granted") = (event.link_id, event.action.as_str(), event.result.as_str()) {
            sqlx::query("UPDATE access_links SET uses = uses + 1, last_used_at = $1 WHERE id = $2")
                .bind(event.at)
                .bind(link_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    // The latest "unlocked until" of each door in the batch.
    let mut until: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for (door_id, at) in events.iter().filter_map(|e| e.unlocked_until) {
        let latest = until.entry(door_id).or_insert(at);
        *latest = (*latest).max(at);
    }
    let doors: Vec<(i64, i64)> = until.into_iter().collect();
    for chunk in doors.chunks(ROWS_PER_STATEMENT) {
        update_doors(&mut tx, chunk).await?;
    }
    tx.commit().await?;
    Ok(ids)
}

/// One multi-row INSERT. Ids are assigned in the order of the VALUES rows
/// (SQLite's rowids and PostgreSQL's identity both increase row by row), so
/// the returned ids, sorted, line up with `chunk`.
async fn insert_events(tx: &mut sqlx::Transaction<'static, sqlx::Any>, chunk: &[&NewEvent]) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<String> = (0..chunk.len())
        .map(|row| {
            let params: Vec<String> = (1..=13).map(|column| format!("${}", row * 13 + column)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO events (at, actor_kind, actor_user_id, actor_name, action, subject, door_id, place_id, link_id,
         method, result, reasons, details) VALUES {} RETURNING id",
        rows.join(", ")
    );
    let mut query = sqlx::query_as::<_, (i64,)>(&sql);
    for event in chunk {
        query = query
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
            .bind(&event.details);
    }
    let mut ids: Vec<i64> = query.fetch_all(&mut **tx).await?.into_iter().map(|(id,)| id).collect();
    if ids.len() != chunk.len() {
        return Err(sqlx::Error::Protocol(format!("{} events inserted, {} ids returned", chunk.len(), ids.len())));
    }
    ids.sort_unstable();
    Ok(ids)
}

/// Sets each door's "unlocked until" to the later of the stored and the new
/// value, for up to 64 doors in one statement.
async fn update_doors(tx: &mut sqlx::Transaction<'static, sqlx::Any>, doors: &[(i64, i64)]) -> Result<(), sqlx::Error> {
    let cases: Vec<String> = (0..doors.len()).map(|i| format!("WHEN ${} THEN ${}", 2 * i + 1, 2 * i + 2)).collect();
    let ids: Vec<String> = (0..doors.len()).map(|i| format!("${}", 2 * i + 1)).collect();
    let new_until = format!("(CASE id {} END)", cases.join(" "));
    let sql = format!(
        "UPDATE doors SET unlocked_until = CASE WHEN unlocked_until IS NULL OR unlocked_until < {new_until}
         THEN {new_until} ELSE unlocked_until END WHERE id IN ({})",
        ids.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for (door_id, until) in doors {
        query = query.bind(door_id).bind(until);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}
