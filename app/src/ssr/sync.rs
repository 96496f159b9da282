//! Event History sync: per account and Region, `LookupEvents` pages newest first, from now back to where the
//! last run ended (first run: the configured window, at most AWS's 90 days). AWS allows 2 calls a second per
//! account and Region and does not raise it: each account-Region gets its own limiter (`aws::limiter`, kept
//! with the account's clients in `aws::clients`), spaced so that no one-second window ever holds more than two
//! calls, and the SDK's own retries are off for this call so that retries go through the limiter too.
//! Throttling, 5xx and network errors are retried with exponential backoff and jitter. Each page commits with
//! the cursor, so a killed run resumes without losing or repeating events (overlaps at the edges are removed
//! by event ID).
mod accounts;
pub mod cursor;
pub mod page;
pub mod progress;

use crate::ssr::aws::limiter::CallLimiter;
use crate::ssr::aws::{HISTORY_SECS, describe, means_region_not_enabled};
use crate::ssr::store::Store;
use crate::ssr::store::writer::{EventWriter, ORIGIN_EVENT_HISTORY};
pub use accounts::{RegionOutcome, sync_accounts, sync_now, sync_now_counting};
use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::config::retry::RetryConfig;
use aws_sdk_cloudtrail::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudtrail::operation::lookup_events::{LookupEventsError, LookupEventsOutput};
use aws_sdk_cloudtrail::primitives::DateTime;
use aws_sdk_cloudtrail::types::LookupAttribute;
use progress::SyncProgress;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// AWS's page size limit for `LookupEvents`.
const PAGE_SIZE: i32 = 50;
/// Attempts per page before the run stops with the error (it resumes next time).
const MAX_ATTEMPTS: u32 = 8;
const BACKOFF_BASE: Duration = Duration::from_millis(500);
const BACKOFF_CAP: Duration = Duration::from_secs(20);

/// How long, in all, a sync step waits for another process's write to the store before it stops with the
/// error. A `trailscope ingest` beside the server commits each batch of log files in one transaction, which on a
/// large store holds the event file's write lock for longer than SQLite's busy timeout
/// ([`crate::ssr::store::database::BUSY_TIMEOUT_MS`]); the page read from AWS is kept and stored after it.
const STORE_BUSY_WAIT_MAX: Duration = Duration::from_secs(30 * 60);

/// The one writer of the store, shared by the Regions syncing at once (SQLite has one writer at a time).
pub type SharedWriter = Arc<Mutex<EventWriter>>;

#[derive(Debug, thiserror::Error)]
/// Why syncing an account-Region from Event History failed.
pub enum SyncError {
    #[error("LookupEvents failed: {0}")]
    /// A `LookupEvents` call failed after its retries; the SDK's error text. See
    /// <https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html>.
    Aws(String),
    #[error(transparent)]
    /// The store could not be read or written.
    Store(#[from] crate::ssr::store::StoreError),
    #[error("a page could not be stored: {0}")]
    /// A page of events could not be stored (the writer task failed); the text says why.
    Page(String),
    #[error("the account has not enabled this opt-in Region")]
    /// The Region is opt-in and not enabled for the account, so it has no Event History.
    RegionNotEnabled,
}

impl SyncError {
    /// Whether another process held the store's write lock for longer than SQLite waits
    /// ([`crate::ssr::store::StoreError::is_busy`]).
    fn is_busy(&self) -> bool {
        matches!(self, Self::Store(error) if error.is_busy())
    }
}

/// Runs a sync's store `work` on the bulk pool (`background`, at a lower CPU priority), and again (a second later) while it fails because another
/// process holds the event file's write lock, for up to [`STORE_BUSY_WAIT_MAX`] in all.
async fn on_store<T: Send + 'static>(
    work: impl Fn() -> Result<T, SyncError> + Send + Sync + 'static,
) -> Result<T, SyncError> {
    let work = Arc::new(work);
    let started = std::time::Instant::now();
    loop {
        let attempt = work.clone();
        match crate::ssr::background::spawn_blocking(move || attempt())
            .await
            .map_err(|e| SyncError::Page(e.to_string()))?
        {
            Err(error) if error.is_busy() && started.elapsed() < STORE_BUSY_WAIT_MAX => {
                tracing::info!(%error, "the store is busy with another process's write; the sync waits for it");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            done => return done,
        }
    }
}

/// What one account-Region run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegionSync {
    /// `LookupEvents` calls made (each within the account-Region's 2 calls per second).
    pub calls: u64,
    /// Calls repeated after throttling or a transient error.
    pub retries: u64,
    /// Pages of results read.
    pub pages: u64,
    /// Events stored (not counting duplicates).
    pub events: u64,
    /// Events not stored again because their event ID was already stored.
    pub duplicates: u64,
}

