//! The Events page's totals, counted from the rollups where they can, equal the events its pages list.
use super::*;

/// One filter a search test adds to a range and read/write choice.
type Narrowing = Box<dyn Fn(&mut crate::model::events::EventFilter)>;

/// The Events page's total for one exact value of a top-10 list (the busiest identity, also by its session
/// name; the busiest event name, source, source IP and error code), counted from `rollup_top` and the partial
/// hours, for "user agent contains", and for a resource (ARN, bare name, type), equals the events its pages
/// list, for every range and read/write and errors choice.
#[test]
fn search_totals_of_one_listed_value_equal_the_events_listed() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = demo_store(dir.path());
    assert_search_totals_equal_the_events_listed(&store);
    // More user agents containing "python" than a query lists by ID (real accounts have thousands of SDK
    // versions): the query reads them in a subquery, the total still counts every one of them.
    store
        .write(|conn| {
            let mut add = conn.prepare("INSERT INTO strings (value) VALUES (?1) RETURNING id")?;
            for n in 0..1_001 {
                let id: i64 =
                    add.query_row([format!("ExampleTool/{n} lang/python#3.12")], |r| r.get(0))?;
                conn.execute("INSERT INTO user_agents (id) VALUES (?1)", [id])?;
            }
            Ok::<_, StoreError>(())
        })
        .expect("user agents");
    assert_search_totals_equal_the_events_listed(&store);
}

/// Asserts the totals of every narrowing equal the events listed, for every range and read/write and errors
/// choice.
pub(super) fn assert_search_totals_equal_the_events_listed(store: &Store) {
    use crate::model::events::{EventField, EventFilter};
    store
        .read(|conn| {
            let busiest = |column: &str| busiest(conn, column);
            let session: String = conn.query_row(
                "SELECT s.value FROM events e JOIN strings s ON s.id = e.identity_name
                 WHERE instr(s.value, '/') > 0 GROUP BY e.identity_name ORDER BY count(*) DESC LIMIT 1",
                [],
                |r| r.get(0),
            )?;
            let session_name = session.rsplit('/').next().unwrap_or_default().to_owned();
            let arn = crate::ssr::store::resource_arn::stored(&conn.query_row(
                "SELECT arn_reversed FROM event_resources GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
                [],
                |r| r.get::<_, String>(0),
            )?);
            let kind: String = conn.query_row(
                "SELECT value FROM strings WHERE id =
                 (SELECT type FROM event_resources GROUP BY type ORDER BY count(*) DESC LIMIT 1)",
                [],
                |r| r.get(0),
            )?;
            let exact = |field, value: String| {
                move |f: &mut EventFilter| f.exact = vec![(field, value.clone())]
            };
            let name = arn.rsplit(['/', ':']).next().unwrap_or_default().to_owned();
            let agent: String = busiest("user_agent")?.chars().skip(2).take(6).collect();
            let (agent_part, source) = (agent.clone(), busiest("event_source")?);
            let contains = |part: String| move |f: &mut EventFilter| f.agent_contains = Some(part.clone());
            let narrowings: Vec<Narrowing> = vec![
                Box::new(exact(EventField::Identity, busiest("identity_name")?)),
                Box::new(exact(EventField::Identity, session_name)),
                Box::new(exact(EventField::EventName, busiest("event_name")?)),
                Box::new(exact(EventField::EventSource, busiest("event_source")?)),
                Box::new(exact(EventField::SourceIp, busiest("source_ip")?)),
                Box::new(exact(EventField::ErrorCode, busiest("error_code")?)),
                // Resources: counted from their rows alone unless a condition reads the event.
                Box::new(move |f: &mut EventFilter| f.resource = Some(arn.clone())),
                Box::new(move |f: &mut EventFilter| f.resource = Some(name.clone())),
                Box::new(move |f: &mut EventFilter| f.resource_type = Some(kind.clone())),
                // "User agent contains": the user agents matching are counted from `rollup_top` (LIKE ignores
                // ASCII case; `_` and `%` are literal), or from the events beside another condition.
                Box::new(contains(agent.clone())),
                Box::new(contains(agent.to_uppercase())),
                Box::new(contains("aws".into())),
                Box::new(contains("python".into())),
                Box::new(contains("_%".into())),
                Box::new(move |f: &mut EventFilter| {
                    f.agent_contains = Some(agent_part.clone());
                    f.exact = vec![(EventField::EventSource, source.clone())];
                }),
            ];
            let mut compared = 0;
            for activity in filters(conn)
                .into_iter()
                .filter(|f| f.account.is_none() && f.region.is_none())
            {
                for narrow in &narrowings {
                    let mut filter = search_of(&activity);
                    narrow(&mut filter);
                    compared += u64::from(assert_total_is_listed(conn, &filter)?);
                }
            }
            assert!(compared > 50, "most filters match events: {compared}");
            Ok(())
        })
        .expect("queries");
}

