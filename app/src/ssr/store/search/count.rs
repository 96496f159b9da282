//! The total a search shows: how many events match, from the rollups where they can answer (whole hours of
//! `rollup_hourly` for account, Region, read-only, errors and category; whole hours of `rollup_top` for one exact
//! value of a top-10 list, or the user agents a "user agent contains" matches), the partial hours at both ends
//! and every other filter from the events.
use super::super::StoreError;
use super::super::top_rollup;
use super::conditions::Conditions;
use crate::model::events::EventFilter;
use crate::model::time::HOUR;
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
    let first_hour = start.div_euclid(HOUR) * HOUR + if start % HOUR == 0 { 0 } else { HOUR };
    let last_hour = end.div_euclid(HOUR) * HOUR;
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
    if !conds.rollup_countable || last_hour - first_hour < HOUR {
        return count_events(start, end);
    }
    // Rollups count whole hours; the partial hours at both ends are counted from the events.
    let mut sql = String::from(
        "SELECT coalesce(sum(events), 0) FROM rollup_hourly WHERE hour >= ? AND hour < ?",
    );
    let mut params: Vec<Box<dyn ToSql>> = vec![Box::new(first_hour), Box::new(last_hour)];
    // The account and Region as the conditions resolved them: string IDs are looked up once per request.
    for (column, id) in &conds.coded {
        sql.push_str(&format!(" AND {column} = ?"));
        params.push(Box::new(*id));
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
    Ok(whole as u64 + count_events(start, first_hour)? + count_events(last_hour, end)?)
}
