//! The demo trail archive: several accounts and Regions, weeks of realistic activity with planted incidents,
//! written in CloudTrail's S3 key layout, with hourly digest files signed by a demo key (their signatures in
//! `KEY.meta.json` sidecars, the public key in [`PUBLIC_KEYS_FOLDER`]). Deterministic: the same options give
//! byte-identical files.
mod catalog;
mod digests;
mod incidents;
mod key;
mod record;
mod rng;
mod streams;
mod trails;

pub use trails::demo_trails;

use catalog::{ACCOUNTS, REGIONS};
use record::Record;
use rng::Rng;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use streams::{LogFile, apportion, write_stream};

use crate::model::time::{DAY, MINUTE};

/// CloudTrail delivers a region's events about every five minutes.
const DELIVERY_SECS: i64 = 5 * MINUTE;
/// Share of background calls that fail.
const ERROR_RATE: f64 = 0.045;

#[derive(Clone, Debug, PartialEq, Eq)]
/// What the demo archive generator writes: seed, length and size of the synthetic archive.
pub struct DemoOptions {
    /// Seed of the random generator; one seed always gives the same archive.
    pub seed: u64,
    /// Length of the archive, in days.
    pub days: u32,
    /// Background events (console sign-ins and planted incidents come on top).
    pub events: u64,
    /// End of the archive, epoch seconds; files cover `[end - days, end)`.
    pub end: i64,
}

impl DemoOptions {
    /// The seed the demo uses unless told otherwise.
    pub const DEFAULT_SEED: u64 = 7;
    /// The archive length in days the demo uses unless told otherwise.
    pub const DEFAULT_DAYS: u32 = 21;
    /// The number of background events the demo writes unless told otherwise.
    pub const DEFAULT_EVENTS: u64 = 300_000;

    /// The defaults, ending at `now` rounded down to a delivery interval.
    pub fn ending_at(now: i64) -> Self {
        Self {
            seed: Self::DEFAULT_SEED,
            days: Self::DEFAULT_DAYS,
            events: Self::DEFAULT_EVENTS,
            end: now - now.rem_euclid(DELIVERY_SECS),
        }
    }
}

/// What was written for one (account, Region).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Log files written.
    pub files: u64,
    /// Events written.
    pub events: u64,
    /// Read events (`readOnly: true`).
    pub read: u64,
    /// Write events (`readOnly: false`).
    pub write: u64,
    /// Events with an `errorCode`.
    pub errors: u64,
    /// Data events (`eventCategory: Data`).
    pub data: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
/// What the demo archive generator wrote.
pub struct DemoSummary {
    /// First second the archive covers: epoch seconds UTC.
    pub start: i64,
    /// End of the archive: epoch seconds UTC, exclusive.
    pub end: i64,
    /// Log files written.
    pub files: u64,
    /// Events written.
    pub events: u64,
    /// Per (account ID, Region).
    pub streams: BTreeMap<(String, String), StreamStats>,
    /// Digest files written (standard and backfill), each with its `KEY.meta.json` sidecar.
    pub digest_files: u64,
}

#[derive(Debug, thiserror::Error)]
/// Why the demo archive could not be written.
pub enum DemoError {
    #[error("cannot write demo archive file {path}: {source}")]
    /// A file of the archive could not be written.
    Write {
        /// The file.
        path: PathBuf,
        /// The file system's error.
        source: std::io::Error,
    },
    #[error("invalid demo options: {0}")]
    /// The options are out of range; the text says which.
    Options(String),
}

