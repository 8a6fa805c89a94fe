//! Live door status: every change to a door's state (unlock, lockdown,
//! sensor, alarm, power, controller online/offline) is announced here, and
//! browsers connected to any replica hear it within a second.
//!
//! `doors_changed` only marks doors as changed and returns at once. One task
//! per process takes every door marked since its last round (so a burst of
//! changes costs one read), reads their state in one query and broadcasts it
//! to this process's subscribers (the `/live/doors` streams).
//!
//! On SQLite (one process) that is all. On PostgreSQL the same task also
//! sends `NOTIFY postern_doors, '<replica>:<id>,<id>…'`, and a listener task
//! in every process (its own connection, reconnecting after a loss) hears
//! the other replicas' changes, re-reads those doors and broadcasts them to
//! its own subscribers. A replica skips notifications carrying its own
//! replica id: it has already broadcast them, so nothing is sent twice.
//!
//! The relock at the end of an unlock pulse is not announced: pages know
//! the `until` instant and count down to it themselves.

use super::{doors, Db};
use crate::door_status::DoorLive;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, Notify};

/// The PostgreSQL channel replicas announce changed doors on.
pub const CHANNEL: &str = "postern_doors";

/// Most door ids one notification carries (NOTIFY payloads stay far below
/// PostgreSQL's 8000-byte limit).
const IDS_PER_NOTIFICATION: usize = 300;

/// The live-status hub. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Live {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    db: Db,
    changes: broadcast::Sender<DoorLive>,
    pending: Mutex<Pending>,
    wake: Notify,
    /// This process's id in notifications (random per start).
    replica: String,
    /// Notify other replicas (PostgreSQL only).
    notify: bool,
}

/// Doors marked as changed and not yet read.
#[derive(Debug, Default)]
struct Pending {
    /// Changed here: the other replicas must hear of them.
    local: BTreeSet<i64>,
    /// Heard from another replica: only this process's browsers need them.
    remote: BTreeSet<i64>,
}

impl Live {
    /// Starts the hub's task (and, on PostgreSQL, its listener) on the
    /// current Tokio runtime. The listener connects to the pool's own URL.
    pub fn start(db: Db) -> Live {
        let (changes, _) = broadcast::channel(1024);
        let postgres = db.kind() == super::db::DbKind::Postgres;
        let live = Live {
            shared: Arc::new(Shared {
                db,
                changes,
                pending: Mutex::new(Pending::default()),
                wake: Notify::new(),
                replica: super::tokens::random_token().chars().take(16).collect(),
                notify: postgres,
            }),
        };
        tokio::spawn(live.clone().announce());
        if postgres {
            tokio::spawn(live.clone().listen());
        }
        live
    }

    /// Announces that these doors changed; their new state is read and sent
    /// to every subscriber (on every replica). Returns at once, without I/O.
    pub fn doors_changed(&self, door_ids: &[i64]) {
        if door_ids.is_empty() {
            return;
        }
        self.pending().local.extend(door_ids.iter().copied());
        self.shared.wake.notify_one();
    }

    /// For [`EventWriter::spawn_with_hook`](super::event_writer::EventWriter::spawn_with_hook):
    /// announces the doors each committed batch unlocked.
    pub fn commit_hook(&self) -> super::event_writer::CommitHook {
        let live = self.clone();
        Arc::new(move |door_ids: &[i64]| live.doors_changed(door_ids))
    }

