//! The embedded SQLite store (WAL): the event file holds events with dictionary-encoded columns, the delivered
//! log files as compressed blocks, hourly rollups, and what ingest has read; the auth file holds users,
//! sessions, API tokens and the audit log. Each file has one long-lived writer; readers come from a small pool
//! so pages never wait on ingest.
pub mod account_regions;
pub mod activity;
pub mod auth_schema;
pub mod backup;
pub mod database;
pub mod dictionary;
pub mod event_id;
pub mod identity_center;
pub mod info;
pub mod integrity_reports;
pub mod periods;
pub mod private;
pub mod records;
pub mod resource_arn;
pub mod schema;
pub mod search;
pub mod segments;
pub mod timeline_rollup;
pub mod top_rollup;
pub mod trail_snapshots;
pub mod volumes;
pub mod writer;

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use database::Database;
pub use writer::{BatchFile, BatchOutcome, EventWriter};

/// The event file's name inside the data directory (the auth file's is derived from it:
/// [`auth_schema::auth_path`]).
pub const STORE_FILE: &str = "trailscope.db";

#[derive(Debug, thiserror::Error)]
/// Why the store could not be opened, read or written.
pub enum StoreError {
    #[error("store {path}: {source}")]
    /// The SQLite file could not be opened.
    Open {
        /// The file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    #[error("store {path}: cannot create its folder: {source}")]
    /// The data directory could not be created.
    Folder {
        /// The folder.
        path: PathBuf,
        /// The file system's error.
        source: std::io::Error,
    },
    #[error("store query failed: {0}")]
    /// A statement failed.
    Sql(#[from] rusqlite::Error),
    #[error("store raw-record segments: {0}")]
    /// The raw-record segment files could not be read or written.
    Segments(#[from] std::io::Error),
    #[error("cannot write {path}: {reason}")]
    /// Writing the store failed, e.g. on a full or read-only disk: `path` is the event file or the segment
    /// folder that was being written (the batch being written is rolled back; what was committed stays).
    Write {
        /// The event file (`trailscope.db`) or the segment folder (`trailscope.blocks`).
        path: PathBuf,
        /// What SQLite or the file system said (shown in this error's text, so not repeated as its source).
        reason: Box<StoreError>,
    },
    #[error("store is damaged: {0}")]
    /// The store holds something this build cannot read; the text says what.
    Corrupt(String),
    #[error(
        "store {path} was written by a newer Trailscope (schema {found}, this build knows {known})"
    )]
    /// The file's schema version is newer than this build knows; downgrading is refused.
    TooNew {
        /// The file.
        path: PathBuf,
        /// The file's schema version (`PRAGMA user_version`).
        found: i64,
        /// The newest schema version this build knows.
        known: i64,
    },
}

impl StoreError {
    /// Whether SQLite answered "database is locked": another process (a `trailscope ingest` beside the server)
    /// held the file's write lock for longer than [`database::BUSY_TIMEOUT_MS`], so the same write can succeed
    /// once it is done. <https://www.sqlite.org/rescode.html#busy>
    pub fn is_busy(&self) -> bool {
        match self {
            Self::Sql(rusqlite::Error::SqliteFailure(error, _)) => matches!(
                error.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ),
            Self::Write { reason, .. } => reason.is_busy(),
            _ => false,
        }
    }