fn retryable(error: &SdkError<LookupEventsError>) -> bool {
    match error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(e) => {
            e.raw().status().is_server_error()
                || matches!(
                    error.code(),
                    Some(
                        "ThrottlingException" | "RequestLimitExceeded" | "TooManyRequestsException"
                    )
                )
        }
        _ => false,
    }
}

/// Exponential backoff with full jitter (AWS's recommendation), capped.
fn backoff(attempt: u32) -> Duration {
    let ceiling = BACKOFF_BASE
        .saturating_mul(1u32 << attempt.min(8))
        .min(BACKOFF_CAP);
    let mut byte = [0u8; 2];
    let fraction = match getrandom::fill(&mut byte) {
        Ok(()) => f64::from(u16::from_le_bytes(byte)) / f64::from(u16::MAX),
        Err(_) => 0.5,
    };
    ceiling.mul_f64(0.5 + fraction / 2.0)
}

/// One `LookupEvents` page of `[from, until]` newest first, within the account-Region's limiter, retried with
/// backoff on throttling and server errors. `attribute` narrows it (AWS takes one); sync reads everything.
pub(crate) async fn lookup_page(
    client: &Client,
    limiter: &CallLimiter,
    region: &str,
    (from, until): (i64, i64),
    attribute: Option<LookupAttribute>,
    token: Option<String>,
    stats: &mut RegionSync,
) -> Result<LookupEventsOutput, SyncError> {
    let mut attempt = 0;
    loop {
        limiter.until_ready().await;
        stats.calls += 1;
        let result = client
            .lookup_events()
            .start_time(DateTime::from_secs(from))
            .end_time(DateTime::from_secs(until))
            .max_results(PAGE_SIZE)
            .set_lookup_attributes(attribute.clone().map(|a| vec![a]))
            .set_next_token(token.clone())
            .customize()
            .config_override(
                aws_sdk_cloudtrail::Config::builder().retry_config(RetryConfig::disabled()),
            )
            .send()
            .await;
        match result {
            Ok(page) => return Ok(page),
            Err(error) if retryable(&error) && attempt + 1 < MAX_ATTEMPTS => {
                stats.retries += 1;
                tracing::debug!(error = %describe(&error), attempt, "LookupEvents will be retried");
                tokio::time::sleep(backoff(attempt)).await;
                attempt += 1;
            }
            Err(error) if means_region_not_enabled(&error, region) => {
                return Err(SyncError::RegionNotEnabled);
            }
            Err(error) => return Err(SyncError::Aws(describe(&error))),
        }
    }
}

/// Syncs one account and Region until it has caught up with now. On error the run stays open and the error
/// is recorded; the next call resumes it.
pub async fn sync_region(
    store: &Arc<Store>,
    writer: &SharedWriter,
    client: &Client,
    limiter: &CallLimiter,
    account: &str,
    region: &str,
    first_window_secs: i64,
) -> Result<RegionSync, SyncError> {
    let history = RegionHistory {
        client,
        limiter,
        account,
        region,
    };
    sync_region_counting(
        store,
        writer,
        &history,
        first_window_secs,
        &SyncProgress::default(),
    )
    .await
}

/// One account-Region's Event History: its client, its call limiter, and its names.
pub struct RegionHistory<'a> {
    /// The CloudTrail client in the Region.
    pub client: &'a Client,
    /// The account-Region's limiter (2 calls a second).
    pub limiter: &'a CallLimiter,
    /// The 12-digit account ID.
    pub account: &'a str,
    /// The Region code, e.g. `us-east-1`.
    pub region: &'a str,
}

