//! One SQLite file of the store (WAL): a small pool of read-only connections, so pages never wait on a writer,
//! and one long-lived writer connection that every write of this process to the file goes through, one at a
//! time. Writes of this process queue on that connection's mutex; another process writing the same file (a
//! CLI ingest beside `serve`) is waited for up to [`BUSY_TIMEOUT_MS`].
use super::StoreError;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// How long a statement waits for another process's write lock on the same file before failing
/// ("database is locked"), in milliseconds.
pub const BUSY_TIMEOUT_MS: u32 = 10_000;

/// Page cache of the writer connection between bulk writes, in KiB: what logins, sessions, the audit log and
/// findings commits need.
const WRITER_CACHE_KIB: i64 = 16 * 1024;

/// Page cache of the writer connection while a bulk writer ([`BulkCache`]: an ingest or a sync) is open, in KiB:
/// large, since a first load builds indexes over every row and sorts by this much at a time.
const BULK_WRITER_CACHE_KIB: i64 = 128 * 1024;

/// Page cache of each read-only connection, in KiB. Reads also hit the OS page cache, which every connection
/// shares; a reader's own cache only saves the copies, and one per reader adds up under load (issue 16: a
/// 128 MiB cache per reader left the server at 707 MB resident after `bench/http` on 10M events; `bench/load`
/// on 10M answered as many requests per second with 4 MiB as with 16 MiB, and peaked 150 MB lower).
const READER_CACHE_KIB: i64 = 4 * 1024;

/// Read-only connections kept open between reads; a read finding none idle opens its own, which is closed
/// after it unless the pool has room. Together with [`crate::ssr::store::REQUEST_JOBS_MAX`] this bounds the
/// memory of the readers requests use (exports and findings evaluation read without a permit).
pub const POOLED_READERS_MAX: usize = 8;

/// One SQLite file: its path, its one writer connection and a pool of readers.
pub struct Database {
    path: PathBuf,
    readers: Mutex<Vec<Connection>>,
    writer: Mutex<Connection>,
    /// Bulk writers open ([`BulkCache`]).
    bulk_writers: AtomicUsize,
    /// Whether the writer's cache is set to [`BULK_WRITER_CACHE_KIB`]; changed only while holding `writer`.
    bulk_cache_set: AtomicBool,
}

/// While one is alive, the writer connection's page cache is [`BULK_WRITER_CACHE_KIB`]; after the last is
/// dropped, the next write sets it back to [`WRITER_CACHE_KIB`] and frees the pages it held (`PRAGMA
/// shrink_memory`), so a server holds a bulk load's cache only while it loads. Creating or dropping one never
/// waits for the writer (an async task may drop it).
pub struct BulkCache(Arc<Database>);

impl BulkCache {
    /// Raises the writer's cache of `database`, from its next write, until the guard is dropped.
    pub fn new(database: &Arc<Database>) -> Self {
        database.bulk_writers.fetch_add(1, Ordering::Relaxed);
        Self(database.clone())
    }
}

impl Drop for BulkCache {
    fn drop(&mut self) {
        self.0.bulk_writers.fetch_sub(1, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Opens a connection to `path` with the store's settings. WAL lets pages read while a writer writes; NORMAL
/// sync is durable across process crashes in WAL mode.
fn connect(path: &Path, read_only: bool) -> Result<Connection, StoreError> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let open_err = |source| StoreError::Open {
        path: path.to_owned(),
        source,
    };
    let conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
    let cache_kib = if read_only {
        READER_CACHE_KIB
    } else {
        WRITER_CACHE_KIB
    };
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = {BUSY_TIMEOUT_MS};
         PRAGMA cache_size = -{cache_kib}; PRAGMA temp_store = MEMORY;"
    ))
    .map_err(open_err)?;
    Ok(conn)
}

