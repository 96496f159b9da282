//! Validates one chain (account × Region × trail): walks its standard then its backfill digests with the pure
//! [`Walk`], loading and verifying each digest it asks for, then checks every log file the valid digests list,
//! many at a time.
use super::archive::Archive;
use super::keys::{KeyMap, Keyring};
use super::progress::Progress;
use super::verify::{Digest, check_log_file, parse_digest};
use super::{ChainId, Window};
use crate::model::integrity::chain::{Location, Outcome, Walk, is_backfill_key};
use crate::model::integrity::{
    ChainReport, DigestEntry, DigestKind, DigestVerdict, Gap, LogEntry, LogVerdict,
};
use crate::model::time::parse_rfc3339;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Digests read at once per chain.
const GETS_IN_FLIGHT: usize = 32;
/// Log files in S3 downloaded and checked at once, over every chain being validated: each holds a thread of the
/// bulk pool (`background`, which has few) for its hashing while it downloads.
const S3_LOG_CHECKS_IN_FLIGHT: usize = 12;
/// Public keys are listed up to this long after the window (aws-cli 1.44.44) and, for a backfill digest, this
/// long either side of its generation time.
const KEY_WINDOW_AFTER_SECS: i64 = 2 * 3600;
const BACKFILL_KEY_WINDOW_SECS: i64 = 3600;

/// What one chain gave: its report (without unlisted logs), the log files its digests list (as the report
/// names them), and the time its valid digests cover.
pub struct ChainResult {
    pub report: ChainReport,
    pub listed_logs: HashSet<String>,
    pub span: Option<(i64, i64)>,
}

/// Reads the digests at `locations`, [`GETS_IN_FLIGHT`] at a time; results in the same order.
async fn get_all(
    archive: &Arc<Archive>,
    locations: Vec<Location>,
) -> Vec<(Location, Result<Option<super::archive::Object>, String>)> {
    let permits = Arc::new(tokio::sync::Semaphore::new(GETS_IN_FLIGHT));
    let tasks: Vec<_> = locations
        .into_iter()
        .map(|at| {
            let (archive, permits) = (archive.clone(), permits.clone());
            tokio::spawn(async move {
                let _permit = permits.acquire_owned().await;
                let got = archive.get(&at).await;
                (at, got)
            })
        })
        .collect();
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        if let Ok(result) = task.await {
            results.push(result);
        }
    }
    results
}

/// One digest's walk step: read it (prefetched or now), check it, verify it.
struct Checker<'a> {
    archive: &'a Arc<Archive>,
    keyring: &'a Keyring,
    chain: &'a ChainId,
    keys: KeyMap,
    /// Counts each digest checked.
    progress: &'a Progress,
}

impl Checker<'_> {
    /// The outcome, and the digest when it could be parsed.
    async fn check(
        &mut self,
        at: &Location,
        got: Result<Option<super::archive::Object>, String>,
    ) -> (Outcome, Option<Digest>) {
        let object = match got {
            Ok(Some(object)) => object,
            Ok(None) => return (Outcome::NotFound, None),
            Err(reason) => {
                let verdict = DigestVerdict::Unreadable { reason };
                return (Outcome::Invalid(verdict), None);
            }
        };
        match parse_digest(&object.bytes, &object.metadata, is_backfill_key(&at.key)) {
            Ok(digest) => {
                let outcome = self.verify(at, &digest).await;
                (outcome, Some(digest))
            }
            Err(rejected) => (Outcome::Invalid(rejected.verdict), None),
        }
    }

    async fn verify(&mut self, at: &Location, digest: &Digest) -> Outcome {
        let prefix = &self.chain.prefix;
        if self.archive.locate(&digest.bucket, &digest.key, prefix) != *at {
            return Outcome::Invalid(DigestVerdict::Moved);
        }
        if !self.keys.contains_key(&digest.fingerprint)
            && let Some(generated) = digest.backfill_generated.as_deref().and_then(parse_rfc3339)
        {
            let (from, to) = (
                generated - BACKFILL_KEY_WINDOW_SECS,
                generated + BACKFILL_KEY_WINDOW_SECS,
            );
            if let Ok(more) = self.keyring.load(&self.chain.region, from, to).await {
                self.keys.extend(more);
            }
        }
        let Some(key) = self.keys.get(&digest.fingerprint) else {
            return Outcome::Invalid(DigestVerdict::PublicKeyNotFound {
                region: self.chain.home_region.clone(),
                fingerprint: digest.fingerprint.clone(),
            });
        };
        if let Err(verdict) = digest.verify(key) {
            return Outcome::Invalid(verdict);
        }
        match digest.times() {
            Ok((start_secs, end_secs)) => Outcome::Valid {
                start_secs,
                end_secs,
                previous: digest
                    .previous
                    .as_ref()
                    .map(|(bucket, key)| self.archive.locate(bucket, key, prefix)),
            },
            Err(verdict) => Outcome::Invalid(verdict),
        }
    }
}

