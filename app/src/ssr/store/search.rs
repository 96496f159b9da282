//! Event search: the explorer's filters as SQL over `events`, newest first with keyset pagination (a page
//! starts below the last (time, row) of the one before, so page 100 costs what page 1 does), and the count
//! of all matches (from the hourly rollups when the filter is one they can answer).
use super::StoreError;
use super::dictionary::lookup;
use super::event_id::{EventIdKey, StoredEventId};
mod conditions;

use super::identity_center::shown_name;
use super::records::RecordAt;
use crate::model::events::identity::IDENTITY_CENTER_USER;
use crate::model::events::{Cursor, EventFilter, EventPage, EventSummary, ReadOnlyView};
use crate::model::filter::RangeSpec;
use crate::model::time::HOUR;
use conditions::{Conditions, conditions};
use rusqlite::{Connection, OptionalExtension, ToSql, params_from_iter};
use rustc_hash::FxHashMap;

/// The columns a summary is read from, in `EventSummary` order after `e.id` (`strings.id` where coded).
const SUMMARY_COLUMNS: &str = "e.id, e.event_time, e.event_id, e.account, e.region, e.event_source,
  e.event_name, e.identity_name, e.identity_type, e.identity_arn, e.access_key, e.source_ip, e.user_agent,
  e.error_code, e.read_only, e.category, e.origin, e.block, e.ordinal";

/// `[start, end)` of a range: presets end now (inclusive), "all" spans the events the store holds.
pub fn resolve_range(
    conn: &Connection,
    range: RangeSpec,
    now: i64,
) -> Result<(i64, i64), StoreError> {
    Ok(match range {
        RangeSpec::Last(secs) => (now - secs, now + 1),
        RangeSpec::Between(start, end) => (start, end),
        // Two subqueries: SQLite answers a lone min() or max() from the index, but both at once by a full scan.
        RangeSpec::All => conn
            .query_row(
                "SELECT (SELECT min(event_time) FROM events), (SELECT max(event_time) FROM events)",
                [],
                |r| Ok(r.get::<_, Option<i64>>(0)?.zip(r.get::<_, Option<i64>>(1)?)),
            )?
            .map_or((now, now + 1), |(first, last)| (first, last + 1)),
    })
}

/// Turns coded rows into summaries, reading each distinct string once.
struct Decoder<'c> {
    conn: &'c Connection,
    cache: FxHashMap<i64, String>,
}

impl<'c> Decoder<'c> {
    fn new(conn: &'c Connection) -> Self {
        Self {
            conn,
            cache: FxHashMap::default(),
        }
    }

