//! Named points where a fault test can stop the process: with `TRAILSCOPE_PAUSE_AT=POINT` in its environment,
//! the process prints `paused at POINT` on stderr the first time it reaches POINT and sleeps there for an
//! hour, so that a test can `kill -9` it at exactly that point instead of guessing a time. Without the variable
//! (always, outside tests) a point costs one look at a value read once. The points are the moments a crash
//! must not lose or repeat anything: right after a batch commits, between two search indexes of a deferred
//! build, right after a sync page commits.
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The environment variable that names the point to pause at.
pub const PAUSE_AT_ENV: &str = "TRAILSCOPE_PAUSE_AT";

/// Ingest (archive folder or S3) has just committed a batch of files.
pub const INGEST_BATCH_COMMITTED: &str = "ingest-batch-committed";
/// A deferred search-index build has just built one index, with others still to build.
pub const INDEX_BUILT: &str = "index-built";
/// An Event History sync has just committed a page of events with its cursor.
pub const SYNC_PAGE_COMMITTED: &str = "sync-page-committed";

/// Pauses here when [`PAUSE_AT_ENV`] names `point` and this is the first time it is reached (see the module).
pub fn reached(point: &str) {
    static AT: OnceLock<Option<String>> = OnceLock::new();
    static PAUSED: AtomicBool = AtomicBool::new(false);
    let at = AT.get_or_init(|| std::env::var(PAUSE_AT_ENV).ok());
    if at.as_deref() == Some(point) && !PAUSED.swap(true, Ordering::SeqCst) {
        eprintln!("paused at {point}");
        std::thread::sleep(Duration::from_secs(3600));
    }
}
