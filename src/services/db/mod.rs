//! One connection pool for SQLite (embedded default) or PostgreSQL (several
//! replicas), through sqlx's `Any` driver so every query is written once.
//!
//! Portable SQL rules: `$1` placeholders (SQLite accepts them), booleans as
//! 0/1 integers, instants as integer milliseconds, `RETURNING id` on inserts.

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

mod commit_watch;
mod direct;

pub use commit_watch::{CommitMark, CommitWatch, Stamp};
pub use direct::{DirectConnection, DirectConnections, DIRECT_CONNECTIONS};

/// Which database engine the URL selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

impl DbKind {
    /// Tells the engine from a database URL, or says what is wrong with it.
    pub fn from_url(url: &str) -> Result<DbKind, String> {
        if url.starts_with("sqlite:") {
            Ok(DbKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbKind::Postgres)
        } else {
            Err(format!(
                "The database URL must start with sqlite: or postgres:// (got {:?}).",
                url.split(':').next().unwrap_or_default()
            ))
        }
    }
}

/// The shared pool. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    kind: DbKind,
    direct: Arc<DirectConnections>,
    /// SQLite in WAL mode: tells whether anything was committed since a mark.
    commits: Option<Arc<CommitWatch>>,
}

impl Db {
    /// Connects (creating a SQLite file and its folder if missing).
    pub async fn connect(url: &str) -> Result<Db, String> {
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
            .map_err(|e| format!("Could not open the database: {e}"))?;
        let mut commits = None;
        if kind == DbKind::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .map_err(|e| format!("Could not switch SQLite to WAL mode: {e}"))?;
            commits = watch_commits(&pool).await.map(Arc::new);
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(checkpoints(pool.clone()));
            }
        }
        Ok(Db { pool, kind, direct: Arc::default(), commits })
    }

    /// Applies the migrations of this engine that have not run yet.
    pub async fn migrate(&self) -> Result<(), String> {
        let result = match self.kind {
            DbKind::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await,
            DbKind::Postgres => sqlx::migrate!("migrations/postgres").run(&self.pool).await,
        };
        result.map_err(|e| format!("Could not migrate the database: {e}"))
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

    /// A mark to tell later whether anything was committed since
    /// ([`unchanged_since`](Self::unchanged_since)); `None` on PostgreSQL, or
    /// when SQLite's wal-index cannot be watched. Take it before reading what
    /// it is to vouch for.
    pub fn commit_mark(&self) -> Option<CommitMark> {
        self.commits.as_ref().map(|watch| watch.mark())
    }

    /// True when no transaction, of any connection or process, has committed
    /// since `mark` was taken (see [`CommitWatch`]).
    pub fn unchanged_since(&self, mark: &CommitMark) -> bool {
        self.commits.as_ref().is_some_and(|watch| watch.unchanged_since(mark))
    }

    /// A stamp that tells later whether anything but bookkeeping (the event
    /// log, doors' "unlocked until", access links' use counts, API keys'
    /// "last used", `data_version`; see [`CommitWatch`]) was committed since
    /// ([`still_true`](Self::still_true)); `None` where there is no watch.
    /// Take it before reading what it is to vouch for, and never let it
    /// vouch for what bookkeeping writes.
    pub fn stamp(&self) -> Option<Stamp> {
        self.commits.as_ref().map(|watch| watch.stamp())
    }

    /// True when nothing but bookkeeping has been committed, by any
    /// connection or process, since `stamp` was taken.
    pub fn still_true(&self, stamp: Stamp) -> bool {
        self.commits.as_ref().is_some_and(|watch| watch.still_true(stamp))
    }

    /// Reports a bookkeeping transaction (one that writes nothing a stamp
    /// vouches for) to the commit watch: take it just before the
    /// transaction and let it drop once the transaction has committed or
    /// failed, or was abandoned (a cancelled request).
    pub(crate) fn bookkeeping(&self) -> Bookkeeping<'_> {
        let before = self.commits.as_ref().map(|watch| (&**watch, watch.bookkeeping_begins()));
        Bookkeeping { before }
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

/// The watch of the SQLite file's commits, with a connection of its own kept
/// open (it has read the file, so it holds the wal-index in use). The file is
/// the one SQLite names itself (`pragma_database_list`), so its `-shm` is the
/// one SQLite uses. `None` (every read then goes to the database) when the
/// wal-index cannot be mapped.
async fn watch_commits(pool: &AnyPool) -> Option<CommitWatch> {
    let mut open = pool.acquire().await.ok()?.detach();
    let (file,): (String,) = sqlx::query_as("SELECT file FROM pragma_database_list WHERE name = 'main'")
        .fetch_one(&mut open)
        .await
        .ok()?;
    let watch = CommitWatch::new(std::path::Path::new(&file), open);
    if watch.is_none() {
        tracing::info!(file, "the SQLite wal-index is not watched: API keys are read on every request");
    }
    watch
}

/// Makes sure the SQLite file's folder exists and the file is created on first use.
fn prepare_sqlite_url(url: &str) -> Result<String, String> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" {
        return Err("Give SQLite a file path, like sqlite://data/postern.db.".into());
    }
    let file = std::path::PathBuf::from_str(path).map_err(|e| e.to_string())?;
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("Could not create the folder {}: {e}", dir.display()))?;
    }
    let query = if query.contains("mode=") { query.to_owned() } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// A bookkeeping transaction under way ([`Db::bookkeeping`]): when it
