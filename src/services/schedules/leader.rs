//! Which process runs the scheduled unlocks. SQLite has one process: it
//! runs them. On PostgreSQL every replica starts a runner, and the one
//! holding a session advisory lock acts; the lock lives on a connection of
//! its own, so PostgreSQL drops it the moment the process dies (the kernel
//! closes the socket) and a waiting replica takes over within a second.
//! The holder checks its connection every two seconds and steps down when
//! it is gone (the lock may be someone else's by then).

use super::{wake, Db, CHANNEL};
use crate::services::db::DbKind;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgListener};
use sqlx::{ConnectOptions, Connection};
use std::str::FromStr;
use std::time::Duration;

/// The advisory lock's key ("postern" + "S"cheduler, as bytes).
pub(super) const LOCK_KEY: i64 = 0x706f_7374_6572_6e53;
/// The lock connection's `application_name`, followed by the process id:
/// which process leads is visible in `pg_stat_activity`.
pub const APPLICATION_NAME: &str = "postern-scheduler";
/// How often a replica tries to take the lock, and the holder checks it.
const RETRY: Duration = Duration::from_secs(1);
const CHECK: Duration = Duration::from_secs(2);

/// The right to run scheduled unlocks, while held.
pub(super) enum Leadership {
    /// SQLite: the only process.
    Alone,
    /// PostgreSQL: the connection holding the advisory lock, and the task
    /// relaying other replicas' `NOTIFY postern_schedules` to the runner.
    Lock {
        connection: PgConnection,
        listener: tokio::task::JoinHandle<()>,
    },
}

impl Drop for Leadership {
    fn drop(&mut self) {
        if let Leadership::Lock { listener, .. } = self {
            listener.abort();
        }
    }
}

/// Waits until this process may run scheduled unlocks.
pub(super) async fn acquire(db: &Db) -> Leadership {
    if db.kind() == DbKind::Sqlite {
        return Leadership::Alone;
    }
    let url = db.pool().connect_options().database_url.to_string();
    let mut waiting_logged = false;
    loop {
        match try_lock(&url).await {
            Ok(Some(connection)) => {
                tracing::info!("this process runs the scheduled unlocks");
                let listener = tokio::spawn(relay_notifications(url));
                return Leadership::Lock {
                    connection,
                    listener,
                };
            }
            Ok(None) if !waiting_logged => {
                tracing::info!("another replica runs the scheduled unlocks; standing by");
                waiting_logged = true;
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, "scheduler: could not reach PostgreSQL for the lock; retrying")
            }
        }
        tokio::time::sleep(RETRY).await;
    }
}

/// A fresh connection that took the lock, or `None` if another holds it.
async fn try_lock(url: &str) -> Result<Option<PgConnection>, sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?
        .application_name(&format!("{APPLICATION_NAME} {}", std::process::id()))
        .disable_statement_logging();
    let mut connection = options.connect().await?;
    let (locked,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1)")
        .bind(LOCK_KEY)
        .fetch_one(&mut connection)
        .await?;
    if locked {
        Ok(Some(connection))
    } else {
        connection.close().await.ok();
        Ok(None)
    }
}

impl Leadership {
    /// Resolves when the lock is lost (never on SQLite).
    pub(super) async fn lost(&mut self) {
        let Leadership::Lock { connection, .. } = self else {
            return std::future::pending().await;
        };
        loop {
            tokio::time::sleep(CHECK).await;
            let alive =
                tokio::time::timeout(CHECK, sqlx::query("SELECT 1").execute(&mut *connection))
                    .await;
            if !matches!(alive, Ok(Ok(_))) {
                tracing::warn!("scheduler: lost the connection holding the lock; stepping down");
                return;
            }
        }
    }
}

/// Wakes the runner whenever another replica announces a change.
async fn relay_notifications(url: String) {
    loop {
        let listening = async {
            let mut listener = PgListener::connect(&url).await?;
            listener.listen(CHANNEL).await?;
            // A reconnected listener may have missed announcements: look again.
            wake().notify_waiters();
            loop {
                // `try_recv` answers `None` after a lost connection and reconnects on the next call.
                listener.try_recv().await?;
                wake().notify_waiters();
            }
            #[allow(unreachable_code)]
            Ok::<(), sqlx::Error>(())
        };
        if let Err(error) = listening.await {
            tracing::warn!(%error, "scheduler: the change listener failed; reconnecting");
        }
        tokio::time::sleep(RETRY).await;
    }
}
