//! The one write path: every change of state an admin, the API or the CLI
//! makes runs in a [`Write`] and commits together with its audit line
//! ([`Write::commit`]), or not at all.
//!
//! ```ignore
//! let mut write = db.write().await?;
//! sqlx::query("UPDATE places SET name = $1 WHERE id = $2").bind(name).bind(id).execute(&mut *write).await?;
//! write.commit(Audit::by(actor, "place.updated", name)).await?;
//! ```
//!
//! On SQLite the transaction begins with `BEGIN IMMEDIATE`: it takes the
//! database's one write lock at once, so a change that reads before it
//! writes never fails half-way with "database is locked", and every write
//! (the event writer's batches included) is ordered by that lock. On
//! PostgreSQL it is a plain `BEGIN` (READ COMMITTED); a lockdown also takes
//! [`LOCKDOWN_LOCK`] so that grants the event writer commits are ordered
//! around it ([`Write::exclude_grants`]).
//!
//! Dropping a `Write` without committing rolls it back (sqlx's
//! `Transaction`), so an error returned with `?` leaves nothing behind.

use super::{Db, DbKind};
use crate::services::audit::Audit;
use crate::services::ServiceResult;
use sqlx::{Any, AnyConnection, Transaction};
use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;

/// The PostgreSQL advisory lock (a transaction-level one) that orders
/// lockdowns and the event writer's grants: a lockdown holds it exclusively
/// until it commits; a batch of grants holds it shared while it checks the
/// doors' lockdown and commits. (SQLite orders both by its write lock.)
pub const LOCKDOWN_LOCK: i64 = 0x706f_7374_6c6b;

/// A change under way: a transaction that commits only with its audit line.
#[must_use = "a Write rolls back unless it is committed with its audit line"]
pub struct Write {
    tx: Transaction<'static, Any>,
    kind: DbKind,
}

impl Db {
    /// Begins a change (see [`Write`]).
    pub async fn write(&self) -> Result<Write, sqlx::Error> {
        let tx = match self.kind() {
            DbKind::Sqlite => self.pool().begin_with("BEGIN IMMEDIATE").await?,
            DbKind::Postgres => self.pool().begin().await?,
        };
        Ok(Write { tx, kind: self.kind() })
    }
}

impl Write {
    /// The engine the change runs on.
    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// Adds an audit line to the change without committing it yet (a change
    /// that records two lines); [`commit`](Self::commit) adds the last.
    pub async fn audit(&mut self, audit: &Audit) -> ServiceResult<i64> {
        Ok(audit.insert(&mut self.tx).await?)
    }

    /// Writes `audit` and commits it with the change; returns the audit
    /// line's id.
    pub async fn commit(mut self, audit: Audit) -> ServiceResult<i64> {
        let id = audit.insert(&mut self.tx).await?;
        crash_point(&audit.action);
        self.tx.commit().await?;
        audit.log();
        Ok(id)
    }

    /// For a lockdown: on PostgreSQL, waits until no batch of grants is
    /// being committed and keeps new ones waiting until this change commits
    /// (the event writer then reads the lockdown it made). Nothing to do on
    /// SQLite, whose write lock this transaction already holds.
    pub async fn exclude_grants(&mut self) -> ServiceResult<()> {
        if self.kind == DbKind::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(LOCKDOWN_LOCK).execute(&mut *self.tx).await?;
        }
        Ok(())
    }
}

impl Deref for Write {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for Write {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

/// For the crash test (server/tests/audit_durability.rs): when the
/// environment variable `POSTERN_CRASH_BEFORE_COMMIT` names this action, the
/// process aborts after the change and its audit line are written and
/// before they commit — as a power cut would. Read once per process.
fn crash_point(action: &str) {
    static ACTION: OnceLock<Option<String>> = OnceLock::new();
    let wanted = ACTION.get_or_init(|| std::env::var("POSTERN_CRASH_BEFORE_COMMIT").ok().filter(|a| !a.is_empty()));
    if wanted.as_deref() == Some(action) {
        eprintln!("POSTERN_CRASH_BEFORE_COMMIT: aborting before committing {action}");
        std::process::abort();
    }
}
