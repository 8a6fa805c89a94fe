//! One connection pool for SQLite (embedded default) or PostgreSQL (several
//! replicas), through sqlx's `Any` driver so every query is written once.
//!
//! Portable SQL rules: `$1` placeholders (SQLite accepts them), booleans as
//! 0/1 integers, instants as integer milliseconds, `RETURNING id` on inserts.

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::sync::Arc;
use std::time::Duration;

mod direct;
mod write;

pub use direct::{DirectConnection, DirectConnections, DIRECT_CONNECTIONS};
pub use write::{Write, LOCKDOWN_LOCK};

/// Which database engine the URL selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

impl DbKind {
    /// Tells the engine from a database URL, or says what is wrong with it.
    pub fn from_url(url: &str) -> Result<DbKind, DbError> {
        if url.starts_with("sqlite:") {
            Ok(DbKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbKind::Postgres)
        } else {
            Err(DbError::Url(url.split(':').next().unwrap_or_default().to_owned()))
        }
    }
}

/// Why the database could not be opened or migrated, with the error that
/// caused it kept as the source (print it with [`error_chain`]).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("The database URL must start with sqlite: or postgres:// (got {0:?}).")]
    Url(String),
    #[error("Give SQLite a file path, like sqlite://data/postern.db.")]
    NoFile,
    #[error("Could not create the folder {folder}")]
    Folder {
        folder: String,
        #[source]
        source: std::io::Error,
    },
    #[error("Could not open the database")]
    Open(#[source] sqlx::Error),
    #[error("Could not switch SQLite to WAL mode")]
    Wal(#[source] sqlx::Error),
    #[error("Could not migrate the database")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

/// An error and each cause after it, as one line: "a: b: c".
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        text.push_str(": ");
        text.push_str(&next.to_string());
        cause = next.source();
    }
    text
}

/// The shared pool. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    kind: DbKind,
    direct: Arc<DirectConnections>,
}

impl Db {
    /// Connects (creating a SQLite file and its folder if missing).
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        install_default_drivers();
        let kind = DbKind::from_url(url)?;
        let url = match kind {
            DbKind::Sqlite => prepare_sqlite_url(url)?,
            DbKind::Postgres => url.to_owned(),
        };
        let options = AnyPoolOptions::new()
            .max_connections(match kind {
                DbKind::Sqlite => 16,
                DbKind::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            // A SQLite connection is a file handle that cannot drop, so it is
            // not pinged each time it leaves the pool (a round trip to its
            // worker thread per query); a PostgreSQL one can, so it is.
            .test_before_acquire(kind == DbKind::Postgres)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if kind == DbKind::Sqlite {
                        // Durable commits; foreign keys are on by default in sqlx.
                        // No checkpoint inside a commit: [`checkpoints`] runs them
                        // beside the writers instead of in the way of one.
                        //
                        // 1 KiB pages for a new database (an existing one keeps
                        // its own: SQLite changes it only in a VACUUM outside WAL
                        // mode). Each commit of the event writer rewrites a leaf
                        // of the events table and of each of its five indexes,
                        // plus the doors it unlocked: with 4 KiB pages that is
                        // over 100 KB of write-ahead log to write and fsync per
                        // commit, a quarter of it with 1 KiB (README, bench (f)).
                        conn.execute("PRAGMA page_size = 1024;").await?;
                        conn.execute("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0;")
                            .await?;
                    }
                    Ok(())
                })
            });
        let pool = options
            .connect(&url)
            .await
            .map_err(DbError::Open)?;
        if kind == DbKind::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .map_err(DbError::Wal)?;
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(checkpoints(pool.clone()));
            }
        }
        Ok(Db { pool, kind, direct: Arc::default() })
    }

    /// Applies the migrations of this engine that have not run yet.
    pub async fn migrate(&self) -> Result<(), DbError> {
        let result = match self.kind {
            DbKind::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await,
            DbKind::Postgres => sqlx::migrate!("migrations/postgres").run(&self.pool).await,
        };
        result.map_err(DbError::Migrate)
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// A connection for one statement outside any transaction, on the hot
    /// path of a request (see [`direct`]): on SQLite cheaper than the pool's.
    pub async fn direct(&self) -> Result<DirectConnection<'_>, sqlx::Error> {
        self.direct.acquire(&self.pool, self.kind).await
    }

    /// The direct connections (for tests).
    pub fn direct_connections(&self) -> &DirectConnections {
        &self.direct
    }

    pub async fn close(&self) {
        self.direct.clear();
        self.pool.close().await;
    }
}

/// How often the SQLite write-ahead log is copied back into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Copies the write-ahead log back into the database file every
/// [`CHECKPOINT_EVERY`], without blocking writers or readers (PASSIVE), until
/// the pool closes. SQLite's own automatic checkpoint would run inside
/// whichever commit crossed 1000 pages — the event writer's, so a grant
/// would wait for the copy and its fsyncs; here nothing waits for it. (A
/// process that stops checkpoints its log when its last connection closes.)
async fn checkpoints(pool: AnyPool) {
    let mut ticker = tokio::time::interval(CHECKPOINT_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(%error, "the SQLite checkpoint failed; it is tried again");
        }
    }
}

