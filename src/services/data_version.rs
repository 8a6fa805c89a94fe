//! A value that changes whenever what a lock's view is read from may have
//! changed, so an answer built at version V can be given again, unchanged,
//! while the database still reads V — whoever wrote in between: this server,
//! another replica, another process such as the CLI.
//!
//! - SQLite: a counter in `data_version`, bumped by the triggers of migration
//!   0007 inside every transaction that changes `doors`, `places`, `floors`,
//!   `controllers`, `readers` or `group_doors` (SQLite has one writer, so the
//!   shared row costs nothing).
//! - PostgreSQL: the transaction snapshot (`pg_current_snapshot()`). Two equal
//!   snapshots see exactly the same committed transactions, hence the same
//!   rows in every table; no trigger and no row every replica's writes would
//!   queue on, at the price of changing with any commit at all.
//!
//! Read the version before the rows it vouches for (or in the same
//! statement): the rows are then at least as new as the version says.

use super::db::DbKind;
use super::{Db, ServiceResult};

/// An opaque database version; only equality means anything.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DataVersion(String);

/// The SQL expression (a TEXT) of the version, to read it in the same
/// statement as other rows (see `api_keys::authenticate`).
pub fn expression(kind: DbKind) -> &'static str {
    match kind {
        DbKind::Sqlite => "(SELECT CAST(n AS TEXT) FROM data_version WHERE id = 1)",
        DbKind::Postgres => "pg_current_snapshot()::text",
    }
}

/// The database's version now.
pub async fn read(db: &Db) -> ServiceResult<DataVersion> {
    let sql = format!("SELECT {}", expression(db.kind()));
    let (version,): (String,) = sqlx::query_as(&sql).fetch_one(db.pool()).await?;
    Ok(DataVersion(version))
}

impl From<String> for DataVersion {
    /// A version from its text (for tests and caches keyed by it).
    fn from(text: String) -> DataVersion {
        DataVersion(text)
    }
}
