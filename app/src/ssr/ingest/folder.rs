//! The folder source: an archive copied to disk in CloudTrail's S3 key layout, keys relative to the folder.
//! Parser threads read the files themselves, so reading scales with them. Every key is classified, so a folder
//! holding the archive under any prefix (several trails' prefixes, Control Tower's `o-ORG/AWSLogs/…`) is read.
use super::{Fetched, IngestError, IngestLimits, IngestSummary, Progress, Source, load};
use crate::ssr::logs::key::{KeyKind, LogKey, classify};
use crate::ssr::store::{EventWriter, Store};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Every file below `root`, as `/`-separated keys relative to it, sorted.
pub(crate) fn list_keys(root: &Path) -> Result<Vec<(String, PathBuf)>, IngestError> {
    let mut keys = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|source| IngestError::Folder {
            path: folder.clone(),
            source,
        })?;
        for entry in entries {
            let path = entry
                .map_err(|source| IngestError::Folder {
                    path: folder.clone(),
                    source,
                })?
                .path();
            if path.is_dir() {
                folders.push(path);
            } else if let Ok(relative) = path.strip_prefix(root) {
                let key = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                keys.push((key, path));
            }
        }
    }
    keys.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(keys)
}

/// The log files to read, handed out in key order.
struct FolderFiles {
    work: Vec<(String, PathBuf, LogKey)>,
    next: AtomicUsize,
    limits: IngestLimits,
}

impl Source for FolderFiles {
    fn next_file(&self) -> Option<Fetched> {
        let (key, path, log_key) = self.work.get(self.next.fetch_add(1, Ordering::Relaxed))?;
        Some(Fetched {
            key: key.clone(),
            log_key: log_key.clone(),
            gz_bytes: self.limits.read_file(path),
        })
    }
}

/// Ingests the archive folder `root` into `store` within `limits`, calling `progress` after each committed
/// batch. A folder with no log file in CloudTrail's layout (e.g. one copied from below `AWSLogs/`) is
/// [`IngestError::NoLogFiles`].
pub fn ingest_folder(
    store: &Store,
    root: &Path,
    limits: &IngestLimits,
    progress: &mut dyn FnMut(Progress),
) -> Result<IngestSummary, IngestError> {
    let started = Instant::now();
    let mut writer = EventWriter::new(store)?;
    let known = writer.known_keys()?;
    let mut summary = IngestSummary::default();
    let mut work = Vec::new();
    for (key, path) in list_keys(root)? {
        match classify(&key) {
            KeyKind::Log(_) if known.contains(&key) => summary.skipped_known += 1,
            KeyKind::Log(log_key) => work.push((key, path, log_key)),
            KeyKind::Digest => summary.skipped_digests += 1,
            KeyKind::Other => summary.skip_other(&key),
        }
    }
    if work.is_empty() && summary.skipped_known == 0 {
        return Err(IngestError::NoLogFiles {
            under: root.display().to_string(),
            example: summary.other_example,
        });
    }
    let total = work.len() as u64;
    let files = FolderFiles {
        work,
        next: AtomicUsize::new(0),
        limits: *limits,
    };
    load(
        &mut writer,
        &files,
        limits,
        total,
        &mut summary,
        &mut |_, _| Ok(()),
        progress,
    )?;
    writer.checkpoint()?;
    summary.problems.sort_by(|a, b| a.key.cmp(&b.key));
    summary.elapsed_secs = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Refuses `source` unless it is a folder, with [`IngestError::Folder`]. The CLI checks first so that a wrong
/// path creates no store.
pub fn check_folder(source: &Path) -> Result<(), IngestError> {
    if source.is_dir() {
        return Ok(());
    }
    Err(IngestError::Folder {
        path: source.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
    })
}

/// Ingests the archive folder `source` that a person named (`trailscope ingest`, the demo archive at `serve`)
/// into `store`, the process's one open store: [`check_folder`], then [`ingest_folder`].
pub fn ingest_into(
    store: &Store,
    source: &Path,
    limits: &IngestLimits,
    progress: &mut dyn FnMut(Progress),
) -> Result<IngestSummary, IngestError> {
    check_folder(source)?;
    ingest_folder(store, source, limits, progress)
}
