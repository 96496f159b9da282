//! Loads trail archives into the store through one pipeline, whatever the source: a folder (`ingest/folder`)
//! or an S3 bucket (`ingest/s3`). A source hands parser threads each log file's delivered bytes; the threads
//! gunzip, parse and code strings against the shared dictionary; the calling thread is the single SQLite writer
//! and commits one transaction per batch. Files already stored are skipped by key, events by ID. A file that
//! cannot be fetched or read, or is over a bound of [`IngestLimits`], is reported with its key and reason and
//! left for the next run; records that lack required fields or are over the record bound are reported and the
//! rest stored. A source under which no key is a log file in CloudTrail's layout is an error, not an empty run.
pub mod folder;
pub(crate) mod layout;
pub mod limits;
pub mod s3;

pub use folder::{check_folder, ingest_folder, ingest_into};
pub use limits::IngestLimits;

use crate::ssr::logs::gzip::{GzipError, gunzip};
use crate::ssr::logs::key::LogKey;
use crate::ssr::logs::record::RecordError;
use crate::ssr::logs::record::parse_log;
use crate::ssr::logs::record_size::blank_oversized_records;
use crate::ssr::store::dictionary::Dictionary;
use crate::ssr::store::writer::{EncodedEvent, ORIGIN_ARCHIVE};
use crate::ssr::store::{BatchFile, EventWriter, StoreError};
use rusqlite::Transaction;
use std::path::PathBuf;
use std::sync::mpsc;

/// A batch is committed once it holds this many events (or [`BATCH_FILES`] files).
const BATCH_EVENTS: usize = 50_000;
const BATCH_FILES: usize = 2_000;
/// Parsed files waiting for the writer. Deeper queues measured slower (cache misses), shallower ones starve it.
const CHANNEL_FILES: usize = 256;
/// How many rejected records a file's problem text names before it summarises.
const REASONS_SHOWN: usize = 3;

#[derive(Debug, thiserror::Error)]
/// Why an ingest run stopped (problems with single files are reported in [`IngestSummary::problems`] instead).
pub enum IngestError {
    #[error("cannot read archive folder {path}: {source}")]
    /// An archive folder could not be listed.
    Folder {
        /// The folder.
        path: PathBuf,
        /// The file system's error.
        source: std::io::Error,
    },
    #[error("cannot list {url}: {reason}")]
    /// An S3 location could not be listed.
    S3List {
        /// The location, `s3://bucket[/prefix]`.
        url: String,
        /// The AWS SDK's error.
        reason: String,
    },
    /// Nothing under the source is a log file in CloudTrail's layout; `example` is a skipped `.json.gz` key.
    #[error("{}", layout::no_log_file_text(.under, .example.as_deref()))]
    NoLogFiles {
        /// The folder or `s3://` URL read.
        under: String,
        /// A `.json.gz` key that was skipped because it is not where CloudTrail puts log files.
        example: Option<String>,
    },
    #[error("ingest stopped: {0}")]
    /// A blocking task of the run (listing, parsing or writing) panicked or was cancelled; the text says how.
    Task(String),
    #[error(transparent)]
    /// The store could not be written.
    Store(#[from] StoreError),
}

/// A file that was not (fully) stored, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    /// The log file's object key or path.
    pub key: String,
    /// Why it was not (fully) stored, for display.
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
/// What one ingest run did (the CLI prints it).
pub struct IngestSummary {
    /// Log files read and stored in this run.
    pub files: u64,
    /// Events stored (not counting duplicates).
    pub events: u64,
    /// Events not stored again because their event ID was already in the store.
    pub duplicates: u64,
    /// Log files skipped because an earlier run stored them.
    pub skipped_known: u64,
    /// Digest files, ignored by ingest (integrity validation reads them).
    pub skipped_digests: u64,
    /// Keys that are neither log nor digest files.
    pub skipped_other: u64,
    /// One of them that is a `.json.gz` file (one named like a trail's log file if any), named in the summary
    /// so that files in the wrong place are noticed.
    pub other_example: Option<String>,
    /// Records inside stored files that could not be stored (see `problems`).
    pub rejected_records: u64,
    /// Files that could not be read at all (see `problems`); they are retried next run.
    pub failed_files: u64,
    /// Archive folders that could not be listed (S3; see `problems`); they are listed again next run.
    pub failed_listings: u64,
    /// Files with a problem, and the problem (at most a few reasons per file).
    pub problems: Vec<FileProblem>,
    /// How long the run took, in seconds.
    pub elapsed_secs: f64,
}

impl IngestSummary {
    /// Counts `key` as skipped for not being in the layout (see [`Self::other_example`]).
    pub fn skip_other(&mut self, key: &str) {
        self.skipped_other += 1;
        if layout::better_example(self.other_example.as_deref(), key) {
            self.other_example = Some(key.to_owned());
        }
    }

