//! Activity queries: the timeline (from hourly rollups when buckets are whole hours, else from events), the
//! top-10 lists and the filter choices. Every query of one request uses the same resolved window, so the
//! page's totals, chart and tables agree.
use super::StoreError;
use super::dictionary::lookup;
use crate::model::activity::{
    FilterChoices, TOP_N, Timeline, TimelineBucket, TopEntry, TopLists, bucket_secs_for, ceil_div,
};
use crate::model::filter::{ActivityFilter, RangeSpec};
use crate::model::time::{DAY, HOUR};
use rusqlite::{Connection, OptionalExtension, params_from_iter};
use rustc_hash::FxHashMap;

/// The time window a request covers: `[start, end)`, aligned to whole buckets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// The first second: epoch seconds UTC, inclusive.
    pub start: i64,
    /// The end: epoch seconds UTC, exclusive.
    pub end: i64,
    /// The bucket width, in seconds.
    pub bucket_secs: i64,
}

/// Resolves a range against `now` and, for "all", the events the store holds (the last week when empty).
pub fn resolve_window(conn: &Connection, range: RangeSpec, now: i64) -> Result<Window, StoreError> {
    let (start, end) = match range {
        RangeSpec::Last(secs) => (now - secs, now),
        RangeSpec::Between(start, end) => (start, end),
        RangeSpec::All => {
            let extent: Option<(i64, i64)> = conn
                .query_row(
                    // Two subqueries: a lone min() or max() is read from the index, both at once by a full scan.
                    "SELECT (SELECT min(event_time) FROM events), (SELECT max(event_time) FROM events)",
                    [],
                    |r| Ok(r.get::<_, Option<i64>>(0)?.zip(r.get::<_, Option<i64>>(1)?)),
                )
                .optional()?
                .flatten();
            extent.map_or((now - 7 * DAY, now), |(first, last)| (first, last + 1))
        }
    };
    let bucket_secs = bucket_secs_for((end - start).max(1));
    let start = start.div_euclid(bucket_secs) * bucket_secs;
    let end = ceil_div(end, bucket_secs) * bucket_secs;
    Ok(Window {
        start,
        end: end.max(start + bucket_secs),
        bucket_secs,
    })
}

/// Which table a condition is written for: rollups have `is_error`, events have `error_code`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Table {
    Events,
    Rollup,
}

/// The filter as extra `AND …` SQL with its parameters; `None` when a named value is not in the store at all.
fn conditions(
    conn: &Connection,
    filter: &ActivityFilter,
    table: Table,
) -> Result<Option<(String, Vec<i64>)>, StoreError> {
    let mut sql = String::new();
    let mut params = Vec::new();
    for (column, value) in [("account", &filter.account), ("region", &filter.region)] {
        if let Some(value) = value {
            let Some(id) = lookup(conn, value)? else {
                return Ok(None);
            };
            sql.push_str(&format!(" AND {column} = ?"));
            params.push(id);
        }
    }
    sql.push_str(&filter.read_write.sql_condition("read_only"));
    if filter.errors_only {
        sql.push_str(if table == Table::Rollup {
            " AND is_error = 1"
        } else {
            " AND error_code IS NOT NULL"
        });
    }
    Ok(Some((sql, params)))
}

/// The Activity timeline for `filter` at time `now` (epoch seconds UTC), from the hourly rollups when buckets
/// are whole hours, else from the events.
///
/// Errors: [`StoreError`] when the store cannot be read.
pub fn timeline(
    conn: &Connection,
    filter: &ActivityFilter,
    now: i64,
) -> Result<Timeline, StoreError> {
    let w = resolve_window(conn, filter.range, now)?;
    let from_rollups = w.bucket_secs % HOUR == 0;
    let table = if from_rollups {
        Table::Rollup
    } else {
        Table::Events
    };
    let Some((conds, cond_params)) = conditions(conn, filter, table)? else {
        return Ok(Timeline::from_sparse(
            w.start,
            w.end,
            w.bucket_secs,
            Vec::new(),
        ));
    };
    let sql = if from_rollups {
        format!(
            "SELECT (hour - ?1) / ?2 AS b, read_only, sum(events), sum(events * is_error)
             FROM rollup_hourly WHERE hour >= ?1 AND hour < ?3{conds} GROUP BY b, read_only"
        )
    } else {
        format!(
            "SELECT (event_time - ?1) / ?2 AS b, coalesce(read_only, 2) AS ro, count(*), count(error_code)
             FROM events WHERE event_time >= ?1 AND event_time < ?3{conds} GROUP BY b, ro"
        )
    };
    let params = [w.start, w.bucket_secs, w.end]
        .into_iter()
        .chain(cond_params);
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(params))?;
    let mut sparse = Vec::new();
    while let Some(row) = rows.next()? {
        let (index, read_only, events, errors): (i64, i64, i64, i64) =
            (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
        let mut bucket = TimelineBucket {
            start: w.start + index * w.bucket_secs,
            errors: errors as u64,
            ..Default::default()
        };
        *match read_only {
            1 => &mut bucket.read,
            0 => &mut bucket.write,
            _ => &mut bucket.other,
        } = events as u64;
        sparse.push(bucket);
    }
    Ok(Timeline::from_sparse(w.start, w.end, w.bucket_secs, sparse))
}

