//! A search filter as SQL conditions over `events e` (joined to `event_resources r` for resource filters), with
//! the string IDs it names resolved once.
use super::super::StoreError;
use super::super::dictionary::lookup;
use super::super::event_id::EventIdKey;
use super::super::identity_center::USER_IDS_NAMED;
use super::super::resource_arn;
use super::super::schema::{HAS_LAST_PART, LAST_PART};
use super::super::top_rollup::Dimension;
use crate::model::events::identity::RoleFilter;
use crate::model::events::{EventField, EventFilter};
use rusqlite::{Connection, ToSql, params_from_iter};

/// [`Conditions::group_by`] when a resource filter can match several rows of one event.
const GROUP_BY_EVENT: &str = "r.event_time, r.event";

/// A filter as `AND …` SQL over `events e` with its parameters.
pub(super) struct Conditions {
    /// The rows searched: `events e`, or a resource's rows joined to their events (then read in the order of
    /// `event_resources_by_arn`/`_by_type`, newest first).
    pub from: &'static str,
    /// The (time, row) pair pages are ordered and cut by.
    pub time: &'static str,
    pub row: &'static str,
    /// `GROUP BY` columns that make each event one row when a resource filter can match several of its resource
    /// rows: a resource type (a `CopyObject` names two objects and two buckets), or a bare name that ends several
    /// ARNs (the same key in two buckets). `r.event_time, r.event`, the order of `event_resources`' indexes, so
    /// grouping one range reads it in order without sorting. `None` for one ARN.
    pub group_by: Option<&'static str>,
    /// The rows a count reads: as `from`, but a resource's rows alone when no condition reads the event (each
    /// event has one row per resource it names, so counting them counts the events).
    pub count_from: &'static str,
    pub sql: String,
    pub params: Vec<Box<dyn ToSql>>,
    /// Whether the rollups by account and Region can count it (only account, Region, read-only, errors and
    /// category): `rollup_hourly`, `rollup_timeline` and `rollup_billing_daily`, each where it has the columns.
    pub rollup_countable: bool,
    /// The account and Region filters as (store column, string ID), resolved once for the page and the count.
    pub coded: Vec<(&'static str, i64)>,
    /// The one exact value the filter names, or the user agents its "user agent contains" matches, when
    /// `rollup_top` can count it (no other condition than read-only and errors): the list that counts the field,
    /// and the `strings.id`s the filter matches, sorted.
    pub top_countable: Option<(Dimension, Vec<i64>)>,
    /// The `strings.id` of the one event source the filter names, when `rollup_billing_daily` can count it:
    /// besides it, only account, Region, read-only and category (that rollup has no error flag).
    pub source_countable: Option<i64>,
}

impl Conditions {
    /// Adds `AND column IN (?, …)` with `values` as its parameters.
    fn push_in<T: ToSql + 'static>(&mut self, column: &str, values: Vec<T>) {
        let marks = vec!["?"; values.len()].join(", ");
        self.sql.push_str(&format!(" AND {column} IN ({marks})"));
        self.params
            .extend(values.into_iter().map(|v| Box::new(v) as Box<dyn ToSql>));
    }
}

/// SQL of the `strings.id`s an identity filter matches (`identity::identity_matches`): the readable name, or
/// role sessions of that name, or Identity Center users of that name; from the strings' indexes (by value, by
/// `strings_by_last_part`). Takes the name three times.
fn identity_ids_sql() -> String {
    format!(
        "SELECT id FROM strings WHERE value = ?
         UNION SELECT id FROM strings WHERE {HAS_LAST_PART} AND {LAST_PART} = ?
         UNION {USER_IDS_NAMED}"
    )
}

/// The most string IDs a filter lists as values; a name matching more (any string with a `/` whose last part
/// is the name counts) keeps them in a subquery, well within SQLite's 32,766 parameters.
const LISTED_IDS_MAX: usize = 1_000;

/// The `strings.id`s an identity filter on `name` matches ([`identity_ids_sql`]), or `None` when there are
/// more than [`LISTED_IDS_MAX`]. Errors: SQLite's.
fn identity_ids(conn: &Connection, name: &str) -> Result<Option<Vec<i64>>, StoreError> {
    let sql = format!(
        "SELECT id FROM ({}) LIMIT {}",
        identity_ids_sql(),
        LISTED_IDS_MAX + 1
    );
    let ids: Vec<i64> = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(std::iter::repeat_n(name, 3)), |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok((ids.len() <= LISTED_IDS_MAX).then_some(ids))
}

