//! The folder source: an archive copied to disk in CloudTrail's S3 key layout, keys relative to the folder.
//! Parser threads read the files themselves, so reading scales with them. Every key is classified, so a folder
//! holding the archive under any prefix (several trails' prefixes, Control Tower's `o-ORG/AWSLogs/…`) is read.
use super::{
    Fetched, FileProblem, IngestError, IngestLimits, IngestSummary, Progress, Source, load,
};
use crate::ssr::logs::key::{KeyKind, LogKey, classify};
use crate::ssr::store::{EventWriter, Store};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// What a walk of an archive folder found: every file as a `/`-separated key relative to the folder with its
/// path, sorted, and what it did not follow or could not read.
pub(crate) struct FolderListing {
    /// (key, path) of every file, sorted by key.
    pub keys: Vec<(String, PathBuf)>,
    /// Symbolic links not followed and folders that could not be listed, by key, with why.
    pub problems: Vec<FileProblem>,
}

/// Every file below `root`. The walk never leaves the folder and never loops: a symbolic link is followed only
/// to a file inside the folder; one to a folder (a loop, or a second path to files already read), one that
/// leads outside the folder, and one that cannot be resolved (a cycle of links, a missing target) are reported
/// by key and not followed. A folder below `root` that cannot be listed is reported and the rest is read; only
/// `root` itself failing is [`IngestError::Folder`].
pub(crate) fn list_keys(root: &Path) -> Result<FolderListing, IngestError> {
    let folder_error = |source| IngestError::Folder {
        path: root.to_path_buf(),
        source,
    };
    let real_root = root.canonicalize().map_err(folder_error)?;
    std::fs::read_dir(root).map_err(folder_error)?;
    let mut listing = FolderListing {
        keys: Vec::new(),
        problems: Vec::new(),
    };
    let key_of = |path: &Path| {
        path.strip_prefix(root).ok().map(|relative| {
            relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        })
    };
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let mut problem = |path: &Path, reason: String| {
            listing.problems.push(FileProblem {
                key: key_of(path).unwrap_or_else(|| path.display().to_string()),
                reason,
            });
        };
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) => {
                problem(&folder, format!("cannot list the folder: {e}"));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    problem(&folder, format!("cannot list the folder: {e}"));
                    break;
                }
            };
            let path = entry.path();
            // The entry itself, not what a symbolic link points at.
            let kind = match entry.file_type() {
                Ok(kind) => kind,
                Err(e) => {
                    problem(&path, format!("cannot read: {e}"));
                    continue;
                }
            };
            if kind.is_dir() {
                folders.push(path);
                continue;
            }
            if kind.is_symlink()
                && let Err(reason) = followed_link(&path, &real_root)
            {
                problem(&path, reason);
                continue;
            }
            if let Some(key) = key_of(&path) {
                listing.keys.push((key, path));
            }
        }
    }
    listing.keys.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    listing.problems.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(listing)
}

/// Whether the symbolic link at `path` is followed: only to a file inside `real_root` (the archive folder with
/// its own links resolved); otherwise why not.
fn followed_link(path: &Path, real_root: &Path) -> Result<(), String> {
    let target = path
        .canonicalize()
        .map_err(|e| format!("symbolic link not followed: cannot resolve it ({e})"))?;
    if !target.starts_with(real_root) {
        return Err(format!(
            "symbolic link not followed: it leads outside the archive folder, to {}",
            target.display()
        ));
    }
    if target.is_dir() {
        return Err(format!(
            "symbolic link not followed: it leads to a folder inside the archive ({}), which would read files \
             twice or loop",
            target.display()
        ));
    }
    Ok(())
}

/// Why a file below an archive folder was not opened by [`open_file`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Unopened {
    /// There is no file at that path.
    NotFound,
    /// The path is, or goes through, a symbolic link [`list_keys`] would not follow: why.
    LinkNotFollowed(String),
    /// It could not be opened (permissions, an I/O error): why.
    Failed(String),
}

/// Opens the file at `path`, which is below the archive folder `root`, by the rule [`list_keys`] walks by: every
/// folder between `root` and the file, and the file itself, is checked, and a symbolic link among them is
/// followed only where the walk would follow it ([`followed_link`]: to a file inside the folder). So a key
/// named by a digest reads no file the walk of the folder would not read.
pub(crate) fn open_file(root: &Path, path: &Path) -> Result<std::fs::File, Unopened> {
    let failed = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => Unopened::NotFound,
        _ => Unopened::Failed(format!("cannot read: {e}")),
    };
    let relative = path
        .strip_prefix(root)
        .map_err(|_| Unopened::Failed("not inside the archive folder".to_owned()))?;
    let mut real_root = None;
    let mut at = root.to_path_buf();
    for component in relative.components() {
        at.push(component);
        if std::fs::symlink_metadata(&at).map_err(failed)?.is_symlink() {
            let real_root = match &real_root {
                Some(real) => real,
                None => real_root.insert(root.canonicalize().map_err(failed)?),
            };
            followed_link(&at, real_root).map_err(Unopened::LinkNotFollowed)?;
        }
    }
    std::fs::File::open(path).map_err(failed)
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
    let listing = list_keys(root)?;
    let mut summary = IngestSummary {
        failed_files: listing.problems.len() as u64,
        problems: listing.problems,
        ..IngestSummary::default()
    };
    let mut work = Vec::new();
    for (key, path) in listing.keys {
        match classify(&key) {
            KeyKind::Log(_) if known.contains(&key) => summary.skipped_known += 1,
            KeyKind::Log(log_key) => work.push((key, path, log_key)),
            KeyKind::Digest => summary.skipped_digests += 1,
            KeyKind::Other => summary.skip_other(&key),
        }
    }
    if work.is_empty() && summary.skipped_known == 0 && summary.problems.is_empty() {
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