/// Counts per value of one column, turned into the `TOP_N` most frequent entries.
#[derive(Default)]
struct Tally<K>(FxHashMap<K, u64>);

impl<K: std::hash::Hash + Eq + Copy + Ord> Tally<K> {
    fn add(&mut self, key: Option<K>) {
        if let Some(key) = key {
            *self.0.entry(key).or_default() += 1;
        }
    }

    /// The most frequent keys, ties broken by key so results are stable.
    fn top(self) -> Vec<(K, u64)> {
        let mut all: Vec<(K, u64)> = self.0.into_iter().collect();
        all.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        all.truncate(TOP_N);
        all
    }
}

fn string_of(conn: &Connection, id: i64) -> Result<String, StoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM strings WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?)
}

fn entries(conn: &Connection, tally: Tally<i64>) -> Result<Vec<TopEntry>, StoreError> {
    tally
        .top()
        .into_iter()
        .map(|(id, count)| {
            Ok(TopEntry {
                value: string_of(conn, id)?,
                count,
            })
        })
        .collect()
}

/// The top-10 lists in one pass over the matching events (one scan instead of one per list). When the window
/// holds every stored event, the table is read in storage order rather than through the time index, which
/// would visit the rows in random order.
pub fn top_lists(
    conn: &Connection,
    filter: &ActivityFilter,
    now: i64,
) -> Result<TopLists, StoreError> {
    let w = resolve_window(conn, filter.range, now)?;
    let mut lists = TopLists {
        start: w.start,
        end: w.end,
        ..Default::default()
    };
    let Some((conds, params)) = conditions(conn, filter, Table::Events)? else {
        return Ok(lists);
    };
    let extent: (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT min(event_time), max(event_time) FROM events",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let covers_all =
        matches!(extent, (Some(first), Some(last)) if w.start <= first && last < w.end);
    let table = if covers_all {
        "events NOT INDEXED"
    } else {
        "events"
    };
    let sql = format!(
        "SELECT event_name, event_source, identity_name, account, source_ip, error_code FROM {table}
         WHERE event_time >= ? AND event_time < ?{conds}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter([w.start, w.end].into_iter().chain(params)))?;
    let (mut names, mut sources, mut ips, mut errors) = (
        Tally::default(),
        Tally::default(),
        Tally::default(),
        Tally::default(),
    );
    let mut identities: Tally<(i64, i64)> = Tally::default();
    while let Some(row) = rows.next()? {
        lists.events += 1;
        names.add(row.get(0)?);
        sources.add(row.get(1)?);
        identities.add(row.get::<_, Option<i64>>(2)?.zip(row.get(3)?));
        ips.add(row.get(4)?);
        errors.add(row.get(5)?);
    }
    lists.event_names = entries(conn, names)?;
    lists.event_sources = entries(conn, sources)?;
    lists.source_ips = entries(conn, ips)?;
    lists.error_codes = entries(conn, errors)?;
    lists.identities = identities
        .top()
        .into_iter()
        .map(|((name, account), count)| {
            let name = super::identity_center::shown_name(conn, string_of(conn, name)?)?;
            Ok(TopEntry {
                value: format!("{name} ({})", string_of(conn, account)?),
                count,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(lists)
}

/// The accounts and Regions the store holds events for. Errors: [`StoreError`] when the store cannot be read.
pub fn filter_choices(conn: &Connection) -> Result<FilterChoices, StoreError> {
    let distinct = |column: &str| -> Result<Vec<String>, StoreError> {
        let sql = format!(
            "SELECT value FROM strings WHERE id IN (SELECT DISTINCT {column} FROM rollup_hourly) ORDER BY value"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let values = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(values)
    };
    Ok(FilterChoices {
        accounts: distinct("account")?,
        regions: distinct("region")?,
    })
}