    fn text(&mut self, id: Option<i64>) -> Result<Option<String>, StoreError> {
        let Some(id) = id else { return Ok(None) };
        if let Some(text) = self.cache.get(&id) {
            return Ok(Some(text.clone()));
        }
        let text: String = self
            .conn
            .prepare_cached("SELECT value FROM strings WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::Corrupt(format!("string {id} is missing")))?;
        self.cache.insert(id, text.clone());
        Ok(Some(text))
    }

    fn required(&mut self, id: i64) -> Result<String, StoreError> {
        Ok(self.text(Some(id))?.unwrap_or_default())
    }

    fn summary(&mut self, row: &CodedRow) -> Result<EventSummary, StoreError> {
        let identity_type = self.text(row.optional[1])?;
        let mut identity = self.text(row.optional[0])?;
        // An Identity Center user is stored by user ID; show the name learned for it.
        if identity_type.as_deref() == Some(IDENTITY_CENTER_USER)
            && let Some(id) = identity.take()
        {
            identity = Some(shown_name(self.conn, id)?);
        }
        Ok(EventSummary {
            event_id: row.event_id.clone(),
            time: row.time,
            account: self.required(row.coded[0])?,
            region: self.required(row.coded[1])?,
            event_source: self.required(row.coded[2])?,
            event_name: self.required(row.coded[3])?,
            identity,
            identity_type,
            identity_arn: self.text(row.optional[2])?,
            access_key: self.text(row.optional[3])?,
            source_ip: self.text(row.optional[4])?,
            user_agent: self.text(row.optional[5])?,
            error_code: self.text(row.optional[6])?,
            read_only: row.read_only,
            category: row.category,
            from_event_history: row.origin == 1,
        })
    }
}

struct CodedRow {
    row: i64,
    time: i64,
    event_id: String,
    coded: [i64; 4],
    optional: [Option<i64>; 7],
    read_only: Option<bool>,
    category: u8,
    origin: i64,
    at: RecordAt,
}

impl CodedRow {
    /// Where the page after this row starts.
    fn cursor(&self) -> Cursor {
        Cursor {
            time: self.time,
            row: self.row,
        }
    }
}

fn coded_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CodedRow> {
    Ok(CodedRow {
        row: r.get(0)?,
        time: r.get(1)?,
        event_id: r.get::<_, StoredEventId>(2)?.0,
        coded: [r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?],
        optional: [
            r.get(7)?,
            r.get(8)?,
            r.get(9)?,
            r.get(10)?,
            r.get(11)?,
            r.get(12)?,
            r.get(13)?,
        ],
        read_only: r.get(14)?,
        category: r.get(15)?,
        origin: r.get(16)?,
        at: RecordAt {
            block: r.get(17)?,
            ordinal: r.get(18)?,
        },
    })
}

/// Up to `limit` events matching `filter` in `[start, end)` below `cursor`, newest first.
fn page_rows(
    conn: &Connection,
    conds: &Conditions,
    (start, end): (i64, i64),
    cursor: Option<Cursor>,
    limit: u32,
) -> Result<Vec<CodedRow>, StoreError> {
    let mut sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM {} WHERE {} >= ? AND {} < ?{}",
        conds.from, conds.time, conds.time, conds.sql
    );
    let mut params: Vec<&dyn ToSql> = vec![&start, &end];
    params.extend(conds.params.iter().map(|p| p.as_ref() as &dyn ToSql));
    let (cursor_time, cursor_row) = cursor.map_or((0, 0), |c| (c.time, c.row));
    if cursor.is_some() {
        let (time, row) = (conds.time, conds.row);
        sql.push_str(&format!(" AND ({time} < ? OR ({time} = ? AND {row} < ?))"));
        params.extend([&cursor_time as &dyn ToSql, &cursor_time, &cursor_row]);
    }
    sql.push_str(&format!(
        " ORDER BY {} DESC, {} DESC LIMIT ?",
        conds.time, conds.row
    ));
    params.push(&limit);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(params), coded_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// How many events match, counting whole hours from the rollups when the filter allows it.
fn count(
    conn: &Connection,
    conds: &Conditions,
    filter: &EventFilter,
    (start, end): (i64, i64),
) -> Result<u64, StoreError> {
    let count_events = |from: i64, to: i64| -> Result<u64, StoreError> {
        if from >= to {
            return Ok(0);
        }
        let sql = format!(
            "SELECT count(*) FROM {} WHERE {} >= ? AND {} < ?{}",
            conds.from, conds.time, conds.time, conds.sql
        );
        let mut params: Vec<&dyn ToSql> = vec![&from, &to];
        params.extend(conds.params.iter().map(|p| p.as_ref() as &dyn ToSql));
        let n: i64 = conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(params), |r| r.get(0))?;
        Ok(n as u64)
    };
    let first_hour = start.div_euclid(HOUR) * HOUR + if start % HOUR == 0 { 0 } else { HOUR };
    let last_hour = end.div_euclid(HOUR) * HOUR;
    if !conds.rollup_countable || last_hour - first_hour < HOUR {
        return count_events(start, end);
    }
    // Rollups count whole hours; the partial hours at both ends are counted from the events.
    let mut sql = String::from(
        "SELECT coalesce(sum(events), 0) FROM rollup_hourly WHERE hour >= ? AND hour < ?",
    );
    let mut params: Vec<Box<dyn ToSql>> = vec![Box::new(first_hour), Box::new(last_hour)];
    let coded = [("account", &filter.account), ("region", &filter.region)];
    for (column, value) in coded {
        if let Some(value) = value {
            let Some(id) = lookup(conn, value)? else {
                return Ok(0);
            };
            sql.push_str(&format!(" AND {column} = ?"));
            params.push(Box::new(id));
        }
    }
    sql.push_str(match filter.read_only {
        ReadOnlyView::Hidden => " AND read_only <> 1",
        ReadOnlyView::Only => " AND read_only = 1",
        ReadOnlyView::Shown => "",
    });
    if filter.errors_only {
        sql.push_str(" AND is_error = 1");
    }
    if let Some(category) = filter.category {
        sql.push_str(" AND category = ?");
        params.push(Box::new(i64::from(category)));
    }
    let whole: i64 = conn
        .prepare_cached(&sql)?
        .query_row(params_from_iter(params.iter()), |r| r.get(0))?;
    Ok(whole as u64 + count_events(start, first_hour)? + count_events(last_hour, end)?)
}

