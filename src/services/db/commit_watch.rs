//! Whether anyone has committed to the SQLite database since a moment,
//! told without a round trip to a connection's worker thread.
//!
//! In WAL mode every connection to the file, in any process, shares the
//! wal-index (the `-shm` file, mapped in memory). Its header (the first 48
//! bytes; <https://sqlite.org/walformat.html>) changes with every commit: the
//! `iChange` counter goes up by one per transaction and `mxFrame`, the last
//! frame of the log, moves. SQLite itself compares this header to know
//! whether its cache is still true; here the same bytes, read from a
//! read-only mapping of the file, let a request reuse what it read before
//! (an API key, the database's version) while nothing has been committed
//! since — a key revoked by this server, another process or the `sqlite3`
//! shell changes the header before its commit returns.
//!
//! A writer updates the header's second copy, then (after a memory
//! barrier) the first; a reader (SQLite's, and this one) reads the first,
//! then the second, and trusts them only when they agree. A read torn by a
//! commit in progress is marked as such and equals no other mark, so it
//! only costs a round trip.
//!
//! Stamps go one step further. Some commits are bookkeeping: they write
//! only the event log, the doors' "unlocked until", access links' use
//! counts, API keys' "last used" and the `data_version` counter (which the
//! doors' triggers bump). Their writers (the event writer's batches, a
//! key's "last used") report each one: the header before, and the header
//! after. When the header before was the last one accounted for and
//! `iChange` went up by exactly one, the one transaction in between was
//! that bookkeeping, and the header after is accounted for too. Any other
//! move of the header (a commit of this server's pool, of another process,
//! a move a report could not account for) starts a new generation, and
//! every stamp of an earlier one is void. So under a stream of unlocks,
//! each logging an event, what an unlock reads about the person, the door
//! and an API key stays true in memory until something else is committed.
//! A stamp never vouches for what bookkeeping writes.
//!
//! One connection is kept open for the watch's lifetime: SQLite removes the
//! `-shm` file when the last connection closes, and a new file would leave
//! the mapping on the old one. Without WAL, or when the file is not found
//! or not a wal-index, there is no watch and every caller reads the
//! database (as on PostgreSQL).

use memmap2::Mmap;
use sqlx::AnyConnection;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// One copy of the wal-index header: the bytes that change with each commit.
const HEADER: usize = 48;
/// Where `iChange`, the header's count of transactions, is (native byte order).
const CHANGE_COUNTER: std::ops::Range<usize> = 8..12;
/// Where `isInit` is: 1 in a header SQLite has written; a torn read is
/// marked with [`TORN`] there, so its mark equals no header.
const IS_INIT: usize = 12;
const TORN: u8 = 0xff;
/// The header's `iVersion` (SQLite 3.7.0's WAL format, the only one).
const WAL_INDEX_VERSION: u32 = 3_007_000;

/// The wal-index header at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitMark([u8; HEADER]);

impl CommitMark {
    /// The header's count of transactions (it wraps).
    fn change_counter(&self) -> u32 {
        let bytes = &self.0[CHANGE_COUNTER];
        u32::from_ne_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
    }
}

/// Vouches that nothing but bookkeeping (see the module notes) has been
/// committed since it was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp(u64);

/// What the stamps are measured against.
#[derive(Debug)]
struct Settled {
    /// The last header accounted for.
    header: CommitMark,
    /// Goes up when the header moved in a way not accounted for.
    generation: u64,
    /// Bookkeeping commits under way: a header past the one accounted for
    /// may be theirs, about to be reported.
    bookkeeping: u32,
}

/// A read-only view of one database's wal-index header.
pub struct CommitWatch {
    map: Mmap,
    settled: Mutex<Settled>,
    /// Keeps the `-shm` file this mapping shows in use (never queried; the
    /// mutex only makes the watch shareable between threads).
    _open: Mutex<AnyConnection>,
}

impl std::fmt::Debug for CommitWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommitWatch").finish_non_exhaustive()
    }
}