/// Writes the demo archive below `out` (which should be empty) and says what it wrote.
pub fn write_demo(out: &Path, opts: &DemoOptions) -> Result<DemoSummary, DemoError> {
    if opts.days == 0 || opts.days > 90 {
        return Err(DemoError::Options(
            "days must be between 1 and 90 (the Event History window)".into(),
        ));
    }
    let start = opts.end - i64::from(opts.days) * DAY;
    let streams: Vec<(usize, usize)> = (0..ACCOUNTS.len())
        .flat_map(|a| (0..REGIONS.len()).map(move |r| (a, r)))
        .collect();
    let weights: Vec<f64> = streams
        .iter()
        .map(|&(a, r)| ACCOUNTS[a].weight * REGIONS[r].1)
        .collect();
    let background = apportion(opts.events, &weights);
    let mut planted: Vec<Vec<(i64, Record)>> = streams.iter().map(|_| Vec::new()).collect();
    for p in incidents::plant(start, opts.end, &mut Rng::derive(opts.seed, 0)) {
        let region = REGIONS
            .iter()
            .position(|(r, _)| *r == p.region)
            .unwrap_or(0);
        planted[p.account * REGIONS.len() + region].push((p.time, p.record));
    }
    // Streams are independent (each has its own RNG), so they are written in parallel, while the signing key
    // is made.
    let planted: Vec<(u64, Vec<(i64, Record)>)> = background.into_iter().zip(planted).collect();
    let (written, signer) = std::thread::scope(|scope| {
        let signer = scope.spawn(|| key::demo_signing_key(opts.seed));
        let written = in_parallel(planted, |index, (count, planted)| {
            write_stream(out, opts, start, index, count, planted)
        });
        (written, signer.join())
    });
    let signer =
        signer.map_err(|_| DemoError::Options("the demo key generation failed".into()))??;
    let mut summary = DemoSummary {
        start,
        end: opts.end,
        ..Default::default()
    };
    let mut logs: Vec<Vec<LogFile>> = Vec::with_capacity(streams.len());
    for (&(a, r), result) in streams.iter().zip(written) {
        let (stats, files) = result?;
        summary.files += stats.files;
        summary.events += stats.events;
        summary
            .streams
            .insert((ACCOUNTS[a].id.to_owned(), REGIONS[r].0.to_owned()), stats);
        logs.push(files);
    }
    key::write_public_key(&public_keys_folder(out), &signer)?;
    summary.digest_files = digests::write_digests(out, start, opts.end, &logs, &signer)?;
    write_trails_snapshot(out, opts.end)?;
    Ok(summary)
}

/// Runs `work` on every item, on as many threads as there are cores; results in the items' order.
fn in_parallel<T: Send, R: Send>(items: Vec<T>, work: impl Fn(usize, T) -> R + Sync) -> Vec<R> {
    let slots: Vec<Mutex<Option<T>>> = items.into_iter().map(|i| Mutex::new(Some(i))).collect();
    let results: Vec<Mutex<Option<R>>> = slots.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(slots.len());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(slot) = slots.get(index) else {
                        break;
                    };
                    let item = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
                    if let Some(item) = item {
                        let result = work(index, item);
                        *results[index].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                    }
                }
            });
        }
    });
    results
        .into_iter()
        .filter_map(|r| r.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect()
}

/// The folder of the demo archive that holds the public key its digests are signed with (a PEM file named by
/// its fingerprint, as `ListPublicKeys` would state it): what `trailscope validate DIR --public-keys
/// DIR/public-keys` and the server read to validate the demo archive at `archive` without AWS. Outside
/// `AWSLogs/`, which only CloudTrail writes.
pub fn public_keys_folder(archive: &Path) -> PathBuf {
    archive.join(PUBLIC_KEYS_FOLDER)
}

/// The name of the demo archive's public key folder, below the archive folder (see [`public_keys_folder`]).
pub const PUBLIC_KEYS_FOLDER: &str = "public-keys";

/// Where the demo archive keeps its trails snapshot (beside `AWSLogs/`, which only CloudTrail writes).
pub const TRAILS_SNAPSHOT_FILE: &str = "trails.json";

fn write_trails_snapshot(out: &Path, end: i64) -> Result<(), DemoError> {
    let path = out.join(TRAILS_SNAPSHOT_FILE);
    let json = serde_json::to_vec_pretty(&demo_trails(end))
        .map_err(|e| DemoError::Options(format!("cannot encode the trails snapshot: {e}")))?;
    std::fs::write(&path, json).map_err(|source| DemoError::Write { path, source })
}
