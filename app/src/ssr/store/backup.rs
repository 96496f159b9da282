//! `trailscope backup DIR`: a consistent copy of a data directory's stores, safe while the server serves and
//! ingests. Each SQLite file (`*.db`) is copied with `VACUUM INTO` from one read transaction (a snapshot of the
//! last commit; writers go on meanwhile), then each raw-record folder (`*.blocks/`) is copied. Segments are
//! append-only and a batch's bytes are written before its commit, so every byte a snapshot refers to is in the
//! copy; bytes of later batches at a segment's end are unreferenced and never read
//! (<https://www.sqlite.org/lang_vacuum.html#vacuuminto>). Restore: stop the server and put the copy's files in
//! an empty data directory (a leftover `*-wal` file would be replayed over the restored database). The copy is
//! owner-only (`private`), like the store.
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// Why a backup was not made; nothing in the data directory is changed either way.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The destination folder is not empty.
    #[error("{path} already holds files; back up into a new or empty folder")]
    NotEmpty {
        /// The destination folder.
        path: PathBuf,
    },
    /// The data directory holds no store to back up.
    #[error("{path} holds no Trailscope store (no .db file)")]
    NoStore {
        /// The data directory.
        path: PathBuf,
    },
    #[error("{path}: {source}")]
    /// A file could not be read, copied or written.
    Io {
        /// The file.
        path: PathBuf,
        /// The file system's error.
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    /// SQLite could not copy a database (`VACUUM INTO`).
    Sql {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
}

/// What a backup wrote: database files and raw-record segment files, and their bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BackupSummary {
    /// Database files written.
    pub databases: usize,
    /// Raw-record segment files written.
    pub segments: usize,
    /// Bytes written in all.
    pub bytes: u64,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Copies every store in `data_dir` into `dest` (created; it must be new or empty).
///
/// Errors: `NotEmpty` when `dest` holds files, `NoStore` when `data_dir` has no `.db` file, `Io`/`Sql` naming
/// the file that could not be read or written.
pub fn backup(data_dir: &Path, dest: &Path) -> Result<BackupSummary, BackupError> {
    if std::fs::read_dir(dest).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(BackupError::NotEmpty {
            path: dest.to_owned(),
        });
    }
    let mut databases = Vec::new();
    let mut block_dirs = Vec::new();
    for entry in std::fs::read_dir(data_dir).map_err(io(data_dir))? {
        let path = entry.map_err(io(data_dir))?.path();
        match path.extension().and_then(|e| e.to_str()) {
            Some("db") if path.is_file() => databases.push(path),
            Some("blocks") if path.is_dir() => block_dirs.push(path),
            _ => {}
        }
    }
    if databases.is_empty() {
        return Err(BackupError::NoStore {
            path: data_dir.to_owned(),
        });
    }
    std::fs::create_dir_all(dest).map_err(io(dest))?;
    super::private::owner_only(dest);
    let mut summary = BackupSummary::default();
    // Databases first: the segment copies below then hold every byte the snapshots refer to.
    for source in &databases {
        let target = dest.join(source.file_name().unwrap_or_default());
        let sql = |source_error| BackupError::Sql {
            path: source.clone(),
            source: source_error,
        };
        let conn =
            Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(sql)?;
        conn.execute("VACUUM INTO ?1", [target.to_string_lossy()])
            .map_err(sql)?;
        super::private::owner_only(&target);
        summary.databases += 1;
        summary.bytes += std::fs::metadata(&target).map_err(io(&target))?.len();
    }
    for dir in &block_dirs {
        let target_dir = dest.join(dir.file_name().unwrap_or_default());
        std::fs::create_dir_all(&target_dir).map_err(io(&target_dir))?;
        super::private::owner_only(&target_dir);
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            let path = entry.map_err(io(dir))?.path();
            if path.is_file() {
                let target = target_dir.join(path.file_name().unwrap_or_default());
                summary.bytes += std::fs::copy(&path, &target).map_err(io(&path))?;
                super::private::owner_only(&target);
                summary.segments += 1;
            }
        }
    }
    Ok(summary)
}
