//! Event search: the explorer's filters as SQL over `events`, newest first with keyset pagination (a page
//! starts below the last (time, row) of the one before, so page 100 costs what page 1 does), and the count
//! of all matches (from the hourly rollups when the filter is one they can answer).
use super::StoreError;
use super::event_id::{EventIdKey, StoredEventId};
mod conditions;
mod count;

use super::identity_center::shown_name;
use super::records::RecordAt;
use super::writer::ORIGIN_EVENT_HISTORY;
use crate::model::events::fields::{FieldSpec, Stored};
use crate::model::events::identity::IDENTITY_CENTER_USER;
use crate::model::events::{
    Cursor, EventCategory, EventField, EventFilter, EventPage, EventSummary, FIELDS,
};
use crate::model::filter::RangeSpec;
use conditions::{Conditions, conditions};
use rusqlite::{Connection, OptionalExtension, Statement, ToSql, params_from_iter};
use rustc_hash::FxHashMap;
use std::sync::LazyLock;

/// The columns a summary is read from: `e.id`, every field of [`FIELDS`] by its store column, and where the
/// record is. Rows are read back by these names ([`SummaryColumns`]).
static SUMMARY_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    let fields = FIELDS.iter().map(|f| format!("e.{}", f.store_column));
    std::iter::once(format!("e.{ROW}"))
        .chain(fields)
        .chain([format!("e.{BLOCK}"), format!("e.{ORDINAL}")])
        .collect::<Vec<_>>()
        .join(", ")
});
const ROW: &str = "id";
const BLOCK: &str = "block";
const ORDINAL: &str = "ordinal";

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

    fn required(&mut self, id: Option<i64>) -> Result<String, StoreError> {
        Ok(self.text(id)?.unwrap_or_default())
    }

    fn summary(&mut self, row: &CodedRow) -> Result<EventSummary, StoreError> {
        let identity_type = self.text(row.string(EventField::IdentityType))?;
        let mut identity = self.text(row.string(EventField::Identity))?;
        // An Identity Center user is stored by user ID; show the name learned for it.
        if identity_type.as_deref() == Some(IDENTITY_CENTER_USER)
            && let Some(id) = identity.take()
        {
            identity = Some(shown_name(self.conn, id)?);
        }
        Ok(EventSummary {
            event_id: row.event_id.clone(),
            time: row.time,
            account: self.required(row.string(EventField::Account))?,
            region: self.required(row.string(EventField::Region))?,
            event_source: self.required(row.string(EventField::EventSource))?,
            event_name: self.required(row.string(EventField::EventName))?,
            identity,
            identity_type,
            identity_arn: self.text(row.string(EventField::IdentityArn))?,
            access_key: self.text(row.string(EventField::AccessKey))?,
            source_ip: self.text(row.string(EventField::SourceIp))?,
            user_agent: self.text(row.string(EventField::UserAgent))?,
            error_code: self.text(row.string(EventField::ErrorCode))?,
            read_only: row.read_only,
            category: row.category,
            from_event_history: row.origin == ORIGIN_EVENT_HISTORY,
        })
    }
}

/// One row as the store holds it: string fields as dictionary IDs, decoded by [`Decoder`].
struct CodedRow {
    row: i64,
    time: i64,
    event_id: String,
    /// The dictionary ID of each string field (`Stored::Text`), by field.
    strings: Vec<(EventField, Option<i64>)>,
    read_only: Option<bool>,
    category: EventCategory,
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

    fn string(&self, field: EventField) -> Option<i64> {
        self.strings
            .iter()
            .find(|(f, _)| *f == field)
            .and_then(|(_, id)| *id)
    }
}

/// Where each column of [`SUMMARY_COLUMNS`] is in a statement's rows, found by name once per statement.
struct SummaryColumns {
    row: usize,
    fields: Vec<(&'static FieldSpec, usize)>,
    block: usize,
    ordinal: usize,
}

impl SummaryColumns {
    fn of(stmt: &Statement<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            row: stmt.column_index(ROW)?,
            fields: FIELDS
                .iter()
                .map(|f| Ok((f, stmt.column_index(f.store_column)?)))
                .collect::<rusqlite::Result<_>>()?,
            block: stmt.column_index(BLOCK)?,
            ordinal: stmt.column_index(ORDINAL)?,
        })
    }

    fn index(&self, field: EventField) -> usize {
        self.fields
            .iter()
            .find(|(f, _)| f.field == field)
            .map_or(0, |(_, i)| *i)
    }

    fn read(&self, r: &rusqlite::Row<'_>) -> rusqlite::Result<CodedRow> {
        let category_at = self.index(EventField::Category);
        let category: u8 = r.get(category_at)?;
        Ok(CodedRow {
            row: r.get(self.row)?,
            time: r.get(self.index(EventField::Time))?,
            event_id: r
                .get::<_, StoredEventId>(self.index(EventField::EventId))?
                .0,
            strings: self
                .fields
                .iter()
                .filter(|(f, _)| matches!(f.stored, Stored::Text { .. }))
                .map(|(f, i)| Ok((f.field, r.get(*i)?)))
                .collect::<rusqlite::Result<_>>()?,
            read_only: r.get(self.index(EventField::ReadOnly))?,
            category: EventCategory::from_code(category).ok_or(
                rusqlite::Error::IntegralValueOutOfRange(category_at, i64::from(category)),
            )?,
            origin: r.get(self.index(EventField::Origin))?,
            at: RecordAt {
                block: r.get(self.block)?,
                ordinal: r.get(self.ordinal)?,
            },
        })
    }
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
        "SELECT {} FROM {} WHERE {} >= ? AND {} < ?{}",
        *SUMMARY_COLUMNS, conds.from, conds.time, conds.time, conds.sql
    );
    let mut params: Vec<&dyn ToSql> = vec![&start, &end];
    params.extend(conds.params.iter().map(|p| p.as_ref() as &dyn ToSql));
    let (cursor_time, cursor_row) = cursor.map_or((0, 0), |c| (c.time, c.row));
    if cursor.is_some() {
        let (time, row) = (conds.time, conds.row);
        sql.push_str(&format!(" AND ({time} < ? OR ({time} = ? AND {row} < ?))"));
        params.extend([&cursor_time as &dyn ToSql, &cursor_time, &cursor_row]);
    }
    if let Some(group_by) = conds.group_by {
        sql.push_str(&format!(" GROUP BY {group_by}"));
    }
    sql.push_str(&format!(
        " ORDER BY {} DESC, {} DESC LIMIT ?",
        conds.time, conds.row
    ));
    params.push(&limit);
    let mut stmt = conn.prepare_cached(&sql)?;
    let columns = SummaryColumns::of(&stmt)?;
    let rows = stmt
        .query_map(params_from_iter(params), |r| columns.read(r))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
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
        page.total = count::count(conn, conds, filter, window)?;
    }
    Ok(page)
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
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM events e WHERE e.event_id = ?1",
        *SUMMARY_COLUMNS
    ))?;
    let columns = SummaryColumns::of(&stmt)?;
    let row = stmt
        .query_row([EventIdKey::new(event_id.to_owned())], |r| columns.read(r))
        .optional()?;
    let mut decoder = Decoder::new(conn);
    row.map(|r| Ok((decoder.summary(&r)?, r.at))).transpose()
}
