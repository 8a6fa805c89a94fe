//! What an unlock read about a person and a door, answered again from
//! memory while nothing but bookkeeping has been committed since ([`Stamp`],
//! SQLite's commit watch). Granted unlocks log events and move doors'
//! "unlocked until", API requests write keys' "last used", and the facts
//! read none of these; any other commit (a membership, a door's rules, a
//! lockdown, a controller going offline, a key revoked), by this server or
//! another process, voids every kept entry at once. The time of day is not
//! kept: each unlock decides at its own instant, and a holiday read for a
//! time restriction is kept for its local day only. On PostgreSQL nothing
//! is kept.

use super::facts::{self, PersonFacts};
use crate::services::db::Stamp;
use crate::services::{Db, ServiceResult};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// At most this many (person, door) pairs are kept; past it all start again.
const MOST_KEPT: usize = 10_000;

/// Facts by (user id, door id). Shared behind the unlock service's `Arc`.
#[derive(Debug, Default)]
pub struct KeptFacts {
    by_pair: Mutex<HashMap<(i64, i64), Kept>>,
    /// Facts read from the database (for tests).
    reads: AtomicU64,
}

#[derive(Debug)]
struct Kept {
    facts: PersonFacts,
    /// Taken before the facts were read.
    stamp: Stamp,
    /// The local date their holiday was read for, when a time restriction needs one.
    day: Option<jiff::civil::Date>,
}

impl KeptFacts {
    /// The person's facts at the door, as [`facts::person`] reads them (with
    /// `key_hash`, a key to check in the same query: then always read).
    pub async fn person(&self, db: &Db, user_id: i64, door_id: i64, now: i64, key_hash: Option<&str>) -> ServiceResult<PersonFacts> {
        if key_hash.is_none() {
            if let Some(facts) = self.remembered(db, user_id, door_id, now) {
                return Ok(facts);
            }
        }
        let stamp = db.stamp();
        self.reads.fetch_add(1, Ordering::Relaxed);
        let read = facts::person(db, user_id, door_id, now, key_hash).await?;
        if let Some(stamp) = stamp {
            let mut by_pair = self.lock();
            if by_pair.len() >= MOST_KEPT {
                by_pair.clear();
            }
            let day = facts::holiday_day(&read, now);
            by_pair.insert((user_id, door_id), Kept { facts: read.clone(), stamp, day });
        }
        Ok(read)
    }

    fn remembered(&self, db: &Db, user_id: i64, door_id: i64, now: i64) -> Option<PersonFacts> {
        let by_pair = self.lock();
        let kept = by_pair.get(&(user_id, door_id))?;
        let still = db.still_true(kept.stamp) && facts::holiday_day(&kept.facts, now) == kept.day;
        still.then(|| kept.facts.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(i64, i64), Kept>> {
        self.by_pair.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many times facts were read from the database (for tests).
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }
}
