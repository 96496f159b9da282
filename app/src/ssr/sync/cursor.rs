//! The sync cursor of one account and Region in the store (`sync_cursors`).
use crate::model::sync::SyncStatus;
use crate::ssr::store::{Store, StoreError};
use rusqlite::{Transaction, params};

/// Where a run reads: from `until` (newest) back to `from`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunWindow {
    /// The oldest second to read: epoch seconds UTC.
    pub from: i64,
    /// The newest second to read: epoch seconds UTC.
    pub until: i64,
    /// The run's end time, which becomes `synced_until` when it completes.
    pub run_until: i64,
    /// Pages the run has committed (they name the stored pages).
    pub pages: i64,
}

/// Starts a run, or resumes the one a crash or kill left: `earliest` applies to a first run only.
pub fn begin_run(
    store: &Store,
    account: &str,
    region: &str,
    earliest: i64,
    now: i64,
) -> Result<RunWindow, StoreError> {
    store.write(|conn| {
        conn.execute(
            "INSERT INTO sync_cursors (account, region, synced_until) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
            params![account, region, earliest],
        )?;
        conn.execute(
            "UPDATE sync_cursors SET run_until = ?3, run_oldest = NULL, run_pages = 0
             WHERE account = ?1 AND region = ?2 AND run_until IS NULL",
            params![account, region, now],
        )?;
        Ok(conn.query_row(
            "SELECT synced_until, coalesce(run_oldest, run_until), run_until, run_pages FROM sync_cursors
             WHERE account = ?1 AND region = ?2",
            params![account, region],
            |r| {
                Ok(RunWindow {
                    from: r.get(0)?,
                    until: r.get(1)?,
                    run_until: r.get(2)?,
                    pages: r.get(3)?,
                })
            },
        )?)
    })
}

/// Inside a page's transaction: the run has stored everything down to `oldest`.
pub fn page_committed(
    tx: &Transaction<'_>,
    account: &str,
    region: &str,
    oldest: Option<i64>,
    stored: u64,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE sync_cursors SET run_oldest = coalesce(min(coalesce(run_oldest, ?3), ?3), run_oldest),
                run_pages = run_pages + 1, events_stored = events_stored + ?4
         WHERE account = ?1 AND region = ?2",
        params![account, region, oldest, stored as i64],
    )?;
    Ok(())
}

/// The run reached `synced_until`: everything up to its end time is stored.
pub fn finish_run(store: &Store, account: &str, region: &str, now: i64) -> Result<(), StoreError> {
    store.write(|conn| {
        conn.execute(
            "UPDATE sync_cursors SET synced_until = run_until, run_until = NULL, run_oldest = NULL,
                    run_pages = 0, last_success_at = ?3, last_error = NULL, last_error_at = NULL,
                    region_not_enabled = 0
             WHERE account = ?1 AND region = ?2",
            params![account, region, now],
        )?;
        Ok(())
    })
}

/// Notes why the last run stopped; the run stays open and resumes next time.
pub fn record_error(
    store: &Store,
    account: &str,
    region: &str,
    error: &str,
    now: i64,
) -> Result<(), StoreError> {
    store.write(|conn| {
        conn.execute(
            "UPDATE sync_cursors SET last_error = ?3, last_error_at = ?4 WHERE account = ?1 AND region = ?2",
            params![account, region, error, now],
        )?;
        Ok(())
    })
}

/// The account has not enabled this opt-in Region: nothing to sync, and not an error.
pub fn record_not_enabled(store: &Store, account: &str, region: &str) -> Result<(), StoreError> {
    store.write(|conn| {
        conn.execute(
            "UPDATE sync_cursors SET region_not_enabled = 1, last_error = NULL, last_error_at = NULL
             WHERE account = ?1 AND region = ?2",
            params![account, region],
        )?;
        Ok(())
    })
}

/// The sync status of every account and Region with a cursor, by account then Region. Errors: [`StoreError`]
/// when the store cannot be read.
pub fn statuses(store: &Store) -> Result<Vec<SyncStatus>, StoreError> {
    let now = crate::ssr::clock::now_secs();
    store.read(|conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT account, region, synced_until, run_until IS NOT NULL, last_success_at, last_error,
                    last_error_at, events_stored, region_not_enabled
             FROM sync_cursors ORDER BY account, region",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(SyncStatus {
                    account: r.get(0)?,
                    region: r.get(1)?,
                    synced_until: r.get(2)?,
                    lag_secs: (now - r.get::<_, i64>(2)?).max(0),
                    in_progress: r.get(3)?,
                    last_success_at: r.get(4)?,
                    last_error: r.get(5)?,
                    last_error_at: r.get(6)?,
                    events_stored: r.get(7)?,
                    region_not_enabled: r.get(8)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    })
}