/// [`sync_region`], counting the history read and the events stored in `progress` as each page commits.
pub async fn sync_region_counting(
    store: &Arc<Store>,
    writer: &SharedWriter,
    history: &RegionHistory<'_>,
    first_window_secs: i64,
    progress: &SyncProgress,
) -> Result<RegionSync, SyncError> {
    let (account, region) = (history.account, history.region);
    let now = crate::ssr::clock::now_secs();
    let window = {
        let (store, account, region) = (store.clone(), account.to_owned(), region.to_owned());
        let earliest = now - first_window_secs.clamp(60, HISTORY_SECS);
        on_store(move || Ok(cursor::begin_run(&store, &account, &region, earliest, now)?)).await?
    };
    progress.begin_window(window.from, window.until);
    let result = run_pages(writer, history, window, progress).await;
    let not_enabled = matches!(result, Err(SyncError::RegionNotEnabled));
    let (store, account, region) = (store.clone(), account.to_owned(), region.to_owned());
    let finished = result.as_ref().map_err(ToString::to_string).cloned();
    if let (Err(error), false) = (&finished, not_enabled) {
        tracing::warn!(account, region, %error, "Event History sync stopped; it resumes next time");
    }
    on_store(move || {
        Ok(match &finished {
            Ok(_) => cursor::finish_run(&store, &account, &region, crate::ssr::clock::now_secs()),
            Err(_) if not_enabled => cursor::record_not_enabled(&store, &account, &region),
            Err(error) => cursor::record_error(
                &store,
                &account,
                &region,
                error,
                crate::ssr::clock::now_secs(),
            ),
        }?)
    })
    .await?;
    if not_enabled {
        return Ok(RegionSync::default());
    }
    result
}

async fn run_pages(
    writer: &SharedWriter,
    history: &RegionHistory<'_>,
    window: cursor::RunWindow,
    progress: &SyncProgress,
) -> Result<RegionSync, SyncError> {
    let mut reached = window.until;
    let result = read_pages(writer, history, &window, progress, &mut reached).await;
    progress.end_window(reached - window.from);
    result
}

async fn read_pages(
    writer: &SharedWriter,
    history: &RegionHistory<'_>,
    window: &cursor::RunWindow,
    progress: &SyncProgress,
    reached: &mut i64,
) -> Result<RegionSync, SyncError> {
    let RegionHistory {
        client,
        limiter,
        account,
        region,
    } = *history;
    let mut stats = RegionSync::default();
    let mut token = None;
    let mut page_number = window.pages;
    loop {
        let page = lookup_page(
            client,
            limiter,
            region,
            (window.from, window.until),
            None,
            token,
            &mut stats,
        )
        .await?;
        let records = page::page_records(&page);
        let key = format!(
            "event-history/{account}/{region}/{}-{page_number:06}",
            window.run_until
        );
        page_number += 1;
        let (writer, account_owned, region_owned) =
            (writer.clone(), account.to_owned(), region.to_owned());
        let outcome = on_store(move || {
            let mut writer = writer.lock().unwrap_or_else(|e| e.into_inner());
            let refs: Vec<&str> = records.iter().map(String::as_str).collect();
            let (file, oldest) = page::page_file(
                key.clone(),
                &account_owned,
                &region_owned,
                &refs,
                writer.dictionary(),
            )
            .map_err(SyncError::Page)?;
            let stored = file.events.len() as u64;
            writer
                .write_then(vec![file], ORIGIN_EVENT_HISTORY, |tx| {
                    cursor::page_committed(tx, &account_owned, &region_owned, oldest, stored)
                })
                .inspect(|_| {
                    crate::ssr::fault_point::reached(crate::ssr::fault_point::SYNC_PAGE_COMMITTED)
                })
                .map(|outcome| (outcome, oldest))
                .map_err(SyncError::from)
        })
        .await?;
        let (outcome, oldest) = outcome;
        if let Some(oldest) = oldest.filter(|oldest| oldest < reached) {
            progress.page(*reached - oldest, outcome.events);
            *reached = oldest;
        } else {
            progress.page(0, outcome.events);
        }
        stats.pages += 1;
        stats.events += outcome.events;
        stats.duplicates += outcome.duplicates;
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(stats);
        }
    }
}
