//! The accounts and Regions the store holds events of: one row per (account, Region) pair in `account_regions`,
//! kept by the writer in each batch's transaction beside `rollup_hourly`, so the Activity filters list them from
//! a few rows. Reading them as the distinct values of `rollup_hourly` scanned every hour of the store twice:
//! 8.7 ms of the 12.8 ms of CPU the Activity page took on a 10M-event store (issue 16, item 8).
use super::StoreError;
use crate::model::activity::FilterChoices;
use rusqlite::{Connection, Transaction};
use rustc_hash::FxHashSet;

/// The migration that creates `account_regions` and fills it from `rollup_hourly`, which counts every stored
/// event by account and Region. Idempotent.
pub const MIGRATION: &str = r#"
-- The (account, Region) pairs with stored events (store/account_regions.rs).
CREATE TABLE IF NOT EXISTS account_regions (
  account INTEGER NOT NULL,               -- strings.id
  region INTEGER NOT NULL,                -- strings.id
  PRIMARY KEY (account, region)
) WITHOUT ROWID;
INSERT OR IGNORE INTO account_regions (account, region) SELECT DISTINCT account, region FROM rollup_hourly;
"#;

/// Records that a batch stored events of these (account, Region) pairs (`strings.id`s; repeats are fine), in
/// the batch's transaction. Errors: SQLite's.
pub fn record(
    tx: &Transaction<'_>,
    pairs: impl IntoIterator<Item = (i64, i64)>,
) -> Result<(), StoreError> {
    let pairs: FxHashSet<(i64, i64)> = pairs.into_iter().collect();
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO account_regions (account, region) VALUES (?1, ?2)",
    )?;
    for (account, region) in pairs {
        insert.execute([account, region])?;
    }
    Ok(())
}

/// The accounts and Regions the store holds events for, each list sorted. Errors: [`StoreError`] when the store
/// cannot be read.
pub fn filter_choices(conn: &Connection) -> Result<FilterChoices, StoreError> {
    let values = |column: &str| -> Result<Vec<String>, StoreError> {
        let sql = format!(
            "SELECT value FROM strings WHERE id IN (SELECT {column} FROM account_regions) ORDER BY value"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let values = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(values)
    };
    Ok(FilterChoices {
        accounts: values("account")?,
        regions: values("region")?,
    })
}
