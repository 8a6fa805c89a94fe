//! On SQLite, a few connections kept out of sqlx's pool for the reads every
//! request makes (the API key, an unlock's facts).
//!
//! sqlx's pool checks a connection on its way back (a `ping`, from a task
//! it spawns for every release): on SQLite that is a second round trip to
//! the connection's worker thread for every query. These connections go
//! back to a plain list instead, untested: they only run single statements
//! outside any transaction, so nothing can be left half done on them, and a
//! SQLite connection is an open file that cannot drop. Should one fail for
//! a reason of the connection itself (a crashed worker thread), it is
//! dropped, and a new one is taken from the pool the next time one is
//! missing.
//!
//! On PostgreSQL the pool's own connections are handed out: a server
//! restart breaks a kept connection, and the pool's test on acquiring one
//! is what hides that from the request.

use super::DbKind;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool};
use std::ops::{Deref, DerefMut};
use std::sync::Mutex;
use tokio::sync::{Semaphore, SemaphorePermit};

/// The most kept SQLite connections open at once.
pub const DIRECT_CONNECTIONS: usize = 8;

/// The direct connections of one database.
#[derive(Debug)]
pub struct DirectConnections {
    idle: Mutex<Vec<AnyConnection>>,
    permits: Semaphore,
}

impl Default for DirectConnections {
    fn default() -> DirectConnections {
        DirectConnections { idle: Mutex::new(Vec::new()), permits: Semaphore::new(DIRECT_CONNECTIONS) }
    }
}

impl DirectConnections {
    /// On SQLite an idle connection, or a new one detached from `pool` (so
    /// it runs the pool's setup, such as SQLite's pragmas), waiting while
    /// all are busy; on PostgreSQL one of the pool's.
    pub async fn acquire<'a>(&'a self, pool: &AnyPool, kind: DbKind) -> Result<DirectConnection<'a>, sqlx::Error> {
        if kind == DbKind::Postgres {
            return Ok(DirectConnection::Pooled(pool.acquire().await?));
        }
        let permit = self.permits.acquire().await.map_err(|_| sqlx::Error::PoolClosed)?;
        let idle = self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
        let connection = match idle {
            Some(connection) => connection,
            None => pool.acquire().await?.detach(),
        };
        Ok(DirectConnection::Kept { connection: Some(connection), owner: self, _permit: permit })
    }

    /// How many connections are idle (for tests).
    pub fn idle(&self) -> usize {
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len()
    }

    /// Drops every idle connection (when the database closes).
    pub fn clear(&self) {
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }
}

/// A connection for one statement: a kept one (SQLite), back in the list
/// when dropped, or the pool's (PostgreSQL).
#[derive(Debug)]
pub enum DirectConnection<'a> {
    Kept { connection: Option<AnyConnection>, owner: &'a DirectConnections, _permit: SemaphorePermit<'a> },
    Pooled(PoolConnection<Any>),
}

impl DirectConnection<'_> {
    /// Passes `result` through; a failure of a kept connection itself drops
    /// the connection instead of handing it to the next request.
    pub fn check<T>(&mut self, result: Result<T, sqlx::Error>) -> Result<T, sqlx::Error> {
        if let (Err(error), DirectConnection::Kept { connection, .. }) = (&result, self) {
            if connection_broken(error) {
                *connection = None;
            }
        }
        result
    }
}

/// Whether `error` says the connection cannot be used again (rather than
/// that the statement or its data were wrong).
fn connection_broken(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) | sqlx::Error::WorkerCrashed | sqlx::Error::PoolClosed
    )
}

impl Deref for DirectConnection<'_> {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            DirectConnection::Kept { connection, .. } => connection.as_ref().expect("a kept connection is present until dropped"),
            DirectConnection::Pooled(connection) => connection,
        }
    }
}

impl DerefMut for DirectConnection<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            DirectConnection::Kept { connection, .. } => connection.as_mut().expect("a kept connection is present until dropped"),
            DirectConnection::Pooled(connection) => connection,
        }
    }
}

impl Drop for DirectConnection<'_> {
    fn drop(&mut self) {
        if let DirectConnection::Kept { connection, owner, .. } = self {
            if let Some(connection) = connection.take() {
                owner.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(connection);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_errors_keep_the_connection_and_connection_errors_drop_it() {
        assert!(connection_broken(&sqlx::Error::WorkerCrashed));
        assert!(connection_broken(&sqlx::Error::Io(std::io::Error::other("reset"))));
        assert!(!connection_broken(&sqlx::Error::RowNotFound));
        assert!(!connection_broken(&sqlx::Error::ColumnNotFound("x".into())));
    }
}