/// SQL of the `strings.id`s of the user agents that contain a LIKE pattern (ASCII case ignored): the few
/// thousand user agents are matched first; CROSS JOIN keeps `user_agents` the outer loop, as SQLite would
/// otherwise scan every string.
const AGENT_IDS_SQL: &str = "SELECT s.id FROM user_agents u CROSS JOIN strings s ON s.id = u.id
     WHERE s.value LIKE ? ESCAPE '\\'";

/// The LIKE pattern of "user agent contains `agent`".
fn agent_pattern(agent: &str) -> String {
    format!("%{}%", like_literal(agent))
}

/// The `strings.id`s of every user agent containing `agent` ([`AGENT_IDS_SQL`]): a few thousand at most (the
/// distinct user agents of the store). Errors: SQLite's.
fn agent_ids(conn: &Connection, agent: &str) -> Result<Vec<i64>, StoreError> {
    Ok(conn
        .prepare_cached(AGENT_IDS_SQL)?
        .query_map([agent_pattern(agent)], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// `value` for a LIKE pattern, with its wildcards taken literally (`ESCAPE '\'`).
fn like_literal(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The upper bound of the strings starting with `prefix` (which ends with `/`): the same with `0`, the next
/// character, in its place, so `value >= prefix AND value < end` is a range of the strings' unique index.
fn prefix_end(prefix: &str) -> String {
    let mut end = prefix.strip_suffix('/').unwrap_or(prefix).to_owned();
    end.push('0');
    end
}

/// The filter's conditions; `None` when a value it names is not in the store at all (nothing can match).
pub(super) fn conditions(
    conn: &Connection,
    filter: &EventFilter,
) -> Result<Option<Conditions>, StoreError> {
    let by_resource = filter.resource.is_some() || filter.resource_type.is_some();
    let mut c = Conditions {
        from: if by_resource {
            "event_resources r JOIN events e ON e.id = r.event"
        } else {
            "events e"
        },
        time: if by_resource {
            "r.event_time"
        } else {
            "e.event_time"
        },
        row: if by_resource { "r.event" } else { "e.id" },
        group_by: by_resource.then_some(GROUP_BY_EVENT),
        count_from: "events e",
        sql: String::new(),
        params: Vec::new(),
        rollup_countable: true,
        coded: Vec::new(),
        top_countable: None,
        source_countable: None,
    };
    let only_flags_besides_agent = filter.account.is_none()
        && filter.region.is_none()
        && filter.role.is_none()
        && filter.category.is_none()
        && !by_resource;
    let only_flags = only_flags_besides_agent && filter.agent_contains.is_none();
    let coded = [
        (EventField::Account, &filter.account),
        (EventField::Region, &filter.region),
    ];
    for (field, value) in coded {
        if let Some(value) = value {
            let Some(id) = lookup(conn, value)? else {
                return Ok(None);
            };
            let column = field.spec().store_column;
            c.sql.push_str(&format!(" AND e.{column} = ?"));
            c.params.push(Box::new(id));
            c.coded.push((column, id));
        }
    }
    for (exact, value) in &filter.exact {
        c.rollup_countable = false;
        if *exact == EventField::EventId {
            c.sql
                .push_str(&format!(" AND e.{} = ?", exact.spec().store_column));
            c.params.push(Box::new(EventIdKey::new(value.clone())));
            continue;
        }
        let ids = if *exact == EventField::Identity {
            // The readable name, or role sessions of that name (`identity::identity_matches`), resolved to their
            // string IDs first: with the IDs as values, a page of the busiest identity reads its newest events
            // from `events_by_identity` in order, where a subquery made SQLite sort every match first.
            let Some(ids) = identity_ids(conn, value)? else {
                c.sql
                    .push_str(&format!(" AND e.identity_name IN ({})", identity_ids_sql()));
                for _ in 0..3 {
                    c.params.push(Box::new(value.clone()));
                }
                continue;
            };
            ids
        } else {
            lookup(conn, value)?.into_iter().collect()
        };
        if ids.is_empty() {
            return Ok(None);
        }
        c.push_in(&format!("e.{}", exact.spec().store_column), ids.clone());
        if *exact == EventField::EventSource
            && filter.exact.len() == 1
            && filter.role.is_none()
            && filter.agent_contains.is_none()
            && !filter.errors_only
            && !by_resource
        {
            c.source_countable = ids.first().copied();
        }
        if only_flags && filter.exact.len() == 1 {
            let mut ids = ids;
            ids.sort_unstable();
            c.top_countable = Dimension::of_field(*exact).map(|d| (d, ids));
        }
    }
    if let Some(role) = &filter.role {
        c.rollup_countable = false;
        // A role's sessions share a prefix: of their ARNs (in one account) or of their readable names (in any).
        let column = match role {
            RoleFilter::InAccount { .. } => "e.identity_arn",
            RoleFilter::Named(_) => "e.identity_name",
        };
        c.sql.push_str(&format!(
            " AND {column} IN (SELECT id FROM strings WHERE value >= ? AND value < ?)"
        ));
        let prefix = role.session_prefix();
        let end = prefix_end(&prefix);
        c.params.push(Box::new(prefix));
        c.params.push(Box::new(end));
    }
    c.sql
        .push_str(&filter.read_only.sql_condition("e.read_only"));
    if filter.errors_only {
        c.sql.push_str(" AND e.error_code IS NOT NULL");
    }
    if let Some(category) = filter.category {
        c.sql.push_str(" AND e.category = ?");
        c.params.push(Box::new(i64::from(category.code())));
    }
    if let Some(agent) = &filter.agent_contains {
        c.rollup_countable = false;
        let mut ids = agent_ids(conn, agent)?;
        if ids.is_empty() {
            return Ok(None);
        }
        if ids.len() <= LISTED_IDS_MAX {
            c.push_in("e.user_agent", ids.clone());
        } else {
            c.sql
                .push_str(&format!(" AND e.user_agent IN ({AGENT_IDS_SQL})"));
            c.params.push(Box::new(agent_pattern(agent)));
        }
        if only_flags_besides_agent && filter.exact.is_empty() {
            // However many user agents match: the count looks each entry up in them.
            ids.sort_unstable();
            c.top_countable = Some((Dimension::UserAgent, ids));
        }
    }
    // Every condition so far is on the event; those below are on its resource rows.
    let reads_events = !c.sql.is_empty();
    c.count_from = if by_resource && !reads_events {
        "event_resources r"
    } else {
        c.from
    };
    if let Some(kind) = &filter.resource_type {
        c.rollup_countable = false;
        let Some(id) = lookup(conn, kind)? else {
            return Ok(None);
        };
        c.sql.push_str(" AND r.type = ?");
        c.params.push(Box::new(id));
    }
    if let Some(resource) = &filter.resource {
        c.rollup_countable = false;
        // An ARN is one key of `event_resources_by_reversed_arn`; a bare name matches the last part of an ARN
        // (`…:function:name`, `…:::bucket/name`): the few ARNs that end in it, found first, so a bucket or
        // function name reads like its ARN.
        let arns = if resource.starts_with("arn:") {
            Some(vec![resource_arn::stored(resource)])
        } else {
            resource_arn::stored_arns_named(conn, resource, LISTED_IDS_MAX)?
        };
        if let Some(arns) = arns {
            if arns.is_empty() {
                return Ok(None);
            }
            // One ARN's rows are one range of the index, in (event_time, event) order, one per event unless a
            // record lists the ARN under two types: no grouping to pay for unless the file holds such an event
            // or a type is filtered too.
            if arns.len() == 1
                && filter.resource_type.is_none()
                && !resource_arn::listed_twice(conn)?
            {
                c.group_by = None;
            }
            c.push_in("r.arn_reversed", arns);
        } else {
            // More ARNs end in the name than a list holds: two ranges of the index.
            c.sql.push_str(
                " AND ((r.arn_reversed >= ? AND r.arn_reversed < ?) OR (r.arn_reversed >= ? AND r.arn_reversed < ?))",
            );
            for (start, end) in resource_arn::name_ranges(resource) {
                c.params.push(Box::new(start));
                c.params.push(Box::new(end));
            }
        }
    }
    Ok(Some(c))
}