/// drops, the commit watch accounts for its commit.
#[must_use = "the bookkeeping ends when this drops: keep it until the transaction has committed"]
pub(crate) struct Bookkeeping<'a> {
    /// The watch and its header before the transaction (none without a watch).
    before: Option<(&'a CommitWatch, CommitMark)>,
}

impl Drop for Bookkeeping<'_> {
    fn drop(&mut self) {
        if let Some((watch, before)) = self.before {
            watch.bookkeeping_done(before);
        }
    }
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

    /// Another connection to `file`, as another process would open.
    async fn another_connection(file: &std::path::Path) -> sqlx::AnyConnection {
        use sqlx::Connection;
        sqlx::AnyConnection::connect(&format!("sqlite://{}", file.display())).await.unwrap()
    }

    #[test]
    fn kind_from_url() {
        assert_eq!(DbKind::from_url("sqlite://data/p.db"), Ok(DbKind::Sqlite));
        assert_eq!(DbKind::from_url("postgres://localhost/test"), Ok(DbKind::Postgres));
        assert!(DbKind::from_url("mysql://x").unwrap_err().contains("sqlite:"));
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

    /// The commit watch: a commit of any connection (the pool's, or one
    /// opened on its own, as another process would) changes the mark; reads
    /// and a transaction rolled back do not. (Another process and PostgreSQL:
    /// server/tests/api.rs.)
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn commits_of_any_connection_change_the_mark_and_reads_do_not() {
        use sqlx::Connection;
        let (dir, file, db) = scratch_db("watch").await;
        let mark = db.commit_mark().expect("a SQLite file in WAL mode is watched");
        assert!(db.unchanged_since(&mark));
        let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM t").fetch_one(db.pool()).await.unwrap();
        assert_eq!(rows, 0);
        assert!(db.unchanged_since(&mark), "a read is not a commit");
        sqlx::query("INSERT INTO t (x) VALUES ('pool')").execute(db.pool()).await.unwrap();
        assert!(!db.unchanged_since(&mark), "the pool's commit");

        let mark = db.commit_mark().unwrap();
        let mut other = another_connection(&file).await;
        sqlx::raw_sql("BEGIN; INSERT INTO t (x) VALUES ('rolled back'); ROLLBACK").execute(&mut other).await.unwrap();
        assert!(db.unchanged_since(&mark), "nothing was committed");
        sqlx::query("INSERT INTO t (x) VALUES ('other')").execute(&mut other).await.unwrap();
        assert!(!db.unchanged_since(&mark), "another connection's commit");
        other.close().await.unwrap();
        db.close().await;
        std::fs::remove_dir_all(dir).ok();
    }

    /// Stamps: bookkeeping reported alone keeps them; any other commit voids
    /// them (the pool's, another connection's, one that slips in while
    /// bookkeeping is under way), and a header moved while bookkeeping is
    /// under way is not vouched for until it is reported. (The event writer
    /// and API keys: their own tests and server/tests/api.rs.)
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn stamps_outlive_reported_bookkeeping_and_no_other_commit() {
        use sqlx::Connection;
        let (dir, file, db) = scratch_db("stamps").await;
        let insert = |x: &'static str| sqlx::query("INSERT INTO t (x) VALUES ($1)").bind(x);
        // One commit by the pool, reported as bookkeeping.
        let bookkeeping = || async {
            let _bookkeeping = db.bookkeeping();
            insert("bookkeeping").execute(db.pool()).await.unwrap();
        };
        let stamp = db.stamp().expect("a SQLite file in WAL mode is watched");
        assert!(db.still_true(stamp));
        for _ in 0..3 {
            bookkeeping().await;
        }
        assert!(db.still_true(stamp), "three reported bookkeeping commits");
        let failed = db.bookkeeping();
        sqlx::raw_sql("BEGIN; INSERT INTO t (x) VALUES ('failed'); ROLLBACK").execute(db.pool()).await.unwrap();
        drop(failed);
        assert!(db.still_true(stamp), "bookkeeping that committed nothing");
        insert("pool").execute(db.pool()).await.unwrap();
        assert!(!db.still_true(stamp), "a commit not reported");

        let mut other = another_connection(&file).await;
        let stamp = db.stamp().unwrap();
        insert("other").execute(&mut other).await.unwrap();
        assert!(!db.still_true(stamp), "another connection's commit");

        let stamp = db.stamp().unwrap();
        let reported = db.bookkeeping();
        insert("other, during bookkeeping").execute(&mut other).await.unwrap();
        assert!(!db.still_true(stamp), "the header moved and nothing has accounted for it yet");
        insert("bookkeeping").execute(db.pool()).await.unwrap();
        drop(reported);
        assert!(!db.still_true(stamp), "two transactions where bookkeeping reported one");
        let stamp = db.stamp().unwrap();
        assert!(db.still_true(stamp), "a new stamp, from the header now");

        let stamp = db.stamp().unwrap();
        insert("other, before bookkeeping").execute(&mut other).await.unwrap();
        bookkeeping().await;
        assert!(!db.still_true(stamp), "bookkeeping begun after a commit nobody accounted for");
        other.close().await.unwrap();
        db.close().await;
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
