//! The counts behind the Activity top-10 lists (issue 16), so that a list costs the same whatever the number of
//! events in its range: per hour, per UTC day and per week ([`SPANS`]), for each list (event name, event
//! source, identity, source IP, error code, user agent), how many events had each value, by whether they were
//! read-only and whether they failed. `rollup_top` holds one row per (span, period, dimension) with its entries
//! packed in a blob ([`packed`]: one row rewrite per batch, period and list instead of one upsert per value, which
//! would cost ingest more than the lists save). The writer keeps it in step with the events it inserts; a store
//! that had events before the table (or a list) existed is counted once when it is opened ([`upgrade()`]).
//! Account and Region are not part of an entry: lists filtered by them read the events (`store::activity`).
use super::StoreError;
use super::periods::{self, Periods};
use crate::model::events::EventField;
use crate::model::filter::ReadWrite;
use crate::model::time::{DAY, HOUR};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use rustc_hash::FxHashMap;

pub mod packed;
mod upgrade;
pub mod weeks;
use packed::{decode, encode};
pub use upgrade::{BACKFILL_PENDING, MIGRATION, USER_AGENT_MIGRATION, upgrade};
use weeks::WEEK;

/// The spans `rollup_top` keeps, in seconds, coarsest first: [`WEEK`], a UTC day and an hour. Each divides the
/// ones before it.
pub const SPANS: [i64; 3] = [WEEK, DAY, HOUR];

/// The lists counted, as `rollup_top.dimension` codes; never renumber (stored data holds these).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimension {
    /// `eventName`.
    EventName = 0,
    /// `eventSource`.
    EventSource = 1,
    /// The readable principal with the account it acted in (`events.identity_name`, `events.account`).
    Identity = 2,
    /// `sourceIPAddress`.
    SourceIp = 3,
    /// `errorCode`.
    ErrorCode = 4,
    /// `userAgent` (added by [`USER_AGENT_MIGRATION`]).
    UserAgent = 5,
}

impl Dimension {
    /// The list that counts `field`'s values, if one does: the search can then count an exact match of it
    /// from the rollup (`store::search`).
    pub fn of_field(field: EventField) -> Option<Dimension> {
        DIMENSIONS.into_iter().find(|d| d.field() == field)
    }

    /// The event field whose values the list counts.
    pub fn field(self) -> EventField {
        match self {
            Dimension::EventName => EventField::EventName,
            Dimension::EventSource => EventField::EventSource,
            Dimension::Identity => EventField::Identity,
            Dimension::SourceIp => EventField::SourceIp,
            Dimension::ErrorCode => EventField::ErrorCode,
            Dimension::UserAgent => EventField::UserAgent,
        }
    }
}

/// Every dimension, in code order.
pub const DIMENSIONS: [Dimension; 6] = [
    Dimension::EventName,
    Dimension::EventSource,
    Dimension::Identity,
    Dimension::SourceIp,
    Dimension::ErrorCode,
    Dimension::UserAgent,
];

/// One count table per dimension, indexed by its code.
type Lists = [Counts; DIMENSIONS.len()];

/// Entry flag: the event was read-only (`readOnly: true`; `events.read_only = 1`).
pub const READ: u8 = 1;
/// Entry flag: the event has an `errorCode`.
pub const ERROR: u8 = 2;

/// Whether entries with `flags` match a read/write choice and "errors only", as
/// [`ReadWrite::sql_condition`] and `error_code IS NOT NULL` do on the events.
pub fn keeps(read_write: ReadWrite, errors_only: bool, flags: u8) -> bool {
    let read = flags & READ != 0;
    let read_write = match read_write {
        ReadWrite::Read => read,
        ReadWrite::Write => !read,
        ReadWrite::All => true,
    };
    read_write && (!errors_only || flags & ERROR != 0)
}

/// One counted value of a dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Entry {
    /// `strings.id` of the value.
    pub value: i64,
    /// For [`Dimension::Identity`], `strings.id` of the account; 0 otherwise.
    pub account: i64,
    /// [`READ`] and [`ERROR`] bits.
    pub flags: u8,
}

type Counts = FxHashMap<Entry, u64>;

/// One event as the lists count it: the store's coded columns.
#[derive(Clone, Copy, Debug)]
pub struct Counted {
    /// `eventTime`: epoch seconds UTC.
    pub event_time: i64,
    /// `strings.id` of the account.
    pub account: i64,
    /// `events.read_only`: 1 read, 0 write, `None` unknown.
    pub read_only: Option<i64>,
    /// `strings.id` of the event name.
    pub event_name: i64,
    /// `strings.id` of the event source.
    pub event_source: i64,
    /// `strings.id` of the identity name, if any.
    pub identity_name: Option<i64>,
    /// `strings.id` of the source IP address, if any.
    pub source_ip: Option<i64>,
    /// `strings.id` of the error code, if any.
    pub error_code: Option<i64>,
    /// `strings.id` of the user agent, if any.
    pub user_agent: Option<i64>,
}

/// Counts of one batch of inserted events by hour, to be added to `rollup_top` in the batch's transaction.
#[derive(Default)]
pub struct TopCounts {
    hours: FxHashMap<i64, Lists>,
}