/// Makes sure the SQLite file's folder exists and the file is created on first use.
fn prepare_sqlite_url(url: &str) -> Result<String, DbError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" {
        return Err(DbError::NoFile);
    }
    let file = std::path::PathBuf::from(path);
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| DbError::Folder { folder: dir.display().to_string(), source })?;
    }
    let query = if query.contains("mode=") { query.to_owned() } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// Reads a 0/1 integer column as a bool.
pub fn flag(value: i64) -> bool {
    value != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh SQLite file `name` in a folder of its own (removed by the
    /// caller), with a table `t (x TEXT)`: the folder, the file, the pool.
    async fn scratch_db(name: &str) -> (std::path::PathBuf, std::path::PathBuf, Db) {
        let dir = std::env::temp_dir().join(format!("postern-{name}-{}", std::process::id()));
        let file = dir.join(format!("{name}.db"));
        let db = Db::connect(&format!("sqlite://{}", file.display())).await.unwrap();
        sqlx::query("CREATE TABLE t (x TEXT)").execute(db.pool()).await.unwrap();
        (dir, file, db)
    }

    #[tokio::test]
    async fn a_failed_open_keeps_its_cause() {
        let error = Db::connect("postgres://nobody@127.0.0.1:1/none").await.unwrap_err();
        assert!(matches!(error, DbError::Open(_)), "{error:?}");
        let line = error_chain(&error);
        assert!(line.starts_with("Could not open the database: ") && line.len() > "Could not open the database: ".len(), "{line}");
    }

    #[test]
    fn kind_from_url() {
        assert_eq!(DbKind::from_url("sqlite://data/p.db").ok(), Some(DbKind::Sqlite));
        assert_eq!(DbKind::from_url("postgres://localhost/test").ok(), Some(DbKind::Postgres));
        assert!(DbKind::from_url("mysql://x").unwrap_err().to_string().contains("sqlite:"));
    }

    #[test]
    fn sqlite_url_gets_create_mode() {
        let dir = std::env::temp_dir().join(format!("postern-url-{}", std::process::id()));
        let url = format!("sqlite://{}/x.db", dir.display());
        assert!(prepare_sqlite_url(&url).unwrap().ends_with("x.db?mode=rwc"));
        assert!(dir.exists());
        std::fs::remove_dir_all(dir).ok();
        assert!(prepare_sqlite_url("sqlite::memory:").is_err());
    }

    /// A new database is made with 1 KiB pages; one made before keeps its own.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn new_databases_get_small_pages_and_old_ones_keep_theirs() {
        use sqlx::Connection;
        let dir = std::env::temp_dir().join(format!("postern-pages-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let page_size = |db: Db| async move {
            let (size,): (i64,) = sqlx::query_as("PRAGMA page_size").fetch_one(db.pool()).await.unwrap();
            db.close().await;
            size
        };
        let new = Db::connect(&format!("sqlite://{}", dir.join("new.db").display())).await.unwrap();
        new.migrate().await.unwrap();
        assert_eq!(page_size(new).await, 1024);

        install_default_drivers();
        let old = dir.join("old.db");
        let mut conn = sqlx::AnyConnection::connect(&format!("sqlite://{}?mode=rwc", old.display())).await.unwrap();
        sqlx::raw_sql("PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE t (x TEXT)").execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        let reopened = Db::connect(&format!("sqlite://{}", old.display())).await.unwrap();
        sqlx::query("INSERT INTO t (x) VALUES ('still here')").execute(reopened.pool()).await.unwrap();
        assert_eq!(page_size(reopened).await, 4096);
        std::fs::remove_dir_all(dir).ok();
    }

    /// Commits do not checkpoint (they would wait for it), so the rows reach
    /// the database file only through the background checkpoints.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_log_is_checkpointed_beside_the_writers() {
        let (dir, file, db) = scratch_db("checkpoint").await;
        let main_size = || std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        tokio::time::sleep(CHECKPOINT_EVERY * 2).await;
        let before = main_size();
        // About 4 MB, over SQLite's automatic checkpoint threshold (1000 pages).
        for _ in 0..40 {
            sqlx::query("INSERT INTO t (x) VALUES ($1)").bind("x".repeat(100_000)).execute(db.pool()).await.unwrap();
        }
        let wal = std::fs::metadata(format!("{}-wal", file.display())).unwrap().len();
        assert!(wal > 4_000_000, "the rows are in the log: {wal} bytes");
        tokio::time::sleep(CHECKPOINT_EVERY * 3).await;
        assert!(main_size() > before + 4_000_000, "checkpointed into the file: {before} -> {}", main_size());
        db.close().await;
        std::fs::remove_dir_all(dir).ok();
    }
}
