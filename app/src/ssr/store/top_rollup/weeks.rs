//! `rollup_top`'s weekly rows: a top-10 list of 30 days or "all" reads a few weeks instead of every day (the
//! source IP list of 90 days decoded 247k entries on the 10M-event bench store). A store made before them gets
//! them from its daily rows when it next opens (`top_rollup::upgrade`).
use super::packed::{decode, encode, in_row};
use super::{Counts, DIMENSIONS};
use crate::model::time::DAY;
use crate::ssr::store::StoreError;
use rusqlite::{Transaction, params};

/// The coarsest span `rollup_top` keeps: 7 days, in seconds. Periods are multiples of it since the epoch, so a
/// week starts on a Thursday at 00:00 UTC.
pub const WEEK: i64 = 7 * DAY;

/// [`WEEKS_PENDING`] as a literal, so [`MIGRATION`] can `concat!` it.
macro_rules! weeks_key {
    () => {
        "rollup_top_weeks"
    };
}

/// The `meta` key [`MIGRATION`] sets when the store's `rollup_top` has daily rows but no weekly ones yet.
pub const WEEKS_PENDING: &str = weeks_key!();

/// The migration that adds the weekly rows: it asks for them to be summed from the daily rows when the store next
/// opens (`top_rollup::upgrade`). Builds before it refuse to open the store (they would not add to the weeks).
pub const MIGRATION: &str = concat!(
    "-- rollup_top weeks, span 604800 (issue 16; store/top_rollup/weeks.rs)
INSERT OR REPLACE INTO meta (key, value)
  SELECT '",
    weeks_key!(),
    "', 'pending' WHERE EXISTS (SELECT 1 FROM rollup_top);\n"
);

/// Sums the daily rows into weekly ones (`upgrade`, once [`MIGRATION`] asked for it, after the repack), list by
/// list and week by week (memory stays that of one week of one list). Errors: SQLite's, or
/// [`StoreError::Corrupt`] for a row that cannot be read.
pub(super) fn add(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute("DELETE FROM rollup_top WHERE span = ?1", [WEEK])?;
    for dimension in DIMENSIONS {
        let mut week: Option<(i64, Counts)> = None;
        let mut write = |(period, counts): (i64, Counts)| -> rusqlite::Result<usize> {
            tx.prepare_cached(
                "INSERT INTO rollup_top (span, period, dimension, entries) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![WEEK, period, dimension as i64, encode(&counts)])
        };
        let mut days = tx.prepare(
            "SELECT period, entries FROM rollup_top WHERE span = ?1 AND dimension = ?2 ORDER BY period",
        )?;
        let mut rows = days.query(params![DAY, dimension as i64])?;
        while let Some(row) = rows.next()? {
            let day: i64 = row.get(0)?;
            let period = day.div_euclid(WEEK) * WEEK;
            if week.as_ref().is_some_and(|(p, _)| *p != period) {
                week.take().map(&mut write).transpose()?;
            }
            let counts = &mut week.get_or_insert_with(|| (period, Counts::default())).1;
            let blob = row.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?;
            decode(blob, |entry, n| *counts.entry(entry).or_default() += n).map_err(|e| {
                in_row(
                    e,
                    &format!("span {DAY}, period {day}, list {}", dimension as i64),
                )
            })?;
        }
        week.map(&mut write).transpose()?;
    }
    Ok(())
}
