//! The total a search shows: how many events match, from the rollups where they can answer (whole hours of
//! `rollup_hourly` for account, Region, read-only, errors and category; whole hours of `rollup_top` for one exact
//! value of a top-10 list, or the user agents a "user agent contains" matches; whole days of
//! `rollup_billing_daily` for one event source with account, Region, read-only and category), the partial hours
//! or days at both ends and every other filter from the events.
use super::super::StoreError;
use super::super::top_rollup;
use super::conditions::Conditions;
use crate::model::events::EventFilter;
use crate::model::time::{DAY, HOUR};
use rusqlite::{Connection, ToSql, params_from_iter};

/// How many events match, counting whole hours from the rollups when the filter allows it.
pub(super) fn count(
    conn: &Connection,
    conds: &Conditions,
    filter: &EventFilter,
    (start, end): (i64, i64),
) -> Result<u64, StoreError> {
    let count_events = |from: i64, to: i64| -> Result<u64, StoreError> {
        if from >= to {
            return Ok(0);
        }
        let rows = format!(
            "FROM {} WHERE {} >= ? AND {} < ?{}",
            conds.count_from, conds.time, conds.time, conds.sql
        );
        let sql = match conds.group_by {
            // Each event once, however many of its resource rows match.
            Some(group_by) => format!("SELECT count(*) FROM (SELECT 1 {rows} GROUP BY {group_by})"),
            None => format!("SELECT count(*) {rows}"),
        };
        let mut params: Vec<&dyn ToSql> = vec![&from, &to];
        params.extend(conds.params.iter().map(|p| p.as_ref() as &dyn ToSql));
        let n: i64 = conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(params), |r| r.get(0))?;
        Ok(n as u64)
    };
    let (first_hour, last_hour) = whole_periods((start, end), HOUR);
    if let Some((dimension, ids)) = &conds.top_countable
        && last_hour - first_hour >= HOUR
    {
        // One value of a top-10 list (the busiest identity has a million events in a month): its whole hours
        // from `rollup_top`, the partial hours at both ends from the events.
        let mut whole = 0;
        top_rollup::for_each_entry_in_hours(
            conn,
            (first_hour, last_hour),
            Some(*dimension),
            |_, entry, n| {
                if ids.binary_search(&entry.value).is_ok()
                    && top_rollup::keeps(filter.read_only, filter.errors_only, entry.flags)
                {
                    whole += n;
                }
            },
        )?;
        return Ok(whole + count_events(start, first_hour)? + count_events(last_hour, end)?);
    }
    if let Some(source) = conds.source_countable {
        // One event source with any account, Region, category and read-only choice: whole days from the daily
        // billing rollup (it counts every event by source), the partial days at both ends from the events.
        let (first_day, last_day) = whole_periods((start, end), DAY);
        if last_day - first_day >= DAY {
            let daily = Rollup {
                table: "rollup_billing_daily",
                period: "day",
                source: Some(source),
            };
            let whole = daily.sum(conn, conds, filter, (first_day, last_day))?;
            return Ok(whole + count_events(start, first_day)? + count_events(last_day, end)?);
        }
    }
    if !conds.rollup_countable || last_hour - first_hour < HOUR {
        return count_events(start, end);
    }
    // Rollups count whole hours; the partial hours at both ends are counted from the events.
    let hourly = Rollup {
        table: "rollup_hourly",
        period: "hour",
        source: None,
    };
    let whole = hourly.sum(conn, conds, filter, (first_hour, last_hour))?;
    Ok(whole + count_events(start, first_hour)? + count_events(last_hour, end)?)
}

/// `[first, last)`: the whole periods of `span` seconds inside `[start, end)` (empty when there are none).
fn whole_periods((start, end): (i64, i64), span: i64) -> (i64, i64) {
    let first = start.div_euclid(span) * span + if start.rem_euclid(span) == 0 { 0 } else { span };
    (first, end.div_euclid(span) * span)
}

/// A rollup a total can sum: events per period by account, Region, read-only and category; with the error flag
/// (`is_error`) unless it counts by event source.
struct Rollup {
    table: &'static str,
    /// The column of the period's first second.
    period: &'static str,
    /// The event source's `strings.id` when the rollup counts by source (it then has no error flag).
    source: Option<i64>,
}

impl Rollup {
    /// The events of `[from, to)` (whole periods) the filter's account, Region, read-only, errors and category
    /// keep. Errors: SQLite's.
    fn sum(
        &self,
        conn: &Connection,
        conds: &Conditions,
        filter: &EventFilter,
        (from, to): (i64, i64),
    ) -> Result<u64, StoreError> {
        let (table, period) = (self.table, self.period);
        let mut sql = format!(
            "SELECT coalesce(sum(events), 0) FROM {table} WHERE {period} >= ? AND {period} < ?"
        );
        let mut params: Vec<Box<dyn ToSql>> = vec![Box::new(from), Box::new(to)];
        // The account and Region as the conditions resolved them: string IDs are looked up once per request.
        for (column, id) in &conds.coded {
            sql.push_str(&format!(" AND {column} = ?"));
            params.push(Box::new(*id));
        }
        if let Some(source) = self.source {
            sql.push_str(" AND event_source = ?");
            params.push(Box::new(source));
        }
        sql.push_str(&filter.read_only.sql_condition("read_only"));
        if filter.errors_only {
            sql.push_str(" AND is_error = 1");
        }
        if let Some(category) = filter.category {
            sql.push_str(" AND category = ?");
            params.push(Box::new(i64::from(category.code())));
        }
        let whole: i64 = conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(params.iter()), |r| r.get(0))?;
        Ok(whole as u64)
    }
}