/// Walks the chain of `listed` digests of one `kind`; returns its entries, gaps and valid digests.
async fn walk_chain(
    archive: &Arc<Archive>,
    checker: &mut Checker<'_>,
    listed: Vec<Location>,
    window: &Window,
    kind: DigestKind,
    result: &mut ChainResult,
    valid: &mut Vec<(String, Digest)>,
) {
    let progress = checker.progress;
    let listed_count = listed.len();
    let mut prefetched: HashMap<Location, _> =
        get_all(archive, listed.clone()).await.into_iter().collect();
    let mut walk = Walk::new(listed, window.start_secs.unwrap_or(i64::MIN));
    while let Some(at) = walk.wanted().cloned() {
        let got = match prefetched.remove(&at) {
            Some(got) => got,
            None => archive.get(&at).await,
        };
        let (outcome, digest) = checker.check(&at, got).await;
        progress.digests_done(1);
        if let (
            Some(digest),
            Outcome::Valid {
                start_secs,
                end_secs,
                ..
            },
        ) = (digest, &outcome)
        {
            // A log file is listed only by a digest whose signature (and so its link to the one before)
            // verifies: a forged or damaged digest vouches for nothing, so what only it names is unlisted.
            for log in &digest.log_files {
                let log_at = archive.locate(&log.bucket, &log.key, &checker.chain.prefix);
                result.listed_logs.insert(archive.display(&log_at));
            }
            let span = result.span.get_or_insert((*start_secs, *end_secs));
            *span = (span.0.min(*start_secs), span.1.max(*end_secs));
            valid.push((archive.display(&at), digest));
        }
        walk.feed(outcome);
    }
    // Listed digests the walk never reached (before the window, or off the chain) are done too.
    let reached = walk.walked.iter().filter(|w| !w.inferred).count();
    progress.digests_done(listed_count.saturating_sub(reached));
    for walked in walk.walked {
        result.report.digests.push(DigestEntry {
            location: archive.display(&walked.at),
            kind,
            verdict: walked.verdict,
            start_secs: walked.start_secs,
            end_secs: walked.end_secs,
            inferred: walked.inferred,
        });
    }
    for (from_secs, to_secs) in walk.gaps {
        result.report.gaps.push(Gap {
            from_secs,
            to_secs,
            kind,
        });
    }
}

/// Log files hashed at once in the whole process: one per core. Hashing is CPU work, and every chain checks
/// its log files at the same time, so the limit is shared (a blocking thread per file in flight would spend the
/// cores switching between hundreds of threads).
fn hashing_permits() -> Arc<tokio::sync::Semaphore> {
    static PERMITS: std::sync::OnceLock<Arc<tokio::sync::Semaphore>> = std::sync::OnceLock::new();
    PERMITS
        .get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            Arc::new(tokio::sync::Semaphore::new(cores))
        })
        .clone()
}

/// One log file to check: where, its listed hash, the digest listing it and that digest's kind.
type LogWork = (Location, String, String, DigestKind);

/// Checks the log files of the `valid` digests, in the digests' order: in a folder, each file streamed from
/// disk by one blocking worker per hashing permit; in S3, [`GETS_IN_FLIGHT`] downloads at a time, each hashed
/// as it arrives.
async fn check_logs(
    archive: &Arc<Archive>,
    prefix: &str,
    valid: &[(String, Digest, DigestKind)],
    max_log_bytes: usize,
    progress: &Arc<Progress>,
) -> Vec<LogEntry> {
    let mut work: Vec<LogWork> = Vec::new();
    for (digest_at, digest, kind) in valid {
        for log in &digest.log_files {
            work.push((
                archive.locate(&log.bucket, &log.key, prefix),
                log.hash.clone(),
                digest_at.clone(),
                *kind,
            ));
        }
    }
    progress.add_logs(work.len());
    let verdicts = match archive.folder_root() {
        Some(root) => check_folder_logs(root.to_path_buf(), &work, max_log_bytes, progress).await,
        None => check_s3_logs(archive, &work, max_log_bytes, progress).await,
    };
    work.into_iter()
        .zip(verdicts)
        .map(|((at, _, digest, kind), verdict)| LogEntry {
            location: archive.display(&at),
            verdict,
            digest,
            kind,
        })
        .collect()
}

