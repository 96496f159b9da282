//! Loads a trail archive folder (the S3 key layout on disk) into the store. Parsing (read, gunzip, JSON) runs
//! on worker threads; the calling thread is the single SQLite writer and commits one transaction per batch.
//! Files already stored are skipped by key, events by ID. A file that cannot be read is reported with its key
//! and reason and left for the next run; records that lack required fields are reported and the rest stored.
use crate::ssr::logs::gzip::gunzip;
use crate::ssr::logs::key::{KeyKind, LogKey, classify};
use crate::ssr::logs::record::parse_log;
use crate::ssr::store::dictionary::Dictionary;
use crate::ssr::store::writer::EncodedEvent;
use crate::ssr::store::{BatchFile, EventWriter, Store, StoreError};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

/// A batch is committed once it holds this many events (or [`BATCH_FILES`] files).
const BATCH_EVENTS: usize = 50_000;
const BATCH_FILES: usize = 2_000;
/// Parsed files waiting for the writer. Deeper queues measured slower (cache misses), shallower ones starve it.
const CHANNEL_FILES: usize = 256;
/// How many rejected records a file's problem text names before it summarises.
const REASONS_SHOWN: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot read archive folder {path}: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A file that was not (fully) stored, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    pub key: String,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct IngestSummary {
    /// Log files read and stored in this run.
    pub files: u64,
    pub events: u64,
    /// Events not stored again because their event ID was already in the store.
    pub duplicates: u64,
    /// Log files skipped because an earlier run stored them.
    pub skipped_known: u64,
    /// Digest files, ignored by ingest (integrity validation reads them).
    pub skipped_digests: u64,
    /// Keys that are neither log nor digest files.
    pub skipped_other: u64,
    /// Records inside stored files that could not be stored (see `problems`).
    pub rejected_records: u64,
    /// Files that could not be read at all (see `problems`); they are retried next run.
    pub failed_files: u64,
    pub problems: Vec<FileProblem>,
    pub seconds: f64,
}

impl IngestSummary {
    pub fn skipped(&self) -> u64 {
        self.skipped_known + self.skipped_digests + self.skipped_other
    }

    pub fn events_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.events as f64 / self.seconds
        } else {
            0.0
        }
    }

    /// True when every file and record was stored: the CLI's exit status.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// The one-line summary the CLI prints.
    pub fn line(&self) -> String {
        format!(
            "files {}, events {}, duplicates {}, skipped {} ({} already stored, {} digests, {} other), failed {} ({} files, {} records), {:.1} s, {:.0} events/s",
            self.files,
            self.events,
            self.duplicates,
            self.skipped(),
            self.skipped_known,
            self.skipped_digests,
            self.skipped_other,
            self.problems.len(),
            self.failed_files,
            self.rejected_records,
            self.seconds,
            self.events_per_second()
        )
    }
}

/// Progress as ingest goes: files handled of those to read, events stored so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct Progress {
    pub files_done: u64,
    pub files_total: u64,
    pub events: u64,
}

