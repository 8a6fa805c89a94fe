//! Durable event writes with group commit: callers hand an event to one
//! writer task and wait until the transaction holding it has committed.
//! Concurrent unlocks share one commit (one fsync on SQLite with
//! `synchronous=FULL`), so every granted unlock is on disk before the caller
//! hears "granted", without paying one commit per unlock. A grant that a
//! lockdown can stop is checked against its door inside that commit
//! ([`NewEvent::lockdown_applies`], `batch.rs`).

use super::db::DbKind;
use super::{Db, ServiceError, ServiceResult};
use sqlx::AnyConnection;

mod batch;

use batch::write_on;
pub use batch::{Written, LOCKED_DOWN_AT_COMMIT};
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
    /// A grant that a lockdown of its door stops (anyone's but an owner's or
    /// admin's, and not a request to exit): checked in the commit, and
    /// recorded as denied if the door is locked down by then.
    pub lockdown_applies: bool,
}

impl NewEvent {
    /// A grant to check against lockdown in the commit.
    fn stopped_by_lockdown(&self) -> bool {
        self.lockdown_applies && self.action == "unlock" && self.result == "granted"
    }
}

type Job = (NewEvent, oneshot::Sender<Result<Written, String>>);

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
        EventWriter::spawn_with_hooks(db, hook, None)
    }

    /// Like [`spawn_with_hook`](Self::spawn_with_hook), also poking `wake`
    /// after every commit (the webhook worker: the commit may have queued
    /// deliveries). A poke is one atomic operation; nothing waits for it.
    pub fn spawn_with_hooks(db: Db, hook: Option<CommitHook>, wake: Option<Arc<tokio::sync::Notify>>) -> EventWriter {
        let (jobs, receiver) = mpsc::channel::<Job>(4096);
        tokio::spawn(run(db, receiver, hook, wake));
        EventWriter { jobs }
    }

    /// Writes the event and returns its id once it is committed.
    pub async fn record(&self, event: NewEvent) -> ServiceResult<i64> {
        Ok(self.record_grant(event).await?.id)
    }

    /// Writes the event once it is committed; says whether it was a grant
    /// that a lockdown, committed first, turned into a denial.
    pub async fn record_grant(&self, event: NewEvent) -> ServiceResult<Written> {
        let (done, wait) = oneshot::channel();
        self.jobs
            .send((event, done))
            .await
            .map_err(|_| ServiceError::internal("the event writer has stopped"))?;
        wait.await
            .map_err(|_| ServiceError::internal("the event writer dropped an event"))?
            .map_err(ServiceError::internal)
    }
}

/// Writes `events` in one transaction on one of the pool's connections (as
/// the writer task does with its own); returns them as written, in order.
pub async fn write(db: &Db, events: &[&NewEvent]) -> Result<Vec<Written>, sqlx::Error> {
    write_on(&mut *db.pool().acquire().await?, db.kind(), events).await
}

/// The writer's loop. On SQLite it keeps one connection of its own, out of
/// the pool (sqlx's pool tests a connection each time it comes back: a
/// round trip per batch the writer need not wait behind), and takes a new
/// one after any failure; on PostgreSQL it takes the pool's, tested, for
/// each batch, so a restarted server costs no batch.
async fn run(db: Db, mut receiver: mpsc::Receiver<Job>, hook: Option<CommitHook>, wake: Option<Arc<tokio::sync::Notify>>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    let mut kept: Option<AnyConnection> = None;
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let events: Vec<&NewEvent> = batch.iter().map(|(e, _)| e).collect();
        let written = match (&mut kept, db.kind()) {
            (Some(conn), _) => write_on(conn, db.kind(), &events).await,
            (None, kind) => match db.pool().acquire().await {
                Ok(pooled) if kind == DbKind::Sqlite => write_on(kept.insert(pooled.detach()), kind, &events).await,
                Ok(mut pooled) => write_on(&mut pooled, kind, &events).await,
                Err(error) => Err(error),
            },
        };
        if written.is_err() {
            kept = None;
        }
        match written {
            Ok(written) => {
                if let Some(wake) = &wake {
                    wake.notify_one();
                }
                if let Some(hook) = &hook {
                    let doors: Vec<i64> = batch
                        .iter()
                        .zip(&written)
                        .filter(|(_, w)| !w.refused_by_lockdown)
                        .filter_map(|((e, _), _)| e.unlocked_until.map(|(door, _)| door))
                        .collect();
                    if !doors.is_empty() {
                        hook(&doors);
                    }
                }
                for ((_, done), written) in batch.drain(..).zip(written) {
                    let _ = done.send(Ok(written));
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