/// The totals of the filters the rollups count, with and without one event source (the search "this service
/// here"), in an account and Region or not, with every category, read/write and errors choice, equal the events
/// their pages list, for every range: days of `rollup_timeline` or `rollup_billing_daily`, 6 and 3 hours, hours,
/// quarters and the events at both ends, whichever can count the filter, each on and off its boundaries.
#[test]
fn search_totals_from_days_hours_and_quarters_equal_the_events_listed() {
    use crate::model::events::{EventField, EventFilter};
    let dir = tempfile::tempdir().expect("tmp");
    let store = demo_store(dir.path());
    store
        .read(|conn| {
            let source = busiest(conn, "event_source")?;
            let (account, region) = (busiest(conn, "account")?, busiest(conn, "region")?);
            let mut compared = 0;
            for activity in filters(conn) {
                for (category, here, by_source) in choices() {
                    {
                        let base = search_of(&activity);
                        let filter = EventFilter {
                            account: base.account.clone().or(here.then(|| account.clone())),
                            region: base.region.clone().or(here.then(|| region.clone())),
                            exact: if by_source {
                                vec![(EventField::EventSource, source.clone())]
                            } else {
                                Vec::new()
                            },
                            category,
                            ..base
                        };
                        compared += u64::from(assert_total_is_listed(conn, &filter)?);
                    }
                }
            }
            assert!(compared > 200, "most filters match events: {compared}");
            Ok(())
        })
        .expect("queries");
}

/// Every (category, in the busiest account and Region, by the busiest event source) choice.
fn choices() -> impl Iterator<Item = (Option<crate::model::events::EventCategory>, bool, bool)> {
    use crate::model::events::EventCategory;
    [
        None,
        Some(EventCategory::Management),
        Some(EventCategory::Data),
    ]
    .into_iter()
    .flat_map(|c| [(c, false), (c, true)])
    .flat_map(|(c, here)| [(c, here, false), (c, here, true)])
}

/// Asserts that the total the Events page shows for `filter` is the number of events its pages list; returns
/// whether any event matched.
fn assert_total_is_listed(
    conn: &Connection,
    filter: &crate::model::events::EventFilter,
) -> Result<bool, StoreError> {
    use crate::ssr::store::search;
    let mut listed = 0;
    search::for_each_chunk(conn, filter, NOW, 500, |chunk| {
        listed += chunk.len() as u64;
        true
    })?;
    let total = search::search(conn, filter, 1, None, NOW)?.total;
    assert_eq!(total, listed, "{filter:?}");
    Ok(listed > 0)
}

/// The Events page's filter of the same range, account, Region, read/write and errors choice as `activity`.
fn search_of(activity: &ActivityFilter) -> crate::model::events::EventFilter {
    crate::model::events::EventFilter {
        range: activity.range,
        account: activity.account.clone(),
        region: activity.region.clone(),
        exact: Vec::new(),
        role: None,
        resource_type: None,
        resource: None,
        read_only: activity.read_write,
        errors_only: activity.errors_only,
        agent_contains: None,
        category: None,
    }
}
