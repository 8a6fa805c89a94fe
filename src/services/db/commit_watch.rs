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
//! barrier) the first; the first is compared here, so a commit that has
//! returned is always seen. A read torn by a commit in progress differs
//! from the mark and only costs a round trip.
//!
//! One connection is kept open for the watch's lifetime: SQLite removes the
//! `-shm` file when the last connection closes, and a new file would leave
//! the mapping on the old one. Without WAL, or when the file is not found
//! or not a wal-index, there is no watch and every caller reads the
//! database (as on PostgreSQL).

use memmap2::Mmap;
use sqlx::AnyConnection;
use std::path::Path;
use std::sync::Mutex;

/// The first copy of the wal-index header: the bytes that change with each commit.
const HEADER: usize = 48;
/// The header's `iVersion` (SQLite 3.7.0's WAL format, the only one).
const WAL_INDEX_VERSION: u32 = 3_007_000;

/// The wal-index header at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitMark([u8; HEADER]);

/// A read-only view of one database's wal-index header.
pub struct CommitWatch {
    map: Mmap,
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
        if file.metadata().ok()?.len() < HEADER as u64 {
            return None;
        }
        // SAFETY: the mapping is read-only and only ever read through
        // volatile copies of its first bytes (see `mark`). SQLite changes
        // those bytes concurrently, by design of the shared wal-index; a
        // torn copy is harmless (it differs from every mark). The file is
        // never truncated below its first 32 KiB while a connection (`open`)
        // is kept open.
        let map = unsafe { memmap2::MmapOptions::new().len(HEADER).map(&file) }.ok()?;
        let watch = CommitWatch { map, _open: Mutex::new(open) };
        let header = watch.mark().0;
        let version = u32::from_ne_bytes(header[0..4].try_into().ok()?);
        let initialised = header[12] == 1;
        (version == WAL_INDEX_VERSION && initialised).then_some(watch)
    }

    /// The header now.
    pub fn mark(&self) -> CommitMark {
        let mut bytes = [0u8; HEADER];
        let start = self.map.as_ptr();
        for (i, byte) in bytes.iter_mut().enumerate() {
            // SAFETY: `i` < HEADER, the length of the mapping.
            *byte = unsafe { std::ptr::read_volatile(start.add(i)) };
        }
        std::sync::atomic::fence(std::sync::atomic::Ordering::Acquire);
        CommitMark(bytes)
    }

    /// True when no transaction has committed since `mark` was taken.
    pub fn unchanged_since(&self, mark: &CommitMark) -> bool {
        self.mark() == *mark
    }
}