/// One page of events matching `filter`, with the total count and the next page's cursor.
pub fn search(
    conn: &Connection,
    filter: &EventFilter,
    page_size: u32,
    cursor: Option<Cursor>,
    now: i64,
) -> Result<EventPage, StoreError> {
    let window = resolve_range(conn, filter.range, now)?;
    let conds = conditions(conn, filter)?;
    let mut page = page_of(conn, conds.as_ref(), window, page_size, cursor)?;
    if let Some(conds) = &conds {
        page.total = count(conn, conds, filter, window)?;
    }
    Ok(page)
}

/// One page of events matching `filter` and the next page's cursor, without the total.
pub fn search_page(
    conn: &Connection,
    filter: &EventFilter,
    page_size: u32,
    cursor: Option<Cursor>,
    now: i64,
) -> Result<EventPage, StoreError> {
    let window = resolve_range(conn, filter.range, now)?;
    let conds = conditions(conn, filter)?;
    page_of(conn, conds.as_ref(), window, page_size, cursor)
}

/// How many events match `filter` in its whole range.
pub fn count_matches(conn: &Connection, filter: &EventFilter, now: i64) -> Result<u64, StoreError> {
    let window = resolve_range(conn, filter.range, now)?;
    match conditions(conn, filter)? {
        Some(conds) => count(conn, &conds, filter, window),
        None => Ok(0),
    }
}

/// The page below `cursor` in `window` (empty when `conds` is `None`: nothing can match), total left at 0.
fn page_of(
    conn: &Connection,
    conds: Option<&Conditions>,
    (start, end): (i64, i64),
    page_size: u32,
    cursor: Option<Cursor>,
) -> Result<EventPage, StoreError> {
    let mut page = EventPage {
        events: Vec::new(),
        total: 0,
        next: None,
        start,
        end,
    };
    let Some(conds) = conds else {
        return Ok(page);
    };
    let mut rows = page_rows(conn, conds, (start, end), cursor, page_size + 1)?;
    if rows.len() > page_size as usize {
        rows.truncate(page_size as usize);
        page.next = rows.last().map(|r| r.cursor().encode());
    }
    let mut decoder = Decoder::new(conn);
    page.events = rows
        .iter()
        .map(|r| decoder.summary(r))
        .collect::<Result<_, _>>()?;
    Ok(page)
}

/// Every event matching `filter` with where its record is, newest first, handed to `each` in chunks of `chunk`
/// (keyset pages, so a long export holds one chunk in memory). Stops early when `each` returns false.
pub fn for_each_chunk(
    conn: &Connection,
    filter: &EventFilter,
    now: i64,
    chunk: u32,
    mut each: impl FnMut(Vec<(EventSummary, RecordAt)>) -> bool,
) -> Result<(), StoreError> {
    let window = resolve_range(conn, filter.range, now)?;
    let Some(conds) = conditions(conn, filter)? else {
        return Ok(());
    };
    let mut decoder = Decoder::new(conn);
    let mut cursor = None;
    loop {
        let rows = page_rows(conn, &conds, window, cursor, chunk)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        cursor = Some(last.cursor());
        let full = rows.len() == chunk as usize;
        let events = rows
            .iter()
            .map(|r| Ok((decoder.summary(r)?, r.at)))
            .collect::<Result<_, StoreError>>()?;
        if !each(events) || !full {
            return Ok(());
        }
        // Strings repeat across chunks, but an export of a busy store must not grow without bound.
        if decoder.cache.len() > 100_000 {
            decoder.cache.clear();
        }
    }
}

/// The summary of one stored event and where its record is.
pub fn summary(
    conn: &Connection,
    event_id: &str,
) -> Result<Option<(EventSummary, RecordAt)>, StoreError> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM events e WHERE e.event_id = ?1"
        ))?
        .query_row([EventIdKey::new(event_id.to_owned())], coded_row)
        .optional()?;
    let mut decoder = Decoder::new(conn);
    row.map(|r| Ok((decoder.summary(&r)?, r.at))).transpose()
}