    /// Log files skipped for any reason (already stored, digests, other keys).
    pub fn skipped(&self) -> u64 {
        self.skipped_known + self.skipped_digests + self.skipped_other
    }

    /// Events stored per second of the run; 0 when it took no measurable time.
    pub fn events_per_second(&self) -> f64 {
        if self.elapsed_secs > 0.0 {
            self.events as f64 / self.elapsed_secs
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
        let listings = if self.failed_listings > 0 {
            format!(", {} listings", self.failed_listings)
        } else {
            String::new()
        };
        let example = self
            .other_example
            .as_ref()
            .map_or_else(String::new, |key| format!(", e.g. {key}"));
        format!(
            "files {}, events {}, duplicates {}, skipped {} ({} already stored, {} digests, {} other{example}), failed {} ({} files, {} records{listings}), {:.1} s, {:.0} events/s",
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
            self.elapsed_secs,
            self.events_per_second()
        )
    }
}

/// Progress as ingest goes: files handled of those to read, events stored so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct Progress {
    /// Log files handled (stored, skipped or failed).
    pub files_done: u64,
    /// Log files found to read.
    pub files_total: u64,
    /// Events stored so far.
    pub events: u64,
}

/// One log file as a source hands it to a parser thread.
pub struct Fetched {
    /// The key it is stored and reported under.
    pub key: String,
    /// Where the key sits in CloudTrail's layout: the account and Region that records without
    /// `recipientAccountId` or `awsRegion` belong to.
    pub log_key: LogKey,
    /// The file as delivered (`.json.gz`), or why it could not be fetched.
    pub gz_bytes: Result<Vec<u8>, String>,
}

/// Where parser threads take log files from; every parser thread calls it at once.
pub(crate) trait Source: Sync {
    /// The next file, or `None` once every file has been handed out.
    fn next_file(&self) -> Option<Fetched>;
}

/// Told, inside each batch's transaction, the keys the batch stores, so that a source's own records (the S3
/// cursors) commit together with the files they describe.
pub(crate) type Settle<'a> = dyn FnMut(&Transaction<'_>, &[String]) -> rusqlite::Result<()> + 'a;

