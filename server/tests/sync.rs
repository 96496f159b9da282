//! Event History sync through the real SDK against a local server that answers `LookupEvents` as AWS does,
//! rate limit, throttling and 5xx included.
mod common;
#[path = "common/fake_history.rs"]
mod fake_history;

use app::ssr::aws::HISTORY_SECS;
use app::ssr::aws::limiter::{CallLimiter, call_limiter};
use app::ssr::store::Store;
use app::ssr::store::writer::EventWriter;
use app::ssr::sync::{SharedWriter, cursor, sync_region};
use fake_history::{ACCOUNT, History};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

struct Setup {
    history: Arc<History>,
    client: aws_sdk_cloudtrail::Client,
    store: Arc<Store>,
    writer: SharedWriter,
    /// One limiter for the account-Region across runs, as the server keeps it.
    limiter: CallLimiter,
    _data: tempfile::TempDir,
}

async fn setup(events: i64, fail_every: u64, deny: bool) -> Setup {
    let now = app::ssr::clock::now_secs();
    let history = Arc::new(History {
        fail_every,
        deny,
        ..History::default()
    });
    // Several events share a second, as real activity does; the oldest is just inside the window.
    history.add((0..events).map(|i| now - 60 - i / 3 * 7));
    let endpoint = fake_history::serve(history.clone()).await;
    let data = tempfile::tempdir().expect("tmp");
    let store = Arc::new(Store::open_in(data.path()).expect("store"));
    let writer = Arc::new(Mutex::new(EventWriter::new(&store).expect("writer")));
    Setup {
        history,
        client: fake_history::client(&endpoint),
        store,
        writer,
        limiter: call_limiter(),
        _data: data,
    }
}

async fn sync(s: &Setup) -> Result<app::ssr::sync::RegionSync, app::ssr::sync::SyncError> {
    sync_region(
        &s.store,
        &s.writer,
        &s.client,
        &s.limiter,
        ACCOUNT,
        "us-east-1",
        HISTORY_SECS,
    )
    .await
}

/// (events from Event History, distinct event IDs among them).
fn stored(s: &Setup) -> (u64, u64) {
    (
        common::count(&s.store, "SELECT count(*) FROM events WHERE origin = 1"),
        common::count(
            &s.store,
            "SELECT count(DISTINCT event_id) FROM events WHERE origin = 1",
        ),
    )
}

#[tokio::test]
async fn every_event_is_stored_once_within_the_rate_limit_despite_server_errors() {
    let s = setup(420, 4, false).await;
    let run = sync(&s).await.expect("sync completes");
    assert_eq!(stored(&s), (420, 420));
    assert_eq!(run.events, 420);
    assert_eq!(run.pages, 9, "50 per page");
    assert!(
        s.history.failed.load(Ordering::Relaxed) >= 2,
        "5xx were injected"
    );
    assert!(run.retries >= 2, "{run:?}");
    assert_eq!(
        s.history.throttled.load(Ordering::Relaxed),
        0,
        "no call ever went over 2 a second"
    );
    let status = cursor::statuses(&s.store).expect("status");
    assert_eq!(status.len(), 1);
    assert!(!status[0].in_progress && status[0].last_success_at.is_some());
    assert_eq!(status[0].events_stored, 420);

    // An incremental run reads only what is new since, and stores it once.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let now = app::ssr::clock::now_secs();
    s.history.add([now, now, now]);
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let again = sync(&s).await.expect("incremental sync");
    assert_eq!(again.events, 3, "{again:?}");
    assert_eq!(again.pages, 1);
    assert_eq!(stored(&s), (423, 423));
}

#[tokio::test]
async fn a_killed_sync_resumes_where_it_stopped_without_losing_or_repeating_events() {
    let s = setup(500, 0, false).await;
    // Killed part way: after about four of its ten pages at 2 calls a second.
    let killed = tokio::time::timeout(std::time::Duration::from_millis(2_000), sync(&s)).await;
    assert!(killed.is_err(), "the run was cut off");
    let (partial, _) = stored(&s);
    assert!(
        partial > 0 && partial < 500,
        "{partial} stored before the kill"
    );
    let status = cursor::statuses(&s.store).expect("status");
    assert!(status[0].in_progress, "the run is left open");

    let resumed = sync(&s).await.expect("resumed");
    assert_eq!(stored(&s), (500, 500), "nothing lost, nothing twice");
    assert!(
        resumed.events + partial == 500,
        "the resumed run read from where the first stopped: {resumed:?}"
    );
    assert!(
        resumed.pages < 10,
        "it did not start over: {} pages",
        resumed.pages
    );
    assert_eq!(s.history.throttled.load(Ordering::Relaxed), 0);
}