    /// This error of a write to the event file at `events` or the segment folder `blocks` as
    /// [`StoreError::Write`], naming which: SQLite's "database or disk is full" and the file system's
    /// "Read-only file system" do not. Other errors are returned as they are.
    pub fn naming_path(self, events: &Path, blocks: &Path) -> Self {
        let path = match &self {
            Self::Sql(_) => events,
            Self::Segments(_) => blocks,
            _ => return self,
        };
        Self::Write {
            path: path.to_owned(),
            reason: Box::new(self),
        }
    }
}

/// Runs `work` on tokio's blocking pool, as SQLite work called from async code must (its calls block a
/// runtime thread). The outer `Err` is the task itself failing (a panic); each caller maps both errors into its
/// own error type.
pub async fn off_runtime<T, E>(
    store: &Arc<Store>,
    work: impl FnOnce(&Store) -> Result<T, E> + Send + 'static,
) -> Result<Result<T, E>, tokio::task::JoinError>
where
    T: Send + 'static,
    E: Send + 'static,
{
    let store = store.clone();
    tokio::task::spawn_blocking(move || work(&store)).await
}

/// Runs a request's `work` like [`off_runtime`], once one of the store's [`REQUEST_JOBS_MAX`] permits is free.
/// The outer `Err` is the task failing (a panic).
pub async fn request_job<T, E>(
    store: &Arc<Store>,
    work: impl FnOnce(&Store) -> Result<T, E> + Send + 'static,
) -> Result<Result<T, E>, tokio::task::JoinError>
where
    T: Send + 'static,
    E: Send + 'static,
{
    // The semaphore is never closed, so acquiring only fails if it were: run unbounded then. The permit goes
    // with the work, so a client hanging up (its future dropped) frees it only when the work is done.
    let permit = store.request_jobs.clone().acquire_owned().await.ok();
    off_runtime(store, move |s| {
        let answer = work(s);
        drop(permit);
        answer
    })
    .await
}

/// The store in a data directory: the event file (`trailscope.db`, with its raw-record segments in
/// `trailscope.blocks/`) and the auth file (`trailscope-auth.db`: users, sessions, API tokens, audit log). Each
/// file has one long-lived writer connection; the auth file's own lock means a login never waits for ingest.
pub struct Store {
    events: Arc<Database>,
    auth: Database,
    /// Permits for [`request_job`]s, [`REQUEST_JOBS_MAX`] in all.
    request_jobs: Arc<tokio::sync::Semaphore>,
}

/// Store work of requests (pages, server functions, the API) that runs at once; more waits, without holding a
/// thread, for a permit. Two cores answer no faster with more in flight, and each running read holds a reader
/// connection with its page cache ([`database::POOLED_READERS_MAX`]), so under 64 clients the server's
/// memory stays bounded (issue 16, items 5 and 8). Authentication (`AppState::auth_blocking`: sessions, logins,
/// tokens, audit entries on the auth file), ingest, sync, findings evaluation and exports do not take permits.
pub const REQUEST_JOBS_MAX: usize = 8;

/// Pages of WAL after which the event file's writer copies them into the database: large steps while loading,
/// so each page is copied once.
const EVENTS_WAL_AUTOCHECKPOINT_PAGES: i64 = 16_384;

impl Store {
    /// Opens (creating if needed) the store whose event file is `path`, with its auth file beside it, and
    /// brings both schemas up to date (a new auth file first takes the auth rows an older build kept in the
    /// event file).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Folder {
                path: parent.to_owned(),
                source,
            })?;
            private::owner_only(parent);
        }
        let events = Database::open(path)?;
        let auth = Database::open(&auth_schema::auth_path(path))?;
        private::database_owner_only(events.path());
        private::database_owner_only(auth.path());
        auth.write(|conn| auth_schema::migrate(conn, auth.path(), path))?;
        events.write_bulk(|conn| {
            schema::migrate(conn, path)?;
            conn.pragma_update(None, "wal_autocheckpoint", EVENTS_WAL_AUTOCHECKPOINT_PAGES)?;
            Ok::<_, StoreError>(())
        })?;
        Ok(Self {
            events: Arc::new(events),
            auth,
            request_jobs: Arc::new(tokio::sync::Semaphore::new(REQUEST_JOBS_MAX)),
        })
    }

    /// The store in a data directory.
    pub fn open_in(data_dir: &Path) -> Result<Self, StoreError> {
        Self::open(&data_dir.join(STORE_FILE))
    }

    /// The event file.
    pub fn path(&self) -> &Path {
        self.events.path()
    }

    /// The folder of the raw-record segment files, beside the event file.
    pub fn blocks_dir(&self) -> PathBuf {
        self.path().with_extension("blocks")
    }

    /// The auth file: users, sessions, API tokens and the audit log (`auth_schema`).
    pub fn auth(&self) -> &Database {
        &self.auth
    }

    /// Runs a read of the event file on a pooled read-only connection. Blocking: call it from `spawn_blocking`
    /// in async code.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.events.read(f)
    }

    /// Runs `f` on the event file's one writer connection, after any other write of this process to it
    /// (ingest and sync batches, index builds) has finished; see [`Database::write`].
    pub fn write<T, E>(&self, f: impl FnOnce(&mut Connection) -> Result<T, E>) -> Result<T, E> {
        self.events.write(f)
    }

    /// Whether the store holds no event (without counting them all).
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        self.read(|c| {
            Ok(
                !c.query_row("SELECT EXISTS (SELECT 1 FROM events)", [], |r| {
                    r.get::<_, bool>(0)
                })?,
            )
        })
    }

    /// The value stored under `key` in the `meta` table, if any. Errors: [`StoreError::Sql`].
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached("SELECT value FROM meta WHERE key = ?1")?;
            let mut rows = stmt.query([key])?;
            Ok(match rows.next()? {
                Some(row) => Some(row.get(0)?),
                None => None,
            })
        })
    }

    /// Stores `value` under `key` in the `meta` table, replacing any. Errors: [`StoreError::Sql`].
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.write(|conn| {
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// 64 clients at once (issue 16's load): every request's store work runs and answers, never more than
    /// [`REQUEST_JOBS_MAX`] at a time, so no more reader connections (and their caches) than that are busy.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sixty_four_requests_at_once_all_answer_at_most_eight_at_a_time() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(Store::open_in(dir.path()).expect("store"));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let jobs: Vec<_> = (0..64_i64)
            .map(|n| {
                let (store, running, most) = (store.clone(), running.clone(), most.clone());
                tokio::spawn(async move {
                    request_job(&store, move |s| {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        let answer = s.read(|c| {
                            c.query_row("SELECT ?1 + 1", [n], |r| r.get::<_, i64>(0))
                                .map_err(StoreError::from)
                        });
                        running.fetch_sub(1, Ordering::SeqCst);
                        answer
                    })
                    .await
                })
            })
            .collect();
        for (n, job) in (0_i64..).zip(jobs) {
            let answer = job.await.expect("task").expect("job").expect("read");
            assert_eq!(answer, n + 1);
        }
        let most = most.load(Ordering::SeqCst);
        assert!(most <= REQUEST_JOBS_MAX, "{most} jobs ran at once");
        assert!(most > 1, "jobs ran one at a time: {most}");
    }
}
