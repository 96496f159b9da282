//! The counts behind the Activity top-10 lists (issue 16), so that a list costs the same whatever the number of
//! events in its range: per hour, per UTC day and per week ([`SPANS`]), for each list (event name, event
//! source, identity, source IP, error code, user agent), how many events had each value, by whether they were
//! read-only and whether they failed. `rollup_top` holds one row per (span, period, dimension) with its entries packed in a blob (one row
//! rewrite per batch and hour instead of one upsert per value, which would cost ingest more than the lists save).
//! The writer keeps it in step with the events it inserts; a store that had events before the table (or a list)
//! existed is counted once when it is opened ([`backfill_if_pending`]). Account and Region are not part of an
//! entry: lists filtered by them read the events (`store::activity`).
use super::StoreError;
use crate::model::activity::ceil_div;
use crate::model::events::EventField;
use crate::model::filter::ReadWrite;
use crate::model::time::{DAY, HOUR};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use rustc_hash::FxHashMap;

pub mod packed;
pub mod weeks;
use packed::{decode, encode};
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
        // A list this build does not know was added by a newer one (which writes the same store during a rolling
        // deploy): not this build's to read.
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
    in_spans(conn, &SPANS, (start, end), only, &mut each)
}

/// [`for_each_entry_in_hours`] with `spans` (coarsest first, ending with an hour).
fn in_spans(
    conn: &Connection,
    spans: &[i64],
    (start, end): (i64, i64),
    only: Option<Dimension>,
    each: &mut impl FnMut(Dimension, Entry, u64),
) -> Result<(), StoreError> {
    let Some((&span, finer)) = spans.split_first() else {
        return Ok(());
    };
    if start >= end {
        return Ok(());
    }
    if finer.is_empty() {
        return for_each_entry(conn, span, (start, end), only, each);
    }
    let (first, last) = (ceil_div(start, span) * span, end.div_euclid(span) * span);
    if first >= last {
        return in_spans(conn, finer, (start, end), only, each);
    }
    in_spans(conn, finer, (start, first), only, each)?;
    for_each_entry(conn, span, (first, last), only, &mut *each)?;
    in_spans(conn, finer, (last, end), only, each)
}

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
/// ([`backfill_if_pending`]).
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

/// The migration that adds the user agents list ([`Dimension::UserAgent`]): the events already stored are counted
/// again, every list at once, when the store next opens ([`backfill_if_pending`]).
pub const USER_AGENT_MIGRATION: &str = concat!(
    r#"
-- Activity's top user agents and the search's "user agent contains" total (issue 16): rollup_top dimension 5,
-- `userAgent`. The events already stored are counted again, every list, when the store next opens.
"#,
    ask_for_backfill!()
);

/// The `meta` key the migrations that created `rollup_top` or added a list set when the store already held events.
pub const BACKFILL_PENDING: &str = backfill_key!();

/// Counts the stored events into `rollup_top` when a migration asked for it (the one that created it or added a
/// list), one UTC day at a time (memory stays that of one day), in one transaction that holds the write lock
/// from the start (so the events cannot change meanwhile, and two processes opening the store at once count them
/// once): a process killed meanwhile leaves it to the next open. Errors: SQLite's.
pub fn backfill_if_pending(conn: &mut Connection) -> Result<(), StoreError> {
    let pending = |conn: &Connection| -> rusqlite::Result<bool> {
        conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM meta WHERE key = ?1)",
            [BACKFILL_PENDING],
            |r| r.get(0),
        )
    };
    if !pending(conn)? {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if !pending(&tx)? {
        return Ok(()); // another process counted them meanwhile
    }
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
            counts.write(&tx)?;
            day += DAY;
        }
    }
    // Every row of every span is now written as this build writes them: none is left to repack or add.
    tx.execute(
        "DELETE FROM meta WHERE key IN (?1, ?2, ?3)",
        [
            BACKFILL_PENDING,
            packed::REPACK_PENDING,
            weeks::WEEKS_PENDING,
        ],
    )?;
    tx.commit()?;
    Ok(())
}
