//! Keys that checked out, answered again without reading the database while
//! nothing at all has been committed to it since (SQLite's wal-index, see
//! [`CommitWatch`](crate::services::db::CommitWatch)). A revoked key, a
//! changed role, a removed user: each is a commit, so the next request reads
//! the key again and sees it, whichever process made the change.
//!
//! Unlocks log events, committed by the event writer as bookkeeping (as is
//! a key's "last used"). After such commits a key is still known valid:
//! nothing it depends on changed since it was read ([`Stamp`]), so an
//! unlock by a remembered key reads nothing to check it
//! ([`Remembered::Valid`]). The database's version is not vouched for then
//! (the writer's commits move it), so a request that needs it (a lock
//! list, with its kept pages) reads the key again. After any other commit
//! an unlock checks the key inside the query of its facts
//! ([`Remembered::Earlier`]). A read-only integration polling the lock
//! list reads its key about once a minute.
//!
//! An entry also ends when "last used" would be written again (a minute
//! after the last write), so that column keeps its one-minute step. Only
//! keys that checked out are kept, by their SHA-256 (never the secret);
//! on PostgreSQL nothing is kept (there is no watch) and every request reads
//! its key, so a key revoked on another replica is refused there at once.

use super::{read_key, LAST_USED_STEP_MS};
use crate::model::SessionUser;
use crate::services::data_version::DataVersion;
use crate::services::db::{CommitMark, Stamp};
use crate::services::{now_ms, tokens, Db, ServiceResult};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// At most this many keys are kept; past it the whole set starts again.
const MOST_KEPT: usize = 10_000;

/// The keys one server has seen check out. Cheap to share behind an `Arc`.
#[derive(Debug, Default)]
pub struct KeptKeys {
    by_hash: Mutex<HashMap<String, Kept>>,
    /// Keys read from the database (for tests).
    reads: AtomicU64,
}

#[derive(Debug)]
struct Kept {
    user: SessionUser,
    seen: DataVersion,
    /// The wal-index header taken before the key was read.
    mark: CommitMark,
    /// The commit watch's stamp, taken before the key was read.
    stamp: Stamp,
    last_used_at: i64,
}

/// What memory says of a key that checked out, without reading the database.
#[derive(Clone, Debug)]
pub enum Remembered {
    /// Nothing has been committed since it was read: still true now.
    Now(SessionUser, DataVersion),
    /// Still valid and acting as this user (only bookkeeping was committed
    /// since it was checked), but the database's version may have moved, and
    /// the user's name and role are as first read (an unlock reads them
    /// again with its facts).
    Valid(SessionUser),
    /// Other commits since: to be checked again before it counts. An unlock checks
    /// it in the query that reads its facts (`UnlockActor::ApiKey`).
    Earlier(SessionUser),
}

impl KeptKeys {
    /// The user `secret` acts as and the database's version, like
    /// [`authenticate_seen`](super::authenticate_seen); from memory when the
    /// key checked out before and nothing has been committed since.
    pub async fn authenticate(&self, db: &Db, secret: &str) -> ServiceResult<Option<(SessionUser, DataVersion)>> {
        let hash = tokens::hash_token(secret);
        if let Some(Remembered::Now(user, seen)) = self.remembered(db, &hash) {
            return Ok(Some((user, seen)));
        }
        // The mark first: a commit between it and the read makes the entry
        // look older than it is, never newer.
        let (mark, stamp) = (db.commit_mark(), db.stamp());
        self.reads.fetch_add(1, Ordering::Relaxed);
        let proved = read_key(db, secret, &hash).await?;
        let mut by_hash = self.lock();
        let Some(proved) = proved else {
            by_hash.remove(&hash);
            return Ok(None);
        };
        if let (Some(mark), Some(stamp)) = (mark, stamp) {
            if by_hash.len() >= MOST_KEPT {
                by_hash.clear();
            }
            let user = proved.user.clone();
            let kept = Kept { user, seen: proved.seen.clone(), mark, stamp, last_used_at: proved.last_used_at };
            by_hash.insert(hash, kept);
        }
        Ok(Some((proved.user, proved.seen)))
    }

    /// What memory says of the key with this SHA-256 (hex), if it checked
    /// out before and "last used" is not due to be written again.
    pub fn remembered(&self, db: &Db, hash: &str) -> Option<Remembered> {
        let by_hash = self.lock();
        let kept = by_hash.get(hash).filter(|kept| now_ms() < kept.last_used_at + LAST_USED_STEP_MS)?;
        Some(if db.unchanged_since(&kept.mark) {
            Remembered::Now(kept.user.clone(), kept.seen.clone())
        } else if db.still_true(kept.stamp) {
            Remembered::Valid(kept.user.clone())
        } else {
            Remembered::Earlier(kept.user.clone())
        })
    }

    /// The key with this SHA-256 (hex) was found to be its user's and not
    /// revoked by a query that began after `stamp` was taken (an unlock's
    /// facts, [`Remembered::Earlier`]): it is [`Remembered::Valid`] again
    /// while nothing but bookkeeping is committed.
    pub fn confirm(&self, hash: &str, stamp: Stamp) {
        let mut by_hash = self.lock();
        if let Some(kept) = by_hash.get_mut(hash) {
            kept.stamp = stamp;
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Kept>> {
        self.by_hash.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many times a key was read from the database (for tests).
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// How many keys are kept (for tests).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when no key is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