impl Database {
    /// Opens (creating if needed) the file at `path` and its writer connection. Its folder must exist.
    pub(super) fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            path: path.to_owned(),
            readers: Mutex::new(Vec::new()),
            writer: Mutex::new(connect(path, false)?),
            bulk_writers: AtomicUsize::new(0),
            bulk_cache_set: AtomicBool::new(false),
        })
    }

    /// The SQLite file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs a read on a pooled read-only connection. Blocking: call it from `spawn_blocking` in async code.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pooled = self
            .readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => connect(&self.path, true)?,
        };
        let result = f(&conn);
        let mut pool = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        if pool.len() < POOLED_READERS_MAX {
            pool.push(conn);
        }
        result
    }

    /// Runs `f` on the file's one writer connection, after any other write of this process has finished.
    /// A transaction `f` opens must end inside it. Never call `write` on the same file from inside `f`: the
    /// writer is not re-entrant. Blocking: call it from `spawn_blocking` in async code.
    pub fn write<T, E>(&self, f: impl FnOnce(&mut Connection) -> Result<T, E>) -> Result<T, E> {
        self.write_with_cache(false, f)
    }

    /// [`Database::write`] with the bulk writer cache for `f`'s duration, whether or not a [`BulkCache`] is
    /// alive: for the migrations and index builds of opening a store.
    pub fn write_bulk<T, E>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        self.write_with_cache(true, f)
    }

    fn write_with_cache<T, E>(
        &self,
        bulk: bool,
        f: impl FnOnce(&mut Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        if !conn.is_autocommit() {
            // Only a holder that panicked inside a hand-begun transaction leaves one open: undo it.
            let _ = conn.execute_batch("ROLLBACK");
        }
        let wanted = || self.bulk_writers.load(Ordering::Relaxed) > 0;
        self.set_cache(&conn, bulk || wanted());
        let result = f(&mut conn);
        if bulk {
            self.set_cache(&conn, wanted());
        }
        result
    }

    /// Sets the writer's page cache to the bulk size or the usual one when it is not already; going back to the
    /// usual size frees what the cache held. Best effort: a cache of the other size costs memory or speed, never
    /// a result. Call it holding the writer.
    fn set_cache(&self, conn: &Connection, bulk: bool) {
        if self.bulk_cache_set.load(Ordering::Relaxed) == bulk {
            return;
        }
        let sql = if bulk {
            format!("PRAGMA cache_size = -{BULK_WRITER_CACHE_KIB}")
        } else {
            format!("PRAGMA cache_size = -{WRITER_CACHE_KIB}; PRAGMA shrink_memory;")
        };
        if conn.execute_batch(&sql).is_ok() {
            self.bulk_cache_set.store(bulk, Ordering::Relaxed);
        }
    }
}

/// The file's schema version (`PRAGMA user_version`).
pub(super) fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Brings the file at `path` up to date: entry `i` of `migrations` takes it from version `i` to `i + 1`.
/// `on_create` runs inside the first step's transaction, after its SQL (so only for a new file). Each step
/// holds the write lock from its version check to its commit, so two processes opening a file at once do
/// not both apply it.
///
/// Errors: [`StoreError::TooNew`] for a file a newer build wrote; any SQL error (nothing of that step stays).
pub(super) fn migrate(
    conn: &mut Connection,
    path: &Path,
    migrations: &[&str],
    on_create: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<()>,
) -> Result<(), StoreError> {
    let known = migrations.len() as i64;
    let too_new = |found| StoreError::TooNew {
        path: path.to_owned(),
        found,
        known,
    };
    let found = version(conn)?;
    if found > known {
        return Err(too_new(found));
    }
    let mut on_create = Some(on_create);
    for (step, sql) in (0_i64..).zip(migrations).skip(found as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found = version(&tx)?;
        if found > known {
            return Err(too_new(found));
        }
        if found > step {
            continue; // another process applied it meanwhile
        }
        tx.execute_batch(sql)?;
        if step == 0
            && let Some(on_create) = on_create.take()
        {
            on_create(&tx)?;
        }
        tx.pragma_update(None, "user_version", step + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer_cache_kib(database: &Database) -> i64 {
        database
            .write(|c| c.query_row("PRAGMA cache_size", [], |r| r.get::<_, i64>(0)))
            .map(|pages| -pages)
            .expect("cache_size")
    }

    /// A server holds the bulk load's 128 MiB writer cache only while an ingest or sync writes: with an ingest
    /// and a sync open at once, it stays raised until both end.
    #[test]
    fn the_writer_cache_is_large_only_while_a_bulk_writer_is_open() {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = Arc::new(Database::open(&dir.path().join("t.db")).expect("open"));
        assert_eq!(writer_cache_kib(&database), WRITER_CACHE_KIB);
        let ingest = BulkCache::new(&database);
        assert_eq!(writer_cache_kib(&database), BULK_WRITER_CACHE_KIB);
        let sync = BulkCache::new(&database);
        drop(ingest);
        assert_eq!(writer_cache_kib(&database), BULK_WRITER_CACHE_KIB);
        drop(sync);
        assert_eq!(writer_cache_kib(&database), WRITER_CACHE_KIB);
        // Opening a store migrates with the large cache, then gives it back.
        let during =
            database.write_bulk(|c| c.query_row("PRAGMA cache_size", [], |r| r.get::<_, i64>(0)));
        assert_eq!(during.expect("cache_size"), -BULK_WRITER_CACHE_KIB);
        assert_eq!(writer_cache_kib(&database), WRITER_CACHE_KIB);
    }
}
