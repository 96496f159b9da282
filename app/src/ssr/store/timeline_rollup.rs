//! The counts behind the Activity timeline at the bucket sizes `rollup_hourly` does not serve in few rows (issue
//! 16, item 4): per 15 minutes (the 24-hour range's buckets), per 3 and 6 hours (the 7- and 30-day ranges') and
//! per UTC day (ranges of months and "all"), by account, Region, read-only and error, so a timeline reads one row
//! per bucket and dimension value whatever the number of events in its range (the 30-day timeline read 42k
//! hourly rows on 10M events). The writer adds each batch's counts in the batch's transaction; a store that had
//! events before the table (or a span) existed is counted by its migration ([`MIGRATION`], [`HOURS_MIGRATION`]).
use super::StoreError;
use crate::model::time::{DAY, HOUR, MINUTE};
use rusqlite::{Transaction, params};
use rustc_hash::FxHashMap;

/// The finer span `rollup_timeline` keeps: 15 minutes, in seconds.
pub const QUARTER: i64 = 15 * MINUTE;

/// The span of the 30-day timeline's buckets: 6 hours, in seconds.
pub const SIX_HOURS: i64 = 6 * HOUR;

/// The span of the 7-day timeline's buckets: 3 hours, in seconds.
pub const THREE_HOURS: i64 = 3 * HOUR;

/// The spans `rollup_timeline` keeps, in seconds, coarsest first. Each divides the ones before it, and every one
/// but [`QUARTER`] is whole hours.
pub const SPANS: [i64; 4] = [DAY, SIX_HOURS, THREE_HOURS, QUARTER];

/// Where a timeline of `bucket_secs` buckets reads its counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `rollup_timeline` rows of this span (a divisor of the bucket).
    Timeline(i64),
    /// `rollup_hourly` (the bucket is whole hours, but not of a coarser span).
    Hourly,
    /// The events themselves (buckets shorter than 15 minutes, so ranges of a few hours).
    Events,
}

impl Source {
    /// The coarsest rollup whose periods divide `bucket_secs`: the spans of whole hours, then hours, then
    /// quarters, else the events.
    pub fn for_bucket(bucket_secs: i64) -> Source {
        let divides = |span: &i64| bucket_secs % span == 0;
        if let Some(span) = SPANS.into_iter().filter(|s| s % HOUR == 0).find(divides) {
            Source::Timeline(span)
        } else if divides(&HOUR) {
            Source::Hourly
        } else if divides(&QUARTER) {
            Source::Timeline(QUARTER)
        } else {
            Source::Events
        }
    }
}

/// The migration that creates `rollup_timeline` and counts the events already stored: quarters from the events
/// (one grouped scan, once: 12 s and 776 MB on 10M events), days from `rollup_hourly`. Periods are floored as
/// `i64::div_euclid` does. Idempotent: a store that already has the table keeps its counts.
pub const MIGRATION: &str = r#"
-- Activity timeline (issue 16; store/timeline_rollup.rs): events per 15 minutes (span 900) and per UTC day
-- (span 86400), account, Region, read_only (1, 0, 2 = unknown) and is_error. rollup_hourly serves whole hours.
CREATE TABLE IF NOT EXISTS rollup_timeline (
  span INTEGER NOT NULL,
  period INTEGER NOT NULL,
  account INTEGER NOT NULL,
  region INTEGER NOT NULL,
  read_only INTEGER NOT NULL,
  is_error INTEGER NOT NULL,
  events INTEGER NOT NULL,
  PRIMARY KEY (span, period, account, region, read_only, is_error)
) WITHOUT ROWID;
INSERT INTO rollup_timeline (span, period, account, region, read_only, is_error, events)
  SELECT 900, event_time - ((event_time % 900) + 900) % 900 AS p, account, region, coalesce(read_only, 2) AS ro,
         error_code IS NOT NULL AS err, count(*)
  FROM events WHERE NOT EXISTS (SELECT 1 FROM rollup_timeline) GROUP BY p, account, region, ro, err;
INSERT INTO rollup_timeline (span, period, account, region, read_only, is_error, events)
  SELECT 86400, hour - ((hour % 86400) + 86400) % 86400 AS p, account, region, read_only, is_error, sum(events)
  FROM rollup_hourly WHERE NOT EXISTS (SELECT 1 FROM rollup_timeline WHERE span = 86400)
  GROUP BY p, account, region, read_only, is_error;
"#;

/// The migration that adds the spans of 3 and 6 hours to `rollup_timeline` and counts the events already stored
/// into them from `rollup_hourly` (0.2 s on 10M events). Idempotent: a span already counted is left alone.
pub const HOURS_MIGRATION: &str = r#"
-- Activity timeline (issue 16; store/timeline_rollup.rs): spans of 3 hours (10800) and 6 hours (21600), the buckets
-- of the 7- and 30-day ranges, counted from rollup_hourly.
INSERT INTO rollup_timeline (span, period, account, region, read_only, is_error, events)
  SELECT 10800, hour - ((hour % 10800) + 10800) % 10800 AS p, account, region, read_only, is_error, sum(events)
  FROM rollup_hourly WHERE NOT EXISTS (SELECT 1 FROM rollup_timeline WHERE span = 10800)
  GROUP BY p, account, region, read_only, is_error;
INSERT INTO rollup_timeline (span, period, account, region, read_only, is_error, events)
  SELECT 21600, hour - ((hour % 21600) + 21600) % 21600 AS p, account, region, read_only, is_error, sum(events)
  FROM rollup_hourly WHERE NOT EXISTS (SELECT 1 FROM rollup_timeline WHERE span = 21600)
  GROUP BY p, account, region, read_only, is_error;
"#;

/// One counted row: span, period start, account and Region (`strings.id`), read_only (1, 0, 2), is_error (0, 1).
type Key = (i64, i64, i64, i64, i64, i64);

/// Counts of one batch of inserted events, to be added to `rollup_timeline` in the batch's transaction.
#[derive(Default)]
pub struct TimelineCounts {
    counts: FxHashMap<Key, i64>,
}

impl TimelineCounts {
    /// Counts one inserted event: `event_time` in epoch seconds UTC, `account` and `region` as `strings.id`,
    /// `read_only` 1, 0 or 2 (unknown), `is_error` whether it has an `errorCode`.
    pub fn add(
        &mut self,
        event_time: i64,
        account: i64,
        region: i64,
        read_only: i64,
        is_error: bool,
    ) {
        for span in SPANS {
            let period = event_time.div_euclid(span) * span;
            let key = (
                span,
                period,
                account,
                region,
                read_only,
                i64::from(is_error),
            );
            *self.counts.entry(key).or_default() += 1;
        }
    }

    /// Adds the counts to `rollup_timeline`. Errors: SQLite's.
    pub fn write(self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        let mut upsert = tx.prepare_cached(
            "INSERT INTO rollup_timeline (span, period, account, region, read_only, is_error, events)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT DO UPDATE SET events = events + excluded.events",
        )?;
        for ((span, period, account, region, read_only, is_error), n) in self.counts {
            upsert.execute(params![
                span, period, account, region, read_only, is_error, n
            ])?;
        }
        Ok(())
    }
}