/// Every file below `root`, as `/`-separated keys relative to it, sorted.
fn list_keys(root: &Path) -> Result<Vec<(String, PathBuf)>, IngestError> {
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

/// Reads, decompresses, parses and encodes one log file (all on a parser thread).
fn load_file(
    key: String,
    path: &Path,
    log_key: &LogKey,
    dictionary: &Dictionary,
) -> Result<BatchFile, FileProblem> {
    let fail = |key: &str, reason: String| FileProblem {
        key: key.to_owned(),
        reason,
    };
    let gz_bytes = std::fs::read(path).map_err(|e| fail(&key, format!("cannot read: {e}")))?;
    let json =
        gunzip(&gz_bytes).map_err(|e| fail(&key, format!("not a readable gzip file: {e}")))?;
    // One UTF-8 check of the whole file is far cheaper than serde_json checking string by string.
    let json = std::str::from_utf8(&json).map_err(|e| {
        fail(
            &key,
            format!("not a CloudTrail log file: not UTF-8 text ({e})"),
        )
    })?;
    let parsed = parse_log(json, log_key).map_err(|e| fail(&key, e.to_string()))?;
    let problem = (!parsed.rejected.is_empty()).then(|| {
        let shown: Vec<String> = parsed
            .rejected
            .iter()
            .take(REASONS_SHOWN)
            .map(|r| format!("record {}: {}", r.ordinal, r.reason))
            .collect();
        let more = parsed.rejected.len().saturating_sub(REASONS_SHOWN);
        let more = if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        };
        format!(
            "{} of {} records not stored: {}{more}",
            parsed.rejected.len(),
            parsed.rejected.len() + parsed.events.len(),
            shown.join("; ")
        )
    });
    let rejected_records = parsed.rejected.len() as u32;
    let events = EncodedEvent::encode_all(parsed.events, dictionary);
    Ok(BatchFile {
        key,
        gz_bytes,
        rejected_records,
        problem,
        events,
    })
}

/// Ingests the archive folder `root` into `store`, calling `progress` after each committed batch.
pub fn ingest_folder(
    store: &Store,
    root: &Path,
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
            KeyKind::Other => summary.skipped_other += 1,
        }
    }
    let total = work.len() as u64;
    // Parsing needs about as much CPU as writing: one parser per core beside the writer measured best.
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::sync_channel::<Result<BatchFile, FileProblem>>(CHANNEL_FILES);
    let write_result = std::thread::scope(|scope| {
        for _ in 0..threads {
            let sender = sender.clone();
            let (work, next, dictionary) = (&work, &next, writer.dictionary().clone());
            scope.spawn(move || {
                while let Some((key, path, log_key)) =
                    work.get(next.fetch_add(1, Ordering::Relaxed))
                {
                    if sender
                        .send(load_file(key.clone(), path, log_key, &dictionary))
                        .is_err()
                    {
                        return; // the writer stopped on a store error
                    }
                }
            });
        }
        drop(sender);
        let mut batch: Vec<BatchFile> = Vec::new();
        let mut batch_events = 0;
        let mut done = 0u64;
        for loaded in receiver {
            match loaded {
                Ok(file) => {
                    batch_events += file.events.len();
                    if let Some(problem) = &file.problem {
                        summary.problems.push(FileProblem {
                            key: file.key.clone(),
                            reason: problem.clone(),
                        });
                    }
                    summary.rejected_records += u64::from(file.rejected_records);
                    batch.push(file);
                }
                Err(problem) => {
                    summary.failed_files += 1;
                    summary.problems.push(problem);
                    done += 1;
                }
            }
            if batch_events >= BATCH_EVENTS || batch.len() >= BATCH_FILES {
                // Returning drops the receiver, which stops the parsers.
                done += flush(&mut writer, &mut batch, &mut summary)?;
                batch_events = 0;
                progress(Progress {
                    files_done: done,
                    files_total: total,
                    events: summary.events,
                });
            }
        }
        done += flush(&mut writer, &mut batch, &mut summary)?;
        progress(Progress {
            files_done: done,
            files_total: total,
            events: summary.events,
        });
        Ok::<_, StoreError>(())
    });
    write_result?;
    writer.checkpoint()?;
    summary.problems.sort_by(|a, b| a.key.cmp(&b.key));
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Writes and empties `batch`, adding its outcome to `summary`; returns how many files it stored.
fn flush(
    writer: &mut EventWriter,
    batch: &mut Vec<BatchFile>,
    summary: &mut IngestSummary,
) -> Result<u64, StoreError> {
    if batch.is_empty() {
        return Ok(0);
    }
    let outcome = writer.write(std::mem::take(batch))?;
    summary.files += outcome.files;
    summary.events += outcome.events;
    summary.duplicates += outcome.duplicates;
    Ok(outcome.files)
}
