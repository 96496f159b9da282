//! Activity queries: the timeline (from rollups of days, hours or quarters as its buckets allow), the
//! top-10 lists and the filter choices. Every query of one request uses the same resolved window, so the
//! page's totals, chart and tables agree.
#[cfg(test)]
mod tests;
use super::StoreError;
use super::dictionary::lookup;
use super::periods::Periods;
use super::timeline_rollup::Source;
use super::top_rollup::{self, Dimension};
use crate::model::activity::{
    TOP_N, Timeline, TimelineBucket, TopEntry, TopLists, bucket_secs_for, ceil_div,
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

/// The Activity timeline for `filter` at time `now` (epoch seconds UTC), from the coarsest rollup whose periods
/// divide the buckets (days, 6 and 3 hours and quarters in `rollup_timeline`, hours in `rollup_hourly`), else
/// (buckets under 15 minutes) from the events.
///
/// Errors: [`StoreError`] when the store cannot be read.
pub fn timeline(
    conn: &Connection,
    filter: &ActivityFilter,
    now: i64,
) -> Result<Timeline, StoreError> {
    let w = resolve_window(conn, filter.range, now)?;
    let source = Source::for_bucket(w.bucket_secs);
    let table = if source == Source::Events {
        Table::Events
    } else {
        Table::Rollup
    };
    let Some((conds, cond_params)) = conditions(conn, filter, table)? else {
        return Ok(Timeline::from_sparse(
            w.start,
            w.end,
            w.bucket_secs,
            Vec::new(),
        ));
    };
    // Every bucket of the window, each row's counts added to its own.
    let mut buckets: Vec<TimelineBucket> = (0..(w.end - w.start) / w.bucket_secs)
        .map(|i| TimelineBucket {
            start: w.start + i * w.bucket_secs,
            ..Default::default()
        })
        .collect();
    let mut add = |index: i64, read_only: i64, events: i64, errors: i64| {
        let Some(bucket) = usize::try_from(index).ok().and_then(|i| buckets.get_mut(i)) else {
            return;
        };
        bucket.errors += errors as u64;
        *match read_only {
            1 => &mut bucket.read,
            0 => &mut bucket.write,
            _ => &mut bucket.other,
        } += events as u64;
    };
    if let Some((sql, first)) = match source {
        Source::Hourly => Some((
            "SELECT hour, read_only, events, is_error FROM rollup_hourly WHERE hour >= ? AND hour < ?",
            None,
        )),
        Source::Timeline(span) => Some((
            "SELECT period, read_only, events, is_error FROM rollup_timeline
             WHERE span = ? AND period >= ? AND period < ?",
            Some(span),
        )),
        Source::Events => None,
    } {
        // Summed here rather than by a GROUP BY, which sorts every row in a temporary B-tree first (several ms
        // for 30 days of rows).
        let sql = format!("{sql}{conds}");
        let params = first.into_iter().chain([w.start, w.end]).chain(cond_params);
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            let (period, read_only, events, is_error): (i64, i64, i64, i64) =
                (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
            add(
                (period - w.start) / w.bucket_secs,
                read_only,
                events,
                events * is_error,
            );
        }
    } else {
        let sql = format!(
            "SELECT (event_time - ?1) / ?2 AS b, coalesce(read_only, 2) AS ro, count(*), count(error_code)
             FROM events WHERE event_time >= ?1 AND event_time < ?3{conds} GROUP BY b, ro"
        );
        let params = [w.start, w.bucket_secs, w.end]
            .into_iter()
            .chain(cond_params);
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            add(row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
        }
    }
    Ok(Timeline::from_sparse(
        w.start,
        w.end,
        w.bucket_secs,
        buckets,
    ))
}

/// Counts per value of one column, turned into the `TOP_N` most frequent entries.
#[derive(Default)]
struct Tally<K>(FxHashMap<K, u64>);

impl<K: std::hash::Hash + Eq + Copy + Ord> Tally<K> {
    fn add(&mut self, key: Option<K>, n: u64) {
        if let Some(key) = key {
            *self.0.entry(key).or_default() += n;
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

/// Every list's counts, and the events counted.
#[derive(Default)]
struct Tallies {
    events: u64,
    names: Tally<i64>,
    sources: Tally<i64>,
    identities: Tally<(i64, i64)>,
    ips: Tally<i64>,
    errors: Tally<i64>,
    agents: Tally<i64>,
}

impl Tallies {
    /// Counts the matching events of `[start, end)` one by one. `in_storage_order` reads the table in storage
    /// order rather than through the time index (which would visit the rows in random order): for a window
    /// holding every stored event.
    fn scan(
        &mut self,
        conn: &Connection,
        (conds, params): (&str, &[i64]),
        (start, end): (i64, i64),
        in_storage_order: bool,
    ) -> Result<(), StoreError> {
        if start >= end {
            return Ok(());
        }
        let table = if in_storage_order {
            "events NOT INDEXED"
        } else {
            "events"
        };
        let sql = format!(
            "SELECT event_name, event_source, identity_name, account, source_ip, error_code, user_agent
             FROM {table}
             WHERE event_time >= ? AND event_time < ?{conds}"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let all_params = [start, end].into_iter().chain(params.iter().copied());
        let mut rows = stmt.query(params_from_iter(all_params))?;
        while let Some(row) = rows.next()? {
            self.events += 1;
            self.names.add(row.get(0)?, 1);
            self.sources.add(row.get(1)?, 1);
            self.identities
                .add(row.get::<_, Option<i64>>(2)?.zip(row.get(3)?), 1);
            self.ips.add(row.get(4)?, 1);
            self.errors.add(row.get(5)?, 1);
            self.agents.add(row.get(6)?, 1);
        }
        Ok(())
    }

    /// Adds the rollup's counts of the whole hours `[start, end)` (multiples of an hour) that `keep` accepts
    /// (by entry flags).
    fn add_rollups(
        &mut self,
        conn: &Connection,
        window: (i64, i64),
        keep: impl Fn(u8) -> bool,
    ) -> Result<(), StoreError> {
        top_rollup::for_each_entry_in_hours(conn, window, None, |dimension, entry, n| {
            if !keep(entry.flags) {
                return;
            }
            let value = Some(entry.value);
            match dimension {
                Dimension::EventName => {
                    // Every event has a name: these entries count the events.
                    self.events += n;
                    self.names.add(value, n);
                }
                Dimension::EventSource => self.sources.add(value, n),
                Dimension::Identity => self.identities.add(Some((entry.value, entry.account)), n),
                Dimension::SourceIp => self.ips.add(value, n),
                Dimension::ErrorCode => self.errors.add(value, n),
                Dimension::UserAgent => self.agents.add(value, n),
            }
        })
    }
}

/// The top-10 lists. Without an account or Region filter, whole hours are counted from `rollup_top` and only the
/// partial hours at either end of the window from the events, so the cost does not grow with the events in the
/// range; with one, the matching events are counted in one pass (one scan instead of one per list).
pub fn top_lists(
    conn: &Connection,
    filter: &ActivityFilter,
    now: i64,
) -> Result<TopLists, StoreError> {
    let w = resolve_window(conn, filter.range, now)?;
    let lists = TopLists {
        start: w.start,
        end: w.end,
        ..Default::default()
    };
    let Some((conds, params)) = conditions(conn, filter, Table::Events)? else {
        return Ok(lists);
    };
    let mut tallies = Tallies::default();
    let (first_hour, last_hour) = Periods::of(HOUR).whole_in((w.start, w.end));
    if filter.account.is_none() && filter.region.is_none() && first_hour < last_hour {
        tallies.scan(conn, (&conds, &params), (w.start, first_hour), false)?;
        tallies.add_rollups(conn, (first_hour, last_hour), |flags| {
            top_rollup::keeps(filter.read_write, filter.errors_only, flags)
        })?;
        tallies.scan(conn, (&conds, &params), (last_hour, w.end), false)?;
    } else {
        let extent: (Option<i64>, Option<i64>) = conn.query_row(
            "SELECT min(event_time), max(event_time) FROM events",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let covers_all =
            matches!(extent, (Some(first), Some(last)) if w.start <= first && last < w.end);
        tallies.scan(conn, (&conds, &params), (w.start, w.end), covers_all)?;
    }
    tallies.into_lists(conn, lists)
}

impl Tallies {
    /// `lists` (its window set) filled with the ten most frequent entries of each list, by name.
    fn into_lists(self, conn: &Connection, mut lists: TopLists) -> Result<TopLists, StoreError> {
        lists.events = self.events;
        lists.event_names = entries(conn, self.names)?;
        lists.event_sources = entries(conn, self.sources)?;
        lists.source_ips = entries(conn, self.ips)?;
        lists.error_codes = entries(conn, self.errors)?;
        lists.user_agents = entries(conn, self.agents)?;
        lists.identities = self
            .identities
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
}