/// Decompresses, parses and encodes one fetched log file (on a parser thread), within `limits`: everything
/// ingest does to a file's bytes before the writer stores them (public for the fuzz targets, `fuzz/`).
///
/// Errors: the file's [`FileProblem`] (not fetched, not gzip, over `limits.max_file_bytes` decompressed, not
/// UTF-8, not JSON or no `Records` array). Records that cannot be stored, or are over
/// `limits.max_record_bytes`, are counted in the file's `rejected_records` with their reasons in `problem`.
pub fn load_file(
    fetched: Fetched,
    dictionary: &Dictionary,
    limits: &IngestLimits,
) -> Result<BatchFile, FileProblem> {
    let Fetched {
        key,
        log_key,
        gz_bytes,
    } = fetched;
    let fail = |key: &str, reason: String| FileProblem {
        key: key.to_owned(),
        reason,
    };
    let gz_bytes = gz_bytes.map_err(|reason| fail(&key, reason))?;
    let mut json = gunzip(&gz_bytes, limits.max_file_bytes).map_err(|e| match e {
        GzipError::TooLarge { .. } => fail(&key, limits.file_too_large()),
        e => fail(&key, format!("not a readable gzip file: {e}")),
    })?;
    let oversized = blank_oversized_records(&mut json, limits.max_record_bytes);
    // One UTF-8 check of the whole file is far cheaper than serde_json checking string by string.
    let json = std::str::from_utf8(&json).map_err(|e| {
        fail(
            &key,
            format!("not a CloudTrail log file: not UTF-8 text ({e})"),
        )
    })?;
    let mut parsed = parse_log(json, &log_key).map_err(|e| fail(&key, e.to_string()))?;
    if !oversized.is_empty() {
        // The parser saw `{}` in their place; they are rejected for their size, whatever it made of that.
        parsed.events.retain(|e| !oversized.contains(&e.ordinal));
        parsed.rejected.retain(|r| !oversized.contains(&r.ordinal));
        parsed
            .rejected
            .extend(oversized.iter().map(|&ordinal| RecordError {
                ordinal,
                reason: limits.record_too_large(),
            }));
        parsed.rejected.sort_by_key(|r| r.ordinal);
    }
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

/// Parses the `total` files of `source` on worker threads within `limits` and stores them through `writer`,
/// adding the outcome to `summary`, calling `settle` in each batch's transaction and `progress` after each
/// commit.
pub(crate) fn load(
    writer: &mut EventWriter,
    source: &dyn Source,
    limits: &IngestLimits,
    total: u64,
    summary: &mut IngestSummary,
    settle: &mut Settle<'_>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), StoreError> {
    let deferred = total >= DEFER_INDEXES_FILES && writer.defer_search_indexes()?;
    let loaded = run_pipeline(writer, source, limits, total, summary, settle, progress);
    if deferred {
        writer.restore_search_indexes()?;
    }
    loaded
}

/// A first load of at least this many files builds the search indexes at the end (one batch's worth).
const DEFER_INDEXES_FILES: u64 = BATCH_FILES as u64;

fn run_pipeline(
    writer: &mut EventWriter,
    source: &dyn Source,
    limits: &IngestLimits,
    total: u64,
    summary: &mut IngestSummary,
    settle: &mut Settle<'_>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), StoreError> {
    // Parsing needs about as much CPU as writing: one parser per core beside the writer measured best.
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let (sender, receiver) = mpsc::sync_channel::<Result<BatchFile, FileProblem>>(CHANNEL_FILES);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let sender = sender.clone();
            let dictionary = writer.dictionary().clone();
            scope.spawn(move || {
                while let Some(fetched) = source.next_file() {
                    if sender
                        .send(load_file(fetched, &dictionary, limits))
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
                done += flush(writer, &mut batch, summary, settle)?;
                batch_events = 0;
                progress(Progress {
                    files_done: done,
                    files_total: total,
                    events: summary.events,
                });
            }
        }
        done += flush(writer, &mut batch, summary, settle)?;
        progress(Progress {
            files_done: done,
            files_total: total,
            events: summary.events,
        });
        Ok(())
    })
}

/// Writes and empties `batch`, adding its outcome to `summary`; returns how many files it stored.
fn flush(
    writer: &mut EventWriter,
    batch: &mut Vec<BatchFile>,
    summary: &mut IngestSummary,
    settle: &mut Settle<'_>,
) -> Result<u64, StoreError> {
    if batch.is_empty() {
        return Ok(0);
    }
    let keys: Vec<String> = batch.iter().map(|f| f.key.clone()).collect();
    let outcome = writer.write_then(std::mem::take(batch), ORIGIN_ARCHIVE, |tx| {
        settle(tx, &keys)
    })?;
    summary.files += outcome.files;
    summary.events += outcome.events;
    summary.duplicates += outcome.duplicates;
    crate::ssr::fault_point::reached(crate::ssr::fault_point::INGEST_BATCH_COMMITTED);
    Ok(outcome.files)
}
