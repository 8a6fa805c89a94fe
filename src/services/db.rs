//! One connection pool for SQLite (embedded default) or PostgreSQL (several
//! replicas), through sqlx's `Any` driver so every query is written once.
//!
//! Portable SQL rules: `$1` placeholders (SQLite accepts them), booleans as
//! 0/1 integers, instants as integer milliseconds, `RETURNING id` on inserts.

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

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
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if kind == DbKind::Sqlite {
                        // Durable commits; foreign keys are on by default in sqlx.
                        conn.execute("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
                            .await?;
                    }
                    Ok(())
                })
            });
        let pool = options
            .connect(&url)
            .await
            .map_err(|e| format!("Could not open the database: {e}"))?;
        if kind == DbKind::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .map_err(|e| format!("Could not switch SQLite to WAL mode: {e}"))?;
        }
        Ok(Db { pool, kind })
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

    pub async fn close(&self) {
        self.pool.close().await;
    }
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

/// Reads a 0/1 integer column as a bool.
pub fn flag(value: i64) -> bool {
    value != 0
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