#[tokio::test]
async fn a_refused_sync_records_the_error_and_stops_at_once() {
    let s = setup(10, 0, true).await;
    let error = sync(&s).await.expect_err("access is denied");
    assert!(
        error.to_string().contains("AccessDeniedException"),
        "{error}"
    );
    assert_eq!(s.history.served.load(Ordering::Relaxed), 1, "not retried");
    let status = cursor::statuses(&s.store).expect("status");
    assert!(
        status[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("not authorized")),
        "{status:?}"
    );
    assert!(status[0].last_success_at.is_none());
}

#[tokio::test]
async fn an_opt_in_region_the_account_has_not_enabled_is_not_an_error() {
    let mut s = setup(10, 0, false).await;
    let history = Arc::new(History {
        opted_out: true,
        ..History::default()
    });
    s.client = fake_history::client(&fake_history::serve(history).await);
    let outcome = sync_region(
        &s.store,
        &s.writer,
        &s.client,
        &s.limiter,
        ACCOUNT,
        "af-south-1",
        HISTORY_SECS,
    )
    .await
    .expect("not enabled is not a failure");
    assert_eq!(outcome.pages, 0);
    let status = cursor::statuses(&s.store).expect("status");
    assert!(status[0].region_not_enabled, "{status:?}");
    assert_eq!(status[0].last_error, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_beside_an_ingest_holding_the_store_waits_for_it_and_stores_every_event() {
    // A `trailscope ingest` beside the server commits a batch of files in one transaction, holding the event
    // file's write lock for longer than SQLite's busy timeout. Seen by `bench/load`: the sync stopped with
    // "database is locked" and its events waited for the next run.
    let s = setup(300, 0, false).await;
    let path = s.store.path().to_owned();
    let hold = std::time::Duration::from_millis(
        u64::from(app::ssr::store::database::BUSY_TIMEOUT_MS) + 2_000,
    );
    let ingest = std::thread::spawn(move || {
        let conn = rusqlite::Connection::open(&path).expect("open store");
        let stored = || {
            conn.query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0))
                .expect("count")
        };
        while stored() == 0 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        // After the first of six pages (2 calls a second), as another process would.
        conn.execute_batch("BEGIN IMMEDIATE").expect("write lock");
        std::thread::sleep(hold);
        conn.execute_batch("COMMIT").expect("commit");
    });
    let started = std::time::Instant::now();
    let run = sync(&s)
        .await
        .expect("the sync waits for the lock instead of failing");
    ingest.join().expect("ingest");
    assert!(
        started.elapsed() > hold,
        "the sync was held up: {:?}",
        started.elapsed()
    );
    assert_eq!(run.events, 300);
    assert_eq!(stored(&s), (300, 300), "nothing lost, nothing twice");
    let status = cursor::statuses(&s.store).expect("status");
    assert_eq!(status[0].last_error, None, "{status:?}");
    assert!(!status[0].in_progress, "the run finished");
}

/// The sync benchmark (`bench/sync`): events/s per account-Region against the 2 calls/s limit, alone and with
/// three Regions at once (each its own server, as each AWS Region limits on its own). Prints; asserts only
/// that everything arrived once and nothing was throttled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run bench/sync"]
async fn sync_throughput() {
    const EVENTS: i64 = 2_000;
    for regions in [1usize, 3] {
        let mut setups = Vec::new();
        for _ in 0..regions {
            setups.push(Arc::new(setup(EVENTS, 0, false).await));
        }
        let started = std::time::Instant::now();
        let mut runs = tokio::task::JoinSet::new();
        for s in &setups {
            let s = s.clone();
            runs.spawn(async move { sync(&s).await.expect("sync").events });
        }
        let mut events = 0;
        while let Some(run) = runs.join_next().await {
            events += run.expect("task");
        }
        let secs = started.elapsed().as_secs_f64();
        for s in &setups {
            assert_eq!(stored(s), (EVENTS as u64, EVENTS as u64));
            assert_eq!(s.history.throttled.load(Ordering::Relaxed), 0);
        }
        println!(
            "sync: {regions} Region(s), {events} events in {secs:.1} s: {:.1} events/s per Region, {:.1} events/s in all",
            events as f64 / secs / regions as f64,
            events as f64 / secs
        );
    }
}