    /// Every door change from now on, as read after the change.
    pub fn subscribe(&self) -> broadcast::Receiver<DoorLive> {
        self.shared.changes.subscribe()
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.shared.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn heard(&self, door_ids: impl IntoIterator<Item = i64>) {
        self.pending().remote.extend(door_ids);
        self.shared.wake.notify_one();
    }

    /// The hub's task: takes the marked doors, tells the other replicas,
    /// reads the doors once and broadcasts them.
    async fn announce(self) {
        loop {
            self.shared.wake.notified().await;
            let Pending { local, remote } = std::mem::take(&mut *self.pending());
            if self.shared.notify && !local.is_empty() {
                self.notify_replicas(&local).await;
            }
            let ids: Vec<i64> = local.union(&remote).copied().collect();
            if ids.is_empty() || self.shared.changes.receiver_count() == 0 {
                continue;
            }
            match doors::live_states(&self.shared.db, &ids).await {
                Ok(states) => {
                    for state in states {
                        let _ = self.shared.changes.send(state);
                    }
                }
                Err(error) => tracing::error!(?error, doors = ids.len(), "could not read the doors' live state"),
            }
            if self.shared.db.pool().is_closed() {
                return;
            }
        }
    }

    async fn notify_replicas(&self, ids: &BTreeSet<i64>) {
        let ids: Vec<i64> = ids.iter().copied().collect();
        for chunk in ids.chunks(IDS_PER_NOTIFICATION) {
            let payload = encode(&self.shared.replica, chunk);
            let sent = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(&payload)
                .execute(self.shared.db.pool())
                .await;
            if let Err(error) = sent {
                tracing::error!(?error, "could not notify the other replicas of a door change");
            }
        }
    }

    /// PostgreSQL: hears the other replicas' changes, on its own connection.
    /// After a lost connection it reconnects (waiting up to 5 s between
    /// tries) and re-reads every door, since notifications sent meanwhile
    /// are lost.
    async fn listen(self) {
        let url = self.shared.db.pool().connect_options().database_url.to_string();
        let mut delay = Duration::from_millis(250);
        let mut resync = false;
        loop {
            if self.shared.db.pool().is_closed() {
                return;
            }
            let mut listener = match sqlx::postgres::PgListener::connect(&url).await {
                Ok(listener) => listener,
                Err(error) => {
                    tracing::warn!(?error, "live status: could not connect the listener; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                    resync = true;
                    continue;
                }
            };
            if let Err(error) = listener.listen(CHANNEL).await {
                tracing::warn!(?error, "live status: LISTEN failed; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
                resync = true;
                continue;
            }
            delay = Duration::from_millis(250);
            if resync {
                self.resync().await;
            }
            // `try_recv` answers `None` when the connection drops and
            // reconnects (re-LISTENing) on the next call.
            loop {
                match listener.try_recv().await {
                    Ok(Some(notification)) => {
                        if let Some((replica, ids)) = decode(notification.payload()) {
                            if replica != self.shared.replica {
                                self.heard(ids);
                            }
                        }
                    }
                    Ok(None) => {
                        tracing::warn!("live status: the listener lost its connection; reconnecting");
                        self.resync().await;
                    }
                    Err(_) if self.shared.db.pool().is_closed() => return,
                    Err(error) => {
                        tracing::warn!(?error, "live status: the listener failed; reconnecting");
                        resync = true;
                        tokio::time::sleep(delay).await;
                        break;
                    }
                }
            }
        }
    }

    /// Re-reads every door (after notifications may have been missed).
    async fn resync(&self) {
        match sqlx::query_as::<_, (i64,)>("SELECT id FROM doors").fetch_all(self.shared.db.pool()).await {
            Ok(rows) => self.heard(rows.into_iter().map(|(id,)| id)),
            Err(error) => tracing::warn!(?error, "live status: could not list the doors to re-read"),
        }
    }
}

/// `"<replica>:<id>,<id>…"`.
fn encode(replica: &str, ids: &[i64]) -> String {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("{replica}:{}", ids.join(","))
}

/// Reads [`encode`]; `None` for anything else on the channel.
fn decode(payload: &str) -> Option<(&str, Vec<i64>)> {
    let (replica, ids) = payload.split_once(':')?;
    let ids = ids.split(',').filter(|s| !s.is_empty()).map(str::parse).collect::<Result<Vec<i64>, _>>().ok()?;
    Some((replica, ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        let payload = encode("abc", &[1, 22, 333]);
        assert_eq!(payload, "abc:1,22,333");
        assert_eq!(decode(&payload), Some(("abc", vec![1, 22, 333])));
        assert_eq!(decode("abc:"), Some(("abc", vec![])));
        assert_eq!(decode("abc:1,x"), None);
        assert_eq!(decode("no colon"), None);
    }

    #[test]
    fn a_full_notification_stays_under_the_payload_limit() {
        let ids = vec![i64::MIN; IDS_PER_NOTIFICATION];
        assert!(encode("0123456789abcdef", &ids).len() < 8000);
    }
}