/// The verdicts of a folder's log files, in `work`'s order: workers on the bulk pool (`background`), each holding a
/// hashing permit, take files one after the other and stream each once from disk.
async fn check_folder_logs(
    root: std::path::PathBuf,
    work: &[LogWork],
    max_log_bytes: usize,
    progress: &Arc<Progress>,
) -> Vec<LogVerdict> {
    // A key that would lead out of the folder (`..`, absolute) names no file of this archive: not found.
    let jobs: Arc<Vec<(Option<std::path::PathBuf>, String)>> = Arc::new(
        work.iter()
            .map(|(at, hash, _, _)| (Archive::folder_path(&root, &at.key), hash.clone()))
            .collect(),
    );
    if jobs.is_empty() {
        return Vec::new();
    }
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let permits = hashing_permits();
    let workers = permits.available_permits().clamp(1, jobs.len());
    let mut tasks = Vec::with_capacity(workers);
    for _ in 0..workers {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        let (jobs, next, progress, root) =
            (jobs.clone(), next.clone(), progress.clone(), root.clone());
        tasks.push(crate::ssr::background::spawn_blocking(move || {
            let _permit = permit;
            let mut done = Vec::new();
            loop {
                let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((path, hash)) = jobs.get(index) else {
                    return done;
                };
                let verdict = match path {
                    Some(path) => check_log_file(&root, path, hash, max_log_bytes),
                    None => LogVerdict::NotFound,
                };
                progress.log_done();
                done.push((index, verdict));
            }
        }));
    }
    let mut verdicts = vec![LogVerdict::InvalidFormat; jobs.len()];
    for task in tasks {
        for (index, verdict) in task.await.unwrap_or_default() {
            verdicts[index] = verdict;
        }
    }
    verdicts
}

/// The verdicts of log files in S3, in `work`'s order: [`S3_LOG_CHECKS_IN_FLIGHT`] at a time in the process,
/// each hashed as it downloads ([`Archive::check_s3_log`]).
async fn check_s3_logs(
    archive: &Arc<Archive>,
    work: &[LogWork],
    max_log_bytes: usize,
    progress: &Arc<Progress>,
) -> Vec<LogVerdict> {
    static CHECKS: std::sync::LazyLock<Arc<tokio::sync::Semaphore>> =
        std::sync::LazyLock::new(|| Arc::new(tokio::sync::Semaphore::new(S3_LOG_CHECKS_IN_FLIGHT)));
    let downloads = CHECKS.clone();
    let tasks: Vec<_> = work
        .iter()
        .map(|(at, hash, _, _)| {
            let (archive, downloads, progress) =
                (archive.clone(), downloads.clone(), progress.clone());
            let (at, hash) = (at.clone(), hash.clone());
            tokio::spawn(async move {
                let _download = downloads.acquire_owned().await;
                let verdict = archive.check_s3_log(&at, &hash, max_log_bytes).await;
                progress.log_done();
                verdict
            })
        })
        .collect();
    let mut verdicts = Vec::with_capacity(tasks.len());
    for task in tasks {
        verdicts.push(task.await.unwrap_or(LogVerdict::InvalidFormat));
    }
    verdicts
}

/// Validates one chain: `(standard, backfill)` are its listed digests in the window; a log file decompressing
/// past `max_log_bytes` is [`LogVerdict::TooLarge`].
pub async fn validate_chain(
    archive: Arc<Archive>,
    keyring: Arc<Keyring>,
    chain: ChainId,
    (standard, backfill): (Vec<Location>, Vec<Location>),
    window: Window,
    max_log_bytes: usize,
    progress: Arc<Progress>,
) -> ChainResult {
    let mut result = ChainResult {
        report: chain.report(),
        listed_logs: HashSet::new(),
        span: None,
    };
    let mut keys = KeyMap::new();
    if !standard.is_empty() {
        let oldest = standard
            .iter()
            .filter_map(|at| crate::model::integrity::chain::key_date_secs(&at.key))
            .min();
        let from = window
            .start_secs
            .or(oldest.map(|t| t - KEY_WINDOW_AFTER_SECS))
            .unwrap_or(0);
        match keyring
            .load(&chain.region, from, window.end_secs + KEY_WINDOW_AFTER_SECS)
            .await
        {
            Ok(loaded) => keys = loaded,
            Err(error) => {
                result.report.error = Some(error);
                progress.digests_done(standard.len() + backfill.len());
                return result;
            }
        }
    }
    let mut checker = Checker {
        archive: &archive,
        keyring: &keyring,
        chain: &chain,
        keys,
        progress: &progress,
    };
    let mut valid_standard = Vec::new();
    walk_chain(
        &archive,
        &mut checker,
        standard,
        &window,
        DigestKind::Standard,
        &mut result,
        &mut valid_standard,
    )
    .await;
    // The backfill chain starts with no keys and lists them around each digest's generation time.
    checker.keys = KeyMap::new();
    if let Keyring::Folder(all) = &*keyring {
        checker.keys = all.clone();
    }
    let mut valid_backfill = Vec::new();
    walk_chain(
        &archive,
        &mut checker,
        backfill,
        &window,
        DigestKind::Backfill,
        &mut result,
        &mut valid_backfill,
    )
    .await;
    let valid: Vec<_> = valid_standard
        .into_iter()
        .map(|(at, digest)| (at, digest, DigestKind::Standard))
        .chain(
            valid_backfill
                .into_iter()
                .map(|(at, digest)| (at, digest, DigestKind::Backfill)),
        )
        .collect();
    result.report.logs =
        check_logs(&archive, &chain.prefix, &valid, max_log_bytes, &progress).await;
    result
}
