//! The total a search shows: how many events match, from the rollups where they can answer, the partial periods
//! at both ends and every other filter from the events. For account, Region, read-only, errors and category:
//! whole days of `rollup_timeline` (no category) or `rollup_billing_daily` (no errors), then whole 6 and 3 hours
//! of `rollup_timeline` (no category), then whole hours of `rollup_hourly`, then whole quarters of
//! `rollup_timeline` (no category). For one exact value of a top-10 list, or the user agents a "user agent
//! contains" matches: whole hours of `rollup_top` (weeks, then days, then hours). For one event source with
//! account, Region, read-only and category: whole days of `rollup_billing_daily`.
use super::super::StoreError;
use super::super::periods::{self, Periods};
use super::super::{timeline_rollup, top_rollup};
use super::conditions::Conditions;
use crate::model::events::EventFilter;
use crate::model::time::{DAY, HOUR};
use rusqlite::{Connection, ToSql, params_from_iter};

/// How many events match: whole periods from the rollups that can count the filter (days, 6 and 3 hours, hours,
/// quarters; or weeks, days and hours of a top-10 list), the rest from the events.
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
    let (first_hour, last_hour) = Periods::of(HOUR).whole_in((start, end));
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
    // The rollups that can count this filter, coarsest first (of two with one span, the first listed): each
    // counts the whole periods it can, the next the partial periods at both ends, and the events what is left.
    let levels: Vec<Rollup> = if let Some(source) = conds.source_countable {
        vec![Rollup {
            source: Some(source),
            ..BILLING_DAYS
        }]
    } else if conds.rollup_countable {
        let mut levels: Vec<Rollup> = timeline_rollup::SPANS
            .iter()
            .map(|&span| Rollup {
                periods: Periods::of(span),
                ..TIMELINE
            })
            .chain([BILLING_DAYS, HOURLY])
            .filter(|r| r.serves(filter))
            .collect();
        levels.sort_by_key(|r| std::cmp::Reverse(r.periods.span));
        levels
    } else {
        Vec::new()
    };
    let spans: Vec<Periods> = levels.iter().map(|r| r.periods).collect();
    let mut total = 0;
    periods::visit(&spans, (start, end), &mut |level, range| {
        total += match level {
            Some(at) => levels[at].sum(conn, conds, filter, range)?,
            None => count_events(range.0, range.1)?,
        };
        Ok::<_, StoreError>(())
    })?;
    Ok(total)
}

/// A rollup a total can sum: events per period by account, Region and read-only, and by what its flags say.
struct Rollup {
    table: &'static str,
    /// The column of the period's first second.
    period: &'static str,
    /// Whether the table holds several spans (a `span` column, in seconds), so its rows of the periods' span are
    /// picked by it.
    spans: bool,
    /// Its periods, and the first it counts right: `rollup_billing_daily`'s migration floored event times toward
    /// zero, so its day 0 may hold events of the day before 1970.
    periods: Periods,
    /// Whether it counts by the error flag (`is_error`).
    errors: bool,
    /// Whether it counts by category.
    category: bool,
    /// The event source's `strings.id` when summing one source (only `rollup_billing_daily` counts by source).
    source: Option<i64>,
}

/// Events per period of each of `timeline_rollup::SPANS` (a day here) by account, Region, read-only and error.
const TIMELINE: Rollup = Rollup {
    table: "rollup_timeline",
    period: "period",
    spans: true,
    periods: Periods::of(DAY),
    errors: true,
    category: false,
    source: None,
};

/// Events per UTC day by account, Region, category, read-only and event source (and data resource), the
/// billing estimate's rollup (`store::volumes`).
const BILLING_DAYS: Rollup = Rollup {
    table: "rollup_billing_daily",
    period: "day",
    spans: false,
    periods: Periods {
        span: DAY,
        from: DAY,
    },
    errors: false,
    category: true,
    source: None,
};

/// Events per hour by account, Region, read-only, error and category.
const HOURLY: Rollup = Rollup {
    table: "rollup_hourly",
    period: "hour",
    spans: false,
    periods: Periods::of(HOUR),
    errors: true,
    category: true,
    source: None,
};

impl Rollup {
    /// Whether it can count the filter's errors and category choices.
    fn serves(&self, filter: &EventFilter) -> bool {
        (self.errors || !filter.errors_only) && (self.category || filter.category.is_none())
    }

    /// The events of `[from, to)` (whole periods) the filter's account, Region, read-only, errors and category
    /// keep. Errors: SQLite's.
    fn sum(
        &self,
        conn: &Connection,
        conds: &Conditions,
        filter: &EventFilter,
        (from, to): (i64, i64),
    ) -> Result<u64, StoreError> {
        debug_assert!(self.serves(filter));
        let (table, period) = (self.table, self.period);
        let mut sql = format!(
            "SELECT coalesce(sum(events), 0) FROM {table} WHERE {period} >= ? AND {period} < ?"
        );
        let mut params: Vec<Box<dyn ToSql>> = vec![Box::new(from), Box::new(to)];
        if self.spans {
            sql.push_str(" AND span = ?");
            params.push(Box::new(self.periods.span));
        }
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
