//! How a store's `rollup_top` is counted or rewritten when it opens, after a migration asked for it: the stored
//! events counted (the table created, a list added, or a row that cannot be read), rows of the fixed width
//! repacked (`packed`), weekly rows added (`weeks`).
use super::{Counted, TopCounts, packed, weeks};
use crate::model::time::DAY;
use crate::ssr::store::StoreError;
use rusqlite::{Connection, Transaction, TransactionBehavior};

/// [`BACKFILL_PENDING`] as a literal, so the migrations' SQL can `concat!` it.
macro_rules! backfill_key {
    () => {
        "rollup_top_backfill"
    };
}

/// The SQL that asks for the stored events to be counted into `rollup_top` when the store next opens: sets
/// [`BACKFILL_PENDING`] when the store holds events.
macro_rules! ask_for_backfill {
    () => {
        concat!(
            "INSERT OR REPLACE INTO meta (key, value)\n  SELECT '",
            backfill_key!(),
            "', 'pending' WHERE EXISTS (SELECT 1 FROM events);\n"
        )
    };
}

/// The migration that creates `rollup_top` and asks for the events already stored to be counted
/// ([`upgrade`]).
pub const MIGRATION: &str = concat!(
    r#"
-- Activity top-10 lists (issue 16; store/top_rollup.rs): per hour (span 3600) and UTC day (span 86400) and list
-- (dimension 0 event name, 1 event source, 2 identity, 3 source IP, 4 error code), the events per value, read-only
-- flag and error flag, packed in `entries`. The events already stored are counted when the store next opens.
CREATE TABLE rollup_top (
  span INTEGER NOT NULL,
  period INTEGER NOT NULL,
  dimension INTEGER NOT NULL,
  entries BLOB NOT NULL,
  PRIMARY KEY (span, period, dimension)
) WITHOUT ROWID;
"#,
    ask_for_backfill!()
);

/// The migration that adds the user agents list ([`super::Dimension::UserAgent`]): the events already stored are counted
/// again, every list at once, when the store next opens ([`upgrade`]).
pub const USER_AGENT_MIGRATION: &str = concat!(
    r#"
-- Activity's top user agents and the search's "user agent contains" total (issue 16): rollup_top dimension 5,
-- `userAgent`. The events already stored are counted again, every list, when the store next opens.
"#,
    ask_for_backfill!()
);

/// The `meta` key the migrations that created `rollup_top` or added a list set when the store already held events.
pub const BACKFILL_PENDING: &str = backfill_key!();

/// Brings `rollup_top` up to what this build reads when the store opens, doing what the migrations asked for:
/// the events counted again ([`BACKFILL_PENDING`]), then rows of the fixed width repacked
/// ([`packed::REPACK_PENDING`]), then the weekly rows summed from the daily ones ([`weeks::WEEKS_PENDING`]). A row
/// the repack or the weekly sum cannot read ([`StoreError::Corrupt`]) has the events counted again instead
/// (logged), so a damaged row never keeps the store from opening. Errors: SQLite's.
pub fn upgrade(conn: &mut Connection) -> Result<(), StoreError> {
    when_asked(conn, BACKFILL_PENDING, backfill)?;
    let steps = when_asked(conn, packed::REPACK_PENDING, packed::repack)
        .and_then(|()| when_asked(conn, weeks::WEEKS_PENDING, weeks::add));
    let reason = match steps {
        Err(StoreError::Corrupt(reason)) => reason,
        other => return other,
    };
    tracing::warn!(
        %reason,
        "rollup_top: a row cannot be read; counting the stored events again (this open takes longer)"
    );
    // The step that failed still holds its key: the count runs under it (once, however many processes open the
    // store) and clears both.
    when_asked(conn, packed::REPACK_PENDING, backfill)?;
    when_asked(conn, weeks::WEEKS_PENDING, backfill)
}

/// Runs `work` when `meta` holds `key` (a migration asked for it), in one transaction that holds the write lock
/// from the start (so the rows cannot change meanwhile, and two processes opening the store at once do it once)
/// and deletes `key` as it commits: a process killed meanwhile leaves it to the next open. Errors: `work`'s or
/// SQLite's (the transaction is then rolled back).
fn when_asked(
    conn: &mut Connection,
    key: &str,
    work: impl FnOnce(&Transaction<'_>) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let asked = |conn: &Connection| -> rusqlite::Result<bool> {
        conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM meta WHERE key = ?1)",
            [key],
            |r| r.get(0),
        )
    };
    if !asked(conn)? {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if !asked(&tx)? {
        return Ok(()); // another process did it meanwhile
    }
    work(&tx)?;
    tx.execute("DELETE FROM meta WHERE key = ?1", [key])?;
    tx.commit()?;
    Ok(())
}

/// Counts the stored events into `rollup_top` (every row of every span, after deleting them all), one UTC day at
/// a time (memory stays that of one day). Errors: SQLite's.
fn backfill(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let extent: Option<(i64, i64)> = tx.query_row(
        "SELECT (SELECT min(event_time) FROM events), (SELECT max(event_time) FROM events)",
        [],
        |r| Ok(r.get::<_, Option<i64>>(0)?.zip(r.get::<_, Option<i64>>(1)?)),
    )?;
    tx.execute("DELETE FROM rollup_top", [])?;
    if let Some((first, last)) = extent {
        let mut day = first.div_euclid(DAY) * DAY;
        while day <= last {
            let mut counts = TopCounts::default();
            {
                let mut stmt = tx.prepare_cached(
                "SELECT event_time, account, read_only, event_name, event_source, identity_name, source_ip,
                        error_code, user_agent
                 FROM events WHERE event_time >= ?1 AND event_time < ?2",
            )?;
                let mut rows = stmt.query([day, day + DAY])?;
                while let Some(r) = rows.next()? {
                    counts.add(&Counted {
                        event_time: r.get(0)?,
                        account: r.get(1)?,
                        read_only: r.get(2)?,
                        event_name: r.get(3)?,
                        event_source: r.get(4)?,
                        identity_name: r.get(5)?,
                        source_ip: r.get(6)?,
                        error_code: r.get(7)?,
                        user_agent: r.get(8)?,
                    });
                }
            }
            counts.write(tx)?;
            day += DAY;
        }
    }
    // Every row of every span is now written as this build writes them: none is left to repack or add.
    tx.execute(
        "DELETE FROM meta WHERE key IN (?1, ?2)",
        [packed::REPACK_PENDING, weeks::WEEKS_PENDING],
    )?;
    Ok(())
}