impl TopCounts {
    /// Counts one inserted event.
    pub fn add(&mut self, e: &Counted) {
        let hour = e.event_time.div_euclid(HOUR) * HOUR;
        let flags = if e.read_only == Some(1) { READ } else { 0 }
            | if e.error_code.is_some() { ERROR } else { 0 };
        let lists = self.hours.entry(hour).or_default();
        let mut count = |dimension: Dimension, value: Option<i64>, account: i64| {
            if let Some(value) = value {
                let entry = Entry {
                    value,
                    account,
                    flags,
                };
                *lists[dimension as usize].entry(entry).or_default() += 1;
            }
        };
        count(Dimension::EventName, Some(e.event_name), 0);
        count(Dimension::EventSource, Some(e.event_source), 0);
        count(Dimension::Identity, e.identity_name, e.account);
        count(Dimension::SourceIp, e.source_ip, 0);
        count(Dimension::ErrorCode, e.error_code, 0);
        count(Dimension::UserAgent, e.user_agent, 0);
    }

    /// Adds the counts to `rollup_top`'s rows of every span (a read, merge and rewrite of each row touched).
    /// Errors: SQLite's, or [`StoreError::Corrupt`] for a stored row that cannot be read.
    pub fn write(self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        let mut spans: Vec<(i64, FxHashMap<i64, Lists>)> = SPANS
            .into_iter()
            .filter(|span| *span != HOUR)
            .map(|span| {
                let mut periods: FxHashMap<i64, Lists> = FxHashMap::default();
                for (hour, lists) in &self.hours {
                    let period = periods.entry(hour.div_euclid(span) * span).or_default();
                    for (into, from) in period.iter_mut().zip(lists) {
                        for (entry, n) in from {
                            *into.entry(*entry).or_default() += n;
                        }
                    }
                }
                (span, periods)
            })
            .collect();
        spans.push((HOUR, self.hours));
        for (span, periods) in spans {
            for (period, lists) in periods {
                for (dimension, counts) in DIMENSIONS.iter().zip(lists) {
                    if !counts.is_empty() {
                        merge(tx, span, period, *dimension, counts)?;
                    }
                }
            }
        }
        Ok(())
    }
}

fn merge(
    tx: &Transaction<'_>,
    span: i64,
    period: i64,
    dimension: Dimension,
    mut counts: Counts,
) -> Result<(), StoreError> {
    let stored: Option<Vec<u8>> = tx
        .prepare_cached(
            "SELECT entries FROM rollup_top WHERE span = ?1 AND period = ?2 AND dimension = ?3",
        )?
        .query_row(params![span, period, dimension as i64], |r| r.get(0))
        .optional()?;
    if let Some(stored) = stored {
        decode(&stored, |entry, n| *counts.entry(entry).or_default() += n)?;
    }
    tx.prepare_cached(
        "INSERT OR REPLACE INTO rollup_top (span, period, dimension, entries) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![span, period, dimension as i64, encode(&counts)])?;
    Ok(())
}

/// Calls `each` with every entry counted in the periods of `span` (one of [`SPANS`]) that start in
/// `[start, end)`, of one list (`only`) or of all the lists this build knows. Errors: SQLite's, or
/// [`StoreError::Corrupt`] for a row that cannot be read.
pub fn for_each_entry(
    conn: &Connection,
    span: i64,
    (start, end): (i64, i64),
    only: Option<Dimension>,
    mut each: impl FnMut(Dimension, Entry, u64),
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT dimension, entries FROM rollup_top
         WHERE span = ?1 AND period >= ?2 AND period < ?3 AND (?4 IS NULL OR dimension = ?4)",
    )?;
    let mut rows = stmt.query(params![span, start, end, only.map(|d| d as i64)])?;
    while let Some(row) = rows.next()? {
        let code: i64 = row.get(0)?;
        // A list this build does not know was added by a newer build, which an older one must not write beside
        // (docs/deploy.md): not this build's to read.
        let Some(dimension) = DIMENSIONS.into_iter().find(|d| *d as i64 == code) else {
            continue;
        };
        decode(
            row.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?,
            |entry, n| each(dimension, entry, n),
        )?;
    }
    Ok(())
}

/// Calls `each` with every entry counted in the whole hours `[start, end)` (multiples of an hour): whole weeks
/// from the weekly rows, the whole UTC days around them from the daily ones, the hours around those from the
/// hourly ones, so the rows read do not grow with the events in the range; of one list (`only`) or of all.
/// Errors: as [`for_each_entry`].
pub fn for_each_entry_in_hours(
    conn: &Connection,
    (start, end): (i64, i64),
    only: Option<Dimension>,
    mut each: impl FnMut(Dimension, Entry, u64),
) -> Result<(), StoreError> {
    debug_assert!(start.rem_euclid(HOUR) == 0 && end.rem_euclid(HOUR) == 0);
    let levels = SPANS.map(Periods::of);
    periods::visit(&levels, (start, end), &mut |level, range| match level {
        Some(at) => for_each_entry(conn, SPANS[at], range, only, &mut each),
        // Less than an hour: not asked for (the callers count partial hours from the events).
        None => Ok(()),
    })
}
