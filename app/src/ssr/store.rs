//! The embedded SQLite store (one file, WAL): events with dictionary-encoded columns, the delivered log files
//! as compressed blocks, hourly rollups, and what ingest has read. One writer at a time; readers come from a
//! small pool so pages never wait on ingest.
pub mod activity;
pub mod backup;
pub mod dictionary;
pub mod event_id;
pub mod identity_center;
pub mod records;
pub mod schema;
pub mod search;
pub mod segments;
pub mod trail_snapshots;
pub mod writer;

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use writer::{BatchFile, BatchOutcome, EventWriter};

/// The store's file name inside the data directory.
pub const STORE_FILE: &str = "trailscope.db";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("store {path}: cannot create its folder: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("store query failed: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("store raw-record segments: {0}")]
    Segments(#[from] std::io::Error),
    #[error("store is damaged: {0}")]
    Corrupt(String),
    #[error(
        "store {path} was written by a newer Trailscope (schema {found}, this build knows {known})"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
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

pub struct Store {
    path: PathBuf,
    readers: Mutex<Vec<Connection>>,
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Folder {
                path: parent.to_owned(),
                source,
            })?;
        }
        let mut conn = Self::connect(path, false)?;
        schema::migrate(&mut conn, path)?;
        Ok(Self {
            path: path.to_owned(),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// The store in a data directory.
    pub fn open_in(data_dir: &Path) -> Result<Self, StoreError> {
        Self::open(&data_dir.join(STORE_FILE))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder of the raw-record segment files, beside the database file.
    pub fn blocks_dir(&self) -> PathBuf {
        self.path.with_extension("blocks")
    }

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
        // WAL lets pages read while ingest writes; NORMAL sync is durable across process crashes in WAL mode.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;
             PRAGMA cache_size = -131072; PRAGMA temp_store = MEMORY;",
        )
        .map_err(open_err)?;
        Ok(conn)
    }

    /// A connection for the single writer (ingest, sync). Another process writing waits up to the busy timeout.
    pub fn writer(&self) -> Result<Connection, StoreError> {
        Self::connect(&self.path, false)
    }

    /// Runs a read on a pooled read-only connection. Blocking: call it from `spawn_blocking` in async code.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pooled = self.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => Self::connect(&self.path, true)?,
        };
        let result = f(&conn);
        self.readers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(conn);
        result
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

    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.writer()?.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }
}