impl CommitWatch {
    /// Watches the database at `path` (the file SQLite opened, with its
    /// `-shm` beside it), keeping `open` (a connection to it) open. `None`
    /// when there is no wal-index to watch.
    pub fn new(path: &Path, open: AnyConnection) -> Option<CommitWatch> {
        let mut shm = path.as_os_str().to_owned();
        shm.push("-shm");
        let file = std::fs::File::open(&shm).ok()?;
        if file.metadata().ok()?.len() < 2 * HEADER as u64 {
            return None;
        }
        // SAFETY: the mapping is read-only and only ever read through
        // volatile copies of its first bytes (see `mark`). SQLite changes
        // those bytes concurrently, by design of the shared wal-index; a
        // torn copy is harmless (it differs from every mark). The file is
        // never truncated below its first 32 KiB while a connection (`open`)
        // is kept open.
        let map = unsafe { memmap2::MmapOptions::new().len(2 * HEADER).map(&file) }.ok()?;
        let settled = Mutex::new(Settled { header: CommitMark([0; HEADER]), generation: 0, bookkeeping: 0 });
        let watch = CommitWatch { map, settled, _open: Mutex::new(open) };
        let header = watch.mark();
        let version = u32::from_ne_bytes(header.0[0..4].try_into().ok()?);
        let initialised = header.0[IS_INIT] == 1;
        watch.settled().header = header;
        (version == WAL_INDEX_VERSION && initialised).then_some(watch)
    }

    /// The header now (its first copy, marked [`TORN`] when the second
    /// copy differs: a commit is writing it).
    pub fn mark(&self) -> CommitMark {
        let first = self.copy(0);
        std::sync::atomic::fence(std::sync::atomic::Ordering::Acquire);
        let second = self.copy(HEADER);
        let mut mark = CommitMark(first);
        if first != second {
            mark.0[IS_INIT] = TORN;
        }
        mark
    }

    fn copy(&self, offset: usize) -> [u8; HEADER] {
        let mut bytes = [0u8; HEADER];
        let start = self.map.as_ptr();
        for (i, byte) in bytes.iter_mut().enumerate() {
            // SAFETY: `offset + i` < 2 * HEADER, the length of the mapping.
            *byte = unsafe { std::ptr::read_volatile(start.add(offset + i)) };
        }
        bytes
    }

    /// True when no transaction has committed since `mark` was taken.
    pub fn unchanged_since(&self, mark: &CommitMark) -> bool {
        self.mark() == *mark
    }

    fn settled(&self) -> MutexGuard<'_, Settled> {
        self.settled.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A stamp to take before reading what it is to vouch for.
    pub fn stamp(&self) -> Stamp {
        let mut settled = self.settled();
        self.catch_up(&mut settled);
        Stamp(settled.generation)
    }

    /// True when nothing but bookkeeping has been committed since `stamp`
    /// was taken.
    pub fn still_true(&self, stamp: Stamp) -> bool {
        let mut settled = self.settled();
        self.catch_up(&mut settled) && stamp.0 == settled.generation
    }

    /// Starts a new generation when the header moved and no bookkeeping
    /// under way will account for it. False when the header is not the one
    /// accounted for.
    fn catch_up(&self, settled: &mut Settled) -> bool {
        let now = self.mark();
        if now == settled.header {
            return true;
        }
        if settled.bookkeeping == 0 {
            settled.generation += 1;
            settled.header = now;
        }
        false
    }

    /// A bookkeeping transaction is about to commit; returns the header
    /// before it, for [`bookkeeping_done`](Self::bookkeeping_done).
    pub fn bookkeeping_begins(&self) -> CommitMark {
        let mut settled = self.settled();
        settled.bookkeeping += 1;
        self.mark()
    }

    /// The bookkeeping begun at `before` is committed (or failed): when
    /// `before` was accounted for and one transaction alone committed since
    /// (that one), the header now is accounted for too; otherwise something
    /// else may have been committed, and a new generation starts from the
    /// header now.
    pub fn bookkeeping_done(&self, before: CommitMark) {
        let mut settled = self.settled();
        settled.bookkeeping = settled.bookkeeping.saturating_sub(1);
        let after = self.mark();
        let only_bookkeeping = before == settled.header
            && before.0[IS_INIT] != TORN
            && after.0[IS_INIT] != TORN
            && after.change_counter() == before.change_counter().wrapping_add(1);
        if !only_bookkeeping && after != settled.header {
            settled.generation += 1;
        }
        settled.header = after;
    }
}
